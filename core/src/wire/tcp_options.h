/*
 * TCP option list codec shared by tcp_packet.c (internal to core/src/wire).
 */
#ifndef SYNACK_WIRE_TCP_OPTIONS_H
#define SYNACK_WIRE_TCP_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

/*
 * Parse the option bytes of a header (opts, len = data offset*4 - 20) into
 * the option fields of *out, which are reset first. Returns 0 or
 * SYNACK_WIRE_BAD_OPTION.
 */
int synack_wire_tcpopts_parse(const uint8_t *opts, size_t len,
                             synack_tcp_repr *out);

/* Bytes synack_wire_tcpopts_emit() writes for r (a multiple of 4, <= 40). */
size_t synack_wire_tcpopts_len(const synack_tcp_repr *r);

/* Write r's options at buf; returns synack_wire_tcpopts_len(r). */
size_t synack_wire_tcpopts_emit(const synack_tcp_repr *r, uint8_t *buf);

/* SACK blocks emit writes for r: as many as fit beside the other options. */
uint8_t synack_wire_tcpopts_sack_fit(const synack_tcp_repr *r);

#endif
