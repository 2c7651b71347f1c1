/*
 * entry.c: the schema of log entry bodies and the one comparison of
 * measurements (entry.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "checklist.h"
#include "encode.h"
#include "entry.h"
#include "log.h"
#include "receipt_check.h"
#include "store.h"
#include "tjson.h"
#include "util.h"
#include "xmalloc.h"

/* The layers that identify, in the order changes are named. */
static const char *const id_layers[] = { "platform", "app", "instance" };
#define NID_LAYERS	(sizeof(id_layers) / sizeof(id_layers[0]))
/* Keys of one layer compared (a layer holds about a dozen). */
#define MAX_LAYER_KEYS	64




/*
 * Text that may come from upstream (check details, errors): as it is
 * when it is valid UTF-8, else with every byte outside printable ASCII
 * replaced by '?' (a detail cut inside a multi-byte character), so the
 * entry is always written; null for NULL.
 */
static json_t *
jtext(const char *s)
{
	json_t *j;
	char *c;
	size_t i;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	c = xstrdup(s);
	for (i = 0; c[i] != '\0'; i++)
		if ((unsigned char)c[i] < 0x20 || (unsigned char)c[i] > 0x7e)
			c[i] = '?';
	j = tjson_chk(json_string(c));
	free(c);
	return j;
}

/* A string, or null for NULL and "". */
static json_t *
jstr_nonempty(const char *s)
{
	return jtext(s != NULL && s[0] != '\0' ? s : NULL);
}

/* Lower-case hex of n bytes (n <= 64). */
static json_t *
jhex(const uint8_t *p, size_t n)
{
	char out[2 * 64 + 1];

	TMON_ASSERT(n <= 64);
	return json_string(hex_encode(p, n, out));
}

/* Lower-case hex of n bytes, or null for NULL. */
static json_t *
jhex_or_null(const uint8_t *p, size_t n)
{
	return p != NULL ? jhex(p, n) : json_null();
}

uint8_t *
entry_canonical(const json_t *v, size_t *len)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

	TMON_ASSERT(s != NULL);
	*len = strlen(s);
	return (uint8_t *)s;
}

json_t *
entry_checks_json(const struct checklist *cl)
{
	json_t *arr = tjson_chk(json_array());
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (json_array_append_new(arr, tjson_chk(json_pack(
		    "{s:s, s:s, s:o}", "id", cl->items[i].id,
		    "status", check_status_str(cl->items[i].status),
		    "detail", jtext(cl->items[i].detail)))) != 0)
			fatalx("entry: out of memory building json");
	return arr;
}

/* The value of a dstack system event: its text when it is printable
 * ASCII, else "0x" and its hex; null when the log has no such event. */
static json_t *
event_text(const struct attest_event_value *ev)
{
	char *s;
	json_t *j;
	size_t i;
	bool text = ev->len > 0;

	if (!ev->has)
		return json_null();
	for (i = 0; i < ev->len && text; i++)
		text = ev->v[i] >= 0x20 && ev->v[i] <= 0x7e;
	if (text)
		return tjson_chk(json_stringn((const char *)ev->v, ev->len));
	s = xmalloc(2 * ev->len + 3);
	memcpy(s, "0x", 2);
	hex_encode(ev->v, ev->len, s + 2);
	j = tjson_chk(json_string(s));
	free(s);
	return j;
}

/* The value of a dstack system event as hex ("" when empty). */
static json_t *
event_hex(const struct attest_event_value *ev)
{
	char *s;
	json_t *j;

	if (!ev->has)
		return json_null();
	s = xmalloc(2 * ev->len + 1);
	hex_encode(ev->v, ev->len, s);
	j = tjson_chk(json_string(s));
	free(s);
	return j;
}

/* Order of GPU objects: by arch, driver, VBIOS version. */
static int
gpu_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a;
	const json_t *y = *(const json_t *const *)b;
	static const char *const keys[] = { "arch", "driver_version",
	    "vbios_version" };
	const char *s, *t;
	size_t i;
	int c;

	for (i = 0; i < 3; i++) {
		s = json_string_value(json_object_get(x, keys[i]));
		t = json_string_value(json_object_get(y, keys[i]));
		c = strcmp(s != NULL ? s : "", t != NULL ? t : "");
		if (c != 0)
			return c;
	}
	return 0;
}

/* The GPUs as a set: sorted, so their order in the evidence is no
 * change. */
static json_t *
gpus_json(const struct attest_measurement *m)
{
	json_t *g[MAX_GPUS], *arr;
	size_t i, n = m->n_gpus < MAX_GPUS ? m->n_gpus : MAX_GPUS;

	for (i = 0; i < n; i++) {
		g[i] = tjson_chk(json_object());
		tjson_set(g[i], "arch", jstr_nonempty(m->gpu[i].arch));
		tjson_set(g[i], "driver_version",
		    jstr_nonempty(m->gpu[i].driver_version));
		tjson_set(g[i], "vbios_version",
		    jstr_nonempty(m->gpu[i].vbios_version));
	}
	qsort(g, n, sizeof(g[0]), gpu_cmp);
	arr = tjson_chk(json_array());
	for (i = 0; i < n; i++)
		if (json_array_append_new(arr, g[i]) != 0)
			fatalx("entry: out of memory building json");
	return arr;
}

/* A 64-bit field as 16 lower-case hex digits, big-endian. */
static json_t *
jhex_u64(uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	return jhex(b, 8);
}

/*
 * The measurement of an AMD SEV-SNP report, in the same layers:
 * platform {snp_measurement, snp_policy, snp_reported_tcb, gpu_count,
 * gpus}, app {snp_host_data}, instance {snp_chip_id, tls_fingerprint},
 * probe as for a TDX quote.
 */
static json_t *
snp_measurement_json(const struct attest_measurement *m)
{
	json_t *o, *pl, *app, *in, *pr;

	pl = tjson_chk(json_object());
	tjson_set(pl, "snp_measurement", jhex(m->snp_measurement, 48));
	tjson_set(pl, "snp_policy", jhex_u64(m->snp_policy));
	tjson_set(pl, "snp_reported_tcb", jhex_u64(m->snp_reported_tcb));
	tjson_set(pl, "gpu_count", json_integer((json_int_t)m->n_gpus));
	tjson_set(pl, "gpus", gpus_json(m));
	app = tjson_chk(json_object());
	tjson_set(app, "snp_host_data", jhex(m->snp_host_data, 32));
	in = tjson_chk(json_object());
	tjson_set(in, "snp_chip_id", jhex(m->snp_chip_id, 64));
	tjson_set(in, "tls_fingerprint", jhex_or_null(m->has_tls_fingerprint ?
	    m->tls_fingerprint : NULL, 32));
	pr = tjson_chk(json_object());
	tjson_set(pr, "report_data", jhex(m->report_data, 64));
	tjson_set(pr, "reportdata_layout", jstr_nonempty(m->reportdata_layout));
	tjson_set(pr, "attestations", json_integer((json_int_t)m->n_attestations));
	o = tjson_chk(json_object());
	tjson_set(o, "platform", pl);
	tjson_set(o, "app", app);
	tjson_set(o, "instance", in);
	tjson_set(o, "probe", pr);
	return o;
}

json_t *
entry_measurement_json(const struct attest_measurement *m)
{
	json_t *o, *pl, *app, *in, *pr, *adv;
	size_t i;

	if (!m->has_quote && !m->has_snp_report)
		return json_null();
	if (!m->has_quote)
		return snp_measurement_json(m);
	pl = tjson_chk(json_object());
	tjson_set(pl, "mrtd", jhex(m->mrtd, 48));
	tjson_set(pl, "rtmr0", jhex(m->rtmr[0], 48));
	tjson_set(pl, "rtmr1", jhex(m->rtmr[1], 48));
	tjson_set(pl, "rtmr2", jhex(m->rtmr[2], 48));
	tjson_set(pl, "tee_tcb_svn", jhex(m->tee_tcb_svn, 16));
	tjson_set(pl, "fmspc", jhex_or_null(m->has_fmspc ? m->fmspc : NULL, 6));
	tjson_set(pl, "tcb_status", jstr_nonempty(m->tcb_status));
	if (m->tcb_status[0] != '\0') {
		adv = tjson_chk(json_array());
		for (i = 0; i < m->n_advisories; i++)
			if (json_array_append_new(adv, tjson_chk(json_string(
			    m->advisories[i]))) != 0)
				fatalx("entry: out of memory building json");
		tjson_set(pl, "advisories", adv);
	} else
		tjson_set(pl, "advisories", json_null());
	tjson_set(pl, "gpu_count", json_integer((json_int_t)m->n_gpus));
	tjson_set(pl, "gpus", gpus_json(m));

	app = tjson_chk(json_object());
	tjson_set(app, "compose_hash", jstr_nonempty(m->compose_hash));
	tjson_set(app, "os_image_hash", event_hex(&m->os_image_hash));
	tjson_set(app, "app_id", event_hex(&m->app_id));
	tjson_set(app, "key_provider", event_text(&m->key_provider));
	tjson_set(app, "mr_config_id", jhex(m->mr_config_id, 48));

	in = tjson_chk(json_object());
	tjson_set(in, "rtmr3", jhex(m->rtmr[3], 48));
	/* "" when none, as in version 1 */
	tjson_set(in, "signing_address", jtext(m->signing_address));
	tjson_set(in, "signing_algo", jtext(m->signing_algo));
	tjson_set(in, "tls_fingerprint", jhex_or_null(m->has_tls_fingerprint ?
	    m->tls_fingerprint : NULL, 32));
	tjson_set(in, "instance_id", event_hex(&m->instance_id));

	pr = tjson_chk(json_object());
	tjson_set(pr, "report_data", jhex(m->report_data, 64));
	tjson_set(pr, "reportdata_layout", jstr_nonempty(m->reportdata_layout));
	tjson_set(pr, "attestations", json_integer((json_int_t)m->n_attestations));

	o = tjson_chk(json_object());
	tjson_set(o, "platform", pl);
	tjson_set(o, "app", app);
	tjson_set(o, "instance", in);
	tjson_set(o, "probe", pr);
	return o;
}

/* A new body object with "v" and "kind". */
static json_t *
body_new(const char *kind, int64_t time)
{
	json_t *o = tjson_chk(json_object());

	tjson_set(o, "v", json_integer(ENTRY_VERSION));
	tjson_set(o, "kind", json_string(kind));
	tjson_set(o, "time", json_integer((json_int_t)time));
	return o;
}

/* The canonical bytes of o, which is released. */
static uint8_t *
body_done(json_t *o, size_t *len)
{
	uint8_t *b = entry_canonical(o, len);

	json_decref(o);
	return b;
}

static json_t *
canary_json(const struct entry_canary *c)
{
	json_t *o = tjson_chk(json_object());

	tjson_set(o, "stream", json_boolean(c->stream));
	tjson_set(o, "url", jtext(c->url != NULL ? c->url : ""));
	tjson_set(o, "status", json_integer((json_int_t)c->status));
	tjson_set(o, "duration_ms", json_integer((json_int_t)c->duration_ms));
	tjson_set(o, "request_sha256", jhex(c->request_sha256, 32));
	tjson_set(o, "response_sha256", jhex_or_null(c->response_sha256, 32));
	tjson_set(o, "error", jstr_nonempty(c->error));
	tjson_set(o, "completion_id", jstr_nonempty(c->completion_id));
	tjson_set(o, "signature_requests",
	    json_integer((json_int_t)c->signature_requests));
	tjson_set(o, "signature_status",
	    json_integer((json_int_t)c->signature_status));
	tjson_set(o, "signature_sha256", jhex_or_null(c->signature_sha256, 32));
	return o;
}

static json_t *
request_json(const struct entry_request *r)
{
	json_t *o = tjson_chk(json_object());

	tjson_set(o, "url", jtext(r->url));
	tjson_set(o, "status", json_integer((json_int_t)r->status));
	tjson_set(o, "duration_ms", json_integer((json_int_t)r->duration_ms));
	tjson_set(o, "body_len", json_integer((json_int_t)r->body_len));
	tjson_set(o, "error", jstr_nonempty(r->error));
	tjson_set(o, "body_sha256", jhex_or_null(r->body_sha256, 32));
	return o;
}

uint8_t *
entry_probe_body(const struct entry_probe *p, size_t *len)
{
	json_t *o, *req;

	req = tjson_chk(json_object());
	tjson_set(req, "url", jtext(p->url));
	tjson_set(req, "status", json_integer((json_int_t)p->status));
	tjson_set(req, "duration_ms", json_integer((json_int_t)p->duration_ms));
	tjson_set(req, "body_len", json_integer((json_int_t)p->body_len));
	tjson_set(req, "error", jstr_nonempty(p->error));
	tjson_set(req, "body_sha256", jhex_or_null(p->body_sha256, 32));
	if (p->tls_spki_sha256 != NULL) {
		tjson_set(req, "tls_spki_sha256", jhex(p->tls_spki_sha256, 32));
		tjson_set(req, "tls_chain_sha256",
		    jhex_or_null(p->tls_chain_sha256, 32));
	}
	o = body_new("probe", p->time);
	tjson_set(o, "verified_at", json_integer((json_int_t)p->verified_at));
	tjson_set(o, "model", json_string(p->model));
	tjson_set(o, "upstream_model", jtext(p->upstream_model));
	tjson_set(o, "provider", jtext(p->provider));
	tjson_set(o, "nonce", jhex(p->nonce, 32));
	tjson_set(o, "format", json_string(p->format));
	tjson_set(o, "request", req);
	tjson_set(o, "checks", entry_checks_json(p->checks));
	tjson_set(o, "verdict", json_string(p->verdict));
	tjson_set(o, "measurement", entry_measurement_json(p->measurement));
	tjson_set(o, "canary", p->canary != NULL ? canary_json(p->canary) :
	    json_null());
	if (p->instances != NULL)
		tjson_set(o, "instances", request_json(p->instances));
	if (p->nras != NULL) {
		req = request_json(p->nras);
		tjson_set(req, "jwks_sha256", jhex_or_null(p->nras_jwks_sha256,
		    32));
		tjson_set(o, "nras", req);
	}
	return body_done(o, len);
}

static json_t *
alert_check_json(const struct entry_alert_check *c)
{
	json_t *o = tjson_chk(json_object());

	tjson_set(o, "id", jtext(c->id));
	tjson_set(o, "before", jtext(c->before));
	tjson_set(o, "after", jtext(c->after));
	tjson_set(o, "detail", jtext(c->detail));
	return o;
}

static const char *const event_classes[ENTRY_EVENT_NCLASSES] = {
	"first", "instance_added", "allowlisted", "upgrade_endorsed",
	"tcb_changed", "verdict_changed", "unexplained"
};

const char *
entry_event_class_str(enum entry_event_class c)
{
	if ((unsigned)c >= ENTRY_EVENT_NCLASSES)
		return "unexplained";
	return event_classes[c];
}

bool
entry_event_class_parse(const char *s, enum entry_event_class *out)
{
	unsigned i;

	for (i = 0; s != NULL && i < ENTRY_EVENT_NCLASSES; i++)
		if (strcmp(s, event_classes[i]) == 0) {
			*out = (enum entry_event_class)i;
			return true;
		}
	return false;
}

uint8_t *
entry_event_body(const struct entry_event *ev, size_t *len)
{
	const struct entry_change *c = ev->change;
	json_t *o, *f, *b, *a;
	size_t i;

	f = tjson_chk(json_array());
	b = tjson_chk(json_object());
	a = tjson_chk(json_object());
	for (i = 0; c != NULL && i < c->n_fields; i++) {
		if (json_array_append_new(f, tjson_chk(json_string(
		    c->fields[i]))) != 0)
			fatalx("entry: out of memory building json");
		tjson_set(b, c->fields[i], c->before_null[i] ?
		    tjson_chk(json_null()) : jtext(c->before[i]));
		tjson_set(a, c->fields[i], c->after_null[i] ?
		    tjson_chk(json_null()) : jtext(c->after[i]));
	}
	o = body_new("event", ev->time);
	tjson_set(o, "model", json_string(ev->model));
	tjson_set(o, "class", json_string(entry_event_class_str(ev->cls)));
	tjson_set(o, "probe_seq", json_integer((json_int_t)ev->probe_seq));
	tjson_set(o, "prev_probe_seq", ev->prev_probe_seq == UINT64_MAX ?
	    tjson_chk(json_null()) :
	    json_integer((json_int_t)ev->prev_probe_seq));
	tjson_set(o, "changed_fields", f);
	tjson_set(o, "before", b);
	tjson_set(o, "after", a);
	tjson_set(o, "verdict_before", jtext(ev->verdict_before));
	tjson_set(o, "verdict_after", jtext(ev->verdict_after));
	tjson_set(o, "endorsed_by", jtext(ev->endorsed_by));
	tjson_set(o, "worse", ev->worse < 0 ? tjson_chk(json_null()) :
	    json_boolean(ev->worse > 0));
	tjson_set(o, "instances", json_integer((json_int_t)ev->instances));
	return body_done(o, len);
}

uint8_t *
entry_delivery_body(const struct entry_delivery *d, size_t *len)
{
	json_t *o;

	o = body_new("delivery", d->time);
	tjson_set(o, "model", jtext(d->model));
	tjson_set(o, "webhook", jtext(d->webhook));
	tjson_set(o, "alert_seq", d->alert_seq != UINT64_MAX ?
	    json_integer((json_int_t)d->alert_seq) : tjson_chk(json_null()));
	tjson_set(o, "state", json_string(d->state));
	tjson_set(o, "outcome", json_string(d->outcome));
	tjson_set(o, "attempts", json_integer((json_int_t)d->attempts));
	tjson_set(o, "http_status", d->http_status != 0 ?
	    json_integer((json_int_t)d->http_status) :
	    tjson_chk(json_null()));
	tjson_set(o, "error", jtext(d->error));
	tjson_set(o, "window", jtext(d->window));
	return body_done(o, len);
}

uint8_t *
entry_alert_body(const struct entry_alert *a, size_t *len)
{
	json_t *o, *f;
	size_t i;

	o = body_new("alert", a->time);
	tjson_set(o, "model", a->model != NULL ? json_string(a->model) :
	    json_null());
	tjson_set(o, "reason", json_string(a->reason));
	tjson_set(o, "from", jtext(a->from));
	tjson_set(o, "to", jtext(a->to));
	if (a->witness != NULL) {
		tjson_set(o, "witness", json_string(a->witness));
		tjson_set(o, "checkpoint_size",
		    json_integer((json_int_t)a->checkpoint_size));
	} else
		tjson_set(o, "probe_seq",
		    json_integer((json_int_t)a->probe_seq));
	if (a->has_event && a->witness == NULL)
		tjson_set(o, "event_seq",
		    json_integer((json_int_t)a->event_seq));
	if (a->n_checks > 0) {
		f = tjson_chk(json_array());
		for (i = 0; i < a->n_checks; i++)
			if (json_array_append_new(f, alert_check_json(
			    &a->checks[i])) != 0)
				fatalx("entry: out of memory building json");
		tjson_set(o, "checks", f);
	}
	if (a->change != NULL) {
		f = tjson_chk(json_array());
		for (i = 0; i < a->change->n_fields; i++)
			if (json_array_append_new(f, tjson_chk(json_string(
			    a->change->fields[i]))) != 0)
				fatalx("entry: out of memory building json");
		tjson_set(o, "changed_fields", f);
	}
	return body_done(o, len);
}

/* The "documents" object of a collateral or provenance entry. */
static json_t *
docs_json(const struct entry_coll_doc *docs, size_t n)
{
	const struct entry_coll_doc *d;
	json_t *o, *dj;
	size_t i;

	o = tjson_chk(json_object());
	for (i = 0; i < n; i++) {
		d = &docs[i];
		dj = tjson_chk(json_object());
		tjson_set(dj, "url", jtext(d->url != NULL ? d->url : ""));
		tjson_set(dj, "status", json_integer((json_int_t)d->status));
		tjson_set(dj, "error", jtext(d->error));
		if (d->has_body)
			tjson_set(dj, "body_len",
			    json_integer((json_int_t)d->body_len));
		if (d->body_sha256 != NULL)
			tjson_set(dj, "body_sha256", jhex(d->body_sha256, 32));
		if (d->headers_sha256 != NULL)
			tjson_set(dj, "headers_sha256", jhex(d->headers_sha256,
			    32));
		tjson_set(o, d->name, dj);
	}
	return o;
}

uint8_t *
entry_provenance_body(const struct entry_provenance *p, size_t *len)
{
	json_t *o, *pol, *id;

	o = body_new("provenance", p->time);
	tjson_set(o, "model", jtext(p->model));
	tjson_set(o, "repo", jtext(p->repo));
	tjson_set(o, "tag", jtext(p->tag));
	tjson_set(o, "digest", jhex_or_null(p->digest, 32));
	tjson_set(o, "digest_source", jtext(p->digest_source));
	tjson_set(o, "documents", docs_json(p->docs, p->n_docs));
	pol = tjson_chk(json_object());
	tjson_set(pol, "workflow", jtext(p->policy_workflow));
	tjson_set(pol, "ref", jtext(p->policy_ref));
	tjson_set(pol, "issuer", jtext(p->policy_issuer));
	tjson_set(o, "policy", pol);
	tjson_set(o, "trusted_root_sha256", jhex_or_null(
	    p->trusted_root_sha256, 32));
	tjson_set(o, "checks", p->checks != NULL ?
	    entry_checks_json(p->checks) : json_null());
	tjson_set(o, "verdict", json_string(p->verdict));
	tjson_set(o, "error", jtext(p->error));
	if (p->id_issuer != NULL || p->id_repo != NULL) {
		id = tjson_chk(json_object());
		tjson_set(id, "issuer", jtext(p->id_issuer));
		tjson_set(id, "repo", jtext(p->id_repo));
		tjson_set(id, "ref", jtext(p->id_ref));
		tjson_set(id, "sha", jtext(p->id_sha));
		tjson_set(id, "workflow", jtext(p->id_workflow));
		tjson_set(o, "identity", id);
	} else
		tjson_set(o, "identity", json_null());
	tjson_set(o, "integrated_time", p->has_tlog &&
	    p->integrated_time != 0 ? json_integer((json_int_t)
	    p->integrated_time) : json_null());
	tjson_set(o, "log_index", p->has_tlog ?
	    json_integer((json_int_t)p->log_index) : json_null());
	tjson_set(o, "predicate_type", jtext(p->predicate_type));
	tjson_set(o, "registers", p->registers != NULL ?
	    tjson_chk(json_deep_copy(p->registers)) : json_null());
	return body_done(o, len);
}

uint8_t *
entry_collateral_body(const struct entry_collateral *c, size_t *len)
{
	json_t *o, *docs;

	o = body_new("collateral", c->time);
	if (c->tee != NULL) {
		char tcb[17];

		snprintf(tcb, sizeof(tcb), "%016" PRIx64, c->reported_tcb);
		tjson_set(o, "tee", json_string(c->tee));
		tjson_set(o, "product", json_string(c->product));
		tjson_set(o, "chip_id", jhex(c->chip_id, 64));
		tjson_set(o, "reported_tcb", json_string(tcb));
	} else {
		tjson_set(o, "fmspc", jhex(c->fmspc, 6));
		tjson_set(o, "ca", json_string(c->ca));
		tjson_set(o, "test_pki", json_boolean(c->test_pki));
	}
	docs = docs_json(c->docs, c->n_docs);
	tjson_set(o, "documents", docs);
	tjson_set(o, "verdict", json_string(c->verdict));
	tjson_set(o, "error", jtext(c->error));
	if (c->issue_date != NULL)
		tjson_set(o, "issue_date", json_string(c->issue_date));
	if (c->next_update != NULL)
		tjson_set(o, "next_update", json_string(c->next_update));
	return body_done(o, len);
}

uint8_t *
entry_receipt_body(const struct entry_receipt *r, size_t *len)
{
	json_t *o, *sub, *pr;

	o = body_new("receipt", r->time);
	tjson_set(o, "format", json_string(r->format));
	tjson_set(o, "model", jstr_nonempty(r->model));
	sub = tjson_chk(json_object());
	tjson_set(sub, "sha256", jhex(r->submitted_sha256, 32));
	tjson_set(sub, "len", json_integer((json_int_t)r->submitted_len));
	tjson_set(sub, "media_type", json_string(r->media_type));
	tjson_set(sub, "stored", json_string(r->stored));
	tjson_set(o, "submitted", sub);
	tjson_set(o, "claims", json_incref(r->claims));	/* shared, read only */
	tjson_set(o, "checks", entry_checks_json(r->checks));
	tjson_set(o, "verdict", json_string(r->verdict));
	if (r->has_probe) {
		pr = tjson_chk(json_object());
		tjson_set(pr, "seq", json_integer((json_int_t)r->probe_seq));
		tjson_set(pr, "time", json_integer((json_int_t)r->probe_time));
		tjson_set(pr, "verdict", jstr_nonempty(r->probe_verdict));
		tjson_set(o, "probe", pr);
	} else
		tjson_set(o, "probe", json_null());
	return body_done(o, len);
}

const uint8_t *
entry_receipt_blob(const struct rcpt_parsed *p, const uint8_t *body,
    size_t len, uint8_t **mem, size_t *blob_len)
{
	json_t *o;

	*mem = NULL;
	if (rcpt_keeps_whole(p)) {
		*blob_len = len;
		return body;
	}
	/* A shallow copy: the members are shared, not changed. */
	o = tjson_chk(json_copy(p->root));
	(void)json_object_del(o, "request_b64");
	(void)json_object_del(o, "response_b64");
	*mem = entry_canonical(o, blob_len);
	json_decref(o);
	return *mem;
}

uint8_t *
entry_receipt_checked_body(const struct rcpt_parsed *p,
    const struct rcpt_probe *probe, const struct checklist *cl, int64_t time,
    const uint8_t blob_sha256[32], size_t blob_len, size_t *len)
{
	struct entry_receipt er;
	uint8_t *out;

	memset(&er, 0, sizeof(er));
	er.time = time;
	er.format = rcpt_format_str(p->fmt);
	er.model = p->model;
	er.submitted_sha256 = blob_sha256;
	er.submitted_len = blob_len;
	er.media_type = "application/json";
	er.stored = rcpt_keeps_whole(p) ? "whole" : "without_bytes";
	er.claims = rcpt_claims(p);
	er.checks = cl;
	er.verdict = check_status_str(checklist_verdict(cl));
	er.has_probe = probe->have;
	er.probe_seq = probe->seq;
	er.probe_time = probe->time;
	er.probe_verdict = probe->verdict;
	out = entry_receipt_body(&er, len);
	json_decref(er.claims);
	return out;
}

/* ---- reading ------------------------------------------------------- */

json_t *
entry_parse(const struct store_entry *e)
{
	return store_body_parse(e->body, e->body_len);
}

int
entry_version(const json_t *body)
{
	const json_t *v = json_object_get(body, "v");

	if (v == NULL)
		return 1;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 1000)
		return 0;
	return (int)json_integer_value(v);
}

/* Where each member of a version 1 measurement belongs. */
static const struct {
	const char	*key;
	const char	*layer;
	const char	*as;
} v1_members[] = {
	{ "mrtd", "platform", "mrtd" },
	{ "rtmr0", "platform", "rtmr0" },
	{ "rtmr1", "platform", "rtmr1" },
	{ "rtmr2", "platform", "rtmr2" },
	{ "gpus", "platform", "gpu_count" },
	{ "compose_hash", "app", "compose_hash" },
	{ "mr_config_id", "app", "mr_config_id" },
	{ "rtmr3", "instance", "rtmr3" },
	{ "signing_address", "instance", "signing_address" },
	{ "signing_algo", "instance", "signing_algo" },
	{ "report_data", "probe", "report_data" },
	{ "reportdata_layout", "probe", "reportdata_layout" },
	{ "attestations", "probe", "attestations" },
};

/* A version 1 (flat) measurement in layers; unknown members go to the
 * probe layer (never a change). */
static json_t *
from_v1(const json_t *m)
{
	json_t *o, *layer, *v;
	const char *k, *as;
	size_t i;

	o = tjson_chk(json_object());
	tjson_set(o, "platform", json_object());
	tjson_set(o, "app", json_object());
	tjson_set(o, "instance", json_object());
	tjson_set(o, "probe", json_object());
	json_object_foreach((json_t *)(uintptr_t)m, k, v) {
		for (i = 0; i < sizeof(v1_members) / sizeof(v1_members[0]);
		    i++)
			if (strcmp(v1_members[i].key, k) == 0)
				break;
		if (i < sizeof(v1_members) / sizeof(v1_members[0])) {
			layer = json_object_get(o, v1_members[i].layer);
			as = v1_members[i].as;
		} else {
			layer = json_object_get(o, "probe");
			as = k;
		}
		tjson_set(layer, as, json_deep_copy(v));
	}
	return o;
}

json_t *
entry_measurement(const json_t *body)
{
	json_t *m;

	if (!json_is_object(body))
		return NULL;
	m = json_object_get(body, "measurement");
	if (!json_is_object(m))
		return NULL;
	if (entry_version(body) == 1)
		return from_v1(m);
	return json_incref(m);		/* shared with body, read only */
}

const char *
entry_meas_str(const json_t *meas, const char *layer, const char *key)
{
	return json_string_value(json_object_get(json_object_get(meas,
	    layer), key));
}

/* Copy s into out (outsz) if it is a string that fits, else "". */
static void
copy_str(const char *s, char *out, size_t outsz)
{
	out[0] = '\0';
	if (s != NULL && strlen(s) < outsz)
		memcpy(out, s, strlen(s) + 1);
}

/* A 96-hex-digit register, lower-cased, or "". */
static void
copy_reg(const char *s, char out[97])
{
	size_t i;

	copy_str(s, out, 97);
	if (strlen(out) != 96 || !is_hex_text(out, 96)) {
		out[0] = '\0';
		return;
	}
	for (i = 0; i < 96; i++)
		if (out[i] >= 'A' && out[i] <= 'F')
			out[i] = (char)(out[i] - 'A' + 'a');
}

void
entry_receipt_probe(const struct store_entry *e, struct rcpt_probe *out)
{
	static const char *const rtmr_layer[4] = { "platform", "platform",
	    "platform", "instance" };
	json_t *body, *m;
	char key[8];
	int i;

	memset(out, 0, sizeof(*out));
	out->have = true;
	out->seq = e->seq;
	out->time = e->time;
	if (e->verdict != NULL)
		snprintf(out->verdict, sizeof(out->verdict), "%s", e->verdict);
	body = entry_parse(e);
	m = entry_measurement(body);
	if (m != NULL) {
		out->has_meas = true;
		copy_str(entry_meas_str(m, "instance", "signing_address"),
		    out->signing_address, sizeof(out->signing_address));
		copy_str(entry_meas_str(m, "instance", "signing_algo"),
		    out->signing_algo, sizeof(out->signing_algo));
		copy_reg(entry_meas_str(m, "platform", "mrtd"), out->mrtd);
		for (i = 0; i < 4; i++) {
			snprintf(key, sizeof(key), "rtmr%d", i);
			copy_reg(entry_meas_str(m, rtmr_layer[i], key),
			    out->rtmr[i]);
		}
		copy_str(entry_meas_str(m, "instance", "tls_fingerprint"),
		    out->tls_fingerprint, sizeof(out->tls_fingerprint));
		copy_str(entry_meas_str(m, "instance", "hpke_key"),
		    out->hpke_key, sizeof(out->hpke_key));
	}
	json_decref(m);
	json_decref(body);
}

/* ---- what changed --------------------------------------------------- */

const char *
entry_change_class_str(enum entry_change_class c)
{
	switch (c) {
	case ENTRY_CHANGE_NONE:
		return "none";
	case ENTRY_CHANGE_FIRST:
		return "first";
	case ENTRY_CHANGE_INSTANCE_ADDED:
		return "instance_added";
	case ENTRY_CHANGE_CHANGED:
		return "changed";
	}
	return "none";
}

void
entry_state_init(struct entry_state *st)
{
	memset(st, 0, sizeof(*st));
}

void
entry_state_free(struct entry_state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++)
		json_decref(st->inst[i].meas);
	entry_state_init(st);
}

/* Members whose null means "not established this time", not a value. */
static bool
wildcard(const char *layer, const char *key)
{
	return strcmp(layer, "platform") == 0 &&
	    (strcmp(key, "tcb_status") == 0 || strcmp(key, "advisories") == 0);
}

/* True if a and b agree on every member of layer both have. */
static bool
layer_eq(const json_t *a, const json_t *b, const char *layer)
{
	const json_t *la = json_object_get(a, layer);
	const json_t *lb = json_object_get(b, layer);
	const char *k;
	json_t *va, *vb;

	json_object_foreach((json_t *)(uintptr_t)la, k, va) {
		if ((vb = json_object_get(lb, k)) == NULL)
			continue;
		if (wildcard(layer, k) && (json_is_null(va) ||
		    json_is_null(vb)))
			continue;
		if (!json_equal(va, vb))
			return false;
	}
	return true;
}

static bool
identity_eq(const json_t *a, const json_t *b)
{
	return layer_eq(a, b, "platform") && layer_eq(a, b, "app");
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Bytes outside printable ASCII in out become '?'. */
static void
printable(char *out)
{
	for (; *out != '\0'; out++)
		if ((unsigned char)*out < 0x20 || (unsigned char)*out > 0x7e)
			*out = '?';
}

/* A value as alert text: a string as it is, null as "null", else JSON;
 * printable ASCII, cut to outsz - 1 bytes. */
static void
value_text(const json_t *v, char *out, size_t outsz)
{
	char *s;

	if (v == NULL)
		snprintf(out, outsz, "%s", "");
	else if (json_is_string(v))
		snprintf(out, outsz, "%s", json_string_value(v));
	else if (json_is_null(v))
		snprintf(out, outsz, "null");
	else {
		s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY);
		snprintf(out, outsz, "%s", s != NULL ? s : "?");
		free(s);
	}
	printable(out);
}

/* Name layer.key in out, with its values before (ref) and now. */
static void
add_field(struct entry_change *out, const char *layer, const char *key,
    const json_t *was, const json_t *now)
{
	if (out->n_fields >= MAX_CHANGED_FIELDS) {
		out->cut = true;
		return;
	}
	if (out->n_fields == 0) {
		value_text(was, out->from, sizeof(out->from));
		value_text(now, out->to, sizeof(out->to));
	}
	value_text(was, out->before[out->n_fields], ENTRY_VALUE_TEXT);
	value_text(now, out->after[out->n_fields], ENTRY_VALUE_TEXT);
	out->before_null[out->n_fields] = was == NULL || json_is_null(was);
	out->after_null[out->n_fields] = now == NULL || json_is_null(now);
	snprintf(out->fields[out->n_fields], ENTRY_FIELD_NAME, "%s.%s", layer,
	    key);
	printable(out->fields[out->n_fields++]);
}

/*
 * The members of cur's layer that differ from ref's (ref NULL: all of
 * them), in key order, into out.
 */
static void
diff_layer(const json_t *ref, const json_t *cur, const char *layer,
    struct entry_change *out)
{
	const json_t *lc = json_object_get(cur, layer);
	const json_t *lr = ref != NULL ? json_object_get(ref, layer) : NULL;
	const char *keys[MAX_LAYER_KEYS], *k;
	json_t *vc, *vr;
	size_t n = 0, i;

	json_object_foreach((json_t *)(uintptr_t)lc, k, vc) {
		if (n == MAX_LAYER_KEYS) {
			out->cut = true;
			break;
		}
		keys[n++] = k;
	}
	qsort(keys, n, sizeof(keys[0]), key_cmp);
	for (i = 0; i < n; i++) {
		vc = json_object_get(lc, keys[i]);
		if (ref == NULL) {
			add_field(out, layer, keys[i], NULL, vc);
			continue;
		}
		if ((vr = json_object_get(lr, keys[i])) == NULL)
			continue;
		if (wildcard(layer, keys[i]) && (json_is_null(vc) ||
		    json_is_null(vr)))
			continue;
		if (!json_equal(vc, vr))
			add_field(out, layer, keys[i], vr, vc);
	}
}

void
entry_measurement_diff(const struct entry_state *st, const json_t *cur,
    struct entry_change *out)
{
	const json_t *m, *ref;
	size_t i, j, first = 0;
	bool same_id = false, same_inst = false;
	size_t id_at = 0, inst_at = 0;

	memset(out, 0, sizeof(*out));
	out->cls = ENTRY_CHANGE_NONE;
	if (!json_is_object(cur))
		return;
	if (st->n == 0) {
		out->cls = ENTRY_CHANGE_FIRST;
		for (j = 0; j < NID_LAYERS; j++)
			diff_layer(NULL, cur, id_layers[j], out);
		return;
	}
	/* most recently seen first */
	for (i = st->n; i-- > 0;) {
		m = st->inst[i].meas;
		if (identity_eq(m, cur)) {
			if (layer_eq(m, cur, "instance"))
				return;		/* seen before */
			if (!same_id)
				id_at = i;
			same_id = true;
		}
		if (!same_inst && layer_eq(m, cur, "instance")) {
			same_inst = true;
			inst_at = i;
		}
	}
	if (same_id && same_inst)
		return;		/* a known instance, a known identity */
	if (same_id) {
		out->cls = ENTRY_CHANGE_INSTANCE_ADDED;
		ref = st->inst[id_at].meas;
		first = NID_LAYERS - 1;		/* the instance layer */
	} else {
		out->cls = ENTRY_CHANGE_CHANGED;
		ref = st->inst[same_inst ? inst_at : st->n - 1].meas;
	}
	for (j = first; j < NID_LAYERS; j++)
		diff_layer(ref, cur, id_layers[j], out);
}

/* Drop st->inst[i]. */
static void
drop(struct entry_state *st, size_t i)
{
	json_decref(st->inst[i].meas);
	memmove(&st->inst[i], &st->inst[i + 1],
	    (st->n - i - 1) * sizeof(st->inst[0]));
	st->n--;
}

/* The members whose null means "not established this time". */
static const char *const wild_keys[] = { "tcb_status", "advisories" };

/*
 * Fill the nulls of to's wildcard members from from's values (layer
 * platform): from is the same instance seen before, or an instance of
 * the same platform (Intel judges a platform, not an instance).
 */
static void
fill_wild(json_t *to, const json_t *from)
{
	json_t *pt = json_object_get(to, "platform"), *v;
	size_t k;

	for (k = 0; k < 2 && json_is_object(pt); k++) {
		v = json_object_get(json_object_get(from, "platform"),
		    wild_keys[k]);
		if (v != NULL && !json_is_null(v) &&
		    json_is_null(json_object_get(pt, wild_keys[k])))
			tjson_set(pt, wild_keys[k], json_deep_copy(v));
	}
}

void
entry_state_update(struct entry_state *st, const json_t *cur)
{
	json_t *copy;
	size_t i;

	if (!json_is_object(cur))
		return;
	st->tick++;
	copy = tjson_chk(json_deep_copy(cur));
	for (i = st->n; i-- > 0;) {
		if (!layer_eq(st->inst[i].meas, copy, "instance"))
			continue;
		/* the same instance: cur is its record now */
		fill_wild(copy, st->inst[i].meas);
		drop(st, i);
	}
	/* what Intel said of this platform holds for its other instances */
	for (i = 0; i < st->n; i++)
		if (layer_eq(st->inst[i].meas, copy, "platform"))
			fill_wild(st->inst[i].meas, copy);
	for (i = st->n; i-- > 0;)
		if (st->tick - st->inst[i].seen >= MAX_STATE_PROBES)
			drop(st, i);
	if (st->n == MAX_INSTANCES)
		drop(st, 0);		/* the least recently seen */
	st->inst[st->n].meas = copy;
	st->inst[st->n++].seen = st->tick;
}

/* Collecting the newest measured probes, newest first. */
struct load_ctx {
	json_t			*meas[MAX_STATE_PROBES];
	size_t			 n;
	struct entry_last	*last;
};

static int
load_cb(const struct store_entry *e, void *arg)
{
	struct load_ctx *c = arg;
	json_t *body;

	if (c->last != NULL && !c->last->have) {
		c->last->have = true;
		c->last->seq = e->seq;
		snprintf(c->last->verdict, sizeof(c->last->verdict), "%s",
		    e->verdict != NULL ? e->verdict : "");
	}
	body = entry_parse(e);
	c->meas[c->n] = entry_measurement(body);
	json_decref(body);
	if (c->meas[c->n] != NULL)
		c->n++;
	return c->n == MAX_STATE_PROBES;
}

enum tmon_rc
entry_state_load(struct store *s, const char *model, uint64_t before_seq,
    int64_t until, struct entry_state *st, struct entry_last *last,
    struct tmon_err *err)
{
	struct store_query q;
	struct load_ctx c;
	enum tmon_rc rc;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.last = last;
	if (last != NULL)
		memset(last, 0, sizeof(*last));
	store_query_init(&q);
	q.kind = "probe";
	q.model = model;
	q.before_seq = before_seq;
	q.until = until;
	q.limit = MAX_STATE_SCAN;
	q.newest_first = true;
	rc = store_query(s, &q, load_cb, &c, err);
	for (i = c.n; i-- > 0;) {
		if (rc == TMON_OK)
			entry_state_update(st, c.meas[i]);
		json_decref(c.meas[i]);
	}
	if (rc != TMON_OK) {
		entry_state_free(st);
		if (last != NULL)
			memset(last, 0, sizeof(*last));
	}
	return rc;
}
