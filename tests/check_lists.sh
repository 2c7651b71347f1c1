#!/bin/sh
# The build lists its sources and tests by name (CMakeLists.txt,
# tests/CMakeLists.txt, tests/fuzz/CMakeLists.txt): a file left out of
# them would silently not be built or run.  Fail on every .c file under
# the source folders that no list names, and on every tests/unit/check_*.c,
# tests/integration/test_*.sh and tests/fuzz/fuzz_*.c without its line.
# Usage: check_lists.sh [SOURCE_DIR].  Exit status: 0 clean, 1 missing.
top=${1:-.}
cd "$top" || exit 2
bad=0
missing() { echo "not in $1: $2"; bad=1; }
for f in $(find monitor store tlog api contrib bench -name '*.c' -type f |
    LC_ALL=C sort); do
	grep -qF -- "$f" CMakeLists.txt || missing CMakeLists.txt "$f"
done
for f in tests/unit/check_*.c; do
	n=$(basename "$f" .c)
	grep -qE "^tmon_unit_test\($n[ )]" tests/CMakeLists.txt ||
	    missing tests/CMakeLists.txt "$f"
done
for f in tests/integration/test_*.sh; do
	n=$(basename "$f" .sh)
	grep -qE "^  $n\$" tests/CMakeLists.txt ||
	    missing tests/CMakeLists.txt "$f"
done
for f in tests/fuzz/fuzz_*.c; do
	n=$(basename "$f" .c)
	grep -qE "^tmon_fuzz_target\($n[ )]" tests/fuzz/CMakeLists.txt ||
	    missing tests/fuzz/CMakeLists.txt "$f"
done
exit $bad
