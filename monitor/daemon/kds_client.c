/*
 * kds_client.c: AMD KDS collateral for tmond (kds_client.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collateral_kind.h"
#include "encode.h"
#include "entry.h"
#include "kds_client.h"
#include "log.h"
#include "pcs_client.h"
#include "snp_verify.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

#define RETRY_FAILED_S		600
#define NPRODUCTS		3

static const char *const products[NPRODUCTS] = { "Milan", "Genoa", "Turin" };
static const char *const doc_names[KDS_NDOCS] = { "vcek", "cert_chain" };

struct kds_fetch;

/* One chip at one TCB; allocated one by one, never moved or freed before
 * kds_client_free (a fetch in flight keeps a pointer to its slot). */
struct kds_slot {
	int			 product;	/* index into products */
	uint8_t			 chip_id[64];
	uint64_t		 tcb;
	uint8_t			*vcek;		/* passed, or NULL */
	size_t			 vcek_len;
	struct kds_fetch	*kf;		/* in flight, or NULL */
	int64_t			 last_attempt;
	bool			 last_failed;
};

struct kds_fetch {
	struct kds_client	*c;
	struct kds_slot		*slot;
	struct store_writer	*w;
	int64_t			 now;
	bool			 asked[KDS_NDOCS];
	char			*url[KDS_NDOCS];
	struct fetch_result	 res[KDS_NDOCS];
	struct kds_doc		*docs[KDS_NDOCS];	/* callbacks still out */
	int			 pending;
	void			(*done)(void *);
	void			*arg;
};

struct kds_doc {
	struct kds_fetch	*kf;
	int			 which;
};

struct kds_client {
	char			*base;
	long			 timeout_ms;
	size_t			 max_body;
	struct kds_slot		**slots;
	size_t			 nslots;
	uint8_t			*chain[NPRODUCTS];	/* passed, or NULL */
	size_t			 chain_len[NPRODUCTS];
	unsigned		 fetches;
};

static int
product_index(const char *p)
{
	int i;

	for (i = 0; p != NULL && i < NPRODUCTS; i++)
		if (strcmp(p, products[i]) == 0)
			return i;
	return -1;
}

bool
kds_vcek_path(const char *product, const uint8_t chip_id[64],
    uint64_t reported_tcb, char *out, size_t outsz)
{
	struct snp_tcb t;
	char hex[129];
	int n;

	if (product_index(product) < 0 || outsz < KDS_MAX_PATH ||
	    !snp_tcb_split(product, reported_tcb, &t))
		return false;
	if (strcmp(product, "Turin") == 0) {
		/* Turin: the first 8 bytes of CHIP_ID, and the FMC SPL */
		hex_encode(chip_id, 8, hex);
		n = snprintf(out, outsz, "/vcek/v1/%s/%s?fmcSPL=%u&blSPL=%u"
		    "&teeSPL=%u&snpSPL=%u&ucodeSPL=%u", product, hex, t.fmc,
		    t.bootloader, t.tee, t.snp, t.microcode);
	} else {
		hex_encode(chip_id, 64, hex);
		n = snprintf(out, outsz, "/vcek/v1/%s/%s?blSPL=%u&teeSPL=%u"
		    "&snpSPL=%u&ucodeSPL=%u", product, hex, t.bootloader,
		    t.tee, t.snp, t.microcode);
	}
	return n > 0 && (size_t)n < outsz;
}

const char *
kds_judge(const struct fetch_result res[KDS_NDOCS],
    const bool asked[KDS_NDOCS], const char *product, char *why,
    size_t whysz)
{
	static const enum collateral_kind want[KDS_NDOCS] = {
		COLL_KIND_AMD_VCEK, COLL_KIND_AMD_CHAIN };
	struct collateral_kind_info k;
	const struct fetch_result *r;
	struct tmon_err err;
	size_t i;

	why[0] = '\0';
	for (i = 0; i < KDS_NDOCS; i++) {
		r = &res[i];
		if (!asked[i])
			continue;
		if (r->rc != TMON_OK) {
			snprintf(why, whysz, "%s: %s", doc_names[i], r->error);
			return "error";
		}
		if (r->status != 200) {
			snprintf(why, whysz, "%s: HTTP %ld", doc_names[i],
			    r->status);
			return "error";
		}
		if (r->body_len == 0) {
			snprintf(why, whysz, "%s: HTTP 200 with an empty body",
			    doc_names[i]);
			return "error";
		}
	}
	for (i = 0; i < KDS_NDOCS; i++) {
		if (!asked[i])
			continue;
		tmon_err_clear(&err);
		if (collateral_kind_detect(res[i].body, res[i].body_len, &k,
		    &err) != TMON_OK) {
			snprintf(why, whysz, "%s: %s", doc_names[i], err.msg);
			return "fail";
		}
		if (k.kind != want[i] || strcmp(k.product, product) != 0) {
			snprintf(why, whysz, "%s: KDS served %s of %s, asked "
			    "for the %s of %s", doc_names[i],
			    collateral_kind_str(k.kind), k.product,
			    collateral_kind_str(want[i]), product);
			return "fail";
		}
	}
	return "pass";
}

static void
kds_fetch_free(struct kds_fetch *kf)
{
	size_t i;

	for (i = 0; i < KDS_NDOCS; i++) {
		free(kf->docs[i]);
		free(kf->url[i]);
		fetch_result_free(&kf->res[i]);
	}
	free(kf);
}

struct kds_client *
kds_client_new(const struct kds_client_cfg *cfg)
{
	struct kds_client *c = xcalloc(1, sizeof(*c));

	c->base = xstrdup(cfg->base_url);
	c->timeout_ms = cfg->timeout_ms;
	c->max_body = cfg->max_body;
	return c;
}

void
kds_client_free(struct kds_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nslots; i++) {
		free(c->slots[i]->vcek);
		/* transfers aborted by fetch_free never called back */
		if (c->slots[i]->kf != NULL)
			kds_fetch_free(c->slots[i]->kf);
		free(c->slots[i]);
	}
	for (i = 0; i < NPRODUCTS; i++)
		free(c->chain[i]);
	free(c->slots);
	free(c->base);
	free(c);
}

unsigned
kds_client_fetches(const struct kds_client *c)
{
	return c->fetches;
}

static struct kds_slot *
find_slot(struct kds_client *c, int product, const uint8_t chip_id[64],
    uint64_t tcb, bool create)
{
	struct kds_slot *s;
	size_t i;

	for (i = 0; i < c->nslots; i++) {
		s = c->slots[i];
		if (s->product == product && s->tcb == tcb &&
		    memcmp(s->chip_id, chip_id, 64) == 0)
			return s;
	}
	if (!create || c->nslots >= MAX_COLLATERAL_SLOTS)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->product = product;
	memcpy(s->chip_id, chip_id, 64);
	s->tcb = tcb;
	c->slots = xreallocarray(c->slots, c->nslots + 1, sizeof(*c->slots));
	c->slots[c->nslots++] = s;
	return s;
}

bool
kds_client_lookup(void *arg, const char *product, const uint8_t chip_id[64],
    uint64_t reported_tcb, const uint8_t **vcek, size_t *vcek_len,
    const uint8_t **cert_chain, size_t *cert_chain_len)
{
	struct kds_client *c = arg;
	int p = product_index(product);
	struct kds_slot *s;

	if (p < 0 || (s = find_slot(c, p, chip_id, reported_tcb, false)) ==
	    NULL || s->vcek == NULL)
		return false;
	*vcek = s->vcek;
	*vcek_len = s->vcek_len;
	*cert_chain = c->chain[p];
	*cert_chain_len = c->chain_len[p];
	return true;
}

bool
kds_client_wants(struct kds_client *c, const char *product,
    const uint8_t chip_id[64], uint64_t reported_tcb, int64_t now)
{
	int p = product_index(product);
	struct kds_slot *s;

	if (p < 0)
		return false;
	s = find_slot(c, p, chip_id, reported_tcb, false);
	if (s == NULL)
		return true;
	if (s->kf != NULL || (s->vcek != NULL && c->chain[p] != NULL))
		return false;
	return !s->last_failed || now - s->last_attempt >= RETRY_FAILED_S;
}

static void
all_done(struct kds_fetch *kf)
{
	struct kds_client *c = kf->c;
	struct kds_slot *s = kf->slot;
	struct store_blob_in blobs[2 * KDS_NDOCS];
	struct entry_coll_doc docs[KDS_NDOCS];
	struct entry_collateral ec;
	struct store_entry_in in;
	struct store_appended app;
	struct tmon_err serr;
	uint8_t dh[KDS_NDOCS][2][32], *body;
	char why[MAX_CHECK_DETAIL];
	const char *verdict;
	size_t nb = 0, nd = 0, i, len;
	bool bad;

	verdict = kds_judge(kf->res, kf->asked, products[s->product], why,
	    sizeof(why));
	bad = strcmp(verdict, "pass") != 0;
	memset(&ec, 0, sizeof(ec));
	ec.time = kf->now;
	ec.tee = "sev-snp";
	ec.product = products[s->product];
	ec.chip_id = s->chip_id;
	ec.reported_tcb = s->tcb;
	memset(blobs, 0, sizeof(blobs));
	for (i = 0; i < KDS_NDOCS; i++)
		if (kf->asked[i])
			collateral_doc_entry(&kf->res[i], doc_names[i],
			    kf->url[i], &docs[nd++], dh[i], blobs, &nb);
	ec.docs = docs;
	ec.n_docs = nd;
	ec.verdict = verdict;
	ec.error = bad ? why : NULL;
	body = entry_collateral_body(&ec, &len);
	memset(&in, 0, sizeof(in));
	in.kind = "collateral";
	in.time = kf->now;
	in.verdict = verdict;
	in.body = body;
	in.body_len = len;
	tmon_err_clear(&serr);
	if (store_writer_append(kf->w, blobs, nb, &in, 1, &app, &serr) !=
	    TMON_OK)
		log_warnx("store: KDS collateral entry not logged: %s",
		    serr.msg);
	else
		log_info("collateral: amd %s reported_tcb=%016" PRIx64
		    " verdict=%s seq=%llu%s%s", products[s->product], s->tcb,
		    verdict, (unsigned long long)app.seq, bad ? " error=" : "",
		    bad ? why : "");
	free(body);
	c->fetches++;
	s->kf = NULL;
	s->last_attempt = kf->now;
	s->last_failed = bad;
	if (!bad) {
		/* the body is owned by the result: take it over */
		free(s->vcek);
		s->vcek = kf->res[KDS_DOC_VCEK].body;
		s->vcek_len = kf->res[KDS_DOC_VCEK].body_len;
		kf->res[KDS_DOC_VCEK].body = NULL;
		if (kf->asked[KDS_DOC_CHAIN]) {
			free(c->chain[s->product]);
			c->chain[s->product] = kf->res[KDS_DOC_CHAIN].body;
			c->chain_len[s->product] =
			    kf->res[KDS_DOC_CHAIN].body_len;
			kf->res[KDS_DOC_CHAIN].body = NULL;
		}
	}
	if (kf->done != NULL)
		kf->done(kf->arg);
	kds_fetch_free(kf);
}

static void
doc_done(struct fetch_result *res, void *arg)
{
	struct kds_doc *kd = arg;
	struct kds_fetch *kf = kd->kf;

	fetch_result_move(&kf->res[kd->which], res);
	kf->docs[kd->which] = NULL;
	free(kd);
	if (--kf->pending == 0)
		all_done(kf);
}

enum tmon_rc
kds_client_refresh(struct kds_client *c, struct fetch *f,
    struct store_writer *w, const char *product, const uint8_t chip_id[64],
    uint64_t reported_tcb, int64_t now, void (*done)(void *), void *arg,
    struct tmon_err *err)
{
	char path[KDS_MAX_PATH];
	struct kds_fetch *kf;
	struct kds_slot *s;
	struct kds_doc *kd;
	struct fetch_req req;
	size_t i, n;
	int p = product_index(product);

	if (p < 0 || !kds_vcek_path(product, chip_id, reported_tcb, path,
	    sizeof(path)))
		return tmon_err_set(err, TMON_E_UNSUPPORTED, "KDS serves no "
		    "product \"%s\"", product != NULL ? product : "");
	if ((s = find_slot(c, p, chip_id, reported_tcb, true)) == NULL)
		return tmon_err_set(err, TMON_E_LIMIT, "KDS collateral: more "
		    "than %d chips", MAX_COLLATERAL_SLOTS);
	if (s->kf != NULL)
		return tmon_err_set(err, TMON_E_INTERNAL, "KDS collateral: "
		    "fetch already in flight");
	kf = xcalloc(1, sizeof(*kf));
	kf->c = c;
	kf->slot = s;
	kf->w = w;
	kf->now = now;
	kf->done = done;
	kf->arg = arg;
	kf->asked[KDS_DOC_VCEK] = true;
	kf->asked[KDS_DOC_CHAIN] = c->chain[p] == NULL;
	n = strlen(c->base) + sizeof(path);
	kf->url[KDS_DOC_VCEK] = xmalloc(n);
	snprintf(kf->url[KDS_DOC_VCEK], n, "%s%s", c->base, path);
	n = strlen(c->base) + 64;
	kf->url[KDS_DOC_CHAIN] = xmalloc(n);
	snprintf(kf->url[KDS_DOC_CHAIN], n, "%s/vcek/v1/%s/cert_chain",
	    c->base, product);
	/* pending: the documents out, plus one for this function, so no
	 * callback completes the fetch before every request started */
	kf->pending = 1;
	s->kf = kf;
	for (i = 0; i < KDS_NDOCS; i++) {
		if (!kf->asked[i])
			continue;
		memset(&req, 0, sizeof(req));
		req.url = kf->url[i];
		req.method = "GET";
		req.timeout_ms = c->timeout_ms;
		req.max_body = c->max_body;
		kd = xcalloc(1, sizeof(*kd));
		kd->kf = kf;
		kd->which = (int)i;
		kf->docs[i] = kd;
		kf->pending++;
		if (fetch_start(f, &req, doc_done, kd, err) != TMON_OK) {
			kf->docs[i] = NULL;
			free(kd);
			kf->res[i].rc = TMON_E_INTERNAL;
			snprintf(kf->res[i].error, sizeof(kf->res[i].error),
			    "request not started");
			kf->pending--;
		}
	}
	if (--kf->pending == 0)
		all_done(kf);
	return TMON_OK;
}
