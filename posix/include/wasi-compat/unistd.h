/*
 * synack_posix's opt-in compatibility layer for WASI (SYNACK_WASI_COMPAT=1
 * with synack-wasi-cc): wasi-libc's <unistd.h> plus the process, user and
 * descriptor calls WASI preview 1 does not have, so that servers written
 * for Unix build. They fail at run time: fork, exec*, pipe, dup, setsid
 * with ENOSYS; setuid & co. with EPERM; getuid & co. say 65534 (nobody).
 */
#ifndef SYNACK_POSIX_COMPAT_UNISTD_H
#define SYNACK_POSIX_COMPAT_UNISTD_H
#include_next <unistd.h>
#ifdef __cplusplus
extern "C" {
#endif
int pipe(int[2]);
int pipe2(int[2], int);
int dup(int);
int dup2(int, int);
pid_t fork(void);
int execve(const char *, char *const[], char *const[]);
int execv(const char *, char *const[]);
int execvp(const char *, char *const[]);
pid_t getppid(void);
pid_t setsid(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int setuid(uid_t);
int setgid(gid_t);
int seteuid(uid_t);
int setegid(gid_t);
int getgroups(int, gid_t[]);
int chroot(const char *);
unsigned alarm(unsigned);
int fchdir(int);
#ifdef __cplusplus
}
#endif
#endif
