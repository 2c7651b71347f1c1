/*
 * gateway_tinfoil.h: decode Tinfoil attestation documents
 * (GW_FORMAT_TINFOIL, gateway.h), as served at
 * /.well-known/tinfoil-attestation, without verifying anything.
 *
 * Three predicate types (tinfoilsh/verifier attestation/attestation.go
 * PredicateType; tinfoilsh/confidential-cvmimage attestation.go
 * Attestation):
 *
 *   https://tinfoil.sh/predicate/tdx-guest/v2
 *   https://tinfoil.sh/predicate/sev-snp-guest/v2
 *     {"format": F, "body": base64 of the gzip (RFC 1952) of the raw TDX
 *      quote / SEV-SNP ATTESTATION_REPORT}
 *     REPORTDATA = tls_key_fp (32) || hpke_key (32): no nonce.
 *
 *   https://tinfoil.sh/predicate/attestation/v3
 *     {"format": F,
 *      "report_data": {"tls_key_fp": 64 hex, "hpke_key": 64 hex,
 *                      "nonce": 64 hex, ["gpu_evidence_hash": 64 hex],
 *                      ["nvswitch_evidence_hash": 64 hex]},
 *      "cpu": {"platform": "tdx" | "sev-snp",
 *              "report": base64 of the raw quote / report (not gzip)},
 *      ["gpu": {"evidences": [{"arch", "certificate", "evidence",
 *                              "nonce"}, ...]}],
 *      ["nvswitch": {...}],
 *      "certificate": PEM of the enclave's TLS leaf certificate,
 *      "signature": base64 of a DER ECDSA signature by that certificate's
 *                   key over SHA-256 of the document as served with
 *                   "signature":"" and without the trailing newline}
 *     REPORTDATA = SHA-256(tls_key_fp || hpke_key || nonce
 *                  [|| gpu_evidence_hash] [|| nvswitch_evidence_hash])
 *                  || 32 zero bytes, over the raw bytes of the hex
 *     fields; gpu_evidence_hash (nvswitch_evidence_hash) is SHA-256 of the
 *     exact bytes of the "gpu" ("nvswitch") member's value as served.
 *
 * tls_key_fp is SHA-256 of the SubjectPublicKeyInfo (DER) of the
 * enclave's TLS key; hpke_key the enclave's X25519 HPKE public key.
 *
 * Input is untrusted: the document is read with tjson (MAX_BLOB_LEN,
 * MAX_JSON_DEPTH, repeated keys refused); a report is at most
 * MAX_QUOTE_LEN bytes, before and after gzip decompression (a gzip
 * stream that inflates beyond that is an error, not truncated).
 */
#ifndef TMON_VERIFY_GATEWAY_TINFOIL_H
#define TMON_VERIFY_GATEWAY_TINFOIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tjson.h"

#define TINFOIL_TDX_V2	"https://tinfoil.sh/predicate/tdx-guest/v2"
#define TINFOIL_SNP_V2	"https://tinfoil.sh/predicate/sev-snp-guest/v2"
#define TINFOIL_V3	"https://tinfoil.sh/predicate/attestation/v3"

enum tinfoil_platform {
	TINFOIL_TDX = 1,	/* the report is an Intel TDX quote */
	TINFOIL_SEV_SNP		/* the report is an AMD SEV-SNP report */
};

/* What a Tinfoil document says besides its hardware report (which the
 * decoder puts in the attestation's quote/quote_len, gateway.h). */
struct gw_tinfoil {
	int			 version;	/* 2 or 3 */
	enum tinfoil_platform	 platform;
	/* v3 report_data, the raw bytes of its hex fields */
	uint8_t			 tls_key_fp[32];
	uint8_t			 hpke_key[32];
	uint8_t			 nonce[32];
	bool			 has_gpu_hash;
	uint8_t			 gpu_hash[32];
	bool			 has_nvswitch_hash;
	uint8_t			 nvswitch_hash[32];
	/* v3: "gpu" / "nvswitch" served (not absent, not null), and
	 * SHA-256 of the exact bytes of its value in the document;
	 * *_raw false when those bytes could not be located (a key
	 * spelled with escapes) */
	bool			 has_gpu;
	bool			 gpu_raw;
	uint8_t			 gpu_sha256[32];
	bool			 has_nvswitch;
	bool			 nvswitch_raw;
	uint8_t			 nvswitch_sha256[32];
	/* v3 "certificate" and "signature" text (borrowed from the
	 * report's root; NULL when absent) */
	const char		*certificate;
	size_t			 certificate_len;
	const char		*signature;
	size_t			 signature_len;
};

struct gw_report;

/*
 * Decode the Tinfoil document of rep (format GW_FORMAT_TINFOIL, root
 * already loaded from the len bytes at body, which the caller keeps
 * alive for the call) into one GW_ROLE_MODEL attestation: its quote is
 * the hardware report (owned, freed by gw_report_free), is_tinfoil set
 * and tinfoil filled; for v3 its request_nonce is report_data.nonce,
 * its tls_fingerprint tls_key_fp and its gpu_evidence the borrowed
 * gpu.evidences array (NULL without "gpu").  Errors, recorded in d:
 *   TMON_E_UNSUPPORTED  a format or cpu.platform not listed above, or
 *                       a v3 document in Tinfoil's later layout
 *                       ("challenge" instead of "report_data")
 *   TMON_E_PARSE        a member missing or of the wrong type, hex
 *                       fields not 64 hex digits, base64 or gzip that
 *                       does not decode, data after the gzip stream,
 *                       gpu.evidences not an array of 1..MAX_GPUS
 *   TMON_E_LIMIT        a report over MAX_QUOTE_LEN (before or after
 *                       decompression)
 *   TMON_E_CRYPTO_LIB   zlib could not be initialised
 * On error what was added stays in rep (gw_report_free).
 */
enum tmon_rc	gw_tinfoil_decode(struct tjson_doc *d, struct gw_report *rep,
		    const uint8_t *body, size_t len);

/*
 * Inflate the gzip stream (RFC 1952, one member, nothing after it) of
 * len bytes at gz into a new buffer of *outlen bytes (at most max) that
 * the caller frees.  Errors (*out NULL): TMON_E_PARSE not gzip, corrupt
 * or with trailing bytes; TMON_E_LIMIT more than max bytes inflated;
 * TMON_E_CRYPTO_LIB zlib failed to initialise.
 */
enum tmon_rc	tinfoil_gunzip(const uint8_t *gz, size_t len, size_t max,
		    uint8_t **out, size_t *outlen, struct tmon_err *err);

#endif /* TMON_VERIFY_GATEWAY_TINFOIL_H */
