/*
 * tmon dashboard: hash-routed pages over the read-only JSON API.
 *
 *   #/                 overview: one tile per model
 *   #/model/ID         a model: chart, timeline, current measurement
 *   #/probe/N          a log entry (probe, event, alert, receipt...):
 *                      checks, evidence blobs, inclusion proof
 *   #/events?class=&model=   the classified event feed
 *   #/failures         failed and unverifiable probes
 *   #/receipts[/N]     receipt lookup and submission
 *
 * Values from the API are hostile input: util.js places them with
 * textContent only.  An endpoint this server lacks (404) shows "not
 * available" instead of breaking the page.
 */
import {
  el, add, str, obj, arr, isSeq, isSha256, verdictClass, fmtTime, fmtAgo, timeEl,
  short, badge, classBadge, classText, eventClass, routeLink, modelRoute, modelLink, probeLink, apiLink,
  blobLink, checkWords, isSimulated, simMark, api, apiProblem, notice, checkpointSize,
  EVENT_CLASSES, MEASUREMENT_LAYERS,
} from './util.js';
import { dailyBar, modelChart } from './chart.js';

const REFRESH_MS = 60000;
const PAGE = 50;

let renderId = 0;
let refreshTimer = null;

function view() {
  return document.getElementById('view');
}

/* The status line under the header; text null hides it. */
function setStatus(text, good) {
  const s = document.getElementById('status');
  s.hidden = text === null;
  if (text === null) return;
  s.className = 'status' + (good === true ? ' good' : good === false ? ' bad' : '');
  s.textContent = text;
}

function setTitle(t) {
  document.title = t ? t + ' \u00b7 tmon' : 'tmon: TEE inference transparency monitor';
}

function section(title, ...kids) {
  const s = el('section', 'block');
  s.appendChild(el('h2', null, title));
  return add(s, ...kids);
}

/* --- shared renderers --- */

function renderChecks(checks) {
  const table = el('table', 'checks');
  const head = el('tr');
  ['Check', 'Status', 'Detail'].forEach(h => head.appendChild(el('th', null, h)));
  table.appendChild(add(el('thead'), head));
  const body = el('tbody');
  for (const c of arr(checks)) {
    if (!obj(c)) continue;
    const status = str(c.status);
    const tr = el('tr', 's-' + verdictClass(status));
    tr.appendChild(el('td', 'mono', str(c.id) ?? '?'));
    tr.appendChild(add(el('td'), el('span', 'badge v-' + verdictClass(status), status ?? '?')));
    const td = el('td', 'detail');
    if (status === 'fail' || status === 'error') td.appendChild(el('strong', null, checkWords(c) + '. '));
    td.appendChild(el('span', null, str(c.detail) ?? ''));
    tr.appendChild(td);
    body.appendChild(tr);
  }
  table.appendChild(body);
  return add(el('div', 'scroll'), table);
}

/* The bad checks of a probe in plain words: a list, or null if none. */
function whatFailed(checks, withWarn) {
  const bad = arr(checks).filter(c => obj(c) &&
    (c.status === 'fail' || c.status === 'error' || (withWarn && c.status === 'warn')));
  if (bad.length === 0) return null;
  const ul = el('ul', 'failed');
  for (const c of bad) {
    const li = el('li', 'f-' + verdictClass(c.status));
    li.appendChild(el('span', null, checkWords(c)));
    if (str(c.detail)) li.title = str(c.id) + ': ' + c.detail;
    ul.appendChild(li);
  }
  return ul;
}

function renderMeasurement(m) {
  if (!obj(m)) return el('p', 'muted', 'No measurement in this probe.');
  const dl = el('dl', 'measurement');
  for (const [layer, title, fields] of MEASUREMENT_LAYERS) {
    const l = obj(m[layer]);
    if (l === null) continue;
    dl.appendChild(el('dt', 'layer', title));
    dl.appendChild(el('dd', 'layer', ''));
    for (const [key, label] of fields) {
      const v = l[key];
      if (typeof v !== 'string' && typeof v !== 'number') continue;
      dl.appendChild(el('dt', null, label));
      dl.appendChild(el('dd', 'mono', v));
    }
  }
  return dl;
}

/* Before/after values of an event: a table. */
function renderDiff(e) {
  const fields = arr(e.changed_fields).filter(f => typeof f === 'string');
  if (fields.length === 0 || e.class === 'first' || (!obj(e.before) && !obj(e.after))) return null;
  const before = obj(e.before) || {}, after = obj(e.after) || {};
  const t = el('table', 'diff');
  t.appendChild(add(el('thead'), add(el('tr'), el('th', null, 'Field'),
    el('th', null, 'Before'), el('th', null, 'After'))));
  const tb = el('tbody');
  for (const f of fields) {
    const cell = v => {
      if (v === undefined || v === null) return el('td', 'muted', obj(e.before) ? 'none' : '\u2013');
      return add(el('td'), short(typeof v === 'string' ? v : JSON.stringify(v), 24));
    };
    tb.appendChild(add(el('tr'), el('td', 'mono', f), cell(before[f]), cell(after[f])));
  }
  t.appendChild(tb);
  return add(el('div', 'scroll'), t);
}

/*
 * An event of /api/v1/events or /api/v1/models/{m}/history, or a change
 * of the history answer of a server without classified events, in one
 * shape: {seq, time, class, probe_seq, changed_fields, before, after,
 * verdict_before, verdict_after, endorsed_by, worse, instances, model}.
 */
function normEvent(c) {
  if (!obj(c)) return null;
  if (str(c.class)) {
    return Object.assign({}, c, { probe_seq: isSeq(c.probe_seq) ? c.probe_seq : null });
  }
  let cls = str(c.change) ?? (c.measurement_changed ? 'changed' : 'none');
  if (cls === 'none' && c.verdict_changed === true && str(c.previous_verdict)) cls = 'verdict_changed';
  if (cls === 'none') return null;
  return {
    seq: c.seq, time: c.time, class: cls, probe_seq: isSeq(c.seq) ? c.seq : null,
    changed_fields: arr(c.changed_fields), before: null, after: null,
    verdict_before: str(c.previous_verdict), verdict_after: str(c.verdict),
    model: c.model, legacy: true,
  };
}

function renderEvent(e, withModel) {
  const box = el('div', 'event c-' + eventClass(e.class));
  const h = el('div', 'ehead');
  h.appendChild(classBadge(e.class));
  if (withModel && str(e.model)) h.appendChild(modelLink(e.model));
  h.appendChild(timeEl(e.time));
  if (str(e.verdict_after)) {
    if (str(e.verdict_before) && e.verdict_before !== e.verdict_after) {
      add(h, badge(e.verdict_before), el('span', 'arrow', '\u2192'));
    }
    h.appendChild(badge(e.verdict_after));
  }
  box.appendChild(h);
  const p = el('p', 'edesc', classText(e.class));
  if (str(e.endorsed_by) && e.endorsed_by !== 'policy') {
    p.appendChild(el('span', null, ' (published in ' + e.endorsed_by + ')'));
  }
  if (e.worse === true) p.appendChild(el('strong', 'worse', ' Worse than before.'));
  if (Number.isSafeInteger(e.instances)) {
    p.appendChild(el('span', 'muted', ' ' + e.instances + (e.instances === 1 ?
      ' instance known.' : ' instances known.')));
  }
  box.appendChild(p);
  const diff = renderDiff(e);
  const fields = arr(e.changed_fields).filter(f => typeof f === 'string');
  if (diff) box.appendChild(diff);
  else if (e.class === 'first') {
    if (fields.length > 0) box.appendChild(el('p', 'muted small', fields.length + ' values recorded.'));
  } else if (fields.length > 0) {
    box.appendChild(el('p', 'mono small', 'Changed: ' + fields.join(', ')));
  }
  const links = el('p', 'links');
  const pl = probeLink(e.probe_seq, 'probe #' + e.probe_seq);
  if (pl) add(links, pl);
  if (!e.legacy && isSeq(e.seq)) add(links, pl ? ' \u00b7 ' : null, probeLink(e.seq, 'event entry #' + e.seq));
  box.appendChild(links);
  return box;
}

/* A "more" button that calls load() and removes itself. */
function moreButton(text, load) {
  const b = el('button', 'more', text);
  b.type = 'button';
  b.addEventListener('click', () => { b.disabled = true; load().finally(() => b.remove()); });
  return b;
}

/* --- overview --- */

function renderTile(m) {
  const v = str(m.verdict);
  const tile = el('article', 'tile v-border-' + verdictClass(v));
  const h = el('h3');
  add(h, modelLink(m.model), badge(v));
  tile.appendChild(h);
  if (isSimulated(m.model, m.checks)) tile.appendChild(simMark());
  const meta = el('p', 'meta');
  const parts = [];
  if (str(m.provider)) parts.push(m.provider);
  if (m.configured === false) parts.push('no longer configured');
  if (Number.isSafeInteger(m.last_probe_time)) {
    parts.push('last probe ' + fmtAgo(m.last_probe_time));
  } else parts.push('never probed yet');
  meta.textContent = parts.join(' \u00b7 ');
  if (Number.isSafeInteger(m.last_probe_time)) meta.title = fmtTime(m.last_probe_time);
  tile.appendChild(meta);
  const failed = whatFailed(m.checks, false);
  if (failed) tile.appendChild(failed);
  else if (v === 'pass' || v === 'warn') {
    const w = arr(m.checks).filter(c => obj(c) && c.status === 'warn');
    tile.appendChild(el('p', 'okline', w.length ? 'Verified; ' + w.map(checkWords).join('; ') :
      'Every check passes.'));
  }
  if (str(m.body_error)) tile.appendChild(el('p', 'alert', m.body_error));
  const ev = obj(m.last_event);
  if (ev && str(ev.class)) {
    const p = add(el('p', 'lastev'), 'Last change: ', classBadge(ev.class), ' ' + fmtAgo(ev.time));
    tile.appendChild(p);
  }
  const bar = dailyBar(m.daily);
  if (bar) tile.appendChild(bar);
  const links = el('p', 'links');
  add(links, routeLink('timeline', modelRoute(m.model)));
  const pl = probeLink(m.last_probe_seq, 'last probe');
  if (pl) add(links, ' \u00b7 ', pl);
  tile.appendChild(links);
  return tile;
}

async function pageOverview(id) {
  setTitle('');
  const res = await api('api/v1/models');
  if (id !== renderId) return;
  const v = view();
  v.replaceChildren();
  if (!res.ok || !obj(res.data)) {
    v.appendChild(notice(apiProblem('/api/v1/models', res), 'alert'));
    return;
  }
  const list = arr(res.data.models).filter(obj);
  let bad = 0;
  const grid = el('div', 'tiles');
  for (const m of list) {
    if (m.verdict === 'fail' || m.verdict === 'error') bad++;
    grid.appendChild(renderTile(m));
  }
  if (list.length === 0) v.appendChild(el('p', 'muted', 'No models are monitored.'));
  v.appendChild(grid);
  if (list.length > 0 && !list.some(m => Array.isArray(m.daily))) {
    v.appendChild(el('p', 'muted small', 'Daily history: not available on this server.'));
  }
  setStatus(`${list.length} models, ${bad} failing or unverifiable \u00b7 updated ` +
    fmtTime(Math.floor(Date.now() / 1000)), bad === 0);
}

/* --- a model --- */

/* Distinct instances (replicas) seen in probes, newest first. */
function replicas(probes) {
  const seen = new Map();
  for (const p of probes) {
    const e = obj(p.entry);
    const inst = e && obj(e.measurement) ? obj(e.measurement.instance) : null;
    if (!inst) continue;
    const key = [inst.instance_id, inst.signing_address, inst.rtmr3, inst.tls_fingerprint]
      .map(x => String(x ?? '')).join('|');
    const r = seen.get(key);
    if (r) { r.count++; continue; }
    seen.set(key, { inst, seq: p.seq, time: p.time, count: 1 });
  }
  return [...seen.values()];
}

function renderReplicas(reps) {
  const t = el('table', 'replicas');
  t.appendChild(add(el('thead'), add(el('tr'), el('th', null, 'Instance id'),
    el('th', null, 'Signing address'), el('th', null, 'RTMR3'), el('th', null, 'Last seen'),
    el('th', null, 'Probes'))));
  const tb = el('tbody');
  for (const r of reps) {
    tb.appendChild(add(el('tr'),
      add(el('td'), short(r.inst.instance_id ?? '\u2013', 12)),
      add(el('td'), short(r.inst.signing_address ?? '\u2013', 12)),
      add(el('td'), short(r.inst.rtmr3 ?? '\u2013', 12)),
      add(el('td'), probeLink(r.seq, fmtTime(r.time))),
      el('td', null, r.count)));
  }
  t.appendChild(tb);
  return add(el('div', 'scroll'), t);
}

/* Timeline rows: events, and runs of probes with the same verdict. */
function renderTimeline(probes, events) {
  const items = [];
  for (const p of probes) if (isSeq(p.seq)) items.push({ kind: 'probe', seq: p.seq, p });
  for (const e of events) {
    const at = isSeq(e.seq) ? e.seq : (isSeq(e.probe_seq) ? e.probe_seq : -1);
    items.push({ kind: 'event', seq: at + 0.5, e });
  }
  items.sort((a, b) => b.seq - a.seq);
  const ol = el('ol', 'timeline');
  let run = null;
  const flush = () => {
    if (!run) return;
    const li = el('li', 'run v-border-' + verdictClass(run.verdict));
    const n = run.list.length;
    add(li, badge(run.verdict), ' ', n === 1 ? '1 probe' : n + ' probes', ' ');
    const newest = run.list[0], oldest = run.list[n - 1];
    add(li, timeEl(oldest.time));
    if (n > 1) add(li, ' \u2013 ', timeEl(newest.time));
    const links = el('span', 'links');
    add(links, ' ', probeLink(newest.seq, '#' + newest.seq));
    if (n > 1) add(links, ' \u2026 ', probeLink(oldest.seq, '#' + oldest.seq));
    li.appendChild(links);
    const f = whatFailed(obj(newest.entry) ? newest.entry.checks : [], false);
    if (f) li.appendChild(f);
    ol.appendChild(li);
    run = null;
  };
  for (const it of items) {
    if (it.kind === 'probe') {
      const v = str(it.p.verdict);
      if (run && run.verdict !== v) flush();
      if (!run) run = { verdict: v, list: [] };
      run.list.push(it.p);
    } else {
      flush();
      ol.appendChild(add(el('li', 'ev'), renderEvent(it.e, false)));
    }
  }
  flush();
  return ol;
}

async function pageModel(id, model) {
  setTitle(model);
  const enc = encodeURIComponent(model);
  const [models, probes, hist] = await Promise.all([
    api('api/v1/models'),
    api('api/v1/probes?limit=100&model=' + enc),
    api('api/v1/models/' + enc + '/history?limit=200'),
  ]);
  if (id !== renderId) return;
  const v = view();
  v.replaceChildren();
  const m = models.ok && obj(models.data) ?
    arr(models.data.models).find(x => obj(x) && x.model === model) : null;
  const plist = probes.ok && obj(probes.data) ? arr(probes.data.probes).filter(obj) : [];
  const h = el('h2', 'pagetitle');
  add(h, el('span', 'mono', model), ' ', badge(m ? m.verdict : null));
  v.appendChild(h);
  const checks = m ? m.checks : (plist[0] && obj(plist[0].entry) ? plist[0].entry.checks : []);
  if (isSimulated(model, checks)) v.appendChild(simMark());
  if (m) {
    const meta = el('p', 'meta');
    const parts = [];
    if (str(m.provider)) parts.push('provider ' + m.provider);
    if (str(m.format)) parts.push('format ' + m.format);
    if (m.configured === false) parts.push('no longer configured');
    if (Number.isSafeInteger(m.last_probe_time)) parts.push('last probe ' + fmtTime(m.last_probe_time) +
      ' (' + fmtAgo(m.last_probe_time) + ')');
    if (Number.isSafeInteger(m.last_pass_time)) parts.push('last pass ' + fmtAgo(m.last_pass_time));
    meta.textContent = parts.join(' \u00b7 ');
    v.appendChild(meta);
    const f = whatFailed(m.checks, false);
    if (f) v.appendChild(f);
    const bar = dailyBar(m.daily);
    if (bar) v.appendChild(section('Last 90 days', bar));
  } else if (!models.ok) {
    v.appendChild(notice(apiProblem('/api/v1/models', models), 'alert'));
  } else {
    v.appendChild(notice('This model is not in /api/v1/models.'));
  }

  let events = [];
  let histNote = null;
  if (hist.ok && obj(hist.data)) {
    events = arr(hist.data.changes).map(normEvent).filter(e => e !== null);
    if (events.some(e => e.legacy)) {
      histNote = 'This server does not classify changes yet: "changed" is any ' +
        'measurement change.';
    }
  } else {
    histNote = apiProblem('history', hist);
  }
  const chartProbes = plist.map(p => ({ seq: p.seq, time: p.time, verdict: p.verdict }));
  v.appendChild(section('Verdicts and changes', modelChart(chartProbes, events),
    add(el('p', 'legend'), ...['pass', 'warn', 'fail', 'error'].map(x =>
      add(el('span', 'key'), el('i', 'sw p-' + x), x)),
    ...EVENT_CLASSES.map(c => add(el('span', 'key'), el('i', 'sw c-' + c), c.replace('_', ' '))))));

  const tl = section('Timeline');
  if (histNote) tl.appendChild(el('p', 'muted small', histNote));
  if (!probes.ok) tl.appendChild(notice(apiProblem('/api/v1/probes', probes), 'alert'));
  tl.appendChild(renderTimeline(plist, events));
  if (probes.ok && obj(probes.data) && isSeq(probes.data.next_before)) {
    tl.appendChild(el('p', 'muted small', 'Showing the newest ' + plist.length +
      ' probes; every change is in the ' ));
    tl.lastChild.appendChild(routeLink('event feed', '/events?model=' + enc));
    tl.lastChild.appendChild(document.createTextNode('.'));
  }
  v.appendChild(tl);

  const cur = section('Current measurement');
  if (m && obj(m.measurement)) {
    const p = el('p', 'meta');
    if (Number.isSafeInteger(m.instances)) {
      p.textContent = m.instances + (m.instances === 1 ? ' instance' : ' instances') +
        ' (replicas) known; this is the one the last probe met.';
    }
    cur.appendChild(p);
    cur.appendChild(renderMeasurement(m.measurement));
  } else {
    cur.appendChild(el('p', 'muted', 'No measurement yet.'));
  }
  const reps = replicas(plist);
  if (reps.length > 0) {
    cur.appendChild(el('h3', null, 'Replicas seen in the last ' + plist.length + ' probes'));
    cur.appendChild(renderReplicas(reps));
  }
  v.appendChild(cur);
  if (m && arr(m.checks).length > 0) {
    const c = section('Checks of the last probe', renderChecks(m.checks));
    const pl = probeLink(m.last_probe_seq, 'probe #' + m.last_probe_seq + ' with its evidence');
    if (pl) {
      pl.id = 'last-probe';
      c.appendChild(add(el('p', 'links'), pl));
    }
    v.appendChild(c);
  }
  if (m) {
    /* the status badge for a README (GET /badge/{model}.svg) */
    const url = new URL('badge/' + enc + '.svg', location.href.split('#')[0]).href;
    const img = el('img', 'statusbadge');
    img.src = 'badge/' + enc + '.svg';
    img.alt = 'tmon status badge of ' + model;
    img.addEventListener('error', () => img.replaceWith(el('span', 'muted small', 'badges: not available on this server')));
    v.appendChild(section('Badge', add(el('p'), img), el('p', 'mono small', '![tmon: ' + model + '](' + url + ')')));
  }
  setStatus(null);
}

/* --- a log entry --- */

/* What the blobs of an entry are, by where the entry names them. */
const BLOB_NAMES = {
  'request.body_sha256': 'attestation response',
  'request.headers_sha256': 'attestation response headers',
  'canary.request_sha256': 'canary completion request',
  'canary.response_sha256': 'canary completion response',
  'canary.signature_sha256': 'completion signature response',
  'submitted_sha256': 'submitted receipt',
  'submitted.sha256': 'submitted receipt',
};

/* Every "...sha256" member holding a SHA-256: the entry's blobs. */
function blobs(body) {
  const out = [];
  const walk = (v, path, depth) => {
    if (depth > 8 || out.length >= 64) return;
    if (Array.isArray(v)) { v.forEach((x, i) => walk(x, path + '[' + i + ']', depth + 1)); return; }
    if (!obj(v)) return;
    for (const [k, x] of Object.entries(v)) {
      const p = path ? path + '.' + k : k;
      if (/sha256$/.test(k) && isSha256(x)) out.push({ path: p, sha: x });
      else walk(x, p, depth + 1);
    }
  };
  walk(body, '', 0);
  return out;
}

function b64bytes(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(s)) return null;
  return Uint8Array.from(atob(s), c => c.charCodeAt(0));
}

async function sha256(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const buf = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/*
 * Check an inclusion proof here (RFC 9162 section 2.1.3.2) from the
 * entry's exact bytes: a list of what holds.  Needs WebCrypto, which
 * browsers give to https:// and loopback pages only.
 */
async function checkInclusion(seq, pr) {
  if (!(globalThis.crypto && crypto.subtle)) {
    return ['Not checked here: this browser gives WebCrypto to HTTPS pages only ' +
      '(tmonctl verify-proof checks it offline).'];
  }
  const r = await fetch('api/v1/log/entries/' + seq, { cache: 'no-cache' });
  if (!r.ok) return ['Not checked: the entry bytes are not available (HTTP ' + r.status + ').'];
  const bytes = new Uint8Array(await r.arrayBuffer());
  const leafWant = b64bytes(pr.leaf_hash), rootWant = b64bytes(pr.root_hash);
  const path = arr(pr.proof).map(b64bytes);
  if (!leafWant || !rootWant || path.some(x => x === null) || !isSeq(pr.size)) {
    return ['Not checked: malformed proof.'];
  }
  const leaf = await sha256(new Uint8Array([0]), bytes);
  if (!same(leaf, leafWant)) return ['FAILED: the entry bytes do not hash to the proof\u2019s leaf.'];
  let fn = BigInt(seq), sn = BigInt(pr.size) - 1n, h = leaf;
  if (fn > sn) return ['FAILED: the entry is not in a tree of that size.'];
  for (const p of path) {
    if (sn === 0n) return ['FAILED: the proof is too long.'];
    if ((fn & 1n) === 1n || fn === sn) {
      h = await sha256(new Uint8Array([1]), p, h);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      h = await sha256(new Uint8Array([1]), h, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n || !same(h, rootWant)) return ['FAILED: the proof does not lead to the root.'];
  const out = ['Checked in this browser: the entry\u2019s bytes hash to its leaf, and the ' +
    path.length + ' proof hashes lead to the root of the tree of size ' + pr.size + '.'];
  const cp = await api('api/v1/log/checkpoint');
  if (cp.ok && typeof cp.data === 'string') {
    const lines = cp.data.split('\n');
    if (lines[1] === String(pr.size) && lines[2] === pr.root_hash) {
      out.push('That root is the one in the latest signed checkpoint (' + lines[0] +
        '); check its signature with the log\u2019s key (tmonctl verify-proof).');
    } else {
      out.push('The latest checkpoint has moved on since; the proof is for size ' + pr.size + '.');
    }
  }
  return out;
}

/* Wait (at most about 30 s, while page id is shown) for a checkpoint over seq. */
async function coveredSize(id, seq) {
  for (let i = 0; i < 15; i++) {
    const size = await checkpointSize();
    if (size !== null && size > seq) return size;
    if (id !== renderId) return null;
    await new Promise(r => setTimeout(r, 2000));
  }
  return null;
}

async function renderProof(id, seq, into) {
  const box = el('div', 'proof');
  const wait = el('p', 'muted', 'Waiting for a signed checkpoint that covers this entry\u2026');
  into.appendChild(wait);
  const size = await coveredSize(id, seq);
  wait.remove();
  if (size === null) {
    box.appendChild(el('p', 'muted', 'No signed checkpoint covers this entry yet: reload in a few seconds.'));
    return box;
  }
  const res = await api('api/v1/log/proof/inclusion?seq=' + seq);
  if (res.status === 503) {
    box.appendChild(el('p', 'muted', 'No signed checkpoint covers this entry yet: reload in a few seconds.'));
    return box;
  }
  if (!res.ok || !obj(res.data)) {
    box.appendChild(el('p', 'muted', apiProblem('inclusion proof', res)));
    return box;
  }
  const pr = res.data;
  const dl = el('dl', 'kv');
  const row = (k, val) => { dl.appendChild(el('dt', null, k)); dl.appendChild(add(el('dd'), val)); };
  row('Tree size', el('span', 'mono', pr.size));
  row('Leaf hash', short(pr.leaf_hash, 44));
  row('Root hash', short(pr.root_hash, 44));
  const ol = el('ol', 'hashes mono');
  for (const h of arr(pr.proof)) ol.appendChild(el('li', null, String(h)));
  row('Proof (' + arr(pr.proof).length + ' hashes)', ol);
  box.appendChild(dl);
  const raw = apiLink('proof JSON', 'api/v1/log/proof/inclusion?seq=' + seq);
  box.appendChild(add(el('p', 'links'), raw, ' \u00b7 ', apiLink('signed checkpoint', 'api/v1/log/checkpoint')));
  const verdict = el('ul', 'checked');
  box.appendChild(verdict);
  try {
    for (const line of await checkInclusion(seq, pr)) {
      verdict.appendChild(el('li', line.startsWith('FAILED') ? 'bad' : null, line));
    }
  } catch (e) {
    verdict.appendChild(el('li', null, 'Not checked: ' + String(e && e.message ? e.message : e)));
  }
  return box;
}

async function pageEntry(id, seq) {
  setTitle('entry #' + seq);
  const res = await api('api/v1/entries/' + seq);
  if (id !== renderId) return;
  const v = view();
  v.replaceChildren();
  if (!res.ok || !obj(res.data)) {
    v.appendChild(notice(res.status === 404 ? 'There is no entry #' + seq + ' in the log.' :
      apiProblem('/api/v1/entries/' + seq, res), 'alert'));
    return;
  }
  const e = res.data;
  let body = null;
  try { body = typeof e.body === 'string' ? JSON.parse(e.body) : null; } catch (x) { body = null; }
  const b = obj(body) || {};
  const kind = str(e.kind) ?? '?';
  const h = el('h2', 'pagetitle');
  add(h, kind === 'probe' ? 'Probe' : 'Entry', ' #' + seq + ' ');
  if (str(e.verdict)) h.appendChild(badge(e.verdict));
  if (kind === 'event') h.appendChild(classBadge(b.class));
  v.appendChild(h);
  if (isSimulated(e.model, b.checks)) v.appendChild(simMark());
  const meta = el('p', 'meta');
  add(meta, kind + ' \u00b7 ', timeEl(e.time));
  if (str(e.model)) add(meta, ' \u00b7 ', modelLink(e.model));
  v.appendChild(meta);

  if (kind === 'event') {
    const ev = normEvent(Object.assign({}, b, { seq }));
    if (ev) v.appendChild(section('What changed', renderEvent(ev, false)));
  } else if (kind === 'receipt') {
    v.appendChild(add(el('p', 'links'), routeLink('this receipt\u2019s verdict and proof', '/receipts/' + seq)));
  }
  const failed = whatFailed(b.checks, false);
  if (failed) v.appendChild(failed);
  if (arr(b.checks).length > 0) v.appendChild(section('Checks', renderChecks(b.checks)));

  const ev = section('Evidence');
  const list = blobs(body);
  if (list.length === 0 && kind === 'event' && isSeq(b.probe_seq)) {
    ev.appendChild(add(el('p', 'muted'), 'The evidence is in the probe that saw the change: ',
      probeLink(b.probe_seq, 'probe #' + b.probe_seq), '.'));
  } else if (list.length === 0) ev.appendChild(el('p', 'muted', 'This entry references no raw evidence.'));
  else {
    ev.appendChild(el('p', 'muted small', 'The exact bytes tmon received, as stored in the log ' +
      '(each file\u2019s SHA-256 is its name in the log).'));
    const ul = el('ul', 'evidence');
    for (const x of list) {
      const li = el('li');
      const name = Object.hasOwn(BLOB_NAMES, x.path) ? BLOB_NAMES[x.path] : x.path.replace(/_sha256$/, '');
      add(li, blobLink(name, x.sha, (str(e.model) ?? kind) + '-' + x.path.replace(/_sha256$/, '')),
        ' ', el('span', 'muted small', x.path + ' '), short(x.sha, 16));
      ul.appendChild(li);
    }
    ev.appendChild(ul);
  }
  if (kind === 'probe' && obj(b.request) && str(b.request.url)) {
    ev.appendChild(add(el('p', 'small'), 'Requested: ', el('span', 'mono wrap', b.request.url)));
  }
  v.appendChild(ev);
  if (obj(b.measurement)) v.appendChild(section('Measurement', renderMeasurement(b.measurement)));

  const log = section('In the log');
  const dl = el('dl', 'kv');
  const row = (k, val) => { dl.appendChild(el('dt', null, k)); dl.appendChild(add(el('dd'), val)); };
  row('Sequence', el('span', 'mono', seq));
  row('Leaf hash', short(e.leaf_hash, 64));
  row('Chain hash', short(e.chain_hash, 64));
  log.appendChild(dl);
  log.appendChild(add(el('p', 'links'), apiLink('log entry (JSON)', 'api/v1/entries/' + seq), ' \u00b7 ',
    apiLink('exact body bytes', 'api/v1/log/entries/' + seq)));
  log.appendChild(el('h3', null, 'Inclusion proof'));
  v.appendChild(log);
  const body2 = section('Entry body');
  const pre = el('pre', 'json');
  pre.textContent = body !== null ? JSON.stringify(body, null, 2) : (str(e.body) ?? '(not UTF-8: see body_hex)');
  body2.appendChild(pre);
  v.appendChild(body2);
  setStatus(null);
  const proof = await renderProof(id, seq, log);
  if (id !== renderId) return;
  log.appendChild(proof);
}

/* --- event feed --- */

async function pageEvents(id, q) {
  setTitle('events');
  const cls = q.get('class') ?? '', model = q.get('model') ?? '';
  const v = view();
  v.replaceChildren();
  v.appendChild(el('h2', 'pagetitle', 'Events'));
  v.appendChild(el('p', 'muted', 'Every classified change of every model, newest first.'));
  const form = el('div', 'filters');
  const sel = el('select');
  sel.id = 'f-class';
  sel.appendChild(el('option', null, 'any class'));
  sel.firstChild.value = '';
  for (const c of EVENT_CLASSES) {
    const o = el('option', null, c.replace('_', ' '));
    o.value = c;
    sel.appendChild(o);
  }
  sel.value = EVENT_CLASSES.includes(cls) ? cls : '';
  const inp = el('input');
  inp.id = 'f-model';
  inp.type = 'search';
  inp.placeholder = 'model id';
  inp.value = model;
  const go = () => {
    const p = new URLSearchParams();
    if (sel.value) p.set('class', sel.value);
    if (inp.value.trim()) p.set('model', inp.value.trim());
    const s = p.toString();
    location.hash = '#/events' + (s ? '?' + s : '');
  };
  sel.addEventListener('change', go);
  inp.addEventListener('change', go);
  add(form, add(el('label', null, 'Class '), sel), add(el('label', null, 'Model '), inp));
  v.appendChild(form);
  const list = el('div', 'feed');
  v.appendChild(list);
  const load = async before => {
    const p = new URLSearchParams();
    if (cls) p.set('class', cls);
    if (model) p.set('model', model);
    p.set('limit', String(PAGE));
    if (before !== null) p.set('before', String(before));
    const res = await api('api/v1/events?' + p.toString());
    if (id !== renderId) return;
    if (!res.ok || !obj(res.data)) {
      list.appendChild(notice(apiProblem('/api/v1/events', res), 'alert'));
      return;
    }
    const evs = arr(res.data.events).map(normEvent).filter(e => e !== null);
    if (evs.length === 0 && before === null) list.appendChild(el('p', 'muted', 'No events.'));
    for (const e of evs) list.appendChild(renderEvent(e, true));
    if (isSeq(res.data.next_before)) {
      list.appendChild(moreButton('Older events', () => load(res.data.next_before)));
    }
  };
  await load(null);
}

/* --- failures --- */

async function pageFailures(id) {
  setTitle('failures');
  const v = view();
  v.replaceChildren();
  v.appendChild(el('h2', 'pagetitle', 'Failures'));
  v.appendChild(el('p', 'muted', 'Probes whose verdict is fail (the evidence is wrong) or error ' +
    '(tmon could not check), newest first.'));
  const ul = el('ul', 'failures');
  v.appendChild(ul);
  const load = async before => {
    const res = await api('api/v1/failures?limit=' + PAGE + (before !== null ? '&before=' + before : ''));
    if (id !== renderId) return;
    if (!res.ok || !obj(res.data)) {
      v.appendChild(notice(apiProblem('/api/v1/failures', res), 'alert'));
      return;
    }
    const list = arr(res.data.failures).filter(obj);
    if (list.length === 0 && before === null) {
      ul.appendChild(el('li', 'muted', 'No failed or unverifiable probes in the log.'));
    }
    for (const f of list) {
      const li = el('li', 'v-border-' + verdictClass(str(f.verdict)));
      const h = el('div', 'ehead');
      add(h, badge(f.verdict), modelLink(f.model), timeEl(f.time), probeLink(f.seq, 'probe #' + f.seq));
      if (isSimulated(f.model, f.checks)) h.appendChild(simMark());
      li.appendChild(h);
      const w = whatFailed(f.checks, false);
      if (w) li.appendChild(w);
      ul.appendChild(li);
    }
    if (isSeq(res.data.next_before)) v.appendChild(moreButton('Older failures', () => load(res.data.next_before)));
  };
  await load(null);
}

/* --- receipts --- */

function renderReceiptAnswer(d) {
  const box = el('div', 'receipt');
  const h = el('div', 'ehead');
  add(h, badge(d.verdict));
  if (isSeq(d.seq)) add(h, routeLink('receipt #' + d.seq, '/receipts/' + d.seq));
  if (str(d.model)) add(h, modelLink(d.model));
  if (Number.isSafeInteger(d.time)) add(h, timeEl(d.time));
  box.appendChild(h);
  if (str(d.format)) box.appendChild(el('p', 'meta', 'format ' + d.format +
    (str(d.stored) ? ' \u00b7 stored ' + d.stored : '')));
  const w = whatFailed(d.checks, false);
  if (w) box.appendChild(w);
  if (arr(d.checks).length > 0) box.appendChild(renderChecks(d.checks));
  const links = el('p', 'links');
  if (isSeq(d.seq)) add(links, probeLink(d.seq, 'log entry #' + d.seq));
  const sub = obj(d.receipt) && obj(d.receipt.submitted) ? d.receipt.submitted.sha256 : null;
  const bl = blobLink('submitted bytes', d.submitted_sha256 ?? sub, 'receipt');
  if (bl) add(links, ' \u00b7 ', bl);
  box.appendChild(links);
  return box;
}

async function lookupReceipt(id, seq, out) {
  const [r, size] = await Promise.all([api('api/v1/receipts/' + seq), checkpointSize()]);
  const p = r.ok && size !== null && size > seq ? await api('api/v1/receipts/' + seq + '/proof') :
    { status: 503, ok: false, data: null };
  if (id !== renderId) return;
  out.replaceChildren();
  if (!r.ok || !obj(r.data)) {
    out.appendChild(notice(r.status === 404 ? 'No receipt #' + seq + ' in the log.' :
      apiProblem('/api/v1/receipts/' + seq, r), 'alert'));
    return;
  }
  out.appendChild(renderReceiptAnswer(r.data));
  out.appendChild(el('h3', null, 'Proof'));
  if (p.status === 503) {
    out.appendChild(el('p', 'muted', 'No signed checkpoint covers this receipt yet: reload in a few seconds.'));
  } else if (!p.ok || typeof p.data !== 'string') {
    out.appendChild(el('p', 'muted', apiProblem('receipt proof', p)));
  } else {
    out.appendChild(el('p', 'muted small', 'A C2SP tlog-proof: keep it and check it offline with ' +
      'tmonctl verify-proof.'));
    const pre = el('pre', 'proof-text');
    pre.id = 'receipt-proof';
    pre.textContent = p.data;
    out.appendChild(pre);
    const a = apiLink('download the proof', 'api/v1/receipts/' + seq + '/proof');
    a.setAttribute('download', 'receipt-' + seq + '.proof');
    out.appendChild(add(el('p', 'links'), a));
  }
}

async function submitReceipt(text, out) {
  out.replaceChildren(el('p', 'muted', 'Submitting\u2026'));
  let r;
  try {
    r = await fetch('api/v1/receipts', { method: 'POST', body: text, cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' } });
  } catch (e) {
    out.replaceChildren(notice('Cannot submit: ' + String(e && e.message ? e.message : e), 'alert'));
    return;
  }
  let d = null;
  try { d = await r.json(); } catch (e) { d = null; }
  out.replaceChildren();
  out.appendChild(el('p', 'meta', 'Answer: HTTP ' + r.status));
  if (r.status === 201 && obj(d)) {
    out.appendChild(renderReceiptAnswer(d));
  } else {
    const msg = obj(d) && str(d.error) ? d.error + (str(d.field) ? ' (' + d.field + ')' : '') :
      'HTTP ' + r.status;
    out.appendChild(notice(r.status === 401 ? 'This server takes receipts with a token only: ' + msg :
      r.status === 404 ? 'Receipts: not available on this server.' : msg, 'alert'));
  }
}

async function pageReceipts(id, seq) {
  setTitle('receipts');
  const v = view();
  v.replaceChildren();
  v.appendChild(el('h2', 'pagetitle', 'Receipts'));

  const look = section('Look up a receipt');
  const f1 = el('div', 'filters');
  const inp = el('input');
  inp.id = 'receipt-seq';
  inp.type = 'text';
  inp.inputMode = 'numeric';
  inp.placeholder = 'receipt number (seq)';
  if (seq !== null) inp.value = String(seq);
  const b1 = el('button', null, 'Look up');
  b1.id = 'receipt-lookup';
  b1.type = 'button';
  const goLook = () => {
    const s = inp.value.trim();
    if (/^[0-9]{1,16}$/.test(s)) location.hash = '#/receipts/' + Number(s);
    else out1.replaceChildren(notice('A receipt number is the sequence number the submission answered.', 'alert'));
  };
  b1.addEventListener('click', goLook);
  inp.addEventListener('keydown', e => { if (e.key === 'Enter') goLook(); });
  add(f1, inp, b1);
  look.appendChild(f1);
  const out1 = el('div', 'answer');
  out1.id = 'receipt-answer';
  look.appendChild(out1);
  v.appendChild(look);

  const sub = section('Submit a receipt');
  sub.appendChild(el('p', 'muted small', 'Paste a receipt (a completion signature with its model, ' +
    'or a provider\u2019s receipt JSON) or choose its file; tmon checks and archives it in the log.'));
  const ta = el('textarea');
  ta.id = 'receipt-text';
  ta.rows = 6;
  ta.placeholder = '{"model": "...", "text": "...", "signature": "0x...", ...}';
  const file = el('input');
  file.id = 'receipt-file';
  file.type = 'file';
  file.accept = '.json,application/json';
  const b2 = el('button', null, 'Submit');
  b2.id = 'receipt-submit';
  b2.type = 'button';
  const out2 = el('div', 'answer');
  out2.id = 'receipt-submitted';
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    if (f.size > 8 * 1024 * 1024) { out2.replaceChildren(notice('That file is too big.', 'alert')); return; }
    ta.value = await f.text();
  });
  b2.addEventListener('click', () => {
    if (!ta.value.trim()) { out2.replaceChildren(notice('Paste a receipt or choose a file first.', 'alert')); return; }
    b2.disabled = true;
    submitReceipt(ta.value, out2).finally(() => { b2.disabled = false; });
  });
  add(sub, ta, add(el('div', 'filters'), add(el('label', null, 'or a file '), file), b2), out2);
  v.appendChild(sub);
  if (seq !== null) await lookupReceipt(id, seq, out1);
}

/* --- router --- */

function parseHash() {
  let h = location.hash.replace(/^#/, '');
  if (!h.startsWith('/')) h = '/' + h;
  const qi = h.indexOf('?');
  const path = qi >= 0 ? h.slice(0, qi) : h;
  const q = new URLSearchParams(qi >= 0 ? h.slice(qi + 1) : '');
  return { parts: path.split('/').filter(x => x !== ''), q };
}

function seqArg(s) {
  return typeof s === 'string' && /^[0-9]{1,16}$/.test(s) ? Number(s) : null;
}

function markNav(name) {
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.nav === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function route(ev) {
  const id = ++renderId;
  if (refreshTimer !== null) { clearTimeout(refreshTimer); refreshTimer = null; }
  const { parts, q } = parseHash();
  const v = view();
  if ((parts[0] ?? '') !== '') setStatus(null);
  try {
    switch (parts[0] ?? '') {
    case '':
      markNav('overview');
      await pageOverview(id);
      if (id === renderId) refreshTimer = setTimeout(() => route(null), REFRESH_MS);
      break;
    case 'model': {
      markNav('');
      let m = null;
      try { m = decodeURIComponent(parts.slice(1).join('/')); } catch (e) { m = null; }
      if (!m) throw new Error('no model named');
      await pageModel(id, m);
      break;
    }
    case 'probe':
    case 'entry': {
      markNav('');
      const seq = seqArg(parts[1]);
      if (seq === null) throw new Error('an entry is named by its sequence number');
      await pageEntry(id, seq);
      break;
    }
    case 'events':
      markNav('events');
      await pageEvents(id, q);
      break;
    case 'failures':
      markNav('failures');
      await pageFailures(id);
      break;
    case 'receipts':
      markNav('receipts');
      await pageReceipts(id, parts[1] !== undefined ? seqArg(parts[1]) : null);
      break;
    default:
      markNav('');
      v.replaceChildren(notice('No such page.', 'alert'), routeLink('Overview', '/'));
    }
  } catch (e) {
    if (id !== renderId) return;
    setStatus('Cannot load the API: ' + String(e && e.message ? e.message : e), false);
    v.replaceChildren(notice(String(e && e.message ? e.message : e), 'alert'));
  }
  if (ev && id === renderId) window.scrollTo(0, 0);
}

window.addEventListener('hashchange', route);
route(null);
