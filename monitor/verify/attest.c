#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "attest.h"
#include "attest_chutes.h"
#include "attest_near.h"
#include "attest_tinfoil.h"
#include "encode.h"
#include "gateway.h"
#include "gateway_chutes.h"
#include "gpu_verify.h"
#include "nras.h"
#include "snp_report.h"
#include "snp_verify.h"
#include "tdx_eventlog.h"
#include "tdx_policy.h"
#include "tdx_quote.h"
#include "tdx_tcb.h"
#include "tdx_verify.h"
#include "tls_binding.h"
#include "util.h"

/* Tables of names are char arrays: no pointers, so no relocations and
 * no writable data (a position-independent pointer table is .data). */
static const char tdx_ids[][MAX_CHECK_ID] = { "tdx.quote.parse",
    "tdx.quote.signature", "tdx.pck_chain", "tdx.reportdata",
    "tdx.collateral", "tdx.tcb", "tdx.td_attributes", "tdx.event_log",
    "tdx.compose", "measurement.policy" };
/* tdx_ids[3..]: the checks that need a parsed quote */
#define QUOTE_DEP_FIRST	3
static const char gpu_ids[][MAX_CHECK_ID] = { "gpu.evidence",
    "gpu.cert_chain", "gpu.nonce", "gpu.nras" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
eq32(const uint8_t *a, const uint8_t *b)
{
	return CRYPTO_memcmp(a, b, 32) == 0;
}

/* "model", or "model_attestations[1]" when the response has several. */
static void
tee_name(const struct gw_report *rep, const struct gw_attestation *a,
    char *out, size_t outsz)
{
	if (rep->n_att <= 1) {
		snprintf(out, outsz, "%s", gw_role_str(a->role));
		return;
	}
	switch (a->role) {
	case GW_ROLE_GATEWAY:
		snprintf(out, outsz, "gateway");
		break;
	case GW_ROLE_INSTANCE:
		snprintf(out, outsz, "instance[%zu]", a->index);
		break;
	case GW_ROLE_COMPOSE_MANAGER:
		snprintf(out, outsz, "compose-manager[%zu]", a->index);
		break;
	case GW_ROLE_MODEL:
		snprintf(out, outsz, "model[%zu]", a->index);
		break;
	}
}

/* Merge the checks of one TEE into dst, prefixing details with its name. */
static void
merge(struct checklist *dst, const struct checklist *src, const char *name,
    bool prefix)
{
	const struct check *c;
	size_t i;

	for (i = 0; i < src->n; i++) {
		c = &src->items[i];
		if (prefix)
			checklist_set(dst, c->id, c->status, "%s: %s", name,
			    c->detail);
		else
			checklist_set(dst, c->id, c->status, "%s", c->detail);
	}
}

static void
short_hex(const uint8_t *p, char out[17])
{
	hex_encode(p, 8, out);
}

/*
 * A Tinfoil v3 document's report_data.nonce (what its REPORTDATA binds,
 * tdx.reportdata / snp.reportdata); a v2 document has none, only a
 * relay's echo may be there.
 */
static void
check_tinfoil_echo(const struct gw_report *rep, const uint8_t nonce[32],
    struct checklist *cl)
{
	const struct gw_attestation *a = &rep->att[0];
	char theirs[17], ours[17];

	short_hex(nonce, ours);
	if (a->has_request_nonce) {
		short_hex(a->request_nonce, theirs);
		if (eq32(a->request_nonce, nonce))
			checklist_set(cl, "nonce.echo", CHECK_PASS,
			    "report_data.nonce equals our nonce (%s...)",
			    ours);
		else
			checklist_set(cl, "nonce.echo", CHECK_FAIL,
			    "report_data.nonce %s... is not our nonce %s...: "
			    "replayed or cached attestation", theirs, ours);
		return;
	}
	if (rep->has_echo_nonce && !eq32(rep->echo_nonce, nonce)) {
		short_hex(rep->echo_nonce, theirs);
		checklist_set(cl, "nonce.echo", CHECK_FAIL, "the relay echoes "
		    "nonce %s..., not ours %s...: replayed or cached "
		    "attestation", theirs, ours);
		return;
	}
	checklist_set(cl, "nonce.echo", CHECK_SKIP, "the Tinfoil v%d "
	    "document carries no nonce%s; tdx.reportdata decides",
	    a->tinfoil.version, rep->has_echo_nonce ? " (the relay echoes "
	    "ours, but the evidence binds none)" : "");
}

static void
check_nonce_echo(const struct gw_report *rep, const uint8_t nonce[32],
    struct checklist *cl)
{
	const struct gw_attestation *a;
	char theirs[17], ours[17], name[48];
	size_t i, n = 0;

	short_hex(nonce, ours);
	if (rep->format == GW_FORMAT_CHUTES_DIRECT) {
		checklist_set(cl, "nonce.echo", CHECK_SKIP, "the Chutes API "
		    "echoes no nonce: each instance binds ours in "
		    "tdx.reportdata and gpu.nonce (layout %s)", CHUTES_LAYOUT);
		return;
	}
	if (rep->format == GW_FORMAT_TINFOIL) {
		check_tinfoil_echo(rep, nonce, cl);
		return;
	}
	if (rep->format == GW_FORMAT_CHUTES) {
		/* The relaying gateway picks the instance nonces; only its
		 * own top-level nonce can echo ours. */
		if (!rep->has_echo_nonce) {
			checklist_set(cl, "nonce.echo", CHECK_FAIL,
			    "response carries no nonce: freshness cannot be "
			    "shown");
			return;
		}
		short_hex(rep->echo_nonce, theirs);
		if (!eq32(rep->echo_nonce, nonce))
			checklist_set(cl, "nonce.echo", CHECK_FAIL,
			    "response does not echo our nonce: replayed or "
			    "cached attestation (nonce %s..., ours %s...)",
			    theirs, ours);
		else
			checklist_set(cl, "nonce.echo", CHECK_PASS,
			    "gateway nonce equals ours (%s...); the TEEs "
			    "attest nonces the gateway chose", ours);
		return;
	}
	for (i = 0; i < rep->n_att; i++) {
		a = &rep->att[i];
		if (!a->has_request_nonce)
			continue;
		n++;
		/* name the TEE only when there are several */
		if (rep->n_att > 1) {
			tee_name(rep, a, name, sizeof(name) - 2);
			memcpy(name + strlen(name), ": ", 3);
		} else
			name[0] = '\0';
		short_hex(a->request_nonce, theirs);
		if (eq32(a->request_nonce, nonce))
			continue;
		if (rep->has_echo_nonce && eq32(rep->echo_nonce, nonce))
			checklist_set(cl, "nonce.echo", CHECK_FAIL,
			    "%sthe gateway echoed our nonce but the "
			    "attestation used request_nonce %s...: evidence "
			    "not produced for our nonce", name, theirs);
		else
			checklist_set(cl, "nonce.echo", CHECK_FAIL,
			    "%sresponse does not echo our nonce: replayed "
			    "or cached attestation (request_nonce %s..., "
			    "ours %s...)", name, theirs, ours);
	}
	if (n == 0)
		checklist_set(cl, "nonce.echo", CHECK_FAIL,
		    "response carries no request_nonce: freshness cannot be "
		    "shown");
	else
		checklist_set(cl, "nonce.echo", CHECK_PASS,
		    "request_nonce equals our nonce (%s...)", ours);
}

/*
 * REPORTDATA layouts (attest.h; nearai/private-ml-sdk
 * vllm-proxy/src/app/quote/quote.py _build_report_data).  Sets
 * tdx.reportdata in cl and the matched layout in layout.
 */
static void
check_reportdata(const struct gw_attestation *a, const struct tdx_quote *q,
    const uint8_t nonce[32], struct checklist *cl, char *layout,
    size_t layoutsz)
{
	const uint8_t *rd = q->report.report_data;
	uint8_t first[32], h[32];
	char theirs[17];
	const char *name = NULL;

	layout[0] = '\0';
	if (a->is_tinfoil) {
		tinfoil_check_reportdata(&a->tinfoil, rd, nonce,
		    "tdx.reportdata", cl, layout, layoutsz);
		return;
	}
	if (a->role == GW_ROLE_INSTANCE) {
		chutes_check_reportdata(a, rd, nonce, cl, layout, layoutsz);
		return;
	}
	if (a->role == GW_ROLE_COMPOSE_MANAGER) {
		near_check_cm_reportdata(a, rd, nonce, cl, layout, layoutsz);
		return;
	}
	if (a->signing_key_len == 0) {
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "response names no signing key to bind");
		return;
	}
	memset(first, 0, sizeof(first));
	memcpy(first, a->signing_key, a->signing_key_len);
	if (eq32(rd, first))
		name = "address+nonce";
	else if (a->has_tls_fingerprint) {
		if (!sha256_2(a->signing_key, a->signing_key_len,
		    a->tls_fingerprint, 32, h)) {
			checklist_set(cl, "tdx.reportdata", CHECK_ERROR,
			    "sha-256 failed (library error)");
			return;
		}
		if (eq32(rd, h))
			name = "tls-fingerprint+nonce";
	}
	if (name == NULL) {
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "REPORTDATA[0:32] does not bind the signing key %s "
		    "(no known layout)", a->signing_address[0] != '\0' ?
		    a->signing_address : "(unnamed)");
		return;
	}
	snprintf(layout, layoutsz, "%s", name);
	if (eq32(rd + 32, nonce)) {
		checklist_set(cl, "tdx.reportdata", CHECK_PASS,
		    "REPORTDATA binds signing key %s and our nonce (layout %s)",
		    a->signing_address, name);
		return;
	}
	short_hex(rd + 32, theirs);
	if (a->has_request_nonce && eq32(rd + 32, a->request_nonce))
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "REPORTDATA binds the signing key and the response's own "
		    "request_nonce %s..., not our nonce (layout %s, "
		    "internally consistent only)", theirs, name);
	else
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "REPORTDATA[32:64] %s... is not our nonce (layout %s)",
		    theirs, name);
}

static void
check_gpu_nonce(const struct gpu_summary *sum, const uint8_t nonce[32],
    struct checklist *cl)
{
	char theirs[17];
	size_t i;

	for (i = 0; i < sum->n_gpus; i++) {
		if (!sum->gpu[i].parsed) {
			checklist_set(cl, "gpu.nonce", CHECK_FAIL,
			    "GPU %zu: evidence did not parse", i);
			continue;
		}
		if (eq32(sum->gpu[i].request_nonce, nonce))
			continue;
		short_hex(sum->gpu[i].request_nonce, theirs);
		if (sum->payload_has_nonce &&
		    eq32(sum->gpu[i].request_nonce, sum->payload_nonce))
			checklist_set(cl, "gpu.nonce", CHECK_FAIL,
			    "GPU %zu: SPDM request nonce %s... is the "
			    "payload's nonce, not ours (internally consistent "
			    "only)", i, theirs);
		else
			checklist_set(cl, "gpu.nonce", CHECK_FAIL,
			    "GPU %zu: SPDM request nonce %s... is not our "
			    "nonce", i, theirs);
	}
	if (sum->n_gpus == 0)
		checklist_set(cl, "gpu.nonce", CHECK_FAIL,
		    "no GPU evidence to bind");
	else
		checklist_set(cl, "gpu.nonce", CHECK_PASS,
		    "%zu GPU%s: SPDM request nonce equals our nonce",
		    sum->n_gpus, sum->n_gpus == 1 ? "" : "s");
}

/* The TCB status and advisories tdx.tcb judged (none: not judged). */
static void
measure_tcb(const struct tdx_tcb_result *r, struct attest_measurement *m)
{
	size_t i;

	if (r->verdict == TDX_TCB_CANNOT || r->status == TDX_TCB_UNKNOWN)
		return;
	snprintf(m->tcb_status, sizeof(m->tcb_status), "%s",
	    tdx_tcb_status_str(r->status));
	for (i = 0; i < r->n_advisory && i < MAX_MEAS_ADVISORIES; i++)
		memcpy(m->advisories[i], r->advisory[i].id,
		    MAX_ADVISORY_ID_LEN);
	m->n_advisories = i;
	m->advisories_cut = r->advisory_truncated || i < r->n_advisory;
}

/* A dstack system event of the log q's RTMR3 authenticates, if any. */
static void
event_value(const struct tdx_quote *q, const json_t *att, const char *name,
    struct attest_event_value *out)
{
	memset(out, 0, sizeof(*out));
	out->has = tdx_event_log_system_payload(q, att, name, out->v,
	    sizeof(out->v), &out->len, NULL) == TMON_OK;
}

/* The collateral lookup of ctx, remembering what it answered. */
struct coll_seen {
	const struct attest_ctx		*ctx;
	const struct tdx_collateral	*col;
};

static const struct tdx_collateral *
coll_lookup(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	struct coll_seen *cs = arg;

	cs->col = cs->ctx->collateral(cs->ctx->collateral_arg, fmspc, pck_ca);
	return cs->col;
}

/*
 * The AMD SEV-SNP report of a Tinfoil document (a->quote): snp.* with
 * the AMD collateral of ctx (snp_verify.h) and snp.reportdata; the tdx.*
 * checks do not apply.
 */
static void
verify_snp(const struct gw_attestation *a, const struct attest_ctx *ctx,
    const uint8_t nonce[32], int64_t now, struct checklist *cl,
    struct attest_measurement *m, bool primary)
{
	const uint8_t *vcek = NULL, *chain = NULL, *ark = NULL;
	size_t vcek_len = 0, chain_len = 0, ark_len = 0, i;
	struct snp_report r;
	struct tmon_err err;
	char layout[32];

	for (i = 0; i < NELEM(tdx_ids); i++)
		checklist_set(cl, tdx_ids[i], CHECK_SKIP, "not applicable: "
		    "an AMD SEV-SNP report, not a TDX quote");
	tmon_err_clear(&err);
	/* the collateral is looked up by what the report says; snp_verify
	 * then checks the VCEK against the report */
	if (ctx->amd_collateral != NULL && snp_report_parse(a->quote,
	    a->quote_len, &r, &err) == TMON_OK &&
	    !ctx->amd_collateral(ctx->amd_collateral_arg, snp_product(&r),
	    r.chip_id, r.reported_tcb, &vcek, &vcek_len, &chain,
	    &chain_len)) {
		vcek = chain = NULL;
		vcek_len = chain_len = 0;
	}
	if (ctx->test_pki && ctx->amd_root_der != NULL) {
		ark = ctx->amd_root_der;
		ark_len = ctx->amd_root_der_len;
	}
	if (!snp_verify(a->quote, a->quote_len, vcek, vcek_len, chain,
	    chain_len, ark, ark_len, now, cl, &r)) {
		checklist_set(cl, "snp.reportdata", CHECK_SKIP, "not checked: "
		    "the report did not parse");
		return;
	}
	tinfoil_check_reportdata(&a->tinfoil, r.report_data, nonce,
	    "snp.reportdata", cl, layout, sizeof(layout));
	if (!primary)
		return;
	m->has_snp_report = true;
	m->snp_version = r.version;
	memcpy(m->snp_measurement, r.measurement, 48);
	memcpy(m->snp_host_data, r.host_data, 32);
	memcpy(m->snp_chip_id, r.chip_id, 64);
	m->snp_policy = r.policy;
	m->snp_reported_tcb = r.reported_tcb;
	memcpy(m->report_data, r.report_data, 64);
	snprintf(m->reportdata_layout, sizeof(m->reportdata_layout), "%s",
	    layout);
	m->has_tls_fingerprint = a->has_tls_fingerprint;
	memcpy(m->tls_fingerprint, a->tls_fingerprint, 32);
	/* v2: REPORT_DATA[0:32] is the TLS key's fingerprint */
	if (a->tinfoil.version == 2) {
		m->has_tls_fingerprint = true;
		memcpy(m->tls_fingerprint, r.report_data, 32);
	}
}

static void
verify_tee(const struct gw_attestation *a, const struct attest_ctx *ctx,
    const uint8_t nonce[32], int64_t now, struct checklist *cl,
    struct attest_measurement *m, bool primary)
{
	struct tdx_tcb_result tcb;
	struct tdx_check_opts o;
	struct coll_seen cs;
	struct tdx_quote q;
	struct gpu_summary sum;
	char layout[32];
	size_t i;

	memset(&sum, 0, sizeof(sum));
	memset(&o, 0, sizeof(o));
	memset(&cs, 0, sizeof(cs));
	cs.ctx = ctx;
	if (ctx->test_pki && ctx->intel_root_der != NULL) {
		o.root_der = ctx->intel_root_der;
		o.root_der_len = ctx->intel_root_der_len;
	}
	/* the CRLs of tdx.pck_chain come from the same collateral */
	if (ctx->collateral != NULL) {
		o.lookup = coll_lookup;
		o.lookup_arg = &cs;
	}
	if (a->is_tinfoil && a->tinfoil.platform == TINFOIL_SEV_SNP) {
		verify_snp(a, ctx, nonce, now, cl, m, primary);
	} else if (a->quote == NULL) {
		checklist_set(cl, "tdx.quote.parse", CHECK_FAIL,
		    "attestation has no intel_quote");
		for (i = 1; i < NELEM(tdx_ids); i++)
			checklist_set(cl, tdx_ids[i], CHECK_SKIP,
			    "not checked: no quote");
	} else if (!tdx_check_quote(ctx->vc, a->quote, a->quote_len, now, &o,
	    &q, cl)) {
		for (i = QUOTE_DEP_FIRST; i < NELEM(tdx_ids); i++)
			checklist_set(cl, tdx_ids[i], CHECK_SKIP,
			    "not checked: quote did not parse");
	} else {
		check_reportdata(a, &q, nonce, cl, layout, sizeof(layout));
		/* tdx.collateral, tdx.tcb, with the collateral whose CRLs
		 * tdx.pck_chain used; no collateral is an error */
		tdx_check_collateral(&q, cs.col, now, cl, primary ? &tcb :
		    NULL);
		/* event log: tdx.td_attributes, tdx.event_log,
		 * tdx.compose, measurement.policy (the schedule's allow-lists
		 * pin the model's TEEs, not the NEAR gateway's own app) */
		{
			char compose_hex[65];
			bool pinned;

			tdx_check_td_attributes(&q, cl);
			tdx_check_event_log(&q, a->obj, cl);
			tdx_check_compose(&q, a->obj, cl, compose_hex);
			/* nor the compose manager's second quote */
			pinned = a->role != GW_ROLE_GATEWAY &&
			    a->role != GW_ROLE_COMPOSE_MANAGER;

			if (pinned && ctx->policy_result != NULL)
				checklist_set(cl, "measurement.policy",
				    ctx->policy_result->status, "%s",
				    ctx->policy_result->detail);
			else if (pinned)
				measurement_check_policy(&q, a->obj,
				    compose_hex, ctx->policy, cl);
			/* the summary shows the compose hash the quote
			 * attests, not the one merely served */
			if (primary)
				snprintf(m->compose_hash,
				    sizeof(m->compose_hash), "%s",
				    compose_hex);
		}
		if (primary) {
			m->has_quote = true;
			memcpy(m->mrtd, q.report.mrtd, 48);
			memcpy(m->rtmr, q.report.rtmr, sizeof(m->rtmr));
			memcpy(m->report_data, q.report.report_data, 64);
			memcpy(m->mr_config_id, q.report.mr_config_id, 48);
			memcpy(m->tee_tcb_svn, q.report.tee_tcb_svn, 16);
			snprintf(m->reportdata_layout,
			    sizeof(m->reportdata_layout), "%s", layout);
			if (q.pck_ok) {
				m->has_fmspc = true;
				memcpy(m->fmspc, q.pck.fmspc, 6);
			}
			measure_tcb(&tcb, m);
			event_value(&q, a->obj, "app-id", &m->app_id);
			event_value(&q, a->obj, "instance-id", &m->instance_id);
			event_value(&q, a->obj, "os-image-hash",
			    &m->os_image_hash);
			event_value(&q, a->obj, "key-provider",
			    &m->key_provider);
			m->has_tls_fingerprint = a->has_tls_fingerprint;
			memcpy(m->tls_fingerprint, a->tls_fingerprint, 32);
			/* Tinfoil v2: REPORTDATA[0:32] is the TLS key's */
			if (a->is_tinfoil && a->tinfoil.version == 2) {
				m->has_tls_fingerprint = true;
				memcpy(m->tls_fingerprint,
				    q.report.report_data, 32);
			}
		}
	}

	/* tmon-sim: a test NVIDIA root only when test_pki */
	if (ctx->test_pki && ctx->nvidia_root_der != NULL) {
		if (a->nvidia_payload != NULL)
			gpu_check_payload_root(ctx->vc, a->nvidia_payload,
			    a->nvidia_payload_len, now, ctx->nvidia_root_der,
			    ctx->nvidia_root_der_len, cl, &sum);
		else if (a->gpu_evidence != NULL)
			gpu_check_evidence_list_root(ctx->vc, a->gpu_evidence,
			    now, ctx->nvidia_root_der, ctx->nvidia_root_der_len,
			    cl, &sum);
	} else if (a->nvidia_payload != NULL)
		gpu_check_payload(ctx->vc, a->nvidia_payload,
		    a->nvidia_payload_len, now, cl, &sum);
	else if (a->gpu_evidence != NULL)
		gpu_check_evidence_list(ctx->vc, a->gpu_evidence, now, cl,
		    &sum);
	if ((a->nvidia_payload != NULL || a->gpu_evidence != NULL) &&
	    a->role == GW_ROLE_INSTANCE)
		chutes_check_gpu_nonce(a, &sum, nonce, cl);
	else if (a->nvidia_payload != NULL || a->gpu_evidence != NULL)
		check_gpu_nonce(&sum, nonce, cl);
	else {
		checklist_set(cl, "gpu.evidence", CHECK_SKIP,
		    "no GPU evidence in this attestation");
		checklist_set(cl, "gpu.cert_chain", CHECK_SKIP,
		    "no GPU evidence in this attestation");
		checklist_set(cl, "gpu.nonce", CHECK_SKIP,
		    "no GPU evidence in this attestation");
	}
	if (primary) {
		m->n_gpus = sum.n_gpus;
		for (i = 0; i < sum.n_gpus && i < MAX_GPUS; i++) {
			snprintf(m->gpu[i].arch, sizeof(m->gpu[i].arch), "%s",
			    sum.gpu[i].arch);
			snprintf(m->gpu[i].driver_version,
			    sizeof(m->gpu[i].driver_version), "%s",
			    sum.gpu[i].driver_version);
			snprintf(m->gpu[i].vbios_version,
			    sizeof(m->gpu[i].vbios_version), "%s",
			    sum.gpu[i].vbios_version);
		}
		snprintf(m->signing_address, sizeof(m->signing_address), "%s",
		    a->signing_address);
		snprintf(m->signing_algo, sizeof(m->signing_algo), "%s",
		    a->algo == GW_ALGO_ECDSA ? "ecdsa" :
		    a->algo == GW_ALGO_ED25519 ? "ed25519" : "");
	}
}

/*
 * Evidence verified against test trust anchors must never read as a real
 * pass (README "The simulated provider"): every TDX, SEV-SNP and GPU detail
 * says so.
 */
static void
mark_test_pki(struct checklist *cl)
{
	struct check *c;
	size_t i, n;

	for (i = 0; i < cl->n; i++) {
		c = &cl->items[i];
		if (strncmp(c->id, "tdx.", 4) != 0 &&
		    strncmp(c->id, "snp.", 4) != 0 &&
		    strncmp(c->id, "gpu.", 4) != 0)
			continue;
		n = strlen(c->detail);
		if (n + sizeof(ATTEST_TEST_PKI_MARK) > sizeof(c->detail))
			n = sizeof(c->detail) - sizeof(ATTEST_TEST_PKI_MARK);
		memcpy(c->detail + n, ATTEST_TEST_PKI_MARK,
		    sizeof(ATTEST_TEST_PKI_MARK));
	}
}

static void
skip_all(struct checklist *cl, const char *why)
{
	size_t i;

	for (i = 0; i < NELEM(tdx_ids); i++)
		checklist_set(cl, tdx_ids[i], CHECK_SKIP, "%s", why);
	for (i = 0; i < NELEM(gpu_ids); i++)
		checklist_set(cl, gpu_ids[i], CHECK_SKIP, "%s", why);
}

static bool
evidence_checked(const struct checklist *cl)
{
	const struct check *c;
	size_t i;

	for (i = 0; i < cl->n; i++) {
		c = &cl->items[i];
		if ((strncmp(c->id, "tdx.", 4) == 0 ||
		    strncmp(c->id, "snp.", 4) == 0 ||
		    strncmp(c->id, "gpu.", 4) == 0) &&
		    strcmp(c->id, "gpu.nras") != 0 &&
		    (c->status == CHECK_PASS || c->status == CHECK_WARN))
			return true;
	}
	return false;
}

/* The e2e_pubkeys of a Chutes direct answer; on error rep is freed. */
static enum tmon_rc
chutes_attach(struct gw_report *rep, const struct attest_ctx *ctx,
    struct tmon_err *err)
{
	enum tmon_rc rc;

	rc = gw_chutes_attach_instances(rep, ctx->chutes_instances,
	    ctx->chutes_instances_len, err);
	if (rc != TMON_OK)
		gw_report_free(rep);
	return rc;
}

void
attest_verify(const uint8_t *body, size_t len, const uint8_t nonce[32],
    int64_t now, struct attest_result *res)
{
	attest_verify_ctx(body, len, nonce, now, NULL, res);
}

void
attest_verify_ctx(const uint8_t *body, size_t len, const uint8_t nonce[32],
    int64_t now, const struct attest_ctx *ctx, struct attest_result *res)
{
	static const struct attest_ctx none;

	struct gw_report rep;
	struct tmon_err err;
	struct checklist tee;
	char name[48];
	size_t i;

	memset(res, 0, sizeof(*res));
	checklist_init(&res->checks);
	tmon_err_clear(&err);
	if (ctx == NULL)
		ctx = &none;
	if (gw_report_decode(body, len, &rep, &err) != TMON_OK ||
	    chutes_attach(&rep, ctx, &err) != TMON_OK) {
		/* a format we do not know is "not checked", not "wrong" */
		res->verdict = err.code == TMON_E_UNSUPPORTED ? CHECK_ERROR :
		    CHECK_FAIL;
		checklist_set(&res->checks, "response.parse", res->verdict,
		    "%s", err.msg);
		skip_all(&res->checks, "not checked: response did not decode");
		return;
	}
	res->format = rep.format;
	res->m.n_attestations = rep.n_att;
	if (rep.format == GW_FORMAT_TINFOIL)
		checklist_set(&res->checks, "response.parse", CHECK_PASS,
		    "tinfoil format, v%d document, %s report",
		    rep.att[0].tinfoil.version, rep.att[0].tinfoil.platform ==
		    TINFOIL_TDX ? "Intel TDX" : "AMD SEV-SNP");
	else
		checklist_set(&res->checks, "response.parse", CHECK_PASS,
		    "%s format, %zu TEE attestation%s", rep.format_name,
		    rep.n_att, rep.n_att == 1 ? "" : "s");
	check_nonce_echo(&rep, nonce, &res->checks);
	for (i = 0; i < rep.n_att; i++) {
		checklist_init(&tee);
		verify_tee(&rep.att[i], ctx, nonce, now, &tee, &res->m,
		    i == rep.primary);
		if (rep.att[i].is_tinfoil)
			tinfoil_check_signature(&rep.att[i].tinfoil, body, len,
			    &tee);
		tee_name(&rep, &rep.att[i], name, sizeof(name));
		if (ctx->test_pki)
			mark_test_pki(&tee);
		merge(&res->checks, &tee, name, rep.n_att > 1);
	}
	tls_binding_check(&rep, &res->m, ctx, &res->checks);
	checklist_init(&tee);
	(void)nras_check(ctx->nras_eat, ctx->nras_eat_len, ctx->nras_jwks,
	    ctx->nras_jwks_len, nonce, now, &tee);
	if (ctx->test_pki)
		mark_test_pki(&tee);
	merge(&res->checks, &tee, NULL, false);
	res->verdict = checklist_verdict(&res->checks);
	if (res->verdict != CHECK_FAIL && !evidence_checked(&res->checks))
		res->verdict = CHECK_ERROR;
	gw_report_free(&rep);
}
