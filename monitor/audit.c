/*
 * audit.c: re-derive a stored entry's verdict from its stored evidence
 * (audit.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest.h"
#include "audit.h"
#include "checklist.h"
#include "encode.h"
#include "entry.h"
#include "fetch.h"
#include "kds_client.h"
#include "log.h"
#include "pcs_client.h"
#include "probe.h"
#include "provenance.h"
#include "provenance_client.h"
#include "receipt_check.h"
#include "sigstore.h"
#include "sigstore_root.h"
#include "store.h"
#include "tdx_collateral.h"
#include "tdx_quote.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/*
 * Rebuilt collateral entries, and probe entries receipts name, one
 * context keeps (least recently used replaced).  A collateral handed to
 * the entry being re-derived is not replaced while it runs: each of its
 * MAX_ATTESTATIONS TEEs may use one.
 */
#define COLL_CACHE	(MAX_ATTESTATIONS + 4)
#define PROBE_CACHE	16

/* Models whose `provenance` entries one context keeps replayed (each
 * slot allocated when first used). */
#define PROV_CACHE	64

/* One collateral entry, rebuilt from its logged documents. */
struct coll_built {
	bool			used;
	uint64_t		seq;
	uint64_t		tick;
	uint64_t		entry;		/* a->entry when last used */
	bool			rebuilt;	/* j holds pcs_judge's result */
	struct pcs_judgement	j;
	char			why[AUDIT_MSG];	/* !rebuilt: why not */
};

/*
 * For one (FMSPC, CA): the collateral entries with seq < upto were
 * searched, and the newest with verdict pass among them is seq (when
 * found).  Probes are mostly audited in seq order, so each search only
 * reads the entries since the last one.
 */
struct prov_replay;
static void	prov_replay_free(struct prov_replay *);

struct coll_memo {
	bool		used;
	uint8_t		fmspc[6];
	int		ca;
	uint64_t	upto;
	bool		found;
	uint64_t	seq;
	uint64_t	tick;
};

/* A probe entry as receipts were checked against it. */
struct probe_ref {
	bool			used;
	uint64_t		seq;
	uint64_t		tick;
	bool			readable;	/* false: damaged or missing */
	char			kind[16];
	bool			has_model;
	char			model[MAX_MODEL_ID];
	int64_t			time;
	char			verdict[8];	/* "" for none */
	struct rcpt_probe	pr;		/* entry_receipt_probe */
};

struct audit_ctx {
	struct store		*s;
	struct verify_ctx	*vc;
	struct audit_config	 cfg;
	struct coll_built	 built[COLL_CACHE];
	struct coll_memo	 memo[MAX_COLLATERAL_SLOTS];
	struct probe_ref	 probes[PROBE_CACHE];
	struct prov_replay	*prov[PROV_CACHE];	/* NULL: not yet */
	uint64_t		 tick;
	uint64_t		 entry;		/* audit_entry calls */
};

/* One entry being re-derived. */
struct job {
	struct audit_ctx		*a;
	const struct store_entry	*e;
	struct audit_result		*out;
	struct tmon_err			*err;
	json_t				*body;
};

/* The state of one probe_evaluate run, for its collateral lookup. */
struct probe_run {
	struct audit_ctx	*a;
	uint64_t		 seq;		/* the probe's */
	bool			 no_collateral;
	bool			 used;		/* a collateral was handed out */
	enum tmon_rc		 rc;		/* a store read failed */
	struct tmon_err		 err;
	char			 unchecked[AUDIT_MSG];
};

struct audit_ctx *
audit_ctx_new(struct store *s, struct verify_ctx *vc,
    const struct audit_config *cfg)
{
	struct audit_ctx *a = xcalloc(1, sizeof(*a));

	a->s = s;
	a->vc = vc;
	if (cfg != NULL)
		a->cfg = *cfg;
	return a;
}

void
audit_ctx_free(struct audit_ctx *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < COLL_CACHE; i++)
		pcs_judgement_free(&a->built[i].j);
	for (i = 0; i < PROV_CACHE; i++)
		prov_replay_free(a->prov[i]);
	free(a);
}

const char *
audit_outcome_str(enum audit_outcome o)
{
	switch (o) {
	case AUDIT_DIFFERS:
		return "differs";
	case AUDIT_NOTHING:
		return "nothing";
	case AUDIT_FOLLOWS:
		return "follows";
	case AUDIT_UNCHECKED:
		break;
	}
	return "unchecked";
}

/* ---- results ---------------------------------------------------------- */

/* "entry 12 (probe sim/good): " */
static int
entry_prefix(const struct store_entry *e, char *buf, size_t bufsz)
{
	return snprintf(buf, bufsz, "entry %llu (%s%s%s): ",
	    (unsigned long long)e->seq, e->kind, e->model != NULL ? " " : "",
	    e->model != NULL ? e->model : "");
}

/* Set jb's outcome and message: the entry's prefix, then fmt. */
static void __attribute__((format(printf, 3, 4)))
result(struct job *jb, enum audit_outcome o, const char *fmt, ...)
{
	char *m = jb->out->msg;
	va_list ap;
	size_t n, i;
	int k;

	jb->out->outcome = o;
	k = entry_prefix(jb->e, m, AUDIT_MSG);
	n = k < 0 ? 0 : (size_t)k >= AUDIT_MSG ? AUDIT_MSG - 1 : (size_t)k;
	va_start(ap, fmt);
	vsnprintf(m + n, AUDIT_MSG - n, fmt, ap);
	va_end(ap);
	/* one printable line: stored strings are untrusted */
	for (i = 0; m[i] != '\0'; i++)
		if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] > 0x7e)
			m[i] = '?';
}

/* "could not re-check: ..." (AUDIT_UNCHECKED).  Returns
 * TMON_E_UNSUPPORTED: the kind's function stops there. */
#define UNCHECKED(jb, ...)						\
	(result((jb), AUDIT_UNCHECKED, "could not re-check: " __VA_ARGS__),\
	TMON_E_UNSUPPORTED)

/* ---- reading the stored body ------------------------------------------ */

static const char *
str_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The string member key of o, or "(none)" to print. */
static const char *
str_or(const json_t *o, const char *key)
{
	const char *v = str_of(o, key);

	return v != NULL ? v : "(none)";
}

/* The integer member key of o into *v; false when it is not one. */
static bool
int_of(const json_t *o, const char *key, int64_t *v)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_integer(j))
		return false;
	*v = (int64_t)json_integer_value(j);
	return true;
}

/* A string member that may be null or absent: true with *v (NULL for
 * null/absent); false when it is of another type. */
static bool
opt_str(const json_t *o, const char *key, const char **v)
{
	const json_t *j = json_object_get(o, key);

	*v = NULL;
	if (j == NULL || json_is_null(j))
		return true;
	if (!json_is_string(j))
		return false;
	*v = json_string_value(j);
	return true;
}

/*
 * Read the blob whose key is the 64 hex characters of hex (the member
 * what names it) into *data, *len (the caller frees *data).  Missing or
 * damaged: UNCHECKED; a store failure: its rc.
 */
static enum tmon_rc
blob_load(struct job *jb, const char *what, const char *hex, uint8_t **data,
    size_t *len)
{
	struct tmon_err e;
	uint8_t key[32];
	char *mt = NULL;
	enum tmon_rc rc;

	if (hex == NULL || !hex_decode_exact(hex, strlen(hex), key, 32, false))
		return UNCHECKED(jb, "%s is not a blob key", what);
	tmon_err_clear(&e);
	rc = store_blob_get(jb->a->s, key, data, len, &mt, &e);
	free(mt);
	if (rc == TMON_E_NOTFOUND)
		return UNCHECKED(jb, "its blob %.64s (%s) is missing", hex,
		    what);
	if (rc == TMON_E_PARSE)
		return UNCHECKED(jb, "its blob %.64s (%s) is damaged", hex,
		    what);
	if (rc != TMON_OK) {
		tmon_err_set(jb->err, rc, "%s", e.msg);
		(void)UNCHECKED(jb, "reading blob %.64s: %s", hex, e.msg);
	}
	return rc;
}

/* ---- comparing -------------------------------------------------------- */

/* The stored check id of a checks array, or NULL. */
static const json_t *
check_in(const json_t *checks, const char *id)
{
	const json_t *c;
	size_t i;

	json_array_foreach(checks, i, c) {
		const char *cid = str_of(c, "id");

		if (cid != NULL && strcmp(cid, id) == 0)
			return c;
	}
	return NULL;
}

/* Whether the stored checks judged an SEV-SNP report's signature or VCEK
 * chain (pass, warn or fail: AMD collateral was used). */
static bool
snp_judged(const json_t *checks)
{
	static const char ids[][24] = { "snp.report.signature",
	    "snp.vcek_chain" };
	const json_t *c;
	const char *st;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if ((c = check_in(checks, ids[i])) != NULL &&
		    (st = str_of(c, "status")) != NULL &&
		    strcmp(st, "skip") != 0 && strcmp(st, "error") != 0)
			return true;
	return false;
}

/* The first check whose status differs between the stored checks sc
 * and the re-derived rc, described into buf; false when none does.  A
 * re-derived skip that the stored checks do not list is no difference. */
static bool
check_diff(const json_t *sc, const json_t *rc, char *buf, size_t bufsz)
{
	const json_t *c, *o;
	const char *id, *st, *ost, *d;
	size_t i;

	json_array_foreach(rc, i, c) {
		id = str_of(c, "id");
		st = str_of(c, "status");
		if ((d = str_of(c, "detail")) == NULL)
			d = "";
		if (id == NULL || st == NULL)
			continue;
		if ((o = check_in(sc, id)) == NULL) {
			/* a check newer than the entry, which could not run on
			 * its evidence (gpu.nras, tls.binding in older logs) */
			if (strcmp(st, "skip") == 0)
				continue;
			snprintf(buf, bufsz, "%s is %s, and the stored checks "
			    "have no %s: %s", id, st, id, d);
			return true;
		}
		ost = str_of(o, "status");
		if (ost == NULL || strcmp(ost, st) != 0) {
			snprintf(buf, bufsz, "%s is %s, stored %s: %s", id, st,
			    ost != NULL ? ost : "(none)", d);
			return true;
		}
	}
	json_array_foreach(sc, i, c) {
		id = str_of(c, "id");
		if (id == NULL || check_in(rc, id) == NULL) {
			snprintf(buf, bufsz, "the stored check %s (%s) is not "
			    "one the evidence gives", id != NULL ? id : "(no id)",
			    str_of(c, "status") != NULL ? str_of(c, "status") :
			    "(no status)");
			return true;
		}
	}
	return false;
}

/* The first member "layer.key" that differs between two measurements,
 * into buf. */
static void
meas_diff(json_t *sm, json_t *rm, char *buf, size_t bufsz)
{
	const char *layer, *key;
	json_t *sl, *rl, *v;

	snprintf(buf, bufsz, "measurement");
	if (!json_is_object(sm) || !json_is_object(rm))
		return;
	json_object_foreach(rm, layer, rl) {
		sl = json_object_get(sm, layer);
		if (!json_is_object(rl) || !json_is_object(sl)) {
			if (!json_equal(rl, sl)) {
				snprintf(buf, bufsz, "measurement.%s", layer);
				return;
			}
			continue;
		}
		json_object_foreach(rl, key, v)
			if (!json_equal(v, json_object_get(sl, key))) {
				snprintf(buf, bufsz, "measurement.%s.%s", layer,
				    key);
				return;
			}
	}
}

/*
 * Compare the stored body s with the re-derived r: verdict, the status
 * of every check, and when full also format and measurement.  Sets jb's
 * result (AUDIT_FOLLOWS or AUDIT_DIFFERS); returns true when they agree.
 */
static bool
compare(struct job *jb, const json_t *s, const json_t *r, bool full)
{
	const char *sv = str_of(s, "verdict"), *rv = str_of(r, "verdict");
	const json_t *sc = json_object_get(s, "checks");
	const json_t *rc = json_object_get(r, "checks");
	char why[AUDIT_MSG];
	bool d;

	d = check_diff(sc, rc, why, sizeof(why));
	if (sv == NULL || rv == NULL || strcmp(sv, rv) != 0) {
		result(jb, AUDIT_DIFFERS, "stored verdict %s does not follow "
		    "from its evidence, which gives %s%s%s",
		    sv != NULL ? sv : "(none)", rv != NULL ? rv : "(none)",
		    d ? ": " : "", d ? why : "");
		return false;
	}
	if (d) {
		result(jb, AUDIT_DIFFERS, "stored checks do not follow from "
		    "its evidence: %s", why);
		return false;
	}
	if (full && !json_equal(json_object_get(s, "format"),
	    json_object_get(r, "format"))) {
		result(jb, AUDIT_DIFFERS, "stored format %s does not follow "
		    "from its evidence, which gives %s", str_or(s, "format"),
		    str_or(r, "format"));
		return false;
	}
	if (full && !json_equal(json_object_get(s, "measurement"),
	    json_object_get(r, "measurement"))) {
		meas_diff(json_object_get(s, "measurement"),
		    json_object_get(r, "measurement"), why, sizeof(why));
		result(jb, AUDIT_DIFFERS, "stored %s does not follow from its "
		    "evidence", why);
		return false;
	}
	jb->out->outcome = AUDIT_FOLLOWS;
	jb->out->msg[0] = '\0';
	return true;
}

/* ---- collateral ------------------------------------------------------- */

static const char *
ca_name(int ca)
{
	return ca == TDX_PCK_CA_PROCESSOR ? "processor" : "platform";
}

/* fmspc and ca of a collateral body; false when malformed. */
static bool
coll_key(const json_t *body, uint8_t fmspc[6], int *ca)
{
	const char *f = str_of(body, "fmspc"), *c = str_of(body, "ca");

	if (f == NULL || c == NULL ||
	    !hex_decode_exact(f, strlen(f), fmspc, 6, false))
		return false;
	if (strcmp(c, "platform") == 0)
		*ca = TDX_PCK_CA_PLATFORM;
	else if (strcmp(c, "processor") == 0)
		*ca = TDX_PCK_CA_PROCESSOR;
	else
		return false;
	return true;
}

/*
 * One logged document of a collateral body into r, its blobs loaded
 * (r->body and r->headers, which the caller frees): as fetch.h would
 * have handed it over.  A document that brought no bytes and has an
 * error failed in transport (rc TMON_E_NET: every such failure is
 * "error" to pcs_judge).
 */
static enum tmon_rc
coll_doc(struct job *jb, const json_t *docs, const char *name,
    struct fetch_result *r)
{
	const json_t *d = json_object_get(docs, name);
	const char *err, *bh, *hh;
	int64_t status, blen = 0;
	uint8_t *data;
	size_t len;
	enum tmon_rc rc;
	bool has_len;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(d) || !int_of(d, "status", &status) ||
	    !opt_str(d, "error", &err) || !opt_str(d, "body_sha256", &bh) ||
	    !opt_str(d, "headers_sha256", &hh))
		return UNCHECKED(jb, "documents.%s is not a logged document",
		    name);
	has_len = int_of(d, "body_len", &blen);
	r->status = (long)status;
	r->rc = err != NULL && err[0] != '\0' ? TMON_E_NET : TMON_OK;
	if (err != NULL)
		snprintf(r->error, sizeof(r->error), "%s", err);
	if (bh != NULL) {
		if ((rc = blob_load(jb, name, bh, &data, &len)) != TMON_OK)
			return rc;
		r->body = data;
		r->body_len = len;
		if (!has_len || blen < 0 || (uint64_t)blen != len)
			return UNCHECKED(jb, "documents.%s.body_len is not the "
			    "length of its blob (%zu bytes)", name, len);
	} else if (has_len && blen == 0)
		r->body = (uint8_t *)xcalloc(1, 1);	/* an empty body */
	if (hh != NULL) {
		if ((rc = blob_load(jb, name, hh, &data, &len)) != TMON_OK)
			return rc;
		r->headers = (char *)data;
		r->headers_len = len;
	}
	return TMON_OK;
}

/*
 * Rebuild the collateral of body (a `collateral` entry) into b:
 * pcs_judge over its logged documents, with the test root when the
 * body says test_pki.  UNCHECKED (reason in jb's result), a store rc,
 * or TMON_OK with b->j set.
 */
static enum tmon_rc
coll_rebuild(struct job *jb, const json_t *body, struct coll_built *b)
{
	struct fetch_result res[PCS_NDOCS];
	const struct audit_config *t = &jb->a->cfg;
	const json_t *docs = json_object_get(body, "documents");
	const json_t *tp = json_object_get(body, "test_pki");
	uint8_t fmspc[6];
	enum tmon_rc rc = TMON_OK;
	size_t i;
	int ca;

	memset(res, 0, sizeof(res));
	if (!coll_key(body, fmspc, &ca) || !json_is_object(docs) ||
	    !json_is_boolean(tp))
		return UNCHECKED(jb, "not a collateral body this tmonctl "
		    "reads (fmspc, ca, test_pki, documents)");
	if (json_is_true(tp) && t->intel_root_der == NULL)
		return UNCHECKED(jb, "its documents were verified against a "
		    "test PKI (test_pki), and no test trust anchors were "
		    "given (--config)");
	for (i = 0; i < PCS_NDOCS && rc == TMON_OK; i++)
		rc = coll_doc(jb, docs, pcs_doc_names[i], &res[i]);
	if (rc == TMON_OK) {
		pcs_judge(res, fmspc, ca, json_is_true(tp) ? t->intel_root_der :
		    NULL, t->intel_root_der_len, &b->j);
		b->rebuilt = true;
	}
	for (i = 0; i < PCS_NDOCS; i++) {
		free(res[i].body);
		free(res[i].headers);
	}
	return rc;
}

/*
 * The collateral entry seq rebuilt, from a's cache or now.  On TMON_OK
 * *out is a's (valid until the next call); !(*out)->rebuilt says why not
 * in (*out)->why.  A store failure returns its rc.
 */
static enum tmon_rc
coll_get(struct audit_ctx *a, uint64_t seq, struct coll_built **out,
    struct tmon_err *err)
{
	struct store_entry e;
	struct audit_result res;
	struct coll_built *b = NULL;
	struct tmon_err le;
	struct job jb;
	enum tmon_rc rc;
	size_t i;

	a->tick++;
	for (i = 0; i < COLL_CACHE; i++)
		if (a->built[i].used && a->built[i].seq == seq) {
			a->built[i].tick = a->tick;
			a->built[i].entry = a->entry;
			*out = &a->built[i];
			return TMON_OK;
		}
	/* the least recently used one the current entry does not hold */
	for (i = 0; i < COLL_CACHE; i++) {
		if (a->built[i].used && a->built[i].entry == a->entry)
			continue;
		if (b == NULL || !a->built[i].used ||
		    (b->used && a->built[i].tick < b->tick))
			b = &a->built[i];
	}
	TMON_ASSERT(b != NULL);
	pcs_judgement_free(&b->j);
	memset(b, 0, sizeof(*b));
	memset(&e, 0, sizeof(e));
	memset(&res, 0, sizeof(res));
	tmon_err_clear(&le);
	if ((rc = store_entry_get(a->s, seq, &e, &le)) != TMON_OK) {
		if (rc != TMON_E_PARSE && rc != TMON_E_NOTFOUND)
			return tmon_err_set(err, rc, "%s", le.msg);
		/* store_verify reports the damage itself */
		snprintf(b->why, sizeof(b->why), "entry %llu cannot be read",
		    (unsigned long long)seq);
	} else {
		memset(&jb, 0, sizeof(jb));
		jb.a = a;
		jb.e = &e;
		jb.out = &res;
		jb.err = err;
		if ((jb.body = entry_parse(&e)) == NULL)
			snprintf(b->why, sizeof(b->why), "entry %llu is not a "
			    "JSON object", (unsigned long long)seq);
		else if ((rc = coll_rebuild(&jb, jb.body, b)) != TMON_OK &&
		    rc != TMON_E_UNSUPPORTED) {
			json_decref(jb.body);
			store_entry_free(&e);
			return rc;
		} else if (!b->rebuilt)
			snprintf(b->why, sizeof(b->why), "%s", res.msg);
		json_decref(jb.body);
		store_entry_free(&e);
	}
	b->used = true;
	b->seq = seq;
	b->tick = a->tick;
	b->entry = a->entry;
	*out = b;
	return TMON_OK;
}

/* store_query callback: the first collateral body for (fmspc, ca). */
struct coll_find {
	const uint8_t	*fmspc;
	int		 ca;
	bool		 found;
	uint64_t	 seq;
};

static int
coll_find_cb(const struct store_entry *e, void *arg)
{
	struct coll_find *f = arg;
	json_t *body = entry_parse(e);
	uint8_t fmspc[6];
	int ca;

	if (body != NULL && coll_key(body, fmspc, &ca) &&
	    memcmp(fmspc, f->fmspc, 6) == 0 && ca == f->ca) {
		f->found = true;
		f->seq = e->seq;
	}
	json_decref(body);
	return f->found;
}

/*
 * The newest collateral entry with verdict pass for (fmspc, ca) before
 * seq before: *found and *seq.  What tmond's cache held when it verified
 * the probe at seq before: it keeps the newest collateral that verified
 * (pcs_client.h) and logs it before using it.
 */
static enum tmon_rc
coll_find(struct audit_ctx *a, const uint8_t fmspc[6], int ca,
    uint64_t before, bool *found, uint64_t *seq, struct tmon_err *err)
{
	struct coll_memo *m = NULL;
	struct store_query q;
	struct coll_find f;
	enum tmon_rc rc;
	size_t i;

	a->tick++;
	for (i = 0; i < MAX_COLLATERAL_SLOTS; i++)
		if (a->memo[i].used && a->memo[i].ca == ca &&
		    memcmp(a->memo[i].fmspc, fmspc, 6) == 0) {
			m = &a->memo[i];
			break;
		}
	if (m == NULL || m->upto > before) {
		if (m == NULL)
			for (i = 0; i < MAX_COLLATERAL_SLOTS; i++)
				if (m == NULL || !a->memo[i].used ||
				    (m->used && a->memo[i].tick < m->tick))
					m = &a->memo[i];
		memset(m, 0, sizeof(*m));
		m->used = true;
		memcpy(m->fmspc, fmspc, 6);
		m->ca = ca;
	}
	m->tick = a->tick;
	if (m->upto < before) {
		memset(&f, 0, sizeof(f));
		f.fmspc = fmspc;
		f.ca = ca;
		store_query_init(&q);
		q.kind = "collateral";
		q.verdict = "pass";
		q.before_seq = before;
		q.after_seq = m->upto > 0 ? m->upto - 1 : UINT64_MAX;
		q.newest_first = true;
		if ((rc = store_query(a->s, &q, coll_find_cb, &f, err)) !=
		    TMON_OK)
			return rc;
		if (f.found) {
			m->found = true;
			m->seq = f.seq;
		}
		m->upto = before;
	}
	*found = m->found;
	*seq = m->seq;
	return TMON_OK;
}

/* attest_ctx.collateral of a probe_run. */
static const struct tdx_collateral *
run_collateral(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	struct probe_run *r = arg;
	struct coll_built *b;
	uint64_t cseq = 0;
	bool found = false;
	char fhex[13];

	if (r->no_collateral || r->rc != TMON_OK || r->unchecked[0] != '\0')
		return NULL;
	r->rc = coll_find(r->a, fmspc, pck_ca, r->seq, &found, &cseq,
	    &r->err);
	if (r->rc == TMON_E_PARSE) {
		/* store_verify reports the damaged entry itself */
		snprintf(r->unchecked, sizeof(r->unchecked), "a collateral "
		    "entry before it cannot be read: %s", r->err.msg);
		r->rc = TMON_OK;
	}
	if (r->rc != TMON_OK || !found || r->unchecked[0] != '\0')
		return NULL;
	if ((r->rc = coll_get(r->a, cseq, &b, &r->err)) != TMON_OK)
		return NULL;
	hex_encode(fmspc, 6, fhex);
	if (!b->rebuilt)
		snprintf(r->unchecked, sizeof(r->unchecked), "the collateral "
		    "it was verified with (fmspc %s %s, entry %llu) could not "
		    "be rebuilt: %.400s", fhex, ca_name(pck_ca),
		    (unsigned long long)cseq, b->why);
	else if (b->j.rc != TMON_OK || b->j.wrong)
		snprintf(r->unchecked, sizeof(r->unchecked), "the collateral "
		    "it was verified with (fmspc %s %s, entry %llu) does not "
		    "verify: %s", fhex, ca_name(pck_ca),
		    (unsigned long long)cseq, b->j.err.msg);
	else {
		r->used = true;
		return b->j.col;
	}
	return NULL;
}

/* An AMD KDS collateral entry (kds_client.h): its documents judged
 * again. */
static enum tmon_rc
rederive_kds(struct job *jb)
{
	static const char *const names[KDS_NDOCS] = { "vcek", "cert_chain" };
	struct fetch_result res[KDS_NDOCS];
	const json_t *docs = json_object_get(jb->body, "documents");
	const char *sv = str_of(jb->body, "verdict");
	const char *product = str_of(jb->body, "product"), *v;
	bool asked[KDS_NDOCS];
	char why[MAX_CHECK_DETAIL];
	enum tmon_rc rc = TMON_OK;
	size_t i;

	memset(res, 0, sizeof(res));
	if (product == NULL || !json_is_object(docs) ||
	    json_object_get(docs, names[0]) == NULL)
		return UNCHECKED(jb, "not an AMD collateral body this tmonctl "
		    "reads (product, documents.vcek)");
	for (i = 0; i < KDS_NDOCS && rc == TMON_OK; i++) {
		asked[i] = json_object_get(docs, names[i]) != NULL;
		if (asked[i])
			rc = coll_doc(jb, docs, names[i], &res[i]);
	}
	if (rc == TMON_OK) {
		v = kds_judge(res, asked, product, why, sizeof(why));
		if (sv == NULL || strcmp(sv, v) != 0)
			result(jb, AUDIT_DIFFERS, "stored verdict %s does not "
			    "follow from its evidence, which gives %s%s%s",
			    sv != NULL ? sv : "(none)", v, why[0] != '\0' ?
			    ": " : "", why);
		else
			jb->out->outcome = AUDIT_FOLLOWS;
	}
	for (i = 0; i < KDS_NDOCS; i++) {
		free(res[i].body);
		free(res[i].headers);
	}
	return rc;
}

/* A collateral entry: its documents judged again. */
static enum tmon_rc
rederive_collateral(struct job *jb)
{
	struct coll_built *b;
	const char *sv = str_of(jb->body, "verdict");
	const char *si, *sn;
	char t1[32], t2[32];
	const char *ri = NULL, *rn = NULL;
	enum tmon_rc rc;

	if (str_of(jb->body, "tee") != NULL &&
	    strcmp(str_of(jb->body, "tee"), "sev-snp") == 0)
		return rederive_kds(jb);
	if ((rc = coll_get(jb->a, jb->e->seq, &b, jb->err)) != TMON_OK)
		return rc;
	if (!b->rebuilt) {
		/* b->why is coll_rebuild's message about this entry */
		jb->out->outcome = AUDIT_UNCHECKED;
		snprintf(jb->out->msg, AUDIT_MSG, "%s", b->why);
		return TMON_E_UNSUPPORTED;
	}
	if (!opt_str(jb->body, "issue_date", &si) ||
	    !opt_str(jb->body, "next_update", &sn))
		return UNCHECKED(jb, "issue_date, next_update are not strings");
	if (b->j.col != NULL) {
		ri = fmt_time(tdx_collateral_issue_date(b->j.col), t1,
		    sizeof(t1));
		rn = fmt_time(tdx_collateral_next_update(b->j.col), t2,
		    sizeof(t2));
	}
	if (sv == NULL || strcmp(sv, b->j.verdict) != 0)
		result(jb, AUDIT_DIFFERS, "stored verdict %s does not follow "
		    "from its evidence, which gives %s%s%s", sv != NULL ? sv :
		    "(none)", b->j.verdict, strcmp(b->j.verdict, "pass") != 0 ?
		    ": " : "", strcmp(b->j.verdict, "pass") != 0 ?
		    b->j.err.msg : "");
	else if ((si == NULL) != (ri == NULL) || (si != NULL &&
	    strcmp(si, ri) != 0) || (sn == NULL) != (rn == NULL) ||
	    (sn != NULL && strcmp(sn, rn) != 0))
		result(jb, AUDIT_DIFFERS, "stored issue_date %s, next_update "
		    "%s do not follow from its evidence, which gives %s, %s",
		    si != NULL ? si : "null", sn != NULL ? sn : "null",
		    ri != NULL ? ri : "null", rn != NULL ? rn : "null");
	else
		jb->out->outcome = AUDIT_FOLLOWS;
	return TMON_OK;
}

/* ---- probes ----------------------------------------------------------- */

/* True when a tdx.* or gpu.* check of checks says it was verified
 * against a test PKI (attest.h). */
static bool
test_pki_marked(const json_t *checks)
{
	const json_t *c;
	const char *id, *d;
	size_t i, n, m = sizeof(ATTEST_TEST_PKI_MARK) - 1;

	json_array_foreach(checks, i, c) {
		id = str_of(c, "id");
		d = str_of(c, "detail");
		if (id == NULL || d == NULL || (strncmp(id, "tdx.", 4) != 0 &&
		    strncmp(id, "gpu.", 4) != 0))
			continue;
		n = strlen(d);
		if (n >= m && strcmp(d + n - m, ATTEST_TEST_PKI_MARK) == 0)
			return true;
	}
	return false;
}

/*
 * A request of a probe as tmond handed it to probe_evaluate: what came
 * back (the blob, when bytes were kept: then the request succeeded) and
 * how it ended.  fail_id: the check that is "fail" when the request went
 * over its size cap (no bytes, an error), which is taken as recorded.
 */
static enum tmon_rc
probe_fetch_of(struct job *jb, const char *what, int64_t status,
    int64_t duration_ms, const char *error, const char *blob,
    const char *fail_id, uint8_t **data, struct probe_fetch *f)
{
	const json_t *c;
	size_t len = 0;
	enum tmon_rc rc;

	memset(f, 0, sizeof(*f));
	*data = NULL;
	f->status = (long)status;
	f->duration_ms = duration_ms;
	f->error = error != NULL ? error : "";
	if (blob != NULL) {
		if ((rc = blob_load(jb, what, blob, data, &len)) != TMON_OK)
			return rc;
		f->body = *data;
		f->body_len = len;
		f->rc = TMON_OK;
	} else if (error != NULL && error[0] != '\0') {
		c = check_in(json_object_get(jb->body, "checks"), fail_id);
		f->rc = c != NULL && str_of(c, "status") != NULL &&
		    strcmp(str_of(c, "status"), "fail") == 0 ? TMON_E_LIMIT :
		    TMON_E_NET;
	}
	return TMON_OK;
}

/* The canary of a probe body, blobs loaded into mem[3] (the caller
 * frees them). */
static enum tmon_rc
probe_canary_of(struct job *jb, const json_t *cj, struct probe_canary *cn,
    uint8_t *mem[3])
{
	const char *url, *req, *resp, *err, *cid, *sig;
	int64_t status, dur, sreq, sst;
	size_t len;
	enum tmon_rc rc;

	memset(cn, 0, sizeof(*cn));
	if (cj == NULL || json_is_null(cj))
		return TMON_OK;
	if (!json_is_object(cj) || !json_is_boolean(json_object_get(cj,
	    "stream")) || (url = str_of(cj, "url")) == NULL ||
	    !int_of(cj, "status", &status) ||
	    !int_of(cj, "duration_ms", &dur) ||
	    (req = str_of(cj, "request_sha256")) == NULL ||
	    !opt_str(cj, "response_sha256", &resp) ||
	    !opt_str(cj, "error", &err) ||
	    !opt_str(cj, "completion_id", &cid) ||
	    !int_of(cj, "signature_requests", &sreq) || sreq < 0 ||
	    sreq > UINT32_MAX || !int_of(cj, "signature_status", &sst) ||
	    !opt_str(cj, "signature_sha256", &sig))
		return UNCHECKED(jb, "its canary is not one this tmonctl "
		    "reads");
	cn->attempted = true;
	cn->stream = json_is_true(json_object_get(cj, "stream"));
	cn->url = url;
	if ((rc = blob_load(jb, "canary.request_sha256", req, &mem[0],
	    &len)) != TMON_OK)
		return rc;
	cn->request = mem[0];
	cn->request_len = len;
	if ((rc = probe_fetch_of(jb, "canary.response_sha256", status, dur,
	    err, resp, "sig.completion", &mem[1], &cn->completion)) !=
	    TMON_OK)
		return rc;
	cn->completion_id = cid != NULL ? cid : "";
	cn->sig_tries = (unsigned)sreq;
	cn->sig_attempted = sreq > 0;
	if ((rc = probe_fetch_of(jb, "canary.signature_sha256", sst, 0,
	    NULL, sig, "sig.completion", &mem[2], &cn->signature)) != TMON_OK)
		return rc;
	if (sig == NULL)
		cn->signature.rc = TMON_E_NET;	/* no answer kept */
	return TMON_OK;
}

/*
 * One run of probe_evaluate over the stored evidence of jb's probe,
 * with or without collateral; the rebuilt body into *out (a new
 * reference).
 */
static enum tmon_rc
probe_run(struct job *jb, const struct model_cfg *m, const char *url,
    const uint8_t nonce[32], int64_t time, int64_t now,
    const struct attest_ctx *base, const struct probe_fetch *pf,
    const struct probe_canary *cn, bool no_collateral, bool *used,
    json_t **out)
{
	struct probe_outcome *po = xcalloc(1, sizeof(*po));
	struct probe_run r;
	struct attest_ctx ctx = *base;
	enum tmon_rc rc = TMON_OK;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.a = jb->a;
	r.seq = jb->e->seq;
	r.no_collateral = no_collateral;
	ctx.collateral = run_collateral;
	ctx.collateral_arg = &r;
	probe_evaluate(m, url, nonce, time, now, &ctx, pf, cn, po);
	*used = r.used;
	if (r.rc != TMON_OK) {
		(void)UNCHECKED(jb, "reading its collateral: %s", r.err.msg);
		rc = tmon_err_set(jb->err, r.rc, "%s", r.err.msg);
	} else if (r.unchecked[0] != '\0')
		rc = UNCHECKED(jb, "%s", r.unchecked);
	else if ((*out = store_body_parse(po->entry, po->entry_len)) == NULL)
		rc = UNCHECKED(jb, "the rebuilt body does not parse");
	probe_outcome_free(po);
	free(po);
	return rc;
}

/*
 * probe_fetch.provenance for a re-derivation: the provenance.* checks as
 * recorded (arg: the stored checks), when both skip (the model had no
 * "provenance": configuration) or the model's `provenance` entries
 * cannot be replayed (replayed_provenance below otherwise).
 */
static void
recorded_provenance(void *arg, const struct attest_measurement *m,
    struct checklist *cl)
{
	const json_t *checks = arg, *c;
	enum check_status st;
	const char *id, *d;
	size_t i;

	(void)m;
	json_array_foreach(checks, i, c) {
		if ((id = str_of(c, "id")) == NULL ||
		    strncmp(id, "provenance.", 11) != 0 ||
		    strlen(id) >= MAX_CHECK_ID ||
		    !check_status_parse(str_of(c, "status"), &st))
			continue;
		d = str_of(c, "detail");
		checklist_set(cl, id, st, "%s", d != NULL ? d : "");
	}
}

/* ---- code provenance -------------------------------------------------- */

/* The documents of a `provenance` entry (provenance_client.h). */
static const char *const prov_doc_names[PROVC_NDOCS] = { "release",
    "digest_asset", "attestations" };

/*
 * One `provenance` entry judged again from its documents, as
 * provenance_client.c judges a look-up.
 */
struct prov_judged {
	bool			 hw;		/* PROV_PREDICATE_HARDWARE */
	bool			 asked[PROVC_NDOCS];	/* fetched by the
							   look-up */
	bool			 judged;	/* false: not completed (what
						   the repository held stands) */
	enum verdict		 v;		/* VERDICT_ERROR when !judged */
	char			 tag[MAX_PROV_NAME];	/* "": none */
	bool			 has_digest;
	uint8_t			 digest[32];
	const char		*digest_source;	/* NULL: none */
	bool			 has_sig;	/* verification ran: sig */
	struct checklist	 sig;
	struct prov_release	 rel;		/* v == VERDICT_PASS */
	struct sigstore_result	 res;		/* v == VERDICT_PASS */
	char			 why[MAX_CHECK_DETAIL];
};

/* The look-up of j ends judged with v (why when not pass). */
static void
prov_judge(struct prov_judged *j, enum verdict v, const char *why)
{
	j->judged = true;
	j->v = v;
	snprintf(j->why, sizeof(j->why), "%s", why != NULL ? why : "");
}

/* The look-up of j was not completed (why). */
static void
prov_incomplete(struct prov_judged *j, const char *why)
{
	j->judged = false;
	j->v = VERDICT_ERROR;
	snprintf(j->why, sizeof(j->why), "%s", why);
}

/*
 * The steps of a look-up (provenance_client.c release_in, asset_in,
 * attestations_in) over the documents res (a document the entry does
 * not have: a transport error "not in the entry") into j, with the
 * policy p and the root tmond had (has_root: trusted_root_sha256 is
 * set), at time now.  Returns TMON_E_UNSUPPORTED (reason in jb's
 * result) when the attestations would be verified and the context has
 * not that root.
 */
static enum tmon_rc
prov_steps(struct job *jb, struct fetch_result res[PROVC_NDOCS],
    const struct sigstore_policy *p, const char *want, bool has_root,
    const uint8_t root_sha[32], int64_t now, struct prov_judged *j)
{
	const struct audit_config *t = &jb->a->cfg;
	struct github_release rel;
	struct tmon_err err;
	char why[MAX_CHECK_DETAIL], h1[65], h2[65];
	const struct fetch_result *r;

	j->asked[PROVC_DOC_RELEASE] = true;
	r = &res[PROVC_DOC_RELEASE];
	if (prov_doc_problem(r, "release", why, sizeof(why)) != NULL) {
		prov_incomplete(j, why);
		return TMON_OK;
	}
	tmon_err_clear(&err);
	if (github_release_parse(r->body, r->body_len, &rel, &err) !=
	    TMON_OK) {
		prov_judge(j, VERDICT_FAIL, err.msg);
		return TMON_OK;
	}
	snprintf(j->tag, sizeof(j->tag), "%s", rel.tag);
	j->asked[PROVC_DOC_ASSET] = true;
	r = &res[PROVC_DOC_ASSET];
	/* a request tmond could not start ended the look-up */
	if (r->rc != TMON_OK && strncmp(r->error, "request not started: ",
	    21) == 0) {
		(void)prov_doc_problem(r, "digest_asset", why, sizeof(why));
		prov_incomplete(j, why);
		return TMON_OK;
	}
	switch (prov_digest_step(&rel, r, j->digest, &j->digest_source, why,
	    sizeof(why))) {
	case VERDICT_PASS:
		j->has_digest = true;
		break;
	case VERDICT_FAIL:
		prov_judge(j, VERDICT_FAIL, why);
		return TMON_OK;
	default:
		prov_incomplete(j, why);
		return TMON_OK;
	}
	j->asked[PROVC_DOC_ATTESTATIONS] = true;
	r = &res[PROVC_DOC_ATTESTATIONS];
	if (prov_doc_problem(r, "attestations", why, sizeof(why)) != NULL) {
		prov_incomplete(j, why);
		return TMON_OK;
	}
	if (!has_root) {
		prov_judge(j, VERDICT_ERROR, "no trusted root");
		return TMON_OK;
	}
	if (t->sigstore_root == NULL)
		return UNCHECKED(jb, "its attestations were verified against "
		    "the Sigstore trusted root %s, and none could be loaded: "
		    "%s", hex_encode(root_sha, 32, h1),
		    t->sigstore_root_error != NULL ? t->sigstore_root_error :
		    "none given");
	if (memcmp(t->sigstore_root->sha256, root_sha, 32) != 0)
		return UNCHECKED(jb, "its attestations were verified against "
		    "the Sigstore trusted root %s, not the one given (%s; "
		    "--trusted-root)", hex_encode(root_sha, 32, h1),
		    hex_encode(t->sigstore_root->sha256, 32, h2));
	checklist_init(&j->sig);
	j->v = prov_attestations_step(t->sigstore_root, r, want, p, j->tag,
	    j->digest, now, &j->rel, &j->res, &j->sig, why, sizeof(why));
	j->has_sig = j->sig.n > 0;
	prov_judge(j, j->v, why[0] != '\0' ? why : NULL);
	return TMON_OK;
}

/* A stored string member (null: NULL) that differs from want (NULL or
 * ""), named into buf; false when they agree or it is not a string. */
static bool
prov_str_differs(const json_t *b, const char *key, const char *want,
    char *buf, size_t bufsz)
{
	const char *v;

	if (want != NULL && want[0] == '\0')
		want = NULL;
	if (!opt_str(b, key, &v) || (v == NULL) != (want == NULL) ||
	    (v != NULL && strcmp(v, want) != 0)) {
		snprintf(buf, bufsz, "stored %s %.100s does not follow from its "
		    "evidence, which gives %.100s", key, v != NULL ? v :
		    "null", want != NULL ? want : "null");
		return true;
	}
	return false;
}

/*
 * Re-derive jb's `provenance` body into *j (zeroed first) and compare:
 * jb's result is AUDIT_FOLLOWS, AUDIT_DIFFERS or AUDIT_UNCHECKED.
 * Returns TMON_OK when it is set, TMON_E_UNSUPPORTED for UNCHECKED, or
 * the store's rc.
 */
/* s, or NULL when empty (provenance_client.c writes "" as null). */
static const char *
nonempty_or_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

/*
 * The members of a provenance entry that the bundle which verified gives
 * ("identity", "integrated_time", "log_index"), written by the one
 * writer (entry_provenance_body) from j as provenance_client.c fills
 * them: all null unless the look-up verified.
 */
static json_t *
prov_signed_json(const struct prov_judged *j)
{
	static const char *const keys[] = { "identity", "integrated_time",
	    "log_index" };
	struct entry_provenance ep;
	uint8_t *body;
	size_t len, i;
	json_t *o, *r;

	memset(&ep, 0, sizeof(ep));
	ep.model = "";
	ep.repo = "";
	ep.verdict = "pass";
	if (j->judged && j->v == VERDICT_PASS) {
		ep.id_issuer = nonempty_or_null(j->res.id.issuer);
		ep.id_repo = nonempty_or_null(j->res.id.repo_uri);
		ep.id_ref = nonempty_or_null(j->res.id.repo_ref);
		ep.id_sha = nonempty_or_null(j->res.id.repo_digest);
		ep.id_workflow = nonempty_or_null(j->res.id.signer_uri);
		ep.has_tlog = j->res.has_tlog;
		ep.integrated_time = j->res.integrated_time;
		ep.log_index = (int64_t)j->res.log_index;
	}
	body = entry_provenance_body(&ep, &len);
	o = tjson_chk(json_loadb((const char *)body, len, 0, NULL));
	free(body);
	r = tjson_chk(json_object());
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		tjson_set(r, keys[i], json_incref(json_object_get(o,
		    keys[i])));
	json_decref(o);
	return r;
}

static enum tmon_rc
prov_entry(struct job *jb, struct prov_judged *j)
{
	const json_t *b = jb->body, *docs, *pol;
	struct fetch_result res[PROVC_NDOCS];
	struct sigstore_policy sp;
	const char *repo, *want, *rh, *sv;
	uint8_t root_sha[32];
	char why[AUDIT_MSG], dh[65];
	json_t *r = NULL, *regs, *sg, *v;
	const char *key;
	int64_t now;
	enum tmon_rc rc = TMON_OK;
	bool present[PROVC_NDOCS];
	size_t i;

	memset(j, 0, sizeof(*j));
	memset(res, 0, sizeof(res));
	memset(present, 0, sizeof(present));
	memset(&sp, 0, sizeof(sp));
	docs = json_object_get(b, "documents");
	pol = json_object_get(b, "policy");
	want = str_of(b, "predicate_type");
	if ((repo = str_of(b, "repo")) == NULL || want == NULL ||
	    !int_of(b, "time", &now) || !json_is_object(docs) ||
	    !json_is_object(pol) || !opt_str(pol, "workflow", &sp.workflow) ||
	    !opt_str(pol, "ref", &sp.ref) || !opt_str(pol, "issuer",
	    &sp.issuer) || !opt_str(b, "trusted_root_sha256", &rh) ||
	    (rh != NULL && !hex_decode_exact(rh, strlen(rh), root_sha, 32,
	    false)) || (sv = str_of(b, "verdict")) == NULL)
		return UNCHECKED(jb, "not a provenance body this tmonctl reads");
	if (strcmp(want, PROV_PREDICATE_HARDWARE) == 0)
		j->hw = true;
	else if (strcmp(want, PROV_PREDICATE_MULTIPLATFORM) != 0)
		return UNCHECKED(jb, "its predicate_type %.200s is not one "
		    "tmond looks up", want);
	sp.repo = repo;
	for (i = 0; i < PROVC_NDOCS && rc == TMON_OK; i++) {
		present[i] = json_object_get(docs, prov_doc_names[i]) != NULL;
		if (present[i])
			rc = coll_doc(jb, docs, prov_doc_names[i], &res[i]);
		else {
			res[i].rc = TMON_E_NET;
			snprintf(res[i].error, sizeof(res[i].error), "not in "
			    "the entry");
		}
	}
	if (rc == TMON_OK)
		rc = prov_steps(jb, res, &sp, want, rh != NULL, root_sha, now,
		    j);
	for (i = 0; i < PROVC_NDOCS; i++) {
		free(res[i].body);
		free(res[i].headers);
	}
	if (rc != TMON_OK)
		return rc;
	r = tjson_chk(json_object());
	tjson_set(r, "verdict", json_string(j->judged ? check_status_str(
	    verdict_check(j->v)) : "error"));
	tjson_set(r, "checks", j->has_sig ? entry_checks_json(&j->sig) :
	    json_null());
	if (!compare(jb, b, r, false))
		goto out;
	for (i = 0; i < PROVC_NDOCS; i++)
		if (present[i] != j->asked[i]) {
			result(jb, AUDIT_DIFFERS, "documents.%s %s, and the "
			    "look-up its documents give %s", prov_doc_names[i],
			    present[i] ? "is stored" : "is missing",
			    j->asked[i] ? "fetched it" : "stops before it");
			goto out;
		}
	regs = j->judged && j->v == VERDICT_PASS ?
	    prov_registers_json(&j->rel.pred) : json_null();
	if (prov_str_differs(b, "tag", j->tag, why, sizeof(why)) ||
	    prov_str_differs(b, "digest", j->has_digest ? hex_encode(
	    j->digest, 32, dh) : NULL, why, sizeof(why)) ||
	    prov_str_differs(b, "digest_source", j->digest_source, why,
	    sizeof(why)))
		result(jb, AUDIT_DIFFERS, "%s", why);
	else if (!json_equal(json_object_get(b, "registers"), regs))
		result(jb, AUDIT_DIFFERS, "stored registers do not follow "
		    "from its evidence (the predicate of its verified "
		    "attestation)");
	else {
		sg = prov_signed_json(j);
		json_object_foreach(sg, key, v)
			if (!json_equal(json_object_get(b, key), v)) {
				result(jb, AUDIT_DIFFERS, "stored %s does not "
				    "follow from its evidence (the bundle "
				    "that verified)", key);
				break;
			}
		json_decref(sg);
	}
	json_decref(regs);
out:
	json_decref(r);
	return TMON_OK;
}

static enum tmon_rc
rederive_provenance(struct job *jb)
{
	struct prov_judged *j = xmalloc(sizeof(*j));
	enum tmon_rc rc;

	rc = prov_entry(jb, j);
	free(j);
	return rc;
}

/* ---- replaying a model's provenance ------------------------------------ */

/* One repository of a model as tmond held it (provenance_client.c
 * struct prov_track). */
struct prov_state {
	bool			 judged;
	enum verdict		 v;
	char			 tag[MAX_PROV_NAME];
	enum check_status	 release;	/* its provenance.release */
	char			 release_detail[MAX_CHECK_DETAIL];
	/* the verified releases, newest first: n of them (at most
	 * MAX_PROV_RELEASES) in an array of cap */
	struct prov_release	*rels;
	size_t			 n;
	size_t			 cap;
	/* its last entry (since a reset): the look-up's time, the SHA-256
	 * of its repo and policy, and what it came to (last: allocated
	 * once, kept) */
	bool			 has_last;
	uint64_t		 last_seq;
	int64_t			 last_time;
	uint8_t			 last_key[32];
	struct prov_judged	*last;
};

/* The `provenance` entries of one model before upto, replayed. */
struct prov_replay {
	bool			 used;
	char			 model[MAX_MODEL_ID];
	uint64_t		 upto;
	uint64_t		 tick;
	struct prov_state	 main;		/* the model's repository */
	struct prov_state	 hw;		/* its hardware_repo */
	/* an entry that did not re-derive: nothing after it is replayed */
	bool			 broken;
	char			 why[AUDIT_MSG];
};

/* Free what r holds, and r. */
static void
prov_replay_free(struct prov_replay *r)
{
	if (r == NULL)
		return;
	free(r->main.rels);
	free(r->main.last);
	free(r->hw.rels);
	free(r->hw.last);
	free(r);
}

/* s as after a reset (its last entry kept). */
static void
prov_state_clear(struct prov_state *s)
{
	s->judged = false;
	s->v = VERDICT_UNCHECKED;
	s->tag[0] = '\0';
	s->n = 0;
	s->release = CHECK_ERROR;
	snprintf(s->release_detail, sizeof(s->release_detail), "no release "
	    "looked up yet");
}

/* r unused and empty (its memory kept), as a new model's. */
static void
prov_replay_reset(struct prov_replay *r)
{
	struct prov_state *s;
	int i;

	r->used = false;
	r->model[0] = '\0';
	r->upto = 0;
	r->broken = false;
	r->why[0] = '\0';
	for (i = 0; i < 2; i++) {
		s = i == 0 ? &r->main : &r->hw;
		prov_state_clear(s);
		s->has_last = false;
	}
}

/* The look-up j (re-derived) as provenance_client.c lookup_judged and
 * track_keep apply it; one not completed changes nothing. */
static void
prov_state_apply(struct prov_state *s, const struct prov_judged *j)
{
	struct checklist *cl;
	const struct check *c;
	size_t i;

	if (!j->judged)
		return;
	s->judged = true;
	s->v = j->v;
	snprintf(s->tag, sizeof(s->tag), "%s", j->tag);
	if (j->has_sig) {
		cl = xmalloc(sizeof(*cl));
		checklist_init(cl);
		prov_check_release(&j->sig, NULL, cl);
		c = checklist_get(cl, "provenance.release");
		s->release = c != NULL ? c->status : CHECK_ERROR;
		snprintf(s->release_detail, sizeof(s->release_detail), "%s",
		    c != NULL ? c->detail : "");
		free(cl);
	} else {
		s->release = j->v == VERDICT_FAIL ? CHECK_FAIL : CHECK_ERROR;
		snprintf(s->release_detail, sizeof(s->release_detail),
		    "release %.60s not verified: %.160s", j->tag[0] != '\0' ?
		    j->tag : "?", j->why);
	}
	if (j->v != VERDICT_PASS)
		return;
	for (i = 0; i < s->n; i++)
		if (memcmp(s->rels[i].digest, j->rel.digest, 32) == 0)
			break;
	if (i == s->n && s->n == MAX_PROV_RELEASES)
		i = s->n - 1;
	else if (i == s->n) {
		if (s->n == s->cap) {
			s->cap = s->cap > 0 ? 2 * s->cap : 2;
			if (s->cap > MAX_PROV_RELEASES)
				s->cap = MAX_PROV_RELEASES;
			s->rels = xreallocarray(s->rels, s->cap,
			    sizeof(*s->rels));
		}
		s->n++;
	}
	memmove(&s->rels[1], &s->rels[0], i * sizeof(s->rels[0]));
	s->rels[0] = j->rel;
}

/* The SHA-256 of a provenance body's repo and policy. */
static void
prov_key(const json_t *b, uint8_t key[32])
{
	json_t *o = tjson_chk(json_object());
	char *s;

	tjson_set(o, "repo", json_incref(json_object_get(b, "repo")));
	tjson_set(o, "policy", json_incref(json_object_get(b, "policy")));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	TMON_ASSERT(s != NULL);
	sha256(s, strlen(s), key);
	free(s);
	json_decref(o);
}

/*
 * Apply the look-up j of entry seq (time, key: prov_key) to r.  A reset
 * of tmond's state before it shows when its repository's last judged tag
 * (not "error") is j's (that look-up reuses and logs nothing) or the
 * repository or policy changed: both repositories start afresh, the
 * other one with its look-up of the same refresh (same time) if logged
 * already.
 */
static void
prov_replay_apply(struct prov_replay *r, const struct prov_judged *j,
    uint64_t seq, int64_t time, const uint8_t key[32])
{
	struct prov_state *s = j->hw ? &r->hw : &r->main;
	struct prov_state *o = j->hw ? &r->main : &r->hw;
	bool reset;

	reset = (s->has_last && memcmp(s->last_key, key, 32) != 0) ||
	    (s->judged && s->v != VERDICT_ERROR && j->tag[0] != '\0' &&
	    strcmp(s->tag, j->tag) == 0);
	if (reset) {
		prov_state_clear(s);
		prov_state_clear(o);
		o->has_last = o->has_last && o->last_time == time;
		if (o->has_last)
			prov_state_apply(o, o->last);
	}
	prov_state_apply(s, j);
	s->has_last = true;
	s->last_seq = seq;
	s->last_time = time;
	memcpy(s->last_key, key, 32);
	if (s->last == NULL)
		s->last = xmalloc(sizeof(*s->last));
	*s->last = *j;
}

/* store_query callback: the seqs of the entries, in a growing array. */
struct seq_list {
	uint64_t	*v;
	size_t		 n;
	size_t		 cap;
};

static int
seq_list_cb(const struct store_entry *e, void *arg)
{
	struct seq_list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap > 0 ? 2 * l->cap : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = e->seq;
	return 0;
}

/* Re-derive the `provenance` entry seq and apply it to r. */
static enum tmon_rc
prov_replay_entry(struct audit_ctx *a, struct prov_replay *r, uint64_t seq,
    struct tmon_err *err)
{
	struct store_entry e;
	struct audit_result res;
	struct prov_judged *j;
	struct tmon_err le;
	struct job jb;
	uint8_t key[32];
	enum tmon_rc rc;

	memset(&e, 0, sizeof(e));
	memset(&res, 0, sizeof(res));
	tmon_err_clear(&le);
	if ((rc = store_entry_get(a->s, seq, &e, &le)) != TMON_OK) {
		if (rc != TMON_E_PARSE && rc != TMON_E_NOTFOUND)
			return tmon_err_set(err, rc, "%s", le.msg);
		r->broken = true;
		snprintf(r->why, sizeof(r->why), "the model's provenance "
		    "entry %llu before it cannot be read",
		    (unsigned long long)seq);
		return TMON_OK;
	}
	memset(&jb, 0, sizeof(jb));
	jb.a = a;
	jb.e = &e;
	jb.out = &res;
	jb.err = err;
	j = xmalloc(sizeof(*j));
	if ((jb.body = entry_parse(&e)) == NULL) {
		res.outcome = AUDIT_UNCHECKED;
		snprintf(res.msg, sizeof(res.msg), "entry %llu is not a JSON "
		    "object", (unsigned long long)seq);
		rc = TMON_OK;
	} else if ((rc = prov_entry(&jb, j)) == TMON_E_UNSUPPORTED)
		rc = TMON_OK;
	if (rc == TMON_OK && res.outcome != AUDIT_FOLLOWS) {
		r->broken = true;
		snprintf(r->why, sizeof(r->why), "the model's provenance entry "
		    "%llu before it does not re-derive (%s): %.400s",
		    (unsigned long long)seq, audit_outcome_str(res.outcome),
		    res.msg);
	} else if (rc == TMON_OK) {
		prov_key(jb.body, key);
		prov_replay_apply(r, j, seq, e.time, key);
	}
	free(j);
	json_decref(jb.body);
	store_entry_free(&e);
	return rc;
}

/*
 * The provenance of model as tmond held it when it logged the entry
 * before (its `provenance` entries with seq < before replayed), from a's
 * cache (least recently used replaced; a model's replay only moves
 * forward, and starts over for an earlier seq).  *out is a's.
 */
static enum tmon_rc
prov_replay_get(struct audit_ctx *a, const char *model, uint64_t before,
    struct prov_replay **out, struct tmon_err *err)
{
	struct prov_replay *r = NULL;
	struct store_query q;
	struct seq_list l;
	enum tmon_rc rc = TMON_OK;
	size_t i;

	a->tick++;
	for (i = 0; i < PROV_CACHE; i++)
		if (a->prov[i] != NULL && a->prov[i]->used &&
		    strcmp(a->prov[i]->model, model) == 0) {
			r = a->prov[i];
			break;
		}
	if (r == NULL || r->upto > before) {
		/* a slot not used yet, else the least recently used */
		for (i = 0; i < PROV_CACHE && r == NULL; i++) {
			if (a->prov[i] == NULL)
				a->prov[i] = xcalloc(1, sizeof(*a->prov[i]));
			if (!a->prov[i]->used)
				r = a->prov[i];
		}
		if (r == NULL)
			for (i = 0, r = a->prov[0]; i < PROV_CACHE; i++)
				if (a->prov[i]->tick < r->tick)
					r = a->prov[i];
		prov_replay_reset(r);
		r->used = true;
		snprintf(r->model, sizeof(r->model), "%s", model);
	}
	r->tick = a->tick;
	if (r->upto < before) {
		memset(&l, 0, sizeof(l));
		store_query_init(&q);
		q.kind = "provenance";
		q.model = model;
		q.after_seq = r->upto > 0 ? r->upto - 1 : UINT64_MAX;
		q.before_seq = before;
		rc = store_query(a->s, &q, seq_list_cb, &l, err);
		if (rc == TMON_E_PARSE) {
			/* store_verify reports the damaged entry itself */
			r->broken = true;
			snprintf(r->why, sizeof(r->why), "a provenance entry "
			    "of the model before it cannot be read: %s",
			    err->msg);
			tmon_err_clear(err);
			rc = TMON_OK;
		}
		for (i = 0; i < l.n && rc == TMON_OK && !r->broken; i++)
			rc = prov_replay_entry(a, r, l.v[i], err);
		free(l.v);
		if (rc != TMON_OK)
			return rc;
		r->upto = before;
	}
	*out = r;
	return TMON_OK;
}

/* provenance.release from r as prov_client_check sets it: the model's
 * repository's (ERROR when forget_main: as after a reset), with a
 * hardware_repo the worse of the two (hw: 0 as replayed, 1 forgotten,
 * 2 no hardware_repo). */
static enum check_status
prov_release_of(const struct prov_replay *r, bool forget_main, int hw,
    char *detail, size_t dsz)
{
	enum check_status a = forget_main ? CHECK_ERROR : r->main.release;
	enum check_status b = hw == 1 ? CHECK_ERROR : r->hw.release;

	snprintf(detail, dsz, "%s", forget_main ? "no release looked up yet" :
	    r->main.release_detail);
	if (hw != 2 && r->hw.has_last && check_severity(b) <
	    check_severity(a)) {
		fmt_trunc(detail, dsz, "hardware %s", hw == 1 ?
		    "no release looked up yet" : r->hw.release_detail);
		return b;
	}
	return a;
}

/* provenance.measurement over the newest k releases of r's repository,
 * with its hardware predicate when with_hw, into cl (emptied first). */
static enum check_status
prov_measurement_of(const struct prov_replay *r, size_t k, bool with_hw,
    const struct prov_enclave *enc, struct checklist *cl)
{
	const struct check *c;

	checklist_init(cl);
	prov_check_measurement(r->main.rels, k, with_hw && r->hw.n > 0 ?
	    &r->hw.rels[0].pred : NULL, enc, cl, NULL);
	c = checklist_get(cl, "provenance.measurement");
	return c != NULL ? c->status : CHECK_ERROR;
}

/* probe_fetch.provenance of a probe re-derivation. */
struct prov_probe {
	const struct prov_replay *r;
	const json_t		*checks;	/* the stored checks */
	/* a stored status that only an unlogged reset gives: why the
	 * probe is AUDIT_UNCHECKED when the rest follows */
	char			 note[AUDIT_MSG];
};

/* The stored status of check id in checks; false when none. */
static bool
stored_status(const json_t *checks, const char *id, enum check_status *st)
{
	const json_t *c = check_in(checks, id);

	return c != NULL && check_status_parse(str_of(c, "status"), st);
}

static void
replayed_provenance(void *arg, const struct attest_measurement *m,
    struct checklist *cl)
{
	struct prov_probe *pp = arg;
	const struct prov_replay *r = pp->r;
	struct checklist *tmp = xmalloc(sizeof(*tmp));
	const struct check *c;
	struct prov_enclave enc;
	enum check_status full, st;
	char detail[MAX_CHECK_DETAIL], d2[MAX_CHECK_DETAIL];
	bool has, reach = false;
	size_t k;
	int fm, hw;

	pp->note[0] = '\0';
	prov_enclave_of(m, &enc);
	full = prov_release_of(r, false, 0, detail, sizeof(detail));
	has = stored_status(pp->checks, "provenance.release", &st);
	for (fm = 0; has && st != full && fm < 2 && !reach; fm++)
		for (hw = 0; hw < 3 && !reach; hw++)
			reach = prov_release_of(r, fm == 1, hw, d2,
			    sizeof(d2)) == st;
	if (reach) {
		snprintf(pp->note, sizeof(pp->note), "provenance.release is "
		    "stored %s, and the model's provenance entries before it "
		    "give %s: %s follows only if tmond had forgotten its "
		    "look-ups (a restart or reload the log does not show)",
		    check_status_str(st), check_status_str(full),
		    check_status_str(st));
		checklist_set(cl, "provenance.release", st, "%s", d2);
	} else
		checklist_set(cl, "provenance.release", full, "%s", detail);
	full = prov_measurement_of(r, r->main.n, true, &enc, tmp);
	c = checklist_get(tmp, "provenance.measurement");
	snprintf(detail, sizeof(detail), "%s", c != NULL ? c->detail : "");
	has = stored_status(pp->checks, "provenance.measurement", &st);
	reach = false;
	for (k = 0; has && st != full && k <= r->main.n && !reach; k++)
		for (hw = 0; hw < 2 && !reach; hw++)
			reach = prov_measurement_of(r, k, hw == 0, &enc,
			    tmp) == st;
	if (reach && pp->note[0] == '\0')
		snprintf(pp->note, sizeof(pp->note), "provenance.measurement "
		    "is stored %s, and the releases verified in the model's "
		    "provenance entries before it give %s: %s follows only if "
		    "tmond held fewer of them (a restart or reload the log "
		    "does not show)", check_status_str(st),
		    check_status_str(full), check_status_str(st));
	if (reach)
		checklist_set(cl, "provenance.measurement", st, "%s",
		    tmp->items[0].detail);
	else
		checklist_set(cl, "provenance.measurement", full, "%s",
		    detail);
	free(tmp);
}

/*
 * pf's provenance callback for jb's probe of model: none when its stored
 * checks have no provenance.* check (an entry older than them); as
 * recorded when both skip (no "provenance" then: configuration); else
 * the replay of the model's `provenance` entries before it, or, when that
 * cannot be had (an entry before it that does not re-derive), as
 * recorded with pp->note saying why.
 */
static enum tmon_rc
probe_provenance_of(struct job *jb, const char *model, struct prov_probe *pp,
    struct probe_fetch *pf)
{
	json_t *checks = json_object_get(jb->body, "checks");
	struct prov_replay *r;
	enum check_status a, b;
	enum tmon_rc rc;

	memset(pp, 0, sizeof(*pp));
	pp->checks = checks;
	if (check_in(checks, "provenance.release") == NULL &&
	    check_in(checks, "provenance.measurement") == NULL)
		return TMON_OK;
	pf->provenance = recorded_provenance;
	pf->provenance_arg = checks;
	if (stored_status(checks, "provenance.release", &a) &&
	    stored_status(checks, "provenance.measurement", &b) &&
	    a == CHECK_SKIP && b == CHECK_SKIP)
		return TMON_OK;
	if (strlen(model) >= MAX_MODEL_ID) {
		snprintf(pp->note, sizeof(pp->note), "its model name is over "
		    "%d bytes: its provenance entries are not replayed",
		    MAX_MODEL_ID - 1);
		return TMON_OK;
	}
	if ((rc = prov_replay_get(jb->a, model, jb->e->seq, &r, jb->err)) !=
	    TMON_OK) {
		(void)UNCHECKED(jb, "reading its model's provenance entries: "
		    "%s", jb->err->msg);
		return rc;
	}
	if (r->broken) {
		snprintf(pp->note, sizeof(pp->note), "%s", r->why);
		return TMON_OK;
	}
	pp->r = r;
	pf->provenance = replayed_provenance;
	pf->provenance_arg = pp;
	return TMON_OK;
}

static enum tmon_rc
rederive_probe(struct job *jb)
{
	const json_t *b = jb->body, *req, *checks, *pol;
	const char *model, *upstream, *provider, *nhex, *url, *error, *bh;
	const struct audit_config *t = &jb->a->cfg;
	struct model_cfg m;
	struct attest_ctx ctx;
	struct probe_fetch pf, ipf;
	struct probe_canary cn;
	struct prov_probe pp;
	struct check policy;
	uint8_t nonce[32], *att = NULL, *cmem[3] = { NULL, NULL, NULL };
	uint8_t *imem = NULL;
	const json_t *ij, *tls, *nj;
	const char *iurl, *ierr, *ibh, *nurl, *nerr, *nbh, *njh;
	struct probe_fetch npf;
	uint8_t *nmem = NULL, *jmem = NULL;
	size_t jlen = 0;
	int64_t nst, ndur;
	int64_t ist, idur;
	int64_t time, now, status, dur, blen;
	json_t *r = NULL;
	enum tmon_rc rc;
	bool used, known, full = entry_version(b) == ENTRY_VERSION;
	size_t i;

	req = json_object_get(b, "request");
	checks = json_object_get(b, "checks");
	if ((model = str_of(b, "model")) == NULL ||
	    (upstream = str_of(b, "upstream_model")) == NULL ||
	    (provider = str_of(b, "provider")) == NULL ||
	    (nhex = str_of(b, "nonce")) == NULL ||
	    !hex_decode_exact(nhex, strlen(nhex), nonce, 32, false) ||
	    !int_of(b, "time", &time) || !int_of(b, "verified_at", &now) ||
	    !json_is_array(checks) || !json_is_object(req) ||
	    (url = str_of(req, "url")) == NULL ||
	    !int_of(req, "status", &status) ||
	    !int_of(req, "duration_ms", &dur) ||
	    !int_of(req, "body_len", &blen) ||
	    !opt_str(req, "error", &error) ||
	    !opt_str(req, "body_sha256", &bh))
		return UNCHECKED(jb, "not a probe body this tmonctl reads");
	memset(&ctx, 0, sizeof(ctx));
	ctx.vc = jb->a->vc;
	if (test_pki_marked(checks)) {
		if (t->intel_root_der == NULL && t->nvidia_root_der == NULL)
			return UNCHECKED(jb, "it was verified against a test "
			    "PKI (tmon-sim), and no test trust anchors were "
			    "given (--config)");
		ctx.test_pki = true;
		ctx.intel_root_der = t->intel_root_der;
		ctx.intel_root_der_len = t->intel_root_der_len;
		ctx.nvidia_root_der = t->nvidia_root_der;
		ctx.nvidia_root_der_len = t->nvidia_root_der_len;
	}
	/* AMD KDS collateral is not looked up from the log: an SEV-SNP
	 * report judged with it cannot be re-judged here */
	if (snp_judged(checks))
		return UNCHECKED(jb, "its SEV-SNP report was judged with AMD "
		    "KDS collateral, which tmonctl audit does not re-read");
	/* the allow-lists are configuration: the auditor's, or taken as
	 * recorded */
	known = false;
	if (t->policy != NULL)
		ctx.policy = t->policy(t->policy_arg, model, &known);
	if (!known && (pol = check_in(checks, "measurement.policy")) != NULL) {
		memset(&policy, 0, sizeof(policy));
		if (!check_status_parse(str_of(pol, "status"), &policy.status))
			return UNCHECKED(jb, "its measurement.policy has no "
			    "status");
		snprintf(policy.detail, sizeof(policy.detail), "%s",
		    str_of(pol, "detail") != NULL ? str_of(pol, "detail") :
		    "");
		ctx.policy_result = &policy;
	}
	memset(&pp, 0, sizeof(pp));
	memset(&m, 0, sizeof(m));
	m.name = xstrdup(model);
	m.model = xstrdup(upstream);
	m.provider = xstrdup(provider);
	if ((rc = probe_fetch_of(jb, "request.body_sha256", status, dur,
	    error, bh, "http.fetch", &att, &pf)) != TMON_OK ||
	    (rc = probe_canary_of(jb, json_object_get(b, "canary"), &cn,
	    cmem)) != TMON_OK)
		goto out;
	/* the request made before the attestation (Chutes instances) */
	if ((ij = json_object_get(b, "instances")) != NULL) {
		ierr = ibh = NULL;
		if (!json_is_object(ij) || (iurl = str_of(ij, "url")) == NULL ||
		    !int_of(ij, "status", &ist) ||
		    !int_of(ij, "duration_ms", &idur) ||
		    !opt_str(ij, "error", &ierr) ||
		    !opt_str(ij, "body_sha256", &ibh)) {
			rc = UNCHECKED(jb, "its instances request is not one "
			    "this tmonctl reads");
			goto out;
		}
		if ((rc = probe_fetch_of(jb, "instances.body_sha256", ist,
		    idur, ierr, ibh, "http.fetch", &imem, &ipf)) != TMON_OK)
			goto out;
		pf.instances = &ipf;
		pf.instances_url = iurl;
	}
	/* NVIDIA NRAS's answer and the JWKS it was checked with */
	if ((nj = json_object_get(b, "nras")) != NULL) {
		nerr = nbh = njh = NULL;
		if (!json_is_object(nj) || (nurl = str_of(nj, "url")) == NULL ||
		    !int_of(nj, "status", &nst) ||
		    !int_of(nj, "duration_ms", &ndur) ||
		    !opt_str(nj, "error", &nerr) ||
		    !opt_str(nj, "body_sha256", &nbh) ||
		    !opt_str(nj, "jwks_sha256", &njh)) {
			rc = UNCHECKED(jb, "its nras request is not one this "
			    "tmonctl reads");
			goto out;
		}
		if ((rc = probe_fetch_of(jb, "nras.body_sha256", nst, ndur,
		    nerr, nbh, "gpu.nras", &nmem, &npf)) != TMON_OK)
			goto out;
		if (njh != NULL && (rc = blob_load(jb, "nras.jwks_sha256", njh,
		    &jmem, &jlen)) != TMON_OK)
			goto out;
		pf.nras = &npf;
		pf.nras_url = nurl;
		pf.nras_jwks = jmem;
		pf.nras_jwks_len = jlen;
	}
	/* the served TLS key, an input of tls.binding */
	if ((tls = json_object_get(req, "tls_spki_sha256")) != NULL) {
		if (!json_is_string(tls) || !hex_decode_exact(
		    json_string_value(tls), json_string_length(tls),
		    pf.tls_spki_sha256, 32, false)) {
			rc = UNCHECKED(jb, "its request.tls_spki_sha256 is not "
			    "a SHA-256");
			goto out;
		}
		pf.has_tls_spki = true;
	}
	if (att != NULL && (blen < 0 || (uint64_t)blen != pf.body_len)) {
		rc = UNCHECKED(jb, "request.body_len is not the length of its "
		    "blob (%zu bytes)", pf.body_len);
		goto out;
	}
	if ((rc = probe_provenance_of(jb, model, &pp, &pf)) != TMON_OK)
		goto out;
	if ((rc = probe_run(jb, &m, url, nonce, time, now, &ctx, &pf, &cn,
	    false, &used, &r)) != TMON_OK)
		goto out;
	if (compare(jb, b, r, full))
		goto out;
	/*
	 * tmond had no collateral for this quote (Intel PCS unreachable
	 * since its start, "pcs": false): without it the verdict can only
	 * be lower, never a pass.
	 */
	pol = check_in(checks, "tdx.collateral");
	if (used && pol != NULL && str_of(pol, "status") != NULL &&
	    strcmp(str_of(pol, "status"), "error") == 0) {
		struct audit_result first = *jb->out;

		json_decref(r);
		r = NULL;
		if ((rc = probe_run(jb, &m, url, nonce, time, now, &ctx, &pf,
		    &cn, true, &used, &r)) != TMON_OK)
			goto out;
		if (!compare(jb, b, r, full))
			*jb->out = first;
	}
out:
	/* the rest follows, the provenance checks could not be replayed */
	if (rc == TMON_OK && jb->out->outcome == AUDIT_FOLLOWS &&
	    pp.note[0] != '\0')
		(void)UNCHECKED(jb, "its provenance checks: %s", pp.note);
	json_decref(r);
	free(att);
	free(imem);
	free(nmem);
	free(jmem);
	for (i = 0; i < 3; i++)
		free(cmem[i]);
	free(m.name);
	free(m.model);
	free(m.provider);
	return rc;
}

/* ---- receipts --------------------------------------------------------- */

/*
 * The probe entry seq as a receipt names it, from a's cache or read
 * now: *out is a's (valid until the next call).  A store failure
 * returns its rc.
 */
static enum tmon_rc
probe_get(struct audit_ctx *a, uint64_t seq, struct probe_ref **out,
    struct tmon_err *err)
{
	struct probe_ref *r = NULL;
	struct store_entry e;
	struct tmon_err le;
	enum tmon_rc rc;
	size_t i;

	a->tick++;
	for (i = 0; i < PROBE_CACHE; i++)
		if (a->probes[i].used && a->probes[i].seq == seq) {
			a->probes[i].tick = a->tick;
			*out = &a->probes[i];
			return TMON_OK;
		}
	for (i = 0; i < PROBE_CACHE; i++)
		if (r == NULL || !a->probes[i].used ||
		    (r->used && a->probes[i].tick < r->tick))
			r = &a->probes[i];
	memset(r, 0, sizeof(*r));
	memset(&e, 0, sizeof(e));
	tmon_err_clear(&le);
	if ((rc = store_entry_get(a->s, seq, &e, &le)) != TMON_OK &&
	    rc != TMON_E_PARSE && rc != TMON_E_NOTFOUND)
		return tmon_err_set(err, rc, "%s", le.msg);
	if (rc == TMON_OK) {
		r->readable = true;
		snprintf(r->kind, sizeof(r->kind), "%s", e.kind);
		r->has_model = e.model != NULL;
		snprintf(r->model, sizeof(r->model), "%s",
		    e.model != NULL ? e.model : "");
		r->time = e.time;
		snprintf(r->verdict, sizeof(r->verdict), "%s",
		    e.verdict != NULL ? e.verdict : "");
		entry_receipt_probe(&e, &r->pr);
		store_entry_free(&e);
	}
	r->used = true;
	r->seq = seq;
	r->tick = a->tick;
	*out = r;
	return TMON_OK;
}

/* A digest of the claims (request_sha256 and request_len, or the
 * response's) into *has, md, *len; false when malformed. */
static bool
claim_digest(const json_t *claims, const char *hkey, const char *lkey,
    bool *has, uint8_t md[32], size_t *len)
{
	const char *h;
	int64_t l;

	*has = false;
	if (!opt_str(claims, hkey, &h))
		return false;
	if (h == NULL)
		return true;
	if (!hex_decode_exact(h, strlen(h), md, 32, false) ||
	    !int_of(claims, lkey, &l) || l < 0)
		return false;
	*has = true;
	*len = (size_t)l;
	return true;
}

/*
 * receipt.provenance of jb's Private Mode receipt p into cl, when its
 * stored checks have one (an older entry has none): against the
 * releases of its model replayed from the `provenance` entries before it,
 * what tmond held when it took the receipt.  note (AUDIT_MSG bytes) says
 * why the replay cannot stand for tmond's state, the stored check then
 * taken: a provenance entry before it that does not re-derive, or a
 * stored status that only fewer releases give (tmond forgets its
 * releases at a restart, which the log does not show).
 */
static enum tmon_rc
receipt_provenance_of(struct job *jb, const struct rcpt_parsed *p,
    struct checklist *cl, char *note)
{
	const json_t *checks = json_object_get(jb->body, "checks");
	const json_t *sc = check_in(checks, "receipt.provenance");
	const char *sd = sc != NULL ? str_of(sc, "detail") : NULL;
	struct prov_replay *r;
	struct checklist *tmp;
	const struct check *c;
	enum check_status st, got;
	enum tmon_rc rc;
	size_t k;

	note[0] = '\0';
	if (p->fmt != RCPT_PRIVATE_MODE || sc == NULL ||
	    !check_status_parse(str_of(sc, "status"), &st))
		return TMON_OK;
	if (p->model[0] == '\0' || strlen(p->model) >= MAX_MODEL_ID) {
		rcpt_verify_provenance(p, NULL, 0, cl);
		return TMON_OK;
	}
	if ((rc = prov_replay_get(jb->a, p->model, jb->e->seq, &r,
	    jb->err)) != TMON_OK)
		return rc;
	if (r->broken) {
		snprintf(note, AUDIT_MSG, "%s", r->why);
		checklist_set(cl, "receipt.provenance", st, "%s",
		    sd != NULL ? sd : "");
		return TMON_OK;
	}
	rcpt_verify_provenance(p, r->main.rels, r->main.n, cl);
	c = checklist_get(cl, "receipt.provenance");
	got = c != NULL ? c->status : CHECK_ERROR;
	if (got == st)
		return TMON_OK;
	tmp = xmalloc(sizeof(*tmp));
	for (k = r->main.n; k-- > 0;) {
		checklist_init(tmp);
		rcpt_verify_provenance(p, r->main.rels, k, tmp);
		c = checklist_get(tmp, "receipt.provenance");
		if (c != NULL && c->status == st) {
			snprintf(note, AUDIT_MSG, "receipt.provenance is %s, "
			    "which the newest %zu of the %zu releases replayed "
			    "give (a tmond restart the log does not show), "
			    "not all of them (%s)", check_status_str(st), k,
			    r->main.n, check_status_str(got));
			checklist_set(cl, "receipt.provenance", st, "%s",
			    sd != NULL ? sd : "");
			break;
		}
	}
	free(tmp);
	return TMON_OK;
}

static enum tmon_rc
rederive_receipt(struct job *jb)
{
	const json_t *b = jb->body, *sub, *pj, *claims;
	const char *hex, *stored, *pv;
	char note[AUDIT_MSG];
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	struct rcpt_probe pr;
	struct probe_ref *ref = NULL;
	struct checklist *cl = NULL;
	uint8_t *blob = NULL;
	size_t len;
	int64_t pseq, ptime;
	json_t *r = NULL;
	enum tmon_rc rc;

	memset(&p, 0, sizeof(p));
	memset(&pr, 0, sizeof(pr));
	sub = json_object_get(b, "submitted");
	pj = json_object_get(b, "probe");
	claims = json_object_get(b, "claims");
	if (!json_is_object(sub) || (hex = str_of(sub, "sha256")) == NULL ||
	    (stored = str_of(sub, "stored")) == NULL ||
	    !json_is_array(json_object_get(b, "checks")))
		return UNCHECKED(jb, "not a receipt body this tmonctl reads");
	if ((rc = blob_load(jb, "submitted.sha256", hex, &blob, &len)) !=
	    TMON_OK)
		return rc;
	if (rcpt_parse(blob, len, jb->e->model, &p, &rej) != TMON_OK) {
		result(jb, AUDIT_DIFFERS, "its submitted document (blob "
		    "%.16s...) is not a receipt tmond accepts: %s", hex,
		    rej.error);
		rc = TMON_OK;
		goto out;
	}
	if (strcmp(stored, "without_bytes") == 0 && p.fmt == RCPT_SIGNATURE &&
	    p.request == NULL && p.response == NULL &&
	    (!json_is_object(claims) ||
	    !claim_digest(claims, "request_sha256", "request_len",
	    &p.has_request_sha256, p.request_sha256, &p.request_len) ||
	    !claim_digest(claims, "response_sha256", "response_len",
	    &p.has_response_sha256, p.response_sha256, &p.response_len))) {
		rc = UNCHECKED(jb, "its claims carry no well-formed "
		    "request_sha256, response_sha256");
		goto out;
	}
	if (pj != NULL && !json_is_null(pj)) {
		if (!json_is_object(pj) || !int_of(pj, "seq", &pseq) ||
		    !int_of(pj, "time", &ptime) || !opt_str(pj, "verdict", &pv)) {
			rc = UNCHECKED(jb, "its probe is not {seq, time, "
			    "verdict}");
			goto out;
		}
		if (pseq < 0 || (uint64_t)pseq >= jb->e->seq) {
			result(jb, AUDIT_DIFFERS, "it was checked against "
			    "probe entry %lld, which is not before it",
			    (long long)pseq);
			rc = TMON_OK;
			goto out;
		}
		if ((rc = probe_get(jb->a, (uint64_t)pseq, &ref, jb->err)) !=
		    TMON_OK) {
			(void)UNCHECKED(jb, "reading its probe, entry %lld",
			    (long long)pseq);
			goto out;
		}
		if (!ref->readable) {
			rc = UNCHECKED(jb, "its probe, entry %lld, cannot be "
			    "read", (long long)pseq);
			goto out;
		}
		if (strcmp(ref->kind, "probe") != 0 || jb->e->model == NULL ||
		    !ref->has_model || strcmp(ref->model, jb->e->model) != 0 ||
		    ref->time != ptime || strcmp(ref->pr.verdict, pv != NULL ?
		    pv : "") != 0) {
			result(jb, AUDIT_DIFFERS, "its probe {seq %lld, time "
			    "%lld, verdict %s} is not entry %lld, a %s of %s at "
			    "%lld with verdict %s", (long long)pseq,
			    (long long)ptime, pv != NULL ? pv : "null",
			    (long long)pseq, ref->kind, ref->has_model ?
			    ref->model : "no model", (long long)ref->time,
			    ref->verdict[0] != '\0' ? ref->verdict : "null");
			rc = TMON_OK;
			goto out;
		}
		pr = ref->pr;
	}
	cl = xmalloc(sizeof(*cl));
	checklist_init(cl);
	rcpt_verify(jb->a->vc, &p, &pr, cl);
	if ((rc = receipt_provenance_of(jb, &p, cl, note)) != TMON_OK) {
		(void)UNCHECKED(jb, "reading its model's provenance entries: "
		    "%s", jb->err->msg);
		goto out;
	}
	r = tjson_chk(json_object());
	tjson_set(r, "verdict", json_string(check_status_str(
	    checklist_verdict(cl))));
	tjson_set(r, "checks", entry_checks_json(cl));
	tjson_set(r, "format", json_string(rcpt_format_str(p.fmt)));
	if (compare(jb, b, r, false) && !json_equal(json_object_get(b,
	    "format"), json_object_get(r, "format")))
		result(jb, AUDIT_DIFFERS, "stored format %s does not follow "
		    "from its evidence, which gives %s", str_or(b, "format"),
		    rcpt_format_str(p.fmt));
	/* the rest follows, receipt.provenance could not be replayed */
	if (jb->out->outcome == AUDIT_FOLLOWS && note[0] != '\0')
		(void)UNCHECKED(jb, "its receipt.provenance: %s", note);
	rc = TMON_OK;
out:
	json_decref(r);
	free(cl);
	rcpt_parsed_free(&p);
	free(blob);
	return rc;
}

/* ---- the entry -------------------------------------------------------- */

enum tmon_rc
audit_entry(struct audit_ctx *a, const struct store_entry *e,
    struct audit_result *out, struct tmon_err *err)
{
	struct job jb;
	enum tmon_rc rc;
	int v;

	memset(out, 0, sizeof(*out));
	memset(&jb, 0, sizeof(jb));
	a->entry++;
	jb.a = a;
	jb.e = e;
	jb.out = out;
	jb.err = err;
	if (strcmp(e->kind, "alert") == 0 || strcmp(e->kind, "event") == 0 ||
	    strcmp(e->kind, "delivery") == 0) {
		out->outcome = AUDIT_NOTHING;
		return TMON_OK;
	}
	if ((jb.body = entry_parse(e)) == NULL) {
		(void)UNCHECKED(&jb, "its body is not a JSON object");
		return TMON_OK;
	}
	v = entry_version(jb.body);
	if (v < 1 || v > ENTRY_VERSION) {
		(void)UNCHECKED(&jb, "body version %d, this tmonctl reads 1 to "
		    "%d", v, ENTRY_VERSION);
		rc = TMON_E_UNSUPPORTED;
	} else if (strcmp(e->kind, "probe") == 0)
		rc = rederive_probe(&jb);
	else if (strcmp(e->kind, "receipt") == 0)
		rc = rederive_receipt(&jb);
	else if (strcmp(e->kind, "collateral") == 0)
		rc = rederive_collateral(&jb);
	else if (strcmp(e->kind, "provenance") == 0)
		rc = rederive_provenance(&jb);
	else
		rc = UNCHECKED(&jb, "kind %s has no re-derivation", e->kind);
	json_decref(jb.body);
	/* UNCHECKED: out says why; anything else is the store's failure */
	return rc == TMON_E_UNSUPPORTED ? TMON_OK : rc;
}
