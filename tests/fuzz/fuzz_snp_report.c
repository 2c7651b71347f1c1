/*
 * libFuzzer target: an SEV-SNP attestation report through snp_verify()
 * without collateral (the parser, the TCB and policy checks run), and
 * again through snp_report_parse() alone: both must agree.  Seeds:
 * tests/fuzz/seeds/snp_report/.
 *
 *   CC=clang CFLAGS=-fsanitize=fuzzer-no-link,address,undefined \
 *       cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF
 *   build-fuzz/fuzz/fuzz_snp_report -max_total_time=60 corpus/ \
 *       tests/fuzz/seeds/snp_report
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "checklist.h"
#include "log.h"
#include "snp_report.h"
#include "snp_verify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checklist cl;
	struct snp_report r, r2;
	struct tmon_err err;
	const struct check *c;
	bool ok;

	checklist_init(&cl);
	ok = snp_verify(data, size, NULL, 0, NULL, 0, NULL, 0, 1782699166, &cl,
	    &r);
	tmon_err_clear(&err);
	TMON_ASSERT(ok == (snp_report_parse(data, size, &r2, &err) ==
	    TMON_OK));
	c = checklist_get(&cl, "snp.report.parse");
	TMON_ASSERT(c != NULL);
	TMON_ASSERT(ok == (c->status == CHECK_PASS));
	if (ok) {
		TMON_ASSERT(size == SNP_REPORT_LEN);
		TMON_ASSERT(memcmp(&r, &r2, sizeof(r)) == 0);
		c = checklist_get(&cl, "snp.report.signature");
		TMON_ASSERT(c != NULL && c->status == CHECK_ERROR);
		(void)snp_product(&r);
	}
	TMON_ASSERT(checklist_get(&cl, "snp.policy") != NULL);
	TMON_ASSERT(checklist_get(&cl, "snp.tcb") != NULL);
	return 0;
}
