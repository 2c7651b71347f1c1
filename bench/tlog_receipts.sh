#!/usr/bin/env bash
# Receipt throughput with the Merkle tree and checkpoints (this build)
# next to a tmond without them (OLD_BUILD: a build of a tmon before the
# tree, e.g. git worktree add /tmp/pretree 81655cf && cmake -S /tmp/pretree
# -B /tmp/pretree/build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build
# /tmp/pretree/build-rel --target tmond), measured in one run, alternating
# ROUNDS times: rcpt_load (this build's) submits COUNT real signature
# receipts over C loopback connections to a fresh log each time; each
# log is checked afterwards by its own build's rcpt_load check (OLD_BUILD
# needs its rcpt_load too).
# Usage: bench/tlog_receipts.sh BUILD OLD_BUILD [COUNT [CONNECTIONS [ROUNDS]]]
set -u
BUILD=${1:?usage: tlog_receipts.sh BUILD OLD_BUILD [COUNT [CONNECTIONS [ROUNDS]]]}
OLD=${2:?usage: tlog_receipts.sh BUILD OLD_BUILD [COUNT [CONNECTIONS [ROUNDS]]]}
N=${3:-50000}
C=${4:-48}
ROUNDS=${5:-2}
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT

echo '{"models": [], "receipts": {
 "per_client": {"count": 1000000000, "bytes": 1099511627776, "window_s": 1},
 "global": {"count": 1000000000, "bytes": 1099511627776, "window_s": 1}}}' >"$TMP/sched.json"

run() { # LABEL TMOND
	local label=$1 tmond=$2 port i rate
	rm -f "$TMP"/t.db* "$TMP/log" "$TMP/answers"
	"$tmond" --config "$TMP/sched.json" --db "$TMP/t.db" --init \
	    --listen 127.0.0.1:0 2>"$TMP/log" &
	PID=$!
	for i in $(seq 1 200); do
		port=$(sed -n 's/.*api: listening on 127\.0\.0\.1 port \([0-9]*\)$/\1/p' "$TMP/log")
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "$label: tmond did not start"; cat "$TMP/log"; exit 1; }
	"$BUILD/rcpt_load" run --port "$port" --count "$N" --connections "$C" \
	    --answers "$TMP/answers" >"$TMP/run.out" 2>"$TMP/run.err" ||
	    { echo "$label: rcpt_load failed"; tail -3 "$TMP/run.err"; exit 1; }
	kill "$PID"; wait "$PID"; PID=
	rate=$(sed -n 's/.*: \([0-9]*\) receipts\/s$/\1/p' "$TMP/run.out")
	"$(dirname "$tmond")/rcpt_load" check --db "$TMP/t.db" --answers "$TMP/answers" \
	    --count "$N" >"$TMP/check.out" 2>&1 || { echo "$label: rcpt_load check failed"; tail -5 "$TMP/check.out"; exit 1; }
	printf '%-34s %8s receipts/s  (%s checkpoints)\n' "$label" "$rate" \
	    "$(python3 -c 'import sqlite3,sys
c=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro",uri=True)
try: print(c.execute("SELECT count(*) FROM checkpoints").fetchone()[0])
except Exception: print("no")' "$TMP/t.db")"
	echo "$rate" >>"$TMP/$3"
}

echo "$N receipts, $C connections, $(nproc) cores, $ROUNDS rounds each"
for r in $(seq 1 "$ROUNDS"); do
	run "without tree/checkpoints (old)" "$OLD/tmond" old
	run "with tree and checkpoints (this)" "$BUILD/tmond" new
done
python3 - "$TMP/old" "$TMP/new" <<'EOF'
import statistics, sys
o = [int(x) for x in open(sys.argv[1])]
n = [int(x) for x in open(sys.argv[2])]
print("median: without %d receipts/s, with %d receipts/s (%.1f%%)" % (
    statistics.median(o), statistics.median(n),
    100.0 * (statistics.median(n) / statistics.median(o) - 1)))
EOF
