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
 *   GET /api/v1/log/key             text/plain: the log's verifier key
 *                                   (cfg->log_vkey) and "\n"; 404 when
 *                                   none is configured
 *   GET /api/v1/log/checkpoint      text/plain; charset=utf-8, Cache-
 *                                   Control: no-cache: the latest signed
 *                                   checkpoint (C2SP tlog-checkpoint) and
 *                                   every cosignature line stored for it
 *                                   (tiles_checkpoint); 404 while there
 *                                   is none.  Also the C2SP tlog-tiles
 *                                   <prefix>/checkpoint of the prefix
 *                                   /api/v1/log
 *   GET /api/v1/log/checkpoints     {"checkpoints": [{"size", "time",
 *       ?after=&limit=              "root_hash", "note"}], "next_after":
 *                                   size|null}: checkpoints of size >
 *                                   after, oldest first, paged as lists
 *   GET /api/v1/log/proof/inclusion?seq=N[&size=S]
 *                                   {"seq", "size", "leaf_hash",
 *                                   "root_hash", "proof": [...]}: RFC 9162
 *                                   section 2.1.3; size defaults to the
 *                                   latest checkpoint's
 *   GET /api/v1/log/proof/consistency?old=M[&new=N]
 *                                   {"old", "new", "old_root", "new_root",
 *                                   "proof": [...]}: RFC 9162 section
 *                                   2.1.4; new defaults to the latest
 *                                   checkpoint's
 *       Hashes are standard base64 (RFC 4648 section 4).  Proofs are
 *       only for signed tree sizes, so that a client can check the root
 *       against a checkpoint: 400 {"field": "size"|"new"|"old"} for a
 *       size over the latest checkpoint's; 404 while there is no
 *       checkpoint; inclusion without size: 503 {"field": "seq"} for an
 *       entry no checkpoint covers yet, 404 for no such entry.  Every
 *       proof is checked against the tree before it is served (500
 *       "the log is damaged" otherwise).
 *   GET /api/v1/log/entries/{seq}   application/octet-stream: the entry's
 *                                   exact body bytes (immutable)
 *   GET /api/v1/log/tile/<L>/<N>[.p/<W>], /api/v1/log/tile/entries/<N>[.p/<W>]
 *                                   C2SP tlog-tiles hash tiles and entry
 *                                   bundles (tiles.h), application/
 *                                   octet-stream; full tiles are
 *                                   immutable, partial ones cached 60 s.
 *                                   Only tiles whose hashes are all in
 *                                   the tree of the latest checkpoint
 *                                   (tiles_servable: its own, and the
 *                                   partial tiles of smaller sizes); 404
 *                                   for any other
 *       The log's text, entries and tiles carry Access-Control-Allow-
 *       Origin: * and are never run as a page (CSP sandbox).
 *   GET /metrics                    Prometheus text format 0.0.4: the
 *                                   process's registry (metrics.h: HTTP
 *                                   counters tmon_http_*, probe
 *                                   durations, alert deliveries, ...),
 *                                   then series read from the log at
 *                                   scrape time: tmon_log_entries,
 *                                   tmon_log_checkpoint_{entries,
 *                                   age_seconds,cosignatures} (once there
 *                                   is a checkpoint)
 *   GET /readyz                     200 {"status":"ready"} while the log
 *                                   is writable (read-only: while
 *                                   serving; the start-up check is done
 *                                   before the server starts); 503
 *                                   {"status":"not_ready","reason"}
 *   GET /badge/{model}.svg          image/svg+xml (api_badge.h),
 *                                   Cache-Control: max-age=60, ETag of its
 *                                   bytes: the model id, and its newest
 *                                   verdict with the time since its last
 *                                   success (pass or warn): "pass 3m",
 *                                   "fail, last ok 2d", "error, never
 *                                   ok", "no probes yet"; 404 for a model
 *                                   neither configured nor in the log
 *   GET /badge.svg                  the configured models: "tmon" and
 *                                   "N/M ok" (newest verdict pass or
 *                                   warn); green when all pass, yellow
 *                                   when all are ok, red when one fails,
 *                                   orange otherwise
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
 * use STORE_RO handles from the pool (store/pool.h), shared with the
 * receipt path in tmond.  The configuration, api_start and api_stop are
 * declared in store/service.h, the interface tmond starts the server
 * through.  Only POST /api/v1/receipts reads a request body;
 * every other request is answered as soon as its headers are in and its
 * body is dropped unread (then the connection is closed after the
 * answer).  A request that announces no body is answered once
 * libmicrohttpd has it whole, so its connection stays open for the next
 * request (HTTP/1.1 keep-alive).
 *
 * ETag: the answers of /api/v1/models, /probes, /failures, /events,
 * /models/{model}/history, /entries/{seq} and /receipts/{seq} are
 * functions of the log's entries, so each carries ETag: W/"<log
 * size>-<first 16 bytes of the SHA-256 of its decoded path and query
 * arguments, hex>" and Cache-Control: no-cache; a request whose
 * If-None-Match names it (weak comparison, RFC 9110 section 13.1.2) or
 * is "*" is answered 304 without rendering.  The log size is read before
 * the answer, so a tag never names a smaller log than the body shows.
 * The first pages (no before=) of /models, /probes, /failures, /events
 * and each model's history are kept in a render cache of API_CACHE_SLOTS bodies (least
 * recently used out; each at most MAX_API_CACHE_BODY bytes) keyed by
 * that ETag, so a status page polled by many clients costs one render
 * per log change.
 *
 * Time bounds: since= and until= (/probes, /failures, /events, a
 * history) are checked on each entry walked in seq order, and entry times
 * need not follow seqs, so one answer walks at most api_config's
 * time_scan (MAX_API_TIME_SCAN) seqs below its start (before=, else the
 * log's end).  When seqs below those were not walked, next_before names
 * the lowest one walked even if the page is not full, or empty: follow
 * next_before until it is null.
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

#include "service.h"

/* libmicrohttpd worker threads (one per core of the target machine). */
#define API_THREADS		2
/* At most one log line about client input per this many seconds. */
#define API_LOG_INTERVAL_S		10
/* Seconds a 503 answer asks the client to wait (Retry-After, RFC 9110
 * section 10.2.3). */
#define API_RETRY_AFTER_S	10
/* An ETag value with its NUL: W/"<20 digits>-<32 hex>". */
#define API_ETAG_LEN		64
/* First pages kept by the render cache (each at most MAX_API_CACHE_BODY):
 * the four lists and the histories of a 50-model status page. */
#define API_CACHE_SLOTS		64
/* Days of daily verdict counts in each model of GET /api/v1/models. */
#define API_DAILY_DAYS		90
/* Cache-Control of a badge. */
#define API_BADGE_CACHE		"max-age=60"

#endif /* TMON_API_API_H */
