#!/usr/bin/env python3
"""Write the cases of the Sigstore differential test
(tests/integration/test_sigstore_peer.sh) into tests/data/sigstore-peer/.

Usage: make_cases.py [SOURCE_DIR]

Sources (nothing here is computed by the code under test):
  tests/data/sigstore/tinfoil-cmr-*  a real GitHub attestation of
      tinfoilsh/confidential-model-router (public-good Sigstore;
      trust/sigstore-trusted-root.json)
  tests/data/sigstore/cli-*          GitHub CLI's test bundles (wrapped
      here in an attestations body): a reusable workflow on a branch, an
      enterprise issuer, npm provenance with a sha512 subject only
  tests/data/sigstore-test/*                                 the bundles of
      tmon-sim's TEST Sigstore (tests/data/sigstore-test/trusted_root.json)

Cases: every bundle as served (accept); for the real bundle and for one
test bundle, one flipped byte in the DSSE signature, the payload (a hex
digit of the predicate, so it stays JSON), the leaf certificate (the last
byte of its signature), the first inclusion-proof hash, the checkpoint's
signature and the SET; the right bundle asked for another repository or
another digest; each bundle against the other trusted root.  Each case:
{id, attestations, trusted_root, digest, repo, at, expect, what}, paths
relative to cases.json.  The expected verdict is the one the Sigstore
rules give (a tampered bundle is rejected), not any verifier's output.
"""
import base64
import copy
import json
import os
import re
import sys

SRC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(SRC, 'tests', 'data', 'sigstore-peer')
PUBLIC_ROOT = '../../../trust/sigstore-trusted-root.json'
TEST_ROOT = '../sigstore-test/trusted_root.json'
DEV_REPO = 'tinfoilsh/confidential-model-router'
DEV_AT = 1782699168         # Date of the captured attestations response
TEST_AT = 1780000000 + 10 * 86400   # after every test release


def b64flip(s, at=-1):
    """base64 text s with the byte at index at of its decoding xor 0x01."""
    b = bytearray(base64.b64decode(s))
    b[at] ^= 0x01
    return base64.b64encode(bytes(b)).decode()


def flip_payload(bundle):
    p = base64.b64decode(bundle['dsseEnvelope']['payload']).decode()
    m = re.search(r'"(snp_measurement|rtmr1|mrtd)"\s*:\s*"([0-9a-f])', p)
    if m is None:
        sys.exit('make_cases: no hex register in the payload')
    i = m.start(2)
    p = p[:i] + ('1' if p[i] == '0' else '0') + p[i + 1:]
    bundle['dsseEnvelope']['payload'] = base64.b64encode(p.encode()).decode()


def flip_checkpoint(bundle):
    cp = bundle['verificationMaterial']['tlogEntries'][0]['inclusionProof']['checkpoint']
    text, sigs = cp['envelope'].split('\n\n', 1)
    line = sigs.split('\n')[0]
    head, sig = line.rsplit(' ', 1)
    cp['envelope'] = text + '\n\n' + head + ' ' + b64flip(sig) + '\n'


def flip_cert(bundle):
    vm = bundle['verificationMaterial']
    if 'certificate' in vm:
        vm['certificate']['rawBytes'] = b64flip(vm['certificate']['rawBytes'])
    else:
        c = vm['x509CertificateChain']['certificates'][0]
        c['rawBytes'] = b64flip(c['rawBytes'])


FLIPS = [
    ('dsse-signature', 'one byte of the DSSE signature',
     lambda b: b['dsseEnvelope']['signatures'][0].update(
         sig=b64flip(b['dsseEnvelope']['signatures'][0]['sig']))),
    ('payload', 'one hex digit of the predicate in the DSSE payload',
     flip_payload),
    ('certificate', 'the last byte of the leaf certificate (its signature)',
     flip_cert),
    ('inclusion-proof-hash', 'one byte of the first inclusion-proof hash',
     lambda b: b['verificationMaterial']['tlogEntries'][0]['inclusionProof'][
         'hashes'].__setitem__(0, b64flip(b['verificationMaterial'][
             'tlogEntries'][0]['inclusionProof']['hashes'][0], 0))),
    ('checkpoint-signature', "the last byte of the checkpoint's signature",
     flip_checkpoint),
    ('set', 'the last byte of the SET (signedEntryTimestamp)',
     lambda b: b['verificationMaterial']['tlogEntries'][0][
         'inclusionPromise'].update(signedEntryTimestamp=b64flip(
             b['verificationMaterial']['tlogEntries'][0]['inclusionPromise'][
                 'signedEntryTimestamp']))),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []

    def case(cid, att, root, digest, repo, at, expect, what):
        cases.append({'id': cid, 'attestations': att, 'trusted_root': root,
                      'digest': digest, 'repo': repo, 'at': at,
                      'expect': expect, 'what': what})

    def tampered(prefix, src_rel, root, digest, repo, at):
        body = json.load(open(os.path.join(OUT, src_rel)))
        for name, what, fn in FLIPS:
            b = copy.deepcopy(body)
            fn(b['attestations'][0]['bundle'])
            fname = f'{prefix}-{name}.json'
            with open(os.path.join(OUT, fname), 'w') as f:
                json.dump(b, f, separators=(',', ':'))
            case(f'{prefix}-{name}', fname, root, digest, repo, at, 'reject',
                 what)

    # the real bundle
    dev_att = '../sigstore/tinfoil-cmr-attestations.json'
    dev_digest = open(os.path.join(OUT, '../sigstore/tinfoil-cmr-tinfoil.hash')).read().strip()
    case('dev', dev_att, PUBLIC_ROOT, dev_digest, DEV_REPO, DEV_AT, 'accept',
         'the captured GitHub attestation as served')
    tampered('dev', dev_att, PUBLIC_ROOT, dev_digest, DEV_REPO, DEV_AT)
    case('dev-other-repo', dev_att, PUBLIC_ROOT, dev_digest,
         'tinfoilsh/confidential-inference-proxy', DEV_AT, 'reject',
         'the real bundle asked for another repository')
    wrong = ('0' if dev_digest[0] != '0' else '1') + dev_digest[1:]
    case('dev-other-digest', dev_att, PUBLIC_ROOT, wrong, DEV_REPO, DEV_AT,
         'reject', 'the real bundle asked for another digest')
    case('dev-test-root', dev_att, TEST_ROOT, dev_digest, DEV_REPO, DEV_AT,
         'reject', 'the real bundle against the TEST trusted root')

    # GitHub CLI's bundles, each in an attestations body
    for name, repo, digest, at, what in [
        ('cli-reusable-workflow-attestation.sigstore.json',
         'malancas/attest-demo',
         '49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25',
         1716578064 + 60, 'signed by a reusable workflow of another '
         'repository, on refs/heads/main, not a tag'),
        ('cli-custom-issuer.sigstore.json', 'too-legit/attest',
         'afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d',
         1726082343 + 60, 'issuer https://token.actions.githubusercontent.'
         'com/hammer-time, not GitHub\'s'),
        ('cli-sigstore-js-2.1.0-bundle.json', 'sigstore/sigstore-js',
         '90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090e',
         1693323623 + 60, 'npm provenance (v0.3): the subject has a sha512 '
         'digest only, on refs/heads/main'),
        ('cli-sigstore-js-2.1.0-bundle-v0.1.json', 'sigstore/sigstore-js',
         '90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090e',
         1693323623 + 60, 'npm provenance (v0.1, x509CertificateChain): the '
         'subject has a sha512 digest only, on refs/heads/main'),
    ]:
        bundle = json.load(open(os.path.join(OUT, '../sigstore', name)))
        fname = 'cli-' + name[len('cli-'):].replace('.sigstore', '').replace(
            '.json', '') + '.attestations.json'
        with open(os.path.join(OUT, fname), 'w') as f:
            json.dump({'attestations': [{'bundle': bundle}]}, f,
                      separators=(',', ':'))
        case(fname[:-len('.attestations.json')], fname, PUBLIC_ROOT, digest,
             repo, at, 'reject', what)

    # tmon-sim's TEST Sigstore
    tdir = os.path.join(SRC, 'tests', 'data', 'sigstore-test')
    for fn in sorted(os.listdir(tdir)):
        if not fn.endswith('.attestations.json'):
            continue
        stem = fn[:-len('.attestations.json')]
        name = stem.rsplit('_', 1)[0]
        digest = open(os.path.join(tdir, stem + '.hash')).read().strip()
        case(f'test-{stem}', f'../sigstore-test/{fn}', TEST_ROOT, digest,
             f'tmon-sim/{name}', TEST_AT, 'accept',
             f'tmon-sim TEST Sigstore release {stem} as served')
    stem = 'tinfoil_v0.1.0'
    digest = open(os.path.join(tdir, stem + '.hash')).read().strip()
    att = f'../sigstore-test/{stem}.attestations.json'
    tampered('test', att, TEST_ROOT, digest, 'tmon-sim/tinfoil', TEST_AT)
    case('test-other-repo', att, TEST_ROOT, digest, 'tmon-sim/tinfoil-release',
         TEST_AT, 'reject', 'a TEST bundle asked for another repository')
    case('test-public-root', att, PUBLIC_ROOT, digest, 'tmon-sim/tinfoil',
         TEST_AT, 'reject', 'a TEST bundle against the public-good root')

    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(cases, f, indent=1)
        f.write('\n')
    print(f'make_cases: {len(cases)} cases in {OUT}')


main()
