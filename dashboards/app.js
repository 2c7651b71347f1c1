/*
 * tmon dashboard: reads the read-only JSON API and renders it.
 *
 * Everything that comes from the API is untrusted (check details carry
 * upstream text): it is only ever placed with textContent or as a
 * validated attribute value, never through innerHTML.
 */
'use strict';

const REFRESH_MS = 60000;
const VERDICTS = ['pass', 'warn', 'fail', 'error', 'skip'];
const NONCE_ECHO_TEXT =
  'response does not echo our nonce: replayed or cached attestation';
/* The measurement's identity layers (README "What counts as a change"). */
const MEASUREMENT_LAYERS = [
  ['platform', 'Platform', [
    ['mrtd', 'MRTD'], ['rtmr0', 'RTMR0'], ['rtmr1', 'RTMR1'], ['rtmr2', 'RTMR2'],
    ['tee_tcb_svn', 'TEE TCB SVN'], ['fmspc', 'FMSPC'], ['tcb_status', 'TCB status'],
    ['gpu_count', 'GPUs']]],
  ['app', 'App', [
    ['compose_hash', 'Compose hash'], ['os_image_hash', 'OS image hash'],
    ['app_id', 'App id'], ['key_provider', 'Key provider'], ['mr_config_id', 'MRCONFIGID']]],
  ['instance', 'Instance', [
    ['rtmr3', 'RTMR3'], ['signing_address', 'Signing address'],
    ['signing_algo', 'Signing algorithm'], ['tls_fingerprint', 'TLS key'],
    ['instance_id', 'Instance id']]],
  ['probe', 'This probe', [['report_data', 'Report data']]],
];

/* Create an element with optional class and text (text via textContent). */
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function str(v) {
  return typeof v === 'string' ? v : null;
}

/* A verdict or check status, or 'unknown': used in class names. */
function verdictClass(v) {
  return VERDICTS.includes(v) ? v : 'unknown';
}

function fmtTime(t) {
  if (!Number.isSafeInteger(t) || t < 0) return 'never';
  const d = new Date(t * 1000);
  return d.toISOString().replace('.000Z', 'Z');
}

function fmtAgo(t) {
  if (!Number.isSafeInteger(t) || t < 0) return '';
  const s = Math.max(0, Math.floor(Date.now() / 1000) - t);
  if (s < 120) return s + ' s ago';
  if (s < 7200) return Math.floor(s / 60) + ' min ago';
  if (s < 172800) return Math.floor(s / 3600) + ' h ago';
  return Math.floor(s / 86400) + ' days ago';
}

/* A link to one of our own API paths built from validated parts only. */
function apiLink(text, path) {
  const a = el('a', null, text);
  a.setAttribute('href', path);
  a.setAttribute('rel', 'noopener noreferrer');
  return a;
}

function entryLink(seq) {
  if (!Number.isSafeInteger(seq) || seq < 0) return null;
  return apiLink('log entry #' + seq, 'api/v1/entries/' + seq);
}

function blobLink(sha) {
  if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) return null;
  return apiLink('raw response', 'api/v1/blobs/' + sha);
}

function badge(verdict) {
  const v = str(verdict);
  return el('span', 'badge v-' + verdictClass(v), v === null ? 'not probed yet' : v);
}

function renderChecks(checks) {
  const table = el('table', 'checks');
  const head = el('tr');
  ['Check', 'Status', 'Detail'].forEach(h => head.appendChild(el('th', null, h)));
  const thead = el('thead');
  thead.appendChild(head);
  table.appendChild(thead);
  const body = el('tbody');
  for (const c of checks) {
    if (c === null || typeof c !== 'object') continue;
    const status = str(c.status);
    const tr = el('tr', 's-' + verdictClass(status));
    tr.appendChild(el('td', 'mono', str(c.id) ?? '?'));
    const st = el('td');
    st.appendChild(el('span', 'badge v-' + verdictClass(status), status ?? '?'));
    tr.appendChild(st);
    tr.appendChild(el('td', 'detail', str(c.detail) ?? ''));
    body.appendChild(tr);
  }
  table.appendChild(body);
  return table;
}

function renderMeasurement(m) {
  if (m === null || typeof m !== 'object') {
    return el('p', 'muted', 'No measurement in the last probe.');
  }
  const dl = el('dl', 'measurement');
  for (const [layer, title, fields] of MEASUREMENT_LAYERS) {
    const l = m[layer];
    if (l === null || typeof l !== 'object') continue;
    dl.appendChild(el('dt', 'layer', title));
    dl.appendChild(el('dd', 'layer', ''));
    for (const [key, label] of fields) {
      const v = l[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' && typeof v !== 'number') continue;
      dl.appendChild(el('dt', null, label));
      dl.appendChild(el('dd', 'mono', v));
    }
  }
  return dl;
}

/* "instance_added" and "changed" of the newest probe, and the replicas. */
function renderChange(m) {
  const c = m.change;
  const n = Number.isSafeInteger(m.instances) ? m.instances : 0;
  const p = el('p', 'meta', n + (n === 1 ? ' instance' : ' instances') + ' seen recently');
  if (c === null || typeof c !== 'object') return p;
  const fields = Array.isArray(c.changed_fields) ?
    c.changed_fields.filter(f => typeof f === 'string') : [];
  if (c.class === 'changed') {
    return el('p', 'alert', 'Measurement changed in the last probe: ' + fields.join(', '));
  }
  if (c.class === 'instance_added') {
    p.appendChild(el('span', null, '; the last probe met a new instance (' +
      fields.join(', ') + ')'));
  }
  return p;
}

function nonceEchoFailed(checks) {
  return checks.some(c => c !== null && typeof c === 'object' &&
    c.id === 'nonce.echo' && c.status === 'fail');
}

function renderModel(m) {
  const card = el('article', 'card v-border-' + verdictClass(str(m.verdict)));
  const h = el('h3');
  h.appendChild(el('span', 'model mono', str(m.model) ?? '?'));
  h.appendChild(badge(m.verdict));
  card.appendChild(h);

  const meta = el('p', 'meta');
  const parts = [];
  if (str(m.provider)) parts.push('provider ' + m.provider);
  if (str(m.format)) parts.push('format ' + m.format);
  if (m.configured === false) parts.push('no longer configured');
  meta.appendChild(el('span', null, parts.join(' \u00b7 ')));
  card.appendChild(meta);

  const last = el('p', 'meta');
  if (Number.isSafeInteger(m.last_probe_time)) {
    last.appendChild(el('span', null, 'Last probe ' + fmtTime(m.last_probe_time) +
      ' (' + fmtAgo(m.last_probe_time) + ')'));
    const links = [entryLink(m.last_probe_seq),
      blobLink(m.request && typeof m.request === 'object' ? m.request.body_sha256 : null)];
    for (const a of links) {
      if (a === null) continue;
      last.appendChild(document.createTextNode(' \u00b7 '));
      last.appendChild(a);
    }
  } else {
    last.appendChild(el('span', null, 'Never probed yet.'));
  }
  card.appendChild(last);

  const checks = Array.isArray(m.checks) ? m.checks : [];
  if (nonceEchoFailed(checks)) {
    card.appendChild(el('p', 'alert', 'Warning: ' + NONCE_ECHO_TEXT + '.'));
  }
  if (str(m.body_error)) card.appendChild(el('p', 'alert', m.body_error));
  if (checks.length > 0) {
    card.appendChild(el('h4', null, 'Checks'));
    card.appendChild(renderChecks(checks));
  }
  if (Number.isSafeInteger(m.last_probe_time)) {
    card.appendChild(el('h4', null, 'Current measurement'));
    card.appendChild(renderChange(m));
    card.appendChild(renderMeasurement(m.measurement));
  }
  return card;
}

function renderFailures(list) {
  const box = document.getElementById('failures');
  box.replaceChildren();
  if (list.length === 0) {
    box.appendChild(el('p', 'muted', 'No failed or errored probes in the log.'));
    return;
  }
  const ul = el('ul', 'failures');
  for (const f of list) {
    if (f === null || typeof f !== 'object') continue;
    const li = el('li');
    li.appendChild(badge(f.verdict));
    li.appendChild(el('span', 'mono', ' ' + (str(f.model) ?? '?') + ' '));
    li.appendChild(el('span', 'muted', fmtTime(f.time) + ' '));
    const a = entryLink(f.seq);
    if (a !== null) li.appendChild(a);
    const checks = Array.isArray(f.checks) ? f.checks : [];
    if (nonceEchoFailed(checks)) li.appendChild(el('div', 'alert', NONCE_ECHO_TEXT));
    const sub = el('ul', 'sub');
    for (const c of checks) {
      if (c === null || typeof c !== 'object') continue;
      const item = el('li');
      item.appendChild(el('span', 'badge v-' + verdictClass(str(c.status)), str(c.status) ?? '?'));
      item.appendChild(el('span', 'mono', ' ' + (str(c.id) ?? '?') + ': '));
      item.appendChild(el('span', null, str(c.detail) ?? ''));
      sub.appendChild(item);
    }
    li.appendChild(sub);
    ul.appendChild(li);
  }
  box.appendChild(ul);
}

async function getJSON(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}

async function refresh() {
  const status = document.getElementById('status');
  try {
    const [models, failures] = await Promise.all([
      getJSON('api/v1/models'), getJSON('api/v1/failures?limit=20')]);
    const box = document.getElementById('models');
    box.replaceChildren();
    const list = Array.isArray(models.models) ? models.models : [];
    if (list.length === 0) box.appendChild(el('p', 'muted', 'No models are monitored.'));
    let bad = 0;
    for (const m of list) {
      if (m === null || typeof m !== 'object') continue;
      if (m.verdict === 'fail' || m.verdict === 'error') bad++;
      box.appendChild(renderModel(m));
    }
    renderFailures(Array.isArray(failures.failures) ? failures.failures : []);
    status.className = 'status ' + (bad > 0 ? 'bad' : 'good');
    status.textContent = list.length + ' models, ' + bad + ' failing or unverifiable. ' +
      'Updated ' + fmtTime(Math.floor(Date.now() / 1000)) + '.';
  } catch (e) {
    status.className = 'status bad';
    status.textContent = 'Cannot load the API: ' + String(e && e.message ? e.message : e);
  }
}

refresh();
setInterval(refresh, REFRESH_MS);
