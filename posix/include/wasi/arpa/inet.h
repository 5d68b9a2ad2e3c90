/* synack_posix under WASI: wasi-libc's <arpa/inet.h> plus inet_addr and
 * inet_ntoa, which synack_posix provides (with inet_pton, inet_ntop and
 * inet_aton, declared there but missing from its libc.a). */
#ifndef SYNACK_POSIX_ARPA_INET_H
#define SYNACK_POSIX_ARPA_INET_H
#include_next <arpa/inet.h>
#ifdef __cplusplus
extern "C" {
#endif
in_addr_t inet_addr(const char *);
char *inet_ntoa(struct in_addr);
#ifdef __cplusplus
}
#endif
#endif
