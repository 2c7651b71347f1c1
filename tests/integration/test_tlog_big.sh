#!/usr/bin/env bash
# The verifiable log at size: a real log (tmond probing tmon-sim and
# archiving a real receipt, its checkpoints signed by a key made with Go's
# golang.org/x/mod/sumdb/note) grown to 70,000 entries by tmon-genlog
# with clones of its real receipts and probes; tmond signs its checkpoint
# at start.  Go's sumdb/tlog and sumdb/note then check what tmond serves:
# every C2SP tlog-tiles hash tile (levels 0, 1 and 2) and entry bundle
# against the signed root, and through the JSON API every entry, every
# inclusion proof of every size 1..300 and every consistency proof
# between them.  About 1-2 min under ASan.
# Usage: test_tlog_big.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmond tmonctl tmon-sim tmon-genlog
sh "$SRC/tests/go/build.sh" "$BUILD" "$SRC" || exit $?
TC=$BUILD/tests/tlogcheck
ORIGIN=tmon.test/big

"$TC" genkey "$ORIGIN" >"$TMP/gokey" || { fail "tlogcheck genkey"; finish; }
sed -n 1p "$TMP/gokey" >"$TMP/t.db.key"
chmod 600 "$TMP/t.db.key"
VKEY=$(sed -n 2p "$TMP/gokey")

# The source log: a few seconds of probes and a real receipt.
start_sim "$TMP/pki" || exit 1
cat >"$TMP/sched.json" <<EOF
{"test_trust_anchors": {"intel_root_ca": "$TMP/pki/intel_root.pem",
  "nvidia_root_ca": "$TMP/pki/nvidia_root.pem"},
 "pcs": {"base_url": "http://127.0.0.1:$SIM_PORT",
  "root_ca_crl_url": "http://127.0.0.1:$SIM_PORT/IntelSGXRootCA.der"},
 "log": {"origin": "$ORIGIN", "checkpoint_interval_s": 1},
 "models": [{"provider": "phala", "model": "sim/good",
  "base_url": "http://127.0.0.1:$SIM_PORT", "interval_s": 1, "jitter_s": 0,
  "canary": false}]}
EOF
start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --init \
    --listen 127.0.0.1:0 || exit 1
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data-binary @"$SRC/tests/data/receipts/private-mode/tdx.json" \
    "http://127.0.0.1:$PORT/api/v1/receipts?model=sim%2Fgood" || fail "receipt"
probes() { [ "$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe'")" -ge 3 ]; }
wait_for 30 probes || fail "no probes in the source log"
stop_tmond

# ---- a log of 70,000 entries (tiles at level 2), checked by Go ----------
# tmon-genlog grows the good log with clones of its real receipts and
# probes; tmond signs its checkpoint at start (same key and origin).
if "$BUILD/tmon-genlog" -n 70000 "$TMP/t.db" "$TMP/big.db" >"$TMP/genlog.out" 2>&1; then
	pass "tmon-genlog: $(tail -n 1 "$TMP/genlog.out")"
else
	fail "tmon-genlog: $(tail -n 3 "$TMP/genlog.out")"
fi
cp "$TMP/t.db.key" "$TMP/big.db.key"
echo "{\"models\": [], \"log\": {\"origin\": \"$ORIGIN\"}}" >"$TMP/big.json"
start_tmond --config "$TMP/big.json" --db "$TMP/big.db" --listen 127.0.0.1:0 || exit 1
API=http://127.0.0.1:$PORT
signed() { [ "$(q "$TMP/big.db" "SELECT max(size) FROM checkpoints")" -ge 70000 ]; }
wait_for 60 signed && pass "checkpoint of $(q "$TMP/big.db" "SELECT max(size) FROM checkpoints") entries" ||
    fail "no checkpoint of the big log"
out=$("$TC" tiles -origin "$ORIGIN" "$API/api/v1/log" "$VKEY" 2>&1) &&
    pass "Go checks every tile of 70,000 entries: $out" || fail "Go tiles check of 70,000 entries: $out"
"$BUILD/tmonctl" audit "$API/api/v1/log" --key "$VKEY" --no-rederive -j 4 >"$TMP/ta.out" 2>&1 &&
    pass "tmonctl audit of the 70,000 entries' tiles: $(grep '^tree:' "$TMP/ta.out")" ||
    fail "tmonctl audit of the big log's tiles: $(tail -n 5 "$TMP/ta.out")"
out=$("$TC" api -origin "$ORIGIN" -limit 300 -j 4 "$API" "$VKEY" 2>&1) &&
    pass "Go checks the API of 70,000 entries: $out" || fail "Go api check of 70,000 entries: $out"
stop_tmond

finish
