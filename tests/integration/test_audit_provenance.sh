#!/usr/bin/env bash
# tmonctl audit re-derives code provenance (monitor/audit.h): every
# `provenance` entry re-verified from its stored release JSON, digest
# asset and attestations answer against tmon-sim's TEST Sigstore trusted
# root (PKI_DIR/sigstore/trusted_root.json, a test root, never a real
# one), and every probe's provenance.release and provenance.measurement
# replayed from the model's provenance entries before it.  A real tmond
# probes tmon-sim's sim/tinfoil-release (its release v0.1.0 verified:
# pass, pass) and sim/tinfoil-unattested (rolls out to registers no
# release attests after 3 attestations: provenance.measurement fail),
# with hardware_repo; then restarts with sim/tinfoil-unattested alone (the
# look-up after the restart logs v0.1.0 again: the replay starts over
# there).  Then:
#   the log as written     audit --trusted-root exit 0, the provenance
#                          entries and every probe follow (-j 1 and -j 2)
#   the public-good root   (the default) the entries were verified against
#                          another root: not re-checked, exit 3
#   a flipped byte in a stored attestations blob (nothing else fixed):
#                          the blob hash fails (damaged) and the entry
#                          cannot be re-checked: exit 1
#   a forged check         a probe's provenance.measurement pass -> fail,
#                          hashes recomputed: "does not follow", exit 1
#   a forged probe         the unattested probe's failing
#                          provenance.measurement (and verdict) made pass
#   a forged entry         a provenance entry's stored tag, and one whose
#                          sigstore.* check and verdict say fail
#   an unlogged reset      tmond restarted once more, for sim/tinfoil-release
#                          without hardware_repo, after v0.2.0 was
#                          published: nothing in the log shows that it
#                          forgot v0.1.0 and the hardware release, so its
#                          probes' statuses, which only fewer releases
#                          give, are not re-checked (exit 3), none follows
# About 30 s.
# Usage: test_audit_provenance.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmond tmon-sim tmonctl

start_sim "$TMP/pki" || exit 1
ROOT=$TMP/pki/sigstore/trusted_root.json
[ -f "$ROOT" ] || { fail "no test trusted root in PKI_DIR/sigstore"; finish; }

# sched MODEL...: a schedule probing MODELs once a second with provenance
# (and hardware_repo, unless NOHW is set)
sched() {
	python3 - "$TMP" "$SIM_PORT" "${NOHW:-}" "$@" <<'EOF'
import json, sys
t, port, nohw, models = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
hw = {} if nohw else {"hardware_repo": "tmon-sim/hardware-measurements"}
base = "http://127.0.0.1:" + port
print(json.dumps({
    "test_trust_anchors": {"intel_root_ca": t + "/pki/intel_root.pem",
                           "nvidia_root_ca": t + "/pki/nvidia_root.pem"},
    "pcs": {"base_url": base, "root_ca_crl_url": base + "/IntelSGXRootCA.der"},
    "kds": False,
    "github": {"api_url": base, "download_url": base},
    "provenance": {"trusted_root": t + "/pki/sigstore/trusted_root.json",
                   "recheck_s": 60},
    "models": [{"provider": "phala", "model": "sim/" + m, "base_url": base,
                "interval_s": 1, "jitter_s": 0, "canary": False,
                "provenance": dict({"repo": "tmon-sim/" + m,
                                    "workflow": ".github/workflows/release.yml",
                                    "ref": "refs/tags/v*"}, **hw)}
               for m in models]}))
EOF
}
sched tinfoil-release tinfoil-unattested >"$TMP/sched.json"
sched tinfoil-unattested >"$TMP/sched2.json"
NOHW=1 sched tinfoil-release >"$TMP/sched3.json"

DB=$TMP/t.db
nmeas() {	# MODEL STATUS: probes whose provenance.measurement is STATUS
	q "$DB" "SELECT count(*) FROM entries, json_each(CAST(entries.body AS TEXT), '\$.checks') AS c
	    WHERE kind = 'probe' AND model = ? AND json_extract(c.value, '\$.id') = 'provenance.measurement'
	    AND json_extract(c.value, '\$.status') = ?" "$1" "$2"
}
run1_done() {
	[ "$(nmeas sim/tinfoil-release pass)" -ge 3 ] 2>/dev/null &&
	    [ "$(nmeas sim/tinfoil-unattested fail)" -ge 1 ] 2>/dev/null
}
start_tmond --init --config "$TMP/sched.json" --db "$DB" --listen 127.0.0.1:0 || exit 1
wait_for 40 run1_done || { fail "no probes with provenance.measurement pass and fail within 40 s"; tail -n 30 "$TMP/log"; finish; }
stop_tmond
n1=$(q "$DB" "SELECT count(*) FROM entries WHERE kind = 'provenance'")
start_tmond --config "$TMP/sched2.json" --db "$DB" --listen 127.0.0.1:0 || exit 1
run2_done() {
	[ "$(q "$DB" "SELECT count(*) FROM entries WHERE kind = 'provenance'")" -gt "$n1" ] &&
	    [ "$(q "$DB" "SELECT count(*) FROM entries WHERE kind = 'probe' AND seq > (SELECT max(seq) FROM entries WHERE kind = 'provenance')")" -ge 2 ]
}
wait_for 30 run2_done || fail "no look-up and probes after the restart within 30 s"
stop_tmond

n=$(q "$DB" "SELECT count(*) FROM entries")
VKEY=$("$BUILD/tmonctl" log-key --db "$DB")
kinds=$(q "$DB" "SELECT group_concat(k, ' ') FROM (SELECT kind || '=' || count(*) AS k FROM entries GROUP BY kind)")
pass "the log: $n entries ($kinds)"
python3 - "$DB" <<'EOF' || fail "the log is not what the test needs"
import json, sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
prov = [(s, m, json.loads(b)) for s, m, b in db.execute(
    "SELECT seq, model, body FROM entries WHERE kind = 'provenance' ORDER BY seq")]
for s, m, b in prov:
    print("provenance entry %d: %s %s@%s %s" % (s, m, b["repo"], b["tag"], b["verdict"]))
un = [(b["repo"], b["tag"]) for s, m, b in prov if m == "sim/tinfoil-unattested"]
ok = un.count(("tmon-sim/tinfoil-unattested", "v0.1.0")) == 2
print(("ok: " if ok else "FAIL: ") + "sim/tinfoil-unattested: v0.1.0 logged again after the restart")
sys.exit(0 if ok and all(b["verdict"] == "pass" for s, m, b in prov) else 1)
EOF

# ---- the log as written ------------------------------------------------------
np=$(q "$DB" "SELECT count(*) FROM entries WHERE kind = 'provenance'")
audit "as written" 0 "$DB" --config "$TMP/sched.json" --trusted-root "$ROOT" -- \
    "audit: ok: $n entries" "every verdict follows from its stored evidence" \
    " $np provenance," " 0 do not, 0 could not be re-checked"
grep '^re-derived\|^  ' "$TMP/audit.out"
audit "as written, -j 1" 0 "$DB" --config "$TMP/sched.json" --trusted-root "$ROOT" -j 1 -- \
    "audit: ok: $n entries"
audit "as written, -j 2" 0 "$DB" --config "$TMP/sched.json" --trusted-root "$ROOT" -j 2 -- \
    "audit: ok: $n entries"
seq=$(q "$DB" "SELECT min(seq) FROM entries WHERE kind = 'provenance'")
audit "the public-good root" 3 "$DB" --config "$TMP/sched.json" -- \
    "^not re-checked: entry $seq (provenance sim/tinfoil-[a-z]*): could not re-check: its attestations were verified against the Sigstore trusted root [0-9a-f]*, not the one given" \
    "(probe sim/tinfoil-release): could not re-check: its provenance checks: the model's provenance entry [0-9]* before it does not re-derive (unchecked)" \
    "audit: NOT VERIFIED"
"$BUILD/tmonctl" audit "$DB" --key "$VKEY" --trusted-root "$TMP/none.json" >"$TMP/audit.out" 2>&1
[ $? = 2 ] && grep -q -- "--trusted-root: " "$TMP/audit.out" && pass "a --trusted-root that cannot be read: exit 2" ||
    { fail "a --trusted-root that cannot be read:"; cat "$TMP/audit.out"; }

# Signed checkpoints (if tmond made one) no longer match a forged tree:
# then the audit also reports them.  cps DB: how many there are.
cps() { q "$1" "SELECT count(*) FROM checkpoints" 2>/dev/null || echo 0; }

# ---- a flipped byte in the attestations blob -----------------------------------
seq=$(q "$DB" "SELECT min(seq) FROM entries WHERE kind = 'provenance' AND model = 'sim/tinfoil-release' AND json_extract(CAST(body AS TEXT), '\$.repo') = 'tmon-sim/tinfoil-release'")
blob=$(q "$DB" "SELECT json_extract(CAST(body AS TEXT), '\$.documents.attestations.body_sha256') FROM entries WHERE seq = $seq")
[ -n "$blob" ] && pass "entry $seq: attestations blob $blob" || fail "entry $seq has no attestations blob"
dbcopy "$DB" "$TMP/blob.db"
python3 - "$TMP/blob.db" "$blob" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
key = bytes.fromhex(sys.argv[2])
d = bytearray(c.execute("SELECT data FROM blobs WHERE sha256 = ?", (key,)).fetchone()[0])
i = d.find(b'"bundle"') + 20	# a byte inside the first bundle
d[i] ^= 0x01
trig = c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'blobs'").fetchall()
for name, _ in trig:
    c.execute('DROP TRIGGER "%s"' % name)
c.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", (bytes(d), key))
for _, sql in trig:
    c.execute(sql)
c.commit()
EOF
audit "a flipped byte in the attestations blob" 1 "$TMP/blob.db" --config "$TMP/sched.json" --trusted-root "$ROOT" -- \
    "^damaged: .*$blob" \
    "^not re-checked: entry $seq (provenance sim/tinfoil-release): could not re-check: its blob $blob (attestations) is damaged" \
    "(probe sim/tinfoil-release): could not re-check: its provenance checks: the model's provenance entry $seq before it does not re-derive" \
    "^audit: FAILED: "

# ---- a forged provenance.measurement ---------------------------------------------
seq=$(q "$DB" "SELECT max(e.seq) FROM entries e, json_each(CAST(e.body AS TEXT), '\$.checks') c WHERE e.kind = 'probe'
    AND e.model = 'sim/tinfoil-release' AND json_extract(c.value, '\$.id') = 'provenance.measurement'
    AND json_extract(c.value, '\$.status') = 'pass'")
dbcopy "$DB" "$TMP/check.db"
forge "$TMP/check.db" "$seq" '[k for k in b["checks"] if k["id"] == "provenance.measurement"][0]["status"] = "fail"'
audit "forged provenance.measurement (pass to fail)" 1 "$TMP/check.db" --config "$TMP/sched.json" --trusted-root "$ROOT" -- \
    "^does not follow: entry $seq (probe sim/tinfoil-release): stored checks do not follow from its evidence: provenance.measurement is pass, stored fail" \
    "^audit: FAILED: "

# ---- a forged probe: the unattested roll-out made to pass --------------------------
seq=$(q "$DB" "SELECT max(e.seq) FROM entries e, json_each(CAST(e.body AS TEXT), '\$.checks') c WHERE e.kind = 'probe'
    AND e.model = 'sim/tinfoil-unattested' AND json_extract(c.value, '\$.id') = 'provenance.measurement'
    AND json_extract(c.value, '\$.status') = 'fail'")
dbcopy "$DB" "$TMP/probe.db"
forge "$TMP/probe.db" "$seq" 'b["verdict"] = "pass"
for k in b["checks"]:
    k["status"] = "pass" if k["status"] in ("fail", "error") else k["status"]'
audit "forged unattested probe (to pass)" 1 "$TMP/probe.db" --config "$TMP/sched.json" --trusted-root "$ROOT" -- \
    "^does not follow: entry $seq (probe sim/tinfoil-unattested): stored verdict pass does not follow from its evidence, which gives fail: provenance.measurement is fail, stored pass" \
    "^audit: FAILED: "

# ---- forged provenance entries ------------------------------------------------------
seq=$(q "$DB" "SELECT min(seq) FROM entries WHERE kind = 'provenance' AND model = 'sim/tinfoil-release' AND json_extract(CAST(body AS TEXT), '\$.repo') = 'tmon-sim/tinfoil-release'")
dbcopy "$DB" "$TMP/tag.db"
forge "$TMP/tag.db" "$seq" 'b["tag"] = "v9.9.9"'
audit "forged provenance tag" 1 "$TMP/tag.db" --config "$TMP/sched.json" --trusted-root "$ROOT" -- \
    "^does not follow: entry $seq (provenance sim/tinfoil-release): stored tag v9.9.9 does not follow from its evidence, which gives v0.1.0" \
    "(probe sim/tinfoil-release): could not re-check: its provenance checks: the model's provenance entry $seq before it does not re-derive (differs)"
dbcopy "$DB" "$TMP/sig.db"
forge "$TMP/sig.db" "$seq" 'b["verdict"] = "fail"
[k for k in b["checks"] if k["id"] == "sigstore.dsse.signature"][0]["status"] = "fail"'
audit "forged provenance verdict" 1 "$TMP/sig.db" --config "$TMP/sched.json" --trusted-root "$ROOT" -- \
    "^does not follow: entry $seq (provenance sim/tinfoil-release): stored verdict fail does not follow from its evidence, which gives pass: sigstore.dsse.signature is pass, stored fail"

# ---- a reset the log does not show ---------------------------------------------------
# tmond restarted without hardware_repo for sim/tinfoil-release, whose
# latest release is now v0.2.0 (published after 3 attestations): it holds
# v0.2.0 alone, the replay also v0.1.0 and the hardware release, and no
# repeated tag shows the reset.  The first probe still runs v0.1.0 (fail
# for tmond, warn for the replay), the later ones v0.2.0 (error for tmond:
# no hardware predicate; pass for the replay): each stored status is what
# fewer releases give, so it is not re-checked, never "follows".
seq0=$(q "$DB" "SELECT max(seq) FROM entries")
start_tmond --config "$TMP/sched3.json" --db "$DB" --listen 127.0.0.1:0 || exit 1
run3_done() {
	[ "$(q "$DB" "SELECT count(*) FROM entries WHERE kind = 'provenance' AND seq > $seq0")" -ge 1 ] &&
	    [ "$(q "$DB" "SELECT count(*) FROM entries WHERE kind = 'probe' AND seq > $seq0")" -ge 3 ]
}
wait_for 30 run3_done || fail "no look-up and probes after the second restart within 30 s"
stop_tmond
q "$DB" "SELECT json_extract(CAST(body AS TEXT), '\$.tag') FROM entries WHERE kind = 'provenance' AND seq > $seq0" | grep -qx v0.2.0 &&
    pass "after the restart sim/tinfoil-release's latest release is v0.2.0" || fail "no v0.2.0 look-up after the restart"
seq=$(q "$DB" "SELECT min(seq) FROM entries WHERE kind = 'probe' AND seq > $seq0")
audit "an unlogged reset" 3 "$DB" --config "$TMP/sched3.json" --trusted-root "$ROOT" -- \
    "^not re-checked: entry $seq (probe sim/tinfoil-release): could not re-check: its provenance checks: provenance.measurement is stored fail, and the releases verified in the model's provenance entries before it give warn: fail follows only if tmond held fewer of them" \
    " 0 do not," "audit: NOT VERIFIED"

finish
