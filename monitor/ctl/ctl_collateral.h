/*
 * ctl_collateral.h: the collateral files of tmonctl verify-attestation,
 * each given with --collateral and told apart by its bytes
 * (collateral_kind.h), and the attest_ctx look-ups that hand each TEE
 * the collateral for its own FMSPC (Intel) or chip (AMD).
 */
#ifndef TMON_MONITOR_CTL_COLLATERAL_H
#define TMON_MONITOR_CTL_COLLATERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"

struct attest_ctx;
struct tdx_collateral;

/* At most this many files of each kind. */
#define CTL_MAX_COLLATERAL	16

/* An AMD certificate file as read (DER or PEM bytes, owned). */
struct ctl_amd_file {
	uint8_t		*b;
	size_t		 len;
	char		 product[16];	/* "Genoa", from the certificates */
};

/* Everything given; zero it before the first ctl_colls_add. */
struct ctl_colls {
	struct tdx_collateral	*intel[CTL_MAX_COLLATERAL];
	size_t			 n_intel;
	struct ctl_amd_file	 vcek[CTL_MAX_COLLATERAL];
	size_t			 n_vcek;
	struct ctl_amd_file	 chain[CTL_MAX_COLLATERAL];
	size_t			 n_chain;
	uint8_t			*jwks;		/* the NRAS JWKS, or NULL */
	size_t			 jwks_len;
	/*
	 * Without reading a VCEK's hwID and SPL extensions the look-up
	 * cannot tell which VCEK is the chip's: it hands out the try-th
	 * one of the report's product, and ctl_colls_retry moves on while
	 * snp.report.signature does not pass.
	 */
	size_t			 vcek_try;
	size_t			 vcek_matched;	/* of the product, last call */
	bool			 amd_asked;
};

/*
 * Read the file at path (at most MAX_COLLATERAL_FILE bytes) and keep it
 * as the kind its bytes are (collateral_kind_detect); jwks true: it must
 * be an NRAS JWKS (--nras-jwks, taken as served: nras.c judges it).
 * Intel collateral is built here (tdx_collateral_from_qvl_json).
 * Returns CTL_EXIT_OK, or prints "tmonctl: PATH: why" to stderr and
 * returns CTL_EXIT_USAGE: unreadable, a kind tmon does not know, Intel
 * collateral that does not build, more than CTL_MAX_COLLATERAL of a
 * kind, a second JWKS.
 */
int	ctl_colls_add(struct ctl_colls *c, const char *path, bool jwks);

/*
 * Point ctx at c: ctx->collateral (the Intel collateral whose TCB Info
 * is for the quote's FMSPC, and of its PCK CA when there are several;
 * none matching: NULL, so tdx.collateral and tdx.tcb are error "no
 * collateral for FMSPC ..."), ctx->amd_collateral (the VCEK of the
 * report's product, see vcek_try, and the cert_chain of that product;
 * false without a VCEK of the product) and ctx->nras_jwks.  Members of
 * c stay owned by c and must outlive the verification.
 */
void	ctl_colls_ctx(struct ctl_colls *c, struct attest_ctx *ctx);

/*
 * After a verification with the checks cl: true if another VCEK of the
 * product is left to try (the look-up was asked, snp.report.signature
 * did not pass); then vcek_try has moved on and the caller verifies
 * again.
 */
bool	ctl_colls_retry(struct ctl_colls *c, const struct checklist *cl);

/* Free everything c holds and zero it. */
void	ctl_colls_free(struct ctl_colls *c);

#endif /* TMON_MONITOR_CTL_COLLATERAL_H */
