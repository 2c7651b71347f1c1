/*
 * sim_chat.c: tmon-sim's simulated chat completions and their
 * signatures (the NEAR AI / Phala vllm-proxy signature endpoint:
 * nearai/private-ml-sdk vllm-proxy/src/app/api/v1/openai.py).
 *
 * A completion keeps the exact request body received and the exact bytes
 * sent (the whole SSE stream when streaming); the signed text is
 * "<sha256hex(request)>:<sha256hex(response)>" (NanoGPT route, as the
 * Python vllm-proxy signs) or "<model>:<sha256hex(request)>:
 * <sha256hex(response)>" (/v1 route, as the Rust inference-proxy signs),
 * signed EIP-191 personal_sign with secp256k1 (libsecp256k1 recoverable
 * signing): keccak256("\x19Ethereum Signed Message:\n" || decimal length
 * || text), signature "0x" || r || s || v, v = 27 + recovery id.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <secp256k1_recovery.h>

#include "encode.h"
#include "keccak.h"
#include "log.h"
#include "sim.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

#define DEFAULT_MAX_TOKENS	16
#define JFLAGS			(JSON_COMPACT | JSON_PRESERVE_ORDER)

static const char *const reply_words[] = {
	"This", "is", "a", "SIMULATED", "TEST", "completion", "from",
	"tmon-sim,", "not", "the", "output", "of", "any", "real", "model",
	"or", "TEE."
};
#define NWORDS	(sizeof(reply_words) / sizeof(reply_words[0]))

const char *const sim_mode_names[SIM_NMODES] = {
	"good", "wrong-key", "stale-nonce", "changed-measurement",
	"reserialised-stream", "missing-signature", "replicas", "rollout",
	"flaky", "outage", "tinfoil", "tinfoil-release", "tinfoil-unattested"
};

int
sim_mode_of(const char *model)
{
	int i;

	if (model == NULL || strncmp(model, "sim/", 4) != 0)
		return -1;
	for (i = 0; i < SIM_NMODES; i++)
		if (strcmp(model + 4, sim_mode_names[i]) == 0)
			return i;
	return -1;
}

void
sim_eth_address(const uint8_t pub[64], char out[43])
{
	uint8_t h[32], ch[32];
	char lower[41];
	int i;

	keccak256(pub, 64, h);
	hex_encode(h + 12, 20, lower);
	keccak256(lower, 40, ch);		/* EIP-55 mixed-case checksum */
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < 40; i++) {
		out[2 + i] = lower[i];
		if (lower[i] >= 'a' && lower[i] <= 'f' &&
		    ((ch[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf) >= 8)
			out[2 + i] = (char)toupper((unsigned char)lower[i]);
	}
	out[42] = '\0';
}

void
sim_eip191_sign(const struct sim_pki *pki, const uint8_t sk[32],
    const char *text, char out[136])
{
	secp256k1_ecdsa_recoverable_signature sig;
	struct keccak256_ctx k;
	uint8_t h[32], rs[65];
	char prefix[64];
	int recid, n;

	n = snprintf(prefix, sizeof(prefix), "\x19" "Ethereum Signed "
	    "Message:\n%zu", strlen(text));
	keccak256_init(&k);
	keccak256_update(&k, prefix, (size_t)n);
	keccak256_update(&k, text, strlen(text));
	keccak256_final(&k, h);
	if (secp256k1_ecdsa_sign_recoverable(pki->secp, &sig, h, sk, NULL,
	    NULL) != 1 || secp256k1_ecdsa_recoverable_signature_serialize_compact(
	    pki->secp, rs, &recid, &sig) != 1)
		fatalx("tmon-sim: secp256k1 signing failed");
	rs[64] = (uint8_t)(27 + recid);
	out[0] = '0';
	out[1] = 'x';
	hex_encode(rs, 65, out + 2);
}

static json_t *
chunk(const char *id, int64_t created, const char *model, json_t *delta,
    const char *finish)
{
	json_t *j = json_pack("{s:s,s:s,s:I,s:s,s:[{s:i,s:o,s:n,s:o}]}",
	    "id", id, "object", "chat.completion.chunk", "created",
	    (json_int_t)created, "model", model, "choices", "index", 0,
	    "delta", delta, "logprobs", "finish_reason",
	    finish != NULL ? json_string(finish) : json_null());

	if (j == NULL)
		fatalx("tmon-sim: completion chunk");
	return j;
}

/* Append one SSE event "data: <json>\n\n" of j to out (compact) and to
 * re (jansson's default separators: a re-serialised copy). */
static void
sse(struct buf *out, struct buf *re, json_t *j)
{
	char *a = json_dumps(j, JFLAGS), *b = json_dumps(j,
	    JSON_PRESERVE_ORDER);

	if (a == NULL || b == NULL || !buf_printf(out, "data: %s\n\n", a) ||
	    !buf_printf(re, "data: %s\n\n", b))
		fatalx("tmon-sim: stream too long");
	free(a);
	free(b);
	json_decref(j);
}

static void
sha_hex(const void *p, size_t n, char out[65])
{
	uint8_t h[32];

	sha256(p, n, h);
	hex_encode(h, 32, out);
}

int
sim_chat_complete(struct sim *sim, enum sim_flavour fl, const uint8_t *req,
    size_t reqlen, struct buf *out, bool *stream, char *why, size_t whysz,
    const char **field)
{
	json_t *root = NULL, *v, *j;
	struct tmon_err jerr;
	struct tjson_doc d = { .name = "request body", .err = &jerr };
	struct buf re, text;
	struct sim_chat *c;
	const char *model, *finish;
	char id[48], content[512], rh[65], sh[65], sig[136], *s;
	int64_t created = (int64_t)time(NULL);
	json_int_t max_tokens = DEFAULT_MAX_TOKENS;
	uint64_t seq;
	size_t i, n, nw, plen;
	int mode, status = 400, key;

	*field = NULL;
	*stream = false;
	buf_init(&re, MAX_SIM_BUILD);
	buf_init(&text, MAX_SIM_BUILD);
	tmon_err_clear(&jerr);
	if (tjson_load(&d, req, reqlen, MAX_SIM_REQUEST_BODY, TJSON_OBJECT,
	    &root) != TMON_OK) {
		snprintf(why, whysz, "%s", jerr.msg);
		goto out;
	}
	v = json_object_get(root, "model");
	if (!json_is_string(v)) {
		*field = "model";
		snprintf(why, whysz, "model must be a string");
		goto out;
	}
	model = json_string_value(v);
	if ((mode = sim_mode_of(model)) < 0 ||
	    strlen(model) >= sizeof(c->model)) {
		*field = "model";
		status = 404;
		snprintf(why, whysz, "model not found: tmon-sim serves "
		    "sim/<mode> only");
		goto out;
	}
	v = json_object_get(root, "messages");
	if (!json_is_array(v) || json_array_size(v) == 0) {
		*field = "messages";
		snprintf(why, whysz, "messages must be a non-empty array");
		goto out;
	}
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_object(json_array_get(v, i)) ||
		    !json_is_string(json_object_get(json_array_get(v, i),
		    "role"))) {
			*field = "messages";
			snprintf(why, whysz, "messages[%zu] is not an object "
			    "with a role", i);
			goto out;
		}
	if ((v = json_object_get(root, "max_tokens")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > MAX_SIM_MAX_TOKENS) {
			*field = "max_tokens";
			snprintf(why, whysz, "max_tokens must be an integer "
			    "1..%d", MAX_SIM_MAX_TOKENS);
			goto out;
		}
		max_tokens = json_integer_value(v);
	}
	if ((v = json_object_get(root, "stream")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_boolean(v)) {
			*field = "stream";
			snprintf(why, whysz, "stream must be a boolean");
			goto out;
		}
		*stream = json_is_true(v);
	}

	nw = (size_t)max_tokens < NWORDS ? (size_t)max_tokens : NWORDS;
	finish = nw < NWORDS ? "length" : "stop";
	content[0] = '\0';
	for (i = 0, n = 0; i < nw && n < sizeof(content); i++)
		n += (size_t)snprintf(content + n, sizeof(content) - n, "%s%s",
		    i > 0 ? " " : "", reply_words[i]);
	plen = reqlen / 4 + 1;

	pthread_mutex_lock(&sim->st.lock);
	seq = ++sim->st.next_chat;
	pthread_mutex_unlock(&sim->st.lock);
	snprintf(id, sizeof(id), "chatcmpl-sim-%llu", (unsigned long long)seq);

	if (*stream) {
		sse(out, &re, chunk(id, created, model, json_pack("{s:s,s:s}",
		    "role", "assistant", "content", ""), NULL));
		for (i = 0; i < nw; i++) {
			snprintf(content, sizeof(content), "%s%s",
			    i > 0 ? " " : "", reply_words[i]);
			sse(out, &re, chunk(id, created, model,
			    json_pack("{s:s}", "content", content), NULL));
		}
		sse(out, &re, chunk(id, created, model, json_object(),
		    finish));
		if (!buf_append_str(out, "data: [DONE]\n\n") ||
		    !buf_append_str(&re, "data: [DONE]\n\n"))
			fatalx("tmon-sim: stream too long");
	} else {
		j = json_pack("{s:s,s:s,s:I,s:s,s:[{s:i,s:{s:s,s:s},s:n,s:s}],"
		    "s:{s:I,s:I,s:I},s:s}", "id", id, "object",
		    "chat.completion", "created", (json_int_t)created, "model",
		    model, "choices", "index", 0, "message", "role",
		    "assistant", "content", content, "logprobs",
		    "finish_reason", finish, "usage", "prompt_tokens",
		    (json_int_t)plen, "completion_tokens", (json_int_t)nw,
		    "total_tokens", (json_int_t)(plen + nw),
		    "system_fingerprint", "tmon-sim-TEST");
		if (j == NULL)
			fatalx("tmon-sim: completion");
		s = json_dumps(j, JFLAGS);
		if (s == NULL || !buf_append_str(out, s))
			fatalx("tmon-sim: completion too long");
		free(s);
		s = json_dumps(j, JSON_PRESERVE_ORDER);
		if (s == NULL || !buf_append_str(&re, s))
			fatalx("tmon-sim: completion too long");
		free(s);
		json_decref(j);
	}

	/* What is signed: the bytes received and (unless the mode says
	 * otherwise) the bytes sent. */
	sha_hex(req, reqlen, rh);
	if (mode == SIM_RESERIALISED)
		sha_hex(re.data, re.len, sh);
	else
		sha_hex(out->data, out->len, sh);
	if (fl == SIM_FLAVOUR_DIRECT) {
		if (!buf_printf(&text, "%s:%s:%s", model, rh, sh))
			fatalx("tmon-sim: text");
	} else if (!buf_printf(&text, "%s:%s", rh, sh))
		fatalx("tmon-sim: text");
	/* the key of the instance that served the mode's last attestation */
	pthread_mutex_lock(&sim->st.lock);
	n = sim->st.attestations[mode];		/* served so far */
	key = mode == SIM_WRONG_KEY ||
	    (mode == SIM_FLAKY && n % SIM_FLAKY_EVERY == 0) ||
	    (mode == SIM_OUTAGE && n >= 2 && n < 2 + SIM_OUTAGE_LEN) ?
	    SIM_KEY_WRONG : sim->pki.app[sim->st.last_app[mode]].key;
	pthread_mutex_unlock(&sim->st.lock);
	sim_eip191_sign(&sim->pki, sim->pki.sk[key], (const char *)text.data,
	    sig);

	pthread_mutex_lock(&sim->st.lock);
	c = &sim->st.chats[seq % MAX_SIM_CHATS];
	free(c->text);
	memset(c, 0, sizeof(*c));
	c->used = true;
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->model, sizeof(c->model), "%s", model);
	c->text = xstrdup((const char *)text.data);
	snprintf(c->signature, sizeof(c->signature), "%s", sig);
	memcpy(c->address, sim->pki.address[key], sizeof(c->address));
	pthread_mutex_unlock(&sim->st.lock);
	if (log_verbosity() > 0)
		log_info("tmon-sim: SIMULATED completion %s for %s (%s, %zu "
		    "bytes, signed by %s key%s)", id, model, *stream ?
		    "stream" : "json", out->len, key != SIM_KEY_WRONG ?
		    "the attested" : "a WRONG", mode == SIM_RESERIALISED ?
		    ", response hash over a re-serialised copy" : "");
	status = 200;
out:
	json_decref(root);
	buf_free(&re);
	buf_free(&text);
	if (status != 200)
		buf_reset(out);
	return status;
}

int
sim_chat_signature(struct sim *sim, const char *id, const char *model,
    char **body)
{
	struct sim_chat *c = NULL;
	json_t *j = NULL;
	size_t i;
	int status = 404;

	*body = NULL;
	pthread_mutex_lock(&sim->st.lock);
	for (i = 0; i < MAX_SIM_CHATS; i++)
		if (sim->st.chats[i].used &&
		    strcmp(sim->st.chats[i].id, id) == 0) {
			c = &sim->st.chats[i];
			break;
		}
	if (c == NULL || (model != NULL && strcmp(model, c->model) != 0) ||
	    sim_mode_of(c->model) == SIM_MISSING_SIGNATURE)
		goto out;
	if (c->misses < sim->st.sig_misses) {
		c->misses++;
		goto out;
	}
	j = json_pack("{s:s,s:s,s:s,s:s}", "text", c->text, "signature",
	    c->signature, "signing_address", c->address, "signing_algo",
	    "ecdsa");
	status = 200;
out:
	pthread_mutex_unlock(&sim->st.lock);
	if (j == NULL)
		j = json_pack("{s:s}", "error", "Chat id not found or expired");
	if (j == NULL || (*body = json_dumps(j, JFLAGS)) == NULL)
		fatalx("tmon-sim: signature body");
	json_decref(j);
	return status;
}

void
sim_chat_free(struct sim *sim)
{
	size_t i;

	for (i = 0; i < MAX_SIM_CHATS; i++)
		free(sim->st.chats[i].text);
}
