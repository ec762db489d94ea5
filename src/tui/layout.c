/*
 * layout.c: the recalc side of the list screen: how wide each column
 * is on a terminal of a given width, and text wrapped to a width (help,
 * messages, a card's history).  No curses, so the unit tests check it
 * without a terminal.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

size_t
tui_fit_columns(const int *want, const int *min, size_t n, size_t first,
    int width, int gap, int *out)
{
	size_t	i, shown = 0, widest;
	int	used = 0, over;

	for (i = 0; i < n; i++)
		out[i] = i < first ? 0 : want[i];
	for (i = first; i < n; i++)
		used += out[i] + (i > first ? gap : 0);
	/* Cut the widest column by one cell at a time, down to its least. */
	while (used > width) {
		widest = n;
		for (i = first; i < n; i++)
			if (out[i] > min[i] && (widest == n ||
			    out[i] > out[widest]))
				widest = i;
		if (widest == n)
			break;
		out[widest]--;
		used--;
	}
	/* Still too wide: the columns on the right go. */
	for (i = n; used > width && i > first + 1; i--) {
		used -= out[i - 1] + gap;
		out[i - 1] = 0;
	}
	/* A single column left takes what there is. */
	if (used > width && first < n)
		out[first] = width;
	/* Room left over goes to the columns that were cut. */
	over = width - used;
	for (i = first; over > 0 && i < n; i++) {
		if (out[i] == 0 || out[i] >= want[i])
			continue;
		used = want[i] - out[i] < over ? want[i] - out[i] : over;
		out[i] += used;
		over -= used;
	}
	for (i = first; i < n; i++)
		if (out[i] > 0)
			shown++;
	return (shown);
}

void
tui_wrap(const char *line, int width, char ***rows, size_t *n)
{
	tui_wrap_to(line, width, 1, rows, n);
}

void
tui_wrap_to(const char *line, int width, int indented, char ***rows,
    size_t *n)
{
	struct buf	 row = BUF_INIT;
	const char	*p = line, *sp;
	size_t		 len = strlen(line), indent, i, k;
	uint32_t	 cp;

	indent = indented ? strspn(line, " ") + 2 : 0;
	if (width < 1)
		width = 1;
	if ((int)indent * 2 > width)
		indent = 0;
	do {
		if (p != line)
			for (i = 0; i < indent; i++)
				buf_addch(&row, ' ');
		k = utf8_fit(p, len, (size_t)width - row.len);
		if (k < len) {
			/* Back to the last blank, if there is one. */
			for (sp = p + k; sp > p && *sp != ' '; sp--)
				;
			if (sp > p)
				k = (size_t)(sp - p);
			else if (k == 0 && (k = utf8_decode(p, len,
			    &cp)) == 0)
				k = 1;
		}
		buf_add(&row, p, k);
		*rows = xreallocarray(*rows, *n + 1, sizeof **rows);
		(*rows)[(*n)++] = xstrdup(row.len > 0 ? row.data : "");
		buf_reset(&row);
		p += k;
		len -= k;
		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
	} while (len > 0);
	buf_release(&row);
}
