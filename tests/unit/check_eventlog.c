/*
 * check_eventlog: dstack event log replay (tdx.event_log), app_compose
 * binding (tdx.compose), TD attributes (tdx.td_attributes) and the
 * measurement allow-lists (measurement.policy) over every real response
 * with an event log in tests/data/replay, the standalone NEAR AI and
 * dstack-simulator samples in tests/data/eventlog (see PROVENANCE.md
 * there), and tampered copies of them.
 *
 * Expected values come from the quotes as parsed (tdx_quote.c, another
 * module), from what the same response serves (info.tcb_info.rtmr0..3,
 * info.compose_hash, info.os_image_hash), from teep's own report text,
 * and from a small reference replay written here with OpenSSL
 * (ref_replay), never from the functions under test.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "attest.h"
#include "checklist.h"
#include "encode.h"
#include "gateway.h"
#include "tdx_eventlog.h"
#include "tdx_policy.h"
#include "tdx_quote.h"
#include "tmon_limits.h"
#include "util.h"

#define REPLAY TMON_TEST_DATA "/replay/"
#define EVL TMON_TEST_DATA "/eventlog/"
#define GEMMA_0610 REPLAY "nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json"
#define MULTI REPLAY "nanogpt-2026-03-25_multi/"
#define NEARAI REPLAY "nearai-cloud/nearai_cloud_report_openai_gpt_oss_120b.json"

/* Every recorded response that carries event logs (all dstack based). */
static const char *const with_logs[] = {
	GEMMA_0610,
	MULTI "gemma-3-27b-it_attestation.json",
	MULTI "gpt-oss-120b_attestation.json",
	MULTI "glm-5_attestation.json",
	MULTI "qwen3-30b-a3b-instruct-2507_attestation.json",
	NEARAI
};
/* Attestations in them: 1 + 1 + 1 + (gateway + 3 models) +
 * (gateway + 1 model) + (gateway + 1 model). */
#define N_ATT_WITH_LOGS	11

static uint8_t *
load(const char *path, size_t *len)
{
	uint8_t *p = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, MAX_UPSTREAM_BODY, &p, len, &err) ==
	    TMON_OK, "%s: %s", path, err.msg);
	return p;
}

static json_t *
load_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	ck_assert_msg(j != NULL, "%s: %s", path, je.text);
	return j;
}

static void
report_open(const char *path, struct gw_report *rep)
{
	struct tmon_err err;
	uint8_t *body;
	size_t len;

	tmon_err_clear(&err);
	body = load(path, &len);
	ck_assert_msg(gw_report_decode(body, len, rep, &err) == TMON_OK,
	    "%s: %s", path, err.msg);
	free(body);
}

static void
quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *q)
{
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(tdx_quote_parse(buf, len, q, &err) == TMON_OK, "%s",
	    err.msg);
}

static enum check_status
st(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "check %s missing", id);
	return c->status;
}

static const char *
detail(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "check %s missing", id);
	return c->detail;
}

#define ASSERT_CHECK(cl, id, status, text) do {				\
	ck_assert_msg(st((cl), (id)) == (status), "%s: %s: %s", (id),	\
	    check_status_str(st((cl), (id))), detail((cl), (id)));	\
	ck_assert_msg(strstr(detail((cl), (id)), (text)) != NULL,	\
	    "%s: detail \"%s\" lacks \"%s\"", (id), detail((cl), (id)),	\
	    (text));							\
} while (0)

/* info.tcb_info.<key> as served, decoded from hex into out. */
static void
served_hex(const json_t *att, const char *k1, const char *k2,
    uint8_t *out, size_t outlen)
{
	const json_t *o = json_object_get(att, "info");
	const json_t *v;

	if (k2 != NULL)
		o = json_object_get(o, k1);
	v = json_object_get(o, k2 != NULL ? k2 : k1);
	ck_assert_msg(json_is_string(v), "served %s.%s missing", k1,
	    k2 != NULL ? k2 : "");
	ck_assert(hex_decode_exact(json_string_value(v), json_string_length(v),
	    out, outlen, true));
}

static void
sha384_cat(const void *a, size_t alen, const void *b, size_t blen,
    uint8_t out[48])
{
	uint8_t *buf = malloc(alen + blen + 1);
	unsigned int n = 0;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, a, alen);
	memcpy(buf + alen, b, blen);
	ck_assert(EVP_Digest(buf, alen + blen, out, &n, EVP_sha384(), NULL)
	    == 1 && n == 48);
	free(buf);
}

/*
 * Reference replay, independent of tdx_eventlog.c (dstack
 * cc-eventlog: RTMR[i] = SHA-384(RTMR[i] || digest)): events with
 * integer imr/event_type and hex digest/payload.  teep_style reproduces
 * 13rac1/teep 46ee4b8: every digest hex-decoded and zero-padded to 48
 * bytes, so an empty one extends 48 zero bytes; otherwise runtime events
 * are recomputed.
 */
static void
ref_replay(const json_t *arr, bool teep_style, uint8_t rtmr[4][48])
{
	const json_t *e;
	const char *dig, *name, *pay;
	uint8_t d[48], *p, *msg, next[48];
	size_t i, plen, nlen;
	uint32_t type;
	int imr;

	memset(rtmr, 0, 4 * 48);
	json_array_foreach(arr, i, e) {
		imr = (int)json_integer_value(json_object_get(e, "imr"));
		type = (uint32_t)json_integer_value(json_object_get(e,
		    "event_type"));
		dig = json_string_value(json_object_get(e, "digest"));
		name = json_string_value(json_object_get(e, "event"));
		pay = json_string_value(json_object_get(e, "event_payload"));
		ck_assert(imr >= 0 && imr < 4 && dig != NULL && name != NULL &&
		    pay != NULL);
		memset(d, 0, sizeof(d));
		if (type == 0x08000001 && !teep_style) {
			plen = strlen(pay) / 2;
			nlen = strlen(name);
			msg = malloc(4 + 1 + nlen + 1 + plen + 1);
			ck_assert_ptr_nonnull(msg);
			msg[0] = (uint8_t)type;
			msg[1] = (uint8_t)(type >> 8);
			msg[2] = (uint8_t)(type >> 16);
			msg[3] = (uint8_t)(type >> 24);
			msg[4] = ':';
			memcpy(msg + 5, name, nlen);
			msg[5 + nlen] = ':';
			p = msg + 6 + nlen;
			ck_assert(hex_decode_exact(pay, 2 * plen, p, plen,
			    false));
			sha384_cat(msg, 6 + nlen + plen, "", 0, d);
			free(msg);
		} else if (dig[0] != '\0')
			ck_assert(hex_decode_exact(dig, strlen(dig), d, 48,
			    false));
		sha384_cat(rtmr[imr], 48, d, 48, next);
		memcpy(rtmr[imr], next, 48);
	}
}

/* The top-level event_log of att as an array (decoded if a string). */
static json_t *
top_log(const json_t *att)
{
	const json_t *v = json_object_get(att, "event_log");
	json_error_t je;

	if (json_is_string(v))
		return json_loads(json_string_value(v), JSON_REJECT_DUPLICATES,
		    &je);
	return json_deep_copy(v);
}

/*
 * Every real response: both logs of every attestation replay to the
 * quote's RTMR0-3 and to the RTMRs the response serves in
 * info.tcb_info; compose hash = served compose_hash = MRCONFIGID v1.
 */
START_TEST(test_real_responses)
{
	static const enum tdx_evl_src srcs[] = { TDX_EVL_TOP,
	    TDX_EVL_TCB_INFO };
	struct gw_report rep;
	struct tdx_event_log log;
	struct tdx_quote q;
	struct checklist cl;
	struct tmon_err err;
	uint8_t rtmr[4][48], served[48], ch[32];
	char key[8], hex[65];
	size_t f, i, s, n_att = 0;
	int r;

	for (f = 0; f < sizeof(with_logs) / sizeof(with_logs[0]); f++) {
		report_open(with_logs[f], &rep);
		for (i = 0; i < rep.n_att; i++) {
			const struct gw_attestation *a = &rep.att[i];

			/* a compose manager serves no info.tcb_info */
			if (a->role == GW_ROLE_COMPOSE_MANAGER)
				continue;
			quote_parse(a->quote, a->quote_len, &q);
			for (s = 0; s < 2; s++) {
				tmon_err_clear(&err);
				ck_assert_msg(tdx_event_log_load(a->obj, srcs[s],
				    &log, &err) == TMON_OK, "%s[%zu]: %s",
				    with_logs[f], i, err.msg);
				ck_assert(log.n >= 29 && log.n <= 30);
				ck_assert(tdx_event_log_replay(&log, rtmr,
				    &err) == TMON_OK);
				for (r = 0; r < 4; r++) {
					ck_assert_msg(memcmp(rtmr[r],
					    q.report.rtmr[r], 48) == 0,
					    "%s[%zu] src %zu RTMR%d",
					    with_logs[f], i, s, r);
					snprintf(key, sizeof(key), "rtmr%d", r);
					served_hex(a->obj, "tcb_info", key,
					    served, 48);
					ck_assert(memcmp(rtmr[r], served, 48)
					    == 0);
				}
				tdx_event_log_free(&log);
			}
			checklist_init(&cl);
			tdx_check_td_attributes(&q, &cl);
			tdx_check_event_log(&q, a->obj, &cl);
			tdx_check_compose(&q, a->obj, &cl, hex);
			ASSERT_CHECK(&cl, "tdx.td_attributes", CHECK_PASS,
			    "SEPT_VE_DISABLE on");
			ASSERT_CHECK(&cl, "tdx.event_log", CHECK_PASS,
			    "RTMR0-3 match (event_log");
			ck_assert(strstr(detail(&cl, "tdx.event_log"),
			    "info.tcb_info.event_log matches too") != NULL);
			ASSERT_CHECK(&cl, "tdx.compose", CHECK_PASS,
			    "= compose-hash event = MRCONFIGID v1");
			ck_assert_ptr_nonnull(a->compose_hash);
			ck_assert_str_eq(hex, a->compose_hash);
			served_hex(a->obj, "compose_hash", NULL, ch, 32);
			ck_assert_uint_eq(q.report.mr_config_id[0], 0x01);
			ck_assert(memcmp(q.report.mr_config_id + 1, ch, 32) ==
			    0);
			n_att++;
		}
		gw_report_free(&rep);
	}
	ck_assert_uint_eq(n_att, N_ATT_WITH_LOGS);
}
END_TEST

/* The 16-hex value after marker on teep's event_log_integrity line. */
static void
teep_value(const char *report, const char *marker, char out[17])
{
	const char *line = strstr(report, "event_log_integrity");
	const char *p;

	ck_assert_ptr_nonnull(line);
	p = strstr(line, marker);
	ck_assert_ptr_nonnull(p);
	p += strlen(marker);
	ck_assert(is_hex_text(p, 16));
	memcpy(out, p, 16);
	out[16] = '\0';
}

/*
 * NanoGPT gemma 2026-06-10: the top-level event_log is a JSON string
 * whose ten imr-3 digests are empty.  teep reports "RTMR[3] mismatch:
 * replayed a76a8114..., quote bb390391..."; extending 48 zero bytes for
 * each empty digest reproduces its number, recomputing them gives the
 * quote's.
 */
START_TEST(test_gemma_string_log_teep)
{
	struct gw_report rep;
	struct tdx_event_log log;
	struct tdx_quote q;
	struct checklist cl;
	struct tmon_err err;
	uint8_t rtmr[4][48], ref[4][48], teep[4][48];
	char *report, theirs[17], quote16[17], hex[97];
	json_t *arr;
	size_t len;

	report = (char *)load(EVL "teep_report_gemma_20260610.txt", &len);
	teep_value(report, "replayed ", theirs);
	teep_value(report, "quote ", quote16);
	free(report);

	report_open(GEMMA_0610, &rep);
	ck_assert_uint_eq(rep.n_att, 1);
	quote_parse(rep.att[0].quote, rep.att[0].quote_len, &q);
	ck_assert(json_is_string(json_object_get(rep.att[0].obj,
	    "event_log")));
	tmon_err_clear(&err);
	ck_assert(tdx_event_log_load(rep.att[0].obj, TDX_EVL_TOP, &log,
	    &err) == TMON_OK);
	ck_assert_uint_eq(log.n, 30);
	ck_assert_uint_eq(log.n_recomputed, 10);
	ck_assert(tdx_event_log_replay(&log, rtmr, &err) == TMON_OK);
	tdx_event_log_free(&log);

	/* ours = the quote = what teep printed as "quote" */
	ck_assert(memcmp(rtmr[3], q.report.rtmr[3], 48) == 0);
	ck_assert_str_eq(hex_encode(rtmr[3], 8, hex), quote16);

	/* teep's method gives teep's number; the reference replay ours */
	arr = top_log(rep.att[0].obj);
	ck_assert_ptr_nonnull(arr);
	ref_replay(arr, true, teep);
	ref_replay(arr, false, ref);
	json_decref(arr);
	ck_assert_str_eq(hex_encode(teep[3], 8, hex), theirs);
	ck_assert(memcmp(teep[3], q.report.rtmr[3], 48) != 0);
	ck_assert(memcmp(ref[3], rtmr[3], 48) == 0);
	/* RTMR0-2 carry their digests: teep's method agrees there */
	ck_assert(memcmp(teep[0], q.report.rtmr[0], 48) == 0);

	checklist_init(&cl);
	tdx_check_event_log(&q, rep.att[0].obj, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_PASS,
	    "30 events, RTMR0-3 match (event_log, 10 empty imr-3 digests "
	    "recomputed");
	gw_report_free(&rep);
}
END_TEST

/* att = {event_log: log, info: {tcb_info: {app_compose: text}}}. */
static json_t *
make_att(json_t *log, const char *compose, size_t composelen,
    bool tcb_as_string)
{
	json_t *att = json_object(), *info = json_object(),
	    *ti = json_object();
	char *s;

	if (log != NULL)
		json_object_set(att, "event_log", log);
	if (compose != NULL)
		json_object_set_new(ti, "app_compose",
		    json_stringn(compose, composelen));
	if (tcb_as_string) {
		s = json_dumps(ti, JSON_COMPACT);
		ck_assert_ptr_nonnull(s);
		json_object_set_new(info, "tcb_info", json_string(s));
		free(s);
		json_decref(ti);
	} else
		json_object_set_new(info, "tcb_info", ti);
	json_object_set_new(att, "info", info);
	return att;
}

/* NEAR AI gateway and model: standalone quote, log and app_compose. */
START_TEST(test_nearai_standalone)
{
	static const char *const who[] = { "gateway", "model" };
	struct tdx_event_log log;
	struct tdx_quote q;
	struct checklist cl;
	struct tmon_err err;
	uint8_t *qb, *text, *compose, rtmr[4][48], h[32];
	char path[512], hex[65], hhex[65];
	size_t qlen, tlen, clen, i, form;
	json_t *arr, *att, *s;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), EVL "nearai-cloud/%s_quote.bin",
		    who[i]);
		qb = load(path, &qlen);
		quote_parse(qb, qlen, &q);
		snprintf(path, sizeof(path),
		    EVL "nearai-cloud/%s_event_log.json", who[i]);
		text = load(path, &tlen);
		tmon_err_clear(&err);
		ck_assert_msg(tdx_event_log_parse_text((char *)text, tlen,
		    &log, &err) == TMON_OK, "%s", err.msg);
		ck_assert(tdx_event_log_replay(&log, rtmr, &err) == TMON_OK);
		ck_assert(memcmp(rtmr, q.report.rtmr, sizeof(rtmr)) == 0);
		tdx_event_log_free(&log);
		arr = load_json(path);
		snprintf(path, sizeof(path),
		    EVL "nearai-cloud/%s_app_compose.json", who[i]);
		compose = load(path, &clen);
		sha256(compose, clen, h);
		hex_encode(h, 32, hhex);
		ck_assert_uint_eq(q.report.mr_config_id[0], 1);
		ck_assert(memcmp(q.report.mr_config_id + 1, h, 32) == 0);

		/* array log + object tcb_info, string log, string tcb_info */
		for (form = 0; form < 3; form++) {
			s = form == 1 ? json_stringn((char *)text, tlen) :
			    json_incref(arr);
			att = make_att(s, (char *)compose, clen, form == 2);
			checklist_init(&cl);
			tdx_check_event_log(&q, att, &cl);
			tdx_check_compose(&q, att, &cl, hex);
			ASSERT_CHECK(&cl, "tdx.event_log", CHECK_PASS,
			    "RTMR0-3 match");
			ASSERT_CHECK(&cl, "tdx.compose", CHECK_PASS,
			    "= compose-hash event = MRCONFIGID v1");
			ck_assert_str_eq(hex, hhex);
			json_decref(s);
			json_decref(att);
		}
		json_decref(arr);
		free(compose);
		free(text);
		free(qb);
	}
}
END_TEST

/*
 * dstack simulator: its log replays to its quote, but its app-compose
 * is a placeholder that does not hash to the compose-hash event
 * (ea549f02... per the evidence PROVENANCE) and MRCONFIGID is zero.
 */
START_TEST(test_simulator_compose_mismatch)
{
	struct tdx_quote q;
	struct checklist cl;
	uint8_t *qhex, *qb, *compose;
	size_t len, qlen, clen;
	char hex[65];
	json_t *arr, *att;

	qhex = load(EVL "dstack-simulator/simulator_quote.hex", &len);
	qb = hex_decode_alloc((char *)qhex, len, MAX_QUOTE_LEN, true, &qlen);
	ck_assert_ptr_nonnull(qb);
	quote_parse(qb, qlen, &q);
	arr = load_json(EVL "dstack-simulator/simulator_eventlog.json");
	compose = load(EVL "dstack-simulator/simulator_app-compose.json",
	    &clen);
	att = make_att(arr, (char *)compose, clen, false);
	checklist_init(&cl);
	tdx_check_event_log(&q, att, &cl);
	tdx_check_compose(&q, att, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_PASS, "RTMR0-3 match");
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL,
	    "compose-hash event holds ea549f02e1a25fab...");
	ck_assert_str_eq(hex, "");
	json_decref(att);
	json_decref(arr);
	free(compose);
	free(qb);
	free(qhex);
}
END_TEST

/* The gemma attestation object (deep copy) and its parsed quote. */
struct gemma {
	struct gw_report rep;
	struct tdx_quote q;
	json_t		*att;
};

static void
gemma_open(struct gemma *g)
{
	report_open(GEMMA_0610, &g->rep);
	quote_parse(g->rep.att[0].quote, g->rep.att[0].quote_len, &g->q);
	g->att = json_deep_copy(g->rep.att[0].obj);
	ck_assert_ptr_nonnull(g->att);
}

static void
gemma_close(struct gemma *g)
{
	json_decref(g->att);
	gw_report_free(&g->rep);
}

static json_t *
tcb_info(json_t *att)
{
	return json_object_get(json_object_get(att, "info"), "tcb_info");
}

/* Set the top-level event_log of att to arr serialised as a string. */
static void
set_top_string(json_t *att, json_t *arr)
{
	char *s = json_dumps(arr, JSON_COMPACT);

	ck_assert_ptr_nonnull(s);
	json_object_set_new(att, "event_log", json_string(s));
	free(s);
}

/* Flip the first hex digit of member key of event i in arr. */
static void
flip_hex(json_t *arr, size_t i, const char *key)
{
	json_t *e = json_array_get(arr, i);
	char *s = strdup(json_string_value(json_object_get(e, key)));

	ck_assert_ptr_nonnull(s);
	ck_assert(s[0] != '\0');
	s[0] = s[0] == '0' ? '1' : '0';
	json_object_set_new(e, key, json_string(s));
	free(s);
}

static void
run_log(struct gemma *g, struct checklist *cl)
{
	checklist_init(cl);
	tdx_check_event_log(&g->q, g->att, cl);
}

START_TEST(test_tampered_logs)
{
	struct gemma g;
	struct checklist cl;
	json_t *arr, *e;

	/* one payload byte (app-id, event 21) in the string-encoded log:
	 * its digest is recomputed, so RTMR3 no longer replays */
	gemma_open(&g);
	arr = top_log(g.att);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    21), "event")), "app-id");
	flip_hex(arr, 21, "event_payload");
	set_top_string(g.att, arr);
	json_decref(arr);
	run_log(&g, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL,
	    "event_log: RTMR3 differs: replayed ");
	gemma_close(&g);

	/* the same byte in the tcb_info copy, whose digests are given:
	 * the given digest no longer matches the payload */
	gemma_open(&g);
	json_object_del(g.att, "event_log");
	flip_hex(json_object_get(tcb_info(g.att), "event_log"), 21,
	    "event_payload");
	run_log(&g, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL,
	    "info.tcb_info.event_log: event 21 (app-id): digest does not "
	    "match");
	gemma_close(&g);

	/* a digest that does not match its payload (compose-hash) */
	gemma_open(&g);
	flip_hex(json_object_get(tcb_info(g.att), "event_log"), 22,
	    "digest");
	run_log(&g, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL,
	    "event 22 (compose-hash): digest does not match");
	gemma_close(&g);

	/* two runtime events swapped */
	gemma_open(&g);
	arr = top_log(g.att);
	e = json_incref(json_array_get(arr, 21));
	json_array_remove(arr, 21);
	json_array_insert_new(arr, 22, e);
	set_top_string(g.att, arr);
	json_decref(arr);
	run_log(&g, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL, "RTMR3 differs");
	gemma_close(&g);

	/* one firmware event removed */
	gemma_open(&g);
	json_array_remove(json_object_get(tcb_info(g.att), "event_log"), 0);
	run_log(&g, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL,
	    "info.tcb_info.event_log: RTMR0 differs");
	gemma_close(&g);

	/* a firmware event without its digest cannot be replayed */
	gemma_open(&g);
	json_object_set_new(json_array_get(json_object_get(tcb_info(g.att),
	    "event_log"), 3), "digest", json_string(""));
	run_log(&g, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL,
	    "malformed: event 3 (imr 0, type 0x80000001): no digest");
	gemma_close(&g);

	/* no log at all: skip (Chutes) */
	gemma_open(&g);
	json_object_del(g.att, "event_log");
	json_object_del(tcb_info(g.att), "event_log");
	run_log(&g, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_SKIP, "no event log");
	gemma_close(&g);
}
END_TEST

static void
run_compose(struct gemma *g, struct checklist *cl, char hex[65])
{
	checklist_init(cl);
	tdx_check_compose(&g->q, g->att, cl, hex);
}

START_TEST(test_tampered_compose)
{
	struct gemma g;
	struct checklist cl;
	char hex[65], *s;
	json_t *ti;

	/* app_compose changed by one byte */
	gemma_open(&g);
	ti = tcb_info(g.att);
	s = strdup(json_string_value(json_object_get(ti, "app_compose")));
	ck_assert_ptr_nonnull(s);
	s[10] ^= 0x01;
	json_object_set_new(ti, "app_compose", json_string(s));
	free(s);
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL,
	    "MRCONFIGID v1 holds cd5af14107fda078..., not sha256(app_compose)");
	ck_assert_str_eq(hex, "");
	gemma_close(&g);

	/* MRCONFIGID differs from the compose hash */
	gemma_open(&g);
	g.q.report.mr_config_id[1] ^= 0x01;
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL, "MRCONFIGID v1 holds");
	gemma_close(&g);

	/* v1 with bytes after the hash */
	gemma_open(&g);
	g.q.report.mr_config_id[40] = 0x01;
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL, "non-zero bytes");
	gemma_close(&g);

	/* unknown version byte */
	gemma_open(&g);
	g.q.report.mr_config_id[0] = 0x03;
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL, "version byte 0x03");
	gemma_close(&g);

	/* v2: the event still binds it; without logs it cannot be judged */
	gemma_open(&g);
	g.q.report.mr_config_id[0] = 0x02;
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_PASS,
	    "compose-hash event (MRCONFIGID v2 not checked)");
	ck_assert_str_eq(hex, g.rep.att[0].compose_hash);
	json_object_del(g.att, "event_log");
	json_object_del(tcb_info(g.att), "event_log");
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_ERROR, "v2");
	ck_assert_str_eq(hex, "");
	gemma_close(&g);

	/* MRCONFIGID unused: the event binds it; without logs nothing */
	gemma_open(&g);
	memset(g.q.report.mr_config_id, 0, 48);
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_PASS,
	    "= compose-hash event (MRCONFIGID not used)");
	json_object_del(g.att, "event_log");
	json_object_del(tcb_info(g.att), "event_log");
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL,
	    "nothing in the quote binds app_compose");
	gemma_close(&g);

	/* a served compose_hash that is not the hash */
	gemma_open(&g);
	json_object_set_new(json_object_get(g.att, "info"), "compose_hash",
	    json_string("00000000000000000000000000000000"
	    "00000000000000000000000000000000"));
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL,
	    "served info.compose_hash 0000000000000000... is not");
	gemma_close(&g);

	/* a log that does not replay cannot vouch for its event */
	gemma_open(&g);
	g.q.report.rtmr[3][0] ^= 0x01;
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL,
	    "compose-hash event unusable: event log does not replay to RTMR3");
	gemma_close(&g);

	/* no app_compose: skip, reporting the hash MRCONFIGID attests */
	gemma_open(&g);
	json_object_del(tcb_info(g.att), "app_compose");
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_SKIP, "no app_compose");
	ck_assert_str_eq(hex, g.rep.att[0].compose_hash);
	gemma_close(&g);

	/* app_compose of the wrong type */
	gemma_open(&g);
	json_object_set_new(tcb_info(g.att), "app_compose", json_integer(1));
	run_compose(&g, &cl, hex);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL, "not a string");
	gemma_close(&g);
}
END_TEST

/* A 96-hex digest, for building events. */
#define D96 "000102030405060708090a0b0c0d0e0f000102030405060708090a0b" \
	"0c0d0e0f000102030405060708090a0b0c0d0e0f"

static const struct {
	const char	*text;
	enum tmon_rc	 rc;
	const char	*msg;
} bad_logs[] = {
	{ "{}", TMON_E_PARSE, "not an array" },
	{ "[5]", TMON_E_PARSE, "event 0: not an object" },
	{ "[{\"imr\":{},\"event_type\":1,\"digest\":\"" D96 "\"}]",
	    TMON_E_PARSE, "imr" },
	{ "[{\"imr\":4096,\"event_type\":1,\"digest\":\"" D96 "\"}]",
	    TMON_E_PARSE, "imr" },
	{ "[{\"imr\":18446744073709551615,\"event_type\":1}]",
	    TMON_E_PARSE, "JSON" },
	{ "[{\"imr\":-1,\"event_type\":1,\"digest\":\"" D96 "\"}]",
	    TMON_E_PARSE, "imr" },
	{ "[{\"imr\":\"4\",\"event_type\":1,\"digest\":\"" D96 "\"}]",
	    TMON_E_PARSE, "imr" },
	{ "[{\"imr\":\"0x1\",\"event_type\":1,\"digest\":\"" D96 "\"}]",
	    TMON_E_PARSE, "imr" },
	{ "[{\"imr\":1.0,\"event_type\":1,\"digest\":\"" D96 "\"}]",
	    TMON_E_PARSE, "imr" },
	{ "[{\"event_type\":1,\"digest\":\"" D96 "\"}]", TMON_E_PARSE,
	    "imr" },
	{ "[{\"imr\":0,\"event_type\":4294967296,\"digest\":\"" D96 "\"}]",
	    TMON_E_PARSE, "event_type" },
	{ "[{\"imr\":0,\"event_type\":\"abc\",\"digest\":\"" D96 "\"}]",
	    TMON_E_PARSE, "event_type" },
	{ "[{\"imr\":0,\"event_type\":1,\"digest\":\"zz" D96 "\"}]",
	    TMON_E_PARSE, "digest" },
	{ "[{\"imr\":0,\"event_type\":1,\"digest\":\"" D96 "0\"}]",
	    TMON_E_PARSE, "digest" },
	{ "[{\"imr\":0,\"event_type\":1,\"digest\":7}]", TMON_E_PARSE,
	    "digest" },
	{ "[{\"imr\":3,\"event_type\":134217729,\"event\":\"x\","
	    "\"event_payload\":\"abc\"}]", TMON_E_PARSE, "event_payload" },
	{ "[{\"imr\":3,\"event_type\":134217729,\"event\":\"x\","
	    "\"event_payload\":\"0x12\"}]", TMON_E_PARSE, "event_payload" },
	{ "[{\"imr\":3,\"event_type\":134217729,\"event\":[],"
	    "\"event_payload\":\"\"}]", TMON_E_PARSE,
	    "event 0: event: must be a string" },
	{ "[{\"imr\":0,\"imr\":1,\"event_type\":1,\"digest\":\"" D96 "\"}]",
	    TMON_E_PARSE, "JSON" },
	{ "[{", TMON_E_PARSE, "JSON" },
	{ "", TMON_E_PARSE, "JSON" },
};

/* Deeply nested JSON text, over MAX_JSON_DEPTH. */
static char *
deep_text(void)
{
	char *s = malloc(2 * 200 + 1);
	int i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < 200; i++) {
		s[i] = '[';
		s[200 + i] = ']';
	}
	s[400] = '\0';
	return s;
}

/* n copies of one event, as JSON text. */
static char *
many_events(size_t n)
{
	static const char ev[] = "{\"imr\":1,\"event_type\":1,\"digest\":\""
	    D96 "\"},";
	size_t i, len = 1 + n * (sizeof(ev) - 1) + 2;
	char *s = malloc(len), *p = s;

	ck_assert_ptr_nonnull(s);
	*p++ = '[';
	for (i = 0; i < n; i++) {
		memcpy(p, ev, sizeof(ev) - 1);
		p += sizeof(ev) - 1;
	}
	if (n > 0)
		p--;
	*p++ = ']';
	*p = '\0';
	return s;
}

static void
expect_bad(const char *text, enum tmon_rc rc, const char *msg)
{
	struct tdx_event_log log;
	struct tmon_err err;
	struct tdx_quote q;
	struct checklist cl;
	json_t *att;

	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_event_log_parse_text(text, strlen(text), &log,
	    &err), rc);
	ck_assert_msg(strstr(err.msg, msg) != NULL, "\"%.60s\": \"%s\" lacks "
	    "\"%s\"", text, err.msg, msg);
	ck_assert_ptr_null(log.ev);
	/* the same as an attestation's string-encoded event_log */
	memset(&q, 0, sizeof(q));
	att = json_object();
	json_object_set_new(att, "event_log", json_string(text));
	checklist_init(&cl);
	tdx_check_event_log(&q, att, &cl);
	if (text[0] == '\0')	/* an empty string is no log */
		ck_assert_int_eq(st(&cl, "tdx.event_log"), CHECK_SKIP);
	else
		ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL,
		    "event_log: malformed: ");
	json_decref(att);
}

START_TEST(test_bad_json)
{
	struct tdx_event_log log;
	struct tmon_err err;
	struct tdx_quote q;
	struct checklist cl;
	char *s, name[MAX_EVENT_NAME + 2];
	json_t *att, *arr, *e, *info;
	size_t i;

	for (i = 0; i < sizeof(bad_logs) / sizeof(bad_logs[0]); i++)
		expect_bad(bad_logs[i].text, bad_logs[i].rc, bad_logs[i].msg);
	s = deep_text();
	expect_bad(s, TMON_E_LIMIT, "nested deeper");
	free(s);
	s = many_events(MAX_EVENTS + 1);
	expect_bad(s, TMON_E_LIMIT, "over the limit");
	free(s);
	/* exactly MAX_EVENTS is accepted */
	s = many_events(MAX_EVENTS);
	tmon_err_clear(&err);
	ck_assert(tdx_event_log_parse_text(s, strlen(s), &log, &err) ==
	    TMON_OK);
	ck_assert_uint_eq(log.n, MAX_EVENTS);
	tdx_event_log_free(&log);
	free(s);

	/* text limits: a string log, a string tcb_info, app_compose */
	s = malloc(MAX_TCB_INFO_TEXT + 2);
	ck_assert_ptr_nonnull(s);
	memset(s, ' ', MAX_TCB_INFO_TEXT + 1);
	s[0] = '[';
	s[MAX_EVENT_LOG_TEXT] = ']';
	s[MAX_EVENT_LOG_TEXT + 1] = '\0';
	expect_bad(s, TMON_E_LIMIT, "over the limit of 1048576");
	s[0] = '{';
	s[MAX_EVENT_LOG_TEXT] = ' ';
	s[MAX_EVENT_LOG_TEXT + 1] = ' ';
	s[MAX_TCB_INFO_TEXT] = '}';
	s[MAX_TCB_INFO_TEXT + 1] = '\0';
	memset(&q, 0, sizeof(q));
	att = json_pack("{s:{s:s}}", "info", "tcb_info", s);
	checklist_init(&cl);
	tdx_check_event_log(&q, att, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL,
	    "over the limit of 2097152");
	json_decref(att);
	s[MAX_APP_COMPOSE + 1] = '\0';
	att = make_att(NULL, s, MAX_APP_COMPOSE + 1, false);
	checklist_init(&cl);
	tdx_check_compose(&q, att, &cl, name);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL,
	    "app_compose of 1048577 bytes, over the limit");
	json_decref(att);
	free(s);

	/* name and payload limits (array form) */
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	arr = json_array();
	e = json_pack("{s:i, s:i, s:s, s:s}", "imr", 3, "event_type",
	    0x08000001, "event", name, "event_payload", "");
	json_array_append_new(arr, e);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_event_log_parse(arr, &log, &err), TMON_E_LIMIT);
	ck_assert(strstr(err.msg, "event name") != NULL);
	s = malloc(2 * (MAX_EVENT_PAYLOAD + 1) + 1);
	ck_assert_ptr_nonnull(s);
	memset(s, 'a', 2 * (MAX_EVENT_PAYLOAD + 1));
	s[2 * (MAX_EVENT_PAYLOAD + 1)] = '\0';
	json_object_set_new(e, "event", json_string("x"));
	json_object_set_new(e, "event_payload", json_string(s));
	free(s);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_event_log_parse(arr, &log, &err), TMON_E_LIMIT);
	ck_assert(strstr(err.msg, "payload") != NULL);
	json_decref(arr);

	/* imr and event_type as decimal strings are accepted */
	arr = json_pack("[{s:s, s:s, s:s}]", "imr", "2", "event_type", "6",
	    "digest", D96);
	ck_assert_ptr_nonnull(arr);
	tmon_err_clear(&err);
	ck_assert(tdx_event_log_parse(arr, &log, &err) == TMON_OK);
	ck_assert_uint_eq(log.ev[0].imr, 2);
	ck_assert_uint_eq(log.ev[0].type, 6);
	tdx_event_log_free(&log);
	json_decref(arr);

	/* hostile shapes around the log */
	memset(&q, 0, sizeof(q));
	att = json_pack("{s:i}", "event_log", 42);
	checklist_init(&cl);
	tdx_check_event_log(&q, att, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL, "not an array");
	json_decref(att);
	att = json_pack("{s:{s:s}}", "info", "tcb_info", "not json");
	checklist_init(&cl);
	tdx_check_event_log(&q, att, &cl);
	tdx_check_compose(&q, att, &cl, name);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL,
	    "info.tcb_info: not valid JSON");
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL, "info.tcb_info");
	json_decref(att);
	att = json_pack("{s:{s:i}}", "info", "tcb_info", 7);
	checklist_init(&cl);
	tdx_check_event_log(&q, att, &cl);
	ASSERT_CHECK(&cl, "tdx.event_log", CHECK_FAIL, "not an object");
	json_decref(att);
	info = json_pack("{s:s}", "tcb_info", "[1,2]");
	att = json_pack("{s:o}", "info", info);
	checklist_init(&cl);
	tdx_check_compose(&q, att, &cl, name);
	ASSERT_CHECK(&cl, "tdx.compose", CHECK_FAIL, "not an object");
	json_decref(att);
}
END_TEST

/* Every proper prefix of the real string-encoded log is rejected. */
START_TEST(test_truncated_log)
{
	struct tdx_event_log log;
	struct tmon_err err;
	struct gemma g;
	const char *text;
	size_t len, i;

	gemma_open(&g);
	text = json_string_value(json_object_get(g.att, "event_log"));
	len = json_string_length(json_object_get(g.att, "event_log"));
	for (i = 0; i < len; i++) {
		tmon_err_clear(&err);
		ck_assert_msg(tdx_event_log_parse_text(text, i, &log, &err) !=
		    TMON_OK, "prefix %zu accepted", i);
		ck_assert_ptr_null(log.ev);
	}
	tmon_err_clear(&err);
	ck_assert(tdx_event_log_parse_text(text, len, &log, &err) == TMON_OK);
	tdx_event_log_free(&log);
	gemma_close(&g);
}
END_TEST

/*
 * Replace info.tcb_info.event_log of g with arr (and drop the top-level
 * one), and set the quote's RTMR3 to arr's reference replay.
 */
static void
use_log(struct gemma *g, json_t *arr)
{
	uint8_t ref[4][48];

	json_object_del(g->att, "event_log");
	json_object_set(tcb_info(g->att), "event_log", arr);
	ref_replay(arr, false, ref);
	memcpy(g->q.report.rtmr[3], ref[3], 48);
}

START_TEST(test_system_values)
{
	struct gemma g;
	struct tmon_err err;
	uint8_t v[32], served[32];
	json_t *arr, *e;
	size_t ready;

	/* the real values equal what the response serves */
	gemma_open(&g);
	tmon_err_clear(&err);
	ck_assert(tdx_event_log_system_value(&g.q, g.att, "compose-hash", v,
	    32, &err) == TMON_OK);
	served_hex(g.att, "compose_hash", NULL, served, 32);
	ck_assert(memcmp(v, served, 32) == 0);
	ck_assert(tdx_event_log_system_value(&g.q, g.att, "os-image-hash", v,
	    32, &err) == TMON_OK);
	served_hex(g.att, "os_image_hash", NULL, served, 32);
	ck_assert(memcmp(v, served, 32) == 0);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_event_log_system_value(&g.q, g.att, "app-id", v,
	    32, &err), TMON_E_PARSE);	/* 20 bytes */
	ck_assert(strstr(err.msg, "not 32") != NULL);
	gemma_close(&g);

	/* a second compose-hash event (as an app could emit after
	 * system-ready), in a log that does replay */
	gemma_open(&g);
	arr = json_deep_copy(json_object_get(tcb_info(g.att), "event_log"));
	ready = json_array_size(arr) - 1;
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    ready), "event")), "system-ready");
	e = json_deep_copy(json_array_get(arr, 22));
	json_object_set_new(e, "digest", json_string(""));
	json_array_append_new(arr, e);
	use_log(&g, arr);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_event_log_system_value(&g.q, g.att,
	    "compose-hash", v, 32, &err), TMON_E_PARSE);
	ck_assert(strstr(err.msg, "several compose-hash events") != NULL);
	/* only the late one */
	json_array_remove(arr, 22);
	use_log(&g, arr);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_event_log_system_value(&g.q, g.att,
	    "compose-hash", v, 32, &err), TMON_E_PARSE);
	ck_assert(strstr(err.msg, "after system-ready") != NULL);
	json_decref(arr);
	gemma_close(&g);

	/* no log */
	gemma_open(&g);
	json_object_del(g.att, "event_log");
	json_object_del(tcb_info(g.att), "event_log");
	ck_assert_int_eq(tdx_event_log_system_value(&g.q, g.att,
	    "compose-hash", v, 32, &err), TMON_E_NOTFOUND);
	gemma_close(&g);
}
END_TEST

static void
quote_file(const char *path, uint8_t **buf, struct tdx_quote *q)
{
	size_t len;

	*buf = load(path, &len);
	quote_parse(*buf, len, q);
}

/* Real quotes that break the TD policy (tdx_policy.h). */
START_TEST(test_td_attributes_real)
{
	struct tdx_quote q;
	struct checklist cl;
	uint8_t *b;

	quote_file(EVL "td-attributes/tdx-v4-trustee.dat", &b, &q);
	checklist_init(&cl);
	tdx_check_td_attributes(&q, &cl);
	ASSERT_CHECK(&cl, "tdx.td_attributes", CHECK_FAIL, "DEBUG bit set");
	free(b);

	quote_file(EVL "td-attributes/tdx-v4-azure.bin", &b, &q);
	checklist_init(&cl);
	tdx_check_td_attributes(&q, &cl);
	ASSERT_CHECK(&cl, "tdx.td_attributes", CHECK_FAIL,
	    "SEPT_VE_DISABLE clear (TDATTRIBUTES 0x0000000000000000)");
	free(b);

	quote_file(EVL "td-attributes/alibaba_quote_5.dat", &b, &q);
	ck_assert_uint_eq(q.body_type, TDX_BODY_TD15);
	checklist_init(&cl);
	tdx_check_td_attributes(&q, &cl);
	ASSERT_CHECK(&cl, "tdx.td_attributes", CHECK_FAIL,
	    "MRSERVICETD is not zero");
	free(b);

	/* PERFMON is allowed */
	quote_file(EVL "td-attributes/tdx-v4-moemahhouk.dat", &b, &q);
	checklist_init(&cl);
	tdx_check_td_attributes(&q, &cl);
	ASSERT_CHECK(&cl, "tdx.td_attributes", CHECK_PASS,
	    "(TDATTRIBUTES 0x8000000010000000); allowed features on: "
	    "PERFMON");
	free(b);

	/* a TD15 quote with zero MRSERVICETD */
	quote_file(TMON_TEST_DATA "/tdx/gotdx_quote_v5_sample.dat", &b, &q);
	checklist_init(&cl);
	tdx_check_td_attributes(&q, &cl);
	ASSERT_CHECK(&cl, "tdx.td_attributes", CHECK_PASS,
	    "MRSERVICETD zero");
	free(b);
}
END_TEST

/* Edited copies of the gemma quote's parsed TD report. */
START_TEST(test_td_attributes_edited)
{
	static const struct {
		int		 byte, bit;
		const char	*why;
	} edits[] = {
		{ 0, 0, "DEBUG bit set" },
		{ 0, 1, "TD-under-debug bits 7:1 set" },
		{ 3, 4, "SEPT_VE_DISABLE clear" },	/* bit 28 */
		{ 1, 0, "reserved bits set: 0x0000000000000100" },
		{ 3, 5, "reserved bits set: 0x0000000020000000" },
		{ 5, 0, "reserved bits set: 0x0000010000000000" },
	};
	struct gemma g;
	struct checklist cl;
	size_t i;

	gemma_open(&g);
	checklist_init(&cl);
	tdx_check_td_attributes(&g.q, &cl);
	ASSERT_CHECK(&cl, "tdx.td_attributes", CHECK_PASS,
	    "DEBUG off, SEPT_VE_DISABLE on, no reserved bits (TDATTRIBUTES "
	    "0x0000000010000000)");
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		g.q.report.td_attributes[edits[i].byte] ^=
		    (uint8_t)(1u << edits[i].bit);
		checklist_init(&cl);
		tdx_check_td_attributes(&g.q, &cl);
		ASSERT_CHECK(&cl, "tdx.td_attributes", CHECK_FAIL,
		    edits[i].why);
		g.q.report.td_attributes[edits[i].byte] ^=
		    (uint8_t)(1u << edits[i].bit);
	}
	g.q.report.mr_servicetd[47] = 1;
	checklist_init(&cl);
	tdx_check_td_attributes(&g.q, &cl);
	ASSERT_CHECK(&cl, "tdx.td_attributes", CHECK_FAIL,
	    "MRSERVICETD is not zero");
	gemma_close(&g);
}
END_TEST

START_TEST(test_policy)
{
	struct gemma g;
	struct checklist cl;
	struct measurement_policy p;
	uint8_t mrtd[2][48], r0[1][48], r1[1][48], r2[1][48], ch[1][32],
	    os[1][32];
	char hex[65], want[160];

	gemma_open(&g);
	/* what the response serves, not what tmon computes */
	memset(mrtd[0], 0xaa, 48);
	served_hex(g.att, "tcb_info", "mrtd", mrtd[1], 48);
	served_hex(g.att, "tcb_info", "rtmr0", r0[0], 48);
	served_hex(g.att, "tcb_info", "rtmr1", r1[0], 48);
	served_hex(g.att, "tcb_info", "rtmr2", r2[0], 48);
	served_hex(g.att, "compose_hash", NULL, ch[0], 32);
	served_hex(g.att, "os_image_hash", NULL, os[0], 32);
	checklist_init(&cl);
	tdx_check_compose(&g.q, g.att, &cl, hex);

	/* nothing configured */
	checklist_init(&cl);
	measurement_check_policy(&g.q, g.att, hex, NULL, &cl);
	ASSERT_CHECK(&cl, "measurement.policy", CHECK_WARN,
	    "unpinned: no allow-list configured");
	memset(&p, 0, sizeof(p));
	checklist_init(&cl);
	measurement_check_policy(&g.q, g.att, hex, &p, &cl);
	ck_assert_int_eq(st(&cl, "measurement.policy"), CHECK_WARN);

	/* MRTD only (second of two entries) */
	p.mrtd.v = (const uint8_t (*)[48])mrtd;
	p.mrtd.n = 2;
	checklist_init(&cl);
	measurement_check_policy(&g.q, g.att, hex, &p, &cl);
	ASSERT_CHECK(&cl, "measurement.policy", CHECK_PASS,
	    "pinned: MRTD (not pinned: RTMR0, RTMR1, RTMR2, compose hash, "
	    "os_image_hash)");

	/* everything */
	p.rtmr0.v = (const uint8_t (*)[48])r0;
	p.rtmr0.n = 1;
	p.rtmr1.v = (const uint8_t (*)[48])r1;
	p.rtmr1.n = 1;
	p.rtmr2.v = (const uint8_t (*)[48])r2;
	p.rtmr2.n = 1;
	p.compose_hash.v = (const uint8_t (*)[32])ch;
	p.compose_hash.n = 1;
	p.os_image_hash.v = (const uint8_t (*)[32])os;
	p.os_image_hash.n = 1;
	checklist_init(&cl);
	measurement_check_policy(&g.q, g.att, hex, &p, &cl);
	ASSERT_CHECK(&cl, "measurement.policy", CHECK_PASS,
	    "pinned: MRTD, RTMR0, RTMR1, RTMR2, compose hash, os_image_hash");

	/* a wrong MRTD (only the 0xaa entry left) and a wrong RTMR1 */
	p.mrtd.n = 1;
	r1[0][0] ^= 1;
	checklist_init(&cl);
	measurement_check_policy(&g.q, g.att, hex, &p, &cl);
	snprintf(want, sizeof(want), "MRTD %s is not in the allow-list "
	    "(1 entry); also RTMR1",
	    json_string_value(json_object_get(tcb_info(g.att), "mrtd")));
	ASSERT_CHECK(&cl, "measurement.policy", CHECK_FAIL, want);
	p.mrtd.n = 2;
	r1[0][0] ^= 1;

	/* compose hash not attested */
	checklist_init(&cl);
	measurement_check_policy(&g.q, g.att, "", &p, &cl);
	ASSERT_CHECK(&cl, "measurement.policy", CHECK_FAIL,
	    "compose hash not attested");
	/* a different compose hash */
	ch[0][31] ^= 1;
	checklist_init(&cl);
	measurement_check_policy(&g.q, g.att, hex, &p, &cl);
	ASSERT_CHECK(&cl, "measurement.policy", CHECK_FAIL, "compose hash ");
	ch[0][31] ^= 1;

	/* a served os_image_hash that the event contradicts */
	json_object_set_new(json_object_get(g.att, "info"), "os_image_hash",
	    json_string("00000000000000000000000000000000"
	    "00000000000000000000000000000000"));
	checklist_init(&cl);
	measurement_check_policy(&g.q, g.att, hex, &p, &cl);
	ASSERT_CHECK(&cl, "measurement.policy", CHECK_FAIL,
	    "served info.os_image_hash differs from the os-image-hash event");
	/* no event log: os_image_hash cannot be attested */
	json_object_del(g.att, "event_log");
	json_object_del(tcb_info(g.att), "event_log");
	checklist_init(&cl);
	measurement_check_policy(&g.q, g.att, hex, &p, &cl);
	ASSERT_CHECK(&cl, "measurement.policy", CHECK_FAIL,
	    "os_image_hash not attested: no event log");
	gemma_close(&g);
}
END_TEST

static struct attest_result *
verify(const char *path, const char *nonce_hex, int64_t at,
    const struct measurement_policy *p)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	struct attest_ctx ctx;
	uint8_t nonce[32], *body;
	size_t len;

	ck_assert_ptr_nonnull(r);
	memset(&ctx, 0, sizeof(ctx));
	ctx.policy = p;
	ck_assert(hex_decode_exact(nonce_hex, 64, nonce, 32, false));
	body = load(path, &len);
	attest_verify_ctx(body, len, nonce, at, &ctx, r);
	free(body);
	return r;
}

/* The checks as wired into attest.c. */
START_TEST(test_attest_wiring)
{
	struct measurement_policy p;
	struct attest_result *r;
	uint8_t mrtd[1][48];
	json_t *j;

	j = load_json(GEMMA_0610);
	served_hex(j, "tcb_info", "mrtd", mrtd[0], 48);
	json_decref(j);
	memset(&p, 0, sizeof(p));
	p.mrtd.v = (const uint8_t (*)[48])mrtd;
	p.mrtd.n = 1;
	r = verify(GEMMA_0610, "9a796732359e9324a45576a730e5a9c47bff518b8ee8"
	    "bcb882d00b5b1ff6f39a", 1781056145, &p);
	ASSERT_CHECK(&r->checks, "tdx.td_attributes", CHECK_PASS, "DEBUG off");
	ASSERT_CHECK(&r->checks, "tdx.event_log", CHECK_PASS,
	    "30 events, RTMR0-3 match");
	ASSERT_CHECK(&r->checks, "tdx.compose", CHECK_PASS,
	    "sha256(app_compose) cd5af14107fda078...");
	ASSERT_CHECK(&r->checks, "measurement.policy", CHECK_PASS,
	    "pinned: MRTD");
	free(r);
	r = verify(GEMMA_0610, "9a796732359e9324a45576a730e5a9c47bff518b8ee8"
	    "bcb882d00b5b1ff6f39a", 1781056145, NULL);
	ASSERT_CHECK(&r->checks, "measurement.policy", CHECK_WARN, "unpinned");
	free(r);

	/* NEAR gateway format: the policy pins the model, not the gateway */
	j = load_json(NEARAI);
	served_hex(json_array_get(json_object_get(j, "model_attestations"),
	    0), "tcb_info", "mrtd", mrtd[0], 48);
	json_decref(j);
	r = verify(NEARAI, "deadbeef000000000000000000000000000000000000000"
	    "00000000000000001", 1760000000, &p);
	ASSERT_CHECK(&r->checks, "measurement.policy", CHECK_PASS,
	    "model[0]: pinned: MRTD");
	ASSERT_CHECK(&r->checks, "tdx.event_log", CHECK_PASS, "RTMR0-3 match");
	ASSERT_CHECK(&r->checks, "tdx.compose", CHECK_PASS,
	    "= MRCONFIGID v1");
	free(r);

	/* Chutes: no event log, no app_compose */
	r = verify(MULTI "kimi-k2.5_attestation.json", "0000000000000000000"
	    "000000000000000000000000000000000000000000000", 1774479022, NULL);
	ASSERT_CHECK(&r->checks, "tdx.event_log", CHECK_SKIP, "no event log");
	ASSERT_CHECK(&r->checks, "tdx.compose", CHECK_SKIP, "no app_compose");
	ASSERT_CHECK(&r->checks, "tdx.td_attributes", CHECK_PASS, "DEBUG off");
	free(r);
}
END_TEST

static Suite *
eventlog_suite(void)
{
	Suite *s = suite_create("eventlog");
	TCase *tc = tcase_create("eventlog");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_real_responses);
	tcase_add_test(tc, test_gemma_string_log_teep);
	tcase_add_test(tc, test_nearai_standalone);
	tcase_add_test(tc, test_simulator_compose_mismatch);
	tcase_add_test(tc, test_tampered_logs);
	tcase_add_test(tc, test_tampered_compose);
	tcase_add_test(tc, test_bad_json);
	tcase_add_test(tc, test_truncated_log);
	tcase_add_test(tc, test_system_values);
	tcase_add_test(tc, test_td_attributes_real);
	tcase_add_test(tc, test_td_attributes_edited);
	tcase_add_test(tc, test_policy);
	tcase_add_test(tc, test_attest_wiring);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(eventlog_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
