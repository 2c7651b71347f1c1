/*
 * ctl_collateral.c: the collateral files of tmonctl verify-attestation
 * (ctl_collateral.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "collateral_kind.h"
#include "ctl.h"
#include "ctl_collateral.h"
#include "err.h"
#include "tdx_collateral.h"
#include "util.h"

/* attest_ctx.collateral: the Intel collateral for this FMSPC, of this
 * PCK CA if one is. */
static const struct tdx_collateral *
intel_lookup(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	const struct ctl_colls *c = arg;
	const struct tdx_collateral *any = NULL;
	uint8_t f[6];
	size_t i;

	for (i = 0; i < c->n_intel; i++) {
		tdx_collateral_fmspc(c->intel[i], f);
		if (memcmp(f, fmspc, 6) != 0)
			continue;
		if ((int)tdx_collateral_pck_ca(c->intel[i]) == pck_ca)
			return c->intel[i];
		if (any == NULL)
			any = c->intel[i];
	}
	return any;
}

/* product "" (the report does not say) matches every file. */
static bool
of_product(const struct ctl_amd_file *f, const char *product)
{
	return product[0] == '\0' || strcmp(f->product, product) == 0;
}

/* attest_ctx.amd_collateral: the vcek_try-th VCEK of the product and the
 * product's cert_chain. */
static bool
amd_lookup(void *arg, const char *product, const uint8_t chip_id[64],
    uint64_t reported_tcb, const uint8_t **vcek, size_t *vcek_len,
    const uint8_t **cert_chain, size_t *cert_chain_len)
{
	struct ctl_colls *c = arg;
	const struct ctl_amd_file *v = NULL;
	size_t i, k = 0;

	(void)chip_id;
	(void)reported_tcb;
	if (product == NULL)
		product = "";
	c->amd_asked = true;
	for (i = 0; i < c->n_vcek; i++) {
		if (!of_product(&c->vcek[i], product))
			continue;
		if (k++ == c->vcek_try)
			v = &c->vcek[i];
	}
	c->vcek_matched = k;
	if (v == NULL)
		return false;
	*vcek = v->b;
	*vcek_len = v->len;
	*cert_chain = NULL;
	*cert_chain_len = 0;
	for (i = 0; i < c->n_chain; i++)
		if (strcmp(c->chain[i].product, v->product) == 0) {
			*cert_chain = c->chain[i].b;
			*cert_chain_len = c->chain[i].len;
			break;
		}
	return true;
}

static int
too_many(const char *path, const char *what)
{
	fprintf(stderr, "tmonctl: %s: more than %d files of %s\n", path,
	    CTL_MAX_COLLATERAL, what);
	return CTL_EXIT_USAGE;
}

int
ctl_colls_add(struct ctl_colls *c, const char *path, bool jwks)
{
	struct collateral_kind_info k;
	struct ctl_amd_file *f;
	struct tmon_err err;
	uint8_t *b = NULL;
	size_t len;

	tmon_err_clear(&err);
	if (read_file(path, MAX_COLLATERAL_FILE, &b, &len, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		return CTL_EXIT_USAGE;
	}
	if (jwks)
		k.kind = COLL_KIND_NRAS_JWKS;
	else if (collateral_kind_detect(b, len, &k, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: %s: %s\n", path, err.msg);
		free(b);
		return CTL_EXIT_USAGE;
	}
	switch (k.kind) {
	case COLL_KIND_INTEL:
		if (c->n_intel == CTL_MAX_COLLATERAL) {
			free(b);
			return too_many(path, collateral_kind_str(k.kind));
		}
		if (tdx_collateral_from_qvl_json(b, len,
		    &c->intel[c->n_intel], &err) != TMON_OK) {
			fprintf(stderr, "tmonctl: %s: %s\n", path, err.msg);
			free(b);
			return CTL_EXIT_USAGE;
		}
		c->n_intel++;
		free(b);
		return CTL_EXIT_OK;
	case COLL_KIND_AMD_VCEK:
	case COLL_KIND_AMD_CHAIN:
		if ((k.kind == COLL_KIND_AMD_VCEK ? c->n_vcek : c->n_chain) ==
		    CTL_MAX_COLLATERAL) {
			free(b);
			return too_many(path, collateral_kind_str(k.kind));
		}
		f = k.kind == COLL_KIND_AMD_VCEK ? &c->vcek[c->n_vcek++] :
		    &c->chain[c->n_chain++];
		f->b = b;
		f->len = len;
		snprintf(f->product, sizeof(f->product), "%s", k.product);
		return CTL_EXIT_OK;
	case COLL_KIND_NRAS_JWKS:
		if (c->jwks != NULL) {
			fprintf(stderr, "tmonctl: %s: a second NRAS JWKS (one "
			    "is used)\n", path);
			free(b);
			return CTL_EXIT_USAGE;
		}
		c->jwks = b;
		c->jwks_len = len;
		return CTL_EXIT_OK;
	}
	free(b);
	return CTL_EXIT_USAGE;
}

void
ctl_colls_ctx(struct ctl_colls *c, struct attest_ctx *ctx)
{
	if (c->n_intel > 0) {
		ctx->collateral = intel_lookup;
		ctx->collateral_arg = c;
	}
	if (c->n_vcek > 0) {
		ctx->amd_collateral = amd_lookup;
		ctx->amd_collateral_arg = c;
	}
	ctx->nras_jwks = c->jwks;
	ctx->nras_jwks_len = c->jwks_len;
}

bool
ctl_colls_retry(struct ctl_colls *c, const struct checklist *cl)
{
	const struct check *sig = checklist_get(cl, "snp.report.signature");

	if (!c->amd_asked || c->vcek_try + 1 >= c->vcek_matched ||
	    (sig != NULL && sig->status == CHECK_PASS))
		return false;
	c->vcek_try++;
	c->amd_asked = false;
	return true;
}

void
ctl_colls_free(struct ctl_colls *c)
{
	size_t i;

	for (i = 0; i < c->n_intel; i++)
		tdx_collateral_free(c->intel[i]);
	for (i = 0; i < c->n_vcek; i++)
		free(c->vcek[i].b);
	for (i = 0; i < c->n_chain; i++)
		free(c->chain[i].b);
	free(c->jwks);
	memset(c, 0, sizeof(*c));
}
