/*
 * provenance.h: code provenance of a Tinfoil enclave.  A release's
 * Sigstore attestation (sigstore.h) carries an in-toto statement whose
 * predicate lists the measurements the release's image produces; this
 * module reads those predicates into registers and compares them, one
 * register at a time, with the registers of an enclave tmon attested.
 * Pure: no I/O, no clock.
 *
 * Predicates (the predicateType of an in-toto Statement v1; member
 * names and meaning as published by Tinfoil's release workflows and
 * read by tinfoilsh/verifier):
 *
 *   PROV_PREDICATE_MULTIPLATFORM  one image for both platforms:
 *     {"snp_measurement": 96 hex (the AMD SEV-SNP MEASUREMENT, 48 bytes),
 *      "tdx_measurement": {"rtmr1": 96 hex, "rtmr2": 96 hex},
 *      "hashes": {"version": ...}, "cmdline": ..., ...}
 *     On Intel TDX the image fixes RTMR1 (kernel, initrd) and RTMR2
 *     (command line), and RTMR3 must be all zero (Tinfoil's images extend
 *     nothing into it); MRTD and RTMR0 depend on the machine's firmware
 *     and virtual hardware, and come from the next predicate.
 *
 *   PROV_PREDICATE_HARDWARE  the hardware platforms a TDX enclave may
 *     run on: {"NAME": {"mrtd": 96 hex, "rtmr0": 96 hex, ...}, ...}
 *     (tinfoilsh/hardware-measurements; other members of a platform are
 *     ignored).
 *
 * Hex is read in either case; anything else (a missing member, a value
 * that is not 96 hex characters) is malformed.  Members not named above
 * are ignored.
 *
 * Check ids (README "Checks"):
 *   provenance.release      the release's attestation verified: the
 *                           sigstore.* checks of its bundle rolled into
 *                           one (prov_check_release)
 *   provenance.measurement  the enclave's registers equal those of a
 *                           verified release (prov_check_measurement)
 */
#ifndef TMON_VERIFY_PROVENANCE_H
#define TMON_VERIFY_PROVENANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "checklist.h"
#include "err.h"
#include "tmon_limits.h"

struct attest_measurement;

#define PROV_PREDICATE_MULTIPLATFORM \
	"https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1"
#define PROV_PREDICATE_HARDWARE \
	"https://tinfoil.sh/predicate/hardware-measurements/v1"

/* One measurement register (SEV-SNP MEASUREMENT, TDX MRTD, RTMRn). */
#define PROV_REG_LEN	48

enum prov_kind {
	PROV_KIND_NONE = 0,
	PROV_KIND_MULTIPLATFORM,	/* PROV_PREDICATE_MULTIPLATFORM */
	PROV_KIND_HARDWARE		/* PROV_PREDICATE_HARDWARE */
};

/* One hardware platform: the MRTD and RTMR0 a TDX enclave has on it. */
struct prov_platform {
	char	name[MAX_PROV_NAME];	/* the predicate's member name */
	uint8_t	mrtd[PROV_REG_LEN];
	uint8_t	rtmr0[PROV_REG_LEN];
};

/* A parsed predicate; kind says which half is set. */
struct prov_predicate {
	enum prov_kind	kind;
	/* PROV_KIND_MULTIPLATFORM */
	uint8_t		snp_measurement[PROV_REG_LEN];
	uint8_t		rtmr1[PROV_REG_LEN];
	uint8_t		rtmr2[PROV_REG_LEN];
	char		version[MAX_PROV_NAME];	/* hashes.version, or "" */
	/* PROV_KIND_HARDWARE, in the predicate's member order */
	size_t		n_platforms;
	struct prov_platform platforms[MAX_PROV_PLATFORMS];
};

/*
 * Read predicate (the statement's "predicate" value, borrowed, not
 * modified) of predicate type type into *out (zeroed first).
 * Errors: TMON_E_UNSUPPORTED: type is neither predicate above ("predicate
 * type T is not supported"); TMON_E_PARSE: predicate is not an object, a
 * member named above is missing or not 96 hex characters, hashes.version
 * is not a string, a hardware platform is not an object or the
 * predicate names none (message: the member's path, "predicate.
 * tdx_measurement.rtmr1: must be 96 hex characters"); TMON_E_LIMIT: more
 * than MAX_PROV_PLATFORMS platforms, a platform name or version longer
 * than MAX_PROV_NAME - 1 bytes.
 */
enum tmon_rc	prov_parse_predicate(const char *type, json_t *predicate,
		    struct prov_predicate *out, struct tmon_err *err);

/* The registers of the enclave a probe attested. */
enum prov_platform_kind {
	PROV_ENCLAVE_NONE = 0,		/* no verified report or quote */
	PROV_ENCLAVE_SNP,		/* AMD SEV-SNP: snp_measurement */
	PROV_ENCLAVE_TDX		/* Intel TDX: mrtd, rtmr[0..3] */
};

struct prov_enclave {
	enum prov_platform_kind	platform;
	uint8_t			snp_measurement[PROV_REG_LEN];
	uint8_t			mrtd[PROV_REG_LEN];
	uint8_t			rtmr[4][PROV_REG_LEN];
};

/*
 * The registers of m (attest.h: an SEV-SNP report's MEASUREMENT when
 * has_snp_report, else a TDX quote's MRTD and RTMR0..3 when has_quote,
 * else none) into *out.
 */
void	prov_enclave_of(const struct attest_measurement *m,
	    struct prov_enclave *out);

/*
 * The registers of a probe entry's measurement (meas: the layers of
 * store/entry.h as entry_measurement returns them: platform.
 * snp_measurement, or platform.mrtd, platform.rtmr0..2 and instance.
 * rtmr3, each 96 hex; NULL or JSON null: none) into *out.  An SEV-SNP
 * measurement wins when both are present.  Errors: TMON_E_PARSE: a
 * register present but not 96 hex characters, or a TDX register missing
 * while another is present (*out is then PROV_ENCLAVE_NONE).
 */
enum tmon_rc	prov_enclave_of_layers(const json_t *meas,
		    struct prov_enclave *out, struct tmon_err *err);

/*
 * One release whose attestation verified: the repository it was verified
 * for ("owner/name", "" when not known), its tag (as published, "" when
 * not known), the subject digest the attestation was verified for, the
 * verified integrated time (unix seconds, 0 when not known) and its
 * predicate (kind PROV_KIND_MULTIPLATFORM).
 */
struct prov_release {
	char			repo[MAX_PROV_REPO];
	char			tag[MAX_PROV_NAME];
	uint8_t			digest[32];
	int64_t			time;
	struct prov_predicate	pred;
};

/* What prov_check_measurement matched. */
struct prov_match {
	size_t	release;	/* index into the list; SIZE_MAX: none */
	size_t	platform;	/* index into hw's platforms (TDX);
				   SIZE_MAX: none or not applicable */
};

/*
 * Set provenance.measurement in cl: does enc run a verified release?
 * rels[0..n) are the verified releases of the model, newest first (the
 * latest release first); hw the verified hardware-measurements predicate
 * (kind PROV_KIND_HARDWARE) or NULL.  Registers are compared, never
 * fingerprints:
 *   SEV-SNP  MEASUREMENT == snp_measurement;
 *   TDX      RTMR1 == rtmr1, RTMR2 == rtmr2, RTMR3 all zero, and MRTD,
 *            RTMR0 equal those of one platform of hw.
 * Status:
 *   PASS   every register equals the latest release's (and a platform's);
 *          the detail names the release and, on TDX, the platform
 *   WARN   they equal an older release's, not the latest: the detail says
 *          the enclave runs release X, older than the latest verified Y
 *   FAIL   no release matches: the detail names the first register that
 *          differs from the latest release (or, on TDX, from every
 *          platform of hw) with the enclave's and the predicate's values;
 *          or a release's predicate is not PROV_KIND_MULTIPLATFORM
 *   ERROR  n is 0 (no verified release), enc has no registers, or a TDX
 *          enclave whose code registers match needs a hardware-
 *          measurements predicate and hw is NULL (MRTD, RTMR0 unchecked)
 * match (may be NULL) is set to what matched (SIZE_MAX when nothing did).
 */
void	prov_check_measurement(const struct prov_release *rels, size_t n,
	    const struct prov_predicate *hw, const struct prov_enclave *enc,
	    struct checklist *cl, struct prov_match *match);

/*
 * Set provenance.release in cl from sig, the check list of the release's
 * bundle verification (sigstore.h: every sigstore.* check): the worst
 * sigstore.* check decides (FAIL, then ERROR, then WARN), its detail
 * prefixed with its id ("sigstore.cert.identity: ..."); PASS, with what
 * (the release's prov_release_summary, may be NULL) as the detail, when
 * every sigstore.* check passed or was skipped and one
 * passed; ERROR when sig holds no sigstore.* check.
 */
void	prov_check_release(const struct checklist *sig, const char *what,
	    struct checklist *cl);

struct sigstore_root;
struct sigstore_policy;
struct sigstore_result;

/*
 * Verify one release: body is the GitHub attestations API answer for
 * sha256:digest (borrowed), verified with sigstore_verify_attestations
 * against root and the identity policy p, for an attestation whose
 * predicateType is want (PROV_PREDICATE_MULTIPLATFORM or
 * PROV_PREDICATE_HARDWARE); its predicate is then read with
 * prov_parse_predicate into out->pred.  out->repo, out->tag (tag may be
 * NULL) and out->digest are copied from the arguments, out->time is the
 * verified time.  now (unix s) as in sigstore_verify_bundle.  The
 * sigstore.* checks go in sig (a predicate that does not parse fails
 * sigstore.subject with the parser's message).  res (may be NULL)
 * receives what the bundle's verification established
 * (sigstore_verify_attestations: the verified time, the signing
 * certificate's Fulcio identity, the Rekor entry's log index and
 * integrated time), zeroed when no bundle was verified.  Returns the
 * verdict of the checks; out and res are usable (for
 * prov_check_measurement, prov_release_summary, a log entry) only on
 * VERDICT_PASS.
 */
enum verdict	prov_verify_release(const struct sigstore_root *root,
		    const json_t *body, const char *want,
		    const struct sigstore_policy *p, const char *repo,
		    const char *tag, const uint8_t digest[32], int64_t now,
		    struct prov_release *out, struct sigstore_result *res,
		    struct checklist *sig);

/*
 * The one-line summary of a release prov_verify_release passed (rel and
 * res as it set them; res may be NULL: its facts are then "unknown"), the
 * PASS detail of provenance.release (prov_check_release's what), into
 * buf (len bytes, cut to fit):
 *   "release OWNER/NAME@TAG, digest sha256:HEX (from SOURCE), attestation
 *    verified: Rekor log index N, integrated time 2026-06-23T21:51:05Z,
 *    image VERSION"
 * "@TAG" only when rel has a tag; "(from SOURCE)" only when
 * digest_source (where the digest was read: "asset", "release_body") is
 * not NULL; "integrated time" when the Rekor entry's SET vouched for it,
 * else "verified time" (an RFC 3161 timestamp's), else neither; "image"
 * only when the predicate names a version.
 */
void	prov_release_summary(const struct prov_release *rel,
	    const struct sigstore_result *res, const char *digest_source,
	    char *buf, size_t len);

/* ---- the provenance file ---------------------------------------------
 *
 * What a probe's provenance checks used, in one JSON object, so that
 * anyone can re-check them offline (tmonctl verify-attestation
 * --provenance FILE; tmond archives the same bodies):
 *   {"format": "tmon-provenance/1",
 *    "releases": [RELEASE, ...],      1 to MAX_PROV_RELEASES, newest
 *                                     first: the latest release first
 *    "hardware": RELEASE,             optional: the release of the
 *                                     hardware-measurements/v1 predicate
 *                                     (tinfoilsh/hardware-measurements)
 *    "policy": {"workflow": PATTERN,  optional identity policy patterns
 *               "ref": PATTERN}       (sigstore.h sigstore_policy), each
 *                                     optional
 *   }
 *   RELEASE = {"repo": "OWNER/NAME", the repository the release's
 *                                    attestation must name
 *              "tag": "v0.0.110",    optional: the release tag
 *              "digest": 64 hex,     the release's digest (its
 *                                    tinfoil.hash asset): the attested
 *                                    subject
 *              "attestations": {...}} the GitHub attestations API body
 *                                    for sha256:DIGEST, as served
 * The bodies are JSON values inside the file, not bytes: everything a
 * Sigstore bundle signs is inside base64 strings (the DSSE payload, the
 * Rekor entry's canonicalized body) or recomputed canonically (the SET),
 * so re-serialising the attestations body changes no signed byte.
 * Members not listed are refused (a typo must not drop a release).
 */
#define PROV_FILE_FORMAT	"tmon-provenance/1"

struct prov_file_release {
	char		 repo[MAX_PROV_REPO];
	char		 tag[MAX_PROV_NAME];	/* "" when not given */
	uint8_t		 digest[32];
	json_t		*attestations;		/* borrowed from the root */
};

struct prov_file {
	json_t			*root;		/* owned */
	size_t			 n;		/* releases */
	struct prov_file_release rel[MAX_PROV_RELEASES];
	bool			 has_hw;
	struct prov_file_release hw;
	char			 workflow[MAX_PROV_PATTERN];	/* "": any */
	char			 ref[MAX_PROV_PATTERN];		/* "": any */
};

/*
 * Parse the len bytes of a provenance file (above) into *out (zeroed
 * first; the caller frees it with prov_file_free, also on error).
 * Errors (err names the member: "provenance file: releases[0].digest:
 * must be 64 hex characters"): TMON_E_PARSE: not JSON, another format, a
 * missing, mistyped or unknown member, a repository that is not
 * "OWNER/NAME" (one '/', neither side empty, no spaces), no release;
 * TMON_E_LIMIT: over MAX_PROV_FILE bytes, more than MAX_PROV_RELEASES
 * releases, a string over its bound.
 */
enum tmon_rc	prov_file_parse(const uint8_t *text, size_t len,
		    struct prov_file *out, struct tmon_err *err);

/* Free what f holds and zero it; a zeroed file is a no-op. */
void		prov_file_free(struct prov_file *f);

#endif /* TMON_VERIFY_PROVENANCE_H */
