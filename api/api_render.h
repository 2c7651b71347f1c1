/*
 * api_render.h: the JSON documents of the read-only API, built with
 * jansson from store entries.  No I/O.
 *
 * Entry bodies come from the log, which the daemon wrote, but they carry
 * upstream data (check details, measurements), so they are parsed with
 * JSON_REJECT_DUPLICATES, every field is type-checked before use, and a
 * body that is not a JSON object renders as null rather than failing the
 * request.  Bodies are read through store/entry.h, which owns their
 * layout.
 *
 * Every function returns a new reference the caller releases with
 * json_decref.  Running out of memory is fatal (as xmalloc), so none of
 * them returns NULL.
 */
#ifndef TMON_API_API_RENDER_H
#define TMON_API_API_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "entry.h"
#include "store.h"

/*
 * One element of GET /api/v1/models:
 *   {"model", "provider", "configured", "verdict", "last_probe_time",
 *    "last_probe_seq", "leaf_hash", "format", "nonce", "checks",
 *    "measurement", "request"}
 * e is the model's newest probe entry, or NULL when it was never probed
 * (then verdict, times, measurement and request are null and checks is
 * []).  provider may be NULL: the body's "provider" string is used then.
 * measurement is in layers (entry_measurement, store/entry.h), whatever
 * the entry's version.
 */
json_t	*api_render_model(const char *model, const char *provider,
	    bool configured, const struct store_entry *e);

/*
 * Add to a model element of GET /api/v1/models what its newest probe
 * was against the model's state before it (entry_measurement_diff):
 *   "change": {"class": "none"|"first"|"instance_added"|"changed",
 *              "changed_fields": [...]},
 *   "instances": the instances known after it.
 * chg NULL (never probed): "change" null, "instances" 0.
 */
void	api_render_model_change(json_t *model, const struct entry_change *chg,
	    size_t instances);

/*
 * One element of GET /api/v1/probes:
 *   {"seq", "time", "model", "verdict", "leaf_hash", "entry"}
 * where entry is the parsed body (null if it does not parse).
 */
json_t	*api_render_probe(const struct store_entry *e);

/*
 * One element of GET /api/v1/events, e being an event entry: the body's
 * members (store/entry.h: "kind", "v", "time", "model", "class",
 * "probe_seq", "prev_probe_seq", "changed_fields", "before", "after",
 * "verdict_before", "verdict_after", "endorsed_by", "worse",
 * "instances") and "seq", "leaf_hash".  A body that does not parse gives
 * {"kind", "time", "model", "class", "seq", "leaf_hash"} from the columns.
 */
json_t	*api_render_event(const struct store_entry *e);

/*
 * Add to an event of GET /api/v1/models/{model}/history the members of
 * the history before events existed: "verdict" (= verdict_after),
 * "previous_verdict" (= verdict_before), "verdict_changed", "change" (=
 * class), "measurement_changed" (true for "first" and for a class other
 * than verdict_changed and instance_added that names fields),
 * "changed_fields" ([] when missing).  The probe's whole measurement is
 * in its entry (probe_seq), not repeated here.
 */
void	api_render_event_compat(json_t *ev);

/*
 * One element of GET /api/v1/failures:
 *   {"seq", "time", "model", "provider", "verdict", "format", "leaf_hash",
 *    "checks"}
 * where checks holds only the checks whose status is fail, error or warn
 * (pass and skip, "not applicable", are left out).
 */
json_t	*api_render_failure(const struct store_entry *e);

/*
 * GET /api/v1/entries/{seq}:
 *   {"seq", "time", "kind", "model", "verdict", "body", "leaf_hash",
 *    "chain_hash", "prev_chain_hash"}
 * body is the exact stored bytes as a JSON string (decoding the string
 * gives the hashed bytes back); if they are not valid UTF-8, body is null
 * and "body_hex" carries them.  prev_chain_hash is chain[seq-1] (32 zero
 * bytes for seq 0), so leaf and chain can be recomputed from the answer.
 */
json_t	*api_render_entry(const struct store_entry *e,
	    const uint8_t prev_chain[32]);

/*
 * One element of GET /api/v1/models/{model}/history, a probe at which the
 * model's state changed:
 *   {"seq", "time", "leaf_hash", "verdict", "previous_verdict",
 *    "verdict_changed", "change", "measurement_changed", "changed_fields",
 *    "measurement"}
 * meas is the entry's measurement in layers (borrowed; NULL if it has
 * none), chg what it was against the state before it
 * (entry_measurement_diff): "change" is its class, "changed_fields" its
 * fields, and "measurement_changed" is true for "first" and "changed".
 * prev_verdict is the verdict of the model's previous probe ("" or NULL
 * for none) and have_prev false when there was none (previous_verdict
 * is then null and verdict_changed true).
 */
json_t	*api_render_change(const struct store_entry *e, const json_t *meas,
	    bool have_prev, const char *prev_verdict,
	    const struct entry_change *chg);

/*
 * GET /api/v1/receipts/{seq}, e being a receipt entry:
 *   {"seq", "leaf_hash", "chain_hash", "time", "model", "verdict",
 *    "format", "checks", "receipt"}
 * The first four of the POST answer (seq, leaf_hash, verdict, checks) are
 * the same; format and checks are taken from the body (null and [] when
 * they are missing or of the wrong type) and receipt is the whole parsed
 * body (null if it does not parse); the exact bytes are at
 * /api/v1/entries/{seq}, the submitted bytes at /api/v1/blobs/{sha256}.
 */
json_t	*api_render_receipt(const struct store_entry *e);

/*
 * One element of GET /api/v1/log/checkpoints:
 *   {"size", "time", "root_hash", "note"}
 * root_hash in standard base64 (RFC 4648 section 4), note the signed
 * note's text (null, with "note_base64" holding the bytes, if they are
 * not UTF-8).
 */
json_t	*api_render_checkpoint(const struct store_checkpoint *c);

/*
 * GET /api/v1/log/proof/inclusion (RFC 9162 section 2.1.3):
 *   {"seq", "size", "leaf_hash", "root_hash", "proof": [...]}
 * the n (at most TLOG_MAX_PROOF) proof hashes, leaf sibling first; every
 * hash in standard base64.
 */
json_t	*api_render_inclusion(uint64_t seq, uint64_t size,
	    const uint8_t leaf[32], const uint8_t root[32],
	    const uint8_t proof[][32], size_t n);

/*
 * GET /api/v1/log/proof/consistency (RFC 9162 section 2.1.4):
 *   {"old", "new", "old_root", "new_root", "proof": [...]}
 * as api_render_inclusion.
 */
json_t	*api_render_consistency(uint64_t old, uint64_t new_size,
	    const uint8_t old_root[32], const uint8_t new_root[32],
	    const uint8_t proof[][32], size_t n);

/* {"error": error, "field": field or null}. */
json_t	*api_render_error(const char *error, const char *field);

#endif /* TMON_API_API_RENDER_H */
