/*
 * gpu_verify.c: NVIDIA GPU evidence verification (see gpu_verify.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cur.h"
#include "encode.h"
#include "gpu_verify.h"
#include "log.h"
#include "nvspdm.h"
#include "tjson.h"
#include "util.h"
#include "verify_ctx.h"
#include "x509.h"
#include "xmalloc.h"

#define GPU_CHAIN_LEN	5	/* nvtrust config.py MAX_CERT_CHAIN_LENGTH */
#define P384_LEN	48

/* SHA-256 of the pinned root's DER (trust_nvidia.c). */
static const uint8_t nvidia_root_sha256[32] = {
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

static const char name_pinned[] = "NVIDIA Device Identity CA";
static const char name_test[] = "test root";

/* Per-list state. */
struct gpu_run {
	struct checklist	*cl;
	struct gpu_summary	*sum;
	/* NULL when the root could not be loaded: chains are CHECK_ERROR */
	const struct x509_anchor *anchor;
	bool			 test;		/* not the pinned root */
	int64_t			 now;
	size_t			 ev_bad;	/* GPUs failing gpu.evidence */
	size_t			 chain_bad;	/* GPUs failing gpu.cert_chain */
	uint8_t			 leaf_fp[MAX_GPUS][32];
};

/* ---- the DICE extension (DER over the cursor, cur.h) ------------------- */

static enum tmon_rc
parse_fwid(struct cur *c, uint8_t fwid[48], struct tmon_err *err)
{
	struct cur seq, oid, dig;

	if (!cur_get_der(c, DER_SEQUENCE, &seq))
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: FWID is not a SEQUENCE");
	if (!cur_get_der(&seq, DER_OID, &oid))
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: FWID hashAlg is not an OBJECT IDENTIFIER");
	if (!cur_mem_equal_ct(&oid, oid_sha384, sizeof(oid_sha384)))
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: FWID hashAlg is not SHA-384");
	if (!cur_get_der(&seq, DER_OCTETS, &dig) || cur_len(&seq) != 0)
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
	if (!cur_get_der(&c, DER_SEQUENCE, &seq) || cur_len(&c) != 0)
		return tmon_err_set(err, TMON_E_PARSE,
		    "dice: extension value is not one DER SEQUENCE");
	if (cur_len(&seq) > 0 && cur_data(&seq)[0] == DER_INTEGER) {
		/* CompositeDeviceID { version, deviceID SPKI, fwid FWID } */
		if (!cur_get_der(&seq, DER_INTEGER, &v) || cur_len(&v) == 0)
			return tmon_err_set(err, TMON_E_PARSE,
			    "dice: CompositeDeviceID version");
		if (!cur_get_der(&seq, DER_SEQUENCE, &v))
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
		if (!cur_get_der_any(&seq, &tag, &v))
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

enum tmon_rc
gpu_nvidia_anchor_init(struct x509_anchor *a, struct tmon_err *err)
{
	enum tmon_rc rc;

	if ((rc = x509_anchor_init(a, gpu_nvidia_root_der,
	    gpu_nvidia_root_der_len, name_pinned, err)) != TMON_OK)
		return rc;
	if (CRYPTO_memcmp(a->sha256, nvidia_root_sha256, 32) != 0) {
		x509_anchor_release(a);
		return tmon_err_set(err, TMON_E_INTERNAL, "%s: does not match "
		    "its fingerprint", name_pinned);
	}
	return TMON_OK;
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
 * key.  Returns VERDICT_PASS, VERDICT_FAIL (with *why) or VERDICT_ERROR.
 */
static enum verdict
verify_spdm_sig(const struct nvspdm_evidence *ev, X509 *leaf, const char **why)
{
	EVP_PKEY *pkey;
	char group[32];
	size_t glen;
	enum verdict st;

	*why = "";
	if ((pkey = X509_get0_pubkey(leaf)) == NULL ||
	    EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen) ||
	    strcmp(group, "secp384r1") != 0) {
		*why = "leaf key is not ECDSA P-384";
		return VERDICT_FAIL;
	}
	st = x509_ecdsa_verify_raw(pkey, EVP_sha384(), ev->signature,
	    2 * P384_LEN, cur_data(&ev->signed_region),
	    cur_len(&ev->signed_region), "gpu: SPDM signature");
	if (st == VERDICT_FAIL)
		*why = "SPDM signature does not verify with the leaf key";
	return st;
}

/*
 * Check every DICE FWID extension of the leaf against the report's FWID.
 * Returns VERDICT_PASS or VERDICT_FAIL (with the reason in why).
 */
static enum verdict
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
			return VERDICT_FAIL;
		}
		if (CRYPTO_memcmp(fwid, ev->fwid, sizeof(fwid)) != 0) {
			snprintf(why, whysz, "leaf certificate FWID does not "
			    "match the report's FWID (opaque type 20)");
			return VERDICT_FAIL;
		}
	}
	if (found == 0) {
		snprintf(why, whysz, "leaf certificate has no TCG DICE FWID "
		    "extension (2.23.133.5.4.1[.1])");
		return VERDICT_FAIL;
	}
	return VERDICT_PASS;
}

/*
 * Chain checks for one GPU (see gpu_verify.h): the path to the pinned
 * root (x509_chain_verify), then the leaf's key usage.  Returns the
 * verdict and the reason in why.
 */
static enum verdict
verify_chain(const struct x509_chain *ch, const struct gpu_run *r, char *why,
    size_t whysz)
{
	enum verdict v;

	if (r->anchor == NULL) {
		snprintf(why, whysz, "%s unavailable", r->test ?
		    "test root (not one DER certificate)" :
		    "pinned NVIDIA root");
		return VERDICT_ERROR;
	}
	v = x509_chain_verify(ch, GPU_CHAIN_LEN, r->anchor, r->now, 0, why,
	    whysz);
	if (v != VERDICT_PASS)
		return v;
	if ((X509_get_key_usage(ch->cert[0]) & KU_DIGITAL_SIGNATURE) == 0) {
		snprintf(why, whysz, "leaf key usage lacks digitalSignature");
		return VERDICT_FAIL;
	}
	return VERDICT_PASS;
}

/* ---- one GPU ------------------------------------------------------------- */

static void
check_one(struct gpu_run *r, size_t idx, const json_t *ent)
{
	struct nvspdm_evidence *ev = NULL;
	struct tmon_err err;
	const json_t *jev, *jcert, *jarch;
	struct x509_chain ch;
	uint8_t *bin = NULL, *pem = NULL, fp[32];
	size_t binlen = 0, pemlen = 0, j;
	char why[MAX_CHECK_DETAIL];
	const char *sigwhy;
	bool parsed = false;
	enum check_status st;
	enum verdict v;
	X509 *leaf = NULL;

	memset(&ch, 0, sizeof(ch));

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
	tmon_err_clear(&err);
	if (x509_chain_parse("certificate chain", pem, pemlen, 1,
	    MAX_GPU_CERTS, 0, &ch, &err) != TMON_OK) {
		st = err.code == TMON_E_CRYPTO_LIB ? CHECK_ERROR : CHECK_FAIL;
		ev_fail(r, st, "GPU %zu: %s", idx, err.msg);
		chain_fail(r, st, "GPU %zu: %s", idx, err.msg);
		goto out;
	}
	leaf = ch.cert[0];
	set_arch(r->sum->gpu[idx].arch, sizeof(r->sum->gpu[idx].arch), leaf,
	    jarch);

	/* The same device twice is not two GPUs. */
	sha256(ch.der[0], ch.der_len[0], fp);
	memcpy(r->leaf_fp[idx], fp, sizeof(fp));
	for (j = 0; j < idx; j++)
		if (CRYPTO_memcmp(r->leaf_fp[j], fp, sizeof(fp)) == 0) {
			ev_fail(r, CHECK_FAIL, "GPU %zu: same device "
			    "certificate as GPU %zu", idx, j);
			break;
		}

	if (parsed) {
		v = verify_spdm_sig(ev, leaf, &sigwhy);
		if (v == VERDICT_PASS)
			r->sum->gpu[idx].signature_ok = true;
		else if (v == VERDICT_FAIL)
			ev_fail(r, CHECK_FAIL, "GPU %zu: %s", idx, sigwhy);
		else
			ev_fail(r, CHECK_ERROR, "GPU %zu: OpenSSL failed "
			    "verifying the SPDM signature", idx);
	}

	why[0] = '\0';
	v = verify_chain(&ch, r, why, sizeof(why));
	if (v != VERDICT_PASS) {
		chain_fail(r, verdict_check(v), "GPU %zu: %s", idx, why);
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
	if (check_fwid(leaf, ev, why, sizeof(why)) != VERDICT_PASS) {
		chain_fail(r, CHECK_FAIL, "GPU %zu: %s", idx, why);
		goto out;
	}
	r->sum->gpu[idx].chain_ok = true;
out:
	x509_chain_free(&ch);
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
check_list(const json_t *list, struct gpu_run *run, struct checklist *cl,
    struct gpu_summary *sum)
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
	*r = *run;
	r->cl = cl;
	r->sum = sum;
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
		    r->anchor != NULL ? r->anchor->name : "root",
		    fmt_time(r->now, tbuf, sizeof(tbuf)));
	free(r);
}

/*
 * The run of one list: its time and its anchor, the pinned root (from
 * vc, or decoded into *tmp) or, with test set, the caller's root_der
 * (decoded into *tmp; the pinned root's own bytes give the pinned
 * anchor).  A root that does not decode leaves run->anchor NULL, so its
 * chains are CHECK_ERROR.  Release *tmp with x509_anchor_release.
 */
static void
run_init(struct gpu_run *run, struct verify_ctx *vc, int64_t now, bool test,
    const uint8_t *der, size_t len, struct x509_anchor *tmp)
{
	uint8_t h[32];

	memset(run, 0, sizeof(*run));
	memset(tmp, 0, sizeof(*tmp));
	run->now = now;
	if (test && der != NULL && len > 0) {
		sha256(der, len, h);
		test = CRYPTO_memcmp(h, nvidia_root_sha256, 32) != 0;
	}
	run->test = test;
	if (test) {
		if (x509_anchor_init(tmp, der, len, name_test, NULL) == TMON_OK)
			run->anchor = tmp;
		return;
	}
	if ((run->anchor = verify_ctx_nvidia_root(vc)) != NULL)
		return;
	if (gpu_nvidia_anchor_init(tmp, NULL) == TMON_OK)
		run->anchor = tmp;
}

void
gpu_check_evidence_list(struct verify_ctx *vc, const json_t *list,
    int64_t now, struct checklist *cl, struct gpu_summary *sum)
{
	struct x509_anchor tmp;
	struct gpu_run run;

	memset(sum, 0, sizeof(*sum));
	run_init(&run, vc, now, false, NULL, 0, &tmp);
	check_list(list, &run, cl, sum);
	x509_anchor_release(&tmp);
}

void
gpu_check_evidence_list_root(struct verify_ctx *vc, const json_t *list,
    int64_t now, const uint8_t *root_der, size_t root_der_len,
    struct checklist *cl, struct gpu_summary *sum)
{
	struct x509_anchor tmp;
	struct gpu_run run;

	memset(sum, 0, sizeof(*sum));
	run_init(&run, vc, now, true, root_der, root_der_len, &tmp);
	check_list(list, &run, cl, sum);
	x509_anchor_release(&tmp);
}

static void
check_payload(const char *payload, size_t len, struct gpu_run *run,
    struct checklist *cl, struct gpu_summary *sum)
{
	struct tmon_err err;
	struct tjson_doc d = { .name = "nvidia_payload", .err = &err };
	json_t *root = NULL, *jn, *jl, *ja;

	memset(sum, 0, sizeof(*sum));
	tmon_err_clear(&err);
	if (tjson_load(&d, payload, len, MAX_GPU_PAYLOAD_LEN, TJSON_OBJECT,
	    &root) != TMON_OK) {
		list_fail(cl, err.msg);
		return;
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
	check_list(jl, run, cl, sum);
out:
	json_decref(root);
}

void
gpu_check_payload(struct verify_ctx *vc, const char *payload, size_t len,
    int64_t now, struct checklist *cl, struct gpu_summary *sum)
{
	struct x509_anchor tmp;
	struct gpu_run run;

	run_init(&run, vc, now, false, NULL, 0, &tmp);
	check_payload(payload, len, &run, cl, sum);
	x509_anchor_release(&tmp);
}

void
gpu_check_payload_root(struct verify_ctx *vc, const char *payload,
    size_t len, int64_t now, const uint8_t *root_der, size_t root_der_len,
    struct checklist *cl, struct gpu_summary *sum)
{
	struct x509_anchor tmp;
	struct gpu_run run;

	run_init(&run, vc, now, true, root_der, root_der_len, &tmp);
	check_payload(payload, len, &run, cl, sum);
	x509_anchor_release(&tmp);
}
