/*
 * tui.c: the framework of the terminal interface.  Owns the terminal
 * (curses set up and put back, colours or bold/reverse, resize,
 * hang-up), the screen stack and its loop, the title, status line and
 * key bar, messages, prompts and confirmations, command lookup by key
 * and by name, calls to the server, and the headless mode of the tests
 * (keys from a script, the screen dumped as text).  Screens draw their
 * bodies and handle their commands; this file never knows what a table
 * or a record is.  The only place besides the screens that includes
 * curses; never used by anything below the TUI.
 */
#include "config.h"

#define NCURSES_WIDECHAR 1

#include <sys/stat.h>

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "draft.h"
#include "tui_int.h"

struct tui_priv {
	SCREEN		*term;
	FILE		*out, *in;
	uint64_t	 bytes;		/* written to the terminal (headless) */

	struct tui_script script;
	FILE		*dump;
	int		 ndumps;
	FILE		*stats;
	int		 stat_key;	/* the key being timed, 0 = none */
	uint64_t	 stat_ns, stat_bytes;
	uint64_t	 stat_call_ns;	/* of it, waiting on the server */
	unsigned	 stat_calls;
	uint64_t	 wait_ns, wait_bytes;	/* a <wait> being timed */
	int		 tick_ok;	/* the caller takes TUI_KEY_TICK */
	int		 idle_ms;	/* TUI_KEY_IDLE after, 0: never */

	struct buf	 msg;		/* the current message */
	int		 msg_error;
	char		*history[TUI_MESSAGES];
	size_t		 nhistory;

	int		 quit;
	int		 redraw;
	int		 cur_row, cur_col;	/* the cursor after drawing */
	int		 in_prompt;	/* the status line is a prompt */
	struct buf	 warned;	/* the last call's warnings */
};

static int	any_unsaved(struct tui *);

static volatile sig_atomic_t	hup_signal;
static struct tui		*fatal_tui;

static struct tui_priv *
priv(struct tui *t)
{
	return (t->priv);
}

/* Signals: SIGHUP and SIGTERM only set a flag (TUI.md: hang-up). */
static void
on_hangup(int sig)
{
	(void)sig;
	hup_signal = 1;
}

static void
fatal_hook(void)
{
	if (fatal_tui != NULL && !isendwin())
		endwin();
}

/* Attributes. */

enum { PAIR_TITLE = 1, PAIR_SELECT, PAIR_MARK, PAIR_ERROR, PAIR_BAR,
	PAIR_BARKEY, PAIR_STATUS, PAIR_HEADER, PAIR_FIELD };

static void
colors_init(struct tui *t)
{
	const char	*nc = getenv("NO_COLOR");

	t->color = 0;
	/* NO_COLOR set and not empty means no colours (no-color.org). */
	if ((nc != NULL && *nc != '\0') || !has_colors())
		return;
	if (start_color() != OK)
		return;
	use_default_colors();
	init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_SELECT, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_MARK, COLOR_YELLOW, -1);
	init_pair(PAIR_ERROR, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_BARKEY, COLOR_WHITE, -1);
	init_pair(PAIR_STATUS, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_HEADER, COLOR_YELLOW, -1);
	init_pair(PAIR_FIELD, COLOR_WHITE, COLOR_BLUE);
	t->color = 1;
}

static attr_t
role_attr(struct tui *t, enum tui_role r, short *pair)
{
	*pair = 0;
	if (t->color) {
		switch (r) {
		case TUI_NORMAL:
		case TUI_LABEL:
			return (A_NORMAL);
		case TUI_TITLE:
			*pair = PAIR_TITLE;
			return (A_BOLD);
		case TUI_HEADER:
			*pair = PAIR_HEADER;
			return (A_BOLD);
		case TUI_SELECT:
			*pair = PAIR_SELECT;
			return (A_NORMAL);
		case TUI_MARK:
			*pair = PAIR_MARK;
			return (A_BOLD);
		case TUI_FIELD:
			*pair = PAIR_FIELD;
			return (A_NORMAL);
		case TUI_ERROR:
			*pair = PAIR_ERROR;
			return (A_BOLD);
		case TUI_BAR:
			*pair = PAIR_BAR;
			return (A_NORMAL);
		case TUI_BARKEY:
			*pair = PAIR_BARKEY;
			return (A_BOLD);
		case TUI_STATUS:
			*pair = PAIR_STATUS;
			return (A_NORMAL);
		case TUI_DIM:
			return (A_DIM);
		}
		return (A_NORMAL);
	}
	/* No colours: bold, reverse and underline carry the meaning. */
	switch (r) {
	case TUI_NORMAL:
	case TUI_LABEL:
		return (A_NORMAL);
	case TUI_TITLE:
		return (A_REVERSE | A_BOLD);
	case TUI_HEADER:
		return (A_BOLD | A_UNDERLINE);
	case TUI_SELECT:
		return (A_REVERSE);
	case TUI_MARK:
		return (A_BOLD);
	case TUI_FIELD:
		return (A_UNDERLINE);
	case TUI_ERROR:
		return (A_REVERSE | A_BOLD);
	case TUI_BAR:
		return (A_REVERSE);
	case TUI_BARKEY:
		return (A_BOLD);
	case TUI_STATUS:
		return (A_REVERSE);
	case TUI_DIM:
		return (A_DIM);
	}
	return (A_NORMAL);
}

static void
role_set(struct tui *t, enum tui_role r)
{
	short	pair;
	attr_t	a = role_attr(t, r, &pair);

	attr_set(a, pair, NULL);
}

/* Drawing. */

void
tui_body(struct tui *t, int *top, int *rows, int *cols)
{
	*top = 1;
	*rows = t->rows - 3 > 0 ? t->rows - 3 : 0;
	*cols = t->cols;
}

void
tui_fill(struct tui *t, int row, int col, int width, enum tui_role role)
{
	if (row < 0 || row >= t->rows || width <= 0)
		return;
	if (col + width > t->cols)
		width = t->cols - col;
	role_set(t, role);
	mvhline(row, col, ' ', width);
	role_set(t, TUI_NORMAL);
}

int
tui_text(struct tui *t, int row, int col, int width, const char *s,
    enum tui_role role, int pad, int right)
{
	struct buf	 b = BUF_INIT;
	const char	*p;
	size_t		 len, fit, w;
	uint32_t	 cp;
	int		 n, lead = 0;

	if (row < 0 || row >= t->rows || col >= t->cols || width <= 0)
		return (0);
	if (col + width > t->cols)
		width = t->cols - col;
	/* Controls (a tab or newline in a note) would print as ^J. */
	for (p = s; *p != '\0'; p += n) {
		n = (int)utf8_decode(p, strlen(p), &cp);
		if (n == 0) {
			buf_adds(&b, "\xef\xbf\xbd");
			n = 1;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 &&
		    cp < 0xa0))
			buf_addch(&b, ' ');
		else
			buf_add(&b, p, (size_t)n);
	}
	len = b.len;
	w = utf8_width(b.data, len);
	if (w > (size_t)width) {
		/* Cut with an ellipsis where the text is cut. */
		fit = utf8_fit(b.data, len, (size_t)width - 1);
		buf_truncate(&b, fit);
		buf_adds(&b, "…");
		w = utf8_width(b.data, b.len);
	}
	if (right && pad && w < (size_t)width)
		lead = width - (int)w;
	role_set(t, role);
	if (lead > 0)
		mvhline(row, col, ' ', lead);
	mvaddnstr(row, col + lead, b.data, (int)b.len);
	if (pad && lead + (int)w < width)
		mvhline(row, col + lead + (int)w, ' ', width - lead - (int)w);
	role_set(t, TUI_NORMAL);
	buf_release(&b);
	return (pad ? width : lead + (int)w);
}

void
tui_cursor(struct tui *t, int row, int col)
{
	priv(t)->cur_row = row;
	priv(t)->cur_col = col;
}

static void
draw_title(struct tui *t, const struct tui_status *st)
{
	struct buf	b = BUF_INIT;

	buf_adds(&b, " clerk");
	if (st->title != NULL && *st->title != '\0')
		buf_printf(&b, " — %s", st->title);
	tui_text(t, 0, 0, t->cols, b.data, TUI_TITLE, 1, 0);
	buf_release(&b);
}

static void
draw_status(struct tui *t, const struct tui_status *st)
{
	struct tui_priv	*p = priv(t);
	struct buf	 b = BUF_INIT, r = BUF_INIT;
	int		 row = t->rows - 2, w;

	if (p->msg.len > 0) {
		tui_text(t, row, 0, t->cols, p->msg.data, p->msg_error ?
		    TUI_ERROR : TUI_STATUS, 1, 0);
		return;
	}
	buf_printf(&b, " %s", t->login != NULL ? t->login : "");
	if (st->title != NULL)
		buf_printf(&b, " │ %s", st->title);
	if (st->counts)
		buf_printf(&b, " │ %llu/%llu", (unsigned long long)st->shown,
		    (unsigned long long)st->total);
	if (st->filter != NULL && *st->filter != '\0')
		buf_printf(&b, " │ %s %s", _("filter:"), st->filter);
	if (st->position != NULL && *st->position != '\0')
		buf_printf(&r, "%s ", st->position);
	if (st->unsaved)
		buf_printf(&r, "%s ", _("[modified]"));
	tui_fill(t, row, 0, t->cols, TUI_STATUS);
	w = (int)utf8_width(r.data, r.len);
	if (w > t->cols / 2)
		w = t->cols / 2;
	tui_text(t, row, 0, t->cols - w, b.data, TUI_STATUS, 1, 0);
	if (w > 0)
		tui_text(t, row, t->cols - w, w, r.data, TUI_STATUS, 1, 1);
	buf_release(&b);
	buf_release(&r);
}

/* Does a command of the screen's own table or a global one come first
 * for this key?  The screen's win. */
static const struct tui_cmd *
cmd_by_key(const struct tui_cmd *cmds, int key)
{
	size_t	i, k;

	for (i = 0; cmds != NULL && cmds[i].name != NULL; i++)
		for (k = 0; k < TUI_CMD_KEYS && cmds[i].keys[k] != 0; k++)
			if (cmds[i].keys[k] == key)
				return (&cmds[i]);
	return (NULL);
}

static const struct tui_cmd *
cmd_by_name(const struct tui_cmd *cmds, const char *name)
{
	size_t	i;

	for (i = 0; cmds != NULL && cmds[i].name != NULL; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return (&cmds[i]);
	return (NULL);
}

/* The commands of screen s now: its mode's, or its own. */
static const struct tui_cmd *
screen_cmds(const struct tui_screen *s)
{
	const struct tui_mode	*m;

	if (s == NULL)
		return (NULL);
	if (s->ops->mode != NULL && (m = s->ops->mode(s)) != NULL)
		return (m->cmds);
	return (s->ops->cmds);
}

int
tui_screen_text(const struct tui_screen *s)
{
	const struct tui_mode	*m;

	return (s != NULL && s->ops->mode != NULL &&
	    (m = s->ops->mode(s)) != NULL && m->text);
}

/* Does key run c on s?  What dispatch would do with it, less the
 * screen's key callback, which in a text mode takes printable keys. */
static int
key_reaches(const struct tui_screen *s, const struct tui_cmd *c, int key)
{
	const struct tui_cmd	*hit;

	if (tui_screen_text(s) && key >= 0x20 && key < TUI_KEY_BASE &&
	    key != 0x7f)
		return (0);
	if ((hit = cmd_by_key(screen_cmds(s), key)) == NULL)
		hit = cmd_by_key(tui_global_cmds, key);
	return (hit == c);
}

size_t
tui_commands(const struct tui_screen *s, const struct tui_cmd **v,
    size_t max)
{
	const struct tui_cmd	*own = screen_cmds(s);
	size_t			 i, n = 0;

	for (i = 0; own != NULL && own[i].name != NULL && n < max; i++)
		v[n++] = &own[i];
	for (i = 0; tui_global_cmds[i].name != NULL && n < max; i++)
		if (cmd_by_name(own, tui_global_cmds[i].name) == NULL)
			v[n++] = &tui_global_cmds[i];
	return (n);
}

void
tui_cmd_keys(const struct tui_cmd *c, struct buf *out)
{
	size_t	k;

	for (k = 0; k < TUI_CMD_KEYS && c->keys[k] != 0; k++) {
		if (k > 0)
			buf_adds(out, ", ");
		tui_key_name(c->keys[k], out);
	}
}

void
tui_cmd_keys_on(const struct tui_screen *s, const struct tui_cmd *c,
    struct buf *out)
{
	size_t	k, n = 0;

	for (k = 0; k < TUI_CMD_KEYS && c->keys[k] != 0; k++) {
		if (!key_reaches(s, c, c->keys[k]))
			continue;
		if (n++ > 0)
			buf_adds(out, ", ");
		tui_key_name(c->keys[k], out);
	}
}

/*
 * The key bar: the screen's commands with a label, then the global ones
 * (help, quit), as "F1 Help", as wide as there is room for; each by its
 * first key that reaches it in the screen's mode (none: not shown).
 */
/* One "F1 Help" of a key bar at col: the column after it, or -1 when
 * it does not fit. */
static int
bar_item(struct tui *t, int col, const char *key, const char *label)
{
	int	row = t->rows - 1;

	if (col + (int)utf8_width(key, strlen(key)) +
	    (int)utf8_width(label, strlen(label)) + 2 > t->cols)
		return (-1);
	col += tui_text(t, row, col, t->cols - col, key, TUI_BARKEY, 0, 0) +
	    1;
	col += tui_text(t, row, col, t->cols - col, label, TUI_BAR, 0, 0);
	return (col + 2);
}

static void
draw_bar(struct tui *t)
{
	const struct tui_cmd	*v[128];
	struct buf		 key = BUF_INIT;
	const char		*label;
	size_t			 n, i, k;
	int			 col = 0;

	tui_fill(t, t->rows - 1, 0, t->cols, TUI_NORMAL);
	n = tui_commands(t->top, v, nitems(v));
	for (i = 0; i < n && col >= 0 && col < t->cols; i++) {
		if (v[i]->bar == NULL)
			continue;
		for (k = 0; k < TUI_CMD_KEYS && v[i]->keys[k] != 0; k++)
			if (key_reaches(t->top, v[i], v[i]->keys[k]))
				break;
		if (k == TUI_CMD_KEYS || v[i]->keys[k] == 0)
			continue;
		buf_reset(&key);
		tui_key_name(v[i]->keys[k], &key);
		if (t->top->ops->bar == NULL ||
		    (label = t->top->ops->bar(t->top, v[i])) == NULL)
			label = v[i]->bar;
		col = bar_item(t, col, key.data, _(label));
	}
	buf_release(&key);
}

static void
draw_small(struct tui *t)
{
	struct buf	b = BUF_INIT;
	int		row = t->rows / 2;

	erase();
	buf_printf(&b, _("The terminal is %d×%d; clerk needs at least %d×%d."),
	    t->cols, t->rows, TUI_MIN_COLS, TUI_MIN_ROWS);
	tui_text(t, row > 0 ? row - 1 : 0, 0, t->cols, b.data, TUI_ERROR, 0,
	    0);
	tui_text(t, row, 0, t->cols, _("Enlarge the window, or press F10 "
	    "to quit."), TUI_NORMAL, 0, 0);
	if (any_unsaved(t))
		tui_text(t, row + 1, 0, t->cols, _("Unsaved changes are kept "
		    "as a draft, offered at the next start."), TUI_NORMAL, 0,
		    0);
	buf_release(&b);
}

static int
too_small(struct tui *t)
{
	return (t->cols < TUI_MIN_COLS || t->rows < TUI_MIN_ROWS);
}

/*
 * The screen into curses' buffer, not yet to the terminal: a prompt or
 * a question draws itself over it and refreshes once, so the terminal
 * gets only what it ends up showing (the screen's key bar and status
 * line were sent and at once overwritten, at every key of a search).
 * draw_all() sends it too.
 */
static void
draw_frame(struct tui *t)
{
	struct tui_priv		*p = priv(t);
	struct tui_status	 st;

	getmaxyx(stdscr, t->rows, t->cols);
	if (p->redraw) {
		clearok(curscr, TRUE);
		p->redraw = 0;
	}
	if (too_small(t)) {
		draw_small(t);
		curs_set(0);
		refresh();
		return;
	}
	erase();
	p->cur_row = p->cur_col = -1;
	memset(&st, 0, sizeof st);
	if (t->top != NULL && t->top->ops->status != NULL)
		t->top->ops->status(t, t->top, &st);
	draw_title(t, &st);
	if (t->top != NULL)
		t->top->ops->draw(t, t->top);
	if (!p->in_prompt)
		draw_status(t, &st);
	draw_bar(t);
	if (p->cur_row >= 0) {
		curs_set(1);
		move(p->cur_row, p->cur_col);
	} else
		curs_set(0);
}

static void
draw_all(struct tui *t)
{
	draw_frame(t);
	refresh();
}

/* Messages. */

static void
message_v(struct tui *t, int error, const char *fmt, va_list ap)
{
	struct tui_priv	*p = priv(t);

	buf_reset(&p->msg);
	buf_vprintf(&p->msg, fmt, ap);
	p->msg_error = error;
	/* The same message again (a key held past a field's limit) is
	 * kept once: the history is for what flashed by, not for keys. */
	if (p->nhistory > 0 && strcmp(p->history[p->nhistory - 1],
	    p->msg.data) == 0)
		return;
	if (p->nhistory == TUI_MESSAGES) {
		free(p->history[0]);
		memmove(p->history, p->history + 1,
		    (TUI_MESSAGES - 1) * sizeof *p->history);
		p->nhistory--;
	}
	p->history[p->nhistory++] = xstrdup(p->msg.data);
}

void
tui_message(struct tui *t, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	message_v(t, 0, fmt, ap);
	va_end(ap);
}

int
tui_error(struct tui *t, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	message_v(t, 1, fmt, ap);
	va_end(ap);
	return (-1);
}

int
tui_progress(struct tui *t, const char *fmt, ...)
{
	struct tui_priv	*p = priv(t);
	va_list		 ap;
	wint_t		 wc;
	int		 r, stop = 0;

	buf_reset(&p->msg);
	va_start(ap, fmt);
	buf_vprintf(&p->msg, fmt, ap);
	va_end(ap);
	p->msg_error = 0;
	draw_all(t);
	if (t->headless)
		return (0);
	/* What was typed meanwhile, without waiting: only Esc counts. */
	timeout(0);
	while ((r = get_wch(&wc)) != ERR)
		if (r == OK && wc == 27)
			stop = 1;
	timeout(-1);
	return (stop);
}

void
tui_when(const char *iso, struct buf *out)
{
	struct buf	err = BUF_INIT;
	int64_t		t;

	if (*iso != '\0' && datetime_parse(iso, &t, &err) == 0)
		datetime_format_ru(out, t);
	else
		buf_adds(out, iso);
	buf_release(&err);
}

/* The message log as the log sink while the UI is up. */
static void
log_to_status(enum log_level level, const char *msg, void *arg)
{
	struct tui	*t = arg;

	if (level <= LOG_WARN)
		tui_error(t, "%s", msg);
	else if (level == LOG_INFO)
		tui_message(t, "%s", msg);
}

/* Input. */

/*
 * The screen as curses has it, as text: one line per row, blanks at
 * the end dropped, wide characters once.
 */
static void
dump_screen(struct tui *t)
{
	struct tui_priv	*p = priv(t);
	FILE		*f = p->dump != NULL ? p->dump : stdout;
	struct buf	 line = BUF_INIT;
	cchar_t		*cells;
	wchar_t		 wc[CCHARW_MAX + 1];
	attr_t		 a;
	short		 pair;
	int		 y, x, i, n;

	cells = xcalloc((size_t)t->cols + 1, sizeof *cells);
	fprintf(f, "@@ screen %d (%dx%d)\n", ++p->ndumps, t->cols, t->rows);
	for (y = 0; y < t->rows; y++) {
		buf_reset(&line);
		n = mvwin_wchnstr(curscr, y, 0, cells, t->cols);
		for (x = 0; n != ERR && x < t->cols; x++) {
			if (getcchar(&cells[x], wc, &a, &pair, NULL) == ERR ||
			    wc[0] == L'\0')
				continue;
			for (i = 0; wc[i] != L'\0'; i++)
				utf8_encode(&line, (uint32_t)wc[i]);
			/* A wide character fills two cells. */
			if (wcwidth(wc[0]) == 2)
				x++;
		}
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.len--;
		line.data[line.len] = '\0';
		fprintf(f, "%s\n", line.data);
	}
	fflush(f);
	free(cells);
	buf_release(&line);
}

static void	headless_count(struct tui_priv *);

static int
map_curses_key(int r, wint_t wc)
{
	if (r == OK) {
		switch (wc) {
		case '\r':
			return ('\n');
		case 0x7f:
		case 0x08:
			return (TUI_KEY_BACKSPACE);
		}
		return ((int)wc);
	}
	switch (wc) {
	case KEY_UP:
		return (TUI_KEY_UP);
	case KEY_DOWN:
		return (TUI_KEY_DOWN);
	case KEY_LEFT:
		return (TUI_KEY_LEFT);
	case KEY_RIGHT:
		return (TUI_KEY_RIGHT);
	case KEY_HOME:
		return (TUI_KEY_HOME);
	case KEY_END:
		return (TUI_KEY_END);
	case KEY_PPAGE:
		return (TUI_KEY_PGUP);
	case KEY_NPAGE:
		return (TUI_KEY_PGDN);
	case KEY_IC:
		return (TUI_KEY_INS);
	case KEY_DC:
		return (TUI_KEY_DEL);
	case KEY_BACKSPACE:
		return (TUI_KEY_BACKSPACE);
	case KEY_BTAB:
		return (TUI_KEY_BTAB);
	case KEY_ENTER:
		return ('\n');
	case KEY_RESIZE:
		return (TUI_KEY_RESIZE);
	}
	if (wc >= KEY_F(1) && wc <= KEY_F(24))
		return (TUI_KEY_F((int)wc - KEY_F0));
	return (0);
}

/* Time and bytes of the key just handled, for the benchmark. */
static void
stats_end(struct tui *t)
{
	struct tui_priv	*p = priv(t);
	struct buf	 name = BUF_INIT;

	if (p->stats == NULL || p->stat_key == 0)
		return;
	headless_count(p);
	tui_key_name(p->stat_key, &name);
	fprintf(p->stats, "%s\t%llu\t%llu\t%llu\t%u\n", name.data,
	    (unsigned long long)(clock_monotonic_ns() - p->stat_ns),
	    (unsigned long long)(p->bytes - p->stat_bytes),
	    (unsigned long long)p->stat_call_ns, p->stat_calls);
	p->stat_key = 0;
	buf_release(&name);
}

/* Does a screen of the stack await the server? */
static int
screens_waiting(struct tui *t)
{
	struct tui_screen	*s;

	for (s = t->top; s != NULL; s = s->below)
		if (s->ops->waiting != NULL && s->ops->waiting(s))
			return (1);
	return (0);
}

/* A script's <wait> or <dump> while a screen awaits the server: a tick
 * (the step done again after it), timed from the first. */
static int
headless_wait(struct tui *t)
{
	struct tui_priv	*p = priv(t);

	p->script.at--;
	if (p->wait_ns == 0) {
		headless_count(p);
		p->wait_ns = clock_monotonic_ns();
		p->wait_bytes = p->bytes;
	}
	usleep(1000);
	return (TUI_KEY_TICK);
}

/* A <wait> done: its line in the statistics, 0 when nothing was
 * awaited (one line for each step, as the benchmark counts them). */
static void
headless_waited(struct tui *t)
{
	struct tui_priv	*p = priv(t);

	if (p->stats != NULL) {
		headless_count(p);
		fprintf(p->stats, "wait\t%llu\t%llu\n", (unsigned long long)
		    (p->wait_ns != 0 ? clock_monotonic_ns() - p->wait_ns : 0),
		    (unsigned long long)(p->wait_ns != 0 ? p->bytes -
		    p->wait_bytes : 0));
	}
	p->wait_ns = 0;
}

int
tui_getkey(struct tui *t)
{
	struct tui_priv	*p = priv(t);
	struct tui_step	*st;
	wint_t		 wc;
	uint64_t	 t0;
	int		 r, k, errors = 0, tick, idle, ms;

	if (t->hangup)
		return (TUI_KEY_HUP);
	refresh();
	stats_end(t);
	if (t->headless) {
		while (p->script.at < p->script.n) {
			st = &p->script.steps[p->script.at++];
			switch (st->kind) {
			case TUI_STEP_WAIT:
			case TUI_STEP_DUMP:
				if (p->tick_ok && screens_waiting(t))
					return (headless_wait(t));
				if (st->kind == TUI_STEP_WAIT) {
					headless_waited(t);
					continue;
				}
				p->wait_ns = 0;
				dump_screen(t);
				continue;
			case TUI_STEP_PEEK:
				dump_screen(t);
				continue;
			case TUI_STEP_HUP:
				t->hangup = 1;
				return (TUI_KEY_HUP);
			case TUI_STEP_RESIZE:
				resizeterm(st->rows, st->cols);
				getmaxyx(stdscr, t->rows, t->cols);
				return (TUI_KEY_RESIZE);
			case TUI_STEP_KEY:
				p->stat_key = st->key;
				headless_count(p);
				p->stat_ns = clock_monotonic_ns();
				p->stat_bytes = p->bytes;
				p->stat_call_ns = 0;
				p->stat_calls = 0;
				return (st->key);
			}
		}
		/* The end of the script is a terminal gone. */
		t->hangup = 1;
		return (TUI_KEY_HUP);
	}
	tick = p->tick_ok && screens_waiting(t);
	idle = p->tick_ok && !tick && p->idle_ms > 0 && t->top != NULL &&
	    t->top->ops->idle != NULL && !too_small(t);
	ms = tick ? TUI_TICK_MS : idle ? p->idle_ms : -1;
	for (;;) {
		if (hup_signal) {
			t->hangup = 1;
			return (TUI_KEY_HUP);
		}
		/* Waiting for the server: a tick when no key comes; a
		 * screen that follows others' changes: the same, slower. */
		timeout(ms);
		t0 = clock_monotonic_ns();
		errno = 0;
		r = get_wch(&wc);
		if (r == ERR && ms != -1 && errno != EINTR &&
		    clock_monotonic_ns() - t0 >= (uint64_t)ms * 500000ULL) {
			timeout(-1);
			return (tick ? TUI_KEY_TICK : TUI_KEY_IDLE);
		}
		if (r == ERR) {
			/*
			 * A signal, or the terminal is gone: a read error
			 * must end the program, never be retried forever
			 * (the SSH-drop spin of TUI.md).
			 */
			if (hup_signal || errno != EINTR || ++errors > 100) {
				t->hangup = 1;
				return (TUI_KEY_HUP);
			}
			continue;
		}
		if ((k = map_curses_key(r, wc)) == 0)
			continue;
		if (k == TUI_KEY_RESIZE)
			getmaxyx(stdscr, t->rows, t->cols);
		return (k);
	}
}

/* Prompts and confirmations. */

/* Completion of a command name on the ':' line: the longest common
 * prefix of the names that start with what is typed. */
static void
complete_command(struct tui *t, struct buf *line)
{
	const struct tui_cmd	*v[128];
	struct buf		 all = BUF_INIT;
	const char		*first = NULL;
	size_t			 n, i, common = 0, m = 0, k;

	if (strchr(line->data, ' ') != NULL)
		return;
	n = tui_commands(t->top, v, nitems(v));
	for (i = 0; i < n; i++) {
		if (strncmp(v[i]->name, line->data, line->len) != 0)
			continue;
		if (m++ == 0) {
			first = v[i]->name;
			common = strlen(first);
		} else {
			for (k = 0; k < common && v[i]->name[k] == first[k];
			    k++)
				;
			common = k;
		}
		buf_printf(&all, "%s%s", all.len ? " " : "", v[i]->name);
	}
	if (m == 0) {
		tui_error(t, _("no command starts with '%s'"), line->data);
		buf_release(&all);
		return;
	}
	buf_reset(line);
	buf_add(line, first, common);
	if (m == 1)
		buf_addch(line, ' ');
	else
		tui_message(t, "%s", all.data);
	buf_release(&all);
}

/* The start of the character before, and after, byte at of line. */
static size_t
prompt_prev(const struct buf *line, size_t at)
{
	while (at > 0 && ((unsigned char)line->data[at - 1] & 0xc0) == 0x80)
		at--;
	return (at > 0 ? at - 1 : 0);
}

static size_t
prompt_next(const struct buf *line, size_t at)
{
	uint32_t	cp;

	return (at < line->len ? at + (utf8_decode(line->data + at,
	    line->len - at, &cp) ?: 1) : at);
}

/*
 * Draw a prompt on the row above the status line: what, then line,
 * scrolled so that byte at of line (the cursor) stays in view, the
 * cursor there, and the line marked selected when it is an offer;
 * note, when set, on the row above in the error colour.  shown is the
 * caller's room for the text, kept across redraws.
 */
/*
 * The key bar while a line is typed at the bottom (a search, a filter,
 * the ':' line): the keys of the line, not the screen's, which wait
 * (TUI.md: the bar of the current mode, as htop's).  moves: the line's
 * cursor moves; complete: Tab completes.
 */
#define PBAR_MOVES	0x01
#define PBAR_COMPLETE	0x02
static void
prompt_bar(struct tui *t, int what)
{
	static const struct {
		const char	*key;
		const char	*label;
		int		 only;
	} keys[] = {
		{ "Enter", N_("Done"), 0 },
		{ "Esc", N_("Cancel"), 0 },
		{ "Tab", N_("Complete"), PBAR_COMPLETE },
		{ "←→", N_("Move"), PBAR_MOVES },
		{ "Ctrl-U", N_("Clear"), 0 },
	};
	size_t	i;
	int	col = 0;

	tui_fill(t, t->rows - 1, 0, t->cols, TUI_NORMAL);
	for (i = 0; i < nitems(keys) && col >= 0; i++)
		if (keys[i].only == 0 || (what & keys[i].only))
			col = bar_item(t, col, keys[i].key, _(keys[i].label));
}

static void
prompt_draw(struct tui *t, const char *what, const struct buf *line,
    size_t at, int offer, const char *note, int bar, struct buf *shown)
{
	size_t		 i, start;
	uint32_t	 cp;
	int		 row, cw, x;

	draw_frame(t);
	if (too_small(t))
		return;
	prompt_bar(t, bar);
	row = t->rows - 2;
	if (note != NULL && *note != '\0') {
		tui_fill(t, row - 1, 0, t->cols, TUI_ERROR);
		tui_text(t, row - 1, 0, t->cols, note, TUI_ERROR, 1, 0);
	}
	buf_reset(shown);
	buf_printf(shown, "%s", what);
	start = shown->len;
	buf_add(shown, line->data, line->len);
	i = 0;
	cw = (int)utf8_width(shown->data, start + at);
	while (cw > t->cols - 1 && i < start + at) {
		i += utf8_decode(shown->data + i, shown->len - i, &cp) ?: 1;
		cw = (int)utf8_width(shown->data + i, start + at - i);
	}
	tui_fill(t, row, 0, t->cols, TUI_NORMAL);
	tui_text(t, row, 0, t->cols, shown->data + i, TUI_NORMAL, 1, 0);
	if (offer && line->len > 0 && i <= start) {
		x = (int)utf8_width(shown->data + i, start - i);
		tui_text(t, row, x, t->cols - x, line->data, TUI_SELECT, 0,
		    0);
	}
	curs_set(1);
	move(row, cw < t->cols ? cw : t->cols - 1);
	refresh();
}

/*
 * A prompt's next key.  Returns 0 when the prompt is over, with *r its
 * result (-1 hang-up, 0 Enter, 1 Esc or Ctrl-G); else 1 with the key in
 * *key (TUI_KEY_RESIZE: draw again), the message row cleared unless it
 * was a resize.
 */
static int
prompt_key(struct tui *t, int *key, int *r)
{
	*key = tui_getkey(t);
	if (*key == TUI_KEY_HUP) {
		*r = -1;
		return (0);
	}
	if (*key == TUI_KEY_RESIZE)
		return (1);
	buf_reset(&priv(t)->msg);
	if (*key == '\n') {
		*r = 0;
		return (0);
	}
	if (*key == TUI_KEY_ESC || *key == TUI_CTRL('g')) {
		*r = 1;
		return (0);
	}
	return (1);
}

int
tui_prompt(struct tui *t, const char *what, struct buf *line,
    void (*change)(struct tui *, const char *, void *), void *arg)
{
	struct tui_priv	*p = priv(t);
	struct buf	 shown = BUF_INIT;
	int		 key, r = -1, cmdline;

	cmdline = strcmp(what, ":") == 0;
	p->in_prompt = 1;
	for (;;) {
		/* The cursor at the end: the end of a long line in view. */
		prompt_draw(t, what, line, line->len, 0, NULL,
		    cmdline ? PBAR_COMPLETE : 0, &shown);
		if (!prompt_key(t, &key, &r))
			break;
		if (key == TUI_KEY_RESIZE)
			continue;
		if (key == TUI_KEY_BACKSPACE || key == TUI_CTRL('h'))
			buf_truncate(line, prompt_prev(line, line->len));
		else if (key == TUI_CTRL('u'))
			buf_reset(line);
		else if (key == '\t' && cmdline)
			complete_command(t, line);
		else if (key >= 0x20 && key < TUI_KEY_BASE && key != 0x7f)
			utf8_encode(line, (uint32_t)key);
		else
			continue;
		if (change != NULL)
			change(t, line->data, arg);
	}
	p->in_prompt = 0;
	curs_set(0);
	buf_release(&shown);
	return (r);
}

/* The question cut into lines of at most width cells, at blanks where
 * it can be. */
static size_t
wrap_lines(const char *q, int width, char ***out)
{
	size_t	n = 0;

	*out = NULL;
	if (*q != '\0')
		tui_wrap_to(q, width, 0, out, &n);
	return (n);
}

int
tui_ask(struct tui *t, const char *question, const char *const *buttons,
    int n, int def, int esc)
{
	struct buf	  b = BUF_INIT;
	char		**lines = NULL;
	size_t		  nl = 0, i;
	int		  key, sel = def, w, h, top, left, qw, bw, r = esc, x;
	int		  cx = 0;

	for (;;) {
		draw_frame(t);
		if (!too_small(t)) {
			for (i = 0; i < nl; i++)
				free(lines[i]);
			free(lines);
			qw = (int)utf8_width(question, strlen(question));
			if (qw > t->cols - 8)
				qw = t->cols - 8;
			nl = wrap_lines(question, qw, &lines);
			for (bw = 0, i = 0; i < (size_t)n; i++)
				bw += (int)utf8_width(buttons[i],
				    strlen(buttons[i])) + 6;
			w = (qw > bw ? qw : bw) + 4;
			if (w > t->cols - 2)
				w = t->cols - 2;
			h = (int)nl + 4;
			top = (t->rows - h) / 2;
			left = (t->cols - w) / 2;
			for (key = 0; key < h; key++)
				tui_fill(t, top + key, left, w, TUI_STATUS);
			for (i = 0; i < nl; i++)
				tui_text(t, top + 1 + (int)i, left + 2, w - 4,
				    lines[i], TUI_STATUS, 0, 0);
			x = (t->cols - bw) / 2;
			for (i = 0; i < (size_t)n; i++) {
				buf_reset(&b);
				buf_printf(&b, "[ %s ]", buttons[i]);
				if ((int)i == sel)
					cx = x + 2;
				x += tui_text(t, top + h - 2, x, t->cols,
				    b.data, (int)i == sel ? TUI_SELECT :
				    TUI_STATUS, 0, 0) + 2;
			}
			/* The real cursor on the button: screen readers
			 * and braille lines follow it. */
			curs_set(1);
			move(top + h - 2, cx);
			refresh();
		}
		key = tui_getkey(t);
		if (key == TUI_KEY_HUP || key == TUI_KEY_ESC)
			break;
		if (key == '\n') {
			r = sel;
			break;
		}
		/* Buttons only: no y/n letters (the Russian Y is «н»). */
		if (key == TUI_KEY_RIGHT || key == '\t')
			sel = (sel + 1) % n;
		else if (key == TUI_KEY_LEFT || key == TUI_KEY_BTAB)
			sel = (sel + n - 1) % n;
	}
	for (i = 0; i < nl; i++)
		free(lines[i]);
	free(lines);
	curs_set(0);
	buf_release(&b);
	return (r);
}

int
tui_confirm(struct tui *t, const char *question, const char *yes)
{
	const char	*buttons[2];

	buttons[0] = _("No");
	buttons[1] = yes;
	return (tui_ask(t, question, buttons, 2, 0, 0));
}

/* Does the fold key of item start with the fold key of typed? */
static int
folded_prefix(const char *item, const char *typed)
{
	struct buf	a = BUF_INIT, b = BUF_INIT;
	int		r;

	utf8_foldkey(&a, item, strlen(item));
	utf8_foldkey(&b, typed, strlen(typed));
	r = b.len <= a.len && memcmp(a.data, b.data, b.len) == 0;
	buf_release(&a);
	buf_release(&b);
	return (r);
}

ssize_t
tui_choose(struct tui *t, const char *title, const char *const *items,
    size_t n, size_t def)
{
	struct buf	 typed = BUF_INIT;
	size_t		 i, sel = def < n ? def : 0, first = 0;
	ssize_t		 r = -1;
	int		 key, w, h, top, left, iw;

	if (n == 0)
		return (-1);
	for (;;) {
		draw_frame(t);
		if (!too_small(t)) {
			w = (int)utf8_width(title, strlen(title));
			for (i = 0; i < n; i++) {
				iw = (int)utf8_width(items[i],
				    strlen(items[i]));
				w = iw > w ? iw : w;
			}
			w += 4;
			if (w > t->cols - 4)
				w = t->cols - 4;
			h = (int)n + 2 < t->rows - 4 ? (int)n + 2 : t->rows - 4;
			if (sel < first)
				first = sel;
			if (sel >= first + (size_t)(h - 2))
				first = sel - (size_t)(h - 2) + 1;
			top = (t->rows - h) / 2;
			left = (t->cols - w) / 2;
			tui_text(t, top, left, w, title, TUI_TITLE, 1, 0);
			for (i = 0; i + 1 < (size_t)h; i++)
				tui_fill(t, top + 1 + (int)i, left, w,
				    TUI_STATUS);
			for (i = first; i < n && i - first < (size_t)(h - 2);
			    i++)
				tui_text(t, top + 1 + (int)(i - first),
				    left + 2, w - 4, items[i], i == sel ?
				    TUI_SELECT : TUI_STATUS, 1, 0);
			refresh();
		}
		key = tui_getkey(t);
		if (key == TUI_KEY_HUP || key == TUI_KEY_ESC)
			break;
		if (key == '\n') {
			r = (ssize_t)sel;
			break;
		}
		if (key == TUI_KEY_DOWN && sel + 1 < n)
			sel++;
		else if (key == TUI_KEY_UP && sel > 0)
			sel--;
		else if (key == TUI_KEY_HOME)
			sel = 0;
		else if (key == TUI_KEY_END)
			sel = n - 1;
		else if (key == TUI_KEY_BACKSPACE)
			buf_reset(&typed);
		else if (key >= 0x20 && key < TUI_KEY_BASE) {
			/* Type-ahead of our own: libmenu's is byte-based. */
			utf8_encode(&typed, (uint32_t)key);
			for (i = 0; i < n; i++)
				if (folded_prefix(items[i], typed.data))
					break;
			if (i < n)
				sel = i;
			else {
				buf_reset(&typed);
				utf8_encode(&typed, (uint32_t)key);
			}
		}
	}
	buf_release(&typed);
	return (r);
}

/* The stack. */

struct tui_screen *
tui_screen_new(const struct tui_screen_ops *ops, void *data)
{
	struct tui_screen	*s = xcalloc(1, sizeof *s);

	s->ops = ops;
	s->data = data;
	return (s);
}

void
tui_push(struct tui *t, struct tui_screen *s)
{
	s->below = t->top;
	t->top = s;
}

static void
screen_free(struct tui_screen *s)
{
	if (s->ops->free != NULL)
		s->ops->free(s);
	free(s);
}

void
tui_pop(struct tui *t)
{
	struct tui_screen	*s = t->top;

	if (s == NULL)
		return;
	t->top = s->below;
	screen_free(s);
	if (t->top == NULL)
		priv(t)->quit = 1;
	else if (t->top->ops->resume != NULL)
		t->top->ops->resume(t, t->top);
}

struct tui_screen *
tui_top(struct tui *t)
{
	return (t->top);
}

void
tui_redraw(struct tui *t)
{
	priv(t)->redraw = 1;
}

void
tui_quit(struct tui *t)
{
	priv(t)->quit = 1;
}

/* Commands. */

/*
 * What a command that needs a row (TUI_CMD_ROW) says where there is
 * none, in words an operator knows rather than the command's name.
 */
static const struct {
	const char	*cmd;
	const char	*msg;
} norow_msgs[] = {
	{ "open", N_("there is no section here to open") },
	{ "list-open", N_("there is no record here to open") },
	{ "group-open", N_("there is no group here to open") },
	{ "picker-choose", N_("there is no record here to choose") },
	{ "card-archive", N_("there is no saved record here to archive") },
};

static int
run_cmd(struct tui *t, const struct tui_cmd *c, const char *arg)
{
	struct tui_screen	*s = t->top;
	size_t			 i;

	if ((c->flags & TUI_CMD_ROW) && (s->ops->has_row == NULL ||
	    !s->ops->has_row(t, s))) {
		for (i = 0; i < nitems(norow_msgs); i++)
			if (strcmp(norow_msgs[i].cmd, c->name) == 0)
				return (tui_error(t, "%s",
				    _(norow_msgs[i].msg)));
		return (tui_error(t, "%s", _("there is no row here for "
		    "that")));
	}
	return (c->fn(t, s, arg));
}

int
tui_dispatch(struct tui *t, int key)
{
	const struct tui_cmd	*c;
	int			 k = key;

	if (t->top == NULL)
		return (1);
	for (;;) {
		if ((c = cmd_by_key(screen_cmds(t->top), k)) != NULL ||
		    (c = cmd_by_key(tui_global_cmds, k)) != NULL) {
			run_cmd(t, c, NULL);
			return (0);
		}
		/* The Russian layout: the Latin letter of the same key. */
		if (k < 0x400 || k > 0x4ff || (k = (int)utf8_layout_latin(
		    (uint32_t)k)) == key)
			return (1);
	}
}

int
tui_run_command(struct tui *t, const char *name, const char *arg)
{
	const struct tui_cmd	*c;

	if (t->top == NULL)
		return (-1);
	if ((c = cmd_by_name(screen_cmds(t->top), name)) == NULL &&
	    (c = cmd_by_name(tui_global_cmds, name)) == NULL)
		return (tui_error(t, _("unknown command '%s'; Tab completes "
		    "the names"), name));
	if (arg != NULL && *arg == '\0')
		arg = NULL;
	if (arg != NULL && !(c->flags & TUI_CMD_ARG))
		return (tui_error(t, _("command '%s' takes no argument"),
		    name));
	return (run_cmd(t, c, arg));
}

static int
any_unsaved(struct tui *t)
{
	struct tui_screen	*s;

	for (s = t->top; s != NULL; s = s->below)
		if (s->ops->unsaved != NULL && s->ops->unsaved(t, s))
			return (1);
	return (0);
}

static int
g_quit(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)s;
	(void)arg;
	if (any_unsaved(t) && !tui_confirm(t, _("Quit and lose the unsaved "
	    "changes?"), _("Quit")))
		return (0);
	tui_quit(t);
	return (0);
}

/*
 * A screen that can hold unsaved changes has its own "back" with its
 * own question (the card's); this one asks too, so that no screen is
 * ever left by a key with its changes lost unasked.
 */
static int
g_back(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	if (s->below == NULL)
		return (g_quit(t, s, NULL));
	if (s->ops->unsaved != NULL && s->ops->unsaved(t, s) &&
	    tui_confirm(t, _("Discard the unsaved changes?"),
	    _("Discard")) != 1)
		return (0);
	tui_pop(t);
	return (0);
}

static int
g_help(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	tui_push(t, tui_help_new(t, s));
	return (0);
}

static int
g_messages(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)s;
	(void)arg;
	tui_push(t, tui_messages_new(t));
	return (0);
}

static int
g_redraw(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	/* Read again what the screen shows (counts, the newest records,
	 * a card nobody edits here), which others may have changed, as
	 * when it comes back on top. */
	if (s->ops->resume != NULL)
		s->ops->resume(t, s);
	tui_redraw(t);
	return (0);
}

static int
g_command(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct buf	 line = BUF_INIT;
	char		*sp;
	int		 r = 0;

	(void)s;
	(void)arg;
	if (tui_prompt(t, ":", &line, NULL, NULL) == 0) {
		buf_trim(&line);
		if ((sp = strchr(line.data, ' ')) != NULL) {
			/* "save-screen  /tmp/x" (a completion's blank and
			 * one typed): the argument is what follows the
			 * blanks. */
			*sp++ = '\0';
			sp += strspn(sp, " ");
		}
		if (*line.data != '\0')
			r = tui_run_command(t, line.data, sp);
	}
	buf_release(&line);
	return (r);
}

static int
g_save_screen(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct tui_priv	*p = priv(t);
	FILE		*old = p->dump, *f;

	(void)s;
	if (arg == NULL)
		return (tui_error(t, _("save-screen needs a file name")));
	if ((f = fopen(arg, "w")) == NULL)
		return (tui_error(t, _("cannot write '%s': %s"), arg,
		    strerror(errno)));
	draw_all(t);
	p->dump = f;
	dump_screen(t);
	p->dump = old;
	p->ndumps--;
	fclose(f);
	tui_message(t, _("the screen is in '%s'"), arg);
	return (0);
}

static int
g_report(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)s;
	return (tui_report_open(t, arg));
}

const struct tui_cmd tui_global_cmds[] = {
	{ "help", { TUI_KEY_F(1), '?' }, N_("Help"),
	    N_("the keys of this screen"), 0, g_help },
	{ "back", { TUI_KEY_ESC, 'q' }, NULL,
	    N_("back to the screen before (quits on the first)"), 0,
	    g_back },
	{ "quit", { TUI_KEY_F(10), 'Q' }, N_("Quit"),
	    N_("quit clerk (asks first when something is unsaved)"), 0,
	    g_quit },
	{ "command", { ':' }, NULL,
	    N_("type a command by name (Tab completes)"), 0, g_command },
	{ "redraw", { TUI_CTRL('l') }, NULL,
	    N_("read the screen's data again and draw it whole"), 0,
	    g_redraw },
	{ "messages", { 0 }, NULL,
	    N_("the messages shown so far"), 0, g_messages },
	{ "save-screen", { 0 }, NULL,
	    N_("write the screen as text to a file"), TUI_CMD_ARG,
	    g_save_screen },
	{ "report", { 0 }, NULL,
	    N_("run a report from any screen (or the report NAME)"),
	    TUI_CMD_ARG, g_report },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};

/* The server. */

int
tui_callv(struct tui *t, const char *verb, int argc, char **argv,
    struct buf *out, struct buf *err)
{
	struct proto_response	 resp;
	uint64_t		 t0;
	size_t			 i;
	int			 r = 0, cr;

	t0 = clock_monotonic_ns();
	cr = client_call(t->client, verb, argc, argv, NULL, 0, &resp, err);
	priv(t)->stat_call_ns += clock_monotonic_ns() - t0;
	priv(t)->stat_calls++;
	if (cr != 0) {
		proto_response_release(&resp);
		return (-1);
	}
	buf_reset(&priv(t)->warned);
	for (i = 0; i < resp.nwarnings; i++) {
		tui_message(t, "%s", resp.warnings[i]);
		buf_printf(&priv(t)->warned, "%s%s", i > 0 ? "; " : "",
		    resp.warnings[i]);
	}
	if (resp.status != PROTO_OK) {
		if (*resp.error != '\0')
			buf_set(err, "%s", resp.error);
		else
			buf_set(err, _("'%s' failed"), verb);
		r = -1;
	} else
		buf_add(out, resp.out.data, resp.out.len);
	proto_response_release(&resp);
	return (r);
}

const char *
tui_call_warnings(struct tui *t)
{
	struct tui_priv	*p = priv(t);

	return (p->warned.len > 0 ? p->warned.data : NULL);
}

int
tui_call(struct tui *t, struct buf *out, struct buf *err, const char *verb,
    ...)
{
	va_list	 ap;
	char	*argv[32];
	int	 argc = 0;

	va_start(ap, verb);
	while (argc < (int)nitems(argv) &&
	    (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return (tui_callv(t, verb, argc, argv, out, err));
}

/* Running it. */

/*
 * The headless terminal's output: counted and dropped.  ncurses writes
 * to the descriptor of its FILE, not through stdio, so the output is a
 * scratch file whose offset says what was written; it is emptied each
 * time it is counted.
 */
static void
headless_count(struct tui_priv *p)
{
	off_t	off;
	int	fd;

	if (p->out == NULL)
		return;
	fflush(p->out);
	fd = fileno(p->out);
	if ((off = lseek(fd, 0, SEEK_CUR)) > 0) {
		p->bytes += (uint64_t)off;
		if (ftruncate(fd, 0) == 0)
			lseek(fd, 0, SEEK_SET);
	}
}

static int
term_init(struct tui *t, const struct tui_options *o, struct buf *err)
{
	struct tui_priv		*p = priv(t);

	if (o->headless) {
		/*
		 * newterm() on a null output of a fixed type and size, so
		 * the screens come out the same on every machine; keys
		 * come from the script, above curses.
		 */
		if ((p->out = tmpfile()) == NULL ||
		    (p->in = fopen("/dev/null", "r")) == NULL)
			return (buf_error(err, _("cannot set up the "
			    "headless terminal: %s"), strerror(errno)));
		p->term = newterm("xterm-256color", p->out, p->in);
		if (p->term == NULL)
			return (buf_error(err, _("cannot set up the "
			    "headless terminal: no terminfo entry for "
			    "'xterm-256color'")));
		set_term(p->term);
		resizeterm(o->rows, o->cols);
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
			return (buf_error(err, _("the terminal interface "
			    "needs a terminal; 'clerk help' lists the "
			    "commands")));
		p->term = newterm(NULL, stdout, stdin);
		if (p->term == NULL)
			return (buf_error(err, _("cannot use the terminal "
			    "'%s'"), getenv("TERM") != NULL ? getenv("TERM") :
			    ""));
		set_term(p->term);
	}
	fatal_tui = t;
	fatal_set_hook(fatal_hook);
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* Ctrl-S and Ctrl-Q are keys (save), not flow control. */
	raw();
	/* A terminal that cannot show its cursor gets it drawn. */
	t->no_cursor = curs_set(1) == ERR;
	curs_set(0);
	colors_init(t);
	getmaxyx(stdscr, t->rows, t->cols);
	return (0);
}

static void
term_end(struct tui *t)
{
	struct tui_priv	*p = priv(t);

	if (p->term == NULL)
		return;
	if (!isendwin())
		endwin();
	delscreen(p->term);
	p->term = NULL;
	fatal_tui = NULL;
	if (p->out != NULL)
		fclose(p->out);
	if (p->in != NULL)
		fclose(p->in);
}

static int
load_schema(struct tui *t, struct buf *err)
{
	struct buf	out = BUF_INIT;
	int		r;

	if ((r = tui_call(t, &out, err, "schema", (char *)NULL)) == 0)
		r = tui_schema_parse(&t->schema, out.data, out.len, err);
	buf_release(&out);
	return (r);
}

static int
lang_of_locale(void)
{
	const char	*s;

	if (((s = getenv("LC_ALL")) == NULL || *s == '\0') &&
	    ((s = getenv("LC_MESSAGES")) == NULL || *s == '\0') &&
	    ((s = getenv("LANG")) == NULL || *s == '\0'))
		s = "";
	return (strncmp(s, "ru", 2) == 0);
}

static int
read_script(const char *path, struct tui_script *sc, struct buf *err)
{
	struct buf	 b = BUF_INIT;
	FILE		*f;
	char		 chunk[4096];
	size_t		 n;
	int		 r;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL)
		return (buf_error(err, _("cannot read the key script '%s': "
		    "%s"), path, strerror(errno)));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (f != stdin)
		fclose(f);
	r = tui_script_parse(sc, b.data, b.len, err);
	buf_release(&b);
	return (r);
}

/* Keep what can be kept (drafts), without drawing or asking. */
static void
keep_unsaved(struct tui *t)
{
	struct tui_screen	*s;

	for (s = t->top; s != NULL; s = s->below)
		if (s->ops->hangup != NULL)
			s->ops->hangup(t, s);
}

static void
run_loop(struct tui *t)
{
	struct tui_priv		*p = priv(t);
	struct tui_screen	*s;
	struct buf		 name = BUF_INIT;
	int			 key;

	while (!p->quit && t->top != NULL) {
		for (s = t->top; s != NULL; s = s->below)
			if (s->ops->keep != NULL)
				s->ops->keep(t, s);
		draw_all(t);
		p->tick_ok = 1;
		key = tui_getkey(t);
		p->tick_ok = 0;
		if (key == TUI_KEY_HUP)
			break;
		if (key == TUI_KEY_TICK) {
			for (s = t->top; s != NULL; s = s->below)
				if (s->ops->waiting != NULL &&
				    s->ops->waiting(s) && s->ops->tick != NULL)
					s->ops->tick(t, s);
			continue;
		}
		if (key == TUI_KEY_IDLE) {
			if (t->top->ops->idle != NULL)
				t->top->ops->idle(t, t->top);
			continue;
		}
		if (key == TUI_KEY_RESIZE) {
			for (s = t->top; s != NULL; s = s->below)
				if (s->ops->resize != NULL)
					s->ops->resize(t, s);
			continue;
		}
		buf_reset(&p->msg);
		if (too_small(t)) {
			/*
			 * Only quitting works until the window grows.  No
			 * question fits to ask whether to lose unsaved
			 * changes, so they are kept as at a hang-up (the
			 * screen says so), for the next start to offer.
			 */
			if (key == TUI_KEY_F(10) || key == 'Q') {
				keep_unsaved(t);
				tui_quit(t);
			}
			continue;
		}
		if (t->top->ops->key != NULL &&
		    t->top->ops->key(t, t->top, key))
			continue;
		if (tui_dispatch(t, key) == 1) {
			buf_reset(&name);
			tui_key_name(key, &name);
			tui_error(t, _("%s does nothing here; F1 lists the "
			    "keys"), name.data);
		}
	}
	stats_end(t);
	buf_release(&name);
	if (t->hangup)
		keep_unsaved(t);
}

/* An environment variable, unset when empty (as the client reads it). */
static const char *
env_set(const char *name)
{
	const char	*s = getenv(name);

	return (s != NULL && *s != '\0' ? s : NULL);
}

/*
 * The database as a name that no locale changes, for the drafts: the
 * server's socket when one is used, else the real data folder, picked
 * in client_open()'s order.
 */
static char *
database_where(const struct client_options *o)
{
	struct buf	 b = BUF_INIT, err = BUF_INIT;
	struct stat	 sb;
	const char	*s = NULL, *root;
	char		 real[PATH_MAX], *r;

	if (o->socket != NULL)
		s = o->socket;
	else if (!o->personal && o->dir == NULL) {
		if ((s = env_set("CLERK_SOCKET")) == NULL &&
		    env_set("CLERK_DIR") == NULL) {
			root = env_set("CLERK_SYSTEM_ROOT");
			buf_printf(&b, "%s%s", root != NULL ? root : "",
			    CLIENT_SYSTEM_SOCKET);
			buf_printf(&err, "%s%s", root != NULL ? root : "",
			    CLIENT_SYSTEM_DIR);
			if (lstat(b.data, &sb) == 0 || lstat(err.data,
			    &sb) == 0)
				s = b.data;
		}
	}
	if (s != NULL)
		r = xstrdup(realpath(s, real) != NULL ? real : s);
	else if (client_data_dir(o->dir, 0, &b, &err) == 0)
		r = xstrdup(b.data);
	else
		r = xstrdup("");
	buf_release(&b);
	buf_release(&err);
	return (r);
}

int
tui_main(const struct tui_options *o)
{
	struct tui		 t;
	struct tui_priv		 p;
	struct buf		 err = BUF_INIT;
	struct sigaction	 sa;
	struct tui_screen	*s;
	const char		*dir, *idle;
	double			 secs;
	size_t			 i;
	int			 status = 1;

	memset(&t, 0, sizeof t);
	memset(&p, 0, sizeof p);
	t.priv = &p;
	t.headless = o->headless;
	t.lang = lang_of_locale();
	/* CLERK_TUI_IDLE: seconds between the rereads of an idle screen
	 * (0: none; the tests that do not look at them). */
	p.idle_ms = TUI_IDLE_MS;
	if ((idle = getenv("CLERK_TUI_IDLE")) != NULL && *idle != '\0') {
		secs = strtod(idle, NULL);
		p.idle_ms = secs > 0 && secs < 86400 ? (int)(secs * 1000) : 0;
	}
	buf_init(&p.msg);
	buf_init(&p.warned);

	if (o->headless) {
		if (o->keys == NULL) {
			fprintf(stderr, "clerk: %s\n", _("--headless needs "
			    "--keys FILE"));
			return (2);
		}
		if (read_script(o->keys, &p.script, &err) != 0)
			goto out;
		if (o->dump != NULL && (p.dump = fopen(o->dump, "w")) == NULL) {
			buf_set(&err, _("cannot write '%s': %s"), o->dump,
			    strerror(errno));
			goto out;
		}
		if (o->stats != NULL &&
		    (p.stats = fopen(o->stats, "w")) == NULL) {
			buf_set(&err, _("cannot write '%s': %s"), o->stats,
			    strerror(errno));
			goto out;
		}
	}
	if (client_open(&t.client, o->client, &err) != 0)
		goto out;
	t.login = client_login(t.client);
	dir = o->client->socket != NULL ? o->client->socket :
	    o->client->dir != NULL ? o->client->dir :
	    getenv("CLERK_SOCKET") != NULL ? getenv("CLERK_SOCKET") :
	    getenv("CLERK_DIR");
	t.database = xstrdup(dir != NULL && *dir != '\0' ? dir :
	    _("personal database"));
	t.where = database_where(o->client);
	if (load_schema(&t, &err) != 0)
		goto out;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a hang-up must interrupt the wait for a key. */
	sa.sa_handler = on_hangup;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (term_init(&t, o, &err) != 0)
		goto out;
	log_set_sink(log_to_status, &t);
	tui_push(&t, tui_home_new(&t));
	/* Marked as running first: the drafts kept as another clerk of
	 * ours types are not offered here. */
	if (draft_live(&err) != 0) {
		log_warn("%s", err.data);
		buf_reset(&err);
	}
	tui_drafts_offer(&t);
	run_loop(&t);
	status = 0;
out:
	while ((s = t.top) != NULL) {
		t.top = s->below;
		screen_free(s);
	}
	term_end(&t);
	draft_live_end();
	log_set_sink(NULL, NULL);
	if (status != 0 && err.len > 0)
		fprintf(stderr, "clerk: %s\n", err.data);
	if (t.client != NULL)
		client_close(t.client);
	tui_schema_release(&t.schema);
	tui_script_release(&p.script);
	if (p.dump != NULL)
		fclose(p.dump);
	if (p.stats != NULL)
		fclose(p.stats);
	for (i = 0; i < p.nhistory; i++)
		free(p.history[i]);
	free(t.database);
	free(t.where);
	buf_release(&p.msg);
	buf_release(&p.warned);
	buf_release(&err);
	return (status);
}

/* For tui_messages_new(). */
size_t
tui_history(struct tui *t, char ***v)
{
	*v = priv(t)->history;
	return (priv(t)->nhistory);
}

/*
 * A prompt whose cursor moves (Left, Right, Home, End, Delete), for the
 * filter: a mistake in a query is shown with the cursor on its column.
 * cursor is a byte offset at the start of a character; note, when set,
 * is shown on the row above (the message of the mistake).  An offer
 * (TUI_PROMPT_OFFER) is selected until the first key: a character
 * typed replaces it, a deletion clears it, a move keeps it to edit.
 */
int
tui_prompt_at(struct tui *t, const char *what, struct buf *line,
    size_t *cursor, const char *note, int flags,
    void (*change)(struct tui *, const char *, void *), void *arg)
{
	struct tui_priv	*p = priv(t);
	struct buf	 shown = BUF_INIT, tail = BUF_INIT;
	size_t		 at, start, end;
	int		 key, r = -1, offer;

	at = cursor != NULL && *cursor <= line->len ? *cursor : line->len;
	offer = (flags & TUI_PROMPT_OFFER) && line->len > 0;
	p->in_prompt = 1;
	for (;;) {
		prompt_draw(t, what, line, at, offer, note, PBAR_MOVES,
		    &shown);
		if (!prompt_key(t, &key, &r))
			break;
		if (key == TUI_KEY_RESIZE)
			continue;
		note = NULL;
		/* The offer taken as it is or edited: the whole of it goes
		 * on the first character or deletion, as a selection. */
		if (offer && (key == TUI_KEY_BACKSPACE ||
		    key == TUI_CTRL('h') || key == TUI_KEY_DEL ||
		    key == TUI_CTRL('d') || (key >= 0x20 &&
		    key < TUI_KEY_BASE && key != 0x7f))) {
			buf_reset(line);
			at = 0;
			if (key < 0x20 || key >= TUI_KEY_BASE) {
				offer = 0;
				if (change != NULL)
					change(t, line->data, arg);
				continue;
			}
		}
		offer = 0;
		if (key == TUI_KEY_LEFT || key == TUI_CTRL('b')) {
			at = prompt_prev(line, at);
			continue;
		}
		if (key == TUI_KEY_RIGHT || key == TUI_CTRL('f')) {
			at = prompt_next(line, at);
			continue;
		}
		if (key == TUI_KEY_HOME || key == TUI_CTRL('a')) {
			at = 0;
			continue;
		}
		if (key == TUI_KEY_END || key == TUI_CTRL('e')) {
			at = line->len;
			continue;
		}
		start = at;
		end = at;
		if (key == TUI_KEY_BACKSPACE || key == TUI_CTRL('h'))
			start = prompt_prev(line, at);
		else if (key == TUI_KEY_DEL || key == TUI_CTRL('d'))
			end = prompt_next(line, at);
		else if (key == TUI_CTRL('u')) {
			/* Clear, as its label says: the whole line, not only
			 * what is left of the cursor (which a mistake may
			 * have put in the middle). */
			start = 0;
			end = line->len;
		} else if (key < 0x20 || key >= TUI_KEY_BASE || key == 0x7f)
			continue;
		/* Cut [start, end) and put the typed character there. */
		buf_reset(&tail);
		buf_add(&tail, line->data + end, line->len - end);
		buf_truncate(line, start);
		if (key >= 0x20 && key < TUI_KEY_BASE && key != 0x7f &&
		    start == end)
			utf8_encode(line, (uint32_t)key);
		at = line->len;
		buf_add(line, tail.data, tail.len);
		if (change != NULL)
			change(t, line->data, arg);
	}
	p->in_prompt = 0;
	curs_set(0);
	if (cursor != NULL)
		*cursor = at;
	buf_release(&shown);
	buf_release(&tail);
	return (r);
}
