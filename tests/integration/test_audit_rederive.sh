#!/usr/bin/env bash
# tmonctl audit re-derives every verdict from its stored evidence.  A
# real tmond probes the real tmon-sim (TEST PKI, its PCS routes: logged
# collateral) - sim/good with a canary, sim/stale-nonce (fail),
# sim/changed-measurement (alerts), sim/missing-signature (canary, error)
# - and archives real receipts (the NEAR AI sample A, kept whole with its
# bytes and without them, for a model tmond probes and for one it does
# not; the NEGATIVE sample; the Private Mode one).  Then:
#   the log as written      audit --config exit 0, every verdict follows,
#                           with -j 1 and -j 2 alike; without --config the
#                           test PKI entries cannot be re-checked: exit 3
#   a forged probe          the stale-nonce probe's body says pass (every
#                           failing check edited to pass, the verdict
#                           column too), its leaf hash and every later
#                           chain hash (and tree node) recomputed, the
#                           triggers dropped and recreated: the hashes
#                           all verify (--no-rederive exit 0 while there
#                           is no signed checkpoint), yet audit exits 1
#                           naming the entry: "does not follow from its
#                           evidence"
#   a forged receipt        the same for a receipt whose verdict was fail
#   a forged check          only one check's status edited
#   a forged policy         an unpinned (warn) measurement.policy edited to
#                           pass: caught with the configuration's allow-lists
#   a forged collateral     its next_update edited
# About 10 s: probes are 1 s apart.
# Usage: test_audit_rederive.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmond tmon-sim tmonctl

DATA=$SRC/tests/data/receipts
MODELS="sim/good sim/stale-nonce sim/changed-measurement sim/missing-signature"

start_sim "$TMP/pki" || exit 1
python3 - "$TMP" "$SIM_PORT" $MODELS >"$TMP/sched.json" <<'EOF'
import json, sys
t, port, models = sys.argv[1], sys.argv[2], sys.argv[3:]
base = "http://127.0.0.1:" + port
canary = {"stream": False, "signature_retries": 2, "signature_backoff_ms": 50}
print(json.dumps({
    "test_trust_anchors": {"intel_root_ca": t + "/pki/intel_root.pem",
                           "nvidia_root_ca": t + "/pki/nvidia_root.pem"},
    "pcs": {"base_url": base, "root_ca_crl_url": base + "/IntelSGXRootCA.der"},
    "models": [{"provider": "phala", "model": m, "base_url": base,
                "interval_s": 1, "jitter_s": 0,
                "canary": canary if m in ("sim/good", "sim/missing-signature") else False}
               for m in models]}))
EOF

# The receipts: sample A with its bytes (kept whole, or without them),
# for sim/good and for a model nobody probes; NEGATIVE; Private Mode.
python3 - "$DATA" "$TMP" <<'EOF'
import base64, json, sys
d, t = sys.argv[1], sys.argv[2]
a = json.load(open(d + "/nearai-docs/A/signature_response.json"))
a["request_b64"] = base64.b64encode(open(d + "/nearai-docs/A/request_body.json", "rb").read()).decode()
a["response_b64"] = base64.b64encode(open(d + "/nearai-docs/A/response_body.sse", "rb").read()).decode()
for name, model, whole in (("a_whole", "sim/good", True), ("a", "sim/good", False),
                           ("a_other", "deepseek-v3.1", False)):
    r = dict(a, model=model)
    if whole:
        r["archive_bytes"] = True
    open(t + "/" + name + ".json", "w").write(json.dumps(r))
n = json.load(open(d + "/nearai-docs/NEGATIVE/signature_response.json"))
n["model"] = "sim/good"
open(t + "/neg.json", "w").write(json.dumps(n))
EOF

nprobes() { q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = ?" "$1"; }
# wait_probes N: every model has N probes (bounded: 60 s)
wait_probes() {
	local i m ok
	for i in $(seq 1 240); do
		ok=1
		for m in $MODELS; do
			[ "$(nprobes "$m")" -ge "$1" ] 2>/dev/null || { ok=0; break; }
		done
		[ $ok = 1 ] && return 0
		sleep 0.25
	done
	return 1
}
post() {
	curl -s -o "$TMP/ans" -w '%{http_code}' --max-time 20 -X POST \
	    -H 'Content-Type: application/json' --data-binary @"$1" \
	    "http://127.0.0.1:$PORT/api/v1/receipts${2:+?$2}"
}

start_tmond --init --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 || exit 1
wait_probes 2 || { fail "fewer than 2 probes per model after 60 s"; cat "$TMP/log"; exit 1; }
for f in a_whole a a_other neg; do
	st=$(post "$TMP/$f.json")
	[ "$st" = 201 ] && pass "receipt $f: 201, verdict $(jget verdict "$TMP/ans")" || fail "receipt $f: $st $(cat "$TMP/ans")"
done
st=$(post "$DATA/private-mode/tdx.json" 'model=sim%2Fgood')
[ "$st" = 201 ] && pass "receipt private mode: 201, verdict $(jget verdict "$TMP/ans")" || fail "receipt pm: $st $(cat "$TMP/ans")"
wait_probes 3 || fail "no probes after the receipts"
stop_tmond

n=$(q "$TMP/t.db" "SELECT count(*) FROM entries")
VKEY=$("$BUILD/tmonctl" log-key --db "$TMP/t.db")
kinds=$(q "$TMP/t.db" "SELECT group_concat(k, ' ') FROM (SELECT kind || '=' || count(*) AS k FROM entries GROUP BY kind)")
pass "the log: $n entries ($kinds)"

# ---- the log as written ---------------------------------------------------
audit "as written" 0 "$TMP/t.db" --config "$TMP/sched.json" -- \
    "audit: ok: $n entries" "every verdict follows from its stored evidence" \
    " 0 do not, 0 could not be re-checked"
grep '^re-derived\|^  ' "$TMP/audit.out"
audit "as written, -j 1" 0 "$TMP/t.db" --config "$TMP/sched.json" -j 1 -- "audit: ok: $n entries" "on 1 thread "
audit "without the test anchors" 3 "$TMP/t.db" -- \
    "not re-checked: entry [0-9]* (probe sim/good): could not re-check: it was verified against a test PKI" \
    "audit: NOT VERIFIED"
audit "bytes only" 0 "$TMP/t.db" --no-rederive -- "audit: ok: $n entries" "not re-derived"

# hidden DB NAME: the forgery passes every hash check (--no-rederive)
# while no checkpoint was signed; a signed checkpoint no longer matches
# the tree (caught both ways).
hidden() {
	if [ "$(q "$1" "SELECT count(*) FROM sqlite_master WHERE name = 'checkpoints'")" = 1 ] &&
	    [ "$(q "$1" "SELECT count(*) FROM checkpoints")" -gt 0 ]; then
		audit "$2: the bytes alone" 1 "$1" --no-rederive --
	else
		audit "$2: hidden from the hashes" 0 "$1" --no-rederive -- "audit: ok: $n entries"
	fi
}
# only DB SEQ: without a signed checkpoint the last audit found one
# problem, the forged entry SEQ (with one, also the checkpoint's).
only() {
	[ "$(q "$1" "SELECT count(*) FROM sqlite_master WHERE name = 'checkpoints'")" = 1 ] &&
	    [ "$(q "$1" "SELECT count(*) FROM checkpoints")" -gt 0 ] && return
	grep -q "^audit: FAILED: 1 problem, first bad seq $2: entry $2 " "$TMP/audit.out" &&
	    pass "the only problem is entry $2" || { fail "not only entry $2:"; cat "$TMP/audit.out"; }
}
# every failing check passes, and so does the verdict
PASS_ALL='b["verdict"] = "pass"
for k in b["checks"]:
    k["status"] = "pass" if k["status"] in ("fail", "error") else k["status"]'

# ---- a forged probe ----------------------------------------------------------
seq=$(q "$TMP/t.db" "SELECT max(seq) FROM entries WHERE kind = 'probe' AND model = 'sim/stale-nonce'")
[ "$(q "$TMP/t.db" "SELECT verdict FROM entries WHERE seq = $seq")" = fail ] && pass "probe $seq (sim/stale-nonce) is fail" ||
    fail "probe $seq is $(q "$TMP/t.db" "SELECT verdict FROM entries WHERE seq = $seq")"
dbcopy "$TMP/t.db" "$TMP/probe.db"
forge "$TMP/probe.db" "$seq" "$PASS_ALL"
[ "$(q "$TMP/probe.db" "SELECT verdict FROM entries WHERE seq = $seq")" = pass ] || fail "the forgery did not take"
hidden "$TMP/probe.db" "forged probe"
audit "forged probe" 1 "$TMP/probe.db" --config "$TMP/sched.json" -- \
    "^does not follow: entry $seq (probe sim/stale-nonce): stored verdict pass does not follow from its evidence, which gives fail: " \
    "^audit: FAILED: "
only "$TMP/probe.db" "$seq"

# ---- a forged receipt ---------------------------------------------------------
seq=$(q "$TMP/t.db" "SELECT min(seq) FROM entries WHERE kind = 'receipt' AND verdict = 'fail'")
[ -n "$seq" ] && pass "receipt $seq is fail" || { fail "no failed receipt"; finish; }
dbcopy "$TMP/t.db" "$TMP/receipt.db"
forge "$TMP/receipt.db" "$seq" "$PASS_ALL"
hidden "$TMP/receipt.db" "forged receipt"
audit "forged receipt" 1 "$TMP/receipt.db" --config "$TMP/sched.json" -- \
    "^does not follow: entry $seq (receipt sim/good): stored verdict pass does not follow from its evidence, which gives fail: " \
    "^audit: FAILED: "
only "$TMP/receipt.db" "$seq"

# ---- one check's status ------------------------------------------------------
seq=$(q "$TMP/t.db" "SELECT max(seq) FROM entries WHERE kind = 'probe' AND model = 'sim/good'")
dbcopy "$TMP/t.db" "$TMP/check.db"
forge "$TMP/check.db" "$seq" '[k for k in b["checks"] if k["id"] == "gpu.nonce"][0]["status"] = "skip"'
audit "forged check" 1 "$TMP/check.db" --config "$TMP/sched.json" -- \
    "^does not follow: entry $seq (probe sim/good): stored checks do not follow from its evidence: gpu.nonce is pass, stored skip"
only "$TMP/check.db" "$seq"

# ---- an unpinned measurement made to look pinned -------------------------------
# sim/good is warn only for measurement.policy (no allow-list): with the
# configuration it was probed under, the forged pass is caught.
seq=$(q "$TMP/t.db" "SELECT max(seq) FROM entries WHERE kind = 'probe' AND model = 'sim/good'")
cp_v=$(q "$TMP/t.db" "SELECT verdict FROM entries WHERE seq = $seq")
dbcopy "$TMP/t.db" "$TMP/policy.db"
forge "$TMP/policy.db" "$seq" "$PASS_ALL
[k for k in b['checks'] if k['id'] == 'measurement.policy'][0]['status'] = 'pass'"
audit "forged measurement.policy ($cp_v to pass)" 1 "$TMP/policy.db" --config "$TMP/sched.json" -- \
    "^does not follow: entry $seq (probe sim/good): stored verdict pass does not follow from its evidence, which gives warn: measurement.policy is warn, stored pass"
only "$TMP/policy.db" "$seq"

# ---- a collateral entry ------------------------------------------------------
seq=$(q "$TMP/t.db" "SELECT min(seq) FROM entries WHERE kind = 'collateral' AND verdict = 'pass'")
dbcopy "$TMP/t.db" "$TMP/coll.db"
forge "$TMP/coll.db" "$seq" 'b["next_update"] = "2099-01-01T00:00:00Z"'
audit "forged collateral" 1 "$TMP/coll.db" --config "$TMP/sched.json" -- \
    "^does not follow: entry $seq (collateral): stored issue_date .*, next_update 2099-01-01T00:00:00Z do not follow from its evidence"
only "$TMP/coll.db" "$seq"

finish
