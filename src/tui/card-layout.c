/*
 * card-layout.c: a record card's layout from the form's drawn screen
 * (card-layout.h): items with their cells, the drawing with the items
 * blanked out, and the cursor's walk between entries.  Reads the
 * drawing the way the server's forms loader does (record/forms.c), so
 * what the admin drew is what the operator sees; it must not draw,
 * know curses, or talk to the server.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "card-layout.h"

#define TAB_STOP	8

void
card_layout_init(struct card_layout *l)
{
	memset(l, 0, sizeof *l);
}

void
card_layout_release(struct card_layout *l)
{
	size_t	i;

	for (i = 0; i < l->nlines; i++)
		free(l->lines[i]);
	free(l->lines);
	for (i = 0; i < l->nitems; i++)
		free(l->items[i].name);
	free(l->items);
	free(l->entries);
	memset(l, 0, sizeof *l);
}

void
card_layout_line(struct card_layout *l, const char *s, size_t len)
{
	int	w;

	l->lines = xreallocarray(l->lines, l->nlines + 1, sizeof *l->lines);
	l->lines[l->nlines++] = xstrndup(s, len);
	if ((w = (int)utf8_width(s, len)) > l->width)
		l->width = w;
}

void
card_layout_item(struct card_layout *l, int row, int col, int width,
    int is_label, const char *name)
{
	l->items = xreallocarray(l->items, l->nitems + 1, sizeof *l->items);
	l->items[l->nitems++] = (struct card_item){ .row = row, .col = col,
	    .width = width, .is_label = is_label, .name = xstrdup(name) };
	if (col + width > l->width)
		l->width = col + width;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct card_item	*x = a, *y = b;

	if (x->row != y->row)
		return (x->row < y->row ? -1 : 1);
	if (x->col != y->col)
		return (x->col < y->col ? -1 : 1);
	return (0);
}

void
card_layout_done(struct card_layout *l)
{
	size_t	i;

	/* Reading order is the Tab order: what Perform and every paper
	 * form an operator has filled in do. */
	if (l->nitems > 1)
		qsort(l->items, l->nitems, sizeof *l->items, item_cmp);
	free(l->entries);
	l->entries = xreallocarray(NULL, l->nitems + 1, sizeof *l->entries);
	l->nentries = 0;
	for (i = 0; i < l->nitems; i++)
		if (!l->items[i].is_label)
			l->entries[l->nentries++] = i;
}

/* One drawn line: items out, blanks in. */
static int
parse_line(struct card_layout *l, const char *s, size_t len, struct buf *err)
{
	struct buf	 out = BUF_INIT;
	const char	*end = s + len, *close, *name;
	size_t		 n, k;
	uint32_t	 cp;
	int		 col = 0, width, row = (int)l->nlines;
	char		 want, *nm;

	while (s < end) {
		if (*s == '\t') {
			do {
				buf_addch(&out, ' ');
			} while (++col % TAB_STOP != 0);
			s++;
			continue;
		}
		if (*s != '[' && *s != '<') {
			if ((n = utf8_decode(s, (size_t)(end - s), &cp)) == 0)
				n = 1;
			col += (int)utf8_width(s, n);
			buf_add(&out, s, n);
			s += n;
			continue;
		}
		want = *s == '[' ? ']' : '>';
		if ((close = memchr(s + 1, want, (size_t)(end - s - 1))) ==
		    NULL) {
			buf_release(&out);
			return (buf_error(err, _("screen line %d: '%c' without "
			    "'%c'"), row + 1, *s, want));
		}
		name = s + 1;
		n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");
		for (k = n; name + k < close && name[k] == ' '; k++)
			;
		if (n == 0 || name + k != close) {
			buf_release(&out);
			return (buf_error(err, _("screen line %d: bad item "
			    "'%.*s'"), row + 1, (int)(close - s + 1), s));
		}
		/* Names and blanks are ASCII: bytes are cells. */
		width = (int)(close - s + 1);
		nm = xstrndup(name, n);
		card_layout_item(l, row, col, width, want == '>', nm);
		free(nm);
		for (k = 0; k < (size_t)width; k++)
			buf_addch(&out, ' ');
		col += width;
		s = close + 1;
	}
	card_layout_line(l, out.data, out.len);
	buf_release(&out);
	return (0);
}

int
card_layout_parse(struct card_layout *l, const char *text, size_t len,
    struct buf *err)
{
	const char	*p = text, *end = text + len, *nl;

	card_layout_init(l);
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (parse_line(l, p, (size_t)(nl - p), err) == -1) {
			card_layout_release(l);
			return (-1);
		}
		p = nl + 1;
	}
	card_layout_done(l);
	return (0);
}

ssize_t
card_layout_find(const struct card_layout *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->nentries; i++)
		if (strcmp(l->items[l->entries[i]].name, name) == 0)
			return ((ssize_t)i);
	return (-1);
}

size_t
card_layout_tab(const struct card_layout *l, size_t i, int dir)
{
	if (l->nentries == 0)
		return (0);
	if (dir > 0)
		return ((i + 1) % l->nentries);
	return (i == 0 ? l->nentries - 1 : i - 1);
}

size_t
card_layout_vertical(const struct card_layout *l, size_t i, int dir)
{
	const struct card_item	*from, *it;
	size_t			 j, best = i;
	int			 row = -1, lo, hi, overlap, dist;
	int			 best_overlap = -1, best_dist = 0;

	if (i >= l->nentries)
		return (i);
	from = &l->items[l->entries[i]];
	/* The nearest row in that direction that has an entry. */
	for (j = 0; j < l->nentries; j++) {
		it = &l->items[l->entries[j]];
		if ((dir > 0 && it->row > from->row &&
		    (row == -1 || it->row < row)) ||
		    (dir < 0 && it->row < from->row &&
		    (row == -1 || it->row > row)))
			row = it->row;
	}
	if (row == -1)
		return (i);
	for (j = 0; j < l->nentries; j++) {
		it = &l->items[l->entries[j]];
		if (it->row != row)
			continue;
		lo = it->col > from->col ? it->col : from->col;
		hi = it->col + it->width < from->col + from->width ?
		    it->col + it->width : from->col + from->width;
		overlap = hi > lo ? hi - lo : 0;
		dist = abs(it->col - from->col);
		if (overlap > best_overlap ||
		    (overlap == best_overlap && dist < best_dist)) {
			best = j;
			best_overlap = overlap;
			best_dist = dist;
		}
	}
	return (best);
}
