/*
 * libFuzzer target: a TDX quote through tdx_check_quote() at a fixed time
 * (2026-06-10T01:49:05Z, inside the seeds' PCK validity), plus
 * tdx_pck_info() on what parsed.  Seeds: tests/fuzz/seeds/tdx_quote/.
 *
 *   CC=clang CFLAGS=-fsanitize=fuzzer-no-link,address,undefined \
 *       cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF
 *   build-fuzz/fuzz/fuzz_tdx_quote -max_total_time=60 corpus/ \
 *       tests/fuzz/seeds/tdx_quote
 *
 * (CFLAGS gives libFuzzer coverage of the library code too; without it
 * only this file is instrumented.)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "checklist.h"
#include "log.h"
#include "tdx_quote.h"
#include "tdx_verify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checklist cl;
	struct tdx_quote q;
	struct tdx_pck_info pi;
	struct tmon_err err;
	const struct check *c;

	checklist_init(&cl);
	if (tdx_check_quote(NULL, data, size, 1781056145, NULL, &q, &cl)) {
		TMON_ASSERT(q.quote_len + q.trailing_len == size);
		TMON_ASSERT(cur_len(&q.qe_report) == TDX_QE_REPORT_LEN);
		tmon_err_clear(&err);
		(void)tdx_pck_info(&q, &pi, &err);
	} else {
		c = checklist_get(&cl, "tdx.quote.signature");
		TMON_ASSERT(c != NULL && c->status == CHECK_SKIP);
	}
	c = checklist_get(&cl, "tdx.quote.parse");
	TMON_ASSERT(c != NULL);
	TMON_ASSERT(checklist_get(&cl, "tdx.pck_chain") != NULL);
	return 0;
}
