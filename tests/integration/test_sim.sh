#!/usr/bin/env bash
# tmon-sim as a program: usage errors exit 2, a non-loopback --listen is
# refused, an unusable --pki-dir exits 1; with port 0 it names the port
# it bound, writes intel_root.pem, nvidia_root.pem and a README that say
# TEST PKI (fresh roots on every start), marks every answer simulated
# (X-Tmon-Sim header), survives a hostile chat body and many concurrent
# requests, and stops cleanly (exit 0, so no sanitizer report) on SIGTERM
# and on SIGINT.  The evidence itself is judged by tests/unit/check_sim.c.
# Takes about 2 s.
# Usage: test_sim.sh BUILD_DIR SOURCE_DIR
set -u

BUILD=${1:?usage: test_sim.sh BUILD_DIR SOURCE_DIR}
SIM=$BUILD/tmon-sim
TMP=$(mktemp -d)
PID=
fails=0

cleanup() {
	if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok: $*"; }

# start DIR: start tmon-sim on a kernel-chosen port; set PID and BASE.
start() {
	local i port
	: >"$TMP/out"
	"$SIM" --listen 127.0.0.1:0 --pki-dir "$1" >"$TMP/out" 2>"$TMP/err" &
	PID=$!
	for i in $(seq 1 200); do
		port=$(sed -n 's|^tmon-sim: listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$TMP/out")
		if [ -n "$port" ]; then BASE=http://127.0.0.1:$port; return 0; fi
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "tmon-sim did not start:"; cat "$TMP/err"
	return 1
}

# stop SIGNAL: stop it, expect exit 0
stop() {
	kill "-$1" "$PID"; wait "$PID"; local rc=$?
	PID=
	[ $rc -eq 0 ] && pass "stopped cleanly on SIG$1" || { fail "exit $rc on SIG$1"; cat "$TMP/err"; }
}

# usage errors and refusals
"$SIM" >/dev/null 2>&1; [ $? -eq 2 ] && pass "no arguments: exit 2" || fail "no arguments"
"$SIM" --listen 0.0.0.0:0 --pki-dir "$TMP/x" >/dev/null 2>&1
[ $? -eq 2 ] && pass "non-loopback refused" || fail "non-loopback listen accepted"
"$SIM" --listen 127.0.0.1:0 --pki-dir "$TMP/x" --sig-misses 101 >/dev/null 2>&1
[ $? -eq 2 ] && pass "--sig-misses bound" || fail "--sig-misses 101 accepted"
: >"$TMP/file"
"$SIM" --listen 127.0.0.1:0 --pki-dir "$TMP/file/pki" >/dev/null 2>&1
[ $? -eq 1 ] && pass "unusable --pki-dir: exit 1" || fail "unusable --pki-dir"

start "$TMP/pki" || exit 1
for f in intel_root.pem nvidia_root.pem README; do
	[ -s "$TMP/pki/$f" ] && pass "$f written" || fail "$f missing"
done
grep -q "TEST PKI" "$TMP/pki/README" && grep -q "SIMULATED" "$TMP/pki/README" &&
    pass "README says TEST PKI" || fail "README text"
for f in intel_root nvidia_root; do
	openssl x509 -in "$TMP/pki/$f.pem" -noout -subject 2>/dev/null | grep -q TEST &&
	    pass "$f subject says TEST" || fail "$f subject"
done
grep -q "SIMULATED" "$TMP/err" && pass "start-up banner says SIMULATED" || fail "no banner"

NONCE=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
code=$(curl -s -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' --max-time 20 \
    "$BASE/v1/attestation/report?model=sim/good&nonce=$NONCE")
[ "$code" = 200 ] && grep -qi '^X-Tmon-Sim: SIMULATED' "$TMP/h" &&
    grep -q "\"request_nonce\":\"$NONCE\"" "$TMP/b" &&
    pass "attestation for our nonce, marked simulated" || fail "attestation ($code)"

# hostile bodies: not JSON, deep nesting, chunked oversize
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -d 'not json' \
    "$BASE/v1/chat/completions")
[ "$code" = 400 ] && pass "non-JSON body: 400" || fail "non-JSON body ($code)"
deep=$(printf '[%.0s' $(seq 1 200))
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -d "$deep" \
    "$BASE/v1/chat/completions")
[ "$code" = 400 ] && pass "deep nesting: 400" || fail "deep nesting ($code)"
head -c 70000 /dev/zero | tr '\0' ' ' >"$TMP/big"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
    -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big" \
    "$BASE/v1/chat/completions")
[ "$code" = 413 ] && pass "chunked oversize: 413" || fail "chunked oversize ($code)"

# many clients at once
for i in $(seq 1 24); do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 \
	    "$BASE/api/v1/tee/attestation?model=sim/good&nonce=$NONCE" >>"$TMP/par" &
done
wait $(jobs -p | grep -v "^$PID$") 2>/dev/null
n=$(grep -c '^200$' "$TMP/par")
[ "$n" = 24 ] && pass "24 concurrent attestations" || fail "concurrent: $n of 24"
kill -0 "$PID" 2>/dev/null && pass "still running" || fail "died"
cp "$TMP/pki/intel_root.pem" "$TMP/first_root.pem"
stop TERM

# a second start: fresh keys, new roots
start "$TMP/pki" || exit 1
cmp -s "$TMP/pki/intel_root.pem" "$TMP/first_root.pem" &&
    fail "root reused across starts" || pass "fresh root on every start"
stop INT

[ $fails -eq 0 ] && echo "test_sim: all passed" || echo "test_sim: $fails failed"
exit $((fails != 0))
