/*
 * api_render.c: JSON documents of the read-only API (api_render.h).
 */
#include <stdlib.h>
#include <string.h>

#include "api_render.h"
#include "encode.h"
#include "log.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "xmalloc.h"



/* A string, or null for NULL.  Store strings are ASCII (store.h). */
static json_t *
jstr_or_null(const char *s)
{
	json_t *j;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) == NULL)
		return json_null();	/* not UTF-8: never from the store */
	return j;
}

static json_t *
jhex(const uint8_t *p, size_t n)
{
	char hex[65];

	TMON_ASSERT(n <= 32);
	return tjson_chk(json_string(hex_encode(p, n, hex)));
}

/* A copy (new reference) of body[key] if it has type t, else null. */
static json_t *
jpick(const json_t *body, const char *key, json_type t)
{
	json_t *v;

	if (body == NULL)
		return json_null();
	v = json_object_get(body, key);
	if (v == NULL || json_typeof(v) != t)
		return json_null();
	return json_incref(v);	/* shared with body; freed with the tree */
}

json_t *
api_render_model(const char *model, const char *provider, bool configured,
    const struct store_entry *e)
{
	json_t *o, *body = NULL, *checks, *p, *meas;

	o = tjson_chk(json_object());
	if (e != NULL)
		body = entry_parse(e);
	tjson_set(o, "model", jstr_or_null(model));
	if (provider == NULL && body != NULL)
		p = jpick(body, "provider", JSON_STRING);
	else
		p = jstr_or_null(provider);
	tjson_set(o, "provider", p);
	tjson_set(o, "configured", json_boolean(configured));
	if (e == NULL) {
		tjson_set(o, "verdict", json_null());
		tjson_set(o, "last_probe_time", json_null());
		tjson_set(o, "last_probe_seq", json_null());
		tjson_set(o, "leaf_hash", json_null());
	} else {
		if (e->verdict != NULL)
			tjson_set(o, "verdict", jstr_or_null(e->verdict));
		else
			tjson_set(o, "verdict", jpick(body, "verdict",
			    JSON_STRING));
		tjson_set(o, "last_probe_time", json_integer(e->time));
		tjson_set(o, "last_probe_seq", json_integer((json_int_t)e->seq));
		tjson_set(o, "leaf_hash", jhex(e->leaf, 32));
	}
	tjson_set(o, "format", jpick(body, "format", JSON_STRING));
	tjson_set(o, "nonce", jpick(body, "nonce", JSON_STRING));
	checks = jpick(body, "checks", JSON_ARRAY);
	if (json_is_null(checks)) {
		json_decref(checks);
		checks = tjson_chk(json_array());
	}
	tjson_set(o, "checks", checks);
	meas = entry_measurement(body);
	tjson_set(o, "measurement", meas != NULL ? meas : json_null());
	tjson_set(o, "request", jpick(body, "request", JSON_OBJECT));
	if (e != NULL && body == NULL)
		tjson_set(o, "body_error", json_string("entry body is not a JSON "
		    "object"));
	json_decref(body);
	return o;
}

json_t *
api_render_probe(const struct store_entry *e)
{
	json_t *o, *body;

	o = tjson_chk(json_object());
	tjson_set(o, "seq", json_integer((json_int_t)e->seq));
	tjson_set(o, "time", json_integer(e->time));
	tjson_set(o, "model", jstr_or_null(e->model));
	tjson_set(o, "verdict", jstr_or_null(e->verdict));
	tjson_set(o, "leaf_hash", jhex(e->leaf, 32));
	body = entry_parse(e);
	tjson_set(o, "entry", body != NULL ? body : json_null());
	return o;
}

json_t *
api_render_event(const struct store_entry *e)
{
	json_t *o;

	o = entry_parse(e);
	if (!json_is_object(o)) {
		json_decref(o);
		o = tjson_chk(json_object());
		tjson_set(o, "kind", json_string("event"));
		tjson_set(o, "time", json_integer(e->time));
		tjson_set(o, "model", jstr_or_null(e->model));
		tjson_set(o, "class", jstr_or_null(e->cls));
	}
	tjson_set(o, "seq", json_integer((json_int_t)e->seq));
	tjson_set(o, "leaf_hash", jhex(e->leaf, 32));
	return o;
}

void
api_render_event_compat(json_t *ev)
{
	const json_t *vb, *va, *cf;
	const char *cls;

	cls = json_string_value(json_object_get(ev, "class"));
	vb = json_object_get(ev, "verdict_before");
	va = json_object_get(ev, "verdict_after");
	cf = json_object_get(ev, "changed_fields");
	tjson_set(ev, "verdict", json_is_string(va) ?
	    json_string(json_string_value(va)) : json_null());
	tjson_set(ev, "previous_verdict", json_is_string(vb) ?
	    json_string(json_string_value(vb)) : json_null());
	tjson_set(ev, "verdict_changed", json_boolean(!json_is_string(vb) ||
	    !json_is_string(va) || strcmp(json_string_value(vb),
	    json_string_value(va)) != 0));
	tjson_set(ev, "change", cls != NULL ? json_string(cls) : json_null());
	tjson_set(ev, "measurement_changed", json_boolean(cls != NULL &&
	    strcmp(cls, "verdict_changed") != 0 &&
	    strcmp(cls, "instance_added") != 0 &&
	    (strcmp(cls, "first") == 0 || json_array_size(cf) > 0)));
	if (!json_is_array(cf))
		tjson_set(ev, "changed_fields", tjson_chk(json_array()));
}

/* True for a check object whose status is fail, error or warn. */
static bool
check_not_ok(const json_t *c)
{
	const char *st;

	if (!json_is_object(c))
		return false;
	st = json_string_value(json_object_get(c, "status"));
	if (st == NULL)
		return false;
	return strcmp(st, "fail") == 0 || strcmp(st, "error") == 0 ||
	    strcmp(st, "warn") == 0;
}

json_t *
api_render_failure(const struct store_entry *e)
{
	json_t *o, *body, *all, *bad, *c;
	size_t i;

	o = tjson_chk(json_object());
	body = entry_parse(e);
	tjson_set(o, "seq", json_integer((json_int_t)e->seq));
	tjson_set(o, "time", json_integer(e->time));
	tjson_set(o, "model", jstr_or_null(e->model));
	tjson_set(o, "provider", jpick(body, "provider", JSON_STRING));
	tjson_set(o, "verdict", jstr_or_null(e->verdict));
	tjson_set(o, "format", jpick(body, "format", JSON_STRING));
	tjson_set(o, "leaf_hash", jhex(e->leaf, 32));
	bad = tjson_chk(json_array());
	all = body != NULL ? json_object_get(body, "checks") : NULL;
	if (json_is_array(all)) {
		json_array_foreach(all, i, c) {
			if (check_not_ok(c) &&
			    json_array_append(bad, c) != 0)
				fatalx("api: out of memory building json");
		}
	}
	tjson_set(o, "checks", bad);
	if (body == NULL)
		tjson_set(o, "body_error", json_string("entry body is not a JSON "
		    "object"));
	json_decref(body);
	return o;
}

json_t *
api_render_entry(const struct store_entry *e, const uint8_t prev_chain[32])
{
	json_t *o, *body;
	char *hex;

	o = tjson_chk(json_object());
	tjson_set(o, "seq", json_integer((json_int_t)e->seq));
	tjson_set(o, "time", json_integer(e->time));
	tjson_set(o, "kind", jstr_or_null(e->kind));
	tjson_set(o, "model", jstr_or_null(e->model));
	tjson_set(o, "verdict", jstr_or_null(e->verdict));
	body = json_stringn((const char *)e->body, e->body_len);
	if (body != NULL)
		tjson_set(o, "body", body);
	else {
		tjson_set(o, "body", json_null());
		TMON_ASSERT(e->body_len <= MAX_ENTRY_BODY);
		hex = xmalloc(e->body_len * 2 + 1);
		tjson_set(o, "body_hex", json_string(hex_encode(e->body,
		    e->body_len, hex)));
		free(hex);
	}
	tjson_set(o, "leaf_hash", jhex(e->leaf, 32));
	tjson_set(o, "chain_hash", jhex(e->chain, 32));
	tjson_set(o, "prev_chain_hash", jhex(prev_chain, 32));
	return o;
}

/* The changed fields of chg as a JSON array. */
static json_t *
fields_json(const struct entry_change *chg)
{
	json_t *arr = tjson_chk(json_array());
	size_t i;

	for (i = 0; i < chg->n_fields; i++)
		if (json_array_append_new(arr, tjson_chk(json_string(
		    chg->fields[i]))) != 0)
			fatalx("api: out of memory building json");
	return arr;
}

void
api_render_model_change(json_t *model, const struct entry_change *chg,
    size_t instances)
{
	json_t *c;

	if (chg == NULL) {
		tjson_set(model, "change", json_null());
		tjson_set(model, "instances", json_integer(0));
		return;
	}
	c = tjson_chk(json_object());
	tjson_set(c, "class", json_string(entry_change_class_str(chg->cls)));
	tjson_set(c, "changed_fields", fields_json(chg));
	tjson_set(model, "change", c);
	tjson_set(model, "instances", json_integer((json_int_t)instances));
}

json_t *
api_render_change(const struct store_entry *e, const json_t *meas,
    bool have_prev, const char *prev_verdict,
    const struct entry_change *chg)
{
	const char *v = e->verdict != NULL ? e->verdict : "";
	json_t *o;

	if (prev_verdict == NULL)
		prev_verdict = "";
	o = tjson_chk(json_object());
	tjson_set(o, "seq", json_integer((json_int_t)e->seq));
	tjson_set(o, "time", json_integer(e->time));
	tjson_set(o, "leaf_hash", jhex(e->leaf, 32));
	tjson_set(o, "verdict", jstr_or_null(e->verdict));
	tjson_set(o, "previous_verdict", have_prev && prev_verdict[0] != '\0' ?
	    json_string(prev_verdict) : json_null());
	tjson_set(o, "verdict_changed", json_boolean(!have_prev ||
	    strcmp(v, prev_verdict) != 0));
	tjson_set(o, "change", json_string(entry_change_class_str(chg->cls)));
	tjson_set(o, "measurement_changed", json_boolean(
	    chg->cls == ENTRY_CHANGE_FIRST || chg->cls == ENTRY_CHANGE_CHANGED));
	tjson_set(o, "changed_fields", fields_json(chg));
	tjson_set(o, "measurement", meas != NULL ? json_deep_copy(meas) :
	    json_null());
	return o;
}

/* A hash in standard base64 (RFC 4648 section 4). */
static json_t *
jb64(const uint8_t h[32])
{
	char b64[B64_ENCODED_LEN(32) + 1];

	return tjson_chk(json_string(b64_encode(h, 32, b64)));
}

static json_t *
jproof(const uint8_t proof[][32], size_t n)
{
	json_t *a;
	size_t i;

	TMON_ASSERT(n <= TLOG_MAX_PROOF);
	a = tjson_chk(json_array());
	for (i = 0; i < n; i++)
		if (json_array_append_new(a, jb64(proof[i])) != 0)
			fatalx("api: out of memory building json");
	return a;
}

json_t *
api_render_checkpoint(const struct store_checkpoint *c)
{
	json_t *o, *note;
	char *b64;

	o = tjson_chk(json_object());
	tjson_set(o, "size", json_integer((json_int_t)c->size));
	tjson_set(o, "time", json_integer(c->time));
	tjson_set(o, "root_hash", jb64(c->root));
	if ((note = json_stringn((const char *)c->note, c->note_len)) != NULL)
		tjson_set(o, "note", note);
	else {
		tjson_set(o, "note", json_null());
		TMON_ASSERT(c->note_len <= MAX_CHECKPOINT_NOTE);
		b64 = xmalloc(B64_ENCODED_LEN(c->note_len) + 1);
		tjson_set(o, "note_base64", json_string(b64_encode(c->note,
		    c->note_len, b64)));
		free(b64);
	}
	return o;
}

json_t *
api_render_inclusion(uint64_t seq, uint64_t size, const uint8_t leaf[32],
    const uint8_t root[32], const uint8_t proof[][32], size_t n)
{
	json_t *o;

	o = tjson_chk(json_object());
	tjson_set(o, "seq", json_integer((json_int_t)seq));
	tjson_set(o, "size", json_integer((json_int_t)size));
	tjson_set(o, "leaf_hash", jb64(leaf));
	tjson_set(o, "root_hash", jb64(root));
	tjson_set(o, "proof", jproof(proof, n));
	return o;
}

json_t *
api_render_consistency(uint64_t old, uint64_t new_size,
    const uint8_t old_root[32], const uint8_t new_root[32],
    const uint8_t proof[][32], size_t n)
{
	json_t *o;

	o = tjson_chk(json_object());
	tjson_set(o, "old", json_integer((json_int_t)old));
	tjson_set(o, "new", json_integer((json_int_t)new_size));
	tjson_set(o, "old_root", jb64(old_root));
	tjson_set(o, "new_root", jb64(new_root));
	tjson_set(o, "proof", jproof(proof, n));
	return o;
}

json_t *
api_render_error(const char *error, const char *field)
{
	json_t *o;

	o = tjson_chk(json_object());
	tjson_set(o, "error", jstr_or_null(error));
	tjson_set(o, "field", jstr_or_null(field));
	return o;
}

json_t *
api_render_receipt(const struct store_entry *e)
{
	json_t *o, *body, *checks;

	body = entry_parse(e);
	o = tjson_chk(json_object());
	tjson_set(o, "seq", json_integer((json_int_t)e->seq));
	tjson_set(o, "leaf_hash", jhex(e->leaf, 32));
	tjson_set(o, "chain_hash", jhex(e->chain, 32));
	tjson_set(o, "time", json_integer(e->time));
	tjson_set(o, "model", jstr_or_null(e->model));
	tjson_set(o, "verdict", jstr_or_null(e->verdict));
	tjson_set(o, "format", jpick(body, "format", JSON_STRING));
	checks = jpick(body, "checks", JSON_ARRAY);
	if (json_is_null(checks)) {
		json_decref(checks);
		checks = tjson_chk(json_array());
	}
	tjson_set(o, "checks", checks);
	tjson_set(o, "receipt", body != NULL ? body : json_null());
	return o;
}
