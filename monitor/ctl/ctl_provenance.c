/*
 * ctl_provenance.c: the Sigstore trusted root of tmonctl and the
 * provenance checks of verify-attestation --provenance
 * (ctl_provenance.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest.h"
#include "ctl.h"
#include "ctl_provenance.h"
#include "encode.h"
#include "entry.h"
#include "sigstore.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

const char *
ctl_sigstore_root_path(const char *path, char *buf, size_t len)
{
	if (path != NULL)
		return path;
	return data_path(TMON_BIN_TO_DATA, TMON_DATADIR, CTL_SIGSTORE_ROOT_REL,
	    TMON_SIGSTORE_ROOT, buf, len);
}

struct sigstore_root *
ctl_sigstore_root_load(const char *path, struct tmon_err *err)
{
	struct sigstore_root *root = NULL;
	struct tmon_err e;
	uint8_t *text = NULL;
	size_t len = 0;

	tmon_err_clear(&e);
	if (read_file(path, MAX_SIGSTORE_ROOT_LEN, &text, &len, &e) !=
	    TMON_OK) {
		tmon_err_set(err, e.code, "%s", e.msg);
		return NULL;
	}
	if (sigstore_root_parse(text, len, path, &root, &e) != TMON_OK) {
		tmon_err_set(err, e.code, "%s", e.msg);
		root = NULL;
	}
	free(text);
	return root;
}

bool
ctl_prov_read_answer(const char *path, const char *digest_arg,
    uint8_t digest[32], uint8_t **text, size_t *len)
{
	struct tmon_err err;

	if (strncmp(digest_arg, "sha256:", 7) == 0)
		digest_arg += 7;
	if (!hex_decode_exact(digest_arg, strlen(digest_arg), digest, 32,
	    false)) {
		fprintf(stderr, "tmonctl: --digest: expected 64 hex "
		    "characters\n");
		return false;
	}
	tmon_err_clear(&err);
	if (read_file(path, MAX_SIGSTORE_API_BODY, text, len, &err) !=
	    TMON_OK) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		return false;
	}
	return true;
}

bool
ctl_prov_load(struct ctl_prov *p, const char *path)
{
	struct tmon_err err;
	uint8_t *text = NULL;
	size_t len = 0;
	bool ok;

	memset(p, 0, sizeof(*p));
	tmon_err_clear(&err);
	if (read_file(path, MAX_PROV_FILE, &text, &len, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: --provenance: %s\n", err.msg);
		return false;
	}
	ok = prov_file_parse(text, len, &p->file, &err) == TMON_OK;
	if (!ok)
		fprintf(stderr, "tmonctl: --provenance: %s: %s\n", path,
		    err.msg);
	free(text);
	return ok;
}

/* "REPO TAG sha256:HEX" of a release of the file into buf. */
static void
release_label(const struct prov_file_release *in, char *buf, size_t len)
{
	char hex[65];

	snprintf(buf, len, "%s%s%s sha256:%s", in->repo,
	    in->tag[0] != '\0' ? " " : "", in->tag,
	    hex_encode(in->digest, 32, hex));
}

/* Verify one release of the file for predicate type want. */
static void
verify_one(const struct prov_file *f, const struct prov_file_release *in,
    const struct sigstore_root *root, const char *want, int64_t now,
    struct ctl_prov_release *r)
{
	struct sigstore_policy pol;

	memset(&pol, 0, sizeof(pol));
	pol.repo = in->repo;
	pol.workflow = f->workflow[0] != '\0' ? f->workflow : NULL;
	pol.ref = f->ref[0] != '\0' ? f->ref : NULL;
	r->in = in;
	checklist_init(&r->sig);
	r->v = prov_verify_release(root, in->attestations, want, &pol,
	    in->repo, in->tag[0] != '\0' ? in->tag : NULL, in->digest, now,
	    &r->out, &r->res, &r->sig);
}

void
ctl_prov_verify(struct ctl_prov *p, const struct sigstore_root *root,
    const char *root_error, int64_t now, const struct attest_measurement *m,
    struct checklist *cl)
{
	struct prov_release *rels;
	struct prov_enclave enc;
	struct checklist hwcl;
	const struct check *c;
	const struct prov_predicate *hw = NULL;
	char what[MAX_CHECK_DETAIL];
	size_t i, n = 0;

	if (root == NULL) {
		snprintf(p->root_error, sizeof(p->root_error), "%s",
		    root_error != NULL ? root_error : "no trusted root");
		checklist_set(cl, "provenance.release", CHECK_ERROR,
		    "trusted root: %s", p->root_error);
		checklist_set(cl, "provenance.measurement", CHECK_ERROR,
		    "no verified release: the trusted root did not load");
		return;
	}
	p->verified = true;
	for (i = 0; i < p->file.n; i++)
		verify_one(&p->file, &p->file.rel[i], root,
		    PROV_PREDICATE_MULTIPLATFORM, now, &p->rel[i]);
	if (p->file.has_hw)
		verify_one(&p->file, &p->file.hw, root,
		    PROV_PREDICATE_HARDWARE, now, &p->hw);

	prov_release_summary(&p->rel[0].out, &p->rel[0].res, NULL, what,
	    sizeof(what));
	prov_check_release(&p->rel[0].sig, what, cl);
	if (p->file.has_hw) {
		checklist_init(&hwcl);
		prov_release_summary(&p->hw.out, &p->hw.res, NULL, what,
		    sizeof(what));
		prov_check_release(&p->hw.sig, what, &hwcl);
		c = checklist_get(&hwcl, "provenance.release");
		if (c != NULL && c->status != CHECK_PASS)
			checklist_set(cl, "provenance.release", c->status,
			    "hardware release: %s", c->detail);
		if (p->hw.v == VERDICT_PASS)
			hw = &p->hw.out.pred;
	}

	if (p->rel[0].v != VERDICT_PASS) {
		checklist_set(cl, "provenance.measurement", CHECK_ERROR,
		    "the latest release did not verify (provenance.release): "
		    "registers not compared");
		return;
	}
	rels = xcalloc(p->file.n, sizeof(*rels));
	for (i = 0; i < p->file.n; i++)
		if (p->rel[i].v == VERDICT_PASS)
			rels[n++] = p->rel[i].out;
	prov_enclave_of(m, &enc);
	prov_check_measurement(rels, n, hw, &enc, cl, NULL);
	free(rels);
}

/* The first sigstore.* check of cl that failed, else erred, or NULL. */
static const struct check *
worst_sigstore(const struct checklist *cl)
{
	const struct check *w = NULL, *c;
	size_t i;

	for (i = 0; i < cl->n; i++) {
		c = &cl->items[i];
		if (c->status == CHECK_PASS || c->status == CHECK_SKIP)
			continue;
		if (w == NULL || check_severity(c->status) <
		    check_severity(w->status))
			w = c;
	}
	return w;
}

static void
print_release(const char *what, const struct ctl_prov_release *r)
{
	char label[MAX_PROV_REPO + MAX_PROV_NAME + 80];
	const struct check *c;

	release_label(r->in, label, sizeof(label));
	printf("provenance: %s %s: %s\n", what, label,
	    check_status_str(verdict_check(r->v)));
	if (r->v != VERDICT_PASS && (c = worst_sigstore(&r->sig)) != NULL)
		printf("    %s %s: %s\n", c->id, check_status_str(c->status),
		    c->detail);
}

void
ctl_prov_print(const struct ctl_prov *p)
{
	char what[32];
	size_t i;

	if (!p->verified) {
		printf("provenance: not verified: trusted root: %s\n",
		    p->root_error);
		return;
	}
	for (i = 0; i < p->file.n; i++) {
		snprintf(what, sizeof(what), "%s %zu", i == 0 ?
		    "latest release" : "release", i);
		print_release(what, &p->rel[i]);
	}
	if (p->file.has_hw)
		print_release("hardware release", &p->hw);
}

static json_t *
release_json(const struct ctl_prov *p, const struct ctl_prov_release *r,
    const struct prov_file_release *in)
{
	char hex[65];
	json_t *o;

	o = tjson_chk(json_object());
	tjson_set(o, "repo", tjson_chk(json_string(in->repo)));
	if (in->tag[0] != '\0')
		tjson_set(o, "tag", tjson_chk(json_string(in->tag)));
	tjson_set(o, "digest", tjson_chk(json_string(hex_encode(in->digest,
	    32, hex))));
	if (p->verified) {
		tjson_set(o, "verdict", tjson_chk(json_string(
		    check_status_str(verdict_check(r->v)))));
		tjson_set(o, "checks", entry_checks_json(&r->sig));
		if (r->v == VERDICT_PASS && r->res.has_tlog)
			tjson_set(o, "log_index", tjson_chk(json_integer(
			    (json_int_t)r->res.log_index)));
		if (r->v == VERDICT_PASS && r->res.integrated_time != 0)
			tjson_set(o, "integrated_time", tjson_chk(
			    json_integer((json_int_t)
			    r->res.integrated_time)));
	} else
		tjson_set(o, "verdict", tjson_chk(json_string("error")));
	return o;
}

json_t *
ctl_prov_json(const struct ctl_prov *p)
{
	json_t *o, *a;
	size_t i;

	o = tjson_chk(json_object());
	a = tjson_chk(json_array());
	for (i = 0; i < p->file.n; i++)
		json_array_append_new(a, release_json(p, &p->rel[i],
		    &p->file.rel[i]));
	tjson_set(o, "releases", a);
	if (p->file.has_hw)
		tjson_set(o, "hardware", release_json(p, &p->hw, &p->file.hw));
	if (!p->verified)
		tjson_set(o, "error", ctl_text_json(p->root_error));
	return o;
}

void
ctl_prov_free(struct ctl_prov *p)
{
	prov_file_free(&p->file);
}
