#!/usr/bin/env bash
# tmon's Merkle tree code (tlog/tlog.c) against an implementation that is
# not ours: tests/go/tlogcheck, built with Debian's golang-go and
# golang.org/x/mod/sumdb/{tlog,note} (tests/go/build.sh; skipped, exit 77,
# only when there is no go command; CI installs it).
#  - tlogcheck selftest: its api, tiles and witness modes against Go-side
#    logs, each fault (entry, proof, root, tile, bundle, signature,
#    witness status) caught.
#  - Every root, every inclusion proof and every consistency proof of the
#    trees of sizes 1..300 (tlog_vectors proofs) checked with
#    tlog.CheckRecord / tlog.CheckTree and equal byte for byte to
#    tlog.ProveRecord / tlog.ProveTree.
#  - tmon's verifiers (tlog_verify_inclusion / _consistency) give Go's
#    verdict on every proof of sizes 1..64 and on altered copies of each.
#  - Tile paths (tlog_tile_path, tlog_tile_parse) of every level, up to
#    the largest index, as C2SP tlog-tiles spells them.
#  - The C2SP tlog-tiles tmon's tile code writes (tlog_tiles_each,
#    tlog_tile_path) for logs of 1..70,000 entries (tiles up to level 2),
#    checkpoint signed with Go's note package: every tile and entry
#    bundle matches Go's tree; a changed byte in a tile or bundle fails.
#  - tlogcheck witness as a process: cosigns (the cosignature verifies as
#    a requirement of the tiles check), answers 409 with text/x.tlog.size
#    once it has a state, keeps it across a restart, and a witness that
#    has seen another tree of that size answers 422 (split view).
# Takes about 15 s under ASan.
# Usage: test_tlog_go.sh BUILD_DIR SOURCE_DIR
set -u
set -o pipefail
. "$(dirname "$0")/lib.sh"

sh "$SRC/tests/go/build.sh" "$BUILD" "$SRC"
rc=$?
[ $rc -eq 0 ] || exit $rc
need_bin tests/tlog_vectors tests/tlogcheck
need curl sha256sum
TC=$BUILD/tests/tlogcheck
TV=$BUILD/tests/tlog_vectors
WIT=
LIB_PIDS="WIT"

if "$TC" selftest >"$TMP/selftest.out" 2>&1; then
	pass "$(tail -n 1 "$TMP/selftest.out")"
else
	grep -v '^ok' "$TMP/selftest.out"
	fail "tlogcheck selftest"
fi

# Every proof of sizes 1..300, checked by Go.
if out=$("$TV" proofs 300 | "$TC" vectors 2>&1); then
	pass "$out"
else
	fail "tlog_vectors proofs 300 | tlogcheck vectors: $out"
fi

# Go's verdicts on valid and altered proofs, given to tmon's verifiers.
if out=$("$TC" mutants 64 | "$TV" verify 2>&1); then
	pass "$out"
else
	fail "tlogcheck mutants 64 | tlog_vectors verify: $out"
fi

# Tile paths, to 7 levels and 2^55 tiles.
if out=$("$TV" paths | "$TC" paths 2>&1); then
	pass "$out"
else
	fail "tlog_vectors paths | tlogcheck paths: $out"
fi

# Tiles written by tmon's tile code, checkpoint signed by Go.
origin=tlog-go.test/log
keys=$("$TC" genkey "$origin") || { fail "tlogcheck genkey"; finish; }
skey=$(echo "$keys" | sed -n 1p)
vkey=$(echo "$keys" | sed -n 2p)
# make_tiles DIR SIZE: tmon's tiles of SIZE entries and a signed checkpoint
make_tiles() {
	mkdir -p "$1" &&
	    "$TV" tiles "$1" "$2" "$origin" >"$1/checkpoint.body" &&
	    "$TC" sign "$skey" <"$1/checkpoint.body" >"$1/checkpoint"
}
for n in 1 255 256 257 65535 65536 70000; do
	d=$TMP/tiles-$n
	if ! make_tiles "$d" "$n"; then
		fail "tiles of $n entries not written"
		continue
	fi
	if out=$("$TC" tiles -origin "$origin" -samples 32 "$d" "$vkey" 2>&1); then
		pass "$n entries: $out"
	else
		fail "tiles of $n entries: $out"
	fi
done
d=$TMP/tiles-70000
ls "$d/tile/2/000.p/1" >/dev/null 2>&1 && pass "70,000 entries: level 2 tile" ||
    fail "no tile/2/000.p/1 for 70,000 entries"

# expect_fail NAME FILE OFFSET WANT: flip the byte at OFFSET of FILE in a copy
# of the 70,000 tiles; tlogcheck tiles must exit 1 with WANT in its
# message.
expect_fail() {
	local name=$1 f=$2 off=$3 want=$4 c=$TMP/bad rc
	rm -rf "$c" && cp -r "$d" "$c"
	[ -f "$c/$f" ] || { fail "$name: no $f"; return; }
	python3 -c 'import sys; p=sys.argv[1]; o=int(sys.argv[2]); b=bytearray(open(p,"rb").read()); b[o]^=1; open(p,"wb").write(b)' "$c/$f" "$off"
	out=$("$TC" tiles -samples 8 "$c" "$vkey" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && echo "$out" | grep -q -- "$want"; then
		pass "$name: $out"
	else
		fail "$name: exit $rc: $out"
	fi
}
expect_fail "a leaf hash changed" tile/0/017 64 "tile/0/017 differs"
expect_fail "a level-1 hash changed" tile/1/000 32 "tile/1/000 differs"
expect_fail "the level-2 tile changed" tile/2/000.p/1 0 "tile/2/000.p/1 differs"
expect_fail "an entry byte changed" tile/entries/017 10 "root of the entry bundles"
expect_fail "the checkpoint's root changed" checkpoint 30 "checkpoint signature"

# The witness, as a process.
whash=$(printf '%s' "$origin" | sha256sum | cut -d' ' -f1)
# start_witness ARGS...: WIT, WIT_PORT, WVKEY (its first stdout line)
start_witness() {
	start_listener WIT WIT_PORT tests/tlogcheck witness witness \
	    -listen 127.0.0.1:0 -name tlog-go.test/witness \
	    -log-vkey "$vkey" -origin "$origin" "$@" || return 1
	WVKEY=$(sed -n 1p "$TMP/witness.out")
}
stop_witness() {
	kill "$WIT" && wait "$WIT"
	WIT=
}
# add OLD CHECKPOINT: POST add-checkpoint; body to $TMP/wans, headers to
# $TMP/whdr; prints the status
add() {
	{ printf 'old %s\n\n' "$1"; cat "$2"; } >"$TMP/wreq"
	curl -s -o "$TMP/wans" -D "$TMP/whdr" -w '%{http_code}' --max-time 20 \
	    --data-binary @"$TMP/wreq" "http://127.0.0.1:$WIT_PORT/add-checkpoint"
}
if start_witness -key "$TMP/wkey" -state "$TMP/wstate"; then
	pass "witness started: $WVKEY"
	case $WVKEY in
	tlog-go.test/witness+[0-9a-f]*+*) pass "witness key is a cosigner vkey" ;;
	*) fail "witness key line: $WVKEY" ;;
	esac
	st=$(add 0 "$d/checkpoint")
	[ "$st" = 200 ] && pass "add-checkpoint old 0: 200" ||
	    fail "add-checkpoint old 0: $st $(cat "$TMP/wans")"
	cat "$d/checkpoint" "$TMP/wans" >"$TMP/cosigned"
	cp "$TMP/cosigned" "$d/checkpoint"
	if out=$("$TC" tiles -samples 4 -witness "$WVKEY" "$d" "$vkey" 2>&1); then
		pass "tiles with the witness's cosignature required: $out"
	else
		fail "cosigned checkpoint: $out"
	fi
	st=$(curl -s -o "$TMP/wget" -w '%{http_code}' \
	    "http://127.0.0.1:$WIT_PORT/$whash/checkpoint")
	[ "$st" = 200 ] && cmp -s "$TMP/wget" "$TMP/cosigned" &&
	    pass "GET <origin hash>/checkpoint: the cosigned checkpoint" ||
	    fail "GET <origin hash>/checkpoint: $st"
	stop_witness
	# restarted: the same key, the state kept
	if start_witness -key "$TMP/wkey" -state "$TMP/wstate"; then
		st=$(add 0 "$d/checkpoint")
		ct=$(header_value "$TMP/whdr" Content-Type)
		if [ "$st" = 409 ] && [ "$(cat "$TMP/wans")" = 70000 ] &&
		    [ "$ct" = text/x.tlog.size ]; then
			pass "after a restart, old 0: 409 text/x.tlog.size 70000"
		else
			fail "after a restart, old 0: $st $ct $(cat "$TMP/wans")"
		fi
		grep -q "^$WVKEY\$" "$TMP/witness.out" &&
		    pass "same key after a restart" || fail "witness key changed"
		st=$(add 70000 "$d/checkpoint")
		[ "$st" = 200 ] && pass "old 70000, same root: 200" ||
		    fail "old 70000, same root: $st $(cat "$TMP/wans")"
		stop_witness
	else
		fail "witness did not restart"
	fi
	# a witness that has seen another tree of 70,000 entries
	other=$(sed -n 3p "$TMP/tiles-65536/checkpoint.body")
	if start_witness -init-size 70000 -init-root "$other"; then
		st=$(add 70000 "$d/checkpoint")
		[ "$st" = 422 ] && pass "split view: same size, another root: 422" ||
		    fail "split view: $st $(cat "$TMP/wans")"
		st=$(add 0 "$d/checkpoint")
		[ "$st" = 409 ] && pass "split view: old 0: 409" ||
		    fail "split view, old 0: $st"
		stop_witness
	else
		fail "witness with -init-size did not start"
	fi
else
	fail "witness did not start"
fi

finish
