/*
 * Unit tests for monitor/verify/sigstore_root.c: the Sigstore trusted
 * root of the repository (trust/sigstore-trusted-root.json, the
 * public-good root of npm @sigstore/tuf seeds.json) and tampered copies
 * of it.
 *
 * Expected values come from outside the code under test: the counts,
 * URLs and times are read off the file by eye (the times converted with
 * Python's calendar.timegm), the log ids are its logId.keyId in hex, the
 * file's SHA-256 is sha256sum's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "encode.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "util.h"

#define T(x)	(x), strlen(x)

#define ROOT_FILE	TMON_SOURCE_DIR "/trust/sigstore-trusted-root.json"
#define ROOT_SHA256	"6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"

#define REKOR_V1_ID	"c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"
#define REKOR_V2_ID	"cf1199155bddd051268d1f16ac5c0c75c009f6fb5a63f4177f8e18d7051e3fa0"
#define CT_2022_ID	"dd3d306ac6c7113263191e1c99673702a24a5eb8de3cadff878a72802f29ee8e"
#define CT_TEST_ID	"086092f02852ff6845d1d16b27849c456718ac163dc338d26de6bc2206366f72"

static uint8_t *
slurp(size_t *len)
{
	struct tmon_err err;
	uint8_t *p = NULL;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(ROOT_FILE, 1 << 20, &p, len, &err) ==
	    TMON_OK, "%s: %s", ROOT_FILE, err.msg);
	return p;
}

static void
hex(const char *h, uint8_t out[32])
{
	ck_assert(hex_decode_exact(h, strlen(h), out, 32, false));
}

START_TEST(real_root)
{
	struct sigstore_root *r = NULL;
	struct tmon_err err;
	uint8_t *text, id[32], want[32];
	size_t len;
	const struct sigstore_log_key *k;

	tjson_init();
	text = slurp(&len);
	tmon_err_clear(&err);
	ck_assert_msg(sigstore_root_parse(text, len, NULL, &r, &err) ==
	    TMON_OK, "%s", err.msg);
	hex(ROOT_SHA256, want);
	ck_assert_mem_eq(r->sha256, want, 32);
	ck_assert_uint_eq(r->n_tlogs, 2);
	ck_assert_uint_eq(r->n_ctlogs, 2);
	ck_assert_uint_eq(r->n_cas, 2);
	ck_assert_uint_eq(r->n_tsas, 1);

	/* Rekor v1: ECDSA P-256, open-ended */
	ck_assert_str_eq(r->tlogs[0].base_url, "https://rekor.sigstore.dev");
	ck_assert_int_eq(r->tlogs[0].type, SIGSTORE_KEY_ECDSA_P256_SHA256);
	ck_assert_ptr_nonnull(r->tlogs[0].key);
	ck_assert_int_eq(r->tlogs[0].start, 1610452407);
	ck_assert_int_eq(r->tlogs[0].end, INT64_MAX);
	hex(REKOR_V1_ID, id);
	ck_assert_mem_eq(r->tlogs[0].log_id, id, 32);
	ck_assert_mem_eq(r->tlogs[0].checkpoint_key_id, id, 32);
	ck_assert_ptr_eq(sigstore_root_tlog(r, id), &r->tlogs[0]);
	ck_assert_ptr_null(sigstore_root_ctlog(r, id));

	/* Rekor v2: Ed25519, id = signed-note key hash */
	ck_assert_str_eq(r->tlogs[1].base_url,
	    "https://log2025-1.rekor.sigstore.dev");
	ck_assert_int_eq(r->tlogs[1].type, SIGSTORE_KEY_ED25519);
	ck_assert_int_eq(r->tlogs[1].start, 1758585600);
	hex(REKOR_V2_ID, id);
	ck_assert_ptr_eq(sigstore_root_tlog(r, id), &r->tlogs[1]);

	/* CT logs: the test log ended 2022-10-31T23:59:59.999Z */
	ck_assert_str_eq(r->ctlogs[0].base_url,
	    "https://ctfe.sigstore.dev/test");
	ck_assert_int_eq(r->ctlogs[0].start, 1615680000);
	ck_assert_int_eq(r->ctlogs[0].end, 1667260799);
	hex(CT_TEST_ID, id);
	ck_assert_ptr_eq(sigstore_root_ctlog(r, id), &r->ctlogs[0]);
	hex(CT_2022_ID, id);
	k = sigstore_root_ctlog(r, id);
	ck_assert_ptr_eq(k, &r->ctlogs[1]);
	ck_assert_int_eq(k->start, 1666224000);
	ck_assert_int_eq(k->end, INT64_MAX);
	ck_assert(!sigstore_log_valid_at(k, 1666223999));
	ck_assert(sigstore_log_valid_at(k, 1666224000));
	ck_assert_ptr_null(sigstore_root_tlog(r, id));
	memset(id, 0, sizeof(id));
	ck_assert_ptr_null(sigstore_root_tlog(r, id));
	ck_assert_ptr_null(sigstore_root_ctlog(r, id));

	/* Fulcio: the 2021 root alone until 2022, then intermediate + root */
	ck_assert_str_eq(r->cas[0].uri, "https://fulcio.sigstore.dev");
	ck_assert_str_eq(r->cas[0].cn, "sigstore");
	ck_assert_str_eq(r->cas[0].org, "sigstore.dev");
	ck_assert_uint_eq(r->cas[0].n, 1);
	ck_assert_int_eq(r->cas[0].start, 1615087229);
	ck_assert_int_eq(r->cas[0].end, 1672531199);
	ck_assert(sigstore_ca_valid_at(&r->cas[0], 1672531199));
	ck_assert(!sigstore_ca_valid_at(&r->cas[0], 1672531200));
	ck_assert_uint_eq(r->cas[1].n, 2);
	ck_assert_int_eq(r->cas[1].start, 1649880375);
	ck_assert_int_eq(r->cas[1].end, INT64_MAX);
	/* DER certificates: a SEQUENCE with a two-byte length */
	ck_assert_uint_eq(r->cas[1].der[0][0], 0x30);
	ck_assert_uint_eq(r->cas[1].der_len[0], 542);
	ck_assert_uint_eq(r->cas[1].der_len[1], 507);

	/* the TSA */
	ck_assert_str_eq(r->tsas[0].uri,
	    "https://timestamp.sigstore.dev/api/v1/timestamp");
	ck_assert_str_eq(r->tsas[0].cn, "sigstore-tsa-selfsigned");
	ck_assert_uint_eq(r->tsas[0].n, 2);
	ck_assert_int_eq(r->tsas[0].start, 1751587200);
	ck_assert_int_eq(r->tsas[0].end, INT64_MAX);

	sigstore_root_free(r);
	free(text);
}
END_TEST

/*
 * The root with the first occurrence of each from[i] replaced by to[i]
 * (n edits, in order); parse it and return the rc, the message in err.
 */
static enum tmon_rc
parse_edits(const char *const *from, const char *const *to, size_t n,
    struct tmon_err *err, struct sigstore_root **out)
{
	uint8_t *text, *ed;
	size_t len, flen, tlen, off, i;
	char *at;
	enum tmon_rc rc;

	text = slurp(&len);
	for (i = 0; i < n; i++) {
		flen = strlen(from[i]);
		tlen = strlen(to[i]);
		ed = malloc(len + tlen + 1);
		ck_assert_ptr_nonnull(ed);
		memcpy(ed, text, len);
		ed[len] = '\0';
		at = strstr((char *)ed, from[i]);
		ck_assert_msg(at != NULL, "not in the root: %s", from[i]);
		off = (size_t)((uint8_t *)at - ed);
		memcpy(ed + off + tlen, text + off + flen, len - off - flen);
		memcpy(ed + off, to[i], tlen);
		len = len - flen + tlen;
		free(text);
		text = ed;
	}
	tmon_err_clear(err);
	*out = NULL;
	rc = sigstore_root_parse(text, len, NULL, out, err);
	free(text);
	return rc;
}

static enum tmon_rc
parse_edited(const char *from, const char *to, struct tmon_err *err,
    struct sigstore_root **out)
{
	return parse_edits(&from, &to, 1, err, out);
}

/* The edit is refused with rc and a message containing msg. */
static void
refused(const char *from, const char *to, enum tmon_rc want,
    const char *msg)
{
	struct sigstore_root *r;
	struct tmon_err err;
	enum tmon_rc rc;

	rc = parse_edited(from, to, &err, &r);
	ck_assert_msg(rc == want, "%s -> %s: rc %d (%s)", from, to, rc,
	    err.msg);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err.msg, msg) != NULL, "%s -> %s: \"%s\" lacks "
	    "\"%s\"", from, to, err.msg, msg);
}

#define V1_KEY	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw=="
#define CT_TEST_KEY	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbfwR+RJudXscgRBRpKX1XFDy3PyudDxz/SfnRi1fT8ekpfBd2O1uoz7jr3Z8nKzxA69EUQ+eFCFI3zeubPWU7w=="
#define CT_TEST_KEYID	"CGCS8ChS/2hF0dFrJ4ScRWcYrBY9wzjSbea8IgY2b3I="
#define CT_2022_KEY	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEiPSlFi0CmFTfEjCUqF9HuCEcYXNKAaYalIJmBZ8yyezPjTqhxrKBpMnaocVtLJBI1eM3uXnQzQGAJdJ4gs9Fyw=="
#define CT_2022_KEYID	"3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4="
#define V2_KEY	"MCowBQYDK2VwAyEAt8rlp1knGwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244="

START_TEST(tampered)
{
	tjson_init();
	/* a log id one bit off, for ECDSA and Ed25519 */
	refused("wNI9atQGlz+VWfO6LRygH4QUfY", "wNI9atQGlz+VWfO6LRygH4QUfZ",
	    TMON_E_PARSE, "tlogs[0].logId.keyId: is not the SHA-256 of the "
	    "key's SubjectPublicKeyInfo");
	refused("zxGZFVvd0FEmjR8WrFwMdcAJ9", "zxGZFVvd0FEmjR8WrFwMdcAJ8",
	    TMON_E_PARSE, "tlogs[1].logId.keyId: is neither the SHA-256");
	refused("CGCS8ChS/2hF0dFrJ4ScRWcYrBY9", "CGCS8ChS/2hF0dFrJ4ScRWcYrBY8",
	    TMON_E_PARSE, "ctlogs[0].logId.keyId: is not the SHA-256");
	/* the Ed25519 log's name is part of its id */
	refused("https://log2025-1.rekor", "https://log2025-2.rekor",
	    TMON_E_PARSE, "tlogs[1].logId.keyId: is neither");
	/* a key of another type than its keyDetails */
	refused(V2_KEY, V1_KEY, TMON_E_PARSE,
	    "tlogs[1].publicKey.rawBytes: is not an Ed25519 key");
	refused("PKIX_ECDSA_P256_SHA_256", "PKIX_ECDSA_P384_SHA_384",
	    TMON_E_PARSE, "tlogs[0].publicKey.rawBytes: is not an EC key on "
	    "secp384r1");
	/* a key that is not DER, or not base64 */
	refused(V1_KEY, "AAAA", TMON_E_PARSE,
	    "is not one DER SubjectPublicKeyInfo");
	refused(V1_KEY, "MFkw!!!!", TMON_E_PARSE,
	    "tlogs[0].publicKey.rawBytes: must be base64");
	/* a log id that is not 32 bytes */
	refused("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=", "wNI9",
	    TMON_E_PARSE, "tlogs[0].logId.keyId: must be 32 bytes, not 3");
	refused("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=",
	    "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0A", TMON_E_PARSE,
	    "tlogs[0].logId.keyId: must be 32 bytes, not 33");
	/* a certificate cut short */
	refused("\"MIIB+DCCAX6gAwIBAgITNVkDZoCiofPDsy7dfm6geLbuhzAK",
	    "\"MIIB+DCCAX6gAwIBAgITNVkDZoCiofPDsy7dfm6geLbuhzAK\"},{\"x\":\"",
	    TMON_E_PARSE, "certificateAuthorities[0].certChain.certificates"
	    "[0].rawBytes: is not exactly one DER certificate");
	/* times */
	refused("2021-01-12T11:53:27Z", "2021-13-12T11:53:27Z", TMON_E_PARSE,
	    "tlogs[0].publicKey.validFor.start: must be an RFC 3339 UTC time");
	refused("2022-12-31T23:59:59.999Z", "2022-12-31T23:59:59+01:00",
	    TMON_E_PARSE, "certificateAuthorities[0].validFor.end: must be");
	refused("2022-12-31T23:59:59.999Z", "2020-12-31T23:59:59.999Z",
	    TMON_E_PARSE, "certificateAuthorities[0].validFor: start is "
	    "after end");
	/* the frame */
	refused("trustedroot+json;version=0.1", "trustedroot+json;version=9",
	    TMON_E_PARSE, "mediaType: is not a trusted root media type");
	refused("\"tlogs\"", "\"xlogs\"", TMON_E_PARSE,
	    "missing required key \"tlogs\"");
	refused("\"SHA2_256\"", "\"SHA2_384\"", TMON_E_PARSE,
	    "tlogs[0].hashAlgorithm: must be SHA2_256");
	refused("\"uri\": \"https://fulcio", "\"uri\": 7, \"x\": \"",
	    TMON_E_PARSE, "certificateAuthorities[0].uri: must be a string");
	refused("\"ctlogs\"", "\"tlogs\"", TMON_E_PARSE, "duplicate");
	refused("{\n  \"mediaType\"", "[{\n  \"mediaType\"", TMON_E_PARSE,
	    "not valid JSON");
}
END_TEST

/* Two CT logs with one key and id. */
START_TEST(same_log_twice)
{
	const char *from[2] = { CT_TEST_KEY, CT_TEST_KEYID };
	const char *to[2] = { CT_2022_KEY, CT_2022_KEYID };
	struct sigstore_root *r;
	struct tmon_err err;

	tjson_init();
	ck_assert_int_eq(parse_edits(from, to, 2, &err, &r), TMON_E_PARSE);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err.msg, "ctlogs[1]: has the log id of "
	    "ctlogs[0]") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(unsupported_key_kept)
{
	struct sigstore_root *r;
	struct tmon_err err;

	tjson_init();
	ck_assert_msg(parse_edited("PKIX_ED25519", "PKIX_ML_DSA_65", &err,
	    &r) == TMON_OK, "%s", err.msg);
	ck_assert_int_eq(r->tlogs[1].type, SIGSTORE_KEY_UNSUPPORTED);
	ck_assert_ptr_null(r->tlogs[1].key);
	ck_assert_str_eq(r->tlogs[1].key_details, "PKIX_ML_DSA_65");
	ck_assert_str_eq(sigstore_key_type_str(r->tlogs[1].type),
	    "unsupported");
	sigstore_root_free(r);
}
END_TEST

START_TEST(limits)
{
	struct sigstore_root *r;
	struct tmon_err err;
	uint8_t *big;
	size_t n = MAX_SIGSTORE_ROOT_LEN + 1;

	tjson_init();
	big = malloc(n);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	tmon_err_clear(&err);
	ck_assert_int_eq(sigstore_root_parse(big, n, "root", &r, &err),
	    TMON_E_LIMIT);
	ck_assert_ptr_null(r);
	free(big);
	tmon_err_clear(&err);
	ck_assert_int_eq(sigstore_root_parse(NULL, 0, NULL, &r, &err),
	    TMON_E_PARSE);
	tmon_err_clear(&err);
	ck_assert_int_eq(sigstore_root_parse((const uint8_t *)"{}", 2, NULL,
	    &r, &err), TMON_E_PARSE);
	ck_assert_ptr_null(r);
	sigstore_root_free(NULL);
}
END_TEST

START_TEST(times)
{
	int64_t t;

	ck_assert(rfc3339_utc_parse(T("1970-01-01T00:00:00Z"), false, &t));
	ck_assert_int_eq(t, 0);
	ck_assert(rfc3339_utc_parse(T("2022-10-31T23:59:59.999Z"), false,
	    &t));
	ck_assert_int_eq(t, 1667260799);
	ck_assert(rfc3339_utc_parse(T("2022-10-31T23:59:59.999Z"), true,
	    &t));
	ck_assert_int_eq(t, 1667260800);
	ck_assert(rfc3339_utc_parse(T("2022-10-31T23:59:59.000000000Z"),
	    true, &t));
	ck_assert_int_eq(t, 1667260799);
	ck_assert(rfc3339_utc_parse(T("2024-02-29T00:00:00Z"), false, &t));
	ck_assert(!rfc3339_utc_parse(T("2023-02-29T00:00:00Z"), false, &t));
	ck_assert(!rfc3339_utc_parse(T("2022-10-31T23:59:60Z"), false, &t));
	ck_assert(!rfc3339_utc_parse(T("2022-10-31T23:59:59.Z"), false, &t));
	ck_assert(!rfc3339_utc_parse(T("2022-10-31T23:59:59.0000000000Z"),
	    false, &t));
	ck_assert(!rfc3339_utc_parse(T("2022-10-31 23:59:59Z"), false, &t));
	ck_assert(!rfc3339_utc_parse(T("2022-10-31T23:59:59z"), false, &t));
	ck_assert(!rfc3339_utc_parse(T("1969-12-31T23:59:59Z"), false, &t));
	ck_assert(!rfc3339_utc_parse(T("+022-10-31T23:59:59Z"), false, &t));
}
END_TEST

static Suite *
root_suite(void)
{
	Suite *s = suite_create("sigstore_root");
	TCase *tc = tcase_create("root");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, real_root);
	tcase_add_test(tc, tampered);
	tcase_add_test(tc, same_log_twice);
	tcase_add_test(tc, unsupported_key_kept);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, times);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(root_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
