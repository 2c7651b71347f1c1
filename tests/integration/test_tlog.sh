#!/usr/bin/env bash
# The verifiable log, end to end: a real tmond probes the simulated
# provider with its log key made by Go's golang.org/x/mod/sumdb/note (so
# the key file format is Go's), signs checkpoints every second and sends
# them to two C2SP tlog-witness processes (tests/go/tlogcheck witness):
# one cosigns (the cosignature is verified and stored), the other was
# shown another tree of size 1 before (a split view) and answers 409 then
# 422, which raises a witness_conflict alert.  tmonctl log-key prints the
# key Go made.  Then integrity at rest: tmond refuses to start on a log
# rolled back to an earlier copy, on one whose entry was rewritten with
# every hash after it recomputed (tree included), on one with an entry
# removed, and on a key file that is not the log's; each refusal names
# what is wrong.  About 20 s.
# Usage: test_tlog.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmond tmonctl tmon-sim
sh "$SRC/tests/go/build.sh" "$BUILD" "$SRC" || exit $?
TC=$BUILD/tests/tlogcheck
ORIGIN=tmon.test/log

# The log key, made by Go.
"$TC" genkey "$ORIGIN" >"$TMP/gokey" || { fail "tlogcheck genkey"; finish; }
sed -n 1p "$TMP/gokey" >"$TMP/t.db.key"
chmod 600 "$TMP/t.db.key"
VKEY=$(sed -n 2p "$TMP/gokey")

W=()
start_witness() { # BASE NAME ARGS...: sets WPORT, WVKEY
	local base=$1 name=$2 pid
	shift 2
	start_listener pid WPORT tests/tlogcheck "$base" witness \
	    -listen 127.0.0.1:0 -name "$name" -log-vkey "$VKEY" \
	    -origin "$ORIGIN" -key "$TMP/$base.key" "$@" || return 1
	W+=("$pid")
	WVKEY=$(sed -n 1p "$TMP/$base.out")
}
cleanup_hook() { local p; for p in "${W[@]}"; do kill "$p" 2>/dev/null; done; }

start_witness w1 witness.test/one || exit 1
W1PORT=$WPORT W1KEY=$WVKEY
# The second witness has cosigned another tree of size 1 already.
start_witness w2 witness.test/two -init-size 1 \
    -init-root "$(head -c 32 /dev/urandom | base64)" || exit 1
W2PORT=$WPORT W2KEY=$WVKEY

start_sim "$TMP/pki" || exit 1
cat >"$TMP/sched.json" <<EOF
{"test_trust_anchors": {"intel_root_ca": "$TMP/pki/intel_root.pem",
  "nvidia_root_ca": "$TMP/pki/nvidia_root.pem"},
 "pcs": {"base_url": "http://127.0.0.1:$SIM_PORT",
  "root_ca_crl_url": "http://127.0.0.1:$SIM_PORT/IntelSGXRootCA.der"},
 "log": {"origin": "$ORIGIN", "checkpoint_interval_s": 1,
  "witnesses": [
   {"name": "witness.test/one", "url": "http://127.0.0.1:$W1PORT", "key": "$W1KEY"},
   {"name": "witness.test/two", "url": "http://127.0.0.1:$W2PORT", "key": "$W2KEY"}]},
 "models": [{"provider": "phala", "model": "sim/good",
  "base_url": "http://127.0.0.1:$SIM_PORT", "interval_s": 1, "jitter_s": 0,
  "canary": false}]}
EOF

start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --init \
    --listen 127.0.0.1:0 || exit 1
grep -q "verifier key $VKEY" "$TMP/log" && pass "tmond uses Go's key: $VKEY" ||
    fail "tmond's verifier key is not Go's: $(grep 'verifier key' "$TMP/log")"

cosigned() { [ "$(q "$TMP/t.db" "SELECT count(*) FROM cosignatures WHERE name = 'witness.test/one'")" -ge 2 ]; }
wait_for 20 cosigned && pass "witness one cosigned $(q "$TMP/t.db" "SELECT count(*) FROM cosignatures") checkpoints" ||
    fail "no cosignature stored: $(grep witness "$TMP/log" | tail -3)"
conflict() { [ "$(q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'alert' AND CAST(body AS TEXT) LIKE '%witness_conflict%witness.test/two%'")" -ge 1 ]; }
wait_for 20 conflict && pass "split view: alert $(q "$TMP/t.db" "SELECT body FROM entries WHERE kind = 'alert' AND CAST(body AS TEXT) LIKE '%witness_conflict%' LIMIT 1")" ||
    fail "split view: no alert ($(grep witness "$TMP/log" | tail -3))"
grep -q "ALERT: witness witness.test/two" "$TMP/log" && pass "split view: error line logged" ||
    fail "split view: no ALERT line"
[ "$(q "$TMP/t.db" "SELECT count(*) FROM cosignatures WHERE name = 'witness.test/two'")" = 0 ] &&
    pass "the split-view witness cosigned nothing" || fail "witness two cosigned"
# The witness's own record of the log: what it cosigned, as a signed note.
curl -sf "http://127.0.0.1:$W1PORT/$(printf '%s' "$ORIGIN" | sha256sum | cut -c1-64)/checkpoint" >"$TMP/wcp" &&
    grep -q "^— $ORIGIN " "$TMP/wcp" && pass "witness one serves the log's checkpoint with our signature" ||
    fail "witness checkpoint: $(cat "$TMP/wcp")"
API=http://127.0.0.1:$PORT
[ "$(curl -sf "$API/api/v1/log/key")" = "$VKEY" ] && pass "GET /api/v1/log/key: Go's key" ||
    fail "/api/v1/log/key: $(curl -s "$API/api/v1/log/key")"

# Go's sumdb/tlog and sumdb/note check what tmond serves: the signed
# checkpoint, every entry, and the proofs of every size 1..N and index.
out=$("$TC" api -origin "$ORIGIN" -limit 300 "$API" "$VKEY" 2>&1) &&
    pass "Go checks the API: $out" || fail "Go api check: $out"
out=$("$TC" tiles -origin "$ORIGIN" -witness "$W1KEY" "$API/api/v1/log" "$VKEY" 2>&1) &&
    pass "Go checks the tiles, witness one's cosignature required: $out" ||
    fail "Go tiles check: $out"

# A receipt's proof file, checked offline by tmonctl verify-proof.
st=$(curl -s -o "$TMP/rcpt.ans" -w '%{http_code}' -X POST -H 'Content-Type: application/json'     --data-binary @"$SRC/tests/data/receipts/private-mode/tdx.json" "$API/api/v1/receipts?model=sim%2Fgood")
rseq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seq"])' "$TMP/rcpt.ans" 2>/dev/null)
[ "$st" = 201 ] && [ -n "$rseq" ] && pass "receipt logged as entry $rseq" || fail "receipt: $st $(cat "$TMP/rcpt.ans")"
curl -sf -o "$TMP/entry" "$API/api/v1/log/entries/$rseq" || fail "GET /api/v1/log/entries/$rseq"
proved() {
	curl -sf -o "$TMP/proof" "$API/api/v1/receipts/$rseq/proof" &&
	    "$BUILD/tmonctl" verify-proof "$TMP/proof" "$TMP/entry" --key "$VKEY" 	    --witness "$W1KEY" >"$TMP/vp.out" 2>&1
}
wait_for 20 proved && pass "tmonctl verify-proof, witness one's cosignature required: $(tail -n 1 "$TMP/vp.out")" ||
    fail "verify-proof: $(cat "$TMP/vp.out"; head -c 600 "$TMP/proof")"
head -n 1 "$TMP/proof" | grep -qx 'c2sp.org/tlog-proof@v1' && pass "the proof is a c2sp.org/tlog-proof@v1" ||
    fail "proof header: $(head -n 1 "$TMP/proof")"
vp() { # EXPECTED-EXIT WHAT ARGS...
	local want=$1 what=$2 rc
	shift 2
	"$BUILD/tmonctl" verify-proof "$@" >"$TMP/vp.out" 2>&1
	rc=$?
	[ $rc = "$want" ] && pass "verify-proof $what: exit $rc ($(tail -n 1 "$TMP/vp.out"))" ||
	    fail "verify-proof $what: exit $rc, want $want: $(cat "$TMP/vp.out")"
}
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[10]^=1; open(sys.argv[2],"wb").write(b)' "$TMP/entry" "$TMP/entry.bad"
vp 1 "of another entry" "$TMP/proof" "$TMP/entry.bad" --key "$VKEY"
python3 -c 'import sys,re; t=open(sys.argv[1]).read(); t=re.sub(r"^index (\d+)$", lambda m: "index %d" % (int(m.group(1)) + 1), t, flags=re.M); open(sys.argv[2],"w").write(t)' "$TMP/proof" "$TMP/proof.idx"
vp 1 "with another index" "$TMP/proof.idx" "$TMP/entry" --key "$VKEY"
vp 1 "against another log key" "$TMP/proof" "$TMP/entry" --key "$("$TC" genkey "$ORIGIN" | sed -n 2p)"
vp 1 "requiring the split-view witness" "$TMP/proof" "$TMP/entry" --key "$VKEY" --witness "$W2KEY"
vp 2 "without --key" "$TMP/proof" "$TMP/entry"
curl -s -o /dev/null -w '%{http_code}' "$API/api/v1/receipts/0/proof" | grep -qx 404 &&
    pass "a probe entry has no receipt proof (404)" || fail "receipt proof of entry 0"

# The log's gauges on /metrics: Prometheus text format, consistent values.
curl -sf "$API/metrics" >"$TMP/metrics" || fail "GET /metrics"
python3 - "$TMP/metrics" <<'EOF2' && pass "/metrics: $(grep -E '^tmon_log_' "$TMP/metrics" | tr '\n' ' ')" || fail "/metrics: $(cat "$TMP/metrics")"
import re, sys
v, types = {}, {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r"# TYPE ([a-z_:][a-z0-9_:]*) (counter|gauge|histogram)$", line)
    if m:
        types[m.group(1)] = m.group(2)
        continue
    if line.startswith("# HELP "):
        continue
    m = re.match(r"([a-z_:][a-z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+)$", line)
    assert m, line
    assert re.sub(r"_(bucket|sum|count)$", "", m.group(1)) in types, line
    v[m.group(1)] = float(m.group(3))
assert types["tmon_log_entries"] == "gauge"
assert 1 <= v["tmon_log_checkpoint_entries"] <= v["tmon_log_entries"]
assert 0 <= v["tmon_log_checkpoint_age_seconds"] < 30
assert v["tmon_log_checkpoint_cosignatures"] in (0, 1)
EOF2

# tmonctl audit over the tiles tmond serves (and every checkpoint it lists).
cp "$TMP/t.db.checkpoint" "$TMP/early.checkpoint"
"$BUILD/tmonctl" audit "$API/api/v1/log" --key "$VKEY" --no-rederive -j 2 \
    --from-checkpoint "$TMP/early.checkpoint" >"$TMP/ta.out" 2>&1 &&
    pass "tmonctl audit of tmond's tiles: $(grep '^tree:' "$TMP/ta.out") / $(tail -n 1 "$TMP/ta.out")" ||
    fail "audit of the tiles: $(cat "$TMP/ta.out")"
"$BUILD/tmonctl" audit "$API/api/v1/log" --key "$VKEY" >"$TMP/ta.out" 2>&1; rc=$?
[ $rc = 3 ] && pass "the tiles without --no-rederive: exit 3 ($(tail -n 1 "$TMP/ta.out" | cut -c1-80))" ||
    fail "tiles audit without --no-rederive: exit $rc"

# The tiles as files: tmonctl export-tiles, checked by Go as a directory.
stop_tmond
"$BUILD/tmonctl" export-tiles "$TMP/t.db" "$TMP/mirror" >"$TMP/export.out" 2>&1 &&
    pass "$(tail -n 1 "$TMP/export.out")" || fail "export-tiles: $(cat "$TMP/export.out")"
out=$("$TC" tiles -origin "$ORIGIN" "$TMP/mirror" "$VKEY" 2>&1) &&
    pass "Go checks the exported tiles: $out" || fail "Go check of the export: $out"
"$BUILD/tmonctl" audit "$TMP/mirror" --key "$VKEY" --no-rederive >"$TMP/ta.out" 2>&1 &&
    pass "tmonctl audit of the mirror directory: $(tail -n 1 "$TMP/ta.out" | cut -c1-100)" ||
    fail "audit of the mirror: $(cat "$TMP/ta.out")"
# A mirror that changed one entry byte, one that changed its hash tile to
# match, and one rolled back behind a checkpoint the auditor kept.
cp -r "$TMP/mirror" "$TMP/m1"
python3 - "$TMP/m1/tile/entries" <<'EOF2'
import os, sys
f = sorted(os.path.join(r, n) for r, _, fs in os.walk(sys.argv[1]) for n in fs)[0]
b = bytearray(open(f, "rb").read()); b[40] ^= 1; open(f, "wb").write(b)
EOF2
"$BUILD/tmonctl" audit "$TMP/m1" --key "$VKEY" --no-rederive >"$TMP/ta.out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "first bad seq 0" "$TMP/ta.out" &&
    pass "a mirror with one entry byte changed: exit 1 ($(grep -m1 damaged "$TMP/ta.out" | cut -c1-120))" ||
    fail "changed mirror: exit $rc $(cat "$TMP/ta.out")"


n=$(q "$TMP/t.db" "SELECT count(*) FROM entries")
[ "$(q "$TMP/t.db" "SELECT max(size) FROM checkpoints")" = "$n" ] &&
    pass "the last checkpoint covers all $n entries (signed at stop)" ||
    fail "last checkpoint $(q "$TMP/t.db" "SELECT max(size) FROM checkpoints") of $n entries"
python3 - "$TMP/t.db" "$TMP/t.db.checkpoint" <<'EOF' && pass "checkpoint file = the latest stored checkpoint" || fail "checkpoint file"
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
note = c.execute("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1").fetchone()[0]
sys.exit(0 if open(sys.argv[2], "rb").read() == note else 1)
EOF
out=$("$BUILD/tmonctl" log-key --db "$TMP/t.db") && [ "$out" = "$VKEY" ] &&
    pass "tmonctl log-key: $out" || fail "tmonctl log-key: $out"
"$BUILD/tmonctl" log-key --db "$TMP/nothere.db" 2>"$TMP/lk.err"; rc=$?
[ $rc = 2 ] && pass "tmonctl log-key without a key file: exit 2 ($(cat "$TMP/lk.err"))" || fail "log-key: exit $rc"

# ---- integrity at rest ---------------------------------------------------
# A copy of the log is its file and its write-ahead log: the last handle
# tmond closes is a reader, which leaves t.db-wal in place.
keep() { # NAME
	rm -f "$TMP/$1" "$TMP/$1-wal"
	cp "$TMP/t.db" "$TMP/$1"
	[ -f "$TMP/t.db-wal" ] && cp "$TMP/t.db-wal" "$TMP/$1-wal"
	return 0
}
use() { # NAME: the log to start from, without another one's -wal/-shm,
	# and the checkpoint file of the good log (once there is one)
	rm -f "$TMP/t.db-wal" "$TMP/t.db-shm"
	cp "$TMP/$1" "$TMP/t.db"
	[ -f "$TMP/$1-wal" ] && cp "$TMP/$1-wal" "$TMP/t.db-wal"
	[ -f "$TMP/late.checkpoint" ] && cp "$TMP/late.checkpoint" "$TMP/t.db.checkpoint"
	return 0
}
keep old.db
start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 || exit 1
more() { [ "$(q "$TMP/t.db" "SELECT max(size) FROM checkpoints")" -gt "$n" ]; }
wait_for 20 more && pass "restarted: the log grew to $(q "$TMP/t.db" "SELECT max(size) FROM checkpoints")" ||
    fail "no new checkpoint after the restart"
stop_tmond
keep good.db

refused() { # WHAT GREP: tmond must exit non-zero, saying GREP
	timeout -s KILL 20 "$BUILD/tmond" --config "$TMP/sched.json" --db "$TMP/t.db" \
	    --listen 127.0.0.1:0 2>"$TMP/refuse.err"
	local rc=$?
	if [ $rc != 0 ] && [ $rc != 137 ] && grep -q "$2" "$TMP/refuse.err"; then
		pass "$1: tmond refuses to start: $(grep -o "$2.*" "$TMP/refuse.err" | head -n 1 | cut -c1-160)"
	else
		fail "$1: tmond exit $rc: $(tail -n 3 "$TMP/refuse.err")"
	fi
}

# audited WHAT GREP [ARGS...]: tmonctl audit --key (and ARGS) exits 1
# naming GREP.
audited() {
	local what=$1 grep=$2 rc
	shift 2
	"$BUILD/tmonctl" audit "$TMP/t.db" --no-rederive --key "$VKEY" "$@" >"$TMP/audit.out" 2>&1
	rc=$?
	if [ $rc = 1 ] && grep -q "$grep" "$TMP/audit.out"; then
		pass "$what: tmonctl audit exit 1: $(grep -m1 -o "$grep.*" "$TMP/audit.out" | cut -c1-150)"
	else
		fail "$what: tmonctl audit exit $rc: $(tail -n 4 "$TMP/audit.out")"
	fi
}
use good.db
"$BUILD/tmonctl" audit "$TMP/t.db" --config "$TMP/sched.json" --key "$VKEY" \
    --from-checkpoint "$TMP/t.db.checkpoint" >"$TMP/audit.out" 2>&1 &&
    pass "the good log: $(tail -n 1 "$TMP/audit.out" | cut -c1-160)" ||
    fail "audit of the good log: $(tail -n 5 "$TMP/audit.out")"
cp "$TMP/t.db.checkpoint" "$TMP/late.checkpoint"
# The first export is now a mirror left behind a checkpoint the auditor kept.
"$BUILD/tmonctl" audit "$TMP/mirror" --key "$VKEY" --no-rederive \
    --from-checkpoint "$TMP/late.checkpoint" >"$TMP/ta.out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "rolled back" "$TMP/ta.out" &&
    pass "a mirror behind a saved checkpoint: exit 1 ($(grep -m1 -o 'the saved checkpoint.*' "$TMP/ta.out"))" ||
    fail "stale mirror: exit $rc $(tail -n 3 "$TMP/ta.out")"

# A rolled-back database: the checkpoint file has signed a larger tree.
use old.db
refused "rolled back to an earlier copy" "rolled back"
audited "rolled back to an earlier copy" "is larger than the log" --from-checkpoint "$TMP/late.checkpoint"

# One byte of one body changed, nothing else.
use good.db
python3 - "$TMP/t.db" <<'EOF2'
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.executescript("DROP TRIGGER entries_no_update;")
b = bytes(d.execute("SELECT body FROM entries WHERE seq = 5").fetchone()[0])
d.execute("UPDATE entries SET body = ? WHERE seq = 5", (b.replace(b'"time":', b'"time": ', 1),))
d.commit()
EOF2
refused "one body changed" "entry 5"
audited "one body changed" "first bad seq 5"

# Two entries swapped (bodies and hashes moved as they are).
use good.db
python3 - "$TMP/t.db" <<'EOF2'
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.executescript("DROP TRIGGER entries_no_update;")
cols = "time, kind, model, verdict, body, leaf_hash, chain_hash"
a = d.execute("SELECT %s FROM entries WHERE seq = 7" % cols).fetchone()
b = d.execute("SELECT %s FROM entries WHERE seq = 8" % cols).fetchone()
upd = "UPDATE entries SET time=?, kind=?, model=?, verdict=?, body=?, leaf_hash=?, chain_hash=? WHERE seq=?"
d.execute(upd, b + (7,))
d.execute(upd, a + (8,))
d.commit()
EOF2
refused "two entries swapped" "entry 7"
audited "two entries swapped" "first bad seq 7"

# A blob replaced by other bytes under its key.
use good.db
python3 - "$TMP/t.db" <<'EOF2'
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.executescript("DROP TRIGGER blobs_no_update;")
k, data = d.execute("SELECT sha256, data FROM blobs ORDER BY len DESC LIMIT 1").fetchone()
d.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", (bytes(data[:-1]) + bytes([data[-1] ^ 1]), k))
d.commit()
EOF2
audited "a blob replaced" "blob bytes do not hash to their key"

# One body rewritten by someone with the file, and every hash after it
# recomputed (leaf, chain, the whole tree): only the signed checkpoints
# can tell.
use good.db
python3 - "$TMP/t.db" 3 <<'EOF' || fail "tampering script"
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seq = int(sys.argv[2])
H = lambda b: hashlib.sha256(b).digest()
db.executescript("DROP TRIGGER entries_no_update; DROP TRIGGER tree_no_update;"
                 " DROP TRIGGER tree_no_delete;")
body = db.execute("SELECT body FROM entries WHERE seq = ?", (seq,)).fetchone()[0]
body = body.replace(b'"verdict":"', b'"verdict":"X', 1).replace(b'"verdict":"X', b'"verdict":"', 1)
body = body.replace(b'"time":', b'"time": ', 1)    # one more byte, same JSON
db.execute("UPDATE entries SET body = ? WHERE seq = ?", (body, seq))
rows = db.execute("SELECT seq, body FROM entries ORDER BY seq").fetchall()
prev, leaves = bytes(32), []
for s, b in rows:
    leaf = H(b"\x00" + b)
    prev = H(prev + leaf)
    leaves.append(leaf)
    db.execute("UPDATE entries SET leaf_hash = ?, chain_hash = ? WHERE seq = ?", (leaf, prev, s))
db.execute("DELETE FROM tree")
level, nodes = 0, leaves
while nodes:
    db.executemany("INSERT INTO tree VALUES (?, ?, ?)", [(level, i, h) for i, h in enumerate(nodes)])
    nodes = [H(b"\x01" + nodes[i] + nodes[i + 1]) for i in range(0, len(nodes) - 1, 2)]
    level += 1
db.commit()
EOF
refused "entry 3 rewritten, hashes and tree recomputed" "checkpoint [0-9]*: its root is not"
audited "entry 3 rewritten, hashes and tree recomputed" "checkpoint [0-9]*: its root is not"
# ... and with the checkpoints table emptied too, the checkpoint file.
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.executescript("DROP TRIGGER cosignatures_no_delete; DELETE FROM cosignatures; DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints;")' "$TMP/t.db" ||
    fail "deleting the checkpoints"
refused "and every stored checkpoint deleted" "are not the ones the log signed"
audited "and every stored checkpoint deleted" "saved checkpoint of size [0-9]* does not match" --from-checkpoint "$TMP/late.checkpoint"

# The last entry removed (and its tree leaf).
use good.db
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.executescript("DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = (SELECT max(seq) FROM entries);")' "$TMP/t.db"
refused "last entry deleted" "tree"
audited "last entry deleted" "leaves for"

# Another key in the key file.
use good.db
cp "$TMP/t.db.key" "$TMP/right.key"
"$TC" genkey "$ORIGIN" | sed -n 1p >"$TMP/t.db.key"
refused "a key file that did not sign this log" "is the key file the one"
cp "$TMP/right.key" "$TMP/t.db.key"
chmod 644 "$TMP/t.db.key"
refused "a key file others can read" "chmod 600"
chmod 600 "$TMP/t.db.key"

# The good log still starts.
start_tmond --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 &&
    pass "the untouched log starts" || fail "the good log does not start"
stop_tmond

finish
