#!/usr/bin/env bash
# GET /metrics of a real tmond probing tmon-sim (TEST PKI) once a second:
#   - the whole text parses with a real Prometheus parser (Debian's
#     python3-prometheus-client), and every name follows the Prometheus
#     conventions: tmon_ prefix, snake case, counters end in _total and
#     nothing else does, base units (_seconds, _bytes; no _ms), label
#     names snake case, histograms with cumulative buckets ending in +Inf
#     equal to _count;
#   - the values are the log's: sim/good's sig.completion check is pass
#     and sim/wrong-key's is fail (one status at 1 per model and check),
#     the verdicts likewise (sim/good warn: no policy pinned), probe durations observed for each model, the
#     last success time of sim/good and none for sim/wrong-key, alerts
#     counted as many as the alert entries in the log, one rejected
#     receipt, tmon_log_entries between two counts of the log's rows;
#   - /readyz is 200 {"status":"ready"}; the badges say warn / fail;
#   - HTTP keep-alive: several requests on one TCP connection (raw socket).
# About 10 s.
# Usage: test_metrics.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmond tmon-sim
PY=/usr/bin/python3
$PY -c 'import prometheus_client.parser' 2>/dev/null ||
    { echo "no python3-prometheus-client (contrib/deps.sh)"; exit 1; }

MODELS="sim/good sim/wrong-key sim/changed-measurement"

start_sim "$TMP/pki" || exit 1
simport=$SIM_PORT
{
	echo "{\"test_trust_anchors\": {\"intel_root_ca\": \"$TMP/pki/intel_root.pem\","
	echo "  \"nvidia_root_ca\": \"$TMP/pki/nvidia_root.pem\"},"
	echo " \"pcs\": {\"base_url\": \"http://127.0.0.1:$simport\","
	echo "  \"root_ca_crl_url\": \"http://127.0.0.1:$simport/IntelSGXRootCA.der\"},"
	echo " \"models\": ["
	sep=
	for m in $MODELS; do
		echo " $sep{\"provider\": \"phala\", \"model\": \"$m\","
		echo "  \"base_url\": \"http://127.0.0.1:$simport\", \"interval_s\": 1,"
		echo "  \"jitter_s\": 0, \"canary\": {\"stream\": false,"
		echo "  \"signature_retries\": 3, \"signature_backoff_ms\": 50}}"
		sep=,
	done
	echo "]}"
} >"$TMP/sched.json"
START=$(date +%s)
start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --init \
    --listen 127.0.0.1:0 || exit 1
API=http://127.0.0.1:$PORT

nprobes() { q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = ?" "$1"; }
nalerts() { q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert'"; }
nentries() { q "$TMP/t.db" "SELECT count(*) FROM entries"; }
enough() {
	local m
	for m in $MODELS; do
		[ "$(nprobes "$m")" -ge 2 ] 2>/dev/null || return 1
	done
	[ "$(nalerts)" -ge 1 ] 2>/dev/null
}
wait_for 60 enough || { fail "fewer than 2 probes per model or no alert after 60 s"; tail -n 30 "$TMP/log"; finish; }

# one receipt refused (not a receipt): counted as rejected
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{}' "$API/api/v1/receipts")
[ "$code" = 400 ] && pass "bogus receipt: 400" || fail "bogus receipt: $code"

# The scrape, with the log's counts around it (tmond keeps probing).
before=$(nentries) abefore=$(nalerts)
curl -sf --max-time 20 -D "$TMP/mh" "$API/metrics" >"$TMP/metrics" || fail "GET /metrics"
after=$(nentries) aafter=$(nalerts)
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' "$TMP/mh" &&
    pass "metrics content type" || fail "metrics content type"

$PY - "$TMP/metrics" "$before" "$after" "$START" "$(date +%s)" "$abefore" "$aafter" <<'EOF' && pass "/metrics parses; names and values right" || fail "/metrics: see above"
import re, sys
from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1]).read()
before, after, start, now, abefore, aafter = (int(x) for x in sys.argv[2:8])
fams = list(text_string_to_metric_families(text))
bad = []
name_re = re.compile(r'^tmon_[a-z0-9]+(_[a-z0-9]+)*$')
label_re = re.compile(r'^[a-z][a-z0-9_]*$')
v = {}
seen = set()
for f in fams:
    if f.name in seen:
        bad.append("family twice: " + f.name)
    seen.add(f.name)
    if not name_re.match(f.name):
        bad.append("name: " + f.name)
    if not f.documentation:
        bad.append("no help: " + f.name)
    if re.search(r'(_ms|_milliseconds|_millis|_kb|_mb|_percent)(_|$)', f.name):
        bad.append("not a base unit: " + f.name)
    if f.type not in ("counter", "gauge", "histogram"):
        bad.append("type %s: %s" % (f.type, f.name))
    if f.type != "counter" and f.name.endswith("_total"):
        bad.append("_total on a %s: %s" % (f.type, f.name))
    if "timestamp" in f.name and not f.name.endswith("_timestamp_seconds"):
        bad.append("timestamp not in seconds: " + f.name)
    for s in f.samples:
        for k in s.labels:
            if not label_re.match(k):
                bad.append("label %s of %s" % (k, s.name))
        if f.type == "counter" and not s.name.endswith("_total"):
            bad.append("counter sample without _total: " + s.name)
        key = (s.name, tuple(sorted(s.labels.items())))
        if key in v:
            bad.append("sample twice: %s" % (key,))
        v[key] = s.value
    if f.type == "histogram":
        series = {}
        for s in f.samples:
            base = tuple(sorted((k, x) for k, x in s.labels.items() if k != "le"))
            series.setdefault(base, []).append(s)
        for base, ss in series.items():
            b = [(s.labels["le"], s.value) for s in ss if s.name.endswith("_bucket")]
            cnt = [s.value for s in ss if s.name.endswith("_count")]
            if not b or b[-1][0] != "+Inf" or not cnt or b[-1][1] != cnt[0]:
                bad.append("histogram %s %s: no +Inf = _count" % (f.name, base))
            les = [float(le) for le, _ in b]
            if les != sorted(les) or [c for _, c in b] != sorted(c for _, c in b):
                bad.append("histogram %s %s: buckets not cumulative" % (f.name, base))

def get(name, **labels):
    return v.get((name, tuple(sorted(labels.items()))))

def expect(cond, what):
    if not cond:
        bad.append(what)

# one status at 1 per (model, check), one verdict at 1 per model
ones = {}
for (name, labels), val in v.items():
    if name in ("tmon_check_status", "tmon_probe_verdict"):
        d = dict(labels)
        k = (name, d["model"], d.get("check"))
        ones[k] = ones.get(k, 0) + val
expect(ones and all(x == 1 for x in ones.values()), "statesets: %s" % ones)
expect(get("tmon_check_status", model="sim/good", check="sig.completion", status="pass") == 1,
       "sim/good sig.completion not pass")
expect(get("tmon_check_status", model="sim/wrong-key", check="sig.completion", status="fail") == 1,
       "sim/wrong-key sig.completion not fail")
expect(get("tmon_check_status", model="sim/wrong-key", check="sig.completion", status="pass") == 0,
       "sim/wrong-key sig.completion pass not 0")
# sim/good: every check passes but measurement.policy (unpinned): warn
expect(get("tmon_probe_verdict", model="sim/good", verdict="warn") == 1, "sim/good verdict")
expect(get("tmon_probe_verdict", model="sim/wrong-key", verdict="fail") == 1, "sim/wrong-key verdict")
for m in ("sim/good", "sim/wrong-key", "sim/changed-measurement"):
    c = get("tmon_probe_duration_seconds_count", model=m)
    expect(c is not None and c >= 2, "%s: %s probe durations" % (m, c))
    expect((get("tmon_probe_duration_seconds_sum", model=m) or 0) > 0, m + ": duration sum 0")
    t = get("tmon_model_last_probe_timestamp_seconds", model=m)
    expect(t is not None and start - 1 <= t <= now + 1, "%s: last probe time %s" % (m, t))
t = get("tmon_model_last_success_timestamp_seconds", model="sim/good")
expect(t is not None and start - 1 <= t <= now + 1, "sim/good last success %s" % t)
expect(get("tmon_model_last_success_timestamp_seconds", model="sim/wrong-key") is None,
       "sim/wrong-key has a last success")
expect(get("tmon_receipts_total", result="rejected") == 1, "receipts rejected")
expect(get("tmon_receipts_total", result="accepted") == 0, "receipts accepted")
n = sum(val for (name, _), val in v.items() if name == "tmon_alerts_total")
expect(abefore <= n <= aafter, "alerts counted %s not in [%d, %d]" % (n, abefore, aafter))
n = get("tmon_log_entries")
expect(n is not None and before <= n <= after, "log entries %s not in [%d, %d]" % (n, before, after))
expect(get("tmon_http_requests_rejected_total", reason="bad_request") is not None, "http series")
for b in bad:
    print("metrics:", b)
sys.exit(1 if bad else 0)
EOF

# /readyz and the badges
code=$(curl -s -o "$TMP/ready" -w '%{http_code}' "$API/readyz")
[ "$code" = 200 ] && grep -q '"status":"ready"' "$TMP/ready" && pass "/readyz: ready" ||
    fail "/readyz: $code $(cat "$TMP/ready")"
curl -s -D "$TMP/bh" -o "$TMP/good.svg" "$API/badge/sim%2Fgood.svg"
grep -Eq '>(pass|warn) [0-9]+[smhd]</text>' "$TMP/good.svg" && grep -qi '^Content-Type: image/svg+xml' "$TMP/bh" &&
    grep -qi '^Cache-Control: max-age=60' "$TMP/bh" && grep -qi '^ETag: "' "$TMP/bh" &&
    pass "badge sim/good: pass" || fail "badge sim/good: $(cat "$TMP/good.svg")"
curl -s -o "$TMP/wk.svg" "$API/badge/sim%2Fwrong-key.svg"
grep -q '>fail, never ok</text>' "$TMP/wk.svg" && pass "badge sim/wrong-key: fail" ||
    fail "badge sim/wrong-key: $(cat "$TMP/wk.svg")"
curl -s -o "$TMP/all.svg" "$API/badge.svg"
grep -q '>[12]/3 ok</text>' "$TMP/all.svg" && pass "deployment badge" ||
    fail "deployment badge: $(cat "$TMP/all.svg")"

# keep-alive: four requests (JSON, a list with If-None-Match, a badge,
# HEAD) on one socket, each answered in full
$PY - "$PORT" <<'EOF' && pass "keep-alive: 4 requests on one connection" || fail "keep-alive"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
def req(method, path, extra=""):
    s.sendall(("%s %s HTTP/1.1\r\nHost: t\r\n%s\r\n" % (method, path, extra)).encode())
    status = f.readline().split()
    hdrs = {}
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        k, _, val = line.decode().partition(":")
        hdrs[k.strip().lower()] = val.strip()
    n = int(hdrs.get("content-length", "0")) if method != "HEAD" else 0
    body = f.read(n) if n else b""
    assert "close" not in hdrs.get("connection", "").lower(), hdrs
    return int(status[1]), hdrs, body
st, h, b = req("GET", "/api/v1/models")
assert st == 200 and b.startswith(b'{"models"'), (st, b[:80])
st, h, b = req("GET", "/api/v1/models", "If-None-Match: %s\r\n" % h["etag"])
assert st in (200, 304), st
st, h, b = req("GET", "/badge.svg")
assert st == 200 and b.startswith(b"<svg"), st
st, h, b = req("HEAD", "/healthz")
assert st == 200, st
EOF

stop_tmond
finish
