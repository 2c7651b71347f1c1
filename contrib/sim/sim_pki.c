/*
 * sim_pki.c: tmon-sim's TEST PKI, generated with fresh keys at every
 * start and kept in memory; only the two trust anchors (and a README
 * saying what they are) are written out.
 *
 * Intel side (P-256, ECDSA-SHA256), shaped like Intel's (extensions as in
 * the real PCK chains: Intel "SGX PCK Certificate and CRL Profile"):
 *   CN=tmon TEST Intel SGX Root CA            self-signed, CA pathlen 1
 *   CN=Intel SGX PCK Platform CA              CA pathlen 0; the CN is the
 *                                             one tdx_verify.c requires of
 *                                             a PCK intermediate; TEST is
 *                                             in O=tmon TEST PKI
 *   CN=tmon TEST Intel SGX PCK Certificate    leaf, Intel SGX extension
 *                                             1.2.840.113741.1.13.1 with
 *                                             the sim's FMSPC, PCE-ID, SVNs
 *   CN=Intel SGX TCB Signing                  signs TCB info and QE
 *                                             identity (O=tmon TEST PKI)
 *   PCK CRL (by the PCK CA) and Root CA CRL (by the root)
 * NVIDIA side (P-384, ECDSA-SHA384), 5 certificates like the real GPU
 * chains (monitor/verify/gpu_verify.h), every CN starting "tmon TEST";
 * the leaf carries a TCG DICE CompositeDeviceID extension (2.23.133.5.4.1)
 * whose FWID equals the SPDM report's opaque FWID.
 * Completion signing: two secp256k1 keys, [0] the attested one, [1] the
 * "wrong" one.
 * The Tinfoil-shaped enclave (sim/tinfoil): a P-384 TLS key with a
 * self-signed certificate CN=tmon TEST Tinfoil enclave TLS (simulated),
 * and an X25519 HPKE key.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "encode.h"
#include "log.h"
#include "sim.h"
#include "util.h"
#include "xmalloc.h"

#define DAY	(24 * 3600)
#define O_TEST	"tmon TEST PKI"

/* What one certificate looks like. */
struct certspec {
	const char	*cn;
	X509		*issuer;	/* NULL: self-signed */
	EVP_PKEY	*key;		/* the subject's key */
	EVP_PKEY	*issuer_key;	/* NULL: self-signed */
	int64_t		 not_before;
	int64_t		 not_after;	/* 0: 9999-12-31 23:59:59 */
	const char	*bc;		/* basicConstraints value or NULL */
	const char	*ku;		/* keyUsage value */
	const char	*ext_oid;	/* a custom extension, or NULL */
	const struct buf *ext_der;
	const EVP_MD	*md;
};

static EVP_PKEY *
ec_key(const char *curve)
{
	EVP_PKEY *k = EVP_EC_gen(curve);

	sim_ossl_check(k != NULL, "EC key generation");
	return k;
}

static void
add_conf_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

	sim_ossl_check(e != NULL && X509_add_ext(x, e, -1) == 1,
	    "certificate extension");
	X509_EXTENSION_free(e);
}

static void
random_serial(ASN1_INTEGER *serial)
{
	uint8_t b[16];
	BIGNUM *bn;

	sim_ossl_check(RAND_bytes(b, sizeof(b)) == 1, "RAND_bytes");
	b[0] = (uint8_t)((b[0] & 0x7f) | 0x40);	/* positive, 16 bytes */
	bn = BN_bin2bn(b, sizeof(b), NULL);
	sim_ossl_check(bn != NULL && BN_to_ASN1_INTEGER(bn, serial) != NULL,
	    "serial number");
	BN_free(bn);
}

static X509_NAME *
make_name(const char *cn)
{
	X509_NAME *nm = X509_NAME_new();

	sim_ossl_check(nm != NULL &&
	    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) == 1 &&
	    X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_UTF8,
	    (const unsigned char *)O_TEST, -1, -1, 0) == 1, "X509_NAME");
	return nm;
}

static X509 *
make_cert(const struct certspec *s)
{
	X509 *x = X509_new();
	X509_NAME *nm;
	X509_EXTENSION *e;
	X509V3_CTX ctx;
	ASN1_OBJECT *obj;
	ASN1_OCTET_STRING *os;

	sim_ossl_check(x != NULL && X509_set_version(x, 2) == 1, "X509_new");
	random_serial(X509_get_serialNumber(x));
	nm = make_name(s->cn);
	sim_ossl_check(X509_set_subject_name(x, nm) == 1 &&
	    X509_set_issuer_name(x, s->issuer != NULL ?
	    X509_get_subject_name(s->issuer) : nm) == 1, "certificate names");
	X509_NAME_free(nm);
	sim_ossl_check(ASN1_TIME_set(X509_getm_notBefore(x),
	    (time_t)s->not_before) != NULL, "notBefore");
	if (s->not_after == 0)
		sim_ossl_check(ASN1_TIME_set_string_X509(X509_getm_notAfter(x),
		    "99991231235959Z") == 1, "notAfter");
	else
		sim_ossl_check(ASN1_TIME_set(X509_getm_notAfter(x),
		    (time_t)s->not_after) != NULL, "notAfter");
	sim_ossl_check(X509_set_pubkey(x, s->key) == 1, "X509_set_pubkey");

	/* SKI first: a self-signed certificate's AKI refers to it. */
	X509V3_set_ctx(&ctx, s->issuer != NULL ? s->issuer : x, x, NULL, NULL,
	    0);
	add_conf_ext(x, &ctx, NID_subject_key_identifier, "hash");
	add_conf_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
	if (s->bc != NULL)
		add_conf_ext(x, &ctx, NID_basic_constraints, s->bc);
	add_conf_ext(x, &ctx, NID_key_usage, s->ku);
	if (s->ext_oid != NULL) {
		obj = OBJ_txt2obj(s->ext_oid, 1);
		os = ASN1_OCTET_STRING_new();
		sim_ossl_check(obj != NULL && os != NULL &&
		    ASN1_OCTET_STRING_set(os, s->ext_der->data,
		    (int)s->ext_der->len) == 1, "custom extension");
		e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
		sim_ossl_check(e != NULL && X509_add_ext(x, e, -1) == 1,
		    "custom extension");
		X509_EXTENSION_free(e);
		ASN1_OCTET_STRING_free(os);
		ASN1_OBJECT_free(obj);
	}
	sim_ossl_check(X509_sign(x, s->issuer_key != NULL ? s->issuer_key :
	    s->key, s->md) > 0, "X509_sign");
	return x;
}

static char *
cert_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	sim_ossl_check(bio != NULL && PEM_write_bio_X509(bio, x) == 1,
	    "PEM_write_bio_X509");
	n = BIO_get_mem_data(bio, &data);
	data = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return data;
}

static uint8_t *
cert_der(X509 *x, size_t *len)
{
	unsigned char *der = NULL;
	uint8_t *out;
	int n = i2d_X509(x, &der);

	sim_ossl_check(n > 0, "i2d_X509");
	out = xmemdup(der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	return out;
}

/* Concatenated PEM of n certificates. */
static char *
chain_pem(X509 *const *v, size_t n)
{
	struct buf b;
	char *p;
	size_t i;

	buf_init(&b, MAX_SIM_BUILD);
	for (i = 0; i < n; i++) {
		p = cert_pem(v[i]);
		if (!buf_append_str(&b, p))
			fatalx("tmon-sim: chain too long");
		free(p);
	}
	return (char *)buf_release(&b, &i);
}

/*
 * The Intel SGX extension of a PCK leaf (Intel "SGX PCK Certificate and
 * CRL Profile": PPID .1, TCB .2 (.2.1-.2.16, PCESVN .2.17, CPUSVN .2.18),
 * PCE-ID .3, FMSPC .4, SGX type .5, platform instance id .6,
 * configuration .7), in the order real certificates use.
 */
static void
sgx_extension(const struct sim_pki *pki, struct buf *out)
{
	static const char base[] = "1.2.840.113741.1.13.1";
	struct buf all, item, tcb, comp, conf;
	char oid[64];
	uint8_t ppid[32], inst[32];
	int i;

	sha256("tmon TEST PPID", 14, ppid);
	sha256("tmon TEST platform instance", 27, inst);
	buf_init(&all, MAX_SIM_BUILD);

	buf_init(&item, MAX_SIM_BUILD);
	snprintf(oid, sizeof(oid), "%s.1", base);
	der_put_oid(&item, oid);
	der_put(&item, 0x04, ppid, 16);
	der_wrap(&all, 0x30, &item);

	buf_init(&tcb, MAX_SIM_BUILD);
	for (i = 1; i <= 18; i++) {
		buf_init(&comp, MAX_SIM_BUILD);
		snprintf(oid, sizeof(oid), "%s.2.%d", base, i);
		der_put_oid(&comp, oid);
		if (i <= 16)
			der_put_uint(&comp, 0x02, pki->sgx_svn[i - 1]);
		else if (i == 17)
			der_put_uint(&comp, 0x02, pki->pcesvn);
		else
			der_put(&comp, 0x04, pki->sgx_svn, 16);	/* CPUSVN */
		der_wrap(&tcb, 0x30, &comp);
	}
	buf_init(&item, MAX_SIM_BUILD);
	snprintf(oid, sizeof(oid), "%s.2", base);
	der_put_oid(&item, oid);
	der_wrap(&item, 0x30, &tcb);
	der_wrap(&all, 0x30, &item);

	buf_init(&item, MAX_SIM_BUILD);
	snprintf(oid, sizeof(oid), "%s.3", base);
	der_put_oid(&item, oid);
	der_put(&item, 0x04, pki->pceid, sizeof(pki->pceid));
	der_wrap(&all, 0x30, &item);

	buf_init(&item, MAX_SIM_BUILD);
	snprintf(oid, sizeof(oid), "%s.4", base);
	der_put_oid(&item, oid);
	der_put(&item, 0x04, pki->fmspc, sizeof(pki->fmspc));
	der_wrap(&all, 0x30, &item);

	buf_init(&item, MAX_SIM_BUILD);
	snprintf(oid, sizeof(oid), "%s.5", base);
	der_put_oid(&item, oid);
	der_put_uint(&item, 0x0a, 1);		/* SGX type: Scalable */
	der_wrap(&all, 0x30, &item);

	buf_init(&item, MAX_SIM_BUILD);
	snprintf(oid, sizeof(oid), "%s.6", base);
	der_put_oid(&item, oid);
	der_put(&item, 0x04, inst, 16);
	der_wrap(&all, 0x30, &item);

	buf_init(&conf, MAX_SIM_BUILD);
	for (i = 1; i <= 3; i++) {
		buf_init(&comp, MAX_SIM_BUILD);
		snprintf(oid, sizeof(oid), "%s.7.%d", base, i);
		der_put_oid(&comp, oid);
		der_put(&comp, 0x01, i < 3 ? "\xff" : "\x00", 1);
		der_wrap(&conf, 0x30, &comp);
	}
	buf_init(&item, MAX_SIM_BUILD);
	snprintf(oid, sizeof(oid), "%s.7", base);
	der_put_oid(&item, oid);
	der_wrap(&item, 0x30, &conf);
	der_wrap(&all, 0x30, &item);

	der_wrap(out, 0x30, &all);
}

/*
 * TCG DICE CompositeDeviceID { version 1, deviceID SubjectPublicKeyInfo,
 * fwid FWID { id-sha384, digest } }: the form of Hopper leaves, read by
 * gpu_dice_fwid_parse().
 */
static void
dice_extension(const struct sim_pki *pki, EVP_PKEY *key, struct buf *out)
{
	struct buf all, fwid;
	unsigned char *spki = NULL;
	int n;

	buf_init(&all, MAX_SIM_BUILD);
	der_put_uint(&all, 0x02, 1);
	n = i2d_PUBKEY(key, &spki);
	sim_ossl_check(n > 0, "i2d_PUBKEY");
	if (!buf_append(&all, spki, (size_t)n))
		fatalx("tmon-sim: DICE extension too long");
	OPENSSL_free(spki);
	buf_init(&fwid, MAX_SIM_BUILD);
	der_put_oid(&fwid, "2.16.840.1.101.3.4.2.2");
	der_put(&fwid, 0x04, pki->fwid, sizeof(pki->fwid));
	der_wrap(&all, 0x30, &fwid);
	der_wrap(out, 0x30, &all);
}

/*
 * A CRL by issuer (key ikey), thisUpdate..nextUpdate, CRL number 1, the
 * issuer's key identifier, and the given serials revoked (keyCompromise).
 */
static X509_CRL *
make_crl(X509 *issuer, EVP_PKEY *ikey, int64_t this_update,
    int64_t next_update, size_t n_revoked)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *rv;
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	ASN1_TIME *t;
	ASN1_INTEGER *num;
	ASN1_ENUMERATED *reason;
	size_t i;

	sim_ossl_check(crl != NULL && X509_CRL_set_version(crl, 1) == 1 &&
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) == 1,
	    "X509_CRL_new");
	t = ASN1_TIME_set(NULL, (time_t)this_update);
	sim_ossl_check(t != NULL && X509_CRL_set1_lastUpdate(crl, t) == 1,
	    "CRL thisUpdate");
	ASN1_TIME_free(t);
	t = ASN1_TIME_set(NULL, (time_t)next_update);
	sim_ossl_check(t != NULL && X509_CRL_set1_nextUpdate(crl, t) == 1,
	    "CRL nextUpdate");
	ASN1_TIME_free(t);
	for (i = 0; i < n_revoked; i++) {
		rv = X509_REVOKED_new();
		num = ASN1_INTEGER_new();
		sim_ossl_check(rv != NULL && num != NULL, "X509_REVOKED_new");
		random_serial(num);
		sim_ossl_check(X509_REVOKED_set_serialNumber(rv, num) == 1,
		    "revoked serial");
		ASN1_INTEGER_free(num);
		t = ASN1_TIME_set(NULL, (time_t)this_update);
		reason = ASN1_ENUMERATED_new();
		sim_ossl_check(t != NULL && reason != NULL &&
		    X509_REVOKED_set_revocationDate(rv, t) == 1 &&
		    ASN1_ENUMERATED_set(reason, CRL_REASON_KEY_COMPROMISE) ==
		    1 && X509_REVOKED_add1_ext_i2d(rv, NID_crl_reason, reason,
		    0, 0) == 1 && X509_CRL_add0_revoked(crl, rv) == 1,
		    "revoked entry");
		ASN1_TIME_free(t);
		ASN1_ENUMERATED_free(reason);
	}
	num = ASN1_INTEGER_new();
	sim_ossl_check(num != NULL && ASN1_INTEGER_set(num, 1) == 1 &&
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1,
	    "CRL number");
	ASN1_INTEGER_free(num);
	X509V3_set_ctx(&ctx, issuer, NULL, NULL, crl, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier,
	    "keyid:always");
	sim_ossl_check(e != NULL && X509_CRL_add_ext(crl, e, -1) == 1,
	    "CRL authority key identifier");
	X509_EXTENSION_free(e);
	sim_ossl_check(X509_CRL_sort(crl) == 1 &&
	    X509_CRL_sign(crl, ikey, EVP_sha256()) > 0, "X509_CRL_sign");
	return crl;
}

static uint8_t *
crl_der(X509_CRL *crl, size_t *len)
{
	unsigned char *der = NULL;
	uint8_t *out;
	int n = i2d_X509_CRL(crl, &der);

	sim_ossl_check(n > 0, "i2d_X509_CRL");
	out = xmemdup(der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	return out;
}

static char *
crl_pem(X509_CRL *crl)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	sim_ossl_check(bio != NULL && PEM_write_bio_X509_CRL(bio, crl) == 1,
	    "PEM_write_bio_X509_CRL");
	n = BIO_get_mem_data(bio, &data);
	data = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return data;
}

/* The issuer chain header value: URL-encoded PEM of a, then b. */
static char *
chain_header(X509 *a, X509 *b)
{
	X509 *v[2] = { a, b };
	char *pem = chain_pem(v, 2), *enc = sim_urlencode(pem);

	free(pem);
	return enc;
}

static void
intel_pki(struct sim_pki *pki)
{
	struct certspec s;
	struct buf ext;
	X509 *v[3];
	X509_CRL *crl;
	int64_t t0 = pki->start - DAY;

	pki->intel_root_key = ec_key("P-256");
	pki->pck_ca_key = ec_key("P-256");
	pki->pck_leaf_key = ec_key("P-256");
	pki->tcb_key = ec_key("P-256");

	memset(&s, 0, sizeof(s));
	s.md = EVP_sha256();
	s.cn = "tmon TEST Intel SGX Root CA";
	s.key = pki->intel_root_key;
	s.not_before = t0;
	s.not_after = pki->start + 20 * 365 * (int64_t)DAY;
	s.bc = "critical,CA:TRUE,pathlen:1";
	s.ku = "critical,keyCertSign,cRLSign";
	pki->intel_root = make_cert(&s);

	s.cn = "Intel SGX PCK Platform CA";	/* required by tdx_verify.c */
	s.key = pki->pck_ca_key;
	s.issuer = pki->intel_root;
	s.issuer_key = pki->intel_root_key;
	s.not_after = pki->start + 10 * 365 * (int64_t)DAY;
	s.bc = "critical,CA:TRUE,pathlen:0";
	pki->pck_ca = make_cert(&s);

	buf_init(&ext, MAX_SIM_BUILD);
	sgx_extension(pki, &ext);
	s.cn = "tmon TEST Intel SGX PCK Certificate";
	s.key = pki->pck_leaf_key;
	s.issuer = pki->pck_ca;
	s.issuer_key = pki->pck_ca_key;
	s.not_after = pki->start + 7 * 365 * (int64_t)DAY;
	s.bc = "critical,CA:FALSE";
	s.ku = "critical,digitalSignature,nonRepudiation";
	s.ext_oid = "1.2.840.113741.1.13.1";
	s.ext_der = &ext;
	pki->pck_leaf = make_cert(&s);
	buf_free(&ext);

	s.cn = "Intel SGX TCB Signing";
	s.key = pki->tcb_key;
	s.issuer = pki->intel_root;
	s.issuer_key = pki->intel_root_key;
	s.ext_oid = NULL;
	s.ext_der = NULL;
	pki->tcb_cert = make_cert(&s);

	v[0] = pki->pck_leaf;
	v[1] = pki->pck_ca;
	v[2] = pki->intel_root;
	pki->pck_chain_pem = chain_pem(v, 3);
	pki->tcb_chain_hdr = chain_header(pki->tcb_cert, pki->intel_root);
	pki->pck_crl_chain_hdr = chain_header(pki->pck_ca, pki->intel_root);
	pki->intel_root_der = cert_der(pki->intel_root,
	    &pki->intel_root_der_len);

	/* CRLs: one revoked serial that is none of ours, like Intel's */
	crl = make_crl(pki->pck_ca, pki->pck_ca_key, pki->start - 60,
	    pki->start + SIM_COLLATERAL_DAYS * (int64_t)DAY, 1);
	pki->pck_crl_der = crl_der(crl, &pki->pck_crl_der_len);
	pki->pck_crl_pem = crl_pem(crl);
	X509_CRL_free(crl);
	crl = make_crl(pki->intel_root, pki->intel_root_key, pki->start - 60,
	    pki->start + SIM_COLLATERAL_DAYS * (int64_t)DAY, 0);
	pki->root_crl_der = crl_der(crl, &pki->root_crl_der_len);
	X509_CRL_free(crl);
}

static void
nvidia_pki(struct sim_pki *pki)
{
	static const char *const cn[SIM_NV_CHAIN] = {
		"tmon TEST GH100 A01 GSP FMC LF",
		"tmon TEST GH100 A01 GSP BROM",
		"tmon TEST NVIDIA GH100 Provisioner ICA 1",
		"tmon TEST NVIDIA GH100 Identity",
		"tmon TEST NVIDIA Device Identity CA"
	};
	struct certspec s;
	struct buf ext;
	char *pem;
	int i;

	for (i = 0; i < SIM_NV_CHAIN; i++)
		pki->nv_key[i] = ec_key("P-384");
	for (i = SIM_NV_CHAIN - 1; i >= 0; i--) {
		memset(&s, 0, sizeof(s));
		s.md = EVP_sha384();
		s.cn = cn[i];
		s.key = pki->nv_key[i];
		if (i < SIM_NV_CHAIN - 1) {
			s.issuer = pki->nv_cert[i + 1];
			s.issuer_key = pki->nv_key[i + 1];
		}
		s.not_before = pki->start - DAY;
		s.not_after = 0;		/* 9999, as NVIDIA's */
		if (i > 0) {
			s.bc = "critical,CA:TRUE";
			s.ku = i == 1 ? "critical,keyCertSign" :
			    "critical,keyCertSign,cRLSign";
			pki->nv_cert[i] = make_cert(&s);
			continue;
		}
		buf_init(&ext, MAX_SIM_BUILD);
		dice_extension(pki, pki->nv_key[0], &ext);
		s.ku = "critical,digitalSignature";
		s.ext_oid = "2.23.133.5.4.1";
		s.ext_der = &ext;
		pki->nv_cert[0] = make_cert(&s);
		buf_free(&ext);
	}
	pem = chain_pem(pki->nv_cert, SIM_NV_CHAIN);
	pki->gpu_chain_b64 = sim_b64((const uint8_t *)pem, strlen(pem));
	free(pem);
	pki->nvidia_root_der = cert_der(pki->nv_cert[SIM_NV_CHAIN - 1],
	    &pki->nvidia_root_der_len);
}

static void
secp_keys(struct sim_pki *pki)
{
	secp256k1_pubkey pk;
	uint8_t ser[65], seed[32];
	size_t n, i;

	pki->secp = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
	sim_ossl_check(pki->secp != NULL && RAND_bytes(seed, sizeof(seed)) ==
	    1 && secp256k1_context_randomize(pki->secp, seed) == 1,
	    "secp256k1 context");
	for (i = 0; i < SIM_NKEYS; i++) {
		do
			sim_ossl_check(RAND_bytes(pki->sk[i], 32) == 1,
			    "RAND_bytes");
		while (secp256k1_ec_seckey_verify(pki->secp, pki->sk[i]) != 1);
		n = sizeof(ser);
		if (secp256k1_ec_pubkey_create(pki->secp, &pk, pki->sk[i]) !=
		    1 || secp256k1_ec_pubkey_serialize(pki->secp, ser, &n, &pk,
		    SECP256K1_EC_UNCOMPRESSED) != 1 || n != 65)
			fatalx("tmon-sim: secp256k1 key generation failed");
		memcpy(pki->pub[i], ser + 1, 64);
		sim_eth_address(pki->pub[i], pki->address[i]);
	}
}

/* The Tinfoil-shaped enclave's TLS and HPKE keys (sim_tinfoil.c). */
static void
tinfoil_pki(struct sim_pki *pki)
{
	struct certspec s;
	unsigned char *spki = NULL;
	size_t n = sizeof(pki->tf_hpke_key);
	EVP_PKEY *hpke;
	X509 *x;
	int len;

	pki->tf_tls_key = ec_key("P-384");
	memset(&s, 0, sizeof(s));
	s.md = EVP_sha384();
	s.cn = "tmon TEST Tinfoil enclave TLS (simulated)";
	s.key = pki->tf_tls_key;
	s.not_before = pki->start - DAY;
	s.not_after = pki->start + 90 * (int64_t)DAY;
	s.ku = "critical,digitalSignature";
	x = make_cert(&s);
	pki->tf_cert_pem = cert_pem(x);
	X509_free(x);
	len = i2d_PUBKEY(pki->tf_tls_key, &spki);
	sim_ossl_check(len > 0, "i2d_PUBKEY");
	sha256(spki, (size_t)len, pki->tf_tls_key_fp);
	OPENSSL_free(spki);
	hpke = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	sim_ossl_check(hpke != NULL && EVP_PKEY_get_raw_public_key(hpke,
	    pki->tf_hpke_key, &n) == 1 && n == sizeof(pki->tf_hpke_key),
	    "X25519 key generation");
	EVP_PKEY_free(hpke);
}

/* The P-256 attestation key as raw x || y. */
static void
attest_key(struct sim_pki *pki)
{
	uint8_t pt[65];
	size_t n = 0;

	pki->attest_key = ec_key("P-256");
	sim_ossl_check(EVP_PKEY_get_octet_string_param(pki->attest_key,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &n) == 1 &&
	    n == 65 && pt[0] == 0x04, "attestation public key");
	memcpy(pki->attest_pub, pt + 1, 64);
}

void
sim_pki_generate(struct sim_pki *pki)
{
	static const uint8_t fmspc[6] = { 0x7e, 0x57, 0x7e, 0x57, 0x00, 0x00 };
	static const uint8_t svn[16] = { 3, 3, 2, 2, 4, 1, 0, 5 };
	static const uint8_t tee[16] = { 0x0b, 0x01, 0x04 };

	memset(pki, 0, sizeof(*pki));
	pki->start = (int64_t)time(NULL);

	/* The simulated platform: FMSPC 7E577E570000 ("TEST TEST"). */
	memcpy(pki->fmspc, fmspc, sizeof(fmspc));
	memcpy(pki->sgx_svn, svn, sizeof(svn));
	pki->pcesvn = 13;
	memcpy(pki->tee_tcb_svn, tee, sizeof(tee));
	sha256("tmon TEST TD_QE MRSIGNER", 24, pki->qe_mrsigner);
	pki->qe_isvprodid = 2;
	pki->qe_isvsvn = 4;

	intel_pki(pki);
	attest_key(pki);
	sim_tdx_app_init(pki);
	sim_tdx_quote_tail_init(pki);
	sim_gpu_init(pki);
	nvidia_pki(pki);
	secp_keys(pki);
	tinfoil_pki(pki);
	sim_tinfoil_init(pki);
	sim_sigstore_init(&pki->sg, pki);
	sim_tdx_collateral_init(pki);
	ERR_clear_error();
}

/* Write len bytes to dir/name through a temporary file and rename. */
static bool
write_file(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096], tmp[4096];
	FILE *f;
	bool ok;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp",
	    dir, name) >= sizeof(tmp)) {
		log_warnx("tmon-sim: %s/%s: path too long", dir, name);
		return false;
	}
	if ((f = fopen(tmp, "wb")) == NULL) {
		log_warn("tmon-sim: %s", tmp);
		return false;
	}
	ok = fwrite(p, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		log_warn("tmon-sim: %s", path);
		unlink(tmp);
		return false;
	}
	return true;
}

bool
sim_pki_write(const struct sim_pki *pki, const char *dir)
{
	struct buf b;
	char *ipem, *npem, when[32], ihex[65], nhex[65];
	uint8_t h[32];
	bool ok;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		log_warn("tmon-sim: %s", dir);
		return false;
	}
	ipem = cert_pem(pki->intel_root);
	npem = cert_pem(pki->nv_cert[SIM_NV_CHAIN - 1]);
	sha256(pki->intel_root_der, pki->intel_root_der_len, h);
	hex_encode(h, 32, ihex);
	sha256(pki->nvidia_root_der, pki->nvidia_root_der_len, h);
	hex_encode(h, 32, nhex);
	sim_rfc3339(pki->start, when, sizeof(when));
	buf_init(&b, MAX_SIM_BUILD);
	ok = buf_printf(&b,
	    "tmon-sim TEST PKI (written %s)\n"
	    "\n"
	    "THESE ARE TEST TRUST ANCHORS.  tmon-sim (contrib/sim) generated "
	    "a TEST PKI with\nfresh keys when it started; its private keys "
	    "never left its memory and are\ngone when it exits.  Nothing "
	    "signed by these roots is evidence of a real TEE:\nevery "
	    "attestation tmon-sim serves is SIMULATED.\n"
	    "\n"
	    "  intel_root.pem   TEST stand-in for the Intel SGX Root CA\n"
	    "                   SHA-256(DER) %s\n"
	    "  nvidia_root.pem  TEST stand-in for the NVIDIA Device Identity "
	    "CA\n"
	    "                   SHA-256(DER) %s\n"
	    "\n"
	    "tmond trusts them only when its schedule names them explicitly:\n"
	    "\n"
	    "  \"test_trust_anchors\": {\"intel_root_ca\": "
	    "\"%s/intel_root.pem\",\n"
	    "                         \"nvidia_root_ca\": "
	    "\"%s/nvidia_root.pem\"}\n"
	    "\n"
	    "and every TDX and GPU check detail then says \"test PKI\".  The "
	    "files are\nreplaced every time tmon-sim starts.\n",
	    when, ihex, nhex, dir, dir);
	ok = ok && write_file(dir, "intel_root.pem", ipem, strlen(ipem)) &&
	    write_file(dir, "nvidia_root.pem", npem, strlen(npem)) &&
	    write_file(dir, "README", b.data, b.len);
	buf_free(&b);
	free(ipem);
	free(npem);
	return ok;
}

void
sim_pki_free(struct sim_pki *pki)
{
	int i;

	EVP_PKEY_free(pki->intel_root_key);
	EVP_PKEY_free(pki->pck_ca_key);
	EVP_PKEY_free(pki->pck_leaf_key);
	EVP_PKEY_free(pki->tcb_key);
	EVP_PKEY_free(pki->attest_key);
	X509_free(pki->intel_root);
	X509_free(pki->pck_ca);
	X509_free(pki->pck_leaf);
	X509_free(pki->tcb_cert);
	free(pki->pck_chain_pem);
	free(pki->tcb_chain_hdr);
	free(pki->pck_crl_chain_hdr);
	free(pki->pck_crl_der);
	free(pki->root_crl_der);
	free(pki->pck_crl_pem);
	free(pki->intel_root_der);
	free(pki->quote_tail);
	for (i = 0; i < SIM_NV_CHAIN; i++) {
		EVP_PKEY_free(pki->nv_key[i]);
		X509_free(pki->nv_cert[i]);
	}
	free(pki->gpu_chain_b64);
	free(pki->nvidia_root_der);
	if (pki->secp != NULL)
		secp256k1_context_destroy(pki->secp);
	explicit_bzero(pki->sk, sizeof(pki->sk));
	for (i = 0; i < SIM_NAPPS; i++) {
		free(pki->app[i].app_compose);
		free(pki->app[i].event_log_full);
		free(pki->app[i].event_log_nanogpt);
	}
	free(pki->key_provider_info);
	free(pki->vm_config);
	free(pki->tcb_info_body);
	free(pki->qe_identity_body);
	EVP_PKEY_free(pki->tf_tls_key);
	free(pki->tf_cert_pem);
	sim_sigstore_free(&pki->sg);
	memset(pki, 0, sizeof(*pki));
}
