/*
 * tdx_verify.c: TDX quote signatures, QE report binding and PCK chain
 * (Intel QVL QuoteVerifier.cpp; procedure in tdx_verify.h).
 *
 * Cost per quote, first time a PCK chain is seen: one PEM decode of
 * three certificates, two X.509 decodes (leaf and CA: the root is only
 * compared as bytes), four ECDSA-P256 verifications (quote, QE report,
 * leaf, intermediate) and three SHA-256.  A chain that verified is kept
 * in the caller's struct verify_ctx, keyed by SHA-256 of its bytes and
 * of the trusted root, so a quote from a platform seen before costs two
 * ECDSA-P256 verifications (quote, QE report) and three SHA-256.  Raw
 * keys and signatures become OpenSSL objects directly (EVP_PKEY_fromdata
 * for x||y, ECDSA_SIG from r||s); attestation keys that decoded are kept
 * in the verify_ctx too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tdx_verify.h"
#include "tmon_limits.h"
#include "util.h"
#include "x509.h"

#define PCK_CHAIN_CERTS	3	/* leaf, PCK Platform/Processor CA, root */

#define ID_PARSE	"tdx.quote.parse"
#define ID_SIG		"tdx.quote.signature"
#define ID_CHAIN	"tdx.pck_chain"

/* OID 1.2.840.113741.1.13.1 (Intel SGX extensions), DER content bytes. */
static const uint8_t sgx_ext_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01
};

static const char cn_platform_ca[] = "Intel SGX PCK Platform CA";
static const char cn_processor_ca[] = "Intel SGX PCK Processor CA";
static const char name_intel_root[] = "Intel SGX Root CA";
static const char name_test_root[] = "test root";

/*
 * The P-256 attestation key x||y as a new reference in *out, decoded or
 * from vc: EVP_PKEY_fromdata makes a new EC group each time (~8% of a
 * warm verification), and one platform's quoting enclave signs with one
 * key.  Only keys that decoded are kept; decoding is a pure function of
 * the 64 bytes, so keeping them changes no result.
 */
static enum verdict
attest_key_get(struct verify_ctx *vc, const uint8_t xy[TDX_ECDSA_KEY_LEN],
    EVP_PKEY **out)
{
	enum verdict v;

	if ((*out = verify_ctx_key_get(vc, xy)) != NULL)
		return VERDICT_PASS;
	if ((v = x509_ec_key_raw("P-256", xy, TDX_ECDSA_KEY_LEN, out,
	    "tdx: attestation key")) == VERDICT_PASS)
		verify_ctx_key_put(vc, xy, *out);
	return v;
}

/*
 * Verify the raw r||s ECDSA signature over SHA-256(msg) with pkey.  A
 * signature that does not verify (including r or s out of range) is
 * VERDICT_FAIL; only library failures are VERDICT_ERROR.
 */
static enum verdict
ecdsa_verify_raw(EVP_PKEY *pkey, const uint8_t *msg, size_t msglen,
    const uint8_t rs[TDX_ECDSA_SIG_LEN])
{
	return x509_ecdsa_verify_raw(pkey, EVP_sha256(), rs,
	    TDX_ECDSA_SIG_LEN, msg, msglen, "tdx: ECDSA");
}

/* True if pkey is an EC key on P-256. */
static bool
is_p256(const EVP_PKEY *pkey)
{
	char group[32];

	if (!EVP_PKEY_is_a(pkey, "EC"))
		return false;
	if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) != 1) {
		(void)x509_drain_errors("tdx: key group");
		return false;
	}
	return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

/*
 * The PCK chain of q under the one PEM policy: exactly leaf, CA, root,
 * the root kept as DER only.  An error fills why.
 */
static enum tmon_rc
chain_load(const struct tdx_quote *q, struct x509_chain *ch, char *why,
    size_t whysz)
{
	struct tmon_err err;
	enum tmon_rc rc;

	tmon_err_clear(&err);
	rc = x509_chain_parse("PCK chain", cur_data(&q->pck_chain),
	    cur_len(&q->pck_chain), PCK_CHAIN_CERTS, PCK_CHAIN_CERTS,
	    TMON_X509_ROOT_DER, ch, &err);
	if (rc != TMON_OK)
		snprintf(why, whysz, "%s", err.msg);
	return rc;
}

static enum tdx_pck_ca
ca_type(const X509_NAME *name)
{
	char cn[64];

	x509_name_cn(name, cn, sizeof(cn));
	if (strcmp(cn, cn_platform_ca) == 0)
		return TDX_PCK_CA_PLATFORM;
	if (strcmp(cn, cn_processor_ca) == 0)
		return TDX_PCK_CA_PROCESSOR;
	return TDX_PCK_CA_UNKNOWN;
}

/* ---- Intel SGX extension of the PCK leaf (DER over the cursor, cur.h) ---- */

/* An OCTET STRING of exactly n bytes into out. */
static bool
der_get_octets(struct cur *c, void *out, size_t n)
{
	struct cur v;

	if (!cur_get_der(c, 0x04, &v) || cur_len(&v) != n)
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
	uint64_t x;
	uint8_t arcs[2];
	uint8_t k;

	if (!cur_get_der(v, 0x30, &seq) || cur_len(v) != 0)
		return false;
	while (cur_len(&seq) > 0) {
		if (!cur_get_der(&seq, 0x30, &item) ||
		    !cur_get_der(&item, 0x06, &oid))
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
			if (!cur_get_der_uint(&item, 0x02, 255, &x))
				return false;
			out->tcb_comp_svn[k - 1] = (uint8_t)x;
		} else if (k == 17) {
			if (!cur_get_der_uint(&item, 0x02, 65535, &x))
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
	uint64_t x;
	uint8_t arc;
	bool have_ppid = false, have_tcb = false, have_pceid = false;
	bool have_fmspc = false, have_type = false;

	if (!cur_get_der(ext, 0x30, &seq) || cur_len(ext) != 0)
		goto bad;
	while (cur_len(&seq) > 0) {
		if (!cur_get_der(&seq, 0x30, &item) ||
		    !cur_get_der(&item, 0x06, &oid))
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
			if (have_type || !cur_get_der_uint(&item, 0x0a, 255, &x))
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
	struct x509_chain ch;
	char why[MAX_CHECK_DETAIL];
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	out->sgx_type = -1;
	why[0] = '\0';
	if ((rc = chain_load(q, &ch, why, sizeof(why))) != TMON_OK)
		return tmon_err_set(err, rc, "pck leaf: %s", why);
	rc = pck_info_from_x509(ch.cert[0], out, err);
	x509_chain_free(&ch);
	return rc;
}

/* ---- helpers shared with tdx_collateral.c (declared in tdx_verify.h) ---- */

enum verdict
tdx_ecdsa_p256_verify(EVP_PKEY *pkey, const uint8_t *msg, size_t len,
    const uint8_t rs[TDX_ECDSA_SIG_LEN])
{
	return ecdsa_verify_raw(pkey, msg, len, rs);
}

bool
tdx_key_is_p256(const EVP_PKEY *pkey)
{
	return is_p256(pkey);
}

bool
tdx_root_is_intel(const uint8_t *root_der, size_t root_der_len)
{
	return root_der_len == tdx_intel_root_ca_der_len &&
	    CRYPTO_memcmp(root_der, tdx_intel_root_ca_der, root_der_len) == 0;
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
	enum verdict	quote;		/* attestation key over signed region */
	bool		key_bad;	/* attest_key is not a P-256 point */
	enum verdict	qe;		/* PCK leaf key over the QE report */
	char		qe_why[128];	/* why there is no leaf key */
	enum verdict	bind_hash;	/* report_data[0..32] */
	bool		bind_zero;	/* report_data[32..64] is zero */
};

/*
 * The PCK leaf's public key from a loaded chain (borrowed from the X509)
 * in *key, or VERDICT_FAIL / VERDICT_ERROR with why filled.
 */
static enum verdict
leaf_key_get(const struct x509_chain *ch, const char *chain_why,
    EVP_PKEY **key, char *why, size_t whysz)
{
	*key = NULL;
	if (ch->n == 0) {
		snprintf(why, whysz, "%s", chain_why);
		return VERDICT_FAIL;
	}
	if ((*key = X509_get0_pubkey(ch->cert[0])) == NULL) {
		snprintf(why, whysz, "the leaf public key cannot be decoded");
		return x509_drain_errors("tdx: PCK leaf key") ? VERDICT_ERROR :
		    VERDICT_FAIL;
	}
	if (!is_p256(*key)) {
		*key = NULL;
		snprintf(why, whysz, "the leaf key is not ECDSA P-256");
		return VERDICT_FAIL;
	}
	return VERDICT_PASS;
}

/* True if v is a pass or a fail: the step ran to a conclusion. */
static bool
decided(enum verdict v)
{
	return v == VERDICT_PASS || v == VERDICT_FAIL;
}

/*
 * tdx.quote.signature: steps 9, 6 and 7.  leaf_key is the PCK leaf key
 * (leaf_state VERDICT_PASS), or leaf_state says why there is none
 * (leaf_why).
 */
static void
check_signatures(struct verify_ctx *vc, const struct tdx_quote *q,
    EVP_PKEY *leaf_key, enum verdict leaf_state, const char *leaf_why,
    struct checklist *cl)
{
	struct sig_result s;
	EVP_PKEY *ak = NULL;
	uint8_t h[32];
	char d[MAX_CHECK_DETAIL];
	size_t i;
	bool zero;

	memset(&s, 0, sizeof(s));

	/* 9. Quote signature by the attestation key. */
	s.quote = attest_key_get(vc, q->attest_key, &ak);
	if (s.quote == VERDICT_FAIL)
		s.key_bad = true;
	else if (s.quote == VERDICT_PASS)
		s.quote = ecdsa_verify_raw(ak, cur_data(&q->signed_region),
		    cur_len(&q->signed_region), q->signature);

	/* 6. QE report signature by the PCK leaf key. */
	if (leaf_state != VERDICT_PASS) {
		s.qe = leaf_state;
		snprintf(s.qe_why, sizeof(s.qe_why), "%s", leaf_why);
	} else
		s.qe = ecdsa_verify_raw(leaf_key, cur_data(&q->qe_report),
		    cur_len(&q->qe_report), q->qe_report_sig);

	/* 7. QE report binding. */
	if (!sha256_2(q->attest_key, sizeof(q->attest_key),
	    cur_data(&q->qe_auth_data), cur_len(&q->qe_auth_data), h)) {
		(void)x509_drain_errors("tdx: SHA-256");
		s.bind_hash = VERDICT_ERROR;
	} else
		s.bind_hash = CRYPTO_memcmp(h, q->qe.report_data, 32) == 0 ?
		    VERDICT_PASS : VERDICT_FAIL;
	zero = true;
	for (i = 32; i < 64; i++)
		if (q->qe.report_data[i] != 0)
			zero = false;
	s.bind_zero = zero;
	EVP_PKEY_free(ak);

	/* a step that neither passed nor failed could not be checked */
	if (!decided(s.quote) || !decided(s.qe) || !decided(s.bind_hash)) {
		checklist_set(cl, ID_SIG, CHECK_ERROR, "OpenSSL failed while "
		    "verifying the quote signatures");
		return;
	}
	if (s.quote == VERDICT_PASS && s.qe == VERDICT_PASS &&
	    s.bind_hash == VERDICT_PASS && s.bind_zero) {
		checklist_set(cl, ID_SIG, CHECK_PASS, "quote signature "
		    "(attestation key), QE report signature (PCK leaf key) and "
		    "QE report binding verify");
		return;
	}
	d[0] = '\0';
	if (s.key_bad)
		detail_add(d, sizeof(d), "attestation key is not a P-256 point");
	else if (s.quote == VERDICT_FAIL)
		detail_add(d, sizeof(d), "quote signature does not verify with "
		    "the attestation key");
	if (s.qe == VERDICT_FAIL && s.qe_why[0] != '\0')
		detail_add(d, sizeof(d), "no usable PCK leaf key: %s", s.qe_why);
	else if (s.qe == VERDICT_FAIL)
		detail_add(d, sizeof(d), "QE report signature does not verify "
		    "with the PCK leaf key");
	if (s.bind_hash == VERDICT_FAIL)
		detail_add(d, sizeof(d), "QE report binding: report_data[0..32] "
		    "!= SHA-256(attest_key || qe_auth_data)");
	if (!s.bind_zero)
		detail_add(d, sizeof(d), "QE report binding: "
		    "report_data[32..64] not zero");
	checklist_set(cl, ID_SIG, CHECK_FAIL, "%s", d);
}

/* ---- the PCK chain (step 5) ---- */

/* What the chain verification found, before the CRLs are applied. */
struct chain_res {
	enum verdict	v;
	char		why[MAX_CHECK_DETAIL];	/* FAIL, ERROR */
	enum tdx_pck_ca	ca;			/* PASS */
};

/*
 * 5. The PCK chain without revocation: exactly leaf, PCK
 * Platform/Processor CA, root; the root byte-identical to the anchor;
 * the CA named as a PCK CA; the leaf not a CA; signatures, validity at
 * now and the path (x509_chain_verify).  chain_why says why ch is empty
 * (it did not load).
 */
static void
chain_verify(const struct x509_chain *ch, const char *chain_why,
    const struct x509_anchor *a, int64_t now, struct chain_res *r)
{
	char why[MAX_CHECK_DETAIL - 32];

	memset(r, 0, sizeof(*r));
	if (ch->n == 0) {
		r->v = VERDICT_FAIL;
		snprintf(r->why, sizeof(r->why), "%s", chain_why);
		return;
	}
	if (a == NULL || a->store == NULL) {
		r->v = VERDICT_ERROR;
		snprintf(r->why, sizeof(r->why), "the trusted root is not one "
		    "DER certificate: the PCK chain cannot be verified");
		return;
	}
	if (ch->der_len[PCK_CHAIN_CERTS - 1] != a->der_len ||
	    CRYPTO_memcmp(ch->der[PCK_CHAIN_CERTS - 1], a->der, a->der_len) !=
	    0) {
		r->v = VERDICT_FAIL;
		snprintf(r->why, sizeof(r->why), "root certificate in the quote "
		    "is not the pinned %s", a->name);
		return;
	}
	r->ca = ca_type(X509_get_subject_name(ch->cert[1]));
	if (r->ca == TDX_PCK_CA_UNKNOWN) {
		r->v = VERDICT_FAIL;
		snprintf(r->why, sizeof(r->why), "intermediate is not an Intel "
		    "SGX PCK Platform or Processor CA (subject CN)");
		return;
	}
	if (X509_check_ca(ch->cert[0]) != 0) {
		r->v = VERDICT_FAIL;
		snprintf(r->why, sizeof(r->why), "PCK leaf is a CA certificate");
		return;
	}
	r->v = x509_chain_verify(ch, PCK_CHAIN_CERTS, a, now, 0, why,
	    sizeof(why));
	if (r->v != VERDICT_PASS)
		snprintf(r->why, sizeof(r->why), "PCK %s", why);
}

/*
 * Set tdx.pck_chain, once, from the chain result r and the CRL result
 * crl (an input: computed by the holder of the CRLs).  The worse of the
 * two wins, the chain's reason first when they tie.
 */
static void
chain_report(struct checklist *cl, const struct chain_res *r,
    const struct x509_crl_result *crl, const struct x509_anchor *a,
    int64_t now)
{
	enum check_status cs = verdict_check(r->v), rs;
	char when[32];

	if (r->v != VERDICT_PASS) {
		rs = crl->status == VERDICT_FAIL ? CHECK_FAIL : cs;
		if (check_severity(rs) < check_severity(cs))
			checklist_set(cl, ID_CHAIN, rs, "%s", crl->detail);
		else
			checklist_set(cl, ID_CHAIN, cs, "%s", r->why);
		return;
	}
	switch (crl->status) {
	case VERDICT_FAIL:
	case VERDICT_ERROR:
		checklist_set(cl, ID_CHAIN, verdict_check(crl->status), "%s",
		    crl->detail);
		return;
	case VERDICT_PASS:
	case VERDICT_UNCHECKED:
		break;
	}
	fmt_time(now, when, sizeof(when));
	checklist_set(cl, ID_CHAIN, CHECK_PASS, "PCK leaf -> %s -> pinned %s, "
	    "valid at %s; %s%s%s", r->ca == TDX_PCK_CA_PLATFORM ?
	    cn_platform_ca : cn_processor_ca, a->name, when,
	    crl->status == VERDICT_PASS ? "not revoked (" : "CRLs not checked",
	    crl->status == VERDICT_PASS ? crl->detail : "",
	    crl->status == VERDICT_PASS ? ")" : "");
}

/* The validity window of x in *from / *to; false if unreadable. */
static bool
cert_window(const X509 *x, int64_t *from, int64_t *to)
{
	return x509_time_unix(X509_get0_notBefore(x), from) &&
	    x509_time_unix(X509_get0_notAfter(x), to);
}

static bool
pck_ids_fill(const struct x509_chain *ch, struct tdx_pck_ids *ids)
{
	memset(ids, 0, sizeof(*ids));
	if (ch->n != PCK_CHAIN_CERTS)
		return false;
	x509_name_cn(X509_get_issuer_name(ch->cert[0]), ids->leaf_issuer_cn,
	    sizeof(ids->leaf_issuer_cn));
	return x509_serial(ch->cert[0], ids->leaf_serial,
	    &ids->leaf_serial_len) &&
	    x509_serial(ch->cert[1], ids->ca_serial, &ids->ca_serial_len) &&
	    x509_name_sha256(X509_get_issuer_name(ch->cert[0]),
	    ids->leaf_issuer) &&
	    x509_name_sha256(X509_get_issuer_name(ch->cert[1]), ids->ca_issuer);
}

/*
 * Remember a chain that verified in vc, with the window in which all
 * three certificates are valid (if now is inside it).
 */
static void
remember(struct verify_ctx *vc, const struct x509_chain *ch,
    const struct x509_anchor *a, const uint8_t key[32],
    const struct chain_res *r, EVP_PKEY *leaf_key, const struct tdx_quote *q,
    int64_t now)
{
	struct verify_pck e;
	int64_t f, t;

	if (vc == NULL)
		return;
	memset(&e, 0, sizeof(e));
	memcpy(e.key, key, 32);
	memcpy(e.root, a->sha256, 32);
	e.ca = r->ca;
	e.leaf_key = leaf_key;
	e.pck_ok = q->pck_ok;
	e.pck = q->pck;
	e.ids_ok = q->pck_ids_ok;
	e.ids = q->pck_ids;
	if (!cert_window(ch->cert[0], &e.from, &e.to) ||
	    !cert_window(ch->cert[1], &f, &t))
		return;
	e.from = f > e.from ? f : e.from;
	e.to = t < e.to ? t : e.to;
	if (!cert_window(a->cert, &f, &t))
		return;
	e.from = f > e.from ? f : e.from;
	e.to = t < e.to ? t : e.to;
	if (now >= e.from && now <= e.to)
		verify_ctx_pck_put(vc, &e);
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
 * The slow path: decode and verify the chain, check the signatures,
 * then remember the chain in vc if it passed.  Fills *r; key is the
 * cache key.
 */
static void
check_uncached(struct verify_ctx *vc, struct tdx_quote *q, int64_t now,
    const struct x509_anchor *a, const uint8_t key[32], struct chain_res *r,
    struct checklist *cl)
{
	struct tmon_err err;
	struct x509_chain ch;
	EVP_PKEY *leaf_key;
	char why[MAX_CHECK_DETAIL], kwhy[128];
	enum verdict kr;

	why[0] = '\0';
	if (chain_load(q, &ch, why, sizeof(why)) == TMON_E_CRYPTO_LIB) {
		checklist_set(cl, ID_SIG, CHECK_ERROR, "OpenSSL failed while "
		    "reading the PCK chain");
		memset(r, 0, sizeof(*r));
		r->v = VERDICT_ERROR;
		snprintf(r->why, sizeof(r->why), "OpenSSL failed while "
		    "reading the PCK chain");
		return;
	}
	kwhy[0] = '\0';
	kr = leaf_key_get(&ch, why, &leaf_key, kwhy, sizeof(kwhy));
	check_signatures(vc, q, leaf_key, kr, kwhy, cl);
	chain_verify(&ch, why, a, now, r);
	if (ch.n > 0) {
		tmon_err_clear(&err);
		q->pck_ok = pck_info_from_x509(ch.cert[0], &q->pck, &err) ==
		    TMON_OK;
		q->pck_ids_ok = pck_ids_fill(&ch, &q->pck_ids);
	}
	if (r->v == VERDICT_PASS && kr == VERDICT_PASS)
		remember(vc, &ch, a, key, r, leaf_key, q, now);
	x509_chain_free(&ch);
}

/*
 * The CRL result for q's chain: of o->col, else of what o->lookup
 * answers for the leaf's FMSPC and CA.
 */
static void
crl_input(const struct tdx_check_opts *o, const struct tdx_quote *q,
    struct x509_crl_result *crl)
{
	const struct tdx_collateral *col = o->col;

	memset(crl, 0, sizeof(*crl));
	if (col == NULL && o->lookup != NULL && q->pck_ok)
		col = o->lookup(o->lookup_arg, q->pck.fmspc, (int)q->pck.ca);
	if (col != NULL)
		tdx_collateral_revocation(col, q->pck_ids_ok ? &q->pck_ids :
		    NULL, crl);
}

bool
tdx_check_quote(struct verify_ctx *vc, const uint8_t *buf, size_t len,
    int64_t now, const struct tdx_check_opts *o, struct tdx_quote *q,
    struct checklist *cl)
{
	static const struct tdx_check_opts none;
	struct x509_anchor tmp;
	const struct x509_anchor *a;
	struct tmon_err err;
	struct verify_pck hit;
	struct chain_res r;
	struct x509_crl_result crl;
	const uint8_t *root_der;
	size_t root_der_len;
	uint8_t key[32];
	bool intel;
	enum tmon_rc rc;

	if (o == NULL)
		o = &none;
	tmon_err_clear(&err);
	rc = o->allow_sgx ? tdx_quote_parse_any(buf, len, q, &err) :
	    tdx_quote_parse(buf, len, q, &err);
	if (rc != TMON_OK) {
		/* well-formed but a kind we do not verify: not checked */
		checklist_set(cl, ID_PARSE, rc == TMON_E_UNSUPPORTED ?
		    CHECK_ERROR : CHECK_FAIL, "%s: %s", tmon_rc_str(rc),
		    err.msg);
		checklist_set(cl, ID_SIG, CHECK_SKIP,
		    "not checked: quote did not parse");
		checklist_set(cl, ID_CHAIN, CHECK_SKIP,
		    "not checked: quote did not parse");
		return false;
	}
	parse_pass(q, len, cl);

	/* The anchor: decoded from the trusted bytes, never the quote's. */
	root_der = o->root_der != NULL ? o->root_der : tdx_intel_root_ca_der;
	root_der_len = o->root_der != NULL ? o->root_der_len :
	    tdx_intel_root_ca_der_len;
	intel = tdx_root_is_intel(root_der, root_der_len);
	memset(&tmp, 0, sizeof(tmp));
	a = intel ? verify_ctx_intel_root(vc) : NULL;
	if (a == NULL && x509_anchor_init(&tmp, root_der, root_der_len,
	    intel ? name_intel_root : name_test_root, NULL) == TMON_OK)
		a = &tmp;

	sha256(cur_data(&q->pck_chain), cur_len(&q->pck_chain), key);
	if (a != NULL && verify_ctx_pck_get(vc, key, a->sha256, now, &hit)) {
		check_signatures(vc, q, hit.leaf_key, VERDICT_PASS, "", cl);
		memset(&r, 0, sizeof(r));
		r.v = VERDICT_PASS;
		r.ca = hit.ca;
		q->pck_ok = hit.pck_ok;
		q->pck = hit.pck;
		q->pck_ids_ok = hit.ids_ok;
		q->pck_ids = hit.ids;
		EVP_PKEY_free(hit.leaf_key);
	} else
		check_uncached(vc, q, now, a, key, &r, cl);
	crl_input(o, q, &crl);
	chain_report(cl, &r, &crl, a, now);
	x509_anchor_release(&tmp);
	return true;
}
