/*
 * cmd_verify_provenance.c: tmonctl verify-provenance, the offline check
 * of a release's code provenance: a GitHub attestations API answer for
 * the release's digest, verified as Sigstore bundles (sigstore.h) against
 * the pinned trusted root and an identity policy, with the code tmond
 * uses.
 */
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "checklist.h"
#include "ctl.h"
#include "ctl_provenance.h"
#include "encode.h"
#include "entry.h"
#include "provenance.h"
#include "sigstore.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

static int	verify_provenance(int, char *[]);

const struct ctl_cmd ctl_cmd_verify_provenance = {
	"verify-provenance",
	"ATTESTATIONS.json --digest HEX --repo OWNER/NAME [--trusted-root FILE] "
	"[--at UNIX] [--workflow PATTERN] [--ref PATTERN] [--issuer URL] "
	"[--predicate-type URI] [--json]",
	"Verify a release's GitHub attestation (Sigstore bundles) for its "
	"digest.",
	"Verifies with the code tmond uses (the sigstore.* checks, README "
	"\"Checks\").\n\n"
	"  ATTESTATIONS.json  GitHub's answer to GET /repos/OWNER/NAME/"
	"attestations/\n"
	"                     sha256:HEX, as served\n"
	"  --digest HEX       the release's SHA-256 (64 hex, \"sha256:\" "
	"prefix allowed):\n"
	"                     an attested subject must have it\n"
	"  --repo OWNER/NAME  the repository the signing certificate must "
	"name\n"
	"  --trusted-root FILE  the Sigstore trusted root (default: the "
	"installed\n"
	"                     share/tmon/" CTL_SIGSTORE_ROOT_REL ",\n"
	"                     else the checkout's)\n"
	"  --at UNIX          the time of the check, unix seconds (default: "
	"now): a\n"
	"                     signature time after it fails\n"
	"  --workflow PATTERN fnmatch pattern of the signing workflow's path\n"
	"                     (.github/workflows/release.yml; default: any)\n"
	"  --ref PATTERN      fnmatch pattern of the source ref (default "
	"\"" SIGSTORE_DEFAULT_REF "\";\n"
	"                     \"\": any ref)\n"
	"  --issuer URL       the certificate's OIDC issuer (default\n"
	"                     " SIGSTORE_GITHUB_ISSUER ")\n"
	"  --predicate-type URI  only attestations of this predicate type "
	"(default:\n"
	"                     any); Tinfoil's snp-tdx-multiplatform/v1 and\n"
	"                     hardware-measurements/v1 predicates must also "
	"parse\n"
	"  --json             print the result as JSON\n\n"
	"A body that is not JSON or not an attestations answer fails\n"
	"sigstore.bundle.parse (exit 1); a bundle format tmon does not verify "
	"is error\n"
	"(exit 3); a trusted root that cannot be read or parsed: nothing "
	"checked\n"
	"(exit 3).\n",
	NULL,
	verify_provenance
};

/* What was verified, for the output. */
struct vp_out {
	const char		*repo;
	const char		*root_path;
	uint8_t			 digest[32];
	int64_t			 at;
	enum check_status	 verdict;
	struct checklist	*cl;
	/* what the bundle's verification established (sigstore_verify_
	 * attestations, or prov_verify_release for a Tinfoil
	 * --predicate-type) */
	bool			 has_res;
	struct sigstore_result	 res;
	struct intoto_statement	 st;	/* sigstore_verify_attestations' */
	/* a Tinfoil predicate: prov_verify_release's release, or the
	 * statement's predicate read for display */
	bool			 has_pred;
	struct prov_release	 rel;
	const char		*pred_type;
};

static bool
is_tinfoil_type(const char *t)
{
	return t != NULL && (strcmp(t, PROV_PREDICATE_MULTIPLATFORM) == 0 ||
	    strcmp(t, PROV_PREDICATE_HARDWARE) == 0);
}

/* "OWNER/NAME": one '/', neither side empty, printable, no spaces. */
static bool
repo_ok(const char *s)
{
	const char *slash = strchr(s, '/');
	size_t i, n = strlen(s);

	if (slash == NULL || slash == s || slash[1] == '\0' ||
	    strchr(slash + 1, '/') != NULL || n >= MAX_PROV_REPO)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* A pattern or issuer: printable ASCII, shorter than MAX_PROV_PATTERN. */
static bool
text_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n >= MAX_PROV_PATTERN)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static void
print_reg(const char *name, const uint8_t r[PROV_REG_LEN])
{
	char hex[2 * PROV_REG_LEN + 1];

	printf("%s: %s\n", name, hex_encode(r, PROV_REG_LEN, hex));
}

static void
print_predicate(const struct prov_predicate *p)
{
	size_t i;

	if (p->kind == PROV_KIND_MULTIPLATFORM) {
		if (p->version[0] != '\0')
			printf("image_version: %s\n", p->version);
		print_reg("snp_measurement", p->snp_measurement);
		print_reg("tdx_rtmr1", p->rtmr1);
		print_reg("tdx_rtmr2", p->rtmr2);
		return;
	}
	for (i = 0; i < p->n_platforms; i++) {
		printf("platform: %s\n", p->platforms[i].name);
		print_reg("  mrtd", p->platforms[i].mrtd);
		print_reg("  rtmr0", p->platforms[i].rtmr0);
	}
}

static json_t *
reg_json(const uint8_t r[PROV_REG_LEN])
{
	char hex[2 * PROV_REG_LEN + 1];

	return tjson_chk(json_string(hex_encode(r, PROV_REG_LEN, hex)));
}

static json_t *
predicate_json(const struct prov_predicate *p)
{
	json_t *o, *pl, *x;
	size_t i;

	o = tjson_chk(json_object());
	if (p->kind == PROV_KIND_MULTIPLATFORM) {
		if (p->version[0] != '\0')
			tjson_set(o, "version", tjson_chk(json_string(
			    p->version)));
		tjson_set(o, "snp_measurement", reg_json(p->snp_measurement));
		x = tjson_chk(json_object());
		tjson_set(x, "rtmr1", reg_json(p->rtmr1));
		tjson_set(x, "rtmr2", reg_json(p->rtmr2));
		tjson_set(o, "tdx_measurement", x);
		return o;
	}
	pl = tjson_chk(json_object());
	for (i = 0; i < p->n_platforms; i++) {
		x = tjson_chk(json_object());
		tjson_set(x, "mrtd", reg_json(p->platforms[i].mrtd));
		tjson_set(x, "rtmr0", reg_json(p->platforms[i].rtmr0));
		tjson_set(pl, p->platforms[i].name, x);
	}
	tjson_set(o, "platforms", pl);
	return o;
}

/* The identity fields of the leaf certificate, in output order. */
static const struct {
	const char	*name;
	size_t		 off;
} id_fields[] = {
	{ "issuer", offsetof(struct fulcio_identity, issuer) },
	{ "signer", offsetof(struct fulcio_identity, san_uri) },
	{ "build_signer", offsetof(struct fulcio_identity, signer_uri) },
	{ "source_repository", offsetof(struct fulcio_identity, repo_uri) },
	{ "source_ref", offsetof(struct fulcio_identity, repo_ref) },
	{ "source_digest", offsetof(struct fulcio_identity, repo_digest) },
};
#define N_ID_FIELDS	(sizeof(id_fields) / sizeof(id_fields[0]))

static const char *
id_field(const struct fulcio_identity *id, size_t i)
{
	return (const char *)id + id_fields[i].off;
}

/* The verified time, 0 when none. */
static int64_t
verified_time(const struct vp_out *o)
{
	return o->has_res ? o->res.verified_time : 0;
}

static void
print_table(const struct vp_out *o)
{
	char hex[65], t[32];
	const char *v;
	size_t i;

	ctl_print_checks(o->cl);
	printf("\nrepository: %s\ndigest: sha256:%s\ntrusted_root: %s\n",
	    o->repo, hex_encode(o->digest, 32, hex), o->root_path);
	if (o->pred_type != NULL)
		printf("predicate_type: %s\n", o->pred_type);
	if (o->has_res) {
		for (i = 0; i < N_ID_FIELDS; i++)
			if ((v = id_field(&o->res.id, i))[0] != '\0')
				printf("%s: %s\n", id_fields[i].name, v);
		if (o->res.has_tlog)
			printf("log_index: %llu\n",
			    (unsigned long long)o->res.log_index);
	}
	if (verified_time(o) != 0)
		printf("verified_time: %s\n", fmt_time(verified_time(o), t,
		    sizeof(t)));
	if (o->has_pred)
		print_predicate(&o->rel.pred);
	printf("verdict: %s\n", check_status_str(o->verdict));
	(void)ctl_result(o->cl, o->verdict, stdout);
}

static void
print_json(const struct vp_out *o)
{
	char hex[65];
	json_t *j, *id;
	const char *v;
	char *s;
	size_t i;

	j = tjson_chk(json_object());
	tjson_set(j, "verdict", tjson_chk(json_string(check_status_str(
	    o->verdict))));
	tjson_set(j, "checks", entry_checks_json(o->cl));
	tjson_set(j, "repo", tjson_chk(json_string(o->repo)));
	tjson_set(j, "digest", tjson_chk(json_string(hex_encode(o->digest, 32,
	    hex))));
	tjson_set(j, "at", tjson_chk(json_integer((json_int_t)o->at)));
	tjson_set(j, "trusted_root", ctl_text_json(o->root_path));
	if (o->pred_type != NULL)
		tjson_set(j, "predicate_type", ctl_text_json(o->pred_type));
	if (o->has_res) {
		id = tjson_chk(json_object());
		for (i = 0; i < N_ID_FIELDS; i++)
			if ((v = id_field(&o->res.id, i))[0] != '\0')
				tjson_set(id, id_fields[i].name,
				    ctl_text_json(v));
		tjson_set(j, "identity", id);
		if (o->res.has_tlog)
			tjson_set(j, "log_index", tjson_chk(json_integer(
			    (json_int_t)o->res.log_index)));
	}
	if (verified_time(o) != 0)
		tjson_set(j, "verified_time", tjson_chk(json_integer(
		    (json_int_t)verified_time(o))));
	if (o->has_pred)
		tjson_set(j, "predicate", predicate_json(&o->rel.pred));
	s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (s != NULL)
		printf("%s\n", s);
	free(s);
	json_decref(j);
}

/* The worse of two statuses (check_severity). */
static enum check_status
worse(enum check_status a, enum check_status b)
{
	return check_severity(a) <= check_severity(b) ? a : b;
}

static int
verify_provenance(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "digest", required_argument, NULL, 'd' },
		{ "repo", required_argument, NULL, 'r' },
		{ "trusted-root", required_argument, NULL, 't' },
		{ "at", required_argument, NULL, 'a' },
		{ "workflow", required_argument, NULL, 'w' },
		{ "ref", required_argument, NULL, 'f' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "predicate-type", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const struct ctl_cmd *cmd = &ctl_cmd_verify_provenance;
	const char *digest_hex = NULL, *root_arg = NULL, *want = NULL;
	const char *workflow = NULL, *ref = SIGSTORE_DEFAULT_REF;
	const char *issuer = NULL;
	struct sigstore_root *root = NULL;
	struct sigstore_policy pol;
	struct tjson_doc d;
	struct tmon_err err;
	struct vp_out *o = NULL;
	char rootbuf[PATH_MAX];
	uint8_t *text = NULL;
	json_t *body = NULL;
	size_t len = 0;
	enum verdict v;
	int ch, json = 0, rc = CTL_EXIT_USAGE;

	o = xcalloc(1, sizeof(*o));
	o->cl = xcalloc(1, sizeof(*o->cl));
	checklist_init(o->cl);
	o->at = (int64_t)time(NULL);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			digest_hex = optarg;
			break;
		case 'r':
			o->repo = optarg;
			break;
		case 't':
			root_arg = optarg;
			break;
		case 'a':
			if (!ctl_parse_at(optarg, &o->at))
				goto out;
			break;
		case 'w':
			workflow = optarg;
			break;
		case 'f':
			ref = optarg;
			break;
		case 'i':
			issuer = optarg;
			break;
		case 'p':
			want = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			ctl_usage(cmd, stderr);
			goto out;
		}
	}
	if (optind + 1 != argc || digest_hex == NULL || o->repo == NULL) {
		ctl_usage(cmd, stderr);
		goto out;
	}
	if (!repo_ok(o->repo)) {
		fprintf(stderr, "tmonctl: --repo: expected OWNER/NAME\n");
		goto out;
	}
	if ((workflow != NULL && (workflow[0] == '\0' || !text_ok(workflow))) ||
	    !text_ok(ref) || (issuer != NULL && (issuer[0] == '\0' ||
	    !text_ok(issuer))) || (want != NULL && (want[0] == '\0' ||
	    !text_ok(want)))) {
		fprintf(stderr, "tmonctl: --workflow, --ref, --issuer and "
		    "--predicate-type take printable ASCII of at most %u "
		    "bytes (only --ref may be empty)\n",
		    (unsigned)MAX_PROV_PATTERN - 1);
		goto out;
	}
	if (!ctl_prov_read_answer(argv[optind], digest_hex, o->digest, &text,
	    &len))
		goto out;
	tmon_err_clear(&err);
	o->root_path = ctl_sigstore_root_path(root_arg, rootbuf,
	    sizeof(rootbuf));
	if ((root = ctl_sigstore_root_load(o->root_path, &err)) == NULL) {
		/* nothing can be checked without the root */
		fprintf(stderr, "tmonctl: trusted root: %s\n", err.msg);
		rc = CTL_EXIT_UNCHECKED;
		goto out;
	}

	memset(&pol, 0, sizeof(pol));
	pol.repo = o->repo;
	pol.workflow = workflow;
	pol.ref = ref[0] != '\0' ? ref : NULL;
	pol.issuer = issuer;
	memset(&d, 0, sizeof(d));
	d.name = "attestations";
	d.err = &err;
	tmon_err_clear(&err);
	if (tjson_load(&d, text, len, MAX_SIGSTORE_API_BODY, TJSON_ANY,
	    &body) != TMON_OK) {
		/* malformed evidence: a failed check (sigstore.h) */
		checklist_set(o->cl, "sigstore.bundle.parse", CHECK_FAIL, "%s",
		    err.msg);
		v = VERDICT_FAIL;
	} else if (is_tinfoil_type(want)) {
		v = prov_verify_release(root, body, want, &pol, o->repo, NULL,
		    o->digest, o->at, &o->rel, &o->res, o->cl);
		o->has_res = true;
		o->pred_type = want;
		o->has_pred = v == VERDICT_PASS;
	} else {
		v = sigstore_verify_attestations(root, body, want, &pol,
		    o->digest, o->at, &o->st, &o->res, o->cl);
		o->has_res = true;
		if (o->st.json != NULL) {
			o->pred_type = o->st.predicate_type;
			/* shown, not judged: the predicate as Tinfoil's */
			o->has_pred = is_tinfoil_type(o->pred_type) &&
			    prov_parse_predicate(o->pred_type,
			    o->st.predicate, &o->rel.pred, NULL) == TMON_OK;
		} else
			o->pred_type = want;
	}
	o->verdict = worse(checklist_verdict(o->cl), verdict_check(v));
	if (json)
		print_json(o);
	else
		print_table(o);
	rc = ctl_result(o->cl, o->verdict, NULL);
out:
	intoto_statement_free(&o->st);
	free(o->cl);
	free(o);
	json_decref(body);
	sigstore_root_free(root);
	free(text);
	return rc;
}
