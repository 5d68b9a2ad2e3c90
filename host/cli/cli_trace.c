/*
 * The --trace printer (DESIGN.md, CONTRACT: trace events): one JSON object
 * per line on stderr.
 */
#include "cli_trace.h"
#include "cli_run.h"

size_t synack_cli_trace_line(const synack_trace_event *ev, char *buf,
                             size_t cap)
{
    if (cap < 2)
        return 0;
    size_t n = synack_trace_json(ev, buf, cap - 1);
    if (n == 0 || n >= cap - 1)
        return 0;
    buf[n] = '\n';
    buf[n + 1] = '\0';
    return n + 1;
}

void synack_cli_trace_print(void *ctx, const synack_trace_event *ev)
{
    synack_cli *c = ctx;
    char buf[1024];
    size_t n = synack_cli_trace_line(ev, buf, sizeof buf);
    if (n > 0)
        c->p->err_write(c->p->ctx, buf, n);
}
