/*
 * scr-text.c: a screen of lines to read and scroll: the help of a
 * screen, generated from its command table and the global one (so help
 * and keys cannot disagree), and the history of messages.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "card.h"
#include "picker.h"

struct text {
	char		*title;
	char		**lines;
	size_t		 n;
	char		**rows;		/* lines wrapped to width cells */
	size_t		 nrows;
	int		 width;
	size_t		 top;		/* in rows */
};

/* The lines wrapped to the width, so a long message or help line is
 * read whole rather than cut. */
static void
text_wrap(struct text *x, int width)
{
	size_t	i;

	if (x->width == width)
		return;
	for (i = 0; i < x->nrows; i++)
		free(x->rows[i]);
	x->nrows = 0;
	x->width = width;
	for (i = 0; i < x->n; i++)
		tui_wrap(x->lines[i], width, &x->rows, &x->nrows);
}

static void
text_draw(struct tui *t, struct tui_screen *s)
{
	struct text	*x = s->data;
	int		 top, rows, cols, i;

	tui_body(t, &top, &rows, &cols);
	text_wrap(x, cols - 2);
	if (x->nrows > (size_t)rows && x->top > x->nrows - (size_t)rows)
		x->top = x->nrows - (size_t)rows;
	for (i = 0; i < rows && x->top + (size_t)i < x->nrows; i++)
		tui_text(t, top + i, 1, cols - 2, x->rows[x->top + i],
		    TUI_NORMAL, 0, 0);
}

static void
text_status(struct tui *t, struct tui_screen *s, struct tui_status *st)
{
	struct text	*x = s->data;

	(void)t;
	st->title = x->title;
}

static void
text_free(struct tui_screen *s)
{
	struct text	*x = s->data;
	size_t		 i;

	for (i = 0; i < x->n; i++)
		free(x->lines[i]);
	free(x->lines);
	for (i = 0; i < x->nrows; i++)
		free(x->rows[i]);
	free(x->rows);
	free(x->title);
	free(x);
}

void
tui_scroll(struct tui *t, size_t *first, size_t n, long by)
{
	int	top, rows, cols;
	size_t	max;

	tui_body(t, &top, &rows, &cols);
	max = n > (size_t)rows ? n - (size_t)rows : 0;
	if (by < 0 && (size_t)-by > *first)
		*first = 0;
	else if (by < 0)
		*first -= (size_t)-by;
	else
		*first = *first + (size_t)by > max ? max : *first + (size_t)by;
}

static int
text_move(struct tui *t, struct tui_screen *s, int by)
{
	struct text	*x = s->data;

	tui_scroll(t, &x->top, x->nrows, by);
	return (0);
}

static int
text_down(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (text_move(t, s, 1));
}

static int
text_up(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (text_move(t, s, -1));
}

static int
text_pgdn(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (text_move(t, s, t->rows - 4));
}

static int
text_pgup(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (text_move(t, s, -(t->rows - 4)));
}

static int
text_home(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)t;
	(void)arg;
	((struct text *)s->data)->top = 0;
	return (0);
}

static int
text_end(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (text_move(t, s, (int)((struct text *)s->data)->nrows));
}

static int
text_back(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)s;
	(void)arg;
	tui_pop(t);
	return (0);
}

const struct tui_cmd tui_text_cmds[] = {
	{ "text-down", { TUI_KEY_DOWN, 'j' }, NULL, N_("scroll down a line"),
	    0, text_down },
	{ "text-up", { TUI_KEY_UP, 'k' }, NULL, N_("scroll up a line"), 0,
	    text_up },
	{ "text-page-down", { TUI_KEY_PGDN, ' ', TUI_CTRL('f') }, NULL,
	    N_("scroll down a page"), 0, text_pgdn },
	{ "text-page-up", { TUI_KEY_PGUP, TUI_CTRL('b') }, NULL,
	    N_("scroll up a page"), 0, text_pgup },
	{ "text-first", { TUI_KEY_HOME, 'g' }, NULL, N_("to the top"), 0,
	    text_home },
	{ "text-last", { TUI_KEY_END, 'G' }, NULL, N_("to the end"), 0,
	    text_end },
	{ "text-close", { TUI_KEY_ESC, 'q', TUI_KEY_LEFT, TUI_KEY_F(3) },
	    N_("Close"), N_("close this screen"), 0, text_back },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};

static const struct tui_screen_ops text_ops = {
	"text", tui_text_cmds, text_draw, NULL, NULL, NULL, text_status,
	NULL, NULL, NULL, text_free, NULL, NULL, NULL, NULL, NULL, NULL
};

struct tui_screen *
tui_text_new(struct tui *t, const char *title, char **lines, size_t n)
{
	struct text	*x = xcalloc(1, sizeof *x);

	(void)t;
	x->title = xstrdup(title);
	x->lines = lines;
	x->n = n;
	return (tui_screen_new(&text_ops, x));
}

static void
add_line(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

/* line + text, the text wrapped at blanks to width cells, its further
 * lines under its start. */
static void
help_wrap(char ***v, size_t *n, struct buf *line, const char *text,
    int width)
{
	size_t	indent = utf8_width(line->data, line->len), room, cut;
	size_t	len;

	room = width > (int)indent + 10 ? (size_t)width - indent : 40;
	for (;;) {
		len = strlen(text);
		cut = utf8_fit(text, len, room);
		if (cut < len) {
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = utf8_fit(text, len, room);
		}
		buf_add(line, text, cut);
		add_line(v, n, line->data);
		text += cut;
		while (*text == ' ')
			text++;
		if (*text == '\0')
			break;
		buf_reset(line);
		buf_printf(line, "%*s", (int)indent, "");
	}
}

struct tui_screen *
tui_help_new(struct tui *t, struct tui_screen *of)
{
	const struct tui_cmd	*v[128];
	struct buf		 keys = BUF_INIT, line = BUF_INIT;
	char			**lines = NULL;
	size_t			 n, i, nl = 0;
	int			 w;

	n = tui_commands(of, v, nitems(v));
	buf_reset(&line);
	help_wrap(&lines, &nl, &line, tui_screen_text(of) ? _("Keys while "
	    "typing (letters, digits and signs are text here):") :
	    _("Keys of this screen (a letter typed in the Russian layout acts "
	    "as the Latin one on the same key):"), t->cols - 2);
	add_line(&lines, &nl, "");
	for (i = 0; i < n; i++) {
		/* Only the keys that do this here: a key taken by another
		 * command, or typed as text, is not offered. */
		buf_reset(&keys);
		tui_cmd_keys_on(of, v[i], &keys);
		if (keys.len == 0 && tui_screen_text(of))
			continue;	/* ':' itself is text there */
		if (keys.len == 0)
			buf_adds(&keys, ":");
		buf_reset(&line);
		buf_adds(&line, keys.data);
		w = (int)utf8_width(keys.data, keys.len);
		buf_printf(&line, "%*s", w < 18 ? 18 - w : 1, "");
		buf_printf(&line, "%-20s ", v[i]->name);
		help_wrap(&lines, &nl, &line, _(v[i]->help), t->cols - 2);
	}
	if (!tui_screen_text(of)) {
		add_line(&lines, &nl, "");
		add_line(&lines, &nl, _("Commands without a key are typed "
		    "after ':' (Tab completes the name)."));
	}
	buf_release(&keys);
	buf_release(&line);
	return (tui_text_new(t, _("Help"), lines, nl));
}

struct tui_screen *
tui_messages_new(struct tui *t)
{
	char	**h, **lines = NULL;
	size_t	  n, i, nl = 0;

	n = tui_history(t, &h);
	for (i = 0; i < n; i++)
		add_line(&lines, &nl, h[i]);
	if (nl == 0)
		add_line(&lines, &nl, _("No messages yet."));
	return (tui_text_new(t, _("Messages"), lines, nl));
}

const struct tui_scope tui_scopes[] = {
	{ "global", N_("Keys of every screen"), tui_global_cmds },
	{ "home", N_("Keys of the home screen"), tui_home_cmds },
	{ "list", N_("Keys of a list"), tui_list_cmds },
	{ "group", N_("Keys of the frequency table and the group view"),
	    tui_group_cmds },
	{ "card", N_("Keys of a record card"), tui_card_cmds },
	{ "card-field", N_("Keys of a record card while typing in a field"),
	    tui_card_field_cmds },
	{ "conflict", N_("Keys of the conflict screen"), tui_conflict_cmds },
	{ "picker", N_("Keys of the picker"), tui_picker_cmds },
	{ "report", N_("Keys of a report"), tui_report_cmds },
	{ "text", N_("Keys of help and messages"), tui_text_cmds },
	{ NULL, NULL, NULL }
};

/* Text for roff: a backslash is \e, a leading dot or quote escaped. */
static void
roff_text(struct buf *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		buf_adds(out, "\\&");
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_adds(out, "\\e");
		else if (*s == '"')
			buf_adds(out, "\\(dq");
		else
			buf_addch(out, *s);
	}
}

void
tui_keys_man(struct buf *out)
{
	const struct tui_scope	*sc;
	const struct tui_cmd	*c;
	struct buf		 keys = BUF_INIT;

	for (sc = tui_scopes; sc->name != NULL; sc++) {
		buf_printf(out, ".Ss %s\n.Bl -tag -width Ds\n", sc->title);
		for (c = sc->cmds; c->name != NULL; c++) {
			buf_reset(&keys);
			tui_cmd_keys(c, &keys);
			buf_printf(out, ".It Ic %s", c->name);
			if (c->flags & TUI_CMD_ARG)
				buf_adds(out, " Oo Ar argument Oc");
			if (keys.len > 0) {
				/* \& keeps a key such as ":" from being read
				 * as punctuation by mdoc. */
				buf_adds(out, " Pq \"\\&");
				roff_text(out, keys.data);
				buf_adds(out, "\"");
			}
			buf_adds(out, "\n");
			roff_text(out, c->help);
			buf_adds(out, ".\n");
		}
		buf_adds(out, ".El\n");
	}
	buf_release(&keys);
}
