/*
 * test-tui-card-layout.c: the record card's layout read from a form's
 * drawn screen (src/tui/card-layout.c): cells counted by display width
 * with Cyrillic text and tabs around the items, the drawing blanked,
 * the Tab order and Up/Down between entries, on a small drawing and on
 * forms/party.form itself.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/card-layout.h"
#include "tap.h"

static const char *
entry_name(const struct card_layout *l, size_t i)
{
	return (l->items[l->entries[i]].name);
}

static void
test_small(void)
{
	struct card_layout	 l;
	struct buf		 err = BUF_INIT;
	const char		*s =
	    "Карточка: <name >[name      ]\n"
	    "\t[a  ] № [b]\n"
	    "\n"
	    "  <c>[c    ]";
	const struct card_item	*it;

	ok(card_layout_parse(&l, s, strlen(s), &err) == 0, "parse: %s",
	    err.data);
	is_int(l.nlines, 4, "four lines");
	is_int(l.nitems, 6, "six items");
	is_int(l.nentries, 4, "four entries");
	it = &l.items[0];
	ok(it->is_label && strcmp(it->name, "name") == 0, "first the label");
	is_int(it->col, 10, "label after 10 cells of Cyrillic text");
	is_int(it->width, 7, "label width with its brackets");
	it = &l.items[1];
	is_int(it->col, 17, "entry right after the label");
	is_int(it->width, 12, "entry width");
	it = &l.items[l.entries[1]];
	is_str(it->name, "a", "second entry 'a'");
	is_int(it->row, 1, "on row 1");
	is_int(it->col, 8, "after a tab: column 8");
	it = &l.items[l.entries[2]];
	is_int(it->col, 16, "'b' after '№ ': one cell each");
	is_str(l.lines[0], "Карточка:                    ", "items blanked");
	is_str(l.lines[1], "              №    ", "tab expanded");
	is_int(l.width, 29, "widest line in cells");
	is_int(card_layout_find(&l, "c"), 3, "find 'c'");
	is_int(card_layout_find(&l, "zz"), -1, "no 'zz'");
	is_int(card_layout_tab(&l, 3, 1), 0, "Tab wraps to the first");
	is_int(card_layout_tab(&l, 0, -1), 3, "Shift-Tab wraps to the last");
	is_str(entry_name(&l, card_layout_vertical(&l, 0, 1)), "b",
	    "Down from 'name' to 'b', the entry under it");
	is_str(entry_name(&l, card_layout_vertical(&l, 1, 1)), "c",
	    "Down from 'a' skips the empty row to 'c'");
	is_int(card_layout_vertical(&l, 3, 1), 3, "Down at the bottom stays");
	is_int(card_layout_vertical(&l, 0, -1), 0, "Up at the top stays");
	is_str(entry_name(&l, card_layout_vertical(&l, 3, -1)), "a",
	    "Up from 'c' to 'a', the nearer by column");
	card_layout_release(&l);

	ok(card_layout_parse(&l, "[x  ", 4, &err) == -1, "unclosed refused");
	is_str(err.data, "screen line 1: '[' without ']'", "message");
	ok(card_layout_parse(&l, "ok\n<x y>", 8, &err) == -1,
	    "bad item refused");
	is_str(err.data, "screen line 2: bad item '<x y>'", "message");
	buf_release(&err);
}

/* The screen of forms/party.form, between "screen" and "end". */
static char *
party_screen(void)
{
	const char	*dir = getenv("CLERK_FORMS");
	struct buf	 path = BUF_INIT, out = BUF_INIT;
	char		 line[512];
	FILE		*f;
	int		 in = 0;

	if (dir == NULL)
		dir = TOP_SRCDIR "/forms";
	buf_printf(&path, "%s/party.form", dir);
	if ((f = fopen(path.data, "r")) == NULL) {
		buf_release(&path);
		return (NULL);
	}
	while (fgets(line, sizeof line, f) != NULL) {
		if (strcmp(line, "screen\n") == 0)
			in = 1;
		else if (in && strcmp(line, "end\n") == 0)
			break;
		else if (in)
			buf_adds(&out, line);
	}
	fclose(f);
	buf_release(&path);
	return (buf_detach(&out, NULL));
}

static void
test_party(void)
{
	struct card_layout	 l;
	struct buf		 err = BUF_INIT;
	char			*s;
	ssize_t			 i;
	size_t			 j;

	if ((s = party_screen()) == NULL) {
		ok(0, "forms/party.form readable");
		return;
	}
	ok(card_layout_parse(&l, s, strlen(s), &err) == 0, "party: %s",
	    err.data);
	is_int(l.nentries, 21, "party: 21 entries");
	is_str(entry_name(&l, 0), "kind", "first entry 'kind'");
	is_str(entry_name(&l, 1), "status", "Tab goes right along the row");
	is_str(entry_name(&l, 2), "name", "then to the next row");
	ok(l.width <= 80, "fits 80 columns (%d)", l.width);
	i = card_layout_find(&l, "kpp");
	ok(i > 0, "kpp entry");
	is_str(entry_name(&l, card_layout_vertical(&l, (size_t)i, 1)),
	    "ogrn", "Down from kpp to ogrn (the only entry on the row)");
	is_str(entry_name(&l, card_layout_vertical(&l, (size_t)i, -1)),
	    "short_name", "Up from kpp to short_name (overlaps it)");
	i = card_layout_find(&l, "birthday");
	is_str(entry_name(&l, card_layout_vertical(&l, (size_t)i, 1)),
	    "phones", "Down from birthday to phones");
	i = card_layout_find(&l, "source");
	is_str(entry_name(&l, card_layout_vertical(&l, (size_t)i, -1)),
	    "emails", "Up from source to emails, the wide entry above");
	for (j = 0; j < l.nitems; j++)
		if (l.items[j].is_label && strcmp(l.items[j].name, "inn") == 0)
			break;
	ok(j < l.nitems, "inn label");
	is_int(l.items[j].col, 1, "inn label at column 1");
	is_int(l.items[j].width, 18, "inn label 18 cells");
	card_layout_release(&l);
	free(s);
	buf_release(&err);
}

int
main(void)
{
	test_small();
	test_party();
	return (tap_done());
}
