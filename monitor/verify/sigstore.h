/*
 * sigstore.h: Sigstore bundle verification (code provenance): a bundle
 * as GitHub's attestations API serves it, checked offline against the
 * pinned trusted root (sigstore_root.h) and an identity policy.
 *
 * Formats (primary sources):
 *   - Bundle: sigstore/protobuf-specs protos/sigstore_bundle.proto, in
 *     its protobuf JSON form (lowerCamel member names, bytes as standard
 *     base64, int64 as decimal strings).  mediaType
 *     "application/vnd.dev.sigstore.bundle+json;version=0.1" (v0.1),
 *     "...;version=0.2" (v0.2) or
 *     "application/vnd.dev.sigstore.bundle.v0.3+json" (v0.3).
 *     verificationMaterial holds x509CertificateChain (v0.1, v0.2) or
 *     certificate (v0.2, v0.3), tlogEntries (each with an
 *     inclusionPromise in v0.1, an inclusionProof from v0.2 on) and
 *     timestampVerificationData.rfc3161Timestamps[].signedTimestamp;
 *     content is a dsseEnvelope (a messageSignature is not supported:
 *     GitHub attestations are DSSE).
 *   - DSSE (secure-systems-lab/dsse, envelope.md and protocol.md):
 *     {"payload": base64, "payloadType": text, "signatures": [{"sig":
 *     base64, "keyid": text}]}; the signature is over
 *     PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP
 *     body, LEN the decimal length in bytes.
 *   - in-toto Statement (in-toto/attestation spec/v1/statement.md;
 *     v0.1): {"_type": "https://in-toto.io/Statement/v1" (or
 *     ".../v0.1"), "subject": [{"name", "digest": {"sha256": hex,
 *     ...}}], "predicateType": URI, "predicate": object}.
 *   - Fulcio certificate extensions (sigstore/fulcio docs/oid-info.md),
 *     under 1.3.6.1.4.1.57264.1: .8 Issuer (a DER UTF8String; the
 *     deprecated .1 holds the raw text), .9 Build Signer URI, .12
 *     Source Repository URI, .13 Source Repository Digest, .14 Source
 *     Repository Ref, .18 Build Config URI; the identity is also the
 *     SubjectAltName URI.
 *   - SCT: RFC 6962 section 3.3 (the SCT list extension of the leaf,
 *     decoded with OpenSSL's CT API); each SCT's signature is over the
 *     section 3.2 precert_entry data: the SHA-256 of the issuer's
 *     SubjectPublicKeyInfo and the leaf's TBSCertificate without the SCT
 *     list extension, verified with the root's CT log of the SCT's log
 *     id (sigstore_key_verify), valid at the SCT's timestamp.
 *   - RFC 3161 timestamps: a TimeStampResponse over the DSSE signature
 *     bytes, checked with OpenSSL's TS API (status, signature, message
 *     imprint) against the root's timestamp authorities valid at its
 *     genTime (the last certificate of the authority's certChain the
 *     anchor, the chain valid at genTime).
 *
 * Check ids (README "Checks"), set in the caller's checklist:
 *   sigstore.bundle.parse   the bundle, its DSSE envelope, the in-toto
 *                           statement and the leaf certificate parse;
 *                           a format tmon does not verify is an error
 *   sigstore.dsse.signature the envelope's one signature verifies with
 *                           the leaf certificate's key over the PAE
 *   sigstore.cert.chain     leaf -> the certChain of a Fulcio CA of the
 *                           root, valid (and the CA's validFor holding)
 *                           at the verified time, code signing EKU
 *   sigstore.cert.identity  the Fulcio extensions meet the policy
 *   sigstore.sct            an embedded SCT verifies with a CT log key
 *                           of the root
 *   sigstore.subject        a subject's sha256 is the expected digest
 *   sigstore.tlog.*         each tlog entry (rekor.h)
 *   sigstore.timestamp      the RFC 3161 timestamps (skip when none)
 * The verified time is the integrated time of a tlog entry rekor.h
 * verified, else the time of an RFC 3161 timestamp verified here;
 * neither: the chain is still built without validity times, and is an
 * error ("no verified time") when it holds, a failure when it does not.
 * Of several tlog entries the first that verifies is reported (else the
 * first); a bundle without one fails the four sigstore.tlog ids.
 *
 * Pure: no I/O, no clock, no state; safe from several threads at once.
 */
#ifndef TMON_VERIFY_SIGSTORE_H
#define TMON_VERIFY_SIGSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "checklist.h"
#include "err.h"
#include "tmon_limits.h"
#include "x509.h"

/* The issuer a policy requires when it names none. */
#define SIGSTORE_GITHUB_ISSUER	"https://token.actions.githubusercontent.com"

/*
 * The Source Repository Ref pattern (struct sigstore_policy ref) tmon's
 * configuration and commands use when none is given: a release is built
 * from a tag, never a branch (tmond's models[].provenance.ref, tmonctl
 * verify-provenance --ref).
 */
#define SIGSTORE_DEFAULT_REF	"refs/tags/*"

#define SIGSTORE_MT_V01	"application/vnd.dev.sigstore.bundle+json;version=0.1"
#define SIGSTORE_MT_V02	"application/vnd.dev.sigstore.bundle+json;version=0.2"
#define SIGSTORE_MT_V03	"application/vnd.dev.sigstore.bundle.v0.3+json"
#define DSSE_INTOTO_TYPE	"application/vnd.in-toto+json"
#define INTOTO_STATEMENT_V1	"https://in-toto.io/Statement/v1"
#define INTOTO_STATEMENT_V01	"https://in-toto.io/Statement/v0.1"

/* ---- parsing ---- */

/*
 * A bundle, parsed.  Everything is owned by it (sigstore_bundle_free);
 * tlog_entries is borrowed from json.
 */
struct sigstore_bundle {
	int		  version;	/* 1, 2 or 3 (v0.1, v0.2, v0.3) */
	json_t		 *json;		/* the bundle object (a reference) */
	char		  payload_type[MAX_MEDIA_TYPE];
	uint8_t		 *payload;	/* the DSSE payload, decoded */
	size_t		  payload_len;
	uint8_t		 *sig;		/* the DSSE signature (DER ECDSA) */
	size_t		  sig_len;
	/* certificate, or x509CertificateChain.certificates: leaf first */
	struct x509_chain certs;
	json_t		 *tlog_entries;	/* an array (maybe empty) */
	size_t		  n_tst;	/* RFC 3161 TimeStampResponses (DER) */
	uint8_t		 *tst[MAX_SIGSTORE_TIMESTAMPS];
	size_t		  tst_len[MAX_SIGSTORE_TIMESTAMPS];
};

/*
 * Parse the bundle object b (borrowed; a reference is taken) into *out,
 * naming members under path in messages ("attestations[0].bundle"; ""
 * for a bundle alone).  Checks the shape above: mediaType, exactly one
 * of x509CertificateChain (1 to MAX_X509_CHAIN DER certificates, not in
 * v0.3) and certificate; every tlogEntries element an object, with an
 * inclusionPromise (v0.1) or an inclusionProof (v0.2, v0.3) (the
 * entries themselves are read by rekor.h); rfc3161Timestamps elements
 * base64 of at most MAX_SIGSTORE_TST_DER bytes; a dsseEnvelope whose
 * payload decodes (at most MAX_DSSE_PAYLOAD bytes) and which has
 * exactly one signature.  On TMON_OK free *out with sigstore_bundle_free.
 * Errors (*out zeroed; err names the member):
 *   TMON_E_PARSE        malformed
 *   TMON_E_LIMIT        a member over its bound
 *   TMON_E_UNSUPPORTED  another mediaType, a messageSignature, a
 *                       publicKey instead of a certificate, more than
 *                       one DSSE signature
 *   TMON_E_CRYPTO_LIB   OpenSSL failed (allocation)
 */
enum tmon_rc	sigstore_bundle_parse_json(const json_t *b, const char *path,
		    struct sigstore_bundle *out, struct tmon_err *err);

/*
 * sigstore_bundle_parse_json of the len bytes of JSON text at text (at
 * most MAX_SIGSTORE_BUNDLE bytes, an object).  Errors: as
 * sigstore_bundle_parse_json, TMON_E_LIMIT over the bound.
 */
enum tmon_rc	sigstore_bundle_parse(const uint8_t *text, size_t len,
		    struct sigstore_bundle *out, struct tmon_err *err);

/* Free what b holds and zero it; a zeroed bundle is a no-op. */
void		sigstore_bundle_free(struct sigstore_bundle *b);

/*
 * DSSE PAE (protocol.md "Signature definition") of type (tlen bytes)
 * and body (blen bytes) into a new buffer of *outlen bytes the caller
 * frees.
 */
uint8_t	*dsse_pae(const char *type, size_t tlen, const uint8_t *body,
	    size_t blen, size_t *outlen);

/* An in-toto statement, parsed; predicate_type and the subjects borrow
 * from json. */
struct intoto_statement {
	json_t		*json;		/* the statement (a reference) */
	int		 version;	/* 1 (v1) or 0 (v0.1) */
	const char	*predicate_type;
	json_t		*predicate;	/* an object, or NULL when absent */
	json_t		*subjects;	/* the subject array, not empty */
};

/*
 * Parse the len bytes at p (a DSSE payload) as an in-toto statement:
 * _type v1 or v0.1, a subject array of 1 to MAX_INTOTO_SUBJECTS
 * elements, each with a digest object of strings (a "sha256" one of 64
 * hex digits), a predicateType string of at most MAX_URL bytes, and a
 * predicate that is an object when present.  On TMON_OK free *out with
 * intoto_statement_free.  Errors (*out zeroed): TMON_E_PARSE, TMON_E_LIMIT
 * (over MAX_DSSE_PAYLOAD, more subjects); TMON_E_UNSUPPORTED (another
 * _type).
 */
enum tmon_rc	intoto_statement_parse(const uint8_t *p, size_t len,
		    struct intoto_statement *out, struct tmon_err *err);

/* Free what s holds and zero it; a zeroed statement is a no-op. */
void		intoto_statement_free(struct intoto_statement *s);

/* True if a subject of s has digest.sha256 equal to sha256 (hex of
 * either case). */
bool		intoto_has_sha256(const struct intoto_statement *s,
		    const uint8_t sha256[32]);

/*
 * A Fulcio certificate's identity: each member the extension's text
 * (NUL-terminated), "" when the certificate lacks it.
 */
struct fulcio_identity {
	char	issuer[MAX_FULCIO_EXT + 1];	/* .8, else .1 */
	char	signer_uri[MAX_FULCIO_EXT + 1];	/* .9 Build Signer URI */
	char	repo_uri[MAX_FULCIO_EXT + 1];	/* .12 */
	char	repo_digest[MAX_FULCIO_EXT + 1];	/* .13 */
	char	repo_ref[MAX_FULCIO_EXT + 1];	/* .14 */
	char	build_config_uri[MAX_FULCIO_EXT + 1];	/* .18 */
	char	san_uri[MAX_FULCIO_EXT + 1];	/* the SubjectAltName URI */
};

/*
 * Read the identity of the Fulcio certificate x into *out.  Each value
 * is text of at most MAX_FULCIO_EXT bytes without control characters
 * (bytes below 0x20 and 0x7f); .8 to .18 are DER UTF8Strings filling
 * their extnValue exactly; .1 is the raw text; the SubjectAltName has at
 * most one URI.  Errors (*out zeroed, err names the extension's OID):
 *   TMON_E_PARSE  an extension present twice, not the form above
 *   TMON_E_LIMIT  a value over MAX_FULCIO_EXT bytes
 */
enum tmon_rc	fulcio_identity_parse(const X509 *x,
		    struct fulcio_identity *out, struct tmon_err *err);

/* ---- the identity policy ---- */

/*
 * What a release's signer must be.  repo is "OWNER/NAME": the Source
 * Repository URI must be "https://github.com/OWNER/NAME" exactly.
 * workflow (NULL: any) is an fnmatch(3) pattern (FNM_PATHNAME: '*'
 * does not cross '/') matched with the workflow path of the Build
 * Signer URI "https://github.com/OWNER/NAME/PATH@REF": PATH
 * (".github/workflows/release.yml") when OWNER/NAME is repo, else
 * "OWNER/NAME/PATH" (a reusable workflow of another repository matches
 * only a pattern that names it).  ref (NULL: any) is an fnmatch pattern
 * (FNM_PATHNAME) for the Source Repository Ref ("refs/tags/v*").  issuer
 * NULL is SIGSTORE_GITHUB_ISSUER; the certificate's issuer must equal it.
 */
struct sigstore_policy {
	const char	*repo;
	const char	*workflow;
	const char	*ref;
	const char	*issuer;
};

/*
 * Check id against policy p.  VERDICT_PASS; VERDICT_FAIL with why (the
 * field, the value and the policy: "Source Repository URI
 * https://github.com/a/b is not https://github.com/o/n"); VERDICT_ERROR
 * when p has no repo.
 */
enum verdict	sigstore_policy_check(const struct fulcio_identity *id,
		    const struct sigstore_policy *p, char *why, size_t whysz);

/* ---- verification ---- */

struct sigstore_root;

/* What sigstore_verify_bundle established. */
struct sigstore_result {
	/* the verified time (unix s): the integrated time of a tlog entry
	 * whose SET verified, else the genTime of a verified RFC 3161
	 * timestamp; 0 when there is none */
	int64_t			verified_time;
	/* the leaf certificate's identity (zeroed when it did not parse) */
	struct fulcio_identity	id;
	/* the tlog entry that verified, when has_tlog: its logIndex, and
	 * its integratedTime when its SET vouched for it (else 0) */
	bool			has_tlog;
	uint64_t		log_index;
	int64_t			integrated_time;
};

/*
 * Verify the parsed bundle b against the trusted root, the identity
 * policy p and the expected subject digest (SHA-256, 32 bytes), setting
 * every check id listed at the top of this file except
 * sigstore.bundle.parse in cl, and *res (zeroed first; may be NULL).
 * now (unix s) bounds the verified time: an integrated time or a
 * timestamp later than now + 300 s fails.  Every certificate is checked
 * at the verified time, never at now.  st (may be NULL) receives the
 * in-toto statement of the payload (the caller frees it with
 * intoto_statement_free, also when the verdict is not PASS).
 * Returns the worst status set: VERDICT_PASS only when every check
 * passed or was skipped; VERDICT_FAIL when evidence is wrong (a
 * signature, a hash, a chain, the identity, the subject);
 * VERDICT_ERROR when something could not be checked and nothing failed
 * (an unsupported tlog kind or key, no verified time, OpenSSL failing).
 */
enum verdict	sigstore_verify_bundle(const struct sigstore_root *root,
		    const struct sigstore_bundle *b,
		    const struct sigstore_policy *p, const uint8_t digest[32],
		    int64_t now, struct intoto_statement *st,
		    struct sigstore_result *res, struct checklist *cl);

/*
 * Verify a GitHub attestations API answer ("GET /repos/OWNER/NAME/
 * attestations/sha256:HEX": {"attestations": [{"bundle": BUNDLE,
 * "repository_id": N, ...}, ...]}, 1 to MAX_SIGSTORE_ATTESTATIONS
 * elements), borrowed.  Each bundle whose
 * statement's predicateType is predicate_type (NULL: any) is parsed and
 * verified with sigstore_verify_bundle; the first one that passes is the
 * answer: its checks (and sigstore.bundle.parse pass) are left in cl,
 * its statement in *st (may be NULL; free with intoto_statement_free)
 * and its result in *res (may be NULL).
 * When none passes, cl, *st and *res are the first candidate's, with
 * sigstore.bundle.parse failing (or an error, for an unsupported
 * format) when it did not parse; when no bundle has the predicate type,
 * sigstore.subject fails ("no attestation with predicate type ..."; *st
 * and *res zeroed).
 * A body that is not of the shape above fails sigstore.bundle.parse.
 * Returns the verdict of the answer as sigstore_verify_bundle does.
 */
enum verdict	sigstore_verify_attestations(const struct sigstore_root *root,
		    const json_t *body, const char *predicate_type,
		    const struct sigstore_policy *p, const uint8_t digest[32],
		    int64_t now, struct intoto_statement *st,
		    struct sigstore_result *res, struct checklist *cl);

#endif /* TMON_VERIFY_SIGSTORE_H */
