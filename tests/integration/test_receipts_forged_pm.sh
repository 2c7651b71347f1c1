#!/usr/bin/env bash
# A forged NanoGPT Private Mode receipt never passes: tmond probes the
# simulated provider (tmon-sim, TEST PKI; "pcs": false, so the probe's
# verdict is warn: tdx.tcb has no collateral), then a Tinfoil verification
# document is written from nothing but what GET /api/v1/models shows (the
# latest probe's MRTD, RTMR0..2 and RTMR3), with no enclave involved, and POSTed
# for that model.  Its claims are self-consistent and equal tmon's
# measurement, but it is unsigned (receipt.signature warn: the claims are
# the browser's) and the probe it matches was not pass (receipt.measurement
# warn), so the verdict is warn, not pass.  Takes a few seconds.
# Usage: test_receipts_forged_pm.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

need curl python3
start_sim "$TMP/pki" || exit 1

cat >"$TMP/sched.json" <<EOF
{"test_trust_anchors": {"intel_root_ca": "$TMP/pki/intel_root.pem",
  "nvidia_root_ca": "$TMP/pki/nvidia_root.pem"},
 "pcs": false,
 "models": [{"provider": "phala", "model": "sim/good",
  "base_url": "http://127.0.0.1:$SIM_PORT", "interval_s": 3600,
  "jitter_s": 0, "canary": false}]}
EOF
start_tmond --init --config "$TMP/sched.json" --db "$TMP/t.db" \
    --listen 127.0.0.1:0 || exit 1

# Wait (bounded: 60 s) for the first probe of sim/good.
for i in $(seq 1 240); do
	curl -s -o "$TMP/models" "http://127.0.0.1:$PORT/api/v1/models"
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["models"][0]; sys.exit(0 if m.get("last_probe_seq") is not None and ((m.get("measurement") or {}).get("platform") or {}).get("mrtd") else 1)' "$TMP/models" 2>/dev/null && break
	sleep 0.25
done
probe_verdict=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["models"][0]["verdict"])' "$TMP/models" 2>/dev/null)
[ -n "$probe_verdict" ] && pass "probe of sim/good logged, verdict $probe_verdict" || { fail "no probe"; cat "$TMP/log"; exit 1; }
[ "$probe_verdict" != pass ] && pass "the probe is not pass (no collateral)" || fail "probe verdict pass: the test needs a probe that is not"

# The forgery: registers copied from the API, every step "success".
python3 - "$TMP/models" "$TMP/forged.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))["models"][0]["measurement"]
p, i = m["platform"], m["instance"]
regs = [p["mrtd"], p["rtmr0"], p["rtmr1"], p["rtmr2"], i["rtmr3"]]
meas = {"type": "https://tinfoil.sh/predicate/tdx-guest/v2", "registers": regs}
ok = {"status": "success"}
doc = {"codeMeasurement": meas,
       "enclaveMeasurement": {"measurement": meas},
       "hardwareMeasurement": {"MRTD": regs[0], "RTMR0": regs[1]},
       "releaseDigest": "00" * 32, "securityVerified": True,
       "enclaveHost": "forged.example",
       "steps": {"fetchDigest": ok, "verifyCode": ok, "verifyEnclave": ok,
                 "compareMeasurements": ok}}
json.dump(doc, open(sys.argv[2], "w"))
EOF
st=$(curl -s -o "$TMP/ans" -w '%{http_code}' --max-time 20 -X POST \
    -H 'Content-Type: application/json' --data-binary @"$TMP/forged.json" \
    "http://127.0.0.1:$PORT/api/v1/receipts?model=sim%2Fgood")
[ "$st" = 201 ] && pass "forged document: 201 (logged as evidence)" || fail "forged: $st $(cat "$TMP/ans")"
verdict=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$TMP/ans")
[ "$verdict" != pass ] && pass "forged document: verdict $verdict, not pass" || fail "forged document passes"
for id in receipt.claimed receipt.code_match; do
	[ "$(check_status $id "$TMP/ans")" = pass ] && pass "$id pass (self-consistent)" || fail "$id $(check_status $id "$TMP/ans")"
done
[ "$(check_status receipt.signature "$TMP/ans")" = warn ] && pass "receipt.signature warn: $(check_detail receipt.signature "$TMP/ans")" || fail "receipt.signature $(check_status receipt.signature "$TMP/ans")"
check_detail receipt.signature "$TMP/ans" | grep -q "browser" && pass "the detail says the claims are the browser's" || fail "detail"
[ "$(check_status receipt.measurement "$TMP/ans")" = warn ] && pass "receipt.measurement warn: $(check_detail receipt.measurement "$TMP/ans")" || fail "receipt.measurement $(check_status receipt.measurement "$TMP/ans"): $(check_detail receipt.measurement "$TMP/ans")"
check_detail receipt.measurement "$TMP/ans" | grep -q "verdict is $probe_verdict" && pass "the detail names the probe's verdict" || fail "measurement detail"

stop_tmond
finish
