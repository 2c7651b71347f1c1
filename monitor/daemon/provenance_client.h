/*
 * provenance_client.h: code provenance for tmond (README "Code
 * provenance"): per model with "provenance" (config.h), the latest
 * GitHub release of its repository, the release's digest, and GitHub's
 * attestations for that digest, verified against the pinned Sigstore
 * trusted root (sigstore_root.h) and the model's identity policy
 * (prov_verify_release, provenance.h), kept, logged, and reused by every
 * probe of the model until the release changes.
 *
 * One look-up of a repository OWNER/NAME (GitHub REST API, "Releases"
 * and "Attestations"; release downloads):
 *   GET {api_url}/repos/OWNER/NAME/releases/latest
 *        the latest release: its "tag_name" (and the release notes,
 *        "body", where Tinfoil's workflow also writes "Digest: `HEX`")
 *   GET {download_url}/OWNER/NAME/releases/download/TAG/ASSET
 *        the digest asset (digest_asset, default "tinfoil.hash"): 64 hex
 *        digits, then optional white space
 *   GET {api_url}/repos/OWNER/NAME/attestations/sha256:DIGEST
 *        the attestations of that digest (sigstore.h)
 * The digest is the asset's when it answered HTTP 200 (digest_source
 * "asset"), else the release notes' "Digest:" line ("release_body": the
 * download route answers a redirect to a storage host, which fetch.h
 * does not follow); both present and different is a failure.  The
 * attestations are verified with prov_verify_release for the predicate
 * PROV_PREDICATE_MULTIPLATFORM (the model's repository) or
 * PROV_PREDICATE_HARDWARE (its hardware_repo, whose policy is the
 * model's without the workflow pattern: any workflow of that repository).
 * Every body (and response header block) is stored as a blob exactly as
 * served, and one `provenance` entry (store/entry.h) records the look-up
 * (documents, policy, the trusted root's hash, the sigstore.* checks,
 * the predicate's registers, verdict and error), failed look-ups
 * included.  Its verdict: "pass" when the attestation verified, "fail"
 * when the evidence is wrong (a release or digest that does not parse,
 * two digests that differ, an attestation that does not verify), "error"
 * when a document could not be had (transport failure, timeout, a status
 * other than 200, an oversize body) or could not be checked.
 *
 * Reuse: a repository is looked up again every recheck_s (60 s after a
 * look-up that could not be completed); when the latest release's tag is
 * the one last judged, its result is kept and only the release was
 * fetched (no entry).  The verified releases are kept newest first, at
 * most MAX_PROV_RELEASES, so that an enclave still on the previous
 * release is told apart (provenance.measurement warn) from one running
 * nothing verified (fail).  A look-up that could not be completed keeps
 * the last result; the probes' details then say it is stale.
 *
 * Untrusted input: every body is bounded (MAX_GITHUB_RELEASE,
 * MAX_DIGEST_ASSET, MAX_SIGSTORE_API_BODY, and max_body) and read with
 * tjson (no crash, a clear error).
 *
 * Runs on tmond's main thread (the fetch loop), appending through the
 * one writer (store/writer.h).
 */
#ifndef TMON_MONITOR_PROVENANCE_CLIENT_H
#define TMON_MONITOR_PROVENANCE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "config.h"
#include "err.h"
#include "fetch.h"
#include "provenance.h"
#include "writer.h"

struct attest_measurement;
struct prov_client;
struct sigstore_root;

/* The documents of one look-up: the members of a `provenance` entry's
 * "documents" (store/entry.h). */
#define PROVC_NDOCS		3
#define PROVC_DOC_RELEASE	0
#define PROVC_DOC_ASSET		1
#define PROVC_DOC_ATTESTATIONS	2

/* Seconds before a look-up that could not be completed is tried again
 * (at most recheck_s). */
#define PROVC_RETRY_S		60

/*
 * What GitHub's release JSON gives: the tag ("tag_name", 1 to
 * MAX_PROV_NAME - 1 printable ASCII bytes, no '/'), and the digest of
 * the release notes' "Digest: `HEX`" line when there is one.
 */
struct github_release {
	char	tag[MAX_PROV_NAME];
	bool	has_body_digest;
	uint8_t	body_digest[32];
};

/*
 * Parse the len bytes of a GET /repos/OWNER/NAME/releases/latest answer
 * (an object, at most MAX_GITHUB_RELEASE bytes) into *out (zeroed
 * first).  "body" is optional (a string or null); its first line that
 * starts "Digest:" followed by spaces and 64 hex digits (either case,
 * optionally between backquotes) gives body_digest; any other "Digest:"
 * line is ignored.  Errors: TMON_E_LIMIT over the bound; TMON_E_PARSE
 * not JSON, not an object, tag_name missing, not a string, empty,
 * longer than MAX_PROV_NAME - 1 bytes or not printable ASCII without
 * '/' ("release: tag_name: ...").
 */
enum tmon_rc	github_release_parse(const uint8_t *body, size_t len,
		    struct github_release *out, struct tmon_err *err);

/*
 * Parse a digest asset (the len bytes of tinfoil.hash): exactly 64 hex
 * digits (either case) then nothing but white space (SP, HT, CR, LF),
 * at most MAX_DIGEST_ASSET bytes, into digest.  Errors: TMON_E_LIMIT
 * over the bound; TMON_E_PARSE otherwise ("digest asset: must be 64 hex
 * digits").
 */
enum tmon_rc	github_digest_parse(const uint8_t *body, size_t len,
		    uint8_t digest[32], struct tmon_err *err);

/* ---- the look-up's steps, shared by tmond and tmonctl audit ---- */

struct sigstore_policy;
struct sigstore_result;
struct sigstore_root;

/*
 * Why the look-up document r (named name in the message) cannot be used:
 * its transfer failed ("name: ERROR"), its status is not 200
 * ("name: HTTP N") or its body is empty; written into buf[bufsz] and
 * returned.  NULL when it can be used.
 */
const char	*prov_doc_problem(const struct fetch_result *r,
		    const char *name, char *buf, size_t bufsz);

/*
 * The release digest of a look-up, from the digest asset answer asset
 * and the release JSON's notes (rel): the asset's digest when it can be
 * used (github_digest_parse), which must equal the notes' Digest when
 * they have one; else the notes' Digest.  VERDICT_PASS: digest (32
 * bytes) and *source ("asset" or "release_body", static) set;
 * VERDICT_FAIL: the asset is malformed or differs from the notes (why);
 * VERDICT_ERROR: neither gives a digest (why: the asset's problem).
 */
enum verdict	prov_digest_step(const struct github_release *rel,
		    const struct fetch_result *asset, uint8_t digest[32],
		    const char **source, char *why, size_t whysz);

/*
 * Verify the attestations answer att (a usable document) of the release
 * tag with digest: its JSON (at most MAX_SIGSTORE_API_BODY bytes, an
 * object) through prov_verify_release against root for predicate want
 * and policy pol (pol->repo the repository), now the look-up's time;
 * rel, res and sig as prov_verify_release fills them.  Returns its
 * verdict (VERDICT_FAIL, and no check in sig, when the body is not a
 * JSON object); on any other than VERDICT_PASS, why names the first of the worst checks
 * ("sigstore.cert.identity: ...") or the JSON error.
 */
enum verdict	prov_attestations_step(const struct sigstore_root *root,
		    const struct fetch_result *att, const char *want,
		    const struct sigstore_policy *pol, const char *tag,
		    const uint8_t digest[32], int64_t now,
		    struct prov_release *rel, struct sigstore_result *res,
		    struct checklist *sig, char *why, size_t whysz);

/*
 * The registers of predicate p as a provenance entry records them (a
 * new reference): {"snp_measurement", "tdx_measurement": {"rtmr1",
 * "rtmr2"}, "version"} for PROV_KIND_MULTIPLATFORM, {"platforms":
 * {NAME: {"mrtd", "rtmr0"}}} for PROV_KIND_HARDWARE (a name that is not
 * UTF-8 is left out), lower-case hex; {} for PROV_KIND_NONE.
 */
json_t		*prov_registers_json(const struct prov_predicate *p);

struct prov_client_cfg {
	const char	*api_url;	/* no trailing '/' */
	const char	*download_url;	/* no trailing '/' */
	/* the trusted root (borrowed, outlives the client); NULL: none
	 * could be loaded (every look-up is then an error, why in
	 * root_error) */
	const struct sigstore_root *root;
	const char	*root_error;
	uint32_t	 recheck_s;
	long		 timeout_ms;
	size_t		 max_body;
};

/* A new client with no model (strings copied).  Never NULL. */
struct prov_client *prov_client_new(const struct prov_client_cfg *cfg);

/* Free the client and everything in it; NULL is a no-op.  Transfers
 * still in flight must have been aborted (fetch_free) before. */
void	prov_client_free(struct prov_client *c);

/*
 * True when model m (m->provenance.enabled) needs a look-up at time now
 * (unix s): never looked up, its model or hardware repository due again
 * (recheck_s, or PROVC_RETRY_S after a look-up not completed), and no
 * look-up of it in flight.  A model whose "provenance" changed (a
 * reload) starts afresh.
 */
bool	prov_client_wants(struct prov_client *c, const struct model_cfg *m,
	    int64_t now);

/*
 * Start the look-ups m needs (its repository and, with hardware_repo,
 * that one) through f.  When they are done (or failed) each is judged,
 * its blobs and `provenance` entry are appended through w, what verified
 * is kept, and done(arg) is called exactly once.  Returns TMON_OK;
 * TMON_E_LIMIT when MAX_MODELS models are held; TMON_E_INTERNAL
 * when a look-up of m is in flight or none is due (done is not called
 * then).
 */
enum tmon_rc prov_client_refresh(struct prov_client *c, struct fetch *f,
	    struct store_writer *w, const struct model_cfg *m, int64_t now,
	    void (*done)(void *), void *arg, struct tmon_err *err);

/*
 * Set provenance.release and provenance.measurement in cl for a probe of
 * m whose verified measurement is meas (NULL: none): skip both when m
 * has no "provenance"; else provenance.release from the sigstore.*
 * checks of the latest judged release (prov_check_release; with
 * hardware_repo the worse of the two repositories'), error when no
 * look-up has been judged yet, and provenance.measurement from the
 * verified releases (prov_check_measurement).  A detail of a result
 * whose last look-up could not be completed says it is stale.
 */
void	prov_client_check(const struct prov_client *c,
	    const struct model_cfg *m, const struct attest_measurement *meas,
	    struct checklist *cl);

/* The verified releases of a model, for alert.h's classification. */
struct prov_view {
	const struct prov_release	*rels;	/* newest first */
	size_t				 n;
	const struct prov_predicate	*hw;	/* NULL: none */
};

/*
 * The verified releases held for m (borrowed: valid until the next
 * look-up of m completes); false (and *out zeroed) when m has no
 * "provenance" or nothing verified.
 */
bool	prov_client_view(const struct prov_client *c,
	    const struct model_cfg *m, struct prov_view *out);

/* Look-ups completed since prov_client_new (each appended one entry),
 * and those that found the release unchanged (no entry). */
unsigned	prov_client_lookups(const struct prov_client *c);
unsigned	prov_client_reused(const struct prov_client *c);

/*
 * Copy the verified releases of the model named model (its repository's,
 * newest first, as prov_client_view gives them) into out[0..max) and
 * return how many were copied: 0 when c or model is NULL, the model has
 * no look-up held, or nothing of it verified.  These are the releases
 * last verified for the model's "provenance" as last looked up (a reload
 * that removes it leaves them until a restart).  Safe from any thread
 * while the loop's thread looks up (the copy is taken under c's lock);
 * c must outlive the call.
 */
size_t	prov_client_releases(struct prov_client *c, const char *model,
	    struct prov_release *out, size_t max);

#endif /* TMON_MONITOR_PROVENANCE_CLIENT_H */
