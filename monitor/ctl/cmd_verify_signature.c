/*
 * cmd_verify_signature.c: tmonctl verify-signature, the offline check of
 * a completion signature (monitor/verify/sig.h) saved from a signature
 * endpoint, optionally with the exact request and response bytes of the
 * exchange.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checklist.h"
#include "ctl.h"
#include "encode.h"
#include "probe.h"
#include "sig.h"
#include "tmon_limits.h"
#include "util.h"

static int	verify_signature(int, char *[]);

const struct ctl_cmd ctl_cmd_verify_signature = {
	"verify-signature",
	"SIGNATURE.json [--request FILE] [--response FILE] [--address ADDR] "
	"[--json]",
	"Check a completion signature and the request/response hashes it "
	"signs.",
	"  SIGNATURE.json   the signature endpoint's answer {text, signature,\n"
	"                   signing_address, signing_algo}\n"
	"  --request FILE   the exact request body bytes that were sent\n"
	"  --response FILE  the exact response bytes received (the whole SSE "
	"stream)\n"
	"  --address ADDR   the key the signer must be: an Ethereum address "
	"(0x + 40 hex)\n"
	"                   or an Ed25519 key (64 hex), e.g. from the "
	"attestation\n"
	"  --json           print the result as JSON\n\n"
	"Without --request/--response their checks are skip (exit 0); a "
	"signing_algo\n"
	"other than ecdsa and ed25519 is error (exit 3).\n",
	NULL,
	verify_signature
};

/* Read path (at most max bytes) or print why not; true on success. */
static bool
load(const char *what, const char *path, size_t max, uint8_t **buf,
    size_t *len)
{
	struct tmon_err err;

	tmon_err_clear(&err);
	if (read_file(path, max, buf, len, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: %s: %s\n", what, err.msg);
		return false;
	}
	return true;
}

static void
print_table(const struct checklist *cl, const struct sig_response *r,
    const char *signer)
{
	ctl_print_checks(cl);
	printf("\nsigning_algo: %s\n", r->signing_algo != NULL ?
	    r->signing_algo : "(none: ecdsa)");
	if (r->signature_kind != NULL)
		printf("signature_kind: %s\n", r->signature_kind);
	if (signer[0] != '\0')
		printf("signer: %s\n", signer);
	printf("verdict: %s\n", check_status_str(checklist_verdict(cl)));
	(void)ctl_result(cl, checklist_verdict(cl), stdout);
}

static void
print_json(const struct checklist *cl, const struct sig_response *r,
    const char *signer, const struct sig_text *t)
{
	json_t *o;
	char *s;

	o = json_object();
	json_object_set_new(o, "verdict",
	    json_string(check_status_str(checklist_verdict(cl))));
	json_object_set_new(o, "checks", entry_checks_json(cl));
	if (r->signing_algo != NULL)
		json_object_set_new(o, "signing_algo",
		    json_string(r->signing_algo));
	if (r->signature_kind != NULL)
		json_object_set_new(o, "signature_kind",
		    json_string(r->signature_kind));
	if (signer[0] != '\0')
		json_object_set_new(o, "signer", json_string(signer));
	if (t != NULL && t->model != NULL)
		json_object_set_new(o, "model", json_stringn(t->model,
		    t->model_len));
	s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (s != NULL)
		printf("%s\n", s);
	free(s);
	json_decref(o);
}

/* True if addr looks like an Ethereum address or a 32-byte key. */
static bool
address_ok(const char *addr)
{
	uint8_t b[32];
	size_t n = strlen(addr);

	return hex_decode_exact(addr, n, b, 20, true) ||
	    hex_decode_exact(addr, n, b, 32, true);
}

static int
verify_signature(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "request", required_argument, NULL, 'q' },
		{ "response", required_argument, NULL, 'r' },
		{ "address", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const char *req_path = NULL, *resp_path = NULL, *address = NULL;
	uint8_t *body = NULL, *req = NULL, *resp = NULL;
	size_t body_len = 0, req_len = 0, resp_len = 0;
	struct sig_response r;
	struct sig_input in;
	struct sig_text t;
	struct checklist *cl = NULL;
	struct tmon_err err;
	char signer[43] = "";
	bool have_text = false;
	int ch, json = 0, rc = CTL_EXIT_USAGE;

	memset(&r, 0, sizeof(r));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'q':
			req_path = optarg;
			break;
		case 'r':
			resp_path = optarg;
			break;
		case 'a':
			address = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			ctl_usage(&ctl_cmd_verify_signature, stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		ctl_usage(&ctl_cmd_verify_signature, stderr);
		return CTL_EXIT_USAGE;
	}
	if (address != NULL && !address_ok(address)) {
		fprintf(stderr, "tmonctl: --address: expected 0x + 40 hex "
		    "(ecdsa) or 64 hex (ed25519)\n");
		return CTL_EXIT_USAGE;
	}
	if (!load("signature", argv[optind], MAX_UPSTREAM_BODY, &body,
	    &body_len) ||
	    (req_path != NULL && !load("--request", req_path,
	    MAX_UPSTREAM_BODY, &req, &req_len)) ||
	    (resp_path != NULL && !load("--response", resp_path,
	    MAX_UPSTREAM_BODY, &resp, &resp_len)))
		goto out;

	cl = calloc(1, sizeof(*cl));
	if (cl == NULL) {
		fprintf(stderr, "tmonctl: out of memory\n");
		goto out;
	}
	checklist_init(cl);
	tmon_err_clear(&err);
	if (sig_response_parse(body, body_len, &r, &err) != TMON_OK) {
		/* the evidence is malformed: a failed check, as in
		 * verify-attestation */
		checklist_set(cl, "sig.completion", CHECK_FAIL, "%s", err.msg);
		checklist_set(cl, "sig.request_hash", CHECK_SKIP,
		    "no signed text");
		checklist_set(cl, "sig.response_hash", CHECK_SKIP,
		    "no signed text");
	} else {
		memset(&in, 0, sizeof(in));
		in.text = r.text;
		in.text_len = r.text_len;
		in.signature = r.signature;
		in.signing_address = r.signing_address;
		in.signing_algo = r.signing_algo;
		in.request = req;
		in.request_len = req_len;
		in.response = resp;
		in.response_len = resp_len;
		in.attested_address = address;
		sig_check_completion(&in, cl);
		have_text = sig_text_parse(r.text, r.text_len, &t, NULL) ==
		    TMON_OK;
		if (r.signing_algo == NULL ||
		    strcmp(r.signing_algo, "ecdsa") == 0)
			(void)sig_eip191_recover(r.text, r.text_len,
			    r.signature, signer, NULL);
	}
	if (json)
		print_json(cl, &r, signer, have_text ? &t : NULL);
	else
		print_table(cl, &r, signer);
	rc = ctl_result(cl, checklist_verdict(cl), NULL);
out:
	sig_response_free(&r);
	free(cl);
	free(body);
	free(req);
	free(resp);
	return rc;
}
