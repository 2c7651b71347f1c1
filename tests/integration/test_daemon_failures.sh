#!/usr/bin/env bash
# tmond keeps monitoring through failures of its upstreams and of its own
# disk, over loopback with the real tmond, tmon-replay and SQLite files:
#  1. empty upstream bodies (HTTP 200, 302, 502) and a 17 MiB body with
#     max_body_bytes at its largest (16 MiB, the store's blob limit): tmond keeps running and logs each probe
#     (error for the empty ones, fail for the oversize one), again and
#     again;
#  2. a full disk, made real without privileges by lowering tmond's file
#     size limit (prlimit RLIMIT_FSIZE: every write past 1 byte fails
#     with EFBIG): probes wait, receipts answer 503 with Retry-After,
#     /healthz answers 503 degraded; once the limit is lifted everything
#     resumes by itself, the waiting probes are logged and the chain
#     verifies;
#  3. the database deleted under the running tmond: receipts 503,
#     /healthz degraded naming the deletion; a restart without --init
#     refuses to start a new log (exit 2), with --init it does.
# The tmon-replay routes used are SYNTHETIC (index written below).  Takes
# about 20 s; every wait is bounded.
# Usage: test_daemon_failures.sh BUILD_DIR SOURCE_DIR
set -u
LIB_PIDS=CATPID
. "$(dirname "$0")/lib.sh"

DATA=$SRC/tests/data/replay
CATPID=

die() { echo "FAIL: $*"; echo "--- tmond log:"; tail -n 40 "$TMP/log"; exit 1; }

need curl python3 prlimit timeout
need_bin tmond tmon-replay tmonctl

# ---- tmon-replay with SYNTHETIC hostile upstreams ---------------------
cat >"$TMP/index.json" <<'EOF'
{"version": 1,
 "readme": ["test_daemon_failures.sh: SYNTHETIC upstreams (empty bodies, a 17 MiB body) and one recorded NanoGPT answer"],
 "entries": [
  {"id": "nanogpt-2026-06-10/gemma-3-27b-it", "prefix": "/", "route": "nanogpt_tee_attestation", "model": "TEE/gemma-3-27b-it", "reply": "recorded", "origin": "recorded", "status": 200, "body": "nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json", "headers": "nanogpt-2026-06-10_gemma-3-27b-it/attestation_http_meta.json"},
  {"id": "synthetic/empty-200", "prefix": "/", "route": "nanogpt_tee_attestation", "model": "TEE/tmon-synthetic-empty-200", "reply": "fixed", "origin": "synthetic", "status": 200, "content_type": "application/json", "body_text": "", "note": "SYNTHETIC: HTTP 200 with an empty body"},
  {"id": "synthetic/empty-302", "prefix": "/", "route": "nanogpt_tee_attestation", "model": "TEE/tmon-synthetic-empty-302", "reply": "fixed", "origin": "synthetic", "status": 302, "content_type": "text/html", "body_text": "", "note": "SYNTHETIC: HTTP 302 with an empty body and no Location"},
  {"id": "synthetic/empty-502", "prefix": "/", "route": "nanogpt_tee_attestation", "model": "TEE/tmon-synthetic-empty-502", "reply": "fixed", "origin": "synthetic", "status": 502, "content_type": "text/plain", "body_text": "", "note": "SYNTHETIC: HTTP 502 with an empty body"},
  {"id": "synthetic/17mib", "prefix": "/", "route": "nanogpt_tee_attestation", "model": "TEE/tmon-synthetic-17mib", "reply": "oversize", "origin": "synthetic", "status": 200, "size": 17825792, "content_type": "application/json", "note": "SYNTHETIC: 17 MiB, more than the store keeps in one blob (16 MiB)"}
 ]}
EOF
start_replay --dir "$DATA" --index "$TMP/index.json" --listen 127.0.0.1:0 || exit 1

MODELS="TEE/gemma-3-27b-it TEE/tmon-synthetic-empty-200 TEE/tmon-synthetic-empty-302 TEE/tmon-synthetic-empty-502 TEE/tmon-synthetic-17mib"
python3 - "$REPLAY_PORT" $MODELS >"$TMP/sched.json" <<'EOF'
import json, sys
port, models = sys.argv[1], sys.argv[2:]
print(json.dumps({"pcs": False, "max_body_bytes": 16 * 1024 * 1024,
    "models": [{"provider": "nanogpt", "model": m,
        "base_url": "http://127.0.0.1:%s" % port, "interval_s": 1,
        "jitter_s": 0, "canary": False} for m in models]}))
EOF

# tmond's stderr goes through a FIFO: a pipe is not a file, so the file
# size limit of part 2 does not silence the log we read.
mkfifo "$TMP/logfifo"
cat "$TMP/logfifo" >"$TMP/log" &
CATPID=$!
exec 3>"$TMP/logfifo"

TMOND_STDERR=$TMP/logfifo
run_tmond() { # [ARGS...]: start, wait for the API port; sets PID, PORT
	start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" \
	    --listen 127.0.0.1:0 "$@"
}

API() { echo "http://127.0.0.1:$PORT$1"; }
# count MODEL: probes of MODEL in the log (API), or -1.
count() {
	curl -s --max-time 10 "$(API "/api/v1/probes?limit=500&model=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$1")")" |
	    python3 -c 'import json,sys
try: print(len(json.load(sys.stdin)["probes"]))
except Exception: print(-1)'
}
alive() { kill -0 "$PID" 2>/dev/null; }
all_have() { # N: every model has at least N probes
	local m
	for m in $MODELS; do [ "$(count "$m")" -ge "$1" ] || return 1; done
}
post_receipt() { # print the status; the answer in $TMP/ans, headers in $TMP/hdr
	curl -s -D "$TMP/hdr" -o "$TMP/ans" -w '%{http_code}' --max-time 20 -X POST \
	    -H 'Content-Type: application/json' \
	    --data-binary @"$SRC/tests/data/receipts/private-mode/tdx.json" \
	    "$(API /api/v1/receipts)"
}
healthz() { curl -s -o "$TMP/health" -w '%{http_code}' --max-time 10 "$(API /healthz)"; }
retry_after() { tr -d '\r' <"$TMP/hdr" | sed -n 's/^[Rr]etry-[Aa]fter: //p'; }

# ---- a fresh database needs --init --------------------------------------
timeout -s KILL 20 "$BUILD/tmond" --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 2>"$TMP/noinit.err"
rc=$?
if [ $rc = 2 ] && grep -q -- "--init" "$TMP/noinit.err" && [ ! -e "$TMP/t.db" ]; then
	pass "no log and no --init: exit 2, nothing created ($(head -c 120 "$TMP/noinit.err"))"
else
	fail "no log and no --init: exit $rc, $(head -c 200 "$TMP/noinit.err")"
	rm -f "$TMP/t.db" "$TMP/t.db-wal" "$TMP/t.db-shm"
fi

run_tmond --init || die "tmond did not start"
pass "tmond --init started (API port $PORT)"

# ---- 1. empty bodies and a body over the store's blob limit -----------
if wait_for 60 all_have 2 && alive; then
	pass "every model logged at least 2 probes, tmond still running"
else
	for m in $MODELS; do echo "  $m: $(count "$m") probes"; done
	alive || die "tmond exited (status $(wait "$PID"; echo $?))"
	die "probes did not arrive"
fi
# last probe of MODEL: "verdict|body_sha256|http.fetch status|detail"
last() {
	curl -s --max-time 10 "$(API "/api/v1/probes?limit=1&model=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$1")")" |
	    python3 -c 'import json,sys
p=json.load(sys.stdin)["probes"][0]
c=[c for c in p["entry"]["checks"] if c["id"]=="http.fetch"][0]
print("%s|%s|%s|%s" % (p["verdict"], p["entry"]["request"]["body_sha256"], c["status"], c["detail"]))'
}
for st in 200 302 502; do
	got=$(last "TEE/tmon-synthetic-empty-$st")
	case "$got" in
	"error|None|error|upstream answered HTTP $st"*"empty body"*) pass "empty $st: $got" ;;
	*) fail "empty $st: $got" ;;
	esac
done
got=$(last TEE/tmon-synthetic-17mib)
case "$got" in
"fail|None|fail|response body exceeds the size cap"*) pass "17 MiB body: $got" ;;
*) fail "17 MiB body: $got" ;;
esac
st=$(healthz)
[ "$st" = 200 ] && grep -q '"status":"ok"' "$TMP/health" && pass "/healthz: 200 $(cat "$TMP/health")" ||
    fail "/healthz while healthy: $st $(cat "$TMP/health")"

# ---- 2. full disk --------------------------------------------------------
before=$(count TEE/gemma-3-27b-it)
# Only the soft limit changes (no privilege needed); it goes back to the
# hard one afterwards.
HARD=$(prlimit --pid "$PID" --fsize --noheadings --raw --output HARD)
prlimit --pid "$PID" --fsize=1: || die "prlimit failed"
degraded() { [ "$(healthz)" = 503 ]; }
if wait_for 30 degraded; then
	pass "disk full: /healthz 503 $(cat "$TMP/health")"
else
	fail "disk full: /healthz $(healthz) $(cat "$TMP/health")"
fi
grep -q '"status":"degraded"' "$TMP/health" || fail "/healthz body: $(cat "$TMP/health")"
st=$(post_receipt)
[ "$st" = 503 ] && [ "$(retry_after)" -gt 0 ] 2>/dev/null &&
    pass "disk full: receipt 503, Retry-After $(retry_after): $(cat "$TMP/ans")" ||
    fail "disk full: receipt $st, Retry-After '$(retry_after)': $(cat "$TMP/ans")"
sleep 3
alive && pass "disk full: tmond still running" || die "disk full: tmond exited"
grep -q "DEGRADED: the log is not writable" "$TMP/log" && pass "disk full: logged as DEGRADED" ||
    fail "disk full: no DEGRADED warning"
st=$(healthz)
python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); sys.exit(0 if h["status"]=="degraded" and h["pending_probes"]>=1 and h["reason"] else 1)' "$TMP/health" &&
    pass "disk full: probes wait: $(cat "$TMP/health")" || fail "disk full: /healthz $st $(cat "$TMP/health")"
during=$(count TEE/gemma-3-27b-it)
prlimit --pid "$PID" --fsize="$HARD": || die "prlimit failed"
healthy() { [ "$(healthz)" = 200 ]; }
wait_for 30 healthy && pass "space back: /healthz 200 by itself" || fail "space back: /healthz $(healthz) $(cat "$TMP/health")"
grep -q "the log is writable again" "$TMP/log" && pass "space back: logged" || fail "space back: not logged"
more() { [ "$(count TEE/gemma-3-27b-it)" -gt "$during" ]; }
wait_for 30 more && pass "space back: probes logged again ($before before, $during while full, $(count TEE/gemma-3-27b-it) now)" ||
    fail "space back: no new probes"
st=$(post_receipt)
[ "$st" = 201 ] && pass "space back: receipt 201" || fail "space back: receipt $st $(cat "$TMP/ans")"
"$BUILD/tmonctl" audit "$TMP/t.db" --config "$TMP/sched.json" --key "$("$BUILD/tmonctl" log-key --db "$TMP/t.db")" >"$TMP/audit" 2>&1 && pass "chain verifies after the full disk: $(tail -n 1 "$TMP/audit")" ||
    fail "tmonctl audit: $(cat "$TMP/audit")"

# ---- 3. the database deleted under tmond ------------------------------
rm -f "$TMP/t.db" "$TMP/t.db-wal" "$TMP/t.db-shm"
deleted() { [ "$(healthz)" = 503 ] && grep -q "deleted" "$TMP/health"; }
wait_for 10 deleted && pass "db deleted: /healthz 503 $(cat "$TMP/health")" ||
    fail "db deleted: /healthz $(healthz) $(cat "$TMP/health")"
st=$(post_receipt)
[ "$st" = 503 ] && pass "db deleted: receipt 503 $(cat "$TMP/ans")" || fail "db deleted: receipt $st $(cat "$TMP/ans")"
grep -q "DEGRADED: store: .*deleted" "$TMP/log" && pass "db deleted: logged as DEGRADED" || fail "db deleted: no warning"
alive || die "db deleted: tmond exited"
kill "$PID"; wait "$PID"; rc=$?; PID=
[ $rc = 0 ] && pass "tmond stopped (exit 0)" || fail "tmond exit $rc"
[ -e "$TMP/t.db" ] && fail "the deleted database came back: $(ls -l "$TMP/t.db")"
timeout -s KILL 20 "$BUILD/tmond" --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 2>"$TMP/noinit2.err"
rc=$?
[ $rc = 2 ] && grep -q -- "--init" "$TMP/noinit2.err" && [ ! -e "$TMP/t.db" ] &&
    pass "restart without --init refused: exit 2" || fail "restart without --init: exit $rc $(cat "$TMP/noinit2.err")"
# The previous log's signed checkpoint is still there: a new log under
# the same key would contradict it, so tmond refuses until it is moved.
timeout -s KILL 20 "$BUILD/tmond" --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 --init 2>"$TMP/oldcp.err"
rc=$?
[ $rc != 0 ] && grep -q "rolled back" "$TMP/oldcp.err" &&
    pass "--init next to the old log's checkpoint file refused: $(grep -o 'the log signed.*' "$TMP/oldcp.err" | head -n 1)" ||
    fail "--init with an old checkpoint file: exit $rc $(cat "$TMP/oldcp.err")"
rm -f "$TMP/t.db" "$TMP/t.db-wal" "$TMP/t.db-shm" "$TMP/t.db.checkpoint" "$TMP/t.db.key"
run_tmond --init && pass "restart with --init: a new log" || die "restart with --init failed"

finish
