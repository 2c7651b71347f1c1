#!/usr/bin/env bash
# The Chutes direct API (tests/data/replay/chutes-2026-05-20, a recorded
# /e2e/instances answer and /chutes/{chute}/evidence answer of four
# instances, 8 GPUs each):
#   tmonctl verify-attestation EVIDENCE --instances INSTANCES with the
#     recorded nonce (the evidence URL's nonce=) at the answer's Date:
#     tdx.reportdata and gpu.nonce pass (layout chutes); with another
#     nonce both fail (exit 1); without --instances they cannot be
#     checked (error, exit 3); with the capture's collateral (FMSPC
#     90c06f000000) the instances on b0c06f000000 have none
#     (tdx.collateral and tdx.tcb error "no collateral for FMSPC
#     b0c06f000000", exit 3);
#   tmond probes provider "chutes" through tmon-replay: two requests per
#     probe, both answers logged as blobs byte for byte, the instances
#     request in the entry; the replayed evidence binds the recorded
#     nonce, not tmond's fresh one, so the signatures and chains pass and
#     tdx.reportdata and gpu.nonce fail (as for the other replayed
#     captures); tmonctl audit re-derives the verdict from the two blobs.
# Usage: test_chutes.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmond tmon-replay tmonctl

D=$SRC/tests/data/replay/chutes-2026-05-20
EV=$D/evidence.body
INST=$D/e2e_instances.body
CHUTE=e51e818e-fa63-570d-9f68-49d7d1b4d12f
# evidence_http_meta.json: url ...?nonce=cda7...8379, Date Wed, 20 May 2026 02:18:05 GMT
NONCE=cda7576dbb7d1ea2852e4a70502723f8d1678fb1ecdb69d6b3224620ac368379
OTHER=cda7576dbb7d1ea2852e4a70502723f8d1678fb1ecdb69d6b3224620ac368378
AT=1779243485

grep -q "evidence?nonce=$NONCE\"" "$D/evidence_http_meta.json" &&
    grep -q '"Wed, 20 May 2026 02:18:05 GMT"' "$D/evidence_http_meta.json" ||
    fail "the recorded nonce and Date are not the ones this test uses"

status_is() { # ID STATUS FILE
	grep -Eq "^$1 +$2 " "$3" || { fail "$1 is not $2:"; grep -E "^$1 " "$3"; }
}

"$BUILD/tmonctl" verify-attestation "$EV" --instances "$INST" --nonce "$NONCE" --at $AT >"$TMP/v1"
rc=$?
[ $rc = 3 ] && pass "recorded nonce, no collateral: exit 3" || fail "recorded nonce: exit $rc"
for id in response.parse tdx.quote.signature tdx.pck_chain tdx.reportdata gpu.evidence gpu.cert_chain gpu.nonce; do
	status_is $id pass "$TMP/v1"
done
status_is nonce.echo skip "$TMP/v1"
grep -q "^format: chutes-direct$" "$TMP/v1" || fail "format"
grep -Eq "^gpu.nonce +pass .*8 GPUs.*layout chutes" "$TMP/v1" || fail "gpu.nonce detail: $(grep ^gpu.nonce "$TMP/v1")"

"$BUILD/tmonctl" verify-attestation "$EV" --instances "$INST" --nonce "$OTHER" --at $AT >"$TMP/v2"
rc=$?
[ $rc = 1 ] && pass "another nonce: exit 1" || fail "another nonce: exit $rc"
status_is tdx.reportdata fail "$TMP/v2"
status_is gpu.nonce fail "$TMP/v2"
status_is tdx.quote.signature pass "$TMP/v2"

"$BUILD/tmonctl" verify-attestation "$EV" --nonce "$NONCE" --at $AT >"$TMP/v3"
rc=$?
[ $rc = 3 ] && pass "no --instances: exit 3" || fail "no --instances: exit $rc"
status_is tdx.reportdata error "$TMP/v3"
status_is gpu.nonce error "$TMP/v3"

"$BUILD/tmonctl" verify-attestation "$EV" --instances "$INST" --nonce "$NONCE" --at $AT \
    --collateral "$D/collateral_90c06f000000.json" >"$TMP/v4"
rc=$?
[ $rc = 3 ] && pass "with the 90c06f000000 collateral: exit 3 (b0c06f000000 not held)" || fail "collateral: exit $rc"
# each instance is judged with its own FMSPC's collateral: those on
# b0c06f000000 have none (the 90c06f000000 ones pass)
for id in tdx.collateral tdx.tcb; do
	grep -Eq "^$id +error +instance\[[0-9]+\]: no collateral for FMSPC b0c06f000000$" "$TMP/v4" ||
	    fail "$id: $(grep "^$id " "$TMP/v4")"
done

# an instances answer of the wrong shape: the response is malformed
printf '{"instances":[{"instance_id":"x"}]}' >"$TMP/bad_inst.json"
"$BUILD/tmonctl" verify-attestation "$EV" --instances "$TMP/bad_inst.json" --nonce "$NONCE" --at $AT >"$TMP/v5"
rc=$?
[ $rc = 1 ] && grep -Eq "^response.parse +fail .*e2e_pubkey" "$TMP/v5" &&
    pass "malformed instances answer: response.parse fail" || { fail "malformed instances: exit $rc"; cat "$TMP/v5"; }

# ---- tmond, provider chutes, through tmon-replay ------------------------
start_replay --dir "$SRC/tests/data/replay" --listen 127.0.0.1:0 || exit 1
cat >"$TMP/sched.json" <<EOF
{"pcs": false,
 "models": [{"provider": "chutes", "model": "$CHUTE", "name": "chutes/glm-5",
             "base_url": "http://127.0.0.1:$REPLAY_PORT", "interval_s": 1, "jitter_s": 0}]}
EOF
start_tmond --init --config "$TMP/sched.json" --db "$TMP/t.db" --listen 127.0.0.1:0 || exit 1
nprobes() { q "$TMP/t.db" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = 'chutes/glm-5'"; }
has2() { [ "$(nprobes)" -ge 2 ] 2>/dev/null; }
wait_for 60 has2 && pass "tmond logged 2 probes of chutes/glm-5" || { fail "no probes"; tail -20 "$TMP/log"; }
stop_tmond

q "$TMP/t.db" "SELECT CAST(body AS TEXT) FROM entries WHERE kind = 'probe' ORDER BY seq LIMIT 1" >"$TMP/entry.json"
python3 - "$TMP/entry.json" "$EV" "$INST" "$CHUTE" >"$TMP/py.out" <<'EOF'
import hashlib, json, sys
e = json.load(open(sys.argv[1]))
ev = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
inst = hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()
chute = sys.argv[4]
assert e["format"] == "chutes-direct", e["format"]
assert e["provider"] == "chutes"
assert e["request"]["body_sha256"] == ev, "evidence blob"
assert e["request"]["url"].endswith("/chutes/%s/evidence?nonce=%s" % (chute, e["nonce"])), e["request"]["url"]
assert e["instances"]["body_sha256"] == inst, "instances blob"
assert e["instances"]["url"].endswith("/e2e/instances/" + chute), e["instances"]["url"]
assert e["instances"]["status"] == 200
assert e["canary"] is None
st = {c["id"]: c["status"] for c in e["checks"]}
for i in ("http.fetch", "response.parse", "tdx.quote.signature", "tdx.pck_chain",
          "gpu.evidence", "gpu.cert_chain"):
    assert st[i] == "pass", (i, st[i])
for i in ("tdx.reportdata", "gpu.nonce"):
    assert st[i] == "fail", (i, st[i])
assert e["verdict"] == "fail"
print("entry ok")
EOF
[ $? = 0 ] && pass "probe entry: $(cat "$TMP/py.out")" || { fail "probe entry"; cat "$TMP/py.out"; }
# both answers are stored byte for byte
for f in "$EV" "$INST"; do
	h=$(sha256sum "$f" | cut -c1-64)
	[ "$(q "$TMP/t.db" "SELECT count(*) FROM blobs WHERE hex(sha256) = upper(?)" "$h")" = 1 ] &&
	    pass "blob $(basename "$f") stored" || fail "blob $(basename "$f") missing"
done
VKEY=$("$BUILD/tmonctl" log-key --db "$TMP/t.db")
"$BUILD/tmonctl" audit "$TMP/t.db" --key "$VKEY" --config "$TMP/sched.json" >"$TMP/audit.out" 2>&1
rc=$?
[ $rc = 0 ] && pass "audit re-derives the chutes probes: $(tail -1 "$TMP/audit.out")" || { fail "audit exit $rc"; tail -20 "$TMP/audit.out"; }
finish
