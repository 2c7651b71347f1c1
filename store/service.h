/*
 * service.h: what tmond offers its HTTP front end, and how the front end
 * is started: the one interface between the daemon (monitor/) and the
 * API server (api/, whose api.h documents the routes, threads and
 * limits), so that neither includes the other's headers.  Both sides
 * depend on store/, and so does this contract: the daemon fills a
 * struct api_config (its health, its receipt handler, the shared
 * read-only handle pool) and starts the server with api_start(), which
 * api/api.c implements.
 */
#ifndef TMON_STORE_SERVICE_H
#define TMON_STORE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "quota.h"
#include "tmon_limits.h"

struct store_pool;

/* The connection limits and timeouts when api_config leaves them 0. */
#define API_DEFAULT_MAX_CONNECTIONS	256
#define API_DEFAULT_MAX_PER_ADDRESS	128
#define API_DEFAULT_REQUEST_DEADLINE_S	30
#define API_DEFAULT_IDLE_TIMEOUT_S	15
/* The longest request deadline and idle timeout api_start accepts. */
#define API_MAX_TIMEOUT_S		3600
/* The longest verifier key api_start accepts (a key name of up to
   MAX_NOTE_NAME bytes, its id and its base64 public key). */
#define API_MAX_LOG_VKEY		(MAX_NOTE_NAME + 64)

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
	/* The read-only handles every request reads through (pool.h),
	   borrowed: it must outlive the server.  NULL: the api opens a
	   pool of its own on db_path. */
	struct store_pool	*pool;
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
	 * (api/ does not verify).
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
	/*
	 * GET /api/v1/log/key: the log's verifier key (C2SP signed-note
	 * "<name>+<hex key id>+<base64 key>"), 1..API_MAX_LOG_VKEY bytes of
	 * printable ASCII without spaces; NULL: that route answers 404.
	 */
	const char		*log_vkey;
	/*
	 * Entries one list answer with since= or until= walks at most
	 * (api.h "Time bounds"); 0 = MAX_API_TIME_SCAN.
	 */
	uint64_t		 time_scan;
};

struct api;

/*
 * Read through cfg->pool, or open a pool of STORE_RO handles on
 * cfg->db_path (an existing log at STORE_SCHEMA_VERSION: the daemon
 * creates and migrates it), open dashboard_dir, bind listen_host:port
 * (only that address) and start serving in a background thread.  cfg
 * and everything it points to is copied (but the pool, borrowed); the
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
 * directory, receipt_token empty or over MAX_BEARER_TOKEN bytes,
 * log_vkey empty, too long or not printable), the
 * errors of store_pool_new() (TMON_E_IO, TMON_E_DB,
 * TMON_E_UNSUPPORTED, ...) or TMON_E_NET (the address cannot be bound or
 * a server thread not started).
 */
enum tmon_rc	api_start(const struct api_config *cfg, struct api **out,
		    struct tmon_err *err);

/*
 * Replace the configured models (api_config.models) of a running server,
 * for a reloaded schedule: models (n entries) is copied; requests already
 * running finish with the old list, later ones see the new one (the swap
 * waits for the requests that read the list), with ETags and cached
 * answers of their own.  Connections are not touched.  Errors: TMON_E_CONFIG (more than MAX_MODELS, a bad model id;
 * the old list is kept).
 */
enum tmon_rc	api_set_models(struct api *a, const struct api_model *models,
		    size_t n, struct tmon_err *err);

/* The port actually bound (the chosen one when cfg->port was 0). */
uint16_t	api_port(const struct api *a);

/* Stop accepting connections, wait until every pending receipt has been
 * answered, stop serving (waits for the worker threads), release the
 * receipt handler (receipt_free), free its own pool (not a borrowed
 * one); NULL is a no-op. */
void		api_stop(struct api *a);

#endif /* TMON_STORE_SERVICE_H */
