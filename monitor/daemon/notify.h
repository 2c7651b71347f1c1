/*
 * notify.h: delivery of tmond's alerts to webhooks (schedule "alerts",
 * config.h; README "Alerts").
 *
 * Input.  After each probe it logged, and the alerts that probe raised,
 * tmond's loop hands one struct notify_probe to notify_submit(): the
 * model, the probe's seq, verdict and failing checks, and each alert
 * entry's seq and body.  notify_submit() only queues it (a bounded queue
 * of MAX_NOTIFY_QUEUE; when full the probe is dropped with a warning):
 * the probe loop never waits for a webhook.  The alert entries are
 * logged by the loop whatever happens here: thresholds and maintenance
 * windows only gate delivery.
 *
 * Semantics per (webhook, model), as Gatus's alerting
 * (https://github.com/TwiN/gatus#alerting):
 * - Health.  A probe is healthy when none of its checks is fail or
 *   error.  An incident opens after failure_threshold unhealthy probes
 *   in a row and sends "triggered"; it resolves after success_threshold
 *   healthy probes in a row and then sends "resolved" if
 *   send_on_resolved; while it is open, "reminder" every
 *   minimum_reminder_interval_s (0: never).  A webhook whose "reasons"
 *   omit "check_failed" (and the legacy "verdict_changed") gets none.
 * - One-shot.  An alert of reason unexplained, tcb_worse,
 *   witness_conflict (or the legacy measurement_changed) is sent at once
 *   ("triggered"), if the webhook's "reasons" list it (absent: all).
 * - Maintenance.  While a window covers the model (or every model) at
 *   the time of delivery, nothing is sent: the delivery is logged with
 *   outcome "muted" and the window's name.
 * The counters start empty at start-up: an incident open when tmond
 * stopped is triggered again after failure_threshold probes.
 *
 * Delivery runs on one thread of its own: an HTTP POST through
 * monitor/fetch (redirects not followed, TLS verified, proxies from the
 * environment), timeout_s per attempt, 1 + retries attempts, waiting 1 s
 * before the second and doubling (at most 30 s); success is a 2xx.  Each
 * delivery is logged as one `delivery` entry through the one writer
 * (kind "delivery": webhook, alert_seq, state, outcome delivered |
 * failed | muted, attempts, http_status, error, window), as one log line,
 * and counted in tmon_alert_deliveries_total{webhook,outcome} (outcome
 * also "dropped" for a probe the full queue refused).
 *
 * Bodies (Content-Type in brackets):
 *   json   [application/json] {"source":"tmon","model","reason","state",
 *          "summary","changed_fields","before","after","checks",
 *          "alert_seq","probe_seq","event_seq","time","dashboard"}
 *   slack  [application/json] {"text": summary, "blocks": [section,
 *          context]} (Slack incoming webhooks; mrkdwn escaped)
 *   ntfy   [text/plain; charset=utf-8] the summary and details as lines,
 *          headers Title, Priority (4 triggered, 3 otherwise), Tags and
 *          Click (the dashboard link): ntfy.sh and Gotify's plain mode.
 *
 * Stopping (notify_stop, on SIGTERM): the thread ends within about
 * NOTIFY_STOP_MS: an attempt in progress is abandoned (logged as failed,
 * "tmond stopping"), backoff waits end, and probes still queued are
 * dropped with one warning naming how many.
 */
#ifndef TMON_MONITOR_NOTIFY_H
#define TMON_MONITOR_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "probe.h"
#include "tmon_limits.h"
#include "writer.h"

#define NOTIFY_MAX_ALERTS	4	/* alerts of one probe handed over */
#define NOTIFY_STOP_MS		200	/* poll slice while delivering */

struct notify;

/* One logged probe and the alerts it raised (filled by the loop). */
struct notify_probe {
	char		 model[MAX_MODEL_ID];
	uint64_t	 probe_seq;
	int64_t		 time;		/* unix s */
	char		 verdict[8];
	bool		 healthy;	/* no check is fail or error */
	char		 failing[512];	/* "id=status,..." of those that are */
	size_t		 n_alerts;
	struct {
		uint64_t	 seq;
		uint8_t		*body;	/* owned copy of the entry body */
		size_t		 len;
	}		 alerts[NOTIFY_MAX_ALERTS];
};

/*
 * Start delivery for cfg->alerts (borrowed; must outlive the notify),
 * logging through w.  With no webhook configured, *out is NULL and
 * every other call is a no-op.  Errors: TMON_E_INTERNAL (no thread).
 */
enum tmon_rc	notify_start(const struct config *cfg,
		    struct store_writer *w, struct notify **out,
		    struct tmon_err *err);

/*
 * Stop the thread (see above) and free n.  Must run before the writer
 * stops.  NULL is a no-op.
 */
void		notify_stop(struct notify *n);

/*
 * np := model's probe po, logged as probe_seq, with no alert yet (any
 * alert bodies np held are freed).
 */
void		notify_probe_set(struct notify_probe *np, const char *model,
		    const struct probe_outcome *po, uint64_t probe_seq);

/* Add a copy of an alert entry logged as seq (at most NOTIFY_MAX_ALERTS;
 * more are ignored). */
void		notify_probe_alert(struct notify_probe *np, uint64_t seq,
		    const uint8_t *body, size_t len);

/*
 * Queue np for delivery, moving its alert bodies out (np is then
 * empty).  Never blocks on the network.  n NULL: np is only emptied.
 */
void		notify_submit(struct notify *n, struct notify_probe *np);

/*
 * Queue a model-less alert entry (witness_conflict, logged as seq) for
 * delivery: only webhooks without "models" take it, and only windows
 * without "models" mute it.  n is the struct notify * (NULL: a no-op);
 * the shape of witnesses_set_alert_cb's callback.  Never blocks.
 */
void		notify_alert(void *n, uint64_t seq, const uint8_t *body,
		    size_t len);

/* Free np's alert bodies; np is then empty. */
void		notify_probe_clear(struct notify_probe *np);

/* What the health gate sends for a probe or a tick. */
enum notify_send {
	NOTIFY_NONE,
	NOTIFY_TRIGGERED,
	NOTIFY_REMINDER,
	NOTIFY_RESOLVED
};

/* "triggered", "reminder", "resolved" ("" for NOTIFY_NONE). */
const char	*notify_send_str(enum notify_send s);

/* The health state of one (webhook, model); zeroed: no incident. */
struct notify_gate {
	uint32_t	 fails;		/* unhealthy probes in a row */
	uint32_t	 oks;		/* healthy probes in a row */
	bool		 open;		/* an incident is open */
	int64_t		 last_sent;	/* unix s of its last send */
};

/*
 * Fold a probe (healthy or not) at unix time now into g under w's
 * thresholds; returns what to send: TRIGGERED when the incident opens,
 * RESOLVED when it closes (NONE instead when !w->send_on_resolved),
 * REMINDER when it stays open and a reminder is due, else NONE.
 */
enum notify_send notify_gate_probe(struct notify_gate *g,
		    const struct webhook_cfg *w, bool healthy, int64_t now);

/* REMINDER when g's incident is open and a reminder is due at now. */
enum notify_send notify_gate_tick(struct notify_gate *g,
		    const struct webhook_cfg *w, int64_t now);

/*
 * Whether window m covers model (NULL: a model-less alert, which only
 * windows for every model cover) at unix time now: some start at m's
 * local HH:MM on one of its days (its zone's wall clock, tz.h) is at or
 * before now and less than duration_s before it.  A window crossing
 * midnight belongs to the day it starts on.
 */
bool		notify_maint_active(const struct maint_cfg *m,
		    const char *model, int64_t now);

#endif /* TMON_MONITOR_NOTIFY_H */
