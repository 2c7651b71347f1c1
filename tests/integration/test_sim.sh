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
. "$(dirname "$0")/lib.sh"

SIMBIN=$BUILD/tmon-sim

# start DIR: start tmon-sim on a kernel-chosen port; set SIM and BASE.
start() {
	start_sim "$1" || return 1
	BASE=http://127.0.0.1:$SIM_PORT
}

# stop SIGNAL: stop it, expect exit 0
stop() {
	kill "-$1" "$SIM"; wait "$SIM"; local rc=$?
	SIM=
	[ $rc -eq 0 ] && pass "stopped cleanly on SIG$1" || { fail "exit $rc on SIG$1"; cat "$TMP/sim.err"; }
}

# usage errors and refusals
"$SIMBIN" >/dev/null 2>&1; [ $? -eq 2 ] && pass "no arguments: exit 2" || fail "no arguments"
"$SIMBIN" --listen 0.0.0.0:0 --pki-dir "$TMP/x" >/dev/null 2>&1
[ $? -eq 2 ] && pass "non-loopback refused" || fail "non-loopback listen accepted"
"$SIMBIN" --listen 127.0.0.1:0 --pki-dir "$TMP/x" --sig-misses 101 >/dev/null 2>&1
[ $? -eq 2 ] && pass "--sig-misses bound" || fail "--sig-misses 101 accepted"
: >"$TMP/file"
"$SIMBIN" --listen 127.0.0.1:0 --pki-dir "$TMP/file/pki" >/dev/null 2>&1
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
grep -q "SIMULATED" "$TMP/sim.err" && pass "start-up banner says SIMULATED" || fail "no banner"

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
wait $(jobs -p | grep -v "^$SIM$") 2>/dev/null
n=$(grep -c '^200$' "$TMP/par")
[ "$n" = 24 ] && pass "24 concurrent attestations" || fail "concurrent: $n of 24"
kill -0 "$SIM" 2>/dev/null && pass "still running" || fail "died"
cp "$TMP/pki/intel_root.pem" "$TMP/first_root.pem"
stop TERM

# a second start: fresh keys, new roots
start "$TMP/pki" || exit 1
cmp -s "$TMP/pki/intel_root.pem" "$TMP/first_root.pem" &&
    fail "root reused across starts" || pass "fresh root on every start"
stop INT

finish
