/*
 * libFuzzer target: a collateral file through collateral_kind_detect
 * (what tmonctl verify-attestation --collateral reads).  Input: the
 * file's bytes.
 * Invariants: on TMON_OK the kind is one of the four and the product is
 * set exactly for the AMD kinds; on an error *out is zeroed and the
 * message is set.
 * Seeds: tests/fuzz/seeds/collateral_kind/ (tests/data/amd-kds, an NRAS
 * JWKS trimmed to one key, a dcap-qvl collateral).
 * About 6700 runs and "cov: 112" after 60 s from the seeds on this
 * (heavily shared) machine, no findings.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collateral_kind.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collateral_kind_info k;
	struct tmon_err err;
	bool amd;

	tmon_err_clear(&err);
	if (collateral_kind_detect(data, size, &k, &err) != TMON_OK) {
		TMON_ASSERT(k.kind == 0 && k.product[0] == '\0');
		TMON_ASSERT(err.msg[0] != '\0');
		return 0;
	}
	amd = k.kind == COLL_KIND_AMD_VCEK || k.kind == COLL_KIND_AMD_CHAIN;
	TMON_ASSERT(amd || k.kind == COLL_KIND_INTEL ||
	    k.kind == COLL_KIND_NRAS_JWKS);
	TMON_ASSERT(amd == (k.product[0] != '\0'));
	return 0;
}
