/*
 * The lessons of the "Learn" panel: one per mechanism, each opened by its
 * own link (index.html#lesson=<name>). A lesson sets up the wire and both
 * stacks, then runs steps on the REAL stacks: a step may ask a question
 * first, then acts (connect, send, drop or corrupt a segment, restart the
 * server...), waits until the model shows the moment that matters, pauses
 * the views there (the stacks keep running; the views catch up on Next),
 * highlights the view that shows it and explains it with the numbers of the
 * real segments.
 *
 * A step is { intro, question?: { text, choices, answer }, run(L), explain(L),
 * view, marks?(m), select?(m), live? } where L is the lesson context that
 * demo.mjs provides (see LessonContext there): L.m is the model, L.s the
 * session; view names the panel to highlight ('ladder', 'states',
 * 'windows', 'cc', 'tsg', 'story'); marks lists segments to highlight on
 * the ladder; live keeps the views running at the pause (TIME-WAIT's
 * countdown).
 */

const MSS = 1460;
const rel = (v, isn) => (v - isn) >>> 0;
const fmt = (n) => n.toLocaleString('en-US');
const ms = (n) => `${Math.round(n)} ms`;

/* Segments helpers over the model. */
const segsOf = (m, from, pred = () => true) => m.segs.filter((s) => s.from === from && pred(s));
const lastSeg = (m, pred) => m.segs.findLast(pred);
const established = (m) => m.state.client.now === 'ESTABLISHED';
/* The client's RTO as last traced at or before t. */
const rtoAt = (m, t) => (m.ccFull.client.findLast((c) => c.t <= t) ?? m.ccFull.client.at(-1))?.rto;

/* Connect and wait for ESTABLISHED. */
async function open(L) {
  L.connect();
  await L.until(() => established(L.m) && L.s.writer);
}

const LESSONS = [
  {
    name: 'handshake',
    title: 'The three-way handshake',
    summary: 'SYN, SYN-ACK, ACK and the two initial sequence numbers.',
    wire: { delay: 40 },
    steps: [
      {
        intro: 'The client opens a connection. Its first segment, the SYN, carries its initial sequence number (ISN): '
          + 'a number chosen unpredictably (RFC 6528), so that old or forged segments do not fit the new connection.',
        question: {
          text: 'The server will answer with SYN-ACK. What acknowledgment number will the SYN-ACK carry?',
          choices: ["the client's ISN", "the client's ISN + 1", '0'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          await L.until(() => L.m.segs.some((s) => s.handshakeAck) && L.m.state.server.now === 'ESTABLISHED');
        },
        view: 'ladder',
        marks: (m) => m.segs.slice(0, 3).map((s) => s.i),
        select: (m) => m.segs.find((s) => s.flags === 'SA')?.i,
        explain(L) {
          const { client, server } = L.m.isn;
          return `The client's ISN is ${client}; the server's is ${server}. The SYN-ACK acknowledges ${(client + 1) >>> 0}, `
            + 'the client\'s ISN + 1: a SYN takes up one sequence number, and an ACK names the next number expected. '
            + `The client's ACK does the same for the server: ack ${(server + 1) >>> 0}. `
            + 'The ladder shows numbers relative to each side\'s ISN (SYN seq=0, SYN-ACK seq=0 ack=1, ACK seq=1 ack=1); '
            + 'the selected segment\'s fields below it show the absolute ones.';
        },
      },
      {
        intro: 'Each side\'s state machine moved with those three segments.',
        async run() {},
        view: 'states',
        explain: () => 'The client went CLOSED → SYN-SENT (its SYN out) → ESTABLISHED (the SYN-ACK in). The server went '
          + 'LISTEN → SYN-RECEIVED (the SYN in, its SYN-ACK out) → ESTABLISHED (the final ACK in). Both can send data now; '
          + 'each SYN also carried options: MSS, window scale, SACK permitted and timestamps.',
      },
    ],
  },
  {
    name: 'seq-ack',
    title: 'Sequence numbers and cumulative ACKs',
    summary: 'Every byte has a number; an ACK names the next byte expected.',
    wire: { delay: 30 },
    echo: false,
    steps: [
      {
        intro: 'TCP numbers bytes, not segments. After the handshake the client\'s first data byte is byte 1 (relative to its ISN).',
        question: {
          text: 'The client sends 1000 bytes, bytes 1 to 1000. What acknowledgment number will the server send back?',
          choices: ['1000', '1001', '1'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          L.send(1000);
          await L.until(() => segsOf(L.m, 'server', (s) => s.rack >= 1001).length > 0);
        },
        view: 'ladder',
        marks: (m) => [segsOf(m, 'client', (s) => s.len > 0)[0]?.i, segsOf(m, 'server', (s) => s.rack >= 1001)[0]?.i],
        select: (m) => segsOf(m, 'server', (s) => s.rack >= 1001)[0]?.i,
        explain(L) {
          const a = segsOf(L.m, 'server', (s) => s.rack >= 1001)[0];
          return `The server's ACK says ack=${a.rack}: the number of the NEXT byte it expects, not the last one it got. `
            + `It came ${ms(a.t - segsOf(L.m, 'client', (s) => s.len > 0)[0].t)} after the data (one round trip`
            + `${a.t - segsOf(L.m, 'client', (s) => s.len > 0)[0].t > 70 ? ', plus the delayed-ACK wait' : ''}).`;
        },
      },
      {
        intro: 'Now the client sends 5000 bytes at once: more than one segment can hold (1448 bytes: the MSS of 1460 less '
          + '12 bytes of timestamp option), so they go out as four segments.',
        question: {
          text: 'Will the server send one ACK per segment?',
          choices: ['yes, always one each', 'not necessarily: one ACK covers everything before it'],
          answer: 1,
        },
        async run(L) {
          L.mark = L.m.segs.length;
          L.send(5000);
          await L.until(() => segsOf(L.m, 'server', (s) => s.rack >= 6001).length > 0);
        },
        view: 'ladder',
        marks: (m) => m.segs.slice(-12).filter((s) => s.len > 0 || s.from === 'server').map((s) => s.i),
        explain(L) {
          const data = segsOf(L.m, 'client', (s) => s.len > 0 && s.rseq >= 1001);
          const acks = segsOf(L.m, 'server', (s) => s.rack > 1001);
          return `The client sent ${data.length} segments (bytes ${data.map((s) => `${s.rseq}–${s.rseq + s.len - 1}`).join(', ')}); `
            + `the server answered with ${acks.length} ACK${acks.length > 1 ? 's' : ''} (${acks.map((s) => `ack=${s.rack}`).join(', ')}). `
            + 'ACKs are cumulative: ack=6001 says "every byte before 6001 arrived", so a lost ACK is covered by the '
            + 'next one, and a receiver may acknowledge only every second segment (delayed ACK, RFC 1122)'
            + `${acks.length < data.length ? ', as this one did' : '; this time it acknowledged each one, which it may also do'}.`;
        },
      },
    ],
  },
  {
    name: 'window',
    title: 'The sliding window',
    summary: 'Several segments in flight at once, and the window bar.',
    wire: { delay: 50, rate: 10 },
    echo: false,
    serverRcvbuf: 64 * 1024,
    steps: [
      {
        intro: 'The client sends 120 KB over a wire with 50 ms of delay each way. If it waited for an ACK after each '
          + 'segment, it would send one segment per 100 ms round trip.',
        question: {
          text: 'How many segments will the client have sent before the first ACK comes back?',
          choices: ['one', 'several: as many as the window allows'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          L.send(120000);
          await L.until(() => {
            const w = L.m.win.client;
            return w && ((w.snd_nxt - w.snd_una) >>> 0) >= 4 * MSS;
          });
        },
        view: 'windows',
        marks: (m) => segsOf(m, 'client', (s) => s.len > 0).map((s) => s.i),
        explain(L) {
          const w = L.m.win.client;
          const inflight = (w.snd_nxt - w.snd_una) >>> 0;
          return `Right now ${fmt(inflight)} bytes (${Math.round(inflight / MSS)} segments) are in flight: sent but not yet `
            + `acknowledged. A sender may have up to min(the peer's window, cwnd) bytes in flight; the server offers `
            + `${fmt(w.snd_wnd)} bytes. In the client's send bar: grey is acknowledged, orange in flight, green still usable; `
            + 'each ACK slides the window to the right.';
        },
      },
      {
        intro: 'The ACKs come back and the window slides on.',
        async run(L) {
          await L.until(() => L.m.segs.some((s) => s.from === 'server' && s.rack >= 120001), 30000);
        },
        view: 'tsg',
        explain: () => 'The time–sequence graph shows it: each data segment is a bar, the green line is ACK + window — '
          + 'the highest byte the client may send. The bars stay below that line: the window is what paces the sender.',
      },
    ],
  },
  {
    name: 'slow-start',
    title: 'Slow start',
    summary: 'cwnd doubles every round trip until ssthresh or a loss.',
    wire: { delay: 40, rate: 200 },
    cc: 'newreno',
    echo: false,
    serverRcvbuf: 2 * 1024 * 1024,
    steps: [
      {
        intro: 'A new connection does not know how fast the path is. It starts with a small congestion window (cwnd, '
          + '10 segments here, RFC 6928) and grows it with each ACK.',
        question: {
          text: 'How does cwnd grow in slow start?',
          choices: ['by one segment per round trip', 'it doubles every round trip', 'it jumps to the peer\'s window'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          L.send(1500000);
          await L.until(() => {
            const cc = L.m.cc.client;
            return cc.length > 2 && cc.at(-1).cwnd >= 8 * cc[0].cwnd;
          }, 20000);
        },
        view: 'cc',
        explain(L) {
          const cc = L.m.ccFull.client;
          const first = cc[0];
          const now = cc.at(-1);
          const rtt = now.srtt || 80;
          return `cwnd went from ${fmt(first.cwnd)} to ${fmt(now.cwnd)} bytes in ${ms(now.t - first.t)}, about `
            + `${((now.t - first.t) / rtt).toFixed(1)} round trips of ${ms(rtt)}: each ACK of a full segment adds a segment, `
            + 'so a whole window\'s worth of ACKs doubles it. The phase is still "slow-start": ssthresh is not set yet.';
        },
      },
      {
        intro: 'Now the client sends 300 KB more, and one segment is lost (you ask the wire to drop the next one).',
        question: {
          text: 'What will happen to cwnd?',
          choices: ['it keeps doubling', 'ssthresh becomes about half the flight, and cwnd then grows slowly', 'it falls to one segment for good'],
          answer: 1,
        },
        async run(L) {
          L.s.dropNext();
          L.note('You ask the wire to drop the next segment the client sends with data.');
          L.send(300000); /* more data behind the lost segment, whatever is still queued */
          await L.until(() => L.m.ccFull.client.some((c) => c.ssthresh !== null), 20000);
          await L.until(() => L.m.ccFull.client.at(-1).phase === 'avoidance', 20000);
        },
        view: 'cc',
        explain(L) {
          const c = L.m.ccFull.client.find((x) => x.ssthresh !== null);
          return `Three duplicate ACKs told the client of the loss: NewReno set ssthresh to ${fmt(c.ssthresh)} bytes (half of `
            + 'what was in flight), repaired the hole in fast recovery, and now grows cwnd by about one segment per round trip '
            + '(congestion avoidance, the purple dashed line is ssthresh). Without loss, slow start would end where cwnd meets ssthresh.';
        },
      },
    ],
  },
  {
    name: 'timeout',
    title: 'The retransmission timer',
    summary: 'A lost segment (and its tail loss probe) repaired by the RTO, shown on the RTT chart.',
    wire: { delay: 30 },
    echo: false,
    steps: [
      {
        intro: 'The client sends 1000 bytes in a single segment, and the wire loses it, and also the client\'s first, quick '
          + 'attempt to repair it. Nothing reaches the server, so it has nothing to answer.',
        question: {
          text: 'What makes the client send it again?',
          choices: ['duplicate ACKs (fast retransmit)', 'its retransmission timer (RTO) running out', 'the server asks for it'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          L.s.dropNext(2);
          L.note('You ask the wire to drop the next two segments the client sends with data.');
          L.send(1000);
          await L.until(() => segsOf(L.m, 'client', (s) => s.rexmit && s.len > 0 && !s.fate).length > 0, 10000);
        },
        view: 'cc',
        marks: (m) => segsOf(m, 'client', (s) => s.len > 0).map((s) => s.i),
        explain(L) {
          const lost = segsOf(L.m, 'client', (s) => s.fate && s.len > 0 && !s.rexmit)[0];
          const probe = segsOf(L.m, 'client', (s) => s.fate && s.len > 0 && s.rexmit)[0];
          const again = segsOf(L.m, 'client', (s) => s.rexmit && s.len > 0 && !s.fate)[0];
          const rto = rtoAt(L.m, again.t);
          return `The segment went out at ${ms(lost.t - L.m.t0)} and was lost. No ACK came. `
            + (probe ? `${ms(probe.t - lost.t)} later the client sent it once more as a tail loss probe (RACK-TLP, RFC 8985: `
              + 'a quick probe, so that a lost last segment need not wait for the timer), and the wire lost that too. ' : '')
            + `${ms(again.t - lost.t)} after the first send the retransmission timer fired (its timeout, the RTO, is the `
            + 'smoothed RTT + 4 × its variation, at least 200 ms, RFC 6298) and the client sent bytes 1–1000 again. '
            + 'The RTO is the dashed red line on the RTT chart: '
            + `after the timeout it doubled${rto ? ` (now ${ms(rto)})` : ''}, and stays so until an ACK arrives.`;
        },
      },
    ],
  },
  {
    name: 'fast-retransmit',
    title: 'Fast retransmit',
    summary: 'Three duplicate ACKs, and the retransmission before the timer.',
    wire: { delay: 30, rate: 20 },
    echo: false,
    serverRcvbuf: 256 * 1024,
    steps: [
      {
        intro: 'The client sends 30 KB (about 20 segments) and the wire loses the first one. The others arrive.',
        question: {
          text: 'What does the server answer to each segment that arrives after the hole?',
          choices: ['nothing', 'an ACK for the first missing byte again: a duplicate ACK', 'a negative acknowledgment'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          L.s.dropNext();
          L.note('You ask the wire to drop the next segment the client sends with data.');
          L.send(30000);
          await L.until(() => segsOf(L.m, 'client', (s) => s.rexmit && s.len > 0).length > 0, 10000);
        },
        view: 'ladder',
        marks: (m) => {
          const lost = segsOf(m, 'client', (s) => s.fate && s.len > 0)[0];
          const again = segsOf(m, 'client', (s) => s.rexmit && s.len > 0)[0];
          return m.segs.filter((s) => s === lost || s === again || (s.from === 'server' && s.ack === lost?.seq && s.i < again?.i)).map((s) => s.i);
        },
        select: (m) => segsOf(m, 'client', (s) => s.rexmit && s.len > 0)[0]?.i,
        explain(L) {
          const lost = segsOf(L.m, 'client', (s) => s.fate && s.len > 0)[0];
          const again = segsOf(L.m, 'client', (s) => s.rexmit && s.len > 0)[0];
          const dups = segsOf(L.m, 'server', (s) => s.ack === lost.seq && s.len === 0 && s.i > lost.i && s.i < again.i);
          const rto = rtoAt(L.m, again.t);
          return `The server sent ${dups.length} ACKs in a row saying ack=${dups[0]?.rack}: "I still miss byte ${dups[0]?.rack}" `
            + '(with SACK blocks telling which later bytes did arrive). As soon as the third of them reached the client, it '
            + 'resent the missing bytes, '
            + `${ms(again.t - lost.t)} after the loss — without waiting for the retransmission timer (RTO ${rto ? ms(rto) : '—'}). `
            + 'It also cuts its congestion window (CUBIC to 70 %, NewReno to half): a loss means the path is full.';
        },
      },
    ],
  },
  {
    name: 'checksum',
    title: 'The checksum',
    summary: 'A corrupted segment dropped by the receiver and sent again.',
    wire: { delay: 30 },
    echo: false,
    steps: [
      {
        intro: 'Every TCP segment carries a 16-bit checksum over its header, its data and the IP addresses. The client '
          + 'sends 6000 bytes, and one byte of the first segment is changed on the wire.',
        question: {
          text: 'What does the server do with the damaged segment?',
          choices: ['uses it anyway', 'drops it without a word', 'answers with a negative acknowledgment'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          L.s.corruptNext();
          L.note('You ask the wire to corrupt one byte of the next segment the client sends with data.');
          L.send(6000);
          await L.until(() => {
            const bad = L.m.segs.find((s) => s.fate === 'corrupted');
            return bad && L.m.segs.some((s) => s.rexmit && s.from === 'client' && s.seq === bad.seq);
          }, 10000);
        },
        view: 'ladder',
        marks: (m) => {
          const bad = m.segs.find((s) => s.fate === 'corrupted');
          return m.segs.filter((s) => s === bad || (s.rexmit && s.from === 'client' && s.seq === bad.seq)).map((s) => s.i);
        },
        select: (m) => m.segs.find((s) => s.fate === 'corrupted')?.i,
        explain(L) {
          const bad = L.m.segs.find((s) => s.fate === 'corrupted');
          const p = bad.rec.pkt;
          const hex = (v) => `0x${v.toString(16).padStart(4, '0')}`;
          return `The damaged segment (bytes ${bad.rseq}–${bad.rseq + bad.len - 1}, marked ✗) carries checksum ${hex(p.checksum)}, `
            + `but its bytes now sum to ${hex(p.checksumExpected)} (see its fields below the ladder). The server's stack `
            + 'found the mismatch and dropped it as "bad-checksum" (in What happened): no ACK, no complaint. To the client '
            + 'it looks like a loss, so it sent those bytes again. TCP cannot tell damage from loss, and need not.';
        },
      },
    ],
  },
  {
    name: 'flow-control',
    title: 'Flow control',
    summary: 'A slow reader, the shrinking window, zero window and persist probes.',
    wire: { delay: 20 },
    echo: false,
    steps: [
      {
        intro: 'The server has a 32 KB receive buffer, and its application reads only 4 KB per second. The client sends 150 KB.',
        question: {
          text: 'What will the window the server advertises do?',
          choices: ['stay the same', 'shrink as its buffer fills'],
          answer: 1,
        },
        async run(L) {
          L.setReader(4096);
          await open(L);
          L.send(150000);
          await L.until(() => segsOf(L.m, 'server', (s) => s.win > 0 && s.win < 12 * 1024 && s.rack > 1).length > 0, 10000);
        },
        view: 'windows',
        marks: (m) => segsOf(m, 'server', (s) => s.rack > 1).map((s) => s.i),
        explain(L) {
          const wins = segsOf(L.m, 'server', (s) => s.rack > 1).map((s) => s.win);
          return `The server's window went from ${fmt(Math.max(...wins))} down to ${fmt(wins.at(-1))} bytes over `
            + `${wins.length} ACKs: `
            + 'the window is the free space in its receive buffer, and the slow reader leaves less and less of it. '
            + 'The client may never have more unacknowledged data than that: this is flow control (the receiver\'s limit; '
            + 'cwnd is the network\'s).';
        },
      },
      {
        intro: 'Now the server\'s application stops reading altogether.',
        question: {
          text: 'When the buffer is full, how does the client find out when it may send again?',
          choices: ['it waits for the server to say so', 'it sends small window probes on a timer'],
          answer: 1,
        },
        async run(L) {
          L.setReader(0);
          await L.until(() => segsOf(L.m, 'server', (s) => s.win === 0).length > 0, 20000);
          await L.until(() => segsOf(L.m, 'client', (s) => s.probe).length > 0, 20000);
        },
        view: 'ladder',
        marks: (m) => m.segs.filter((s) => (s.from === 'server' && s.win === 0) || s.probe).map((s) => s.i),
        explain: () => 'The server advertised a zero window: the client must stop. But the server\'s "window open" '
          + 'update could be lost, and both would wait forever; so the client runs the persist timer and sends a probe '
          + '(one byte) now and then, with a growing interval. Each probe is answered with the current window.',
      },
      {
        intro: 'The server\'s application reads again at full speed.',
        async run(L) {
          L.setReader(Infinity);
          await L.until(() => L.m.segs.some((s) => s.windowOpened), 20000);
        },
        view: 'ladder',
        marks: (m) => m.segs.filter((s) => s.windowOpened).map((s) => s.i),
        explain: () => 'As soon as its reader freed space, the server sent a window update; the client resumed sending. '
          + 'A slow reader thus slows the sender down, without any loss.',
      },
    ],
  },
  {
    name: 'teardown',
    title: 'Closing: FIN each way, and half-close',
    summary: 'FIN/ACK each way, and data still flowing after the first FIN.',
    wire: { delay: 30 },
    echo: false,
    serverMode: 'half-close',
    steps: [
      {
        intro: 'The client sends a request (2000 bytes) and closes its side: its FIN says "I will send no more". '
          + 'This server is built to answer only once the request has ended, with 20 KB.',
        question: {
          text: 'After the client\'s FIN, can the server still send data to the client?',
          choices: ['no, the connection is closed', 'yes, each direction is closed on its own'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          L.send(2000);
          L.closeSend();
          await L.until(() => L.m.passed.server.includes('CLOSE-WAIT'));
          await L.until(() => L.m.passed.client.includes('FIN-WAIT-2'));
        },
        view: 'states',
        marks: (m) => m.segs.filter((s) => (s.from === 'client' && s.flags.includes('F')) || (s.from === 'server' && s.finAck)).map((s) => s.i),
        explain: (L) => `The client's FIN was acknowledged: the client is in ${L.m.state.client.now}, the server in `
          + `${L.m.state.server.now}. The connection is half-closed: client → server is done, server → client is still open.`,
      },
      {
        intro: 'The server\'s application read the end of the request and now sends its answer.',
        async run(L) {
          const fin = L.m.segs.find((s) => s.from === 'client' && s.flags.includes('F'));
          await L.until(() => L.m.segs.some((s) => s.from === 'server' && s.len > 0 && s.i > fin.i));
        },
        view: 'ladder',
        marks: (m) => {
          const fin = m.segs.find((s) => s.from === 'client' && s.flags.includes('F'));
          return m.segs.filter((s) => s === fin || (s.from === 'server' && s.len > 0 && s.i > fin.i)).map((s) => s.i);
        },
        explain: () => 'Data flows server → client after the client\'s FIN, and the client keeps acknowledging it. This is '
          + 'what shutdown(SHUT_WR) does: a client says "that is all my request" and still reads the reply.',
      },
      {
        intro: 'The server sends the rest and closes its side too.',
        async run(L) {
          await L.until(() => ['TIME-WAIT', 'CLOSED'].includes(L.m.state.client.now) && L.m.state.server.now === 'CLOSED', 20000);
        },
        view: 'states',
        marks: (m) => m.segs.filter((s) => s.flags.includes('F') || s.finAck).map((s) => s.i),
        explain: () => 'FIN and ACK each way: four segments in all (three when an ACK rides on the other FIN). The server, '
          + 'which closed last, went CLOSE-WAIT → LAST-ACK → CLOSED; the client, which closed first, FIN-WAIT-1 → FIN-WAIT-2 '
          + '→ TIME-WAIT, where it waits 2 × MSL before the connection is gone.',
      },
    ],
  },
  {
    name: 'time-wait',
    title: 'TIME-WAIT and "Address already in use"',
    summary: 'The countdown, and a server that cannot bind its port until it ends.',
    wire: { delay: 20 },
    msl: 2500,
    echo: false,
    serverMode: 'close-first',
    steps: [
      {
        intro: 'The side that closes first ends in TIME-WAIT for 2 × MSL (here MSL is 2.5 s; Linux waits 60 s): it keeps the '
          + 'connection\'s port pair so that a late segment cannot be taken for part of a new connection, and it can '
          + 'acknowledge the peer\'s FIN again if its ACK was lost. Here the server answers and closes first, then its '
          + 'program restarts and binds port 80 again, without SO_REUSEADDR.',
        question: {
          text: 'What will bind() say while the old connection is in TIME-WAIT?',
          choices: ['it works', '"Address already in use"', 'the old connection is reset'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          L.send('hello');
          await L.until(() => L.s.peerClosed);
          L.closeSend();
          await L.until(() => L.m.state.server.now === 'TIME-WAIT');
          L.s.relisten();
          await L.until(() => L.m.binds.length > 0);
        },
        live: true,
        view: 'states',
        explain(L) {
          const b = L.m.binds[0];
          return b.ok
            ? 'The bind went through: TIME-WAIT was already over.'
            : `bind() failed: "Address already in use" (code ${b.code}), while the server's old connection on port 80 was in `
              + `${b.serverState}. Its countdown runs under the server's state machine. This is the error a restarted `
              + 'server meets. Servers set SO_REUSEADDR to bind anyway: the listener only needs the port, and a new '
              + 'connection that happened to reuse the old address and port pair is still told apart by its sequence '
              + 'numbers and timestamps (RFC 6191).';
        },
      },
      {
        intro: 'The server tries again once TIME-WAIT has ended.',
        async run(L) {
          await L.until(() => L.m.state.server.now === 'CLOSED', 20000);
          L.s.relisten();
          await L.until(() => L.m.binds.length > 1);
        },
        view: 'story',
        explain: (L) => (L.m.binds[1].ok
          ? 'TIME-WAIT is over, the connection is gone, and the same bind() now succeeds: port 80 listens again.'
          : `The bind failed again (${L.m.binds[1].code}).`),
      },
    ],
  },
  {
    name: 'diagnostics',
    title: 'Refused, timed out, reset',
    summary: 'What the three classic errors look like on the wire.',
    wire: { delay: 20 },
    rtoInitial: 200,
    network: true,
    steps: [
      {
        intro: 'Three errors every programmer meets. First, "Connection refused".',
        question: {
          text: 'The client connects to a port where nothing listens. What comes back?',
          choices: ['nothing at all', 'an RST answering the SYN', 'a SYN-ACK, then an RST'],
          answer: 1,
        },
        async run(L) {
          L.connect(L.closedPort);
          await L.until(() => L.m.errors.some((e) => e.code === 'refused'), 10000);
          await L.until(() => !L.s.sock);
        },
        view: 'ladder',
        marks: (m) => m.segs.map((s) => s.i),
        explain: (L) => `The SYN to port ${L.closedPort} was answered by RST: the host is there, but no program listens on `
          + 'that port. connect() fails at once with ECONNREFUSED ("Connection refused").',
      },
      {
        intro: `Second, "Connection timed out": a firewall drops every SYN to port 81 without a word.`,
        question: {
          text: 'What does the client do when its SYN gets no answer?',
          choices: ['gives up at once', 'sends the SYN again, waiting longer each time, then gives up'],
          answer: 1,
        },
        async run(L) {
          L.connect(L.silentPort);
          await L.until(() => L.m.errors.some((e) => e.code === 'timeout'), 30000);
          await L.until(() => !L.s.sock);
        },
        view: 'ladder',
        marks: (m) => m.segs.map((s) => s.i),
        explain(L) {
          const t = L.m.segs.map((s) => s.t - L.m.t0);
          return `The client sent its SYN ${t.length} times, at ${t.map(ms).join(', ')}: each wait twice the last. Then it `
            + 'gave up: ETIMEDOUT ("Connection timed out"). Nothing came back, so the client cannot know whether the host '
            + 'is down, unreachable or filtered; a refused port answers at once.';
        },
      },
      {
        intro: 'Third, "Connection reset": the connection is established, then the server aborts it.',
        question: {
          text: 'How does the client learn that the server aborted?',
          choices: ['a FIN', 'an RST', 'its next write times out'],
          answer: 1,
        },
        async run(L) {
          await open(L);
          if (L.s.mode === 'standalone') {
            L.send(1000);
            await L.until(() => L.s.serverSock && segsOf(L.m, 'server', (s) => s.rack >= 1001).length > 0);
          }
          await L.reset();
          await L.until(() => L.m.errors.some((e) => e.code === 'reset'), 20000);
        },
        view: 'ladder',
        marks: (m) => m.segs.filter((s) => s.flags.includes('R')).map((s) => s.i),
        explain: () => 'An RST in the middle of a connection: the peer threw it away (an abort, a crash, a close with '
          + 'unread data, or a middlebox). Unlike FIN, nothing is acknowledged: reads and writes fail with ECONNRESET '
          + '("Connection reset by peer") and unsent data is lost.',
      },
    ],
  },
];

export const lessons = new Map(LESSONS.map((l) => [l.name, l]));

export { segsOf, rel, lastSeg };
