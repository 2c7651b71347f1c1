#!/usr/bin/env bash
# cmake --install into a fresh prefix: the programs, the dashboard, the
# schedules, the sample config and the systemd unit land where
# GNUInstallDirs puts them, and the installed tmond, run from another
# working directory, finds its dashboard and default schedule there (not
# in the source checkout): GET / serves the installed page.  tmond
# --check-config passes on the installed sample config and fails (exit 1,
# a clear line) on what would stop the service at start: an unset
# receipt token variable, a dashboard without index.html, a database
# that is not a tmon log; a usage error exits 2.  A few seconds.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
need curl cmake cmp
need_bin tmond tmonctl

P=$TMP/prefix
cmake --install "$BUILD" --prefix "$P" >"$TMP/install.out" 2>&1 ||
    { fail "cmake --install: $(tail -n 5 "$TMP/install.out")"; finish; }
for f in bin/tmond bin/tmonctl share/tmon/dashboards/index.html \
    share/tmon/dashboards/app.js share/tmon/schedules/default.json \
    share/tmon/examples/tmon.json share/tmon/examples/tmond.env \
    share/doc/tmon/README.md lib/systemd/system/tmond.service; do
	[ -s "$P/$f" ] && pass "installed $f" || fail "missing $f"
done
[ -e "$P/bin/tmon-sim" ] && fail "tmon-sim installed (a test fixture)"
grep -q "^ExecStart=$P/bin/tmond " "$P/lib/systemd/system/tmond.service" &&
    grep -q "^EnvironmentFile=-$P/etc/tmon/tmond.env" "$P/lib/systemd/system/tmond.service" &&
    pass "the unit names the installed tmond and its etc" ||
    fail "unit paths: $(grep '^Exec\|^Env' "$P/lib/systemd/system/tmond.service")"

# From elsewhere: the installed data, not the checkout's.
mkdir -p "$TMP/elsewhere"
cd "$TMP/elsewhere" || exit 1
"$P/bin/tmond" --help >"$TMP/help" 2>&1
grep -q "default $P/bin/../share/tmon/dashboards)" "$TMP/help" &&
    grep -q "default $P/bin/../share/tmon/schedules/default.json)" "$TMP/help" &&
    pass "--help names the installed dashboard and schedule" ||
    fail "defaults: $(grep default "$TMP/help")"
out=$("$P/bin/tmond" --check-config 2>&1) && echo "$out" | grep -q "$P/bin/../share/tmon/schedules/default.json: ok" &&
    pass "the installed default schedule checks: $(echo "$out" | tail -n 1)" || fail "default schedule: $out"
out=$("$P/bin/tmond" --check-config --config "$P/share/tmon/examples/tmon.json" --db "$TMP/t.db" 2>&1)
[ $? -eq 0 ] && pass "the installed sample config checks" || fail "sample config: $out"
echo "$out" | grep -q 'start tmond once with --init' && pass "no log yet: a warning" || fail "no warning for the missing log: $out"

echo '{"models": []}' >"$TMP/empty.json"
"$P/bin/tmond" --config "$TMP/empty.json" --db "$TMP/t.db" --init --listen 127.0.0.1:0 2>"$TMP/log" &
PID=$!
if wait_port PORT "$PID" "$TMP/log"; then
	code=$(curl -s --max-time 20 -o "$TMP/index" -w '%{http_code}' "http://127.0.0.1:$PORT/")
	[ "$code" = 200 ] && cmp -s "$TMP/index" "$P/share/tmon/dashboards/index.html" &&
	    pass "GET / serves the installed dashboard" || fail "GET /: $code"
	code=$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/app.js")
	[ "$code" = 200 ] && pass "GET /app.js 200" || fail "GET /app.js: $code"
	stop_tmond
else
	fail "installed tmond did not start: $(tail -n 5 "$TMP/log")"
fi
cd "$TMP" || exit 1

# --check-config: what stops the service at start
out=$("$P/bin/tmond" -n --config "$TMP/empty.json" --db "$TMP/t.db" 2>&1)
[ $? -eq 0 ] && pass "check-config on the log just made: ok" || fail "check-config: $out"
echo '{"models": [], "receipts": {"token_env": "TMON_TEST_UNSET_TOKEN"}}' >"$TMP/tok.json"
out=$(env -u TMON_TEST_UNSET_TOKEN "$P/bin/tmond" -n --config "$TMP/tok.json" --db "$TMP/t.db" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'receipts.token_env: environment variable TMON_TEST_UNSET_TOKEN is not set' &&
    pass "unset receipt token: exit 1" || fail "unset token: $out"
out=$(TMON_TEST_UNSET_TOKEN=0123456789abcdef0123 "$P/bin/tmond" -n --config "$TMP/tok.json" --db "$TMP/t.db" 2>&1)
[ $? -eq 0 ] && pass "receipt token set: ok" || fail "token set: $out"
mkdir -p "$TMP/nodash"
out=$("$P/bin/tmond" -n --config "$TMP/empty.json" --db "$TMP/t.db" --dashboard "$TMP/nodash" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "dashboard: $TMP/nodash/index.html" &&
    pass "a dashboard without index.html: exit 1" || fail "no dashboard: $out"
echo "not a database" >"$TMP/junk.db"
out=$("$P/bin/tmond" -n --config "$TMP/empty.json" --db "$TMP/junk.db" 2>&1)
[ $? -eq 1 ] && pass "a database that is no tmon log: exit 1 ($(echo "$out" | tail -n 1 | cut -c1-80))" || fail "junk db: $out"
"$P/bin/tmond" -n --bogus >/dev/null 2>&1
[ $? -eq 2 ] && pass "usage error: exit 2" || fail "usage error exit"
finish
