/*
 * libFuzzer target: what GitHub serves for a release look-up
 * (provenance_client.h): the input as a releases/latest answer
 * (github_release_parse) and as a digest asset (github_digest_parse).
 * Invariants: a release that parsed has a tag of 1 to MAX_PROV_NAME - 1
 * printable ASCII bytes without '/', NUL-terminated, and a failed parse
 * leaves the output zeroed; a digest parses only from 64 hex digits and
 * white space, and then equals those digits.
 * Seeds: tests/fuzz/seeds/github_release/ (the recorded release and
 * digest asset of tests/data/replay/github-2026-06-29).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "encode.h"
#include "log.h"
#include "provenance_client.h"
#include "tjson.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct github_release zero_rel;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct github_release r;
	struct tmon_err err;
	uint8_t d[32], want[32];
	size_t i, n;

	if (!init) {
		tjson_init();
		log_init(0);
		init = 1;
	}
	tmon_err_clear(&err);
	if (github_release_parse(data, size, &r, &err) == TMON_OK) {
		n = strnlen(r.tag, sizeof(r.tag));
		TMON_ASSERT(n > 0 && n < sizeof(r.tag));
		for (i = 0; i < n; i++)
			TMON_ASSERT(r.tag[i] > 0x20 && r.tag[i] < 0x7f &&
			    r.tag[i] != '/');
	} else {
		TMON_ASSERT(memcmp(&r, &zero_rel, sizeof(r)) == 0);
		TMON_ASSERT(err.msg[0] != '\0');
	}
	tmon_err_clear(&err);
	if (github_digest_parse(data, size, d, &err) == TMON_OK) {
		TMON_ASSERT(size >= 64 && size <= MAX_DIGEST_ASSET);
		TMON_ASSERT(hex_decode_exact((const char *)data, 64, want, 32,
		    true) && memcmp(d, want, 32) == 0);
		for (i = 64; i < size; i++)
			TMON_ASSERT(data[i] == ' ' || data[i] == '\t' ||
			    data[i] == '\r' || data[i] == '\n');
	} else
		TMON_ASSERT(err.msg[0] != '\0');
	return 0;
}
