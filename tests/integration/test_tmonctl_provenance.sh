#!/usr/bin/env bash
# tmonctl verify-provenance and verify-attestation --provenance (README
# "tmonctl"), on real data:
#  - tests/data/sigstore/tinfoil-cmr-attestations.json, the GitHub
#    attestation of tinfoilsh/confidential-model-router v0.0.110 for the
#    digest in tinfoil-cmr-tinfoil.hash, checked at 1782699168 (the
#    capture's time; PROVENANCE.md there), verifies with every sigstore.*
#    check pass (exit 0), in text and JSON, with the pinned root given or
#    found by default, showing the signer, the Rekor log index and the
#    integrated time of the bundle's tlog entry (read here with python);
#  - every tampered copy of tests/data/sigstore-peer/cases.json (a flipped
#    byte in the DSSE signature, the payload, the certificate, an
#    inclusion-proof hash, the checkpoint signature, the SET; another
#    repository, digest or root) fails (exit 1) with the check the
#    tampering breaks failing; so do a workflow outside the policy,
#    another predicate type, a check time before the signature;
#  - a body that is not JSON or not an attestations answer fails
#    sigstore.bundle.parse (exit 1); a bundle media type tmon does not
#    know is error (exit 3), and so is a trusted root that does not load;
#    usage errors exit 2;
#  - verify-attestation --provenance FILE, with a tmon-provenance/1 file
#    built here from the same attestation, on the Tinfoil v3 captures:
#    the SEV-SNP enclave of the same run (tests/data/replay/
#    kds-2026-06-29, with its VCEK and cert_chain) and the TDX enclave of
#    tests/data/tinfoil/tdx-v3 (no hardware-measurements release).
#    provenance.measurement's expected status is computed here with
#    python from the report's MEASUREMENT / the quote's RTMRs and the
#    predicate; provenance.release's pass detail names the repository,
#    tag, digest and Rekor log index; a file whose release is tampered
#    fails provenance.release;
#  - bench-provenance (bench/provenance.sh) times the verification it
#    says: "verified" for the real attestation, "rejected" for a tampered
#    one, the last line "verifications_per_sec" with a number above 0 (no
#    timing asserted); usage errors exit 2.
# Usage: test_tmonctl_provenance.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need python3
need_bin tmonctl
ctl=$BUILD/tmonctl
S=$SRC/tests/data/sigstore
P=$SRC/tests/data/sigstore-peer
ROOT=$SRC/trust/sigstore-trusted-root.json
TROOT=$SRC/tests/data/sigstore-test/trusted_root.json
ATT=$S/tinfoil-cmr-attestations.json
DIGEST=$(tr -d ' \n' <"$S/tinfoil-cmr-tinfoil.hash")
REPO=tinfoilsh/confidential-model-router
AT=1782699168

want_rc() { # description want got
	if [ "$2" = "$3" ]; then pass "$1 (exit $3)"; else fail "$1: exit $3, want $2"; fi
}
has() { # description regex file
	if grep -Eq -- "$2" "$3"; then pass "$1"; else fail "$1"; cat "$3"; fi
}
hasnt() { # description regex file
	if grep -Eq -- "$2" "$3"; then fail "$1"; cat "$3"; else pass "$1"; fi
}
vp() { # OUT ARGS...: tmonctl verify-provenance ARGS... >OUT 2>&1; rc
	local out=$1
	shift
	"$ctl" verify-provenance "$@" >"$out" 2>&1
	rc=$?
}

# ---- the real attestation ------------------------------------------------
SIGSTORE_PASS="sigstore.bundle.parse sigstore.dsse.signature sigstore.cert.chain
sigstore.cert.identity sigstore.sct sigstore.subject sigstore.tlog.body
sigstore.tlog.inclusion sigstore.tlog.checkpoint sigstore.tlog.set"
vp "$TMP/ok" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT
want_rc "the Tinfoil release attestation verifies" 0 $rc
for id in $SIGSTORE_PASS; do
	has "$id pass" "^$id +pass " "$TMP/ok"
done
hasnt "no sigstore check fails, errs or warns" "^sigstore\.[a-z.]+ +(fail|error|warn) " "$TMP/ok"
has "result line" "^result: verified$" "$TMP/ok"
has "the predicate type is the payload's" "^predicate_type: https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1$" "$TMP/ok"
# facts read from the payload and the leaf certificate with python, not tmon
python3 - "$ATT" >"$TMP/facts" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))["attestations"][0]["bundle"]
st = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
print(st["predicate"]["snp_measurement"])
print(st["predicate"]["tdx_measurement"]["rtmr1"])
print(b["verificationMaterial"]["tlogEntries"][0]["logIndex"])
print(b["verificationMaterial"]["tlogEntries"][0]["integratedTime"])
PY
{ read -r SNP_MEAS; read -r PRED_RTMR1; read -r LOG_INDEX; read -r INTEGRATED; } <"$TMP/facts"
INTEGRATED_UTC=$(python3 -c 'import sys, datetime; print(datetime.datetime.fromtimestamp(int(sys.argv[1]), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$INTEGRATED")
has "the predicate's snp_measurement is shown" "^snp_measurement: $SNP_MEAS$" "$TMP/ok"
has "the Rekor log index is the bundle's" "^log_index: $LOG_INDEX$" "$TMP/ok"
has "the signer is the release workflow at the tag" "^signer: https://github.com/$REPO/\.github/workflows/tinfoil-release-publish\.yml@refs/tags/v0\.0\.110$" "$TMP/ok"

vp "$TMP/ok.json" "$ATT" --digest "sha256:$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT --json
want_rc "--json (sha256: prefix)" 0 $rc
if python3 - "$TMP/ok.json" "$SIGSTORE_PASS" "$DIGEST" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
want = sys.argv[2].split()
st = {c["id"]: c["status"] for c in o["checks"]}
assert o["verdict"] == "pass", o["verdict"]
for i in want:
    assert st.get(i) == "pass", (i, st.get(i))
for i, s in st.items():
    assert not i.startswith("sigstore.") or s in ("pass", "skip"), (i, s)
assert o["digest"] == sys.argv[3]
assert o["repo"] == "tinfoilsh/confidential-model-router"
assert o["at"] == 1782699168
assert all(set(c) == {"id", "status", "detail"} for c in o["checks"])
PY
then pass "--json: verdict pass, every sigstore check pass, same shape as the other verify commands"
else fail "--json output"; cat "$TMP/ok.json"; fi

vp "$TMP/def" "$ATT" --digest "$DIGEST" --repo "$REPO" --at $AT
want_rc "without --trusted-root: the checkout's pinned root" 0 $rc
has "the default root is trust/'s" "^trusted_root: .*trust/sigstore-trusted-root\.json$" "$TMP/def"

vp "$TMP/pt" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT \
    --predicate-type https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1
want_rc "--predicate-type snp-tdx-multiplatform/v1" 0 $rc
has "its snp_measurement" "^snp_measurement: $SNP_MEAS$" "$TMP/pt"
has "its rtmr1" "^tdx_rtmr1: $PRED_RTMR1$" "$TMP/pt"
has "its Rekor log index" "^log_index: $LOG_INDEX$" "$TMP/pt"
has "its signer" "^signer: https://github.com/$REPO/\.github/workflows/tinfoil-release-publish\.yml@refs/tags/v0\.0\.110$" "$TMP/pt"
has "its verified time" "^verified_time: $INTEGRATED_UTC$" "$TMP/pt"
vp "$TMP/pt2" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT \
    --predicate-type https://tinfoil.sh/predicate/hardware-measurements/v1
want_rc "--predicate-type hardware-measurements/v1: none attested" 1 $rc
has "sigstore.subject fails" "^sigstore.subject +fail " "$TMP/pt2"
vp "$TMP/pt3" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT \
    --predicate-type https://slsa.dev/provenance/v1
want_rc "--predicate-type of another kind: none attested" 1 $rc
has "sigstore.subject fails" "^sigstore.subject +fail " "$TMP/pt3"

# the hardware-measurements predicate of tmon-sim's TEST Sigstore
th=$SRC/tests/data/sigstore-test/hardware-measurements_v0.1.0
vp "$TMP/hw" "$th.attestations.json" --digest "$(tr -d ' \n' <"$th.hash")" \
    --repo tmon-sim/hardware-measurements --trusted-root "$TROOT" --at 1780864000 \
    --predicate-type https://tinfoil.sh/predicate/hardware-measurements/v1
want_rc "the TEST hardware-measurements release" 0 $rc
python3 - "$th.attestations.json" >"$TMP/hwfacts" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))["attestations"][0]["bundle"]
p = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))["predicate"]
for name, v in p.items():
    print(name, v["mrtd"].lower(), v["rtmr0"].lower())
PY
while read -r name mrtd rtmr0; do
	has "platform $name" "^platform: $name$" "$TMP/hw"
	has "its mrtd" "^  mrtd: $mrtd$" "$TMP/hw"
	has "its rtmr0" "^  rtmr0: $rtmr0$" "$TMP/hw"
done <"$TMP/hwfacts"

# ---- the identity policy, the digest, the time -------------------------
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo tinfoilsh/confidential-inference-proxy --trusted-root "$ROOT" --at $AT
want_rc "another repository" 1 $rc
has "sigstore.cert.identity fails" "^sigstore.cert.identity +fail " "$TMP/o"
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT --workflow .github/workflows/release.yml
want_rc "a workflow outside the policy" 1 $rc
has "sigstore.cert.identity fails" "^sigstore.cert.identity +fail " "$TMP/o"
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT --workflow '.github/workflows/tinfoil-*.yml'
want_rc "the release workflow matches a pattern" 0 $rc
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT --ref 'refs/heads/*'
want_rc "a ref outside the policy" 1 $rc
has "sigstore.cert.identity fails" "^sigstore.cert.identity +fail " "$TMP/o"
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT --issuer https://token.actions.githubusercontent.com/other
want_rc "another issuer" 1 $rc
has "sigstore.cert.identity fails" "^sigstore.cert.identity +fail " "$TMP/o"
other=0${DIGEST#?}
[ "$other" != "$DIGEST" ] || other=1${DIGEST#?}
vp "$TMP/o" "$ATT" --digest "$other" --repo "$REPO" --trusted-root "$ROOT" --at $AT
want_rc "another digest" 1 $rc
has "sigstore.subject fails" "^sigstore.subject +fail " "$TMP/o"
# the Rekor integrated time (1782251465, PROVENANCE.md) a day after --at
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at 1782165065
want_rc "checked before it was signed" 1 $rc

# ---- every tampered case of the differential test -----------------------
# the check each tampering breaks, from the case's description
python3 - "$P/cases.json" >"$TMP/cases" <<'PY'
import json, sys
brk = {
    "dsse-signature": "sigstore.dsse.signature",
    "payload": "sigstore.dsse.signature",
    "certificate": "sigstore.cert.chain",
    "inclusion-proof-hash": "sigstore.tlog.inclusion",
    "checkpoint-signature": "sigstore.tlog.checkpoint",
    "set": "sigstore.tlog.set",
    "other-repo": "sigstore.cert.identity",
    "other-digest": "sigstore.subject",
}
for c in json.load(open(sys.argv[1])):
    if c["expect"] != "reject" or c["id"].startswith("cli-"):
        continue
    kind = c["id"].split("-", 1)[1]
    print(c["id"], c["attestations"], c["digest"], c["repo"],
          c["trusted_root"], c["at"], brk.get(kind, "sigstore.cert.chain"))
PY
n=0
while read -r id att digest repo root at check; do
	vp "$TMP/c.$id" "$P/$att" --digest "$digest" --repo "$repo" \
	    --trusted-root "$P/$root" --at "$at" --workflow '.github/workflows/*'
	want_rc "$id rejected" 1 $rc
	has "$id: $check fails" "^$check +fail " "$TMP/c.$id"
	has "$id: result names a failed check" "^result: failed: sigstore\." "$TMP/c.$id"
	n=$((n + 1))
done <"$TMP/cases"
[ "$n" -ge 16 ] && pass "$n tampered cases" || fail "only $n tampered cases"

# ---- malformed and unsupported -------------------------------------------
printf 'not json {' >"$TMP/notjson"
vp "$TMP/o" "$TMP/notjson" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT
want_rc "a body that is not JSON: malformed evidence" 1 $rc
has "sigstore.bundle.parse fails" "^sigstore.bundle.parse +fail " "$TMP/o"
echo '{"attestations": []}' >"$TMP/empty.json"
vp "$TMP/o" "$TMP/empty.json" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT
want_rc "no attestation" 1 $rc
has "sigstore.bundle.parse fails" "^sigstore.bundle.parse +fail " "$TMP/o"
python3 - "$ATT" "$TMP/mt.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["attestations"][0]["bundle"]["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.9+json"
json.dump(b, open(sys.argv[2], "w"))
PY
vp "$TMP/o" "$TMP/mt.json" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ROOT" --at $AT
want_rc "a bundle media type tmon does not verify: not checked" 3 $rc
has "sigstore.bundle.parse is error" "^sigstore.bundle.parse +error " "$TMP/o"
has "result: not verified" "^result: not verified: " "$TMP/o"
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$TMP/none.json" --at $AT
want_rc "a trusted root that cannot be read" 3 $rc
has "names the root" "trusted root: .*none\.json" "$TMP/o"
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo "$REPO" --trusted-root "$ATT" --at $AT
want_rc "a trusted root that is not one" 3 $rc

# ---- usage ----------------------------------------------------------------
vp "$TMP/o" "$ATT" --repo "$REPO"
want_rc "no --digest" 2 $rc
vp "$TMP/o" "$ATT" --digest "$DIGEST"
want_rc "no --repo" 2 $rc
vp "$TMP/o" --digest "$DIGEST" --repo "$REPO"
want_rc "no file" 2 $rc
vp "$TMP/o" "$ATT" --digest "${DIGEST%?}" --repo "$REPO"
want_rc "a digest of 63 hex" 2 $rc
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo tinfoilsh
want_rc "a repository without its owner" 2 $rc
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo "$REPO" --at yesterday
want_rc "a bad --at" 2 $rc
vp "$TMP/o" "$ATT" --digest "$DIGEST" --repo "$REPO" --bogus
want_rc "an unknown option" 2 $rc
vp "$TMP/o" "$TMP/missing.json" --digest "$DIGEST" --repo "$REPO"
want_rc "a missing file" 2 $rc
"$ctl" help verify-provenance >"$TMP/o"; rc=$?
want_rc "help verify-provenance" 0 $rc
has "help lists --trusted-root" "--trusted-root FILE" "$TMP/o"
"$ctl" --help >"$TMP/o"
has "tmonctl --help lists verify-provenance" "^tmonctl verify-provenance " "$TMP/o"

# ---- verify-attestation --provenance ------------------------------------
# provenance files (provenance.h "the provenance file"): the real release;
# the same with a tampered attestation; the release for another repository
python3 - "$ATT" "$DIGEST" "$P/dev-dsse-signature.json" "$TMP" <<'PY'
import json, sys
att, digest, bad, tmp = sys.argv[1:5]
def rel(body, repo="tinfoilsh/confidential-model-router"):
    return {"repo": repo, "tag": "v0.0.110", "digest": digest,
            "attestations": json.load(open(body))}
pol = {"workflow": ".github/workflows/*", "ref": "refs/tags/*"}
def write(name, releases):
    json.dump({"format": "tmon-provenance/1", "releases": releases,
               "policy": pol}, open(f"{tmp}/{name}", "w"))
write("prov.json", [rel(att)])
write("prov-tampered.json", [rel(bad)])
write("prov-repo.json", [rel(att, "tinfoilsh/confidential-inference-proxy")])
write("prov-older-bad.json", [rel(att), rel(bad)])
hw = rel(att, "tinfoilsh/hardware-measurements")
json.dump({"format": "tmon-provenance/1", "releases": [rel(att)],
           "hardware": hw, "policy": pol}, open(f"{tmp}/prov-hw.json", "w"))
PY

# the SEV-SNP enclave of the same capture run, with its AMD collateral
tin=$SRC/tests/data/replay/kds-2026-06-29/tinfoil_attestation.body
tnonce=229471a8453a3521eac3d6ada9f1d52e42c97a527c3a50d565e999401dfd3e9b
tat=1782699166
kds=$SRC/tests/data/amd-kds
snp() { # OUT ARGS...
	local out=$1
	shift
	"$ctl" verify-attestation "$tin" --nonce "$tnonce" --at "$tat" \
	    --collateral "$kds/genoa_cert_chain.pem" \
	    --collateral "$kds/genoa_vcek.der" "$@" >"$out" 2>&1
	rc=$?
}
snp "$TMP/snp0"
base_rc=$rc
want_rc "SEV-SNP capture without --provenance" 0 $base_rc
hasnt "no provenance checks without --provenance" "^provenance\." "$TMP/snp0"
# the report's MEASUREMENT (offset 0x90, 48 bytes) against the predicate
snp_want=$(python3 - "$tin" "$SNP_MEAS" <<'PY'
import base64, json, sys
r = base64.b64decode(json.load(open(sys.argv[1]))["cpu"]["report"])
print("pass" if r[0x90:0x90 + 48].hex() == sys.argv[2] else "fail")
PY
)
[ "$snp_want" = pass ] && want_snp_rc=0 || want_snp_rc=1
snp "$TMP/snp" --provenance "$TMP/prov.json" --trusted-root "$ROOT"
want_rc "SEV-SNP with the release: measurement $snp_want" $want_snp_rc $rc
has "provenance.release pass" "^provenance.release +pass " "$TMP/snp"
has "its detail names repository, tag, digest and Rekor log index" \
    "^provenance.release +pass +release $REPO@v0\.0\.110, digest sha256:$DIGEST, attestation verified: Rekor log index $LOG_INDEX, integrated time $INTEGRATED_UTC" "$TMP/snp"
has "provenance.measurement $snp_want" "^provenance.measurement +$snp_want " "$TMP/snp"
has "the release is listed" "^provenance: latest release 0 $REPO v0.0.110 sha256:$DIGEST: pass$" "$TMP/snp"
snp "$TMP/snp.json" --provenance "$TMP/prov.json" --trusted-root "$ROOT" --json
want_rc "SEV-SNP --json" $want_snp_rc $rc
if python3 - "$TMP/snp.json" "$snp_want" "$DIGEST" "$LOG_INDEX" "$INTEGRATED" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
st = {c["id"]: c["status"] for c in o["checks"]}
assert st["provenance.release"] == "pass", st
det = {c["id"]: c["detail"] for c in o["checks"]}["provenance.release"]
assert f"Rekor log index {sys.argv[4]}," in det, det
assert st["provenance.measurement"] == sys.argv[2], st
r = o["provenance"]["releases"]
assert len(r) == 1 and r[0]["verdict"] == "pass" and r[0]["digest"] == sys.argv[3], r
assert r[0]["repo"] == "tinfoilsh/confidential-model-router" and r[0]["tag"] == "v0.0.110"
assert any(c["id"] == "sigstore.dsse.signature" and c["status"] == "pass" for c in r[0]["checks"])
assert r[0]["log_index"] == int(sys.argv[4]), r[0].get("log_index")
assert r[0]["integrated_time"] == int(sys.argv[5]), r[0].get("integrated_time")
PY
then pass "--json: provenance checks and the release's sigstore checks"
else fail "verify-attestation --provenance --json"; cat "$TMP/snp.json"; fi
snp "$TMP/snpd" --provenance "$TMP/prov.json"
want_rc "SEV-SNP, the default trusted root" $want_snp_rc $rc

snp "$TMP/snpt" --provenance "$TMP/prov-tampered.json" --trusted-root "$ROOT"
want_rc "a tampered release" 1 $rc
has "provenance.release fails naming the DSSE signature" "^provenance.release +fail +sigstore.dsse.signature: " "$TMP/snpt"
has "provenance.measurement is not compared" "^provenance.measurement +error " "$TMP/snpt"
has "the release is listed as failing" "^provenance: latest release 0 .*: fail$" "$TMP/snpt"
snp "$TMP/snpr" --provenance "$TMP/prov-repo.json" --trusted-root "$ROOT"
want_rc "a release of another repository" 1 $rc
has "provenance.release fails naming the identity" "^provenance.release +fail +sigstore.cert.identity: " "$TMP/snpr"
snp "$TMP/snpo" --provenance "$TMP/prov-older-bad.json" --trusted-root "$ROOT"
want_rc "an older release that does not verify is left out" $want_snp_rc $rc
has "provenance.release is the latest's" "^provenance.release +pass " "$TMP/snpo"
has "the older release is listed as failing" "^provenance: release 1 .*: fail$" "$TMP/snpo"
has "with its failing check" "^    sigstore.dsse.signature fail: " "$TMP/snpo"
# a hardware release that is the router's attestation: no attestation of
# the hardware-measurements predicate, and not of that repository
snp "$TMP/snph" --provenance "$TMP/prov-hw.json" --trusted-root "$ROOT"
want_rc "a hardware release that does not verify" 1 $rc
has "provenance.release fails for it" "^provenance.release +fail +hardware release: sigstore\." "$TMP/snph"
has "the hardware release is listed" "^provenance: hardware release tinfoilsh/hardware-measurements .*: fail$" "$TMP/snph"
snp "$TMP/snpx" --provenance "$TMP/prov.json" --trusted-root "$TROOT"
want_rc "the release against the TEST root" 1 $rc
has "provenance.release fails" "^provenance.release +fail " "$TMP/snpx"
snp "$TMP/snpn" --provenance "$TMP/prov.json" --trusted-root "$TMP/none.json"
want_rc "a trusted root that does not load" 3 $rc
has "provenance.release is error naming it" "^provenance.release +error +trusted root: .*none\.json" "$TMP/snpn"
snp "$TMP/o" --provenance "$TMP/notjson"
want_rc "a provenance file that is not one" 2 $rc
has "says so" "--provenance: " "$TMP/o"
snp "$TMP/o" --provenance "$TMP/missing.json"
want_rc "a missing provenance file" 2 $rc
snp "$TMP/o" --trusted-root "$ROOT"
want_rc "--trusted-root without --provenance" 2 $rc

# the TDX enclave (gemma4-31b, tests/data/tinfoil/tdx-v3), checked at the
# release's capture time (after its signature); no Intel collateral, so
# tdx.collateral and tdx.tcb are error (test_tmonctl.sh).  Expected
# provenance.measurement: fail when RTMR1, RTMR2 differ from the
# predicate's or RTMR3 is not zero; else error (no hardware-measurements
# release: MRTD and RTMR0 unchecked)
tf=$SRC/tests/data/tinfoil/tdx-v3/0002_gemma4-31b-1.inf10.tinfoil.sh_.well-known_tinfoil-attestation.body
tfnonce=a8c5455663ef4951c4a6fef8de2a079934c8e93c67626e7311bf385ba6724c9e
python3 - "$tf" "$ATT" >"$TMP/tdxfacts" <<'PY'
import base64, json, sys
q = base64.b64decode(json.load(open(sys.argv[1]))["cpu"]["report"])
b = json.load(open(sys.argv[2]))["attestations"][0]["bundle"]
p = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))["predicate"]
body = 48                             # TDX quote v4 header
rtmr = [q[body + 328 + 48 * i:body + 376 + 48 * i].hex() for i in range(4)]
want = [("RTMR1", p["tdx_measurement"]["rtmr1"]),
        ("RTMR2", p["tdx_measurement"]["rtmr2"]), ("RTMR3", "00" * 48)]
diff = [n for (n, v), h in zip(want, rtmr[1:]) if v != h]
print("fail" if diff else "error")
print(diff[0] if diff else "-")
PY
{ read -r tdx_want; read -r tdx_reg; } <"$TMP/tdxfacts"
"$ctl" verify-attestation "$tf" --nonce "$tfnonce" --at $AT \
    --provenance "$TMP/prov.json" --trusted-root "$ROOT" >"$TMP/tdx" 2>&1
rc=$?
[ "$tdx_want" = fail ] && want_rc "TDX enclave of another image" 1 $rc ||
    want_rc "TDX enclave without a hardware release" 3 $rc
has "provenance.release pass" "^provenance.release +pass " "$TMP/tdx"
has "provenance.measurement $tdx_want" "^provenance.measurement +$tdx_want " "$TMP/tdx"
if [ "$tdx_want" = fail ]; then
	has "names the first register that differs ($tdx_reg)" "^provenance.measurement +fail +.*$tdx_reg" "$TMP/tdx"
fi
for id in tdx.quote.signature tdx.pck_chain tdx.reportdata; do
	has "TDX $id still pass" "^$id +pass " "$TMP/tdx"
done

# bench-provenance: what it times, and its last line
bench() { # ATTESTATIONS
	"$ctl" bench-provenance "$1" --digest "$DIGEST" --repo "$REPO" --at $AT \
	    --trusted-root "$ROOT" --workflow '.github/workflows/*' -n 3 >"$TMP/bench" 2>&1
	rc=$?
}
bench "$ATT"
want_rc "bench-provenance of the real attestation" 0 $rc
has "bench-provenance times a verified answer" "^attestations .*: verified$" "$TMP/bench"
has "bench-provenance counts the runs" "^runs 3$" "$TMP/bench"
if tail -n 1 "$TMP/bench" | awk '$1 == "verifications_per_sec" && $2 > 0 { ok = 1 } END { exit !ok }'; then
	pass "bench-provenance's last line is verifications_per_sec"
else
	fail "bench-provenance's last line: $(tail -n 1 "$TMP/bench")"
fi
bench "$P/dev-dsse-signature.json"
want_rc "bench-provenance of a tampered attestation" 0 $rc
has "bench-provenance says it times a rejected answer" "^attestations .*: rejected$" "$TMP/bench"
"$ctl" bench-provenance "$ATT" --digest "$DIGEST" --repo "$REPO" >/dev/null 2>&1
want_rc "bench-provenance without --at" 2 $?
"$ctl" bench-provenance "$ATT" --digest "$DIGEST" --repo "$REPO" --at $AT -n 0 >/dev/null 2>&1
want_rc "bench-provenance -n 0" 2 $?
finish
