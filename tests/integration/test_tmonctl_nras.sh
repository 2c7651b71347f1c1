#!/usr/bin/env bash
# tmonctl verify-attestation --nras-token FILE --nras-jwks FILE: gpu.nras
# on recorded NVIDIA NRAS answers (tests/data/nras/PROVENANCE.md), next to
# the recorded NanoGPT gemma response (whose own checks are not what is
# tested here).  The Tinfoil answer passes with the nonce posted to NRAS
# at its time and fails with another nonce or after exp; the Chutes answer
# fails (NRAS answered NONCE_NOT_MATCHING); a token without its JWKS is
# an error (exit 3 when nothing else failed is not reachable here: the
# gemma checks fail under the NRAS nonce, so only the gpu.nras line is
# judged); without --nras-token gpu.nras is skip.  Nonces and times come
# from the captures.
set -u
build=$1 src=$2
ctl=$build/tmonctl
resp=$src/tests/data/replay/nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json
d=$src/tests/data/nras
t_nonce=a8c5455663ef4951c4a6fef8de2a079934c8e93c67626e7311bf385ba6724c9e  # manifest nonce_hex
t_at=1782172448                                                            # HTTP Date, iat
t_exp=1782176048
c_nonce=cda7576dbb7d1ea2852e4a70502723f8d1678fb1ecdb69d6b3224620ac368379
c_at=1779243493
g_nonce=9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a  # gemma manifest
fail=0
line() { # description regex output
	if echo "$3" | grep -Eq "$2"; then echo "ok: $1"; else echo "FAIL: $1"; echo "$3" | grep gpu.nras; fail=1; fi
}
out=$("$ctl" verify-attestation "$resp" --nonce "$t_nonce" --at "$t_at" \
    --nras-token "$d/tinfoil_gemma4_eat.json" --nras-jwks "$d/tinfoil_gemma4_jwks.json")
line "tinfoil answer passes" "^gpu.nras +pass +NRAS EAT: ES384 by key nv-eat-kid-prod-20260622212946838-" "$out"
# the JWKS given as --collateral (its kind told from its bytes) is the same
out=$("$ctl" verify-attestation "$resp" --nonce "$t_nonce" --at "$t_at" \
    --nras-token "$d/tinfoil_gemma4_eat.json" --collateral "$d/tinfoil_gemma4_jwks.json")
line "JWKS by --collateral: passes" "^gpu.nras +pass +NRAS EAT: ES384 by key nv-eat-kid-prod-20260622212946838-" "$out"
out=$("$ctl" verify-attestation "$resp" --nonce "$g_nonce" --at "$t_at" \
    --nras-token "$d/tinfoil_gemma4_eat.json" --nras-jwks "$d/tinfoil_gemma4_jwks.json")
line "another nonce fails" "^gpu.nras +fail +NRAS overall token: eat_nonce a8c5455663ef4951... is not our nonce" "$out"
out=$("$ctl" verify-attestation "$resp" --nonce "$t_nonce" --at "$t_exp" \
    --nras-token "$d/tinfoil_gemma4_eat.json" --nras-jwks "$d/tinfoil_gemma4_jwks.json")
line "at exp: expired" "^gpu.nras +fail +NRAS overall token: expired at" "$out"
out=$("$ctl" verify-attestation "$resp" --nonce "$c_nonce" --at "$c_at" \
    --nras-token "$d/chutes_glm5_eat.json" --nras-jwks "$d/chutes_glm5_jwks.json")
line "chutes answer: NRAS refused" "^gpu.nras +fail +NRAS GPU-[0-7] token: NRAS refused the evidence: NONCE_NOT_MATCHING" "$out"
out=$("$ctl" verify-attestation "$resp" --nonce "$t_nonce" --at "$t_at" \
    --nras-token "$d/tinfoil_gemma4_eat.json")
line "no JWKS: error" "^gpu.nras +error +no NRAS JWKS" "$out"
out=$("$ctl" verify-attestation "$resp" --nonce "$t_nonce" --at "$t_at" \
    --nras-token "$d/tinfoil_gemma4_eat.json" --nras-jwks "$d/chutes_glm5_jwks.json")
line "another day's JWKS: unknown kid, error" "^gpu.nras +error +.*is not in the JWKS" "$out"
out=$("$ctl" verify-attestation "$resp" --nonce "$g_nonce" --at 1781056145)
line "no NRAS answer: skip" "^gpu.nras +skip +no NRAS answer" "$out"
"$ctl" verify-attestation "$resp" --nonce "$g_nonce" --nras-token /nonexistent >/dev/null 2>&1
rc=$?
[ $rc = 2 ] && echo "ok: unreadable token is a usage error" || { echo "FAIL: unreadable token exit $rc, want 2"; fail=1; }
exit $fail
