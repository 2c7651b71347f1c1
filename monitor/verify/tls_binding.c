#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest.h"
#include "encode.h"
#include "tdx_quote.h"
#include "tls_binding.h"
#include "tmon_limits.h"
#include "util.h"

/* The TEE whose TLS endpoint the probe reached: a NEAR cloud-api
 * gateway when there is one, else the model's TEE. */
static const struct gw_attestation *
endpoint_tee(const struct gw_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n_att; i++)
		if (rep->att[i].role == GW_ROLE_GATEWAY)
			return &rep->att[i];
	if (rep->n_att == 0 || rep->primary >= rep->n_att)
		return NULL;
	return &rep->att[rep->primary];
}

/* REPORTDATA[0:32] of a's quote is SHA-256(signing key || fingerprint). */
static bool
near_bound(const struct gw_attestation *a)
{
	struct tdx_quote q;
	struct tmon_err err;
	uint8_t h[32];

	if (!a->has_tls_fingerprint || a->quote == NULL ||
	    a->signing_key_len == 0)
		return false;
	tmon_err_clear(&err);
	if (tdx_quote_parse(a->quote, a->quote_len, &q, &err) != TMON_OK)
		return false;
	if (!sha256_2(a->signing_key, a->signing_key_len, a->tls_fingerprint,
	    32, h))
		return false;
	return CRYPTO_memcmp(q.report.report_data, h, 32) == 0;
}

bool
tls_binding_bound(const struct gw_report *rep,
    const struct attest_measurement *m, uint8_t fp[32], const char **who)
{
	const struct gw_attestation *a;

	if (rep->format == GW_FORMAT_TINFOIL) {
		if (!m->has_tls_fingerprint)
			return false;
		memcpy(fp, m->tls_fingerprint, 32);
		*who = "tinfoil";
		return true;
	}
	if ((a = endpoint_tee(rep)) == NULL || !near_bound(a))
		return false;
	memcpy(fp, a->tls_fingerprint, 32);
	*who = gw_role_str(a->role);
	return true;
}

void
tls_binding_check(const struct gw_report *rep,
    const struct attest_measurement *m, const struct attest_ctx *ctx,
    struct checklist *cl)
{
	uint8_t fp[32];
	char theirs[65], ours[65];
	const char *who = "";

	if (!tls_binding_bound(rep, m, fp, &who)) {
		checklist_set(cl, "tls.binding", CHECK_SKIP,
		    "REPORTDATA binds no TLS key");
		return;
	}
	hex_encode(fp, 32, theirs);
	if (!ctx->has_tls_spki) {
		checklist_set(cl, "tls.binding", CHECK_SKIP,
		    "%s binds TLS key %.16s... but the probe saw no "
		    "certificate of it (not over TLS, or through a relay)",
		    who, theirs);
		return;
	}
	hex_encode(ctx->tls_spki_sha256, 32, ours);
	if (CRYPTO_memcmp(fp, ctx->tls_spki_sha256, 32) == 0)
		checklist_set(cl, "tls.binding", CHECK_PASS,
		    "the served certificate's key (SHA-256 of its SPKI "
		    "%.16s...) is the one %s binds in REPORTDATA", ours, who);
	else
		checklist_set(cl, "tls.binding", CHECK_FAIL,
		    "the served certificate's key (SHA-256 of its SPKI "
		    "%.16s...) is not the one %s binds in REPORTDATA "
		    "(%.16s...): the TLS connection does not end in the "
		    "attested TEE", ours, who, theirs);
}

/* SHA-256 of the DER of the key of x (the certificate's own encoding). */
static bool
cert_spki(X509 *x, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n;

	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (n <= 0)
		return false;
	sha256(der, (size_t)n, out);
	OPENSSL_free(der);
	return true;
}

enum tmon_rc
tls_spki_sha256_of(const uint8_t *buf, size_t len, uint8_t out[32],
    struct tmon_err *err)
{
	const unsigned char *p;
	X509_PUBKEY *pk;
	EVP_PKEY *k;
	X509 *x;
	BIO *b;
	unsigned char *der = NULL;
	bool ok = false;
	int n;

	if (len > MAX_BLOB_LEN)
		return tmon_err_set(err, TMON_E_LIMIT, "TLS key file of %zu "
		    "bytes exceeds %u", len, (unsigned)MAX_BLOB_LEN);
	/* DER certificate(s): the first one */
	p = buf;
	if ((x = d2i_X509(NULL, &p, (long)len)) != NULL) {
		ok = cert_spki(x, out);
		X509_free(x);
		goto done;
	}
	/* DER SubjectPublicKeyInfo, exactly */
	p = buf;
	if ((pk = d2i_X509_PUBKEY(NULL, &p, (long)len)) != NULL) {
		if ((size_t)(p - buf) == len) {
			sha256(buf, len, out);
			ok = true;
		}
		X509_PUBKEY_free(pk);
		goto done;
	}
	/* PEM: a certificate, else a public key */
	if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL)
		goto done;
	if ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		ok = cert_spki(x, out);
		X509_free(x);
	} else if (BIO_reset(b) == 1 &&
	    (k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL)) != NULL) {
		if ((n = i2d_PUBKEY(k, &der)) > 0) {
			sha256(der, (size_t)n, out);
			ok = true;
		}
		OPENSSL_free(der);
		EVP_PKEY_free(k);
	}
	BIO_free(b);
done:
	ERR_clear_error();
	if (!ok)
		return tmon_err_set(err, TMON_E_PARSE, "not a DER or PEM "
		    "certificate or SubjectPublicKeyInfo");
	return TMON_OK;
}
