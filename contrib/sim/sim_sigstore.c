/*
 * sim_sigstore.c: tmon-sim's TEST Sigstore and the Tinfoil-shaped
 * releases it signs (SIMULATED, TEST PKI).
 *
 * Every key is derived from a fixed seed text (key_from_seed) and every
 * ECDSA signature uses the deterministic nonce of RFC 6979 section 3.2
 * (det_sign), so the trusted root and every bundle are the same bytes at
 * every start: tests/data/sigstore-test/ holds what `tmon-sim
 * --write-sigstore DIR` writes, and a test checks that they are equal.
 *
 *   Fulcio root CA        CN=tmon test Sigstore Fulcio root (TEST PKI),
 *                         O=tmon test Sigstore, test PKI; self-signed
 *   Fulcio intermediate   CN=tmon test Sigstore Fulcio intermediate
 *                         (TEST PKI); pathlen 0, issues the leaves
 *   CT log key            https://ctfe.test-pki.invalid; log ID =
 *                         SHA-256 of its SubjectPublicKeyInfo (RFC 6962
 *                         3.2)
 *   Rekor key             https://rekor.test-pki.invalid, the same log ID
 *                         rule; signs checkpoints and SETs
 *
 * All keys are ECDSA P-256 with SHA-256.  The trusted root is the
 * TrustedRoot JSON of sigstore/protobuf-specs (mediaType
 * application/vnd.dev.sigstore.trustedroot+json;version=0.1), validity
 * from SG_CA_START, no timestamp authorities.
 *
 * One release (struct sim_release) is what GitHub and Sigstore hold for a
 * tag of a simulated repository "tmon-sim/<name>":
 *   - the deployment document and its SHA-256, the release's tinfoil.hash
 *     asset (lower-case hex and a newline, as Tinfoil publishes it);
 *   - an in-toto Statement v1 (subject "tinfoil-deployment.json" with
 *     that digest) whose predicate is Tinfoil's snp-tdx-multiplatform/v1
 *     (tdx_measurement rtmr1/rtmr2 of a sim/tinfoil deployment) or
 *     hardware-measurements/v1 (MRTD and RTMR0 by platform name);
 *   - a DSSE envelope over it (PAE, DSSE protocol v1) signed by a leaf key
 *     certified by the intermediate: empty subject, SAN URI of the
 *     workflow "https://github.com/<repo>/.github/workflows/release.yml
 *     @refs/tags/<tag>", Fulcio's GitHub Actions extensions
 *     (1.3.6.1.4.1.57264.1.8 to .22, Fulcio docs/oid-info.md, DER
 *     UTF8String values), and an embedded SCT (RFC 6962 3.3) by the CT
 *     log over the precertificate entry (RFC 6962 3.2: issuer key hash
 *     and the TBSCertificate without the SCT list);
 *   - a Rekor dsse 0.0.1 entry in a small log of SG_LOG_SIZE leaves (the
 *     release entries among fixed filler leaves): inclusion proof (RFC
 *     9162 2.1.3 via tlog.h), a checkpoint (C2SP tlog-checkpoint in a
 *     signed note: "— rekor.test-pki.invalid base64(key ID[0:4] || DER
 *     ECDSA signature)"), and a SET (signature over the RFC 8785 JSON
 *     {body, integratedTime, logID, logIndex});
 *   - the bundle (application/vnd.dev.sigstore.bundle.v0.3+json) in the
 *     body GitHub's attestations API answers, and the release JSON of
 *     GET /repos/{owner}/{repo}/releases/latest.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ct.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "encode.h"
#include "jcs.h"
#include "log.h"
#include "sim.h"
#include "tlog.h"
#include "util.h"
#include "xmalloc.h"

#define JFLAGS		(JSON_COMPACT | JSON_PRESERVE_ORDER)
#define SG_O		"tmon test Sigstore, test PKI"
#define SG_ROOT_CN	"tmon test Sigstore Fulcio root (TEST PKI)"
#define SG_INTER_CN	"tmon test Sigstore Fulcio intermediate (TEST PKI)"
#define SG_FULCIO_URL	"https://fulcio.test-pki.invalid"
#define SG_REKOR_URL	"https://rekor.test-pki.invalid"
#define SG_REKOR_NAME	"rekor.test-pki.invalid"
#define SG_CT_URL	"https://ctfe.test-pki.invalid"
#define SG_ORIGIN	SG_REKOR_NAME " - 1"
#define SG_CA_START	1767225600	/* 2026-01-01T00:00:00Z */
#define SG_CA_END	2082758400	/* 2036-01-01T00:00:00Z */
#define SG_T0		1780000000	/* 2026-05-28T20:26:40Z */
#define SG_FILLER	5		/* log leaves before the releases */
#define SG_LOG_SIZE	SIM_SG_LOG_SIZE
#define SG_ISSUER	"https://token.actions.githubusercontent.com"
#define SG_WORKFLOW	".github/workflows/release.yml"
#define SG_SUBJECT	"tinfoil-deployment.json"
#define PT_MULTI	"https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1"
#define PT_HW		"https://tinfoil.sh/predicate/hardware-measurements/v1"
#define INTOTO_TYPE	"application/vnd.in-toto+json"
#define MAX_SG_TEXT	(256u * 1024)

/* The releases: repository, tag, predicate and (for the code releases)
 * the sim/tinfoil deployment whose RTMR1/RTMR2 they attest. */
static const struct {
	const char	*repo;
	const char	*tag;
	bool		 hardware;
	int		 deploy;	/* SIM_TF_* */
} rel_spec[SIM_NRELEASES] = {
	[SIM_REL_TINFOIL] = { "tmon-sim/tinfoil", "v0.1.0", false,
	    SIM_TF_V1 },
	[SIM_REL_HARDWARE] = { "tmon-sim/hardware-measurements", "v0.1.0",
	    true, SIM_TF_V1 },
	[SIM_REL_ROLL_V1] = { "tmon-sim/tinfoil-release", "v0.1.0", false,
	    SIM_TF_V1 },
	[SIM_REL_ROLL_V2] = { "tmon-sim/tinfoil-release", "v0.2.0", false,
	    SIM_TF_V2 },
	[SIM_REL_UNATT_V1] = { "tmon-sim/tinfoil-unattested", "v0.1.0",
	    false, SIM_TF_V1 },
};

/* ---- deterministic keys and signatures --------------------------------- */

/* SHA-256 of the fixed text "tmon test Sigstore: " || label. */
static void
seed_hash(const char *label, uint8_t out[32])
{
	static const char pfx[] = "tmon test Sigstore: ";

	if (!sha256_2(pfx, sizeof(pfx) - 1, label, strlen(label), out))
		fatalx("tmon-sim: sha256");
}

/* A P-256 key whose secret is SHA-256(seed text) mod (n - 1) + 1. */
static EVP_PKEY *
key_from_seed(const char *label)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *d = BN_new(), *nm1 = BN_new();
	EC_POINT *q = g != NULL ? EC_POINT_new(g) : NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;
	uint8_t h[32], pub[65];

	seed_hash(label, h);
	sim_ossl_check(g != NULL && bc != NULL && d != NULL && nm1 != NULL &&
	    q != NULL && bld != NULL && pc != NULL &&
	    BN_copy(nm1, EC_GROUP_get0_order(g)) != NULL &&
	    BN_sub_word(nm1, 1) == 1 && BN_bin2bn(h, 32, d) != NULL &&
	    BN_nnmod(d, d, nm1, bc) == 1 && BN_add_word(d, 1) == 1 &&
	    EC_POINT_mul(g, q, d, NULL, NULL, bc) == 1 &&
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub,
	    sizeof(pub), bc) == sizeof(pub) &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, sizeof(pub)) == 1 &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    EVP_PKEY_fromdata_init(pc) == 1 &&
	    EVP_PKEY_fromdata(pc, &k, EVP_PKEY_KEYPAIR, params) == 1,
	    "test Sigstore key");
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(pc);
	EC_POINT_free(q);
	BN_clear_free(d);
	BN_free(nm1);
	BN_CTX_free(bc);
	EC_GROUP_free(g);
	return k;
}

/* HMAC-SHA256 with a 32-byte key over a || b (b may be NULL). */
static void
hmac256(const uint8_t key[32], const void *a, size_t alen, const void *b,
    size_t blen, uint8_t out[32])
{
	uint8_t msg[128];
	size_t ol = 0;

	if (alen + blen > sizeof(msg))
		fatalx("tmon-sim: HMAC input");
	memcpy(msg, a, alen);
	if (b != NULL)
		memcpy(msg + alen, b, blen);
	sim_ossl_check(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32,
	    msg, alen + blen, out, 32, &ol) != NULL && ol == 32,
	    "HMAC-SHA256");
}

/*
 * ECDSA P-256 over SHA-256(data) with the nonce k of RFC 6979 section
 * 3.2 (HMAC-SHA256; qlen = hlen = 256): the DER signature into out (at
 * most 72 bytes), its length returned.  Checked with EVP_DigestVerify
 * before it is returned.
 */
static size_t
det_sign(EVP_PKEY *key, const void *data, size_t len, uint8_t out[72])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	const BIGNUM *n = g != NULL ? EC_GROUP_get0_order(g) : NULL;
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *d = NULL, *e = BN_new(), *k = BN_new(), *r = BN_new();
	BIGNUM *s = BN_new(), *kinv = BN_new();
	EC_POINT *pt = g != NULL ? EC_POINT_new(g) : NULL;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	uint8_t h[32], m[32 + 1 + 32 + 32], K[32], V[32];
	unsigned char *p = out;
	int dl;

	sim_ossl_check(g != NULL && bc != NULL && e != NULL && k != NULL &&
	    r != NULL && s != NULL && kinv != NULL && pt != NULL &&
	    sig != NULL && mc != NULL && EVP_PKEY_get_bn_param(key,
	    OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
	    BN_bn2binpad(d, m + 33, 32) == 32, "deterministic ECDSA setup");
	sha256(data, len, h);
	/* m = V || 0x00 || int2octets(x) || bits2octets(h1 mod n) */
	sim_ossl_check(BN_bin2bn(h, 32, e) != NULL &&
	    BN_nnmod(e, e, n, bc) == 1 && BN_bn2binpad(e, m + 65, 32) == 32,
	    "h1 mod n");
	memset(V, 0x01, 32);
	memset(K, 0x00, 32);
	memcpy(m, V, 32);
	m[32] = 0x00;
	hmac256(K, m, sizeof(m), NULL, 0, K);		/* step d */
	hmac256(K, V, 32, NULL, 0, V);			/* step e */
	memcpy(m, V, 32);
	m[32] = 0x01;
	hmac256(K, m, sizeof(m), NULL, 0, K);		/* step f */
	hmac256(K, V, 32, NULL, 0, V);			/* step g */
	OPENSSL_cleanse(m, sizeof(m));
	for (;;) {					/* step h */
		hmac256(K, V, 32, NULL, 0, V);
		sim_ossl_check(BN_bin2bn(V, 32, k) != NULL, "k");
		if (!BN_is_zero(k) && BN_cmp(k, n) < 0) {
			sim_ossl_check(EC_POINT_mul(g, pt, k, NULL, NULL, bc) ==
			    1 && EC_POINT_get_affine_coordinates(g, pt, r, NULL,
			    bc) == 1 && BN_nnmod(r, r, n, bc) == 1, "k * G");
			if (!BN_is_zero(r))
				break;
		}
		hmac256(K, V, 32, "\x00", 1, K);
		hmac256(K, V, 32, NULL, 0, V);
	}
	/* s = k^-1 (e + r d) mod n, e the whole SHA-256 (qlen = 256) */
	sim_ossl_check(BN_bin2bn(h, 32, e) != NULL &&
	    BN_mod_inverse(kinv, k, n, bc) != NULL &&
	    BN_mod_mul(s, r, d, n, bc) == 1 && BN_mod_add(s, s, e, n, bc) ==
	    1 && BN_mod_mul(s, s, kinv, n, bc) == 1 && !BN_is_zero(s),
	    "ECDSA s");
	sim_ossl_check(ECDSA_SIG_set0(sig, r, s) == 1, "ECDSA_SIG_set0");
	r = s = NULL;
	dl = i2d_ECDSA_SIG(sig, NULL);
	sim_ossl_check(dl > 0 && dl <= 72 && i2d_ECDSA_SIG(sig, &p) == dl,
	    "i2d_ECDSA_SIG");
	sim_ossl_check(EVP_DigestVerifyInit(mc, NULL, EVP_sha256(), NULL,
	    key) == 1 && EVP_DigestVerify(mc, out, (size_t)dl, data, len) == 1,
	    "deterministic ECDSA self-check");
	EVP_MD_CTX_free(mc);
	ECDSA_SIG_free(sig);
	EC_POINT_free(pt);
	BN_clear_free(d);
	BN_free(e);
	BN_clear_free(k);
	BN_clear_free(kinv);
	BN_free(r);
	BN_free(s);
	BN_CTX_free(bc);
	EC_GROUP_free(g);
	return (size_t)dl;
}

/* DER SubjectPublicKeyInfo of key (new buffer). */
static uint8_t *
spki_der(EVP_PKEY *key, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	uint8_t *out;

	sim_ossl_check(n > 0, "i2d_PUBKEY");
	out = xmemdup(der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return out;
}

static void
log_id_of(EVP_PKEY *key, uint8_t id[32])
{
	size_t n;
	uint8_t *der = spki_der(key, &n);

	sha256(der, n, id);
	free(der);
}

/* ---- certificates ------------------------------------------------------ */

static X509_NAME *
ca_name(const char *cn)
{
	X509_NAME *nm = X509_NAME_new();

	sim_ossl_check(nm != NULL &&
	    X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_UTF8,
	    (const unsigned char *)SG_O, -1, -1, 0) == 1 &&
	    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) == 1, "X509_NAME");
	return nm;
}

static void
conf_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

	sim_ossl_check(e != NULL && X509_add_ext(x, e, -1) == 1,
	    "certificate extension");
	X509_EXTENSION_free(e);
}

/* An extension with the DER value der (OCTET STRING contents). */
static void
raw_ext(X509 *x, const char *oid, bool critical, const struct buf *der)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e;

	sim_ossl_check(obj != NULL && os != NULL && ASN1_OCTET_STRING_set(os,
	    der->data, (int)der->len) == 1, "extension value");
	e = X509_EXTENSION_create_by_OBJ(NULL, obj, critical ? 1 : 0, os);
	sim_ossl_check(e != NULL && X509_add_ext(x, e, -1) == 1, "extension");
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

/* A Fulcio extension 1.3.6.1.4.1.57264.1.<arc>: a DER UTF8String. */
static void
fulcio_ext(X509 *x, int arc, const char *value)
{
	struct buf b;
	char oid[48];

	buf_init(&b, MAX_SG_TEXT);
	der_put(&b, 0x0c, value, strlen(value));
	snprintf(oid, sizeof(oid), "1.3.6.1.4.1.57264.1.%d", arc);
	raw_ext(x, oid, false, &b);
	buf_free(&b);
}

/* The DER TBSCertificate of x as it stands (new buffer). */
static uint8_t *
tbs_der(X509 *x, EVP_PKEY *signer, size_t *len)
{
	unsigned char *der = NULL;
	uint8_t *out;
	int n;

	/* sets the signature AlgorithmIdentifier inside the TBS */
	sim_ossl_check(X509_sign(x, signer, EVP_sha256()) > 0, "X509_sign");
	n = i2d_re_X509_tbs(x, &der);
	sim_ossl_check(n > 0, "i2d_re_X509_tbs");
	out = xmemdup(der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return out;
}

/*
 * Sign x with signer deterministically: Certificate ::= SEQUENCE {
 * tbsCertificate, signatureAlgorithm ecdsa-with-SHA256, signatureValue }
 * (RFC 5280 4.1), parsed back into a new X509; x is freed.
 */
static X509 *
cert_finish(X509 *x, EVP_PKEY *signer)
{
	struct buf c, alg, bits;
	uint8_t *tbs, sig[73];
	const unsigned char *p;
	size_t tl, sl;
	X509 *out;

	tbs = tbs_der(x, signer, &tl);
	sig[0] = 0;			/* BIT STRING: no unused bits */
	sl = det_sign(signer, tbs, tl, sig + 1);
	buf_init(&c, MAX_SG_TEXT);
	buf_init(&alg, 64);
	buf_init(&bits, MAX_SG_TEXT);
	if (!buf_append(&c, tbs, tl))
		fatalx("tmon-sim: certificate too large");
	der_put_oid(&alg, "1.2.840.10045.4.3.2");
	der_wrap(&c, 0x30, &alg);
	der_put(&c, 0x03, sig, sl + 1);
	der_wrap(&bits, 0x30, &c);
	p = bits.data;
	out = d2i_X509(NULL, &p, (long)bits.len);
	sim_ossl_check(out != NULL, "d2i_X509 of the signed certificate");
	buf_free(&bits);
	free(tbs);
	X509_free(x);
	return out;
}

static void
serial_of(X509 *x, const char *label)
{
	uint8_t h[32];
	BIGNUM *bn;

	seed_hash(label, h);
	h[0] = (uint8_t)((h[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(h, 16, NULL);
	sim_ossl_check(bn != NULL && BN_to_ASN1_INTEGER(bn,
	    X509_get_serialNumber(x)) != NULL, "serial number");
	BN_free(bn);
}

static X509 *
ca_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
    const char *bc)
{
	X509 *x = X509_new();
	X509_NAME *nm = ca_name(cn);
	X509V3_CTX ctx;

	sim_ossl_check(x != NULL && X509_set_version(x, 2) == 1 &&
	    X509_set_subject_name(x, nm) == 1 && X509_set_issuer_name(x,
	    issuer != NULL ? X509_get_subject_name(issuer) : nm) == 1 &&
	    ASN1_TIME_set(X509_getm_notBefore(x), SG_CA_START) != NULL &&
	    ASN1_TIME_set(X509_getm_notAfter(x), SG_CA_END) != NULL &&
	    X509_set_pubkey(x, key) == 1, "CA certificate");
	X509_NAME_free(nm);
	serial_of(x, cn);
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	conf_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
	conf_ext(x, &ctx, NID_basic_constraints, bc);
	conf_ext(x, &ctx, NID_subject_key_identifier, "hash");
	conf_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
	return cert_finish(x, issuer_key != NULL ? issuer_key : key);
}

static uint8_t *
der_of(X509 *x, size_t *len)
{
	unsigned char *der = NULL;
	uint8_t *out;
	int n = i2d_X509(x, &der);

	sim_ossl_check(n > 0, "i2d_X509");
	out = xmemdup(der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return out;
}

static char *
b64_of_cert(X509 *x)
{
	size_t n;
	uint8_t *der = der_of(x, &n);
	char *s = sim_b64(der, n);

	free(der);
	return s;
}

static void
put_u(struct buf *b, uint64_t v, int bytes)
{
	uint8_t t[8];
	int i;

	for (i = 0; i < bytes; i++)
		t[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	if (!buf_append(b, t, (size_t)bytes))
		fatalx("tmon-sim: SCT buffer");
}

/*
 * The embedded SCT list of a leaf whose TBSCertificate (without the SCT
 * list) is tbs: the CT log's signature over the digitally-signed struct
 * of RFC 6962 3.2 for a precert_entry, built as an OpenSSL SCT, added to
 * x as the 1.3.6.1.4.1.11129.2.4.2 extension.
 */
static void
add_sct(struct sim_sigstore *sg, X509 *x, const uint8_t *tbs, size_t tl,
    uint64_t ts_ms)
{
	struct buf d;
	uint8_t ikh[32], sig[72], *spki;
	size_t sl, n;
	STACK_OF(SCT) *list = sk_SCT_new_null();
	SCT *sct = SCT_new();

	spki = spki_der(sg->inter_key, &n);
	sha256(spki, n, ikh);
	free(spki);
	buf_init(&d, MAX_SG_TEXT);
	put_u(&d, 0, 1);		/* sct_version v1 */
	put_u(&d, 0, 1);		/* certificate_timestamp */
	put_u(&d, ts_ms, 8);
	put_u(&d, 1, 2);		/* precert_entry */
	if (!buf_append(&d, ikh, 32))
		fatalx("tmon-sim: SCT buffer");
	put_u(&d, tl, 3);
	if (!buf_append(&d, tbs, tl))
		fatalx("tmon-sim: SCT buffer");
	put_u(&d, 0, 2);		/* no CtExtensions */
	sl = det_sign(sg->ct_key, d.data, d.len, sig);
	buf_free(&d);
	sim_ossl_check(list != NULL && sct != NULL &&
	    SCT_set_version(sct, SCT_VERSION_V1) == 1 &&
	    SCT_set_log_entry_type(sct, CT_LOG_ENTRY_TYPE_PRECERT) == 1 &&
	    SCT_set1_log_id(sct, sg->ct_log_id, 32) == 1 &&
	    SCT_set_signature_nid(sct, NID_ecdsa_with_SHA256) == 1 &&
	    SCT_set1_signature(sct, sig, sl) == 1 &&
	    sk_SCT_push(list, sct) > 0, "SCT");
	SCT_set_timestamp(sct, ts_ms);
	sim_ossl_check(X509_add1_ext_i2d(x, NID_ct_precert_scts, list, 0,
	    X509V3_ADD_APPEND) == 1, "SCT list extension");
	SCT_LIST_free(list);
}

/* The Fulcio leaf of release r, certifying key (returns a new X509). */
static X509 *
leaf_cert(struct sim_sigstore *sg, const struct sim_release *r,
    EVP_PKEY *key, int64_t t)
{
	X509 *x = X509_new();
	X509_NAME *empty = X509_NAME_new();
	X509V3_CTX ctx;
	struct buf san, inner;
	char uri[512], repo_uri[256], ref[128], runs[320], owner[256];
	char commit[41], label[256], repo_id[16];
	uint8_t h[32], *tbs;
	size_t tl;

	snprintf(uri, sizeof(uri), "https://github.com/%s/%s@refs/tags/%s",
	    r->repo, SG_WORKFLOW, r->tag);
	snprintf(repo_uri, sizeof(repo_uri), "https://github.com/%s",
	    r->repo);
	snprintf(owner, sizeof(owner), "https://github.com/tmon-sim");
	snprintf(ref, sizeof(ref), "refs/tags/%s", r->tag);
	snprintf(label, sizeof(label), "commit %s %s", r->repo, r->tag);
	seed_hash(label, h);
	hex_encode(h, 20, commit);
	snprintf(runs, sizeof(runs), "%s/actions/runs/%u/attempts/1",
	    repo_uri, 1000u + (unsigned)r->index);
	snprintf(repo_id, sizeof(repo_id), "%u", 900000u + (unsigned)h[20]);

	sim_ossl_check(x != NULL && empty != NULL && X509_set_version(x, 2) ==
	    1 && X509_set_subject_name(x, empty) == 1 &&
	    X509_set_issuer_name(x, X509_get_subject_name(sg->inter)) == 1 &&
	    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(t - 60)) != NULL &&
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(t + 540)) != NULL &&
	    X509_set_pubkey(x, key) == 1, "leaf certificate");
	X509_NAME_free(empty);
	snprintf(label, sizeof(label), "leaf serial %s %s", r->repo, r->tag);
	serial_of(x, label);
	X509V3_set_ctx(&ctx, sg->inter, x, NULL, NULL, 0);
	conf_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
	conf_ext(x, &ctx, NID_ext_key_usage, "codeSigning");
	conf_ext(x, &ctx, NID_subject_key_identifier, "hash");
	conf_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
	/* SAN: SEQUENCE { [6] IA5String uri }, critical (empty subject) */
	buf_init(&san, MAX_SG_TEXT);
	buf_init(&inner, MAX_SG_TEXT);
	der_put(&inner, 0x86, uri, strlen(uri));
	der_wrap(&san, 0x30, &inner);
	raw_ext(x, "2.5.29.17", true, &san);
	buf_free(&san);
	/* Fulcio docs/oid-info.md, 1.3.6.1.4.1.57264.1.8 onwards */
	fulcio_ext(x, 8, SG_ISSUER);
	fulcio_ext(x, 9, uri);			/* Build Signer URI */
	fulcio_ext(x, 10, commit);		/* Build Signer Digest */
	fulcio_ext(x, 11, "github-hosted");	/* Runner Environment */
	fulcio_ext(x, 12, repo_uri);		/* Source Repository URI */
	fulcio_ext(x, 13, commit);		/* Source Repository Digest */
	fulcio_ext(x, 14, ref);			/* Source Repository Ref */
	fulcio_ext(x, 15, repo_id);		/* Source Repository Identifier */
	fulcio_ext(x, 16, owner);		/* Source Repository Owner URI */
	fulcio_ext(x, 17, "424242");		/* Source Repository Owner ID */
	fulcio_ext(x, 18, uri);			/* Build Config URI */
	fulcio_ext(x, 19, commit);		/* Build Config Digest */
	fulcio_ext(x, 20, "push");		/* Build Trigger */
	fulcio_ext(x, 21, runs);		/* Run Invocation URI */
	fulcio_ext(x, 22, "public");		/* Source Repository Visibility */
	/* the precertificate's TBS is this one (no poison, no SCT list) */
	tbs = tbs_der(x, sg->inter_key, &tl);
	add_sct(sg, x, tbs, tl, (uint64_t)(t - 59) * 1000u);
	free(tbs);
	return cert_finish(x, sg->inter_key);
}

/* ---- the log ----------------------------------------------------------- */

static void
node_hash(const struct sim_sigstore *sg, unsigned level, uint64_t index,
    uint8_t out[32])
{
	uint8_t l[32], r[32];

	if (level == 0) {
		memcpy(out, sg->leaf[index], 32);
		return;
	}
	node_hash(sg, level - 1, 2 * index, l);
	node_hash(sg, level - 1, 2 * index + 1, r);
	tlog_node_hash(l, r, out);
}

static enum tmon_rc
read_nodes(void *arg, const struct tlog_node *nodes, size_t n,
    uint8_t (*out)[32], struct tmon_err *err)
{
	const struct sim_sigstore *sg = arg;
	size_t i;

	(void)err;
	for (i = 0; i < n; i++)
		node_hash(sg, nodes[i].level, nodes[i].index, out[i]);
	return TMON_OK;
}

/* The checkpoint of the whole log as a signed note (C2SP). */
static char *
checkpoint(struct sim_sigstore *sg)
{
	struct buf t;
	uint8_t sig[4 + 72];
	size_t sl;
	char *root_b64, *sig_b64, *out;

	root_b64 = sim_b64(sg->root_hash, 32);
	buf_init(&t, MAX_SG_TEXT);
	if (!buf_printf(&t, "%s\n%u\n%s\n", SG_ORIGIN, (unsigned)SG_LOG_SIZE,
	    root_b64))
		fatalx("tmon-sim: checkpoint");
	memcpy(sig, sg->rekor_log_id, 4);
	sl = det_sign(sg->rekor_key, t.data, t.len, sig + 4);
	sig_b64 = sim_b64(sig, 4 + sl);
	if (!buf_printf(&t, "\n\xe2\x80\x94 %s %s\n", SG_REKOR_NAME, sig_b64))
		fatalx("tmon-sim: checkpoint");
	out = xstrndup((const char *)t.data, t.len);
	buf_free(&t);
	free(root_b64);
	free(sig_b64);
	return out;
}

/* ---- releases ---------------------------------------------------------- */

static json_t *
jhex(const uint8_t *p, size_t n)
{
	char *h = sim_hex(p, n);
	json_t *j = json_string(h);

	free(h);
	return j;
}

static json_t *
jb64(const uint8_t *p, size_t n)
{
	char *h = sim_b64(p, n);
	json_t *j = json_string(h);

	free(h);
	return j;
}

/* A decimal string (the protobuf JSON form of an int64). */
static json_t *
jdec(uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	return json_string(s);
}

static char *
dump_flags(const json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags);

	if (s == NULL)
		fatalx("tmon-sim: json_dumps failed");
	return s;
}

/* The RFC 8785 form of j (new string). */
static char *
jcs_text(json_t *j)
{
	struct buf b;
	struct tmon_err err;
	char *s;

	buf_init(&b, MAX_SG_TEXT);
	if (jcs_append(&b, j, &err) != TMON_OK)
		fatalx("tmon-sim: RFC 8785: %s", err.msg);
	s = xstrndup((const char *)b.data, b.len);
	buf_free(&b);
	return s;
}

/* The predicate of release i. */
static json_t *
predicate(const struct sim_pki *pki, int i)
{
	const struct sim_app *d = &pki->tf_deploy[rel_spec[i].deploy];
	uint8_t snp[48];
	char label[128];
	json_t *j;

	if (rel_spec[i].hardware)
		j = json_pack("{s:{s:o,s:o}}", "tmon-sim-tdx",
		    "mrtd", jhex(pki->mrtd[0], 48),
		    "rtmr0", jhex(d->rtmr[0], 48));
	else {
		snprintf(label, sizeof(label), "tmon test SNP measurement %s",
		    rel_spec[i].tag);
		sim_sha384(label, strlen(label), NULL, 0, NULL, 0, snp);
		j = json_pack("{s:o,s:{s:o,s:o},s:s,s:s}",
		    "snp_measurement", jhex(snp, 48),
		    "tdx_measurement", "rtmr1", jhex(d->rtmr[1], 48),
		    "rtmr2", jhex(d->rtmr[2], 48),
		    "cmdline", "tmon-sim TEST enclave (simulated)",
		    "tmon_sim", SIM_NOTICE);
	}
	if (j == NULL)
		fatalx("tmon-sim: predicate");
	return j;
}

/*
 * Release i, first part: digest, statement, DSSE envelope, Fulcio leaf,
 * the Rekor entry body and its leaf hash in the log.
 */
static void
release_sign(struct sim_sigstore *sg, const struct sim_pki *pki, int i)
{
	struct sim_release *r = &sg->rel[i];
	json_t *doc, *st, *env, *body;
	char *doc_s, *payload, *env_s, *body_s, *cert_pem, *pem_b64;
	char label[256], phex[65], ehex[65], *data;
	uint8_t ph[32], eh[32], sig[72];
	struct buf p;
	size_t sl;
	EVP_PKEY *key;
	X509 *leaf;
	BIO *bio;
	long n;

	r->index = i;
	r->repo = rel_spec[i].repo;
	r->tag = rel_spec[i].tag;
	r->integrated_time = SG_T0 + (int64_t)i * 86400;
	r->log_index = SG_FILLER + (uint64_t)i;

	/* the deployment document and its digest (tinfoil.hash) */
	doc = json_pack("{s:s,s:s,s:s,s:o}", "repository", r->repo, "tag",
	    r->tag, "tmon_sim", SIM_NOTICE, "predicate", predicate(pki, i));
	if (doc == NULL)
		fatalx("tmon-sim: deployment document");
	doc_s = dump_flags(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	sha256(doc_s, strlen(doc_s), r->digest);
	free(doc_s);
	hex_encode(r->digest, 32, r->hash_text);
	r->hash_text[64] = '\n';
	r->hash_text[65] = '\0';

	/* the in-toto statement v1 and its DSSE envelope */
	st = json_pack("{s:s,s:[{s:s,s:{s:o}}],s:s,s:o}",
	    "_type", "https://in-toto.io/Statement/v1",
	    "subject", "name", SG_SUBJECT, "digest", "sha256",
	    jhex(r->digest, 32),
	    "predicateType", rel_spec[i].hardware ? PT_HW : PT_MULTI,
	    "predicate", predicate(pki, i));
	if (st == NULL)
		fatalx("tmon-sim: statement");
	payload = dump_flags(st, JFLAGS);
	json_decref(st);
	snprintf(label, sizeof(label), "leaf key %s %s", r->repo, r->tag);
	key = key_from_seed(label);
	buf_init(&p, MAX_SG_TEXT);
	if (!buf_printf(&p, "DSSEv1 %zu %s %zu ", strlen(INTOTO_TYPE),
	    INTOTO_TYPE, strlen(payload)) || !buf_append(&p, payload,
	    strlen(payload)))
		fatalx("tmon-sim: PAE");
	sl = det_sign(key, p.data, p.len, sig);
	buf_free(&p);
	r->payload_b64 = sim_b64((const uint8_t *)payload, strlen(payload));
	r->sig_b64 = sim_b64(sig, sl);
	sha256(payload, strlen(payload), ph);
	free(payload);
	env = json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "payload", r->payload_b64,
	    "payloadType", INTOTO_TYPE, "signatures", "keyid", "", "sig",
	    r->sig_b64);
	if (env == NULL)
		fatalx("tmon-sim: envelope");
	env_s = dump_flags(env, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(env);
	sha256(env_s, strlen(env_s), eh);
	free(env_s);

	/* the Fulcio leaf */
	leaf = leaf_cert(sg, r, key, r->integrated_time);
	EVP_PKEY_free(key);
	bio = BIO_new(BIO_s_mem());
	sim_ossl_check(bio != NULL && PEM_write_bio_X509(bio, leaf) == 1,
	    "PEM_write_bio_X509");
	n = BIO_get_mem_data(bio, &data);
	cert_pem = xstrndup(data, (size_t)n);
	BIO_free(bio);
	r->cert_b64 = b64_of_cert(leaf);
	X509_free(leaf);

	/* the Rekor dsse 0.0.1 entry, canonical (RFC 8785) */
	hex_encode(ph, 32, phex);
	hex_encode(eh, 32, ehex);
	pem_b64 = sim_b64((const uint8_t *)cert_pem, strlen(cert_pem));
	body = json_pack("{s:s,s:s,s:{s:{s:s,s:s},s:{s:s,s:s},"
	    "s:[{s:s,s:s}]}}", "apiVersion", "0.0.1", "kind", "dsse",
	    "spec", "envelopeHash", "algorithm", "sha256", "value", ehex,
	    "payloadHash", "algorithm", "sha256", "value", phex,
	    "signatures", "signature", r->sig_b64, "verifier", pem_b64);
	if (body == NULL)
		fatalx("tmon-sim: Rekor body");
	body_s = jcs_text(body);
	json_decref(body);
	r->body_b64 = sim_b64((const uint8_t *)body_s, strlen(body_s));
	tlog_leaf_hash(body_s, strlen(body_s), sg->leaf[r->log_index]);
	free(body_s);
	free(pem_b64);
	free(cert_pem);
}

/*
 * Release i, second part (the log complete): inclusion proof, SET, the
 * bundle in GitHub's attestations body, the release JSON.
 */
static void
release_publish(struct sim_sigstore *sg, int i)
{
	struct sim_release *r = &sg->rel[i];
	uint8_t proof[TLOG_MAX_PROOF][32], sig[72];
	struct tmon_err err;
	json_t *set, *hashes, *entry, *bundle, *att, *rel;
	char *set_s, *logid_hex, when[32], url[512], body[1024];
	size_t np, k, sl;

	if (tlog_prove_inclusion(r->log_index, SG_LOG_SIZE, read_nodes, sg,
	    proof, &np, &err) != TMON_OK)
		fatalx("tmon-sim: inclusion proof: %s", err.msg);
	hashes = json_array();
	for (k = 0; k < np; k++)
		json_array_append_new(hashes, jb64(proof[k], 32));

	/* SET: the Rekor key's signature over the canonical JSON of
	 * {body, integratedTime, logID (hex), logIndex} */
	logid_hex = sim_hex(sg->rekor_log_id, 32);
	set = json_pack("{s:s,s:I,s:s,s:I}", "body", r->body_b64,
	    "integratedTime", (json_int_t)r->integrated_time, "logID",
	    logid_hex, "logIndex", (json_int_t)r->log_index);
	if (set == NULL)
		fatalx("tmon-sim: SET");
	set_s = jcs_text(set);
	json_decref(set);
	sl = det_sign(sg->rekor_key, set_s, strlen(set_s), sig);
	free(set_s);
	free(logid_hex);

	entry = json_pack("{s:o,s:{s:o},s:{s:s,s:s},s:o,s:{s:o},"
	    "s:{s:o,s:o,s:o,s:o,s:{s:s}},s:s}",
	    "logIndex", jdec(r->log_index),
	    "logId", "keyId", jb64(sg->rekor_log_id, 32),
	    "kindVersion", "kind", "dsse", "version", "0.0.1",
	    "integratedTime", jdec((uint64_t)r->integrated_time),
	    "inclusionPromise", "signedEntryTimestamp", jb64(sig, sl),
	    "inclusionProof", "logIndex", jdec(r->log_index),
	    "rootHash", jb64(sg->root_hash, 32),
	    "treeSize", jdec(SG_LOG_SIZE), "hashes", hashes,
	    "checkpoint", "envelope", sg->checkpoint,
	    "canonicalizedBody", r->body_b64);
	bundle = entry == NULL ? NULL : json_pack("{s:s,s:{s:[o],s:{},s:{s:s}},"
	    "s:{s:s,s:s,s:[{s:s}]}}",
	    "mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json",
	    "verificationMaterial", "tlogEntries", entry,
	    "timestampVerificationData", "certificate", "rawBytes",
	    r->cert_b64,
	    "dsseEnvelope", "payload", r->payload_b64, "payloadType",
	    INTOTO_TYPE, "signatures", "sig", r->sig_b64);
	att = bundle == NULL ? NULL : json_pack("{s:[{s:I,s:n,s:s,s:o}]}",
	    "attestations", "repository_id", (json_int_t)(900000 + i),
	    "bundle_url", "initiator", "user", "bundle", bundle);
	if (att == NULL)
		fatalx("tmon-sim: attestations body");
	r->attestations = dump_flags(att, JFLAGS);
	json_decref(att);

	/* GET /repos/{owner}/{repo}/releases/latest */
	sim_rfc3339(r->integrated_time, when, sizeof(when));
	snprintf(url, sizeof(url), "https://github.com/%s/releases/download/"
	    "%s/tinfoil.hash", r->repo, r->tag);
	snprintf(body, sizeof(body), "SIMULATED release of tmon-sim (TEST "
	    "PKI)\r\n\r\nDigest: `%.64s`\r\n", r->hash_text);
	rel = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:b,s:b,s:s,s:s,"
	    "s:[{s:s,s:s,s:i,s:s}],s:s,s:s}",
	    "url", "https://api.github.com/repos/tmon-sim/releases",
	    "html_url", "https://github.com/tmon-sim/releases",
	    "id", (json_int_t)(343000000 + i),
	    "tag_name", r->tag, "target_commitish", "main", "name", r->tag,
	    "draft", 0, "prerelease", 0, "created_at", when,
	    "published_at", when,
	    "assets", "name", "tinfoil.hash", "content_type",
	    "application/octet-stream", "size", 65,
	    "browser_download_url", url,
	    "body", body, "tmon_sim", SIM_NOTICE);
	if (rel == NULL)
		fatalx("tmon-sim: release JSON");
	snprintf(url, sizeof(url), "https://api.github.com/repos/%s/releases/"
	    "%d", r->repo, 343000000 + i);
	json_object_set_new(rel, "url", json_string(url));
	snprintf(url, sizeof(url), "https://github.com/%s/releases/tag/%s",
	    r->repo, r->tag);
	json_object_set_new(rel, "html_url", json_string(url));
	r->release_json = dump_flags(rel, JFLAGS);
	json_decref(rel);
}

/* ---- the trusted root -------------------------------------------------- */

static json_t *
tlog_key(EVP_PKEY *key, const uint8_t id[32], const char *url)
{
	size_t n;
	uint8_t *der = spki_der(key, &n);
	char start[32];
	json_t *j;

	sim_rfc3339(SG_CA_START, start, sizeof(start));
	j = json_pack("{s:s,s:s,s:{s:o,s:s,s:{s:s}},s:{s:o}}",
	    "baseUrl", url, "hashAlgorithm", "SHA2_256",
	    "publicKey", "rawBytes", jb64(der, n),
	    "keyDetails", "PKIX_ECDSA_P256_SHA_256",
	    "validFor", "start", start,
	    "logId", "keyId", jb64(id, 32));
	free(der);
	return j;
}

static char *
trusted_root(const struct sim_sigstore *sg)
{
	char start[32], end[32], *ib, *rb, *s;
	json_t *j;

	sim_rfc3339(SG_CA_START, start, sizeof(start));
	sim_rfc3339(SG_CA_END, end, sizeof(end));
	ib = b64_of_cert(sg->inter);
	rb = b64_of_cert(sg->root);
	j = json_pack("{s:s,s:[o],s:[{s:{s:s,s:s},s:s,s:{s:[{s:s},{s:s}]},"
	    "s:{s:s,s:s}}],s:[o],s:[]}",
	    "mediaType", "application/vnd.dev.sigstore.trustedroot+json;"
	    "version=0.1",
	    "tlogs", tlog_key(sg->rekor_key, sg->rekor_log_id, SG_REKOR_URL),
	    "certificateAuthorities", "subject", "organization", SG_O,
	    "commonName", SG_INTER_CN, "uri", SG_FULCIO_URL,
	    "certChain", "certificates", "rawBytes", ib, "rawBytes", rb,
	    "validFor", "start", start, "end", end,
	    "ctlogs", tlog_key(sg->ct_key, sg->ct_log_id, SG_CT_URL),
	    "timestampAuthorities");
	free(ib);
	free(rb);
	if (j == NULL)
		fatalx("tmon-sim: trusted root");
	s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s == NULL)
		fatalx("tmon-sim: trusted root");
	return s;
}

/* ---- interface --------------------------------------------------------- */

void
sim_sigstore_init(struct sim_sigstore *sg, const struct sim_pki *pki)
{
	struct tmon_err err;
	char *cp;
	uint8_t h[32];
	int i;

	memset(sg, 0, sizeof(*sg));
	sg->root_key = key_from_seed("Fulcio root CA");
	sg->inter_key = key_from_seed("Fulcio intermediate CA");
	sg->ct_key = key_from_seed("CT log");
	sg->rekor_key = key_from_seed("Rekor");
	log_id_of(sg->ct_key, sg->ct_log_id);
	log_id_of(sg->rekor_key, sg->rekor_log_id);
	sg->root = ca_cert(SG_ROOT_CN, sg->root_key, NULL, NULL,
	    "critical,CA:TRUE,pathlen:1");
	sg->inter = ca_cert(SG_INTER_CN, sg->inter_key, sg->root,
	    sg->root_key, "critical,CA:TRUE,pathlen:0");
	/* filler leaves: other entries of the test log */
	for (i = 0; i < SG_LOG_SIZE; i++) {
		char label[64];

		snprintf(label, sizeof(label), "filler entry %d", i);
		seed_hash(label, h);
		tlog_leaf_hash(h, 32, sg->leaf[i]);
	}
	for (i = 0; i < SIM_NRELEASES; i++)
		release_sign(sg, pki, i);
	if (tlog_root(SG_LOG_SIZE, read_nodes, sg, sg->root_hash, &err) !=
	    TMON_OK)
		fatalx("tmon-sim: log root: %s", err.msg);
	cp = checkpoint(sg);
	sg->checkpoint = cp;
	for (i = 0; i < SIM_NRELEASES; i++)
		release_publish(sg, i);
	sg->trusted_root = trusted_root(sg);
}

const struct sim_release *
sim_sigstore_find(const struct sim_sigstore *sg, const char *repo,
    const char *tag)
{
	int i;

	for (i = 0; i < SIM_NRELEASES; i++)
		if (strcmp(sg->rel[i].repo, repo) == 0 && (tag == NULL ||
		    strcmp(sg->rel[i].tag, tag) == 0))
			return &sg->rel[i];
	return NULL;
}

static bool
write_one(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		log_warn("tmon-sim: %s", path);
		return false;
	}
	ok = fwrite(text, 1, strlen(text), f) == strlen(text);
	ok = fclose(f) == 0 && ok;
	if (!ok)
		log_warn("tmon-sim: %s", path);
	return ok;
}

bool
sim_sigstore_write(const struct sim_sigstore *sg, const char *dir)
{
	char name[256], *p;
	int i;
	bool ok;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		log_warn("tmon-sim: %s", dir);
		return false;
	}
	ok = write_one(dir, "trusted_root.json", sg->trusted_root);
	for (i = 0; ok && i < SIM_NRELEASES; i++) {
		/* tmon-sim/tinfoil-release v0.2.0 ->
		 * tinfoil-release_v0.2.0.{attestations.json,hash} */
		snprintf(name, sizeof(name), "%s_%s.attestations.json",
		    sg->rel[i].repo + strlen("tmon-sim/"), sg->rel[i].tag);
		ok = write_one(dir, name, sg->rel[i].attestations);
		p = strstr(name, ".attestations.json");
		snprintf(p, sizeof(name) - (size_t)(p - name), ".hash");
		ok = ok && write_one(dir, name, sg->rel[i].hash_text);
	}
	return ok;
}

void
sim_sigstore_free(struct sim_sigstore *sg)
{
	int i;

	for (i = 0; i < SIM_NRELEASES; i++) {
		free(sg->rel[i].payload_b64);
		free(sg->rel[i].sig_b64);
		free(sg->rel[i].cert_b64);
		free(sg->rel[i].body_b64);
		free(sg->rel[i].attestations);
		free(sg->rel[i].release_json);
	}
	free(sg->checkpoint);
	free(sg->trusted_root);
	X509_free(sg->root);
	X509_free(sg->inter);
	EVP_PKEY_free(sg->root_key);
	EVP_PKEY_free(sg->inter_key);
	EVP_PKEY_free(sg->ct_key);
	EVP_PKEY_free(sg->rekor_key);
}
