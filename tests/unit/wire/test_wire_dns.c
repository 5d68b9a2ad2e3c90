/*
 * DNS wire format (RFC 1035 section 4.1): golden messages written by hand,
 * name compression (section 4.1.4) and everything a hostile answer can do
 * with it: loops, forward and out-of-range pointers, labels past the end,
 * names over 255 bytes, too many jumps, truncated records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire_app.h"

/* Answer to "www.example.com A", ID 0x1234, flags QR RD RA: a CNAME from
 * www.example.com to example.com (pointer into the question) and an A
 * record example.com -> 93.184.216.34, both owners compressed. */
static const uint8_t golden_answer[63] = {
    0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    /* 12: question */
    0x03, 'w', 'w', 'w', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c',
    'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
    /* 33: www.example.com CNAME example.com, TTL 3600 */
    0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x02,
    0xc0, 0x10,
    /* 47: example.com A 93.184.216.34, TTL 3600 */
    0xc0, 0x10, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
    0x5d, 0xb8, 0xd8, 0x22,
};

static void name_text(const char *text, synack_dns_name *n)
{
    assert_int_equal(synack_dns_name_from_text(text, n), 0);
}

static void test_parse_golden_answer(void **state)
{
    (void)state;
    synack_dns_repr r;
    assert_int_equal(synack_dns_parse(golden_answer, sizeof golden_answer, &r), 63);
    assert_int_equal(r.id, 0x1234);
    assert_true((r.flags & SYNACK_DNS_QR) != 0);
    assert_false((r.flags & SYNACK_DNS_TC) != 0);
    assert_int_equal(synack_dns_rcode(&r), 0);
    assert_int_equal(synack_dns_opcode(&r), 0);
    assert_int_equal(r.qdcount, 1);
    assert_int_equal(r.ancount, 2);
    assert_int_equal(r.qname_off, 12);
    assert_int_equal(r.qtype, SYNACK_DNS_TYPE_A);
    assert_int_equal(r.qclass, SYNACK_DNS_CLASS_IN);
    assert_int_equal(r.an_count, 2);

    assert_int_equal(r.an[0].type, SYNACK_DNS_TYPE_CNAME);
    assert_int_equal(r.an[0].ttl, 3600);
    assert_int_equal(r.an[0].rdlen, 2);
    assert_int_equal(r.an[1].type, SYNACK_DNS_TYPE_A);
    assert_int_equal(r.an[1].rdata_off, 59);
    assert_int_equal(synack_ld_be32(golden_answer + r.an[1].rdata_off),
                     SYNACK_IP4(93, 184, 216, 34));

    /* The compressed names decode to the full names. */
    synack_dns_name n, want;
    size_t next;
    assert_int_equal(synack_dns_name_read(golden_answer, 63, r.an[0].name_off,
                                          &n, &next), 0);
    assert_int_equal(next, 35);
    name_text("www.example.com", &want);
    assert_true(synack_dns_name_equal(&n, &want));
    assert_int_equal(synack_dns_name_read(golden_answer, 63, r.an[0].rdata_off,
                                          &n, NULL), 0);
    name_text("example.com", &want);
    assert_true(synack_dns_name_equal(&n, &want));
    assert_int_equal(synack_dns_name_read(golden_answer, 63, 12, &n, &next), 0);
    assert_int_equal(next, 29);
    assert_int_equal(n.len, 17);
}

/* Our query for www.example.com: golden bytes. */
static void test_emit_golden_query(void **state)
{
    (void)state;
    static const uint8_t want[33] = {
        0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x03, 'w', 'w', 'w', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c',
        'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
    };
    synack_dns_name q;
    name_text("WWW.Example.COM.", &q); /* case folded, final dot allowed */
    uint8_t buf[64];
    memset(buf, 0xaa, sizeof buf);
    assert_int_equal(synack_dns_query_emit(buf, sizeof buf, 0xbeef, &q,
                                           SYNACK_DNS_TYPE_A, SYNACK_DNS_CLASS_IN),
                     33);
    assert_memory_equal(buf, want, 33);
    assert_int_equal(buf[33], 0xaa);
    assert_int_equal(synack_dns_query_emit(buf, 32, 0xbeef, &q, 1, 1), 0);
}

static void test_name_from_text(void **state)
{
    (void)state;
    synack_dns_name n;
    char text[300];
    assert_int_equal(synack_dns_name_from_text("a", &n), 0);
    assert_int_equal(n.len, 3);
    assert_int_equal(synack_dns_name_from_text("", &n), SYNACK_WIRE_BAD_NAME);
    assert_int_equal(synack_dns_name_from_text(".", &n), SYNACK_WIRE_BAD_NAME);
    assert_int_equal(synack_dns_name_from_text("a..b", &n), SYNACK_WIRE_BAD_NAME);
    assert_int_equal(synack_dns_name_from_text(".a", &n), SYNACK_WIRE_BAD_NAME);
    assert_int_equal(synack_dns_name_from_text("a b", &n), SYNACK_WIRE_BAD_NAME);
    assert_int_equal(synack_dns_name_from_text("a\x80", &n), SYNACK_WIRE_BAD_NAME);
    /* label of 63 is fine, 64 is not */
    memset(text, 'x', 64);
    text[63] = '\0';
    assert_int_equal(synack_dns_name_from_text(text, &n), 0);
    text[63] = 'x';
    text[64] = '\0';
    assert_int_equal(synack_dns_name_from_text(text, &n), SYNACK_WIRE_BAD_NAME);
    /* 4 labels of 63 = 4*64 + 1 = 257 bytes: too long; 3 of 63 + 61 fits 255 */
    size_t p = 0;
    for (int l = 0; l < 4; l++) {
        memset(text + p, 'y', 63);
        p += 63;
        text[p++] = '.';
    }
    text[p - 1] = '\0';
    assert_int_equal(synack_dns_name_from_text(text, &n), SYNACK_WIRE_BAD_NAME);
    text[3 * 64 + 61] = '\0';
    assert_int_equal(synack_dns_name_from_text(text, &n), 0);
    assert_int_equal(n.len, 255);
}

/* A message: a 12-byte header with qdcount 1, then `body`. */
static size_t with_header(uint8_t *buf, const uint8_t *body, size_t len)
{
    static const uint8_t hdr[12] = {0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(buf, hdr, 12);
    memcpy(buf + 12, body, len);
    return 12 + len;
}

static void test_compression_attacks(void **state)
{
    (void)state;
    uint8_t buf[600];
    synack_dns_name n;
    size_t len;

    /* A pointer to itself. */
    static const uint8_t self[] = {0xc0, 0x0c, 0, 1, 0, 1};
    len = with_header(buf, self, sizeof self);
    assert_int_equal(synack_dns_name_read(buf, len, 12, &n, NULL),
                     SYNACK_WIRE_BAD_POINTER);

    /* Two names pointing at each other: 12 -> 14 is forward, rejected. */
    static const uint8_t pair[] = {0xc0, 0x0e, 0xc0, 0x0c, 0, 1, 0, 1};
    len = with_header(buf, pair, sizeof pair);
    assert_int_equal(synack_dns_name_read(buf, len, 12, &n, NULL),
                     SYNACK_WIRE_BAD_POINTER);
    /* From 14 the jump back to 12 is allowed, but 12 then jumps forward. */
    assert_int_equal(synack_dns_name_read(buf, len, 14, &n, NULL),
                     SYNACK_WIRE_BAD_POINTER);

    /* A label followed by a pointer back into the same name: a loop. */
    static const uint8_t inner[] = {0x01, 'a', 0xc0, 0x0c, 0, 1, 0, 1};
    len = with_header(buf, inner, sizeof inner);
    assert_int_equal(synack_dns_name_read(buf, len, 12, &n, NULL),
                     SYNACK_WIRE_BAD_POINTER);

    /* A pointer beyond the message (backwards-only also catches it). */
    static const uint8_t far[] = {0xc1, 0xff, 0, 1, 0, 1};
    len = with_header(buf, far, sizeof far);
    assert_int_equal(synack_dns_name_read(buf, len, 12, &n, NULL),
                     SYNACK_WIRE_BAD_POINTER);

    /* A pointer cut in half at the end of the message. */
    static const uint8_t half[] = {0x01, 'a', 0xc0};
    len = with_header(buf, half, sizeof half);
    assert_int_equal(synack_dns_name_read(buf, len, 12, &n, NULL),
                     SYNACK_WIRE_TRUNCATED);

    /* A label longer than what is left. */
    static const uint8_t longlab[] = {0x05, 'a', 'b', 'c'};
    len = with_header(buf, longlab, sizeof longlab);
    assert_int_equal(synack_dns_name_read(buf, len, 12, &n, NULL),
                     SYNACK_WIRE_TRUNCATED);
    /* No terminating root label. */
    static const uint8_t noroot[] = {0x01, 'a'};
    len = with_header(buf, noroot, sizeof noroot);
    assert_int_equal(synack_dns_name_read(buf, len, 12, &n, NULL),
                     SYNACK_WIRE_TRUNCATED);
    /* Label types 01 and 10 (RFC 6891 5). */
    static const uint8_t ext[] = {0x41, 'a', 0x00};
    len = with_header(buf, ext, sizeof ext);
    assert_int_equal(synack_dns_name_read(buf, len, 12, &n, NULL),
                     SYNACK_WIRE_BAD_NAME);
    buf[12] = 0x81;
    assert_int_equal(synack_dns_name_read(buf, len, 12, &n, NULL),
                     SYNACK_WIRE_BAD_NAME);
    /* Reading from an offset past the end. */
    assert_int_equal(synack_dns_name_read(buf, len, len, &n, NULL),
                     SYNACK_WIRE_TRUNCATED);
}

/* Compression can build a name longer than 255 bytes from short pieces. */
static void test_name_too_long_via_pointers(void **state)
{
    (void)state;
    uint8_t buf[600];
    memset(buf, 0, sizeof buf);
    /* At 12: "x{63}" root. Then names each adding a 63-byte label and
     * pointing to the previous one: 64, 128, 192, 256 bytes of labels. */
    size_t p = 12, prev = 12;
    buf[p++] = 63;
    memset(buf + p, 'x', 63);
    p += 63;
    buf[p++] = 0;
    size_t starts[4];
    for (int i = 0; i < 4; i++) {
        starts[i] = p;
        buf[p++] = 63;
        memset(buf + p, (uint8_t)('a' + i), 63);
        p += 63;
        buf[p++] = (uint8_t)(0xc0 | (prev >> 8));
        buf[p++] = (uint8_t)prev;
        prev = starts[i];
    }
    synack_dns_name n;
    /* 3 labels of 63 and the root: 193 bytes, fine. */
    assert_int_equal(synack_dns_name_read(buf, p, starts[1], &n, NULL), 0);
    assert_int_equal(n.len, 193);
    /* 4 labels: 257 bytes, too long. */
    assert_int_equal(synack_dns_name_read(buf, p, starts[2], &n, NULL),
                     SYNACK_WIRE_BAD_NAME);
}

/* Each pointer jumping a little further back: at most 16 jumps. */
static void test_too_many_jumps(void **state)
{
    (void)state;
    uint8_t buf[200];
    memset(buf, 0, sizeof buf);
    buf[12] = 0; /* the root name at 12 */
    /* at 13, 15, 17, ...: a pointer to the previous one */
    size_t prev = 12, p = 13;
    for (int i = 0; i < 20; i++) {
        buf[p] = 0xc0;
        buf[p + 1] = (uint8_t)prev;
        prev = p;
        p += 2;
    }
    synack_dns_name n;
    /* 16 jumps reach the root: fine */
    assert_int_equal(synack_dns_name_read(buf, p, 13 + 2 * 15, &n, NULL), 0);
    assert_int_equal(n.len, 1);
    /* 17 are too many */
    assert_int_equal(synack_dns_name_read(buf, p, 13 + 2 * 16, &n, NULL),
                     SYNACK_WIRE_BAD_POINTER);
}

/* Cut the golden answer at every length: each prefix fails cleanly. */
static void test_truncated_messages(void **state)
{
    (void)state;
    synack_dns_repr r;
    for (size_t len = 0; len < sizeof golden_answer; len++) {
        int rc = synack_dns_parse(golden_answer, len, &r);
        if (rc >= 0)
            fail_msg("prefix of %u bytes parsed", (unsigned)len);
    }
    assert_int_equal(synack_dns_parse(golden_answer, 11, &r), SYNACK_WIRE_TRUNCATED);
    /* The header survives a failed parse (the resolver reads TC from it). */
    assert_int_equal(synack_dns_parse(golden_answer, 50, &r), SYNACK_WIRE_TRUNCATED);
    assert_int_equal(r.id, 0x1234);
    assert_int_equal(r.ancount, 2);
}

/* Record data that does not fit its type. */
static void test_bad_rdata(void **state)
{
    (void)state;
    uint8_t buf[63];
    synack_dns_repr r;
    /* A record with rdlen 3 (the rdlen field is at 57, its data ends at 63) */
    memcpy(buf, golden_answer, 63);
    buf[58] = 3;
    assert_int_equal(synack_dns_parse(buf, 62, &r), SYNACK_WIRE_BAD_LEN);
    /* rdlen past the end */
    memcpy(buf, golden_answer, 63);
    buf[58] = 5;
    assert_int_equal(synack_dns_parse(buf, 63, &r), SYNACK_WIRE_TRUNCATED);
    /* CNAME with rdlen 3 around a 2-byte name */
    memcpy(buf, golden_answer, 63);
    buf[44] = 3;
    assert_true(synack_dns_parse(buf, 63, &r) < 0);
    /* CNAME target pointing forward */
    memcpy(buf, golden_answer, 63);
    buf[46] = 47;
    assert_int_equal(synack_dns_parse(buf, 63, &r), SYNACK_WIRE_BAD_POINTER);
    /* more answers announced than present */
    memcpy(buf, golden_answer, 63);
    buf[7] = 3;
    assert_int_equal(synack_dns_parse(buf, 63, &r), SYNACK_WIRE_TRUNCATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_golden_answer),
        cmocka_unit_test(test_emit_golden_query),
        cmocka_unit_test(test_name_from_text),
        cmocka_unit_test(test_compression_attacks),
        cmocka_unit_test(test_name_too_long_via_pointers),
        cmocka_unit_test(test_too_many_jumps),
        cmocka_unit_test(test_truncated_messages),
        cmocka_unit_test(test_bad_rdata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
