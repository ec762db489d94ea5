/*
 * scr-group.c: the frequency table of a list's column (Shift-F, as
 * VisiData: value, count, share and a bar, most frequent first) and the
 * group view (counts and sums of the number columns by the keys asked
 * for, with subtotals), both over the rows of the list below, its
 * filter included.  The groups come from the server's query engine
 * through "page --group"; nothing here reads records.  They are asked
 * for without waiting (--nowait): at a million records the server
 * takes a second or so for them, meanwhile the screen says it is
 * counting and a tick asks again.  Enter drills into a group: the list
 * below gets the filter of its values.  Must not change data.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

#define GROUP_LIMIT	"500"	/* groups in one answer */
#define GROUP_COL_MAX	40
#define GROUP_BAR_MIN	10	/* cells of the bar at least, when it fits */

struct grow {
	int		 level;
	char		**plain;	/* as a query writes it */
	char		**text;		/* for people */
};

struct grp {
	struct tui_screen	*list;		/* the list below */
	const struct tui_table	*t;
	char			*keys;		/* "status,city" */
	char			*where;		/* the list's filter, or NULL */
	int			 freq;		/* the frequency table */
	size_t			 nkeys;
	char			**names;	/* columns: keys, aggregates */
	char			**labels;
	size_t			 ncols;
	struct grow		*rows;
	size_t			 n;
	uint64_t		 filtered, total, max;
	int			 more;
	size_t			 cur, top;
	int			 waiting;	/* the server is counting */
	struct buf		 title, position;
};

static void
grp_rows_free(struct grp *g)
{
	size_t	i, c;

	for (i = 0; i < g->n; i++) {
		for (c = 0; c < g->ncols; c++) {
			free(g->rows[i].plain[c]);
			free(g->rows[i].text[c]);
		}
		free(g->rows[i].plain);
		free(g->rows[i].text);
	}
	free(g->rows);
	g->rows = NULL;
	g->n = 0;
	for (c = 0; c < g->ncols; c++) {
		free(g->names[c]);
		free(g->labels[c]);
	}
	free(g->names);
	free(g->labels);
	g->names = g->labels = NULL;
	g->ncols = 0;
}

/* The aggregates of the group view: a count, and the sum of every
 * number the table has. */
static void
grp_aggs(const struct tui_table *t, struct buf *out)
{
	size_t	i;

	buf_adds(out, "count()");
	for (i = 0; i < t->nfields; i++)
		if (!t->fields[i].multi && (strcmp(t->fields[i].type,
		    "money") == 0 || strcmp(t->fields[i].type, "int") == 0 ||
		    strcmp(t->fields[i].type, "qty") == 0))
			buf_printf(out, ",sum(%s)", t->fields[i].name);
}

/* Ask the server for the groups: 0, or -1 with its message in errp
 * (NULL: on the status line). */
static int
grp_load(struct tui *t, struct grp *g, struct buf *errp)
{
	struct tui_lines	 ls;
	const struct tui_line	*ln;
	struct buf		 out = BUF_INIT, err = BUF_INIT, aggs = BUF_INIT;
	char			*argv[18];
	const char		*k;
	size_t			 i, c, naggs;
	int			 argc = 0;

	if (g->freq)
		buf_adds(&aggs, "count()");
	else
		grp_aggs(g->t, &aggs);
	argv[argc++] = g->t->name;
	argv[argc++] = (char *)"--group";
	argv[argc++] = g->keys;
	argv[argc++] = (char *)"--aggs";
	argv[argc++] = aggs.data;
	argv[argc++] = (char *)"--limit";
	argv[argc++] = (char *)GROUP_LIMIT;
	if (g->freq) {
		/* Most frequent first, as VisiData. */
		argv[argc++] = (char *)"--sort";
		argv[argc++] = (char *)"-count()";
	}
	if (g->where != NULL) {
		argv[argc++] = (char *)"--where";
		argv[argc++] = g->where;
	}
	/* Every row of the table (or the filter's) is read: a second or
	 * so at a million, so the answer may be "pending". */
	argv[argc++] = (char *)"--nowait";
	if (tui_callv(t, "page", argc, argv, &out, &err) != 0) {
		if (errp != NULL)
			buf_set(errp, "%s", err.data);
		else
			tui_error(t, "%s", err.data);
		g->waiting = 0;
		buf_release(&out);
		buf_release(&err);
		buf_release(&aggs);
		return (-1);
	}
	tui_lines_parse(&ls, out.data, out.len, NULL);
	g->waiting = 0;
	for (i = 0; i < ls.n; i++)
		if (strcmp(tui_line_get(&ls.v[i], 0), "pending") == 0)
			g->waiting = 1;
	if (g->waiting) {
		tui_lines_release(&ls);
		buf_release(&out);
		buf_release(&err);
		buf_release(&aggs);
		return (0);
	}
	grp_rows_free(g);
	g->rows = xcalloc(ls.n + 1, sizeof *g->rows);
	g->max = 0;
	for (i = 0; i < ls.n; i++) {
		ln = &ls.v[i];
		k = tui_line_get(ln, 0);
		if (strcmp(k, "total") == 0)
			g->total = strtoull(tui_line_get(ln, 1), NULL, 10);
		else if (strcmp(k, "filtered") == 0)
			g->filtered = strtoull(tui_line_get(ln, 1), NULL, 10);
		else if (strcmp(k, "more") == 0)
			g->more = strcmp(tui_line_get(ln, 1), "1") == 0;
		else if (strcmp(k, "cols") == 0 && g->ncols == 0) {
			g->ncols = ln->n - 1;
			/*
			 * The keys are the columns before the aggregates
			 * we asked for: counted so, not by the commas of
			 * what was typed, which may part keys by blanks
			 * too ("city manager").
			 */
			naggs = 1;
			for (c = 0; c < aggs.len; c++)
				if (aggs.data[c] == ',')
					naggs++;
			if (g->ncols > naggs)
				g->nkeys = g->ncols - naggs;
			g->names = xcalloc(g->ncols + 1, sizeof *g->names);
			g->labels = xcalloc(g->ncols + 1, sizeof *g->labels);
			for (c = 0; c < g->ncols; c++) {
				g->names[c] = xstrdup(tui_line_get(ln, c + 1));
				g->labels[c] = xstrdup(g->names[c]);
			}
		} else if (strcmp(k, "labels") == 0)
			for (c = 0; c < g->ncols; c++) {
				free(g->labels[c]);
				g->labels[c] = xstrdup(tui_line_get(ln, c + 1));
			}
		else if (strcmp(k, "group") == 0 && g->ncols > 0) {
			struct grow *r = &g->rows[g->n++];

			r->level = atoi(tui_line_get(ln, 1));
			r->plain = xcalloc(g->ncols, sizeof *r->plain);
			r->text = xcalloc(g->ncols, sizeof *r->text);
			for (c = 0; c < g->ncols; c++) {
				r->plain[c] = xstrdup(tui_line_get(ln,
				    2 + 2 * c));
				r->text[c] = xstrdup(tui_line_get(ln,
				    3 + 2 * c));
			}
			if (r->level == 0 && g->nkeys < g->ncols &&
			    strtoull(r->plain[g->nkeys], NULL, 10) > g->max)
				g->max = strtoull(r->plain[g->nkeys], NULL,
				    10);
		}
	}
	tui_lines_release(&ls);
	buf_release(&out);
	buf_release(&err);
	buf_release(&aggs);
	if (g->cur >= g->n)
		g->cur = g->n > 0 ? g->n - 1 : 0;
	/* Keys as the engine names them ("party.city" stays whole). */
	if (g->nkeys > g->ncols)
		g->nkeys = g->ncols;
	return (0);
}

static int
grp_visible(struct tui *t)
{
	int	top, rows, cols;

	tui_body(t, &top, &rows, &cols);
	return (rows > 2 ? rows - 1 : 1);
}

static void
grp_keep_visible(struct tui *t, struct grp *g)
{
	size_t	vis = (size_t)grp_visible(t);

	if (g->cur < g->top)
		g->top = g->cur;
	if (g->cur >= g->top + vis)
		g->top = g->cur - vis + 1;
}

/* "12.5%": a share in tenths of a per cent, without floating point. */
static void
grp_share(uint64_t part, uint64_t whole, struct buf *out)
{
	uint64_t	pm = whole > 0 ? (part * 1000 + whole / 2) / whole : 0;

	/* TRANSLATORS: a share, as 32.2%: whole per cent, tenths. */
	buf_printf(out, _("%llu.%llu%%"), (unsigned long long)(pm / 10),
	    (unsigned long long)(pm % 10));
}

/* The keys grouped by as people read them: the fields' labels ("City,
 * Status"), a key that is no field of the table as written. */
static void
grp_keys_text(struct tui *t, const struct grp *g, struct buf *out)
{
	char		*keys = xstrdup(g->keys), *p = keys, *key;
	ssize_t		 f;
	int		 first = 1;

	while ((key = strsep(&p, ",")) != NULL) {
		if (!first)
			buf_adds(out, ", ");
		first = 0;
		if ((f = tui_table_field(g->t, key)) >= 0)
			buf_adds(out, tui_label(g->t->fields[f].label,
			    t->lang));
		else
			buf_adds(out, key);
	}
	free(keys);
}

static void
grp_draw(struct tui *t, struct tui_screen *s)
{
	struct grp	*g = s->data;
	struct buf	 b = BUF_INIT;
	enum tui_role	 role;
	int		 top, rows, cols, x, *w, bar, i;
	size_t		 c, r, nc;
	uint64_t	 cnt;

	tui_body(t, &top, &rows, &cols);
	/* Columns: the keys and aggregates, then share and bar. */
	nc = g->ncols + (g->freq ? 1 : 0);
	w = xcalloc(nc + 1, sizeof *w);
	for (c = 0; c < g->ncols; c++) {
		w[c] = (int)utf8_width(g->labels[c], strlen(g->labels[c]));
		for (r = 0; r < g->n; r++) {
			x = (int)utf8_width(g->rows[r].text[c],
			    strlen(g->rows[r].text[c]));
			if (x > w[c])
				w[c] = x;
		}
		if (c < g->nkeys && w[c] < 8)
			w[c] = 8;	/* room for "Total" */
		if (w[c] > GROUP_COL_MAX)
			w[c] = GROUP_COL_MAX;
	}
	if (g->freq) {
		/* The widest share ("100,0 %" in Russian) or the title,
		 * seven cells at least. */
		grp_share(1, 1, &b);
		w[g->ncols] = (int)utf8_width(b.data, b.len);
		if (w[g->ncols] < 7)
			w[g->ncols] = 7;
		x = (int)utf8_width(_("Share"), strlen(_("Share")));
		if (x > w[g->ncols])
			w[g->ncols] = x;
		buf_reset(&b);
	}
	/* The keys give way when the numbers do not fit. */
	for (x = 1, c = 0; c < nc; c++)
		x += w[c] + 1;
	for (c = 0; x > cols - 2 && c < g->nkeys; c++) {
		int cut = x - (cols - 2);

		if (w[c] - cut < 8)
			cut = w[c] > 8 ? w[c] - 8 : 0;
		w[c] -= cut;
		x -= cut;
	}
	bar = cols - 1 - x;
	x = 1;
	for (c = 0; c < g->ncols; c++) {
		tui_text(t, top, x, w[c], g->labels[c], TUI_HEADER, 1,
		    c >= g->nkeys);
		x += w[c] + 1;
	}
	if (g->freq)
		tui_text(t, top, x, w[g->ncols], _("Share"), TUI_HEADER, 1, 1);
	for (i = 0; i < rows - 1 && g->top + (size_t)i < g->n; i++) {
		const struct grow *gr = &g->rows[g->top + (size_t)i];

		role = g->top + (size_t)i == g->cur ? TUI_SELECT :
		    gr->level > 0 ? TUI_DIM : TUI_NORMAL;
		if (role == TUI_SELECT) {
			tui_fill(t, top + 1 + i, 0, cols, role);
			tui_text(t, top + 1 + i, 0, 1, "▶", role, 0, 0);
		}
		x = 1;
		for (c = 0; c < g->ncols; c++) {
			const char *v = gr->text[c];

			/* A subtotal names itself where its keys end. */
			if (gr->level > 0 && c == g->nkeys - (size_t)gr->level)
				v = c == 0 ? _("Total") : _("subtotal");
			else if (c < g->nkeys && *v == '\0' && (gr->level == 0 ||
			    c < g->nkeys - (size_t)gr->level))
				v = _("(empty)");
			tui_text(t, top + 1 + i, x, w[c], v, role, 1,
			    c >= g->nkeys);
			x += w[c] + 1;
		}
		if (!g->freq || gr->level != 0)
			continue;
		cnt = strtoull(gr->plain[g->nkeys], NULL, 10);
		buf_reset(&b);
		grp_share(cnt, g->filtered, &b);
		tui_text(t, top + 1 + i, x, w[g->ncols], b.data, role, 1, 1);
		x += w[g->ncols] + 1;
		if (bar > 0 && g->max > 0) {
			int n = (int)((cnt * (uint64_t)bar + g->max - 1) /
			    g->max);

			buf_reset(&b);
			while (n-- > 0)
				buf_adds(&b, "█");
			tui_text(t, top + 1 + i, x, bar, b.data, role, 0, 0);
		}
	}
	if (g->n == 0)
		tui_text(t, top + 2, 2, cols - 4, g->waiting ? _("Counting…") :
		    _("No records here."), TUI_DIM, 0, 0);
	free(w);
	buf_release(&b);
}

static void
grp_status(struct tui *t, struct tui_screen *s, struct tui_status *st)
{
	struct grp	*g = s->data;
	size_t		 groups = 0, i;

	for (i = 0; i < g->n; i++)
		if (g->rows[i].level == 0)
			groups++;
	buf_reset(&g->title);
	buf_printf(&g->title, "%s: %s", tui_label(g->t->plural, t->lang),
	    g->freq ? _("frequency") : _("groups"));
	st->title = g->title.data;
	st->counts = !g->waiting;
	st->shown = g->filtered;
	st->total = g->total;
	st->filter = g->where;
	buf_reset(&g->position);
	buf_printf(&g->position, "%s ", _("by"));
	grp_keys_text(t, g, &g->position);
	if (g->waiting)
		buf_printf(&g->position, " │ %s (%s)", _("Counting…"),
		    _("Esc stops waiting"));
	else
		buf_printf(&g->position, " │ %zu%s", groups, g->more ? "+" :
		    "");
	st->position = g->position.data;
}

/* Screen ops: the server still counting; ask again. */
static int
grp_waiting(struct tui_screen *s)
{
	return (((struct grp *)s->data)->waiting);
}

static void
grp_tick(struct tui *t, struct tui_screen *s)
{
	(void)grp_load(t, s->data, NULL);
}

static int
grp_has_row(struct tui *t, struct tui_screen *s)
{
	(void)t;
	return (((struct grp *)s->data)->n > 0);
}

/* Screen op: the terminal changed size; a taller one is filled, the
 * last group at the bottom when the window reached it (as the list's). */
static void
grp_resize(struct tui *t, struct tui_screen *s)
{
	struct grp	*g = s->data;
	size_t		 vis = (size_t)grp_visible(t);

	if (g->n - g->top < vis)
		g->top = g->n > vis ? g->n - vis : 0;
	grp_keep_visible(t, g);
}

static void
grp_free(struct tui_screen *s)
{
	struct grp	*g = s->data;

	grp_rows_free(g);
	free(g->keys);
	free(g->where);
	buf_release(&g->title);
	buf_release(&g->position);
	free(g);
}

static int
grp_down(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct grp	*g = s->data;

	(void)arg;
	if (g->cur + 1 < g->n)
		g->cur++;
	grp_keep_visible(t, g);
	return (0);
}

static int
grp_up(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct grp	*g = s->data;

	(void)arg;
	if (g->cur > 0)
		g->cur--;
	grp_keep_visible(t, g);
	return (0);
}

static int
grp_page_down(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct grp	*g = s->data;
	size_t		 vis = (size_t)grp_visible(t);

	(void)arg;
	g->cur = g->cur + vis < g->n ? g->cur + vis : g->n > 0 ? g->n - 1 : 0;
	grp_keep_visible(t, g);
	return (0);
}

static int
grp_page_up(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct grp	*g = s->data;
	size_t		 vis = (size_t)grp_visible(t);

	(void)arg;
	g->cur = g->cur > vis ? g->cur - vis : 0;
	grp_keep_visible(t, g);
	return (0);
}

static int
grp_first(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct grp	*g = s->data;

	(void)arg;
	g->cur = 0;
	grp_keep_visible(t, g);
	return (0);
}

static int
grp_last(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct grp	*g = s->data;

	(void)arg;
	g->cur = g->n > 0 ? g->n - 1 : 0;
	grp_keep_visible(t, g);
	return (0);
}

/* A value in a condition: numbers, money and dates as they are, the
 * rest quoted (a quote doubled). */
static void
grp_value(struct buf *b, const char *v)
{
	const char	*p;

	if (*v != '\0' && v[strspn(v, "0123456789.-")] == '\0') {
		buf_adds(b, v);
		return;
	}
	buf_addch(b, '\'');
	for (p = v; *p != '\0'; p++) {
		if (*p == '\'')
			buf_addch(b, '\'');
		buf_addch(b, *p);
	}
	buf_addch(b, '\'');
}

/* Enter: the list below shows the rows of this group. */
static int
grp_drill(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct grp		*g = s->data;
	const struct grow	*gr = &g->rows[g->cur];
	struct tui_screen	*list = g->list;
	struct buf		 cond = BUF_INIT;
	size_t			 c, upto;
	int			 r;

	(void)arg;
	upto = g->nkeys - ((size_t)gr->level < g->nkeys ? (size_t)gr->level :
	    g->nkeys);
	if (g->where != NULL)
		buf_printf(&cond, "(%s)", g->where);
	for (c = 0; c < upto; c++) {
		if (cond.len > 0)
			buf_adds(&cond, " and ");
		if (*gr->plain[c] == '\0')
			buf_printf(&cond, "%s is empty", g->names[c]);
		else {
			buf_printf(&cond, "%s = ", g->names[c]);
			grp_value(&cond, gr->plain[c]);
		}
	}
	r = tui_list_filter(t, list, cond.len > 0 ? cond.data : NULL);
	buf_release(&cond);
	if (r == 0)
		tui_pop(t);
	return (r);
}

static int
grp_back(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)s;
	(void)arg;
	tui_pop(t);
	return (0);
}

const struct tui_cmd tui_group_cmds[] = {
	{ "group-down", { TUI_KEY_DOWN, 'j' }, NULL, N_("the next group"),
	    0, grp_down },
	{ "group-up", { TUI_KEY_UP, 'k' }, NULL, N_("the group before"), 0,
	    grp_up },
	{ "group-page-down", { TUI_KEY_PGDN, TUI_CTRL('f') }, NULL,
	    N_("a screen down"), 0, grp_page_down },
	{ "group-page-up", { TUI_KEY_PGUP, TUI_CTRL('b') }, NULL,
	    N_("a screen up"), 0, grp_page_up },
	{ "group-first", { TUI_KEY_HOME, 'g' }, NULL, N_("the first group"),
	    0, grp_first },
	{ "group-last", { TUI_KEY_END, 'G' }, NULL, N_("the last group"), 0,
	    grp_last },
	{ "group-open", { '\n', TUI_KEY_RIGHT }, N_("Rows"),
	    N_("the list of this group's rows (its values as the filter)"),
	    TUI_CMD_ROW, grp_drill },
	{ "group-back", { TUI_KEY_ESC, 'q', TUI_KEY_LEFT }, NULL,
	    N_("back to the list"), 0, grp_back },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};

static const struct tui_screen_ops grp_ops = {
	"group", tui_group_cmds, grp_draw, NULL, grp_resize, NULL,
	grp_status, grp_has_row, NULL, NULL, grp_free, grp_waiting, grp_tick,
	NULL, NULL, NULL, NULL
};

/*
 * The keys typed, a field's label (in either language, in any case, ё
 * as е) put back as its name: the operator reads labels, and the prompt
 * offers the column's.  What is no label (a name, month(date), a
 * mistake) stays as typed.
 */
static const char *
grp_label_name(const struct tui_table *tt, const char *s, size_t len)
{
	struct buf	 k = BUF_INIT, l = BUF_INIT;
	const char	*name = NULL;
	size_t		 i, j;

	utf8_foldkey(&k, s, len);
	for (i = 0; k.len > 0 && name == NULL && i < tt->nfields; i++) {
		if (strcmp(tt->fields[i].name, k.data) == 0)
			name = tt->fields[i].name;
		for (j = 0; j < 2 && name == NULL; j++) {
			if (tt->fields[i].label[j] == NULL)
				continue;
			buf_reset(&l);
			utf8_foldkey(&l, tt->fields[i].label[j],
			    strlen(tt->fields[i].label[j]));
			if (l.len > 0 && strcmp(l.data, k.data) == 0)
				name = tt->fields[i].name;
		}
	}
	buf_release(&k);
	buf_release(&l);
	return (name);
}

static char *
grp_keys_named(const struct tui_table *tt, const char *keys)
{
	struct buf	 out = BUF_INIT;
	const char	*p = keys, *e, *w, *we, *name;

	for (;;) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		if ((name = grp_label_name(tt, p, (size_t)(e - p))) != NULL)
			buf_adds(&out, name);
		else {
			/* Keys parted by blanks (the query's way): each
			 * word that is a label. */
			for (w = p; w < e; w = we) {
				for (we = w; we < e && *we != ' '; we++)
					;
				if (we > w && (name = grp_label_name(tt, w,
				    (size_t)(we - w))) != NULL)
					buf_adds(&out, name);
				else
					buf_add(&out, w, (size_t)(we - w));
				for (; we < e && *we == ' '; we++)
					buf_addch(&out, ' ');
			}
		}
		if (*e == '\0')
			break;
		buf_addch(&out, ',');
		p = e + 1;
	}
	return (buf_detach(&out, NULL));
}

static struct tui_screen *
grp_new(struct tui *t, struct tui_screen *list, const char *keys, int freq,
    struct buf *err)
{
	const struct tui_table	*tt;
	struct grp		*g;
	const char		*p;

	if ((tt = tui_schema_table(&t->schema, tui_list_table(list))) ==
	    NULL)
		return (NULL);
	g = xcalloc(1, sizeof *g);
	g->list = list;
	g->t = tt;
	g->freq = freq;
	g->keys = grp_keys_named(tt, keys);
	g->where = tui_list_where(list) != NULL ?
	    xstrdup(tui_list_where(list)) : NULL;
	buf_init(&g->title);
	buf_init(&g->position);
	g->nkeys = 1;
	for (p = keys; *p != '\0'; p++)
		if (*p == ',')
			g->nkeys++;
	if (grp_load(t, g, err) != 0) {
		grp_free(&(struct tui_screen){ .data = g });
		return (NULL);
	}
	return (tui_screen_new(&grp_ops, g));
}

struct tui_screen *
tui_freq_new(struct tui *t, struct tui_screen *list, const char *field)
{
	return (grp_new(t, list, field, 1, NULL));
}

struct tui_screen *
tui_group_new(struct tui *t, struct tui_screen *list, const char *keys,
    struct buf *err)
{
	return (grp_new(t, list, keys, 0, err));
}
