/*
 * tdx_eventlog.c: decode and replay the dstack event log of a TDX
 * attestation; bind app_compose to the quote.  Interface, sources and
 * the reason a peer gets RTMR3 wrong: tdx_eventlog.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "encode.h"
#include "log.h"
#include "tdx_eventlog.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/* Short hex of the first 8 bytes of p, for details. */
static char *
short_hex(const uint8_t *p, char out[17])
{
	return hex_encode(p, 8, out);
}

/*
 * Parse len bytes of JSON text embedded in a string member (what names
 * it) into *out (owned by the caller): tjson_load() of at most max
 * bytes.
 */
static enum tmon_rc
load_text(const char *text, size_t len, size_t max, const char *what,
    json_t **out, struct tmon_err *err)
{
	struct tjson_doc d = { .name = what, .err = err };

	return tjson_load(&d, text, len, max, 0, out);
}

/* SHA-384 over up to three parts into out; false on a library failure. */
static bool
sha384_3(EVP_MD_CTX *md, const void *a, size_t alen, const void *b,
    size_t blen, const void *c, size_t clen, uint8_t out[48])
{
	unsigned int n = 0;

	if (EVP_DigestInit_ex(md, EVP_sha384(), NULL) != 1 ||
	    (alen > 0 && EVP_DigestUpdate(md, a, alen) != 1) ||
	    (blen > 0 && EVP_DigestUpdate(md, b, blen) != 1) ||
	    (clen > 0 && EVP_DigestUpdate(md, c, clen) != 1) ||
	    EVP_DigestFinal_ex(md, out, &n) != 1 || n != 48) {
		log_crypto_warnx("tdx eventlog: sha-384 failed");
		return false;
	}
	return true;
}

/*
 * The digest of a dstack runtime event: SHA-384(le32(type) || ":" ||
 * name || ":" || payload) (dstack cc-eventlog event_digest()).
 */
static bool
runtime_digest(EVP_MD_CTX *md, uint32_t type, const char *name,
    size_t namelen, const uint8_t *payload, size_t paylen, uint8_t out[48])
{
	uint8_t pre[5];
	unsigned int n = 0;

	pre[0] = (uint8_t)type;
	pre[1] = (uint8_t)(type >> 8);
	pre[2] = (uint8_t)(type >> 16);
	pre[3] = (uint8_t)(type >> 24);
	pre[4] = ':';
	if (EVP_DigestInit_ex(md, EVP_sha384(), NULL) != 1 ||
	    EVP_DigestUpdate(md, pre, sizeof(pre)) != 1 ||
	    (namelen > 0 && EVP_DigestUpdate(md, name, namelen) != 1) ||
	    EVP_DigestUpdate(md, ":", 1) != 1 ||
	    (paylen > 0 && EVP_DigestUpdate(md, payload, paylen) != 1) ||
	    EVP_DigestFinal_ex(md, out, &n) != 1 || n != 48) {
		log_crypto_warnx("tdx eventlog: sha-384 failed");
		return false;
	}
	return true;
}

static enum tmon_rc
parse_event(const json_t *o, size_t i, EVP_MD_CTX *md, struct tdx_event *ev,
    struct tmon_err *err)
{
	/* errors read "event N: member: what"; absent or null strings
	 * read as "" */
	const unsigned opt = TJSON_OPTIONAL | TJSON_NULL;
	const char *dig = "", *name = "", *pay = "";
	size_t diglen = 0, namelen = 0, paylen = 0;
	char what[32];
	struct tjson_doc d = { .name = what, .err = err };
	uint64_t v;
	enum tmon_rc rc;

	snprintf(what, sizeof(what), "event %zu", i);
	if (!json_is_object(o))
		return tjson_fail(&d, TMON_E_PARSE, NULL, "not an object");
	if ((rc = tjson_uint(&d, o, "", "imr", 0, TDX_RTMR_COUNT - 1,
	    TJSON_DECIMAL, &v)) != TMON_OK)
		return rc;
	ev->imr = (uint8_t)v;
	if ((rc = tjson_uint(&d, o, "", "event_type", 0, UINT32_MAX,
	    TJSON_DECIMAL, &v)) != TMON_OK)
		return rc;
	ev->type = (uint32_t)v;
	ev->runtime = ev->type == TDX_EVENT_DSTACK_RUNTIME;
	if ((rc = tjson_str(&d, o, "", "digest", SIZE_MAX, opt, &dig,
	    &diglen)) != TMON_OK ||
	    (rc = tjson_str(&d, o, "", "event", SIZE_MAX, opt, &name,
	    &namelen)) != TMON_OK ||
	    (rc = tjson_str(&d, o, "", "event_payload", SIZE_MAX, opt, &pay,
	    &paylen)) != TMON_OK)
		return rc;
	if (namelen > MAX_EVENT_NAME)
		return tmon_err_set(err, TMON_E_LIMIT, "event %zu: event name "
		    "of %zu bytes, over the limit of %d", i, namelen,
		    MAX_EVENT_NAME);
	if (paylen / 2 > MAX_EVENT_PAYLOAD)
		return tmon_err_set(err, TMON_E_LIMIT, "event %zu: payload of "
		    "%zu bytes, over the limit of %zu", i, paylen / 2,
		    (size_t)MAX_EVENT_PAYLOAD);
	if (paylen % 2 != 0 || !is_hex_text(pay, paylen))
		return tmon_err_set(err, TMON_E_PARSE,
		    "event %zu: event_payload: not hex", i);
	if (diglen != 0) {
		if (!hex_decode_exact(dig, diglen, ev->digest, 48, false))
			return tmon_err_set(err, TMON_E_PARSE, "event %zu: "
			    "digest: not 96 hex digits (SHA-384)", i);
		ev->has_digest = true;
	}
	if (!ev->runtime) {
		/* CCEL firmware event: fold the given digest. */
		if (!ev->has_digest)
			return tmon_err_set(err, TMON_E_PARSE, "event %zu "
			    "(imr %u, type 0x%08x): no digest", i,
			    (unsigned)ev->imr, (unsigned)ev->type);
		memcpy(ev->extend, ev->digest, 48);
		return TMON_OK;
	}
	ev->name = xstrndup(name, namelen);
	ev->payload_len = paylen / 2;
	if (ev->payload_len > 0) {
		ev->payload = xmalloc(ev->payload_len);
		if (!hex_decode_exact(pay, paylen, ev->payload,
		    ev->payload_len, false))
			return tmon_err_set(err, TMON_E_INTERNAL,
			    "event %zu: payload hex decode", i);
	}
	if (!runtime_digest(md, ev->type, name, namelen, ev->payload,
	    ev->payload_len, ev->extend))
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "event %zu: sha-384 failed", i);
	if (ev->has_digest && CRYPTO_memcmp(ev->digest, ev->extend, 48) != 0)
		ev->digest_lies = true;
	return TMON_OK;
}

static enum tmon_rc
parse_array(const json_t *arr, struct tdx_event_log *out,
    struct tmon_err *err)
{
	EVP_MD_CTX *md = NULL;
	enum tmon_rc rc = TMON_E_INTERNAL;
	size_t i, n;

	if (!json_is_array(arr))
		return tmon_err_set(err, TMON_E_PARSE,
		    "event log is not an array");
	n = json_array_size(arr);
	if (n > MAX_EVENTS)
		return tmon_err_set(err, TMON_E_LIMIT,
		    "event log of %zu events, over the limit of %d", n,
		    MAX_EVENTS);
	if ((md = EVP_MD_CTX_new()) == NULL) {
		log_crypto_warnx("tdx eventlog: EVP_MD_CTX_new");
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "EVP_MD_CTX_new failed");
	}
	out->ev = xcalloc(n > 0 ? n : 1, sizeof(*out->ev));
	for (i = 0; i < n; i++) {
		out->n = i + 1;		/* so free sees this event */
		rc = parse_event(json_array_get(arr, i), i, md, &out->ev[i],
		    err);
		if (rc != TMON_OK)
			goto out;
		if (out->ev[i].runtime && !out->ev[i].has_digest)
			out->n_recomputed++;
	}
	out->n = n;
	rc = TMON_OK;
out:
	EVP_MD_CTX_free(md);
	if (rc != TMON_OK)
		tdx_event_log_free(out);
	return rc;
}

enum tmon_rc
tdx_event_log_parse(const json_t *log, struct tdx_event_log *out,
    struct tmon_err *err)
{
	json_t *owned = NULL;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	if (json_is_string(log)) {
		rc = load_text(json_string_value(log), json_string_length(log),
		    MAX_EVENT_LOG_TEXT, "event log", &owned, err);
		if (rc != TMON_OK)
			return rc;
		log = owned;
	}
	rc = parse_array(log, out, err);
	json_decref(owned);
	return rc;
}

enum tmon_rc
tdx_event_log_parse_text(const char *text, size_t len,
    struct tdx_event_log *out, struct tmon_err *err)
{
	json_t *j = NULL;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	rc = load_text(text, len, MAX_EVENT_LOG_TEXT, "event log", &j, err);
	if (rc != TMON_OK)
		return rc;
	rc = parse_array(j, out, err);
	json_decref(j);
	return rc;
}

void
tdx_event_log_free(struct tdx_event_log *log)
{
	size_t i;

	if (log == NULL)
		return;
	for (i = 0; i < log->n && log->ev != NULL; i++) {
		free(log->ev[i].name);
		free(log->ev[i].payload);
	}
	free(log->ev);
	memset(log, 0, sizeof(*log));
}

enum tmon_rc
tdx_event_log_replay(const struct tdx_event_log *log,
    uint8_t rtmr[TDX_RTMR_COUNT][48], struct tmon_err *err)
{
	EVP_MD_CTX *md;
	uint8_t next[48];
	size_t i;
	enum tmon_rc rc = TMON_OK;

	memset(rtmr, 0, TDX_RTMR_COUNT * 48);
	if ((md = EVP_MD_CTX_new()) == NULL) {
		log_crypto_warnx("tdx eventlog: EVP_MD_CTX_new");
		return tmon_err_set(err, TMON_E_CRYPTO_LIB,
		    "EVP_MD_CTX_new failed");
	}
	for (i = 0; i < log->n; i++) {
		TMON_ASSERT(log->ev[i].imr < TDX_RTMR_COUNT);
		if (!sha384_3(md, rtmr[log->ev[i].imr], 48, log->ev[i].extend,
		    48, NULL, 0, next)) {
			rc = tmon_err_set(err, TMON_E_CRYPTO_LIB,
			    "sha-384 failed");
			break;
		}
		memcpy(rtmr[log->ev[i].imr], next, 48);
	}
	EVP_MD_CTX_free(md);
	return rc;
}

/*
 * info.tcb_info of att: borrowed, or parsed from its JSON string into
 * *owned (the caller decrefs).  TMON_E_NOTFOUND if absent.
 */
static enum tmon_rc
tcb_info_get(const json_t *att, const json_t **ti, json_t **owned,
    struct tmon_err *err)
{
	const json_t *info, *t;
	enum tmon_rc rc;

	*ti = NULL;
	*owned = NULL;
	info = json_object_get(att, "info");
	if (info == NULL || json_is_null(info))
		return TMON_E_NOTFOUND;
	if (!json_is_object(info))
		return tmon_err_set(err, TMON_E_PARSE, "info: not an object");
	t = json_object_get(info, "tcb_info");
	if (t == NULL || json_is_null(t) ||
	    (json_is_string(t) && json_string_length(t) == 0))
		return TMON_E_NOTFOUND;
	if (json_is_string(t)) {
		rc = load_text(json_string_value(t), json_string_length(t),
		    MAX_TCB_INFO_TEXT, "info.tcb_info", owned, err);
		if (rc != TMON_OK)
			return rc;
		t = *owned;
	}
	if (!json_is_object(t)) {
		json_decref(*owned);
		*owned = NULL;
		return tmon_err_set(err, TMON_E_PARSE,
		    "info.tcb_info: not an object");
	}
	*ti = t;
	return TMON_OK;
}

/* True if v is absent, null or the empty string. */
static bool
absent(const json_t *v)
{
	return v == NULL || json_is_null(v) ||
	    (json_is_string(v) && json_string_length(v) == 0);
}

enum tmon_rc
tdx_event_log_load(const json_t *att, enum tdx_evl_src src,
    struct tdx_event_log *out, struct tmon_err *err)
{
	const json_t *ti, *v;
	json_t *owned = NULL;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(att))
		return tmon_err_set(err, TMON_E_PARSE,
		    "attestation is not an object");
	if (src == TDX_EVL_TOP) {
		v = json_object_get(att, "event_log");
		if (absent(v))
			return TMON_E_NOTFOUND;
		return tdx_event_log_parse(v, out, err);
	}
	if ((rc = tcb_info_get(att, &ti, &owned, err)) != TMON_OK)
		return rc;
	v = json_object_get(ti, "event_log");
	if (absent(v))
		rc = TMON_E_NOTFOUND;
	else
		rc = tdx_event_log_parse(v, out, err);
	json_decref(owned);
	return rc;
}

/* The first event whose served digest is a lie, or log->n. */
static size_t
first_lie(const struct tdx_event_log *log)
{
	size_t i;

	for (i = 0; i < log->n; i++)
		if (log->ev[i].digest_lies)
			break;
	return i;
}

/* The first RTMR of q that rtmr differs from, or -1. */
static int
first_mismatch(const struct tdx_quote *q,
    const uint8_t rtmr[TDX_RTMR_COUNT][48])
{
	int i;

	for (i = 0; i < TDX_RTMR_COUNT; i++)
		if (CRYPTO_memcmp(rtmr[i], q->report.rtmr[i], 48) != 0)
			return i;
	return -1;
}

enum tmon_rc
tdx_event_log_system_value(const struct tdx_quote *q, const json_t *att,
    const char *name, uint8_t *out, size_t outlen, struct tmon_err *err)
{
	size_t n;
	enum tmon_rc rc;

	rc = tdx_event_log_system_payload(q, att, name, out, outlen, &n, err);
	if (rc == TMON_OK && n != outlen)
		rc = tmon_err_set(err, TMON_E_PARSE, "%s event payload of %zu "
		    "bytes, not %zu", name, n, outlen);
	return rc;
}

enum tmon_rc
tdx_event_log_system_payload(const struct tdx_quote *q, const json_t *att,
    const char *name, uint8_t *out, size_t outmax, size_t *outlen,
    struct tmon_err *err)
{
	struct tdx_event_log log;
	uint8_t rtmr[TDX_RTMR_COUNT][48];
	const struct tdx_event *ev;
	size_t i, found = SIZE_MAX;
	bool ready = false;
	enum tmon_rc rc;

	rc = tdx_event_log_load(att, TDX_EVL_TOP, &log, err);
	if (rc == TMON_E_NOTFOUND)
		rc = tdx_event_log_load(att, TDX_EVL_TCB_INFO, &log, err);
	if (rc == TMON_E_NOTFOUND)
		return tmon_err_set(err, rc, "no event log");
	if (rc != TMON_OK)
		return rc;
	if ((i = first_lie(&log)) < log.n) {
		rc = tmon_err_set(err, TMON_E_PARSE, "event log: event %zu: "
		    "digest does not match its payload", i);
		goto out;
	}
	if ((rc = tdx_event_log_replay(&log, rtmr, err)) != TMON_OK)
		goto out;
	if (CRYPTO_memcmp(rtmr[3], q->report.rtmr[3], 48) != 0) {
		rc = tmon_err_set(err, TMON_E_PARSE,
		    "event log does not replay to RTMR3");
		goto out;
	}
	for (i = 0; i < log.n; i++) {
		ev = &log.ev[i];
		if (!ev->runtime || ev->imr != 3)
			continue;
		if (strcmp(ev->name, "system-ready") == 0) {
			ready = true;
			continue;
		}
		if (strcmp(ev->name, name) != 0)
			continue;
		if (found != SIZE_MAX) {
			rc = tmon_err_set(err, TMON_E_PARSE,
			    "several %s events (%zu and %zu)", name, found, i);
			goto out;
		}
		if (ready) {
			rc = tmon_err_set(err, TMON_E_PARSE, "the %s event "
			    "(%zu) comes after system-ready", name, i);
			goto out;
		}
		found = i;
	}
	if (found == SIZE_MAX) {
		rc = tmon_err_set(err, TMON_E_NOTFOUND,
		    "no %s event in the event log", name);
		goto out;
	}
	ev = &log.ev[found];
	if (ev->payload_len > outmax) {
		rc = tmon_err_set(err, TMON_E_PARSE, "%s event payload of %zu "
		    "bytes, over %zu", name, ev->payload_len, outmax);
		goto out;
	}
	if (ev->payload_len > 0)
		memcpy(out, ev->payload, ev->payload_len);
	*outlen = ev->payload_len;
	rc = TMON_OK;
out:
	tdx_event_log_free(&log);
	return rc;
}

void
tdx_check_event_log(const struct tdx_quote *q, const json_t *att,
    struct checklist *cl)
{
	static const struct {
		enum tdx_evl_src	src;
		char			name[32];
	} srcs[] = {
		{ TDX_EVL_TOP, "event_log" },
		{ TDX_EVL_TCB_INFO, "info.tcb_info.event_log" }
	};
	struct tdx_event_log log;
	struct tmon_err err;
	uint8_t rtmr[TDX_RTMR_COUNT][48];
	char pass[MAX_CHECK_DETAIL], given[17], calc[17], esc[96];
	size_t i, j, found = 0, matched = 0;
	bool bad = false;
	enum tmon_rc rc;
	int r;

	pass[0] = '\0';
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		tmon_err_clear(&err);
		rc = tdx_event_log_load(att, srcs[i].src, &log, &err);
		if (rc == TMON_E_NOTFOUND)
			continue;
		found++;
		if (rc == TMON_E_CRYPTO_LIB) {
			checklist_set(cl, "tdx.event_log", CHECK_ERROR,
			    "%s: sha-384 failed (library error)", srcs[i].name);
			bad = true;
			continue;
		}
		if (rc != TMON_OK) {
			checklist_set(cl, "tdx.event_log", CHECK_FAIL,
			    "%s: malformed: %s", srcs[i].name, err.msg);
			bad = true;
			continue;
		}
		if ((j = first_lie(&log)) < log.n) {
			checklist_set(cl, "tdx.event_log", CHECK_FAIL,
			    "%s: event %zu (%s): digest does not match SHA-384 "
			    "of its type, name and payload (given %s..., "
			    "computed %s...)", srcs[i].name, j,
			    log_esc(esc, sizeof(esc), log.ev[j].name,
			    strlen(log.ev[j].name)),
			    short_hex(log.ev[j].digest, given),
			    short_hex(log.ev[j].extend, calc));
			bad = true;
			goto next;
		}
		if (tdx_event_log_replay(&log, rtmr, &err) != TMON_OK) {
			checklist_set(cl, "tdx.event_log", CHECK_ERROR,
			    "%s: sha-384 failed (library error)", srcs[i].name);
			bad = true;
			goto next;
		}
		if ((r = first_mismatch(q, rtmr)) >= 0) {
			checklist_set(cl, "tdx.event_log", CHECK_FAIL,
			    "%s: RTMR%d differs: replayed %s..., quote %s... "
			    "(%zu events)", srcs[i].name, r,
			    short_hex(rtmr[r], calc),
			    short_hex(q->report.rtmr[r], given), log.n);
			bad = true;
			goto next;
		}
		if (matched++ == 0) {
			if (log.n_recomputed > 0)
				snprintf(pass, sizeof(pass), "%zu events, "
				    "RTMR0-3 match (%s, %zu empty imr-3 "
				    "digests recomputed", log.n, srcs[i].name,
				    log.n_recomputed);
			else
				snprintf(pass, sizeof(pass), "%zu events, "
				    "RTMR0-3 match (%s", log.n, srcs[i].name);
		} else {
			j = strlen(pass);
			snprintf(pass + j, sizeof(pass) - j,
			    "; %s matches too", srcs[i].name);
		}
next:
		tdx_event_log_free(&log);
	}
	if (found == 0) {
		checklist_set(cl, "tdx.event_log", CHECK_SKIP,
		    "no event log in this attestation");
		return;
	}
	if (!bad && matched > 0) {
		j = strlen(pass);
		snprintf(pass + j, sizeof(pass) - j, ")");
		checklist_set(cl, "tdx.event_log", CHECK_PASS, "%s", pass);
	}
}

/* MRCONFIGID formats of dstack (dstack-types/src/mr_config.rs). */
enum mrcfg {
	MRCFG_ZERO,		/* not used (dstack < 0.5.2) */
	MRCFG_V1,		/* 0x01 || compose_hash || 15 x 00 */
	MRCFG_V1_BAD,		/* 0x01 with non-zero bytes after the hash */
	MRCFG_V2,		/* 0x02 || keccak256(...): not checked */
	MRCFG_UNKNOWN
};

static enum mrcfg
mrcfg_read(const uint8_t id[48], uint8_t hash[32])
{
	static const uint8_t zero[48];

	if (CRYPTO_memcmp(id, zero, 48) == 0)
		return MRCFG_ZERO;
	switch (id[0]) {
	case 0x01:
		memcpy(hash, id + 1, 32);
		if (CRYPTO_memcmp(id + 33, zero, 15) != 0)
			return MRCFG_V1_BAD;
		return MRCFG_V1;
	case 0x02:
		return MRCFG_V2;
	default:
		return MRCFG_UNKNOWN;
	}
}

/*
 * A served compose hash (hex text) at key of obj, when present, must be
 * h.  Returns false (and sets the failure) when it is not.
 */
static bool
served_ok(const json_t *obj, const char *key, const char *what,
    const uint8_t h[32], struct checklist *cl)
{
	const json_t *v = json_object_get(obj, key);
	uint8_t got[32];
	char a[17], b[17], esc[96];

	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v) || !hex_decode_exact(json_string_value(v),
	    json_string_length(v), got, 32, true)) {
		checklist_set(cl, "tdx.compose", CHECK_FAIL,
		    "served %s is not 32 bytes of hex: %s", what,
		    json_is_string(v) ? log_esc(esc, sizeof(esc),
		    json_string_value(v), json_string_length(v)) :
		    "(not a string)");
		return false;
	}
	if (CRYPTO_memcmp(got, h, 32) != 0) {
		checklist_set(cl, "tdx.compose", CHECK_FAIL,
		    "served %s %s... is not sha256(app_compose) %s...", what,
		    short_hex(got, a), short_hex(h, b));
		return false;
	}
	return true;
}

void
tdx_check_compose(const struct tdx_quote *q, const json_t *att,
    struct checklist *cl, char compose_hash_hex[65])
{
	const json_t *ti = NULL, *ac, *info;
	json_t *owned = NULL;
	struct tmon_err err, everr;
	uint8_t h[32], hcfg[32], hev[32];
	char a[17], b[17], hhex[65];
	enum tmon_rc rc, evrc;
	enum mrcfg cfg;
	bool ok = true, bound_cfg = false, bound_ev = false;
	size_t len;

	compose_hash_hex[0] = '\0';
	tmon_err_clear(&err);
	tmon_err_clear(&everr);
	memset(hcfg, 0, sizeof(hcfg));
	cfg = mrcfg_read(q->report.mr_config_id, hcfg);
	evrc = tdx_event_log_system_value(q, att, "compose-hash", hev, 32,
	    &everr);
	if (evrc == TMON_E_CRYPTO_LIB) {
		checklist_set(cl, "tdx.compose", CHECK_ERROR,
		    "sha-384 failed (library error)");
		return;
	}

	rc = json_is_object(att) ? tcb_info_get(att, &ti, &owned, &err) :
	    TMON_E_NOTFOUND;
	ac = ti != NULL ? json_object_get(ti, "app_compose") : NULL;
	if (rc == TMON_E_NOTFOUND || (rc == TMON_OK && (ac == NULL ||
	    json_is_null(ac)))) {
		/* No app_compose: report what the quote attests, if any. */
		if (cfg == MRCFG_V1 && evrc == TMON_OK &&
		    CRYPTO_memcmp(hcfg, hev, 32) != 0)
			checklist_set(cl, "tdx.compose", CHECK_FAIL,
			    "no app_compose; MRCONFIGID v1 holds %s... but the "
			    "compose-hash event holds %s...",
			    short_hex(hcfg, a), short_hex(hev, b));
		else {
			if (cfg == MRCFG_V1)
				hex_encode(hcfg, 32, compose_hash_hex);
			else if (evrc == TMON_OK)
				hex_encode(hev, 32, compose_hash_hex);
			checklist_set(cl, "tdx.compose", CHECK_SKIP,
			    "no app_compose in this attestation");
		}
		goto out;
	}
	if (rc != TMON_OK) {
		checklist_set(cl, "tdx.compose", CHECK_FAIL, "%s", err.msg);
		goto out;
	}
	if (!json_is_string(ac)) {
		checklist_set(cl, "tdx.compose", CHECK_FAIL,
		    "info.tcb_info.app_compose: not a string");
		goto out;
	}
	if ((len = json_string_length(ac)) > MAX_APP_COMPOSE) {
		checklist_set(cl, "tdx.compose", CHECK_FAIL,
		    "app_compose of %zu bytes, over the limit of %zu", len,
		    (size_t)MAX_APP_COMPOSE);
		goto out;
	}
	/* The exact bytes of the string value as served (UTF-8). */
	sha256(json_string_value(ac), len, h);
	hex_encode(h, 32, hhex);

	switch (cfg) {
	case MRCFG_V1:
		if (CRYPTO_memcmp(hcfg, h, 32) == 0)
			bound_cfg = true;
		else {
			checklist_set(cl, "tdx.compose", CHECK_FAIL,
			    "MRCONFIGID v1 holds %s..., not "
			    "sha256(app_compose) %s...", short_hex(hcfg, a),
			    short_hex(h, b));
			ok = false;
		}
		break;
	case MRCFG_V1_BAD:
		checklist_set(cl, "tdx.compose", CHECK_FAIL,
		    "MRCONFIGID v1 has non-zero bytes after the hash");
		ok = false;
		break;
	case MRCFG_UNKNOWN:
		checklist_set(cl, "tdx.compose", CHECK_FAIL,
		    "MRCONFIGID version byte 0x%02x is no dstack format",
		    q->report.mr_config_id[0]);
		ok = false;
		break;
	case MRCFG_ZERO:
	case MRCFG_V2:
		break;
	}
	if (evrc == TMON_OK) {
		if (CRYPTO_memcmp(hev, h, 32) == 0)
			bound_ev = true;
		else {
			checklist_set(cl, "tdx.compose", CHECK_FAIL,
			    "compose-hash event holds %s..., not "
			    "sha256(app_compose) %s...", short_hex(hev, a),
			    short_hex(h, b));
			ok = false;
		}
	} else if (evrc != TMON_E_NOTFOUND) {
		/* An event log is served but cannot vouch for the event. */
		checklist_set(cl, "tdx.compose", CHECK_FAIL,
		    "compose-hash event unusable: %s", everr.msg);
		ok = false;
	}
	info = json_object_get(att, "info");
	if (!served_ok(info, "compose_hash", "info.compose_hash", h, cl))
		ok = false;
	if (!served_ok(ti, "compose_hash", "info.tcb_info.compose_hash", h,
	    cl))
		ok = false;
	if (!ok)
		goto out;
	if (bound_cfg || bound_ev) {
		snprintf(compose_hash_hex, 65, "%s", hhex);
		checklist_set(cl, "tdx.compose", CHECK_PASS,
		    "sha256(app_compose) %s... = %s%s%s", short_hex(h, a),
		    bound_ev ? "compose-hash event" : "",
		    bound_ev && bound_cfg ? " = " : "",
		    bound_cfg ? "MRCONFIGID v1" :
		    cfg == MRCFG_V2 ? " (MRCONFIGID v2 not checked)" :
		    " (MRCONFIGID not used)");
	} else if (cfg == MRCFG_V2)
		checklist_set(cl, "tdx.compose", CHECK_ERROR,
		    "only MRCONFIGID v2 could bind app_compose, and v2 "
		    "(keccak-256) is not checked yet");
	else
		checklist_set(cl, "tdx.compose", CHECK_FAIL,
		    "nothing in the quote binds app_compose: MRCONFIGID is "
		    "zero and %s", evrc == TMON_E_NOTFOUND ? everr.msg :
		    "no usable compose-hash event");
out:
	json_decref(owned);
}
