/*
 * api.h: tmon's read-only HTTP API and dashboard server (README
 * "API"), libmicrohttpd over a read-only store handle.
 *
 * Routes (all answers JSON unless noted; errors are
 * {"error": "...", "field": "..." | null} with status 400, 404, 405 or 500):
 *   GET /api/v1/models              {"models": [...]}: every configured model,
 *                                   in configuration order, then any other
 *                                   model with probes in the log; each from
 *                                   its newest probe entry (api_render.h)
 *   GET /api/v1/probes              {"probes": [...], "next_before": seq|null}
 *       ?model=&verdict=&since=&until=&before=&limit=   newest first
 *   GET /api/v1/failures            {"failures": [...], "next_before": ...}
 *       same arguments; probes whose verdict is fail or error
 *   GET /api/v1/entries/{seq}       one entry with its exact body bytes
 *   GET /api/v1/blobs/{sha256}      the raw bytes, with the stored media type
 *   POST /api/v1/receipts[?model=]  submit a receipt (README "Receipts"):
 *                                   the body (at most MAX_RECEIPT_BODY
 *                                   bytes) goes to cfg->receipt_submit,
 *                                   whose status and JSON are the answer
 *                                   (201, 400, 413, 503, ...).  A
 *                                   Content-Length over the limit is
 *                                   answered 413 before the body is read;
 *                                   a chunked body is cut off with 413 as
 *                                   soon as it passes the limit.  Without
 *                                   a handler: 503.  Refused before the
 *                                   body is read: 415 unless Content-Type
 *                                   is application/json (parameters
 *                                   allowed, case-insensitive), so that a
 *                                   page of another origin cannot submit
 *                                   without a CORS preflight, which is
 *                                   never granted (OPTIONS: 405); 401
 *                                   with WWW-Authenticate: Bearer when a
 *                                   token is configured and the request
 *                                   lacks "Authorization: Bearer <token>"
 *                                   (RFC 6750; compared in constant
 *                                   time); 429 with Retry-After (seconds)
 *                                   when the client's or the global quota
 *                                   is spent (quota.h; the client is the
 *                                   peer address of the connection).  A
 *                                   body read to its end is charged to
 *                                   both quotas (one submission, its
 *                                   length) before it is handed over,
 *                                   whatever it is answered.  Answers of
 *                                   this route carry no
 *                                   Access-Control-Allow-Origin.
 *   GET /api/v1/receipts/{seq}      one receipt entry (api_render_receipt);
 *                                   404 {"field":"seq"} when seq is not a
 *                                   receipt
 *   GET /metrics                    the server's counters, Prometheus text
 *                                   format 0.0.4 (api_metrics.h)
 *   GET /healthz                    200 {"status":"ok","pending_probes":0}
 *                                   while the log is writable; 503
 *                                   {"status":"degraded","reason":"...",
 *                                   "since":unix s,"pending_probes":N}
 *                                   when it is not (cfg->health)
 *   GET /, GET /{file}              static files of dashboard_dir
 * A damaged entry or blob is never served: the store hands out no entry
 * whose leaf hash or columns do not match its body, and no blob that does
 * not hash to its key (store.h); the request that needs one is answered
 * 500 {"error": "the log is damaged: entry N: ...", "field": null}.
 * Lists select by the columns, so an edited column can hide an entry from
 * a filter it no longer matches; tmonctl audit and tmond's start-up check
 * find that.
 * Every 503 carries "Retry-After: API_RETRY_AFTER_S".
 * Pages: limit 1..MAX_API_PAGE (default API_DEFAULT_LIMIT); a page also
 * stops once MAX_API_PAGE_BYTES of entry bodies are in it.  When more
 * entries may follow, next_before is the seq to pass as before= for the
 * next page; null means the list is complete.
 * Query validation is in api_request.h.
 *
 * Threads: API_THREADS libmicrohttpd worker threads (a thread pool, each
 * polling its share of the connections) serve every request.  A receipt
 * submission suspends its connection (MHD_suspend_connection) while the
 * receipt handler logs it, so the worker goes on serving other
 * connections, and the handler's answer resumes it: many receipts wait
 * for the same commit while no thread waits for any one of them.  Reads
 * use STORE_RO handles from a small pool (one handle is used by one
 * thread at a time).  Only POST /api/v1/receipts reads a request body;
 * every other request is answered as soon as its headers are in and its
 * body is dropped unread.
 *
 * Slow clients (api_config): connections are limited in all
 * (max_connections) and per client address (max_per_address), get
 * MAX_API_CONN_MEMORY bytes for their request line and headers, and are
 * closed after idle_timeout_s seconds without a byte.  The idle timeout
 * restarts with every byte, so a request also has a hard deadline: its
 * headers and body must all be in within request_deadline_s of the
 * connection's start (for a further request on a kept-alive
 * connection: of the end of the previous one).  A sweeper thread
 * shuts down the socket of a connection past its deadline, which
 * libmicrohttpd then closes; a submitted receipt waiting for its answer
 * and a response being sent are not subject to it.  A client dripping
 * its request thus holds one connection for at most the deadline, and
 * never a worker thread (each worker polls all its connections).
 *
 * Log lines about what clients send (requests libmicrohttpd refuses,
 * 400 answers, connections closed at the deadline) are written at most
 * once per API_LOG_INTERVAL_S; the lines left out are counted
 * (GET /metrics) and their number is logged once the interval is over.
 */
#ifndef TMON_API_API_H
#define TMON_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "quota.h"

/* libmicrohttpd worker threads (one per core of the target machine). */
#define API_THREADS		2
/* The connection limits and timeouts when api_config leaves them 0. */
#define API_DEFAULT_MAX_CONNECTIONS	256
#define API_DEFAULT_MAX_PER_ADDRESS	128
#define API_DEFAULT_REQUEST_DEADLINE_S	30
#define API_DEFAULT_IDLE_TIMEOUT_S	15
/* The longest request deadline and idle timeout api_start accepts. */
#define API_MAX_TIMEOUT_S		3600
/* At most one log line about client input per this many seconds. */
#define API_LOG_INTERVAL_S		10
/* Seconds a 503 answer asks the client to wait (Retry-After, RFC 9110
 * section 10.2.3). */
#define API_RETRY_AFTER_S	10

/* A configured model, shown even before its first probe. */
struct api_model {
	const char	*model;		/* e.g. "TEE/gemma-3-27b-it" */
	const char	*provider;	/* e.g. "nanogpt"; NULL = from the log */
};

/*
 * The answer of a receipt submission.  The handler sets status (201, 400,
 * 413, 500, 503) and json, a malloc'd JSON document of json_len bytes
 * whose ownership passes to the API.
 */
struct api_answer {
	unsigned int	 status;
	char		*json;
	size_t		 json_len;
};

/* Whether the daemon can write its log, for GET /healthz. */
struct api_health {
	bool		 degraded;	/* the log is not writable now */
	char		 reason[256];	/* why, when degraded */
	int64_t		 since;		/* unix s it became degraded */
	uint64_t	 pending;	/* probes done but not yet logged */
};

/* How a receipt handler hands its answer back (see api_config). */
typedef void	(*api_done_fn)(void *done_arg, struct api_answer *ans);

struct api_config {
	const char		*listen_host;	/* numeric address or name;
						   NULL = "127.0.0.1" */
	uint16_t		 port;		/* 0 = any free port */
	const char		*db_path;	/* an existing tmon log */
	const char		*dashboard_dir;	/* NULL = no dashboard */
	const struct api_model	*models;	/* n_models (0..MAX_MODELS) */
	size_t			 n_models;
	/*
	 * POST /api/v1/receipts.  receipt_submit(receipt_arg, body, len,
	 * model, done, done_arg) is called on an API worker thread
	 * (several at once) with the complete body (len bytes,
	 * 0..MAX_RECEIPT_BODY) and the ?model= argument (a validated model
	 * id, or NULL).  It must not block on I/O: it must call
	 * done(done_arg, &ans) exactly once, on any thread, before or
	 * after returning, and the answer is sent then.  body and model
	 * stay valid until done is called.  The api never parses the body
	 * (api/ does not verify: tests/check_includes.sh).
	 * receipt_free(receipt_arg), if not NULL, is called exactly once:
	 * by api_stop() after every submission was answered and the server
	 * stopped, or by a failing api_start().  All three NULL: receipts
	 * answer 503.
	 */
	void			(*receipt_submit)(void *arg,
				    const uint8_t *body, size_t len,
				    const char *model, api_done_fn done,
				    void *done_arg);
	void			(*receipt_free)(void *arg);
	void			*receipt_arg;
	/*
	 * Connections in all (1..MAX_API_CONNECTIONS) and from one client
	 * address (1..max_connections); seconds a request's headers and
	 * body may take (1..API_MAX_TIMEOUT_S) and a connection may stay
	 * idle (1..API_MAX_TIMEOUT_S).  0 = API_DEFAULT_*.
	 */
	unsigned int		 max_connections;
	unsigned int		 max_per_address;
	unsigned int		 request_deadline_s;
	unsigned int		 idle_timeout_s;
	/*
	 * GET /healthz: health(health_arg, &h) fills h (zeroed before the
	 * call), on an API worker thread, several at once; it must not
	 * block on I/O.  NULL: always "ok".  health_arg must stay valid
	 * until api_stop() returns.
	 */
	void			(*health)(void *arg, struct api_health *out);
	void			*health_arg;
	/*
	 * Who may submit, and how much.  receipt_token: NULL, or the
	 * bearer token (1..MAX_BEARER_TOKEN bytes) every submission must
	 * carry; only its SHA-256 is kept.  Quotas per client address and
	 * global (window_s 0: none at that level).
	 */
	const char		*receipt_token;
	struct quota_limit	 receipt_per_client;
	struct quota_limit	 receipt_global;
};

struct api;

/*
 * Open a STORE_RO handle on cfg->db_path (an existing log at
 * STORE_SCHEMA_VERSION: the daemon creates and migrates it), open
 * dashboard_dir, bind listen_host:port (only that address) and start
 * serving in a background thread.  cfg and everything it points to is copied; the
 * caller may free it afterwards.
 *
 * On success *out is a running server the caller stops with api_stop().
 * The receipt handler (receipt_free, receipt_arg) is owned by the api
 * from the call on, whether it succeeds or not.
 *
 * On failure *out is NULL and the error is one of TMON_E_CONFIG (no
 * db_path, too many models, a model id that is not 1..MAX_MODEL_ID-1
 * printable bytes, a connection limit or timeout out of range,
 * listen_host does not resolve, dashboard_dir cannot be opened as a
 * directory, receipt_token empty or over MAX_BEARER_TOKEN bytes), the
 * errors of store_open() (TMON_E_IO, TMON_E_DB,
 * TMON_E_UNSUPPORTED, ...) or TMON_E_NET (the address cannot be bound or
 * a server thread not started).
 */
enum tmon_rc	api_start(const struct api_config *cfg, struct api **out,
		    struct tmon_err *err);

/* The port actually bound (the chosen one when cfg->port was 0). */
uint16_t	api_port(const struct api *a);

/* Stop accepting connections, wait until every pending receipt has been
 * answered, stop serving (waits for the worker threads), release the
 * receipt handler (receipt_free), close the store; NULL is a no-op. */
void		api_stop(struct api *a);

#endif /* TMON_API_API_H */
