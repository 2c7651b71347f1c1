/*
 * cmd_verify_attestation.c: tmonctl verify-attestation, every check an
 * attestation response allows (attest.h), offline, with the code tmond
 * uses.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "attest.h"
#include "ctl.h"
#include "encode.h"
#include "probe.h"
#include "tdx_collateral.h"
#include "tls_binding.h"
#include "tmon_limits.h"
#include "util.h"
#include "verify_ctx.h"

static int	verify_attestation(int, char *[]);

const struct ctl_cmd ctl_cmd_verify_attestation = {
	"verify-attestation",
	"RESPONSE.json --nonce HEX [--collateral FILE] [--instances FILE] "
	"[--nras-token FILE --nras-jwks FILE] [--tls-spki FILE] [--at UNIX] "
	"[--json]",
	"Run every check an attestation response allows against our nonce.",
	"Verifies with the code tmond uses; the checks are the ones tmond "
	"records.\n\n"
	"  RESPONSE.json      the attestation endpoint's answer, as received\n"
	"  --nonce HEX        the nonce the request carried (64 hex "
	"characters)\n"
	"  --collateral FILE  Intel collateral for the quote (dcap-qvl JSON "
	"shape);\n"
	"                     without it tdx.collateral and tdx.tcb are error "
	"(exit 3)\n"
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
	"  --tls-spki FILE    the TLS key the attestation was served with: "
	"a DER\n"
	"                     SubjectPublicKeyInfo, DER certificates (the "
	"first:\n"
	"                     tmond's request.tls_chain_sha256 blob), or "
	"PEM PUBLIC\n"
	"                     KEY or CERTIFICATE (the first); without it "
	"tls.binding\n"
	"                     is skip\n"
	"  --at UNIX          verification time, unix seconds (default: now)\n"
	"  --json             print the result as JSON\n",
	NULL,
	verify_attestation
};

static void
print_table(const struct attest_result *r)
{
	ctl_print_checks(&r->checks);
	printf("\nformat: %s\nverdict: %s\n", gw_format_str(r->format),
	    check_status_str(r->verdict));
	(void)ctl_result(&r->checks, r->verdict, stdout);
}

static void
print_json(const struct attest_result *r, const uint8_t nonce[32], int64_t at)
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
	s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("%s\n", s);
	free(s);
	json_decref(o);
}

/* attest_ctx collateral lookup: the one collateral given, if it is for
 * this FMSPC (the check reports a mismatch otherwise). */
static const struct tdx_collateral *
file_collateral(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	(void)fmspc;
	(void)pck_ca;
	return arg;
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
		{ NULL, 0, NULL, 0 }
	};
	const struct ctl_cmd *cmd = &ctl_cmd_verify_attestation;
	struct tdx_collateral *col = NULL;
	struct attest_ctx ctx;
	const char *coll_path = NULL, *nras_path = NULL, *jwks_path = NULL;
	const char *inst_path = NULL, *spki_path = NULL;
	uint8_t spki[32];
	uint8_t *nras = NULL, *jwks = NULL, *inst = NULL;
	size_t nras_len = 0, jwks_len = 0, inst_len = 0;
	uint8_t *ctext;
	size_t clen;
	struct attest_result *r;
	struct tmon_err err;
	uint8_t nonce[32], *body = NULL;
	const char *nonce_hex = NULL;
	int64_t at = (int64_t)time(NULL);
	size_t len;
	int ch, json = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			nonce_hex = optarg;
			break;
		case 'a':
			if (!ctl_parse_at(optarg, &at))
				return CTL_EXIT_USAGE;
			break;
		case 'j':
			json = 1;
			break;
		case 'c':
			coll_path = optarg;
			break;
		case 'i':
			inst_path = optarg;
			break;
		case 't':
			nras_path = optarg;
			break;
		case 'k':
			jwks_path = optarg;
			break;
		case 's':
			spki_path = optarg;
			break;
		default:
			ctl_usage(cmd, stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || nonce_hex == NULL) {
		ctl_usage(cmd, stderr);
		return CTL_EXIT_USAGE;
	}
	if (!hex_decode_exact(nonce_hex, strlen(nonce_hex), nonce, 32, true)) {
		fprintf(stderr, "tmonctl: --nonce: expected 64 hex characters\n");
		return CTL_EXIT_USAGE;
	}
	tmon_err_clear(&err);
	if (spki_path != NULL) {
		if (read_file(spki_path, MAX_BLOB_LEN, &body, &len, &err) !=
		    TMON_OK || tls_spki_sha256_of(body, len, spki, &err) !=
		    TMON_OK) {
			fprintf(stderr, "tmonctl: %s: %s\n", spki_path,
			    err.msg);
			free(body);
			return CTL_EXIT_USAGE;
		}
		free(body);
		body = NULL;
	}
	tmon_err_clear(&err);
	if (read_file(argv[optind], MAX_UPSTREAM_BODY, &body, &len, &err) !=
	    TMON_OK) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		return CTL_EXIT_USAGE;
	}
	if (inst_path != NULL && read_file(inst_path, MAX_UPSTREAM_BODY, &inst,
	    &inst_len, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		free(body);
		return CTL_EXIT_USAGE;
	}
	memset(&ctx, 0, sizeof(ctx));
	if (spki_path != NULL) {
		ctx.has_tls_spki = true;
		memcpy(ctx.tls_spki_sha256, spki, 32);
	}
	ctx.chutes_instances = inst;
	ctx.chutes_instances_len = inst_len;
	if ((nras_path != NULL && read_file(nras_path, MAX_NRAS_ANSWER, &nras,
	    &nras_len, &err) != TMON_OK) || (jwks_path != NULL &&
	    read_file(jwks_path, MAX_NRAS_JWKS, &jwks, &jwks_len, &err) !=
	    TMON_OK)) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		free(nras);
		free(inst);
		free(body);
		return CTL_EXIT_USAGE;
	}
	ctx.nras_eat = nras;
	ctx.nras_eat_len = nras_len;
	ctx.nras_jwks = jwks;
	ctx.nras_jwks_len = jwks_len;
	if (coll_path != NULL) {
		if (read_file(coll_path, MAX_UPSTREAM_BODY, &ctext, &clen, &err)
		    != TMON_OK) {
			fprintf(stderr, "tmonctl: %s\n", err.msg);
			free(inst);
			free(nras);
			free(jwks);
			free(body);
			return CTL_EXIT_USAGE;
		}
		if (tdx_collateral_from_qvl_json(ctext, clen, &col, &err) !=
		    TMON_OK) {
			fprintf(stderr, "tmonctl: %s: %s\n", coll_path, err.msg);
			free(ctext);
			free(inst);
			free(nras);
			free(jwks);
			free(body);
			return CTL_EXIT_USAGE;
		}
		free(ctext);
		ctx.collateral = file_collateral;
		ctx.collateral_arg = col;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		tdx_collateral_free(col);
		free(inst);
		free(nras);
		free(jwks);
		free(body);
		return CTL_EXIT_USAGE;
	}
	ctx.vc = verify_ctx_new();
	attest_verify_ctx(body, len, nonce, at, &ctx, r);
	verify_ctx_free(ctx.vc);
	if (json)
		print_json(r, nonce, at);
	else
		print_table(r);
	rc = ctl_result(&r->checks, r->verdict, NULL);
	tdx_collateral_free(col);
	free(r);
	free(inst);
	free(nras);
	free(jwks);
	free(body);
	return rc;
}
