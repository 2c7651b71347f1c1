#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "collateral.h"
#include "encode.h"
#include "log.h"
#include "probe.h"
#include "tdx_collateral.h"
#include "tdx_quote.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

#define REFRESH_MARGIN_S	(24 * 3600)
#define RETRY_FAILED_S		600
#define RETRY_STALE_S		3600

enum doc {
	DOC_TCB_INFO,
	DOC_QE_IDENTITY,
	DOC_PCK_CRL,
	DOC_ROOT_CA_CRL,
	NDOCS
};

static const char *const doc_names[NDOCS] = { "tcb_info", "qe_identity",
    "pck_crl", "root_ca_crl" };
static const char *const doc_chain_header[NDOCS] = { "TCB-Info-Issuer-Chain",
    "SGX-Enclave-Identity-Issuer-Chain", "SGX-PCK-CRL-Issuer-Chain", NULL };

struct coll_fetch;

struct coll_slot {
	struct coll_fetch	*cf;		/* the fetch in flight, or NULL */
	uint8_t			 fmspc[6];
	int			 ca;
	struct tdx_collateral	*col;		/* verified, or NULL */
	int64_t			 next_update;
	int64_t			 last_attempt;
	bool			 last_failed;
	bool			 in_flight;
};

struct coll_fetch {
	struct coll_cache	*c;
	struct coll_slot	*slot;
	struct store		*st;
	int64_t			 now;
	char			*url[NDOCS];
	struct fetch_result	 res[NDOCS];
	struct coll_doc		*docs[NDOCS];	/* callback args still out */
	int			 pending;
	void			(*done)(void *);
	void			*arg;
};

struct coll_doc {
	struct coll_fetch	*cf;
	enum doc		 which;
};

struct coll_cache {
	char			*base;
	char			*root_crl_url;
	uint8_t			*test_root;
	size_t			 test_root_len;
	long			 timeout_ms;
	size_t			 max_body;
	struct coll_slot	*slots;
	size_t			 nslots;
};

static void
coll_fetch_free(struct coll_fetch *cf)
{
	size_t i;

	for (i = 0; i < NDOCS; i++) {
		free(cf->docs[i]);
		free(cf->url[i]);
		fetch_result_free(&cf->res[i]);
	}
	free(cf);
}

struct coll_cache *
coll_cache_new(const struct coll_cache_cfg *cfg)
{
	struct coll_cache *c = xcalloc(1, sizeof(*c));

	c->base = xstrdup(cfg->pcs_base_url);
	c->root_crl_url = xstrdup(cfg->root_ca_crl_url);
	if (cfg->test_root_der != NULL) {
		c->test_root = xmemdup(cfg->test_root_der,
		    cfg->test_root_der_len);
		c->test_root_len = cfg->test_root_der_len;
	}
	c->timeout_ms = cfg->timeout_ms;
	c->max_body = cfg->max_body;
	return c;
}

void
coll_cache_free(struct coll_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nslots; i++) {
		tdx_collateral_free(c->slots[i].col);
		/* transfers aborted by fetch_free never called back */
		if (c->slots[i].cf != NULL)
			coll_fetch_free(c->slots[i].cf);
	}
	free(c->slots);
	free(c->base);
	free(c->root_crl_url);
	free(c->test_root);
	free(c);
}

static struct coll_slot *
find_slot(struct coll_cache *c, const uint8_t fmspc[6], int ca, bool create)
{
	size_t i;

	for (i = 0; i < c->nslots; i++)
		if (memcmp(c->slots[i].fmspc, fmspc, 6) == 0 &&
		    c->slots[i].ca == ca)
			return &c->slots[i];
	if (!create || c->nslots >= MAX_COLLATERAL_SLOTS)
		return NULL;
	c->slots = xreallocarray(c->slots, c->nslots + 1, sizeof(*c->slots));
	memset(&c->slots[c->nslots], 0, sizeof(c->slots[0]));
	memcpy(c->slots[c->nslots].fmspc, fmspc, 6);
	c->slots[c->nslots].ca = ca;
	return &c->slots[c->nslots++];
}

const struct tdx_collateral *
coll_cache_lookup(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	struct coll_slot *s = find_slot(arg, fmspc, pck_ca, false);

	return s != NULL ? s->col : NULL;
}

bool
coll_cache_wants(struct coll_cache *c, const uint8_t fmspc[6], int pck_ca,
    int64_t now)
{
	struct coll_slot *s;

	if (pck_ca != TDX_PCK_CA_PLATFORM && pck_ca != TDX_PCK_CA_PROCESSOR)
		return false;
	s = find_slot(c, fmspc, pck_ca, false);
	if (s == NULL)
		return true;
	if (s->in_flight)
		return false;
	if (s->last_failed)
		return now - s->last_attempt >= RETRY_FAILED_S;
	if (s->col != NULL && now < s->next_update - REFRESH_MARGIN_S)
		return false;
	/* stale or about to be: refetch, but not on every probe when the
	 * served copy itself is already past its nextUpdate */
	return now - s->last_attempt >= (s->col != NULL &&
	    now >= s->next_update ? RETRY_STALE_S : RETRY_FAILED_S);
}

/* URL-decoded copy of an issuer-chain header (libcurl's decoder). */
static char *
chain_header(const struct fetch_result *r, const char *name)
{
	char *raw = fetch_header_dup(r, name), *dec, *out = NULL;
	int n = 0;

	if (raw == NULL)
		return NULL;
	dec = curl_easy_unescape(NULL, raw, (int)strlen(raw), &n);
	if (dec != NULL && n > 0 && strlen(dec) == (size_t)n)
		out = xstrdup(dec);
	curl_free(dec);
	free(raw);
	return out;
}

static json_t *
doc_json(const struct coll_fetch *cf, enum doc d, struct store_blob_in *b,
    size_t *nb)
{
	const struct fetch_result *r = &cf->res[d];
	uint8_t h[32];
	char hex[65];
	json_t *o;

	o = json_pack("{s:s, s:I}", "url", cf->url[d] != NULL ? cf->url[d] :
	    "", "status", (json_int_t)r->status);
	json_object_set_new(o, "error", r->rc != TMON_OK ?
	    json_string(r->error) : json_null());
	/* An empty body is no blob (the store keeps 1 byte or more). */
	if (r->body != NULL && r->body_len > 0) {
		sha256(r->body, r->body_len, h);
		json_object_set_new(o, "body_sha256",
		    json_string(hex_encode(h, 32, hex)));
		b[*nb].data = r->body;
		b[*nb].len = r->body_len;
		b[(*nb)++].media_type = r->content_type[0] != '\0' ?
		    r->content_type : "application/octet-stream";
	}
	if (r->headers != NULL && r->headers_len > 0) {
		sha256(r->headers, r->headers_len, h);
		json_object_set_new(o, "headers_sha256",
		    json_string(hex_encode(h, 32, hex)));
		b[*nb].data = (const uint8_t *)r->headers;
		b[*nb].len = r->headers_len;
		b[(*nb)++].media_type = "message/http";
	}
	return o;
}

static void
all_done(struct coll_fetch *cf)
{
	struct coll_cache *c = cf->c;
	struct coll_slot *s = cf->slot;
	struct tdx_collateral_src src;
	struct tdx_collateral *col = NULL;
	struct store_blob_in blobs[2 * NDOCS];
	struct store_entry_in in;
	struct store_appended app;
	struct tmon_err err, serr;
	char *chain[NDOCS] = { NULL }, fhex[13], t1[32], t2[32];
	uint8_t *rootcrl = NULL;
	size_t nb = 0, rootcrl_len = 0;
	json_t *o, *docs;
	uint8_t *body;
	size_t len, i;
	enum tmon_rc rc = TMON_E_NET;
	const char *verdict;

	tmon_err_clear(&err);
	for (i = 0; i < NDOCS; i++) {
		if (cf->res[i].rc != TMON_OK || cf->res[i].status != 200) {
			if (cf->res[i].rc != TMON_OK)
				tmon_err_set(&err, cf->res[i].rc, "%s: %s",
				    doc_names[i], cf->res[i].error);
			else
				tmon_err_set(&err, TMON_E_HTTP, "%s: HTTP %ld",
				    doc_names[i], cf->res[i].status);
			goto build_entry;
		}
		if (doc_chain_header[i] != NULL &&
		    (chain[i] = chain_header(&cf->res[i],
		    doc_chain_header[i])) == NULL) {
			tmon_err_set(&err, TMON_E_PARSE, "%s: no %s header",
			    doc_names[i], doc_chain_header[i]);
			rc = TMON_E_PARSE;
			goto build_entry;
		}
	}
	/* Intel serves the Root CA CRL as DER; a PCCS as hex text. */
	if (cf->res[DOC_ROOT_CA_CRL].body_len > 0 &&
	    is_hex_text((const char *)cf->res[DOC_ROOT_CA_CRL].body,
	    cf->res[DOC_ROOT_CA_CRL].body_len))
		rootcrl = hex_decode_alloc(
		    (const char *)cf->res[DOC_ROOT_CA_CRL].body,
		    cf->res[DOC_ROOT_CA_CRL].body_len, MAX_UPSTREAM_BODY, true,
		    &rootcrl_len);
	memset(&src, 0, sizeof(src));
	src.tcb_info_body = cf->res[DOC_TCB_INFO].body;
	src.tcb_info_body_len = cf->res[DOC_TCB_INFO].body_len;
	src.tcb_info_issuer_chain = chain[DOC_TCB_INFO];
	src.qe_identity_body = cf->res[DOC_QE_IDENTITY].body;
	src.qe_identity_body_len = cf->res[DOC_QE_IDENTITY].body_len;
	src.qe_identity_issuer_chain = chain[DOC_QE_IDENTITY];
	src.pck_crl = cf->res[DOC_PCK_CRL].body;
	src.pck_crl_len = cf->res[DOC_PCK_CRL].body_len;
	src.pck_crl_issuer_chain = chain[DOC_PCK_CRL];
	src.root_ca_crl = rootcrl != NULL ? rootcrl :
	    cf->res[DOC_ROOT_CA_CRL].body;
	src.root_ca_crl_len = rootcrl != NULL ? rootcrl_len :
	    cf->res[DOC_ROOT_CA_CRL].body_len;
	rc = c->test_root != NULL ?
	    tdx_collateral_from_pcs_root(&src, c->test_root, c->test_root_len,
	    &col, &err) : tdx_collateral_from_pcs(&src, &col, &err);

build_entry:
	verdict = rc == TMON_OK ? "pass" : (rc == TMON_E_NET ||
	    rc == TMON_E_TIMEOUT || rc == TMON_E_HTTP ||
	    rc == TMON_E_CRYPTO_LIB || rc == TMON_E_INTERNAL) ? "error" :
	    "fail";
	o = json_object();
	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "kind", json_string("collateral"));
	json_object_set_new(o, "time", json_integer((json_int_t)cf->now));
	json_object_set_new(o, "fmspc",
	    json_string(hex_encode(s->fmspc, 6, fhex)));
	json_object_set_new(o, "ca", json_string(s->ca ==
	    TDX_PCK_CA_PROCESSOR ? "processor" : "platform"));
	json_object_set_new(o, "test_pki", json_boolean(c->test_root != NULL));
	docs = json_object();
	memset(blobs, 0, sizeof(blobs));
	for (i = 0; i < NDOCS; i++)
		json_object_set_new(docs, doc_names[i],
		    doc_json(cf, (enum doc)i, blobs, &nb));
	json_object_set_new(o, "documents", docs);
	json_object_set_new(o, "verdict", json_string(verdict));
	json_object_set_new(o, "error", rc != TMON_OK ? json_string(err.msg) :
	    json_null());
	if (col != NULL) {
		json_object_set_new(o, "issue_date", json_string(fmt_time(
		    tdx_collateral_issue_date(col), t1, sizeof(t1))));
		json_object_set_new(o, "next_update", json_string(fmt_time(
		    tdx_collateral_next_update(col), t2, sizeof(t2))));
	}
	body = entry_canonical(o, &len);
	json_decref(o);
	memset(&in, 0, sizeof(in));
	in.kind = "collateral";
	in.time = cf->now;
	in.verdict = verdict;
	in.body = body;
	in.body_len = len;
	tmon_err_clear(&serr);
	if (store_append(cf->st, blobs, nb, &in, 1, &app, &serr) != TMON_OK)
		log_warnx("store: collateral entry not logged: %s", serr.msg);
	else
		log_info("collateral: fmspc=%s verdict=%s seq=%llu%s%s", fhex,
		    verdict, (unsigned long long)app.seq, rc != TMON_OK ?
		    " error=" : "", rc != TMON_OK ? err.msg : "");
	free(body);

	s->last_attempt = cf->now;
	s->in_flight = false;
	s->cf = NULL;
	s->last_failed = rc != TMON_OK;
	if (col != NULL) {
		tdx_collateral_free(s->col);
		s->col = col;
		s->next_update = tdx_collateral_next_update(col);
	}
	for (i = 0; i < NDOCS; i++)
		free(chain[i]);
	free(rootcrl);
	if (cf->done != NULL)
		cf->done(cf->arg);
	coll_fetch_free(cf);
}

static void
doc_done(struct fetch_result *res, void *arg)
{
	struct coll_doc *cd = arg;
	struct coll_fetch *cf = cd->cf;

	fetch_result_move(&cf->res[cd->which], res);
	cf->docs[cd->which] = NULL;
	free(cd);
	if (--cf->pending == 0)
		all_done(cf);
}

static char *
join3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *p = xmalloc(n);

	snprintf(p, n, "%s%s%s", a, b, c);
	return p;
}

enum tmon_rc
coll_cache_refresh(struct coll_cache *c, struct fetch *f, struct store *st,
    const uint8_t fmspc[6], int pck_ca, int64_t now, void (*done)(void *),
    void *arg, struct tmon_err *err)
{
	struct coll_slot *s = find_slot(c, fmspc, pck_ca, true);
	struct coll_fetch *cf;
	struct coll_doc *cd;
	struct fetch_req req;
	char fhex[13];
	size_t i, started = 0;

	if (s == NULL)
		return tmon_err_set(err, TMON_E_LIMIT, "collateral: more than "
		    "%d FMSPC/CA pairs", MAX_COLLATERAL_SLOTS);
	if (s->in_flight)
		return tmon_err_set(err, TMON_E_INTERNAL, "collateral: fetch "
		    "already in flight");
	hex_encode(fmspc, 6, fhex);
	cf = xcalloc(1, sizeof(*cf));
	cf->c = c;
	cf->slot = s;
	cf->st = st;
	cf->now = now;
	cf->done = done;
	cf->arg = arg;
	cf->url[DOC_TCB_INFO] = join3(c->base,
	    "/tdx/certification/v4/tcb?fmspc=", fhex);
	cf->url[DOC_QE_IDENTITY] = join3(c->base,
	    "/tdx/certification/v4/qe/identity", "");
	cf->url[DOC_PCK_CRL] = join3(c->base,
	    "/sgx/certification/v4/pckcrl?ca=", pck_ca == TDX_PCK_CA_PROCESSOR ?
	    "processor&encoding=der" : "platform&encoding=der");
	cf->url[DOC_ROOT_CA_CRL] = xstrdup(c->root_crl_url);
	/* pending counts the documents still out, plus one for this
	 * function, so no callback can complete the fetch before every
	 * request has been started */
	cf->pending = NDOCS + 1;
	s->in_flight = true;
	s->cf = cf;
	for (i = 0; i < NDOCS; i++) {
		memset(&req, 0, sizeof(req));
		req.url = cf->url[i];
		req.method = "GET";
		req.timeout_ms = c->timeout_ms;
		req.max_body = c->max_body;
		cd = xcalloc(1, sizeof(*cd));
		cd->cf = cf;
		cd->which = (enum doc)i;
		cf->docs[i] = cd;
		if (fetch_start(f, &req, doc_done, cd, err) != TMON_OK) {
			cf->docs[i] = NULL;
			free(cd);
			cf->res[i].rc = TMON_E_INTERNAL;
			snprintf(cf->res[i].error, sizeof(cf->res[i].error),
			    "request not started");
			cf->pending--;
			continue;
		}
		started++;
	}
	if (started == 0)
		log_warnx("collateral: no request could be started for "
		    "fmspc=%s: %s", fhex, err != NULL ? err->msg : "");
	if (--cf->pending == 0)
		all_done(cf);
	return TMON_OK;
}
