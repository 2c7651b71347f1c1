/*
 * canary.h: the canary chat completion sent with every probe, and the
 * completion-signature lookup that follows it (README "The canary
 * completion"; nearai/private-ml-sdk vllm-proxy/src/app/api/v1/openai.py).
 *
 * Routes: those of the model's provider (provider.h).
 */
#ifndef TMON_MONITOR_CANARY_H
#define TMON_MONITOR_CANARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define MAX_COMPLETION_ID	128

/*
 * The request body for model m: {"max_tokens":N,"messages":[{"content":
 * prompt,"role":"user"}],"model":m,"stream":bool} (compact JSON, sorted
 * keys; these are the exact bytes sent and hashed).  Caller frees.
 */
uint8_t	*canary_request_body(const struct model_cfg *m, bool stream,
	    size_t *len);

/* URL of the completions endpoint (caller frees; NULL if too long). */
char	*canary_completion_url(const struct model_cfg *m);

/*
 * URL of the signature endpoint for completion id (caller frees; NULL if
 * too long).  id must have passed canary_completion_id.
 */
char	*canary_signature_url(const struct model_cfg *m, const char *id);

/*
 * The completion id of a response (untrusted bytes, len of them; no NUL
 * needed): the "id" member of a JSON completion (stream false), or of the
 * JSON on the first "data: " line of at most 64 KiB of an SSE stream
 * (stream true; text/event-stream, WHATWG HTML section 9.2; lines end in
 * LF or CRLF; "data: [DONE]" first means none).  The JSON, read by
 * tjson_load(), must be an object nested at most MAX_JSON_DEPTH levels
 * with no duplicate keys.  The id must be 1..MAX_COMPLETION_ID-1 characters of [A-Za-z0-9._:-].  Returns
 * false when there is none or it is malformed; id (idsz bytes, idsz >= 1)
 * gets the value, NUL-terminated, or "" on false.
 */
bool	canary_completion_id(const uint8_t *resp, size_t len, bool stream,
	    char *id, size_t idsz);

#endif /* TMON_MONITOR_CANARY_H */
