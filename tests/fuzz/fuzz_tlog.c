/*
 * fuzz_tlog: the parts of tlog.c that read untrusted bytes: C2SP
 * tlog-tiles paths (an API route, a mirror's file names), entry bundles
 * (a mirror's bytes) and RFC 9162 proof verification (any client's
 * proof).  Checks the promises: a parsed path is the one tlog_tile_path
 * writes back, bundle entries are non-empty, inside the input and move
 * forward; proofs of any sizes and hashes are judged without reading
 * outside them (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlog.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint64_t
u64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlog_tile t;
	char path[256], again[TLOG_TILE_PATH_MAX];
	const uint8_t *e;
	uint8_t proof[TLOG_MAX_PROOF][32];
	size_t off = 0, prev, elen, n;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		n = size - 1 < sizeof(path) - 1 ? size - 1 : sizeof(path) - 1;
		memcpy(path, data + 1, n);
		path[n] = '\0';
		if (tlog_tile_parse(path, &t)) {
			if (!tlog_tile_path(&t, again, sizeof(again)) ||
			    strcmp(again, path) != 0)
				abort();
		}
		break;
	case 1:
		for (;;) {
			prev = off;
			if (!tlog_bundle_next(data + 1, size - 1, &off, &e,
			    &elen)) {
				if (off != prev)
					abort();
				break;
			}
			if (off <= prev || e < data + 1 ||
			    e + elen > data + size || elen == 0)
				abort();
		}
		break;
	case 2:
		if (size < 1 + 16 + 64)
			break;
		n = (size - 1 - 16 - 64) / 32;
		if (n > TLOG_MAX_PROOF)
			n = TLOG_MAX_PROOF;
		memcpy(proof, data + 1 + 16 + 64, n * 32);
		(void)tlog_verify_inclusion(u64(data + 1), u64(data + 9),
		    data + 17, (const uint8_t (*)[32])proof, n, data + 49);
		(void)tlog_verify_consistency(u64(data + 1), u64(data + 9),
		    data + 17, data + 49, (const uint8_t (*)[32])proof, n);
		break;
	}
	return 0;
}
