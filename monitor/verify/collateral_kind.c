/*
 * collateral_kind.c: tell a collateral file's kind from its bytes (see
 * collateral_kind.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "collateral_kind.h"
#include "tjson.h"
#include "x509.h"

#define UNKNOWN		"not a collateral tmon knows: "

const char *
collateral_kind_str(enum collateral_kind k)
{
	switch (k) {
	case COLL_KIND_INTEL:
		return "Intel collateral";
	case COLL_KIND_AMD_VCEK:
		return "AMD VCEK";
	case COLL_KIND_AMD_CHAIN:
		return "AMD cert_chain";
	case COLL_KIND_NRAS_JWKS:
		return "NRAS JWKS";
	}
	return "unknown";
}

static bool
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The text of a certificate's CN after prefix, into out: false if the CN
 * does not start with prefix or nothing (or too much) follows it. */
static bool
cn_after(const X509_NAME *name, const char *prefix, char *out, size_t outsz)
{
	char cn[64];
	size_t n = strlen(prefix);

	x509_name_cn(name, cn, sizeof(cn));
	if (strncmp(cn, prefix, n) != 0 || cn[n] == '\0' ||
	    strlen(cn + n) >= outsz)
		return false;
	snprintf(out, outsz, "%s", cn + n);
	return true;
}

static enum tmon_rc
from_json(const uint8_t *b, size_t len, struct collateral_kind_info *out,
    struct tmon_err *err)
{
	struct tjson_doc d = { .name = "collateral", .err = err };
	json_t *root = NULL;
	enum tmon_rc rc;

	if ((rc = tjson_load(&d, b, len, MAX_COLLATERAL_FILE, TJSON_OBJECT,
	    &root)) != TMON_OK)
		return rc;
	if (json_is_string(json_object_get(root, "tcb_info")))
		out->kind = COLL_KIND_INTEL;
	else if (json_is_array(json_object_get(root, "keys")))
		out->kind = COLL_KIND_NRAS_JWKS;
	else
		rc = tmon_err_set(err, TMON_E_PARSE, UNKNOWN "a JSON object "
		    "with neither \"tcb_info\" (Intel collateral, dcap-qvl "
		    "shape) nor \"keys\" (a JWKS)");
	json_decref(root);
	return rc;
}

/* One certificate (c) or two (ASK, ARK) of an AMD KDS answer. */
static enum tmon_rc
from_certs(const struct x509_chain *c, struct collateral_kind_info *out,
    struct tmon_err *err)
{
	char ark[sizeof(out->product)], cn[64];

	if (c->n == 1) {
		x509_name_cn(X509_get_subject_name(c->cert[0]), cn,
		    sizeof(cn));
		if (strcmp(cn, "SEV-VCEK") != 0 ||
		    !cn_after(X509_get_issuer_name(c->cert[0]), "SEV-",
		    out->product, sizeof(out->product)))
			return tmon_err_set(err, TMON_E_PARSE, UNKNOWN "a "
			    "certificate that is not an AMD VCEK (subject CN "
			    "\"%s\", not \"SEV-VCEK\" issued by "
			    "\"SEV-<product>\")", cn);
		out->kind = COLL_KIND_AMD_VCEK;
		return TMON_OK;
	}
	if (!cn_after(X509_get_subject_name(c->cert[0]), "SEV-",
	    out->product, sizeof(out->product)) ||
	    !cn_after(X509_get_subject_name(c->cert[1]), "ARK-", ark,
	    sizeof(ark)) || strcmp(ark, out->product) != 0 ||
	    strcmp(out->product, "VCEK") == 0) {
		out->product[0] = '\0';
		return tmon_err_set(err, TMON_E_PARSE, UNKNOWN "two "
		    "certificates that are not an AMD ASK then ARK (subject "
		    "CNs \"SEV-<product>\", \"ARK-<product>\")");
	}
	out->kind = COLL_KIND_AMD_CHAIN;
	return TMON_OK;
}

enum tmon_rc
collateral_kind_detect(const uint8_t *b, size_t len,
    struct collateral_kind_info *out, struct tmon_err *err)
{
	struct x509_chain c;
	enum tmon_rc rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (len > MAX_COLLATERAL_FILE)
		return tmon_err_set(err, TMON_E_LIMIT, "collateral: %zu bytes, "
		    "over the limit of %u", len, MAX_COLLATERAL_FILE);
	for (i = 0; i < len && is_ws(b[i]); i++)
		;
	if (i == len)
		return tmon_err_set(err, TMON_E_PARSE, UNKNOWN "empty");
	if (b[i] == '{')
		rc = from_json(b, len, out, err);
	else if (b[i] == '-') {
		/* PEM: the VCEK or the ASK and ARK */
		if ((rc = x509_chain_parse("collateral", b, len, 1, 2, 0, &c,
		    err)) == TMON_OK)
			rc = from_certs(&c, out, err);
	} else if (i == 0 && b[0] == 0x30) {
		/* DER: the VCEK as KDS serves it */
		if ((rc = x509_chain_add_der(&c, b, len, err)) == TMON_OK)
			rc = from_certs(&c, out, err);
	} else
		rc = tmon_err_set(err, TMON_E_PARSE, UNKNOWN "neither JSON, "
		    "PEM nor a DER certificate");
	x509_chain_free(&c);
	(void)x509_drain_errors("collateral");
	if (rc != TMON_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}
