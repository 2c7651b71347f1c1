#!/usr/bin/env bash
# The whole test suite: install dependencies, build with warnings as errors
# under ASan+UBSan, run every unit and integration test with ctest (the
# dashboard's in headless chromium: npm ci --prefix tests/browser; the
# SEV-SNP and Sigstore differential tests' peers: npm ci --prefix
# tests/snp-peer, tests/sigstore-peer); build
# again under ThreadSanitizer and run the tests of the daemon's threads and
# asynchronous paths (API, receipts, collateral fetches against a stalling
# PCS, webhook deliveries, the metrics registry, SIGHUP reloads); then build the libFuzzer targets with clang and run each one for
# TMON_FUZZ_SECONDS (default 45) from its seed corpus, TMON_FUZZ_JOBS
# (default 2) at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
contrib/deps.sh
# test_tlog_go skips itself without go; here it must run
command -v go >/dev/null || { echo "FAIL: no go command (contrib/deps.sh installs golang-go)"; exit 1; }
# test_dashboard, test_snp_peer and test_sigstore_peer skip themselves without node or
# chromium; here they must run
command -v node >/dev/null && [ -x /usr/bin/chromium ] ||
    { echo "FAIL: no node or /usr/bin/chromium (contrib/deps.sh installs nodejs, chromium)"; exit 1; }
npm ci --prefix tests/browser --no-audit --no-fund
npm ci --prefix tests/snp-peer --no-audit --no-fund
npm ci --prefix tests/sigstore-peer --no-audit --no-fund
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build-test -DTMON_WERROR=ON -DTMON_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-test -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-test && ctest --output-on-failure -j"$jobs")

# ThreadSanitizer.  Reports go to files, so that one in a child process
# whose exit status a test does not check still fails the stage.
cmake -S . -B build-tsan -DTMON_WERROR=ON -DTMON_TSAN=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-tsan -j"$jobs"
tsan_logs=$(mktemp -d)
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp:log_path=$tsan_logs/tsan"
tsan_rc=0
(cd build-tsan && ctest --output-on-failure -j"$jobs" -R \
    '^(check_daemon|check_sim_daemon|check_receipts|check_collateral|check_collateral_daemon|check_api|check_fetch|check_store|check_metrics|check_notify|test_receipts_api|test_tlog|test_alerts|test_reload)$') ||
    tsan_rc=1
# the receipt load test, smaller: 5,000 receipts over 16 connections
bash tests/integration/test_receipts_load.sh "$PWD/build-tsan" "$PWD" 5000 16 ||
    tsan_rc=1
for f in "$tsan_logs"/tsan.*; do
	[ -f "$f" ] || continue
	echo "--- $f"
	cat "$f"
	tsan_rc=1
done
rm -rf "$tsan_logs"
unset TSAN_OPTIONS
if [ "$tsan_rc" -ne 0 ]; then
	echo "FAIL: ThreadSanitizer stage"
	exit 1
fi

# fuzz_one TARGET: run it; write build-fuzz/NAME.report, and on a finding
# also build-fuzz/NAME.failed with the reproducers in base64.
fuzz_one() {
	local f=$1 name seeds corpus rep
	name=$(basename "$f")
	seeds=tests/fuzz/seeds/${name#fuzz_}
	rep=build-fuzz/$name.report
	corpus=$(mktemp -d)
	[ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
	if ! "$f" -max_total_time="$secs" -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="build-fuzz/$name-" \
	    "$corpus" >"build-fuzz/$name.log" 2>&1; then
		{
			echo "== $name: ${secs}s"
			tail -60 "build-fuzz/$name.log"
			echo "FAIL: $name found a problem; reproducer: build-fuzz/$name-*"
			for a in build-fuzz/"$name"-*; do
				[ -f "$a" ] && { echo "--- $a (base64)"; base64 "$a" | head -20; }
			done
		} >"$rep"
		touch "build-fuzz/$name.failed"
	else
		{ echo "== $name: ${secs}s"; tail -5 "build-fuzz/$name.log"; } >"$rep"
	fi
	rm -rf "$corpus"
}

secs=${TMON_FUZZ_SECONDS:-45}
fuzz_jobs=${TMON_FUZZ_JOBS:-2}
if [ "$secs" -gt 0 ]; then
	CC=clang cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF -DTMON_WERROR=ON
	cmake --build build-fuzz -j"$jobs"
	rm -f build-fuzz/*.report build-fuzz/*.failed
	targets=()
	for f in build-fuzz/fuzz/fuzz_*; do
		[ -x "$f" ] && targets+=("$f")
	done
	for f in "${targets[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$fuzz_jobs" ]; do
			wait -n || true
		done
		echo "== $(basename "$f"): started"
		fuzz_one "$f" &
	done
	wait
	failed=0
	for f in "${targets[@]}"; do
		name=$(basename "$f")
		cat "build-fuzz/$name.report"
		[ -e "build-fuzz/$name.failed" ] && failed=1
	done
	if [ "$failed" -ne 0 ]; then
		exit 1
	fi
fi
echo "all tests passed"
