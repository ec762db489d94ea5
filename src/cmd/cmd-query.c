/*
 * cmd-query.c: "query TEXT [--format table|csv|tsv|json] [--explain]"
 * and the output of a query's rows that "list TABLE COND", "view run"
 * and "report" share.  Rows come from the engine in one run
 * (query_each), called back between its short transactions, and are
 * sent to the client every page's worth, so the first page of a result
 * in an index's order shows without the rest being read, a sort no
 * index gives reads the matches once, and no transaction waits on the
 * client.  Must not print, nor know how the engine plans.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "query/query.h"

#define QUERY_PAGE	200
#define QUERY_CELL_MAX	40	/* display cells before a cell is cut */

void
cmd_cell(struct buf *out, const char *s, size_t len, size_t width,
    int right, int last)
{
	struct buf	one = BUF_INIT;
	size_t		i, w, cut;

	/* One line per row: line breaks and tabs of a value become
	 * blanks. */
	for (i = 0; i < len; i++)
		buf_addch(&one, (s[i] == '\n' || s[i] == '\t' ||
		    s[i] == '\r') ? ' ' : s[i]);
	w = utf8_width(one.data, one.len);
	if (width > 1 && w > width) {
		cut = utf8_fit(one.data, one.len, width - 1);
		buf_truncate(&one, cut);
		buf_adds(&one, "…");
		w = utf8_width(one.data, one.len);
	}
	if (right)
		for (; w < width; w++)
			buf_addch(out, ' ');
	buf_add(out, one.data, one.len);
	/* No trailing blanks after the last column. */
	if (!right && !last)
		for (; w < width; w++)
			buf_addch(out, ' ');
	buf_release(&one);
}

/* The number of group keys of a group query: the columns before the
 * aggregates. */
static size_t
group_keys(const struct query *q)
{
	size_t	i, n = query_ncols(q);

	for (i = 0; i < n; i++)
		if (query_col(q, i)->kind == QC_AGG)
			break;
	return (i);
}

struct qout {
	struct cmd_ctx		*ctx;
	const struct query	*q;
	enum cmd_format		 fmt;
	int			 group;		/* a group query */
	size_t			 nkeys;		/* its keys */
	size_t			 ncells;	/* cells a row has */
	size_t			*widths;	/* table: fixed by the first page */
	int			*right;
	enum cmd_cut		*cut;		/* how far each may narrow */
	uint64_t		 rows;
	/* Tables: the table each column's references point at (NULL:
	 * not a reference), and their titles. */
	const struct table	**ref;
	int			 refs;		/* any */
	struct cmd_titles	 titles;
};

/* The table the references of column c point at, or NULL. */
static const struct table *
col_ref(struct cmd_ctx *ctx, const struct query *q, size_t c)
{
	const struct query_col	*qc = query_col(q, c);

	return (qc->type == FT_REF && qc->kind != QC_FUNC ?
	    cmd_ref_table(ctx, qc->field) : NULL);
}

/* A value of column c for people: a reference by its record. */
static void
col_text(struct cmd_ctx *ctx, const struct query *q, size_t c,
    const struct value *v, const struct table *ref,
    struct cmd_titles *titles, struct buf *out)
{
	if (ref != NULL && v->set)
		cmd_titles_text(titles, ref, (uint64_t)v->i, out);
	else
		query_value_text(q, c, v, 0, ctx->lang, out);
}

/* The cells of a row as text: id (record queries), the columns, and the
 * level (group queries, files only). */
static void
row_cells(struct qout *o, const struct query_row *row, struct buf *cells,
    size_t *off)
{
	const struct query	*q = o->q;
	size_t			 c, k = 0, n = query_ncols(q);
	int			 people = o->fmt == FMT_TABLE;

	buf_reset(cells);
	if (!o->group) {
		off[k++] = cells->len;
		buf_addu64(cells, row->id);
		buf_addch(cells, '\0');
	}
	for (c = 0; c < n; c++) {
		off[k++] = cells->len;
		/* A subtotal says so in the first key it leaves out. */
		if (o->group && people && row->level > 0 &&
		    c == (row->level >= (int)o->nkeys ? 0 :
		    o->nkeys - (size_t)row->level) && !row->vals[c].set)
			buf_adds(cells, row->level >= (int)o->nkeys ?
			    _("Total") : _("Subtotal"));
		else if (o->group && people && c < (row->level >=
		    (int)o->nkeys ? 0 : o->nkeys - (size_t)row->level) &&
		    !row->vals[c].set)
			/* The group of no value, not a blank that reads as
			 * a total. */
			buf_adds(cells, _("(empty)"));
		else if (people)
			col_text(o->ctx, q, c, &row->vals[c], o->ref[c],
			    &o->titles, cells);
		else
			query_value_text(q, c, &row->vals[c], 1, o->ctx->lang,
			    cells);
		buf_addch(cells, '\0');
	}
	if (o->group && !people) {
		off[k++] = cells->len;
		buf_printf(cells, "%d", row->level);
		buf_addch(cells, '\0');
	}
}

static void
heading_cells(struct qout *o, struct buf *cells, size_t *off)
{
	const struct query	*q = o->q;
	size_t			 c, k = 0, n = query_ncols(q);
	int			 people = o->fmt == FMT_TABLE;

	buf_reset(cells);
	if (!o->group) {
		off[k++] = cells->len;
		buf_adds(cells, people ? (o->ctx->lang ? "№" : "Id") :
		    "id");
		buf_addch(cells, '\0');
	}
	for (c = 0; c < n; c++) {
		off[k++] = cells->len;
		buf_adds(cells, people ? query_col(q, c)->label[o->ctx->lang] :
		    query_col(q, c)->name);
		buf_addch(cells, '\0');
	}
	if (o->group && !people) {
		off[k++] = cells->len;
		buf_adds(cells, "level");
		buf_addch(cells, '\0');
	}
}

static void
emit_line(struct qout *o, const struct buf *cells, const size_t *off)
{
	struct buf	*out = &o->ctx->out;
	const char	*s;
	size_t		 k, w, sw;

	for (k = 0; k < o->ncells; k++) {
		s = cells->data + off[k];
		if (o->fmt == FMT_TABLE) {
			if (k > 0)
				buf_adds(out, "  ");
			/* A number is never cut ("17…" of an id past the
			 * first page's widths): it may push the line. */
			w = o->widths[k];
			if (o->right[k] && (sw = utf8_width(s, strlen(s))) > w)
				w = sw;
			cmd_cell(out, s, strlen(s), w, o->right[k],
			    k + 1 == o->ncells);
			continue;
		}
		if (k > 0)
			buf_addch(out, o->fmt == FMT_CSV ? ',' : '\t');
		if (o->fmt == FMT_CSV)
			cmd_csv_field(out, s, strlen(s));
		else
			cmd_tsv_field(out, s, strlen(s));
	}
	/* RFC 4180 lines end in CRLF; TSV and tables in LF. */
	buf_adds(out, o->fmt == FMT_CSV ? "\r\n" : "\n");
}

static void
emit_json(struct qout *o, const struct query_row *row)
{
	struct buf	*out = &o->ctx->out;
	const char	*name;
	size_t		 c, n = query_ncols(o->q);

	buf_adds(out, o->rows == 0 ? "[\n" : ",\n");
	buf_addch(out, '{');
	if (!o->group)
		buf_printf(out, "\"id\":%llu", (unsigned long long)row->id);
	for (c = 0; c < n; c++) {
		if (c > 0 || !o->group)
			buf_addch(out, ',');
		name = query_col(o->q, c)->name;
		buf_addjson(out, name, strlen(name));
		buf_addch(out, ':');
		query_value_json(o->q, c, &row->vals[c], out);
	}
	if (o->group)
		buf_printf(out, ",\"level\":%d", row->level);
	buf_addch(out, '}');
}

/*
 * Column widths of the aligned table, from the headings and the first
 * page (a later, wider value is cut with "…"): the table streams, so it
 * cannot wait for the last row to know its widths.  Narrowed to the
 * terminal as cmd_grid_render() does.
 */
static void
fix_widths(struct qout *o, const struct query_rows *page)
{
	struct buf	 cells = BUF_INIT;
	size_t		*off, *minw, i, k, w, m;

	off = xcalloc(o->ncells, sizeof *off);
	minw = xcalloc(o->ncells, sizeof *minw);
	heading_cells(o, &cells, off);
	for (k = 0; k < o->ncells; k++)
		o->widths[k] = utf8_width(cells.data + off[k],
		    strlen(cells.data + off[k]));
	for (i = 0; i < page->n; i++) {
		row_cells(o, &page->rows[i], &cells, off);
		for (k = 0; k < o->ncells; k++) {
			w = utf8_width(cells.data + off[k],
			    strlen(cells.data + off[k]));
			if (w > QUERY_CELL_MAX)
				w = QUERY_CELL_MAX;
			if (w > o->widths[k])
				o->widths[k] = w;
			m = cmd_cut_min(o->cut[k], cells.data + off[k], w);
			if (m > minw[k])
				minw[k] = m;
		}
	}
	/* Headings and names give way to a narrow terminal; numbers and
	 * codes do not. */
	for (k = 0; k < o->ncells; k++)
		if (minw[k] < CUT_TEXT_MIN && o->widths[k] > minw[k])
			minw[k] = o->widths[k] < CUT_TEXT_MIN ? o->widths[k] :
			    CUT_TEXT_MIN;
	if (o->ctx->cols > 0)
		cmd_fit_widths(o->widths, minw, o->ncells,
		    (size_t)o->ctx->cols);
	free(minw);
	free(off);
	buf_release(&cells);
}

/*
 * A whole output through query_each(): a sort no index gives reads the
 * matching records once (by pages it would read them all again for
 * every page).  The first `first` rows are held back and given to head
 * together, so a table can size its columns from them; then every row
 * goes to row as it comes, and what is written is sent every `first`
 * rows.  query_each() calls back outside its transactions, so sending
 * (and a client slow to read) holds nothing in the store.
 */
struct stream {
	struct cmd_ctx		*ctx;
	const struct query	*q;
	size_t			 first;
	cmd_rows_fn		*page;
	cmd_rows_fn		*head;
	cmd_row_fn		*row;
	void			*arg;
	struct query_rows	 held;
	int			 headed, gone;
	uint64_t		 given;
};

static int
stream_send(struct stream *st, struct buf *err)
{
	if (cmd_flush(st->ctx) != 0 || cmd_gone(st->ctx)) {
		st->gone = 1;
		return (buf_error(err, _("the client went away")));
	}
	return (0);
}

/* The rows held back: to page, to head the first time, then one by
 * one to row. */
static int
stream_head(struct stream *st, struct buf *err)
{
	size_t	i;

	if (st->page != NULL)
		st->page(st->arg, &st->held);
	if (!st->headed && st->head != NULL)
		st->head(st->arg, &st->held);
	st->headed = 1;
	for (i = 0; i < st->held.n; i++)
		st->row(st->arg, &st->held.rows[i]);
	st->given += st->held.n;
	query_rows_release(&st->held);
	return (stream_send(st, err));
}

static int
stream_row(const struct query_row *row, void *arg, struct buf *err)
{
	struct stream	*st = arg;

	/* Held a page at a time: the first, or every one for page. */
	if (!st->headed || st->page != NULL) {
		query_rows_add(st->q, &st->held, row);
		return (st->held.n < st->first ? 0 : stream_head(st, err));
	}
	st->row(st->arg, row);
	if (++st->given % st->first == 0)
		return (stream_send(st, err));
	return (0);
}

int
cmd_query_stream(struct cmd_ctx *ctx, const struct query *q, size_t first,
    cmd_rows_fn *page, cmd_rows_fn *head, cmd_row_fn *row, void *arg,
    struct buf *err)
{
	struct stream	st;
	int		rv;

	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	st.q = q;
	st.first = first ? first : 1;
	st.page = page;
	st.head = head;
	st.row = row;
	st.arg = arg;
	query_rows_init(&st.held);
	rv = query_each(ctx->session, q, NULL, SIZE_MAX, stream_row, &st,
	    NULL, NULL, err);
	/* Fewer rows than a page: head gets those there are. */
	if (rv == 0 && (!st.headed || st.held.n > 0))
		rv = stream_head(&st, err);
	query_rows_release(&st.held);
	if (st.gone)
		return (1);
	return (rv);
}

struct qemit {
	struct qout	*o;
	struct buf	 cells;
	size_t		*off;
};

static void
qemit_page(void *arg, const struct query_rows *page)
{
	struct qemit	*e = arg;

	cmd_titles_rows(&e->o->titles, e->o->q, e->o->ref, page);
}

/* Headings over the first rows; files get them even when no row
 * comes, as list gives them. */
static void
qemit_head(void *arg, const struct query_rows *first)
{
	struct qemit	*e = arg;
	struct qout	*o = e->o;

	if (o->fmt == FMT_JSON || (first->n == 0 && o->fmt == FMT_TABLE))
		return;
	if (o->fmt == FMT_TABLE)
		fix_widths(o, first);
	heading_cells(o, &e->cells, e->off);
	emit_line(o, &e->cells, e->off);
}

static void
qemit_row(void *arg, const struct query_row *row)
{
	struct qemit	*e = arg;
	struct qout	*o = e->o;

	if (o->fmt == FMT_JSON)
		emit_json(o, row);
	else {
		row_cells(o, row, &e->cells, e->off);
		emit_line(o, &e->cells, e->off);
	}
	o->rows++;
}

int
cmd_query_output(struct cmd_ctx *ctx, const struct query *q,
    enum cmd_format fmt)
{
	struct qout		 o;
	struct qemit		 e;
	struct buf		 err = BUF_INIT;
	size_t			 k;
	int			 r = CMD_OK, rv;

	memset(&o, 0, sizeof o);
	o.ctx = ctx;
	o.q = q;
	o.fmt = fmt;
	o.group = query_is_group(q);
	o.nkeys = o.group ? group_keys(q) : 0;
	/* The id before the columns, or a group's level after them. */
	o.ncells = query_ncols(q) + (!o.group || fmt != FMT_TABLE);
	o.widths = xcalloc(o.ncells, sizeof *o.widths);
	o.right = xcalloc(o.ncells, sizeof *o.right);
	o.cut = xcalloc(o.ncells, sizeof *o.cut);
	if (!o.group) {
		o.right[0] = 1;
		o.cut[0] = CUT_NEVER;
	}
	for (k = 0; k < query_ncols(q); k++) {
		o.right[k + !o.group] = query_col(q, k)->right;
		o.cut[k + !o.group] = cmd_cut_of(query_col(q, k)->type,
		    query_col(q, k)->field);
	}
	/* References by their records, for people: a page at a time. */
	o.ref = xcalloc(query_ncols(q) + 1, sizeof *o.ref);
	cmd_titles_init(&o.titles, ctx);
	for (k = 0; fmt == FMT_TABLE && k < query_ncols(q); k++)
		if ((o.ref[k] = col_ref(ctx, q, k)) != NULL)
			o.refs = 1;
	memset(&e, 0, sizeof e);
	e.o = &o;
	buf_init(&e.cells);
	e.off = xcalloc(o.ncells, sizeof *e.off);

	rv = cmd_query_stream(ctx, q, QUERY_PAGE, o.refs ? qemit_page : NULL,
	    qemit_head, qemit_row, &e, &err);
	if (rv < 0)
		r = cmd_error(ctx, "%s", err.data);
	else if (rv > 0)
		r = CMD_FAILED;
	if (r == CMD_OK && fmt == FMT_JSON)
		buf_adds(&ctx->out, o.rows == 0 ? "[]\n" : "\n]\n");
	buf_release(&err);
	buf_release(&e.cells);
	free(e.off);
	free(o.widths);
	free(o.right);
	free(o.cut);
	free(o.ref);
	cmd_titles_release(&o.titles);
	return (r);
}

/* A sort key as list's --sort takes it: [-]name or a path a.b. */
static int
sort_key_ok(const char *s)
{
	if (*s == '-')
		s++;
	if (*s < 'a' || *s > 'z')
		return (0);
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == '.'))
			return (0);
	return (1);
}

int
cmd_query_list(struct cmd_ctx *ctx, const struct table *t, const char *cond,
    enum cmd_format fmt)
{
	struct query	*q = NULL, *full = NULL;
	struct buf	 err = BUF_INIT, text = BUF_INIT;
	const char	*sort = cmd_opt(ctx, "sort"), *limit;
	int		 r;

	if (cmd_opt(ctx, "archived") != NULL)
		return (cmd_usage(ctx, _("--archived does not go with a "
		    "condition: a query sees the records in use")));
	if (sort != NULL && !sort_key_ok(sort))
		return (cmd_usage(ctx, _("bad --sort '%s': expected a field, "
		    "'-' before it for descending"), sort));
	/* The condition alone first, so a mistake's column counts in what
	 * was typed. */
	if (query_parse_where(ctx->schema, t, cond, &q, &err) != 0) {
		r = cmd_error(ctx, "%s", err.data);
		goto out;
	}
	if (sort != NULL || (limit = cmd_opt(ctx, "limit")) != NULL) {
		limit = cmd_opt(ctx, "limit");
		buf_adds(&text, query_text(q));
		if (sort != NULL)
			buf_printf(&text, " sort %s", sort);
		if (limit != NULL)
			buf_printf(&text, " limit %s", limit);
		if (query_parse(ctx->schema, text.data, &full, &err) != 0) {
			/* Only --sort can be wrong here: the rest parsed. */
			r = cmd_error(ctx, _("bad --sort '%s': %s"), sort,
			    err.data);
			goto out;
		}
	}
	r = cmd_query_output(ctx, full != NULL ? full : q, fmt);
out:
	query_free(q);
	query_free(full);
	buf_release(&err);
	buf_release(&text);
	return (r);
}

/* The words of the query, however the shell split them. */
static char *
joined(struct cmd_ctx *ctx, int from)
{
	struct buf	t = BUF_INIT;
	int		i;

	for (i = from; i < ctx->argc; i++)
		buf_printf(&t, "%s%s", i > from ? " " : "", ctx->argv[i]);
	return (buf_detach(&t, NULL));
}

static int
query_exec(struct cmd_ctx *ctx)
{
	struct query	*q = NULL;
	struct buf	 err = BUF_INIT;
	enum cmd_format	 fmt;
	char		*text;
	int		 r;

	if ((r = cmd_format_get(ctx, &fmt)) != CMD_OK)
		return (r);
	text = joined(ctx, 0);
	if (query_parse(ctx->schema, text, &q, &err) != 0)
		r = cmd_error(ctx, "%s", err.data);
	else if (cmd_opt(ctx, "explain") != NULL) {
		if (query_explain(ctx->session, q, &ctx->out, &err) != 0)
			r = cmd_error(ctx, "%s", err.data);
	} else
		r = cmd_query_output(ctx, q, fmt);
	query_free(q);
	free(text);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_query_entry = {
	"query", "TEXT [--format table|csv|tsv|json] [--explain]",
	N_("run a query (clerk-query(7)); --explain shows its plan"),
	"format=,explain", 1, -1, query_exec
};
