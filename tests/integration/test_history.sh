#!/usr/bin/env bash
# What counts as a change, end to end: tmond probes the simulated
# provider (tmon-sim, TEST PKI, with its PCS routes) once a second per
# model until each has 10 probes, then GET /api/v1/models/{model}/history
# and the alert entries of the log say:
#   sim/good                 one history entry, the first: a fresh nonce
#                            (REPORTDATA) every probe is no change
#   sim/changed-measurement  the first, then one change naming
#                            platform.mrtd; one alert
#   sim/replicas             two instances alternating: the first, then
#                            one instance_added naming instance fields
#                            only; no alert, no flapping
#   sim/rollout              a new compose after 3 probes: one change
#                            naming app.compose_hash (and the registers
#                            it moves); exactly one alert
# Every probe verifies (the event log replays for every deployment).  A
# restart of tmond on the same log (12 more probes) adds neither a
# change nor an alert: the state is rebuilt from the log.  About 15 s:
# probes are at least 1 s apart (interval_s 1).
# Usage: test_history.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmond tmon-sim

MODELS="sim/good sim/changed-measurement sim/replicas sim/rollout"

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
		canary=false
		# replicas: each completion is signed by the key of the
		# instance that answered the attestation before it
		[ "$m" = sim/replicas ] && canary='{"stream": false, "signature_retries": 3, "signature_backoff_ms": 50}'
		echo " $sep{\"provider\": \"phala\", \"model\": \"$m\","
		echo "  \"base_url\": \"http://127.0.0.1:$simport\", \"interval_s\": 1,"
		echo "  \"jitter_s\": 0, \"canary\": $canary}"
		sep=,
	done
	echo "]}"
} >"$TMP/sched.json"

# start_log [ARGS]: start tmond on $TMP/t.db (lib.sh start_tmond).
start_log() {
	start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" \
	    --listen 127.0.0.1:0 "$@" || exit 1
}

enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
nprobes() { q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = ?" "$1"; }
nalerts() { q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND model = ? AND CAST(body AS TEXT) LIKE '%measurement_changed%'" "$1"; }

# wait_probes N: until every model has N probes (bounded: 90 s)
wait_probes() {
	local i m ok
	for i in $(seq 1 360); do
		ok=1
		for m in $MODELS; do
			[ "$(nprobes "$m")" -ge "$1" ] 2>/dev/null || { ok=0; break; }
		done
		[ $ok = 1 ] && return 0
		sleep 0.25
	done
	fail "fewer than $1 probes per model after 90 s"; cat "$TMP/log"; return 1
}

history() { curl -s --max-time 20 -o "$TMP/hist-$2" "http://127.0.0.1:$PORT/api/v1/models/$(enc "$1")/history"; }

# summary FILE: one line per change: seq change fields verdict
summary() {
	python3 -c '
import json, sys
# oldest first (a history of events is newest first)
for c in sorted(json.load(open(sys.argv[1]))["changes"], key=lambda c: c["seq"]):
    # (before "change" existed, measurement_changed was all there was)
    k = c.get("change", "changed" if c["measurement_changed"] else "none")
    print(c["seq"], k, ",".join(c["changed_fields"]) if k != "first" else "-", c["verdict"])
' "$1"
}

start_log --init
wait_probes 10 || exit 1
stop_tmond

# every probe verifies: no check fails, the event log replays and binds
# the compose for every deployment (the verdict is warn: no allow-list
# pins the measurement, so measurement.policy warns "unpinned")
for m in $MODELS; do
	bad=$(python3 - "$TMP/t.db" "$m" <<'EOF2'
import json, sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
bad = []
for seq, body in c.execute("SELECT seq, body FROM entries WHERE kind = 'probe' AND model = ?", (sys.argv[2],)):
    b = json.loads(body)
    st = {x["id"]: x["status"] for x in b["checks"]}
    if b["verdict"] not in ("pass", "warn") or "fail" in st.values() or \
       st.get("tdx.event_log") != "pass" or st.get("tdx.compose") != "pass":
        bad.append("%d: %s %s" % (seq, b["verdict"], [k for k, v in st.items() if v in ("fail", "error")]))
print("; ".join(bad))
EOF2
)
	[ -z "$bad" ] && pass "$m: every probe verifies (tdx.event_log, tdx.compose pass)" || fail "$m: $bad"
done

start_log --read-only
i=0
for m in $MODELS; do
	i=$((i + 1))
	history "$m" "$i"
	summary "$TMP/hist-$i" >"$TMP/sum-$i"
	echo "$m: $(nprobes "$m") probes; history:"; sed 's/^/    /' "$TMP/sum-$i"
done
stop_tmond

# sim/good: only the first probe
[ "$(wc -l <"$TMP/sum-1")" = 1 ] && [ "$(awk '{print $2}' "$TMP/sum-1")" = first ] &&
    pass "sim/good: $(nprobes sim/good) probes, one history entry (the first)" ||
    fail "sim/good: $(wc -l <"$TMP/sum-1") history entries: $(tr '\n' ';' <"$TMP/sum-1")"
[ "$(nalerts sim/good)" = 0 ] && pass "sim/good: no alert" || fail "sim/good: $(nalerts sim/good) alerts"

# sim/changed-measurement: the change names the register
[ "$(wc -l <"$TMP/sum-2")" = 2 ] && [ "$(sed -n 2p "$TMP/sum-2" | awk '{print $2, $3}')" = "changed platform.mrtd" ] &&
    pass "sim/changed-measurement: one change, changed_fields [platform.mrtd]" ||
    fail "sim/changed-measurement: $(tr '\n' ';' <"$TMP/sum-2")"
[ "$(nalerts sim/changed-measurement)" = 1 ] && pass "sim/changed-measurement: one alert" ||
    fail "sim/changed-measurement: $(nalerts sim/changed-measurement) alerts"

# sim/replicas: one instance_added, never a change, no alert
if [ "$(wc -l <"$TMP/sum-3")" = 2 ] && [ "$(sed -n 2p "$TMP/sum-3" | awk '{print $2}')" = instance_added ]; then
	f=$(sed -n 2p "$TMP/sum-3" | awk '{print $3}')
	case ",$f," in
	*,platform.*|*,app.*) fail "sim/replicas: instance_added names $f" ;;
	*instance.rtmr3*instance.signing_address*) pass "sim/replicas: one instance_added ($f), no flapping" ;;
	*) fail "sim/replicas: instance_added fields $f" ;;
	esac
else
	fail "sim/replicas: $(tr '\n' ';' <"$TMP/sum-3")"
fi
[ "$(nalerts sim/replicas)" = 0 ] && pass "sim/replicas: no alert" || fail "sim/replicas: $(nalerts sim/replicas) alerts"
n=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND model = 'sim/replicas'")
[ "$n" = 0 ] && pass "sim/replicas: no alert entry of any kind" || fail "sim/replicas: $n alert entries"

# sim/rollout: exactly one change, of the app
if [ "$(wc -l <"$TMP/sum-4")" = 2 ] && [ "$(sed -n 2p "$TMP/sum-4" | awk '{print $2}')" = changed ]; then
	f=$(sed -n 2p "$TMP/sum-4" | awk '{print $3}')
	case "$f" in
	app.compose_hash,app.mr_config_id,instance.rtmr3) pass "sim/rollout: one change ($f)" ;;
	*) fail "sim/rollout: change fields $f" ;;
	esac
else
	fail "sim/rollout: $(tr '\n' ';' <"$TMP/sum-4")"
fi
[ "$(nalerts sim/rollout)" = 1 ] && pass "sim/rollout: exactly one measurement-change alert" ||
    fail "sim/rollout: $(nalerts sim/rollout) alerts"
body=$(q "$TMP/t.db" "SELECT CAST(body AS TEXT) FROM entries WHERE kind = 'alert' AND model = 'sim/rollout'")
echo "$body" | grep -q '"changed_fields":\["app.compose_hash"' && pass "the alert names app.compose_hash" ||
    fail "alert body: $body"

# a restart: the state comes back from the log; nothing new
before=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert'")
total=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe'")
start_log --max-probes 12
wait "$PID"; rc=$?
PID=
[ $rc -eq 0 ] && pass "restart: 12 more probes" || fail "restart: tmond exit $rc"
[ "$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe'")" = $((total + 12)) ] ||
    fail "restart: not 12 more probes"
after=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert'")
[ "$after" = "$before" ] && pass "restart: no new alert ($after in all)" || fail "restart: alerts $before -> $after"
start_log --read-only
i=0
for m in $MODELS; do
	i=$((i + 1))
	history "$m" "r$i"
	summary "$TMP/hist-r$i" >"$TMP/sumr-$i"
	cmp -s "$TMP/sum-$i" "$TMP/sumr-$i" && pass "$m: history unchanged after a restart ($(nprobes "$m") probes)" ||
	    fail "$m: history after the restart: $(tr '\n' ';' <"$TMP/sumr-$i")"
done
stop_tmond

finish
