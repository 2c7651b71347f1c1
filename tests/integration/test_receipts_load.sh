#!/usr/bin/env bash
# Receipt load test (CI runs it at full size, 100,000 x 48): bench/receipts/rcpt_load submits N real
# signature receipts (fresh secp256k1 key, EIP-191, request and response
# bytes attached) over C connections to a real tmond ({"models": []}),
# sends tmond SIGKILL once a third of them are answered, this script
# restarts tmond on the same port and database, and the generator resends
# whatever got no answer.  Then: every (seq, leaf) answered 201 is in the
# log, as the receipt it was answered for; no index is logged twice unless
# it was resent; every index is logged; the chain recomputes (rcpt_load
# check, tmonctl audit).  About 40-60 s under ASan.
# Usage: test_receipts_load.sh BUILD_DIR SOURCE_DIR [COUNT [CONNECTIONS]]
set -u
LIB_PIDS=GEN
. "$(dirname "$0")/lib.sh"

N=${3:-100000}
C=${4:-48}
KILL_AT=$((N / 3))
GEN=

run_tmond() { # PORT (0: any); a fresh log; sets PID and PORT
	: >"$TMP/log"
	start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --init \
	    --listen "127.0.0.1:$1"
}

need_bin tmond tmonctl rcpt_load
# One loopback client sends everything: lift the receipt quotas.
echo '{"models": [], "receipts": {
 "per_client": {"count": 1000000000, "bytes": 1099511627776, "window_s": 1},
 "global": {"count": 1000000000, "bytes": 1099511627776, "window_s": 1}}}' >"$TMP/sched.json"
run_tmond 0 || exit 1
port=$PORT

"$BUILD/rcpt_load" run --port "$port" --count "$N" --connections "$C" \
    --answers "$TMP/answers" --kill-pid "$PID" --kill-at "$KILL_AT" \
    --retry-seconds 60 >"$TMP/gen.out" 2>"$TMP/gen.err" &
GEN=$!

# The generator kills tmond part way through; bring it back on the same
# port and database while the generator keeps resending.
wait "$PID"; rc=$?
PID=
if [ $rc -eq 137 ]; then
	pass "tmond killed with SIGKILL mid-run ($(grep -o 'after [0-9]* answers' "$TMP/gen.err"))"
else
	fail "tmond ended with status $rc, not by SIGKILL"
	cat "$TMP/log"
fi
run_tmond "$port" || exit 1
pass "tmond restarted on port $port, same database"

wait "$GEN"; rc=$?
GEN=
cat "$TMP/gen.out"
[ $rc -eq 0 ] && pass "every receipt answered 201" || { fail "generator exit $rc"; tail -5 "$TMP/gen.err"; }
kill "$PID"; wait "$PID"; rc=$?
PID=
[ $rc -eq 0 ] && pass "tmond stopped cleanly" || fail "tmond exit $rc"

out=$("$BUILD/rcpt_load" check --db "$TMP/t.db" --answers "$TMP/answers" \
    --count "$N" --max-dup "$C"); rc=$?
echo "$out" | tail -20
[ $rc -eq 0 ] && pass "rcpt_load check" || fail "rcpt_load check"
grep -q '^retried ' "$TMP/answers" && pass "$(grep -c '^retried ' "$TMP/answers") receipts were in flight at the kill and resent" || echo "note: no receipt was in flight at the kill"
out=$("$BUILD/tmonctl" audit "$TMP/t.db" --no-rederive --key "$("$BUILD/tmonctl" log-key --db "$TMP/t.db")"); rc=$?
echo "$out" | head -1
[ $rc -eq 0 ] && pass "tmonctl audit" || fail "tmonctl audit"

finish
