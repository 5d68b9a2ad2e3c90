/*
 * synack_posix under WASI: clang 14 cannot compile setjmp/longjmp for
 * wasm32, and wasi-libc has no <setjmp.h>. Programs that only arm a
 * jump for a rare signal (lighttpd's SIGBUS guard around mmap, which is
 * off here) still build: setjmp returns 0, and a longjmp ends the
 * program with a message. Anything that really jumps does not work.
 */
#ifndef SYNACK_POSIX_SETJMP_H
#define SYNACK_POSIX_SETJMP_H
typedef long jmp_buf[1];
typedef long sigjmp_buf[1];
_Noreturn void synack_posix_longjmp(void);
#define setjmp(env) ((void)(env), 0)
#define sigsetjmp(env, save) ((void)(env), (void)(save), 0)
#define _setjmp(env) setjmp(env)
#define longjmp(env, val) ((void)(env), (void)(val), synack_posix_longjmp())
#define siglongjmp(env, val) longjmp(env, val)
#define _longjmp(env, val) longjmp(env, val)
#endif
