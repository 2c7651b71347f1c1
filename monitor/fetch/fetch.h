/*
 * fetch.h: HTTP(S) client for the daemon's scheduler, on the libcurl
 * multi interface (https://curl.se/libcurl/c/libcurl-multi.html).
 *
 * One thread owns a struct fetch and drives it with fetch_poll(); many
 * transfers run at once, each finishing with its own callback.  Nothing
 * here is thread-safe.  fetch_sync() is a blocking convenience for
 * tmonctl and tests.
 *
 * Policy, the same for every request:
 * - Protocols: http and https only (CURLOPT_PROTOCOLS_STR); any other
 *   scheme is refused by fetch_start() before libcurl sees it.
 * - Redirects are NOT followed: a 3xx is returned as it came (status and
 *   body), so a bearer token never travels to another host and the bytes
 *   archived are the bytes the named URL answered.
 * - TLS peer and host name are verified (CURLOPT_SSL_VERIFYPEER = 1,
 *   CURLOPT_SSL_VERIFYHOST = 2) against the system trust store.
 * - User-Agent "tmon/0.1"; no Accept-Encoding is sent and no content
 *   decoding is done, so the body is the exact bytes of the HTTP message
 *   body (after de-chunking).  "Expect:" is suppressed on POST.
 * - The body is capped by req->max_body in the write callback, which
 *   holds for chunked responses too (curl 7.88 applies
 *   CURLOPT_MAXFILESIZE only when a Content-Length is announced; that
 *   option is set as well, to stop early when one is).  On overflow the
 *   transfer is aborted and what was received is freed at once.
 * - Proxies named in the environment (http_proxy, https_proxy, no_proxy)
 *   are honoured, as libcurl does by default.
 * - libcurl is initialised once per process (curl_global_init with
 *   CURL_GLOBAL_DEFAULT, under pthread_once) on the first fetch_new() or
 *   fetch_sync().  CURLOPT_VERBOSE is never set.
 *
 * HTTP status is data, not an error: a transfer that completed with any
 * HTTP status (404, 500, ...) has rc TMON_OK and res->status set.  The
 * caller decides what a status means for its probe; README "Checks" keeps
 * "could not check" (our network failed) apart from what the upstream
 * answered, and an upstream 500 is evidence worth archiving.
 *
 * The bearer token: fetch_start() builds an "Authorization: Bearer"
 * header from it; that header is cleared with explicit_bzero() and freed
 * as soon as the transfer ends or is aborted, and no copy is kept.  It is
 * never logged, and an error message that would contain it has it
 * replaced by "[redacted]".  (libcurl's own transient send buffer is freed
 * by libcurl without clearing; that is outside our reach.)
 */
#ifndef TMON_FETCH_FETCH_H
#define TMON_FETCH_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Defaults used when a request leaves a field 0. */
#define FETCH_DEFAULT_CONNECT_TIMEOUT_MS	10000L
#define FETCH_DEFAULT_TIMEOUT_MS		60000L
/* Bounds on the served certificate chain kept (fetch_result.tls_chain). */
#define FETCH_MAX_TLS_CHAIN			(64u * 1024)
#define FETCH_MAX_TLS_CERTS			10

struct fetch;					/* wraps a CURLM */

struct fetch_req {
	/* http:// or https:// URL, at most MAX_URL bytes; copied. */
	const char	*url;
	/* "GET" or "POST" (exactly); NULL means "GET". */
	const char	*method;
	/*
	 * API key sent as "Authorization: Bearer <token>", or NULL for
	 * none.  Printable ASCII, no spaces, at most MAX_BEARER_TOKEN
	 * bytes.  Never logged, never kept after the request.
	 */
	const char	*bearer_token;
	/* POST only: body (copied; may be NULL when body_len is 0). */
	const uint8_t	*body;
	size_t		 body_len;	/* at most MAX_FETCH_REQUEST_BODY */
	/* POST only: Content-Type value, or NULL for none; copied. */
	const char	*content_type;
	/*
	 * Extra request header lines "Name: value" (n_headers of them, at
	 * most MAX_WEBHOOK_HEADERS + 4), copied: an RFC 9110 token, ':',
	 * printable ASCII.  Never logged (one may hold a secret), cleared
	 * like the token when the transfer ends.
	 */
	const char *const *headers;
	size_t		 n_headers;
	/* Milliseconds; 0 means the FETCH_DEFAULT_* value.  Never "none". */
	long		 connect_timeout_ms;
	long		 timeout_ms;	/* whole transfer, connect included */
	/* Largest body accepted, in bytes; 0 means MAX_UPSTREAM_BODY. */
	size_t		 max_body;
	/*
	 * PEM file of the trust anchors for https (CURLOPT_CAINFO) instead
	 * of the system trust store, or NULL for the system store: a test
	 * server's own CA.  Peer and host name are verified either way.
	 */
	const char	*ca_file;
};

struct fetch_result {
	/*
	 * TMON_OK: an HTTP response arrived in full (any status).
	 * TMON_E_NET: DNS, connect, TLS or transfer failure (incl. a
	 *   connection closed before the body was complete).
	 * TMON_E_TIMEOUT: connect_timeout_ms or timeout_ms expired.
	 * TMON_E_LIMIT: the body exceeded max_body (announced or received).
	 * TMON_E_INTERNAL: libcurl refused to set up the transfer.
	 */
	enum tmon_rc	 rc;
	long		 status;	/* HTTP status, 0 if none */
	/*
	 * rc == TMON_OK: the exact bytes received, owned by the result,
	 * followed by a NUL that body_len does not count; never NULL (an
	 * empty body is a 1-byte allocation).  Otherwise NULL and 0: a
	 * partial or oversize body is dropped.
	 */
	uint8_t		*body;
	size_t		 body_len;
	/*
	 * The response Content-Type, truncated to fit and with every byte
	 * outside printable ASCII replaced by '?'; "" if none.
	 */
	char		 content_type[128];
	int64_t		 duration_ms;	/* start to end, CLOCK_MONOTONIC */
	/*
	 * rc == TMON_OK: the raw header block of the final response (status
	 * line and header lines as received, CRLF kept), owned, NUL
	 * terminated, at most MAX_FETCH_HEADERS bytes (lines beyond that are
	 * dropped); NULL otherwise.  Read it with fetch_header_dup().
	 */
	char		*headers;
	size_t		 headers_len;
	/*
	 * rc == TMON_OK over https: what the server presented on the TLS
	 * connection the transfer used, read from libcurl's OpenSSL object
	 * (CURLINFO_TLS_SSL_PTR) when the first response header arrives,
	 * so also on a reused connection.  has_tls_spki: tls_spki_sha256 is
	 * SHA-256 of the DER SubjectPublicKeyInfo (RFC 5280 section
	 * 4.1.2.7) of the leaf certificate.  tls_chain: the certificates
	 * as DER, concatenated, leaf first, in the order served (at most
	 * FETCH_MAX_TLS_CERTS of them and FETCH_MAX_TLS_CHAIN bytes; those
	 * beyond are left out), owned; NULL and 0 over http, with a TLS
	 * library other than OpenSSL, or on any other rc.
	 */
	bool		 has_tls_spki;
	uint8_t		 tls_spki_sha256[32];
	uint8_t		*tls_chain;
	size_t		 tls_chain_len;
	/* Human-readable cause when rc != TMON_OK ("" otherwise); never
	   contains the bearer token. */
	char		 error[256];
};

/*
 * Called by fetch_poll() once per finished transfer, in the thread that
 * called fetch_poll().  res is valid only during the call; its body is
 * freed after the callback returns unless the callback moved it out with
 * fetch_result_move().  The callback may call fetch_start() on the
 * same struct fetch, but must not call fetch_free() or fetch_poll() on it.
 */
typedef void (*fetch_done_fn)(struct fetch_result *res, void *arg);

/*
 * A new client with no transfer in flight.  Initialises libcurl on first
 * use.  Never returns NULL (running out of memory, or libcurl failing to
 * initialise, is fatal).
 */
struct fetch	*fetch_new(void);

/*
 * Abort every transfer in flight (their callbacks are NOT called; their
 * tokens are cleared) and free f.  f may be NULL.
 */
void		 fetch_free(struct fetch *f);

/*
 * Start one transfer.  Everything in req is copied; req may be freed when
 * this returns.  cb (not NULL) is called with arg from a later
 * fetch_poll() when the transfer ends, whatever its outcome.
 * Errors (nothing is started and cb is never called):
 *   TMON_E_UNSUPPORTED  url is not http(s)://, or method is not GET/POST
 *   TMON_E_CONFIG       url, token, content_type or a header line is
 *                       empty, too long or holds characters that cannot
 *                       go in a header;
 *                       a body given to a GET; a negative timeout
 *   TMON_E_LIMIT        body_len > MAX_FETCH_REQUEST_BODY, or
 *                       MAX_FETCH_INFLIGHT transfers already running
 *   TMON_E_INTERNAL     libcurl refused an option or the handle
 */
enum tmon_rc	 fetch_start(struct fetch *f, const struct fetch_req *req,
		    fetch_done_fn cb, void *arg, struct tmon_err *err);

/*
 * Wait up to timeout_ms milliseconds (curl_multi_poll; 0 = do not wait)
 * for network activity, drive every transfer, and call the callbacks of
 * those that finished.  It waits even when nothing is in flight, so a
 * scheduler may use it as its sleep.  Returns the number of transfers
 * still running.
 */
int		 fetch_poll(struct fetch *f, int timeout_ms);

/* Number of transfers started and not yet finished. */
size_t		 fetch_running(const struct fetch *f);

/*
 * Blocking convenience: run one request to its end and store its result
 * in *res (which the caller releases with fetch_result_free()).  Returns
 * res->rc, or a fetch_start() error (then *res holds that rc and the
 * message, and no body).  err, if not NULL, receives the same message
 * for any rc other than TMON_OK.
 */
enum tmon_rc	 fetch_sync(const struct fetch_req *req,
		    struct fetch_result *res, struct tmon_err *err);

/*
 * Free res->body, res->headers and res->tls_chain and reset them to
 * NULL/0.  Safe on a zeroed result and on
 * one whose body was moved out; does not free res itself.
 */
void		 fetch_result_free(struct fetch_result *res);

/*
 * Move the result src (as passed to a fetch_done_fn) into dst, which then
 * owns the body and headers; src is left without them, so freeing both
 * is safe.  Use this instead of copying the struct.  dst owns the
 * headers and tls_chain too.
 */
void		fetch_result_move(struct fetch_result *dst,
		    struct fetch_result *src);

/*
 * The value of the first response header called name (case-insensitive),
 * with surrounding blanks removed, in a new string the caller frees; NULL
 * if absent.  The value is untrusted server data, returned unmodified.
 */
char		*fetch_header_dup(const struct fetch_result *res,
		    const char *name);

/* What a configured URL is used as (fetch_url_check). */
enum fetch_url_kind {
	FETCH_URL_BASE,		/* a prefix that paths and queries are
				   appended to: no query */
	FETCH_URL_FULL		/* fetched as it is: a query is allowed */
};

/*
 * Check a URL taken from configuration before anything is fetched from
 * it, so that a mistake fails at load time (tmond -n) instead of on
 * every probe.  It must be at most MAX_BASE_URL (FETCH_URL_BASE) or
 * MAX_URL (FETCH_URL_FULL) bytes of the characters RFC
 * 3986 section 2 allows (letters, digits, "-._~:/?#[]@!$&'()*+,;=" and
 * '%'; so no space, CR, LF, control or non-ASCII byte), start with
 * "http://" or "https://" (lower case, exactly two slashes), parse with
 * libcurl's URL API (curl_url_set, CURLUPART_URL), name a non-empty host,
 * carry a port only in 1..65535, hold no userinfo ("user:password@"; a
 * secret there would be logged and archived with every entry), no
 * fragment, and (FETCH_URL_BASE) no query.
 * Returns TMON_OK, or TMON_E_CONFIG with the reason in err->msg (without
 * the URL, which may hold a secret).  TMON_E_INTERNAL if libcurl cannot
 * allocate a URL handle.
 */
enum tmon_rc	fetch_url_check(const char *url, enum fetch_url_kind kind,
		    struct tmon_err *err);

#endif /* TMON_FETCH_FETCH_H */
