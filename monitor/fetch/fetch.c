/*
 * fetch.c: HTTP(S) client on the libcurl multi interface.  See fetch.h
 * for the contract and the policy every request follows.
 */
#include <sys/queue.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "fetch.h"
#include "log.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

#define FETCH_USER_AGENT	"tmon/0.1"
#define AUTH_PREFIX		"Authorization: Bearer "
#define MAX_CONTENT_TYPE	256

struct xfer {
	struct fetch		*f;
	CURL			*easy;
	struct curl_slist	*hdrs;		/* owned; may hold the token */
	const char		*token;		/* inside hdrs, or NULL */
	struct buf		 body;
	struct buf		 headers;	/* final response's header block */
	size_t			 max_body;
	bool			 over_limit;
	/* the served certificates, read once per transfer (capture_tls) */
	bool			 tls_seen;
	bool			 has_tls_spki;
	uint8_t			 tls_spki_sha256[32];
	struct buf		 tls_chain;
	fetch_done_fn		 cb;
	void			*arg;
	struct timespec		 start;
	char			 errbuf[CURL_ERROR_SIZE];
	TAILQ_ENTRY(xfer)	 entry;
};

struct fetch {
	CURLM			*multi;
	TAILQ_HEAD(, xfer)	 xfers;
	size_t			 running;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("fetch: curl_global_init failed");
}

static int64_t
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

struct fetch *
fetch_new(void)
{
	struct fetch *f;

	if (pthread_once(&global_once, global_init) != 0)
		fatalx("fetch: pthread_once failed");
	f = xcalloc(1, sizeof(*f));
	if ((f->multi = curl_multi_init()) == NULL)
		fatalx("fetch: curl_multi_init failed");
	TAILQ_INIT(&f->xfers);
	return f;
}

/* Clear every header string (one of them may hold the token), free them. */
static void
free_headers(struct curl_slist *h)
{
	struct curl_slist *p;

	for (p = h; p != NULL; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

/* Detach x from its multi handle and free everything but the result. */
static void
xfer_free(struct xfer *x)
{
	if (x->easy != NULL) {
		if (x->f != NULL)
			curl_multi_remove_handle(x->f->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	free_headers(x->hdrs);
	x->token = NULL;
	buf_free(&x->body);
	buf_free(&x->headers);
	buf_free(&x->tls_chain);
	free(x);
}

void
fetch_free(struct fetch *f)
{
	struct xfer *x;

	if (f == NULL)
		return;
	while ((x = TAILQ_FIRST(&f->xfers)) != NULL) {
		TAILQ_REMOVE(&f->xfers, x, entry);
		xfer_free(x);
	}
	curl_multi_cleanup(f->multi);
	free(f);
}

/* The DER of certificate c appended to b; false when it does not fit. */
static bool
append_der(struct buf *b, X509 *c)
{
	unsigned char *der = NULL;
	bool ok;
	int n;

	if ((n = i2d_X509(c, &der)) <= 0)
		return false;
	/* checked first: a failed buf_append drops what b holds */
	ok = b->len + (size_t)n <= FETCH_MAX_TLS_CHAIN &&
	    buf_append(b, der, (size_t)n);
	OPENSSL_free(der);
	return ok;
}

/*
 * The certificates the server presented on the connection this transfer
 * uses (fetch.h, fetch_result.tls_chain).  Read from a header callback:
 * libcurl's TLS object (CURLINFO_TLS_SSL_PTR) is valid only while the
 * transfer holds its connection, and a reused connection does not shake
 * hands again, so this is the one place that sees it every time.
 */
static void
capture_tls(struct xfer *x)
{
	struct curl_tlssessioninfo *ti = NULL;
	STACK_OF(X509) *chain;
	unsigned char *der = NULL;
	X509 *leaf;
	SSL *ssl;
	int i, n;

	x->tls_seen = true;
	if (curl_easy_getinfo(x->easy, CURLINFO_TLS_SSL_PTR, &ti) !=
	    CURLE_OK || ti == NULL || ti->backend != CURLSSLBACKEND_OPENSSL ||
	    ti->internals == NULL)
		return;
	ssl = ti->internals;
	if ((leaf = SSL_get1_peer_certificate(ssl)) == NULL)
		return;
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &der);
	if (n > 0) {
		sha256(der, (size_t)n, x->tls_spki_sha256);
		x->has_tls_spki = true;
	}
	OPENSSL_free(der);
	/* a client's peer chain starts with the leaf; a resumed session
	 * may keep the leaf only */
	chain = SSL_get_peer_cert_chain(ssl);
	if (chain == NULL || sk_X509_num(chain) == 0 ||
	    X509_cmp(sk_X509_value(chain, 0), leaf) != 0) {
		(void)append_der(&x->tls_chain, leaf);
	} else
		for (i = 0; i < sk_X509_num(chain) &&
		    i < FETCH_MAX_TLS_CERTS; i++)
			if (!append_der(&x->tls_chain, sk_X509_value(chain,
			    i)))
				break;
	X509_free(leaf);
}

/*
 * Keep the header block of the final response only: a new status line
 * (after 1xx or a 3xx that is not followed) starts it again.  Bounded by
 * MAX_FETCH_HEADERS; beyond that the rest is dropped, not the transfer.
 */
static size_t
header_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;

	if (!x->tls_seen)
		capture_tls(x);
	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
		buf_reset(&x->headers);
	if (x->headers.len + n <= MAX_FETCH_HEADERS)
		(void)buf_append(&x->headers, ptr, n);
	return n;
}

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;	/* size is always 1 */

	if (x->over_limit)
		return 0;
	if (!buf_append(&x->body, ptr, n)) {
		/* buf_append freed what we had: memory stays bounded. */
		x->over_limit = true;
		return 0;	/* abort: CURLE_WRITE_ERROR */
	}
	return n;
}

/* Printable ASCII without spaces (RFC 6750 b64token is a subset). */
static bool
valid_token(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s != '\0'; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return false;
	return true;
}

/* Printable ASCII, spaces allowed, for a header value. */
static bool
valid_header_value(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s >= 0x7f)
			return false;
	return true;
}

/* "Name: value": an RFC 9110 token, ':', printable ASCII. */
static bool
valid_header_line(const char *s)
{
	const char *p;

	for (p = s; *p != '\0' && *p != ':'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') ||
		    strchr("!#$%&'*+-.^_`|~", *p) != NULL))
			return false;
	if (p == s || *p != ':')
		return false;
	return valid_header_value(p + 1, 2048) || p[1] == '\0';
}

/* Append n bytes of src to the NUL-terminated dst of size sz, cutting. */
static void
append(char *dst, size_t sz, const char *src, size_t n)
{
	size_t have = strlen(dst);

	if (have >= sz - 1)
		return;
	if (n > sz - 1 - have)
		n = sz - 1 - have;
	memcpy(dst + have, src, n);
	dst[have + n] = '\0';
}

/* Replace every occurrence of tok in s (size sz) by "[redacted]". */
static void
redact(char *s, size_t sz, const char *tok)
{
	char out[256];
	size_t tlen;
	const char *p, *hit;

	if (tok == NULL || (tlen = strlen(tok)) == 0 || strstr(s, tok) == NULL)
		return;
	out[0] = '\0';
	for (p = s; (hit = strstr(p, tok)) != NULL; p = hit + tlen) {
		append(out, sizeof(out), p, (size_t)(hit - p));
		append(out, sizeof(out), "[redacted]", strlen("[redacted]"));
	}
	append(out, sizeof(out), p, strlen(p));
	s[0] = '\0';
	append(s, sz, out, strlen(out));
	explicit_bzero(out, sizeof(out));
	/* A cut can only shorten a token, never complete one: be certain. */
	if (strstr(s, tok) != NULL) {
		s[0] = '\0';
		append(s, sz, "[redacted]", strlen("[redacted]"));
	}
}

static enum tmon_rc
map_curl(CURLcode c, bool over_limit)
{
	switch (c) {
	case CURLE_OK:
		return TMON_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return TMON_E_TIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return TMON_E_LIMIT;
	case CURLE_WRITE_ERROR:
		return over_limit ? TMON_E_LIMIT : TMON_E_INTERNAL;
	case CURLE_UNSUPPORTED_PROTOCOL:
		return TMON_E_UNSUPPORTED;
	case CURLE_URL_MALFORMAT:
		return TMON_E_CONFIG;
	case CURLE_OUT_OF_MEMORY:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_FAILED_INIT:
		return TMON_E_INTERNAL;
	default:
		/* DNS, connect, TLS, send/recv, partial file, HTTP/2... */
		return TMON_E_NET;
	}
}

static void
set_content_type(struct fetch_result *res, CURL *easy)
{
	char *ct = NULL;
	size_t i;

	res->content_type[0] = '\0';
	if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK ||
	    ct == NULL)
		return;
	for (i = 0; ct[i] != '\0' && i < sizeof(res->content_type) - 1; i++)
		res->content_type[i] = (ct[i] >= 0x20 && ct[i] < 0x7f) ?
		    ct[i] : '?';
	res->content_type[i] = '\0';
}

/* A transfer ended: build its result, free it, run its callback. */
static void
finish(struct fetch *f, struct xfer *x, CURLcode code)
{
	struct fetch_result res;
	fetch_done_fn cb = x->cb;
	void *arg = x->arg;
	const char *what;
	long status = 0;

	memset(&res, 0, sizeof(res));
	res.rc = map_curl(code, x->over_limit);
	if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status) ==
	    CURLE_OK)
		res.status = status;
	set_content_type(&res, x->easy);
	res.duration_ms = elapsed_ms(&x->start);
	if (res.rc == TMON_OK) {
		res.body = buf_release(&x->body, &res.body_len);
		res.headers = (char *)buf_release(&x->headers,
		    &res.headers_len);
		res.has_tls_spki = x->has_tls_spki;
		memcpy(res.tls_spki_sha256, x->tls_spki_sha256, 32);
		if (x->tls_chain.len > 0)
			res.tls_chain = buf_release(&x->tls_chain,
			    &res.tls_chain_len);
	} else {
		buf_free(&x->body);
		if (res.rc == TMON_E_LIMIT)
			snprintf(res.error, sizeof(res.error), "response body "
			    "larger than %zu bytes", x->max_body);
		else {
			what = curl_easy_strerror(code);
			append(res.error, sizeof(res.error), what, strlen(what));
			if (x->errbuf[0] != '\0') {
				append(res.error, sizeof(res.error), ": ", 2);
				append(res.error, sizeof(res.error), x->errbuf,
				    strnlen(x->errbuf, sizeof(x->errbuf)));
			}
		}
		redact(res.error, sizeof(res.error), x->token);
	}
	TAILQ_REMOVE(&f->xfers, x, entry);
	f->running--;
	xfer_free(x);	/* clears the token before the callback runs */
	cb(&res, arg);
	fetch_result_free(&res);
}

enum tmon_rc
fetch_start(struct fetch *f, const struct fetch_req *req, fetch_done_fn cb,
    void *arg, struct tmon_err *err)
{
	struct xfer *x = NULL;
	struct curl_slist *h;
	const char *method = req->method != NULL ? req->method : "GET";
	char *line = NULL;
	size_t n, max_body;
	long cto, to;
	bool post, ok = true;
	enum tmon_rc rc = TMON_E_INTERNAL;

	if (req->url == NULL || strlen(req->url) > MAX_URL) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "fetch: url missing or "
		    "longer than %u bytes", (unsigned)MAX_URL);
		goto out;
	}
	if (strncasecmp(req->url, "http://", 7) != 0 &&
	    strncasecmp(req->url, "https://", 8) != 0) {
		rc = tmon_err_set(err, TMON_E_UNSUPPORTED, "fetch: only http "
		    "and https URLs are fetched");
		goto out;
	}
	if (!valid_token(req->url, MAX_URL)) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "fetch: url holds "
		    "spaces, control or non-ASCII characters");
		goto out;
	}
	if (strcmp(method, "GET") == 0)
		post = false;
	else if (strcmp(method, "POST") == 0)
		post = true;
	else {
		rc = tmon_err_set(err, TMON_E_UNSUPPORTED, "fetch: method "
		    "must be GET or POST");
		goto out;
	}
	if (req->bearer_token != NULL &&
	    !valid_token(req->bearer_token, MAX_BEARER_TOKEN)) {
		/* Never print the token, not even a bad one. */
		rc = tmon_err_set(err, TMON_E_CONFIG, "fetch: bearer token "
		    "empty, longer than %u bytes or not printable ASCII",
		    (unsigned)MAX_BEARER_TOKEN);
		goto out;
	}
	if (!post && (req->body_len > 0 || req->content_type != NULL)) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "fetch: a GET takes no "
		    "body");
		goto out;
	}
	if (req->body_len > MAX_FETCH_REQUEST_BODY) {
		rc = tmon_err_set(err, TMON_E_LIMIT, "fetch: request body "
		    "larger than %u bytes", (unsigned)MAX_FETCH_REQUEST_BODY);
		goto out;
	}
	if (req->body_len > 0 && req->body == NULL) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "fetch: body_len "
		    "without body");
		goto out;
	}
	if (req->content_type != NULL &&
	    !valid_header_value(req->content_type, MAX_CONTENT_TYPE)) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "fetch: bad "
		    "content_type");
		goto out;
	}
	for (n = 0; n < req->n_headers; n++)
		if (n >= MAX_WEBHOOK_HEADERS + 4 ||
		    !valid_header_line(req->headers[n])) {
			rc = tmon_err_set(err, TMON_E_CONFIG, "fetch: bad "
			    "header line %zu", n);
			goto out;
		}
	if (req->connect_timeout_ms < 0 || req->timeout_ms < 0) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "fetch: negative "
		    "timeout");
		goto out;
	}
	if (f->running >= MAX_FETCH_INFLIGHT) {
		rc = tmon_err_set(err, TMON_E_LIMIT, "fetch: %u transfers "
		    "already in flight", (unsigned)MAX_FETCH_INFLIGHT);
		goto out;
	}
	cto = req->connect_timeout_ms > 0 ? req->connect_timeout_ms :
	    FETCH_DEFAULT_CONNECT_TIMEOUT_MS;
	to = req->timeout_ms > 0 ? req->timeout_ms : FETCH_DEFAULT_TIMEOUT_MS;
	max_body = req->max_body > 0 ? req->max_body : MAX_UPSTREAM_BODY;

	x = xcalloc(1, sizeof(*x));
	x->f = NULL;	/* not attached to the multi handle yet */
	x->cb = cb;
	x->arg = arg;
	buf_init(&x->body, max_body);
	buf_init(&x->headers, MAX_FETCH_HEADERS);
	buf_init(&x->tls_chain, FETCH_MAX_TLS_CHAIN);
	x->max_body = max_body;
	if ((x->easy = curl_easy_init()) == NULL) {
		rc = tmon_err_set(err, TMON_E_INTERNAL, "fetch: "
		    "curl_easy_init failed");
		goto out;
	}

	/* Headers: the token line is built, copied by libcurl, cleared. */
	if (req->bearer_token != NULL) {
		n = strlen(AUTH_PREFIX) + strlen(req->bearer_token) + 1;
		line = xmalloc(n);
		snprintf(line, n, "%s%s", AUTH_PREFIX, req->bearer_token);
		h = curl_slist_append(x->hdrs, line);
		explicit_bzero(line, n);
		if (h == NULL) {
			rc = tmon_err_set(err, TMON_E_INTERNAL, "fetch: "
			    "header list");
			goto out;
		}
		x->hdrs = h;
		/* The list was empty: h, its head, is the new node. */
		x->token = h->data + strlen(AUTH_PREFIX);
	}
	for (n = 0; n < req->n_headers; n++) {
		if ((h = curl_slist_append(x->hdrs, req->headers[n])) ==
		    NULL) {
			rc = tmon_err_set(err, TMON_E_INTERNAL, "fetch: "
			    "header list");
			goto out;
		}
		x->hdrs = h;
	}
	if (post) {
		/*
		 * An absent content_type sends an empty "Content-Type:",
		 * which removes libcurl's form-urlencoded default; "Expect:"
		 * with no value stops the 100-continue round trip.
		 */
		free(line);
		n = strlen("Content-Type: ") + (req->content_type != NULL ?
		    strlen(req->content_type) : 0) + 1;
		line = xmalloc(n);
		if (req->content_type != NULL)
			snprintf(line, n, "Content-Type: %s",
			    req->content_type);
		else
			snprintf(line, n, "Content-Type:");
		if ((h = curl_slist_append(x->hdrs, line)) == NULL) {
			rc = tmon_err_set(err, TMON_E_INTERNAL, "fetch: "
			    "header list");
			goto out;
		}
		x->hdrs = h;
		if ((h = curl_slist_append(x->hdrs, "Expect:")) == NULL) {
			rc = tmon_err_set(err, TMON_E_INTERNAL, "fetch: "
			    "header list");
			goto out;
		}
		x->hdrs = h;
	}

#define SETOPT(o, v) ok = ok && curl_easy_setopt(x->easy, o, v) == CURLE_OK
	SETOPT(CURLOPT_URL, req->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(CURLOPT_USERAGENT, FETCH_USER_AGENT);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_VERBOSE, 0L);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, cto);
	SETOPT(CURLOPT_TIMEOUT_MS, to);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
	SETOPT(CURLOPT_WRITEFUNCTION, write_cb);
	SETOPT(CURLOPT_HEADERFUNCTION, header_cb);
	SETOPT(CURLOPT_HEADERDATA, x);
	SETOPT(CURLOPT_WRITEDATA, x);
	SETOPT(CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(CURLOPT_PRIVATE, x);
	if (req->ca_file != NULL) {
		SETOPT(CURLOPT_CAINFO, req->ca_file);
		SETOPT(CURLOPT_CAPATH, NULL);
	}
	if (x->hdrs != NULL)
		SETOPT(CURLOPT_HTTPHEADER, x->hdrs);
	if (post) {
		SETOPT(CURLOPT_POST, 1L);
		SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		/* Copies body_len bytes: the caller's buffer may go. */
		SETOPT(CURLOPT_COPYPOSTFIELDS, req->body_len > 0 ?
		    (const char *)req->body : "");
	} else
		SETOPT(CURLOPT_HTTPGET, 1L);
#undef SETOPT
	if (!ok) {
		rc = tmon_err_set(err, TMON_E_INTERNAL, "fetch: libcurl "
		    "refused an option");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &x->start);
	if (curl_multi_add_handle(f->multi, x->easy) != CURLM_OK) {
		rc = tmon_err_set(err, TMON_E_INTERNAL, "fetch: "
		    "curl_multi_add_handle failed");
		goto out;
	}
	x->f = f;
	TAILQ_INSERT_TAIL(&f->xfers, x, entry);
	f->running++;
	x = NULL;
	rc = TMON_OK;
out:
	if (line != NULL) {
		explicit_bzero(line, strlen(line));
		free(line);
	}
	if (x != NULL)
		xfer_free(x);
	return rc;
}

/* Run callbacks of finished transfers; returns how many finished. */
static int
drain(struct fetch *f)
{
	CURLMsg *msg;
	struct xfer *x;
	char *priv;
	int left, done = 0;

	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		TMON_ASSERT(priv != NULL);
		x = (struct xfer *)(void *)priv;
		finish(f, x, msg->data.result);
		done++;
	}
	return done;
}

int
fetch_poll(struct fetch *f, int timeout_ms)
{
	int still = 0;

	curl_multi_perform(f->multi, &still);
	if (drain(f) > 0)
		return (int)f->running;
	if (timeout_ms > 0)
		curl_multi_poll(f->multi, NULL, 0, timeout_ms, NULL);
	curl_multi_perform(f->multi, &still);
	drain(f);
	return (int)f->running;
}

size_t
fetch_running(const struct fetch *f)
{
	return f->running;
}

static void
sync_done(struct fetch_result *res, void *arg)
{
	struct fetch_result *out = arg;

	fetch_result_move(out, res);
}

enum tmon_rc
fetch_sync(const struct fetch_req *req, struct fetch_result *res,
    struct tmon_err *err)
{
	struct fetch *f;
	struct tmon_err e;
	enum tmon_rc rc;

	memset(res, 0, sizeof(*res));
	tmon_err_clear(&e);
	f = fetch_new();
	rc = fetch_start(f, req, sync_done, res, &e);
	if (rc != TMON_OK) {
		res->rc = rc;
		snprintf(res->error, sizeof(res->error), "%s", e.msg);
	} else {
		while (fetch_running(f) > 0)
			fetch_poll(f, 1000);
		rc = res->rc;
	}
	fetch_free(f);
	if (rc != TMON_OK)
		tmon_err_set(err, rc, "%s", res->error);
	return rc;
}

void
fetch_result_move(struct fetch_result *dst, struct fetch_result *src)
{
	*dst = *src;
	src->body = NULL;
	src->body_len = 0;
	src->headers = NULL;
	src->headers_len = 0;
	src->tls_chain = NULL;
	src->tls_chain_len = 0;
}

void
fetch_result_free(struct fetch_result *res)
{
	free(res->body);
	res->body = NULL;
	res->body_len = 0;
	free(res->headers);
	res->headers = NULL;
	res->headers_len = 0;
	free(res->tls_chain);
	res->tls_chain = NULL;
	res->tls_chain_len = 0;
}

char *
fetch_header_dup(const struct fetch_result *res, const char *name)
{
	const char *p, *end, *eol, *v;
	size_t nlen = strlen(name);

	if (res->headers == NULL)
		return NULL;
	p = res->headers;
	end = res->headers + res->headers_len;
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((size_t)(eol - p) > nlen && p[nlen] == ':' &&
		    strncasecmp(p, name, nlen) == 0) {
			v = p + nlen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			end = eol;
			while (end > v && (end[-1] == '\r' || end[-1] == ' '))
				end--;
			return xstrndup(v, (size_t)(end - v));
		}
		if (eol == end)
			break;
	}
	return NULL;
}

/* RFC 3986 section 2: unreserved, reserved and '%' (pct-encoded). */
static bool
url_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

enum tmon_rc
fetch_url_check(const char *url, enum fetch_url_kind kind,
    struct tmon_err *err)
{
	CURLU *u = NULL;
	CURLUcode uc;
	char *part = NULL;
	uint64_t port;
	size_t i, n = strlen(url), max;
	enum tmon_rc rc = TMON_E_CONFIG;

	max = kind == FETCH_URL_BASE ? MAX_BASE_URL : MAX_URL;
	if (n == 0 || n > max)
		return tmon_err_set(err, TMON_E_CONFIG, "must be 1 to %zu bytes",
		    max);
	for (i = 0; i < n; i++)
		if (!url_char_ok((unsigned char)url[i]))
			return tmon_err_set(err, TMON_E_CONFIG, "byte 0x%02x at "
			    "offset %zu cannot appear in a URL (RFC 3986 "
			    "section 2: no space, CR, LF or control "
			    "character; percent-encode anything else)",
			    (unsigned char)url[i], i);
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return tmon_err_set(err, TMON_E_CONFIG, "must start with "
		    "http:// or https://");
	if (strchr(url, '#') != NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "must not have a "
		    "fragment (\"#...\")");
	if (kind == FETCH_URL_BASE && strchr(url, '?') != NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "must not have a query "
		    "(\"?...\"): request paths are appended to it");
	if ((u = curl_url()) == NULL)
		return tmon_err_set(err, TMON_E_INTERNAL, "curl_url failed");
	if ((uc = curl_url_set(u, CURLUPART_URL, url, 0)) != CURLUE_OK) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "not a valid URL: %s",
		    curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_OPTIONS, &part, 0) == CURLUE_OK) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "must not hold a user "
		    "name or password (\"user:password@\"): it would be "
		    "logged and archived with every entry");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &part, 0) != CURLUE_OK ||
	    part[0] == '\0') {
		rc = tmon_err_set(err, TMON_E_CONFIG, "has no host");
		goto out;
	}
	curl_free(part);
	part = NULL;
	if (curl_url_get(u, CURLUPART_PORT, &part, 0) == CURLUE_OK &&
	    !parse_u64(part, 1, 65535, &port)) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "port must be 1 to 65535");
		goto out;
	}
	rc = TMON_OK;
out:
	curl_free(part);
	curl_url_cleanup(u);
	return rc;
}
