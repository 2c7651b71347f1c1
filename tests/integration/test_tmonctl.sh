#!/usr/bin/env bash
# tmonctl on recorded evidence, and its exit codes (README "tmonctl"):
# 0 verified, 1 a check failed (the evidence is wrong), 3 nothing failed
# but something could not be checked, 2 usage or I/O error.
# verify-attestation on the recorded NanoGPT gemma capture: with the
# nonce it was captured with and its collateral every check passes (exit
# 0), without collateral or with expired collateral the TCB cannot be
# judged (exit 3); with any other nonce tdx.reportdata and gpu.nonce fail
# (exit 1).  verify-quote on the same quote: valid (0), expired collateral
# (3), tampered (1), an unsupported version (3).  tmonctl --help and help
# CMD list every subcommand and its options.  Expected values come from
# the capture's manifest and the collateral's own dates.  Tinfoil: v2
# binds no nonce (1), v3 passes with its nonce (3 without collateral),
# fails with another (1), an unknown platform is not checked (3).
set -u
build=$1 src=$2
ctl=$build/tmonctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
resp=$src/tests/data/replay/nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json
nonce=9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a  # manifest.json nonce_hex
other=0a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a
at=1781056145                                                            # manifest.json captured_at
fail=0
check() { # description expected-exit actual-exit
	if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; fail=1; else echo "ok: $1"; fi
}
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at"); rc=$?
check "recorded nonce without collateral: TCB not checked" 3 $rc
echo "$out" | grep -q "^result: not verified: tdx.collateral could not be checked$" || { echo "FAIL: result line without collateral"; echo "$out"; fail=1; }
for id in nonce.echo tdx.quote.parse tdx.quote.signature tdx.pck_chain tdx.reportdata gpu.evidence gpu.cert_chain gpu.nonce; do
	echo "$out" | grep -Eq "^$id +pass " || { echo "FAIL: $id is not pass"; echo "$out"; fail=1; }
done
# no collateral: the TCB cannot be judged (error), never a pass
echo "$out" | grep -Eq "^tdx.tcb +error +no collateral" || { echo "FAIL: tdx.tcb without collateral"; echo "$out"; fail=1; }
echo "$out" | grep -q "^verdict: warn$" || { echo "FAIL: verdict without collateral"; fail=1; }

# with the Intel collateral fetched in the same capture run
coll=$src/tests/data/dcap/evidence/teep/nanogpt_tee_gemma-3-27b-it_20260610_014905/collateral_90c06f000000.json
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at" --collateral "$coll"); rc=$?
check "recorded nonce + collateral verifies (warn is not a failure)" 0 $rc
echo "$out" | grep -q "^result: verified$" || { echo "FAIL: result line"; echo "$out"; fail=1; }
for id in nonce.echo tdx.quote.signature tdx.pck_chain tdx.reportdata tdx.collateral tdx.tcb tdx.td_attributes tdx.event_log tdx.compose gpu.evidence gpu.cert_chain gpu.nonce; do
	echo "$out" | grep -Eq "^$id +pass " || { echo "FAIL: $id is not pass with collateral"; echo "$out"; fail=1; }
done
echo "$out" | grep -Eq "^tdx.tcb +pass +UpToDate" || { echo "FAIL: TCB status"; fail=1; }
# only the missing allow-list keeps it from a clean pass
echo "$out" | grep -Eq "^measurement.policy +warn +unpinned" || { echo "FAIL: policy"; fail=1; }
echo "$out" | grep -q "^verdict: warn$" || { echo "FAIL: verdict with collateral"; fail=1; }
# later the same collateral is expired: error, signatures still pass;
# not a failure, but not verified either (its earliest nextUpdate is
# 1783643788, the QE Identity's)
late=1790000000
out=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at $late --collateral "$coll"); rc=$?
check "expired collateral: could not check" 3 $rc
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

json=$("$ctl" verify-attestation "$resp" --nonce "$nonce" --at "$at" --collateral "$coll" --json); rc=$?
check "json output" 0 $rc
echo "$json" | grep -q '"verdict": "warn"' || { echo "FAIL: json verdict"; fail=1; }
echo "$json" | grep -q '"mrtd": "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217"' || { echo "FAIL: json mrtd"; fail=1; }

"$ctl" verify-attestation "$resp" --nonce 1234 >/dev/null 2>&1; check "short nonce" 2 $?
"$ctl" verify-attestation /nonexistent --nonce "$nonce" >/dev/null 2>&1; check "missing file" 2 $?
"$ctl" verify-attestation "$resp" >/dev/null 2>&1; check "no nonce" 2 $?
"$ctl" verify-attestation "$resp" --nonce "$nonce" --at yesterday >/dev/null 2>&1; check "bad --at" 2 $?
"$ctl" verify-attestation "$resp" --nonce "$nonce" --collateral "$resp" >/dev/null 2>&1; check "bad collateral file" 2 $?
"$ctl" nosuchcommand >/dev/null 2>&1; check "unknown command" 2 $?
"$ctl" >/dev/null 2>&1; check "no command" 2 $?
"$ctl" verify-attestation "$resp" --nonce "$nonce" --frobnicate >/dev/null 2>&1; check "unknown option" 2 $?

# a response of no known format, and a Tinfoil format tmon does not
# verify: not checked, never wrong
echo '{"something":"else"}' > "$tmp/unknown.json"
out=$("$ctl" verify-attestation "$tmp/unknown.json" --nonce "$nonce" --at "$at"); rc=$?
check "unknown response format: could not check" 3 $rc
echo "$out" | grep -Eq "^response.parse +error +response matches no known attestation format" || { echo "FAIL: unknown format detail"; echo "$out"; fail=1; }
multi=$src/tests/data/replay/nanogpt-2026-03-25_multi
# Tinfoil v2 (relayed by NanoGPT): the quote verifies, REPORTDATA binds
# no nonce: wrong for a fresh probe
out=$("$ctl" verify-attestation "$multi/llama3-3-70b_attestation.json" --nonce "$(cat "$multi/llama3-3-70b_nonce.txt")" --at 1774479022); rc=$?
check "tinfoil v2: binds no nonce" 1 $rc
echo "$out" | grep -Eq "^tdx.quote.signature +pass " || { echo "FAIL: tinfoil v2 quote"; echo "$out"; fail=1; }
echo "$out" | grep -Eq "^tdx.reportdata +fail .*binds no nonce" || { echo "FAIL: tinfoil v2 reportdata"; echo "$out"; fail=1; }
# Tinfoil v3 (TDX + H100, tests/data/tinfoil): manifest nonce, HTTP Date
tf=$src/tests/data/tinfoil/tdx-v3/0002_gemma4-31b-1.inf10.tinfoil.sh_.well-known_tinfoil-attestation.body
tfnonce=a8c5455663ef4951c4a6fef8de2a079934c8e93c67626e7311bf385ba6724c9e
out=$("$ctl" verify-attestation "$tf" --nonce "$tfnonce" --at 1782172454); rc=$?
check "tinfoil v3 without collateral: TCB not checked" 3 $rc
for id in nonce.echo tdx.quote.signature tdx.pck_chain tdx.reportdata gpu.evidence gpu.cert_chain gpu.nonce; do
	echo "$out" | grep -Eq "^$id +pass " || { echo "FAIL: tinfoil v3 $id is not pass"; echo "$out"; fail=1; }
done
out=$("$ctl" verify-attestation "$tf" --nonce "${tfnonce%e}f" --at 1782172454); rc=$?
check "tinfoil v3 with another nonce" 1 $rc
for id in nonce.echo tdx.reportdata; do
	echo "$out" | grep -Eq "^$id +fail " || { echo "FAIL: tinfoil v3 $id is not fail with another nonce"; echo "$out"; fail=1; }
done
sed 's/"platform":"tdx"/"platform":"sgx"/' "$tf" > "$tmp/tf_sgx.json"
out=$("$ctl" verify-attestation "$tmp/tf_sgx.json" --nonce "$tfnonce" --at 1782172454); rc=$?
check "tinfoil v3 unknown platform: could not check" 3 $rc
echo "$out" | grep -Eq "^response.parse +error .*not supported" || { echo "FAIL: tinfoil platform detail"; echo "$out"; fail=1; }

# ---- verify-quote: the same quote, with the collateral of its capture run
d=$src/tests/data/dcap/evidence/teep/nanogpt_tee_gemma-3-27b-it_20260610_014905
quote=$d/quotes/0001_9bb86ec10ac9.bin
out=$("$ctl" verify-quote "$quote" --collateral "$coll" --at "$at"); rc=$?
check "verify-quote: valid quote, valid collateral" 0 $rc
echo "$out" | grep -q "^verified: yes$" || { echo "FAIL: verify-quote verified"; echo "$out"; fail=1; }
out=$("$ctl" verify-quote "$quote" --collateral "$coll" --at $late); rc=$?
check "verify-quote: valid quote, expired collateral" 3 $rc
echo "$out" | grep -Eq "^tdx.collateral +error +collateral expired at 2026-07-10T00:36:28Z" || { echo "FAIL: expired detail"; echo "$out"; fail=1; }
for id in tdx.quote.parse tdx.quote.signature tdx.pck_chain; do
	echo "$out" | grep -Eq "^$id +pass " || { echo "FAIL: $id should pass with expired collateral"; echo "$out"; fail=1; }
done
echo "$out" | grep -q "^result: not verified: tdx.collateral could not be checked$" || { echo "FAIL: expired result line"; echo "$out"; fail=1; }
"$ctl" verify-quote "$quote" --collateral "$coll" --at $late --json > "$tmp/late.json"; rc=$?
check "verify-quote --json: expired collateral" 3 $rc
grep -q '"verified": false' "$tmp/late.json" || { echo "FAIL: json verified"; fail=1; }

# one bit of MRTD flipped (offset 48 + 136): the quote signature fails
cp "$quote" "$tmp/tampered.bin"
b=$(od -An -tu1 -j184 -N1 "$tmp/tampered.bin" | tr -d ' ')
printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$tmp/tampered.bin" bs=1 seek=184 conv=notrunc 2>/dev/null
cmp -s "$quote" "$tmp/tampered.bin" && { echo "FAIL: the copy was not changed"; fail=1; }
out=$("$ctl" verify-quote "$tmp/tampered.bin" --collateral "$coll" --at "$at"); rc=$?
check "verify-quote: tampered quote" 1 $rc
echo "$out" | grep -Eq "^tdx.quote.signature +fail +quote signature does not verify" || { echo "FAIL: tampered detail"; echo "$out"; fail=1; }
echo "$out" | grep -q "^result: failed: tdx.quote.signature$" || { echo "FAIL: tampered result line"; echo "$out"; fail=1; }
"$ctl" verify-quote "$tmp/tampered.bin" --collateral "$coll" --at $late >/dev/null; rc=$?
check "verify-quote: tampered quote, expired collateral (wrong wins)" 1 $rc

# well-formed but unsupported: header.version 6 (little-endian u16 at 0)
cp "$quote" "$tmp/v6.bin"
printf '\006\000' | dd of="$tmp/v6.bin" bs=1 seek=0 conv=notrunc 2>/dev/null
out=$("$ctl" verify-quote "$tmp/v6.bin" --collateral "$coll" --at "$at"); rc=$?
check "verify-quote: unsupported quote version" 3 $rc
echo "$out" | grep -Eq "^tdx.quote.parse +error +unsupported: quote: header.version: 6 not supported" || { echo "FAIL: v6 detail"; echo "$out"; fail=1; }

# an SGX v3 quote is named as such when it does not parse: truncated in
# its header (after the version), in its report body, in its signature data
sgx=$src/tests/data/dcap/evidence/phala-dcap-qvl/sgx_quote.bin
for n in 40 300 1000; do
	head -c $n "$sgx" > "$tmp/sgx_short.bin"
	out=$("$ctl" verify-quote "$tmp/sgx_short.bin" --collateral "$src/tests/data/dcap/evidence/phala-dcap-qvl/sgx_quote_collateral.json" --at 1751624924 2>&1); rc=$?
	check "verify-quote: SGX quote cut to $n bytes" 1 $rc
	echo "$out" | grep -Eq "^tdx.quote.parse +fail +parse error: sgx quote: " || { echo "FAIL: SGX quote cut to $n bytes not named"; echo "$out"; fail=1; }
	echo "$out" | grep -qi "tdx quote" && { echo "FAIL: an SGX quote called a tdx quote"; echo "$out"; fail=1; }
done

"$ctl" verify-quote "$quote" >/dev/null 2>&1; check "verify-quote: no --collateral" 2 $?
"$ctl" verify-quote "$quote" --collateral "$coll" --frobnicate >/dev/null 2>&1; check "verify-quote: unknown option" 2 $?
"$ctl" verify-quote /nonexistent --collateral "$coll" >/dev/null 2>&1; check "verify-quote: missing quote file" 2 $?
"$ctl" verify-quote "$quote" --collateral /nonexistent >/dev/null 2>&1; check "verify-quote: missing collateral file" 2 $?
"$ctl" verify-quote "$quote" --collateral "$coll" --at soon >/dev/null 2>&1; check "verify-quote: bad --at" 2 $?

# ---- help: every subcommand, and each one's options
cmds="verify-attestation verify-quote verify-signature bench-quote audit help"
out=$("$ctl" --help); rc=$?
check "tmonctl --help" 0 $rc
for c in $cmds; do
	echo "$out" | grep -q "^tmonctl $c " || { echo "FAIL: --help does not list $c"; echo "$out"; fail=1; }
done
echo "$out" | grep -q "3 nothing failed, but something could not be checked" || { echo "FAIL: --help exit rule"; fail=1; }
out=$("$ctl" help verify-quote); rc=$?
check "tmonctl help verify-quote" 0 $rc
for o in "usage: tmonctl verify-quote QUOTE" --collateral --at --json "exit: 0 verified"; do
	echo "$out" | grep -q -- "$o" || { echo "FAIL: help verify-quote lacks $o"; echo "$out"; fail=1; }
done
[ "$("$ctl" verify-quote --help)" = "$out" ] || { echo "FAIL: verify-quote --help differs from help verify-quote"; fail=1; }
for c in $cmds; do
	"$ctl" help "$c" | grep -q "^usage: tmonctl $c" || { echo "FAIL: help $c"; fail=1; }
done
"$ctl" help verify-attestation | grep -q -- "--nonce HEX" || { echo "FAIL: help verify-attestation options"; fail=1; }
"$ctl" help verify-signature | grep -q -- "--address ADDR" || { echo "FAIL: help verify-signature options"; fail=1; }
"$ctl" help bench-quote | grep -q -- "--cold" || { echo "FAIL: help bench-quote options"; fail=1; }
for o in --config "-j N" --no-rederive "3 nothing is wrong, but an entry could not be re-checked"; do
	"$ctl" help audit | grep -q -- "$o" || { echo "FAIL: help audit lacks $o"; fail=1; }
done
"$ctl" audit /nonexistent -j 0 >/dev/null 2>&1; check "audit: -j 0" 2 $?
"$ctl" audit /nonexistent -j 257 >/dev/null 2>&1; check "audit: -j 257" 2 $?
"$ctl" audit /nonexistent --config /nonexistent >/dev/null 2>&1; check "audit: missing --config" 2 $?
"$ctl" help nosuchcommand >/dev/null 2>&1; check "help for an unknown command" 2 $?
exit $fail
