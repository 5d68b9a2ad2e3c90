/*
 * A run loop for tests whose peer is an application written with the UDP
 * API (the DHCP and DNS test servers): like net_run_until, but after each
 * settle it lets a service function read and answer datagrams, and when
 * that sends anything, it settles again at the same instant, so answers
 * travel with no added delay.
 */
#ifndef CC_RUN_H
#define CC_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "net_fixture.h"

/* Serve at f->now; return how many datagrams were sent. */
typedef int (*cc_service_fn)(void *ctx, net_fixture *f);

/*
 * Run the clock until cond(f, ctx) holds or max_ms pass, serving with
 * svc (may be NULL). Returns whether cond became true (NULL cond: true).
 */
bool cc_run_until(net_fixture *f, cc_service_fn svc, void *svc_ctx,
                  net_cond_fn cond, void *ctx, uint64_t max_ms);

#endif
