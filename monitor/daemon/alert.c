#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "log.h"

/* Build an alert entry about model's probe probe_seq; it is logged next. */
static void
queue_alert(const char *model, struct pending_alert out[MAX_PROBE_ALERTS],
    size_t *n, const char *reason, const char *from, const char *to,
    uint64_t probe_seq, const struct entry_change *chg)
{
	struct pending_alert *a;
	struct entry_alert ea;
	char f[ENTRY_FIELD_NAME + 16];	/* " fields=" NAME ",..." */

	TMON_ASSERT(*n < MAX_PROBE_ALERTS);
	a = &out[(*n)++];
	a->time = (int64_t)time(NULL);
	memset(&ea, 0, sizeof(ea));
	ea.time = a->time;
	ea.model = model;
	ea.reason = reason;
	ea.from = from;
	ea.to = to;
	ea.probe_seq = probe_seq;
	ea.change = chg;
	a->body = entry_alert_body(&ea, &a->len);
	f[0] = '\0';
	if (chg != NULL && chg->n_fields > 0)
		snprintf(f, sizeof(f), " fields=%s%s", chg->fields[0],
		    chg->n_fields > 1 ? ",..." : "");
	snprintf(a->what, sizeof(a->what), "%s model=%s from=%.64s to=%.64s%s",
	    reason, model, from, to, f);
}

void
alert_state_load(struct alert_state *st, struct store *store,
    const char *model)
{
	struct entry_last last;
	struct tmon_err err;

	tmon_err_clear(&err);
	if (entry_state_load(store, model, UINT64_MAX, 0, &st->known, &last,
	    &err) != TMON_OK) {
		log_warnx("store: cannot read the last probes: %s model=%s",
		    err.msg, model);
		return;
	}
	if (last.have && last.verdict[0] != '\0') {
		snprintf(st->last_verdict, sizeof(st->last_verdict), "%s",
		    last.verdict);
		st->has_last = true;
	}
}

void
alert_judge(struct alert_state *st, const char *model,
    const struct probe_outcome *po, uint64_t probe_seq,
    struct pending_alert out[MAX_PROBE_ALERTS], size_t *n)
{
	const char *verdict = check_status_str(po->res.verdict);
	struct entry_change chg;
	json_t *meas;
	size_t i;
	char f[256];

	if (st->has_last && strcmp(st->last_verdict, verdict) != 0 &&
	    strcmp(st->last_verdict, "pass") == 0)
		queue_alert(model, out, n, "verdict_changed",
		    st->last_verdict, verdict, probe_seq, NULL);
	snprintf(st->last_verdict, sizeof(st->last_verdict), "%s", verdict);
	st->has_last = true;
	meas = entry_measurement_json(&po->res.m);
	entry_measurement_diff(&st->known, meas, &chg);
	entry_state_update(&st->known, meas);
	json_decref(meas);
	switch (chg.cls) {
	case ENTRY_CHANGE_CHANGED:
		queue_alert(model, out, n, "measurement_changed", chg.from,
		    chg.to, probe_seq, &chg);
		break;
	case ENTRY_CHANGE_INSTANCE_ADDED:
		f[0] = '\0';
		for (i = 0; i < chg.n_fields; i++)
			snprintf(f + strlen(f), sizeof(f) - strlen(f), "%s%s",
			    i > 0 ? "," : "", chg.fields[i]);
		log_info("probe: instance added model=%s seq=%llu fields=%s",
		    model, (unsigned long long)probe_seq, f);
		break;
	case ENTRY_CHANGE_NONE:
	case ENTRY_CHANGE_FIRST:
		break;
	}
}

void
alert_state_free(struct alert_state *st)
{
	entry_state_free(&st->known);
	memset(st, 0, sizeof(*st));
}
