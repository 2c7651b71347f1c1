/*
 * check_provenance_client: tmond's code provenance look-ups
 * (provenance_client.h) with the GitHub answers recorded with the Tinfoil
 * v3 capture of 2026-06-29 (tests/data/replay/github-2026-06-29; see its
 * PROVENANCE.md): the release JSON and digest asset parsers on the real
 * bodies and on malformed ones, then the client against tmon-replay
 * serving those answers: the latest release of
 * tinfoilsh/confidential-model-router (v0.0.110), its digest and
 * attestation, verified against the pinned public-good trusted root at
 * the capture's time, one `provenance` entry whose documents are stored
 * blobs and which records the signer's identity and the Rekor entry's
 * log index and integrated time (read here from the served JSON),
 * provenance.release (its detail naming that log index) and
 * provenance.measurement for an enclave
 * with the release's SEV-SNP MEASUREMENT (pass) and another (fail), the
 * result reused (no new entry) when the re-look-up finds the same tag,
 * kept and said to be stale when the look-up fails, the release notes'
 * digest when the asset is missing, and an unknown repository an error.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "attest.h"
#include "encode.h"
#include "fetch.h"
#include "provenance_client.h"
#include "sigstore_root.h"
#include "store.h"
#include "testutil.h"
#include "tjson.h"
#include "util.h"
#include "writer.h"
#include "xmalloc.h"

#define GH	TMON_TEST_DATA "/replay/github-2026-06-29/"
#define PUBLIC_ROOT	TMON_SOURCE_DIR "/trust/sigstore-trusted-root.json"
/* the capture's time (tests/data/sigstore/PROVENANCE.md) */
#define T_0629	1782699168
#define CMR	"tinfoilsh/confidential-model-router"

static const char digest_hex[] =
    "59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c9";
static const char snp_hex[] = "7adcb574b1e22ab579f3c883da3e5b6e632ef06775"
    "dd13fdb16850640135a5f63c7eb8741fe340c672edaf241bd1ed7c";

static char dir[128], dbpath[160];
static pid_t replay_pid = -1;
static int replay_port, replay_fd = -1;

static uint8_t *
load(const char *path, size_t *len)
{
	uint8_t *p = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, MAX_UPSTREAM_BODY, &p, len, &err) ==
	    TMON_OK, "%s", err.msg);
	return p;
}

/*
 * The logIndex and integratedTime of the Rekor entry GitHub served
 * (attestations[0].bundle.verificationMaterial.tlogEntries[0], decimal
 * strings), read from the recorded body.
 */
static void
gh_tlog(uint64_t *index, int64_t *itime)
{
	json_t *body, *e;
	const char *li, *it;
	uint8_t *b;
	size_t len;
	char *end;

	b = load(GH "attestations.body", &len);
	body = json_loadb((const char *)b, len, 0, NULL);
	ck_assert_ptr_nonnull(body);
	free(b);
	e = json_array_get(json_object_get(json_object_get(json_object_get(
	    json_array_get(json_object_get(body, "attestations"), 0),
	    "bundle"), "verificationMaterial"), "tlogEntries"), 0);
	li = json_string_value(json_object_get(e, "logIndex"));
	it = json_string_value(json_object_get(e, "integratedTime"));
	ck_assert(li != NULL && it != NULL);
	*index = strtoull(li, &end, 10);
	ck_assert(*end == '\0' && end != li);
	*itime = strtoll(it, &end, 10);
	ck_assert(*end == '\0' && end != it);
	json_decref(body);
}

/* ---- the parsers ---- */

START_TEST(test_release_real)
{
	struct github_release r;
	struct tmon_err err;
	uint8_t *b, d[32];
	size_t len;
	char hex[65];

	b = load(GH "release_latest.body", &len);
	tmon_err_clear(&err);
	ck_assert_msg(github_release_parse(b, len, &r, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_str_eq(r.tag, "v0.0.110");
	ck_assert(r.has_body_digest);
	ck_assert_str_eq(hex_encode(r.body_digest, 32, hex), digest_hex);
	free(b);
	b = load(GH "tinfoil_hash.body", &len);
	ck_assert_int_eq(github_digest_parse(b, len, d, &err), TMON_OK);
	ck_assert_str_eq(hex_encode(d, 32, hex), digest_hex);
	free(b);
}
END_TEST

static enum tmon_rc
rel(const char *s, struct github_release *r, struct tmon_err *err)
{
	tmon_err_clear(err);
	return github_release_parse((const uint8_t *)s, strlen(s), r, err);
}

START_TEST(test_release_malformed)
{
	static const struct {
		const char	*text;
		enum tmon_rc	 rc;
		const char	*msg;
	} bad[] = {
		{ "", TMON_E_PARSE, "" },
		{ "[]", TMON_E_PARSE, "" },
		{ "{\"tag_name\": 1}", TMON_E_PARSE, "tag_name" },
		{ "{\"name\": \"v1\"}", TMON_E_PARSE, "tag_name" },
		{ "{\"tag_name\": \"\"}", TMON_E_PARSE, "tag_name" },
		{ "{\"tag_name\": \"../x\"}", TMON_E_PARSE, "tag_name" },
		{ "{\"tag_name\": \"v 1\"}", TMON_E_PARSE, "tag_name" },
		{ "{\"tag_name\": \"v1\", \"tag_name\": \"v2\"}", TMON_E_PARSE,
		  "" },
		{ "{\"tag_name\": \"v1\", \"body\": 3}", TMON_E_PARSE, "body" },
		{ "{\"tag_name\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaa\"}", TMON_E_LIMIT, "tag_name" },
	};
	struct github_release r;
	struct tmon_err err;
	uint8_t *big;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(rel(bad[i].text, &r, &err) == bad[i].rc,
		    "%s: %s", bad[i].text, err.msg);
		ck_assert_msg(strstr(err.msg, bad[i].msg) != NULL, "%s: %s",
		    bad[i].text, err.msg);
		ck_assert_str_eq(r.tag, "");
	}
	/* over the bound */
	big = xmalloc(MAX_GITHUB_RELEASE + 2);
	memset(big, ' ', MAX_GITHUB_RELEASE + 2);
	big[0] = '{';
	big[MAX_GITHUB_RELEASE + 1] = '}';
	ck_assert_int_eq(github_release_parse(big, MAX_GITHUB_RELEASE + 2, &r,
	    &err), TMON_E_LIMIT);
	free(big);
	/* the notes' Digest line: only 64 hex, backquotes optional */
	ck_assert_int_eq(rel("{\"tag_name\": \"v1\", \"body\": \"x\\r\\n"
	    "Digest: 59239F442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce"
	    "88a4e4c9\\r\\n\"}", &r, &err), TMON_OK);
	ck_assert(r.has_body_digest && r.body_digest[0] == 0x59);
	ck_assert_int_eq(rel("{\"tag_name\": \"v1\", \"body\": \"Digest: `"
	    "59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c"
	    "`\"}", &r, &err), TMON_OK);
	ck_assert(!r.has_body_digest);
	ck_assert_int_eq(rel("{\"tag_name\": \"v1\", \"body\": \"Digest: `"
	    "59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c9"
	    "` and more\"}", &r, &err), TMON_OK);
	ck_assert(!r.has_body_digest);
	ck_assert_int_eq(rel("{\"tag_name\": \"v1\", \"body\": null}", &r,
	    &err), TMON_OK);
	ck_assert(!r.has_body_digest);
}
END_TEST

START_TEST(test_digest_malformed)
{
	static const char *const bad[] = {
		"",
		"59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c",
		"59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c9x",
		"59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c9"
		    "  tinfoil.hash\n",
		"g9239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c9",
		" 59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c9",
	};
	struct tmon_err err;
	uint8_t d[32], big[MAX_DIGEST_ASSET + 1];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tmon_err_clear(&err);
		ck_assert_msg(github_digest_parse((const uint8_t *)bad[i],
		    strlen(bad[i]), d, &err) == TMON_E_PARSE, "%s", bad[i]);
		ck_assert_str_eq(err.msg, "digest asset: must be 64 hex "
		    "digits");
	}
	ck_assert_int_eq(github_digest_parse((const uint8_t *)"59239F442BCC58"
	    "14c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c9\r\n \t", 68,
	    d, &err), TMON_OK);
	memset(big, '\n', sizeof(big));
	memcpy(big, digest_hex, 64);
	ck_assert_int_eq(github_digest_parse(big, sizeof(big), d, &err),
	    TMON_E_LIMIT);
}
END_TEST

/* ---- the client, through tmon-replay, into a store ---- */

struct run {
	struct fetch		*f;
	struct store_writer	*w;
	struct sigstore_root	*root;
	struct prov_client	*c;
	int			 done;
};

static void
on_done(void *arg)
{
	((struct run *)arg)->done++;
}

static void
run_start(struct run *r)
{
	struct prov_client_cfg cfg;
	struct store *s = NULL;
	struct tmon_err err;
	uint8_t *text;
	size_t len;
	char base[64];

	memset(r, 0, sizeof(*r));
	tmon_err_clear(&err);
	ck_assert_msg(store_open(dbpath, STORE_RW, &s, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_msg(store_writer_start(s, &r->w, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_ptr_nonnull(r->f = fetch_new());
	text = load(PUBLIC_ROOT, &len);
	ck_assert_msg(sigstore_root_parse(text, len, NULL, &r->root, &err) ==
	    TMON_OK, "%s", err.msg);
	free(text);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", replay_port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.api_url = base;
	cfg.download_url = base;
	cfg.root = r->root;
	cfg.recheck_s = 900;
	cfg.timeout_ms = 20000;
	cfg.max_body = MAX_UPSTREAM_BODY;
	r->c = prov_client_new(&cfg);
}

static void
run_wait(struct run *r, int want)
{
	time_t end = time(NULL) + 60;

	while (r->done < want && time(NULL) < end)
		(void)fetch_poll(r->f, 100);
	ck_assert_int_eq(r->done, want);
}

static void
run_stop(struct run *r)
{
	prov_client_free(r->c);
	fetch_free(r->f);
	store_writer_stop(r->w);
	sigstore_root_free(r->root);
}

static int
collect(const struct store_entry *e, void *arg)
{
	json_t *j = json_loadb((const char *)e->body, e->body_len, 0, NULL);

	ck_assert_ptr_nonnull(j);
	json_array_append_new(arg, j);
	return 0;
}

/* Every provenance entry of the store, oldest first. */
static json_t *
provenance_entries(void)
{
	struct store_query q;
	struct store *s = NULL;
	struct tmon_err err;
	json_t *all = json_array();

	tmon_err_clear(&err);
	ck_assert_int_eq(store_open(dbpath, STORE_RO, &s, &err), TMON_OK);
	store_query_init(&q);
	q.kind = "provenance";
	ck_assert_int_eq(store_query(s, &q, collect, all, &err), TMON_OK);
	store_close(s);
	return all;
}

/* The blob named by the document's body_sha256 equals the file's bytes. */
static void
assert_blob(const json_t *doc, const char *file)
{
	const char *hex = json_string_value(json_object_get(doc,
	    "body_sha256"));
	struct store *s = NULL;
	struct tmon_err err;
	uint8_t h[32], *b = NULL, *want;
	size_t blen = 0, wlen;
	char *mt = NULL;

	ck_assert(hex != NULL && hex_decode_exact(hex, strlen(hex), h, 32,
	    false));
	tmon_err_clear(&err);
	ck_assert_int_eq(store_open(dbpath, STORE_RO, &s, &err), TMON_OK);
	ck_assert_msg(store_blob_get(s, h, &b, &blen, &mt, &err) == TMON_OK,
	    "%s", err.msg);
	want = load(file, &wlen);
	ck_assert_uint_eq(blen, wlen);
	ck_assert(memcmp(b, want, wlen) == 0);
	free(want);
	free(b);
	free(mt);
	store_close(s);
}

static char wf[] = ".github/workflows/tinfoil-release-publish.yml";
static char ref[] = "refs/tags/v*";
static char issuer[] = "https://token.actions.githubusercontent.com";

/* m with "provenance" of repo (its strings borrowed from the caller). */
static void
model(struct model_cfg *m, char *name, char *repo, char *asset)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->provenance.enabled = true;
	m->provenance.repo = repo;
	m->provenance.workflow = wf;
	m->provenance.ref = ref;
	m->provenance.issuer = issuer;
	m->provenance.digest_asset = asset;
}

/* The status of check id in cl, its detail in *detail. */
static enum check_status
status_of(const struct checklist *cl, const char *id, const char **detail)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "no %s", id);
	*detail = c->detail;
	return c->status;
}

START_TEST(test_lookup_reuse_stale)
{
	struct attest_measurement meas;
	struct model_cfg m, none, alt, unknown;
	struct checklist cl;
	struct prov_view pv;
	struct tmon_err err;
	struct run r;
	json_t *all, *e, *docs;
	const char *det;
	char hex[65];
	uint8_t h[32], *text;
	size_t len;

	uint64_t log_index;
	int64_t itime;
	char want[64];
	json_t *id;

	static char n1[] = "TEE/llama3-3-70b", n2[] = "notes",
	    n3[] = "unknown", n4[] = "other", cmr[] = CMR,
	    nope[] = "tinfoilsh/nope", a1[] = "tinfoil.hash",
	    a2[] = "missing.hash";

	gh_tlog(&log_index, &itime);
	model(&m, n1, cmr, a1);
	run_start(&r);
	/* nothing looked up yet: the checks are errors, none skip */
	checklist_init(&cl);
	prov_client_check(r.c, &m, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "provenance.release", &det),
	    CHECK_ERROR);
	ck_assert(prov_client_wants(r.c, &m, T_0629));
	tmon_err_clear(&err);
	ck_assert_int_eq(prov_client_refresh(r.c, r.f, r.w, &m, T_0629,
	    on_done, &r, &err), TMON_OK);
	ck_assert(!prov_client_wants(r.c, &m, T_0629));
	ck_assert_int_eq(prov_client_refresh(r.c, r.f, r.w, &m, T_0629,
	    on_done, &r, &err), TMON_E_INTERNAL);
	run_wait(&r, 1);
	ck_assert_uint_eq(prov_client_lookups(r.c), 1);

	/* the release verified: an enclave on it passes, another fails */
	memset(&meas, 0, sizeof(meas));
	meas.has_snp_report = true;
	ck_assert(hex_decode_exact(snp_hex, 96, meas.snp_measurement, 48,
	    false));
	checklist_init(&cl);
	prov_client_check(r.c, &m, &meas, &cl);
	ck_assert_msg(status_of(&cl, "provenance.release", &det) ==
	    CHECK_PASS, "%s", det);
	ck_assert_msg(strstr(det, CMR "@v0.0.110") != NULL &&
	    strstr(det, digest_hex) != NULL, "%s", det);
	snprintf(want, sizeof(want), "Rekor log index %llu,",
	    (unsigned long long)log_index);
	ck_assert_msg(strstr(det, want) != NULL, "%s", det);
	ck_assert_msg(status_of(&cl, "provenance.measurement", &det) ==
	    CHECK_PASS, "%s", det);
	meas.snp_measurement[47] ^= 1;
	checklist_init(&cl);
	prov_client_check(r.c, &m, &meas, &cl);
	ck_assert_msg(status_of(&cl, "provenance.measurement", &det) ==
	    CHECK_FAIL, "%s", det);
	meas.snp_measurement[47] ^= 1;
	ck_assert(prov_client_view(r.c, &m, &pv));
	ck_assert_uint_eq(pv.n, 1);
	ck_assert_str_eq(pv.rels[0].tag, "v0.0.110");
	ck_assert_ptr_null(pv.hw);

	/* no look-up before recheck_s; then the same tag: reused, no entry */
	ck_assert(!prov_client_wants(r.c, &m, T_0629 + 899));
	ck_assert(prov_client_wants(r.c, &m, T_0629 + 900));
	ck_assert_int_eq(prov_client_refresh(r.c, r.f, r.w, &m, T_0629 + 900,
	    on_done, &r, &err), TMON_OK);
	run_wait(&r, 2);
	ck_assert_uint_eq(prov_client_lookups(r.c), 1);
	ck_assert_uint_eq(prov_client_reused(r.c), 1);

	/* a model without provenance: skip */
	memset(&none, 0, sizeof(none));
	none.name = n4;
	ck_assert(!prov_client_wants(r.c, &none, T_0629));
	checklist_init(&cl);
	prov_client_check(r.c, &none, &meas, &cl);
	ck_assert_int_eq(status_of(&cl, "provenance.release", &det),
	    CHECK_SKIP);
	ck_assert_int_eq(status_of(&cl, "provenance.measurement", &det),
	    CHECK_SKIP);

	/* the asset missing (404): the release notes' digest */
	model(&alt, n2, cmr, a2);
	ck_assert_int_eq(prov_client_refresh(r.c, r.f, r.w, &alt, T_0629,
	    on_done, &r, &err), TMON_OK);
	run_wait(&r, 3);
	checklist_init(&cl);
	prov_client_check(r.c, &alt, &meas, &cl);
	ck_assert_msg(status_of(&cl, "provenance.release", &det) ==
	    CHECK_PASS, "%s", det);
	ck_assert_msg(strstr(det, "release_body") != NULL, "%s", det);

	/* an unknown repository: 404, error, nothing verified */
	model(&unknown, n3, nope, a1);
	ck_assert_int_eq(prov_client_refresh(r.c, r.f, r.w, &unknown, T_0629,
	    on_done, &r, &err), TMON_OK);
	run_wait(&r, 4);
	checklist_init(&cl);
	prov_client_check(r.c, &unknown, &meas, &cl);
	ck_assert_msg(status_of(&cl, "provenance.release", &det) ==
	    CHECK_ERROR, "%s", det);
	ck_assert_msg(strstr(det, "release: HTTP 404") != NULL, "%s", det);
	ck_assert_int_eq(status_of(&cl, "provenance.measurement", &det),
	    CHECK_ERROR);
	ck_assert(!prov_client_view(r.c, &unknown, &pv));
	/* retried after PROVC_RETRY_S, not before */
	ck_assert(!prov_client_wants(r.c, &unknown, T_0629 + 10));
	ck_assert(prov_client_wants(r.c, &unknown, T_0629 + PROVC_RETRY_S));

	/* GitHub unreachable: the last result stands, said to be stale */
	tu_stop(replay_pid, SIGTERM);
	replay_pid = -1;
	ck_assert_int_eq(prov_client_refresh(r.c, r.f, r.w, &m, T_0629 + 1800,
	    on_done, &r, &err), TMON_OK);
	run_wait(&r, 5);
	checklist_init(&cl);
	prov_client_check(r.c, &m, &meas, &cl);
	ck_assert_msg(status_of(&cl, "provenance.release", &det) ==
	    CHECK_PASS, "%s", det);
	ck_assert_msg(strncmp(det, "stale: ", 7) == 0, "%s", det);
	ck_assert_msg(status_of(&cl, "provenance.measurement", &det) ==
	    CHECK_PASS, "%s", det);
	ck_assert_msg(strncmp(det, "stale: ", 7) == 0, "%s", det);
	ck_assert(prov_client_view(r.c, &m, &pv));
	run_stop(&r);

	/* entries: the look-up, the notes' digest, the 404, the failure */
	all = provenance_entries();
	ck_assert_uint_eq(json_array_size(all), 4);
	e = json_array_get(all, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "verdict")),
	    "pass");
	ck_assert_str_eq(json_string_value(json_object_get(e, "model")),
	    "TEE/llama3-3-70b");
	ck_assert_str_eq(json_string_value(json_object_get(e, "repo")), CMR);
	ck_assert_str_eq(json_string_value(json_object_get(e, "tag")),
	    "v0.0.110");
	ck_assert_str_eq(json_string_value(json_object_get(e, "digest")),
	    digest_hex);
	ck_assert_str_eq(json_string_value(json_object_get(e,
	    "digest_source")), "asset");
	ck_assert(json_array_size(json_object_get(e, "checks")) > 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(e,
	    "registers"), "snp_measurement")), snp_hex);
	/* the Rekor entry GitHub served; the signer (the leaf certificate's
	 * Fulcio extensions, openssl x509 -text) */
	ck_assert_int_eq(json_integer_value(json_object_get(e, "log_index")),
	    (json_int_t)log_index);
	ck_assert_int_eq(json_integer_value(json_object_get(e,
	    "integrated_time")), itime);
	id = json_object_get(e, "identity");
	ck_assert_str_eq(json_string_value(json_object_get(id, "issuer")),
	    issuer);
	ck_assert_str_eq(json_string_value(json_object_get(id, "repo")),
	    "https://github.com/" CMR);
	ck_assert_str_eq(json_string_value(json_object_get(id, "ref")),
	    "refs/tags/v0.0.110");
	ck_assert_str_eq(json_string_value(json_object_get(id, "sha")),
	    "7813c278b2c46351948143ea4a2313c635654893");
	ck_assert_str_eq(json_string_value(json_object_get(id, "workflow")),
	    "https://github.com/" CMR "/" ".github/workflows/"
	    "tinfoil-release-publish.yml@refs/tags/v0.0.110");
	text = load(PUBLIC_ROOT, &len);
	sha256(text, len, h);
	free(text);
	ck_assert_str_eq(json_string_value(json_object_get(e,
	    "trusted_root_sha256")), hex_encode(h, 32, hex));
	docs = json_object_get(e, "documents");
	assert_blob(json_object_get(docs, "release"), GH "release_latest.body");
	assert_blob(json_object_get(docs, "digest_asset"),
	    GH "tinfoil_hash.body");
	assert_blob(json_object_get(docs, "attestations"),
	    GH "attestations.body");
	e = json_array_get(all, 1);
	ck_assert_str_eq(json_string_value(json_object_get(e, "verdict")),
	    "pass");
	ck_assert_str_eq(json_string_value(json_object_get(e,
	    "digest_source")), "release_body");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(e, "documents"), "digest_asset"), "status")), 404);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "log_index")),
	    (json_int_t)log_index);
	e = json_array_get(all, 2);
	ck_assert_str_eq(json_string_value(json_object_get(e, "verdict")),
	    "error");
	ck_assert_str_eq(json_string_value(json_object_get(e, "error")),
	    "release: HTTP 404");
	ck_assert(json_is_null(json_object_get(e, "checks")));
	ck_assert(json_is_null(json_object_get(e, "identity")));
	ck_assert(json_is_null(json_object_get(e, "log_index")));
	ck_assert(json_is_null(json_object_get(e, "integrated_time")));
	e = json_array_get(all, 3);
	ck_assert_str_eq(json_string_value(json_object_get(e, "verdict")),
	    "error");
	json_decref(all);
}
END_TEST

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tmon-check-provc-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/log.db", dir);
	replay_pid = tu_start_replay(&replay_port, &replay_fd);
	ck_assert_int_gt(replay_pid, 0);
}

static void
teardown(void)
{
	tu_stop(replay_pid, SIGTERM);
	replay_pid = -1;
	if (replay_fd >= 0)
		close(replay_fd);
	replay_fd = -1;
	tu_unlink_db(dbpath);
	(void)rmdir(dir);
}

static Suite *
provc_suite(void)
{
	Suite *s = suite_create("provenance_client");
	TCase *tc = tcase_create("parse");
	TCase *tn = tcase_create("replay");

	tcase_add_test(tc, test_release_real);
	tcase_add_test(tc, test_release_malformed);
	tcase_add_test(tc, test_digest_malformed);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tn, setup, teardown);
	tcase_set_timeout(tn, 120);
	tcase_add_test(tn, test_lookup_reuse_stale);
	suite_add_tcase(s, tn);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(provc_suite());
	int nf;

	tjson_init();
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
