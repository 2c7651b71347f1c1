#!/usr/bin/env bash
# bench/status.sh: what a status page costs tmond on a large log
# (bench/README.md): wrk on the status endpoints of a read-only tmond
# serving generated status-page logs of several sizes, in one run.
#
#   bench/status.sh [BUILD_DIR]
#
# BUILD_DIR must hold optimised tmond, tmon-sim and tmon-genlog (not an
# ASan build); without it the script configures and builds them in
# build-bench (Release, no tests).  Steps:
#   1. a real source log: tmond probes tmon-sim (sim/good, sim/replicas,
#      sim/rollout pinned by a policy so they pass; sim/wrong-key and
#      sim/stale-nonce fail; sim/missing-signature and a model whose
#      provider is down give errors) until each has PROBES probes; the
#      policy is what a first, unpinned run measured;
#   2. for each size in SIZES a status-page log of MODELS models,
#      tmon-genlog -s MODELS -n SIZE (kept in DIR/status-SIZE.db and
#      reused by later runs; remove it to regenerate);
#   3. for each log a tmond --read-only on loopback (no models), and for
#      each endpoint wrk -c CONNS -d DURATION --latency three ways:
#      keep-alive, "Connection: close", and keep-alive with
#      If-None-Match set to the ETag of a first answer (after curl shows
#      that it is answered 304; skipped when there is no ETag);
#   4. one table: requests/s and p99 per endpoint, way and size, and
#      the time of the first answer (curl, one request right after
#      tmond started: rendered, not from a cache).
# Environment (all optional): DIR (default $TMPDIR/tmon-status-bench),
# SIZES ("50000 5000000"), MODELS (50), CONNS (64), THREADS (2),
# DURATION (10s), PROBES (5), OLD_BUILD and OLD_LOG: a build of an older
# tmond and a log it can open, measured the same way as a "before" column.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
SIZES=${SIZES-50000 5000000}
MODELS=${MODELS:-50}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
PROBES=${PROBES:-5}
. "$src/bench/lib.sh"
build=$(bench_build "$build" tmond tmon-sim tmon-genlog) || exit 2
DIR=${DIR:-${TMPDIR:-/tmp}/tmon-status-bench}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
set +e
set -- "$build" "$src"
. "$src/tests/integration/lib.sh"
need curl python3 wrk
need_bin tmond tmon-sim tmon-genlog
SIMS="sim/good sim/replicas sim/rollout sim/wrong-key sim/stale-nonce sim/missing-signature"

# ---- 1. the source log ----------------------------------------------------
# sched POLICY_JSON: the schedule (POLICY_JSON: model -> policy, or {})
sched() {
	python3 - "$TMP" "$SIM_PORT" "$1" $SIMS <<'EOF'
import json, sys
t, port, pol, models = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4:]
base = "http://127.0.0.1:" + port
canary = {"stream": False, "signature_retries": 2, "signature_backoff_ms": 50}
ms = [dict({"provider": "phala", "model": m, "base_url": base, "interval_s": 1,
            "jitter_s": 0, "canary": canary},
           **({"policy": pol[m]} if m in pol else {})) for m in models]
ms.append({"provider": "phala", "model": "sim/down", "base_url": "http://127.0.0.1:9",
           "interval_s": 1, "jitter_s": 0, "timeout_s": 2, "canary": False})
print(json.dumps({
    "test_trust_anchors": {"intel_root_ca": t + "/pki/intel_root.pem",
                           "nvidia_root_ca": t + "/pki/nvidia_root.pem"},
    "pcs": {"base_url": base, "root_ca_crl_url": base + "/IntelSGXRootCA.der"},
    "max_concurrent": 8, "models": ms}))
EOF
}
enough() {
	local m
	for m in $SIMS sim/down; do
		[ "$(q "$1" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = ?" "$m")" -ge "$2" ] || return 1
	done
}
# srclog DB POLICY_JSON: a fresh simulator and tmond until PROBES probes each
srclog() {
	rm -rf "$TMP/pki" "$1" "$1-wal" "$1-shm"
	start_sim "$TMP/pki" || exit 1
	sched "$2" >"$TMP/sched.json"
	start_tmond --init --config "$TMP/sched.json" --db "$1" --listen 127.0.0.1:0 || exit 1
	wait_for 180 enough "$1" "$PROBES" || { echo "bench: too few probes"; exit 1; }
	stop_tmond >/dev/null
	kill "$SIM"; wait "$SIM"; SIM=
}
if [ ! -f "$DIR/status-src.db" ]; then
	srclog "$TMP/unpinned.db" '{}'
	# the policy: every value each model showed unpinned
	pol=$(python3 - "$TMP/unpinned.db" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
pol = {}
for m, body in db.execute("SELECT model, body FROM entries WHERE kind = 'probe'"):
    meas = json.loads(body).get("measurement") or {}
    p = pol.setdefault(m, {})
    for layer, key in (("platform", "mrtd"), ("platform", "rtmr0"), ("platform", "rtmr1"),
                       ("platform", "rtmr2"), ("app", "compose_hash"), ("app", "os_image_hash")):
        v = (meas.get(layer) or {}).get(key)
        if isinstance(v, str) and v not in p.setdefault(key, []):
            p[key].append(v)
print(json.dumps({m: p for m, p in pol.items() if all(p.get(k) for k in
      ("mrtd", "rtmr0", "rtmr1", "rtmr2", "compose_hash", "os_image_hash"))}))
EOF
)
	srclog "$TMP/src.db" "$pol"
	python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
	    "$TMP/src.db" "$DIR/status-src.db.tmp" && mv "$DIR/status-src.db.tmp" "$DIR/status-src.db"
fi
echo "source log: $(q "$DIR/status-src.db" "SELECT group_concat(k, ', ') FROM (SELECT model || ' ' || group_concat(verdict) AS k FROM (SELECT model, verdict FROM entries WHERE kind = 'probe' ORDER BY seq) GROUP BY model)")"

# ---- 2. the status-page logs ------------------------------------------------
for n in $SIZES; do
	db=$DIR/status-$n.db
	[ -f "$db" ] && continue
	rm -f "$db.tmp" "$db.tmp-wal" "$db.tmp-shm"
	/usr/bin/time -f "generation: %e s wall, %M KB peak RSS" \
	    "$build/tmon-genlog" -s "$MODELS" -n "$n" "$DIR/status-src.db" "$db.tmp" || exit 1
	mv "$db.tmp" "$db"
	echo "$(basename "$db"): $(du -h "$db" | cut -f1)"
done

# ---- 3. wrk ------------------------------------------------------------------
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1,2), load average $(cut -d" " -f1-3 /proc/loadavg)"
echo '{"models": [], "http": {"max_connections": 1024, "max_connections_per_address": 1024, "request_deadline_s": 300, "idle_timeout_s": 300}}' >"$TMP/empty.json"
hist=status/m07
ENDPOINTS="/api/v1/models /api/v1/events?limit=50 /api/v1/failures?limit=50 /api/v1/probes?limit=50 /api/v1/models/$hist/history"
# stop: SIGTERM to tmond, SIGKILL when requests wrk left behind keep it
# busy for more than 10 s (an old build answering in seconds)
stop() {
	local i
	kill "$PID"
	for i in $(seq 50); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.2
	done
	kill -9 "$PID" 2>/dev/null
	wait "$PID"
	PID=
}
# one LABEL BUILD DB: wrk on every endpoint of a tmond serving DB
one() {
	local label=$1 bld=$2 db=$3 ep url code etag way args out rps p99
	TMOND_LOG=$TMP/tmond-$label.log
	for ep in $ENDPOINTS; do
		# a tmond per endpoint: nothing cached, no request left over
		BUILD=$bld start_tmond --read-only --config "$TMP/empty.json" --db "$db" --listen 127.0.0.1:0 || return 1
		url=http://127.0.0.1:$PORT$ep
		# the first answer: rendered, not from a cache
		read -r code first < <(curl -s --max-time 120 -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code} %{time_total}' "$url")
		etag=$(header_value "$TMP/hdr" ETag)
		echo "# $label $ep: $code, $(wc -c <"$TMP/body") bytes, ETag ${etag:-none}"
		if [ "$code" != 200 ]; then
			# an endpoint this build does not have (the "before" one)
			[ "$label" = before ] || fail "$label $ep: $code"
			printf '%s\t%s\tfirst\t-\tHTTP %s\n' "$label" "$ep" "$code" >>"$TMP/table"
			stop
			continue
		fi
		awk -v l="$label" -v e="$ep" -v t="$first" 'BEGIN { printf "%s\t%s\tfirst\t-\t%.1fms\n", l, e, t * 1000 }' >>"$TMP/table"
		for way in keep-alive close etag; do
			args=()
			case $way in
			close) args=(-H 'Connection: close') ;;
			etag)
				[ -n "$etag" ] || { printf '%s\t%s\t%s\t-\t-\n' "$label" "$ep" "$way" >>"$TMP/table"; continue; }
				code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$url")
				echo "# $label $ep: If-None-Match: $code"
				[ "$code" = 304 ] || fail "$label $ep: If-None-Match answered $code"
				args=(-H "If-None-Match: $etag") ;;
			esac
			out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 30s --latency "${args[@]}" "$url" 2>&1)
			echo "$out" | grep -E 'Non-2xx|Socket errors' | sed "s|^|# $label $ep $way: |"
			rps=$(echo "$out" | awk '/^Requests\/sec:/ {printf "%.0f", $2}')
			p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
			[ "${rps:-0}" != 0 ] || p99=-
			printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$ep" "$way" "$rps" "$p99" >>"$TMP/table"
		done
		stop
	done
}
: >"$TMP/table"
labels=()
for n in $SIZES; do
	one "$n" "$build" "$DIR/status-$n.db" || exit 1
	labels+=("$n")
done
if [ -n "${OLD_BUILD:-}" ] && [ -n "${OLD_LOG:-}" ]; then
	one before "$OLD_BUILD" "$OLD_LOG" || exit 1
	labels+=(before)
fi

# ---- 4. the table --------------------------------------------------------------
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
python3 - "$TMP/table" "${labels[@]}" <<'EOF'
import sys
rows, labels = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])], sys.argv[2:]
fig = {(r[0], r[1], r[2]): (r[3], r[4]) for r in rows}
eps = list(dict.fromkeys(r[1] for r in rows))
def n(l): return l if not l.isdigit() else f"{int(l):,}"
head = "| endpoint | way | " + " | ".join(f"{n(l)}: req/s | p99" for l in labels) + " |"
print(head)
print("|" + "---|" * (2 + 2 * len(labels)))
for ep in eps:
    for way in ("first", "keep-alive", "close", "etag"):
        cells = []
        for l in labels:
            rps, p99 = fig.get((l, ep, way), ("-", "-"))
            cells += [f"{int(rps):,}" if rps.isdigit() else rps, p99]
        print(f"| `{ep}` | {way} | " + " | ".join(cells) + " |")
EOF
exit $((fails > 0))
