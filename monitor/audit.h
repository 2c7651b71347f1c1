/*
 * audit.h: re-derive the verdict of a stored entry from the evidence the
 * log keeps with it (tmonctl audit, README "tmonctl"): does what tmond
 * stored follow from what it stored?
 *
 * Each kind is re-run through the code that made it, never a second
 * verifier:
 *   probe       probe_evaluate() (probe.h) over the stored attestation
 *               response (blob request.body_sha256), the stored nonce,
 *               "now" = the body's verified_at, the canary's stored
 *               request, completion and signature blobs, and the
 *               collateral the log held then: the newest `collateral`
 *               entry with verdict pass for the quote's FMSPC and PCK CA
 *               before the probe's seq, re-built from its logged
 *               documents (pcs_judge, pcs_client.h).  When that gives
 *               another result and the stored tdx.collateral is error,
 *               the probe is re-run without collateral (tmond had none
 *               then: Intel PCS unreachable at its start, or "pcs":
 *               false): that can only lower a verdict, never make one a
 *               pass.  A probe whose checks carry " [test PKI]" (tmon-sim)
 *               is re-run against the test trust anchors of
 *               struct audit_config.
 *   receipt     rcpt_verify() (receipt_check.h) over the stored submitted
 *               document (blob submitted.sha256), parsed with the entry's
 *               model, against the probe entry the body names
 *               (entry_receipt_probe).  A "without_bytes" document lost
 *               its request and response bytes: their SHA-256 from the
 *               claims stands in for them (sig.request_hash,
 *               sig.response_hash).
 *   collateral  pcs_judge() over the logged documents and header blocks.
 *   provenance  the steps of a look-up (provenance_client.h) over its
 *               logged documents: the tag from the stored release JSON
 *               (github_release_parse), the digest from the stored digest
 *               asset (github_digest_parse) or the release notes, and the
 *               stored attestations answer through prov_verify_release
 *               for the entry's repo, digest, predicate type and identity
 *               policy, at the entry's time, against the Sigstore trusted
 *               root of struct audit_config (the one the entry names by
 *               its SHA-256; another root, or none: AUDIT_UNCHECKED).  A
 *               look-up that was not completed (a document missing or not
 *               HTTP 200) is "error" with no checks; tmond with no root
 *               (trusted_root_sha256 null) judged "error" too.  Compared:
 *               the verdict, every sigstore.* check's status, which
 *               documents were fetched, tag, digest, digest_source and
 *               registers.
 *   alert, event, delivery
 *               nothing to re-derive (AUDIT_NOTHING): an event's class
 *               follows from the model's earlier probes and tmond's
 *               allow-lists and reference values; its columns are checked
 *               with the log (store_verify).
 * A probe's provenance.release and provenance.measurement are set as
 * prov_client_check() set them, from the model's verified releases as
 * tmond held them: its `provenance` entries before the probe's seq (the
 * look-ups a probe waits for are logged before it), each re-derived as
 * above, replayed in log order (up to MAX_PROV_RELEASES releases, newest
 * first, kept per digest; the newest verified hardware-measurements
 * release; provenance.release from the last look-up of each repository
 * that was completed), and prov_check_measurement() over the enclave's
 * registers of the re-run probe.  tmond forgets what it held when it
 * restarts or when a reload changes the model's "provenance", neither of
 * which is logged: a look-up logged for the tag its repository judged
 * last (which tmond never logs twice otherwise), or with another
 * repository or policy, shows such a reset, and the replay starts over
 * there (with the other repository's look-up of the same refresh, logged
 * at the same time).  A stored status that the replay does not give but
 * that fewer releases would give (a reset the log does not show: a
 * restart after which the tag had changed) is AUDIT_UNCHECKED, never a
 * pass; one no such state gives is a difference.  A `provenance` entry
 * before the probe that does not re-derive makes the probe's provenance
 * checks AUDIT_UNCHECKED (taken as recorded, the rest compared).  Both
 * checks skip (no "provenance" for the model then: configuration) are
 * taken as recorded.  Details are not compared: a result of a look-up
 * that could not be completed since ("stale:") changes the detail, never
 * the status.
 *
 * What is taken as recorded: how each request ended when it brought no
 * bytes (the transport: the http.fetch and sig.completion of such a
 * request can only be fail or error), and measurement.policy unless the
 * allow-lists of the model are given (struct audit_config: they are
 * tmond's configuration, not in the log).
 *
 * Compared: the verdict, the status of every check (an id on one side
 * only is a difference), and for a probe of body version ENTRY_VERSION
 * its format and measurement; for a collateral entry the verdict,
 * issue_date and next_update.  Details are not compared (they carry
 * durations and wording).
 *
 * A struct audit_ctx is one thread's: it reads through one STORE_RO
 * handle (store.h: one handle per thread) and keeps a few rebuilt
 * collateral objects.  The struct verify_ctx it is given may be shared
 * by the contexts of several threads (verify_ctx.h).
 */
#ifndef TMON_MONITOR_AUDIT_H
#define TMON_MONITOR_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct measurement_policy;
struct sigstore_root;
struct store;
struct store_entry;
struct verify_ctx;
struct audit_ctx;

/* The length of an audit_result message, with its NUL. */
#define AUDIT_MSG	640

/*
 * What the auditor brings from tmond's configuration (config.h), all
 * borrowed (they must outlive every context made with them):
 *   the test trust anchors (DER, test_trust_anchors) that entries marked
 *   as verified against a test PKI are re-run with; NULL: none given
 *   (such entries are AUDIT_UNCHECKED);
 *   sigstore_root: the Sigstore trusted root `provenance` entries are
 *   re-verified against (sigstore_root.h; shared read-only by every
 *   context); NULL: none could be loaded, why in sigstore_root_error
 *   (entries verified against a root are then AUDIT_UNCHECKED);
 *   policy: the measurement allow-lists of the model named model
 *   (models[].name), NULL when it has none (measurement.policy is then
 *   warn, "unpinned"); *known false when the configuration does not list
 *   the model.  policy NULL, or a model it does not know: a probe's
 *   measurement.policy is taken as recorded (the allow-lists are not in
 *   the log).  They must be the lists in force when the probes ran.
 */
struct audit_config {
	const uint8_t	*intel_root_der;
	size_t		 intel_root_der_len;
	const uint8_t	*nvidia_root_der;
	size_t		 nvidia_root_der_len;
	const struct sigstore_root *sigstore_root;
	const char	*sigstore_root_error;
	const struct measurement_policy *(*policy)(void *arg,
			    const char *model, bool *known);
	void		*policy_arg;
};

/* What one entry's re-derivation says.  Zero is AUDIT_UNCHECKED, so a
 * result nobody set never reads as one that follows. */
enum audit_outcome {
	AUDIT_UNCHECKED = 0,	/* could not be re-derived (msg says why) */
	AUDIT_DIFFERS,		/* the stored verdict or a check does not
				   follow from the evidence */
	AUDIT_NOTHING,		/* a kind with nothing to re-derive */
	AUDIT_FOLLOWS		/* re-derived: what is stored follows */
};

struct audit_result {
	enum audit_outcome	outcome;
	/* AUDIT_DIFFERS and AUDIT_UNCHECKED: one printable ASCII line
	 * naming the entry ("entry 12 (probe sim/good): stored verdict
	 * pass does not follow from its evidence, which gives fail:
	 * nonce.echo is fail, stored pass: ..."); else "" */
	char			msg[AUDIT_MSG];
};

/*
 * A new context reading through s (a STORE_RO handle, borrowed: it
 * must outlive the context and be used by one thread at a time), with
 * the caches of vc (NULL: none; borrowed) and the configuration cfg
 * (NULL: none; copied, what it points to borrowed).  Never fails; free
 * with audit_ctx_free.
 */
struct audit_ctx *audit_ctx_new(struct store *s, struct verify_ctx *vc,
	    const struct audit_config *cfg);

/* Free a (NULL is a no-op) and the collateral it keeps. */
void	audit_ctx_free(struct audit_ctx *a);

/*
 * Re-derive the entry e (read from a's store: store_entry_get or
 * store_query, so its leaf hash and columns already match its body)
 * and compare (see above) into *out.  Evidence that is missing or
 * damaged (a blob store_blob_get does not find or that does not hash to
 * its key), a body this build cannot read (a newer version, a member
 * missing or of the wrong type), test PKI entries without the anchors,
 * a probe whose collateral entry does not re-verify, a `provenance`
 * entry verified against another trusted root than the context's (or
 * with none given), a probe whose provenance checks cannot be replayed
 * (above): AUDIT_UNCHECKED.
 * Returns TMON_OK whenever *out is filled; TMON_E_DB or TMON_E_TIMEOUT
 * when reading the store failed (*out is then AUDIT_UNCHECKED with the
 * reason), which the caller should treat as an I/O error.
 */
enum tmon_rc	audit_entry(struct audit_ctx *a, const struct store_entry *e,
		    struct audit_result *out, struct tmon_err *err);

/* "unchecked", "differs", "nothing", "follows". */
const char	*audit_outcome_str(enum audit_outcome o);

#endif /* TMON_MONITOR_AUDIT_H */
