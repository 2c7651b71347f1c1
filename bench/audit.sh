#!/usr/bin/env bash
# bench/audit.sh: tmonctl audit of a large generated log (bench/README.md),
# next to the raw ECDSA speed of this machine, measured in one run.
#
#   bench/audit.sh [BUILD_DIR]
#
# BUILD_DIR must hold optimised tmond, tmon-sim, tmonctl and tmon-genlog
# (not an ASan build); without it the script configures and builds them in
# build-bench (Release, no tests).  Steps:
#   1. a real log: tmond probes tmon-sim (sim/good with a canary,
#      sim/stale-nonce) and archives the real receipts of tests/data
#      (the NEAR AI sample A kept whole and without its bytes, the
#      NEGATIVE sample, the Private Mode one), until every model has
#      PROBES probes;
#   2. tmon-genlog -n N -k K: N entries cloned from it;
#   3. openssl speed -seconds 3 ecdsap256 ecdsap384;
#   4. tmonctl audit --no-rederive (hashes, chain, blobs) and tmonctl
#      audit --config -j J (re-derivation), each timed with its peak RSS.
# Environment (all optional): N (default 100000), K receipts per probe
# clone (default 100), J threads (default: the online CPUs), PROBES
# (default 3), KEEP a directory to keep the logs in (src.db, genlog.db,
# with sched.json and the simulator's pki/ that audit --config needs).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
N=${N:-100000}
K=${K:-100}
J=${J:-$(nproc)}
PROBES=${PROBES:-3}
. "$src/bench/lib.sh"
build=$(bench_build "$build" tmond tmon-sim tmonctl tmon-genlog) || exit 2
set +e
set -- "$build" "$src"
. "$src/tests/integration/lib.sh"
need curl python3
need_bin tmond tmon-sim tmonctl tmon-genlog
MODELS="sim/good sim/stale-nonce"
DATA=$src/tests/data/receipts

# ---- 1. a real log ----------------------------------------------------------
dir=${KEEP:-$TMP}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -rf "$dir/pki" "$dir/src.db" "$dir/src.db-wal" "$dir/src.db-shm" \
    "$dir/genlog.db" "$dir/genlog.db-wal" "$dir/genlog.db-shm"
start_sim "$dir/pki" || exit 1
python3 - "$dir" "$SIM_PORT" $MODELS >"$dir/sched.json" <<'EOF'
import json, sys
t, port, models = sys.argv[1], sys.argv[2], sys.argv[3:]
base = "http://127.0.0.1:" + port
print(json.dumps({
    "test_trust_anchors": {"intel_root_ca": t + "/pki/intel_root.pem",
                           "nvidia_root_ca": t + "/pki/nvidia_root.pem"},
    "pcs": {"base_url": base, "root_ca_crl_url": base + "/IntelSGXRootCA.der"},
    "models": [{"provider": "phala", "model": m, "base_url": base,
                "interval_s": 1, "jitter_s": 0,
                "canary": {"stream": False, "signature_retries": 2,
                           "signature_backoff_ms": 50} if m == "sim/good" else False}
               for m in models]}))
EOF
python3 - "$DATA" "$TMP" <<'EOF'
import base64, json, sys
d, t = sys.argv[1], sys.argv[2]
a = json.load(open(d + "/nearai-docs/A/signature_response.json"))
a["request_b64"] = base64.b64encode(open(d + "/nearai-docs/A/request_body.json", "rb").read()).decode()
a["response_b64"] = base64.b64encode(open(d + "/nearai-docs/A/response_body.sse", "rb").read()).decode()
open(t + "/r1.json", "w").write(json.dumps(dict(a, model="sim/good", archive_bytes=True)))
open(t + "/r2.json", "w").write(json.dumps(dict(a, model="sim/good")))
open(t + "/r3.json", "w").write(json.dumps(dict(a, model="deepseek-v3.1")))
n = json.load(open(d + "/nearai-docs/NEGATIVE/signature_response.json"))
open(t + "/r4.json", "w").write(json.dumps(dict(n, model="sim/good")))
EOF
start_tmond --init --config "$dir/sched.json" --db "$dir/src.db" --listen 127.0.0.1:0 || exit 1
# enough N: every model has N probes
enough() {
	local m
	for m in $MODELS; do
		[ "$(q "$dir/src.db" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = ?" "$m")" -ge "$1" ] || return 1
	done
}
wait_for 120 enough 1 || { echo "bench: no probes"; exit 1; }
# post FILE [QUERY]: one receipt, which must be answered 201
post() {
	local st
	st=$(curl -s -o "$TMP/ans" -w '%{http_code}' --max-time 20 -X POST \
	    -H 'Content-Type: application/json' --data-binary @"$1" \
	    "http://127.0.0.1:$PORT/api/v1/receipts${2:+?$2}")
	[ "$st" = 201 ] || { echo "bench: receipt $1: $st $(cat "$TMP/ans")"; exit 1; }
}
for f in r1 r2 r3 r4; do
	post "$TMP/$f.json"
done
post "$DATA/private-mode/tdx.json" 'model=sim%2Fgood'
wait_for 120 enough "$PROBES" || { echo "bench: too few probes"; exit 1; }
stop_tmond >/dev/null
echo "source log: $(q "$dir/src.db" "SELECT group_concat(k, ' ') FROM (SELECT kind || ' ' || count(*) AS k FROM entries GROUP BY kind)")"

# ---- 2. the generated log ----------------------------------------------------
"$build/tmon-genlog" -n "$N" -k "$K" "$dir/src.db" "$dir/genlog.db" || exit 1

# ---- 3. the machine ------------------------------------------------------------
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
openssl version
openssl speed -seconds 3 ecdsap256 ecdsap384 2>/dev/null | tail -3

# ---- 4. the audits ---------------------------------------------------------------
# timed LABEL CMD...: run CMD, print its last lines, wall time and peak RSS.
timed() {
	local label=$1
	shift
	/usr/bin/time -f "$label: %e s wall, %M KB peak RSS, exit %x" "$@" \
	    >"$TMP/out" 2>"$TMP/time" || true
	grep -A4 '^re-derived' "$TMP/out" || true
	tail -1 "$TMP/out"
	tail -1 "$TMP/time"
}
timed "audit --hashes-only" "$build/tmonctl" audit "$dir/genlog.db" --hashes-only
timed "audit --no-rederive" "$build/tmonctl" audit "$dir/genlog.db" --no-rederive
timed "audit -j $J" "$build/tmonctl" audit "$dir/genlog.db" --config "$dir/sched.json" -j "$J"
exit 0
