/*
 * attest.h: every check of README "Checks" that one attestation
 * response allows, from the response bytes, our nonce and a time.
 *
 * Pure: no I/O and no clock (now is a parameter), so a stored response
 * re-verifies to the same result at the same --at time.  This is the one
 * verification path: tmond's probes and tmonctl verify-attestation both
 * call attest_verify.
 */
#ifndef TMON_VERIFY_ATTEST_H
#define TMON_VERIFY_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "gateway.h"
#include "policy.h"

struct tdx_collateral;

/*
 * What a verification may use beyond the response itself.  Every member
 * may be NULL/0: attest_verify() passes a NULL context, meaning the pinned
 * production roots, no collateral and no policy.
 */
struct attest_ctx {
	/*
	 * Intel collateral for a quote's FMSPC (6 bytes) and PCK CA
	 * (enum tdx_pck_ca), or NULL if none is available (then tdx.tcb and
	 * tdx.collateral are CHECK_ERROR "no collateral", never a pass).
	 * The returned object stays valid until attest_verify_ctx returns.
	 */
	const struct tdx_collateral *(*collateral)(void *arg,
	    const uint8_t fmspc[6], int pck_ca);
	void		*collateral_arg;
	/*
	 * Trust anchors (DER).  NULL means the pinned production roots.
	 * Anything else is a test PKI (README "The simulated provider"): it
	 * is used only
	 * when test_pki is true, and every check detail then says
	 * "test PKI" so a simulated pass can never pass for a real one.
	 */
	const uint8_t	*intel_root_der;
	size_t		 intel_root_der_len;
	const uint8_t	*nvidia_root_der;
	size_t		 nvidia_root_der_len;
	bool		 test_pki;
	/* measurement allow-lists of this model; NULL: none configured */
	const struct measurement_policy *policy;
};

/* The measurement of the model's TEE (the primary attestation). */
struct attest_measurement {
	bool	has_quote;
	uint8_t	mrtd[48];
	uint8_t	rtmr[4][48];
	uint8_t	report_data[64];
	uint8_t	mr_config_id[48];
	char	signing_address[80];	/* as served, "" if none */
	char	signing_algo[16];	/* "ecdsa", "ed25519" or "" */
	char	compose_hash[72];	/* info.compose_hash as served, "" */
	char	reportdata_layout[32];	/* layout that matched, "" if none */
	size_t	n_gpus;			/* GPUs in the primary attestation */
	size_t	n_attestations;		/* TEEs in the response */
};

struct attest_result {
	enum gw_format			format;
	struct checklist		checks;
	enum check_status		verdict;
	struct attest_measurement	m;
};

/*
 * Verify the len bytes of an attestation response (as received) against
 * our 32-byte nonce at unix time now.  Always fills *res; never fails:
 * anything wrong with the input is a check result.  Checks set:
 *   response.parse      the body decodes as a known format
 *   nonce.echo          the response's request_nonce (Chutes: the
 *                       gateway's nonce) equals ours
 *   tdx.quote.parse, tdx.quote.signature, tdx.pck_chain   (tdx_verify.h)
 *   tdx.reportdata      REPORTDATA binds the signing key and our nonce;
 *                       the layout that matched is named in the detail
 *                       and in res->m.reportdata_layout
 *                       (nearai/private-ml-sdk quote.py
 *                       _build_report_data)
 *   gpu.evidence, gpu.cert_chain   (gpu_verify.h)
 *   gpu.nonce           every GPU's SPDM request nonce equals our nonce
 * With several TEEs in one response (NEAR gateway, Chutes) each check is
 * the worst over all of them and its detail names the TEE.  A format we
 * cannot verify yet (Tinfoil) gets CHECK_SKIP with the reason.
 * The verdict is checklist_verdict(), except that a response in which no
 * tdx.* or gpu.* check passed or warned can never be a pass: it is ERROR
 * (nothing could be checked) unless something failed.
 */
void	attest_verify(const uint8_t *body, size_t len, const uint8_t nonce[32],
	    int64_t now, struct attest_result *res);

/* As attest_verify, with the collateral, trust anchors and policy of ctx
 * (NULL: as attest_verify). */
void	attest_verify_ctx(const uint8_t *body, size_t len,
	    const uint8_t nonce[32], int64_t now, const struct attest_ctx *ctx,
	    struct attest_result *res);

#endif /* TMON_VERIFY_ATTEST_H */
