/*
 * ICMPv6 messages named for the ladder: Neighbour Discovery (RFC 4861:
 * router solicitation and advertisement, neighbour solicitation and
 * advertisement, redirect), duplicate address detection (RFC 4862 5.4: a
 * neighbour solicitation from the unspecified address), MLD (RFC 2710,
 * RFC 3810: queries, reports, done), echo and the error messages. The
 * decoder reads the bytes of one ICMPv6 message with every read
 * bounds-checked and never throws: anything it cannot read becomes a
 * shorter description, not an exception (tests/demo/ndp.test.mjs feeds it
 * random and mutated messages).
 */

const hex = (b, o) => ((b[o] << 8) | b[o + 1]).toString(16);

/** RFC 5952 text of the 16 bytes at b[o..o+16) (the caller checked the length). */
export function ip6Text(b, o) {
  const w = [];
  for (let i = 0; i < 8; i++) w.push((b[o + 2 * i] << 8) | b[o + 2 * i + 1]);
  /* The longest run of two or more zero words becomes '::' (the first such run on a tie). */
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const part = (a, z) => w.slice(a, z).map((x) => x.toString(16)).join(':');
  if (best < 0) return part(0, 8);
  return `${part(0, best)}::${part(best + bestLen, 8)}`;
}

const u16 = (b, o) => (b[o] << 8) | b[o + 1];
const u32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const mac = (b, o) => Array.from(b.subarray(o, o + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/* NDP options (RFC 4861 4.6) from o to end: what the sentences use. Stops at a bad length. */
function ndOptions(b, o, end) {
  const out = { prefixes: [], dns: [], bad: false };
  while (o + 2 <= end) {
    const type = b[o];
    const len = b[o + 1] * 8;
    if (len === 0 || o + len > end) {
      out.bad = true;
      break;
    }
    if ((type === 1 || type === 2) && len >= 8) out[type === 1 ? 'sll' : 'tll'] = mac(b, o + 2);
    else if (type === 3 && len === 32) {
      out.prefixes.push({ prefix: `${ip6Text(b, o + 16)}/${b[o + 2]}`, onLink: !!(b[o + 3] & 0x80), auto: !!(b[o + 3] & 0x40),
        valid: u32(b, o + 4), preferred: u32(b, o + 8) });
    } else if (type === 5 && len === 8) out.mtu = u32(b, o + 4);
    else if (type === 25 && len >= 24) {
      for (let a = o + 8; a + 16 <= o + len; a += 16) out.dns.push(ip6Text(b, a));
    }
    o += len;
  }
  return out;
}

const GROUP_NAMES = { 'ff02::1': 'all nodes', 'ff02::2': 'all routers', 'ff02::16': 'MLDv2 routers' };
const groupName = (g) => (GROUP_NAMES[g] ? `${g} (${GROUP_NAMES[g]})` : g.startsWith('ff02::1:ff') ? `${g} (solicited-node)` : g);

/* MLDv2 report records (RFC 3810 5.2): the groups and what each record says. */
function mld2Records(b, o, end) {
  const n = o + 8 <= end ? u16(b, o + 6) : 0;
  const recs = [];
  let p = o + 8;
  for (let i = 0; i < n && p + 20 <= end; i++) {
    const type = b[p];
    const aux = b[p + 1] * 4;
    const srcs = u16(b, p + 2);
    recs.push({ type, group: ip6Text(b, p + 4) });
    p += 20 + srcs * 16 + aux;
  }
  return { n, recs };
}

const MLD_RECORD = { 1: 'include', 2: 'exclude', 3: 'change to include', 4: 'change to exclude', 5: 'allow', 6: 'block' };

/**
 * Describe the ICMPv6 message in b[o..end) (a Uint8Array) sent from `src`
 * to `dst` (RFC 5952 text). Returns { type, code, name (long), short (for
 * the ladder label), text (one plain sentence), fields ([[name, value]]),
 * ndp (true for NDP and MLD) }; never throws (no read leaves b[o..end)).
 */
export function decodeIcmp6(b, o, end, src = '', dst = '') {
  end = Math.min(end, b.length);
  src = String(src);
  dst = String(dst);
  if (!(o >= 0) || !(o + 4 <= end)) {
    return { type: -1, code: -1, name: 'ICMPv6 (truncated)', short: 'ICMPv6 (truncated)', text: 'A truncated ICMPv6 message.', fields: [], ndp: false };
  }
  const type = b[o];
  const code = b[o + 1];
  const fields = [['type', `${type}`], ['code', `${code}`], ['checksum', `0x${hex(b, o + 2).padStart(4, '0')}`]];
  const res = (name, short, text, ndp = false) => ({ type, code, name, short, text, fields, ndp });
  const len = end - o;
  const unspec = src === '::';
  switch (type) {
    case 133: {
      const opt = ndOptions(b, o + 8, end);
      if (opt.sll) fields.push(['source link-layer address', opt.sll]);
      return res('Router Solicitation', 'NDP RS',
        `Router solicitation: "is there a router on this link?" — sent to ${groupName(dst)} at start, so a router answers `
        + 'with its advertisement now instead of at its next periodic one.', true);
    }
    case 134: {
      if (len < 16) return res('Router Advertisement (truncated)', 'NDP RA', 'A truncated router advertisement.', true);
      const life = u16(b, o + 6);
      const m = !!(b[o + 5] & 0x80);
      const oflag = !!(b[o + 5] & 0x40);
      const opt = ndOptions(b, o + 16, end);
      fields.push(['hop limit', `${b[o + 4]}`], ['flags', `${m ? 'M (addresses by DHCPv6)' : ''}${m && oflag ? ', ' : ''}${oflag ? 'O (other settings by DHCPv6)' : ''}` || 'none'],
        ['router lifetime', `${life} s`], ['reachable time', `${u32(b, o + 8)} ms`], ['retransmit timer', `${u32(b, o + 12)} ms`]);
      if (opt.sll) fields.push(['source link-layer address', opt.sll]);
      for (const p of opt.prefixes) {
        fields.push(['prefix', `${p.prefix}${p.onLink ? ', on-link' : ''}${p.auto ? ', autonomous (SLAAC)' : ''}, valid ${p.valid} s, preferred ${p.preferred} s`]);
      }
      if (opt.mtu !== undefined) fields.push(['MTU', `${opt.mtu}`]);
      if (opt.dns.length) fields.push(['DNS servers (RDNSS)', opt.dns.join(', ')]);
      const auto = opt.prefixes.filter((p) => p.auto);
      return res('Router Advertisement', 'NDP RA',
        `Router advertisement from ${src}: ${life ? `a default router for ${life} s` : 'not a default router'}`
        + `${auto.length ? `; prefix ${auto.map((p) => p.prefix).join(', ')} for SLAAC: hosts form their own addresses in it` : ''}`
        + `${opt.mtu ? `; link MTU ${opt.mtu}` : ''}${opt.dns.length ? `; DNS ${opt.dns.join(', ')}` : ''}.`, true);
    }
    case 135: {
      if (len < 24) return res('Neighbour Solicitation (truncated)', 'NDP NS', 'A truncated neighbour solicitation.', true);
      const target = ip6Text(b, o + 8);
      const opt = ndOptions(b, o + 24, end);
      fields.push(['target', target]);
      if (opt.sll) fields.push(['source link-layer address', opt.sll]);
      if (unspec) {
        return res('Neighbour Solicitation (DAD)', `NDP NS DAD ${target}`,
          `Duplicate address detection: "does anyone use ${target}?" — sent from the unspecified address ::, `
          + 'because the sender may not use the address until no one answers.', true);
      }
      return res('Neighbour Solicitation', `NDP NS ${target}`,
        `Neighbour solicitation: "who has ${target}? tell me your MAC address" (ARP's job in IPv6), `
        + `${dst.startsWith('ff02::1:ff') ? `to its solicited-node group ${dst}` : `to ${dst}, checking it is still reachable`}.`, true);
    }
    case 136: {
      if (len < 24) return res('Neighbour Advertisement (truncated)', 'NDP NA', 'A truncated neighbour advertisement.', true);
      const target = ip6Text(b, o + 8);
      const r = !!(b[o + 4] & 0x80);
      const s = !!(b[o + 4] & 0x40);
      const ov = !!(b[o + 4] & 0x20);
      const opt = ndOptions(b, o + 24, end);
      fields.push(['target', target], ['flags', [r && 'R (router)', s && 'S (solicited)', ov && 'O (override)'].filter(Boolean).join(', ') || 'none']);
      if (opt.tll) fields.push(['target link-layer address', opt.tll]);
      return res('Neighbour Advertisement', `NDP NA ${target}`,
        s ? `Neighbour advertisement: "${target} is at ${opt.tll ?? 'this sender\'s MAC'}" — the answer to a solicitation.`
          : `Unsolicited neighbour advertisement for ${target}${dst === 'ff02::1' ? ' to all nodes' : ''}: it tells of ${opt.tll ?? 'its MAC address'}`
            + '; a host that tried the same address in DAD gives it up.', true);
    }
    case 137: {
      if (len < 40) return res('Redirect (truncated)', 'NDP Redirect', 'A truncated redirect.', true);
      fields.push(['target', ip6Text(b, o + 8)], ['destination', ip6Text(b, o + 24)]);
      return res('Redirect', 'NDP Redirect', `Redirect: the router says ${ip6Text(b, o + 24)} is better reached through ${ip6Text(b, o + 8)}.`, true);
    }
    case 130: {
      const group = len >= 24 ? ip6Text(b, o + 8) : '::';
      const v2 = len >= 28;
      fields.push(['group', group === '::' ? ':: (general query)' : group]);
      return res(`MLD${v2 ? 'v2' : 'v1'} Query`, 'MLD query',
        `Multicast listener query: a router asks which multicast groups ${group === '::' ? 'the hosts on the link listen to' : `listen to ${group}`}.`, true);
    }
    case 131:
    case 132: {
      const group = len >= 24 ? ip6Text(b, o + 8) : '?';
      fields.push(['group', group]);
      return type === 131
        ? res('MLDv1 Report', 'MLDv1 report', `Multicast listener report (MLDv1): "I listen to ${groupName(group)}".`, true)
        : res('MLD Done', 'MLD done', `Multicast listener done: "I no longer listen to ${groupName(group)}".`, true);
    }
    case 143: {
      const { n, recs } = mld2Records(b, o, end);
      fields.push(['records', `${n}`]);
      for (const r of recs) fields.push(['group', `${groupName(r.group)}: ${MLD_RECORD[r.type] ?? `record type ${r.type}`}`]);
      const groups = recs.map((r) => groupName(r.group)).join(', ');
      return res('MLDv2 Report', 'MLDv2 report',
        `Multicast listener report (MLDv2) to ${groupName(dst)}: the sender tells routers and switches which groups it listens to`
        + `${groups ? ` — ${groups}` : ''}, so its multicast (like solicitations for its address) reaches it.`, true);
    }
    case 128:
    case 129:
      if (len >= 8) fields.push(['identifier', `${u16(b, o + 4)}`], ['sequence', `${u16(b, o + 6)}`]);
      return type === 128
        ? res('Echo Request', 'ping6 request', `Echo request (ping) to ${dst}.`)
        : res('Echo Reply', 'ping6 reply', `Echo reply (ping answer) from ${src}.`);
    case 1:
      return res('Destination Unreachable', 'ICMPv6 unreachable', `Destination unreachable (code ${code}${{ 0: ': no route', 1: ': administratively prohibited', 3: ': address unreachable', 4: ': port unreachable' }[code] ?? ''}).`);
    case 2:
      if (len >= 8) fields.push(['MTU', `${u32(b, o + 4)}`]);
      return res('Packet Too Big', 'ICMPv6 packet too big', `Packet too big: the path MTU is ${len >= 8 ? u32(b, o + 4) : 'smaller'}.`);
    case 3:
      return res('Time Exceeded', 'ICMPv6 time exceeded', 'Time exceeded: the hop limit ran out on the way.');
    case 4:
      return res('Parameter Problem', 'ICMPv6 parameter problem', 'Parameter problem: a router or host could not read a header.');
    default:
      return res(`ICMPv6 type ${type}`, `ICMPv6 ${type}`, `An ICMPv6 message of type ${type} (code ${code}).`);
  }
}
