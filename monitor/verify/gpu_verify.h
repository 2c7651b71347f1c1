/*
 * gpu_verify.h: verification of NVIDIA GPU confidential-computing
 * evidence as served inside attestation reports (nvidia_payload, Chutes
 * gpu_evidence).  Pure: no I/O, no clock (`now` is a parameter), no
 * state: the pinned root is decoded once into the caller's struct
 * verify_ctx (verify_ctx.h; NULL: decoded for the call).
 *
 * What is checked, per GPU (NVIDIA/nvtrust local_gpu_verifier
 * cc_admin.py / cc_admin_utils.py):
 *   gpu.evidence    the SPDM report parses (nvspdm.h) and its ECDSA P-384 /
 *                   SHA-384 signature over everything but its last 96
 *                   bytes verifies with the public key of the leaf (first)
 *                   certificate; no two GPUs present the same leaf.
 *   gpu.cert_chain  the chain holds exactly 5 PEM certificates, leaf
 *                   first, under the PEM policy of x509_chain_parse
 *                   (nothing but whitespace around the blocks); the 5th
 *                   is byte-for-byte the pinned "NVIDIA Device Identity
 *                   CA" (SHA-256 102bf659...7b48).  Unlike
 *                   NVIDIA's verifier, which drops the served root and
 *                   substitutes its bundled one, tmon REJECTS a chain whose
 *                   last certificate is anything else.  Certificates 1-4
 *                   must verify up to the pinned root with OpenSSL (no
 *                   system CAs, X509_V_FLAG_X509_STRICT, validity at
 *                   `now`), and the verified path must be exactly the
 *                   served certificates in the served order.  The leaf
 *                   must allow digitalSignature, and the FWID in its TCG
 *                   DICE extension (gpu_dice_fwid_parse) must equal the
 *                   report's opaque FWID (type 20): a report without an
 *                   opaque FWID gives WARN (binding not checkable), a leaf
 *                   without the extension FAIL.  The FWID comparison is
 *                   part of this check, so a valid chain served with
 *                   another GPU's report fails it.
 * Revocation (OCSP) and reference-measurement (RIM) checks are not done
 * here.  gpu.nonce is NOT set: the caller compares the request nonces in
 * struct gpu_summary with the nonce it sent.
 *
 * Check details name the GPU by its 0-based position in the list
 * ("GPU 3: ..."), as NRAS does ("GPU-3").  A FAIL means the evidence is
 * wrong; an ERROR means OpenSSL failed and nothing could be concluded.
 */
#ifndef TMON_VERIFY_GPU_VERIFY_H
#define TMON_VERIFY_GPU_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "checklist.h"
#include "err.h"
#include "tmon_limits.h"
#include "verify_ctx.h"
#include "x509.h"

struct gpu_summary {
	size_t	n_gpus;		/* entries in the list (<= MAX_GPUS) */
	struct {
		uint8_t	request_nonce[32];	/* SPDM request bytes 4..35 */
		bool	parsed;		/* report parsed; fields below valid */
		/*
		 * "HOPPER" / "BLACKWELL" from the leaf certificate's CN
		 * (GH100 / GB100) when recognised, else the entry's own
		 * "arch" label if it is short alphanumeric text, else "".
		 */
		char	arch[16];
		char	driver_version[32];	/* opaque type 3, or "" */
		char	vbios_version[32];	/* "96.00.74.00.20" form, or "" */
		bool	signature_ok;	/* SPDM signature verified */
		bool	chain_ok;	/* chain + FWID verified */
	} gpu[MAX_GPUS];
	bool	payload_has_nonce;	/* nvidia_payload "nonce" was 64 hex */
	uint8_t	payload_nonce[32];
};

/*
 * Verify a decoded evidence list with the pinned root kept in vc (NULL:
 * decoded for the call): a jansson array (borrowed, not modified) of
 * objects
 *   {"certificate": base64(PEM chain text), "evidence": base64(SPDM bytes),
 *    "arch": "HOPPER" (optional)}
 * Other members (NVIDIA's per-entry "nonce") are ignored.  This is the
 * shape of both nvidia_payload.evidence_list and Chutes' gpu_evidence.
 * The legacy form whose base64 decodes to the ASCII hex of the report
 * (nearai/private-ml-sdk before 2025-03) is accepted and hex-decoded once
 * more.
 *
 * Sets "gpu.evidence" and "gpu.cert_chain" in cl (PASS, or the worst
 * per-GPU result, see above).  A list that is not an array, is empty or
 * longer than MAX_GPUS, an entry that is not an object, a missing or
 * non-string field, or bad base64/hex is a FAIL of gpu.evidence (and of
 * gpu.cert_chain, which then could not be checked).  OpenSSL failures are
 * CHECK_ERROR.  now is Unix time (seconds) for certificate validity.
 *
 * Zeroes *sum, then fills it: n_gpus and, per GPU, the request nonce and
 * parsed fields (whether or not the checks passed).
 */
void	gpu_check_evidence_list(struct verify_ctx *vc, const json_t *list,
	    int64_t now, struct checklist *cl, struct gpu_summary *sum);

/*
 * As gpu_check_evidence_list, starting from the nvidia_payload text: the
 * len bytes at payload (not NUL-terminated; at most MAX_GPU_PAYLOAD_LEN,
 * nesting at most MAX_JSON_DEPTH) are parsed as a JSON object with
 * JSON_REJECT_DUPLICATES; its "nonce" member, when it is a string of 64
 * hex digits, is stored in sum->payload_nonce (payload_has_nonce set);
 * then its "evidence_list" array is verified.  Text that is not such an
 * object, or lacks evidence_list, is a FAIL of gpu.evidence (and of
 * gpu.cert_chain).  A "nonce" of another shape (legacy payloads carried
 * the signing address) leaves payload_has_nonce false and fails nothing.
 */
void	gpu_check_payload(struct verify_ctx *vc, const char *payload,
	    size_t len, int64_t now, struct checklist *cl,
	    struct gpu_summary *sum);

/*
 * As gpu_check_evidence_list() and gpu_check_payload(), but trusting
 * root_der (root_der_len bytes, one DER certificate, borrowed, decoded
 * on every call) instead of the pinned NVIDIA Device Identity CA.  For
 * test PKIs only (README "The simulated provider": its test
 * trust anchors); production code calls the functions above.  The
 * chain's 5th certificate must then be byte-for-byte root_der (compared
 * by SHA-256); every other rule is unchanged.  Details say "test root"
 * where the pinned variants say "NVIDIA Device Identity CA".  root_der
 * equal to the pinned root's bytes behaves exactly like the pinned
 * variants.  A root_der that is NULL, empty or not exactly one DER
 * certificate makes gpu.cert_chain CHECK_ERROR ("test root ...
 * unavailable"); gpu.evidence is still checked.
 */
void	gpu_check_evidence_list_root(struct verify_ctx *vc,
	    const json_t *list, int64_t now, const uint8_t *root_der,
	    size_t root_der_len, struct checklist *cl, struct gpu_summary *sum);
void	gpu_check_payload_root(struct verify_ctx *vc, const char *payload,
	    size_t len, int64_t now, const uint8_t *root_der,
	    size_t root_der_len, struct checklist *cl, struct gpu_summary *sum);

/*
 * Extract the firmware ID from the value (the contents of the extnValue
 * OCTET STRING, DER) of a GPU leaf certificate's TCG DICE extension,
 * OID 2.23.133.5.4.1 or 2.23.133.5.4.1.1.  Two encodings occur:
 *   - a RIoT/DICE CompositeDeviceID, SEQUENCE { version INTEGER,
 *     deviceID SubjectPublicKeyInfo, fwid FWID } (Hopper leaves);
 *   - a TCG DiceTcbInfo, SEQUENCE { [0] vendor .. [6] fwids SEQUENCE OF
 *     FWID .. [9] type } with IMPLICIT context tags (TCG DICE Attestation
 *     Architecture 1.0 section 6.1.1; Blackwell leaves), of which the
 *     first FWID is taken, as NVIDIA does.
 * FWID ::= SEQUENCE { hashAlg OBJECT IDENTIFIER, digest OCTET STRING };
 * hashAlg must be SHA-384 and digest 48 bytes, copied to fwid.
 * Strict DER as cur_get_der reads it (cur.h); nothing may follow the
 * outer SEQUENCE.
 * Returns TMON_OK or TMON_E_PARSE (err names the element).
 */
enum tmon_rc	gpu_dice_fwid_parse(const uint8_t *der, size_t len,
		    uint8_t fwid[48], struct tmon_err *err);

/*
 * The pinned root, DER (trust_nvidia.c).  Its SHA-256 is
 * 102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48.
 */
extern const uint8_t	gpu_nvidia_root_der[];
extern const size_t	gpu_nvidia_root_der_len;

/*
 * Decode the pinned root into *a (x509_anchor_init) and check its
 * fingerprint.  TMON_OK, or the errors of x509_anchor_init, or
 * TMON_E_INTERNAL if the bytes built in are not the pinned root.
 */
enum tmon_rc	gpu_nvidia_anchor_init(struct x509_anchor *a,
		    struct tmon_err *err);

#endif /* TMON_VERIFY_GPU_VERIFY_H */
