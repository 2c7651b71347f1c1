#!/usr/bin/env bash
# The dashboard in a real browser: headless Debian chromium driven by
# playwright-core (tests/browser: npm ci --prefix tests/browser) against
# tmond probing tmon-sim (TEST PKI) once a second:
#   sim/good, sim/wrong-key (sig.completion fails), sim/rollout (a new
#   compose after 3 attestations), sim/replicas (two instances).
# tests/browser/dashboard.mjs checks, at desktop and phone width: the
# overview lists every model, marked "simulated, test PKI"; sim/rollout's
# timeline shows the roll-out as "unexplained"; a probe page's evidence
# links download the blobs' exact bytes, its entry and inclusion proof
# are shown; the event feed and failures list render; a receipt file
# submitted through the page is answered and looked up with its proof
# (its model id is markup: shown as text, never run);
# no console error or CSP violation.  Then, on a fresh log and simulator
# whose schedule allow-lists both compose hashes (read from the first
# run's API), the same roll-out shows as "allowlisted".  Screenshots of
# every page: BUILD_DIR/dashboard-screenshots/*-1280.png and *-390.png.
# Exit 77 (skipped) without node or /usr/bin/chromium.  About 40 s.
# Usage: test_dashboard.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || { echo "no node: skipped"; exit 77; }
[ -x /usr/bin/chromium ] || { echo "no /usr/bin/chromium: skipped"; exit 77; }
need curl python3
need_bin tmond tmon-sim
BROWSER=$SRC/tests/browser
[ -f "$BROWSER/node_modules/playwright-core/package.json" ] ||
    { echo "FAIL: no playwright-core: run npm ci --prefix tests/browser"; exit 1; }
SHOTS=$BUILD/dashboard-screenshots
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

MODELS="sim/good sim/wrong-key sim/rollout sim/replicas"

# schedule FILE SIMPORT PKI [ROLLOUT_POLICY]: every model once a second,
# non-streaming canaries with quick signature retries
schedule() {
	python3 - "$@" <<'EOF'
import json, sys
f, port, pki = sys.argv[1:4]
base = "http://127.0.0.1:" + port
models = []
for m in "sim/good sim/wrong-key sim/rollout sim/replicas".split():
    d = {"provider": "phala", "model": m, "base_url": base, "interval_s": 1,
         "jitter_s": 0, "canary": {"stream": False, "signature_retries": 3,
                                   "signature_backoff_ms": 50}}
    if m == "sim/rollout" and len(sys.argv) > 4:
        d["policy"] = json.loads(sys.argv[4])
    models.append(d)
json.dump({"test_trust_anchors": {"intel_root_ca": pki + "/intel_root.pem",
                                  "nvidia_root_ca": pki + "/nvidia_root.pem"},
           "pcs": {"base_url": base, "root_ca_crl_url": base + "/IntelSGXRootCA.der"},
           "models": models}, open(f, "w"), indent=1)
EOF
}

nprobes() { q "$1" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = ?" "$2"; }

# wait_probes DB N: until every model has N probes (bounded: 90 s)
wait_probes() {
	local i m ok
	for i in $(seq 1 360); do
		ok=1
		for m in $MODELS; do
			[ "$(nprobes "$1" "$m")" -ge "$2" ] 2>/dev/null || { ok=0; break; }
		done
		[ $ok = 1 ] && return 0
		sleep 0.25
	done
	fail "fewer than $2 probes per model after 90 s"; tail -20 "$TMP/log"; return 1
}

# A receipt to submit through the page: NEAR AI sample A with its bytes.
python3 - "$SRC/tests/data/receipts/nearai-docs/A" "$TMP/receipt.json" <<'EOF'
import base64, json, sys
d, out = sys.argv[1], sys.argv[2]
a = json.load(open(d + "/signature_response.json"))
# a model id that is markup: the page must show it as text
a["model"] = "deepseek-v3.1<img/src=x/onerror=window.__xss=1>"
a["request_b64"] = base64.b64encode(open(d + "/request_body.json", "rb").read()).decode()
a["response_b64"] = base64.b64encode(open(d + "/response_body.sse", "rb").read()).decode()
open(out, "w").write(json.dumps(a))
EOF

# ---- run 1: no allow-list ----------------------------------------------
start_sim "$TMP/pki" || exit 1
schedule "$TMP/sched.json" "$SIM_PORT" "$TMP/pki"
start_tmond --config "$TMP/sched.json" --db "$TMP/a.db" --init \
    --listen 127.0.0.1:0 --dashboard "$SRC/dashboards" || exit 1
wait_probes "$TMP/a.db" 6 || exit 1
base=http://127.0.0.1:$PORT
(cd "$BROWSER" && node dashboard.mjs main "$base" "$SHOTS" "$TMP/receipt.json") >"$TMP/main.out" 2>&1
rc=$?
cat "$TMP/main.out"
grep -q '^FAIL' "$TMP/main.out" && fails=$((fails + $(grep -c '^FAIL' "$TMP/main.out")))
[ $rc -eq 0 ] || grep -q '^FAIL' "$TMP/main.out" || fail "dashboard.mjs main: exit $rc"

# the compose hashes before and after the roll-out, from the API
curl -s --max-time 20 -o "$TMP/probes.json" "$base/api/v1/probes?model=sim%2Frollout&limit=100"
hashes=$(python3 - "$TMP/probes.json" <<'EOF'
import json, sys
ps = json.load(open(sys.argv[1]))["probes"]
seen = []
for p in sorted(ps, key=lambda p: p["seq"]):
    h = p["entry"]["measurement"]["app"]["compose_hash"]
    if h not in seen:
        seen.append(h)
print(json.dumps(seen))
EOF
)
[ "$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])))' "$hashes")" = 2 ] &&
    pass "sim/rollout ran two composes: $hashes" || fail "sim/rollout composes: $hashes"
stop_tmond
kill "$SIM"; wait "$SIM" 2>/dev/null; SIM=

# ---- run 2: the schedule allow-lists both compose hashes ---------------
start_sim "$TMP/pki2" || exit 1
schedule "$TMP/sched2.json" "$SIM_PORT" "$TMP/pki2" "{\"compose_hash\": $hashes}"
start_tmond --config "$TMP/sched2.json" --db "$TMP/b.db" --init \
    --listen 127.0.0.1:0 --dashboard "$SRC/dashboards" || exit 1
wait_probes "$TMP/b.db" 6 || exit 1
(cd "$BROWSER" && node dashboard.mjs allow "http://127.0.0.1:$PORT" "$SHOTS") >"$TMP/allow.out" 2>&1
rc=$?
cat "$TMP/allow.out"
grep -q '^FAIL' "$TMP/allow.out" && fails=$((fails + $(grep -c '^FAIL' "$TMP/allow.out")))
[ $rc -eq 0 ] || grep -q '^FAIL' "$TMP/allow.out" || fail "dashboard.mjs allow: exit $rc"
stop_tmond

n=$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)
[ "$n" -ge 12 ] && pass "$n screenshots in $SHOTS" || fail "only $n screenshots in $SHOTS"
finish
