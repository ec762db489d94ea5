/*
 * test-tui-edit.c: the line editor of the record card (src/tui/edit.c):
 * Cyrillic typed and deleted by character, combining marks kept with
 * their letter, the length limit in characters, words, kills, and the
 * horizontal view by display width.  No terminal needed.
 */
#include "config.h"

#include <string.h>

#include "tui/edit.h"
#include "tap.h"

/* Type a UTF-8 string key by key, as get_wch would deliver it. */
static void
type(struct edit *e, const char *s)
{
	size_t		i = 0, n, len = strlen(s);
	uint32_t	cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		edit_insert(e, cp);
		i += n;
	}
}

/* The text shown in a box of w cells, with '|' at the cursor. */
static const char *
shown(struct edit *e, size_t w)
{
	static struct buf	 b = BUF_INIT;
	size_t			 start, len, col, i, cells = 0, n;
	uint32_t		 cp;

	edit_view(e, w, &start, &len, &col);
	buf_reset(&b);
	for (i = start; i < start + len; i += n) {
		if (cells == col)
			buf_addch(&b, '|');
		n = utf8_decode(e->text.data + i, start + len - i, &cp);
		buf_add(&b, e->text.data + i, n);
		cells += utf8_cpwidth(cp) > 0 ? utf8_cpwidth(cp) : 0;
	}
	if (cells == col)
		buf_addch(&b, '|');
	if (utf8_width(b.data, b.len) > w + 1)
		buf_adds(&b, " (too wide)");
	return (b.data);
}

static void
test_cyrillic(void)
{
	struct edit	e;

	edit_init(&e, 0);
	type(&e, "Ромашка");
	is_str(edit_text(&e), "Ромашка", "Cyrillic typed key by key");
	is_int(e.cur, strlen("Ромашка"), "cursor after the last letter");
	ok(e.changed, "typing marks the field changed");
	is_int(edit_backspace(&e), 0, "backspace");
	is_str(edit_text(&e), "Ромашк", "backspace takes one letter, "
	    "two bytes");
	edit_home(&e);
	is_int(edit_delete(&e), 0, "delete at home");
	is_str(edit_text(&e), "омашк", "delete takes the first letter");
	edit_right(&e);
	edit_right(&e);
	edit_insert(&e, 0x0451);	/* ё */
	is_str(edit_text(&e), "омёашк", "insert in the middle");
	is_int(edit_left(&e), 0, "left");
	is_int(e.cur, strlen("ом"), "left moves one letter");
	edit_home(&e);
	is_int(edit_left(&e), EDIT_NOOP, "left at home does nothing");
	is_int(edit_backspace(&e), EDIT_NOOP, "backspace at home does "
	    "nothing");
	edit_end(&e);
	is_int(edit_right(&e), EDIT_NOOP, "right at the end does nothing");
	is_int(edit_delete(&e), EDIT_NOOP, "delete at the end does nothing");
	is_int(edit_insert(&e, 0x07), EDIT_BAD, "a control is refused");
	is_int(edit_insert(&e, 0x1B), EDIT_BAD, "escape is refused");
	is_str(edit_text(&e), "омёашк", "refused keys leave the text");
	edit_release(&e);
}

static void
test_combining(void)
{
	struct edit	e;

	/* "е" + U+0308 COMBINING DIAERESIS: one character on screen. */
	edit_init(&e, 0);
	edit_set(&e, "Але\xcc\x88на", strlen("Але\xcc\x88на"));
	ok(!e.changed, "edit_set does not mark changed");
	edit_left(&e);
	edit_left(&e);
	is_int(e.cur, strlen("Але\xcc\x88"), "left steps over 'на'");
	edit_left(&e);
	is_int(e.cur, strlen("Ал"), "left steps over е and its mark at once");
	edit_delete(&e);
	is_str(edit_text(&e), "Ална", "delete takes the letter with its mark");
	edit_set(&e, "е\xcc\x88", strlen("е\xcc\x88"));
	edit_backspace(&e);
	is_str(edit_text(&e), "", "backspace takes the letter with its mark");
	edit_release(&e);
}

static void
test_limit(void)
{
	struct edit	e;

	edit_init(&e, 5);
	type(&e, "Иванов");
	is_str(edit_text(&e), "Ивано", "limit of 5 characters, not bytes");
	is_int(edit_insert(&e, 'x'), EDIT_FULL, "a sixth is refused");
	edit_home(&e);
	is_int(edit_insert_text(&e, "ab", 2), EDIT_FULL, "paste refused "
	    "when full");
	edit_backspace(&e);
	edit_end(&e);
	edit_backspace(&e);
	is_int(edit_insert_text(&e, "вАБВ", strlen("вАБВ")), EDIT_FULL,
	    "paste beyond the limit");
	is_str(edit_text(&e), "Иванв", "paste took what fitted");
	edit_set(&e, "0123456789", 10);
	is_str(edit_text(&e), "01234", "edit_set cuts at the limit");
	edit_release(&e);

	edit_init(&e, 0);
	edit_insert_text(&e, "a\tb\nc\x01" "d\xff", 8);
	is_str(edit_text(&e), "a b cd\xef\xbf\xbd", "paste: tab and newline "
	    "blank, controls dropped, bad bytes U+FFFD");
	edit_release(&e);
}

static void
test_words(void)
{
	struct edit	e;
	const char	*s = "ООО «Ромашка-Плюс», Москва";

	edit_init(&e, 0);
	edit_set(&e, s, strlen(s));
	edit_word_left(&e);
	is_int(e.cur, strlen("ООО «Ромашка-Плюс», "), "word left to "
	    "'Москва'");
	edit_word_left(&e);
	is_int(e.cur, strlen("ООО «Ромашка-"), "word left over '», ' to "
	    "'Плюс'");
	edit_word_left(&e);
	is_int(e.cur, strlen("ООО «"), "then to 'Ромашка' past the quote");
	edit_word_right(&e);
	is_int(e.cur, strlen("ООО «Ромашка-"), "word right to 'Плюс'");
	edit_kill_end(&e);
	is_str(edit_text(&e), "ООО «Ромашка-", "kill to the end");
	edit_kill_word(&e);
	is_str(edit_text(&e), "ООО «", "Ctrl-W kills the word before");
	edit_kill_word(&e);
	is_str(edit_text(&e), "", "and the next, with the punctuation");
	edit_set(&e, s, strlen(s));
	edit_word_left(&e);
	edit_kill_home(&e);
	is_str(edit_text(&e), "Москва", "Ctrl-U kills to the start");
	is_int(e.cur, 0, "cursor at the start after Ctrl-U");
	edit_release(&e);
}

static void
test_view(void)
{
	struct edit	e;

	edit_init(&e, 0);
	type(&e, "Иванов Иван");
	is_str(shown(&e, 20), "Иванов Иван|", "fits: whole, cursor at the end");
	is_str(shown(&e, 8), "ов Иван|", "narrow: scrolled so the cursor "
	    "shows");
	edit_home(&e);
	is_str(shown(&e, 8), "|Иванов И", "home scrolls back");
	edit_end(&e);
	shown(&e, 8);
	edit_backspace(&e);
	edit_backspace(&e);
	edit_backspace(&e);
	edit_backspace(&e);
	is_str(shown(&e, 8), "Иванов |", "after deleting, text comes back "
	    "from the left");

	/* Wide (CJK) characters take two cells; one never straddles. */
	edit_set(&e, "漢字漢字漢字", strlen("漢字漢字漢字"));
	is_str(shown(&e, 7), "字漢字|", "wide: cursor cell after 6 cells");
	edit_home(&e);
	is_str(shown(&e, 7), "|漢字漢", "wide: three fit in 7, not 3.5");
	edit_right(&e);
	edit_right(&e);
	edit_right(&e);
	is_str(shown(&e, 7), "字漢|字", "cursor on the 4th wide char: "
	    "it must fit too");
	edit_right(&e);
	is_str(shown(&e, 7), "漢字|漢", "scrolled by whole characters");
	edit_release(&e);
}

int
main(void)
{
	test_cyrillic();
	test_combining();
	test_limit();
	test_words();
	test_view();
	return (tap_done());
}
