#!/usr/bin/env bash
# POST /api/v1/receipts and GET /api/v1/receipts/{seq} against a real
# tmond over loopback (archive-only: {"models": []}): the NEAR AI sample A
# (real signature, exact request and response bytes) is answered 201 with
# its checks and is readable back, its blob without those bytes; a tampered
# copy is logged with verdict fail; the constructed Private Mode receipt
# is logged; malformed bodies get 400 naming the field and write nothing;
# oversize bodies get 413 (by Content-Length and chunked); wrong methods
# 405; a non-receipt seq 404; the entries survive a restart and the chain
# recomputes (tmonctl audit).  Takes a few seconds.
# Usage: test_receipts_api.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

DATA=$SRC/tests/data/receipts

# run_tmond PORT: start on 127.0.0.1:PORT (0: any) with a fresh log; PID
# and PORT.
run_tmond() {
	: >"$TMP/log"
	start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --init \
	    --listen "127.0.0.1:$1"
}

# post FILE [QUERY [curl args]]: POST the file to /api/v1/receipts?QUERY,
# the answer to $TMP/ans; print the status.
post() {
	local f=$1 q=${2:-}
	shift
	[ $# -gt 0 ] && shift
	curl -s -o "$TMP/ans" -w '%{http_code}' --max-time 20 -X POST \
	    -H 'Content-Type: application/json' --data-binary @"$f" "$@" \
	    "http://127.0.0.1:$PORT/api/v1/receipts${q:+?$q}"
}

need curl python3
echo '{"models": []}' >"$TMP/sched.json"

# The bodies: sample A with its bytes, a tampered copy, Private Mode.
python3 - "$DATA" "$TMP" <<'EOF'
import base64, json, sys
d, t = sys.argv[1], sys.argv[2]
a = json.load(open(d + "/nearai-docs/A/signature_response.json"))
a["model"] = "deepseek-v3.1"
req = open(d + "/nearai-docs/A/request_body.json", "rb").read()
resp = open(d + "/nearai-docs/A/response_body.sse", "rb").read()
a["request_b64"] = base64.b64encode(req).decode()
a["response_b64"] = base64.b64encode(resp).decode()
open(t + "/a.json", "w").write(json.dumps(a))
resp = bytearray(resp); resp[100] ^= 1
a["response_b64"] = base64.b64encode(bytes(resp)).decode()
open(t + "/a_tampered.json", "w").write(json.dumps(a))
EOF
cp "$DATA/private-mode/tdx.json" "$TMP/pm.json"

run_tmond 0 || exit 1

# ---- a real signature receipt ------------------------------------------
st=$(post "$TMP/a.json")
[ "$st" = 201 ] && pass "sample A: 201" || fail "sample A: status $st $(cat "$TMP/ans")"
cp "$TMP/ans" "$TMP/a.ans"
seq_a=$(jget seq "$TMP/a.ans")
[ "$seq_a" = 0 ] && pass "first receipt is seq 0" || fail "seq $seq_a"
[ "$(jget verdict "$TMP/a.ans")" = warn ] && pass "verdict warn (no probe of the model)" || fail "verdict $(jget verdict "$TMP/a.ans")"
for id in sig.completion sig.request_hash sig.response_hash; do
	[ "$(check_status $id "$TMP/a.ans")" = pass ] && pass "$id pass" || fail "$id $(check_status $id "$TMP/a.ans")"
done
[ "$(check_status receipt.attested_key "$TMP/a.ans")" = warn ] && pass "receipt.attested_key warn" || fail "attested_key"
sub=$(jget submitted_sha256 "$TMP/a.ans")
[ "$(jget stored "$TMP/a.ans")" = without_bytes ] && pass "request/response bytes checked, not archived (stored without_bytes)" || fail "stored $(jget stored "$TMP/a.ans")"

# GET it back: same seq, leaf, verdict; the blob is the submitted object
# without request_b64 and response_b64 (test_receipts_abuse.sh has more).
st=$(curl -s -o "$TMP/get" -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/receipts/$seq_a")
[ "$st" = 200 ] && pass "GET receipt: 200" || fail "GET receipt: $st"
[ "$(jget leaf_hash "$TMP/get")" = "$(jget leaf_hash "$TMP/a.ans")" ] && pass "GET leaf_hash = POST leaf_hash" || fail "leaf differs"
[ "$(jget format "$TMP/get")" = signature ] && pass "format signature" || fail "format"
curl -s -o "$TMP/blob" "http://127.0.0.1:$PORT/api/v1/blobs/$sub"
[ "$sub" = "$(sha256sum <"$TMP/blob" | cut -d' ' -f1)" ] && pass "submitted_sha256 is the blob's SHA-256" || fail "submitted_sha256"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); a=json.load(open(sys.argv[2])); del a["request_b64"], a["response_b64"]; sys.exit(b != a)' "$TMP/blob" "$TMP/a.json" &&
    pass "blob = submitted object without the bytes" || fail "blob differs"
# The leaf hash recomputes from the exact entry body.
curl -s -o "$TMP/entry" "http://127.0.0.1:$PORT/api/v1/entries/$seq_a"
leaf=$(python3 -c 'import json,sys,hashlib; e=json.load(open(sys.argv[1])); print(hashlib.sha256(b"\0"+e["body"].encode()).hexdigest())' "$TMP/entry")
[ "$leaf" = "$(jget leaf_hash "$TMP/a.ans")" ] && pass "leaf = SHA-256(0x00 || body)" || fail "leaf does not recompute"

# ---- a tampered stream: logged, verdict fail -----------------------------
st=$(post "$TMP/a_tampered.json")
[ "$st" = 201 ] && pass "tampered: 201 (a bad receipt is evidence too)" || fail "tampered: $st"
[ "$(jget verdict "$TMP/ans")" = fail ] && pass "tampered: verdict fail" || fail "tampered verdict"
[ "$(check_status sig.response_hash "$TMP/ans")" = fail ] && pass "tampered: sig.response_hash fail" || fail "tampered response_hash"
[ "$(check_status sig.completion "$TMP/ans")" = pass ] && pass "tampered: signature still genuine" || fail "tampered completion"

# ---- a Private Mode receipt (constructed), model given as ?model= ------
st=$(post "$TMP/pm.json" 'model=TEE%2Fsynthetic')
[ "$st" = 201 ] && pass "private mode: 201" || fail "private mode: $st $(cat "$TMP/ans")"
[ "$(check_status receipt.claimed "$TMP/ans")" = pass ] && pass "receipt.claimed pass" || fail "claimed"
[ "$(check_status receipt.measurement "$TMP/ans")" = warn ] && pass "receipt.measurement warn (no probe)" || fail "measurement"
seq_pm=$(jget seq "$TMP/ans")
curl -s -o "$TMP/get" "http://127.0.0.1:$PORT/api/v1/receipts/$seq_pm"
[ "$(jget format "$TMP/get")" = nanogpt_private_mode ] && pass "format nanogpt_private_mode" || fail "pm format"
[ "$(jget model "$TMP/get")" = TEE/synthetic ] && pass "model from ?model=" || fail "pm model"

# ---- refused: 400 naming the field, nothing written -----------------------
n_before=3
bad() { # description body field
	printf '%s' "$2" >"$TMP/bad.json"
	st=$(post "$TMP/bad.json")
	f=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("field"))' "$TMP/ans" 2>/dev/null)
	if [ "$st" = 400 ] && [ "$f" = "$3" ]; then pass "$1: 400 field $f"; else fail "$1: $st field $f ($(cat "$TMP/ans"))"; fi
}
bad "not JSON" '{"model":' body
bad "not an object" '[1,2]' body
bad "no model" '{"text":"a","signature":"b","signing_address":"c"}' model
bad "text not a string" '{"model":"m","text":1,"signature":"b","signing_address":"c"}' text
bad "bad base64" '{"model":"m","text":"a","signature":"b","signing_address":"c","request_b64":"@@"}' request_b64
bad "unknown member" '{"model":"m","text":"a","signature":"b","signing_address":"c","x":1}' x
bad "duplicate key" '{"model":"m","model":"n","text":"a","signature":"b","signing_address":"c"}' body
bad "neither form" '{"hello":"world"}' None
python3 -c 'print("{\"model\":\"m\",\"x\":" + "["*200 + "]"*200 + "}")' >"$TMP/deep.json"
st=$(post "$TMP/deep.json")
[ "$st" = 400 ] && pass "too deep: 400" || fail "too deep: $st"
st=$(post "$TMP/a.json" 'model=other')
[ "$st" = 400 ] && pass "body model != ?model=: 400" || fail "model mismatch: $st"
st=$(post "$TMP/a.json" 'bogus=1')
[ "$st" = 400 ] && pass "unknown query argument: 400" || fail "unknown arg: $st"

# ---- oversize: 413 ----------------------------------------------------
head -c 2097153 /dev/zero | tr '\0' ' ' >"$TMP/big"
st=$(post "$TMP/big")
[ "$st" = 413 ] && pass "Content-Length over the limit: 413" || fail "big: $st"
st=$(post "$TMP/big" '' -H 'Transfer-Encoding: chunked')
[ "$st" = 413 ] && pass "chunked body over the limit: 413" || fail "big chunked: $st"
head -c 2097152 /dev/zero | tr '\0' ' ' >"$TMP/max"
st=$(post "$TMP/max")
[ "$st" = 400 ] && pass "exactly the limit is read (then 400: not JSON)" || fail "max: $st"

# ---- methods and seqs --------------------------------------------------
st=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/receipts")
[ "$st" = 405 ] && pass "GET /api/v1/receipts: 405" || fail "GET list: $st"
allow=$(curl -s -D - -o /dev/null "http://127.0.0.1:$PORT/api/v1/receipts" | tr -d '\r' | sed -n 's/^Allow: //Ip')
[ "$allow" = POST ] && pass "Allow: POST" || fail "Allow: $allow"
st=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/api/v1/receipts/0")
[ "$st" = 405 ] && pass "POST /api/v1/receipts/0: 405" || fail "POST seq: $st"
st=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/receipts/999")
[ "$st" = 404 ] && pass "unknown seq: 404" || fail "unknown seq: $st"
st=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/receipts/abc")
[ "$st" = 400 ] && pass "bad seq: 400" || fail "bad seq: $st"

# Nothing of the refused bodies was written.
st=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/entries/$n_before")
[ "$st" = 404 ] && pass "refused bodies wrote nothing ($n_before entries)" || fail "entry $n_before exists"

# ---- restart: still there; the chain recomputes --------------------------
port=$PORT
stop_tmond
run_tmond "$port" || exit 1
curl -s -o "$TMP/get" "http://127.0.0.1:$PORT/api/v1/receipts/$seq_a"
[ "$(jget leaf_hash "$TMP/get")" = "$(jget leaf_hash "$TMP/a.ans")" ] && pass "after restart: same receipt" || fail "after restart"
stop_tmond
out=$("$BUILD/tmonctl" audit "$TMP/t.db" --key "$("$BUILD/tmonctl" log-key --db "$TMP/t.db")"); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "ok: 3 entries" && pass "tmonctl audit: $(echo "$out" | head -1)" || fail "audit: $out"

finish
