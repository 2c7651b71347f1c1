/*
 * tdx_verify.h: verify a TDX quote's signatures and its PCK certificate
 * chain against the pinned Intel SGX Root CA.
 *
 * Procedure: pinned root, header, PCK chain (without CRLs), QE report
 * signature, QE binding and quote signature, as in Intel's Quote
 * Verification Library (SGX-TDX-DCAP-QuoteVerificationLibrary,
 * QuoteVerifier.cpp) and Rust dcap-qvl src/verify.rs.  Collateral (TCB
 * Info, QE identity, CRLs) is not used here.
 *
 * Everything here is pure: no I/O, no clock (`now` is a parameter, unix
 * seconds, UTC).  Globals: the pinned root decoded into an X509 once
 * (CRYPTO_THREAD_run_once) and read-only afterwards, and a bounded cache
 * of verified PCK chains (MAX_PCK_CACHE entries, behind a read-write
 * lock).  The cache only remembers what a verification computed from the
 * same bytes, so results do not depend on it; the functions are safe to
 * call from several threads.
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

/*
 * The pinned Intel SGX Root CA certificate, DER (trust_intel.c), and its
 * length.  Subject CN=Intel SGX Root CA, serial 22650CD6...2706AC, valid
 * 2018-05-21 to 2049-12-31, SHA-256 of the DER 44A0196B...FAB674D3
 * (the same bytes as dcap-qvl src/TrustedRootCA.der).
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
 * set when the PCK leaf's SGX extension could be read, q->pck_ids and
 * q->pck_ids_ok when the chain's serials and issuers could be read) and
 * true is returned; false otherwise (*q zeroed).
 *
 * A chain that passed is remembered (by SHA-256 of the chain bytes and
 * of the root, with the intersection of the three certificates'
 * validity): a later quote with the same chain, checked at a time inside
 * that window, skips the PEM/X.509 decoding and the two certificate
 * signatures and gets the same checks.  Cost then: two ECDSA-P256
 * verifications (quote, QE report) and three SHA-256.
 */
bool	tdx_check_quote(const uint8_t *buf, size_t len, int64_t now,
	    struct tdx_quote *q, struct checklist *cl);

/*
 * As tdx_check_quote(), but with root_der (root_der_len bytes, DER) as
 * the only trusted root instead of the Intel SGX Root CA.  For test
 * PKIs only (README "The simulated provider": its test trust
 * anchors); production code calls tdx_check_quote().  root_der is
 * borrowed and decoded on every call; if it does not decode,
 * tdx.pck_chain is CHECK_ERROR.  The pass detail of tdx.pck_chain says
 * "test root" when root_der is not the Intel one.
 */
bool	tdx_check_quote_root(const uint8_t *buf, size_t len, int64_t now,
	    const uint8_t *root_der, size_t root_der_len, struct tdx_quote *q,
	    struct checklist *cl);

/*
 * As tdx_check_quote, but an SGX quote v3 is accepted too
 * (tdx_quote_parse_any); its checks are the same (the check ids keep
 * their tdx. prefix; tdx.quote.parse says "v3 SGX").  For tmonctl
 * verify-quote only.
 */
bool	tdx_check_quote_any(const uint8_t *buf, size_t len, int64_t now,
	    struct tdx_quote *q, struct checklist *cl);

/*
 * Read the Intel SGX extension (OID 1.2.840.113741.1.13.1) of the PCK leaf
 * certificate, the first PEM block of q->pck_chain, into *out: PPID,
 * the 16 TCB component SVNs, PCESVN, CPUSVN, PCE-ID, FMSPC, SGX type,
 * and the CA type from the issuer CN.  Layout: Intel "SGX PCK
 * Certificate and CRL Profile" 1.5.
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

/*
 * Empty the verified PCK chain cache (tmonctl bench-quote --cold, tests).
 * Never needed for correctness.
 */
void	tdx_pck_cache_flush(void);

/*
 * Lookups of the PCK chain cache that hit and missed since start (for
 * tests and benchmarks; counts are approximate under concurrency).
 */
void	tdx_pck_cache_stats(uint64_t *hits, uint64_t *misses);

/* ---- helpers shared by the tdx_* modules (tdx_collateral.c) ---- */

enum tdx_sig {
	TDX_SIG_ERROR = 0,	/* OpenSSL failed: could not check */
	TDX_SIG_BAD,		/* does not verify (or r, s out of range) */
	TDX_SIG_OK
};

/*
 * Verify the raw r||s (2 x 32 bytes, big-endian) ECDSA signature rs over
 * SHA-256 of the len bytes at msg with the P-256 key pkey.  Clears the
 * OpenSSL error queue on failure.
 */
enum tdx_sig	tdx_ecdsa_p256_verify(EVP_PKEY *pkey, const uint8_t *msg,
		    size_t len, const uint8_t rs[TDX_ECDSA_SIG_LEN]);

/* True if pkey is an EC key on P-256. */
bool	tdx_key_is_p256(const EVP_PKEY *pkey);

/* True if root_der is byte for byte the pinned Intel SGX Root CA. */
bool	tdx_root_is_intel(const uint8_t *root_der, size_t root_der_len);

/*
 * root_der decoded as an X509 (a new reference the caller frees), or
 * NULL if it is not exactly one DER certificate.  For the Intel root the
 * shared decoded copy is returned (up-ref'd).
 */
X509	*tdx_root_anchor(const uint8_t *root_der, size_t root_der_len);

/* The commonName of name in out ("" if none, not text, or too long). */
void	tdx_x509_name_cn(const X509_NAME *name, char *out, size_t outsz);

/* An ASN1_TIME as unix seconds; false if it cannot be read. */
bool	tdx_asn1_time_unix(const ASN1_TIME *t, int64_t *out);

#endif /* TMON_VERIFY_TDX_VERIFY_H */
