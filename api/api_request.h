/*
 * api_request.h: turn one HTTP request line (method, decoded path, query
 * arguments) into a route and validated parameters, with no I/O.
 *
 * This is the part of the API that reads attacker-chosen input, kept pure
 * so that tests and the fuzz target (tests/fuzz/fuzz_api_query.c) can drive
 * it directly.  Routes (README "API"):
 *
 *   GET /api/v1/models
 *   GET /api/v1/models/{model}/history?since=&until=&after=&before=&limit=
 *   GET /api/v1/events?model=&class=&since=&until=&before=&limit=
 *   GET /api/v1/probes?model=&verdict=&since=&until=&before=&limit=
 *   GET /api/v1/failures?model=&verdict=&since=&until=&before=&limit=
 *   GET /api/v1/entries/{seq}
 *   GET /api/v1/blobs/{sha256 hex}
 *   POST /api/v1/receipts?model=     (the body is read by api.c, not here)
 *   GET /api/v1/receipts/{seq}
 *   GET /api/v1/receipts/{seq}/proof
 *   GET /api/v1/log/key
 *   GET /api/v1/log/checkpoint
 *   GET /api/v1/log/checkpoints?after=&limit=
 *   GET /api/v1/log/proof/inclusion?seq=&size=
 *   GET /api/v1/log/proof/consistency?old=&new=
 *   GET /api/v1/log/entries/{seq}
 *   GET /api/v1/log/tile/<L>/<N>[.p/<W>], /api/v1/log/tile/entries/<N>[.p/<W>]
 *   GET /metrics
 *   GET /healthz, GET /readyz        (no query arguments)
 *   GET /badge/{model}.svg, GET /badge.svg   (no query arguments)
 *   GET /  and  GET /{file}    dashboard files, file ~ [A-Za-z0-9_-][A-Za-z0-9._-]*
 *
 * HEAD is accepted wherever GET is; POST only on /api/v1/receipts, which
 * accepts nothing else.
 */
#ifndef TMON_API_API_REQUEST_H
#define TMON_API_API_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tlog.h"
#include "tmon_limits.h"

/* Items in a list page when the request gives no limit. */
#define API_DEFAULT_LIMIT	50

enum api_route {
	API_ROUTE_NONE = 0,
	API_ROUTE_MODELS,
	API_ROUTE_HISTORY,
	API_ROUTE_PROBES,
	API_ROUTE_FAILURES,
	API_ROUTE_EVENTS,	/* GET: event entries, newest first */
	API_ROUTE_ENTRY,
	API_ROUTE_BLOB,
	API_ROUTE_STATIC,
	API_ROUTE_RECEIPTS,	/* POST: submit a receipt (api.h) */
	API_ROUTE_RECEIPT,	/* GET: one receipt entry by seq */
	API_ROUTE_RECEIPT_PROOF, /* GET: its C2SP tlog-proof */
	API_ROUTE_METRICS,	/* GET: Prometheus text (metrics.h) */
	API_ROUTE_HEALTHZ,	/* GET: is the log writable */
	API_ROUTE_READYZ,	/* GET: ready to serve and log */
	API_ROUTE_BADGE,	/* GET: one model's SVG badge */
	API_ROUTE_BADGE_ALL,	/* GET: the deployment's SVG badge */
	API_ROUTE_LOG_KEY,	/* GET: the log's verifier key */
	API_ROUTE_LOG_CHECKPOINT, /* GET: the latest signed checkpoint */
	API_ROUTE_LOG_CHECKPOINTS, /* GET: every checkpoint, paged */
	API_ROUTE_LOG_INCLUSION, /* GET: an inclusion proof */
	API_ROUTE_LOG_CONSISTENCY, /* GET: a consistency proof */
	API_ROUTE_LOG_ENTRY,	/* GET: one entry's body bytes */
	API_ROUTE_LOG_TILE	/* GET: a tlog-tiles tile or entry bundle */
};

/* One query argument as the HTTP library decoded it.  value is NULL for
 * an argument without '='; value_len may be larger than strlen(value) when
 * the client sent an encoded NUL (%00), which is refused. */
struct api_arg {
	const char	*key;
	size_t		 key_len;
	const char	*value;
	size_t		 value_len;
};

/* A validated request. */
struct api_request {
	enum api_route	 route;
	uint64_t	 seq;			/* API_ROUTE_ENTRY, RECEIPT,
						   LOG_ENTRY, LOG_INCLUSION */
	/* LOG_INCLUSION: the tree size; LOG_CONSISTENCY: the old and new
	   sizes.  0: not given (size, new_size: the latest checkpoint's) */
	uint64_t	 size;
	uint64_t	 old_size;
	uint64_t	 new_size;
	struct tlog_tile tile;			/* API_ROUTE_LOG_TILE */
	uint8_t		 sha256[32];		/* API_ROUTE_BLOB */
	char		 file[MAX_DASHBOARD_NAME]; /* API_ROUTE_STATIC */
	/* list filters (PROBES, FAILURES; HISTORY: model, since, until,
	   after, limit; RECEIPTS: model only, optional; BADGE: model) */
	bool		 has_model;
	char		 model[MAX_MODEL_ID];
	const char	*verdict;	/* a static string, or NULL = any */
	const char	*cls;		/* EVENTS: an event class (static,
					   entry_event_class_str), NULL = any */
	int64_t		 since;		/* 0 = unbounded */
	int64_t		 until;		/* 0 = unbounded */
	uint64_t	 before;	/* UINT64_MAX = none */
	uint64_t	 after;		/* UINT64_MAX = none (HISTORY: a seq;
					   LOG_CHECKPOINTS: a size) */
	size_t		 limit;		/* 1..MAX_API_PAGE */
};

/* Why a request was refused: an HTTP status and static strings. */
struct api_reject {
	unsigned int	 status;	/* 400, 404 or 405 */
	const char	*allow;		/* 405: the methods the route takes
					   (static), for the Allow header */
	const char	*error;		/* one line for {"error": ...} */
	const char	*field;		/* the parameter at fault, or NULL;
					   static or pointing at name */
	char		 name[32];	/* an unknown argument's name,
					   truncated, non-printables as '?' */
};

/*
 * Parse a request.  method is the HTTP method, path the percent-decoded
 * path without the query (a C string), args the nargs query arguments
 * (0..MAX_API_QUERY_ARGS; may be NULL when nargs is 0).  Everything is
 * borrowed; req keeps no pointer into the inputs.  Each value must be
 * NUL-terminated at value[value_len].
 *
 * Returns TMON_OK with *req filled, or TMON_E_PARSE with *rej filled:
 *   404  no such route (also: any static file name outside the pattern,
 *        so "..", "/x/y" and hidden files are never looked up);
 *   405  a route that exists but the method is not GET or HEAD (for
 *        /api/v1/receipts: not POST); rej->allow names the methods;
 *   400  a bad path parameter (seq not a decimal 0..2^63-1: field "seq";
 *        not 64 hex digits: field "sha256"), an unknown, repeated or
 *        empty query argument, more than MAX_API_QUERY_ARGS arguments,
 *        limit outside 1..MAX_API_PAGE, since/until/before not a decimal
 *        0..2^63-1 (after: 0..2^63-2), until before since, a verdict
 *        that is not pass, warn,
 *        fail or error (failures: fail or error), a class that is not
 *        one of entry_event_class_str's (field "class"), a model id that is not
 *        1..MAX_MODEL_ID-1 printable non-space ASCII bytes (also the
 *        {model} of a badge).  The receipt
 *        seq is checked like the entry seq (field "seq").
 * The log routes (/api/v1/log/...):
 *   404  a tile path that is not one of C2SP tlog-tiles as
 *        tlog_tile_parse() reads it (levels 0..7 or "entries", 3-digit
 *        groups, width 1..255);
 *   400  /log/entries/{seq} as the entry seq; proof/inclusion without
 *        seq (0..2^63-2) or with size outside 1..2^63-1 or not above
 *        seq (field "seq"); proof/consistency without old, old or new
 *        outside 1..2^63-1, old above new (field "old"); checkpoints:
 *        after (a size, 0..2^63-2) and limit as for lists; any other
 *        argument.  Whether a size is signed (at most the latest
 *        checkpoint's) is the server's check (api.h).
 * Static file routes ignore query arguments.
 */
enum tmon_rc	api_request_parse(const char *method, const char *path,
		    const struct api_arg *args, size_t nargs,
		    struct api_request *req, struct api_reject *rej);

/*
 * True if the Content-Type value ct is application/json: the media type
 * compared without case, optionally followed by parameters after ';'
 * ("application/json; charset=utf-8"), optional whitespace around it
 * (RFC 9110 section 8.3.1).  NULL (no header) is false.
 */
bool		api_media_type_json(const char *ct);

#endif /* TMON_API_API_REQUEST_H */
