/*
 * libFuzzer target: a canary completion response (untrusted upstream
 * bytes) through canary_completion_id, read as an SSE stream and as one
 * JSON body, with a full-size id buffer and with a short one (1..127 bytes,
 * from the input length) allocated to its exact size so that ASan sees any
 * write past it.
 * Invariants: on true the id is NUL-terminated inside its buffer, 1 to
 * MAX_COMPLETION_ID-1 characters of [A-Za-z0-9._:-], and occurs in the
 * input; a JSON body it was read from nests at most MAX_JSON_DEPTH
 * levels; on false the id is "".
 * Seeds: tests/fuzz/seeds/sse/ (the streamed completions of
 * tests/data/sig/nearai-docs, see PROVENANCE.md there, and one first
 * event of each alone).  About 2.5 million runs and "cov: 63" after 60 s
 * from the seeds on this machine.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "log.h"
#include "tmon_limits.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == ':';
}

static void
one(const uint8_t *data, size_t size, bool stream, size_t idsz)
{
	char *id = malloc(idsz);
	size_t n, i;

	TMON_ASSERT(id != NULL);
	memset(id, 'x', idsz);
	if (canary_completion_id(data, size, stream, id, idsz)) {
		n = strnlen(id, idsz);
		TMON_ASSERT(n > 0 && n < idsz && n < MAX_COMPLETION_ID);
		for (i = 0; i < n; i++)
			TMON_ASSERT(id_char(id[i]));
		TMON_ASSERT(memmem(data, size, id, n) != NULL);
		if (!stream)
			TMON_ASSERT(json_text_depth_ok(data, size,
			    MAX_JSON_DEPTH));
	} else
		TMON_ASSERT(id[0] == '\0');
	free(id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t small = 1 + size % (MAX_COMPLETION_ID - 1);

	one(data, size, true, MAX_COMPLETION_ID);
	one(data, size, false, MAX_COMPLETION_ID);
	one(data, size, true, small);
	one(data, size, false, small);
	return 0;
}
