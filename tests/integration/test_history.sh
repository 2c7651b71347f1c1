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
# change nor an alert: the state is rebuilt from the log.
# The event and alert entries (README "What counts as a change"): one
# event per change (first, instance_added, unexplained) with the values
# before and after; an unexplained alert naming its event.  Then, each
# against a fresh tmon-sim (its roll-out counter from 0), with the new
# compose hash READ from the first log (never made up):
#   the hash in the model's policy allow-list   one allowlisted event, no alert
#   the hash in a reference_values set          one upgrade_endorsed event
#                                               (endorsed_by the set), no alert
#   sim/wrong-key with its canary               one check_failed alert (not
#                                               one per probe) naming
#                                               sig.completion -> fail
# About 35 s: probes are at least 1 s apart (interval_s 1).
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
nalerts() { q "${DB:-$TMP/t.db}" "SELECT count(*) FROM entries WHERE kind = 'alert' AND model = ? AND CAST(body AS TEXT) LIKE '%\"reason\":\"unexplained\"%'" "$1"; }
# events DB MODEL: one line per event: class fields before-of-the-first
# after-of-the-first endorsed_by
events() {
	python3 - "$1" "$2" <<'EOF2'
import json, sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for seq, cls, body in c.execute("SELECT seq, class, body FROM entries WHERE kind = 'event' AND model = ? ORDER BY seq", (sys.argv[2],)):
    b = json.loads(body)
    assert b["class"] == cls
    f = b["changed_fields"]
    k = f[0] if f else "-"
    print(seq, cls, ",".join(f) or "-", b["before"].get(k), b["after"].get(k), b["endorsed_by"])
EOF2
}

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
# (a history of events says "unexplained" where the probe-derived one said
# "changed")
[ "$(wc -l <"$TMP/sum-2")" = 2 ] && [ "$(sed -n 2p "$TMP/sum-2" | awk '{print $2, $3}' | sed 's/^unexplained /changed /')" = "changed platform.mrtd" ] &&
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
n=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND model = 'sim/replicas' AND json_extract(body, '$.reason') NOT IN ('check_failed', 'recovered')")
[ "$n" = 0 ] && pass "sim/replicas: no alert entry of any kind" || fail "sim/replicas: $n alert entries"

# sim/rollout: exactly one change, of the app
if [ "$(wc -l <"$TMP/sum-4")" = 2 ] && [ "$(sed -n 2p "$TMP/sum-4" | awk '{print $2}' | sed 's/^unexplained$/changed/')" = changed ]; then
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
body=$(q "$TMP/t.db" "SELECT CAST(body AS TEXT) FROM entries WHERE kind = 'alert' AND model = 'sim/rollout' AND json_extract(body, '$.reason') = 'unexplained'")
echo "$body" | grep -q '"changed_fields":\["app.compose_hash"' && pass "the alert names app.compose_hash" ||
    fail "alert body: $body"

# the events: one per change, the values before and after of each field
for m in $MODELS; do
	events "$TMP/t.db" "$m" >"$TMP/ev-$(echo "$m" | tr / _)"
	echo "$m: events:"; sed 's/^/    /' "$TMP/ev-$(echo "$m" | tr / _)"
done
ev() { cat "$TMP/ev-$(echo "$1" | tr / _)"; }
[ "$(ev sim/good | awk '{print $2}' | tr '\n' ' ')" = "first " ] &&
    pass "sim/good: one event, first" || fail "sim/good events: $(ev sim/good | tr '\n' ';')"
[ "$(ev sim/replicas | awk '{print $2}' | tr '\n' ' ')" = "first instance_added " ] &&
    pass "sim/replicas: first, then one instance_added" || fail "sim/replicas events: $(ev sim/replicas | tr '\n' ';')"
[ "$(ev sim/changed-measurement | awk '{print $2, $3}' | sed -n 2p)" = "unexplained platform.mrtd" ] &&
    [ "$(ev sim/changed-measurement | wc -l)" = 2 ] &&
    pass "sim/changed-measurement: one unexplained event (platform.mrtd)" ||
    fail "sim/changed-measurement events: $(ev sim/changed-measurement | tr '\n' ';')"
# sim/rollout: the compose hashes of its first and last probes, as logged
old_hash=$(q "$TMP/t.db" "SELECT json_extract(body, '$.measurement.app.compose_hash') FROM entries WHERE kind = 'probe' AND model = 'sim/rollout' ORDER BY seq LIMIT 1")
new_hash=$(q "$TMP/t.db" "SELECT json_extract(body, '$.measurement.app.compose_hash') FROM entries WHERE kind = 'probe' AND model = 'sim/rollout' ORDER BY seq DESC LIMIT 1")
echo "sim/rollout: compose $old_hash -> $new_hash"
[ ${#old_hash} = 64 ] && [ ${#new_hash} = 64 ] && [ "$old_hash" != "$new_hash" ] ||
    fail "sim/rollout: compose hashes '$old_hash' '$new_hash'"
[ "$(ev sim/rollout | wc -l)" = 2 ] &&
    [ "$(ev sim/rollout | sed -n 2p | awk '{print $2, $3, $4, $5, $6}')" = "unexplained app.compose_hash,app.mr_config_id,instance.rtmr3 $old_hash $new_hash None" ] &&
    pass "sim/rollout: one unexplained event, app.compose_hash before and after" ||
    fail "sim/rollout events: $(ev sim/rollout | tr '\n' ';')"
evseq=$(ev sim/rollout | sed -n 2p | awk '{print $1}')
n=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND model = 'sim/rollout' AND json_extract(body, '$.reason') = 'unexplained' AND json_extract(body, '$.event_seq') = CAST(? AS INTEGER) AND json_extract(body, '$.from') = ? AND json_extract(body, '$.to') = ?" "$evseq" "$old_hash" "$new_hash")
[ "$n" = 1 ] && pass "sim/rollout: one unexplained alert naming event $evseq, from/to the compose hashes" ||
    fail "sim/rollout: unexplained alerts naming the event: $n"
# (a model's first probe may find the Intel collateral still being
# fetched for another model: tdx.collateral error, a check_failed alert,
# then recovered; no other reason)
n=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND json_extract(body, '$.reason') NOT IN ('unexplained', 'check_failed', 'recovered')")
[ "$n" = 0 ] && pass "no alert of another reason" || fail "$n alerts of another reason"

# a restart: the state comes back from the log; nothing new
before=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND json_extract(body, '$.reason') = 'unexplained'")
total=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe'")
start_log --max-probes 12
wait "$PID"; rc=$?
PID=
[ $rc -eq 0 ] && pass "restart: 12 more probes" || fail "restart: tmond exit $rc"
[ "$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe'")" = $((total + 12)) ] ||
    fail "restart: not 12 more probes"
after=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND json_extract(body, '$.reason') = 'unexplained'")
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
n=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'event' AND class <> 'first'")
[ "$n" = 3 ] && pass "restart: no new event" || fail "restart: $n events (not first)"

# phase2 NAME SCHED_EXTRA MODEL_JSON...: a fresh tmon-sim (roll-out
# counter 0, new test PKI) and a fresh log $TMP/NAME.db until every
# model of the phase has 6 probes
phase2() {
	local name=$1 extra=$2 i ok m
	shift 2
	kill "$SIM"; wait "$SIM" 2>/dev/null
	start_sim "$TMP/pki-$name" || exit 1
	{
		echo "{\"test_trust_anchors\": {\"intel_root_ca\": \"$TMP/pki-$name/intel_root.pem\","
		echo "  \"nvidia_root_ca\": \"$TMP/pki-$name/nvidia_root.pem\"},"
		echo " \"pcs\": {\"base_url\": \"http://127.0.0.1:$SIM_PORT\","
		echo "  \"root_ca_crl_url\": \"http://127.0.0.1:$SIM_PORT/IntelSGXRootCA.der\"},"
		echo " $extra"
		echo " \"models\": ["
		local sep=
		for m in "$@"; do
			echo " $sep$m"
			sep=,
		done
		echo "]}"
	} | sed "s/@SIM@/http:\/\/127.0.0.1:$SIM_PORT/g" >"$TMP/sched-$name.json"
	start_tmond --config "$TMP/sched-$name.json" --db "$TMP/$name.db" \
	    --listen 127.0.0.1:0 --init || exit 1
	for i in $(seq 1 360); do
		ok=$(q "$TMP/$name.db" "SELECT count(*) = CAST(? AS INTEGER) FROM (SELECT model FROM entries WHERE kind = 'probe' GROUP BY model HAVING count(*) >= 6)" "$#")
		[ "$ok" = 1 ] && break
		sleep 0.25
	done
	stop_tmond
}
model() { echo "{\"provider\": \"phala\", \"model\": \"$1\", \"name\": \"$2\", \"base_url\": \"@SIM@\", \"interval_s\": 1, \"jitter_s\": 0, \"canary\": ${4:-false}${3:+, $3}}"; }

# the new compose in the model's allow-list: allowlisted, no alert; and
# sim/wrong-key's completions signed by another key: one check_failed
phase2 allow "" "$(model sim/rollout rollout-allow "\"policy\": {\"compose_hash\": [\"$new_hash\"]}")" \
    "$(model sim/wrong-key sim/wrong-key "" '{"stream": false, "signature_retries": 1, "signature_backoff_ms": 20}')"
events "$TMP/allow.db" rollout-allow >"$TMP/ev-allow"; cat "$TMP/ev-allow"
[ "$(awk '$2 != "verdict_changed" {print $2}' "$TMP/ev-allow" | tr '\n' ' ')" = "first allowlisted " ] &&
    [ "$(sed -n 2p "$TMP/ev-allow" | awk '{print $4, $5, $6}')" = "$old_hash $new_hash policy" ] &&
    pass "the new compose allow-listed: one allowlisted event (endorsed_by policy), before/after hashes" ||
    fail "allow-listed events: $(tr '\n' ';' <"$TMP/ev-allow")"
n=$(q "$TMP/allow.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND model = 'rollout-allow' AND json_extract(body, '$.reason') NOT IN ('check_failed', 'recovered')")
[ "$n" = 0 ] && pass "allow-listed: no alert of the change" || fail "allow-listed: $n alerts"
np=$(q "$TMP/allow.db" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = 'sim/wrong-key'")
n=$(q "$TMP/allow.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND model = 'sim/wrong-key' AND json_extract(body, '$.reason') = 'check_failed'")
sc=$(q "$TMP/allow.db" "SELECT coalesce(json_extract(c.value, '$.before'), 'none') || '->' || json_extract(c.value, '$.after') FROM entries, json_each(json_extract(body, '$.checks')) AS c WHERE kind = 'alert' AND model = 'sim/wrong-key' AND json_extract(c.value, '$.id') = 'sig.completion'")
nfail=$(q "$TMP/allow.db" "SELECT count(*) FROM entries, json_each(json_extract(body, '$.checks')) AS c WHERE kind = 'probe' AND model = 'sim/wrong-key' AND json_extract(c.value, '$.id') = 'sig.completion' AND json_extract(c.value, '$.status') = 'fail'")
[ "$n" = 1 ] && [ "$nfail" = "$np" ] && { [ "$sc" = "none->fail" ] || [ "$sc" = "pass->fail" ]; } &&
    pass "sim/wrong-key: $np probes with sig.completion fail, one check_failed alert (sig.completion $sc)" ||
    fail "sim/wrong-key: $np probes, $nfail failing, $n check_failed alerts, sig.completion '$sc'"
grep -q "alert: check_failed model=sim/wrong-key" "$TMP/log" && pass "the alert is in tmond's log output" ||
    fail "no 'alert: check_failed' line"

# the new compose in a reference value set: upgrade_endorsed, no alert
phase2 ref "\"reference_values\": [{\"name\": \"sim-compose-2\", \"source\": \"https://example.com/releases\", \"models\": [\"rollout-ref\"], \"compose_hash\": [\"$new_hash\"]}]," \
    "$(model sim/rollout rollout-ref)"
events "$TMP/ref.db" rollout-ref >"$TMP/ev-ref"; cat "$TMP/ev-ref"
[ "$(awk '$2 != "verdict_changed" {print $2}' "$TMP/ev-ref" | tr '\n' ' ')" = "first upgrade_endorsed " ] &&
    [ "$(sed -n 2p "$TMP/ev-ref" | awk '{print $4, $5, $6}')" = "$old_hash $new_hash sim-compose-2" ] &&
    pass "the new compose in a reference value set: one upgrade_endorsed event (endorsed_by sim-compose-2)" ||
    fail "endorsed events: $(tr '\n' ';' <"$TMP/ev-ref")"
n=$(q "$TMP/ref.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND json_extract(body, '$.reason') NOT IN ('check_failed', 'recovered')")
[ "$n" = 0 ] && pass "endorsed: no alert" || fail "endorsed: $n alerts"

finish
