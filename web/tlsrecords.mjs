/*
 * TLS as the ladder sees it: the TCP payload bytes of each direction, in
 * order, cut into TLS records (RFC 5246 §6.2: type, version, length) and
 * the handshake messages inside the plaintext ones (§7.4), so each segment
 * can say what it carries: ClientHello, ServerHello, Certificate, ...,
 * ChangeCipherSpec, Finished (already encrypted), then application data.
 *
 * It reads bytes from the network, so it must never throw and never trust
 * a length: every read is bounds-checked, a stream that does not look like
 * TLS (or loses a segment) simply stops being described.
 */

const RECORD = { 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake', 23: 'ApplicationData' };
const HANDSHAKE = {
  0: 'HelloRequest', 1: 'ClientHello', 2: 'ServerHello', 4: 'NewSessionTicket', 11: 'Certificate',
  12: 'ServerKeyExchange', 13: 'CertificateRequest', 14: 'ServerHelloDone', 15: 'CertificateVerify',
  16: 'ClientKeyExchange', 20: 'Finished',
};
const VERSION = { 0x0300: 'SSL 3.0', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' };
/* The suites synack offers (tls/src/tls.c), by IANA number. */
const SUITE = {
  0xc02b: 'ECDHE-ECDSA with AES-128-GCM', 0xc02f: 'ECDHE-RSA with AES-128-GCM',
  0xc02c: 'ECDHE-ECDSA with AES-256-GCM', 0xc030: 'ECDHE-RSA with AES-256-GCM',
  0xcca9: 'ECDHE-ECDSA with ChaCha20-Poly1305', 0xcca8: 'ECDHE-RSA with ChaCha20-Poly1305',
};
const ALERT = { 0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 40: 'handshake_failure',
  42: 'bad_certificate', 45: 'certificate_expired', 46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca',
  50: 'decode_error', 51: 'decrypt_error', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 112: 'unrecognized_name', 120: 'no_application_protocol' };
/* The most a record may hold (2^14 plus the expansion TLS 1.2 allows). */
const MAX_RECORD = 16384 + 2048;
/* Bytes kept per direction while a record is incomplete. */
const MAX_PENDING = MAX_RECORD + 5;

const u16 = (b, i) => (i + 1 < b.length ? (b[i] << 8) | b[i + 1] : -1);
const u24 = (b, i) => (i + 2 < b.length ? (b[i] << 16) | (b[i + 1] << 8) | b[i + 2] : -1);
const hex = (n) => `0x${n.toString(16).padStart(4, '0')}`;
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/* The server name of a ClientHello's SNI extension (RFC 6066 §3), or null. */
function sniOf(b, i) {
  const end = i + 2 + u16(b, i);
  if (u16(b, i) < 0 || end > b.length) return null;
  for (i += 2; i + 4 <= end;) {
    const type = u16(b, i);
    const len = u16(b, i + 2);
    if (len < 0 || i + 4 + len > end) return null;
    if (type === 0 && len >= 5 && b[i + 6] === 0) {
      const n = u16(b, i + 7);
      if (n > 0 && i + 9 + n <= i + 4 + len) return String.fromCharCode(...b.subarray(i + 9, i + 9 + n)).replace(/[^\x20-\x7e]/g, '?');
    }
    i += 4 + len;
  }
  return null;
}

/* What a plaintext handshake message (type t, body b) says, for a person. */
function handshakeText(t, b, from) {
  const name = HANDSHAKE[t] ?? `handshake message ${t}`;
  switch (t) {
    case 1: {
      const v = VERSION[u16(b, 0)] ?? 'an unknown version';
      let i = 34;
      i += 1 + (b[i] ?? 0);
      const suites = Math.max(0, u16(b, i)) >> 1;
      i += 2 + suites * 2;
      i += 1 + (b[i] ?? 0);
      const sni = sniOf(b, i);
      return { name, text: `ClientHello: the client proposes ${v}, offers ${plural(suites, 'cipher suite')}${sni ? ` and names the server it wants, ${sni}` : ''}, and sends its random number. Nothing is secret yet.` };
    }
    case 2: {
      const v = VERSION[u16(b, 0)] ?? 'an unknown version';
      const i = 34 + 1 + (b[34] ?? 0);
      const s = u16(b, i);
      return { name, text: `ServerHello: the server picks ${v} and the cipher suite ${SUITE[s] ?? (s < 0 ? '?' : hex(s))}, and sends its own random number.` };
    }
    case 11: {
      let n = 0;
      const end = Math.min(b.length, 3 + Math.max(0, u24(b, 0)));
      for (let i = 3; i + 3 <= end; n++) i += 3 + Math.max(0, u24(b, i));
      return { name, text: `Certificate: the server's certificate chain (${plural(n, 'certificate')}, ${b.length} bytes). The client checks it against the CA it trusts and the name it asked for.` };
    }
    case 12:
      return { name, text: 'ServerKeyExchange: the server\'s one-time (ephemeral) ECDHE public key, signed with its certificate\'s key, so the client knows it comes from the certificate\'s owner.' };
    case 13:
      return { name, text: 'CertificateRequest: the server asks the client for a certificate.' };
    case 14:
      return { name, text: 'ServerHelloDone: the server has said everything for now; the client\'s turn.' };
    case 16:
      return { name, text: 'ClientKeyExchange: the client\'s one-time ECDHE public key. From the two one-time keys both sides compute the same secret, which never crosses the wire (forward secrecy).' };
    case 20:
      return { name, text: `Finished: a check over the whole handshake by the ${from}.` };
    default:
      return { name, text: `${name}.` };
  }
}

/** Follows the two directions of one TLS connection. */
export class TlsTracker {
  constructor() {
    this.dir = { client: this.#fresh(), server: this.#fresh() };
    /* Exceptions caught by push() (the tests require none). */
    this.internalErrors = 0;
  }

  #fresh() {
    return { next: null, pending: new Uint8Array(0), encrypted: false, stopped: false };
  }

  /**
   * The TCP payload `bytes` of a segment from `from` ('client'/'server')
   * whose first byte has relative sequence number `rseq`: one { name, text }
   * per TLS record the segment completes (per handshake message for a
   * plaintext handshake record; `began` when the record started in an
   * earlier segment), then { partial } for a record whose header is here
   * but whose body continues, or a lone { continues } when the segment is
   * the middle of a record; null when there is nothing to say (not TLS,
   * out of order, a retransmission).
   */
  push(from, rseq, bytes) {
    try {
      return this.#push(from, rseq, bytes);
    } catch {
      /* Not reached by design; a describer must never break the page. */
      this.internalErrors++;
      const d = this.dir[from];
      if (d) d.stopped = true;
      return null;
    }
  }

  #push(from, rseq, bytes) {
    const d = this.dir[from];
    if (!d || d.stopped || !bytes || !bytes.length) return null;
    if (d.next === null) {
      /* The stream must begin with a record header: type 20-23, major version 3. */
      if (!RECORD[bytes[0]] || (bytes.length > 1 && bytes[1] !== 3)) {
        d.stopped = true;
        return null;
      }
      d.next = rseq;
    }
    if (rseq !== d.next) {
      if (((rseq + bytes.length - d.next) | 0) <= 0) return null; /* an old retransmission */
      d.stopped = true; /* a gap: we lost track */
      return null;
    }
    d.next = (d.next + bytes.length) >>> 0;
    const continues = d.pending.length > 0;
    const buf = new Uint8Array(d.pending.length + bytes.length);
    buf.set(d.pending);
    buf.set(bytes, d.pending.length);
    const out = [];
    let i = 0;
    const newStart = d.pending.length; /* records starting at or after this began in this segment */
    while (i + 5 <= buf.length) {
      const type = buf[i];
      const len = u16(buf, i + 3);
      if (!RECORD[type] || buf[i + 1] !== 3 || len < 0 || len > MAX_RECORD) {
        d.stopped = true;
        out.push({ name: 'not TLS', text: 'These bytes are not a TLS record: the description stops here.' });
        return out;
      }
      if (i + 5 + len > buf.length) break;
      /* A record is named in the segment that completes it (its body is
       * known then); one begun in an earlier segment is marked so. */
      const said = this.#record(d, from, type, buf.subarray(i + 5, i + 5 + len));
      if (i < newStart) for (const r of said) r.began = true;
      out.push(...said);
      i += 5 + len;
    }
    d.pending = buf.slice(i);
    if (d.pending.length > MAX_PENDING) d.stopped = true;
    /* A record whose header arrived here but whose body continues later. */
    if (i >= newStart && d.pending.length >= 1) {
      const type = d.pending[0];
      out.push({ name: RECORD[type] ?? 'record', text: `The start of a TLS ${RECORD[type] ?? ''} record that continues in the next segments.`, partial: true });
    }
    if (continues && out.length === 0) return [{ name: 'continued', text: 'More of a TLS record that began in an earlier segment.', continues: true }];
    return out;
  }

  /* What one complete record says. */
  #record(d, from, type, body) {
    const who = from === 'client' ? 'client' : 'server';
    if (type === 20) {
      d.encrypted = true;
      return [{ name: 'ChangeCipherSpec', text: `ChangeCipherSpec: from here on, everything the ${who} sends is encrypted with the keys both sides just derived.` }];
    }
    if (type === 23) {
      return [{ name: 'ApplicationData', text: `Application data: ${plural(body.length, 'byte')} of encrypted data (the request or the page, plus a 16-byte authentication tag and nonce). The bridge and anyone on the path see only this.` }];
    }
    if (type === 21) {
      if (d.encrypted) return [{ name: 'Alert', text: `An encrypted alert from the ${who}, usually close_notify: it is done with the connection.` }];
      const what = ALERT[body[1]] ?? `alert ${body[1] ?? '?'}`;
      return [{ name: 'Alert', text: `Alert: ${body[0] === 2 ? 'fatal' : 'warning'}, ${what}.` }];
    }
    /* Handshake: encrypted after ChangeCipherSpec (that is the Finished message). */
    if (d.encrypted) {
      return [{ name: 'Finished', text: `Finished (encrypted): the ${who}'s check over the whole handshake, the first message under the new keys. If anyone had changed a handshake message, it would not match.` }];
    }
    const out = [];
    for (let i = 0; i + 4 <= body.length;) {
      const len = u24(body, i + 1);
      if (len < 0) break;
      const msg = body.subarray(i + 4, Math.min(body.length, i + 4 + len));
      out.push(handshakeText(body[i], msg, who));
      i += 4 + len;
    }
    return out.length ? out : [{ name: 'Handshake', text: 'A handshake record.' }];
  }
}

/** One sentence for what a segment carries (the list from push()), or ''. */
export function tlsSentence(items) {
  if (!items || !items.length) return '';
  if (items.length === 1 && items[0].continues) return ` ${items[0].text}`;
  const done = items.filter((x) => !x.partial);
  const head = done[0]?.began ? 'It completes' : 'It carries';
  const names = done.map((x) => x.name).join(', ');
  return (done.length ? ` ${head} TLS ${names}. ${done.map((x) => x.text).join(' ')}` : '')
    + items.filter((x) => x.partial).map((x) => ` ${x.text}`).join('');
}
