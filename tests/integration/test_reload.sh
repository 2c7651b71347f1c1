#!/usr/bin/env bash
# SIGHUP reloads the schedule without a restart (README "Installing as a
# service").  tmond probes tmon-sim as models A and B (B with a canary
# whose stream mode alternates probe by probe); a client holds a
# kept-alive connection open; SIGHUP with a schedule of B and C: the
# held connection still answers, GET /api/v1/models lists B and C as
# configured and A as history only, C is probed, A no longer, and B
# keeps its state (its canary goes on alternating: a fresh state would
# send two non-streaming probes in a row).  A schedule that does not
# load keeps the running one (a clear log line, probes go on); a change
# of a model is applied, one of "http" is named as needing a restart.
# tmond stops cleanly (exit 0).  Read-only, where the log does not
# change, a reload changes the models' answer and its ETag.  About 20 s: probes are 1 s apart.
# Usage: test_reload.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmond tmon-sim

start_sim "$TMP/pki" || exit 1

# sched NAME:INTERVAL... [HTTP_MAX]: the schedule, to $TMP/sched.json
sched() {
	local http=256 sep= spec name iv canary
	{
		echo "{\"test_trust_anchors\": {\"intel_root_ca\": \"$TMP/pki/intel_root.pem\","
		echo "  \"nvidia_root_ca\": \"$TMP/pki/nvidia_root.pem\"},"
		echo " \"pcs\": {\"base_url\": \"http://127.0.0.1:$SIM_PORT\","
		echo "  \"root_ca_crl_url\": \"http://127.0.0.1:$SIM_PORT/IntelSGXRootCA.der\"},"
		for spec in "$@"; do
			case $spec in http=*) http=${spec#http=};; esac
		done
		echo " \"http\": {\"max_connections\": $http, \"max_connections_per_address\": 64, \"idle_timeout_s\": 120, \"request_deadline_s\": 120},"
		echo " \"models\": ["
		for spec in "$@"; do
			case $spec in http=*) continue;; esac
			name=${spec%%:*} iv=${spec#*:}
			canary=false
			[ "$name" = B ] && canary='{"stream": "alternate", "signature_retries": 3, "signature_backoff_ms": 50}'
			echo " $sep{\"provider\": \"phala\", \"model\": \"sim/good\", \"name\": \"$name\","
			echo "  \"base_url\": \"http://127.0.0.1:$SIM_PORT\", \"interval_s\": $iv,"
			echo "  \"jitter_s\": 0, \"canary\": $canary}"
			sep=,
		done
		echo "]}"
	} >"$TMP/sched.new"
	mv "$TMP/sched.new" "$TMP/sched.json"
}

n() { q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = ?" "$1"; }
atleast() { [ "$(n "$1")" -ge "$2" ] 2>/dev/null; }
reloads() { grep -c 'reload: ' "$TMP/log"; }
alive() { kill -0 "$PID" 2>/dev/null; }

sched A:1 B:1
start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 --init || exit 1
wait_for 60 atleast B 3 && wait_for 30 atleast A 2 || { fail "no probes of A and B"; tail -n 20 "$TMP/log"; finish; }

# A held connection: a first request answered, then (on the same
# socket when the server keeps it alive, else on a new one) the headers of
# a second request sent all but their final empty line before the
# reload and completed after it.
cat >"$TMP/held.py" <<'PY'
import socket, sys, os, time
port, go, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    return s, s.makefile("rb")
def answer(f):
    line = f.readline().split()
    status = line[1].decode() if len(line) > 1 else "none"
    n, close = 0, False
    while True:
        h = f.readline().strip()
        if not h:
            break
        k, v = h.decode().split(":", 1)
        if k.lower() == "content-length":
            n = int(v)
        if k.lower() == "connection" and v.strip().lower() == "close":
            close = True
    return status, f.read(n), close
s, f = conn()
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
st, _, close = answer(f)
mode = "kept-alive"
if close:
    s.close()
    s, f = conn()
    mode = "new (the server closes after each answer)"
s.sendall(b"GET /api/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n")
open(out + ".1", "w").write(st + "\n" + mode)
for i in range(300):
    if os.path.exists(go):
        break
    time.sleep(0.1)
s.sendall(b"\r\n")
st, body, _ = answer(f)
open(out + ".2", "w").write(st + "\n" + body.decode())
PY
python3 "$TMP/held.py" "$PORT" "$TMP/go" "$TMP/held" &
HELD=$!
LIB_PIDS=HELD
wait_for 30 test -s "$TMP/held.1"
[ "$(head -n 1 "$TMP/held.1" 2>/dev/null)" = 200 ] &&
    pass "held connection ($(tail -n 1 "$TMP/held.1")): first answer, next request half sent" ||
    fail "held connection: $(cat "$TMP/held.1" 2>/dev/null)"

# B, C: A removed, C added, B unchanged
r0=$(reloads)
sched B:1 C:1
kill -HUP "$PID"
wait_for 30 grep -q 'reload: .*: 2 models (1 added, 0 changed, 1 removed)' "$TMP/log" &&
    pass "SIGHUP: 1 added, 0 changed, 1 removed" || fail "no reload line: $(tail -n 5 "$TMP/log")"
alive && pass "tmond runs on after SIGHUP" || { fail "tmond exited on SIGHUP"; PID=; finish; }
grep -q 'api: listening on' "$TMP/log" && [ "$(grep -c 'api: listening on' "$TMP/log")" = 1 ] &&
    pass "the HTTP server was not restarted" || fail "the server restarted"
touch "$TMP/go"
wait "$HELD"; HELD=
if [ "$(head -n 1 "$TMP/held.2" 2>/dev/null)" = 200 ]; then
	pass "held connection answers after the reload"
	tail -n +2 "$TMP/held.2" >"$TMP/held.json"
	python3 - "$TMP/held.json" <<'PY' && pass "the held connection sees B, C configured, A history" || fail "models on the held connection: $(cat "$TMP/held.json")"
import json, sys
m = {x["model"]: x["configured"] for x in json.load(open(sys.argv[1]))["models"]}
sys.exit(0 if m == {"B": True, "C": True, "A": False} else 1)
PY
else
	fail "held connection after the reload: $(cat "$TMP/held.2" 2>/dev/null)"
fi
curl -s --max-time 20 -o "$TMP/models.json" "http://127.0.0.1:$PORT/api/v1/models"
python3 - "$TMP/models.json" <<'PY' && pass "/api/v1/models: B, C in configuration order, then A" || fail "models: $(cat "$TMP/models.json")"
import json, sys
m = [(x["model"], x["configured"]) for x in json.load(open(sys.argv[1]))["models"]]
sys.exit(0 if m == [("B", True), ("C", True), ("A", False)] else 1)
PY

wait_for 30 atleast C 2 && pass "C is probed" || fail "C: $(n C) probes"
# A's probe under way at the reload, if any, is logged first
grep -q 'reload: model=A removed (after the probe under way)' "$TMP/log" &&
    { wait_for 30 grep -q 'reload: model=A removed after its last probe' "$TMP/log" ||
    fail "A's last probe never ended"; }
a1=$(n A) b1=$(n B) c1=$(n C)
wait_for 30 atleast C $((c1 + 3))
a2=$(n A)
[ "$a1" = "$a2" ] && pass "A is no longer probed ($a2 probes)" || fail "A probed after removal: $a1 -> $a2"
wait_for 30 atleast B $((b1 + 2)) && pass "B goes on" || fail "B stopped: $(n B)"
# B's state survived: its canary alternates over the reload
streams=$(q "$TMP/t.db" "SELECT group_concat(s, '') FROM (SELECT json_extract(CAST(body AS TEXT), '$.canary.stream') AS s FROM entries WHERE kind = 'probe' AND model = 'B' ORDER BY seq)")
case $streams in
*00*|*11*|"") fail "B's canary does not alternate (state lost): $streams";;
*) pass "B's canary alternates across the reload: $streams";;
esac
grep -q 'instance added model=B\|model=B.*first' "$TMP/log" && fail "B's instances were forgotten"

# a schedule that does not load: the running one is kept
printf '{"models": [{"provider": "phala", "model": "x", "intervall": 1}]}\n' >"$TMP/sched.json"
c1=$(n C)
kill -HUP "$PID"
wait_for 30 grep -q 'reload: .*sched.json:1:.*intervall: unknown key; the running schedule is kept (2 models)' "$TMP/log" &&
    pass "a broken schedule is refused with a clear line" || fail "broken schedule: $(tail -n 3 "$TMP/log")"
wait_for 30 atleast C $((c1 + 2)) && alive && pass "the old schedule runs on" || fail "C stopped after a broken reload"

# a changed model is applied; a changed "http" needs a restart
sched B:2 C:1 http=100
kill -HUP "$PID"
wait_for 30 grep -q 'reload: .*: 2 models (0 added, 1 changed, 0 removed)' "$TMP/log" &&
    pass "B's new interval applied" || fail "changed model: $(tail -n 3 "$TMP/log")"
grep -q 'reload: http changed: needs a restart' "$TMP/log" &&
    pass "http: needs a restart" || fail "no restart line for http"
curl -s --max-time 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" | grep -q 200 &&
    pass "serving after three reloads" || fail "not serving"
stop_tmond

# Read-only (no probes, the log does not change): the reload alone
# changes GET /api/v1/models, and its ETag with it (no 304).
sched A:1 B:1
start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 --read-only || exit 1
models() { python3 -c 'import json,sys; print(" ".join("%s%s" % (x["model"], "" if x["configured"] else "(history)") for x in json.load(open(sys.argv[1]))["models"]))' "$1"; }
curl -s --max-time 20 -D "$TMP/h1" -o "$TMP/m1.json" "http://127.0.0.1:$PORT/api/v1/models"
etag=$(header_value "$TMP/h1" ETag)
[ "$(models "$TMP/m1.json")" = "A B C(history)" ] && pass "read-only: A, B configured" || fail "read-only models: $(models "$TMP/m1.json")"
r0=$(grep -c 'reload: .*: 2 models' "$TMP/log")
sched B:1 C:1
kill -HUP "$PID"
reloaded() { [ "$(grep -c 'reload: .*: 2 models' "$TMP/log")" -gt "$1" ]; }
wait_for 30 reloaded "$r0" || fail "read-only: no reload"
code=$(curl -s --max-time 20 -H "If-None-Match: $etag" -D "$TMP/h2" -o "$TMP/m2.json" -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/models")
[ "$code" = 200 ] && [ "$(models "$TMP/m2.json")" = "B C A(history)" ] &&
    pass "read-only: after the reload B, C configured, a new ETag (${etag:-none} -> $(header_value "$TMP/h2" ETag))" ||
    fail "read-only after the reload: $code $(models "$TMP/m2.json" 2>/dev/null)"
stop_tmond
finish
