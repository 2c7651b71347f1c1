/*
 * x509.c: PEM chains, trust anchors, chain verification, CRLs (see
 * x509.h; RFC 5280, RFC 7468).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "encode.h"
#include "log.h"
#include "util.h"
#include "x509.h"
#include "xmalloc.h"

/* OpenSSL errors remembered for one drain (the rest are counted). */
#define DRAIN_KEEP	16

bool
x509_drain_errors(const char *what)
{
	unsigned long codes[DRAIN_KEEP], e;
	char buf[256];
	size_t n = 0, more = 0, i;
	bool fatal = false;

	while ((e = ERR_get_error()) != 0) {
		if (ERR_FATAL_ERROR(e))
			fatal = true;
		if (n < DRAIN_KEEP)
			codes[n++] = e;
		else
			more++;
	}
	if (n == 0)
		return false;
	if (fatal)
		log_warnx("%s: OpenSSL failed", what);
	if (!fatal && log_verbosity() < LOG_LVL_DEBUG)
		return false;
	for (i = 0; i < n; i++) {
		ERR_error_string_n(codes[i], buf, sizeof(buf));
		if (fatal)
			log_warnx("%s: openssl: %s", what, buf);
		else
			log_debug("%s: openssl: %s", what, buf);
	}
	if (more > 0 && fatal)
		log_warnx("%s: openssl: %zu more errors", what, more);
	return fatal;
}

bool
x509_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	/* ASN1_TIME_to_tm(NULL) would be the current time */
	if (t == NULL)
		return false;
	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(t, &tm) != 1) {
		(void)x509_drain_errors("x509: time");
		return false;
	}
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31)
		return false;
	*out = days_from_civil((int64_t)tm.tm_year + 1900,
	    (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) * 86400 +
	    (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
	return true;
}

void
x509_name_cn(const X509_NAME *name, char *out, size_t outsz)
{
	const X509_NAME_ENTRY *ne;
	const ASN1_STRING *s;
	int i, len;

	out[0] = '\0';
	if (name == NULL ||
	    (i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0)
		return;
	if ((ne = X509_NAME_get_entry(name, i)) == NULL ||
	    (s = X509_NAME_ENTRY_get_data(ne)) == NULL)
		return;
	len = ASN1_STRING_length(s);
	if (len < 0 || (size_t)len >= outsz)
		return;
	memcpy(out, ASN1_STRING_get0_data(s), (size_t)len);
	out[len] = '\0';
	if (strlen(out) != (size_t)len)
		out[0] = '\0';
}

bool
x509_name_sha256(const X509_NAME *name, uint8_t out[32])
{
	const unsigned char *der;
	size_t len;

	if (name == NULL || X509_NAME_get0_der(name, &der, &len) != 1) {
		(void)x509_drain_errors("x509: name");
		return false;
	}
	sha256(der, len, out);
	return true;
}

bool
x509_serial(const X509 *x, uint8_t out[MAX_X509_SERIAL_LEN], size_t *outlen)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	int n;

	if (sn == NULL || ASN1_STRING_type(sn) != V_ASN1_INTEGER)
		return false;
	n = ASN1_STRING_length(sn);
	if (n <= 0 || (size_t)n > MAX_X509_SERIAL_LEN)
		return false;
	memcpy(out, ASN1_STRING_get0_data(sn), (size_t)n);
	*outlen = (size_t)n;
	return true;
}

/* ---- DER certificates ---- */

/*
 * Decode exactly one DER certificate from the len bytes at der.  Returns
 * VERDICT_PASS with *out set, VERDICT_FAIL (not one certificate) or
 * VERDICT_ERROR (library failure).
 */
static enum verdict
der_cert(const uint8_t *der, size_t len, X509 **out)
{
	const unsigned char *p = der;
	X509 *x;

	*out = NULL;
	if (der == NULL || len == 0 || len > LONG_MAX)
		return VERDICT_FAIL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL || p != der + len) {
		X509_free(x);
		return x509_drain_errors("x509: certificate") ? VERDICT_ERROR :
		    VERDICT_FAIL;
	}
	*out = x;
	return VERDICT_PASS;
}

/* ---- PEM text ---- */

struct span {
	size_t	start, end;		/* [start, end) of the text */
};

static bool
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* True if the n bytes at p start with the NUL-terminated s. */
static bool
starts(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n >= k && memcmp(p, s, k) == 0;
}

/*
 * The "-----BEGIN <label>-----" .. "-----END <label>-----" blocks of the
 * len bytes at p (NUL-free), at most max + 1 of them, into blk; *n is
 * their number.  Only whitespace may lie outside the blocks.
 */
static enum tmon_rc
pem_blocks(const char *what, const uint8_t *p, size_t len, const char *label,
    struct span *blk, size_t max, size_t *n, struct tmon_err *err)
{
	char begin[64], end[64];
	const uint8_t *e;
	size_t i = 0;

	snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	snprintf(end, sizeof(end), "-----END %s-----", label);
	*n = 0;
	for (;;) {
		while (i < len && is_ws(p[i]))
			i++;
		if (i == len)
			return TMON_OK;
		if (!starts(p + i, len - i, "-----BEGIN "))
			return tmon_err_set(err, TMON_E_PARSE, "%s: text outside "
			    "PEM blocks at offset %zu", what, i);
		if (!starts(p + i, len - i, begin))
			return tmon_err_set(err, TMON_E_PARSE, "%s: PEM block %zu "
			    "is not a plain %s", what, *n + 1, label);
		e = memmem(p + i, len - i, end, strlen(end));
		if (e == NULL)
			return tmon_err_set(err, TMON_E_PARSE, "%s: certificate "
			    "%zu: malformed PEM block (no end line)", what,
			    *n + 1);
		if (*n == max)
			return tmon_err_set(err, TMON_E_PARSE, "%s: more than %zu "
			    "%s", what, max, strcmp(label, "CERTIFICATE") == 0 ?
			    "certificates" : "PEM blocks");
		blk[*n].start = i;
		i = (size_t)(e - p) + strlen(end);
		blk[*n].end = i;
		(*n)++;
	}
}

/*
 * Decode the PEM block [s->start, s->end) of p, whose label pem_blocks
 * checked, into *der / *der_len (OPENSSL_malloc'd).  idx is its 1-based
 * position for messages.
 */
static enum tmon_rc
pem_block_der(const char *what, const char *label, const uint8_t *p,
    const struct span *s, size_t idx, unsigned char **der, size_t *der_len,
    struct tmon_err *err)
{
	BIO *bio;
	char *name = NULL, *hdr = NULL;
	unsigned char *data = NULL;
	long len = 0;
	enum tmon_rc rc = TMON_E_PARSE;

	*der = NULL;
	/* s->end - s->start <= MAX_PEM_CHAIN_LEN or MAX_CRL_LEN: an int */
	if ((bio = BIO_new_mem_buf(p + s->start, (int)(s->end - s->start))) ==
	    NULL) {
		log_crypto_warnx("x509: BIO_new_mem_buf failed");
		return tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL failed "
		    "reading PEM", what);
	}
	if (PEM_read_bio(bio, &name, &hdr, &data, &len) != 1) {
		if (x509_drain_errors("x509: PEM"))
			rc = tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL "
			    "failed reading PEM", what);
		else
			tmon_err_set(err, TMON_E_PARSE, "%s: certificate %zu: "
			    "malformed PEM block", what, idx);
		goto out;
	}
	if (strcmp(name, label) != 0 || hdr[0] != '\0' || len <= 0) {
		tmon_err_set(err, TMON_E_PARSE, "%s: PEM block %zu is not a "
		    "plain %s", what, idx, label);
		goto out;
	}
	*der = data;
	*der_len = (size_t)len;
	data = NULL;
	rc = TMON_OK;
 out:
	OPENSSL_free(name);
	OPENSSL_free(hdr);
	OPENSSL_free(data);
	BIO_free(bio);
	return rc;
}

/*
 * The PEM text of the len bytes at p without its trailing NUL bytes in
 * *textlen; refuses a NUL anywhere else.
 */
static enum tmon_rc
pem_text(const char *what, const uint8_t *p, size_t len, size_t max_len,
    size_t *textlen, struct tmon_err *err)
{
	const uint8_t *nul;

	if (p == NULL)
		len = 0;
	if (len > max_len)
		return tmon_err_set(err, TMON_E_LIMIT, "%s: %zu bytes exceed %zu",
		    what, len, max_len);
	while (len > 0 && p[len - 1] == '\0')
		len--;
	if (len > 0 && (nul = memchr(p, '\0', len)) != NULL)
		return tmon_err_set(err, TMON_E_PARSE, "%s is not PEM text (NUL "
		    "byte at offset %zu)", what, (size_t)(nul - p));
	*textlen = len;
	return TMON_OK;
}

void
x509_chain_free(struct x509_chain *c)
{
	size_t i;

	for (i = 0; i < c->n && i < MAX_X509_CHAIN; i++) {
		X509_free(c->cert[i]);
		OPENSSL_free(c->der[i]);
	}
	memset(c, 0, sizeof(*c));
}

enum tmon_rc
x509_chain_add_der(struct x509_chain *c, const uint8_t *der, size_t len,
    struct tmon_err *err)
{
	unsigned char *copy;
	enum verdict v;
	X509 *x;

	if (c->n >= MAX_X509_CHAIN)
		return tmon_err_set(err, TMON_E_LIMIT, "more than %d "
		    "certificates", MAX_X509_CHAIN);
	if ((v = der_cert(der, len, &x)) == VERDICT_ERROR)
		return tmon_err_set(err, TMON_E_CRYPTO_LIB, "OpenSSL failed "
		    "decoding a certificate");
	if (v != VERDICT_PASS)
		return tmon_err_set(err, TMON_E_PARSE, "certificate %zu is "
		    "not valid DER", c->n + 1);
	if ((copy = OPENSSL_malloc(len)) == NULL) {
		X509_free(x);
		return tmon_err_set(err, TMON_E_CRYPTO_LIB, "out of memory");
	}
	memcpy(copy, der, len);
	c->cert[c->n] = x;
	c->der[c->n] = copy;
	c->der_len[c->n] = len;
	c->n++;
	return TMON_OK;
}

enum tmon_rc
x509_chain_parse(const char *what, const uint8_t *pem, size_t len,
    size_t min, size_t max, unsigned flags, struct x509_chain *out,
    struct tmon_err *err)
{
	struct span blk[MAX_X509_CHAIN];
	size_t i, n;
	enum tmon_rc rc;

	TMON_ASSERT(min >= 1 && min <= max && max <= MAX_X509_CHAIN);
	memset(out, 0, sizeof(*out));
	if ((rc = pem_text(what, pem, len, MAX_PEM_CHAIN_LEN, &len, err)) !=
	    TMON_OK ||
	    (rc = pem_blocks(what, pem, len, "CERTIFICATE", blk, max, &n,
	    err)) != TMON_OK)
		return rc;
	if (n == 0)
		return tmon_err_set(err, TMON_E_PARSE, "%s is empty", what);
	for (i = 0; i < n; i++) {
		if ((rc = pem_block_der(what, "CERTIFICATE", pem, &blk[i], i + 1,
		    &out->der[i], &out->der_len[i], err)) != TMON_OK)
			goto fail;
		out->n = i + 1;
		if (i + 1 == n && n >= min && (flags & TMON_X509_ROOT_DER) != 0)
			continue;	/* the served root: bytes only */
		switch (der_cert(out->der[i], out->der_len[i], &out->cert[i])) {
		case VERDICT_PASS:
			break;
		case VERDICT_ERROR:
			rc = tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL "
			    "failed decoding certificate %zu", what, i + 1);
			goto fail;
		default:
			rc = tmon_err_set(err, TMON_E_PARSE, "%s: certificate %zu "
			    "is not valid DER", what, i + 1);
			goto fail;
		}
	}
	if (n < min) {
		rc = tmon_err_set(err, TMON_E_PARSE, "%s: %zu certificate(s), "
		    "expected %zu", what, n, min);
		goto fail;
	}
	return TMON_OK;
 fail:
	x509_chain_free(out);
	return rc;
}

/* ---- anchors ---- */

enum tmon_rc
x509_anchor_init(struct x509_anchor *a, const uint8_t *der, size_t der_len,
    const char *name, struct tmon_err *err)
{
	memset(a, 0, sizeof(*a));
	switch (der_cert(der, der_len, &a->cert)) {
	case VERDICT_PASS:
		break;
	case VERDICT_ERROR:
		return tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL failed "
		    "decoding it", name);
	default:
		return tmon_err_set(err, TMON_E_PARSE, "%s: not exactly one DER "
		    "certificate", name);
	}
	if ((a->store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(a->store, a->cert) != 1) {
		log_crypto_warnx("x509: %s: cannot build a store", name);
		x509_anchor_release(a);
		return tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL failed "
		    "building its store", name);
	}
	a->der = der;
	a->der_len = der_len;
	a->name = name;
	sha256(der, der_len, a->sha256);
	return TMON_OK;
}

void
x509_anchor_release(struct x509_anchor *a)
{
	X509_STORE_free(a->store);
	X509_free(a->cert);
	memset(a, 0, sizeof(*a));
}

enum tmon_rc
x509_anchor_decode(const uint8_t *text, size_t len, uint8_t **der,
    size_t *der_len, struct tmon_err *err)
{
	struct x509_chain ch;
	X509 *x;
	enum tmon_rc rc;

	*der = NULL;
	*der_len = 0;
	if (len > MAX_PEM_CHAIN_LEN)
		return tmon_err_set(err, TMON_E_LIMIT, "certificate file: %zu "
		    "bytes exceed %u", len, MAX_PEM_CHAIN_LEN);
	if (len > 0 && text[0] == 0x30) {
		switch (der_cert(text, len, &x)) {
		case VERDICT_PASS:
			X509_free(x);
			*der = xmemdup(text, len);
			*der_len = len;
			return TMON_OK;
		case VERDICT_ERROR:
			return tmon_err_set(err, TMON_E_CRYPTO_LIB, "certificate "
			    "file: OpenSSL failed decoding it");
		default:
			return tmon_err_set(err, TMON_E_PARSE, "certificate "
			    "file: not exactly one DER certificate");
		}
	}
	if ((rc = x509_chain_parse("certificate file", text, len, 1, 1, 0,
	    &ch, err)) != TMON_OK)
		return rc;
	*der = xmemdup(ch.der[0], ch.der_len[0]);
	*der_len = ch.der_len[0];
	x509_chain_free(&ch);
	return TMON_OK;
}

/* ---- chain verification ---- */

enum verdict
x509_chain_verify(const struct x509_chain *c, size_t want,
    const struct x509_anchor *a, int64_t now, unsigned flags, char *why,
    size_t whysz)
{
	STACK_OF(X509) *untrusted = NULL, *built;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	unsigned long vflags = 0;
	enum verdict v = VERDICT_ERROR;
	char when[32];
	size_t i;
	int r, verr;

	TMON_ASSERT(want >= 1 && want <= MAX_X509_CHAIN);
	why[0] = '\0';
	if (a == NULL || a->store == NULL) {
		snprintf(why, whysz, "%s unavailable", a != NULL &&
		    a->name != NULL ? a->name : "trusted root");
		return VERDICT_ERROR;
	}
	if (c->n != want) {
		snprintf(why, whysz, "chain has %zu certificates, want %zu", c->n,
		    want);
		return VERDICT_FAIL;
	}
	if (c->der_len[want - 1] != a->der_len ||
	    CRYPTO_memcmp(c->der[want - 1], a->der, a->der_len) != 0) {
		snprintf(why, whysz, "chain's last certificate is not the pinned %s",
		    a->name);
		return VERDICT_FAIL;
	}
	if ((untrusted = sk_X509_new_null()) == NULL)
		goto liberr;
	for (i = 1; i + 1 < want; i++)
		if (sk_X509_push(untrusted, c->cert[i]) <= 0)
			goto liberr;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, a->store, c->cert[0], untrusted) != 1)
		goto liberr;
	param = X509_STORE_CTX_get0_param(ctx);
	if ((flags & TMON_X509_NO_STRICT) == 0)
		vflags |= X509_V_FLAG_X509_STRICT;
	if ((flags & TMON_X509_ANCHOR_CA) != 0)
		vflags |= X509_V_FLAG_PARTIAL_CHAIN;
	if ((flags & TMON_X509_NO_TIME) != 0)
		vflags |= X509_V_FLAG_NO_CHECK_TIME;
	else
		X509_VERIFY_PARAM_set_time(param, (time_t)now);
	/* want - 2 intermediates at most; a one-certificate chain: 0 */
	X509_VERIFY_PARAM_set_depth(param, want >= 2 ? (int)want - 2 : 0);
	if (X509_VERIFY_PARAM_set_flags(param, vflags) != 1)
		goto liberr;
	r = X509_verify_cert(ctx);
	if (r < 0)
		goto liberr;
	if (r == 0) {
		verr = X509_STORE_CTX_get_error(ctx);
		if (verr == X509_V_ERR_OUT_OF_MEM ||
		    x509_drain_errors("x509: chain"))
			goto liberr;
		if ((flags & TMON_X509_NO_TIME) != 0)
			snprintf(why, whysz, "chain does not verify: %s "
			    "(certificate %d)", X509_verify_cert_error_string(verr),
			    X509_STORE_CTX_get_error_depth(ctx));
		else
			snprintf(why, whysz, "chain does not verify at %s: "
			    "%s (certificate %d)", fmt_time(now, when, sizeof(when)),
			    X509_verify_cert_error_string(verr),
			    X509_STORE_CTX_get_error_depth(ctx));
		v = VERDICT_FAIL;
		goto out;
	}
	/* The path must be exactly the served certificates, in order. */
	built = X509_STORE_CTX_get0_chain(ctx);
	if (built == NULL || (size_t)sk_X509_num(built) != want)
		goto path;
	for (i = 0; i + 1 < want; i++)
		if (X509_cmp(sk_X509_value(built, (int)i), c->cert[i]) != 0)
			goto path;
	if (X509_cmp(sk_X509_value(built, (int)want - 1), a->cert) != 0)
		goto path;
	v = VERDICT_PASS;
	goto out;
 path:
	snprintf(why, whysz, "chain's verified path is not the served "
	    "order");
	v = VERDICT_FAIL;
	goto out;
 liberr:
	log_crypto_warnx("x509: OpenSSL failed verifying a chain to the %s",
	    a->name);
	snprintf(why, whysz, "OpenSSL failed verifying the chain");
	v = VERDICT_ERROR;
 out:
	(void)x509_drain_errors("x509: chain");
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);	/* the certificates belong to c */
	return v;
}

enum tmon_rc
x509_ext_value(const X509 *x, const uint8_t *oid, size_t oid_len,
    const uint8_t **val, size_t *len)
{
	X509_EXTENSION *ext, *found = NULL;
	const ASN1_OBJECT *obj;
	const ASN1_OCTET_STRING *os;
	int i, n;

	*val = NULL;
	*len = 0;
	n = X509_get_ext_count(x);
	for (i = 0; i < n; i++) {
		if ((ext = X509_get_ext(x, i)) == NULL ||
		    (obj = X509_EXTENSION_get_object(ext)) == NULL)
			continue;
		if (OBJ_length(obj) != oid_len ||
		    memcmp(OBJ_get0_data(obj), oid, oid_len) != 0)
			continue;
		if (found != NULL)
			return TMON_E_PARSE;
		found = ext;
	}
	if (found == NULL)
		return TMON_E_NOTFOUND;
	os = X509_EXTENSION_get_data(found);
	if (os == NULL || ASN1_STRING_length(os) <= 0)
		return TMON_E_PARSE;
	*val = ASN1_STRING_get0_data(os);
	*len = (size_t)ASN1_STRING_length(os);
	return TMON_OK;
}

/* ---- raw signatures ---- */

enum verdict
x509_ec_key_raw(const char *curve, const uint8_t *xy, size_t xylen,
    EVP_PKEY **out, const char *what)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM params[3];
	uint8_t point[1 + 2 * 66];
	char group[16];
	enum verdict v = VERDICT_ERROR;

	*out = NULL;
	if (xylen == 0 || xylen > 2 * 66 || strlen(curve) >= sizeof(group))
		return VERDICT_ERROR;
	snprintf(group, sizeof(group), "%s", curve);
	point[0] = 0x04;
	memcpy(point + 1, xy, xylen);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, point, 1 + xylen);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
		v = VERDICT_PASS;
	else
		v = VERDICT_FAIL;	/* not a point on the curve */
 out:
	if (v != VERDICT_PASS && x509_drain_errors(what))
		v = VERDICT_ERROR;
	EVP_PKEY_CTX_free(ctx);
	return v;
}

/*
 * Verify the DER signature der (derlen bytes) over msg with pkey and md.
 * A signature that is not DER or does not verify is VERDICT_FAIL.
 */
static enum verdict
verify_der(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *der,
    size_t derlen, const uint8_t *msg, size_t len, const char *what)
{
	EVP_MD_CTX *mctx;
	enum verdict v = VERDICT_ERROR;
	int ok;

	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(mctx, NULL, md, NULL, pkey) != 1)
		goto out;
	/* 0: does not verify; -1: not DER (a library failure is told
	 * apart below, by the error queue) */
	ok = EVP_DigestVerify(mctx, der, derlen, msg, len);
	v = ok == 1 ? VERDICT_PASS : VERDICT_FAIL;
 out:
	/* a bad signature queues decoding errors; only fatal ones count */
	if (x509_drain_errors(what))
		v = VERDICT_ERROR;
	else if (v == VERDICT_ERROR)
		log_crypto_warnx("%s: OpenSSL failed verifying a signature",
		    what);
	EVP_MD_CTX_free(mctx);
	return v;
}

enum verdict
x509_ecdsa_verify_raw(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *rs,
    size_t rslen, const uint8_t *msg, size_t len, const char *what)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int derlen;
	enum verdict v = VERDICT_ERROR;

	if (rslen == 0 || rslen % 2 != 0 || rslen > 2 * 66)
		return VERDICT_FAIL;
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(rs, (int)(rslen / 2), NULL)) == NULL ||
	    (s = BN_bin2bn(rs + rslen / 2, (int)(rslen / 2), NULL)) == NULL ||
	    ECDSA_SIG_set0(sig, r, s) != 1)
		goto liberr;
	r = s = NULL;		/* owned by sig */
	if ((derlen = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto liberr;
	v = verify_der(pkey, md, der, (size_t)derlen, msg, len, what);
	goto out;
 liberr:
	if (!x509_drain_errors(what))
		log_crypto_warnx("%s: OpenSSL failed verifying a signature",
		    what);
 out:
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	BN_free(r);
	BN_free(s);
	return v;
}

enum verdict
x509_ecdsa_verify_der(const X509 *x, const uint8_t *sig, size_t siglen,
    const uint8_t *msg, size_t len, const char *what)
{
	EVP_PKEY *pkey;
	const EVP_MD *md;

	if ((pkey = X509_get0_pubkey(x)) == NULL) {
		(void)x509_drain_errors(what);
		return VERDICT_ERROR;
	}
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
		return VERDICT_ERROR;
	switch (EVP_PKEY_get_bits(pkey)) {
	case 256:
		md = EVP_sha256();
		break;
	case 384:
		md = EVP_sha384();
		break;
	case 521:
		md = EVP_sha512();
		break;
	default:
		return VERDICT_ERROR;
	}
	/* an Ecdsa-Sig-Value of P-521 is at most 139 bytes */
	if (siglen == 0 || siglen > 139)
		return VERDICT_FAIL;
	return verify_der(pkey, md, sig, siglen, msg, len, what);
}

/* ---- CRLs ---- */

static int
serial_cmp(const void *pa, const void *pb)
{
	const struct x509_serial *a = pa, *b = pb;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->b, b->b, a->len);
}

bool
x509_crl_lists(const struct x509_crl *c, const uint8_t *sn, size_t len)
{
	struct x509_serial key;

	if (len == 0 || len > MAX_X509_SERIAL_LEN || c->n_revoked == 0)
		return false;
	key.len = len;
	memcpy(key.b, sn, len);
	return bsearch(&key, c->revoked, c->n_revoked, sizeof(key),
	    serial_cmp) != NULL;
}

bool
x509_crl_lists_cert(const struct x509_crl *c, const X509 *x)
{
	uint8_t sn[MAX_X509_SERIAL_LEN];
	size_t len;

	return x509_serial(x, sn, &len) && x509_crl_lists(c, sn, len);
}

void
x509_crl_free(struct x509_crl *c)
{
	X509_CRL_free(c->crl);
	free(c->revoked);
	memset(c, 0, sizeof(*c));
}

/* The DER of a CRL given as DER, PEM or hex text, in *der (maybe alloc). */
static enum tmon_rc
crl_der(const char *what, const uint8_t *b, size_t len, const uint8_t **der,
    size_t *der_len, uint8_t **hex_out, unsigned char **pem_out,
    struct tmon_err *err)
{
	struct span blk[1];
	size_t n, dlen;
	enum tmon_rc rc;

	*hex_out = NULL;
	*pem_out = NULL;
	if (b[0] != 0x30 && b[0] != '-' && is_hex_text((const char *)b, 1)) {
		/* a PCCS serves the Root CA CRL as hex text */
		if ((*hex_out = hex_decode_alloc((const char *)b, len,
		    MAX_CRL_LEN, true, &dlen)) == NULL)
			return tmon_err_set(err, TMON_E_PARSE, "%s: not hex, PEM "
			    "or DER", what);
		*der = *hex_out;
		*der_len = dlen;
		return TMON_OK;
	}
	if (b[0] == 0x30) {
		if (len > MAX_CRL_LEN)
			return tmon_err_set(err, TMON_E_LIMIT, "%s: %zu bytes "
			    "exceed %u", what, len, MAX_CRL_LEN);
		*der = b;
		*der_len = len;
		return TMON_OK;
	}
	if ((rc = pem_text(what, b, len, MAX_CRL_LEN, &len, err)) != TMON_OK ||
	    (rc = pem_blocks(what, b, len, "X509 CRL", blk, 1, &n, err)) !=
	    TMON_OK)
		return rc;
	if (n != 1)
		return tmon_err_set(err, TMON_E_PARSE, "%s: not a DER or PEM "
		    "CRL", what);
	if ((rc = pem_block_der(what, "X509 CRL", b, &blk[0], 1, pem_out,
	    der_len, err)) != TMON_OK)
		return rc;
	*der = *pem_out;
	return TMON_OK;
}

enum tmon_rc
x509_crl_parse(const char *what, const uint8_t *b, size_t len,
    struct x509_crl *out, struct tmon_err *err)
{
	STACK_OF(X509_REVOKED) *rev;
	const ASN1_INTEGER *sn;
	const unsigned char *p;
	const uint8_t *der = NULL;
	unsigned char *pem = NULL;
	uint8_t *hex = NULL;
	size_t i, k, dlen = 0;
	int n;
	enum tmon_rc rc = TMON_E_PARSE;

	memset(out, 0, sizeof(*out));
	if (b == NULL || len == 0)
		return tmon_err_set(err, TMON_E_PARSE, "%s: missing", what);
	if (len > 2 * (size_t)MAX_CRL_LEN)
		return tmon_err_set(err, TMON_E_LIMIT, "%s: %zu bytes exceed %u",
		    what, len, MAX_CRL_LEN);
	if ((rc = crl_der(what, b, len, &der, &dlen, &hex, &pem, err)) !=
	    TMON_OK)
		goto out;
	rc = TMON_E_PARSE;
	p = der;
	/* dlen <= MAX_CRL_LEN fits a long */
	if ((out->crl = d2i_X509_CRL(NULL, &p, (long)dlen)) == NULL ||
	    p != der + dlen) {
		if (x509_drain_errors("x509: CRL"))
			rc = tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL "
			    "failed decoding it", what);
		else
			tmon_err_set(err, TMON_E_PARSE, "%s: not a DER CRL",
			    what);
		goto out;
	}
	if (!x509_time_unix(X509_CRL_get0_lastUpdate(out->crl),
	    &out->this_update) ||
	    !x509_time_unix(X509_CRL_get0_nextUpdate(out->crl),
	    &out->next_update)) {
		tmon_err_set(err, TMON_E_PARSE, "%s: thisUpdate or nextUpdate "
		    "missing or unreadable", what);
		goto out;
	}
	if (!x509_name_sha256(X509_CRL_get_issuer(out->crl), out->issuer)) {
		tmon_err_set(err, TMON_E_PARSE, "%s: issuer unreadable", what);
		goto out;
	}
	x509_name_cn(X509_CRL_get_issuer(out->crl), out->issuer_cn,
	    sizeof(out->issuer_cn));
	rev = X509_CRL_get_REVOKED(out->crl);
	n = rev != NULL ? sk_X509_REVOKED_num(rev) : 0;
	if (n > MAX_CRL_ENTRIES) {
		rc = tmon_err_set(err, TMON_E_LIMIT, "%s: %d entries exceed %d",
		    what, n, MAX_CRL_ENTRIES);
		goto out;
	}
	if (n > 0)
		out->revoked = xcalloc((size_t)n, sizeof(*out->revoked));
	for (i = 0, k = 0; n > 0 && i < (size_t)n; i++) {
		sn = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(rev,
		    (int)i));
		/* A serial longer than any we compare can never match. */
		if (sn == NULL || ASN1_STRING_type(sn) != V_ASN1_INTEGER ||
		    ASN1_STRING_length(sn) <= 0 ||
		    (size_t)ASN1_STRING_length(sn) > MAX_X509_SERIAL_LEN)
			continue;
		out->revoked[k].len = (size_t)ASN1_STRING_length(sn);
		memcpy(out->revoked[k].b, ASN1_STRING_get0_data(sn),
		    out->revoked[k].len);
		k++;
	}
	out->n_revoked = k;
	if (k > 0)
		qsort(out->revoked, k, sizeof(*out->revoked), serial_cmp);
	rc = TMON_OK;
 out:
	if (rc != TMON_OK)
		x509_crl_free(out);
	OPENSSL_free(pem);
	free(hex);
	return rc;
}

bool
x509_crl_issued_by(const struct x509_crl *c, const X509 *issuer)
{
	uint8_t h[32];

	return x509_name_sha256(X509_get_subject_name(issuer), h) &&
	    memcmp(h, c->issuer, 32) == 0;
}

enum verdict
x509_crl_verify_sig(const struct x509_crl *c, const X509 *issuer)
{
	EVP_PKEY *key;
	int v;

	if ((key = X509_get0_pubkey(issuer)) == NULL)
		return x509_drain_errors("x509: CRL issuer key") ?
		    VERDICT_ERROR : VERDICT_FAIL;
	v = X509_CRL_verify(c->crl, key);
	if (v < 0 || (v == 0 && x509_drain_errors("x509: CRL signature")))
		return VERDICT_ERROR;
	return v == 1 ? VERDICT_PASS : VERDICT_FAIL;
}
