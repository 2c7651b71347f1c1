#!/usr/bin/env bash
# Verifying the stored log over real SQLite files (tmonctl
# audit, tmond's start-up check, the API read path, read-only opens).
# A real tmond logs a few probes of the real tmon-sim; copies of that log
# are then damaged the way a disk or an attacker with the file would:
#   a flipped byte in a blob        audit exit 1 (blob hash), API 500
#   a blob page overwritten by 0xff audit exit 1 (integrity_check)
#   the verdict column of the last  audit exit 1 naming the seq and the
#   probe edited to "pass"          column; tmond refuses to start; tmond
#                                   --read-only serves no "pass" for it
#   the last body edited (leaf      tmond refuses to start naming the seq
#   hash mismatch)                  and appends nothing; --read-only runs
# and tmonctl audit is pointed at things that are not a tmon log (an
# empty file, /dev/null, a directory, a text file, another program's
# SQLite file, a newer schema: exit 2 with a message saying what the file
# is, never advice to migrate) and at a read-only copy (0444 file in a
# 0555 directory: exit 0, and tmond --read-only serves it).  No audit
# changes a file's bytes or mtime, and nothing appears in the read-only
# directory (CI runs as root, where permission bits stop no write: the
# test compares bytes, mtimes and directory listings instead).
# Takes about 10 s.
# Usage: test_audit.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

# the read-only directory below is made writable again before removal
cleanup_hook() { chmod -R u+w "$TMP" 2>/dev/null; }
need curl python3

# ---- a real log: tmond probing tmon-sim --------------------------------
start_sim "$TMP/pki" || exit 1
cat >"$TMP/sched.json" <<EOF
{"test_trust_anchors": {"intel_root_ca": "$TMP/pki/intel_root.pem",
  "nvidia_root_ca": "$TMP/pki/nvidia_root.pem"},
 "pcs": {"base_url": "http://127.0.0.1:$SIM_PORT",
  "root_ca_crl_url": "http://127.0.0.1:$SIM_PORT/IntelSGXRootCA.der"},
 "models": [{"provider": "phala", "model": "sim/good", "name": "sim/good",
  "base_url": "http://127.0.0.1:$SIM_PORT", "interval_s": 1, "jitter_s": 0,
  "canary": {"stream": false, "signature_retries": 3, "signature_backoff_ms": 50}}]}
EOF
timeout 120 "$BUILD/tmond" --init --config "$TMP/sched.json" --db "$TMP/good.db" \
    --listen 127.0.0.1:0 --max-probes 3 2>"$TMP/tmond.log"
rc=$?
[ $rc -eq 0 ] && pass "tmond logged 3 probes of tmon-sim" || { fail "tmond exit $rc"; cat "$TMP/tmond.log"; exit 1; }

# q DB SQL: one value, read through Python's own SQLite (read-only).
# sql DB SQL: run statements as an attacker with the file would.
sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.close()' "$1" "$2"; }
# fingerprint PATH: its bytes and mtime; for a directory, the names in it.
fingerprint() {
	if [ -d "$1" ]; then ls -A "$1"; else sha256sum <"$1"; stat -c '%s %y' "$1"; fi
}
# audit NAME WANT-EXIT DB [GREP...]: run tmonctl audit (with the test
# trust anchors the log was verified with), check the exit code, that
# every GREP pattern is in its output (and no advice to migrate), and
# that DB is unchanged.
audit() {
	local name=$1 want=$2 db=$3 before after rc p
	shift 3
	before=$(fingerprint "$db")
	"$BUILD/tmonctl" audit "$db" --config "$TMP/sched.json" --key "$VKEY" >"$TMP/audit.out" 2>&1
	rc=$?
	after=$(fingerprint "$db")
	[ $rc -eq "$want" ] || { fail "$name: audit exit $rc, want $want"; cat "$TMP/audit.out"; return; }
	for p in "$@"; do
		grep -q -- "$p" "$TMP/audit.out" || { fail "$name: no \"$p\" in:"; cat "$TMP/audit.out"; return; }
	done
	grep -qi migrat "$TMP/audit.out" && { fail "$name: audit advises migrating: $(cat "$TMP/audit.out")"; return; }
	[ "$before" = "$after" ] || { fail "$name: audit changed $db"; return; }
	pass "$name: exit $rc: $(tail -1 "$TMP/audit.out")"
}
# tmond_on DB [ARGS]: start tmond on DB, any port; PORT, PID; 1 if it
# exited before listening (exit status in TRC, stderr in $TMP/t.log).
TMOND_LOG=$TMP/t.log
tmond_on() {
	local db=$1
	shift
	: >"$TMP/t.log"
	start_tmond --config "$TMP/sched.json" --db "$db" --listen 127.0.0.1:0 "$@"
}
get() { curl -s -o "$TMP/body" -w '%{http_code}' --max-time 20 "http://127.0.0.1:$PORT$1"; }

# No free pages with stale copies of data: a live blob byte can then be
# found in the file by its content.
sql "$TMP/good.db" "VACUUM;"
n=$(q "$TMP/good.db" "SELECT count(*) FROM entries")
VKEY=$("$BUILD/tmonctl" log-key --db "$TMP/good.db")
last=$(q "$TMP/good.db" "SELECT max(seq) FROM entries WHERE kind = 'probe'")
verdict=$(q "$TMP/good.db" "SELECT verdict FROM entries WHERE seq = $last")
[ "$verdict" != pass ] && [ -n "$verdict" ] && pass "$n entries, the last probe ($last) is $verdict" ||
    { fail "the last probe's verdict is \"$verdict\", not something to forge into pass"; exit 1; }
audit "intact log" 0 "$TMP/good.db" "audit: ok: $n entries" "integrity_check ok"

# ---- a flipped byte in a blob -------------------------------------------
# The attestation response of the last probe: find the first 32 of its
# bytes that occur nowhere else in the file (its nonce makes them unique)
# and flip the one in the middle.
key=$(q "$TMP/good.db" "SELECT json_extract(body, '\$.request.body_sha256') FROM entries WHERE seq = $last")
cp "$TMP/good.db" "$TMP/blob.db"
off=$(python3 - "$TMP/good.db" "$key" <<'EOF'
import sqlite3, sys
db, key = sys.argv[1], sys.argv[2]
c = sqlite3.connect("file:" + db + "?mode=ro", uri=True)
data = c.execute("SELECT data FROM blobs WHERE sha256 = ?", (bytes.fromhex(key),)).fetchone()[0]
raw = open(db, "rb").read()
for start in range(0, len(data) - 32):
	chunk = data[start:start + 32]
	if raw.count(chunk) == data.count(chunk):
		print(raw.index(chunk) + 16)
		break
EOF
)
[ -n "$off" ] || { fail "blob bytes not found in the file"; exit 1; }
python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^1]))' "$TMP/blob.db" "$off"
audit "flipped blob byte" 1 "$TMP/blob.db" "blob $key: blob bytes do not hash to their key" \
    "first bad seq $last: entry $last: request.body_sha256: blob $key is damaged"
tmond_on "$TMP/blob.db" --read-only || { fail "tmond --read-only on blob.db did not start"; cat "$TMP/t.log"; }
if [ -n "$PID" ]; then
	st=$(get "/api/v1/blobs/$key")
	[ "$st" = 500 ] && grep -q "damaged" "$TMP/body" && pass "API: the damaged blob is 500: $(cat "$TMP/body")" || fail "API blob: $st $(head -c 200 "$TMP/body")"
	stop_tmond
fi

# ---- a 4 KiB page of that blob overwritten with 0xff ----------------------
cp "$TMP/good.db" "$TMP/page.db"
python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])//4096*4096); f.write(b"\xff"*4096)' "$TMP/page.db" "$off"
audit "page of 0xff" 1 "$TMP/page.db" "integrity_check: " "audit: FAILED"

# ---- the verdict column of the last probe edited to "pass" ------------------
cp "$TMP/good.db" "$TMP/verdict.db"
sql "$TMP/verdict.db" "DROP TRIGGER entries_no_update;
    UPDATE entries SET verdict = 'pass' WHERE seq = $last;
    CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
     BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;"
audit "verdict column edited" 1 "$TMP/verdict.db" \
    "first bad seq $last: entry $last: column verdict is \"pass\", the body's is \"$verdict\""
if tmond_on "$TMP/verdict.db"; then
	fail "tmond started on a log whose last probe's verdict column was edited"
	stop_tmond
else
	grep -q "entry $last: column verdict" "$TMP/t.log" && pass "tmond refuses: $(grep -o 'entry.*' "$TMP/t.log" | head -1)" || { fail "tmond: exit $TRC"; cat "$TMP/t.log"; }
fi
[ "$(q "$TMP/verdict.db" "SELECT count(*) FROM entries")" = "$n" ] && pass "nothing appended" || fail "tmond appended to verdict.db"
tmond_on "$TMP/verdict.db" --read-only || { fail "tmond --read-only did not start"; cat "$TMP/t.log"; }
if [ -n "$PID" ]; then
	for path in /api/v1/probes /api/v1/models "/api/v1/probes?verdict=pass" /api/v1/entries/$last; do
		st=$(get "$path")
		if grep -q '"verdict":"pass"' "$TMP/body"; then
			fail "API $path shows the forged pass"
		elif [ "$st" = 500 ] && grep -q "entry $last: column verdict" "$TMP/body"; then
			pass "API $path: 500 $(cat "$TMP/body")"
		else
			fail "API $path: $st $(head -c 300 "$TMP/body")"
		fi
	done
	# The history is the model's event entries, which are intact: it
	# is served, and never with the forged verdict.
	st=$(get "/api/v1/models/sim%2Fgood/history")
	if [ "$st" = 200 ] && ! grep -q '"verdict":"pass"' "$TMP/body"; then
		pass "API history: 200 from the intact events, no forged pass"
	else
		fail "API history: $st $(head -c 300 "$TMP/body")"
	fi
	st=$(get "/api/v1/entries/0")
	[ "$st" = 200 ] && pass "API: intact entries are still served" || fail "API entry 0: $st"
	st=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST -d '{}' "http://127.0.0.1:$PORT/api/v1/receipts")
	[ "$st" = 503 ] && pass "--read-only: receipts 503" || fail "--read-only receipt: $st"
	stop_tmond
fi
[ "$(q "$TMP/verdict.db" "SELECT count(*) FROM entries")" = "$n" ] && pass "--read-only appended nothing" || fail "--read-only appended"

# ---- a derived row edited: the status page's "last pass" forged ----------
# (models and daily are kept by the writer, not hashed: audit recomputes
# them from the entries, tmond's start-up check looks them up)
cp "$TMP/good.db" "$TMP/derived.db"
sql "$TMP/derived.db" "UPDATE models SET last_pass_seq = $last WHERE model = 'sim/good';
    UPDATE daily SET pass = pass + 1, $verdict = $verdict - 1 WHERE model = 'sim/good';"
audit "models and daily rows edited" 1 "$TMP/derived.db" \
    'models: the row of model "sim/good" is not what the entries give' \
    'daily: the row of model "sim/good", day ' "audit: FAILED"
if tmond_on "$TMP/derived.db"; then
	fail "tmond started on a log whose models row was edited"
	stop_tmond
else
	grep -q 'models: the row of model "sim/good"' "$TMP/t.log" && pass "tmond refuses: $(grep -o 'models: the row.*' "$TMP/t.log" | head -1)" || { fail "tmond: exit $TRC"; cat "$TMP/t.log"; }
fi

# ---- the last entry's body edited: its leaf hash no longer matches -------
cp "$TMP/good.db" "$TMP/leaf.db"
tail_seq=$(q "$TMP/good.db" "SELECT max(seq) FROM entries")
sql "$TMP/leaf.db" "DROP TRIGGER entries_no_update;
    UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), '\"v\":2', '\"v\":9') AS BLOB)
     WHERE seq = $tail_seq;"
[ "$(q "$TMP/leaf.db" "SELECT instr(CAST(body AS TEXT), '\"v\":9') > 0 FROM entries WHERE seq = $tail_seq")" = 1 ] ||
    fail "could not edit the last body"
if tmond_on "$TMP/leaf.db" --max-probes 1; then
	fail "tmond started on a log whose last leaf hash does not match"
	wait "$PID"; PID=
else
	grep -q "entry $tail_seq: leaf hash does not match the body" "$TMP/t.log" &&
	    grep -q "first bad seq $tail_seq" "$TMP/t.log" && [ "$TRC" = 1 ] &&
	    pass "tmond refuses (exit $TRC): $(grep -o 'entry.*' "$TMP/t.log" | head -1)" ||
	    { fail "tmond: exit $TRC"; cat "$TMP/t.log"; }
fi
[ "$(q "$TMP/leaf.db" "SELECT count(*) FROM entries")" = "$n" ] && pass "nothing appended on top of seq $tail_seq" ||
    fail "tmond appended on top of a damaged tail ($(q "$TMP/leaf.db" "SELECT count(*) FROM entries") entries)"
audit "leaf hash at the tail" 1 "$TMP/leaf.db" "first bad seq $tail_seq: entry $tail_seq: leaf hash does not match"
if tmond_on "$TMP/leaf.db" --read-only; then
	grep -q "first bad seq $tail_seq" "$TMP/t.log" && pass "--read-only starts and warns" || fail "--read-only: no warning"
	st=$(get "/api/v1/entries/$tail_seq")
	[ "$st" = 500 ] && grep -q "entry $tail_seq: leaf hash" "$TMP/body" && pass "API: the damaged entry is 500" || fail "API entry $tail_seq: $st"
	stop_tmond
else
	fail "tmond --read-only refused a damaged log"; cat "$TMP/t.log"
fi

# ---- things that are not a tmon log ------------------------------------------
: >"$TMP/empty.db"
audit "empty file" 2 "$TMP/empty.db" "empty file, not a tmon log"
[ -s "$TMP/empty.db" ] && fail "audit turned the empty file into a database"
audit "/dev/null" 2 /dev/null "not a regular file (a character device)"
mkdir "$TMP/adir"
audit "a directory" 2 "$TMP/adir" "not a regular file (a directory)"
printf 'id,name\n1,x\n%.0s' $(seq 1 20) >"$TMP/text.db"
audit "a text file" 2 "$TMP/text.db" "not an SQLite database"
sql "$TMP/other.db" "PRAGMA user_version = 3; CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hi');"
audit "another program's SQLite file" 2 "$TMP/other.db" "an SQLite database, but not a tmon log (no entries table)"
cp "$TMP/good.db" "$TMP/newer.db"
sql "$TMP/newer.db" "PRAGMA user_version = 9;"
audit "a newer schema" 2 "$TMP/newer.db" "schema version 9, newer"

# ---- a read-only copy: 0444 file in a 0555 directory ---------------------------
mkdir "$TMP/ro"
cp "$TMP/good.db" "$TMP/ro/log.db"
chmod 0444 "$TMP/ro/log.db"
chmod 0555 "$TMP/ro"
before=$(fingerprint "$TMP/ro")
audit "read-only copy" 0 "$TMP/ro/log.db" "audit: ok: $n entries"
[ "$before" = "$(fingerprint "$TMP/ro")" ] && pass "audit created nothing in the read-only directory" ||
    fail "audit created files in the read-only directory: $(fingerprint "$TMP/ro" | tr '\n' ' ')"
if tmond_on "$TMP/ro/log.db" --read-only; then
	st=$(get "/api/v1/probes")
	[ "$st" = 200 ] && grep -q "\"seq\":$last" "$TMP/body" && pass "tmond --read-only serves the read-only copy" || fail "read-only copy: $st"
	stop_tmond
else
	fail "tmond --read-only on a read-only copy"; cat "$TMP/t.log"
fi
[ "$before" = "$(fingerprint "$TMP/ro")" ] && pass "tmond --read-only wrote nothing there" || fail "tmond --read-only changed the read-only directory"

finish
