/*
 * Unit tests for tlog/note.c: C2SP signed notes and keys, the key file,
 * checkpoints, cosignature/v1, tlog proofs and tlog-witness bodies.
 *
 * Expected values come from outside the code under test:
 *   - RFC 4648 section 10 (base64) and RFC 8032 section 7.1 (Ed25519);
 *   - the example keys and notes of Go's golang.org/x/mod/sumdb/note
 *     (note.go documentation, note_test.go: PeterNeumann, EnochRoot),
 *     BSD-style licence, quoted as data;
 *   - the example of C2SP signed-note (example.com/foo);
 *   - verifier keys of transparency-dev/formats note/note_cosigv1_test.go
 *     (Apache-2.0), quoted as data;
 *   - tests/data/tlog/: keys, a signed checkpoint and an inclusion proof
 *     made by Go's note and tlog packages (see its PROVENANCE.md).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "buf.h"
#include "encode.h"
#include "note.h"
#include "tlog.h"
#include "util.h"

#define DATA	TMON_TEST_DATA "/tlog/"

/* Go's note package documentation and tests. */
#define PETER_SKEY	"PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define PETER_VKEY	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define ENOCH_VKEY	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define PETER_TEXT	"If you think cryptography is the answer to your problem,\n" \
			"then you don't know what your problem is.\n"
#define PETER_SIG	"\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
#define ENOCH_SIG	"\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"

/* C2SP signed-note, "Verifier keys", "Example". */
#define FOO_VKEY	"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
#define FOO_NOTE	"This is an example message.\n\n\xe2\x80\x94 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"

#define S(x)	(const uint8_t *)(x), strlen(x)
#define T(x)	(x), strlen(x)

/* A whole data file (test data are small). */
static uint8_t *
slurp(const char *name, size_t *len)
{
	char path[512];
	uint8_t *p = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	snprintf(path, sizeof(path), DATA "%s", name);
	ck_assert_msg(read_file(path, 1 << 20, &p, len, &err) == TMON_OK,
	    "%s: %s", path, err.msg);
	return p;
}

/* A key text file: its one line without the newline. */
static char *
slurp_line(const char *name, size_t *len)
{
	char *p = (char *)slurp(name, len);

	ck_assert_uint_gt(*len, 0);
	ck_assert_int_eq(p[*len - 1], '\n');
	p[--*len] = '\0';
	return p;
}

static void
hex(const char *h, uint8_t *out, size_t n)
{
	ck_assert(hex_decode_exact(h, strlen(h), out, n, false));
}

static void
mkverifier(const char *vkey, struct note_verifier *v)
{
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(note_verifier_parse(vkey, strlen(vkey), v, &err) ==
	    TMON_OK, "%s: %s", vkey, err.msg);
}

static void
mksigner(const char *name, uint8_t type, unsigned char tag,
    struct note_signer *s)
{
	uint8_t seed[32];

	memset(seed, tag, sizeof(seed));
	ck_assert(note_signer_from_seed(name, type, seed, s, NULL) ==
	    TMON_OK);
}

/* Open msg (NUL-terminated) with keys; returns the verdict. */
static enum note_verdict
open_with(const char *msg, size_t len, const struct note_verifier *keys,
    size_t nkeys, struct note_keyresult *res, struct tmon_err *err)
{
	struct note *n = malloc(sizeof(*n));
	enum note_verdict v;

	ck_assert_ptr_nonnull(n);
	if (note_parse((const uint8_t *)msg, len, n, err) != TMON_OK)
		v = NOTE_MALFORMED;
	else
		v = note_verify(n, keys, nkeys, res, err);
	free(n);
	return v;
}

/*
 * Base64 and raw Ed25519.
 */

START_TEST(b64_rfc4648)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char b[16];
	size_t i;

	for (i = 0; i < 7; i++) {
		ck_assert_uint_eq(B64_ENCODED_LEN(strlen(in[i])),
		    strlen(out[i]));
		ck_assert_str_eq(b64_encode((const uint8_t *)in[i],
		    strlen(in[i]), b), out[i]);
	}
}
END_TEST

/* RFC 8032 section 7.1, TEST 1, 2 and 3. */
static const struct {
	const char	*sk, *pk, *msg, *sig;
} rfc8032[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
	  "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
	  "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
	  "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
	  "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
	  "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

START_TEST(ed25519_rfc8032)
{
	struct note_signer s;
	struct note_verifier v;
	uint8_t seed[32], pk[32], msg[2], sig[64], got[64];
	size_t i, mlen;

	for (i = 0; i < 3; i++) {
		hex(rfc8032[i].sk, seed, 32);
		hex(rfc8032[i].pk, pk, 32);
		hex(rfc8032[i].sig, sig, 64);
		mlen = strlen(rfc8032[i].msg) / 2;
		if (mlen > 0)
			hex(rfc8032[i].msg, msg, mlen);
		ck_assert(note_signer_from_seed("rfc8032", NOTE_ED25519, seed,
		    &s, NULL) == TMON_OK);
		note_signer_verifier(&s, &v);
		ck_assert_mem_eq(v.pub, pk, 32);
		ck_assert(note_ed25519_sign(&s, msg, mlen, got, NULL) ==
		    TMON_OK);
		ck_assert_mem_eq(got, sig, 64);
		ck_assert_int_eq(note_ed25519_verify(pk, sig, msg, mlen),
		    NOTE_PASS);
		sig[i * 20] ^= 0x01;
		ck_assert_int_eq(note_ed25519_verify(pk, sig, msg, mlen),
		    NOTE_BAD_SIGNATURE);
		note_signer_clear(&s);
		ck_assert_uint_eq(s.sk[0] | s.sk[40] | s.id, 0);
	}
}
END_TEST

/*
 * Strict verification: a small-order key with the identity as R and S =
 * 0 "signs" every message under the cofactored or lax equations; S >= L
 * is malleable.  Both are refused.
 */
START_TEST(ed25519_strict)
{
	static const char L[] =
	    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
	uint8_t id[32] = { 0x01 }, sig[64] = { 0x01 }, pk[32], l[32];
	uint8_t good[64], msg[1] = { 0x72 };
	unsigned c = 0;
	size_t i;

	ck_assert_int_eq(note_ed25519_verify(id, sig, msg, 1),
	    NOTE_BAD_SIGNATURE);
	/* RFC 8032 TEST 2 with S + L (little-endian add) */
	hex(rfc8032[1].pk, pk, 32);
	hex(rfc8032[1].sig, good, 64);
	hex(L, l, 32);
	memcpy(sig, good, 64);
	for (i = 0; i < 32; i++) {
		c += (unsigned)sig[32 + i] + l[i];
		sig[32 + i] = (uint8_t)c;
		c >>= 8;
	}
	ck_assert_int_eq(note_ed25519_verify(pk, good, msg, 1), NOTE_PASS);
	ck_assert_int_eq(note_ed25519_verify(pk, sig, msg, 1),
	    NOTE_BAD_SIGNATURE);
}
END_TEST

/*
 * Keys.
 */

START_TEST(key_names)
{
	static const char *const bad[] = { "", "a b", "a+b", "a\tb", "a\nb",
	    "a\x7f", "a\xc2\x85", "a\xc2\xa0", "a\xe2\x80\xa8", "a\xe3\x80\x80",
	    "a\xc0\xaf", "a\xed\xa0\x80", "a\xff", "a\xe2\x80" };
	static const char *const good[] = { "a", "example.com/log",
	    "tmon/127.0.0.1:8080", "\xc3\xb1", "PeterNeumann" };
	char longname[MAX_NOTE_NAME + 2];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!note_name_valid(bad[i], strlen(bad[i])), "%zu",
		    i);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert(note_name_valid(good[i], strlen(good[i])));
	memset(longname, 'a', sizeof(longname));
	ck_assert(note_name_valid(longname, MAX_NOTE_NAME));
	ck_assert(!note_name_valid(longname, MAX_NOTE_NAME + 1));
	longname[MAX_NOTE_NAME] = '\0';
	ck_assert(note_signer_generate(longname, NOTE_ED25519,
	    &(struct note_signer){ 0 }, NULL) == TMON_OK);
	longname[MAX_NOTE_NAME] = 'a';
	longname[MAX_NOTE_NAME + 1] = '\0';
	ck_assert(note_signer_generate(longname, NOTE_ED25519,
	    &(struct note_signer){ 0 }, NULL) == TMON_E_PARSE);
}
END_TEST

START_TEST(keys_go_doc)
{
	struct note_signer s;
	struct note_verifier v, pv;
	char buf[NOTE_SKEY_MAX];
	struct buf out;

	ck_assert(note_signer_parse(T(PETER_SKEY), &s, NULL) == TMON_OK);
	ck_assert_str_eq(s.name, "PeterNeumann");
	ck_assert_uint_eq(s.id, 0xc74f20a3);
	ck_assert_uint_eq(s.type, NOTE_ED25519);
	ck_assert(note_signer_format(&s, buf, sizeof(buf)));
	ck_assert_str_eq(buf, PETER_SKEY);
	ck_assert(!note_signer_format(&s, buf, strlen(PETER_SKEY)));
	note_signer_verifier(&s, &v);
	ck_assert(note_verifier_format(&v, buf, sizeof(buf)));
	ck_assert_str_eq(buf, PETER_VKEY);
	mkverifier(PETER_VKEY, &pv);
	ck_assert_mem_eq(&pv, &v, sizeof(v));

	/* Go's documented signed note, byte for byte (RFC 8032 is
	 * deterministic) */
	buf_init(&out, MAX_NOTE_LEN);
	ck_assert(note_sign(&s, S(PETER_TEXT), &out, NULL) == TMON_OK);
	ck_assert_str_eq((char *)out.data, PETER_TEXT "\n" PETER_SIG);
	buf_free(&out);
	note_signer_clear(&s);

	/* C2SP's example */
	mkverifier(FOO_VKEY, &v);
	ck_assert_uint_eq(v.id, 0x530d903a);
	ck_assert_int_eq(open_with(T(FOO_NOTE), &v, 1, NULL, NULL),
	    NOTE_PASS);

	/* transparency-dev/formats: an Ed25519 vkey whose base64 holds a
	 * '+', and a native cosignature/v1 vkey */
	mkverifier("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
	    &v);
	ck_assert_uint_eq(v.type, NOTE_ED25519);
	ck_assert_uint_eq(v.id, 0x7997405c);
	mkverifier("remora.n621.de+da77ade7+"
	    "BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2", &v);
	ck_assert_uint_eq(v.type, NOTE_COSIGNATURE_V1);
	ck_assert_uint_eq(v.id, 0xda77ade7);
	ck_assert(note_verifier_format(&v, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "remora.n621.de+da77ade7+"
	    "BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
}
END_TEST

START_TEST(keys_bad)
{
	static const struct {
		const char	*text;
		enum tmon_rc	 rc;
	} vk[] = {
		/* Go's note_test.go: wrong length, unknown algorithm (both
		 * with the key id adjusted) */
		{ "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", TMON_E_PARSE },
		{ "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", TMON_E_UNSUPPORTED },
		/* transparency-dev/formats: too few parts, bad base64,
		 * type 3 */
		{ "bananas.sigstore.dev+12344556", TMON_E_PARSE },
		{ "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!", TMON_E_PARSE },
		{ "rekor.sigstore.dev+12345678+AwEB", TMON_E_UNSUPPORTED },
		/* ours: the key id wrong, upper case, short; no name; a
		 * space in the name; non-canonical base64; trailing
		 * newline */
		{ "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", TMON_E_PARSE },
		{ "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", TMON_E_PARSE },
		{ "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", TMON_E_PARSE },
		{ "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", TMON_E_PARSE },
		{ "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", TMON_E_PARSE },
		{ "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX", TMON_E_PARSE },
		{ PETER_VKEY "\n", TMON_E_PARSE },
		{ PETER_SKEY, TMON_E_PARSE },
	};
	static const char *const sk[] = {
		PETER_VKEY,
		"PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
		"PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFy",
		"private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
		"PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKD",
		/* a secret where the name goes is never quoted */
		"PRIVATE+KEY+\tAYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
		"PRIVATE+KEY+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	};
	struct note_verifier v;
	struct note_signer s;
	struct tmon_err err;
	size_t i;

	for (i = 0; i < sizeof(vk) / sizeof(vk[0]); i++) {
		tmon_err_clear(&err);
		ck_assert_msg(note_verifier_parse(vk[i].text,
		    strlen(vk[i].text), &v, &err) == vk[i].rc, "%zu: %s", i,
		    err.msg);
		ck_assert_uint_eq(v.id, 0);
	}
	for (i = 0; i < sizeof(sk) / sizeof(sk[0]); i++) {
		tmon_err_clear(&err);
		ck_assert_msg(note_signer_parse(sk[i], strlen(sk[i]), &s,
		    &err) == TMON_E_PARSE, "%zu", i);
		/* no message shows the secret */
		ck_assert_ptr_null(strstr(err.msg, "AYEKFALVFGyN"));
		ck_assert_uint_eq(s.sk[0] | s.sk[63], 0);
	}
	/* an ML-DSA-44 vkey (type 0x06, 1312 bytes) is read, then refused
	 * as unsupported */
	{
		uint8_t raw[1313];
		char *t = malloc(32 + B64_ENCODED_LEN(sizeof(raw)));

		memset(raw, 0x5a, sizeof(raw));
		raw[0] = 0x06;
		memcpy(t, "test+5893dc2c+", 14);
		b64_encode(raw, sizeof(raw), t + 14);
		ck_assert(note_verifier_parse(t, strlen(t), &v, NULL) ==
		    TMON_E_UNSUPPORTED);
		free(t);
	}
	ck_assert(note_signer_generate("x", 0x02, &s, NULL) ==
	    TMON_E_UNSUPPORTED);
}
END_TEST

START_TEST(keys_roundtrip)
{
	struct note_signer s, s2;
	struct note_verifier v, v2;
	char sk[NOTE_SKEY_MAX], vk[NOTE_VKEY_MAX];
	uint8_t type;
	int i;

	for (i = 0; i < 2; i++) {
		type = i == 0 ? NOTE_ED25519 : NOTE_COSIGNATURE_V1;
		ck_assert(note_signer_generate("example.com/\xc3\xb1", type,
		    &s, NULL) == TMON_OK);
		ck_assert(note_signer_format(&s, sk, sizeof(sk)));
		ck_assert(note_signer_parse(sk, strlen(sk), &s2, NULL) ==
		    TMON_OK);
		ck_assert_mem_eq(&s, &s2, sizeof(s));
		note_signer_verifier(&s, &v);
		ck_assert(note_verifier_format(&v, vk, sizeof(vk)));
		ck_assert(note_verifier_parse(vk, strlen(vk), &v2, NULL) ==
		    TMON_OK);
		ck_assert_mem_eq(&v, &v2, sizeof(v));
		ck_assert_uint_eq(v.id, note_key_id(v.name, strlen(v.name),
		    type, v.pub));
	}
	/* two keys of one name: different ids */
	ck_assert(note_signer_generate("a", NOTE_ED25519, &s2, NULL) ==
	    TMON_OK);
	ck_assert(note_signer_generate("a", NOTE_ED25519, &s, NULL) ==
	    TMON_OK);
	ck_assert_uint_ne(s.id, s2.id);
	/* one key, two types: different ids (signed-note) */
	mksigner("a", NOTE_ED25519, 7, &s);
	mksigner("a", NOTE_COSIGNATURE_V1, 7, &s2);
	ck_assert_mem_eq(s.sk, s2.sk, 64);
	ck_assert_uint_ne(s.id, s2.id);
}
END_TEST

/*
 * Signed notes.
 */

START_TEST(notes_go_doc)
{
	struct note_verifier keys[2];
	struct note_keyresult res[2];
	struct note n;
	struct tmon_err err;
	const char *both = PETER_TEXT "\n" PETER_SIG ENOCH_SIG;

	mkverifier(PETER_VKEY, &keys[0]);
	mkverifier(ENOCH_VKEY, &keys[1]);
	ck_assert(note_parse(S(both), &n, NULL) == TMON_OK);
	ck_assert_uint_eq(n.text_len, strlen(PETER_TEXT));
	ck_assert_uint_eq(n.nsigs, 2);
	ck_assert_uint_eq(n.sigs[1].id, 0xaf0cfe78);
	ck_assert_uint_eq(n.sigs[1].name_len, 9);
	ck_assert_uint_eq(n.sigs[1].line_len, strlen(ENOCH_SIG));
	/* one known key: the other line is ignored */
	ck_assert_int_eq(note_verify(&n, keys, 1, res, NULL), NOTE_PASS);
	ck_assert(res[0].present && res[0].verified && res[0].line == 0);
	/* both known */
	ck_assert_int_eq(note_verify(&n, keys, 2, res, NULL), NOTE_PASS);
	ck_assert(res[1].verified && res[1].line == 1);
	/* none known */
	tmon_err_clear(&err);
	ck_assert_int_eq(note_verify(&n, keys, 0, NULL, &err),
	    NOTE_NO_SIGNATURE);
	ck_assert_str_eq(err.msg, "no signature line by a known key (2 "
	    "lines, 0 keys)");
	/* the same key twice: ambiguous, not checked */
	keys[1] = keys[0];
	tmon_err_clear(&err);
	ck_assert_int_eq(note_verify(&n, keys, 2, NULL, &err),
	    NOTE_UNCHECKED);
	ck_assert_int_eq(err.code, TMON_E_CONFIG);
}
END_TEST

START_TEST(notes_malformed)
{
	/* Go's note_test.go bad messages, and more */
	static const char *const bad[] = {
		PETER_TEXT,
		PETER_TEXT "\n",
		PETER_TEXT "\n" "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
		"\x01" PETER_TEXT "\n" PETER_SIG,
		"\xff" PETER_TEXT "\n" PETER_SIG,
		PETER_TEXT "\n" "\xe2\x80\x94 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
		PETER_TEXT "\n" PETER_SIG "Unexpected line.\n",
		/* a duplicate signature line */
		PETER_TEXT "\n" PETER_SIG PETER_SIG,
		/* same key, another signature */
		PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAA=\n",
		/* non-canonical base64 (pad bits set) */
		PETER_TEXT "\n" "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAN=\n",
		/* a signature of the key id only */
		PETER_TEXT "\n" "\xe2\x80\x94 PeterNeumann x08gow==\n",
		/* CR, a tab, overlong UTF-8, a surrogate */
		"text\r\n\n" PETER_SIG,
		"te\txt\n\n" PETER_SIG,
		"te\xc0\xafxt\n\n" PETER_SIG,
		"te\xed\xa0\x80xt\n\n" PETER_SIG,
		/* no space, an empty name, an empty signature */
		PETER_TEXT "\n\xe2\x80\x94 PeterNeumann\n",
		PETER_TEXT "\n\xe2\x80\x94  x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		PETER_TEXT "\n\xe2\x80\x94 PeterNeumann \n",
		"",
		"\n\n",
	};
	struct note *n = malloc(sizeof(*n));
	struct tmon_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tmon_err_clear(&err);
		ck_assert_msg(note_parse(S(bad[i]), n, &err) == TMON_E_PARSE,
		    "%zu", i);
		ck_assert_uint_eq(n->nsigs, 0);
	}
	/* an empty text (just its newline) and empty lines in the text
	 * are allowed: the text ends at the last empty line */
	ck_assert(note_parse(S("\n\n" PETER_SIG), n, NULL) == TMON_OK);
	ck_assert_uint_eq(n->text_len, 1);
	ck_assert(note_parse(S("a\n\nb\n\n\n" PETER_SIG), n, NULL) ==
	    TMON_OK);
	ck_assert_uint_eq(n->text_len, 6);
	free(n);
}
END_TEST

/* A note of nsigs distinct signature lines by unknown keys after text. */
static char *
many_sigs(size_t nsigs, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b, 1 << 20);
	ck_assert(buf_append_str(&b, PETER_TEXT "\n"));
	for (i = 0; i < nsigs; i++)
		ck_assert(buf_printf(&b, "\xe2\x80\x94 k%zu AAAAAAAA\n", i));
	return (char *)buf_release(&b, len);
}

START_TEST(notes_limits)
{
	struct note *n = malloc(sizeof(*n));
	struct tmon_err err;
	struct note_verifier v;
	char *m;
	size_t len;

	mkverifier(PETER_VKEY, &v);
	m = many_sigs(MAX_NOTE_SIGS, &len);
	ck_assert(note_parse((uint8_t *)m, len, n, NULL) == TMON_OK);
	ck_assert_uint_eq(n->nsigs, MAX_NOTE_SIGS);
	ck_assert_int_eq(note_verify(n, &v, 1, NULL, NULL),
	    NOTE_NO_SIGNATURE);
	free(m);
	m = many_sigs(MAX_NOTE_SIGS + 1, &len);
	tmon_err_clear(&err);
	ck_assert(note_parse((uint8_t *)m, len, n, &err) == TMON_E_LIMIT);
	free(m);
	/* over-long: MAX_NOTE_LEN + 1 bytes of valid text and a valid
	 * line */
	len = MAX_NOTE_LEN + 1;
	m = malloc(len + 1);
	memset(m, 'a', len);
	memcpy(m + len - strlen(PETER_SIG) - 2, "\n\n", 2);
	memcpy(m + len - strlen(PETER_SIG), PETER_SIG, strlen(PETER_SIG));
	m[len] = '\0';
	tmon_err_clear(&err);
	ck_assert(note_parse((uint8_t *)m, len, n, &err) == TMON_E_LIMIT);
	ck_assert(note_parse((uint8_t *)m + 1, len - 1, n, &err) ==
	    TMON_OK);
	free(m);
	free(n);
}
END_TEST

/*
 * Checkpoints.
 */

static const uint8_t root13[32] = { 0xc0, 0xc1, 0x28, 0x9f };

/* A signed checkpoint of s (origin: its name) into out. */
static void
signed_cp(const struct note_signer *s, const char *origin, uint64_t size,
    const uint8_t root[32], struct buf *out)
{
	struct buf t;

	buf_init(&t, MAX_NOTE_LEN);
	buf_init(out, MAX_NOTE_LEN);
	ck_assert(note_checkpoint_format(origin != NULL ? origin : s->name,
	    size, root, NULL, 0, &t, NULL) == TMON_OK);
	ck_assert(note_sign(s, t.data, t.len, out, NULL) == TMON_OK);
	buf_free(&t);
}

START_TEST(checkpoint_text)
{
	static const char *const bad[] = {
		"o\n013\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n",
		"o\n-1\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n",
		"o\n+1\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n",
		"o\n 1\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n",
		"o\n9223372036854775808\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n",
		"o\n99999999999999999999999\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n",
		"o\n\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n",
		"\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n",
		"o\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kh=\n",
		"o\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2K==\n",
		"o\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2KgA\n",
		"o\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg\n",
		"o\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=",
		"o\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n\n",
		"o\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\next\n\n",
		"o\n13\nwMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\r\n",
		"o\n13\n",
		"o\n",
		"",
	};
	struct note_checkpoint c;
	struct tmon_err err;
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tmon_err_clear(&err);
		ck_assert_msg(note_checkpoint_parse(S(bad[i]), &c, &err) ==
		    TMON_E_PARSE, "%zu", i);
		ck_assert_ptr_null(c.origin);
	}
	ck_assert(note_checkpoint_parse(S("o p+q\n0\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), &c, NULL) ==
	    TMON_OK);
	ck_assert_uint_eq(c.size, 0);
	ck_assert_uint_eq(c.origin_len, 5);
	ck_assert_ptr_null(c.ext);
	ck_assert(note_checkpoint_parse(S("o\n9223372036854775807\n"
	    "wMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\nx y\nz\n"), &c,
	    NULL) == TMON_OK);
	ck_assert_uint_eq(c.size, INT64_MAX);
	ck_assert_uint_eq(c.ext_len, 6);
	ck_assert_mem_eq(c.ext, "x y\nz\n", 6);

	/* format: the same text; round trip */
	buf_init(&b, MAX_NOTE_LEN);
	ck_assert(note_checkpoint_format("example.com/tmon-go", 13, root13,
	    "x y\nz\n", 6, &b, NULL) == TMON_OK);
	ck_assert(note_checkpoint_parse(b.data, b.len, &c, NULL) == TMON_OK);
	ck_assert_uint_eq(c.size, 13);
	ck_assert_mem_eq(c.root, root13, 32);
	buf_reset(&b);
	ck_assert(note_checkpoint_format("a\nb", 1, root13, NULL, 0, &b,
	    NULL) == TMON_E_PARSE);
	ck_assert(note_checkpoint_format("", 1, root13, NULL, 0, &b, NULL) ==
	    TMON_E_PARSE);
	ck_assert(note_checkpoint_format("o", TLOG_MAX_SIZE, root13, NULL, 0,
	    &b, NULL) == TMON_E_PARSE);
	ck_assert(note_checkpoint_format("o", 1, root13, "x\n\ny\n", 5, &b,
	    NULL) == TMON_E_PARSE);
	ck_assert(note_checkpoint_format("o", 1, root13, "x", 1, &b, NULL) ==
	    TMON_E_PARSE);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
	/* an output buffer too small */
	buf_init(&b, 10);
	ck_assert(note_checkpoint_format("o", 1, root13, NULL, 0, &b, NULL) ==
	    TMON_E_LIMIT);
	buf_free(&b);
}
END_TEST

START_TEST(go_vectors)
{
	struct note_signer s, ws;
	struct note_verifier v, w;
	struct note_policy pol;
	struct note_checkpoint c;
	struct note_keyresult wres;
	struct note_sig line;
	struct tlog_frontier f;
	struct tmon_err err;
	char *skey, *vkey, *wskey, *wvkey, k[NOTE_SKEY_MAX], e[16];
	uint8_t *text, *note, *cosigned, *resp, *proof, *entry, leaf[32],
	    root[32];
	size_t skl, vkl, wskl, wvkl, tl, nl, cl, rl, pl, el;
	struct buf b;
	uint64_t t, i;

	skey = slurp_line("go.skey", &skl);
	vkey = slurp_line("go.vkey", &vkl);
	wskey = slurp_line("go-witness.skey", &wskl);
	wvkey = slurp_line("go-witness.vkey", &wvkl);
	text = slurp("go-checkpoint.txt", &tl);
	note = slurp("go-checkpoint.note", &nl);
	cosigned = slurp("go-checkpoint-cosigned.note", &cl);
	resp = slurp("go-witness-response", &rl);
	proof = slurp("go-entry6.tlog-proof", &pl);
	entry = slurp("go-entry6.bin", &el);

	/* Go's key texts parse and format back byte for byte */
	ck_assert(note_signer_parse(skey, skl, &s, NULL) == TMON_OK);
	ck_assert(note_verifier_parse(vkey, vkl, &v, NULL) == TMON_OK);
	ck_assert_uint_eq(v.id, 0xb21bba1c);
	ck_assert_str_eq(v.name, "example.com/tmon-go");
	ck_assert(note_signer_format(&s, k, sizeof(k)));
	ck_assert_str_eq(k, skey);
	note_signer_verifier(&s, &w);
	ck_assert_mem_eq(&w, &v, sizeof(v));
	ck_assert(note_signer_parse(wskey, wskl, &ws, NULL) == TMON_OK);
	ck_assert(note_verifier_parse(wvkey, wvkl, &w, NULL) == TMON_OK);
	ck_assert_uint_eq(w.type, NOTE_COSIGNATURE_V1);

	/* the root Go's tlog computed is the one of our tree */
	tlog_frontier_init(&f);
	for (i = 0; i < 13; i++) {
		snprintf(e, sizeof(e), "entry %" PRIu64, i);
		tlog_leaf_hash(e, strlen(e), leaf);
		ck_assert(tlog_frontier_append(&f, leaf, NULL, NULL));
	}
	tlog_frontier_root(&f, root);

	/* C signs Go's checkpoint text into Go's note, byte for byte */
	buf_init(&b, MAX_NOTE_LEN);
	ck_assert(note_checkpoint_format("example.com/tmon-go", 13, root,
	    NULL, 0, &b, NULL) == TMON_OK);
	ck_assert_uint_eq(b.len, tl);
	ck_assert_mem_eq(b.data, text, tl);
	buf_reset(&b);
	ck_assert(note_sign(&s, text, tl, &b, NULL) == TMON_OK);
	ck_assert_uint_eq(b.len, nl);
	ck_assert_mem_eq(b.data, note, nl);
	/* and its cosignature into the Go-made line */
	buf_reset(&b);
	ck_assert(note_cosign(&ws, text, tl, 1727964367, &b, NULL) ==
	    TMON_OK);
	ck_assert_uint_eq(b.len, rl);
	ck_assert_mem_eq(b.data, resp, rl);
	buf_free(&b);

	/* C verifies Go's note, cosignature and proof */
	memset(&pol, 0, sizeof(pol));
	pol.log = &v;
	tmon_err_clear(&err);
	ck_assert_int_eq(note_checkpoint_open(note, nl, &pol, &c, NULL,
	    &err), NOTE_PASS);
	ck_assert_uint_eq(c.size, 13);
	ck_assert_mem_eq(c.root, root, 32);
	ck_assert_int_eq(note_witness_cosignature(&w, text, tl, resp, rl,
	    &line, &t, NULL), NOTE_PASS);
	ck_assert_uint_eq(t, 1727964367);
	ck_assert_uint_eq(line.line_len, rl);
	pol.witnesses = &w;
	pol.nwitnesses = 1;
	pol.quorum = 1;
	ck_assert_int_eq(note_checkpoint_open(note, nl, &pol, NULL, &wres,
	    NULL), NOTE_NO_QUORUM);
	ck_assert(!wres.present);
	ck_assert_int_eq(note_checkpoint_open(cosigned, cl, &pol, NULL, &wres,
	    NULL), NOTE_PASS);
	ck_assert(wres.verified);
	ck_assert_uint_eq(wres.time, 1727964367);
	tmon_err_clear(&err);
	ck_assert_int_eq(note_proof_verify(proof, pl, entry, el, &pol, NULL,
	    &c, &wres, &err), NOTE_PASS);
	ck_assert_uint_eq(c.size, 13);
	ck_assert_int_eq(note_proof_verify(proof, pl, S("entry 5"), &pol,
	    NULL, NULL, NULL, NULL), NOTE_BAD_INCLUSION);

	note_signer_clear(&s);
	note_signer_clear(&ws);
	free(skey);
	free(vkey);
	free(wskey);
	free(wvkey);
	free(text);
	free(note);
	free(cosigned);
	free(resp);
	free(proof);
	free(entry);
}
END_TEST

/*
 * Tampering: every one-bit change of a signed checkpoint is refused, and
 * the named attacks get the right verdict.
 */

/* Decode the signature of line i of msg, let f change the bytes,
 * re-encode: a new note (caller frees). */
static char *
edit_sig(const char *msg, size_t i, void (*f)(uint8_t *, size_t))
{
	struct note n;
	struct buf b;
	uint8_t *raw;
	size_t rawlen, off;
	char *b64;

	ck_assert(note_parse(S(msg), &n, NULL) == TMON_OK);
	raw = b64_decode_alloc(n.sigs[i].b64, n.sigs[i].b64_len, 4096,
	    &rawlen);
	ck_assert_ptr_nonnull(raw);
	f(raw, rawlen);
	b64 = malloc(B64_ENCODED_LEN(rawlen) + 1);
	b64_encode(raw, rawlen, b64);
	off = (size_t)(n.sigs[i].b64 - msg);
	buf_init(&b, 1 << 20);
	ck_assert(buf_append(&b, msg, off) && buf_append_str(&b, b64) &&
	    buf_append_str(&b, msg + off + n.sigs[i].b64_len));
	free(raw);
	free(b64);
	return (char *)buf_release(&b, NULL);
}

static void
flip_sig(uint8_t *p, size_t n)
{
	p[n - 10] ^= 0x20;
}

static void
flip_id(uint8_t *p, size_t n)
{
	(void)n;
	p[0] ^= 0x01;
}

static void
time_high(uint8_t *p, size_t n)
{
	(void)n;
	p[4] |= 0x80;
}

START_TEST(tamper)
{
	struct note_signer s, s2, ws;
	struct note_verifier v, w;
	struct note_policy pol;
	struct tmon_err err;
	struct buf cp, t, cs;
	struct note n;
	char *m, *m2, key[NOTE_VKEY_MAX], msg[512];
	size_t i, len, sl;
	int bit;
	enum note_verdict r;

	mksigner("example.com/log", NOTE_ED25519, 1, &s);
	mksigner("witness.example/w", NOTE_COSIGNATURE_V1, 2, &ws);
	note_signer_verifier(&s, &v);
	note_signer_verifier(&ws, &w);
	memset(&pol, 0, sizeof(pol));
	pol.log = &v;
	signed_cp(&s, NULL, 13, root13, &cp);
	ck_assert(buf_append(&cp, "", 1));
	m = (char *)cp.data;
	len = cp.len - 1;
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m, len, &pol, NULL,
	    NULL, NULL), NOTE_PASS);
	ck_assert(note_parse((uint8_t *)m, len, &n, NULL) == TMON_OK);
	sl = n.sigs[0].line_len;
	ck_assert_uint_eq(sl, 4 + strlen(s.name) + 1 + B64_ENCODED_LEN(68) + 1);
	snprintf(key, sizeof(key), "%s+%08" PRIx32, s.name, s.id);

	/* every bit of every byte */
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			m[i] ^= (char)(1 << bit);
			r = note_checkpoint_open((uint8_t *)m, len, &pol, NULL,
			    NULL, NULL);
			ck_assert_msg(r != NOTE_PASS, "byte %zu bit %d", i,
			    bit);
			m[i] ^= (char)(1 << bit);
		}

	/* one bit of the text (the size 13 becomes 12) */
	m[strlen("example.com/log\n1")] ^= 0x01;
	tmon_err_clear(&err);
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m, len, &pol, NULL,
	    NULL, &err), NOTE_BAD_SIGNATURE);
	snprintf(msg, sizeof(msg), "signature line 1 by key %s does not "
	    "verify", key);
	ck_assert_str_eq(err.msg, msg);
	m[strlen("example.com/log\n1")] ^= 0x01;
	/* one bit of the signature */
	m2 = edit_sig(m, 0, flip_sig);
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m2, strlen(m2), &pol,
	    NULL, NULL, NULL), NOTE_BAD_SIGNATURE);
	free(m2);
	/* one bit of the key id: an unknown key, so no log signature */
	m2 = edit_sig(m, 0, flip_id);
	tmon_err_clear(&err);
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m2, strlen(m2), &pol,
	    NULL, NULL, &err), NOTE_NO_SIGNATURE);
	snprintf(msg, sizeof(msg), "no signature line by the log key %s", key);
	ck_assert_str_eq(err.msg, msg);
	free(m2);
	/* the name in the signature line */
	m2 = strdup(m);
	m2[len - sl + 4 + 3] = 'M';
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m2, len, &pol, NULL,
	    NULL, NULL), NOTE_NO_SIGNATURE);
	free(m2);
	/* no final newline */
	tmon_err_clear(&err);
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m, len - 1, &pol,
	    NULL, NULL, &err), NOTE_MALFORMED);
	ck_assert_int_eq(err.code, TMON_E_PARSE);
	/* the signature line twice */
	buf_init(&t, MAX_NOTE_LEN);
	ck_assert(buf_append(&t, m, len) && buf_append(&t, m + len - sl,
	    sl));
	tmon_err_clear(&err);
	ck_assert_int_eq(note_checkpoint_open(t.data, t.len, &pol, NULL,
	    NULL, &err), NOTE_MALFORMED);
	snprintf(msg, sizeof(msg), "signature lines 1 and 2 are both by key "
	    "%s", key);
	ck_assert_str_eq(err.msg, msg);
	buf_free(&t);
	/* signed only by another key of the same name */
	mksigner("example.com/log", NOTE_ED25519, 3, &s2);
	signed_cp(&s2, NULL, 13, root13, &t);
	ck_assert_int_eq(note_checkpoint_open(t.data, t.len, &pol, NULL, NULL,
	    NULL), NOTE_NO_SIGNATURE);
	buf_free(&t);
	/* signed by the log key, another origin */
	signed_cp(&s, "example.com/other", 13, root13, &t);
	tmon_err_clear(&err);
	ck_assert_int_eq(note_checkpoint_open(t.data, t.len, &pol, NULL, NULL,
	    &err), NOTE_WRONG_ORIGIN);
	ck_assert_str_eq(err.msg, "checkpoint origin \"example.com/other\" is "
	    "not the log's \"example.com/log\"");
	/* unless that origin is the one asked for */
	pol.origin = "example.com/other";
	ck_assert_int_eq(note_checkpoint_open(t.data, t.len, &pol, NULL, NULL,
	    NULL), NOTE_PASS);
	pol.origin = NULL;
	buf_free(&t);
	/* a text that is not a checkpoint */
	buf_init(&t, MAX_NOTE_LEN);
	ck_assert(note_sign(&s, S("example.com/log\n13\n"), &t, NULL) ==
	    TMON_OK);
	ck_assert_int_eq(note_checkpoint_open(t.data, t.len, &pol, NULL, NULL,
	    NULL), NOTE_MALFORMED);
	buf_free(&t);
	/* the log key must be a note key */
	pol.log = &w;
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m, len, &pol, NULL,
	    NULL, NULL), NOTE_UNCHECKED);
	pol.log = &v;

	/* cosignatures: valid, then tampered */
	buf_init(&cs, MAX_NOTE_LEN);
	ck_assert(buf_append(&cs, m, len));
	ck_assert(note_cosign(&ws, (uint8_t *)m, len - sl - 1, 1700000000,
	    &cs, NULL) == TMON_OK);
	buf_append(&cs, "", 1);
	pol.witnesses = &w;
	pol.nwitnesses = 1;
	pol.quorum = 1;
	ck_assert_int_eq(note_checkpoint_open(cs.data, cs.len - 1, &pol, NULL,
	    NULL, NULL), NOTE_PASS);
	m2 = edit_sig((char *)cs.data, 1, flip_sig);
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m2, strlen(m2), &pol,
	    NULL, NULL, NULL), NOTE_BAD_COSIGNATURE);
	free(m2);
	/* a timestamp above 2^63 - 1 */
	m2 = edit_sig((char *)cs.data, 1, time_high);
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m2, strlen(m2), &pol,
	    NULL, NULL, NULL), NOTE_BAD_COSIGNATURE);
	free(m2);
	/* a well-signed cosignature at a time above 2^63 - 1 */
	{
		uint8_t raw[76], *msgb;
		char b64[B64_ENCODED_LEN(76) + 1];
		size_t tl = len - sl - 1, hl;
		const char *hd = "cosignature/v1\ntime 9223372036854775808\n";

		hl = strlen(hd);
		msgb = malloc(hl + tl);
		memcpy(msgb, hd, hl);
		memcpy(msgb + hl, m, tl);
		raw[0] = (uint8_t)(ws.id >> 24);
		raw[1] = (uint8_t)(ws.id >> 16);
		raw[2] = (uint8_t)(ws.id >> 8);
		raw[3] = (uint8_t)ws.id;
		memset(raw + 4, 0, 8);
		raw[4] = 0x80;
		ck_assert(note_ed25519_sign(&ws, msgb, hl + tl, raw + 12,
		    NULL) == TMON_OK);
		free(msgb);
		buf_init(&t, MAX_NOTE_LEN);
		ck_assert(buf_append(&t, m, len) && buf_printf(&t,
		    "\xe2\x80\x94 %s %s\n", ws.name, b64_encode(raw, 76,
		    b64)));
		tmon_err_clear(&err);
		ck_assert_int_eq(note_checkpoint_open(t.data, t.len, &pol,
		    NULL, NULL, &err), NOTE_BAD_COSIGNATURE);
		buf_free(&t);
	}
	/* the cosignature's time is signed: another time fails */
	m2 = edit_sig((char *)cs.data, 1, flip_id);
	ck_assert_int_eq(note_checkpoint_open((uint8_t *)m2, strlen(m2), &pol,
	    NULL, NULL, NULL), NOTE_NO_QUORUM);
	free(m2);
	/* a witness key known as a note (0x01) key does not accept a
	 * cosignature, and vice versa: the ids differ, the lines are
	 * unknown */
	pol.quorum = 0;
	ck_assert_int_eq(note_checkpoint_open(cs.data, cs.len - 1, &pol, NULL,
	    NULL, NULL), NOTE_PASS);
	ck_assert(note_cosign(&s, (uint8_t *)m, len - sl - 1, 1, &cs, NULL) ==
	    TMON_E_UNSUPPORTED);
	ck_assert(note_sign(&ws, (uint8_t *)m, len - sl - 1, &cs, NULL) ==
	    TMON_E_UNSUPPORTED);
	ck_assert(note_cosign(&ws, (uint8_t *)m, len - sl - 1,
	    (uint64_t)INT64_MAX + 1, &cs, NULL) == TMON_E_PARSE);
	ck_assert(note_cosign(&ws, S("not a checkpoint\n"), 1, &cs, NULL) ==
	    TMON_E_PARSE);
	buf_free(&cs);

	buf_free(&cp);
	note_signer_clear(&s);
	note_signer_clear(&s2);
	note_signer_clear(&ws);
}
END_TEST

START_TEST(sign_bad_text)
{
	static const char *const bad[] = { "", "no newline", "a\x01\n",
	    "\xff\n", "a\r\n" };
	struct note_signer s;
	struct tmon_err err;
	struct buf b;
	size_t i;

	mksigner("a", NOTE_ED25519, 1, &s);
	buf_init(&b, MAX_NOTE_LEN);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tmon_err_clear(&err);
		ck_assert_msg(note_sign(&s, S(bad[i]), &b, &err) ==
		    TMON_E_PARSE, "%zu", i);
	}
	ck_assert_uint_eq(b.len, 0);
	/* a full output buffer */
	buf_free(&b);
	buf_init(&b, 20);
	ck_assert(note_sign(&s, S("a\n"), &b, NULL) == TMON_E_LIMIT);
	buf_free(&b);
	note_signer_clear(&s);
}
END_TEST

/*
 * tlog proofs, over trees of every size 1..40 and every index.
 */

#define MT_MAX	64
struct mt {
	uint64_t	size;
	uint8_t		h[7][MT_MAX][32];
};

static void
mt_emit(void *arg, const struct tlog_node *n, const uint8_t h[32])
{
	struct mt *t = arg;

	memcpy(t->h[n->level][n->index], h, 32);
}

static enum tmon_rc
mt_read(void *arg, const struct tlog_node *nodes, size_t n,
    uint8_t (*out)[32], struct tmon_err *err)
{
	struct mt *t = arg;
	size_t i;

	(void)err;
	for (i = 0; i < n; i++)
		memcpy(out[i], t->h[nodes[i].level][nodes[i].index], 32);
	return TMON_OK;
}

START_TEST(proofs)
{
	struct note_signer s, ws;
	struct note_verifier v, w;
	struct note_policy pol;
	struct note_proof *p = malloc(sizeof(*p));
	struct tlog_frontier f;
	struct mt *t = calloc(1, sizeof(*t));
	struct buf cp, pf;
	uint8_t leaf[32], root[32], hashes[TLOG_MAX_PROOF][32];
	char e[32], *x;
	struct tmon_err err;
	uint64_t size, idx;
	size_t n;

	mksigner("example.com/log", NOTE_ED25519, 1, &s);
	mksigner("w", NOTE_COSIGNATURE_V1, 2, &ws);
	note_signer_verifier(&s, &v);
	note_signer_verifier(&ws, &w);
	memset(&pol, 0, sizeof(pol));
	pol.log = &v;
	pol.witnesses = &w;
	pol.nwitnesses = 1;
	pol.quorum = 1;
	tlog_frontier_init(&f);
	for (size = 1; size <= 40; size++) {
		snprintf(e, sizeof(e), "entry %" PRIu64, size - 1);
		tlog_leaf_hash(e, strlen(e), leaf);
		ck_assert(tlog_frontier_append(&f, leaf, mt_emit, t));
		tlog_frontier_root(&f, root);
		signed_cp(&s, NULL, size, root, &cp);
		/* cosign the text: the note without its signature line */
		n = cp.len - (4 + strlen(s.name) + 1 + B64_ENCODED_LEN(68) + 1) -
		    1;
		ck_assert(note_cosign(&ws, cp.data, n, 1000 + size, &cp,
		    NULL) == TMON_OK);
		for (idx = 0; idx < size; idx++) {
			ck_assert(tlog_prove_inclusion(idx, size, mt_read, t,
			    hashes, &n, NULL) == TMON_OK);
			buf_init(&pf, MAX_TLOG_PROOF_LEN);
			ck_assert(note_proof_format(idx % 3 == 0 ?
			    (const uint8_t *)"extra" : NULL, 5, idx,
			    (const uint8_t (*)[32])hashes, n, cp.data, cp.len,
			    &pf, NULL) == TMON_OK);
			ck_assert(note_proof_parse(pf.data, pf.len, p, NULL) ==
			    TMON_OK);
			ck_assert_uint_eq(p->index, idx);
			ck_assert_uint_eq(p->nhashes, n);
			ck_assert_uint_eq(p->note_len, cp.len);
			ck_assert((p->extra != NULL) == (idx % 3 == 0));
			snprintf(e, sizeof(e), "entry %" PRIu64, idx);
			tmon_err_clear(&err);
			ck_assert_msg(note_proof_verify(pf.data, pf.len, S(e),
			    &pol, NULL, NULL, NULL, &err) == NOTE_PASS,
			    "%" PRIu64 "/%" PRIu64 ": %s", idx, size,
			    err.msg);
			/* another entry */
			snprintf(e, sizeof(e), "entry %" PRIu64, idx + 1);
			ck_assert_int_eq(note_proof_verify(pf.data, pf.len,
			    S(e), &pol, NULL, NULL, NULL, NULL),
			    NOTE_BAD_INCLUSION);
			buf_free(&pf);
		}
		buf_free(&cp);
	}

	/* a proof of size 13, index 6, to tamper with */
	signed_cp(&s, NULL, 13, t->h[0][0], &cp);
	memset(hashes, 0, sizeof(hashes));
	buf_init(&pf, MAX_TLOG_PROOF_LEN);
	ck_assert(note_proof_format(NULL, 0, 6, (const uint8_t (*)[32])hashes,
	    4, cp.data, cp.len, &pf, NULL) == TMON_OK);
	ck_assert(buf_append(&pf, "", 1));
	x = strstr((char *)pf.data, "index 6\n");
	ck_assert_ptr_nonnull(x);
	/* no witness cosignature */
	ck_assert_int_eq(note_proof_verify(pf.data, pf.len - 1, S("e"), &pol,
	    NULL, NULL, NULL, NULL), NOTE_NO_QUORUM);
	pol.quorum = 0;
	ck_assert_int_eq(note_proof_verify(pf.data, pf.len - 1, S("e"), &pol,
	    NULL, NULL, NULL, NULL), NOTE_BAD_INCLUSION);
	/* index 13 in a tree of size 13 */
	x[6] = '\0';
	buf_reset(&cp);
	ck_assert(buf_printf(&cp, "%s13\n%s", (char *)pf.data, x + 8));
	ck_assert_int_eq(note_proof_verify(cp.data, cp.len, S("e"), &pol,
	    NULL, NULL, NULL, NULL), NOTE_NOT_IN_TREE);
	ck_assert_int_eq(note_proof_verify(cp.data, 40, S("e"), &pol, NULL,
	    NULL, NULL, NULL), NOTE_MALFORMED);
	buf_free(&cp);
	buf_free(&pf);

	/* format refusals */
	signed_cp(&s, NULL, 13, root, &cp);
	buf_init(&pf, MAX_TLOG_PROOF_LEN);
	ck_assert(note_proof_format(NULL, 0, 13, NULL, 0, cp.data, cp.len,
	    &pf, NULL) == TMON_E_PARSE);
	ck_assert(note_proof_format(NULL, 0, 1, NULL, TLOG_MAX_PROOF + 1,
	    cp.data, cp.len, &pf, NULL) == TMON_E_LIMIT);
	x = calloc(1, MAX_TLOG_PROOF_EXTRA + 1);
	ck_assert(note_proof_format((uint8_t *)x, MAX_TLOG_PROOF_EXTRA + 1, 1,
	    NULL, 0, cp.data, cp.len, &pf, NULL) == TMON_E_LIMIT);
	ck_assert(note_proof_format((uint8_t *)x, MAX_TLOG_PROOF_EXTRA, 1,
	    NULL, 0, cp.data, cp.len, &pf, NULL) == TMON_OK);
	ck_assert(note_proof_parse(pf.data, pf.len, p, NULL) == TMON_OK);
	ck_assert_uint_eq(p->extra_len,
	    B64_ENCODED_LEN(MAX_TLOG_PROOF_EXTRA));
	free(x);
	ck_assert(note_proof_format(NULL, 0, 1, NULL, 0, cp.data, 10, &pf,
	    NULL) == TMON_E_PARSE);
	buf_free(&pf);
	buf_free(&cp);
	note_signer_clear(&s);
	note_signer_clear(&ws);
	free(t);
	free(p);
}
END_TEST

START_TEST(proofs_malformed)
{
	static const char *const head[] = {
		"c2sp.org/tlog-proof@v2\nindex 1\n\n",
		"c2sp.org/tlog-proof@v1 \nindex 1\n\n",
		"c2sp.org/tlog-proof@v1\nindex 01\n\n",
		"c2sp.org/tlog-proof@v1\nindex -1\n\n",
		"c2sp.org/tlog-proof@v1\nindex  1\n\n",
		"c2sp.org/tlog-proof@v1\nindex 9223372036854775808\n\n",
		"c2sp.org/tlog-proof@v1\nIndex 1\n\n",
		"c2sp.org/tlog-proof@v1\nextra\nindex 1\n\n",
		"c2sp.org/tlog-proof@v1\nextra \nindex 1\n\n",
		"c2sp.org/tlog-proof@v1\nextra Zh==\nindex 1\n\n",
		"c2sp.org/tlog-proof@v1\nextra Zg==\nextra Zg==\nindex 1\n\n",
		"c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n",
		"c2sp.org/tlog-proof@v1\nindex 1\n"
		    "wMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kh=\n\n",
		"c2sp.org/tlog-proof@v1\nindex 1\n"
		    "wMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n",
		"c2sp.org/tlog-proof@v1\nindex 1\n",
		"c2sp.org/tlog-proof@v1\n",
		"",
	};
	struct note_signer s;
	struct note_proof *p = malloc(sizeof(*p));
	struct tmon_err err;
	struct buf cp, pf;
	size_t i;

	mksigner("example.com/log", NOTE_ED25519, 1, &s);
	signed_cp(&s, NULL, 13, root13, &cp);
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		buf_init(&pf, MAX_TLOG_PROOF_LEN);
		ck_assert(buf_append_str(&pf, head[i]) && buf_append(&pf,
		    cp.data, cp.len));
		tmon_err_clear(&err);
		ck_assert_msg(note_proof_parse(pf.data, pf.len, p, &err) ==
		    TMON_E_PARSE, "%zu", i);
		ck_assert_uint_eq(p->nhashes, 0);
		ck_assert_ptr_null(p->note);
		buf_free(&pf);
	}
	/* the checkpoint note must be a signed checkpoint */
	buf_init(&pf, MAX_TLOG_PROOF_LEN);
	ck_assert(buf_append_str(&pf, head[0] + 23) && buf_append(&pf,
	    cp.data, cp.len - 1));
	ck_assert(note_proof_parse(pf.data, pf.len, p, NULL) == TMON_E_PARSE);
	buf_free(&pf);
	/* 64 hashes parse, 65 are too many */
	buf_init(&pf, MAX_TLOG_PROOF_LEN);
	ck_assert(buf_append_str(&pf, "c2sp.org/tlog-proof@v1\nindex 1\n"));
	for (i = 0; i < TLOG_MAX_PROOF; i++)
		ck_assert(buf_append_str(&pf,
		    "wMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n"));
	ck_assert(buf_append(&pf, "\n", 1) && buf_append(&pf, cp.data,
	    cp.len));
	ck_assert(note_proof_parse(pf.data, pf.len, p, NULL) == TMON_OK);
	ck_assert_uint_eq(p->nhashes, TLOG_MAX_PROOF);
	buf_reset(&pf);
	ck_assert(buf_append_str(&pf, "c2sp.org/tlog-proof@v1\nindex 1\n"));
	for (i = 0; i <= TLOG_MAX_PROOF; i++)
		ck_assert(buf_append_str(&pf,
		    "wMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=\n"));
	ck_assert(buf_append(&pf, "\n", 1) && buf_append(&pf, cp.data,
	    cp.len));
	ck_assert(note_proof_parse(pf.data, pf.len, p, NULL) == TMON_E_LIMIT);
	buf_free(&pf);
	buf_free(&cp);
	note_signer_clear(&s);
	free(p);
}
END_TEST

/*
 * tlog-witness.
 */

START_TEST(witness)
{
	struct note_signer s, w1, w2;
	struct note_verifier v1, v2;
	struct note_witness_response *r = malloc(sizeof(*r));
	struct note_sig line;
	struct tmon_err err;
	struct buf cp, b, text;
	uint8_t h[2][32];
	uint64_t t, size;
	size_t i;
	char *exp;

	mksigner("example.com/log", NOTE_ED25519, 1, &s);
	mksigner("w1.example", NOTE_COSIGNATURE_V1, 2, &w1);
	mksigner("w2.example", NOTE_COSIGNATURE_V1, 3, &w2);
	note_signer_verifier(&w1, &v1);
	note_signer_verifier(&w2, &v2);
	signed_cp(&s, NULL, 13, root13, &cp);
	buf_init(&text, MAX_NOTE_LEN);
	ck_assert(note_checkpoint_format(s.name, 13, root13, NULL, 0, &text,
	    NULL) == TMON_OK);

	/* the request body (tlog-witness "add-checkpoint") */
	memset(h[0], 0x3e, 32);
	memset(h[1], 0xff, 32);
	buf_init(&b, 1 << 20);
	ck_assert(note_witness_request(5, (const uint8_t (*)[32])h, 2,
	    cp.data, cp.len, &b, NULL) == TMON_OK);
	ck_assert(asprintf(&exp, "old 5\n"
	    "Pj4+Pj4+Pj4+Pj4+Pj4+Pj4+Pj4+Pj4+Pj4+Pj4+Pj4=\n"
	    "//////////////////////////////////////////8=\n\n%.*s",
	    (int)cp.len, (char *)cp.data) > 0);
	ck_assert_uint_eq(b.len, strlen(exp));
	ck_assert_mem_eq(b.data, exp, b.len);
	free(exp);
	buf_reset(&b);
	ck_assert(note_witness_request(0, NULL, 0, cp.data, cp.len, &b,
	    NULL) == TMON_OK);
	ck_assert_mem_eq(b.data, "old 0\n\n", 7);
	buf_reset(&b);
	ck_assert(note_witness_request(0, (const uint8_t (*)[32])h, 1,
	    cp.data, cp.len, &b, NULL) == TMON_E_PARSE);
	ck_assert(note_witness_request(13, (const uint8_t (*)[32])h, 1,
	    cp.data, cp.len, &b, NULL) == TMON_E_PARSE);
	ck_assert(note_witness_request(14, NULL, 0, cp.data, cp.len, &b,
	    NULL) == TMON_E_PARSE);
	ck_assert(note_witness_request(5, NULL, 64, cp.data, cp.len, &b,
	    NULL) == TMON_E_LIMIT);
	ck_assert(note_witness_request(5, NULL, 0, text.data, text.len, &b,
	    NULL) == TMON_E_PARSE);

	/* a 200 answer: two witnesses' lines */
	buf_reset(&b);
	ck_assert(note_cosign(&w2, text.data, text.len, 1700000002, &b,
	    NULL) == TMON_OK);
	ck_assert(note_cosign(&w1, text.data, text.len, 1700000001, &b,
	    NULL) == TMON_OK);
	ck_assert(note_witness_response_parse(b.data, b.len, r, NULL) ==
	    TMON_OK);
	ck_assert_uint_eq(r->nsigs, 2);
	ck_assert_int_eq(note_witness_cosignature(&v1, text.data, text.len,
	    b.data, b.len, &line, &t, NULL), NOTE_PASS);
	ck_assert_uint_eq(t, 1700000001);
	ck_assert_ptr_eq(line.line, r->sigs[1].line);
	ck_assert_int_eq(note_witness_cosignature(&v2, text.data, text.len,
	    b.data, b.len, &line, &t, NULL), NOTE_PASS);
	ck_assert_uint_eq(t, 1700000002);
	/* over another checkpoint: does not verify */
	tmon_err_clear(&err);
	ck_assert_int_eq(note_witness_cosignature(&v1, text.data,
	    text.len - 1, b.data, b.len, &line, &t, &err), NOTE_UNCHECKED);
	text.data[text.len - 2] ^= 1;
	ck_assert_int_eq(note_witness_cosignature(&v1, text.data, text.len,
	    b.data, b.len, &line, &t, NULL), NOTE_BAD_COSIGNATURE);
	ck_assert_uint_eq(line.line_len, 0);
	text.data[text.len - 2] ^= 1;
	/* only another witness's line */
	ck_assert_int_eq(note_witness_cosignature(&v1, text.data, text.len,
	    r->sigs[0].line, r->sigs[0].line_len, &line, &t, NULL),
	    NOTE_NO_SIGNATURE);
	/* malformed answers */
	ck_assert_int_eq(note_witness_cosignature(&v1, text.data, text.len,
	    (const uint8_t *)"", 0, &line, &t, NULL), NOTE_MALFORMED);
	ck_assert_int_eq(note_witness_cosignature(&v1, text.data, text.len,
	    b.data, b.len - 1, &line, &t, NULL), NOTE_MALFORMED);
	ck_assert(note_witness_response_parse(S("error\n"), r, NULL) ==
	    TMON_E_PARSE);
	ck_assert(note_witness_response_parse(S("\n"), r, NULL) ==
	    TMON_E_PARSE);
	buf_reset(&b);
	for (i = 0; i < MAX_WITNESS_SIGS + 1; i++)
		ck_assert(buf_printf(&b, "\xe2\x80\x94 k%zu AAAAAAAA\n", i));
	ck_assert(note_witness_response_parse(b.data, b.len, r, NULL) ==
	    TMON_E_LIMIT);

	/* a 409 answer */
	ck_assert(note_witness_conflict_parse(S("12\n"), &size, NULL) ==
	    TMON_OK);
	ck_assert_uint_eq(size, 12);
	ck_assert(note_witness_conflict_parse(S("0\n"), &size, NULL) ==
	    TMON_OK);
	ck_assert_uint_eq(size, 0);
	ck_assert(note_witness_conflict_parse(S("18446744073709551615\n"),
	    &size, NULL) == TMON_OK);
	ck_assert_uint_eq(size, UINT64_MAX);
	ck_assert(note_witness_conflict_parse(S("18446744073709551616\n"),
	    &size, NULL) == TMON_E_PARSE);
	ck_assert(note_witness_conflict_parse(S("012\n"), &size, NULL) ==
	    TMON_E_PARSE);
	ck_assert(note_witness_conflict_parse(S("12"), &size, NULL) ==
	    TMON_E_PARSE);
	ck_assert(note_witness_conflict_parse(S("12\n\n"), &size, NULL) ==
	    TMON_E_PARSE);
	ck_assert(note_witness_conflict_parse(S("\n"), &size, NULL) ==
	    TMON_E_PARSE);
	ck_assert(note_witness_conflict_parse(S("-1\n"), &size, NULL) ==
	    TMON_E_PARSE);

	buf_free(&b);
	buf_free(&cp);
	buf_free(&text);
	note_signer_clear(&s);
	note_signer_clear(&w1);
	note_signer_clear(&w2);
	free(r);
}
END_TEST

/*
 * The key file.
 */

static char tmpdir[64];

static void
tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_note.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static void
put_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static size_t
count_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Load path as the key of origin; returns the rc, msg in err. */
static enum tmon_rc
load(const char *path, const char *origin, bool create,
    struct note_signer *s, struct tmon_err *err)
{
	tmon_err_clear(err);
	return note_keyfile_load_or_create(path, origin, create, s, err);
}

START_TEST(keyfile)
{
	struct note_signer s, s2;
	struct tmon_err err;
	struct stat sb;
	char path[128], link_[128], text[NOTE_SKEY_MAX + 2], *go;
	uint8_t *got;
	size_t len;

	snprintf(path, sizeof(path), "%s/log.key", tmpdir);
	/* absent, not created */
	ck_assert_int_eq(load(path, "example.com/log", false, &s, &err),
	    TMON_E_NOTFOUND);
	ck_assert_int_eq(count_dir(tmpdir), 0);
	/* created: mode 0600, one key line, nothing else left behind */
	ck_assert_int_eq(load(path, "example.com/log", true, &s, &err),
	    TMON_OK);
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	ck_assert(S_ISREG(sb.st_mode));
	ck_assert_int_eq(count_dir(tmpdir), 1);
	ck_assert(note_signer_format(&s, text, sizeof(text)));
	ck_assert(read_file(path, 4096, &got, &len, NULL) == TMON_OK);
	ck_assert_uint_eq(len, strlen(text) + 1);
	ck_assert_mem_eq(got, text, strlen(text));
	ck_assert_int_eq(got[len - 1], '\n');
	free(got);
	/* loaded again: the same key; create does not replace it */
	ck_assert_int_eq(load(path, "example.com/log", false, &s2, &err),
	    TMON_OK);
	ck_assert_mem_eq(&s, &s2, sizeof(s));
	ck_assert_int_eq(load(path, "example.com/log", true, &s2, &err),
	    TMON_OK);
	ck_assert_mem_eq(&s, &s2, sizeof(s));

	/* readable or writable by group or others */
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(load(path, "example.com/log", true, &s2, &err),
	    TMON_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "chmod 600"));
	ck_assert_ptr_null(strstr(err.msg, text + 30));
	ck_assert_uint_eq(s2.sk[0] | s2.sk[63] | s2.id, 0);
	ck_assert_int_eq(chmod(path, 0620), 0);
	ck_assert_int_eq(load(path, "example.com/log", false, &s2, &err),
	    TMON_E_CONFIG);
	ck_assert_int_eq(chmod(path, 0601), 0);
	ck_assert_int_eq(load(path, "example.com/log", false, &s2, &err),
	    TMON_E_CONFIG);
	ck_assert_int_eq(chmod(path, 0400), 0);
	ck_assert_int_eq(load(path, "example.com/log", false, &s2, &err),
	    TMON_OK);
	ck_assert_int_eq(chmod(path, 0600), 0);
	/* a symbolic link to it */
	snprintf(link_, sizeof(link_), "%s/link.key", tmpdir);
	ck_assert_int_eq(symlink(path, link_), 0);
	ck_assert_int_eq(load(link_, "example.com/log", true, &s2, &err),
	    TMON_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "symbolic link"));
	/* a dangling link is not followed to create a key either */
	unlink(link_);
	ck_assert_int_eq(symlink("/nonexistent/x.key", link_), 0);
	ck_assert_int_eq(load(link_, "example.com/log", true, &s2, &err),
	    TMON_E_CONFIG);
	unlink(link_);
	/* a directory */
	ck_assert_int_eq(load(tmpdir, "example.com/log", true, &s2, &err),
	    TMON_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
	/* another origin */
	ck_assert_int_eq(load(path, "example.com/other", false, &s2, &err),
	    TMON_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, ": the key is named "
	    "\"example.com/log\", not the log origin \"example.com/other\""));
	/* an origin that cannot be a key name */
	ck_assert_int_eq(load(path, "example.com/a b", false, &s2, &err),
	    TMON_E_CONFIG);
	/* malformed contents, never quoted */
	text[40] ^= 1;
	len = strlen(text);
	text[len] = '\n';
	text[len + 1] = '\0';
	put_file(path, text, 0600);
	ck_assert_int_eq(load(path, "example.com/log", false, &s2, &err),
	    TMON_E_CONFIG);
	ck_assert_ptr_null(strstr(err.msg, text + 30));
	put_file(path, "garbage\n", 0600);
	ck_assert_int_eq(load(path, "example.com/log", false, &s2, &err),
	    TMON_E_CONFIG);
	put_file(path, "", 0600);
	ck_assert_int_eq(load(path, "example.com/log", false, &s2, &err),
	    TMON_E_CONFIG);
	memset(text, 'A', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	put_file(path, text, 0600);
	ck_assert_int_eq(load(path, "example.com/log", false, &s2, &err),
	    TMON_E_CONFIG);
	/* Go's key file; a cosigner key is not a log key */
	go = (char *)slurp("go.skey", &len);
	put_file(path, go, 0600);
	ck_assert_int_eq(load(path, "example.com/tmon-go", false, &s2, &err),
	    TMON_OK);
	ck_assert_uint_eq(s2.id, 0xb21bba1c);
	free(go);
	go = (char *)slurp("go-witness.skey", &len);
	put_file(path, go, 0600);
	ck_assert_int_eq(load(path, "witness.example/tmon-w1", false, &s2,
	    &err), TMON_E_CONFIG);
	free(go);
	/* owned by another user (only root can make one) */
	if (geteuid() == 0) {
		put_file(path, text, 0600);
		ck_assert_int_eq(chown(path, 65534, 65534), 0);
		ck_assert_int_eq(load(path, "example.com/log", false, &s2,
		    &err), TMON_E_CONFIG);
		ck_assert_ptr_nonnull(strstr(err.msg, "owned by uid 65534"));
	}
	/* a directory that does not exist */
	snprintf(path, sizeof(path), "%s/no/log.key", tmpdir);
	ck_assert_int_eq(load(path, "example.com/log", true, &s2, &err),
	    TMON_E_IO);
	note_signer_clear(&s);
	note_signer_clear(&s2);
}
END_TEST

static Suite *
note_suite(void)
{
	Suite *s = suite_create("note");
	TCase *tc = tcase_create("note");
	TCase *tk = tcase_create("keyfile");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, b64_rfc4648);
	tcase_add_test(tc, ed25519_rfc8032);
	tcase_add_test(tc, ed25519_strict);
	tcase_add_test(tc, key_names);
	tcase_add_test(tc, keys_go_doc);
	tcase_add_test(tc, keys_bad);
	tcase_add_test(tc, keys_roundtrip);
	tcase_add_test(tc, notes_go_doc);
	tcase_add_test(tc, notes_malformed);
	tcase_add_test(tc, notes_limits);
	tcase_add_test(tc, checkpoint_text);
	tcase_add_test(tc, go_vectors);
	tcase_add_test(tc, tamper);
	tcase_add_test(tc, sign_bad_text);
	tcase_add_test(tc, proofs);
	tcase_add_test(tc, proofs_malformed);
	tcase_add_test(tc, witness);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tk, tmp_setup, tmp_teardown);
	tcase_add_test(tk, keyfile);
	suite_add_tcase(s, tk);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(note_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
