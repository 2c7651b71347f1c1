/*
 * gpu_verify.c: NVIDIA GPU evidence verification (see gpu_verify.h).
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cur.h"
#include "encode.h"
#include "gpu_verify.h"
#include "log.h"
#include "nvspdm.h"
#include "util.h"
#include "xmalloc.h"

#define GPU_CHAIN_LEN	5	/* nvtrust config.py MAX_CERT_CHAIN_LENGTH */
#define P384_LEN	48

/* SHA-256 of the pinned root's DER (trust_nvidia.c). */
static const uint8_t root_fp[32] = {
	0x10, 0x2b, 0xf6, 0x59, 0xd5, 0x41, 0x96, 0x14, 0xc9, 0xd8, 0xe6, 0xae,
	0xce, 0xbc, 0x80, 0x45, 0x4e, 0xb2, 0x6b, 0x1d, 0xf6, 0xa7, 0x69, 0xac,
	0x72, 0x0b, 0x9a, 0x69, 0x0b, 0x16, 0x7b, 0x48
};

/* DER contents of the DICE extension OIDs and of id-sha384. */
static const uint8_t oid_dice_tcbinfo[] = { 0x67, 0x81, 0x05, 0x05, 0x04,
    0x01 };					/* 2.23.133.5.4.1 */
static const uint8_t oid_dice_tcbinfo_1[] = { 0x67, 0x81, 0x05, 0x05, 0x04,
    0x01, 0x01 };				/* 2.23.133.5.4.1.1 */
static const uint8_t oid_sha384[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
    0x04, 0x02, 0x02 };				/* 2.16.840.1.101.3.4.2.2 */

#define DER_INTEGER	0x02
#define DER_OCTETS	0x04
#define DER_OID		0x06
#define DER_SEQUENCE	0x30
#define DER_CTX_CONS_6	0xa6		/* [6] IMPLICIT, constructed */

/* The pinned root, parsed once. */
static pthread_once_t	 root_once = PTHREAD_ONCE_INIT;
static X509_STORE	*root_store;
static X509		*root_cert;

/*
 * The trust anchor of one verification: the pinned root, or a test root
 * given by the caller (gpu_check_*_root).  store is NULL when the root
 * could not be loaded (then gpu.cert_chain is CHECK_ERROR).
 */
struct gpu_anchor {
	X509_STORE	*store;		/* borrowed (pinned) or owned (test) */
	uint8_t		 fp[32];	/* SHA-256 of the root's DER */
	bool		 test;		/* not the pinned NVIDIA root */
};

/* Per-list state. */
struct gpu_run {
	struct checklist	*cl;
	struct gpu_summary	*sum;
	const struct gpu_anchor	*anchor;
	int64_t			 now;
	size_t			 ev_bad;	/* GPUs failing gpu.evidence */
	size_t			 chain_bad;	/* GPUs failing gpu.cert_chain */
	uint8_t			 leaf_fp[MAX_GPUS][32];
};

/* ---- strict DER reading over struct cur -------------------------------- */

static bool
der_get(struct cur *c, uint8_t *tag, struct cur *val)
{
	struct cur save = *c;
	uint8_t t, b, b2;
	uint16_t l16;
	size_t len;

	if (!cur_get_u8(c, &t) || (t & 0x1f) == 0x1f || !cur_get_u8(c, &b))
		goto bad;
	if (b < 0x80)
		len = b;
	else if (b == 0x81) {
		if (!cur_get_u8(c, &b2) || b2 < 0x80)
			goto bad;
		len = b2;
	} else if (b == 0x82) {
		if (!cur_get_u16be(c, &l16) || l16 < 0x100)
			goto bad;
		len = l16;
	} else
		goto bad;
	if (!cur_get_bytes(c, val, len))
		goto bad;
	*tag = t;
	return true;
bad:
	*c = save;
	return false;
}

static bool
der_expect(struct cur *c, uint8_t want, struct cur *val)
{
	struct cur save = *c;
	uint8_t tag;

	if (!der_get(c, &tag, val) || tag != want) {
		*c = save;
		return false;
	}
	return true;
}

static enum tmon_rc
parse_fwid(struct cur *c, uint8_t fwid[48], struct tmon_err *err)
{
	struct cur seq, oid, dig;

	if (!der_expect(c, DER_SEQUENCE, &seq))
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: FWID is not a SEQUENCE");
	if (!der_expect(&seq, DER_OID, &oid))
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: FWID hashAlg is not an OBJECT IDENTIFIER");
	if (!cur_mem_equal_ct(&oid, oid_sha384, sizeof(oid_sha384)))
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: FWID hashAlg is not SHA-384");
	if (!der_expect(&seq, DER_OCTETS, &dig) || cur_len(&seq) != 0)
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: FWID digest is not a single OCTET STRING");
	if (cur_len(&dig) != NVSPDM_FWID_LEN)
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: FWID digest of %zu bytes, want 48", cur_len(&dig));
	memcpy(fwid, cur_data(&dig), NVSPDM_FWID_LEN);
	return TMON_OK;
}

enum tmon_rc
gpu_dice_fwid_parse(const uint8_t *der, size_t len, uint8_t fwid[48],
    struct tmon_err *err)
{
	struct cur c, seq, v, list;
	uint8_t tag;
	int last = -1;

	cur_init(&c, der, len);
	if (!der_expect(&c, DER_SEQUENCE, &seq) || cur_len(&c) != 0)
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: extension value is not one DER SEQUENCE");
	if (cur_len(&seq) > 0 && cur_data(&seq)[0] == DER_INTEGER) {
		/* CompositeDeviceID { version, deviceID SPKI, fwid FWID } */
		if (!der_expect(&seq, DER_INTEGER, &v) || cur_len(&v) == 0)
			return tmon_err_set(err, TMON_E_PARSE,
			    "dice: CompositeDeviceID version");
		if (!der_expect(&seq, DER_SEQUENCE, &v))
			return tmon_err_set(err, TMON_E_PARSE,
			    "dice: CompositeDeviceID deviceID is not a SEQUENCE");
		if (parse_fwid(&seq, fwid, err) != TMON_OK)
			return TMON_E_PARSE;
		if (cur_len(&seq) != 0)
			return tmon_err_set(err, TMON_E_PARSE,
			    "dice: CompositeDeviceID: bytes after fwid");
		return TMON_OK;
	}
	/* DiceTcbInfo: optional [0]..[9], in order; fwids is [6]. */
	while (cur_len(&seq) > 0) {
		if (!der_get(&seq, &tag, &v))
			return tmon_err_set(err, TMON_E_PARSE,
			    "dice: TcbInfo element is not valid DER");
		if ((tag & 0xc0) != 0x80 || (int)(tag & 0x1f) <= last)
			return tmon_err_set(err, TMON_E_PARSE,
			    "dice: TcbInfo element tag 0x%02x out of place", tag);
		last = tag & 0x1f;
		if (last != 6)
			continue;
		if (tag != DER_CTX_CONS_6)
			return tmon_err_set(err, TMON_E_PARSE,
			    "dice: TcbInfo fwids [6] is not constructed");
		list = v;
		if (cur_len(&list) == 0)
			return tmon_err_set(err, TMON_E_PARSE,
			    "dice: TcbInfo fwids is empty");
		if (parse_fwid(&list, fwid, err) != TMON_OK)
			return TMON_E_PARSE;
		return TMON_OK;
	}
	return tmon_err_set(err, TMON_E_PARSE, "dice: TcbInfo has no fwids");
}

/* ---- pinned root -------------------------------------------------------- */

static void
root_init(void)
{
	const unsigned char *p = gpu_nvidia_root_der;
	uint8_t fp[32];
	X509 *x = NULL;
	X509_STORE *st = NULL;

	sha256(gpu_nvidia_root_der, gpu_nvidia_root_der_len, fp);
	if (CRYPTO_memcmp(fp, root_fp, sizeof(fp)) != 0) {
		log_warnx("gpu: pinned root does not match its fingerprint");
		return;
	}
	if ((x = d2i_X509(NULL, &p, (long)gpu_nvidia_root_der_len)) == NULL ||
	    p != gpu_nvidia_root_der + gpu_nvidia_root_der_len ||
	    (st = X509_STORE_new()) == NULL || X509_STORE_add_cert(st, x) != 1) {
		log_crypto_warnx("gpu: cannot load the pinned NVIDIA root");
		X509_STORE_free(st);
		X509_free(x);
		return;
	}
	root_store = st;
	root_cert = x;
}

/* ---- helpers ------------------------------------------------------------- */

static void
ev_fail(struct gpu_run *r, enum check_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
chain_fail(struct gpu_run *r, enum check_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report(struct gpu_run *r, const char *id, size_t *bad, enum check_status st,
    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void
report(struct gpu_run *r, const char *id, size_t *bad, enum check_status st,
    const char *fmt, va_list ap)
{
	char msg[MAX_CHECK_DETAIL];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	checklist_set(r->cl, id, st, "%s", msg);
	if (st != CHECK_PASS && st != CHECK_SKIP)
		(*bad)++;
}

static void
ev_fail(struct gpu_run *r, enum check_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(r, "gpu.evidence", &r->ev_bad, st, fmt, ap);
	va_end(ap);
}

static void
chain_fail(struct gpu_run *r, enum check_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(r, "gpu.cert_chain", &r->chain_bad, st, fmt, ap);
	va_end(ap);
}

/* Decode base64 (and, for the legacy form, hex) evidence; NULL on error. */
static uint8_t *
decode_evidence(const char *b64, size_t b64len, size_t *outlen)
{
	uint8_t *raw, *bin;
	size_t n, m;

	raw = b64_decode_alloc(b64, b64len, 2 * (size_t)MAX_SPDM_LEN, &n);
	if (raw == NULL)
		return NULL;
	if (n == 0 || n % 2 != 0 || !is_hex_text((const char *)raw, n)) {
		*outlen = n;
		return raw;
	}
	bin = hex_decode_alloc((const char *)raw, n, MAX_SPDM_LEN, false, &m);
	free(raw);
	if (bin == NULL)
		return NULL;
	*outlen = m;
	return bin;
}

/*
 * Read every PEM certificate in pem into a new stack (caller frees with
 * sk_X509_pop_free).  Returns NULL with *bad set if the text is not a
 * clean sequence of at most MAX_GPU_CERTS certificates, NULL with *bad
 * clear on an OpenSSL failure.
 */
static STACK_OF(X509) *
read_chain(const uint8_t *pem, size_t len, bool *bad)
{
	STACK_OF(X509) *sk = NULL;
	BIO *bio = NULL;
	X509 *x;
	unsigned long e;

	*bad = false;
	if (len > MAX_PEM_CHAIN_LEN) {
		*bad = true;
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    (sk = sk_X509_new_null()) == NULL)
		goto fail;
	for (;;) {
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (x == NULL)
			break;
		if (sk_X509_num(sk) >= MAX_GPU_CERTS) {
			X509_free(x);
			*bad = true;
			goto fail;
		}
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			goto fail;
		}
	}
	/* A clean end of input reads as "no start line". */
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
	    ERR_GET_REASON(e) != PEM_R_NO_START_LINE || sk_X509_num(sk) == 0) {
		*bad = true;
		goto fail;
	}
	ERR_clear_error();
	BIO_free(bio);
	return sk;
fail:
	ERR_clear_error();
	BIO_free(bio);
	sk_X509_pop_free(sk, X509_free);
	if (!*bad)
		log_warnx("gpu: OpenSSL failed reading a certificate chain");
	return NULL;
}

/* arch from the leaf CN ("GH100 A01 GSP FMC LF"), else the label. */
static void
set_arch(char *out, size_t outsz, X509 *leaf, const json_t *label)
{
	X509_NAME *nm;
	const ASN1_STRING *d;
	const unsigned char *p;
	const char *s;
	int i, n;
	size_t k, len;

	out[0] = '\0';
	if (leaf != NULL && (nm = X509_get_subject_name(leaf)) != NULL &&
	    (i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1)) >= 0) {
		d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i));
		p = ASN1_STRING_get0_data(d);
		n = ASN1_STRING_length(d);
		if (n >= 6 && memcmp(p, "GH100 ", 6) == 0) {
			snprintf(out, outsz, "HOPPER");
			return;
		}
		if (n >= 6 && memcmp(p, "GB100 ", 6) == 0) {
			snprintf(out, outsz, "BLACKWELL");
			return;
		}
	}
	if (!json_is_string(label))
		return;
	s = json_string_value(label);
	len = json_string_length(label);
	if (len == 0 || len >= outsz)
		return;
	for (k = 0; k < len; k++)
		if (!((s[k] >= 'A' && s[k] <= 'Z') ||
		    (s[k] >= 'a' && s[k] <= 'z') ||
		    (s[k] >= '0' && s[k] <= '9') || s[k] == '_'))
			return;
	memcpy(out, s, len);
	out[len] = '\0';
}

/*
 * Verify the P-384 r||s signature over the signed region with the leaf
 * key.  Returns CHECK_PASS, CHECK_FAIL (with *why) or CHECK_ERROR.
 */
static enum check_status
verify_spdm_sig(const struct nvspdm_evidence *ev, X509 *leaf, const char **why)
{
	EVP_PKEY *pkey;
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	char group[32];
	size_t glen;
	int derlen, v;
	enum check_status st = CHECK_ERROR;

	*why = "";
	if ((pkey = X509_get0_pubkey(leaf)) == NULL ||
	    EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen) ||
	    strcmp(group, "secp384r1") != 0) {
		*why = "leaf key is not ECDSA P-384";
		st = CHECK_FAIL;
		goto out;
	}
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(ev->signature, P384_LEN, NULL)) == NULL ||
	    (s = BN_bin2bn(ev->signature + P384_LEN, P384_LEN, NULL)) == NULL ||
	    !ECDSA_SIG_set0(sig, r, s))
		goto out;
	r = s = NULL;		/* owned by sig */
	if ((derlen = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto out;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, pkey) != 1)
		goto out;
	v = EVP_DigestVerify(md, der, (size_t)derlen,
	    cur_data(&ev->signed_region), cur_len(&ev->signed_region));
	if (v == 1)
		st = CHECK_PASS;
	else if (v == 0) {
		*why = "SPDM signature does not verify with the leaf key";
		st = CHECK_FAIL;
	}
out:
	if (st == CHECK_ERROR)
		log_crypto_warnx("gpu: OpenSSL failed verifying an SPDM "
		    "signature");
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	BN_free(r);
	BN_free(s);
	return st;
}

/*
 * Check every DICE FWID extension of the leaf against the report's FWID.
 * Returns CHECK_PASS or CHECK_FAIL (with the reason in why).
 */
static enum check_status
check_fwid(X509 *leaf, const struct nvspdm_evidence *ev, char *why,
    size_t whysz)
{
	X509_EXTENSION *ext;
	const ASN1_OBJECT *obj;
	const ASN1_OCTET_STRING *val;
	const unsigned char *od;
	uint8_t fwid[NVSPDM_FWID_LEN];
	struct tmon_err err;
	size_t ol, found = 0;
	int i, n;

	n = X509_get_ext_count(leaf);
	for (i = 0; i < n; i++) {
		ext = X509_get_ext(leaf, i);
		obj = X509_EXTENSION_get_object(ext);
		od = OBJ_get0_data(obj);
		ol = OBJ_length(obj);
		if (od == NULL ||
		    !((ol == sizeof(oid_dice_tcbinfo) &&
		    memcmp(od, oid_dice_tcbinfo, ol) == 0) ||
		    (ol == sizeof(oid_dice_tcbinfo_1) &&
		    memcmp(od, oid_dice_tcbinfo_1, ol) == 0)))
			continue;
		found++;
		val = X509_EXTENSION_get_data(ext);
		tmon_err_clear(&err);
		if (gpu_dice_fwid_parse(ASN1_STRING_get0_data(val),
		    (size_t)ASN1_STRING_length(val), fwid, &err) != TMON_OK) {
			snprintf(why, whysz, "leaf DICE extension: %.200s",
			    err.msg);
			return CHECK_FAIL;
		}
		if (CRYPTO_memcmp(fwid, ev->fwid, sizeof(fwid)) != 0) {
			snprintf(why, whysz, "leaf certificate FWID does not "
			    "match the report's FWID (opaque type 20)");
			return CHECK_FAIL;
		}
	}
	if (found == 0) {
		snprintf(why, whysz, "leaf certificate has no TCG DICE FWID "
		    "extension (2.23.133.5.4.1[.1])");
		return CHECK_FAIL;
	}
	return CHECK_PASS;
}

/*
 * Chain checks for one GPU (see gpu_verify.h).  Returns the status and
 * the reason in why.
 */
static enum check_status
verify_chain(STACK_OF(X509) *sk, const struct gpu_anchor *anchor, int64_t now,
    char *why, size_t whysz)
{
	STACK_OF(X509) *untrusted = NULL, *built;
	X509_STORE_CTX *ctx = NULL;
	X509 *leaf;
	uint8_t fp[32];
	unsigned int fplen = 0;
	enum check_status st = CHECK_ERROR;
	int i, v, n = sk_X509_num(sk);

	if (n != GPU_CHAIN_LEN) {
		snprintf(why, whysz, "chain has %d certificates, want %d", n,
		    GPU_CHAIN_LEN);
		return CHECK_FAIL;
	}
	if (anchor->store == NULL) {
		snprintf(why, whysz, "%s unavailable", anchor->test ?
		    "test root (not one DER certificate)" :
		    "pinned NVIDIA root");
		return CHECK_ERROR;
	}
	if (X509_digest(sk_X509_value(sk, GPU_CHAIN_LEN - 1), EVP_sha256(), fp,
	    &fplen) != 1 || fplen != sizeof(fp)) {
		snprintf(why, whysz, "OpenSSL failed hashing the root");
		goto out;
	}
	if (CRYPTO_memcmp(fp, anchor->fp, sizeof(fp)) != 0) {
		snprintf(why, whysz, "last certificate is not the pinned %s",
		    anchor->test ? "test root" :
		    "NVIDIA Device Identity CA");
		st = CHECK_FAIL;
		goto out;
	}
	leaf = sk_X509_value(sk, 0);
	if ((untrusted = sk_X509_new_null()) == NULL)
		goto out;
	for (i = 1; i < GPU_CHAIN_LEN - 1; i++)
		if (!sk_X509_push(untrusted, sk_X509_value(sk, i)))
			goto out;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, anchor->store, leaf, untrusted) != 1)
		goto out;
	X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
	/* RFC 5280 profile checks; every real chain seen passes them */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
	v = X509_verify_cert(ctx);
	if (v < 0)
		goto out;
	if (v == 0) {
		snprintf(why, whysz, "chain does not verify: %s (depth %d)",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)),
		    X509_STORE_CTX_get_error_depth(ctx));
		st = CHECK_FAIL;
		goto out;
	}
	/* The path must be exactly the served certificates, in order. */
	built = X509_STORE_CTX_get0_chain(ctx);
	if (built == NULL || sk_X509_num(built) != GPU_CHAIN_LEN) {
		snprintf(why, whysz, "verified path is not the 5 served "
		    "certificates");
		st = CHECK_FAIL;
		goto out;
	}
	for (i = 0; i < GPU_CHAIN_LEN - 1; i++) {
		if (X509_cmp(sk_X509_value(built, i), sk_X509_value(sk, i)) !=
		    0) {
			snprintf(why, whysz, "certificate %d is not the path's "
			    "certificate %d", i, i);
			st = CHECK_FAIL;
			goto out;
		}
	}
	if ((X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE) == 0) {
		snprintf(why, whysz, "leaf key usage lacks digitalSignature");
		st = CHECK_FAIL;
		goto out;
	}
	st = CHECK_PASS;
out:
	if (st == CHECK_ERROR) {
		log_crypto_warnx("gpu: OpenSSL failed verifying a chain");
		if (why[0] == '\0')
			snprintf(why, whysz, "OpenSSL failed verifying the chain");
	}
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);	/* entries are owned by sk */
	return st;
}

/* ---- one GPU ------------------------------------------------------------- */

static void
check_one(struct gpu_run *r, size_t idx, const json_t *ent)
{
	struct nvspdm_evidence *ev = NULL;
	struct tmon_err err;
	const json_t *jev, *jcert, *jarch;
	STACK_OF(X509) *sk = NULL;
	uint8_t *bin = NULL, *pem = NULL, fp[32];
	unsigned int fplen = 0;
	size_t binlen = 0, pemlen = 0, j;
	char why[MAX_CHECK_DETAIL];
	const char *sigwhy;
	bool parsed = false, bad;
	enum check_status st;
	X509 *leaf = NULL;

	if (!json_is_object(ent)) {
		ev_fail(r, CHECK_FAIL, "GPU %zu: entry is not an object", idx);
		chain_fail(r, CHECK_FAIL, "GPU %zu: not checked (entry is not "
		    "an object)", idx);
		return;
	}
	jev = json_object_get(ent, "evidence");
	jcert = json_object_get(ent, "certificate");
	jarch = json_object_get(ent, "arch");
	if (jarch != NULL && !json_is_string(jarch)) {
		ev_fail(r, CHECK_FAIL, "GPU %zu: \"arch\" is not a string", idx);
		jarch = NULL;
	}

	/* The report. */
	if (!json_is_string(jev))
		ev_fail(r, CHECK_FAIL, "GPU %zu: \"evidence\" missing or not a "
		    "string", idx);
	else if ((bin = decode_evidence(json_string_value(jev),
	    json_string_length(jev), &binlen)) == NULL)
		ev_fail(r, CHECK_FAIL, "GPU %zu: \"evidence\" is not valid "
		    "base64 (or hex) of at most %u bytes", idx, MAX_SPDM_LEN);
	else {
		ev = xcalloc(1, sizeof(*ev));
		tmon_err_clear(&err);
		if (nvspdm_parse(bin, binlen, ev, &err) != TMON_OK)
			ev_fail(r, CHECK_FAIL, "GPU %zu: report: %s (offset "
			    "%zu)", idx, err.msg, err.offset);
		else {
			parsed = true;
			r->sum->gpu[idx].parsed = true;
			memcpy(r->sum->gpu[idx].request_nonce,
			    ev->request_nonce, NVSPDM_NONCE_LEN);
			memcpy(r->sum->gpu[idx].driver_version,
			    ev->driver_version, sizeof(ev->driver_version));
			memcpy(r->sum->gpu[idx].vbios_version,
			    ev->vbios_version, sizeof(ev->vbios_version));
		}
	}

	/* The chain. */
	if (!json_is_string(jcert)) {
		ev_fail(r, CHECK_FAIL, "GPU %zu: \"certificate\" missing or "
		    "not a string", idx);
		chain_fail(r, CHECK_FAIL, "GPU %zu: \"certificate\" missing or "
		    "not a string", idx);
		goto out;
	}
	pem = b64_decode_alloc(json_string_value(jcert),
	    json_string_length(jcert), MAX_PEM_CHAIN_LEN, &pemlen);
	if (pem == NULL) {
		ev_fail(r, CHECK_FAIL, "GPU %zu: \"certificate\" is not valid "
		    "base64 of at most %u bytes", idx, MAX_PEM_CHAIN_LEN);
		chain_fail(r, CHECK_FAIL, "GPU %zu: \"certificate\" is not "
		    "valid base64 of at most %u bytes", idx, MAX_PEM_CHAIN_LEN);
		goto out;
	}
	if ((sk = read_chain(pem, pemlen, &bad)) == NULL) {
		st = bad ? CHECK_FAIL : CHECK_ERROR;
		ev_fail(r, st, "GPU %zu: certificate chain is not a list of at "
		    "most %d PEM certificates", idx, MAX_GPU_CERTS);
		chain_fail(r, st, "GPU %zu: certificate chain is not a list of "
		    "at most %d PEM certificates", idx, MAX_GPU_CERTS);
		goto out;
	}
	leaf = sk_X509_value(sk, 0);
	set_arch(r->sum->gpu[idx].arch, sizeof(r->sum->gpu[idx].arch), leaf,
	    jarch);

	/* The same device twice is not two GPUs. */
	if (X509_digest(leaf, EVP_sha256(), fp, &fplen) != 1 ||
	    fplen != sizeof(fp)) {
		ERR_clear_error();
		ev_fail(r, CHECK_ERROR, "GPU %zu: OpenSSL failed hashing the "
		    "leaf", idx);
	} else {
		memcpy(r->leaf_fp[idx], fp, sizeof(fp));
		for (j = 0; j < idx; j++)
			if (CRYPTO_memcmp(r->leaf_fp[j], fp, sizeof(fp)) == 0) {
				ev_fail(r, CHECK_FAIL, "GPU %zu: same device "
				    "certificate as GPU %zu", idx, j);
				break;
			}
	}

	if (parsed) {
		st = verify_spdm_sig(ev, leaf, &sigwhy);
		if (st == CHECK_PASS)
			r->sum->gpu[idx].signature_ok = true;
		else if (st == CHECK_FAIL)
			ev_fail(r, st, "GPU %zu: %s", idx, sigwhy);
		else
			ev_fail(r, st, "GPU %zu: OpenSSL failed verifying the "
			    "SPDM signature", idx);
	}

	why[0] = '\0';
	st = verify_chain(sk, r->anchor, r->now, why, sizeof(why));
	if (st != CHECK_PASS) {
		chain_fail(r, st, "GPU %zu: %s", idx, why);
		goto out;
	}
	if (!parsed) {
		chain_fail(r, CHECK_FAIL, "GPU %zu: FWID not compared: report "
		    "unusable", idx);
		goto out;
	}
	if (!ev->has_fwid) {
		chain_fail(r, CHECK_WARN, "GPU %zu: report has no FWID (opaque "
		    "type 20): leaf binding not checked", idx);
		goto out;
	}
	why[0] = '\0';
	if (check_fwid(leaf, ev, why, sizeof(why)) != CHECK_PASS) {
		chain_fail(r, CHECK_FAIL, "GPU %zu: %s", idx, why);
		goto out;
	}
	r->sum->gpu[idx].chain_ok = true;
out:
	sk_X509_pop_free(sk, X509_free);
	free(pem);
	free(bin);
	free(ev);
}

/* ---- lists and payloads -------------------------------------------------- */

static void
list_fail(struct checklist *cl, const char *why)
{
	checklist_set(cl, "gpu.evidence", CHECK_FAIL, "%s", why);
	checklist_set(cl, "gpu.cert_chain", CHECK_FAIL, "not checked: %s", why);
}

static void
check_list(const json_t *list, const struct gpu_anchor *anchor, int64_t now,
    struct checklist *cl, struct gpu_summary *sum)
{
	struct gpu_run *r;
	char tbuf[32];
	size_t i, n;

	if (!json_is_array(list)) {
		list_fail(cl, "GPU evidence list is not an array");
		return;
	}
	n = json_array_size(list);
	if (n == 0) {
		list_fail(cl, "GPU evidence list is empty");
		return;
	}
	if (n > MAX_GPUS) {
		checklist_set(cl, "gpu.evidence", CHECK_FAIL,
		    "GPU evidence list has %zu entries > %d", n, MAX_GPUS);
		checklist_set(cl, "gpu.cert_chain", CHECK_FAIL,
		    "not checked: GPU evidence list has %zu entries > %d", n,
		    MAX_GPUS);
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->cl = cl;
	r->sum = sum;
	r->anchor = anchor;
	r->now = now;
	sum->n_gpus = n;
	for (i = 0; i < n; i++)
		check_one(r, i, json_array_get(list, i));
	if (r->ev_bad == 0)
		checklist_set(cl, "gpu.evidence", CHECK_PASS,
		    "%zu GPU%s: SPDM 1.1 parsed, P-384 signatures verify", n,
		    n == 1 ? "" : "s");
	if (r->chain_bad == 0)
		checklist_set(cl, "gpu.cert_chain", CHECK_PASS,
		    "%zu GPU%s: 5-certificate chains to the pinned %s valid "
		    "at %s, FWIDs match", n, n == 1 ? "" : "s",
		    anchor->test ? "test root" : "NVIDIA Device Identity CA",
		    fmt_time(now, tbuf, sizeof(tbuf)));
	free(r);
}

/* The pinned root as an anchor (parsed on first use). */
static void
anchor_pinned(struct gpu_anchor *a)
{
	pthread_once(&root_once, root_init);
	memset(a, 0, sizeof(*a));
	a->store = root_store;
	memcpy(a->fp, root_fp, sizeof(a->fp));
}

/*
 * An anchor for the caller's root_der.  The pinned root's own bytes give
 * the pinned anchor.  Anything else gets a store of its own (release
 * with anchor_release); one that is not exactly one DER certificate
 * gets none, so its chains are CHECK_ERROR.
 */
static void
anchor_from_der(struct gpu_anchor *a, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = NULL;
	X509_STORE *st = NULL;

	anchor_pinned(a);
	if (der == NULL || len == 0 || len > LONG_MAX) {
		a->store = NULL;
		a->test = true;
		return;
	}
	sha256(der, len, a->fp);
	if (CRYPTO_memcmp(a->fp, root_fp, sizeof(root_fp)) == 0)
		return;
	a->test = true;
	a->store = NULL;
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    p != der + len ||
	    (st = X509_STORE_new()) == NULL || X509_STORE_add_cert(st, x) != 1) {
		ERR_clear_error();
		X509_STORE_free(st);
		X509_free(x);
		return;
	}
	X509_free(x);		/* the store holds its own reference */
	a->store = st;
}

static void
anchor_release(struct gpu_anchor *a)
{
	if (a->test)
		X509_STORE_free(a->store);
	memset(a, 0, sizeof(*a));
}

void
gpu_check_evidence_list(const json_t *list, int64_t now,
    struct checklist *cl, struct gpu_summary *sum)
{
	struct gpu_anchor a;

	memset(sum, 0, sizeof(*sum));
	anchor_pinned(&a);
	check_list(list, &a, now, cl, sum);
}

void
gpu_check_evidence_list_root(const json_t *list, int64_t now,
    const uint8_t *root_der, size_t root_der_len, struct checklist *cl,
    struct gpu_summary *sum)
{
	struct gpu_anchor a;

	memset(sum, 0, sizeof(*sum));
	anchor_from_der(&a, root_der, root_der_len);
	check_list(list, &a, now, cl, sum);
	anchor_release(&a);
}

/*
 * True if the JSON text never nests arrays/objects deeper than max.
 * Linear; string contents (with escapes) are skipped.  The text is not
 * otherwise validated here (jansson does that).
 */

static void
check_payload(const char *payload, size_t len, const struct gpu_anchor *anchor,
    int64_t now, struct checklist *cl, struct gpu_summary *sum)
{
	json_t *root = NULL, *jn, *jl, *ja;
	json_error_t jerr;
	char msg[MAX_CHECK_DETAIL], esc[128];

	memset(sum, 0, sizeof(*sum));
	if (len > MAX_GPU_PAYLOAD_LEN) {
		snprintf(msg, sizeof(msg), "nvidia_payload of %zu bytes > %u",
		    len, MAX_GPU_PAYLOAD_LEN);
		list_fail(cl, msg);
		return;
	}
	if (!json_text_depth_ok(payload, len, MAX_JSON_DEPTH)) {
		snprintf(msg, sizeof(msg), "nvidia_payload nests deeper than "
		    "%d", MAX_JSON_DEPTH);
		list_fail(cl, msg);
		return;
	}
	root = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(msg, sizeof(msg), "nvidia_payload is not valid JSON: "
		    "%s at %d", log_esc(esc, sizeof(esc), jerr.text,
		    strnlen(jerr.text, sizeof(jerr.text))), jerr.position);
		list_fail(cl, msg);
		return;
	}
	if (!json_is_object(root)) {
		list_fail(cl, "nvidia_payload is not a JSON object");
		goto out;
	}
	jn = json_object_get(root, "nonce");
	if (json_is_string(jn) && json_string_length(jn) == 64 &&
	    hex_decode_exact(json_string_value(jn), 64, sum->payload_nonce,
	    sizeof(sum->payload_nonce), false))
		sum->payload_has_nonce = true;
	ja = json_object_get(root, "arch");
	if (ja != NULL && !json_is_string(ja)) {
		list_fail(cl, "nvidia_payload \"arch\" is not a string");
		goto out;
	}
	jl = json_object_get(root, "evidence_list");
	if (jl == NULL) {
		list_fail(cl, "nvidia_payload has no \"evidence_list\"");
		goto out;
	}
	check_list(jl, anchor, now, cl, sum);
out:
	json_decref(root);
}

void
gpu_check_payload(const char *payload, size_t len, int64_t now,
    struct checklist *cl, struct gpu_summary *sum)
{
	struct gpu_anchor a;

	anchor_pinned(&a);
	check_payload(payload, len, &a, now, cl, sum);
}

void
gpu_check_payload_root(const char *payload, size_t len, int64_t now,
    const uint8_t *root_der, size_t root_der_len, struct checklist *cl,
    struct gpu_summary *sum)
{
	struct gpu_anchor a;

	anchor_from_der(&a, root_der, root_der_len);
	check_payload(payload, len, &a, now, cl, sum);
	anchor_release(&a);
}
