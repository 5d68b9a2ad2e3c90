// The Learn panel's lessons in Chromium: each is opened by its own link
// (index.html#lesson=<name>), run step by step to each pause (answering
// nothing: Next runs the step), and at each pause the test asserts on the
// page's model (window.__demoPage.summary()) what the lesson claims. One
// screenshot per lesson at 1440 px and at 768 px goes to $DEMO_SHOTS
// (lesson-<name>-1440.png, lesson-<name>-768.png). `diagnostics` runs
// again in network mode, through websockify and synack-bridge --slirp to
// make demo's own web server (scripts/demo-http.py).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { SHOTS, overflow, setUp, summary, tearDown, waitFor, withDemoServer, withPage } from './page.mjs';

before(setUp);
after(tearDown);

const lesson = (page) => page.evaluate(() => window.__demoPage.lesson());

/* Wait for step k's question or pause; answer a question by pressing Next. Returns the summary at the pause. */
async function toPause(page, k, timeout = 30_000) {
  await waitFor(page, (step) => {
    const l = window.__demoPage.lesson();
    return l && (l.phase === 'error' || (l.step === step && ['question', 'paused'].includes(l.phase)));
  }, k, timeout);
  let l = await lesson(page);
  if (l.phase === 'question') {
    await page.click('#lesson-next');
    await waitFor(page, (step) => {
      const x = window.__demoPage.lesson();
      return x.phase === 'error' || (x.step === step && x.phase === 'paused');
    }, k, timeout);
    l = await lesson(page);
  }
  assert.equal(l.phase, 'paused', `step ${k + 1}: ${l.error}`);
  return summary(page);
}

async function next(page) {
  await page.click('#lesson-next');
}

/*
 * Run lesson `name`: checks[k](summary, page) at the pause of step k. The
 * screenshots are taken at step `shotAt` (default: the last).
 */
async function runLesson(page, name, checks, shotAt = checks.length - 1) {
  const first = await lesson(page);
  assert.equal(first?.name, name);
  assert.equal(first.steps, checks.length, 'one check per step');
  for (let k = 0; k < checks.length; k++) {
    const s = await toPause(page, k);
    await checks[k](s, page);
    const text = await page.locator('#lesson-text').textContent();
    assert.ok(text.length > 80, `step ${k + 1} explains: ${text}`);
    assert.ok(await page.locator('.highlight').count() === 1, 'one view highlighted');
    if (k === shotAt) {
      await page.screenshot({ path: join(SHOTS, `lesson-${name}-1440.png`) });
      await page.setViewportSize({ width: 768, height: 1024 });
      await page.waitForTimeout(250);
      const over = await overflow(page);
      assert.ok(over <= 0, `${name}: wider than 768 px by ${over} px`);
      await page.screenshot({ path: join(SHOTS, `lesson-${name}-768.png`) });
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    await next(page);
  }
  await waitFor(page, () => window.__demoPage.lesson().phase === 'done', null, 10_000);
}

const open = (name, fn, query = '') => withPage(`${query}#lesson=${name}`, fn);
const by = (segs, from, pred = () => true) => segs.filter((x) => x.from === from && pred(x));
const before_ = (a, b) => a.n < b.n;

test('lesson handshake: SYN, SYN-ACK, ACK with both ISNs', { timeout: 60_000 }, async () => {
  await open('handshake', (page) => runLesson(page, 'handshake', [
    async (s, page) => {
      const [syn, synAck, ack] = s.segments;
      assert.deepEqual(s.segments.slice(0, 3).map((x) => `${x.from} ${x.flags}`), ['client S', 'server SA', 'client A']);
      assert.equal(syn.abs.seq, s.isn.client);
      assert.equal(synAck.abs.seq, s.isn.server);
      assert.equal(synAck.abs.ack, (s.isn.client + 1) >>> 0, 'SYN-ACK acknowledges ISN + 1');
      assert.equal(ack.abs.ack, (s.isn.server + 1) >>> 0);
      assert.deepEqual(s.states, { client: 'ESTABLISHED', server: 'ESTABLISHED' });
      const text = await page.locator('#lesson-text').textContent();
      assert.ok(text.includes(String(s.isn.client)) && text.includes(String(s.isn.server)), 'both ISNs named');
      assert.equal(await page.locator('#ladder g.seg.marked').count(), 3);
      assert.match(await page.locator('#details h3').textContent(), /SA/);
    },
    async (s, page) => {
      assert.deepEqual(s.passed.client.slice(0, 3), ['CLOSED', 'SYN-SENT', 'ESTABLISHED']);
      assert.deepEqual(s.passed.server.slice(0, 3), ['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED']);
      assert.equal(await page.locator('#p-fsm.highlight').count(), 1);
    },
  ], 0).then(async () => {
    /* The end of a lesson links to the next one, which starts at once. */
    await page.click('#lesson-text a[href="#lesson=seq-ack"]');
    await waitFor(page, () => window.__demoPage.lesson()?.name === 'seq-ack' && window.__demoPage.lesson().phase === 'question');
    assert.equal(new URL(page.url()).hash, '#lesson=seq-ack');
  }));
});

test('lesson seq-ack: byte numbers and cumulative ACKs', { timeout: 60_000 }, async () => {
  await open('seq-ack', (page) => runLesson(page, 'seq-ack', [
    (s) => {
      const data = by(s.segments, 'client', (x) => x.len > 0)[0];
      assert.equal(data.seq, 1);
      assert.equal(data.len, 1000);
      const ack = by(s.segments, 'server', (x) => x.ack === 1001)[0];
      assert.ok(ack && before_(data, ack), 'the server acknowledges 1001');
    },
    (s) => {
      const data = by(s.segments, 'client', (x) => x.len > 0 && x.seq >= 1001);
      const acks = by(s.segments, 'server', (x) => x.ack > 1001 && x.len === 0);
      assert.equal(data.reduce((n, x) => n + x.len, 0), 5000);
      assert.ok(data.length >= 4, `${data.length} segments`);
      assert.equal(acks.at(-1).ack, 6001);
      assert.ok(acks.length <= data.length, `${acks.length} ACKs for ${data.length} segments`);
      /* Cumulative: each ACK names the end of a segment, and they never go back. */
      const ends = new Set(data.map((x) => x.seq + x.len));
      for (const a of acks) assert.ok(ends.has(a.ack), `ack ${a.ack} ends a segment`);
      assert.deepEqual(acks.map((a) => a.ack), [...acks.map((a) => a.ack)].sort((x, y) => x - y));
    },
  ]));
});

test('lesson window: several segments in flight, the window bar', { timeout: 60_000 }, async () => {
  await open('window', (page) => runLesson(page, 'window', [
    async (s, page) => {
      const w = s.lastWin.client;
      assert.ok(((w.snd_nxt - w.snd_una) >>> 0) >= 4 * 1460, JSON.stringify(w));
      const data = by(s.segments, 'client', (x) => x.len > 0);
      const firstAck = by(s.segments, 'server', (x) => x.ack > 1)[0];
      const unacked = data.filter((x) => !firstAck || before_(x, firstAck));
      assert.ok(unacked.length >= 4, `${unacked.length} segments before the first ACK`);
      assert.match(await page.locator('#win-client').textContent(), /in flight/);
      assert.equal(await page.locator('#p-windows.highlight').count(), 1);
    },
    (s) => {
      assert.ok(by(s.segments, 'server', (x) => x.ack >= 120001).length > 0);
    },
  ], 0));
});

test('lesson slow-start: cwnd doubles per RTT, then a loss sets ssthresh', { timeout: 60_000 }, async () => {
  await open('slow-start', (page) => runLesson(page, 'slow-start', [
    (s) => {
      const cc = s.ccSeries.client;
      const first = cc[0];
      const last = cc.at(-1);
      assert.ok(last.cwnd >= 8 * first.cwnd, `cwnd ${first.cwnd} -> ${last.cwnd}`);
      assert.ok(cc.every((c) => c.phase === 'slow-start' && c.ssthresh === null), 'slow start, no ssthresh yet');
      /* three doublings in at most four round trips */
      const rtt = Math.max(...cc.map((c) => c.srtt));
      assert.ok(last.t - first.t <= 4 * rtt + 50, `${last.t - first.t} ms for 8x, srtt ${rtt} ms`);
    },
    (s) => {
      const cc = s.ccSeries.client;
      const loss = cc.findIndex((c) => c.ssthresh !== null);
      assert.ok(loss > 0, 'ssthresh set after the loss');
      const peak = Math.max(...cc.slice(0, loss).map((c) => c.cwnd));
      assert.ok(cc[loss].ssthresh < peak, `ssthresh ${cc[loss].ssthresh} below the peak cwnd ${peak}`);
      assert.ok(cc.slice(loss).some((c) => c.phase === 'recovery'), 'fast recovery');
      assert.equal(cc.at(-1).phase, 'avoidance');
      assert.ok(s.segments.some((x) => x.fate === 'dropped'));
    },
  ]));
});

test('lesson timeout: the retransmission timer repairs a lost segment', { timeout: 60_000 }, async () => {
  await open('timeout', (page) => runLesson(page, 'timeout', [
    async (s, page) => {
      const lost = by(s.segments, 'client', (x) => x.fate === 'dropped' && x.len > 0 && !x.rexmit)[0];
      const probe = by(s.segments, 'client', (x) => x.fate === 'dropped' && x.len > 0 && x.rexmit)[0];
      const again = by(s.segments, 'client', (x) => x.rexmit && x.len > 0 && !x.fate)[0];
      assert.ok(lost && again && again.seq === lost.seq && before_(lost, again));
      /* the tail loss probe went first (and was dropped too); the RTO came after it */
      assert.ok(probe && probe.seq === lost.seq && before_(lost, probe) && before_(probe, again));
      /* A trace event is delivered after the frames of the same call: compare times, not record order. */
      const fired = s.timers.filter((t) => t.side === 'client' && t.name === 'rexmit' && t.t > probe.t && t.t <= again.t + 5);
      assert.equal(fired.length, 1, 'the rexmit timer fired before the retransmission');
      assert.equal(by(s.segments, 'server', (x) => x.n > lost.n && x.n < again.n).length, 0, 'no duplicate ACK');
      assert.ok(s.ccSeries.client.some((c) => c.rto > 0));
      assert.equal(await page.locator('#p-cc.highlight').count(), 1);
    },
  ]));
});

test('lesson fast-retransmit: three duplicate ACKs, then the retransmission before any RTO', { timeout: 60_000 }, async () => {
  await open('fast-retransmit', (page) => runLesson(page, 'fast-retransmit', [
    (s) => {
      const lost = by(s.segments, 'client', (x) => x.fate === 'dropped' && x.len > 0)[0];
      const again = by(s.segments, 'client', (x) => x.rexmit && x.len > 0)[0];
      assert.ok(lost && again && again.seq === lost.seq && before_(lost, again));
      const dups = by(s.segments, 'server', (x) => x.len === 0 && x.abs.ack === lost.abs.seq && x.n > lost.n && x.n < again.n);
      assert.ok(dups.length >= 3, `${dups.length} duplicate ACKs for ${lost.seq}`);
      assert.equal(new Set(dups.map((x) => x.ack)).size, 1, 'all with the same ACK number');
      const rto = s.timers.filter((t) => t.side === 'client' && t.name === 'rexmit' && t.t <= again.t + 5);
      assert.deepEqual(rto, [], 'no RTO before the retransmission');
    },
  ]));
});

test('lesson checksum: a corrupted segment is dropped as bad checksum and resent', { timeout: 60_000 }, async () => {
  await open('checksum', (page) => runLesson(page, 'checksum', [
    async (s, page) => {
      const bad = s.segments.find((x) => x.fate === 'corrupted');
      assert.ok(bad && bad.from === 'client' && bad.len > 0, 'a corrupted data segment');
      assert.equal(bad.checksumOk, false, 'its checksum is wrong');
      assert.ok(s.segments.filter((x) => x !== bad).every((x) => x.checksumOk), 'every other checksum is right');
      const drop = s.drops.find((d) => d.side === 'server' && d.reason === 'bad-checksum');
      assert.ok(drop && drop.n > bad.n, 'the server dropped it: bad-checksum');
      const again = by(s.segments, 'client', (x) => x.rexmit && x.seq === bad.seq && x.n > drop.n);
      assert.ok(again.length >= 1, 'resent');
      assert.match(await page.locator('#details').textContent(), /WRONG/);
      assert.match(await page.locator('#story').textContent(), /dropped a corrupted frame: its checksum was wrong/);
    },
  ]));
});

test('lesson flow-control: the window shrinks, closes (persist probes) and opens again', { timeout: 60_000 }, async () => {
  await open('flow-control', (page) => runLesson(page, 'flow-control', [
    (s) => {
      /* The stacks keep running while the lesson is paused, so the reader's
         next read may already have reopened the window by the time the test
         looks: assert that it shrank below half while still open, not where
         it stands now. */
      const wins = by(s.segments, 'server', (x) => x.ack > 1).map((x) => x.win);
      assert.ok(wins.some((w) => w > 0 && w < Math.max(...wins) / 2), `the window shrank: ${wins.join(' ')}`);
    },
    (s) => {
      assert.ok(by(s.segments, 'server', (x) => x.win === 0).length > 0, 'zero window');
      const zero = by(s.segments, 'server', (x) => x.win === 0)[0];
      const probes = by(s.segments, 'client', (x) => x.probe && x.n > zero.n);
      assert.ok(probes.length > 0, 'a window probe after the zero window');
      assert.ok(s.timers.some((t) => t.side === 'client' && t.name === 'persist' && t.t <= probes[0].t + 5), 'sent by the persist timer');
    },
    (s) => {
      assert.ok(by(s.segments, 'server', (x) => x.windowOpened).length > 0, 'window update');
    },
  ], 1));
});

test('lesson teardown: FIN/ACK each way, data after the first FIN', { timeout: 60_000 }, async () => {
  await open('teardown', (page) => runLesson(page, 'teardown', [
    (s) => {
      assert.equal(s.states.client, 'FIN-WAIT-2');
      assert.equal(s.states.server, 'CLOSE-WAIT');
    },
    (s) => {
      const fin = by(s.segments, 'client', (x) => x.flags.includes('F'))[0];
      assert.ok(by(s.segments, 'server', (x) => x.len > 0 && x.n > fin.n).length > 0, 'data after the FIN');
    },
    (s) => {
      const segs = s.segments;
      const finC = by(segs, 'client', (x) => x.flags.includes('F'))[0];
      const ackC = by(segs, 'server', (x) => x.ack === finC.seq + finC.len + 1)[0];
      const data = by(segs, 'server', (x) => x.len > 0 && x.n > ackC.n);
      const finS = by(segs, 'server', (x) => x.flags.includes('F'))[0];
      const ackS = by(segs, 'client', (x) => x.ack === finS.seq + finS.len + 1)[0];
      assert.ok(before_(finC, ackC) && data.length > 0 && before_(data[0], finS) && before_(finS, ackS), 'FIN, ACK, data, FIN, ACK');
      assert.equal(data.reduce((n, x) => n + x.len, 0), 20000);
      assert.ok(s.passed.client.includes('FIN-WAIT-2') && ['TIME-WAIT', 'CLOSED'].includes(s.states.client));
      assert.deepEqual(s.passed.server.slice(-3), ['CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
    },
  ], 1));
});

test('lesson time-wait: bind refused ("address in use") during TIME-WAIT, accepted after', { timeout: 60_000 }, async () => {
  await open('time-wait', (page) => runLesson(page, 'time-wait', [
    async (s, page) => {
      assert.equal(s.states.server, 'TIME-WAIT', 'the server closed first');
      assert.equal(s.binds.length, 1);
      assert.deepEqual({ ok: s.binds[0].ok, code: s.binds[0].code, state: s.binds[0].serverState },
        { ok: false, code: 'addrinuse', state: 'TIME-WAIT' });
      assert.match(await page.locator('#fsm-server .countdown').textContent(), /TIME-WAIT: closes in \d+\.\d s/);
      assert.match(await page.locator('#story').textContent(), /Address already in use/);
    },
    (s) => {
      assert.equal(s.binds.length, 2);
      assert.deepEqual({ ok: s.binds[1].ok, state: s.binds[1].serverState }, { ok: true, state: 'CLOSED' });
      assert.ok(s.binds[1].t - s.binds[0].t > 1000);
    },
  ], 0));
});

/* The three errors; network mode sends GET /reset for the third, which make demo's server answers with RST. */
const diagnostics = (page, name) => runLesson(page, name, [
  (s) => {
    assert.deepEqual(s.segments.map((x) => `${x.from} ${x.flags}`), ['client S', 'server RA']);
    assert.deepEqual(s.errors, ['refused']);
  },
  (s) => {
    assert.ok(s.segments.length >= 3 && s.segments.every((x) => x.flags === 'S' && x.fate === 'filtered'));
    assert.ok(s.segments.slice(1).every((x) => x.rexmit));
    assert.deepEqual(s.errors, ['timeout']);
  },
  (s) => {
    assert.ok(s.passed.client.includes('ESTABLISHED'));
    assert.ok(by(s.segments, 'server', (x) => x.flags.includes('R')).length > 0, 'RST from the server');
    assert.deepEqual(s.errors, ['reset']);
  },
]);

test('lesson diagnostics: refused, timed out, reset', { timeout: 60_000 }, async () => {
  await open('diagnostics', (page) => diagnostics(page, 'diagnostics'));
});

test('lesson diagnostics in network mode, through websockify and synack-bridge to make demo\'s server', { timeout: 90_000 }, async () => {
  await withDemoServer((query) => open('diagnostics', async (page) => {
    await diagnostics(page, 'diagnostics');
    assert.equal((await summary(page)).tuple.sAddr, '10.0.2.2');
    await page.screenshot({ path: join(SHOTS, 'lesson-diagnostics-network-1440.png') });
  }, query));
});

test('every control has an accessible name; the page follows dark mode', { timeout: 30_000 }, async () => {
  await withPage('', async (page) => {
    const unnamed = await page.evaluate(() => {
      const name = (e) => e.getAttribute('aria-label') || (e.getAttribute('aria-labelledby')
        && document.getElementById(e.getAttribute('aria-labelledby'))?.textContent)
        || (e.id && document.querySelector(`label[for="${e.id}"]`)?.textContent) || e.closest('label')?.textContent
        || (['BUTTON', 'A', 'SUMMARY'].includes(e.tagName) && e.textContent) || e.getAttribute('title') || '';
      return [...document.querySelectorAll('button, input, select, textarea, a[href], summary, canvas')]
        .filter((e) => !name(e).trim()).map((e) => e.outerHTML.slice(0, 80));
    });
    assert.deepEqual(unnamed, []);
    assert.equal(await page.locator('#lesson-list a').count(), 11);
  });
  await withPage('#lesson=handshake', async (page) => {
    await toPause(page, 0);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 150, `dark background: ${bg}`);
    await page.screenshot({ path: join(SHOTS, 'lesson-handshake-dark-1440.png') });
  }, { width: 1440, height: 900 }, { colorScheme: 'dark' });
});
