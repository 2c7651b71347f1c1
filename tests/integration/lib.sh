# tests/integration/lib.sh: what the integration tests share.  Sourced
# (bash) by a test_*.sh run as "test_X.sh BUILD_DIR SOURCE_DIR [...]":
#
#	. "$(dirname "$0")/lib.sh"
#
# Variables it sets:
#   BUILD, SRC      the build and source directories ($1 and $2; both are
#                   required, a missing one is a usage error)
#   TMP             a fresh directory, removed on exit
#   fails           the number of failed checks so far
#   PID, PORT       tmond (start_tmond)
#   SIM, SIM_PORT   tmon-sim (start_sim)
#   REPLAY, REPLAY_PORT  tmon-replay (start_replay)
# Variables a test may set: TMOND_LOG and TMOND_STDERR (start_tmond),
# LIB_PIDS and a function cleanup_hook (below).
# On exit every process in PID, SIM, REPLAY and in the variables named in
# LIB_PIDS (set by the test, e.g. LIB_PIDS="GEN") is killed and waited for
# (those of LIB_PIDS first), then cleanup_hook runs if the test defines
# it, then TMP is removed.
#
# Functions:
#   pass MSG, fail MSG      print "ok: MSG" / "FAIL: MSG" (fail counts)
#   finish                  print the tally; exit 0 if nothing failed, else 1
#   need TOOL...            exit 1 unless every TOOL is on PATH
#   need_bin NAME...        exit 1 unless every $BUILD/NAME is executable
#   wait_port VAR PID FILE [SKIP]
#                           wait for the "listening" line of tmond,
#                           tmon-sim or tmon-replay in FILE (the last one
#                           after the first SKIP lines); its port into VAR
#   start_tmond ARGS...     tmond ARGS... in the background (PID, PORT)
#   stop_tmond              SIGTERM to tmond, which must exit 0
#   start_listener PIDVAR PORTVAR NAME BASE ARGS...
#                           a program that prints a "listening" line
#   start_sim PKI_DIR [ARGS...]  tmon-sim on a free port (SIM, SIM_PORT)
#   start_replay ARGS...    tmon-replay ARGS... (REPLAY, REPLAY_PORT)
#   wait_for SECONDS CMD... run CMD every 0.2 s until it succeeds
#   header_value FILE NAME  a header's value in a curl -D dump
#   jget KEY FILE           a top-level scalar of a JSON file
#   q DB SQL [ARG...]       the first column of the first row of SQL
#                           (? bound to ARGs) on DB opened read-only, or ""
#   check_status ID FILE, check_detail ID FILE
#                           the status / detail of check ID in the
#                           "checks" array of a JSON file
# Every wait is bounded: a program that does not start within 30 s is a
# failure, not a stuck test.

BUILD=${1:?usage: $(basename "$0") BUILD_DIR SOURCE_DIR}
SRC=${2:?usage: $(basename "$0") BUILD_DIR SOURCE_DIR}
TMP=$(mktemp -d)
PID= PORT=
SIM= SIM_PORT=
REPLAY= REPLAY_PORT=
LIB_PIDS=${LIB_PIDS:-}
fails=0

lib_cleanup() {
	local v p
	for v in $LIB_PIDS PID SIM REPLAY; do
		p=${!v:-}
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if declare -F cleanup_hook >/dev/null; then cleanup_hook; fi
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap lib_cleanup EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok: $*"; }

finish() {
	if [ "$fails" -eq 0 ]; then
		echo "$(basename "$0" .sh): all passed"
		exit 0
	fi
	echo "$(basename "$0" .sh): $fails failed"
	exit 1
}

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "no $t"; exit 1; }
	done
}

need_bin() {
	local b
	for b in "$@"; do
		[ -x "$BUILD/$b" ] || { echo "no $BUILD/$b"; exit 1; }
	done
}

# wait_port VAR PID FILE [SKIP]: poll FILE (every 0.05 s, at most 30 s),
# after its first SKIP lines (default 0), for "tmon-replay: listening on
# http://127.0.0.1:N", "tmon-sim: listening on http://127.0.0.1:N" or
# tmond's "api: listening on 127.0.0.1 port N" (the last such line
# counts) and set VAR to N.  Returns 0 then; 1 if process PID exited
# first; 2 after 30 s.
wait_port() {
	local var=$1 pid=$2 file=$3 skip=${4:-0} i port
	for i in $(seq 1 600); do
		port=$(tail -n "+$((skip + 1))" "$file" 2>/dev/null | sed -n \
		    -e 's#^tmon-[a-z]*: listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$#\1#p' \
		    -e 's/.*api: listening on 127\.0\.0\.1 port \([0-9][0-9]*\)$/\1/p' |
		    tail -n 1)
		if [ -n "$port" ]; then
			printf -v "$var" '%s' "$port"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 2
}

# start_tmond ARGS...: run "$BUILD/tmond" ARGS... in the background (the
# caller gives --config, --db, --listen and the rest), stderr appended to
# TMOND_STDERR (default $TMP/log); set PID and wait for the listening line
# that it adds to TMOND_LOG (default $TMP/log): PORT.  Returns 0 when listening; 1 if tmond exited
# first (PID cleared, its exit status in TRC); 2 if it did not listen
# within 30 s.  On 1 and 2 it prints "tmond did not start:" and the last
# 40 lines of the log.
start_tmond() {
	local log=${TMOND_LOG:-$TMP/log} rc skip=0
	[ -f "$log" ] && skip=$(wc -l <"$log")
	"$BUILD/tmond" "$@" 2>>"${TMOND_STDERR:-$log}" &
	PID=$!
	PORT=
	wait_port PORT "$PID" "$log" "$skip"
	rc=$?
	[ $rc -eq 0 ] && return 0
	if [ $rc -eq 1 ]; then
		wait "$PID"
		TRC=$?
		PID=
	fi
	echo "tmond did not start:"
	tail -n 40 "$log"
	return $rc
}

# stop_tmond: SIGTERM to PID, which must exit 0 (a pass or a fail).
stop_tmond() {
	local rc
	kill "$PID"
	wait "$PID"
	rc=$?
	PID=
	[ $rc -eq 0 ] && pass "tmond stopped cleanly" || fail "tmond exit $rc"
}

# start_listener PIDVAR PORTVAR NAME BASE ARGS...: "$BUILD/NAME" ARGS...
# in the background, stdout in $TMP/BASE.out, stderr in $TMP/BASE.err;
# its pid into PIDVAR and, once it prints its "listening" line, its port
# into PORTVAR.  On failure prints why and returns 1.
start_listener() {
	local pidvar=$1 portvar=$2 name=$3 base=$4
	shift 4
	"$BUILD/$name" "$@" >"$TMP/$base.out" 2>"$TMP/$base.err" &
	printf -v "$pidvar" '%s' $!
	printf -v "$portvar" '%s' ''
	wait_port "$portvar" "${!pidvar}" "$TMP/$base.out" && return 0
	echo "$name did not start:"; cat "$TMP/$base.err"
	return 1
}

# start_sim PKI_DIR [ARGS...]: tmon-sim on a kernel-chosen loopback port,
# its test PKI in PKI_DIR; stdout in $TMP/sim.out, stderr in $TMP/sim.err.
# Sets SIM and SIM_PORT.
start_sim() {
	local dir=$1
	shift
	start_listener SIM SIM_PORT tmon-sim sim --listen 127.0.0.1:0 \
	    --pki-dir "$dir" "$@"
}

# start_replay ARGS...: tmon-replay ARGS... (--dir, --listen, ...); stdout
# in $TMP/replay.out, stderr in $TMP/replay.err.  Sets REPLAY and
# REPLAY_PORT.
start_replay() {
	start_listener REPLAY REPLAY_PORT tmon-replay replay "$@"
}

# q DB SQL [ARG...]: SQL on the log DB, opened read-only through Python's
# sqlite3 (the test reads the file, not tmon's code); prints the first
# column of the first row, "" when there is none.
q() {
	python3 -c 'import sqlite3,sys; c=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro",uri=True); r=c.execute(sys.argv[2], sys.argv[3:]).fetchone(); print("" if r is None else r[0])' "$@"
}

# wait_for SECONDS CMD...: run CMD every 0.2 s until it succeeds (0) or
# SECONDS have passed (1).
wait_for() {
	local n=$(($1 * 5))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

# header_value FILE NAME: the value of the first NAME header (any case)
# in FILE, a curl -D dump; CR removed, "" if absent.
header_value() {
	tr -d '\r' <"$1" | awk -v n="$(echo "$2" | tr 'A-Z' 'a-z')" -F': ' \
	    'tolower($1) == n { sub(/^[^:]*: /, ""); print; exit }'
}

# jget KEY FILE: the top-level member KEY of the JSON object in FILE
# (booleans as true/false).
jget() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[2]))[sys.argv[1]]; print(v if not isinstance(v,bool) else str(v).lower())' "$1" "$2"
}

# check_status ID FILE, check_detail ID FILE: the status / detail of the
# check ID in the "checks" array of the JSON object in FILE.
check_status() {
	python3 -c 'import json,sys; print([c["status"] for c in json.load(open(sys.argv[2]))["checks"] if c["id"]==sys.argv[1]][0])' "$1" "$2"
}
check_detail() {
	python3 -c 'import json,sys; print([c["detail"] for c in json.load(open(sys.argv[2]))["checks"] if c["id"]==sys.argv[1]][0])' "$1" "$2"
}

# ---- tmonctl audit and forged logs ----

# dbcopy SRC DST: a copy of the log SRC (with what its write-ahead log
# holds) in the single file DST.
dbcopy() {
	python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[2]); sqlite3.connect("file:"+sys.argv[1]+"?mode=ro",uri=True).backup(d); d.close()' "$1" "$2"
}

# audit NAME WANT-EXIT DB [ARGS...] -- [GREP...]: tmonctl audit DB --key
# "$VKEY" ARGS..., its exit code WANT-EXIT and every GREP in its output.
audit() {
	local name=$1 want=$2 db=$3 rc p args=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	"$BUILD/tmonctl" audit "$db" --key "$VKEY" "${args[@]}" >"$TMP/audit.out" 2>"$TMP/audit.err"
	rc=$?
	[ $rc -eq "$want" ] || { fail "$name: audit exit $rc, want $want"; cat "$TMP/audit.out" "$TMP/audit.err"; return 1; }
	for p in "$@"; do
		grep -q -- "$p" "$TMP/audit.out" || { fail "$name: no \"$p\" in:"; cat "$TMP/audit.out"; return 1; }
	done
	pass "$name: exit $rc: $(tail -1 "$TMP/audit.out")"
}

# forge DB SEQ PYTHON: edit the body b of entry SEQ with PYTHON, set the
# verdict column to b["verdict"], recompute its leaf hash, every later
# chain hash and (when the log has one) every node of the Merkle tree,
# with the triggers dropped and recreated: an attacker with the file
# who knows the hashing.  Signed checkpoints are left alone.
forge() {
	python3 - "$@" <<'EOF'
import hashlib, json, sqlite3, sys
db, seq, edit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
h = lambda x: hashlib.sha256(x).digest()
c = sqlite3.connect(db)
b = json.loads(bytes(c.execute("SELECT body FROM entries WHERE seq = ?", (seq,)).fetchone()[0]))
exec(edit)
nb = json.dumps(b, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
trig = c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
for name, _ in trig:
    c.execute('DROP TRIGGER "%s"' % name)
c.execute("UPDATE entries SET body = ?, verdict = ?, leaf_hash = ? WHERE seq = ?",
          (nb, b.get("verdict"), h(b"\0" + nb), seq))
prev = bytes(32) if seq == 0 else bytes(c.execute("SELECT chain_hash FROM entries WHERE seq = ?", (seq - 1,)).fetchone()[0])
for s, leaf in c.execute("SELECT seq, leaf_hash FROM entries WHERE seq >= ? ORDER BY seq", (seq,)).fetchall():
    prev = h(prev + bytes(leaf))
    c.execute("UPDATE entries SET chain_hash = ? WHERE seq = ?", (prev, s))
if c.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tree'").fetchone()[0]:
    # RFC 9162 section 2.1: every complete node, level 0 the leaves
    level = [bytes(r[0]) for r in c.execute("SELECT leaf_hash FROM entries ORDER BY seq")]
    c.execute("DELETE FROM tree")
    lv = 0
    while level:
        c.executemany("INSERT INTO tree (level, idx, hash) VALUES (?, ?, ?)",
                      [(lv, i, x) for i, x in enumerate(level)])
        level = [h(b"\1" + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        lv += 1
for _, sql in trig:
    c.execute(sql)
c.commit()
EOF
}

# start_receiver: tests/integration/webhook_recv.py on a free loopback
# port, every request into $TMP/recv/NNNN.json; sets RECV (its pid, add
# it to LIB_PIDS) and RECV_PORT.
start_receiver() {
	mkdir -p "$TMP/recv"
	python3 "$SRC/tests/integration/webhook_recv.py" "$TMP/recv" >"$TMP/recv.out" 2>"$TMP/recv.err" &
	RECV=$!
	wait_port RECV_PORT "$RECV" "$TMP/recv.out" || { echo "receiver did not start"; cat "$TMP/recv.err"; return 1; }
}

# run_peer SCRIPT CASES: a differential test's peer, node SCRIPT CASES
# (one JSON line {"id", "verdict", ...} per case into $TMP/peer.jsonl,
# shown), its "ID VERDICT" lines into $TMP/live.  Passes "the peer
# judged every case", or fails and returns 1 when it did not run.
run_peer() {
	if node "$1" "$2" >"$TMP/peer.jsonl" 2>"$TMP/peer.err"; then
		pass "the peer judged every case"
	else
		cat "$TMP/peer.err"
		fail "the peer did not run"
		return 1
	fi
	cat "$TMP/peer.jsonl"
	python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["id"], r["verdict"])' "$TMP/peer.jsonl" >"$TMP/live"
}
