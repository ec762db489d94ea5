/*
 * card.c: the record card screen of the TUI (issue 5): the form's drawn
 * layout with its fields edited in place, required marks, the server's
 * verdict on save put on the field it names, references and choices
 * picked with type-ahead (picker.c), a conflict on save resolved field
 * by field, tabs with the records that refer to this one and with its
 * history, new/edit/archive with undo, and a draft kept on hang-up.
 *
 * Everything comes from and goes to the server through verbs ("card",
 * "add", "set --rev", "rm", "restore", "history"), under the operator's
 * rights; the card validates nothing itself (the server does, and says
 * which field).  It must not keep a transaction or a lock: a card left
 * open for an hour holds only its revision number.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "card.h"
#include "card-layout.h"
#include "clash.h"
#include "draft.h"
#include "edit.h"
#include "picker.h"
#include "tui.h"

struct card_value {
	struct edit	 ed;
	char		*base;		/* the server's text when loaded */
	char		*title;		/* ref: the title of the record ... */
	char		*title_of;	/* ... whose id is this text */
	int		 wrong;		/* named by the last refusal */
	int		 base_unknown;	/* a draft of an older clerk: base is
					   the server's text, not the one the
					   edit started from */
	char		*read;		/* not edited, on a card at a revision
					   older than its texts: the text at
					   rev (NULL: base) */
};

struct card_rel {
	char		*table;
	char		*field;
	char		*title;
	uint64_t	 id;
};

/* Tabs: the fields, one per table that refers to this one, history. */
struct card_tab {
	const struct tui_table *rt;	/* NULL: fields or history */
	const char	*field;		/* rt's field that refers here */
	int		 history;
};

struct card {
	const struct tui_table *t;
	uint64_t	 id;		/* 0: not saved yet */
	uint32_t	 rev;
	int		 archived;
	int		 rev_archived;	/* archived at rev (a stale card's rev
					   is older than what it shows) */
	char		*stamp;		/* "created … by …" */
	struct card_layout layout;
	ssize_t		*efield;	/* per layout entry: field, or -1 */
	struct card_value *v;		/* t->nfields */
	size_t		 cur;		/* current entry */
	int		 editing;
	int		 top;		/* first layout row shown */

	struct card_tab	*tabs;
	size_t		 ntabs, tab;
	struct card_rel	*rel;
	size_t		 nrel, relcur;
	int		 relmore;
	char		**hist;
	size_t		 nhist, histtop;	/* histtop: in hrow */
	int		 hist_loaded;
	char		**hrow;		/* hist wrapped to hwidth cells */
	size_t		 nhrow;
	int		 hwidth;
	int		 page;		/* body rows of a tab, last drawn */

	struct buf	 title;		/* of the status line */
	struct buf	 position;

	char		*draft;		/* the draft kept as typed, or NULL */
	uint64_t	 draft_sum;	/* of the edits it holds */
	int		 draft_warned;	/* its failure said once */
};

/* The last archive, for 'u' on the card of that record (as long as the
 * program runs: the card may be left and opened again). */
static char	*last_archived_table;
static uint64_t	 last_archived_id;

static int	card_cmd_save(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_edit(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_new(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_archive(struct tui *, struct tui_screen *,
		    const char *);
static int	card_cmd_undo(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_tab(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_back(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_next(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_prev(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_down(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_up(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_done(struct tui *, struct tui_screen *, const char *);
static int	card_cmd_page_down(struct tui *, struct tui_screen *,
		    const char *);
static int	card_cmd_page_up(struct tui *, struct tui_screen *,
		    const char *);
static int	card_cmd_first(struct tui *, struct tui_screen *,
		    const char *);
static int	card_cmd_last(struct tui *, struct tui_screen *, const char *);
static void	card_lines(struct card *, long);
static int	card_on_fields(const struct card *);
static void	card_move(struct card *, int);

const struct tui_cmd tui_card_cmds[] = {
	{ "card-save", { TUI_KEY_F(2), TUI_CTRL('s') }, N_("Save"),
	    N_("save the card"), TUI_CMD_WRITE, card_cmd_save },
	{ "card-edit", { 'e', '\n' }, N_("Edit"),
	    N_("edit the field under the cursor (Esc stops)"), 0,
	    card_cmd_edit },
	{ "card-new", { TUI_KEY_INS, 'a' }, N_("New"),
	    N_("a new record of this table (of the tab's table on a tab)"),
	    TUI_CMD_WRITE, card_cmd_new },
	{ "card-archive", { TUI_KEY_F(8), 'd' }, N_("Archive"),
	    N_("archive this record (asks first; u undoes); on an archived "
	    "record, restore it"),
	    TUI_CMD_ROW | TUI_CMD_WRITE, card_cmd_archive },
	{ "card-undo", { 'u' }, NULL,
	    N_("undo the archive of this card's record (the last one made)"),
	    TUI_CMD_WRITE, card_cmd_undo },
	{ "card-tab", { TUI_KEY_F(5), ']' }, N_("Tab"),
	    N_("the next tab: related records, history"), 0, card_cmd_tab },
	{ "card-next", { '\t' }, NULL,
	    N_("the next field; on the other tabs, the next tab"), 0,
	    card_cmd_next },
	{ "card-prev", { TUI_KEY_BTAB }, NULL,
	    N_("the field before; on the other tabs, the tab before"), 0,
	    card_cmd_prev },
	{ "card-down", { TUI_KEY_DOWN, 'j' }, NULL,
	    N_("the field below; on the other tabs, the next line"), 0,
	    card_cmd_down },
	{ "card-up", { TUI_KEY_UP, 'k' }, NULL,
	    N_("the field above; on the other tabs, the line before"), 0,
	    card_cmd_up },
	{ "card-page-down", { TUI_KEY_PGDN, TUI_CTRL('f') }, NULL,
	    N_("a page down: the history, the related records, the fields"),
	    0, card_cmd_page_down },
	{ "card-page-up", { TUI_KEY_PGUP, TUI_CTRL('b') }, NULL,
	    N_("a page up: the history, the related records, the fields"),
	    0, card_cmd_page_up },
	{ "card-first", { TUI_KEY_HOME, 'g' }, NULL,
	    N_("to the first line of the tab, or the first field"), 0,
	    card_cmd_first },
	{ "card-last", { TUI_KEY_END, 'G' }, NULL,
	    N_("to the last line of the tab, or the last field"), 0,
	    card_cmd_last },
	/* The global "back" by its own name, so that ":back" asks too. */
	{ "back", { TUI_KEY_ESC, 'q' }, NULL,
	    N_("back to the screen before (asks first when the card has "
	    "unsaved changes)"), 0, card_cmd_back },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};

/*
 * Typing in a field (e, Enter, and a new card from the start): letters
 * are text, so only the keys that are not text do anything else, and
 * the key bar and help show these, never "e Edit", which would type an
 * "e".  The same commands as above where they do the same.
 */
const struct tui_cmd tui_card_field_cmds[] = {
	{ "card-save", { TUI_KEY_F(2), TUI_CTRL('s') }, N_("Save"),
	    N_("save the card"), TUI_CMD_WRITE, card_cmd_save },
	{ "card-field-done", { TUI_KEY_ESC }, N_("Done"),
	    N_("stop typing in this field (the edits stay, unsaved until "
	    "F2)"), 0, card_cmd_done },
	{ "card-next", { '\t' }, N_("Next field"),
	    N_("the next field; on the other tabs, the next tab"), 0,
	    card_cmd_next },
	{ "card-prev", { TUI_KEY_BTAB }, NULL,
	    N_("the field before; on the other tabs, the tab before"), 0,
	    card_cmd_prev },
	{ "card-down", { TUI_KEY_DOWN }, NULL,
	    N_("the field below; on the other tabs, the next line"), 0,
	    card_cmd_down },
	{ "card-up", { TUI_KEY_UP }, NULL,
	    N_("the field above; on the other tabs, the line before"), 0,
	    card_cmd_up },
	{ "card-new", { TUI_KEY_INS }, NULL,
	    N_("a new record of this table (of the tab's table on a tab)"),
	    TUI_CMD_WRITE, card_cmd_new },
	{ "card-archive", { TUI_KEY_F(8) }, NULL,
	    N_("archive this record (asks first; u undoes); on an archived "
	    "record, restore it"),
	    TUI_CMD_ROW | TUI_CMD_WRITE, card_cmd_archive },
	{ "card-tab", { TUI_KEY_F(5) }, N_("Tab"),
	    N_("the next tab: related records, history"), 0, card_cmd_tab },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};
static const struct tui_mode card_field_mode = { tui_card_field_cmds, 1 };

static int
card_is(const struct tui_field *f, const char *type)
{
	return (strcmp(f->type, type) == 0);
}

static int
card_changed(const struct card *c, size_t i)
{
	return (strcmp(edit_text(&c->v[i].ed), c->v[i].base) != 0);
}

static int
card_unsaved_any(const struct card *c)
{
	size_t	i;

	for (i = 0; i < c->t->nfields; i++)
		if (card_changed(c, i))
			return (1);
	return (0);
}

static ssize_t
card_entry_field(const struct card *c)
{
	if (c->cur >= c->layout.nentries)
		return (-1);
	return (c->efield[c->cur]);
}

static void
card_rel_clear(struct card *c)
{
	size_t	i;

	for (i = 0; i < c->nrel; i++) {
		free(c->rel[i].table);
		free(c->rel[i].field);
		free(c->rel[i].title);
	}
	free(c->rel);
	c->rel = NULL;
	c->nrel = c->relcur = 0;
	c->relmore = 0;
}

static void
card_hist_clear(struct card *c)
{
	size_t	i;

	for (i = 0; i < c->nhist; i++)
		free(c->hist[i]);
	free(c->hist);
	c->hist = NULL;
	c->nhist = c->histtop = 0;
	c->hist_loaded = 0;
	for (i = 0; i < c->nhrow; i++)
		free(c->hrow[i]);
	free(c->hrow);
	c->hrow = NULL;
	c->nhrow = 0;
	c->hwidth = 0;
}

/*
 * The history's lines wrapped to width cells, so that a long change (a
 * note rewritten) is read whole: at a blank where one is, the rows
 * after the first indented under the line's text.
 */
static void
card_hist_wrap(struct card *c, int width)
{
	size_t	i;

	if (c->hwidth == width && c->hrow != NULL)
		return;
	for (i = 0; i < c->nhrow; i++)
		free(c->hrow[i]);
	c->nhrow = 0;
	c->hwidth = width;
	for (i = 0; i < c->nhist; i++)
		tui_wrap(c->hist[i], width, &c->hrow, &c->nhrow);
	if (c->histtop >= c->nhrow)
		c->histtop = c->nhrow > 0 ? c->nhrow - 1 : 0;
}

/*
 * Load the record (or a new one's defaults) from the server: every
 * field's text, reference titles, related records.  Edits are dropped.
 */
static int
card_load(struct tui *t, struct card *c, struct buf *err)
{
	struct buf	 out = BUF_INIT, idbuf = BUF_INIT;
	struct tui_lines lines;
	const struct tui_line *l;
	const char	*kind;
	ssize_t		 pos;
	size_t		 i;
	int		 r;

	if (c->id != 0)
		buf_printf(&idbuf, "%llu", (unsigned long long)c->id);
	else
		buf_adds(&idbuf, "new");
	r = tui_call(t, &out, err, "card", c->t->name, idbuf.data,
	    (char *)NULL);
	buf_release(&idbuf);
	if (r != 0 || tui_lines_parse(&lines, out.data, out.len, err) != 0) {
		buf_release(&out);
		return (-1);
	}
	buf_release(&out);
	for (i = 0; i < c->t->nfields; i++) {
		edit_set(&c->v[i].ed, "", 0);
		free(c->v[i].base);
		c->v[i].base = xstrdup("");
		free(c->v[i].title);
		c->v[i].title = NULL;
		free(c->v[i].title_of);
		c->v[i].title_of = NULL;
		c->v[i].wrong = 0;
		c->v[i].base_unknown = 0;
		free(c->v[i].read);
		c->v[i].read = NULL;
	}
	card_rel_clear(c);
	card_hist_clear(c);
	free(c->stamp);
	c->stamp = NULL;
	for (i = 0; i < lines.n; i++) {
		l = &lines.v[i];
		kind = tui_line_get(l, 0);
		if (strcmp(kind, "record") == 0) {
			c->id = strtoull(tui_line_get(l, 1), NULL, 10);
			c->rev = (uint32_t)strtoul(tui_line_get(l, 2), NULL, 10);
			c->archived = strcmp(tui_line_get(l, 3), "1") == 0;
			c->rev_archived = c->archived;
			if (c->id != 0) {
				struct buf	cr = BUF_INIT, ch = BUF_INIT;

				tui_when(tui_line_get(l, 4), &cr);
				tui_when(tui_line_get(l, 6), &ch);
				xasprintf(&c->stamp, _("created %s by %s, "
				    "changed %s by %s, revision %lu"),
				    cr.data, tui_line_get(l, 5), ch.data,
				    tui_line_get(l, 7), (unsigned long)c->rev);
				buf_release(&cr);
				buf_release(&ch);
			}
		} else if (strcmp(kind, "value") == 0 &&
		    (pos = tui_table_field(c->t, tui_line_get(l, 1))) >= 0) {
			edit_set(&c->v[pos].ed, tui_line_get(l, 2),
			    strlen(tui_line_get(l, 2)));
			free(c->v[pos].base);
			c->v[pos].base = xstrdup(edit_text(&c->v[pos].ed));
		} else if (strcmp(kind, "ref") == 0 &&
		    (pos = tui_table_field(c->t, tui_line_get(l, 1))) >= 0) {
			free(c->v[pos].title);
			c->v[pos].title = xstrdup(tui_line_get(l, 3));
			free(c->v[pos].title_of);
			c->v[pos].title_of = xstrdup(tui_line_get(l, 2));
		} else if (strcmp(kind, "related") == 0) {
			c->rel = xreallocarray(c->rel, c->nrel + 1,
			    sizeof *c->rel);
			c->rel[c->nrel].table = xstrdup(tui_line_get(l, 1));
			c->rel[c->nrel].field = xstrdup(tui_line_get(l, 2));
			c->rel[c->nrel].id = strtoull(tui_line_get(l, 3), NULL,
			    10);
			c->rel[c->nrel].title = xstrdup(tui_line_get(l, 4));
			c->nrel++;
		} else if (strcmp(kind, "more") == 0)
			c->relmore = 1;
	}
	tui_lines_release(&lines);
	return (0);
}

/*
 * card_load() keeping what was typed, for archive and restore: they
 * change the record's state and revision but none of its fields, and
 * an archive confirmed on a card with edits must not throw them away
 * unasked.  The edits stay edits (unsaved) over the new revision,
 * unless someone else changed a field edited here since the card read
 * it: then the card keeps the revision and the text it read, so that
 * F2 shows the clash (card_conflict()) instead of writing over it.
 */
static int
card_reload(struct tui *t, struct card *c, struct buf *err)
{
	struct card_value	*keep;
	char			**read;		/* every text at c->rev */
	uint32_t		 rev = c->rev;
	size_t			 i;
	int			 r, stale = 0;

	keep = xcalloc(c->t->nfields + 1, sizeof *keep);
	read = xcalloc(c->t->nfields + 1, sizeof *read);
	for (i = 0; i < c->t->nfields; i++) {
		read[i] = xstrdup(c->v[i].read != NULL ? c->v[i].read :
		    c->v[i].base);
		if (!card_changed(c, i))
			continue;
		/* base holds the typed text here. */
		keep[i].base = xstrdup(edit_text(&c->v[i].ed));
		keep[i].base_unknown = c->v[i].base_unknown;
		if (c->v[i].title != NULL)
			keep[i].title = xstrdup(c->v[i].title);
		if (c->v[i].title_of != NULL)
			keep[i].title_of = xstrdup(c->v[i].title_of);
	}
	r = card_load(t, c, err);
	for (i = 0; i < c->t->nfields; i++)
		if (r == 0 && keep[i].base != NULL && (keep[i].base_unknown ||
		    strcmp(c->v[i].base, read[i]) != 0))
			stale = 1;
	for (i = 0; i < c->t->nfields; i++) {
		if (keep[i].base != NULL) {
			edit_set(&c->v[i].ed, keep[i].base,
			    strlen(keep[i].base));
			free(keep[i].base);
			/* A reference picked here is shown by its title
			 * still. */
			free(c->v[i].title);
			c->v[i].title = keep[i].title;
			free(c->v[i].title_of);
			c->v[i].title_of = keep[i].title_of;
			if (stale) {
				free(c->v[i].base);
				c->v[i].base = read[i];
				read[i] = NULL;
				c->v[i].base_unknown = keep[i].base_unknown;
			}
		} else if (stale && strcmp(c->v[i].base, read[i]) != 0) {
			c->v[i].read = read[i];
			read[i] = NULL;
		}
		free(read[i]);
	}
	if (stale)
		c->rev = rev;
	free(keep);
	free(read);
	return (r);
}

static void
card_load_history(struct tui *t, struct card *c)
{
	struct buf	 out = BUF_INIT, err = BUF_INIT, idbuf = BUF_INIT;
	const char	*p, *nl, *end;

	card_hist_clear(c);
	c->hist_loaded = 1;
	if (c->id == 0)
		return;
	buf_printf(&idbuf, "%llu", (unsigned long long)c->id);
	if (tui_call(t, &out, &err, "history", c->t->name, idbuf.data,
	    (char *)NULL) != 0)
		tui_error(t, "%s", err.data);
	end = out.data + out.len;
	for (p = out.data; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		c->hist = xreallocarray(c->hist, c->nhist + 1,
		    sizeof *c->hist);
		c->hist[c->nhist++] = xstrndup(p, (size_t)(nl - p));
	}
	buf_release(&out);
	buf_release(&err);
	buf_release(&idbuf);
}

/* Tabs: the fields; each table with a reference to this one; history. */
static void
card_make_tabs(struct tui *t, struct card *c)
{
	const struct tui_table	*rt;
	size_t			 i, j;

	c->tabs = xreallocarray(NULL, 2, sizeof *c->tabs);
	c->tabs[0] = (struct card_tab){ NULL, NULL, 0 };
	c->ntabs = 1;
	for (i = 0; i < t->schema.ntables; i++) {
		rt = &t->schema.tables[i];
		for (j = 0; j < rt->nfields; j++) {
			if (!card_is(&rt->fields[j], "ref") ||
			    rt->fields[j].ref_table == NULL ||
			    strcmp(rt->fields[j].ref_table, c->t->name) != 0)
				continue;
			c->tabs = xreallocarray(c->tabs, c->ntabs + 2,
			    sizeof *c->tabs);
			c->tabs[c->ntabs++] = (struct card_tab){ rt,
			    rt->fields[j].name, 0 };
			break;
		}
	}
	c->tabs[c->ntabs++] = (struct card_tab){ NULL, NULL, 1 };
}

/* Related records shown on tab tab, by index into c->rel. */
static size_t
card_tab_rows(const struct card *c, size_t *out)
{
	const struct card_tab	*tb = &c->tabs[c->tab];
	size_t			 i, n = 0;

	if (tb->rt == NULL)
		return (0);
	for (i = 0; i < c->nrel; i++)
		if (strcmp(c->rel[i].table, tb->rt->name) == 0 &&
		    strcmp(c->rel[i].field, tb->field) == 0) {
			if (out != NULL)
				out[n] = i;
			n++;
		}
	return (n);
}

static void
card_tab_name(struct tui *t, const struct card *c, size_t i, struct buf *b)
{
	const struct card_tab	*tb = &c->tabs[i];
	struct card		 tmp;

	buf_reset(b);
	if (tb->history)
		buf_adds(b, _("History"));
	else if (tb->rt == NULL)
		buf_adds(b, tui_label(c->t->label, t->lang));
	else {
		tmp = *c;
		tmp.tab = i;
		buf_printf(b, "%s (%zu%s)", tui_label(tb->rt->plural, t->lang),
		    card_tab_rows(&tmp, NULL), c->relmore ? "+" : "");
	}
}

/* Keep the current entry's row inside the body. */
static void
card_scroll(struct tui *t, struct card *c)
{
	int	row0, rows, cols, r;

	tui_body(t, &row0, &rows, &cols);
	rows -= 1;			/* the tab line */
	if (rows < 1 || c->layout.nentries == 0)
		return;
	r = c->layout.items[c->layout.entries[c->cur]].row;
	if (r < c->top)
		c->top = r;
	if (r >= c->top + rows)
		c->top = r - rows + 1;
}

static void
card_draw_entry(struct tui *t, struct card *c, size_t e, int y, int x)
{
	const struct card_item	*it = &c->layout.items[c->layout.entries[e]];
	const struct tui_field	*f;
	struct card_value	*v;
	struct buf		 shown = BUF_INIT;
	size_t			 start, len, col, w;
	ssize_t			 fp = c->efield[e];
	const char		*text;
	enum tui_role		 role;
	uint32_t		 cp;

	if (fp < 0)
		return;
	f = &c->t->fields[fp];
	v = &c->v[fp];
	w = (size_t)it->width;
	role = v->wrong ? TUI_ERROR : e == c->cur && c->tabs[c->tab].rt ==
	    NULL && !c->tabs[c->tab].history ? TUI_SELECT : TUI_FIELD;
	if (e == c->cur && c->editing && !card_is(f, "ref")) {
		edit_view(&v->ed, w, &start, &len, &col);
		buf_add(&shown, edit_text(&v->ed) + start, len);
		tui_text(t, y, x, (int)w, shown.data, v->wrong ? TUI_ERROR :
		    TUI_FIELD, 1, 0);
		/* The terminal's own cursor, which screen readers and
		 * braille lines follow; drawn in reverse only where the
		 * terminal cannot show one. */
		tui_cursor(t, y, x + (int)col);
		if (!t->no_cursor) {
			buf_release(&shown);
			return;
		}
		buf_reset(&shown);
		if (v->ed.cur < v->ed.text.len) {
			len = utf8_decode(v->ed.text.data + v->ed.cur,
			    v->ed.text.len - v->ed.cur, &cp);
			buf_add(&shown, v->ed.text.data + v->ed.cur,
			    len == 0 ? 1 : len);
		} else
			buf_addch(&shown, ' ');
		tui_text(t, y, x + (int)col, (int)utf8_width(shown.data,
		    shown.len) > 0 ? (int)utf8_width(shown.data, shown.len) :
		    1, shown.data, TUI_SELECT, 1, 0);
		buf_release(&shown);
		return;
	}
	text = edit_text(&v->ed);
	/* A reference shows the record's title, not its number. */
	if (card_is(f, "ref") && *text != '\0' && v->title != NULL &&
	    v->title_of != NULL && strcmp(text, v->title_of) == 0)
		text = v->title;
	tui_text(t, y, x, (int)w, text, role, 1, 0);
	/* The cursor at the start of the field it is on. */
	if (role == TUI_SELECT || (e == c->cur && v->wrong))
		tui_cursor(t, y, x);
	buf_release(&shown);
}

static void
card_draw_fields(struct tui *t, struct card *c, int row0, int rows, int cols)
{
	const struct card_item	*it;
	const struct tui_field	*f;
	struct buf		 label = BUF_INIT;
	ssize_t			 fp;
	size_t			 i, e;
	int			 y;

	card_scroll(t, c);
	c->page = rows;
	for (y = 0; y < rows; y++) {
		if ((size_t)(c->top + y) < c->layout.nlines)
			tui_text(t, row0 + y, 0, cols,
			    c->layout.lines[c->top + y], TUI_NORMAL, 1, 0);
		else if ((size_t)(c->top + y) == c->layout.nlines + 1 &&
		    c->stamp != NULL)
			tui_text(t, row0 + y, 0, cols, c->stamp, TUI_DIM, 1,
			    0);
		else
			tui_fill(t, row0 + y, 0, cols, TUI_NORMAL);
	}
	for (i = 0, e = 0; i < c->layout.nitems; i++) {
		it = &c->layout.items[i];
		y = it->row - c->top;
		if (!it->is_label) {
			if (y >= 0 && y < rows && it->col < cols)
				card_draw_entry(t, c, e, row0 + y, it->col);
			e++;
			continue;
		}
		if (y < 0 || y >= rows || it->col >= cols ||
		    (fp = tui_table_field(c->t, it->name)) < 0)
			continue;
		f = &c->t->fields[fp];
		buf_reset(&label);
		buf_adds(&label, tui_label(f->label, t->lang));
		/* The required mark goes where it is always seen: in the
		 * label's last cell if the label fills its box. */
		if (f->required) {
			if ((int)utf8_width(label.data, label.len) >=
			    it->width)
				buf_truncate(&label, utf8_fit(label.data,
				    label.len, (size_t)it->width - 1));
			buf_addch(&label, '*');
		}
		tui_text(t, row0 + y, it->col, it->width, label.data,
		    c->v[fp].wrong ? TUI_ERROR : TUI_LABEL, 1, 0);
	}
	buf_release(&label);
}

static void
card_draw_related(struct tui *t, struct card *c, int row0, int rows,
    int cols)
{
	size_t		*idx, n, top = 0;
	enum tui_role	 role;
	int		 y;

	idx = xreallocarray(NULL, c->nrel + 1, sizeof *idx);
	n = card_tab_rows(c, idx);
	c->page = rows;
	if (c->relcur >= n)
		c->relcur = n > 0 ? n - 1 : 0;
	if (rows > 0 && c->relcur >= (size_t)rows)
		top = c->relcur - (size_t)rows + 1;
	for (y = 0; y < rows; y++) {
		if (n == 0 && y == 0)
			tui_text(t, row0, 0, cols, c->id == 0 ?
			    _("save the card first") : _("none yet; Ins adds "
			    "one"), TUI_DIM, 1, 0);
		else if (top + (size_t)y < n) {
			/* The current row marked as in a list, seen also
			 * where reverse video is not. */
			role = top + (size_t)y == c->relcur ? TUI_SELECT :
			    TUI_NORMAL;
			tui_text(t, row0 + y, 0, 1, role == TUI_SELECT ?
			    "▶" : " ", role, 1, 0);
			tui_text(t, row0 + y, 1, cols - 1,
			    c->rel[idx[top + y]].title, role, 1, 0);
		}
		else
			tui_fill(t, row0 + y, 0, cols, TUI_NORMAL);
	}
	free(idx);
}

static void
card_draw_history(struct tui *t, struct card *c, int row0, int rows,
    int cols)
{
	int	y;

	if (!c->hist_loaded)
		tui_fill(t, row0, 0, cols, TUI_NORMAL);
	card_hist_wrap(c, cols);
	c->page = rows;
	/* The last page full (after End, or a wider terminal). */
	if (rows > 0 && c->histtop + (size_t)rows > c->nhrow)
		c->histtop = c->nhrow > (size_t)rows ? c->nhrow -
		    (size_t)rows : 0;
	for (y = 0; y < rows; y++) {
		if (c->histtop + (size_t)y < c->nhrow)
			tui_text(t, row0 + y, 0, cols,
			    c->hrow[c->histtop + y], TUI_NORMAL, 1, 0);
		else if (y == 0 && c->nhist == 0)
			tui_text(t, row0, 0, cols, _("no history: the card is "
			    "not saved yet"), TUI_DIM, 1, 0);
		else
			tui_fill(t, row0 + y, 0, cols, TUI_NORMAL);
	}
}

static void
card_draw(struct tui *t, struct tui_screen *s)
{
	struct card	*c = s->data;
	struct buf	 name = BUF_INIT;
	int		 row0, rows, cols, x = 0;
	size_t		 i;

	tui_body(t, &row0, &rows, &cols);
	/* The tab line. */
	for (i = 0; i < c->ntabs && x < cols; i++) {
		card_tab_name(t, c, i, &name);
		buf_printf(&name, " ");
		x += tui_text(t, row0, x, cols - x, " ", TUI_NORMAL, 0, 0);
		x += tui_text(t, row0, x, cols - x, name.data, i == c->tab ?
		    TUI_SELECT : TUI_HEADER, 0, 0);
	}
	if (x < cols)
		tui_fill(t, row0, x, cols - x, TUI_NORMAL);
	buf_release(&name);
	if (c->tabs[c->tab].history)
		card_draw_history(t, c, row0 + 1, rows - 1, cols);
	else if (c->tabs[c->tab].rt != NULL)
		card_draw_related(t, c, row0 + 1, rows - 1, cols);
	else
		card_draw_fields(t, c, row0 + 1, rows - 1, cols);
}

/* Move to the entry of field name, on the fields tab. */
static int
card_goto_field(struct card *c, const char *name)
{
	ssize_t	e;

	if ((e = card_layout_find(&c->layout, name)) < 0)
		return (-1);
	c->tab = 0;
	c->cur = (size_t)e;
	return (0);
}

/*
 * The field a refusal names: "field 'inn': ..." from the record
 * layer, else the first field whose name is quoted in the message.
 */
static ssize_t
card_blame(const struct card *c, const char *msg)
{
	struct buf	 q = BUF_INIT;
	const char	*p;
	size_t		 i, best = 0;
	ssize_t		 found = -1;

	for (i = 0; i < c->t->nfields; i++) {
		buf_reset(&q);
		buf_printf(&q, "'%s'", c->t->fields[i].name);
		if ((p = strstr(msg, q.data)) == NULL)
			continue;
		if (found == -1 || (size_t)(p - msg) < best) {
			found = (ssize_t)i;
			best = (size_t)(p - msg);
		}
	}
	buf_release(&q);
	return (found);
}

/*
 * Every field a refusal of the whole record names ("ИНН ('inn'): ...;
 * День рождения ('birthday'): ..."), marked wrong: the card shows them
 * all, the cursor goes to the first (card_blame()).
 */
static void
card_blame_all(struct card *c, const char *msg)
{
	struct buf	 q = BUF_INIT;
	size_t		 i;

	for (i = 0; i < c->t->nfields; i++) {
		buf_reset(&q);
		buf_printf(&q, "('%s')", c->t->fields[i].name);
		if (strstr(msg, q.data) != NULL)
			c->v[i].wrong = 1;
	}
	buf_release(&q);
}

static void card_conflict(struct tui *, struct card *, struct tui_lines *);

/* The server's copy, to tell a conflict from a refusal. */
static int
card_fetch(struct tui *t, struct card *c, struct tui_lines *lines,
    uint32_t *rev)
{
	struct buf	 out = BUF_INIT, err = BUF_INIT, idbuf = BUF_INIT;
	size_t		 i;
	int		 r;

	*rev = 0;
	buf_printf(&idbuf, "%llu", (unsigned long long)c->id);
	r = tui_call(t, &out, &err, "card", c->t->name, idbuf.data,
	    (char *)NULL);
	if (r == 0)
		r = tui_lines_parse(lines, out.data, out.len, &err);
	if (r == 0)
		for (i = 0; i < lines->n; i++)
			if (strcmp(tui_line_get(&lines->v[i], 0), "record") ==
			    0)
				*rev = (uint32_t)strtoul(
				    tui_line_get(&lines->v[i], 2), NULL, 10);
	buf_release(&out);
	buf_release(&err);
	buf_release(&idbuf);
	return (r);
}

static int
card_save(struct tui *t, struct card *c)
{
	struct buf	 out = BUF_INIT, err = BUF_INIT, tmp = BUF_INIT;
	struct buf	 warned = BUF_INIT;
	struct tui_lines lines;
	char		**argv;
	const char	*verb = c->id == 0 ? "add" : "set";
	size_t		 i, argc = 0;
	ssize_t		 fp;
	uint32_t	 rev;
	int		 r;

	argv = xcalloc(c->t->nfields + 5, sizeof *argv);
	argv[argc++] = xstrdup(c->t->name);
	if (c->id != 0)
		xasprintf(&argv[argc++], "%llu", (unsigned long long)c->id);
	for (i = 0; i < c->t->nfields; i++) {
		c->v[i].wrong = 0;
		/* A new record sends what it has; an old one what changed. */
		if (c->id == 0 ? *edit_text(&c->v[i].ed) == '\0' :
		    !card_changed(c, i))
			continue;
		xasprintf(&argv[argc++], "%s=%s", c->t->fields[i].name,
		    edit_text(&c->v[i].ed));
	}
	if (argc == (c->id == 0 ? 1u : 2u)) {
		for (i = 0; i < argc; i++)
			free(argv[i]);
		free(argv);
		tui_message(t, "%s", c->id == 0 ? _("nothing to save: the "
		    "card is empty") : _("nothing changed"));
		return (0);
	}
	if (c->id != 0) {
		argv[argc++] = xstrdup("--rev");
		xasprintf(&argv[argc++], "%lu", (unsigned long)c->rev);
	}
	r = tui_callv(t, verb, (int)argc, argv, &out, &err);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	if (r == 0) {
		if (c->id == 0)
			c->id = strtoull(out.data, NULL, 10);
		/* Its warnings (a phone another client has, a Treasury
		 * account) stay in view: "saved" alone would replace them. */
		buf_reset(&warned);
		if (tui_call_warnings(t) != NULL)
			buf_set(&warned, "%s", tui_call_warnings(t));
		buf_reset(&tmp);
		c->editing = 0;
		if (card_load(t, c, &tmp) != 0)
			tui_error(t, "%s", tmp.data);
		else if (warned.len > 0)
			tui_message(t, _("saved; %s"), warned.data);
		else
			tui_message(t, "%s", _("saved"));
		goto out;
	}
	/* Changed by someone else since we read it? */
	if (c->id != 0 && card_fetch(t, c, &lines, &rev) == 0) {
		if (rev != 0 && rev != c->rev) {
			card_conflict(t, c, &lines);
			tui_lines_release(&lines);
			goto out;
		}
		tui_lines_release(&lines);
	}
	if ((fp = card_blame(c, err.data)) >= 0) {
		card_blame_all(c, err.data);
		c->v[fp].wrong = 1;
		card_goto_field(c, c->t->fields[fp].name);
	}
	r = tui_error(t, "%s", err.data);
out:
	buf_release(&out);
	buf_release(&err);
	buf_release(&tmp);
	buf_release(&warned);
	return (r);
}

/*
 * The conflict screen: someone else saved the record since this card
 * read it.  Each field is settled by who changed it (clash.h): one
 * changed only there takes their value, one changed only here keeps
 * ours, and only one both changed, differently, is a row to choose on
 * (ours by default; for a list field also both lists together, the
 * default when both sides only added).  The screen says who changed
 * the record and when, which fields are taken from whom, and, when
 * they archived it, that it is archived: Enter then asks before
 * anything is saved into it.  Enter saves the result against their
 * revision.
 */
enum { PICK_THEIRS, PICK_MINE, PICK_BOTH };
struct conflict_row {
	size_t		 field;
	char		*theirs;
	char		*both;		/* a list field: the union, else NULL */
	int		 pick;		/* PICK_* */
};
struct conflict {
	struct card		*c;
	uint32_t		 rev;		/* theirs */
	int			 archived;	/* by them, since we read it */
	char			*who, *when;	/* their last change */
	char			**theirs;	/* every field's text */
	struct conflict_row	*rows;
	size_t			 n, cur;
	struct buf		 taken;		/* labels of fields of theirs */
	struct buf		 kept;		/* ... and of ours */
	struct buf		 title;
};

static int	conflict_cmd_apply(struct tui *, struct tui_screen *,
		    const char *);
static int	conflict_cmd_toggle(struct tui *, struct tui_screen *,
		    const char *);
static int	conflict_cmd_back(struct tui *, struct tui_screen *,
		    const char *);

const struct tui_cmd tui_conflict_cmds[] = {
	{ "conflict-save", { '\n', TUI_KEY_F(2), TUI_CTRL('s') }, N_("Save"),
	    N_("save the card with the values chosen (asks first when the "
	    "record was archived)"), TUI_CMD_WRITE, conflict_cmd_apply },
	{ "conflict-choose", { ' ', TUI_KEY_LEFT, TUI_KEY_RIGHT },
	    N_("Choose"), N_("take the next value of this field: theirs, "
	    "yours, both (a list)"), 0, conflict_cmd_toggle },
	{ "back", { TUI_KEY_ESC, 'q' }, NULL,
	    N_("back to the card, not saved (its edits stay)"), 0,
	    conflict_cmd_back },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};

/* text wrapped at blanks over rows row.. of width cols, at most max
 * rows (the last cut with "…" when more would follow); the rows used. */
static int
conflict_wrap(struct tui *t, int row, int cols, int max, const char *text,
    enum tui_role role)
{
	struct buf	  rest = BUF_INIT;
	char		**rows = NULL;
	size_t		  n = 0, i;
	int		  k;

	if (*text != '\0')
		tui_wrap_to(text, cols, 0, &rows, &n);
	for (k = 0, i = 0; i < n && k < max; i++, k++) {
		if (k + 1 == max && i + 1 < n) {
			/* The rest on the last row, cut. */
			for (; i < n; i++)
				buf_printf(&rest, "%s%s", rest.len ? " " : "",
				    rows[i]);
			tui_text(t, row + k, 0, cols, rest.data, role, 1, 0);
			k++;
			break;
		}
		tui_text(t, row + k, 0, cols, rows[i], role, 1, 0);
	}
	for (i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
	buf_release(&rest);
	return (k);
}

/* The rows a choice row takes: its label, theirs, yours, maybe both. */
static int
conflict_row_lines(const struct conflict_row *r)
{
	return (r->both != NULL ? 4 : 3);
}

static void
conflict_draw(struct tui *t, struct tui_screen *s)
{
	struct conflict	*k = s->data;
	struct card	*c = k->c;
	struct buf	 line = BUF_INIT;
	const char	*label = tui_label(c->t->label, t->lang), *mine;
	const char	*mark[3];
	size_t		 i, top = 0;
	int		 row0, rows, cols, y = 0, need, p;

	tui_body(t, &row0, &rows, &cols);
	if (k->archived)
		buf_printf(&line, _("%s #%llu was archived by %s at %s "
		    "(revision %lu) since you opened it (revision %lu)."),
		    label, (unsigned long long)c->id, k->who, k->when,
		    (unsigned long)k->rev, (unsigned long)c->rev);
	else
		buf_printf(&line, _("%s #%llu was changed by %s at %s "
		    "(revision %lu) since you opened it (revision %lu)."),
		    label, (unsigned long long)c->id, k->who, k->when,
		    (unsigned long)k->rev, (unsigned long)c->rev);
	y += conflict_wrap(t, row0 + y, cols, rows - y, line.data, TUI_ERROR);
	if (k->taken.len > 0 && y < rows) {
		buf_reset(&line);
		buf_printf(&line, _("Their changes, taken: %s."),
		    k->taken.data);
		y += conflict_wrap(t, row0 + y, cols, rows - y, line.data,
		    TUI_NORMAL);
	}
	if (k->kept.len > 0 && y < rows) {
		buf_reset(&line);
		buf_printf(&line, _("Your changes, kept: %s."), k->kept.data);
		y += conflict_wrap(t, row0 + y, cols, rows - y, line.data,
		    TUI_NORMAL);
	}
	buf_reset(&line);
	if (k->n > 0)
		buf_adds(&line, _("Both of you changed the fields below: "
		    "choose a value for each (Space), then Enter saves; Esc "
		    "goes back to the card."));
	else
		buf_adds(&line, _("None of their changes clashes with "
		    "yours: Enter saves them together; Esc goes back to the "
		    "card."));
	if (k->archived) {
		buf_adds(&line, " ");
		buf_adds(&line, _("Enter asks first whether to restore the "
		    "record."));
	}
	if (y < rows)
		y += conflict_wrap(t, row0 + y, cols, rows - y, line.data,
		    TUI_NORMAL);
	if (y < rows)
		tui_fill(t, row0 + y++, 0, cols, TUI_NORMAL);
	/* The rows from top, the current one in view. */
	for (;;) {
		need = 0;
		for (i = top; i <= k->cur && i < k->n; i++)
			need += conflict_row_lines(&k->rows[i]);
		if (top >= k->cur || need <= rows - y)
			break;
		top++;
	}
	for (i = top; i < k->n && y + conflict_row_lines(&k->rows[i]) <=
	    rows; i++) {
		mine = edit_text(&c->v[k->rows[i].field].ed);
		tui_text(t, row0 + y++, 0, cols,
		    tui_label(c->t->fields[k->rows[i].field].label, t->lang),
		    i == k->cur ? TUI_SELECT : TUI_LABEL, 1, 0);
		for (p = 0; p < 3; p++)
			mark[p] = k->rows[i].pick == p ? "(•)" : "( )";
		buf_reset(&line);
		buf_printf(&line, "  %s %s: %s", mark[PICK_THEIRS],
		    _("theirs"), *k->rows[i].theirs ? k->rows[i].theirs :
		    _("(empty)"));
		tui_text(t, row0 + y++, 0, cols, line.data,
		    k->rows[i].pick == PICK_THEIRS ? TUI_MARK : TUI_NORMAL, 1,
		    0);
		buf_reset(&line);
		buf_printf(&line, "  %s %s: %s", mark[PICK_MINE], _("yours"),
		    *mine ? mine : _("(empty)"));
		tui_text(t, row0 + y++, 0, cols, line.data,
		    k->rows[i].pick == PICK_MINE ? TUI_MARK : TUI_NORMAL, 1,
		    0);
		if (k->rows[i].both == NULL)
			continue;
		buf_reset(&line);
		buf_printf(&line, "  %s %s: %s", mark[PICK_BOTH], _("both"),
		    k->rows[i].both);
		tui_text(t, row0 + y++, 0, cols, line.data,
		    k->rows[i].pick == PICK_BOTH ? TUI_MARK : TUI_NORMAL, 1,
		    0);
	}
	for (; y < rows; y++)
		tui_fill(t, row0 + y, 0, cols, TUI_NORMAL);
	buf_release(&line);
}

/* Space, Left, Right: theirs, yours, both (a list field), round. */
static int
conflict_cmd_toggle(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct conflict	*k = s->data;
	struct conflict_row *r;

	(void)t;
	(void)arg;
	if (k->n == 0)
		return (0);
	r = &k->rows[k->cur];
	r->pick = (r->pick + 1) % (r->both != NULL ? 3 : 2);
	return (0);
}

static int
conflict_cmd_apply(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct conflict	*k = s->data;
	struct card	*c = k->c;
	struct buf	 q = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	const char	*buttons[3], *v;
	size_t		 i;
	int		 r;

	(void)arg;
	/*
	 * Archived by them: saving into it would put the edits where no
	 * list shows them.  Back by default, as for every question.
	 */
	if (k->archived) {
		buf_printf(&q, _("%s #%llu was archived by %s. Restore it and "
		    "save your changes, or discard them?"),
		    tui_label(c->t->label, t->lang),
		    (unsigned long long)c->id, k->who);
		buttons[0] = _("Back");
		buttons[1] = _("Restore and save");
		buttons[2] = _("Discard my changes");
		r = tui_ask(t, q.data, buttons, 3, 0, 0);
		buf_release(&q);
		if (r == 2) {
			tui_pop(t);	/* frees k */
			if (card_load(t, c, &err) != 0)
				tui_error(t, "%s", err.data);
			else
				tui_message(t, "%s", _("your changes are "
				    "discarded; the card shows the record as "
				    "stored"));
			buf_release(&err);
			return (0);
		}
		if (r != 1)
			return (0);
		buf_printf(&q, "%llu", (unsigned long long)c->id);
		if (tui_call(t, &out, &err, "restore", c->t->name, q.data,
		    (char *)NULL) != 0) {
			r = tui_error(t, "%s", err.data);
			buf_release(&q);
			buf_release(&out);
			buf_release(&err);
			return (r);
		}
		buf_release(&q);
		buf_release(&out);
		buf_release(&err);
		k->rev++;	/* the restore's own revision */
		c->archived = c->rev_archived = 0;
	}
	/* Fields nobody here touched follow theirs; the rows as chosen. */
	for (i = 0; i < c->t->nfields; i++)
		if (!card_changed(c, i))
			edit_set(&c->v[i].ed, k->theirs[i],
			    strlen(k->theirs[i]));
	for (i = 0; i < k->n; i++) {
		v = k->rows[i].pick == PICK_THEIRS ? k->rows[i].theirs :
		    k->rows[i].pick == PICK_BOTH ? k->rows[i].both : NULL;
		if (v != NULL)
			edit_set(&c->v[k->rows[i].field].ed, v, strlen(v));
	}
	for (i = 0; i < c->t->nfields; i++) {
		free(c->v[i].base);
		c->v[i].base = xstrdup(k->theirs[i]);
		c->v[i].base_unknown = 0;
		free(c->v[i].read);
		c->v[i].read = NULL;
	}
	c->rev = k->rev;
	tui_pop(t);		/* frees k */
	return (card_save(t, c));
}

static int
conflict_key(struct tui *t, struct tui_screen *s, int key)
{
	struct conflict	*k = s->data;

	(void)t;
	switch (key) {
	case TUI_KEY_UP:
	case TUI_KEY_BTAB:
		if (k->cur > 0)
			k->cur--;
		return (1);
	case TUI_KEY_DOWN:
	case '\t':
		if (k->cur + 1 < k->n)
			k->cur++;
		return (1);
	}
	return (0);
}

/* Nothing is lost going back: the edits stay on the card below. */
static int
conflict_cmd_back(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)s;
	(void)arg;
	tui_pop(t);
	tui_message(t, "%s", _("not saved: the record was changed by "
	    "someone else"));
	return (0);
}

static void
conflict_status(struct tui *t, struct tui_screen *s, struct tui_status *st)
{
	struct conflict	*k = s->data;

	(void)t;
	st->title = k->title.data;
	st->unsaved = 1;
}

static void
conflict_free(struct tui_screen *s)
{
	struct conflict	*k = s->data;
	size_t		 i;

	for (i = 0; i < k->c->t->nfields; i++)
		free(k->theirs[i]);
	free(k->theirs);
	for (i = 0; i < k->n; i++) {
		free(k->rows[i].theirs);
		free(k->rows[i].both);
	}
	free(k->rows);
	free(k->who);
	free(k->when);
	buf_release(&k->taken);
	buf_release(&k->kept);
	buf_release(&k->title);
	free(k);
}

static int
conflict_unsaved(struct tui *t, struct tui_screen *s)
{
	(void)t;
	(void)s;
	return (1);
}

static const struct tui_screen_ops conflict_ops = {
	.name = "conflict",
	.cmds = tui_conflict_cmds,
	.draw = conflict_draw,
	.key = conflict_key,
	.status = conflict_status,
	.unsaved = conflict_unsaved,
	.free = conflict_free,
};

static void
conflict_list_add(struct buf *b, const char *label)
{
	if (b->len > 0)
		buf_adds(b, ", ");
	buf_adds(b, label);
}

static void
card_conflict(struct tui *t, struct card *c, struct tui_lines *lines)
{
	struct conflict		*k;
	struct conflict_row	*row;
	const struct tui_line	*l;
	const struct tui_field	*f;
	struct buf		 u = BUF_INIT, when;
	const char		*base, *mine;
	ssize_t			 fp;
	size_t			 i;

	k = xcalloc(1, sizeof *k);
	k->c = c;
	buf_init(&k->taken);
	buf_init(&k->kept);
	buf_init(&k->title);
	k->theirs = xcalloc(c->t->nfields + 1, sizeof *k->theirs);
	for (i = 0; i < lines->n; i++) {
		l = &lines->v[i];
		if (strcmp(tui_line_get(l, 0), "record") == 0) {
			k->rev = (uint32_t)strtoul(tui_line_get(l, 2), NULL,
			    10);
			k->archived = strcmp(tui_line_get(l, 3), "1") == 0 &&
			    !c->rev_archived;
			free(k->when);
			buf_init(&when);
			tui_when(tui_line_get(l, 6), &when);
			k->when = buf_detach(&when, NULL);
			free(k->who);
			k->who = xstrdup(*tui_line_get(l, 7) != '\0' ?
			    tui_line_get(l, 7) : "?");
		} else if (strcmp(tui_line_get(l, 0), "value") == 0 &&
		    (fp = tui_table_field(c->t, tui_line_get(l, 1))) >= 0) {
			free(k->theirs[fp]);
			k->theirs[fp] = xstrdup(tui_line_get(l, 2));
		}
	}
	if (k->who == NULL)
		k->who = xstrdup("?");
	if (k->when == NULL)
		k->when = xstrdup("?");
	k->rows = xcalloc(c->t->nfields + 1, sizeof *k->rows);
	for (i = 0; i < c->t->nfields; i++) {
		f = &c->t->fields[i];
		if (k->theirs[i] == NULL)
			k->theirs[i] = xstrdup("");
		base = c->v[i].base_unknown ? NULL : c->v[i].base;
		mine = edit_text(&c->v[i].ed);
		/* Not edited here: theirs, named when they changed it. */
		if (!card_changed(c, i)) {
			if (strcmp(k->theirs[i], c->v[i].read != NULL ?
			    c->v[i].read : c->v[i].base) != 0)
				conflict_list_add(&k->taken,
				    tui_label(f->label, t->lang));
			continue;
		}
		switch (clash_classify(base, mine, k->theirs[i])) {
		case CLASH_THEIRS:
			if (strcmp(k->theirs[i], c->v[i].base) != 0)
				conflict_list_add(&k->taken,
				    tui_label(f->label, t->lang));
			continue;
		case CLASH_MINE:
			conflict_list_add(&k->kept, tui_label(f->label,
			    t->lang));
			continue;
		case CLASH_SAME:
			continue;
		case CLASH_BOTH:
			break;
		}
		row = &k->rows[k->n++];
		row->field = i;
		row->theirs = xstrdup(k->theirs[i]);
		row->pick = PICK_MINE;
		if (f->multi && !card_is(f, "ref") && !card_is(f, "enum")) {
			clash_union(k->theirs[i], mine, &u);
			if (strcmp(u.data, k->theirs[i]) != 0 &&
			    strcmp(u.data, mine) != 0) {
				row->both = xstrdup(u.data);
				if (base != NULL && clash_only_added(base,
				    k->theirs[i]) && clash_only_added(base,
				    mine))
					row->pick = PICK_BOTH;
			}
		}
	}
	buf_release(&u);
	buf_printf(&k->title, _("Conflict: %s #%llu"),
	    tui_label(c->t->label, t->lang), (unsigned long long)c->id);
	tui_push(t, tui_screen_new(&conflict_ops, k));
	if (k->archived)
		tui_error(t, _("%s #%llu was archived by %s: nothing is "
		    "saved unless you say so"), tui_label(c->t->label,
		    t->lang), (unsigned long long)c->id, k->who);
	else
		tui_error(t, _("%s #%llu was changed by %s: see what clashes "
		    "with your changes"), tui_label(c->t->label, t->lang),
		    (unsigned long long)c->id, k->who);
}

/* Give reference field fp the value id, shown as title. */
static void
card_set_ref(struct card_value *v, const char *id, const char *title)
{
	edit_set(&v->ed, id, strlen(id));
	free(v->title);
	v->title = xstrdup(title);
	free(v->title_of);
	v->title_of = xstrdup(id);
}

/* The picker's answer, for the current field. */
static void
card_picked(struct tui *t, void *arg, const char *value, const char *title)
{
	struct card	*c = arg;
	ssize_t		 fp = card_entry_field(c);
	struct card_value *v;

	(void)t;
	if (fp < 0)
		return;
	v = &c->v[fp];
	if (card_is(&c->t->fields[fp], "ref"))
		card_set_ref(v, value, title);
	else
		edit_set(&v->ed, title, strlen(title));
	v->wrong = 0;
	c->cur = card_layout_tab(&c->layout, c->cur, 1);
}

static int
card_open_picker(struct tui *t, struct card *c, const char *text)
{
	struct tui_screen	*s;
	ssize_t			 fp = card_entry_field(c);

	if (fp < 0)
		return (-1);
	if ((s = picker_new(t, &c->t->fields[fp], text, card_picked, c)) ==
	    NULL)
		return (-1);
	tui_push(t, s);
	return (0);
}

static int
card_cmd_save(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (card_save(t, s->data));
}

static int
card_cmd_edit(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct card	*c = s->data;
	ssize_t		 fp;
	size_t		*idx, n;
	uint64_t	 id;
	const char	*table;

	(void)arg;
	if (c->tabs[c->tab].rt != NULL) {
		/* On a related tab: open the record under the cursor. */
		idx = xreallocarray(NULL, c->nrel + 1, sizeof *idx);
		n = card_tab_rows(c, idx);
		if (n == 0) {
			free(idx);
			return (tui_error(t, "%s", _("no record here")));
		}
		table = c->rel[idx[c->relcur]].table;
		id = c->rel[idx[c->relcur]].id;
		free(idx);
		if ((s = tui_card_new(t, table, id)) == NULL)
			return (-1);
		tui_push(t, s);
		return (0);
	}
	if (c->tabs[c->tab].history)
		return (0);
	if ((fp = card_entry_field(c)) < 0)
		return (tui_error(t, "%s", _("this card has no fields to "
		    "edit")));
	if (card_is(&c->t->fields[fp], "ref") ||
	    card_is(&c->t->fields[fp], "enum"))
		return (card_open_picker(t, c, NULL));
	c->editing = 1;
	edit_end(&c->v[fp].ed);
	return (0);
}

static int
card_cmd_new(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct card		*c = s->data, *n;
	const struct card_tab	*tb = &c->tabs[c->tab];
	struct tui_screen	*ns;
	struct buf		 id = BUF_INIT;
	ssize_t			 fp, np;

	(void)arg;
	if (tb->rt == NULL) {
		if ((ns = tui_card_new(t, c->t->name, 0)) == NULL)
			return (-1);
		tui_push(t, ns);
		return (0);
	}
	if (c->id == 0)
		return (tui_error(t, "%s", _("save the card first")));
	/* A related record: its reference to us filled in. */
	if ((ns = tui_card_new(t, tb->rt->name, 0)) == NULL)
		return (-1);
	n = ns->data;
	if ((fp = tui_table_field(n->t, tb->field)) >= 0) {
		buf_printf(&id, "%llu", (unsigned long long)c->id);
		np = tui_table_field(c->t, "name");
		card_set_ref(&n->v[fp], id.data, np >= 0 && *c->v[np].base ?
		    c->v[np].base : id.data);
		/* Like a default: not an edit to ask about on Esc. */
		free(n->v[fp].base);
		n->v[fp].base = xstrdup(id.data);
		buf_release(&id);
	}
	tui_push(t, ns);
	return (0);
}

/*
 * F8 on an archived card (opened from a list read before someone
 * archived it, from a tab, from the archived list): bring it back,
 * after a question, whoever archived it; u is only for one's own.
 */
static int
card_restore(struct tui *t, struct card *c, const char *name)
{
	struct buf	 q = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	struct buf	 idbuf = BUF_INIT;
	int		 r;

	buf_printf(&q, _("Restore %s #%llu %s from the archive?"),
	    tui_label(c->t->label, t->lang), (unsigned long long)c->id, name);
	r = tui_confirm(t, q.data, _("Restore"));
	buf_release(&q);
	if (r != 1)
		return (0);
	buf_printf(&idbuf, "%llu", (unsigned long long)c->id);
	if (tui_call(t, &out, &err, "restore", c->t->name, idbuf.data,
	    (char *)NULL) != 0)
		r = tui_error(t, "%s", err.data);
	else {
		if (last_archived_table != NULL && last_archived_id == c->id &&
		    strcmp(last_archived_table, c->t->name) == 0) {
			free(last_archived_table);
			last_archived_table = NULL;
		}
		if (card_reload(t, c, &err) != 0)
			tui_error(t, "%s", err.data);
		tui_message(t, _("restored %s #%llu"), tui_label(c->t->label,
		    t->lang), (unsigned long long)c->id);
		r = 0;
	}
	buf_release(&out);
	buf_release(&err);
	buf_release(&idbuf);
	return (r);
}

static int
card_cmd_archive(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct card	*c = s->data;
	struct buf	 q = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	struct buf	 idbuf = BUF_INIT;
	const char	*name;
	ssize_t		 np;
	int		 r;

	(void)arg;
	if (c->id == 0)
		return (tui_error(t, "%s", _("the card is not saved yet")));
	np = tui_table_field(c->t, "name");
	name = np >= 0 && *c->v[np].base != '\0' ? c->v[np].base : "";
	if (c->archived)
		return (card_restore(t, c, name));
	buf_printf(&q, _("Archive %s #%llu %s?"), tui_label(c->t->label,
	    t->lang), (unsigned long long)c->id, name);
	r = tui_confirm(t, q.data, _("Archive"));
	buf_release(&q);
	if (r != 1)
		return (0);
	buf_printf(&idbuf, "%llu", (unsigned long long)c->id);
	if (tui_call(t, &out, &err, "rm", c->t->name, idbuf.data,
	    (char *)NULL) != 0)
		r = tui_error(t, "%s", err.data);
	else {
		free(last_archived_table);
		last_archived_table = xstrdup(c->t->name);
		last_archived_id = c->id;
		if (card_reload(t, c, &err) != 0)
			tui_error(t, "%s", err.data);
		tui_message(t, "%s", _("archived; u brings it back"));
		r = 0;
	}
	buf_release(&out);
	buf_release(&err);
	buf_release(&idbuf);
	return (r);
}

/*
 * u: undo the archive made on this card, and only that.  A u pressed on
 * another card (a new one, one opened from a list) must not bring back
 * a record that is not in view: the operator would not see what was
 * restored, nor know to look.
 */
static int
card_cmd_undo(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct card	*c = s->data;
	struct buf	 out = BUF_INIT, err = BUF_INIT, idbuf = BUF_INIT;
	int		 r = 0;

	(void)arg;
	if (last_archived_table == NULL || c->id == 0 ||
	    strcmp(last_archived_table, c->t->name) != 0 ||
	    last_archived_id != c->id)
		return (tui_error(t, "%s", _("nothing to undo on this card: u "
		    "brings back only a record archived on its own card")));
	buf_printf(&idbuf, "%llu", (unsigned long long)c->id);
	if (tui_call(t, &out, &err, "restore", c->t->name, idbuf.data,
	    (char *)NULL) != 0)
		r = tui_error(t, "%s", err.data);
	else {
		if (card_reload(t, c, &err) != 0)
			tui_error(t, "%s", err.data);
		tui_message(t, _("restored %s #%llu"), tui_label(c->t->label,
		    t->lang), (unsigned long long)c->id);
		free(last_archived_table);
		last_archived_table = NULL;
	}
	buf_release(&out);
	buf_release(&err);
	buf_release(&idbuf);
	return (r);
}

static void
card_move(struct card *c, int key)
{
	switch (key) {
	case '\t':
		c->cur = card_layout_tab(&c->layout, c->cur, 1);
		break;
	case TUI_KEY_BTAB:
		c->cur = card_layout_tab(&c->layout, c->cur, -1);
		break;
	case TUI_KEY_DOWN:
		c->cur = card_layout_vertical(&c->layout, c->cur, 1);
		break;
	case TUI_KEY_UP:
		c->cur = card_layout_vertical(&c->layout, c->cur, -1);
		break;
	}
	if (c->editing && card_entry_field(c) >= 0)
		edit_end(&c->v[card_entry_field(c)].ed);
}

/* Is the card on its fields (not a tab of records or the history)? */
static int
card_on_fields(const struct card *c)
{
	return (c->tabs[c->tab].rt == NULL && !c->tabs[c->tab].history);
}

/* Typing in a field: the mode of tui_card_field_cmds. */
static int
card_typing(const struct card *c)
{
	return (c->editing && card_on_fields(c) && card_entry_field(c) >= 0);
}

/* To the next tab (step 1) or the one before (-1), round. */
static void
card_tab_step(struct tui *t, struct card *c, int step)
{
	c->editing = 0;
	c->tab = (c->tab + (step > 0 ? 1 : c->ntabs - 1)) % c->ntabs;
	if (c->tabs[c->tab].history && !c->hist_loaded)
		card_load_history(t, c);
}

static int
card_cmd_tab(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	card_tab_step(t, s->data, 1);
	return (0);
}

static int
card_cmd_next(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct card	*c = s->data;

	(void)arg;
	if (card_on_fields(c))
		card_move(c, '\t');
	else
		card_tab_step(t, c, 1);
	return (0);
}

static int
card_cmd_prev(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct card	*c = s->data;

	(void)arg;
	if (card_on_fields(c))
		card_move(c, TUI_KEY_BTAB);
	else
		card_tab_step(t, c, -1);
	return (0);
}

/* Down and Up: between fields, or the lines of the other tabs. */
static void
card_line(struct card *c, int down)
{
	if (card_on_fields(c)) {
		card_move(c, down ? TUI_KEY_DOWN : TUI_KEY_UP);
		return;
	}
	card_lines(c, down ? 1 : -1);
}

/*
 * Move on the history or related tab by lines (negative: up), as far as
 * there are lines: the history scrolls (its last page stays full, see
 * card_draw_history()), the related records move their cursor.
 */
static void
card_lines(struct card *c, long by)
{
	size_t	 n, *at;

	if (c->tabs[c->tab].history) {
		n = c->nhrow > (size_t)c->page ? c->nhrow - (size_t)c->page :
		    0;
		at = &c->histtop;
	} else {
		n = card_tab_rows(c, NULL);
		n = n > 0 ? n - 1 : 0;
		at = &c->relcur;
	}
	if (by < 0)
		*at = (size_t)-by > *at ? 0 : *at - (size_t)-by;
	else
		*at = *at + (size_t)by > n ? n : *at + (size_t)by;
}

/*
 * PgDn, PgUp, Home, End: a page of the history or the related records,
 * or their first or last; on the fields, the field a page below or
 * above, the first or the last.
 */
static void
card_page(struct card *c, int how)
{
	long	page = c->page > 1 ? c->page - 1 : 1;
	int	i;

	if (card_on_fields(c)) {
		c->editing = 0;
		if (c->layout.nentries == 0)
			return;
		if (how == 'g' || how == 'G') {
			c->cur = how == 'g' ? 0 : c->layout.nentries - 1;
			return;
		}
		for (i = 0; i < page; i++)
			card_move(c, how > 0 ? TUI_KEY_DOWN : TUI_KEY_UP);
		return;
	}
	if (how == 'g')
		card_lines(c, -LONG_MAX);
	else if (how == 'G')
		card_lines(c, LONG_MAX);
	else
		card_lines(c, how > 0 ? page : -page);
}

static int
card_cmd_page_down(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)t;
	(void)arg;
	card_page(s->data, 1);
	return (0);
}

static int
card_cmd_page_up(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)t;
	(void)arg;
	card_page(s->data, -1);
	return (0);
}

static int
card_cmd_first(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)t;
	(void)arg;
	card_page(s->data, 'g');
	return (0);
}

static int
card_cmd_last(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)t;
	(void)arg;
	card_page(s->data, 'G');
	return (0);
}

static int
card_cmd_down(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)t;
	(void)arg;
	card_line(s->data, 1);
	return (0);
}

static int
card_cmd_up(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)t;
	(void)arg;
	card_line(s->data, 0);
	return (0);
}

/* Esc while typing: the edits stay, marked unsaved; Esc again is
 * "back", which asks before they are lost. */
static int
card_cmd_done(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct card	*c = s->data;

	(void)t;
	(void)arg;
	c->editing = 0;
	return (0);
}

/*
 * Back (Esc, q, й, ":back"): leave the card, asking first when that
 * would lose edits, No by default.  Every way off a card but quitting
 * (which asks on its own) comes here, so none loses typing silently.
 */
static int
card_cmd_back(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	if (card_unsaved_any(s->data) && tui_confirm(t, _("Discard the "
	    "changes to this card?"), _("Discard")) != 1)
		return (0);
	tui_pop(t);
	return (0);
}

/* A key while editing a text field; 1 when taken. */
static int
card_edit_key(struct tui *t, struct card *c, int key)
{
	ssize_t		 fp = card_entry_field(c);
	struct edit	*e;
	char		 one[8];
	struct buf	 b = BUF_INIT;
	int		 r;

	if (fp < 0)
		return (0);
	e = &c->v[fp].ed;
	switch (key) {
	case TUI_KEY_LEFT:
		edit_left(e);
		return (1);
	case TUI_KEY_RIGHT:
		edit_right(e);
		return (1);
	case TUI_KEY_HOME:
	case TUI_CTRL('a'):
		edit_home(e);
		return (1);
	case TUI_KEY_END:
	case TUI_CTRL('e'):
		edit_end(e);
		return (1);
	case TUI_KEY_BACKSPACE:
	case 0x7f:
	case 0x08:
		edit_backspace(e);
		break;
	case TUI_KEY_DEL:
	case TUI_CTRL('d'):
		edit_delete(e);
		break;
	case TUI_CTRL('k'):
		edit_kill_end(e);
		break;
	case TUI_CTRL('u'):
		edit_kill_home(e);
		break;
	case TUI_CTRL('w'):
		edit_kill_word(e);
		break;
	case '\n':
	case '\r':
		/* On a choice Enter opens its list; elsewhere it moves on,
		 * as on a paper form. */
		if (card_is(&c->t->fields[fp], "ref") ||
		    card_is(&c->t->fields[fp], "enum"))
			card_open_picker(t, c, NULL);
		else
			card_move(c, '\t');
		return (1);
	default:
		if (key < 0x20 || key >= TUI_KEY_BASE || key == 0x7f)
			return (0);
		if (card_is(&c->t->fields[fp], "ref") ||
		    card_is(&c->t->fields[fp], "enum")) {
			/* Typing in a choice starts its search. */
			utf8_encode(&b, (uint32_t)key);
			memcpy(one, b.data, b.len + 1);
			buf_release(&b);
			card_open_picker(t, c, one);
			return (1);
		}
		r = edit_insert(e, (uint32_t)key);
		if (r == EDIT_FULL)
			tui_error(t, _("at most %zu characters here"),
			    e->maxchars);
		break;
	}
	c->v[fp].wrong = 0;
	return (1);
}

static int
card_key(struct tui *t, struct tui_screen *s, int key)
{
	struct card	*c = s->data;

	/* Typing: text and the keys that edit it; the others are for the
	 * commands of the mode (card_mode), like every key when not. */
	if (card_typing(c))
		return (card_edit_key(t, c, key));
	return (0);
}

static const struct tui_mode *
card_mode(const struct tui_screen *s)
{
	return (card_typing(s->data) ? &card_field_mode : NULL);
}

/*
 * Back on top: a record opened from a tab may have changed what the
 * tabs list, so the card is read again, unless that would lose edits.
 */
static void
card_resume(struct tui *t, struct tui_screen *s)
{
	struct card	*c = s->data;
	struct buf	 err = BUF_INIT;
	size_t		 tab = c->tab, relcur = c->relcur;

	if (c->id != 0 && !card_unsaved_any(c)) {
		if (card_load(t, c, &err) != 0)
			tui_error(t, "%s", err.data);
		c->tab = tab;
		c->relcur = relcur;
		if (c->tabs[c->tab].history)
			card_load_history(t, c);
	}
	buf_release(&err);
}

static void
card_status(struct tui *t, struct tui_screen *s, struct tui_status *st)
{
	struct card	*c = s->data;
	ssize_t		 fp = card_entry_field(c);

	buf_reset(&c->title);
	if (c->id == 0)
		buf_printf(&c->title, _("New: %s"), tui_label(c->t->label,
		    t->lang));
	else
		buf_printf(&c->title, "%s #%llu%s", tui_label(c->t->label,
		    t->lang), (unsigned long long)c->id, c->archived ?
		    _(" (archived)") : "");
	st->title = c->title.data;
	st->counts = 0;
	buf_reset(&c->position);
	if (c->tabs[c->tab].rt == NULL && !c->tabs[c->tab].history &&
	    fp >= 0)
		buf_printf(&c->position, "%s%s",
		    tui_label(c->t->fields[fp].label, t->lang),
		    c->editing ? _(" (editing)") : "");
	st->position = c->position.len > 0 ? c->position.data : NULL;
	st->unsaved = card_unsaved_any(c);
}

static int
card_has_row(struct tui *t, struct tui_screen *s)
{
	struct card	*c = s->data;

	(void)t;
	return (c->id != 0);
}

static int
card_unsaved(struct tui *t, struct tui_screen *s)
{
	(void)t;
	return (card_unsaved_any(s->data));
}

/* The card's edits as a draft (d initialised by the caller). */
static void
card_draft_make(struct tui *t, struct card *c, struct draft *d)
{
	size_t	i;

	/* The real folder or socket: a translated name would hide the
	 * draft from a start under another locale. */
	d->where = xstrdup(t->where != NULL ? t->where : "");
	d->table = xstrdup(c->t->name);
	d->id = c->id;
	d->rev = c->rev;
	d->archived = c->rev_archived;
	d->saved = (int64_t)time(NULL);
	for (i = 0; i < c->t->nfields; i++)
		if (card_changed(c, i))
			draft_add(d, c->t->fields[i].name,
			    edit_text(&c->v[i].ed), c->v[i].base_unknown ?
			    NULL : c->v[i].base);
		else if (c->id != 0)
			draft_add_read(d, c->t->fields[i].name,
			    c->v[i].read != NULL ? c->v[i].read :
			    c->v[i].base);
}

/* A sum of what a draft of the card would hold but its time. */
static uint64_t
card_draft_sum(const struct card *c)
{
	struct buf	 b = BUF_INIT;
	uint64_t	 h;
	size_t		 i;

	buf_printf(&b, "%llu %lu %d", (unsigned long long)c->id,
	    (unsigned long)c->rev, c->rev_archived);
	for (i = 0; i < c->t->nfields; i++)
		if (card_changed(c, i)) {
			buf_printf(&b, "\n%zu\t", i);
			buf_adds(&b, edit_text(&c->v[i].ed));
		}
	h = hash_fnv1a(b.data, b.len);
	buf_release(&b);
	return (h);
}

/* The card's draft file is no longer wanted (saved, or given up). */
static void
card_draft_drop(struct card *c)
{
	if (c->draft == NULL)
		return;
	unlink(c->draft);
	free(c->draft);
	c->draft = NULL;
	c->draft_sum = 0;
}

/*
 * After every key: the unsaved edits kept on disk as they are typed, in
 * one file per card rewritten when they change, so clerk killed (kill
 * -9, a crash, the OOM killer), which no hang-up handler sees, loses
 * nothing; the next start offers it as a hang-up's draft.  Saved or
 * given up, the file goes.
 */
static void
card_keep(struct tui *t, struct tui_screen *s)
{
	struct card	*c = s->data;
	struct draft	 d;
	struct buf	 err = BUF_INIT;
	uint64_t	 sum;

	if (!card_unsaved_any(c)) {
		card_draft_drop(c);
		return;
	}
	sum = card_draft_sum(c);
	if (c->draft != NULL && sum == c->draft_sum)
		return;
	draft_init(&d);
	card_draft_make(t, c, &d);
	if (draft_keep(&d, c->draft, 0, &err) == 0) {
		free(c->draft);
		c->draft = xstrdup(d.path);
		c->draft_sum = sum;
	} else if (!c->draft_warned) {
		c->draft_warned = 1;
		log_warn("%s", err.data);
	}
	draft_release(&d);
	buf_release(&err);
}

/* Hang-up: keep the edits as a draft; no drawing, no server. */
static void
card_hangup(struct tui *t, struct tui_screen *s)
{
	struct card	*c = s->data;
	struct draft	 d;
	struct buf	 err = BUF_INIT;

	if (!card_unsaved_any(c))
		return;
	draft_init(&d);
	card_draft_make(t, c, &d);
	/* On the disk now, over the draft kept as typed (the same edits,
	 * or newer): one draft of the card, never none. */
	if (draft_keep(&d, c->draft, 1, &err) != 0)
		log_warn("%s", err.data);
	else {
		free(c->draft);
		c->draft = NULL;	/* kept: not removed at the end */
	}
	draft_release(&d);
	buf_release(&err);
}

/*
 * Idle (TUI_IDLE_MS without a key): a card read, not being edited,
 * follows what others save meanwhile, as a list does, so that the
 * operator edits what is there now; one with edits is left alone.
 */
static void
card_idle(struct tui *t, struct tui_screen *s)
{
	struct card	*c = s->data;

	if (!c->editing && !card_unsaved_any(c))
		card_resume(t, s);
}

/* On an archived card F8 restores: the key bar says so. */
static const char *
card_bar(const struct tui_screen *s, const struct tui_cmd *cmd)
{
	const struct card	*c = s->data;

	if (c->archived && strcmp(cmd->name, "card-archive") == 0)
		return (N_("Restore"));
	return (NULL);
}

static void
card_free(struct tui_screen *s)
{
	struct card	*c = s->data;
	size_t		 i;

	for (i = 0; i < c->t->nfields; i++) {
		edit_release(&c->v[i].ed);
		free(c->v[i].base);
		free(c->v[i].read);
		free(c->v[i].title);
		free(c->v[i].title_of);
	}
	free(c->v);
	free(c->efield);
	card_layout_release(&c->layout);
	card_rel_clear(c);
	card_hist_clear(c);
	free(c->tabs);
	free(c->stamp);
	buf_release(&c->title);
	buf_release(&c->position);
	/* Left saved, or its edits given up when asked (a hang-up kept
	 * its draft and let go of it). */
	card_draft_drop(c);
	free(c);
}

static const struct tui_screen_ops card_ops = {
	.name = "card",
	.cmds = tui_card_cmds,
	.draw = card_draw,
	.key = card_key,
	.resume = card_resume,
	.status = card_status,
	.has_row = card_has_row,
	.unsaved = card_unsaved,
	.hangup = card_hangup,
	.keep = card_keep,
	.idle = card_idle,
	.bar = card_bar,
	.free = card_free,
	.mode = card_mode,
};

struct tui_screen *
tui_card_new(struct tui *t, const char *table, uint64_t id)
{
	const struct tui_table	*tt;
	struct card		*c;
	struct buf		 err = BUF_INIT;
	const struct tui_item	*it;
	struct tui_screen	 tmp = { NULL, NULL, NULL };
	size_t			 i;

	if ((tt = tui_schema_table(&t->schema, table)) == NULL) {
		tui_error(t, _("unknown table '%s'"), table);
		return (NULL);
	}
	c = xcalloc(1, sizeof *c);
	c->t = tt;
	c->id = id;
	buf_init(&c->title);
	buf_init(&c->position);
	c->v = xcalloc(tt->nfields + 1, sizeof *c->v);
	for (i = 0; i < tt->nfields; i++) {
		edit_init(&c->v[i].ed, tt->fields[i].maxlen);
		c->v[i].base = xstrdup("");
	}
	/* The server's layout: the drawing with its items blanked. */
	card_layout_init(&c->layout);
	for (i = 0; i < tt->nlines; i++)
		card_layout_line(&c->layout, tt->lines[i],
		    strlen(tt->lines[i]));
	for (i = 0; i < tt->nitems; i++) {
		it = &tt->items[i];
		if (it->field < tt->nfields)
			card_layout_item(&c->layout, it->row, it->col,
			    it->width, it->is_label,
			    tt->fields[it->field].name);
	}
	card_layout_done(&c->layout);
	c->efield = xcalloc(c->layout.nentries + 1, sizeof *c->efield);
	for (i = 0; i < c->layout.nentries; i++)
		c->efield[i] = tui_table_field(tt,
		    c->layout.items[c->layout.entries[i]].name);
	card_make_tabs(t, c);
	if (card_load(t, c, &err) != 0) {
		tui_error(t, "%s", err.data);
		buf_release(&err);
		tmp.data = c;
		card_free(&tmp);
		return (NULL);
	}
	buf_release(&err);
	/* A new card starts in the first field, typing. */
	if (id == 0)
		c->editing = 1;
	return (tui_screen_new(&card_ops, c));
}

/* Offer draft d, the kth (from 1) of n: open it, discard it, or keep
 * it for the next start. */
static void
card_draft_offer(struct tui *t, struct draft *dp, size_t k, size_t n)
{
	struct draft		 d = *dp;
	struct buf		 q = BUF_INIT, when = BUF_INIT;
	struct tui_screen	*s;
	struct card		*c;
	const struct tui_table	*tt;
	const char		*buttons[3];
	ssize_t			 fp;
	size_t			 i;
	uint32_t		 now;
	int			 stale;

	tt = tui_schema_table(&t->schema, d.table);
	/* Several drafts: each offered in turn, saying which of how many,
	 * so a Later on one never hides the next. */
	if (n > 1)
		buf_printf(&q, _("Draft %zu of %zu: "), k, n);
	datetime_format_ru(&when, d.saved);
	if (d.id != 0)
		buf_printf(&q, _("An unsaved card of %s #%llu was kept at %s, "
		    "when clerk ended without saving it. Open it?"),
		    tt != NULL ? tui_label(tt->label, t->lang) : d.table,
		    (unsigned long long)d.id, when.data);
	else
		buf_printf(&q, _("An unsaved new card of %s was kept at %s, "
		    "when clerk ended without saving it. Open it?"),
		    tt != NULL ? tui_label(tt->label, t->lang) : d.table,
		    when.data);
	/* Later by default and on Esc: a draft is never lost by a key
	 * pressed in a hurry, nor nagged about with no way out. */
	buttons[0] = _("Later");
	buttons[1] = _("Open");
	buttons[2] = _("Discard");
	switch (tui_ask(t, q.data, buttons, 3, 0, 0)) {
	case 1:
		break;
	case 2:
		draft_remove(&d);
		tui_message(t, "%s", _("the draft is discarded"));
		goto out;
	default:
		tui_message(t, _("the draft is kept for the next start: %s"),
		    d.path);
		goto out;
	}
	if ((s = tui_card_new(t, d.table, d.id)) == NULL)
		goto out;
	c = s->data;
	now = c->rev;
	/*
	 * A record changed since the draft was kept: the card stays at the
	 * draft's revision, its edits over the text they were made on, so
	 * F2 goes through the conflict screen as a card left open would,
	 * and never writes the draft over the newer change unseen.
	 */
	stale = d.id != 0 && d.rev != 0 && d.rev != c->rev;
	if (stale) {
		c->rev = d.rev;
		c->rev_archived = d.archived;
	}
	for (i = 0; i < d.n; i++) {
		if ((fp = tui_table_field(c->t, d.names[i])) < 0)
			continue;
		edit_set(&c->v[fp].ed, d.values[i], strlen(d.values[i]));
		if (!stale)
			continue;
		if (d.bases[i] != NULL) {
			free(c->v[fp].base);
			c->v[fp].base = xstrdup(d.bases[i]);
		} else
			c->v[fp].base_unknown = 1;
	}
	for (i = 0; stale && i < d.nreads; i++) {
		if ((fp = tui_table_field(c->t, d.rnames[i])) < 0 ||
		    strcmp(c->v[fp].base, d.reads[i]) == 0)
			continue;
		free(c->v[fp].read);
		c->v[fp].read = xstrdup(d.reads[i]);
	}
	c->editing = 1;
	tui_push(t, s);
	/* Kept again, as this card's, before the old file goes. */
	card_keep(t, s);
	if (stale)
		tui_message(t, _("the record was changed since the draft was "
		    "kept (revision %lu, now %lu): F2 shows what clashes"),
		    (unsigned long)d.rev, (unsigned long)now);
	else
		tui_message(t, "%s", _("the draft is back; F2 saves it"));
	draft_remove(&d);
out:
	buf_release(&q);
	buf_release(&when);
}

void
tui_drafts_offer(struct tui *t)
{
	struct draft	*v;
	struct buf	 err = BUF_INIT;
	size_t		 n, i;

	if (draft_list(&v, &n, t->where != NULL ? t->where : "", &err) != 0)
		log_warn("%s", err.data);
	else {
		/* Each card opened goes over the one before: leaving it
		 * comes to the next. */
		for (i = 0; i < n; i++)
			card_draft_offer(t, &v[i], i + 1, n);
		draft_list_free(v, n);
	}
	buf_release(&err);
}
