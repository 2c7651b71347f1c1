#!/usr/bin/env bash
# tmonctl verify-attestation on the recorded NanoGPT gemma capture:
# with the nonce it was captured with every check passes (exit 0); with
# any other nonce tdx.reportdata and gpu.nonce fail (exit 1); usage and
# I/O errors exit 2.  Expected values come from the capture's manifest.
set -u
build=$1 src=$2
ctl=$build/tmonctl
resp=$src/tests/data/replay/nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json
nonce=9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a  # manifest.json nonce_hex
other=0a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a
at=1781056145                                                            # manifest.json captured_at
fail=0
check() { # description expected-exit actual-exit
	if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; fail=1; else echo "ok: $1"; fi
}
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at"); rc=$?
check "recorded nonce verifies" 0 $rc
for id in nonce.echo tdx.quote.parse tdx.quote.signature tdx.pck_chain tdx.reportdata gpu.evidence gpu.cert_chain gpu.nonce; do
	echo "$out" | grep -Eq "^$id +pass " || { echo "FAIL: $id is not pass"; echo "$out"; fail=1; }
done
# no collateral: the TCB cannot be judged (error), never a pass
echo "$out" | grep -Eq "^tdx.tcb +error +no collateral" || { echo "FAIL: tdx.tcb without collateral"; echo "$out"; fail=1; }
echo "$out" | grep -q "^verdict: warn$" || { echo "FAIL: verdict without collateral"; fail=1; }

# with the Intel collateral fetched in the same capture run
coll=$src/tests/data/dcap/evidence/teep/nanogpt_tee_gemma-3-27b-it_20260610_014905/collateral_90c06f000000.json
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at" --collateral "$coll"); rc=$?
check "recorded nonce + collateral verifies" 0 $rc
for id in nonce.echo tdx.quote.signature tdx.pck_chain tdx.reportdata tdx.collateral tdx.tcb tdx.td_attributes tdx.event_log tdx.compose gpu.evidence gpu.cert_chain gpu.nonce; do
	echo "$out" | grep -Eq "^$id +pass " || { echo "FAIL: $id is not pass with collateral"; echo "$out"; fail=1; }
done
echo "$out" | grep -Eq "^tdx.tcb +pass +UpToDate" || { echo "FAIL: TCB status"; fail=1; }
# only the missing allow-list keeps it from a clean pass
echo "$out" | grep -Eq "^measurement.policy +warn +unpinned" || { echo "FAIL: policy"; fail=1; }
echo "$out" | grep -q "^verdict: warn$" || { echo "FAIL: verdict with collateral"; fail=1; }
# today the same collateral is expired: error, signatures still pass
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --collateral "$coll"); rc=$?
check "expired collateral today is not a failure" 0 $rc
echo "$out" | grep -Eq "^tdx.collateral +error .*expired" || { echo "FAIL: expired collateral should be error"; echo "$out"; fail=1; }
echo "$out" | grep -Eq "^tdx.quote.signature +pass " || { echo "FAIL: signature today"; fail=1; }

out=$("$ctl" verify-attestation "$resp" --nonce "$other" --at "$at"); rc=$?
check "other nonce is rejected" 1 $rc
for id in nonce.echo tdx.reportdata gpu.nonce; do
	echo "$out" | grep -Eq "^$id +fail " || { echo "FAIL: $id is not fail with another nonce"; fail=1; }
done
for id in tdx.quote.signature tdx.pck_chain gpu.evidence gpu.cert_chain; do
	echo "$out" | grep -Eq "^$id +pass " || { echo "FAIL: $id should still pass"; fail=1; }
done

json=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at" --json); rc=$?
check "json output" 0 $rc
echo "$json" | grep -q '"verdict": "warn"' || { echo "FAIL: json verdict"; fail=1; }
echo "$json" | grep -q '"mrtd": "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217"' || { echo "FAIL: json mrtd"; fail=1; }

"$ctl" verify-attestation "$resp" --nonce 1234 >/dev/null 2>&1; check "short nonce" 2 $?
"$ctl" verify-attestation /nonexistent --nonce "$nonce" >/dev/null 2>&1; check "missing file" 2 $?
"$ctl" verify-attestation "$resp" >/dev/null 2>&1; check "no nonce" 2 $?
"$ctl" verify-attestation "$resp" --nonce "$nonce" --at yesterday >/dev/null 2>&1; check "bad --at" 2 $?
"$ctl" verify-attestation "$resp" --nonce "$nonce" --collateral "$resp" >/dev/null 2>&1; check "bad collateral file" 2 $?
"$ctl" nosuchcommand >/dev/null 2>&1; check "unknown command" 2 $?
exit $fail
