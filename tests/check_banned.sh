#!/bin/sh
# Reject calls of the banned C functions (strcat, strcpy, sprintf, vsprintf,
# gets, strtok: unbounded writes or hidden state; use buf_*, snprintf,
# memcpy with a checked length, a cursor) in the project's C sources.
# Comments, string and character literals are blanked first, so only code
# counts; a call is the name as a whole word followed by "(".
# Usage: check_banned.sh [SOURCE_DIR] [FILE...]; with no FILE, every .c
# and .h under the source folders.  Exit status: 0 clean, 1 a call found.
top=${1:-.}
cd "$top" || exit 2
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
	set -- $(find monitor store api contrib bench tests \
	    -name '*.[ch]' -type f | LC_ALL=C sort)
fi
awk '
FNR == 1 { incomment = 0 }
{
	# Blank comments and literals, keeping the rest of the line.
	line = $0; out = ""; i = 1; n = length(line)
	while (i <= n) {
		c = substr(line, i, 1); c2 = substr(line, i, 2)
		if (incomment) {
			if (c2 == "*/") { incomment = 0; i += 2; out = out " " }
			else i++
			continue
		}
		if (c2 == "/*") { incomment = 1; i += 2; continue }
		if (c2 == "//") break
		if (c == "\"" || c == "\047") {
			q = c; i++
			while (i <= n && substr(line, i, 1) != q)
				i += (substr(line, i, 1) == "\\") ? 2 : 1
			i++; out = out q q
			continue
		}
		out = out c; i++
	}
	if (out ~ /(^|[^A-Za-z0-9_])(strcat|strcpy|sprintf|vsprintf|gets|strtok)[ \t]*\(/) {
		print FILENAME ":" FNR ": banned function: " $0
		bad = 1
	}
}
END { exit bad }
' "$@"
