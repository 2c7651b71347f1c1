/*
 * encode.h: hex and base64 text to bytes and back, for untrusted input.
 * Decoders are strict: they reject any character outside the alphabet
 * and never write past the stated output size.
 */
#ifndef TMON_CORE_ENCODE_H
#define TMON_CORE_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode hex text (upper or lower case) of exactly 2*outlen characters
 * into out.  An optional "0x"/"0X" prefix is accepted when allow_0x is
 * true.  Returns false on a bad length or character.
 */
bool	hex_decode_exact(const char *hex, size_t hexlen, uint8_t *out,
	    size_t outlen, bool allow_0x);

/*
 * Decode hex text of any even length (optional 0x prefix) into a new
 * buffer of *outlen bytes that the caller frees.  Whitespace is rejected
 * unless skip_ws is true.  Returns NULL on a bad character, odd length,
 * or if the result would exceed max bytes.
 */
uint8_t	*hex_decode_alloc(const char *hex, size_t hexlen, size_t max,
	    bool skip_ws, size_t *outlen);

/*
 * Write the lower-case hex of n bytes into out, which must hold 2*n+1
 * bytes; out is NUL-terminated.  Returns out.
 */
char	*hex_encode(const uint8_t *p, size_t n, char *out);

/*
 * Decode standard base64 (RFC 4648 section 4, padding required, no
 * whitespace) into a new buffer of *outlen bytes that the caller frees.
 * Returns NULL on malformed input or if the result would exceed max bytes.
 * Implemented with OpenSSL's EVP_DecodeBlock.
 */
uint8_t	*b64_decode_alloc(const char *b64, size_t len, size_t max,
	    size_t *outlen);

/*
 * Decode base64url (RFC 4648 section 5) without padding, as JWS uses it
 * (RFC 7515 section 2, "Base64url Encoding": no '=', no whitespace, no
 * line breaks) into a new buffer of *outlen bytes that the caller frees.
 * Strict: a length of 1 modulo 4, any character outside [A-Za-z0-9_-]
 * (so also '=' and the standard alphabet's '+' and '/'), or non-zero pad
 * bits in the last character (RFC 4648 section 3.5: the encoding is
 * canonical) is malformed.  Returns NULL when malformed or if the result
 * would exceed max bytes.
 */
uint8_t	*b64url_decode_alloc(const char *s, size_t len, size_t max,
	    size_t *outlen);

/* Characters of the standard base64 of n bytes (padded), without the NUL. */
#define B64_ENCODED_LEN(n)	(((n) + 2) / 3 * 4)

/*
 * Write the standard base64 (RFC 4648 section 4, padded) of n bytes (n
 * below 1.5 GiB, so the length fits an int) into out, which must hold
 * B64_ENCODED_LEN(n) + 1 bytes; out is NUL-terminated.  The pad bits are
 * zero (section 3.5).  Returns out.
 */
char	*b64_encode(const uint8_t *p, size_t n, char *out);

/* True if all n bytes of s are hex digits. */
bool	is_hex_text(const char *s, size_t n);

#endif /* TMON_CORE_ENCODE_H */
