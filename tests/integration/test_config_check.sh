#!/usr/bin/env bash
# tmond -n (check the schedule and exit) rejects what would otherwise fail
# silently or on every round, with exit status 1 and an error naming
# file:line:column and the JSON path: URLs with userinfo (a password would
# be logged and archived with every probe), no host, port 0 or 99999,
# extra slashes, a space or CR/LF, a query or fragment; max_body_bytes
# over the store's blob limit; a bad model id.  A FIFO given as the
# schedule, a trust anchor, the database (tmond, tmonctl audit) or a
# tmonctl input fails at once instead of hanging; a FIFO in the dashboard
# directory is 404.  Every command runs under timeout(1), so a hang is a
# failure (exit 124), not a stuck test.  Takes a few seconds.
# Usage: test_config_check.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

# rejects DESCRIPTION WANT CMD...: CMD must exit 1 or 2 within 10 s with
# WANT (a fixed string) on stderr.
rejects() {
	local what=$1 want=$2 rc
	shift 2
	timeout 10 "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
	if [ $rc -eq 124 ]; then
		fail "$what: hung (killed after 10 s)"
	elif [ $rc -ne 1 ] && [ $rc -ne 2 ]; then
		fail "$what: exit $rc, want 1 or 2: $(cat "$TMP/out" "$TMP/err")"
	elif ! grep -qF -- "$want" "$TMP/err"; then
		fail "$what: stderr lacks \"$want\": $(cat "$TMP/err")"
	else
		pass "$what"
	fi
}

# bad_url URL WANT: one model with base_url URL (JSON string text).
bad_url() {
	printf '{"models": [\n  {"provider": "nanogpt", "model": "m",\n   "base_url": "%s"}]}\n' \
	    "$1" >"$TMP/s.json"
	rejects "base_url $1" "$TMP/s.json:3:4: models[0].base_url: $2" \
	    "$BUILD/tmond" -n --config "$TMP/s.json"
}

bad_url 'http://user:pass@host/v1' 'must not hold a user name or password'
grep -qF 'pass@' "$TMP/err" && fail "the error repeats the password"
bad_url 'http://' 'not a valid URL'
bad_url 'http://host:99999' 'not a valid URL'
bad_url 'http://host:0' 'port must be 1 to 65535'
bad_url 'http:////////' 'not a valid URL'
bad_url 'http://host/a b' 'byte 0x20 at offset 13'
bad_url 'http://host/\r\nX: y' 'byte 0x0d at offset 12'
bad_url 'http://host/?a=b' 'must not have a query'
bad_url 'http://host/#a' 'must not have a fragment'

printf '{"models": [],\n "pcs": {"base_url": "https://pccs.local",\n  "root_ca_crl_url": "https://a:b@crl.local/r.der"}}\n' >"$TMP/s.json"
rejects "pcs.root_ca_crl_url with userinfo" \
    "$TMP/s.json:3:3: pcs.root_ca_crl_url: must not hold a user name" \
    "$BUILD/tmond" -n --config "$TMP/s.json"

printf '{"models": [],\n "max_body_bytes": 67108864}\n' >"$TMP/s.json"
rejects "max_body_bytes over the store's blob limit" \
    "$TMP/s.json:2:2: max_body_bytes: must be between 1024 and 16777216" \
    "$BUILD/tmond" -n --config "$TMP/s.json"

printf '{"models": [{"provider": "near", "model": "bad model",\n  "base_url": "https://h"}]}\n' >"$TMP/s.json"
rejects "a model id that cannot be a name" \
    "$TMP/s.json:1:34: models[0].model: must be printable ASCII" \
    "$BUILD/tmond" -n --config "$TMP/s.json"

# the limit and the valid forms still load
printf '{"models": [{"provider": "near", "model": "m", "base_url": "https://[::1]:65535/p/"}],\n "max_body_bytes": 16777216,\n "pcs": {"root_ca_crl_url": "http://127.0.0.1:1/crl?ca=root"}}\n' >"$TMP/s.json"
if out=$(timeout 10 "$BUILD/tmond" -n --config "$TMP/s.json" 2>&1); then
	pass "valid URLs and max_body_bytes 16 MiB load"
else
	fail "valid schedule rejected: $out"
fi

# FIFOs: refused at once, never opened in blocking mode
mkfifo "$TMP/fifo"
printf '{"models": []}\n' >"$TMP/ok.json"
rejects "FIFO as the schedule" "$TMP/fifo: not a regular file (a FIFO)" \
    "$BUILD/tmond" -n --config "$TMP/fifo"
printf '{"models": [],\n "test_trust_anchors": {"intel_root_ca": "%s"}}\n' \
    "$TMP/fifo" >"$TMP/s.json"
rejects "FIFO as a trust anchor" \
    "$TMP/s.json:2:25: test_trust_anchors.intel_root_ca: cannot read: $TMP/fifo: not a regular file" \
    "$BUILD/tmond" -n --config "$TMP/s.json"
rejects "FIFO as the database (tmond)" "store: $TMP/fifo: not a regular file" \
    "$BUILD/tmond" --config "$TMP/ok.json" --db "$TMP/fifo" \
    --listen 127.0.0.1:0
rejects "FIFO as the database (tmonctl audit)" \
    "store: $TMP/fifo: not a regular file" "$BUILD/tmonctl" audit "$TMP/fifo"
rejects "FIFO as tmonctl verify-attestation input" \
    "$TMP/fifo: not a regular file" "$BUILD/tmonctl" verify-attestation \
    "$TMP/fifo" --nonce "$(printf '%064d' 0)"

# a FIFO in the dashboard directory is not served and does not block
mkdir "$TMP/dash"
mkfifo "$TMP/dash/x.html"
if ! start_tmond --init --config "$TMP/ok.json" --db "$TMP/t.db" \
    --dashboard "$TMP/dash" --listen 127.0.0.1:0; then
	fail "tmond did not start"
else
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	    "http://127.0.0.1:$PORT/x.html")
	[ "$code" = 404 ] && pass "FIFO in the dashboard is 404" ||
	    fail "FIFO in the dashboard: HTTP $code, want 404"
fi

finish
