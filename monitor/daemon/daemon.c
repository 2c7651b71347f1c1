#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "alert.h"
#include "canary.h"
#include "daemon.h"
#include "encode.h"
#include "fetch.h"
#include "log.h"
#include "logkey.h"
#include "metrics.h"
#include "notify.h"
#include "nras.h"
#include "nras_request.h"
#include "kds_client.h"
#include "pcs_client.h"
#include "pool.h"
#include "probe.h"
#include "provenance_client.h"
#include "receipt.h"
#include "reload.h"
#include "scheduler.h"
#include "service.h"
#include "sigstore_root.h"
#include "snp_report.h"
#include "store.h"
#include "tdx_quote.h"
#include "tdx_verify.h"
#include "tmon_limits.h"
#include "util.h"
#include "witness.h"
#include "writer.h"
#include "xmalloc.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

/*
 * Appends the log refused for a reason of the environment (disk full, I/O
 * error, lock timeout) are retried, first after RETRY_MIN_MS, the wait
 * doubling up to RETRY_MAX_MS.  While the log is not writable, a warning
 * is logged at most every DEGRADED_WARN_MS.
 */
#define RETRY_MIN_MS		500
#define RETRY_MAX_MS		10000
#define DEGRADED_WARN_MS	60000

/* Where a probe is: the provider's instances request (Chutes), then
 * attestation, then NVIDIA NRAS (the GPU evidence posted, NRAS's JWKS
 * when needed), then canary completion, then signature
 * lookups (with waits between retries), then evaluation, then logging
 * (STEP_LOG: evaluated, waiting until the log can be written). */
enum probe_step {
	STEP_IDLE,
	STEP_INSTANCES,
	STEP_ATTEST,
	STEP_COLLATERAL,
	STEP_NRAS,
	STEP_CANARY,
	STEP_SIG_WAIT,
	STEP_SIG,
	STEP_LOG
};

struct model_state {
	const struct model_cfg	*m;
	struct daemon		*d;
	int64_t			 next_due_ms;	/* monotonic */
	bool			 in_flight;
	enum probe_step		 step;
	uint8_t			 nonce[32];
	char			*url;
	int64_t			 started;	/* wall clock, unix s */
	int64_t			 started_ms;	/* monotonic */
	struct fetch_result	 att;		/* attestation answer */
	char			*inst_url;	/* NULL: no instances request */
	struct fetch_result	 inst;		/* its answer */
	/* NRAS: asked once per probe; nras_url NULL: not posted */
	bool			 nras_asked;
	char			*nras_url;
	uint8_t			*nras_req;
	size_t			 nras_req_len;
	struct fetch_result	 nras;		/* NRAS's answer */
	uint8_t			*nras_jwks;	/* the JWKS it is checked
						   with (a copy), or NULL */
	size_t			 nras_jwks_len;
	/* canary */
	uint64_t		 n_probes;	/* for stream alternation */
	bool			 stream;
	char			*canary_url;
	uint8_t			*canary_req;
	size_t			 canary_req_len;
	struct fetch_result	 comp;
	char			 completion_id[MAX_COMPLETION_ID];
	char			*sig_url;
	struct fetch_result	 sigr;
	unsigned		 sig_tries;
	int64_t			 sig_due_ms;
	int			 coll_pending;	/* collateral fetches awaited */
	/* STEP_LOG: the evaluated probe (po.entry) until it is logged, then
	 * the events and alerts it raised until they are (out: the first
	 * ev_done events and al_done alerts are logged; ev_seq, ev_ok: the
	 * seqs of the events logged) */
	struct probe_outcome	 po;
	bool			 has_po;
	struct alert_out	 out;
	size_t			 ev_done;
	size_t			 al_done;
	uint64_t		 ev_seq[MAX_PROBE_EVENTS];
	bool			 ev_ok[MAX_PROBE_EVENTS];
	/* the probe logged and the alerts appended after it (probe_done) */
	uint64_t		 probe_seq;
	uint64_t		 al_seq[MAX_PROBE_ALERTS];
	bool			 al_ok[MAX_PROBE_ALERTS];
	/* the last probe, its checks and the known instances, to classify
	 * changes and raise alerts (alert.h) */
	struct alert_state	 al;
	/* A reload (daemon_reload) changed or removed the model while a
	 * probe was under way: next_m (or, removed, nothing) replaces m
	 * once the probe is logged. */
	const struct model_cfg	*next_m;
	bool			 removed;
	struct notify_probe	 np;		/* for the webhooks */
};

/* A replaced schedule, freed once no probe under way uses it. */
struct old_config {
	struct config		*cfg;
	struct old_config	*next;
};

struct daemon {
	const struct daemon_opts	*o;
	/* The log: store until the writer starts (start-up checks and
	 * reads; with --read-only, for good), then the writer owns it. */
	struct store			*store;
	struct store_writer		*w;		/* every append */
	struct logkey			*key;		/* signs checkpoints */
	struct witnesses		*wit;		/* NULL: none */
	struct notify			*notify;	/* NULL: no webhook */
	struct store_pool		*pool;		/* API, receipts */
	struct fetch			*fetch;
	struct pcs_client		*coll;		/* NULL: "pcs": false */
	/* NRAS's JWKS as last fetched (nras.base_url), NULL: none yet;
	 * fetched again when an answer names a key it lacks */
	uint8_t				*nras_jwks;
	size_t				 nras_jwks_len;
	struct kds_client		*kds;		/* NULL: "kds": false */
	/* code provenance (provenance_client.h) and the Sigstore trusted
	 * root it verifies against (NULL: no model had "provenance" at
	 * start, or it could not be loaded) */
	struct prov_client		*prov;
	struct sigstore_root		*sgroot;
	struct verify_ctx		*vc;		/* the loop's caches */
	/* The schedule: o->cfg until the first reload (SIGHUP), then
	 * cfg_own; old ones are kept while a probe still uses them. */
	const struct config		*cfg;
	struct config			*cfg_own;
	struct old_config		*cfg_old;
	bool				 settling;	/* a reload waits */
	struct api			*api;
	struct model_state		**ms;
	size_t				 n;
	uint64_t			 logged;
	size_t				 max_body;	/* <= MAX_BLOB_LEN */
	/*
	 * Write health.  file_bad: db_path no longer names the file we
	 * write (deleted, renamed, replaced); write_bad: the last append
	 * failed for a reason of the environment.  Either makes tmond
	 * degraded: no probe starts, finished ones wait in STEP_LOG.
	 * Only the main thread changes these; health (under health_mu) is
	 * the copy the API threads read.
	 */
	bool				 file_bad;
	bool				 write_bad;
	char				 why_file[256];
	char				 why_write[256];
	int64_t				 since;		/* unix s, degraded */
	size_t				 waiting;	/* models in STEP_LOG */
	int64_t				 retry_ms;	/* current backoff */
	int64_t				 retry_due_ms;	/* monotonic */
	int64_t				 warned_ms;	/* monotonic; 0 never */
	pthread_mutex_t			 health_mu;
	struct api_health		 health;
	struct rcpt			*rcpt;		/* owned by the api */
	bool				 rcpt_refused;
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

/*
 * Seed each model's last verdict and known instances from the log, so a
 * restart of tmond neither misses a change nor raises one again.
 */
static void
restore_state(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		alert_state_load(&d->ms[i]->al, d->store, d->ms[i]->m->name);
}

/* GET /metrics: a probe's duration, from its start to its verdict. */
static void
observe_probe(const struct model_state *s)
{
	char l[MAX_METRIC_LABELS];

	if (metrics_label(l, sizeof(l), "model", s->m->name, NULL) > 0)
		metrics_observe("tmon_probe_duration_seconds", "Seconds from "
		    "a probe's start to its verdict (attestation, collateral, "
		    "canary and signature).", l,
		    (double)(mono_ms() - s->started_ms) / 1000.0);
}

/* Judge s's probe po, logged as seq: its events and alerts are logged
 * next. */
static void
maybe_alert(struct model_state *s, const struct probe_outcome *po,
    uint64_t seq)
{
	/* d->cfg, not o->cfg: a reload applies the reference values */
	const struct config *cfg = s->d->cfg;
	struct prov_view pv;
	bool has_pv;

	has_pv = prov_client_view(s->d->prov, s->m, &pv);
	alert_out_free(&s->out);
	s->ev_done = s->al_done = 0;
	memset(s->ev_ok, 0, sizeof(s->ev_ok));
	memset(s->al_ok, 0, sizeof(s->al_ok));
	s->probe_seq = seq;
	alert_judge(&s->al, s->m, cfg->refvals, cfg->n_refvals,
	    has_pv ? &pv : NULL, po, seq, wall_s(), &s->out);
}

static void	finish_probe(struct model_state *);
static void	start_signature(struct model_state *);
static bool	log_probe(struct model_state *);
static void	publish_health(struct daemon *);
static bool	degraded(const struct daemon *);
static void	daemon_reload(struct daemon *);

static const char *
media_type(const struct fetch_result *r)
{
	return r->content_type[0] != '\0' ? r->content_type :
	    "application/octet-stream";
}

static void
to_probe_fetch(const struct fetch_result *r, bool started,
    struct probe_fetch *pf)
{
	memset(pf, 0, sizeof(*pf));
	if (!started) {
		pf->rc = TMON_E_INTERNAL;
		pf->error = "not requested";
		return;
	}
	pf->rc = r->rc;
	pf->status = r->status;
	pf->body = r->body;
	pf->body_len = r->body_len;
	pf->duration_ms = r->duration_ms;
	pf->error = r->error;
	pf->has_tls_spki = r->has_tls_spki;
	memcpy(pf->tls_spki_sha256, r->tls_spki_sha256, 32);
	pf->tls_chain = r->tls_chain;
	pf->tls_chain_len = r->tls_chain_len;
}

static void
reset_probe(struct model_state *s)
{
	fetch_result_free(&s->att);
	fetch_result_free(&s->inst);
	memset(&s->inst, 0, sizeof(s->inst));
	free(s->inst_url);
	s->inst_url = NULL;
	fetch_result_free(&s->comp);
	fetch_result_free(&s->sigr);
	fetch_result_free(&s->nras);
	memset(&s->nras, 0, sizeof(s->nras));
	free(s->nras_url);
	free(s->nras_req);
	free(s->nras_jwks);
	s->nras_url = NULL;
	s->nras_req = s->nras_jwks = NULL;
	s->nras_req_len = s->nras_jwks_len = 0;
	s->nras_asked = false;
	memset(&s->att, 0, sizeof(s->att));
	memset(&s->comp, 0, sizeof(s->comp));
	memset(&s->sigr, 0, sizeof(s->sigr));
	free(s->url);
	free(s->canary_url);
	free(s->canary_req);
	free(s->sig_url);
	s->url = s->canary_url = s->sig_url = NULL;
	s->canary_req = NULL;
	s->canary_req_len = 0;
	s->completion_id[0] = '\0';
	s->sig_tries = 0;
	if (s->has_po)
		probe_outcome_free(&s->po);
	s->has_po = false;
	alert_out_free(&s->out);
	s->ev_done = s->al_done = 0;
	s->step = STEP_IDLE;
	s->in_flight = false;
}

/* Start a request for s; on failure to start, the probe is finished. */
static bool
start(struct model_state *s, const char *url, const char *method,
    const uint8_t *body, size_t body_len, fetch_done_fn cb)
{
	struct daemon *d = s->d;
	struct fetch_req req;
	struct tmon_err err;
	const char *key = NULL;

	if (s->m->api_key_env != NULL)
		key = getenv(s->m->api_key_env);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.method = method;
	req.bearer_token = key != NULL && key[0] != '\0' ? key : NULL;
	req.body = body;
	req.body_len = body_len;
	req.content_type = body != NULL ? "application/json" : NULL;
	req.connect_timeout_ms = 10000;
	req.timeout_ms = (long)s->m->timeout_s * 1000;
	req.max_body = d->max_body;
	tmon_err_clear(&err);
	if (fetch_start(d->fetch, &req, cb, s, &err) != TMON_OK) {
		log_warnx("fetch: cannot start: %s model=%s", err.msg,
		    s->m->name);
		return false;
	}
	return true;
}

static void
sig_done(struct fetch_result *res, void *arg)
{
	struct model_state *s = arg;
	uint64_t backoff;

	fetch_result_free(&s->sigr);
	fetch_result_move(&s->sigr, res);
	s->sig_tries++;
	/* 200 ends the lookup (the answer is judged later); anything else
	 * is retried: signatures sit in a per-node cache and may 404 at
	 * first (nearai/inference-proxy CHAT_CACHE_EXPIRATION). */
	if ((s->sigr.rc == TMON_OK && s->sigr.status == 200) ||
	    s->sig_tries > s->m->canary.signature_retries || stop_requested) {
		finish_probe(s);
		return;
	}
	backoff = sched_sig_backoff_ms(&s->m->canary, s->sig_tries);
	s->step = STEP_SIG_WAIT;
	s->sig_due_ms = mono_ms() + (int64_t)backoff;
	log_debug("probe: signature not yet available (HTTP %ld), retry in "
	    "%llu ms model=%s", s->sigr.status, (unsigned long long)backoff,
	    s->m->name);
}

static void
start_signature(struct model_state *s)
{
	s->step = STEP_SIG;
	if (!start(s, s->sig_url, "GET", NULL, 0, sig_done))
		finish_probe(s);
}

static void
canary_done(struct fetch_result *res, void *arg)
{
	struct model_state *s = arg;

	fetch_result_move(&s->comp, res);
	if (s->comp.rc != TMON_OK || s->comp.status != 200 ||
	    !canary_completion_id(s->comp.body, s->comp.body_len, s->stream,
	    s->completion_id, sizeof(s->completion_id)) ||
	    (s->sig_url = canary_signature_url(s->m, s->completion_id)) ==
	    NULL) {
		finish_probe(s);
		return;
	}
	start_signature(s);
}

static void	continue_probe(struct model_state *);

/* a followed by b, in a new string. */
static char *
join_url(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *s = xmalloc(n);

	snprintf(s, n, "%s%s", a, b);
	return s;
}

/*
 * A request to NVIDIA's NRAS (nras.base_url): never with the model's API
 * key, the body capped at what gpu.nras reads.
 */
static bool
start_nras(struct model_state *s, const char *url, const uint8_t *body,
    size_t body_len, size_t max_body, fetch_done_fn cb)
{
	struct fetch_req req;
	struct tmon_err err;

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.method = body != NULL ? "POST" : "GET";
	req.body = body;
	req.body_len = body_len;
	req.content_type = body != NULL ? "application/json" : NULL;
	req.connect_timeout_ms = 10000;
	req.timeout_ms = (long)s->m->timeout_s * 1000;
	req.max_body = max_body;
	tmon_err_clear(&err);
	if (fetch_start(s->d->fetch, &req, cb, s, &err) != TMON_OK) {
		log_warnx("nras: cannot start: %s model=%s", err.msg,
		    s->m->name);
		return false;
	}
	return true;
}

/* The JWKS the probe's answer is checked with: the daemon's, copied. */
static void
keep_jwks(struct model_state *s)
{
	struct daemon *d = s->d;

	free(s->nras_jwks);
	s->nras_jwks = NULL;
	s->nras_jwks_len = 0;
	if (d->nras_jwks == NULL)
		return;
	s->nras_jwks = xmalloc(d->nras_jwks_len);
	memcpy(s->nras_jwks, d->nras_jwks, d->nras_jwks_len);
	s->nras_jwks_len = d->nras_jwks_len;
}

static void
jwks_done(struct fetch_result *res, void *arg)
{
	struct model_state *s = arg;
	struct daemon *d = s->d;

	if (res->rc == TMON_OK && res->status == 200 && res->body_len > 0 &&
	    (d->nras_jwks == NULL || d->nras_jwks_len != res->body_len ||
	    memcmp(d->nras_jwks, res->body, res->body_len) != 0)) {
		free(d->nras_jwks);
		d->nras_jwks = res->body;
		d->nras_jwks_len = res->body_len;
		res->body = NULL;
		res->body_len = 0;
		log_info("nras: JWKS fetched (%zu bytes) model=%s",
		    d->nras_jwks_len, s->m->name);
	} else if (res->rc != TMON_OK || res->status != 200)
		log_warnx("nras: JWKS not fetched: %s HTTP %ld model=%s",
		    tmon_rc_str(res->rc), res->status, s->m->name);
	keep_jwks(s);
	continue_probe(s);
}

/* NRAS answered: fetch its JWKS when none is kept or the answer names a
 * key the kept one lacks (gpu.nras is then an error), else go on. */
static void
nras_done(struct fetch_result *res, void *arg)
{
	struct model_state *s = arg;
	struct daemon *d = s->d;
	struct checklist cl;
	char *url;

	fetch_result_move(&s->nras, res);
	if (s->nras.rc == TMON_OK && s->nras.status == 200 &&
	    s->nras.body_len > 0 && !stop_requested) {
		checklist_init(&cl);
		if (d->nras_jwks == NULL || nras_check(s->nras.body,
		    s->nras.body_len, d->nras_jwks, d->nras_jwks_len,
		    s->nonce, wall_s(), &cl) == CHECK_ERROR) {
			url = join_url(d->o->cfg->nras_base_url,
			    "/.well-known/jwks.json");
			if (start_nras(s, url, NULL, 0, MAX_NRAS_JWKS,
			    jwks_done)) {
				free(url);
				return;
			}
			free(url);
		}
	}
	keep_jwks(s);
	continue_probe(s);
}

/*
 * Post the GPU evidence of the attestation answer to NRAS with our nonce
 * (nras_request.h).  Returns true when the request is under way
 * (nras_done continues the probe).
 */
static bool
ask_nras(struct model_state *s)
{
	const struct config *cfg = s->d->o->cfg;
	struct tmon_err err;

	s->nras_asked = true;
	if (cfg->nras_base_url == NULL || stop_requested ||
	    s->att.rc != TMON_OK || s->att.status != 200)
		return false;
	tmon_err_clear(&err);
	if (nras_request_body(s->att.body, s->att.body_len, s->nonce,
	    &s->nras_req, &s->nras_req_len, &err) != TMON_OK) {
		if (err.code != TMON_E_NOTFOUND)
			log_info("nras: no request: %s model=%s", err.msg,
			    s->m->name);
		return false;
	}
	s->nras_url = join_url(cfg->nras_base_url, "/v3/attest/gpu");
	s->step = STEP_NRAS;
	if (!start_nras(s, s->nras_url, s->nras_req, s->nras_req_len,
	    MAX_NRAS_ANSWER, nras_done)) {
		/* recorded as not answered */
		s->nras.rc = TMON_E_INTERNAL;
		snprintf(s->nras.error, sizeof(s->nras.error), "not started");
		return false;
	}
	return true;
}

/* After the attestation (and any collateral it needed): NRAS, then the
 * canary. */
static void
continue_probe(struct model_state *s)
{
	const struct canary_cfg *c = &s->m->canary;

	if (!s->nras_asked && ask_nras(s))
		return;
	if (!c->enabled || stop_requested) {
		finish_probe(s);
		return;
	}
	s->stream = c->stream == CANARY_STREAM_YES ||
	    (c->stream == CANARY_STREAM_ALTERNATE && s->n_probes % 2 == 1);
	s->canary_req = canary_request_body(s->m, s->stream,
	    &s->canary_req_len);
	s->step = STEP_CANARY;
	if ((s->canary_url = canary_completion_url(s->m)) == NULL ||
	    !start(s, s->canary_url, "POST", s->canary_req, s->canary_req_len,
	    canary_done))
		finish_probe(s);
}

static void
coll_done(void *arg)
{
	struct model_state *s = arg;

	if (--s->coll_pending == 0)
		continue_probe(s);
}

/*
 * The PCK leaf's SGX extension of the quote (len bytes) into *pi, if its
 * PCK chain verifies to the pinned root (the test root under
 * test_trust_anchors).  An FMSPC is fetched for only then: a forged
 * certificate must not make tmond fetch, log and keep a cache slot for
 * FMSPCs of the upstream's choosing (MAX_COLLATERAL_SLOTS).
 */
static bool
verified_pck(const struct daemon *d, const uint8_t *quote, size_t len,
    struct tdx_pck_info *pi)
{
	const struct config *cfg = d->o->cfg;
	const struct check *c;
	struct checklist cl;
	struct tdx_check_opts o;
	struct tdx_quote q;
	bool parsed;

	checklist_init(&cl);
	memset(&o, 0, sizeof(o));
	o.root_der = cfg->test_intel_root_der;
	o.root_der_len = cfg->test_intel_root_der_len;
	parsed = tdx_check_quote(d->vc, quote, len, wall_s(), &o, &q, &cl);
	if (!parsed || !q.pck_ok ||
	    (c = checklist_get(&cl, "tdx.pck_chain")) == NULL ||
	    c->status != CHECK_PASS)
		return false;
	*pi = q.pck;
	return true;
}

/*
 * The AMD KDS collateral of a Tinfoil SEV-SNP report a, if it is not
 * held yet (kds_client.h): 1 when a fetch started (coll_done runs for
 * it), else 0.  The report's CHIP_ID and TCB are not authenticated
 * before the VCEK is had: the cache is bounded (MAX_COLLATERAL_SLOTS)
 * and a failed chip is not asked again for 10 minutes.
 */
static int
fetch_kds(struct model_state *s, const struct gw_attestation *a)
{
	struct daemon *d = s->d;
	struct snp_report r;
	struct tmon_err err;

	tmon_err_clear(&err);
	if (d->kds == NULL || a->quote == NULL || !a->is_tinfoil ||
	    a->tinfoil.platform != TINFOIL_SEV_SNP ||
	    snp_report_parse(a->quote, a->quote_len, &r, &err) != TMON_OK ||
	    !kds_client_wants(d->kds, snp_product(&r), r.chip_id,
	    r.reported_tcb, wall_s()))
		return 0;
	s->coll_pending++;
	if (kds_client_refresh(d->kds, d->fetch, d->w, snp_product(&r),
	    r.chip_id, r.reported_tcb, wall_s(), coll_done, s, &err) !=
	    TMON_OK) {
		s->coll_pending--;
		log_warnx("collateral: %s model=%s", err.msg, s->m->name);
		return 0;
	}
	return 1;
}

/*
 * Fetch the collateral the reports of this answer need, if it is
 * missing or due for refresh, before verifying: Intel's for TDX quotes
 * (pcs_client.h), AMD's for SEV-SNP reports (fetch_kds).
 * Returns the number of fetches started (coll_done runs for each).
 */
static int
fetch_collateral(struct model_state *s)
{
	struct daemon *d = s->d;
	struct gw_report rep;
	struct tdx_pck_info pi;
	struct tmon_err err;
	size_t i;
	int n = 0;

	if ((d->coll == NULL && d->kds == NULL) || s->att.rc != TMON_OK ||
	    s->att.status != 200 || gw_report_decode(s->att.body,
	    s->att.body_len, &rep, NULL) != TMON_OK)
		return 0;
	s->coll_pending++;	/* held until every fetch has started */
	for (i = 0; i < rep.n_att; i++) {
		if (rep.att[i].is_tinfoil &&
		    rep.att[i].tinfoil.platform == TINFOIL_SEV_SNP) {
			n += fetch_kds(s, &rep.att[i]);
			continue;
		}
		if (d->coll == NULL || rep.att[i].quote == NULL ||
		    !verified_pck(d, rep.att[i].quote, rep.att[i].quote_len,
		    &pi) ||
		    !pcs_client_wants(d->coll, pi.fmspc, (int)pi.ca, wall_s()))
			continue;
		tmon_err_clear(&err);
		s->coll_pending++;
		if (pcs_client_refresh(d->coll, d->fetch, d->w, pi.fmspc,
		    (int)pi.ca, wall_s(), coll_done, s, &err) != TMON_OK) {
			s->coll_pending--;
			log_warnx("collateral: %s model=%s", err.msg,
			    s->m->name);
			continue;
		}
		n++;
	}
	gw_report_free(&rep);
	s->coll_pending--;
	return n;
}

/*
 * The code provenance of s's model, if a look-up is due
 * (provenance_client.h): 1 when one started (coll_done runs for it),
 * else 0.
 */
static int
fetch_provenance(struct model_state *s)
{
	struct daemon *d = s->d;
	struct tmon_err err;

	if (d->prov == NULL || !prov_client_wants(d->prov, s->m, wall_s()))
		return 0;
	tmon_err_clear(&err);
	s->coll_pending++;
	if (prov_client_refresh(d->prov, d->fetch, d->w, s->m, wall_s(),
	    coll_done, s, &err) != TMON_OK) {
		s->coll_pending--;
		log_warnx("provenance: %s model=%s", err.msg, s->m->name);
		return 0;
	}
	return 1;
}

static void
att_done(struct fetch_result *res, void *arg)
{
	struct model_state *s = arg;

	fetch_result_move(&s->att, res);
	s->step = STEP_COLLATERAL;
	if (stop_requested) {
		continue_probe(s);
		return;
	}
	/* held until every look-up and fetch has started */
	s->coll_pending = 1;
	(void)fetch_provenance(s);
	(void)fetch_collateral(s);
	if (--s->coll_pending == 0)
		continue_probe(s);
}

/* probe_fetch.provenance: the provenance checks of s's probe. */
static void
probe_provenance(void *arg, const struct attest_measurement *m,
    struct checklist *cl)
{
	struct model_state *s = arg;

	prov_client_check(s->d->prov, s->m, m, cl);
}

static void
finish_probe(struct model_state *s)
{
	struct daemon *d = s->d;
	struct probe_fetch pf, ipf, npf;
	struct probe_canary cn;
	struct attest_ctx ctx;

	to_probe_fetch(&s->att, true, &pf);
	pf.provenance = probe_provenance;
	pf.provenance_arg = s;
	if (s->nras_url != NULL) {
		to_probe_fetch(&s->nras, true, &npf);
		pf.nras = &npf;
		pf.nras_url = s->nras_url;
		pf.nras_jwks = s->nras_jwks;
		pf.nras_jwks_len = s->nras_jwks_len;
	}
	if (s->inst_url != NULL) {
		to_probe_fetch(&s->inst, true, &ipf);
		pf.instances = &ipf;
		pf.instances_url = s->inst_url;
	}
	memset(&cn, 0, sizeof(cn));
	if (s->canary_req != NULL) {
		cn.attempted = true;
		cn.stream = s->stream;
		cn.url = s->canary_url;
		cn.request = s->canary_req;
		cn.request_len = s->canary_req_len;
		to_probe_fetch(&s->comp, true, &cn.completion);
		cn.completion_id = s->completion_id;
		cn.sig_attempted = s->sig_tries > 0;
		to_probe_fetch(&s->sigr, s->sig_tries > 0, &cn.signature);
		cn.sig_tries = s->sig_tries;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.vc = d->vc;
	ctx.policy = s->m->has_policy ? &s->m->policy : NULL;
	if (d->coll != NULL) {
		ctx.collateral = pcs_client_lookup;
		ctx.collateral_arg = d->coll;
	}
	if (d->kds != NULL) {
		ctx.amd_collateral = kds_client_lookup;
		ctx.amd_collateral_arg = d->kds;
	}
	if (d->o->cfg->test_intel_root_der != NULL ||
	    d->o->cfg->test_nvidia_root_der != NULL) {
		ctx.test_pki = true;
		ctx.intel_root_der = d->o->cfg->test_intel_root_der;
		ctx.intel_root_der_len = d->o->cfg->test_intel_root_der_len;
		ctx.nvidia_root_der = d->o->cfg->test_nvidia_root_der;
		ctx.nvidia_root_der_len = d->o->cfg->test_nvidia_root_der_len;
	}
	probe_evaluate(s->m, s->url, s->nonce, s->started, wall_s(), &ctx, &pf,
	    &cn, &s->po);
	observe_probe(s);
	s->has_po = true;
	s->step = STEP_LOG;
	d->waiting++;
	publish_health(d);
	/* While the log is not writable, the retry timer logs it. */
	if (!degraded(d))
		(void)log_probe(s);
}

static bool
degraded(const struct daemon *d)
{
	return d->file_bad || d->write_bad;
}

/* Copy the write health where the API threads read it. */
static void
publish_health(struct daemon *d)
{
	pthread_mutex_lock(&d->health_mu);
	memset(&d->health, 0, sizeof(d->health));
	d->health.degraded = degraded(d);
	if (d->health.degraded) {
		/* public: the path stays in tmond's own log */
		snprintf(d->health.reason, sizeof(d->health.reason), "%s",
		    d->file_bad ? "the database file was deleted, renamed or "
		    "replaced while tmond had it open" : d->why_write);
		d->health.since = d->since;
	}
	d->health.pending = d->waiting;
	pthread_mutex_unlock(&d->health_mu);
	if (d->rcpt != NULL && d->rcpt_refused != degraded(d)) {
		d->rcpt_refused = degraded(d);
		rcpt_set_unwritable(d->rcpt, d->rcpt_refused);
	}
}

/* api_config.health: GET /healthz, on an API thread. */
static void
health_cb(void *arg, struct api_health *out)
{
	struct daemon *d = arg;

	pthread_mutex_lock(&d->health_mu);
	*out = d->health;
	pthread_mutex_unlock(&d->health_mu);
}

/* Say loudly, at most every DEGRADED_WARN_MS, that nothing is logged. */
static void
warn_degraded(struct daemon *d)
{
	int64_t now = mono_ms();

	if (d->warned_ms != 0 && now - d->warned_ms < DEGRADED_WARN_MS)
		return;
	d->warned_ms = now;
	if (d->file_bad)
		log_warnx("tmond: DEGRADED: %s; nothing is logged any more "
		    "and receipts are refused (503): restore the file or "
		    "restart tmond (a new log needs --init); %zu probes "
		    "waiting", d->why_file, d->waiting);
	else
		log_warnx("tmond: DEGRADED: the log is not writable: %s; "
		    "probes wait and are retried, receipts are refused "
		    "(503); %zu probes waiting", d->why_write, d->waiting);
}

/* Enter (or stay in) the degraded state; file: the db file is gone. */
static void
set_degraded(struct daemon *d, bool file, const char *why)
{
	bool was = degraded(d);

	if (file ? !d->file_bad : !d->write_bad)
		d->warned_ms = 0;	/* a new kind of trouble: say it now */
	if (file) {
		d->file_bad = true;
		snprintf(d->why_file, sizeof(d->why_file), "%s", why);
	} else {
		d->write_bad = true;
		snprintf(d->why_write, sizeof(d->why_write), "%s", why);
	}
	if (!was)
		d->since = wall_s();
	warn_degraded(d);
	publish_health(d);
}

/* Leave the degraded state of kind file (or the write failure kind). */
static void
clear_degraded(struct daemon *d, bool file)
{
	if (file ? !d->file_bad : !d->write_bad)
		return;
	if (file)
		d->file_bad = false;
	else {
		d->write_bad = false;
		d->retry_ms = 0;
	}
	if (!degraded(d)) {
		log_info("tmond: the log is writable again after %llds; %zu "
		    "probes waiting", (long long)(wall_s() - d->since),
		    d->waiting);
		d->since = 0;
	}
	publish_health(d);
}

/* Is the file we write still the one at db_path (the writer's latest
 * store_check_file)?  Each loop round and after a failed append. */
static void
check_file(struct daemon *d)
{
	struct tmon_err err;

	tmon_err_clear(&err);
	if (store_writer_check_file(d->w, &err) != TMON_OK)
		set_degraded(d, true, err.msg);
	else
		clear_degraded(d, true);
}

/* An append failed for a reason of the environment: retry later. */
static void
append_failed(struct daemon *d, const struct tmon_err *err)
{
	d->retry_ms = d->retry_ms == 0 ? RETRY_MIN_MS :
	    (d->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : d->retry_ms * 2);
	d->retry_due_ms = mono_ms() + d->retry_ms;
	check_file(d);
	if (!d->file_bad)
		set_degraded(d, false, err->msg);
}

/* True when the store refused the append because of what it was given
 * (retrying the same append cannot succeed). */
static bool
input_refused(enum tmon_rc rc)
{
	return rc == TMON_E_PARSE || rc == TMON_E_LIMIT ||
	    rc == TMON_E_UNSUPPORTED;
}

/*
 * The store refused the bytes of s's probe (a bound or a field the daemon
 * should have kept it from): log the probe all the same, as an error with
 * no blob, so that it is neither lost nor fatal.
 */
static enum tmon_rc
log_probe_bare(struct model_state *s, const struct tmon_err *why,
    struct store_appended *app, struct tmon_err *err)
{
	struct daemon *d = s->d;
	struct probe_fetch pf;
	struct store_entry_in in;
	char msg[sizeof(why->msg) + 64];
	enum tmon_rc rc;

	log_warnx("store: the probe's bytes were refused, logging it "
	    "without them: %s model=%s", why->msg, s->m->name);
	snprintf(msg, sizeof(msg), "tmond could not store the answer: %s",
	    why->msg);
	memset(&pf, 0, sizeof(pf));
	pf.rc = TMON_E_INTERNAL;
	pf.status = s->att.status;
	pf.duration_ms = s->att.duration_ms;
	pf.error = msg;
	probe_outcome_free(&s->po);
	probe_evaluate(s->m, s->url, s->nonce, s->started, wall_s(), NULL,
	    &pf, NULL, &s->po);
	/* no canary in the bare entry: not its request blob either */
	free(s->canary_req);
	s->canary_req = NULL;
	s->canary_req_len = 0;
	memset(&in, 0, sizeof(in));
	in.kind = "probe";
	in.time = s->started;
	in.model = s->m->name;
	in.verdict = check_status_str(s->po.res.verdict);
	in.body = s->po.entry;
	in.body_len = s->po.entry_len;
	tmon_err_clear(err);
	rc = store_writer_append(d->w, NULL, 0, &in, 1, app, err);
	return rc;
}

/*
 * The one point where a probe and everything it raised are logged: the
 * probe s->probe_seq (verdict s->al.last_verdict, its checks s->al.checks
 * with s->al.failing when one is fail or error) and the alerts appended
 * after it (s->out.alerts[i], its body and reason, logged as s->al_seq[i]
 * when s->al_ok[i]).  Delivery (notify) hooks in here.
 */
static void
probe_done(struct model_state *s)
{
	size_t i;

	for (i = 0; i < s->out.n_alerts; i++)
		if (s->al_ok[i]) {
			log_debug("probe: model=%s seq=%llu raised alert "
			    "seq=%llu reason=%s", s->m->name,
			    (unsigned long long)s->probe_seq,
			    (unsigned long long)s->al_seq[i],
			    s->out.alerts[i].reason);
			notify_probe_alert(&s->np, s->al_seq[i],
			    s->out.alerts[i].body, s->out.alerts[i].len);
		}
	notify_submit(s->d->notify, &s->np);
}

/*
 * Append one event or alert entry of model s (kind "event" with class
 * cls, or "alert"); *seq its seq on TMON_OK.
 */
static enum tmon_rc
log_raised(struct model_state *s, const char *kind, const char *cls,
    int64_t time, const uint8_t *body, size_t len, uint64_t *seq,
    struct tmon_err *err)
{
	struct store_entry_in in;
	struct store_appended app;
	enum tmon_rc rc;

	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.cls = cls;
	in.time = time;
	in.model = s->m->name;
	in.body = body;
	in.body_len = len;
	tmon_err_clear(err);
	if ((rc = store_writer_append(s->d->w, NULL, 0, &in, 1, &app, err)) ==
	    TMON_OK)
		*seq = app.seq;
	return rc;
}

/*
 * Append s's evaluated probe (with its blobs), then the events and the
 * alerts it raised, each in its own transaction.  Returns true when all
 * of it is logged (s is then reset and scheduled again), false when the
 * log refused it for a reason of the environment (s stays in STEP_LOG
 * for a retry).  Never stops tmond.
 */
static bool
log_probe(struct model_state *s)
{
	struct daemon *d = s->d;
	struct store_blob_in blobs[8];
	struct store_entry_in in;
	struct store_appended app;
	struct pending_event *ev;
	struct pending_alert *a;
	struct tmon_err err;
	enum tmon_rc rc;
	uint64_t seq;
	size_t nb = 0;
	char nhex[17];

	if (s->has_po) {
		memset(&in, 0, sizeof(in));
		in.kind = "probe";
		in.time = s->started;
		in.model = s->m->name;
		in.verdict = check_status_str(s->po.res.verdict);
		in.body = s->po.entry;
		in.body_len = s->po.entry_len;
		memset(blobs, 0, sizeof(blobs));
		/* probe_evaluate set has_* only for non-empty bodies */
		if (s->po.has_body) {
			blobs[nb].data = s->att.body;
			blobs[nb].len = s->att.body_len;
			blobs[nb++].media_type = media_type(&s->att);
		}
		if (s->po.has_tls_chain) {
			blobs[nb].data = s->att.tls_chain;
			blobs[nb].len = s->att.tls_chain_len;
			blobs[nb++].media_type = "application/octet-stream";
		}
		if (s->po.has_nras) {
			blobs[nb].data = s->nras.body;
			blobs[nb].len = s->nras.body_len;
			blobs[nb++].media_type = media_type(&s->nras);
		}
		if (s->po.has_nras_jwks) {
			blobs[nb].data = s->nras_jwks;
			blobs[nb].len = s->nras_jwks_len;
			blobs[nb++].media_type = "application/json";
		}
		if (s->po.has_instances) {
			blobs[nb].data = s->inst.body;
			blobs[nb].len = s->inst.body_len;
			blobs[nb++].media_type = media_type(&s->inst);
		}
		if (s->canary_req != NULL && s->canary_req_len > 0) {
			blobs[nb].data = s->canary_req;
			blobs[nb].len = s->canary_req_len;
			blobs[nb++].media_type = "application/json";
		}
		if (s->po.has_canary_resp) {
			blobs[nb].data = s->comp.body;
			blobs[nb].len = s->comp.body_len;
			blobs[nb++].media_type = media_type(&s->comp);
		}
		if (s->po.has_canary_sig) {
			blobs[nb].data = s->sigr.body;
			blobs[nb].len = s->sigr.body_len;
			blobs[nb++].media_type = media_type(&s->sigr);
		}
		tmon_err_clear(&err);
		rc = store_writer_append(d->w, blobs, nb, &in, 1, &app,
		    &err);
		if (input_refused(rc))
			rc = log_probe_bare(s, &err, &app, &err);
		if (rc != TMON_OK) {
			if (input_refused(rc)) {
				/* Not even the bare entry: say so and go on. */
				log_warnx("store: probe not logged: %s "
				    "model=%s", err.msg, s->m->name);
				goto done;
			}
			log_debug("store: probe not logged yet: %s model=%s",
			    err.msg, s->m->name);
			append_failed(d, &err);
			return false;
		}
		d->logged++;
		log_info("probe: model=%s verdict=%s seq=%llu nonce=%s...",
		    s->m->name, check_status_str(s->po.res.verdict),
		    (unsigned long long)app.seq, hex_encode(s->nonce, 8, nhex));
		maybe_alert(s, &s->po, app.seq);
		notify_probe_set(&s->np, s->m->name, &s->po, app.seq);
		probe_outcome_free(&s->po);
		s->has_po = false;
	}
	for (; s->ev_done < s->out.n_events; s->ev_done++) {
		ev = &s->out.events[s->ev_done];
		rc = log_raised(s, "event", ev->cls, ev->time, ev->body,
		    ev->len, &seq, &err);
		if (rc != TMON_OK && !input_refused(rc)) {
			log_debug("store: event not logged yet: %s model=%s",
			    err.msg, s->m->name);
			append_failed(d, &err);
			return false;
		}
		if (rc != TMON_OK)
			log_warnx("store: event not logged: %s model=%s",
			    err.msg, s->m->name);
		else {
			s->ev_ok[s->ev_done] = true;
			s->ev_seq[s->ev_done] = seq;
			log_info("event: %s seq=%llu", ev->what,
			    (unsigned long long)seq);
		}
	}
	for (; s->al_done < s->out.n_alerts; s->al_done++) {
		a = &s->out.alerts[s->al_done];
		if (a->event >= 0)
			alert_finish(a, s->m->name, s->ev_ok[a->event],
			    s->ev_seq[a->event]);
		rc = log_raised(s, "alert", NULL, a->time, a->body, a->len,
		    &seq, &err);
		if (rc != TMON_OK && !input_refused(rc)) {
			log_debug("store: alert not logged yet: %s model=%s",
			    err.msg, s->m->name);
			append_failed(d, &err);
			return false;
		}
		if (rc != TMON_OK)
			log_warnx("store: alert not logged: %s model=%s",
			    err.msg, s->m->name);
		else {
			s->al_ok[s->al_done] = true;
			s->al_seq[s->al_done] = seq;
			log_warnx("alert: %s seq=%llu", a->what,
			    (unsigned long long)seq);
		}
	}
	probe_done(s);
done:
	d->waiting--;
	clear_degraded(d, false);
	s->n_probes++;
	reset_probe(s);
	s->next_due_ms = sched_next_due(s->m, mono_ms());
	publish_health(d);
	return true;
}

/* Retry the probes waiting in STEP_LOG, oldest model first. */
static void
retry_waiting(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->n && d->waiting > 0; i++)
		if (d->ms[i]->step == STEP_LOG && !log_probe(d->ms[i]))
			return;
}

/* The instances answer is in: the attestation request follows, whatever
 * it was (a failed one leaves the instances' bindings unchecked). */
static void
inst_done(struct fetch_result *res, void *arg)
{
	struct model_state *s = arg;
	struct fetch_result none;

	fetch_result_move(&s->inst, res);
	s->step = STEP_ATTEST;
	if (stop_requested || !start(s, s->url, "GET", NULL, 0, att_done)) {
		/* no attestation request: logged as one not made */
		memset(&none, 0, sizeof(none));
		none.rc = TMON_E_INTERNAL;
		snprintf(none.error, sizeof(none.error), "not requested");
		att_done(&none, s);
	}
}

static void
start_probe(struct model_state *s)
{
	if (RAND_bytes(s->nonce, sizeof(s->nonce)) != 1) {
		log_crypto_warnx("rand: no nonce, probe postponed model=%s",
		    s->m->name);
		s->next_due_ms = mono_ms() + SCHED_NO_NONCE_MS;
		return;
	}
	if ((s->url = probe_url(s->m, s->nonce)) == NULL) {
		log_warnx("probe: url too long model=%s", s->m->name);
		s->next_due_ms = sched_retry_due(s->m, mono_ms());
		return;
	}
	s->started = wall_s();
	s->started_ms = mono_ms();
	s->in_flight = true;
	s->step = STEP_ATTEST;
	if (s->m->prov->instances_path != NULL) {
		if ((s->inst_url = probe_instances_url(s->m)) == NULL) {
			log_warnx("probe: url too long model=%s", s->m->name);
			reset_probe(s);
			s->next_due_ms = sched_retry_due(s->m, mono_ms());
			return;
		}
		s->step = STEP_INSTANCES;
		if (!start(s, s->inst_url, "GET", NULL, 0, inst_done)) {
			reset_probe(s);
			s->next_due_ms = sched_retry_due(s->m, mono_ms());
		}
		return;
	}
	if (!start(s, s->url, "GET", NULL, 0, att_done)) {
		reset_probe(s);
		s->next_due_ms = sched_retry_due(s->m, mono_ms());
		return;
	}
	log_debug("probe: start model=%s", s->m->name);
}

static int
loop_once(struct daemon *d)
{
	int64_t now = mono_ms(), wait = SCHED_POLL_MS;
	size_t i, running;
	struct model_state *s;
	struct sched_slot sl;
	struct sched_room room;

	if (reload_requested || d->settling)
		daemon_reload(d);
	check_file(d);
	if (d->waiting > 0 && !d->file_bad) {
		if (!d->write_bad || d->retry_due_ms <= now)
			retry_waiting(d);
		else if (d->retry_due_ms - now < wait)
			wait = d->retry_due_ms - now;
	}
	if (degraded(d))
		warn_degraded(d);
	running = fetch_running(d->fetch);
	memset(&room, 0, sizeof(room));
	room.max_concurrent = d->cfg->max_concurrent;
	room.max_probes = d->o->max_probes;
	for (i = 0; i < d->n; i++) {
		s = d->ms[i];
		sl.next_due = s->next_due_ms;
		sl.sig_due = s->sig_due_ms;
		sl.busy = s->in_flight;
		sl.sig_wait = s->step == STEP_SIG_WAIT;
		room.running = running;
		room.logged = d->logged;
		/* No probe starts while nothing can be logged. */
		room.hold = degraded(d);
		switch (sched_pick(&sl, &room, now, &wait)) {
		case SCHED_RUN_SIGNATURE:
			start_signature(s);
			break;
		case SCHED_RUN_PROBE:
			start_probe(s);
			running = fetch_running(d->fetch);
			break;
		case SCHED_RUN_NONE:
			break;
		}
	}
	return fetch_poll(d->fetch, (int)wait);
}

/*
 * Open the log (read-only with --read-only) and verify its newest
 * STORE_VERIFY_TAIL entries and the blobs they name (store_verify): a
 * damaged tail stops tmond before it appends anything; read-only, tmond
 * only warns and serves the log as it is (the API answers 500 for every
 * damaged entry it would show).
 */
static enum tmon_rc
open_log(struct daemon *d, struct tmon_err *err)
{
	struct store_verify_opts vo;
	struct store_verify_result vr;
	struct tmon_err lerr;
	enum tmon_rc rc;

	if ((rc = store_open(d->o->db_path, d->o->read_only ? STORE_RO :
	    STORE_RW, &d->store, err)) != TMON_OK)
		return rc;
	memset(&vo, 0, sizeof(vo));
	vo.tail = STORE_VERIFY_TAIL;
	tmon_err_clear(&lerr);
	rc = store_verify(d->store, &vo, &vr, &lerr);
	if (rc == TMON_OK) {
		if (vr.entries > 0)
			log_info("store: entries %llu..%llu and the %llu blobs "
			    "they name verify", (unsigned long long)vr.first,
			    (unsigned long long)(vr.size - 1),
			    (unsigned long long)vr.blobs);
		return TMON_OK;
	}
	if (rc != TMON_E_PARSE)
		return tmon_err_set(err, rc, "%s", lerr.msg);
	if (d->o->read_only) {
		log_warnx("%s: the log is damaged (first bad seq %llu); "
		    "serving it read-only", lerr.msg,
		    (unsigned long long)vr.first_bad_seq);
		return TMON_OK;
	}
	return tmon_err_set_at(err, TMON_E_PARSE, lerr.offset, "%s: the log "
	    "is damaged (first bad seq %llu), not appending to it: run "
	    "tmonctl audit; --read-only serves it as it is", lerr.msg,
	    (unsigned long long)vr.first_bad_seq);
}

/*
 * The log's key (logkey.h): made with a new log, loaded otherwise, and
 * the stored checkpoints and the checkpoint file checked against the
 * log: tmond does not append to a log that does not match what it
 * signed.  Read-only, a key that cannot be loaded or a log that does not
 * match is only warned about (the log is served as it is, for forensics).
 */
static enum tmon_rc
open_log_key(struct daemon *d, struct tmon_err *err)
{
	struct logkey_paths p;
	struct tmon_err lerr;
	enum tmon_rc rc;

	if ((rc = logkey_paths(&d->o->cfg->log, d->o->db_path,
	    d->o->listen_host, d->o->listen_port, &p, err)) != TMON_OK)
		return rc;
	tmon_err_clear(&lerr);
	rc = logkey_open(&p, !d->o->read_only, d->store, &d->key, &lerr);
	if (rc == TMON_OK) {
		log_info("log: origin %s, verifier key %s", logkey_origin(d->key),
		    logkey_vkey(d->key));
		return TMON_OK;
	}
	if (d->o->read_only) {
		log_warnx("log: %s; serving the log read-only without its key",
		    lerr.msg);
		return TMON_OK;
	}
	return tmon_err_set(err, rc, "%s", lerr.msg);
}

/*
 * A new log is created only when asked for (--init): where a previous
 * run's log is expected but missing (deleted, a wrong path, a volume not
 * mounted), a new one would start again at seq 0, and old sequence
 * numbers would name other entries.
 */
static enum tmon_rc
check_log(const struct daemon_opts *o, struct tmon_err *err)
{
	struct stat sb;
	const char *what;

	if (stat(o->db_path, &sb) != 0) {
		if (errno != ENOENT)
			return tmon_err_set(err, TMON_E_IO, "%s: %s",
			    o->db_path, strerror(errno));
		what = "no such file";
	} else if (!S_ISREG(sb.st_mode) || sb.st_size > 0)
		return TMON_OK;		/* store_open refuses what is no file */
	else
		what = "an empty file";
	if (o->init) {
		log_info("store: creating a new log at %s (--init)",
		    o->db_path);
		return TMON_OK;
	}
	return tmon_err_set(err, TMON_E_NOTFOUND, "%s: no log there (%s); "
	    "start tmond once with --init to create a new one", o->db_path,
	    what);
}

/*
 * The receipt token from the environment variable receipts.token_env
 * names (*tok NULL when none is configured).  A named variable that is
 * unset, or not 16..MAX_BEARER_TOKEN characters of RFC 6750 b64token, is
 * a configuration error: receipts are never taken unauthenticated by
 * mistake.  The token itself is never logged.
 */
static enum tmon_rc
receipt_token(const struct config *cfg, const char **tok,
    struct tmon_err *err)
{
	const char *t, *name = cfg->receipts_token_env;
	size_t n, i;

	*tok = NULL;
	if (name == NULL)
		return TMON_OK;
	if ((t = getenv(name)) == NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "receipts.token_env: "
		    "environment variable %s is not set", name);
	n = strlen(t);
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= 'a' && t[i] <= 'z') ||
		    (t[i] >= '0' && t[i] <= '9') ||
		    strchr("-._~+/=", t[i]) != NULL))
			break;
	if (n < 16 || n > MAX_BEARER_TOKEN || i < n)
		return tmon_err_set(err, TMON_E_CONFIG, "receipts.token_env: "
		    "%s must hold 16 to %u characters of A-Z a-z 0-9 - . _ ~ "
		    "+ / =", name, MAX_BEARER_TOKEN);
	*tok = t;
	return TMON_OK;
}

static enum tmon_rc	load_sigstore_root(const struct daemon_opts *,
			    struct sigstore_root **, struct tmon_err *);

enum tmon_rc
daemon_check(const struct daemon_opts *o, struct tmon_err *err)
{
	const struct config *cfg = o->cfg;
	struct sigstore_root *root = NULL;
	struct store *st = NULL;
	struct tmon_err lerr;
	struct stat sb;
	const char *tok, *dir;
	char path[4096], *slash;
	enum tmon_rc rc;
	bool none;
	size_t i;

	if ((rc = receipt_token(cfg, &tok, err)) != TMON_OK ||
	    (rc = load_sigstore_root(o, &root, err)) != TMON_OK)
		return rc;
	sigstore_root_free(root);
	for (i = 0; i < cfg->n_models; i++)
		if (cfg->models[i].api_key_env != NULL &&
		    getenv(cfg->models[i].api_key_env) == NULL)
			log_warnx("config: environment variable %s is not "
			    "set; tmond would probe without an API key "
			    "model=%s", cfg->models[i].api_key_env,
			    cfg->models[i].name);
	if (o->dashboard_dir != NULL) {
		snprintf(path, sizeof(path), "%s/index.html",
		    o->dashboard_dir);
		if (access(path, R_OK) != 0)
			return tmon_err_set(err, TMON_E_CONFIG, "dashboard: "
			    "%s: %s", path, strerror(errno));
	}
	if (stat(o->db_path, &sb) != 0) {
		if (errno != ENOENT)
			return tmon_err_set(err, TMON_E_IO, "%s: %s",
			    o->db_path, strerror(errno));
		none = true;
	} else
		none = S_ISREG(sb.st_mode) && sb.st_size == 0;
	if (none) {
		/* no log yet: --init makes one in its directory */
		snprintf(path, sizeof(path), "%s", o->db_path);
		dir = ".";
		if ((slash = strrchr(path, '/')) == path)
			dir = "/";
		else if (slash != NULL) {
			*slash = '\0';
			dir = path;
		}
		if (!o->init)
			log_warnx("%s: no log there; start tmond once with "
			    "--init to create a new one", o->db_path);
		else if (access(dir, W_OK) != 0)
			return tmon_err_set(err, TMON_E_IO, "%s: cannot "
			    "create the log there: %s", o->db_path,
			    strerror(errno));
		return TMON_OK;
	}
	tmon_err_clear(&lerr);
	rc = store_open(o->db_path, STORE_RO, &st, &lerr);
	store_close(st);
	if (rc == TMON_E_UNSUPPORTED) {
		/* an older schema is migrated at start, a newer refused */
		log_warnx("%s", lerr.msg);
		return TMON_OK;
	}
	if (rc != TMON_OK)
		return tmon_err_set(err, rc, "%s", lerr.msg);
	return TMON_OK;
}

/*
 * Reload (SIGHUP).  The schedule is re-read and validated; an invalid one
 * keeps the running schedule.  Models are matched by name: a new one gets
 * a state (its last verdict and instances from the log, its first probe
 * a jitter from now), one no longer listed is dropped, a changed one is
 * probed a jitter from now with its new settings; an unchanged one keeps
 * its state and timing.  reference_values apply to the probes judged
 * from then on (maybe_alert).  A model whose probe is under way keeps its
 * settings until that probe is logged (next_m, removed), and the config
 * it points into is freed only then.  max_concurrent applies at once;
 * the other top-level keys need a restart (reload_restart_keys).  The
 * API's list of configured models is replaced (api_set_models); the
 * server and its connections are untouched.
 */

static bool
model_idle(const struct model_state *s)
{
	return !s->in_flight && s->step == STEP_IDLE;
}

/* A state for m: its alert state from st (NULL: none yet), its first
 * probe a jitter from now. */
static struct model_state *
model_state_new(struct daemon *d, const struct model_cfg *m,
    struct store *st)
{
	struct model_state *s;

	s = xcalloc(1, sizeof(*s));
	s->m = m;
	s->d = d;
	s->next_due_ms = sched_first_due(m, mono_ms());
	if (st != NULL)
		alert_state_load(&s->al, st, m->name);
	if (m->api_key_env != NULL && getenv(m->api_key_env) == NULL)
		log_warnx("config: environment variable %s is not set; "
		    "probing without an API key model=%s", m->api_key_env,
		    m->name);
	return s;
}

static void
model_state_free(struct model_state *s)
{
	if (s == NULL)
		return;
	reset_probe(s);
	alert_state_free(&s->al);
	notify_probe_clear(&s->np);
	free(s);
}

/* Hand the API the configured models of cfg. */
static void
publish_models(struct daemon *d, const struct config *cfg)
{
	struct api_model *am;
	struct tmon_err err;
	size_t i;

	if (d->api == NULL)
		return;
	am = xcalloc(cfg->n_models + 1, sizeof(*am));
	for (i = 0; i < cfg->n_models; i++) {
		am[i].model = cfg->models[i].name;
		am[i].provider = cfg->models[i].provider;
	}
	tmon_err_clear(&err);
	if (api_set_models(d->api, am, cfg->n_models, &err) != TMON_OK)
		log_warnx("reload: the API keeps its list of models: %s",
		    err.msg);
	free(am);
}

/* Apply what waits for an idle model; free the configs nothing uses. */
static void
reload_settle(struct daemon *d)
{
	struct model_state *s;
	struct old_config *oc;
	bool pending = false, changed;
	size_t i;

	for (i = 0; i < d->n; i++) {
		s = d->ms[i];
		if (!s->removed && s->next_m == NULL)
			continue;
		if (!model_idle(s)) {
			pending = true;
			continue;
		}
		if (s->removed) {
			log_info("reload: model=%s removed after its last "
			    "probe", s->m->name);
			model_state_free(s);
			memmove(&d->ms[i], &d->ms[i + 1],
			    (d->n - i - 1) * sizeof(d->ms[0]));
			d->n--;
			i--;
			continue;
		}
		changed = !reload_model_equal(s->m, s->next_m);
		s->m = s->next_m;
		s->next_m = NULL;
		if (changed)
			s->next_due_ms = sched_first_due(s->m, mono_ms());
	}
	if (!pending)
		while ((oc = d->cfg_old) != NULL) {
			d->cfg_old = oc->next;
			config_free(oc->cfg);
			free(oc);
		}
	d->settling = pending;
}

/* Re-read the schedule (SIGHUP) and apply it. */
static void
reload_config(struct daemon *d)
{
	struct model_state **ms, *s;
	struct old_config *oc;
	struct config *nc = NULL;
	struct store *st = NULL;
	const struct model_cfg *m;
	struct tmon_err err;
	size_t i, j, k, n_ms, added = 0, changed = 0, removed = 0;
	char keys[128];
	bool *kept;

	if (d->o->config_path == NULL) {
		log_warnx("reload: no schedule file to re-read");
		return;
	}
	tmon_err_clear(&err);
	if (config_load(d->o->config_path, &nc, &err) != TMON_OK) {
		log_warnx("reload: %s; the running schedule is kept (%zu "
		    "models)", err.msg, d->cfg->n_models);
		return;
	}
	if (reload_restart_keys(d->o->cfg, nc, keys, sizeof(keys)) > 0)
		log_warnx("reload: %s changed: needs a restart; the running "
		    "values are kept", keys);
	tmon_err_clear(&err);
	if (d->pool != NULL && store_pool_get(d->pool, &st, &err) != TMON_OK)
		log_warnx("reload: %s; new models start without their "
		    "history", err.msg);
	ms = xcalloc(nc->n_models + d->n + 1, sizeof(*ms));
	kept = xcalloc(d->n + 1, sizeof(*kept));
	n_ms = 0;
	for (j = 0; j < nc->n_models; j++) {
		m = &nc->models[j];
		for (k = 0; k < d->n; k++)
			if (!kept[k] && !d->ms[k]->removed &&
			    strcmp(d->ms[k]->m->name, m->name) == 0)
				break;
		if (k == d->n) {
			log_info("reload: model=%s added", m->name);
			ms[n_ms++] = model_state_new(d, m, st);
			added++;
			continue;
		}
		s = d->ms[k];
		kept[k] = true;
		if (!reload_model_equal(s->m, m)) {
			log_info("reload: model=%s changed%s", m->name,
			    model_idle(s) ? "" : " (after the probe under way)");
			changed++;
		}
		/* m points into nc either way: the old config goes */
		s->next_m = m;
		ms[n_ms++] = s;
	}
	for (k = 0; k < d->n; k++) {
		s = d->ms[k];
		if (kept[k])
			continue;
		if (!s->removed) {
			log_info("reload: model=%s removed%s", s->m->name,
			    model_idle(s) ? "" : " (after the probe under way)");
			removed++;
		}
		if (model_idle(s)) {
			model_state_free(s);
			continue;
		}
		s->removed = true;
		s->next_m = NULL;
		s->next_due_ms = INT64_MAX;	/* no new probe */
		ms[n_ms++] = s;
	}
	if (st != NULL)
		store_pool_put(d->pool, st);
	free(kept);
	free(d->ms);
	d->ms = ms;
	d->n = n_ms;
	if (d->cfg_own != NULL) {
		oc = xcalloc(1, sizeof(*oc));
		oc->cfg = d->cfg_own;
		oc->next = d->cfg_old;
		d->cfg_old = oc;
	}
	d->cfg = d->cfg_own = nc;
	publish_models(d, nc);
	log_info("reload: %s: %zu models (%zu added, %zu changed, %zu "
	    "removed), max_concurrent %u", d->o->config_path, nc->n_models,
	    added, changed, removed, nc->max_concurrent);
	for (i = 0; i < d->n; i++)
		if (d->ms[i]->removed || d->ms[i]->next_m != NULL)
			d->settling = true;
	reload_settle(d);
}

/*
 * The Sigstore trusted root into *out when a model of o's schedule has
 * "provenance" (provenance.trusted_root, else the installed one): read
 * once, never fetched; *out NULL when no model has.  Errors: TMON_E_CONFIG
 * (no file named), those of read_file and sigstore_root_parse.
 */
static enum tmon_rc
load_sigstore_root(const struct daemon_opts *o, struct sigstore_root **out,
    struct tmon_err *err)
{
	const struct config *cfg = o->cfg;
	struct tmon_err lerr;
	const char *path;
	uint8_t *text = NULL;
	size_t len = 0, i;
	bool any = false;
	enum tmon_rc rc;

	*out = NULL;
	for (i = 0; i < cfg->n_models; i++)
		any |= cfg->models[i].provenance.enabled;
	if (!any)
		return TMON_OK;
	path = cfg->provenance_trusted_root != NULL ?
	    cfg->provenance_trusted_root : o->sigstore_root_path;
	if (path == NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "provenance: no "
		    "Sigstore trusted root file");
	tmon_err_clear(&lerr);
	if ((rc = read_file(path, MAX_SIGSTORE_ROOT_LEN, &text, &len,
	    &lerr)) != TMON_OK ||
	    (rc = sigstore_root_parse(text, len, path, out, &lerr)) !=
	    TMON_OK) {
		free(text);
		return tmon_err_set(err, rc, "provenance: %s", lerr.msg);
	}
	free(text);
	return TMON_OK;
}

/*
 * The provenance client, and the trusted root when a model has
 * "provenance" (load_sigstore_root): one that cannot be read or parsed
 * stops tmond at start.  A model given "provenance" by a reload without
 * a root loaded has its look-ups fail ("a restart reads it").
 */
static enum tmon_rc
start_provenance(struct daemon *d, struct tmon_err *err)
{
	const struct config *cfg = d->o->cfg;
	struct prov_client_cfg pc;
	enum tmon_rc rc;

	if ((rc = load_sigstore_root(d->o, &d->sgroot, err)) != TMON_OK)
		return rc;
	if (d->sgroot != NULL)
		log_info("provenance: Sigstore trusted root %s",
		    cfg->provenance_trusted_root != NULL ?
		    cfg->provenance_trusted_root : d->o->sigstore_root_path);
	memset(&pc, 0, sizeof(pc));
	pc.api_url = cfg->github_api_url;
	pc.download_url = cfg->github_download_url;
	pc.root = d->sgroot;
	pc.root_error = "no Sigstore trusted root was loaded at start (no "
	    "model had \"provenance\"): a restart reads it";
	pc.recheck_s = cfg->provenance_recheck_s;
	pc.timeout_ms = 60000;
	pc.max_body = d->max_body;
	d->prov = prov_client_new(&pc);
	return TMON_OK;
}

/* rcpt_prov_fn: the releases the provenance client (arg) verified. */
static size_t
receipt_releases(void *arg, const char *model, struct prov_release *out,
    size_t max)
{
	return prov_client_releases(arg, model, out, max);
}

static void
daemon_reload(struct daemon *d)
{
	if (reload_requested) {
		reload_requested = 0;
		reload_config(d);
	} else if (d->settling)
		reload_settle(d);
}

enum tmon_rc
daemon_run(const struct daemon_opts *o, struct tmon_err *err)
{
	struct daemon d;
	struct api *api = NULL;
	struct api_config ac;
	struct api_model *am = NULL;
	struct store_writer_signer sg;
	struct sigaction sa;
	enum tmon_rc rc;
	size_t i;

	memset(&d, 0, sizeof(d));
	d.o = o;
	d.cfg = o->cfg;
	pthread_mutex_init(&d.health_mu, NULL);
	stop_requested = 0;
	reload_requested = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Past a file size limit (RLIMIT_FSIZE) a write fails with EFBIG,
	 * like on a full disk, instead of killing tmond. */
	signal(SIGXFSZ, SIG_IGN);

	if ((!o->read_only && (rc = check_log(o, err)) != TMON_OK) ||
	    (rc = open_log(&d, err)) != TMON_OK ||
	    (rc = open_log_key(&d, err)) != TMON_OK)
		goto out;
	/* config_load keeps max_body_bytes within MAX_BLOB_LEN */
	d.max_body = o->cfg->max_body_bytes;
	d.n = o->cfg->n_models;
	d.ms = xcalloc(d.n + 1, sizeof(*d.ms));
	am = xcalloc(d.n + 1, sizeof(*am));
	for (i = 0; i < d.n; i++) {
		d.ms[i] = model_state_new(&d, &o->cfg->models[i], NULL);
		am[i].model = o->cfg->models[i].name;
		am[i].provider = o->cfg->models[i].provider;
	}
	if (!o->read_only) {
		restore_state(&d);
		/* From here on every append goes through the writer, which
		 * owns the read-write handle. */
		rc = store_writer_start(d.store, &d.w, err);
		d.store = NULL;
		if (rc != TMON_OK)
			goto out;
	}
	if ((rc = store_pool_new(o->db_path, MAX_STORE_POOL, &d.pool, err)) !=
	    TMON_OK)
		goto out;
	if (!o->read_only) {
		if ((rc = notify_start(o->cfg, d.w, &d.notify, err)) !=
		    TMON_OK || (rc = witnesses_start(&o->cfg->log, d.w, d.pool,
		    &d.wit, err)) != TMON_OK)
			goto out;
		witnesses_set_alert_cb(d.wit, notify_alert, d.notify);
		logkey_writer_signer(d.key,
		    o->cfg->log.checkpoint_interval_s * 1000, witnesses_notify,
		    d.wit, &sg);
		store_writer_set_signer(d.w, &sg);
	}
	memset(&ac, 0, sizeof(ac));
	ac.listen_host = o->listen_host;
	ac.port = o->listen_port;
	ac.db_path = o->db_path;
	ac.pool = d.pool;
	ac.dashboard_dir = o->dashboard_dir;
	ac.models = am;
	ac.n_models = d.n;
	ac.max_connections = o->cfg->http.max_connections;
	ac.max_per_address = o->cfg->http.max_per_address;
	ac.request_deadline_s = o->cfg->http.request_deadline_s;
	ac.idle_timeout_s = o->cfg->http.idle_timeout_s;
	ac.health = health_cb;
	ac.health_arg = &d;
	ac.log_vkey = d.key != NULL ? logkey_vkey(d.key) : NULL;
	ac.receipt_per_client = o->cfg->receipts_per_client;
	ac.receipt_global = o->cfg->receipts_global;
	if ((rc = receipt_token(o->cfg, &ac.receipt_token, err)) != TMON_OK)
		goto out;
	/* POST /api/v1/receipts: the service is owned by the api from here
	 * (read-only: none, receipts answer 503). */
	if (!o->read_only && (rc = rcpt_attach(d.w, d.pool, &ac, err)) !=
	    TMON_OK)
		goto out;
	if ((rc = api_start(&ac, &api, err)) != TMON_OK)
		goto out;
	d.rcpt = ac.receipt_arg;
	d.api = api;
	log_info("tmond: serving http://%s:%u/ db=%s models=%zu%s",
	    o->listen_host, o->listen_port, o->db_path, d.n,
	    o->read_only ? " read-only" : "");
	if (o->read_only) {
		/* No probes, no writes: serve until a signal. */
		while (!stop_requested) {
			if (reload_requested)
				daemon_reload(&d);
			(void)poll(NULL, 0, 500);
		}
		rc = TMON_OK;
		goto out;
	}
	if ((d.fetch = fetch_new()) == NULL) {
		rc = tmon_err_set(err, TMON_E_INTERNAL, "cannot start libcurl");
		goto out;
	}
	/* Only the loop's thread verifies with it; receipts have their own. */
	d.vc = verify_ctx_new();
	if (o->cfg->pcs_base_url != NULL) {
		struct pcs_client_cfg cc;

		memset(&cc, 0, sizeof(cc));
		cc.pcs_base_url = o->cfg->pcs_base_url;
		cc.root_ca_crl_url = o->cfg->pcs_root_ca_crl_url;
		cc.test_root_der = o->cfg->test_intel_root_der;
		cc.test_root_der_len = o->cfg->test_intel_root_der_len;
		cc.timeout_ms = 60000;
		cc.max_body = d.max_body;
		d.coll = pcs_client_new(&cc);
	}
	if ((rc = start_provenance(&d, err)) != TMON_OK)
		goto out;
	/* receipt.provenance: the releases verified for the receipt's model */
	if (d.rcpt != NULL)
		rcpt_set_provenance(d.rcpt, receipt_releases, d.prov);
	if (o->cfg->kds_base_url != NULL) {
		struct kds_client_cfg kc;

		memset(&kc, 0, sizeof(kc));
		kc.base_url = o->cfg->kds_base_url;
		kc.timeout_ms = 60000;
		kc.max_body = d.max_body;
		d.kds = kds_client_new(&kc);
	}
	while (!stop_requested) {
		loop_once(&d);
		if (o->max_probes != 0 && d.logged >= o->max_probes)
			break;
	}
	rc = TMON_OK;
	if (d.waiting > 0)
		log_warnx("tmond: stopping with %zu probes not logged: %s",
		    d.waiting, d.file_bad ? d.why_file : d.why_write);
	log_info("tmond: stopping, %llu probes logged",
	    (unsigned long long)d.logged);
out:
	/* no receipt reads the provenance client once it is freed below */
	if (d.rcpt != NULL)
		rcpt_set_provenance(d.rcpt, NULL, NULL);
	d.rcpt = NULL;		/* api_stop frees it */
	/* Transfers still in flight are dropped without an entry. */
	fetch_free(d.fetch);
	pcs_client_free(d.coll);
	free(d.nras_jwks);
	kds_client_free(d.kds);
	prov_client_free(d.prov);
	sigstore_root_free(d.sgroot);
	verify_ctx_free(d.vc);
	/* Every receipt is answered, then the writer commits what is
	 * queued and stops. */
	api_stop(api);
	witnesses_set_alert_cb(d.wit, NULL, NULL);
	notify_stop(d.notify);
	witnesses_stop(d.wit);
	store_writer_stop(d.w);
	witnesses_free(d.wit);
	logkey_free(d.key);
	store_pool_free(d.pool);
	store_close(d.store);
	if (d.ms != NULL)
		for (i = 0; i < d.n; i++)
			model_state_free(d.ms[i]);
	free(d.ms);
	free(am);
	while (d.cfg_old != NULL) {
		struct old_config *oc = d.cfg_old;

		d.cfg_old = oc->next;
		config_free(oc->cfg);
		free(oc);
	}
	config_free(d.cfg_own);
	pthread_mutex_destroy(&d.health_mu);
	return rc;
}
