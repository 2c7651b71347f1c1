/*
 * tjson.h: the one way tmon reads JSON text (RFC 8259), with jansson
 * underneath.
 *
 * Loading always bounds the size, bounds the nesting at MAX_JSON_DEPTH
 * (before jansson sees the text), rejects a repeated object key
 * (JSON_REJECT_DUPLICATES) and "\u0000" in a string, and names the line
 * and column of a syntax error.  The typed getters check every member
 * they hand out and name its JSON path in their errors
 * ("models[0].policy.mrtd[2]: must be 96 hex characters").  One scanner
 * over the raw text gives both the exact bytes of a value (what a
 * signature over served JSON covers) and the line and column where a
 * path is written (for a configuration file's error messages).
 *
 * A JSON path names a value from the top: "" is the top value, ".key"
 * steps into an object member (written without the dot at the top:
 * "models"), "[i]" into an array element ("models[0].policy").
 */
#ifndef TMON_CORE_TJSON_H
#define TMON_CORE_TJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "tmon_limits.h"

/*
 * What a document's errors look like: every error of tjson_load(), the
 * getters and tjson_fail() goes to err as "NAME: PATH: what" (no NAME
 * when name is NULL; "(top)" for the path ""), or, with lines set, as
 * "NAME:LINE:COLUMN: PATH: what", the position being where PATH (or, if
 * the text does not spell it out, its closest enclosing member or
 * element) is written.  code 0 (TMON_OK) reports TMON_E_PARSE for
 * malformed input and TMON_E_LIMIT for input over a bound (the rc each
 * function names); any other code reports that code for every error
 * (TMON_E_CONFIG for a configuration file).  text and len are set by
 * tjson_load(): the text is borrowed, so a document with lines set is
 * used only while its text lives.  where is set by every error to the
 * path of the value it is about ("" for the document as a whole; the
 * absent member's own path for a missing one), for callers that report
 * the failing member apart from the message.
 */
struct tjson_doc {
	const char	*name;		/* "TCB Info body", a file name */
	struct tmon_err	*err;		/* may be NULL */
	enum tmon_rc	 code;
	bool		 lines;
	const char	*text;
	size_t		 len;
	char		 where[MAX_JSON_PATH];
};

/* tjson_load() flags. */
#define TJSON_OBJECT	0x01	/* the top value must be an object */
#define TJSON_ANY	0x02	/* any value at the top, not only an
				   object or array (JSON_DECODE_ANY) */

/* Getter flags. */
#define TJSON_OPTIONAL	0x10	/* an absent member is no error: TMON_OK,
				   the output left as the caller set it */
#define TJSON_NULL	0x20	/* a JSON null reads as absent */
#define TJSON_0X	0x40	/* tjson_hex: a "0x" or "0X" prefix is
				   allowed */
#define TJSON_DECIMAL	0x80	/* tjson_uint: a string of decimal digits
				   reads as the integer it spells */

/*
 * Make jansson allocate with xmalloc() (running out of memory aborts,
 * as everywhere else in tmon) and seed its hash function.  Called once
 * by every program's main() before any JSON is built or read, while the
 * program has one thread.
 */
void	tjson_init(void);

/*
 * Building JSON: j itself, or a fatal error when it is NULL (jansson
 * returns NULL when it cannot allocate, or for a string that is not
 * UTF-8: callers pass only text they made or checked).
 */
json_t	*tjson_chk(json_t *j);

/* obj[key] = v (tjson_chk'd), stealing v; fatal when it cannot be set. */
void	 tjson_set(json_t *obj, const char *key, json_t *v);

/*
 * Parse len bytes of JSON text into *out (a new reference the caller
 * decrefs; NULL on failure), with d's name and error style.  flags:
 * TJSON_OBJECT, TJSON_ANY; neither: an object or an array.  d->text and
 * d->len are set to text and len.
 * Errors: TMON_E_LIMIT: more than max bytes ("N bytes of JSON text, over
 * the limit of MAX") or nested deeper than MAX_JSON_DEPTH ("JSON nested
 * deeper than 64"); TMON_E_PARSE: not JSON, a repeated key, "\u0000", an
 * integer beyond 64 bits ("not valid JSON: jansson's text at line L
 * column C", err->offset the byte offset; with d->lines,
 * "NAME:L:C: PATH: jansson's text", PATH being the innermost object or
 * array the error is in), or not an object under TJSON_OBJECT ("not a
 * JSON object").  Untrusted bytes in jansson's text are escaped
 * (log_esc()).
 */
enum tmon_rc	tjson_load(struct tjson_doc *d, const void *text, size_t len,
		    size_t max, unsigned flags, json_t **out);

/*
 * tjson_load() of the regular file path (read_file(): a FIFO or device
 * is refused), at most max bytes.  The text is freed before returning,
 * so d->text is left NULL and positions are not available afterwards.
 * Errors: as read_file() (TMON_E_IO, TMON_E_LIMIT; with read_file()'s
 * message, not d's style, and its code even when d->code is set) and
 * tjson_load().
 */
enum tmon_rc	tjson_load_file(struct tjson_doc *d, const char *path,
		    size_t max, unsigned flags, json_t **out);

/*
 * Record an error about the value at path (NULL: the document as a
 * whole) in d's style; fmt is a printf format.  Returns the code
 * reported (rc, or d->code when that is set), so callers can write
 * "return tjson_fail(...)".
 */
enum tmon_rc	tjson_fail(struct tjson_doc *d, enum tmon_rc rc,
		    const char *path, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * Paths: "path.key" ("key" when path is "") or "path[i]" into buf
 * (bufsz bytes, MAX_JSON_PATH is enough for every path tmon names; a
 * longer one is cut).  Return buf.
 */
char	*tjson_path(char *buf, size_t bufsz, const char *path,
	    const char *key);
char	*tjson_path_index(char *buf, size_t bufsz, const char *path,
	    size_t i);

/*
 * Typed getters.  Each reads the member key of obj, obj being the value
 * at path (an object; anything else reads as having no members), or,
 * with key NULL, obj itself as the value at path.  An absent member is
 * an error ("PATH: missing required key \"key\"", TMON_E_PARSE) unless
 * flags has TJSON_OPTIONAL: then TMON_OK and the output is left as the
 * caller set it (its default).  TJSON_NULL: a JSON null reads as
 * absent.  On any error the outputs are unchanged.  Messages name the
 * member's path ("path.key").
 */

/*
 * A string of at most max bytes without NUL: *out borrows it from obj,
 * *len (may be NULL) is its length.  Errors: TMON_E_PARSE ("must be a
 * string", "must not contain NUL"), TMON_E_LIMIT ("must be at most MAX
 * bytes").
 */
enum tmon_rc	tjson_str(struct tjson_doc *d, const json_t *obj,
		    const char *path, const char *key, size_t max,
		    unsigned flags, const char **out, size_t *len);

/*
 * An integer in [min, max] (max at most INT64_MAX: jansson's range), or
 * with TJSON_DECIMAL also a string of decimal digits (no sign, no
 * spaces: parse_u64()) in [min, max] (max up to UINT64_MAX).  Errors:
 * TMON_E_PARSE ("must be an integer", with TJSON_DECIMAL "must be an
 * integer or a decimal string", "must be between MIN and MAX").
 */
enum tmon_rc	tjson_uint(struct tjson_doc *d, const json_t *obj,
		    const char *path, const char *key, uint64_t min,
		    uint64_t max, unsigned flags, uint64_t *out);

/* true or false.  Errors: TMON_E_PARSE ("must be true or false"). */
enum tmon_rc	tjson_bool(struct tjson_doc *d, const json_t *obj,
		    const char *path, const char *key, unsigned flags,
		    bool *out);

/*
 * A string of exactly 2 * n hex digits (either case; a "0x" prefix
 * with TJSON_0X) decoded into out[n].  Errors: TMON_E_PARSE ("must be
 * 2N hex characters").
 */
enum tmon_rc	tjson_hex(struct tjson_doc *d, const json_t *obj,
		    const char *path, const char *key, unsigned flags,
		    uint8_t *out, size_t n);

/*
 * A string of standard padded base64 (RFC 4648 section 4) of 1 to max
 * decoded bytes, decoded into a new buffer *out of *outlen bytes the
 * caller frees.  *out is NULL and *outlen 0 first, and stay so for an
 * absent optional member.  Errors: TMON_E_LIMIT (a string longer than
 * the base64 of max bytes), TMON_E_PARSE ("must be base64 of 1 to MAX
 * bytes").
 */
enum tmon_rc	tjson_b64(struct tjson_doc *d, const json_t *obj,
		    const char *path, const char *key, size_t max,
		    unsigned flags, uint8_t **out, size_t *outlen);

/* An object, borrowed into *out.  Errors: TMON_E_PARSE ("must be an
 * object"). */
enum tmon_rc	tjson_object(struct tjson_doc *d, const json_t *obj,
		    const char *path, const char *key, unsigned flags,
		    json_t **out);

/*
 * An array of min..max elements, borrowed into *out.  Errors:
 * TMON_E_PARSE ("must be an array", "must not be empty" when min is 1,
 * "must have at least MIN elements"), TMON_E_LIMIT ("N elements, over
 * the limit of MAX").
 */
enum tmon_rc	tjson_array(struct tjson_doc *d, const json_t *obj,
		    const char *path, const char *key, size_t min, size_t max,
		    unsigned flags, json_t **out);

/*
 * Every member of the object obj (at path) is one of keys (a NULL
 * terminated list).  Errors: TMON_E_PARSE ("PATH.KEY: unknown key").
 */
enum tmon_rc	tjson_keys(struct tjson_doc *d, const json_t *obj,
		    const char *path, const char *const *keys);

/*
 * Where a value is written in JSON text, as byte offsets: at is where it
 * is named (the opening quote of its member's key; for an array element
 * or the top value, its first byte); [start, end) are its own bytes.
 */
struct tjson_span {
	size_t	at;
	size_t	start;
	size_t	end;
};

/*
 * The scanner: find the value at path in the len bytes of JSON text.
 * True only if the text is one JSON value with nothing but whitespace
 * around it, nested at most MAX_JSON_DEPTH deep, and path names exactly
 * one value in it; a member whose key is written with an escape
 * ("\u0041") never matches.  The scan checks structure (objects, arrays,
 * strings) only, not the spelling of numbers and literals: use it on
 * text tjson_load() accepted when that matters.
 */
bool	tjson_locate(const void *text, size_t len, const char *path,
	    struct tjson_span *out);

/*
 * The path of the innermost object or array open where the scanner
 * stops in the len bytes of text: at the first byte that breaks the
 * structure, or at the end (text cut where a parser failed).  "" when
 * none is open.  Written into buf (bufsz bytes; cut if longer).
 */
void	tjson_enclosing(const void *text, size_t len, char *buf,
	    size_t bufsz);

/* The 1-based line and column (in bytes) of byte offset off of text. */
void	tjson_line_col(const void *text, size_t off, int *line, int *col);

#endif /* TMON_CORE_TJSON_H */
