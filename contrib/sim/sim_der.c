/*
 * sim_der.c: small encoders for tmon-sim: DER (only what the TEST PKI's
 * Intel SGX and TCG DICE extensions need), raw ECDSA signatures, hex,
 * base64, URL encoding and SHA-384.  Inputs are the sim's own values,
 * never network bytes; a failure is a programming error and fatal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "log.h"
#include "sim.h"
#include "xmalloc.h"

void
sim_ossl_check(bool ok, const char *what)
{
	if (ok)
		return;
	log_crypto_warnx("tmon-sim: %s", what);
	fatalx("tmon-sim: %s failed", what);
}

static void
put(struct buf *b, const void *p, size_t n)
{
	if (!buf_append(b, p, n))
		fatalx("tmon-sim: DER buffer over %zu bytes", b->max);
}

void
der_put(struct buf *b, uint8_t tag, const void *p, size_t n)
{
	uint8_t hdr[6];
	size_t h = 0;

	hdr[h++] = tag;
	if (n < 0x80)
		hdr[h++] = (uint8_t)n;
	else if (n <= 0xff) {
		hdr[h++] = 0x81;
		hdr[h++] = (uint8_t)n;
	} else if (n <= 0xffff) {
		hdr[h++] = 0x82;
		hdr[h++] = (uint8_t)(n >> 8);
		hdr[h++] = (uint8_t)n;
	} else
		fatalx("tmon-sim: DER element of %zu bytes", n);
	put(b, hdr, h);
	if (n > 0)
		put(b, p, n);
}

void
der_put_uint(struct buf *b, uint8_t tag, unsigned long v)
{
	uint8_t be[sizeof(v) + 1];
	size_t i = sizeof(be);

	do {
		be[--i] = (uint8_t)(v & 0xff);
		v >>= 8;
	} while (v != 0);
	if (be[i] & 0x80)
		be[--i] = 0;		/* keep it non-negative */
	der_put(b, tag, be + i, sizeof(be) - i);
}

void
der_put_oid(struct buf *b, const char *dotted)
{
	ASN1_OBJECT *o = OBJ_txt2obj(dotted, 1);

	sim_ossl_check(o != NULL && OBJ_length(o) > 0, "OBJ_txt2obj");
	der_put(b, 0x06, OBJ_get0_data(o), OBJ_length(o));
	ASN1_OBJECT_free(o);
}

void
der_wrap(struct buf *b, uint8_t tag, struct buf *inner)
{
	der_put(b, tag, inner->data, inner->len);
	buf_free(inner);
}

void
sim_sign_raw(EVP_PKEY *key, const EVP_MD *md, const void *data, size_t len,
    uint8_t *out, size_t half)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[160];
	const unsigned char *p = der;
	size_t dl = sizeof(der);
	ECDSA_SIG *sig;
	const BIGNUM *r, *s;

	sim_ossl_check(ctx != NULL &&
	    EVP_DigestSignInit(ctx, NULL, md, NULL, key) == 1 &&
	    EVP_DigestSign(ctx, der, &dl, data, len) == 1, "ECDSA signing");
	sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
	sim_ossl_check(sig != NULL, "d2i_ECDSA_SIG");
	ECDSA_SIG_get0(sig, &r, &s);
	sim_ossl_check(BN_bn2binpad(r, out, (int)half) == (int)half &&
	    BN_bn2binpad(s, out + half, (int)half) == (int)half,
	    "BN_bn2binpad");
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
}

char *
sim_hex(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *out = xmalloc(2 * n + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
	return out;
}

char *
sim_urlencode(const char *s)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, o = 0;
	char *out = xmalloc(3 * n + 1);
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = digits[c >> 4];
			out[o++] = digits[c & 0xf];
		}
	}
	out[o] = '\0';
	return out;
}

char *
sim_b64(const uint8_t *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

void
sim_rfc3339(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		fatalx("tmon-sim: cannot format time %lld", (long long)t);
}

void
sim_sha384(const void *a, size_t alen, const void *b, size_t blen,
    const void *c, size_t clen, uint8_t out[48])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int ol = 0;

	sim_ossl_check(ctx != NULL &&
	    EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, alen) == 1 &&
	    (b == NULL || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	    (c == NULL || EVP_DigestUpdate(ctx, c, clen) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &ol) == 1 && ol == 48, "SHA-384");
	EVP_MD_CTX_free(ctx);
}
