/*
 * api.h: tmon's read-only HTTP API and dashboard server (design.md
 * section 6), libmicrohttpd over a read-only store handle.
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
 *   POST /api/v1/receipts[?model=]  submit a receipt (design.md section 5):
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
 *   GET /, GET /{file}              static files of dashboard_dir
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
 * thread at a time).  Connections are limited
 * (MAX_API_CONNECTIONS, per address MAX_API_CONNECTIONS_PER_IP), time out
 * after API_CONN_TIMEOUT_S idle seconds, and get MAX_API_CONN_MEMORY
 * bytes for their request line and headers.  Only POST /api/v1/receipts
 * reads a request body; every other request is answered as soon as its
 * headers are in and its body is dropped unread.
 */
#ifndef TMON_API_API_H
#define TMON_API_API_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "quota.h"

/* Idle seconds before a connection is closed. */
#define API_CONN_TIMEOUT_S	15
/* libmicrohttpd worker threads (one per core of the target machine). */
#define API_THREADS		2

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

/* How a receipt handler hands its answer back (see api_config). */
typedef void	(*api_done_fn)(void *done_arg, struct api_answer *ans);

struct api_config {
	const char		*listen_host;	/* numeric address or name;
						   NULL = "127.0.0.1" */
	uint16_t		 port;		/* 0 = any free port */
	const char		*db_path;	/* an existing, migrated log */
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
	 * (notes/c-style.md 2.7: api/ does not verify).
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
 * Open a STORE_RO handle on cfg->db_path (the daemon must have opened it
 * read-write first, which creates and migrates it), open dashboard_dir,
 * bind listen_host:port (only that address) and start serving in a
 * background thread.  cfg and everything it points to is copied; the
 * caller may free it afterwards.
 *
 * On success *out is a running server the caller stops with api_stop().
 * The receipt handler (receipt_free, receipt_arg) is owned by the api
 * from the call on, whether it succeeds or not.
 *
 * On failure *out is NULL and the error is one of TMON_E_CONFIG (no
 * db_path, too many models, a model id that is not 1..MAX_MODEL_ID-1
 * printable bytes, listen_host does not resolve, dashboard_dir cannot be
 * opened as a directory, receipt_token empty or over MAX_BEARER_TOKEN
 * bytes), the errors of store_open() (TMON_E_DB,
 * TMON_E_UNSUPPORTED, ...) or TMON_E_NET (the address cannot be bound or
 * the server thread not started).
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
