#!/usr/bin/env bash
# bench/quote.sh: TDX quote verifications per second, tmon next to the peer
# (npm @phala/dcap-qvl 0.3.9 through a node wrapper, PEER_DIR), measured
# in the same run on the same quote, collateral and time.
#
#   bench/quote.sh [BUILD_DIR]
#
# BUILD_DIR must hold an optimised tmonctl (not an ASan build); without it
# the script configures and builds one in build-bench (Release, no tests).
# Environment (all optional):
#   PEER_DIR    the peer (default: ../shared/tools/peer-dcap next to the repo);
#               skipped, with a note, if it or node is missing.  If its
#               node_modules is missing it is copied to a temporary directory
#               and `npm ci` runs there (needs the npm registry).
#   QUOTE, COLLATERAL, AT   what to verify (default: the NanoGPT gemma quote
#               of 2026-06-10 with its same-run Intel collateral, at its
#               capture time, from tests/data/dcap)
#   N           warm tmon runs (default 50000), N_COLD cold tmon runs
#               (default 2000), N_PEER peer runs (default 1000)
#   TASKSET     CPU to pin to (default 0; empty: no pinning)
# The last lines are the three figures and the ratios.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
data=$src/tests/data/dcap/evidence/teep/nanogpt_tee_gemma-3-27b-it_20260610_014905
QUOTE=${QUOTE:-$data/quotes/0001_9bb86ec10ac9.bin}
COLLATERAL=${COLLATERAL:-$data/collateral_90c06f000000.json}
AT=${AT:-1781056145}
N=${N:-50000}
N_COLD=${N_COLD:-2000}
N_PEER=${N_PEER:-1000}
PEER_DIR=${PEER_DIR:-$src/../shared/tools/peer-dcap}
TASKSET=${TASKSET-0}

. "$src/bench/lib.sh"
bench_pin "$TASKSET"
build=$(bench_build "$build" tmonctl) || exit 2
ctl=$build/tmonctl
[ -x "$ctl" ] || { echo "bench/quote.sh: no tmonctl in $build" >&2; exit 2; }

last() { tail -n 1 | awk '{ print $2 }'; }
cpu() { awk '$1 == "cpu_verifications_per_sec" { print $2 }'; }

echo "== tmon: $("$ctl" verify-quote "$QUOTE" --collateral "$COLLATERAL" --at "$AT" | grep -E '^(status|verified):' | tr '\n' ' ')"
wout=$("${pin[@]}" "$ctl" bench-quote "$QUOTE" --collateral "$COLLATERAL" \
    --at "$AT" -n "$N")
echo "$wout" >&2
cout=$("${pin[@]}" "$ctl" bench-quote "$QUOTE" --collateral "$COLLATERAL" \
    --at "$AT" -n "$N_COLD" --cold)
echo "$cout" >&2
warm=$(echo "$wout" | last)
cold=$(echo "$cout" | last)

peer=""
peer_dir=""
if ! command -v node >/dev/null 2>&1; then
	echo "note: node not found: peer skipped" >&2
elif [ ! -f "$PEER_DIR/verify.mjs" ]; then
	echo "note: no peer at $PEER_DIR (set PEER_DIR): peer skipped" >&2
else
	peer_dir=$PEER_DIR
	if [ ! -d "$PEER_DIR/node_modules" ]; then
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		cp -r "$PEER_DIR"/. "$tmp"/
		if (cd "$tmp" && npm ci --silent >/dev/null 2>&1); then
			peer_dir=$tmp
		else
			echo "note: npm ci failed for the peer: peer skipped" >&2
			peer_dir=""
		fi
	fi
fi
if [ -n "$peer_dir" ]; then
	out=$("${pin[@]}" node "$peer_dir/verify.mjs" "$QUOTE" "$COLLATERAL" "$AT" \
	    --bench "$N_PEER" || true)
	peer=$(printf '%s' "$out" | node -e '
		let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
			try { const o = JSON.parse(s);
			      console.log(o.status + " " + o.bench.verifications_per_sec); }
			catch (e) { console.log(""); } });')
	echo "== peer: status ${peer%% *}, $N_PEER runs" >&2
	peer=${peer##* }
fi

# wall clock, like the peer's figure; the CPU-time figures say what one
# core does when other processes share it
echo "tmon_warm_cpu_verifications_per_sec $(echo "$wout" | cpu)"
echo "tmon_cold_cpu_verifications_per_sec $(echo "$cout" | cpu)"
echo "tmon_warm_verifications_per_sec $warm"
echo "tmon_cold_verifications_per_sec $cold"
if [ -n "$peer" ]; then
	echo "peer_verifications_per_sec $peer"
	awk -v w="$warm" -v c="$cold" -v p="$peer" 'BEGIN {
		printf "ratio_warm_over_peer %.1f\n", w / p
		printf "ratio_cold_over_peer %.1f\n", c / p }'
else
	echo "peer_verifications_per_sec skipped"
fi
