/*
 * --metrics: a tiny HTTP/1.x server inside the bridge's poll loop that
 * answers GET /metrics with counters in the Prometheus text exposition
 * format. Non-blocking and bounded: at most METRICS_CONNS connections at a
 * time (more are closed at once), requests of at most 2 KiB, a deadline
 * per connection, one response per connection.
 */
#ifndef SYNACK_BR_METRICS_H
#define SYNACK_BR_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "backend.h"

typedef struct synack_br_metrics synack_br_metrics;

/* Writes the exposition text (the response body) to `out`. */
typedef void (*synack_br_metrics_render_fn)(void *ctx, FILE *out);

typedef struct synack_br_metrics_counters {
    uint64_t ok;       /* 200 answers */
    uint64_t bad;      /* 4xx answers: bad method, path, oversized request */
    uint64_t refused;  /* connections closed at once: all slots busy */
    uint64_t timeout;  /* connections closed at their deadline */
} synack_br_metrics_counters;

/* Listen on host:port (message on stderr and NULL on failure). */
synack_br_metrics *synack_br_metrics_open(const char *host, const char *port);
void synack_br_metrics_close(synack_br_metrics *m);

/* Before poll(): add the descriptors; lower *timeout_ms to the next deadline. */
void synack_br_metrics_fill(synack_br_metrics *m, synack_br_pollset *ps,
                            uint64_t now, int *timeout_ms);

/* After poll(): accept, read, answer, close. */
void synack_br_metrics_handle(synack_br_metrics *m, const synack_br_pollset *ps,
                              uint64_t now, synack_br_metrics_render_fn render,
                              void *ctx);

/* The server's own counters. */
const synack_br_metrics_counters *synack_br_metrics_counts(const synack_br_metrics *m);

#endif
