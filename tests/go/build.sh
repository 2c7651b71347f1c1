#!/bin/sh
# Build tests/go/tlogcheck into BUILD_DIR/tests/tlogcheck with Debian's
# golang-go and golang-golang-x-mod-dev, in GOPATH mode and offline: no
# module download, no proxy, no toolchain switch, the build cache in
# BUILD_DIR/gocache (never $HOME).
# Usage: build.sh BUILD_DIR SOURCE_DIR.  Exit status: 0 built; 77 when
# there is no go command (ctest's skip code; CI installs it, see
# contrib/deps.sh); 1 anything else (x/mod missing, a compile error).
build=${1:?usage: build.sh BUILD_DIR SOURCE_DIR}
src=${2:?usage: build.sh BUILD_DIR SOURCE_DIR}
gopath=/usr/share/gocode
if ! command -v go >/dev/null 2>&1; then
	echo "SKIP: go not installed (apt-get install golang-go golang-golang-x-mod-dev)"
	exit 77
fi
if [ ! -d "$gopath/src/golang.org/x/mod/sumdb/tlog" ]; then
	echo "FAIL: no golang.org/x/mod under $gopath (apt-get install golang-golang-x-mod-dev)"
	exit 1
fi
mkdir -p "$build/tests" "$build/gocache" || exit 1
build=$(cd "$build" && pwd) || exit 1	# GOCACHE must be absolute
out=$build/tests/tlogcheck
# a private name, renamed into place: tests may build it concurrently
cd "$src" && env GOPATH="$gopath" GO111MODULE=off GOFLAGS= GOENV=off \
    GOPROXY=off GOTOOLCHAIN=local GOCACHE="$build/gocache" \
    go build -o "$out.$$" ./tests/go/tlogcheck &&
    mv -f "$out.$$" "$out" || { rm -f "$out.$$"; echo "FAIL: go build tests/go/tlogcheck"; exit 1; }
