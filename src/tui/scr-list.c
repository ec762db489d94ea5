/*
 * scr-list.c: the one list screen, for any table.  Columns come from
 * the form, fitted to the terminal by display width; rows come a page
 * at a time from the "page" verb, after or before the positions of the
 * rows in hand, so a table of a million rows is never loaded (a
 * window of a few screens is kept).  Sorting is by indexed columns;
 * search walks the matches of the word index in the list's order.  A
 * filter (a condition of the query language) and a sort by several keys
 * go to the server's query engine through the same verb, which then
 * hands out positions in its result.  Drawing asks the server nothing;
 * the commands do.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui_int.h"

#define LIST_COL_MAX	40	/* natural width of a column at most */
#define LIST_COL_MIN	6	/* a column is not cut below this */
#define LIST_COL_FIRST	28	/* nor the first one below this */
#define LIST_KEEP	4	/* screens of rows kept in the window */

struct lrow {
	uint64_t	 id;
	char		*pos;
	char		**v;
};

struct list {
	const struct tui_table	*t;
	size_t			*cols;		/* field positions */
	size_t			 ncols;
	struct buf		 colarg;	/* "name,kind,..." */
	char			*sort;		/* "name", "-name,city"; NULL = ids */
	char			*where;		/* the filter, or NULL */
	uint64_t		 shown;		/* rows the filter lets through */
	struct buf		 err;		/* the last call's error */

	struct lrow		*rows;		/* the window, in list order */
	size_t			 n;
	int			 more_before, more_after;
	size_t			 cur, top;	/* in rows */
	size_t			 col, lcol;	/* current, first shown */
	uint64_t		 total;
	int			 archived;	/* the archived records only */

	/*
	 * The tagged records, by id and sorted (bsearch): ids, not rows,
	 * since a tag holds for the whole list and not only the window.
	 * undo holds the records archived last from this list, for u.
	 */
	uint64_t		*tags;
	size_t			 ntags, tagcap;
	uint64_t		*undo;
	size_t			 nundo;

	char			*view;		/* the view loaded or saved last */
	char			*search;	/* the last search */
	uint64_t		 matches;
	int			 matches_plus;
	int			 wrap;		/* ask the next call to wrap */
	int			 wrapped;	/* -1 not said, else it did */

	struct buf		 title, position, filter;

	/*
	 * A sort, filter or End the server is still reading the whole
	 * table for (a second or two at a million rows): it answered
	 * "pending" to --nowait.  sort and where above are then what was
	 * asked for, and the rows in the window are still those of the
	 * sort and filter here, which every move uses meanwhile; a tick
	 * asks again every TUI_TICK_MS, Esc stops waiting.
	 */
	struct {
		int		 on;
		char		*sort, *where;	/* the rows' */
		char		*mode;		/* "last" (End), or NULL */
		struct buf	 what;		/* "Sorting by City…" */
		uint64_t	 done, of;	/* read so far, of */
	} wait;
};

static void
rows_free(struct lrow *r, size_t n, size_t ncols)
{
	size_t	i, c;

	for (i = 0; i < n; i++) {
		free(r[i].pos);
		for (c = 0; c < ncols; c++)
			free(r[i].v[c]);
		free(r[i].v);
	}
	free(r);
}

static int
id_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

static int
list_tagged(const struct list *l, uint64_t id)
{
	return (l->ntags > 0 && bsearch(&id, l->tags, l->ntags,
	    sizeof *l->tags, id_cmp) != NULL);
}

/* Tag (on) or untag the record id, keeping the ids sorted. */
static void
list_tag(struct list *l, uint64_t id, int on)
{
	size_t	lo = 0, hi = l->ntags, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->tags[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->ntags && l->tags[lo] == id) {
		if (!on) {
			memmove(&l->tags[lo], &l->tags[lo + 1],
			    (l->ntags - lo - 1) * sizeof *l->tags);
			l->ntags--;
		}
		return;
	}
	if (!on)
		return;
	if (l->ntags == l->tagcap) {
		l->tagcap = l->tagcap ? l->tagcap * 2 : 64;
		l->tags = xreallocarray(l->tags, l->tagcap, sizeof *l->tags);
	}
	memmove(&l->tags[lo + 1], &l->tags[lo], (l->ntags - lo) *
	    sizeof *l->tags);
	l->tags[lo] = id;
	l->ntags++;
}

static int
list_visible(struct tui *t)
{
	int	top, rows, cols;

	tui_body(t, &top, &rows, &cols);
	/* The header takes a row. */
	return (rows > 2 ? rows - 1 : 1);
}

/* The sort and filter of the rows in the window. */
static const char *
list_rsort(const struct list *l)
{
	return (l->wait.on ? l->wait.sort : l->sort);
}

static const char *
list_rwhere(const struct list *l)
{
	return (l->wait.on ? l->wait.where : l->where);
}

/* Two sorts or filters the same (NULL: none)? */
static int
list_same(const char *a, const char *b)
{
	return (strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0);
}

static void
list_wait_end(struct list *l)
{
	if (!l->wait.on)
		return;
	free(l->wait.sort);
	free(l->wait.where);
	free(l->wait.mode);
	l->wait.sort = l->wait.where = l->wait.mode = NULL;
	l->wait.on = 0;
}

static int	list_fetch_as(struct tui *, struct list *, int, const char *,
		    const char *, const char *, size_t, struct lrow **,
		    size_t *, int *);

/*
 * One call of "page" for the rows' sort and filter: mode is NULL (from
 * the start), "after", "at", "before" or "last"; search NULL for all
 * rows.  The rows come in list order.
 */
static int
list_fetch(struct tui *t, struct list *l, const char *mode, const char *pos,
    const char *search, size_t limit, struct lrow **rowsp, size_t *np,
    int *more)
{
	return (list_fetch_as(t, l, 0, mode, pos, search, limit, rowsp, np,
	    more));
}

/* The same for the sort and filter asked for when want is set, with
 * --nowait: 2 when the server is still reading for them
 * (l->wait.done and .of say how far it is). */
static int
list_fetch_as(struct tui *t, struct list *l, int want, const char *mode,
    const char *pos, const char *search, size_t limit, struct lrow **rowsp,
    size_t *np, int *more)
{
	struct tui_lines	 ls;
	const struct tui_line	*ln;
	struct buf		 out = BUF_INIT, err = BUF_INIT, opt = BUF_INIT;
	struct lrow		*rows = NULL;
	char			*argv[20], lim[16];
	const char		*k, *sort, *where;
	size_t			 i, c, n = 0;
	int			 argc = 0, pending = 0;

	sort = want ? l->sort : list_rsort(l);
	where = want ? l->where : list_rwhere(l);
	snprintf(lim, sizeof lim, "%zu", limit);
	argv[argc++] = l->t->name;
	argv[argc++] = (char *)"--cols";
	argv[argc++] = l->colarg.data;
	argv[argc++] = (char *)"--limit";
	argv[argc++] = lim;
	if (sort != NULL) {
		argv[argc++] = (char *)"--sort";
		argv[argc++] = (char *)sort;
	}
	if (mode != NULL) {
		buf_printf(&opt, "--%s", mode);
		argv[argc++] = opt.data;
		if (pos != NULL)
			argv[argc++] = (char *)pos;
	}
	if (search != NULL) {
		argv[argc++] = (char *)"--search";
		argv[argc++] = (char *)search;
	}
	if (where != NULL) {
		argv[argc++] = (char *)"--where";
		argv[argc++] = (char *)where;
	}
	if (l->wrap && pos != NULL)
		argv[argc++] = (char *)"--wrap";
	if (want)
		argv[argc++] = (char *)"--nowait";
	if (l->archived)
		argv[argc++] = (char *)"--archived-only";
	l->wrapped = -1;
	*rowsp = NULL;
	*np = 0;
	*more = 0;
	buf_reset(&l->err);
	if (tui_callv(t, "page", argc, argv, &out, &err) != 0) {
		buf_adds(&l->err, err.data);
		tui_error(t, "%s", err.data);
		buf_release(&out);
		buf_release(&err);
		buf_release(&opt);
		return (-1);
	}
	tui_lines_parse(&ls, out.data, out.len, NULL);
	rows = xcalloc(ls.n + 1, sizeof *rows);
	for (i = 0; i < ls.n; i++) {
		ln = &ls.v[i];
		k = tui_line_get(ln, 0);
		if (strcmp(k, "total") == 0)
			l->total = strtoull(tui_line_get(ln, 1), NULL, 10);
		else if (strcmp(k, "filtered") == 0)
			l->shown = strtoull(tui_line_get(ln, 1), NULL, 10);
		else if (strcmp(k, "shown") == 0) {
			l->matches = strtoull(tui_line_get(ln, 1), NULL, 10);
			l->matches_plus = *tui_line_get(ln, 2) == '+';
		} else if (strcmp(k, "more") == 0)
			*more = strcmp(tui_line_get(ln, 1), "1") == 0;
		else if (strcmp(k, "wrapped") == 0)
			l->wrapped = strcmp(tui_line_get(ln, 1), "1") == 0;
		else if (strcmp(k, "pending") == 0) {
			pending = 1;
			l->wait.done = strtoull(tui_line_get(ln, 1), NULL, 10);
			l->wait.of = strtoull(tui_line_get(ln, 2), NULL, 10);
		}
		else if (strcmp(k, "row") == 0) {
			rows[n].id = strtoull(tui_line_get(ln, 1), NULL, 10);
			rows[n].pos = xstrdup(tui_line_get(ln, 2));
			rows[n].v = xcalloc(l->ncols, sizeof *rows[n].v);
			for (c = 0; c < l->ncols; c++)
				rows[n].v[c] = xstrdup(tui_line_get(ln, 3 + c));
			n++;
		}
	}
	tui_lines_release(&ls);
	buf_release(&out);
	buf_release(&err);
	buf_release(&opt);
	*rowsp = rows;
	*np = n;
	return (pending ? 2 : 0);
}

/* Replace the window. */
static void
list_set(struct list *l, struct lrow *rows, size_t n)
{
	rows_free(l->rows, l->n, l->ncols);
	l->rows = rows;
	l->n = n;
	l->cur = l->top = 0;
}

/* Rows added after the window, and rows dropped from its front when it
 * grows past a few screens. */
static void
list_append(struct tui *t, struct list *l, struct lrow *rows, size_t n)
{
	size_t	keep = (size_t)list_visible(t) * LIST_KEEP, drop;

	l->rows = xreallocarray(l->rows, l->n + n + 1, sizeof *l->rows);
	memcpy(l->rows + l->n, rows, n * sizeof *rows);
	l->n += n;
	free(rows);
	if (l->n > keep && l->top > keep / 2) {
		drop = l->top - keep / 4;
		for (size_t i = 0; i < drop; i++) {
			size_t c;

			free(l->rows[i].pos);
			for (c = 0; c < l->ncols; c++)
				free(l->rows[i].v[c]);
			free(l->rows[i].v);
		}
		memmove(l->rows, l->rows + drop, (l->n - drop) *
		    sizeof *l->rows);
		l->n -= drop;
		l->cur -= drop;
		l->top -= drop;
		l->more_before = 1;
	}
}

static void
list_prepend(struct tui *t, struct list *l, struct lrow *rows, size_t n)
{
	size_t	keep = (size_t)list_visible(t) * LIST_KEEP, i, c, from;

	l->rows = xreallocarray(l->rows, l->n + n + 1, sizeof *l->rows);
	memmove(l->rows + n, l->rows, l->n * sizeof *l->rows);
	memcpy(l->rows, rows, n * sizeof *rows);
	l->n += n;
	l->cur += n;
	l->top += n;
	free(rows);
	if (l->n > keep && l->n - l->top > keep / 2 + (size_t)list_visible(t)) {
		from = l->top + keep / 2;
		for (i = from; i < l->n; i++) {
			free(l->rows[i].pos);
			for (c = 0; c < l->ncols; c++)
				free(l->rows[i].v[c]);
			free(l->rows[i].v);
		}
		l->n = from;
		l->more_after = 1;
	}
}

/* More rows after the window; 0 when some came. */
static int
list_more_after(struct tui *t, struct list *l)
{
	struct lrow	*rows;
	size_t		 n;
	int		 more;

	if (!l->more_after || l->n == 0)
		return (-1);
	if (list_fetch(t, l, "after", l->rows[l->n - 1].pos, NULL,
	    (size_t)list_visible(t), &rows, &n, &more) != 0)
		return (-1);
	l->more_after = more;
	if (n == 0) {
		free(rows);
		return (-1);
	}
	list_append(t, l, rows, n);
	return (0);
}

static int
list_more_before(struct tui *t, struct list *l)
{
	struct lrow	*rows;
	size_t		 n;
	int		 more;

	if (!l->more_before || l->n == 0)
		return (-1);
	if (list_fetch(t, l, "before", l->rows[0].pos, NULL,
	    (size_t)list_visible(t), &rows, &n, &more) != 0)
		return (-1);
	l->more_before = more;
	if (n == 0) {
		free(rows);
		return (-1);
	}
	list_prepend(t, l, rows, n);
	return (0);
}

/* The window from the start (mode NULL), the end ("last"), or at a row
 * ("at" pos); a window that comes short is filled from before. */
static void
list_place(struct tui *t, struct list *l, const char *mode, struct lrow *rows,
    size_t n, int more)
{
	size_t	vis = (size_t)list_visible(t);

	list_set(l, rows, n);
	if (mode != NULL && strcmp(mode, "last") == 0) {
		l->more_before = more;
		l->more_after = 0;
		l->cur = n > 0 ? n - 1 : 0;
		l->top = n > vis ? n - vis : 0;
		return;
	}
	l->more_after = more;
	l->more_before = mode != NULL;
	if (mode != NULL && n < vis) {
		list_more_before(t, l);
		l->top = l->n > vis ? l->n - vis : 0;
	}
}

static int
list_load(struct tui *t, struct list *l, const char *mode, const char *pos)
{
	struct lrow	*rows;
	size_t		 n, vis = (size_t)list_visible(t);
	int		 more;

	/* Another place asked for: End waited for no longer (an End in
	 * the rows' own order, not one after an awaited sort). */
	if (l->wait.on && l->wait.mode != NULL &&
	    list_same(l->sort, l->wait.sort) &&
	    list_same(l->where, l->wait.where))
		list_wait_end(l);
	if (list_fetch(t, l, mode, pos, NULL, vis * 2, &rows, &n, &more) != 0)
		return (-1);
	list_place(t, l, mode, rows, n, more);
	return (0);
}

/*
 * The sort and filter asked for (taken: sort and where are the list's
 * from now on), the window at mode (NULL: from the start; "last").
 * When the server needs a while to read the whole table for them it
 * answers at once that it is at it: the rows stay those of the old
 * sort and filter, the status line says what is awaited (what) and how
 * far it is, and list_tick() asks again.  On a refusal the old ones
 * stay and -1 comes back with the server's message in l->err.
 */
static int
list_ask(struct tui *t, struct list *l, char *sort, char *where,
    const char *mode, const char *what)
{
	struct lrow	*rows;
	char		*osort = l->sort, *owhere = l->where;
	size_t		 n, vis = (size_t)list_visible(t);
	int		 more, r;

	l->sort = sort;
	l->where = where;
	r = list_fetch_as(t, l, 1, mode, NULL, NULL, vis * 2, &rows, &n,
	    &more);
	if (r == -1) {
		l->sort = osort;
		l->where = owhere;
		free(sort);
		free(where);
		return (-1);
	}
	if (r == 2) {
		free(rows);
		if (!l->wait.on) {
			l->wait.on = 1;
			l->wait.sort = osort;
			l->wait.where = owhere;
		} else {
			free(osort);
			free(owhere);
		}
		free(l->wait.mode);
		l->wait.mode = mode != NULL ? xstrdup(mode) : NULL;
		buf_reset(&l->wait.what);
		buf_adds(&l->wait.what, what);
		return (0);
	}
	list_wait_end(l);
	free(osort);
	free(owhere);
	list_place(t, l, mode, rows, n, more);
	return (0);
}

static char *
list_dup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

/* Screen op: still waiting for the server? */
static int
list_waiting(struct tui_screen *s)
{
	return (((struct list *)s->data)->wait.on);
}

/* Screen op: ask again for what is awaited. */
static void
list_tick(struct tui *t, struct tui_screen *s)
{
	struct list	*l = s->data;
	char		*mode, *what;

	if (!l->wait.on)
		return;
	mode = list_dup(l->wait.mode);
	what = list_dup(l->wait.what.data);
	if (list_ask(t, l, list_dup(l->sort), list_dup(l->where), mode,
	    what != NULL ? what : "") != 0) {
		/* Refused after all (the filter failed): as it was. */
		free(l->sort);
		free(l->where);
		l->sort = l->wait.sort;
		l->where = l->wait.where;
		l->wait.sort = l->wait.where = NULL;
		list_wait_end(l);
	}
	free(mode);
	free(what);
}

/* Esc while waiting: the sort and filter of the rows shown again. */
static void
list_wait_stop(struct tui *t, struct list *l)
{
	free(l->sort);
	free(l->where);
	l->sort = l->wait.sort;
	l->where = l->wait.where;
	l->wait.sort = l->wait.where = NULL;
	list_wait_end(l);
	tui_message(t, "%s", _("stopped waiting: the list is as it was"));
}

static void
list_keep_visible(struct tui *t, struct list *l)
{
	size_t	vis = (size_t)list_visible(t);

	if (l->cur < l->top)
		l->top = l->cur;
	if (l->cur >= l->top + vis)
		l->top = l->cur - vis + 1;
}

/* Drawing. */

/*
 * Is a column of a field whose value cut is of no use (a number, an
 * amount, a date, a phone, a code a checksum guards)?  Such a column
 * keeps its width (a list of phones its first whole) and the columns
 * on the right go off screen instead, to be scrolled to; names and
 * other texts give way.  As the command line's tables (cmd_cut_of()).
 */
static int
list_col_whole(const struct tui_field *f)
{
	static const char *const whole[] = { "int", "money", "qty", "date",
	    "datetime", "phone" };
	size_t	i;

	if (f->type == NULL)
		return (0);
	for (i = 0; i < nitems(whole); i++)
		if (strcmp(f->type, whole[i]) == 0)
			return (1);
	return (strcmp(f->type, "text") == 0 && f->validator != NULL);
}

/* The width of a cell's first value (a list's values joined by ", "). */
static int
first_value_width(const char *s, int multi)
{
	const char	*comma;

	if (multi && (comma = strstr(s, ", ")) != NULL)
		return ((int)utf8_width(s, (size_t)(comma - s)) + 1);
	return ((int)utf8_width(s, strlen(s)));
}

/* The first column of cells: a second mark column when rows are tagged. */
static int
list_x0(const struct list *l)
{
	return (l->ntags > 0 ? 2 : 1);
}

static void
list_widths(struct tui *t, struct list *l, int *w)
{
	int		*want, *min;
	size_t		 c, i;
	int		 x;

	want = xcalloc(l->ncols, sizeof *want);
	min = xcalloc(l->ncols, sizeof *min);
	for (c = 0; c < l->ncols; c++) {
		const struct tui_field *f = &l->t->fields[l->cols[c]];
		const char *lab = tui_label(f->label, t->lang);
		int	    whole = list_col_whole(f), keep = 0;

		want[c] = (int)utf8_width(lab, strlen(lab));
		for (i = 0; i < l->n; i++) {
			x = (int)utf8_width(l->rows[i].v[c],
			    strlen(l->rows[i].v[c]));
			if (x > want[c])
				want[c] = x;
			if (whole && (x = first_value_width(l->rows[i].v[c],
			    f->multi)) > keep)
				keep = x;
		}
		if (want[c] > LIST_COL_MAX)
			want[c] = LIST_COL_MAX;
		if (want[c] < 2)
			want[c] = 2;
		/* The first column names the row: it keeps more. */
		x = c == 0 ? LIST_COL_FIRST : LIST_COL_MIN;
		if (whole && keep > x)
			x = keep;
		min[c] = want[c] < x ? want[c] : x;
	}
	/* The current column must be on screen: scroll columns to it. */
	if (l->col < l->lcol)
		l->lcol = l->col;
	for (;;) {
		tui_fit_columns(want, min, l->ncols, l->lcol, t->cols -
		    list_x0(l) - 1, 1, w);
		if (w[l->col] > 0 || l->lcol >= l->col)
			break;
		l->lcol++;
	}
	free(want);
	free(min);
}

static void
list_draw(struct tui *t, struct tui_screen *s)
{
	struct list		*l = s->data;
	const struct tui_field	*f;
	enum tui_role		 role;
	int			 top, rows, cols, x, *w;
	size_t			 c, i;

	tui_body(t, &top, &rows, &cols);
	w = xcalloc(l->ncols + 1, sizeof *w);
	list_widths(t, l, w);
	x = list_x0(l);
	for (c = 0; c < l->ncols; c++) {
		if (w[c] == 0)
			continue;
		f = &l->t->fields[l->cols[c]];
		tui_text(t, top, x, w[c], tui_label(f->label, t->lang),
		    c == l->col ? TUI_SELECT : TUI_HEADER, 1, f->right);
		x += w[c] + 1;
	}
	for (i = 0; i < (size_t)rows - 1 && l->top + i < l->n; i++) {
		x = list_x0(l);
		role = l->top + i == l->cur ? TUI_SELECT : TUI_NORMAL;
		/* A mark as well as the colour: monochrome terminals and
		 * the text dumps of the tests see it too. */
		if (role == TUI_SELECT) {
			tui_fill(t, top + 1 + (int)i, 0, cols, role);
			tui_text(t, top + 1 + (int)i, 0, 1, "▶", role, 0, 0);
		}
		/* A tag has a column of its own, so the cursor's mark
		 * never hides it. */
		if (list_tagged(l, l->rows[l->top + i].id))
			tui_text(t, top + 1 + (int)i, 1, 1, "*", role, 0, 0);
		for (c = 0; c < l->ncols; c++) {
			if (w[c] == 0)
				continue;
			tui_text(t, top + 1 + (int)i, x, w[c],
			    l->rows[l->top + i].v[c], role, 1,
			    l->t->fields[l->cols[c]].right);
			x += w[c] + 1;
		}
	}
	if (l->n == 0 && l->archived)
		tui_text(t, top + 2, 2, cols - 4, _("No archived records."),
		    TUI_DIM, 0, 0);
	else if (l->n == 0)
		tui_text(t, top + 2, 2, cols - 4, _("No records here yet; Ins "
		    "or a adds one."), TUI_DIM, 0, 0);
	free(w);
}

static void
list_status(struct tui *t, struct tui_screen *s, struct tui_status *st)
{
	struct list		*l = s->data;
	const struct tui_field	*f;
	const char		*name;

	buf_reset(&l->title);
	buf_adds(&l->title, tui_label(l->t->plural, t->lang));
	if (l->archived)
		buf_adds(&l->title, _(" (archived)"));
	st->title = l->title.data;
	st->counts = 1;
	st->shown = list_rwhere(l) != NULL ? l->shown : l->total;
	st->total = l->total;
	st->filter = list_rwhere(l);
	buf_reset(&l->position);
	if (list_rsort(l) != NULL) {
		char	*keys = xstrdup(list_rsort(l)), *p = keys, *key;
		int	 first = 1;

		while ((key = strsep(&p, ",")) != NULL) {
			name = key[0] == '-' ? key + 1 : key;
			if (tui_table_field(l->t, name) < 0)
				continue;
			f = &l->t->fields[tui_table_field(l->t, name)];
			buf_printf(&l->position, "%s %s %s", first ?
			    _("sort:") : ",", tui_label(f->label, t->lang),
			    key[0] == '-' ? "↓" : "↑");
			first = 0;
		}
		free(keys);
	}
	if (l->search != NULL) {
		buf_reset(&l->filter);
		buf_printf(&l->filter, "/%s", l->search);
		if (l->position.len > 0)
			buf_adds(&l->position, " │ ");
		buf_printf(&l->position, "/%s: %llu%s", l->search,
		    (unsigned long long)l->matches, l->matches_plus ? "+" :
		    "");
	}
	if (l->wait.on) {
		/* What is awaited, how far the server is, the way out. */
		if (l->position.len > 0)
			buf_adds(&l->position, " │ ");
		buf_adds(&l->position, l->wait.what.data != NULL ?
		    l->wait.what.data : "");
		if (l->wait.of > 0)
			buf_printf(&l->position, " %llu%%", (unsigned long long)
			    (l->wait.done >= l->wait.of ? 99 :
			    l->wait.done * 100 / l->wait.of));
		else if (l->wait.done > 0)
			buf_printf(&l->position, _(", found %llu"),
			    (unsigned long long)l->wait.done);
		buf_printf(&l->position, " (%s)", _("Esc stops waiting"));
	}
	if (l->ntags > 0) {
		if (l->position.len > 0)
			buf_adds(&l->position, " │ ");
		buf_printf(&l->position, _("tagged: %zu"), l->ntags);
	}
	st->position = l->position.data;
}

static int
list_has_row(struct tui *t, struct tui_screen *s)
{
	(void)t;
	return (((struct list *)s->data)->n > 0);
}

/*
 * Screen op: the terminal changed size.  A taller window is filled: rows
 * after the window come first; where the list ends, the window slides
 * up (rows before it read when it has too few) so the last row sits at
 * the bottom as after End, not above a band of blank lines.
 */
static void
list_resize(struct tui *t, struct tui_screen *s)
{
	struct list	*l = s->data;
	size_t		 vis = (size_t)list_visible(t);

	while (l->n - l->top < vis && l->more_after &&
	    list_more_after(t, l) == 0)
		;
	while (l->n < vis && l->more_before && list_more_before(t, l) == 0)
		;
	if (l->n - l->top < vis)
		l->top = l->n > vis ? l->n - vis : 0;
	list_keep_visible(t, l);
}

/* Back from a card: the rows may have changed; reload at the top row. */
static void
list_resume(struct tui *t, struct tui_screen *s)
{
	struct list	*l = s->data;
	char		*pos;
	size_t		 off;

	if (l->n == 0) {
		list_load(t, l, NULL, NULL);
		return;
	}
	pos = xstrdup(l->rows[l->top].pos);
	off = l->cur - l->top;
	if (l->top == 0 && !l->more_before)
		list_load(t, l, NULL, NULL);
	else
		list_load(t, l, "at", pos);
	free(pos);
	l->cur = l->top + off < l->n ? l->top + off : l->n > 0 ? l->n - 1 : 0;
	list_keep_visible(t, l);
}

/*
 * Screen op, after TUI_IDLE_MS without a key: the window read again, so
 * a list left open follows what other operators add, rename and
 * archive.  The cursor stays on its record while it is in the window,
 * else on its row of the screen.  Never waited for: when the server
 * must first read the whole table again for the order or the filter
 * (after a write, at a million rows), the rows stay as they are until
 * a later look.
 */
static void
list_idle(struct tui *t, struct tui_screen *s)
{
	struct list	*l = s->data;
	struct lrow	*rows;
	const char	*mode = NULL;
	char		*pos = NULL;
	size_t		 n, i, off = 0;
	uint64_t	 id = 0;
	int		 more, r;

	if (l->wait.on)
		return;
	if (l->n > 0) {
		off = l->cur - l->top;
		id = l->rows[l->cur].id;
		if (l->top > 0 || l->more_before) {
			mode = "at";
			pos = xstrdup(l->rows[l->top].pos);
		}
	}
	r = list_fetch_as(t, l, 1, mode, pos, NULL,
	    (size_t)list_visible(t) * 2, &rows, &n, &more);
	free(pos);
	if (r != 0) {
		if (r == 2)
			rows_free(rows, n, l->ncols);
		return;
	}
	list_place(t, l, mode, rows, n, more);
	for (i = 0; i < l->n && l->rows[i].id != id; i++)
		;
	if (i < l->n)
		l->cur = i;
	else
		l->cur = l->top + off < l->n ? l->top + off :
		    l->n > 0 ? l->n - 1 : 0;
	list_keep_visible(t, l);
}

static void
list_free(struct tui_screen *s)
{
	struct list	*l = s->data;

	rows_free(l->rows, l->n, l->ncols);
	list_wait_end(l);
	buf_release(&l->wait.what);
	free(l->cols);
	free(l->sort);
	free(l->where);
	free(l->view);
	free(l->search);
	free(l->tags);
	free(l->undo);
	buf_release(&l->err);
	buf_release(&l->colarg);
	buf_release(&l->title);
	buf_release(&l->position);
	buf_release(&l->filter);
	free(l);
}

/* Moving. */

static int
list_down(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;

	(void)arg;
	if (l->cur + 1 >= l->n && list_more_after(t, l) != 0)
		return (0);
	if (l->cur + 1 < l->n)
		l->cur++;
	list_keep_visible(t, l);
	return (0);
}

static int
list_up(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;

	(void)arg;
	if (l->cur == 0 && list_more_before(t, l) != 0)
		return (0);
	if (l->cur > 0)
		l->cur--;
	list_keep_visible(t, l);
	return (0);
}

static int
list_page_down(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;
	size_t		 vis = (size_t)list_visible(t);

	(void)arg;
	if (l->top + 2 * vis > l->n)
		list_more_after(t, l);
	if (l->top + vis < l->n) {
		l->top += vis;
		l->cur += vis;
	}
	if (l->top + vis > l->n)
		l->top = l->n > vis ? l->n - vis : 0;
	if (l->cur >= l->n)
		l->cur = l->n > 0 ? l->n - 1 : 0;
	list_keep_visible(t, l);
	return (0);
}

static int
list_page_up(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;
	size_t		 vis = (size_t)list_visible(t);

	(void)arg;
	if (l->top < vis)
		list_more_before(t, l);
	if (l->top >= vis) {
		l->top -= vis;
		l->cur -= vis;
	} else {
		l->cur = l->cur > l->top ? l->cur - l->top : 0;
		l->top = 0;
	}
	list_keep_visible(t, l);
	return (0);
}

static int
list_first(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (list_load(t, s->data, NULL, NULL));
}

/* End: among the rows an index leaves out (no city) the server reads
 * the list's whole order first, so it may be awaited. */
static int
list_last(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;

	(void)arg;
	return (list_ask(t, l, list_dup(l->sort), list_dup(l->where), "last",
	    _("Going to the last row…")));
}

static int
list_col_next(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;

	(void)t;
	(void)arg;
	if (l->col + 1 < l->ncols)
		l->col++;
	return (0);
}

static int
list_col_prev(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;

	(void)t;
	(void)arg;
	if (l->col > 0)
		l->col--;
	return (0);
}

/* Sorting. */

static int
list_sort_by(struct tui *t, struct list *l, const char *name, int desc)
{
	struct buf	 what = BUF_INIT;
	char		*sort;
	ssize_t		 pos;
	int		 r;

	/* Any column: where no index orders it, the server keeps the
	 * list's whole order in memory (page-full.c). */
	pos = strcmp(name, "id") == 0 ? -1 : tui_table_field(l->t, name);
	if (strcmp(name, "id") != 0 && pos < 0)
		return (tui_error(t, _("no column '%s' in '%s'"), name,
		    l->t->name));
	if (pos >= 0)
		buf_printf(&what, _("Sorting by %s…"),
		    tui_label(l->t->fields[pos].label, t->lang));
	else
		buf_adds(&what, _("Sorting…"));
	xasprintf(&sort, "%s%s", desc ? "-" : "", name);
	r = list_ask(t, l, sort, list_dup(l->where), NULL, what.data);
	buf_release(&what);
	return (r);
}

/* The sort keys "name,-city" (NULL: the order of adding), the window
 * from the start; the old keys stay when the server refuses. */
static int
list_sort_set(struct tui *t, struct list *l, const char *keys)
{
	return (list_ask(t, l, keys != NULL && *keys != '\0' ?
	    xstrdup(keys) : NULL, list_dup(l->where), NULL, _("Sorting…")));
}

/* The keys with field name taken out (and its direction in *desc). */
static void
list_keys_without(const char *sort, const char *name, struct buf *out,
    int *found)
{
	char	*keys, *p, *key;

	buf_reset(out);
	*found = 0;
	if (sort == NULL)
		return;
	keys = p = xstrdup(sort);
	while ((key = strsep(&p, ",")) != NULL) {
		if (strcmp(key[0] == '-' ? key + 1 : key, name) == 0) {
			*found = 1;
			continue;
		}
		buf_printf(out, "%s%s", out->len > 0 ? "," : "", key);
	}
	free(keys);
}

/* One more key after the others (or a key's direction changed). */
static int
list_sort_add(struct tui *t, struct list *l, const char *name, int desc)
{
	struct buf	 keys = BUF_INIT, rest = BUF_INIT;
	char		*copy, *p, *key;
	int		 found, r;

	if (tui_table_field(l->t, name) < 0 && strcmp(name, "id") != 0)
		return (tui_error(t, _("no column '%s' in '%s'"), name,
		    l->t->name));
	list_keys_without(l->sort, name, &rest, &found);
	if (found) {
		/* In its place, with the new direction. */
		copy = p = xstrdup(l->sort);
		while ((key = strsep(&p, ",")) != NULL) {
			if (keys.len > 0)
				buf_addch(&keys, ',');
			if (strcmp(key[0] == '-' ? key + 1 : key, name) == 0)
				buf_printf(&keys, "%s%s", desc ? "-" : "",
				    name);
			else
				buf_adds(&keys, key);
		}
		free(copy);
	} else
		buf_printf(&keys, "%s%s%s%s", rest.len > 0 ? rest.data : "",
		    rest.len > 0 ? "," : "", desc ? "-" : "", name);
	r = list_sort_set(t, l, keys.data);
	buf_release(&keys);
	buf_release(&rest);
	return (r);
}

static int
list_sort_remove(struct tui *t, struct list *l, const char *name)
{
	struct buf	 rest = BUF_INIT;
	int		 found, r;

	list_keys_without(l->sort, name, &rest, &found);
	r = list_sort_set(t, l, rest.len > 0 ? rest.data : NULL);
	buf_release(&rest);
	return (r);
}

/*
 * The four sort verbs: by the field named in arg, else the cursor's
 * column; the only key (list_sort_by) or one more (list_sort_add).
 */
static int
list_sort_verb(struct tui *t, struct tui_screen *s, const char *arg,
    int add, int desc)
{
	struct list	*l = s->data;
	const char	*name;

	name = arg != NULL ? arg : l->t->fields[l->cols[l->col]].name;
	if (add)
		return (list_sort_add(t, l, name, desc));
	return (list_sort_by(t, l, name, desc));
}

static int
list_sort_add_asc(struct tui *t, struct tui_screen *s, const char *arg)
{
	return (list_sort_verb(t, s, arg, 1, 0));
}

static int
list_sort_add_desc(struct tui *t, struct tui_screen *s, const char *arg)
{
	return (list_sort_verb(t, s, arg, 1, 1));
}

/* ":list-sort-keys name,-city": several keys at once, '-' descending. */
static int
list_sort_keys(struct tui *t, struct tui_screen *s, const char *arg)
{
	if (arg == NULL)
		return (tui_error(t, _("give the keys, as in "
		    "':list-sort-keys name,-city'")));
	return (list_sort_set(t, s->data, arg));
}

static int
list_sort_asc(struct tui *t, struct tui_screen *s, const char *arg)
{
	return (list_sort_verb(t, s, arg, 0, 0));
}

static int
list_sort_desc(struct tui *t, struct tui_screen *s, const char *arg)
{
	return (list_sort_verb(t, s, arg, 0, 1));
}

/* F6: the menu of orders: by any field of one value (the server reads
 * the order of one no index gives once, struct page_full). */
static int
list_sort_menu(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list		*l = s->data;
	const struct tui_field	*f;
	const char		**items;
	char			**names;
	int			*desc;
	size_t			 i, n = 0, k, nset, nadd, def = 0;
	ssize_t			 r;

	(void)arg;
	items = xcalloc(5 * l->t->nfields + 4, sizeof *items);
	names = xcalloc(5 * l->t->nfields + 4, sizeof *names);
	desc = xcalloc(5 * l->t->nfields + 4, sizeof *desc);
	for (k = 0; k < 2; k++) {
		xasprintf(&names[n], "%s %s", _("Order added"), k ? "↓" : "↑");
		items[n] = names[n];
		desc[n++] = (int)k;
	}
	for (i = 0; i < l->t->nfields; i++) {
		f = &l->t->fields[i];
		if (f->multi)
			continue;
		for (k = 0; k < 2; k++) {
			xasprintf(&names[n], "%s %s", tui_label(f->label,
			    t->lang), k ? "↓" : "↑");
			items[n] = names[n];
			desc[n++] = (int)k;
		}
	}
	/* The cursor starts on the order in use (its first key). */
	if (l->sort != NULL) {
		const char	*key = l->sort + (*l->sort == '-');
		size_t		 klen = strcspn(key, ",");
		size_t		 j = 2;

		for (i = 0; i < l->t->nfields; i++) {
			if (l->t->fields[i].multi)
				continue;
			if (strlen(l->t->fields[i].name) == klen &&
			    strncmp(l->t->fields[i].name, key, klen) == 0) {
				def = j + (*l->sort == '-');
				break;
			}
			j += 2;
		}
		if (klen == 2 && strncmp(key, "id", 2) == 0)
			def = *l->sort == '-';
	}
	/* Then the keys after the first, and the keys to take away. */
	nset = n;
	for (i = 0; l->sort != NULL && i < l->t->nfields; i++) {
		f = &l->t->fields[i];
		if (f->multi)
			continue;
		for (k = 0; k < 2; k++) {
			xasprintf(&names[n], "%s %s %s", _("Then by"),
			    tui_label(f->label, t->lang), k ? "↓" : "↑");
			items[n] = names[n];
			desc[n++] = (int)k;
		}
	}
	nadd = n;
	for (i = 0; l->sort != NULL && i < l->t->nfields; i++) {
		struct buf	 rest = BUF_INIT;
		int		 found;

		list_keys_without(l->sort, l->t->fields[i].name, &rest,
		    &found);
		buf_release(&rest);
		if (!found)
			continue;
		xasprintf(&names[n], "%s %s", _("Remove key"),
		    tui_label(l->t->fields[i].label, t->lang));
		items[n] = names[n];
		desc[n++] = (int)i;
	}
	r = tui_choose(t, _("Sort by"), items, n, def);
	if (r >= (ssize_t)nadd)
		list_sort_remove(t, l, l->t->fields[desc[r]].name);
	else if (r >= (ssize_t)nset) {
		for (i = 0, k = nset; i < l->t->nfields; i++) {
			if (l->t->fields[i].multi)
				continue;
			if ((size_t)r < k + 2) {
				list_sort_add(t, l, l->t->fields[i].name,
				    desc[r]);
				break;
			}
			k += 2;
		}
	} else if (r >= 0) {
		if (r < 2)
			list_sort_by(t, l, "id", desc[r]);
		else {
			/* The field of item r: count those listed. */
			for (i = 0, k = 2; i < l->t->nfields; i++) {
				f = &l->t->fields[i];
				if (f->multi)
					continue;
				if ((size_t)r < k + 2) {
					list_sort_by(t, l, f->name, desc[r]);
					break;
				}
				k += 2;
			}
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(items);
	free(desc);
	return (0);
}

/* Search. */

struct search_state {
	struct list	*l;
	char		*from;		/* position searching starts at */
	int		 from_start;
	char		*found;		/* the text the window was found for */
};

/*
 * Move to the first match at or after pos (or from the start), in the
 * list's order; wraps to the top once and says so.  1 when nothing
 * matches.
 */
static int
list_find(struct tui *t, struct list *l, const char *text, const char *mode,
    const char *pos, int wrap_quiet)
{
	struct lrow	*rows;
	size_t		 n;
	int		 more, backward, wrapped, r;

	backward = mode != NULL && strcmp(mode, "before") == 0;
	/* Round to the other end, as less and vi do: the server goes
	 * round itself (one search of the word index, not two) unless the
	 * query engine answers, which does not. */
	l->wrap = 1;
	r = list_fetch(t, l, mode, pos, text, 1, &rows, &n, &more);
	l->wrap = 0;
	if (r != 0)
		return (-1);
	wrapped = l->wrapped == 1;
	if (n == 0 && mode != NULL && pos != NULL && l->wrapped == -1) {
		rows_free(rows, 0, l->ncols);
		if (list_fetch(t, l, backward ? "last" : NULL, NULL, text, 1,
		    &rows, &n, &more) != 0)
			return (-1);
		wrapped = n > 0;
	}
	if (wrapped && !wrap_quiet)
		tui_message(t, backward ? _("search wrapped to the bottom") :
		    _("search wrapped to the top"));
	if (n == 0) {
		rows_free(rows, 0, l->ncols);
		tui_error(t, _("no match for '%s'"), text);
		return (1);
	}
	/* Open the window at the match. */
	list_load(t, l, "at", rows[0].pos);
	for (l->cur = 0; l->cur < l->n && l->rows[l->cur].id != rows[0].id;
	    l->cur++)
		;
	if (l->cur == l->n)
		l->cur = 0;
	list_keep_visible(t, l);
	rows_free(rows, n, l->ncols);
	return (0);
}

static void
search_change(struct tui *t, const char *text, void *arg)
{
	struct search_state	*ss = arg;

	free(ss->found);
	ss->found = NULL;
	if (*text == '\0')
		return;
	/* As you type: from where the search began, the row included. */
	if (list_find(t, ss->l, text, ss->from_start ? NULL : "at", ss->from,
	    1) == 0)
		ss->found = xstrdup(text);
}

static int
list_search(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list		*l = s->data;
	struct search_state	 ss;
	struct buf		 line = BUF_INIT;
	uint64_t		 matches;
	int			 r, matches_plus;

	if (!l->t->has_search)
		return (tui_error(t, _("'%s' has no searchable fields"),
		    tui_label(l->t->plural, t->lang)));
	memset(&ss, 0, sizeof ss);
	matches = l->matches;
	matches_plus = l->matches_plus;
	ss.l = l;
	ss.from_start = l->n == 0;
	ss.from = l->n > 0 ? xstrdup(l->rows[l->cur].pos) : NULL;
	if (arg != NULL) {
		buf_adds(&line, arg);
		r = 0;
	} else
		r = tui_prompt(t, _("Search: "), &line, search_change, &ss);
	if (r == 0 && line.len > 0) {
		free(l->search);
		l->search = xstrdup(line.data);
		if (arg != NULL)
			search_change(t, line.data, &ss);
		else if (ss.found == NULL || strcmp(ss.found, line.data) != 0)
			/* Say what the typing found (or did not); the
			 * last letter typed found it already. */
			list_find(t, l, line.data, ss.from_start ? NULL :
			    "at", ss.from, 1);
	} else if (r == 1) {
		/* Esc: back where the search began, the search before
		 * still the one n repeats, its count shown again. */
		if (ss.from != NULL)
			list_load(t, l, "at", ss.from);
		l->matches = matches;
		l->matches_plus = matches_plus;
	}
	free(ss.from);
	free(ss.found);
	buf_release(&line);
	return (0);
}

static int
list_search_next(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;

	(void)arg;
	if (l->search == NULL)
		return (tui_error(t, _("no search yet: / or F3 starts one")));
	return (list_find(t, l, l->search, l->n > 0 ? "after" : NULL,
	    l->n > 0 ? l->rows[l->cur].pos : NULL, 0) < 0 ? -1 : 0);
}

static int
list_search_prev(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;

	(void)arg;
	if (l->search == NULL)
		return (tui_error(t, _("no search yet: / or F3 starts one")));
	return (list_find(t, l, l->search, l->n > 0 ? "before" : "last",
	    l->n > 0 ? l->rows[l->cur].pos : NULL, 0) < 0 ? -1 : 0);
}

/* Records. */

static int
list_open(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list		*l = s->data;
	struct tui_screen	*card;

	(void)arg;
	if ((card = tui_card_new(t, l->t->name, l->rows[l->cur].id)) != NULL)
		tui_push(t, card);
	return (0);
}

static int
list_new(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list		*l = s->data;
	struct tui_screen	*card;

	(void)arg;
	if ((card = tui_card_new(t, l->t->name, 0)) != NULL)
		tui_push(t, card);
	return (0);
}

/*
 * The archived records of the table, in a list of their own over this
 * one (as "page --archived-only" gives them: in an index's order, no
 * filter); there u or F8 restores the one under the cursor.
 */
static int
list_archived(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list		*l = s->data;
	struct tui_screen	*a;

	(void)arg;
	if (l->archived)
		return (0);
	if ((a = tui_list_new_archived(t, l->t->name)) != NULL)
		tui_push(t, a);
	return (0);
}

static int
list_restore(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;
	struct buf	 out = BUF_INIT, err = BUF_INIT, id = BUF_INIT;
	int		 r = 0;

	(void)arg;
	if (!l->archived)
		return (tui_error(t, "%s", _("a record is restored from the "
		    "list of the archived (Shift-A)")));
	if (l->n == 0)
		return (tui_error(t, "%s", _("there is no archived record "
		    "here to restore")));
	buf_printf(&id, "%llu", (unsigned long long)l->rows[l->cur].id);
	if (tui_call(t, &out, &err, "restore", l->t->name, id.data,
	    (char *)NULL) != 0)
		r = tui_error(t, "%s", err.data);
	else {
		tui_message(t, _("restored %s #%llu"), tui_label(l->t->label,
		    t->lang), (unsigned long long)l->rows[l->cur].id);
		list_resume(t, s);
	}
	buf_release(&out);
	buf_release(&err);
	buf_release(&id);
	return (r);
}

/* Export of the list to a CSV file (RFC 4180). */
static void
csv_cell(struct buf *b, const char *s)
{
	const char	*p;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_adds(b, s);
		return;
	}
	buf_addch(b, '"');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			buf_addch(b, '"');
		buf_addch(b, *p);
	}
	buf_addch(b, '"');
}

/* A row of the export: its cells joined by commas, CRLF at the end. */
static void
csv_row(struct buf *b, char **v, size_t n)
{
	size_t	c;

	for (c = 0; c < n; c++) {
		if (c > 0)
			buf_addch(b, ',');
		csv_cell(b, v[c]);
	}
	buf_adds(b, "\r\n");
}

/*
 * The whole list, in its order and with its filter (the rows' own while
 * a new sort is awaited), not only the rows in hand: read from the
 * server a page at a time, as the window is, and written as they come
 * to a temporary file beside the one asked for, which takes its name at
 * the end, so a failed or stopped export leaves no half file.  After
 * half a second the status line says how far it is; Esc stops it.
 */
#define LIST_EXPORT_PAGE	500	/* rows in one call (page's most) */
#define LIST_EXPORT_QUIET_NS	500000000ULL	/* before any progress */

/* A page of the whole list to a walker (rows valid during the call);
 * 0 goes on, else the walk stops. */
typedef int list_page_fn(struct lrow *, size_t, void *);
/* Progress once a walk is slow: done of of rows; nonzero when Esc. */
typedef int list_progress_fn(struct tui *, uint64_t, uint64_t, void *);

/*
 * Every row of the list, through its filter, in its order, a page at a
 * time to fn: what :list-export writes and + tags.  Progress once it
 * takes long.  0; -1 after an error (on the status line); 1 when Esc
 * stopped it; 2 when fn did.
 */
static int
list_walk(struct tui *t, struct list *l, list_page_fn *fn,
    list_progress_fn *progress, void *arg)
{
	struct lrow	*rows;
	uint64_t	 t0 = clock_monotonic_ns(), done = 0, of;
	char		*pos = NULL;
	size_t		 n;
	int		 more = 1, r = 0;

	while (more) {
		if (list_fetch(t, l, pos != NULL ? "after" : NULL, pos, NULL,
		    LIST_EXPORT_PAGE, &rows, &n, &more) != 0) {
			r = -1;
			break;
		}
		free(pos);
		pos = n > 0 ? xstrdup(rows[n - 1].pos) : NULL;
		if (fn(rows, n, arg) != 0)
			r = 2;
		rows_free(rows, n, l->ncols);
		done += n;
		if (r != 0 || n == 0)
			break;
		of = list_rwhere(l) != NULL ? l->shown : l->total;
		if (more && clock_monotonic_ns() - t0 >= LIST_EXPORT_QUIET_NS &&
		    progress(t, done, of, arg) != 0) {
			r = 1;
			break;
		}
	}
	free(pos);
	return (r);
}

struct export_arg {
	const char	*name;
	FILE		*f;
	size_t		 ncols;
	struct buf	 b;
	uint64_t	 done;
	int		 err;		/* errno of a failed write */
};

static int
export_page(struct lrow *rows, size_t n, void *arg)
{
	struct export_arg *ea = arg;
	size_t		   i;

	for (i = 0; i < n; i++)
		csv_row(&ea->b, rows[i].v, ea->ncols);
	ea->done += n;
	if (fwrite(ea->b.data, 1, ea->b.len, ea->f) != ea->b.len) {
		ea->err = errno;
		return (-1);
	}
	buf_reset(&ea->b);
	return (0);
}

static int
export_progress(struct tui *t, uint64_t done, uint64_t of, void *arg)
{
	struct export_arg *ea = arg;

	return (tui_progress(t, _("Exporting to '%s': %llu of %llu rows… "
	    "(Esc stops)"), ea->name, (unsigned long long)done,
	    (unsigned long long)of));
}

static int
list_export(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list		*l = s->data;
	struct export_arg	 ea;
	struct buf		 name = BUF_INIT, tmp = BUF_INIT;
	const char		*why = NULL;
	uint64_t		 of;
	size_t			 c;
	int			 fd, w, r = 0, stopped = 0;

	memset(&ea, 0, sizeof ea);
	buf_init(&ea.b);
	if (arg == NULL) {
		buf_printf(&name, "%s.csv", l->t->name);
		if (tui_prompt_at(t, _("Export the list to: "), &name,
		    NULL, NULL, TUI_PROMPT_OFFER, NULL, NULL) != 0 ||
		    name.len == 0) {
			buf_release(&name);
			return (0);
		}
		arg = name.data;
	}
	buf_printf(&tmp, "%s.XXXXXX", arg);
	if ((fd = mkstemp(tmp.data)) == -1 ||
	    (ea.f = fdopen(fd, "w")) == NULL) {
		r = tui_error(t, _("cannot write '%s': %s"), arg,
		    strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(tmp.data);
		}
		goto out;
	}
	for (c = 0; c < l->ncols; c++) {
		if (c > 0)
			buf_addch(&ea.b, ',');
		csv_cell(&ea.b, l->t->fields[l->cols[c]].name);
	}
	buf_adds(&ea.b, "\r\n");
	ea.name = arg;
	ea.ncols = l->ncols;
	w = list_walk(t, l, export_page, export_progress, &ea);
	/* The server's message is on the status line. */
	if (w == -1)
		r = -1;
	else if (w == 1)
		stopped = 1;
	else if (w == 2)
		why = strerror(ea.err);
	of = list_rwhere(l) != NULL ? l->shown : l->total;
	if (fclose(ea.f) != 0 && why == NULL && r == 0 && !stopped)
		why = strerror(errno);
	if (why == NULL && r == 0 && !stopped && rename(tmp.data, arg) != 0)
		why = strerror(errno);
	if (why != NULL || r != 0 || stopped)
		unlink(tmp.data);
	if (why != NULL)
		r = tui_error(t, _("cannot write '%s': %s"), arg, why);
	else if (stopped)
		tui_message(t, _("export stopped: '%s' not written"), arg);
	else if (r == 0)
		tui_message(t, _("%llu of %llu rows written to '%s'"),
		    (unsigned long long)ea.done, (unsigned long long)
		    (of > ea.done ? of : ea.done), arg);
out:
	buf_release(&ea.b);
	buf_release(&tmp);
	buf_release(&name);
	return (r);
}

/* Tagging and archiving. */

/*
 * The ids of the whole list, through its filter, in its order: read
 * page by page as :list-export reads it, with progress when slow.  0
 * with them in *idsp (sorted), -1 after an error on the status line, 1
 * when Esc stopped it.
 */
struct ids_arg {
	uint64_t	*ids;
	size_t		 n, cap;
};

static int
ids_page(struct lrow *rows, size_t n, void *arg)
{
	struct ids_arg	*ia = arg;
	size_t		 i;

	if (ia->n + n > ia->cap) {
		ia->cap = (ia->n + n) * 2;
		ia->ids = xreallocarray(ia->ids, ia->cap, sizeof *ia->ids);
	}
	for (i = 0; i < n; i++)
		ia->ids[ia->n++] = rows[i].id;
	return (0);
}

static int
ids_progress(struct tui *t, uint64_t done, uint64_t of, void *arg)
{
	(void)arg;
	return (tui_progress(t, _("Reading the list: %zu of %llu rows… "
	    "(Esc stops)"), (size_t)done, (unsigned long long)of));
}

static int
list_all_ids(struct tui *t, struct list *l, uint64_t **idsp, size_t *np)
{
	struct ids_arg	ia = { NULL, 0, 0 };
	int		r;

	if ((r = list_walk(t, l, ids_page, ids_progress, &ia)) != 0) {
		free(ia.ids);
		return (r);
	}
	if (ia.n > 1)
		qsort(ia.ids, ia.n, sizeof *ia.ids, id_cmp);
	*idsp = ia.ids;
	*np = ia.n;
	return (0);
}

static int
list_tag_refused(struct tui *t, const struct list *l)
{
	if (!l->archived)
		return (0);
	tui_error(t, "%s", _("tagging is for the list in use; here u or F8 "
	    "restores the record under the cursor"));
	return (1);
}

static int
list_tag_row(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;
	uint64_t	 id;

	(void)arg;
	if (list_tag_refused(t, l))
		return (-1);
	id = l->rows[l->cur].id;
	list_tag(l, id, !list_tagged(l, id));
	return (list_down(t, s, NULL));
}

/* +: every row of the list, or (invert) the untagged ones of it. */
static int
list_tag_whole(struct tui *t, struct tui_screen *s, int invert)
{
	struct list	*l = s->data;
	uint64_t	*ids, *keep;
	size_t		 i, n, nkeep = 0;
	int		 r;

	if (list_tag_refused(t, l))
		return (-1);
	if ((r = list_all_ids(t, l, &ids, &n)) != 0) {
		if (r == 1)
			tui_message(t, "%s", _("stopped: the tags are as they "
			    "were"));
		return (r == 1 ? 0 : -1);
	}
	if (invert) {
		keep = xcalloc(n + 1, sizeof *keep);
		for (i = 0; i < n; i++)
			if (!list_tagged(l, ids[i]))
				keep[nkeep++] = ids[i];
		free(ids);
		ids = keep;
		n = nkeep;
	}
	free(l->tags);
	l->tags = ids;
	l->ntags = l->tagcap = n;
	tui_message(t, _("tagged: %zu"), n);
	return (0);
}

static int
list_tag_all(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (list_tag_whole(t, s, 0));
}

static int
list_tag_invert(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (list_tag_whole(t, s, 1));
}

static int
list_untag_all(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;

	(void)arg;
	if (list_tag_refused(t, l))
		return (-1);
	l->ntags = 0;
	tui_message(t, "%s", _("no row tagged"));
	return (0);
}

/*
 * Run verb ("rm" or "restore") on each of the records ids, with
 * progress when slow: the ids done go to *donep (in done, when not
 * NULL), the failures to why ("#12: the reason; ..."); 1 when Esc
 * stopped it.
 */
static int
list_each(struct tui *t, struct list *l, const char *verb,
    const uint64_t *ids, size_t n, uint64_t *done, size_t *donep,
    struct buf *why)
{
	struct buf	 out = BUF_INIT, err = BUF_INIT, id = BUF_INIT;
	uint64_t	 t0 = clock_monotonic_ns();
	size_t		 i, nfail = 0;
	int		 stopped = 0;

	*donep = 0;
	for (i = 0; i < n; i++) {
		buf_reset(&id);
		buf_reset(&out);
		buf_reset(&err);
		buf_printf(&id, "%llu", (unsigned long long)ids[i]);
		if (tui_call(t, &out, &err, verb, l->t->name, id.data,
		    (char *)NULL) != 0) {
			/* A few named, the rest counted. */
			if (nfail < 5)
				buf_printf(why, "%s#%llu: %s", why->len > 0 ?
				    "; " : "", (unsigned long long)ids[i],
				    err.data != NULL ? err.data : "");
			nfail++;
		} else if (done != NULL)
			done[(*donep)++] = ids[i];
		else
			(*donep)++;
		if (i + 1 < n && clock_monotonic_ns() - t0 >=
		    LIST_EXPORT_QUIET_NS && tui_progress(t, _("%s #%llu: %zu "
		    "of %zu records… (Esc stops)"), tui_label(l->t->label,
		    t->lang), (unsigned long long)ids[i], i + 1, n) != 0) {
			stopped = 1;
			break;
		}
	}
	if (nfail > 5)
		buf_printf(why, _("; and %zu more"), nfail - 5);
	buf_release(&out);
	buf_release(&err);
	buf_release(&id);
	return (stopped);
}

/* The name of the row under the cursor: its name column, else its first. */
static const char *
list_row_name(const struct list *l)
{
	size_t	c;

	for (c = 0; c < l->ncols; c++)
		if (strcmp(l->t->fields[l->cols[c]].name, "name") == 0)
			return (l->rows[l->cur].v[c]);
	return (l->ncols > 0 ? l->rows[l->cur].v[0] : "");
}

/*
 * F8: archive the record under the cursor, or with rows tagged all the
 * tagged ones, after a question whose default is No; u brings back
 * what this archived.  In the list of the archived F8 restores.
 */
static int
list_archive(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;
	struct buf	 q = BUF_INIT, why = BUF_INIT;
	uint64_t	*ids, one;
	size_t		 i, n, done;
	int		 r, stopped;

	if (l->archived)
		return (list_restore(t, s, arg));
	if (l->ntags == 0 && l->n == 0)
		return (tui_error(t, "%s", _("there is no record here to "
		    "archive")));
	if (l->ntags == 0) {
		one = l->rows[l->cur].id;
		ids = &one;
		n = 1;
		buf_printf(&q, _("Archive %s #%llu %s?"), tui_label(
		    l->t->label, t->lang), (unsigned long long)one,
		    list_row_name(l));
	} else {
		ids = l->tags;
		n = l->ntags;
		buf_printf(&q, dngettext("clerk", "Archive %zu record?",
		    "Archive %zu records?", n), n);
	}
	if (tui_confirm(t, q.data, _("Archive")) != 1) {
		buf_release(&q);
		return (0);
	}
	buf_release(&q);
	free(l->undo);
	l->undo = xcalloc(n + 1, sizeof *l->undo);
	stopped = list_each(t, l, "rm", ids, n, l->undo, &done, &why);
	l->nundo = done;
	for (i = 0; i < done; i++)
		list_tag(l, l->undo[i], 0);
	list_resume(t, s);
	if (why.len > 0)
		tui_error(t, _("%zu of %zu records archived; not archived: "
		    "%s"), done, n, why.data);
	else if (stopped)
		tui_message(t, _("stopped: %zu of %zu records archived; u "
		    "brings them back"), done, n);
	else if (ids == &one)
		tui_message(t, _("archived %s #%llu; u brings it back"),
		    tui_label(l->t->label, t->lang), (unsigned long long)one);
	else
		tui_message(t, dngettext("clerk", "%zu record archived; u "
		    "brings it back", "%zu records archived; u brings them "
		    "back", done), done);
	r = why.len > 0 ? -1 : 0;
	buf_release(&why);
	return (r);
}

/*
 * u: restore what the last F8 of this list archived (one record or all
 * the tagged ones), once.  In the list of the archived u restores the
 * record under the cursor.
 */
static int
list_undo(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;
	struct buf	 why = BUF_INIT;
	size_t		 done, n = l->nundo;
	uint64_t	 one;
	int		 r = 0;

	if (l->archived)
		return (list_restore(t, s, arg));
	if (n == 0)
		return (tui_error(t, "%s", _("nothing to undo; a record is "
		    "restored from the list of the archived (Shift-A)")));
	one = l->undo[0];
	list_each(t, l, "restore", l->undo, n, NULL, &done, &why);
	/* What failed stays archived, to be restored with Shift-A. */
	free(l->undo);
	l->undo = NULL;
	l->nundo = 0;
	list_resume(t, s);
	if (why.len > 0)
		r = tui_error(t, _("%zu of %zu records restored; not restored: "
		    "%s"), done, n, why.data);
	else if (n == 1)
		tui_message(t, _("restored %s #%llu"), tui_label(l->t->label,
		    t->lang), (unsigned long long)one);
	else
		tui_message(t, dngettext("clerk", "%zu record restored",
		    "%zu records restored", done), done);
	buf_release(&why);
	return (r);
}

/* Filter. */

/*
 * The filter cond (NULL or blank: none), the window from the start.
 * On a refusal the old filter stays and -1 comes back with the server's
 * message in l->err.
 */
static int
list_filter_set(struct tui *t, struct list *l, const char *cond)
{
	/* The rows as they were on a refusal, its message kept. */
	if (list_ask(t, l, list_dup(l->sort), cond != NULL &&
	    cond[strspn(cond, " ")] != '\0' ? xstrdup(cond) : NULL, NULL,
	    _("Filtering…")) != 0)
		return (-1);
	/* The search of the whole list may not be in the filtered one. */
	l->matches = 0;
	return (0);
}

int
tui_list_filter(struct tui *t, struct tui_screen *s, const char *cond)
{
	return (list_filter_set(t, s->data, cond));
}

/* The filter of the rows shown. */
const char *
tui_list_where(struct tui_screen *s)
{
	return (list_rwhere(s->data));
}

const char *
tui_list_table(struct tui_screen *s)
{
	return (((struct list *)s->data)->t->name);
}

const char *
tui_list_column(struct tui_screen *s)
{
	struct list	*l = s->data;

	return (l->ncols > 0 ? l->t->fields[l->cols[l->col]].name : "id");
}

/*
 * Where "query:1:COL: message" points in text: the byte offset of
 * character COL (from 1); the length of text when it says nothing.
 */
static size_t
list_error_at(const char *msg, const char *text)
{
	const char	*p;
	size_t		 at = 0, len = strlen(text);
	unsigned long	 col;
	uint32_t	 cp;
	char		*end;

	if ((p = strstr(msg, "query:")) == NULL)
		return (len);
	p += strlen("query:");
	(void)strtoul(p, &end, 10);
	if (*end != ':')
		return (len);
	col = strtoul(end + 1, &end, 10);
	if (*end != ':' || col == 0)
		return (len);
	while (--col > 0 && at < len)
		at += utf8_decode(text + at, len - at, &cp) ?: 1;
	return (at);
}

static int
list_filter(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;
	struct buf	 line = BUF_INIT, note = BUF_INIT;
	size_t		 cur;
	int		 r = 0, flags = TUI_PROMPT_OFFER;

	if (arg != NULL) {
		if (list_filter_set(t, l, arg) != 0)
			r = -1;
		return (r);
	}
	/* The filter in force is offered selected, as other prompts'
	 * values are: a name typed replaces it (appended, it made one
	 * word of both and found nothing), End or an arrow keeps it to
	 * be refined. */
	if (l->where != NULL)
		buf_adds(&line, l->where);
	cur = line.len;
	for (;;) {
		if (tui_prompt_at(t, _("Filter: "), &line, &cur,
		    note.len > 0 ? note.data : NULL, flags, NULL, NULL) != 0)
			break;		/* Esc: the filter as it was */
		flags = 0;		/* asked again: what was typed */
		if (list_filter_set(t, l, line.len > 0 ? line.data : NULL) ==
		    0) {
			if (l->where == NULL)
				tui_message(t, _("filter cleared"));
			break;
		}
		/* Again, with the cursor where the mistake is. */
		buf_reset(&note);
		buf_adds(&note, l->err.data);
		cur = list_error_at(l->err.data, line.data != NULL ?
		    line.data : "");
		tui_error(t, "%s", l->err.data);
	}
	buf_release(&line);
	buf_release(&note);
	return (r);
}

/* Shift-F: the frequency table of the current column. */
static int
list_freq(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list		*l = s->data;
	struct tui_screen	*fs;

	if ((fs = tui_freq_new(t, s, arg != NULL ? arg :
	    tui_list_column(s))) != NULL)
		tui_push(t, fs);
	(void)l;
	return (0);
}

/*
 * The group view: keys asked for, the current column offered (typing
 * replaces it).  A mistake in them asks again with what was typed, the
 * cursor on the mistake's column and its message above, as the filter.
 */
static int
list_group(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list		*l = s->data;
	struct tui_screen	*gs;
	struct buf		 line = BUF_INIT, note = BUF_INIT;
	size_t			 cur;
	int			 flags = TUI_PROMPT_OFFER;

	if (arg != NULL) {
		if ((gs = tui_group_new(t, s, arg, NULL)) != NULL)
			tui_push(t, gs);
		return (0);
	}
	/* The column's label, as the operator reads it (the group view
	 * takes labels and names). */
	buf_adds(&line, l->ncols > 0 ? tui_label(
	    l->t->fields[l->cols[l->col]].label, t->lang) : "id");
	cur = line.len;
	for (;;) {
		if (tui_prompt_at(t, _("Group by (fields, with commas): "),
		    &line, &cur, note.len > 0 ? note.data : NULL, flags, NULL,
		    NULL) != 0 || line.len == 0)
			break;
		buf_reset(&note);
		if ((gs = tui_group_new(t, s, line.data, &note)) != NULL) {
			tui_push(t, gs);
			break;
		}
		if (note.len == 0)
			break;		/* told on the status line */
		cur = list_error_at(note.data, line.data);
		tui_error(t, "%s", note.data);
		flags = 0;		/* now it is what was typed */
	}
	buf_release(&line);
	buf_release(&note);
	return (0);
}

/* Saved views. */

/*
 * A view's query cut for the list (tui_int.h).  A clause starts at one
 * of the language's clause words outside quotes and parentheses and not
 * after a '.' (a path); the first word is the table.
 */
static const char *const view_clauses[] = { "where", "sort", "group",
	"having", "limit", "offset", "cols" };

static int
view_word_byte(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c >= 0x80);
}

static char *
view_trim(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' ||
	    *s == '\r')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	return (xstrndup(s, len));
}

int
tui_view_split(const char *q, char **table, char **where, char **sort,
    int *other)
{
	const char	*p = q, *w, *at[8], *from[8];
	size_t		 kw[8], n = 0, i, k, len;
	int		 depth = 0, dot = 0;
	char		*s, *d;

	*table = *where = *sort = NULL;
	*other = 0;
	while (*p != '\0') {
		if (*p == '\'' || *p == '"') {
			char	qc = *p++;

			/* To the closing quote; a doubled one is inside. */
			while (*p != '\0' && (*p != qc || p[1] == qc))
				p += *p == qc ? 2 : 1;
			if (*p != '\0')
				p++;
			dot = 0;
			continue;
		}
		if (!view_word_byte((unsigned char)*p)) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && depth > 0)
				depth--;
			if (*p != ' ')
				dot = *p == '.';
			p++;
			continue;
		}
		for (w = p; view_word_byte((unsigned char)*p); p++)
			;
		len = (size_t)(p - w);
		if (*table == NULL) {
			*table = xstrndup(w, len);
			continue;
		}
		for (k = 0; depth == 0 && !dot && n < nitems(at) &&
		    k < nitems(view_clauses); k++)
			if (strlen(view_clauses[k]) == len &&
			    memcmp(view_clauses[k], w, len) == 0) {
				kw[n] = k;
				at[n] = w;
				from[n++] = p;
				break;
			}
		dot = 0;
	}
	if (*table == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		len = (size_t)((i + 1 < n ? at[i + 1] : p) - from[i]);
		if (kw[i] == 0) {
			free(*where);
			*where = view_trim(from[i], len);
		} else if (kw[i] == 1) {
			free(*sort);
			*sort = view_trim(from[i], len);
			/* "name, - city" as the list writes it: "name,-city". */
			for (s = d = *sort; *s != '\0'; s++)
				if (*s != ' ')
					*d++ = *s;
			*d = '\0';
		} else
			*other |= kw[i] <= 3 ? TUI_VIEW_GROUP : TUI_VIEW_MORE;
	}
	return (0);
}

/* The filter and the sort keys at once, one load; both as they were
 * when the server refuses (its message on the status line). */
static int
list_query_set(struct tui *t, struct list *l, const char *where,
    const char *sort)
{
	int	filter = where != NULL && where[strspn(where, " ")] != '\0';

	if (list_ask(t, l, sort != NULL && *sort != '\0' ? xstrdup(sort) :
	    NULL, filter ? xstrdup(where) : NULL, NULL, filter ?
	    _("Filtering…") : _("Sorting…")) != 0)
		return (-1);
	l->matches = 0;
	return (0);
}

struct view_item {
	char	*name;
	char	*query;
	int	 shared;
};

static void
views_free(struct view_item *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].query);
	}
	free(v);
}

/* The operator's views, then the shared ones ("view list"), from its
 * TSV: name, shared (yes/no), query; the header line skipped. */
static int
views_get(struct tui *t, struct view_item **vp, size_t *np)
{
	struct buf	 out = BUF_INIT, err = BUF_INIT;
	struct view_item *v = NULL;
	char		*line, *next, *f1, *f2;
	size_t		 n = 0, lineno = 0;

	*vp = NULL;
	*np = 0;
	if (tui_call(t, &out, &err, "view", "list", "--format", "tsv",
	    (char *)NULL) != 0) {
		tui_error(t, "%s", err.data);
		buf_release(&out);
		buf_release(&err);
		return (-1);
	}
	for (line = out.data; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (lineno++ == 0 || (f1 = strchr(line, '\t')) == NULL ||
		    (f2 = strchr(f1 + 1, '\t')) == NULL)
			continue;
		*f1 = *f2 = '\0';
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n].name = xstrdup(line);
		v[n].shared = strcmp(f1 + 1, "yes") == 0;
		v[n].query = xstrdup(f2 + 1);
		n++;
	}
	buf_release(&out);
	buf_release(&err);
	*vp = v;
	*np = n;
	return (0);
}

/*
 * Load a view into a list: its condition becomes the filter and its
 * sort the list's keys.  A view of another table opens that table's
 * list over this one; a grouped view is not a list of records.
 */
static int
list_view_load(struct tui *t, struct list *l, const struct view_item *v)
{
	struct tui_screen	*s = NULL;
	struct list		*to = l;
	char			*table, *where, *sort;
	int			 other, r = -1;

	if (tui_view_split(v->query, &table, &where, &sort, &other) != 0)
		return (tui_error(t, _("view '%s' names no table"), v->name));
	if (other & TUI_VIEW_GROUP) {
		tui_error(t, _("view '%s' groups its rows; 'clerk view run "
		    "%s' shows it"), v->name, v->name);
		goto out;
	}
	if (strcmp(table, l->t->name) != 0) {
		if ((s = tui_list_new(t, table)) == NULL)
			goto out;
		to = s->data;
	}
	if (list_query_set(t, to, where, sort) != 0) {
		if (s != NULL) {
			/* Its message is said; the list of the table stays
			 * unopened. */
			struct buf	 keep = BUF_INIT;

			buf_adds(&keep, to->err.data != NULL ? to->err.data :
			    "");
			s->ops->free(s);
			free(s);
			tui_error(t, _("view '%s': %s"), v->name, keep.data !=
			    NULL ? keep.data : "");
			buf_release(&keep);
		}
		goto out;
	}
	free(to->view);
	to->view = xstrdup(v->name);
	if (s != NULL)
		tui_push(t, s);
	if (other & TUI_VIEW_MORE)
		tui_message(t, _("view '%s' loaded (its limit and columns "
		    "are for 'clerk view run', not the list)"), v->name);
	else
		tui_message(t, _("view '%s' loaded"), v->name);
	r = 0;
out:
	free(table);
	free(where);
	free(sort);
	return (r);
}

/* F9: pick a saved view (":list-view NAME" loads it by name). */
static int
list_view(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list		*l = s->data;
	struct view_item	*v;
	const char		**items;
	char			**names;
	size_t			 n, i, def = 0;
	ssize_t			 r = -1;
	int			 rc = 0;

	if (views_get(t, &v, &n) != 0)
		return (-1);
	if (n == 0) {
		views_free(v, n);
		return (tui_error(t, _("no saved views yet: V saves the "
		    "filter and sort as one")));
	}
	if (arg != NULL) {
		/* The operator's own first, as 'clerk view run' does. */
		for (i = 0; i < n && strcmp(v[i].name, arg) != 0; i++)
			;
		if (i == n)
			rc = tui_error(t, _("no view '%s' (F9 lists them)"),
			    arg);
		else
			rc = list_view_load(t, l, &v[i]);
		views_free(v, n);
		return (rc);
	}
	items = xcalloc(n, sizeof *items);
	names = xcalloc(n, sizeof *names);
	for (i = 0; i < n; i++) {
		xasprintf(&names[i], "%s%s — %s", v[i].name, v[i].shared ?
		    _(" (shared)") : "", v[i].query);
		items[i] = names[i];
		if (l->view != NULL && strcmp(l->view, v[i].name) == 0)
			def = i;
	}
	r = tui_choose(t, _("Saved views"), items, n, def);
	if (r >= 0)
		rc = list_view_load(t, l, &v[r]);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(items);
	views_free(v, n);
	return (rc);
}

/*
 * The filter and the sort saved as the view name: 0 when saved or kept
 * (a name of the operator's taken, replacing not confirmed), 1 when the
 * server refused it (its message in err), -1 after a message.
 */
static int
list_view_save_as(struct tui *t, struct list *l, const char *name,
    struct buf *err)
{
	struct view_item	*v;
	struct buf		 q = BUF_INIT, out = BUF_INIT, ask = BUF_INIT;
	size_t			 n, i;
	int			 replace = 0, rc = 0;

	buf_adds(&q, l->t->name);
	if (l->where != NULL)
		buf_printf(&q, " where %s", l->where);
	if (l->sort != NULL)
		buf_printf(&q, " sort %s", l->sort);
	if (views_get(t, &v, &n) != 0) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!v[i].shared && strcmp(v[i].name, name) == 0)
			break;
	if (i < n) {
		buf_printf(&ask, _("You have a view '%s' already (%s). "
		    "Replace it?"), name, v[i].query);
		replace = tui_confirm(t, ask.data, _("Replace"));
	}
	views_free(v, n);
	if (i < n && !replace) {
		tui_message(t, _("view '%s' kept as it was"), name);
		goto out;
	}
	if (tui_call(t, &out, err, "view", "save", name, q.data, replace ?
	    "--replace" : (char *)NULL, (char *)NULL) != 0) {
		rc = 1;
		goto out;
	}
	free(l->view);
	l->view = xstrdup(name);
	tui_message(t, _("view '%s' saved: %s"), name, q.data);
out:
	buf_release(&q);
	buf_release(&out);
	buf_release(&ask);
	return (rc);
}

/*
 * V: the filter and the sort saved as a view of the operator's; a name
 * taken by one of theirs is replaced only when confirmed.  A name the
 * server refuses is asked again with what was typed and the message
 * above it, as the group's keys are.
 */
static int
list_view_save(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;
	struct buf	 name = BUF_INIT, err = BUF_INIT, note = BUF_INIT;
	int		 rc, flags = TUI_PROMPT_OFFER;

	if (arg != NULL) {
		if ((rc = list_view_save_as(t, l, arg, &err)) == 1)
			rc = tui_error(t, "%s", err.data);
		buf_release(&err);
		return (rc);
	}
	if (l->view != NULL)
		buf_adds(&name, l->view);
	for (;;) {
		rc = 0;
		if (tui_prompt_at(t, _("Save the filter and sort as the view: "),
		    &name, NULL, note.len > 0 ? note.data : NULL, flags, NULL,
		    NULL) != 0 || name.len == 0)
			break;
		buf_reset(&err);
		if ((rc = list_view_save_as(t, l, name.data, &err)) != 1)
			break;
		buf_set(&note, "%s", err.data);
		flags = 0;
	}
	buf_release(&name);
	buf_release(&err);
	buf_release(&note);
	return (rc);
}

/* Esc clears the filter first, then goes back. */
static int
list_back(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct list	*l = s->data;

	(void)arg;
	if (l->wait.on) {
		list_wait_stop(t, l);
		return (0);
	}
	if (l->where != NULL) {
		if (list_filter_set(t, l, NULL) == 0)
			tui_message(t, _("filter cleared"));
		return (0);
	}
	tui_pop(t);
	return (0);
}

const struct tui_cmd tui_list_cmds[] = {
	{ "list-down", { TUI_KEY_DOWN, 'j' }, NULL, N_("the next row"), 0,
	    list_down },
	{ "list-up", { TUI_KEY_UP, 'k' }, NULL, N_("the row before"), 0,
	    list_up },
	{ "list-page-down", { TUI_KEY_PGDN, TUI_CTRL('f') }, NULL,
	    N_("a screen down"), 0, list_page_down },
	{ "list-page-up", { TUI_KEY_PGUP, TUI_CTRL('b') }, NULL,
	    N_("a screen up"), 0, list_page_up },
	{ "list-first", { TUI_KEY_HOME, 'g' }, NULL, N_("the first row"), 0,
	    list_first },
	{ "list-last", { TUI_KEY_END, 'G' }, NULL, N_("the last row"), 0,
	    list_last },
	{ "list-column-next", { '\t', 'l' }, NULL,
	    N_("the next column (sorting and search work on it)"), 0,
	    list_col_next },
	{ "list-column-prev", { TUI_KEY_BTAB, 'h' }, NULL,
	    N_("the column before"), 0, list_col_prev },
	{ "list-open", { '\n', TUI_KEY_RIGHT, 'e' }, N_("Open"),
	    N_("open the record's card"), TUI_CMD_ROW, list_open },
	{ "list-new", { TUI_KEY_INS, 'a' }, N_("New"),
	    N_("a new record"), TUI_CMD_WRITE, list_new },
	{ "list-search", { TUI_KEY_F(3), '/' }, N_("Search"),
	    N_("search as you type (words of names, phones, INN ...)"),
	    TUI_CMD_ARG, list_search },
	{ "list-search-next", { 'n' }, NULL, N_("the next match"), 0,
	    list_search_next },
	{ "list-search-prev", { 'N' }, NULL, N_("the match before"), 0,
	    list_search_prev },
	{ "list-sort-add-asc", { '{' }, NULL,
	    N_("then by this column, ascending (or by FIELD)"), TUI_CMD_ARG,
	    list_sort_add_asc },
	{ "list-sort-add-desc", { '}' }, NULL,
	    N_("then by this column, descending (or by FIELD)"), TUI_CMD_ARG,
	    list_sort_add_desc },
	{ "list-sort-keys", { 0 }, NULL,
	    N_("sort by KEYS, as name,-city ('-' descending)"), TUI_CMD_ARG,
	    list_sort_keys },
	{ "list-filter", { TUI_KEY_F(4), '\\' }, N_("Filter"),
	    N_("filter with a query's condition (Esc clears)"), TUI_CMD_ARG,
	    list_filter },
	{ "list-frequency", { 'F' }, NULL,
	    N_("the frequency table of this column"), TUI_CMD_ARG,
	    list_freq },
	{ "list-group", { TUI_KEY_F(7) }, N_("Group"),
	    N_("counts and sums by the fields asked for"), TUI_CMD_ARG,
	    list_group },
	{ "list-sort", { TUI_KEY_F(6) }, N_("Sort"),
	    N_("choose the order from a menu"), 0, list_sort_menu },
	{ "list-sort-asc", { '[' }, NULL,
	    N_("sort by this column, ascending (or by FIELD)"), TUI_CMD_ARG,
	    list_sort_asc },
	{ "list-sort-desc", { ']' }, NULL,
	    N_("sort by this column, descending (or by FIELD)"),
	    TUI_CMD_ARG, list_sort_desc },
	{ "list-view", { TUI_KEY_F(9), 'v' }, NULL,
	    N_("load a saved view's filter and sort (or the view NAME)"),
	    TUI_CMD_ARG, list_view },
	{ "list-view-save", { 'V' }, NULL,
	    N_("save the filter and sort as a view (named NAME)"),
	    TUI_CMD_ARG, list_view_save },
	{ "list-export", { 0 }, NULL,
	    N_("write the whole list, filtered and in its order, to a CSV "
	    "file (named FILE)"), TUI_CMD_ARG,
	    list_export },
	{ "list-archived", { 'A' }, NULL,
	    N_("the archived records of this table, to restore one"), 0,
	    list_archived },
	{ "list-tag", { ' ' }, NULL,
	    N_("tag the row, or untag it, and go to the next"), TUI_CMD_ROW,
	    list_tag_row },
	{ "list-tag-all", { '+' }, NULL,
	    N_("tag every row of the list (the whole list, through its "
	    "filter)"), 0, list_tag_all },
	{ "list-untag-all", { '-' }, NULL, N_("untag every row"), 0,
	    list_untag_all },
	{ "list-tag-invert", { '*' }, NULL,
	    N_("tag the untagged rows of the list and untag the tagged"), 0,
	    list_tag_invert },
	{ "list-archive", { TUI_KEY_F(8), 'd' }, NULL,
	    N_("archive the record, or the tagged ones (asks first; u "
	    "undoes); in the list of the archived: restore the record"),
	    TUI_CMD_WRITE, list_archive },
	{ "list-undo", { 'u' }, NULL,
	    N_("restore what the last archive of this list archived; in the "
	    "list of the archived: restore the record"), TUI_CMD_WRITE,
	    list_undo },
	{ "list-restore", { 0 }, NULL,
	    N_("in the list of the archived: restore the record"),
	    TUI_CMD_WRITE, list_restore },
	{ "list-back", { TUI_KEY_ESC, 'q', TUI_KEY_LEFT }, NULL,
	    N_("stop waiting for a sort, else clear the filter, else back "
	    "to the screen before"), 0,
	    list_back },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};

static const struct tui_screen_ops list_ops = {
	"list", tui_list_cmds, list_draw, NULL, list_resize, list_resume,
	list_status, list_has_row, NULL, NULL, list_free, list_waiting,
	list_tick, NULL, NULL, list_idle, NULL
};

static struct tui_screen *
list_new_as(struct tui *t, const char *table, int archived)
{
	const struct tui_table	*tt;
	struct list		*l;
	size_t			 i;

	if ((tt = tui_schema_table(&t->schema, table)) == NULL) {
		tui_error(t, _("no table '%s'"), table);
		return (NULL);
	}
	l = xcalloc(1, sizeof *l);
	l->t = tt;
	l->archived = archived;
	l->cols = xcalloc(tt->nfields + 1, sizeof *l->cols);
	buf_init(&l->colarg);
	buf_init(&l->title);
	buf_init(&l->position);
	buf_init(&l->filter);
	buf_init(&l->err);
	if (tt->nlist > 0)
		for (i = 0; i < tt->nlist; i++)
			l->cols[l->ncols++] = tt->list[i];
	else
		for (i = 0; i < tt->nfields; i++)
			l->cols[l->ncols++] = i;
	for (i = 0; i < l->ncols; i++)
		buf_printf(&l->colarg, "%s%s", i ? "," : "",
		    tt->fields[l->cols[i]].name);
	/* Lists open in the order of their first column when it can. */
	if (l->ncols > 0 && (tt->fields[l->cols[0]].index & (TUI_IX_EXACT |
	    TUI_IX_FOLDED | TUI_IX_UNIQUE)) && !tt->fields[l->cols[0]].multi)
		l->sort = xstrdup(tt->fields[l->cols[0]].name);
	list_load(t, l, NULL, NULL);
	return (tui_screen_new(&list_ops, l));
}

struct tui_screen *
tui_list_new(struct tui *t, const char *table)
{
	return (list_new_as(t, table, 0));
}

struct tui_screen *
tui_list_new_archived(struct tui *t, const char *table)
{
	return (list_new_as(t, table, 1));
}
