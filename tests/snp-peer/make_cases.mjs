#!/usr/bin/env node
// Regenerates tests/data/snp-peer/ (the inputs of
// tests/integration/test_snp_peer.sh) from the Tinfoil v3 SEV-SNP capture
// in the shared evidence: copies the served bodies, decodes the report and
// writes the tampered variants and cases.json.  Not run by the tests.
//
// Usage: node make_cases.mjs CAPTURE_DIR OUT_DIR
//   CAPTURE_DIR  .../teep-2026-06/tinfoil_v3_cloud_llama3-3-70b_20260629_021249
//   OUT_DIR      tests/data/snp-peer
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { X509Certificate } from 'node:crypto';

const [cap, out] = process.argv.slice(2);
if (!cap || !out) {
  process.stderr.write('usage: node make_cases.mjs CAPTURE_DIR OUT_DIR\n');
  process.exit(2);
}
const name = basename(cap).replace(/_\d{8}_\d{6}$/, '');
const src = join(cap, 'responses');
const dst = join(out, name);
mkdirSync(join(dst, 'tampered'), { recursive: true });
const files = {
  attestation: '0001_inference.tinfoil.sh_.well-known_tinfoil-attestation',
  cert_chain: '0002_kdsintf.amd.com_vcek_v1_genoa_cert_chain',
  vcek: '0003_kdsintf.amd.com_vcek_v1_genoa_1af1aa6c1f56037a05849a59b8815cf909583f9ba9ef2f0532',
};
for (const f of Object.values(files)) {
  copyFileSync(join(src, `${f}.body`), join(dst, `${f}.body`));
  copyFileSync(join(src, `${f}.json`), join(dst, `${f}.json`));
}
const doc = JSON.parse(readFileSync(join(dst, `${files.attestation}.body`), 'utf8'));
const report = Buffer.from(doc.cpu.report, 'base64');
writeFileSync(join(dst, 'report.bin'), report);
const meta = JSON.parse(readFileSync(join(dst, `${files.attestation}.json`), 'utf8'));
const time = Date.parse(meta.headers.Date[0]) / 1000;

const flip = (buf, off) => { const b = Buffer.from(buf); b[off] ^= 0x01; return b; };
const rel = (f) => `${name}/${f}`;
const real = { report: rel('report.bin'), vcek: rel(`${files.vcek}.body`), cert_chain: rel(`${files.cert_chain}.body`) };
const cases = [{ id: 'real', ...real, time, expect: 'accept', note: 'the served report, VCEK and cert_chain at the HTTP Date of the attestation response' }];

// ATTESTATION_REPORT offsets: AMD SEV-SNP ABI spec 56860, Table 23.
for (const [id, off, what] of [
  ['report_data_flip', 0x50, 'REPORT_DATA[0]'],
  ['measurement_flip', 0x90, 'MEASUREMENT[0]'],
  ['signature_flip', 0x2a0, 'SIGNATURE R[0] (least significant byte, little-endian)'],
]) {
  writeFileSync(join(dst, 'tampered', `report.${id}.bin`), flip(report, off));
  cases.push({ id, ...real, report: rel(`tampered/report.${id}.bin`), time, expect: 'reject',
    note: `report byte 0x${off.toString(16)} (${what}) xor 0x01` });
}
writeFileSync(join(dst, 'tampered', 'report.truncated.bin'), report.subarray(0, report.length - 1));
cases.push({ id: 'truncated', ...real, report: rel('tampered/report.truncated.bin'), time, expect: 'reject',
  note: `report cut to ${report.length - 1} bytes` });

// The last byte of a DER certificate is the last byte of its signature.
const vcek = readFileSync(join(dst, `${files.vcek}.body`));
const vcekFrom = Date.parse(new X509Certificate(vcek).validFrom) / 1000;
cases.push({ id: 'vcek_not_yet_valid', ...real, time: vcekFrom - 86400, expect: 'reject',
  note: 'the served files a day before the VCEK\'s notBefore' });
writeFileSync(join(dst, 'tampered', 'vcek.signature_flip.der'), flip(vcek, vcek.length - 1));
cases.push({ id: 'vcek_flip', ...real, vcek: rel('tampered/vcek.signature_flip.der'), time, expect: 'reject',
  note: `VCEK DER byte ${vcek.length - 1} (last byte of its signature by the ASK) xor 0x01` });

const pem = readFileSync(join(dst, `${files.cert_chain}.body`), 'latin1');
const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
const ask = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
const askBad = flip(ask, ask.length - 1);
const b64 = askBad.toString('base64').match(/.{1,64}/g).join('\n');
const pemBad = pem.slice(0, m.index) + `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----` +
  pem.slice(m.index + m[0].length);
writeFileSync(join(dst, 'tampered', 'cert_chain.ask_flip.pem'), pemBad);
cases.push({ id: 'ask_flip', ...real, cert_chain: rel('tampered/cert_chain.ask_flip.pem'), time, expect: 'reject',
  note: `ASK DER byte ${ask.length - 1} (last byte of its signature by the ARK) xor 0x01, PEM re-encoded` });

writeFileSync(join(out, 'cases.json'), JSON.stringify(cases, null, 1) + '\n');
