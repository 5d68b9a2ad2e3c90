#!/usr/bin/env python3
"""Collect bench/run.sh's raw JSON lines into one results file and a table.

    report.py RAW_DIR OUT.json

Every RAW_DIR/<label>.json holds one JSON object (the last line counts).
Ratios (wasm to native, TAP to its ceiling) are computed here from numbers
of the same run. Targets are shown beside the numbers; nothing here fails
on a number.
"""
import glob
import json
import os
import sys

raw, out_path = sys.argv[1], sys.argv[2]
r = {}
for path in sorted(glob.glob(os.path.join(raw, "*.json"))):
    label = os.path.basename(path)[:-5]
    lines = [l for l in open(path) if l.strip().startswith("{")]
    if lines:
        r[label] = json.loads(lines[-1])


# Rounds of one measurement (LABEL_r1, LABEL_r2, ...): keep the best one,
# and note the median of the rounds beside it.
rounds = {}
by_round = {}  # base -> {round number: gbit_per_s}
for label in list(r):
    base, sep, n = label.rpartition("_r")
    if sep and n.isdigit() and "gbit_per_s" in r[label]:
        by_round.setdefault(base, {})[int(n)] = r[label]["gbit_per_s"]
        rounds.setdefault(base, []).append(r.pop(label))
for base, objs in rounds.items():
    objs.sort(key=lambda o: o["gbit_per_s"])
    best = dict(objs[-1])
    best["gbit_per_s_median"] = objs[len(objs) // 2]["gbit_per_s"]
    best["rounds"] = len(objs)
    r[base] = best


def get(label, key):
    return r.get(label, {}).get(key)


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def paired_median(label, ref):
    """Median over rounds of label/ref, each ratio from one round's trials
    (taken one right after the other, so a slow moment of the machine
    touches both): the ratio least moved by noise."""
    a, b = by_round.get(label, {}), by_round.get(ref, {})
    q = sorted(a[k] / b[k] for k in a if b.get(k))
    return round(q[len(q) // 2], 3) if q else None


derived = {}
for mtu in ("1500", "65535"):
    for k in ("node", "wasi"):
        derived[f"{k}_ratio_paired_{mtu}"] = paired_median(f"{k}_tput_{mtu}", f"native_tput_{mtu}")
    nat = get(f"native_tput_{mtu}", "gbit_per_s")
    derived[f"node_ratio_{mtu}"] = ratio(get(f"node_tput_{mtu}", "gbit_per_s"), nat)
    derived[f"wasi_ratio_{mtu}"] = ratio(get(f"wasi_tput_{mtu}", "gbit_per_s"), nat)
    natm = get(f"native_tput_{mtu}", "gbit_per_s_median")
    derived[f"node_ratio_median_{mtu}"] = ratio(get(f"node_tput_{mtu}", "gbit_per_s_median"), natm)
    derived[f"wasi_ratio_median_{mtu}"] = ratio(get(f"wasi_tput_{mtu}", "gbit_per_s_median"), natm)
ceil = get("tap_ceiling", "mbit_per_s")
derived["tap_send_ratio"] = ratio(get("tap_send", "mbit_per_s"), ceil)
derived["tap_sink_ratio"] = ratio(get("tap_sink", "mbit_per_s"), ceil)
derived["tap_cli_send_ratio"] = ratio(get("tap_cli_send", "mbit_per_s"), ceil)
derived["tap_cli_sink_ratio"] = ratio(get("tap_cli_sink", "mbit_per_s"), ceil)
cg, cy = r.get("callgrind", {}), r.get("cycles", {})
if cg and cy.get("segments_tx") and cy.get("segments_rx"):
    derived["instr_per_tx_segment"] = round(cg["tx_ir"] / cy["segments_tx"])
    derived["instr_per_rx_segment"] = round(cg["rx_ir"] / cy["segments_rx"])
sz = r.get("size")
if sz:
    derived["js_gzip_total"] = sz["mjs_gzip"] + sz["wasm_gzip"]
    derived["js_raw_total"] = sz["mjs_raw"] + sz["wasm_raw"]

rows = []  # (item, what, value, target)


def row(item, what, value, target=""):
    rows.append((item, what, value, target))


def fmt(v, unit="", digits=2):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.{digits}f}{unit}"
    return f"{v:,}{unit}"


for mtu in ("1500", "65535"):
    row("1", f"pair throughput, MTU {mtu}",
        f'{fmt(get(f"native_tput_{mtu}", "gbit_per_s"), " Gbit/s")} (median {fmt(get(f"native_tput_{mtu}", "gbit_per_s_median"), "", 2)})',
        ">= 10 Gbit/s" if mtu == "1500" else "")
derived["ipv6_ratio_paired_1500"] = paired_median("native_tput6_1500", "native_tput_1500")
row("1", "pair throughput over IPv6, MTU 1500",
    f'{fmt(get("native_tput6_1500", "gbit_per_s"), " Gbit/s")} (median {fmt(get("native_tput6_1500", "gbit_per_s_median"), "", 2)});'
    f' paired rounds: {fmt(derived["ipv6_ratio_paired_1500"], "", 2)} x IPv4',
    ">= 0.95 x IPv4")
for mtu in ("1500", "65535"):
    row("2", f"Emscripten/node, MTU {mtu}",
        f'{fmt(get(f"node_tput_{mtu}", "gbit_per_s"), " Gbit/s")} = {fmt(derived[f"node_ratio_{mtu}"], "", 2)} x native'
        f' (medians: {fmt(derived[f"node_ratio_median_{mtu}"], "", 2)} x;'
        f' paired rounds: {fmt(derived[f"node_ratio_paired_{mtu}"], "", 2)} x)',
        ">= 0.7 x" if mtu == "1500" else "")
    row("2", f"WASI/wasmtime, MTU {mtu}",
        f'{fmt(get(f"wasi_tput_{mtu}", "gbit_per_s"), " Gbit/s")} = {fmt(derived[f"wasi_ratio_{mtu}"], "", 2)} x native'
        f' (medians: {fmt(derived[f"wasi_ratio_median_{mtu}"], "", 2)} x;'
        f' paired rounds: {fmt(derived[f"wasi_ratio_paired_{mtu}"], "", 2)} x)',
        ">= 0.7 x" if mtu == "1500" else "")
# The JavaScript API (bench/js_pair.mjs) beside the C loop under node,
# MTU 1500 both: what synack.mjs itself costs.
for rd, how in (("default", "default reader"), ("byob", "BYOB reader")):
    lab = f"js_pair_{rd}"
    if lab in r:
        row("2", f"JavaScript API under node: PairLink, {r[lab]['bytes'] / 1e6:.0f} MB through web streams ({how})",
            f'{fmt(get(lab, "gbit_per_s"), " Gbit/s")} (median {fmt(get(lab, "gbit_per_s_median"), "", 2)})'
            f' = {fmt(paired_median(lab, "node_tput_1500"), "", 2)} x the C loop under node (paired rounds)',
            ">= 8 Gbit/s" if rd == "default" else "")
dps = [(n, get(f"datapath_{k}", "csum_gbyte_per_s"), get(f"datapath_{k}", "copy_gbyte_per_s"))
       for n, k in (("native", "native"), ("node", "node"), ("wasmtime", "wasi"))]
dps = [d for d in dps if d[1] is not None]
if dps:
    row("2", "checksum / memcpy of 1460 B (GB/s)",
        "; ".join(f"{n} {c:.1f} / {m:.1f}" for n, c, m in dps))
if "skip_tap" in r:
    row("3", "TAP vs Linux", "skipped: " + r["skip_tap"]["why"], ">= 0.7 x ceiling")
else:
    row("3", "raw TAP ceiling (1514-byte frames)", fmt(ceil, " Mbit/s", 0))
    send_how = "send offload" if get("tap_send", "gso") else "plain frames"
    recv_how = "receive offload" if get("tap_sink", "offload") else "plain frames"
    row("3", f"synack send -> Linux sink (stack alone, {send_how})",
        f'{fmt(get("tap_send", "mbit_per_s"), " Mbit/s", 0)} = {fmt(derived["tap_send_ratio"], "", 2)} x ceiling', ">= 0.7 x")
    row("3", f"Linux send -> synack sink (stack alone, {recv_how})",
        f'{fmt(get("tap_sink", "mbit_per_s"), " Mbit/s", 0)} = {fmt(derived["tap_sink_ratio"], "", 2)} x ceiling', ">= 0.7 x")
    row("3", "`synack send` -> Linux (tool: stream + SHA-256)",
        f'{fmt(get("tap_cli_send", "mbit_per_s"), " Mbit/s", 0)} = {fmt(derived["tap_cli_send_ratio"], "", 2)} x ceiling')
    row("3", "Linux -> `synack sink` (tool: SHA-256)",
        f'{fmt(get("tap_cli_sink", "mbit_per_s"), " Mbit/s", 0)} = {fmt(derived["tap_cli_sink_ratio"], "", 2)} x ceiling')
# 3b: plain-frame TAP receive, synack against smoltcp's own benchmark (bench/tap_smoltcp.sh)
if "skip_smoltcp" in r:
    row("3", "Linux -> synack vs Linux -> smoltcp, plain frames", "skipped: " + r["skip_smoltcp"]["why"],
        ">= 1.0 x smoltcp")
elif "tap_smoltcp" in r:
    ts = r["tap_smoltcp"]
    for name, v in sorted(ts["variants"].items()):
        row("3", f"Linux -> {'synack' if name == 'synack' else 'synack ' + name} vs smoltcp 0.13 benchmark, "
                 f"plain frames (1 GB, same sender, {ts['rounds']} round{'s' if ts['rounds'] != 1 else ''} interleaved)",
            f"{fmt(v['median'], ' Mbit/s', 0)} vs {fmt(ts['smoltcp_median'], ' Mbit/s', 0)} (medians) = "
            f"{v['ratio_of_medians']:.2f} x (paired {v['paired_ratio']:.2f} x); ACKs per frame "
            f"{v['acks_per_frame']:.3f} vs {ts['smoltcp_acks_per_frame']:.3f}; CPU s per GB (stack + sender) "
            f"{v.get('cpu_s', 0):.2f} vs {ts.get('smoltcp_cpu_s', 0):.2f}", ">= 1.0 x smoltcp")
# 9: the browser's path (bench/path.sh): one row per variant/backend/endpoint/direction
if "skip_path" in r:
    row("9", "path: Node -> WebSocket -> bridge", "skipped: " + r["skip_path"]["why"])
else:
    pc = get("path_ceiling", "mbit_per_s")
    if pc:
        row("9", "path: raw TAP ceiling of the same run", fmt(pc, " Mbit/s", 0))
    targets = {("tap", "bridge"): ">= 2,000 Mbit/s", ("tap", "websockify"): ">= 1,000 Mbit/s",
               ("slirp", "bridge"): ">= 1,000 Mbit/s", ("slirp", "websockify"): ">= 1,000 Mbit/s"}
    for label, v in sorted(r.items()):
        if not label.startswith("path_") or v.get("bench") != "path":
            continue
        who = "Node" if v.get("client", "node") == "node" else "Chromium page"
        if v.get("websocket") == "ws":
            who += " (npm ws)"
        arrow = f"{who} -> Linux" if v["dir"] == "send" else f"Linux -> {who}"
        ep = "websockify" if v["endpoint"] == "websockify" else "bridge --listen-ws"
        cpu = ", ".join(f"{k} {x:.2f}" for k, x in v["cpu_s"].items())
        # the same row of the plain variant, when both ran (make bench: offload and plain)
        twin = r.get(label.replace(f"path_{v['variant']}_", "path_plain_", 1)) if v["variant"] != "plain" else None
        vs_plain = f" ({v['mbit_per_s'] / twin['mbit_per_s']:.2f} x plain)" if twin and twin.get("mbit_per_s") else ""
        row("9", f"path {v['variant']}: {arrow}, {ep}, {v['backend']}",
            f"{fmt(v['mbit_per_s'], ' Mbit/s', 0)}{vs_plain}; per MB: frames {v['frames_out_per_mb']:.0f} out / "
            f"{v['frames_in_per_mb']:.0f} in, WS msgs {v['ws_msgs_out_per_mb']:.0f} out / "
            f"{v['ws_msgs_in_per_mb']:.0f} in; CPU s: {cpu} ({v['bytes'] / 1e6:.0f} MB)",
            ">= 1,000 Mbit/s" if v.get("client") == "chromium" else targets.get((v["backend"], v["endpoint"]), ""))
row("4", "handshakes (connect+accept+close)", fmt(get("handshake", "per_s"), "/s", 0), ">= 300,000/s")
s5 = r.get("scale", {})
if s5:
    row("5", f"state per idle conn ({s5['conns']:,} conns, buffers excluded)",
        f"{s5['bytes_per_conn_a']:.0f} B client, {s5['bytes_per_conn_b']:.0f} B server"
        + (f" (TCB {s5['tcb_bytes']} B)" if "tcb_bytes" in s5 else ""), "<= 512 B")
    row("5", "time to open them", f"{s5['open_seconds']:.2f} s ({s5['open_per_s']:,.0f}/s)")
    row("5", "10 KB through each", f"{s5['data_seconds']:.2f} s ({s5['data_gbit_per_s']:.2f} Gbit/s)")
    if "mem_per_conn_after_a" in s5:
        row("5", f"memory per conn after the 10 KB (buffers included, at most {s5['buf']:,} B each way)",
            f"{s5['mem_per_conn_after_a']:,.0f} B client, {s5['mem_per_conn_after_b']:,.0f} B server")
for cc in ("cubic", "newreno"):
    l6 = r.get(f"lossy_{cc}", {})
    if l6:
        row("6", f"{cc}, 1% loss, 20 ms RTT, 100 Mbit/s (virtual time)",
            f"{l6['goodput_mbit_per_s']:.2f} Mbit/s; rexmit {l6['rexmit_bytes']:,} B vs lost {l6['lost_payload_bytes']:,} B")
if sz:
    row("7", "synack.mjs + synack.wasm (Release)",
        f"raw {sz['mjs_raw']:,} + {sz['wasm_raw']:,} B; gzip {sz['mjs_gzip']:,} + {sz['wasm_gzip']:,} = {derived['js_gzip_total']:,} B",
        "<= 61,440 B gzip")
if sz and "tls_wasm_gzip" in sz:
    row("7", "synack-tls.mjs + synack-tls.wasm (loaded on first TLS use)",
        f"gzip {sz['tls_mjs_gzip']:,} + {sz['tls_wasm_gzip']:,} = {sz['tls_mjs_gzip'] + sz['tls_wasm_gzip']:,} B")
for c, name in (("aes", "AES-128-GCM"), ("chacha", "ChaCha20-Poly1305")):
    got = [(n, r[f"tls_{c}_{k}"]) for n, k in (("native", "native"), ("node", "node"), ("wasmtime", "wasi"))
           if f"tls_{c}_{k}" in r]
    if got:
        row("TLS", f"{name} bulk, engines alone (MB/s of plaintext)",
            "; ".join(f"{n} {o['mbyte_per_s']:,.0f}" for n, o in got))
        row("TLS", f"full handshakes/s ({name}, ECDHE-ECDSA P-256, both ends)",
            "; ".join(f"{n} {o['handshakes_per_s']:,.0f}" for n, o in got))
# TLS end to end: the same two-stack loop with and without TLS, so the
# ratio is the price of TLS on that runtime (both ends on one core).
for n, k in (("native", "native"), ("node", "node"), ("wasmtime", "wasi")):
    plain = r.get(f"tls_tcp_plain_{k}")
    got = [(name, r[f"tls_tcp_{c}_{k}"]) for c, name in (("aes", "AES-128-GCM"), ("chacha", "ChaCha20-Poly1305"))
           if f"tls_tcp_{c}_{k}" in r]
    if plain and got:
        row("TLS", f"two stacks + TLS end to end, {n} (Mbit/s of plaintext; × plain TCP)",
            f"plain {plain['mbit_per_s']:,.0f}; " + "; ".join(
                f"{name} {o['mbit_per_s']:,.0f} ({o['mbit_per_s'] / plain['mbit_per_s']:.2f}×)" for name, o in got))
js = r.get("tls_js_node")
if js and "plain_mbit_per_s" in js:
    row("TLS", "JavaScript API over a PairLink in Node, synack-tls.mjs (Mbit/s; × plain)",
        f"plain {js['plain_mbit_per_s']:,.0f}; AES-128-GCM {js.get('aes_mbit_per_s', 0):,.0f} ({js.get('aes_ratio', 0):.2f}×); "
        f"ChaCha20-Poly1305 {js.get('chacha_mbit_per_s', 0):,.0f} ({js.get('chacha_ratio', 0):.2f}×)")
if "instr_per_rx_segment" in derived:
    row("8", "instructions per received full-size segment", fmt(derived["instr_per_rx_segment"]))
    row("8", "instructions per sent full-size segment", fmt(derived["instr_per_tx_segment"]))
for label, v in sorted(r.items()):
    if label.startswith("skip_") and label not in ("skip_tap", "skip_path", "skip_smoltcp"):
        row("-", f"{v['what']}", "skipped: " + v["why"])

m = r.get("machine", {})
print()
print(f"machine: {m.get('cpu')}, {m.get('cores')} cores, Linux {m.get('kernel')}")
print(f"         {m.get('gcc')}; node {m.get('node')}; {m.get('wasmtime')}")
print(f"         load average at start {round(m.get('load_avg_at_start') or 0, 1)}; timed runs keep the best of their trials")
w = [max(len(x[i]) for x in rows + [("#", "benchmark", "result", "target")]) for i in range(4)]
line = lambda t: "| " + " | ".join(t[i].ljust(w[i]) for i in range(4)) + " |"
print(line(("#", "benchmark", "result", "target")))
print("|" + "|".join("-" * (w[i] + 2) for i in range(4)) + "|")
for t in rows:
    print(line(t))
json.dump({"machine": m, "results": r, "derived": derived,
           "table": [dict(zip(("item", "benchmark", "result", "target"), t)) for t in rows]},
          open(out_path, "w"), indent=2)
md_path = os.path.splitext(out_path)[0] + ".md"
with open(md_path, "w") as md:
    md.write(f"Machine: {m.get('cpu')}, {m.get('cores')} cores, Linux {m.get('kernel')}; "
             f"{m.get('gcc')}; node {m.get('node')}; {m.get('wasmtime')}; "
             f"load average {round(m.get('load_avg_at_start') or 0, 1)} at the start.\n\n")
    md.write("| # | benchmark | result | target |\n|---|---|---|---|\n")
    for t in rows:
        md.write("| " + " | ".join(x.replace("|", "\\|") for x in t) + " |\n")
print(f"\nresults: {out_path} (table as markdown: {md_path})")
