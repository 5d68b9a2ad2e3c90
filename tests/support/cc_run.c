/* The serving run loop; see cc_run.h. */
#include "cc_run.h"

#define CC_RUN_MAX_ITERATIONS 1000000u

bool cc_run_until(net_fixture *f, cc_service_fn svc, void *svc_ctx,
                  net_cond_fn cond, void *ctx, uint64_t max_ms)
{
    uint64_t end = f->now + max_ms;
    for (unsigned it = 0; it < CC_RUN_MAX_ITERATIONS; it++) {
        net_settle(f);
        if (svc != NULL && svc(svc_ctx, f) > 0)
            continue; /* deliver the answers at this same instant */
        if (cond != NULL && cond(f, ctx))
            return true;
        if (f->now >= end)
            break;
        uint64_t next = net_next_deadline(f);
        if (next <= f->now)
            next = f->now + 1;
        f->now = next < end ? next : end;
    }
    return cond == NULL ? true : cond(f, ctx);
}
