/*
 * api_metrics.h: the counters of the HTTP server and their rendering for
 * GET /metrics, in the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).  No I/O.
 *
 * Series (every one a counter since the server started):
 *   tmon_http_requests_rejected_total{reason="malformed"}
 *       requests libmicrohttpd refused while parsing them (not HTTP/1.x,
 *       a bad header, a request line or headers over the connection's
 *       memory); it answered them itself (mostly 400)
 *   tmon_http_requests_rejected_total{reason="bad_request"}
 *       requests the API answered 400 (api_request.h: a bad path
 *       parameter or query argument)
 *   tmon_http_connections_closed_deadline_total
 *       connections closed because a request's headers and body were not
 *       all in by the request deadline (api.h)
 *   tmon_http_log_lines_suppressed_total
 *       log lines about rejected requests and closed connections left out
 *       by the log rate limit (api.h)
 * and gauges of the verifiable log (README "The verifiable log"), read
 * from the store for each request:
 *   tmon_log_entries                  leaves of the Merkle tree
 *   tmon_log_checkpoint_entries       the latest checkpoint's tree size
 *   tmon_log_checkpoint_age_seconds   seconds since it was signed
 *   tmon_log_checkpoint_cosignatures  witness cosignatures it carries
 * (the checkpoint series only once there is a checkpoint).
 */
#ifndef TMON_API_API_METRICS_H
#define TMON_API_API_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* Counters updated from any thread (atomic_fetch_add, relaxed). */
struct api_metrics {
	atomic_ullong	rejected_malformed;
	atomic_ullong	rejected_bad_request;
	atomic_ullong	closed_deadline;
	atomic_ullong	log_suppressed;
};

/* Add n to a counter (any thread). */
void	api_metrics_add(atomic_ullong *counter, unsigned long long n);

/* The log's gauges (have_entries false: the store could not be read;
 * have_checkpoint false: none yet). */
struct api_log_gauges {
	bool			have_entries;
	unsigned long long	entries;
	bool			have_checkpoint;
	unsigned long long	checkpoint_entries;
	long long		checkpoint_age_s;
	unsigned long long	cosignatures;
};

/*
 * The exposition text of m and g (every series above that has a value,
 * each with its # HELP and # TYPE lines, ending in a newline), malloc'd,
 * NUL-terminated; its length without the NUL in *len.  The caller frees
 * it.  Never returns NULL (running out of memory is fatal).
 */
char	*api_metrics_render(struct api_metrics *m,
	    const struct api_log_gauges *g, size_t *len);

#endif /* TMON_API_API_METRICS_H */
