/*
 * tdx_tcb.c: TCB Info / QE Identity JSON and the TCB evaluation of a TDX
 * quote (rules and sources in tdx_tcb.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "encode.h"
#include "log.h"
#include "tdx_tcb.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/* ---- time ---- */

bool
tdx_parse_time(const char *s, int64_t *out)
{
	size_t n = strlen(s);

	return n == 20 && rfc3339_utc_parse(s, n, false, out);
}

/* ---- statuses ---- */

/* The name in an array, not a pointer: the table has no relocations. */
static const struct {
	enum tdx_tcb_status	s;
	char			name[40];
} status_names[] = {
	{ TDX_TCB_UP_TO_DATE, "UpToDate" },
	{ TDX_TCB_SW_HARDENING_NEEDED, "SWHardeningNeeded" },
	{ TDX_TCB_CONFIGURATION_NEEDED, "ConfigurationNeeded" },
	{ TDX_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	    "ConfigurationAndSWHardeningNeeded" },
	{ TDX_TCB_OUT_OF_DATE, "OutOfDate" },
	{ TDX_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
	    "OutOfDateConfigurationNeeded" },
	{ TDX_TCB_TD_RELAUNCH_ADVISED, "TDRelaunchAdvised" },
	{ TDX_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED,
	    "TDRelaunchAdvisedConfigurationNeeded" },
	{ TDX_TCB_REVOKED, "Revoked" },
	{ TDX_TCB_NOT_SUPPORTED, "NotSupported" },
};

const char *
tdx_tcb_status_str(enum tdx_tcb_status s)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (status_names[i].s == s)
			return status_names[i].name;
	return "Unknown";
}

/*
 * A tcbStatus string of TCB Info into *out: one of Intel's seven
 * (TcbStatus.h VALID_TCB_INFO_STATUSES).
 */
static bool
status_parse(const char *s, enum tdx_tcb_status *out)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i].name) == 0) {
			*out = status_names[i].s;
			/* relaunch and NotSupported are results, not levels */
			return *out != TDX_TCB_TD_RELAUNCH_ADVISED &&
			    *out != TDX_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED &&
			    *out != TDX_TCB_NOT_SUPPORTED;
		}
	return false;
}

/* ---- JSON ---- */

/* Any string member: the text as a whole is bounded. */
#define ANY_LEN		MAX_COLLATERAL_JSON

/* A time member "YYYY-MM-DDTHH:MM:SSZ" (tdx_parse_time). */
static enum tmon_rc
jtime(struct tjson_doc *j, json_t *o, const char *path, const char *key,
    int64_t *out)
{
	const char *s = NULL;
	char p[MAX_JSON_PATH];
	enum tmon_rc rc;

	if ((rc = tjson_str(j, o, path, key, ANY_LEN, 0, &s, NULL)) !=
	    TMON_OK)
		return rc;
	if (!tdx_parse_time(s, out))
		return tjson_fail(j, TMON_E_PARSE, tjson_path(p, sizeof(p), path,
		    key), "not a time of the form YYYY-MM-DDTHH:MM:SSZ");
	return TMON_OK;
}

/* ---- advisory ids ---- */

static size_t
count_advisories(json_t *levels)
{
	json_t *lv, *a;
	size_t i, n = 0;

	json_array_foreach(levels, i, lv) {
		a = json_object_get(lv, "advisoryIDs");
		/* a longer array is refused before anything is stored */
		if (json_is_array(a))
			n += json_array_size(a) > MAX_ADVISORY_IDS ?
			    MAX_ADVISORY_IDS : json_array_size(a);
	}
	return n;
}

static bool
advisory_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= MAX_ADVISORY_ID_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/*
 * Read the optional advisoryIDs of the level lv (at path) into
 * pool[*n_pool..], recording the range in *off / *cnt.
 */
static enum tmon_rc
read_advisories(struct tjson_doc *j, json_t *lv, const char *path,
    struct tdx_advisory *pool, size_t pool_cap, size_t *n_pool,
    size_t *off, size_t *cnt)
{
	json_t *a = NULL;
	const char *s = NULL;
	char p[MAX_JSON_PATH], e[MAX_JSON_PATH];
	size_t i;
	enum tmon_rc rc;

	*off = *n_pool;
	*cnt = 0;
	if ((rc = tjson_array(j, lv, path, "advisoryIDs", 0, MAX_ADVISORY_IDS,
	    TJSON_OPTIONAL, &a)) != TMON_OK || a == NULL)
		return rc;
	tjson_path(p, sizeof(p), path, "advisoryIDs");
	for (i = 0; i < json_array_size(a); i++) {
		tjson_path_index(e, sizeof(e), p, i);
		if ((rc = tjson_str(j, json_array_get(a, i), e, NULL, ANY_LEN,
		    0, &s, NULL)) != TMON_OK)
			return rc;
		if (!advisory_ok(s))
			return tjson_fail(j, TMON_E_PARSE, e, "not an advisory "
			    "id ([A-Za-z0-9-], 1..%d characters)",
			    MAX_ADVISORY_ID_LEN - 1);
		TMON_ASSERT(*n_pool < pool_cap);
		snprintf(pool[*n_pool].id, sizeof(pool[*n_pool].id), "%s", s);
		(*n_pool)++;
		(*cnt)++;
	}
	return TMON_OK;
}

/* ---- TCB Info ---- */

/* 16 {"svn": n} components of key in tcb (at path) into out[16]. */
static enum tmon_rc
read_components(struct tjson_doc *j, json_t *tcb, const char *path,
    const char *key, uint8_t out[16])
{
	json_t *arr = NULL, *c = NULL;
	uint64_t v = 0;
	char p[MAX_JSON_PATH], e[MAX_JSON_PATH];
	size_t i;
	enum tmon_rc rc;

	if ((rc = tjson_array(j, tcb, path, key, 1, SIZE_MAX, 0, &arr)) !=
	    TMON_OK)
		return rc;
	tjson_path(p, sizeof(p), path, key);
	if (json_array_size(arr) != 16)
		return tjson_fail(j, TMON_E_PARSE, p, "%zu components, "
		    "expected 16", json_array_size(arr));
	for (i = 0; i < 16; i++) {
		tjson_path_index(e, sizeof(e), p, i);
		if ((rc = tjson_object(j, json_array_get(arr, i), e, NULL, 0,
		    &c)) != TMON_OK ||
		    (rc = tjson_uint(j, c, e, "svn", 0, 255, 0, &v)) != TMON_OK)
			return rc;
		out[i] = (uint8_t)v;
	}
	return TMON_OK;
}

/*
 * Intel's order of TCB levels (TcbLevel::operator> for a v3 TCB Info):
 * SGX component SVNs compared as a byte vector, then PCESVN, then (TDX)
 * the TDX component SVNs.  Returns <0 if a sorts before b (a is higher).
 */
static int
level_cmp(const void *pa, const void *pb)
{
	const struct tdx_tcb_level *a = pa, *b = pb;
	int c;

	if ((c = memcmp(a->sgx_svn, b->sgx_svn, 16)) != 0)
		return -c;
	if (a->pcesvn != b->pcesvn)
		return a->pcesvn > b->pcesvn ? -1 : 1;
	if (a->has_tdx && b->has_tdx &&
	    (c = memcmp(a->tdx_svn, b->tdx_svn, 16)) != 0)
		return -c;
	return 0;
}

static enum tmon_rc
read_tcb_levels(struct tjson_doc *j, json_t *root, struct tdx_tcb_info *ti)
{
	json_t *levels = NULL, *lv = NULL, *tcb = NULL;
	uint64_t v = 0;
	const char *s = NULL;
	char p[MAX_JSON_PATH], pt[MAX_JSON_PATH];
	size_t i, cap;
	enum tmon_rc rc;

	if ((rc = tjson_array(j, root, "", "tcbLevels", 1, MAX_TCB_LEVELS, 0,
	    &levels)) != TMON_OK)
		return rc;
	ti->n_levels = json_array_size(levels);
	ti->levels = xcalloc(ti->n_levels, sizeof(*ti->levels));
	cap = count_advisories(levels);
	if (cap > 0)
		ti->adv = xcalloc(cap, sizeof(*ti->adv));
	for (i = 0; i < ti->n_levels; i++) {
		struct tdx_tcb_level *l = &ti->levels[i];

		tjson_path_index(p, sizeof(p), "tcbLevels", i);
		tjson_path(pt, sizeof(pt), p, "tcb");
		l->served_index = i;
		if ((rc = tjson_object(j, json_array_get(levels, i), p, NULL, 0,
		    &lv)) != TMON_OK ||
		    (rc = tjson_object(j, lv, p, "tcb", 0, &tcb)) != TMON_OK ||
		    (rc = read_components(j, tcb, pt, "sgxtcbcomponents",
		    l->sgx_svn)) != TMON_OK ||
		    (rc = tjson_uint(j, tcb, pt, "pcesvn", 0, 65535, 0, &v)) !=
		    TMON_OK)
			return rc;
		l->pcesvn = (uint16_t)v;
		if (ti->id == TDX_TCB_INFO_TDX) {
			if ((rc = read_components(j, tcb, pt, "tdxtcbcomponents",
			    l->tdx_svn)) != TMON_OK)
				return rc;
			l->has_tdx = true;
		}
		if ((rc = jtime(j, lv, p, "tcbDate", &l->tcb_date)) != TMON_OK ||
		    (rc = tjson_str(j, lv, p, "tcbStatus", ANY_LEN, 0, &s,
		    NULL)) != TMON_OK)
			return rc;
		if (!status_parse(s, &l->status))
			return tjson_fail(j, TMON_E_PARSE, tjson_path(pt,
			    sizeof(pt), p, "tcbStatus"), "\"%.40s\" is not a "
			    "TCB status Intel defines", s);
		if ((rc = read_advisories(j, lv, p, ti->adv, cap, &ti->n_adv,
		    &l->adv_off, &l->adv_n)) != TMON_OK)
			return rc;
	}
	qsort(ti->levels, ti->n_levels, sizeof(*ti->levels), level_cmp);
	for (i = 1; i < ti->n_levels; i++)
		if (level_cmp(&ti->levels[i - 1], &ti->levels[i]) == 0)
			return tjson_fail(j, TMON_E_PARSE, NULL, "tcbLevels[%zu] "
			    "and [%zu] are the same TCB level (Intel: "
			    "\"Detected duplicated TCB levels\")",
			    ti->levels[i - 1].served_index,
			    ti->levels[i].served_index);
	return TMON_OK;
}

/* Module status strings: Intel VALID_MODULE_TCB_STATUSES. */
static bool
module_status_parse(const char *s, enum tdx_tcb_status *out)
{
	if (strcmp(s, "UpToDate") == 0)
		*out = TDX_TCB_UP_TO_DATE;
	else if (strcmp(s, "OutOfDate") == 0)
		*out = TDX_TCB_OUT_OF_DATE;
	else if (strcmp(s, "Revoked") == 0)
		*out = TDX_TCB_REVOKED;
	else
		return false;
	return true;
}

/*
 * tcbLevels of a TDX module identity or of the QE identity (o, at path):
 * {tcb: {isvsvn}, tcbDate, tcbStatus, advisoryIDs?} in served order.
 */
static enum tmon_rc
read_isv_levels(struct tjson_doc *j, json_t *o, const char *path,
    struct tdx_isv_level **out, size_t *n_out, struct tdx_advisory **pool,
    size_t *n_pool)
{
	json_t *levels = NULL, *lv = NULL, *tcb = NULL;
	struct tdx_isv_level *lvls;
	uint64_t v = 0;
	const char *s = NULL;
	char pl[MAX_JSON_PATH], p[MAX_JSON_PATH], pt[MAX_JSON_PATH];
	size_t i, cap;
	enum tmon_rc rc;

	if ((rc = tjson_array(j, o, path, "tcbLevels", 1, MAX_TCB_LEVELS, 0,
	    &levels)) != TMON_OK)
		return rc;
	tjson_path(pl, sizeof(pl), path, "tcbLevels");
	cap = count_advisories(levels);
	if (cap > 0)
		*pool = xcalloc(cap, sizeof(**pool));
	*n_pool = 0;
	*n_out = json_array_size(levels);
	lvls = *out = xcalloc(*n_out, sizeof(**out));
	for (i = 0; i < *n_out; i++) {
		tjson_path_index(p, sizeof(p), pl, i);
		tjson_path(pt, sizeof(pt), p, "tcb");
		if ((rc = tjson_object(j, json_array_get(levels, i), p, NULL, 0,
		    &lv)) != TMON_OK ||
		    (rc = tjson_object(j, lv, p, "tcb", 0, &tcb)) != TMON_OK ||
		    (rc = tjson_uint(j, tcb, pt, "isvsvn", 0, 65535, 0, &v)) !=
		    TMON_OK)
			return rc;
		lvls[i].isvsvn = (uint16_t)v;
		if ((rc = jtime(j, lv, p, "tcbDate", &lvls[i].tcb_date)) !=
		    TMON_OK ||
		    (rc = tjson_str(j, lv, p, "tcbStatus", ANY_LEN, 0, &s,
		    NULL)) != TMON_OK)
			return rc;
		if (!module_status_parse(s, &lvls[i].status))
			return tjson_fail(j, TMON_E_PARSE, tjson_path(pt,
			    sizeof(pt), p, "tcbStatus"), "\"%.40s\" is not "
			    "UpToDate, OutOfDate or Revoked", s);
		if ((rc = read_advisories(j, lv, p, *pool, cap, n_pool,
		    &lvls[i].adv_off, &lvls[i].adv_n)) != TMON_OK)
			return rc;
	}
	return TMON_OK;
}

/* tdxModule (identity false) or one tdxModuleIdentities entry, at path. */
static enum tmon_rc
read_module(struct tjson_doc *j, json_t *o, const char *path, bool identity,
    struct tdx_module_identity *m)
{
	const char *id = NULL;
	char p[MAX_JSON_PATH];
	unsigned ver;
	enum tmon_rc rc;

	if ((rc = tjson_object(j, o, path, NULL, 0, &o)) != TMON_OK ||
	    (rc = tjson_hex(j, o, path, "mrsigner", 0, m->mrsigner, 48)) !=
	    TMON_OK ||
	    (rc = tjson_hex(j, o, path, "attributes", 0, m->attributes, 8)) !=
	    TMON_OK ||
	    (rc = tjson_hex(j, o, path, "attributesMask", 0,
	    m->attributes_mask, 8)) != TMON_OK)
		return rc;
	if (!identity)
		return TMON_OK;
	if ((rc = tjson_str(j, o, path, "id", ANY_LEN, 0, &id, NULL)) !=
	    TMON_OK)
		return rc;
	/* "TDX_" and two hex digits (Intel compares upper-cased). */
	if (strlen(id) != 6 || strncmp(id, "TDX_", 4) != 0 ||
	    !is_hex_text(id + 4, 2))
		return tjson_fail(j, TMON_E_PARSE, tjson_path(p, sizeof(p), path,
		    "id"), "\"%.20s\" is not TDX_xx", id);
	ver = (unsigned)strtoul(id + 4, NULL, 16);
	m->version = (uint8_t)ver;
	snprintf(m->id, sizeof(m->id), "TDX_%02X", ver);
	return read_isv_levels(j, o, path, &m->levels, &m->n_levels, &m->adv,
	    &m->n_adv);
}

void
tdx_tcb_info_free(struct tdx_tcb_info *ti)
{
	size_t i;

	if (ti == NULL)
		return;
	for (i = 0; i < ti->n_modules; i++) {
		free(ti->modules[i].levels);
		free(ti->modules[i].adv);
	}
	free(ti->modules);
	free(ti->levels);
	free(ti->adv);
	free(ti);
}

enum tmon_rc
tdx_tcb_info_parse(const uint8_t *json, size_t len,
    struct tdx_tcb_info **out, struct tmon_err *err)
{
	struct tjson_doc j = { .name = "tcbInfo", .err = err };
	struct tdx_tcb_info *ti;
	json_t *root = NULL, *ids = NULL, *m;
	uint64_t v = 0;
	const char *s = NULL;
	char p[MAX_JSON_PATH];
	size_t i;
	enum tmon_rc rc;

	*out = NULL;
	ti = xcalloc(1, sizeof(*ti));
	if ((rc = tjson_load(&j, json, len, MAX_COLLATERAL_JSON, TJSON_OBJECT,
	    &root)) != TMON_OK)
		goto out;
	if ((rc = tjson_uint(&j, root, "", "version", 0, 1000, 0, &v)) !=
	    TMON_OK)
		goto out;
	if (v != 3) {
		/* Intel accepts 2 for SGX only; a TDX quote needs 3. */
		rc = tjson_fail(&j, TMON_E_UNSUPPORTED, NULL, "version %llu: "
		    "only TCB Info v3 is supported", (unsigned long long)v);
		goto out;
	}
	ti->version = (unsigned)v;
	if ((rc = tjson_str(&j, root, "", "id", ANY_LEN, 0, &s, NULL)) !=
	    TMON_OK)
		goto out;
	if (strcmp(s, "TDX") == 0)
		ti->id = TDX_TCB_INFO_TDX;
	else if (strcmp(s, "SGX") == 0)
		ti->id = TDX_TCB_INFO_SGX;
	else {
		rc = tjson_fail(&j, TMON_E_UNSUPPORTED, NULL, "id \"%.20s\": "
		    "not SGX or TDX", s);
		goto out;
	}
	if ((rc = jtime(&j, root, "", "issueDate", &ti->issue_date)) !=
	    TMON_OK ||
	    (rc = jtime(&j, root, "", "nextUpdate", &ti->next_update)) !=
	    TMON_OK ||
	    (rc = tjson_hex(&j, root, "", "fmspc", 0, ti->fmspc, 6)) !=
	    TMON_OK ||
	    (rc = tjson_hex(&j, root, "", "pceId", 0, ti->pceid, 2)) !=
	    TMON_OK)
		goto out;
	if ((rc = tjson_uint(&j, root, "", "tcbType", 0, 1000, 0, &v)) !=
	    TMON_OK)
		goto out;
	if (v != 0) {
		rc = tjson_fail(&j, TMON_E_UNSUPPORTED, NULL, "tcbType %llu: "
		    "only 0 is defined", (unsigned long long)v);
		goto out;
	}
	ti->tcb_type = 0;
	if ((rc = tjson_uint(&j, root, "", "tcbEvaluationDataNumber", 0,
	    UINT32_MAX, 0, &v)) != TMON_OK)
		goto out;
	ti->tcb_eval_num = (uint32_t)v;

	m = json_object_get(root, "tdxModule");
	ids = json_object_get(root, "tdxModuleIdentities");
	if (ti->id == TDX_TCB_INFO_SGX && (m != NULL || ids != NULL)) {
		rc = tjson_fail(&j, TMON_E_PARSE, NULL, "an SGX TCB Info has "
		    "tdxModule");
		goto out;
	}
	if (ti->id == TDX_TCB_INFO_TDX) {
		if (m == NULL) {
			rc = tjson_fail(&j, TMON_E_PARSE, NULL, "tdxModule: "
			    "missing");
			goto out;
		}
		if ((rc = read_module(&j, m, "tdxModule", false,
		    &ti->module)) != TMON_OK)
			goto out;
		ti->has_module = true;
	}
	if (ids != NULL) {
		if ((rc = tjson_array(&j, root, "", "tdxModuleIdentities", 1,
		    MAX_TDX_MODULE_IDS, 0, &ids)) != TMON_OK)
			goto out;
		ti->n_modules = json_array_size(ids);
		ti->modules = xcalloc(ti->n_modules, sizeof(*ti->modules));
		json_array_foreach(ids, i, m) {
			tjson_path_index(p, sizeof(p), "tdxModuleIdentities", i);
			if ((rc = read_module(&j, m, p, true,
			    &ti->modules[i])) != TMON_OK)
				goto out;
		}
	}
	if ((rc = read_tcb_levels(&j, root, ti)) != TMON_OK)
		goto out;
	*out = ti;
	ti = NULL;
	rc = TMON_OK;
 out:
	json_decref(root);
	tdx_tcb_info_free(ti);
	return rc;
}

/* ---- QE Identity ---- */

void
tdx_qe_identity_free(struct tdx_qe_identity *qi)
{
	if (qi == NULL)
		return;
	free(qi->levels);
	free(qi->adv);
	free(qi);
}

enum tmon_rc
tdx_qe_identity_parse(const uint8_t *json, size_t len,
    struct tdx_qe_identity **out, struct tmon_err *err)
{
	struct tjson_doc j = { .name = "enclaveIdentity", .err = err };
	struct tdx_qe_identity *qi;
	json_t *root = NULL;
	uint64_t v = 0;
	const char *s = NULL;
	uint8_t b4[4];
	enum tmon_rc rc;

	*out = NULL;
	qi = xcalloc(1, sizeof(*qi));
	if ((rc = tjson_load(&j, json, len, MAX_COLLATERAL_JSON, TJSON_OBJECT,
	    &root)) != TMON_OK)
		goto out;
	if ((rc = tjson_uint(&j, root, "", "version", 0, 1000, 0, &v)) !=
	    TMON_OK)
		goto out;
	if (v != 2 && v != 3) {
		rc = tjson_fail(&j, TMON_E_UNSUPPORTED, NULL, "version %llu: "
		    "only 2 (and 3) are supported", (unsigned long long)v);
		goto out;
	}
	qi->version = (unsigned)v;
	if ((rc = tjson_str(&j, root, "", "id", ANY_LEN, 0, &s, NULL)) !=
	    TMON_OK)
		goto out;
	if (strcmp(s, "QE") != 0 && strcmp(s, "QVE") != 0 &&
	    strcmp(s, "TD_QE") != 0) {
		rc = tjson_fail(&j, TMON_E_UNSUPPORTED, NULL, "id \"%.20s\": "
		    "not QE, QVE or TD_QE", s);
		goto out;
	}
	snprintf(qi->id, sizeof(qi->id), "%s", s);
	if ((rc = jtime(&j, root, "", "issueDate", &qi->issue_date)) !=
	    TMON_OK ||
	    (rc = jtime(&j, root, "", "nextUpdate", &qi->next_update)) !=
	    TMON_OK)
		goto out;
	if ((rc = tjson_uint(&j, root, "", "tcbEvaluationDataNumber", 0,
	    UINT32_MAX, 0, &v)) != TMON_OK)
		goto out;
	qi->tcb_eval_num = (uint32_t)v;
	/* 4 hex bytes read as a little-endian u32, as the report holds it. */
	if ((rc = tjson_hex(&j, root, "", "miscselect", 0, b4, 4)) != TMON_OK)
		goto out;
	qi->miscselect = (uint32_t)b4[0] | (uint32_t)b4[1] << 8 |
	    (uint32_t)b4[2] << 16 | (uint32_t)b4[3] << 24;
	if ((rc = tjson_hex(&j, root, "", "miscselectMask", 0, b4, 4)) !=
	    TMON_OK)
		goto out;
	qi->miscselect_mask = (uint32_t)b4[0] | (uint32_t)b4[1] << 8 |
	    (uint32_t)b4[2] << 16 | (uint32_t)b4[3] << 24;
	if ((rc = tjson_hex(&j, root, "", "attributes", 0, qi->attributes,
	    16)) != TMON_OK ||
	    (rc = tjson_hex(&j, root, "", "attributesMask", 0,
	    qi->attributes_mask, 16)) != TMON_OK ||
	    (rc = tjson_hex(&j, root, "", "mrsigner", 0, qi->mrsigner, 32)) !=
	    TMON_OK)
		goto out;
	if ((rc = tjson_uint(&j, root, "", "isvprodid", 0, 65535, 0, &v)) !=
	    TMON_OK)
		goto out;
	qi->isvprodid = (uint16_t)v;
	if ((rc = read_isv_levels(&j, root, "", &qi->levels, &qi->n_levels,
	    &qi->adv, &qi->n_adv)) != TMON_OK)
		goto out;
	*out = qi;
	qi = NULL;
	rc = TMON_OK;
 out:
	json_decref(root);
	tdx_qe_identity_free(qi);
	return rc;
}

/* ---- evaluation ---- */

static void __attribute__((format(printf, 3, 4)))
result_why(struct tdx_tcb_result *r, enum tdx_tcb_verdict v,
    const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

static void
add_advisories(struct tdx_tcb_result *r, const struct tdx_advisory *pool,
    size_t off, size_t n)
{
	size_t i, k;

	for (i = off; i < off + n; i++) {
		for (k = 0; k < r->n_advisory; k++)
			if (strcmp(r->advisory[k].id, pool[i].id) == 0)
				break;
		if (k < r->n_advisory)
			continue;
		if (r->n_advisory == MAX_TCB_RESULT_ADVISORIES) {
			r->advisory_truncated = true;
			return;
		}
		r->advisory[r->n_advisory++] = pool[i];
	}
}

static char *
hexs(const uint8_t *p, size_t n, char *out)
{
	return hex_encode(p, n, out);
}

/* Intel TcbLevelCheck.cpp isCpuSvnHigherOrEqual plus the PCESVN test. */
static bool
sgx_level_ok(const struct tdx_pck_info *pck, const struct tdx_tcb_level *l)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (pck->tcb_comp_svn[i] < l->sgx_svn[i])
			return false;
	return pck->pcesvn >= l->pcesvn;
}

/*
 * Intel TcbLevelCheck.cpp isTdxTcbHigherOrEqual: when TEE_TCB_SVN[1] (the
 * module major version) is non-zero, bytes 0 and 1 are judged by the
 * TDX module identity instead, so the comparison starts at byte 2.
 * Intel, not the peer: the peer compares all 16 bytes (src/verify.js).
 */
static bool
tdx_level_ok(const uint8_t svn[16], const struct tdx_tcb_level *l)
{
	size_t i = svn[1] > 0 ? 2 : 0;

	for (; i < 16; i++)
		if (svn[i] < l->tdx_svn[i])
			return false;
	return true;
}

static bool
config_needed(enum tdx_tcb_status s)
{
	return s == TDX_TCB_CONFIGURATION_NEEDED ||
	    s == TDX_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED ||
	    s == TDX_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED ||
	    s == TDX_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED;
}

/* Intel TdxModuleCheck.cpp convergeTcbStatusWithTdxModuleStatus. */
static enum tdx_tcb_status
converge_module(enum tdx_tcb_status tcb, enum tdx_tcb_status module)
{
	if (module == TDX_TCB_OUT_OF_DATE) {
		if (tcb == TDX_TCB_UP_TO_DATE ||
		    tcb == TDX_TCB_SW_HARDENING_NEEDED)
			return TDX_TCB_OUT_OF_DATE;
		if (tcb == TDX_TCB_CONFIGURATION_NEEDED ||
		    tcb == TDX_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED)
			return TDX_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
	}
	if (module == TDX_TCB_REVOKED)
		return TDX_TCB_REVOKED;
	return tcb;
}

/*
 * Intel TcbLevelCheck.cpp convergeTcbStatusWithQeTcbStatus.  Intel, not
 * the peer: the peer takes the worse of the two by a severity order
 * (src/verify.js), which differs e.g. for a QE OutOfDate with a
 * ConfigurationNeeded platform (Intel: OutOfDateConfigurationNeeded).
 */
static enum tdx_tcb_status
converge_qe(enum tdx_tcb_status tcb, enum tdx_tcb_status qe)
{
	if (qe == TDX_TCB_OUT_OF_DATE) {
		if (tcb == TDX_TCB_UP_TO_DATE ||
		    tcb == TDX_TCB_SW_HARDENING_NEEDED)
			return TDX_TCB_OUT_OF_DATE;
		if (tcb == TDX_TCB_CONFIGURATION_NEEDED ||
		    tcb == TDX_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED)
			return TDX_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
	}
	if (qe == TDX_TCB_REVOKED)
		return TDX_TCB_REVOKED;
	if (qe == TDX_TCB_NOT_SUPPORTED)
		return TDX_TCB_NOT_SUPPORTED;
	return tcb;
}

static const struct tdx_module_identity *
find_module(const struct tdx_tcb_info *ti, uint8_t version)
{
	size_t i;

	for (i = 0; i < ti->n_modules; i++)
		if (ti->modules[i].version == version)
			return &ti->modules[i];
	return NULL;
}

/*
 * Intel TDRelaunchCheck.cpp checkForRelaunch, for TD 1.5 reports: a TD
 * whose platform and module are out of date but whose TEE_TCB_SVN2 (the
 * SVNs it could have after a relaunch) meets the latest level is told to
 * relaunch.  Returns the (possibly changed) TDX status; a module
 * identity or level that cannot be found gives NotSupported.
 */
static enum tdx_tcb_status
relaunch(const struct tdx_quote *q, const struct tdx_tcb_info *ti,
    enum tdx_tcb_status sgx, enum tdx_tcb_status tdx,
    enum tdx_tcb_status module, enum tdx_tcb_status qe, char *why,
    size_t whysz)
{
	const uint8_t *svn2 = q->report.tee_tcb_svn2;
	const struct tdx_tcb_level *latest = &ti->levels[0];
	const struct tdx_module_identity *m2;
	bool meets;

	if (qe == TDX_TCB_OUT_OF_DATE || qe == TDX_TCB_REVOKED ||
	    qe == TDX_TCB_NOT_SUPPORTED)
		return tdx;
	if (sgx != TDX_TCB_UP_TO_DATE && sgx != TDX_TCB_SW_HARDENING_NEEDED &&
	    sgx != TDX_TCB_CONFIGURATION_NEEDED &&
	    sgx != TDX_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED)
		return tdx;
	if (tdx != TDX_TCB_OUT_OF_DATE &&
	    tdx != TDX_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED)
		return tdx;
	if (module != TDX_TCB_OUT_OF_DATE)
		return tdx;
	if (svn2[1] == 0)
		meets = svn2[0] >= latest->tdx_svn[0] &&
		    svn2[2] >= latest->tdx_svn[2];
	else {
		if ((m2 = find_module(ti, svn2[1])) == NULL) {
			snprintf(why, whysz, "TEE_TCB_SVN2 names TDX module "
			    "TDX_%02X, which TCB Info does not list", svn2[1]);
			return TDX_TCB_NOT_SUPPORTED;
		}
		meets = svn2[0] >= m2->levels[0].isvsvn &&
		    svn2[2] >= latest->tdx_svn[2];
	}
	if (!meets)
		return tdx;
	return config_needed(sgx) || config_needed(tdx) ?
	    TDX_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED :
	    TDX_TCB_TD_RELAUNCH_ADVISED;
}

/* QE identity policy: Intel EnclaveReportVerifier.cpp. */
static bool
qe_policy(const struct tdx_quote *q, const struct tdx_qe_identity *qi,
    struct tdx_tcb_result *r)
{
	const struct tdx_qe_report *e = &q->qe;
	const char *want = q->version == 3 ? "QE" : "TD_QE";
	uint8_t a[16];
	char h1[65], h2[65];
	size_t i;

	/*
	 * Intel 4.1.2.4.14: a TDX quote needs the TD_QE identity (v2+), an
	 * SGX quote the QE one.
	 */
	if (strcmp(qi->id, want) != 0) {
		result_why(r, TDX_TCB_CANNOT, "QE Identity is for \"%s\", not "
		    "the %s quoting enclave (%s)", qi->id, q->version == 3 ?
		    "SGX" : "TDX", want);
		return false;
	}
	/* 4.1.2.9.5: the report's value under the mask, against the value. */
	if ((e->miscselect & qi->miscselect_mask) != qi->miscselect) {
		result_why(r, TDX_TCB_BAD, "QE identity: MISCSELECT %08x under "
		    "mask %08x is not %08x", e->miscselect,
		    qi->miscselect_mask, qi->miscselect);
		return false;
	}
	/* 4.1.2.9.6 */
	for (i = 0; i < 16; i++)
		a[i] = e->attributes[i] & qi->attributes_mask[i];
	if (memcmp(a, qi->attributes, 16) != 0) {
		result_why(r, TDX_TCB_BAD, "QE identity: ATTRIBUTES %s under "
		    "the mask are not %s", hexs(e->attributes, 16, h1),
		    hexs(qi->attributes, 16, h2));
		return false;
	}
	/* The mask keeps DEBUG (bit 1); say so plainly if it is set. */
	if (e->attributes[0] & 0x02) {
		result_why(r, TDX_TCB_BAD, "QE identity: the quoting enclave "
		    "is a DEBUG enclave");
		return false;
	}
	/* 4.1.2.9.7 */
	if (memcmp(e->mrsigner, qi->mrsigner, 32) != 0) {
		result_why(r, TDX_TCB_BAD, "QE identity: MRSIGNER %s is not "
		    "Intel's %s", hexs(e->mrsigner, 32, h1),
		    hexs(qi->mrsigner, 32, h2));
		return false;
	}
	/* 4.1.2.9.8 */
	if (e->isvprodid != qi->isvprodid) {
		result_why(r, TDX_TCB_BAD, "QE identity: ISVPRODID %u is not %u",
		    e->isvprodid, qi->isvprodid);
		return false;
	}
	return true;
}

/* The QE's own level (4.1.2.9.9 - 10) into r; the level, or NULL. */
static const struct tdx_isv_level *
qe_level(const struct tdx_quote *q, const struct tdx_qe_identity *qi,
    struct tdx_tcb_result *r)
{
	const struct tdx_isv_level *ql = NULL;
	size_t i;

	r->qe_isvsvn = q->qe.isvsvn;
	for (i = 0; i < qi->n_levels; i++)
		if (q->qe.isvsvn >= qi->levels[i].isvsvn) {
			ql = &qi->levels[i];
			break;
		}
	r->qe_status = ql != NULL ? (ql->status == TDX_TCB_UP_TO_DATE ||
	    ql->status == TDX_TCB_REVOKED ? ql->status : TDX_TCB_OUT_OF_DATE) :
	    TDX_TCB_NOT_SUPPORTED;
	return ql;
}

/* Intel 4.1.2.4.10 and the PCE-ID comparison of QuoteVerifier.cpp. */
static bool
platform_ids(const struct tdx_quote *q, const struct tdx_tcb_info *ti,
    struct tdx_tcb_result *r)
{
	char h1[33], h2[33];

	if (memcmp(q->pck.fmspc, ti->fmspc, 6) != 0) {
		result_why(r, TDX_TCB_CANNOT, "FMSPC mismatch: the PCK "
		    "certificate says %s, the TCB Info is for %s",
		    hexs(q->pck.fmspc, 6, h1), hexs(ti->fmspc, 6, h2));
		return false;
	}
	/* Intel, not the peer: the peer does not compare the PCE-ID. */
	if (memcmp(q->pck.pceid, ti->pceid, 2) != 0) {
		result_why(r, TDX_TCB_CANNOT, "PCE-ID mismatch: the PCK "
		    "certificate says %s, the TCB Info is for %s",
		    hexs(q->pck.pceid, 2, h1), hexs(ti->pceid, 2, h2));
		return false;
	}
	return true;
}

/*
 * An SGX quote v3 (Intel TcbLevelCheck.cpp checkTcbLevel, !isTdx): the
 * first level matching the PCK's SGX TCB, converged with the QE status.
 */
static void
evaluate_sgx(const struct tdx_quote *q, const struct tdx_tcb_info *ti,
    const struct tdx_qe_identity *qi, struct tdx_tcb_result *r)
{
	const struct tdx_tcb_level *sl = NULL;
	const struct tdx_isv_level *ql;
	char h1[33];
	size_t i;

	r->sgx = true;
	if (ti->id != TDX_TCB_INFO_SGX) {
		result_why(r, TDX_TCB_CANNOT, "TCB Info is a TDX one (id TDX), "
		    "it cannot judge an SGX quote");
		return;
	}
	if (!platform_ids(q, ti, r) || !qe_policy(q, qi, r))
		return;
	ql = qe_level(q, qi, r);
	for (i = 0; i < ti->n_levels && sl == NULL; i++)
		if (sgx_level_ok(&q->pck, &ti->levels[i])) {
			sl = &ti->levels[i];
			r->sgx_level = (int)i;
		}
	if (sl == NULL) {
		r->status = TDX_TCB_NOT_SUPPORTED;
		result_why(r, TDX_TCB_BAD, "no TCB level matches the platform: "
		    "the PCK certificate's SGX TCB (component SVNs %s, PCESVN "
		    "%u) is below every level", hexs(q->pck.tcb_comp_svn, 16,
		    h1), q->pck.pcesvn);
		return;
	}
	r->sgx_status = r->tdx_status = sl->status;
	r->tcb_date = sl->tcb_date;
	r->module_status = TDX_TCB_UP_TO_DATE;
	r->status = converge_qe(sl->status, r->qe_status);
	add_advisories(r, ti->adv, sl->adv_off, sl->adv_n);
	if (ql != NULL)
		add_advisories(r, qi->adv, ql->adv_off, ql->adv_n);
	if (r->status == TDX_TCB_REVOKED)
		result_why(r, TDX_TCB_BAD, "TCB status Revoked (platform %s, "
		    "QE %s)", tdx_tcb_status_str(sl->status),
		    tdx_tcb_status_str(r->qe_status));
	else if (r->status == TDX_TCB_NOT_SUPPORTED)
		result_why(r, TDX_TCB_BAD, "QE ISVSVN %u is below every level of "
		    "the QE identity", q->qe.isvsvn);
	else
		r->verdict = TDX_TCB_OK;
}

void
tdx_tcb_evaluate(const struct tdx_quote *q, const struct tdx_tcb_info *ti,
    const struct tdx_qe_identity *qi, struct tdx_tcb_result *r)
{
	const struct tdx_pck_info *pck = &q->pck;
	const uint8_t *svn = q->report.tee_tcb_svn;
	const struct tdx_module_identity *mod = NULL;
	const struct tdx_tcb_level *sl = NULL, *tl = NULL;
	const struct tdx_isv_level *ml = NULL, *ql = NULL;
	enum tdx_tcb_status st;
	char h1[33], why[MAX_CHECK_DETAIL];
	size_t i;

	memset(r, 0, sizeof(*r));
	r->sgx_level = r->tdx_level = -1;
	r->tcb_eval_num = ti->tcb_eval_num;
	if (!q->pck_ok) {
		result_why(r, TDX_TCB_CANNOT, "the PCK leaf's SGX extension "
		    "could not be read");
		return;
	}
	if (q->version == 3) {
		evaluate_sgx(q, ti, qi, r);
		return;
	}
	/* Intel 4.1.2.4.9: TCB Info v3 "TDX" for a TDX quote. */
	if (ti->id != TDX_TCB_INFO_TDX || ti->version < 3) {
		result_why(r, TDX_TCB_CANNOT, "TCB Info is an SGX one (id SGX), "
		    "it cannot judge a TDX quote");
		return;
	}
	/* 4.1.2.4.10 */
	if (!platform_ids(q, ti, r))
		return;

	/*
	 * 4.1.2.4.11: TDX module identity (Intel, not the peer, which has
	 * no module check).  With TEE_TCB_SVN[1] (major version) > 0 the
	 * matching tdxModuleIdentities entry gives MRSIGNER and attributes.
	 */
	if (svn[1] > 0) {
		if (ti->n_modules == 0) {
			result_why(r, TDX_TCB_CANNOT, "TDX module version %u "
			    "but the TCB Info has no tdxModuleIdentities",
			    svn[1]);
			return;
		}
		if ((mod = find_module(ti, svn[1])) == NULL) {
			result_why(r, TDX_TCB_BAD, "TDX module mismatch: TCB "
			    "Info has no identity TDX_%02X", svn[1]);
			return;
		}
		snprintf(r->module_id, sizeof(r->module_id), "%s", mod->id);
	}
	if (memcmp(q->report.mrsignerseam, mod != NULL ? mod->mrsigner :
	    ti->module.mrsigner, 48) != 0) {
		result_why(r, TDX_TCB_BAD, "TDX module mismatch: MRSIGNERSEAM "
		    "is not the TDX module signer in TCB Info");
		return;
	}
	/*
	 * 4.1.2.4.11.2 as Intel's QuoteVerifier.cpp implements it:
	 * SEAMATTRIBUTES must be zero and equal to the identity's
	 * attributes (the mask is not applied there).
	 */
	for (i = 0; i < 8; i++)
		if (q->report.seam_attributes[i] != 0 ||
		    q->report.seam_attributes[i] != (mod != NULL ?
		    mod->attributes[i] : ti->module.attributes[i])) {
			result_why(r, TDX_TCB_BAD, "TDX module mismatch: "
			    "SEAMATTRIBUTES %s are not zero and equal to the "
			    "TDX module attributes",
			    hexs(q->report.seam_attributes, 8, h1));
			return;
		}

	/* 4.1.2.4.14 - 15: QE identity policy and QE TCB level. */
	if (!qe_policy(q, qi, r))
		return;
	ql = qe_level(q, qi, r);

	/* 4.1.2.4.17: platform levels (Intel matchTcbLevels). */
	for (i = 0; i < ti->n_levels; i++) {
		if (!sgx_level_ok(pck, &ti->levels[i]))
			continue;
		if (sl == NULL) {
			sl = &ti->levels[i];
			r->sgx_level = (int)i;
		}
		if (tdx_level_ok(svn, &ti->levels[i])) {
			tl = &ti->levels[i];
			r->tdx_level = (int)i;
			break;
		}
	}
	if (sl == NULL) {
		r->status = TDX_TCB_NOT_SUPPORTED;
		result_why(r, TDX_TCB_BAD, "no TCB level matches the platform: "
		    "the PCK certificate's SGX TCB (component SVNs %s, PCESVN "
		    "%u) is below every level", hexs(pck->tcb_comp_svn, 16, h1),
		    pck->pcesvn);
		return;
	}
	r->sgx_status = sl->status;
	if (tl == NULL) {
		r->status = TDX_TCB_NOT_SUPPORTED;
		result_why(r, TDX_TCB_BAD, "no TCB level matches TEE_TCB_SVN %s "
		    "(compared from byte %d)", hexs(svn, 16, h1),
		    svn[1] > 0 ? 2 : 0);
		return;
	}
	r->tdx_status = tl->status;
	r->tcb_date = tl->tcb_date;

	/* 4.1.2.4.17.4.1: the TDX module's own level. */
	if (svn[1] == 0)
		r->module_status = TDX_TCB_UP_TO_DATE;
	else {
		for (i = 0; i < mod->n_levels; i++)
			if (svn[0] >= mod->levels[i].isvsvn) {
				ml = &mod->levels[i];
				break;
			}
		if (ml == NULL) {
			r->status = r->module_status = TDX_TCB_NOT_SUPPORTED;
			result_why(r, TDX_TCB_BAD, "TDX module %s ISVSVN %u is "
			    "below every level of its identity", mod->id,
			    svn[0]);
			return;
		}
		r->module_status = ml->status;
	}
	st = converge_module(tl->status, r->module_status);
	if (st != TDX_TCB_REVOKED && q->body_type == TDX_BODY_TD15) {
		/* 4.1.2.4.17.4.3 */
		why[0] = '\0';
		r->relaunch_checked = true;
		st = relaunch(q, ti, sl->status, st, r->module_status,
		    r->qe_status, why, sizeof(why));
		if (st == TDX_TCB_NOT_SUPPORTED) {
			r->status = st;
			result_why(r, TDX_TCB_BAD, "%s", why);
			return;
		}
	}
	if (st != TDX_TCB_REVOKED)
		st = converge_qe(st, r->qe_status);
	r->status = st;

	add_advisories(r, ti->adv, tl->adv_off, tl->adv_n);
	if (ml != NULL)
		add_advisories(r, mod->adv, ml->adv_off, ml->adv_n);
	if (ql != NULL)
		add_advisories(r, qi->adv, ql->adv_off, ql->adv_n);

	switch (st) {
	case TDX_TCB_REVOKED:
		result_why(r, TDX_TCB_BAD, "TCB status Revoked (platform %s, "
		    "TDX module %s, QE %s)", tdx_tcb_status_str(tl->status),
		    tdx_tcb_status_str(r->module_status),
		    tdx_tcb_status_str(r->qe_status));
		break;
	case TDX_TCB_NOT_SUPPORTED:
		result_why(r, TDX_TCB_BAD, "QE ISVSVN %u is below every level of "
		    "the QE identity", q->qe.isvsvn);
		break;
	default:
		r->verdict = TDX_TCB_OK;
		break;
	}
}
