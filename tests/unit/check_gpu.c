/*
 * Unit tests for monitor/verify/nvspdm.c and gpu_verify.c: NVIDIA GPU
 * SPDM evidence.  Expected values come from NVIDIA's own parse oracles,
 * NRAS claims, payload/manifest nonces and the provenance notes
 * (tests/data/gpu/PROVENANCE.md), never from the code under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "checklist.h"
#include "cur.h"
#include "encode.h"
#include "gpu_verify.h"
#include "nvspdm.h"
#include "util.h"
#include "xmalloc.h"

#define DATA	TMON_TEST_DATA "/gpu/"
/* 2026-06-09T08:53:20Z: after every sample was made, before 9999. */
#define NOW	((int64_t)1781000000)

/* ---- helpers -------------------------------------------------------------- */

/* One verify_ctx for the test process, as tmond keeps one. */
static struct verify_ctx *
tvc(void)
{
	static struct verify_ctx *vc;

	if (vc == NULL)
		vc = verify_ctx_new();
	return vc;
}

static uint8_t *
load(const char *name, size_t *len)
{
	char path[512];
	uint8_t *p = NULL;
	struct tmon_err err;

	snprintf(path, sizeof(path), DATA "%s", name);
	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 4u * 1024 * 1024, &p, len, &err) ==
	    TMON_OK, "%s: %s", path, err.msg);
	return p;
}

/* A hex text file (whitespace allowed) as bytes. */
static uint8_t *
load_hex(const char *name, size_t *len)
{
	size_t n;
	uint8_t *t = load(name, &n), *b;

	b = hex_decode_alloc((const char *)t, n, 1u << 20, true, len);
	ck_assert_ptr_nonnull(b);
	free(t);
	return b;
}

static json_t *
load_json(const char *name)
{
	char path[512];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), DATA "%s", name);
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	ck_assert_msg(j != NULL, "%s: %s", path, e.text);
	return j;
}

static char *
b64(const uint8_t *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/* "0x..." or plain hex of exactly n bytes from a JSON string. */
static void
json_hex(const json_t *j, uint8_t *out, size_t n)
{
	const char *s;

	ck_assert(json_is_string(j));
	s = json_string_value(j);
	ck_assert(hex_decode_exact(s, strlen(s), out, n, true));
}

/* A one-entry evidence list from report bytes and PEM chain text. */
static json_t *
make_list(const uint8_t *rep, size_t replen, const uint8_t *pem,
    size_t pemlen, const char *arch)
{
	json_t *list = json_array(), *ent = json_object();
	char *e = b64(rep, replen), *c = b64(pem, pemlen);

	json_object_set_new(ent, "certificate", json_string(c));
	json_object_set_new(ent, "evidence", json_string(e));
	if (arch != NULL)
		json_object_set_new(ent, "arch", json_string(arch));
	json_array_append_new(list, ent);
	free(e);
	free(c);
	return list;
}

static enum check_status
status(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "check %s not set", id);
	return c->status;
}

static const char *
detail(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "check %s not set", id);
	return c->detail;
}

#define ck_assert_status(cl, id, st) \
	ck_assert_msg(status(cl, id) == (st), "%s: %s (%s)", id, \
	    check_status_str(status(cl, id)), detail(cl, id))

/* Verify one report+chain from files; returns the check list. */
static void
verify_files(const char *rep_hex, const char *chain, int64_t now,
    struct checklist *cl, struct gpu_summary *sum)
{
	size_t rl, pl;
	uint8_t *rep = load_hex(rep_hex, &rl), *pem = load(chain, &pl);
	json_t *list = make_list(rep, rl, pem, pl, "HOPPER");

	checklist_init(cl);
	gpu_check_evidence_list(tvc(), list, now, cl, sum);
	json_decref(list);
	free(rep);
	free(pem);
}

static void
payload_file(const char *name, struct checklist *cl, struct gpu_summary *sum)
{
	size_t n;
	uint8_t *p = load(name, &n);

	/* without a verify_ctx: the pinned root is decoded for the call */
	checklist_init(cl);
	gpu_check_payload(NULL, (const char *)p, n, NOW, cl, sum);
	free(p);
}

/* ---- pinned root ------------------------------------------------------------ */

START_TEST(test_root_pinned)
{
	static const char fp_hex[] =
	    "102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48";
	uint8_t want[32], got[32], *pem, *der = NULL;
	size_t n;
	int dl;
	BIO *bio;
	X509 *x;

	ck_assert(hex_decode_exact(fp_hex, 64, want, 32, false));
	sha256(gpu_nvidia_root_der, gpu_nvidia_root_der_len, got);
	ck_assert_mem_eq(got, want, 32);
	pem = load("nvtrust_verifier_device_root.pem", &n);
	bio = BIO_new_mem_buf(pem, (int)n);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(x);
	dl = i2d_X509(x, &der);
	ck_assert_int_eq(dl, (int)gpu_nvidia_root_der_len);
	ck_assert_mem_eq(der, gpu_nvidia_root_der, gpu_nvidia_root_der_len);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	free(pem);
}
END_TEST

/* ---- parser against NVIDIA's oracle -------------------------------------- */

static const struct {
	const char	*name;
	uint16_t	 type;
} opaque_names[] = {
	{ "OPAQUE_FIELD_ID_DRIVER_VERSION", 3 },
	{ "OPAQUE_FIELD_ID_GPU_INFO", 4 },
	{ "OPAQUE_FIELD_ID_VBIOS_VERSION", 6 },
	{ "OPAQUE_FIELD_ID_NVDEC0_STATUS", 11 },
	{ "OPAQUE_FIELD_ID_CPRINFO", 13 },
	{ "OPAQUE_FIELD_ID_BOARD_ID", 14 },
	{ "OPAQUE_FIELD_ID_CHIP_SKU", 15 },
	{ "OPAQUE_FIELD_ID_CHIP_SKU_MOD", 16 },
	{ "OPAQUE_FIELD_ID_PROJECT", 17 },
	{ "OPAQUE_FIELD_ID_PROJECT_SKU", 18 },
	{ "OPAQUE_FIELD_ID_PROJECT_SKU_MOD", 19 },
	{ "OPAQUE_FIELD_ID_FWID", 20 },
	{ "OPAQUE_FIELD_ID_PROTECTED_PCIE_STATUS", 21 },
};

START_TEST(test_parse_oracle_580)
{
	struct nvspdm_evidence *ev = xcalloc(1, sizeof(*ev));
	struct tmon_err err;
	json_t *req, *resp, *blocks, *opq, *b, *v;
	uint8_t *rep, buf[512], *fw;
	size_t rl, i, n, k;
	struct cur f;
	char key[8], drv[64];
	const char *hx;

	rep = load_hex("sdk_hopper_580.159.03_AttestationReport.hex.txt", &rl);
	req = load_json("sdk_hopper_580.159.03_spdm_request_parsed.json");
	resp = load_json("sdk_hopper_580.159.03_spdm_response_parsed.json");
	tmon_err_clear(&err);
	ck_assert_msg(nvspdm_parse(rep, rl, ev, &err) == TMON_OK, "%s",
	    err.msg);

	/* request */
	json_hex(json_object_get(req, "Nonce"), buf, 32);
	ck_assert_mem_eq(ev->request_nonce, buf, 32);
	json_hex(json_object_get(req, "Param1"), buf, 1);
	ck_assert_uint_eq(ev->request_param1, buf[0]);
	json_hex(json_object_get(req, "Param2"), buf, 1);
	ck_assert_uint_eq(ev->request_param2, buf[0]);
	json_hex(json_object_get(req, "SlotIDParam"), buf, 1);
	ck_assert_uint_eq(ev->slot_id, buf[0]);

	/* response header */
	json_hex(json_object_get(resp, "Param1"), buf, 1);
	ck_assert_uint_eq(ev->response_param1, buf[0]);
	json_hex(json_object_get(resp, "Param2"), buf, 1);
	ck_assert_uint_eq(ev->response_param2, buf[0]);
	ck_assert_int_eq(ev->n_blocks,
	    json_integer_value(json_object_get(resp, "NumberOfBlocks")));
	ck_assert_int_eq(ev->record_len, json_integer_value(
	    json_object_get(resp, "MeasurementRecordLength")));
	ck_assert_int_eq(ev->opaque_len,
	    json_integer_value(json_object_get(resp, "OpaqueLength")));
	json_hex(json_object_get(resp, "Nonce"), buf, 32);
	ck_assert_mem_eq(ev->responder_nonce, buf, 32);
	json_hex(json_object_get(resp, "Signature"), buf, 96);
	ck_assert_mem_eq(ev->signature, buf, 96);
	ck_assert_uint_eq(cur_len(&ev->signed_region), rl - 96);
	ck_assert_ptr_eq(cur_data(&ev->signed_region), rep);

	/* every measurement block */
	blocks = json_object_get(json_object_get(resp, "MeasurementRecord"),
	    "MeasurementBlocks");
	ck_assert_uint_eq(json_object_size(blocks), ev->n_blocks);
	for (i = 0; i < ev->n_blocks; i++) {
		snprintf(key, sizeof(key), "%u", ev->blocks[i].index);
		b = json_object_get(blocks, key);
		ck_assert_msg(b != NULL, "block %s not in oracle", key);
		ck_assert_int_eq(ev->blocks[i].value_type, json_integer_value(
		    json_object_get(b, "DMTFSpecMeasurementValueType")));
		ck_assert_int_eq(ev->blocks[i].value_size, json_integer_value(
		    json_object_get(b, "DMTFSpecMeasurementValueSize")));
		json_hex(json_object_get(b, "DMTFSpecMeasurementValue"), buf,
		    ev->blocks[i].value_size);
		ck_assert(cur_mem_equal_ct(&ev->blocks[i].value, buf,
		    ev->blocks[i].value_size));
		ck_assert_uint_eq(ev->blocks[i].index, i + 1);
	}

	/* opaque fields */
	opq = json_object_get(json_object_get(resp, "OpaqueData"),
	    "OpaqueDataField");
	for (i = 0; i < sizeof(opaque_names) / sizeof(opaque_names[0]); i++) {
		v = json_object_get(opq, opaque_names[i].name);
		ck_assert_msg(json_is_string(v), "%s", opaque_names[i].name);
		hx = json_string_value(v);
		n = (strlen(hx) - 2) / 2;
		json_hex(v, buf, n);
		ck_assert_msg(nvspdm_opaque_find(ev, opaque_names[i].type, &f),
		    "%s", opaque_names[i].name);
		ck_assert_msg(cur_len(&f) == n && cur_mem_equal_ct(&f, buf, n),
		    "%s differs", opaque_names[i].name);
	}
	/* MSRSCNT: the oracle lists 64 u32 counters */
	v = json_object_get(opq, "OPAQUE_FIELD_ID_MSRSCNT");
	ck_assert(nvspdm_opaque_find(ev, 12, &f));
	ck_assert_uint_eq(cur_len(&f), 4 * json_array_size(v));
	for (i = 0; i < json_array_size(v); i++) {
		uint32_t c;

		ck_assert(cur_get_u32le(&f, &c));
		ck_assert_int_eq(c, json_integer_value(json_array_get(v, i)));
	}

	/* interpreted: driver = oracle text without NULs */
	json_hex(json_object_get(opq, "OPAQUE_FIELD_ID_DRIVER_VERSION"), buf,
	    11);
	for (k = 0; k < 11 && buf[k] != 0; k++)
		drv[k] = (char)buf[k];
	drv[k] = '\0';
	ck_assert_str_eq(ev->driver_version, drv);
	ck_assert_str_eq(ev->driver_version, "580.159.03");
	/*
	 * VBIOS oracle bytes 00 74 00 96 20 00 00 00; NVIDIA prints
	 * b3.b2.b1.b0.b4 (nvtrust utils format_vbios_version).
	 */
	ck_assert_str_eq(ev->vbios_version, "96.00.74.00.20");
	ck_assert(ev->has_fwid);
	ck_assert(nvspdm_opaque_find(ev, 20, &f));
	fw = xmalloc(48);
	json_hex(json_object_get(opq, "OPAQUE_FIELD_ID_FWID"), fw, 48);
	ck_assert_mem_eq(ev->fwid, fw, 48);
	free(fw);
	ck_assert(!nvspdm_opaque_find(ev, 999, &f));

	json_decref(req);
	json_decref(resp);
	free(rep);
	free(ev);
}
END_TEST

/* ---- positive samples --------------------------------------------------------- */

START_TEST(test_nvtrust_hopper)
{
	struct checklist cl;
	struct gpu_summary sum;
	json_t *claims = load_json("sdk_hopperClaimsv3_decoded.json"), *g;
	uint8_t nonce[32];

	verify_files("nvtrust_hopperAttestationReport.txt",
	    "nvtrust_hopperCertChain.txt", NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert_ptr_null(checklist_get(&cl, "gpu.nonce"));
	ck_assert_uint_eq(sum.n_gpus, 1);
	/* NRAS's claims for this very report */
	g = json_object_get(claims, "GPU-0");
	json_hex(json_object_get(g, "eat_nonce"), nonce, 32);
	ck_assert(sum.gpu[0].parsed);
	ck_assert(sum.gpu[0].signature_ok && sum.gpu[0].chain_ok);
	ck_assert_mem_eq(sum.gpu[0].request_nonce, nonce, 32);
	ck_assert_str_eq(sum.gpu[0].driver_version, json_string_value(
	    json_object_get(g, "x-nvidia-gpu-driver-version")));
	ck_assert_str_eq(sum.gpu[0].vbios_version, json_string_value(
	    json_object_get(g, "x-nvidia-gpu-vbios-version")));
	ck_assert_str_eq(sum.gpu[0].arch, "HOPPER");
	json_decref(claims);
}
END_TEST

START_TEST(test_sdk_hopper_580)
{
	struct checklist cl;
	struct gpu_summary sum;
	json_t *req = load_json("sdk_hopper_580.159.03_spdm_request_parsed.json");
	uint8_t nonce[32];

	verify_files("sdk_hopper_580.159.03_AttestationReport.hex.txt",
	    "sdk_hopper_580.159.03_CertChain.pem.txt", NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	json_hex(json_object_get(req, "Nonce"), nonce, 32);
	ck_assert_mem_eq(sum.gpu[0].request_nonce, nonce, 32);
	ck_assert_str_eq(sum.gpu[0].driver_version, "580.159.03");
	json_decref(req);
}
END_TEST

START_TEST(test_sdk_blackwell)
{
	struct checklist cl;
	struct gpu_summary sum;

	verify_files("sdk_blackwell_GB100_AttestationReport.hex.txt",
	    "sdk_blackwell_GB100_CertChain.pem.txt", NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	/* tests/data/gpu/PROVENANCE.md: GB100, driver 575.32 */
	ck_assert_str_eq(sum.gpu[0].arch, "BLACKWELL");
	ck_assert_str_eq(sum.gpu[0].driver_version, "575.32");
}
END_TEST

static void
check_list_file(const char *name, size_t want_gpus)
{
	struct checklist cl;
	struct gpu_summary sum;
	json_t *list = load_json(name);
	uint8_t nonce[32];
	size_t i;

	checklist_init(&cl);
	gpu_check_evidence_list(tvc(), list, NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert_uint_eq(sum.n_gpus, want_gpus);
	ck_assert(!sum.payload_has_nonce);
	for (i = 0; i < want_gpus; i++) {
		/* NVIDIA's serialized form carries the nonce per entry */
		json_hex(json_object_get(json_array_get(list, i), "nonce"),
		    nonce, 32);
		ck_assert_mem_eq(sum.gpu[i].request_nonce, nonce, 32);
		ck_assert_str_eq(sum.gpu[i].driver_version, "590.12");
		ck_assert_str_eq(sum.gpu[i].arch, "HOPPER");
	}
	json_decref(list);
}

START_TEST(test_sdk_590_lists)
{
	check_list_file("sdk_hopper_590.12_evidence_list.json", 1);
	check_list_file("sdk_hopper_590.12_multi_gpu_evidence_list.json", 4);
}
END_TEST

/* The payload's own nonce field, decoded by the test. */
static void
payload_nonce(const char *name, uint8_t out[32])
{
	json_t *j = load_json(name);

	json_hex(json_object_get(j, "nonce"), out, 32);
	json_decref(j);
}

START_TEST(test_payload_8xh100)
{
	struct checklist cl;
	struct gpu_summary sum;
	uint8_t nonce[32];
	size_t i;

	payload_file("teep_nvidia_payload_8xH100_ppcie.json", &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert_str_eq(detail(&cl, "gpu.evidence"),
	    "8 GPUs: SPDM 1.1 parsed, P-384 signatures verify");
	ck_assert_uint_eq(sum.n_gpus, 8);
	payload_nonce("teep_nvidia_payload_8xH100_ppcie.json", nonce);
	ck_assert(sum.payload_has_nonce);
	ck_assert_mem_eq(sum.payload_nonce, nonce, 32);
	for (i = 0; i < 8; i++) {
		ck_assert_mem_eq(sum.gpu[i].request_nonce, nonce, 32);
		ck_assert_str_eq(sum.gpu[i].driver_version, "570.172.08");
	}
}
END_TEST

/* Decode a JWT's payload (base64url) as JSON. */
static json_t *
jwt_claims(const char *jwt)
{
	const char *a = strchr(jwt, '.'), *b;
	char *t;
	uint8_t *raw;
	size_t n, i, rl;
	json_error_t e;
	json_t *j;

	ck_assert_ptr_nonnull(a);
	b = strchr(a + 1, '.');
	ck_assert_ptr_nonnull(b);
	n = (size_t)(b - a - 1);
	t = xcalloc(n + 4, 1);
	for (i = 0; i < n; i++)
		t[i] = a[1 + i] == '-' ? '+' : a[1 + i] == '_' ? '/' : a[1 + i];
	while (n % 4 != 0)
		t[n++] = '=';
	raw = b64_decode_alloc(t, n, 1u << 20, &rl);
	ck_assert_ptr_nonnull(raw);
	j = json_loadb((const char *)raw, rl, 0, &e);
	ck_assert_ptr_nonnull(j);
	free(raw);
	free(t);
	return j;
}

START_TEST(test_payload_nanogpt_gemma)
{
	struct checklist cl;
	struct gpu_summary sum;
	json_t *man = load_json("nanogpt_gemma_2026-06-10_manifest.json");
	json_t *nras = load_json("nanogpt_gemma_2026-06-10_nras_response.json");
	json_t *claims;
	uint8_t nonce[32];

	payload_file("nanogpt_gemma_2026-06-10_nvidia_payload.json", &cl,
	    &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert_uint_eq(sum.n_gpus, 1);
	/* the client nonce of the capture went through end to end */
	json_hex(json_object_get(man, "nonce_hex"), nonce, 32);
	ck_assert(sum.payload_has_nonce);
	ck_assert_mem_eq(sum.payload_nonce, nonce, 32);
	ck_assert_mem_eq(sum.gpu[0].request_nonce, nonce, 32);
	/* NRAS's verdict on the same payload */
	claims = jwt_claims(json_string_value(json_object_get(
	    json_array_get(nras, 1), "GPU-0")));
	ck_assert_str_eq(sum.gpu[0].driver_version, json_string_value(
	    json_object_get(claims, "x-nvidia-gpu-driver-version")));
	ck_assert_str_eq(sum.gpu[0].vbios_version, json_string_value(
	    json_object_get(claims, "x-nvidia-gpu-vbios-version")));
	json_hex(json_object_get(claims, "eat_nonce"), nonce, 32);
	ck_assert_mem_eq(sum.gpu[0].request_nonce, nonce, 32);
	json_decref(claims);
	json_decref(man);
	json_decref(nras);
}
END_TEST

START_TEST(test_payload_nearcloud)
{
	struct checklist cl;
	struct gpu_summary sum;
	uint8_t nonce[32], *t;
	size_t n, i;

	payload_file("nearcloud_gpt-oss-120b_nvidia_payload.json", &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert_uint_eq(sum.n_gpus, 8);
	t = load("nearcloud_gpt-oss-120b_request_nonce.txt", &n);
	ck_assert(hex_decode_exact((const char *)t, 64, nonce, 32, false));
	free(t);
	ck_assert_mem_eq(sum.payload_nonce, nonce, 32);
	for (i = 0; i < 8; i++)
		ck_assert_mem_eq(sum.gpu[i].request_nonce, nonce, 32);
}
END_TEST

START_TEST(test_chutes_gpu_evidence)
{
	struct checklist cl;
	struct gpu_summary sum;
	json_t *j = load_json("redpill_chutes_deepseek-v3.2_gpu_evidence.json");
	const char *nonce, *pub;
	char *cat;
	uint8_t want[32];
	size_t i;

	checklist_init(&cl);
	gpu_check_evidence_list(tvc(), json_object_get(j, "gpu_evidence"),
	    NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert_uint_eq(sum.n_gpus, 8);
	/* Chutes: SPDM nonce = SHA-256(ASCII(nonce_hex || e2e_pubkey_b64)) */
	nonce = json_string_value(json_object_get(j, "nonce"));
	pub = json_string_value(json_object_get(j, "e2e_pubkey"));
	i = strlen(nonce) + strlen(pub) + 1;
	cat = xmalloc(i);
	snprintf(cat, i, "%s%s", nonce, pub);
	sha256(cat, strlen(cat), want);
	for (i = 0; i < 8; i++)
		ck_assert_mem_eq(sum.gpu[i].request_nonce, want, 32);
	free(cat);
	json_decref(j);
}
END_TEST

START_TEST(test_legacy_hex_evidence)
{
	struct checklist cl;
	struct gpu_summary sum;
	size_t tl, pl;
	uint8_t *txt = load("sdk_hopper_580.159.03_AttestationReport.hex.txt",
	    &tl), *pem = load("sdk_hopper_580.159.03_CertChain.pem.txt", &pl);
	json_t *list;

	while (tl > 0 && (txt[tl - 1] == '\n' || txt[tl - 1] == '\r'))
		tl--;
	/* base64 of the ASCII hex of the report, as the 2025 proxy sent */
	list = make_list(txt, tl, pem, pl, NULL);
	checklist_init(&cl);
	gpu_check_evidence_list(tvc(), list, NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert_str_eq(sum.gpu[0].driver_version, "580.159.03");
	json_decref(list);
	free(txt);
	free(pem);
}
END_TEST

/* ---- negatives ------------------------------------------------------------------ */

START_TEST(test_negative_invalid_signature)
{
	struct checklist cl;
	struct gpu_summary sum;

	verify_files("sdk_NEGATIVE_hopper_InvalidSignature_AttestationReport."
	    "hex.txt", "sdk_NEGATIVE_hopper_InvalidSignature_CertChain.pem.txt",
	    NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.evidence"),
	    "GPU 0: SPDM signature does not verify"));
	ck_assert(sum.gpu[0].parsed);
	ck_assert(!sum.gpu[0].signature_ok);
	/*
	 * NVIDIA's negative report comes from another GPU than the chain it
	 * ships with (driver 560.00, another FWID), which is why its
	 * signature fails.  The chain itself verifies to the pinned root:
	 * the only cert_chain finding is the FWID binding.
	 */
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_str_eq(detail(&cl, "gpu.cert_chain"), "GPU 0: leaf "
	    "certificate FWID does not match the report's FWID (opaque type "
	    "20)");
}
END_TEST

/* Verify a modified 580 report with its real chain. */
static void
verify_bytes(const uint8_t *rep, size_t rl, const char *chain, int64_t now,
    struct checklist *cl, struct gpu_summary *sum)
{
	size_t pl;
	uint8_t *pem = load(chain, &pl);
	json_t *list = make_list(rep, rl, pem, pl, "HOPPER");

	checklist_init(cl);
	gpu_check_evidence_list(tvc(), list, now, cl, sum);
	json_decref(list);
	free(pem);
}

START_TEST(test_tamper_measurement)
{
	struct checklist cl;
	struct gpu_summary sum;
	size_t rl;
	uint8_t *rep = load_hex("sdk_hopper_580.159.03_AttestationReport.hex.txt",
	    &rl);

	/* a digest byte of block 2: 37 + 8 + 55 + 7 + 3 */
	rep[37 + 8 + 55 + 7 + 3] ^= 0x01;
	verify_bytes(rep, rl, "sdk_hopper_580.159.03_CertChain.pem.txt", NOW,
	    &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.evidence"),
	    "signature"));
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert(sum.gpu[0].parsed);

	/* the request nonce is signed too */
	rep[37 + 8 + 55 + 7 + 3] ^= 0x01;
	rep[10] ^= 0x80;
	verify_bytes(rep, rl, "sdk_hopper_580.159.03_CertChain.pem.txt", NOW,
	    &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_FAIL);

	/* r = s = 0 is a bad signature, not a library error */
	rep[10] ^= 0x80;
	memset(rep + rl - 96, 0, 96);
	verify_bytes(rep, rl, "sdk_hopper_580.159.03_CertChain.pem.txt", NOW,
	    &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_FAIL);
	free(rep);
}
END_TEST

START_TEST(test_tamper_fwid)
{
	struct checklist cl;
	struct gpu_summary sum;
	json_t *resp = load_json("sdk_hopper_580.159.03_spdm_response_parsed."
	    "json");
	uint8_t fw[48], *rep, *at;
	size_t rl;

	json_hex(json_object_get(json_object_get(json_object_get(resp,
	    "OpaqueData"), "OpaqueDataField"), "OPAQUE_FIELD_ID_FWID"), fw, 48);
	rep = load_hex("sdk_hopper_580.159.03_AttestationReport.hex.txt", &rl);
	at = memmem(rep, rl, fw, 48);
	ck_assert_ptr_nonnull(at);
	at[17] ^= 0x40;
	verify_bytes(rep, rl, "sdk_hopper_580.159.03_CertChain.pem.txt", NOW,
	    &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"), "FWID"));
	ck_assert_status(&cl, "gpu.evidence", CHECK_FAIL);	/* signed */
	json_decref(resp);
	free(rep);
}
END_TEST

/* Split a PEM chain file into its certificates (caller frees). */
static STACK_OF(X509) *
read_certs(const char *name)
{
	size_t n;
	uint8_t *p = load(name, &n);
	BIO *bio = BIO_new_mem_buf(p, (int)n);
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *x;

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		sk_X509_push(sk, x);
	ERR_clear_error();
	BIO_free(bio);
	free(p);
	return sk;
}

/* PEM text of a list of certificates. */
static char *
certs_pem(X509 **v, size_t n, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out;
	long l;
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert(PEM_write_bio_X509(bio, v[i]) == 1);
	l = BIO_get_mem_data(bio, &data);
	out = xmemdup(data, (size_t)l);
	*len = (size_t)l;
	BIO_free(bio);
	return out;
}

static void
verify_certs(const uint8_t *rep, size_t rl, X509 **v, size_t n,
    struct checklist *cl, struct gpu_summary *sum)
{
	size_t pl;
	char *pem = certs_pem(v, n, &pl);
	json_t *list = make_list(rep, rl, (const uint8_t *)pem, pl, "HOPPER");

	checklist_init(cl);
	gpu_check_evidence_list(tvc(), list, NOW, cl, sum);
	json_decref(list);
	free(pem);
}

START_TEST(test_chain_count)
{
	struct checklist cl;
	struct gpu_summary sum;
	STACK_OF(X509) *sk = read_certs("sdk_hopper_580.159.03_CertChain.pem.txt");
	X509 *v[6];
	size_t rl;
	uint8_t *rep = load_hex("sdk_hopper_580.159.03_AttestationReport.hex.txt",
	    &rl);

	ck_assert_int_eq(sk_X509_num(sk), 5);
	/* 4 certificates: the BROM certificate left out */
	v[0] = sk_X509_value(sk, 0);
	v[1] = sk_X509_value(sk, 2);
	v[2] = sk_X509_value(sk, 3);
	v[3] = sk_X509_value(sk, 4);
	verify_certs(rep, rl, v, 4, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"),
	    "4 certificates"));
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);	/* leaf ok */

	/* 6: root twice */
	v[0] = sk_X509_value(sk, 0);
	v[1] = sk_X509_value(sk, 1);
	v[2] = sk_X509_value(sk, 2);
	v[3] = sk_X509_value(sk, 3);
	v[4] = sk_X509_value(sk, 4);
	v[5] = sk_X509_value(sk, 4);
	verify_certs(rep, rl, v, 6, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);

	/* 5 but out of order: the path is checked as served */
	v[1] = sk_X509_value(sk, 2);
	v[2] = sk_X509_value(sk, 1);
	verify_certs(rep, rl, v, 5, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);

	/* another GPU's chain: FWID and signature both disagree */
	sk_X509_pop_free(sk, X509_free);
	sk = read_certs("nvtrust_hopperCertChain.txt");
	for (rl = 0; rl < 5; rl++)
		v[rl] = sk_X509_value(sk, (int)rl);
	free(rep);
	rep = load_hex("sdk_hopper_580.159.03_AttestationReport.hex.txt", &rl);
	verify_certs(rep, rl, v, 5, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_FAIL);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"), "FWID"));

	sk_X509_pop_free(sk, X509_free);
	free(rep);
}
END_TEST

/*
 * The one PEM policy: a real chain with text after it, or between two
 * of its blocks, is refused (the report itself still verifies).
 */
START_TEST(test_chain_text_outside)
{
	static const char *const extra[] = { "trailing text\n",
	    "# comment\n" };
	struct checklist cl;
	struct gpu_summary sum;
	size_t rl, pl, i, k;
	uint8_t *rep, *pem;
	char *txt, *mid;
	json_t *list;

	rep = load_hex("sdk_hopper_580.159.03_AttestationReport.hex.txt", &rl);
	pem = load("sdk_hopper_580.159.03_CertChain.pem.txt", &pl);
	for (i = 0; i < 2; i++) {
		txt = calloc(1, pl + strlen(extra[i]) + 1);
		ck_assert_ptr_nonnull(txt);
		if (i == 0) {
			memcpy(txt, pem, pl);
			memcpy(txt + pl, extra[i], strlen(extra[i]));
		} else {
			/* after the first END line */
			mid = strstr((char *)pem, "-----END CERTIFICATE-----\n");
			ck_assert_ptr_nonnull(mid);
			k = (size_t)(mid - (char *)pem) + 26;
			memcpy(txt, pem, k);
			memcpy(txt + k, extra[i], strlen(extra[i]));
			memcpy(txt + k + strlen(extra[i]), pem + k, pl - k);
		}
		list = make_list(rep, rl, (const uint8_t *)txt, strlen(txt),
		    "HOPPER");
		checklist_init(&cl);
		gpu_check_evidence_list(tvc(), list, NOW, &cl, &sum);
		ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
		ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"),
		    "GPU 0: certificate chain: text outside PEM blocks"));
		json_decref(list);
		free(txt);
	}
	/* the file as it is passes */
	list = make_list(rep, rl, pem, pl, "HOPPER");
	checklist_init(&cl);
	gpu_check_evidence_list(tvc(), list, NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	json_decref(list);
	free(pem);
	free(rep);
}
END_TEST

START_TEST(test_chain_time)
{
	struct checklist cl;
	struct gpu_summary sum;

	/* 2020-09-13: before the leaf's notBefore (2020-10-17) */
	verify_files("nvtrust_hopperAttestationReport.txt",
	    "nvtrust_hopperCertChain.txt", 1600000000, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"),
	    "not yet valid"));
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
}
END_TEST

/* A certificate for the fake hierarchy. */
static X509 *
make_cert(const char *cn, const char *o, EVP_PKEY *key, X509 *issuer,
    EVP_PKEY *ikey, bool ca, const uint8_t *fwid)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	ASN1_OBJECT *obj;
	ASN1_OCTET_STRING *os;
	uint8_t der[100];
	size_t n = 0;

	ck_assert(X509_set_version(x, 2));
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC,
	    (const unsigned char *)o, -1, -1, 0);
	X509_set_subject_name(x, nm);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : nm);
	/* fixed validity 2023-11-14 .. 2030-03-17, around NOW */
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x),
	    1700000000));
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x),
	    1900000000));
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if (ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
		    "critical,CA:TRUE");
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
	} else
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
		    "critical,digitalSignature");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (fwid != NULL) {
		/* CompositeDeviceID { 1, SEQUENCE {}, FWID { sha384, fwid } } */
		static const uint8_t head[] = { 0x30, 0x45, 0x02, 0x01, 0x01,
		    0x30, 0x00, 0x30, 0x3d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		    0x65, 0x03, 0x04, 0x02, 0x02, 0x04, 0x30 };
		memcpy(der, head, sizeof(head));
		n = sizeof(head);
		memcpy(der + n, fwid, 48);
		n += 48;
		obj = OBJ_txt2obj("2.23.133.5.4.1", 1);
		os = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(os, der, (int)n);
		ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
		ASN1_OCTET_STRING_free(os);
		ASN1_OBJECT_free(obj);
	}
	ck_assert(X509_sign(x, issuer != NULL ? ikey : key, EVP_sha384()) > 0);
	X509_NAME_free(nm);
	return x;
}

/* Re-sign a report with key (P-384 r||s over all but the last 96 bytes). */
static void
resign(uint8_t *rep, size_t rl, EVP_PKEY *key)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[128];
	const unsigned char *p = der;
	size_t dl = sizeof(der);
	ECDSA_SIG *sig;
	const BIGNUM *r, *s;

	ck_assert(EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, key) == 1);
	ck_assert(EVP_DigestSign(md, der, &dl, rep, rl - 96) == 1);
	sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
	ck_assert_ptr_nonnull(sig);
	ECDSA_SIG_get0(sig, &r, &s);
	ck_assert(BN_bn2binpad(r, rep + rl - 96, 48) == 48);
	ck_assert(BN_bn2binpad(s, rep + rl - 48, 48) == 48);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
}

START_TEST(test_fake_root)
{
	struct checklist cl;
	struct gpu_summary sum;
	STACK_OF(X509) *sk = read_certs("sdk_hopper_580.159.03_CertChain.pem.txt");
	json_t *resp = load_json("sdk_hopper_580.159.03_spdm_response_parsed."
	    "json");
	EVP_PKEY *kr = EVP_EC_gen("P-384"), *ki = EVP_EC_gen("P-384");
	EVP_PKEY *kl = EVP_EC_gen("P-384");
	X509 *v[5], *fake_root, *c2, *c3, *c4, *leaf;
	uint8_t fw[48], *rep;
	size_t rl, i;

	ck_assert(kr != NULL && ki != NULL && kl != NULL);
	rep = load_hex("sdk_hopper_580.159.03_AttestationReport.hex.txt", &rl);

	/* 1. the real chain with its root swapped for a look-alike */
	fake_root = make_cert("NVIDIA Device Identity CA", "NVIDIA", kr, NULL,
	    NULL, true, NULL);
	for (i = 0; i < 4; i++)
		v[i] = sk_X509_value(sk, (int)i);
	v[4] = fake_root;
	verify_certs(rep, rl, v, 5, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"),
	    "pinned"));
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);

	/*
	 * 2. a wholly self-made hierarchy whose leaf carries the report's
	 * FWID and signs the report: the signature verifies, the chain
	 * must not.
	 */
	json_hex(json_object_get(json_object_get(json_object_get(resp,
	    "OpaqueData"), "OpaqueDataField"), "OPAQUE_FIELD_ID_FWID"), fw, 48);
	c4 = make_cert("NVIDIA GH100 Identity", "NVIDIA Corporation", ki,
	    fake_root, kr, true, NULL);
	c3 = make_cert("NVIDIA GH100 Provisioner ICA 1", "NVIDIA Corporation",
	    ki, c4, ki, true, NULL);
	c2 = make_cert("GH100 A01 GSP BROM", "NVIDIA Corporation", ki, c3, ki,
	    true, NULL);
	leaf = make_cert("GH100 A01 GSP FMC LF", "NVIDIA Corporation", kl, c2,
	    ki, false, fw);
	resign(rep, rl, kl);
	v[0] = leaf;
	v[1] = c2;
	v[2] = c3;
	v[3] = c4;
	v[4] = fake_root;
	verify_certs(rep, rl, v, 5, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);

	/* 3. the same with the real root appended instead */
	v[4] = sk_X509_value(sk, 4);
	verify_certs(rep, rl, v, 5, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"),
	    "does not verify"));

	X509_free(leaf);
	X509_free(c2);
	X509_free(c3);
	X509_free(c4);
	X509_free(fake_root);
	EVP_PKEY_free(kr);
	EVP_PKEY_free(ki);
	EVP_PKEY_free(kl);
	sk_X509_pop_free(sk, X509_free);
	json_decref(resp);
	free(rep);
}
END_TEST

/*
 * gpu_check_*_root: a caller-supplied (test) root replaces the pinned one
 * only for the last-certificate rule and the trust store; the positive
 * case with a whole test hierarchy is in check_sim.c (tmon-sim's PKI).
 */
START_TEST(test_caller_root)
{
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	struct checklist cl;
	struct gpu_summary sum;
	STACK_OF(X509) *sk = read_certs("sdk_hopper_580.159.03_CertChain.pem.txt");
	EVP_PKEY *kr = EVP_EC_gen("P-384");
	X509 *fake_root, *v[5];
	unsigned char *der = NULL;
	uint8_t *rep, *pay;
	char *pem;
	json_t *list;
	size_t rl, pl, i;
	int dl;

	ck_assert_ptr_nonnull(kr);
	rep = load_hex("sdk_hopper_580.159.03_AttestationReport.hex.txt", &rl);
	for (i = 0; i < 5; i++)
		v[i] = sk_X509_value(sk, (int)i);
	pem = certs_pem(v, 5, &pl);
	list = make_list(rep, rl, (const uint8_t *)pem, pl, "HOPPER");

	/* 1. the pinned root's own bytes: exactly the pinned behaviour */
	checklist_init(&cl);
	gpu_check_evidence_list_root(tvc(), list, NOW, gpu_nvidia_root_der,
	    gpu_nvidia_root_der_len, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"),
	    "NVIDIA Device Identity CA"));

	/* 2. a test root: NVIDIA's real chain does not end in it */
	fake_root = make_cert("tmon TEST NVIDIA Device Identity CA",
	    "tmon TEST PKI", kr, NULL, NULL, true, NULL);
	dl = i2d_X509(fake_root, &der);
	ck_assert_int_gt(dl, 0);
	checklist_init(&cl);
	gpu_check_evidence_list_root(tvc(), list, NOW, der, (size_t)dl, &cl,
	    &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"),
	    "not the pinned test root"));

	/* 3. the real chain with its root replaced by the test root */
	v[4] = fake_root;
	free(pem);
	json_decref(list);
	pem = certs_pem(v, 5, &pl);
	list = make_list(rep, rl, (const uint8_t *)pem, pl, "HOPPER");
	checklist_init(&cl);
	gpu_check_evidence_list_root(tvc(), list, NOW, der, (size_t)dl, &cl,
	    &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"),
	    "does not verify"));
	/* ... and the pinned root refuses it as before */
	checklist_init(&cl);
	gpu_check_evidence_list(tvc(), list, NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);

	/* 4. a root that is not one DER certificate, or none: ERROR */
	checklist_init(&cl);
	gpu_check_evidence_list_root(tvc(), list, NOW, junk, sizeof(junk), &cl,
	    &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "gpu.cert_chain"),
	    "test root"));
	checklist_init(&cl);
	gpu_check_evidence_list_root(tvc(), list, NOW, NULL, 0, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_ERROR);
	/* a DER certificate followed by a stray byte is not one */
	checklist_init(&cl);
	{
		uint8_t *d2 = xmalloc((size_t)dl + 1);

		memcpy(d2, der, (size_t)dl);
		d2[dl] = 0;
		gpu_check_evidence_list_root(tvc(), list, NOW, d2,
		    (size_t)dl + 1, &cl, &sum);
		free(d2);
	}
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_ERROR);

	/* 5. the payload variant with the pinned bytes: a real payload */
	pay = load("nanogpt_gemma_2026-06-10_nvidia_payload.json", &pl);
	checklist_init(&cl);
	gpu_check_payload_root(tvc(), (const char *)pay, pl, NOW,
	    gpu_nvidia_root_der, gpu_nvidia_root_der_len, &cl, &sum);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	ck_assert_uint_eq(sum.n_gpus, 1);
	checklist_init(&cl);
	gpu_check_payload_root(tvc(), (const char *)pay, pl, NOW, der,
	    (size_t)dl, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_PASS);
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
	ck_assert(sum.payload_has_nonce);

	free(pay);
	OPENSSL_free(der);
	X509_free(fake_root);
	EVP_PKEY_free(kr);
	free(pem);
	json_decref(list);
	free(rep);
	sk_X509_pop_free(sk, X509_free);
}
END_TEST

/* ---- DICE FWID extension ------------------------------------------------------ */

/* The DICE extension value of the leaf of a chain file. */
static uint8_t *
leaf_dice_ext(const char *chain, const char *oid, size_t *len)
{
	STACK_OF(X509) *sk = read_certs(chain);
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	X509 *leaf = sk_X509_value(sk, 0);
	int i = X509_get_ext_by_OBJ(leaf, o, -1);
	const ASN1_OCTET_STRING *v;
	uint8_t *out;

	ck_assert_int_ge(i, 0);
	v = X509_EXTENSION_get_data(X509_get_ext(leaf, i));
	*len = (size_t)ASN1_STRING_length(v);
	out = xmemdup(ASN1_STRING_get0_data(v), *len);
	ASN1_OBJECT_free(o);
	sk_X509_pop_free(sk, X509_free);
	return out;
}

START_TEST(test_dice_fwid)
{
	json_t *resp = load_json("sdk_hopper_580.159.03_spdm_response_parsed."
	    "json");
	/* first FWID of the GB100 leaf's TcbInfo, per openssl asn1parse */
	static const char bw_hex[] = "d090cab1b6e6ffddca83d1781e25b3f040fa1f3c"
	    "7608230cb5f41b1c1b99f5f748349e59d0ef8eb830c9bc79ccf77502";
	uint8_t want[48], got[48], *ext;
	size_t n, i;
	struct tmon_err err;

	/* Hopper: CompositeDeviceID under 2.23.133.5.4.1 */
	json_hex(json_object_get(json_object_get(json_object_get(resp,
	    "OpaqueData"), "OpaqueDataField"), "OPAQUE_FIELD_ID_FWID"), want,
	    48);
	ext = leaf_dice_ext("sdk_hopper_580.159.03_CertChain.pem.txt",
	    "2.23.133.5.4.1", &n);
	tmon_err_clear(&err);
	ck_assert_msg(gpu_dice_fwid_parse(ext, n, got, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_mem_eq(got, want, 48);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(gpu_dice_fwid_parse(ext, i, got, NULL),
		    TMON_E_PARSE);
	ext[n - 51] ^= 0x01;	/* hashAlg sha384 (..2.2) -> sha512 (..2.3) */
	ck_assert_int_eq(gpu_dice_fwid_parse(ext, n, got, NULL), TMON_E_PARSE);
	free(ext);

	/* Blackwell: DiceTcbInfo under 2.23.133.5.4.1.1 */
	ck_assert(hex_decode_exact(bw_hex, 96, want, 48, false));
	ext = leaf_dice_ext("sdk_blackwell_GB100_CertChain.pem.txt",
	    "2.23.133.5.4.1.1", &n);
	tmon_err_clear(&err);
	ck_assert_msg(gpu_dice_fwid_parse(ext, n, got, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_mem_eq(got, want, 48);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(gpu_dice_fwid_parse(ext, i, got, NULL),
		    TMON_E_PARSE);
	free(ext);
	json_decref(resp);
}
END_TEST

/* ---- hostile SPDM bytes ---------------------------------------------------------- */

START_TEST(test_truncation_every_offset)
{
	struct nvspdm_evidence *ev = xcalloc(1, sizeof(*ev));
	struct tmon_err err;
	const char *files[] = {
	    "sdk_hopper_580.159.03_AttestationReport.hex.txt",
	    "sdk_blackwell_GB100_AttestationReport.hex.txt",
	    "nvtrust_hopperAttestationReport.txt" };
	uint8_t *rep, *big;
	size_t rl, i, f;

	for (f = 0; f < 3; f++) {
		rep = load_hex(files[f], &rl);
		for (i = 0; i < rl; i++) {
			/* a fresh copy of exactly i bytes, so ASan sees reads */
			uint8_t *t = xmemdup(rep, i);

			tmon_err_clear(&err);
			ck_assert_msg(nvspdm_parse(t, i, ev, &err) ==
			    TMON_E_PARSE, "%s: truncated at %zu parsed",
			    files[f], i);
			ck_assert(err.msg[0] != '\0');
			free(t);
		}
		ck_assert_int_eq(nvspdm_parse(rep, rl, ev, NULL), TMON_OK);
		/* one trailing byte */
		big = xmalloc(rl + 1);
		memcpy(big, rep, rl);
		big[rl] = 0;
		tmon_err_clear(&err);
		ck_assert_int_eq(nvspdm_parse(big, rl + 1, ev, &err),
		    TMON_E_PARSE);
		ck_assert_ptr_nonnull(strstr(err.msg, "trailing"));
		free(big);
		free(rep);
	}
	free(ev);
}
END_TEST

/* Parse a copy of the 580 report with bytes at off replaced. */
static enum tmon_rc
parse_patched(size_t off, const uint8_t *val, size_t n, struct tmon_err *err)
{
	struct nvspdm_evidence *ev = xcalloc(1, sizeof(*ev));
	size_t rl;
	uint8_t *rep = load_hex("sdk_hopper_580.159.03_AttestationReport.hex.txt",
	    &rl);
	enum tmon_rc rc;

	ck_assert(off + n <= rl);
	memcpy(rep + off, val, n);
	tmon_err_clear(err);
	rc = nvspdm_parse(rep, rl, ev, err);
	free(rep);
	free(ev);
	return rc;
}

START_TEST(test_length_fields)
{
	struct tmon_err err;
	/* offsets in the 580 report (64 blocks x 55 bytes, opaque 435) */
	const size_t resp = 37, rec = resp + 8, opql = rec + 3520 + 32;
	const uint8_t ff3[] = { 0xff, 0xff, 0xff }, ff2[] = { 0xff, 0xff };
	uint8_t v[3];

	/* MeasurementRecordLength */
	ck_assert_int_eq(parse_patched(resp + 5, ff3, 3, &err), TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "MeasurementRecordLength"));
	v[0] = 0xc1; v[1] = 0x0d; v[2] = 0;	/* 3521 */
	ck_assert_int_eq(parse_patched(resp + 5, v, 3, &err), TMON_E_PARSE);
	v[0] = 0xbf;				/* 3519 */
	ck_assert_int_eq(parse_patched(resp + 5, v, 3, &err), TMON_E_PARSE);
	/* NumberOfBlocks one more / one less than the record holds */
	v[0] = 65;
	ck_assert_int_eq(parse_patched(resp + 4, v, 1, &err), TMON_E_PARSE);
	v[0] = 63;
	ck_assert_int_eq(parse_patched(resp + 4, v, 1, &err), TMON_E_PARSE);
	ck_assert_int_eq(err.offset, rec + 63 * 55);
	/* block 1 MeasurementSize and DMTF value size */
	ck_assert_int_eq(parse_patched(rec + 2, ff2, 2, &err), TMON_E_PARSE);
	ck_assert_int_eq(parse_patched(rec + 5, ff2, 2, &err), TMON_E_PARSE);
	v[0] = 2; v[1] = 0;
	ck_assert_int_eq(parse_patched(rec + 2, v, 2, &err), TMON_E_PARSE);
	/* block index 0, a repeated index, a non-DMTF specification */
	v[0] = 0;
	ck_assert_int_eq(parse_patched(rec, v, 1, &err), TMON_E_PARSE);
	v[0] = 1;
	ck_assert_int_eq(parse_patched(rec + 55, v, 1, &err), TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "repeated"));
	v[0] = 2;
	ck_assert_int_eq(parse_patched(rec + 1, v, 1, &err), TMON_E_PARSE);
	/* OpaqueLength: huge, above the SPDM limit, one too many */
	ck_assert_int_eq(parse_patched(opql, ff2, 2, &err), TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "OpaqueLength"));
	v[0] = 0x01; v[1] = 0x04;		/* 1025 */
	ck_assert_int_eq(parse_patched(opql, v, 2, &err), TMON_E_PARSE);
	v[0] = 0xb4; v[1] = 0x01;		/* 436 */
	ck_assert_int_eq(parse_patched(opql, v, 2, &err), TMON_E_PARSE);
	v[0] = 0xb2;				/* 434 */
	ck_assert_int_eq(parse_patched(opql, v, 2, &err), TMON_E_PARSE);
	/* first opaque field's length */
	ck_assert_int_eq(parse_patched(opql + 4, ff2, 2, &err), TMON_E_PARSE);
	/* versions and codes */
	v[0] = 0x12;
	ck_assert_int_eq(parse_patched(0, v, 1, &err), TMON_E_UNSUPPORTED);
	ck_assert_int_eq(parse_patched(resp, v, 1, &err), TMON_E_UNSUPPORTED);
	v[0] = 0xe1;
	ck_assert_int_eq(parse_patched(1, v, 1, &err), TMON_E_PARSE);
	ck_assert_int_eq(parse_patched(resp + 1, v, 1, &err), TMON_E_PARSE);
	v[0] = 0x00;				/* no signature requested */
	ck_assert_int_eq(parse_patched(2, v, 1, &err), TMON_E_PARSE);
}
END_TEST

START_TEST(test_limit)
{
	uint8_t *big = xcalloc(MAX_SPDM_LEN + 1, 1);
	struct nvspdm_evidence *ev = xcalloc(1, sizeof(*ev));

	ck_assert_int_eq(nvspdm_parse(big, MAX_SPDM_LEN + 1, ev, NULL),
	    TMON_E_LIMIT);
	free(big);
	free(ev);
}
END_TEST

/* ---- malformed lists and payloads ------------------------------------------------ */

static void
expect_list_fail2(json_t *list, const char *needle, bool chain_ok)
{
	struct checklist cl;
	struct gpu_summary sum;

	checklist_init(&cl);
	gpu_check_evidence_list(tvc(), list, NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_FAIL);
	ck_assert_msg(strstr(detail(&cl, "gpu.evidence"), needle) != NULL,
	    "want \"%s\" in \"%s\"", needle, detail(&cl, "gpu.evidence"));
	if (chain_ok)
		ck_assert_status(&cl, "gpu.cert_chain", CHECK_PASS);
	else
		ck_assert_int_ne(status(&cl, "gpu.cert_chain"), CHECK_PASS);
	json_decref(list);
}

static void
expect_list_fail(json_t *list, const char *needle)
{
	expect_list_fail2(list, needle, false);
}

START_TEST(test_bad_lists)
{
	json_t *l, *one;
	size_t i;

	expect_list_fail(json_array(), "empty");
	expect_list_fail(json_object(), "not an array");
	l = json_array();
	json_array_append_new(l, json_string("x"));
	expect_list_fail(l, "GPU 0: entry is not an object");

	one = load_json("sdk_hopper_590.12_evidence_list.json");
	l = json_deep_copy(one);
	json_object_del(json_array_get(l, 0), "evidence");
	expect_list_fail(l, "\"evidence\" missing");
	l = json_deep_copy(one);
	json_object_set_new(json_array_get(l, 0), "evidence",
	    json_string("EeAB/+l7I6F*gJWg"));
	expect_list_fail(l, "not valid base64");
	l = json_deep_copy(one);
	json_object_set_new(json_array_get(l, 0), "evidence", json_integer(3));
	expect_list_fail(l, "not a string");
	l = json_deep_copy(one);
	json_object_del(json_array_get(l, 0), "certificate");
	expect_list_fail(l, "\"certificate\" missing");
	l = json_deep_copy(one);
	json_object_set_new(json_array_get(l, 0), "certificate",
	    json_string("bm90IGEgY2VydA=="));	/* "not a cert" */
	expect_list_fail(l, "PEM");
	/* the same GPU twice */
	l = json_deep_copy(one);
	json_array_append_new(l, json_deep_copy(json_array_get(one, 0)));
	expect_list_fail2(l, "GPU 1: same device certificate as GPU 0", true);
	/* too many entries */
	l = json_array();
	for (i = 0; i < MAX_GPUS + 1; i++)
		json_array_append_new(l, json_deep_copy(json_array_get(one,
		    0)));
	expect_list_fail(l, "entries");
	json_decref(one);
}
END_TEST

static void
expect_payload_fail(const char *text, const char *needle)
{
	struct checklist cl;
	struct gpu_summary sum;

	checklist_init(&cl);
	gpu_check_payload(tvc(), text, strlen(text), NOW, &cl, &sum);
	ck_assert_status(&cl, "gpu.evidence", CHECK_FAIL);
	ck_assert_msg(strstr(detail(&cl, "gpu.evidence"), needle) != NULL,
	    "want \"%s\" in \"%s\"", needle, detail(&cl, "gpu.evidence"));
	ck_assert_status(&cl, "gpu.cert_chain", CHECK_FAIL);
}

START_TEST(test_bad_payloads)
{
	struct checklist cl;
	struct gpu_summary sum;
	const char *legacy;
	char *deep;
	size_t i;

	expect_payload_fail("", "not valid JSON");
	expect_payload_fail("{\"evidence_list\":[]", "not valid JSON");
	expect_payload_fail("[]", "not a JSON object");
	expect_payload_fail("{\"nonce\":\"00\"}", "no \"evidence_list\"");
	expect_payload_fail("{\"evidence_list\":[],\"evidence_list\":[]}",
	    "not valid JSON");		/* duplicate key */
	expect_payload_fail("{\"evidence_list\":[]}", "empty");
	expect_payload_fail("{\"evidence_list\":{}}", "not an array");
	expect_payload_fail("{\"evidence_list\":[],\"arch\":1}", "arch");
	deep = xmalloc(2 * 100 + 1);
	for (i = 0; i < 100; i++) {
		deep[i] = '[';
		deep[100 + i] = ']';
	}
	deep[200] = '\0';
	expect_payload_fail(deep, "deeper");
	free(deep);

	/* a legacy nonce (signing address) is not recorded, not failed */
	checklist_init(&cl);
	legacy = "{\"nonce\":\"0x5A1f\",\"evidence_list\":[]}";
	gpu_check_payload(tvc(), legacy, strlen(legacy), NOW, &cl, &sum);
	ck_assert(!sum.payload_has_nonce);
	ck_assert_str_eq(detail(&cl, "gpu.evidence"),
	    "GPU evidence list is empty");
}
END_TEST

static Suite *
gpu_suite(void)
{
	Suite *s = suite_create("gpu");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_root_pinned);
	tcase_add_test(tc, test_parse_oracle_580);
	tcase_add_test(tc, test_nvtrust_hopper);
	tcase_add_test(tc, test_sdk_hopper_580);
	tcase_add_test(tc, test_sdk_blackwell);
	tcase_add_test(tc, test_sdk_590_lists);
	tcase_add_test(tc, test_payload_8xh100);
	tcase_add_test(tc, test_payload_nanogpt_gemma);
	tcase_add_test(tc, test_payload_nearcloud);
	tcase_add_test(tc, test_chutes_gpu_evidence);
	tcase_add_test(tc, test_legacy_hex_evidence);
	tcase_add_test(tc, test_negative_invalid_signature);
	tcase_add_test(tc, test_tamper_measurement);
	tcase_add_test(tc, test_tamper_fwid);
	tcase_add_test(tc, test_chain_count);
	tcase_add_test(tc, test_chain_time);
	tcase_add_test(tc, test_chain_text_outside);
	tcase_add_test(tc, test_fake_root);
	tcase_add_test(tc, test_caller_root);
	tcase_add_test(tc, test_dice_fwid);
	tcase_add_test(tc, test_truncation_every_offset);
	tcase_add_test(tc, test_length_fields);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_bad_lists);
	tcase_add_test(tc, test_bad_payloads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gpu_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
