#!/usr/bin/env bash
# Code provenance end to end (README "Code provenance", "What counts as a
# change"): tmond probes tmon-sim's Tinfoil-shaped enclaves once a second,
# looks their releases up on tmon-sim's GitHub routes, verifies the
# attestations with tmon-sim's TEST Sigstore (PKI_DIR/sigstore/
# trusted_root.json: a test trust root, never a real one) and delivers
# alerts to a webhook receiver on loopback:
#   sim/tinfoil-release     rolls out to release v0.2.0 once tmond has
#                           seen it published (the re-look-up after
#                           recheck_s, 60 s): one upgrade_endorsed event,
#                           endorsed_by tmon-sim/tinfoil-release@v0.2.0,
#                           and no alert, none at the webhook; the probe
#                           that still runs v0.1.0 after the look-up warns
#                           (an older verified release)
#   sim/tinfoil-unattested  rolls out to registers no release attests:
#                           one unexplained event and exactly one alert
#                           delivered (health incidents are held back with
#                           failure_threshold 100, so the webhook receives
#                           change alerts only)
# Both: provenance.release and provenance.measurement pass before the
# roll-out (MRTD and RTMR0 from tmon-sim/hardware-measurements); every
# look-up is a `provenance` entry whose documents are stored blobs, and a
# verified one records the signer's identity and a Rekor entry of the
# stored attestations (its log index also in provenance.release's
# detail); a re-look-up that finds the same release adds no entry.
# About 75 s.
# Usage: test_provenance_sim.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need curl
need_bin tmond tmon-sim
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "no $PY"; exit 1; }

LIB_PIDS="RECV"
start_receiver || exit 1

start_sim "$TMP/pki" || exit 1
sim=http://127.0.0.1:$SIM_PORT
[ -f "$TMP/pki/sigstore/trusted_root.json" ] || fail "no test trusted root in PKI_DIR/sigstore"

{
	echo "{\"test_trust_anchors\": {\"intel_root_ca\": \"$TMP/pki/intel_root.pem\","
	echo "  \"nvidia_root_ca\": \"$TMP/pki/nvidia_root.pem\"},"
	echo " \"pcs\": {\"base_url\": \"$sim\", \"root_ca_crl_url\": \"$sim/IntelSGXRootCA.der\"},"
	echo " \"kds\": false,"
	echo " \"github\": {\"api_url\": \"$sim\", \"download_url\": \"$sim\"},"
	echo " \"provenance\": {\"trusted_root\": \"$TMP/pki/sigstore/trusted_root.json\","
	echo "  \"recheck_s\": 60},"
	echo " \"models\": ["
	sep=
	for m in tinfoil-release tinfoil-unattested; do
		echo " $sep{\"provider\": \"phala\", \"model\": \"sim/$m\", \"base_url\": \"$sim\","
		echo "  \"interval_s\": 1, \"jitter_s\": 0, \"canary\": false,"
		echo "  \"provenance\": {\"repo\": \"tmon-sim/$m\","
		echo "   \"workflow\": \".github/workflows/release.yml\", \"ref\": \"refs/tags/v*\","
		echo "   \"hardware_repo\": \"tmon-sim/hardware-measurements\"}}"
		sep=,
	done
	echo " ],"
	echo " \"alerts\": {\"webhooks\": [{\"name\": \"json\","
	echo "  \"url\": \"http://127.0.0.1:$RECV_PORT/json\", \"failure_threshold\": 100}]}}"
} >"$TMP/sched.json"

DB=$TMP/t.db
start_tmond --config "$TMP/sched.json" --db "$DB" --listen 127.0.0.1:0 --init -v || exit 1

nclass() {	# MODEL CLASS
	q "$DB" "SELECT count(*) FROM entries WHERE kind = 'event' AND model = ? AND class = ?" "$1" "$2"
}
endorsed() { [ "$(nclass sim/tinfoil-release upgrade_endorsed)" -ge 1 ] 2>/dev/null; }
unexplained() { [ "$(nclass sim/tinfoil-unattested unexplained)" -ge 1 ] 2>/dev/null; }
delivered() { [ "$(ls "$TMP/recv" | grep -c 'json$')" -ge 1 ]; }

wait_for 30 unexplained && pass "sim/tinfoil-unattested: an unexplained event" ||
    fail "sim/tinfoil-unattested: no unexplained event within 30 s"
wait_for 20 delivered || fail "nothing delivered to the webhook within 20 s"
# the release is re-looked up after recheck_s (60 s) from the first look-up
wait_for 110 endorsed && pass "sim/tinfoil-release: an upgrade_endorsed event" ||
    fail "sim/tinfoil-release: no upgrade_endorsed event within 110 s"
sleep 3
stop_tmond

"$PY" - "$DB" "$TMP/recv" <<'EOF' >"$TMP/result" 2>&1
import json, os, sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
reqs = [json.load(open(os.path.join(sys.argv[2], f)))
        for f in sorted(os.listdir(sys.argv[2])) if f.endswith(".json")]
ok = True
def check(c, msg):
    global ok
    print(("ok: " if c else "FAIL: ") + msg)
    ok = ok and c

def entries(kind, model):
    return [(s, json.loads(b)) for s, b in db.execute(
        "SELECT seq, body FROM entries WHERE kind = ? AND model = ? ORDER BY seq",
        (kind, model))]

def check_of(probe, cid):
    return [c for c in probe["checks"] if c["id"] == cid][0]

blobs = set(r[0] for r in db.execute("SELECT lower(hex(sha256)) FROM blobs"))
if not blobs:
    blobs = set(r[0] for r in db.execute("SELECT sha256 FROM blobs"))

for m, repo in (("sim/tinfoil-release", "tmon-sim/tinfoil-release"),
                ("sim/tinfoil-unattested", "tmon-sim/tinfoil-unattested")):
    probes = entries("probe", m)
    check(len(probes) >= 2, "%s: %d probes" % (m, len(probes)))
    first = probes[0][1]
    for cid in ("provenance.release", "provenance.measurement"):
        c = check_of(first, cid)
        check(c["status"] == "pass", "%s: %s passes before the roll-out (%s)"
              % (m, cid, c["detail"]))
    prov = entries("provenance", m)
    repos = sorted((b["repo"], b["tag"], b["verdict"]) for _, b in prov)
    for _, b in prov:
        for name, d in b["documents"].items():
            for h in ("body_sha256", "headers_sha256"):
                if d.get(h) is not None:
                    check(d[h] in blobs, "%s: %s@%s %s %s is a stored blob"
                          % (m, b["repo"], b["tag"], name, h))
        check(b["trusted_root_sha256"] is not None and b["checks"],
              "%s: %s@%s: trusted root hash and sigstore checks recorded"
              % (m, b["repo"], b["tag"]))
        if b["verdict"] != "pass":
            continue
        # the signer and the Rekor entry, against the attestations blob
        h = b["documents"]["attestations"]["body_sha256"]
        att = json.loads(db.execute("SELECT data FROM blobs WHERE sha256 = ?",
                                    (bytes.fromhex(h),)).fetchone()[0])
        tl = [t for a in att["attestations"]
              for t in a["bundle"]["verificationMaterial"]["tlogEntries"]]
        check((b["log_index"], b["integrated_time"]) in
              [(int(t["logIndex"]), int(t["integratedTime"])) for t in tl],
              "%s: %s@%s: log_index %s and integrated_time %s are a served "
              "Rekor entry's" % (m, b["repo"], b["tag"], b["log_index"],
                                 b["integrated_time"]))
        i = b["identity"] or {}
        check(i.get("repo") == "https://github.com/" + b["repo"] and
              i.get("ref") == "refs/tags/" + b["tag"] and
              i.get("issuer") == "https://token.actions.githubusercontent.com"
              and (i.get("workflow") or "").startswith(
                  "https://github.com/" + b["repo"] + "/") and i.get("sha"),
              "%s: %s@%s: the signer's identity recorded: %s"
              % (m, b["repo"], b["tag"], i))
        if b["repo"] == repo and b["tag"] == "v0.1.0":
            d = check_of(first, "provenance.release")["detail"]
            check("Rekor log index %d," % b["log_index"] in d,
                  "%s: provenance.release names the Rekor log index %d: %s"
                  % (m, b["log_index"], d))
    hw = ("tmon-sim/hardware-measurements", "v0.1.0", "pass")
    if m == "sim/tinfoil-release":
        want = sorted([(repo, "v0.1.0", "pass"), (repo, "v0.2.0", "pass"), hw])
        check(repos == want, "%s: provenance entries v0.1.0, v0.2.0 and the "
              "hardware release, each verified once: %s" % (m, repos))
        ev = [b for _, b in entries("event", m) if b["class"] == "upgrade_endorsed"]
        check(len(ev) == 1 and ev[0]["endorsed_by"] == repo + "@v0.2.0"
              and "platform.rtmr1" in ev[0]["changed_fields"],
              "%s: one upgrade_endorsed event, endorsed_by %s@v0.2.0, RTMR1 "
              "changed: %s" % (m, repo, [(e["endorsed_by"], e["changed_fields"]) for e in ev]))
        ux = [b for _, b in entries("event", m) if b["class"] == "unexplained"]
        check(not ux, "%s: no unexplained event (%d)" % (m, len(ux)))
        al = [b["reason"] for _, b in entries("alert", m)
              if b["reason"] in ("unexplained", "measurement_changed", "tcb_worse")]
        check(not al, "%s: no change alert logged (%s)" % (m, al))
        warns = [check_of(b, "provenance.measurement") for _, b in probes
                 if check_of(b, "provenance.measurement")["status"] == "warn"]
        check(len(warns) >= 1 and "older" in warns[0]["detail"],
              "%s: the probe still on v0.1.0 after v0.2.0 was verified warns: %s"
              % (m, warns[0]["detail"] if warns else "none"))
        last = check_of(probes[-1][1], "provenance.measurement")
        check(last["status"] == "pass" and "v0.2.0" in last["detail"],
              "%s: after the roll-out provenance.measurement passes for v0.2.0 (%s)"
              % (m, last["detail"]))
    else:
        want = sorted([(repo, "v0.1.0", "pass"), hw])
        check(repos == want, "%s: provenance entries v0.1.0 and the hardware "
              "release only (the re-look-up found them unchanged): %s" % (m, repos))
        ev = [b for _, b in entries("event", m) if b["class"] == "unexplained"]
        check(len(ev) == 1, "%s: one unexplained event (%d)" % (m, len(ev)))
        al = [b for _, b in entries("alert", m) if b["reason"] == "unexplained"]
        check(len(al) == 1, "%s: one unexplained alert logged (%d)" % (m, len(al)))
        last = check_of(probes[-1][1], "provenance.measurement")
        check(last["status"] == "fail", "%s: provenance.measurement fails after "
              "the roll-out (%s)" % (m, last["detail"]))

bodies = [json.loads(r["body"]) for r in reqs]
mine = [(b.get("model"), b.get("reason")) for b in bodies]
check(mine == [("sim/tinfoil-unattested", "unexplained")],
      "the webhook received exactly one alert, sim/tinfoil-unattested's "
      "unexplained one, none for the endorsed roll-out: %s" % mine)
sys.exit(0 if ok else 1)
EOF
rc=$?
cat "$TMP/result"
[ $rc = 0 ] || { fails=$((fails + 1)); tail -n 30 "$TMP/log"; }

# tmonctl audit re-derives every entry, the provenance entries and the
# probes' provenance checks (v0.1.0, v0.2.0, the warn in between) included
"$BUILD/tmonctl" audit "$DB" --key "$("$BUILD/tmonctl" log-key --db "$DB")" \
    --config "$TMP/sched.json" --trusted-root "$TMP/pki/sigstore/trusted_root.json" >"$TMP/audit.out" 2>&1
arc=$?
[ $arc = 0 ] && grep -q " 0 do not, 0 could not be re-checked" "$TMP/audit.out" &&
    pass "tmonctl audit: exit 0, every verdict follows ($(grep '^re-derived' "$TMP/audit.out"))" ||
    { fail "tmonctl audit: exit $arc"; cat "$TMP/audit.out"; }
finish
