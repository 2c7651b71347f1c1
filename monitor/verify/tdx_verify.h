/*
 * tdx_verify.h: verify a TDX quote's signatures and its PCK certificate
 * chain against the pinned Intel SGX Root CA.
 *
 * Procedure: notes/tdx-dcap.md section 2, steps 0, 1, 5 (without CRLs),
 * 6, 7 and 9, which follow Intel's Quote Verification Library
 * (SGX-TDX-DCAP-QuoteVerificationLibrary, QuoteVerifier.cpp) and Rust
 * dcap-qvl src/verify.rs.  Collateral (TCB Info, QE identity, CRLs) is not
 * used here.
 *
 * Everything here is pure: no I/O, no clock (`now` is a parameter, unix
 * seconds, UTC).  The only global is the pinned root decoded into an X509
 * once (CRYPTO_THREAD_run_once) and read-only afterwards, so the
 * functions are safe to call from several threads.
 */
#ifndef TMON_VERIFY_TDX_VERIFY_H
#define TMON_VERIFY_TDX_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "err.h"
#include "tdx_quote.h"

/*
 * The pinned Intel SGX Root CA certificate, DER (trust_intel.c), and its
 * length.  Subject CN=Intel SGX Root CA, serial 22650CD6...2706AC, valid
 * 2018-05-21 to 2049-12-31, SHA-256 of the DER 44A0196B...FAB674D3
 * (notes/tdx-dcap.md section 2 step 0).
 */
extern const uint8_t tdx_intel_root_ca_der[];
extern const size_t tdx_intel_root_ca_der_len;

/*
 * Parse and verify the quote in the len bytes at buf at time now (unix
 * seconds), trusting only the pinned Intel SGX Root CA.  Sets in cl:
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
 *   "tdx.pck_chain"        pass ("... CRLs not checked") / fail: the PEM
 *                          chain must be exactly leaf, PCK Platform or
 *                          Processor CA, root; the root must equal the
 *                          pinned DER byte for byte; signatures and
 *                          validity at now (no system trust store); the
 *                          leaf must not be a CA.
 *
 * If the quote does not parse, tdx.quote.parse is fail and the other two
 * are CHECK_SKIP "not checked: quote did not parse".  Library failures
 * (allocation etc.) are CHECK_ERROR, never pass or fail.
 *
 * On parse success *q is filled (borrowing buf; q->pck and q->pck_ok are
 * set when the PCK leaf's SGX extension could be read) and true is
 * returned; false otherwise (*q zeroed).
 */
bool	tdx_check_quote(const uint8_t *buf, size_t len, int64_t now,
	    struct tdx_quote *q, struct checklist *cl);

/*
 * As tdx_check_quote(), but with root_der (root_der_len bytes, DER) as
 * the only trusted root instead of the Intel SGX Root CA.  For test
 * PKIs only (design.md section 8: a simulated provider's test trust
 * anchors); production code calls tdx_check_quote().  root_der is
 * borrowed and decoded on every call; if it does not decode,
 * tdx.pck_chain is CHECK_ERROR.  The pass detail of tdx.pck_chain says
 * "test root" when root_der is not the Intel one.
 */
bool	tdx_check_quote_root(const uint8_t *buf, size_t len, int64_t now,
	    const uint8_t *root_der, size_t root_der_len, struct tdx_quote *q,
	    struct checklist *cl);

/*
 * Read the Intel SGX extension (OID 1.2.840.113741.1.13.1) of the PCK leaf
 * certificate, the first PEM block of q->pck_chain, into *out: PPID,
 * the 16 TCB component SVNs, PCESVN, CPUSVN, PCE-ID, FMSPC, SGX type,
 * and the CA type from the issuer CN.  Layout: Intel "SGX PCK
 * Certificate and CRL Profile" 1.5 (notes/tdx-dcap.md section 2 step 5).
 * The certificate is not verified here: call it on a quote whose
 * tdx.pck_chain passed, or use q->pck after tdx_check_quote().
 *
 * Returns TMON_OK with *out filled, or (with *out zeroed):
 *   TMON_E_PARSE        no PEM certificate, bad DER, the extension is
 *                       missing, malformed, repeats a field, or lacks
 *                       TCB, PCE-ID or FMSPC
 *   TMON_E_CRYPTO_LIB   OpenSSL failed (allocation)
 */
enum tmon_rc	tdx_pck_info(const struct tdx_quote *q,
		    struct tdx_pck_info *out, struct tmon_err *err);

#endif /* TMON_VERIFY_TDX_VERIFY_H */
