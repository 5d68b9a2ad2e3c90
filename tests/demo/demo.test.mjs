// The demo page (web/) in Chromium: playwright-core drives /usr/bin/chromium
// (headless, a fresh context per test) against the built page ($DEMO_WEB, served here
// on 127.0.0.1). Each test clicks or types like a person and reads the page
// plus the model summary (window.__demoPage). Screenshots of each view and of
// the page at 1440, 1280 and 768 px go to $DEMO_SHOTS. The network test
// starts an HTTP server, synack-bridge --slirp and websockify, and stops
// them by PID (page.mjs). The lessons have their own file, lessons.test.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  lit, overflow, rendered, setUp, shot, shows, summary, tearDown, waitFor, withBridge, withDemoTargets, withPage,
} from './page.mjs';

before(setUp);
after(tearDown);

async function start(page, fields = {}) {
  for (const [id, v] of Object.entries(fields)) await page.fill(`#${id}`, String(v));
  await page.click('#start');
  await waitFor(page, () => !document.getElementById('connect').disabled);
}

async function connect(page) {
  await page.click('#connect');
  await waitFor(page, () => !document.getElementById('send').disabled);
}

/* Non-blank pixels of a canvas. */
const inked = (page, id) => page.evaluate((cid) => {
  const c = document.getElementById(cid);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
}, id);

test('standalone: handshake, data, teardown drawn in order; states, windows and cwnd charts', { timeout: 90_000 }, async () => {
  await withPage('', async (page) => {
    await start(page, { delay: 20, rate: 20 });
    await connect(page);
    await page.fill('#bytes', '65536');
    await page.click('#send');
    await waitFor(page, () => window.__demoPage.session().received >= 65536);
    await page.click('#close');
    await waitFor(page, () => {
      const s = window.__demoPage.summary();
      return s.states.client === 'TIME-WAIT' && s.states.server === 'CLOSED';
    });
    const s = await summary(page);
    const segs = s.segments;
    const find = (pred, from = 0) => segs.findIndex((x, i) => i >= from && pred(x));
    const syn = find((x) => x.from === 'client' && x.flags === 'S');
    const synAck = find((x) => x.from === 'server' && x.flags === 'SA', syn);
    const ack = find((x) => x.from === 'client' && x.flags === 'A' && x.len === 0 && x.ack === 1, synAck);
    const data = find((x) => x.from === 'client' && x.len > 0, ack);
    const echoed = find((x) => x.from === 'server' && x.len > 0, data);
    const finC = find((x) => x.from === 'client' && x.flags.includes('F'), data);
    const ackFinC = find((x) => x.from === 'server' && x.ack === segs[finC].seq + 1, finC);
    const finS = find((x) => x.from === 'server' && x.flags.includes('F'), finC);
    const ackFinS = find((x) => x.from === 'client' && x.ack === segs[finS].seq + 1, finS);
    const order = { syn, synAck, ack, data, echoed, finC, ackFinC, finS, ackFinS };
    for (const [k, v] of Object.entries(order)) assert.ok(v >= 0, `${k} missing: ${JSON.stringify(segs.map((x) => x.flags))}`);
    assert.equal(segs[syn].seq, 0, 'relative ISN');
    assert.equal(segs[synAck].ack, 1);
    assert.ok(ackFinS > finS && finS >= ackFinC && ackFinC > finC, JSON.stringify(order));
    for (const side of ['client', 'server']) {
      assert.ok(s.passed[side].includes('ESTABLISHED'), `${side}: ${s.passed[side]}`);
    }
    /* The client closes first: FIN-WAIT-1, (FIN-WAIT-2 unless the ACK rides on the peer's FIN), TIME-WAIT. */
    const fromEst = s.passed.client.slice(s.passed.client.indexOf('ESTABLISHED'));
    assert.ok(['ESTABLISHED,FIN-WAIT-1,FIN-WAIT-2,TIME-WAIT', 'ESTABLISHED,FIN-WAIT-1,TIME-WAIT'].includes(fromEst.join()),
      fromEst.join());
    assert.deepEqual(s.passed.server.slice(-3), ['CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
    assert.ok(s.cc.client > 3 && s.win.client > 3 && s.win.server > 3, JSON.stringify({ cc: s.cc, win: s.win }));
    await rendered(page);
    for (const id of ['cwnd', 'rtt', 'tsg']) assert.ok(await inked(page, id) > 400, `${id} chart is empty`);

    /* A 64 KB transfer is grouped; ungrouped, every segment has its own row. */
    assert.ok(await page.locator('#ladder g.group').count() >= 1, 'the bulk transfer is grouped');
    const groupRows = await page.locator('#ladder g.seg, #ladder g.group').count();
    assert.ok(groupRows < segs.length, `${groupRows} rows for ${segs.length} segments`);
    await page.locator('#ladder g.group').first().click();
    await waitFor(page, (n) => document.querySelectorAll('#ladder g.seg, #ladder g.group').length > n, groupRows, 5_000);
    await page.uncheck('#group');
    await rendered(page);
    const labels = await page.locator('#ladder g.seg text.label').allTextContents();
    assert.equal(labels.length, segs.length);
    assert.match(labels[syn], /^S seq=0 len=0 win=\d+ <mss 1460 ws \d sackOK ts>$/);
    assert.match(labels[synAck], /^SA seq=0 ack=1 /);
    assert.equal(await page.locator('#fsm-client g.state.lit').getAttribute('data-state'), 'TIME-WAIT');
    assert.equal(await page.locator('#fsm-server g.state.lit').getAttribute('data-state'), 'CLOSED');
    assert.match(await page.locator('#fsm-client .countdown').textContent(), /TIME-WAIT: closes in \d+\.\d s/);
    assert.equal(await page.locator('#fsm-client path.last').count(), 1, 'last transition drawn');
    assert.match(await page.locator('#win-client').textContent(), /acknowledged .* in flight .* usable/);
    const story = await page.locator('#story').textContent();
    assert.match(story, /three-way handshake is complete/);
    assert.match(story, /has no more data to send: FIN/);

    await page.locator('#ladder g.seg').nth(syn).click();
    assert.match(await page.locator('#details').textContent(), /Segment 1: S.*MSS option1460/s);
    await page.keyboard.press('ArrowDown');
    assert.match(await page.locator('#details h3').textContent(), /Segment 2: SA/);

    await shot(page, 'standalone-desktop-1440');
    const views = { ladder: '.ladder-panel', states: 'section[aria-labelledby=h-states]',
      'time-sequence': 'section[aria-labelledby=h-tsg]', congestion: 'section[aria-labelledby=h-cc]',
      story: 'section[aria-labelledby=h-story]', controls: '#controls' };
    for (const [name, sel] of Object.entries(views)) await shot(page, `view-${name}`, sel);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForTimeout(400);
    let over = await overflow(page);
    assert.ok(over <= 0, `page wider than a 1280 px laptop by ${over} px`);
    await shot(page, 'standalone-laptop-1280');
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.waitForTimeout(400);
    over = await overflow(page);
    assert.ok(over <= 0, `page wider than a 768 px tablet by ${over} px`);
    await shot(page, 'standalone-tablet-768');
  });
});

test('standalone: drop the next segment gives a marked loss and retransmission; exports', { timeout: 90_000 }, async () => {
  await withPage('', async (page) => {
    await start(page, { delay: 20 });
    await connect(page);
    await page.click('#drop');
    await page.fill('#bytes', '20000');
    await page.click('#send');
    await waitFor(page, () => window.__demoPage.summary().segments.some((x) => x.rexmit && x.from === 'client'));
    const s = await summary(page);
    const dropped = s.segments.find((x) => x.fate === 'dropped');
    assert.ok(dropped && dropped.from === 'client' && dropped.len > 0, 'a dropped data segment');
    const rexmit = s.segments.find((x) => x.rexmit && x.from === 'client');
    assert.equal(rexmit.seq, dropped.seq, 'the dropped bytes are sent again');
    assert.ok(s.segments.indexOf(rexmit) > s.segments.indexOf(dropped));
    await rendered(page);
    assert.ok(await page.locator('#ladder g.seg.lost').count() >= 1);
    const marked = page.locator('#ladder g.seg.rexmit').first();
    assert.match(await marked.locator('text.label').textContent(), /\(rexmit\)$/);
    await marked.click();
    assert.match(await page.locator('#details').textContent(), /retransmissionyes/);
    assert.match(await page.locator('#story').textContent(), /You asked to drop it.*Retransmission: the client sends bytes 1–/s);
    await shot(page, 'drop-retransmission', '.ladder-panel');

    const [pcap] = await Promise.all([page.waitForEvent('download'), page.click('#pcap')]);
    const bytes = readFileSync(await pcap.path());
    assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4);
    assert.equal(bytes.readUInt32LE(20), 1, 'LINKTYPE_ETHERNET');
    let frames = 0;
    for (let o = 24; o < bytes.length; frames++) o += 16 + bytes.readUInt32LE(o + 8);
    assert.ok(frames >= s.segments.filter((x) => x.from === 'client').length, `${frames} frames in the pcap`);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#json')]);
    const lines = readFileSync(await json.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.ev === 'state' && l.to === 'ESTABLISHED' && l.side === 'server'));
    assert.ok(lines.some((l) => l.ev === 'seg' && l.rexmit === true));
    assert.ok(lines.some((l) => l.ev === 'frame' && l.fate === 'dropped'));
  });
});

test('standalone: losses on the impaired wire are marked and repaired (NewReno)', { timeout: 90_000 }, async () => {
  await withPage('', async (page) => {
    await page.selectOption('#cc', 'newreno');
    await start(page, { delay: 10, loss: 10, seed: 7 });
    await connect(page);
    await page.fill('#bytes', '100000');
    await page.click('#send');
    await waitFor(page, () => window.__demoPage.session().received >= 100000, null, 60_000);
    const s = await summary(page);
    await rendered(page);
    const lost = s.segments.filter((x) => x.fate === 'lost');
    assert.ok(lost.length >= 2, `${lost.length} segments lost`);
    /* Every byte lost in a first transmission is sent again, maybe cut up differently
     * (a lost retransmission may have been spurious). */
    for (const l of lost.filter((x) => x.len > 0 && !x.rexmit)) {
      let pos = l.seq;
      const again = s.segments.filter((x) => x.rexmit && x.from === l.from && x.len > 0 && !x.fate);
      for (let x; pos < l.seq + l.len && (x = again.find((y) => y.seq <= pos && pos < y.seq + y.len));) pos = x.seq + x.len;
      assert.ok(pos >= l.seq + l.len, `lost ${l.from} bytes ${l.seq}+${l.len} sent again only up to ${pos}: ${JSON.stringify(s.segments.filter((x) => x.from === l.from && x.len > 0 && Math.abs(x.seq - l.seq) < 3000))}`);
    }
    assert.ok(await page.locator('#ladder g.seg.lost').count() >= 1);
  });
});

test('standalone: the wire corrupts and duplicates frames; the ladder follows the newest segment or stays put', { timeout: 90_000 }, async () => {
  await withPage('', async (page) => {
    await page.uncheck('#echo');
    await start(page, { delay: 10, corrupt: 4, duplicate: 4, seed: 3 });
    await connect(page);
    await page.uncheck('#group');
    await page.fill('#bytes', '300000');
    await page.click('#send');
    await waitFor(page, () => window.__demoPage.summary().segments.length > 60);
    /* The reader scrolls up: following stops, and new segments leave the view where it is.
     * The ladder redraws before the browser delivers the scroll event (as it can under
     * load): the redraw must not take the reader back to the end. */
    await page.locator('#ladder').evaluate((b) => {
      b.scrollTop = 0;
      const ladder = window.__demoPage.ladder();
      ladder.layout++;
      ladder.render(ladder.model);
    });
    await waitFor(page, () => !document.getElementById('follow').checked, null, 5_000);
    const n = (await summary(page)).segments.length;
    await waitFor(page, (k) => window.__demoPage.summary().segments.length > k + 20, n);
    await rendered(page);
    assert.equal(await page.locator('#ladder').evaluate((b) => b.scrollTop), 0, 'stays where the reader scrolled');
    await page.check('#follow');
    await waitFor(page, () => {
      const b = document.getElementById('ladder');
      return b.scrollTop + b.clientHeight >= b.scrollHeight - 4;
    }, null, 5_000);
    await waitFor(page, () => window.__demoPage.summary().segments.some((x) => x.from === 'server' && x.ack >= 300001), null, 60_000);
    const s = await summary(page);
    const bad = s.segments.filter((x) => x.fate === 'corrupted');
    assert.ok(bad.length >= 1, 'corrupted frames');
    assert.ok(s.segments.some((x) => x.duplicated), 'duplicated frames');
    assert.ok(s.drops.some((d) => d.reason === 'bad-checksum'), 'dropped as bad checksum');
    await rendered(page);
    assert.ok(await page.locator('#ladder g.seg.corrupted').count() >= 1);
    await page.click('#corrupt-next');
    await shows(page, '#story', /corrupt one byte of the next segment/);
  });
});

test('standalone: a closed port is "refused", a port that drops SYNs "timed out"', { timeout: 90_000 }, async () => {
  await withPage('', async (page) => {
    await start(page, { delay: 10 });
    await page.click('#refused');
    await waitFor(page, () => /refused/.test(document.getElementById('status').textContent));
    let s = await summary(page);
    assert.deepEqual(s.segments.map((x) => `${x.from} ${x.flags}`), ['client S', 'server RA']);
    assert.deepEqual(s.errors, ['refused']);
    await rendered(page);
    assert.match(await page.locator('#story').textContent(), /The SYN was answered by RST: nothing listens on that port\./);
    assert.equal(await page.locator('#fsm-client g.state.lit').getAttribute('data-state'), 'CLOSED');
    await shot(page, 'refused');

    await page.click('#silent');
    await waitFor(page, () => /timed out/.test(document.getElementById('status').textContent), null, 60_000);
    s = await summary(page);
    assert.ok(s.segments.length >= 3 && s.segments.every((x) => x.flags === 'S' && x.fate === 'filtered'));
    assert.ok(s.segments.slice(1).every((x) => x.rexmit));
    assert.deepEqual(s.errors, ['timeout']);
    await shot(page, 'timed-out');
  });
});

test('standalone: a paused reader closes the window (zero window, persist), and it opens again', { timeout: 90_000 }, async () => {
  await withPage('', async (page) => {
    await start(page, { delay: 10 });
    await page.uncheck('#echo');
    await page.selectOption('#reader', '0');
    await connect(page);
    await page.fill('#bytes', '200000');
    await page.click('#send');
    await waitFor(page, () => window.__demoPage.summary().segments.some((x) => x.from === 'server' && x.win === 0));
    await waitFor(page, () => /persist timer/.test(document.getElementById('story').textContent));
    await shows(page, '#win-client', /zero window/);
    await shot(page, 'zero-window');
    await page.selectOption('#reader', 'Infinity');
    await waitFor(page, () => /window opens again/.test(document.getElementById('story').textContent));
    await waitFor(page, () => window.__demoPage.summary().segments.some((x) => x.from === 'server' && x.ack === 200001));
  });
});

test('keyboard: start, pause, connect and step through the handshake one segment at a time', { timeout: 90_000 }, async () => {
  await withPage('', async (page) => {
    await page.keyboard.press('s');
    await waitFor(page, () => !document.getElementById('connect').disabled);
    await page.keyboard.press(' ');
    await waitFor(page, () => window.__demoPage.player().paused);
    await page.keyboard.press('c');
    await waitFor(page, () => window.__demoPage.player().records.filter((r) => r.kind === 'frame' && r.pkt.proto === 'tcp').length >= 3);
    assert.equal((await summary(page)).segments.length, 0, 'nothing shown while paused');
    await shows(page, '#waiting', /paused: \d+ events waiting/);
    const flags = async () => (await summary(page)).segments.map((x) => x.flags);
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await flags(), ['S']);
    await lit(page, 'client', 'SYN-SENT');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await flags(), ['S', 'SA']);
    await lit(page, 'server', 'SYN-RECEIVED');
    await shot(page, 'step-handshake');
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await flags(), ['S']);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await flags(), ['S', 'SA', 'A']);
    await shows(page, '#now', /three-way handshake is complete|ESTABLISHED/);
    await page.keyboard.press('4');
    await page.keyboard.press(' ');
    assert.equal(await page.evaluate(() => window.__demoPage.player().speed), 0.05);
    await page.keyboard.press('1');
    await waitFor(page, () => window.__demoPage.summary().states.client === 'ESTABLISHED');
    await page.keyboard.press('?');
    assert.equal(await page.locator('#help').evaluate((d) => d.open), true);
  });
});

test('slow motion: at 1/20 speed the handshake unfolds over seconds, then real time catches up', { timeout: 60_000 }, async () => {
  await withPage('', async (page) => {
    await start(page, { delay: 40 });
    await page.keyboard.press('4');
    const t0 = Date.now();
    await page.keyboard.press('c');
    const tcpFrames = () => page.evaluate(() => window.__demoPage.player().records.filter((r) => r.kind === 'frame' && r.pkt.proto === 'tcp').length);
    await waitFor(page, () => window.__demoPage.player().records.filter((r) => r.kind === 'frame' && r.pkt.proto === 'tcp').length >= 3);
    assert.ok((await summary(page)).segments.length < 3, 'the views lag behind in slow motion');
    assert.ok(await tcpFrames() >= 3);
    await waitFor(page, () => window.__demoPage.summary().segments.length >= 3, null, 20_000);
    const took = Date.now() - t0;
    assert.ok(took >= 1000, `the handshake (80 ms of round trip) took ${took} ms to show`);
    await shows(page, '#waiting', /slow motion/);
    await page.keyboard.press('1');
    await waitFor(page, () => window.__demoPage.player().waiting === 0);
  });
});

/* ---- network mode: websockify + synack-bridge --slirp to a host server ---- */

test('network: the page reaches an HTTP server on this host through websockify and synack-bridge', { timeout: 90_000 }, async () => {
  await withBridge((req, res) => res.end(`hello from the host, you asked for ${req.url}\n`), async (query) => {
    await withPage(query, async (page) => {
      await page.click('#start');
      await waitFor(page, () => /by DHCP/.test(document.getElementById('status').textContent));
      assert.match(await page.locator('#status').textContent(), /client 10\.0\.2\.\d+\/24 by DHCP/);
      await connect(page);
      await page.click('#get');
      await waitFor(page, () => /hello from the host/.test(document.getElementById('received').textContent));
      await waitFor(page, () => window.__demoPage.session().peerClosed);
      assert.match(await page.locator('#received').textContent(), /^HTTP\/1\.1 200 OK[^]*hello from the host, you asked for \//);
      const s = await summary(page);
      const f = s.segments.map((x) => `${x.from} ${x.flags}`);
      assert.deepEqual(f.slice(0, 3), ['client S', 'server SA', 'client A'], f.join(', '));
      assert.ok(s.segments.some((x) => x.from === 'server' && x.len > 0), 'data from the host server');
      assert.ok(s.segments.some((x) => x.from === 'server' && x.flags.includes('F')), 'FIN from the host server');
      assert.equal(s.tuple.sAddr, '10.0.2.2');
      assert.ok(s.passed.client.includes('ESTABLISHED'));
      assert.equal(s.states.client, 'CLOSE-WAIT', 'the host closed first');
      await shot(page, 'network');
      await page.click('#close');
      await waitFor(page, () => window.__demoPage.summary().states.client === 'CLOSED');
      assert.deepEqual((await summary(page)).passed.client.slice(-3), ['CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
    });
  });
});

/* ---- network mode's targets: PostgreSQL, closed, SYN-dropping, reset ---- */

/* TCP payloads of the frames the client's interface saw: { dir: 'out'|'in', port (the host's), bytes }. */
const payloads = (page) => page.evaluate(() => window.__demoPage.session().pcapRecords().flatMap(({ frame: b }) => {
  if (b.length < 54 || ((b[12] << 8) | b[13]) !== 0x0800 || b[23] !== 6) return [];
  const ihl = (b[14] & 15) * 4;
  const total = (b[16] << 8) | b[17];
  const t = 14 + ihl;
  const hlen = (b[t + 12] >> 4) * 4;
  const bytes = [...b.subarray(t + hlen, 14 + total)];
  if (!bytes.length) return [];
  const out = b[26] !== 10 || b[27] !== 0 || b[28] !== 2 || b[29] !== 2; /* source is not 10.0.2.2 */
  return [{ dir: out ? 'out' : 'in', port: out ? (b[t + 2] << 8) | b[t + 3] : (b[t] << 8) | b[t + 1], bytes }];
}));

test('network targets: PostgreSQL\'s handshake and first messages, then refused, timed out and reset, through the bridge', { timeout: 90_000 }, async () => {
  await withDemoTargets(async (query) => {
    const port = (k) => Number(new URLSearchParams(query).get(k));
    await withPage(query, async (page) => {
      const labels = await page.locator('#net-target option').allTextContents();
      assert.ok(labels.includes(`PostgreSQL (10.0.2.2:${port('pg')})`), labels.join(' | '));
      await page.click('#start');
      await waitFor(page, () => /by DHCP/.test(document.getElementById('status').textContent));

      /* PostgreSQL: the real handshake, an SSLRequest answered 'N', a StartupMessage answered R ... Z. */
      await page.selectOption('#net-target', 'pg');
      assert.equal(await page.inputValue('#target'), `10.0.2.2:${port('pg')}`);
      await connect(page);
      assert.ok(await page.isVisible('#pg-ssl'));
      await page.click('#pg-ssl');
      await waitFor(page, () => document.getElementById('received').textContent === 'N');
      await page.click('#pg-startup');
      await waitFor(page, () => /server_version[^]*Z/.test(document.getElementById('received').textContent));
      let s = await summary(page);
      assert.equal(s.tuple.sAddr, '10.0.2.2');
      assert.equal(s.tuple.sPort, port('pg'));
      assert.deepEqual(s.segments.slice(0, 3).map((x) => `${x.from} ${x.flags}`), ['client S', 'server SA', 'client A']);
      const data = s.segments.filter((x) => x.len > 0).map((x) => `${x.from} ${x.len}`);
      assert.deepEqual(data.slice(0, 3), ['client 8', 'server 1', `client ${data[2]?.split(' ')[1]}`], data.join(', '));
      assert.ok(s.segments.some((x) => x.from === 'server' && x.len > 20), 'the answer to the StartupMessage');
      const pl = (await payloads(page)).filter((p) => p.port === port('pg'));
      assert.deepEqual(pl[0], { dir: 'out', port: port('pg'), bytes: [0, 0, 0, 8, 4, 210, 22, 47] }, 'SSLRequest: length 8, code 80877103');
      assert.deepEqual(pl[1], { dir: 'in', port: port('pg'), bytes: [78] }, 'the server answers N');
      assert.deepEqual(pl[2].bytes.slice(4, 8), [0, 3, 0, 0], 'StartupMessage, protocol 3.0');
      assert.equal(pl[3].dir, 'in');
      assert.equal(String.fromCharCode(pl[3].bytes[0]), 'R', 'authentication first');
      const story = await page.locator('#story').textContent();
      assert.match(story, new RegExp(`The connection to PostgreSQL \\(10\\.0\\.2\\.2:${port('pg')}\\) is open`));
      await shot(page, 'network-postgresql');
      await page.click('#close');
      await waitFor(page, () => !window.__demoPage.session().sock, null, 10_000);
      assert.ok((await summary(page)).segments.some((x) => x.from === 'server' && x.flags.includes('F')), 'PostgreSQL closes too');

      /* The closed port: the host's RST, passed on by slirp. */
      await page.selectOption('#net-target', 'closed');
      await page.click('#connect');
      await waitFor(page, () => /refused/.test(document.getElementById('status').textContent));
      s = await summary(page);
      assert.equal(s.tuple.sPort, port('closed'));
      assert.deepEqual(s.segments.map((x) => `${x.from} ${x.flags}`), ['client S', 'server RA']);
      assert.deepEqual(s.errors, ['refused']);
      assert.match(await page.locator('#story').textContent(), /Connection refused: nothing listens on a closed port/);

      /* The SYN-dropping port: no answer at all, four SYNs, then ETIMEDOUT. */
      await page.selectOption('#net-target', 'silent');
      const t0 = Date.now();
      await page.click('#connect');
      await waitFor(page, () => /timed out/.test(document.getElementById('status').textContent), null, 30_000);
      s = await summary(page);
      assert.equal(s.tuple.sPort, port('silent'));
      assert.deepEqual(s.segments.map((x) => `${x.from} ${x.flags}`), ['client S', 'client S', 'client S', 'client S']);
      assert.ok(s.segments.every((x) => x.fate === null), 'the SYNs left the page: the host dropped them');
      assert.deepEqual(s.errors, ['timeout']);
      assert.ok(Date.now() - t0 < 15_000, `timed out in ${Date.now() - t0} ms`);
      assert.match(await page.locator('#story').textContent(), /Timed out: the SYNs to a SYN-dropping port .* got no answer, as when a firewall drops them/);
      await shot(page, 'network-timeout');

      /* Reset: make demo's server aborts the connection at GET /reset. */
      await page.selectOption('#net-target', 'reset');
      await page.click('#connect');
      await waitFor(page, () => /reset/.test(document.getElementById('status').textContent), null, 10_000);
      s = await summary(page);
      assert.ok(s.passed.client.includes('ESTABLISHED'));
      assert.ok(s.segments.some((x) => x.from === 'client' && x.len > 0), 'the request went out');
      assert.ok(s.segments.some((x) => x.from === 'server' && x.flags.includes('R')), 'RST from the host');
      assert.deepEqual(s.errors, ['reset']);
      /* The story is drawn on the next frame, after the status line. */
      await shows(page, '#story', /Reset: the HTTP server's \/reset .* aborted the connection/);

      /* HTTPS: TLS in the page to make demo's server speaking Python's ssl;
       * the ladder names each record from the TCP payload bytes. */
      await page.selectOption('#net-target', 'https');
      assert.equal(await page.inputValue('#target'), `10.0.2.2:${port('https')}`);
      await connect(page);
      await page.click('#get');
      await waitFor(page, () => /HTTP\/1\.0 200 OK[^]*<!doctype html>/i.test(document.getElementById('received').textContent), null, 10_000);
      await waitFor(page, () => window.__demoPage.session().peerClosed, null, 10_000);
      s = await summary(page);
      assert.equal(s.tuple.sPort, port('https'));
      const named = (from) => s.segments.filter((x) => x.from === from && x.tls).flatMap((x) => x.tls);
      assert.deepEqual(named('client').slice(0, 5), ['ClientHello', 'ClientKeyExchange', 'ChangeCipherSpec', 'Finished', 'ApplicationData'],
        named('client').join(', '));
      assert.deepEqual(named('server').slice(0, 7), ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone',
        'ChangeCipherSpec', 'Finished', 'ApplicationData'], named('server').join(', '));
      assert.ok(named('server').includes('Alert'), 'close_notify from the server');
      const hello = s.segments.find((x) => x.tls?.includes('ClientHello'));
      assert.match(hello.text, /ClientHello: the client proposes TLS 1\.2, offers 6 cipher suites and names the server it wants, server\.test/);
      assert.match(s.segments.find((x) => x.tls?.includes('ServerHello')).text, /picks TLS 1\.2 and the cipher suite ECDHE-ECDSA with (AES-\d+-GCM|ChaCha20-Poly1305)/);
      const tlsStory = await page.locator('#story').textContent();
      assert.match(tlsStory, /The TLS connection to the HTTPS server .* is open \(TLSv1\.2, TLS_ECDHE_ECDSA_WITH_\w+\)/);
      assert.match(tlsStory, /It carries TLS ServerHello, Certificate, ServerKeyExchange, ServerHelloDone\./);
      /* On the wire the request and the page are ciphertext only. */
      const wire = (await payloads(page)).filter((p) => p.port === port('https'));
      assert.ok(wire.length >= 6);
      const text = Buffer.from(wire.flatMap((p) => p.bytes)).toString('latin1');
      assert.ok(!text.includes('GET /') && !text.includes('HTTP/1.0 200'), 'no plaintext on the wire');
      /* The ladder's label and the segment's details say it too. */
      /* The handshake's data segments are a collapsed run: open it. */
      await page.locator('#ladder g.group').first().click();
      await waitFor(page, () => document.querySelectorAll('#ladder g.seg').length > 9, null, 5_000);
      const ladderLabels = await page.locator('#ladder g.seg text.label').allTextContents();
      assert.ok(ladderLabels.some((l) => / TLS ClientHello$/.test(l)), ladderLabels.join(' | '));
      await shot(page, 'network-https');
    });
  });
  /* make demo without PostgreSQL passes pg=none: the target is listed as unavailable. */
  await withPage('?mode=network&pg=none', async (page) => {
    const pg = page.locator('#net-target option[value=pg]');
    assert.equal(await pg.textContent(), 'PostgreSQL: unavailable (not installed on this host)');
    assert.ok(await pg.isDisabled());
  });
});
