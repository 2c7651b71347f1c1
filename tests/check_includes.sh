#!/bin/sh
# Enforce the one-way module dependencies (README "Layout"):
# core <- verify <- monitor -> store <- api.  verify does no I/O.
# store/entry (the body schema) sits between: verify's result types in,
# store below it; monitor and api read and write bodies through it.
top=${1:-.}
cd "$top" || exit 2
bad=0
forbid() { # dir-or-file-prefix pattern why
	hits=$(grep -nE "$2" "$1"*.c "$1"*.h 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "forbidden include in $1 ($3):"; echo "$hits"; bad=1
	fi
}
forbid monitor/core/ '#include [<"](sqlite3|curl/|microhttpd|secp256k1)' "core depends on libc, libcrypto and jansson only"
forbid monitor/verify/ '#include [<"](sqlite3|curl/|microhttpd|store|api|fetch)' "verify does no I/O"
forbid store/store '#include [<"](curl/|microhttpd|verify|checklist\.h|attest|entry|api)' "store sees no verify, fetch or api, nor the body layout"
forbid store/entry '#include [<"](sqlite3|curl/|microhttpd|fetch|api|tdx|nvspdm|gateway)' "entry builds and reads bodies: no I/O but the store"
forbid api/ '#include [<"](curl/|fetch|tdx|nvspdm|gateway)' "api never verifies or fetches"
forbid store/ '#include [<"](curl/|microhttpd|fetch|api|daemon|receipt\.h|probe\.h)' "store sees neither monitor's programs nor the api"
# Nothing under monitor/ includes a header of api/: tmond reaches its HTTP
# front end through store/service.h.
api_headers=$(cd api && ls *.h 2>/dev/null | sed 's/\./\\./g' | paste -sd'|' -)
if [ -n "$api_headers" ]; then
	hits=$(grep -rnE "#include [<\"](api/)?($api_headers)[>\"]" monitor 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "forbidden include under monitor/ (an api/ header):"; echo "$hits"; bad=1
	fi
fi
exit $bad
