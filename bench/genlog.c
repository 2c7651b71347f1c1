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
	fprintf(stderr, "usage: tmon-genlog [-n N] [-k K] SRC.db DST.db\n");
	return 2;
}
