/*
 * Unit tests for store/entry: the measurement layers and the one
 * comparison (entry_measurement_diff), over REAL captures: the NanoGPT
 * gemma-3-27b-it response of 2026-06-10 and the NEAR AI cloud gateway
 * report (tests/data/replay/PROVENANCE.md), verified with attest_verify
 * exactly as a probe is.  A new probe of the same TEE differs only in
 * what our nonce changes (REPORTDATA, the nonce, the times); two
 * different deployments differ in their platform.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "attest.h"
#include "checklist.h"
#include "encode.h"
#include "entry.h"
#include "store.h"
#include "tmon_limits.h"
#include "util.h"
#include "testverify.h"

#define REPLAY TMON_TEST_DATA "/replay/"
#define GEMMA REPLAY "nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json"
#define GEMMA_NONCE "9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a"
#define NEAR REPLAY "nearai-cloud/nearai_cloud_report_openai_gpt_oss_120b.json"
#define NEAR_NONCE "deadbeef00000000000000000000000000000000000000000000000000000001"
#define T_0610 1781056145

/*
 * The measurement of capture r as a probe entry records it and a reader
 * reads it back: entry_probe_body with nonce, parsed, entry_measurement.
 * The same TEE probed again under a new nonce has a new REPORTDATA
 * (signing key || our nonce); rd_nonce, when not NULL, stands in for it.
 */
static json_t *
probed(const struct attest_result *r, const uint8_t nonce[32],
    const uint8_t *rd_nonce, int64_t t)
{
	struct attest_measurement *m = malloc(sizeof(*m));
	struct entry_probe p;
	uint8_t *body;
	size_t len;
	json_t *o, *meas;

	ck_assert_ptr_nonnull(m);
	*m = r->m;
	if (rd_nonce != NULL)
		memcpy(m->report_data + 32, rd_nonce, 32);
	memset(&p, 0, sizeof(p));
	p.time = t;
	p.verified_at = t + 11;
	p.model = "TEE/test";
	p.upstream_model = "test";
	p.provider = "nanogpt";
	p.nonce = rd_nonce != NULL ? rd_nonce : nonce;
	p.format = "dstack";
	p.url = "http://127.0.0.1/v1/attestation/report";
	p.status = 200;
	p.checks = &r->checks;
	p.verdict = check_status_str(r->verdict);
	p.measurement = m;
	body = entry_probe_body(&p, &len);
	o = store_body_parse(body, len);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(entry_version(o), ENTRY_VERSION);
	meas = entry_measurement(o);
	ck_assert_ptr_nonnull(meas);
	json_decref(o);
	free(body);
	free(m);
	return meas;
}

static bool
has_field(const struct entry_change *c, const char *f)
{
	size_t i;

	for (i = 0; i < c->n_fields; i++)
		if (strcmp(c->fields[i], f) == 0)
			return true;
	return false;
}

/* diff, then fold: what tmond and the API do for each probe. */
static void
observe(struct entry_state *st, const json_t *m, struct entry_change *c)
{
	entry_measurement_diff(st, m, c);
	entry_state_update(st, m);
}

START_TEST(test_real_self_new_nonce)
{
	static const char *const paths[] = { GEMMA, NEAR };
	static const char *const nonces[] = { GEMMA_NONCE, NEAR_NONCE };
	struct attest_result *r;
	struct entry_state st;
	struct entry_change c;
	uint8_t nonce[32], fresh[32];
	json_t *a, *b;
	size_t i, k;

	for (i = 0; i < 2; i++) {
		r = tv_verify_capture(paths[i], nonces[i], T_0610, nonce);
		entry_state_init(&st);
		a = probed(r, nonce, NULL, 1000);
		observe(&st, a, &c);
		ck_assert_int_eq(c.cls, ENTRY_CHANGE_FIRST);
		ck_assert(has_field(&c, "platform.mrtd"));
		ck_assert(!has_field(&c, "probe.report_data"));
		for (k = 0; k < 5; k++) {
			ck_assert_int_eq(RAND_bytes(fresh, 32), 1);
			b = probed(r, nonce, fresh, 1300 + (int64_t)k);
			/* REPORTDATA differs: not an identity */
			ck_assert(!json_equal(json_object_get(a, "probe"),
			    json_object_get(b, "probe")));
			observe(&st, b, &c);
			ck_assert_msg(c.cls == ENTRY_CHANGE_NONE,
			    "%s probe %zu: %s (%s)", paths[i], k,
			    entry_change_class_str(c.cls),
			    c.n_fields > 0 ? c.fields[0] : "");
			ck_assert_uint_eq(c.n_fields, 0);
			json_decref(b);
		}
		ck_assert_uint_eq(st.n, 1);
		json_decref(a);
		entry_state_free(&st);
		free(r);
	}
}
END_TEST

START_TEST(test_real_cross_is_platform_change)
{
	struct attest_result *g, *n;
	struct entry_state st;
	struct entry_change c;
	uint8_t nonce[32], nonce2[32];
	json_t *a, *b;
	size_t i;

	g = tv_verify_capture(GEMMA, GEMMA_NONCE, T_0610, nonce);
	n = tv_verify_capture(NEAR, NEAR_NONCE, T_0610, nonce2);
	a = probed(g, nonce, NULL, 1000);
	b = probed(n, nonce2, NULL, 1300);
	entry_state_init(&st);
	observe(&st, a, &c);
	observe(&st, b, &c);
	ck_assert_str_eq(entry_change_class_str(c.cls), "changed");
	/* the same TDVF (MRTD), another boot chain and GPUs: the platform
	 * layer names what differs, and only that */
	ck_assert(!has_field(&c, "platform.mrtd"));
	ck_assert(has_field(&c, "platform.rtmr0"));
	ck_assert(has_field(&c, "platform.rtmr1"));
	ck_assert(has_field(&c, "platform.rtmr2"));
	ck_assert(has_field(&c, "platform.gpus"));
	ck_assert(has_field(&c, "app.compose_hash"));
	ck_assert(has_field(&c, "instance.rtmr3"));
	ck_assert_str_eq(c.fields[0], "platform.gpu_count");	/* 1 -> 8 */
	ck_assert_str_eq(c.from, "1");
	ck_assert_str_eq(c.to, "8");
	for (i = 0; i < c.n_fields; i++)
		ck_assert_msg(strncmp(c.fields[i], "probe.", 6) != 0,
		    "%s", c.fields[i]);
	/* the same fmspc (90c06f000000): not named */
	ck_assert(!has_field(&c, "platform.fmspc"));
	/* back to gemma: known, within the window */
	observe(&st, a, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_NONE);
	json_decref(a);
	json_decref(b);
	entry_state_free(&st);
	free(g);
	free(n);
}
END_TEST

/* Replace layer.key of m (a copy is made) with the string v. */
static json_t *
with(const json_t *m, const char *layer, const char *key, const char *v)
{
	json_t *c = json_deep_copy(m);

	ck_assert_int_eq(json_object_set_new(json_object_get(c, layer), key,
	    v != NULL ? json_string(v) : json_null()), 0);
	return c;
}

/* Two replicas of one app: new key and RTMR3, same platform and app. */
START_TEST(test_replicas)
{
	struct attest_result *g;
	struct entry_state st;
	struct entry_change c;
	uint8_t nonce[32];
	json_t *a, *b, *t;
	int i;

	g = tv_verify_capture(GEMMA, GEMMA_NONCE, T_0610, nonce);
	a = probed(g, nonce, NULL, 1000);
	t = with(a, "instance", "rtmr3", "00");
	b = with(t, "instance", "signing_address",
	    "0x00000000000000000000000000000000000000b2");
	json_decref(t);
	entry_state_init(&st);
	observe(&st, a, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_FIRST);
	observe(&st, b, &c);
	ck_assert_str_eq(entry_change_class_str(c.cls), "instance_added");
	ck_assert_uint_eq(c.n_fields, 2);
	ck_assert_str_eq(c.fields[0], "instance.rtmr3");
	ck_assert_str_eq(c.fields[1], "instance.signing_address");
	for (i = 0; i < 20; i++) {
		observe(&st, i % 2 == 0 ? a : b, &c);
		ck_assert_int_eq(c.cls, ENTRY_CHANGE_NONE);
	}
	ck_assert_uint_eq(st.n, 2);
	/* the TCB status is judged only with collateral: null is no change,
	 * a judged status that moves is one, of the platform */
	t = with(a, "platform", "tcb_status", "UpToDate");
	observe(&st, t, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_NONE);
	json_decref(t);
	observe(&st, a, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_NONE);
	t = with(a, "platform", "tcb_status", "OutOfDate");
	observe(&st, t, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_CHANGED);
	ck_assert_uint_eq(c.n_fields, 1);
	ck_assert_str_eq(c.fields[0], "platform.tcb_status");
	ck_assert_str_eq(c.from, "UpToDate");
	ck_assert_str_eq(c.to, "OutOfDate");
	json_decref(t);
	json_decref(a);
	json_decref(b);
	entry_state_free(&st);
	free(g);
}
END_TEST

/* A new compose hash (and so RTMR3): one change, then the new normal. */
START_TEST(test_rollout)
{
	struct attest_result *g;
	struct entry_state st;
	struct entry_change c;
	uint8_t nonce[32];
	json_t *a, *b, *t;
	int i, changes = 0;

	g = tv_verify_capture(GEMMA, GEMMA_NONCE, T_0610, nonce);
	a = probed(g, nonce, NULL, 1000);
	t = with(a, "app", "compose_hash", "11");
	b = with(t, "instance", "rtmr3", "22");
	json_decref(t);
	entry_state_init(&st);
	for (i = 0; i < 10; i++) {
		observe(&st, i < 4 ? a : b, &c);
		if (c.cls == ENTRY_CHANGE_CHANGED) {
			changes++;
			ck_assert_int_eq(i, 4);
			ck_assert_uint_eq(c.n_fields, 2);
			ck_assert_str_eq(c.fields[0], "app.compose_hash");
			ck_assert_str_eq(c.fields[1], "instance.rtmr3");
		}
	}
	ck_assert_int_eq(changes, 1);
	json_decref(a);
	json_decref(b);
	entry_state_free(&st);
	free(g);
}
END_TEST

/* A version 1 body (one flat measurement, as tmon wrote it first) reads
 * as the same identity as the version 2 body of the same TEE. */
START_TEST(test_v1_entries)
{
	struct attest_result *g;
	struct entry_state st;
	struct entry_change c;
	uint8_t nonce[32];
	char h[8][200], body[4096];
	json_t *v1, *o, *a;
	int i;

	g = tv_verify_capture(GEMMA, GEMMA_NONCE, T_0610, nonce);
	hex_encode(g->m.mrtd, 48, h[0]);
	for (i = 0; i < 4; i++)
		hex_encode(g->m.rtmr[i], 48, h[1 + i]);
	hex_encode(g->m.report_data, 64, h[5]);
	hex_encode(g->m.mr_config_id, 48, h[6]);
	snprintf(body, sizeof(body), "{\"kind\":\"probe\",\"measurement\":{"
	    "\"attestations\":1,\"compose_hash\":\"%s\",\"gpus\":1,"
	    "\"mr_config_id\":\"%s\",\"mrtd\":\"%s\",\"report_data\":\"%s\","
	    "\"reportdata_layout\":\"address+nonce\",\"rtmr0\":\"%s\","
	    "\"rtmr1\":\"%s\",\"rtmr2\":\"%s\",\"rtmr3\":\"%s\","
	    "\"signing_address\":\"%s\",\"signing_algo\":\"ecdsa\"},"
	    "\"time\":900,\"v\":1,\"verdict\":\"warn\"}", g->m.compose_hash,
	    h[6], h[0], h[5], h[1], h[2], h[3], h[4], g->m.signing_address);
	o = store_body_parse((const uint8_t *)body, strlen(body));
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(entry_version(o), 1);
	v1 = entry_measurement(o);
	json_decref(o);
	ck_assert_str_eq(entry_meas_str(v1, "platform", "mrtd"), h[0]);
	ck_assert_str_eq(entry_meas_str(v1, "instance", "rtmr3"), h[4]);
	ck_assert_str_eq(entry_meas_str(v1, "probe", "report_data"), h[5]);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    v1, "platform"), "gpu_count")), 1);
	a = probed(g, nonce, NULL, 1000);
	entry_state_init(&st);
	observe(&st, v1, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_FIRST);
	/* the upgrade of tmon: new members, same identity */
	observe(&st, a, &c);
	ck_assert_msg(c.cls == ENTRY_CHANGE_NONE, "%s %s",
	    entry_change_class_str(c.cls), c.n_fields > 0 ? c.fields[0] : "");
	ck_assert_uint_eq(st.n, 1);
	json_decref(v1);
	json_decref(a);
	entry_state_free(&st);
	free(g);
}
END_TEST

/* At most MAX_INSTANCES, least recently seen dropped; forgotten after
 * MAX_STATE_PROBES measured probes without it. */
START_TEST(test_bounds)
{
	struct attest_result *g;
	struct entry_state st;
	struct entry_change c;
	uint8_t nonce[32];
	json_t *a, *inst[MAX_INSTANCES + 1];
	char key[48];
	size_t i;

	g = tv_verify_capture(GEMMA, GEMMA_NONCE, T_0610, nonce);
	a = probed(g, nonce, NULL, 1000);
	for (i = 0; i <= MAX_INSTANCES; i++) {
		snprintf(key, sizeof(key), "0x%040zx", i);
		inst[i] = with(a, "instance", "signing_address", key);
	}
	entry_state_init(&st);
	for (i = 0; i <= MAX_INSTANCES; i++)
		observe(&st, inst[i], &c);
	ck_assert_uint_eq(st.n, MAX_INSTANCES);
	observe(&st, inst[0], &c);		/* dropped: new again */
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_INSTANCE_ADDED);
	observe(&st, inst[MAX_INSTANCES], &c);	/* still known */
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_NONE);
	for (i = 0; i < MAX_STATE_PROBES; i++)
		observe(&st, inst[0], &c);
	ck_assert_uint_eq(st.n, 1);
	observe(&st, inst[MAX_INSTANCES], &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_INSTANCE_ADDED);
	/* no measurement: nothing to compare, nothing folded */
	observe(&st, NULL, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_NONE);
	for (i = 0; i <= MAX_INSTANCES; i++)
		json_decref(inst[i]);
	json_decref(a);
	entry_state_free(&st);
	free(g);
}
END_TEST

/*
 * The state rebuilt from the log before each probe (entry_state_load,
 * what tmond does at start and the API for a page) gives the same answer
 * as the state folded probe by probe, and the probe bodies are canonical
 * and hash as the store's leaves.
 */
START_TEST(test_state_from_log)
{
	char dir[64], db[128], p[160];
	struct attest_result *g, *n;
	struct store *s = NULL;
	struct tmon_err err;
	struct entry_state live, loaded;
	struct entry_change c1, c2;
	struct entry_last last;
	struct store_entry_in in;
	struct store_appended app;
	struct store_entry e;
	uint8_t nonce[32], nonce2[32], fresh[32], leaf[32], pre[1 + 65536];
	struct entry_probe pr;
	json_t *ms[3], *m, *o;
	uint8_t *body, *again;
	size_t len, alen, i;
	int pick[] = { 0, 0, 1, 0, 1, 2, 2, 0, 1, 2, 0, 0 };

	snprintf(dir, sizeof(dir), "/tmp/tmon-check-entry-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/log.db", dir);
	tmon_err_clear(&err);
	ck_assert_int_eq(store_open(db, STORE_RW, &s, &err), TMON_OK);
	g = tv_verify_capture(GEMMA, GEMMA_NONCE, T_0610, nonce);
	n = tv_verify_capture(NEAR, NEAR_NONCE, T_0610, nonce2);
	entry_state_init(&live);
	for (i = 0; i < sizeof(pick) / sizeof(pick[0]); i++) {
		ck_assert_int_eq(RAND_bytes(fresh, 32), 1);
		memset(&pr, 0, sizeof(pr));
		pr.time = 1000 + (int64_t)i;
		pr.verified_at = pr.time;
		pr.model = "TEE/test";
		pr.upstream_model = "test";
		pr.provider = "near";
		pr.nonce = fresh;
		pr.format = "dstack";
		pr.url = "http://127.0.0.1/";
		pr.checks = pick[i] == 1 ? &n->checks : &g->checks;
		pr.verdict = "warn";
		/* 2: a probe without a quote */
		g->m.has_quote = pick[i] != 2;
		pr.measurement = pick[i] == 1 ? &n->m : &g->m;
		body = entry_probe_body(&pr, &len);
		g->m.has_quote = true;
		/* canonical: parsing and writing again gives the same bytes */
		o = store_body_parse(body, len);
		again = entry_canonical(o, &alen);
		ck_assert(alen == len && memcmp(again, body, len) == 0);
		free(again);
		m = entry_measurement(o);
		json_decref(o);
		memset(&in, 0, sizeof(in));
		in.kind = "probe";
		in.time = pr.time;
		in.model = "TEE/test";
		in.verdict = "warn";
		in.body = body;
		in.body_len = len;
		ck_assert_int_eq(store_append(s, NULL, 0, &in, 1, &app, &err),
		    TMON_OK);
		ck_assert_uint_lt(len, sizeof(pre));
		pre[0] = 0;
		memcpy(pre + 1, body, len);
		SHA256(pre, len + 1, leaf);
		ck_assert(memcmp(leaf, app.leaf, 32) == 0);
		free(body);
		/* the state before this probe, from the log */
		entry_state_init(&loaded);
		ck_assert_int_eq(entry_state_load(s, "TEE/test", app.seq, 0,
		    &loaded, &last, &err), TMON_OK);
		ck_assert(last.have == (i > 0));
		entry_measurement_diff(&loaded, m, &c2);
		observe(&live, m, &c1);
		ck_assert_msg(c1.cls == c2.cls, "probe %zu: %s vs %s", i,
		    entry_change_class_str(c1.cls),
		    entry_change_class_str(c2.cls));
		ck_assert_uint_eq(c1.n_fields, c2.n_fields);
		entry_state_free(&loaded);
		if (i < 3)
			ms[i] = m;
		else
			json_decref(m);
	}
	ck_assert(store_entry_get(s, 0, &e, &err) == TMON_OK);
	store_entry_free(&e);
	for (i = 0; i < 3; i++)
		json_decref(ms[i]);
	entry_state_free(&live);
	store_close(s);
	free(g);
	free(n);
	snprintf(p, sizeof(p), "%s-wal", db);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	(void)unlink(p);
	(void)unlink(db);
	(void)rmdir(dir);
}
END_TEST

/*
 * Upstream text cut inside a multi-byte character (a check detail at
 * MAX_CHECK_DETAIL) is not valid UTF-8: the entry is still written, with
 * '?' for the bytes, and so is an alert about a hostile member name.
 */
START_TEST(test_hostile_text)
{
	struct checklist cl;
	struct entry_alert a;
	struct entry_change c;
	struct entry_state st;
	json_t *arr, *m, *m2;
	uint8_t *body;
	size_t len;

	checklist_init(&cl);
	checklist_set(&cl, "tdx.quote.parse", CHECK_FAIL, "served \xc3");
	arr = entry_checks_json(&cl);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    0), "detail")), "served ?");
	json_decref(arr);

	m = json_pack("{s:{s:s}, s:{}, s:{}, s:{}}", "platform", "mrtd", "a",
	    "app", "instance", "probe");
	m2 = json_pack("{s:{s:s}, s:{}, s:{}, s:{}}", "platform", "mrtd", "b",
	    "app", "instance", "probe");
	ck_assert_int_eq(json_object_set_new(json_object_get(m, "platform"),
	    "\xc3\xa9t\xc3\xa9", json_string("x")), 0);
	ck_assert_int_eq(json_object_set_new(json_object_get(m2, "platform"),
	    "\xc3\xa9t\xc3\xa9", json_string("\xc3\xa9")), 0);
	entry_state_init(&st);
	observe(&st, m, &c);
	observe(&st, m2, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_CHANGED);
	ck_assert_uint_eq(c.n_fields, 2);
	ck_assert_str_eq(c.fields[0], "platform.mrtd");
	ck_assert_str_eq(c.fields[1], "platform.??t??");
	memset(&a, 0, sizeof(a));
	a.time = 1;
	a.model = "TEE/test";
	a.reason = "measurement_changed";
	a.from = "\xc3";
	a.to = c.to;
	a.change = &c;
	body = entry_alert_body(&a, &len);
	ck_assert_ptr_nonnull(strstr((const char *)body, "\"from\":\"?\""));
	free(body);
	entry_state_free(&st);
	json_decref(m);
	json_decref(m2);
}
END_TEST

/* The event and delivery layouts (entry.h), with the values before
 * and after of each changed field; the store takes them (class column). */
START_TEST(test_event_delivery_bodies)
{
	struct entry_event ev;
	struct entry_delivery dl;
	struct entry_change c;
	struct entry_state st;
	struct entry_alert a;
	struct entry_alert_check ck;
	enum entry_event_class k;
	json_t *m, *m2, *o;
	uint8_t *body;
	size_t len;
	char why[256];

	m = json_pack("{s:{s:s, s:i}, s:{s:s}, s:{s:s}, s:{}}", "platform",
	    "mrtd", "aa", "gpu_count", 8, "app", "compose_hash", "c1",
	    "instance", "rtmr3", "r1", "probe");
	m2 = json_pack("{s:{s:s, s:i}, s:{s:s}, s:{s:s}, s:{}}", "platform",
	    "mrtd", "aa", "gpu_count", 8, "app", "compose_hash", "c2",
	    "instance", "rtmr3", "r2", "probe");
	entry_state_init(&st);
	observe(&st, m, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_FIRST);
	ck_assert(c.before_null[0]);
	observe(&st, m2, &c);
	ck_assert_int_eq(c.cls, ENTRY_CHANGE_CHANGED);
	ck_assert_uint_eq(c.n_fields, 2);
	ck_assert_str_eq(c.fields[0], "app.compose_hash");
	ck_assert_str_eq(c.before[0], "c1");
	ck_assert_str_eq(c.after[0], "c2");
	ck_assert_str_eq(c.fields[1], "instance.rtmr3");
	ck_assert_str_eq(c.before[1], "r1");
	ck_assert_str_eq(c.after[1], "r2");
	ck_assert(!c.before_null[1] && !c.after_null[1]);

	memset(&ev, 0, sizeof(ev));
	ev.time = 100;
	ev.model = "TEE/m";
	ev.cls = ENTRY_EVENT_UNEXPLAINED;
	ev.probe_seq = 7;
	ev.prev_probe_seq = UINT64_MAX;
	ev.change = &c;
	ev.verdict_after = "warn";
	ev.worse = -1;
	ev.instances = 2;
	body = entry_event_body(&ev, &len);
	ck_assert_msg(store_body_check("event", 100, "TEE/m", NULL,
	    "unexplained", body, len, why, sizeof(why)), "%s", why);
	ck_assert(!store_body_check("event", 100, "TEE/m", NULL,
	    "allowlisted", body, len, why, sizeof(why)));
	o = json_loadb((const char *)body, len, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "before"), "app.compose_hash")), "c1");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "after"), "app.compose_hash")), "c2");
	ck_assert(json_is_null(json_object_get(o, "prev_probe_seq")));
	ck_assert(json_is_null(json_object_get(o, "verdict_before")));
	ck_assert(json_is_null(json_object_get(o, "worse")));
	ck_assert(json_is_null(json_object_get(o, "endorsed_by")));
	ck_assert_int_eq(json_integer_value(json_object_get(o, "instances")),
	    2);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "v")),
	    ENTRY_VERSION);
	json_decref(o);
	free(body);
	/* no change: [] and {} */
	ev.change = NULL;
	ev.cls = ENTRY_EVENT_VERDICT_CHANGED;
	ev.worse = 1;
	body = entry_event_body(&ev, &len);
	ck_assert_ptr_nonnull(strstr((const char *)body,
	    "\"changed_fields\":[]"));
	ck_assert_ptr_nonnull(strstr((const char *)body, "\"worse\":true"));
	free(body);
	for (k = 0; k < ENTRY_EVENT_NCLASSES; k++) {
		enum entry_event_class back;

		ck_assert(store_class_valid(entry_event_class_str(k)));
		ck_assert(entry_event_class_parse(entry_event_class_str(k),
		    &back));
		ck_assert_int_eq(back, k);
	}
	ck_assert(!entry_event_class_parse("changed", &k));

	memset(&dl, 0, sizeof(dl));
	dl.time = 5;
	dl.webhook = "ops";
	dl.alert_seq = 9;
	dl.state = "triggered";
	dl.outcome = "failed";
	dl.attempts = 3;
	dl.error = "connect: \xc3";
	body = entry_delivery_body(&dl, &len);
	ck_assert_msg(store_body_check("delivery", 5, NULL, NULL, NULL, body,
	    len, why, sizeof(why)), "%s", why);
	ck_assert_ptr_nonnull(strstr((const char *)body,
	    "\"http_status\":null"));
	ck_assert_ptr_nonnull(strstr((const char *)body, "\"error\":"
	    "\"connect: ?\""));
	free(body);

	memset(&a, 0, sizeof(a));
	a.time = 1;
	a.model = "TEE/m";
	a.reason = "check_failed";
	a.from = "pass";
	a.to = "fail";
	a.probe_seq = 3;
	ck.id = "sig.completion";
	ck.before = "pass";
	ck.after = "fail";
	ck.detail = "bad";
	a.checks = &ck;
	a.n_checks = 1;
	body = entry_alert_body(&a, &len);
	ck_assert_ptr_null(strstr((const char *)body, "event_seq"));
	ck_assert_ptr_nonnull(strstr((const char *)body, "\"checks\":[{"
	    "\"after\":\"fail\",\"before\":\"pass\",\"detail\":\"bad\","
	    "\"id\":\"sig.completion\"}]"));
	free(body);
	a.has_event = true;
	a.event_seq = 12;
	body = entry_alert_body(&a, &len);
	ck_assert_ptr_nonnull(strstr((const char *)body, "\"event_seq\":12"));
	free(body);
	entry_state_free(&st);
	json_decref(m);
	json_decref(m2);
}
END_TEST

/* The provenance layout (entry.h): documents as a collateral entry's,
 * nulls for what a failed look-up did not learn, untrusted text kept
 * printable; the store takes it. */
START_TEST(test_provenance_body)
{
	static const uint8_t h[32] = { 0xab, 0xcd };
	struct entry_coll_doc docs[2];
	struct entry_provenance p;
	struct checklist cl;
	json_t *o, *regs;
	uint8_t *body;
	size_t len;
	char why[256];

	memset(docs, 0, sizeof(docs));
	docs[0].name = "release";
	docs[0].url = "https://api.github.com/repos/o/n/releases/latest";
	docs[0].status = 200;
	docs[0].has_body = true;
	docs[0].body_len = 10;
	docs[0].body_sha256 = h;
	docs[0].headers_sha256 = h;
	docs[1].name = "digest_asset";
	docs[1].url = "https://github.com/o/n/releases/download/v1/x.hash";
	docs[1].status = 404;
	docs[1].error = "bad\x01text\xff";
	checklist_init(&cl);
	checklist_set(&cl, "sigstore.dsse.signature", CHECK_PASS, "ok");
	regs = json_pack("{s:s}", "snp_measurement", "aa");
	memset(&p, 0, sizeof(p));
	p.time = 1000;
	p.model = "TEE/m";
	p.repo = "o/n";
	p.tag = "v1";
	p.digest = h;
	p.digest_source = "release_body";
	p.docs = docs;
	p.n_docs = 2;
	p.policy_ref = "refs/tags/*";
	p.policy_issuer = "https://token.actions.githubusercontent.com";
	p.checks = &cl;
	p.verdict = "pass";
	p.id_repo = "https://github.com/o/n";
	p.has_tlog = true;
	p.integrated_time = 900;
	p.log_index = 42;
	p.predicate_type = "https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1";
	p.registers = regs;
	body = entry_provenance_body(&p, &len);
	ck_assert_msg(store_body_check("provenance", 1000, "TEE/m", "pass",
	    NULL, body, len, why, sizeof(why)), "%s", why);
	ck_assert(store_kind_valid("provenance"));
	o = json_loadb((const char *)body, len, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "kind")),
	    "provenance");
	ck_assert_str_eq(json_string_value(json_object_get(o, "digest")),
	    "abcd000000000000000000000000000000000000000000000000000000000000");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(o, "documents"), "release"), "body_sha256")),
	    "abcd000000000000000000000000000000000000000000000000000000000000");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(o, "documents"), "digest_asset"), "error")),
	    "bad?text?");
	ck_assert(json_is_null(json_object_get(json_object_get(o, "policy"),
	    "workflow")));
	ck_assert(json_is_null(json_object_get(json_object_get(o, "identity"),
	    "sha")));
	ck_assert_int_eq(json_integer_value(json_object_get(o, "log_index")),
	    42);
	ck_assert(json_equal(json_object_get(o, "registers"), regs));
	ck_assert_uint_eq(json_array_size(json_object_get(o, "checks")), 1);
	json_decref(o);
	free(body);
	/* a look-up that learnt nothing: nulls, not absent members */
	memset(&p, 0, sizeof(p));
	p.time = 1000;
	p.model = "TEE/m";
	p.repo = "o/n";
	p.verdict = "error";
	p.error = "release: HTTP 503";
	body = entry_provenance_body(&p, &len);
	o = json_loadb((const char *)body, len, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_is_null(json_object_get(o, "tag")));
	ck_assert(json_is_null(json_object_get(o, "digest")));
	ck_assert(json_is_null(json_object_get(o, "checks")));
	ck_assert(json_is_null(json_object_get(o, "identity")));
	ck_assert(json_is_null(json_object_get(o, "integrated_time")));
	ck_assert(json_is_null(json_object_get(o, "registers")));
	ck_assert_uint_eq(json_object_size(json_object_get(o, "documents")), 0);
	json_decref(o);
	free(body);
	/* a Rekor entry whose SET vouched for no time: its index, no time */
	p.has_tlog = true;
	p.log_index = 7;
	body = entry_provenance_body(&p, &len);
	o = json_loadb((const char *)body, len, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "log_index")),
	    7);
	ck_assert(json_is_null(json_object_get(o, "integrated_time")));
	json_decref(o);
	free(body);
	json_decref(regs);
}
END_TEST

static Suite *
entry_suite(void)
{
	Suite *s = suite_create("entry");
	TCase *tc = tcase_create("identity");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_real_self_new_nonce);
	tcase_add_test(tc, test_real_cross_is_platform_change);
	tcase_add_test(tc, test_replicas);
	tcase_add_test(tc, test_rollout);
	tcase_add_test(tc, test_v1_entries);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_state_from_log);
	tcase_add_test(tc, test_hostile_text);
	tcase_add_test(tc, test_event_delivery_bodies);
	tcase_add_test(tc, test_provenance_body);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(entry_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
