/*
 * attest_chutes.h: the Chutes nonce rule, for tdx.reportdata and
 * gpu.nonce of every Chutes instance (relayed GW_FORMAT_CHUTES and the
 * direct API GW_FORMAT_CHUTES_DIRECT, gateway.h).
 *
 * A Chutes instance binds a nonce n (64 hex digits, lower case, as sent
 * in /chutes/{chute}/evidence?nonce=n) and its E2E public key k (the
 * base64 text of e2e_pubkey, as served) as
 *     D = SHA-256(ASCII(n) || ASCII(k))        (FIPS 180-4)
 * and puts D in the TD report's REPORTDATA[0:32] (Intel TDX DCAP quote
 * generation library API, TD report) and as the 32-byte requester nonce
 * of the GPU's SPDM GET_MEASUREMENTS (DMTF DSP0274 1.1, sec. 10.11;
 * bytes 4..35 of the NVIDIA evidence).  REPORTDATA[32:64] is not a nonce
 * and is not checked.  (redpill-ai/redpill-gateway
 * src/services/chutesService.ts; 13rac1/teep
 * internal/provider/chutes/reportdata.go; holds on every instance of the
 * recorded captures.)  The layout is named "chutes" in
 * res->m.reportdata_layout.
 */
#ifndef TMON_VERIFY_ATTEST_CHUTES_H
#define TMON_VERIFY_ATTEST_CHUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "gateway.h"
#include "gpu_verify.h"

/* The name of the layout in details and in reportdata_layout. */
#define CHUTES_LAYOUT	"chutes"

/*
 * D = SHA-256(nonce_hex[0..nonce_len) || e2e_pubkey) into out.  Returns
 * false only when OpenSSL fails (out then undefined).
 */
bool	chutes_binding(const char *nonce_hex, size_t nonce_len,
	    const char *e2e_pubkey, uint8_t out[32]);

/*
 * tdx.reportdata of the Chutes instance a, whose REPORTDATA is rd (64
 * bytes), against our nonce: PASS when rd[0:32] is D of our nonce (as
 * 64 lower-case hex digits); FAIL when it is D of the instance's own
 * served nonce (a->chutes_nonce: a relaying gateway chose it;
 * "internally consistent only") or matches nothing; ERROR when a has no
 * e2e_pubkey (the direct API's /e2e/instances body was not given or
 * does not list the instance) or SHA-256 fails.  Sets layout (layoutsz
 * bytes) to CHUTES_LAYOUT when a layout matched, else "".
 */
void	chutes_check_reportdata(const struct gw_attestation *a,
	    const uint8_t rd[64], const uint8_t nonce[32], struct checklist *cl,
	    char *layout, size_t layoutsz);

/*
 * gpu.nonce of the Chutes instance a from its verified GPU summary sum:
 * PASS when every GPU's SPDM requester nonce is D of our nonce; FAIL
 * when a GPU did not parse, when there is none, or when a nonce is D of
 * the instance's served nonce (internally consistent only) or anything
 * else; ERROR as chutes_check_reportdata for a missing e2e_pubkey.
 */
void	chutes_check_gpu_nonce(const struct gw_attestation *a,
	    const struct gpu_summary *sum, const uint8_t nonce[32],
	    struct checklist *cl);

#endif /* TMON_VERIFY_ATTEST_CHUTES_H */
