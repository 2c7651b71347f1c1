/*
 * sig.c: completion signatures (EIP-191 over secp256k1, and Ed25519).
 * See sig.h for the formats, their sources and the decisions taken.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <secp256k1.h>
#include <sodium.h>
#include <secp256k1_recovery.h>

#include "encode.h"
#include "keccak.h"
#include "log.h"
#include "sig.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "verify_ctx.h"
#include "xmalloc.h"

/* EIP-191 version 0x45 prefix, before the decimal length. */
#define EIP191_PREFIX	"\x19" "Ethereum Signed Message:\n"

/* Longest served string we ever scan for its length. */
#define SCAN_MAX	(MAX_SIG_TEXT + 1)

enum algo {
	ALGO_ECDSA,
	ALGO_ED25519
};

/* What recovering an EIP-191 signature told us. */
struct recovered {
	uint8_t	addr[20];
	bool	v01;		/* v was 0/1 rather than 27/28 */
	bool	high_s;		/* s > n/2 */
};

/* "0x" + 40 lowercase hex of a 20-byte address. */
static void
addr_str(const uint8_t addr[20], char out[43])
{
	out[0] = '0';
	out[1] = 'x';
	hex_encode(addr, 20, out + 2);
}

/* An Ed25519 key for a detail: its first 16 hex characters, then "...". */
static void
key_str(const uint8_t key[32], char out[43])
{
	char full[65];

	hex_encode(key, 32, full);
	memcpy(out, full, 16);
	memcpy(out + 16, "...", 4);
}

/* First 16 hex characters of a 32-byte hash, then "...". */
static void
short_hex(const uint8_t h[32], char out[20])
{
	char full[65];

	hex_encode(h, 32, full);
	memcpy(out, full, 16);
	memcpy(out + 16, "...", 4);
}

/* An untrusted string, escaped and cut for a check detail. */
static const char *
esc(char *out, size_t outsz, const char *s)
{
	return log_esc(out, outsz, s, strnlen(s, SCAN_MAX));
}

void
sig_eip191_digest(const char *text, size_t len, uint8_t out[32])
{
	struct keccak256_ctx k;
	char dec[24];
	int n;

	n = snprintf(dec, sizeof(dec), "%zu", len);
	TMON_ASSERT(n > 0 && (size_t)n < sizeof(dec));
	keccak256_init(&k);
	keccak256_update(&k, EIP191_PREFIX, sizeof(EIP191_PREFIX) - 1);
	keccak256_update(&k, dec, (size_t)n);
	keccak256_update(&k, text, len);
	keccak256_final(&k, out);
}

void
sig_eth_address(const uint8_t pub[64], char addr_out[43])
{
	uint8_t h[32];

	keccak256(pub, 64, h);
	addr_str(h + 12, addr_out);
}

static enum tmon_rc
recover(const struct verify_ctx *vc, const char *text, size_t len,
    const char *sig_hex, struct recovered *out, struct tmon_err *err)
{
	const secp256k1_context *ctx = verify_ctx_secp(vc);
	secp256k1_ecdsa_recoverable_signature rsig;
	secp256k1_ecdsa_signature plain;
	secp256k1_pubkey pk;
	uint8_t sig[65], digest[32], pub[65], h[32];
	size_t n, publen = sizeof(pub);
	int recid;

	memset(out, 0, sizeof(*out));
	n = strnlen(sig_hex, MAX_SIG_HEX + 1);
	if (!hex_decode_exact(sig_hex, n, sig, sizeof(sig), true))
		return tmon_err_set(err, TMON_E_PARSE, "signature: expected "
		    "0x + 130 hex characters (r || s || v), got %zu "
		    "characters%s", n, n > MAX_SIG_HEX ? " or more" : "");
	switch (sig[64]) {
	case 0:
	case 1:
		recid = sig[64];
		out->v01 = true;
		break;
	case 27:
	case 28:
		recid = sig[64] - 27;
		break;
	default:
		return tmon_err_set(err, TMON_E_PARSE, "signature: v = %u, "
		    "expected 27 or 28 (or 0 or 1)", (unsigned)sig[64]);
	}
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rsig,
	    sig, recid))
		return tmon_err_set(err, TMON_E_PARSE, "signature: r or s is "
		    "not below the secp256k1 group order");
	/* high-S is accepted (sig.h); normalize only reports it */
	if (!secp256k1_ecdsa_recoverable_signature_convert(ctx, &plain,
	    &rsig))
		return tmon_err_set(err, TMON_E_INTERNAL,
		    "secp256k1: convert failed");
	out->high_s = secp256k1_ecdsa_signature_normalize(ctx, NULL,
	    &plain) == 1;
	sig_eip191_digest(text, len, digest);
	if (!secp256k1_ecdsa_recover(ctx, &pk, &rsig, digest))
		return tmon_err_set(err, TMON_E_PARSE, "signature: no public "
		    "key recovers from it (r or s is zero, or r is not a "
		    "curve point)");
	if (!secp256k1_ec_pubkey_serialize(ctx, pub, &publen, &pk,
	    SECP256K1_EC_UNCOMPRESSED) || publen != 65 || pub[0] != 0x04)
		return tmon_err_set(err, TMON_E_INTERNAL,
		    "secp256k1: serialising the recovered key failed");
	keccak256(pub + 1, 64, h);
	memcpy(out->addr, h + 12, 20);
	return TMON_OK;
}

enum tmon_rc
sig_eip191_recover(const char *text, size_t len, const char *sig_hex,
    char addr_out[43], struct tmon_err *err)
{
	struct recovered r;
	enum tmon_rc rc;

	addr_out[0] = '\0';
	rc = recover(NULL, text, len, sig_hex, &r, err);
	if (rc == TMON_OK)
		addr_str(r.addr, addr_out);
	return rc;
}

enum tmon_rc
sig_address_parse(const char *s, uint8_t addr[20], int *eip55,
    struct tmon_err *err)
{
	char lower[41];
	uint8_t h[32];
	size_t n, i;
	bool upper = false, low = false, bad = false;
	int nib;

	n = strnlen(s, MAX_SIG_ADDRESS + 1);
	if (!hex_decode_exact(s, n, addr, 20, true))
		return tmon_err_set(err, TMON_E_PARSE, "address: expected 0x + "
		    "40 hex characters, got %zu characters%s", n,
		    n > MAX_SIG_ADDRESS ? " or more" : "");
	if (eip55 == NULL)
		return TMON_OK;
	if (n == 42)
		s += 2;
	for (i = 0; i < 40; i++) {
		if (s[i] >= 'a' && s[i] <= 'f')
			low = true;
		else if (s[i] >= 'A' && s[i] <= 'F')
			upper = true;
	}
	*eip55 = 0;
	if (!(upper && low))
		return TMON_OK;
	/* EIP-55: a letter is upper case iff the matching nibble of
	 * keccak256(lower-case hex as ASCII) is >= 8 */
	hex_encode(addr, 20, lower);
	keccak256(lower, 40, h);
	for (i = 0; i < 40; i++) {
		if (!(s[i] >= 'a' && s[i] <= 'f') &&
		    !(s[i] >= 'A' && s[i] <= 'F'))
			continue;
		nib = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 0x0f;
		if ((nib >= 8) != (s[i] >= 'A' && s[i] <= 'F'))
			bad = true;
	}
	*eip55 = bad ? -1 : 1;
	return TMON_OK;
}

enum tmon_rc
sig_text_parse(const char *text, size_t len, struct sig_text *out,
    struct tmon_err *err)
{
	size_t last, prev;

	memset(out, 0, sizeof(*out));
	if (len > MAX_SIG_TEXT)
		return tmon_err_set(err, TMON_E_LIMIT, "text: %zu bytes, at "
		    "most %u", len, (unsigned)MAX_SIG_TEXT);
	/* the hashes are the last two ':'-separated fields: model names
	 * may contain ':' themselves */
	for (last = len; last > 0 && text[last - 1] != ':'; last--)
		;
	if (last == 0)
		return tmon_err_set(err, TMON_E_PARSE, "text: no ':', expected "
		    "[model:]<sha256 hex>:<sha256 hex>");
	last--;
	for (prev = last; prev > 0 && text[prev - 1] != ':'; prev--)
		;
	/* prev: start of the request hash field; last: its ':' */
	if (len - last - 1 != 64 || !hex_decode_exact(text + last + 1, 64,
	    out->response_sha256, 32, false)) {
		memset(out, 0, sizeof(*out));
		return tmon_err_set(err, TMON_E_PARSE, "text: response hash "
		    "(last field) is not 64 hex characters");
	}
	if (last - prev != 64 || !hex_decode_exact(text + prev, 64,
	    out->request_sha256, 32, false)) {
		memset(out, 0, sizeof(*out));
		return tmon_err_set(err, TMON_E_PARSE, "text: request hash "
		    "(field before the last) is not 64 hex characters");
	}
	if (prev > 0) {
		if (prev == 1) {
			memset(out, 0, sizeof(*out));
			return tmon_err_set(err, TMON_E_PARSE,
			    "text: empty model name before the hashes");
		}
		out->model = text;
		out->model_len = prev - 1;
	}
	return TMON_OK;
}

enum verdict
sig_ed25519_verify(const uint8_t key[32], const uint8_t sig[64],
    const uint8_t *msg, size_t len)
{
	if (sodium_init() < 0) {
		log_warnx("sig: ed25519: libsodium could not initialise");
		return VERDICT_ERROR;
	}
	if (crypto_sign_verify_detached(sig, msg, len, key) == 0)
		return VERDICT_PASS;
	return VERDICT_FAIL;
}

/* The sig.completion check; returns its status. */
static enum check_status
check_signature(const struct sig_input *in, bool text_ok,
    const char *text_why, struct checklist *cl)
{
	char e[80], a1[43], a2[43], notes[96];
	uint8_t served[32], attested[32], key[32], sig[64];
	struct recovered r;
	struct tmon_err err;
	enum algo algo;
	enum check_status st;
	enum verdict v;
	size_t n, klen;
	int eip55 = 0;

	tmon_err_clear(&err);
	notes[0] = '\0';
	if (in->signing_algo == NULL || strcmp(in->signing_algo, "ecdsa") == 0)
		algo = ALGO_ECDSA;
	else if (strcmp(in->signing_algo, "ed25519") == 0)
		algo = ALGO_ED25519;
	else {
		/* an algorithm we do not verify: not checked */
		checklist_set(cl, "sig.completion", CHECK_ERROR,
		    "unsupported signing_algo \"%s\" (ecdsa or ed25519)",
		    esc(e, sizeof(e), in->signing_algo));
		return CHECK_ERROR;
	}
	if (in->text == NULL) {
		checklist_set(cl, "sig.completion", CHECK_FAIL,
		    "no signed text");
		return CHECK_FAIL;
	}
	if (!text_ok) {
		checklist_set(cl, "sig.completion", CHECK_FAIL,
		    "the signed text binds no completion: %s", text_why);
		return CHECK_FAIL;
	}
	if (in->signature == NULL || in->signing_address == NULL) {
		checklist_set(cl, "sig.completion", CHECK_FAIL, "no %s",
		    in->signature == NULL ? "signature" : "signing_address");
		return CHECK_FAIL;
	}

	if (algo == ALGO_ED25519) {
		klen = 32;
		n = strnlen(in->signing_address, MAX_SIG_ADDRESS + 1);
		if (!hex_decode_exact(in->signing_address, n, served, 32,
		    true)) {
			checklist_set(cl, "sig.completion", CHECK_FAIL,
			    "signing_address: expected a 32-byte Ed25519 key "
			    "as 64 hex characters, got %zu characters", n);
			return CHECK_FAIL;
		}
		if (in->attested_address != NULL && !hex_decode_exact(
		    in->attested_address, strnlen(in->attested_address,
		    MAX_SIG_ADDRESS + 1), attested, 32, true)) {
			checklist_set(cl, "sig.completion", CHECK_FAIL,
			    "attested key \"%s\" is not 64 hex characters",
			    esc(e, sizeof(e), in->attested_address));
			return CHECK_FAIL;
		}
		n = strnlen(in->signature, MAX_SIG_HEX + 1);
		if (!hex_decode_exact(in->signature, n, sig, 64, true)) {
			checklist_set(cl, "sig.completion", CHECK_FAIL,
			    "signature: expected 128 hex characters (Ed25519), "
			    "got %zu characters", n);
			return CHECK_FAIL;
		}
		v = sig_ed25519_verify(served, sig,
		    (const uint8_t *)in->text, in->text_len);
		if (v != VERDICT_PASS && v != VERDICT_FAIL) {
			checklist_set(cl, "sig.completion", CHECK_ERROR,
			    "libsodium could not run Ed25519 verification");
			return CHECK_ERROR;
		}
		if (v == VERDICT_FAIL) {
			key_str(served, a2);
			checklist_set(cl, "sig.completion", CHECK_FAIL,
			    "Ed25519 signature does not verify under "
			    "signing_address %s%s", a2,
			    crypto_core_ed25519_is_valid_point(served) ? "" :
			    " (not a canonical prime-order point: a "
			    "small-order or non-canonical key signs "
			    "anything)");
			return CHECK_FAIL;
		}
		memcpy(key, served, 32);
	} else {
		klen = 20;
		if (sig_address_parse(in->signing_address, served, &eip55,
		    &err) != TMON_OK) {
			checklist_set(cl, "sig.completion", CHECK_FAIL,
			    "signing_address: %s", err.msg);
			return CHECK_FAIL;
		}
		if (in->attested_address != NULL && sig_address_parse(
		    in->attested_address, attested, NULL, &err) !=
		    TMON_OK) {
			checklist_set(cl, "sig.completion", CHECK_FAIL,
			    "attested %s", err.msg);
			return CHECK_FAIL;
		}
		if (recover(in->vc, in->text, in->text_len, in->signature, &r,
		    &err) != TMON_OK) {
			/* TMON_E_PARSE: the signature is bad; anything else
			 * is secp256k1 misbehaving */
			st = err.code == TMON_E_PARSE ? CHECK_FAIL :
			    CHECK_ERROR;
			checklist_set(cl, "sig.completion", st, "%s", err.msg);
			return st;
		}
		memcpy(key, r.addr, 20);
		addr_str(r.addr, a1);
		if (CRYPTO_memcmp(r.addr, served, 20) != 0) {
			addr_str(served, a2);
			checklist_set(cl, "sig.completion", CHECK_FAIL,
			    "EIP-191 signature recovers to %s, not to "
			    "signing_address %s", a1, a2);
			return CHECK_FAIL;
		}
		snprintf(notes, sizeof(notes), "%s%s%s",
		    r.v01 ? "; v=0/1 form" : "",
		    r.high_s ? "; high-S form" : "",
		    eip55 < 0 ? "; signing_address has a bad EIP-55 checksum" :
		    "");
	}

	/* the signer is signing_address; now the attested key */
	if (algo == ALGO_ECDSA)
		addr_str(key, a1);
	else
		key_str(key, a1);
	if (in->attested_address == NULL) {
		checklist_set(cl, "sig.completion", CHECK_PASS,
		    "%s signature by %s = signing_address; no attested key "
		    "to compare with%s", algo == ALGO_ECDSA ? "EIP-191" :
		    "Ed25519", a1, notes);
		return CHECK_PASS;
	}
	if (CRYPTO_memcmp(key, attested, klen) != 0) {
		if (algo == ALGO_ECDSA)
			addr_str(attested, a2);
		else
			key_str(attested, a2);
		checklist_set(cl, "sig.completion", CHECK_FAIL,
		    "signed by %s (= signing_address), not by the attested "
		    "key %s", a1, a2);
		return CHECK_FAIL;
	}
	checklist_set(cl, "sig.completion", CHECK_PASS,
	    "%s signature by %s = signing_address = attested key%s",
	    algo == ALGO_ECDSA ? "EIP-191" : "Ed25519", a1, notes);
	return CHECK_PASS;
}

/* sig.request_hash or sig.response_hash. */
static void
check_hash(struct checklist *cl, const char *id, const char *what,
    const char *verb, const uint8_t *bytes, size_t len,
    const uint8_t *digest, bool text_ok, const uint8_t want[32],
    enum check_status sig_st)
{
	uint8_t got[32];
	char gs[20], ws[20];

	if (bytes == NULL && digest == NULL) {
		checklist_set(cl, id, CHECK_SKIP, "%s bytes not supplied",
		    what);
		return;
	}
	if (!text_ok) {
		checklist_set(cl, id, CHECK_FAIL, "the signed text carries no "
		    "%s hash to compare with", what);
		return;
	}
	if (bytes != NULL)
		sha256(bytes, len, got);
	else
		memcpy(got, digest, sizeof(got));
	short_hex(want, ws);
	if (CRYPTO_memcmp(got, want, 32) == 0) {
		checklist_set(cl, id, CHECK_PASS, "SHA-256 of the %zu %s bytes "
		    "%s equals the signed text's %s", len, what, verb, ws);
		return;
	}
	short_hex(got, gs);
	if (sig_st == CHECK_PASS)
		checklist_set(cl, id, CHECK_FAIL, "signature genuine but the "
		    "bytes we %s hash to %s, the signed text says %s: "
		    "re-serialised by a gateway?", verb, gs, ws);
	else
		checklist_set(cl, id, CHECK_FAIL, "the bytes we %s hash to %s, "
		    "the signed text says %s", verb, gs, ws);
}

void
sig_check_completion(const struct sig_input *in, struct checklist *cl)
{
	struct sig_text t;
	struct tmon_err err;
	enum check_status st;
	bool text_ok = false;

	tmon_err_clear(&err);
	memset(&t, 0, sizeof(t));
	if (in->text != NULL)
		text_ok = sig_text_parse(in->text, in->text_len, &t, &err) ==
		    TMON_OK;
	st = check_signature(in, text_ok, err.msg, cl);
	check_hash(cl, "sig.request_hash", "request", "sent", in->request,
	    in->request_len, in->request_sha256, text_ok, t.request_sha256,
	    st);
	check_hash(cl, "sig.response_hash", "response", "received",
	    in->response, in->response_len, in->response_sha256, text_ok,
	    t.response_sha256, st);
}

/*
 * Copy the string member name of o into *out (NULL when absent and not
 * required), at most max bytes.
 */
static enum tmon_rc
get_str(struct tjson_doc *d, json_t *o, const char *name, bool required,
    size_t max, char **out, size_t *lenp)
{
	const char *s = NULL;
	size_t len = 0;
	enum tmon_rc rc;

	*out = NULL;
	if ((rc = tjson_str(d, o, "", name, max, required ? 0 :
	    TJSON_OPTIONAL, &s, &len)) != TMON_OK || s == NULL)
		return rc;
	*out = xstrndup(s, len);
	if (lenp != NULL)
		*lenp = len;
	return TMON_OK;
}

enum tmon_rc
sig_response_parse(const uint8_t *json, size_t len, struct sig_response *out,
    struct tmon_err *err)
{
	struct tjson_doc d = { .name = "signature response", .err = err };
	struct sig_response r;
	json_t *root = NULL, *code, *msg;
	enum tmon_rc rc = TMON_E_INTERNAL;
	char e1[80], e2[80];

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if ((rc = tjson_load(&d, json, len, MAX_SIG_RESPONSE, TJSON_OBJECT,
	    &root)) != TMON_OK)
		return rc;
	code = json_object_get(root, "error_code");
	if (json_object_get(root, "text") == NULL && code != NULL) {
		/* NEAR gateway: 200 {error_code, message} when unavailable */
		msg = json_object_get(root, "message");
		if (json_is_string(code))
			esc(e1, sizeof(e1), json_string_value(code));
		else if (json_is_integer(code))
			snprintf(e1, sizeof(e1), "%lld",
			    (long long)json_integer_value(code));
		else
			snprintf(e1, sizeof(e1), "(not a string)");
		if (json_is_string(msg))
			esc(e2, sizeof(e2), json_string_value(msg));
		else
			snprintf(e2, sizeof(e2), "(no message)");
		rc = tmon_err_set(err, TMON_E_NOTFOUND, "signature not "
		    "available: error_code %s: %s", e1, e2);
		goto out;
	}
	if ((rc = get_str(&d, root, "text", true, MAX_SIG_TEXT, &r.text,
	    &r.text_len)) != TMON_OK ||
	    (rc = get_str(&d, root, "signature", true, MAX_SIG_HEX,
	    &r.signature, NULL)) != TMON_OK ||
	    (rc = get_str(&d, root, "signing_address", true, MAX_SIG_ADDRESS,
	    &r.signing_address, NULL)) != TMON_OK ||
	    (rc = get_str(&d, root, "signing_algo", false, MAX_SIG_NAME,
	    &r.signing_algo, NULL)) != TMON_OK ||
	    (rc = get_str(&d, root, "signature_kind", false, MAX_SIG_NAME,
	    &r.signature_kind, NULL)) != TMON_OK)
		goto out;
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = TMON_OK;
out:
	sig_response_free(&r);
	json_decref(root);
	return rc;
}

void
sig_response_free(struct sig_response *r)
{
	if (r == NULL)
		return;
	free(r->text);
	free(r->signature);
	free(r->signing_address);
	free(r->signing_algo);
	free(r->signature_kind);
	memset(r, 0, sizeof(*r));
}
