/*
 * cmd_verify_attestation.c: tmonctl verify-attestation, every check an
 * attestation response allows (attest.h), offline, with the code tmond
 * uses.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "attest.h"
#include "ctl.h"
#include "ctl_collateral.h"
#include "ctl_provenance.h"
#include "encode.h"
#include "probe.h"
#include "sigstore_root.h"
#include "tls_binding.h"
#include "tmon_limits.h"
#include "util.h"
#include "verify_ctx.h"
#include "xmalloc.h"

static int	verify_attestation(int, char *[]);

const struct ctl_cmd ctl_cmd_verify_attestation = {
	"verify-attestation",
	"RESPONSE.json --nonce HEX [--collateral FILE]... [--instances FILE] "
	"[--nras-token FILE [--nras-jwks FILE]] [--tls-spki FILE] "
	"[--provenance FILE [--trusted-root FILE]] [--at UNIX] [--json]",
	"Run every check an attestation response allows against our nonce.",
	"Verifies with the code tmond uses; the checks are the ones tmond "
	"records.\n\n"
	"  RESPONSE.json      the attestation endpoint's answer, as received\n"
	"  --nonce HEX        the nonce the request carried (64 hex "
	"characters)\n"
	"  --collateral FILE  collateral as served, any number of files; the "
	"kind is\n"
	"                     told from the bytes: Intel collateral (dcap-qvl "
	"JSON\n"
	"                     shape), an AMD KDS VCEK (DER or PEM), an AMD KDS\n"
	"                     cert_chain (PEM: ASK, ARK), an NRAS JWKS (JSON "
	"with\n"
	"                     \"keys\").  Each TEE is judged with the Intel "
	"collateral\n"
	"                     for its own FMSPC, or the VCEK and cert_chain of "
	"its\n"
	"                     chip; without it tdx.collateral and tdx.tcb (or\n"
	"                     snp.report.signature and snp.vcek_chain) are "
	"error\n"
	"                     (exit 3)\n"
	"  --instances FILE   the Chutes /e2e/instances answer that goes with "
	"a\n"
	"                     Chutes /chutes/{chute}/evidence RESPONSE (the "
	"instances'\n"
	"                     e2e_pubkey, which their binding checks need)\n"
	"  --nras-token FILE  NVIDIA NRAS's answer for the GPU evidence, as "
	"served;\n"
	"                     without it gpu.nras is skip\n"
	"  --nras-jwks FILE   NRAS's JWKS (/.well-known/jwks.json) fetched "
	"with it\n"
	"                     (a JWKS given with --collateral is the same)\n"
	"  --tls-spki FILE    the TLS key the attestation was served with: "
	"a DER\n"
	"                     SubjectPublicKeyInfo, DER certificates (the "
	"first:\n"
	"                     tmond's request.tls_chain_sha256 blob), or "
	"PEM PUBLIC\n"
	"                     KEY or CERTIFICATE (the first); without it "
	"tls.binding\n"
	"                     is skip\n"
	"  --provenance FILE  the releases of the enclave's code: a "
	"tmon-provenance/1\n"
	"                     file (provenance.h: each release's repository, "
	"tag, digest\n"
	"                     and GitHub attestations answer, newest "
	"first, the\n"
	"                     optional hardware-measurements release, "
	"the identity\n"
	"                     policy); adds provenance.release (the "
	"latest release's\n"
	"                     attestation verifies) and "
	"provenance.measurement (the\n"
	"                     enclave's registers are a verified "
	"release's)\n"
	"  --trusted-root FILE  the Sigstore trusted root for --provenance "
	"(default:\n"
	"                     the installed share/tmon/"
	CTL_SIGSTORE_ROOT_REL ",\n"
	"                     else the checkout's; one that does not load "
	"makes both\n"
	"                     checks error)\n"
	"  --at UNIX          verification time, unix seconds (default: now)\n"
	"  --json             print the result as JSON\n",
	NULL,
	verify_attestation
};

static void
print_table(const struct attest_result *r, const struct ctl_prov *prov)
{
	ctl_print_checks(&r->checks);
	printf("\nformat: %s\n", gw_format_str(r->format));
	if (prov != NULL)
		ctl_prov_print(prov);
	printf("verdict: %s\n", check_status_str(r->verdict));
	(void)ctl_result(&r->checks, r->verdict, stdout);
}

static void
print_json(const struct attest_result *r, const uint8_t nonce[32], int64_t at,
    const struct ctl_prov *prov)
{
	char nhex[65];
	json_t *o;
	char *s;

	o = json_object();
	json_object_set_new(o, "format", json_string(gw_format_str(r->format)));
	json_object_set_new(o, "verdict",
	    json_string(check_status_str(r->verdict)));
	json_object_set_new(o, "nonce", json_string(hex_encode(nonce, 32,
	    nhex)));
	json_object_set_new(o, "at", json_integer((json_int_t)at));
	json_object_set_new(o, "checks", entry_checks_json(&r->checks));
	json_object_set_new(o, "measurement",
	    entry_measurement_json(&r->m));
	if (prov != NULL)
		json_object_set_new(o, "provenance", ctl_prov_json(prov));
	s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("%s\n", s);
	free(s);
	json_decref(o);
}

static int
verify_attestation(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "nonce", required_argument, NULL, 'n' },
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "collateral", required_argument, NULL, 'c' },
		{ "instances", required_argument, NULL, 'i' },
		{ "nras-token", required_argument, NULL, 't' },
		{ "nras-jwks", required_argument, NULL, 'k' },
		{ "tls-spki", required_argument, NULL, 's' },
		{ "provenance", required_argument, NULL, 'p' },
		{ "trusted-root", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const struct ctl_cmd *cmd = &ctl_cmd_verify_attestation;
	struct ctl_colls colls;
	struct attest_ctx ctx;
	const char *nras_path = NULL, *inst_path = NULL, *spki_path = NULL;
	const char *prov_path = NULL, *root_arg = NULL, *root_path;
	struct sigstore_root *root = NULL;
	struct ctl_prov *prov = NULL;
	char rootbuf[PATH_MAX];
	enum check_status v;
	uint8_t spki[32], *spki_file = NULL;
	size_t spki_len = 0;
	uint8_t *nras = NULL, *inst = NULL;
	size_t nras_len = 0, inst_len = 0;
	struct attest_result *r;
	struct tmon_err err;
	uint8_t nonce[32], *body = NULL;
	const char *nonce_hex = NULL;
	int64_t at = (int64_t)time(NULL);
	size_t len;
	int ch, json = 0, rc;

	memset(&colls, 0, sizeof(colls));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			nonce_hex = optarg;
			break;
		case 'a':
			if (!ctl_parse_at(optarg, &at)) {
				ctl_colls_free(&colls);
				return CTL_EXIT_USAGE;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'c':
		case 'k':
			if ((rc = ctl_colls_add(&colls, optarg, ch == 'k')) !=
			    CTL_EXIT_OK) {
				ctl_colls_free(&colls);
				return rc;
			}
			break;
		case 'i':
			inst_path = optarg;
			break;
		case 't':
			nras_path = optarg;
			break;
		case 's':
			spki_path = optarg;
			break;
		case 'p':
			prov_path = optarg;
			break;
		case 'r':
			root_arg = optarg;
			break;
		default:
			ctl_colls_free(&colls);
			ctl_usage(cmd, stderr);
			return CTL_EXIT_USAGE;
		}
	}
	rc = CTL_EXIT_USAGE;
	r = NULL;
	if (optind + 1 != argc || nonce_hex == NULL) {
		ctl_usage(cmd, stderr);
		goto out;
	}
	if (!hex_decode_exact(nonce_hex, strlen(nonce_hex), nonce, 32, true)) {
		fprintf(stderr, "tmonctl: --nonce: expected 64 hex characters\n");
		goto out;
	}
	if (root_arg != NULL && prov_path == NULL) {
		fprintf(stderr, "tmonctl: --trusted-root goes with "
		    "--provenance\n");
		goto out;
	}
	if (prov_path != NULL) {
		prov = xcalloc(1, sizeof(*prov));
		if (!ctl_prov_load(prov, prov_path))
			goto out;
	}
	tmon_err_clear(&err);
	if (read_file(argv[optind], MAX_UPSTREAM_BODY, &body, &len, &err) !=
	    TMON_OK || (inst_path != NULL && read_file(inst_path,
	    MAX_UPSTREAM_BODY, &inst, &inst_len, &err) != TMON_OK) ||
	    (nras_path != NULL && read_file(nras_path, MAX_NRAS_ANSWER, &nras,
	    &nras_len, &err) != TMON_OK)) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		goto out;
	}
	if (spki_path != NULL && (read_file(spki_path, MAX_BLOB_LEN,
	    &spki_file, &spki_len, &err) != TMON_OK ||
	    tls_spki_sha256_of(spki_file, spki_len, spki, &err) != TMON_OK)) {
		fprintf(stderr, "tmonctl: %s: %s\n", spki_path, err.msg);
		goto out;
	}
	memset(&ctx, 0, sizeof(ctx));
	if (spki_path != NULL) {
		ctx.has_tls_spki = true;
		memcpy(ctx.tls_spki_sha256, spki, 32);
	}
	ctx.chutes_instances = inst;
	ctx.chutes_instances_len = inst_len;
	ctx.nras_eat = nras;
	ctx.nras_eat_len = nras_len;
	ctl_colls_ctx(&colls, &ctx);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto out;
	ctx.vc = verify_ctx_new();
	do
		attest_verify_ctx(body, len, nonce, at, &ctx, r);
	while (ctl_colls_retry(&colls, &r->checks));
	verify_ctx_free(ctx.vc);
	if (prov != NULL) {
		root_path = ctl_sigstore_root_path(root_arg, rootbuf,
		    sizeof(rootbuf));
		tmon_err_clear(&err);
		root = ctl_sigstore_root_load(root_path, &err);
		ctl_prov_verify(prov, root, err.msg, at, &r->m, &r->checks);
		/* a verdict of error (no evidence checked) stays error
		 * unless a check failed */
		v = checklist_verdict(&r->checks);
		if (v == CHECK_FAIL || r->verdict != CHECK_ERROR)
			r->verdict = v;
	}
	if (json)
		print_json(r, nonce, at, prov);
	else
		print_table(r, prov);
	rc = ctl_result(&r->checks, r->verdict, NULL);
out:
	if (prov != NULL)
		ctl_prov_free(prov);
	free(prov);
	sigstore_root_free(root);
	free(spki_file);
	ctl_colls_free(&colls);
	free(r);
	free(inst);
	free(nras);
	free(body);
	return rc;
}
