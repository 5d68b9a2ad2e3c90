/*
 * Stand-in for <setjmp.h> on wasi-libc, which has none. synack's tests include
 * <setjmp.h> only because real cmocka's header needs it; the harness in
 * tests/harness does not use setjmp/longjmp, so nothing is declared here.
 * This directory is on the include path of the WASI build only.
 */
#ifndef SYNACK_HARNESS_COMPAT_SETJMP_H
#define SYNACK_HARNESS_COMPAT_SETJMP_H
#endif
