#!/usr/bin/env bash
# receipt.provenance in tmond (README "Receipts", "Checks"): a Private
# Mode receipt's releaseDigest and codeMeasurement are checked against
# the releases tmond verified for the receipt's model.  tmond probes
# tmon-sim's sim/tinfoil-release once (its latest release is v0.1.0 of
# tmon-sim/tinfoil-release, attested by tmon-sim's TEST Sigstore:
# PKI_DIR/sigstore/trusted_root.json, a test trust root) and sim/tinfoil,
# which has no "provenance".  The receipts are constructed (no real
# NanoGPT Private Mode receipt exists: tests/data/receipts/PROVENANCE.md)
# and unsigned, so their verdict is at most warn (receipt.signature);
# only receipt.provenance is asserted, with the release's values read
# from tests/data/sigstore-test (the digest asset and the attested
# in-toto predicate), never from tmond's answers:
#   the release's digest and registers          pass
#   another digest                              fail, naming it
#   the release's digest, RTMR2 differing       fail, naming RTMR2
#   the release's digest, another releaseTag    fail
#   a model without provenance, or none named   error
# Each is logged: the receipt entry lists receipt.provenance.  Takes a
# few seconds.
# Usage: test_receipts_provenance.sh BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

need curl python3
need_bin tmond tmon-sim tmonctl
DATA=$SRC/tests/data/sigstore-test
start_sim "$TMP/pki" || exit 1
sim=http://127.0.0.1:$SIM_PORT
[ -f "$TMP/pki/sigstore/trusted_root.json" ] || fail "no test trusted root in PKI_DIR/sigstore"

cat >"$TMP/sched.json" <<EOF
{"test_trust_anchors": {"intel_root_ca": "$TMP/pki/intel_root.pem",
  "nvidia_root_ca": "$TMP/pki/nvidia_root.pem"},
 "pcs": {"base_url": "$sim", "root_ca_crl_url": "$sim/IntelSGXRootCA.der"},
 "kds": false,
 "github": {"api_url": "$sim", "download_url": "$sim"},
 "provenance": {"trusted_root": "$TMP/pki/sigstore/trusted_root.json",
  "recheck_s": 86400},
 "models": [
  {"provider": "phala", "model": "sim/tinfoil-release", "base_url": "$sim",
   "interval_s": 3600, "jitter_s": 0, "canary": false,
   "provenance": {"repo": "tmon-sim/tinfoil-release",
    "workflow": ".github/workflows/release.yml", "ref": "refs/tags/v*",
    "hardware_repo": "tmon-sim/hardware-measurements"}},
  {"provider": "phala", "model": "sim/tinfoil", "base_url": "$sim",
   "interval_s": 3600, "jitter_s": 0, "canary": false}
 ]}
EOF
DB=$TMP/t.db
start_tmond --init --config "$TMP/sched.json" --db "$DB" \
    --listen 127.0.0.1:0 || exit 1

# The probe of sim/tinfoil-release waits for its provenance look-up.
probed() {
	[ "$(q "$DB" "SELECT count(*) FROM entries WHERE kind = 'probe' AND model = ?" "$1")" -ge 1 ] 2>/dev/null
}
wait_for 60 probed sim/tinfoil-release && pass "sim/tinfoil-release probed" ||
    { fail "no probe of sim/tinfoil-release within 60 s"; tail -n 30 "$TMP/log"; exit 1; }
wait_for 60 probed sim/tinfoil || fail "no probe of sim/tinfoil within 60 s"
python3 -c 'import sqlite3,sys; c=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro",uri=True); sys.stdout.buffer.write(c.execute("SELECT body FROM entries WHERE kind = ? AND model = ? ORDER BY seq LIMIT 1", ("probe", "sim/tinfoil-release")).fetchone()[0])' "$DB" >"$TMP/probe.json"
[ "$(check_status provenance.release "$TMP/probe.json")" = pass ] &&
    pass "the release verified: $(check_detail provenance.release "$TMP/probe.json")" ||
    fail "provenance.release $(check_status provenance.release "$TMP/probe.json"): $(check_detail provenance.release "$TMP/probe.json")"

# The receipts: the release's digest (its tinfoil.hash) and the
# registers of its attested predicate, decoded from the DSSE payload.
python3 - "$DATA" "$TMP" <<'EOF'
import base64, json, os, sys
data, out = sys.argv[1], sys.argv[2]
digest = open(os.path.join(data, "tinfoil-release_v0.1.0.hash")).read().strip()
att = json.load(open(os.path.join(data, "tinfoil-release_v0.1.0.attestations.json")))
st = json.loads(base64.b64decode(att["attestations"][0]["bundle"]["dsseEnvelope"]["payload"]))
assert st["subject"][0]["digest"]["sha256"] == digest
assert st["predicateType"] == "https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1"
p = st["predicate"]
regs = [p["snp_measurement"], p["tdx_measurement"]["rtmr1"], p["tdx_measurement"]["rtmr2"]]
ok = {"status": "success"}
def doc(digest, regs, tag="v0.1.0"):
    return {"configRepo": "tmon-sim/tinfoil-release", "enclaveHost": "sim.invalid",
            "releaseTag": tag, "releaseDigest": digest,
            "codeMeasurement": {"type": "https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1",
                                "registers": regs},
            "enclaveMeasurement": {"measurement": {
                "type": "https://tinfoil.sh/predicate/sev-snp-guest/v2",
                "registers": [regs[0]]}},
            "securityVerified": True,
            "steps": {"fetchDigest": ok, "verifyCode": ok, "verifyEnclave": ok,
                      "compareMeasurements": ok}}
other = "ab" * 32
bad = list(regs)
bad[2] = ("0" if regs[2][0] != "0" else "1") + regs[2][1:]
for name, d in (("good", doc(digest, regs)), ("upper", doc(digest.upper(), regs)),
                ("other", doc(other, regs)), ("rtmr2", doc(digest, bad)),
                ("tag", doc(digest, regs, "v9.9.9"))):
    json.dump(d, open(os.path.join(out, name + ".json"), "w"))
open(os.path.join(out, "other.digest"), "w").write(other)
open(os.path.join(out, "rtmr2.value"), "w").write(bad[2])
EOF
[ -f "$TMP/good.json" ] || { fail "could not build the receipts"; stop_tmond; finish; exit 1; }

# post NAME MODEL: POST $TMP/NAME.json for MODEL (URL-encoded, "" none);
# the answer in $TMP/NAME.ans, the status printed.
post() {
	local u="http://127.0.0.1:$PORT/api/v1/receipts"
	[ -n "$2" ] && u="$u?model=$2"
	curl -s -o "$TMP/$1.ans" -w '%{http_code}' --max-time 20 -X POST \
	    -H 'Content-Type: application/json' --data-binary @"$TMP/$1.json" "$u"
}
# expect NAME MODEL STATUS WHAT: post, then receipt.provenance is STATUS.
expect() {
	local st s d
	st=$(post "$1" "$2")
	[ "$st" = 201 ] || { fail "$4: HTTP $st $(cat "$TMP/$1.ans")"; return 1; }
	s=$(check_status receipt.provenance "$TMP/$1.ans" 2>/dev/null)
	d=$(check_detail receipt.provenance "$TMP/$1.ans" 2>/dev/null)
	[ "$s" = "$3" ] && pass "$4: receipt.provenance $s: $d" ||
	    { fail "$4: receipt.provenance '$s', want $3: $d"; return 1; }
	[ "$(jget verdict "$TMP/$1.ans")" != pass ] ||
	    fail "$4: verdict pass for an unsigned receipt"
}

cp "$TMP/good.json" "$TMP/nomodel.json"
cp "$TMP/good.json" "$TMP/noprov.json"
expect good sim%2Ftinfoil-release pass "the verified release's digest and registers"
check_detail receipt.provenance "$TMP/good.ans" | grep -q "v0.1.0" &&
    pass "the detail names release v0.1.0" || fail "the detail does not name v0.1.0"
expect upper sim%2Ftinfoil-release pass "the digest in upper case"
expect other sim%2Ftinfoil-release fail "another digest"
check_detail receipt.provenance "$TMP/other.ans" | grep -q "$(cat "$TMP/other.digest")" &&
    pass "the detail names the digest" || fail "the detail does not name the digest"
expect rtmr2 sim%2Ftinfoil-release fail "RTMR2 differs"
check_detail receipt.provenance "$TMP/rtmr2.ans" | grep -q "RTMR2 $(cat "$TMP/rtmr2.value")" &&
    pass "the detail names RTMR2 and the receipt's value" || fail "the detail does not name RTMR2"
expect tag sim%2Ftinfoil-release fail "another releaseTag"
check_detail receipt.provenance "$TMP/tag.ans" | grep -q "v9.9.9" &&
    pass "the detail names the tag" || fail "the detail does not name the tag"
expect noprov sim%2Ftinfoil error "a model without provenance"
check_detail receipt.provenance "$TMP/noprov.ans" | grep -q "sim/tinfoil" &&
    pass "the detail names the model" || fail "the detail does not name the model"
expect nomodel "" error "no model named"

# The entries record the check as answered.
python3 - "$DB" "$TMP" <<'EOF' >"$TMP/result" 2>&1
import json, sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
ok = True
for name in ("good", "other", "rtmr2", "noprov", "nomodel"):
    ans = json.load(open("%s/%s.ans" % (sys.argv[2], name)))
    row = db.execute("SELECT body FROM entries WHERE seq = ? AND kind = 'receipt'",
                     (ans["seq"],)).fetchone()
    want = [c for c in ans["checks"] if c["id"] == "receipt.provenance"]
    have = [c for c in json.loads(row[0])["checks"] if c["id"] == "receipt.provenance"] if row else []
    good = row is not None and have == want and len(want) == 1
    print(("ok: " if good else "FAIL: ") + "%s: entry %s records receipt.provenance %s"
          % (name, ans["seq"], have[0]["status"] if have else None))
    ok = ok and good
sys.exit(0 if ok else 1)
EOF
rc=$?
cat "$TMP/result"
[ $rc = 0 ] || fails=$((fails + 1))

stop_tmond

# tmonctl audit re-derives each receipt's receipt.provenance from the
# model's provenance entries before it (the releases tmond held then).
VKEY=$("$BUILD/tmonctl" log-key --db "$DB")
ROOT=$TMP/pki/sigstore/trusted_root.json
n=$(q "$DB" "SELECT count(*) FROM entries")
audit "the log as written" 0 "$DB" --config "$TMP/sched.json" --trusted-root "$ROOT" -- \
    "audit: ok: $n entries" "every verdict follows from its stored evidence"
seq=$(jget seq "$TMP/good.ans")
dbcopy "$DB" "$TMP/forged.db"
forge "$TMP/forged.db" "$seq" '[k for k in b["checks"] if k["id"] == "receipt.provenance"][0]["status"] = "fail"'
audit "a receipt's receipt.provenance forged pass -> fail" 1 "$TMP/forged.db" \
    --config "$TMP/sched.json" --trusted-root "$ROOT" -- \
    "entry $seq (receipt sim/tinfoil-release).*receipt.provenance is pass, stored fail"
finish
