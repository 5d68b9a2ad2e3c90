/*
 * Names for errors, TCP states (RFC 9293 section 3.3.2) and drop reasons,
 * and dotted-quad IPv4 text (RFC 1123 section 2.1 and RFC 6943 section
 * 3.1.1: exactly four decimal parts; no octal or hex forms).
 */
#include "synack/synack.h"

const char *synack_strerror(int err)
{
    switch (err) {
    case SYNACK_OK:              return "ok";
    case SYNACK_ERR_INVAL:       return "invalid argument";
    case SYNACK_ERR_NOMEM:       return "out of memory";
    case SYNACK_ERR_AGAIN:       return "would block";
    case SYNACK_ERR_ADDRINUSE:   return "address in use";
    case SYNACK_ERR_NOTCONN:     return "not connected";
    case SYNACK_ERR_REFUSED:     return "refused";
    case SYNACK_ERR_RESET:       return "reset";
    case SYNACK_ERR_TIMEOUT:     return "timed out";
    case SYNACK_ERR_UNREACHABLE: return "unreachable";
    case SYNACK_ERR_CLOSED:      return "closed";
    case SYNACK_ERR_MSGSIZE:     return "message too long";
    case SYNACK_ERR_STATE:       return "invalid state";
    case SYNACK_ERR_BADF:        return "bad handle";
    case SYNACK_ERR_ISCONN:      return "already connected";
    case SYNACK_ERR_ABORTED:     return "aborted";
    case SYNACK_ERR_NOTFOUND:    return "not found";
    default:                     return "unknown error";
    }
}

const char *synack_tcp_state_name(synack_tcp_state st)
{
    switch (st) {
    case SYNACK_TCP_CLOSED:       return "CLOSED";
    case SYNACK_TCP_LISTEN:       return "LISTEN";
    case SYNACK_TCP_SYN_SENT:     return "SYN-SENT";
    case SYNACK_TCP_SYN_RECEIVED: return "SYN-RECEIVED";
    case SYNACK_TCP_ESTABLISHED:  return "ESTABLISHED";
    case SYNACK_TCP_FIN_WAIT_1:   return "FIN-WAIT-1";
    case SYNACK_TCP_FIN_WAIT_2:   return "FIN-WAIT-2";
    case SYNACK_TCP_CLOSE_WAIT:   return "CLOSE-WAIT";
    case SYNACK_TCP_CLOSING:      return "CLOSING";
    case SYNACK_TCP_LAST_ACK:     return "LAST-ACK";
    case SYNACK_TCP_TIME_WAIT:    return "TIME-WAIT";
    default:                      return "UNKNOWN";
    }
}

/* Inline arrays, not pointers: the table stays in read-only data. */
typedef struct drop_name {
    char layer[8];
    char reason[24]; /* longest today: "challenge-limit" */
} drop_name;

static const drop_name drop_names[SYNACK_DROP__COUNT] = {
    [SYNACK_DROP_ETH_RUNT] = {"eth", "runt"},
    [SYNACK_DROP_ETH_NOT_FOR_US] = {"eth", "not-for-us"},
    [SYNACK_DROP_ETH_ETHERTYPE] = {"eth", "ethertype"},
    [SYNACK_DROP_ARP_MALFORMED] = {"arp", "malformed"},
    [SYNACK_DROP_ARP_NOT_FOR_US] = {"arp", "not-for-us"},
    [SYNACK_DROP_NEIGH_QUEUE_FULL] = {"neigh", "queue-full"},
    [SYNACK_DROP_NEIGH_FAILED] = {"neigh", "failed"},
    [SYNACK_DROP_ARP_SPOOF] = {"arp", "spoof"},
    [SYNACK_DROP_IPV4_TRUNCATED] = {"ipv4", "truncated"},
    [SYNACK_DROP_IPV4_BAD_VERSION] = {"ipv4", "bad-version"},
    [SYNACK_DROP_IPV4_BAD_HDR_LEN] = {"ipv4", "bad-hdr-len"},
    [SYNACK_DROP_IPV4_BAD_TOTAL_LEN] = {"ipv4", "bad-total-len"},
    [SYNACK_DROP_IPV4_BAD_CHECKSUM] = {"ipv4", "bad-checksum"},
    [SYNACK_DROP_IPV4_NOT_FOR_US] = {"ipv4", "not-for-us"},
    [SYNACK_DROP_IPV4_BAD_SOURCE] = {"ipv4", "bad-source"},
    [SYNACK_DROP_IPV4_TTL] = {"ipv4", "ttl"},
    [SYNACK_DROP_IPV4_NO_ROUTE] = {"ipv4", "no-route"},
    [SYNACK_DROP_IPV4_FRAG_OVERLAP] = {"ipv4", "frag-overlap"},
    [SYNACK_DROP_IPV4_FRAG_TOO_BIG] = {"ipv4", "frag-too-big"},
    [SYNACK_DROP_IPV4_FRAG_NOMEM] = {"ipv4", "frag-nomem"},
    [SYNACK_DROP_IPV4_FRAG_TIMEOUT] = {"ipv4", "frag-timeout"},
    [SYNACK_DROP_IPV4_FRAG_BAD] = {"ipv4", "frag-bad"},
    [SYNACK_DROP_IPV4_PROTO] = {"ipv4", "proto"},
    [SYNACK_DROP_IPV4_DF] = {"ipv4", "df"},
    [SYNACK_DROP_ICMP_MALFORMED] = {"icmp", "malformed"},
    [SYNACK_DROP_ICMP_BAD_CHECKSUM] = {"icmp", "bad-checksum"},
    [SYNACK_DROP_ICMP_UNHANDLED] = {"icmp", "unhandled"},
    [SYNACK_DROP_ICMP_RATE] = {"icmp", "rate"},
    [SYNACK_DROP_UDP_MALFORMED] = {"udp", "malformed"},
    [SYNACK_DROP_UDP_BAD_CHECKSUM] = {"udp", "bad-checksum"},
    [SYNACK_DROP_UDP_NO_SOCKET] = {"udp", "no-socket"},
    [SYNACK_DROP_UDP_QUEUE_FULL] = {"udp", "queue-full"},
    [SYNACK_DROP_TCP_MALFORMED] = {"tcp", "malformed"},
    [SYNACK_DROP_TCP_BAD_CHECKSUM] = {"tcp", "bad-checksum"},
    [SYNACK_DROP_TCP_BAD_OPTION] = {"tcp", "bad-option"},
    [SYNACK_DROP_TCP_NO_SOCKET] = {"tcp", "no-socket"},
    [SYNACK_DROP_TCP_OUT_OF_WINDOW] = {"tcp", "out-of-window"},
    [SYNACK_DROP_TCP_BAD_ACK] = {"tcp", "bad-ack"},
    [SYNACK_DROP_TCP_PAWS] = {"tcp", "paws"},
    [SYNACK_DROP_TCP_BACKLOG_FULL] = {"tcp", "backlog-full"},
    [SYNACK_DROP_TCP_OOO_FULL] = {"tcp", "ooo-full"},
    [SYNACK_DROP_TCP_RST_IGNORED] = {"tcp", "rst-ignored"},
    [SYNACK_DROP_TCP_CHALLENGE_LIMIT] = {"tcp", "challenge-limit"},
    [SYNACK_DROP_TCP_CONN_LIMIT] = {"tcp", "conn-limit"},
    [SYNACK_DROP_TCP_INVALID_ACK_LIMIT] = {"tcp", "invalid-ack-limit"},
    [SYNACK_DROP_LINK_SEND] = {"link", "send"},
    [SYNACK_DROP_DHCP_MALFORMED] = {"dhcp", "malformed"},
    [SYNACK_DROP_DNS_MALFORMED] = {"dns", "malformed"},
    [SYNACK_DROP_DNS_MISMATCH] = {"dns", "mismatch"},
    [SYNACK_DROP_DHCP_FOREIGN] = {"dhcp", "not-ours"},
    [SYNACK_DROP_TCP_MEM_PRESSURE] = {"tcp", "mem-pressure"},
    [SYNACK_DROP_TCP_OOO_PRUNED] = {"tcp", "ooo-pruned"},
    [SYNACK_DROP_IPV6_TRUNCATED] = {"ipv6", "truncated"},
    [SYNACK_DROP_IPV6_BAD_VERSION] = {"ipv6", "bad-version"},
    [SYNACK_DROP_IPV6_NOT_FOR_US] = {"ipv6", "not-for-us"},
    [SYNACK_DROP_IPV6_BAD_SOURCE] = {"ipv6", "bad-source"},
    [SYNACK_DROP_IPV6_EXT_HDR] = {"ipv6", "ext-hdr"},
    [SYNACK_DROP_IPV6_PROTO] = {"ipv6", "proto"},
    [SYNACK_DROP_IPV6_NO_ROUTE] = {"ipv6", "no-route"},
    [SYNACK_DROP_IPV6_TOO_BIG] = {"ipv6", "too-big"},
    [SYNACK_DROP_IPV6_FRAG_OVERLAP] = {"ipv6", "frag-overlap"},
    [SYNACK_DROP_IPV6_FRAG_NOMEM] = {"ipv6", "frag-nomem"},
    [SYNACK_DROP_IPV6_FRAG_TIMEOUT] = {"ipv6", "frag-timeout"},
    [SYNACK_DROP_IPV6_FRAG_BAD] = {"ipv6", "frag-bad"},
    [SYNACK_DROP_IPV6_DISABLED] = {"ipv6", "disabled"},
    [SYNACK_DROP_ICMP6_MALFORMED] = {"icmp6", "malformed"},
    [SYNACK_DROP_ICMP6_BAD_CHECKSUM] = {"icmp6", "bad-checksum"},
    [SYNACK_DROP_ICMP6_UNHANDLED] = {"icmp6", "unhandled"},
    [SYNACK_DROP_ICMP6_RATE] = {"icmp6", "rate"},
    [SYNACK_DROP_ICMP6_BAD_PTB] = {"icmp6", "bad-ptb"},
    [SYNACK_DROP_ND_MALFORMED] = {"nd", "malformed"},
    [SYNACK_DROP_ND_TABLE_FULL] = {"nd", "table-full"},
    [SYNACK_DROP_MLD_MALFORMED] = {"mld", "malformed"},
    [SYNACK_DROP_ND_ROUTERS_FULL] = {"nd", "routers-full"},
    [SYNACK_DROP_ND_PREFIXES_FULL] = {"nd", "prefixes-full"},
    [SYNACK_DROP_ND_ADDRS_FULL] = {"nd", "addrs-full"},
    [SYNACK_DROP_ND_DAD_CONFLICT] = {"nd", "dad-conflict"},
    [SYNACK_DROP_ND_UNSOLICITED] = {"nd", "unsolicited-na"},
    [SYNACK_DROP_MLD_GROUPS_FULL] = {"mld", "groups-full"},
};

/* Table entry for d, or NULL when d is out of range or has no name. */
static const drop_name *drop_lookup(synack_drop d)
{
    if ((int)d < 0 || (int)d >= (int)SYNACK_DROP__COUNT)
        return NULL;
    if (drop_names[d].layer[0] == '\0')
        return NULL;
    return &drop_names[d];
}

const char *synack_drop_layer(synack_drop d)
{
    const drop_name *n = drop_lookup(d);
    return n != NULL ? n->layer : "unknown";
}

const char *synack_drop_reason(synack_drop d)
{
    const drop_name *n = drop_lookup(d);
    return n != NULL ? n->reason : "unknown";
}

int synack_ip4_parse_text(const char *text, synack_ip4 *out)
{
    if (text == NULL || out == NULL)
        return SYNACK_ERR_INVAL;
    uint32_t addr = 0;
    const char *p = text;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (*p != '.')
                return SYNACK_ERR_INVAL;
            p++;
        }
        uint32_t v = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            v = v * 10 + (uint32_t)(*p - '0');
            digits++;
            p++;
        }
        /* 1..3 digits, at most 255, no leading zero ("010" could be octal). */
        if (digits == 0 || digits > 3 || v > 255)
            return SYNACK_ERR_INVAL;
        if (digits > 1 && p[-digits] == '0')
            return SYNACK_ERR_INVAL;
        addr = addr << 8 | v;
    }
    if (*p != '\0')
        return SYNACK_ERR_INVAL;
    *out = addr;
    return 0;
}

int synack_ip4_format(synack_ip4 addr, char *buf)
{
    int n = 0;
    for (int part = 0; part < 4; part++) {
        uint32_t v = (addr >> (24 - 8 * part)) & 0xff;
        if (part > 0)
            buf[n++] = '.';
        if (v >= 100)
            buf[n++] = (char)('0' + v / 100);
        if (v >= 10)
            buf[n++] = (char)('0' + v / 10 % 10);
        buf[n++] = (char)('0' + v % 10);
    }
    buf[n] = '\0';
    return n;
}
