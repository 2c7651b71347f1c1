#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "encode.h"
#include "entry.h"
#include "log.h"
#include "pcs_client.h"
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
_Static_assert(NDOCS == PCS_NDOCS, "the documents of pcs_client.h");

const char *const pcs_doc_names[PCS_NDOCS] = { "tcb_info", "qe_identity",
    "pck_crl", "root_ca_crl" };
static const char *const doc_chain_header[NDOCS] = { "TCB-Info-Issuer-Chain",
    "SGX-Enclave-Identity-Issuer-Chain", "SGX-PCK-CRL-Issuer-Chain", NULL };

struct coll_fetch;

/*
 * One (FMSPC, CA) pair.  Slots are allocated one by one and are neither
 * moved nor freed before pcs_client_free(), so a fetch in flight may keep
 * a pointer to its slot across fetch_poll() callbacks while other pairs
 * are added.
 */
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
	struct pcs_client	*c;
	struct coll_slot	*slot;
	uint8_t			 fmspc[6];	/* what was asked for */
	int			 ca;
	struct store_writer	*w;
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

struct pcs_client {
	char			*base;
	char			*root_crl_url;
	uint8_t			*test_root;
	size_t			 test_root_len;
	long			 timeout_ms;
	size_t			 max_body;
	struct coll_slot	**slots;	/* each slot its own allocation */
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

struct pcs_client *
pcs_client_new(const struct pcs_client_cfg *cfg)
{
	struct pcs_client *c = xcalloc(1, sizeof(*c));

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
pcs_client_free(struct pcs_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nslots; i++) {
		tdx_collateral_free(c->slots[i]->col);
		/* transfers aborted by fetch_free never called back */
		if (c->slots[i]->cf != NULL)
			coll_fetch_free(c->slots[i]->cf);
		free(c->slots[i]);
	}
	free(c->slots);
	free(c->base);
	free(c->root_crl_url);
	free(c->test_root);
	free(c);
}

static struct coll_slot *
find_slot(struct pcs_client *c, const uint8_t fmspc[6], int ca, bool create)
{
	struct coll_slot *s;
	size_t i;

	for (i = 0; i < c->nslots; i++)
		if (memcmp(c->slots[i]->fmspc, fmspc, 6) == 0 &&
		    c->slots[i]->ca == ca)
			return c->slots[i];
	if (!create || c->nslots >= MAX_COLLATERAL_SLOTS)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	memcpy(s->fmspc, fmspc, 6);
	s->ca = ca;
	c->slots = xreallocarray(c->slots, c->nslots + 1, sizeof(*c->slots));
	c->slots[c->nslots++] = s;
	return s;
}

const struct tdx_collateral *
pcs_client_lookup(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	struct coll_slot *s = find_slot(arg, fmspc, pck_ca, false);

	return s != NULL ? s->col : NULL;
}

bool
pcs_client_wants(struct pcs_client *c, const uint8_t fmspc[6], int pck_ca,
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

static const char *
ca_name(int ca)
{
	return ca == TDX_PCK_CA_PROCESSOR ? "processor" : "platform";
}

/* One document of a collateral entry (pcs_client.h). */
void
collateral_doc_entry(const struct fetch_result *r, const char *name,
    const char *url, struct entry_coll_doc *e, uint8_t h[2][32],
    struct store_blob_in *b, size_t *nb)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->url = url;
	e->status = r->status;
	e->error = r->rc != TMON_OK ? r->error : NULL;
	/* a blob only for bytes that arrived: an empty body has none */
	e->has_body = r->body != NULL;
	e->body_len = r->body_len;
	if (r->body != NULL && r->body_len > 0) {
		sha256(r->body, r->body_len, h[0]);
		e->body_sha256 = h[0];
		b[*nb].data = r->body;
		b[*nb].len = r->body_len;
		b[(*nb)++].media_type = r->content_type[0] != '\0' ?
		    r->content_type : "application/octet-stream";
	}
	if (r->headers != NULL && r->headers_len > 0) {
		sha256(r->headers, r->headers_len, h[1]);
		e->headers_sha256 = h[1];
		b[*nb].data = (const uint8_t *)r->headers;
		b[*nb].len = r->headers_len;
		b[(*nb)++].media_type = "message/http";
	}
}

void
pcs_judge(const struct fetch_result res[PCS_NDOCS], const uint8_t fmspc[6],
    int pck_ca, const uint8_t *test_root_der, size_t test_root_der_len,
    struct pcs_judgement *out)
{
	const struct fetch_result *r;
	struct tdx_collateral_src src;
	struct tmon_err *err = &out->err;
	char *chain[PCS_NDOCS] = { NULL }, fhex[13], ghex[13];
	char why[MAX_CHECK_DETAIL];
	uint8_t got[6], *rootcrl = NULL;
	size_t rootcrl_len = 0, i;
	enum tmon_rc rc = TMON_E_NET;

	memset(out, 0, sizeof(*out));
	tmon_err_clear(err);
	for (i = 0; i < PCS_NDOCS; i++) {
		r = &res[i];
		/* a document that could not be had: rc stays TMON_E_NET */
		if (r->rc != TMON_OK) {
			tmon_err_set(err, r->rc, "%s: %s", pcs_doc_names[i],
			    r->error);
			goto out;
		}
		if (r->status != 200) {
			tmon_err_set(err, TMON_E_HTTP, "%s: HTTP %ld",
			    pcs_doc_names[i], r->status);
			goto out;
		}
		if (r->body_len == 0) {
			tmon_err_set(err, TMON_E_HTTP, "%s: HTTP 200 with an "
			    "empty body", pcs_doc_names[i]);
			goto out;
		}
		if (doc_chain_header[i] != NULL &&
		    (chain[i] = chain_header(r, doc_chain_header[i])) == NULL) {
			rc = TMON_E_PARSE;
			tmon_err_set(err, TMON_E_PARSE, "%s: no %s header",
			    pcs_doc_names[i], doc_chain_header[i]);
			goto out;
		}
	}
	/* Intel serves the Root CA CRL as DER; a PCCS as hex text. */
	if (is_hex_text((const char *)res[DOC_ROOT_CA_CRL].body,
	    res[DOC_ROOT_CA_CRL].body_len))
		rootcrl = hex_decode_alloc(
		    (const char *)res[DOC_ROOT_CA_CRL].body,
		    res[DOC_ROOT_CA_CRL].body_len, MAX_UPSTREAM_BODY, true,
		    &rootcrl_len);
	memset(&src, 0, sizeof(src));
	src.tcb_info_body = res[DOC_TCB_INFO].body;
	src.tcb_info_body_len = res[DOC_TCB_INFO].body_len;
	src.tcb_info_issuer_chain = chain[DOC_TCB_INFO];
	src.qe_identity_body = res[DOC_QE_IDENTITY].body;
	src.qe_identity_body_len = res[DOC_QE_IDENTITY].body_len;
	src.qe_identity_issuer_chain = chain[DOC_QE_IDENTITY];
	src.pck_crl = res[DOC_PCK_CRL].body;
	src.pck_crl_len = res[DOC_PCK_CRL].body_len;
	src.pck_crl_issuer_chain = chain[DOC_PCK_CRL];
	src.root_ca_crl = rootcrl != NULL ? rootcrl :
	    res[DOC_ROOT_CA_CRL].body;
	src.root_ca_crl_len = rootcrl != NULL ? rootcrl_len :
	    res[DOC_ROOT_CA_CRL].body_len;
	rc = test_root_der != NULL ?
	    tdx_collateral_from_pcs_root(&src, test_root_der,
	    test_root_der_len, &out->col, err) :
	    tdx_collateral_from_pcs(&src, &out->col, err);
	/* built is not verified, and it must be what was asked for */
	if (rc == TMON_OK) {
		tdx_collateral_fmspc(out->col, got);
		out->wrong = true;
		if (!tdx_collateral_verified(out->col, why, sizeof(why)))
			tmon_err_set(err, TMON_E_PARSE, "%s", why);
		else if (memcmp(got, fmspc, 6) != 0)
			tmon_err_set(err, TMON_E_PARSE, "tcb_info: TCB Info "
			    "for fmspc %s, asked for %s", hex_encode(got, 6,
			    ghex), hex_encode(fmspc, 6, fhex));
		else if ((int)tdx_collateral_pck_ca(out->col) != pck_ca)
			tmon_err_set(err, TMON_E_PARSE, "pck_crl: CRL of "
			    "another PCK CA than the %s CA asked for",
			    ca_name(pck_ca));
		else
			out->wrong = false;
	}
out:
	out->rc = rc;
	out->verdict = rc == TMON_OK ? (out->wrong ? "fail" : "pass") :
	    (rc == TMON_E_NET || rc == TMON_E_TIMEOUT || rc == TMON_E_HTTP ||
	    rc == TMON_E_CRYPTO_LIB || rc == TMON_E_INTERNAL) ? "error" :
	    "fail";
	for (i = 0; i < PCS_NDOCS; i++)
		free(chain[i]);
	free(rootcrl);
}

void
pcs_judgement_free(struct pcs_judgement *j)
{
	if (j == NULL)
		return;
	tdx_collateral_free(j->col);
	memset(j, 0, sizeof(*j));
}

static void
all_done(struct coll_fetch *cf)
{
	struct pcs_client *c = cf->c;
	struct coll_slot *s = cf->slot;
	struct pcs_judgement j;
	struct store_blob_in blobs[2 * PCS_NDOCS];
	struct store_entry_in in;
	struct store_appended app;
	struct tmon_err serr;
	char fhex[13], t1[32], t2[32];
	size_t nb = 0;
	struct entry_collateral ec;
	struct entry_coll_doc docs[PCS_NDOCS];
	uint8_t dh[PCS_NDOCS][2][32];
	uint8_t *body;
	size_t len, i;
	bool bad;

	pcs_judge(cf->res, cf->fmspc, cf->ca, c->test_root, c->test_root_len,
	    &j);
	bad = j.rc != TMON_OK || j.wrong;
	hex_encode(cf->fmspc, 6, fhex);
	memset(&ec, 0, sizeof(ec));
	ec.time = cf->now;
	ec.fmspc = cf->fmspc;
	ec.ca = ca_name(cf->ca);
	ec.test_pki = c->test_root != NULL;
	memset(blobs, 0, sizeof(blobs));
	for (i = 0; i < PCS_NDOCS; i++)
		collateral_doc_entry(&cf->res[i], pcs_doc_names[i], cf->url[i],
		    &docs[i], dh[i], blobs, &nb);
	ec.docs = docs;
	ec.n_docs = PCS_NDOCS;
	ec.verdict = j.verdict;
	ec.error = bad ? j.err.msg : NULL;
	if (j.col != NULL) {
		ec.issue_date = fmt_time(tdx_collateral_issue_date(j.col), t1,
		    sizeof(t1));
		ec.next_update = fmt_time(tdx_collateral_next_update(j.col), t2,
		    sizeof(t2));
	}
	body = entry_collateral_body(&ec, &len);
	memset(&in, 0, sizeof(in));
	in.kind = "collateral";
	in.time = cf->now;
	in.verdict = j.verdict;
	in.body = body;
	in.body_len = len;
	tmon_err_clear(&serr);
	if (store_writer_append(cf->w, blobs, nb, &in, 1, &app, &serr) !=
	    TMON_OK)
		log_warnx("store: collateral entry not logged: %s", serr.msg);
	else
		log_info("collateral: fmspc=%s verdict=%s seq=%llu%s%s", fhex,
		    j.verdict, (unsigned long long)app.seq, bad ? " error=" :
		    "", bad ? j.err.msg : "");
	free(body);

	/* the slot outlives its fetch; one fetch per slot at a time */
	if (s->cf == cf && memcmp(s->fmspc, cf->fmspc, 6) == 0 &&
	    s->ca == cf->ca) {
		s->last_attempt = cf->now;
		s->in_flight = false;
		s->cf = NULL;
		s->last_failed = bad;
		if (j.col != NULL && !j.wrong) {
			tdx_collateral_free(s->col);
			s->col = j.col;
			j.col = NULL;
			s->next_update = tdx_collateral_next_update(s->col);
		}
	} else
		log_warnx("collateral: fetch for fmspc=%s is not its slot's; "
		    "result dropped", fhex);
	pcs_judgement_free(&j);
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
pcs_client_refresh(struct pcs_client *c, struct fetch *f,
    struct store_writer *w, const uint8_t fmspc[6], int pck_ca, int64_t now,
    void (*done)(void *), void *arg, struct tmon_err *err)
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
	memcpy(cf->fmspc, fmspc, 6);
	cf->ca = pck_ca;
	cf->w = w;
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
