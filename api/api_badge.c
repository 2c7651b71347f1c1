/*
 * api_badge.c: SVG status badges (api_badge.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api_badge.h"
#include "buf.h"
#include "log.h"

/* Badges are well under this. */
#define BADGE_MAX	(16u * 1024)
/* Horizontal padding of each part, in pixels. */
#define BADGE_PAD	6

/* Verdana 11 px advance widths of 0x20..0x7e, tenths of a pixel. */
static const unsigned short widths[95] = {
	39, 43, 51, 90, 70, 123, 80, 30, 50, 50,	/*  !"#$%&'() */
	70, 90, 40, 50, 40, 50, 70, 70, 70, 70,		/* *+,-./0123 */
	70, 70, 70, 70, 70, 70, 50, 50, 90, 90,		/* 456789:;<= */
	90, 60, 110, 75, 75, 77, 85, 70, 63, 85,	/* >?@ABCDEFG */
	83, 46, 50, 76, 61, 93, 82, 87, 66, 87,		/* HIJKLMNOPQ */
	77, 75, 68, 81, 75, 109, 75, 68, 75, 50,	/* RSTUVWXYZ[ */
	50, 50, 90, 70, 70, 66, 69, 57, 69, 66,		/* \]^_`abcde */
	39, 69, 70, 30, 38, 65, 30, 108, 70, 67,	/* fghijklmno */
	69, 69, 47, 57, 43, 70, 65, 90, 65, 65,		/* pqrstuvwxy */
	58, 70, 50, 70, 90				/* z{|}~ */
};

unsigned long
api_badge_text_width(const char *s)
{
	unsigned long w = 0;
	unsigned char ch;

	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (ch >= 0x20 && ch <= 0x7e)
			w += widths[ch - 0x20];
		else if (ch >= 0xc0)
			w += 70;
		else if (ch < 0x80)
			w += widths['?' - 0x20];
	}
	return w;
}

const char *
api_badge_color(const char *verdict)
{
	if (verdict == NULL)
		return "#9f9f9f";
	if (strcmp(verdict, "pass") == 0)
		return "#44cc11";
	if (strcmp(verdict, "warn") == 0)
		return "#dfb317";
	if (strcmp(verdict, "fail") == 0)
		return "#e05d44";
	if (strcmp(verdict, "error") == 0)
		return "#fe7d37";
	return "#9f9f9f";
}

void
api_badge_age(int64_t s, char *out, size_t outsz)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, outsz, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, outsz, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(out, outsz, "%lldh", (long long)(s / 3600));
	else
		snprintf(out, outsz, "%lldd", (long long)(s / 86400));
}

/* Copy at most API_BADGE_TEXT - 1 bytes of s with control bytes as '?'. */
static void
clean(const char *s, char out[API_BADGE_TEXT])
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < API_BADGE_TEXT; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' :
		    s[i];
	out[i] = '\0';
}

/* Append s escaped for XML text and attribute values. */
static bool
put_esc(struct buf *b, const char *s)
{
	bool ok = true;

	for (; ok && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			ok = buf_append_str(b, "&amp;");
			break;
		case '<':
			ok = buf_append_str(b, "&lt;");
			break;
		case '>':
			ok = buf_append_str(b, "&gt;");
			break;
		case '"':
			ok = buf_append_str(b, "&quot;");
			break;
		case '\'':
			ok = buf_append_str(b, "&#39;");
			break;
		default:
			ok = buf_append(b, s, 1);
			break;
		}
	}
	return ok;
}

char *
api_badge_svg(const char *label, const char *value, const char *color,
    size_t *len)
{
	char l[API_BADGE_TEXT], v[API_BADGE_TEXT];
	unsigned long lw, vw, w;
	struct buf b;
	bool ok;

	clean(label, l);
	clean(value, v);
	/* part widths in pixels, rounded up, with padding on both sides */
	lw = (api_badge_text_width(l) + 9) / 10 + 2 * BADGE_PAD;
	vw = (api_badge_text_width(v) + 9) / 10 + 2 * BADGE_PAD;
	w = lw + vw;
	buf_init(&b, BADGE_MAX);
	ok = buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%lu\" height=\"20\" role=\"img\" aria-label=\"", w) &&
	    put_esc(&b, l) && buf_append_str(&b, ": ") && put_esc(&b, v) &&
	    buf_append_str(&b, "\"><title>") && put_esc(&b, l) &&
	    buf_append_str(&b, ": ") && put_esc(&b, v) &&
	    buf_printf(&b, "</title><linearGradient id=\"s\" x2=\"0\" "
	    "y2=\"100%%\"><stop offset=\"0\" stop-color=\"#bbb\" "
	    "stop-opacity=\".1\"/><stop offset=\"1\" stop-opacity=\".1\"/>"
	    "</linearGradient><clipPath id=\"r\"><rect width=\"%lu\" "
	    "height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath>"
	    "<g clip-path=\"url(#r)\"><rect width=\"%lu\" height=\"20\" "
	    "fill=\"#555\"/><rect x=\"%lu\" width=\"%lu\" height=\"20\" "
	    "fill=\"%s\"/><rect width=\"%lu\" height=\"20\" "
	    "fill=\"url(#s)\"/></g><g fill=\"#fff\" text-anchor=\"middle\" "
	    "font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" "
	    "font-size=\"11\"><text x=\"%lu\" y=\"14\">", w, lw, lw, vw,
	    color, w, lw / 2) &&
	    put_esc(&b, l) &&
	    buf_printf(&b, "</text><text x=\"%lu\" y=\"14\">", lw + vw / 2) &&
	    put_esc(&b, v) && buf_append_str(&b, "</text></g></svg>\n");
	if (!ok)
		fatalx("api: badge over %u bytes", BADGE_MAX);
	return (char *)buf_release(&b, len);
}
