#!/usr/bin/env bash
# POST /api/v1/receipts under abuse, against a real tmond over loopback
# ({"models": []}):
#  - a body not declared application/json (text/plain, as any web page can
#    send cross-site without a preflight; or no Content-Type) gets 415 and
#    writes nothing; a CORS preflight (OPTIONS) is refused; answers to a
#    POST carry no Access-Control-Allow-Origin (reads keep it);
#  - null, [], "x", 1 get 400 "expected a JSON object";
#  - a signature receipt with request/response bytes and no archive_bytes:
#    the hashes are checked, and neither the blob, the entry, any API
#    answer nor the database files hold the bytes (the prompt text, an id
#    from the SSE stream, the base64); with "archive_bytes": true they are
#    kept;
#  - one client flooding with the default quotas gets 429 with Retry-After
#    and the log stops growing (entries and database size);
#  - with a configured token: 401 + WWW-Authenticate without it or with a
#    wrong one, 201 with it; the token is never logged; a token variable
#    that is unset stops tmond;
#  - per-client, global and byte quotas from the schedule, from three
#    loopback addresses (127.0.0.1, .2, .3), 429 before the body is read
#    when Content-Length does not fit.
# Takes about 10 s under ASan.
# Usage: test_receipts_abuse.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

DATA=$SRC/tests/data/receipts

# fresh_tmond SCHEDULE_JSON: a fresh database and log; sets PID and PORT.
fresh_tmond() {
	echo "$1" >"$TMP/sched.json"
	rm -f "$TMP"/t.db*
	: >"$TMP/log"
	start_tmond --init --config "$TMP/sched.json" --db "$TMP/t.db" \
	    --listen 127.0.0.1:0
}

# post_ct TYPE FILE [curl args]: POST FILE to /api/v1/receipts with
# Content-Type TYPE ("": none); answer in $TMP/ans, headers in $TMP/hdr;
# prints the status.  post FILE [curl args]: as application/json.
post_ct() {
	local ct=$1 f=$2
	shift 2
	curl -s -o "$TMP/ans" -D "$TMP/hdr" -w '%{http_code}' --max-time 20 \
	    -X POST -H "Content-Type:${ct:+ $ct}" "$@" \
	    --data-binary @"$f" "http://127.0.0.1:$PORT/api/v1/receipts"
}
post() { post_ct application/json "$@"; }
# hdr NAME: a header of the last answer ("" if none).
hdr() { header_value "$TMP/hdr" "$1"; }
# entries: how many entries the log holds (via the API).
entries() {
	local n=0
	while [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/entries/$n")" = 200 ]; do
		n=$((n + 1))
	done
	echo $n
}
dbsize() { cat "$TMP"/t.db* 2>/dev/null | wc -c; }

need curl python3

# Sample A with its exact request and response bytes; the same asking for
# them to be kept; the markers that must not be archived by default.
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
a["archive_bytes"] = True
open(t + "/a_keep.json", "w").write(json.dumps(a))
with open(t + "/markers", "w") as f:
    f.write("Respond with only two words\n")
    f.write("chatcmpl-f42e8ae7ddb346e1adfba47e3d710b46\n")
    f.write(base64.b64encode(req).decode()[8:60] + "\n")
    f.write(base64.b64encode(resp).decode()[8:60] + "\n")
EOF
# leaks WHAT FILE...: fail if any marker is in the files.
leaks() {
	local what=$1 m found=
	shift
	while read -r m; do
		grep -qaF -- "$m" "$@" 2>/dev/null && found="$found [$m]"
	done <"$TMP/markers"
	[ -z "$found" ] && pass "$what: no request/response bytes" || fail "$what holds$found"
}

# ======== default quotas, no token =========================================
fresh_tmond '{"models": []}' || exit 1

# ---- Content-Type: 415 before the body is read; nothing written ----------
printf '%s' '{"model":"m","text":"a","signature":"b","signing_address":"c"}' >"$TMP/s.json"
st=$(post_ct text/plain "$TMP/s.json")
[ "$st" = 415 ] && pass "text/plain: 415" || fail "text/plain: $st $(cat "$TMP/ans")"
[ "$(jget field "$TMP/ans")" = Content-Type ] && pass "415 names Content-Type" || fail "415 body $(cat "$TMP/ans")"
[ -z "$(hdr Access-Control-Allow-Origin)" ] && pass "415: no Access-Control-Allow-Origin" || fail "415 has ACAO $(hdr Access-Control-Allow-Origin)"
st=$(post_ct 'text/plain;charset=UTF-8' "$TMP/s.json" -H 'Origin: https://evil.example')
[ "$st" = 415 ] && pass "cross-site simple POST (text/plain;charset=UTF-8): 415" || fail "simple POST: $st"
st=$(post_ct application/x-www-form-urlencoded "$TMP/s.json")
[ "$st" = 415 ] && pass "form-urlencoded: 415" || fail "form: $st"
st=$(post_ct '' "$TMP/s.json")
[ "$st" = 415 ] && pass "no Content-Type: 415" || fail "no Content-Type: $st"
st=$(post_ct application/json-patch+json "$TMP/s.json")
[ "$st" = 415 ] && pass "application/json-patch+json: 415" || fail "json-patch: $st"
[ "$(entries)" = 0 ] && pass "refused media types wrote nothing" || fail "entries written"

# ---- CORS preflight refused -----------------------------------------------
curl -s -o /dev/null -D "$TMP/hdr" -w '%{http_code}' -X OPTIONS \
    -H 'Origin: https://evil.example' -H 'Access-Control-Request-Method: POST' \
    -H 'Access-Control-Request-Headers: content-type' \
    "http://127.0.0.1:$PORT/api/v1/receipts" >"$TMP/st"
st=$(cat "$TMP/st")
case $st in 2*) fail "preflight answered $st";; *) pass "preflight (OPTIONS): $st";; esac
[ -z "$(hdr Access-Control-Allow-Methods)" ] && [ -z "$(hdr Access-Control-Allow-Headers)" ] &&
    pass "preflight: no Access-Control-Allow-Methods/-Headers" || fail "preflight grants $(hdr Access-Control-Allow-Methods) $(hdr Access-Control-Allow-Headers)"

# ---- non-object bodies: 400 "expected a JSON object" -----------------------
for b in 'null' '[]' '"x"' '1' 'true'; do
	printf '%s' "$b" >"$TMP/b.json"
	st=$(post "$TMP/b.json")
	err=$(jget error "$TMP/ans" 2>/dev/null)
	if [ "$st" = 400 ] && [ "${err#expected a JSON object}" != "$err" ]; then
		pass "body $b: 400 $err"
	else
		fail "body $b: $st $(cat "$TMP/ans")"
	fi
done

# ---- request/response bytes: checked, not archived by default ---------------
st=$(post_ct 'Application/JSON; charset=utf-8' "$TMP/a.json")
[ "$st" = 201 ] && pass "sample A (charset parameter): 201" || fail "sample A: $st $(cat "$TMP/ans")"
[ -z "$(hdr Access-Control-Allow-Origin)" ] && pass "201: no Access-Control-Allow-Origin" || fail "201 has ACAO"
cp "$TMP/ans" "$TMP/a.ans"
for id in sig.request_hash sig.response_hash sig.completion; do
	[ "$(check_status $id "$TMP/a.ans")" = pass ] && pass "$id pass" || fail "$id $(check_status $id "$TMP/a.ans")"
done
[ "$(jget stored "$TMP/a.ans")" = without_bytes ] && pass "stored: without_bytes" || fail "stored $(jget stored "$TMP/a.ans")"
seq=$(jget seq "$TMP/a.ans")
sub=$(jget submitted_sha256 "$TMP/a.ans")
curl -s -o "$TMP/blob" "http://127.0.0.1:$PORT/api/v1/blobs/$sub"
curl -s -D "$TMP/hdr" -o "$TMP/rcpt" "http://127.0.0.1:$PORT/api/v1/receipts/$seq"
[ "$(hdr Access-Control-Allow-Origin)" = '*' ] && pass "GET receipt keeps Access-Control-Allow-Origin: *" || fail "GET ACAO"
curl -s -o "$TMP/entry" "http://127.0.0.1:$PORT/api/v1/entries/$seq"
python3 - "$TMP/blob" "$TMP/a.json" <<'EOF' && pass "blob = the submitted object without request_b64/response_b64" || fail "blob content"
import json, sys
b = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
del a["request_b64"], a["response_b64"]
sys.exit(0 if b == a else 1)
EOF
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["receipt"]["claims"]; sys.exit(0 if c["request_len"]==151 and len(c["request_sha256"])==64 and len(c["response_sha256"])==64 else 1)' "$TMP/rcpt" &&
    pass "claims keep the hashes and lengths" || fail "claims $(cat "$TMP/rcpt")"
leaks "blob, receipt, entry and 201 answers" "$TMP/blob" "$TMP/rcpt" "$TMP/entry" "$TMP/a.ans"
curl -s "http://127.0.0.1:$PORT/api/v1/blobs/$(sha256sum <"$TMP/a.json" | cut -d' ' -f1)" -o "$TMP/whole" -w '%{http_code}' >"$TMP/st"
[ "$(cat "$TMP/st")" = 404 ] && pass "the whole body is not stored under its hash" || fail "whole body stored"
leaks "database files" "$TMP"/t.db*

# ... and kept when the submitter asks.
st=$(post "$TMP/a_keep.json")
[ "$st" = 201 ] && [ "$(jget stored "$TMP/ans")" = whole ] && pass "archive_bytes true: 201, stored whole" || fail "archive_bytes: $st $(cat "$TMP/ans")"
sub=$(jget submitted_sha256 "$TMP/ans")
[ "$sub" = "$(sha256sum <"$TMP/a_keep.json" | cut -d' ' -f1)" ] && pass "archive_bytes: submitted_sha256 is the body's" || fail "archive_bytes hash"
curl -s -o "$TMP/blob" "http://127.0.0.1:$PORT/api/v1/blobs/$sub"
cmp -s "$TMP/blob" "$TMP/a_keep.json" && pass "archive_bytes: blob = submitted bytes" || fail "archive_bytes blob"

# ---- one client floods: 429 with Retry-After, the log stops growing --------
# A fresh tmond, so that the client's window opens with the flood and not
# with the submissions above (on a slow machine they would use it up).
stop_tmond
fresh_tmond '{"models": []}' || exit 1
ok=$(($(entries)))
n429=0
first429=
# 70 submissions, 10 at a time, so that they fall in one 60 s window
# however slow the machine is (a sequential flood slower than one a second
# would see the window close and never be refused).
mkdir -p "$TMP/flood"
seq 1 70 | xargs -P 10 -I{} curl -s -o /dev/null -D "$TMP/flood/{}.hdr" \
    --max-time 60 -X POST -H 'Content-Type: application/json' \
    --data-binary @"$TMP/s.json" "http://127.0.0.1:$PORT/api/v1/receipts"
for i in $(seq 1 70); do
	st=$(tr -d '\r' <"$TMP/flood/$i.hdr" | awk 'NR == 1 { print $2 }')
	case $st in
	201) ok=$((ok + 1));;
	429) n429=$((n429 + 1)); [ -z "$first429" ] && { first429=$i; ra=$(header_value "$TMP/flood/$i.hdr" Retry-After); };;
	*) fail "flood $i: $st";;
	esac
done
[ -n "$first429" ] && pass "flood: $n429 of 70 refused with 429" || fail "flood: never 429"
[ "$ok" -le 60 ] && pass "at most 60 receipts a minute from one address (logged $ok)" || fail "logged $ok"
case ${ra:-x} in
''|*[!0-9]*) fail "Retry-After '${ra:-}'";;
*) [ "$ra" -ge 1 ] && [ "$ra" -le 60 ] && pass "Retry-After: $ra s" || fail "Retry-After $ra";;
esac
# at once, while the window is still open: refused, nothing written
size=$(dbsize)
seq 1 10 | xargs -P 10 -I{} curl -s -o /dev/null -D "$TMP/flood/x{}.hdr" \
    --max-time 60 -X POST -H 'Content-Type: application/json' \
    --data-binary @"$TMP/a_keep.json" "http://127.0.0.1:$PORT/api/v1/receipts"
nx=0
for i in $(seq 1 10); do
	[ "$(tr -d '\r' <"$TMP/flood/x$i.hdr" | awk 'NR == 1 { print $2 }')" = 429 ] && nx=$((nx + 1))
done
[ "$nx" = 10 ] && [ "$(dbsize)" = "$size" ] && pass "10 more in the window: 429, database size unchanged ($size bytes)" || fail "after the flood: $nx of 10 refused, $(dbsize) bytes (was $size)"
n=$(entries)
[ "$n" = "$ok" ] && pass "log holds exactly the $n accepted receipts" || fail "log $n, accepted $ok"
stop_tmond

# ======== token and configured quotas =======================================
TOKEN=tmon-test-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
sched='{"models": [], "receipts": {"token_env": "TMON_TEST_RECEIPT_TOKEN",
 "per_client": {"count": 3, "bytes": 2097152, "window_s": 3600},
 "global": {"count": 5, "window_s": 3600}}}'

# An unset token variable stops tmond (receipts are never open by mistake).
echo "$sched" >"$TMP/sched.json"
env -u TMON_TEST_RECEIPT_TOKEN "$BUILD/tmond" --init --config "$TMP/sched.json" \
    --db "$TMP/t2.db" --listen 127.0.0.1:0 2>"$TMP/log2"; rc=$?
[ $rc -ne 0 ] && grep -q "TMON_TEST_RECEIPT_TOKEN is not set" "$TMP/log2" &&
    pass "token variable unset: tmond refuses to start" || { fail "unset token: exit $rc"; cat "$TMP/log2"; }
TMON_TEST_RECEIPT_TOKEN=short "$BUILD/tmond" --init --config "$TMP/sched.json" \
    --db "$TMP/t2.db" --listen 127.0.0.1:0 2>"$TMP/log2"; rc=$?
[ $rc -ne 0 ] && pass "token too short: tmond refuses to start" || fail "short token: exit $rc"

export TMON_TEST_RECEIPT_TOKEN=$TOKEN
fresh_tmond "$sched" || exit 1
unset TMON_TEST_RECEIPT_TOKEN
st=$(post "$TMP/s.json")
[ "$st" = 401 ] && pass "no token: 401" || fail "no token: $st"
case $(hdr WWW-Authenticate) in Bearer*) pass "WWW-Authenticate: $(hdr WWW-Authenticate)";; *) fail "WWW-Authenticate '$(hdr WWW-Authenticate)'";; esac
st=$(post "$TMP/s.json" -H "Authorization: Bearer ${TOKEN}x")
[ "$st" = 401 ] && pass "wrong token: 401" || fail "wrong token: $st"
st=$(post "$TMP/s.json" -H "Authorization: Basic $TOKEN")
[ "$st" = 401 ] && pass "other scheme: 401" || fail "Basic: $st"
for i in 1 2 3 4 5 6; do post "$TMP/s.json" >/dev/null; done
[ "$(entries)" = 0 ] && pass "unauthenticated submissions wrote nothing" || fail "entries written"
AUTH="Authorization: Bearer $TOKEN"

# Bytes: 127.0.0.3 sends 1.5 MB (counted, though refused as not JSON);
# a second 1.5 MB does not fit its 2 MiB and is refused unread.
head -c 1500000 /dev/zero | tr '\0' ' ' >"$TMP/big"
st=$(post "$TMP/big" -H "$AUTH" --interface 127.0.0.3)
[ "$st" = 400 ] && pass "1.5 MB from 127.0.0.3: read (400, not JSON)" || fail "big 1: $st"
st=$(post "$TMP/big" -H "$AUTH" --interface 127.0.0.3)
[ "$st" = 429 ] && [ -n "$(hdr Retry-After)" ] && pass "another 1.5 MB: 429 (bytes quota), Retry-After $(hdr Retry-After)" || fail "big 2: $st"
# Per client: 127.0.0.1 gets 3 (lower-case scheme accepted), then 429.
st=$(post "$TMP/s.json" -H "authorization: bearer $TOKEN")
[ "$st" = 201 ] && pass "token (scheme in lower case): 201" || fail "token: $st $(cat "$TMP/ans")"
st=$(post "$TMP/s.json" -H "$AUTH")
[ "$st" = 201 ] && pass "token: 201" || fail "token 2: $st"
st=$(post "$TMP/s.json" -H "$AUTH")
[ "$st" = 201 ] && pass "third from 127.0.0.1: 201" || fail "third: $st"
st=$(post "$TMP/s.json" -H "$AUTH")
ra=$(hdr Retry-After)
[ "$st" = 429 ] && pass "fourth from 127.0.0.1: 429" || fail "fourth: $st"
[ "${ra:-0}" -ge 3500 ] 2>/dev/null && [ "$ra" -le 3600 ] && pass "Retry-After $ra (window 3600 s)" || fail "Retry-After '$ra'"
# Global: 5 in all; 127.0.0.2 gets the last one.
st=$(post "$TMP/s.json" -H "$AUTH" --interface 127.0.0.2)
[ "$st" = 201 ] && pass "127.0.0.2: 201" || fail "127.0.0.2: $st"
st=$(post "$TMP/s.json" -H "$AUTH" --interface 127.0.0.2)
[ "$st" = 429 ] && pass "127.0.0.2 second: 429 (global quota spent)" || fail "global: $st"
[ "$(entries)" = 4 ] && pass "log holds the 4 accepted receipts" || fail "entries $(entries)"
grep -qF -- "$TOKEN" "$TMP/log" && fail "the token is in tmond's log" || pass "the token is not logged"
grep -qaF -- "$TOKEN" "$TMP"/t.db* && fail "the token is in the database" || pass "the token is not stored"
stop_tmond

finish
