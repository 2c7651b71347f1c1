/*
 * provenance.c: Tinfoil release predicates into registers, compared with
 * an enclave's registers (provenance.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "attest.h"
#include "checklist.h"
#include "encode.h"
#include "provenance.h"
#include "tjson.h"

#define REG_HEX	(2 * PROV_REG_LEN + 1)

static const uint8_t zero_reg[PROV_REG_LEN];

/* A string member of at most MAX_PROV_NAME - 1 bytes copied into out. */
static enum tmon_rc
copy_name(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, unsigned flags, char out[MAX_PROV_NAME])
{
	const char *s = NULL;
	size_t len = 0;
	enum tmon_rc rc;

	if ((rc = tjson_str(d, obj, path, key, MAX_PROV_NAME - 1, flags, &s,
	    &len)) != TMON_OK)
		return rc;
	if (s != NULL) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return TMON_OK;
}

static enum tmon_rc
parse_multiplatform(struct tjson_doc *d, const json_t *pred,
    struct prov_predicate *out)
{
	json_t *tdx, *hashes = NULL;
	enum tmon_rc rc;

	if ((rc = tjson_hex(d, pred, "predicate", "snp_measurement", 0,
	    out->snp_measurement, PROV_REG_LEN)) != TMON_OK ||
	    (rc = tjson_object(d, pred, "predicate", "tdx_measurement", 0,
	    &tdx)) != TMON_OK ||
	    (rc = tjson_hex(d, tdx, "predicate.tdx_measurement", "rtmr1", 0,
	    out->rtmr1, PROV_REG_LEN)) != TMON_OK ||
	    (rc = tjson_hex(d, tdx, "predicate.tdx_measurement", "rtmr2", 0,
	    out->rtmr2, PROV_REG_LEN)) != TMON_OK ||
	    (rc = tjson_object(d, pred, "predicate", "hashes",
	    TJSON_OPTIONAL | TJSON_NULL, &hashes)) != TMON_OK)
		return rc;
	if (hashes != NULL && (rc = copy_name(d, hashes, "predicate.hashes",
	    "version", TJSON_OPTIONAL | TJSON_NULL, out->version)) != TMON_OK)
		return rc;
	out->kind = PROV_KIND_MULTIPLATFORM;
	return TMON_OK;
}

static enum tmon_rc
parse_hardware(struct tjson_doc *d, json_t *pred,
    struct prov_predicate *out)
{
	char path[MAX_JSON_PATH];
	struct prov_platform *p;
	const char *name;
	json_t *v;
	size_t len;
	enum tmon_rc rc;

	if (json_object_size(pred) > MAX_PROV_PLATFORMS)
		return tjson_fail(d, TMON_E_LIMIT, "predicate", "%zu platforms, "
		    "over the limit of %u", json_object_size(pred),
		    (unsigned)MAX_PROV_PLATFORMS);
	if (json_object_size(pred) == 0)
		return tjson_fail(d, TMON_E_PARSE, "predicate",
		    "names no hardware platform");
	json_object_foreach(pred, name, v) {
		tjson_path(path, sizeof(path), "predicate", name);
		if ((len = strlen(name)) >= MAX_PROV_NAME)
			return tjson_fail(d, TMON_E_LIMIT, path, "platform name "
			    "of %zu bytes, over the limit of %u", len,
			    (unsigned)MAX_PROV_NAME - 1);
		if (!json_is_object(v))
			return tjson_fail(d, TMON_E_PARSE, path,
			    "must be an object");
		p = &out->platforms[out->n_platforms];
		if ((rc = tjson_hex(d, v, path, "mrtd", 0, p->mrtd,
		    PROV_REG_LEN)) != TMON_OK ||
		    (rc = tjson_hex(d, v, path, "rtmr0", 0, p->rtmr0,
		    PROV_REG_LEN)) != TMON_OK)
			return rc;
		memcpy(p->name, name, len + 1);
		out->n_platforms++;
	}
	out->kind = PROV_KIND_HARDWARE;
	return TMON_OK;
}

enum tmon_rc
prov_parse_predicate(const char *type, json_t *predicate,
    struct prov_predicate *out, struct tmon_err *err)
{
	struct tjson_doc d;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	d.name = "in-toto statement";
	d.err = err;
	if (type == NULL || (strcmp(type, PROV_PREDICATE_MULTIPLATFORM) != 0 &&
	    strcmp(type, PROV_PREDICATE_HARDWARE) != 0))
		return tmon_err_set(err, TMON_E_UNSUPPORTED, "predicate type "
		    "%.*s is not supported", 120, type != NULL ? type :
		    "(none)");
	if (!json_is_object(predicate))
		return tjson_fail(&d, TMON_E_PARSE, "predicate",
		    "must be an object");
	if (strcmp(type, PROV_PREDICATE_MULTIPLATFORM) == 0)
		rc = parse_multiplatform(&d, predicate, out);
	else
		rc = parse_hardware(&d, predicate, out);
	if (rc != TMON_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

void
prov_enclave_of(const struct attest_measurement *m, struct prov_enclave *out)
{
	memset(out, 0, sizeof(*out));
	if (m->has_snp_report) {
		out->platform = PROV_ENCLAVE_SNP;
		memcpy(out->snp_measurement, m->snp_measurement, PROV_REG_LEN);
	} else if (m->has_quote) {
		out->platform = PROV_ENCLAVE_TDX;
		memcpy(out->mrtd, m->mrtd, PROV_REG_LEN);
		memcpy(out->rtmr, m->rtmr, sizeof(out->rtmr));
	}
}

enum tmon_rc
prov_enclave_of_layers(const json_t *meas, struct prov_enclave *out,
    struct tmon_err *err)
{
	static const char tdx_keys[][6] = { "mrtd", "rtmr0", "rtmr1",
	    "rtmr2", "rtmr3" };
	uint8_t *regs[5];
	json_t *platform = NULL, *instance = NULL;
	const json_t *layer;
	struct tjson_doc d;
	size_t i, have = 0;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	if (meas == NULL || json_is_null(meas))
		return TMON_OK;
	memset(&d, 0, sizeof(d));
	d.name = "measurement";
	d.err = err;
	if ((rc = tjson_object(&d, meas, "", "platform", TJSON_OPTIONAL |
	    TJSON_NULL, &platform)) != TMON_OK ||
	    (rc = tjson_object(&d, meas, "", "instance", TJSON_OPTIONAL |
	    TJSON_NULL, &instance)) != TMON_OK)
		return rc;
	if (platform != NULL && json_is_string(json_object_get(platform,
	    "snp_measurement"))) {
		if ((rc = tjson_hex(&d, platform, "platform", "snp_measurement",
		    0, out->snp_measurement, PROV_REG_LEN)) != TMON_OK)
			return rc;
		out->platform = PROV_ENCLAVE_SNP;
		return TMON_OK;
	}
	regs[0] = out->mrtd;
	for (i = 0; i < 4; i++)
		regs[i + 1] = out->rtmr[i];
	for (i = 0; i < 5; i++) {
		layer = i == 4 ? instance : platform;
		if (layer != NULL && json_is_string(json_object_get(layer,
		    tdx_keys[i])))
			have++;
	}
	if (have == 0)
		return TMON_OK;
	for (i = 0; i < 5; i++) {
		layer = i == 4 ? instance : platform;
		if ((rc = tjson_hex(&d, layer, i == 4 ? "instance" : "platform",
		    tdx_keys[i], 0, regs[i], PROV_REG_LEN)) != TMON_OK) {
			memset(out, 0, sizeof(*out));
			return rc;
		}
	}
	out->platform = PROV_ENCLAVE_TDX;
	return TMON_OK;
}

/* "release v0.0.110" or "release with digest 59239f442bcc5814…". */
static void
release_name(const struct prov_release *r, char *buf, size_t bufsz)
{
	char hex[65];

	if (r->tag[0] != '\0')
		snprintf(buf, bufsz, "release %s", r->tag);
	else
		snprintf(buf, bufsz, "release %.16s...",
		    hex_encode(r->digest, 32, hex));
}

/* The first code register of rel that enc's differ in ("RTMR1"), or NULL
 * when they all match; *want, *have point at the two values. */
static const char *
code_mismatch(const struct prov_release *rel, const struct prov_enclave *enc,
    const uint8_t **want, const uint8_t **have)
{
	if (enc->platform == PROV_ENCLAVE_SNP) {
		*want = rel->pred.snp_measurement;
		*have = enc->snp_measurement;
		return memcmp(*want, *have, PROV_REG_LEN) != 0 ?
		    "MEASUREMENT" : NULL;
	}
	*want = rel->pred.rtmr1;
	*have = enc->rtmr[1];
	if (memcmp(*want, *have, PROV_REG_LEN) != 0)
		return "RTMR1";
	*want = rel->pred.rtmr2;
	*have = enc->rtmr[2];
	if (memcmp(*want, *have, PROV_REG_LEN) != 0)
		return "RTMR2";
	*want = zero_reg;
	*have = enc->rtmr[3];
	if (memcmp(*want, *have, PROV_REG_LEN) != 0)
		return "RTMR3";
	return NULL;
}

/* The platform of hw whose MRTD and RTMR0 are enc's, or SIZE_MAX. */
static size_t
find_platform(const struct prov_predicate *hw, const struct prov_enclave *enc)
{
	size_t i;

	for (i = 0; i < hw->n_platforms; i++)
		if (memcmp(hw->platforms[i].mrtd, enc->mrtd, PROV_REG_LEN) ==
		    0 && memcmp(hw->platforms[i].rtmr0, enc->rtmr[0],
		    PROV_REG_LEN) == 0)
			return i;
	return SIZE_MAX;
}

/* FAIL naming the hardware register no platform of hw has. */
static void
fail_platform(const struct prov_predicate *hw, const struct prov_enclave *enc,
    struct checklist *cl)
{
	char a[REG_HEX], b[REG_HEX];
	size_t i;

	for (i = 0; i < hw->n_platforms; i++)
		if (memcmp(hw->platforms[i].mrtd, enc->mrtd, PROV_REG_LEN) == 0)
			break;
	if (i < hw->n_platforms) {
		checklist_set(cl, "provenance.measurement", CHECK_FAIL,
		    "RTMR0 %s != %s of platform %s (hardware-measurements)",
		    hex_encode(enc->rtmr[0], PROV_REG_LEN, a),
		    hex_encode(hw->platforms[i].rtmr0, PROV_REG_LEN, b),
		    hw->platforms[i].name);
		return;
	}
	checklist_set(cl, "provenance.measurement", CHECK_FAIL,
	    "MRTD %s is none of the %zu platforms' of hardware-measurements",
	    hex_encode(enc->mrtd, PROV_REG_LEN, a), hw->n_platforms);
}

void
prov_check_measurement(const struct prov_release *rels, size_t n,
    const struct prov_predicate *hw, const struct prov_enclave *enc,
    struct checklist *cl, struct prov_match *match)
{
	const char *id = "provenance.measurement", *reg;
	char a[REG_HEX], b[REG_HEX], rel[MAX_PROV_NAME + 16];
	char latest[MAX_PROV_NAME + 16], plat[MAX_PROV_NAME + 16];
	const uint8_t *want, *have;
	size_t i, found = SIZE_MAX, p = SIZE_MAX;

	if (match != NULL)
		match->release = match->platform = SIZE_MAX;
	if (enc->platform == PROV_ENCLAVE_NONE) {
		checklist_set(cl, id, CHECK_ERROR, "no verified enclave "
		    "measurement to compare");
		return;
	}
	if (n == 0) {
		checklist_set(cl, id, CHECK_ERROR, "no verified release to "
		    "compare with");
		return;
	}
	for (i = 0; i < n; i++) {
		if (rels[i].pred.kind != PROV_KIND_MULTIPLATFORM) {
			release_name(&rels[i], rel, sizeof(rel));
			checklist_set(cl, id, CHECK_FAIL, "the predicate of %s "
			    "is not %s", rel, PROV_PREDICATE_MULTIPLATFORM);
			return;
		}
	}
	for (i = 0; i < n && found == SIZE_MAX; i++)
		if (code_mismatch(&rels[i], enc, &want, &have) == NULL)
			found = i;
	release_name(&rels[0], latest, sizeof(latest));
	if (found == SIZE_MAX) {
		reg = code_mismatch(&rels[0], enc, &want, &have);
		checklist_set(cl, id, CHECK_FAIL, "%s %s != %s of %s%s", reg,
		    hex_encode(have, PROV_REG_LEN, a),
		    hex_encode(want, PROV_REG_LEN, b), latest,
		    n > 1 ? " (nor any older verified release)" : "");
		return;
	}
	release_name(&rels[found], rel, sizeof(rel));
	plat[0] = '\0';
	if (enc->platform == PROV_ENCLAVE_TDX) {
		if (hw == NULL || hw->kind != PROV_KIND_HARDWARE) {
			checklist_set(cl, id, CHECK_ERROR, "RTMR1, RTMR2, RTMR3 "
			    "match %s; MRTD and RTMR0 not checked: no "
			    "hardware-measurements predicate", rel);
			return;
		}
		if ((p = find_platform(hw, enc)) == SIZE_MAX) {
			fail_platform(hw, enc, cl);
			return;
		}
		snprintf(plat, sizeof(plat), ", platform %s",
		    hw->platforms[p].name);
	}
	if (match != NULL) {
		match->release = found;
		match->platform = p;
	}
	if (found == 0)
		checklist_set(cl, id, CHECK_PASS, "%s %s%s",
		    enc->platform == PROV_ENCLAVE_SNP ? "MEASUREMENT matches" :
		    "MRTD, RTMR0..3 match", rel, plat);
	else
		checklist_set(cl, id, CHECK_WARN, "the enclave runs %s, older "
		    "than the latest verified %s%s", rel, latest, plat);
}

void
prov_check_release(const struct checklist *sig, const char *what,
    struct checklist *cl)
{
	const struct check *worst = NULL, *c;
	size_t i, seen = 0, passed = 0;

	for (i = 0; i < sig->n; i++) {
		c = &sig->items[i];
		if (strncmp(c->id, "sigstore.", 9) != 0)
			continue;
		seen++;
		if (c->status == CHECK_PASS)
			passed++;
		if (c->status == CHECK_PASS || c->status == CHECK_SKIP)
			continue;
		if (worst == NULL || check_severity(c->status) <
		    check_severity(worst->status))
			worst = c;
	}
	if (worst != NULL)
		checklist_set(cl, "provenance.release", worst->status, "%s: %s",
		    worst->id, worst->detail);
	else if (seen == 0 || passed == 0)
		checklist_set(cl, "provenance.release", CHECK_ERROR,
		    "the release's attestation was not verified");
	else
		checklist_set(cl, "provenance.release", CHECK_PASS, "%s",
		    what != NULL && what[0] != '\0' ? what :
		    "the release's attestation verified");
}

/* "OWNER/NAME": one '/', neither side empty, printable, no spaces. */
static bool
repo_valid(const char *s)
{
	const char *slash = strchr(s, '/');
	const unsigned char *p;

	if (slash == NULL || slash == s || slash[1] == '\0' ||
	    strchr(slash + 1, '/') != NULL)
		return false;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	return true;
}

static enum tmon_rc
parse_file_release(struct tjson_doc *d, const json_t *obj, const char *path,
    struct prov_file_release *out)
{
	const char *const keys[] = { "repo", "tag", "digest",
	    "attestations", NULL };
	const char *repo = NULL;
	size_t len = 0;
	enum tmon_rc rc;

	if (!json_is_object(obj))
		return tjson_fail(d, TMON_E_PARSE, path, "must be an object");
	if ((rc = tjson_keys(d, obj, path, keys)) != TMON_OK ||
	    (rc = tjson_str(d, obj, path, "repo", MAX_PROV_REPO - 1, 0, &repo,
	    &len)) != TMON_OK)
		return rc;
	memcpy(out->repo, repo, len + 1);
	if (!repo_valid(out->repo)) {
		char p[MAX_JSON_PATH];

		return tjson_fail(d, TMON_E_PARSE, tjson_path(p, sizeof(p),
		    path, "repo"), "must be OWNER/NAME");
	}
	if ((rc = copy_name(d, obj, path, "tag", TJSON_OPTIONAL, out->tag)) !=
	    TMON_OK ||
	    (rc = tjson_hex(d, obj, path, "digest", 0, out->digest, 32)) !=
	    TMON_OK ||
	    (rc = tjson_object(d, obj, path, "attestations", 0,
	    &out->attestations)) != TMON_OK)
		return rc;
	return TMON_OK;
}

static enum tmon_rc
copy_pattern(struct tjson_doc *d, const json_t *obj, const char *key,
    char out[MAX_PROV_PATTERN])
{
	const char *s = NULL;
	size_t len = 0;
	enum tmon_rc rc;

	if ((rc = tjson_str(d, obj, "policy", key, MAX_PROV_PATTERN - 1,
	    TJSON_OPTIONAL, &s, &len)) != TMON_OK)
		return rc;
	if (s != NULL)
		memcpy(out, s, len + 1);
	return TMON_OK;
}

enum tmon_rc
prov_file_parse(const uint8_t *text, size_t len, struct prov_file *out,
    struct tmon_err *err)
{
	const char *const keys[] = { "format", "releases", "hardware",
	    "policy", NULL };
	const char *const policy_keys[] = { "workflow", "ref", NULL };
	char path[MAX_JSON_PATH];
	struct tjson_doc d;
	const char *format;
	json_t *rels, *hw = NULL, *policy = NULL;
	size_t i;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	d.name = "provenance file";
	d.err = err;
	if ((rc = tjson_load(&d, text, len, MAX_PROV_FILE, TJSON_OBJECT,
	    &out->root)) != TMON_OK)
		return rc;
	if ((rc = tjson_keys(&d, out->root, "", keys)) != TMON_OK ||
	    (rc = tjson_str(&d, out->root, "", "format", MAX_PROV_NAME, 0,
	    &format, NULL)) != TMON_OK)
		return rc;
	if (strcmp(format, PROV_FILE_FORMAT) != 0)
		return tjson_fail(&d, TMON_E_PARSE, "format", "must be \"%s\"",
		    PROV_FILE_FORMAT);
	if ((rc = tjson_array(&d, out->root, "", "releases", 1,
	    MAX_PROV_RELEASES, 0, &rels)) != TMON_OK)
		return rc;
	for (i = 0; i < json_array_size(rels); i++) {
		tjson_path_index(path, sizeof(path), "releases", i);
		if ((rc = parse_file_release(&d, json_array_get(rels, i), path,
		    &out->rel[i])) != TMON_OK)
			return rc;
		out->n++;
	}
	if ((rc = tjson_object(&d, out->root, "", "hardware", TJSON_OPTIONAL,
	    &hw)) != TMON_OK)
		return rc;
	if (hw != NULL) {
		if ((rc = parse_file_release(&d, hw, "hardware", &out->hw)) !=
		    TMON_OK)
			return rc;
		out->has_hw = true;
	}
	if ((rc = tjson_object(&d, out->root, "", "policy", TJSON_OPTIONAL,
	    &policy)) != TMON_OK)
		return rc;
	if (policy != NULL && ((rc = tjson_keys(&d, policy, "policy",
	    policy_keys)) != TMON_OK ||
	    (rc = copy_pattern(&d, policy, "workflow", out->workflow)) !=
	    TMON_OK ||
	    (rc = copy_pattern(&d, policy, "ref", out->ref)) != TMON_OK))
		return rc;
	return TMON_OK;
}

void
prov_file_free(struct prov_file *f)
{
	if (f == NULL)
		return;
	json_decref(f->root);
	memset(f, 0, sizeof(*f));
}
