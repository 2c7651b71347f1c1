/*
 * note.h: the C2SP text formats around tmon's log, with Ed25519 by
 * libsodium:
 *   - signed notes and their keys (https://c2sp.org/signed-note),
 *   - checkpoints (https://c2sp.org/tlog-checkpoint),
 *   - Ed25519 cosignatures, cosignature/v1 (https://c2sp.org/tlog-cosignature),
 *   - proof files, c2sp.org/tlog-proof@v1 (https://c2sp.org/tlog-proof),
 *   - the add-checkpoint request and answers of https://c2sp.org/tlog-witness.
 * Key and note texts are those of Go's golang.org/x/mod/sumdb/note, so
 * keys and notes made by either verify with the other (tests/data/tlog/).
 *
 * A signed note is
 *	text (non-empty, every line ending in "\n")
 *	"\n"
 *	one or more lines "— <key name> <base64(key id || signature)>\n"
 * valid UTF-8 without control characters other than "\n"; the text ends
 * at the last empty line (signed-note "Format").  A key is a (name, key
 * id) pair: key id = the first 4 bytes, big-endian, of SHA-256(name ||
 * "\n" || type || 32-byte Ed25519 public key), with type NOTE_ED25519 for
 * note signatures (signed-note "Ed25519 signatures") and
 * NOTE_COSIGNATURE_V1 for cosignatures.
 *
 * Everything parsed here is untrusted: sizes are bounded by the MAX_NOTE_*,
 * MAX_TLOG_PROOF_* and MAX_WITNESS_* limits (tmon_limits.h), base64 must
 * be canonical standard base64 (RFC 4648 sections 4 and 3.5: padded, pad
 * bits zero), decimals have no leading zeroes, and every failure is an
 * error with a message; no input crashes.  Parsed structs borrow the
 * caller's bytes, which must outlive them.  Messages quote untrusted text
 * only through log_esc(), and never show secret key material.
 *
 * Parsers and formatters return an enum tmon_rc.  Checking a signature
 * returns an enum note_verdict: a signature that does not verify is a
 * finding about the input, not an operational error.
 */
#ifndef TMON_TLOG_NOTE_H
#define TMON_TLOG_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "tlog.h"
#include "tmon_limits.h"

/* Signature type bytes (signed-note "Signature types"). */
#define NOTE_ED25519		0x01	/* Ed25519 note signature */
#define NOTE_COSIGNATURE_V1	0x04	/* tlog-cosignature Ed25519, v1 */

#define NOTE_PUBKEY_LEN		32	/* Ed25519 public key (RFC 8032) */
#define NOTE_SEED_LEN		32	/* Ed25519 private key (seed) */
#define NOTE_SIG_LEN		64	/* Ed25519 signature */
/* cosignature/v1 signature bytes: key id (4) || u64 time || signature. */
#define NOTE_COSIG_LEN		(4 + 8 + NOTE_SIG_LEN)

/* Key texts with their NUL: "<name>+<8 hex>+<44 base64>" and
 * "PRIVATE+KEY+" before it. */
#define NOTE_VKEY_MAX		(MAX_NOTE_NAME + 55)
#define NOTE_SKEY_MAX		(MAX_NOTE_NAME + 67)
/* A signature line this module writes ("— name base64\n"), NUL included. */
#define NOTE_SIGLINE_MAX	(MAX_NOTE_NAME + 4 + 1 + 104 + 2)

/* What checking a note, a cosignature or a proof found.  Zero (a
 * zeroed result) is fail-safe. */
enum note_verdict {
	NOTE_UNCHECKED = 0,	/* could not check (libsodium failed, or the
				   keys given are ambiguous): an error */
	NOTE_PASS,		/* every check held */
	NOTE_MALFORMED,		/* the input does not parse */
	NOTE_NO_SIGNATURE,	/* no signature line by the key(s) wanted */
	NOTE_BAD_SIGNATURE,	/* a note signature by a known key does not
				   verify */
	NOTE_BAD_COSIGNATURE,	/* a cosignature by a known key does not
				   verify */
	NOTE_WRONG_ORIGIN,	/* the checkpoint is not of the log wanted */
	NOTE_NO_QUORUM,		/* fewer witness cosignatures than wanted */
	NOTE_NOT_IN_TREE,	/* a proof's index is not below the size */
	NOTE_BAD_INCLUSION	/* an inclusion proof does not give the root */
};

/* A static lower-case name of v ("bad signature"); never NULL. */
const char	*note_verdict_str(enum note_verdict v);

/*
 * Keys.  A verifier is public; a signer holds the Ed25519 secret key and
 * must be wiped with note_signer_clear() when no longer needed.
 */
struct note_verifier {
	char		name[MAX_NOTE_NAME + 1];	/* NUL-terminated */
	uint32_t	id;
	uint8_t		type;		/* NOTE_ED25519, NOTE_COSIGNATURE_V1 */
	uint8_t		pub[NOTE_PUBKEY_LEN];
};

struct note_signer {
	char		name[MAX_NOTE_NAME + 1];	/* NUL-terminated */
	uint32_t	id;
	uint8_t		type;		/* NOTE_ED25519, NOTE_COSIGNATURE_V1 */
	uint8_t		sk[64];		/* libsodium secret key: seed || pub */
};

/*
 * True if the len bytes at name are a key name: 1..MAX_NOTE_NAME bytes of
 * valid UTF-8 without Unicode white space (the White_Space property) or
 * '+' (signed-note "Format"), and, stricter than the spec, without
 * control characters (C0, DEL, C1).
 */
bool	note_name_valid(const char *name, size_t len);

/* The key id of (name, type, pub) (signed-note "Signatures"). */
uint32_t note_key_id(const char *name, size_t len, uint8_t type,
	    const uint8_t pub[NOTE_PUBKEY_LEN]);

/*
 * A new random signer named name (NUL-terminated) of type NOTE_ED25519
 * or NOTE_COSIGNATURE_V1, from libsodium's randombytes.  Errors:
 * TMON_E_PARSE (name not valid), TMON_E_UNSUPPORTED (type),
 * TMON_E_CRYPTO_LIB (libsodium could not initialise).  On failure *out is
 * zeroed.
 */
enum tmon_rc	note_signer_generate(const char *name, uint8_t type,
		    struct note_signer *out, struct tmon_err *err);

/* As note_signer_generate, from a given 32-byte seed (RFC 8032 5.1.5). */
enum tmon_rc	note_signer_from_seed(const char *name, uint8_t type,
		    const uint8_t seed[NOTE_SEED_LEN], struct note_signer *out,
		    struct tmon_err *err);

/*
 * Parse a signer key text, exactly len bytes (no newline):
 *	PRIVATE+KEY+<name>+<8 lower-case hex key id>+<base64(type || seed)>
 * type NOTE_ED25519 (Go's note.NewSigner format) or NOTE_COSIGNATURE_V1
 * (the same text for a cosigner key; Go does not read it).  The key id
 * must be that of the public key derived from the seed.  Errors:
 * TMON_E_PARSE (malformed, or the key id does not match: the message
 * never shows the key), TMON_E_UNSUPPORTED (another type),
 * TMON_E_CRYPTO_LIB.  On failure *out is zeroed.
 */
enum tmon_rc	note_signer_parse(const char *text, size_t len,
		    struct note_signer *out, struct tmon_err *err);

/*
 * Write s's signer key text, NUL-terminated, into buf (size bytes;
 * NOTE_SKEY_MAX always suffices).  The text is the secret key: wipe buf
 * (sodium_memzero) after use.  Returns false if it does not fit.
 */
bool	note_signer_format(const struct note_signer *s, char *buf,
	    size_t size);

/* The verifier of s (same name, id, type and public key). */
void	note_signer_verifier(const struct note_signer *s,
	    struct note_verifier *out);

/* Wipe s (sodium_memzero); s may be NULL. */
void	note_signer_clear(struct note_signer *s);

/*
 * Parse a verifier key text (a "vkey", signed-note "Verifier keys"),
 * exactly len bytes:
 *	<name>+<8 lower-case hex key id>+<base64(type || 32-byte public key)>
 * type NOTE_ED25519 or NOTE_COSIGNATURE_V1; the key id must match.
 * Errors: TMON_E_PARSE (malformed, key id mismatch), TMON_E_UNSUPPORTED
 * (another type: ECDSA, ML-DSA...).  On failure *out is zeroed.
 */
enum tmon_rc	note_verifier_parse(const char *text, size_t len,
		    struct note_verifier *out, struct tmon_err *err);

/*
 * Write v's verifier key text, NUL-terminated, into buf (size bytes;
 * NOTE_VKEY_MAX always suffices).  Returns false if it does not fit.
 */
bool	note_verifier_format(const struct note_verifier *v, char *buf,
	    size_t size);

/*
 * The log's signing key file at path: one line, the signer key text of
 * an NOTE_ED25519 key named name (the log's origin), and "\n".
 *
 * If path exists it is loaded, and refused (TMON_E_CONFIG, the message
 * naming path and what to fix, never the key) when it is a symbolic link,
 * not a regular file, not owned by the effective user, readable, writable
 * or executable by group or others ("chmod 600"), larger than a key
 * line, malformed, of another type, or of a name other than name (name
 * NULL: any name; a new key needs one).
 * If path does not exist and create is true, a new random key is written
 * to a temporary file created in the same directory (O_CREAT | O_EXCL,
 * mode 0600), fsync'd, linked to path (link(2): never replacing a file
 * that appeared meanwhile) and unlinked, and the directory is fsync'd, so
 * path is either absent or a whole key after a crash.  If it does not
 * exist and create is false: TMON_E_NOTFOUND.
 * Errors otherwise: TMON_E_CONFIG (name is not a key name), TMON_E_IO,
 * TMON_E_CRYPTO_LIB.  On success *out holds the key (wipe it with
 * note_signer_clear); on failure it is zeroed.
 */
enum tmon_rc	note_keyfile_load_or_create(const char *path,
		    const char *name, bool create, struct note_signer *out,
		    struct tmon_err *err);

/*
 * Raw Ed25519 (RFC 8032 section 5.1), for the test vectors of RFC 8032
 * section 7.1: sign len bytes of msg with s's key into sig, and verify
 * sig over msg under pub, strictly as libsodium's
 * crypto_sign_verify_detached (canonical S < L; A and R canonical and not
 * of small order).  note_ed25519_verify returns NOTE_PASS,
 * NOTE_BAD_SIGNATURE or NOTE_UNCHECKED (libsodium could not initialise;
 * note_ed25519_sign returns TMON_E_CRYPTO_LIB then).
 */
enum tmon_rc	note_ed25519_sign(const struct note_signer *s,
		    const uint8_t *msg, size_t len, uint8_t sig[NOTE_SIG_LEN],
		    struct tmon_err *err);
enum note_verdict note_ed25519_verify(const uint8_t pub[NOTE_PUBKEY_LEN],
		    const uint8_t sig[NOTE_SIG_LEN], const uint8_t *msg,
		    size_t len);

/*
 * One signature line of a note: "— " name " " base64 "\n".  Pointers are
 * into the parsed bytes.
 */
struct note_sig {
	const uint8_t	*line;		/* the whole line */
	size_t		 line_len;	/* with its "\n" */
	const char	*name;		/* name_len bytes, not NUL-terminated */
	size_t		 name_len;
	uint32_t	 id;		/* the first 4 signature bytes, BE */
	const char	*b64;		/* the base64, b64_len characters */
	size_t		 b64_len;
};

/* A parsed signed note, borrowing the message. */
struct note {
	const uint8_t	*text;		/* the message's first text_len bytes */
	size_t		 text_len;
	size_t		 nsigs;		/* 1..MAX_NOTE_SIGS */
	struct note_sig	 sigs[MAX_NOTE_SIGS];
};

/*
 * Sign text (len bytes: a note text, non-empty, ending in "\n", valid
 * UTF-8 without control characters but "\n") with s (NOTE_ED25519):
 * append text "\n" "— <name> <base64(id || Ed25519(text))>\n" to out.
 * Errors: TMON_E_PARSE (text), TMON_E_LIMIT (text longer than
 * MAX_NOTE_LEN, or out full: out is then emptied, as buf_append does),
 * TMON_E_UNSUPPORTED (a cosigner key: see note_cosign), TMON_E_CRYPTO_LIB.
 */
enum tmon_rc	note_sign(const struct note_signer *s, const uint8_t *text,
		    size_t len, struct buf *out, struct tmon_err *err);

/*
 * Parse a signed note of len bytes (at most MAX_NOTE_LEN) into *out,
 * checking only its form (signed-note "Format"): UTF-8, no control
 * characters but "\n", the text up to the last empty line, then 1 to
 * MAX_NOTE_SIGS signature lines, each a valid key name and canonical
 * base64 of at least 5 bytes.  Two lines with the same key name and id
 * are refused (Go's note.Open keeps the first and ignores the others;
 * no signer writes two).  Errors: TMON_E_PARSE (err->offset: the byte
 * where it went wrong), TMON_E_LIMIT (too long, too many lines); *out is
 * then zeroed.
 */
enum tmon_rc	note_parse(const uint8_t *msg, size_t len, struct note *out,
		    struct tmon_err *err);

/* What note_verify found for one of the keys it was given. */
struct note_keyresult {
	bool		present;	/* a line has the key's name and id */
	bool		verified;	/* and its signature verified */
	size_t		line;		/* the line: an index into sigs */
	uint64_t	time;		/* NOTE_COSIGNATURE_V1: its timestamp */
};

/*
 * Check the signatures of n by the nkeys keys (signed-note "Signatures"):
 * lines of unknown keys (another name or id) are ignored; the line of a
 * known key must verify:
 *   NOTE_ED25519         Ed25519 over the text; the signature is id || 64
 *                        bytes;
 *   NOTE_COSIGNATURE_V1  Ed25519 over "cosignature/v1\ntime <T>\n" ||
 *                        text (tlog-cosignature "Ed25519 signed
 *                        message"); the signature is id || u64 BE T ||
 *                        64 bytes, T <= 2^63 - 1.
 * Returns NOTE_PASS when at least one known key's line verified and none
 * failed; NOTE_NO_SIGNATURE when no line is by a known key;
 * NOTE_BAD_SIGNATURE / NOTE_BAD_COSIGNATURE for the first known line
 * that does not verify (the whole note is rejected); NOTE_UNCHECKED when
 * two keys share a name and id (err: TMON_E_CONFIG) or libsodium fails
 * (TMON_E_CRYPTO_LIB).  res (nkeys entries, may be NULL) says, per key,
 * which line is its and whether it verified.  err gets a message (code
 * TMON_E_PARSE for a finding) for every verdict but NOTE_PASS.
 */
enum note_verdict note_verify(const struct note *n,
		    const struct note_verifier *keys, size_t nkeys,
		    struct note_keyresult *res, struct tmon_err *err);

/*
 * A checkpoint (tlog-checkpoint "Note text"), borrowing its text.
 */
struct note_checkpoint {
	const char	*origin;	/* origin_len bytes, no NUL */
	size_t		 origin_len;
	uint64_t	 size;		/* < TLOG_MAX_SIZE */
	uint8_t		 root[TLOG_HASH_LEN];
	const char	*ext;		/* extension lines, each ending in
					   "\n"; ext_len 0: none */
	size_t		 ext_len;
};

/*
 * Append the checkpoint text "<origin>\n<size>\n<base64 root>\n" and the
 * extension lines ext (ext_len bytes, each non-empty line ending in
 * "\n"; NULL or 0: none) to out.  origin must be non-empty, without "\n";
 * size < TLOG_MAX_SIZE.  The result is a note text (note_sign).  Errors:
 * TMON_E_PARSE (origin, size or ext), TMON_E_LIMIT (longer than
 * MAX_NOTE_LEN, or out full).
 */
enum tmon_rc	note_checkpoint_format(const char *origin, uint64_t size,
		    const uint8_t root[TLOG_HASH_LEN], const char *ext,
		    size_t ext_len, struct buf *out, struct tmon_err *err);

/*
 * Parse a checkpoint text (a note's text, len bytes, with the final
 * "\n"): a non-empty origin line, the size in decimal without leading
 * zeroes (< TLOG_MAX_SIZE), the root as canonical base64 of exactly 32
 * bytes, then non-empty extension lines; valid UTF-8 without control
 * characters but "\n".  Errors: TMON_E_PARSE, TMON_E_LIMIT (longer than
 * MAX_NOTE_LEN).
 */
enum tmon_rc	note_checkpoint_parse(const uint8_t *text, size_t len,
		    struct note_checkpoint *out, struct tmon_err *err);

/* Whose signatures a checkpoint must carry (tlog-proof "Verifying"). */
struct note_policy {
	const struct note_verifier *log;	/* the log's key, NOTE_ED25519 */
	const char	*origin;	/* the origin accepted; NULL: log->name */
	const struct note_verifier *witnesses;	/* nwitnesses keys, or NULL */
	size_t		 nwitnesses;
	size_t		 quorum;	/* witness cosignatures required */
};

/*
 * Open a signed checkpoint (len bytes) under pol: the note parses
 * (NOTE_MALFORMED), its text is a checkpoint (NOTE_MALFORMED), the origin
 * is pol's (NOTE_WRONG_ORIGIN), and note_verify over the log's key and
 * the witnesses: the log's line must be present (NOTE_NO_SIGNATURE) and
 * every known line must verify (NOTE_BAD_SIGNATURE,
 * NOTE_BAD_COSIGNATURE); at least pol->quorum witnesses verified
 * (NOTE_NO_QUORUM).  Lines of other keys are ignored.  NOTE_UNCHECKED:
 * as note_verify, or pol->log is not NOTE_ED25519 (TMON_E_CONFIG).
 * cp (may be NULL) gets the checkpoint when it parsed; wres
 * (pol->nwitnesses entries, may be NULL) the result of each witness key.
 */
enum note_verdict note_checkpoint_open(const uint8_t *msg, size_t len,
		    const struct note_policy *pol, struct note_checkpoint *cp,
		    struct note_keyresult *wres, struct tmon_err *err);

/*
 * Append one cosignature/v1 line by s (NOTE_COSIGNATURE_V1) over the
 * checkpoint text cp (len bytes, the note text without signatures) at
 * time (POSIX seconds, <= 2^63 - 1) to out: "— <name> <base64(id ||
 * u64 BE time || Ed25519(message))>\n" (tlog-cosignature).  Errors:
 * TMON_E_PARSE (cp is not a checkpoint, time too large),
 * TMON_E_UNSUPPORTED (s is a note key), TMON_E_LIMIT (out full),
 * TMON_E_CRYPTO_LIB.
 */
enum tmon_rc	note_cosign(const struct note_signer *s, const uint8_t *cp,
		    size_t len, uint64_t time, struct buf *out,
		    struct tmon_err *err);

/*
 * A tlog proof (c2sp.org/tlog-proof@v1), borrowing its text.
 */
struct note_proof {
	const char	*extra;		/* base64 of the extra data, extra_len
					   characters; NULL: no extra line */
	size_t		 extra_len;
	uint64_t	 index;		/* < TLOG_MAX_SIZE */
	size_t		 nhashes;	/* <= TLOG_MAX_PROOF */
	uint8_t		 hashes[TLOG_MAX_PROOF][TLOG_HASH_LEN];
	const uint8_t	*note;		/* the signed checkpoint, verbatim */
	size_t		 note_len;
};

/*
 * Append a tlog proof to out: "c2sp.org/tlog-proof@v1\n", "extra
 * <base64>\n" when extra_len > 0 (at most MAX_TLOG_PROOF_EXTRA bytes),
 * "index <index>\n", the n (<= TLOG_MAX_PROOF) hashes of the inclusion
 * proof in base64, one a line, leaf sibling first, "\n", and the signed
 * checkpoint note (note_len bytes, with its signature and cosignature
 * lines) verbatim.  Errors: TMON_E_PARSE (index >= TLOG_MAX_SIZE, note
 * not a signed note with a checkpoint text), TMON_E_LIMIT (n, extra,
 * note too long, out full).
 */
enum tmon_rc	note_proof_format(const uint8_t *extra, size_t extra_len,
		    uint64_t index, const uint8_t proof[][TLOG_HASH_LEN],
		    size_t n, const uint8_t *note, size_t note_len,
		    struct buf *out, struct tmon_err *err);

/*
 * Parse a tlog proof of len bytes (at most MAX_TLOG_PROOF_LEN): the
 * header line, an optional "extra " line with canonical base64 of 1 to
 * MAX_TLOG_PROOF_EXTRA bytes (no extra data: no line), "index N" (no
 * leading zeroes, <
 * TLOG_MAX_SIZE), at most TLOG_MAX_PROOF lines of canonical base64 of 32
 * bytes, an empty line, and a signed note (note_parse) whose text is a
 * checkpoint (note_checkpoint_parse).  No signature is checked.  Errors:
 * TMON_E_PARSE, TMON_E_LIMIT.
 */
enum tmon_rc	note_proof_parse(const uint8_t *text, size_t len,
		    struct note_proof *out, struct tmon_err *err);

/*
 * Verify a tlog proof (len bytes) for an entry (entry_len bytes; its leaf
 * hash is tlog_leaf_hash(entry)) under pol, in the order of tlog-proof
 * "Verifying a tlog proof": the proof parses (NOTE_MALFORMED), the
 * checkpoint opens under pol (the verdicts of note_checkpoint_open),
 * index < size (NOTE_NOT_IN_TREE) and the inclusion proof of RFC 9162
 * section 2.1.3.2 gives the checkpoint's root (NOTE_BAD_INCLUSION).
 * out (may be NULL) gets the parsed proof, cp (may be NULL) the
 * checkpoint, wres (pol->nwitnesses, may be NULL) each witness's result.
 * err: as note_verify.
 */
enum note_verdict note_proof_verify(const uint8_t *proof, size_t len,
		    const uint8_t *entry, size_t entry_len,
		    const struct note_policy *pol, struct note_proof *out,
		    struct note_checkpoint *cp, struct note_keyresult *wres,
		    struct tmon_err *err);

/*
 * Append a tlog-witness add-checkpoint request body to out: "old
 * <old>\n", the n hashes of the consistency proof from old to the
 * checkpoint's size in base64, one a line, "\n", and the signed
 * checkpoint note (note_len bytes) verbatim.  n <= TLOG_MAX_PROOF - 1
 * (the spec's 63), 0 when old is 0; old <= the checkpoint's size.
 * Errors: TMON_E_PARSE (note not a signed checkpoint, old larger than
 * its size, a proof with old 0), TMON_E_LIMIT (n, out full).
 */
enum tmon_rc	note_witness_request(uint64_t old,
		    const uint8_t proof[][TLOG_HASH_LEN], size_t n,
		    const uint8_t *note, size_t note_len, struct buf *out,
		    struct tmon_err *err);

/* The signature lines of a witness's 200 answer, borrowing the body. */
struct note_witness_response {
	size_t		 nsigs;		/* 1..MAX_WITNESS_SIGS */
	struct note_sig	 sigs[MAX_WITNESS_SIGS];
};

/*
 * Parse the body of an add-checkpoint 200 answer (len bytes, at most
 * MAX_WITNESS_RESPONSE): one or more signature lines as in a note
 * (note_parse), at most MAX_WITNESS_SIGS, no two by the same name and
 * id.  Errors: TMON_E_PARSE, TMON_E_LIMIT; *out is then zeroed.
 */
enum tmon_rc	note_witness_response_parse(const uint8_t *body,
		    size_t len, struct note_witness_response *out,
		    struct tmon_err *err);

/*
 * The cosignature of witness w (NOTE_COSIGNATURE_V1 or NOTE_ED25519) in
 * an add-checkpoint 200 answer body (len bytes) over the checkpoint text
 * cp (cp_len bytes, the text that was submitted): the body parses
 * (NOTE_MALFORMED), has a line of w (NOTE_NO_SIGNATURE; other lines are
 * ignored) and it verifies over cp (NOTE_BAD_COSIGNATURE,
 * NOTE_BAD_SIGNATURE).  On NOTE_PASS *line gets that line (into body:
 * append it to the checkpoint note) and *time (may be NULL) its
 * timestamp (0 for a NOTE_ED25519 witness).  err: as note_verify.
 */
enum note_verdict note_witness_cosignature(const struct note_verifier *w,
		    const uint8_t *cp, size_t cp_len, const uint8_t *body,
		    size_t len, struct note_sig *line, uint64_t *time,
		    struct tmon_err *err);

/*
 * Parse the body of an add-checkpoint 409 answer (text/x.tlog.size): the
 * witness's latest cosigned size in decimal without leading zeroes, and
 * "\n" (len bytes in all).  Errors: TMON_E_PARSE.
 */
enum tmon_rc	note_witness_conflict_parse(const uint8_t *body, size_t len,
		    uint64_t *size, struct tmon_err *err);

#endif /* TMON_TLOG_NOTE_H */
