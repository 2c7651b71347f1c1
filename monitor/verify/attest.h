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
#include "tmon_limits.h"

struct tdx_collateral;
struct verify_ctx;

/* What ends the detail of every tdx.* and gpu.* check verified against a
 * test PKI (attest_ctx.test_pki). */
#define ATTEST_TEST_PKI_MARK	" [test PKI]"

/*
 * What a verification may use beyond the response itself.  Every member
 * may be NULL/0: attest_verify() passes a NULL context, meaning the pinned
 * production roots, no collateral, no policy and no caches.
 */
struct attest_ctx {
	/*
	 * The caller's caches (verify_ctx.h): decoded roots, verified PCK
	 * chains, attestation keys.  NULL: everything decoded per call.
	 */
	struct verify_ctx *vc;
	/*
	 * Intel collateral for a quote's FMSPC (6 bytes) and PCK CA
	 * (enum tdx_pck_ca), or NULL if none is available (then tdx.tcb and
	 * tdx.collateral are CHECK_ERROR "no collateral", never a pass).
	 * Its CRLs are an input of tdx.pck_chain (tdx_check_quote).  The
	 * returned object stays valid until attest_verify_ctx returns.
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
	/*
	 * Not NULL: record this status and detail as measurement.policy
	 * instead of judging policy (tmonctl audit re-running a stored
	 * probe: the allow-lists are tmond's configuration, not in the
	 * log, so the stored result is taken as given).
	 */
	const struct check *policy_result;
	/*
	 * The Chutes direct API's /e2e/instances answer (len bytes, as
	 * received) that goes with a GW_FORMAT_CHUTES_DIRECT evidence body
	 * (gateway_chutes.h): the instances' e2e_pubkey.  NULL: none, and
	 * the instances' tdx.reportdata and gpu.nonce are errors.
	 */
	const uint8_t	*chutes_instances;
	size_t		 chutes_instances_len;
	/*
	 * gpu.nras (nras.h): NVIDIA's answer to the probe's GPU evidence as
	 * received, and the NRAS JWKS fetched with it.  nras_eat NULL:
	 * gpu.nras is skip (no NRAS configured); nras_jwks NULL with an
	 * answer: error.
	 */
	const uint8_t	*nras_eat;
	size_t		 nras_eat_len;
	const uint8_t	*nras_jwks;
	size_t		 nras_jwks_len;
	/*
	 * AMD collateral for a SEV-SNP attestation report (snp_verify.h):
	 * the VCEK (DER or PEM, as AMD KDS serves it) for the report's
	 * CHIP_ID (64 bytes) and REPORTED_TCB, and the KDS cert_chain (PEM:
	 * ASK then ARK) of the product ("Milan", "Genoa", "Turin"; "" when
	 * the report does not say).  Returns false when none is available:
	 * then snp.report.signature and snp.vcek_chain are CHECK_ERROR
	 * "no collateral", never a pass.  The bytes stay valid until
	 * attest_verify_ctx returns.  NULL: no AMD collateral.
	 */
	bool		(*amd_collateral)(void *arg, const char *product,
			    const uint8_t chip_id[64], uint64_t reported_tcb,
			    const uint8_t **vcek, size_t *vcek_len,
			    const uint8_t **cert_chain, size_t *cert_chain_len);
	void		*amd_collateral_arg;
	/* AMD root key (ARK, DER) of a test PKI; NULL: the pinned ARKs of
	 * Milan, Genoa and Turin.  Used only when test_pki is true. */
	const uint8_t	*amd_root_der;
	size_t		 amd_root_der_len;
	/*
	 * tls.binding: SHA-256 of the SubjectPublicKeyInfo (DER) of the leaf
	 * certificate the probe's own TLS connection was served.
	 * has_tls_spki false: the probe was not over TLS (tls.binding skip).
	 */
	bool		 has_tls_spki;
	uint8_t		 tls_spki_sha256[32];
};

/* A value of a dstack system event (tdx_event_log_system_payload). */
struct attest_event_value {
	bool	has;			/* the authenticated log has it */
	uint8_t	v[MAX_MEAS_EVENT_VALUE];
	size_t	len;
};

/*
 * The measurement of the model's TEE (the primary attestation).  The
 * store/entry.h layers say which member identifies what.
 */
struct attest_measurement {
	bool	has_quote;
	uint8_t	mrtd[48];
	uint8_t	rtmr[4][48];
	uint8_t	report_data[64];
	uint8_t	mr_config_id[48];
	uint8_t	tee_tcb_svn[16];	/* TD report TEE_TCB_SVN */
	char	signing_address[80];	/* as served, "" if none */
	char	signing_algo[16];	/* "ecdsa", "ed25519" or "" */
	char	compose_hash[72];	/* the quote's (tdx_check_compose), "" */
	char	reportdata_layout[32];	/* layout that matched, "" if none */
	size_t	n_gpus;			/* GPUs in the primary attestation */
	size_t	n_attestations;		/* TEEs in the response */
	/* FMSPC of the PCK leaf (has_fmspc: its SGX extension was read) */
	bool	has_fmspc;
	uint8_t	fmspc[6];
	/* tdx.tcb's result when the collateral judged it: Intel's tcbStatus
	 * ("UpToDate", ...) and the advisory ids, in Intel's order (at most
	 * MAX_MEAS_ADVISORIES kept; advisories_cut says more were listed);
	 * tcb_status "" when not judged */
	char	tcb_status[48];
	size_t	n_advisories;
	char	advisories[MAX_MEAS_ADVISORIES][MAX_ADVISORY_ID_LEN];
	bool	advisories_cut;
	/* per GPU, in evidence order (n_gpus of them): as gpu_summary */
	struct {
		char	arch[16];
		char	driver_version[32];
		char	vbios_version[32];
	} gpu[MAX_GPUS];
	/* dstack system events of the event log that replays to RTMR3 */
	struct attest_event_value app_id, instance_id, os_image_hash,
	    key_provider;
	/*
	 * An AMD SEV-SNP report (a Tinfoil enclave; snp_report.h) verified
	 * instead of a TDX quote: has_quote false, report_data and
	 * reportdata_layout hold its REPORT_DATA and binding
	 */
	bool	has_snp_report;
	uint32_t snp_version;
	uint8_t	snp_measurement[48];	/* MEASUREMENT (launch digest) */
	uint8_t	snp_host_data[32];	/* HOST_DATA */
	uint8_t	snp_chip_id[64];	/* CHIP_ID */
	uint64_t snp_policy;		/* guest POLICY */
	uint64_t snp_reported_tcb;	/* REPORTED_TCB (TCB_VERSION) */
	/* TLS certificate fingerprint bound in REPORTDATA, if served */
	bool	has_tls_fingerprint;
	uint8_t	tls_fingerprint[32];
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
 *   response.parse      the body decodes as a known format (fail when
 *                       malformed, error when it matches no known
 *                       format: not checked)
 *   nonce.echo          the response's request_nonce (Chutes: the
 *                       gateway's nonce; Tinfoil v3: report_data.nonce)
 *                       equals ours; skip for the Chutes direct API,
 *                       which echoes none (its binding is tdx.reportdata
 *                       and gpu.nonce), and for a Tinfoil v2 document,
 *                       which carries none
 *   tdx.quote.parse, tdx.quote.signature, tdx.pck_chain   (tdx_verify.h)
 *   tdx.collateral, tdx.tcb   (tdx_collateral.h)
 *   tdx.reportdata      REPORTDATA binds the signing key and our nonce;
 *                       the layout that matched is named in the detail
 *                       and in res->m.reportdata_layout
 *                       (nearai/private-ml-sdk quote.py
 *                       _build_report_data)
 *   gpu.evidence, gpu.cert_chain   (gpu_verify.h)
 *   gpu.nonce           every GPU's SPDM request nonce equals our nonce
 *                       (Chutes instances: attest_chutes.h)
 *   gpu.nras            NVIDIA's NRAS answer for the GPU evidence
 *                       (ctx->nras_eat, nras.h): signed by NRAS, our
 *                       nonce, every GPU attested; skip without one
 *   snp.reportdata      a Tinfoil document from an AMD SEV-SNP enclave:
 *                       its REPORT_DATA binding (attest_tinfoil.h); a
 *                       Tinfoil document's tdx.reportdata likewise
 *   tinfoil.signature   a Tinfoil v3 document is signed by the TLS key
 *                       its REPORTDATA binds (attest_tinfoil.h)
 *   tls.binding         the TLS key REPORTDATA binds is the one the probe
 *                       was served (ctx->tls_spki_sha256; tls_binding.h)
 * With several TEEs in one response (NEAR gateway, Chutes) each check is
 * the worst over all of them and its detail names the TEE.
 * The verdict is checklist_verdict(), except that a response in which no
 * tdx.*, snp.* or gpu.* check other than gpu.nras (which judges NVIDIA's answer,
 * not the response) passed or warned can never be a pass: it is ERROR
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
