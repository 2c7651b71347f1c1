#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "canary.h"
#include "entry.h"
#include "log.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

#define MAX_SSE_FIRST_EVENT	(64 * 1024)

uint8_t *
canary_request_body(const struct model_cfg *m, bool stream, size_t *len)
{
	json_t *o;
	uint8_t *body;

	o = json_pack("{s:s, s:[{s:s, s:s}], s:i, s:b}",
	    "model", m->model,
	    "messages", "role", "user", "content", m->canary.prompt,
	    "max_tokens", (int)m->canary.max_tokens,
	    "stream", stream);
	TMON_ASSERT(o != NULL);
	body = entry_canonical(o, len);
	json_decref(o);
	return body;
}


char *
canary_completion_url(const struct model_cfg *m)
{
	struct buf b;

	buf_init(&b, MAX_URL);
	if (!buf_append_str(&b, m->base_url) ||
	    !buf_append_str(&b, m->prov->completion_path))
		return NULL;
	return (char *)buf_release(&b, NULL);
}

char *
canary_signature_url(const struct model_cfg *m, const char *id)
{
	struct buf b;

	buf_init(&b, MAX_URL);
	if (!buf_append_str(&b, m->base_url) ||
	    !buf_append_str(&b, m->prov->signature_path) ||
	    !buf_append_str(&b, "/") || !buf_append_pct(&b, id) ||
	    !buf_append_str(&b, "?model=") ||
	    !buf_append_pct(&b, m->model) ||
	    !buf_append_str(&b, "&signing_algo=ecdsa"))
		return NULL;
	return (char *)buf_release(&b, NULL);
}

static bool
valid_id(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= MAX_COMPLETION_ID)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_' || s[i] == '.' || s[i] == ':'))
			return false;
	}
	return true;
}

static bool
json_id(const char *text, size_t len, char *id, size_t idsz)
{
	struct tjson_doc d = { .name = "completion" };
	json_t *o;
	const char *v;
	size_t n;
	bool ok = false;

	/* len is bounded by the caller (the response or one SSE line) */
	if (tjson_load(&d, text, len, len, TJSON_OBJECT, &o) != TMON_OK)
		return false;
	if (tjson_str(&d, o, "", "id", idsz - 1, 0, &v, &n) == TMON_OK &&
	    valid_id(v, n)) {
		memcpy(id, v, n + 1);
		ok = true;
	}
	json_decref(o);
	return ok;
}

bool
canary_completion_id(const uint8_t *resp, size_t len, bool stream, char *id,
    size_t idsz)
{
	const char *p = (const char *)resp, *end = p + len, *line, *eol;

	id[0] = '\0';
	if (!stream)
		return json_id(p, len, id, idsz);
	/* SSE: find the first "data: " line that is not [DONE]. */
	for (line = p; line < end; line = eol + 1) {
		eol = memchr(line, '\n', (size_t)(end - line));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - line) > 6 && memcmp(line, "data: ", 6) == 0 &&
		    (size_t)(eol - line) - 6 <= MAX_SSE_FIRST_EVENT) {
			if ((size_t)(eol - line) >= 12 &&
			    memcmp(line + 6, "[DONE]", 6) == 0)
				return false;
			return json_id(line + 6, (size_t)(eol - line) - 6 -
			    (eol[-1] == '\r' ? 1 : 0), id, idsz);
		}
		if (eol == end)
			break;
	}
	return false;
}
