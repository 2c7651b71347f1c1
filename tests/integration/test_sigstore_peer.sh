#!/usr/bin/env bash
# Differential test of Sigstore bundle verification against a peer: npm
# @sigstore/verify and @sigstore/bundle driven by
# tests/sigstore-peer/verify.mjs (npm ci --prefix tests/sigstore-peer),
# offline, over tests/data/sigstore-peer/cases.json (written by
# tests/sigstore-peer/make_cases.py): the real GitHub attestation of
# tests/data/sigstore/ against the public-good trusted root, the bundles of
# tmon-sim's TEST Sigstore (tests/data/sigstore-test/) against the test
# root, and tampered copies (one flipped byte in the DSSE signature, the
# payload, the certificate, an inclusion-proof hash, the checkpoint's
# signature, the SET; another repository; another digest; the other
# trusted root).
# tmon judges every case with
#   tmonctl verify-provenance ATTESTATIONS.json --digest HEX --repo OWNER/NAME
#           --trusted-root FILE --at UNIX --workflow '.github/workflows/*'
#           --ref 'refs/tags/*'
# (the peer's identity policy: a workflow of the repository itself, at a
# tag; the GitHub Actions issuer is the default of both) and must give the
# cases' expected verdicts and the peer's recorded ones
# (tests/data/sigstore-peer/peer-results.json): accept is exit 0, reject
# exit 1; anything else (3: could not check, 2: usage) is a failure.  A
# missing tmonctl is a failure.  With node, the peer runs live and its
# verdicts must be the expected and the recorded ones, and tmon's.
# Without node, tmon is still judged against the recorded verdicts; the
# test then exits 77 (skipped) if nothing failed.
# Usage: test_sigstore_peer.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need python3
need_bin tmonctl
PEER=$SRC/tests/sigstore-peer
DATA=$SRC/tests/data/sigstore-peer

python3 - "$DATA/cases.json" >"$TMP/expect" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1])):
    print(c["id"], c["expect"])
PY
python3 - "$DATA/peer-results.json" >"$TMP/recorded" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["id"], r["verdict"])
PY
n=$(wc -l <"$TMP/expect")
[ "$n" -ge 20 ] && pass "$n cases" || fail "only $n cases in cases.json"

# tmon's side: CASE VERDICT from tmonctl verify-provenance's exit status
python3 - "$DATA/cases.json" >"$TMP/args" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1])):
    print(c["id"], c["attestations"], c["digest"], c["repo"], c["trusted_root"], c["at"])
PY
: >"$TMP/tmon"
while read -r id att digest repo root at; do
	"$BUILD/tmonctl" verify-provenance "$DATA/$att" --digest "$digest" \
	    --repo "$repo" --trusted-root "$DATA/$root" --at "$at" \
	    --workflow '.github/workflows/*' --ref 'refs/tags/*' \
	    >"$TMP/out.$id" 2>&1
	case $? in
	0) echo "$id accept" >>"$TMP/tmon" ;;
	1) echo "$id reject" >>"$TMP/tmon" ;;
	*) echo "$id unchecked" >>"$TMP/tmon"; cat "$TMP/out.$id" ;;
	esac
	sed -n "s/^/  $id: /p" "$TMP/out.$id" | grep -E 'sigstore\.|provenance\.|result' | grep -v ' pass' || true
done <"$TMP/args"
if diff "$TMP/expect" "$TMP/tmon"; then
	pass "tmon's verdicts are the expected ones (above: expected, then tmon)"
else
	fail "tmon's verdicts differ from cases.json's expected ones (above: expected, then tmon)"
fi
if diff "$TMP/recorded" "$TMP/tmon"; then
	pass "tmon agrees with the peer's recorded verdicts"
else
	fail "tmon and the peer's recorded verdicts disagree (above: peer, then tmon)"
fi

# the peer, live
if ! command -v node >/dev/null; then
	[ "$fails" -eq 0 ] || finish
	echo "no node: the live peer skipped"
	exit 77
fi
[ -f "$PEER/node_modules/@sigstore/verify/package.json" ] ||
    { fail "no @sigstore/verify: run npm ci --prefix tests/sigstore-peer"; finish; }
run_peer "$PEER/verify.mjs" "$DATA/cases.json" || finish
if diff "$TMP/expect" "$TMP/live"; then
	pass "the peer's verdicts are the expected ones (accept the served bundles, reject every tampered one)"
else
	fail "the peer's verdicts differ from cases.json's expected ones"
fi
if diff "$TMP/recorded" "$TMP/live"; then
	pass "the peer's verdicts are the ones recorded in peer-results.json"
else
	fail "the peer's verdicts differ from peer-results.json"
fi
if diff "$TMP/live" "$TMP/tmon"; then
	pass "tmon and the peer agree on every case"
else
	fail "tmon and the peer disagree (above: peer, then tmon)"
fi
finish
