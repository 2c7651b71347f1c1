#!/usr/bin/env bash
# Alert delivery end to end (README "Alerts"): tmond probes tmon-sim once
# a second per model and delivers to webhook receivers on loopback (a
# small Python http.server writing each request to a file):
#   sim/rollout              one compose-hash roll-out: exactly one
#                            delivery per webhook that takes it, whose
#                            before/after are the old and new compose hash
#                            (json, slack, and a receiver answering 500
#                            then 200: two attempts, one delivered)
#   sim/wrong-key            every probe fails its signature: exactly one
#                            "triggered" after failure_threshold (3)
#                            probes (json and ntfy), not one per probe
#   sim/replicas, sim/good   nothing
#   sim/flaky                one failed probe in four: check_failed
#                            alerts logged, nothing sent
#                            (failure_threshold 3)
#                            (and with failure_threshold 1 and
#                            minimum_reminder_interval_s 3: "triggered"
#                            at once, then reminders)
#   sim/outage               three failed probes, then healthy: one
#                            "triggered" and exactly one "resolved"
#   sim/changed-measurement  a maintenance window (Europe/Berlin) covers
#                            now: the alert entry is logged, the delivery
#                            is logged "muted", nothing is sent
# Every request is checked for duplicates, every delivery has its
# `delivery` entry, the Slack body has text and blocks, the ntfy body is
# plain text with Title/Priority/Tags.  About 20 s.
# Usage: test_alerts.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need curl
need_bin tmond tmon-sim
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "no $PY"; exit 1; }

MODELS="sim/good sim/rollout sim/wrong-key sim/replicas sim/flaky sim/outage sim/changed-measurement"

# The receiver (webhook_recv.py): every request into $TMP/recv/NNNN.json;
# /fail-once/... answers 500 to its first request and 200 after.
LIB_PIDS="RECV"
start_receiver || exit 1

start_sim "$TMP/pki" || exit 1
simport=$SIM_PORT

# a window of two hours that began ten minutes ago, Berlin wall clock
start=$("$PY" -c 'import datetime, zoneinfo; t = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Berlin")) - datetime.timedelta(minutes=10); print(t.strftime("%H:%M"))')
hook="http://127.0.0.1:$RECV_PORT"
{
	echo "{\"test_trust_anchors\": {\"intel_root_ca\": \"$TMP/pki/intel_root.pem\","
	echo "  \"nvidia_root_ca\": \"$TMP/pki/nvidia_root.pem\"},"
	echo " \"pcs\": {\"base_url\": \"http://127.0.0.1:$simport\","
	echo "  \"root_ca_crl_url\": \"http://127.0.0.1:$simport/IntelSGXRootCA.der\"},"
	echo " \"max_concurrent\": 8,"
	echo " \"models\": ["
	sep=
	for m in $MODELS; do
		canary=false
		case $m in
		sim/replicas|sim/wrong-key|sim/flaky|sim/outage)
			canary='{"stream": false, "signature_retries": 3, "signature_backoff_ms": 50}' ;;
		esac
		echo " $sep{\"provider\": \"phala\", \"model\": \"$m\","
		echo "  \"base_url\": \"http://127.0.0.1:$simport\", \"interval_s\": 1,"
		echo "  \"jitter_s\": 0, \"canary\": $canary}"
		sep=,
	done
	echo "],"
	echo " \"alerts\": {\"dashboard_url\": \"https://status.example/tmon/\","
	echo "  \"webhooks\": ["
	echo "   {\"name\": \"json\", \"url\": \"$hook/json\", \"failure_threshold\": 3,"
	echo "    \"success_threshold\": 2, \"send_on_resolved\": true,"
	echo "    \"headers\": {\"X-Test\": \"tmon alerts\"}},"
	echo "   {\"name\": \"slack\", \"url\": \"$hook/slack\", \"format\": \"slack\","
	echo "    \"models\": [\"sim/rollout\"]},"
	echo "   {\"name\": \"ntfy\", \"url\": \"$hook/ntfy\", \"format\": \"ntfy\","
	echo "    \"models\": [\"sim/wrong-key\"], \"reasons\": [\"check_failed\", \"verdict_changed\"]},"
	echo "   {\"name\": \"remind\", \"url\": \"$hook/remind\", \"failure_threshold\": 1,"
	echo "    \"minimum_reminder_interval_s\": 3, \"models\": [\"sim/wrong-key\"]},"
	echo "   {\"name\": \"retry\", \"url\": \"$hook/fail-once/x?k=1\", \"retries\": 2,"
	echo "    \"models\": [\"sim/rollout\"], \"timeout_s\": 5}],"
	echo "  \"maintenance\": [{\"name\": \"upgrade-window\", \"start\": \"$start\","
	echo "    \"duration_s\": 7200, \"timezone\": \"Europe/Berlin\","
	echo "    \"models\": [\"sim/changed-measurement\"]}]}}"
} >"$TMP/sched.json"

nprobes() { q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = ?" "$1"; }
ndeliv() { q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'delivery'"; }

start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 --init || exit 1

# every model has 10 probes (bounded: 90 s)
for i in $(seq 1 360); do
	ok=1
	for m in $MODELS; do
		[ "$(nprobes "$m")" -ge 10 ] 2>/dev/null || { ok=0; break; }
	done
	[ $ok = 1 ] && break
	sleep 0.25
done
[ $ok = 1 ] || { fail "fewer than 10 probes per model after 90 s"; tail -n 40 "$TMP/log"; finish; }
# the deliveries expected: rollout x3 webhooks, wrong-key x2, outage x2,
# changed-measurement muted x1 (the retry waits 1 s)
wait_for 20 sh -c "[ \"\$(ls '$TMP/recv' | grep -c 'json$')\" -ge 8 ]" || true
sleep 2
curl -s --max-time 20 -o "$TMP/metrics" "http://127.0.0.1:$PORT/metrics"
for want in 'tmon_alert_deliveries_total{webhook="retry",outcome="delivered"} 1' \
    'tmon_alert_deliveries_total{webhook="json",outcome="muted"} 1' \
    'tmon_alert_deliveries_total{webhook="slack",outcome="delivered"} 1'; do
	grep -qxF "$want" "$TMP/metrics" && pass "/metrics: $want" ||
	    fail "/metrics lacks $want: $(grep deliveries "$TMP/metrics" | tr '\n' ' ')"
done
stop_tmond

"$PY" - "$TMP/t.db" "$TMP/recv" <<'EOF' >"$TMP/result" 2>&1
import json, os, sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
reqs = [json.load(open(os.path.join(sys.argv[2], f)))
        for f in sorted(os.listdir(sys.argv[2])) if f.endswith(".json")]
ok = True
def check(c, msg):
    global ok
    print(("ok: " if c else "FAIL: ") + msg)
    ok = ok and c

def entries(kind, model=None):
    q = "SELECT seq, body FROM entries WHERE kind = ?" + (" AND model = ?" if model else "") + " ORDER BY seq"
    return [(s, json.loads(b)) for s, b in db.execute(q, (kind, model) if model else (kind,))]

CHANGE = ("unexplained", "measurement_changed")
def changes(model):
    return [(q, b) for q, b in entries("alert", model) if b["reason"] in CHANGE]

def bodies(path, model):
    out = []
    for r in reqs:
        if not r["path"].startswith(path):
            continue
        if r["headers"].get("content-type", "").startswith("application/json"):
            b = json.loads(r["body"])
            m = b.get("model")
            if m is None and "blocks" in b:
                m = model if model in b["text"] else None
        else:
            b = r["body"]
            m = model if model in r["headers"].get("title", "") else None
        if m == model:
            out.append((r, b))
    return out

# no duplicates: one request per (path, body) except the retry's
keys = [(r["path"], r["body"]) for r in reqs if not r["path"].startswith("/fail-once")]
check(len(keys) == len(set(keys)), "no request delivered twice (%d requests)" % len(reqs))

# sim/rollout: one json delivery with the compose hashes
probes = entries("probe", "sim/rollout")
first = probes[0][1]["measurement"]["app"]["compose_hash"]
last = probes[-1][1]["measurement"]["app"]["compose_hash"]
al = changes("sim/rollout")
j = bodies("/json", "sim/rollout")
check(len(al) == 1, "sim/rollout: one change alert entry (%d)" % len(al))
check(len(j) == 1, "sim/rollout: exactly one json delivery (%d)" % len(j))
if j and al:
    b = j[0][1]
    check(b["state"] == "triggered" and b["reason"] in ("unexplained", "measurement_changed"),
          "sim/rollout: triggered %s" % b["reason"])
    check("app.compose_hash" in b["changed_fields"], "sim/rollout: changed_fields %s" % b["changed_fields"])
    check(b["before"] == first and b["after"] == last and first != last,
          "sim/rollout: before %s.. after %s.. are the compose hashes" % (str(b["before"])[:12], str(b["after"])[:12]))
    check(b["alert_seq"] == al[0][0] and b["probe_seq"] == al[0][1]["probe_seq"] and
          b["event_seq"] == al[0][1].get("event_seq"),
          "sim/rollout: alert_seq %s probe_seq %s event_seq %s" % (b["alert_seq"], b["probe_seq"], b["event_seq"]))
    check(b["dashboard"] == "https://status.example/tmon/#/model/sim%2Frollout", "sim/rollout: dashboard link %s" % b["dashboard"])
    check(j[0][0]["headers"].get("x-test") == "tmon alerts", "configured header sent")
# slack
s = bodies("/slack", "sim/rollout")
check(len(s) == 1, "sim/rollout: exactly one slack delivery (%d)" % len(s))
if s:
    b = s[0][1]
    check(isinstance(b.get("text"), str) and isinstance(b.get("blocks"), list) and
          b["blocks"][0]["type"] == "section" and b["blocks"][0]["text"]["type"] == "mrkdwn" and
          last in b["blocks"][0]["text"]["text"] and b["blocks"][1]["type"] == "context",
          "slack body: text and blocks (section with the new hash, context)")
# the retry: 500 then 200, one delivery entry with 2 attempts
r = [x for x in reqs if x["path"].startswith("/fail-once")]
check([x["status"] for x in r] == [500, 200] and r[0]["body"] == r[1]["body"],
      "retry webhook: 500 then 200, the same body (%s)" % [x["status"] for x in r])
d = [b for _, b in entries("delivery") if b["webhook"] == "retry"]
check(len(d) == 1 and d[0]["outcome"] == "delivered" and d[0]["attempts"] == 2 and d[0]["http_status"] == 200,
      "retry webhook: one delivery entry, delivered after 2 attempts (%s)" % d)

# sim/wrong-key: one triggered (json, ntfy)
j = bodies("/json", "sim/wrong-key")
check(len(j) == 1, "sim/wrong-key: exactly one json delivery (%d), not one per probe (%d probes)" %
      (len(j), len(entries("probe", "sim/wrong-key"))))
if j:
    b = j[0][1]
    check(b["state"] == "triggered" and b["after"] == "fail" and b["before"] is None and
          any(c["id"] == "sig.completion" and c["after"] == "fail" for c in b["checks"]),
          "sim/wrong-key: before null, after fail, sig.completion fail (%s %s)" % (b["before"], b["checks"]))
    p = entries("probe", "sim/wrong-key")
    check(b["probe_seq"] == p[2][0], "sim/wrong-key: sent at the third failing probe (seq %s)" % b["probe_seq"])
    cf = [q for q, a in entries("alert", "sim/wrong-key") if a["reason"] == "check_failed"]
    check(cf and b["alert_seq"] == cf[0] and b["reason"] == "check_failed",
          "sim/wrong-key: alert_seq %s is the check_failed alert %s" % (b["alert_seq"], cf))
n = bodies("/ntfy", "sim/wrong-key")
check(len(n) == 1, "sim/wrong-key: exactly one ntfy delivery (%d)" % len(n))
if n:
    h = n[0][0]["headers"]
    check(h.get("content-type", "").startswith("text/plain") and h.get("priority") == "4" and
          "warning" in h.get("tags", "") and "sim/wrong-key" in h.get("title", "") and
          h.get("click", "").startswith("https://status.example/tmon/") and
          "sig.completion=fail" in n[0][1], "ntfy: plain body, Title/Priority/Tags/Click headers")

# reminders every 3 s while the incident is open
rm = bodies("/remind", "sim/wrong-key")
st = [b["state"] for _, b in rm]
check(len(st) >= 3 and st[0] == "triggered" and set(st[1:]) == {"reminder"} and
      all(b["after"] == "fail" for _, b in rm),
      "sim/wrong-key: triggered, then reminders (%s)" % st)
check(rm and rm[0][1]["probe_seq"] == entries("probe", "sim/wrong-key")[0][0],
      "failure_threshold 1: sent at the first failing probe")

# nothing for sim/good, sim/replicas, sim/flaky
for m in ("sim/good", "sim/replicas", "sim/flaky"):
    j = bodies("/json", m)
    d = [b for _, b in entries("delivery") if b["model"] == m]
    check(len(j) == 0 and len(d) == 0, "%s: no delivery (%d requests, %d entries)" % (m, len(j), len(d)))
fl = entries("probe", "sim/flaky")
check(sum(1 for _, b in fl if b["verdict"] == "fail") >= 2 and
      any(b["reason"] == "check_failed" for _, b in entries("alert", "sim/flaky")),
      "sim/flaky: %d failed probes and %d alert entries logged, none sent" %
      (sum(1 for _, b in fl if b["verdict"] == "fail"), len(entries("alert", "sim/flaky"))))

# sim/outage: one triggered, one resolved
j = bodies("/json", "sim/outage")
st = [b["state"] for _, b in j]
check(st == ["triggered", "resolved"], "sim/outage: triggered then exactly one resolved (%s)" % st)
if len(j) == 2:
    check(j[1][1]["before"] == "fail" and j[1][1]["after"] in ("pass", "warn"),
          "sim/outage: resolved %s -> %s" % (j[1][1]["before"], j[1][1]["after"]))
    rec = [q for q, a in entries("alert", "sim/outage") if a["reason"] == "recovered"]
    check(rec and j[1][1]["alert_seq"] == rec[-1],
          "sim/outage: the resolution names the recovered alert (%s, %s)" % (j[1][1]["alert_seq"], rec))

# sim/changed-measurement: muted, still logged
al = changes("sim/changed-measurement")
d = [b for _, b in entries("delivery", "sim/changed-measurement")]
check(len(al) == 1, "sim/changed-measurement: the alert entry is logged (%d)" % len(al))
check(len(d) == 1 and d[0]["outcome"] == "muted" and d[0]["window"] == "upgrade-window" and
      d[0]["attempts"] == 0 and d[0]["alert_seq"] == (al[0][0] if al else None),
      "sim/changed-measurement: delivery logged muted by upgrade-window (%s)" % d)
check(len(bodies("/json", "sim/changed-measurement")) == 0, "sim/changed-measurement: nothing sent")

# every request sent has its delivery entry
d = entries("delivery")
sent = sum(1 for _, b in d if b["outcome"] == "delivered")
check(sent == len(reqs) - 1, "%d delivered entries for %d requests (one retried)" % (sent, len(reqs)))
print("RESULT", "ok" if ok else "FAIL")
EOF
while read -r line; do
	case $line in
	ok:*) pass "${line#ok: }" ;;
	FAIL:*) fail "${line#FAIL: }" ;;
	RESULT*) ;;
	*) echo "$line" ;;
	esac
done <"$TMP/result"
grep -q '^RESULT' "$TMP/result" || fail "the checks did not run"
grep -q "notify: " "$TMP/log" && pass "deliveries are logged as lines" || fail "no notify log line"

# SIGTERM while a webhook hangs: tmond ends within a bound (generous
# under load: the thread itself stops within 0.2 s) and logs the
# abandoned delivery as failed
sed -e 's#"webhooks": \[#"webhooks": [{"name": "hang", "url": "'"$hook"'/hang", "failure_threshold": 1, "models": ["sim/wrong-key"], "reasons": ["check_failed"]},#' \
    "$TMP/sched.json" >"$TMP/sched2.json"
start_tmond --config "$TMP/sched2.json" --db "$TMP/t.db" --listen 127.0.0.1:0 || finish
wait_for 30 test -e "$TMP/hanging" || fail "the hanging webhook was not called"
t0=$(date +%s.%N)
stop_tmond
t1=$(date +%s.%N)
el=$("$PY" -c "print(round($t1 - $t0, 2))")
"$PY" -c "import sys; sys.exit(0 if $t1 - $t0 < 10 else 1)" &&
    pass "SIGTERM with a delivery hanging: tmond exited in $el s" ||
    fail "SIGTERM with a delivery hanging: tmond took $el s"
h=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'delivery' AND CAST(body AS TEXT) LIKE '%\"webhook\":\"hang\"%' AND CAST(body AS TEXT) LIKE '%\"outcome\":\"failed\"%' AND CAST(body AS TEXT) LIKE '%tmond stopping%'")
[ "$h" = 1 ] && pass "the abandoned delivery is logged failed (tmond stopping)" ||
    fail "abandoned delivery entries: $h"
if [ "$fails" -gt 0 ]; then
	grep -E "notify|alert" "$TMP/log" | tail -n 40
fi
finish
