/*
 * cur.h: a bounds-checked, forward-only read cursor over untrusted bytes.
 *
 * The idea is OpenBSD's CBS (bytestring.h), extended with the
 * little-endian readers that TDX quotes and SPDM messages need.  A cursor
 * never owns its bytes: the caller keeps the buffer alive while the cursor
 * (or any sub-cursor taken from it) is in use.  Every getter returns true
 * on success; on failure (not enough bytes) it returns false and leaves
 * the cursor unchanged.
 */
#ifndef TMON_CORE_CUR_H
#define TMON_CORE_CUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cur {
	const uint8_t	*data;		/* next unread byte */
	size_t		 len;		/* unread bytes left */
	size_t		 initial_len;	/* len at cur_init */
};

/* Point c at the len bytes at data (borrowed). */
void	cur_init(struct cur *c, const uint8_t *data, size_t len);

/* Bytes left to read. */
size_t	cur_len(const struct cur *c);
/* Bytes read since cur_init (the offset of the next byte). */
size_t	cur_offset(const struct cur *c);
/* Pointer to the next unread byte (valid for cur_len bytes). */
const uint8_t *cur_data(const struct cur *c);

bool	cur_get_u8(struct cur *c, uint8_t *out);
bool	cur_get_u16le(struct cur *c, uint16_t *out);
bool	cur_get_u24le(struct cur *c, uint32_t *out);
bool	cur_get_u32le(struct cur *c, uint32_t *out);
bool	cur_get_u64le(struct cur *c, uint64_t *out);
bool	cur_get_u16be(struct cur *c, uint16_t *out);
bool	cur_get_u32be(struct cur *c, uint32_t *out);

/* Take the next n bytes as the sub-cursor sub and advance past them. */
bool	cur_get_bytes(struct cur *c, struct cur *sub, size_t n);
/* Copy the next n bytes into dst (fixed-size fields only) and advance. */
bool	cur_copy(struct cur *c, void *dst, size_t n);
/* Advance n bytes. */
bool	cur_skip(struct cur *c, size_t n);
/* Read a u16le length, then take that many bytes as sub. */
bool	cur_get_u16le_prefixed(struct cur *c, struct cur *sub);

/*
 * True if the remaining bytes of c are exactly the n bytes at p.
 * Constant time in n (CRYPTO_memcmp).
 */
bool	cur_mem_equal_ct(const struct cur *c, const void *p, size_t n);

/* True if every remaining byte of c is zero. */
bool	cur_is_zero(const struct cur *c);

/*
 * DER (ITU-T X.690 section 10, over the BER encoding of section 8.1):
 * one element is an identifier octet with a low tag number (bits 1-5 not
 * all set: numbers 0-30; the high-tag-number form is refused), a
 * definite length and that many content octets.  The length must be in
 * minimal form: the short form below 128, else the long form with 1 to
 * 4 length octets, no leading zero octet and a value of at least 128.
 * Indefinite lengths (0x80) are refused.
 */

/*
 * Take the next DER element: its identifier octet into *tag and its
 * contents as the sub-cursor val.  On failure c is unchanged.
 */
bool	cur_get_der_any(struct cur *c, uint8_t *tag, struct cur *val);

/* As cur_get_der_any, but the identifier octet must be tag. */
bool	cur_get_der(struct cur *c, uint8_t tag, struct cur *val);

/*
 * A DER INTEGER (tag 0x02) or ENUMERATED (tag 0x0a), as given by tag,
 * whose value is non-negative, at most max and minimally encoded (no
 * leading 0x00 before a byte below 0x80; X.690 section 8.3.2), into
 * *out.  On failure c is unchanged.
 */
bool	cur_get_der_uint(struct cur *c, uint8_t tag, uint64_t max,
	    uint64_t *out);

#endif /* TMON_CORE_CUR_H */
