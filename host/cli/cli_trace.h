/*
 * --trace: every trace event of the stack as one JSON object per line on
 * stderr (DESIGN.md, CONTRACT: trace events), formatted by the core's
 * synack_trace_json().
 */
#ifndef SYNACK_CLI_TRACE_H
#define SYNACK_CLI_TRACE_H

#include <stddef.h>

#include "synack/synack.h"

/*
 * Format ev as one line (JSON and a newline) into buf. Returns the length,
 * or 0 when it cannot be formatted whole (the event is then skipped).
 */
size_t synack_cli_trace_line(const synack_trace_event *ev, char *buf,
                             size_t cap);

/* A synack_trace_fn; ctx is the synack_cli. Writes the line to stderr. */
void synack_cli_trace_print(void *ctx, const synack_trace_event *ev);

#endif
