/*
 * metrics.h: the process-wide registry of counters, gauges and
 * histograms every module adds to, and their rendering in the Prometheus
 * text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/), served
 * by GET /metrics.
 *
 * A family is a metric name with its type and help text; a series is a
 * family plus one label set.  Names must match ^tmon_[a-z0-9_]+$
 * (Prometheus naming: the tmon_ prefix, counters end in _total, base
 * units such as _seconds and _bytes).  A family's type is fixed by its
 * first use; a later call with the same name and another type, a bad
 * name, or a new family or series once MAX_METRIC_FAMILIES or
 * MAX_METRIC_SERIES are in use is dropped and counted in
 * tmon_metrics_dropped_total (a programming error or too many label
 * values, never a reason to stop the daemon), with one warning per
 * process.
 *
 * Labels are passed as the text between the braces, as metrics_label
 * builds it: k1="v1",k2="v2" (already escaped); NULL or "" for none.
 * The same label text names the same series, so callers pass keys in
 * one fixed order.
 *
 * Threads: every function may be called from any thread; one mutex
 * guards the registry.  The registry lives as long as the process.
 */
#ifndef TMON_CORE_METRICS_H
#define TMON_CORE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* Upper bounds (seconds) of the histogram buckets, then +Inf. */
#define METRICS_BUCKETS	{ 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120 }
#define METRICS_NBUCKETS	11

/*
 * Add n to the counter name{labels}, created at 0 with help (one line,
 * escaped on output) when it does not exist yet.  n 0 only creates it,
 * so that a series shows 0 before its first event.
 */
void	metrics_counter_add(const char *name, const char *help,
	    const char *labels, uint64_t n);

/* Set the gauge name{labels} to v (any double; NaN and +-Inf allowed). */
void	metrics_gauge_set(const char *name, const char *help,
	    const char *labels, double v);

/*
 * Record one observation v (seconds) in the histogram name{labels}:
 * buckets METRICS_BUCKETS and +Inf, their sum and count.  A NaN v is
 * dropped.
 */
void	metrics_observe(const char *name, const char *help,
	    const char *labels, double v);

/*
 * Write the label text of the NULL-terminated list of key, value string
 * pairs into buf (len bytes, NUL-terminated): k1="v1",k2="v2", each
 * value escaped as the text format requires (backslash as \\, double
 * quote as \", line feed as \n; other bytes as they are).  Keys must
 * match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__"; a NULL value is
 * written as "".  Returns the length written (without the NUL); 0, with
 * buf "" (when len > 0), when the text does not fit in len bytes or a key
 * is bad.  MAX_METRIC_LABELS bytes hold two labels whose values are up to
 * MAX_MODEL_ID bytes each, and a short third.
 */
size_t	metrics_label(char *buf, size_t len, const char *k1, const char *v1,
	    ...) __attribute__((sentinel));

/*
 * Append the exposition text of every family in the registry to out, in
 * the order they were created, each with its # HELP and # TYPE lines
 * (histograms as name_bucket{...,le="..."} cumulative, name_sum,
 * name_count), ending in a newline.  Series of one family appear in the
 * order they were created.  When out reaches its maximum size, out is
 * left empty (buf_append).
 */
void	metrics_render(struct buf *out);

/*
 * Append one family's # HELP and # TYPE lines to out (type "counter",
 * "gauge" or "histogram"), for series computed at render time rather
 * than kept in the registry (e.g. state read from the log): the caller
 * appends the samples with metrics_render_sample right after it and
 * uses a name no registry family has.  Returns false when out reached its
 * maximum (out is then empty).
 */
bool	metrics_render_family(struct buf *out, const char *name,
	    const char *help, const char *type);

/* Append the sample line name{labels} v; as metrics_render_family. */
bool	metrics_render_sample(struct buf *out, const char *name,
	    const char *labels, double v);

/* Drop every family and series (tests start from an empty registry). */
void	metrics_reset(void);

#endif /* TMON_CORE_METRICS_H */
