#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "encode.h"
#include "log.h"
#include "xmalloc.h"

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool
is_hex_text(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (hexval((unsigned char)s[i]) < 0)
			return false;
	return true;
}

bool
hex_decode_exact(const char *hex, size_t hexlen, uint8_t *out, size_t outlen,
    bool allow_0x)
{
	size_t i;
	int hi, lo;

	if (allow_0x && hexlen >= 2 && hex[0] == '0' &&
	    (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		hexlen -= 2;
	}
	if (outlen > SIZE_MAX / 2 || hexlen != 2 * outlen)
		return false;
	for (i = 0; i < outlen; i++) {
		hi = hexval((unsigned char)hex[2 * i]);
		lo = hexval((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool
is_ws(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

uint8_t *
hex_decode_alloc(const char *hex, size_t hexlen, size_t max, bool skip_ws,
    size_t *outlen)
{
	uint8_t *out;
	size_t i, o = 0, digits = 0;
	int hi = -1, v;

	if (hexlen >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		hexlen -= 2;
	}
	for (i = 0; i < hexlen; i++) {
		if (skip_ws && is_ws((unsigned char)hex[i]))
			continue;
		if (hexval((unsigned char)hex[i]) < 0)
			return NULL;
		digits++;
	}
	if (digits % 2 != 0 || digits / 2 > max)
		return NULL;
	out = xmalloc(digits / 2);
	for (i = 0; i < hexlen; i++) {
		if (skip_ws && is_ws((unsigned char)hex[i]))
			continue;
		v = hexval((unsigned char)hex[i]);
		if (hi < 0)
			hi = v;
		else {
			out[o++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	*outlen = o;
	return out;
}

char *
hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
	return out;
}

char *
b64_encode(const uint8_t *p, size_t n, char *out)
{
	int r;

	TMON_ASSERT(n <= (size_t)INT_MAX / 4 * 3);
	r = EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	TMON_ASSERT(r >= 0 && (size_t)r == B64_ENCODED_LEN(n));
	return out;
}

static bool
is_b64(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
}

uint8_t *
b64_decode_alloc(const char *b64, size_t len, size_t max, size_t *outlen)
{
	uint8_t *out;
	size_t i, pad = 0, n;
	int r;

	if (len == 0) {
		*outlen = 0;
		return xmalloc(1);
	}
	if (len % 4 != 0 || len > INT32_MAX || len / 4 * 3 > max + 2)
		return NULL;
	if (b64[len - 1] == '=')
		pad++;
	if (b64[len - 2] == '=')
		pad++;
	for (i = 0; i < len - pad; i++)
		if (!is_b64((unsigned char)b64[i]))
			return NULL;
	n = len / 4 * 3;
	out = xmalloc(n + 1);
	r = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
	if (r < 0 || (size_t)r != n || n - pad > max) {
		free(out);
		return NULL;
	}
	*outlen = n - pad;
	return out;
}

/* The 6-bit value of a base64url character, or -1. */
static int
b64url_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

uint8_t *
b64url_decode_alloc(const char *s, size_t len, size_t max, size_t *outlen)
{
	uint8_t *out;
	uint32_t acc = 0;
	size_t i, n, o = 0;
	int bits = 0, v;

	if (len % 4 == 1)
		return NULL;
	n = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
	if (n > max)
		return NULL;
	out = xmalloc(n + 1);
	for (i = 0; i < len; i++) {
		if ((v = b64url_val((unsigned char)s[i])) < 0)
			goto bad;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* the 2 or 4 bits left over are padding and must be zero */
	if (acc != 0)
		goto bad;
	*outlen = o;
	return out;
 bad:
	free(out);
	return NULL;
}
