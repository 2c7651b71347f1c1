/*
 * Unit tests for monitor/verify/tdx_quote.c, tdx_verify.c, trust_intel.c.
 *
 * Fixtures: tests/data/tdx (see PROVENANCE.md there).  Expected values
 * come from sources other than the code under test: the gateway JSON of
 * the NanoGPT capture (info.tcb_info, signing_address, request_nonce),
 * an independent parser of the quote layout (MRTD, REPORTDATA, lengths,
 * PCK FMSPC and notBefore), `openssl asn1parse` of the PCK leaf (SGX
 * extension), cases.json (verification times), go-tdx-guest abi/abi.go
 * (offsets) and dcap-qvl src/TrustedRootCA.der (root CA fingerprint).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "checklist.h"
#include "encode.h"
#include "tdx_quote.h"
#include "tdx_verify.h"
#include "tmon_limits.h"
#include "util.h"

#define DATA		TMON_TEST_DATA "/tdx/"

/* v4 offsets with 32 bytes of QE auth data (tdx_quote.h). */
#define V4_SIG_DATA_LEN	632
#define V4_ATTEST_KEY	700
#define V4_CERT_TYPE	764
#define V4_CERT_SIZE	766
#define V4_QE_REPORT	770
#define V4_QE_SIG	1154
#define V4_AUTH_LEN	1218
#define V4_INNER_TYPE	1252
#define V4_PEM_SIZE	1254
#define V4_PEM		1258

/* The NanoGPT gemma capture (teep 2026-06-10_014905). */
#define GEMMA		"teep/nanogpt_tee_gemma-3-27b-it_20260610_014905_0001_9bb86ec10ac9.bin"
#define GEMMA_TIME	1781056145	/* cases.json: captured_at */
#define GEMMA_PCK_NB	1777519188	/* leaf notBefore 2026-04-30T03:19:48Z */
#define GEMMA_PCK_NA	1998443988	/* leaf notAfter 2033-04-30T03:19:48Z */

/* One verify_ctx for the test process, as tmond keeps one. */
static struct verify_ctx *
tvc(void)
{
	static struct verify_ctx *vc;

	if (vc == NULL)
		vc = verify_ctx_new();
	return vc;
}

/* tdx_check_quote as in production, with tvc(). */
static bool
check_quote(const uint8_t *b, size_t n, int64_t now, struct tdx_quote *q,
    struct checklist *cl)
{
	return tdx_check_quote(tvc(), b, n, now, NULL, q, cl);
}

/* tdx_check_quote trusting the test root rder instead of Intel's. */
static bool
check_root(const uint8_t *b, size_t n, int64_t now, const uint8_t *rder,
    size_t rlen, struct tdx_quote *q, struct checklist *cl)
{
	struct tdx_check_opts o;

	memset(&o, 0, sizeof(o));
	o.root_der = rder;
	o.root_der_len = rlen;
	return tdx_check_quote(tvc(), b, n, now, &o, q, cl);
}

static uint8_t *
load(const char *name, size_t *len)
{
	struct tmon_err err;
	uint8_t *b = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s%s", DATA, name);
	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 1u << 20, &b, len, &err) == TMON_OK,
	    "read %s: %s", path, err.msg);
	return b;
}

static void
hex(const char *h, uint8_t *out, size_t n)
{
	ck_assert_msg(hex_decode_exact(h, strlen(h), out, n, false),
	    "bad hex constant %s", h);
}

static void
assert_bytes(const uint8_t *got, const char *want_hex, size_t n,
    const char *what)
{
	uint8_t want[128];

	ck_assert(n <= sizeof(want));
	hex(want_hex, want, n);
	ck_assert_msg(memcmp(got, want, n) == 0, "%s differs", what);
}

static const struct check *
get(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "check %s not set", id);
	return c;
}

static void
assert_check(const struct checklist *cl, const char *id,
    enum check_status st, const char *substr)
{
	const struct check *c = get(cl, id);

	ck_assert_msg(c->status == st, "%s: status %s, want %s (%s)", id,
	    check_status_str(c->status), check_status_str(st), c->detail);
	if (substr != NULL)
		ck_assert_msg(strstr(c->detail, substr) != NULL,
		    "%s: detail \"%s\" lacks \"%s\"", id, c->detail, substr);
}

static void
assert_not_in_detail(const struct checklist *cl, const char *id,
    const char *substr)
{
	const struct check *c = get(cl, id);

	ck_assert_msg(strstr(c->detail, substr) == NULL,
	    "%s: detail \"%s\" has \"%s\"", id, c->detail, substr);
}

static void
put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
put_u16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint32_t
get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* ---- the pinned root ---- */

START_TEST(test_root_pin)
{
	uint8_t h[32], *file;
	size_t n;
	const unsigned char *p = tdx_intel_root_ca_der;
	X509 *x;
	char cn[64];

	/* tdx_verify.h: the pinned root. */
	sha256(tdx_intel_root_ca_der, tdx_intel_root_ca_der_len, h);
	assert_bytes(h, "44a0196b2b99f889b8e149e95b807a350e7424964399e885"
	    "a7cbb8ccfab674d3", 32, "root CA SHA-256");
	file = load("Intel_SGX_Root_CA.der", &n);
	ck_assert_uint_eq(n, tdx_intel_root_ca_der_len);
	ck_assert(memcmp(file, tdx_intel_root_ca_der, n) == 0);
	free(file);
	x = d2i_X509(NULL, &p, (long)tdx_intel_root_ca_der_len);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_gt(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)), 0);
	ck_assert_str_eq(cn, "Intel SGX Root CA");
	X509_free(x);
}
END_TEST

/* ---- positives ---- */

struct positive {
	const char	*file;
	int64_t		 now;		/* cases.json */
	unsigned	 version, body_type;
	size_t		 len, quote_len, trailing;
	bool		 trailing_nonzero;
	const char	*mrtd, *report_data, *fmspc;
	int64_t		 pck_not_before;
};

/* Values from inspect_quote.py (MRTD, REPORTDATA, lengths, FMSPC, nb). */
static const struct positive positives[] = {
	{ GEMMA, GEMMA_TIME, 4, 2, 5006, 4936, 70, false,
	    "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217",
	    "a6df16ebbc510d97a32b99b4dfd33793acc90e2b0000000000000000000000009a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a",
	    "90c06f000000", 1777519188 },
	{ "teep/nearcloud_qwen_qwen3.5-122b-a10b_20260424_020614_0001_1ea8e0615cd7.bin", 1776996374, 4, 2, 5006, 4936, 70, false,
	    "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217",
	    "efdf9f707196bd2413a84525f7ba143645e5f0e91a50bc9426e83dfbf9c6476d7c4b89c7c794886908702155bc671b6214269ed4a4bffaaf751449dba01e27da",
	    "90c06f000000", 1767870429 },
	{ "teep/nearcloud_qwen_qwen3.5-122b-a10b_20260424_020614_0001_a8d6eca83bac.bin", 1776996374, 4, 2, 5006, 4936, 70, false,
	    "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217",
	    "28538709a5d848b4c901852e4e3641583cdc74c654d00d0034a1cf7d381695a07c4b89c7c794886908702155bc671b6214269ed4a4bffaaf751449dba01e27da",
	    "90c06f000000", 1767870429 },
	{ "teep/nearcloud_qwen_qwen3.5-122b-a10b_20260424_020614_0001_e58114c31bdb.bin", 1776996374, 4, 2, 5006, 4936, 70, false,
	    "f06dfda6dce1cf904d4e2bab1dc370634cf95cefa2ceb2de2eee127c9382698090d7a4a13e14c536ec6c9c3c8fa87077",
	    "3ad776cb6a39df65e78aa202f54d290f66c4262966ade1462f6522fceb33aae27c4b89c7c794886908702155bc671b6214269ed4a4bffaaf751449dba01e27da",
	    "b0c06f000000", 1767704499 },
	{ "teep/nearcloud_qwen_qwen3.5-122b-a10b_20260629_020657_0001_2f655fa9c2e6.bin", 1782698817, 4, 2, 5010, 4940, 70, false,
	    "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217",
	    "047d7800b9cadc327b5f380f658a69faa3eea858a3c809610b5967453a36b32be79c2ec87ccfa76f3aef88deec0687facbd85d1689d82b0cc2de1353f7a62609",
	    "90c06f000000", 1768324755 },
	{ "teep/nearcloud_qwen_qwen3.5-122b-a10b_20260629_020657_0001_c19965efa74e.bin", 1782698817, 4, 2, 5010, 4940, 70, false,
	    "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217",
	    "5b1ddd16927a106f1ea4a25909cc81ed1b277d699473c27e01b2db5e16f992eee79c2ec87ccfa76f3aef88deec0687facbd85d1689d82b0cc2de1353f7a62609",
	    "90c06f000000", 1768324755 },
	{ "teep/nearcloud_qwen_qwen3.5-122b-a10b_20260629_020657_0001_dbd3b82f0fc6.bin", 1782698817, 4, 2, 5006, 4936, 70, false,
	    "f06dfda6dce1cf904d4e2bab1dc370634cf95cefa2ceb2de2eee127c9382698090d7a4a13e14c536ec6c9c3c8fa87077",
	    "b0f7047b02810d35ea412153ab471a8e8f43a6c1f6a47087314ee871c867392de79c2ec87ccfa76f3aef88deec0687facbd85d1689d82b0cc2de1353f7a62609",
	    "b0c06f000000", 1758701531 },
	{ "teep/neardirect_qwen_qwen3.5-122b-a10b_20260629_020637_0001_7cddc8d792dc.bin", 1782698797, 4, 2, 5010, 4940, 70, false,
	    "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217",
	    "5b1ddd16927a106f1ea4a25909cc81ed1b277d699473c27e01b2db5e16f992ee541b6523f9446dcd170e67ac8171eb9226bee5e3f192de4900b74f0ef293500b",
	    "90c06f000000", 1768324755 },
	{ "teep/neardirect_qwen_qwen3.5-122b-a10b_20260629_020637_0001_c97105c1eb2b.bin", 1782698797, 4, 2, 5010, 4940, 70, false,
	    "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217",
	    "047d7800b9cadc327b5f380f658a69faa3eea858a3c809610b5967453a36b32b541b6523f9446dcd170e67ac8171eb9226bee5e3f192de4900b74f0ef293500b",
	    "90c06f000000", 1768324755 },
	{ "teep/phalacloud_phala_deepseek-v3.2_20260610_014917_0001_0c6b86ae82df.bin", 1781056157, 4, 2, 5243, 4936, 307, false,
	    "ddc6efcdd2309e10837f8a7f64b71272b7ef003b129460410fe715bdfffec38c7c0c1686dddb2a23d4fd623d145e8455",
	    "f6f8a7981d9652233dedeb7a3f20daa7de7b090dc96b93ff09b595abb0be25c10e45c88c5169a93314f70a2f2430b191d414c5976a04107c61e61ef6e42a0169",
	    "90c06f000000", 1778019031 },
	{ "teep/phalacloud_phala_deepseek-v3.2_20260610_014917_0001_62a22ad66a66.bin", 1781056157, 4, 2, 5243, 4936, 307, false,
	    "ddc6efcdd2309e10837f8a7f64b71272b7ef003b129460410fe715bdfffec38c7c0c1686dddb2a23d4fd623d145e8455",
	    "d75c05bd97e33be9ea015a9cb32cc10cd8977e85581851ebeccbdbb105bb8051c4d47cd09b39ce13e122f308df542f4cccc1aa2ba59d9b4c3725fcd80398d03e",
	    "90c06f000000", 1779504388 },
	{ "teep/phalacloud_phala_deepseek-v3.2_20260610_014917_0001_76fddc0ba887.bin", 1781056157, 4, 2, 5243, 4936, 307, false,
	    "ddc6efcdd2309e10837f8a7f64b71272b7ef003b129460410fe715bdfffec38c7c0c1686dddb2a23d4fd623d145e8455",
	    "ef0ed0e8d721eed751bb17a37ffdabfa533973166513f7ad52df7330b9f56c10c73984290574b5a5c7c3e04279f24f174b133883f7956357c7c75c64fb8ef293",
	    "90c06f000000", 1779400368 },
	{ "teep/phalacloud_phala_deepseek-v3.2_20260610_014917_0001_807f562cba35.bin", 1781056157, 4, 2, 5243, 4936, 307, false,
	    "ddc6efcdd2309e10837f8a7f64b71272b7ef003b129460410fe715bdfffec38c7c0c1686dddb2a23d4fd623d145e8455",
	    "190929acd84b287ffa1348d7c9cf9812ea215df0ab3ef7a5aec2c3bcc8e5e6e19d110dc1aba91d7566e58a365ecf20dd1c62efe2d98244bfc4fc71dc897f28e2",
	    "90c06f000000", 1780431598 },
	{ "teep/phalacloud_phala_deepseek-v3.2_20260610_014917_0001_a929c5744c1e.bin", 1781056157, 4, 2, 5243, 4936, 307, false,
	    "ddc6efcdd2309e10837f8a7f64b71272b7ef003b129460410fe715bdfffec38c7c0c1686dddb2a23d4fd623d145e8455",
	    "a88fc255e9ac3487d2cde0fe247cd81cdc8ce65652db9a157ebbfb9138ebef80fbb037b932fd2724424bcf2335a39e58f2e1e8c2ffb8a5a5e0e57e71b7b9a396",
	    "90c06f000000", 1779401649 },
	{ "phala_tdx_quote.bin", 1751624191, 4, 2, 5006, 4936, 70, false,
	    "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7",
	    "9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20",
	    "b0c06f000000", 1738884351 },
	{ "gotdx_quote_v5_sample.dat", 1772707803, 5, 3, 5006, 5006, 0, false,
	    "7348651a34b2d2d3462822e3a750ec6110125f36757c78480bbfc69cc0d21fb001a1ced3ee19747dda8f750c3bc8f876",
	    "945eaacf5abc1f719d8666a942fda03d1edcb4490277396093dc5a5289ab9f1e094aed63060cd4a4933a4dd537ed1255c9c79ecb3ed82cd1b486233e31c25c3a",
	    "90c06f000000", 1769524587 },
	{ "gotdx_tdx_prod_quote_SPR_E4.dat", 1687939438, 4, 2, 4974, 4935, 39, true,
	    "6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb",
	    "6c62dec1b8191749a31dab490be532a35944dea47caef1f980863993d9899545eb7406a38d1eed313b987a467dacead6f0c87a6d766c66f6f29f8acb281f1113",
	    "50806f000000", 1663680031 },
	{ "gotdx_cos-113-tdx-quote.dat", 1753175614, 4, 2, 8000, 4935, 3065, false,
	    "dae67181d3d65e073ad8f95b7907d5e927bfe9761c9ff3e9b89734a45d8954dba41394c7717cb2735396c1d04231f94a",
	    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
	    "00806f050000", 1719922057 },
};
#define N_POSITIVES	(sizeof(positives) / sizeof(positives[0]))

START_TEST(test_positive)
{
	const struct positive *p = &positives[_i];
	struct tdx_quote q;
	struct tdx_pck_info info;
	struct checklist cl;
	struct tmon_err err;
	uint8_t *b;
	size_t n;

	b = load(p->file, &n);
	ck_assert_uint_eq(n, p->len);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, p->now, &q, &cl));
	assert_check(&cl, "tdx.quote.parse", CHECK_PASS, NULL);
	assert_check(&cl, "tdx.quote.signature", CHECK_PASS, NULL);
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "CRLs not checked");
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS,
	    "Intel SGX PCK Platform CA");

	ck_assert_uint_eq(q.version, p->version);
	ck_assert_uint_eq(q.att_key_type, 2);
	ck_assert_uint_eq(q.tee_type, 0x81);
	ck_assert_uint_eq(q.body_type, p->body_type);
	ck_assert_uint_eq(q.quote_len, p->quote_len);
	ck_assert_uint_eq(q.trailing_len, p->trailing);
	ck_assert(q.trailing_nonzero == p->trailing_nonzero);
	ck_assert_uint_eq(q.pck_cert_type, 5);
	assert_bytes(q.qe_vendor_id, "939a7233f79c4ca9940a0db3957f0607", 16,
	    "qe_vendor_id");
	assert_bytes(q.report.mrtd, p->mrtd, 48, "mrtd");
	assert_bytes(q.report.report_data, p->report_data, 64, "report_data");
	/* Signed region: 632 for v4, 702 for v5 TD15 (tdx_quote.h). */
	ck_assert_uint_eq(cur_len(&q.signed_region), p->version == 4 ? 632 :
	    702);
	ck_assert(cur_data(&q.signed_region) == b);
	ck_assert_uint_eq(cur_len(&q.qe_report), 384);

	ck_assert(q.pck_ok);
	assert_bytes(q.pck.fmspc, p->fmspc, 6, "fmspc");
	ck_assert_int_eq(q.pck.ca, TDX_PCK_CA_PLATFORM);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_pck_info(&q, &info, &err), TMON_OK);
	ck_assert(memcmp(&info, &q.pck, sizeof(info)) == 0);

	/* One second before the PCK leaf's notBefore the chain fails. */
	checklist_init(&cl);
	ck_assert(check_quote(b, n, p->pck_not_before - 1, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, "not yet valid");
	assert_check(&cl, "tdx.quote.signature", CHECK_PASS, NULL);
	free(b);
}
END_TEST

/*
 * The NanoGPT gemma quote as served (hex intel_quote of the gateway
 * response), checked against that response's own JSON fields.
 */
START_TEST(test_gemma_gateway)
{
	struct tdx_quote q;
	struct checklist cl;
	uint8_t *hexq, *b, *bin, want[64];
	size_t hn, n, binlen;

	hexq = load("nanogpt_gemma-3-27b-it_20260610.intel_quote.hex", &hn);
	b = hex_decode_alloc((const char *)hexq, hn, MAX_QUOTE_LEN, false, &n);
	ck_assert_ptr_nonnull(b);
	bin = load(GEMMA, &binlen);
	ck_assert_uint_eq(n, binlen);
	ck_assert(memcmp(b, bin, n) == 0);

	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_PASS);
	assert_check(&cl, "tdx.quote.parse", CHECK_PASS,
	    "v4 TD10, 5006 bytes (quote 4936), 70 trailing zero bytes");
	/* info.tcb_info of the response. */
	assert_bytes(q.report.mrtd, "b24d3b24e9e3c16012376b52362ca09856c4adec"
	    "b709d5fac33addf1c47e193da075b125b6c364115771390a5461e217", 48,
	    "mrtd");
	assert_bytes(q.report.rtmr[0], "6ffe4a2c12f07eccb857f70f370a5af848a706"
	    "2905cd95adc43abb1f62c39e330aa3c8aeb8f162656c025f3f527600f1", 48,
	    "rtmr0");
	assert_bytes(q.report.rtmr[1], "b598fde9491427341bc4683b75d10d3e36770a"
	    "f3a36a6954d8b6b7b22aa66358f13e1f172e51b7d6e6710d99a8d8532f", 48,
	    "rtmr1");
	assert_bytes(q.report.rtmr[2], "976bc2e546f2e12ce900f476641e7bc6c7244a"
	    "84a7b722a8ac58eb3a70e9493c24e80bf5e78662cb48df9b26de3d9f33", 48,
	    "rtmr2");
	assert_bytes(q.report.rtmr[3], "bb3903919b511de9542858731648b6e3cb16d3"
	    "87a3bfc59a2a58fc8d76cae6490b91fc46a698470ae7b0be565b91618f", 48,
	    "rtmr3");
	/* MRCONFIGID = 01 || compose_hash || 15 zero bytes (dstack v1). */
	assert_bytes(q.report.mr_config_id, "01cd5af14107fda0782665a90a48507d"
	    "dfc99f37d3e6a22ce3df8802881c0b1a1a000000000000000000000000000000",
	    48, "mr_config_id");
	/* REPORTDATA = signing_address || 12 zero bytes || request_nonce. */
	memset(want, 0, sizeof(want));
	hex("a6df16ebBc510D97A32b99B4DFD33793acC90e2b", want, 20);
	hex("9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a",
	    want + 32, 32);
	ck_assert(memcmp(q.report.report_data, want, 64) == 0);
	/* TD10: the TD15 fields stay zero. */
	memset(want, 0, sizeof(want));
	ck_assert(memcmp(q.report.tee_tcb_svn2, want, 16) == 0);
	ck_assert(memcmp(q.report.mr_servicetd, want, 48) == 0);
	free(b);
	free(bin);
	free(hexq);
}
END_TEST

/* TD15 fields and the QE report of the v5 sample (inspect_quote.py). */
START_TEST(test_v5_fields)
{
	struct tdx_quote q;
	struct tmon_err err;
	uint8_t *b;
	size_t n;

	b = load("gotdx_quote_v5_sample.dat", &n);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_quote_parse(b, n, &q, &err), TMON_OK);
	ck_assert_uint_eq(q.body_size, 648);
	assert_bytes(q.report.tee_tcb_svn, "0b010400000000000000000000000000",
	    16, "tee_tcb_svn");
	assert_bytes(q.report.td_attributes, "0000001000000000", 8,
	    "td_attributes");
	assert_bytes(q.report.xfam, "e702060000000000", 8, "xfam");
	assert_bytes(q.report.rtmr[0], "5c8daf76063a71ac8fcef4067564661fc682ed"
	    "7944c7a5d21dbbced02f61ceff4ba0678c6aef3bdae8cbc614cec24619", 48,
	    "rtmr0");
	assert_bytes(q.report.tee_tcb_svn2, "0d010400000000000000000000000000",
	    16, "tee_tcb_svn2");
	assert_bytes(q.user_data, "ba103c0e5dffa40351f9d5dd559888eb00000000",
	    20, "user_data");
	/* QE report: the TD_QE identity's mrsigner (PCS QE identity). */
	assert_bytes(q.qe.mrsigner, "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563"
	    "f1babddf6340c82e0e54a8c5", 32, "qe mrsigner");
	ck_assert_uint_eq(q.qe.isvprodid, 2);
	ck_assert_uint_eq(q.qe.isvsvn, 7);
	ck_assert_uint_eq(cur_len(&q.qe_auth_data), 32);
	free(b);
}
END_TEST

/* SGX extension of the phala quote's PCK leaf, from openssl asn1parse. */
START_TEST(test_pck_info)
{
	struct tdx_quote q;
	struct tdx_pck_info pi;
	struct tmon_err err;
	uint8_t *b;
	size_t n;

	b = load("phala_tdx_quote.bin", &n);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_quote_parse(b, n, &q, &err), TMON_OK);
	ck_assert_int_eq(tdx_pck_info(&q, &pi, &err), TMON_OK);
	assert_bytes(pi.ppid, "811dca2a26b952e85bb6448b097ba4fd", 16, "ppid");
	assert_bytes(pi.tcb_comp_svn, "03030202040100050000000000000000", 16,
	    "tcb comp svn");
	ck_assert_uint_eq(pi.pcesvn, 11);
	assert_bytes(pi.cpusvn, "03030202040100050000000000000000", 16,
	    "cpusvn");
	assert_bytes(pi.pceid, "0000", 2, "pceid");
	assert_bytes(pi.fmspc, "b0c06f000000", 6, "fmspc");
	ck_assert_int_eq(pi.sgx_type, 1);
	ck_assert_int_eq(pi.ca, TDX_PCK_CA_PLATFORM);

	/* A quote whose chain is not PEM has no PCK info. */
	free(b);
	b = load("intel_qvl_sample_quote.dat", &n);
	ck_assert_int_eq(tdx_quote_parse(b, n, &q, &err), TMON_OK);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_pck_info(&q, &pi, &err), TMON_E_PARSE);
	free(b);
}
END_TEST

/* Validity window of the gemma PCK leaf (2026-04-30 .. 2033-04-30). */
START_TEST(test_time_window)
{
	struct tdx_quote q;
	struct checklist cl;
	uint8_t *b;
	size_t n;

	b = load(GEMMA, &n);
	checklist_init(&cl);
	check_quote(b, n, GEMMA_PCK_NB - 1, &q, &cl);
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL,
	    "certificate is not yet valid");
	checklist_init(&cl);
	check_quote(b, n, GEMMA_PCK_NB + 1, &q, &cl);
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "2026-04-30T03:19:49Z");
	checklist_init(&cl);
	check_quote(b, n, GEMMA_PCK_NA - 1, &q, &cl);
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, NULL);
	checklist_init(&cl);
	check_quote(b, n, GEMMA_PCK_NA + 1, &q, &cl);
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, "certificate has expired");
	/* Long before anything was issued. */
	checklist_init(&cl);
	check_quote(b, n, 0, &q, &cl);
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, NULL);
	free(b);
}
END_TEST

/* ---- tampered copies of phala_tdx_quote.bin (cases.json) ---- */

struct tamper {
	const char	*file;
	size_t		 offset;	/* the flipped byte (cases.json note) */
	const char	*want;		/* in the signature detail */
	const char	*not_want;	/* must not be in it (NULL: skip) */
};

static const struct tamper tampers[] = {
	/* REPORTDATA and MRTD are in the signed region. */
	{ "tampered/tdx_quote.report_data_flip.bin", 631,
	    "quote signature does not verify with the attestation key",
	    "QE report" },
	{ "tampered/tdx_quote.mrtd_flip.bin", 184,
	    "quote signature does not verify with the attestation key",
	    "QE report" },
	/* CPUSVN of the QE report: only the PCK signature covers it. */
	{ "tampered/tdx_quote.qe_report_flip.bin", 770,
	    "QE report signature does not verify with the PCK leaf key",
	    "quote signature" },
	/* QE auth data: only the binding hash covers it. */
	{ "tampered/tdx_quote.qe_auth_flip.bin", 1225,
	    "QE report binding: report_data[0..32] != SHA-256",
	    "signature does not verify" },
	/*
	 * A byte of the attestation key's x: the point leaves the curve, so
	 * the quote signature cannot verify, and the binding hash (which
	 * covers the key) fails too.  Both are reported.
	 */
	{ "tampered/tdx_quote.attest_key_flip.bin", 710,
	    "attestation key is not a P-256 point", "PCK leaf key" },
};
#define N_TAMPERS	(sizeof(tampers) / sizeof(tampers[0]))

START_TEST(test_tampered)
{
	const struct tamper *t = &tampers[_i];
	struct tdx_quote q;
	struct checklist cl;
	uint8_t *b, *orig;
	size_t n, on, i, diffs = 0;

	b = load(t->file, &n);
	orig = load("phala_tdx_quote.bin", &on);
	ck_assert_uint_eq(n, on);
	for (i = 0; i < n; i++)
		if (b[i] != orig[i]) {
			diffs++;
			ck_assert_uint_eq(i, t->offset);
			ck_assert_uint_eq(b[i] ^ orig[i], 0x01);
		}
	ck_assert_uint_eq(diffs, 1);

	checklist_init(&cl);
	ck_assert(check_quote(b, n, 1751624191, &q, &cl));
	assert_check(&cl, "tdx.quote.parse", CHECK_PASS, NULL);
	assert_check(&cl, "tdx.quote.signature", CHECK_FAIL, t->want);
	if (t->not_want != NULL)
		assert_not_in_detail(&cl, "tdx.quote.signature", t->not_want);
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, NULL);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);
	if (t->offset == 710)
		assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
		    "QE report binding: report_data[0..32]");
	free(b);
	free(orig);
}
END_TEST

/* Intel QVL's synthetic sample: test root, DER (not PEM) chain. */
START_TEST(test_intel_qvl_sample)
{
	struct tdx_quote q;
	struct checklist cl;
	uint8_t *b;
	size_t n;
	int64_t t[] = { 1687939438, 1751624191, 1781056145 };
	size_t i;

	b = load("intel_qvl_sample_quote.dat", &n);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		checklist_init(&cl);
		ck_assert(check_quote(b, n, t[i], &q, &cl));
		assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, "not PEM");
		assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
		    "no usable PCK leaf key");
		ck_assert(!q.pck_ok);
		ck_assert_uint_eq(cur_len(&q.qe_auth_data), 0);
	}
	free(b);
}
END_TEST

/* ---- truncation and length fields ---- */

static void
truncate_all(const char *file, size_t quote_len)
{
	struct tdx_quote q;
	struct checklist cl;
	struct tmon_err err;
	uint8_t *b, *t;
	size_t n, k;
	enum tmon_rc rc;

	b = load(file, &n);
	ck_assert_uint_le(quote_len, n);
	for (k = 0; k < quote_len; k++) {
		/* An exact-size heap copy, so ASan sees any over-read. */
		t = malloc(k > 0 ? k : 1);
		ck_assert_ptr_nonnull(t);
		memcpy(t, b, k);
		tmon_err_clear(&err);
		rc = tdx_quote_parse(t, k, &q, &err);
		ck_assert_msg(rc == TMON_E_PARSE, "%s cut at %zu: rc %s (%s)",
		    file, k, tmon_rc_str(rc), err.msg);
		ck_assert_uint_eq(q.quote_len, 0);
		checklist_init(&cl);
		ck_assert(!check_quote(t, k, GEMMA_TIME, &q, &cl));
		assert_check(&cl, "tdx.quote.parse", CHECK_FAIL, "parse");
		assert_check(&cl, "tdx.quote.signature", CHECK_SKIP,
		    "not checked: quote did not parse");
		assert_check(&cl, "tdx.pck_chain", CHECK_SKIP,
		    "not checked: quote did not parse");
		free(t);
	}
	/* Cut exactly at the end of the quote: parses, no trailing bytes. */
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_quote_parse(b, quote_len, &q, &err), TMON_OK);
	ck_assert_uint_eq(q.trailing_len, 0);
	free(b);
}

START_TEST(test_truncate_v4)
{
	truncate_all(GEMMA, 4936);
}
END_TEST

START_TEST(test_truncate_v5)
{
	truncate_all("gotdx_quote_v5_sample.dat", 5006);
}
END_TEST

START_TEST(test_truncate_qvl)
{
	truncate_all("intel_qvl_sample_quote.dat", 3696);
}
END_TEST

struct lenfield {
	size_t		offset;
	unsigned	width;		/* 2 or 4 */
	uint32_t	value;
	const char	*field;		/* in the error message */
};

static const struct lenfield lenfields[] = {
	{ V4_SIG_DATA_LEN, 4, 0xffffffffu, "sig_data_len" },
	{ V4_SIG_DATA_LEN, 4, 0x80000000u, "sig_data_len" },
	{ V4_SIG_DATA_LEN, 4, 4300 + 71, "sig_data_len" },
	{ V4_SIG_DATA_LEN, 4, 4300 + 1, "cert_data.size" },	/* inner mismatch */
	{ V4_SIG_DATA_LEN, 4, 4300 - 1, "cert_data.size" },
	{ V4_SIG_DATA_LEN, 4, 0, "sig_data" },
	{ V4_CERT_SIZE, 4, 0xffffffffu, "cert_data.size" },
	{ V4_CERT_SIZE, 4, 4166 + 1, "cert_data.size" },
	{ V4_CERT_SIZE, 4, 4166 - 1, "cert_data.size" },
	{ V4_AUTH_LEN, 2, 0xffff, "qe_auth_data" },
	{ V4_AUTH_LEN, 2, 0x1000, "qe_auth_data" },
	{ V4_PEM_SIZE, 4, 0xffffffffu, "pck_cert_data.size" },
	{ V4_PEM_SIZE, 4, 0x10000, "pck_cert_data.size" },
	{ V4_PEM_SIZE, 4, 3678 + 1, "pck_cert_data.size" },
	{ V4_PEM_SIZE, 4, 3678 - 1, "left after the PCK chain" },
};
#define N_LENFIELDS	(sizeof(lenfields) / sizeof(lenfields[0]))

START_TEST(test_length_fields)
{
	const struct lenfield *f = &lenfields[_i];
	struct tdx_quote q;
	struct checklist cl;
	struct tmon_err err;
	uint8_t *b;
	size_t n;
	enum tmon_rc rc;

	b = load(GEMMA, &n);
	/* The original values (inspect_quote.py), so the offsets are right. */
	ck_assert_uint_eq(get_u32le(b + V4_SIG_DATA_LEN), 4300);
	ck_assert_uint_eq(get_u32le(b + V4_CERT_SIZE), 4166);
	ck_assert_uint_eq(b[V4_AUTH_LEN] | b[V4_AUTH_LEN + 1] << 8, 32);
	ck_assert_uint_eq(get_u32le(b + V4_PEM_SIZE), 3678);
	if (f->width == 4)
		put_u32le(b + f->offset, f->value);
	else
		put_u16le(b + f->offset, (uint16_t)f->value);
	tmon_err_clear(&err);
	rc = tdx_quote_parse(b, n, &q, &err);
	ck_assert_msg(rc == TMON_E_PARSE, "rc %s (%s)", tmon_rc_str(rc),
	    err.msg);
	ck_assert_msg(strstr(err.msg, f->field) != NULL, "\"%s\" lacks %s",
	    err.msg, f->field);
	checklist_init(&cl);
	ck_assert(!check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.quote.parse", CHECK_FAIL, f->field);
	free(b);
}
END_TEST

/* Large values point at their own field's offset. */
START_TEST(test_length_offsets)
{
	struct tdx_quote q;
	struct tmon_err err;
	uint8_t *b;
	size_t n;

	b = load(GEMMA, &n);
	put_u32le(b + V4_SIG_DATA_LEN, 0xffffffffu);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_quote_parse(b, n, &q, &err), TMON_E_PARSE);
	ck_assert_uint_eq(err.offset, V4_SIG_DATA_LEN);
	free(b);

	b = load(GEMMA, &n);
	put_u32le(b + V4_PEM_SIZE, 0xffffffffu);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_quote_parse(b, n, &q, &err), TMON_E_PARSE);
	ck_assert_uint_eq(err.offset, V4_PEM_SIZE);
	free(b);
}
END_TEST

/* ---- well-formed but unsupported ---- */

struct patch {
	const char	*file;
	size_t		 offset;
	unsigned	 width;
	uint32_t	 value;
	enum tmon_rc	 want;
};

static const struct patch patches[] = {
	{ GEMMA, 0, 2, 3, TMON_E_UNSUPPORTED },		/* SGX v3 */
	{ GEMMA, 0, 2, 6, TMON_E_UNSUPPORTED },		/* unknown version */
	{ GEMMA, 2, 2, 3, TMON_E_UNSUPPORTED },		/* att_key_type */
	{ GEMMA, 4, 4, 0, TMON_E_UNSUPPORTED },		/* tee_type SGX */
	{ GEMMA, 12, 1, 0x92, TMON_E_UNSUPPORTED },	/* QE vendor */
	{ GEMMA, V4_CERT_TYPE, 2, 5, TMON_E_UNSUPPORTED },
	{ GEMMA, V4_INNER_TYPE, 2, 3, TMON_E_UNSUPPORTED }, /* encrypted PPID */
	{ "gotdx_quote_v5_sample.dat", 48, 2, 1, TMON_E_UNSUPPORTED },
	{ "gotdx_quote_v5_sample.dat", 48, 2, 4, TMON_E_PARSE },
	{ "gotdx_quote_v5_sample.dat", 48, 2, 0, TMON_E_PARSE },
	{ "gotdx_quote_v5_sample.dat", 50, 4, 584, TMON_E_PARSE },
	{ "gotdx_quote_v5_sample.dat", 50, 4, 0xffffffffu, TMON_E_PARSE },
	/* v5 body type 2 with the TD15 size. */
	{ "gotdx_quote_v5_sample.dat", 48, 2, 2, TMON_E_PARSE },
};
#define N_PATCHES	(sizeof(patches) / sizeof(patches[0]))

START_TEST(test_patched_header)
{
	const struct patch *p = &patches[_i];
	struct tdx_quote q;
	struct checklist cl;
	struct tmon_err err;
	uint8_t *b;
	size_t n;
	enum tmon_rc rc;

	b = load(p->file, &n);
	if (p->width == 4)
		put_u32le(b + p->offset, p->value);
	else if (p->width == 2)
		put_u16le(b + p->offset, (uint16_t)p->value);
	else
		b[p->offset] = (uint8_t)p->value;
	tmon_err_clear(&err);
	rc = tdx_quote_parse(b, n, &q, &err);
	ck_assert_msg(rc == p->want, "patch %zu: rc %s (%s)", p->offset,
	    tmon_rc_str(rc), err.msg);
	checklist_init(&cl);
	ck_assert(!check_quote(b, n, GEMMA_TIME, &q, &cl));
	/* malformed: fail; well-formed but unsupported: not checked */
	assert_check(&cl, "tdx.quote.parse", p->want == TMON_E_UNSUPPORTED ?
	    CHECK_ERROR : CHECK_FAIL, NULL);
	assert_check(&cl, "tdx.quote.signature", CHECK_SKIP, NULL);
	free(b);
}
END_TEST

START_TEST(test_sgx_v3_and_limits)
{
	struct tdx_quote q;
	struct tmon_err err;
	uint8_t *b, *big;
	size_t n;

	b = load("phala_sgx_quote_v3.bin", &n);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_quote_parse(b, n, &q, &err), TMON_E_UNSUPPORTED);
	ck_assert(strstr(err.msg, "SGX") != NULL);
	free(b);

	/* A buffer larger than MAX_QUOTE_LEN is refused before parsing. */
	b = load(GEMMA, &n);
	big = calloc(1, MAX_QUOTE_LEN + 1);
	ck_assert_ptr_nonnull(big);
	memcpy(big, b, n);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_quote_parse(big, MAX_QUOTE_LEN, &q, &err),
	    TMON_OK);
	ck_assert_uint_eq(q.trailing_len, MAX_QUOTE_LEN - 4936);
	ck_assert(!q.trailing_nonzero);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_quote_parse(big, MAX_QUOTE_LEN + 1, &q, &err),
	    TMON_E_LIMIT);
	free(big);
	free(b);
}
END_TEST

/* ---- rebuilt chains (v4 quotes with 32 bytes of QE auth data) ---- */

/*
 * A copy of the v4 quote orig with its PEM chain replaced by pem (pemlen
 * bytes) and the three enclosing length fields fixed.  Caller frees.
 */
static uint8_t *
with_chain(const uint8_t *orig, const void *pem, size_t pemlen, size_t *outlen)
{
	uint8_t *b;
	size_t n = V4_PEM + pemlen;

	ck_assert_uint_eq(get_u32le(orig + V4_CERT_SIZE) + V4_CERT_SIZE + 4,
	    V4_PEM + get_u32le(orig + V4_PEM_SIZE));
	b = malloc(n);
	ck_assert_ptr_nonnull(b);
	memcpy(b, orig, V4_PEM);
	memcpy(b + V4_PEM, pem, pemlen);
	put_u32le(b + V4_PEM_SIZE, (uint32_t)pemlen);
	put_u32le(b + V4_CERT_SIZE, (uint32_t)(n - V4_CERT_SIZE - 4));
	put_u32le(b + V4_SIG_DATA_LEN, (uint32_t)(n - V4_SIG_DATA_LEN - 4));
	*outlen = n;
	return b;
}

/* The i-th (0-based) PEM block of the quote's chain, as text. */
static char *
pem_block(const uint8_t *quote, int i)
{
	const char *pem = (const char *)quote + V4_PEM, *s, *e;
	size_t pemlen = get_u32le(quote + V4_PEM_SIZE);
	char *txt = strndup(pem, pemlen), *out;
	const char *end = "-----END CERTIFICATE-----\n";

	s = txt;
	for (;;) {
		s = strstr(s, "-----BEGIN CERTIFICATE-----");
		ck_assert_ptr_nonnull(s);
		if (i-- == 0)
			break;
		s++;
	}
	e = strstr(s, end);
	ck_assert_ptr_nonnull(e);
	out = strndup(s, (size_t)(e - s) + strlen(end));
	free(txt);
	return out;
}

static char *
x509_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	ck_assert_ptr_nonnull(bio);
	ck_assert_int_eq(PEM_write_bio_X509(bio, x), 1);
	n = BIO_get_mem_data(bio, &p);
	out = strndup(p, (size_t)n);
	BIO_free(bio);
	return out;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(ext);
	ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* A test certificate for key, signed by issuer_key (issuer NULL: self). */
static X509 *
make_cert(EVP_PKEY *key, EVP_PKEY *issuer_key, X509 *issuer, const char *cn,
    bool ca, long serial)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(name);
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"tmon test PKI", -1, -1, 0), 1);
	ck_assert_int_eq(X509_set_subject_name(x, name), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name), 1);
	/* 2020-01-01 .. 2040-01-01 */
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x),
	    1577836800));
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x),
	    2208988800));
	ck_assert_int_eq(X509_set_pubkey(x, key), 1);
	add_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(x, issuer != NULL ? issuer : x, NID_key_usage,
	    ca ? "critical,keyCertSign,cRLSign" :
	    "critical,digitalSignature,nonRepudiation");
	add_ext(x, issuer != NULL ? issuer : x, NID_subject_key_identifier,
	    "hash");
	add_ext(x, issuer != NULL ? issuer : x, NID_authority_key_identifier,
	    "keyid:always");
	ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
	X509_NAME_free(name);
	return x;
}

/* Sign the 384-byte QE report of a v4 quote in place with key. */
static void
resign_qe_report(uint8_t *quote, EVP_PKEY *key)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *p = der;
	size_t derlen = sizeof(der);
	ECDSA_SIG *sig;
	const BIGNUM *r, *s;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    key), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, der, &derlen,
	    quote + V4_QE_REPORT, 384), 1);
	sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	ck_assert_ptr_nonnull(sig);
	ECDSA_SIG_get0(sig, &r, &s);
	ck_assert_int_eq(BN_bn2binpad(r, quote + V4_QE_SIG, 32), 32);
	ck_assert_int_eq(BN_bn2binpad(s, quote + V4_QE_SIG + 32, 32), 32);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
}

static uint8_t *
cert_der(X509 *x, size_t *len)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);

	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	return d;
}

static uint8_t *
chain_quote(const uint8_t *orig, const char *a, const char *b, const char *c,
    const char *d, size_t *len)
{
	char pem[16384];

	snprintf(pem, sizeof(pem), "%s%s%s%s", a, b ? b : "", c ? c : "",
	    d ? d : "");
	return with_chain(orig, pem, strlen(pem) + 1, len);	/* with NUL */
}

START_TEST(test_chain_rebuilt_identity)
{
	struct tdx_quote q;
	struct checklist cl;
	uint8_t *orig, *b;
	char *leaf, *ca, *root;
	size_t n, on;

	/* Rebuilding with the same three blocks still verifies. */
	orig = load(GEMMA, &on);
	leaf = pem_block(orig, 0);
	ca = pem_block(orig, 1);
	root = pem_block(orig, 2);
	b = chain_quote(orig, leaf, ca, root, NULL, &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_PASS);
	free(b);

	/* Only leaf and CA: the root is missing. */
	b = chain_quote(orig, leaf, ca, NULL, NULL, &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, "expected 3");
	assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
	    "no usable PCK leaf key");
	free(b);

	/* Four certificates. */
	b = chain_quote(orig, leaf, ca, root, root, &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, "more than 3");
	free(b);

	/*
	 * Text after the root, between the blocks or before the leaf: the
	 * one PEM policy refuses anything but whitespace around the blocks.
	 */
	b = chain_quote(orig, leaf, ca, root, "not a certificate\n", &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL,
	    "PCK chain: text outside PEM blocks at offset ");
	assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
	    "no usable PCK leaf key");
	ck_assert(!q.pck_ok);
	free(b);
	b = chain_quote(orig, leaf, "Issuer: evil\n", ca, root, &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL,
	    "text outside PEM blocks");
	free(b);
	b = chain_quote(orig, "\n\n", leaf, ca, root, &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_PASS);
	free(b);

	/* CA first: the "leaf" is a CA. */
	b = chain_quote(orig, ca, leaf, root, NULL, &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, NULL);
	assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
	    "QE report signature does not verify with the PCK leaf key");
	free(b);

	/* The CA of another chain (the root itself) in the middle. */
	b = chain_quote(orig, leaf, root, root, NULL, &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, NULL);
	free(b);

	/* Corrupted base64 in the leaf. */
	leaf[100] = '*';
	b = chain_quote(orig, leaf, ca, root, NULL, &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, "certificate 1");
	free(b);

	/* A PEM chain longer than MAX_PEM_CHAIN_LEN is a limit error. */
	{
		char *big = calloc(1, MAX_PEM_CHAIN_LEN + 1);
		struct tmon_err err;

		ck_assert_ptr_nonnull(big);
		b = with_chain(orig, big, MAX_PEM_CHAIN_LEN + 1, &n);
		tmon_err_clear(&err);
		ck_assert_int_eq(tdx_quote_parse(b, n, &q, &err),
		    TMON_E_LIMIT);
		free(b);
		free(big);
	}
	free(leaf);
	free(ca);
	free(root);
	free(orig);
}
END_TEST

/* The real leaf and CA with a self-made root in place of Intel's. */
START_TEST(test_chain_root_swapped)
{
	struct tdx_quote q;
	struct checklist cl;
	EVP_PKEY *rk;
	X509 *root;
	uint8_t *orig, *b;
	char *leaf, *ca, *fake;
	size_t n, on;

	rk = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(rk);
	root = make_cert(rk, rk, NULL, "Intel SGX Root CA", true, 1);
	fake = x509_pem(root);
	orig = load(GEMMA, &on);
	leaf = pem_block(orig, 0);
	ca = pem_block(orig, 1);
	b = chain_quote(orig, leaf, ca, fake, NULL, &n);
	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.quote.signature", CHECK_PASS, NULL);
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL,
	    "not the pinned Intel SGX Root CA");
	free(b);
	free(leaf);
	free(ca);
	free(fake);
	free(orig);
	X509_free(root);
	EVP_PKEY_free(rk);
}
END_TEST

/*
 * A whole fake PKI: root R, "Intel SGX PCK Platform CA" under R, a leaf
 * under it whose key re-signs the QE report.  Signatures then verify;
 * only the pinned root stops it.  With R as a test root it passes, which
 * shows the chain logic accepts a good chain and rejects a CA leaf.
 */
START_TEST(test_chain_fake_pki)
{
	struct tdx_quote q;
	struct tdx_pck_info pi;
	struct checklist cl;
	struct tmon_err err;
	EVP_PKEY *rk, *ck, *lk;
	X509 *root, *ca, *leaf, *caleaf, *evil, *evilleaf;
	uint8_t *orig, *b, *rder;
	char *proot, *pca, *pleaf, *pcaleaf, *pevil, *pevilleaf;
	size_t n, on, rlen;

	ck_assert_ptr_nonnull(rk = EVP_EC_gen("P-256"));
	ck_assert_ptr_nonnull(ck = EVP_EC_gen("P-256"));
	ck_assert_ptr_nonnull(lk = EVP_EC_gen("P-256"));
	root = make_cert(rk, rk, NULL, "tmon test root", true, 1);
	ca = make_cert(ck, rk, root, "Intel SGX PCK Platform CA", true, 2);
	leaf = make_cert(lk, ck, ca, "Intel SGX PCK Certificate", false, 3);
	caleaf = make_cert(lk, ck, ca, "Intel SGX PCK Certificate", true, 4);
	evil = make_cert(ck, rk, root, "Evil CA", true, 5);
	evilleaf = make_cert(lk, ck, evil, "Intel SGX PCK Certificate", false,
	    6);
	proot = x509_pem(root);
	pca = x509_pem(ca);
	pleaf = x509_pem(leaf);
	pcaleaf = x509_pem(caleaf);
	pevil = x509_pem(evil);
	pevilleaf = x509_pem(evilleaf);
	rder = cert_der(root, &rlen);

	orig = load(GEMMA, &on);
	b = chain_quote(orig, pleaf, pca, proot, NULL, &n);
	resign_qe_report(b, lk);

	checklist_init(&cl);
	ck_assert(check_quote(b, n, GEMMA_TIME, &q, &cl));
	assert_check(&cl, "tdx.quote.signature", CHECK_PASS, NULL);
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL,
	    "not the pinned Intel SGX Root CA");
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);
	/* No SGX extension in the fake leaf. */
	ck_assert(!q.pck_ok);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_pck_info(&q, &pi, &err), TMON_E_PARSE);

	checklist_init(&cl);
	ck_assert(check_root(b, n, GEMMA_TIME, rder, rlen, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "test root");
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_PASS);
	/* ... but not outside the test certificates' validity. */
	checklist_init(&cl);
	check_root(b, n, 1577836800 - 1, rder, rlen, &q, &cl);
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, "not yet valid");
	free(b);

	/*
	 * QE report binding with a validly signed QE report: a non-zero
	 * byte in report_data[32..64], then a changed auth data byte.
	 */
	b = chain_quote(orig, pleaf, pca, proot, NULL, &n);
	b[V4_QE_REPORT + 320 + 40] ^= 0x01;
	resign_qe_report(b, lk);
	checklist_init(&cl);
	check_root(b, n, GEMMA_TIME, rder, rlen, &q, &cl);
	assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
	    "QE report binding: report_data[32..64] not zero");
	assert_not_in_detail(&cl, "tdx.quote.signature", "does not verify");
	assert_not_in_detail(&cl, "tdx.quote.signature", "[0..32]");
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, NULL);
	free(b);
	b = chain_quote(orig, pleaf, pca, proot, NULL, &n);
	b[V4_AUTH_LEN + 2] ^= 0x80;
	resign_qe_report(b, lk);
	checklist_init(&cl);
	check_root(b, n, GEMMA_TIME, rder, rlen, &q, &cl);
	assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
	    "QE report binding: report_data[0..32] != SHA-256");
	assert_not_in_detail(&cl, "tdx.quote.signature", "does not verify");
	free(b);

	/* The leaf is a CA. */
	b = chain_quote(orig, pcaleaf, pca, proot, NULL, &n);
	resign_qe_report(b, lk);
	checklist_init(&cl);
	check_root(b, n, GEMMA_TIME, rder, rlen, &q, &cl);
	assert_check(&cl, "tdx.quote.signature", CHECK_PASS, NULL);
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL,
	    "PCK leaf is a CA certificate");
	free(b);

	/* The intermediate (which did issue the leaf) is not a PCK CA. */
	b = chain_quote(orig, pevilleaf, pevil, proot, NULL, &n);
	resign_qe_report(b, lk);
	checklist_init(&cl);
	check_root(b, n, GEMMA_TIME, rder, rlen, &q, &cl);
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL,
	    "intermediate is not an Intel SGX PCK");
	free(b);

	/*
	 * A test root that is not a certificate, shipped as the quote's root
	 * block too: the bytes match but no anchor can be made.  That is
	 * "could not check", not a pass.
	 */
	{
		static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
		BIO *bio = BIO_new(BIO_s_mem());
		char *pj, *txt;
		long pn;

		ck_assert_ptr_nonnull(bio);
		ck_assert_int_gt(PEM_write_bio(bio, "CERTIFICATE", "", junk,
		    sizeof(junk)), 0);
		pn = BIO_get_mem_data(bio, &pj);
		txt = strndup(pj, (size_t)pn);
		BIO_free(bio);
		b = chain_quote(orig, pleaf, pca, txt, NULL, &n);
		resign_qe_report(b, lk);
		checklist_init(&cl);
		check_root(b, n, GEMMA_TIME, junk, sizeof(junk), &q,
		    &cl);
		assert_check(&cl, "tdx.pck_chain", CHECK_ERROR, NULL);
		assert_check(&cl, "tdx.quote.signature", CHECK_PASS, NULL);
		free(txt);
		free(b);
	}

	/* The real Intel chain against the test root. */
	checklist_init(&cl);
	check_root(orig, on, GEMMA_TIME, rder, rlen, &q, &cl);
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL,
	    "not the pinned test root");
	assert_check(&cl, "tdx.quote.signature", CHECK_PASS, NULL);

	OPENSSL_free(rder);
	free(proot);
	free(pca);
	free(pleaf);
	free(pcaleaf);
	free(pevil);
	free(pevilleaf);
	X509_free(evilleaf);
	X509_free(root);
	X509_free(ca);
	X509_free(leaf);
	X509_free(caleaf);
	X509_free(evil);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(lk);
	free(orig);
}
END_TEST

/* A quote signature with r = 0 or s >= n is a fail, not an error. */
START_TEST(test_bad_signature_scalars)
{
	struct tdx_quote q;
	struct checklist cl;
	uint8_t *b;
	size_t n;

	b = load(GEMMA, &n);
	memset(b + 636, 0, 32);			/* r = 0 */
	checklist_init(&cl);
	check_quote(b, n, GEMMA_TIME, &q, &cl);
	assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
	    "quote signature does not verify");
	memset(b + 636, 0xff, 64);		/* r, s > n */
	checklist_init(&cl);
	check_quote(b, n, GEMMA_TIME, &q, &cl);
	assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
	    "quote signature does not verify");
	/* The attestation key as the point at infinity / all zero. */
	memset(b + V4_ATTEST_KEY, 0, 64);
	checklist_init(&cl);
	check_quote(b, n, GEMMA_TIME, &q, &cl);
	assert_check(&cl, "tdx.quote.signature", CHECK_FAIL,
	    "attestation key is not a P-256 point");
	ck_assert_uint_eq(ERR_peek_error(), 0);
	free(b);
}
END_TEST

static Suite *
tdx_suite(void)
{
	Suite *s = suite_create("tdx");
	TCase *tc;

	tc = tcase_create("pin");
	tcase_add_test(tc, test_root_pin);
	suite_add_tcase(s, tc);

	tc = tcase_create("positive");
	tcase_add_loop_test(tc, test_positive, 0, (int)N_POSITIVES);
	tcase_add_test(tc, test_gemma_gateway);
	tcase_add_test(tc, test_v5_fields);
	tcase_add_test(tc, test_pck_info);
	tcase_add_test(tc, test_time_window);
	suite_add_tcase(s, tc);

	tc = tcase_create("negative");
	tcase_add_loop_test(tc, test_tampered, 0, (int)N_TAMPERS);
	tcase_add_test(tc, test_intel_qvl_sample);
	tcase_add_loop_test(tc, test_length_fields, 0, (int)N_LENFIELDS);
	tcase_add_test(tc, test_length_offsets);
	tcase_add_loop_test(tc, test_patched_header, 0, (int)N_PATCHES);
	tcase_add_test(tc, test_sgx_v3_and_limits);
	tcase_add_test(tc, test_bad_signature_scalars);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncate");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_truncate_v4);
	tcase_add_test(tc, test_truncate_v5);
	tcase_add_test(tc, test_truncate_qvl);
	suite_add_tcase(s, tc);

	tc = tcase_create("chain");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_chain_rebuilt_identity);
	tcase_add_test(tc, test_chain_root_swapped);
	tcase_add_test(tc, test_chain_fake_pki);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tdx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
