/*
 * titles.c: references shown for people by the record they point at,
 * "#2 ООО «Альфа»" (the number, then the title, as the terminal's home
 * screen lists records; "#2" alone when that record cannot be read).
 * The titles a listing needs are read a page of rows at a time: the
 * verb notes the ids of a page (cmd_titles_want), then reads those not
 * known yet in one read-only transaction (cmd_titles_load), so a long
 * listing costs a transaction a page, not a lookup a row.  What was
 * read is kept for the pages after (a list of contacts names the same
 * parties again and again), up to TITLES_KEEP.  Must not print.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "query/query.h"
#include "cmd.h"

#define TITLES_KEEP	8192	/* titles kept; then forgotten at once */
/* Ids closer than this on average are read in bulk (store_fetch()). */
#define TITLES_DENSE	20

struct title {
	const struct table *t;		/* NULL: a free slot */
	uint64_t	 id;
	char		*text;		/* NULL: noted, not read yet */
};

static size_t
title_hash(const struct table *t, uint64_t id, size_t mask)
{
	uint64_t	h = id * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)t;

	return ((size_t)(h ^ h >> 29) & mask);
}

/* The slot of (t, id), found or free. */
static struct title *
title_slot(struct cmd_titles *ts, const struct table *t, uint64_t id)
{
	size_t	i;

	for (i = title_hash(t, id, ts->cap - 1);; i = (i + 1) & (ts->cap - 1))
		if (ts->v[i].t == NULL || (ts->v[i].t == t &&
		    ts->v[i].id == id))
			return (&ts->v[i]);
}

static void
titles_clear(struct cmd_titles *ts)
{
	size_t	i;

	for (i = 0; i < ts->cap; i++)
		free(ts->v[i].text);
	free(ts->v);
	ts->cap = 64;
	ts->v = xcalloc(ts->cap, sizeof *ts->v);
	ts->n = ts->pending = 0;
}

void
cmd_titles_init(struct cmd_titles *ts, struct cmd_ctx *ctx)
{
	memset(ts, 0, sizeof *ts);
	ts->ctx = ctx;
	titles_clear(ts);
}

void
cmd_titles_release(struct cmd_titles *ts)
{
	size_t	i;

	for (i = 0; i < ts->cap; i++)
		free(ts->v[i].text);
	free(ts->v);
	memset(ts, 0, sizeof *ts);
}

void
cmd_titles_want(struct cmd_titles *ts, const struct table *t, uint64_t id)
{
	struct title	*s, *old;
	size_t		 i, cap;

	if (t == NULL || id == 0)
		return;
	s = title_slot(ts, t, id);
	if (s->t != NULL)
		return;
	s->t = t;
	s->id = id;
	ts->n++;
	ts->pending++;
	/* At most half full, so a probe ends soon. */
	if (2 * ts->n <= ts->cap)
		return;
	old = ts->v;
	cap = ts->cap;
	ts->cap *= 2;
	ts->v = xcalloc(ts->cap, sizeof *ts->v);
	for (i = 0; i < cap; i++)
		if (old[i].t != NULL)
			*title_slot(ts, old[i].t, old[i].id) = old[i];
	free(old);
}

struct titles_read {
	struct cmd_titles	*ts;
	const struct table	*t;
	struct record		*rec;
	struct buf		 title;
};

static int
titles_one(uint64_t id, const void *data, size_t len, void *arg)
{
	struct titles_read	*tr = arg;
	struct title		*s;
	struct buf		 err = BUF_INIT;

	s = title_slot(tr->ts, tr->t, id);
	if (s->t == NULL || data == NULL)
		return (0);
	record_reset(tr->rec);
	tr->rec->id = id;
	if (record_decode(tr->rec, data, len, &err) == 0) {
		record_title(tr->rec, &tr->title);
		free(s->text);
		/* A record with no text to name it: its number alone. */
		buf_reset(&err);
		buf_printf(&err, "#%llu", (unsigned long long)id);
		s->text = xstrdup(strcmp(tr->title.data, err.data) == 0 ? "" :
		    tr->title.data);
	}
	buf_release(&err);
	return (0);
}

/* The ids of table t noted and not read, ascending. */
static size_t
titles_pending(struct cmd_titles *ts, const struct table *t, uint64_t *ids)
{
	size_t	i, n = 0;

	for (i = 0; i < ts->cap; i++)
		if (ts->v[i].t == t && ts->v[i].text == NULL)
			ids[n++] = ts->v[i].id;
	return (n);
}

static int
ids_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

static int
titles_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct cmd_titles	*ts = arg;
	struct titles_read	 tr;
	const struct table	*t;
	uint64_t		*ids;
	size_t			 i, j, n;
	int			 r = 0;

	ids = xcalloc(ts->pending + 1, sizeof *ids);
	buf_init(&tr.title);
	tr.ts = ts;
	/* A table at a time, at the first of its ids still to read. */
	for (i = 0; i < ts->cap && r == 0; i++) {
		if ((t = ts->v[i].t) == NULL || ts->v[i].text != NULL)
			continue;
		for (j = 0; j < i; j++)
			if (ts->v[j].t == t && ts->v[j].text == NULL)
				break;
		if (j < i)
			continue;	/* read with the first */
		n = titles_pending(ts, t, ids);
		qsort(ids, n, sizeof *ids, ids_cmp);
		tr.t = t;
		tr.rec = record_new(t);
		/*
		 * Archived records still have their names.  Ids close
		 * together (a list of contacts in id order points at
		 * parties in about that order) are read in bulk, as
		 * store_fetch() says: a third of the time of a lookup each.
		 */
		if (n > 0 && (ids[n - 1] - ids[0]) / n < TITLES_DENSE)
			r = access_fetch(ts->ctx->session, txn, t, ids, n,
			    STORE_PAGE_ARCHIVED, titles_one, &tr, err);
		else
			r = access_fetch_each(ts->ctx->session, txn, t, ids,
			    n, STORE_PAGE_ARCHIVED, titles_one, &tr, err);
		r = r < 0 ? -1 : 0;
		record_free(tr.rec);
	}
	buf_release(&tr.title);
	free(ids);
	return (r);
}

void
cmd_titles_load(struct cmd_titles *ts)
{
	struct buf	err = BUF_INIT;
	size_t		i;

	if (ts->pending == 0)
		return;
	/*
	 * A reference is shown by its number whatever happens here: a
	 * record gone, a table the operator may not read, or the store
	 * failing (which the listing's own reads then report).
	 */
	(void)store_txn_run(ts->ctx->store, STORE_TXN_READONLY, titles_txn,
	    ts, &err);
	for (i = 0; i < ts->cap; i++)
		if (ts->v[i].t != NULL && ts->v[i].text == NULL)
			ts->v[i].text = xstrdup("");
	ts->pending = 0;
	buf_release(&err);
}

void
cmd_titles_start(struct cmd_titles *ts)
{
	if (ts->n > TITLES_KEEP)
		titles_clear(ts);
}

void
cmd_titles_text(struct cmd_titles *ts, const struct table *t, uint64_t id,
    struct buf *out)
{
	struct title	*s;

	buf_printf(out, "#%llu", (unsigned long long)id);
	if (t == NULL || ts->cap == 0)
		return;
	s = title_slot(ts, t, id);
	if (s->t != NULL && s->text != NULL && *s->text != '\0')
		buf_printf(out, " %s", s->text);
}

const struct table *
cmd_ref_table(const struct cmd_ctx *ctx, const struct field *f)
{
	if (f == NULL || f->type != FT_REF || f->ref_table == NULL)
		return (NULL);
	return (schema_table(ctx->schema, f->ref_table));
}

void
cmd_titles_rows(struct cmd_titles *ts, const struct query *q,
    const struct table *const *ref, const struct query_rows *page)
{
	const struct value	*v;
	size_t			 i, c;

	cmd_titles_start(ts);
	for (i = 0; i < page->n; i++)
		for (c = 0; c < query_ncols(q); c++) {
			v = &page->rows[i].vals[c];
			if (ref[c] != NULL && v->set)
				cmd_titles_want(ts, ref[c], (uint64_t)v->i);
		}
	cmd_titles_load(ts);
}
