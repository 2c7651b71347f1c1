/*
 * provenance_client.c: code provenance look-ups for tmond
 * (provenance_client.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "encode.h"
#include "entry.h"
#include "log.h"
#include "pcs_client.h"
#include "provenance_client.h"
#include "sigstore.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

static const char *const doc_names[PROVC_NDOCS] = { "release",
    "digest_asset", "attestations" };

struct prov_lookup;

/* One repository of a model: what its look-ups came to. */
struct prov_track {
	char			 repo[MAX_PROV_REPO];
	const char		*want;		/* predicate type */
	struct prov_release	*rels;		/* MAX_PROV_RELEASES, newest
						   first */
	size_t			 n;
	/* the last release judged: its tag, verdict and sigstore.* checks
	 * (has_sig: verification ran), or why it was not verified */
	bool			 judged;
	char			 tag[MAX_PROV_NAME];
	enum verdict		 verdict;
	struct checklist	 sig;
	bool			 has_sig;
	char			 why[MAX_CHECK_DETAIL];
	char			 summary[MAX_CHECK_DETAIL];
	/* the last look-up could not be completed (why, when) */
	bool			 stale;
	char			 stale_why[MAX_CHECK_DETAIL];
	int64_t			 stale_at;
	int64_t			 due;		/* unix s; 0: at once */
	struct prov_lookup	*lk;		/* in flight, or NULL */
};

/* One model with "provenance"; allocated one by one, never moved. */
struct prov_slot {
	char			*name;
	struct provenance_cfg	 pc;		/* a copy (strings owned) */
	struct prov_track	 main;
	struct prov_track	 hw;		/* pc.hardware_repo only */
	int			 pending;	/* look-ups in flight */
	void			(*done)(void *);
	void			*arg;
};

/* One look-up of one repository. */
struct prov_lookup {
	struct prov_client	*c;
	struct prov_slot	*s;
	struct prov_track	*t;
	struct fetch		*f;
	struct store_writer	*w;
	int64_t			 now;
	bool			 asked[PROVC_NDOCS];
	char			*url[PROVC_NDOCS];
	struct fetch_result	 res[PROVC_NDOCS];
	struct github_release	 rel;
	bool			 has_digest;
	uint8_t			 digest[32];
	const char		*digest_source;
};

struct prov_client {
	char			*api;
	char			*download;
	const struct sigstore_root *root;
	char			*root_error;
	uint32_t		 recheck_s;
	long			 timeout_ms;
	size_t			 max_body;
	struct prov_slot	**slots;
	size_t			 nslots;
	unsigned		 lookups;
	unsigned		 reused;
	/* held by the loop's thread while it changes slots or a main
	 * track's releases, and by prov_client_releases (any thread) */
	pthread_mutex_t		 mu;
};

/* snprintf into buf, cut to fit (details are bounded, inputs are not). */
static void
bfmt(char *buf, size_t bufsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bfmt(char *buf, size_t bufsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, bufsz, fmt, ap);
	va_end(ap);
}

/* ---- parsing what GitHub serves ---------------------------------------- */

static bool
is_ws(uint8_t ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

enum tmon_rc
github_digest_parse(const uint8_t *body, size_t len, uint8_t digest[32],
    struct tmon_err *err)
{
	size_t i;

	if (len > MAX_DIGEST_ASSET)
		return tmon_err_set(err, TMON_E_LIMIT, "digest asset: %zu "
		    "bytes, over the limit of %u", len, MAX_DIGEST_ASSET);
	for (i = 64; i < len; i++)
		if (!is_ws(body[i]))
			break;
	if (len < 64 || i < len || !hex_decode_exact((const char *)body, 64,
	    digest, 32, true))
		return tmon_err_set(err, TMON_E_PARSE, "digest asset: must be "
		    "64 hex digits");
	return TMON_OK;
}

/* The release notes' first "Digest:" line, if it holds a digest. */
static bool
notes_digest(const char *s, size_t len, uint8_t digest[32])
{
	const char *p = s, *end = s + len, *nl, *q;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) < 7 || memcmp(p, "Digest:", 7) != 0)
			continue;
		q = p + 7;
		while (q < nl && *q == ' ')
			q++;
		if (q < nl && *q == '`')
			q++;
		if (nl - q < 64 || !hex_decode_exact(q, 64, digest, 32, true))
			return false;
		q += 64;
		if (q < nl && *q == '`')
			q++;
		while (q < nl && is_ws((uint8_t)*q))
			q++;
		return q == nl;
	}
	return false;
}

enum tmon_rc
github_release_parse(const uint8_t *body, size_t len,
    struct github_release *out, struct tmon_err *err)
{
	struct tjson_doc d;
	json_t *root = NULL;
	const char *tag, *notes = NULL;
	size_t tlen, nlen = 0, i;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	d.name = "release";
	d.err = err;
	if ((rc = tjson_load(&d, body, len, MAX_GITHUB_RELEASE, TJSON_OBJECT,
	    &root)) != TMON_OK)
		return rc;
	if ((rc = tjson_str(&d, root, "", "tag_name", MAX_PROV_NAME - 1, 0,
	    &tag, &tlen)) != TMON_OK)
		goto out;
	for (i = 0; i < tlen; i++)
		if ((unsigned char)tag[i] < 0x21 || (unsigned char)tag[i] >
		    0x7e || tag[i] == '/' || tag[i] == '?' || tag[i] == '#' ||
		    tag[i] == '%')
			break;
	if (tlen == 0 || i < tlen) {
		rc = tjson_fail(&d, TMON_E_PARSE, "tag_name", "must be 1 to %d "
		    "printable ASCII characters without spaces, '/', '?', "
		    "'#' or '%%'", MAX_PROV_NAME - 1);
		goto out;
	}
	memcpy(out->tag, tag, tlen + 1);
	if ((rc = tjson_str(&d, root, "", "body", MAX_GITHUB_RELEASE,
	    TJSON_OPTIONAL | TJSON_NULL, &notes, &nlen)) != TMON_OK)
		goto out;
	if (notes != NULL)
		out->has_body_digest = notes_digest(notes, nlen,
		    out->body_digest);
out:
	json_decref(root);
	if (rc != TMON_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- the client -------------------------------------------------------- */

static void
lookup_free(struct prov_lookup *lk)
{
	size_t i;

	for (i = 0; i < PROVC_NDOCS; i++) {
		free(lk->url[i]);
		fetch_result_free(&lk->res[i]);
	}
	free(lk);
}

static void
track_free(struct prov_track *t)
{
	free(t->rels);
	/* transfers aborted by fetch_free never called back */
	if (t->lk != NULL)
		lookup_free(t->lk);
	memset(t, 0, sizeof(*t));
}

static void
pc_free(struct provenance_cfg *p)
{
	free(p->repo);
	free(p->workflow);
	free(p->ref);
	free(p->issuer);
	free(p->digest_asset);
	free(p->hardware_repo);
	memset(p, 0, sizeof(*p));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static bool
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

static bool
pc_eq(const struct provenance_cfg *a, const struct provenance_cfg *b)
{
	return str_eq(a->repo, b->repo) && str_eq(a->workflow, b->workflow) &&
	    str_eq(a->ref, b->ref) && str_eq(a->issuer, b->issuer) &&
	    str_eq(a->digest_asset, b->digest_asset) &&
	    str_eq(a->hardware_repo, b->hardware_repo);
}

static void
track_init(struct prov_track *t, const char *repo, const char *want)
{
	memset(t, 0, sizeof(*t));
	bfmt(t->repo, sizeof(t->repo), "%s", repo);
	t->want = want;
	t->rels = xcalloc(MAX_PROV_RELEASES, sizeof(*t->rels));
	checklist_init(&t->sig);
}

/* (Re)start s for the provenance of m: everything held is dropped. */
static void
slot_reset(struct prov_slot *s, const struct model_cfg *m)
{
	const struct provenance_cfg *p = &m->provenance;

	track_free(&s->main);
	track_free(&s->hw);
	pc_free(&s->pc);
	s->pc.enabled = true;
	s->pc.repo = xstrdup(p->repo);
	s->pc.workflow = dup_or_null(p->workflow);
	s->pc.ref = dup_or_null(p->ref);
	s->pc.issuer = dup_or_null(p->issuer);
	s->pc.digest_asset = dup_or_null(p->digest_asset);
	s->pc.hardware_repo = dup_or_null(p->hardware_repo);
	track_init(&s->main, p->repo, PROV_PREDICATE_MULTIPLATFORM);
	if (p->hardware_repo != NULL)
		track_init(&s->hw, p->hardware_repo, PROV_PREDICATE_HARDWARE);
}

struct prov_client *
prov_client_new(const struct prov_client_cfg *cfg)
{
	struct prov_client *c = xcalloc(1, sizeof(*c));

	c->api = xstrdup(cfg->api_url);
	c->download = xstrdup(cfg->download_url);
	c->root = cfg->root;
	c->root_error = xstrdup(cfg->root_error != NULL ? cfg->root_error :
	    "no trusted root loaded");
	c->recheck_s = cfg->recheck_s > 0 ? cfg->recheck_s : 900;
	c->timeout_ms = cfg->timeout_ms;
	c->max_body = cfg->max_body;
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void
prov_client_free(struct prov_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nslots; i++) {
		track_free(&c->slots[i]->main);
		track_free(&c->slots[i]->hw);
		pc_free(&c->slots[i]->pc);
		free(c->slots[i]->name);
		free(c->slots[i]);
	}
	free(c->slots);
	free(c->api);
	free(c->download);
	free(c->root_error);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

unsigned
prov_client_lookups(const struct prov_client *c)
{
	return c->lookups;
}

unsigned
prov_client_reused(const struct prov_client *c)
{
	return c->reused;
}

static struct prov_slot *
find_slot(const struct prov_client *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nslots; i++)
		if (strcmp(c->slots[i]->name, name) == 0)
			return c->slots[i];
	return NULL;
}

/* The slot of m, made (or restarted, for a changed "provenance") when
 * create is set and no look-up of it is in flight. */
static struct prov_slot *
get_slot(struct prov_client *c, const struct model_cfg *m, bool create)
{
	struct prov_slot *s = find_slot(c, m->name);

	if (s != NULL) {
		if (create && s->pending == 0 && !pc_eq(&s->pc,
		    &m->provenance))
			slot_reset(s, m);
		return s;
	}
	if (!create || c->nslots >= MAX_MODELS)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->name = xstrdup(m->name);
	slot_reset(s, m);
	c->slots = xreallocarray(c->slots, c->nslots + 1, sizeof(*c->slots));
	c->slots[c->nslots++] = s;
	return s;
}

static bool
track_due(const struct prov_track *t, int64_t now)
{
	return t->rels != NULL && t->lk == NULL && now >= t->due;
}

bool
prov_client_wants(struct prov_client *c, const struct model_cfg *m,
    int64_t now)
{
	struct prov_slot *s;

	if (!m->provenance.enabled)
		return false;
	if ((s = find_slot(c, m->name)) == NULL)
		return true;
	if (s->pending > 0)
		return false;
	if (!pc_eq(&s->pc, &m->provenance))
		return true;
	return track_due(&s->main, now) || track_due(&s->hw, now);
}

json_t *
prov_registers_json(const struct prov_predicate *p)
{
	json_t *o = tjson_chk(json_object()), *tdx, *plats, *pl;
	char hex[2 * PROV_REG_LEN + 1];
	size_t i;

	if (p->kind == PROV_KIND_MULTIPLATFORM) {
		tjson_set(o, "snp_measurement", json_string(hex_encode(
		    p->snp_measurement, PROV_REG_LEN, hex)));
		tdx = tjson_chk(json_object());
		tjson_set(tdx, "rtmr1", json_string(hex_encode(p->rtmr1,
		    PROV_REG_LEN, hex)));
		tjson_set(tdx, "rtmr2", json_string(hex_encode(p->rtmr2,
		    PROV_REG_LEN, hex)));
		tjson_set(o, "tdx_measurement", tdx);
		if (p->version[0] != '\0')
			tjson_set(o, "version", json_string(p->version));
	} else if (p->kind == PROV_KIND_HARDWARE) {
		plats = tjson_chk(json_object());
		for (i = 0; i < p->n_platforms; i++) {
			pl = tjson_chk(json_object());
			tjson_set(pl, "mrtd", json_string(hex_encode(
			    p->platforms[i].mrtd, PROV_REG_LEN, hex)));
			tjson_set(pl, "rtmr0", json_string(hex_encode(
			    p->platforms[i].rtmr0, PROV_REG_LEN, hex)));
			/* a name that is not UTF-8 is dropped, not fatal */
			if (json_object_set_new(plats, p->platforms[i].name,
			    pl) != 0)
				json_decref(pl);
		}
		tjson_set(o, "platforms", plats);
	}
	return o;
}

/* Keep rel, which verified, as t's newest release. */
static void
track_keep(struct prov_track *t, const struct prov_release *rel)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (memcmp(t->rels[i].digest, rel->digest, 32) == 0)
			break;
	if (i == t->n && t->n == MAX_PROV_RELEASES)
		i = t->n - 1;		/* the oldest goes */
	else if (i == t->n)
		t->n++;
	memmove(&t->rels[1], &t->rels[0], i * sizeof(t->rels[0]));
	t->rels[0] = *rel;
}

/* s, or NULL when it is empty (an extension the certificate lacks). */
static const char *
nonempty(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

/*
 * Append the look-up's blobs and its `provenance` entry: with rel and
 * res (the release that verified and what its bundle's verification
 * established), its registers, the signer's identity and the Rekor
 * entry.
 */
static void
log_lookup(struct prov_lookup *lk, const char *verdict, const char *why,
    const struct checklist *sig, const struct prov_release *rel,
    const struct sigstore_result *res)
{
	struct prov_slot *s = lk->s;
	struct store_blob_in blobs[2 * PROVC_NDOCS];
	struct entry_coll_doc docs[PROVC_NDOCS];
	struct entry_provenance ep;
	struct store_entry_in in;
	struct store_appended app;
	struct tmon_err serr;
	uint8_t dh[PROVC_NDOCS][2][32], *body;
	json_t *regs = NULL;
	size_t nb = 0, nd = 0, i, len;

	memset(blobs, 0, sizeof(blobs));
	for (i = 0; i < PROVC_NDOCS; i++)
		if (lk->asked[i])
			collateral_doc_entry(&lk->res[i], doc_names[i],
			    lk->url[i], &docs[nd++], dh[i], blobs, &nb);
	memset(&ep, 0, sizeof(ep));
	ep.time = lk->now;
	ep.model = s->name;
	ep.repo = lk->t->repo;
	ep.tag = lk->rel.tag[0] != '\0' ? lk->rel.tag : NULL;
	ep.digest = lk->has_digest ? lk->digest : NULL;
	ep.digest_source = lk->digest_source;
	ep.docs = docs;
	ep.n_docs = nd;
	ep.policy_workflow = lk->t == &s->main ? s->pc.workflow : NULL;
	ep.policy_ref = s->pc.ref;
	ep.policy_issuer = s->pc.issuer;
	ep.trusted_root_sha256 = lk->c->root != NULL ? lk->c->root->sha256 :
	    NULL;
	ep.checks = sig;
	ep.verdict = verdict;
	ep.error = why;
	ep.predicate_type = lk->t->want;
	if (rel != NULL) {
		regs = prov_registers_json(&rel->pred);
		ep.registers = regs;
	}
	if (rel != NULL && res != NULL) {
		ep.id_issuer = nonempty(res->id.issuer);
		ep.id_repo = nonempty(res->id.repo_uri);
		ep.id_ref = nonempty(res->id.repo_ref);
		ep.id_sha = nonempty(res->id.repo_digest);
		ep.id_workflow = nonempty(res->id.signer_uri);
		ep.has_tlog = res->has_tlog;
		ep.integrated_time = res->integrated_time;
		ep.log_index = (int64_t)res->log_index;
	}
	body = entry_provenance_body(&ep, &len);
	json_decref(regs);
	memset(&in, 0, sizeof(in));
	in.kind = "provenance";
	in.time = lk->now;
	in.model = s->name;
	in.verdict = verdict;
	in.body = body;
	in.body_len = len;
	tmon_err_clear(&serr);
	if (store_writer_append(lk->w, blobs, nb, &in, 1, &app, &serr) !=
	    TMON_OK)
		log_warnx("store: provenance entry not logged: %s model=%s",
		    serr.msg, s->name);
	else
		log_info("provenance: %s@%s verdict=%s seq=%llu model=%s%s%s",
		    lk->t->repo, lk->rel.tag[0] != '\0' ? lk->rel.tag : "?",
		    verdict, (unsigned long long)app.seq, s->name,
		    why != NULL ? " error=" : "", why != NULL ? why : "");
	free(body);
	lk->c->lookups++;
}

/* The look-up of lk ends: t updated, the slot's done once all ended. */
static void
lookup_end(struct prov_lookup *lk)
{
	struct prov_slot *s = lk->s;

	lk->t->lk = NULL;
	lookup_free(lk);
	if (--s->pending == 0 && s->done != NULL) {
		void (*done)(void *) = s->done;

		s->done = NULL;
		done(s->arg);
	}
}

static int64_t
retry_at(const struct prov_client *c, int64_t now)
{
	return now + (c->recheck_s < PROVC_RETRY_S ? c->recheck_s :
	    PROVC_RETRY_S);
}

/*
 * The look-up could not be completed (why): logged as "error"; what t
 * held is kept and said to be stale.
 */
static void
lookup_error(struct prov_lookup *lk, const char *why)
{
	struct prov_track *t = lk->t;

	log_lookup(lk, "error", why, NULL, NULL, NULL);
	t->stale = true;
	bfmt(t->stale_why, sizeof(t->stale_why), "%s", why);
	t->stale_at = lk->now;
	t->due = retry_at(lk->c, lk->now);
	lookup_end(lk);
}

/* The release (tag) was judged: verdict v, with the sigstore.* checks
 * sig when verification ran, why when it did not pass; rel and res
 * prov_verify_release's (NULL when it did not run). */
static void
lookup_judged(struct prov_lookup *lk, enum verdict v, const char *why,
    const struct checklist *sig, const struct prov_release *rel,
    const struct sigstore_result *res)
{
	struct prov_track *t = lk->t;

	log_lookup(lk, v == VERDICT_PASS ? "pass" : v == VERDICT_FAIL ?
	    "fail" : "error", why, sig, v == VERDICT_PASS ? rel : NULL, res);
	t->judged = true;
	bfmt(t->tag, sizeof(t->tag), "%s", lk->rel.tag);
	t->verdict = v;
	t->has_sig = sig != NULL;
	if (sig != NULL)
		t->sig = *sig;
	else
		checklist_init(&t->sig);
	bfmt(t->why, sizeof(t->why), "%s", why != NULL ? why : "");
	t->stale = false;
	t->summary[0] = '\0';
	if (v == VERDICT_PASS) {
		pthread_mutex_lock(&lk->c->mu);
		track_keep(t, rel);
		pthread_mutex_unlock(&lk->c->mu);
		prov_release_summary(rel, res, lk->digest_source, t->summary,
		    sizeof(t->summary));
	}
	/* a result that could not be checked is tried again soon */
	t->due = v == VERDICT_ERROR ? retry_at(lk->c, lk->now) :
	    lk->now + lk->c->recheck_s;
	lookup_end(lk);
}

const char *
prov_doc_problem(const struct fetch_result *r, const char *name, char *buf,
    size_t bufsz)
{
	if (r->rc != TMON_OK)
		bfmt(buf, bufsz, "%s: %s", name, r->error);
	else if (r->status != 200)
		bfmt(buf, bufsz, "%s: HTTP %ld", name, r->status);
	else if (r->body_len == 0)
		bfmt(buf, bufsz, "%s: HTTP 200 with an empty body", name);
	else
		return NULL;
	return buf;
}

static void	doc_done(struct fetch_result *, void *);

/* Start document which of lk at url (owned); false: it could not start
 * (lk then ended with an error). */
static bool
start_doc(struct prov_lookup *lk, int which, char *url, size_t max)
{
	struct fetch_req req;
	struct tmon_err err;
	char why[MAX_CHECK_DETAIL];

	lk->url[which] = url;
	lk->asked[which] = true;
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.method = "GET";
	req.timeout_ms = lk->c->timeout_ms;
	req.max_body = max < lk->c->max_body || lk->c->max_body == 0 ? max :
	    lk->c->max_body;
	tmon_err_clear(&err);
	if (fetch_start(lk->f, &req, doc_done, lk, &err) == TMON_OK)
		return true;
	lk->res[which].rc = TMON_E_INTERNAL;
	bfmt(lk->res[which].error, sizeof(lk->res[which].error),
	    "request not started: %s", err.msg);
	bfmt(why, sizeof(why), "%s: request not started: %s",
	    doc_names[which], err.msg);
	lookup_error(lk, why);
	return false;
}

static char *
fmt_url(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt_url(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* The release is in: reuse the last result, or fetch its digest. */
static void
release_in(struct prov_lookup *lk)
{
	struct prov_track *t = lk->t;
	struct fetch_result *r = &lk->res[PROVC_DOC_RELEASE];
	struct tmon_err err;
	char why[MAX_CHECK_DETAIL];

	if (prov_doc_problem(r, "release", why, sizeof(why)) != NULL) {
		lookup_error(lk, why);
		return;
	}
	tmon_err_clear(&err);
	if (github_release_parse(r->body, r->body_len, &lk->rel, &err) !=
	    TMON_OK) {
		lookup_judged(lk, VERDICT_FAIL, err.msg, NULL, NULL, NULL);
		return;
	}
	if (t->judged && t->verdict != VERDICT_ERROR &&
	    strcmp(t->tag, lk->rel.tag) == 0) {
		/* the release judged last: its result stands */
		log_debug("provenance: %s@%s unchanged model=%s", t->repo,
		    t->tag, lk->s->name);
		lk->c->reused++;
		t->stale = false;
		t->due = lk->now + lk->c->recheck_s;
		lookup_end(lk);
		return;
	}
	(void)start_doc(lk, PROVC_DOC_ASSET, fmt_url("%s/%s/releases/"
	    "download/%s/%s", lk->c->download, t->repo, lk->rel.tag,
	    lk->s->pc.digest_asset != NULL ? lk->s->pc.digest_asset :
	    "tinfoil.hash"), MAX_DIGEST_ASSET);
}

enum verdict
prov_digest_step(const struct github_release *rel,
    const struct fetch_result *asset, uint8_t digest[32],
    const char **source, char *why, size_t whysz)
{
	struct tmon_err err;
	char hex[65], hex2[65];

	if (prov_doc_problem(asset, "digest_asset", why, whysz) == NULL) {
		tmon_err_clear(&err);
		if (github_digest_parse(asset->body, asset->body_len, digest,
		    &err) != TMON_OK) {
			bfmt(why, whysz, "%s", err.msg);
			return VERDICT_FAIL;
		}
		if (rel->has_body_digest && memcmp(rel->body_digest, digest,
		    32) != 0) {
			bfmt(why, whysz, "the digest asset (%s) is not the "
			    "release notes' Digest (%s)", hex_encode(digest, 32,
			    hex), hex_encode(rel->body_digest, 32, hex2));
			return VERDICT_FAIL;
		}
		*source = "asset";
		return VERDICT_PASS;
	}
	if (!rel->has_body_digest)
		return VERDICT_ERROR;
	memcpy(digest, rel->body_digest, 32);
	*source = "release_body";
	return VERDICT_PASS;
}

enum verdict
prov_attestations_step(const struct sigstore_root *root,
    const struct fetch_result *att, const char *want,
    const struct sigstore_policy *pol, const char *tag,
    const uint8_t digest[32], int64_t now, struct prov_release *rel,
    struct sigstore_result *res, struct checklist *sig, char *why,
    size_t whysz)
{
	struct tjson_doc d;
	struct tmon_err err;
	json_t *body = NULL;
	const struct check *worst = NULL;
	enum verdict v;
	size_t i;

	why[0] = '\0';
	memset(&d, 0, sizeof(d));
	d.name = "attestations";
	d.err = &err;
	tmon_err_clear(&err);
	if (tjson_load(&d, att->body, att->body_len, MAX_SIGSTORE_API_BODY,
	    TJSON_OBJECT, &body) != TMON_OK) {
		bfmt(why, whysz, "%s", err.msg);
		return VERDICT_FAIL;
	}
	v = prov_verify_release(root, body, want, pol, pol->repo, tag, digest,
	    now, rel, res, sig);
	json_decref(body);
	if (v != VERDICT_PASS) {
		/* the first of the worst status names the reason */
		for (i = 0; i < sig->n; i++)
			if (worst == NULL || check_severity(
			    sig->items[i].status) <
			    check_severity(worst->status))
				worst = &sig->items[i];
		bfmt(why, whysz, "%s: %s", worst != NULL ? worst->id :
		    "sigstore", worst != NULL ? worst->detail :
		    "the attestation did not verify");
	}
	return v;
}

/* The digest asset is in: the digest, then its attestations. */
static void
asset_in(struct prov_lookup *lk)
{
	char why[MAX_CHECK_DETAIL], hex[65];
	enum verdict v;

	v = prov_digest_step(&lk->rel, &lk->res[PROVC_DOC_ASSET], lk->digest,
	    &lk->digest_source, why, sizeof(why));
	if (v == VERDICT_FAIL) {
		lookup_judged(lk, VERDICT_FAIL, why, NULL, NULL, NULL);
		return;
	}
	if (v != VERDICT_PASS) {
		lookup_error(lk, why);
		return;
	}
	lk->has_digest = true;
	(void)start_doc(lk, PROVC_DOC_ATTESTATIONS, fmt_url("%s/repos/%s/"
	    "attestations/sha256:%s", lk->c->api, lk->t->repo,
	    hex_encode(lk->digest, 32, hex)), MAX_SIGSTORE_API_BODY);
}

/* The attestations are in: verify them. */
static void
attestations_in(struct prov_lookup *lk)
{
	struct fetch_result *r = &lk->res[PROVC_DOC_ATTESTATIONS];
	struct prov_slot *s = lk->s;
	struct prov_track *t = lk->t;
	struct sigstore_policy pol;
	struct prov_release *rel;
	struct sigstore_result *res;
	struct checklist *sig;
	char why[MAX_CHECK_DETAIL];
	enum verdict v;

	if (prov_doc_problem(r, "attestations", why, sizeof(why)) != NULL) {
		lookup_error(lk, why);
		return;
	}
	if (lk->c->root == NULL) {
		bfmt(why, sizeof(why), "no trusted root: %s",
		    lk->c->root_error);
		lookup_judged(lk, VERDICT_ERROR, why, NULL, NULL, NULL);
		return;
	}
	memset(&pol, 0, sizeof(pol));
	pol.repo = t->repo;
	pol.workflow = t == &s->main ? s->pc.workflow : NULL;
	pol.ref = s->pc.ref;
	pol.issuer = s->pc.issuer;
	rel = xcalloc(1, sizeof(*rel));
	res = xcalloc(1, sizeof(*res));
	sig = xcalloc(1, sizeof(*sig));
	checklist_init(sig);
	v = prov_attestations_step(lk->c->root, r, t->want, &pol,
	    lk->rel.tag, lk->digest, lk->now, rel, res, sig, why,
	    sizeof(why));
	if (v != VERDICT_PASS && sig->n == 0) {
		/* the body was not JSON: no check ran */
		lookup_judged(lk, v, why, NULL, NULL, NULL);
	} else
		lookup_judged(lk, v, v == VERDICT_PASS ? NULL : why, sig, rel,
		    res);
	free(sig);
	free(res);
	free(rel);
}

static void
doc_done(struct fetch_result *res, void *arg)
{
	struct prov_lookup *lk = arg;
	int which;

	which = lk->asked[PROVC_DOC_ATTESTATIONS] ? PROVC_DOC_ATTESTATIONS :
	    lk->asked[PROVC_DOC_ASSET] ? PROVC_DOC_ASSET : PROVC_DOC_RELEASE;
	fetch_result_move(&lk->res[which], res);
	switch (which) {
	case PROVC_DOC_RELEASE:
		release_in(lk);
		break;
	case PROVC_DOC_ASSET:
		asset_in(lk);
		break;
	default:
		attestations_in(lk);
		break;
	}
}

/* Start a look-up of t. */
static void
lookup_start(struct prov_client *c, struct fetch *f, struct store_writer *w,
    struct prov_slot *s, struct prov_track *t, int64_t now)
{
	struct prov_lookup *lk = xcalloc(1, sizeof(*lk));

	lk->c = c;
	lk->s = s;
	lk->t = t;
	lk->f = f;
	lk->w = w;
	lk->now = now;
	t->lk = lk;
	s->pending++;
	(void)start_doc(lk, PROVC_DOC_RELEASE, fmt_url("%s/repos/%s/releases/"
	    "latest", c->api, t->repo), MAX_GITHUB_RELEASE);
}

enum tmon_rc
prov_client_refresh(struct prov_client *c, struct fetch *f,
    struct store_writer *w, const struct model_cfg *m, int64_t now,
    void (*done)(void *), void *arg, struct tmon_err *err)
{
	struct prov_slot *s;
	bool main_due, hw_due;

	if (!m->provenance.enabled)
		return tmon_err_set(err, TMON_E_INTERNAL, "provenance: model "
		    "%s has none", m->name);
	pthread_mutex_lock(&c->mu);
	s = get_slot(c, m, true);
	pthread_mutex_unlock(&c->mu);
	if (s == NULL)
		return tmon_err_set(err, TMON_E_LIMIT, "provenance: more than "
		    "%d models", MAX_MODELS);
	if (s->pending > 0)
		return tmon_err_set(err, TMON_E_INTERNAL, "provenance: look-up "
		    "already in flight");
	main_due = track_due(&s->main, now);
	hw_due = track_due(&s->hw, now);
	if (!main_due && !hw_due)
		return tmon_err_set(err, TMON_E_INTERNAL, "provenance: no "
		    "look-up due");
	s->done = done;
	s->arg = arg;
	/* held until both started, so neither completes the slot early */
	s->pending = 1;
	if (main_due)
		lookup_start(c, f, w, s, &s->main, now);
	if (hw_due)
		lookup_start(c, f, w, s, &s->hw, now);
	if (--s->pending == 0 && s->done != NULL) {
		s->done = NULL;
		done(arg);
	}
	return TMON_OK;
}

/* ---- the probes' checks ------------------------------------------------ */

/* Prefix the detail of check id in cl with text. */
static void
prefix_detail(struct checklist *cl, const char *id, const char *text)
{
	char buf[MAX_CHECK_DETAIL];
	size_t i;

	for (i = 0; i < cl->n; i++) {
		if (strcmp(cl->items[i].id, id) != 0)
			continue;
		bfmt(buf, sizeof(buf), "%s%s", text, cl->items[i].detail);
		bfmt(cl->items[i].detail, sizeof(cl->items[i].detail),
		    "%s", buf);
	}
}

/* The stale note of t ("" when fresh) into buf. */
static const char *
stale_note(const struct prov_track *t, char *buf, size_t bufsz)
{
	buf[0] = '\0';
	if (t->stale)
		bfmt(buf, bufsz, "stale: the look-up of %s at %lld could "
		    "not be completed (%s); last result: ", t->repo,
		    (long long)t->stale_at, t->stale_why);
	return buf;
}

/* provenance.release of one repository into cl (a fresh list). */
static void
release_check(const struct prov_track *t, struct checklist *cl)
{
	char note[MAX_CHECK_DETAIL];

	if (t->judged && t->has_sig)
		prov_check_release(&t->sig, t->verdict == VERDICT_PASS ?
		    t->summary : NULL, cl);
	else if (t->judged)
		checklist_set(cl, "provenance.release", t->verdict ==
		    VERDICT_FAIL ? CHECK_FAIL : CHECK_ERROR, "release %s@%s "
		    "not verified: %s", t->repo, t->tag[0] != '\0' ? t->tag :
		    "?", t->why);
	else if (t->stale)
		checklist_set(cl, "provenance.release", CHECK_ERROR, "no "
		    "release of %s judged yet: the look-up at %lld could not "
		    "be completed (%s)", t->repo, (long long)t->stale_at,
		    t->stale_why);
	else
		checklist_set(cl, "provenance.release", CHECK_ERROR, "no "
		    "release of %s looked up yet", t->repo);
	if (t->judged && t->stale)
		prefix_detail(cl, "provenance.release", stale_note(t, note,
		    sizeof(note)));
}

void
prov_client_check(const struct prov_client *c, const struct model_cfg *m,
    const struct attest_measurement *meas, struct checklist *cl)
{
	const struct prov_slot *s;
	const struct check *a, *b;
	struct checklist r1, r2;
	struct prov_enclave enc;
	char note[MAX_CHECK_DETAIL];

	if (!m->provenance.enabled) {
		checklist_set(cl, "provenance.release", CHECK_SKIP, "no "
		    "provenance configured for the model");
		checklist_set(cl, "provenance.measurement", CHECK_SKIP, "no "
		    "provenance configured for the model");
		return;
	}
	s = c != NULL ? find_slot(c, m->name) : NULL;
	if (s == NULL || !pc_eq(&s->pc, &m->provenance)) {
		checklist_set(cl, "provenance.release", CHECK_ERROR, "no "
		    "release of %s looked up yet", m->provenance.repo);
		checklist_set(cl, "provenance.measurement", CHECK_ERROR, "no "
		    "verified release of %s", m->provenance.repo);
		return;
	}
	checklist_init(&r1);
	release_check(&s->main, &r1);
	a = checklist_get(&r1, "provenance.release");
	if (s->pc.hardware_repo != NULL) {
		checklist_init(&r2);
		release_check(&s->hw, &r2);
		b = checklist_get(&r2, "provenance.release");
		if (b != NULL && (a == NULL || check_severity(b->status) <
		    check_severity(a->status))) {
			checklist_set(cl, "provenance.release", b->status,
			    "hardware %s", b->detail);
			a = NULL;
		}
	}
	if (a != NULL)
		checklist_set(cl, "provenance.release", a->status, "%s",
		    a->detail);
	if (meas != NULL)
		prov_enclave_of(meas, &enc);
	else
		memset(&enc, 0, sizeof(enc));
	prov_check_measurement(s->main.rels, s->main.n,
	    s->hw.n > 0 ? &s->hw.rels[0].pred : NULL, &enc, cl, NULL);
	if (s->main.stale || s->hw.stale)
		prefix_detail(cl, "provenance.measurement", stale_note(
		    s->main.stale ? &s->main : &s->hw, note, sizeof(note)));
}

bool
prov_client_view(const struct prov_client *c, const struct model_cfg *m,
    struct prov_view *out)
{
	const struct prov_slot *s;

	memset(out, 0, sizeof(*out));
	if (c == NULL || !m->provenance.enabled ||
	    (s = find_slot(c, m->name)) == NULL ||
	    !pc_eq(&s->pc, &m->provenance) || s->main.n == 0)
		return false;
	out->rels = s->main.rels;
	out->n = s->main.n;
	out->hw = s->hw.n > 0 ? &s->hw.rels[0].pred : NULL;
	return true;
}

size_t
prov_client_releases(struct prov_client *c, const char *model,
    struct prov_release *out, size_t max)
{
	const struct prov_slot *s;
	size_t n = 0;

	if (c == NULL || model == NULL)
		return 0;
	pthread_mutex_lock(&c->mu);
	if ((s = find_slot(c, model)) != NULL) {
		n = s->main.n < max ? s->main.n : max;
		if (n > 0)
			memcpy(out, s->main.rels, n * sizeof(*out));
	}
	pthread_mutex_unlock(&c->mu);
	return n;
}
