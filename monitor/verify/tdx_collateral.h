/*
 * tdx_collateral.h: Intel DCAP collateral for TDX quotes (TCB Info, QE
 * Identity, PCK CRL, Root CA CRL and their issuer chains), parsed and
 * verified once, and the checks that use it: "tdx.collateral",
 * "tdx.tcb", and the CRL result that tdx_check_quote takes as an input
 * of "tdx.pck_chain" (tdx_collateral_revocation).
 *
 * Procedure: Intel "SGX and TDX PCS API" v4 (the documents) and the
 * dcap-qvl QuoteCollateralV3 JSON shape, following Intel's
 * Quote Verification Library (SGX-TDX-DCAP-QuoteVerificationLibrary:
 * Src/AttestationLibrary/src/Verifiers/QuoteVerifier.cpp,
 * Checks/TcbLevelCheck.cpp, Checks/TdxModuleCheck.cpp,
 * EnclaveReportVerifier.cpp).  The TCB rules themselves are in
 * tdx_tcb.h.  Where the peer (npm @phala/dcap-qvl) deviates from Intel
 * (src/verify.js: CRL signatures and dates, TDX module identity,
 * convergence, collateral pck_certificate_chain) tmon follows Intel.
 *
 * Pure: no I/O and no clock.  A struct tdx_collateral is immutable once
 * built; everything that does not depend on the time is verified once,
 * when it is built (certificate chains, CRL signatures, the two JSON
 * signatures, parsed TCB levels), and kept with the result.  Checking a
 * quote against it then costs no signature verification: only the
 * validity windows at `now`, two CRL lookups and the TCB level match.
 * It may be shared by several threads.
 */
#ifndef TMON_VERIFY_TDX_COLLATERAL_H
#define TMON_VERIFY_TDX_COLLATERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "err.h"
#include "tdx_quote.h"
#include "tdx_tcb.h"
#include "x509.h"

/* Opaque; immutable once built. */
struct tdx_collateral;

/*
 * The raw pieces exactly as served by Intel PCS v4 (or a PCCS, which
 * serves the same paths).  Every pointer is borrowed for the duration of
 * the call only; nothing is kept.  Bodies need no NUL terminator; the
 * issuer chains are NUL-terminated strings.
 */
struct tdx_collateral_src {
	/* body of GET /tdx/certification/v4/tcb?fmspc=<12 hex>:
	 * {"tcbInfo":{...},"signature":"<128 hex>"} */
	const uint8_t	*tcb_info_body;
	size_t		 tcb_info_body_len;
	/* TCB-Info-Issuer-Chain header, URL-DECODED PEM (the caller
	 * decodes): TCB Signing certificate, then the root */
	const char	*tcb_info_issuer_chain;
	/* body of GET /tdx/certification/v4/qe/identity:
	 * {"enclaveIdentity":{...},"signature":"<128 hex>"} */
	const uint8_t	*qe_identity_body;
	size_t		 qe_identity_body_len;
	/* SGX-Enclave-Identity-Issuer-Chain header, URL-decoded PEM */
	const char	*qe_identity_issuer_chain;
	/* body of GET /sgx/certification/v4/pckcrl?ca=platform|processor
	 * &encoding=der: the CRL in DER (PEM and hex text are accepted too) */
	const uint8_t	*pck_crl;
	size_t		 pck_crl_len;
	/* SGX-PCK-CRL-Issuer-Chain header, URL-decoded PEM: PCK Platform (or
	 * Processor) CA, then the root */
	const char	*pck_crl_issuer_chain;
	/* the Root CA CRL (the root certificate's CRL distribution point),
	 * DER (a PCCS's hex text /rootcacrl is accepted too) */
	const uint8_t	*root_ca_crl;
	size_t		 root_ca_crl_len;
};

/*
 * Build a collateral object from the PCS pieces in src, trusting only
 * the pinned Intel SGX Root CA.
 *
 * Structure is checked here and refused with an error: each body is one
 * JSON object (jansson, JSON_REJECT_DUPLICATES: a repeated key anywhere
 * is TMON_E_PARSE "duplicate object key"), the signed member
 * ("tcbInfo" / "enclaveIdentity") is located as a byte range of the body
 * and its exact bytes are what the signature is checked over (the range
 * is parsed again and must equal what jansson read); TCB Info and QE
 * Identity as tdx_tcb_info_parse / tdx_qe_identity_parse; each issuer
 * chain is exactly two PEM certificates under the PEM policy of
 * x509_chain_parse; each CRL decodes (x509_crl_parse).
 *
 * Verification results are recorded in the object, not returned: a
 * signature that does not verify, a chain not ending at the pinned root
 * (compared byte for byte), a signer with the wrong name, a revoked
 * signing certificate, a CRL not signed by its issuer: the object is
 * built, tdx_collateral_verified() is false, and tdx_check_collateral()
 * reports tdx.collateral as CHECK_FAIL with the reason.  Times are not
 * judged here (no clock): the windows are kept for the checks.
 *
 * On TMON_OK the caller owns *out (free with tdx_collateral_free).
 * Errors (*out NULL, err names the piece and the field):
 *   TMON_E_PARSE        malformed JSON, PEM, DER, hex; a missing or
 *                       mistyped field; a duplicated key
 *   TMON_E_LIMIT        a body above MAX_COLLATERAL_JSON, a CRL above
 *                       MAX_CRL_LEN or with more than MAX_CRL_ENTRIES
 *                       entries, a chain above MAX_PEM_CHAIN_LEN, more
 *                       levels/ids than the MAX_* in tmon_limits.h
 *   TMON_E_UNSUPPORTED  a TCB Info or QE Identity version/id/tcbType
 *                       that Intel does not define
 *   TMON_E_CRYPTO_LIB   OpenSSL failed (allocation)
 */
enum tmon_rc	tdx_collateral_from_pcs(const struct tdx_collateral_src *src,
		    struct tdx_collateral **out, struct tmon_err *err);

/*
 * As tdx_collateral_from_pcs, from one JSON object in the dcap-qvl
 * "QuoteCollateralV3" shape (Phala-Network/dcap-qvl src/collateral.rs
 * and its npm package's index.d.ts):
 *   { "tcb_info_issuer_chain": PEM, "tcb_info": <the signed tcbInfo
 *     JSON text, as a string>, "tcb_info_signature": <128 hex>,
 *     "qe_identity_issuer_chain": PEM, "qe_identity": <signed
 *     enclaveIdentity text>, "qe_identity_signature": <128 hex>,
 *     "pck_crl_issuer_chain": PEM, "pck_crl": <hex of the DER>,
 *     "root_ca_crl": <hex of the DER> }
 * The signatures are checked over the UTF-8 bytes of the tcb_info and
 * qe_identity strings.  An optional "pck_certificate_chain" (near/mpc
 * files) is ignored: Intel takes the PCK chain from the quote
 * (QuoteVerifier.cpp), the peer would use this one instead
 * (npm @phala/dcap-qvl 0.3.9 src/verify.js).  Other unknown keys are
 * ignored too.
 * json is len bytes, no NUL needed.  Errors as tdx_collateral_from_pcs.
 */
enum tmon_rc	tdx_collateral_from_qvl_json(const uint8_t *json, size_t len,
		    struct tdx_collateral **out, struct tmon_err *err);

/*
 * As the two above, but trusting root_der (root_der_len bytes, one DER
 * certificate) instead of the Intel SGX Root CA: for test PKIs only
 * (README "The simulated provider"; tmon-sim, tests).  Every detail the
 * checks write then says "test root".  root_der is borrowed for the call.
 */
enum tmon_rc	tdx_collateral_from_pcs_root(
		    const struct tdx_collateral_src *src,
		    const uint8_t *root_der, size_t root_der_len,
		    struct tdx_collateral **out, struct tmon_err *err);
enum tmon_rc	tdx_collateral_from_qvl_json_root(const uint8_t *json,
		    size_t len, const uint8_t *root_der, size_t root_der_len,
		    struct tdx_collateral **out, struct tmon_err *err);

/* Free c and everything it holds; NULL is a no-op. */
void		tdx_collateral_free(struct tdx_collateral *c);

/*
 * True if every signature and chain of c verified when it was built.
 * Otherwise false, with the first reason in why (whysz bytes; may be
 * NULL), e.g. "TCB Info signature does not verify over the served
 * tcbInfo text".  Says nothing about times.
 */
bool		tdx_collateral_verified(const struct tdx_collateral *c,
		    char *why, size_t whysz);

/*
 * The earliest nextUpdate of the TCB Info, QE Identity, PCK CRL and Root
 * CA CRL (unix seconds): when it should be refetched.
 */
int64_t		tdx_collateral_next_update(const struct tdx_collateral *c);

/* The latest issueDate / thisUpdate of the same four (unix seconds). */
int64_t		tdx_collateral_issue_date(const struct tdx_collateral *c);

/* The FMSPC the TCB Info is for (6 bytes). */
void		tdx_collateral_fmspc(const struct tdx_collateral *c,
		    uint8_t fmspc[6]);

/* The CA whose PCK CRL c carries (platform or processor). */
enum tdx_pck_ca	tdx_collateral_pck_ca(const struct tdx_collateral *c);

/*
 * Judge the quote q (as filled by tdx_check_quote, which must have run
 * first on the same checklist) with the collateral col at time now
 * (unix seconds).  Sets in cl:
 *
 *   "tdx.collateral"  col == NULL: CHECK_ERROR "no collateral for FMSPC
 *                     <12 hex>" ("no collateral" when the PCK leaf was
 *                     not read).
 *                     CHECK_FAIL when something did not verify at build
 *                     time (the reason names the piece: "TCB Info
 *                     signature does not verify ...", "PCK CRL signature
 *                     does not verify ...", ...).
 *                     CHECK_ERROR "collateral expired at <date> (<what>
 *                     nextUpdate): TCB cannot be judged at <now>" or
 *                     "collateral not valid before <date> (<what>
 *                     issueDate in the future ...)" when now is outside
 *                     any window (TCB Info and QE Identity
 *                     issueDate..nextUpdate, both CRLs'
 *                     thisUpdate..nextUpdate, the signing certificates):
 *                     could not judge, never a fail of the quote.
 *                     CHECK_PASS otherwise.
 *   "tdx.tcb"         col == NULL: CHECK_ERROR, as tdx.collateral.
 *                     tdx.pck_chain not passed or the PCK leaf unread:
 *                     CHECK_SKIP.  tdx.collateral not passed:
 *                     CHECK_ERROR ("not judged: ...").  Else
 *                     tdx_tcb_evaluate(): UpToDate CHECK_PASS;
 *                     SWHardeningNeeded, ConfigurationNeeded,
 *                     ConfigurationAndSWHardeningNeeded, OutOfDate,
 *                     OutOfDateConfigurationNeeded, TDRelaunchAdvised*:
 *                     CHECK_WARN with the advisory ids in the detail;
 *                     Revoked, no matching level, QE / TDX module
 *                     identity mismatch: CHECK_FAIL; FMSPC or PCE-ID
 *                     mismatch, SGX TCB Info, non-TD_QE identity:
 *                     CHECK_ERROR (this collateral cannot judge it).
 * tdx.pck_chain is not touched: its owner, tdx_check_quote, took the
 * CRLs of the same collateral as an input.
 *
 * out (may be NULL) receives the TCB result (out->verdict
 * TDX_TCB_CANNOT and out->why set when it was not judged).
 */
void	tdx_check_collateral(const struct tdx_quote *q,
	    const struct tdx_collateral *col, int64_t now, struct checklist *cl,
	    struct tdx_tcb_result *out);

/*
 * What the CRLs of c say about a PCK chain with the identifiers ids
 * (NULL: they could not be read), for the chain check of tdx_check_quote
 * (Intel QuoteVerifier.cpp 4.1.2.4.6-7): the PCK CA against the Root CA
 * CRL, the leaf against the PCK CRL, each only with a CRL whose chain
 * and signature verified when c was built.  Sets *out:
 *   VERDICT_UNCHECKED  the Root CA CRL (or only the PCK CRL) did not
 *                      verify: tdx.collateral fails with the reason
 *   VERDICT_PASS       neither is listed; detail "PCK CRL of <date>,
 *                      Root CA CRL of <date>" (their thisUpdate)
 *   VERDICT_FAIL       "PCK CA (serial <hex>) is revoked by the Root CA
 *                      CRL", "PCK leaf (serial <hex>) is revoked by the
 *                      <issuer CN> CRL"
 *   VERDICT_ERROR      "revocation not checked: ..." (ids unreadable, a
 *                      CRL of another issuer)
 * Pure; times are not judged (tdx.collateral does).
 */
void	tdx_collateral_revocation(const struct tdx_collateral *c,
	    const struct tdx_pck_ids *ids, struct x509_crl_result *out);

#endif /* TMON_VERIFY_TDX_COLLATERAL_H */
