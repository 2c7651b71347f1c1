#!/usr/bin/env bash
# tmon-sim's TEST Sigstore (contrib/sim/sim_sigstore.c) and GitHub routes:
#  - `tmon-sim --write-sigstore DIR` writes the same bytes as the committed
#    tests/data/sigstore-test/ (fixed seeds, RFC 6979 nonces), and so does a
#    running sim into PKI_DIR/sigstore/;
#  - GET /repos/tmon-sim/NAME/releases/latest, /tmon-sim/NAME/releases/
#    download/TAG/tinfoil.hash and /repos/tmon-sim/NAME/attestations/
#    sha256:DIGEST answer the committed release, digest and bundle; an
#    unknown digest, tag or repository is GitHub's 404;
#  - the roll-out control: sim/tinfoil-release serves the RTMR1/RTMR2 of
#    release v0.1.0 for its first 3 attestations; v0.2.0 is the latest
#    release (and its tinfoil.hash published) once those 3 have been
#    served, and the enclave serves v0.2.0's registers from the first
#    attestation after releases/latest has answered v0.2.0; sim/tinfoil-unattested rolls out to RTMR1/RTMR2 that no
#    release attests while its latest release stays v0.1.0.
# Usage: test_sigstore_sim.sh BUILD_DIR SOURCE_DIR
set -u

. "$(dirname "$0")/lib.sh"
need curl python3
need_bin tmon-sim
DATA=$SRC/tests/data/sigstore-test

# 1. reproducible
mkdir -p "$TMP/sg"
"$BUILD/tmon-sim" --write-sigstore "$TMP/sg" || fail "--write-sigstore"
cp "$DATA/README.md" "$TMP/sg/"
if diff -r "$DATA" "$TMP/sg" >"$TMP/diff"; then
	pass "--write-sigstore reproduces tests/data/sigstore-test byte for byte"
else
	head -20 "$TMP/diff"
	fail "--write-sigstore differs from tests/data/sigstore-test"
fi

start_sim "$TMP/pki"
base=http://127.0.0.1:$SIM_PORT
cp "$DATA/README.md" "$TMP/pki/sigstore/"
diff -r "$DATA" "$TMP/pki/sigstore" >/dev/null &&
    pass "the running sim signs with the same keys (PKI_DIR/sigstore)" ||
    fail "PKI_DIR/sigstore differs from tests/data/sigstore-test"

get() {	# URL OUT: the HTTP status
	curl -s --max-time 10 -o "$2" -w '%{http_code}' "$base$1"
}

# 2. GitHub's routes
for rel in tinfoil:v0.1.0 hardware-measurements:v0.1.0 tinfoil-release:v0.1.0 \
    tinfoil-unattested:v0.1.0; do
	name=${rel%%:*} tag=${rel#*:}
	st=$(get "/repos/tmon-sim/$name/releases/latest" "$TMP/latest.json")
	t=$(jget tag_name "$TMP/latest.json")
	[ "$st" = 200 ] && [ "$t" = "$tag" ] &&
	    pass "$name: latest release $t" || fail "$name: latest $st $t"
	st=$(get "/tmon-sim/$name/releases/download/$tag/tinfoil.hash" "$TMP/hash")
	[ "$st" = 200 ] && cmp -s "$TMP/hash" "$DATA/${name}_$tag.hash" &&
	    pass "$name $tag: tinfoil.hash" || fail "$name $tag: tinfoil.hash ($st)"
	d=$(head -c 64 "$DATA/${name}_$tag.hash")
	st=$(get "/repos/tmon-sim/$name/attestations/sha256:$d" "$TMP/att.json")
	[ "$st" = 200 ] && cmp -s "$TMP/att.json" "$DATA/${name}_$tag.attestations.json" &&
	    pass "$name $tag: attestations body" || fail "$name $tag: attestations ($st)"
done
z=0000000000000000000000000000000000000000000000000000000000000000
st=$(get "/repos/tmon-sim/tinfoil/attestations/sha256:$z" "$TMP/x")
[ "$st" = 404 ] && grep -q '"Not Found"' "$TMP/x" &&
    pass "unknown digest: 404 Not Found" || fail "unknown digest: $st"
d=$(head -c 64 "$DATA/tinfoil_v0.1.0.hash")
st=$(get "/repos/tmon-sim/tinfoil-release/attestations/sha256:$d" "$TMP/x")
[ "$st" = 404 ] && pass "another repository's digest: 404" ||
    fail "another repository's digest: $st"
st=$(get "/repos/tmon-sim/nope/releases/latest" "$TMP/x")
[ "$st" = 404 ] && pass "unknown repository: 404" || fail "unknown repository: $st"
st=$(get "/tmon-sim/tinfoil-release/releases/download/v0.2.0/tinfoil.hash" "$TMP/x")
[ "$st" = 404 ] && pass "v0.2.0 not published before the roll-out" ||
    fail "v0.2.0 before the roll-out: $st"

# 3. the roll-out control
# RTMR1 and RTMR2 (hex) of the Tinfoil document in FILE (TDX quote v4:
# header 48 bytes, RTMR0 at 328 in the TD report body)
rtmrs() {
	python3 - "$1" <<'PY'
import base64, json, sys
q = base64.b64decode(json.load(open(sys.argv[1]))["cpu"]["report"])
o = 48 + 328
print(q[o + 48:o + 96].hex(), q[o + 96:o + 144].hex())
PY
}
# RTMR1 and RTMR2 the committed bundle of NAME_TAG attests
attested() {
	python3 - "$DATA/$1.attestations.json" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))["attestations"][0]["bundle"]
p = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))["predicate"]
print(p["tdx_measurement"]["rtmr1"], p["tdx_measurement"]["rtmr2"])
PY
}
v1=$(attested tinfoil-release_v0.1.0)
v2=$(attested tinfoil-release_v0.2.0)
[ "$(attested tinfoil_v0.1.0)" = "$v1" ] && [ "$v1" != "$v2" ] ||
    fail "the releases' registers"
nonce=$(printf '%064d' 7)
# one attestation of sim/MODE: its RTMR1 RTMR2 into $r
attest() {
	st=$(get "/v1/attestation/report?model=sim/$1&nonce=$nonce" "$TMP/doc.json")
	[ "$st" = 200 ] || fail "sim/$1 attestation: $st"
	r=$(rtmrs "$TMP/doc.json")
}
latest() {
	get "/repos/tmon-sim/$1/releases/latest" "$TMP/latest.json" >/dev/null
	jget tag_name "$TMP/latest.json"
}
# sim/tinfoil-release: v0.2.0 is published once 3 attestations have been
# served; the enclave rolls out on the first attestation after the
# release has been answered as the latest (no look-up after #3 here)
for i in 1 2 3 4 5 6; do
	attest tinfoil-release
	want=$v1
	[ "$i" -ge 5 ] && want=$v2
	[ "$r" = "$want" ] && pass "sim/tinfoil-release #$i: registers of $([ "$want" = "$v1" ] && echo v0.1.0 || echo v0.2.0)" ||
	    fail "sim/tinfoil-release #$i: registers"
	[ "$i" = 3 ] && continue
	l=$(latest tinfoil-release)
	w=v0.1.0
	[ "$i" -ge 3 ] && w=v0.2.0
	[ "$l" = "$w" ] && pass "sim/tinfoil-release after #$i: latest $l" ||
	    fail "sim/tinfoil-release after #$i: latest $l, not $w"
done
# sim/tinfoil-unattested: registers no release attests after 3, the
# latest release stays v0.1.0
for i in 1 2 3 4 5; do
	attest tinfoil-unattested
	l=$(latest tinfoil-unattested)
	if [ "$i" -le 3 ]; then
		[ "$r" = "$v1" ] && [ "$l" = v0.1.0 ] &&
		    pass "sim/tinfoil-unattested #$i: v0.1.0 registers, latest $l" ||
		    fail "sim/tinfoil-unattested #$i: registers or latest $l"
	else
		[ "$r" != "$v1" ] && [ "$r" != "$v2" ] && [ "$l" = v0.1.0 ] &&
		    pass "sim/tinfoil-unattested #$i: unattested registers, latest $l" ||
		    fail "sim/tinfoil-unattested #$i: registers or latest $l"
	fi
done
st=$(get "/tmon-sim/tinfoil-release/releases/download/v0.2.0/tinfoil.hash" "$TMP/hash")
[ "$st" = 200 ] && cmp -s "$TMP/hash" "$DATA/tinfoil-release_v0.2.0.hash" &&
    pass "v0.2.0 tinfoil.hash published after the roll-out" ||
    fail "v0.2.0 tinfoil.hash after the roll-out: $st"
finish
