/*
 * libFuzzer target: the schedule loader (config_parse) on arbitrary text.
 * Invariant: success and a config come together; failure leaves none.
 * Seeds: tests/fuzz/seeds/config/.
 */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	struct tmon_err err;
	enum tmon_rc rc;

	tmon_err_clear(&err);
	rc = config_parse((const char *)data, size, "fuzz", &cfg, &err);
	TMON_ASSERT((rc == TMON_OK) == (cfg != NULL));
	config_free(cfg);
	return 0;
}
