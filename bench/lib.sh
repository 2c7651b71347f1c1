# bench/lib.sh: what the bench scripts share; sourced, with $src set to
# the source tree.
#
# bench_build BUILD TARGET...: print the build directory to use: BUILD
# when it is not empty (made absolute; a note on stderr when it is an
# ASan/UBSan build, whose figures are not representative), else
# $src/build-bench, configured (Release, no tests) and with TARGETs built.
bench_build() {
	local b=$1
	shift
	if [ -z "$b" ]; then
		b=$src/build-bench
		cmake -S "$src" -B "$b" -DCMAKE_BUILD_TYPE=Release \
		    -DTMON_TESTS=OFF >/dev/null || return 1
		cmake --build "$b" -j"$(nproc 2>/dev/null || echo 1)" \
		    --target "$@" >/dev/null || return 1
	fi
	b=$(cd "$b" && pwd) || return 1
	if grep -qs '^TMON_SANITIZE:BOOL=ON' "$b/CMakeCache.txt"; then
		echo "note: $b is an ASan/UBSan build: figures are not representative" >&2
	fi
	printf '%s\n' "$b"
}

# bench_pin CPU: set the array pin to the command prefix that runs on
# CPU (taskset -c), or to nothing when CPU is empty or taskset is missing.
bench_pin() {
	pin=()
	if [ -n "$1" ] && command -v taskset >/dev/null 2>&1; then
		pin=(taskset -c "$1")
	fi
}
