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
