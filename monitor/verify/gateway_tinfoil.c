#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "encode.h"
#include "gateway.h"
#include "gateway_tinfoil.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

enum tmon_rc
tinfoil_gunzip(const uint8_t *gz, size_t len, size_t max, uint8_t **out,
    size_t *outlen, struct tmon_err *err)
{
	z_stream zs;
	uint8_t *buf;
	enum tmon_rc rc;
	int zr;

	*out = NULL;
	*outlen = 0;
	if (len > UINT32_MAX || max >= UINT32_MAX)
		return tmon_err_set(err, TMON_E_LIMIT, "gzip: %zu bytes, over "
		    "the limit", len);
	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: a gzip wrapper (RFC 1952), nothing else */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return tmon_err_set(err, TMON_E_CRYPTO_LIB, "gzip: zlib "
		    "inflateInit2 failed");
	buf = xmalloc(max + 1);
	zs.next_in = (Bytef *)(uintptr_t)gz;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	/* one byte more than allowed: filling it means too long */
	zs.avail_out = (uInt)(max + 1);
	zr = inflate(&zs, Z_FINISH);
	if (zr == Z_STREAM_END && zs.avail_in != 0)
		rc = tmon_err_set(err, TMON_E_PARSE, "gzip: %u bytes after the "
		    "stream", zs.avail_in);
	else if (zr == Z_STREAM_END && zs.total_out <= max)
		rc = TMON_OK;
	else if (zs.avail_out == 0)
		rc = tmon_err_set(err, TMON_E_LIMIT, "gzip: inflates to more "
		    "than %zu bytes", max);
	else
		rc = tmon_err_set(err, TMON_E_PARSE, "gzip: %s",
		    zr == Z_BUF_ERROR ? "truncated stream" : zs.msg != NULL ?
		    zs.msg : "corrupt stream");
	if (rc == TMON_OK) {
		*out = buf;
		*outlen = zs.total_out;
	} else
		free(buf);
	inflateEnd(&zs);
	return rc;
}

/* Exactly 32 bytes as 64 hex digits from obj[key] at path. */
static enum tmon_rc
hex32(struct tjson_doc *d, json_t *obj, const char *path, const char *key,
    unsigned flags, bool *has, uint8_t out[32])
{
	json_t *v = json_object_get(obj, key);

	if (has != NULL)
		*has = v != NULL && !json_is_null(v);
	if ((flags & TJSON_OPTIONAL) && (v == NULL || json_is_null(v)))
		return TMON_OK;
	return tjson_hex(d, obj, path, key, 0, out, 32);
}

/* The base64 report s (len characters) at path p into a->quote. */
static enum tmon_rc
report_b64(struct tjson_doc *d, struct gw_attestation *a, const char *p,
    const char *s, size_t len, bool gzipped)
{
	struct tmon_err zerr;
	uint8_t *raw;
	size_t n;
	enum tmon_rc rc;

	/* base64 of MAX_QUOTE_LEN bytes: 4/3 of it, rounded up */
	if (len > 4 * ((size_t)MAX_QUOTE_LEN / 3 + 1))
		return tjson_fail(d, TMON_E_LIMIT, p, "%zu characters, over "
		    "the %u-byte limit", len, MAX_QUOTE_LEN);
	raw = b64_decode_alloc(s, len, MAX_QUOTE_LEN, &n);
	if (raw == NULL)
		return tjson_fail(d, TMON_E_PARSE, p, "not base64 of at most "
		    "%u bytes", MAX_QUOTE_LEN);
	if (!gzipped) {
		a->quote = raw;
		a->quote_len = n;
		return TMON_OK;
	}
	tmon_err_clear(&zerr);
	rc = tinfoil_gunzip(raw, n, MAX_QUOTE_LEN, &a->quote, &a->quote_len,
	    &zerr);
	free(raw);
	if (rc != TMON_OK)
		return tjson_fail(d, rc, p, "%s", zerr.msg);
	return TMON_OK;
}

static enum tmon_rc
decode_v2(struct tjson_doc *d, struct gw_attestation *a)
{
	const char *s = NULL;
	size_t len = 0;
	enum tmon_rc rc;

	if ((rc = tjson_str(d, a->obj, "", "body", MAX_BLOB_LEN, 0, &s,
	    &len)) != TMON_OK)
		return rc;
	return report_b64(d, a, "body", s, len, true);
}

/* The value of the top-level member key: served, and its bytes' hash. */
static void
raw_hash(const uint8_t *body, size_t len, json_t *root, const char *key,
    bool *has, bool *raw, uint8_t h[32])
{
	struct tjson_span sp;
	json_t *j = json_object_get(root, key);

	*has = j != NULL && !json_is_null(j);
	*raw = *has && tjson_locate(body, len, key, &sp);
	if (*raw)
		sha256(body + sp.start, sp.end - sp.start, h);
}

static enum tmon_rc
decode_v3(struct tjson_doc *d, struct gw_attestation *a,
    const uint8_t *body, size_t len)
{
	struct gw_tinfoil *t = &a->tinfoil;
	json_t *rd = NULL, *cpu = NULL, *gpu = NULL, *ev = NULL;
	const char *s = NULL;
	size_t n = 0;
	char p[MAX_JSON_PATH];
	enum tmon_rc rc;

	/* the later v3 layout (challenge, cpu_evidence, crypto_material,
	 * device_evidence) under the same format string */
	if (json_object_get(a->obj, "report_data") == NULL &&
	    json_object_get(a->obj, "challenge") != NULL)
		return tjson_fail(d, TMON_E_UNSUPPORTED, "challenge", "the v3 "
		    "layout with challenge and crypto_material is not "
		    "supported");
	if ((rc = tjson_object(d, a->obj, "", "report_data", 0, &rd)) !=
	    TMON_OK ||
	    (rc = hex32(d, rd, "report_data", "tls_key_fp", 0, NULL,
	    t->tls_key_fp)) != TMON_OK ||
	    (rc = hex32(d, rd, "report_data", "hpke_key", 0, NULL,
	    t->hpke_key)) != TMON_OK ||
	    (rc = hex32(d, rd, "report_data", "nonce", 0, NULL, t->nonce)) !=
	    TMON_OK ||
	    (rc = hex32(d, rd, "report_data", "gpu_evidence_hash",
	    TJSON_OPTIONAL, &t->has_gpu_hash, t->gpu_hash)) != TMON_OK ||
	    (rc = hex32(d, rd, "report_data", "nvswitch_evidence_hash",
	    TJSON_OPTIONAL, &t->has_nvswitch_hash, t->nvswitch_hash)) !=
	    TMON_OK)
		return rc;
	if ((rc = tjson_object(d, a->obj, "", "cpu", 0, &cpu)) != TMON_OK ||
	    (rc = tjson_str(d, cpu, "cpu", "platform", MAX_BLOB_LEN, 0, &s, NULL)) !=
	    TMON_OK)
		return rc;
	if (strcmp(s, "tdx") == 0)
		t->platform = TINFOIL_TDX;
	else if (strcmp(s, "sev-snp") == 0)
		t->platform = TINFOIL_SEV_SNP;
	else
		return tjson_fail(d, TMON_E_UNSUPPORTED, "cpu.platform",
		    "platform \"%.40s\" is not supported (tdx, sev-snp)", s);
	if ((rc = tjson_str(d, cpu, "cpu", "report", MAX_BLOB_LEN, 0, &s,
	    &n)) != TMON_OK ||
	    (rc = report_b64(d, a, "cpu.report", s, n, false)) != TMON_OK)
		return rc;
	if ((rc = tjson_object(d, a->obj, "", "gpu", TJSON_OPTIONAL |
	    TJSON_NULL, &gpu)) != TMON_OK)
		return rc;
	if (gpu != NULL) {
		tjson_path(p, sizeof(p), "", "gpu");
		if ((rc = tjson_array(d, gpu, p, "evidences", 1, MAX_GPUS, 0,
		    &ev)) != TMON_OK)
			return rc;
		a->gpu_evidence = ev;
	}
	raw_hash(body, len, a->obj, "gpu", &t->has_gpu, &t->gpu_raw,
	    t->gpu_sha256);
	raw_hash(body, len, a->obj, "nvswitch", &t->has_nvswitch,
	    &t->nvswitch_raw, t->nvswitch_sha256);
	if ((rc = tjson_str(d, a->obj, "", "certificate", MAX_PEM_CHAIN_LEN,
	    TJSON_OPTIONAL | TJSON_NULL, &t->certificate,
	    &t->certificate_len)) != TMON_OK ||
	    (rc = tjson_str(d, a->obj, "", "signature", 1024, TJSON_OPTIONAL |
	    TJSON_NULL, &t->signature, &t->signature_len)) != TMON_OK)
		return rc;
	a->has_request_nonce = true;
	memcpy(a->request_nonce, t->nonce, 32);
	a->has_tls_fingerprint = true;
	memcpy(a->tls_fingerprint, t->tls_key_fp, 32);
	return TMON_OK;
}

enum tmon_rc
gw_tinfoil_decode(struct tjson_doc *d, struct gw_report *rep,
    const uint8_t *body, size_t len)
{
	struct gw_attestation *a;
	const char *f = NULL;
	enum tmon_rc rc;

	if ((rc = tjson_str(d, rep->root, "", "format", MAX_BLOB_LEN, 0, &f, NULL)) !=
	    TMON_OK)
		return rc;
	a = &rep->att[0];
	memset(a, 0, sizeof(*a));
	a->role = GW_ROLE_MODEL;
	a->obj = rep->root;
	a->is_tinfoil = true;
	rep->n_att = 1;
	rep->primary = 0;
	if (strcmp(f, TINFOIL_TDX_V2) == 0 || strcmp(f, TINFOIL_SNP_V2) ==
	    0) {
		a->tinfoil.version = 2;
		a->tinfoil.platform = strcmp(f, TINFOIL_TDX_V2) == 0 ?
		    TINFOIL_TDX : TINFOIL_SEV_SNP;
		return decode_v2(d, a);
	}
	if (strcmp(f, TINFOIL_V3) == 0) {
		a->tinfoil.version = 3;
		return decode_v3(d, a, body, len);
	}
	return tjson_fail(d, TMON_E_UNSUPPORTED, "format", "Tinfoil format "
	    "\"%.80s\" is not supported (%s, %s, %s)", f, TINFOIL_TDX_V2,
	    TINFOIL_SNP_V2, TINFOIL_V3);
}
