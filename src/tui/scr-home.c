/*
 * scr-home.c: the first screen: who is working, on which database, the
 * section menu of the tables (labels in the operator's language, with
 * their counts) and the records added last.  Everything comes from the
 * "page" verb at open and on return; drawing asks the server nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

#define HOME_RECENT	4	/* newest records shown per table */

struct home_table {
	const struct tui_table	*t;
	uint64_t		 total;
	char			**recent;	/* "#12 Name" */
	size_t			 nrecent;
};

struct home {
	struct home_table	*v;
	size_t			 n;
	size_t			 cur;
};

static void
home_clear(struct home *h)
{
	size_t	i, j;

	for (i = 0; i < h->n; i++) {
		for (j = 0; j < h->v[i].nrecent; j++)
			free(h->v[i].recent[j]);
		free(h->v[i].recent);
		h->v[i].recent = NULL;
		h->v[i].nrecent = 0;
	}
}

/* Counts and the newest records of every table. */
static void
home_load(struct tui *t, struct home *h)
{
	struct tui_lines	 ls;
	struct buf		 out = BUF_INIT, err = BUF_INIT, b = BUF_INIT;
	struct home_table	*ht;
	const struct tui_line	*l;
	char			 lim[16], *cols;
	size_t			 i, j;

	home_clear(h);
	snprintf(lim, sizeof lim, "%d", HOME_RECENT);
	for (i = 0; i < h->n; i++) {
		ht = &h->v[i];
		buf_reset(&out);
		cols = ht->t->nlist > 0 ?
		    ht->t->fields[ht->t->list[0]].name : ht->t->fields[0].name;
		if (tui_call(t, &out, &err, "page", ht->t->name, "--last",
		    "--limit", lim, "--cols", cols, (char *)NULL) != 0) {
			tui_error(t, "%s", err.data);
			continue;
		}
		tui_lines_parse(&ls, out.data, out.len, NULL);
		/* Newest first: the page comes in id order. */
		for (j = ls.n; j > 0; j--) {
			l = &ls.v[j - 1];
			if (strcmp(tui_line_get(l, 0), "total") == 0)
				ht->total = strtoull(tui_line_get(l, 1), NULL,
				    10);
			if (strcmp(tui_line_get(l, 0), "row") != 0)
				continue;
			buf_reset(&b);
			buf_printf(&b, "#%s %s", tui_line_get(l, 1),
			    tui_line_get(l, 3));
			ht->recent = xreallocarray(ht->recent, ht->nrecent + 1,
			    sizeof *ht->recent);
			ht->recent[ht->nrecent++] = xstrdup(b.data);
		}
		tui_lines_release(&ls);
	}
	buf_release(&out);
	buf_release(&err);
	buf_release(&b);
}

static void
home_draw(struct tui *t, struct tui_screen *s)
{
	struct home	*h = s->data;
	struct buf	 b = BUF_INIT;
	int		 top, rows, cols, row, half, lw = 14;
	size_t		 i, j;

	tui_body(t, &top, &rows, &cols);
	half = cols / 2 - 2;
	row = top + 1;
	tui_text(t, row, 2, lw, _("Operator:"), TUI_LABEL, 0, 0);
	tui_text(t, row++, 2 + lw, cols - lw - 4, t->login, TUI_MARK, 0, 0);
	tui_text(t, row, 2, lw, _("Database:"), TUI_LABEL, 0, 0);
	tui_text(t, row++, 2 + lw, cols - lw - 4, t->database, TUI_NORMAL, 0,
	    0);
	row++;
	tui_text(t, row, 2, half, _("Sections"), TUI_HEADER, 1, 0);
	tui_text(t, row, half + 4, cols - half - 6, _("Added last"),
	    TUI_HEADER, 1, 0);
	row++;
	for (i = 0; i < h->n; i++) {
		buf_reset(&b);
		buf_printf(&b, "%llu", (unsigned long long)h->v[i].total);
		if (i == h->cur)
			tui_text(t, row + (int)i, 1, 1, "▶", TUI_SELECT, 0, 0);
		tui_text(t, row + (int)i, 2, half - 10,
		    tui_label(h->v[i].t->plural, t->lang),
		    i == h->cur ? TUI_SELECT : TUI_NORMAL, 1, 0);
		tui_text(t, row + (int)i, half - 8, 10, b.data,
		    i == h->cur ? TUI_SELECT : TUI_NORMAL, 1, 1);
	}
	for (i = 0; i < h->n; i++) {
		tui_text(t, row++, half + 4, cols - half - 6,
		    tui_label(h->v[i].t->plural, t->lang), TUI_LABEL, 0, 0);
		for (j = 0; j < h->v[i].nrecent && row < top + rows; j++)
			tui_text(t, row++, half + 6, cols - half - 8,
			    h->v[i].recent[j], TUI_NORMAL, 0, 0);
	}
	buf_release(&b);
}

static void
home_status(struct tui *t, struct tui_screen *s, struct tui_status *st)
{
	(void)t;
	(void)s;
	st->title = _("Home");
}

static void
home_resume(struct tui *t, struct tui_screen *s)
{
	home_load(t, s->data);
}

static int
home_has_row(struct tui *t, struct tui_screen *s)
{
	(void)t;
	return (((struct home *)s->data)->n > 0);
}

static void
home_free(struct tui_screen *s)
{
	struct home	*h = s->data;

	home_clear(h);
	free(h->v);
	free(h);
}

static int
home_down(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct home	*h = s->data;

	(void)t;
	(void)arg;
	if (h->cur + 1 < h->n)
		h->cur++;
	return (0);
}

static int
home_up(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct home	*h = s->data;

	(void)t;
	(void)arg;
	if (h->cur > 0)
		h->cur--;
	return (0);
}

static int
home_open(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct home		*h = s->data;
	struct tui_screen	*l;

	l = tui_list_new(t, arg != NULL ? arg : h->v[h->cur].t->name);
	if (l == NULL)
		return (-1);
	tui_push(t, l);
	return (0);
}

static int
home_reports(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)s;
	return (tui_report_open(t, arg));
}

const struct tui_cmd tui_home_cmds[] = {
	{ "home-down", { TUI_KEY_DOWN, 'j' }, NULL, N_("the next section"),
	    0, home_down },
	{ "home-up", { TUI_KEY_UP, 'k' }, NULL, N_("the section before"), 0,
	    home_up },
	{ "open", { '\n', TUI_KEY_RIGHT }, N_("Open"),
	    N_("open the list of the section (or of TABLE)"),
	    TUI_CMD_ROW | TUI_CMD_ARG, home_open },
	{ "reports", { TUI_KEY_F(7), 'r' }, N_("Reports"),
	    N_("run a report (or the report NAME)"), TUI_CMD_ARG,
	    home_reports },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};

static const struct tui_screen_ops home_ops = {
	"home", tui_home_cmds, home_draw, NULL, NULL, home_resume,
	home_status, home_has_row, NULL, NULL, home_free, NULL, NULL, NULL, NULL,
	home_resume	/* idle: the counts and newest records follow */, NULL
};

struct tui_screen *
tui_home_new(struct tui *t)
{
	struct home	*h = xcalloc(1, sizeof *h);
	size_t		 i;

	h->n = t->schema.ntables;
	h->v = xcalloc(h->n ? h->n : 1, sizeof *h->v);
	for (i = 0; i < h->n; i++)
		h->v[i].t = &t->schema.tables[i];
	home_load(t, h);
	return (tui_screen_new(&home_ops, h));
}
