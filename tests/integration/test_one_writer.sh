#!/usr/bin/env bash
# One writer: a real tmond probes the simulated provider (tmon-sim, TEST
# PKI, with its PCS routes: probe, collateral and receipt entries all
# arrive) once a second while receipts are posted to it from four
# clients at once.  While it runs, tmond holds its log open for writing
# exactly once (one read-write descriptor of the database file in
# /proc/PID/fdinfo: the writer thread's handle; every other one is
# read-only); every receipt is answered 201; afterwards the log holds
# every answered receipt at its seq, the probes and collateral entries,
# sequence numbers without a gap and a chain that recomputes (tmonctl
# audit).  About 10 s; every wait is bounded.
# Usage: test_one_writer.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmond tmonctl tmon-sim

start_sim "$TMP/pki" || exit 1
simport=$SIM_PORT

cat >"$TMP/sched.json" <<EOF
{"test_trust_anchors": {"intel_root_ca": "$TMP/pki/intel_root.pem",
  "nvidia_root_ca": "$TMP/pki/nvidia_root.pem"},
 "pcs": {"base_url": "http://127.0.0.1:$simport",
  "root_ca_crl_url": "http://127.0.0.1:$simport/IntelSGXRootCA.der"},
 "receipts": {"per_client": {"count": 100000, "bytes": 1073741824, "window_s": 60}},
 "models": [{"provider": "phala", "model": "sim/good",
  "base_url": "http://127.0.0.1:$simport", "interval_s": 1, "jitter_s": 0,
  "canary": false}]}
EOF

start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --init \
    --listen 127.0.0.1:0 || exit 1

# Four clients post the Private Mode sample, 15 receipts each, while the
# probes go on; each answer is kept.
poster() { # N
	local i st
	for i in $(seq 1 15); do
		st=$(curl -s -o "$TMP/ans.$1.$i" -w '%{http_code}' --max-time 20 \
		    -X POST -H 'Content-Type: application/json' \
		    --data-binary @"$SRC/tests/data/receipts/private-mode/tdx.json" \
		    "http://127.0.0.1:$PORT/api/v1/receipts?model=sim%2Fgood")
		echo "$st" >"$TMP/st.$1.$i"
	done
}
POSTERS=()
for n in 1 2 3 4; do poster $n & POSTERS+=($!); done
posting() { local p; for p in "${POSTERS[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }

# The descriptors of the database file and how each was opened: exactly
# one for writing (O_RDWR), while receipts and probes are being written.
rw_fds() {
	local fd n=0 ro=0 path flags
	for fd in /proc/$PID/fd/*; do
		path=$(readlink "$fd" 2>/dev/null) || continue
		[ "$path" = "$TMP/t.db" ] || continue
		flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$PID/fdinfo/${fd##*/}")
		if [ $((0$flags & 3)) -eq 2 ]; then n=$((n + 1)); else ro=$((ro + 1)); fi
	done
	echo "$n $ro"
}
maxrw=0
for i in $(seq 1 300); do
	read -r rw ro <<<"$(rw_fds)"
	[ "$rw" -gt "$maxrw" ] && maxrw=$rw
	probes=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe'")
	[ "${probes:-0}" -ge 4 ] && ! posting && break
	sleep 0.1
done
wait "${POSTERS[@]}"
read -r rw ro <<<"$(rw_fds)"
[ "$rw" -gt "$maxrw" ] && maxrw=$rw
[ "$maxrw" -eq 1 ] && [ "$ro" -ge 1 ] &&
    pass "tmond has its log open for writing once ($rw read-write, $ro read-only descriptors)" ||
    fail "read-write descriptors of the log: at most $maxrw at once (want 1), $ro read-only"
[ "${probes:-0}" -ge 4 ] && pass "$probes probes logged meanwhile" || fail "probes: ${probes:-0}"

n201=$(cat "$TMP"/st.* 2>/dev/null | grep -c '^201$')
[ "$n201" -eq 60 ] && pass "60 receipts answered 201" ||
    fail "receipts answered 201: $n201 of 60 ($(cat "$TMP"/st.* | sort | uniq -c | tr '\n' ' '))"

stop_tmond

# Every answered receipt is at its seq with its leaf hash.
python3 - "$TMP" <<'EOF' && pass "every answered receipt is in the log at its seq" || fail "receipts in the log"
import glob, hashlib, json, sqlite3, sys
t = sys.argv[1]
c = sqlite3.connect("file:" + t + "/t.db?mode=ro", uri=True)
bad = 0
for f in glob.glob(t + "/ans.*"):
    a = json.load(open(f))
    r = c.execute("SELECT kind, body, leaf_hash FROM entries WHERE seq = ?", (a["seq"],)).fetchone()
    if r is None or r[0] != "receipt" or r[2].hex() != a["leaf_hash"] or \
       hashlib.sha256(b"\x00" + r[1]).hexdigest() != a["leaf_hash"]:
        bad += 1
sys.exit(1 if bad else 0)
EOF
coll=$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'collateral'")
[ "${coll:-0}" -ge 1 ] && pass "$coll collateral entries" || fail "no collateral entry"
n=$(q "$TMP/t.db" "SELECT count(*) FROM entries")
last=$(q "$TMP/t.db" "SELECT max(seq) FROM entries")
[ "$n" -eq $((last + 1)) ] && pass "seq 0..$last without a gap" || fail "$n entries, last seq $last"
"$BUILD/tmonctl" audit "$TMP/t.db" --config "$TMP/sched.json" --key "$("$BUILD/tmonctl" log-key --db "$TMP/t.db")" >"$TMP/audit" 2>&1 &&
    pass "tmonctl audit: $(head -c 100 "$TMP/audit")" || { fail "tmonctl audit"; cat "$TMP/audit"; }

[ $fails -eq 0 ] || tail -n 20 "$TMP/log"
finish
