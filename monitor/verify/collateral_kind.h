/*
 * collateral_kind.h: which collateral a file holds, told from its bytes
 * (never from its name): Intel DCAP collateral, an AMD KDS VCEK, an AMD
 * KDS cert_chain, or an NVIDIA NRAS JWKS.  tmonctl verify-attestation
 * takes any of them with --collateral and hands each to the check that
 * uses it.  Only the shape is told here; nothing is verified.
 *
 * Shapes (as served):
 *   Intel  one JSON object in the dcap-qvl QuoteCollateralV3 shape
 *          (tdx_collateral_from_qvl_json): it has a "tcb_info" string
 *   VCEK   AMD KDS GET /vcek/v1/{product}/{hwid}?...: one DER
 *          certificate (or the same in one PEM block) whose subject CN
 *          is "SEV-VCEK", issued by "SEV-{product}"
 *   chain  AMD KDS GET /vcek/v1/{product}/cert_chain: PEM, the ASK
 *          (subject CN "SEV-{product}") then the ARK ("ARK-{product}")
 *   (AMD "Versioned Chip Endorsement Key (VCEK) Certificate and KDS
 *   Interface Specification", pub. 57230, chapter 4: the KDS interface)
 *   JWKS   one JSON object with a "keys" array (RFC 7517 section 5), as
 *          NRAS serves at /.well-known/jwks.json
 *
 * Pure: no I/O, no clock.
 */
#ifndef TMON_VERIFY_COLLATERAL_KIND_H
#define TMON_VERIFY_COLLATERAL_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tmon_limits.h"

enum collateral_kind {
	COLL_KIND_INTEL = 1,	/* dcap-qvl JSON */
	COLL_KIND_AMD_VCEK,	/* AMD KDS VCEK, DER or PEM */
	COLL_KIND_AMD_CHAIN,	/* AMD KDS cert_chain, PEM ASK then ARK */
	COLL_KIND_NRAS_JWKS	/* NRAS JWKS */
};

/* What a collateral file was told to be. */
struct collateral_kind_info {
	enum collateral_kind	kind;
	/* AMD: the product the certificates name ("Milan", "Genoa",
	 * "Turin", ...): a VCEK's issuer CN and a chain's ASK and ARK CNs
	 * after "SEV-" / "ARK-"; "" for the other kinds */
	char			product[16];
};

/*
 * Tell the kind of the len bytes at b into *out.
 * Errors (*out zeroed, err says what the bytes are instead):
 *   TMON_E_LIMIT        len above MAX_COLLATERAL_FILE
 *   TMON_E_PARSE        none of the kinds: "not a collateral tmon knows:
 *                       <why>" (JSON without "tcb_info" or "keys", a
 *                       certificate that is not a VCEK, PEM that is not
 *                       an ASK and ARK, neither JSON nor a certificate)
 *   TMON_E_CRYPTO_LIB   OpenSSL failed (allocation)
 */
enum tmon_rc	collateral_kind_detect(const uint8_t *b, size_t len,
		    struct collateral_kind_info *out, struct tmon_err *err);

/* "Intel collateral", "AMD VCEK", "AMD cert_chain", "NRAS JWKS". */
const char	*collateral_kind_str(enum collateral_kind k);

#endif /* TMON_VERIFY_COLLATERAL_KIND_H */
