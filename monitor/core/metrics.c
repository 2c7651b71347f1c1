/*
 * metrics.c: the process-wide metrics registry and its Prometheus text
 * rendering (metrics.h).
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "metrics.h"
#include "tmon_limits.h"
#include "xmalloc.h"

enum metric_type {
	MT_COUNTER = 0,
	MT_GAUGE,
	MT_HISTOGRAM
};

static const char *const type_names[] = { "counter", "gauge", "histogram" };
static const double bucket_le[METRICS_NBUCKETS] = METRICS_BUCKETS;

struct series {
	char		*labels;	/* "" for none */
	uint64_t	 count;		/* counter value; histogram count */
	double		 value;		/* gauge value; histogram sum */
	uint64_t	 buckets[METRICS_NBUCKETS];	/* not cumulative */
	struct series	*next;		/* of the family, in creation order */
};

struct family {
	char		*name;
	char		*help;
	enum metric_type type;
	struct series	*first, *last;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct family fams[MAX_METRIC_FAMILIES];
static size_t n_fams;
static size_t n_series;
static uint64_t dropped;
static bool warned;

static bool
name_ok(const char *name)
{
	const char *p;

	if (name == NULL || strncmp(name, "tmon_", 5) != 0 || name[5] == '\0')
		return false;
	for (p = name + 5; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			return false;
	return strlen(name) < 128;
}

/* Count a dropped update; warn once.  Under mu. */
static void
drop(const char *name, const char *why)
{
	char esc[128];

	dropped++;
	if (warned)
		return;
	warned = true;
	log_warnx("metrics: %s dropped: %s", log_esc(esc, sizeof(esc), name,
	    name == NULL ? 0 : strlen(name)), why);
}

/* The series name{labels} of the given type, created if need be; NULL
 * when dropped.  Under mu. */
static struct series *
lookup(const char *name, const char *help, const char *labels,
    enum metric_type type)
{
	struct family *f = NULL;
	struct series *s;
	size_t i;

	if (labels == NULL)
		labels = "";
	if (!name_ok(name)) {
		drop(name, "bad name");
		return NULL;
	}
	for (i = 0; i < n_fams; i++)
		if (strcmp(fams[i].name, name) == 0) {
			f = &fams[i];
			break;
		}
	if (f == NULL) {
		if (n_fams == MAX_METRIC_FAMILIES) {
			drop(name, "too many families");
			return NULL;
		}
		f = &fams[n_fams++];
		f->name = xstrdup(name);
		f->help = xstrdup(help == NULL ? "" : help);
		f->type = type;
		f->first = f->last = NULL;
	} else if (f->type != type) {
		drop(name, "used with another type");
		return NULL;
	}
	for (s = f->first; s != NULL; s = s->next)
		if (strcmp(s->labels, labels) == 0)
			return s;
	if (n_series == MAX_METRIC_SERIES ||
	    strlen(labels) >= MAX_METRIC_LABELS) {
		drop(name, "too many series");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->labels = xstrdup(labels);
	if (f->last != NULL)
		f->last->next = s;
	else
		f->first = s;
	f->last = s;
	n_series++;
	return s;
}

void
metrics_counter_add(const char *name, const char *help, const char *labels,
    uint64_t n)
{
	struct series *s;

	pthread_mutex_lock(&mu);
	if ((s = lookup(name, help, labels, MT_COUNTER)) != NULL)
		s->count += n;
	pthread_mutex_unlock(&mu);
}

void
metrics_gauge_set(const char *name, const char *help, const char *labels,
    double v)
{
	struct series *s;

	pthread_mutex_lock(&mu);
	if ((s = lookup(name, help, labels, MT_GAUGE)) != NULL)
		s->value = v;
	pthread_mutex_unlock(&mu);
}

void
metrics_observe(const char *name, const char *help, const char *labels,
    double v)
{
	struct series *s;
	size_t i;

	if (isnan(v))
		return;
	pthread_mutex_lock(&mu);
	if ((s = lookup(name, help, labels, MT_HISTOGRAM)) != NULL) {
		for (i = 0; i < METRICS_NBUCKETS; i++)
			if (v <= bucket_le[i]) {
				s->buckets[i]++;
				break;
			}
		s->count++;
		s->value += v;
	}
	pthread_mutex_unlock(&mu);
}

static bool
key_ok(const char *k)
{
	const char *p;

	if (k == NULL || k[0] == '\0' || (k[0] >= '0' && k[0] <= '9') ||
	    strncmp(k, "__", 2) == 0)
		return false;
	for (p = k; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/* Append c to buf[*off], keeping room for the NUL. */
static bool
put(char *buf, size_t len, size_t *off, char c)
{
	if (*off + 1 >= len)
		return false;
	buf[(*off)++] = c;
	return true;
}

size_t
metrics_label(char *buf, size_t len, const char *k1, const char *v1, ...)
{
	const char *k = k1, *v = v1, *p;
	size_t off = 0;
	bool ok = true;
	va_list ap;

	if (len == 0)
		return 0;
	va_start(ap, v1);
	while (ok && k != NULL) {
		if (!key_ok(k)) {
			ok = false;
			break;
		}
		if (off > 0)
			ok = put(buf, len, &off, ',');
		for (p = k; ok && *p != '\0'; p++)
			ok = put(buf, len, &off, *p);
		ok = ok && put(buf, len, &off, '=') &&
		    put(buf, len, &off, '"');
		for (p = v == NULL ? "" : v; ok && *p != '\0'; p++) {
			if (*p == '\\' || *p == '"')
				ok = put(buf, len, &off, '\\') &&
				    put(buf, len, &off, *p);
			else if (*p == '\n')
				ok = put(buf, len, &off, '\\') &&
				    put(buf, len, &off, 'n');
			else
				ok = put(buf, len, &off, *p);
		}
		ok = ok && put(buf, len, &off, '"');
		k = va_arg(ap, const char *);
		if (k != NULL)
			v = va_arg(ap, const char *);
	}
	va_end(ap);
	if (!ok) {
		buf[0] = '\0';
		return 0;
	}
	buf[off] = '\0';
	return off;
}

/* Append a value as the text format writes floats. */
static bool
put_value(struct buf *out, double v)
{
	if (isnan(v))
		return buf_append_str(out, "NaN");
	if (isinf(v))
		return buf_append_str(out, v > 0 ? "+Inf" : "-Inf");
	return buf_printf(out, "%.17g", v);
}

bool
metrics_render_family(struct buf *out, const char *name, const char *help,
    const char *type)
{
	const char *p;

	if (!buf_printf(out, "# HELP %s ", name))
		return false;
	/* HELP text: backslash and line feed escaped. */
	for (p = help == NULL ? "" : help; *p != '\0'; p++) {
		if (*p == '\\' && !buf_append_str(out, "\\\\"))
			return false;
		if (*p == '\n' && !buf_append_str(out, "\\n"))
			return false;
		if (*p != '\\' && *p != '\n' && !buf_append(out, p, 1))
			return false;
	}
	return buf_printf(out, "\n# TYPE %s %s\n", name, type);
}

/* name[suffix]{labels[,extra]} */
static bool
put_name(struct buf *out, const char *name, const char *suffix,
    const char *labels, const char *extra)
{
	bool l = labels != NULL && labels[0] != '\0';
	bool e = extra != NULL && extra[0] != '\0';

	if (!buf_append_str(out, name) || !buf_append_str(out, suffix))
		return false;
	if (!l && !e)
		return buf_append_str(out, " ");
	return buf_printf(out, "{%s%s%s} ", l ? labels : "",
	    l && e ? "," : "", e ? extra : "");
}

bool
metrics_render_sample(struct buf *out, const char *name, const char *labels,
    double v)
{
	return put_name(out, name, "", labels, NULL) && put_value(out, v) &&
	    buf_append_str(out, "\n");
}

static bool
render_series(struct buf *out, const struct family *f,
    const struct series *s)
{
	char le[32];
	uint64_t cum = 0;
	size_t i;

	switch (f->type) {
	case MT_COUNTER:
		return put_name(out, f->name, "", s->labels, NULL) &&
		    buf_printf(out, "%llu\n", (unsigned long long)s->count);
	case MT_GAUGE:
		return metrics_render_sample(out, f->name, s->labels,
		    s->value);
	case MT_HISTOGRAM:
		for (i = 0; i < METRICS_NBUCKETS; i++) {
			cum += s->buckets[i];
			snprintf(le, sizeof(le), "le=\"%g\"", bucket_le[i]);
			if (!put_name(out, f->name, "_bucket", s->labels, le) ||
			    !buf_printf(out, "%llu\n",
			    (unsigned long long)cum))
				return false;
		}
		return put_name(out, f->name, "_bucket", s->labels,
		    "le=\"+Inf\"") &&
		    buf_printf(out, "%llu\n", (unsigned long long)s->count) &&
		    put_name(out, f->name, "_sum", s->labels, NULL) &&
		    put_value(out, s->value) && buf_append_str(out, "\n") &&
		    put_name(out, f->name, "_count", s->labels, NULL) &&
		    buf_printf(out, "%llu\n", (unsigned long long)s->count);
	}
	return false;
}

void
metrics_render(struct buf *out)
{
	const struct family *f;
	const struct series *s;
	bool ok = true;
	size_t i;

	pthread_mutex_lock(&mu);
	for (i = 0; ok && i < n_fams; i++) {
		f = &fams[i];
		ok = metrics_render_family(out, f->name, f->help,
		    type_names[f->type]);
		for (s = f->first; ok && s != NULL; s = s->next)
			ok = render_series(out, f, s);
	}
	if (ok && dropped > 0)
		ok = metrics_render_family(out, "tmon_metrics_dropped_total",
		    "Metric updates dropped (bad name, type clash or too many "
		    "series).", "counter") &&
		    buf_printf(out, "tmon_metrics_dropped_total %llu\n",
		    (unsigned long long)dropped);
	pthread_mutex_unlock(&mu);
}

void
metrics_reset(void)
{
	struct series *s, *next;
	size_t i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n_fams; i++) {
		for (s = fams[i].first; s != NULL; s = next) {
			next = s->next;
			free(s->labels);
			free(s);
		}
		free(fams[i].name);
		free(fams[i].help);
		memset(&fams[i], 0, sizeof(fams[i]));
	}
	n_fams = n_series = 0;
	dropped = 0;
	warned = false;
	pthread_mutex_unlock(&mu);
}
