#!/usr/bin/env bash
# The whole test suite: install dependencies, build with warnings as errors
# under ASan+UBSan, run every unit and integration test with ctest, then
# build the libFuzzer targets with clang and run each one for
# TMON_FUZZ_SECONDS (default 60) from its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
contrib/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build-test -DTMON_WERROR=ON -DTMON_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-test -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-test && ctest --output-on-failure -j"$jobs")

secs=${TMON_FUZZ_SECONDS:-60}
if [ "$secs" -gt 0 ]; then
	CC=clang cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF -DTMON_WERROR=ON
	cmake --build build-fuzz -j"$jobs"
	for f in build-fuzz/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f")
		seeds=tests/fuzz/seeds/${name#fuzz_}
		corpus=$(mktemp -d)
		[ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
		echo "== $name: ${secs}s"
		if ! "$f" -max_total_time="$secs" -rss_limit_mb=2048 \
		    -print_final_stats=1 -artifact_prefix="build-fuzz/$name-" \
		    "$corpus" >"build-fuzz/$name.log" 2>&1; then
			tail -60 "build-fuzz/$name.log"
			echo "FAIL: $name found a problem; reproducer: build-fuzz/$name-*"
			for a in build-fuzz/"$name"-*; do
				[ -f "$a" ] && { echo "--- $a (base64)"; base64 "$a" | head -20; }
			done
			exit 1
		fi
		tail -5 "build-fuzz/$name.log"
		rm -rf "$corpus"
	done
fi
echo "all tests passed"
