/*
 * libFuzzer target: dstack event log JSON through decode and replay
 * (tdx_eventlog.h), and, when the input is an attestation object, the
 * tdx.event_log, tdx.compose, tdx.td_attributes and measurement.policy
 * checks.  Seeds: tests/fuzz/seeds/eventlog/ (event log arrays and
 * attestation objects cut from the real captures in tests/data).
 *
 * The quote is synthetic: its RTMRs are set to the replay of the input's
 * own top-level log and its MRCONFIGID to the v1 form of its own
 * compose-hash event, so that the fuzzer gets past the RTMR3 and
 * MRCONFIGID comparisons into the compose binding code.
 *
 * Invariants: a decoded log has at most MAX_EVENTS events, each with
 * imr < 4 and owned name/payload only on runtime events; tdx.compose
 * passes only with a 64-hex-digit compose hash; tdx.event_log never
 * passes when no log decodes; measurement.policy fails when MRTD misses.
 *
 *   CC=clang cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF
 *   build-fuzz/fuzz/fuzz_eventlog -max_total_time=60 corpus/ \
 *       tests/fuzz/seeds/eventlog
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "checklist.h"
#include "encode.h"
#include "log.h"
#include "tdx_eventlog.h"
#include "tdx_policy.h"
#include "tmon_limits.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_log(const struct tdx_event_log *log)
{
	uint8_t rtmr[TDX_RTMR_COUNT][48];
	struct tmon_err err;
	size_t i;

	TMON_ASSERT(log->n <= MAX_EVENTS);
	TMON_ASSERT(log->n_recomputed <= log->n);
	for (i = 0; i < log->n; i++) {
		TMON_ASSERT(log->ev[i].imr < TDX_RTMR_COUNT);
		TMON_ASSERT(log->ev[i].runtime == (log->ev[i].name != NULL));
		TMON_ASSERT(log->ev[i].payload_len <= MAX_EVENT_PAYLOAD);
	}
	tmon_err_clear(&err);
	TMON_ASSERT(tdx_event_log_replay(log, rtmr, &err) == TMON_OK);
}

static void
check_attestation(const json_t *att)
{
	static const uint8_t pin[1][48] = { { 0xff } };
	struct measurement_policy p;
	struct tdx_event_log log;
	struct tdx_quote q;
	struct checklist cl;
	struct tmon_err err;
	const struct check *c;
	char hex[65];
	bool any = false;
	int src;

	memset(&q, 0, sizeof(q));
	q.report.td_attributes[3] = 0x10;	/* SEPT_VE_DISABLE */
	for (src = TDX_EVL_TOP; src <= TDX_EVL_TCB_INFO; src++) {
		tmon_err_clear(&err);
		if (tdx_event_log_load(att, (enum tdx_evl_src)src, &log,
		    &err) != TMON_OK)
			continue;
		check_log(&log);
		if (!any)
			TMON_ASSERT(tdx_event_log_replay(&log, q.report.rtmr,
			    &err) == TMON_OK);
		any = true;
		tdx_event_log_free(&log);
	}
	tmon_err_clear(&err);
	if (tdx_event_log_system_value(&q, att, "compose-hash",
	    q.report.mr_config_id + 1, 32, &err) == TMON_OK)
		q.report.mr_config_id[0] = 0x01;

	checklist_init(&cl);
	tdx_check_td_attributes(&q, &cl);
	tdx_check_event_log(&q, att, &cl);
	tdx_check_compose(&q, att, &cl, hex);
	memset(&p, 0, sizeof(p));
	p.mrtd.v = pin;
	p.mrtd.n = 1;
	p.os_image_hash.v = (const uint8_t (*)[32])pin;
	p.os_image_hash.n = 1;
	measurement_check_policy(&q, att, hex, &p, &cl);
	measurement_check_policy(&q, att, hex, NULL, &cl);

	c = checklist_get(&cl, "tdx.event_log");
	TMON_ASSERT(c != NULL);
	if (!any)
		TMON_ASSERT(c->status != CHECK_PASS);
	c = checklist_get(&cl, "tdx.compose");
	TMON_ASSERT(c != NULL);
	if (c->status == CHECK_PASS)
		TMON_ASSERT(strlen(hex) == 64 && is_hex_text(hex, 64));
	c = checklist_get(&cl, "measurement.policy");
	/* MRTD is zero, the pin is not: always a miss */
	TMON_ASSERT(c != NULL && c->status == CHECK_FAIL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdx_event_log log;
	struct tmon_err err;
	json_error_t je;
	json_t *j;

	tmon_err_clear(&err);
	if (tdx_event_log_parse_text((const char *)data, size, &log, &err) ==
	    TMON_OK) {
		check_log(&log);
		tdx_event_log_free(&log);
	} else
		TMON_ASSERT(log.ev == NULL && log.n == 0);
	if (size > MAX_TCB_INFO_TEXT)
		return 0;
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (j != NULL && json_is_object(j))
		check_attestation(j);
	json_decref(j);
	return 0;
}
