#!/usr/bin/env python3
"""Prove that each hostile-input test can fail (issue 10).

For every bug class, take one protection out of the core (a small source
edit), build the test that covers the class, run it, and expect it to FAIL;
then put the protection back. All of this happens in a private copy of the
tree (build/protections/src, built in build/protections/build), so the
shared working tree and other builds never see a weakened core.

    fuzz/check_protections.py            every class
    fuzz/check_protections.py wscale     classes whose name contains "wscale"

Prints one line per class: "caught" (the test failed without its
protection, as it must), "MISSED" (the test still passed) or "STALE" (the
edit no longer applies: the code moved; update the table below). Exit
status 0 only when every class was caught. Takes a few minutes (one
incremental build per class).
"""
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "build", "protections")
SRC = os.path.join(WORK, "src")
BLD = os.path.join(WORK, "build")

# (class, file, text with the protection, text without it, test, how[, extra edit])
# how: None runs the test; "memcheck" runs it under valgrind, for protections
# whose absence shows only as a read past a buffer.
MUTATIONS = [
    ("tcp option length 0/1/255/past header", "core/src/wire/tcp_options.c",
     "if (optlen < 2 || !synack_rd_has(&r, optlen - 2))",
     "if (false)", "test_wire_tcp", None),
    ("mss 0 and 1", "core/src/tcp/tcp_input.c",
     "    if (mss < floor)\n        mss = floor;", "    (void)floor;", "test_tcp_options", None),
    ("wscale above 14", "core/src/tcp/tcp_input.c",
     "t->snd_ws = syn->ws > SYNACK_TCP_MAX_WS ? SYNACK_TCP_MAX_WS : syn->ws;",
     "t->snd_ws = syn->ws;", "test_hostile_tcp", None),
    # The urgent pointer is ignored by design (data stays inline); the edit
    # makes the receive path use it as an offset, BSD style (the byte before
    # the pointer is taken out of band, here: the segment ends there).
    ("urgent pointer used as an offset", "core/src/tcp/tcp_rcv.c",
     "    (void)seg;\n",
     "    if ((seg->flags & SYNACK_TCP_URG) && seg->urg > 0 && seg->urg - 1u < len)\n"
     "        len = seg->urg - 1u;\n", "test_hostile_tcp", None),
    ("ihl below 5", "core/src/wire/ipv4_packet.c",
     "if (hdr_len < SYNACK_IP4_HDR_LEN || hdr_len > len)",
     "if (hdr_len > len)", "test_hostile_ip", None),
    ("ip total length below header / beyond frame", "core/src/wire/ipv4_packet.c",
     "if (out->total_len < hdr_len || out->total_len > len)",
     "if (false)", "test_hostile_ip", None),
    ("tcp data offset below 5 / beyond segment", "core/src/wire/tcp_packet.c",
     "if (hdr_len < SYNACK_TCP_HDR_LEN || hdr_len > len)",
     "if (false)", "test_hostile_ip", None),
    ("fragment overlap / teardrop", "core/src/ipv4/reasm.c",
     "    if (ov < 0) {\n        set_drop(s, set, SYNACK_DROP_IPV4_FRAG_OVERLAP);",
     "    if (ov < -1) {\n        set_drop(s, set, SYNACK_DROP_IPV4_FRAG_OVERLAP);",
     "test_hostile_ip", None),
    ("tiny fragments", "core/src/ipv4/reasm.c",
     "if (ip->mf && (len == 0 || len % 8 != 0)) {", "if (false) {", "test_reasm", None),
    ("reassembly beyond 65535", "core/src/ipv4/reasm.c",
     "    if (end > limit) {\n        if (set != NULL)",
     "    if (false) {\n        if (set != NULL)", "test_reasm", None),
    ("fragments that never complete", "core/src/ipv4/reasm.c",
     "if (!set->used || set->deadline > now)", "if (true)", "test_reasm", None),
    ("dns compression loop", "core/src/wire/dns_wire.c",
     "if (++jumps > SYNACK_DNS_MAX_JUMPS || ptr >= run_start)",
     "if (++jumps > 100000)", "test_wire_dns", None),
    ("dns label out of bounds", "core/src/wire/dns_wire.c",
     "        if (pos + 1 + l > len)\n            return SYNACK_WIRE_TRUNCATED;",
     "", "test_hostile_apps", "memcheck"),
    # Two layers keep a DHCP option inside the message: the explicit length
    # check and the bounded reader (wire.h) that parse_option reads with.
    # Either alone holds, so the edit takes both away.
    ("dhcp option overflow (length past the message)", "core/src/wire/dhcp_wire.c",
     "        if (!synack_rd_has(&r, olen))\n            return SYNACK_WIRE_TRUNCATED;",
     "", "test_hostile_apps", "memcheck",
     ("core/src/wire/wire.h",
      "return !r->bad && r->off <= r->len && n <= r->len - r->off;",
      "(void)n;\n    return !r->bad;")),
    ("dhcp option overflow (address list longer than kept)", "core/src/wire/dhcp_wire.c",
     "        if (*count < SYNACK_DHCP_MAX_ADDRS)\n            out[(*count)++] = a;",
     "        out[(*count)++] = a;", "test_wire_dhcp", None),
    ("zero-length and runt frames", "core/src/wire/ethernet.c",
     "    if (r.bad)\n        return SYNACK_WIRE_TRUNCATED;\n    return SYNACK_ETH_HDR_LEN;",
     "    return SYNACK_ETH_HDR_LEN;", "test_hostile_ip", None),
    ("arp reply taking over the gateway", "core/src/ipv4/arp.c",
     "if (same || request || outstanding) {",
     "if (((void)same, (void)outstanding, true)) {", "test_arp", None),
    ("blind rst (in window, not exact)", "core/src/tcp/tcp_input.c",
     "        if (seq == t->rcv_nxt)\n            reset_received(s, now, t);",
     "        if (true)\n            reset_received(s, now, t);", "test_hostile_tcp", None),
    ("blind syn", "core/src/tcp/tcp_input.c",
     "            synack_tcb_close_with(s, now, t, 0); /* \"return to LISTEN\" */\n"
     "            return;\n        }\n        synack_tcp_challenge_ack(s, now, t);\n        return;",
     "            synack_tcb_close_with(s, now, t, 0); /* \"return to LISTEN\" */\n"
     "            return;\n        }\n        synack_tcb_close_with(s, now, t, SYNACK_ERR_RESET);\n"
     "        return;", "test_hostile_tcp", None),
    ("blind data (old ack)", "core/src/tcp/tcp_ack.c",
     "if (synack_seq_lt(ack, t->snd_una - t->max_sndwnd)) {", "if (false) {",
     "test_hostile_tcp", None),
    ("syn flood (no cookies)", "core/src/tcp/tcp_listen.c",
     "if (s->cfg.tcp.syn_cookies && l->acc_len < l->backlog) {", "if (false) {",
     "test_hostile_tcp", None),
    ("1-byte out-of-order segments (no range bound)", "core/src/tcp/tcp_rcv.c",
     "    if (max > 1024)\n        max = 1024;",
     "    max = 1u << 20;", "test_hostile_tcp", None),
    ("sack blocks with random edges", "core/src/tcp/tcp_sack.c",
     "if (!synack_seq_lt(l, r) || synack_seq_le(r, t->snd_una) ||\n"
     "            synack_seq_gt(r, t->snd_max))",
     "if (!synack_seq_lt(l, r))", "test_hostile_tcp", None),
    ("predictable isn", "core/src/tcp/tcp_isn.c",
     "return (uint32_t)(now * 250u) + (uint32_t)f;",
     "(void)f;\n    return (uint32_t)(now * 250u) + lport;", "test_hostile_predict", None),
    ("predictable ip id (one counter)", "core/src/ipv4/ipv4.c",
     "uint16_t *ctr = &s->ip.id_counters[h % SYNACK_IP_ID_BUCKETS];",
     "uint16_t *ctr = &s->ip.id_counters[0];\n    h = 0;", "test_hostile_predict", None),
    ("predictable udp ports (counter)", "core/src/udp/udp.c",
     "uint32_t start = synack_rng_below(&s->rng, EPHEMERAL_COUNT);",
     "uint32_t start = 0;", "test_hostile_predict", None),
    ("predictable tcp ports (one sequence)", "core/src/tcp/tcp_isn.c",
     "uint32_t offset = (uint32_t)tuple_siphash(s, 'P', laddr, 0, raddr, rport, 0, 0);",
     "uint32_t offset = 0;", "test_hostile_predict", None),
    ("invalid-ack reflection (out-of-window / PAWS)", "core/src/tcp/tcp_output.c",
     "if (!data && t->oow_ack_at != 0 && ms - t->oow_ack_at < SYNACK_TCP_INVALID_ACK_MS) {",
     "if (false) {", "test_tcp_defects", None),
    ("syn cookie acks checked without a flood", "core/src/tcp/tcp_listen.c",
     "    if (now >= l->cookies_until) {", "    if (false) {", "test_tcp_defects", None),
    ("one-byte clients pinning whole buffers", "core/src/tcp/tcp_mem.c",
     "want = r->cap > UINT32_MAX / 2 ? UINT32_MAX : r->cap * 2;",
     "want = max;", "test_hostile_memory", None),
    ("tcp buffer budget", "core/src/tcp/tcp_mem.c",
     "if (size == 0 || p->mem_used + size > s->cfg.tcp.mem_max)",
     "if (size == 0)", "test_tcp_mem", None),
    ("ndp option past the message", "core/src/wire/ndp_packet.c",
     "        if (bytes > n - off)\n            return SYNACK_WIRE_BAD_OPTION;",
     "", "test_wire_ndp", None),
    ("ndp hop limit 255 (off-link senders)", "core/src/ipv6/nd.c",
     "if (m->hop_limit != ND_HOP_LIMIT || synack_ndp_parse",
     "if (synack_ndp_parse", "test_nd", None),
    ("ndp ns flood evicting neighbours in use", "core/src/ipv6/nd.c",
     ": synack_neigh_add_weak(s, now, addr);", ": synack_neigh_add(s, now, addr);",
     "test_nd", None),
]



def sh(cmd, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, shell=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def sync_tree():
    # Copy what differs (a copied file gets a fresh mtime, so ninja rebuilds
    # exactly what changed since the last run, mutated objects included).
    skip = {"build", "node_modules", ".git"}
    for d, dirs, files in os.walk(ROOT):
        dirs[:] = [x for x in dirs if not (d == ROOT and x in skip) and x != ".git"]
        rel = os.path.relpath(d, ROOT)
        os.makedirs(os.path.join(SRC, rel), exist_ok=True)
        for fn in files:
            a, b = os.path.join(d, fn), os.path.join(SRC, rel, fn)
            if os.path.islink(a):
                continue
            with open(a, "rb") as f:
                data = f.read()
            if os.path.exists(b):
                with open(b, "rb") as f:
                    if f.read() == data:
                        continue
            with open(b, "wb") as f:
                f.write(data)
            shutil.copymode(a, b)
    if not os.path.exists(os.path.join(BLD, "CMakeCache.txt")):
        rc, out = sh(f"cmake -S '{SRC}' -B '{BLD}' -G Ninja -DCMAKE_BUILD_TYPE=Debug "
                     f"-DCMAKE_C_COMPILER=gcc -DCMAKE_C_FLAGS_DEBUG='-g -O1'")
        if rc != 0:
            sys.exit("configure failed: " + out)


def run_test(test, how=None):
    rc, out = sh(f"ninja -j2 -C '{BLD}' tests/{test}")
    if rc != 0:
        return "build", out
    pre = ""
    if how == "memcheck":
        pre = "valgrind -q --error-exitcode=99 "
    rc, out = sh(f"timeout 600 {pre}'{BLD}/tests/{test}'")
    return ("pass" if rc == 0 else "fail"), out


def main():
    want = sys.argv[1] if len(sys.argv) > 1 else ""
    sync_tree()
    missed = 0
    for m in MUTATIONS:
        name, test, how = m[0], m[4], m[5]
        if want and want not in name:
            continue
        edits = [(m[1], m[2], m[3])] + list(m[6:])
        saved = {}
        stale = None
        for rel, old, new in edits:
            path = os.path.join(SRC, rel)
            with open(path) as f:
                text = saved.get(path) or f.read()
            saved.setdefault(path, text)
            if text.count(old) != 1:
                stale = rel
        if stale:
            print(f"STALE   {name}: the protected code in {stale} changed")
            missed += 1
            continue
        # baseline: the test must pass with the protection in place
        base, out = run_test(test, how)
        if base != "pass":
            print(f"BROKEN  {name}: {test} does not pass even with the protection")
            print(out[-2000:])
            missed += 1
            continue
        try:
            for rel, old, new in edits:
                path = os.path.join(SRC, rel)
                with open(path) as f:
                    text = f.read()
                with open(path, "w") as f:
                    f.write(text.replace(old, new, 1))
            res, out = run_test(test, how)
        finally:
            for path, text in saved.items():
                with open(path, "w") as f:
                    f.write(text)
        if res == "fail":
            first = next((l.strip() for l in out.splitlines()
                          if "FAILED  ]" in l or "ERROR" in l or "Invalid read" in l), "")
            print(f"caught  {name}: {test} fails without it ({first})")
        elif res == "build":
            print(f"STALE   {name}: the edit does not compile")
            print(out[-1500:])
            missed += 1
        else:
            print(f"MISSED  {name}: {test} still passes without its protection")
            missed += 1
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
