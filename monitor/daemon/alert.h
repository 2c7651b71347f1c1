/*
 * alert.h: the alerts tmond raises after each probe it logged (README
 * "What counts as a change"), built as `alert` entries (entry.h) for the
 * loop to append after the probe:
 *   verdict_changed      the verdict left "pass" (from, to: the verdicts);
 *   measurement_changed  entry_measurement_diff classes the measurement
 *                        "changed" against the model's known instances
 *                        (from, to: the first changed field's values;
 *                        changed_fields: the fields).
 * A new instance of a known platform and app ("instance_added") is no
 * alert: it is logged as an information line.  A model's last verdict and
 * known instances are rebuilt from the log at start, so a restart neither
 * misses a change nor alerts again.
 *
 * Runs on tmond's loop thread only.
 */
#ifndef TMON_MONITOR_ALERT_H
#define TMON_MONITOR_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "probe.h"
#include "store.h"

/* Alerts one probe can raise (verdict_changed, measurement_changed). */
#define MAX_PROBE_ALERTS	2

/* An alert entry built, not yet logged. */
struct pending_alert {
	uint8_t		*body;		/* canonical JSON, owned */
	size_t		 len;
	int64_t		 time;		/* unix s, as in the body */
	char		 what[320];	/* for the log line */
};

/*
 * What a model's next probe is compared with: the last verdict logged and
 * the known instances (entry.h).  Zeroed memory is the empty state (no
 * probe yet); alert_state_free releases it.
 */
struct alert_state {
	bool			 has_last;
	char			 last_verdict[8];
	struct entry_state	 known;
};

/*
 * Rebuild st (empty) for model from the log store (entry_state_load over
 * its newest probes).  A log that cannot be read leaves st empty, with a
 * warning: the next probe is then compared with nothing.
 */
void	alert_state_load(struct alert_state *st, struct store *store,
	    const char *model);

/*
 * Judge model's probe po, logged as entry probe_seq, against st, fold it
 * into st, and build the alerts it raises (at most MAX_PROBE_ALERTS in
 * all) into out[*n], out[*n + 1], ..., advancing *n; the caller owns
 * their bodies.  A new instance is logged (log_info) here.
 */
void	alert_judge(struct alert_state *st, const char *model,
	    const struct probe_outcome *po, uint64_t probe_seq,
	    struct pending_alert out[MAX_PROBE_ALERTS], size_t *n);

/* Release st's known instances; st is then empty. */
void	alert_state_free(struct alert_state *st);

#endif /* TMON_MONITOR_ALERT_H */
