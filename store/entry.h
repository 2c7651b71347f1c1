/*
 * entry.h: the schema of tmon's log entries, in one place.  Every body of
 * every kind ("probe", "receipt", "collateral", "alert", "event",
 * "delivery", "provenance") is built here,
 * and every reader of a body goes through here; store.c keeps the bytes
 * and indexes them without knowing their layout.
 *
 * A body is canonical JSON (sorted keys, no spaces, UTF-8: RFC 8259 text
 * as jansson's JSON_COMPACT | JSON_SORT_KEYS writes it), hashed as the
 * store's leaf.  Each carries "v", the schema version of its kind:
 *   1  the first layout; a probe's "measurement" is one flat object
 *      {mrtd, rtmr0..rtmr3, report_data, mr_config_id, signing_address,
 *      signing_algo, compose_hash, reportdata_layout, gpus, attestations}
 *   2  (ENTRY_VERSION, written by this build) the measurement is split
 *      into named layers (below); alerts of a measurement change name
 *      their "changed_fields".
 * The log is append-only: entries already written are read as they are,
 * and readers accept every version (entry_measurement normalises a v1
 * measurement into the layers).
 *
 * Measurement identity, in layers (README "What counts as a change"):
 *   platform  the machine and its trusted firmware: mrtd, rtmr0, rtmr1,
 *             rtmr2 (96 hex digits), tee_tcb_svn (32 hex), fmspc (12
 *             hex), tcb_status (Intel's tcbStatus when the collateral
 *             judged the quote, else null) and advisories (its advisory
 *             ids, or null), gpu_count, gpus (per GPU {arch,
 *             driver_version, vbios_version}, sorted)
 *   app       what runs in it, from the event log that replays to RTMR3
 *             (Phala dstack): compose_hash (64 hex, the hash the quote
 *             attests), os_image_hash, app_id (hex), key_provider (the
 *             event's text, or hex prefixed "0x" when not printable
 *             ASCII), mr_config_id (96 hex)
 *   instance  one replica: rtmr3, signing_address, signing_algo,
 *             tls_fingerprint (64 hex, or null), instance_id (hex)
 *   probe     this probe only, never a change: report_data (our nonce is
 *             in it), reportdata_layout, attestations
 * An AMD SEV-SNP report (a Tinfoil enclave) has no TDX registers; its
 * layers are platform {snp_measurement (96 hex), snp_policy and
 * snp_reported_tcb (16 hex, the u64 big-endian), gpu_count, gpus}, app
 * {snp_host_data (64 hex)}, instance {snp_chip_id (128 hex),
 * tls_fingerprint}, probe as above.
 * A member that could not be established is null.  tcb_status and
 * advisories also depend on whether collateral could be fetched, so a
 * null there never counts as a change.
 *
 * Replicas.  One model name may be served by several machines, each with
 * its own key and RTMR3.  A model's state is therefore the SET of
 * instances seen in its last MAX_STATE_PROBES probes with a measurement
 * (at most MAX_INSTANCES, the least recently seen dropped first), and a
 * new measurement is, against that set (entry_measurement_diff):
 *   none            an instance seen before, with its platform and app;
 *   first           the set is empty: the first measurement;
 *   instance_added  a new instance, whose platform and app layers equal
 *                   those of a known instance (information, no alert);
 *   changed         a platform or app identity not in the set: a
 *                   measurement change (tmond raises an alert).
 * Two layers are equal when every member present in both is equal
 * (json_equal); a member only one side has (a v1 entry has no fmspc) is
 * not compared, so an upgrade of tmon is not a change.
 *
 * The state is a function of the log alone: entry_state_load rebuilds it
 * from the MAX_STATE_PROBES newest measured probes before a point (at
 * most MAX_STATE_SCAN probe entries read), which is what folding every
 * probe through entry_state_update gives (the window forgets the rest),
 * so tmond's alerts (across restarts), the history and the models page
 * of the API agree.  They can differ only when more than MAX_STATE_SCAN
 * - MAX_STATE_PROBES probes in a row carried no measurement, or in a
 * tcb_status kept from a probe older than the window.
 *
 * Functions that build return new buffers or references; running out of
 * memory is fatal (as xmalloc).  Nothing here does I/O except
 * entry_state_load (a read of the store).
 */
#ifndef TMON_STORE_ENTRY_H
#define TMON_STORE_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "tmon_limits.h"

struct attest_measurement;
struct checklist;
struct rcpt_parsed;
struct rcpt_probe;
struct store;
struct store_entry;

/* The schema version this build writes into every body. */
#define ENTRY_VERSION		2
/* The name of a changed field: "platform.mrtd", with its NUL. */
#define ENTRY_FIELD_NAME	48
/* A changed value as shown in an alert ("from", "to"), with its NUL. */
#define ENTRY_VALUE_TEXT	160

/* ---- building ------------------------------------------------------- */

/*
 * Canonical JSON (sorted keys, compact separators, UTF-8, no trailing
 * newline) of v in a new buffer the caller frees; length in *len.
 * Aborts on allocation failure (jansson cannot fail otherwise here).
 */
uint8_t	*entry_canonical(const json_t *v, size_t *len);

/* The check list as a JSON array of {id, status, detail} (new ref). */
json_t	*entry_checks_json(const struct checklist *cl);

/*
 * The measurement (layers above) as a JSON object, or JSON null without
 * a quote (new ref).  The probe body's "measurement" is exactly this.
 */
json_t	*entry_measurement_json(const struct attest_measurement *m);

/* The canary completion of a probe (its "canary" member). */
struct entry_canary {
	bool		 stream;
	const char	*url;		/* completions endpoint */
	long		 status;	/* HTTP status, 0 if none */
	int64_t		 duration_ms;
	const uint8_t	*request_sha256;	/* 32 bytes: the request blob */
	const uint8_t	*response_sha256;	/* NULL: no response blob */
	const char	*error;		/* NULL or "": none */
	const char	*completion_id;	/* NULL or "": none found */
	unsigned	 signature_requests;
	long		 signature_status;
	const uint8_t	*signature_sha256;	/* NULL: no signature blob */
};

/* One probe; pointers are borrowed. */
/* A further request of a probe (the Chutes /e2e/instances answer). */
struct entry_request {
	const char	*url;
	long		 status;
	int64_t		 duration_ms;
	size_t		 body_len;
	const char	*error;		/* NULL or "": none */
	const uint8_t	*body_sha256;	/* NULL: no blob */
};

struct entry_probe {
	int64_t		 time;		/* probe start, unix s */
	int64_t		 verified_at;	/* unix s */
	const char	*model;		/* the schedule's name */
	const char	*upstream_model;
	const char	*provider;
	const uint8_t	*nonce;		/* 32 bytes */
	const char	*format;	/* gw_format_str() */
	/* the attestation request ("request") */
	const char	*url;		/* never carries the API key */
	long		 status;
	int64_t		 duration_ms;
	size_t		 body_len;
	const char	*error;		/* NULL or "": none */
	const uint8_t	*body_sha256;	/* NULL: no blob */
	/* over https: SHA-256 of the served leaf's SubjectPublicKeyInfo,
	 * and the blob of the served chain (DER certificates, leaf first);
	 * NULL: none */
	const uint8_t	*tls_spki_sha256;
	const uint8_t	*tls_chain_sha256;
	const struct checklist *checks;
	const char	*verdict;
	const struct attest_measurement *measurement;
	const struct entry_canary *canary;	/* NULL: no canary */
	const struct entry_request *instances;	/* NULL: none made */
	/* NVIDIA NRAS: the POST of the GPU evidence (NULL: not asked) and
	 * the JWKS blob its answer was checked with (NULL: none) */
	const struct entry_request *nras;
	const uint8_t	*nras_jwks_sha256;
};

/*
 * The body of a probe entry (kind "probe", v ENTRY_VERSION):
 *   {"canary", "checks", "format", "kind", "measurement", "model",
 *    "nonce", "provider", "request":{"body_len", "body_sha256",
 *    "duration_ms", "error", "status", "url"}, "time", "upstream_model",
 *    "v", "verdict", "verified_at"}, and "instances" (the shape of
 * "request") only when p->instances is set; "request" also holds
 * "tls_spki_sha256" and "tls_chain_sha256" (hex, or null for no chain
 * blob) only when p->tls_spki_sha256 is set; "nras" (the shape of
 * "request" and "jwks_sha256") only when p->nras is set,
 * in a new buffer of *len bytes the caller frees.
 */
uint8_t	*entry_probe_body(const struct entry_probe *p, size_t *len);

struct entry_change;

/* A check of a check_failed alert: its status in the model's previous
 * probe ("pass", "warn", "skip"; NULL: none, the first probe) and now
 * ("fail", "error"), and its detail now (NULL: none). */
struct entry_alert_check {
	const char	*id;
	const char	*before;
	const char	*after;
	const char	*detail;
};

/* One alert; pointers are borrowed. */
struct entry_alert {
	int64_t		 time;
	const char	*model;
	/* "unexplained", "check_failed", "recovered", "tcb_worse",
	 * "witness_conflict" (older logs also hold "verdict_changed",
	 * "measurement_changed") */
	const char	*reason;
	const char	*from;		/* the value before */
	const char	*to;		/* the value now */
	uint64_t	 probe_seq;	/* the probe that raised it */
	const struct entry_change *change;	/* NULL: no changed_fields */
	bool		 has_event;	/* raised by an event: "event_seq" */
	uint64_t	 event_seq;
	const struct entry_alert_check *checks;	/* n_checks: "checks" */
	size_t		 n_checks;
	/* a witness's alert ("witness_conflict"): no model, no probe */
	const char	*witness;	/* NULL: a probe's alert */
	uint64_t	 checkpoint_size;
};

/*
 * The body of an alert entry: {"changed_fields" (with a change),
 * "checks":[{"after","before","detail","id"}] (with n_checks > 0),
 * "event_seq" (with one), "from", "kind":"alert", "model", "probe_seq",
 * "reason", "time", "to", "v"}; a witness's: {"checkpoint_size", "from",
 * "kind":"alert", "model":null, "reason", "time", "to", "v", "witness"}
 * (new buffer, *len bytes).
 */
uint8_t	*entry_alert_body(const struct entry_alert *a, size_t *len);

/* The classes of an event (README "What counts as a change"); the store
 * keeps the class in a column (store_class_valid). */
enum entry_event_class {
	ENTRY_EVENT_FIRST = 0,		/* a model's first measurement */
	ENTRY_EVENT_INSTANCE_ADDED,	/* a new replica of a known identity */
	ENTRY_EVENT_ALLOWLISTED,	/* every changed identity value is in
					   the model's policy */
	ENTRY_EVENT_UPGRADE_ENDORSED,	/* ... in a reference value set (or
					   allow-listed, one at least by a set) */
	ENTRY_EVENT_TCB_CHANGED,	/* only tcb_status / advisories moved */
	ENTRY_EVENT_VERDICT_CHANGED,	/* the verdict differs from the last */
	ENTRY_EVENT_UNEXPLAINED,	/* any other measurement change */
	ENTRY_EVENT_NCLASSES
};

/* "first", "instance_added", "allowlisted", "upgrade_endorsed",
 * "tcb_changed", "verdict_changed", "unexplained". */
const char *entry_event_class_str(enum entry_event_class c);
/* The class named s into *out; false if s names none. */
bool	 entry_event_class_parse(const char *s, enum entry_event_class *out);

/* One event; pointers are borrowed. */
struct entry_event {
	int64_t		 time;
	const char	*model;
	enum entry_event_class cls;
	uint64_t	 probe_seq;	/* the probe it is about */
	uint64_t	 prev_probe_seq;	/* the model's probe before;
						   UINT64_MAX: none */
	/* the changed fields with their values before and after; NULL:
	 * none ([] and {}) */
	const struct entry_change *change;
	const char	*verdict_before;	/* NULL: none (null) */
	const char	*verdict_after;
	const char	*endorsed_by;	/* a reference value set's name,
					   "policy", or NULL (null) */
	int		 worse;		/* 1 true, 0 false, -1 null */
	size_t		 instances;	/* known instances after the probe */
};

/*
 * The body of an event entry (kind "event"; the store's class column is
 * entry_event_class_str(cls)):
 *   {"after":{field:value|null}, "before":{field:value|null},
 *    "changed_fields":[field...], "class", "endorsed_by", "instances",
 *    "kind":"event", "model", "prev_probe_seq", "probe_seq", "time",
 *    "v", "verdict_after", "verdict_before", "worse"}
 * values as entry_change keeps them (new buffer, *len bytes).
 */
uint8_t	*entry_event_body(const struct entry_event *ev, size_t *len);

/* One delivery of an alert to a webhook; pointers are borrowed. */
struct entry_delivery {
	int64_t		 time;
	const char	*model;		/* NULL: none (null) */
	const char	*webhook;	/* its configured name */
	uint64_t	 alert_seq;	/* UINT64_MAX: none (null) */
	const char	*state;		/* "triggered", "reminder", "resolved" */
	const char	*outcome;	/* "delivered", "failed", "muted" */
	unsigned	 attempts;
	long		 http_status;	/* the last HTTP status; 0: none (null) */
	const char	*error;		/* NULL: none (null) */
	const char	*window;	/* the maintenance window; NULL: none */
};

/*
 * The body of a delivery entry (kind "delivery", no verdict, model as
 * d->model): {"alert_seq", "attempts", "error", "http_status",
 * "kind":"delivery", "model", "outcome", "state", "time", "v", "webhook",
 * "window"} (new buffer, *len bytes).  error is untrusted text (jtext).
 */
uint8_t	*entry_delivery_body(const struct entry_delivery *d, size_t *len);

/* One document of a collateral fetch; pointers are borrowed. */
struct entry_coll_doc {
	const char	*name;		/* "tcb_info", ... */
	const char	*url;
	long		 status;
	const char	*error;		/* NULL: none */
	bool		 has_body;	/* bytes arrived (body_len is set) */
	size_t		 body_len;
	const uint8_t	*body_sha256;	/* NULL: no blob */
	const uint8_t	*headers_sha256;	/* NULL: no blob */
};

struct entry_collateral {
	int64_t		 time;
	/* NULL: Intel (fmspc, ca); "sev-snp": AMD KDS (product, chip_id,
	 * reported_tcb; monitor/daemon/kds_client.h) */
	const char	*tee;
	const uint8_t	*fmspc;		/* 6 bytes */
	const char	*ca;		/* "platform", "processor" */
	const char	*product;	/* "Milan", "Genoa", "Turin" */
	const uint8_t	*chip_id;	/* 64 bytes */
	uint64_t	 reported_tcb;
	bool		 test_pki;
	const struct entry_coll_doc *docs;
	size_t		 n_docs;
	const char	*verdict;
	const char	*error;		/* NULL: none */
	const char	*issue_date;	/* NULL: the collateral was not built */
	const char	*next_update;
};

/*
 * The body of a collateral entry: {"ca", "documents":{name:{"body_len"
 * (when bytes arrived), "body_sha256", "error", "headers_sha256",
 * "status", "url"}}, "error", "fmspc", "issue_date", "kind", "next_update",
 * "test_pki", "time", "v", "verdict"} (new buffer, *len bytes).  With tee
 * "sev-snp", "tee", "product", "chip_id" (128 hex) and "reported_tcb" (16
 * hex digits of the 64-bit TCB_VERSION, most significant first) stand
 * instead of "fmspc", "ca" and "test_pki".
 */
uint8_t	*entry_collateral_body(const struct entry_collateral *c, size_t *len);

/*
 * One code provenance look-up of a model (monitor/daemon/
 * provenance_client.h): GitHub's latest release of repo, its digest, the
 * attestations for that digest and what their verification (sigstore.h)
 * came to.  Pointers are borrowed; NULL members are written as null.
 */
struct entry_provenance {
	int64_t		 time;
	const char	*model;
	const char	*repo;		/* "OWNER/NAME" */
	const char	*tag;		/* the release's tag_name */
	const uint8_t	*digest;	/* 32 bytes: the release digest */
	const char	*digest_source;	/* "asset", "release_body" */
	/* "release", "digest_asset", "attestations": as a collateral
	 * entry's documents */
	const struct entry_coll_doc *docs;
	size_t		 n_docs;
	/* the identity policy (model "provenance") */
	const char	*policy_workflow;	/* NULL: any */
	const char	*policy_ref;
	const char	*policy_issuer;
	const uint8_t	*trusted_root_sha256;	/* 32 bytes */
	const struct checklist *checks;	/* the sigstore.* checks; NULL:
					   not verified (a document missing) */
	const char	*verdict;	/* "pass", "fail", "error" */
	const char	*error;		/* why not pass; NULL: none */
	/* from the bundle that verified (sigstore_result): the Fulcio
	 * certificate's issuer, source repository URI, ref, commit and
	 * build signer URI (NULL: the certificate lacks it; "identity" is
	 * null when issuer and repository are both NULL); the Rekor
	 * entry's integrated time and log index (has_tlog false: both
	 * null; integrated_time 0: its SET did not vouch for one, null) */
	const char	*id_issuer;
	const char	*id_repo;
	const char	*id_ref;
	const char	*id_sha;
	const char	*id_workflow;
	bool		 has_tlog;
	int64_t		 integrated_time;	/* unix s */
	int64_t		 log_index;
	const char	*predicate_type;
	json_t		*registers;	/* borrowed: the predicate's
					   measurements; NULL: none */
};

/*
 * The body of a provenance entry (kind "provenance", model as p->model):
 *   {"checks":[{id,status,detail}]|null, "digest" (64 hex)|null,
 *    "digest_source", "documents":{name:{"body_len", "body_sha256",
 *    "error", "headers_sha256", "status", "url"}}, "error",
 *    "identity":{"issuer","ref","repo","sha","workflow"}|null,
 *    "integrated_time"|null, "kind", "log_index"|null, "model",
 *    "policy":{"issuer","ref","workflow"}, "predicate_type",
 *    "registers", "repo", "tag", "time", "trusted_root_sha256", "v",
 *    "verdict"}
 * (new buffer, *len bytes).  Every string from the network is untrusted
 * text (jtext).
 */
uint8_t	*entry_provenance_body(const struct entry_provenance *p,
	    size_t *len);

/* One receipt; pointers are borrowed. */
struct entry_receipt {
	int64_t		 time;
	const char	*format;	/* "signature", "nanogpt_private_mode" */
	const char	*model;		/* NULL or "": none named */
	const uint8_t	*submitted_sha256;	/* 32 bytes */
	size_t		 submitted_len;
	const char	*media_type;
	const char	*stored;	/* "whole", "without_bytes" */
	json_t		*claims;	/* borrowed */
	const struct checklist *checks;
	const char	*verdict;
	bool		 has_probe;	/* the probe it was checked against */
	uint64_t	 probe_seq;
	int64_t		 probe_time;
	const char	*probe_verdict;	/* NULL or "": none */
};

/*
 * The body of a receipt entry: {"checks", "claims", "format", "kind",
 * "model", "probe":{"seq", "time", "verdict"}|null, "submitted":{"len",
 * "media_type", "sha256", "stored"}, "time", "v", "verdict"} (new
 * buffer, *len bytes).
 */
uint8_t	*entry_receipt_body(const struct entry_receipt *r, size_t *len);

/*
 * The blob kept of a receipt p (monitor/verify/receipt_check.h) whose
 * submitted body is the len bytes at body, described by the entry's
 * "submitted" ({sha256, len} of the blob, "stored"):
 *   "whole"          the submitted bytes, exactly (rcpt_keeps_whole(p):
 *                    a Private Mode receipt, a signature receipt without
 *                    request_b64 and response_b64, or one with
 *                    "archive_bytes": true): returns body, *mem NULL;
 *   "without_bytes"  a signature receipt with request or response bytes
 *                    and without "archive_bytes": true: the submitted
 *                    object without request_b64 and response_b64, as
 *                    canonical JSON (entry_canonical): returns a new
 *                    buffer, also in *mem, which the caller frees.  The
 *                    bytes were hashed and checked; only their SHA-256
 *                    and lengths (the claims) are kept.
 * *blob_len is the blob's length.  The blob is stored with media type
 * application/json, in the same append as the entry.
 */
const uint8_t *entry_receipt_blob(const struct rcpt_parsed *p,
	    const uint8_t *body, size_t len, uint8_t **mem, size_t *blob_len);

/*
 * The body of the receipt entry of p, checked against probe (the
 * model's latest probe) into cl, submitted at time (unix s), whose blob
 * (entry_receipt_blob) has SHA-256 blob_sha256 and blob_len bytes:
 * entry_receipt_body of format rcpt_format_str, model p->model (null
 * when none), claims rcpt_claims(p), checks cl, verdict
 * checklist_verdict(cl), probe {seq, time, verdict} when probe->have,
 * submitted {sha256, len, "application/json", "whole" or
 * "without_bytes"}.  A new buffer of *len bytes the caller frees.
 */
uint8_t	*entry_receipt_checked_body(const struct rcpt_parsed *p,
	    const struct rcpt_probe *probe, const struct checklist *cl,
	    int64_t time, const uint8_t blob_sha256[32], size_t blob_len,
	    size_t *len);

/* ---- reading -------------------------------------------------------- */

/*
 * The body of e parsed as a JSON object (store_body_parse), a new
 * reference, or NULL if it is not one.
 */
json_t	*entry_parse(const struct store_entry *e);

/* The body's "v" (1 when absent: the first entries), or 0 when it is not
 * a positive integer. */
int	 entry_version(const json_t *body);

/*
 * The measurement of a probe body in the layers above (a new reference),
 * whatever its version: a v2 one as stored, a v1 one with its members
 * moved into their layers (gpus becomes platform.gpu_count); NULL when
 * the body has none (no quote, or not an object).
 */
json_t	*entry_measurement(const json_t *body);

/* The string at layer.key of a measurement from entry_measurement, or
 * NULL (absent, null, not a string). */
const char *entry_meas_str(const json_t *meas, const char *layer,
	    const char *key);

/*
 * The facts a receipt is checked against (struct rcpt_probe,
 * monitor/verify/receipt_check.h) from e, a probe entry of any schema
 * version, read through entry_measurement: seq, time, verdict,
 * platform.mrtd, rtmr0..rtmr2 and instance.rtmr3 as 96 lower-case hex
 * characters, instance.signing_address and signing_algo.  Values of the
 * wrong type or length are left empty.  out->have is true.
 */
void	entry_receipt_probe(const struct store_entry *e,
	    struct rcpt_probe *out);

/* ---- what changed ---------------------------------------------------- */

enum entry_change_class {
	ENTRY_CHANGE_NONE = 0,
	ENTRY_CHANGE_FIRST,
	ENTRY_CHANGE_INSTANCE_ADDED,
	ENTRY_CHANGE_CHANGED
};

/* "none", "first", "instance_added", "changed". */
const char *entry_change_class_str(enum entry_change_class c);

/*
 * A change: its class and the fields that differ ("layer.key", platform
 * first, then app, then instance; at most MAX_CHANGED_FIELDS, cut says
 * more differed) from the instance it is compared with: for
 * instance_added the known instance of the same platform and app, for
 * changed the instance with the same instance layer if one is known,
 * else the most recently seen one; for first every identity field.  from
 * and to hold the first field's values before and now ("null" for null,
 * "" for none).  before[i] and after[i] hold field i's values the same
 * way (a string as it is, other JSON as its text), before_null[i] and
 * after_null[i] say the value is null or absent.  Names and values are
 * printable ASCII (other bytes read '?'), cut to ENTRY_FIELD_NAME - 1
 * and ENTRY_VALUE_TEXT - 1 bytes.
 */
struct entry_change {
	enum entry_change_class	 cls;
	size_t			 n_fields;
	char			 fields[MAX_CHANGED_FIELDS][ENTRY_FIELD_NAME];
	bool			 cut;
	char			 from[ENTRY_VALUE_TEXT];
	char			 to[ENTRY_VALUE_TEXT];
	char			 before[MAX_CHANGED_FIELDS][ENTRY_VALUE_TEXT];
	char			 after[MAX_CHANGED_FIELDS][ENTRY_VALUE_TEXT];
	bool			 before_null[MAX_CHANGED_FIELDS];
	bool			 after_null[MAX_CHANGED_FIELDS];
};

/* One known instance: its latest measurement (owned) and when it was
 * last seen (the state's tick then). */
struct entry_instance {
	json_t		*meas;
	uint64_t	 seen;
};

/*
 * A model's state: the instances seen in its last MAX_STATE_PROBES
 * measured probes, most recently seen last.  tick counts the measured
 * probes folded in.  Zeroed memory (or entry_state_init) is the empty
 * state; entry_state_free releases it.
 */
struct entry_state {
	struct entry_instance	 inst[MAX_INSTANCES];
	size_t			 n;
	uint64_t		 tick;
};

void	entry_state_init(struct entry_state *st);
void	entry_state_free(struct entry_state *st);

/*
 * THE comparison: what the measurement cur (from entry_measurement or
 * entry_measurement_json; NULL: the probe has none) is against the
 * state st (see the classes above).  Without a measurement the class is
 * none.  Fills *out; st is not changed.
 */
void	entry_measurement_diff(const struct entry_state *st,
	    const json_t *cur, struct entry_change *out);

/*
 * Fold cur (NULL: nothing to fold) into st: a new tick; cur becomes the
 * record of its instance (replacing a record with the same instance
 * layer, keeping a known tcb_status / advisories where cur has null);
 * instances not seen in the last MAX_STATE_PROBES ticks are forgotten,
 * and beyond MAX_INSTANCES the least recently seen.  cur is copied.
 */
void	entry_state_update(struct entry_state *st, const json_t *cur);

/* What entry_state_load found besides the instances. */
struct entry_last {
	bool		have;		/* a probe was found */
	uint64_t	seq;		/* the newest probe */
	char		verdict[8];	/* its verdict ("" if none) */
};

/*
 * Rebuild into st (which must be empty) the state of model just before
 * seq before_seq (UINT64_MAX: the end of the log) and at or before time
 * until (0: any): the newest probe entries of model are read back,
 * newest first, until MAX_STATE_PROBES with a measurement are found or
 * MAX_STATE_SCAN were read, and folded oldest first.  last (may be
 * NULL) receives the newest of them.  Errors: those of store_query
 * (TMON_E_PARSE, TMON_E_DB); st is then empty.
 */
enum tmon_rc entry_state_load(struct store *s, const char *model,
	    uint64_t before_seq, int64_t until, struct entry_state *st,
	    struct entry_last *last, struct tmon_err *err);

#endif /* TMON_STORE_ENTRY_H */
