/*
 * sim_tdx.c: the simulated TDX side of tmon-sim: a dstack app (compose,
 * event log, measurements), TDX v4 quotes bound to the nonce asked, the
 * attestation report around them, and the Intel PCS collateral, all
 * signed by the TEST PKI (sim_pki.c).
 *
 * Layouts: quote monitor/verify/tdx_quote.h (v4, TD10); event log and
 * compose binding tdx_eventlog.h (RTMR3 event digest = SHA-384(le32(type) ||
 * ":" || name || ":" || payload), MRCONFIGID = 0x01 || compose-hash ||
 * zeros); report shapes gateway.h (dstack flat, and
 * the NanoGPT flavour with event_log as a string whose imr 3 digests are
 * empty); collateral tdx_collateral.h (PCS v4 bodies, signature over the exact
 * tcbInfo / enclaveIdentity text).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "encode.h"
#include "log.h"
#include "sim.h"
#include "tdx_quote.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

#define DAY		(24 * 3600)
#define EV_DSTACK	0x08000001u	/* dstack runtime event type */
#define JFLAGS		(JSON_COMPACT | JSON_PRESERVE_ORDER)

/* The dstack app's compose file: its SHA-256 is the compose-hash. */
static const char app_compose[] =
    "{\"manifest_version\":2,\"name\":\"tmon-sim-TEST\","
    "\"runner\":\"docker-compose\",\"docker_compose_file\":\"services:\\n"
    "  tmon-sim:\\n    image: tmon-sim:TEST\\n\",\"kms_enabled\":true,"
    "\"gateway_enabled\":false,\"public_logs\":true,"
    "\"public_sysinfo\":true,\"allowed_envs\":[],"
    "\"no_instance_id\":false,\"secure_time\":false,"
    "\"pre_launch_script\":\"echo SIMULATED by tmon-sim with a TEST PKI\"}";

/* The compose rolled out to sim/rollout: another image. */
static const char app_compose_rolled[] =
    "{\"manifest_version\":2,\"name\":\"tmon-sim-TEST\","
    "\"runner\":\"docker-compose\",\"docker_compose_file\":\"services:\\n"
    "  tmon-sim:\\n    image: tmon-sim:TEST-2\\n\",\"kms_enabled\":true,"
    "\"gateway_enabled\":false,\"public_logs\":true,"
    "\"public_sysinfo\":true,\"allowed_envs\":[],"
    "\"no_instance_id\":false,\"secure_time\":false,"
    "\"pre_launch_script\":\"echo SIMULATED by tmon-sim with a TEST PKI\"}";

static const char key_provider[] =
    "{\"name\":\"kms\",\"id\":\"746d6f6e2d73696d2054455354\"}";

/* Firmware events of RTMR0-2: their digests are folded as given. */
static const struct {
	int		 imr;
	uint32_t	 type;
	const char	*payload;
} fw_events[] = {
	{ 0, 0x80000001u, "tmon TEST firmware: variable SecureBoot" },
	{ 0, 0x8000000au, "tmon TEST firmware: ACPI DATA" },
	{ 0, 0x00000004u, "\0\0\0\0" },
	{ 1, 0x80000003u, "tmon TEST kernel image" },
	{ 1, 0x80000007u, "Exit Boot Services Invocation" },
	{ 1, 0x00000004u, "\0\0\0\0" },
	{ 2, 0x00000006u, "tmon TEST kernel command line" },
	{ 2, 0x00000006u, "tmon TEST initrd" },
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (!buf_append(b, p, n))
		fatalx("tmon-sim: buffer over %zu bytes", b->max);
}

static void
put_le16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(b, x, 2);
}

static void
put_le32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	put(b, x, 4);
}

static void
put_zero(struct buf *b, size_t n)
{
	static const uint8_t z[128];

	while (n > 0) {
		put(b, z, n < sizeof(z) ? n : sizeof(z));
		n -= n < sizeof(z) ? n : sizeof(z);
	}
}

static json_t *
jhex(const uint8_t *p, size_t n)
{
	char *h = sim_hex(p, n);
	json_t *j = json_string(h);

	free(h);
	return j;
}

/* The app's full event log text as JSON (built here: fatal if bad). */
static json_t *
event_log(const struct sim_app *app)
{
	struct tmon_err err;
	struct tjson_doc d = { .name = "tmon-sim: event log text",
	    .err = &err };
	json_t *ev;

	tmon_err_clear(&err);
	if (tjson_load(&d, app->event_log_full, strlen(app->event_log_full),
	    MAX_EVENT_LOG_TEXT, 0, &ev) != TMON_OK)
		fatalx("%s", err.msg);
	return ev;
}

static char *
dump(json_t *j)
{
	char *s = json_dumps(j, JFLAGS);

	if (s == NULL)
		fatalx("tmon-sim: json_dumps failed");
	json_decref(j);
	return s;
}

/* Add {"imr", "event_type", "digest", "event", "event_payload"}. */
static void
add_event(json_t *full, json_t *nano, int imr, uint32_t type,
    const uint8_t digest[48], const char *name, const void *payload,
    size_t plen, uint8_t rtmr[4][48])
{
	json_t *e;

	sim_sha384(rtmr[imr], 48, digest, 48, NULL, 0, rtmr[imr]);
	e = json_pack("{s:i,s:I,s:o,s:s,s:o}", "imr", imr, "event_type",
	    (json_int_t)type, "digest", jhex(digest, 48), "event", name,
	    "event_payload", jhex(payload, plen));
	if (e == NULL || json_array_append_new(full, e) != 0)
		fatalx("tmon-sim: event log");
	/* NanoGPT's top-level copy: imr 3 digests left empty */
	e = json_pack("{s:i,s:I,s:o,s:s,s:o}", "imr", imr, "event_type",
	    (json_int_t)type, "digest", imr == 3 ? json_string("") :
	    jhex(digest, 48), "event", name, "event_payload",
	    jhex(payload, plen));
	if (e == NULL || json_array_append_new(nano, e) != 0)
		fatalx("tmon-sim: event log");
}

static void
add_dstack_event(json_t *full, json_t *nano, const char *name,
    const void *payload, size_t plen, uint8_t rtmr[4][48])
{
	uint8_t le[4] = { EV_DSTACK & 0xff, (EV_DSTACK >> 8) & 0xff,
	    (EV_DSTACK >> 16) & 0xff, EV_DSTACK >> 24 };
	uint8_t d[48];
	struct buf b;

	buf_init(&b, MAX_SIM_BUILD);
	put(&b, le, 4);
	put(&b, ":", 1);
	put(&b, name, strlen(name));
	put(&b, ":", 1);
	put(&b, payload, plen);
	sim_sha384(b.data, b.len, NULL, 0, NULL, 0, d);
	buf_free(&b);
	add_event(full, nano, 3, EV_DSTACK, d, name, payload, plen, rtmr);
}

/*
 * One deployment: compose text, instance id seed and key; its event log
 * (the firmware events, then dstack's) and the registers it replays to.
 */
static void
app_init(const struct sim_pki *pki, struct sim_app *app, const char *compose,
    const char *instance_seed, int key)
{
	json_t *full = json_array(), *nano = json_array();
	uint8_t h[32], d[48];
	size_t i, n;

	app->key = key;
	app->app_compose = xstrdup(compose);
	sha256(compose, strlen(compose), app->compose_hash);
	sha256(instance_seed, strlen(instance_seed), h);
	memcpy(app->instance_id, h, 20);
	memset(app->mr_config_id, 0, sizeof(app->mr_config_id));
	app->mr_config_id[0] = 0x01;
	memcpy(app->mr_config_id + 1, app->compose_hash, 32);

	memset(app->rtmr, 0, sizeof(app->rtmr));
	for (i = 0; i < sizeof(fw_events) / sizeof(fw_events[0]); i++) {
		n = fw_events[i].type == 4 ? 4 : strlen(fw_events[i].payload);
		sim_sha384(fw_events[i].payload, n, NULL, 0, NULL, 0, d);
		add_event(full, nano, fw_events[i].imr, fw_events[i].type, d,
		    "", fw_events[i].payload, n, app->rtmr);
	}
	add_dstack_event(full, nano, "system-preparing", "", 0, app->rtmr);
	add_dstack_event(full, nano, "app-id", pki->app_id, 20, app->rtmr);
	add_dstack_event(full, nano, "compose-hash", app->compose_hash, 32,
	    app->rtmr);
	add_dstack_event(full, nano, "instance-id", app->instance_id, 20,
	    app->rtmr);
	add_dstack_event(full, nano, "boot-mr-done", "", 0, app->rtmr);
	add_dstack_event(full, nano, "mr-kms", pki->mr_kms, 32, app->rtmr);
	add_dstack_event(full, nano, "os-image-hash", pki->os_image_hash, 32,
	    app->rtmr);
	add_dstack_event(full, nano, "key-provider", key_provider,
	    strlen(key_provider), app->rtmr);
	add_dstack_event(full, nano, "storage-fs", "ext4", 4, app->rtmr);
	add_dstack_event(full, nano, "system-ready", "", 0, app->rtmr);
	app->event_log_full = dump(full);
	app->event_log_nanogpt = dump(nano);
}

void
sim_tdx_app_init(struct sim_pki *pki)
{
	json_t *vm;
	uint8_t h[32];

	sha256("tmon TEST app id", 16, h);
	memcpy(pki->app_id, h, 20);
	sha256("tmon TEST os image", 18, pki->os_image_hash);
	sha256("tmon TEST kms", 13, pki->mr_kms);
	sha256("tmon TEST QE user data", 22, h);
	memset(pki->user_data, 0, sizeof(pki->user_data));
	memcpy(pki->user_data, h, 16);
	sha256("tmon-sim TEST stale nonce", 25, pki->stale_nonce);
	sim_sha384("tmon TEST MRTD 1", 16, NULL, 0, NULL, 0, pki->mrtd[0]);
	sim_sha384("tmon TEST MRTD 2", 16, NULL, 0, NULL, 0, pki->mrtd[1]);
	sim_sha384("tmon TEST MRSEAM", 16, NULL, 0, NULL, 0, pki->mrseam);
	app_init(pki, &pki->app[SIM_APP_A], app_compose,
	    "tmon TEST instance id", SIM_KEY_A);
	app_init(pki, &pki->app[SIM_APP_B], app_compose,
	    "tmon TEST instance id B", SIM_KEY_B);
	app_init(pki, &pki->app[SIM_APP_ROLLED], app_compose_rolled,
	    "tmon TEST instance id", SIM_KEY_A);
	pki->key_provider_info = xstrdup(key_provider);
	vm = json_pack("{s:o,s:i,s:I,s:s,s:s,s:i,s:i}", "os_image_hash",
	    jhex(pki->os_image_hash, 32), "cpu_count", 2, "memory_size",
	    (json_int_t)2147483648LL, "qemu_version", "TEST", "image",
	    "tmon-sim-TEST", "num_gpus", 1, "spec_version", 1);
	if (vm == NULL)
		fatalx("tmon-sim: vm_config");
	pki->vm_config = dump(vm);
}

/* The QE report (SGX REPORT BODY, tdx_quote.h) into b. */
static void
qe_report(const struct sim_pki *pki, const uint8_t auth[32], struct buf *b)
{
	uint8_t attr[16] = { 0x11 }, h[32];

	put(b, pki->sgx_svn, 16);			/* cpusvn */
	put_le32(b, 0);					/* miscselect */
	put_zero(b, 28);
	put(b, attr, 16);				/* attributes */
	sha256("tmon TEST TD_QE MRENCLAVE", 25, h);
	put(b, h, 32);					/* mrenclave */
	put_zero(b, 32);
	put(b, pki->qe_mrsigner, 32);			/* mrsigner */
	put_zero(b, 96);
	put_le16(b, pki->qe_isvprodid);
	put_le16(b, pki->qe_isvsvn);
	put_zero(b, 60);
	if (!sha256_2(pki->attest_pub, 64, auth, 32, h))
		fatalx("tmon-sim: sha256");
	put(b, h, 32);					/* report_data */
	put_zero(b, 32);
}

void
sim_tdx_quote_tail_init(struct sim_pki *pki)
{
	struct buf t, rep;
	uint8_t auth[32], sig[64];
	size_t i, pem_len = strlen(pki->pck_chain_pem) + 1;	/* + NUL */

	for (i = 0; i < sizeof(auth); i++)
		auth[i] = (uint8_t)i;
	buf_init(&rep, MAX_SIM_BUILD);
	qe_report(pki, auth, &rep);
	if (rep.len != 384)
		fatalx("tmon-sim: QE report of %zu bytes", rep.len);
	sim_sign_raw(pki->pck_leaf_key, EVP_sha256(), rep.data, rep.len, sig,
	    32);

	buf_init(&t, MAX_SIM_BUILD);
	put(&t, pki->attest_pub, 64);
	put_le16(&t, 6);			/* QE report certification data */
	put_le32(&t, (uint32_t)(384 + 64 + 2 + sizeof(auth) + 2 + 4 +
	    pem_len));
	put(&t, rep.data, rep.len);
	put(&t, sig, sizeof(sig));
	put_le16(&t, sizeof(auth));
	put(&t, auth, sizeof(auth));
	put_le16(&t, 5);			/* PCK certificate chain */
	put_le32(&t, (uint32_t)pem_len);
	put(&t, pki->pck_chain_pem, pem_len);
	buf_free(&rep);
	pki->quote_tail = buf_release(&t, &pki->quote_tail_len);
}

uint8_t *
sim_tdx_quote(const struct sim_pki *pki, const uint8_t nonce[32],
    int mrtd_idx, int app_idx, size_t *len)
{
	const struct sim_app *app = &pki->app[app_idx];
	uint8_t rd[64];

	memset(rd, 0, sizeof(rd));
	if (!hex_decode_exact(pki->address[app->key],
	    strlen(pki->address[app->key]), rd, 20, true))
		fatalx("tmon-sim: signing address");
	memcpy(rd + 32, nonce, 32);
	return sim_tdx_quote_rd(pki, rd, mrtd_idx, app_idx, len);
}

uint8_t *
sim_tdx_quote_rd(const struct sim_pki *pki, const uint8_t rd[64],
    int mrtd_idx, int app_idx, size_t *len)
{
	return sim_tdx_quote_app(pki, rd, mrtd_idx, &pki->app[app_idx], len);
}

uint8_t *
sim_tdx_quote_app(const struct sim_pki *pki, const uint8_t rd[64],
    int mrtd_idx, const struct sim_app *app, size_t *len)
{
	/* TDATTRIBUTES: SEPT_VE_DISABLE (bit 28), no DEBUG */
	static const uint8_t td_attr[8] = { 0x00, 0x00, 0x00, 0x10 };
	static const uint8_t xfam[8] = { 0xe7, 0x02, 0x06 };
	struct buf q;
	uint8_t sig[64];

	buf_init(&q, MAX_SIM_BUILD);
	/* header */
	put_le16(&q, 4);
	put_le16(&q, 2);			/* ECDSA-256-with-P-256 */
	put_le32(&q, 0x81);			/* TDX */
	put_zero(&q, 4);
	put(&q, tdx_intel_qe_vendor_id, 16);
	put(&q, pki->user_data, 20);
	/* TD report body, TD10 */
	put(&q, pki->tee_tcb_svn, 16);
	put(&q, pki->mrseam, 48);
	put_zero(&q, 48);			/* MRSIGNERSEAM: Intel */
	put_zero(&q, 8);			/* SEAMATTRIBUTES */
	put(&q, td_attr, 8);
	put(&q, xfam, 8);
	put(&q, pki->mrtd[mrtd_idx], 48);
	put(&q, app->mr_config_id, 48);
	put_zero(&q, 48);			/* MROWNER */
	put_zero(&q, 48);			/* MROWNERCONFIG */
	put(&q, app->rtmr, sizeof(app->rtmr));
	put(&q, rd, 64);
	if (q.len != 48 + 584)
		fatalx("tmon-sim: signed region of %zu bytes", q.len);
	sim_sign_raw(pki->attest_key, EVP_sha256(), q.data, q.len, sig, 32);
	put_le32(&q, (uint32_t)(64 + pki->quote_tail_len));
	put(&q, sig, 64);
	put(&q, pki->quote_tail, pki->quote_tail_len);
	return buf_release(&q, len);
}

/* info.tcb_info and info (dstack Info), as the vllm-proxy serves them. */
static json_t *
info_object(const struct sim_pki *pki, int mrtd_idx, const struct sim_app *app)
{
	json_t *tcb, *info, *ev;
	uint8_t dev[32], agg[32];
	struct buf b;

	sha256(pki->user_data, sizeof(pki->user_data), dev);
	buf_init(&b, MAX_SIM_BUILD);
	put(&b, pki->mrtd[mrtd_idx], 48);
	put(&b, app->rtmr, sizeof(app->rtmr));
	put(&b, app->mr_config_id, 48);
	put_zero(&b, 96);			/* MROWNER, MROWNERCONFIG */
	sha256(b.data, b.len, agg);
	buf_free(&b);
	ev = event_log(app);
	tcb = json_pack("{s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:o}",
	    "mrtd", jhex(pki->mrtd[mrtd_idx], 48),
	    "rtmr0", jhex(app->rtmr[0], 48), "rtmr1", jhex(app->rtmr[1], 48),
	    "rtmr2", jhex(app->rtmr[2], 48), "rtmr3", jhex(app->rtmr[3], 48),
	    "app_compose", app->app_compose, "event_log", ev,
	    "mr_aggregated", jhex(agg, 32),
	    "os_image_hash", jhex(pki->os_image_hash, 32),
	    "compose_hash", jhex(app->compose_hash, 32),
	    "device_id", jhex(dev, 32));
	info = json_pack("{s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:s,s:o,s:s}",
	    "app_id", jhex(pki->app_id, 20),
	    "instance_id", jhex(app->instance_id, 20),
	    "tcb_info", tcb, "app_name", "tmon-sim TEST app",
	    "device_id", jhex(dev, 32), "mr_aggregated", jhex(agg, 32),
	    "os_image_hash", jhex(pki->os_image_hash, 32),
	    "key_provider_info", pki->key_provider_info,
	    "compose_hash", jhex(app->compose_hash, 32),
	    "vm_config", pki->vm_config);
	if (tcb == NULL || info == NULL)
		fatalx("tmon-sim: info object");
	return info;
}

char *
sim_tdx_report(const struct sim_pki *pki, enum sim_flavour fl,
    const uint8_t nonce[32], int mrtd_idx, int app_idx)
{
	const struct sim_app *app = &pki->app[app_idx];
	json_t *att, *root;
	uint8_t *quote;
	char *qhex, *payload, *out;
	size_t qlen;

	quote = sim_tdx_quote(pki, nonce, mrtd_idx, app_idx, &qlen);
	qhex = sim_hex(quote, qlen);
	payload = sim_gpu_payload(pki, nonce);
	att = json_pack("{s:s,s:s,s:o,s:s,s:s,s:o}",
	    "signing_address", pki->address[app->key], "signing_algo", "ecdsa",
	    "request_nonce", jhex(nonce, 32), "intel_quote", qhex,
	    "nvidia_payload", payload, "info", info_object(pki, mrtd_idx,
	    app));
	if (att == NULL)
		fatalx("tmon-sim: attestation object");
	if (fl == SIM_FLAVOUR_NANOGPT) {
		/* NanoGPT: a duplicate "quote", event_log as a string */
		json_object_set_new(att, "quote", json_string(qhex));
		json_object_set_new(att, "event_log",
		    json_string(app->event_log_nanogpt));
		json_object_set_new(att, "vm_config",
		    json_string(pki->vm_config));
	} else {
		json_object_set_new(att, "event_log", event_log(app));
	}
	json_object_set_new(att, "signing_public_key",
	    jhex(pki->pub[app->key], 64));
	root = json_deep_copy(att);
	if (root == NULL || json_object_set_new(root, "all_attestations",
	    json_pack("[o]", att)) != 0 ||
	    json_object_set_new(root, "tmon_sim", json_string(SIM_NOTICE)) !=
	    0)
		fatalx("tmon-sim: report");
	out = dump(root);
	free(quote);
	free(qhex);
	free(payload);
	return out;
}

/* ---- Intel PCS collateral ------------------------------------------------ */

static json_t *
svn_list(const uint8_t svn[16], bool tdx)
{
	json_t *a = json_array(), *c;
	int i;

	for (i = 0; i < 16; i++) {
		c = json_pack("{s:i}", "svn", svn[i]);
		if (tdx && i < 2) {
			json_object_set_new(c, "category", json_string("OS/VMM"));
			json_object_set_new(c, "type", json_string("TDX Module"));
		} else if (tdx && i == 2) {
			json_object_set_new(c, "category", json_string("OS/VMM"));
			json_object_set_new(c, "type",
			    json_string("TDX Late Microcode Update"));
		}
		if (c == NULL || json_array_append_new(a, c) != 0)
			fatalx("tmon-sim: tcb components");
	}
	return a;
}

/* One tcbLevels entry; advisory may be NULL. */
static json_t *
tcb_level(const uint8_t sgx[16], int pcesvn, const uint8_t tdx[16],
    const char *date, const char *status, const char *advisory)
{
	json_t *l = json_pack("{s:{s:o,s:i,s:o},s:s,s:s}", "tcb",
	    "sgxtcbcomponents", svn_list(sgx, false), "pcesvn", pcesvn,
	    "tdxtcbcomponents", svn_list(tdx, true), "tcbDate", date,
	    "tcbStatus", status);

	if (l == NULL)
		fatalx("tmon-sim: tcb level");
	if (advisory != NULL)
		json_object_set_new(l, "advisoryIDs", json_pack("[s]",
		    advisory));
	return l;
}

/* {"<key>":<text>,"signature":"<hex r||s over text>"} */
static char *
signed_body(const struct sim_pki *pki, const char *key, const char *text)
{
	uint8_t sig[64];
	char *hex;
	struct buf b;
	size_t n;

	sim_sign_raw(pki->tcb_key, EVP_sha256(), text, strlen(text), sig, 32);
	hex = sim_hex(sig, sizeof(sig));
	buf_init(&b, MAX_SIM_BUILD);
	if (!buf_printf(&b, "{\"%s\":%s,\"signature\":\"%s\"}", key, text,
	    hex))
		fatalx("tmon-sim: collateral body");
	free(hex);
	return (char *)buf_release(&b, &n);
}

void
sim_tdx_collateral_init(struct sim_pki *pki)
{
	static const char zeros48[] = "0000000000000000000000000000000000000000"
	    "00000000000000000000000000000000000000000000000000000000";
	uint8_t tdx_up[16] = { 5, 0, 3 }, tdx_old[16] = { 5, 0, 2 };
	uint8_t sgx_old[16];
	char issue[32], next[32], date[32], fmspc[13], pceid[5], mrs[65];
	char *text, *h;
	json_t *ti, *qe, *levels, *mods;
	size_t i;

	sim_rfc3339(pki->start - 60, issue, sizeof(issue));
	sim_rfc3339(pki->start - 60 + SIM_COLLATERAL_DAYS * (int64_t)DAY, next,
	    sizeof(next));
	sim_rfc3339(pki->start - 30 * (int64_t)DAY, date, sizeof(date));
	h = sim_hex(pki->fmspc, 6);
	snprintf(fmspc, sizeof(fmspc), "%s", h);
	free(h);
	h = sim_hex(pki->pceid, 2);
	snprintf(pceid, sizeof(pceid), "%s", h);
	free(h);
	for (i = 0; i < 16; i++)
		sgx_old[i] = pki->sgx_svn[i] > 0 ? pki->sgx_svn[i] - 1 : 0;

	mods = json_pack("[{s:s,s:s,s:s,s:s,s:[{s:{s:i},s:s,s:s},"
	    "{s:{s:i},s:s,s:s,s:[s]}]}]",
	    "id", "TDX_01", "mrsigner", zeros48, "attributes",
	    "0000000000000000", "attributesMask", "FFFFFFFFFFFFFFFF",
	    "tcbLevels", "tcb", "isvsvn", 6, "tcbDate", date, "tcbStatus",
	    "UpToDate", "tcb", "isvsvn", 2, "tcbDate", date, "tcbStatus",
	    "OutOfDate", "advisoryIDs", "TMON-TEST-SA-00001");
	levels = json_pack("[o,o]",
	    tcb_level(pki->sgx_svn, pki->pcesvn, tdx_up, date, "UpToDate",
	    NULL),
	    tcb_level(sgx_old, 5, tdx_old, date, "OutOfDate",
	    "TMON-TEST-SA-00001"));
	ti = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:i,s:i,"
	    "s:{s:s,s:s,s:s},s:o,s:o}",
	    "id", "TDX", "version", 3, "issueDate", issue, "nextUpdate", next,
	    "fmspc", fmspc, "pceId", pceid, "tcbType", 0,
	    "tcbEvaluationDataNumber", 19,
	    "tdxModule", "mrsigner", zeros48, "attributes",
	    "0000000000000000", "attributesMask", "FFFFFFFFFFFFFFFF",
	    "tdxModuleIdentities", mods, "tcbLevels", levels);
	if (mods == NULL || levels == NULL || ti == NULL)
		fatalx("tmon-sim: tcb info");
	text = dump(ti);
	pki->tcb_info_body = signed_body(pki, "tcbInfo", text);
	free(text);

	for (i = 0; i < 32; i++)
		snprintf(mrs + 2 * i, 3, "%02X", pki->qe_mrsigner[i]);
	qe = json_pack("{s:s,s:i,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:i,"
	    "s:[{s:{s:i},s:s,s:s}]}",
	    "id", "TD_QE", "version", 2, "issueDate", issue, "nextUpdate",
	    next, "tcbEvaluationDataNumber", 19, "miscselect", "00000000",
	    "miscselectMask", "FFFFFFFF", "attributes",
	    "11000000000000000000000000000000", "attributesMask",
	    "FBFFFFFFFFFFFFFF0000000000000000", "mrsigner", mrs, "isvprodid",
	    (int)pki->qe_isvprodid, "tcbLevels", "tcb", "isvsvn",
	    (int)pki->qe_isvsvn, "tcbDate", date, "tcbStatus", "UpToDate");
	if (qe == NULL)
		fatalx("tmon-sim: QE identity");
	text = dump(qe);
	pki->qe_identity_body = signed_body(pki, "enclaveIdentity", text);
	free(text);
}
