#!/usr/bin/env bash
# tmond with a configured NRAS ("nras": {"base_url"}), through tmon-replay:
# the Chutes direct capture of 2026-05-20 (tests/data/replay/
# chutes-2026-05-20) and the NVIDIA NRAS answer and JWKS recorded in the
# same capture (nras-chutes-2026-05-20).  For every probe tmond posts the
# GPU evidence to NRAS with its fresh nonce and checks NRAS's answer with
# the JWKS, fetched once and reused while it names the answer's key:
#   - the entry's "nras" member names the answer's and the JWKS's blobs,
#     both stored byte for byte; the JWKS is fetched once for 2 probes;
#   - gpu.nras is judged on the replayed answer: fail (at today's date
#     its short-lived NRAS signing certificate has expired; NRAS refused
#     the evidence, NONCE_NOT_MATCHING; and its eat_nonce is the
#     capture's, not tmond's: a replayed answer cannot be fresh, as
#     nonce.echo of every replayed attestation is not);
#   - tmonctl audit re-derives every probe from the stored blobs;
#   - an NRAS URL that answers 404: gpu.nras is error (not checked).
# The recorded answer passing with its own nonce is test_tmonctl_nras.
# Usage: test_nras_daemon.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
need python3
need_bin tmond tmon-replay tmonctl

N=$SRC/tests/data/replay/nras-chutes-2026-05-20
CHUTE=e51e818e-fa63-570d-9f68-49d7d1b4d12f

start_replay --dir "$SRC/tests/data/replay" --listen 127.0.0.1:0 || exit 1
sched() { # NRAS_PREFIX
	cat >"$TMP/sched.json" <<EOF
{"pcs": false, "nras": {"base_url": "http://127.0.0.1:$REPLAY_PORT$1"},
 "models": [{"provider": "chutes", "model": "$CHUTE", "name": "chutes/glm-5",
             "base_url": "http://127.0.0.1:$REPLAY_PORT", "interval_s": 1, "jitter_s": 0}]}
EOF
}
nprobes() { q "$1" "SELECT count(*) FROM entries WHERE kind = 'probe'"; }
# probes that reached NRAS (a probe whose evidence fetch failed under load,
# a timeout, never posts to NRAS and has no "nras" member)
nnras() { q "$1" "SELECT count(*) FROM entries WHERE kind = 'probe' AND CAST(body AS TEXT) LIKE '%\"nras\":%'"; }

sched /nras-chutes
"$BUILD/tmond" --check-config --config "$TMP/sched.json" --db "$TMP/t.db" --init >/dev/null 2>&1 &&
    pass "the schedule with nras checks" || fail "tmond -n refuses the nras key"
start_tmond --init --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 || exit 1
has2() { [ "$(nnras "$TMP/t.db")" -ge 2 ] 2>/dev/null; }
wait_for 90 has2 && pass "tmond logged 2 probes that posted to NRAS" || { fail "no probes"; tail -20 "$TMP/log"; }
stop_tmond
n=$(grep -c "nras: JWKS fetched" "$TMP/log")
[ "$n" = 1 ] && pass "the JWKS was fetched once and reused" || fail "JWKS fetched $n times"

q "$TMP/t.db" "SELECT group_concat(b, char(10)) FROM (SELECT CAST(body AS TEXT) AS b FROM entries WHERE kind = 'probe' ORDER BY seq)" >"$TMP/entries.json"
python3 - "$TMP/entries.json" "$N/attest_gpu.body" "$N/jwks.body" >"$TMP/py.out" <<'EOF'
import hashlib, json, sys
eat = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
jwks = hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "nras" not in e:
        # only a probe that got no evidence may lack it
        assert e["verdict"] != "pass", e["verdict"]
        print("a probe without evidence: %s" % e["request"], file=sys.stderr)
        continue
    r = e["nras"]
    assert r["url"].endswith("/nras-chutes/v3/attest/gpu"), r["url"]
    assert r["status"] == 200 and r["body_sha256"] == eat, r
    assert r["jwks_sha256"] == jwks, r
    c = {x["id"]: x for x in e["checks"]}["gpu.nras"]
    assert c["status"] == "fail" and c["detail"].startswith("NRAS "), c
    n += 1
assert n >= 2, n
print("%d entries, gpu.nras fail: %s" % (n, c["detail"][:90]))
EOF
[ $? = 0 ] && pass "entries: $(cat "$TMP/py.out")" || { fail "entries"; cat "$TMP/py.out"; }
for f in "$N/attest_gpu.body" "$N/jwks.body"; do
	h=$(sha256sum "$f" | cut -c1-64)
	[ "$(q "$TMP/t.db" "SELECT count(*) FROM blobs WHERE hex(sha256) = upper(?)" "$h")" = 1 ] &&
	    pass "blob $(basename "$f") stored" || fail "blob $(basename "$f") missing"
done
VKEY=$("$BUILD/tmonctl" log-key --db "$TMP/t.db")
"$BUILD/tmonctl" audit "$TMP/t.db" --key "$VKEY" --config "$TMP/sched.json" >"$TMP/audit.out" 2>&1
rc=$?
[ $rc = 0 ] && pass "audit re-derives gpu.nras from the blobs: $(tail -1 "$TMP/audit.out")" ||
    { fail "audit exit $rc"; tail -20 "$TMP/audit.out"; }

# an NRAS that answers 404: not checked
sched /no-nras-here
start_tmond --init --config "$TMP/sched.json" --db "$TMP/t2.db" --listen 127.0.0.1:0 || exit 1
has1() { [ "$(nprobes "$TMP/t2.db")" -ge 1 ] 2>/dev/null; }
wait_for 90 has1 && pass "tmond logged a probe (NRAS 404)" || fail "no probe"
stop_tmond
q "$TMP/t2.db" "SELECT CAST(body AS TEXT) FROM entries WHERE kind = 'probe' ORDER BY seq LIMIT 1" >"$TMP/e2.json"
python3 - "$TMP/e2.json" >"$TMP/py2.out" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
assert e["nras"]["status"] == 404 and e["nras"]["jwks_sha256"] is None, e["nras"]
c = {x["id"]: x for x in e["checks"]}["gpu.nras"]
assert c["status"] == "error" and "NRAS gave no answer: HTTP 404" in c["detail"], c
print(c["detail"])
EOF
[ $? = 0 ] && pass "NRAS 404: gpu.nras error ($(cat "$TMP/py2.out"))" || { fail "NRAS 404"; cat "$TMP/py2.out"; }
finish
