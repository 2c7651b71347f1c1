#!/usr/bin/env bash
# contrib/systemd/tmond.service, as cmake --install writes it (ExecStart
# naming the installed tmond, which must exist for the check):
# systemd-analyze verify prints nothing and exits 0, and the exposure
# score of systemd-analyze security --offline=true is at most
# MAX_EXPOSURE (README "Installing as a service" states the score).
# Exit 77 (skipped) without systemd-analyze.  A few seconds.
# Usage: test_systemd.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
MAX_EXPOSURE=2.0
command -v systemd-analyze >/dev/null || { echo "no systemd-analyze: skipped"; exit 77; }
need cmake

P=$TMP/prefix
cmake --install "$BUILD" --prefix "$P" >"$TMP/install.out" 2>&1 ||
    { fail "cmake --install: $(tail -n 5 "$TMP/install.out")"; finish; }
U=$P/lib/systemd/system/tmond.service
[ -x "$P/bin/tmond" ] && grep -q "^ExecStart=$P/bin/tmond " "$U" &&
    pass "the unit runs the installed tmond" || fail "ExecStart: $(grep '^ExecStart=' "$U")"

cd "$TMP" || exit 1
systemd-analyze verify "$U" >"$TMP/verify" 2>&1
rc=$?
[ $rc -eq 0 ] && [ ! -s "$TMP/verify" ] && pass "systemd-analyze verify: no output, exit 0" ||
    fail "systemd-analyze verify (exit $rc): $(cat "$TMP/verify")"

systemd-analyze security --offline=true --no-pager "$U" >"$TMP/sec" 2>&1
score=$(sed -n 's/.*Overall exposure level for tmond.service: \([0-9.]*\).*/\1/p' "$TMP/sec")
if [ -z "$score" ]; then
	fail "no exposure score: $(tail -n 5 "$TMP/sec")"
else
	echo "exposure score: $score"
	awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }' &&
	    pass "exposure $score <= $MAX_EXPOSURE" || { fail "exposure $score > $MAX_EXPOSURE"; grep '✗' "$TMP/sec"; }
fi
# what a reviewer looks for, stated in the unit
for k in DynamicUser=yes StateDirectory=tmon ProtectSystem=strict NoNewPrivileges=yes \
    'SystemCallFilter=@system-service' CapabilityBoundingSet= 'ExecReload=/bin/kill -HUP $MAINPID' \
    UMask=0077 MemoryDenyWriteExecute=yes ProtectProc=invisible; do
	grep -qxF "$k" "$U" && pass "$k" || fail "no $k"
done
finish
