#!/usr/bin/env bash
# tmonctl verify-attestation --collateral FILE, given once per file, each
# file's kind told from its bytes.  The recorded NEAR AI cloud answer of
# 2026-06-29 (tests/data/near) holds three TEEs: model[0] and
# compose-manager[0] on FMSPC 90c06f000000, the gateway on b0c06f000000.
# With the Intel collateral of both FMSPCs of the capture run
# (tests/data/dcap/PROVENANCE.md), given in either order and beside AMD
# KDS answers and an NRAS JWKS (which this answer does not use), every
# TEE's TCB is judged: exit 0.  With one missing, only the TEEs on that
# FMSPC are error "no collateral for FMSPC ..." (exit 3).  A file of no
# known kind is a usage error that says so (exit 2).  The Tinfoil v3
# SEV-SNP capture verifies with its chip's VCEK and the Genoa cert_chain
# given the same way; without them the SNP checks are error.
set -u
build=$1 src=$2
ctl=$build/tmonctl
near=$src/tests/data/near/nearcloud-2026-06-29
resp=$near/attestation_report.body
nonce=e79c2ec87ccfa76f3aef88deec0687facbd85d1689d82b0cc2de1353f7a62609  # manifest nonce_hex
at=1782698810                                    # Date: Mon, 29 Jun 2026 02:06:50 GMT
cdir=$src/tests/data/dcap/evidence/teep/nearcloud_qwen_qwen3.5-122b-a10b_20260629_020657
c90=$cdir/collateral_90c06f000000.json
cb0=$cdir/collateral_b0c06f000000.json
kds=$src/tests/data/amd-kds
jwks=$src/tests/data/nras/tinfoil_gemma4_jwks.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # description want got
	if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1 (exit $3, want $2)"; fail=1; fi
}
has() { # description regex output
	if echo "$3" | grep -Eq "$2"; then echo "ok: $1"; else echo "FAIL: $1"; echo "$3"; fail=1; fi
}
hasnt() { # description regex output
	if echo "$3" | grep -Eq "$2"; then echo "FAIL: $1"; echo "$3"; fail=1; else echo "ok: $1"; fi
}

# every TEE with its own FMSPC's collateral, in both orders
for order in "$c90 $cb0" "$cb0 $c90"; do
	set -- $order
	out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at" \
	    --collateral "$1" --collateral "$2"); rc=$?
	check "both FMSPCs' collateral: verified" 0 $rc
	has "tdx.tcb pass" "^tdx.tcb +pass +model\[0\]: UpToDate" "$out"
	has "tdx.collateral pass" "^tdx.collateral +pass " "$out"
	has "three TEEs" "3 TEE attestations" "$out"
done

# beside them, every other kind as served: the AMD KDS VCEK (DER and the
# same in PEM), the KDS cert_chain, an NRAS JWKS: still verified
openssl x509 -inform DER -in "$kds/genoa_vcek.der" -out "$tmp/vcek.pem" ||
    { echo "FAIL: openssl"; exit 1; }
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at" \
    --collateral "$kds/genoa_vcek.der" --collateral "$c90" \
    --collateral "$kds/genoa_cert_chain.pem" --collateral "$tmp/vcek.pem" \
    --collateral "$jwks" --collateral "$cb0"); rc=$?
check "every kind at once: verified" 0 $rc
# a JWKS by --collateral and another by --nras-jwks: only one is used
"$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at" \
    --collateral "$jwks" --nras-jwks "$jwks" >/dev/null 2>"$tmp/err"; rc=$?
check "two JWKS: usage error" 2 $rc
has "two JWKS: says so" "a second NRAS JWKS" "$(cat "$tmp/err")"

# the gateway's collateral missing: only the gateway is error
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at" \
    --collateral "$c90"); rc=$?
check "gateway collateral missing: not verified" 3 $rc
has "tdx.tcb names the gateway's FMSPC" "^tdx.tcb +error +gateway: no collateral for FMSPC b0c06f000000$" "$out"
has "tdx.collateral names the gateway's FMSPC" "^tdx.collateral +error +gateway: no collateral for FMSPC b0c06f000000$" "$out"
for id in tdx.quote.signature tdx.pck_chain tdx.reportdata tdx.event_log; do
	has "$id still pass" "^$id +pass " "$out"
done
hasnt "nothing failed" " fail " "$out"
# the model's and compose manager's collateral missing: they are error
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at" \
    --collateral "$cb0" --json); rc=$?
check "model collateral missing: not verified" 3 $rc
has "tdx.tcb names the model's FMSPC" '"detail": "model\[0\]: no collateral for FMSPC 90c06f000000"' "$out"
# no collateral at all
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at"); rc=$?
check "no collateral: not verified" 3 $rc
has "no collateral: names an FMSPC" "^tdx.tcb +error +model\[0\]: no collateral for FMSPC 90c06f000000$" "$out"

# unrecognised files: a usage error naming the file and why
"$ctl" verify-attestation "$resp" --nonce "$nonce" --collateral "$resp" \
    >/dev/null 2>"$tmp/err"; rc=$?
check "a JSON answer as collateral" 2 $rc
has "says it is no known collateral" "^tmonctl: .*attestation_report.body: not a collateral tmon knows: a JSON object" "$(cat "$tmp/err")"
printf 'hello\n' > "$tmp/text"
"$ctl" verify-attestation "$resp" --nonce "$nonce" --collateral "$tmp/text" \
    >/dev/null 2>"$tmp/err"; rc=$?
check "text as collateral" 2 $rc
has "text: says so" "not a collateral tmon knows: neither JSON, PEM nor a DER certificate" "$(cat "$tmp/err")"
# a certificate that is not a VCEK (the ARK alone), and the chain reversed
sed -n '/BEGIN/,/END/p' "$kds/genoa_cert_chain.pem" | awk 'BEGIN{n=0} /BEGIN/{n++} n==2' > "$tmp/ark.pem"
"$ctl" verify-attestation "$resp" --nonce "$nonce" --collateral "$tmp/ark.pem" \
    >/dev/null 2>"$tmp/err"; rc=$?
check "the ARK alone" 2 $rc
has "ARK: not a VCEK" "a certificate that is not an AMD VCEK \(subject CN \"ARK-Genoa\"" "$(cat "$tmp/err")"
awk 'BEGIN{n=0} /BEGIN/{n++} n==1' "$kds/genoa_cert_chain.pem" > "$tmp/ask.pem"
cat "$tmp/ark.pem" "$tmp/ask.pem" > "$tmp/reversed.pem"
"$ctl" verify-attestation "$resp" --nonce "$nonce" --collateral "$tmp/reversed.pem" \
    >/dev/null 2>"$tmp/err"; rc=$?
check "ARK then ASK" 2 $rc
has "reversed: not an ASK then ARK" "not an AMD ASK then ARK" "$(cat "$tmp/err")"
"$ctl" verify-attestation "$resp" --nonce "$nonce" --collateral /nonexistent \
    >/dev/null 2>&1; rc=$?
check "missing file" 2 $rc
"$ctl" help verify-attestation | grep -q "AMD KDS VCEK" || { echo "FAIL: help lists the kinds"; fail=1; }

# the Tinfoil v3 SEV-SNP document these KDS answers were fetched for
# (tests/data/replay/kds-2026-06-29): its nonce (manifest nonce_hex) at
# its Date (Mon, 29 Jun 2026 02:12:46 GMT), judged with the VCEK and the
# cert_chain given as --collateral, beside Intel collateral it does not use
tin=$src/tests/data/replay/kds-2026-06-29/tinfoil_attestation.body
tnonce=229471a8453a3521eac3d6ada9f1d52e42c97a527c3a50d565e999401dfd3e9b
tat=1782699166
out=$("$ctl" verify-attestation "$tin" --nonce "$tnonce" --at "$tat" \
    --collateral "$c90" --collateral "$kds/genoa_cert_chain.pem" \
    --collateral "$kds/genoa_vcek.der"); rc=$?
check "SEV-SNP with its VCEK and cert_chain: verified" 0 $rc
has "snp.report.signature pass" "^snp.report.signature +pass " "$out"
has "snp.vcek_chain pass" "^snp.vcek_chain +pass " "$out"
out=$("$ctl" verify-attestation "$tin" --nonce "$tnonce" --at "$tat" \
    --collateral "$tmp/vcek.pem"); rc=$?
check "SEV-SNP with the VCEK (PEM) only: not verified" 3 $rc
has "signature pass with the PEM VCEK" "^snp.report.signature +pass " "$out"
has "no cert_chain: vcek_chain error" "^snp.vcek_chain +error +no collateral" "$out"
out=$("$ctl" verify-attestation "$tin" --nonce "$tnonce" --at "$tat" \
    --collateral "$c90"); rc=$?
check "SEV-SNP without AMD collateral: not verified" 3 $rc
has "no VCEK: signature error" "^snp.report.signature +error +no collateral" "$out"
exit $fail
