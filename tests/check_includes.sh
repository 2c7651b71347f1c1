#!/bin/sh
# Enforce the one-way module dependencies (README "Layout"):
# core <- verify <- monitor -> store <- api.  verify does no I/O.
top=${1:-.}
cd "$top" || exit 2
bad=0
forbid() { # dir pattern why
	hits=$(grep -nE "$2" "$1"/*.c "$1"/*.h 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "forbidden include in $1 ($3):"; echo "$hits"; bad=1
	fi
}
forbid monitor/core '#include [<"](sqlite3|curl/|microhttpd|jansson|secp256k1)' "core depends on libc and libcrypto only"
forbid monitor/verify '#include [<"](sqlite3|curl/|microhttpd|store|api|fetch)' "verify does no I/O"
forbid store '#include [<"](curl/|microhttpd|verify|checklist\.h|api)' "store sees no verify, fetch or api"
forbid api '#include [<"](curl/|fetch|tdx|nvspdm|gateway)' "api never verifies or fetches"
exit $bad
