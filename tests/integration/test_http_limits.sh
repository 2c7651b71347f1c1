#!/usr/bin/env bash
# The API server against slow and malformed clients, over loopback with a
# real tmond (archive-only), all from 127.0.0.1:
#  1. defaults: 60 connections dripping a request (half the headers, half
#     a receipt body) one byte a second do not lock out a normal
#     GET /api/v1/models from the same address: it is answered 200
#     within 1 s (the bound the server must meet; it takes a few ms even
#     under ASan, so the margin is wide);
#  2. 1,000 malformed requests are each answered 400, write at most a
#     handful of log lines, and GET /metrics counts exactly 1,000; ten
#     400s from the API are counted too;
#  3. "http": {"request_deadline_s": 3}: the dripping connections are
#     closed at 3 s (accepted: 2.9 to 4.5 s after each was opened, for a
#     loaded machine) although each sends a byte every second, and
#     /metrics counts 60; normal requests meanwhile as in 1.
# Takes about 15 s.
# Usage: test_http_limits.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

DRIP=$BUILD/tests/http_drip

# fresh_tmond SCHEDULE: a fresh database and log, on 127.0.0.1, any port;
# set PID and PORT.
fresh_tmond() {
	rm -f "$TMP"/t.db*
	: >"$TMP/log"
	start_tmond --init --config "$1" --db "$TMP/t.db" --listen 127.0.0.1:0
}

# metric NAME: its value in GET /metrics (empty if absent).
metric() {
	curl -s --max-time 10 "http://127.0.0.1:$PORT/metrics" |
	    awk -v n="$1" '$1 == n { print $2 }'
}

# check_normal FILE: every "normal" line of http_drip is 200 within 1 s.
check_normal() {
	local n bad
	n=$(grep -c '^normal ' "$1")
	bad=$(awk '$1 == "normal" && ($2 != 200 || $3 > 1000)' "$1")
	if [ "$n" -ge 2 ] && [ -z "$bad" ]; then
		pass "$n normal requests among the drippers: 200 within 1 s ($(awk '$1 == "normal" { printf "%s ms ", $3 }' "$1"))"
	else
		fail "normal requests among the drippers ($n): ${bad:-too few}"
	fi
}

need_bin tests/http_drip
need curl

# ---- 1, 2: default limits ----------------------------------------------
echo '{"models": []}' >"$TMP/default.json"
fresh_tmond "$TMP/default.json" || exit 1

"$DRIP" drip "$PORT" 60 3 >"$TMP/drip1" || fail "http_drip drip: exit $?"
grep -q '^connected 60$' "$TMP/drip1" && pass "60 dripping connections" || fail "$(grep connected "$TMP/drip1")"
check_normal "$TMP/drip1"
grep -q '^open 60$' "$TMP/drip1" && pass "all 60 still open before the deadline" || fail "drippers closed early: $(grep -c '^closed' "$TMP/drip1") closed"

before=$(grep -c WARN "$TMP/log")
out=$("$DRIP" malformed "$PORT" 1000)
[ "$out" = "malformed 1000 1000" ] && pass "1000 malformed requests answered 400" || fail "$out"
for i in $(seq 1 10); do
	curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$PORT/api/v1/probes?limit=0"
done
v=$(metric 'tmon_http_requests_rejected_total{reason="malformed"}')
[ "$v" = 1000 ] && pass "metrics: 1000 malformed" || fail "metrics: malformed '$v'"
v=$(metric 'tmon_http_requests_rejected_total{reason="bad_request"}')
[ "$v" = 10 ] && pass "metrics: 10 bad_request" || fail "metrics: bad_request '$v'"
v=$(metric tmon_http_log_lines_suppressed_total)
[ -n "$v" ] && [ "$v" -ge 1000 ] && pass "metrics: $v log lines suppressed" || fail "metrics: suppressed '$v'"
ct=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$PORT/metrics")
[ "$ct" = "text/plain; version=0.0.4; charset=utf-8" ] && pass "metrics content type" || fail "metrics content type '$ct'"
curl -s "http://127.0.0.1:$PORT/metrics" >"$TMP/metrics"
# the server's counters end in _total (the whole text: test_metrics.sh)
bad=$(grep -E '^(# [A-Z]+ )?tmon_http_' "$TMP/metrics" |
    grep -v '^# HELP tmon_[a-z_]* [^ ]' | grep -v '^# TYPE tmon_[a-z_]*_total counter$' |
    grep -Ev '^tmon_[a-z_]*_total(\{reason="[a-z_]*"\})? [0-9]+$')
[ -z "$bad" ] && pass "metrics: text exposition format" || fail "metrics lines: $bad"
st=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics?x=1")
[ "$st" = 400 ] && pass "metrics?x=1: 400" || fail "metrics?x=1: $st"
stop_tmond
warn=$(($(grep -c WARN "$TMP/log") - before))
[ "$warn" -le 5 ] && pass "1010 rejected requests: $warn log lines" || fail "1010 rejected requests: $warn log lines"
grep -q 'more lines about client requests suppressed' "$TMP/log" && pass "suppressed lines reported" || fail "no report of suppressed lines"

# ---- 3: a 3 s request deadline -------------------------------------------
cat >"$TMP/deadline.json" <<'EOF'
{"models": [], "http": {"request_deadline_s": 3, "idle_timeout_s": 30,
 "max_connections": 200, "max_connections_per_address": 100}}
EOF
fresh_tmond "$TMP/deadline.json" || exit 1
"$DRIP" drip "$PORT" 60 10 >"$TMP/drip2" || fail "http_drip drip: exit $?"
grep -q '^connected 60$' "$TMP/drip2" && pass "60 dripping connections" || fail "$(grep connected "$TMP/drip2")"
check_normal "$TMP/drip2"
n=$(awk '$1 == "closed" && $3 >= 2900 && $3 <= 4500' "$TMP/drip2" | wc -l)
[ "$n" = 60 ] && pass "60 drippers closed at the 3 s deadline ($(awk '$1 == "closed" { print $3 }' "$TMP/drip2" | sort -n | sed -n '1p;$p' | tr '\n' ' ')ms)" ||
    fail "$n of 60 closed 2.9-4.5 s after they opened: $(grep -E '^(closed|open)' "$TMP/drip2" | tr '\n' ' ')"
v=$(metric tmon_http_connections_closed_deadline_total)
[ "$v" = 60 ] && pass "metrics: 60 closed at the deadline" || fail "metrics: closed_deadline '$v'"
stop_tmond
warn=$(grep -c WARN "$TMP/log")
[ "$warn" -le 5 ] && pass "60 closed connections: $warn log lines" || fail "60 closed connections: $warn log lines"

# An "http" object with an unknown key, or a limit out of range, is refused.
echo '{"models": [], "http": {"max_conections": 10}}' >"$TMP/bad.json"
out=$("$BUILD/tmond" --check-config --config "$TMP/bad.json" 2>&1)
echo "$out" | grep -q 'bad.json:1:25: http.max_conections: unknown key' && pass "unknown http key refused" || fail "unknown key: $out"

finish
