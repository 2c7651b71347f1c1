/*
 * snp_verify.c: SEV-SNP report signature, VCEK chain, TCB and guest
 * policy checks (contract in snp_verify.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cur.h"
#include "snp_verify.h"
#include "x509.h"

#define ID_PARSE	"snp.report.parse"
#define ID_SIG		"snp.report.signature"
#define ID_CHAIN	"snp.vcek_chain"
#define ID_TCB		"snp.tcb"
#define ID_POLICY	"snp.policy"

/* DER contents of 1.3.6.1.4.1.3704.1 (AMD), then the arc below it. */
#define AMD_OID		0x2b, 0x06, 0x01, 0x04, 0x01, 0x9c, 0x78, 0x01
static const uint8_t oid_product_name[] = { AMD_OID, 0x02 };
static const uint8_t oid_hwid[] = { AMD_OID, 0x04 };
static const uint8_t oid_bl_spl[] = { AMD_OID, 0x03, 0x01 };
static const uint8_t oid_tee_spl[] = { AMD_OID, 0x03, 0x02 };
static const uint8_t oid_snp_spl[] = { AMD_OID, 0x03, 0x03 };
static const uint8_t oid_ucode_spl[] = { AMD_OID, 0x03, 0x08 };
static const uint8_t oid_fmc_spl[] = { AMD_OID, 0x03, 0x09 };

bool
snp_tcb_split(const char *product, uint64_t tcb, struct snp_tcb *out)
{
	memset(out, 0, sizeof(*out));
	if (strcmp(product, "Milan") == 0 || strcmp(product, "Genoa") == 0) {
		out->bootloader = (uint8_t)tcb;
		out->tee = (uint8_t)(tcb >> 8);
		out->snp = (uint8_t)(tcb >> 48);
		out->microcode = (uint8_t)(tcb >> 56);
		return true;
	}
	if (strcmp(product, "Turin") == 0) {
		out->fmc = (uint8_t)tcb;
		out->bootloader = (uint8_t)(tcb >> 8);
		out->tee = (uint8_t)(tcb >> 16);
		out->snp = (uint8_t)(tcb >> 24);
		out->microcode = (uint8_t)(tcb >> 56);
		return true;
	}
	return false;
}

bool
snp_pinned_ark(const char *product, const uint8_t **der, size_t *len)
{
	*der = NULL;
	*len = 0;
	if (strcmp(product, "Milan") == 0) {
		*der = snp_ark_milan_der;
		*len = snp_ark_milan_der_len;
	} else if (strcmp(product, "Genoa") == 0) {
		*der = snp_ark_genoa_der;
		*len = snp_ark_genoa_der_len;
	} else if (strcmp(product, "Turin") == 0) {
		*der = snp_ark_turin_der;
		*len = snp_ark_turin_der_len;
	}
	return *der != NULL;
}

/* "bl 10 tee 0 snp 23 ucode 84" (Turin: "fmc N " first). */
static void
tcb_str(const char *product, const struct snp_tcb *t, char *out,
    size_t outsz)
{
	if (strcmp(product, "Turin") == 0)
		snprintf(out, outsz, "fmc %u bl %u tee %u snp %u ucode %u",
		    t->fmc, t->bootloader, t->tee, t->snp, t->microcode);
	else
		snprintf(out, outsz, "bl %u tee %u snp %u ucode %u",
		    t->bootloader, t->tee, t->snp, t->microcode);
}

/* The product the VCEK's productName names ("Milan-B0" is "Milan"). */
static const char *
vcek_product(const X509 *vcek)
{
	const uint8_t *v;
	size_t n;
	struct cur c, s;

	if (x509_ext_value(vcek, oid_product_name, sizeof(oid_product_name),
	    &v, &n) != TMON_OK)
		return "";
	cur_init(&c, v, n);
	if (!cur_get_der(&c, 0x16, &s) || cur_len(&c) != 0 ||
	    cur_len(&s) < 5)
		return "";
	if (memcmp(cur_data(&s), "Milan", 5) == 0)
		return "Milan";
	if (memcmp(cur_data(&s), "Genoa", 5) == 0)
		return "Genoa";
	if (memcmp(cur_data(&s), "Turin", 5) == 0)
		return "Turin";
	return "";
}

/*
 * The VCEK's SPL extension oid as an INTEGER 0..255 in *out.  Returns
 * false (why set) when absent, repeated or not such an INTEGER.
 */
static bool
vcek_spl(const X509 *vcek, const uint8_t *oid, size_t oid_len,
    const char *name, uint8_t *out, char *why, size_t whysz)
{
	const uint8_t *v;
	size_t n;
	struct cur c;
	uint64_t u;
	enum tmon_rc rc;

	rc = x509_ext_value(vcek, oid, oid_len, &v, &n);
	if (rc == TMON_E_NOTFOUND) {
		snprintf(why, whysz, "VCEK has no %s extension", name);
		return false;
	}
	if (rc != TMON_OK) {
		snprintf(why, whysz, "VCEK's %s extension is repeated or "
		    "empty", name);
		return false;
	}
	cur_init(&c, v, n);
	if (!cur_get_der_uint(&c, 0x02, 255, &u) || cur_len(&c) != 0) {
		snprintf(why, whysz, "VCEK's %s is not an INTEGER 0..255",
		    name);
		return false;
	}
	*out = (uint8_t)u;
	return true;
}

/* Compare one SPL with the report's component. */
static bool
spl_matches(const X509 *vcek, const uint8_t *oid, size_t oid_len,
    const char *name, uint8_t want, char *why, size_t whysz)
{
	uint8_t got;

	if (!vcek_spl(vcek, oid, oid_len, name, &got, why, whysz))
		return false;
	if (got != want) {
		snprintf(why, whysz, "VCEK's %s %u differs from REPORTED_TCB's "
		    "%u", name, got, want);
		return false;
	}
	return true;
}

/*
 * The VCEK's hwID and SPLs against the report.  VERDICT_PASS, or
 * VERDICT_FAIL with why; *masked when CHIP_ID was masked (not compared).
 */
static enum verdict
vcek_matches(const X509 *vcek, const struct snp_report *r,
    const char *product, bool *masked, char *why, size_t whysz)
{
	struct snp_tcb t;
	const uint8_t *v;
	size_t n;
	bool turin = strcmp(product, "Turin") == 0;
	enum tmon_rc rc;

	*masked = r->mask_chip_id;
	if (!r->mask_chip_id) {
		rc = x509_ext_value(vcek, oid_hwid, sizeof(oid_hwid), &v, &n);
		if (rc == TMON_E_NOTFOUND) {
			snprintf(why, whysz, "VCEK has no hwID extension");
			return VERDICT_FAIL;
		}
		if (rc != TMON_OK || (n != 64 && !(turin && n == 8))) {
			snprintf(why, whysz, "VCEK's hwID is malformed (%zu "
			    "bytes)", n);
			return VERDICT_FAIL;
		}
		if (CRYPTO_memcmp(v, r->chip_id, n) != 0) {
			snprintf(why, whysz, "VCEK's hwID is not the report's "
			    "CHIP_ID: the VCEK is another chip's");
			return VERDICT_FAIL;
		}
	}
	(void)snp_tcb_split(product, r->reported_tcb, &t);
	if (!spl_matches(vcek, oid_bl_spl, sizeof(oid_bl_spl), "blSPL",
	    t.bootloader, why, whysz) ||
	    !spl_matches(vcek, oid_tee_spl, sizeof(oid_tee_spl), "teeSPL",
	    t.tee, why, whysz) ||
	    !spl_matches(vcek, oid_snp_spl, sizeof(oid_snp_spl), "snpSPL",
	    t.snp, why, whysz) ||
	    !spl_matches(vcek, oid_ucode_spl, sizeof(oid_ucode_spl),
	    "ucodeSPL", t.microcode, why, whysz))
		return VERDICT_FAIL;
	if (turin && !spl_matches(vcek, oid_fmc_spl, sizeof(oid_fmc_spl),
	    "fmcSPL", t.fmc, why, whysz))
		return VERDICT_FAIL;
	return VERDICT_PASS;
}

/*
 * snp.report.signature with the decoded VCEK (NULL when none decoded;
 * vcek_why says why).
 */
static void
check_signature(const uint8_t *report, const struct snp_report *r,
    const uint8_t *vcek_bytes, X509 *vcek, const char *vcek_why,
    struct checklist *cl)
{
	uint8_t rs[96];
	EVP_PKEY *pkey;
	char group[32];
	size_t i, glen = 0;
	enum verdict v;

	if (vcek_bytes == NULL) {
		checklist_set(cl, ID_SIG, CHECK_ERROR, "no collateral: no "
		    "VCEK for the chip");
		return;
	}
	if (vcek == NULL) {
		checklist_set(cl, ID_SIG, CHECK_ERROR, "VCEK unusable (%s): "
		    "signature not checked", vcek_why);
		return;
	}
	if (r->signature_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384) {
		checklist_set(cl, ID_SIG, CHECK_ERROR, "SIGNATURE_ALGO %u not "
		    "supported (1 = ECDSA P-384 with SHA-384)",
		    r->signature_algo);
		return;
	}
	if (r->signing_key == SNP_SIGNING_KEY_NONE) {
		checklist_set(cl, ID_SIG, CHECK_FAIL, "report is unsigned "
		    "(SIGNING_KEY 7)");
		return;
	}
	if (r->signing_key != SNP_SIGNING_KEY_VCEK) {
		checklist_set(cl, ID_SIG, CHECK_ERROR, "SIGNING_KEY %u (%s) "
		    "not supported: only VCEK-signed reports are",
		    r->signing_key, r->signing_key == SNP_SIGNING_KEY_VLEK ?
		    "VLEK" : "reserved");
		return;
	}
	pkey = X509_get0_pubkey(vcek);
	if (pkey == NULL || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen) != 1 ||
	    strcmp(group, "secp384r1") != 0) {
		(void)x509_drain_errors("snp: VCEK key");
		checklist_set(cl, ID_SIG, CHECK_FAIL, "VCEK's key is not an "
		    "EC P-384 key");
		return;
	}
	/* R and S: 72 bytes little-endian, a P-384 value in the low 48. */
	for (i = 48; i < SNP_SIG_COMPONENT_LEN; i++)
		if (r->sig_r[i] != 0 || r->sig_s[i] != 0) {
			checklist_set(cl, ID_SIG, CHECK_FAIL, "signature R or S "
			    "exceeds 48 bytes (byte %zu of 72 not zero)", i);
			return;
		}
	for (i = 0; i < 48; i++) {
		rs[47 - i] = r->sig_r[i];
		rs[48 + 47 - i] = r->sig_s[i];
	}
	v = x509_ecdsa_verify_raw(pkey, EVP_sha384(), rs, sizeof(rs), report,
	    SNP_SIGNED_LEN, "snp: report signature");
	switch (v) {
	case VERDICT_PASS:
		checklist_set(cl, ID_SIG, CHECK_PASS, "ECDSA P-384 SHA-384 "
		    "over bytes 0x0-0x29F verifies with the VCEK");
		break;
	case VERDICT_FAIL:
		checklist_set(cl, ID_SIG, CHECK_FAIL, "signature does not "
		    "verify with the VCEK (report altered, or another chip's "
		    "or TCB's VCEK)");
		break;
	default:
		checklist_set(cl, ID_SIG, CHECK_ERROR, "OpenSSL failed "
		    "verifying the report signature");
		break;
	}
}

/*
 * snp.vcek_chain; vcek_der is the VCEK's DER (NULL: see vcek_why, and
 * vcek_lib_error when OpenSSL, not the bytes, failed).
 */
static void
check_chain(const struct snp_report *r, const char *product,
    const uint8_t *vcek_bytes, const uint8_t *vcek_der, size_t vcek_der_len,
    const char *vcek_why, bool vcek_lib_error, const uint8_t *cert_chain,
    size_t chain_len,
    const uint8_t *ark_der, size_t ark_der_len, int64_t now,
    struct checklist *cl)
{
	struct x509_chain kds, full;
	struct x509_anchor anchor;
	struct tmon_err err;
	const uint8_t *pin;
	size_t pin_len, i;
	char why[256];
	bool masked = false;
	enum verdict v;

	memset(&kds, 0, sizeof(kds));
	memset(&full, 0, sizeof(full));
	memset(&anchor, 0, sizeof(anchor));
	tmon_err_clear(&err);
	if (vcek_bytes == NULL || cert_chain == NULL) {
		checklist_set(cl, ID_CHAIN, CHECK_ERROR, "no collateral: %s",
		    vcek_bytes == NULL ? "no VCEK" : "no ASK/ARK cert_chain");
		return;
	}
	if (vcek_der == NULL) {
		checklist_set(cl, ID_CHAIN, vcek_lib_error ? CHECK_ERROR :
		    CHECK_FAIL, "%s", vcek_why);
		return;
	}
	if (product[0] == '\0') {
		checklist_set(cl, ID_CHAIN, CHECK_ERROR, "product unknown "
		    "(neither the report's CPUID nor the VCEK's productName "
		    "names Milan, Genoa or Turin): no ARK to trust");
		return;
	}
	if (ark_der != NULL) {
		pin = ark_der;
		pin_len = ark_der_len;
	} else if (!snp_pinned_ark(product, &pin, &pin_len)) {
		checklist_set(cl, ID_CHAIN, CHECK_ERROR, "no pinned ARK for "
		    "%s", product);
		return;
	}
	if (x509_anchor_init(&anchor, pin, pin_len, ark_der != NULL ?
	    "test ARK" : "AMD ARK", &err) != TMON_OK) {
		checklist_set(cl, ID_CHAIN, CHECK_ERROR, "trusted ARK "
		    "unusable: %s", err.msg);
		return;
	}
	switch (x509_chain_parse("AMD cert_chain", cert_chain, chain_len, 2,
	    2, 0, &kds, &err)) {
	case TMON_OK:
		break;
	case TMON_E_CRYPTO_LIB:
		checklist_set(cl, ID_CHAIN, CHECK_ERROR, "%s", err.msg);
		goto out;
	default:
		checklist_set(cl, ID_CHAIN, CHECK_FAIL, "%s (want ASK then "
		    "ARK)", err.msg);
		goto out;
	}
	if (x509_chain_add_der(&full, vcek_der, vcek_der_len, &err) !=
	    TMON_OK) {
		checklist_set(cl, ID_CHAIN, CHECK_ERROR, "VCEK: %s", err.msg);
		goto out;
	}
	for (i = 0; i < 2; i++)
		if (x509_chain_add_der(&full, kds.der[i], kds.der_len[i],
		    &err) != TMON_OK) {
			checklist_set(cl, ID_CHAIN, CHECK_ERROR,
			    "cert_chain: %s", err.msg);
			goto out;
		}
	v = x509_chain_verify(&full, 3, &anchor, now, TMON_X509_NO_STRICT,
	    why, sizeof(why));
	if (v != VERDICT_PASS) {
		checklist_set(cl, ID_CHAIN, verdict_check(v), "VCEK <- ASK <- "
		    "ARK (%s): %s", product, why);
		goto out;
	}
	if (vcek_matches(full.cert[0], r, product, &masked, why,
	    sizeof(why)) != VERDICT_PASS) {
		checklist_set(cl, ID_CHAIN, CHECK_FAIL, "%s", why);
		goto out;
	}
	if (masked)
		checklist_set(cl, ID_CHAIN, CHECK_WARN, "VCEK <- ASK <- %s ARK "
		    "verifies and the VCEK's SPLs equal REPORTED_TCB, but the "
		    "report masks CHIP_ID: hwID not compared", product);
	else
		checklist_set(cl, ID_CHAIN, CHECK_PASS, "VCEK <- ASK <- %s ARK "
		    "(%s) verifies; hwID = CHIP_ID; SPLs = REPORTED_TCB",
		    product, ark_der != NULL ? "test ARK" : "pinned");
 out:
	x509_chain_free(&full);
	x509_chain_free(&kds);
	x509_anchor_release(&anchor);
}

/* True if a component of a is above b's. */
static bool
tcb_above(const struct snp_tcb *a, const struct snp_tcb *b)
{
	return a->fmc > b->fmc || a->bootloader > b->bootloader ||
	    a->tee > b->tee || a->snp > b->snp || a->microcode > b->microcode;
}

/* How a compares with b: "=", "above" (in some component) or "below". */
static const char *
tcb_cmp(const struct snp_tcb *a, const struct snp_tcb *b)
{
	if (memcmp(a, b, sizeof(*a)) == 0)
		return "=";
	return tcb_above(a, b) ? "above" : "below";
}

static void
check_tcb(const struct snp_report *r, const char *product,
    struct checklist *cl)
{
	struct snp_tcb rep, cur, com, lau;
	char rs[64], cs[64], mit[96];
	enum check_status st = CHECK_PASS;
	const char *what = "";

	if (!snp_tcb_split(product, r->reported_tcb, &rep) ||
	    !snp_tcb_split(product, r->current_tcb, &cur) ||
	    !snp_tcb_split(product, r->committed_tcb, &com) ||
	    !snp_tcb_split(product, r->launch_tcb, &lau)) {
		checklist_set(cl, ID_TCB, CHECK_ERROR, "product unknown: the "
		    "TCB_VERSION layout depends on it");
		return;
	}
	tcb_str(product, &rep, rs, sizeof(rs));
	tcb_str(product, &cur, cs, sizeof(cs));
	if (tcb_above(&rep, &cur)) {
		st = CHECK_FAIL;
		what = "REPORTED_TCB above CURRENT_TCB: ";
	} else if (r->committed_tcb != r->current_tcb) {
		st = CHECK_WARN;
		what = "COMMITTED_TCB differs from CURRENT_TCB (firmware not "
		    "committed, can be rolled back): ";
	}
	mit[0] = '\0';
	if (r->has_mit_vector)
		snprintf(mit, sizeof(mit), "; mitigation vectors launch "
		    "0x%" PRIx64 " current 0x%" PRIx64, r->launch_mit_vector,
		    r->current_mit_vector);
	checklist_set(cl, ID_TCB, st, "%sreported %s; current %s (%s "
	    "reported); committed %s current; launch %s current; firmware "
	    "%u.%u.%u, committed %u.%u.%u%s", what, rs, cs,
	    tcb_cmp(&cur, &rep), tcb_cmp(&com, &cur), tcb_cmp(&lau, &cur),
	    r->current_major, r->current_minor, r->current_build,
	    r->committed_major, r->committed_minor, r->committed_build, mit);
}

static void
check_policy(const struct snp_report *r, struct checklist *cl)
{
	const char *yn[2] = { "no", "yes" };
	uint64_t p = r->policy;

	if ((p & SNP_POLICY_DEBUG) != 0) {
		checklist_set(cl, ID_POLICY, CHECK_FAIL, "POLICY 0x%" PRIx64
		    ": DEBUG allowed (bit 19): the host can read and alter "
		    "guest memory", p);
		return;
	}
	if ((p & SNP_POLICY_RESERVED1) == 0) {
		checklist_set(cl, ID_POLICY, CHECK_FAIL, "POLICY 0x%" PRIx64
		    ": bit 17 is 0 (must be 1)", p);
		return;
	}
	checklist_set(cl, ID_POLICY, CHECK_PASS, "POLICY 0x%" PRIx64 ": "
	    "DEBUG no, SMT allowed %s, MIGRATE_MA %s, SINGLE_SOCKET %s, ABI "
	    "min %u.%u; PLATFORM_INFO 0x%" PRIx64 ": SMT_EN %s, TSME_EN %s; "
	    "VMPL %u", p, yn[(p & SNP_POLICY_SMT) != 0],
	    yn[(p & SNP_POLICY_MIGRATE_MA) != 0],
	    yn[(p & SNP_POLICY_SINGLE_SOCKET) != 0],
	    (unsigned)((p >> 8) & 0xff), (unsigned)(p & 0xff),
	    r->platform_info, yn[(r->platform_info & SNP_PLATFORM_SMT_EN) != 0],
	    yn[(r->platform_info & SNP_PLATFORM_TSME_EN) != 0], r->vmpl);
}

bool
snp_verify(const uint8_t *report, size_t len, const uint8_t *vcek,
    size_t vcek_len, const uint8_t *cert_chain, size_t chain_len,
    const uint8_t *ark_der, size_t ark_der_len, int64_t now,
    struct checklist *cl, struct snp_report *out)
{
	struct snp_report r;
	struct x509_chain one;
	struct tmon_err err;
	uint8_t *der = NULL;
	size_t der_len = 0;
	const char *product;
	char vcek_why[320];
	bool vcek_lib_error = false;
	enum tmon_rc rc;

	memset(&one, 0, sizeof(one));
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	tmon_err_clear(&err);
	rc = snp_report_parse(report, len, &r, &err);
	if (rc != TMON_OK) {
		checklist_set(cl, ID_PARSE, rc == TMON_E_PARSE ? CHECK_FAIL :
		    CHECK_ERROR, "%s", err.msg);
		checklist_set(cl, ID_SIG, CHECK_SKIP, "report did not parse");
		checklist_set(cl, ID_CHAIN, CHECK_SKIP, "report did not parse");
		checklist_set(cl, ID_TCB, CHECK_SKIP, "report did not parse");
		checklist_set(cl, ID_POLICY, CHECK_SKIP, "report did not parse");
		return false;
	}
	product = snp_product(&r);
	if (r.has_cpuid)
		checklist_set(cl, ID_PARSE, CHECK_PASS, "version %u, %s (CPUID "
		    "family 0x%02x model 0x%02x stepping %u), VMPL %u",
		    r.version, product[0] != '\0' ? product : "unknown product",
		    r.cpuid_fam_id, r.cpuid_mod_id, r.cpuid_step, r.vmpl);
	else
		checklist_set(cl, ID_PARSE, CHECK_PASS, "version %u (no CPUID), "
		    "VMPL %u", r.version, r.vmpl);

	/* The VCEK, decoded once for the signature and the chain. */
	vcek_why[0] = '\0';
	if (vcek != NULL) {
		tmon_err_clear(&err);
		rc = x509_anchor_decode(vcek, vcek_len, &der, &der_len, &err);
		if (rc == TMON_E_CRYPTO_LIB)
			vcek_lib_error = true;
		if (rc != TMON_OK)
			snprintf(vcek_why, sizeof(vcek_why), "VCEK is not one "
			    "certificate: %s", err.msg);
		else if ((rc = x509_chain_add_der(&one, der, der_len, &err)) !=
		    TMON_OK) {
			vcek_lib_error = rc == TMON_E_CRYPTO_LIB;
			snprintf(vcek_why, sizeof(vcek_why), "VCEK is not one "
			    "certificate: %s", err.msg);
			free(der);
			der = NULL;
		}
	}
	if (product[0] == '\0' && one.n == 1)
		product = vcek_product(one.cert[0]);

	check_signature(report, &r, vcek, one.n == 1 ? one.cert[0] : NULL,
	    vcek_why, cl);
	check_chain(&r, product, vcek, der, der_len, vcek_why, vcek_lib_error,
	    cert_chain, chain_len, ark_der, ark_der_len, now, cl);
	check_tcb(&r, product, cl);
	check_policy(&r, cl);

	x509_chain_free(&one);
	free(der);
	if (out != NULL)
		*out = r;
	return true;
}
