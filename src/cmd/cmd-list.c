/*
 * cmd-list.c: "list TABLE [--sort [-]FIELD] [--limit N] [--archived]
 * [--format table|csv|tsv|json]": the records of a table in the order of
 * an index (or of ids), fetched page by page, each page in its own short
 * read-only transaction positioned after the last key of the one before,
 * so a long listing never holds a transaction for long.  Columns are the
 * form's list columns.  Must not print.
 *
 * An index holds only the records with a value in its field, and a
 * field of several values (phones) has an entry for each, so its index
 * gives a record as often and cannot say where a page ended.  A sort by
 * a field that may be empty or holds several values is the query
 * engine's, which lists every record once, the empty ones first (last,
 * backward: clerk-query(7)), and knows without reading them when there
 * are none.  The engine sees records in use only: with --archived a
 * field that may be empty is walked here, the records the index lacks
 * in a phase of their own over the ids (every record read, at a million
 * some ten seconds); a field of several values is refused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "query/query.h"
#include "cmd.h"

#define LIST_PAGE	200
#define LIST_CELL_MAX	40	/* display cells before a cell is cut */

struct list_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	const char		*ix;		/* index field, NULL = ids */
	int			 flags;		/* STORE_PAGE_* */
	struct buf		 key;		/* position: after (key, id) */
	uint64_t		 id;
	int			 positioned;
	int			 nulls;		/* the records the index lacks */
	size_t			 want;
	struct record		**recs;
	size_t			 n;
};

static int
list_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct list_state	*st = arg;

	store_records_free(st->recs, st->n);
	st->recs = NULL;
	st->n = 0;
	if (st->nulls)
		return (access_page(st->ctx->session, txn, st->table, NULL,
		    NULL, 0, st->positioned ? st->id : 0,
		    st->flags & ~STORE_PAGE_BACKWARD, st->want, &st->recs,
		    &st->n, err));
	return (access_page(st->ctx->session, txn, st->table, st->ix,
	    st->positioned ? st->key.data : NULL, st->key.len, st->id,
	    st->flags, st->want, &st->recs, &st->n, err));
}

/* The columns: the form's list, else every field. */
static size_t
list_columns(struct cmd_ctx *ctx, const struct table *t, size_t *cols)
{
	size_t	i, n = 0;
	ssize_t	pos;

	if (t->nlist_cols == 0) {
		for (i = 0; i < t->nfields; i++)
			cols[n++] = i;
		return (n);
	}
	for (i = 0; i < t->nlist_cols; i++)
		if ((pos = table_field_pos(t, t->list_cols[i])) >= 0)
			cols[n++] = pos;
	return (n);
}

static int
list_sort(struct cmd_ctx *ctx, struct list_state *st, const char *sort,
    const struct field **fp)
{
	const struct field	*f;
	ssize_t			 pos;
	struct buf		 ok = BUF_INIT;
	size_t			 i;

	if (*sort == '-') {
		st->flags |= STORE_PAGE_BACKWARD;
		sort++;
	}
	if (strcmp(sort, "id") == 0)
		return (CMD_OK);
	if ((pos = cmd_field_get(ctx, st->table, sort)) < 0)
		return (CMD_FAILED);
	f = &st->table->fields[pos];
	if (f->index & (IX_EXACT | IX_FOLDED | IX_UNIQUE)) {
		st->ix = f->name;
		*fp = f;
		return (CMD_OK);
	}
	buf_adds(&ok, "id");
	for (i = 0; i < st->table->nfields; i++)
		if (st->table->fields[i].index &
		    (IX_EXACT | IX_FOLDED | IX_UNIQUE))
			buf_printf(&ok, ", %s", st->table->fields[i].name);
	cmd_error(ctx, _("cannot sort '%s' by '%s': the field has no index; "
	    "sort by one of: %s"), st->table->name, sort, ok.data);
	buf_release(&ok);
	return (CMD_FAILED);
}

static void
list_json(struct buf *o, const struct record *rec, const size_t *cols,
    size_t ncols, int archived, int first)
{
	const struct table	*t = rec->table;
	size_t			 c;

	buf_adds(o, first ? "[\n" : ",\n");
	buf_printf(o, "{\"id\":%llu", (unsigned long long)rec->id);
	for (c = 0; c < ncols; c++) {
		buf_addch(o, ',');
		buf_addjson(o, t->fields[cols[c]].name,
		    strlen(t->fields[cols[c]].name));
		buf_addch(o, ':');
		cmd_value_json(rec, cols[c], o);
	}
	if (archived)
		buf_printf(o, ",\"archived\":%s",
		    (rec->flags & REC_ARCHIVED) ? "true" : "false");
	buf_addch(o, '}');
}

/* The references of a page of records, read at once (titles.c). */
static void
list_titles(struct cmd_ctx *ctx, struct cmd_titles *titles,
    const struct list_state *st, const size_t *cols, size_t ncols)
{
	const struct field	*f;
	const struct value	*v;
	size_t			 i, c;

	cmd_titles_start(titles);
	for (c = 0; c < ncols; c++) {
		f = &st->table->fields[cols[c]];
		if (f->type != FT_REF)
			continue;
		for (i = 0; i < st->n; i++) {
			v = &st->recs[i]->values[cols[c]];
			if (v->set)
				cmd_titles_want(titles, cmd_ref_table(ctx, f),
				    (uint64_t)v->i);
		}
	}
	cmd_titles_load(titles);
}

/* One row of the listing. */
static void
list_row(struct cmd_ctx *ctx, struct cmd_grid *g, enum cmd_format fmt,
    const struct record *rec, const size_t *cols, size_t ncols, int archived,
    int first, struct cmd_titles *titles, struct buf *v)
{
	const struct field	*f;
	size_t			 c;

	if (fmt == FMT_JSON) {
		list_json(&ctx->out, rec, cols, ncols, archived, first);
		return;
	}
	buf_reset(v);
	buf_addu64(v, rec->id);
	cmd_grid_add(g, v->data, v->len);
	for (c = 0; c < ncols; c++) {
		buf_reset(v);
		f = &rec->table->fields[cols[c]];
		/* A reference by its record, as query and show give it. */
		if (fmt == FMT_TABLE && f->type == FT_REF &&
		    rec->values[cols[c]].set)
			cmd_titles_text(titles, cmd_ref_table(ctx, f),
			    (uint64_t)rec->values[cols[c]].i, v);
		else if (fmt == FMT_TABLE)
			cmd_value_text(rec, cols[c], ctx->lang, v);
		else
			cmd_value_plain(rec, cols[c], v);
		cmd_grid_add(g, v->data, v->len);
	}
	/* With --archived, which records are: as export marks them. */
	if (archived) {
		buf_reset(v);
		if (fmt == FMT_TABLE)
			buf_adds(v, !(rec->flags & REC_ARCHIVED) ? "" :
			    ctx->lang ? "да" : "yes");
		else if (rec->flags & REC_ARCHIVED)
			buf_adds(v, "yes");
		cmd_grid_add(g, v->data, v->len);
	}
}

/* A sort by a field that may be empty or holds several values, through
 * the query engine. */
static int
list_engine(struct cmd_ctx *ctx, const struct table *t, const char *sort,
    enum cmd_format fmt)
{
	struct query	*q = NULL;
	struct buf	 text = BUF_INIT, err = BUF_INIT;
	const char	*limit = cmd_opt(ctx, "limit");
	int		 r;

	buf_printf(&text, "%s sort %s", t->name, sort);
	if (limit != NULL)
		buf_printf(&text, " limit %s", limit);
	if (query_parse(ctx->schema, text.data, &q, &err) != 0)
		r = cmd_error(ctx, "%s", err.data);
	else
		r = cmd_query_output(ctx, q, fmt);
	query_free(q);
	buf_release(&text);
	buf_release(&err);
	return (r);
}

static int
list_exec(struct cmd_ctx *ctx)
{
	struct list_state	 st;
	struct cmd_titles	 titles;
	struct cmd_grid		 g;
	enum cmd_format		 fmt;
	struct buf		 err = BUF_INIT, v = BUF_INIT, key = BUF_INIT;
	const struct field	*f = NULL, *cf;
	const char		*s;
	uint64_t		 limit = UINT64_MAX, seen = 0;
	size_t			*cols, ncols, c, i;
	int			 r, phase, phases, archived;

	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	buf_init(&st.key);
	if ((r = cmd_format_get(ctx, &fmt)) != CMD_OK)
		return (r);
	if ((s = cmd_opt(ctx, "limit")) != NULL &&
	    (r = cmd_parse_count(ctx, N_("bad --limit '%s': "
	    "expected a whole number"), s, &limit)) != CMD_OK)
		return (r);
	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	/* A condition: the query engine's business (cmd-query.c). */
	if (ctx->argc == 2)
		return (cmd_query_list(ctx, st.table, ctx->argv[1], fmt));
	if ((s = cmd_opt(ctx, "sort")) != NULL &&
	    (r = list_sort(ctx, &st, s, &f)) != CMD_OK)
		return (r);
	if (f != NULL && f->multi && cmd_opt(ctx, "archived") != NULL)
		return (cmd_usage(ctx, _("--archived does not go with a sort "
		    "by '%s', a field of several values: sort by another "
		    "field, or list without --archived"), f->name));
	if (f != NULL && (f->multi || !f->always) &&
	    cmd_opt(ctx, "archived") == NULL)
		return (list_engine(ctx, st.table, s, fmt));
	if ((archived = cmd_opt(ctx, "archived") != NULL))
		st.flags |= STORE_PAGE_ARCHIVED;

	cols = xcalloc(st.table->nfields + 1, sizeof *cols);
	ncols = list_columns(ctx, st.table, cols);
	cmd_grid_init(&g, ncols + 1 + archived);
	g.right[0] = 1;
	g.cut[0] = CUT_NEVER;
	g.heading = 1;
	/* Numbers right-aligned, as in query's tables; names give way to
	 * a narrow terminal, numbers and codes do not. */
	for (c = 0; fmt == FMT_TABLE && c < ncols; c++) {
		cf = &st.table->fields[cols[c]];
		g.right[c + 1] = field_type_right(cf->type);
		g.cut[c + 1] = cmd_cut_of(cf->type, cf);
	}
	cmd_titles_init(&titles, ctx);
	if (fmt != FMT_JSON) {
		cmd_grid_adds(&g, fmt == FMT_TABLE ?
		    (ctx->lang ? "№" : "Id") : "id");
		for (c = 0; c < ncols; c++)
			cmd_grid_adds(&g, fmt == FMT_TABLE ?
			    field_label(&st.table->fields[cols[c]],
			    ctx->lang) : st.table->fields[cols[c]].name);
		if (archived)
			cmd_grid_adds(&g, fmt != FMT_TABLE ? "archived" :
			    ctx->lang ? "В архиве" : "Archived");
	}

	/*
	 * Phases: the index's records, and when its field may be empty
	 * (with --archived only) the others, first (after them backward).
	 */
	phases = f != NULL && !f->always ? 2 : 1;
	r = 0;
	for (phase = 0; phase < phases && r == 0 && seen < limit; phase++) {
		st.nulls = phases == 2 &&
		    (phase == 0) == !(st.flags & STORE_PAGE_BACKWARD);
		st.positioned = 0;
		buf_reset(&st.key);
		while (seen < limit) {
			/* The records without a value are picked from
			 * pages of all: whole pages. */
			st.want = st.nulls || limit - seen > LIST_PAGE ?
			    LIST_PAGE : limit - seen;
			r = store_txn_run(ctx->store, STORE_TXN_READONLY,
			    list_txn, &st, &err);
			if (r != 0)
				break;
			if (fmt == FMT_TABLE)
				list_titles(ctx, &titles, &st, cols, ncols);
			for (i = 0; i < st.n && seen < limit; i++) {
				if (st.nulls) {
					store_page_key(st.recs[i], st.ix, &key);
					if (key.len != 0)
						continue;
				}
				list_row(ctx, &g, fmt, st.recs[i], cols,
				    ncols, archived, seen == 0, &titles, &v);
				seen++;
			}
			if (st.n < st.want)
				break;
			/* The next page starts after the last record of
			 * this one (by id alone when in id order). */
			buf_reset(&st.key);
			if (st.ix != NULL && !st.nulls)
				store_page_key(st.recs[st.n - 1], st.ix,
				    &st.key);
			st.id = st.recs[st.n - 1]->id;
			st.positioned = 1;
		}
	}
	if (r != 0) {
		/* Half a listing is worse than none. */
		buf_reset(&ctx->out);
		r = cmd_error(ctx, "%s", err.data);
	} else if (fmt == FMT_JSON)
		buf_adds(&ctx->out, seen == 0 ? "[]\n" : "\n]\n");
	else if (fmt != FMT_TABLE || seen > 0)
		cmd_grid_render(&g, fmt, LIST_CELL_MAX, ctx->cols,
		    &ctx->out);
	store_records_free(st.recs, st.n);
	buf_release(&st.key);
	buf_release(&err);
	buf_release(&v);
	buf_release(&key);
	cmd_grid_release(&g);
	cmd_titles_release(&titles);
	free(cols);
	return (r);
}

const struct cmd_entry cmd_list_entry = {
	"list", "TABLE ['CONDITION'] [--sort [-]FIELD] [--limit N] "
	    "[--archived] [--format table|csv|tsv|json]",
	N_("list records, in the order of an index, or those meeting a "
	    "condition (clerk-query(7))"),
	"sort=,limit=,format=,archived", 1, 2, list_exec
};
