/*
 * libFuzzer target: the TZif reader and its POSIX TZ footer (tz.c).
 * The input is a TZif file; what parses is then asked for offsets and
 * wall-clock conversions at instants around its transitions and far
 * away (the footer rule), which must neither crash nor overflow.
 *
 * Seeds: any files of /usr/share/zoneinfo.
 *
 *   CC=clang CFLAGS=-fsanitize=fuzzer-no-link,address,undefined \
 *       cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF
 *   build-fuzz/fuzz/fuzz_tz -max_total_time=60 corpus/ \
 *       /usr/share/zoneinfo/Europe
 */
#include <stddef.h>
#include <stdint.h>

#include "tz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t at[] = { -2208988800LL, 0, 1774746000LL,
	    1792890000LL, 2224756800LL, 4102444800LL, 32503680000LL };
	struct tz *z = NULL;
	size_t i;

	if (tz_parse(data, size, &z, NULL) != TMON_OK)
		return 0;
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		(void)tz_offset(z, at[i]);
		(void)tz_local_to_utc(z, at[i]);
	}
	tz_free(z);
	return 0;
}
