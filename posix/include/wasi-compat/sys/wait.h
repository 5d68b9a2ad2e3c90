/*
 * synack_posix under WASI: <sys/wait.h>, which wasi-libc lacks. WASI
 * preview 1 has no processes: wait and waitpid fail with ECHILD (and
 * fork, exec and pipe, declared in the overlay's <unistd.h>, with
 * ENOSYS), so programs that can run without children still build.
 */
#ifndef SYNACK_POSIX_SYS_WAIT_H
#define SYNACK_POSIX_SYS_WAIT_H
#include <sys/types.h>
#define WNOHANG 1
#define WUNTRACED 2
#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s) ((s) & 0x7f)
#define WSTOPSIG(s) WEXITSTATUS(s)
#define WIFEXITED(s) (!WTERMSIG(s))
#define WIFSTOPPED(s) ((short)((((s) & 0xffff) * 0x10001) >> 8) > 0x7f00)
#define WIFSIGNALED(s) (((s) & 0xffff) - 1U < 0xffu)
pid_t wait(int *);
pid_t waitpid(pid_t, int *, int);
#endif
