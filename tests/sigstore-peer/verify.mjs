#!/usr/bin/env node
// Peer Sigstore verifier for the differential test
// tests/integration/test_sigstore_peer.sh: drives the npm packages
// @sigstore/bundle and @sigstore/verify over the cases of a cases.json,
// offline.
//
// Usage: node verify.mjs CASES.json [--out RESULTS.json]
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

const args = process.argv.slice(2);
let out = null;
const oi = args.indexOf('--out');
if (oi >= 0) {
  out = args[oi + 1];
  if (!out) die('--out wants a file');
  args.splice(oi, 2);
}
if (args.length !== 1) die('usage: node verify.mjs CASES.json [--out RESULTS.json]');
const casesPath = resolve(args[0]);
const base = dirname(casesPath);
let cases;
try {
  cases = JSON.parse(readFileSync(casesPath, 'utf8'));
} catch (e) {
  die(`${casesPath}: ${e.message}`);
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
