#!/usr/bin/env bash
# tmonctl verify-signature on the NEAR AI documentation samples and on
# vectors made with ethers / @noble/curves (tests/data/sig/PROVENANCE.md):
# genuine signatures with their exact bytes pass (exit 0); NEGATIVE, a
# tampered response, a wrong --address fail (exit 1) with the expected
# check failing; a signing_algo we do not verify could not be checked
# (exit 3); usage and I/O errors exit 2.  Expected addresses are the
# samples' own signing_address values and NEGATIVE's expected.json.
set -u
build=$1 src=$2
ctl=$build/tmonctl
d=$src/tests/data/sig
A=$d/nearai-docs/A_deepseek-v3.1_cloud-api_2025-10
B=$d/nearai-docs/B_DeepSeek-V3.1_cloud-api_2025-12
D=$d/nearai-docs/D_llama-3.3-70b_signature_only_2025-08
N=$d/nearai-docs/NEGATIVE_text_signature_mismatch
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # description expected-exit actual-exit
	if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; fail=1; else echo "ok: $1"; fi
}
has() { # description output regex
	if echo "$2" | grep -Eq -- "$3"; then echo "ok: $1"; else echo "FAIL: $1: no /$3/ in:"; echo "$2"; fail=1; fi
}

for s in "$A" "$B"; do
	out=$("$ctl" verify-signature "$s/signature_response.json" --request "$s/request_body.json" --response "$s/response_body.sse"); rc=$?
	check "$(basename "$s") verifies" 0 $rc
	for id in sig.completion sig.request_hash sig.response_hash; do
		has "$(basename "$s") $id" "$out" "^$id +pass "
	done
	has "$(basename "$s") verdict" "$out" "^verdict: pass$"
done
has "A signer" "$("$ctl" verify-signature "$A/signature_response.json")" "^signer: 0xcaaa4842758658a85785ad15367a700c601ffea5$"

out=$("$ctl" verify-signature "$D/signature_response.json"); rc=$?
check "D signature only" 0 $rc
has "D completion" "$out" "^sig.completion +pass .*0x1d58ee32e9eb327c074294a2b8320c47e33b9316"
has "D hashes skip" "$out" "^sig.response_hash +skip "

out=$("$ctl" verify-signature "$N/signature_response.json"); rc=$?
check "NEGATIVE is rejected" 1 $rc
has "NEGATIVE names the recovered address" "$out" "^sig.completion +fail .*recovers to 0x7d5a20391452d3bb2c32b1a7c49b948c1d171ee0"

# the bound key: the right one in EIP-55 case passes, another fails
out=$("$ctl" verify-signature "$A/signature_response.json" --address 0xCaAA4842758658A85785Ad15367a700C601ffEA5); rc=$?
check "--address = signer" 0 $rc
has "--address = signer detail" "$out" "= attested key"
out=$("$ctl" verify-signature "$A/signature_response.json" --address 0x319f1b8BB3b723A5d098FFB67005Bdf7BB579ACa); rc=$?
check "--address another key" 1 $rc
has "--address another key detail" "$out" "^sig.completion +fail .*not by the attested key 0x319f1b8bb3b723a5d098ffb67005bdf7bb579aca"

# one byte of the response changed: the signature is genuine, the bytes are not
cp "$A/response_body.sse" "$tmp/resp.sse"
printf 'X' | dd of="$tmp/resp.sse" bs=1 seek=100 conv=notrunc 2>/dev/null
out=$("$ctl" verify-signature "$A/signature_response.json" --request "$A/request_body.json" --response "$tmp/resp.sse"); rc=$?
check "tampered response" 1 $rc
has "tampered response: completion still pass" "$out" "^sig.completion +pass "
has "tampered response: request pass" "$out" "^sig.request_hash +pass "
has "tampered response: re-serialised" "$out" "^sig.response_hash +fail +signature genuine but the bytes we received hash to .*: re-serialised by a gateway\?"
# the response of another exchange
out=$("$ctl" verify-signature "$A/signature_response.json" --response "$B/response_body.sse"); rc=$?
check "another exchange's response" 1 $rc

# one character of the text changed
sed 's/"text": "2ec6/"text": "3ec6/' "$A/signature_response.json" > "$tmp/text.json"
out=$("$ctl" verify-signature "$tmp/text.json"); rc=$?
check "tampered text" 1 $rc
has "tampered text detail" "$out" "^sig.completion +fail .*recovers to "

# Ed25519 and the model-prefixed Rust-proxy shape
g=$d/generated
for s in "$g/ed25519" "$g/ecdsa_model_prefix" "$g/ecdsa_utf8_model"; do
	"$ctl" verify-signature "$s/signature_response.json" --request "$s/request_body.json" --response "$s/response_body.sse" >/dev/null
	check "$(basename "$s") verifies" 0 $?
done
out=$("$ctl" verify-signature "$g/ed25519/signature_response.json" --address d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a)
check "ed25519 --address" 0 $?
json=$("$ctl" verify-signature "$g/ecdsa_model_prefix/signature_response.json" --json); rc=$?
check "json output" 0 $rc
has "json verdict" "$json" '"verdict": "pass"'
has "json model" "$json" '"model": "org/model:v1.2"'
has "json signer" "$json" '"signer": "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"'
has "json kind" "$json" '"signature_kind": "provider_tee"'

# the NEAR gateway's "not available" answer and garbage are failed checks
echo '{"error_code":"not_found","message":"Chat id not found or expired"}' > "$tmp/na.json"
out=$("$ctl" verify-signature "$tmp/na.json"); rc=$?
check "not available" 1 $rc
has "not available detail" "$out" "signature not available"
echo 'not json' > "$tmp/bad.json"
"$ctl" verify-signature "$tmp/bad.json" >/dev/null; check "not JSON" 1 $?

# a signing_algo we do not verify: not checked (3), never wrong (1); the
# hashes it signs still compare
sed 's/"signing_algo": "ecdsa"/"signing_algo": "rsa-pss"/' "$A/signature_response.json" > "$tmp/rsa.json"
out=$("$ctl" verify-signature "$tmp/rsa.json" --request "$A/request_body.json" --response "$A/response_body.sse"); rc=$?
check "unsupported signing_algo" 3 $rc
has "unsupported signing_algo detail" "$out" '^sig.completion +error +unsupported signing_algo "rsa-pss"'
has "unsupported signing_algo: hashes" "$out" "^sig.response_hash +pass "
has "unsupported signing_algo result" "$out" "^result: not verified: sig.completion could not be checked$"
out=$("$ctl" verify-signature "$A/signature_response.json"); rc=$?
has "result line" "$out" "^result: verified$"

# usage and I/O
"$ctl" verify-signature >/dev/null 2>&1; check "no file" 2 $?
"$ctl" verify-signature /nonexistent >/dev/null 2>&1; check "missing file" 2 $?
"$ctl" verify-signature "$A/signature_response.json" --response /nonexistent >/dev/null 2>&1; check "missing --response" 2 $?
"$ctl" verify-signature "$A/signature_response.json" --address 0x1234 >/dev/null 2>&1; check "bad --address" 2 $?
"$ctl" verify-signature "$A/signature_response.json" --frobnicate >/dev/null 2>&1; check "unknown option" 2 $?
"$ctl" verify-signature "$A/signature_response.json" "$B/signature_response.json" >/dev/null 2>&1; check "two files" 2 $?
exit $fail
