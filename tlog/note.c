/*
 * note.c: C2SP signed notes, checkpoints, cosignatures, tlog proofs and
 * tlog-witness bodies (note.h), with Ed25519 by libsodium.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "encode.h"
#include "log.h"
#include "note.h"
#include "xmalloc.h"

/* U+2014 EM DASH and a space: the start of a signature line. */
#define SIG_PREFIX	"\xe2\x80\x94 "
#define SIG_PREFIX_LEN	4
#define SKEY_PREFIX	"PRIVATE+KEY+"
#define SKEY_PREFIX_LEN	12
#define PROOF_HEADER	"c2sp.org/tlog-proof@v1"
#define COSIG_HEADER	"cosignature/v1\n"
/* The base64 of type || 32-byte key in a key text. */
#define KEY_B64_LEN	B64_ENCODED_LEN(1 + NOTE_PUBKEY_LEN)
/* Cosignature timestamps are at most 2^63 - 1 (tlog-cosignature). */
#define COSIG_TIME_MAX	((uint64_t)INT64_MAX)

const char *
note_verdict_str(enum note_verdict v)
{
	switch (v) {
	case NOTE_UNCHECKED:
		return "not checked";
	case NOTE_PASS:
		return "pass";
	case NOTE_MALFORMED:
		return "malformed";
	case NOTE_NO_SIGNATURE:
		return "no signature by a known key";
	case NOTE_BAD_SIGNATURE:
		return "bad signature";
	case NOTE_BAD_COSIGNATURE:
		return "bad cosignature";
	case NOTE_WRONG_ORIGIN:
		return "wrong origin";
	case NOTE_NO_QUORUM:
		return "too few witness cosignatures";
	case NOTE_NOT_IN_TREE:
		return "index not in tree";
	case NOTE_BAD_INCLUSION:
		return "inclusion proof does not verify";
	}
	return "unknown verdict";
}

/*
 * Text.
 */

/*
 * Decode one UTF-8 sequence at p (n > 0 bytes) into *cp: RFC 3629 (the
 * shortest form, no surrogates, at most U+10FFFF).  Returns its length,
 * or 0 if it is not valid.
 */
static size_t
utf8_dec(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint32_t c = p[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (uint32_t)(p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * True if the n bytes at p are valid UTF-8 without control characters
 * other than "\n" (signed-note "Format"); else *off is the first bad byte.
 */
static bool
chars_valid(const uint8_t *p, size_t n, size_t *off)
{
	uint32_t cp;
	size_t i = 0, k;

	while (i < n) {
		if ((k = utf8_dec(p + i, n - i, &cp)) == 0 ||
		    (cp < 0x20 && cp != '\n')) {
			*off = i;
			return false;
		}
		i += k;
	}
	return true;
}

/* A note text: non-empty, ending in "\n", chars_valid. */
static bool
text_valid(const uint8_t *p, size_t n, size_t *off)
{
	if (n == 0 || p[n - 1] != '\n') {
		*off = n;
		return false;
	}
	return chars_valid(p, n, off);
}

/* Unicode White_Space (what Go's unicode.IsSpace reports). */
static bool
is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

bool
note_name_valid(const char *name, size_t len)
{
	const uint8_t *p = (const uint8_t *)name;
	uint32_t c;
	size_t i = 0, k;

	if (len == 0 || len > MAX_NOTE_NAME)
		return false;
	while (i < len) {
		if ((k = utf8_dec(p + i, len - i, &c)) == 0)
			return false;
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '+' ||
		    is_space(c))
			return false;
		i += k;
	}
	return true;
}

/* A decimal of n characters without leading zeroes, at most max. */
static bool
dec_parse(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0, d;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode canonical standard base64 (n characters; RFC 4648 section 4,
 * padded, pad bits zero as section 3.5 asks of encoders) of at most max
 * bytes into a new buffer of *outlen bytes (caller frees).  NULL if it is
 * anything else.
 */
static uint8_t *
b64_canon(const char *s, size_t n, size_t max, size_t *outlen)
{
	uint8_t *p;
	int v = 0;

	if ((p = b64_decode_alloc(s, n, max, outlen)) == NULL)
		return NULL;
	if (n >= 4 && s[n - 1] == '=') {
		if (s[n - 2] == '=')
			v = b64val(s[n - 3]) & 0x0f;
		else
			v = b64val(s[n - 2]) & 0x03;
	}
	if (v != 0) {
		sodium_memzero(p, *outlen);
		free(p);
		return NULL;
	}
	return p;
}

/* Canonical base64 of exactly len bytes into out (the copy is wiped). */
static bool
b64_exact(const char *s, size_t n, uint8_t *out, size_t len)
{
	uint8_t *p;
	size_t got;
	bool ok;

	if (n != B64_ENCODED_LEN(len) || (p = b64_canon(s, n, len, &got)) ==
	    NULL)
		return false;
	if ((ok = got == len))
		memcpy(out, p, len);
	sodium_memzero(p, got);
	free(p);
	return ok;
}

/* The next line of p[*pos..n): *line, *len without its "\n".  False if
 * no "\n" is left. */
static bool
next_line(const uint8_t *p, size_t n, size_t *pos, const char **line,
    size_t *len)
{
	const uint8_t *nl;

	if (*pos >= n || (nl = memchr(p + *pos, '\n', n - *pos)) == NULL)
		return false;
	*line = (const char *)p + *pos;
	*len = (size_t)(nl - (p + *pos));
	*pos += *len + 1;
	return true;
}

static bool
has_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && memcmp(s, pre, k) == 0;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint64_t
get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* A key name for a message, escaped. */
static const char *
esc(char *out, size_t outsz, const char *s, size_t n)
{
	return log_esc(out, outsz, s, n);
}

static enum tmon_rc
full(struct tmon_err *err, const char *what)
{
	return tmon_err_set(err, TMON_E_LIMIT, "%s: longer than the output "
	    "buffer allows", what);
}

/*
 * Keys.
 */

uint32_t
note_key_id(const char *name, size_t len, uint8_t type,
    const uint8_t pub[NOTE_PUBKEY_LEN])
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, len);
	crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
	crypto_hash_sha256_update(&st, &type, 1);
	crypto_hash_sha256_update(&st, pub, NOTE_PUBKEY_LEN);
	crypto_hash_sha256_final(&st, h);
	return get_be32(h);
}

static bool
type_known(uint8_t type)
{
	return type == NOTE_ED25519 || type == NOTE_COSIGNATURE_V1;
}

static enum tmon_rc
bad_name(struct tmon_err *err, const char *what, const char *name,
    size_t len)
{
	char e[96];

	return tmon_err_set(err, TMON_E_PARSE, "%s \"%s\" is not a key name "
	    "(1 to %u bytes of UTF-8 without spaces, '+' or control "
	    "characters)", what, esc(e, sizeof(e), name, len), MAX_NOTE_NAME);
}

enum tmon_rc
note_signer_from_seed(const char *name, uint8_t type,
    const uint8_t seed[NOTE_SEED_LEN], struct note_signer *out,
    struct tmon_err *err)
{
	uint8_t pub[NOTE_PUBKEY_LEN];
	size_t len;

	memset(out, 0, sizeof(*out));
	len = strnlen(name, MAX_NOTE_NAME + 1);
	if (!note_name_valid(name, len))
		return bad_name(err, "signer", name, len);
	if (!type_known(type))
		return tmon_err_set(err, TMON_E_UNSUPPORTED, "signer type "
		    "0x%02x (0x01 Ed25519 or 0x04 cosignature/v1)", type);
	if (sodium_init() < 0)
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "libsodium could not initialise");
	if (crypto_sign_seed_keypair(pub, out->sk, seed) != 0) {
		note_signer_clear(out);
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "libsodium: Ed25519 key derivation failed");
	}
	memcpy(out->name, name, len);
	out->name[len] = '\0';
	out->type = type;
	out->id = note_key_id(name, len, type, pub);
	return TMON_OK;
}

enum tmon_rc
note_signer_generate(const char *name, uint8_t type, struct note_signer *out,
    struct tmon_err *err)
{
	uint8_t seed[NOTE_SEED_LEN];
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	if (sodium_init() < 0)
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "libsodium could not initialise");
	randombytes_buf(seed, sizeof(seed));
	rc = note_signer_from_seed(name, type, seed, out, err);
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

void
note_signer_clear(struct note_signer *s)
{
	if (s != NULL)
		sodium_memzero(s, sizeof(*s));
}

void
note_signer_verifier(const struct note_signer *s, struct note_verifier *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->name, s->name, sizeof(out->name));
	out->id = s->id;
	out->type = s->type;
	memcpy(out->pub, s->sk + NOTE_SEED_LEN, NOTE_PUBKEY_LEN);
}

/*
 * Split "<name>+<8 hex>+<base64 of type || 32 bytes>" (what follows
 * "PRIVATE+KEY+" in a signer text): the name, the key id, the type and
 * the 32 key bytes (wiped by the caller when secret).  what names the
 * text in messages, which never show the key bytes, nor (secret) any
 * part of the text.
 */
static enum tmon_rc
key_split(const char *text, size_t len, const char *what, bool secret,
    const char **name, size_t *name_len, uint32_t *id, uint8_t *type,
    uint8_t key[32], struct tmon_err *err)
{
	const char *plus, *h;
	uint8_t *raw;
	uint32_t v = 0;
	size_t i, rest, rawlen;
	bool ok;

	if ((plus = memchr(text, '+', len)) == NULL)
		return tmon_err_set(err, TMON_E_PARSE, "%s: expected "
		    "<name>+<key id>+<key>", what);
	*name = text;
	*name_len = (size_t)(plus - text);
	if (!note_name_valid(text, *name_len))
		return bad_name(err, what, secret ? "..." : text,
		    secret ? 3 : *name_len);
	h = plus + 1;
	rest = len - *name_len - 1;
	if (rest < 9 || h[8] != '+')
		return tmon_err_set(err, TMON_E_PARSE, "%s: the key id is not "
		    "8 hex digits followed by '+'", what);
	for (i = 0; i < 8; i++) {
		if (h[i] >= '0' && h[i] <= '9')
			v = v << 4 | (uint32_t)(h[i] - '0');
		else if (h[i] >= 'a' && h[i] <= 'f')
			v = v << 4 | (uint32_t)(h[i] - 'a' + 10);
		else
			return tmon_err_set(err, TMON_E_PARSE, "%s: the key id "
			    "is not 8 lower-case hex digits", what);
	}
	*id = v;
	/* the type first: a longer key (ML-DSA) is unsupported, not bad */
	if ((raw = b64_canon(h + 9, rest - 9, MAX_NOTE_KEY_BYTES, &rawlen)) ==
	    NULL || rawlen == 0) {
		free(raw);
		return tmon_err_set(err, TMON_E_PARSE, "%s: the key is not "
		    "canonical base64 of at most %d bytes", what,
		    MAX_NOTE_KEY_BYTES);
	}
	*type = raw[0];
	ok = rawlen == 1 + 32;
	if (ok)
		memcpy(key, raw + 1, 32);
	sodium_memzero(raw, rawlen);
	free(raw);
	if (!type_known(*type))
		return tmon_err_set(err, TMON_E_UNSUPPORTED, "%s: key type "
		    "0x%02x is not supported (0x01 Ed25519 or 0x04 "
		    "cosignature/v1)", what, *type);
	if (!ok)
		return tmon_err_set(err, TMON_E_PARSE, "%s: %zu key bytes, "
		    "an Ed25519 key has 32", what, rawlen - 1);
	return TMON_OK;
}

enum tmon_rc
note_signer_parse(const char *text, size_t len, struct note_signer *out,
    struct tmon_err *err)
{
	uint8_t seed[NOTE_SEED_LEN];
	const char *name = NULL;
	char nm[MAX_NOTE_NAME + 1];
	size_t name_len = 0;
	uint32_t id = 0;
	uint8_t type = 0;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	if (len < SKEY_PREFIX_LEN || memcmp(text, SKEY_PREFIX,
	    SKEY_PREFIX_LEN) != 0)
		return tmon_err_set(err, TMON_E_PARSE, "signer key: does not "
		    "start with " SKEY_PREFIX);
	rc = key_split(text + SKEY_PREFIX_LEN, len - SKEY_PREFIX_LEN,
	    "signer key", true, &name, &name_len, &id, &type, seed, err);
	if (rc == TMON_OK) {
		memcpy(nm, name, name_len);
		nm[name_len] = '\0';
		rc = note_signer_from_seed(nm, type, seed, out, err);
	}
	sodium_memzero(seed, sizeof(seed));
	if (rc != TMON_OK)
		return rc;
	if (out->id != id) {
		note_signer_clear(out);
		return tmon_err_set(err, TMON_E_PARSE, "signer key: key id "
		    "%08" PRIx32 " is not the id of the key", id);
	}
	return TMON_OK;
}

enum tmon_rc
note_verifier_parse(const char *text, size_t len, struct note_verifier *out,
    struct tmon_err *err)
{
	const char *name = NULL;
	size_t name_len = 0;
	uint32_t id = 0;
	uint8_t type = 0, pub[NOTE_PUBKEY_LEN];
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	rc = key_split(text, len, "verifier key", false, &name, &name_len, &id,
	    &type, pub, err);
	if (rc != TMON_OK)
		return rc;
	if (note_key_id(name, name_len, type, pub) != id)
		return tmon_err_set(err, TMON_E_PARSE, "verifier key: key id "
		    "%08" PRIx32 " is not the id of the key", id);
	memcpy(out->name, name, name_len);
	out->name[name_len] = '\0';
	out->id = id;
	out->type = type;
	memcpy(out->pub, pub, sizeof(pub));
	return TMON_OK;
}

/* "<name>+<id>+<base64(type || key)>" into buf. */
static bool
key_format(const char *prefix, const char *name, uint32_t id, uint8_t type,
    const uint8_t key[32], char *buf, size_t size)
{
	uint8_t raw[1 + 32];
	char b64[KEY_B64_LEN + 1];
	int n;

	raw[0] = type;
	memcpy(raw + 1, key, 32);
	b64_encode(raw, sizeof(raw), b64);
	n = snprintf(buf, size, "%s%s+%08" PRIx32 "+%s", prefix, name, id,
	    b64);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			sodium_memzero(buf, size);
		return false;
	}
	return true;
}

bool
note_signer_format(const struct note_signer *s, char *buf, size_t size)
{
	return key_format(SKEY_PREFIX, s->name, s->id, s->type, s->sk, buf,
	    size);
}

bool
note_verifier_format(const struct note_verifier *v, char *buf, size_t size)
{
	return key_format("", v->name, v->id, v->type, v->pub, buf, size);
}

/*
 * Raw Ed25519.
 */

enum tmon_rc
note_ed25519_sign(const struct note_signer *s, const uint8_t *msg, size_t len,
    uint8_t sig[NOTE_SIG_LEN], struct tmon_err *err)
{
	if (sodium_init() < 0)
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "libsodium could not initialise");
	if (crypto_sign_detached(sig, NULL, msg, len, s->sk) != 0)
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "libsodium: Ed25519 signing failed");
	return TMON_OK;
}

enum note_verdict
note_ed25519_verify(const uint8_t pub[NOTE_PUBKEY_LEN],
    const uint8_t sig[NOTE_SIG_LEN], const uint8_t *msg, size_t len)
{
	if (sodium_init() < 0)
		return NOTE_UNCHECKED;
	if (crypto_sign_verify_detached(sig, msg, len, pub) == 0)
		return NOTE_PASS;
	return NOTE_BAD_SIGNATURE;
}

/*
 * The cosignature/v1 message: "cosignature/v1\ntime <t>\n" || text, in a
 * new buffer of *len bytes (caller frees).
 */
static uint8_t *
cosig_message(uint64_t t, const uint8_t *text, size_t n, size_t *len)
{
	char head[64];
	uint8_t *m;
	int k;

	k = snprintf(head, sizeof(head), COSIG_HEADER "time %" PRIu64 "\n",
	    t);
	TMON_ASSERT(k > 0 && (size_t)k < sizeof(head));
	TMON_ASSERT(n <= MAX_TLOG_PROOF_LEN);
	m = xmalloc((size_t)k + n + 1);
	memcpy(m, head, (size_t)k);
	if (n > 0)
		memcpy(m + k, text, n);
	*len = (size_t)k + n;
	return m;
}

/*
 * Signed notes.
 */

/* Append "— <name> <base64(id || body)>\n" to out. */
static enum tmon_rc
put_sigline(struct buf *out, const char *name, uint32_t id,
    const uint8_t *body, size_t blen, struct tmon_err *err)
{
	uint8_t raw[NOTE_COSIG_LEN];
	char b64[B64_ENCODED_LEN(NOTE_COSIG_LEN) + 1];

	TMON_ASSERT(blen <= sizeof(raw) - 4);
	put_be32(raw, id);
	memcpy(raw + 4, body, blen);
	b64_encode(raw, 4 + blen, b64);
	if (!buf_append(out, SIG_PREFIX, SIG_PREFIX_LEN) ||
	    !buf_append_str(out, name) || !buf_append(out, " ", 1) ||
	    !buf_append_str(out, b64) || !buf_append(out, "\n", 1))
		return full(err, "signature line");
	return TMON_OK;
}

enum tmon_rc
note_sign(const struct note_signer *s, const uint8_t *text, size_t len,
    struct buf *out, struct tmon_err *err)
{
	uint8_t sig[NOTE_SIG_LEN];
	size_t off;
	enum tmon_rc rc;

	if (s->type != NOTE_ED25519)
		return tmon_err_set(err, TMON_E_UNSUPPORTED, "note_sign: key "
		    "type 0x%02x is not a note signing key (0x01)", s->type);
	if (len > MAX_NOTE_LEN)
		return tmon_err_set(err, TMON_E_LIMIT, "note text: longer "
		    "than %u bytes", MAX_NOTE_LEN);
	if (!text_valid(text, len, &off))
		return tmon_err_set_at(err, TMON_E_PARSE, off, "note text: "
		    "%s at byte %zu", off == len ? "no final newline" :
		    "not UTF-8, or a control character", off);
	if ((rc = note_ed25519_sign(s, text, len, sig, err)) != TMON_OK)
		return rc;
	if (!buf_append(out, text, len) || !buf_append(out, "\n", 1))
		return full(err, "signed note");
	return put_sigline(out, s->name, s->id, sig, sizeof(sig), err);
}

/*
 * Parse the signature lines p[0..n) (n > 0, p[n - 1] == '\n'; base is the
 * offset of p in the input, for messages) into sigs (at most max).
 */
static enum tmon_rc
parse_siglines(const uint8_t *p, size_t n, size_t base, struct note_sig *sigs,
    size_t max, size_t *count, struct tmon_err *err)
{
	struct note_sig *g;
	const char *line, *sp, *b64;
	uint8_t *raw;
	char e[96];
	size_t pos = 0, at, len, rawlen, j;

	*count = 0;
	while (pos < n) {
		at = pos;
		if (!next_line(p, n, &pos, &line, &len))
			return tmon_err_set_at(err, TMON_E_PARSE, base + at,
			    "signature line at byte %zu: no final newline",
			    base + at);
		if (*count == max)
			return tmon_err_set_at(err, TMON_E_LIMIT, base + at,
			    "more than %zu signature lines", max);
		if (!has_prefix(line, len, SIG_PREFIX))
			return tmon_err_set_at(err, TMON_E_PARSE, base + at,
			    "line at byte %zu: not a signature line (\"— "
			    "<name> <signature>\")", base + at);
		line += SIG_PREFIX_LEN;
		len -= SIG_PREFIX_LEN;
		if ((sp = memchr(line, ' ', len)) == NULL)
			return tmon_err_set_at(err, TMON_E_PARSE, base + at,
			    "signature line at byte %zu: no space after the "
			    "key name", base + at);
		if (!note_name_valid(line, (size_t)(sp - line)))
			return tmon_err_set_at(err, TMON_E_PARSE, base + at,
			    "signature line at byte %zu: \"%s\" is not a key "
			    "name", base + at, esc(e, sizeof(e), line,
			    (size_t)(sp - line)));
		b64 = sp + 1;
		raw = b64_canon(b64, len - (size_t)(b64 - line), n, &rawlen);
		if (raw == NULL || rawlen < 5) {
			free(raw);
			return tmon_err_set_at(err, TMON_E_PARSE, base + at,
			    "signature line at byte %zu: the signature is not "
			    "canonical base64 of a key id and at least one "
			    "byte", base + at);
		}
		g = &sigs[*count];
		g->line = p + at;
		g->line_len = pos - at;
		g->name = line;
		g->name_len = (size_t)(sp - line);
		g->id = get_be32(raw);
		g->b64 = b64;
		g->b64_len = len - (size_t)(b64 - line);
		free(raw);
		for (j = 0; j < *count; j++)
			if (sigs[j].id == g->id && sigs[j].name_len ==
			    g->name_len && memcmp(sigs[j].name, g->name,
			    g->name_len) == 0)
				return tmon_err_set_at(err, TMON_E_PARSE,
				    base + at, "signature lines %zu and %zu "
				    "are both by key %s+%08" PRIx32, j + 1,
				    *count + 1, esc(e, sizeof(e), g->name,
				    g->name_len), g->id);
		(*count)++;
	}
	return TMON_OK;
}

enum tmon_rc
note_parse(const uint8_t *msg, size_t len, struct note *out,
    struct tmon_err *err)
{
	size_t off, i, split;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	if (len > MAX_NOTE_LEN)
		return tmon_err_set(err, TMON_E_LIMIT, "signed note: longer "
		    "than %u bytes", MAX_NOTE_LEN);
	if (!chars_valid(msg, len, &off))
		return tmon_err_set_at(err, TMON_E_PARSE, off, "signed note: "
		    "not UTF-8, or a control character, at byte %zu", off);
	/* the text ends at the last empty line */
	for (i = len; i >= 2; i--)
		if (msg[i - 1] == '\n' && msg[i - 2] == '\n')
			break;
	if (i < 2)
		return tmon_err_set(err, TMON_E_PARSE, "signed note: no empty "
		    "line before the signature lines");
	split = i - 2;
	if (split + 2 == len)
		return tmon_err_set_at(err, TMON_E_PARSE, len, "signed note: "
		    "no signature lines");
	if (msg[len - 1] != '\n')
		return tmon_err_set_at(err, TMON_E_PARSE, len, "signed note: "
		    "the last signature line has no final newline");
	out->text = msg;
	out->text_len = split + 1;
	rc = parse_siglines(msg + split + 2, len - split - 2, split + 2,
	    out->sigs, MAX_NOTE_SIGS, &out->nsigs, err);
	if (rc != TMON_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* Index of the key named by g in keys, or nkeys. */
static size_t
key_find(const struct note_verifier *keys, size_t nkeys,
    const struct note_sig *g)
{
	size_t k;

	for (k = 0; k < nkeys; k++)
		if (keys[k].id == g->id && strlen(keys[k].name) == g->name_len &&
		    memcmp(keys[k].name, g->name, g->name_len) == 0)
			return k;
	return nkeys;
}

/* Check g, a line of key v, over text; *time gets a cosignature's. */
static enum note_verdict
sig_check(const struct note_verifier *v, const struct note_sig *g,
    const uint8_t *text, size_t text_len, uint64_t *time)
{
	enum note_verdict r = NOTE_BAD_SIGNATURE;
	uint8_t *raw, *m;
	size_t rawlen, mlen;

	*time = 0;
	raw = b64_canon(g->b64, g->b64_len, NOTE_COSIG_LEN, &rawlen);
	if (v->type == NOTE_ED25519) {
		if (raw != NULL && rawlen == 4 + NOTE_SIG_LEN)
			r = note_ed25519_verify(v->pub, raw + 4, text,
			    text_len);
	} else {
		r = NOTE_BAD_COSIGNATURE;
		if (raw != NULL && rawlen == NOTE_COSIG_LEN &&
		    get_be64(raw + 4) <= COSIG_TIME_MAX) {
			*time = get_be64(raw + 4);
			m = cosig_message(*time, text, text_len, &mlen);
			r = note_ed25519_verify(v->pub, raw + 12, m, mlen);
			if (r == NOTE_BAD_SIGNATURE)
				r = NOTE_BAD_COSIGNATURE;
			free(m);
		}
	}
	free(raw);
	return r;
}

enum note_verdict
note_verify(const struct note *n, const struct note_verifier *keys,
    size_t nkeys, struct note_keyresult *res, struct tmon_err *err)
{
	struct note_keyresult r;
	enum note_verdict v;
	char e[96];
	size_t i, j, k;
	bool known = false;
	uint64_t t;

	if (res != NULL)
		memset(res, 0, nkeys * sizeof(*res));
	for (i = 0; i < nkeys; i++) {
		if (!type_known(keys[i].type)) {
			tmon_err_set(err, TMON_E_CONFIG, "key %s+%08" PRIx32
			    ": type 0x%02x is not supported", keys[i].name,
			    keys[i].id, keys[i].type);
			return NOTE_UNCHECKED;
		}
		for (j = i + 1; j < nkeys; j++)
			if (keys[i].id == keys[j].id &&
			    strcmp(keys[i].name, keys[j].name) == 0) {
				tmon_err_set(err, TMON_E_CONFIG, "keys %zu and "
				    "%zu are both %s+%08" PRIx32 ": ambiguous",
				    i + 1, j + 1, keys[i].name, keys[i].id);
				return NOTE_UNCHECKED;
			}
	}
	for (i = 0; i < n->nsigs; i++) {
		if ((k = key_find(keys, nkeys, &n->sigs[i])) == nkeys)
			continue;
		known = true;
		v = sig_check(&keys[k], &n->sigs[i], n->text, n->text_len, &t);
		if (v == NOTE_UNCHECKED) {
			tmon_err_set(err, TMON_E_CRYPTO_LIB,
			    "libsodium could not initialise");
			return v;
		}
		if (v != NOTE_PASS) {
			tmon_err_set(err, TMON_E_PARSE, "signature line %zu by "
			    "key %s+%08" PRIx32 " does not verify%s", i + 1,
			    esc(e, sizeof(e), keys[k].name,
			    strlen(keys[k].name)), keys[k].id,
			    keys[k].type == NOTE_COSIGNATURE_V1 ?
			    " (cosignature/v1)" : "");
			if (res != NULL) {
				res[k].present = true;
				res[k].line = i;
			}
			return v;
		}
		r.present = true;
		r.verified = true;
		r.line = i;
		r.time = t;
		if (res != NULL)
			res[k] = r;
	}
	if (!known) {
		tmon_err_set(err, TMON_E_PARSE, "no signature line by a known "
		    "key (%zu lines, %zu keys)", n->nsigs, nkeys);
		return NOTE_NO_SIGNATURE;
	}
	return NOTE_PASS;
}

/*
 * Checkpoints.
 */

/* Extension lines: each non-empty and ending in "\n". */
static bool
ext_valid(const char *ext, size_t n)
{
	size_t i;

	if (n == 0)
		return true;
	if (ext[0] == '\n' || ext[n - 1] != '\n')
		return false;
	for (i = 1; i < n; i++)
		if (ext[i] == '\n' && ext[i - 1] == '\n')
			return false;
	return true;
}

enum tmon_rc
note_checkpoint_format(const char *origin, uint64_t size,
    const uint8_t root[TLOG_HASH_LEN], const char *ext, size_t ext_len,
    struct buf *out, struct tmon_err *err)
{
	char b64[B64_ENCODED_LEN(TLOG_HASH_LEN) + 1], mid[80];
	size_t olen, off;
	int k;

	olen = strnlen(origin, MAX_NOTE_LEN + 1);
	if (olen == 0 || olen > MAX_NOTE_LEN || memchr(origin, '\n',
	    olen) != NULL || !chars_valid((const uint8_t *)origin, olen, &off))
		return tmon_err_set(err, TMON_E_PARSE, "checkpoint origin: "
		    "empty, too long, or not one line of UTF-8 without "
		    "control characters");
	if (size >= TLOG_MAX_SIZE)
		return tmon_err_set(err, TMON_E_PARSE, "checkpoint size %"
		    PRIu64 " is not below 2^63", size);
	if (ext == NULL)
		ext_len = 0;
	if (!ext_valid(ext, ext_len) || !chars_valid((const uint8_t *)ext,
	    ext_len, &off))
		return tmon_err_set(err, TMON_E_PARSE, "checkpoint extension "
		    "lines: each must be non-empty UTF-8 ending in a newline");
	k = snprintf(mid, sizeof(mid), "\n%" PRIu64 "\n%s\n", size,
	    b64_encode(root, TLOG_HASH_LEN, b64));
	TMON_ASSERT(k > 0 && (size_t)k < sizeof(mid));
	if (olen + (size_t)k > MAX_NOTE_LEN ||
	    ext_len > MAX_NOTE_LEN - olen - (size_t)k)
		return tmon_err_set(err, TMON_E_LIMIT, "checkpoint: longer "
		    "than %u bytes", MAX_NOTE_LEN);
	if (!buf_append(out, origin, olen) || !buf_append(out, mid,
	    (size_t)k) || (ext_len > 0 && !buf_append(out, ext, ext_len)))
		return full(err, "checkpoint");
	return TMON_OK;
}

enum tmon_rc
note_checkpoint_parse(const uint8_t *text, size_t len,
    struct note_checkpoint *out, struct tmon_err *err)
{
	const char *line;
	size_t pos = 0, n, off;

	memset(out, 0, sizeof(*out));
	if (len > MAX_NOTE_LEN)
		return tmon_err_set(err, TMON_E_LIMIT, "checkpoint: longer "
		    "than %u bytes", MAX_NOTE_LEN);
	if (!text_valid(text, len, &off))
		return tmon_err_set_at(err, TMON_E_PARSE, off, "checkpoint: "
		    "%s at byte %zu", off == len ? "no final newline" :
		    "not UTF-8, or a control character", off);
	if (!next_line(text, len, &pos, &line, &n) || n == 0)
		return tmon_err_set_at(err, TMON_E_PARSE, 0, "checkpoint: "
		    "empty origin line");
	out->origin = line;
	out->origin_len = n;
	off = pos;
	if (!next_line(text, len, &pos, &line, &n) ||
	    !dec_parse(line, n, TLOG_MAX_SIZE - 1, &out->size)) {
		memset(out, 0, sizeof(*out));
		return tmon_err_set_at(err, TMON_E_PARSE, off, "checkpoint: "
		    "line 2 is not a tree size (a decimal below 2^63 without "
		    "leading zeroes)");
	}
	off = pos;
	if (!next_line(text, len, &pos, &line, &n) ||
	    !b64_exact(line, n, out->root, TLOG_HASH_LEN)) {
		memset(out, 0, sizeof(*out));
		return tmon_err_set_at(err, TMON_E_PARSE, off, "checkpoint: "
		    "line 3 is not a root hash (canonical base64 of 32 "
		    "bytes)");
	}
	out->ext = (const char *)text + pos;
	out->ext_len = len - pos;
	if (!ext_valid(out->ext, out->ext_len)) {
		memset(out, 0, sizeof(*out));
		return tmon_err_set_at(err, TMON_E_PARSE, pos, "checkpoint: "
		    "an empty extension line");
	}
	if (out->ext_len == 0)
		out->ext = NULL;
	return TMON_OK;
}

enum note_verdict
note_checkpoint_open(const uint8_t *msg, size_t len,
    const struct note_policy *pol, struct note_checkpoint *cp,
    struct note_keyresult *wres, struct tmon_err *err)
{
	struct note *n = NULL;
	struct note_verifier *keys = NULL;
	struct note_keyresult *res = NULL;
	struct note_checkpoint c;
	struct tmon_err verr;
	enum note_verdict v;
	const char *origin;
	char e1[96], e2[96];
	size_t i, nw, got = 0;

	if (cp != NULL)
		memset(cp, 0, sizeof(*cp));
	nw = pol->witnesses == NULL ? 0 : pol->nwitnesses;
	if (wres != NULL)
		memset(wres, 0, nw * sizeof(*wres));
	if (pol->log == NULL || pol->log->type != NOTE_ED25519) {
		tmon_err_set(err, TMON_E_CONFIG, "the log key is not an "
		    "Ed25519 note key (type 0x01)");
		return NOTE_UNCHECKED;
	}
	n = xmalloc(sizeof(*n));
	if (note_parse(msg, len, n, err) != TMON_OK ||
	    note_checkpoint_parse(n->text, n->text_len, &c, err) != TMON_OK) {
		v = NOTE_MALFORMED;
		goto out;
	}
	if (cp != NULL)
		*cp = c;
	origin = pol->origin != NULL ? pol->origin : pol->log->name;
	if (strlen(origin) != c.origin_len || memcmp(origin, c.origin,
	    c.origin_len) != 0) {
		tmon_err_set(err, TMON_E_PARSE, "checkpoint origin \"%s\" is "
		    "not the log's \"%s\"", esc(e1, sizeof(e1), c.origin,
		    c.origin_len), esc(e2, sizeof(e2), origin,
		    strlen(origin)));
		v = NOTE_WRONG_ORIGIN;
		goto out;
	}
	keys = xcalloc(nw + 1, sizeof(*keys));
	res = xcalloc(nw + 1, sizeof(*res));
	keys[0] = *pol->log;
	for (i = 0; i < nw; i++)
		keys[i + 1] = pol->witnesses[i];
	tmon_err_clear(&verr);
	v = note_verify(n, keys, nw + 1, res, &verr);
	if (wres != NULL)
		for (i = 0; i < nw; i++)
			wres[i] = res[i + 1];
	if (v == NOTE_NO_SIGNATURE || (v == NOTE_PASS && !res[0].present)) {
		tmon_err_set(err, TMON_E_PARSE, "no signature line by the "
		    "log key %s+%08" PRIx32, esc(e1, sizeof(e1),
		    pol->log->name, strlen(pol->log->name)), pol->log->id);
		v = NOTE_NO_SIGNATURE;
		goto out;
	}
	if (v != NOTE_PASS) {
		tmon_err_set(err, verr.code, "%s", verr.msg);
		goto out;
	}
	for (i = 0; i < nw; i++)
		if (res[i + 1].verified)
			got++;
	if (got < pol->quorum) {
		tmon_err_set(err, TMON_E_PARSE, "%zu of %zu witness "
		    "cosignatures verify, %zu are required", got, nw,
		    pol->quorum);
		v = NOTE_NO_QUORUM;
	}
out:
	free(keys);
	free(res);
	free(n);
	return v;
}

enum tmon_rc
note_cosign(const struct note_signer *s, const uint8_t *cp, size_t len,
    uint64_t time, struct buf *out, struct tmon_err *err)
{
	struct note_checkpoint c;
	uint8_t body[8 + NOTE_SIG_LEN], *m;
	size_t mlen;
	enum tmon_rc rc;

	if (s->type != NOTE_COSIGNATURE_V1)
		return tmon_err_set(err, TMON_E_UNSUPPORTED, "note_cosign: key "
		    "type 0x%02x is not a cosigner key (0x04)", s->type);
	if (time > COSIG_TIME_MAX)
		return tmon_err_set(err, TMON_E_PARSE, "cosignature time %"
		    PRIu64 " is above 2^63 - 1", time);
	if ((rc = note_checkpoint_parse(cp, len, &c, err)) != TMON_OK)
		return rc;
	m = cosig_message(time, cp, len, &mlen);
	rc = note_ed25519_sign(s, m, mlen, body + 8, err);
	free(m);
	if (rc != TMON_OK)
		return rc;
	put_be64(body, time);
	return put_sigline(out, s->name, s->id, body, sizeof(body), err);
}

/*
 * tlog proofs.
 */

/* Check that note is a signed note whose text is a checkpoint; *size
 * gets the checkpoint's size. */
static enum tmon_rc
checkpoint_note(const uint8_t *note, size_t len, uint64_t *size,
    struct tmon_err *err)
{
	struct note_checkpoint c;
	struct note *n;
	enum tmon_rc rc;

	n = xmalloc(sizeof(*n));
	if ((rc = note_parse(note, len, n, err)) == TMON_OK &&
	    (rc = note_checkpoint_parse(n->text, n->text_len, &c, err)) ==
	    TMON_OK)
		*size = c.size;
	free(n);
	return rc;
}

/* Append n hashes in base64, one a line. */
static bool
put_hashes(struct buf *out, const uint8_t h[][TLOG_HASH_LEN], size_t n)
{
	char b64[B64_ENCODED_LEN(TLOG_HASH_LEN) + 1];
	size_t i;

	for (i = 0; i < n; i++)
		if (!buf_append_str(out, b64_encode(h[i], TLOG_HASH_LEN,
		    b64)) || !buf_append(out, "\n", 1))
			return false;
	return true;
}

enum tmon_rc
note_proof_format(const uint8_t *extra, size_t extra_len, uint64_t index,
    const uint8_t proof[][TLOG_HASH_LEN], size_t n, const uint8_t *note,
    size_t note_len, struct buf *out, struct tmon_err *err)
{
	uint64_t size;
	char *b64;
	enum tmon_rc rc;
	bool ok;

	if (index >= TLOG_MAX_SIZE)
		return tmon_err_set(err, TMON_E_PARSE, "tlog proof: index %"
		    PRIu64 " is not below 2^63", index);
	if (n > TLOG_MAX_PROOF)
		return tmon_err_set(err, TMON_E_LIMIT, "tlog proof: %zu hashes "
		    "(at most %d)", n, TLOG_MAX_PROOF);
	if (extra == NULL)
		extra_len = 0;
	if (extra_len > MAX_TLOG_PROOF_EXTRA)
		return tmon_err_set(err, TMON_E_LIMIT, "tlog proof: extra data "
		    "longer than %u bytes", MAX_TLOG_PROOF_EXTRA);
	if ((rc = checkpoint_note(note, note_len, &size, err)) != TMON_OK)
		return rc;
	if (index >= size)
		return tmon_err_set(err, TMON_E_PARSE, "tlog proof: index %"
		    PRIu64 " is not in the checkpoint's tree of size %" PRIu64,
		    index, size);
	if (!buf_append_str(out, PROOF_HEADER "\n"))
		return full(err, "tlog proof");
	if (extra_len > 0) {
		b64 = xmalloc(B64_ENCODED_LEN(extra_len) + 1);
		ok = buf_printf(out, "extra %s\n", b64_encode(extra,
		    extra_len, b64));
		free(b64);
		if (!ok)
			return full(err, "tlog proof");
	}
	if (!buf_printf(out, "index %" PRIu64 "\n", index) ||
	    !put_hashes(out, proof, n) || !buf_append(out, "\n", 1) ||
	    !buf_append(out, note, note_len))
		return full(err, "tlog proof");
	return TMON_OK;
}

enum tmon_rc
note_proof_parse(const uint8_t *text, size_t len, struct note_proof *out,
    struct tmon_err *err)
{
	const char *line;
	uint8_t *x;
	size_t pos = 0, at, n, xlen;
	uint64_t size;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	if (len > MAX_TLOG_PROOF_LEN)
		return tmon_err_set(err, TMON_E_LIMIT, "tlog proof: longer "
		    "than %u bytes", MAX_TLOG_PROOF_LEN);
	if (!next_line(text, len, &pos, &line, &n) || n !=
	    strlen(PROOF_HEADER) || memcmp(line, PROOF_HEADER, n) != 0)
		return tmon_err_set_at(err, TMON_E_PARSE, 0, "tlog proof: the "
		    "first line is not " PROOF_HEADER);
	at = pos;
	if (!next_line(text, len, &pos, &line, &n))
		goto short_proof;
	if (has_prefix(line, n, "extra ")) {
		x = b64_canon(line + 6, n - 6, MAX_TLOG_PROOF_EXTRA, &xlen);
		if (x == NULL || xlen == 0) {
			free(x);
			memset(out, 0, sizeof(*out));
			return tmon_err_set_at(err, TMON_E_PARSE, at, "tlog "
			    "proof: the extra line is not canonical base64 of "
			    "1 to %u bytes", MAX_TLOG_PROOF_EXTRA);
		}
		free(x);
		out->extra = line + 6;
		out->extra_len = n - 6;
		at = pos;
		if (!next_line(text, len, &pos, &line, &n))
			goto short_proof;
	}
	if (!has_prefix(line, n, "index ") || !dec_parse(line + 6, n - 6,
	    TLOG_MAX_SIZE - 1, &out->index)) {
		memset(out, 0, sizeof(*out));
		return tmon_err_set_at(err, TMON_E_PARSE, at, "tlog proof: "
		    "expected \"index N\" (a decimal below 2^63 without "
		    "leading zeroes) at byte %zu", at);
	}
	for (;;) {
		at = pos;
		if (!next_line(text, len, &pos, &line, &n))
			goto short_proof;
		if (n == 0)
			break;
		if (out->nhashes == TLOG_MAX_PROOF) {
			memset(out, 0, sizeof(*out));
			return tmon_err_set_at(err, TMON_E_LIMIT, at, "tlog "
			    "proof: more than %d hashes", TLOG_MAX_PROOF);
		}
		if (!b64_exact(line, n, out->hashes[out->nhashes],
		    TLOG_HASH_LEN)) {
			memset(out, 0, sizeof(*out));
			return tmon_err_set_at(err, TMON_E_PARSE, at, "tlog "
			    "proof: line at byte %zu is not a hash (canonical "
			    "base64 of 32 bytes)", at);
		}
		out->nhashes++;
	}
	if ((rc = checkpoint_note(text + pos, len - pos, &size, err)) !=
	    TMON_OK) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->note = text + pos;
	out->note_len = len - pos;
	return TMON_OK;

short_proof:
	memset(out, 0, sizeof(*out));
	return tmon_err_set_at(err, TMON_E_PARSE, at, "tlog proof: ends at "
	    "byte %zu before the empty line and the checkpoint", at);
}

enum note_verdict
note_proof_verify(const uint8_t *proof, size_t len, const uint8_t *entry,
    size_t entry_len, const struct note_policy *pol, struct note_proof *out,
    struct note_checkpoint *cp, struct note_keyresult *wres,
    struct tmon_err *err)
{
	struct note_checkpoint c;
	struct note_proof *p;
	enum note_verdict v;
	uint8_t leaf[TLOG_HASH_LEN];

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (cp != NULL)
		memset(cp, 0, sizeof(*cp));
	p = xmalloc(sizeof(*p));
	if (note_proof_parse(proof, len, p, err) != TMON_OK) {
		free(p);
		if (wres != NULL && pol->witnesses != NULL)
			memset(wres, 0, pol->nwitnesses * sizeof(*wres));
		return NOTE_MALFORMED;
	}
	tlog_leaf_hash(entry, entry_len, leaf);
	v = note_checkpoint_open(p->note, p->note_len, pol, &c, wres, err);
	if (v != NOTE_PASS)
		goto out;
	if (p->index >= c.size) {
		tmon_err_set(err, TMON_E_PARSE, "tlog proof: index %" PRIu64
		    " is not in the checkpoint's tree of size %" PRIu64,
		    p->index, c.size);
		v = NOTE_NOT_IN_TREE;
		goto out;
	}
	if (!tlog_verify_inclusion(p->index, c.size, leaf,
	    (const uint8_t (*)[32])p->hashes, p->nhashes, c.root)) {
		tmon_err_set(err, TMON_E_PARSE, "tlog proof: the inclusion "
		    "proof (%zu hashes) of the entry at index %" PRIu64 " does "
		    "not give the root of the tree of size %" PRIu64,
		    p->nhashes, p->index, c.size);
		v = NOTE_BAD_INCLUSION;
	}
out:
	if (cp != NULL)
		*cp = c;
	if (out != NULL)
		*out = *p;
	free(p);
	return v;
}

/*
 * tlog-witness.
 */

enum tmon_rc
note_witness_request(uint64_t old, const uint8_t proof[][TLOG_HASH_LEN],
    size_t n, const uint8_t *note, size_t note_len, struct buf *out,
    struct tmon_err *err)
{
	uint64_t size;
	enum tmon_rc rc;

	if (n > TLOG_MAX_PROOF - 1)
		return tmon_err_set(err, TMON_E_LIMIT, "add-checkpoint: %zu "
		    "consistency proof lines (at most %d)", n,
		    TLOG_MAX_PROOF - 1);
	if ((rc = checkpoint_note(note, note_len, &size, err)) != TMON_OK)
		return rc;
	if (old > size)
		return tmon_err_set(err, TMON_E_PARSE, "add-checkpoint: old "
		    "size %" PRIu64 " is above the checkpoint's %" PRIu64, old,
		    size);
	if ((old == 0 || old == size) && n > 0)
		return tmon_err_set(err, TMON_E_PARSE, "add-checkpoint: a "
		    "consistency proof from size %" PRIu64 " to %" PRIu64
		    " is empty", old, size);
	if (!buf_printf(out, "old %" PRIu64 "\n", old) ||
	    !put_hashes(out, proof, n) || !buf_append(out, "\n", 1) ||
	    !buf_append(out, note, note_len))
		return full(err, "add-checkpoint request");
	return TMON_OK;
}

enum tmon_rc
note_witness_response_parse(const uint8_t *body, size_t len,
    struct note_witness_response *out, struct tmon_err *err)
{
	size_t off;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	if (len > MAX_WITNESS_RESPONSE)
		return tmon_err_set(err, TMON_E_LIMIT, "witness answer: longer "
		    "than %u bytes", MAX_WITNESS_RESPONSE);
	if (!text_valid(body, len, &off))
		return tmon_err_set_at(err, TMON_E_PARSE, off, "witness "
		    "answer: %s at byte %zu", len == 0 ? "empty" : off == len ?
		    "no final newline" : "not UTF-8, or a control character",
		    off);
	rc = parse_siglines(body, len, 0, out->sigs, MAX_WITNESS_SIGS,
	    &out->nsigs, err);
	if (rc != TMON_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

enum note_verdict
note_witness_cosignature(const struct note_verifier *w, const uint8_t *cp,
    size_t cp_len, const uint8_t *body, size_t len, struct note_sig *line,
    uint64_t *time, struct tmon_err *err)
{
	struct note_witness_response *r;
	struct note_keyresult res;
	struct note *n;
	enum note_verdict v;
	size_t off;

	memset(line, 0, sizeof(*line));
	if (time != NULL)
		*time = 0;
	if (!text_valid(cp, cp_len, &off) || cp_len > MAX_NOTE_LEN) {
		tmon_err_set(err, TMON_E_INTERNAL, "the checkpoint submitted "
		    "is not a note text");
		return NOTE_UNCHECKED;
	}
	r = xmalloc(sizeof(*r));
	if (note_witness_response_parse(body, len, r, err) != TMON_OK) {
		free(r);
		return NOTE_MALFORMED;
	}
	n = xcalloc(1, sizeof(*n));
	n->text = cp;
	n->text_len = cp_len;
	n->nsigs = r->nsigs;
	memcpy(n->sigs, r->sigs, r->nsigs * sizeof(r->sigs[0]));
	v = note_verify(n, w, 1, &res, err);
	if (v == NOTE_PASS) {
		*line = n->sigs[res.line];
		if (time != NULL)
			*time = res.time;
	}
	free(n);
	free(r);
	return v;
}

enum tmon_rc
note_witness_conflict_parse(const uint8_t *body, size_t len, uint64_t *size,
    struct tmon_err *err)
{
	if (len < 2 || body[len - 1] != '\n' ||
	    !dec_parse((const char *)body, len - 1, UINT64_MAX, size))
		return tmon_err_set(err, TMON_E_PARSE, "witness 409 answer: "
		    "not a tree size (a decimal without leading zeroes and a "
		    "newline)");
	return TMON_OK;
}

/*
 * The key file.
 */

static enum tmon_rc
keyfile_load(const char *path, const char *name, struct note_signer *out,
    struct tmon_err *err)
{
	struct stat sb;
	char text[NOTE_SKEY_MAX + 1], e[96];
	size_t n = 0;
	ssize_t r;
	enum tmon_rc rc = TMON_E_CONFIG;
	struct tmon_err perr;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd == -1 && errno == ELOOP)
		return tmon_err_set(err, TMON_E_CONFIG, "key file %s: a "
		    "symbolic link; name the key file itself", path);
	if (fd == -1)
		return tmon_err_set(err, TMON_E_IO, "key file %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &sb) == -1) {
		rc = tmon_err_set(err, TMON_E_IO, "key file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		tmon_err_set(err, TMON_E_CONFIG, "key file %s: not a regular "
		    "file", path);
		goto out;
	}
	if (sb.st_uid != geteuid()) {
		tmon_err_set(err, TMON_E_CONFIG, "key file %s: owned by uid "
		    "%lu, not by this user (uid %lu)", path,
		    (unsigned long)sb.st_uid, (unsigned long)geteuid());
		goto out;
	}
	if ((sb.st_mode & 077) != 0) {
		tmon_err_set(err, TMON_E_CONFIG, "key file %s: mode %04o lets "
		    "group or others at the log's signing key; chmod 600 %s",
		    path, (unsigned)(sb.st_mode & 07777), path);
		goto out;
	}
	if (sb.st_size < 0 || (uint64_t)sb.st_size >= sizeof(text)) {
		tmon_err_set(err, TMON_E_CONFIG, "key file %s: %jd bytes, "
		    "longer than a signer key line", path,
		    (intmax_t)sb.st_size);
		goto out;
	}
	while (n < sizeof(text)) {
		r = read(fd, text + n, sizeof(text) - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = tmon_err_set(err, TMON_E_IO, "key file %s: %s",
			    path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n == sizeof(text)) {
		tmon_err_set(err, TMON_E_CONFIG, "key file %s: longer than a "
		    "signer key line", path);
		goto out;
	}
	if (n > 0 && text[n - 1] == '\n')
		n--;
	tmon_err_clear(&perr);
	if (note_signer_parse(text, n, out, &perr) != TMON_OK) {
		tmon_err_set(err, TMON_E_CONFIG, "key file %s: not a signer key "
		    "(PRIVATE+KEY+<name>+<key id>+<key> and a newline): %s",
		    path, perr.msg);
		goto out;
	}
	if (out->type != NOTE_ED25519) {
		tmon_err_set(err, TMON_E_CONFIG, "key file %s: a cosigner key "
		    "(type 0x04), not a log key (0x01)", path);
		goto out;
	}
	if (name != NULL && strcmp(out->name, name) != 0) {
		tmon_err_set(err, TMON_E_CONFIG, "key file %s: the key is named "
		    "\"%s\", not the log origin \"%s\"", path,
		    esc(e, sizeof(e), out->name, strlen(out->name)), name);
		goto out;
	}
	rc = TMON_OK;
out:
	if (rc != TMON_OK)
		note_signer_clear(out);
	sodium_memzero(text, sizeof(text));
	close(fd);
	return rc;
}

/* Write all n bytes of p to fd. */
static bool
write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static enum tmon_rc
keyfile_create(const char *path, const char *name, struct note_signer *out,
    struct tmon_err *err)
{
	char text[NOTE_SKEY_MAX + 1], *tmp = NULL, *dir = NULL, *slash;
	size_t n, plen = strlen(path);
	enum tmon_rc rc;
	int fd = -1, dfd;

	if ((rc = note_signer_generate(name, NOTE_ED25519, out, err)) !=
	    TMON_OK)
		return rc;
	rc = TMON_E_IO;
	if (!note_signer_format(out, text, sizeof(text) - 1)) {
		rc = tmon_err_set(err, TMON_E_INTERNAL, "signer key text does "
		    "not fit");
		goto out;
	}
	n = strlen(text);
	text[n++] = '\n';
	tmp = xmalloc(plen + sizeof(".tmp.XXXXXX"));
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	/* O_RDWR | O_CREAT | O_EXCL, mode 0600 */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		tmon_err_set(err, TMON_E_IO, "key file %s: cannot create a "
		    "temporary file next to it: %s", path, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, 0600) == -1 || !write_all(fd, text, n) ||
	    fsync(fd) == -1) {
		tmon_err_set(err, TMON_E_IO, "key file %s: cannot write %s: %s",
		    path, tmp, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		tmon_err_set(err, TMON_E_IO, "key file %s: cannot write %s: %s",
		    path, tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (link(tmp, path) == -1) {
		if (errno == EEXIST) {
			/* created meanwhile by another process: use it */
			unlink(tmp);
			free(tmp);
			tmp = NULL;
			note_signer_clear(out);
			sodium_memzero(text, sizeof(text));
			return keyfile_load(path, name, out, err);
		}
		tmon_err_set(err, TMON_E_IO, "key file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	unlink(tmp);
	free(tmp);
	tmp = NULL;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		tmon_err_set(err, TMON_E_IO, "key file %s: cannot sync its "
		    "directory: %s", path, strerror(errno));
		if (dfd != -1)
			close(dfd);
		goto out;
	}
	close(dfd);
	rc = TMON_OK;
out:
	if (fd != -1)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	sodium_memzero(text, sizeof(text));
	if (rc != TMON_OK)
		note_signer_clear(out);
	return rc;
}

enum tmon_rc
note_keyfile_load_or_create(const char *path, const char *name, bool create,
    struct note_signer *out, struct tmon_err *err)
{
	struct stat sb;
	char e[96];

	memset(out, 0, sizeof(*out));
	if (name == NULL && create)
		return tmon_err_set(err, TMON_E_CONFIG, "key file %s: a new "
		    "key needs a name", path);
	if (name != NULL &&
	    !note_name_valid(name, strnlen(name, MAX_NOTE_NAME + 1)))
		return tmon_err_set(err, TMON_E_CONFIG, "log origin \"%s\" is "
		    "not a key name (1 to %u bytes of UTF-8 without spaces, "
		    "'+' or control characters)", esc(e, sizeof(e), name,
		    strnlen(name, MAX_NOTE_NAME + 1)), MAX_NOTE_NAME);
	if (lstat(path, &sb) == -1) {
		if (errno != ENOENT)
			return tmon_err_set(err, TMON_E_IO, "key file %s: %s",
			    path, strerror(errno));
		if (!create)
			return tmon_err_set(err, TMON_E_NOTFOUND, "key file %s: "
			    "no such file", path);
		return keyfile_create(path, name, out, err);
	}
	return keyfile_load(path, name, out, err);
}
