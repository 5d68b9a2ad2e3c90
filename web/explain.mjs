/*
 * One plain sentence for each thing that happens: a segment on the ladder,
 * a state change (RFC 9293 §3.3.2), a timer, an error, a congestion
 * control phase (RFC 5681, RFC 9438); for a segment of a TLS connection,
 * also the TLS records it carries (tlsrecords.mjs). The words are for a person watching,
 * not for a protocol expert.
 */

import { tlsSentence } from './tlsrecords.mjs';

const STATE_MEANING = {
  'CLOSED': 'there is no connection any more',
  'LISTEN': 'it waits for a SYN',
  'SYN-SENT': 'it sent a SYN and waits for the answer',
  'SYN-RECEIVED': 'it answered a SYN and waits for the final ACK',
  'ESTABLISHED': 'data can now flow both ways',
  'FIN-WAIT-1': 'it has sent FIN (no more data from it) and waits for that to be acknowledged',
  'FIN-WAIT-2': 'its FIN is acknowledged; it waits for the other side to finish too',
  'CLOSE-WAIT': 'the other side has finished sending; this side may still send, then close',
  'CLOSING': 'both sides sent FIN at the same time',
  'LAST-ACK': 'it sent its own FIN and waits for the last ACK',
  'TIME-WAIT': 'it waits two maximum segment lifetimes so that late segments of this connection die out',
};

const bytes = (n) => (n === 1 ? '1 byte' : `${n} bytes`);

function optionsText(o) {
  const parts = [];
  if (o.mss) parts.push(`MSS ${o.mss}`);
  if (o.ws !== undefined) parts.push(`window scale ${o.ws}`);
  if (o.sackok) parts.push('SACK permitted');
  if (o.ts) parts.push('timestamps');
  return parts.length ? ` (options: ${parts.join(', ')})` : '';
}

const FATE = {
  lost: ' It is lost on the wire and never arrives.',
  dropped: ' You asked to drop it, so it never arrives.',
  filtered: ' The server drops it unanswered, as a firewall would.',
  corrupted: ' A byte of it is changed on the wire: its checksum no longer matches, so the receiver will drop it.',
};

/**
 * The sentence for ladder entry `s` (see model.mjs): s.from and s.to are
 * 'client'/'server', s.prev the previous entry in the same direction, s.peerPrev
 * the previous one in the other direction.
 */
export function explainSegment(s) {
  const who = s.from === 'client' ? 'The client' : 'The server';
  const other = s.from === 'client' ? 'server' : 'client';
  const f = s.flags;
  let text;
  if (f.includes('R')) {
    text = s.answersSyn
      ? 'The SYN was answered by RST: nothing listens on that port.'
      : `${who} resets the connection (RST): both sides drop it at once, unsent and unread data is lost.`;
  } else if (f === 'S') {
    text = s.rexmit
      ? `${who} sends its SYN again: no answer came before the timer ran out.`
      : `${who} opens a connection with SYN, choosing its initial sequence number${optionsText(s.opts)}.`;
  } else if (f.includes('S')) {
    text = `${who} accepts with SYN-ACK: it acknowledges the SYN and picks its own initial sequence number${optionsText(s.opts)}.`;
  } else if (f.includes('F')) {
    text = `${who} has no more data to send: FIN${s.len ? ` (with ${bytes(s.len)} of data)` : ''}.`
      + (s.rexmit ? ' It is a retransmission.' : '');
  } else if (s.len > 0 && s.probe) {
    text = `Window probe: the ${other}'s window is zero, so ${who.toLowerCase()} sends ${bytes(s.len)} to see whether it has opened.`;
  } else if (s.len > 0) {
    const range = `bytes ${s.rseq}–${s.rseq + s.len - 1}`;
    text = s.rexmit
      ? `Retransmission: ${who.toLowerCase()} sends ${range} again because they were not acknowledged.`
      : `${who} sends ${bytes(s.len)} of data (${range}).`;
  } else if (s.handshakeAck) {
    text = `${who} acknowledges the SYN-ACK: the three-way handshake is complete.`;
  } else if (s.win === 0) {
    text = `${who}'s receive buffer is full: it advertises a zero window, so the ${other} must stop sending.`;
  } else if (s.windowOpened) {
    text = `${who}'s window opens again (${bytes(s.win)}): its reader made room.`;
  } else if (s.dupAck) {
    text = `Duplicate ACK: ${who.toLowerCase()} still waits for byte ${s.rack}, so a segment is missing.`;
  } else if (s.finAck) {
    text = `${who} acknowledges the ${other}'s FIN.`;
  } else {
    text = `${who} acknowledges everything up to byte ${s.rack - 1}; its window is ${bytes(s.win)}.`;
  }
  return text + tlsSentence(s.tls) + (FATE[s.fate] ?? '') + (s.duplicated ? ' The wire delivers it twice.' : '');
}

/** The sentence for a trace event of `side` ('client'/'server'), or null. */
export function explainTrace(ev, side) {
  const who = side === 'client' ? 'The client' : 'The server';
  switch (ev.ev) {
    case 'state':
      return `${who} moves from ${ev.from} to ${ev.to}: ${STATE_MEANING[ev.to] ?? ''}.`;
    case 'timer':
      if (ev.action !== 'fired' && !(ev.name === 'persist' && ev.action === 'set')) return null;
      if (ev.name === 'rexmit') return `${who}'s retransmission timer fired: nothing was acknowledged in time, so it sends the oldest segment again and shrinks its congestion window.`;
      if (ev.name === 'persist') return ev.action === 'set'
        ? `${who} sees a zero window and starts the persist timer, to probe the window later.`
        : `${who}'s persist timer fired: time to probe the zero window.`;
      if (ev.name === 'time-wait') return `${who}'s TIME-WAIT is over: the connection is finally gone.`;
      if (ev.name === 'keepalive') return `${who} checks an idle connection with a keep-alive probe.`;
      if (ev.name === 'tlp') return `${who} heard nothing for two round trips: it sends a tail loss probe, so a lost last segment is found without waiting for the retransmission timer.`;
      if (ev.name === 'rack') return `${who}'s reordering window ran out: a segment sent before one that arrived is now taken as lost and sent again.`;
      return null;
    case 'error':
      return {
        refused: 'Connection refused: the SYN was answered by RST, so nothing listens on that port.',
        timeout: 'Timed out: every try went unanswered, as when a firewall silently drops the packets.',
        reset: `${who}'s connection was reset by the other side (RST).`,
        unreachable: 'Unreachable: there is no route to that address (no ARP or ICMP answer).',
      }[ev.code] ?? `${who} reports an error: ${ev.code}.`;
    case 'drop':
      if (ev.reason === 'bad-checksum') return `${who} dropped a corrupted frame: its checksum was wrong.`;
      if (ev.reason === 'no-socket') return `${who} has no socket for that segment, so it answers with RST.`;
      return null;
    default:
      return null;
  }
}

/** The sentence for a change of congestion-control phase, or null. */
export function explainPhase(side, from, to, cwnd) {
  const who = side === 'client' ? 'The client' : 'The server';
  if (to === 'recovery') return `${who} detects a loss from duplicate ACKs: fast retransmit, and its congestion window is cut (now ${cwnd} bytes).`;
  if (to === 'avoidance' && from === 'slow-start') return `${who}'s congestion window reached ssthresh: slow start ends, growth is now gradual (congestion avoidance).`;
  if (to === 'avoidance' && from === 'recovery') return `${who} has recovered from the loss and continues in congestion avoidance.`;
  if (to === 'slow-start' && from) return `${who} starts again in slow start after a timeout (congestion window ${cwnd} bytes).`;
  return null;
}
