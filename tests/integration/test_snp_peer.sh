#!/usr/bin/env bash
# Differential test of AMD SEV-SNP report verification against a peer:
# npm @tinfoilsh/verifier driven by tests/snp-peer/verify.mjs (npm ci
# --prefix tests/snp-peer), offline, over tests/data/snp-peer/cases.json:
# the report, VCEK and cert_chain a Tinfoil v3 SEV-SNP enclave and AMD KDS
# served, at the response's HTTP Date, and tampered copies (one flipped
# byte in REPORT_DATA, MEASUREMENT, the signature, the VCEK's signature,
# the ASK's signature; the report cut short; the served files a day
# before the VCEK's notBefore).  The peer runs on every
# case here; its verdicts must be the cases' expected ones and the ones
# recorded in tests/data/snp-peer/peer-results.json.  tmon's own SEV-SNP
# verifier (tmonctl verify-snp: snp_verify) judges every case too and
# must agree with the peer on accept (exit 0) or reject (exit 1): a case
# it could not check (exit 3) or a usage error is a failure here (as
# tests/unit/check_snp.c test_peer_cases requires of snp_verify itself).
# Exit 77 (skipped) without node.
# Usage: test_snp_peer.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || { echo "no node: skipped"; exit 77; }
need python3
need_bin tmonctl
PEER=$SRC/tests/snp-peer
DATA=$SRC/tests/data/snp-peer
[ -f "$PEER/node_modules/@tinfoilsh/verifier/package.json" ] ||
    { echo "FAIL: no @tinfoilsh/verifier: run npm ci --prefix tests/snp-peer"; exit 1; }

run_peer "$PEER/verify.mjs" "$DATA/cases.json" || finish

# CASE VERDICT lines: the cases' expected ones, the recorded ones
python3 - "$DATA/cases.json" >"$TMP/expect" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1])):
    print(c["id"], c["expect"])
PY
python3 - "$DATA/peer-results.json" "$TMP/peer.jsonl" >"$TMP/recorded" <<'PY'
import json, sys
rec = json.load(open(sys.argv[1]))["results"]
live = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2])}
for r in rec:
    print(r["id"], r["verdict"])
    l = live.get(r["id"])
    if l is not None and l["reason"] != r["reason"]:
        print("reason of", r["id"], "changed:", repr(l["reason"]), "recorded", repr(r["reason"]), file=sys.stderr)
PY
n=$(wc -l <"$TMP/expect")
[ "$n" -ge 7 ] && pass "$n cases" || fail "only $n cases in cases.json"
if diff "$TMP/expect" "$TMP/live"; then
	pass "the peer's verdicts are the expected ones (accept the served report, reject every tampered one)"
else
	fail "the peer's verdicts differ from cases.json's expected ones"
fi
if diff "$TMP/recorded" "$TMP/live"; then
	pass "the peer's verdicts are the ones recorded in peer-results.json"
else
	fail "the peer's verdicts differ from peer-results.json"
fi

# tmon's side: CASE VERDICT from tmonctl verify-snp's exit status
python3 - "$DATA/cases.json" >"$TMP/args" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1])):
    print(c["id"], c["report"], c["vcek"], c["cert_chain"], c["time"])
PY
: >"$TMP/tmon"
while read -r id report vcek chain at; do
	"$BUILD/tmonctl" verify-snp "$DATA/$report" --collateral "$DATA/$vcek" \
	    --collateral "$DATA/$chain" --at "$at" >"$TMP/out.$id" 2>&1
	case $? in
	0) echo "$id accept" >>"$TMP/tmon" ;;
	1) echo "$id reject" >>"$TMP/tmon" ;;
	*) echo "$id unchecked" >>"$TMP/tmon"; cat "$TMP/out.$id" ;;
	esac
	sed -n "s/^/  $id: /p" "$TMP/out.$id" | grep -E 'snp\.|result' || true
done <"$TMP/args"
if diff "$TMP/live" "$TMP/tmon"; then
	pass "tmon and the peer agree on every case"
else
	fail "tmon and the peer disagree (above: peer, then tmon)"
fi

# the wrapper: no collateral is "could not check", not a verdict
real=$DATA/$(sed -n 's/^real \([^ ]*\) .*/\1/p' "$TMP/args")
"$BUILD/tmonctl" verify-snp "$real" --at 1782699166 >"$TMP/nocoll" 2>&1
rc=$?
[ $rc -eq 3 ] && grep -q "^snp.report.signature *error" "$TMP/nocoll" &&
    pass "verify-snp without collateral: exit 3" || fail "verify-snp without collateral: exit $rc"
vcek=$DATA/$(sed -n 's/^real [^ ]* \([^ ]*\) .*/\1/p' "$TMP/args")
"$BUILD/tmonctl" verify-snp "$real" --collateral "$vcek" --collateral "$vcek" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && pass "verify-snp with two VCEKs: exit 2" || fail "verify-snp with two VCEKs: exit $rc"

finish
