#!/usr/bin/env bash
# bench/provenance.sh: Sigstore bundle verifications per second, tmon next
# to the peer (npm @sigstore/verify through tests/sigstore-peer/verify.mjs,
# the differential test's driver), measured in the same run on the same
# GitHub attestations answer, trusted root, digest and identity policy.
#
#   bench/provenance.sh [BUILD_DIR]
#
# BUILD_DIR must hold an optimised tmonctl (not an ASan build); without it
# the script configures and builds one in build-bench (Release, no tests).
# What is timed, on both sides: the answer's JSON and the trusted root
# parsed once, then each verification of the answer's bundles (DSSE
# signature, Fulcio chain, identity policy, SCT, Rekor entry, subject).
# Environment (all optional):
#   CASE      the case of tests/data/sigstore-peer/cases.json to verify
#             (default "dev": the real Tinfoil attestation of
#             tests/data/sigstore)
#   N         tmon runs (default 2000), N_PEER peer runs (default 300)
#   TASKSET   CPU to pin to (default 0; empty: no pinning)
# The crypto floor: the real attestation takes six signature
# verifications (the DSSE signature, the SCT, the Rekor checkpoint and the
# SET by P-256 keys; the leaf and the intermediate certificates by P-384
# Fulcio CA keys), so `openssl speed ecdsap256 ecdsap384` on the same CPU
# bounds what any verifier on this OpenSSL can do.
# The peer is skipped, with a note, without node or without
# tests/sigstore-peer/node_modules (npm ci --prefix tests/sigstore-peer).
# The last lines are the figures and the ratios.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
CASE=${CASE:-dev}
N=${N:-2000}
N_PEER=${N_PEER:-300}
TASKSET=${TASKSET-0}
cases=$src/tests/data/sigstore-peer/cases.json
peer_dir=$src/tests/sigstore-peer

. "$src/bench/lib.sh"
bench_pin "$TASKSET"
build=$(bench_build "$build" tmonctl) || exit 2
ctl=$build/tmonctl
[ -x "$ctl" ] || { echo "bench/provenance.sh: no tmonctl in $build" >&2; exit 2; }

# the case's inputs, paths relative to the cases file
read -r att root digest repo at < <(python3 - "$cases" "$CASE" <<'EOF'
import json, os, sys
base = os.path.dirname(os.path.abspath(sys.argv[1]))
for c in json.load(open(sys.argv[1])):
    if c["id"] == sys.argv[2]:
        print(os.path.join(base, c["attestations"]), os.path.join(base, c["trusted_root"]),
              c["digest"], c["repo"], c["at"])
        break
else:
    sys.exit("bench/provenance.sh: no case " + sys.argv[2])
EOF
)

last() { tail -n 1 | awk '{ print $2 }'; }
cpu() { awk '$1 == "cpu_verifications_per_sec" { print $2 }'; }

# the peer's identity policy (verify.mjs): a workflow of the repository
# itself, at a tag
tout=$("${pin[@]}" "$ctl" bench-provenance "$att" --digest "$digest" \
    --repo "$repo" --trusted-root "$root" --at "$at" \
    --workflow '.github/workflows/*' --ref 'refs/tags/*' -n "$N")
echo "$tout" >&2
tmon=$(echo "$tout" | last)

peer=""
if ! command -v node >/dev/null 2>&1; then
	echo "note: node not found: peer skipped" >&2
elif [ ! -d "$peer_dir/node_modules" ]; then
	echo "note: no $peer_dir/node_modules (npm ci --prefix tests/sigstore-peer): peer skipped" >&2
else
	pout=$("${pin[@]}" node "$peer_dir/verify.mjs" "$cases" --bench "$N_PEER" \
	    --case "$CASE")
	echo "$pout" >&2
	peer=$(echo "$pout" | last)
fi

# verify/s of openssl speed's ECDSA lines ("256 bits ecdsa (nistp256) ...")
speed=$("${pin[@]}" openssl speed -seconds 2 ecdsap256 ecdsap384 2>/dev/null |
    awk '/bits ecdsa \(nistp256\)/ { p256 = $NF } /bits ecdsa \(nistp384\)/ { p384 = $NF }
	END { if (p256 > 0 && p384 > 0) printf "%s %s", p256, p384 }')

echo "tmon_cpu_verifications_per_sec $(echo "$tout" | cpu)"
echo "tmon_verifications_per_sec $tmon"
if [ -n "$peer" ]; then
	echo "peer_cpu_verifications_per_sec $(echo "$pout" | cpu)"
	echo "peer_verifications_per_sec $peer"
	awk -v t="$tmon" -v p="$peer" 'BEGIN { printf "ratio_tmon_over_peer %.1f\n", t / p }'
else
	echo "peer_verifications_per_sec skipped"
fi
if [ -n "$speed" ]; then
	echo "openssl_verify_per_sec p256 ${speed% *} p384 ${speed#* }"
	awk -v a="${speed% *}" -v b="${speed#* }" -v t="$tmon" 'BEGIN {
		f = 1 / (4 / a + 2 / b)
		printf "floor_verifications_per_sec %.1f\n", f
		printf "ratio_tmon_over_floor %.2f\n", t / f }'
else
	echo "floor_verifications_per_sec skipped (no openssl speed)"
fi
