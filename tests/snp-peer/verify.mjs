#!/usr/bin/env node
// Peer AMD SEV-SNP verifier for the differential test
// tests/integration/test_snp_peer.sh: drives the npm package
// @tinfoilsh/verifier over the cases of a cases.json, offline.
//
// Usage: node verify.mjs CASES.json [--out RESULTS.json]
//
// CASES.json is an array of { id, report, vcek, cert_chain, time, ... }:
// report is the raw ATTESTATION_REPORT (AMD SEV-SNP ABI spec 56860),
// vcek the VCEK certificate as AMD KDS serves it (DER), cert_chain the
// KDS cert_chain (PEM, ASK then ARK), paths relative to the cases file;
// time is the verification time in Unix seconds.
//
// Prints one JSON object a line per case: {"id", "verdict": "accept" or
// "reject", "reason"}.  With --out, also writes all of them with the
// peer's name and version to RESULTS.json.  Exit 0 when every case got a
// verdict; 2 on a usage or input error, or when the peer tries the
// network (it must not: the VCEK and cert_chain are given).
//
// The peer's verdict on a case is "accept" only when both hold:
//  1. verifyAttestation(), the package's public SEV-SNP entry point, with
//     the report (as a sev-snp-guest/v2 document: gzip, base64) and the
//     VCEK: the VCEK chains to the ASK and ARK (Genoa) the package pins,
//     the report's signature, policy, TCB and chip id checks.
//  2. The served cert_chain: its ARK is the ARK the package pins, and the
//     package's CertificateChain checks ARK -> ASK -> VCEK with the served
//     ASK and ARK (the public entry point never reads a cert_chain).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';

function die(msg) {
  process.stderr.write(`snp-peer: ${msg}\n`);
  process.exit(2);
}

// No network: any fetch is a failure of the test set-up, not a verdict.
globalThis.fetch = (input) => die(`refusing network access to ${String(input?.url ?? input)}`);

// The verification time: the package reads the clock with new Date().
const RealDate = Date;
let fixedMs = null;
class FixedDate extends RealDate {
  constructor(...a) {
    if (a.length === 0 && fixedMs !== null) super(fixedMs);
    else super(...a);
  }
  static now() { return fixedMs !== null ? fixedMs : RealDate.now(); }
}
globalThis.Date = FixedDate;

const args = process.argv.slice(2);
let casesPath = null;
let outPath = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && i + 1 < args.length) outPath = args[++i];
  else if (!casesPath && !args[i].startsWith('--')) casesPath = args[i];
  else die('usage: node verify.mjs CASES.json [--out RESULTS.json]');
}
if (!casesPath) die('usage: node verify.mjs CASES.json [--out RESULTS.json]');

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, 'node_modules', '@tinfoilsh', 'verifier');
let pkgVersion;
try {
  pkgVersion = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
} catch (e) {
  die(`@tinfoilsh/verifier is not installed (npm ci --prefix tests/snp-peer): ${e.message}`);
}
// The package's own modules: the public API, and the internals it verifies
// the chain with (not in its exports map, so loaded by file).
const distUrl = (f) => pathToFileURL(join(pkgDir, 'dist', f)).href;
const api = await import(distUrl('index.js'));
const { CertificateChain } = await import(distUrl('sev/cert-chain.js'));
const { ARK_CERT } = await import(distUrl('sev/certs.js'));
const { X509Certificate } = await import('@freedomofpress/sigstore-browser');

function pemBlocks(text) {
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  const out = [];
  for (let m; (m = re.exec(text)) !== null;) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return out;
}

function why(e) {
  let s = e?.message ?? String(e);
  for (let c = e?.cause; c; c = c.cause) s += `: ${c.message ?? String(c)}`;
  return s;
}

async function judge(c, base) {
  const report = readFileSync(resolve(base, c.report));
  const vcek = readFileSync(resolve(base, c.vcek));
  const chainPem = readFileSync(resolve(base, c.cert_chain), 'latin1');
  fixedMs = c.time * 1000;
  try {
    await api.verifyAttestation({
      format: api.PredicateType.SevGuestV2,
      body: gzipSync(report).toString('base64'),
    }, vcek.toString('base64'));
  } catch (e) {
    return { verdict: 'reject', reason: why(e) };
  }
  const certs = pemBlocks(chainPem);
  if (certs.length !== 2) return { verdict: 'reject', reason: `cert_chain: ${certs.length} certificates, not ASK and ARK` };
  try {
    const ask = X509Certificate.parse(certs[0]);
    const ark = X509Certificate.parse(certs[1]);
    const pinned = X509Certificate.parse(ARK_CERT);
    if (!ark.equals(pinned))
      return { verdict: 'reject', reason: 'cert_chain: its ARK is not the pinned ARK-Genoa' };
    await new CertificateChain(ark, ask, X509Certificate.parse(vcek)).verifyChain();
  } catch (e) {
    return { verdict: 'reject', reason: `cert_chain: ${why(e)}` };
  }
  return { verdict: 'accept', reason: '' };
}

let cases;
try {
  cases = JSON.parse(readFileSync(casesPath, 'utf8'));
} catch (e) {
  die(`${casesPath}: ${e.message}`);
}
const base = dirname(resolve(casesPath));
const results = [];
for (const c of cases) {
  let r;
  try {
    r = await judge(c, base);
  } catch (e) {
    die(`${c.id}: ${e.message}`);
  }
  const line = { id: c.id, ...r };
  results.push(line);
  process.stdout.write(JSON.stringify(line) + '\n');
}
if (outPath) {
  writeFileSync(outPath, JSON.stringify({
    generated_by: 'tests/snp-peer/verify.mjs',
    peer: `@tinfoilsh/verifier ${pkgVersion}`,
    results,
  }, null, 1) + '\n');
}
