/*
 * x509.h: the one certificate layer of the verify modules: PEM chains
 * under one policy, trust anchors, chain verification to a pinned root,
 * CRLs, ASN.1 times and the OpenSSL error queue.  The TDX PCK chain
 * (tdx_verify.c), the collateral issuer chains and CRLs
 * (tdx_collateral.c), the NVIDIA device chain (gpu_verify.c) and the
 * configured test trust anchors (config.c) all go through it.
 *
 * Certificates and CRLs follow RFC 5280; PEM text follows RFC 7468
 * section 2, strictly: nothing but whitespace may surround the blocks.
 * Everything here is pure (no I/O, no clock, no state): it may be
 * called from several threads at once.  Objects are immutable once
 * built and may be shared by threads for reading.
 */
#ifndef TMON_VERIFY_X509_H
#define TMON_VERIFY_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "checklist.h"
#include "err.h"
#include "tmon_limits.h"

/*
 * Empty the OpenSSL error queue.  Returns true if any queued error was a
 * library failure (ERR_FATAL_ERROR: allocation, internal error); then
 * the whole queue is logged with log_crypto_warnx() under what ("tdx:
 * PCK chain").  Errors that only describe bad input (malformed DER, a
 * signature that does not verify) are logged at debug level: the
 * caller reports them as check results, and hostile input must not
 * flood the log.
 */
bool	x509_drain_errors(const char *what);

/*
 * t as unix seconds (UTC) in *out.  False if t is NULL or not a valid
 * UTCTime or GeneralizedTime (RFC 5280 section 4.1.2.5).
 */
bool	x509_time_unix(const ASN1_TIME *t, int64_t *out);

/*
 * The commonName of name into out (outsz bytes): "" if there is none,
 * it is longer than outsz - 1 bytes or it holds a NUL byte.
 */
void	x509_name_cn(const X509_NAME *name, char *out, size_t outsz);

/* SHA-256 of the DER of name into out; false if it cannot be encoded. */
bool	x509_name_sha256(const X509_NAME *name, uint8_t out[32]);

/*
 * The content octets of x's serialNumber into out (at most
 * MAX_X509_SERIAL_LEN bytes) and their count into *outlen; false if the
 * serial is negative, empty or longer.
 */
bool	x509_serial(const X509 *x, uint8_t out[MAX_X509_SERIAL_LEN],
	    size_t *outlen);

/* ---- trust anchors ---- */

/*
 * A pinned root certificate: the trusted DER bytes and what was decoded
 * from them.  A chain is trusted only if its last certificate equals der
 * byte for byte, and verifies under cert (no other trusted certificate,
 * no default paths).
 */
struct x509_anchor {
	const uint8_t	*der;		/* borrowed: must outlive the anchor */
	size_t		 der_len;
	uint8_t		 sha256[32];	/* of der */
	X509		*cert;		/* decoded from der */
	X509_STORE	*store;		/* holds cert only */
	const char	*name;		/* "Intel SGX Root CA", "test root" */
};

/*
 * Decode der (der_len bytes, exactly one DER certificate, nothing after
 * it) into *a, borrowing der and name (a static string used in details).
 * On TMON_OK release *a with x509_anchor_release.  Errors (*a zeroed):
 *   TMON_E_PARSE       der is NULL, empty or not exactly one certificate
 *   TMON_E_CRYPTO_LIB  OpenSSL failed (allocation)
 */
enum tmon_rc	x509_anchor_init(struct x509_anchor *a, const uint8_t *der,
		    size_t der_len, const char *name, struct tmon_err *err);

/* Free what x509_anchor_init decoded; a zeroed anchor is a no-op. */
void		x509_anchor_release(struct x509_anchor *a);

/*
 * A trust anchor file (len bytes at text) as DER: either exactly one DER
 * certificate, or PEM text holding exactly one CERTIFICATE block under
 * the PEM policy below (x509_chain_parse).  On TMON_OK the caller owns
 * *der (free with free()), *der_len bytes.  Errors (*der NULL):
 *   TMON_E_PARSE       neither (err says why)
 *   TMON_E_LIMIT       len above MAX_PEM_CHAIN_LEN
 *   TMON_E_CRYPTO_LIB  OpenSSL failed (allocation)
 */
enum tmon_rc	x509_anchor_decode(const uint8_t *text, size_t len,
		    uint8_t **der, size_t *der_len, struct tmon_err *err);

/* ---- PEM certificate chains ---- */

/*
 * A certificate chain as served: leaf first, the root last.  der[i] is
 * the exact DER of each (the bytes a pinned root is compared with);
 * cert[i] its decoded form, except for the root when the chain was
 * parsed with TMON_X509_ROOT_DER (cert[n - 1] is NULL then).
 */
struct x509_chain {
	size_t		 n;
	X509		*cert[MAX_X509_CHAIN];
	unsigned char	*der[MAX_X509_CHAIN];
	size_t		 der_len[MAX_X509_CHAIN];
};

/*
 * x509_chain_parse: keep the last certificate as DER only.  It is the
 * served root, which a chain check only compares with the pinned root's
 * bytes; the trusted copy is decoded from those (struct x509_anchor).
 */
#define TMON_X509_ROOT_DER	0x01u

/*
 * Parse the len bytes at pem as a chain of min to max certificates
 * (1 <= min <= max <= MAX_X509_CHAIN; flags: TMON_X509_ROOT_DER, or 0),
 * under the one PEM policy:
 *   - at most MAX_PEM_CHAIN_LEN bytes; NUL bytes at the very end are
 *     ignored (a quote stores the chain as a C string), a NUL anywhere
 *     else is refused;
 *   - "-----BEGIN CERTIFICATE-----" .. "-----END CERTIFICATE-----"
 *     blocks without encapsulated headers, surrounded and separated by
 *     whitespace (space, tab, CR, LF) only: any other text before,
 *     between or after the blocks is refused;
 *   - each block is base64 of exactly one DER certificate, nothing after
 *     it (with TMON_X509_ROOT_DER the last block is only base64).
 * what names the chain in messages ("PCK chain").  On TMON_OK the caller
 * frees *out with x509_chain_free.  Errors (*out zeroed, err names the
 * certificate by its 1-based position):
 *   TMON_E_PARSE       "<what> is empty", "<what> is not PEM text (NUL
 *                      byte at offset N)", "<what>: text outside PEM
 *                      blocks at offset N", "<what>: PEM block N is not
 *                      a plain CERTIFICATE", "<what>: certificate N:
 *                      malformed PEM block", "<what>: certificate N is
 *                      not valid DER", "<what>: more than <max>
 *                      certificates", "<what>: N certificate(s),
 *                      expected <min>"
 *   TMON_E_LIMIT       len above MAX_PEM_CHAIN_LEN
 *   TMON_E_CRYPTO_LIB  OpenSSL failed (allocation)
 */
enum tmon_rc	x509_chain_parse(const char *what, const uint8_t *pem,
		    size_t len, size_t min, size_t max, unsigned flags,
		    struct x509_chain *out, struct tmon_err *err);

/* Free every certificate of c and zero it; a zeroed chain is a no-op. */
void		x509_chain_free(struct x509_chain *c);

/*
 * Append the len bytes at der, exactly one DER certificate (nothing
 * after it), to c (a zeroed chain to start one; free with
 * x509_chain_free, also after an error).  For chains served as DER, such
 * as a JWK's "x5c" (RFC 7517 section 4.7).  Errors (c unchanged):
 *   TMON_E_PARSE       not exactly one DER certificate
 *   TMON_E_LIMIT       c already holds MAX_X509_CHAIN certificates
 *   TMON_E_CRYPTO_LIB  OpenSSL failed (allocation)
 */
enum tmon_rc	x509_chain_add_der(struct x509_chain *c, const uint8_t *der,
		    size_t len, struct tmon_err *err);

/* x509_chain_verify: do not judge validity times (now is ignored). */
#define TMON_X509_NO_TIME	0x02u
/*
 * x509_chain_verify: the anchor is an intermediate, not a self-signed
 * root (X509_V_FLAG_PARTIAL_CHAIN): the path ends at it.  For issuers
 * that do not publish their root (NVIDIA's attestation service).
 */
#define TMON_X509_ANCHOR_CA	0x04u

/*
 * x509_chain_verify: path validation without X509_V_FLAG_X509_STRICT.
 * For AMD's SEV-SNP chains: KDS issues VCEKs without an
 * authorityKeyIdentifier, which strict mode requires (RFC 5280 section
 * 4.2.1.1).  Signatures, validity, basicConstraints and keyUsage of the
 * CAs are still checked.
 */
#define TMON_X509_NO_STRICT	0x08u

/*
 * Verify the chain c of exactly want certificates to the pinned anchor
 * a at time now (unix seconds; see TMON_X509_NO_TIME in flags):
 *   1. c has want certificates;
 *   2. its last certificate is a->der byte for byte (the served root is
 *      never decoded as trusted: the anchor is a->cert);
 *   3. OpenSSL's path validation (RFC 5280 section 6) with a->store as
 *      the only trusted certificate, the other certificates untrusted,
 *      X509_V_FLAG_X509_STRICT (unless TMON_X509_NO_STRICT), depth
 *      want - 2, validity at now;
 *   4. the path OpenSSL built is exactly c's certificates in the served
 *      order.
 * Revocation is not checked here: a chain check takes the result of the
 * CRLs of whoever holds them as an input (struct x509_crl_result).
 * Returns VERDICT_PASS; VERDICT_FAIL with the reason in why ("chain has
 * N certificates, want M", "chain's last certificate is not the pinned
 * <name>", "chain does not verify at <time>: <OpenSSL reason>
 * (certificate <depth>)", "chain's verified path is not the served
 * order"); VERDICT_ERROR ("OpenSSL failed verifying the chain", "<name>
 * unavailable") when the library failed or a has no store.
 */
enum verdict	x509_chain_verify(const struct x509_chain *c, size_t want,
		    const struct x509_anchor *a, int64_t now, unsigned flags,
		    char *why, size_t whysz);

/*
 * The extension of x whose OID is the oid_len content octets at oid (the
 * DER of the OBJECT IDENTIFIER without tag and length): its extnValue
 * content octets in *val (borrowed from x) and *len.  Returns TMON_OK;
 * TMON_E_NOTFOUND when x has no such extension; TMON_E_PARSE when it
 * has it more than once (RFC 5280 section 4.2) or its value is empty.
 */
enum tmon_rc	x509_ext_value(const X509 *x, const uint8_t *oid,
		    size_t oid_len, const uint8_t **val, size_t *len);

/* ---- raw signatures ---- */

/*
 * Verify the raw ECDSA signature rs (r || s, each rslen / 2 bytes,
 * big-endian: the form of TDX quotes, SPDM and JWS ES256/ES384, RFC 7518
 * section 3.4) over the len bytes at msg, hashed with md, with the EC
 * key pkey.  Returns VERDICT_PASS; VERDICT_FAIL when it does not verify
 * (also r or s zero or out of range, rslen odd, 0 or above 2 * 66);
 * VERDICT_ERROR when OpenSSL failed (then logged under what).
 */
enum verdict	x509_ecdsa_verify_raw(EVP_PKEY *pkey, const EVP_MD *md,
		    const uint8_t *rs, size_t rslen, const uint8_t *msg,
		    size_t len, const char *what);

/*
 * Verify the ASN.1 DER Ecdsa-Sig-Value sig (siglen bytes; RFC 5480
 * section 2.2) over the len bytes at msg with the public key of
 * certificate x, hashed with the hash of the key's curve (RFC 5656
 * section 6.2.1: SHA-256 for P-256, SHA-384 for P-384, SHA-512 for
 * P-521).  For signatures a certificate's key made over a message
 * (a Sigstore DSSE envelope).  Returns VERDICT_PASS; VERDICT_FAIL when
 * it does not verify or is not DER; VERDICT_ERROR when x's key is not an
 * EC key on one of those curves or OpenSSL failed (logged under what).
 */
enum verdict	x509_ecdsa_verify_der(const X509 *x, const uint8_t *sig,
		    size_t siglen, const uint8_t *msg, size_t len,
		    const char *what);

/*
 * The public key x || y (xylen bytes: 64 on "P-256", 96 on "P-384",
 * each coordinate big-endian, the SEC1 uncompressed point without its
 * 0x04, SEC 1 v2 section 2.3.3) on the named curve as a new EVP_PKEY in
 * *out (the caller frees it; NULL unless VERDICT_PASS).  VERDICT_FAIL:
 * not a point on the curve; VERDICT_ERROR: xylen above 2 * 66 or
 * OpenSSL failed (logged under what).  EVP_PKEY_fromdata: several times
 * cheaper than decoding an SPKI.
 */
enum verdict	x509_ec_key_raw(const char *curve, const uint8_t *xy,
		    size_t xylen, EVP_PKEY **out, const char *what);

/* ---- CRLs ---- */

struct x509_serial {
	size_t	len;
	uint8_t	b[MAX_X509_SERIAL_LEN];
};

/* A CRL (RFC 5280 section 5), decoded; immutable once parsed. */
struct x509_crl {
	X509_CRL		*crl;
	int64_t			 this_update, next_update;
	uint8_t			 issuer[32];	/* SHA-256 of the issuer DER */
	char			 issuer_cn[64];
	struct x509_serial	*revoked;	/* sorted by (len, bytes) */
	size_t			 n_revoked;
};

/*
 * Decode a CRL from the len bytes at b: DER, one PEM "X509 CRL" block
 * (the PEM policy of x509_chain_parse), or hex text of the DER (a PCCS
 * serves the Root CA CRL so).  Reads thisUpdate and nextUpdate (both
 * required), the issuer and the revoked serial numbers (serials longer
 * than MAX_X509_SERIAL_LEN can match no certificate we compare and are
 * dropped).  what names it in messages.  On TMON_OK free *out with
 * x509_crl_free.  Errors (*out zeroed):
 *   TMON_E_PARSE       missing, not DER / PEM / hex, trailing bytes, no
 *                      thisUpdate or nextUpdate, an unreadable issuer
 *   TMON_E_LIMIT       more than MAX_CRL_LEN bytes (of DER, or twice
 *                      that of hex) or MAX_CRL_ENTRIES entries
 *   TMON_E_CRYPTO_LIB  OpenSSL failed (allocation)
 */
enum tmon_rc	x509_crl_parse(const char *what, const uint8_t *b,
		    size_t len, struct x509_crl *out, struct tmon_err *err);

/* Free what c holds and zero it; a zeroed CRL is a no-op. */
void		x509_crl_free(struct x509_crl *c);

/* True if c's issuer name is issuer's subject name (their DER). */
bool		x509_crl_issued_by(const struct x509_crl *c,
		    const X509 *issuer);

/*
 * Does c's signature verify with issuer's public key (RFC 5280 section
 * 6.3.3 (f))?  VERDICT_PASS, VERDICT_FAIL, or VERDICT_ERROR when the key
 * is unreadable for a library failure or OpenSSL failed.
 */
enum verdict	x509_crl_verify_sig(const struct x509_crl *c,
		    const X509 *issuer);

/* True if c lists the serial number of len bytes at sn. */
bool		x509_crl_lists(const struct x509_crl *c, const uint8_t *sn,
		    size_t len);

/* True if c lists the serial number of x. */
bool		x509_crl_lists_cert(const struct x509_crl *c, const X509 *x);

/*
 * What CRLs say about a chain, computed by the module that holds them
 * and passed to the chain check as an input.
 *   VERDICT_UNCHECKED  no CRL was consulted (detail may say why)
 *   VERDICT_PASS       no certificate of the chain is revoked; detail
 *                      names the CRLs ("PCK CRL of <date>, ...")
 *   VERDICT_FAIL       a certificate is revoked (detail says which)
 *   VERDICT_ERROR      revocation could not be checked (detail)
 */
struct x509_crl_result {
	enum verdict	status;
	char		detail[192];
};

#endif /* TMON_VERIFY_X509_H */
