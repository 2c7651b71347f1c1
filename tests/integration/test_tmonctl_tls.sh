#!/usr/bin/env bash
# tmonctl verify-attestation --tls-spki FILE: tls.binding on the recorded
# NEAR AI direct and cloud answers of 2026-06-29 (tests/data/near,
# PROVENANCE.md).  The served key of each capture is its HTTP metadata's
# peer_spki_der_base64 (peer_spki.der, and as PEM peer_spki.pem); the
# cloud answer also serves its certificate chain (tls_certificate.pem).
# The recorded key passes in every file form, the other capture's key and
# a key with a flipped byte fail (exit 1), no --tls-spki is skip, a file
# that holds no key is a usage error.  Nonces: the captures' manifests;
# time: the HTTP Date.
set -u
build=$1 src=$2
ctl=$build/tmonctl
d=$src/tests/data/near
direct=$d/neardirect-2026-06-29
cloud=$d/nearcloud-2026-06-29
dn=541b6523f9446dcd170e67ac8171eb9226bee5e3f192de4900b74f0ef293500b
cn=e79c2ec87ccfa76f3aef88deec0687facbd85d1689d82b0cc2de1353f7a62609
at=1782698810
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
line() { # description regex output
	if echo "$3" | grep -Eq "$2"; then echo "ok: $1"; else echo "FAIL: $1"; echo "$3" | grep tls.binding; fail=1; fi
}
want_rc() { # description want got
	[ "$2" = "$3" ] && echo "ok: $1 (exit $3)" || { echo "FAIL: $1: exit $3, want $2"; fail=1; }
}
for f in peer_spki.der peer_spki.pem; do
	out=$("$ctl" verify-attestation "$direct/attestation_report.body" --nonce "$dn" --at "$at" --tls-spki "$direct/$f")
	line "direct, $f: pass" "^tls.binding +pass +.*model binds in REPORTDATA" "$out"
done
out=$("$ctl" verify-attestation "$cloud/attestation_report.body" --nonce "$cn" --at "$at" --tls-spki "$cloud/peer_spki.der")
line "cloud, recorded key: the gateway's, pass" "^tls.binding +pass +.*gateway binds" "$out"
out=$("$ctl" verify-attestation "$cloud/attestation_report.body" --nonce "$cn" --at "$at" --tls-spki "$cloud/tls_certificate.pem")
line "cloud, its served chain: pass" "^tls.binding +pass" "$out"
out=$("$ctl" verify-attestation "$cloud/attestation_report.body" --nonce "$cn" --at "$at" --tls-spki "$cloud/tls_chain.der")
line "cloud, the chain as tmond keeps it (DER): pass" "^tls.binding +pass" "$out"
out=$("$ctl" verify-attestation "$cloud/attestation_report.body" --nonce "$cn" --at "$at" --tls-spki "$direct/peer_spki.der")
rc=$?
line "cloud, the model's key: fail" "^tls.binding +fail +.*does not end in the attested TEE" "$out"
want_rc "cloud, the model's key" 1 $rc
# a flipped byte in the EC point (the last byte of the SPKI) is another key
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[2],"wb").write(b)' \
    "$direct/peer_spki.der" "$tmp/flipped.der"
out=$("$ctl" verify-attestation "$direct/attestation_report.body" --nonce "$dn" --at "$at" --tls-spki "$tmp/flipped.der")
rc=$?
line "direct, flipped key: fail" "^tls.binding +fail" "$out"
want_rc "direct, flipped key" 1 $rc
out=$("$ctl" verify-attestation "$direct/attestation_report.body" --nonce "$dn" --at "$at")
line "no --tls-spki: skip" "^tls.binding +skip +.*not over TLS" "$out"
"$ctl" verify-attestation "$direct/attestation_report.body" --nonce "$dn" --tls-spki "$direct/manifest.json" >/dev/null 2>&1
want_rc "a file without a key is a usage error" 2 $?
exit $fail
