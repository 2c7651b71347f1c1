/*
 * tmon-genlog: a large log made of real evidence, for benchmarks of
 * tmonctl audit (bench/README.md).
 *
 *   tmon-genlog [-n N] [-k K] SRC.db DST.db
 *
 * DST (which must not exist) starts as a copy of the log SRC (SQLite's
 * online backup: every entry, blob and table as they are), then grows to
 * N entries (default 1,000,000) of clones of SRC's entries, appended
 * through store_append in batches of MAX_APPEND_ENTRIES:
 *   receipt  the body with a new "time" (the receipt checks have no
 *            clock: a clone re-derives as its original does), after
 *            every K receipts (default 100) one probe clone;
 *   probe    the body as it is: its blobs, nonce and verified_at are
 *            what it is re-verified with.
 * Clones keep naming the blobs and probe entries of the copied SRC, which
 * stay in DST at their seqs.  Without a receipt in SRC only probes are
 * cloned, and the other way round.  Collateral and alert entries are not
 * cloned.  SRC is only read.
 *
 *   tmon-genlog -s M [-n N] [-i S] [-r SEED] SRC.db DST.db
 *
 * A status page's log instead (status_main below): DST is a new log
 * holding SRC's blobs and N entries of M models (status/m00, ...)
 * probed every S seconds (default 300), each probe a clone of one of
 * SRC's probe bodies with "model", "upstream_model", "time" and
 * "verified_at" rewritten, plus the event and alert entries tmond logs
 * at each change (first probe, a replica added, a roll-out, a fail or
 * error streak and its recovery), all through store_append.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "entry.h"
#include "err.h"
#include "store.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/* The top-level time a receipt template is cut at (no body holds it). */
#define SENTINEL	987654321012345LL

/* A receipt body cut around its top-level time: pre || time || post. */
struct tmpl {
	char		 model[MAX_MODEL_ID];
	bool		 has_model;
	char		 verdict[8];
	char		*pre, *post;
	size_t		 pre_len, post_len;
};

/* A probe body kept as it is. */
struct probe {
	char		 model[MAX_MODEL_ID];
	bool		 has_model;
	char		 verdict[8];
	int64_t		 time;
	uint8_t		*body;
	size_t		 len;
};

struct src {
	struct tmpl	*r;
	size_t		 nr;
	struct probe	*p;
	size_t		 np;
	int64_t		 last_time;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "tmon-genlog: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* DST = a copy of SRC (sqlite3_backup, SRC opened read-only). */
static void
copy_log(const char *src, const char *dst)
{
	sqlite3 *s = NULL, *d = NULL;
	sqlite3_backup *b;
	int r;

	if (access(dst, F_OK) == 0)
		die("%s exists", dst);
	if (sqlite3_open_v2(src, &s, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_open_v2(dst, &d, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		die("open: %s", sqlite3_errmsg(s != NULL && d == NULL ? s : d));
	if ((b = sqlite3_backup_init(d, "main", s, "main")) == NULL)
		die("backup: %s", sqlite3_errmsg(d));
	r = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (r != SQLITE_DONE)
		die("backup of %s: %s", src, sqlite3_errstr(r));
	sqlite3_close(s);
	sqlite3_close(d);
}

static void
copy_col(char *dst, size_t dstsz, bool *has, const char *v)
{
	*has = v != NULL;
	snprintf(dst, dstsz, "%s", v != NULL ? v : "");
}

/* store_query callback: receipts into templates, probes as they are. */
static int
collect(const struct store_entry *e, void *arg)
{
	struct src *s = arg;
	struct probe *p;
	struct tmpl *t;
	json_t *o;
	char num[32], *at;
	uint8_t *text;
	size_t n, len;

	if (e->time > s->last_time)
		s->last_time = e->time;
	if (strcmp(e->kind, "probe") == 0) {
		s->p = xreallocarray(s->p, s->np + 1, sizeof(*s->p));
		p = &s->p[s->np++];
		copy_col(p->model, sizeof(p->model), &p->has_model, e->model);
		snprintf(p->verdict, sizeof(p->verdict), "%s",
		    e->verdict != NULL ? e->verdict : "");
		p->time = e->time;
		p->body = xmemdup(e->body, e->body_len);
		p->len = e->body_len;
		return 0;
	}
	if (strcmp(e->kind, "receipt") != 0)
		return 0;
	if ((o = store_body_parse(e->body, e->body_len)) == NULL)
		die("entry %llu: not a JSON object", (unsigned long long)e->seq);
	tjson_set(o, "time", json_integer(SENTINEL));
	text = entry_canonical(o, &len);
	json_decref(o);
	snprintf(num, sizeof(num), "%lld", SENTINEL);
	if ((at = memmem(text, len, num, strlen(num))) == NULL)
		die("entry %llu: no time", (unsigned long long)e->seq);
	s->r = xreallocarray(s->r, s->nr + 1, sizeof(*s->r));
	t = &s->r[s->nr++];
	copy_col(t->model, sizeof(t->model), &t->has_model, e->model);
	snprintf(t->verdict, sizeof(t->verdict), "%s",
	    e->verdict != NULL ? e->verdict : "");
	n = strlen(num);
	t->pre_len = (size_t)(at - (char *)text);
	t->pre = xmemdup(text, t->pre_len);
	t->post_len = len - t->pre_len - n;
	t->post = xmemdup(at + n, t->post_len);
	free(text);
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- -s: a status page's log --------------------------------------------- */

/* The holes of a probe template: its model members and its time members. */
#define HOLE_MODEL	"@@tmon-genlog-model@@"
#define STREAK_ODDS	700	/* a streak starts at 1 probe in this many */
#define DRIFT_MIN	2000	/* probes between roll-outs: DRIFT_MIN .. */
#define DRIFT_SPAN	2000	/* .. DRIFT_MIN + DRIFT_SPAN */
#define DRIFT_FIRST	100	/* the first: DRIFT_FIRST .. */
#define DRIFT_FIRST_SPAN 800	/* .. DRIFT_FIRST + DRIFT_FIRST_SPAN */

/* A probe body of SRC cut at its holes: seg[0] hole[0] seg[1] ... */
struct ptmpl {
	char		 src[MAX_MODEL_ID];
	char		 verdict[8];
	char		 variant[128];	/* instance id or compose hash */
	uint8_t		*seg[8];
	size_t		 seglen[8];
	bool		 hole_time[8];	/* else the model */
	size_t		 nseg;
	json_t		*meas;		/* its measurement or NULL */
	json_t		*bad;		/* its fail and error checks */
	struct entry_change first;	/* as a model's first probe */
};

struct pgroup {
	size_t		 idx[256];
	size_t		 n;
};

enum { G_GOOD, G_REP_A, G_REP_B, G_ROLL_A, G_ROLL_B, G_FAIL, G_ERROR, G_N };

struct gmodel {
	char		 name[MAX_MODEL_ID];
	int		 profile;	/* G_GOOD, G_REP_A or G_ROLL_A */
	int		 variant;	/* 0 or 1 (replicas, roll-out) */
	bool		 probed, seen_b;
	uint64_t	 last_probe;
	char		 verdict[8];
	int		 streak;	/* probes of the streak left */
	int		 streak_group;
	uint64_t	 next_drift, drifts, rot;
	int		 instances;
};

struct gen {
	struct ptmpl	*t;
	size_t		 nt;
	struct pgroup	 g[G_N];
	struct entry_change rep_added;	/* replica A known, B seen */
	struct entry_change roll[2];	/* to roll-out variant 0, 1 */
	uint64_t	 rng;
	/* the batch being built */
	struct store_entry_in in[MAX_APPEND_ENTRIES];
	uint8_t		*mem[MAX_APPEND_ENTRIES];
	size_t		 b;
	uint64_t	 seq;		/* the seq of in[b] */
	uint64_t	 counts[8];	/* probe pass warn fail error event alert */
	struct store	*st;
};

static uint64_t
rnd(struct gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

/* Cut the canonical text at every occurrence of the hole markers. */
static void
cut_template(struct ptmpl *t, const uint8_t *text, size_t len)
{
	char num[32];
	const uint8_t *p = text, *end = text + len, *a, *b;
	size_t nl, ml = strlen(HOLE_MODEL);

	snprintf(num, sizeof(num), "%lld", SENTINEL);
	nl = strlen(num);
	t->nseg = 0;
	for (;;) {
		if (t->nseg == sizeof(t->seg) / sizeof(t->seg[0]))
			die("too many holes in a probe body");
		a = memmem(p, (size_t)(end - p), num, nl);
		b = memmem(p, (size_t)(end - p), HOLE_MODEL, ml);
		if (a == NULL && b == NULL) {
			t->seg[t->nseg] = xmemdup(p, (size_t)(end - p));
			t->seglen[t->nseg++] = (size_t)(end - p);
			return;
		}
		if (a == NULL || (b != NULL && b < a)) {
			t->seg[t->nseg] = xmemdup(p, (size_t)(b - p));
			t->seglen[t->nseg] = (size_t)(b - p);
			t->hole_time[t->nseg++] = false;
			p = b + ml;
		} else {
			t->seg[t->nseg] = xmemdup(p, (size_t)(a - p));
			t->seglen[t->nseg] = (size_t)(a - p);
			t->hole_time[t->nseg++] = true;
			p = a + nl;
		}
	}
}

static uint8_t *
render(const struct ptmpl *t, const char *model, int64_t time, size_t *len)
{
	char num[32];
	size_t i, n = 0, ml = strlen(model), nl;
	uint8_t *out;

	snprintf(num, sizeof(num), "%lld", (long long)time);
	nl = strlen(num);
	for (i = 0; i < t->nseg; i++)
		n += t->seglen[i] + (i + 1 < t->nseg ? (t->hole_time[i] ?
		    nl : ml) : 0);
	out = xmalloc(n);
	*len = 0;
	for (i = 0; i < t->nseg; i++) {
		memcpy(out + *len, t->seg[i], t->seglen[i]);
		*len += t->seglen[i];
		if (i + 1 == t->nseg)
			break;
		memcpy(out + *len, t->hole_time[i] ? num : model,
		    t->hole_time[i] ? nl : ml);
		*len += t->hole_time[i] ? nl : ml;
	}
	return out;
}

/* store_query callback: every probe of SRC into a template. */
static int
collect_probe(const struct store_entry *e, void *arg)
{
	struct gen *g = arg;
	struct ptmpl *t;
	json_t *o, *c, *bad;
	const char *v;
	uint8_t *text;
	size_t len, i;

	if (strcmp(e->kind, "probe") != 0 || e->model == NULL ||
	    e->verdict == NULL)
		return 0;
	if ((o = store_body_parse(e->body, e->body_len)) == NULL)
		die("entry %llu: not a JSON object", (unsigned long long)e->seq);
	g->t = xreallocarray(g->t, g->nt + 1, sizeof(*g->t));
	t = &g->t[g->nt++];
	memset(t, 0, sizeof(*t));
	snprintf(t->src, sizeof(t->src), "%s", e->model);
	snprintf(t->verdict, sizeof(t->verdict), "%s", e->verdict);
	t->meas = entry_measurement(o);
	v = NULL;
	if (strcmp(e->model, "sim/replicas") == 0)
		v = entry_meas_str(t->meas, "instance", "instance_id");
	else if (strcmp(e->model, "sim/rollout") == 0)
		v = entry_meas_str(t->meas, "app", "compose_hash");
	snprintf(t->variant, sizeof(t->variant), "%s", v != NULL ? v : "");
	bad = json_array();
	json_array_foreach(json_object_get(o, "checks"), i, c) {
		v = json_string_value(json_object_get(c, "status"));
		if (v != NULL && (strcmp(v, "fail") == 0 ||
		    strcmp(v, "error") == 0))
			json_array_append(bad, c);
	}
	t->bad = bad;
	tjson_set(o, "time", json_integer(SENTINEL));
	if (json_object_get(o, "verified_at") != NULL)
		tjson_set(o, "verified_at", json_integer(SENTINEL));
	tjson_set(o, "model", json_string(HOLE_MODEL));
	if (json_is_string(json_object_get(o, "upstream_model")))
		tjson_set(o, "upstream_model", json_string(HOLE_MODEL));
	text = entry_canonical(o, &len);
	json_decref(o);
	cut_template(t, text, len);
	free(text);
	return 0;
}

/* The change from a state holding a (NULL: none) to b (THE comparison,
 * entry_measurement_diff). */
static void
change_of(const json_t *a, const json_t *b, struct entry_change *out)
{
	struct entry_state st;

	entry_state_init(&st);
	if (a != NULL)
		entry_state_update(&st, a);
	entry_measurement_diff(&st, b, out);
	entry_state_free(&st);
}

/* Sort the templates into groups by source model, verdict and variant. */
static void
group_templates(struct gen *g)
{
	const char *va[2] = { NULL, NULL };
	struct pgroup *pg;
	struct ptmpl *t;
	size_t i;
	int k;

	for (i = 0; i < g->nt; i++) {
		t = &g->t[i];
		if (strcmp(t->verdict, "fail") == 0)
			pg = &g->g[G_FAIL];
		else if (strcmp(t->verdict, "error") == 0)
			pg = &g->g[G_ERROR];
		else if (strcmp(t->verdict, "pass") != 0)
			continue;
		else if (t->variant[0] != '\0') {
			k = strcmp(t->src, "sim/rollout") == 0;
			if (va[k] == NULL)
				va[k] = t->variant;
			pg = &g->g[(k ? G_ROLL_A : G_REP_A) +
			    (strcmp(va[k], t->variant) != 0)];
		} else
			pg = &g->g[G_GOOD];
		if (pg->n < sizeof(pg->idx) / sizeof(pg->idx[0]))
			pg->idx[pg->n++] = i;
	}
	if (g->g[G_GOOD].n == 0)
		die("no passing probe to clone");
	/* a profile without both variants runs as a good one */
	if (g->g[G_REP_B].n == 0)
		g->g[G_REP_A].n = 0;
	if (g->g[G_ROLL_B].n == 0)
		g->g[G_ROLL_A].n = 0;
	for (i = 0; i < g->nt; i++)
		change_of(NULL, g->t[i].meas, &g->t[i].first);
	if (g->g[G_REP_A].n > 0)
		change_of(g->t[g->g[G_REP_A].idx[0]].meas,
		    g->t[g->g[G_REP_B].idx[0]].meas, &g->rep_added);
	if (g->g[G_ROLL_A].n > 0) {
		change_of(g->t[g->g[G_ROLL_B].idx[0]].meas,
		    g->t[g->g[G_ROLL_A].idx[0]].meas, &g->roll[0]);
		change_of(g->t[g->g[G_ROLL_A].idx[0]].meas,
		    g->t[g->g[G_ROLL_B].idx[0]].meas, &g->roll[1]);
	}
}

/* Queue one entry (body owned by the batch). */
static uint64_t
push(struct gen *g, const char *kind, int64_t time, const char *model,
    const char *verdict, const char *cls, uint8_t *body, size_t len)
{
	struct store_entry_in *in = &g->in[g->b];

	memset(in, 0, sizeof(*in));
	in->kind = kind;
	in->time = time;
	in->model = model;
	in->verdict = verdict;
	in->cls = cls;
	in->body = body;
	in->body_len = len;
	g->mem[g->b++] = body;
	return g->seq++;
}

static void
flush(struct gen *g)
{
	struct tmon_err err;
	size_t i;

	tmon_err_clear(&err);
	if (g->b > 0 && store_append(g->st, NULL, 0, g->in, g->b, NULL,
	    &err) != TMON_OK)
		die("append: %s", err.msg);
	for (i = 0; i < g->b; i++)
		free(g->mem[i]);
	g->b = 0;
}

/* An event entry; returns its seq. */
static uint64_t
push_event(struct gen *g, struct gmodel *m, int64_t time,
    enum entry_event_class cls, uint64_t probe_seq,
    const struct entry_change *ch, const char *vbefore, const char *vafter,
    const char *endorsed, int worse)
{
	struct entry_event ev;
	uint8_t *body;
	size_t len;

	memset(&ev, 0, sizeof(ev));
	ev.time = time;
	ev.model = m->name;
	ev.cls = cls;
	ev.probe_seq = probe_seq;
	ev.prev_probe_seq = m->probed ? m->last_probe : UINT64_MAX;
	ev.change = ch;
	ev.verdict_before = vbefore;
	ev.verdict_after = vafter;
	ev.endorsed_by = endorsed;
	ev.worse = worse;
	ev.instances = (size_t)m->instances;
	body = entry_event_body(&ev, &len);
	g->counts[6]++;
	return push(g, "event", time, m->name, NULL,
	    entry_event_class_str(cls), body, len);
}

static void
push_alert(struct gen *g, struct gmodel *m, int64_t time, const char *reason,
    uint64_t probe_seq, uint64_t event_seq, const char *from, const char *to,
    const struct entry_change *ch, const struct ptmpl *t)
{
	struct entry_alert_check chk[MAX_CHANGED_FIELDS];
	struct entry_alert a;
	json_t *c;
	uint8_t *body;
	size_t len, i;

	memset(&a, 0, sizeof(a));
	a.time = time;
	a.model = m->name;
	a.reason = reason;
	a.from = from;
	a.to = to;
	a.probe_seq = probe_seq;
	a.change = ch;
	a.has_event = true;
	a.event_seq = event_seq;
	if (t != NULL) {
		/* check_failed: the template's fail and error checks */
		json_array_foreach(t->bad, i, c) {
			if (i == MAX_CHANGED_FIELDS)
				break;
			chk[i].id = json_string_value(json_object_get(c, "id"));
			chk[i].before = "pass";
			chk[i].after = json_string_value(json_object_get(c,
			    "status"));
			chk[i].detail = json_string_value(json_object_get(c,
			    "detail"));
			a.n_checks = i + 1;
		}
		a.checks = chk;
	}
	body = entry_alert_body(&a, &len);
	g->counts[7]++;
	push(g, "alert", time, m->name, NULL, NULL, body, len);
}

static int
verdict_rank(const char *v)
{
	if (strcmp(v, "pass") == 0)
		return 0;
	if (strcmp(v, "warn") == 0)
		return 1;
	if (strcmp(v, "fail") == 0)
		return 2;
	return 3;
}

/* One probe of m at time and what it raises. */
static void
gen_probe(struct gen *g, struct gmodel *m, int64_t time)
{
	const struct entry_change *ch;
	const struct ptmpl *t;
	struct pgroup *pg;
	uint64_t pseq, eseq;
	uint8_t *body;
	size_t len;
	int gi, drift = 0;
	bool unexpl;

	if (g->b + 8 > MAX_APPEND_ENTRIES)
		flush(g);
	if (m->streak == 0 && rnd(g) % STREAK_ODDS == 0 &&
	    (g->g[G_FAIL].n > 0 || g->g[G_ERROR].n > 0)) {
		m->streak_group = g->g[G_ERROR].n == 0 || (g->g[G_FAIL].n >
		    0 && rnd(g) % 5 < 3) ? G_FAIL : G_ERROR;
		m->streak = 1 + (int)(rnd(g) % (m->streak_group == G_FAIL ?
		    12 : 36));
	}
	if (m->streak > 0) {
		gi = m->streak_group;
		m->streak--;
	} else if (m->profile == G_REP_A) {
		gi = G_REP_A + (int)(m->rot % 2);
	} else if (m->profile == G_ROLL_A) {
		if (m->probed && m->rot >= m->next_drift) {
			m->variant ^= 1;
			m->drifts++;
			m->next_drift = m->rot + DRIFT_MIN + rnd(g) %
			    DRIFT_SPAN;
			drift = 1;
		}
		gi = G_ROLL_A + m->variant;
	} else
		gi = G_GOOD;
	pg = &g->g[gi];
	t = &g->t[pg->idx[m->rot % pg->n]];
	m->rot++;
	body = render(t, m->name, time, &len);
	pseq = push(g, "probe", time, m->name, t->verdict, NULL, body, len);
	g->counts[0]++;
	g->counts[1 + verdict_rank(t->verdict)]++;
	if (!m->probed) {
		m->instances = 1;
		push_event(g, m, time, ENTRY_EVENT_FIRST, pseq, &t->first,
		    NULL, t->verdict, NULL, -1);
		goto done;
	}
	if (gi == G_REP_B && !m->seen_b) {
		m->seen_b = true;
		m->instances = 2;
		push_event(g, m, time, ENTRY_EVENT_INSTANCE_ADDED, pseq,
		    &g->rep_added, t->verdict, t->verdict, NULL, -1);
	}
	if (drift) {
		ch = &g->roll[m->variant];
		unexpl = m->drifts % 3 == 1;
		eseq = push_event(g, m, time, unexpl ?
		    ENTRY_EVENT_UNEXPLAINED : ENTRY_EVENT_UPGRADE_ENDORSED,
		    pseq, ch, t->verdict, t->verdict, unexpl ? NULL :
		    "dstack-reference", -1);
		if (unexpl)
			push_alert(g, m, time, "unexplained", pseq, eseq,
			    ch->from, ch->to, ch, NULL);
	}
	if (strcmp(m->verdict, t->verdict) != 0) {
		eseq = push_event(g, m, time, ENTRY_EVENT_VERDICT_CHANGED,
		    pseq, NULL, m->verdict, t->verdict, NULL,
		    verdict_rank(t->verdict) > verdict_rank(m->verdict));
		if (verdict_rank(m->verdict) < 2 && verdict_rank(t->verdict)
		    >= 2)
			push_alert(g, m, time, "check_failed", pseq, eseq,
			    m->verdict, t->verdict, NULL, t);
		else if (verdict_rank(m->verdict) >= 2 &&
		    verdict_rank(t->verdict) < 2)
			push_alert(g, m, time, "recovered", pseq, eseq,
			    m->verdict, t->verdict, NULL, NULL);
	}
done:
	m->probed = true;
	m->last_probe = pseq;
	snprintf(m->verdict, sizeof(m->verdict), "%s", t->verdict);
}

/* Copy every blob of SRC into the store (they are named by the bodies). */
static void
copy_blobs(const char *src, struct store *st)
{
	struct store_blob_in bl[MAX_APPEND_BLOBS];
	uint8_t *data[MAX_APPEND_BLOBS];
	char *mt[MAX_APPEND_BLOBS];
	struct tmon_err err;
	sqlite3 *s = NULL;
	sqlite3_stmt *q;
	size_t n = 0, i;
	int r;

	if (sqlite3_open_v2(src, &s, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(s, "SELECT data, media_type "
	    "FROM blobs", -1, &q, NULL) != SQLITE_OK)
		die("%s: %s", src, sqlite3_errmsg(s));
	tmon_err_clear(&err);
	for (;;) {
		r = sqlite3_step(q);
		if (r == SQLITE_ROW) {
			bl[n].len = (size_t)sqlite3_column_bytes(q, 0);
			data[n] = xmemdup(sqlite3_column_blob(q, 0),
			    bl[n].len);
			mt[n] = xstrdup((const char *)sqlite3_column_text(q,
			    1));
			bl[n].data = data[n];
			bl[n].media_type = mt[n];
			n++;
		} else if (r != SQLITE_DONE)
			die("%s: %s", src, sqlite3_errmsg(s));
		if (n == MAX_APPEND_BLOBS || (r == SQLITE_DONE && n > 0)) {
			if (store_append(st, bl, n, NULL, 0, NULL, &err) !=
			    TMON_OK)
				die("blobs: %s", err.msg);
			for (i = 0; i < n; i++) {
				free(data[i]);
				free(mt[i]);
			}
			n = 0;
		}
		if (r == SQLITE_DONE)
			break;
	}
	sqlite3_finalize(q);
	sqlite3_close(s);
}

static int
status_main(int argc, char *argv[])
{
	struct gen *g;
	struct gmodel *m;
	struct store *src;
	struct store_query q;
	struct tmon_err err;
	uint64_t n = 50000, nm = 0, interval = 300, seed = 1, c, size;
	int64_t t0;
	double ts;
	char why[256];
	size_t i, j;
	int ch;

	while ((ch = getopt(argc, argv, "s:n:i:r:")) != -1) {
		switch (ch) {
		case 's':
			if (!parse_u64(optarg, 1, 10000, &nm))
				die("-s: a number of models (1..10000)");
			break;
		case 'n':
			if (!parse_u64(optarg, 1, INT64_MAX, &n))
				die("-n: a number of entries");
			break;
		case 'i':
			if (!parse_u64(optarg, 1, 86400, &interval))
				die("-i: seconds between probes (1..86400)");
			break;
		case 'r':
			if (!parse_u64(optarg, 1, UINT64_MAX, &seed))
				die("-r: a seed (> 0)");
			break;
		default:
			goto usage;
		}
	}
	if (optind + 2 != argc || nm == 0)
		goto usage;
	tjson_init();
	ts = now_s();
	if (access(argv[optind + 1], F_OK) == 0)
		die("%s exists", argv[optind + 1]);
	g = xcalloc(1, sizeof(*g));
	g->rng = seed;
	tmon_err_clear(&err);
	if (store_open(argv[optind], STORE_RO, &src, &err) != TMON_OK)
		die("%s", err.msg);
	store_query_init(&q);
	q.kind = "probe";
	if (store_query(src, &q, collect_probe, g, &err) != TMON_OK)
		die("%s", err.msg);
	store_close(src);
	group_templates(g);
	for (i = 0; i < g->nt; i++) {
		uint8_t *b;
		size_t len;

		b = render(&g->t[i], "status/check", 1, &len);
		if (!store_body_check("probe", 1, "status/check",
		    g->t[i].verdict, NULL, b, len, why, sizeof(why)))
			die("template %zu: %s", i, why);
		free(b);
	}
	if (store_open(argv[optind + 1], STORE_RW, &g->st, &err) != TMON_OK)
		die("%s", err.msg);
	copy_blobs(argv[optind], g->st);
	if (store_verify_chain(g->st, &size, NULL, &err) != TMON_OK)
		die("%s", err.msg);
	g->seq = size;
	m = xcalloc(nm, sizeof(*m));
	for (i = 0; i < nm; i++) {
		snprintf(m[i].name, sizeof(m[i].name), "status/m%02zu", i);
		m[i].profile = i % 10 == 3 && g->g[G_REP_A].n > 0 ? G_REP_A :
		    i % 10 == 7 && g->g[G_ROLL_A].n > 0 ? G_ROLL_A : G_GOOD;
		m[i].next_drift = DRIFT_FIRST + rnd(g) % DRIFT_FIRST_SPAN;
	}
	/* the log ends about now: N entries are about N / M probes each */
	t0 = (int64_t)time(NULL) - (int64_t)(n / nm * interval);
	for (c = 0; g->seq < n; c++)
		for (j = 0; j < nm && g->seq < n; j++)
			gen_probe(g, &m[j], t0 + (int64_t)(c * interval +
			    j * interval / nm));
	flush(g);
	store_close(g->st);
	printf("tmon-genlog: %s: %llu entries of %llu models in %.1f s: "
	    "%llu probes (%llu pass, %llu warn, %llu fail, %llu error), "
	    "%llu events, %llu alerts, from %zu probes of %s\n",
	    argv[optind + 1], (unsigned long long)g->seq,
	    (unsigned long long)nm, now_s() - ts,
	    (unsigned long long)g->counts[0], (unsigned long long)g->counts[1],
	    (unsigned long long)g->counts[2], (unsigned long long)g->counts[3],
	    (unsigned long long)g->counts[4], (unsigned long long)g->counts[6],
	    (unsigned long long)g->counts[7], g->nt, argv[optind]);
	for (i = 0; i < g->nt; i++) {
		for (j = 0; j < g->t[i].nseg; j++)
			free(g->t[i].seg[j]);
		json_decref(g->t[i].meas);
		json_decref(g->t[i].bad);
	}
	free(g->t);
	free(g);
	free(m);
	return 0;
usage:
	fprintf(stderr, "usage: tmon-genlog -s M [-n N] [-i S] [-r SEED] "
	    "SRC.db DST.db\n");
	return 2;
}


int
main(int argc, char *argv[])
{
	struct store_entry_in in[MAX_APPEND_ENTRIES];
	uint8_t *mem[MAX_APPEND_ENTRIES];
	struct src src;
	struct probe *p;
	struct tmpl *r;
	struct store *st = NULL;
	struct store_query q;
	struct tmon_err err;
	uint64_t n = 1000000, k = 100, size, done = 0, nr = 0, np = 0;
	uint64_t ri = 0, pi = 0, since = 0;
	size_t b, i, len;
	int64_t t;
	double t0;
	char num[32];
	int ch;

	for (i = 1; i < (size_t)argc; i++)
		if (strncmp(argv[i], "-s", 2) == 0)
			return status_main(argc, argv);
	while ((ch = getopt(argc, argv, "n:k:")) != -1) {
		switch (ch) {
		case 'n':
			if (!parse_u64(optarg, 1, INT64_MAX, &n))
				die("-n: a number of entries");
			break;
		case 'k':
			if (!parse_u64(optarg, 0, UINT32_MAX, &k))
				die("-k: a number of receipts");
			break;
		default:
			goto usage;
		}
	}
	if (optind + 2 != argc)
		goto usage;
	tjson_init();
	t0 = now_s();
	copy_log(argv[optind], argv[optind + 1]);
	tmon_err_clear(&err);
	if (store_open(argv[optind + 1], STORE_RW, &st, &err) != TMON_OK)
		die("%s", err.msg);
	memset(&src, 0, sizeof(src));
	store_query_init(&q);
	if (store_query(st, &q, collect, &src, &err) != TMON_OK)
		die("%s", err.msg);
	if (src.nr == 0 && src.np == 0)
		die("%s has no probe or receipt to clone", argv[optind]);
	if (store_verify_chain(st, &size, NULL, &err) != TMON_OK)
		die("%s", err.msg);
	t = src.last_time;
	while (size + done < n) {
		b = n - size - done > MAX_APPEND_ENTRIES ? MAX_APPEND_ENTRIES :
		    (size_t)(n - size - done);
		memset(in, 0, sizeof(in));
		for (i = 0; i < b; i++) {
			mem[i] = NULL;
			if (src.np > 0 && (src.nr == 0 || since >= k)) {
				p = &src.p[pi++ % src.np];
				in[i].kind = "probe";
				in[i].time = p->time;
				in[i].model = p->has_model ? p->model : NULL;
				in[i].verdict = p->verdict[0] != '\0' ?
				    p->verdict : NULL;
				in[i].body = p->body;
				in[i].body_len = p->len;
				since = 0;
				np++;
				continue;
			}
			r = &src.r[ri++ % src.nr];
			snprintf(num, sizeof(num), "%lld", (long long)++t);
			len = r->pre_len + strlen(num) + r->post_len;
			mem[i] = xmalloc(len);
			memcpy(mem[i], r->pre, r->pre_len);
			memcpy(mem[i] + r->pre_len, num, strlen(num));
			memcpy(mem[i] + r->pre_len + strlen(num), r->post,
			    r->post_len);
			in[i].kind = "receipt";
			in[i].time = t;
			in[i].model = r->has_model ? r->model : NULL;
			in[i].verdict = r->verdict[0] != '\0' ? r->verdict :
			    NULL;
			in[i].body = mem[i];
			in[i].body_len = len;
			since++;
			nr++;
		}
		if (store_append(st, NULL, 0, in, b, NULL, &err) != TMON_OK)
			die("append: %s", err.msg);
		for (i = 0; i < b; i++)
			free(mem[i]);
		done += b;
	}
	store_close(st);
	printf("tmon-genlog: %s: %llu entries: %llu copied from %s, %llu "
	    "receipt and %llu probe clones, in %.1f s\n", argv[optind + 1],
	    (unsigned long long)(size + done), (unsigned long long)size,
	    argv[optind], (unsigned long long)nr, (unsigned long long)np,
	    now_s() - t0);
	for (i = 0; i < src.nr; i++) {
		free(src.r[i].pre);
		free(src.r[i].post);
	}
	for (i = 0; i < src.np; i++)
		free(src.p[i].body);
	free(src.r);
	free(src.p);
	return 0;
usage:
	fprintf(stderr, "usage: tmon-genlog [-n N] [-k K] SRC.db DST.db\n"
	    "       tmon-genlog -s M [-n N] [-i S] [-r SEED] SRC.db DST.db\n");
	return 2;
}
