/*
 * tdx_verify.c: TDX quote signatures, QE report binding and PCK chain
 * (Intel QVL QuoteVerifier.cpp; procedure in tdx_verify.h).
 *
 * Cost per quote, first time a PCK chain is seen: one PEM decode of
 * three certificates, two X.509 decodes (leaf and CA: the root is only
 * compared as bytes), four ECDSA-P256 verifications (quote, QE report,
 * leaf, intermediate) and three SHA-256.  A chain that verified is kept
 * in a bounded cache keyed by SHA-256 of its bytes and of the trusted
 * root (pck_cache below), so a quote from a platform seen before costs
 * two ECDSA-P256 verifications (quote, QE report) and three SHA-256.
 * Raw keys and signatures become OpenSSL objects directly
 * (EVP_PKEY_fromdata for x||y, ECDSA_SIG from r||s); attestation keys
 * that decoded are kept too (ak_cache).  The pinned root is
 * decoded once, on first use, and shared read-only afterwards.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tdx_verify.h"
#include "tmon_limits.h"
#include "util.h"

#define PCK_CHAIN_CERTS	3	/* leaf, PCK Platform/Processor CA, root */

#define ID_PARSE	"tdx.quote.parse"
#define ID_SIG		"tdx.quote.signature"
#define ID_CHAIN	"tdx.pck_chain"

/* Result of one sub-check. */
enum sub {
	SUB_OK,		/* verified */
	SUB_BAD,	/* the evidence is wrong */
	SUB_ERR		/* we could not check (library failure) */
};

/*
 * The certificates of a quote's PCK chain.  The root is kept as DER only:
 * it is compared with the trusted root's bytes and never used as an
 * X509 object (the anchor is decoded from the trusted bytes instead).
 */
struct pck_chain {
	X509		*cert[PCK_CHAIN_CERTS - 1];	/* leaf, CA */
	unsigned char	*der[PCK_CHAIN_CERTS];	/* exact DER as decoded */
	long		 der_len[PCK_CHAIN_CERTS];
	size_t		 n;
};

/* OID 1.2.840.113741.1.13.1 (Intel SGX extensions), DER content bytes. */
static const uint8_t sgx_ext_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01
};

static const char cn_platform_ca[] = "Intel SGX PCK Platform CA";
static const char cn_processor_ca[] = "Intel SGX PCK Processor CA";

/*
 * Empty the OpenSSL error queue; true if any queued error was fatal
 * (allocation, internal error): a library failure, not bad evidence.
 */
static bool
drain_errors_fatal(void)
{
	unsigned long e;
	bool fatal = false;

	while ((e = ERR_get_error()) != 0)
		if (ERR_FATAL_ERROR(e))
			fatal = true;
	return fatal;
}

/*
 * The 64-byte x||y as a P-256 EVP_PKEY in *out (NULL unless SUB_OK).
 * EVP_PKEY_fromdata with the SEC1 point 04||x||y: several times cheaper
 * than decoding an SPKI in OpenSSL 3.0, and it rejects points that are
 * not on the curve.
 */
static enum sub
p256_key_from_raw(const uint8_t xy[TDX_ECDSA_KEY_LEN], EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM params[3];
	uint8_t point[1 + TDX_ECDSA_KEY_LEN];
	char group[] = "P-256";
	enum sub rc = SUB_ERR;

	*out = NULL;
	point[0] = 0x04;
	memcpy(point + 1, xy, TDX_ECDSA_KEY_LEN);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
		rc = SUB_OK;
	else
		rc = SUB_BAD;		/* not a point on P-256 */
 out:
	if (rc != SUB_OK && drain_errors_fatal())
		rc = SUB_ERR;
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/*
 * Attestation keys decoded before (x||y -> EVP_PKEY), so that the quotes
 * of one platform's quoting enclave do not build the same key object
 * again (EVP_PKEY_fromdata makes a new EC group each time: ~8% of a warm
 * verification).  Only keys that decoded are kept; decoding is a pure
 * function of the 64 bytes, so the cache changes no result.  Bounded by
 * MAX_PCK_CACHE (one key per platform seen), round-robin replacement.
 */
static struct {
	CRYPTO_RWLOCK	*lock;
	uint8_t		 xy[MAX_PCK_CACHE][TDX_ECDSA_KEY_LEN];
	EVP_PKEY	*key[MAX_PCK_CACHE];
	size_t		 next;
} ak_cache;
static CRYPTO_ONCE ak_cache_once = CRYPTO_ONCE_STATIC_INIT;

static void
ak_cache_init(void)
{
	ak_cache.lock = CRYPTO_THREAD_lock_new();
}

/* The P-256 key x||y as a new reference in *out (see p256_key_from_raw). */
static enum sub
attest_key_get(const uint8_t xy[TDX_ECDSA_KEY_LEN], EVP_PKEY **out)
{
	EVP_PKEY *old = NULL;
	size_t i;
	enum sub rc;

	*out = NULL;
	if (CRYPTO_THREAD_run_once(&ak_cache_once, ak_cache_init) != 1 ||
	    ak_cache.lock == NULL)
		return p256_key_from_raw(xy, out);
	if (CRYPTO_THREAD_read_lock(ak_cache.lock)) {
		for (i = 0; i < MAX_PCK_CACHE; i++)
			if (ak_cache.key[i] != NULL &&
			    memcmp(ak_cache.xy[i], xy, TDX_ECDSA_KEY_LEN) == 0 &&
			    EVP_PKEY_up_ref(ak_cache.key[i]) == 1) {
				*out = ak_cache.key[i];
				break;
			}
		CRYPTO_THREAD_unlock(ak_cache.lock);
		if (*out != NULL)
			return SUB_OK;
	}
	if ((rc = p256_key_from_raw(xy, out)) != SUB_OK)
		return rc;
	if (EVP_PKEY_up_ref(*out) != 1)
		return SUB_OK;
	if (!CRYPTO_THREAD_write_lock(ak_cache.lock)) {
		EVP_PKEY_free(*out);	/* the extra reference */
		return SUB_OK;
	}
	i = ak_cache.next;
	ak_cache.next = (ak_cache.next + 1) % MAX_PCK_CACHE;
	old = ak_cache.key[i];
	memcpy(ak_cache.xy[i], xy, TDX_ECDSA_KEY_LEN);
	ak_cache.key[i] = *out;
	CRYPTO_THREAD_unlock(ak_cache.lock);
	EVP_PKEY_free(old);
	return SUB_OK;
}

/*
 * Verify the raw r||s ECDSA signature over SHA-256(msg) with pkey.  A
 * signature that does not verify (including r or s out of range) is
 * SUB_BAD; only library failures are SUB_ERR.
 */
static enum sub
ecdsa_verify_raw(EVP_PKEY *pkey, const uint8_t *msg, size_t msglen,
    const uint8_t rs[TDX_ECDSA_SIG_LEN])
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char der[80], *dp = der;
	uint8_t dgst[32];
	int derlen, v;
	enum sub rc = SUB_ERR;

	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(rs, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(rs + 32, 32, NULL)) == NULL)
		goto out;
	if (ECDSA_SIG_set0(sig, r, s) != 1)
		goto out;
	r = s = NULL;
	derlen = i2d_ECDSA_SIG(sig, NULL);
	if (derlen <= 0 || (size_t)derlen > sizeof(der))
		goto out;
	if (i2d_ECDSA_SIG(sig, &dp) != derlen)
		goto out;
	if (!sha256_2(msg, msglen, "", 0, dgst))
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) != 1)
		goto out;
	v = EVP_PKEY_verify(ctx, der, (size_t)derlen, dgst, sizeof(dgst));
	if (v == 1)
		rc = SUB_OK;
	else if (v == 0)
		rc = SUB_BAD;
 out:
	if (rc != SUB_OK && drain_errors_fatal())
		rc = SUB_ERR;
	EVP_PKEY_CTX_free(ctx);
	ECDSA_SIG_free(sig);
	BN_free(r);
	BN_free(s);
	return rc;
}

/* True if pkey is an EC key on P-256. */
static bool
is_p256(const EVP_PKEY *pkey)
{
	char group[32];

	if (!EVP_PKEY_is_a(pkey, "EC"))
		return false;
	if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) != 1) {
		ERR_clear_error();
		return false;
	}
	return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

static void
chain_free(struct pck_chain *ch)
{
	size_t i;

	for (i = 0; i < ch->n; i++) {
		if (i < PCK_CHAIN_CERTS - 1)
			X509_free(ch->cert[i]);
		OPENSSL_free(ch->der[i]);
	}
	memset(ch, 0, sizeof(*ch));
}

/*
 * Read the next PEM block from bio as one certificate; decode its DER
 * into *x509 if x509 is not NULL.  Returns SUB_OK with *der / *der_len
 * (and *x509) set (caller frees), SUB_BAD with *eof set when there are
 * no more blocks, SUB_BAD with why filled for a malformed block, or
 * SUB_ERR.
 */
static enum sub
read_pem_cert(BIO *bio, X509 **x509, unsigned char **der, long *der_len,
    bool *eof, char *why, size_t whysz)
{
	char *name = NULL, *hdr = NULL;
	unsigned char *data = NULL;
	const unsigned char *p;
	long len = 0;
	unsigned long e;
	enum sub rc = SUB_BAD;

	if (x509 != NULL)
		*x509 = NULL;
	*der = NULL;
	*eof = false;
	if (PEM_read_bio(bio, &name, &hdr, &data, &len) != 1) {
		e = ERR_peek_last_error();
		if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
		    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
			*eof = true;
		else
			snprintf(why, whysz, "malformed PEM block");
		if (drain_errors_fatal())
			rc = SUB_ERR;
		goto out;
	}
	if (strcmp(name, "CERTIFICATE") != 0 || hdr[0] != '\0') {
		snprintf(why, whysz, "PEM block is not a plain CERTIFICATE");
		goto out;
	}
	p = data;
	if (x509 != NULL && ((*x509 = d2i_X509(NULL, &p, len)) == NULL ||
	    p != data + len)) {
		snprintf(why, whysz, "certificate is not valid DER");
		X509_free(*x509);
		*x509 = NULL;
		if (drain_errors_fatal())
			rc = SUB_ERR;
		goto out;
	}
	*der = data;
	*der_len = len;
	data = NULL;
	rc = SUB_OK;
 out:
	OPENSSL_free(name);
	OPENSSL_free(hdr);
	OPENSSL_free(data);
	return rc;
}

/* Length of the PEM text in pem without its trailing NUL bytes. */
static size_t
pem_text_len(const struct cur *pem)
{
	const uint8_t *d = cur_data(pem);
	size_t n = cur_len(pem);

	while (n > 0 && d[n - 1] == '\0')
		n--;
	return n;
}

/*
 * Decode the PEM chain of q into exactly PCK_CHAIN_CERTS certificates.
 * SUB_BAD fills why.
 */
static enum sub
chain_load(const struct tdx_quote *q, struct pck_chain *ch, char *why,
    size_t whysz)
{
	BIO *bio = NULL;
	X509 *x = NULL;
	unsigned char *der;
	long der_len;
	const uint8_t *nul;
	size_t n;
	bool eof;
	enum sub rc = SUB_ERR, r;

	memset(ch, 0, sizeof(*ch));
	n = pem_text_len(&q->pck_chain);
	if (n == 0) {
		snprintf(why, whysz, "PCK chain is empty");
		return SUB_BAD;
	}
	if ((nul = memchr(cur_data(&q->pck_chain), '\0', n)) != NULL) {
		snprintf(why, whysz, "PCK chain is not PEM text (NUL byte at "
		    "chain offset %zu)", (size_t)(nul - cur_data(&q->pck_chain)));
		return SUB_BAD;
	}
	/* n <= MAX_PEM_CHAIN_LEN (tdx_quote_parse) fits an int. */
	if ((bio = BIO_new_mem_buf(cur_data(&q->pck_chain), (int)n)) == NULL)
		goto out;
	for (;;) {
		/* The third certificate, the root, is not decoded. */
		r = read_pem_cert(bio, ch->n < PCK_CHAIN_CERTS - 1 ? &x : NULL,
		    &der, &der_len, &eof, why, whysz);
		if (r == SUB_ERR)
			goto out;
		if (r == SUB_BAD && eof)
			break;
		if (r == SUB_BAD) {
			char tmp[96];

			snprintf(tmp, sizeof(tmp), "%s", why);
			snprintf(why, whysz, "PCK chain certificate %zu: %s",
			    ch->n + 1, tmp);
			rc = SUB_BAD;
			goto out;
		}
		if (ch->n == PCK_CHAIN_CERTS) {
			OPENSSL_free(der);
			snprintf(why, whysz, "PCK chain has more than %d "
			    "certificates", PCK_CHAIN_CERTS);
			rc = SUB_BAD;
			goto out;
		}
		if (ch->n < PCK_CHAIN_CERTS - 1)
			ch->cert[ch->n] = x;
		x = NULL;
		ch->der[ch->n] = der;
		ch->der_len[ch->n] = der_len;
		ch->n++;
	}
	if (ch->n != PCK_CHAIN_CERTS) {
		snprintf(why, whysz, "PCK chain has %zu certificate(s), "
		    "expected %d (leaf, CA, root)", ch->n, PCK_CHAIN_CERTS);
		rc = SUB_BAD;
		goto out;
	}
	rc = SUB_OK;
 out:
	BIO_free(bio);
	if (rc != SUB_OK)
		chain_free(ch);
	return rc;
}

/* The commonName of name as text in out (empty if none or not text). */
static void
name_cn(const X509_NAME *name, char *out, size_t outsz)
{
	const X509_NAME_ENTRY *ne;
	const ASN1_STRING *s;
	int i, len;

	out[0] = '\0';
	if ((i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0)
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

static enum tdx_pck_ca
ca_type(const X509_NAME *issuer)
{
	char cn[64];

	name_cn(issuer, cn, sizeof(cn));
	if (strcmp(cn, cn_platform_ca) == 0)
		return TDX_PCK_CA_PLATFORM;
	if (strcmp(cn, cn_processor_ca) == 0)
		return TDX_PCK_CA_PROCESSOR;
	return TDX_PCK_CA_UNKNOWN;
}

/* ---- Intel SGX extension of the PCK leaf (DER walk over struct cur) ---- */

/*
 * Take one DER element with the given single-byte tag from c into val
 * (its contents).  Definite lengths up to 0xffff only, minimal encoding.
 */
static bool
der_get(struct cur *c, uint8_t tag, struct cur *val)
{
	struct cur t = *c;
	uint8_t got, l, b;
	size_t len, i, nb;

	if (!cur_get_u8(&t, &got) || got != tag || !cur_get_u8(&t, &l))
		return false;
	if (l < 0x80)
		len = l;
	else {
		nb = l & 0x7f;
		if (nb == 0 || nb > 2)
			return false;
		len = 0;
		for (i = 0; i < nb; i++) {
			if (!cur_get_u8(&t, &b))
				return false;
			len = (len << 8) | b;
		}
		if (len < 0x80 || (nb == 2 && len < 0x100))
			return false;
	}
	if (!cur_get_bytes(&t, val, len))
		return false;
	*c = t;
	return true;
}

/* A non-negative DER INTEGER or ENUMERATED (tag) no larger than max. */
static bool
der_get_uint(struct cur *c, uint8_t tag, unsigned int max, unsigned int *out)
{
	struct cur v;
	const uint8_t *d;
	size_t n, i;
	unsigned long x = 0;

	if (!der_get(c, tag, &v))
		return false;
	d = cur_data(&v);
	n = cur_len(&v);
	if (n == 0 || n > 3 || (d[0] & 0x80) != 0)
		return false;
	if (n > 1 && d[0] == 0 && (d[1] & 0x80) == 0)
		return false;		/* not minimal */
	for (i = 0; i < n; i++)
		x = (x << 8) | d[i];
	if (x > max)
		return false;
	*out = (unsigned int)x;
	return true;
}

/* An OCTET STRING of exactly n bytes into out. */
static bool
der_get_octets(struct cur *c, void *out, size_t n)
{
	struct cur v;

	if (!der_get(c, 0x04, &v) || cur_len(&v) != n)
		return false;
	return cur_copy(&v, out, n);
}

/*
 * If oid is the SGX extension OID followed by the arcs in sub (nsub of
 * them, each < 128), return true.
 */
static bool
oid_is(const struct cur *oid, const uint8_t *sub, size_t nsub)
{
	const uint8_t *d = cur_data(oid);

	if (cur_len(oid) != sizeof(sgx_ext_oid) + nsub)
		return false;
	return memcmp(d, sgx_ext_oid, sizeof(sgx_ext_oid)) == 0 &&
	    memcmp(d + sizeof(sgx_ext_oid), sub, nsub) == 0;
}

/* The TCB sequence: 16 component SVNs, PCESVN, CPUSVN (arcs .2.1-.2.18). */
static bool
parse_sgx_tcb(struct cur *v, struct tdx_pck_info *out)
{
	struct cur seq, item, oid;
	uint32_t seen = 0;
	unsigned int x;
	uint8_t arcs[2];
	uint8_t k;

	if (!der_get(v, 0x30, &seq) || cur_len(v) != 0)
		return false;
	while (cur_len(&seq) > 0) {
		if (!der_get(&seq, 0x30, &item) ||
		    !der_get(&item, 0x06, &oid))
			return false;
		arcs[0] = 2;
		for (k = 1; k <= 18; k++) {
			arcs[1] = k;
			if (oid_is(&oid, arcs, 2))
				break;
		}
		if (k > 18)
			continue;		/* unknown TCB field: ignore */
		if (seen & (1u << k))
			return false;		/* repeated */
		seen |= 1u << k;
		if (k <= 16) {
			if (!der_get_uint(&item, 0x02, 255, &x))
				return false;
			out->tcb_comp_svn[k - 1] = (uint8_t)x;
		} else if (k == 17) {
			if (!der_get_uint(&item, 0x02, 65535, &x))
				return false;
			out->pcesvn = (uint16_t)x;
		} else if (!der_get_octets(&item, out->cpusvn,
		    sizeof(out->cpusvn)))
			return false;
		if (cur_len(&item) != 0)
			return false;
	}
	/* All 18 fields (bits 1..18) must be present. */
	return seen == 0x7fffeu;
}

/* Fill out from the SGX extension value (ext, DER) of a PCK leaf. */
static enum tmon_rc
parse_sgx_ext(struct cur *ext, struct tdx_pck_info *out, struct tmon_err *err)
{
	struct cur seq, item, oid;
	unsigned int x;
	uint8_t arc;
	bool have_ppid = false, have_tcb = false, have_pceid = false;
	bool have_fmspc = false, have_type = false;

	if (!der_get(ext, 0x30, &seq) || cur_len(ext) != 0)
		goto bad;
	while (cur_len(&seq) > 0) {
		if (!der_get(&seq, 0x30, &item) ||
		    !der_get(&item, 0x06, &oid))
			goto bad;
		if (cur_len(&oid) != sizeof(sgx_ext_oid) + 1)
			continue;
		arc = cur_data(&oid)[sizeof(sgx_ext_oid)];
		if (!oid_is(&oid, &arc, 1))
			continue;
		switch (arc) {
		case 1:
			if (have_ppid || !der_get_octets(&item, out->ppid,
			    sizeof(out->ppid)))
				goto bad;
			have_ppid = true;
			break;
		case 2:
			if (have_tcb || !parse_sgx_tcb(&item, out))
				goto bad;
			have_tcb = true;
			break;
		case 3:
			if (have_pceid || !der_get_octets(&item, out->pceid,
			    sizeof(out->pceid)))
				goto bad;
			have_pceid = true;
			break;
		case 4:
			if (have_fmspc || !der_get_octets(&item, out->fmspc,
			    sizeof(out->fmspc)))
				goto bad;
			have_fmspc = true;
			break;
		case 5:
			if (have_type || !der_get_uint(&item, 0x0a, 255, &x))
				goto bad;
			out->sgx_type = (int)x;
			have_type = true;
			break;
		default:
			/* .6 platform instance id, .7 configuration, ... */
			continue;
		}
		if (cur_len(&item) != 0)
			goto bad;
	}
	if (!have_tcb || !have_pceid || !have_fmspc)
		return tmon_err_set(err, TMON_E_PARSE, "pck leaf: SGX "
		    "extension lacks%s%s%s", have_tcb ? "" : " TCB",
		    have_pceid ? "" : " PCE-ID", have_fmspc ? "" : " FMSPC");
	return TMON_OK;
 bad:
	return tmon_err_set(err, TMON_E_PARSE,
	    "pck leaf: SGX extension (1.2.840.113741.1.13.1) is malformed");
}

static enum tmon_rc
pck_info_from_x509(const X509 *leaf, struct tdx_pck_info *out,
    struct tmon_err *err)
{
	X509_EXTENSION *ext, *found = NULL;
	const ASN1_OBJECT *obj;
	const ASN1_OCTET_STRING *val;
	struct cur c;
	int i, n;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	out->sgx_type = -1;
	n = X509_get_ext_count(leaf);
	for (i = 0; i < n; i++) {
		if ((ext = X509_get_ext(leaf, i)) == NULL ||
		    (obj = X509_EXTENSION_get_object(ext)) == NULL)
			continue;
		if (OBJ_length(obj) != sizeof(sgx_ext_oid) ||
		    memcmp(OBJ_get0_data(obj), sgx_ext_oid,
		    sizeof(sgx_ext_oid)) != 0)
			continue;
		if (found != NULL) {
			rc = tmon_err_set(err, TMON_E_PARSE,
			    "pck leaf: SGX extension appears twice");
			goto fail;
		}
		found = ext;
	}
	if (found == NULL) {
		rc = tmon_err_set(err, TMON_E_PARSE,
		    "pck leaf: no SGX extension (1.2.840.113741.1.13.1)");
		goto fail;
	}
	val = X509_EXTENSION_get_data(found);
	if (val == NULL || ASN1_STRING_length(val) <= 0) {
		rc = tmon_err_set(err, TMON_E_PARSE,
		    "pck leaf: SGX extension is empty");
		goto fail;
	}
	cur_init(&c, ASN1_STRING_get0_data(val),
	    (size_t)ASN1_STRING_length(val));
	if ((rc = parse_sgx_ext(&c, out, err)) != TMON_OK)
		goto fail;
	out->ca = ca_type(X509_get_issuer_name(leaf));
	return TMON_OK;
 fail:
	memset(out, 0, sizeof(*out));
	out->sgx_type = -1;
	return rc;
}

enum tmon_rc
tdx_pck_info(const struct tdx_quote *q, struct tdx_pck_info *out,
    struct tmon_err *err)
{
	BIO *bio = NULL;
	X509 *x = NULL;
	unsigned char *der = NULL;
	long der_len;
	char why[128];
	size_t n;
	bool eof;
	enum sub r;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	out->sgx_type = -1;
	n = pem_text_len(&q->pck_chain);
	if (n == 0 || n > MAX_PEM_CHAIN_LEN)
		return tmon_err_set(err, TMON_E_PARSE,
		    "pck leaf: no PEM certificate in the quote");
	if ((bio = BIO_new_mem_buf(cur_data(&q->pck_chain), (int)n)) == NULL) {
		ERR_clear_error();
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "pck leaf: BIO_new_mem_buf failed");
	}
	why[0] = '\0';
	r = read_pem_cert(bio, &x, &der, &der_len, &eof, why, sizeof(why));
	BIO_free(bio);
	if (r == SUB_ERR)
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "pck leaf: OpenSSL failed reading the PEM");
	if (r == SUB_BAD)
		return tmon_err_set(err, TMON_E_PARSE, "pck leaf: %s",
		    eof ? "no PEM certificate in the quote" : why);
	rc = pck_info_from_x509(x, out, err);
	X509_free(x);
	OPENSSL_free(der);
	return rc;
}

/* ---- helpers shared with tdx_collateral.c (declared in tdx_verify.h) ---- */

enum tdx_sig
tdx_ecdsa_p256_verify(EVP_PKEY *pkey, const uint8_t *msg, size_t len,
    const uint8_t rs[TDX_ECDSA_SIG_LEN])
{
	switch (ecdsa_verify_raw(pkey, msg, len, rs)) {
	case SUB_OK:
		return TDX_SIG_OK;
	case SUB_BAD:
		return TDX_SIG_BAD;
	default:
		return TDX_SIG_ERROR;
	}
}

bool
tdx_key_is_p256(const EVP_PKEY *pkey)
{
	return is_p256(pkey);
}

void
tdx_x509_name_cn(const X509_NAME *name, char *out, size_t outsz)
{
	name_cn(name, out, outsz);
}

static ASN1_TIME *epoch_time;
static CRYPTO_ONCE epoch_once = CRYPTO_ONCE_STATIC_INIT;

static void
epoch_init(void)
{
	epoch_time = ASN1_TIME_set(NULL, 0);
}

bool
tdx_asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	int days, secs;

	if (t == NULL || CRYPTO_THREAD_run_once(&epoch_once, epoch_init) !=
	    1 || epoch_time == NULL)
		return false;
	if (ASN1_TIME_diff(&days, &secs, epoch_time, t) != 1) {
		ERR_clear_error();
		return false;
	}
	*out = (int64_t)days * 86400 + secs;
	return true;
}

/* ---- the checks ---- */

/* Append "; " (unless d is empty) and the formatted text to d. */
static void __attribute__((format(printf, 3, 4)))
detail_add(char *d, size_t dsz, const char *fmt, ...)
{
	va_list ap;
	size_t len = strlen(d);

	if (len > 0 && len + 2 < dsz) {
		memcpy(d + len, "; ", 3);
		len += 2;
	}
	if (len + 1 >= dsz)
		return;
	va_start(ap, fmt);
	vsnprintf(d + len, dsz - len, fmt, ap);
	va_end(ap);
}

struct sig_result {
	enum sub	quote;		/* attestation key over signed region */
	bool		key_bad;	/* attest_key is not a P-256 point */
	enum sub	qe;		/* PCK leaf key over the QE report */
	char		qe_why[128];	/* why there is no leaf key */
	enum sub	bind_hash;	/* report_data[0..32] */
	bool		bind_zero;	/* report_data[32..64] is zero */
};

/*
 * The PCK leaf's public key from a loaded chain (borrowed from the X509)
 * in *key, or SUB_BAD / SUB_ERR with why filled.
 */
static enum sub
leaf_key_get(const struct pck_chain *ch, const char *chain_why,
    EVP_PKEY **key, char *why, size_t whysz)
{
	*key = NULL;
	if (ch->n == 0) {
		snprintf(why, whysz, "%s", chain_why);
		return SUB_BAD;
	}
	if ((*key = X509_get0_pubkey(ch->cert[0])) == NULL) {
		snprintf(why, whysz, "the leaf public key cannot be decoded");
		return drain_errors_fatal() ? SUB_ERR : SUB_BAD;
	}
	if (!is_p256(*key)) {
		*key = NULL;
		snprintf(why, whysz, "the leaf key is not ECDSA P-256");
		return SUB_BAD;
	}
	return SUB_OK;
}

/*
 * tdx.quote.signature: steps 9, 6 and 7.  leaf_key is the PCK leaf key
 * (leaf_state SUB_OK), or leaf_state says why there is none (leaf_why).
 */
static void
check_signatures(const struct tdx_quote *q, EVP_PKEY *leaf_key,
    enum sub leaf_state, const char *leaf_why, struct checklist *cl)
{
	struct sig_result s;
	EVP_PKEY *ak = NULL;
	uint8_t h[32];
	char d[MAX_CHECK_DETAIL];
	size_t i;
	bool zero;

	memset(&s, 0, sizeof(s));

	/* 9. Quote signature by the attestation key. */
	s.quote = attest_key_get(q->attest_key, &ak);
	if (s.quote == SUB_BAD)
		s.key_bad = true;
	else if (s.quote == SUB_OK)
		s.quote = ecdsa_verify_raw(ak, cur_data(&q->signed_region),
		    cur_len(&q->signed_region), q->signature);

	/* 6. QE report signature by the PCK leaf key. */
	if (leaf_state != SUB_OK) {
		s.qe = leaf_state;
		snprintf(s.qe_why, sizeof(s.qe_why), "%s", leaf_why);
	} else
		s.qe = ecdsa_verify_raw(leaf_key, cur_data(&q->qe_report),
		    cur_len(&q->qe_report), q->qe_report_sig);

	/* 7. QE report binding. */
	if (!sha256_2(q->attest_key, sizeof(q->attest_key),
	    cur_data(&q->qe_auth_data), cur_len(&q->qe_auth_data), h)) {
		drain_errors_fatal();
		s.bind_hash = SUB_ERR;
	} else
		s.bind_hash = CRYPTO_memcmp(h, q->qe.report_data, 32) == 0 ?
		    SUB_OK : SUB_BAD;
	zero = true;
	for (i = 32; i < 64; i++)
		if (q->qe.report_data[i] != 0)
			zero = false;
	s.bind_zero = zero;
	EVP_PKEY_free(ak);

	if (s.quote == SUB_ERR || s.qe == SUB_ERR || s.bind_hash == SUB_ERR) {
		checklist_set(cl, ID_SIG, CHECK_ERROR, "OpenSSL failed while "
		    "verifying the quote signatures");
		return;
	}
	if (s.quote == SUB_OK && s.qe == SUB_OK && s.bind_hash == SUB_OK &&
	    s.bind_zero) {
		checklist_set(cl, ID_SIG, CHECK_PASS, "quote signature "
		    "(attestation key), QE report signature (PCK leaf key) and "
		    "QE report binding verify");
		return;
	}
	d[0] = '\0';
	if (s.key_bad)
		detail_add(d, sizeof(d), "attestation key is not a P-256 point");
	else if (s.quote == SUB_BAD)
		detail_add(d, sizeof(d), "quote signature does not verify with "
		    "the attestation key");
	if (s.qe == SUB_BAD && s.qe_why[0] != '\0')
		detail_add(d, sizeof(d), "no usable PCK leaf key: %s", s.qe_why);
	else if (s.qe == SUB_BAD)
		detail_add(d, sizeof(d), "QE report signature does not verify "
		    "with the PCK leaf key");
	if (s.bind_hash == SUB_BAD)
		detail_add(d, sizeof(d), "QE report binding: report_data[0..32] "
		    "!= SHA-256(attest_key || qe_auth_data)");
	if (!s.bind_zero)
		detail_add(d, sizeof(d), "QE report binding: "
		    "report_data[32..64] not zero");
	checklist_set(cl, ID_SIG, CHECK_FAIL, "%s", d);
}

/*
 * The pinned root as an X509, decoded once (first use) and then only
 * read; never freed.  NULL if the embedded bytes did not decode.  Its
 * SHA-256 keys the PCK chain cache.
 */
static CRYPTO_ONCE intel_root_once = CRYPTO_ONCE_STATIC_INIT;
static X509 *intel_root;
static uint8_t intel_root_sha256[32];

static void
intel_root_init(void)
{
	const unsigned char *p = tdx_intel_root_ca_der;

	intel_root = d2i_X509(NULL, &p, (long)tdx_intel_root_ca_der_len);
	if (intel_root != NULL &&
	    p != tdx_intel_root_ca_der + tdx_intel_root_ca_der_len) {
		X509_free(intel_root);
		intel_root = NULL;
	}
	sha256(tdx_intel_root_ca_der, tdx_intel_root_ca_der_len,
	    intel_root_sha256);
	ERR_clear_error();
}

bool
tdx_root_is_intel(const uint8_t *root_der, size_t root_der_len)
{
	return root_der_len == tdx_intel_root_ca_der_len &&
	    CRYPTO_memcmp(root_der, tdx_intel_root_ca_der, root_der_len) == 0;
}

X509 *
tdx_root_anchor(const uint8_t *root_der, size_t root_der_len)
{
	const unsigned char *p = root_der;
	X509 *x;

	if (tdx_root_is_intel(root_der, root_der_len)) {
		if (CRYPTO_THREAD_run_once(&intel_root_once, intel_root_init) !=
		    1 || intel_root == NULL || X509_up_ref(intel_root) != 1)
			return NULL;
		return intel_root;
	}
	if (root_der_len > LONG_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)root_der_len);
	if (x != NULL && p != root_der + root_der_len) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	return x;
}

/* The validity window of x in *from / *to; false if unreadable. */
static bool
cert_window(const X509 *x, int64_t *from, int64_t *to)
{
	return tdx_asn1_time_unix(X509_get0_notBefore(x), from) &&
	    tdx_asn1_time_unix(X509_get0_notAfter(x), to);
}

static void
chain_pass(struct checklist *cl, enum tdx_pck_ca ca, bool intel,
    const char *when)
{
	checklist_set(cl, ID_CHAIN, CHECK_PASS, "PCK leaf -> %s -> pinned %s, "
	    "valid at %s; CRLs not checked",
	    ca == TDX_PCK_CA_PLATFORM ? cn_platform_ca : cn_processor_ca,
	    intel ? "Intel SGX Root CA" : "test root", when);
}

/*
 * 5. The PCK chain: exactly leaf, PCK Platform/Processor CA, root; the
 * root byte-identical to root_der; signatures and validity at now; leaf
 * not a CA.  CRLs come with the collateral (tdx_collateral.h).  Sets
 * tdx.pck_chain and returns SUB_OK only when it passed; *anchor_out
 * (caller frees) is the trusted root then.
 */
static enum sub
check_chain(const struct pck_chain *ch, const char *chain_why, int64_t now,
    const uint8_t *root_der, size_t root_der_len, struct checklist *cl,
    X509 **anchor_out)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509 *anchor = NULL;
	STACK_OF(X509) *untrusted = NULL;
	STACK_OF(X509) *built;
	X509_VERIFY_PARAM *param;
	enum tdx_pck_ca ca;
	char when[32];
	bool intel;
	int v, verr;
	enum sub rc = SUB_BAD;

	*anchor_out = NULL;
	fmt_time(now, when, sizeof(when));
	if (ch->n == 0) {
		checklist_set(cl, ID_CHAIN, CHECK_FAIL, "%s", chain_why);
		return SUB_BAD;
	}
	intel = tdx_root_is_intel(root_der, root_der_len);
	if ((size_t)ch->der_len[2] != root_der_len ||
	    CRYPTO_memcmp(ch->der[2], root_der, root_der_len) != 0) {
		checklist_set(cl, ID_CHAIN, CHECK_FAIL, "root certificate in "
		    "the quote is not the pinned %s",
		    intel ? "Intel SGX Root CA" : "test root");
		return SUB_BAD;
	}
	ca = ca_type(X509_get_subject_name(ch->cert[1]));
	if (ca == TDX_PCK_CA_UNKNOWN) {
		checklist_set(cl, ID_CHAIN, CHECK_FAIL, "intermediate is not "
		    "an Intel SGX PCK Platform or Processor CA (subject CN)");
		return SUB_BAD;
	}
	if (X509_check_ca(ch->cert[0]) != 0) {
		checklist_set(cl, ID_CHAIN, CHECK_FAIL,
		    "PCK leaf is a CA certificate");
		return SUB_BAD;
	}

	/*
	 * The anchor is decoded from the trusted bytes, not from the quote.
	 * No default paths: nothing else is trusted.
	 */
	if ((anchor = tdx_root_anchor(root_der, root_der_len)) == NULL ||
	    (store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, anchor) != 1 ||
	    (untrusted = sk_X509_new_null()) == NULL ||
	    sk_X509_push(untrusted, ch->cert[1]) <= 0 ||
	    (ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, store, ch->cert[0], untrusted) != 1)
		goto liberr;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, (time_t)now);
	X509_VERIFY_PARAM_set_depth(param, PCK_CHAIN_CERTS - 2);
	if (X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT) != 1)
		goto liberr;
	v = X509_verify_cert(ctx);
	if (v < 0)
		goto liberr;
	if (v == 0) {
		verr = X509_STORE_CTX_get_error(ctx);
		if (verr == X509_V_ERR_OUT_OF_MEM)
			goto liberr;
		ERR_clear_error();
		checklist_set(cl, ID_CHAIN, CHECK_FAIL, "PCK chain does not "
		    "verify at %s: %s (certificate %d)", when,
		    X509_verify_cert_error_string(verr),
		    X509_STORE_CTX_get_error_depth(ctx));
		goto out;
	}
	built = X509_STORE_CTX_get0_chain(ctx);
	if (built == NULL || sk_X509_num(built) != PCK_CHAIN_CERTS ||
	    X509_cmp(sk_X509_value(built, 1), ch->cert[1]) != 0 ||
	    X509_cmp(sk_X509_value(built, 2), anchor) != 0) {
		checklist_set(cl, ID_CHAIN, CHECK_FAIL, "PCK chain does not "
		    "run leaf -> CA -> root");
		goto out;
	}
	chain_pass(cl, ca, intel, when);
	*anchor_out = anchor;
	anchor = NULL;
	rc = SUB_OK;
	goto out;
 liberr:
	ERR_clear_error();
	checklist_set(cl, ID_CHAIN, CHECK_ERROR, "OpenSSL failed while "
	    "verifying the PCK chain");
	rc = SUB_ERR;
 out:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(store);
	X509_free(anchor);
	return rc;
}

/* The magnitude bytes of a serial number; false if negative or too long. */
static bool
serial_bytes(const X509 *x, uint8_t *out, size_t *outlen)
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

/* SHA-256 of the DER of name. */
static bool
name_hash(const X509_NAME *name, uint8_t out[32])
{
	const unsigned char *der;
	size_t len;

	if (X509_NAME_get0_der((X509_NAME *)(uintptr_t)name, &der, &len) != 1) {
		ERR_clear_error();
		return false;
	}
	sha256(der, len, out);
	return true;
}

static bool
pck_ids_fill(const struct pck_chain *ch, struct tdx_pck_ids *ids)
{
	memset(ids, 0, sizeof(*ids));
	if (ch->n != PCK_CHAIN_CERTS)
		return false;
	name_cn(X509_get_issuer_name(ch->cert[0]), ids->leaf_issuer_cn,
	    sizeof(ids->leaf_issuer_cn));
	return serial_bytes(ch->cert[0], ids->leaf_serial,
	    &ids->leaf_serial_len) &&
	    serial_bytes(ch->cert[1], ids->ca_serial, &ids->ca_serial_len) &&
	    name_hash(X509_get_issuer_name(ch->cert[0]), ids->leaf_issuer) &&
	    name_hash(X509_get_issuer_name(ch->cert[1]), ids->ca_issuer);
}

/* ---- the verified-chain cache ---- */

/*
 * A PCK chain that passed check_chain, keyed by SHA-256 of the chain's
 * bytes in the quote and SHA-256 of the trusted root.  What the chain
 * verification produced (the pass at any time inside the window, the
 * leaf key, the SGX extension, the CRL ids) depends only on those bytes,
 * so a hit skips the PEM and X.509 decoding and the two certificate
 * signatures.  A time outside the window is not a hit: the slow path
 * then produces the exact failure.
 */
struct pck_entry {
	bool			used;
	uint8_t			key[32];
	uint8_t			root[32];
	int64_t			from, to;	/* all three certs valid */
	enum tdx_pck_ca		ca;
	bool			intel;
	EVP_PKEY		*leaf_key;	/* owned reference */
	bool			pck_ok;
	struct tdx_pck_info	pck;
	bool			ids_ok;
	struct tdx_pck_ids	ids;
};

static struct {
	CRYPTO_RWLOCK		*lock;
	struct pck_entry	e[MAX_PCK_CACHE];
	size_t			next;		/* round-robin victim */
	uint64_t		hits, misses;
} pck_cache;
static CRYPTO_ONCE pck_cache_once = CRYPTO_ONCE_STATIC_INIT;

static void
pck_cache_init(void)
{
	pck_cache.lock = CRYPTO_THREAD_lock_new();
}

static bool
pck_cache_ready(void)
{
	return CRYPTO_THREAD_run_once(&pck_cache_once, pck_cache_init) == 1 &&
	    pck_cache.lock != NULL;
}

/* Copy the entry for key/root valid at now into *out (leaf_key up-ref'd). */
static bool
pck_cache_get(const uint8_t key[32], const uint8_t root[32], int64_t now,
    struct pck_entry *out)
{
	size_t i;
	bool hit = false;

	if (!pck_cache_ready() || !CRYPTO_THREAD_read_lock(pck_cache.lock))
		return false;
	for (i = 0; i < MAX_PCK_CACHE; i++) {
		const struct pck_entry *e = &pck_cache.e[i];

		if (!e->used || memcmp(e->key, key, 32) != 0 ||
		    memcmp(e->root, root, 32) != 0)
			continue;
		if (now < e->from || now > e->to ||
		    EVP_PKEY_up_ref(e->leaf_key) != 1)
			break;
		*out = *e;
		hit = true;
		break;
	}
	CRYPTO_THREAD_unlock(pck_cache.lock);
	/* Statistics only: a racy count is fine, a torn one harmless. */
	if (hit)
		__atomic_add_fetch(&pck_cache.hits, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&pck_cache.misses, 1, __ATOMIC_RELAXED);
	return hit;
}

static void
pck_cache_put(const struct pck_entry *in)
{
	struct pck_entry *e;
	EVP_PKEY *old = NULL;
	size_t i;

	if (!pck_cache_ready() || EVP_PKEY_up_ref(in->leaf_key) != 1)
		return;
	if (!CRYPTO_THREAD_write_lock(pck_cache.lock)) {
		EVP_PKEY_free(in->leaf_key);
		return;
	}
	for (i = 0; i < MAX_PCK_CACHE; i++)
		if (pck_cache.e[i].used &&
		    memcmp(pck_cache.e[i].key, in->key, 32) == 0 &&
		    memcmp(pck_cache.e[i].root, in->root, 32) == 0)
			break;
	if (i == MAX_PCK_CACHE) {
		i = pck_cache.next;
		pck_cache.next = (pck_cache.next + 1) % MAX_PCK_CACHE;
	}
	e = &pck_cache.e[i];
	if (e->used)
		old = e->leaf_key;
	*e = *in;
	e->used = true;
	CRYPTO_THREAD_unlock(pck_cache.lock);
	EVP_PKEY_free(old);
}

void
tdx_pck_cache_flush(void)
{
	EVP_PKEY *keys[MAX_PCK_CACHE];
	size_t i, n = 0;

	if (!pck_cache_ready() || !CRYPTO_THREAD_write_lock(pck_cache.lock))
		return;
	for (i = 0; i < MAX_PCK_CACHE; i++) {
		if (pck_cache.e[i].used)
			keys[n++] = pck_cache.e[i].leaf_key;
		memset(&pck_cache.e[i], 0, sizeof(pck_cache.e[i]));
	}
	pck_cache.next = 0;
	CRYPTO_THREAD_unlock(pck_cache.lock);
	for (i = 0; i < n; i++)
		EVP_PKEY_free(keys[i]);
	/* the decoded attestation keys too */
	if (CRYPTO_THREAD_run_once(&ak_cache_once, ak_cache_init) != 1 ||
	    ak_cache.lock == NULL || !CRYPTO_THREAD_write_lock(ak_cache.lock))
		return;
	for (i = n = 0; i < MAX_PCK_CACHE; i++) {
		if (ak_cache.key[i] != NULL)
			keys[n++] = ak_cache.key[i];
		ak_cache.key[i] = NULL;
	}
	ak_cache.next = 0;
	CRYPTO_THREAD_unlock(ak_cache.lock);
	for (i = 0; i < n; i++)
		EVP_PKEY_free(keys[i]);
}

void
tdx_pck_cache_stats(uint64_t *hits, uint64_t *misses)
{
	*hits = __atomic_load_n(&pck_cache.hits, __ATOMIC_RELAXED);
	*misses = __atomic_load_n(&pck_cache.misses, __ATOMIC_RELAXED);
}

/* ---- entry points ---- */

static void
parse_pass(const struct tdx_quote *q, size_t len, struct checklist *cl)
{
	if (q->version == 3)
		checklist_set(cl, ID_PARSE, CHECK_PASS, "v3 SGX, %zu bytes "
		    "(quote %zu), %zu trailing bytes", len, q->quote_len,
		    q->trailing_len);
	else if (q->trailing_len == 0)
		checklist_set(cl, ID_PARSE, CHECK_PASS, "v%u TD%s, %zu bytes, "
		    "no trailing bytes", q->version,
		    q->body_type == TDX_BODY_TD15 ? "15" : "10", len);
	else
		checklist_set(cl, ID_PARSE, CHECK_PASS, "v%u TD%s, %zu bytes "
		    "(quote %zu), %zu trailing %s bytes", q->version,
		    q->body_type == TDX_BODY_TD15 ? "15" : "10", len,
		    q->quote_len, q->trailing_len,
		    q->trailing_nonzero ? "non-zero (unsigned)" : "zero");
}

/*
 * The slow path: decode and verify the chain, then remember it if it
 * passed.  key / root are the cache keys.
 */
static void
check_uncached(struct tdx_quote *q, int64_t now, const uint8_t *root_der,
    size_t root_der_len, const uint8_t key[32], const uint8_t root[32],
    struct checklist *cl)
{
	struct tmon_err err;
	struct pck_chain ch;
	struct pck_entry e;
	EVP_PKEY *leaf_key;
	X509 *anchor = NULL;
	char why[160], kwhy[128];
	enum sub r, kr;

	why[0] = '\0';
	r = chain_load(q, &ch, why, sizeof(why));
	if (r == SUB_ERR) {
		checklist_set(cl, ID_SIG, CHECK_ERROR, "OpenSSL failed while "
		    "reading the PCK chain");
		checklist_set(cl, ID_CHAIN, CHECK_ERROR, "OpenSSL failed while "
		    "reading the PCK chain");
		return;
	}
	kwhy[0] = '\0';
	kr = leaf_key_get(&ch, why, &leaf_key, kwhy, sizeof(kwhy));
	check_signatures(q, leaf_key, kr, kwhy, cl);
	r = check_chain(&ch, why, now, root_der, root_der_len, cl, &anchor);
	if (ch.n > 0) {
		tmon_err_clear(&err);
		q->pck_ok = pck_info_from_x509(ch.cert[0], &q->pck, &err) ==
		    TMON_OK;
		q->pck_ids_ok = pck_ids_fill(&ch, &q->pck_ids);
	}
	if (r == SUB_OK && kr == SUB_OK) {
		memset(&e, 0, sizeof(e));
		memcpy(e.key, key, 32);
		memcpy(e.root, root, 32);
		e.ca = ca_type(X509_get_subject_name(ch.cert[1]));
		e.intel = tdx_root_is_intel(root_der, root_der_len);
		e.leaf_key = leaf_key;
		e.pck_ok = q->pck_ok;
		e.pck = q->pck;
		e.ids_ok = q->pck_ids_ok;
		e.ids = q->pck_ids;
		if (cert_window(ch.cert[0], &e.from, &e.to)) {
			int64_t f, t;
			bool ok = true;

			ok = cert_window(ch.cert[1], &f, &t) && ok;
			e.from = f > e.from ? f : e.from;
			e.to = t < e.to ? t : e.to;
			ok = ok && cert_window(anchor, &f, &t);
			e.from = f > e.from ? f : e.from;
			e.to = t < e.to ? t : e.to;
			if (ok && now >= e.from && now <= e.to)
				pck_cache_put(&e);
		}
	}
	X509_free(anchor);
	chain_free(&ch);
	ERR_clear_error();
}

static bool
check_quote(const uint8_t *buf, size_t len, int64_t now,
    const uint8_t *root_der, size_t root_der_len, bool allow_sgx,
    struct tdx_quote *q, struct checklist *cl)
{
	struct tmon_err err;
	struct pck_entry hit;
	uint8_t key[32], root[32];
	char when[32];
	enum tmon_rc rc;

	tmon_err_clear(&err);
	rc = allow_sgx ? tdx_quote_parse_any(buf, len, q, &err) :
	    tdx_quote_parse(buf, len, q, &err);
	if (rc != TMON_OK) {
		checklist_set(cl, ID_PARSE, CHECK_FAIL, "%s: %s",
		    tmon_rc_str(rc), err.msg);
		checklist_set(cl, ID_SIG, CHECK_SKIP,
		    "not checked: quote did not parse");
		checklist_set(cl, ID_CHAIN, CHECK_SKIP,
		    "not checked: quote did not parse");
		return false;
	}
	parse_pass(q, len, cl);

	if (tdx_root_is_intel(root_der, root_der_len) &&
	    CRYPTO_THREAD_run_once(&intel_root_once, intel_root_init) == 1)
		memcpy(root, intel_root_sha256, 32);
	else
		sha256(root_der, root_der_len, root);
	sha256(cur_data(&q->pck_chain), cur_len(&q->pck_chain), key);
	if (!pck_cache_get(key, root, now, &hit)) {
		check_uncached(q, now, root_der, root_der_len, key, root, cl);
		return true;
	}
	check_signatures(q, hit.leaf_key, SUB_OK, "", cl);
	chain_pass(cl, hit.ca, hit.intel, fmt_time(now, when, sizeof(when)));
	q->pck_ok = hit.pck_ok;
	q->pck = hit.pck;
	q->pck_ids_ok = hit.ids_ok;
	q->pck_ids = hit.ids;
	EVP_PKEY_free(hit.leaf_key);
	return true;
}

bool
tdx_check_quote_root(const uint8_t *buf, size_t len, int64_t now,
    const uint8_t *root_der, size_t root_der_len, struct tdx_quote *q,
    struct checklist *cl)
{
	return check_quote(buf, len, now, root_der, root_der_len, false, q,
	    cl);
}

bool
tdx_check_quote(const uint8_t *buf, size_t len, int64_t now,
    struct tdx_quote *q, struct checklist *cl)
{
	return check_quote(buf, len, now, tdx_intel_root_ca_der,
	    tdx_intel_root_ca_der_len, false, q, cl);
}

bool
tdx_check_quote_any(const uint8_t *buf, size_t len, int64_t now,
    struct tdx_quote *q, struct checklist *cl)
{
	return check_quote(buf, len, now, tdx_intel_root_ca_der,
	    tdx_intel_root_ca_der_len, true, q, cl);
}
