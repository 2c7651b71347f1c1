#include <string.h>

#include <openssl/crypto.h>

#include "cur.h"

void
cur_init(struct cur *c, const uint8_t *data, size_t len)
{
	c->data = data;
	c->len = len;
	c->initial_len = len;
}

size_t
cur_len(const struct cur *c)
{
	return c->len;
}

size_t
cur_offset(const struct cur *c)
{
	return c->initial_len - c->len;
}

const uint8_t *
cur_data(const struct cur *c)
{
	return c->data;
}

static bool
get_le(struct cur *c, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (c->len < n)
		return false;
	for (i = 0; i < n; i++)
		v |= (uint64_t)c->data[i] << (8 * i);
	c->data += n;
	c->len -= n;
	*out = v;
	return true;
}

static bool
get_be(struct cur *c, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (c->len < n)
		return false;
	for (i = 0; i < n; i++)
		v = (v << 8) | c->data[i];
	c->data += n;
	c->len -= n;
	*out = v;
	return true;
}

bool
cur_get_u8(struct cur *c, uint8_t *out)
{
	uint64_t v;

	if (!get_le(c, 1, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

bool
cur_get_u16le(struct cur *c, uint16_t *out)
{
	uint64_t v;

	if (!get_le(c, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool
cur_get_u24le(struct cur *c, uint32_t *out)
{
	uint64_t v;

	if (!get_le(c, 3, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
cur_get_u32le(struct cur *c, uint32_t *out)
{
	uint64_t v;

	if (!get_le(c, 4, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
cur_get_u64le(struct cur *c, uint64_t *out)
{
	return get_le(c, 8, out);
}

bool
cur_get_u16be(struct cur *c, uint16_t *out)
{
	uint64_t v;

	if (!get_be(c, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool
cur_get_u32be(struct cur *c, uint32_t *out)
{
	uint64_t v;

	if (!get_be(c, 4, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
cur_get_bytes(struct cur *c, struct cur *sub, size_t n)
{
	if (c->len < n)
		return false;
	cur_init(sub, c->data, n);
	c->data += n;
	c->len -= n;
	return true;
}

bool
cur_copy(struct cur *c, void *dst, size_t n)
{
	if (c->len < n)
		return false;
	if (n > 0)
		memcpy(dst, c->data, n);
	c->data += n;
	c->len -= n;
	return true;
}

bool
cur_skip(struct cur *c, size_t n)
{
	if (c->len < n)
		return false;
	c->data += n;
	c->len -= n;
	return true;
}

bool
cur_get_u16le_prefixed(struct cur *c, struct cur *sub)
{
	struct cur save = *c;
	uint16_t n;

	if (!cur_get_u16le(c, &n) || !cur_get_bytes(c, sub, n)) {
		*c = save;
		return false;
	}
	return true;
}

bool
cur_mem_equal_ct(const struct cur *c, const void *p, size_t n)
{
	if (c->len != n)
		return false;
	if (n == 0)
		return true;
	return CRYPTO_memcmp(c->data, p, n) == 0;
}

bool
cur_is_zero(const struct cur *c)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < c->len; i++)
		acc |= c->data[i];
	return acc == 0;
}

bool
cur_get_der_any(struct cur *c, uint8_t *tag, struct cur *val)
{
	struct cur t = *c;
	uint8_t id, l, b;
	size_t len, i, nb;

	if (!cur_get_u8(&t, &id) || (id & 0x1f) == 0x1f || !cur_get_u8(&t, &l))
		return false;
	if (l < 0x80)
		len = l;
	else {
		nb = l & 0x7fu;
		if (nb == 0 || nb > 4)
			return false;
		len = 0;
		for (i = 0; i < nb; i++) {
			if (!cur_get_u8(&t, &b) || (i == 0 && b == 0))
				return false;
			len = (len << 8) | b;
		}
		if (len < 0x80)
			return false;
	}
	if (!cur_get_bytes(&t, val, len))
		return false;
	*tag = id;
	*c = t;
	return true;
}

bool
cur_get_der(struct cur *c, uint8_t tag, struct cur *val)
{
	struct cur t = *c;
	uint8_t got;

	if (!cur_get_der_any(&t, &got, val) || got != tag)
		return false;
	*c = t;
	return true;
}

bool
cur_get_der_uint(struct cur *c, uint8_t tag, uint64_t max, uint64_t *out)
{
	struct cur t = *c, v;
	const uint8_t *d;
	uint64_t x = 0;
	size_t n, i;

	if (!cur_get_der(&t, tag, &v))
		return false;
	d = cur_data(&v);
	n = cur_len(&v);
	if (n == 0 || (d[0] & 0x80) != 0)
		return false;		/* empty or negative */
	if (n > 1 && d[0] == 0 && (d[1] & 0x80) == 0)
		return false;		/* not minimal */
	if (n > 9 || (n == 9 && d[0] != 0))
		return false;		/* above 2^64 - 1 */
	for (i = 0; i < n; i++)
		x = (x << 8) | d[i];
	if (x > max)
		return false;
	*out = x;
	*c = t;
	return true;
}
