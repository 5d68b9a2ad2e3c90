/*
 * Reading the frames the demo's links carry (Ethernet II, IPv4 — RFC 791,
 * TCP — RFC 9293 §3.1 with the options of RFC 7323 and RFC 2018), and
 * writing them to a classic pcap file that Wireshark and tcpdump open.
 * IPv6 — RFC 8200, its hop-by-hop and destination options skipped — with
 * TCP and ICMPv6 (named by ndp.mjs). Every read is bounds-checked; a frame
 * that is not TCP parses to { proto } and what its IP header says.
 */
import { decodeIcmp6, ip6Text } from './ndp.mjs';

const ETH = 14;

const u16 = (b, o) => (b[o] << 8) | b[o + 1];
const u32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const ip4 = (b, o) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/* Flag letters in the order the trace events use them ("SA", "FA", "PA", "RA"). */
const FLAG_BITS = [[0x02, 'S'], [0x01, 'F'], [0x04, 'R'], [0x08, 'P'], [0x10, 'A'], [0x20, 'U'],
  [0x40, 'E'], [0x80, 'C']];

function tcpOptions(b, start, end) {
  const opts = {};
  for (let o = start; o < end;) {
    const kind = b[o];
    if (kind === 0) break;
    if (kind === 1) { o++; continue; }
    const len = b[o + 1];
    if (!(len >= 2) || o + len > end) break;
    if (kind === 2 && len === 4) opts.mss = u16(b, o + 2);
    else if (kind === 3 && len === 3) opts.ws = b[o + 2];
    else if (kind === 4 && len === 2) opts.sackok = true;
    else if (kind === 8 && len === 10) opts.ts = [u32(b, o + 2), u32(b, o + 6)];
    else if (kind === 5 && (len - 2) % 8 === 0) {
      opts.sack = [];
      for (let i = o + 2; i < o + len; i += 8) opts.sack.push([u32(b, i), u32(b, i + 4)]);
    }
    o += len;
  }
  return opts;
}

/*
 * The checksum a TCP segment should carry (RFC 9293 3.1: the ones' complement
 * sum over the pseudo-header and the segment with the checksum field taken
 * as zero). addrs: offset of the source and destination addresses (addrLen
 * bytes: 8 for IPv4, 32 for IPv6, RFC 8200 8.1); t: of the TCP header; len:
 * TCP length; stored: the field's value (subtracted out).
 */
function tcpChecksum(b, addrs, t, len, stored, addrLen = 8) {
  let sum = 6 + len;
  for (let i = addrs; i < addrs + addrLen; i += 2) sum += u16(b, i);
  for (let i = t; i + 1 < t + len; i += 2) sum += u16(b, i);
  if (len & 1) sum += b[t + len - 1] << 8;
  sum -= stored;
  while (sum < 0) sum += 0xffff;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  return c;
}

/**
 * Parse one Ethernet frame. Returns { proto: 'arp' | 'ipv4' | 'ipv6' |
 * 'icmp' | 'udp' | 'other' }, for ICMPv6 proto 'icmp6' with `icmp6` (what
 * ndp.mjs says of it), and for TCP over IPv4 or IPv6 proto 'tcp' with every
 * header field; `family` is 4 or 6.
 */
export function parseFrame(b) {
  if (!b || b.length < ETH) return { proto: 'other' };
  const type = u16(b, 12);
  if (type === 0x0806) return { proto: 'arp' };
  if (type === 0x86dd) return parseIp6(b);
  if (type !== 0x0800 || b.length < ETH + 20) return { proto: 'other' };
  const ihl = (b[ETH] & 0x0f) * 4;
  const total = u16(b, ETH + 2);
  if ((b[ETH] >> 4) !== 4 || ihl < 20 || total < ihl || ETH + total > b.length) return { proto: 'other' };
  const ip = {
    family: 4, src: ip4(b, ETH + 12), dst: ip4(b, ETH + 16), ttl: b[ETH + 8], id: u16(b, ETH + 4),
    protocol: b[ETH + 9], df: (b[ETH + 6] & 0x40) !== 0, ipLen: total,
  };
  if (ip.protocol === 1) return { proto: 'icmp', ...ip, icmpType: b[ETH + ihl] };
  if (ip.protocol === 17) return { proto: 'udp', ...ip };
  if (ip.protocol !== 6) return { proto: 'ipv4', ...ip };
  return parseTcp(b, ip, ETH + ihl, ETH + total, ETH + 12, 8) ?? { proto: 'ipv4', ...ip };
}

/* Extension headers skipped on the way to the upper layer (RFC 8200 4.1): hop-by-hop, routing, destination options. */
const EXT = new Set([0, 43, 60]);

/* An IPv6 packet (the frame's EtherType said so). */
function parseIp6(b) {
  const h = ETH;
  if (b.length < h + 40 || (b[h] >> 4) !== 6) return { proto: 'other' };
  const plen = u16(b, h + 4);
  const end = h + 40 + plen;
  if (end > b.length) return { proto: 'other' };
  const ip = {
    family: 6, src: ip6Text(b, h + 8), dst: ip6Text(b, h + 24), hopLimit: b[h + 7],
    flowLabel: ((b[h + 1] & 0x0f) << 16) | u16(b, h + 2), ipLen: 40 + plen, protocol: b[h + 6],
  };
  let next = b[h + 6];
  let o = h + 40;
  const ext = [];
  for (let n = 0; EXT.has(next) && n < 8; n++) {
    if (o + 8 > end) return { proto: 'ipv6', ...ip, ext };
    ext.push(next);
    const len = (b[o + 1] + 1) * 8;
    next = b[o];
    o += len;
  }
  if (o > end) return { proto: 'ipv6', ...ip, ext };
  ip.protocol = next;
  if (ext.length) ip.ext = ext;
  if (next === 58) return { proto: 'icmp6', ...ip, icmp6: decodeIcmp6(b, o, end, ip.src, ip.dst) };
  if (next === 17) return { proto: 'udp', ...ip };
  if (next !== 6) return { proto: 'ipv6', ...ip };
  return parseTcp(b, ip, o, end, h + 8, 32) ?? { proto: 'ipv6', ...ip };
}

/* The TCP segment in b[t..end) under IP header fields `ip`; null when it does not fit. */
function parseTcp(b, ip, t, end, addrs, addrLen) {
  if (end - t < 20) return null;
  const hlen = (b[t + 12] >> 4) * 4;
  if (hlen < 20 || t + hlen > end) return null;
  const bits = b[t + 13];
  const checksum = u16(b, t + 16);
  const expected = tcpChecksum(b, addrs, t, end - t, checksum, addrLen);
  const tcp = {
    proto: 'tcp', ...ip,
    sport: u16(b, t), dport: u16(b, t + 2), seq: u32(b, t + 4), ack: u32(b, t + 8),
    hlen, flags: FLAG_BITS.filter(([bit]) => bits & bit).map(([, c]) => c).join(''),
    rawWin: u16(b, t + 14), checksum, checksumOk: expected === checksum || (expected | checksum) === 0xffff && !(expected & checksum), checksumExpected: expected,
    urgent: u16(b, t + 18),
    opts: tcpOptions(b, t + 20, t + hlen), len: end - t - hlen,
  };
  /* The payload bytes (a view of the frame), for the TLS record reader;
   * not enumerable, so the JSON export stays headers only. */
  Object.defineProperty(tcp, 'payload', { value: b.subarray(t + hlen, end) });
  return tcp;
}

/** Sequence space a segment uses: its payload plus one for SYN and FIN each. */
export function seqSpan(p) {
  return p.len + (p.flags.includes('S') ? 1 : 0) + (p.flags.includes('F') ? 1 : 0);
}

/**
 * A pcap file (LINKTYPE_ETHERNET) of records { frame, wall } where wall is
 * the capture time in ms since the epoch. Returns a Uint8Array.
 */
export function writePcap(records) {
  const size = 24 + records.reduce((n, r) => n + 16 + r.frame.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  let o = 24;
  for (const r of records) {
    const us = Math.round(r.wall * 1000);
    v.setUint32(o, Math.floor(us / 1e6), true);
    v.setUint32(o + 4, us % 1e6, true);
    v.setUint32(o + 8, r.frame.length, true);
    v.setUint32(o + 12, r.frame.length, true);
    out.set(r.frame, o + 16);
    o += 16 + r.frame.length;
  }
  return out;
}
