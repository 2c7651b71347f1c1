/*
 * check_probe_tls: what a probe does with the certificate its TLS
 * connection was served (probe.h, probe_fetch.has_tls_spki and
 * tls_chain): the key goes to tls.binding unless the provider relays,
 * and both the key's hash and the chain's blob go into the entry.  On
 * the recorded NEAR AI direct answer of 2026-06-29 (tests/data/near,
 * PROVENANCE.md) with its served key (peer_spki.der) and a served chain
 * (the cloud capture's tls_chain.der: a chain's bytes, which the probe
 * keeps as they are).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "encode.h"
#include "probe.h"
#include "provider.h"
#include "tmon_limits.h"
#include "util.h"

#define NEAR TMON_TEST_DATA "/near/"
#define DIRECT NEAR "neardirect-2026-06-29/"
#define DIRECT_NONCE \
	"541b6523f9446dcd170e67ac8171eb9226bee5e3f192de4900b74f0ef293500b"
#define T_0629 1782698810

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
	m.model = (char *)(uintptr_t)"Qwen/Qwen3.5-122B-A10B";
	m.name = m.model;
	m.base_url = (char *)(uintptr_t)"https://127.0.0.1:9";
	return &m;
}

struct fixture {
	uint8_t		*body, *spki, *chain;
	size_t		 body_len, spki_len, chain_len;
	uint8_t		 nonce[32];
	struct probe_fetch f;
};

static void
fixture(struct fixture *x)
{
	memset(x, 0, sizeof(*x));
	x->body = load(DIRECT "attestation_report.body", &x->body_len);
	x->spki = load(DIRECT "peer_spki.der", &x->spki_len);
	x->chain = load(NEAR "nearcloud-2026-06-29/tls_chain.der",
	    &x->chain_len);
	ck_assert(hex_decode_exact(DIRECT_NONCE, 64, x->nonce, 32, false));
	x->f.rc = TMON_OK;
	x->f.status = 200;
	x->f.body = x->body;
	x->f.body_len = x->body_len;
	x->f.error = "";
	x->f.has_tls_spki = true;
	sha256(x->spki, x->spki_len, x->f.tls_spki_sha256);
	x->f.tls_chain = x->chain;
	x->f.tls_chain_len = x->chain_len;
}

static void
fixture_free(struct fixture *x)
{
	free(x->body);
	free(x->spki);
	free(x->chain);
}

/* request.<key> of the entry as a string, or NULL. */
static const char *
req_str(json_t *e, const char *key)
{
	return json_string_value(json_object_get(json_object_get(e,
	    "request"), key));
}

static void
evaluate(const char *provider, struct fixture *x, struct probe_outcome *po,
    json_t **e)
{
	probe_evaluate(model(provider), "https://127.0.0.1:9/x", x->nonce,
	    T_0629, T_0629, NULL, &x->f, NULL, po);
	*e = json_loadb((const char *)po->entry, po->entry_len, 0, NULL);
	ck_assert_ptr_nonnull(*e);
}

START_TEST(test_direct_provider)
{
	struct probe_outcome po;
	struct fixture x;
	const struct check *c;
	char spki_hex[65], chain_hex[65];
	uint8_t h[32];
	json_t *e;

	fixture(&x);
	evaluate("near", &x, &po, &e);
	c = checklist_get(&po.res.checks, "tls.binding");
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(c->status == CHECK_PASS, "%s", c->detail);
	/* the key's hash and the chain's blob are in the entry */
	ck_assert(po.has_tls_chain);
	sha256(x.chain, x.chain_len, h);
	ck_assert_mem_eq(po.tls_chain_sha256, h, 32);
	hex_encode(h, 32, chain_hex);
	hex_encode(x.f.tls_spki_sha256, 32, spki_hex);
	ck_assert_str_eq(req_str(e, "tls_chain_sha256"), chain_hex);
	ck_assert_str_eq(req_str(e, "tls_spki_sha256"), spki_hex);
	json_decref(e);
	probe_outcome_free(&po);

	/* another key served: fail */
	x.f.tls_spki_sha256[7] ^= 0x10;
	evaluate("near", &x, &po, &e);
	c = checklist_get(&po.res.checks, "tls.binding");
	ck_assert_msg(c->status == CHECK_FAIL, "%s", c->detail);
	ck_assert_int_eq(po.res.verdict, CHECK_FAIL);
	json_decref(e);
	probe_outcome_free(&po);
	fixture_free(&x);
}
END_TEST

/* A relay's certificate is not the TEE's: skip, still recorded. */
START_TEST(test_relay_provider)
{
	struct probe_outcome po;
	struct fixture x;
	const struct check *c;
	json_t *e;

	fixture(&x);
	x.f.tls_spki_sha256[0] ^= 0x01;
	evaluate("nanogpt", &x, &po, &e);
	c = checklist_get(&po.res.checks, "tls.binding");
	ck_assert_msg(c->status == CHECK_SKIP, "%s", c->detail);
	ck_assert_ptr_nonnull(strstr(c->detail, "relay"));
	ck_assert_ptr_nonnull(req_str(e, "tls_spki_sha256"));
	json_decref(e);
	probe_outcome_free(&po);
	fixture_free(&x);
}
END_TEST

/* Over http: no key, no chain, nothing in the request but its fields. */
START_TEST(test_no_tls)
{
	struct probe_outcome po;
	struct fixture x;
	const struct check *c;
	json_t *e;

	fixture(&x);
	x.f.has_tls_spki = false;
	x.f.tls_chain = NULL;
	x.f.tls_chain_len = 0;
	evaluate("near", &x, &po, &e);
	c = checklist_get(&po.res.checks, "tls.binding");
	ck_assert_msg(c->status == CHECK_SKIP, "%s", c->detail);
	ck_assert(!po.has_tls_chain);
	ck_assert_ptr_null(json_object_get(json_object_get(e, "request"),
	    "tls_spki_sha256"));
	ck_assert_ptr_null(json_object_get(json_object_get(e, "request"),
	    "tls_chain_sha256"));
	json_decref(e);
	probe_outcome_free(&po);
	fixture_free(&x);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("probe_tls");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_direct_provider);
	tcase_add_test(tc, test_relay_provider);
	tcase_add_test(tc, test_no_tls);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
