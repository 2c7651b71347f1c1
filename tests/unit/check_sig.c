/*
 * Unit tests for monitor/verify/keccak.c and sig.c: Keccak-256 known
 * answers, the NEAR AI documentation samples, vectors made with ethers and
 * @noble/curves (tests/data/sig/PROVENANCE.md), tampered variants, Ed25519
 * with a key made here, the signature response parser, and the Ethereum
 * addresses of every attestation key in tests/data/replay.
 * Every expected value comes from outside the code under test.
 * Runs in about a second (ASan/UBSan build: a few seconds).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <check.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "checklist.h"
#include "encode.h"
#include "keccak.h"
#include "sig.h"
#include "tmon_limits.h"
#include "util.h"
#include "verify_ctx.h"

#define SIGDATA		TMON_TEST_DATA "/sig"
#define SAMPLE_A	SIGDATA "/nearai-docs/A_deepseek-v3.1_cloud-api_2025-10"
#define SAMPLE_B	SIGDATA "/nearai-docs/B_DeepSeek-V3.1_cloud-api_2025-12"
#define SAMPLE_D	SIGDATA "/nearai-docs/D_llama-3.3-70b_signature_only_2025-08"
#define SAMPLE_NEG	SIGDATA "/nearai-docs/NEGATIVE_text_signature_mismatch"
#define GEN_PREFIX	SIGDATA "/generated/ecdsa_model_prefix"
#define GEN_UTF8	SIGDATA "/generated/ecdsa_utf8_model"
#define GEN_ED25519	SIGDATA "/generated/ed25519"
#define GEN_HIGH_S	SIGDATA "/generated/A_high_s"

/* NEGATIVE's expected.json: "Recovery yields 0x7D5A2039...1Ee0". */
#define NEG_RECOVERED	"0x7d5a20391452d3bb2c32b1a7c49b948c1d171ee0"

struct sample {
	struct sig_response	 r;
	uint8_t			*req, *resp, *expected;
	size_t			 req_len, resp_len, expected_len;
	json_t			*exp;	/* expected.json */
};

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct tmon_err err;
	uint8_t *p = NULL;

	tmon_err_clear(&err);
	if (read_file(path, MAX_UPSTREAM_BODY, &p, len, &err) != TMON_OK)
		ck_abort_msg("%s: %s", path, err.msg);
	return p;
}

static uint8_t *
slurp_opt(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*len = 0;
	if (stat(path, &st) != 0)
		return NULL;
	return slurp(path, len);
}

static void
sample_load(const char *dir, struct sample *s)
{
	struct tmon_err err;
	json_error_t je;
	uint8_t *body;
	size_t len;

	memset(s, 0, sizeof(*s));
	body = slurp_opt(dir, "signature_response.json", &len);
	ck_assert_ptr_nonnull(body);
	tmon_err_clear(&err);
	ck_assert_msg(sig_response_parse(body, len, &s->r, &err) == TMON_OK,
	    "%s: %s", dir, err.msg);
	free(body);
	s->req = slurp_opt(dir, "request_body.json", &s->req_len);
	s->resp = slurp_opt(dir, "response_body.sse", &s->resp_len);
	s->expected = slurp_opt(dir, "expected.json", &s->expected_len);
	ck_assert_ptr_nonnull(s->expected);
	s->exp = json_loadb((const char *)s->expected, s->expected_len, 0, &je);
	ck_assert_ptr_nonnull(s->exp);
}

static void
sample_free(struct sample *s)
{
	sig_response_free(&s->r);
	free(s->req);
	free(s->resp);
	free(s->expected);
	json_decref(s->exp);
}

static const char *
exp_str(const struct sample *s, const char *key)
{
	const char *v = json_string_value(json_object_get(s->exp, key));

	ck_assert_msg(v != NULL, "expected.json has no %s", key);
	return v;
}

static void
input_of(const struct sample *s, struct sig_input *in, int with_bytes)
{
	memset(in, 0, sizeof(*in));
	in->text = s->r.text;
	in->text_len = s->r.text_len;
	in->signature = s->r.signature;
	in->signing_address = s->r.signing_address;
	in->signing_algo = s->r.signing_algo;
	if (with_bytes) {
		in->request = s->req;
		in->request_len = s->req_len;
		in->response = s->resp;
		in->response_len = s->resp_len;
	}
}

/* Run the check; assert the status of id and that its detail has needle. */
static void
expect(const struct sig_input *in, const char *id, enum check_status st,
    const char *needle)
{
	static struct verify_ctx *vc;
	struct checklist cl, cl2;
	const struct check *c;
	struct sig_input in2;
	size_t i;

	checklist_init(&cl);
	sig_check_completion(in, &cl);
	/* the same with a verify_ctx (its secp256k1 context) */
	if (vc == NULL)
		vc = verify_ctx_new();
	in2 = *in;
	in2.vc = vc;
	checklist_init(&cl2);
	sig_check_completion(&in2, &cl2);
	ck_assert_uint_eq(cl.n, cl2.n);
	for (i = 0; i < cl.n; i++) {
		ck_assert_int_eq(cl.items[i].status, cl2.items[i].status);
		ck_assert_str_eq(cl.items[i].detail, cl2.items[i].detail);
	}
	c = checklist_get(&cl, id);
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(c->status == st, "%s: %s, want %s (%s)", id,
	    check_status_str(c->status), check_status_str(st), c->detail);
	if (needle != NULL)
		ck_assert_msg(strstr(c->detail, needle) != NULL,
		    "%s: detail \"%s\" lacks \"%s\"", id, c->detail, needle);
	/* the three checks are always there */
	ck_assert_ptr_nonnull(checklist_get(&cl, "sig.completion"));
	ck_assert_ptr_nonnull(checklist_get(&cl, "sig.request_hash"));
	ck_assert_ptr_nonnull(checklist_get(&cl, "sig.response_hash"));
}

static char *
lower_dup(const char *s)
{
	char *d = strdup(s);
	size_t i;

	ck_assert_ptr_nonnull(d);
	for (i = 0; d[i] != '\0'; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	return d;
}

/* ---- Keccak-256 ---- */

/*
 * Known answers.  "", "abc" and the fox sentence are the published
 * Keccak-256 values (Ethereum's keccak256; e.g. keccak256("") in the
 * Ethereum Yellow Paper's empty-trie/empty-code hashes); all of them,
 * including the block-boundary lengths, were computed with js-sha3 0.9.3
 * (node, `require("js-sha3").keccak256(Buffer.alloc(n, 0x61))`), an
 * implementation that shares no code with ours.
 */
static const struct {
	const char	*label;
	int		 fill;		/* -1: use label text; -2: i & 0xff */
	size_t		 n;
	const char	*hex;
} kat[] = {
	{ "", -1, 0,
	  "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" },
	{ "abc", -1, 3,
	  "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45" },
	{ "The quick brown fox jumps over the lazy dog", -1, 43,
	  "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15" },
	{ "a*135", 'a', 135,	/* pad bytes 0x01 and 0x80 coincide: 0x81 */
	  "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446" },
	{ "a*136", 'a', 136,	/* exactly one block: padding is a block */
	  "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e" },
	{ "a*137", 'a', 137,
	  "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39" },
	{ "a*200", 'a', 200,
	  "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d" },
	{ "a*272", 'a', 272,	/* two blocks */
	  "cf7fcd4f705ee749930d19ca84561a9bf62516bd90a471545fa2f49fdc7e63c8" },
	{ "a*1000", 'a', 1000,
	  "b6a4ac1f51884d71f30fa397a5e155de3099e11fc0edef5d08b646e621e19de9" },
	{ "0..299", -2, 300,
	  "a679e749a6af300c36e7ff2255d220864eab27b382f9cfdc5aa4d13563ba36ff" },
};

static uint8_t *
kat_input(size_t i)
{
	uint8_t *p = malloc(kat[i].n + 1);
	size_t j;

	ck_assert_ptr_nonnull(p);
	for (j = 0; j < kat[i].n; j++)
		p[j] = kat[i].fill == -1 ? (uint8_t)kat[i].label[j] :
		    kat[i].fill == -2 ? (uint8_t)j : (uint8_t)kat[i].fill;
	return p;
}

START_TEST(test_keccak_kat)
{
	uint8_t want[32], got[32], *in;
	size_t i;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		ck_assert(hex_decode_exact(kat[i].hex, 64, want, 32, false));
		in = kat_input(i);
		keccak256(in, kat[i].n, got);
		ck_assert_msg(memcmp(got, want, 32) == 0, "keccak256(%s)",
		    kat[i].label);
		free(in);
	}
	/* NULL with length 0 is the empty input */
	keccak256(NULL, 0, got);
	ck_assert(hex_decode_exact(kat[0].hex, 64, want, 32, false));
	ck_assert(memcmp(got, want, 32) == 0);
}
END_TEST

/* Every split point and 1-byte chunks give the same digest. */
START_TEST(test_keccak_incremental)
{
	struct keccak256_ctx k;
	uint8_t want[32], got[32], *in;
	size_t i, cut, j;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		ck_assert(hex_decode_exact(kat[i].hex, 64, want, 32, false));
		in = kat_input(i);
		for (cut = 0; cut <= kat[i].n; cut++) {
			keccak256_init(&k);
			keccak256_update(&k, in, cut);
			keccak256_update(&k, in + cut, kat[i].n - cut);
			keccak256_final(&k, got);
			ck_assert_msg(memcmp(got, want, 32) == 0, "%s cut %zu",
			    kat[i].label, cut);
		}
		keccak256_init(&k);
		for (j = 0; j < kat[i].n; j++)
			keccak256_update(&k, in + j, 1);
		keccak256_final(&k, got);
		ck_assert_msg(memcmp(got, want, 32) == 0, "%s bytewise",
		    kat[i].label);
		free(in);
	}
}
END_TEST

/* Keccak-256 is not SHA3-256: same permutation, different padding. */
START_TEST(test_keccak_not_sha3)
{
	uint8_t k[32], s[32];
	unsigned int n = 32;

	keccak256("", 0, k);
	ck_assert(EVP_Digest("", 0, s, &n, EVP_sha3_256(), NULL) == 1);
	ck_assert(memcmp(k, s, 32) != 0);
}
END_TEST

/* ---- EIP-191, addresses ---- */

START_TEST(test_eip191_digest_ethers)
{
	static const char *const dirs[] = { GEN_PREFIX, GEN_UTF8 };
	struct sample s;
	uint8_t want[32], got[32];
	size_t i;

	for (i = 0; i < 2; i++) {
		sample_load(dirs[i], &s);
		ck_assert(hex_decode_exact(exp_str(&s, "eip191_digest"), 64,
		    want, 32, false));
		sig_eip191_digest(s.r.text, s.r.text_len, got);
		ck_assert_msg(memcmp(got, want, 32) == 0, "%s", dirs[i]);
		sample_free(&s);
	}
	/* the UTF-8 sample's length prefix is its byte count */
	sample_load(GEN_UTF8, &s);
	ck_assert_int_eq(s.r.text_len, json_integer_value(json_object_get(s.exp,
	    "text_utf8_bytes")));
	ck_assert_int_ne(s.r.text_len, json_integer_value(json_object_get(s.exp,
	    "text_chars")));
	sample_free(&s);
}
END_TEST

START_TEST(test_eth_address_ethers)
{
	static const char *const dirs[] = { GEN_PREFIX, GEN_UTF8 };
	struct sample s;
	uint8_t pub[64];
	char addr[43];
	size_t i;

	for (i = 0; i < 2; i++) {
		sample_load(dirs[i], &s);
		ck_assert(hex_decode_exact(exp_str(&s, "public_key_xy"), 128,
		    pub, 64, false));
		sig_eth_address(pub, addr);
		ck_assert_str_eq(addr, exp_str(&s, "address"));
		sample_free(&s);
	}
}
END_TEST

/*
 * Every attestation in tests/data/replay that carries both a 64-byte
 * signing_public_key and an Ethereum signing_address: the address must
 * be keccak256(key)[12..32].  The gateways computed these pairs, so this
 * checks our Keccak on real data.
 */
static void
walk_keys(json_t *v, size_t *pairs, const char *file)
{
	const char *k, *addr, *pubhex;
	json_t *x;
	size_t i;
	uint8_t pub[64];
	char got[43], *want;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			walk_keys(x, pairs, file);
		return;
	}
	if (!json_is_object(v))
		return;
	pubhex = json_string_value(json_object_get(v, "signing_public_key"));
	addr = json_string_value(json_object_get(v, "signing_address"));
	if (pubhex != NULL && addr != NULL && strlen(pubhex) == 128 &&
	    strlen(addr) == 42 && strncmp(addr, "0x", 2) == 0) {
		ck_assert(hex_decode_exact(pubhex, 128, pub, 64, false));
		sig_eth_address(pub, got);
		want = lower_dup(addr);
		ck_assert_msg(strcmp(got, want) == 0, "%s: key %.16s... maps "
		    "to %s, signing_address %s", file, pubhex, got, addr);
		free(want);
		(*pairs)++;
	}
	json_object_foreach(v, k, x)
		walk_keys(x, pairs, file);
}

static void
walk_dir(const char *dir, size_t *pairs, size_t *files)
{
	char path[2048];
	struct dirent *de;
	struct stat st;
	json_error_t je;
	json_t *root;
	size_t n;
	DIR *d;

	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert(stat(path, &st) == 0);
		if (S_ISDIR(st.st_mode)) {
			walk_dir(path, pairs, files);
			continue;
		}
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		root = json_load_file(path, 0, &je);
		if (root == NULL)
			continue;
		walk_keys(root, pairs, path);
		(*files)++;
		json_decref(root);
	}
	closedir(d);
}

START_TEST(test_eth_address_replay)
{
	size_t pairs = 0, files = 0;

	walk_dir(TMON_TEST_DATA "/replay", &pairs, &files);
	/* nearai-cloud (1), nanogpt 2026-03-25 gemma (2), gpt-oss (2),
	 * glm-5 (3), qwen3 (1), nanogpt 2026-06-10 gemma (2) at least */
	ck_assert_msg(pairs >= 11, "only %zu key/address pairs in %zu files",
	    pairs, files);
}
END_TEST

START_TEST(test_address_parse_eip55)
{
	static const char *const good[] = {
		"0xCaAA4842758658A85785Ad15367a700C601ffEA5",	/* sample A */
		"0x319f1b8BB3b723A5d098FFB67005Bdf7BB579ACa",	/* sample B */
		"0x1d58EE32e9eB327c074294A2b8320C47E33b9316",	/* sample D */
		"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",	/* ethers */
	};
	uint8_t a[20], b[20];
	size_t i;
	int e;

	for (i = 0; i < 4; i++) {
		ck_assert(sig_address_parse(good[i], a, &e, NULL) == TMON_OK);
		ck_assert_msg(e == 1, "%s", good[i]);
	}
	/* one letter's case flipped: same bytes, bad checksum */
	ck_assert(sig_address_parse("0xcaAA4842758658A85785Ad15367a700C601ffEA5",
	    b, &e, NULL) == TMON_OK);
	ck_assert_int_eq(e, -1);
	ck_assert(sig_address_parse(good[0], a, NULL, NULL) == TMON_OK);
	ck_assert(memcmp(a, b, 20) == 0);
	/* all lower / all upper: no checksum */
	ck_assert(sig_address_parse("0xcaaa4842758658a85785ad15367a700c601ffea5",
	    b, &e, NULL) == TMON_OK);
	ck_assert_int_eq(e, 0);
	ck_assert(sig_address_parse("0xCAAA4842758658A85785AD15367A700C601FFEA5",
	    b, &e, NULL) == TMON_OK);
	ck_assert_int_eq(e, 0);
	ck_assert(memcmp(a, b, 20) == 0);
	ck_assert(sig_address_parse("caaa4842758658a85785ad15367a700c601ffea5",
	    b, &e, NULL) == TMON_OK);
	/* malformed */
	ck_assert(sig_address_parse("0xcaaa4842758658a85785ad15367a700c601ffea",
	    b, &e, NULL) == TMON_E_PARSE);
	ck_assert(sig_address_parse("0xcaaa4842758658a85785ad15367a700c601ffeag",
	    b, &e, NULL) == TMON_E_PARSE);
	ck_assert(sig_address_parse("", b, &e, NULL) == TMON_E_PARSE);
}
END_TEST

/* ---- the NEAR samples ---- */

START_TEST(test_near_a_b)
{
	static const char *const dirs[] = { SAMPLE_A, SAMPLE_B };
	struct sig_input in;
	struct sample s;
	char addr[43], h16[17], *want;
	size_t i;

	for (i = 0; i < 2; i++) {
		sample_load(dirs[i], &s);
		ck_assert_ptr_nonnull(s.req);
		ck_assert_ptr_nonnull(s.resp);
		/* recovered signer = the served signing_address */
		ck_assert(sig_eip191_recover(s.r.text, s.r.text_len,
		    s.r.signature, addr, NULL) == TMON_OK);
		want = lower_dup(s.r.signing_address);
		ck_assert_str_eq(addr, want);
		input_of(&s, &in, 1);
		expect(&in, "sig.completion", CHECK_PASS, want);
		/* the detail shows the first 16 hex of the hash */
		snprintf(h16, sizeof(h16), "%.16s",
		    exp_str(&s, "request_sha256"));
		expect(&in, "sig.request_hash", CHECK_PASS, h16);
		expect(&in, "sig.response_hash", CHECK_PASS, NULL);
		/* bound to the attested key, in any case */
		in.attested_address = s.r.signing_address;
		expect(&in, "sig.completion", CHECK_PASS, "= attested key");
		in.attested_address = want;
		expect(&in, "sig.completion", CHECK_PASS, "= attested key");
		free(want);
		sample_free(&s);
	}
}
END_TEST

START_TEST(test_near_d_negative)
{
	struct sig_input in;
	struct sample s;
	char addr[43], *want;

	sample_load(SAMPLE_D, &s);
	input_of(&s, &in, 1);
	ck_assert_ptr_null(in.request);
	want = lower_dup(s.r.signing_address);
	expect(&in, "sig.completion", CHECK_PASS, want);
	expect(&in, "sig.request_hash", CHECK_SKIP, NULL);
	expect(&in, "sig.response_hash", CHECK_SKIP, NULL);
	free(want);
	sample_free(&s);

	sample_load(SAMPLE_NEG, &s);
	ck_assert(strstr(exp_str(&s, "note"),
	    "0x7D5A20391452d3bb2c32B1a7C49B948c1D171Ee0") != NULL);
	ck_assert(sig_eip191_recover(s.r.text, s.r.text_len, s.r.signature,
	    addr, NULL) == TMON_OK);
	ck_assert_str_eq(addr, NEG_RECOVERED);
	input_of(&s, &in, 1);
	expect(&in, "sig.completion", CHECK_FAIL, NEG_RECOVERED);
	sample_free(&s);
}
END_TEST

START_TEST(test_generated_ecdsa)
{
	static const char *const dirs[] = { GEN_PREFIX, GEN_UTF8 };
	struct sig_input in;
	struct sig_text t;
	struct sample s;
	size_t i;

	for (i = 0; i < 2; i++) {
		sample_load(dirs[i], &s);
		input_of(&s, &in, 1);
		expect(&in, "sig.completion", CHECK_PASS,
		    exp_str(&s, "address"));
		expect(&in, "sig.request_hash", CHECK_PASS, NULL);
		expect(&in, "sig.response_hash", CHECK_PASS, NULL);
		in.attested_address = exp_str(&s, "address_eip55");
		expect(&in, "sig.completion", CHECK_PASS, "= attested key");
		sample_free(&s);
	}
	/* the model name keeps its own ':' */
	sample_load(GEN_PREFIX, &s);
	ck_assert(sig_text_parse(s.r.text, s.r.text_len, &t, NULL) == TMON_OK);
	ck_assert_int_eq(t.model_len, strlen("org/model:v1.2"));
	ck_assert(memcmp(t.model, "org/model:v1.2", t.model_len) == 0);
	ck_assert_str_eq(s.r.signature_kind, "provider_tee");
	sample_free(&s);
}
END_TEST

START_TEST(test_high_s_and_v01)
{
	struct sig_input in;
	struct sample s, a;
	char sig[133], addr[43];
	size_t n;

	/* n - s with v flipped recovers the same signer; noted */
	sample_load(GEN_HIGH_S, &s);
	input_of(&s, &in, 0);
	expect(&in, "sig.completion", CHECK_PASS, "high-S form");
	expect(&in, "sig.completion", CHECK_PASS, exp_str(&s, "address"));
	sample_free(&s);

	/* v = 0/1 instead of 27/28 */
	sample_load(SAMPLE_A, &a);
	n = strlen(a.r.signature);
	ck_assert_uint_eq(n, 132);
	memcpy(sig, a.r.signature, n + 1);
	ck_assert(strcmp(sig + 130, "1c") == 0);	/* v = 28 */
	memcpy(sig + 130, "01", 2);
	input_of(&a, &in, 1);
	in.signature = sig;
	expect(&in, "sig.completion", CHECK_PASS, "v=0/1 form");
	ck_assert(sig_eip191_recover(a.r.text, a.r.text_len, sig, addr,
	    NULL) == TMON_OK);
	/* v = 0 is the other recovery id: another key */
	memcpy(sig + 130, "00", 2);
	expect(&in, "sig.completion", CHECK_FAIL, "recovers to");
	memcpy(sig + 130, "1b", 2);
	expect(&in, "sig.completion", CHECK_FAIL, "recovers to");
	/* v = 2, 29 (recovery ids 2/3), 37 (EIP-155): malformed */
	memcpy(sig + 130, "02", 2);
	expect(&in, "sig.completion", CHECK_FAIL, "v = 2");
	memcpy(sig + 130, "1d", 2);
	expect(&in, "sig.completion", CHECK_FAIL, "v = 29");
	memcpy(sig + 130, "25", 2);
	expect(&in, "sig.completion", CHECK_FAIL, "v = 37");
	ck_assert(sig_eip191_recover(a.r.text, a.r.text_len, sig, addr,
	    NULL) == TMON_E_PARSE);
	ck_assert_str_eq(addr, "");
	/* without the 0x prefix */
	input_of(&a, &in, 1);
	in.signature = a.r.signature + 2;
	expect(&in, "sig.completion", CHECK_PASS, NULL);
	sample_free(&a);
}
END_TEST

/* ---- tampering ---- */

START_TEST(test_tamper_response_every_byte)
{
	struct sig_input in;
	struct sample s;
	uint8_t *copy;
	size_t i;

	sample_load(SAMPLE_A, &s);
	copy = malloc(s.resp_len);
	ck_assert_ptr_nonnull(copy);
	input_of(&s, &in, 1);
	in.response = copy;
	for (i = 0; i < s.resp_len; i++) {
		memcpy(copy, s.resp, s.resp_len);
		copy[i] ^= 0x01;
		expect(&in, "sig.response_hash", CHECK_FAIL,
		    "signature genuine but the bytes we received hash to ");
		if (i % 97 == 0) {
			expect(&in, "sig.response_hash", CHECK_FAIL,
			    ": re-serialised by a gateway?");
			expect(&in, "sig.completion", CHECK_PASS, NULL);
			expect(&in, "sig.request_hash", CHECK_PASS, NULL);
		}
	}
	/* every truncation, down to nothing */
	memcpy(copy, s.resp, s.resp_len);
	for (i = 0; i < s.resp_len; i++) {
		in.response_len = i;
		expect(&in, "sig.response_hash", CHECK_FAIL, "bdcfaa70301ea760");
	}
	/* the request, likewise */
	input_of(&s, &in, 1);
	for (i = 0; i < s.req_len; i++) {
		in.request_len = i;
		expect(&in, "sig.request_hash", CHECK_FAIL,
		    "signature genuine but the bytes we sent hash to ");
	}
	free(copy);
	sample_free(&s);
}
END_TEST

/* Any change to any character of the text or the signature fails. */
START_TEST(test_tamper_text_and_signature)
{
	struct sig_input in;
	struct sample s;
	char *text, *sig;
	size_t i, n;

	sample_load(SAMPLE_B, &s);
	text = malloc(s.r.text_len);
	ck_assert_ptr_nonnull(text);
	input_of(&s, &in, 0);
	in.text = text;
	for (i = 0; i < s.r.text_len; i++) {
		memcpy(text, s.r.text, s.r.text_len);
		/* another hex digit (or a non-hex one for ':') */
		text[i] = text[i] == '0' ? '1' : text[i] == ':' ? 'x' : '0';
		expect(&in, "sig.completion", CHECK_FAIL, NULL);
	}
	free(text);

	n = strlen(s.r.signature);
	sig = strdup(s.r.signature);
	ck_assert_ptr_nonnull(sig);
	input_of(&s, &in, 0);
	in.signature = sig;
	for (i = 2; i < n; i++) {
		memcpy(sig, s.r.signature, n + 1);
		sig[i] = sig[i] == '0' ? '8' : '0';
		expect(&in, "sig.completion", CHECK_FAIL, NULL);
	}
	free(sig);
	sample_free(&s);
}
END_TEST

START_TEST(test_address_mismatch)
{
	struct sig_input in;
	struct sample a, b;
	char *la, *lb;

	sample_load(SAMPLE_A, &a);
	sample_load(SAMPLE_B, &b);
	la = lower_dup(a.r.signing_address);
	lb = lower_dup(b.r.signing_address);
	input_of(&a, &in, 1);
	/* attested key is another one */
	in.attested_address = b.r.signing_address;
	expect(&in, "sig.completion", CHECK_FAIL, "not by the attested key");
	expect(&in, "sig.completion", CHECK_FAIL, lb);
	expect(&in, "sig.completion", CHECK_FAIL, la);
	/* hashes are still judged on their own */
	expect(&in, "sig.response_hash", CHECK_PASS, NULL);
	/* served signing_address is another one */
	input_of(&a, &in, 0);
	in.signing_address = b.r.signing_address;
	expect(&in, "sig.completion", CHECK_FAIL, la);
	/* ... and the attested one too: still the recovered address named */
	in.attested_address = b.r.signing_address;
	expect(&in, "sig.completion", CHECK_FAIL, "recovers to");
	/* malformed attested address */
	input_of(&a, &in, 0);
	in.attested_address = "0x1234";
	expect(&in, "sig.completion", CHECK_FAIL, "attested address");
	in.attested_address = "";
	expect(&in, "sig.completion", CHECK_FAIL, "attested address");
	/* bad EIP-55 checksum on the served address: compared by bytes */
	input_of(&a, &in, 0);
	in.signing_address = "0xcaAA4842758658A85785Ad15367a700C601ffEA5";
	expect(&in, "sig.completion", CHECK_PASS, "bad EIP-55 checksum");
	free(la);
	free(lb);
	sample_free(&a);
	sample_free(&b);
}
END_TEST

START_TEST(test_malformed_inputs)
{
	static const char h[] =
	    "2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d";
	char buf[MAX_SIG_TEXT + 200];
	struct sig_input in;
	struct sample a;
	size_t i;

	sample_load(SAMPLE_A, &a);
	input_of(&a, &in, 1);

	/* text shapes */
	static const char *const bad_text[] = {
		"",
		"2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d",
		"2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d:",
		":2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d",
		"2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4:"
		"bdcfaa70301ea760ad215a2de31e80b7a69ee920c02a4b97ae05d0798b75fe79",
		/* a request hash field of 65 hex characters */
		"2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d0:"
		"bdcfaa70301ea760ad215a2de31e80b7a69ee920c02a4b97ae05d0798b75fe79",
		"m:12ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d:"
		"bdcfaa70301ea760ad215a2de31e80b7a69ee920c02a4b97ae05d0798b75fe79",
		"2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d:"
		"bdcfaa70301ea760ad215a2de31e80b7a69ee920c02a4b97ae05d0798b75fe7g",
		":2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d:"
		"bdcfaa70301ea760ad215a2de31e80b7a69ee920c02a4b97ae05d0798b75fe79",
		"m:2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d:"
		"bdcfaa70301ea760ad215a2de31e80b7a69ee920c02a4b97ae05d0798b75fe79 ",
	};
	for (i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++) {
		in.text = bad_text[i];
		in.text_len = strlen(bad_text[i]);
		expect(&in, "sig.completion", CHECK_FAIL, "binds no completion");
		expect(&in, "sig.request_hash", CHECK_FAIL, "carries no");
		expect(&in, "sig.response_hash", CHECK_FAIL, "carries no");
	}
	/* too long: a model name of MAX_SIG_TEXT bytes */
	memset(buf, 'm', MAX_SIG_TEXT);
	snprintf(buf + MAX_SIG_TEXT, sizeof(buf) - MAX_SIG_TEXT, ":%s:%s", h,
	    h);
	in.text = buf;
	in.text_len = strlen(buf);
	expect(&in, "sig.completion", CHECK_FAIL, "at most");
	in.text = NULL;
	expect(&in, "sig.completion", CHECK_FAIL, "no signed text");
	expect(&in, "sig.response_hash", CHECK_FAIL, NULL);

	/* signature shapes */
	input_of(&a, &in, 0);
	static const struct {
		const char	*sig;
		const char	*needle;
	} bad_sig[] = {
		{ "", "got 0 characters" },
		{ "0x", "got 2 characters" },
		{ "0x1c", "got 4 characters" },
		{ "0xb6bed282118266c5bc157bc7a88185dd017826da13c7aeb2aeebb9be88c7c"
		  "7400047b88528d29f82792df1f2288a1b84e11ffddfe32517d46d5f7056e908"
		  "2b941c00", "got 134 characters" },
		{ "0xb6bed282118266c5bc157bc7a88185dd017826da13c7aeb2aeebb9be88c7c"
		  "7400047b88528d29f82792df1f2288a1b84e11ffddfe32517d46d5f7056e908"
		  "2b94", "got 130 characters" },
		{ "0xz6bed282118266c5bc157bc7a88185dd017826da13c7aeb2aeebb9be88c7c"
		  "7400047b88528d29f82792df1f2288a1b84e11ffddfe32517d46d5f7056e908"
		  "2b941c", "got 132 characters" },
		/* r = 0 */
		{ "0x000000000000000000000000000000000000000000000000000000000000"
		  "00000047b88528d29f82792df1f2288a1b84e11ffddfe32517d46d5f7056e908"
		  "2b941c", "no public key recovers" },
		/* s = n, the group order */
		{ "0xb6bed282118266c5bc157bc7a88185dd017826da13c7aeb2aeebb9be88c7c"
		  "740fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd036"
		  "41411c", "not below the secp256k1 group order" },
	};
	for (i = 0; i < sizeof(bad_sig) / sizeof(bad_sig[0]); i++) {
		in.signature = bad_sig[i].sig;
		expect(&in, "sig.completion", CHECK_FAIL, bad_sig[i].needle);
	}
	/* address and algorithm */
	input_of(&a, &in, 0);
	in.signing_address = "0xCaAA4842758658A85785Ad15367a700C601ffE";
	expect(&in, "sig.completion", CHECK_FAIL, "signing_address");
	in.signing_address = NULL;
	expect(&in, "sig.completion", CHECK_FAIL, "no signing_address");
	input_of(&a, &in, 0);
	in.signature = NULL;
	expect(&in, "sig.completion", CHECK_FAIL, "no signature");
	input_of(&a, &in, 0);
	in.signing_algo = "rsa";
	expect(&in, "sig.completion", CHECK_ERROR, "unsupported signing_algo");
	in.signing_algo = "ecdsa";
	expect(&in, "sig.completion", CHECK_PASS, NULL);
	/* an ecdsa signature declared ed25519 */
	in.signing_algo = "ed25519";
	expect(&in, "sig.completion", CHECK_FAIL, NULL);
	sample_free(&a);
}
END_TEST

START_TEST(test_text_parse)
{
	static const char h1[] =
	    "2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd19e9d08021ffe5c4d";
	static const char h2[] =
	    "BDCFAA70301EA760AD215A2DE31E80B7A69EE920C02A4B97AE05D0798B75FE79";
	uint8_t b1[32], b2[32];
	struct sig_text t;
	char text[256];
	size_t i;

	ck_assert(hex_decode_exact(h1, 64, b1, 32, false));
	ck_assert(hex_decode_exact(h2, 64, b2, 32, false));
	snprintf(text, sizeof(text), "%s:%s", h1, h2);
	ck_assert(sig_text_parse(text, strlen(text), &t, NULL) == TMON_OK);
	ck_assert_ptr_null(t.model);
	ck_assert_uint_eq(t.model_len, 0);
	ck_assert(memcmp(t.request_sha256, b1, 32) == 0);
	ck_assert(memcmp(t.response_sha256, b2, 32) == 0);
	snprintf(text, sizeof(text), "a:b::c:%s:%s", h1, h2);
	ck_assert(sig_text_parse(text, strlen(text), &t, NULL) == TMON_OK);
	ck_assert_uint_eq(t.model_len, 6);
	ck_assert(memcmp(t.model, "a:b::c", 6) == 0);
	/* every truncation of the text fails */
	for (i = 0; i < strlen(text); i++)
		ck_assert_msg(sig_text_parse(text, i, &t, NULL) != TMON_OK,
		    "prefix %zu", i);
	ck_assert(sig_text_parse(text, MAX_SIG_TEXT + 1, &t, NULL) ==
	    TMON_E_LIMIT);
}
END_TEST

/* ---- Ed25519 ---- */

START_TEST(test_ed25519_noble)
{
	struct sig_input in;
	struct sample s;
	char *sig;

	sample_load(GEN_ED25519, &s);
	input_of(&s, &in, 1);
	expect(&in, "sig.completion", CHECK_PASS, "Ed25519 signature by d75a980182b10ab7");
	expect(&in, "sig.request_hash", CHECK_PASS, NULL);
	expect(&in, "sig.response_hash", CHECK_PASS, NULL);
	in.attested_address = exp_str(&s, "public_key");
	expect(&in, "sig.completion", CHECK_PASS, "= attested key");
	/* the RFC 8032 TEST 2 key is another key */
	in.attested_address =
	    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
	expect(&in, "sig.completion", CHECK_FAIL, "not by the attested key");
	sig = strdup(s.r.signature);
	ck_assert_ptr_nonnull(sig);
	sig[10] = sig[10] == '0' ? '1' : '0';
	input_of(&s, &in, 0);
	in.signature = sig;
	expect(&in, "sig.completion", CHECK_FAIL, "does not verify");
	free(sig);
	sample_free(&s);
}
END_TEST

START_TEST(test_ed25519_openssl)
{
	static const uint8_t req[] = "{\"model\":\"m\",\"stream\":true}";
	static const uint8_t resp[] = "data: {\"id\":\"x\"}\n\ndata: [DONE]\n\n";
	uint8_t rh[32], sh[32], pub[32], sig[64];
	char text[160], rhex[65], shex[65], pubhex[65], sighex[129];
	size_t publen = 32, siglen = 64, tl;
	struct sig_input in;
	EVP_PKEY *pkey;
	EVP_MD_CTX *md;

	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ck_assert_ptr_nonnull(pkey);
	ck_assert(EVP_PKEY_get_raw_public_key(pkey, pub, &publen) == 1);
	ck_assert_uint_eq(publen, 32);
	sha256(req, sizeof(req) - 1, rh);
	sha256(resp, sizeof(resp) - 1, sh);
	snprintf(text, sizeof(text), "%s:%s", hex_encode(rh, 32, rhex),
	    hex_encode(sh, 32, shex));
	tl = strlen(text);
	md = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(md);
	ck_assert(EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) == 1);
	ck_assert(EVP_DigestSign(md, sig, &siglen, (uint8_t *)text, tl) == 1);
	ck_assert_uint_eq(siglen, 64);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);

	memset(&in, 0, sizeof(in));
	in.text = text;
	in.text_len = tl;
	in.signature = hex_encode(sig, 64, sighex);
	in.signing_address = hex_encode(pub, 32, pubhex);
	in.signing_algo = "ed25519";
	in.request = req;
	in.request_len = sizeof(req) - 1;
	in.response = resp;
	in.response_len = sizeof(resp) - 1;
	in.attested_address = pubhex;
	expect(&in, "sig.completion", CHECK_PASS, "= attested key");
	expect(&in, "sig.request_hash", CHECK_PASS, NULL);
	expect(&in, "sig.response_hash", CHECK_PASS, NULL);
	/* one bit of the signature, of the text, of the key */
	sig[63] ^= 0x01;
	hex_encode(sig, 64, sighex);
	expect(&in, "sig.completion", CHECK_FAIL, "does not verify");
	sig[63] ^= 0x01;
	hex_encode(sig, 64, sighex);
	expect(&in, "sig.completion", CHECK_PASS, NULL);
	text[0] = text[0] == '0' ? '1' : '0';
	expect(&in, "sig.completion", CHECK_FAIL, "does not verify");
	expect(&in, "sig.request_hash", CHECK_FAIL, "the bytes we sent");
	text[0] = rhex[0];
	pub[0] ^= 0x80;
	hex_encode(pub, 32, pubhex);
	in.attested_address = NULL;
	expect(&in, "sig.completion", CHECK_FAIL, "does not verify");
	/* a signature of the wrong length */
	sighex[126] = '\0';
	expect(&in, "sig.completion", CHECK_FAIL, "128 hex");
}
END_TEST

/*
 * The twelve "Taming the many EdDSAs" vectors: a strict verifier accepts
 * only vector 3 (tests/data/sig/PROVENANCE.md gives the paper's table).
 */
START_TEST(test_ed25519_speccheck)
{
	static const bool want[12] = { false, false, false, true, false,
	    false, false, false, false, false, false, false };
	uint8_t msg[64], key[32], sig[64];
	json_t *cases, *c;
	json_error_t je;
	size_t i, mlen;
	const char *m;

	cases = json_load_file(SIGDATA "/ed25519-speccheck/cases.json", 0, &je);
	ck_assert_msg(cases != NULL, "%s", je.text);
	ck_assert_uint_eq(json_array_size(cases), 12);
	json_array_foreach(cases, i, c) {
		m = json_string_value(json_object_get(c, "message"));
		ck_assert_ptr_nonnull(m);
		mlen = strlen(m) / 2;
		ck_assert(mlen <= sizeof(msg));
		ck_assert(hex_decode_exact(m, strlen(m), msg, mlen, false));
		ck_assert(hex_decode_exact(json_string_value(json_object_get(c,
		    "pub_key")), 64, key, 32, false));
		ck_assert(hex_decode_exact(json_string_value(json_object_get(c,
		    "signature")), 128, sig, 64, false));
		ck_assert_msg(sig_ed25519_verify(key, sig, msg, mlen) ==
		    (want[i] ? VERDICT_PASS : VERDICT_FAIL), "vector %zu", i);
	}
	json_decref(cases);
}
END_TEST

/*
 * Forgeries without a private key: the identity key 01 00..00 with
 * R = identity and S = 0 satisfies [S]B = R + [k]A for every text; the
 * all-zero key (a point of order 4) for every text whose k is 0 mod 4.
 * Both must fail sig.completion whatever the text.
 */
START_TEST(test_ed25519_small_order_forgery)
{
	char identity[65], zero[65], sighex[129], text[160];
	struct sig_input in;
	int i;

	memset(identity, '0', 64);
	identity[1] = '1';
	identity[64] = '\0';
	memset(zero, '0', 64);
	zero[64] = '\0';
	memset(sighex, '0', 128);
	sighex[1] = '1';			/* R = 01 00..00, S = 0 */
	sighex[128] = '\0';
	for (i = 0; i < 64; i++) {
		snprintf(text, sizeof(text), "%064x:%064x", i, 7 * i + 1);
		memset(&in, 0, sizeof(in));
		in.text = text;
		in.text_len = strlen(text);
		in.signing_algo = "ed25519";
		in.signature = sighex;
		in.signing_address = identity;
		in.attested_address = identity;
		expect(&in, "sig.completion", CHECK_FAIL,
		    "not a canonical prime-order point");
		in.signing_address = zero;
		in.attested_address = zero;
		expect(&in, "sig.completion", CHECK_FAIL,
		    "not a canonical prime-order point");
	}
}
END_TEST

/* ---- the signature endpoint answer ---- */

static enum tmon_rc
parse_str(const char *json, struct sig_response *r, struct tmon_err *err)
{
	tmon_err_clear(err);
	return sig_response_parse((const uint8_t *)json, strlen(json), r, err);
}

START_TEST(test_response_parse)
{
	struct sig_response r;
	struct tmon_err err;
	uint8_t *body;
	size_t len, i, end;
	char *big;

	/* sample A as served */
	body = slurp(SAMPLE_A "/signature_response.json", &len);
	ck_assert(sig_response_parse(body, len, &r, &err) == TMON_OK);
	ck_assert_uint_eq(r.text_len, 129);
	ck_assert_str_eq(r.signing_address,
	    "0xCaAA4842758658A85785Ad15367a700C601ffEA5");
	ck_assert_str_eq(r.signing_algo, "ecdsa");
	ck_assert_ptr_null(r.signature_kind);
	sig_response_free(&r);
	sig_response_free(&r);	/* zeroed: harmless */
	sig_response_free(NULL);
	/* every truncation before the closing brace fails, and leaves
	 * nothing to free */
	for (end = len; end > 0 && body[end - 1] != '}'; end--)
		;
	for (i = 0; i < end; i++) {
		ck_assert_msg(sig_response_parse(body, i, &r, NULL) != TMON_OK,
		    "prefix %zu", i);
		ck_assert_ptr_null(r.text);
	}
	free(body);

	/* the NEAR gateway's "not available" answer */
	ck_assert(parse_str("{\"error_code\":\"not_found\",\"message\":\"Chat "
	    "id not found or expired\"}", &r, &err) == TMON_E_NOTFOUND);
	ck_assert(strstr(err.msg, "Chat id not found") != NULL);
	/* duplicates, types, missing members */
	ck_assert(parse_str("{\"text\":\"a\",\"text\":\"b\",\"signature\":\"s\","
	    "\"signing_address\":\"x\"}", &r, &err) == TMON_E_PARSE);
	ck_assert(parse_str("{\"signature\":\"s\",\"signing_address\":\"x\"}",
	    &r, &err) == TMON_E_PARSE);
	ck_assert(strstr(err.msg, "missing required key \"text\"") != NULL);
	ck_assert(parse_str("{\"text\":1,\"signature\":\"s\","
	    "\"signing_address\":\"x\"}", &r, &err) == TMON_E_PARSE);
	ck_assert(strstr(err.msg, "text: must be a string") != NULL);
	ck_assert(parse_str("{\"text\":\"t\",\"signature\":\"s\","
	    "\"signing_address\":null}", &r, &err) == TMON_E_PARSE);
	ck_assert(strstr(err.msg, "signing_address") != NULL);
	ck_assert(parse_str("{\"text\":\"t\",\"signature\":\"s\","
	    "\"signing_address\":\"a\",\"signing_algo\":[]}", &r, &err) ==
	    TMON_E_PARSE);
	ck_assert(strstr(err.msg, "signing_algo") != NULL);
	ck_assert(parse_str("{\"text\":\"t\",\"signature\":\"s\","
	    "\"signing_address\":\"a\",\"signature_kind\":7}", &r, &err) ==
	    TMON_E_PARSE);
	ck_assert(parse_str("{\"text\":\"t\\u0000x\",\"signature\":\"s\","
	    "\"signing_address\":\"a\"}", &r, &err) == TMON_E_PARSE);
	ck_assert(parse_str("[]", &r, &err) == TMON_E_PARSE);
	ck_assert(parse_str("{} x", &r, &err) == TMON_E_PARSE);
	/* extra members are ignored; optional ones kept */
	ck_assert(parse_str("{\"text\":\"t\",\"signature\":\"s\","
	    "\"signing_address\":\"a\",\"signature_kind\":\"gateway\","
	    "\"extra\":{\"x\":[1]}}", &r, &err) == TMON_OK);
	ck_assert_str_eq(r.signature_kind, "gateway");
	ck_assert_ptr_null(r.signing_algo);
	sig_response_free(&r);
	/* limits */
	ck_assert(parse_str("{\"text\":\"t\",\"signature\":\"s\","
	    "\"signing_address\":\"a\",\"signing_algo\":"
	    "\"0123456789012345678901234567890123\"}", &r, &err) ==
	    TMON_E_LIMIT);
	big = malloc(MAX_SIG_RESPONSE + 64);
	ck_assert_ptr_nonnull(big);
	/* nesting */
	memset(big, '[', MAX_JSON_DEPTH + 1);
	memset(big + MAX_JSON_DEPTH + 1, ']', MAX_JSON_DEPTH + 1);
	big[2 * (MAX_JSON_DEPTH + 1)] = '\0';
	ck_assert(parse_str(big, &r, &err) == TMON_E_LIMIT);
	/* a text over MAX_SIG_TEXT */
	i = (size_t)snprintf(big, 64, "{\"signature\":\"s\","
	    "\"signing_address\":\"a\",\"text\":\"");
	memset(big + i, 'x', MAX_SIG_TEXT + 1);
	memcpy(big + i + MAX_SIG_TEXT + 1, "\"}", 3);
	ck_assert(parse_str(big, &r, &err) == TMON_E_LIMIT);
	ck_assert(strstr(err.msg, "text: must be at most") != NULL);
	/* a body over MAX_SIG_RESPONSE */
	memset(big, ' ', MAX_SIG_RESPONSE + 1);
	big[MAX_SIG_RESPONSE + 1] = '\0';
	ck_assert(parse_str(big, &r, &err) == TMON_E_LIMIT);
	free(big);
}
END_TEST

static Suite *
sig_suite(void)
{
	Suite *s = suite_create("sig");
	TCase *tc = tcase_create("sig");

	tcase_add_test(tc, test_keccak_kat);
	tcase_add_test(tc, test_keccak_incremental);
	tcase_add_test(tc, test_keccak_not_sha3);
	tcase_add_test(tc, test_eip191_digest_ethers);
	tcase_add_test(tc, test_eth_address_ethers);
	tcase_add_test(tc, test_eth_address_replay);
	tcase_add_test(tc, test_address_parse_eip55);
	tcase_add_test(tc, test_near_a_b);
	tcase_add_test(tc, test_near_d_negative);
	tcase_add_test(tc, test_generated_ecdsa);
	tcase_add_test(tc, test_high_s_and_v01);
	tcase_add_test(tc, test_tamper_response_every_byte);
	tcase_add_test(tc, test_tamper_text_and_signature);
	tcase_add_test(tc, test_address_mismatch);
	tcase_add_test(tc, test_malformed_inputs);
	tcase_add_test(tc, test_text_parse);
	tcase_add_test(tc, test_ed25519_noble);
	tcase_add_test(tc, test_ed25519_openssl);
	tcase_add_test(tc, test_ed25519_speccheck);
	tcase_add_test(tc, test_ed25519_small_order_forgery);
	tcase_add_test(tc, test_response_parse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sig_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
