/*
 * Connect by name (Happy Eyeballs v2, RFC 8305): the poll hooks. Internal
 * to core/; the API is in synack.h.
 */
#ifndef SYNACK_HE_H
#define SYNACK_HE_H

#include <stdint.h>

#include "app/he_state.h"

typedef struct synack_stack synack_stack;

/* Advance every operation (called from synack_poll). */
void synack_he_poll(synack_stack *s, uint64_t now);

/* The next resolution-delay or attempt-delay deadline; UINT64_MAX if none. */
uint64_t synack_he_poll_at(const synack_stack *s);

#endif
