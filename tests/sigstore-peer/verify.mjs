#!/usr/bin/env node
// Peer Sigstore verifier for the differential test
// tests/integration/test_sigstore_peer.sh: drives the npm packages
// @sigstore/bundle and @sigstore/verify over the cases of a cases.json,
// offline.
//
// Usage: node verify.mjs CASES.json [--out RESULTS.json]
//        node verify.mjs CASES.json --bench N [--case ID]
//
// CASES.json is an array of { id, attestations, trusted_root, digest,
// repo, ... }: attestations is a GitHub attestations API body
// ({"attestations":[{"bundle":{...}},...]}), trusted_root a Sigstore
// TrustedRoot JSON file (paths relative to the cases file), digest the
// expected SHA-256 of the release (hex), repo "OWNER/NAME".
//
// Prints one JSON object a line per case: {"id", "verdict": "accept" or
// "reject", "reason"}.  With --out, also writes all of them with the
// peer's name and versions to RESULTS.json.  Exit 0 when every case got a
// verdict; 2 on a usage or input error, or when the peer tries the
// network (it must not: the trusted root is given).
//
// With --bench N (bench/provenance.sh), times N verifications of case ID
// (default the first), its answer's JSON and the trust material built
// once (as tmonctl bench-provenance does), after one untimed judgement
// printed first; the last line is "verifications_per_sec <number>".
//
// A body is accepted when one of its bundles passes all of:
//  1. bundleFromJSON (@sigstore/bundle): the bundle's shape;
//  2. Verifier.verify (@sigstore/verify) with the trusted root, one SCT
//     and one tlog entry required: the Fulcio chain to a CA of the root
//     valid at the entry's integrated time, the embedded SCT, the Rekor
//     entry (body against the envelope, inclusion proof, checkpoint,
//     SET), the DSSE signature; and the identity policy: issuer
//     https://token.actions.githubusercontent.com, SAN a workflow of the
//     repository at a tag (^https://github.com/OWNER/NAME/.github/
//     workflows/...@refs/tags/), Source Repository URI extension
//     (1.3.6.1.4.1.57264.1.12) https://github.com/OWNER/NAME;
//  3. the DSSE payload is an in-toto Statement v1 one of whose subjects
//     has the expected sha256 digest.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';

function die(msg) {
  process.stderr.write(`sigstore-peer: ${msg}\n`);
  process.exit(2);
}

// No network: any fetch is a failure of the test set-up, not a verdict.
globalThis.fetch = (input) => die(`refusing network access to ${String(input?.url ?? input)}`);

const ISSUER = 'https://token.actions.githubusercontent.com';
const OID_SOURCE_REPO = [1, 3, 6, 1, 4, 1, 57264, 1, 12];
const INTOTO = 'application/vnd.in-toto+json';

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// DER UTF8String of s (the value of a Fulcio extension from .8 on).
function derUtf8(s) {
  const b = Buffer.from(s, 'utf8');
  if (b.length < 0x80) return Buffer.concat([Buffer.from([0x0c, b.length]), b]);
  if (b.length < 0x100) return Buffer.concat([Buffer.from([0x0c, 0x81, b.length]), b]);
  return Buffer.concat([Buffer.from([0x0c, 0x82, b.length >> 8, b.length & 0xff]), b]);
}

function verifyBundle(json, trust, digest, repo) {
  const bundle = bundleFromJSON(json);
  const entity = toSignedEntity(bundle);
  const verifier = new Verifier(trust, { ctlogThreshold: 1, tlogThreshold: 1 });
  verifier.verify(entity, {
    subjectAlternativeName: `^https://github\\.com/${escapeRe(repo)}/\\.github/workflows/[^@]+@refs/tags/`,
    extensions: { issuer: ISSUER },
    oids: [{ oid: { id: OID_SOURCE_REPO }, value: derUtf8(`https://github.com/${repo}`) }],
  });
  if (bundle.content.$case !== 'dsseEnvelope') throw new Error('not a DSSE envelope');
  const env = bundle.content.dsseEnvelope;
  if (env.payloadType !== INTOTO) throw new Error(`payloadType ${env.payloadType}`);
  const st = JSON.parse(Buffer.from(env.payload).toString('utf8'));
  if (st._type !== 'https://in-toto.io/Statement/v1') throw new Error(`statement type ${st._type}`);
  if (!Array.isArray(st.subject) || !st.subject.some((s) => s?.digest?.sha256 === digest))
    throw new Error('no subject with the expected sha256 digest');
  return st.predicateType;
}

function judge(c, base) {
  const body = JSON.parse(readFileSync(join(base, c.attestations), 'utf8'));
  const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(join(base, c.trusted_root), 'utf8')));
  const trust = toTrustMaterial(root);
  const atts = body?.attestations;
  if (!Array.isArray(atts) || atts.length === 0) return { verdict: 'reject', reason: 'no attestations' };
  let first = null;
  for (const a of atts) {
    try {
      const pt = verifyBundle(a.bundle, trust, c.digest.toLowerCase(), c.repo);
      return { verdict: 'accept', reason: pt };
    } catch (e) {
      if (first === null) first = `${e.code ? e.code + ': ' : ''}${e.message}`;
    }
  }
  return { verdict: 'reject', reason: first };
}

// bench(c, base, n): n timed judgements of case c (see the header).
function bench(c, base, n) {
  const body = JSON.parse(readFileSync(join(base, c.attestations), 'utf8'));
  const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(join(base, c.trusted_root), 'utf8')));
  const trust = toTrustMaterial(root);
  const digest = c.digest.toLowerCase();
  const once = () => {
    for (const a of body.attestations) {
      try {
        return verifyBundle(a.bundle, trust, digest, c.repo);
      } catch {
        // the next bundle
      }
    }
    return null;
  };
  process.stdout.write(`case ${c.id}: ${once() !== null ? 'verified' : 'rejected'}\n`);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) once();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  process.stdout.write(`runs ${n}\nseconds ${wall.toFixed(4)} (cpu ${cpu.toFixed(4)})\n` +
    `us_per_verification ${(wall * 1e6 / n).toFixed(2)}\n` +
    `cpu_verifications_per_sec ${(n / cpu).toFixed(1)}\n` +
    `verifications_per_sec ${(n / wall).toFixed(1)}\n`);
}

// take(flag): the value after flag in args (removed), or null
const args = process.argv.slice(2);
function take(flag) {
  const i = args.indexOf(flag);
  if (i < 0) return null;
  const v = args[i + 1];
  if (!v) die(`${flag} wants a value`);
  args.splice(i, 2);
  return v;
}
const out = take('--out');
const benchN = take('--bench');
const benchCase = take('--case');
if (args.length !== 1) die('usage: node verify.mjs CASES.json [--out RESULTS.json | --bench N [--case ID]]');
const casesPath = resolve(args[0]);
const base = dirname(casesPath);
let cases;
try {
  cases = JSON.parse(readFileSync(casesPath, 'utf8'));
} catch (e) {
  die(`${casesPath}: ${e.message}`);
}
if (benchN !== null) {
  const n = Number(benchN);
  if (!Number.isInteger(n) || n < 1) die('--bench wants a count');
  const c = benchCase === null ? cases[0] : cases.find((x) => x.id === benchCase);
  if (!c) die(`no case ${benchCase}`);
  bench(c, base, n);
  process.exit(0);
}
const results = [];
for (const c of cases) {
  let r;
  try {
    r = judge(c, base);
  } catch (e) {
    die(`case ${c.id}: ${e.message}`);
  }
  const line = { id: c.id, verdict: r.verdict, reason: r.reason };
  results.push(line);
  process.stdout.write(JSON.stringify(line) + '\n');
}
if (out) {
  const ver = (p) => JSON.parse(readFileSync(new URL(`./node_modules/${p}/package.json`, import.meta.url), 'utf8')).version;
  writeFileSync(out, JSON.stringify({
    peer: {
      '@sigstore/verify': ver('@sigstore/verify'),
      '@sigstore/bundle': ver('@sigstore/bundle'),
      '@sigstore/core': ver('@sigstore/core'),
    },
    results,
  }, null, 2) + '\n');
}
