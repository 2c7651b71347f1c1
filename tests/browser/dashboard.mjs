// The dashboard in headless Debian chromium, driven by playwright-core
// (tests/integration/test_dashboard.sh starts tmon-sim and tmond first).
//
//   node dashboard.mjs PHASE BASE_URL OUT_DIR [RECEIPT_FILE]
//
// PHASE "main": the overview lists every model (simulated ones marked),
// sim/rollout's timeline shows its compose roll-out as "unexplained", a
// probe page's evidence links download the blob's exact bytes, the entry
// and its inclusion proof (checked in the page) are shown, the event feed
// and the failures list render, a receipt file submitted through the page
// is answered 201 and its lookup shows the verdict and the proof.
// PHASE "allow": sim/rollout's roll-out shows as "allowlisted" (the
// schedule allow-lists the new compose hash), never as "unexplained".
// Every page: no console error, no page error, no CSP violation; a
// screenshot at desktop (1280x800) and phone (390x844) width in OUT_DIR.
// Prints "ok: ..." / "FAIL: ..." lines; exit status 0 when all passed.
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [phase, base, out, receiptFile] = process.argv.slice(2);
if (!phase || !base || !out) {
  console.error('usage: dashboard.mjs main|allow BASE_URL OUT_DIR [RECEIPT_FILE]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
let fails = 0;
const ok = m => console.log('ok: ' + m);
const fail = m => { console.log('FAIL: ' + m); fails++; };
const check = (c, m, why) => (c ? ok(m) : fail(m + (why ? ': ' + why : '')));

const WAIT = 30000; // generous: tmond runs under ASan on a loaded machine
const profile = mkdtempSync(join(tmpdir(), 'tmon-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  acceptDownloads: true,
  timeout: 60000,
});
await browser.addInitScript(() => {
  document.addEventListener('securitypolicyviolation', e => {
    console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
  });
});

const problems = [];
let receiptSeq = null; // the receipt submitted at the first width
async function newPage(width, height) {
  const page = await browser.newPage();
  await page.setViewportSize({ width, height });
  const ctx = page;
  page.on('console', m => {
    if (m.type() === 'error' || m.type() === 'warning') {
      problems.push(`${width}px ${page.url()}: console ${m.type()}: ${m.text()}`);
    }
  });
  page.on('pageerror', e => problems.push(`${width}px ${page.url()}: page error: ${e.message}`));
  return { ctx, page };
}

async function api(path) {
  const r = await fetch(base + path);
  return { status: r.status, json: r.ok ? await r.json() : null };
}

async function go(page, route, ready) {
  await page.goto(base + '/#' + route);
  await page.waitForSelector(ready, { timeout: WAIT });
}

/* Run one part of the test; an exception fails it, not the rest. */
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    fail(name + ': ' + String(e && e.message ? e.message : e).split('\n').slice(0, 3).join(' '));
  }
}

async function shoot(page, name) {
  const w = page.viewportSize().width;
  await page.screenshot({ path: join(out, `${name}-${w}.png`), fullPage: true });
}

try {
  const models = (await api('/api/v1/models')).json.models.map(m => m.model);
  const rollout = 'sim/rollout';
  const routeRollout = '/model/' + encodeURIComponent(rollout);
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    const { ctx, page } = await newPage(w, h);
    if (phase === 'allow') {
      await go(page, routeRollout, 'ol.timeline');
      const cls = await page.$$eval('ol.timeline .event .cbadge', es => es.map(e => e.textContent));
      check(cls.includes('allowlisted'), `${w}px: ${rollout}'s roll-out is on its timeline as allowlisted`,
        'classes ' + JSON.stringify(cls));
      check(!cls.includes('unexplained'), `${w}px: and not as unexplained`);
      await shoot(page, 'model-allowlisted');
      await ctx.close();
      continue;
    }

    // overview: a tile per model, simulated ones marked
    await step(`${w}px: overview`, async () => {
      await go(page, '/', '.tile');
      const tiles = await page.$$eval('.tile', ts => ts.map(t => ({
        model: t.querySelector('h3 .model')?.textContent,
        sim: t.querySelector('.sim')?.textContent ?? null,
        daily: t.querySelector('svg.daily rect') !== null,
      })));
      const names = tiles.map(t => t.model);
      check(models.every(m => names.includes(m)) && names.length === models.length,
        `${w}px: the overview has one tile per model (${names.join(', ')})`);
      check(tiles.every(t => !t.model.startsWith('sim/') || t.sim === 'simulated, test PKI'),
        `${w}px: every sim/ tile is marked "simulated, test PKI"`);
      check(tiles.every(t => t.daily), `${w}px: every tile has its 90-day bar`);
      const wk = await page.$eval('.tile:has(a[href="#/model/sim%2Fwrong-key"]) ul.failed',
        e => e.textContent).catch(() => null);
      check(wk !== null && /not signed by the attested key/.test(wk),
        `${w}px: sim/wrong-key's tile says what failed in plain words`, String(wk));
      await shoot(page, 'overview');

    });
    // the model page: roll-out on the timeline as unexplained
    await step(`${w}px: model page`, async () => {
      await go(page, routeRollout, 'ol.timeline');
      const cls = await page.$$eval('ol.timeline .event .cbadge', es => es.map(e => e.textContent));
      check(cls.includes('unexplained'), `${w}px: ${rollout}'s compose roll-out is on its timeline as unexplained`,
        'classes ' + JSON.stringify(cls));
      const diff = await page.$$eval('.event.c-unexplained table.diff td.mono', es => es.map(e => e.textContent));
      check(diff.includes('app.compose_hash'), `${w}px: the unexplained event names app.compose_hash with before and after`,
        JSON.stringify(diff));
      check(await page.$('svg.timechart rect.e-mark.c-unexplained') !== null,
        `${w}px: the chart marks the unexplained change`);
      check(await page.$('dl.measurement') !== null && await page.$('table.replicas') !== null,
        `${w}px: the current measurement with its layers and replicas`);
      await shoot(page, 'model');

    });
    // the probe page: checks, evidence that downloads, entry, proof
    await step(`${w}px: probe page`, async () => {
      await go(page, routeRollout, '#last-probe');
      const probeHref = await page.$eval('#last-probe', a => a.getAttribute('href'));
      await page.click('#last-probe');
      await page.waitForSelector('ul.evidence a.blob', { timeout: WAIT });
      check(await page.$('table.checks') !== null, `${w}px: ${probeHref} shows its checks`);
      const links = await page.$$eval('ul.evidence a.blob', as => as.map(a => a.getAttribute('href')));
      let good = 0;
      for (const href of links) {
        const [dl] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }),
          page.click(`ul.evidence a.blob[href="${href}"]`)]);
        const path = await dl.path();
        const got = readFileSync(path);
        const want = Buffer.from(await (await fetch(base + '/' + href)).arrayBuffer());
        const sha = href.split('/').pop();
        if (got.equals(want) && createHash('sha256').update(got).digest('hex') === sha) good++;
        else fail(`${w}px: ${href} downloaded ${got.length} bytes that are not the blob`);
      }
      check(links.length > 0 && good === links.length,
        `${w}px: ${links.length} evidence links download the blobs' exact bytes`);
      check(await page.$('a[href^="api/v1/entries/"]') !== null, `${w}px: the probe links its log entry`);
      // the page waits for a checkpoint over the entry (every 2 s)
      await page.waitForSelector('ul.checked li', { timeout: 40000 });
      const proof = await page.$eval('ul.checked', e => e.textContent);
      check(/Checked in this browser/.test(proof) && !/FAILED/.test(proof),
        `${w}px: the inclusion proof is shown and checks in the page`, proof);
      await shoot(page, 'probe');

    });
    // the event feed, filtered by class
    await step(`${w}px: event feed`, async () => {
      await go(page, '/events?class=unexplained', '.feed .event, .feed .alert, .feed p');
      const feed = await page.$$eval('.feed .event', es => es.map(e => ({
        cls: e.querySelector('.cbadge')?.textContent, model: e.querySelector('.model')?.textContent })));
      check(feed.length > 0 && feed.every(e => e.cls === 'unexplained') &&
        feed.some(e => e.model === rollout), `${w}px: the event feed filtered by class unexplained`,
        JSON.stringify(feed));
      await go(page, '/events', '.feed .event, .feed .alert');
      await shoot(page, 'events');

    });
    // failures
    await step(`${w}px: failures`, async () => {
      await go(page, '/failures', 'ul.failures > li');
      const fm = await page.$$eval('ul.failures > li .model', es => es.map(e => e.textContent));
      check(fm.includes('sim/wrong-key'), `${w}px: the failures list has sim/wrong-key`);
      await shoot(page, 'failures');

    });
    // receipts: submit a file, then look it up
    await step(`${w}px: receipts`, async () => {
      if (receiptFile && w === 1280) {
        await go(page, '/receipts', '#receipt-file');
        await page.setInputFiles('#receipt-file', receiptFile);
        await page.waitForFunction(() => document.getElementById('receipt-text').value.length > 0,
          null, { timeout: WAIT });
        await page.click('#receipt-submit');
        await page.waitForSelector('#receipt-submitted .receipt', { timeout: WAIT });
        const ans = await page.$eval('#receipt-submitted', e => e.textContent);
        const m = /receipt #(\d+)/.exec(ans);
        check(/HTTP 201/.test(ans) && m !== null, `${w}px: a receipt file submitted through the page: 201`, ans);
        if (m) {
          const seq = m[1];
          receiptSeq = seq;
          const want = (await api('/api/v1/receipts/' + seq)).json;
          // a checkpoint covers it within a few seconds (interval 2 s)
          for (let i = 0; i < 20; i++) {
            if (i === 0) await page.goto(base + '/#/receipts/' + seq);
            else await page.reload();
            await page.waitForSelector('#receipt-answer .receipt, #receipt-answer .alert', { timeout: WAIT });
            await page.waitForSelector('#receipt-answer h3 ~ *', { timeout: WAIT });
            if (await page.$('#receipt-proof') !== null) break;
            await page.waitForTimeout(500);
          }
          const text = await page.$eval('#receipt-answer .receipt .badge', e => e.textContent).catch(() => '');
          check(want && text === want.verdict, `${w}px: receipt #${seq} looked up: verdict ${text}`);
          const shown = await page.$eval('#receipt-answer .receipt .model', e => e.textContent);
          check(shown === want.model && await page.evaluate(() => window.__xss) === undefined &&
            await page.$('#receipt-answer img') === null,
            `${w}px: the receipt's model id (markup) is shown as text, never run`, shown);
          const pr = await page.$eval('#receipt-proof', e => e.textContent).catch(() => '');
          const real = await (await fetch(base + '/api/v1/receipts/' + seq + '/proof')).text();
          check(pr.startsWith('c2sp.org/tlog-proof@v1') && pr.split('\n')[1] === real.split('\n')[1],
            `${w}px: receipt #${seq}: its proof is shown`, pr.slice(0, 80));
          await shoot(page, 'receipt');
        }
      } else if (receiptSeq !== null) {
        await go(page, '/receipts/' + receiptSeq, '#receipt-answer .receipt');
        await page.waitForSelector('#receipt-proof', { timeout: WAIT });
        await shoot(page, 'receipt');
      } else {
        await go(page, '/receipts', '#receipt-file');
        await shoot(page, 'receipt');
      }
    });
    await ctx.close();
  }
} catch (e) {
  fail('browser: ' + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
check(problems.length === 0, 'no console errors, page errors or CSP violations', '\n  ' + problems.join('\n  '));
process.exit(fails === 0 ? 0 : 1);
