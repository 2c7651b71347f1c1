#!/usr/bin/env bash
# Integration test for tmon-replay (contrib/replay/tmon_replay.c):
# start it on a free loopback port, fetch with the curl CLI, compare the
# bodies with cmp against the recorded files, check statuses and headers,
# hostile routes and odd requests, then stop it with SIGTERM and require a
# clean exit.  Usage: test_replay.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

BIN=$BUILD/tmon-replay
DATA=$SRC/tests/data/replay
NONCE=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# status_of URL [curl args...]: print the HTTP status.
status_of() {
	local url=$1
	shift
	curl -s -o "$TMP/body" -w '%{http_code}' --max-time 20 "$@" "$url"
}

expect_status() { # what want url [curl args]
	local what=$1 want=$2 url=$3 got
	shift 3
	got=$(status_of "$url" "$@")
	if [ "$got" = "$want" ]; then pass "$what: $got"; else fail "$what: status $got, want $want"; fi
}

# header_count FILE NAME: how many NAME headers (any case) FILE holds.
header_count() {
	tr -d '\r' <"$1" | awk -v n="$(echo "$2" | tr 'A-Z' 'a-z')" -F': ' \
	    'tolower($1) == n { c++ } END { print c + 0 }'
}

need_bin tmon-replay

# ---- the recorded files are the ones PROVENANCE.md lists ----------------
sed -n '/^```sha256$/,/^```$/p' "$DATA/PROVENANCE.md" | grep -v '^```' >"$TMP/sums"
if [ "$(wc -l <"$TMP/sums")" -ge 26 ] && (cd "$DATA" && sha256sum --quiet -c "$TMP/sums"); then
	pass "sha256 of $(wc -l <"$TMP/sums" | tr -d ' ') data files match PROVENANCE.md"
else
	fail "data files differ from the hashes in PROVENANCE.md"
fi

# ---- a bad index must be refused before listening ---------------------
printf '{"version":1,"entries":[{"id":"x","prefix":"/","route":"nanogpt_tee_attestation","model":"TEE/x","reply":"recorded","origin":"recorded","body":"../../etc/passwd"}]}' >"$TMP/bad1.json"
printf '{"version":1,"entries":[],"surprise":1}' >"$TMP/bad2.json"
printf '{"version":1,"entries":[{"id":"x","prefix":"/","route":"nanogpt_tee_attestation","model":"TEE/x","reply":"recorded","origin":"synthetic","body":"nearai-cloud/nearai_cloud_report_openai_gpt_oss_120b.json","content_type":"application/json"}]}' >"$TMP/bad3.json"
printf '{"version":1,"version":1,"entries":[]}' >"$TMP/bad4.json"
for b in bad1 bad2 bad3 bad4; do
	"$BIN" --dir "$DATA" --index "$TMP/$b.json" --listen 127.0.0.1:0 >"$TMP/$b.out" 2>"$TMP/$b.err"
	rc=$?
	if [ "$rc" = 1 ] && ! grep -q listening "$TMP/$b.out"; then
		pass "bad index $b refused: $(head -c 120 "$TMP/$b.err")"
	else
		fail "bad index $b: exit $rc"
	fi
done
"$BIN" --dir "$DATA" --listen 10.0.0.1:0 >/dev/null 2>&1
[ $? = 2 ] && pass "non-loopback --listen refused" || fail "non-loopback --listen accepted"

# ---- the real index ---------------------------------------------------------
start_replay --dir "$DATA" --listen 127.0.0.1:0 --stall-ms 3000 || exit 1
PORT=$REPLAY_PORT
BASE=http://127.0.0.1:$PORT
pass "listening on port $PORT"

# Recorded bodies, byte for byte, at their prefixes.
check_body() { # url file
	local url=$1 file=$2 st
	st=$(curl -s -D "$TMP/hdr" -o "$TMP/got" -w '%{http_code}' --max-time 20 "$url")
	if [ "$st" = 200 ] && cmp -s "$TMP/got" "$DATA/$file"; then
		pass "body of $file ($(wc -c <"$DATA/$file") bytes)"
	else
		fail "body of $file: status $st or bytes differ"
	fi
	[ "$(header_value "$TMP/hdr" Content-Type)" = "application/json" ] ||
	    fail "$file: Content-Type $(header_value "$TMP/hdr" Content-Type)"
	[ "$(header_value "$TMP/hdr" Content-Length)" = "$(wc -c <"$DATA/$file" | tr -d ' ')" ] ||
	    fail "$file: Content-Length $(header_value "$TMP/hdr" Content-Length)"
}
N6=nanogpt-2026-06-10_gemma-3-27b-it
M=nanogpt-2026-03-25_multi
check_body "$BASE/api/v1/tee/attestation?model=TEE%2Fgemma-3-27b-it&nonce=$NONCE" $N6/attestation_response.json
cp "$TMP/hdr" "$TMP/hdr_gemma"
for m in gemma-3-27b-it gpt-oss-120b glm-5 qwen3-30b-a3b-instruct-2507 kimi-k2.5 llama3-3-70b; do
	check_body "$BASE/nanogpt-2026-03-25/api/v1/tee/attestation?model=TEE/$m&nonce=$NONCE" ${M}/${m}_attestation.json
done
for p in "" /redpill; do
	check_body "$BASE$p/v1/attestation/report?model=phala%2Fdeepseek-v3.2&nonce=$NONCE&signing_algo=ecdsa" \
	    redpill-teep/redpill_phala-deepseek-v3.2_2026-06-10_attestation_response.json
done
for p in "" /nearai-cloud; do
	check_body "$BASE$p/v1/attestation/report?model=openai/gpt-oss-120b&nonce=$NONCE&signing_algo=ecdsa" \
	    nearai-cloud/nearai_cloud_report_openai_gpt_oss_120b.json
done
# Chutes: the chute id in the path.
CH=e51e818e-fa63-570d-9f68-49d7d1b4d12f
check_body "$BASE/e2e/instances/$CH" chutes-2026-05-20/e2e_instances.body
check_body "$BASE/chutes/$CH/evidence?nonce=$NONCE" chutes-2026-05-20/evidence.body
expect_status "chutes evidence without nonce" 400 "$BASE/chutes/$CH/evidence"
expect_status "unknown chute" 404 "$BASE/e2e/instances/nope"
expect_status "no chute" 404 "$BASE/e2e/instances/"
# GitHub: the release look-ups of code provenance (routes with two '*').
GH=tinfoilsh/confidential-model-router
GD=59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c9
for pair in "repos/$GH/releases/latest release_latest" \
    "$GH/releases/download/v0.0.110/tinfoil.hash tinfoil_hash" \
    "repos/$GH/attestations/sha256:$GD attestations"; do
	set -- $pair
	st=$(curl -s -o "$TMP/got" -w '%{http_code}' --max-time 20 "$BASE/$1")
	[ "$st" = 200 ] && cmp -s "$TMP/got" "$DATA/github-2026-06-29/$2.body" &&
	    pass "GitHub $2 replayed" || fail "GitHub $2: status $st or bytes differ"
done
expect_status "another repository's release" 404 "$BASE/repos/o/n/releases/latest"
expect_status "another asset" 404 "$BASE/$GH/releases/download/v0.0.110/other"
expect_status "another digest" 404 "$BASE/repos/$GH/attestations/sha256:00"
expect_status "no repository" 404 "$BASE/repos//releases/latest"
# Upper-case nonce and no signing_algo are accepted too.
check_body "$BASE/v1/attestation/report?model=openai/gpt-oss-120b&nonce=$(echo $NONCE | tr a-f A-F)" \
    nearai-cloud/nearai_cloud_report_openai_gpt_oss_120b.json

# Recorded headers, replayed as recorded; hop-by-hop ones dropped.
H=$TMP/hdr_gemma
[ "$(header_value "$H" X-Vercel-Id)" = "cle1::iad1::rpzmx-1781056135872-dabfdcb07fe6" ] &&
    pass "recorded X-Vercel-Id replayed" || fail "X-Vercel-Id: $(header_value "$H" X-Vercel-Id)"
[ "$(header_value "$H" Date)" = "Wed, 10 Jun 2026 01:48:59 GMT" ] && [ "$(header_count "$H" Date)" = 1 ] &&
    pass "recorded Date replayed once" || fail "Date: $(header_count "$H" Date)x $(header_value "$H" Date)"
[ "$(header_value "$H" Server)" = "Vercel" ] || fail "Server header"
[ "$(header_count "$H" Content-Type)" = 1 ] || fail "Content-Type not exactly once"
curl -s -D "$TMP/hdr_rp" -o /dev/null "$BASE/v1/attestation/report?model=phala/deepseek-v3.2&nonce=$NONCE"
# RedPill recorded "Connection: keep-alive" and a Content-Length: neither is
# replayed as recorded (libmicrohttpd computes Content-Length itself).
[ "$(header_value "$TMP/hdr_rp" Server)" = "nginx/1.31.1" ] && [ "$(header_count "$TMP/hdr_rp" Content-Length)" = 1 ] &&
    [ "$(header_value "$TMP/hdr_rp" Connection)" != "keep-alive" ] &&
    pass "redpill headers (Server kept, Connection dropped)" || fail "redpill headers"

# HEAD answers the headers only.
st=$(curl -s -I -o "$TMP/head" -w '%{http_code}' "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce=$NONCE")
[ "$st" = 200 ] && pass "HEAD 200" || fail "HEAD $st"

# Errors that are not recordings.
expect_status "unknown model (nanogpt)" 404 "$BASE/api/v1/tee/attestation?model=TEE/nope&nonce=$NONCE"
grep -q '"type":"invalid_request_error"' "$TMP/body" || fail "nanogpt 404 body: $(cat "$TMP/body")"
expect_status "unknown model (NEAR)" 404 "$BASE/v1/attestation/report?model=nope&nonce=$NONCE"
grep -q '"type":"not_found_error"' "$TMP/body" || fail "NEAR 404 body: $(cat "$TMP/body")"
expect_status "model of another prefix" 404 "$BASE/api/v1/tee/attestation?model=TEE/kimi-k2.5&nonce=$NONCE"
expect_status "missing nonce" 400 "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it"
grep -q '"param":"nonce"' "$TMP/body" || fail "400 body names no param: $(cat "$TMP/body")"
expect_status "short nonce" 400 "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce=abcd"
expect_status "non-hex nonce" 400 "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce=${NONCE%?}z"
expect_status "65-digit nonce" 400 "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce=${NONCE}0"
expect_status "repeated nonce" 400 "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce=$NONCE&nonce=$NONCE"
expect_status "empty nonce" 400 "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce="
expect_status "missing model" 400 "$BASE/api/v1/tee/attestation?nonce=$NONCE"
expect_status "repeated model" 400 "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&model=TEE/glm-5&nonce=$NONCE"
expect_status "NUL in model" 400 "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it%00x&nonce=$NONCE"
expect_status "ed25519 not recorded" 400 "$BASE/v1/attestation/report?model=openai/gpt-oss-120b&nonce=$NONCE&signing_algo=ed25519"
expect_status "POST" 405 "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce=$NONCE" -X POST -d x -D "$TMP/h405"
[ "$(header_value "$TMP/h405" Allow)" = "GET, HEAD" ] || fail "405 without Allow: GET, HEAD"
[ "$(header_value "$TMP/h405" Content-Type)" = "application/json" ] || fail "405 Content-Type"
expect_status "DELETE" 405 "$BASE/v1/attestation/report?model=nope&nonce=$NONCE" -X DELETE
expect_status "unknown path" 404 "$BASE/api/v1/tee/attestationX?model=TEE/gemma-3-27b-it&nonce=$NONCE"
expect_status "unknown prefix" 404 "$BASE/nope/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce=$NONCE"
expect_status "root" 404 "$BASE/"

# Synthetic hostile routes.
st=$(curl -s -o "$TMP/trunc" -w '%{http_code}' "$BASE/api/v1/tee/attestation?model=TEE/tmon-synthetic-truncated&nonce=$NONCE")
head -c 91290 "$DATA/$N6/attestation_response.json" >"$TMP/trunc.want"
[ "$st" = 200 ] && cmp -s "$TMP/trunc" "$TMP/trunc.want" && pass "truncated body = first 91290 bytes" || fail "truncated ($st)"
st=$(curl -s -D "$TMP/hover" -o "$TMP/over" -w '%{http_code}' --max-time 60 "$BASE/api/v1/tee/attestation?model=TEE/tmon-synthetic-oversize&nonce=$NONCE")
sz=$(wc -c <"$TMP/over" | tr -d ' ')
[ "$st" = 200 ] && [ "$sz" = 9437184 ] && [ "$(header_count "$TMP/hover" Content-Length)" = 0 ] &&
    [ "$(header_value "$TMP/hover" Transfer-Encoding)" = chunked ] &&
    pass "oversize: 9 MiB chunked, no Content-Length" || fail "oversize: $st $sz bytes"
rm -f "$TMP/over"
expect_status "synthetic 500" 500 "$BASE/api/v1/tee/attestation?model=TEE/tmon-synthetic-500&nonce=$NONCE"
curl -s -o /dev/null --max-time 1 "$BASE/api/v1/tee/attestation?model=TEE/tmon-synthetic-stall&nonce=$NONCE"
rc=$?
[ "$rc" = 28 ] && pass "stall: curl timed out" || fail "stall: curl exit $rc, want 28"
st=$(curl -s -o "$TMP/stall" -w '%{http_code}' --max-time 30 "$BASE/api/v1/tee/attestation?model=TEE/tmon-synthetic-stall&nonce=$NONCE")
[ "$st" = 200 ] && cmp -s "$TMP/stall" "$DATA/$N6/attestation_response.json" &&
    pass "stall: recording after --stall-ms" || fail "stall: $st"

# Echo: the Authorization header's presence and hash, never its value.
curl -s -o "$TMP/echo" -H "Authorization: Bearer sekrit-token" -H 'Content-Type: text/plain' --data-binary 'hello' "$BASE/tmon-test/echo"
want=$(printf 'Bearer sekrit-token' | sha256sum | cut -c1-64)
grep -q "\"authorization_sha256\":\"$want\"" "$TMP/echo" && grep -q '"body_len":5' "$TMP/echo" &&
    ! grep -q sekrit "$TMP/echo" && pass "echo" || fail "echo: $(cat "$TMP/echo")"
curl -s -o "$TMP/echo" "$BASE/tmon-test/echo"
grep -q '"authorization":"absent"' "$TMP/echo" && pass "echo without Authorization" || fail "echo absent"
head -c 70000 /dev/zero >"$TMP/big"
expect_status "echo upload over 64 KiB" 413 "$BASE/tmon-test/echo" --data-binary "@$TMP/big"

# Odd requests: the server answers them and stays up.
long=$(head -c 40000 /dev/zero | tr '\0' a)
st=$(status_of "$BASE/api/v1/tee/attestation?model=$long&nonce=$NONCE")
[ "$st" -ge 400 ] 2>/dev/null && pass "40 kB URL: $st" || fail "40 kB URL: $st"
st=$(status_of "$BASE/api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce=$NONCE" -H "X-Big: $long")
[ "$st" -ge 400 ] 2>/dev/null && pass "40 kB header: $st" || fail "40 kB header: $st"
exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'GARBAGE \x01\x02 HTTP/9.9\r\n\r\n' >&3 && timeout 5 cat <&3 >/dev/null; exec 3<&- 3>&-
exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'GET /api/v1/tee/attestation?model=TEE/gemma-3-27b-it&nonce=%s HTTP/1.1\r\nHost: x\r\n' "$NONCE" >&3; exec 3<&- 3>&-
exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'POST /tmon-test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc' >&3; exec 3<&- 3>&-
check_body "$BASE/api/v1/tee/attestation?model=TEE%2Fgemma-3-27b-it&nonce=$NONCE" $N6/attestation_response.json

# Concurrent clients.
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o "$TMP/par$i" "$BASE/nanogpt-2026-03-25/api/v1/tee/attestation?model=TEE/glm-5&nonce=$NONCE" &
done
wait $(jobs -p | grep -v "^$REPLAY$") 2>/dev/null
ok=1
for i in 1 2 3 4 5 6 7 8; do cmp -s "$TMP/par$i" "$DATA/$M/glm-5_attestation.json" || ok=0; done
[ "$ok" = 1 ] && pass "8 concurrent clients" || fail "concurrent clients"

# Clean stop on SIGTERM, even with a stalled reply in flight.
curl -s -o /dev/null --max-time 20 "$BASE/api/v1/tee/attestation?model=TEE/tmon-synthetic-stall&nonce=$NONCE" &
CURLPID=$!
sleep 0.3
kill -TERM "$REPLAY"
for i in $(seq 1 100); do kill -0 "$REPLAY" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$REPLAY" 2>/dev/null; then
	fail "still running 10 s after SIGTERM"
else
	wait "$REPLAY"
	rc=$?
	[ "$rc" = 0 ] && pass "SIGTERM: clean exit" || { fail "SIGTERM: exit $rc"; cat "$TMP/replay.err"; }
fi
REPLAY=
wait "$CURLPID" 2>/dev/null

# SIGINT too, on a fixed-port restart of the same index.
start_replay --dir "$DATA" --listen "127.0.0.1:$PORT" || exit 1
kill -INT "$REPLAY"
wait "$REPLAY"
rc=$?
REPLAY=
[ "$rc" = 0 ] && pass "SIGINT: clean exit" || fail "SIGINT: exit $rc"

finish
