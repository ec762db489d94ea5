/*
 * edit.c: the line editor model of a card's fields (edit.h).  Owns the
 * text, the cursor and the horizontal scroll of one field; it must not
 * know curses, keys or the server, so the card can be tested without a
 * terminal.  The text is kept valid UTF-8 with no controls at all times,
 * which is what lets the cursor arithmetic below step over bytes
 * without checking.
 */
#include "config.h"

#include <string.h>

#include "edit.h"

/* The start of the code point before byte p (p > 0). */
static size_t
cp_prev(const char *s, size_t p)
{
	p--;
	while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
		p--;
	return (p);
}

static size_t
cp_at(const char *s, size_t len, size_t p, uint32_t *cp)
{
	size_t	n;

	n = utf8_decode(s + p, len - p, cp);
	return (n == 0 ? 1 : n);
}

/*
 * A character is a code point and the zero-width marks after it: the
 * cursor never stops between "е" and a combining diaeresis, and
 * Backspace takes the whole "ё" an operator sees.
 */
static size_t
char_next(const struct buf *t, size_t p)
{
	uint32_t	cp;

	if (p >= t->len)
		return (t->len);
	p += cp_at(t->data, t->len, p, &cp);
	while (p < t->len) {
		size_t n = cp_at(t->data, t->len, p, &cp);

		if (utf8_cpwidth(cp) != 0)
			break;
		p += n;
	}
	return (p);
}

static size_t
char_prev(const struct buf *t, size_t p)
{
	uint32_t	cp;

	while (p > 0) {
		p = cp_prev(t->data, p);
		cp_at(t->data, t->len, p, &cp);
		if (utf8_cpwidth(cp) != 0)
			break;
	}
	return (p);
}

/* Letters and digits of any script; marks join the word they are on. */
static int
is_word(uint32_t cp)
{
	if (cp < 0x80)
		return ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z') || cp == '_');
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
		return (0);		/* Latin-1 punctuation, × and ÷ */
	if (cp >= 0x2000 && cp <= 0x2BFF)
		return (0);		/* dashes, quotes, №, arrows, symbols */
	if (cp >= 0x3000 && cp <= 0x303F)
		return (0);		/* CJK punctuation */
	return (utf8_cpwidth(cp) >= 0);
}

static int
word_at(const struct buf *t, size_t p)
{
	uint32_t	cp;

	cp_at(t->data, t->len, p, &cp);
	return (is_word(cp));
}

void
edit_init(struct edit *e, size_t maxchars)
{
	memset(e, 0, sizeof *e);
	buf_init(&e->text);
	e->maxchars = maxchars;
}

void
edit_release(struct edit *e)
{
	buf_release(&e->text);
	e->cur = e->scroll = 0;
}

const char *
edit_text(const struct edit *e)
{
	return (e->text.data);
}

size_t
edit_chars(const struct edit *e)
{
	return (utf8_length(e->text.data, e->text.len));
}

/*
 * Insert s (len bytes) at the cursor as far as the limit lets: invalid
 * bytes become U+FFFD, tabs and newlines blanks, other controls go.
 * Returns 0 when all went in, EDIT_FULL when some did not, EDIT_BAD
 * when only controls were given.
 */
static int
insert_clean(struct edit *e, const char *s, size_t len)
{
	struct buf	 add = BUF_INIT;
	size_t		 i = 0, n, have = edit_chars(e), took = 0, bad = 0;
	uint32_t	 cp;
	int		 full = 0;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		i += n == 0 ? 1 : n;
		if (cp == '\t' || cp == '\n' || cp == '\r')
			cp = ' ';
		if (utf8_cpwidth(cp) < 0) {
			bad++;
			continue;
		}
		if (e->maxchars != 0 && have + took >= e->maxchars) {
			full = 1;
			break;
		}
		utf8_encode(&add, cp);
		took++;
	}
	if (add.len > 0) {
		buf_grow(&e->text, add.len);
		memmove(e->text.data + e->cur + add.len, e->text.data + e->cur,
		    e->text.len - e->cur + 1);
		memcpy(e->text.data + e->cur, add.data, add.len);
		e->text.len += add.len;
		e->cur += add.len;
		e->changed = 1;
	}
	buf_release(&add);
	if (full)
		return (EDIT_FULL);
	if (took == 0 && bad > 0)
		return (EDIT_BAD);
	return (0);
}

void
edit_set(struct edit *e, const char *s, size_t len)
{
	buf_reset(&e->text);
	e->cur = e->scroll = 0;
	insert_clean(e, s, len);
	e->changed = 0;
}

int
edit_insert(struct edit *e, uint32_t cp)
{
	struct buf	one = BUF_INIT;
	int		r;

	if (utf8_cpwidth(cp) < 0)
		return (EDIT_BAD);
	utf8_encode(&one, cp);
	r = insert_clean(e, one.data, one.len);
	buf_release(&one);
	return (r);
}

int
edit_insert_text(struct edit *e, const char *s, size_t len)
{
	if (len == 0)
		return (EDIT_NOOP);
	return (insert_clean(e, s, len));
}

/* Remove bytes [from, to) and leave the cursor at from. */
static int
cut(struct edit *e, size_t from, size_t to)
{
	if (from >= to)
		return (EDIT_NOOP);
	memmove(e->text.data + from, e->text.data + to, e->text.len - to + 1);
	e->text.len -= to - from;
	e->cur = from;
	if (e->scroll > from)
		e->scroll = from;
	e->changed = 1;
	return (0);
}

int
edit_backspace(struct edit *e)
{
	return (cut(e, char_prev(&e->text, e->cur), e->cur));
}

int
edit_delete(struct edit *e)
{
	return (cut(e, e->cur, char_next(&e->text, e->cur)));
}

static int
move_to(struct edit *e, size_t p)
{
	if (p == e->cur)
		return (EDIT_NOOP);
	e->cur = p;
	return (0);
}

int
edit_left(struct edit *e)
{
	return (move_to(e, char_prev(&e->text, e->cur)));
}

int
edit_right(struct edit *e)
{
	return (move_to(e, char_next(&e->text, e->cur)));
}

int
edit_home(struct edit *e)
{
	return (move_to(e, 0));
}

int
edit_end(struct edit *e)
{
	return (move_to(e, e->text.len));
}

/* The start of the word before p (skipping non-word characters first). */
static size_t
word_start(const struct buf *t, size_t p)
{
	size_t	q;

	while (p > 0 && !word_at(t, (q = char_prev(t, p))))
		p = q;
	while (p > 0 && word_at(t, (q = char_prev(t, p))))
		p = q;
	return (p);
}

int
edit_word_left(struct edit *e)
{
	return (move_to(e, word_start(&e->text, e->cur)));
}

/* As in most editors: to the start of the next word. */
int
edit_word_right(struct edit *e)
{
	const struct buf	*t = &e->text;
	size_t			 p = e->cur;

	while (p < t->len && word_at(t, p))
		p = char_next(t, p);
	while (p < t->len && !word_at(t, p))
		p = char_next(t, p);
	return (move_to(e, p));
}

int
edit_kill_end(struct edit *e)
{
	return (cut(e, e->cur, e->text.len));
}

int
edit_kill_home(struct edit *e)
{
	return (cut(e, 0, e->cur));
}

int
edit_kill_word(struct edit *e)
{
	return (cut(e, word_start(&e->text, e->cur), e->cur));
}

void
edit_view(struct edit *e, size_t width, size_t *start, size_t *len,
    size_t *curcol)
{
	const struct buf	*t = &e->text;
	size_t			 under, p;

	if (width == 0)
		width = 1;
	if (e->cur < e->scroll)
		e->scroll = e->cur;
	/* The cell(s) the cursor sits on: the character's, or one past
	 * the end. */
	under = e->cur < t->len ?
	    utf8_width(t->data + e->cur, char_next(t, e->cur) - e->cur) : 1;
	if (under == 0)
		under = 1;
	while (e->scroll < e->cur &&
	    utf8_width(t->data + e->scroll, e->cur - e->scroll) + under > width)
		e->scroll = char_next(t, e->scroll);
	/* Room on the right (after deleting): bring text back from the
	 * left rather than leave the box half empty. */
	while (e->scroll > 0) {
		p = char_prev(t, e->scroll);
		if (utf8_width(t->data + p, t->len - p) + 1 > width)
			break;
		e->scroll = p;
	}
	*start = e->scroll;
	*len = utf8_fit(t->data + e->scroll, t->len - e->scroll, width);
	*curcol = utf8_width(t->data + e->scroll, e->cur - e->scroll);
}
