/*
 * picker.c: the type-ahead chooser of a card's reference and choice
 * fields (picker.h).  Owns its screen and its search text; every
 * keystroke asks the server for one short page of matches through the
 * word index, so a table of a million parties costs the same as ten.
 * It must not load a table, keep rows between keystrokes beyond one
 * page, or know the card it serves (it hands the choice to a callback).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "picker.h"

#define PICKER_MAX	100	/* rows asked for at most */

struct picker {
	const struct tui_field	*f;
	struct edit		 search;
	picker_fn		*fn;
	void			*arg;
	char			**values;	/* ids or enum names */
	char			**titles;	/* for the field */
	char			**shown;	/* for the list */
	size_t			 n;
	size_t			 cur;
	int			 more;
	struct buf		 error;		/* the server's, shown in place */
	struct buf		 title;
};

static int	picker_cmd_pick(struct tui *, struct tui_screen *, const char *);
static int	picker_cmd_cancel(struct tui *, struct tui_screen *,
		    const char *);

const struct tui_cmd tui_picker_cmds[] = {
	{ "picker-choose", { '\n' }, N_("Choose"),
	    N_("choose the highlighted record"), TUI_CMD_ROW,
	    picker_cmd_pick },
	{ "picker-cancel", { TUI_KEY_ESC }, N_("Cancel"),
	    N_("leave the field as it was"), 0, picker_cmd_cancel },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};

size_t
picker_enum_match(const struct tui_field *f, int lang, const char *text,
    size_t *out, size_t max)
{
	size_t	i, n = 0;

	for (i = 0; i < f->nvalues && n < max; i++) {
		if (text == NULL || *text == '\0' ||
		    utf8_contains(tui_label(f->values[i].label, lang), text) ||
		    utf8_contains(f->values[i].label[0], text) ||
		    utf8_contains(f->values[i].name, text))
			out[n++] = i;
	}
	return (n);
}

static void
picker_clear(struct picker *p)
{
	size_t	i;

	for (i = 0; i < p->n; i++) {
		free(p->values[i]);
		free(p->titles[i]);
		free(p->shown[i]);
	}
	free(p->values);
	free(p->titles);
	free(p->shown);
	p->values = p->titles = p->shown = NULL;
	p->n = p->cur = 0;
	p->more = 0;
}

static void
picker_add(struct picker *p, const char *value, const char *title,
    const char *shown)
{
	p->values = xreallocarray(p->values, p->n + 1, sizeof *p->values);
	p->titles = xreallocarray(p->titles, p->n + 1, sizeof *p->titles);
	p->shown = xreallocarray(p->shown, p->n + 1, sizeof *p->shown);
	p->values[p->n] = xstrdup(value);
	p->titles[p->n] = xstrdup(title);
	p->shown[p->n] = xstrdup(shown);
	p->n++;
}

/* Rows that fit under the search line. */
static size_t
picker_rows(struct tui *t)
{
	int	row0, rows, cols;

	tui_body(t, &row0, &rows, &cols);
	rows -= 2;
	if (rows < 1)
		rows = 1;
	return ((size_t)rows > PICKER_MAX ? PICKER_MAX : (size_t)rows);
}

/* One page of matching records of the referred table. */
static void
picker_query(struct tui *t, struct picker *p)
{
	struct buf	 out = BUF_INIT, lim = BUF_INIT, title = BUF_INIT;
	struct tui_lines lines;
	const struct tui_line *l;
	const char	*text = edit_text(&p->search);
	size_t		 i, j;
	int		 r;

	buf_reset(&p->error);
	buf_printf(&lim, "%zu", picker_rows(t));
	if (*text != '\0')
		r = tui_call(t, &out, &p->error, "page", p->f->ref_table,
		    "--limit", lim.data, "--search", text, (char *)NULL);
	else
		r = tui_call(t, &out, &p->error, "page", p->f->ref_table,
		    "--limit", lim.data, (char *)NULL);
	if (r == 0 && tui_lines_parse(&lines, out.data, out.len,
	    &p->error) == 0) {
		for (i = 0; i < lines.n; i++) {
			l = &lines.v[i];
			if (strcmp(tui_line_get(l, 0), "more") == 0)
				p->more = strcmp(tui_line_get(l, 1), "1") == 0;
			if (strcmp(tui_line_get(l, 0), "row") != 0)
				continue;
			/* row ID POS VALUE...: the values side by side
			 * in the list, the first (the name) in the field. */
			buf_reset(&title);
			for (j = 3; j < l->n; j++) {
				if (*l->f[j] == '\0')
					continue;
				if (title.len > 0)
					buf_adds(&title, "  ");
				buf_adds(&title, l->f[j]);
			}
			picker_add(p, tui_line_get(l, 1), *tui_line_get(l, 3) ?
			    tui_line_get(l, 3) : title.data, title.data);
		}
		tui_lines_release(&lines);
	}
	buf_release(&out);
	buf_release(&lim);
	buf_release(&title);
}

static void
picker_refresh(struct tui *t, struct picker *p)
{
	size_t	*pos, n, i;

	picker_clear(p);
	if (strcmp(p->f->type, "ref") == 0) {
		picker_query(t, p);
		return;
	}
	pos = xreallocarray(NULL, p->f->nvalues + 1, sizeof *pos);
	n = picker_enum_match(p->f, t->lang, edit_text(&p->search), pos,
	    p->f->nvalues);
	for (i = 0; i < n; i++)
		picker_add(p, p->f->values[pos[i]].name,
		    tui_label(p->f->values[pos[i]].label, t->lang),
		    tui_label(p->f->values[pos[i]].label, t->lang));
	free(pos);
}

static void
picker_draw(struct tui *t, struct tui_screen *s)
{
	struct picker	*p = s->data;
	size_t		 start, len, col, i, top = 0, rows = picker_rows(t);
	int		 row0, nrows, cols, x;
	struct buf	 shown = BUF_INIT;

	tui_body(t, &row0, &nrows, &cols);
	x = tui_text(t, row0, 0, cols, _("Search: "), TUI_LABEL, 0, 0);
	edit_view(&p->search, (size_t)(cols - x > 1 ? cols - x - 1 : 1),
	    &start, &len, &col);
	buf_add(&shown, edit_text(&p->search) + start, len);
	tui_text(t, row0, x, cols - x, shown.data, TUI_FIELD, 1, 0);
	/* The terminal's cursor; a drawn mark only where the terminal
	 * cannot show one (it would hide the character under it). */
	tui_cursor(t, row0, x + (int)col);
	if (t->no_cursor)
		tui_text(t, row0, x + (int)col, 1, "▏", TUI_SELECT, 0, 0);
	if (p->error.len > 0)
		tui_text(t, row0 + 1, 0, cols, p->error.data, TUI_ERROR, 1, 0);
	else if (p->n == 0)
		tui_text(t, row0 + 1, 0, cols, _("nothing matches"), TUI_DIM,
		    1, 0);
	else
		tui_fill(t, row0 + 1, 0, cols, TUI_NORMAL);
	if (p->cur >= rows)
		top = p->cur - rows + 1;
	for (i = 0; i < rows && row0 + 2 + (int)i < row0 + nrows; i++) {
		if (top + i < p->n)
			tui_text(t, row0 + 2 + (int)i, 0, cols,
			    p->shown[top + i], top + i == p->cur ?
			    TUI_SELECT : TUI_NORMAL, 1, 0);
		else
			tui_fill(t, row0 + 2 + (int)i, 0, cols, TUI_NORMAL);
	}
	buf_release(&shown);
}

static int
picker_pick(struct tui *t, struct picker *p)
{
	picker_fn	*fn = p->fn;
	void		*arg = p->arg;
	char		*value, *title;

	if (p->n == 0)
		return (tui_error(t, "%s", _("nothing to choose")));
	/* Copies: popping frees the picker. */
	value = xstrdup(p->values[p->cur]);
	title = xstrdup(p->titles[p->cur]);
	tui_pop(t);
	fn(t, arg, value, title);
	free(value);
	free(title);
	return (0);
}

static int
picker_cmd_pick(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (picker_pick(t, s->data));
}

static int
picker_cmd_cancel(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)s;
	(void)arg;
	tui_pop(t);
	return (0);
}

static int
picker_key(struct tui *t, struct tui_screen *s, int key)
{
	struct picker	*p = s->data;
	int		 r = -1;

	switch (key) {
	case '\n':
	case '\r':
		picker_pick(t, p);
		return (1);
	case TUI_KEY_ESC:
		tui_pop(t);
		return (1);
	case TUI_KEY_UP:
		if (p->cur > 0)
			p->cur--;
		return (1);
	case TUI_KEY_DOWN:
		if (p->cur + 1 < p->n)
			p->cur++;
		return (1);
	case TUI_KEY_PGUP:
		p->cur = p->cur > picker_rows(t) ? p->cur - picker_rows(t) : 0;
		return (1);
	case TUI_KEY_PGDN:
		p->cur += picker_rows(t);
		if (p->cur >= p->n)
			p->cur = p->n > 0 ? p->n - 1 : 0;
		return (1);
	case TUI_KEY_BACKSPACE:
	case 0x7f:
	case 0x08:
		r = edit_backspace(&p->search);
		break;
	case TUI_KEY_DEL:
		r = edit_delete(&p->search);
		break;
	case TUI_KEY_LEFT:
		edit_left(&p->search);
		return (1);
	case TUI_KEY_RIGHT:
		edit_right(&p->search);
		return (1);
	case TUI_KEY_HOME:
		edit_home(&p->search);
		return (1);
	case TUI_KEY_END:
		edit_end(&p->search);
		return (1);
	case TUI_CTRL('u'):
		r = edit_kill_home(&p->search);
		break;
	case TUI_CTRL('w'):
		r = edit_kill_word(&p->search);
		break;
	default:
		if (key >= 0x20 && key < TUI_KEY_BASE && key != 0x7f)
			r = edit_insert(&p->search, (uint32_t)key);
		else
			return (0);
	}
	if (r == 0)
		picker_refresh(t, p);
	return (1);
}

static void
picker_resize(struct tui *t, struct tui_screen *s)
{
	picker_refresh(t, s->data);
}

static void
picker_status(struct tui *t, struct tui_screen *s, struct tui_status *st)
{
	struct picker	*p = s->data;

	(void)t;
	st->title = p->title.data;
	st->counts = 0;
}

static int
picker_has_row(struct tui *t, struct tui_screen *s)
{
	struct picker	*p = s->data;

	(void)t;
	return (p->n > 0);
}

static void
picker_free(struct tui_screen *s)
{
	struct picker	*p = s->data;

	picker_clear(p);
	edit_release(&p->search);
	buf_release(&p->error);
	buf_release(&p->title);
	free(p);
}

/* Printable keys are typed into the search: help and the key bar leave
 * out every command whose keys are letters there (q, ?, :). */
static const struct tui_mode picker_mode = { tui_picker_cmds, 1 };

static const struct tui_mode *
picker_mode_of(const struct tui_screen *s)
{
	(void)s;
	return (&picker_mode);
}

static const struct tui_screen_ops picker_ops = {
	.name = "picker",
	.cmds = tui_picker_cmds,
	.draw = picker_draw,
	.key = picker_key,
	.resize = picker_resize,
	.status = picker_status,
	.has_row = picker_has_row,
	.free = picker_free,
	.mode = picker_mode_of,
};

struct tui_screen *
picker_new(struct tui *t, const struct tui_field *f, const char *text,
    picker_fn *fn, void *arg)
{
	struct picker	*p;

	if (strcmp(f->type, "ref") != 0 && strcmp(f->type, "enum") != 0) {
		tui_error(t, _("field '%s' has no list to choose from"),
		    f->name);
		return (NULL);
	}
	p = xcalloc(1, sizeof *p);
	p->f = f;
	p->fn = fn;
	p->arg = arg;
	edit_init(&p->search, 200);
	if (text != NULL)
		edit_insert_text(&p->search, text, strlen(text));
	buf_init(&p->error);
	buf_init(&p->title);
	/* TRANSLATORS: the title of the chooser of a field, "Choose:
	 * Organisation". */
	buf_printf(&p->title, _("Choose: %s"), tui_label(f->label, t->lang));
	picker_refresh(t, p);
	return (tui_screen_new(&picker_ops, p));
}
