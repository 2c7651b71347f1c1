/*
 * tmon dashboard: DOM helpers, formatting and API access.
 *
 * Everything that comes from the API is untrusted (check details carry
 * upstream text, model ids are configured or submitted strings): it is
 * only ever placed with textContent or as a validated attribute value,
 * never through innerHTML.
 */

export const VERDICTS = ['pass', 'warn', 'fail', 'error', 'skip'];

/* The event classes of the log (README "Classified drift"). */
export const EVENT_CLASSES = ['first', 'instance_added', 'allowlisted',
  'upgrade_endorsed', 'tcb_changed', 'verdict_changed', 'unexplained'];

/* One line per class: what it means for someone reading a status page. */
export const CLASS_TEXT = {
  first: 'first measurement of the model',
  instance_added: 'a new replica of a known app on a known platform',
  allowlisted: 'changed to values the schedule allow-lists',
  upgrade_endorsed: 'changed to values the provider publishes',
  tcb_changed: 'TCB status or advisories moved',
  verdict_changed: 'the verdict changed',
  unexplained: 'changed, and nothing vouches for the new values',
  /* history of a server without classified events */
  changed: 'the measurement changed (not classified by this server)',
  none: 'no measurement change',
};

/* The measurement's identity layers (README "What counts as a change"). */
export const MEASUREMENT_LAYERS = [
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

/* What a failed (fail) or unverifiable (error) check means, in plain words. */
const CHECK_WORDS = {
  'http.fetch': ['the provider answered wrongly', 'the provider did not answer'],
  'response.parse': ['the attestation response is malformed',
    'the attestation response could not be read'],
  'nonce.echo': ['the attestation is not fresh: our nonce is not in it',
    'could not check that the attestation is fresh'],
  'tdx.quote.parse': ['the TDX quote is malformed', 'could not read the TDX quote'],
  'tdx.quote.signature': ['the TDX quote signature is wrong',
    'could not check the TDX quote signature'],
  'tdx.pck_chain': ['the quote is not signed by a genuine, unrevoked Intel platform key',
    'could not check the Intel certificate chain'],
  'tdx.reportdata': ['the quote does not bind the signing key and our nonce',
    'could not check what the quote binds'],
  'tdx.collateral': ['Intel\u2019s collateral does not verify',
    'could not get or check Intel\u2019s collateral'],
  'tdx.tcb': ['the platform\u2019s TCB is out of date or revoked',
    'could not evaluate the platform\u2019s TCB'],
  'tdx.td_attributes': ['the enclave runs in debug or an unsafe mode',
    'could not check the enclave\u2019s attributes'],
  'tdx.event_log': ['the event log does not replay to the measured registers',
    'could not replay the event log'],
  'tdx.compose': ['the app configuration is not the measured one',
    'could not check the app configuration'],
  'measurement.policy': ['the measurement is not on the allow-list',
    'could not check the allow-list'],
  'gpu.evidence': ['the GPU evidence is not validly signed', 'could not check the GPU evidence'],
  'gpu.cert_chain': ['the GPU is not certified by NVIDIA', 'could not check the GPU certificates'],
  'gpu.nonce': ['the GPU evidence is not fresh', 'could not check that the GPU evidence is fresh'],
  'gpu.nras': ['NVIDIA\u2019s attestation service does not vouch for the GPUs',
    'could not check NVIDIA\u2019s attestation service answer'],
  'sig.completion': ['completions are not signed by the attested key',
    'could not get the completion\u2019s signature'],
  'sig.request_hash': ['the signature is over a different request',
    'could not check the signed request hash'],
  'sig.response_hash': ['the signature is over a different response',
    'could not check the signed response hash'],
};

/* Create an element with optional class and text (text via textContent). */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/* Append children (nodes or strings, null skipped) to e; returns e. */
export function add(e, ...kids) {
  for (const k of kids) {
    if (k === null || k === undefined) continue;
    e.appendChild(typeof k === 'string' ? document.createTextNode(k) : k);
  }
  return e;
}

export function str(v) {
  return typeof v === 'string' ? v : null;
}

export function isSeq(v) {
  return Number.isSafeInteger(v) && v >= 0;
}

export function obj(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
}

export function arr(v) {
  return Array.isArray(v) ? v : [];
}

/* A verdict or check status, or 'unknown': used in class names. */
export function verdictClass(v) {
  return VERDICTS.includes(v) ? v : 'unknown';
}

export function eventClass(c) {
  return EVENT_CLASSES.includes(c) || c === 'changed' ? c : 'other';
}

export function fmtTime(t) {
  if (!Number.isSafeInteger(t) || t < 0 || t > 253402300799) return 'never';
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z').replace('T', ' ');
}

export function fmtAgo(t) {
  if (!Number.isSafeInteger(t) || t < 0) return '';
  const s = Math.floor(Date.now() / 1000) - t;
  if (s < 0) return 'in the future';
  if (s < 120) return s + ' s ago';
  if (s < 7200) return Math.floor(s / 60) + ' min ago';
  if (s < 172800) return Math.floor(s / 3600) + ' h ago';
  return Math.floor(s / 86400) + ' days ago';
}

/* A time element: absolute time, relative time in brackets. */
export function timeEl(t) {
  const s = el('span', 'time', fmtTime(t));
  const ago = fmtAgo(t);
  if (ago) s.title = ago;
  return s;
}

/* A hex string shortened for display; the whole value in the title. */
export function short(v, n = 16) {
  const s = String(v);
  if (s.length <= n + 1) return el('span', 'mono', s);
  const e = el('span', 'mono', s.slice(0, n) + '\u2026');
  e.title = s;
  return e;
}

export function badge(verdict) {
  const v = str(verdict);
  return el('span', 'badge v-' + verdictClass(v), v === null ? 'not probed' : v);
}

/* What an event class means, '' for an unknown one. */
export function classText(cls) {
  return typeof cls === 'string' && Object.hasOwn(CLASS_TEXT, cls) ? CLASS_TEXT[cls] : '';
}

export function classBadge(cls) {
  const c = str(cls) ?? '?';
  const b = el('span', 'cbadge c-' + eventClass(c), c.replace('_', ' '));
  if (classText(c)) b.title = classText(c);
  return b;
}

/* A link inside the dashboard (hash route). */
export function routeLink(text, route) {
  const a = el('a', null, text);
  a.setAttribute('href', '#' + route);
  return a;
}

export function modelRoute(model) {
  return '/model/' + encodeURIComponent(model);
}

export function modelLink(model) {
  const m = str(model);
  if (m === null) return el('span', 'mono', '?');
  const a = routeLink(m, modelRoute(m));
  a.className = 'mono model';
  return a;
}

export function probeLink(seq, text) {
  if (!isSeq(seq)) return null;
  return routeLink(text ?? '#' + seq, '/probe/' + seq);
}

/* A link to one of our own API paths built from validated parts only. */
export function apiLink(text, path) {
  const a = el('a', null, text);
  a.setAttribute('href', path);
  a.setAttribute('rel', 'noopener noreferrer');
  return a;
}

export function isSha256(s) {
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
}

/*
 * A link that downloads the blob with this SHA-256 (the raw bytes as
 * received from upstream), saved as NAME-<first 12 hex>.bin.
 */
export function blobLink(text, sha, name) {
  if (!isSha256(sha)) return null;
  const a = apiLink(text, 'api/v1/blobs/' + sha);
  const base = String(name ?? 'blob').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  a.setAttribute('download', base + '-' + sha.slice(0, 12) + '.bin');
  a.className = 'blob';
  return a;
}

/* The plain words for a fail/error check. */
export function checkWords(c) {
  const id = str(c.id) ?? '?';
  const w = Object.hasOwn(CHECK_WORDS, id) ? CHECK_WORDS[id] : null;
  if (c.status === 'fail') return w ? w[0] : 'check ' + id + ' failed';
  if (c.status === 'error') return w ? w[1] : 'could not run check ' + id;
  if (c.status === 'warn') return id === 'measurement.policy' ?
    'no allow-list pins the measurement' : 'warning from ' + id;
  return id + ': ' + (str(c.status) ?? '?');
}

/* True if a probe or model is from the simulated provider (test PKI). */
export function isSimulated(model, checks) {
  if (typeof model === 'string' && model.startsWith('sim/')) return true;
  return arr(checks).some(c => obj(c) && typeof c.detail === 'string' &&
    (c.detail.includes('[test PKI]') || c.detail.includes('tmon_sim')));
}

export function simMark() {
  const s = el('span', 'sim', 'simulated, test PKI');
  s.title = 'Served by tmon-sim with a test PKI: not evidence of a real TEE.';
  return s;
}

/*
 * GET an API path: {status, ok, data} where data is the parsed JSON (null
 * if it does not parse) or, for other media types, the text; throws only
 * when there is no answer (network error).
 */
export async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-cache' });
  let data = null;
  const ct = r.headers.get('Content-Type') || '';
  if (ct.startsWith('application/json')) {
    try { data = await r.json(); } catch (e) { data = null; }
  } else {
    data = await r.text();
  }
  return { status: r.status, data, ok: r.ok };
}

/* An API answer as a short message for the page (not available, ...). */
export function apiProblem(path, res) {
  if (res.status === 404) return path + ': not available on this server';
  const e = obj(res.data) && str(res.data.error) ? ': ' + res.data.error : '';
  return path + ': HTTP ' + res.status + e;
}

/*
 * The size of the latest signed checkpoint (its second line, C2SP
 * tlog-checkpoint), or null when there is none: a proof of entry seq can
 * only be asked for when seq < size.
 */
export async function checkpointSize() {
  const r = await api('api/v1/log/checkpoint');
  if (!r.ok || typeof r.data !== 'string') return null;
  const line = r.data.split('\n')[1];
  return /^[0-9]{1,16}$/.test(line ?? '') ? Number(line) : null;
}

export function notice(text, cls = 'notice') {
  return el('p', cls, text);
}
