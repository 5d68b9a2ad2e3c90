/*
 * The opt-in compatibility layer for WASI (include/wasi-compat/): what
 * Unix servers call that WASI preview 1 has no notion of. Each fails the
 * way a restricted Unix would (ENOSYS, EPERM, ECHILD), syslog writes to
 * stderr, and longjmp (see setjmp.h there) ends the program.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int nosys(void)
{
    errno = ENOSYS;
    return -1;
}

int pipe(int fds[2]) { (void)fds; return nosys(); }
int pipe2(int fds[2], int flags) { (void)fds; (void)flags; return nosys(); }
int dup(int fd) { (void)fd; return nosys(); }
/* Daemons point fds 0-2 at /dev/null with dup2. WASI cannot copy a
 * descriptor, and under SYNACK_LINK=stdio fds 0 and 1 carry the link
 * (the program already sees an empty fd 0 and its fd 1 on stderr): dup2
 * onto 0, 1 or 2 is accepted and leaves them as they are. */
int dup2(int fd, int to)
{
    if (fd == to || (to >= 0 && to <= 2))
        return to;
    return nosys();
}
pid_t fork(void) { return nosys(); }
int execve(const char *p, char *const a[], char *const e[]) { (void)p; (void)a; (void)e; return nosys(); }
int execv(const char *p, char *const a[]) { (void)p; (void)a; return nosys(); }
int execvp(const char *p, char *const a[]) { (void)p; (void)a; return nosys(); }
pid_t getppid(void) { return 1; }
pid_t setsid(void) { return nosys(); }
uid_t getuid(void) { return 65534; }
uid_t geteuid(void) { return 65534; }
gid_t getgid(void) { return 65534; }
gid_t getegid(void) { return 65534; }
int getgroups(int n, gid_t g[]) { (void)n; (void)g; return 0; }

static int perm(void)
{
    errno = EPERM;
    return -1;
}

int setuid(uid_t u) { (void)u; return perm(); }
int setgid(gid_t g) { (void)g; return perm(); }
int seteuid(uid_t u) { (void)u; return perm(); }
int setegid(gid_t g) { (void)g; return perm(); }
int chroot(const char *p) { (void)p; return perm(); }

pid_t wait(int *st) { (void)st; errno = ECHILD; return -1; }
pid_t waitpid(pid_t p, int *st, int o) { (void)p; (void)st; (void)o; errno = ECHILD; return -1; }

static const char *log_ident = "";

void openlog(const char *ident, int opt, int fac)
{
    (void)opt;
    (void)fac;
    log_ident = ident ? ident : "";
}

void closelog(void) {}

int setlogmask(int m) { (void)m; return 0xff; }

void vsyslog(int pri, const char *fmt, va_list ap)
{
    (void)pri;
    fprintf(stderr, "%s: ", log_ident);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void syslog(int pri, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsyslog(pri, fmt, ap);
    va_end(ap);
}

_Noreturn void synack_posix_longjmp(void)
{
    fputs("synack_posix: longjmp is not available under WASI\n", stderr);
    abort();
}

/* ---- more of what Unix servers name -------------------------------------- */

#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <wasi/api.h>

int kill(pid_t pid, int sig)
{
    if (pid == getpid() || pid == 0)
        return raise(sig);
    errno = ESRCH;
    return -1;
}

unsigned alarm(unsigned s)
{
    (void)s;
    return 0; /* no timer signals under WASI */
}

void tzset(void) {}

int fchdir(int fd) { (void)fd; return nosys(); }

int chmod(const char *path, mode_t mode)
{
    (void)path;
    (void)mode;
    return 0; /* WASI files have no mode bits */
}

int mkstemp(char *tmpl)
{
    size_t n = strlen(tmpl);
    if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX") != 0) {
        errno = EINVAL;
        return -1;
    }
    static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int tries = 0; tries < 100; tries++) {
        unsigned char r[6];
        if (__wasi_random_get(r, sizeof r) != 0)
            memset(r, tries, sizeof r);
        for (int i = 0; i < 6; i++)
            tmpl[n - 6 + i] = set[r[i] % (sizeof set - 1)];
        int fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
    (void)addr;
    (void)len;
    (void)type;
    h_errno = HOST_NOT_FOUND; /* no reverse lookups */
    return NULL;
}
