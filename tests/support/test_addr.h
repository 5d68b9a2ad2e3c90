/*
 * synack_addr in tests: an IPv4 address where the API takes a
 * `const synack_addr *` (a compound literal, alive until the end of the
 * enclosing block).
 */
#ifndef SYNACK_TEST_ADDR_H
#define SYNACK_TEST_ADDR_H

#include "synack/synack.h"

#define ADDR4(ip) ((const synack_addr[1]){synack_addr_from_ip4(ip)})

#endif
