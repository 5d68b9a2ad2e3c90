/*
 * pcap writer: wraps a link and records every frame in the classic pcap
 * format (the libpcap file format: a 24-byte global header, then a 16-byte
 * record header per frame), written little-endian with magic 0xa1b2c3d4 so
 * the output is byte-for-byte reproducible. Version 2.4, snaplen 65535,
 * linktype 1 (Ethernet) or 101 (raw IP: the version nibble tells IPv4
 * from IPv6). Timestamps come from the last
 * synack_pcap_set_time() in milliseconds.
 */
#include <string.h>

#include "synack_links.h"

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_SNAPLEN 65535u
#define PCAP_LINKTYPE_ETHERNET 1u
#define PCAP_LINKTYPE_RAW 101u

struct synack_pcap {
    synack_allocator alloc;
    synack_link inner;
    synack_pcap_write_fn write;
    void *write_ctx;
    uint64_t now;
};

static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void record(synack_pcap *pc, const uint8_t *frame, size_t len)
{
    uint8_t h[16];
    uint32_t incl = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : (uint32_t)len;
    le32(h, (uint32_t)(pc->now / 1000u));
    le32(h + 4, (uint32_t)(pc->now % 1000u) * 1000u);
    le32(h + 8, incl);
    le32(h + 12, (uint32_t)len);
    if (pc->write(pc->write_ctx, h, sizeof h) < 0)
        return;
    pc->write(pc->write_ctx, frame, incl);
}

static int pcap_send(void *ctx, const uint8_t *frame, size_t len)
{
    synack_pcap *pc = ctx;
    record(pc, frame, len);
    if (pc->inner.send == NULL)
        return 0;
    return pc->inner.send(pc->inner.ctx, frame, len);
}

int synack_pcap_new(synack_pcap **out, synack_allocator alloc, synack_link inner,
                    synack_pcap_write_fn write, void *write_ctx)
{
    if (out == NULL || alloc.alloc == NULL || alloc.free == NULL ||
        write == NULL)
        return SYNACK_ERR_INVAL;
    uint8_t h[24];
    le32(h, PCAP_MAGIC);
    le16(h + 4, 2);
    le16(h + 6, 4);
    le32(h + 8, 0);  /* thiszone */
    le32(h + 12, 0); /* sigfigs */
    le32(h + 16, PCAP_SNAPLEN);
    le32(h + 20, inner.medium == SYNACK_MEDIUM_IP ? PCAP_LINKTYPE_RAW
                                                  : PCAP_LINKTYPE_ETHERNET);
    if (write(write_ctx, h, sizeof h) < 0)
        return SYNACK_ERR_INVAL;
    synack_pcap *pc = alloc.alloc(alloc.ctx, sizeof *pc);
    if (pc == NULL)
        return SYNACK_ERR_NOMEM;
    memset(pc, 0, sizeof *pc);
    pc->alloc = alloc;
    pc->inner = inner;
    pc->write = write;
    pc->write_ctx = write_ctx;
    *out = pc;
    return SYNACK_OK;
}

void synack_pcap_free(synack_pcap *pc)
{
    if (pc != NULL)
        pc->alloc.free(pc->alloc.ctx, pc, sizeof *pc);
}

synack_link synack_pcap_link(synack_pcap *pc)
{
    synack_link l = pc->inner;
    l.send = pcap_send;
    l.ctx = pc;
    /* it handles frames of at most the MTU: no send offload through it */
    l.gso_max = 0;
    l.send_gso = NULL;
    return l;
}

void synack_pcap_set_time(synack_pcap *pc, uint64_t now)
{
    pc->now = now;
}

void synack_pcap_record_in(synack_pcap *pc, const uint8_t *frame, size_t len)
{
    record(pc, frame, len);
}
