/*
 * jcs.h: the JSON Canonicalization Scheme, RFC 8785: the one byte string
 * a JSON value has, for hashing and signing (ACI receipts, keysets and
 * statements are signed and digested over it).
 *
 *   - objects: members sorted by their names compared as arrays of UTF-16
 *     code units (RFC 8785 section 3.2.3), no whitespace anywhere;
 *   - strings: UTF-8, escaped as ECMAScript's JSON.stringify does
 *     (section 3.2.2.2): \" \\ \b \f \n \r \t, other controls below 0x20
 *     as \u00xx with lower-case hex, everything else as is;
 *   - numbers: the ECMAScript Number-to-String of the IEEE 754 double
 *     (section 3.2.2.3): the shortest digits that read back as the same
 *     double, in plain notation for exponents -6 < n <= 21, else
 *     d[.ddd]e(+|-)n; -0 is "0";
 *   - literals true, false, null as themselves; arrays keep their order.
 *
 * Input is read with tjson_load() (duplicate names are refused, as
 * section 3.1 requires of I-JSON).  A number written without a fraction
 * or exponent is a jansson integer: it is written exactly when its
 * magnitude is at most 2^53 (every such integer is a double), else as the
 * double nearest to it; an integer literal beyond 64 bits is refused by
 * the parser.
 */
#ifndef TMON_CORE_JCS_H
#define TMON_CORE_JCS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"

/*
 * Append the canonical form of v to out (its max applies).  Errors:
 * TMON_E_LIMIT: out would exceed its max, or v nests deeper than
 * MAX_JSON_DEPTH; TMON_E_PARSE: a number that is not finite, a string or
 * member name that is not UTF-8 (neither comes out of the parser).  On
 * error out is left empty (buf_append's rule) and err says why.
 */
enum tmon_rc	jcs_append(struct buf *out, json_t *v,
		    struct tmon_err *err);

/*
 * Parse len bytes of JSON text (any value at the top, at most max bytes)
 * and write its canonical form to *out, a new allocation of *outlen bytes
 * (NUL-terminated, not counted) the caller frees.  The canonical form
 * may be longer than the text (5e20 is 500000000000000000000): it is
 * capped at 8 * max + 64 bytes.  Errors: tjson_load()'s (TMON_E_PARSE,
 * TMON_E_LIMIT) and jcs_append()'s; *out is NULL on error.
 */
enum tmon_rc	jcs_canonicalize(const void *text, size_t len, size_t max,
		    uint8_t **out, size_t *outlen, struct tmon_err *err);

/*
 * "sha256:" and the lower-case hex SHA-256 of the canonical form of v,
 * into out (72 bytes with the NUL): the digest form of ACI (aci-spec.md
 * section 3, github.com/Dstack-TEE/private-ai-gateway).  Errors as
 * jcs_append(), the canonical form capped at max bytes.
 */
enum tmon_rc	jcs_digest(json_t *v, size_t max, char out[72],
		    struct tmon_err *err);

#endif /* TMON_CORE_JCS_H */
