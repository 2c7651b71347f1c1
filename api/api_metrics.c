/*
 * api_metrics.c: HTTP server counters and GET /metrics (api_metrics.h).
 */
#include <stdbool.h>

#include "api_metrics.h"
#include "buf.h"
#include "log.h"

/* The whole exposition text; it is a few hundred bytes. */
#define METRICS_MAX_TEXT	(64u * 1024)

void
api_metrics_add(atomic_ullong *counter, unsigned long long n)
{
	atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

static unsigned long long
get(atomic_ullong *counter)
{
	return atomic_load_explicit(counter, memory_order_relaxed);
}

char *
api_metrics_render(struct api_metrics *m, const struct api_log_gauges *g,
    size_t *len)
{
	struct buf b;
	bool ok;

	buf_init(&b, METRICS_MAX_TEXT);
	ok = buf_printf(&b,
	    "# HELP tmon_http_requests_rejected_total HTTP requests refused "
	    "as malformed (by the HTTP parser, or 400 from the API).\n"
	    "# TYPE tmon_http_requests_rejected_total counter\n"
	    "tmon_http_requests_rejected_total{reason=\"malformed\"} %llu\n"
	    "tmon_http_requests_rejected_total{reason=\"bad_request\"} %llu\n",
	    get(&m->rejected_malformed), get(&m->rejected_bad_request)) &&
	    buf_printf(&b,
	    "# HELP tmon_http_connections_closed_deadline_total Connections "
	    "closed because a request was not complete by its deadline.\n"
	    "# TYPE tmon_http_connections_closed_deadline_total counter\n"
	    "tmon_http_connections_closed_deadline_total %llu\n",
	    get(&m->closed_deadline)) &&
	    buf_printf(&b,
	    "# HELP tmon_http_log_lines_suppressed_total Log lines about "
	    "rejected requests left out by the log rate limit.\n"
	    "# TYPE tmon_http_log_lines_suppressed_total counter\n"
	    "tmon_http_log_lines_suppressed_total %llu\n",
	    get(&m->log_suppressed));
	if (ok && g->have_entries)
		ok = buf_printf(&b,
		    "# HELP tmon_log_entries Entries in the log (leaves of its "
		    "Merkle tree).\n"
		    "# TYPE tmon_log_entries gauge\n"
		    "tmon_log_entries %llu\n", g->entries);
	if (ok && g->have_checkpoint)
		ok = buf_printf(&b,
		    "# HELP tmon_log_checkpoint_entries Tree size of the latest "
		    "signed checkpoint.\n"
		    "# TYPE tmon_log_checkpoint_entries gauge\n"
		    "tmon_log_checkpoint_entries %llu\n"
		    "# HELP tmon_log_checkpoint_age_seconds Seconds since the "
		    "latest checkpoint was signed.\n"
		    "# TYPE tmon_log_checkpoint_age_seconds gauge\n"
		    "tmon_log_checkpoint_age_seconds %lld\n"
		    "# HELP tmon_log_checkpoint_cosignatures Witness "
		    "cosignatures of the latest checkpoint.\n"
		    "# TYPE tmon_log_checkpoint_cosignatures gauge\n"
		    "tmon_log_checkpoint_cosignatures %llu\n",
		    g->checkpoint_entries, g->checkpoint_age_s,
		    g->cosignatures);
	if (!ok)
		fatalx("api: metrics text over %u bytes", METRICS_MAX_TEXT);
	return (char *)buf_release(&b, len);
}
