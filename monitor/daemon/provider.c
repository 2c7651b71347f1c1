#include <stdio.h>
#include <string.h>

#include "provider.h"

static const struct provider providers[] = {
	{ "nanogpt", "/api/v1/tee/attestation", false, NULL, NULL,
	  "/api/v1/chat/completions", "/api/v1/tee/signature", true },
	{ "near", "/v1/attestation/report", true, NULL, NULL,
	  "/v1/chat/completions", "/v1/signature", false },
	{ "phala", "/v1/attestation/report", true, NULL, NULL,
	  "/v1/chat/completions", "/v1/signature", false },
	{ "redpill", "/v1/attestation/report", true, NULL, NULL,
	  "/v1/chat/completions", "/v1/signature", true },
	{ "chutes", "/chutes/", false, "/evidence", "/e2e/instances/",
	  NULL, NULL, false },
};
#define NPROVIDERS	(sizeof(providers) / sizeof(providers[0]))

const struct provider *
provider_find(const char *name)
{
	size_t i;

	for (i = 0; i < NPROVIDERS; i++)
		if (strcmp(providers[i].name, name) == 0)
			return &providers[i];
	return NULL;
}

void
provider_names(char *buf, size_t bufsz)
{
	size_t i, n = 0;
	int r;

	if (bufsz == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < NPROVIDERS && n < bufsz; i++) {
		r = snprintf(buf + n, bufsz - n, "%s%s", i > 0 ? ", " : "",
		    providers[i].name);
		if (r < 0)
			break;
		n += (size_t)r;
	}
}
