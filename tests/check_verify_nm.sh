#!/bin/sh
# monitor/verify/ holds no mutable process-wide state: its caches live in
# the caller's struct verify_ctx (verify_ctx.h).  So the library defines
# no writable data: no nm type b/B (.bss) or d/D (.data, which includes
# .data.rel.ro, where position-independent code keeps tables of
# pointers).  Left out, as no C source of ours can define them: what the
# sanitizers and coverage instrumentation generate (__asan*, __ubsan*,
# __odr_asan*, __sancov*, and clang's __unnamed_<n>: ASan's global
# descriptors and UBSan's source locations), and clang's switch lookup
# tables (switch.table.*, in .data.rel.ro: read-only after relocation).
# Usage: check_verify_nm.sh path/to/libtmon_verify.a
lib=$1
if [ -z "$lib" ] || [ ! -f "$lib" ]; then
	echo "check_verify_nm: no library: $lib" >&2
	exit 2
fi
syms=$(nm --defined-only "$lib") || exit 2
if [ -z "$syms" ]; then
	echo "check_verify_nm: nm listed nothing in $lib" >&2
	exit 2
fi
bad=$(printf '%s\n' "$syms" |
    awk 'NF == 3 && $2 ~ /^[bBdD]$/ { print $2 " " $3 }' |
    grep -Ev ' (__asan|__ubsan|__odr_asan|__sancov|__unnamed_[0-9]+$|switch\.table\.)')
if [ -n "$bad" ]; then
	echo "writable data in $lib (monitor/verify/ must keep no state):"
	printf '%s\n' "$bad"
	exit 1
fi
exit 0
