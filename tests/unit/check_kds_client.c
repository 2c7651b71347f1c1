/*
 * check_kds_client: tmond's AMD KDS client (kds_client.h) against
 * tmon-replay serving the KDS answers recorded with the Tinfoil v3
 * SEV-SNP capture of 2026-06-29 (tests/data/replay/kds-2026-06-29,
 * tests/data/amd-kds; see their PROVENANCE.md).  The VCEK URL is built
 * from the recorded report's CHIP_ID and REPORTED_TCB and must be the URL
 * the capture requested; the client fetches the VCEK and the cert_chain
 * once, stores both bodies as blobs with one `collateral` entry, serves
 * them through the attest_ctx.amd_collateral look-up and does not fetch
 * them again for the next probe.  An unknown chip is logged as "error"
 * and not retried at once; documents of the wrong kind are "fail".
 * tmonctl audit re-judges the logged entries from their blobs.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "encode.h"
#include "fetch.h"
#include "kds_client.h"
#include "store.h"
#include "testutil.h"
#include "tjson.h"
#include "util.h"
#include "writer.h"
#include "xmalloc.h"

#define KDS TMON_TEST_DATA "/amd-kds/"
/* the capture's answer time (Date: Mon, 29 Jun 2026 02:12:58 GMT) */
#define T_0629	1782699178
/* AMD SEV-SNP ABI spec (pub. 56860) ATTESTATION_REPORT offsets */
#define OFF_REPORTED_TCB	0x180
#define OFF_CHIP_ID		0x1a0

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

/* CHIP_ID and REPORTED_TCB of the recorded report. */
static void
report_ids(uint8_t chip_id[64], uint64_t *tcb)
{
	uint8_t *r;
	size_t len, i;

	r = load(KDS "genoa_report.bin", &len);
	ck_assert_uint_eq(len, 1184);
	memcpy(chip_id, r + OFF_CHIP_ID, 64);
	*tcb = 0;
	for (i = 0; i < 8; i++)
		*tcb |= (uint64_t)r[OFF_REPORTED_TCB + i] << (8 * i);
	free(r);
}

/* The "url" member of a recorded .http.json. */
static char *
recorded_url(const char *path)
{
	json_t *j;
	char *u;
	size_t len;
	uint8_t *t = load(path, &len);

	j = json_loadb((const char *)t, len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	u = xstrdup(json_string_value(json_object_get(j, "url")));
	json_decref(j);
	free(t);
	return u;
}

START_TEST(test_vcek_path)
{
	char path[KDS_MAX_PATH], *url;
	uint8_t chip[64];
	uint64_t tcb;

	report_ids(chip, &tcb);
	url = recorded_url(KDS "genoa_vcek.http.json");
	ck_assert(kds_vcek_path("Genoa", chip, tcb, path, sizeof(path)));
	ck_assert(strncmp(url, "https://kdsintf.amd.com/", 24) == 0);
	ck_assert_str_eq(url + strlen("https://kdsintf.amd.com"), path);
	free(url);
	/* Turin: 8 bytes of CHIP_ID, FMC SPL first (TCB_VERSION of Turin:
	 * FMC, BOOT_LOADER, TEE, SNP, 3 reserved, MICROCODE) */
	ck_assert(kds_vcek_path("Turin", chip, 0x4800000004030201ull, path,
	    sizeof(path)));
	ck_assert_str_eq(path, "/vcek/v1/Turin/1af1aa6c1f56037a?fmcSPL=1"
	    "&blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=72");
	ck_assert(!kds_vcek_path("Naples", chip, tcb, path, sizeof(path)));
	ck_assert(!kds_vcek_path("Genoa", chip, tcb, path, 100));
}
END_TEST

static void
res_of(struct fetch_result *r, const char *file)
{
	memset(r, 0, sizeof(*r));
	r->rc = TMON_OK;
	r->status = 200;
	r->body = load(file, &r->body_len);
}

START_TEST(test_judge)
{
	struct fetch_result res[KDS_NDOCS];
	bool asked[KDS_NDOCS] = { true, true };
	char why[256];

	res_of(&res[0], KDS "genoa_vcek.der");
	res_of(&res[1], KDS "genoa_cert_chain.pem");
	ck_assert_str_eq(kds_judge(res, asked, "Genoa", why, sizeof(why)),
	    "pass");
	ck_assert_str_eq(why, "");
	/* only the VCEK asked for (the chain is cached) */
	asked[1] = false;
	ck_assert_str_eq(kds_judge(res, asked, "Genoa", why, sizeof(why)),
	    "pass");
	asked[1] = true;
	/* another product asked for: what was served is not it */
	ck_assert_str_eq(kds_judge(res, asked, "Milan", why, sizeof(why)),
	    "fail");
	ck_assert_msg(strstr(why, "KDS served AMD VCEK of Genoa, asked for "
	    "the AMD VCEK of Milan") != NULL, "%s", why);
	/* the two bodies swapped */
	ck_assert_str_eq(kds_judge((const struct fetch_result[]){ res[1],
	    res[0] }, asked, "Genoa", why, sizeof(why)), "fail");
	ck_assert_msg(strstr(why, "vcek: KDS served AMD cert_chain") != NULL,
	    "%s", why);
	/* a truncated VCEK: fail, not a certificate */
	res[0].body_len -= 10;
	ck_assert_str_eq(kds_judge(res, asked, "Genoa", why, sizeof(why)),
	    "fail");
	res[0].body_len += 10;
	/* not had: error */
	res[1].status = 404;
	ck_assert_str_eq(kds_judge(res, asked, "Genoa", why, sizeof(why)),
	    "error");
	ck_assert_str_eq(why, "cert_chain: HTTP 404");
	res[1].status = 200;
	res[0].rc = TMON_E_TIMEOUT;
	snprintf(res[0].error, sizeof(res[0].error), "timed out");
	ck_assert_str_eq(kds_judge(res, asked, "Genoa", why, sizeof(why)),
	    "error");
	free(res[0].body);
	free(res[1].body);
}
END_TEST

/* ---- through tmon-replay, into a store ---- */

struct run {
	struct fetch		*f;
	struct store_writer	*w;
	struct kds_client	*c;
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
	struct kds_client_cfg cfg;
	struct store *s = NULL;
	struct tmon_err err;
	char base[64];

	memset(r, 0, sizeof(*r));
	tmon_err_clear(&err);
	ck_assert_msg(store_open(dbpath, STORE_RW, &s, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_msg(store_writer_start(s, &r->w, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_ptr_nonnull(r->f = fetch_new());
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", replay_port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.base_url = base;
	cfg.timeout_ms = 20000;
	cfg.max_body = MAX_UPSTREAM_BODY;
	r->c = kds_client_new(&cfg);
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
	kds_client_free(r->c);
	fetch_free(r->f);
	store_writer_stop(r->w);
}

struct seen {
	json_t	*bodies;
};

static int
collect(const struct store_entry *e, void *arg)
{
	json_t *j = json_loadb((const char *)e->body, e->body_len, 0, NULL);

	ck_assert_ptr_nonnull(j);
	json_array_append_new(((struct seen *)arg)->bodies, j);
	return 0;
}

/* Every collateral entry of the store, oldest first. */
static json_t *
collateral_entries(void)
{
	struct store_query q;
	struct seen sn;
	struct store *s = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_int_eq(store_open(dbpath, STORE_RO, &s, &err), TMON_OK);
	store_query_init(&q);
	q.kind = "collateral";
	sn.bodies = json_array();
	ck_assert_int_eq(store_query(s, &q, collect, &sn, &err), TMON_OK);
	store_close(s);
	return sn.bodies;
}

/* The blob named by hex in the store equals the file's bytes. */
static void
assert_blob(const char *hex, const char *file)
{
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

/* The exit status of tmonctl audit on the store, its output drained. */
static int
audit_exit(void)
{
	const char *const argv[] = { TMON_BUILD_DIR "/tmonctl", "audit",
	    dbpath, "-j", "1", NULL };
	char buf[4096];
	int fd, status;
	pid_t pid;

	pid = tu_spawn(argv, &fd);
	ck_assert_int_gt(pid, 0);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(test_fetch_store_reuse)
{
	const uint8_t *v = NULL, *ch = NULL;
	size_t vlen = 0, chlen = 0, n;
	uint8_t chip[64], *want;
	uint64_t tcb;
	struct tmon_err err;
	struct run r;
	json_t *all, *e, *d;
	char hex[129];

	report_ids(chip, &tcb);
	run_start(&r);
	ck_assert(!kds_client_lookup(r.c, "Genoa", chip, tcb, &v, &vlen, &ch,
	    &chlen));
	ck_assert(kds_client_wants(r.c, "Genoa", chip, tcb, T_0629));
	tmon_err_clear(&err);
	ck_assert_int_eq(kds_client_refresh(r.c, r.f, r.w, "Genoa", chip, tcb,
	    T_0629, on_done, &r, &err), TMON_OK);
	ck_assert(!kds_client_wants(r.c, "Genoa", chip, tcb, T_0629));
	run_wait(&r, 1);

	/* the look-up serves the recorded bytes */
	ck_assert(kds_client_lookup(r.c, "Genoa", chip, tcb, &v, &vlen, &ch,
	    &chlen));
	want = load(KDS "genoa_vcek.der", &n);
	ck_assert_uint_eq(vlen, n);
	ck_assert(memcmp(v, want, n) == 0);
	free(want);
	want = load(KDS "genoa_cert_chain.pem", &n);
	ck_assert_uint_eq(chlen, n);
	ck_assert(memcmp(ch, want, n) == 0);
	free(want);
	/* the next probe of the chip at its TCB: nothing to fetch */
	ck_assert(!kds_client_wants(r.c, "Genoa", chip, tcb, T_0629 + 86400));
	ck_assert_uint_eq(kds_client_fetches(r.c), 1);
	/* another TCB of the chip is another VCEK */
	ck_assert(kds_client_wants(r.c, "Genoa", chip, tcb + 1, T_0629));
	ck_assert(!kds_client_lookup(r.c, "Genoa", chip, tcb + 1, &v, &vlen,
	    &ch, &chlen));

	/* an unknown chip: 404, "error", the chain not asked again */
	chip[0] ^= 1;
	ck_assert_int_eq(kds_client_refresh(r.c, r.f, r.w, "Genoa", chip, tcb,
	    T_0629, on_done, &r, &err), TMON_OK);
	run_wait(&r, 2);
	ck_assert(!kds_client_lookup(r.c, "Genoa", chip, tcb, &v, &vlen, &ch,
	    &chlen));
	ck_assert(!kds_client_wants(r.c, "Genoa", chip, tcb, T_0629 + 60));
	ck_assert(kds_client_wants(r.c, "Genoa", chip, tcb, T_0629 + 600));
	chip[0] ^= 1;
	/* a product KDS does not serve */
	ck_assert(!kds_client_wants(r.c, "Naples", chip, tcb, T_0629));
	ck_assert_int_eq(kds_client_refresh(r.c, r.f, r.w, "Naples", chip,
	    tcb, T_0629, on_done, &r, &err), TMON_E_UNSUPPORTED);
	run_stop(&r);

	/* two collateral entries: the fetch that passed, the 404 */
	all = collateral_entries();
	ck_assert_uint_eq(json_array_size(all), 2);
	e = json_array_get(all, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "verdict")),
	    "pass");
	ck_assert_str_eq(json_string_value(json_object_get(e, "tee")),
	    "sev-snp");
	ck_assert_str_eq(json_string_value(json_object_get(e, "product")),
	    "Genoa");
	ck_assert_str_eq(json_string_value(json_object_get(e, "chip_id")),
	    hex_encode(chip, 64, hex));
	ck_assert_str_eq(json_string_value(json_object_get(e,
	    "reported_tcb")), "541700000000000a");
	ck_assert_ptr_null(json_object_get(e, "fmspc"));
	d = json_object_get(json_object_get(e, "documents"), "vcek");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "status")),
	    200);
	ck_assert_msg(strstr(json_string_value(json_object_get(d, "url")),
	    "/vcek/v1/Genoa/1af1aa6c") != NULL, "%s",
	    json_string_value(json_object_get(d, "url")));
	assert_blob(json_string_value(json_object_get(d, "body_sha256")),
	    KDS "genoa_vcek.der");
	d = json_object_get(json_object_get(e, "documents"), "cert_chain");
	assert_blob(json_string_value(json_object_get(d, "body_sha256")),
	    KDS "genoa_cert_chain.pem");
	e = json_array_get(all, 1);
	ck_assert_str_eq(json_string_value(json_object_get(e, "verdict")),
	    "error");
	ck_assert_str_eq(json_string_value(json_object_get(e, "error")),
	    "vcek: HTTP 404");
	/* the chain was cached: only the VCEK was asked for */
	ck_assert_ptr_null(json_object_get(json_object_get(e, "documents"),
	    "cert_chain"));
	json_decref(all);
	/* tmonctl audit judges both entries' documents again: they follow */
	ck_assert_int_eq(audit_exit(), 0);
}
END_TEST

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tmon-check-kds-XXXXXX");
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
kds_suite(void)
{
	Suite *s = suite_create("kds_client");
	TCase *tc = tcase_create("pure");
	TCase *tn = tcase_create("replay");

	tcase_add_test(tc, test_vcek_path);
	tcase_add_test(tc, test_judge);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tn, setup, teardown);
	tcase_set_timeout(tn, 120);
	tcase_add_test(tn, test_fetch_store_reuse);
	suite_add_tcase(s, tn);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(kds_suite());
	int nf;

	tjson_init();
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
