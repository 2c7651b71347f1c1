/*
 * tdx_eventlog.h: the dstack event log of a TDX attestation, replayed
 * into RTMR0-3 and compared with the quote; the app_compose binding
 * (compose hash == compose-hash event == MRCONFIGID).
 *
 * Sources:
 *   - Phala-Network/dstack cc-eventlog/src/lib.rs (the JSON event shape
 *     {imr, event_type, digest, event, event_payload} and event_digest()
 *     for runtime events) and tdx-attest/src/lib.rs (extend_rtmr3);
 *   - dstack dstack-types/src/mr_config.rs (MRCONFIGID v1/v2);
 *   - Intel TDX Module ABI: an RTMR starts as 48 zero bytes and
 *     TDG.MR.RTMR.EXTEND sets RTMR = SHA-384(RTMR || 48-byte digest).
 *
 * Replay: for each event in log order, RTMR[imr] = SHA-384(RTMR[imr] ||
 * d), where d is
 *   - for a dstack runtime event (event_type 0x08000001): SHA-384(
 *     le32(event_type) || ":" || event || ":" || payload bytes), always
 *     recomputed from the fields.  Servers may leave "digest" empty (the
 *     NanoGPT top-level event_log does); a digest that IS given must equal
 *     the recomputed one, else the log is a lie about its payload;
 *   - for every other event (the CCEL firmware events of RTMR0-2): the
 *     given 48-byte digest, folded as is.  Its name and payload are not
 *     bound by the replay and are never read.
 *
 * Why 13rac1/teep (46ee4b8, internal/attestation ReplayEventLog) reports
 * RTMR3 of the NanoGPT gemma 2026-06-10 response as a mismatch: it
 * hex-decoded "digest" for every event and zero-padded anything shorter
 * than 48 bytes, so each of the ten empty imr-3 digests was extended as
 * 48 zero bytes.  That gives RTMR3 a76a81147b7f733c..., the value in its
 * report, where the quote holds bb3903919b511de9...; recomputing the
 * runtime digests from type/name/payload gives the quoted value.  (teep
 * later changed to recompute them.)  tests/unit/check_eventlog.c
 * reproduces both numbers.
 *
 * Accepted encodings (all seen in real responses, or accepted by the
 * sources above): the log as a JSON array or as a JSON string holding
 * the array's text; imr and event_type as JSON integers or as decimal strings;
 * digest and event_payload as hex text (either case), digest empty or
 * absent only for runtime events; info.tcb_info as an object or as a JSON
 * string holding the object.  Embedded JSON text is parsed with
 * JSON_REJECT_DUPLICATES and at most MAX_JSON_DEPTH nesting.
 *
 * Bounds (tmon_limits.h): MAX_EVENTS events, MAX_EVENT_NAME bytes of name,
 * MAX_EVENT_PAYLOAD decoded payload bytes, MAX_EVENT_LOG_TEXT bytes of an
 * event log served as a string, MAX_TCB_INFO_TEXT bytes of a tcb_info
 * served as a string, MAX_APP_COMPOSE bytes of app_compose.
 *
 * Pure: no I/O, no clock, no globals.
 */
#ifndef TMON_VERIFY_TDX_EVENTLOG_H
#define TMON_VERIFY_TDX_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "checklist.h"
#include "err.h"
#include "tdx_quote.h"

#define TDX_RTMR_COUNT		4
/* dstack runtime event type (cc-eventlog DSTACK_RUNTIME_EVENT_TYPE); not
 * a TCG event type. */
#define TDX_EVENT_DSTACK_RUNTIME 0x08000001u

/* One event, decoded. */
struct tdx_event {
	uint8_t		 imr;		/* 0..3 */
	uint32_t	 type;		/* event_type */
	bool		 runtime;	/* type == TDX_EVENT_DSTACK_RUNTIME */
	bool		 has_digest;	/* "digest" given, non-empty */
	bool		 digest_lies;	/* runtime event whose given digest
					   != the recomputed one */
	uint8_t		 digest[48];	/* as given (has_digest) */
	uint8_t		 extend[48];	/* what the replay extends: the
					   recomputed digest of a runtime
					   event, else the given one */
	char		*name;		/* owned, NUL-terminated; kept for
					   runtime events only, else NULL */
	uint8_t		*payload;	/* owned decoded payload; runtime
					   events only, else NULL */
	size_t		 payload_len;
};

struct tdx_event_log {
	struct tdx_event *ev;		/* owned array of n */
	size_t		  n;
	size_t		  n_recomputed;	/* runtime events served without
					   a digest */
};

/* Where an attestation object carries its event log. */
enum tdx_evl_src {
	TDX_EVL_TOP = 0,	/* "event_log" of the attestation object */
	TDX_EVL_TCB_INFO	/* "info"."tcb_info"."event_log" */
};

/*
 * Decode the event log log (a JSON array of event objects, or a JSON
 * string holding such an array's text) into *out, computing every
 * event's extend digest (see the top of this file).  A runtime event
 * whose given digest differs from the recomputed one is NOT an error: it
 * is flagged in ev->digest_lies for the caller to report.
 *
 * On success the caller owns *out (tdx_event_log_free).  On failure *out
 * is empty and err says which event and field:
 *   TMON_E_PARSE        not an array (or a string that is not JSON of
 *                       one), an event that is not an object, imr missing
 *                       or not an integer/decimal string in 0..3,
 *                       event_type missing or not in 0..2^32-1, a field
 *                       of the wrong JSON type, digest not 96 hex digits
 *                       (or missing on a non-runtime event), payload not
 *                       hex of even length, duplicate keys or nesting
 *                       over MAX_JSON_DEPTH in a string-encoded log
 *   TMON_E_LIMIT        more than MAX_EVENTS events, a name over
 *                       MAX_EVENT_NAME bytes, a payload over
 *                       MAX_EVENT_PAYLOAD bytes, a string-encoded log over
 *                       MAX_EVENT_LOG_TEXT bytes
 *   TMON_E_CRYPTO_LIB   SHA-384 failed in OpenSSL
 */
enum tmon_rc	tdx_event_log_parse(const json_t *log,
		    struct tdx_event_log *out, struct tmon_err *err);

/* As tdx_event_log_parse() over len bytes of JSON text (the array). */
enum tmon_rc	tdx_event_log_parse_text(const char *text, size_t len,
		    struct tdx_event_log *out, struct tmon_err *err);

/*
 * The event log of the attestation object att at src, decoded as by
 * tdx_event_log_parse().  info.tcb_info may itself be a JSON string.
 * Returns TMON_E_NOTFOUND when att has no log there (member absent, JSON
 * null or the empty string), TMON_E_PARSE when the member exists but is
 * malformed (a tcb_info that is neither object nor object text, too
 * long: TMON_E_LIMIT), else as tdx_event_log_parse().
 */
enum tmon_rc	tdx_event_log_load(const json_t *att, enum tdx_evl_src src,
		    struct tdx_event_log *out, struct tmon_err *err);

/* Free what tdx_event_log_parse() allocated; log may be zeroed or NULL. */
void		tdx_event_log_free(struct tdx_event_log *log);

/*
 * Replay log into rtmr[4][48] (each starts at 48 zero bytes).  A digest
 * lie (ev->digest_lies) is not checked here: the recomputed digest is
 * extended.  Returns TMON_OK or TMON_E_CRYPTO_LIB.
 */
enum tmon_rc	tdx_event_log_replay(const struct tdx_event_log *log,
		    uint8_t rtmr[TDX_RTMR_COUNT][48], struct tmon_err *err);

/*
 * The payload of the dstack system event called name (e.g.
 * "compose-hash", "os-image-hash") in the event log of att, only if that
 * log is authenticated by q: the log is att's top-level event_log, or
 * info.tcb_info.event_log when there is no top-level one; it must parse,
 * tell no digest lies and replay to q's RTMR3.  The event must be a
 * runtime event on RTMR3 that comes before the first "system-ready"
 * event (events after it may be emitted by the application), must be
 * the only one of that name in the whole log, and its payload must be
 * exactly outlen bytes; it is copied to out.
 *
 * Returns TMON_OK, or TMON_E_NOTFOUND (no event log, or no such event),
 * TMON_E_PARSE with the reason (malformed log, digest lie, RTMR3 does not
 * replay, event after system-ready, several events of that name, payload
 * length), TMON_E_LIMIT or TMON_E_CRYPTO_LIB as tdx_event_log_parse().
 */
enum tmon_rc	tdx_event_log_system_value(const struct tdx_quote *q,
		    const json_t *att, const char *name, uint8_t *out,
		    size_t outlen, struct tmon_err *err);

/*
 * As tdx_event_log_system_value(), for a payload of 0..outmax bytes (the
 * length in *outlen, set on TMON_OK only): app-id and instance-id (empty
 * when the app asks for no instance id), key-provider (JSON text).  A
 * longer payload is TMON_E_PARSE.
 */
enum tmon_rc	tdx_event_log_system_payload(const struct tdx_quote *q,
		    const json_t *att, const char *name, uint8_t *out,
		    size_t outmax, size_t *outlen, struct tmon_err *err);

/*
 * Find the event log(s) of one attestation object att (gw_attestation's
 * obj: top-level "event_log" as an array or a JSON string, and
 * info.tcb_info.event_log where info.tcb_info may itself be a JSON
 * string), replay each into RTMR0-3 and compare with the quote q.  Every
 * log the attestation serves must match: the top-level one and the
 * tcb_info copy.  Sets "tdx.event_log" in cl:
 *   pass  "30 events, RTMR0-3 match (event_log, 10 empty imr-3 digests
 *         recomputed; info.tcb_info.event_log matches too)"
 *   fail  the first RTMR that differs, replayed vs quoted in short hex:
 *         "event_log: RTMR3 differs: replayed a76a81147b7f733c...,
 *         quote bb3903919b511de9... (30 events)"
 *   fail  "event_log: event 22 (compose-hash): digest does not match
 *         SHA-384 of its type, name and payload (given 1890b6a1...,
 *         computed 2f0e4c1d...)"
 *   fail  "event_log: malformed: <the parse error>" (bounded, see above)
 *   skip  "no event log in this attestation" (e.g. Chutes)
 *   error SHA-384 failed (library)
 */
void	tdx_check_event_log(const struct tdx_quote *q, const json_t *att,
	    struct checklist *cl);

/*
 * The app_compose binding of att (dstack dstack-types/src/mr_config.rs).
 * H = SHA-256 of the exact bytes of info.tcb_info.app_compose (the JSON
 * string value as served, after JSON unescaping; tcb_info may be a JSON
 * string).  Sets "tdx.compose" in cl:
 *   pass  H equals every available binding and at least one binding
 *         authenticated by the quote holds: MRCONFIGID v1 (= 0x01 || H ||
 *         15 zero bytes) and/or the compose-hash event of an event log
 *         that replays to RTMR3 (tdx_event_log_system_value()); detail
 *         "sha256(app_compose) cd5af14107fda078... = compose-hash event
 *         = MRCONFIGID v1"
 *   fail  naming the binding that fails: "MRCONFIGID v1 holds X..., not
 *         sha256(app_compose) H...", "compose-hash event holds X..., not
 *         sha256(app_compose) H...", "served compose_hash X... is not
 *         sha256(app_compose) H..." (info.compose_hash or
 *         info.tcb_info.compose_hash, when served), "MRCONFIGID v1 has
 *         non-zero bytes after the hash", an unknown MRCONFIGID version
 *         byte, a malformed compose-hash event, or "nothing in the quote
 *         binds app_compose" (MRCONFIGID zero and no replayed
 *         compose-hash event), or app_compose not a string / over
 *         MAX_APP_COMPOSE
 *   error only MRCONFIGID v2 (0x02 || keccak256(...)) could bind it:
 *         v2 is not checked yet
 *   skip  "no app_compose in this attestation"
 * compose_hash_hex (65 bytes) receives the lower-case hex of the compose
 * hash the QUOTE attests, for the measurement summary and
 * measurement.policy: H on pass; without app_compose, the hash in a
 * v1 MRCONFIGID or in a replayed compose-hash event (when both exist
 * they must agree); "" otherwise (nothing authenticated).
 */
void	tdx_check_compose(const struct tdx_quote *q, const json_t *att,
	    struct checklist *cl, char compose_hash_hex[65]);

#endif /* TMON_VERIFY_TDX_EVENTLOG_H */
