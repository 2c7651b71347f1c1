/*
 * tdx_collateral.c: Intel DCAP collateral, verified once, and the checks
 * tdx.collateral, tdx.tcb and the CRL part of tdx.pck_chain (contract in
 * tdx_collateral.h; procedure Intel QVL QuoteVerifier.cpp).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "encode.h"
#include "log.h"
#include "tdx_collateral.h"
#include "tdx_verify.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "x509.h"
#include "xmalloc.h"

#define ID_COLL		"tdx.collateral"
#define ID_TCB		"tdx.tcb"
#define ID_CHAIN	"tdx.pck_chain"

#define CN_TCB_SIGNING	"Intel SGX TCB Signing"
#define CN_PLATFORM_CA	"Intel SGX PCK Platform CA"
#define CN_PROCESSOR_CA	"Intel SGX PCK Processor CA"

#define MAX_WINDOWS	8

/* A time window one piece of the collateral is valid in. */
struct window {
	const char	*what;		/* "TCB Info" */
	const char	*from_name;	/* "issueDate" */
	const char	*to_name;	/* "nextUpdate" */
	int64_t		 from, to;
};

struct tdx_collateral {
	bool			 intel;		/* pinned Intel root */
	bool			 verified;	/* every signature and chain */
	unsigned		 n_fail;	/* failures recorded */
	bool			 root_crl_ok;	/* Root CA CRL verified */
	bool			 pck_crl_ok;	/* PCK CRL and its chain verified */
	char			 why[MAX_CHECK_DETAIL];	/* first failure */
	struct window		 win[MAX_WINDOWS];
	size_t			 n_win;
	struct tdx_tcb_info	*tcb;
	struct tdx_qe_identity	*qe;
	struct x509_crl		 pck_crl, root_crl;
	enum tdx_pck_ca		 crl_ca;
	int64_t			 issue, next;
};

/* The pieces of either source, in the same form. */
struct raw {
	const uint8_t	*tcb;		/* the signed tcbInfo text */
	size_t		 tcb_len;
	uint8_t		 tcb_sig[64];
	const char	*tcb_chain;
	const uint8_t	*qe;		/* the signed enclaveIdentity text */
	size_t		 qe_len;
	uint8_t		 qe_sig[64];
	const char	*qe_chain;
	const uint8_t	*pck_crl;
	size_t		 pck_crl_len;
	const char	*crl_chain;
	const uint8_t	*root_crl;
	size_t		 root_crl_len;
};

/* Record the first verification failure (later ones are dropped). */
static void __attribute__((format(printf, 2, 3)))
fail(struct tdx_collateral *c, const char *fmt, ...)
{
	va_list ap;

	c->n_fail++;
	if (!c->verified)
		return;
	c->verified = false;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

static void
window_add(struct tdx_collateral *c, const char *what, const char *from_name,
    int64_t from, const char *to_name, int64_t to)
{
	TMON_ASSERT(c->n_win < MAX_WINDOWS);
	c->win[c->n_win].what = what;
	c->win[c->n_win].from_name = from_name;
	c->win[c->n_win].to_name = to_name;
	c->win[c->n_win].from = from;
	c->win[c->n_win].to = to;
	c->n_win++;
}

/* ---- the signed member of a PCS body, byte for byte ---- */

/*
 * A PCS body {"<member>": {...}, "signature": "<128 hex>"}: the exact
 * text of the member's value in *text / *text_len (borrowing body) and
 * the signature in sig.
 */
static enum tmon_rc
pcs_body(const char *what, const char *member, const uint8_t *body,
    size_t len, const uint8_t **text, size_t *text_len, uint8_t sig[64],
    struct tmon_err *err)
{
	struct tjson_doc d = { .name = what, .err = err };
	struct tjson_doc sd = { .name = what };
	struct tjson_span sp;
	json_t *root = NULL, *m = NULL, *slice = NULL;
	enum tmon_rc rc;

	if (body == NULL)
		return tmon_err_set(err, TMON_E_PARSE, "%s: missing", what);
	if ((rc = tjson_load(&d, body, len, MAX_COLLATERAL_JSON, TJSON_OBJECT,
	    &root)) != TMON_OK)
		return rc;
	if ((rc = tjson_object(&d, root, "", member, 0, &m)) != TMON_OK ||
	    (rc = tjson_hex(&d, root, "", "signature", 0, sig, 64)) !=
	    TMON_OK)
		goto out;
	/*
	 * The signature covers the member's text as served: find its bytes,
	 * and make sure they are the value jansson read.
	 */
	if (!tjson_locate(body, len, member, &sp) ||
	    tjson_load(&sd, body + sp.start, sp.end - sp.start,
	    MAX_COLLATERAL_JSON, TJSON_OBJECT, &slice) != TMON_OK ||
	    !json_equal(slice, m)) {
		rc = tmon_err_set(err, TMON_E_PARSE, "%s: cannot locate the "
		    "exact text of \"%s\"", what, member);
		goto out;
	}
	*text = body + sp.start;
	*text_len = sp.end - sp.start;
	rc = TMON_OK;
 out:
	json_decref(slice);
	json_decref(root);
	return rc;
}

/* ---- certificates and CRLs ---- */

/*
 * An issuer chain: exactly two PEM certificates (signer, root) from the
 * C string pem, the root kept as DER (x509.h).
 */
static enum tmon_rc
load_chain(const char *what, const char *pem, struct x509_chain *out,
    struct tmon_err *err)
{
	memset(out, 0, sizeof(*out));
	if (pem == NULL)
		return tmon_err_set(err, TMON_E_PARSE, "%s: missing", what);
	return x509_chain_parse(what, (const uint8_t *)pem, strlen(pem), 2, 2,
	    TMON_X509_ROOT_DER, out, err);
}

/*
 * The signer of an issuer chain: the second certificate must be the
 * trusted root byte for byte, the first must verify under it (signature,
 * extensions, name chaining; without time: the windows are kept and
 * judged at check time), carry one of the expected CNs and not be listed
 * in the Root CA CRL.  Records failures in c.
 */
static enum tmon_rc
check_signer(struct tdx_collateral *c, const char *what,
    const struct x509_chain *ch, const struct x509_anchor *anchor,
    const char *cn1, const char *cn2, const char *win_name,
    struct tmon_err *err)
{
	char cn[64], why[MAX_CHECK_DETAIL - 64];
	int64_t from, to;

	switch (x509_chain_verify(ch, 2, anchor, 0, TMON_X509_NO_TIME, why,
	    sizeof(why))) {
	case VERDICT_PASS:
		break;
	case VERDICT_FAIL:
		fail(c, "%s: %s", what, why);
		break;
	default:
		return tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL failed "
		    "verifying the chain", what);
	}
	x509_name_cn(X509_get_subject_name(ch->cert[0]), cn, sizeof(cn));
	if (strcmp(cn, cn1) != 0 && (cn2 == NULL || strcmp(cn, cn2) != 0))
		fail(c, "%s: the signer's CN is \"%.40s\", not \"%s\"", what,
		    cn, cn1);
	if (!x509_time_unix(X509_get0_notBefore(ch->cert[0]), &from) ||
	    !x509_time_unix(X509_get0_notAfter(ch->cert[0]), &to))
		return tmon_err_set(err, TMON_E_PARSE, "%s: unreadable validity "
		    "dates", what);
	window_add(c, win_name, "notBefore", from, "notAfter", to);
	if (x509_crl_lists_cert(&c->root_crl, ch->cert[0]))
		fail(c, "%s: the signing certificate is revoked by the Root CA "
		    "CRL", what);
	return TMON_OK;
}

/* A signed JSON text: ECDSA-P256 by the chain's signer over its bytes. */
static enum tmon_rc
check_json_sig(struct tdx_collateral *c, const char *what,
    const struct x509_chain *ch, const uint8_t *text, size_t len,
    const uint8_t sig[64], struct tmon_err *err)
{
	EVP_PKEY *key = X509_get0_pubkey(ch->cert[0]);

	if (key == NULL || !tdx_key_is_p256(key)) {
		if (x509_drain_errors("collateral: signing key"))
			return tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL "
			    "failed reading the signing key", what);
		fail(c, "%s: the signing key is not ECDSA P-256", what);
		return TMON_OK;
	}
	switch (tdx_ecdsa_p256_verify(key, text, len, sig)) {
	case VERDICT_PASS:
		return TMON_OK;
	case VERDICT_FAIL:
		fail(c, "%s signature does not verify over the served text "
		    "(%zu bytes)", what, len);
		return TMON_OK;
	default:
		return tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL failed "
		    "verifying the signature", what);
	}
}

/* The CRL crl is issued and signed by issuer; records failures in c. */
static enum tmon_rc
check_crl_sig(struct tdx_collateral *c, const char *what,
    const struct x509_crl *crl, const X509 *issuer, struct tmon_err *err)
{
	if (!x509_crl_issued_by(crl, issuer)) {
		fail(c, "%s: issued by \"%.40s\", not by its issuer chain's "
		    "signer", what, crl->issuer_cn);
		return TMON_OK;
	}
	switch (x509_crl_verify_sig(crl, issuer)) {
	case VERDICT_PASS:
		return TMON_OK;
	case VERDICT_FAIL:
		fail(c, "%s signature does not verify with its issuer (%s)",
		    what, crl->issuer_cn);
		return TMON_OK;
	default:
		return tmon_err_set(err, TMON_E_CRYPTO_LIB, "%s: OpenSSL failed "
		    "verifying the CRL", what);
	}
}

void
tdx_collateral_free(struct tdx_collateral *c)
{
	if (c == NULL)
		return;
	tdx_tcb_info_free(c->tcb);
	tdx_qe_identity_free(c->qe);
	x509_crl_free(&c->pck_crl);
	x509_crl_free(&c->root_crl);
	free(c);
}

/*
 * Everything common to both sources: parse, verify what does not depend
 * on the time, keep the windows.
 */
static enum tmon_rc
build(const struct raw *r, const uint8_t *root_der, size_t root_der_len,
    struct tdx_collateral **out, struct tmon_err *err)
{
	struct tdx_collateral *c;
	struct x509_chain tcb_ch, qe_ch, crl_ch;
	struct x509_anchor anchor;
	int64_t from, to;
	size_t i;
	unsigned before;
	enum tmon_rc rc;

	*out = NULL;
	memset(&tcb_ch, 0, sizeof(tcb_ch));
	memset(&qe_ch, 0, sizeof(qe_ch));
	memset(&crl_ch, 0, sizeof(crl_ch));
	memset(&anchor, 0, sizeof(anchor));
	c = xcalloc(1, sizeof(*c));
	c->verified = true;
	c->intel = tdx_root_is_intel(root_der, root_der_len);

	/* Structure: refused with an error. */
	if ((rc = tdx_tcb_info_parse(r->tcb, r->tcb_len, &c->tcb, err)) !=
	    TMON_OK ||
	    (rc = tdx_qe_identity_parse(r->qe, r->qe_len, &c->qe, err)) !=
	    TMON_OK ||
	    (rc = load_chain("TCB Info issuer chain", r->tcb_chain, &tcb_ch,
	    err)) != TMON_OK ||
	    (rc = load_chain("QE Identity issuer chain", r->qe_chain, &qe_ch,
	    err)) != TMON_OK ||
	    (rc = load_chain("PCK CRL issuer chain", r->crl_chain, &crl_ch,
	    err)) != TMON_OK ||
	    (rc = x509_crl_parse("PCK CRL", r->pck_crl, r->pck_crl_len,
	    &c->pck_crl, err)) != TMON_OK ||
	    (rc = x509_crl_parse("Root CA CRL", r->root_crl, r->root_crl_len,
	    &c->root_crl, err)) != TMON_OK)
		goto out;
	if ((rc = x509_anchor_init(&anchor, root_der, root_der_len, c->intel ?
	    "Intel SGX Root CA" : "test root", err)) != TMON_OK) {
		if (rc == TMON_E_PARSE)
			rc = tmon_err_set(err, TMON_E_PARSE, "trusted root: not "
			    "one DER certificate");
		goto out;
	}

	window_add(c, "TCB Info", "issueDate", c->tcb->issue_date,
	    "nextUpdate", c->tcb->next_update);
	window_add(c, "QE Identity", "issueDate", c->qe->issue_date,
	    "nextUpdate", c->qe->next_update);
	window_add(c, "PCK CRL", "thisUpdate", c->pck_crl.this_update,
	    "nextUpdate", c->pck_crl.next_update);
	window_add(c, "Root CA CRL", "thisUpdate", c->root_crl.this_update,
	    "nextUpdate", c->root_crl.next_update);
	if (!x509_time_unix(X509_get0_notBefore(anchor.cert), &from) ||
	    !x509_time_unix(X509_get0_notAfter(anchor.cert), &to)) {
		rc = tmon_err_set(err, TMON_E_CRYPTO_LIB, "trusted root: "
		    "unreadable validity dates");
		goto out;
	}
	window_add(c, anchor.name, "notBefore", from, "notAfter", to);

	/* Step 2: the Root CA CRL, signed by the root, not listing it. */
	if ((rc = check_crl_sig(c, "Root CA CRL", &c->root_crl, anchor.cert,
	    err)) != TMON_OK)
		goto out;
	if (x509_crl_lists_cert(&c->root_crl, anchor.cert))
		fail(c, "Root CA CRL: the root itself is revoked");
	c->root_crl_ok = c->n_fail == 0;

	/* Steps 3-5: the three issuer chains, then what they sign. */
	if ((rc = check_signer(c, "TCB Info issuer chain", &tcb_ch, &anchor,
	    CN_TCB_SIGNING, NULL, "TCB Info signing certificate", err)) !=
	    TMON_OK ||
	    (rc = check_signer(c, "QE Identity issuer chain", &qe_ch, &anchor,
	    CN_TCB_SIGNING, NULL, "QE Identity signing certificate", err)) !=
	    TMON_OK)
		goto out;
	before = c->n_fail;
	if ((rc = check_signer(c, "PCK CRL issuer chain", &crl_ch, &anchor,
	    CN_PLATFORM_CA, CN_PROCESSOR_CA, "PCK CA certificate", err)) !=
	    TMON_OK)
		goto out;
	if ((rc = check_crl_sig(c, "PCK CRL", &c->pck_crl, crl_ch.cert[0],
	    err)) != TMON_OK)
		goto out;
	/* the PCK CRL counts if its chain and its signature verified */
	c->pck_crl_ok = c->root_crl_ok && c->n_fail == before;
	if ((rc = check_json_sig(c, "TCB Info", &tcb_ch, r->tcb, r->tcb_len,
	    r->tcb_sig, err)) != TMON_OK ||
	    (rc = check_json_sig(c, "QE Identity", &qe_ch, r->qe, r->qe_len,
	    r->qe_sig, err)) != TMON_OK)
		goto out;

	c->crl_ca = strcmp(c->pck_crl.issuer_cn, CN_PLATFORM_CA) == 0 ?
	    TDX_PCK_CA_PLATFORM : strcmp(c->pck_crl.issuer_cn,
	    CN_PROCESSOR_CA) == 0 ? TDX_PCK_CA_PROCESSOR : TDX_PCK_CA_UNKNOWN;

	c->issue = c->tcb->issue_date;
	c->next = c->tcb->next_update;
	for (i = 1; i < 4; i++) {
		if (c->win[i].from > c->issue)
			c->issue = c->win[i].from;
		if (c->win[i].to < c->next)
			c->next = c->win[i].to;
	}
	*out = c;
	c = NULL;
	rc = TMON_OK;
 out:
	(void)x509_drain_errors("collateral");
	x509_anchor_release(&anchor);
	x509_chain_free(&tcb_ch);
	x509_chain_free(&qe_ch);
	x509_chain_free(&crl_ch);
	tdx_collateral_free(c);
	return rc;
}

enum tmon_rc
tdx_collateral_from_pcs_root(const struct tdx_collateral_src *src,
    const uint8_t *root_der, size_t root_der_len,
    struct tdx_collateral **out, struct tmon_err *err)
{
	struct raw r;
	enum tmon_rc rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if ((rc = pcs_body("TCB Info body", "tcbInfo", src->tcb_info_body,
	    src->tcb_info_body_len, &r.tcb, &r.tcb_len, r.tcb_sig, err)) !=
	    TMON_OK ||
	    (rc = pcs_body("QE Identity body", "enclaveIdentity",
	    src->qe_identity_body, src->qe_identity_body_len, &r.qe, &r.qe_len,
	    r.qe_sig, err)) != TMON_OK)
		return rc;
	r.tcb_chain = src->tcb_info_issuer_chain;
	r.qe_chain = src->qe_identity_issuer_chain;
	r.pck_crl = src->pck_crl;
	r.pck_crl_len = src->pck_crl_len;
	r.crl_chain = src->pck_crl_issuer_chain;
	r.root_crl = src->root_ca_crl;
	r.root_crl_len = src->root_ca_crl_len;
	return build(&r, root_der, root_der_len, out, err);
}

enum tmon_rc
tdx_collateral_from_pcs(const struct tdx_collateral_src *src,
    struct tdx_collateral **out, struct tmon_err *err)
{
	return tdx_collateral_from_pcs_root(src, tdx_intel_root_ca_der,
	    tdx_intel_root_ca_der_len, out, err);
}

enum tmon_rc
tdx_collateral_from_qvl_json_root(const uint8_t *json, size_t len,
    const uint8_t *root_der, size_t root_der_len,
    struct tdx_collateral **out, struct tmon_err *err)
{
	struct tjson_doc d = { .name = "collateral", .err = err };
	json_t *root = NULL;
	struct raw r;
	const char *s = NULL;
	uint8_t *pck_crl = NULL, *root_crl = NULL;
	size_t n = 0;
	enum tmon_rc rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if ((rc = tjson_load(&d, json, len, MAX_COLLATERAL_JSON, TJSON_OBJECT,
	    &root)) != TMON_OK)
		return rc;
	if ((rc = tjson_str(&d, root, "", "tcb_info", MAX_COLLATERAL_JSON, 0,
	    &s, &r.tcb_len)) != TMON_OK)
		goto out;
	r.tcb = (const uint8_t *)s;
	if ((rc = tjson_str(&d, root, "", "qe_identity", MAX_COLLATERAL_JSON,
	    0, &s, &r.qe_len)) != TMON_OK)
		goto out;
	r.qe = (const uint8_t *)s;
	if ((rc = tjson_hex(&d, root, "", "tcb_info_signature", 0, r.tcb_sig,
	    64)) != TMON_OK ||
	    (rc = tjson_hex(&d, root, "", "qe_identity_signature", 0,
	    r.qe_sig, 64)) != TMON_OK ||
	    (rc = tjson_str(&d, root, "", "tcb_info_issuer_chain",
	    MAX_COLLATERAL_JSON, 0, &r.tcb_chain, NULL)) != TMON_OK ||
	    (rc = tjson_str(&d, root, "", "qe_identity_issuer_chain",
	    MAX_COLLATERAL_JSON, 0, &r.qe_chain, NULL)) != TMON_OK ||
	    (rc = tjson_str(&d, root, "", "pck_crl_issuer_chain",
	    MAX_COLLATERAL_JSON, 0, &r.crl_chain, NULL)) != TMON_OK)
		goto out;
	if ((rc = tjson_str(&d, root, "", "pck_crl", MAX_COLLATERAL_JSON, 0,
	    &s, &n)) != TMON_OK)
		goto out;
	if ((pck_crl = hex_decode_alloc(s, n, MAX_CRL_LEN, false,
	    &r.pck_crl_len)) == NULL) {
		rc = tmon_err_set(err, TMON_E_PARSE, "collateral: pck_crl: not "
		    "hex (of at most %u bytes)", MAX_CRL_LEN);
		goto out;
	}
	r.pck_crl = pck_crl;
	if ((rc = tjson_str(&d, root, "", "root_ca_crl", MAX_COLLATERAL_JSON,
	    0, &s, &n)) != TMON_OK)
		goto out;
	if ((root_crl = hex_decode_alloc(s, n, MAX_CRL_LEN, false,
	    &r.root_crl_len)) == NULL) {
		rc = tmon_err_set(err, TMON_E_PARSE, "collateral: root_ca_crl: "
		    "not hex (of at most %u bytes)", MAX_CRL_LEN);
		goto out;
	}
	r.root_crl = root_crl;
	/*
	 * "pck_certificate_chain" is ignored on purpose: Intel takes the PCK
	 * chain from the quote (QuoteVerifier.cpp); the peer would let this
	 * field replace it (npm @phala/dcap-qvl 0.3.9 src/verify.js).
	 */
	rc = build(&r, root_der, root_der_len, out, err);
 out:
	free(pck_crl);
	free(root_crl);
	json_decref(root);
	return rc;
}

enum tmon_rc
tdx_collateral_from_qvl_json(const uint8_t *json, size_t len,
    struct tdx_collateral **out, struct tmon_err *err)
{
	return tdx_collateral_from_qvl_json_root(json, len,
	    tdx_intel_root_ca_der, tdx_intel_root_ca_der_len, out, err);
}

bool
tdx_collateral_verified(const struct tdx_collateral *c, char *why,
    size_t whysz)
{
	if (why != NULL && whysz > 0)
		snprintf(why, whysz, "%s", c->verified ? "" : c->why);
	return c->verified;
}

int64_t
tdx_collateral_next_update(const struct tdx_collateral *c)
{
	return c->next;
}

int64_t
tdx_collateral_issue_date(const struct tdx_collateral *c)
{
	return c->issue;
}

void
tdx_collateral_fmspc(const struct tdx_collateral *c, uint8_t fmspc[6])
{
	memcpy(fmspc, c->tcb->fmspc, 6);
}

enum tdx_pck_ca
tdx_collateral_pck_ca(const struct tdx_collateral *c)
{
	return c->crl_ca;
}

/* ---- the checks ---- */

/*
 * tdx.collateral at now.  Returns true if it passed; otherwise *why
 * says why (for tdx.tcb).
 */
static bool
check_windows(const struct tdx_collateral *c, int64_t now,
    struct checklist *cl, char *why, size_t whysz)
{
	const struct window *exp = NULL, *early = NULL;
	char t1[32], t2[32], t3[32], fm[16];
	int64_t latest;
	size_t i;

	if (!c->verified) {
		checklist_set(cl, ID_COLL, CHECK_FAIL, "%s", c->why);
		snprintf(why, whysz, "the collateral does not verify");
		return false;
	}
	latest = c->win[0].from;
	for (i = 0; i < c->n_win; i++) {
		/* expired: the first to expire; early: the first named */
		if (now > c->win[i].to && (exp == NULL ||
		    c->win[i].to < exp->to))
			exp = &c->win[i];
		if (now < c->win[i].from && early == NULL)
			early = &c->win[i];
		if (c->win[i].from > latest)
			latest = c->win[i].from;
	}
	fmt_time(now, t2, sizeof(t2));
	if (exp != NULL) {
		fmt_time(exp->to, t1, sizeof(t1));
		checklist_set(cl, ID_COLL, CHECK_ERROR, "collateral expired at "
		    "%s (%s %s): TCB cannot be judged at %s", t1, exp->what,
		    exp->to_name, t2);
		snprintf(why, whysz, "collateral expired at %s (%s %s)", t1,
		    exp->what, exp->to_name);
		return false;
	}
	if (early != NULL) {
		fmt_time(latest, t1, sizeof(t1));
		fmt_time(early->from, t3, sizeof(t3));
		checklist_set(cl, ID_COLL, CHECK_ERROR, "collateral not valid "
		    "before %s (%s %s %s is in the future at %s): TCB cannot be "
		    "judged now", t1, early->what, early->from_name, t3, t2);
		snprintf(why, whysz, "collateral not valid before %s (%s %s %s "
		    "is in the future)", t1, early->what, early->from_name, t3);
		return false;
	}
	fmt_time(c->tcb->next_update, t1, sizeof(t1));
	checklist_set(cl, ID_COLL, CHECK_PASS, "TCB Info %s (evaluation %u, "
	    "next update %s), QE Identity, %s CRL and Root CA CRL verify to "
	    "the pinned %s; valid at %s", hex_encode(c->tcb->fmspc, 6, fm),
	    c->tcb->tcb_eval_num, t1, c->crl_ca == TDX_PCK_CA_PROCESSOR ?
	    "PCK Processor CA" : "PCK Platform CA", c->intel ?
	    "Intel SGX Root CA" : "test root", t2);
	return true;
}

/* Set out to status with a formatted detail, unless it is set already. */
static void __attribute__((format(printf, 3, 4)))
crl_set(struct x509_crl_result *out, enum verdict status, const char *fmt,
    ...)
{
	va_list ap;

	if (out->status == VERDICT_FAIL ||
	    (out->status == VERDICT_ERROR && status != VERDICT_FAIL))
		return;
	out->status = status;
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
	va_end(ap);
}

void
tdx_collateral_revocation(const struct tdx_collateral *c,
    const struct tdx_pck_ids *ids, struct x509_crl_result *out)
{
	char sn[2 * MAX_X509_SERIAL_LEN + 1], t1[32], t2[32];

	memset(out, 0, sizeof(*out));
	if (!c->root_crl_ok) {
		/* tdx.collateral fails with the reason */
		snprintf(out->detail, sizeof(out->detail), "the collateral's "
		    "CRLs do not verify");
		return;
	}
	if (ids == NULL) {
		crl_set(out, VERDICT_ERROR, "revocation not checked: the "
		    "chain's serial numbers could not be read");
		return;
	}
	if (memcmp(ids->ca_issuer, c->root_crl.issuer, 32) != 0)
		crl_set(out, VERDICT_ERROR, "revocation not checked: the Root "
		    "CA CRL is not the PCK CA issuer's");
	else if (x509_crl_lists(&c->root_crl, ids->ca_serial,
	    ids->ca_serial_len)) {
		crl_set(out, VERDICT_FAIL, "PCK CA (serial %s) is revoked by "
		    "the Root CA CRL", hex_encode(ids->ca_serial,
		    ids->ca_serial_len, sn));
		return;
	}
	if (!c->pck_crl_ok) {
		if (out->status == VERDICT_UNCHECKED)
			snprintf(out->detail, sizeof(out->detail), "the PCK "
			    "CRL does not verify");
		return;
	}
	if (memcmp(ids->leaf_issuer, c->pck_crl.issuer, 32) != 0) {
		crl_set(out, VERDICT_ERROR, "revocation not checked: the PCK "
		    "CRL is issued by \"%.40s\", the leaf by \"%.40s\"",
		    c->pck_crl.issuer_cn, ids->leaf_issuer_cn);
		return;
	}
	if (x509_crl_lists(&c->pck_crl, ids->leaf_serial,
	    ids->leaf_serial_len)) {
		crl_set(out, VERDICT_FAIL, "PCK leaf (serial %s) is revoked by "
		    "the %s CRL", hex_encode(ids->leaf_serial,
		    ids->leaf_serial_len, sn), c->pck_crl.issuer_cn);
		return;
	}
	if (out->status == VERDICT_UNCHECKED)
		crl_set(out, VERDICT_PASS, "PCK CRL of %s, Root CA CRL of %s",
		    fmt_time(c->pck_crl.this_update, t1, sizeof(t1)),
		    fmt_time(c->root_crl.this_update, t2, sizeof(t2)));
}

/* The levels and advisory ids of r, as much as fits, after prefix. */
static void
tcb_detail(const struct tdx_tcb_result *r, char *d, size_t dsz)
{
	char t[32];
	size_t i, n;

	n = (size_t)snprintf(d, dsz, "%s", tdx_tcb_status_str(r->status));
	if (n < dsz && r->n_advisory > 0) {
		for (i = 0; i < r->n_advisory && n + 40 < dsz; i++)
			n += (size_t)snprintf(d + n, dsz - n, "%s%s",
			    i == 0 ? " (" : ", ", r->advisory[i].id);
		if (i < r->n_advisory || r->advisory_truncated)
			n += (size_t)snprintf(d + n, dsz - n, ", +%zu more",
			    r->n_advisory - i);
		if (n < dsz)
			n += (size_t)snprintf(d + n, dsz - n, ")");
	}
	if (n < dsz && r->sgx)
		snprintf(d + n, dsz - n, ": SGX platform %s (tcbDate %s), QE "
		    "ISVSVN %u %s; evaluation %u",
		    tdx_tcb_status_str(r->sgx_status),
		    fmt_time(r->tcb_date, t, sizeof(t)), r->qe_isvsvn,
		    tdx_tcb_status_str(r->qe_status), r->tcb_eval_num);
	else if (n < dsz)
		snprintf(d + n, dsz - n, ": platform %s (tcbDate %s), TDX "
		    "module %s%s%s, QE ISVSVN %u %s; evaluation %u",
		    tdx_tcb_status_str(r->tdx_status),
		    fmt_time(r->tcb_date, t, sizeof(t)),
		    r->module_id[0] != '\0' ? r->module_id : "",
		    r->module_id[0] != '\0' ? " " : "",
		    tdx_tcb_status_str(r->module_status), r->qe_isvsvn,
		    tdx_tcb_status_str(r->qe_status), r->tcb_eval_num);
}

void
tdx_check_collateral(const struct tdx_quote *q,
    const struct tdx_collateral *col, int64_t now, struct checklist *cl,
    struct tdx_tcb_result *out)
{
	struct tdx_tcb_result r;
	const struct check *ch;
	char why[MAX_CHECK_DETAIL], d[MAX_CHECK_DETAIL];
	bool chain_ok, coll_ok;

	memset(&r, 0, sizeof(r));
	r.sgx_level = r.tdx_level = -1;
	if (col == NULL) {
		/* the FMSPC says which collateral was missing */
		char fhex[13] = "";

		if (q->pck_ok)
			hex_encode(q->pck.fmspc, 6, fhex);
		snprintf(r.why, sizeof(r.why), "no collateral%s%s",
		    fhex[0] != '\0' ? " for FMSPC " : "", fhex);
		checklist_set(cl, ID_COLL, CHECK_ERROR, "%s", r.why);
		checklist_set(cl, ID_TCB, CHECK_ERROR, "%s", r.why);
		goto out;
	}
	ch = checklist_get(cl, ID_CHAIN);
	chain_ok = ch != NULL && ch->status == CHECK_PASS;
	coll_ok = check_windows(col, now, cl, why, sizeof(why));

	if (!chain_ok || !q->pck_ok) {
		checklist_set(cl, ID_TCB, CHECK_SKIP, "not checked: %s",
		    !chain_ok ? "the PCK chain did not verify" :
		    "the PCK leaf's SGX extension could not be read");
		snprintf(r.why, sizeof(r.why), "not checked: the PCK chain "
		    "did not verify");
		goto out;
	}
	if (!coll_ok) {
		checklist_set(cl, ID_TCB, CHECK_ERROR, "not judged: %s: TCB "
		    "cannot be judged now", why);
		snprintf(r.why, sizeof(r.why), "%s", why);
		goto out;
	}
	tdx_tcb_evaluate(q, col->tcb, col->qe, &r);
	switch (r.verdict) {
	case TDX_TCB_CANNOT:
		checklist_set(cl, ID_TCB, CHECK_ERROR, "not judged: %s", r.why);
		break;
	case TDX_TCB_BAD:
		checklist_set(cl, ID_TCB, CHECK_FAIL, "%s", r.why);
		break;
	case TDX_TCB_OK:
		tcb_detail(&r, d, sizeof(d));
		checklist_set(cl, ID_TCB, r.status == TDX_TCB_UP_TO_DATE ?
		    CHECK_PASS : CHECK_WARN, "%s", d);
		break;
	}
 out:
	if (out != NULL)
		*out = r;
}
