/*
 * api_render.h: the JSON documents of the read-only API, built with
 * jansson from store entries.  No I/O.
 *
 * Entry bodies come from the log, which the daemon wrote, but they carry
 * upstream data (check details, measurements), so they are parsed with
 * JSON_REJECT_DUPLICATES, every field is type-checked before use, and a
 * body that is not a JSON object renders as null rather than failing the
 * request.  The probe body layout is the one tmond writes (probe.h;
 * dashboards/app.js reads it too):
 *   {"checks":[{"detail","id","status"}...], "format", "kind":"probe",
 *    "measurement":{...}|null, "model", "provider", "nonce",
 *    "request":{...}, "time", "v":1, "verdict"}
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

#include "store.h"

/*
 * The body of e parsed as a JSON object, or NULL if it is not valid JSON
 * (or not an object).  A new reference.
 */
json_t	*api_body_parse(const struct store_entry *e);

/*
 * One element of GET /api/v1/models:
 *   {"model", "provider", "configured", "verdict", "last_probe_time",
 *    "last_probe_seq", "leaf_hash", "format", "nonce", "checks",
 *    "measurement", "request"}
 * e is the model's newest probe entry, or NULL when it was never probed
 * (then verdict, times, measurement and request are null and checks is
 * []).  provider may be NULL: the body's "provider" string is used then.
 */
json_t	*api_render_model(const char *model, const char *provider,
	    bool configured, const struct store_entry *e);

/*
 * One element of GET /api/v1/probes:
 *   {"seq", "time", "model", "verdict", "leaf_hash", "entry"}
 * where entry is the parsed body (null if it does not parse).
 */
json_t	*api_render_probe(const struct store_entry *e);

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
 *    "verdict_changed", "measurement_changed", "changed_fields",
 *    "measurement"}
 * meas is the entry's measurement object (borrowed, not modified; NULL if
 * it has none),
 * prev_verdict and prev_meas the state of the model's previous probe
 * (borrowed, either may be NULL), have_prev false when there was no
 * previous probe (the first one: previous_verdict is null and every field
 * of meas counts as changed).  changed_fields lists the measurement keys
 * whose values differ, those of meas first, then those only in prev_meas.
 */
json_t	*api_render_change(const struct store_entry *e, json_t *meas,
	    bool have_prev, const char *prev_verdict, json_t *prev_meas);

/*
 * True if a probe with verdict and meas differs from the previous state
 * (verdicts compared as strings, NULL equal only to NULL; measurements
 * compared deeply with json_equal, NULL equal only to NULL).
 */
bool	api_state_changed(const char *verdict, const json_t *meas,
	    const char *prev_verdict, const json_t *prev_meas);

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

/* {"error": error, "field": field or null}. */
json_t	*api_render_error(const char *error, const char *field);

#endif /* TMON_API_API_RENDER_H */
