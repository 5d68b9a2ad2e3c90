// The demo page's IPv6 switch in Chromium (playwright-core, /usr/bin/chromium):
// standalone, the two stacks' link-local and static addresses with their
// states, duplicate address detection, MLD reports and address resolution
// in the ladder before a connection over IPv6 whose echo comes back; network,
// make demo's web server (scripts/demo-http.py, on 127.0.0.1 and ::1) through
// synack-bridge --slirp and websockify: slirp's router advertisement, a
// SLAAC address in fd00:5ac::/64, and GET / over IPv6 from fd00:5ac::2 (the
// host's ::1) whose body has the SHA-256 of the served index.html. Every
// process is stopped by PID (page.mjs). The decoder's own test is ndp.test.mjs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WEB, overflow, rendered, setUp, shot, summary, tearDown, waitFor, withDemoServer, withPage } from './page.mjs';

before(setUp);
after(tearDown);

/* The addresses table: [[stack, address/prefix, origin, state]]. */
const addrs = (page) => page.$$eval('#addrs tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
const labels = (page) => page.$$eval('#ladder g.seg .label', (l) => l.map((x) => x.textContent));

test('IPv6 standalone: addresses with their states, DAD, MLD, NS/NA in the ladder, a connection over IPv6', { timeout: 60_000 }, async () => {
  await withPage('?ip6=1', async (page) => {
    assert.equal(await page.isChecked('#ip6'), true);
    await page.click('#start');
    /* Tentative while duplicate address detection runs (both stacks start with it). */
    await waitFor(page, () => [...document.querySelectorAll('#addrs td')].some((td) => td.textContent === 'tentative'), null, 5_000);
    await waitFor(page, () => /Connections go over IPv6/.test(document.getElementById('status').textContent), null, 15_000);
    assert.match(await page.locator('#status').textContent(), /client 10\.9\.0\.1 and fd00:9::1 — server 10\.9\.0\.2 and fd00:9::2/);
    await waitFor(page, () => [...document.querySelectorAll('#addrs tbody tr')].filter((r) => r.cells[3].textContent === 'preferred').length >= 4, null, 10_000);
    const table = await addrs(page);
    for (const side of ['client', 'server']) {
      assert.ok(table.some(([s, a, o, st]) => s === side && /^fe80::[0-9a-f:]+\/64$/.test(a) && o === 'link-local' && st === 'preferred'), JSON.stringify(table));
      assert.ok(table.some(([s, a, o, st]) => s === side && a === `fd00:9::${side === 'client' ? 1 : 2}/64` && o === 'static' && st === 'preferred'), JSON.stringify(table));
    }
    await page.click('#connect');
    await waitFor(page, () => !document.getElementById('send').disabled);
    await page.fill('#bytes', '5000');
    await page.click('#send');
    await waitFor(page, () => window.__demoPage.session().received >= 5000);
    await page.click('#close');
    await waitFor(page, () => window.__demoPage.summary().states.client === 'TIME-WAIT', null, 10_000);
    const s = await summary(page);
    assert.deepEqual(s.tuple && [s.tuple.cAddr, s.tuple.sAddr], ['fd00:9::1', 'fd00:9::2']);
    const tcp = s.segments.filter((x) => !x.ndp);
    assert.deepEqual(tcp.slice(0, 3).map((x) => `${x.from} ${x.flags}`), ['client S', 'server SA', 'client A']);
    const ndp = s.segments.filter((x) => x.ndp);
    const has = (from, re) => ndp.some((x) => x.from === from && re.test(x.ndp.short) );
    for (const side of ['client', 'server']) {
      assert.ok(ndp.some((x) => x.from === side && x.ndp.name === 'Neighbour Solicitation (DAD)' && x.ndp.src === '::'), `${side} DAD`);
      assert.ok(has(side, /^MLDv2 report$/), `${side} MLD`);
    }
    assert.ok(has('client', /^NDP NS fd00:9::2$/), 'client resolves the server');
    assert.ok(has('server', /^NDP NA fd00:9::2$/), 'the server answers');
    /* Address resolution comes before the SYN. */
    const iNs = s.segments.findIndex((x) => x.ndp?.short === 'NDP NS fd00:9::2');
    assert.ok(iNs >= 0 && iNs < s.segments.findIndex((x) => x.flags === 'S'));
    await rendered(page);
    const l = await labels(page);
    assert.ok(l.some((x) => /^NDP NS DAD fd00:9::1$/.test(x)) && l.some((x) => x === 'MLDv2 report'), l.join(' | '));
    /* A row's details: the message explained, its fields. */
    await page.locator('#ladder g.seg.ndp', { hasText: 'NDP NS DAD fd00:9::1' }).first().click();
    const details = await page.locator('#details').textContent();
    assert.match(details, /Duplicate address detection[^]*unspecified address ::[^]*target\s*fd00:9::1/);
    assert.match(await page.locator('#story').textContent(), /Neighbour advertisement: "fd00:9::2 is at/);
    await shot(page, 'ipv6-standalone');
    /* The addresses table and the NDP labels fit a tablet too. */
    await page.setViewportSize({ width: 768, height: 1000 });
    await rendered(page);
    assert.ok(await overflow(page) <= 0, 'no horizontal overflow at 768 px');
    await shot(page, 'ipv6-standalone-768');
  });
});

test('IPv6 network: slirp\'s router advertisement, a SLAAC address, GET / over IPv6 from the host\'s ::1 (SHA-256 checked)', { timeout: 60_000 }, async () => {
  const want = createHash('sha256').update(readFileSync(join(WEB, 'index.html'))).digest('hex');
  await withDemoServer(async (query, port) => {
    await withPage(`${query}&ip6=1`, async (page) => {
      assert.equal(await page.inputValue('#target'), `[fd00:5ac::2]:${port}`);
      await page.click('#start');
      await waitFor(page, () => /by SLAAC/.test(document.getElementById('status').textContent), null, 20_000);
      assert.match(await page.locator('#status').textContent(), /IPv6 fd00:5ac::[0-9a-f:]+ by SLAAC; server \[fd00:5ac::2\]:\d+$/);
      const table = await addrs(page);
      assert.ok(table.some(([s, a, o, st]) => s === 'client' && /^fd00:5ac::[0-9a-f:]+\/64$/.test(a) && o === 'slaac' && st === 'preferred'), JSON.stringify(table));
      assert.ok(table.some(([, a, o]) => /^fe80::/.test(a) && o === 'link-local'), JSON.stringify(table));
      await page.click('#connect');
      await waitFor(page, () => !document.getElementById('get').disabled, null, 10_000);
      await page.click('#get');
      await waitFor(page, () => window.__demoPage.session().peerClosed, null, 15_000);
      const got = await page.evaluate(() => window.__demoPage.bodyHash());
      assert.equal(got.sha256, want, `body of ${got.length} bytes`);
      const s = await summary(page);
      assert.equal(s.tuple.sAddr, 'fd00:5ac::2');
      assert.match(s.tuple.cAddr, /^fd00:5ac::/);
      const ndp = s.segments.filter((x) => x.ndp);
      assert.ok(ndp.some((x) => x.from === 'client' && x.ndp.short === 'NDP RS'), 'RS');
      const ra = ndp.find((x) => x.from === 'server' && x.ndp.short === 'NDP RA');
      assert.ok(ra && ra.ndp.src === 'fe80::2', 'RA from slirp');
      assert.match(ra.text, /prefix fd00:5ac::\/64 for SLAAC/);
      assert.ok(ndp.some((x) => x.from === 'client' && x.ndp.name === 'Neighbour Solicitation (DAD)'), 'DAD');
      const tcp = s.segments.filter((x) => !x.ndp);
      assert.deepEqual(tcp.slice(0, 3).map((x) => `${x.from} ${x.flags}`), ['client S', 'server SA', 'client A']);
      assert.ok(tcp.some((x) => x.from === 'server' && x.flags.includes('F')), 'the host\'s FIN');
      await rendered(page);
      const l = await labels(page);
      assert.ok(l.includes('NDP RA') && l.includes('NDP RS'), l.join(' | '));
      await shot(page, 'ipv6-network');
    });
  });
});
