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
 *   GET /, GET /{file}              static files of dashboard_dir
 * Pages: limit 1..MAX_API_PAGE (default API_DEFAULT_LIMIT); a page also
 * stops once MAX_API_PAGE_BYTES of entry bodies are in it.  When more
 * entries may follow, next_before is the seq to pass as before= for the
 * next page; null means the list is complete.
 * Query validation is in api_request.h.
 *
 * Threads: libmicrohttpd's internal polling thread serves every request
 * (MHD_USE_INTERNAL_POLLING_THREAD), and only that thread uses the API's
 * own STORE_RO handle.  Connections are limited (MAX_API_CONNECTIONS, per
 * address MAX_API_CONNECTIONS_PER_IP), time out after API_CONN_TIMEOUT_S
 * idle seconds, and get MAX_API_CONN_MEMORY bytes for their request.
 * Requests are answered as soon as their headers are in; a request body is
 * never read.
 */
#ifndef TMON_API_API_H
#define TMON_API_API_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Idle seconds before a connection is closed. */
#define API_CONN_TIMEOUT_S	15

/* A configured model, shown even before its first probe. */
struct api_model {
	const char	*model;		/* e.g. "TEE/gemma-3-27b-it" */
	const char	*provider;	/* e.g. "nanogpt"; NULL = from the log */
};

struct api_config {
	const char		*listen_host;	/* numeric address or name;
						   NULL = "127.0.0.1" */
	uint16_t		 port;		/* 0 = any free port */
	const char		*db_path;	/* an existing, migrated log */
	const char		*dashboard_dir;	/* NULL = no dashboard */
	const struct api_model	*models;	/* n_models (0..MAX_MODELS) */
	size_t			 n_models;
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
 * On failure *out is NULL and the error is one of TMON_E_CONFIG (no
 * db_path, too many models, a model id that is not 1..MAX_MODEL_ID-1
 * printable bytes, listen_host does not resolve, dashboard_dir cannot be
 * opened as a directory), the errors of store_open() (TMON_E_DB,
 * TMON_E_UNSUPPORTED, ...) or TMON_E_NET (the address cannot be bound or
 * the server thread not started).
 */
enum tmon_rc	api_start(const struct api_config *cfg, struct api **out,
		    struct tmon_err *err);

/* The port actually bound (the chosen one when cfg->port was 0). */
uint16_t	api_port(const struct api *a);

/* Stop serving (waits for the thread), close the store; NULL is a no-op. */
void		api_stop(struct api *a);

#endif /* TMON_API_API_H */
