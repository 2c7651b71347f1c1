/*
 * fuzz_api_query: the API's untrusted-input paths without the network.
 *
 * Byte 0 chooses the mode.  Even: the rest is "PATH?QUERY" and goes
 * through api_request_parse as libmicrohttpd would hand it over (the query
 * split at '&' and '=', values NUL-terminated), and what it accepts for
 * the log routes must keep their promises (a tile's one path, proof
 * sizes in range).  Odd: the rest is an entry
 * body and goes through every api_render_* function, as a tampered or
 * unexpected log entry would.
 *
 *   CC=clang CFLAGS=-fsanitize=fuzzer-no-link,address,undefined \
 *       cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF
 *   build-fuzz/fuzz/fuzz_api_query -max_total_time=60 corpus/
 *
 * (CFLAGS instruments api/ too; without it only this file is: "cov: 35"
 * instead of ~260.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_render.h"
#include "api_request.h"
#include "entry.h"
#include "store.h"
#include "tlog.h"
#include "tmon_limits.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the parser promises about the log routes (api_request.h). */
static void
fuzz_log_request(const struct api_request *req, const char *path)
{
	static const char prefix[] = "/api/v1/log/";
	char canon[TLOG_TILE_PATH_MAX];

	switch (req->route) {
	case API_ROUTE_LOG_TILE:
		/* a tile has exactly one path, the one asked for */
		if (!tlog_tile_path(&req->tile, canon, sizeof(canon)) ||
		    strncmp(path, prefix, sizeof(prefix) - 1) != 0 ||
		    strcmp(path + sizeof(prefix) - 1, canon) != 0)
			abort();
		break;
	case API_ROUTE_LOG_INCLUSION:
		if (req->seq > INT64_MAX - 1 || req->size > INT64_MAX ||
		    (req->size != 0 && req->seq >= req->size))
			abort();
		break;
	case API_ROUTE_LOG_CONSISTENCY:
		if (req->old_size == 0 || req->old_size > INT64_MAX ||
		    req->new_size > INT64_MAX ||
		    (req->new_size != 0 && req->old_size > req->new_size))
			abort();
		break;
	default:
		break;
	}
}

static void
fuzz_request(uint8_t sel, const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT" };
	struct api_arg args[MAX_API_QUERY_ARGS + 1];
	struct api_request req;
	struct api_reject rej;
	char *buf, *q, *p, *amp, *eq;
	size_t nargs = 0;

	buf = malloc(size + 1);
	if (buf == NULL)
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	q = memchr(buf, '?', size);
	if (q != NULL) {
		*q++ = '\0';
		for (p = q; p != NULL && nargs < MAX_API_QUERY_ARGS + 1;
		    p = amp) {
			amp = strchr(p, '&');
			if (amp != NULL)
				*amp++ = '\0';
			eq = strchr(p, '=');
			if (eq != NULL)
				*eq++ = '\0';
			args[nargs].key = p;
			args[nargs].key_len = strlen(p);
			args[nargs].value = eq;
			args[nargs].value_len = eq != NULL ? strlen(eq) : 0;
			nargs++;
		}
	}
	if (api_request_parse(methods[(sel >> 1) & 3], buf, args, nargs,
	    &req, &rej) == TMON_OK) {
		if (req.route == API_ROUTE_STATIC &&
		    (req.file[0] == '.' || strchr(req.file, '/') != NULL))
			abort();
		if (req.limit == 0 || req.limit > MAX_API_PAGE)
			abort();
		fuzz_log_request(&req, buf);
	} else if (rej.status != 400 && rej.status != 404 &&
	    rej.status != 405)
		abort();
	free(buf);
}

/* The comparison over a hostile measurement: a measurement just folded
 * into the state is never a change against it. */
static void
fuzz_change(const struct store_entry *e)
{
	struct entry_state st;
	struct entry_change c;
	json_t *body, *m;

	body = entry_parse(e);
	m = entry_measurement(body);
	entry_state_init(&st);
	entry_measurement_diff(&st, m, &c);
	entry_state_update(&st, m);
	entry_measurement_diff(&st, m, &c);
	if (c.cls != ENTRY_CHANGE_NONE)
		abort();
	entry_state_update(&st, m);
	entry_state_free(&st);
	json_decref(m);
	json_decref(body);
}

static void
fuzz_render(const uint8_t *data, size_t size)
{
	struct store_entry e;
	uint8_t prev[32] = { 0 };
	char model[] = "TEE/fuzz", verdict[] = "fail";
	json_t *j;
	char *s;

	if (size > MAX_ENTRY_BODY)
		return;
	memset(&e, 0, sizeof(e));
	e.seq = size;
	e.time = 1781056145;
	memcpy(e.kind, "probe", 6);
	e.model = model;
	e.verdict = verdict;
	if ((e.body = malloc(size + 1)) == NULL)
		return;
	memcpy(e.body, data, size);
	e.body_len = size;
	j = api_render_probe(&e);
	s = json_dumps(j, JSON_COMPACT);
	free(s);
	json_decref(j);
	j = api_render_failure(&e);
	json_decref(j);
	j = api_render_model("TEE/fuzz", NULL, false, &e);
	json_decref(j);
	/* the same bytes as an event (GET /api/v1/events, a history) */
	j = api_render_event(&e);
	api_render_event_compat(j);
	s = json_dumps(j, JSON_COMPACT);
	if (s == NULL)
		abort();
	free(s);
	json_decref(j);
	j = api_render_entry(&e, prev);
	s = json_dumps(j, JSON_COMPACT);
	if (s == NULL)
		abort();
	free(s);
	json_decref(j);
	fuzz_change(&e);
	free(e.body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_render(data + 1, size - 1);
	else
		fuzz_request(data[0], data + 1, size - 1);
	return 0;
}
