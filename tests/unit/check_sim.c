/*
 * check_sim: tmon-sim (contrib/sim), the simulated provider, driven over
 * loopback with libcurl and judged by tmon's own verifiers.
 *
 * One tmon-sim is started for the whole suite (an unchecked fixture, in
 * the parent process); every test asks it for fresh evidence with a
 * random nonce.  Expected values come from the request (our nonce), from
 * the sim's own served claims (info.tcb_info, the PKI files it wrote) or
 * from the documented mode semantics (contrib/sim/tmon_sim.c), never from
 * the output of the code under test.  Takes about 2 s under ASan.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "attest.h"
#include "encode.h"
#include "gpu_verify.h"
#include "sig.h"
#include "tdx_collateral.h"
#include "tdx_verify.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

#include "testutil.h"

/* above tmon-sim's MAX_SIM_REQUEST_BODY (64 KiB) */
#define OVER_BODY_CAP	(64 * 1024 + 16)

static pid_t sim_pid = -1;
static int sim_fd = -1;
static int sim_port;
static char pki_dir[256];
static char base[64];

/* ---- the sim ------------------------------------------------------------- */

static void
sim_start(void)
{
	char line[256], tmpl[] = "/tmp/check_sim.XXXXXX", listen_s[32];
	const char *p, *d;
	int port = tu_free_port();

	d = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(d);
	snprintf(pki_dir, sizeof(pki_dir), "%s/pki", d);
	snprintf(listen_s, sizeof(listen_s), "127.0.0.1:%d", port);
	{
		const char *const argv[] = { TMON_BUILD_DIR "/tmon-sim",
		    "--listen", listen_s, "--pki-dir", pki_dir, NULL };

		sim_pid = tu_spawn(argv, &sim_fd);
	}
	ck_assert_int_gt(sim_pid, 0);
	ck_assert_int_eq(tu_wait_line(sim_fd, "listening on", line,
	    sizeof(line), 30), 0);
	p = strrchr(line, ':');
	sim_port = p != NULL ? atoi(p + 1) : 0;
	ck_assert_int_eq(sim_port, port);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", sim_port);
}

static void
rm_dir(const char *dir)
{
	char path[512];
	const char *const names[] = { "intel_root.pem", "nvidia_root.pem",
	    "README" };
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	snprintf(path, sizeof(path), "%s", dir);
	if (strrchr(path, '/') != NULL)
		*strrchr(path, '/') = '\0';
	rmdir(path);
}

static void
sim_stop(void)
{
	tu_stop(sim_pid, SIGTERM);
	if (sim_fd >= 0)
		close(sim_fd);
	rm_dir(pki_dir);
}

/* ---- HTTP ---------------------------------------------------------------- */

struct resp {
	long		 status;
	struct tu_body	 body;
	struct tu_body	 hdr;
};

static size_t
hdr_cb(char *p, size_t size, size_t n, void *arg)
{
	return tu_write(p, size, n, arg);
}

/* GET or (body != NULL) POST path on the sim. */
static void
http(const char *path, const void *body, size_t len, struct resp *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[1024];

	memset(r, 0, sizeof(*r));
	r->status = -1;
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tu_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hdr_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->hdr);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	ck_assert_msg(r->status > 0, "no answer from tmon-sim for %s", path);
	/* every answer says it is simulated */
	ck_assert_msg(r->hdr.data != NULL && strcasestr(r->hdr.data,
	    "\r\nX-Tmon-Sim: SIMULATED") != NULL, "%s: no X-Tmon-Sim", path);
}

static void
post_str(const char *path, const char *body, struct resp *r)
{
	http(path, body, strlen(body), r);
}

static void
resp_free(struct resp *r)
{
	free(r->body.data);
	free(r->hdr.data);
}

/* The value of header name (new string), or NULL. */
static char *
header(const struct resp *r, const char *name)
{
	char pat[128];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\r\n%s: ", name);
	if ((p = strcasestr(r->hdr.data, pat)) == NULL)
		return NULL;
	p += strlen(pat);
	e = strstr(p, "\r\n");
	return xstrndup(p, e != NULL ? (size_t)(e - p) : strlen(p));
}

/* ---- the sim's trust anchors ------------------------------------------------ */

static uint8_t *
pem_file_der(const char *name, size_t *len)
{
	char path[512];
	unsigned char *der = NULL;
	uint8_t *out;
	FILE *f;
	X509 *x;
	int n;

	snprintf(path, sizeof(path), "%s/%s", pki_dir, name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	/* a TEST root, and named so */
	ck_assert_ptr_nonnull(strstr(X509_NAME_oneline(X509_get_subject_name(
	    x), (char *)path, sizeof(path)), "TEST"));
	n = i2d_X509(x, &der);
	ck_assert_int_gt(n, 0);
	out = xmemdup(der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	X509_free(x);
	return out;
}

struct roots {
	uint8_t	*intel, *nvidia;
	size_t	 intel_len, nvidia_len;
};

static void
roots_load(struct roots *r)
{
	r->intel = pem_file_der("intel_root.pem", &r->intel_len);
	r->nvidia = pem_file_der("nvidia_root.pem", &r->nvidia_len);
}

static void
roots_free(struct roots *r)
{
	free(r->intel);
	free(r->nvidia);
}

/* ---- collateral from the sim's PCS routes ---------------------------------- */

static char *
url_decode(const char *s)
{
	size_t n = strlen(s), i, o = 0;
	char *out = xmalloc(n + 1), hex[3] = { 0 };

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n + 1 && isxdigit((unsigned char)
		    s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			out[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

struct pcs {
	struct resp	 tcb, qe, crl, root;
	char		*tcb_chain, *qe_chain, *crl_chain;
};

static void
pcs_fetch(struct pcs *p, const char *fmspc_hex)
{
	char path[256], *h;

	snprintf(path, sizeof(path), "/tdx/certification/v4/tcb?fmspc=%s",
	    fmspc_hex);
	http(path, NULL, 0, &p->tcb);
	ck_assert_int_eq(p->tcb.status, 200);
	http("/tdx/certification/v4/qe/identity", NULL, 0, &p->qe);
	ck_assert_int_eq(p->qe.status, 200);
	http("/sgx/certification/v4/pckcrl?ca=platform&encoding=der", NULL, 0,
	    &p->crl);
	ck_assert_int_eq(p->crl.status, 200);
	http("/sgx/certification/v4/rootcacrl", NULL, 0, &p->root);
	ck_assert_int_eq(p->root.status, 200);
	h = header(&p->tcb, "TCB-Info-Issuer-Chain");
	ck_assert_ptr_nonnull(h);
	p->tcb_chain = url_decode(h);
	free(h);
	h = header(&p->qe, "SGX-Enclave-Identity-Issuer-Chain");
	ck_assert_ptr_nonnull(h);
	p->qe_chain = url_decode(h);
	free(h);
	h = header(&p->crl, "SGX-PCK-CRL-Issuer-Chain");
	ck_assert_ptr_nonnull(h);
	p->crl_chain = url_decode(h);
	free(h);
}

static void
pcs_free(struct pcs *p)
{
	resp_free(&p->tcb);
	resp_free(&p->qe);
	resp_free(&p->crl);
	resp_free(&p->root);
	free(p->tcb_chain);
	free(p->qe_chain);
	free(p->crl_chain);
}

static struct tdx_collateral *
pcs_collateral(const struct pcs *p, const struct roots *r)
{
	struct tdx_collateral_src src;
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	char why[256];

	memset(&src, 0, sizeof(src));
	src.tcb_info_body = (const uint8_t *)p->tcb.body.data;
	src.tcb_info_body_len = p->tcb.body.len;
	src.tcb_info_issuer_chain = p->tcb_chain;
	src.qe_identity_body = (const uint8_t *)p->qe.body.data;
	src.qe_identity_body_len = p->qe.body.len;
	src.qe_identity_issuer_chain = p->qe_chain;
	src.pck_crl = (const uint8_t *)p->crl.body.data;
	src.pck_crl_len = p->crl.body.len;
	src.pck_crl_issuer_chain = p->crl_chain;
	src.root_ca_crl = (const uint8_t *)p->root.body.data;
	src.root_ca_crl_len = p->root.body.len;
	tmon_err_clear(&err);
	ck_assert_msg(tdx_collateral_from_pcs_root(&src, r->intel,
	    r->intel_len, &col, &err) == TMON_OK, "%s", err.msg);
	why[0] = '\0';
	ck_assert_msg(tdx_collateral_verified(col, why, sizeof(why)), "%s",
	    why);
	return col;
}

static const struct tdx_collateral *
col_cb(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	(void)fmspc;
	(void)pck_ca;
	return arg;
}

/* ---- attestation ------------------------------------------------------------ */

static void
random_nonce(uint8_t nonce[32], char hex[65])
{
	ck_assert_int_eq(RAND_bytes(nonce, 32), 1);
	hex_encode(nonce, 32, hex);
}

/* Fetch an attestation of model through route 0 (/v1) or 1 (NanoGPT). */
static void
attest_fetch(const char *model, int nanogpt, const char *nonce_hex,
    struct resp *r)
{
	char path[512];

	if (nanogpt)
		snprintf(path, sizeof(path), "/api/v1/tee/attestation?model=%s"
		    "&nonce=%s", model, nonce_hex);
	else
		snprintf(path, sizeof(path), "/v1/attestation/report?model=%s"
		    "&nonce=%s&signing_algo=ecdsa", model, nonce_hex);
	http(path, NULL, 0, r);
	ck_assert_int_eq(r->status, 200);
}

/* A string member of a JSON body (path of up to 3 keys). */
static char *
jstr(const struct resp *r, const char *k1, const char *k2, const char *k3)
{
	json_error_t e;
	json_t *root = json_loadb(r->body.data, r->body.len, 0, &e), *v;
	char *out;

	ck_assert_ptr_nonnull(root);
	v = json_object_get(root, k1);
	if (k2 != NULL)
		v = json_object_get(v, k2);
	if (k3 != NULL)
		v = json_object_get(v, k3);
	ck_assert_msg(json_is_string(v), "%s.%s.%s", k1, k2 ? k2 : "",
	    k3 ? k3 : "");
	out = xstrdup(json_string_value(v));
	json_decref(root);
	return out;
}

static enum check_status
status(const struct attest_result *res, const char *id)
{
	const struct check *c = checklist_get(&res->checks, id);

	ck_assert_msg(c != NULL, "check %s missing", id);
	return c->status;
}

static const char *
detail(const struct attest_result *res, const char *id)
{
	const struct check *c = checklist_get(&res->checks, id);

	ck_assert_msg(c != NULL, "check %s missing", id);
	return c->detail;
}

#define ck_status(res, id, st) \
	ck_assert_msg(status(res, id) == (st), "%s: %s (%s)", id, \
	    check_status_str(status(res, id)), detail(res, id))

/* Every check of README "Checks" that an attestation allows. */
static const char *const all_ids[] = {
	"response.parse", "nonce.echo", "tdx.quote.parse",
	"tdx.quote.signature", "tdx.pck_chain", "tdx.collateral", "tdx.tcb",
	"tdx.td_attributes", "tdx.reportdata", "tdx.event_log",
	"tdx.compose", "measurement.policy", "gpu.evidence",
	"gpu.cert_chain", "gpu.nonce"
};
#define NIDS (sizeof(all_ids) / sizeof(all_ids[0]))

/* A policy pinning what the sim's info.tcb_info claims. */
struct pin {
	uint8_t				mrtd[1][48], r0[1][48], r1[1][48];
	uint8_t				r2[1][48], compose[1][32], os[1][32];
	struct measurement_policy	p;
};

static void
pin_hex(const struct resp *r, const char *k1, const char *k2,
    const char *k3, uint8_t *out, size_t n)
{
	char *s = jstr(r, k1, k2, k3);

	ck_assert(hex_decode_exact(s, strlen(s), out, n, false));
	free(s);
}

static void
pin_from(struct pin *pin, const struct resp *r)
{
	memset(pin, 0, sizeof(*pin));
	pin_hex(r, "info", "tcb_info", "mrtd", pin->mrtd[0], 48);
	pin_hex(r, "info", "tcb_info", "rtmr0", pin->r0[0], 48);
	pin_hex(r, "info", "tcb_info", "rtmr1", pin->r1[0], 48);
	pin_hex(r, "info", "tcb_info", "rtmr2", pin->r2[0], 48);
	pin_hex(r, "info", "compose_hash", NULL, pin->compose[0], 32);
	pin_hex(r, "info", "os_image_hash", NULL, pin->os[0], 32);
	pin->p.mrtd.v = (const uint8_t (*)[48])pin->mrtd;
	pin->p.mrtd.n = 1;
	pin->p.rtmr0.v = (const uint8_t (*)[48])pin->r0;
	pin->p.rtmr0.n = 1;
	pin->p.rtmr1.v = (const uint8_t (*)[48])pin->r1;
	pin->p.rtmr1.n = 1;
	pin->p.rtmr2.v = (const uint8_t (*)[48])pin->r2;
	pin->p.rtmr2.n = 1;
	pin->p.compose_hash.v = (const uint8_t (*)[32])pin->compose;
	pin->p.compose_hash.n = 1;
	pin->p.os_image_hash.v = (const uint8_t (*)[32])pin->os;
	pin->p.os_image_hash.n = 1;
}

/* The world a test verifies in: the sim's roots and collateral. */
struct world {
	struct roots		 roots;
	struct pcs		 pcs;
	struct tdx_collateral	*col;
	struct attest_ctx	 ctx;
};

static void
world_init(struct world *w, const struct measurement_policy *policy)
{
	memset(w, 0, sizeof(*w));
	roots_load(&w->roots);
	pcs_fetch(&w->pcs, "7e577e570000");
	w->col = pcs_collateral(&w->pcs, &w->roots);
	w->ctx.collateral = col_cb;
	w->ctx.collateral_arg = w->col;
	w->ctx.intel_root_der = w->roots.intel;
	w->ctx.intel_root_der_len = w->roots.intel_len;
	w->ctx.nvidia_root_der = w->roots.nvidia;
	w->ctx.nvidia_root_der_len = w->roots.nvidia_len;
	w->ctx.test_pki = true;
	w->ctx.policy = policy;
}

static void
world_free(struct world *w)
{
	tdx_collateral_free(w->col);
	pcs_free(&w->pcs);
	roots_free(&w->roots);
}

static void
verify(const struct resp *r, const uint8_t nonce[32],
    const struct attest_ctx *ctx, struct attest_result *res)
{
	attest_verify_ctx((const uint8_t *)r->body.data, r->body.len, nonce,
	    (int64_t)time(NULL), ctx, res);
}

/* ---- tests: attestation ------------------------------------------------------- */

START_TEST(test_good_every_check_passes)
{
	struct world w;
	struct pin pin;
	struct resp r;
	struct attest_result res;
	uint8_t nonce[32];
	char hex[65];
	const struct check *c;
	size_t i;
	int route;

	for (route = 0; route < 2; route++) {
		random_nonce(nonce, hex);
		attest_fetch("sim/good", route, hex, &r);
		pin_from(&pin, &r);
		world_init(&w, &pin.p);
		verify(&r, nonce, &w.ctx, &res);
		for (i = 0; i < NIDS; i++)
			ck_status(&res, all_ids[i], CHECK_PASS);
		ck_assert_int_eq(res.verdict, CHECK_PASS);
		/* a simulated pass never reads as a real one */
		for (i = 0; i < res.checks.n; i++) {
			c = &res.checks.items[i];
			if (strncmp(c->id, "tdx.", 4) == 0 ||
			    strncmp(c->id, "gpu.", 4) == 0)
				ck_assert_msg(strstr(c->detail, "test PKI") !=
				    NULL, "%s: %s", c->id, c->detail);
		}
		/* the nonce asked is in REPORTDATA[32:64] */
		ck_assert_mem_eq(res.m.report_data + 32, nonce, 32);
		ck_assert_str_eq(res.m.reportdata_layout, "address+nonce");
		ck_assert_uint_eq(res.m.n_gpus, 1);
		world_free(&w);
		resp_free(&r);
	}
}
END_TEST

START_TEST(test_production_roots_refuse)
{
	struct world w;
	struct attest_ctx ctx;
	struct resp r;
	struct attest_result res;
	uint8_t nonce[32];
	char hex[65];

	random_nonce(nonce, hex);
	attest_fetch("sim/good", 0, hex, &r);
	/* no context: the pinned Intel and NVIDIA roots */
	verify(&r, nonce, NULL, &res);
	ck_status(&res, "tdx.quote.signature", CHECK_PASS);
	ck_status(&res, "tdx.pck_chain", CHECK_FAIL);
	ck_status(&res, "gpu.evidence", CHECK_PASS);
	ck_status(&res, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_int_eq(res.verdict, CHECK_FAIL);
	/* the test roots without test_pki are not used either */
	world_init(&w, NULL);
	ctx = w.ctx;
	ctx.test_pki = false;
	ctx.collateral = NULL;
	verify(&r, nonce, &ctx, &res);
	ck_status(&res, "tdx.pck_chain", CHECK_FAIL);
	ck_status(&res, "gpu.cert_chain", CHECK_FAIL);
	ck_assert_ptr_null(strstr(detail(&res, "tdx.pck_chain"), "test PKI"));
	world_free(&w);
	resp_free(&r);
}
END_TEST

/* The sim's GPU evidence: pinned NVIDIA root fails, the sim's passes. */
START_TEST(test_gpu_roots)
{
	struct roots roots;
	struct resp r;
	struct checklist cl;
	struct gpu_summary sum;
	uint8_t nonce[32];
	char hex[65], *payload;
	const struct check *c;

	roots_load(&roots);
	random_nonce(nonce, hex);
	attest_fetch("sim/good", 1, hex, &r);
	payload = jstr(&r, "nvidia_payload", NULL, NULL);

	checklist_init(&cl);
	gpu_check_payload(NULL, payload, strlen(payload), (int64_t)time(NULL),
	    &cl, &sum);
	ck_assert_int_eq(checklist_get(&cl, "gpu.evidence")->status,
	    CHECK_PASS);
	c = checklist_get(&cl, "gpu.cert_chain");
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(c->detail, "not the pinned NVIDIA"));

	checklist_init(&cl);
	gpu_check_payload_root(NULL, payload, strlen(payload),
	    (int64_t)time(NULL), roots.nvidia, roots.nvidia_len, &cl, &sum);
	ck_assert_int_eq(checklist_get(&cl, "gpu.evidence")->status,
	    CHECK_PASS);
	c = checklist_get(&cl, "gpu.cert_chain");
	ck_assert_msg(c->status == CHECK_PASS, "%s", c->detail);
	ck_assert_ptr_nonnull(strstr(c->detail, "test root"));
	ck_assert_uint_eq(sum.n_gpus, 1);
	ck_assert_mem_eq(sum.gpu[0].request_nonce, nonce, 32);
	ck_assert(sum.payload_has_nonce);
	ck_assert_mem_eq(sum.payload_nonce, nonce, 32);
	ck_assert_str_eq(sum.gpu[0].arch, "HOPPER");

	/* the Intel root is no NVIDIA root */
	checklist_init(&cl);
	gpu_check_payload_root(NULL, payload, strlen(payload),
	    (int64_t)time(NULL), roots.intel, roots.intel_len, &cl, &sum);
	ck_assert_int_eq(checklist_get(&cl, "gpu.cert_chain")->status,
	    CHECK_FAIL);
	free(payload);
	resp_free(&r);
	roots_free(&roots);
}
END_TEST

START_TEST(test_stale_nonce)
{
	struct world w;
	struct resp r;
	struct attest_result res;
	uint8_t nonce[32];
	char hex[65];
	int route;

	world_init(&w, NULL);
	for (route = 0; route < 2; route++) {
		random_nonce(nonce, hex);
		attest_fetch("sim/stale-nonce", route, hex, &r);
		verify(&r, nonce, &w.ctx, &res);
		ck_status(&res, "nonce.echo", CHECK_FAIL);
		ck_status(&res, "tdx.reportdata", CHECK_FAIL);
		ck_assert_ptr_nonnull(strstr(detail(&res, "tdx.reportdata"),
		    "internally consistent only"));
		ck_status(&res, "gpu.nonce", CHECK_FAIL);
		/* everything else about the evidence is genuine */
		ck_status(&res, "tdx.quote.signature", CHECK_PASS);
		ck_status(&res, "tdx.pck_chain", CHECK_PASS);
		ck_status(&res, "tdx.tcb", CHECK_PASS);
		ck_status(&res, "tdx.event_log", CHECK_PASS);
		ck_status(&res, "gpu.evidence", CHECK_PASS);
		ck_status(&res, "gpu.cert_chain", CHECK_PASS);
		ck_assert_int_eq(res.verdict, CHECK_FAIL);
		resp_free(&r);
	}
	world_free(&w);
}
END_TEST

/* ---- tests: the Tinfoil-shaped document ------------------------------------ */

/* A hex member of obj (n bytes), asserted. */
static void
obj_hex(json_t *obj, const char *key, uint8_t *out, size_t n)
{
	const char *s = json_string_value(json_object_get(obj, key));

	ck_assert_msg(s != NULL, "%s missing", key);
	ck_assert_msg(hex_decode_exact(s, strlen(s), out, n, false), "%s: %s",
	    key, s);
}

/*
 * sim/tinfoil: Tinfoil's v3 document (format
 * https://tinfoil.sh/predicate/attestation/v3, cpu.platform "tdx"),
 * judged here by hand against that format: report_data.nonce is ours;
 * the quote verifies with the sim's TEST root (tdx_check_quote);
 * REPORTDATA is SHA-256(tls_key_fp || hpke_key || nonce) || 32 zero
 * bytes, computed here with OpenSSL from the served fields; tls_key_fp is
 * SHA-256 of the certificate's SubjectPublicKeyInfo; the signature, over
 * SHA-256 of the document with "signature":"", verifies with that
 * certificate's key.  Through the relays' two routes and Tinfoil's own.
 */
START_TEST(test_tinfoil_document)
{
	static const char sigkey[] = "\"signature\":\"";
	struct world w;
	struct resp r;
	struct checklist cl;
	struct tdx_check_opts o;
	struct tdx_quote q;
	json_error_t je;
	json_t *root, *rd, *cpu;
	uint8_t nonce[32], other[32], fp[32], hpke[32], echo[32], cat[96];
	uint8_t want[64], h[32], *quote, *sig;
	unsigned char *spki = NULL;
	const char *s, *sv, *end;
	char hex[65], path[256], *unsigned_doc;
	size_t qlen, slen;
	EVP_MD_CTX *md;
	BIO *bio;
	X509 *x;
	int route, n;

	world_init(&w, NULL);
	for (route = 0; route < 3; route++) {
		random_nonce(nonce, hex);
		if (route < 2)
			attest_fetch("sim/tinfoil", route, hex, &r);
		else {
			snprintf(path, sizeof(path), "/.well-known/"
			    "tinfoil-attestation?nonce=%s", hex);
			http(path, NULL, 0, &r);
			ck_assert_int_eq(r.status, 200);
		}
		root = json_loadb(r.body.data, r.body.len, 0, &je);
		ck_assert_ptr_nonnull(root);
		ck_assert_str_eq(json_string_value(json_object_get(root,
		    "format")), "https://tinfoil.sh/predicate/attestation/v3");
		ck_assert_ptr_nonnull(strstr(json_string_value(
		    json_object_get(root, "tmon_sim")), "SIMULATED"));
		rd = json_object_get(root, "report_data");
		obj_hex(rd, "tls_key_fp", fp, 32);
		obj_hex(rd, "hpke_key", hpke, 32);
		obj_hex(rd, "nonce", echo, 32);
		ck_assert_mem_eq(echo, nonce, 32);
		cpu = json_object_get(root, "cpu");
		ck_assert_str_eq(json_string_value(json_object_get(cpu,
		    "platform")), "tdx");
		s = json_string_value(json_object_get(cpu, "report"));
		ck_assert_ptr_nonnull(s);
		quote = b64_decode_alloc(s, strlen(s), MAX_QUOTE_LEN, &qlen);
		ck_assert_ptr_nonnull(quote);

		/* the quote: the TEST PKI's, and only with its root */
		memset(&o, 0, sizeof(o));
		o.root_der = w.roots.intel;
		o.root_der_len = w.roots.intel_len;
		o.col = w.col;
		checklist_init(&cl);
		ck_assert(tdx_check_quote(NULL, quote, qlen,
		    (int64_t)time(NULL), &o, &q, &cl));
		ck_assert_int_eq(checklist_get(&cl, "tdx.quote.signature")->
		    status, CHECK_PASS);
		ck_assert_msg(checklist_get(&cl, "tdx.pck_chain")->status ==
		    CHECK_PASS, "%s", checklist_get(&cl, "tdx.pck_chain")->
		    detail);
		checklist_init(&cl);
		tdx_check_quote(NULL, quote, qlen, (int64_t)time(NULL), NULL,
		    &q, &cl);
		ck_assert_int_eq(checklist_get(&cl, "tdx.pck_chain")->status,
		    CHECK_FAIL);

		/* REPORTDATA: Tinfoil v3's layout, for our nonce only */
		memcpy(cat, fp, 32);
		memcpy(cat + 32, hpke, 32);
		memcpy(cat + 64, nonce, 32);
		memset(want, 0, sizeof(want));
		SHA256(cat, sizeof(cat), want);
		ck_assert_mem_eq(q.report.report_data, want, 64);
		random_nonce(other, hex);
		memcpy(cat + 64, other, 32);
		SHA256(cat, sizeof(cat), h);
		ck_assert(memcmp(q.report.report_data, h, 32) != 0);

		/* the TEST TLS certificate, its key's fingerprint */
		s = json_string_value(json_object_get(root, "certificate"));
		ck_assert_ptr_nonnull(s);
		bio = BIO_new_mem_buf(s, -1);
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
		ck_assert_ptr_nonnull(x);
		ck_assert_ptr_nonnull(strstr(X509_NAME_oneline(
		    X509_get_subject_name(x), path, sizeof(path)), "TEST"));
		n = i2d_PUBKEY(X509_get0_pubkey(x), &spki);
		ck_assert_int_gt(n, 0);
		SHA256(spki, (size_t)n, h);
		OPENSSL_free(spki);
		spki = NULL;
		ck_assert_mem_eq(h, fp, 32);

		/* the signature over the document with "signature":"" */
		sv = json_string_value(json_object_get(root, "signature"));
		ck_assert_ptr_nonnull(sv);
		sig = b64_decode_alloc(sv, strlen(sv), 1024, &slen);
		ck_assert_ptr_nonnull(sig);
		s = memmem(r.body.data, r.body.len, sigkey, strlen(sigkey));
		ck_assert_ptr_nonnull(s);
		s += strlen(sigkey);
		end = memchr(s, '"', r.body.len - (size_t)(s - r.body.data));
		ck_assert_ptr_nonnull(end);
		ck_assert_uint_eq((size_t)(end - s), strlen(sv));
		unsigned_doc = xmalloc(r.body.len);
		memcpy(unsigned_doc, r.body.data, (size_t)(s - r.body.data));
		memcpy(unsigned_doc + (s - r.body.data), end,
		    r.body.len - (size_t)(end - r.body.data));
		md = EVP_MD_CTX_new();
		ck_assert(md != NULL && EVP_DigestVerifyInit(md, NULL,
		    EVP_sha256(), NULL, X509_get0_pubkey(x)) == 1);
		ck_assert_int_eq(EVP_DigestVerify(md, sig, slen,
		    (const unsigned char *)unsigned_doc, r.body.len -
		    strlen(sv)), 1);
		/* and not over another document */
		unsigned_doc[0] = ' ';
		ck_assert(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
		    X509_get0_pubkey(x)) == 1);
		ck_assert_int_ne(EVP_DigestVerify(md, sig, slen,
		    (const unsigned char *)unsigned_doc, r.body.len -
		    strlen(sv)), 1);
		EVP_MD_CTX_free(md);
		ERR_clear_error();
		free(unsigned_doc);
		free(sig);
		X509_free(x);
		free(quote);
		json_decref(root);
		resp_free(&r);
	}
	world_free(&w);
}
END_TEST

START_TEST(test_changed_measurement)
{
	struct world w;
	struct pin pin;
	struct resp r1, r2;
	struct attest_result res;
	uint8_t nonce[32], first[48];
	char hex[65], *m1, *m2;

	random_nonce(nonce, hex);
	attest_fetch("sim/changed-measurement", 0, hex, &r1);
	pin_from(&pin, &r1);
	world_init(&w, &pin.p);
	verify(&r1, nonce, &w.ctx, &res);
	ck_assert_int_eq(res.verdict, CHECK_PASS);
	memcpy(first, res.m.mrtd, 48);

	random_nonce(nonce, hex);
	attest_fetch("sim/changed-measurement", 0, hex, &r2);
	m1 = jstr(&r1, "info", "tcb_info", "mrtd");
	m2 = jstr(&r2, "info", "tcb_info", "mrtd");
	ck_assert_str_ne(m1, m2);
	verify(&r2, nonce, &w.ctx, &res);
	ck_assert_mem_ne(res.m.mrtd, first, 48);
	/* the new MRTD is what the sim claims, and it is signed */
	ck_assert(hex_decode_exact(m2, strlen(m2), first, 48, false));
	ck_assert_mem_eq(res.m.mrtd, first, 48);
	ck_status(&res, "tdx.quote.signature", CHECK_PASS);
	ck_status(&res, "measurement.policy", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&res, "measurement.policy"),
	    "MRTD"));
	/* without a pin, the change alone fails nothing */
	w.ctx.policy = NULL;
	verify(&r2, nonce, &w.ctx, &res);
	ck_status(&res, "measurement.policy", CHECK_WARN);
	ck_status(&res, "tdx.event_log", CHECK_PASS);
	free(m1);
	free(m2);
	resp_free(&r1);
	resp_free(&r2);
	world_free(&w);
}
END_TEST

/* ---- tests: completions and signatures -------------------------------------- */

struct completion {
	char		*req;
	size_t		 req_len;
	struct resp	 r;
	char		 id[64];
};

/* POST a completion of model through route (0 /v1, 1 NanoGPT). */
static void
complete(const char *model, int nanogpt, bool stream, struct completion *c)
{
	const char *p, *q;
	json_error_t e;
	json_t *j;

	memset(c, 0, sizeof(*c));
	c->req = xmalloc(512);
	snprintf(c->req, 512, "{\"model\": \"%s\", \"messages\": [{\"role\": "
	    "\"user\", \"content\": \"Reply with the single word: ok\"}], "
	    "\"max_tokens\": 8, \"stream\": %s}", model,
	    stream ? "true" : "false");
	c->req_len = strlen(c->req);
	http(nanogpt ? "/api/v1/chat/completions" : "/v1/chat/completions",
	    c->req, c->req_len, &c->r);
	ck_assert_int_eq(c->r.status, 200);
	if (stream) {
		/* the id is in the first SSE chunk */
		ck_assert(strncmp(c->r.body.data, "data: ", 6) == 0);
		ck_assert(c->r.body.len > 14 && strcmp(c->r.body.data +
		    c->r.body.len - 14, "data: [DONE]\n\n") == 0);
		p = c->r.body.data + 6;
		q = strstr(p, "\n\n");
		ck_assert_ptr_nonnull(q);
		j = json_loadb(p, (size_t)(q - p), 0, &e);
	} else
		j = json_loadb(c->r.body.data, c->r.body.len, 0, &e);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_string(json_object_get(j, "id")));
	snprintf(c->id, sizeof(c->id), "%s", json_string_value(
	    json_object_get(j, "id")));
	ck_assert(strncmp(c->id, "chatcmpl-sim-", 13) == 0);
	json_decref(j);
}

static void
completion_free(struct completion *c)
{
	free(c->req);
	resp_free(&c->r);
}

/* GET the signature of c; status returned, body in r. */
static long
signature(const char *model, int nanogpt, const struct completion *c,
    struct resp *r)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s?model=%s&signing_algo=ecdsa",
	    nanogpt ? "/api/v1/tee/signature/" : "/v1/signature/", c->id,
	    model);
	http(path, NULL, 0, r);
	return r->status;
}

/* The attested signing address of model (a fresh report). */
static char *
attested_address(const char *model)
{
	struct resp r;
	uint8_t nonce[32];
	char hex[65], *a;

	random_nonce(nonce, hex);
	attest_fetch(model, 0, hex, &r);
	a = jstr(&r, "signing_address", NULL, NULL);
	resp_free(&r);
	return a;
}

/* Complete, fetch the signature (through its first 404) and check it. */
static void
sig_run(const char *model, int nanogpt, bool stream, struct checklist *cl,
    struct sig_response *sr)
{
	struct completion c;
	struct resp r;
	struct sig_input in;
	struct tmon_err err;
	char *addr = attested_address(model);

	complete(model, nanogpt, stream, &c);
	/* --sig-misses defaults to 1: the first lookup is a 404 */
	ck_assert_int_eq(signature(model, nanogpt, &c, &r), 404);
	ck_assert_ptr_nonnull(strstr(r.body.data, "Chat id not found or "
	    "expired"));
	resp_free(&r);
	ck_assert_int_eq(signature(model, nanogpt, &c, &r), 200);
	tmon_err_clear(&err);
	ck_assert_msg(sig_response_parse((const uint8_t *)r.body.data,
	    r.body.len, sr, &err) == TMON_OK, "%s", err.msg);
	ck_assert_str_eq(sr->signing_algo, "ecdsa");
	/* /v1 signs "<model>:<req>:<resp>", NanoGPT "<req>:<resp>" */
	if (nanogpt)
		ck_assert_uint_eq(sr->text_len, 129);
	else
		ck_assert(strncmp(sr->text, model, strlen(model)) == 0 &&
		    sr->text[strlen(model)] == ':');
	memset(&in, 0, sizeof(in));
	in.text = sr->text;
	in.text_len = sr->text_len;
	in.signature = sr->signature;
	in.signing_address = sr->signing_address;
	in.signing_algo = sr->signing_algo;
	in.request = (const uint8_t *)c.req;
	in.request_len = c.req_len;
	in.response = (const uint8_t *)c.r.body.data;
	in.response_len = c.r.body.len;
	in.attested_address = addr;
	checklist_init(cl);
	sig_check_completion(&in, cl);
	resp_free(&r);
	completion_free(&c);
	free(addr);
}

static enum check_status
cst(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "%s missing", id);
	return c->status;
}

#define ck_cst(cl, id, st) \
	ck_assert_msg(cst(cl, id) == (st), "%s: %s (%s)", id, \
	    check_status_str(cst(cl, id)), checklist_get(cl, id)->detail)

START_TEST(test_completion_signature)
{
	struct checklist cl;
	struct sig_response sr;
	int route, stream;

	for (route = 0; route < 2; route++)
		for (stream = 0; stream < 2; stream++) {
			sig_run("sim/good", route, stream, &cl, &sr);
			ck_cst(&cl, "sig.completion", CHECK_PASS);
			ck_cst(&cl, "sig.request_hash", CHECK_PASS);
			ck_cst(&cl, "sig.response_hash", CHECK_PASS);
			sig_response_free(&sr);
		}
}
END_TEST

START_TEST(test_wrong_key)
{
	struct checklist cl;
	struct sig_response sr;
	char *addr = attested_address("sim/wrong-key");
	int stream;

	for (stream = 0; stream < 2; stream++) {
		sig_run("sim/wrong-key", 0, stream, &cl, &sr);
		ck_cst(&cl, "sig.completion", CHECK_FAIL);
		ck_cst(&cl, "sig.request_hash", CHECK_PASS);
		ck_cst(&cl, "sig.response_hash", CHECK_PASS);
		/* signed, consistently, by a key that is not the attested */
		ck_assert_str_ne(sr.signing_address, addr);
		sig_response_free(&sr);
	}
	free(addr);
}
END_TEST

START_TEST(test_reserialised_stream)
{
	struct checklist cl;
	struct sig_response sr;
	int stream;

	for (stream = 0; stream < 2; stream++) {
		sig_run("sim/reserialised-stream", 1, stream, &cl, &sr);
		ck_cst(&cl, "sig.completion", CHECK_PASS);
		ck_cst(&cl, "sig.request_hash", CHECK_PASS);
		ck_cst(&cl, "sig.response_hash", CHECK_FAIL);
		ck_assert_ptr_nonnull(strstr(checklist_get(&cl,
		    "sig.response_hash")->detail, "signature genuine"));
		sig_response_free(&sr);
	}
}
END_TEST

START_TEST(test_missing_signature)
{
	struct completion c;
	struct resp r;
	int i, route;

	for (route = 0; route < 2; route++) {
		complete("sim/missing-signature", route, route == 1, &c);
		for (i = 0; i < 4; i++) {
			ck_assert_int_eq(signature("sim/missing-signature",
			    route, &c, &r), 404);
			resp_free(&r);
		}
		completion_free(&c);
	}
	/* an unknown id, and a known id asked for with another model */
	complete("sim/good", 0, false, &c);
	ck_assert_int_eq(signature("sim/good", 0, &c, &r), 404);
	resp_free(&r);
	ck_assert_int_eq(signature("sim/wrong-key", 0, &c, &r), 404);
	resp_free(&r);
	ck_assert_int_eq(signature("sim/good", 0, &c, &r), 200);
	resp_free(&r);
	snprintf(c.id, sizeof(c.id), "chatcmpl-sim-999999999");
	ck_assert_int_eq(signature("sim/good", 0, &c, &r), 404);
	resp_free(&r);
	completion_free(&c);
}
END_TEST

/* ---- tests: PCS routes and PKI files ------------------------------------------- */

static void
assert_pem_chain(const char *pem, int want)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x;
	char name[512];
	int n = 0;

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		/* TEST in every subject and issuer */
		ck_assert_ptr_nonnull(strstr(X509_NAME_oneline(
		    X509_get_subject_name(x), name, sizeof(name)), "TEST"));
		ck_assert_ptr_nonnull(strstr(X509_NAME_oneline(
		    X509_get_issuer_name(x), name, sizeof(name)), "TEST"));
		X509_free(x);
		n++;
	}
	ERR_clear_error();
	BIO_free(bio);
	ck_assert_int_eq(n, want);
}

START_TEST(test_pcs_routes)
{
	struct pcs p;
	struct roots roots;
	struct resp r, r2;
	struct tdx_collateral_src src;
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	json_error_t e;
	json_t *j;
	const char *sig;
	const unsigned char *d;
	X509_CRL *crl;
	uint8_t *der;
	size_t dl;
	char name[256], *ct;

	roots_load(&roots);
	pcs_fetch(&p, "7E577E570000");		/* either case */
	/* TCB info: {"tcbInfo":{...},"signature":"<128 hex>"} */
	ck_assert(strncmp(p.tcb.body.data, "{\"tcbInfo\":{", 12) == 0);
	j = json_loadb(p.tcb.body.data, p.tcb.body.len,
	    JSON_REJECT_DUPLICATES, &e);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_object_size(j), 2);
	sig = json_string_value(json_object_get(j, "signature"));
	ck_assert(sig != NULL && strlen(sig) == 128 && is_hex_text(sig, 128));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "tcbInfo"), "id")), "TDX");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "tcbInfo"), "fmspc")), "7e577e570000");
	json_decref(j);
	ct = header(&p.tcb, "Content-Type");
	ck_assert_str_eq(ct, "application/json");
	free(ct);
	assert_pem_chain(p.tcb_chain, 2);
	/* QE identity */
	ck_assert(strncmp(p.qe.body.data, "{\"enclaveIdentity\":{", 20) == 0);
	j = json_loadb(p.qe.body.data, p.qe.body.len, JSON_REJECT_DUPLICATES,
	    &e);
	ck_assert_ptr_nonnull(j);
	sig = json_string_value(json_object_get(j, "signature"));
	ck_assert(sig != NULL && strlen(sig) == 128);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "enclaveIdentity"), "id")), "TD_QE");
	json_decref(j);
	assert_pem_chain(p.qe_chain, 2);
	/* PCK CRL, DER, issued by the PCK Platform CA */
	d = (const unsigned char *)p.crl.body.data;
	crl = d2i_X509_CRL(NULL, &d, (long)p.crl.body.len);
	ck_assert_ptr_nonnull(crl);
	X509_NAME_get_text_by_NID(X509_CRL_get_issuer(crl), NID_commonName,
	    name, sizeof(name));
	ck_assert_str_eq(name, "Intel SGX PCK Platform CA");
	X509_CRL_free(crl);
	ct = header(&p.crl, "Content-Type");
	ck_assert_str_eq(ct, "application/pkix-crl");
	free(ct);
	/* the PCK Platform CA keeps TEST in its O; the root has it in CN */
	assert_pem_chain(p.crl_chain, 2);
	/* the Root CA CRL: hex text on the PCCS path, DER on Intel's */
	der = hex_decode_alloc(p.root.body.data, p.root.body.len, 1u << 20,
	    false, &dl);
	ck_assert_ptr_nonnull(der);
	http("/IntelSGXRootCA.der", NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.body.len, dl);
	ck_assert_mem_eq(r.body.data, der, dl);
	resp_free(&r);
	free(der);

	/* the collateral verifies with the sim's root, not with Intel's */
	col = pcs_collateral(&p, &roots);
	tdx_collateral_free(col);
	memset(&src, 0, sizeof(src));
	src.tcb_info_body = (const uint8_t *)p.tcb.body.data;
	src.tcb_info_body_len = p.tcb.body.len;
	src.tcb_info_issuer_chain = p.tcb_chain;
	src.qe_identity_body = (const uint8_t *)p.qe.body.data;
	src.qe_identity_body_len = p.qe.body.len;
	src.qe_identity_issuer_chain = p.qe_chain;
	src.pck_crl = (const uint8_t *)p.crl.body.data;
	src.pck_crl_len = p.crl.body.len;
	src.pck_crl_issuer_chain = p.crl_chain;
	src.root_ca_crl = (const uint8_t *)p.root.body.data;
	src.root_ca_crl_len = p.root.body.len;
	tmon_err_clear(&err);
	col = NULL;
	ck_assert_int_eq(tdx_collateral_from_pcs(&src, &col, &err), TMON_OK);
	ck_assert(!tdx_collateral_verified(col, NULL, 0));
	tdx_collateral_free(col);

	/* PCS errors: no body, Error-Code */
	http("/tdx/certification/v4/tcb?fmspc=00906ED50000", NULL, 0, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_uint_eq(r.body.len, 0);
	ct = header(&r, "Error-Code");
	ck_assert_ptr_nonnull(ct);
	free(ct);
	resp_free(&r);
	http("/tdx/certification/v4/tcb?fmspc=zz", NULL, 0, &r);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	http("/sgx/certification/v4/pckcrl?ca=processor&encoding=der", NULL, 0,
	    &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	/* PEM is the default encoding */
	http("/sgx/certification/v4/pckcrl?ca=platform", NULL, 0, &r2);
	ck_assert_int_eq(r2.status, 200);
	ck_assert(strncmp(r2.body.data, "-----BEGIN X509 CRL-----", 24) == 0);
	resp_free(&r2);
	pcs_free(&p);
	roots_free(&roots);
}
END_TEST

START_TEST(test_pki_files)
{
	struct resp r;
	uint8_t nonce[32], *q;
	char hex[65], path[512], *qhex, *pem;
	struct tmon_err err;
	uint8_t *readme;
	size_t n, ql;
	const char *p;

	/* README says what the files are */
	snprintf(path, sizeof(path), "%s/README", pki_dir);
	tmon_err_clear(&err);
	ck_assert_int_eq(read_file(path, 65536, &readme, &n, &err), TMON_OK);
	readme = realloc(readme, n + 1);
	readme[n] = '\0';
	ck_assert_ptr_nonnull(strstr((char *)readme, "TEST PKI"));
	ck_assert_ptr_nonnull(strstr((char *)readme, "test_trust_anchors"));
	ck_assert_ptr_nonnull(strstr((char *)readme, "SIMULATED"));
	free(readme);

	/* the quote's PCK chain: TEST everywhere */
	random_nonce(nonce, hex);
	attest_fetch("sim/good", 0, hex, &r);
	qhex = jstr(&r, "intel_quote", NULL, NULL);
	q = hex_decode_alloc(qhex, strlen(qhex), MAX_QUOTE_LEN, false, &ql);
	ck_assert_ptr_nonnull(q);
	p = memmem(q, ql, "-----BEGIN", 10);
	ck_assert_ptr_nonnull(p);
	pem = xstrndup(p, ql - (size_t)(p - (const char *)q));
	assert_pem_chain(pem, 3);
	free(pem);
	free(q);
	free(qhex);
	/* the report itself says it is simulated */
	qhex = jstr(&r, "tmon_sim", NULL, NULL);
	ck_assert_ptr_nonnull(strstr(qhex, "SIMULATED"));
	free(qhex);
	resp_free(&r);
}
END_TEST

START_TEST(test_http_errors)
{
	struct resp r;
	char *big;
	uint8_t nonce[32];
	char hex[65], path[512];

	random_nonce(nonce, hex);
	http("/v1/attestation/report?model=sim/good&nonce=00", NULL, 0, &r);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/attestation/report?model=sim/good&"
	    "nonce=%s&nonce=%s", hex, hex);
	http(path, NULL, 0, &r);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/attestation/report?model=sim/none&"
	    "nonce=%s", hex);
	http(path, NULL, 0, &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/attestation/report?model=sim/good&"
	    "nonce=%s&signing_algo=ed25519", hex);
	http(path, NULL, 0, &r);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	post_str("/v1/attestation/report", "{}", &r);
	ck_assert_int_eq(r.status, 405);
	resp_free(&r);
	http("/v1/chat/completions", NULL, 0, &r);
	ck_assert_int_eq(r.status, 405);
	resp_free(&r);
	http("/no/such/route", NULL, 0, &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	post_str("/v1/chat/completions", "{\"model\":", &r);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	post_str("/v1/chat/completions", "{\"model\":\"sim/good\",\"model\":"
	    "\"sim/good\",\"messages\":[{\"role\":\"user\"}]}", &r);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	post_str("/v1/chat/completions", "{\"model\":\"gpt-4\",\"messages\":"
	    "[{\"role\":\"user\",\"content\":\"x\"}]}", &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	post_str("/v1/chat/completions", "{\"model\":\"sim/good\",\"messages\":"
	    "[{\"role\":\"user\"}],\"max_tokens\":0}", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(strstr(r.body.data, "max_tokens"));
	resp_free(&r);
	/* tmon-sim caps completion bodies at 64 KiB */
	big = xmalloc(OVER_BODY_CAP);
	memset(big, ' ', OVER_BODY_CAP);
	big[0] = '{';
	http("/v1/chat/completions", big, OVER_BODY_CAP, &r);
	ck_assert_int_eq(r.status, 413);
	resp_free(&r);
	free(big);
}
END_TEST

static Suite *
sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("sim");

	tcase_add_unchecked_fixture(tc, sim_start, sim_stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_good_every_check_passes);
	tcase_add_test(tc, test_production_roots_refuse);
	tcase_add_test(tc, test_gpu_roots);
	tcase_add_test(tc, test_stale_nonce);
	tcase_add_test(tc, test_tinfoil_document);
	tcase_add_test(tc, test_changed_measurement);
	tcase_add_test(tc, test_completion_signature);
	tcase_add_test(tc, test_wrong_key);
	tcase_add_test(tc, test_reserialised_stream);
	tcase_add_test(tc, test_missing_signature);
	tcase_add_test(tc, test_pcs_routes);
	tcase_add_test(tc, test_pki_files);
	tcase_add_test(tc, test_http_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	(void)tu_get;			/* testutil.h helpers not used here */
	(void)tu_start_replay;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sr = srunner_create(sim_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
