/*
 * tdx_verify.h: verify a TDX quote's signatures and its PCK certificate
 * chain against the pinned Intel SGX Root CA.
 *
 * Procedure: pinned root, header, PCK chain (with the collateral's CRLs
 * as an input, tdx_collateral_revocation), QE report signature, QE
 * binding and quote signature, as in Intel's Quote Verification Library
 * (SGX-TDX-DCAP-QuoteVerificationLibrary, QuoteVerifier.cpp) and Rust
 * dcap-qvl src/verify.rs.  Of the collateral only the CRLs are used here;
 * TCB Info and QE Identity are judged by tdx_check_collateral.
 *
 * Everything here is pure: no I/O, no clock (`now` is a parameter, unix
 * seconds, UTC), no state of its own.  The pinned root decoded once, the
 * verified PCK chains and the decoded attestation keys live in the
 * caller's struct verify_ctx; they only remember what a verification
 * computed from the same bytes, so results do not depend on them.  The
 * functions are safe to call from several threads, with one ctx or
 * several.
 */
#ifndef TMON_VERIFY_TDX_VERIFY_H
#define TMON_VERIFY_TDX_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "checklist.h"
#include "err.h"
#include "tdx_collateral.h"	/* tdx_check_collateral(), run after */
#include "tdx_quote.h"
#include "verify_ctx.h"

/*
 * The pinned Intel SGX Root CA certificate, DER (trust_intel.c), and its
 * length.  Subject CN=Intel SGX Root CA, serial 22650CD6...2706AC, valid
 * 2018-05-21 to 2049-12-31, SHA-256 of the DER 44A0196B...FAB674D3
 * (the same bytes as dcap-qvl src/TrustedRootCA.der).
 */
extern const uint8_t tdx_intel_root_ca_der[];
extern const size_t tdx_intel_root_ca_der_len;

/*
 * What a quote check trusts and uses besides the quote.  All zero (or a
 * NULL pointer to it) is the production setting: the pinned Intel SGX
 * Root CA, TDX quotes only, no CRLs.
 */
struct tdx_check_opts {
	/*
	 * The only trusted root, DER, instead of the Intel SGX Root CA: for
	 * test PKIs only (README "The simulated provider": its test trust
	 * anchors).  Borrowed and decoded for the call; if it does not
	 * decode, tdx.pck_chain is CHECK_ERROR.  The pass detail of
	 * tdx.pck_chain then says "test root".
	 */
	const uint8_t	*root_der;
	size_t		 root_der_len;
	/*
	 * Accept an SGX quote v3 too (tdx_quote_parse_any); its checks are
	 * the same (the check ids keep their tdx. prefix; tdx.quote.parse
	 * says "v3 SGX").  For tmonctl verify-quote only.
	 */
	bool		 allow_sgx;
	/*
	 * The collateral whose CRLs judge the PCK chain
	 * (tdx_collateral_revocation): col, else what lookup answers for the
	 * PCK leaf's FMSPC and CA (enum tdx_pck_ca) when the leaf could be
	 * read.  Without one the chain passes with "CRLs not checked".  The
	 * collateral is borrowed for the call.
	 */
	const struct tdx_collateral *col;
	const struct tdx_collateral *(*lookup)(void *arg,
	    const uint8_t fmspc[6], int pck_ca);
	void		*lookup_arg;
};

/*
 * Parse and verify the quote in the len bytes at buf at time now (unix
 * seconds) as o says (NULL: the production setting), keeping what
 * verified in vc (NULL: nothing kept; see verify_ctx.h).  Sets in cl:
 *
 *   "tdx.quote.parse"      pass, detail "v4 TD10, 5006 bytes (quote 4936),
 *                          70 trailing zero bytes" (non-zero trailing
 *                          bytes are named in the detail, still pass:
 *                          they are outside the signed quote; see
 *                          q->trailing_nonzero) / fail with the parse
 *                          error text.
 *   "tdx.quote.signature"  pass / fail naming each failing part:
 *                            "quote signature does not verify with the
 *                             attestation key", "attestation key is not a
 *                             P-256 point", "QE report signature does not
 *                             verify with the PCK leaf key", "no usable
 *                             PCK leaf key: ...", "QE report binding:
 *                             report_data[0..32] != SHA-256(attest_key ||
 *                             qe_auth_data)", "QE report binding:
 *                             report_data[32..64] not zero"
 *   "tdx.pck_chain"        the PEM chain must be exactly leaf, PCK
 *                          Platform or Processor CA, root, under the PEM
 *                          policy of x509_chain_parse; the root must
 *                          equal the pinned DER byte for byte; signatures
 *                          and validity at now (no system trust store,
 *                          x509_chain_verify); the leaf must not be a CA.
 *                          The CRL result of the collateral (o->col or
 *                          o->lookup) is an input: pass "... CRLs not
 *                          checked" without one, "...; not revoked (PCK
 *                          CRL of <date>, Root CA CRL of <date>)" with
 *                          one; fail when a certificate is revoked,
 *                          error when revocation could not be checked.
 *
 * If the quote does not parse, tdx.quote.parse is fail (CHECK_ERROR if
 * it is well-formed but of a kind not verified here, TMON_E_UNSUPPORTED:
 * another version, key type, TEE type or certification data type) and
 * the other two are CHECK_SKIP "not checked: quote did not parse".
 * Library failures
 * (allocation etc.) are CHECK_ERROR, never pass or fail.
 *
 * On parse success *q is filled (borrowing buf; q->pck and q->pck_ok are
 * set when the PCK leaf's SGX extension could be read, q->pck_ids and
 * q->pck_ids_ok when the chain's serials and issuers could be read) and
 * true is returned; false otherwise (*q zeroed).
 *
 * A chain that passed is kept in vc (by SHA-256 of the chain bytes and
 * of the root, with the intersection of the three certificates'
 * validity): a later quote with the same chain, checked at a time inside
 * that window, skips the PEM/X.509 decoding and the two certificate
 * signatures and gets the same checks.  Cost then: two ECDSA-P256
 * verifications (quote, QE report) and three SHA-256.
 */
bool	tdx_check_quote(struct verify_ctx *vc, const uint8_t *buf, size_t len,
	    int64_t now, const struct tdx_check_opts *o, struct tdx_quote *q,
	    struct checklist *cl);

/*
 * Read the Intel SGX extension (OID 1.2.840.113741.1.13.1) of the PCK leaf
 * certificate, the first of q->pck_chain (read as tdx_check_quote reads
 * it: three PEM certificates under x509_chain_parse), into *out: PPID,
 * the 16 TCB component SVNs, PCESVN, CPUSVN, PCE-ID, FMSPC, SGX type,
 * and the CA type from the issuer CN.  Layout: Intel "SGX PCK
 * Certificate and CRL Profile" 1.5.
 * The certificate is not verified here: call it on a quote whose
 * tdx.pck_chain passed, or use q->pck after tdx_check_quote().
 *
 * Returns TMON_OK with *out filled, or (with *out zeroed):
 *   TMON_E_PARSE        not a PEM chain of three, bad DER, the extension is
 *                       missing, malformed, repeats a field, or lacks
 *                       TCB, PCE-ID or FMSPC
 *   TMON_E_CRYPTO_LIB   OpenSSL failed (allocation)
 */
enum tmon_rc	tdx_pck_info(const struct tdx_quote *q,
		    struct tdx_pck_info *out, struct tmon_err *err);

/* ---- helpers shared by the tdx_* modules (tdx_collateral.c) ---- */

/*
 * Verify the raw r||s (2 x 32 bytes, big-endian) ECDSA signature rs over
 * SHA-256 of the len bytes at msg with the P-256 key pkey: VERDICT_PASS,
 * VERDICT_FAIL (does not verify, or r, s out of range) or VERDICT_ERROR
 * (OpenSSL failed).
 */
enum verdict	tdx_ecdsa_p256_verify(EVP_PKEY *pkey, const uint8_t *msg,
		    size_t len, const uint8_t rs[TDX_ECDSA_SIG_LEN]);

/* True if pkey is an EC key on P-256. */
bool	tdx_key_is_p256(const EVP_PKEY *pkey);

/* True if root_der is byte for byte the pinned Intel SGX Root CA. */
bool	tdx_root_is_intel(const uint8_t *root_der, size_t root_der_len);

#endif /* TMON_VERIFY_TDX_VERIFY_H */
