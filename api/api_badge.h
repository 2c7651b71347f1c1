/*
 * api_badge.h: the SVG status badges of GET /badge/{model}.svg and GET
 * /badge.svg (README "API"), in the flat two-part style of README badges
 * (a grey label, a coloured value).  Pure: no I/O.
 *
 * Text widths come from a fixed table of Verdana 11 px advance widths
 * for printable ASCII (other bytes: the width of a digit for a UTF-8
 * lead byte, none for a continuation byte), so the same text always
 * gives the same badge.  Every text is escaped for XML (& < > " ' as
 * entities; control bytes become '?').
 */
#ifndef TMON_API_API_BADGE_H
#define TMON_API_API_BADGE_H

#include <stddef.h>
#include <stdint.h>

/* A badge's label or value, in bytes with the NUL (longer text is cut). */
#define API_BADGE_TEXT	160

/*
 * The SVG document of a badge: label (e.g. the model id) on grey, value
 * (e.g. "pass 3m") on color (a "#rrggbb" constant, not escaped).  Returns
 * a malloc'd, NUL-terminated document the caller frees; its length
 * without the NUL in *len.  Never NULL (running out of memory is fatal).
 */
char		*api_badge_svg(const char *label, const char *value,
		    const char *color, size_t *len);

/* The width of s in tenths of a pixel (the table above). */
unsigned long	 api_badge_text_width(const char *s);

/* The colour of a verdict: pass green, warn yellow, fail red, error
 * orange, anything else (NULL: never probed) grey. */
const char	*api_badge_color(const char *verdict);

/*
 * A duration of s seconds in one short unit, rounded down: "45s", "3m",
 * "5h", "2d" (negative: "0s"), into out (outsz bytes, at least 24).
 */
void		 api_badge_age(int64_t s, char *out, size_t outsz);

#endif /* TMON_API_API_BADGE_H */
