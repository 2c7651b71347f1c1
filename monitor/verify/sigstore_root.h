/*
 * sigstore_root.h: a Sigstore trusted root (protobuf-specs
 * sigstore_trustroot.proto, message TrustedRoot, in its JSON form): the
 * Rekor transparency logs, the CT logs, the Fulcio certificate
 * authorities and the RFC 3161 timestamp authorities a Sigstore bundle is
 * verified against.
 *
 * The root is a pinned file (trust/sigstore-trusted-root.json for the
 * public-good instance, refreshed by contrib/refresh-sigstore-root.sh);
 * tmon never fetches it.  Parsing does no I/O: the caller reads the file
 * (read_file()) and hands over its bytes.
 *
 * What is read, per the proto (members not listed are ignored, so a
 * newer root with more members still loads):
 *   mediaType             "application/vnd.dev.sigstore.trustedroot+json;
 *                         version=0.1", or the ".v0.1+json" / ".v0.2+json"
 *                         spellings
 *   tlogs[], ctlogs[]     TransparencyLogInstance: baseUrl,
 *                         hashAlgorithm (SHA2_256), publicKey {rawBytes
 *                         (base64 DER SubjectPublicKeyInfo), keyDetails,
 *                         validFor {start, end}}, logId {keyId},
 *                         checkpointKeyId {keyId} (optional)
 *   certificateAuthorities[], timestampAuthorities[]
 *                         CertificateAuthority: subject {organization,
 *                         commonName}, uri, certChain {certificates[]
 *                         {rawBytes (base64 DER)}}, validFor {start, end}
 * Times are protobuf Timestamps in JSON: RFC 3339 in UTC ("Z"), with 0
 * to 9 fractional digits; a fractional start rounds up and a fractional
 * end rounds down to whole seconds (the interval never grows).  An absent
 * validFor or start is open (INT64_MIN); an absent end is INT64_MAX.
 *
 * Log ids (logId.keyId, 32 bytes):
 *   - a CT log's is the SHA-256 of its key's DER SubjectPublicKeyInfo
 *     (RFC 6962 section 3.2), and so is that of a Rekor v1 log (ECDSA),
 *     whose checkpoint signature lines carry its first 4 bytes;
 *   - a Rekor v2 log (Ed25519, C2SP tlog-checkpoint) uses the C2SP
 *     signed-note key hash SHA-256(<name> "\n" 0x01 <32-byte key>), the
 *     name being its baseUrl without "https://" (the origin of its
 *     checkpoints); the SHA-256 of the SPKI is accepted too.
 * The parser checks the log id against the key it names, so a file
 * whose key and id disagree is refused.  Keys of a keyDetails this code
 * does not know are kept (type SIGSTORE_KEY_UNSUPPORTED, key NULL, id not
 * checked): using one is an error for the caller, never a pass.
 */
#ifndef TMON_VERIFY_SIGSTORE_ROOT_H
#define TMON_VERIFY_SIGSTORE_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "checklist.h"
#include "err.h"
#include "tmon_limits.h"

/* keyDetails (protobuf-specs sigstore_common.proto, PublicKeyDetails). */
enum sigstore_key_type {
	SIGSTORE_KEY_UNSUPPORTED = 0,	/* any other keyDetails */
	SIGSTORE_KEY_ECDSA_P256_SHA256,	/* PKIX_ECDSA_P256_SHA_256 */
	SIGSTORE_KEY_ECDSA_P384_SHA384,	/* PKIX_ECDSA_P384_SHA_384 */
	SIGSTORE_KEY_ED25519		/* PKIX_ED25519 */
};

/* One transparency log or CT log of the root. */
struct sigstore_log_key {
	char			 base_url[MAX_SIGSTORE_URL];
	/* logId.keyId */
	uint8_t			 log_id[32];
	/* checkpointKeyId.keyId when given, else log_id: its first 4
	 * bytes are the key id of the log's checkpoint signature lines */
	uint8_t			 checkpoint_key_id[32];
	/* the keyDetails text, for messages */
	char			 key_details[MAX_SIGSTORE_NAME];
	enum sigstore_key_type	 type;
	/* the DER SubjectPublicKeyInfo (owned), spki_len bytes */
	uint8_t			*spki;
	size_t			 spki_len;
	/* decoded from spki; NULL when type is SIGSTORE_KEY_UNSUPPORTED */
	EVP_PKEY		*key;
	/* validFor, unix seconds, inclusive; INT64_MIN / INT64_MAX open */
	int64_t			 start;
	int64_t			 end;
};

/* One Fulcio certificate authority or timestamp authority of the root. */
struct sigstore_ca {
	char		 uri[MAX_SIGSTORE_URL];
	char		 cn[MAX_SIGSTORE_NAME];	/* subject.commonName, or "" */
	char		 org[MAX_SIGSTORE_NAME];	/* subject.organization */
	/* certChain.certificates in file order (leaf or intermediate
	 * first, the root last), each exactly one DER certificate (owned) */
	size_t		 n;
	uint8_t		*der[MAX_X509_CHAIN];
	size_t		 der_len[MAX_X509_CHAIN];
	int64_t		 start;			/* validFor, as above */
	int64_t		 end;
};

struct sigstore_root {
	uint8_t			 sha256[32];	/* of the file's bytes */
	struct sigstore_log_key	*tlogs;		/* n_tlogs, file order */
	size_t			 n_tlogs;
	struct sigstore_log_key	*ctlogs;
	size_t			 n_ctlogs;
	struct sigstore_ca	*cas;		/* certificateAuthorities */
	size_t			 n_cas;
	struct sigstore_ca	*tsas;		/* timestampAuthorities */
	size_t			 n_tsas;
};

/*
 * Parse the len bytes at text (at most MAX_SIGSTORE_ROOT_LEN) as a
 * trusted root into *out (a new root the caller frees with
 * sigstore_root_free; NULL on error).  what names the file in messages
 * (NULL: "trusted root").  Required: mediaType, tlogs (1 to
 * MAX_SIGSTORE_LOGS) and certificateAuthorities (1 to MAX_SIGSTORE_CAS);
 * ctlogs (up to MAX_SIGSTORE_LOGS) and timestampAuthorities (up to
 * MAX_SIGSTORE_CAS) may be absent.
 * Errors (err names the member: "trusted root: tlogs[1].logId.keyId:
 * ..."):
 *   TMON_E_PARSE        not JSON, a missing or mistyped member, another
 *                       mediaType, base64 that does not decode, a key
 *                       that is not one DER SubjectPublicKeyInfo or not
 *                       of its keyDetails' type and curve, a log id that
 *                       is not 32 bytes or not its key's (see above), a
 *                       hashAlgorithm other than SHA2_256, a certificate
 *                       that is not exactly one DER certificate, an
 *                       empty chain, a time that is not RFC 3339 UTC, a
 *                       start after its end, two logs with one log id
 *   TMON_E_LIMIT        over MAX_SIGSTORE_ROOT_LEN, too many logs, CAs or
 *                       certificates (MAX_X509_CHAIN), a string, key or
 *                       certificate over its bound
 *   TMON_E_CRYPTO_LIB   OpenSSL failed (allocation)
 */
enum tmon_rc	sigstore_root_parse(const uint8_t *text, size_t len,
		    const char *what, struct sigstore_root **out,
		    struct tmon_err *err);

/* Free r and everything it holds; NULL is a no-op. */
void		sigstore_root_free(struct sigstore_root *r);

/* The transparency log (tlogs) whose logId.keyId is log_id, or NULL. */
const struct sigstore_log_key *sigstore_root_tlog(
		    const struct sigstore_root *r, const uint8_t log_id[32]);

/* The CT log (ctlogs) whose logId.keyId is log_id, or NULL. */
const struct sigstore_log_key *sigstore_root_ctlog(
		    const struct sigstore_root *r, const uint8_t log_id[32]);

/* Whether unix time t lies in k's validFor (both ends inclusive). */
bool		sigstore_log_valid_at(const struct sigstore_log_key *k,
		    int64_t t);

/* Whether unix time t lies in ca's validFor (both ends inclusive). */
bool		sigstore_ca_valid_at(const struct sigstore_ca *ca,
		    int64_t t);

/*
 * Verify the signature sig (siglen bytes) over the len bytes at msg with
 * k's key, by its keyDetails: PKIX_ECDSA_P256_SHA_256 and
 * PKIX_ECDSA_P384_SHA_384 take an ASN.1 DER Ecdsa-Sig-Value (RFC 5480
 * section 2.2; OpenSSL refuses any other encoding) over SHA-256 or
 * SHA-384 of msg; PKIX_ED25519 takes 64 bytes (RFC 8032 section 5.1,
 * strictly: sig_ed25519_verify).  Returns VERDICT_PASS; VERDICT_FAIL when
 * it does not verify or is malformed; VERDICT_ERROR for an unsupported
 * key type or when OpenSSL failed (logged under what).
 */
enum verdict	sigstore_key_verify(const struct sigstore_log_key *k,
		    const uint8_t *sig, size_t siglen, const uint8_t *msg,
		    size_t len, const char *what);

/*
 * The host of k's baseUrl ("rekor.sigstore.dev") into out (outsz bytes,
 * cut to fit): baseUrl without "https://" or "http://" and anything from
 * the first "/".  For messages.  Returns out.
 */
char		*sigstore_log_name(const struct sigstore_log_key *k, char *out,
		    size_t outsz);

/* "PKIX_ECDSA_P256_SHA_256", ..., "unsupported"; never NULL. */
const char	*sigstore_key_type_str(enum sigstore_key_type t);

#endif /* TMON_VERIFY_SIGSTORE_ROOT_H */
