#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "api.h"
#include "daemon.h"
#include "encode.h"
#include "fetch.h"
#include "log.h"
#include "probe.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct model_state {
	const struct model_cfg	*m;
	int64_t			 next_due_ms;	/* monotonic */
	bool			 in_flight;
	uint8_t			 nonce[32];
	char			*url;
	int64_t			 started;	/* wall clock, unix s */
	/* last measurement, to raise alerts on change */
	bool			 has_last;
	char			 last_verdict[8];
	uint8_t			 last_meas[48 * 5];
	char			 last_address[80];
};

struct daemon {
	const struct daemon_opts	*o;
	struct store			*store;
	struct fetch			*fetch;
	struct model_state		*ms;
	size_t				 n;
	uint64_t			 logged;
	enum tmon_rc			 fatal_rc;
	struct tmon_err			*err;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
wall_s(void)
{
	return (int64_t)time(NULL);
}

/* Uniform random delay in [0, jitter_s] seconds, in ms. */
static int64_t
jitter_ms(uint32_t jitter_s)
{
	uint32_t r;

	if (jitter_s == 0 || RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return 0;
	return (int64_t)(r % ((uint64_t)jitter_s * 1000 + 1));
}

static void
append_alert(struct daemon *d, struct model_state *s, const char *reason,
    const char *from, const char *to, uint64_t probe_seq)
{
	struct store_entry_in in;
	struct store_appended app;
	struct tmon_err err;
	json_t *o;
	uint8_t *body;
	size_t len;

	o = json_pack("{s:i, s:s, s:I, s:s, s:s, s:s, s:s, s:I}",
	    "v", 1, "kind", "alert", "time", (json_int_t)wall_s(),
	    "model", s->m->name, "reason", reason, "from", from, "to", to,
	    "probe_seq", (json_int_t)probe_seq);
	body = entry_canonical(o, &len);
	json_decref(o);
	memset(&in, 0, sizeof(in));
	in.kind = "alert";
	in.time = wall_s();
	in.model = s->m->name;
	in.body = body;
	in.body_len = len;
	tmon_err_clear(&err);
	if (store_append(d->store, NULL, 0, &in, 1, &app, &err) != TMON_OK)
		log_warnx("store: alert not logged: %s model=%s", err.msg,
		    s->m->name);
	else
		log_warnx("alert: %s model=%s from=%s to=%s seq=%llu", reason,
		    s->m->name, from, to, (unsigned long long)app.seq);
	free(body);
}

static void
maybe_alert(struct daemon *d, struct model_state *s,
    const struct probe_outcome *po, uint64_t seq)
{
	const struct attest_measurement *m = &po->res.m;
	const char *verdict = check_status_str(po->res.verdict);
	uint8_t meas[48 * 5];
	char from[2 * 48 + 1], to[2 * 48 + 1];

	if (s->has_last && strcmp(s->last_verdict, verdict) != 0 &&
	    strcmp(s->last_verdict, "pass") == 0)
		append_alert(d, s, "verdict_changed", s->last_verdict, verdict,
		    seq);
	snprintf(s->last_verdict, sizeof(s->last_verdict), "%s", verdict);
	if (!m->has_quote)
		return;
	memcpy(meas, m->mrtd, 48);
	memcpy(meas + 48, m->rtmr, 48 * 4);
	if (s->has_last && memcmp(meas, s->last_meas, sizeof(meas)) != 0) {
		hex_encode(s->last_meas, 16, from);
		hex_encode(meas, 16, to);
		append_alert(d, s, "measurement_changed", from, to, seq);
	}
	memcpy(s->last_meas, meas, sizeof(meas));
	s->has_last = true;
}

/* Context for one finished fetch. */
struct done_ctx {
	struct daemon		*d;
	struct model_state	*s;
};

static void
probe_done(struct fetch_result *res, void *arg)
{
	struct done_ctx *c = arg;
	struct daemon *d = c->d;
	struct model_state *s = c->s;
	struct probe_fetch pf;
	struct probe_outcome po;
	struct store_blob_in blob;
	struct store_entry_in in;
	struct store_appended app;
	struct tmon_err err;
	char nhex[17];

	free(c);
	memset(&pf, 0, sizeof(pf));
	pf.rc = res->rc;
	pf.status = res->status;
	pf.body = res->body;
	pf.body_len = res->body_len;
	pf.duration_ms = res->duration_ms;
	pf.error = res->error;
	probe_evaluate(s->m, s->url, s->nonce, s->started, wall_s(), &pf, &po);

	memset(&in, 0, sizeof(in));
	in.kind = "probe";
	in.time = s->started;
	in.model = s->m->name;
	in.verdict = check_status_str(po.res.verdict);
	in.body = po.entry;
	in.body_len = po.entry_len;
	memset(&blob, 0, sizeof(blob));
	blob.data = res->body;
	blob.len = res->body_len;
	blob.media_type = res->content_type[0] != '\0' ? res->content_type :
	    "application/octet-stream";
	tmon_err_clear(&err);
	if (store_append(d->store, &blob, po.has_body ? 1 : 0, &in, 1, &app,
	    &err) != TMON_OK) {
		log_warnx("store: probe not logged: %s model=%s", err.msg,
		    s->m->name);
		d->fatal_rc = tmon_err_set(d->err, TMON_E_DB,
		    "cannot append to the log: %s", err.msg);
		stop_requested = 1;
	} else {
		d->logged++;
		log_info("probe: model=%s verdict=%s seq=%llu nonce=%s...",
		    s->m->name, in.verdict, (unsigned long long)app.seq,
		    hex_encode(s->nonce, 8, nhex));
		maybe_alert(d, s, &po, app.seq);
	}
	probe_outcome_free(&po);
	free(s->url);
	s->url = NULL;
	s->in_flight = false;
	s->next_due_ms = mono_ms() + (int64_t)s->m->interval_s * 1000 +
	    jitter_ms(s->m->jitter_s);
}

static void
start_probe(struct daemon *d, struct model_state *s)
{
	struct fetch_req req;
	struct done_ctx *c;
	struct tmon_err err;
	const char *key = NULL;

	if (RAND_bytes(s->nonce, sizeof(s->nonce)) != 1) {
		log_crypto_warnx("rand: no nonce, probe postponed model=%s",
		    s->m->name);
		s->next_due_ms = mono_ms() + 10000;
		return;
	}
	if ((s->url = probe_url(s->m, s->nonce)) == NULL) {
		log_warnx("probe: url too long model=%s", s->m->name);
		s->next_due_ms = mono_ms() + (int64_t)s->m->interval_s * 1000;
		return;
	}
	if (s->m->api_key_env != NULL)
		key = getenv(s->m->api_key_env);
	memset(&req, 0, sizeof(req));
	req.url = s->url;
	req.method = "GET";
	req.bearer_token = key != NULL && key[0] != '\0' ? key : NULL;
	req.connect_timeout_ms = 10000;
	req.timeout_ms = (long)s->m->timeout_s * 1000;
	req.max_body = d->o->cfg->max_body_bytes;
	c = xcalloc(1, sizeof(*c));
	c->d = d;
	c->s = s;
	s->started = wall_s();
	tmon_err_clear(&err);
	if (fetch_start(d->fetch, &req, probe_done, c, &err) != TMON_OK) {
		log_warnx("fetch: cannot start: %s model=%s", err.msg,
		    s->m->name);
		free(c);
		free(s->url);
		s->url = NULL;
		s->next_due_ms = mono_ms() + (int64_t)s->m->interval_s * 1000;
		return;
	}
	s->in_flight = true;
	log_debug("probe: start model=%s", s->m->name);
}

static int
loop_once(struct daemon *d)
{
	int64_t now = mono_ms(), wait = 500;
	size_t i, running = fetch_running(d->fetch);
	struct model_state *s;

	for (i = 0; i < d->n; i++) {
		s = &d->ms[i];
		if (s->in_flight)
			continue;
		if (s->next_due_ms <= now) {
			if (running >= d->o->cfg->max_concurrent)
				continue;
			if (d->o->max_probes != 0 && d->logged +
			    running >= d->o->max_probes)
				continue;
			start_probe(d, s);
			running = fetch_running(d->fetch);
		} else if (s->next_due_ms - now < wait)
			wait = s->next_due_ms - now;
	}
	return fetch_poll(d->fetch, (int)wait);
}

enum tmon_rc
daemon_run(const struct daemon_opts *o, struct tmon_err *err)
{
	struct daemon d;
	struct api *api = NULL;
	struct api_config ac;
	struct api_model *am = NULL;
	struct sigaction sa;
	enum tmon_rc rc;
	size_t i;

	memset(&d, 0, sizeof(d));
	d.o = o;
	d.err = err;
	stop_requested = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((rc = store_open(o->db_path, STORE_RW, &d.store, err)) != TMON_OK)
		goto out;
	d.n = o->cfg->n_models;
	d.ms = xcalloc(d.n + 1, sizeof(*d.ms));
	am = xcalloc(d.n + 1, sizeof(*am));
	for (i = 0; i < d.n; i++) {
		d.ms[i].m = &o->cfg->models[i];
		d.ms[i].next_due_ms = mono_ms() +
		    jitter_ms(d.ms[i].m->jitter_s);
		am[i].model = o->cfg->models[i].name;
		am[i].provider = o->cfg->models[i].provider;
		if (d.ms[i].m->api_key_env != NULL &&
		    getenv(d.ms[i].m->api_key_env) == NULL)
			log_warnx("config: environment variable %s is not "
			    "set; probing without an API key model=%s",
			    d.ms[i].m->api_key_env, d.ms[i].m->name);
	}
	memset(&ac, 0, sizeof(ac));
	ac.listen_host = o->listen_host;
	ac.port = o->listen_port;
	ac.db_path = o->db_path;
	ac.dashboard_dir = o->dashboard_dir;
	ac.models = am;
	ac.n_models = d.n;
	if ((rc = api_start(&ac, &api, err)) != TMON_OK)
		goto out;
	log_info("tmond: serving http://%s:%u/ db=%s models=%zu",
	    o->listen_host, o->listen_port, o->db_path, d.n);
	if ((d.fetch = fetch_new()) == NULL) {
		rc = tmon_err_set(err, TMON_E_INTERNAL, "cannot start libcurl");
		goto out;
	}
	while (!stop_requested) {
		loop_once(&d);
		if (o->max_probes != 0 && d.logged >= o->max_probes)
			break;
	}
	rc = d.fatal_rc != TMON_OK ? d.fatal_rc : TMON_OK;
	log_info("tmond: stopping, %llu probes logged",
	    (unsigned long long)d.logged);
out:
	/* Transfers still in flight are dropped without an entry. */
	fetch_free(d.fetch);
	api_stop(api);
	store_close(d.store);
	if (d.ms != NULL)
		for (i = 0; i < d.n; i++)
			free(d.ms[i].url);
	free(d.ms);
	free(am);
	return rc;
}
