/*
 * alert.c: the events and alerts tmond logs after each probe (alert.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert.h"
#include "encode.h"
#include "log.h"
#include "provenance.h"
#include "provenance_client.h"
#include "xmalloc.h"

/* Intel's TCB statuses, better first (Intel TDX DCAP Quote Verification,
 * TCB Info "tcbStatus"); an unknown one ranks with the worst. */
static const char *const tcb_rank[] = { "UpToDate", "SWHardeningNeeded",
    "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded",
    "OutOfDate", "OutOfDateConfigurationNeeded", "Revoked" };
#define NTCB	(sizeof(tcb_rank) / sizeof(tcb_rank[0]))

static size_t
tcb_level(const char *s, bool null)
{
	size_t i;

	if (null)
		return 0;
	for (i = 0; i < NTCB; i++)
		if (strcmp(s, tcb_rank[i]) == 0)
			return i;
	return NTCB;
}

/* True if the advisories text after names an id the text before does
 * not (either not a JSON array of strings, e.g. cut: true). */
static bool
advisories_grew(const char *before, bool bnull, const char *after,
    bool anull)
{
	json_t *b, *a, *x, *y;
	size_t i, j;
	bool grew = false, found;

	if (anull)
		return false;
	b = bnull ? json_array() : json_loads(before, 0, NULL);
	a = json_loads(after, 0, NULL);
	if (!json_is_array(b) || !json_is_array(a))
		grew = true;
	for (i = 0; !grew && i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		found = false;
		for (j = 0; j < json_array_size(b) && !found; j++) {
			y = json_array_get(b, j);
			found = json_equal(x, y);
		}
		grew = !found;
	}
	json_decref(a);
	json_decref(b);
	return grew;
}

/* True for a field of the identity layers (platform, app). */
static bool
identity_field(const char *f)
{
	return strncmp(f, "platform.", 9) == 0 || strncmp(f, "app.", 4) == 0;
}

static bool
tcb_field(const char *f)
{
	return strcmp(f, "platform.tcb_status") == 0 ||
	    strcmp(f, "platform.advisories") == 0;
}

/* True if field f with value hex is in the lists of p. */
static bool
listed(const struct measurement_policy *p, const char *f, const char *hex)
{
	static const char *const f48[] = { "platform.mrtd", "platform.rtmr0",
	    "platform.rtmr1", "platform.rtmr2" };
	const struct policy_list48 *l48[4];
	uint8_t v[48];
	size_t i;

	l48[0] = &p->mrtd;
	l48[1] = &p->rtmr0;
	l48[2] = &p->rtmr1;
	l48[3] = &p->rtmr2;
	for (i = 0; i < 4; i++)
		if (strcmp(f, f48[i]) == 0)
			return hex_decode_exact(hex, strlen(hex), v, 48, true) &&
			    policy_list_has(
			    (const uint8_t *)l48[i]->v, l48[i]->n, 48, v);
	if (strcmp(f, "app.compose_hash") == 0)
		return hex_decode_exact(hex, strlen(hex), v, 32, true) &&
		    policy_list_has((const uint8_t *)p->compose_hash.v,
		    p->compose_hash.n, 32, v);
	if (strcmp(f, "app.os_image_hash") == 0)
		return hex_decode_exact(hex, strlen(hex), v, 32, true) &&
		    policy_list_has((const uint8_t *)p->os_image_hash.v,
		    p->os_image_hash.n, 32, v);
	return false;
}

/*
 * True if field i of chg is app.mr_config_id and its new value is the
 * dstack encoding of the new compose hash of chg: 0x01 || compose_hash
 * || 15 zero bytes (Phala-Network/dstack attestation.md, MRCONFIGID),
 * so the compose hash alone explains it.
 */
static bool
config_id_of_compose(const struct entry_change *chg, size_t i)
{
	uint8_t want[48], got[48];
	size_t j;

	if (strcmp(chg->fields[i], "app.mr_config_id") != 0 ||
	    chg->after_null[i] || !hex_decode_exact(chg->after[i],
	    strlen(chg->after[i]), got, sizeof(got), true))
		return false;
	for (j = 0; j < chg->n_fields; j++)
		if (strcmp(chg->fields[j], "app.compose_hash") == 0)
			break;
	memset(want, 0, sizeof(want));
	want[0] = 0x01;
	if (j == chg->n_fields || chg->after_null[j] ||
	    !hex_decode_exact(chg->after[j], strlen(chg->after[j]), want + 1,
	    32, true))
		return false;
	return memcmp(want, got, sizeof(want)) == 0;
}

/* The register of e that a change of field f moves, or NULL. */
static uint8_t *
prov_register(struct prov_enclave *e, const char *f)
{
	if (strcmp(f, "platform.snp_measurement") == 0)
		return e->platform == PROV_ENCLAVE_SNP ? e->snp_measurement :
		    NULL;
	if (e->platform != PROV_ENCLAVE_TDX)
		return NULL;
	if (strcmp(f, "platform.mrtd") == 0)
		return e->mrtd;
	if (strcmp(f, "platform.rtmr0") == 0)
		return e->rtmr[0];
	if (strcmp(f, "platform.rtmr1") == 0)
		return e->rtmr[1];
	if (strcmp(f, "platform.rtmr2") == 0)
		return e->rtmr[2];
	return NULL;
}

/* The verified release e runs (provenance.measurement pass or warn), or
 * SIZE_MAX. */
static size_t
prov_release_of(const struct prov_view *pv, const struct prov_enclave *e)
{
	const struct check *c;
	struct checklist cl;
	struct prov_match mt;

	checklist_init(&cl);
	prov_check_measurement(pv->rels, pv->n, pv->hw, e, &cl, &mt);
	c = checklist_get(&cl, "provenance.measurement");
	if (c == NULL || (c->status != CHECK_PASS && c->status != CHECK_WARN))
		return SIZE_MAX;
	return mt.release;
}

/*
 * Code provenance's word on the change chg to the measurement m (README
 * "What counts as a change"): "OWNER/NAME@TAG" into by (bysz bytes) when
 * m's registers are those of a verified release of pv that is the
 * latest, or newer than the release the registers before the change
 * (m's with the changed fields' values before) ran; else NULL.
 */
static const char *
prov_endorsement(const struct entry_change *chg, const struct prov_view *pv,
    const struct attest_measurement *m, char *by, size_t bysz)
{
	struct prov_enclave now, was;
	size_t rn, rw = SIZE_MAX, i;
	uint8_t *reg;
	bool known = true;

	if (pv == NULL || pv->n == 0 || m == NULL)
		return NULL;
	prov_enclave_of(m, &now);
	if (now.platform == PROV_ENCLAVE_NONE ||
	    (rn = prov_release_of(pv, &now)) == SIZE_MAX || rn >= pv->n)
		return NULL;
	was = now;
	for (i = 0; i < chg->n_fields; i++) {
		if ((reg = prov_register(&was, chg->fields[i])) == NULL)
			continue;
		if (chg->before_null[i] || !hex_decode_exact(chg->before[i],
		    strlen(chg->before[i]), reg, PROV_REG_LEN, true))
			known = false;
	}
	if (known)
		rw = prov_release_of(pv, &was);
	if (rn != 0 && (rw == SIZE_MAX || rn >= rw))
		return NULL;
	snprintf(by, bysz, "%s@%s", pv->rels[rn].repo, pv->rels[rn].tag);
	return by;
}

static bool
refval_applies(const struct refval_cfg *r, const char *model)
{
	size_t i;

	if (r->n_models == 0)
		return true;
	for (i = 0; i < r->n_models; i++)
		if (strcmp(r->models[i], model) == 0)
			return true;
	return false;
}

/*
 * The class of a measurement change chg of model m (alert.h); *by the
 * set that endorsed it (allowlisted: "policy"), *worse for tcb_changed.
 */
static enum entry_event_class
classify(const struct entry_change *chg, const struct model_cfg *m,
    const struct refval_cfg *refvals, size_t n_refvals,
    const char *prov_by, const char **by, int *worse)
{
	const char *f, *set = NULL;
	size_t i, j, nid = 0, ntcb = 0;
	bool any_set = false, any_prov = false, ok;

	*by = NULL;
	*worse = -1;
	for (i = 0; i < chg->n_fields; i++) {
		if (!identity_field(chg->fields[i]))
			continue;
		nid++;
		ntcb += tcb_field(chg->fields[i]);
	}
	if (nid == 0 || chg->cut)
		return ENTRY_EVENT_UNEXPLAINED;
	if (ntcb == nid) {
		*worse = 0;
		for (i = 0; i < chg->n_fields; i++) {
			f = chg->fields[i];
			if (strcmp(f, "platform.tcb_status") == 0 &&
			    tcb_level(chg->after[i], chg->after_null[i]) >
			    tcb_level(chg->before[i], chg->before_null[i]))
				*worse = 1;
			if (strcmp(f, "platform.advisories") == 0 &&
			    advisories_grew(chg->before[i], chg->before_null[i],
			    chg->after[i], chg->after_null[i]))
				*worse = 1;
		}
		return ENTRY_EVENT_TCB_CHANGED;
	}
	/* Every other changed identity value must be listed somewhere. */
	for (i = 0; i < chg->n_fields; i++) {
		f = chg->fields[i];
		if (!identity_field(f) || tcb_field(f) ||
		    config_id_of_compose(chg, i))
			continue;
		if (chg->after_null[i])
			return ENTRY_EVENT_UNEXPLAINED;
		if (prov_by != NULL && (strcmp(f, "platform.mrtd") == 0 ||
		    strcmp(f, "platform.rtmr0") == 0 ||
		    strcmp(f, "platform.rtmr1") == 0 ||
		    strcmp(f, "platform.rtmr2") == 0 ||
		    strcmp(f, "platform.snp_measurement") == 0)) {
			any_prov = true;
			continue;
		}
		ok = m->has_policy && listed(&m->policy, f, chg->after[i]);
		for (j = 0; !ok && j < n_refvals; j++) {
			if (!refval_applies(&refvals[j], m->name) ||
			    !listed(&refvals[j].values, f, chg->after[i]))
				continue;
			ok = any_set = true;
			if (set == NULL)
				set = refvals[j].name;
		}
		if (!ok)
			return ENTRY_EVENT_UNEXPLAINED;
	}
	if (any_prov) {
		*by = prov_by;
		return ENTRY_EVENT_UPGRADE_ENDORSED;
	}
	*by = any_set ? set : "policy";
	return any_set ? ENTRY_EVENT_UPGRADE_ENDORSED :
	    ENTRY_EVENT_ALLOWLISTED;
}

/* Add an event to out. */
static size_t
add_event(struct alert_out *out, const struct entry_event *ev)
{
	struct pending_event *e;
	const struct entry_change *c = ev->change;

	TMON_ASSERT(out->n_events < MAX_PROBE_EVENTS);
	e = &out->events[out->n_events];
	e->time = ev->time;
	e->cls = entry_event_class_str(ev->cls);
	e->body = entry_event_body(ev, &e->len);
	snprintf(e->what, sizeof(e->what), "class=%s model=%s probe_seq=%llu "
	    "verdict=%s%s%s%s%s%s", e->cls, ev->model,
	    (unsigned long long)ev->probe_seq, ev->verdict_after,
	    c != NULL && c->n_fields > 0 ? " fields=" : "",
	    c != NULL && c->n_fields > 0 ? c->fields[0] : "",
	    c != NULL && c->n_fields > 1 ? ",..." : "",
	    ev->endorsed_by != NULL ? " endorsed_by=" : "",
	    ev->endorsed_by != NULL ? ev->endorsed_by : "");
	return out->n_events++;
}

static void
alert_what(struct pending_alert *a, const char *model, const char *from,
    const char *to, const char *fields)
{
	snprintf(a->what, sizeof(a->what), "%s model=%s from=%.64s to=%.64s%s%s",
	    a->reason, model, from, to, fields[0] != '\0' ? " fields=" : "",
	    fields);
}

/* An alert raised by event ev_idx, its body built by alert_finish. */
static void
add_event_alert(struct alert_out *out, const char *model, const char *reason,
    int ev_idx, uint64_t probe_seq, int64_t now,
    const struct entry_change *chg)
{
	struct pending_alert *a;
	char f[ENTRY_FIELD_NAME + 8];

	TMON_ASSERT(out->n_alerts < MAX_PROBE_ALERTS);
	a = &out->alerts[out->n_alerts++];
	memset(a, 0, sizeof(*a));
	a->time = now;
	a->reason = reason;
	a->event = ev_idx;
	a->probe_seq = probe_seq;
	a->chg = xmemdup(chg, sizeof(*chg));
	snprintf(f, sizeof(f), "%s%s", chg->n_fields > 0 ? chg->fields[0] :
	    "", chg->n_fields > 1 ? ",..." : "");
	alert_what(a, model, chg->from, chg->to, f);
}

void
alert_finish(struct pending_alert *a, const char *model, bool has_event,
    uint64_t event_seq)
{
	struct entry_alert ea;

	if (a->body != NULL || a->chg == NULL)
		return;
	memset(&ea, 0, sizeof(ea));
	ea.time = a->time;
	ea.model = model;
	ea.reason = a->reason;
	ea.from = a->chg->from;
	ea.to = a->chg->to;
	ea.probe_seq = a->probe_seq;
	ea.change = a->chg;
	ea.has_event = has_event;
	ea.event_seq = event_seq;
	a->body = entry_alert_body(&ea, &a->len);
}

/* check_failed or recovered: its body at once. */
static void
add_check_alert(struct alert_out *out, const char *model, const char *reason,
    const char *from, const char *to, uint64_t probe_seq, int64_t now,
    const struct entry_alert_check *checks, size_t n)
{
	struct pending_alert *a;
	struct entry_alert ea;
	char f[ENTRY_FIELD_NAME + 8];

	TMON_ASSERT(out->n_alerts < MAX_PROBE_ALERTS);
	a = &out->alerts[out->n_alerts++];
	memset(a, 0, sizeof(*a));
	a->time = now;
	a->reason = reason;
	a->event = -1;
	a->probe_seq = probe_seq;
	memset(&ea, 0, sizeof(ea));
	ea.time = now;
	ea.model = model;
	ea.reason = reason;
	ea.from = from;
	ea.to = to;
	ea.probe_seq = probe_seq;
	ea.checks = checks;
	ea.n_checks = n;
	a->body = entry_alert_body(&ea, &a->len);
	snprintf(f, sizeof(f), "%.40s%s", n > 0 ? checks[0].id : "",
	    n > 1 ? ",..." : "");
	alert_what(a, model, from, to, f);
}

static bool
unhealthy(enum check_status s)
{
	return s == CHECK_FAIL || s == CHECK_ERROR;
}

static bool
any_unhealthy(const struct checklist *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (unhealthy(cl->items[i].status))
			return true;
	return false;
}

/* The status of check id in the last probe of st, or NULL. */
static const char *
last_status(const struct alert_state *st, const char *id)
{
	size_t i;

	for (i = 0; i < st->n_checks; i++)
		if (strcmp(st->checks[i].id, id) == 0)
			return check_status_str(st->checks[i].status);
	return NULL;
}

/* The checks of a probe body into st. */
static void
load_checks(struct alert_state *st, const json_t *body)
{
	const json_t *arr = json_object_get(body, "checks"), *c;
	const char *id;
	enum check_status s;
	size_t i;

	st->n_checks = 0;
	st->failing = false;
	json_array_foreach(arr, i, c) {
		id = json_string_value(json_object_get(c, "id"));
		if (id == NULL || strlen(id) >= MAX_CHECK_ID ||
		    st->n_checks == MAX_CHECKS ||
		    !check_status_parse(json_string_value(json_object_get(c,
		    "status")), &s))
			continue;
		memcpy(st->checks[st->n_checks].id, id, strlen(id) + 1);
		st->checks[st->n_checks++].status = s;
		st->failing |= unhealthy(s);
	}
}

void
alert_state_load(struct alert_state *st, struct store *store,
    const char *model)
{
	struct entry_last last;
	struct store_entry e;
	struct tmon_err err;
	json_t *body;

	tmon_err_clear(&err);
	if (entry_state_load(store, model, UINT64_MAX, 0, &st->known, &last,
	    &err) != TMON_OK) {
		log_warnx("store: cannot read the last probes: %s model=%s",
		    err.msg, model);
		return;
	}
	if (!last.have)
		return;
	st->last_seq = last.seq;
	if (last.verdict[0] != '\0') {
		snprintf(st->last_verdict, sizeof(st->last_verdict), "%s",
		    last.verdict);
		st->has_last = true;
	}
	tmon_err_clear(&err);
	if (store_entry_get(store, last.seq, &e, &err) != TMON_OK) {
		log_warnx("store: cannot read the last probe: %s model=%s",
		    err.msg, model);
		return;
	}
	if ((body = entry_parse(&e)) != NULL)
		load_checks(st, body);
	json_decref(body);
	store_entry_free(&e);
}

void
alert_judge(struct alert_state *st, const struct model_cfg *m,
    const struct refval_cfg *refvals, size_t n_refvals,
    const struct prov_view *pv, const struct probe_outcome *po,
    uint64_t probe_seq, int64_t now, struct alert_out *out)
{
	char pby[MAX_PROV_REPO + MAX_PROV_NAME + 1];
	const char *verdict = check_status_str(po->res.verdict), *by, *was;
	const struct checklist *cl = &po->res.checks;
	struct entry_alert_check fc[MAX_CHECKS];
	struct entry_change chg;
	struct entry_event ev;
	enum check_status prev;
	json_t *meas;
	size_t i, nf = 0;
	int idx, worse;
	char f[256];

	meas = entry_measurement_json(&po->res.m);
	entry_measurement_diff(&st->known, meas, &chg);
	entry_state_update(&st->known, meas);
	json_decref(meas);
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.model = m->name;
	ev.probe_seq = probe_seq;
	ev.prev_probe_seq = st->has_last ? st->last_seq : UINT64_MAX;
	ev.verdict_before = st->has_last ? st->last_verdict : NULL;
	ev.verdict_after = verdict;
	ev.worse = -1;
	ev.instances = st->known.n;
	ev.change = &chg;
	switch (chg.cls) {
	case ENTRY_CHANGE_FIRST:
		ev.cls = ENTRY_EVENT_FIRST;
		(void)add_event(out, &ev);
		break;
	case ENTRY_CHANGE_INSTANCE_ADDED:
		ev.cls = ENTRY_EVENT_INSTANCE_ADDED;
		(void)add_event(out, &ev);
		f[0] = '\0';
		for (i = 0; i < chg.n_fields; i++)
			snprintf(f + strlen(f), sizeof(f) - strlen(f), "%s%s",
			    i > 0 ? "," : "", chg.fields[i]);
		log_info("probe: instance added model=%s seq=%llu fields=%s",
		    m->name, (unsigned long long)probe_seq, f);
		break;
	case ENTRY_CHANGE_CHANGED:
		ev.cls = classify(&chg, m, refvals, n_refvals,
		    prov_endorsement(&chg, pv, &po->res.m, pby, sizeof(pby)),
		    &by, &worse);
		ev.endorsed_by = by;
		ev.worse = worse;
		idx = (int)add_event(out, &ev);
		if (ev.cls == ENTRY_EVENT_UNEXPLAINED)
			add_event_alert(out, m->name, "unexplained", idx,
			    probe_seq, now, &chg);
		else if (ev.cls == ENTRY_EVENT_TCB_CHANGED && worse == 1)
			add_event_alert(out, m->name, "tcb_worse", idx,
			    probe_seq, now, &chg);
		break;
	case ENTRY_CHANGE_NONE:
		break;
	}
	if (st->has_last && strcmp(st->last_verdict, verdict) != 0) {
		ev.change = NULL;
		ev.cls = ENTRY_EVENT_VERDICT_CHANGED;
		ev.endorsed_by = NULL;
		ev.worse = check_status_parse(st->last_verdict, &prev) &&
		    check_severity(po->res.verdict) < check_severity(prev);
		(void)add_event(out, &ev);
	}
	/* Checks that went to fail or error since the last probe. */
	for (i = 0; i < cl->n; i++) {
		if (!unhealthy(cl->items[i].status))
			continue;
		was = last_status(st, cl->items[i].id);
		if (was != NULL && (strcmp(was, "fail") == 0 ||
		    strcmp(was, "error") == 0))
			continue;
		fc[nf].id = cl->items[i].id;
		fc[nf].before = was;
		fc[nf].after = check_status_str(cl->items[i].status);
		fc[nf++].detail = cl->items[i].detail;
	}
	if (nf > 0)
		add_check_alert(out, m->name, "check_failed",
		    st->has_last ? st->last_verdict : "none", verdict,
		    probe_seq, now, fc, nf);
	else if (st->failing && !any_unhealthy(cl))
		add_check_alert(out, m->name, "recovered", st->last_verdict,
		    verdict, probe_seq, now, NULL, 0);
	/* This probe is the last one now. */
	snprintf(st->last_verdict, sizeof(st->last_verdict), "%s", verdict);
	st->has_last = true;
	st->last_seq = probe_seq;
	st->n_checks = 0;
	st->failing = false;
	for (i = 0; i < cl->n && i < MAX_CHECKS; i++) {
		snprintf(st->checks[i].id, sizeof(st->checks[i].id), "%s",
		    cl->items[i].id);
		st->checks[i].status = cl->items[i].status;
		st->failing |= unhealthy(cl->items[i].status);
		st->n_checks++;
	}
}

void
pending_alert_free(struct pending_alert *a)
{
	free(a->body);
	free(a->chg);
	memset(a, 0, sizeof(*a));
}

void
pending_event_free(struct pending_event *e)
{
	free(e->body);
	memset(e, 0, sizeof(*e));
}

void
alert_out_free(struct alert_out *out)
{
	size_t i;

	for (i = 0; i < out->n_events; i++)
		pending_event_free(&out->events[i]);
	for (i = 0; i < out->n_alerts; i++)
		pending_alert_free(&out->alerts[i]);
	memset(out, 0, sizeof(*out));
}

void
alert_state_free(struct alert_state *st)
{
	entry_state_free(&st->known);
	memset(st, 0, sizeof(*st));
}
