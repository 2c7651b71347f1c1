/*
 * check_canary: the canary completion helpers and the sig.* checks of a
 * probe, on the real NEAR AI documentation exchange A (tests/data/sig,
 * see its PROVENANCE.md): request bytes, SSE response bytes and the
 * signature endpoint answer, as published.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "canary.h"
#include "probe.h"
#include "provider.h"
#include "tmon_limits.h"
#include "util.h"

#define A TMON_TEST_DATA "/sig/nearai-docs/A_deepseek-v3.1_cloud-api_2025-10/"

static uint8_t *
load(const char *path, size_t *len)
{
	uint8_t *p = NULL;

	ck_assert_int_eq(read_file(path, MAX_UPSTREAM_BODY, &p, len, NULL),
	    TMON_OK);
	return p;
}

static struct model_cfg *
model(const char *provider)
{
	static struct model_cfg m;

	memset(&m, 0, sizeof(m));
	m.provider = (char *)(uintptr_t)provider;
	m.prov = provider_find(provider);
	ck_assert_ptr_nonnull(m.prov);
	m.model = (char *)(uintptr_t)"TEE/gemma-3-27b-it";
	m.name = m.model;
	m.base_url = (char *)(uintptr_t)"http://127.0.0.1:9";
	m.canary.enabled = true;
	m.canary.prompt = (char *)(uintptr_t)"Reply with the single word: ok";
	m.canary.max_tokens = 8;
	return &m;
}

START_TEST(test_request_and_urls)
{
	uint8_t *b;
	size_t n;
	char *u;

	b = canary_request_body(model("nanogpt"), false, &n);
	ck_assert_str_eq((char *)b, "{\"max_tokens\":8,\"messages\":[{\"content"
	    "\":\"Reply with the single word: ok\",\"role\":\"user\"}],\"model\""
	    ":\"TEE/gemma-3-27b-it\",\"stream\":false}");
	ck_assert_uint_eq(n, strlen((char *)b));
	free(b);
	u = canary_completion_url(model("nanogpt"));
	ck_assert_str_eq(u, "http://127.0.0.1:9/api/v1/chat/completions");
	free(u);
	u = canary_signature_url(model("nanogpt"), "chatcmpl-1");
	ck_assert_str_eq(u, "http://127.0.0.1:9/api/v1/tee/signature/chatcmpl-1"
	    "?model=TEE%2Fgemma-3-27b-it&signing_algo=ecdsa");
	free(u);
	u = canary_signature_url(model("near"), "x");
	ck_assert_str_eq(u, "http://127.0.0.1:9/v1/signature/x"
	    "?model=TEE%2Fgemma-3-27b-it&signing_algo=ecdsa");
	free(u);
}
END_TEST

START_TEST(test_completion_id)
{
	static const char *const bad[] = {
		"{\"object\":\"chat.completion\"}",
		"{\"id\":\"../../etc\"}",
		"{\"id\":42}",
		"{\"id\":\"a\",\"id\":\"b\"}",
		"not json",
		"",
	};
	char id[MAX_COMPLETION_ID];
	uint8_t *sse;
	size_t n, i;

	sse = load(A "response_body.sse", &n);
	ck_assert(canary_completion_id(sse, n, true, id, sizeof(id)));
	/* first line of the published stream */
	ck_assert_str_eq(id, "chatcmpl-f42e8ae7ddb346e1adfba47e3d710b46");
	ck_assert(!canary_completion_id(sse, n, false, id, sizeof(id)));
	free(sse);
	ck_assert(canary_completion_id((const uint8_t *)"{\"id\":\"cmpl-9\"}",
	    15, false, id, sizeof(id)));
	ck_assert_str_eq(id, "cmpl-9");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!canary_completion_id((const uint8_t *)bad[i],
		    strlen(bad[i]), false, id, sizeof(id)), "case %zu", i);
	ck_assert(!canary_completion_id((const uint8_t *)"data: [DONE]\n\n",
	    14, true, id, sizeof(id)));
}
END_TEST

/*
 * A stream cut inside its first "data: " line is read up to its last byte
 * and no further (the buffer is exactly that long, so ASan sees a read
 * past it; a short line is not "[DONE]").
 */
START_TEST(test_completion_id_cut)
{
	static const char *const cut[] = { "data: [", "data: [DON",
	    "data: {\"id\":\"a\"" };
	char id[MAX_COMPLETION_ID];
	uint8_t *t;
	size_t i, n;

	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		n = strlen(cut[i]);
		t = malloc(n);
		ck_assert_ptr_nonnull(t);
		memcpy(t, cut[i], n);
		ck_assert(!canary_completion_id(t, n, true, id, sizeof(id)));
		ck_assert_str_eq(id, "");
		free(t);
	}
}
END_TEST

/*
 * A first event nesting deeper than MAX_JSON_DEPTH has no id, in a stream
 * and as a whole body; one level less still has one.
 */
START_TEST(test_completion_id_depth)
{
	static const char head[] = "data: {\"id\":\"chatcmpl-deep\",\"x\":";
	static const char tail[] = "}\r\n\r\ndata: [DONE]\r\n\r\n";
	char id[MAX_COMPLETION_ID], *t;
	size_t n, i, arrays;
	bool stream;

	for (arrays = MAX_JSON_DEPTH - 1; arrays <= MAX_JSON_DEPTH; arrays++) {
		t = malloc(sizeof(head) + 2 * arrays + sizeof(tail));
		ck_assert_ptr_nonnull(t);
		n = sizeof(head) - 1;
		memcpy(t, head, n);
		for (i = 0; i < arrays; i++)
			t[n++] = '[';
		for (i = 0; i < arrays; i++)
			t[n++] = ']';
		memcpy(t + n, tail, sizeof(tail) - 1);
		n += sizeof(tail) - 1;
		for (stream = false; ; stream = true) {
			/* the body alone: skip "data: ", stop at the CRLF */
			ck_assert_int_eq(stream ? canary_completion_id(
			    (const uint8_t *)t, n, true, id, sizeof(id)) :
			    canary_completion_id((const uint8_t *)t + 6,
			    sizeof(head) - 7 + 2 * arrays + 1, false, id,
			    sizeof(id)), arrays < MAX_JSON_DEPTH);
			ck_assert_str_eq(id, arrays < MAX_JSON_DEPTH ?
			    "chatcmpl-deep" : "");
			if (stream)
				break;
		}
		free(t);
	}
}
END_TEST

struct ex {
	uint8_t	*req, *resp, *sig;
	size_t	 req_len, resp_len, sig_len;
};

static void
canary_a(struct ex *x, struct probe_canary *cn)
{
	x->req = load(A "request_body.json", &x->req_len);
	x->resp = load(A "response_body.sse", &x->resp_len);
	x->sig = load(A "signature_response.json", &x->sig_len);
	memset(cn, 0, sizeof(*cn));
	cn->attempted = true;
	cn->stream = true;
	cn->request = x->req;
	cn->request_len = x->req_len;
	cn->completion.rc = TMON_OK;
	cn->completion.status = 200;
	cn->completion.body = x->resp;
	cn->completion.body_len = x->resp_len;
	cn->completion.error = "";
	cn->completion_id = "chatcmpl-f42e8ae7ddb346e1adfba47e3d710b46";
	cn->sig_attempted = true;
	cn->sig_tries = 2;
	cn->signature.rc = TMON_OK;
	cn->signature.status = 200;
	cn->signature.body = x->sig;
	cn->signature.body_len = x->sig_len;
	cn->signature.error = "";
}

static void
ex_free(struct ex *x)
{
	free(x->req);
	free(x->resp);
	free(x->sig);
}

static enum check_status
st(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "%s missing", id);
	return c->status;
}

START_TEST(test_sig_checks)
{
	struct probe_canary cn;
	struct checklist cl;
	struct ex x;
	uint8_t flip;

	canary_a(&x, &cn);
	/* signing address from signature_response.json / expected.json */
	checklist_init(&cl);
	probe_check_canary(&cn, "0xcaaa4842758658a85785ad15367a700c601ffea5",
	    &cl);
	ck_assert_int_eq(st(&cl, "sig.completion"), CHECK_PASS);
	ck_assert_int_eq(st(&cl, "sig.request_hash"), CHECK_PASS);
	ck_assert_int_eq(st(&cl, "sig.response_hash"), CHECK_PASS);

	/* signed by a key the attestation did not bind */
	checklist_init(&cl);
	probe_check_canary(&cn, "0x0000000000000000000000000000000000000001",
	    &cl);
	ck_assert_int_eq(st(&cl, "sig.completion"), CHECK_FAIL);

	/* bytes changed after signing (a re-serialising gateway) */
	flip = x.resp[10];
	x.resp[10] ^= 0x20;
	checklist_init(&cl);
	probe_check_canary(&cn, NULL, &cl);
	ck_assert_int_eq(st(&cl, "sig.completion"), CHECK_PASS);
	ck_assert_int_eq(st(&cl, "sig.response_hash"), CHECK_FAIL);
	x.resp[10] = flip;

	/* signature never became available: error, not fail */
	cn.signature.status = 404;
	checklist_init(&cl);
	probe_check_canary(&cn, NULL, &cl);
	ck_assert_int_eq(st(&cl, "sig.completion"), CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(checklist_get(&cl, "sig.completion")->
	    detail, "not available after 2 requests"));
	cn.signature.status = 200;

	/* completion failed: error; no id: fail */
	cn.completion.status = 500;
	checklist_init(&cl);
	probe_check_canary(&cn, NULL, &cl);
	ck_assert_int_eq(st(&cl, "sig.completion"), CHECK_ERROR);
	cn.completion.status = 200;
	cn.completion_id = "";
	checklist_init(&cl);
	probe_check_canary(&cn, NULL, &cl);
	ck_assert_int_eq(st(&cl, "sig.completion"), CHECK_FAIL);

	/* a malformed signature answer is a fail */
	cn.completion_id = "x";
	cn.signature.body = (const uint8_t *)"{\"text\":1}";
	cn.signature.body_len = 10;
	checklist_init(&cl);
	probe_check_canary(&cn, NULL, &cl);
	ck_assert_int_eq(st(&cl, "sig.completion"), CHECK_FAIL);
	ex_free(&x);
}
END_TEST

/*
 * An upstream answer with an empty body (HTTP 200, 302, 502) is an error
 * naming the status and the empty body, and no blob: the store keeps
 * blobs of 1 byte or more, and an empty one stopped tmond.
 */
START_TEST(test_empty_bodies)
{
	static const long statuses[] = { 200, 302, 502 };
	static const uint8_t nonce[32];
	struct probe_fetch f;
	struct probe_canary cn;
	struct probe_outcome po;
	const struct check *c;
	struct ex x;
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.rc = TMON_OK;
		f.status = statuses[i];
		f.body = (const uint8_t *)"";	/* as fetch keeps it */
		f.body_len = 0;
		f.error = "";
		probe_evaluate(model("nanogpt"), "http://127.0.0.1:9/x",
		    nonce, 1000, 1000, NULL, &f, NULL, &po);
		ck_assert_int_eq(po.res.verdict, CHECK_ERROR);
		ck_assert(!po.has_body);
		c = checklist_get(&po.res.checks, "http.fetch");
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(c->status, CHECK_ERROR);
		snprintf(want, sizeof(want), "HTTP %ld with an empty body",
		    statuses[i]);
		ck_assert_msg(strstr(c->detail, want) != NULL, "%s",
		    c->detail);
		ck_assert(memmem(po.entry, po.entry_len,
		    "\"body_sha256\":null", 18) != NULL);
		probe_outcome_free(&po);
	}

	/* an empty completion, then an empty signature answer */
	canary_a(&x, &cn);
	cn.completion.body = (const uint8_t *)"";
	cn.completion.body_len = 0;
	memset(&f, 0, sizeof(f));
	f.rc = TMON_E_NET;
	f.error = "refused";
	probe_evaluate(model("nanogpt"), "http://127.0.0.1:9/x", nonce,
	    1000, 1000, NULL, &f, &cn, &po);
	ck_assert(!po.has_canary_resp);
	ck_assert_int_eq(st(&po.res.checks, "sig.completion"), CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(checklist_get(&po.res.checks,
	    "sig.completion")->detail, "HTTP 200 with an empty body"));
	probe_outcome_free(&po);
	cn.completion.body = x.resp;
	cn.completion.body_len = x.resp_len;
	cn.signature.body = (const uint8_t *)"";
	cn.signature.body_len = 0;
	probe_evaluate(model("nanogpt"), "http://127.0.0.1:9/x", nonce,
	    1000, 1000, NULL, &f, &cn, &po);
	ck_assert(po.has_canary_resp);
	ck_assert(!po.has_canary_sig);
	ck_assert_int_eq(st(&po.res.checks, "sig.completion"), CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(checklist_get(&po.res.checks,
	    "sig.completion")->detail, "empty body"));
	probe_outcome_free(&po);
	ex_free(&x);
}
END_TEST

/* The routes of every provider (provider.h), byte for byte. */
START_TEST(test_provider_routes)
{
	static const struct {
		const char	*provider;
		const char	*att, *comp, *sig;
	} want[] = {
		{ "nanogpt",
		  "/api/v1/tee/attestation?model=TEE%2Fgemma-3-27b-it&nonce=",
		  "/api/v1/chat/completions", "/api/v1/tee/signature/id-1" },
		{ "near", "/v1/attestation/report?model=TEE%2Fgemma-3-27b-it"
		  "&nonce=", "/v1/chat/completions", "/v1/signature/id-1" },
		{ "phala", "/v1/attestation/report?model=TEE%2Fgemma-3-27b-it"
		  "&nonce=", "/v1/chat/completions", "/v1/signature/id-1" },
		{ "redpill", "/v1/attestation/report?model=TEE%2Fgemma-3-27b-it"
		  "&nonce=", "/v1/chat/completions", "/v1/signature/id-1" },
	};
	uint8_t nonce[32];
	char exp[512], *u;
	size_t i;
	bool ecdsa;

	for (i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ecdsa = strcmp(want[i].provider, "nanogpt") != 0;
		u = probe_url(model(want[i].provider), nonce);
		snprintf(exp, sizeof(exp), "http://127.0.0.1:9%s"
		    "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
		    "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf%s", want[i].att,
		    ecdsa ? "&signing_algo=ecdsa" : "");
		ck_assert_str_eq(u, exp);
		free(u);
		u = canary_completion_url(model(want[i].provider));
		snprintf(exp, sizeof(exp), "http://127.0.0.1:9%s",
		    want[i].comp);
		ck_assert_str_eq(u, exp);
		free(u);
		u = canary_signature_url(model(want[i].provider), "id-1");
		snprintf(exp, sizeof(exp), "http://127.0.0.1:9%s"
		    "?model=TEE%%2Fgemma-3-27b-it&signing_algo=ecdsa",
		    want[i].sig);
		ck_assert_str_eq(u, exp);
		free(u);
	}
}
END_TEST

static Suite *
canary_suite(void)
{
	Suite *s = suite_create("canary");
	TCase *tc = tcase_create("canary");

	tcase_add_test(tc, test_request_and_urls);
	tcase_add_test(tc, test_provider_routes);
	tcase_add_test(tc, test_completion_id);
	tcase_add_test(tc, test_completion_id_depth);
	tcase_add_test(tc, test_completion_id_cut);
	tcase_add_test(tc, test_sig_checks);
	tcase_add_test(tc, test_empty_bodies);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(canary_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
