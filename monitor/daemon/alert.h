/*
 * alert.h: what tmond logs after each probe (README "What counts as a
 * change"): the classified changes as `event` entries and the alerts as
 * `alert` entries (entry.h), built here for the loop to append after the
 * probe, events first.
 *
 * Events, against the model's known instances (entry_measurement_diff)
 * and its previous probe:
 *   first             the model's first measurement;
 *   instance_added    a new instance of a known platform and app;
 *   allowlisted       a change whose every changed identity value
 *                     (platform.mrtd, rtmr0..rtmr2, app.compose_hash,
 *                     app.os_image_hash) is in the model's policy (an
 *                     app.mr_config_id that is 0x01 || the new compose
 *                     hash || zeros, as dstack sets it, goes with the
 *                     compose hash; tcb_status and advisories and the
 *                     instance layer are not judged);
 *   upgrade_endorsed  ... is in a reference value set that applies to
 *                     the model or in the policy, at least one in a set
 *                     (endorsed_by: the first such set's name); or the
 *                     changed registers (platform.mrtd, rtmr0..rtmr2,
 *                     snp_measurement) are those of a verified release
 *                     of the model's code provenance (provenance_client.h)
 *                     that is the latest verified one, or newer than the
 *                     release the registers before the change matched
 *                     (prov_check_measurement pass or warn; endorsed_by
 *                     "OWNER/NAME@TAG"), the other changed identity
 *                     values being listed as above;
 *   tcb_changed       only platform.tcb_status / platform.advisories
 *                     moved (worse: a worse Intel TCB status, or a new
 *                     advisory);
 *   unexplained       any other measurement change (another identity
 *                     member changed, or a value in no list);
 *   verdict_changed   the verdict differs from the previous probe's
 *                     (worse: check_severity fell).
 * Alerts:
 *   unexplained   with an unexplained event (event_seq; from/to the first
 *                 changed field's values);
 *   tcb_worse     with a tcb_changed event that is worse;
 *   check_failed  checks that are fail or error now and were not in the
 *                 previous probe (or there was none): "checks" with
 *                 before/after/detail; from/to the verdicts (from "none"
 *                 for a first probe);
 *   recovered     the first probe with no fail or error check after one
 *                 with some.
 * A model's last verdict, last probe, its checks and the known instances
 * are rebuilt from the log at start, so a restart neither misses a change
 * nor raises one again.
 *
 * Runs on tmond's loop thread only.
 */
#ifndef TMON_MONITOR_ALERT_H
#define TMON_MONITOR_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "config.h"
#include "entry.h"
#include "probe.h"
#include "store.h"

/* Events one probe can raise (a measurement event, verdict_changed). */
#define MAX_PROBE_EVENTS	2
/* Alerts one probe can raise (unexplained or tcb_worse, check_failed or
 * recovered). */
#define MAX_PROBE_ALERTS	2

/* An event entry built, not yet logged. */
struct pending_event {
	uint8_t		*body;		/* canonical JSON, owned */
	size_t		 len;
	int64_t		 time;		/* unix s, as in the body */
	const char	*cls;		/* its class (static) */
	char		 what[320];	/* for the log line */
};

/*
 * An alert entry, not yet logged.  One raised by an event (event >= 0,
 * the index of the probe's event) gets its body from alert_finish once
 * that event is logged; the others have theirs at once.
 */
struct pending_alert {
	uint8_t		*body;		/* canonical JSON, owned; NULL: not
					   built yet */
	size_t		 len;
	int64_t		 time;		/* unix s, as in the body */
	const char	*reason;	/* static */
	int		 event;		/* -1: none */
	uint64_t	 probe_seq;
	struct entry_change *chg;	/* owned; the event's change */
	char		 what[320];	/* for the log line */
};

/* A check of the last probe: id and status. */
struct alert_check {
	char			id[MAX_CHECK_ID];
	enum check_status	status;
};

/*
 * What a model's next probe is compared with: the last probe logged (its
 * seq, verdict and checks) and the known instances (entry.h).  Zeroed
 * memory is the empty state (no probe yet); alert_state_free releases
 * it.
 */
struct alert_state {
	bool			 has_last;
	char			 last_verdict[8];
	uint64_t		 last_seq;
	struct alert_check	 checks[MAX_CHECKS];
	size_t			 n_checks;
	bool			 failing;	/* a check of the last probe
						   is fail or error */
	struct entry_state	 known;
};

/* What one probe raised (alert_judge). */
struct prov_view;

struct alert_out {
	struct pending_event	events[MAX_PROBE_EVENTS];
	size_t			n_events;
	struct pending_alert	alerts[MAX_PROBE_ALERTS];
	size_t			n_alerts;
};

/*
 * Rebuild st (empty) for model from the log store (entry_state_load over
 * its newest probes, and the checks of the newest).  A log that cannot
 * be read leaves st empty, with a warning: the next probe is then
 * compared with nothing.
 */
void	alert_state_load(struct alert_state *st, struct store *store,
	    const char *model);

/*
 * Judge model m's probe po, logged as entry probe_seq at time now (unix
 * s), against st, with the reference value sets refvals[n_refvals] (the
 * schedule's; those naming other models do not apply) and the model's
 * verified releases pv (NULL: none); fold it into st,
 * and build the events and alerts it raises into out (which the caller
 * zeroed and releases with alert_out_free).
 */
void	alert_judge(struct alert_state *st, const struct model_cfg *m,
	    const struct refval_cfg *refvals, size_t n_refvals,
	    const struct prov_view *pv, const struct probe_outcome *po,
	    uint64_t probe_seq, int64_t now, struct alert_out *out);

/* Build a's body (a->body NULL, a->event >= 0) naming the event logged
 * as event_seq, or none when has_event is false (it was not logged). */
void	alert_finish(struct pending_alert *a, const char *model,
	    bool has_event, uint64_t event_seq);

/* Release one pending alert or event, or all of out. */
void	pending_alert_free(struct pending_alert *a);
void	pending_event_free(struct pending_event *e);
void	alert_out_free(struct alert_out *out);

/* Release st's known instances; st is then empty. */
void	alert_state_free(struct alert_state *st);

#endif /* TMON_MONITOR_ALERT_H */
