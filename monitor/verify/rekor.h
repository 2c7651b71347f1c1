/*
 * rekor.h: one Rekor transparency-log entry of a Sigstore bundle
 * (protobuf-specs sigstore_rekor.proto, TransparencyLogEntry: a bundle's
 * verificationMaterial.tlogEntries[i], in its JSON form), checked against
 * what the bundle signed and the trusted root (sigstore_root.h).
 *
 * An entry holds:
 *   logIndex, logId {keyId}, kindVersion {kind, version}, integratedTime
 *   (int64 as a decimal string or a number), canonicalizedBody (base64 of
 *   the entry body as the log stored it), inclusionPromise
 *   {signedEntryTimestamp} (the SET, optional), inclusionProof {logIndex
 *   (in the log's current tree: differs from logIndex on a sharded log),
 *   rootHash, treeSize, hashes[], checkpoint {envelope}} (optional).
 *
 * The checks, each under its id in a struct checklist (README "Checks"):
 *   sigstore.tlog.body        the body is the kind and version kindVersion
 *                             names, and it records what the bundle signed:
 *                               dsse 0.0.1 (Rekor types/dsse): spec.payloadHash
 *                               {algorithm "sha256", value hex} is the
 *                               SHA-256 of the DSSE payload; exactly one of
 *                               spec.signatures, whose signature (base64) is
 *                               the bundle's signature bytes and whose
 *                               verifier (base64 of a PEM certificate) is
 *                               the bundle's leaf certificate;
 *                               intoto 0.0.2 (Rekor types/intoto):
 *                               spec.content.payloadHash as above;
 *                               spec.content.envelope.payloadType (when
 *                               present) the bundle's; exactly one
 *                               envelope signature, whose sig is base64 of
 *                               the base64 of the signature bytes and whose
 *                               publicKey is base64 of the leaf's PEM.
 *                             The envelopeHash / hash members are not
 *                             compared (they hash the envelope as
 *                             submitted, which the bundle does not carry);
 *                             the signature and payload hash bind it.
 *                             Any other kind or version (hashedrekord on a
 *                             DSSE bundle, dsse 0.0.2) is CHECK_ERROR,
 *                             "unsupported".
 *   sigstore.tlog.inclusion   RFC 9162 section 2.1.3.2: the leaf hash
 *                             SHA-256(0x00 || body) with hashes at
 *                             inclusionProof.logIndex gives rootHash for a
 *                             tree of treeSize.
 *   sigstore.tlog.checkpoint  the checkpoint is a C2SP signed note
 *                             (tlog-checkpoint) whose text names treeSize
 *                             and rootHash, with a signature line whose key
 *                             id is the first 4 bytes of the log's
 *                             checkpoint key id, verifying by the log's key
 *                             over the note text: ECDSA (the line holds key
 *                             id || DER signature; SHA-256 or SHA-384 by the
 *                             key's keyDetails) or Ed25519 (key id || 64
 *                             bytes, verified strictly with libsodium).
 *   sigstore.tlog.set         the SET (Rekor openapi "InclusionPromise"):
 *                             a signature by the log's key over the RFC 8785
 *                             canonical JSON {"body": base64 of the body,
 *                             "integratedTime": N, "logID": lower-case hex
 *                             of logId.keyId, "logIndex": N}; and the log's
 *                             key is valid (validFor) at integratedTime.
 * The log is the root's tlog whose log id is logId.keyId.
 *
 * Statuses: a finding about the entry is CHECK_FAIL with a named reason
 * ("inclusion proof does not lead to the checkpoint's root", "SET
 * signature does not verify by rekor.sigstore.dev", ...); a log that is
 * not in the root, a key of a type this code does not verify, an
 * unsupported body kind is CHECK_ERROR.  An entry without a SET gets
 * sigstore.tlog.set CHECK_SKIP ("no SET: the integrated time is not
 * verified"): the bundle's time must then come from an RFC 3161
 * timestamp.  An entry without an inclusion proof (bundle v0.1) gets
 * sigstore.tlog.inclusion and sigstore.tlog.checkpoint CHECK_SKIP; an
 * entry with neither fails sigstore.tlog.inclusion.  A malformed entry
 * fails all four ids with the parse error.  Several entries may report
 * under the same ids: the worst status stands (checklist_set).
 *
 * Nothing here does I/O or reads the clock.
 */
#ifndef TMON_VERIFY_REKOR_H
#define TMON_VERIFY_REKOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "checklist.h"
#include "err.h"
#include "sigstore_root.h"
#include "tlog.h"

/* The check ids of this module. */
#define REKOR_CHECK_BODY	"sigstore.tlog.body"
#define REKOR_CHECK_INCLUSION	"sigstore.tlog.inclusion"
#define REKOR_CHECK_CHECKPOINT	"sigstore.tlog.checkpoint"
#define REKOR_CHECK_SET		"sigstore.tlog.set"

/*
 * What the bundle signed, as the bundle carries it (all borrowed; the
 * caller decodes them from the bundle): the DSSE envelope's payload
 * bytes (base64-decoded) and payloadType, its one signature's bytes
 * (base64-decoded: an ASN.1 DER ECDSA signature for a Fulcio key), and
 * the leaf certificate's DER (verificationMaterial.certificate.rawBytes
 * or x509CertificateChain.certificates[0].rawBytes).
 */
struct rekor_signed {
	const uint8_t	*payload;
	size_t		 payload_len;
	const char	*payload_type;	/* NUL-terminated */
	const uint8_t	*sig;
	size_t		 sig_len;
	const uint8_t	*cert_der;
	size_t		 cert_der_len;
};

/* A parsed tlog entry (rekor_entry_parse); free with rekor_entry_free. */
struct rekor_entry {
	uint64_t	 log_index;		/* logIndex */
	uint8_t		 log_id[32];		/* logId.keyId */
	char		 kind[MAX_REKOR_KIND];	/* kindVersion.kind */
	char		 version[MAX_REKOR_KIND];	/* kindVersion.version */
	int64_t		 integrated_time;	/* integratedTime, unix s */
	uint8_t		*body;			/* canonicalizedBody (owned) */
	size_t		 body_len;
	uint8_t		*set;			/* the SET's bytes, NULL: none */
	size_t		 set_len;
	bool		 has_proof;		/* inclusionProof present */
	uint64_t	 proof_index;		/* inclusionProof.logIndex */
	uint64_t	 tree_size;		/* inclusionProof.treeSize */
	uint8_t		 root_hash[TLOG_HASH_LEN];
	size_t		 nhashes;		/* <= TLOG_MAX_PROOF */
	uint8_t		 hashes[TLOG_MAX_PROOF][TLOG_HASH_LEN];
	char		*checkpoint;		/* the envelope (owned), or NULL */
	size_t		 checkpoint_len;
};

/* What rekor_entry_check established. */
struct rekor_result {
	/* the root's log of the entry, NULL when it is not in the root */
	const struct sigstore_log_key *log;
	uint64_t	log_index;		/* the entry's logIndex */
	/* integratedTime; verified only when time_verified (a SET verified
	 * by a log key valid at that time) */
	int64_t		integrated_time;
	bool		time_verified;
	/* the inclusion proof verified to a checkpoint signed by the log */
	bool		included;
};

/*
 * Parse the tlog entry obj (a JSON object, borrowed) at path (for
 * messages: "verificationMaterial.tlogEntries[0]") into *out, checking
 * only form: the members above with their types, base64 and sizes
 * (logId.keyId and every hash 32 bytes, at most TLOG_MAX_PROOF hashes,
 * canonicalizedBody 1 to MAX_REKOR_BODY bytes, the checkpoint envelope
 * at most MAX_CHECKPOINT_NOTE bytes, indexes and sizes below
 * TLOG_MAX_SIZE, integratedTime 0 to INT64_MAX; an absent index, size
 * or time is 0, as proto3 JSON leaves out default values).  Errors (err names the
 * member; *out zeroed and holding nothing):
 *   TMON_E_PARSE   a member missing, of the wrong type, not base64, of
 *                  the wrong size
 *   TMON_E_LIMIT   a member over its bound
 */
enum tmon_rc	rekor_entry_parse(const json_t *obj, const char *path,
		    struct rekor_entry *out, struct tmon_err *err);

/* Free what e holds and zero it; a zeroed entry is a no-op. */
void		rekor_entry_free(struct rekor_entry *e);

/*
 * Check the parsed entry e against what the bundle signed (sd) and the
 * root, setting the four ids in cl (see above) and *res.  Returns
 * VERDICT_PASS when the body matched and the entry is vouched for: a SET
 * verified, or an inclusion proof to a checkpoint signed by the log
 * (then res->time_verified says whether the time is verified too; the
 * caller needs an RFC 3161 timestamp when it is not); VERDICT_FAIL when
 * any of the four checks failed; VERDICT_ERROR when one could not be
 * checked (log not in the root, unsupported kind or key, OpenSSL
 * failure) and none failed.
 */
enum verdict	rekor_entry_check(const struct sigstore_root *root,
		    const struct rekor_entry *e, const struct rekor_signed *sd,
		    struct rekor_result *res, struct checklist *cl);

/*
 * rekor_entry_parse of obj at path, then rekor_entry_check; a malformed
 * entry fails all four ids with the parse error and returns
 * VERDICT_FAIL.  *res is zeroed first.
 */
enum verdict	rekor_check_entry(const struct sigstore_root *root,
		    const json_t *obj, const char *path,
		    const struct rekor_signed *sd, struct rekor_result *res,
		    struct checklist *cl);

#endif /* TMON_VERIFY_REKOR_H */
