/*
 * nras.c: gpu.nras, an NRAS detached EAT verified against its JWKS (see
 * nras.h; RFC 7515, RFC 7517, RFC 7518, RFC 7519, RFC 9711).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "encode.h"
#include "log.h"
#include "nras.h"
#include "tjson.h"
#include "util.h"
#include "x509.h"

#define ID		"gpu.nras"
#define P384_LEN	48
/* Distinct keys one answer may use (NRAS signs an answer with one). */
#define MAX_SEEN_KEYS	4
/* A kid, a claim name or an alg as read; longer ones are malformed. */
#define MAX_JWT_NAME	256
/* One x5c certificate as base64. */
#define MAX_X5C_B64	(16u * 1024)

static const char anchor_name[] = "NVIDIA Attestation Service GPU "
    "Intermediate 004";

/* SHA-256 of nras_intermediate_der (trust_nras.c). */
static const uint8_t intermediate_sha256[32] = {
	0x2d, 0xf8, 0x90, 0x7c, 0xf4, 0xd6, 0xc2, 0x77, 0xb8, 0x55, 0xd4, 0x07,
	0xec, 0x17, 0x8a, 0x64, 0x99, 0x30, 0xa8, 0xe7, 0x3f, 0x72, 0x94, 0xe8,
	0xfc, 0xe6, 0x6e, 0x6e, 0xe2, 0x7c, 0x51, 0x75,
};

struct seen_key {
	char		 kid[MAX_JWT_NAME + 1];
	EVP_PKEY	*pkey;
};

/* One run of nras_check. */
struct nras_run {
	struct checklist	*cl;
	const uint8_t		*nonce;
	int64_t			 now;
	const json_t		*keys;		/* the JWKS "keys" array */
	struct x509_anchor	 anchor;
	bool			 anchor_tried;
	bool			 problem;	/* something was not a pass */
	bool			 uncertified;	/* a key had no x5c */
	struct seen_key		 seen[MAX_SEEN_KEYS];
	size_t			 n_seen;
};

static void
problem(struct nras_run *r, enum check_status st, const char *tok,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Report a finding about the token tok ("overall", "GPU-0"). */
static void
problem(struct nras_run *r, enum check_status st, const char *tok,
    const char *fmt, ...)
{
	char msg[MAX_CHECK_DETAIL];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->problem = true;
	checklist_set(r->cl, ID, st, "NRAS %s token: %s", tok, msg);
}

/* A kid for a detail: as served when it is short plain text, else
 * escaped. */
static const char *
kid_text(const char *kid, char *out, size_t outsz)
{
	size_t i, n = strlen(kid);

	for (i = 0; i < n; i++)
		if (!(kid[i] >= 'a' && kid[i] <= 'z') &&
		    !(kid[i] >= 'A' && kid[i] <= 'Z') &&
		    !(kid[i] >= '0' && kid[i] <= '9') && kid[i] != '-' &&
		    kid[i] != '_' && kid[i] != '.')
			break;
	if (i == n && n < outsz) {
		memcpy(out, kid, n + 1);
		return out;
	}
	return log_esc(out, outsz, kid, n);
}

/* A base64url member of a JWK of exactly P384_LEN bytes into out. */
static bool
jwk_coord(const json_t *jwk, const char *name, uint8_t out[P384_LEN])
{
	const json_t *v;
	uint8_t *b;
	size_t n;

	if ((v = json_object_get(jwk, name)) == NULL || !json_is_string(v))
		return false;
	b = b64url_decode_alloc(json_string_value(v), json_string_length(v),
	    P384_LEN, &n);
	if (b == NULL)
		return false;
	if (n == P384_LEN)
		memcpy(out, b, P384_LEN);
	free(b);
	return n == P384_LEN;
}

/*
 * Check the x5c of a JWK: it chains to the pinned intermediate at now
 * and its first certificate holds pkey.  Reports under tok and returns
 * false when it does not.
 */
static bool
check_x5c(struct nras_run *r, const char *tok, const char *kid,
    const json_t *x5c, EVP_PKEY *pkey)
{
	struct x509_chain chain;
	struct tmon_err err;
	const json_t *c;
	EVP_PKEY *leaf;
	uint8_t *der;
	size_t i, n;
	char why[MAX_CHECK_DETAIL];
	enum verdict v;
	bool ok = false;

	memset(&chain, 0, sizeof(chain));
	tmon_err_clear(&err);
	if (!r->anchor_tried) {
		r->anchor_tried = true;
		if (x509_anchor_init(&r->anchor, nras_intermediate_der,
		    nras_intermediate_der_len, anchor_name, &err) == TMON_OK &&
		    CRYPTO_memcmp(r->anchor.sha256, intermediate_sha256,
		    32) != 0) {
			log_warnx("nras: the pinned %s does not match its "
			    "fingerprint", anchor_name);
			x509_anchor_release(&r->anchor);
		}
	}
	if (r->anchor.store == NULL) {
		problem(r, CHECK_ERROR, tok, "%s unavailable", anchor_name);
		return false;
	}
	if (!json_is_array(x5c) || json_array_size(x5c) == 0 ||
	    json_array_size(x5c) > MAX_X509_CHAIN) {
		problem(r, CHECK_FAIL, tok, "key %s: x5c is not 1 to %d "
		    "certificates", kid, MAX_X509_CHAIN);
		return false;
	}
	for (i = 0; i < json_array_size(x5c); i++) {
		c = json_array_get(x5c, i);
		if (!json_is_string(c) || json_string_length(c) > MAX_X5C_B64 ||
		    (der = b64_decode_alloc(json_string_value(c),
		    json_string_length(c), MAX_X5C_B64, &n)) == NULL) {
			problem(r, CHECK_FAIL, tok, "key %s: x5c[%zu] is not "
			    "base64", kid, i);
			goto out;
		}
		tmon_err_clear(&err);
		if (x509_chain_add_der(&chain, der, n, &err) != TMON_OK) {
			free(der);
			problem(r, err.code == TMON_E_CRYPTO_LIB ? CHECK_ERROR :
			    CHECK_FAIL, tok, "key %s: x5c[%zu]: %s", kid, i,
			    err.msg);
			goto out;
		}
		free(der);
	}
	v = x509_chain_verify(&chain, chain.n, &r->anchor, r->now,
	    TMON_X509_ANCHOR_CA, why, sizeof(why));
	if (v != VERDICT_PASS) {
		problem(r, v == VERDICT_ERROR ? CHECK_ERROR : CHECK_FAIL, tok,
		    "key %s: x5c: %s", kid, why);
		goto out;
	}
	if ((leaf = X509_get0_pubkey(chain.cert[0])) == NULL ||
	    EVP_PKEY_eq(leaf, pkey) != 1) {
		(void)x509_drain_errors("nras: x5c");
		problem(r, CHECK_FAIL, tok, "key %s: x5c certifies another "
		    "key", kid);
		goto out;
	}
	ok = true;
 out:
	x509_chain_free(&chain);
	return ok;
}

/*
 * The key the JWKS names kid, decoded and (with x5c) certified, or NULL
 * after reporting why under tok.  Borrowed from r.
 */
static EVP_PKEY *
get_key(struct nras_run *r, const char *tok, const char *kid)
{
	const json_t *jwk, *v, *x5c;
	uint8_t x[P384_LEN], y[P384_LEN], xy[2 * P384_LEN];
	char ekid[96];
	EVP_PKEY *pkey = NULL;
	enum verdict dv;
	size_t i;

	for (i = 0; i < r->n_seen; i++)
		if (strcmp(r->seen[i].kid, kid) == 0)
			return r->seen[i].pkey;
	(void)kid_text(kid, ekid, sizeof(ekid));
	jwk = NULL;
	for (i = 0; i < json_array_size(r->keys); i++) {
		v = json_object_get(json_array_get(r->keys, i), "kid");
		if (json_is_string(v) && strcmp(json_string_value(v), kid) == 0) {
			jwk = json_array_get(r->keys, i);
			break;
		}
	}
	if (jwk == NULL) {
		problem(r, CHECK_ERROR, tok, "key %s is not in the JWKS", ekid);
		return NULL;
	}
	v = json_object_get(jwk, "kty");
	if (!json_is_string(v) || strcmp(json_string_value(v), "EC") != 0 ||
	    (v = json_object_get(jwk, "crv")) == NULL || !json_is_string(v) ||
	    strcmp(json_string_value(v), "P-384") != 0) {
		problem(r, CHECK_ERROR, tok, "key %s is not an EC P-384 JWK "
		    "(unsupported)", ekid);
		return NULL;
	}
	if (!jwk_coord(jwk, "x", x) || !jwk_coord(jwk, "y", y)) {
		problem(r, CHECK_ERROR, tok, "key %s: x or y is not 48 bytes "
		    "of base64url", ekid);
		return NULL;
	}
	memcpy(xy, x, P384_LEN);
	memcpy(xy + P384_LEN, y, P384_LEN);
	if ((dv = x509_ec_key_raw("P-384", xy, sizeof(xy), &pkey,
	    "nras: JWK")) != VERDICT_PASS) {
		problem(r, CHECK_ERROR, tok, "key %s: %s", ekid,
		    dv == VERDICT_FAIL ? "not a point on P-384" :
		    "OpenSSL failed decoding it");
		return NULL;
	}
	if ((x5c = json_object_get(jwk, "x5c")) != NULL) {
		if (!check_x5c(r, tok, ekid, x5c, pkey)) {
			EVP_PKEY_free(pkey);
			return NULL;
		}
	} else
		r->uncertified = true;
	if (r->n_seen == MAX_SEEN_KEYS) {
		EVP_PKEY_free(pkey);
		problem(r, CHECK_FAIL, tok, "answer signed with more than %d "
		    "keys", MAX_SEEN_KEYS);
		return NULL;
	}
	snprintf(r->seen[r->n_seen].kid, sizeof(r->seen[0].kid), "%s", kid);
	r->seen[r->n_seen].pkey = pkey;
	return r->seen[r->n_seen++].pkey;
}

/* One base64url JWT part of len bytes at p as a JSON object, or NULL. */
static json_t *
jwt_part(const char *p, size_t len, const char *what, char *why,
    size_t whysz)
{
	struct tjson_doc d;
	struct tmon_err err;
	uint8_t *b;
	json_t *j = NULL;
	size_t n;

	if ((b = b64url_decode_alloc(p, len, MAX_JWT_PART, &n)) == NULL) {
		snprintf(why, whysz, "%s is not base64url (or over %u "
		    "bytes)", what, MAX_JWT_PART);
		return NULL;
	}
	memset(&d, 0, sizeof(d));
	tmon_err_clear(&err);
	d.name = what;
	d.err = &err;
	if (tjson_load(&d, b, n, MAX_JWT_PART, TJSON_OBJECT, &j) != TMON_OK)
		snprintf(why, whysz, "%s", err.msg);
	free(b);
	return j;
}

/* A time claim; false (after reporting) when absent or not an integer. */
static bool
time_claim(struct nras_run *r, const char *tok, const json_t *claims,
    const char *name, int64_t *out)
{
	const json_t *v = json_object_get(claims, name);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		problem(r, CHECK_FAIL, tok, "claim %s is missing or not a "
		    "NumericDate", name);
		return false;
	}
	*out = (int64_t)json_integer_value(v);
	return true;
}

/*
 * Verify one JWT (len bytes at jwt): its ES384 signature with the key its
 * kid names, and iat, nbf and exp at now.  Returns its claims (the
 * caller decrefs), or NULL after reporting why under tok.
 */
static json_t *
verify_jwt(struct nras_run *r, const char *tok, const char *jwt, size_t len)
{
	const char *d1, *d2, *alg, *kid;
	json_t *hdr = NULL, *claims = NULL, *res = NULL;
	EVP_PKEY *pkey;
	uint8_t *sig = NULL;
	size_t slen;
	int64_t iat, nbf, exp;
	char why[MAX_CHECK_DETAIL], t1[32], t2[32], ealg[48];
	enum verdict v;

	if ((d1 = memchr(jwt, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jwt)) != NULL) {
		problem(r, CHECK_FAIL, tok, "not a JWS compact serialization "
		    "(three dot-separated parts)");
		return NULL;
	}
	if ((hdr = jwt_part(jwt, (size_t)(d1 - jwt), "header", why,
	    sizeof(why))) == NULL) {
		problem(r, CHECK_FAIL, tok, "%s", why);
		goto out;
	}
	if (json_object_get(hdr, "crit") != NULL) {
		problem(r, CHECK_ERROR, tok, "header has crit extensions "
		    "(unsupported, RFC 7515 section 4.1.11)");
		goto out;
	}
	alg = json_string_value(json_object_get(hdr, "alg"));
	kid = json_string_value(json_object_get(hdr, "kid"));
	if (alg == NULL) {
		problem(r, CHECK_FAIL, tok, "header has no alg");
		goto out;
	}
	if (strcmp(alg, "ES384") != 0) {
		problem(r, CHECK_ERROR, tok, "alg %s is not ES384 "
		    "(unsupported)", log_esc(ealg, sizeof(ealg), alg,
		    strlen(alg)));
		goto out;
	}
	if (kid == NULL || strlen(kid) > MAX_JWT_NAME) {
		problem(r, CHECK_ERROR, tok, "header names no key (kid)");
		goto out;
	}
	if ((pkey = get_key(r, tok, kid)) == NULL)
		goto out;
	sig = b64url_decode_alloc(d2 + 1, len - (size_t)(d2 + 1 - jwt),
	    2 * P384_LEN, &slen);
	if (sig == NULL || slen != 2 * P384_LEN) {
		problem(r, CHECK_FAIL, tok, "signature is not 96 bytes of "
		    "base64url (RFC 7518 section 3.4)");
		goto out;
	}
	v = x509_ecdsa_verify_raw(pkey, EVP_sha384(), sig, slen,
	    (const uint8_t *)jwt, (size_t)(d2 - jwt), "nras: ES384");
	if (v != VERDICT_PASS) {
		problem(r, v == VERDICT_ERROR ? CHECK_ERROR : CHECK_FAIL, tok,
		    "%s", v == VERDICT_ERROR ? "OpenSSL failed verifying the "
		    "signature" : "ES384 signature does not verify with the "
		    "key its kid names");
		goto out;
	}
	if ((claims = jwt_part(d1 + 1, (size_t)(d2 - d1 - 1), "claims", why,
	    sizeof(why))) == NULL) {
		problem(r, CHECK_FAIL, tok, "%s", why);
		goto out;
	}
	if (!time_claim(r, tok, claims, "iat", &iat) ||
	    !time_claim(r, tok, claims, "nbf", &nbf) ||
	    !time_claim(r, tok, claims, "exp", &exp))
		goto out;
	if (r->now >= exp) {
		problem(r, CHECK_FAIL, tok, "expired at %s (now %s)",
		    fmt_time(exp, t1, sizeof(t1)),
		    fmt_time(r->now, t2, sizeof(t2)));
		goto out;
	}
	if (nbf > r->now + NRAS_LEEWAY || iat > r->now + NRAS_LEEWAY) {
		problem(r, CHECK_FAIL, tok, "not valid before %s (now %s)",
		    fmt_time(nbf > iat ? nbf : iat, t1, sizeof(t1)),
		    fmt_time(r->now, t2, sizeof(t2)));
		goto out;
	}
	res = claims;
	claims = NULL;
 out:
	free(sig);
	json_decref(hdr);
	json_decref(claims);
	return res;
}

/* eat_nonce of claims is our nonce; false after reporting. */
static bool
check_nonce(struct nras_run *r, const char *tok, const json_t *claims)
{
	const json_t *v = json_object_get(claims, "eat_nonce");
	uint8_t theirs[32];
	char hex[17];

	if (!json_is_string(v)) {
		problem(r, CHECK_FAIL, tok, "no eat_nonce: freshness cannot be "
		    "shown");
		return false;
	}
	if (!hex_decode_exact(json_string_value(v), json_string_length(v),
	    theirs, sizeof(theirs), false)) {
		problem(r, CHECK_FAIL, tok, "eat_nonce is not 64 hex "
		    "characters, so not our nonce");
		return false;
	}
	if (CRYPTO_memcmp(theirs, r->nonce, 32) != 0) {
		hex_encode(theirs, 8, hex);
		problem(r, CHECK_FAIL, tok, "eat_nonce %s... is not our nonce",
		    hex);
		return false;
	}
	return true;
}

/* The results a GPU token reports (nras.h). */
static void
check_gpu_claims(struct nras_run *r, const char *tok, json_t *claims)
{
	const json_t *v, *e;
	const char *key, *s;
	char a[72], b[72];

	if ((e = json_object_get(claims, "x-nvidia-error-details")) != NULL &&
	    !json_is_null(e)) {
		s = json_string_value(json_object_get(e, "message"));
		key = json_string_value(json_object_get(e, "description"));
		problem(r, CHECK_FAIL, tok, "NRAS refused the evidence: %s "
		    "(%s)", s != NULL ? log_esc(a, sizeof(a), s, strlen(s)) :
		    "no message", key != NULL ? log_esc(b, sizeof(b), key,
		    strlen(key)) : "");
		return;
	}
	if (!check_nonce(r, tok, claims))
		return;
	s = json_string_value(json_object_get(claims, "measres"));
	if (s == NULL || strcmp(s, "success") != 0) {
		problem(r, CHECK_FAIL, tok, "measres is %s, not success "
		    "(measurements do not match NVIDIA's RIMs)", s != NULL ?
		    log_esc(a, sizeof(a), s, strlen(s)) : "missing");
		return;
	}
	if (!json_is_true(json_object_get(claims,
	    "x-nvidia-gpu-attestation-report-nonce-match"))) {
		problem(r, CHECK_FAIL, tok, "x-nvidia-gpu-attestation-report-"
		    "nonce-match is not true");
		return;
	}
	json_object_foreach(claims, key, v) {
		if (json_is_false(v)) {
			problem(r, CHECK_FAIL, tok, "claim %s is false",
			    log_esc(a, sizeof(a), key, strlen(key)));
			return;
		}
	}
}

/* The SHA-256 submods of the overall claims gives the GPU token name. */
static bool
submod_digest(const json_t *submods, const char *name, uint8_t out[32])
{
	const json_t *e, *d;

	e = json_object_get(submods, name);
	if (!json_is_array(e) || json_array_size(e) != 2 ||
	    !json_is_string(json_array_get(e, 0)) ||
	    strcmp(json_string_value(json_array_get(e, 0)), "DIGEST") != 0)
		return false;
	d = json_array_get(e, 1);
	if (!json_is_array(d) || json_array_size(d) != 2 ||
	    !json_is_string(json_array_get(d, 0)) ||
	    strcmp(json_string_value(json_array_get(d, 0)), "SHA-256") != 0 ||
	    !json_is_string(json_array_get(d, 1)))
		return false;
	return hex_decode_exact(json_string_value(json_array_get(d, 1)),
	    json_string_length(json_array_get(d, 1)), out, 32, false);
}

/* Load the JWKS into *jw and its keys into r; false after reporting. */
static bool
load_jwks(struct nras_run *r, const uint8_t *jwks, size_t len, json_t **jw)
{
	struct tjson_doc d;
	struct tmon_err err;
	json_t *keys;

	memset(&d, 0, sizeof(d));
	tmon_err_clear(&err);
	d.name = "NRAS JWKS";
	d.err = &err;
	if (tjson_load(&d, jwks, len, MAX_NRAS_JWKS, TJSON_OBJECT, jw) !=
	    TMON_OK || tjson_array(&d, *jw, "", "keys", 0, MAX_NRAS_KEYS, 0,
	    &keys) != TMON_OK) {
		checklist_set(r->cl, ID, CHECK_ERROR, "%s", err.msg);
		r->problem = true;
		return false;
	}
	r->keys = keys;
	return true;
}

/* The two elements of the answer; false after reporting. */
static bool
answer_shape(struct nras_run *r, const json_t *a, const char **overall,
    size_t *olen, json_t **gpus)
{
	const json_t *first, *v;
	json_t *g;
	const char *key;

	first = json_array_get(a, 0);
	if (!json_is_array(a) || json_array_size(a) != 2 ||
	    !json_is_array(first) || json_array_size(first) != 2 ||
	    !json_is_string(json_array_get(first, 0)) ||
	    !json_is_string(json_array_get(first, 1)) ||
	    !json_is_object(g = json_array_get(a, 1))) {
		problem(r, CHECK_FAIL, "answer", "not [[\"JWT\", token], "
		    "{GPU: token, ...}]");
		return false;
	}
	if (strcmp(json_string_value(json_array_get(first, 0)), "JWT") != 0) {
		problem(r, CHECK_ERROR, "answer", "overall token type is not "
		    "JWT (unsupported)");
		return false;
	}
	if (json_object_size(g) == 0 || json_object_size(g) > MAX_GPUS) {
		problem(r, CHECK_FAIL, "answer", "%zu GPU tokens, not 1 to %d",
		    json_object_size(g), MAX_GPUS);
		return false;
	}
	json_object_foreach(g, key, v) {
		if (!json_is_string(v)) {
			problem(r, CHECK_FAIL, "answer", "a GPU token is not a "
			    "string");
			return false;
		}
	}
	*overall = json_string_value(json_array_get(first, 1));
	*olen = json_string_length(json_array_get(first, 1));
	*gpus = g;
	return true;
}

enum check_status
nras_check(const uint8_t *eat, size_t eat_len, const uint8_t *jwks,
    size_t jwks_len, const uint8_t nonce[32], int64_t now,
    struct checklist *cl)
{
	struct nras_run r;
	struct tjson_doc d;
	struct tmon_err err;
	json_t *jw = NULL, *ans = NULL, *oc = NULL, *gc, *gpus = NULL;
	const json_t *submods = NULL, *v;
	const char *overall = NULL, *name;
	uint8_t want[32], got[32];
	char tok[72], ekid[96];
	size_t olen = 0, i;
	enum check_status st;

	if (eat == NULL) {
		checklist_set(cl, ID, CHECK_SKIP, "no NRAS answer (no NRAS "
		    "configured)");
		return CHECK_SKIP;
	}
	memset(&r, 0, sizeof(r));
	r.cl = cl;
	r.nonce = nonce;
	r.now = now;
	if (jwks == NULL) {
		checklist_set(cl, ID, CHECK_ERROR, "no NRAS JWKS: the token "
		    "cannot be checked");
		return CHECK_ERROR;
	}
	if (!load_jwks(&r, jwks, jwks_len, &jw))
		goto out;
	memset(&d, 0, sizeof(d));
	tmon_err_clear(&err);
	d.name = "NRAS answer";
	d.err = &err;
	if (tjson_load(&d, eat, eat_len, MAX_NRAS_ANSWER, 0, &ans) !=
	    TMON_OK) {
		checklist_set(cl, ID, CHECK_FAIL, "%s", err.msg);
		r.problem = true;
		goto out;
	}
	if (!answer_shape(&r, ans, &overall, &olen, &gpus))
		goto out;
	if ((oc = verify_jwt(&r, "overall", overall, olen)) != NULL &&
	    check_nonce(&r, "overall", oc)) {
		submods = json_object_get(oc, "submods");
		if (!json_is_object(submods) ||
		    json_object_size(submods) != json_object_size(gpus))
			problem(&r, CHECK_FAIL, "overall", "submods names %zu "
			    "GPUs, the answer has %zu tokens",
			    json_object_size(submods), json_object_size(gpus));
	}
	json_object_foreach(gpus, name, v) {
		(void)log_esc(tok, sizeof(tok), name, strlen(name));
		if (submods != NULL && json_is_object(submods)) {
			sha256(json_string_value(v), json_string_length(v),
			    got);
			if (!submod_digest(submods, name, want))
				problem(&r, CHECK_FAIL, tok, "not in the overall "
				    "token's submods as a SHA-256 DIGEST");
			else if (CRYPTO_memcmp(want, got, 32) != 0)
				problem(&r, CHECK_FAIL, tok, "its SHA-256 is not "
				    "the overall token's submods digest");
		}
		if ((gc = verify_jwt(&r, tok, json_string_value(v),
		    json_string_length(v))) == NULL)
			continue;
		check_gpu_claims(&r, tok, gc);
		json_decref(gc);
	}
	/* after the GPUs: a GPU's reason is the better detail */
	if (submods != NULL && !json_is_true(json_object_get(oc,
	    "x-nvidia-overall-att-result")))
		problem(&r, CHECK_FAIL, "overall", "x-nvidia-overall-att-result "
		    "is not true");
	if (!r.problem) {
		(void)kid_text(r.seen[0].kid, ekid, sizeof(ekid));
		if (r.uncertified)
			checklist_set(cl, ID, CHECK_WARN, "NRAS EAT verifies "
			    "with key %s, which has no x5c (trusted only as "
			    "fetched); our nonce, overall result true, %zu "
			    "GPU%s: measres success", ekid,
			    json_object_size(gpus),
			    json_object_size(gpus) == 1 ? "" : "s");
		else
			checklist_set(cl, ID, CHECK_PASS, "NRAS EAT: ES384 by "
			    "key %s certified by NVIDIA; our nonce, overall "
			    "result true, %zu GPU%s: measres success",
			    ekid, json_object_size(gpus),
			    json_object_size(gpus) == 1 ? "" : "s");
	}
 out:
	st = checklist_get(cl, ID)->status;
	for (i = 0; i < r.n_seen; i++)
		EVP_PKEY_free(r.seen[i].pkey);
	x509_anchor_release(&r.anchor);
	json_decref(oc);
	json_decref(ans);
	json_decref(jw);
	return st;
}
