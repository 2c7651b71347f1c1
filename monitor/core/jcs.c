/*
 * jcs.c: RFC 8785 JSON canonicalization (jcs.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "jcs.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/* ---- names in UTF-16 order ---- */

/*
 * The next UTF-16 code unit of the UTF-8 text [*p, end): *pend holds the
 * low surrogate still owed by a supplementary character.  Returns -1 at
 * the end; invalid UTF-8 (never in jansson's strings) reads as bytes.
 */
static long
next_unit(const unsigned char **p, const unsigned char *end,
    unsigned int *pend)
{
	const unsigned char *s = *p;
	unsigned long cp;
	size_t n, i;

	if (*pend != 0) {
		cp = *pend;
		*pend = 0;
		return (long)cp;
	}
	if (s >= end)
		return -1;
	if (s[0] < 0x80) {
		n = 1;
		cp = s[0];
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1fu;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0fu;
	} else {
		n = 4;
		cp = s[0] & 0x07u;
	}
	if ((size_t)(end - s) < n) {
		*p = s + 1;
		return s[0];
	}
	for (i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3fu);
	*p = s + n;
	if (cp < 0x10000)
		return (long)cp;
	cp -= 0x10000;
	*pend = (unsigned int)(0xdc00 + (cp & 0x3ff));
	return (long)(0xd800 + (cp >> 10));
}

static int
utf16_cmp(const void *a, const void *b)
{
	const char *sa = *(const char *const *)a, *sb = *(const char *const *)b;
	const unsigned char *pa = (const unsigned char *)sa,
	    *pb = (const unsigned char *)sb;
	const unsigned char *ea = pa + strlen(sa), *eb = pb + strlen(sb);
	unsigned int qa = 0, qb = 0;
	long ua, ub;

	for (;;) {
		ua = next_unit(&pa, ea, &qa);
		ub = next_unit(&pb, eb, &qb);
		if (ua != ub)
			return ua < ub ? -1 : 1;
		if (ua < 0)
			return 0;
	}
}

/* ---- strings ---- */

static bool
put_string(struct buf *out, const char *s, size_t len)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, run = 0;
	char esc[7];

	if (!buf_append(out, "\"", 1))
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')
			continue;
		if (!buf_append(out, s + run, i - run))
			return false;
		run = i + 1;
		esc[0] = '\\';
		esc[2] = '\0';
		switch (p[i]) {
		case '"':	esc[1] = '"'; break;
		case '\\':	esc[1] = '\\'; break;
		case '\b':	esc[1] = 'b'; break;
		case '\f':	esc[1] = 'f'; break;
		case '\n':	esc[1] = 'n'; break;
		case '\r':	esc[1] = 'r'; break;
		case '\t':	esc[1] = 't'; break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hexd[p[i] >> 4];
			esc[5] = hexd[p[i] & 0xf];
			esc[6] = '\0';
			break;
		}
		if (!buf_append_str(out, esc))
			return false;
	}
	return buf_append(out, s + run, len - run) && buf_append(out, "\"", 1);
}

/* ---- numbers (ECMAScript Number::toString, radix 10) ---- */

/*
 * The shortest decimal digits of the finite, non-zero, positive x that
 * read back as x: digits[0..*k) and the exponent n with x = 0.d1d2..dk *
 * 10^n.  "%.*e" rounds correctly, so the first precision that reads back
 * gives the digits closest to x.
 */
static void
shortest_digits(double x, char digits[18], int *k, int *n)
{
	char tmp[40];
	char *e;
	int p, i, j;

	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	if (p > 17)
		p = 17;
	snprintf(tmp, sizeof(tmp), "%.*e", p - 1, x);
	e = strchr(tmp, 'e');
	for (i = 0, j = 0; &tmp[i] < e; i++)
		if (tmp[i] >= '0' && tmp[i] <= '9')
			digits[j++] = tmp[i];
	while (j > 1 && digits[j - 1] == '0')
		j--;
	digits[j] = '\0';
	*k = j;
	*n = atoi(e + 1) + 1;
}

static bool
put_double(struct buf *out, double x)
{
	char digits[18], tmp[48];
	size_t o = 0;
	int k, n, i;

	if (x == 0)
		return buf_append(out, "0", 1);
	if (x < 0) {
		tmp[o++] = '-';
		x = -x;
	}
	shortest_digits(x, digits, &k, &n);
	if (k <= n && n <= 21) {
		memcpy(tmp + o, digits, (size_t)k);
		o += (size_t)k;
		for (i = 0; i < n - k; i++)
			tmp[o++] = '0';
	} else if (0 < n && n <= 21) {
		memcpy(tmp + o, digits, (size_t)n);
		o += (size_t)n;
		tmp[o++] = '.';
		memcpy(tmp + o, digits + n, (size_t)(k - n));
		o += (size_t)(k - n);
	} else if (-6 < n && n <= 0) {
		tmp[o++] = '0';
		tmp[o++] = '.';
		for (i = 0; i < -n; i++)
			tmp[o++] = '0';
		memcpy(tmp + o, digits, (size_t)k);
		o += (size_t)k;
	} else {
		tmp[o++] = digits[0];
		if (k > 1) {
			tmp[o++] = '.';
			memcpy(tmp + o, digits + 1, (size_t)(k - 1));
			o += (size_t)(k - 1);
		}
		o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "e%c%d",
		    n - 1 < 0 ? '-' : '+', n - 1 < 0 ? 1 - n : n - 1);
	}
	return buf_append(out, tmp, o);
}

/* ---- values ---- */

#define TWO53	9007199254740992LL

static enum tmon_rc
put_value(struct buf *out, json_t *v, int depth, struct tmon_err *err)
{
	const char **keys;
	const char *key;
	json_t *m;
	json_int_t iv;
	enum tmon_rc rc = TMON_OK;
	size_t i, n;
	char num[32];
	bool ok = true;

	if ((json_is_object(v) || json_is_array(v)) && depth > MAX_JSON_DEPTH)
		return tmon_err_set(err, TMON_E_LIMIT, "JSON nested deeper than "
		    "%d", MAX_JSON_DEPTH);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		n = json_object_size(v);
		keys = xcalloc(n > 0 ? n : 1, sizeof(*keys));
		i = 0;
		json_object_foreach(v, key, m)
			keys[i++] = key;
		qsort(keys, n, sizeof(*keys), utf16_cmp);
		ok = buf_append(out, "{", 1);
		for (i = 0; ok && rc == TMON_OK && i < n; i++) {
			if (i > 0)
				ok = buf_append(out, ",", 1);
			ok = ok && put_string(out, keys[i], strlen(keys[i])) &&
			    buf_append(out, ":", 1);
			if (ok)
				rc = put_value(out, json_object_get(v, keys[i]),
				    depth + 1, err);
		}
		free(keys);
		if (rc != TMON_OK)
			return rc;
		ok = ok && buf_append(out, "}", 1);
		break;
	case JSON_ARRAY:
		ok = buf_append(out, "[", 1);
		for (i = 0; ok && i < json_array_size(v); i++) {
			if (i > 0)
				ok = buf_append(out, ",", 1);
			if (ok && (rc = put_value(out, json_array_get(v, i),
			    depth + 1, err)) != TMON_OK)
				return rc;
		}
		ok = ok && buf_append(out, "]", 1);
		break;
	case JSON_STRING:
		ok = put_string(out, json_string_value(v),
		    json_string_length(v));
		break;
	case JSON_INTEGER:
		iv = json_integer_value(v);
		if (iv >= -TWO53 && iv <= TWO53) {
			snprintf(num, sizeof(num), "%lld", (long long)iv);
			ok = buf_append_str(out, num);
		} else
			ok = put_double(out, (double)iv);
		break;
	case JSON_REAL:
		if (!isfinite(json_real_value(v)))
			return tmon_err_set(err, TMON_E_PARSE, "a number that "
			    "is not finite has no canonical form");
		ok = put_double(out, json_real_value(v));
		break;
	case JSON_TRUE:
		ok = buf_append(out, "true", 4);
		break;
	case JSON_FALSE:
		ok = buf_append(out, "false", 5);
		break;
	case JSON_NULL:
		ok = buf_append(out, "null", 4);
		break;
	default:
		return tmon_err_set(err, TMON_E_PARSE, "not a JSON value");
	}
	if (!ok)
		return tmon_err_set(err, TMON_E_LIMIT, "canonical JSON over the "
		    "limit of %zu bytes", out->max);
	return TMON_OK;
}

enum tmon_rc
jcs_append(struct buf *out, json_t *v, struct tmon_err *err)
{
	enum tmon_rc rc;

	if ((rc = put_value(out, v, 1, err)) != TMON_OK)
		buf_reset(out);
	return rc;
}

enum tmon_rc
jcs_canonicalize(const void *text, size_t len, size_t max, uint8_t **out,
    size_t *outlen, struct tmon_err *err)
{
	struct tjson_doc d;
	struct buf b;
	json_t *root;
	enum tmon_rc rc;

	*out = NULL;
	*outlen = 0;
	memset(&d, 0, sizeof(d));
	d.name = "JSON text";
	d.err = err;
	if ((rc = tjson_load(&d, text, len, max, TJSON_ANY, &root)) !=
	    TMON_OK)
		return rc;
	buf_init(&b, max * 8 + 64);
	rc = jcs_append(&b, root, err);
	json_decref(root);
	if (rc != TMON_OK) {
		buf_free(&b);
		return rc;
	}
	*out = buf_release(&b, outlen);
	return TMON_OK;
}

enum tmon_rc
jcs_digest(json_t *v, size_t max, char out[72], struct tmon_err *err)
{
	struct buf b;
	uint8_t md[32];
	enum tmon_rc rc;

	out[0] = '\0';
	buf_init(&b, max);
	if ((rc = jcs_append(&b, v, err)) != TMON_OK) {
		buf_free(&b);
		return rc;
	}
	sha256(b.data != NULL ? b.data : (const uint8_t *)"", b.len, md);
	buf_free(&b);
	memcpy(out, "sha256:", 7);
	hex_encode(md, 32, out + 7);
	return TMON_OK;
}
