/*
 * cmd-page.c: "page TABLE [--sort [-]FIELD] [--after POS | --at POS |
 * --before POS | --last] [--wrap] [--search TEXT] [--limit N]
 * [--cols F,...] [--archived | --archived-only]":
 * one screenful of a list for the TUI, in the machine format of tui.h.
 * A list never loads its table: each call reads one page in the order
 * of an index (or of ids) after or before a position the previous page
 * handed out, in its own short read-only transaction.  With --search
 * only the rows whose words start with the text's words come, still in
 * the list's order, so the TUI's n and N step through matches ("shown"
 * says how many match in all); --wrap goes round to the other end when
 * none is left that way ("wrapped 1").  Rows with no value in the
 * sort's field come after the index's rows, in either direction, so
 * sorting never hides a record.  The matches of a search are placed in
 * the list's order by the order of its sort index kept in memory for
 * the server (struct page_order, read by a thread of its own, right
 * across writes by the store's change journal), or, until that is
 * whole, by walking the index or loading them.
 *
 * With --where COND, a sort by several keys ("name,-city") or by a field
 * without an index, the rows come from the query engine instead, and
 * their positions are ordinals in its result ("q12").  --group KEYS
 * (with --aggs) gives the groups of the engine for the frequency table
 * and the group view.  With --nowait a list whose whole order or whose
 * filter's matches are still to be read (a second or two at a million
 * rows) answers "pending" at once while a thread reads them, so the
 * terminal stays live; it asks again.  Must not print or change
 * anything.
 *
 * This file has the verb itself (its options, page_exec()), its
 * answers, and the paths by an index or ids: the scan, the rows with no
 * key, a search's matches loaded or walked, and the engine's rows.  The
 * mechanisms kept for the server lie beside it, sharing page_int.h: the
 * order of a sort index in memory and what the caches share in
 * page-order.c, whole orders in page-full.c, filters' matches in
 * page-where.c, groups in page-group.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "query/query.h"
#include "page_int.h"

#define PAGE_MAX	500	/* rows in one answer */
/*
 * Without the list's order in memory (struct page_order, page-order.c): the
 * matches of a search ranked on the spot.  The word index gives them all
 * (their count is exact); below this many they are loaded and put in
 * the list's order, with more the sort index is read in its order from
 * the position, keys only, and each id tested against the matches
 * (page_search_walk), which finds one soon since matches are many.
 */
#define PAGE_SEARCH_CAP	2000
/*
 * Below the cap the walk goes first, but gives up after this many
 * entries a match: reading one entry of the sort index costs ~0.1 µs,
 * loading a record and its key 3-4 µs (measured at 200,000 parties).
 */
#define PAGE_WALK_PER_MATCH	32
/*
 * Above the cap and below PAGE_LOAD_MAX matches, the walk gives up
 * after PAGE_WALK_MAX entries (~10 ms) and the matches are loaded, as
 * below the cap: a few thousand matches clustered far from the cursor
 * ("См" at 1,000,000 parties: 2,575 matches, 800,000 entries away)
 * cost a walk of half a second, their loading about 30 ms.  With more
 * matches than that the next one is near and the walk goes on.
 */
#define PAGE_LOAD_MAX		8000
#define PAGE_WALK_MAX		100000
#define PAGE_SCAN	200	/* rows read per transaction when scanning */
#define PAGE_NULLSCAN	1000	/* the same, for the rows with no key */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* "HEX.ID": the index key in hex (empty in id order) and the id. */
int
page_pos_parse(struct cmd_ctx *ctx, const char *opt, const char *s,
    struct page_pos *p)
{
	const char	*dot;
	char		*end;
	int		 hi, lo;

	buf_reset(&p->key);
	if ((dot = strchr(s, '.')) == NULL || (dot - s) % 2 != 0)
		goto bad;
	for (; s < dot; s += 2) {
		if ((hi = hexval(s[0])) < 0 || (lo = hexval(s[1])) < 0)
			goto bad;
		buf_addch(&p->key, hi << 4 | lo);
	}
	if (dot[1] < '0' || dot[1] > '9')
		goto bad;
	p->id = strtoull(dot + 1, &end, 10);
	if (*end != '\0')
		goto bad;
	p->set = 1;
	return (CMD_OK);
bad:
	return (cmd_usage(ctx, _("bad --%s '%s': give a position from an "
	    "earlier page"), opt, s));
}

void
page_pos_at(struct page_pos *p, int desc)
{
	if (desc)
		p->id++;
	else if (p->id > 0)
		p->id--;
}

int
page_pos_wrap(struct page_pos *p, struct page_row **rows, size_t nrows,
    int wrap, int *wrapped, int pos_given)
{
	if (nrows > 0 || !wrap || *wrapped || !pos_given)
		return (0);
	free(*rows);
	*rows = NULL;
	*wrapped = 1;
	p->set = 0;
	buf_reset(&p->key);
	p->id = 0;
	return (1);
}

static void
page_pos_format(struct buf *out, const char *key, size_t len, uint64_t id)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	buf_addch(out, '\t');
	for (i = 0; i < len; i++) {
		buf_addch(out, hex[(unsigned char)key[i] >> 4]);
		buf_addch(out, hex[(unsigned char)key[i] & 15]);
	}
	buf_printf(out, ".%llu", (unsigned long long)id);
}

void
page_key_of(const struct page_state *st, const struct record *rec,
    struct buf *key)
{
	buf_reset(key);
	if (st->ix != NULL)
		store_page_key(rec, st->ix, key);
}

/* Order of two rows in the list: -1, 0, 1. */
int
page_cmp(const struct page_state *st, const char *ak, size_t al,
    uint64_t aid, const char *bk, size_t bl, uint64_t bid)
{
	int	c;

	/* Rows with no key follow the index's rows, in either direction. */
	if (st->ix != NULL && (al == 0) != (bl == 0))
		return (al == 0 ? 1 : -1);
	c = memcmp(ak, bk, al < bl ? al : bl);
	if (c == 0)
		c = al < bl ? -1 : al > bl;
	if (c == 0)
		c = aid < bid ? -1 : aid > bid;
	c = c < 0 ? -1 : c > 0;
	return (st->desc ? -c : c);
}

static int
page_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_state	*st = arg;

	store_records_free(st->recs, st->n);
	st->recs = NULL;
	st->n = 0;
	if (st->nullphase)
		return (access_page(st->ctx->session, txn, st->table, NULL,
		    NULL, 0, st->at.set ? st->at.id : 0, st->flags, st->want,
		    &st->recs, &st->n, err));
	return (access_page(st->ctx->session, txn, st->table, st->ix,
	    st->at.set ? st->at.key.data : NULL, st->at.key.len, st->at.id,
	    st->flags, st->want, &st->recs, &st->n, err));
}

/*
 * The count of what the list shows (the records in use, or all with
 * --archived: both kept by the store, read in O(1)), and the matches
 * of a search.
 */
static int
page_count_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_state	*st = arg;
	uint64_t		 all, archived = 0;

	if (store_count(txn, st->table, &all, err) != 0 ||
	    ((!st->archived || st->only_archived) &&
	    store_count_archived(txn, st->table, &archived, err) != 0))
		return (-1);
	if (st->only_archived)
		st->total = archived;
	else
		st->total = archived < all ? all - archived : 0;
	if (st->search == NULL)
		return (0);
	/* Room for every record: the count is exact and the walk tests
	 * each entry of the sort index against the whole set. */
	if (st->maxids < all + 1) {
		free(st->ids);
		st->maxids = all + 1;
		st->ids = xmallocarray_large(st->maxids, sizeof *st->ids);
	}
	return (access_search(st->ctx->session, txn, st->table, st->search,
	    st->ids, st->maxids, &st->nids, err) < 0 ? -1 : 0);
}

/* The matches of a small search (or those a page may take), loaded. */
static int
page_load_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_state	*st = arg;
	struct record		*rec;
	size_t			 i;
	int			 r;

	store_records_free(st->recs, st->n);
	st->recs = xcalloc(st->nload ? st->nload : 1, sizeof *st->recs);
	st->n = 0;
	for (i = 0; i < st->nload; i++) {
		r = access_get(st->ctx->session, txn, st->table, st->load[i],
		    &rec, err);
		if (r == -1)
			return (-1);
		if (r == STORE_NOTFOUND)
			continue;
		st->recs[st->n++] = rec;
	}
	return (0);
}

/* Every word of the search starts a word of the record (the longer
 * ones each their own: index_search_match()). */
static int
page_matches(struct page_state *st, const struct record *rec)
{
	struct keyset	 rt;
	int		 all;

	keyset_init(&rt);
	index_search_keys(rec, &rt);
	all = index_search_match(&rt, &st->qtoks);
	keyset_release(&rt);
	return (all);
}

/*
 * A reference shown by the name of the record it points to ("#12 when
 * that one cannot be read), as people know it.
 */
static int
page_ref_text(struct page_state *st, struct store_txn *txn,
    const struct record *rec, size_t pos, struct buf *v, struct buf *err)
{
	const struct field	*f = &rec->table->fields[pos];
	const struct table	*rt;
	struct record		*ref = NULL;
	int			 r;

	if (!rec->values[pos].set ||
	    (rt = schema_table(st->ctx->schema, f->ref_table)) == NULL) {
		cmd_value_text(rec, pos, st->ctx->lang, v);
		return (0);
	}
	r = access_get(st->ctx->session, txn, rt, (uint64_t)rec->values[pos].i,
	    &ref, err);
	if (r == -1)
		return (-1);
	if (r == 0)
		record_title(ref, v);
	else
		buf_printf(v, "#%llu", (unsigned long long)rec->values[pos].i);
	record_free(ref);
	return (0);
}

struct page_out {
	struct page_state	*st;
	struct page_row		*rows;
	size_t			 n;
	struct buf		 out;
	int			 engine;	/* positions are ordinals */
};

/* The rows as lines, in one transaction for the references' names. */
static int
page_out_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_out		*po = arg;
	struct page_state	*st = po->st;
	const struct record	*rec;
	struct buf		 v = BUF_INIT;
	size_t			 i, c;
	int			 r = 0;

	buf_reset(&po->out);
	for (i = 0; r == 0 && i < po->n; i++) {
		rec = po->rows[i].rec;
		buf_printf(&po->out, "row\t%llu", (unsigned long long)rec->id);
		if (po->engine)
			buf_printf(&po->out, "\tq%llu",
			    (unsigned long long)po->rows[i].ord);
		else
			page_pos_format(&po->out, po->rows[i].key.data,
			    po->rows[i].key.len, rec->id);
		for (c = 0; r == 0 && c < st->ncols; c++) {
			buf_reset(&v);
			if (st->table->fields[st->cols[c]].type == FT_REF)
				r = page_ref_text(st, txn, rec, st->cols[c],
				    &v, err);
			else
				cmd_value_text(rec, st->cols[c], st->ctx->lang,
				    &v);
			cmd_machine_field(&po->out, v.data, v.len);
		}
		buf_addch(&po->out, '\n');
	}
	buf_release(&v);
	return (r);
}

/*
 * The answer of a page of rows in their positions (not the engine's):
 * the counts, the columns, the rows, and whether more follow and the
 * search went round.
 */
int
page_answer(struct cmd_ctx *ctx, struct page_state *st, struct page_row *rows,
    size_t nrows, int more, int wrap, int wrapped)
{
	struct page_out	 po;
	struct buf	 err = BUF_INIT;
	size_t		 c;
	int		 r;

	buf_printf(&ctx->out, "total\t%llu\n", (unsigned long long)st->total);
	if (st->filter)
		buf_printf(&ctx->out, "filtered\t%llu\n",
		    (unsigned long long)st->nfilter);
	if (st->search != NULL)
		buf_printf(&ctx->out, "shown\t%zu\n", st->nids);
	buf_adds(&ctx->out, "cols");
	for (c = 0; c < st->ncols; c++)
		cmd_machine_str(&ctx->out, st->table->fields[st->cols[c]].name);
	buf_addch(&ctx->out, '\n');
	memset(&po, 0, sizeof po);
	po.st = st;
	po.rows = rows;
	po.n = nrows;
	buf_init(&po.out);
	if (store_txn_run(ctx->store, STORE_TXN_READONLY, page_out_txn, &po,
	    &err) != 0) {
		buf_release(&po.out);
		buf_reset(&ctx->out);
		r = cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (r);
	}
	buf_add(&ctx->out, po.out.data, po.out.len);
	buf_release(&po.out);
	buf_printf(&ctx->out, "more\t%d\n", more);
	if (wrap)
		buf_printf(&ctx->out, "wrapped\t%d\n", wrapped);
	return (CMD_OK);
}

/*
 * The test suite's way to see a read that takes a while on a small
 * table: CLERK_TEST_SLOW_READ=MS makes the threads that read a whole
 * order or a filter's matches sleep that long first (clerkd(8)).
 */
void
page_test_delay(void)
{
	const char	*s = getenv("CLERK_TEST_SLOW_READ");
	long		 ms;

	if (s != NULL && (ms = strtol(s, NULL, 10)) > 0 && ms < 60000)
		usleep((useconds_t)ms * 1000);
}

int
page_nowait_small(const struct page_state *st)
{
	const char	*s = getenv("CLERK_TEST_SLOW_READ");

	return (st->total < PAGE_NOWAIT_ROWS && (s == NULL || *s == '\0'));
}

/*
 * The answer of --nowait while the list's whole order or its filter's
 * matches are being read: the count, "pending" with what is read so far
 * (records of of, or matches found when of is 0), no rows.  The client
 * asks again a little later.
 */
int
page_pending(struct cmd_ctx *ctx, struct page_state *st, uint64_t done,
    uint64_t of)
{
	buf_printf(&ctx->out, "total\t%llu\n", (unsigned long long)st->total);
	buf_printf(&ctx->out, "pending\t%llu\t%llu\n",
	    (unsigned long long)done, (unsigned long long)of);
	buf_adds(&ctx->out, "more\t0\n");
	return (CMD_OK);
}

/* Ascending order of rows (qsort has no argument to say descending,
 * and a static one would race between the server's threads). */
static int
page_row_cmp(const void *a, const void *b)
{
	const struct page_row	*x = a, *y = b;
	struct page_state	 st;

	st.desc = 0;
	st.ix = NULL;
	return (page_cmp(&st, x->key.data, x->key.len, x->rec->id,
	    y->key.data, y->key.len, y->rec->id));
}

void
page_rows_free(struct page_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		record_free(rows[i].rec);
		buf_release(&rows[i].key);
	}
	free(rows);
}

/*
 * The rows among ids (matches of the search): each loaded, put in the
 * list's order, and up to limit after (or before) the position taken.
 * A list by a field every record must have leaves out any without it,
 * as walking its index does.
 */
int
page_search_ids(struct page_state *st, const uint64_t *ids, size_t nids,
    int backward, size_t limit, struct page_row **rowsp, size_t *nrows,
    int *more, struct buf *err)
{
	struct page_row	*all, *ord;
	size_t		 i, n, z, first, last;

	st->load = ids;
	st->nload = nids;
	if (store_txn_run(st->ctx->store, STORE_TXN_READONLY, page_load_txn,
	    st, err) != 0)
		return (-1);
	all = xcalloc(st->n ? st->n : 1, sizeof *all);
	for (i = n = 0; i < st->n; i++) {
		all[n].rec = st->recs[i];
		buf_init(&all[n].key);
		page_key_of(st, all[n].rec, &all[n].key);
		if (st->ix != NULL && st->required && all[n].key.len == 0) {
			record_free(all[n].rec);
			buf_release(&all[n].key);
			continue;
		}
		n++;
	}
	free(st->recs);
	st->recs = NULL;
	st->n = 0;
	/* Ascending (key, id) puts the rows with no key first: the list
	 * has them after the others, each part in its direction. */
	if (n > 1)
		qsort(all, n, sizeof *all, page_row_cmp);
	for (z = 0; st->ix != NULL && z < n && all[z].key.len == 0; z++)
		;
	ord = xcalloc(n ? n : 1, sizeof *ord);
	for (i = 0; i < n - z; i++)
		ord[i] = all[st->desc ? n - 1 - i : z + i];
	for (i = 0; i < z; i++)
		ord[n - z + i] = all[st->desc ? z - 1 - i : i];
	free(all);
	all = ord;

	/* [first, last) are the rows on the asked side of the position. */
	first = 0;
	last = n;
	if (st->at.set && !backward)
		while (first < n && page_cmp(st, all[first].key.data,
		    all[first].key.len, all[first].rec->id, st->at.key.data,
		    st->at.key.len, st->at.id) <= 0)
			first++;
	if (st->at.set && backward)
		while (last > first && page_cmp(st, all[last - 1].key.data,
		    all[last - 1].key.len, all[last - 1].rec->id,
		    st->at.key.data, st->at.key.len, st->at.id) >= 0)
			last--;
	*more = last - first > limit;
	if (*more && backward)
		first = last - limit;
	else if (*more)
		last = first + limit;
	for (i = 0; i < n; i++)
		if (i < first || i >= last) {
			record_free(all[i].rec);
			buf_release(&all[i].key);
		}
	memmove(all, all + first, (last - first) * sizeof *all);
	*rowsp = all;
	*nrows = last - first;
	return (0);
}

/* A small search: every match loaded (page_search_ids). */
static int
page_search_small(struct page_state *st, int backward, size_t limit,
    struct page_row **rowsp, size_t *nrows, int *more, struct buf *err)
{
	return (page_search_ids(st, st->ids, st->nids, backward, limit, rowsp,
	    nrows, more, err));
}

/*
 * The rows with no key in the sort's field (not in its index) come in
 * id order.  They are found by a bulk scan of the records' bytes, the
 * field looked up in place as the index's key callback does, instead of
 * reading every record whole: End on a list by city read a million
 * records one by one at 1,000,000 parties (33 s).  In the store's
 * direction from the position: forward the first want after it;
 * backward the last want before it (the scan runs from the start and
 * keeps the last ones in a ring).
 */
struct page_nulls {
	const struct field	*f;
	int			 ixkind;
	int			 back;
	uint64_t		 before;	/* back: ids below it */
	size_t			 want;
	uint64_t		*ids;
	size_t			 n, head;
	struct keyset		 ks;
};

static int
page_null_fn(uint64_t id, const void *data, size_t len, void *arg)
{
	struct page_nulls	*pn = arg;
	struct value		 v;

	if (pn->back && id >= pn->before)
		return (1);
	if (record_decode_field(data, len, pn->f->id, &v) == 1) {
		keyset_reset(&pn->ks);
		index_value_keys(pn->f, &v, pn->ixkind, &pn->ks);
		if (pn->ks.n > 0)
			return (0);
	}
	if (!pn->back) {
		pn->ids[pn->n++] = id;
		return (pn->n == pn->want);
	}
	if (pn->n < pn->want)
		pn->ids[(pn->head + pn->n++) % pn->want] = id;
	else {
		pn->ids[pn->head] = id;
		pn->head = (pn->head + 1) % pn->want;
	}
	return (0);
}

static int
page_nulls_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_state	*st = arg;
	struct page_nulls	*pn = st->nulls;
	uint64_t		 last;

	pn->n = pn->head = 0;
	return (access_scan(st->ctx->session, txn, st->table, pn->back ? 0 :
	    st->at.set ? st->at.id : 0, 0, st->archived ? STORE_PAGE_ARCHIVED :
	    0, page_null_fn, pn, &last, err));
}

/* Up to want rows with no key from the position; st->recs as page_txn. */
static int
page_nulls_read(struct page_state *st, size_t want, struct buf *err)
{
	struct page_nulls	 pn;
	uint64_t		*load;
	size_t			 i;
	int			 r;

	memset(&pn, 0, sizeof pn);
	/* page_sort() set ix to the field's own name. */
	if ((pn.f = table_field(st->table, st->ix)) == NULL)
		return (buf_error(err, _("unknown field '%s' in table '%s'"),
		    st->ix, st->table->name));
	pn.ixkind = (pn.f->index & IX_FOLDED) ? IX_FOLDED : IX_EXACT;
	pn.back = (st->flags & STORE_PAGE_BACKWARD) != 0;
	pn.before = st->at.set ? st->at.id : UINT64_MAX;
	pn.want = want;
	pn.ids = xcalloc(want, sizeof *pn.ids);
	keyset_init(&pn.ks);
	st->nulls = &pn;
	r = store_txn_run(st->ctx->store, STORE_TXN_READONLY, page_nulls_txn,
	    st, err);
	st->nulls = NULL;
	if (r == 0) {
		/* Nearest first: backward, the ring's newest first. */
		load = xcalloc(pn.n ? pn.n : 1, sizeof *load);
		for (i = 0; i < pn.n; i++)
			load[i] = pn.ids[pn.back ? (pn.head + pn.n - 1 - i) %
			    pn.want : i];
		st->load = load;
		st->nload = pn.n;
		r = store_txn_run(st->ctx->store, STORE_TXN_READONLY,
		    page_load_txn, st, err);
		st->load = NULL;
		st->nload = 0;
		free(load);
	}
	keyset_release(&pn.ks);
	free(pn.ids);
	return (r);
}

/*
 * Rows read in the list's order from the position (or from an end),
 * a store page at a time; with a search only the matches are kept.
 * Reading backward collects the nearest first, so the rows are turned
 * round at the end.
 */
static int
page_scan(struct page_state *st, int backward, size_t limit,
    struct page_row **rowsp, size_t *nrows, int *more, struct buf *err)
{
	struct page_row	*rows, tmp;
	struct record	*rec;
	size_t		 n = 0, i;

	rows = xcalloc(limit + 1, sizeof *rows);
	st->flags = (backward != st->desc ? STORE_PAGE_BACKWARD : 0) |
	    (st->archived ? STORE_PAGE_ARCHIVED : 0);
	/*
	 * The rows with no key (the index has none of them) are read in id
	 * order, in the same direction, after the index's: a position with
	 * an empty key is among them, and the end of the list is too.
	 */
	/*
	 * Finding them is a walk over the whole table by id, so a field
	 * every record has (the usual sort, by name) skips it: End on a
	 * million rows was seconds.  Every record has it when it has been
	 * required since its table began (field->always): one added or
	 * made required later is missing from the records before.
	 */
	st->nullphase = st->ix != NULL && !st->required && ((st->at.set &&
	    st->at.key.len == 0) || (!st->at.set && backward));
	for (;;) {
		/* One row more than asked says whether more follow. */
		st->want = st->search != NULL ? PAGE_SCAN : st->nullphase ?
		    PAGE_NULLSCAN : limit + 1 - n;
		if (st->nullphase && st->search == NULL) {
			if (page_nulls_read(st, st->want = limit + 1 - n,
			    err) != 0) {
				page_rows_free(rows, n);
				return (-1);
			}
		} else if (store_txn_run(st->ctx->store, STORE_TXN_READONLY,
		    page_txn, st, err) != 0) {
			page_rows_free(rows, n);
			return (-1);
		}
		for (i = 0; i < st->n; i++) {
			rec = st->recs[i];
			st->recs[i] = NULL;
			/* The position moves past every row read. */
			page_key_of(st, rec, &st->at.key);
			st->at.id = rec->id;
			st->at.set = 1;
			if (st->nullphase && st->at.key.len > 0) {
				/* In the index: not of this part. */
				buf_reset(&st->at.key);
				record_free(rec);
				continue;
			}
			if (n == limit + 1 || (st->search != NULL &&
			    !page_matches(st, rec)) || (st->only_archived &&
			    !(rec->flags & REC_ARCHIVED))) {
				record_free(rec);
				continue;
			}
			rows[n].rec = rec;
			buf_init(&rows[n].key);
			buf_add(&rows[n].key, st->at.key.data, st->at.key.len);
			n++;
		}
		if (n == limit + 1)
			break;
		if (st->n < st->want) {
			/* This part is done: on to the other one. */
			if (st->ix == NULL || st->required ||
			    st->nullphase == !backward)
				break;
			st->nullphase = !st->nullphase;
			st->at.set = 0;
			buf_reset(&st->at.key);
			st->at.id = 0;
		}
	}
	*more = n > limit;
	if (*more) {
		n--;
		record_free(rows[n].rec);
		buf_release(&rows[n].key);
	}
	if (backward)
		for (i = 0; i < n / 2; i++) {
			tmp = rows[i];
			rows[i] = rows[n - 1 - i];
			rows[n - 1 - i] = tmp;
		}
	*rowsp = rows;
	*nrows = n;
	return (0);
}

/*
 * A search with many matches.  The word index gave every match's id
 * (page_count_txn); as a bit set they are tested against the entries of
 * the list's sort index, read in its order from the position, keys and
 * ids only (store_keys), so no record is read until it is one of the
 * rows answered.  In id order the set itself is the list.
 */
static void
page_bits_make(struct page_state *st)
{
	size_t	i;

	if (st->bits != NULL)
		return;
	st->nwords = st->nids > 0 ? (size_t)(st->ids[st->nids - 1] / 64) + 1 :
	    1;
	st->bits = xcalloc(st->nwords, sizeof *st->bits);
	for (i = 0; i < st->nids; i++)
		st->bits[st->ids[i] >> 6] |= (uint64_t)1 << (st->ids[i] & 63);
}

static int
page_bit(const uint64_t *bits, size_t nwords, uint64_t id)
{
	return (id / 64 < nwords && (bits[id >> 6] >> (id & 63) & 1));
}

/* The next id of the set after id (before it, backward), or 0. */
static uint64_t
page_bit_next(const uint64_t *bits, size_t nwords, uint64_t id, int backward)
{
	uint64_t	w, i;

	if (!backward) {
		if (id >= (uint64_t)nwords * 64 - 1)
			return (0);
		id++;
		i = id >> 6;
		w = bits[i] & (~(uint64_t)0 << (id & 63));
		while (w == 0) {
			if (++i == nwords)
				return (0);
			w = bits[i];
		}
		return (i * 64 + (uint64_t)__builtin_ctzll(w));
	}
	if (id == 0)
		return (0);
	if (id > (uint64_t)nwords * 64)
		id = (uint64_t)nwords * 64;
	id--;
	i = id >> 6;
	w = bits[i] & (~(uint64_t)0 >> (63 - (id & 63)));
	while (w == 0) {
		if (i-- == 0)
			return (0);
		w = bits[i];
	}
	return (i * 64 + 63 - (uint64_t)__builtin_clzll(w));
}

struct page_walk {
	struct page_state	*st;
	struct page_row		*rows;
	size_t			 n, want;
	size_t			 seen, budget;	/* entries; budget 0: all */
	int			 gaveup;
	/* One walk of the sort index. */
	const void		*key;
	size_t			 keylen;
	uint64_t		 id;
	int			 flags;
	store_key_fn		*fn;
};

/* A match of the index walk is a row. */
static int
page_walk_key(const void *key, size_t len, uint64_t id, void *arg)
{
	struct page_walk	*w = arg;

	if (w->budget != 0 && ++w->seen > w->budget) {
		w->gaveup = 1;
		return (1);
	}
	if (!page_bit(w->st->bits, w->st->nwords, id))
		return (0);
	w->rows[w->n].rec = NULL;
	buf_init(&w->rows[w->n].key);
	buf_add(&w->rows[w->n].key, key, len);
	w->rows[w->n].ord = id;
	return (++w->n == w->want);
}

/* Every entry of the index: the matches left have no key. */
static int
page_walk_null(const void *key, size_t len, uint64_t id, void *arg)
{
	struct page_walk	*w = arg;

	(void)key;
	(void)len;
	if (id / 64 < w->st->nwords)
		w->st->nullbits[id >> 6] &= ~((uint64_t)1 << (id & 63));
	return (0);
}

static int
page_walk_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_walk	*w = arg;
	size_t			 i, n0 = w->n;
	size_t			 seen0 = w->seen;

	if (w->fn == page_walk_null)
		memcpy(w->st->nullbits, w->st->bits,
		    w->st->nwords * sizeof *w->st->bits);
	if (store_keys(txn, w->st->table, w->st->ix, w->key, w->keylen,
	    w->id, w->flags, w->fn, w, err) >= 0)
		return (0);
	/* Tried again after a deadlock: as if not walked. */
	for (i = n0; i < w->n; i++)
		buf_release(&w->rows[i].key);
	w->n = n0;
	w->seen = seen0;
	w->gaveup = 0;
	return (-1);
}

/* The records of the rows kept, in one transaction. */
static int
page_fetch_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_walk	*w = arg;
	struct record		*rec;
	size_t			 i;
	int			 r;

	for (i = 0; i < w->n; i++) {
		record_free(w->rows[i].rec);
		w->rows[i].rec = NULL;
	}
	for (i = 0; i < w->n; i++) {
		r = access_get(w->st->ctx->session, txn, w->st->table,
		    w->rows[i].ord, &rec, err);
		if (r == -1)
			return (-1);
		if (r == 0)
			w->rows[i].rec = rec;
	}
	return (0);
}

/*
 * The rows of w (ids in ord, nearest the position first, one more than
 * limit when more follow) read and answered in the list's order: a row
 * gone since is left out, its key is the record's as read now.
 */
static int
page_walk_finish(struct page_state *st, struct page_walk *w, int backward,
    size_t limit, struct page_row **rowsp, size_t *nrows, int *more,
    struct buf *err)
{
	struct page_row	 tmp;
	size_t		 i, k;

	if (store_txn_run(st->ctx->store, STORE_TXN_READONLY, page_fetch_txn,
	    w, err) != 0)
		return (-1);
	for (i = k = 0; i < w->n; i++) {
		if (w->rows[i].rec == NULL) {
			buf_release(&w->rows[i].key);
			continue;
		}
		w->rows[k] = w->rows[i];
		w->rows[k].ord = 0;
		page_key_of(st, w->rows[k].rec, &w->rows[k].key);
		k++;
	}
	w->n = k;
	*more = w->n > limit;
	if (*more) {
		w->n--;
		record_free(w->rows[w->n].rec);
		buf_release(&w->rows[w->n].key);
	}
	if (backward)
		for (i = 0; i < w->n / 2; i++) {
			tmp = w->rows[i];
			w->rows[i] = w->rows[w->n - 1 - i];
			w->rows[w->n - 1 - i] = tmp;
		}
	*rowsp = w->rows;
	*nrows = w->n;
	w->rows = NULL;
	return (0);
}

/*
 * With budget (entries of the index) the walk gives up past that many
 * and returns 1, nothing answered: a few matches far away are found
 * sooner by page_search_small().
 */
static int
page_search_walk(struct page_state *st, int backward, size_t limit,
    size_t budget, struct page_row **rowsp, size_t *nrows, int *more,
    struct buf *err)
{
	struct page_walk	 w;
	uint64_t		 id;
	int			 nullphase, down = backward != st->desc, r = -1;
	int			 atset = st->at.set;

	/* st->at stays as it came, for page_search_small() after 1. */
	memset(&w, 0, sizeof w);
	w.st = st;
	w.rows = xcalloc(limit + 1, sizeof *w.rows);
	w.want = limit + 1;
	w.budget = budget;
	/* The parts of the list as page_scan() has them. */
	nullphase = st->ix != NULL && !st->required && ((atset &&
	    st->at.key.len == 0) || (!atset && backward));
	for (;;) {
		if (st->ix != NULL && !nullphase) {
			w.key = atset ? st->at.key.data : NULL;
			w.keylen = atset ? st->at.key.len : 0;
			w.id = atset ? st->at.id : 0;
			w.flags = down ? STORE_PAGE_BACKWARD : 0;
			w.fn = page_walk_key;
			if (store_txn_run(st->ctx->store, STORE_TXN_READONLY,
			    page_walk_txn, &w, err) != 0)
				goto out;
			if (w.gaveup) {
				r = 1;
				goto out;
			}
		} else {
			const uint64_t	*set = st->bits;

			if (nullphase && st->nullbits == NULL && budget) {
				/* That is a walk of the whole index. */
				r = 1;
				goto out;
			}
			if (nullphase && st->nullbits == NULL) {
				/* Known only from a walk of the whole index. */
				st->nullbits = xcalloc(st->nwords,
				    sizeof *st->nullbits);
				w.key = NULL;
				w.flags = 0;
				w.fn = page_walk_null;
				if (store_txn_run(st->ctx->store,
				    STORE_TXN_READONLY, page_walk_txn, &w,
				    err) != 0)
					goto out;
			}
			if (nullphase)
				set = st->nullbits;
			id = atset ? st->at.id : down ? UINT64_MAX : 0;
			while (w.n < w.want && (id = page_bit_next(set,
			    st->nwords, id, down)) != 0) {
				buf_init(&w.rows[w.n].key);
				w.rows[w.n++].ord = id;
			}
		}
		if (w.n == w.want)
			break;
		/* This part is done: on to the other one. */
		if (st->ix == NULL || st->required || nullphase == !backward)
			break;
		nullphase = !nullphase;
		atset = 0;
	}
	r = page_walk_finish(st, &w, backward, limit, rowsp, nrows, more,
	    err);
out:
	if (w.rows != NULL)
		page_rows_free(w.rows, w.n);
	if (r == 1) {
		*rowsp = NULL;
		*nrows = 0;
	}
	return (r);
}

/* A sort by one field: its index, or (*engine set) none, so the
 * engine sorts. */
static int
page_sort(struct cmd_ctx *ctx, struct page_state *st, const char *sort,
    int *engine)
{
	const struct field	*f;
	ssize_t			 pos;

	if (*sort == '-') {
		st->desc = 1;
		sort++;
	}
	if (strcmp(sort, "id") == 0)
		return (CMD_OK);
	if ((pos = cmd_field_get(ctx, st->table, sort)) < 0)
		return (CMD_USAGE);
	f = &st->table->fields[pos];
	if ((f->index & (IX_EXACT | IX_FOLDED | IX_UNIQUE)) == 0 ||
	    f->multi) {
		*engine = 1;
		return (CMD_OK);
	}
	st->ix = f->name;
	st->required = f->always;
	return (CMD_OK);
}

static int
page_columns(struct cmd_ctx *ctx, struct page_state *st, const char *list)
{
	const struct table	*t = st->table;
	char			*copy, *p, *name;
	ssize_t			 pos;
	size_t			 i;

	st->cols = xcalloc(t->nfields + t->nlist_cols + 1, sizeof *st->cols);
	if (list == NULL) {
		for (i = 0; i < t->nlist_cols; i++)
			if ((pos = table_field_pos(t, t->list_cols[i])) >= 0)
				st->cols[st->ncols++] = (size_t)pos;
		for (i = 0; t->nlist_cols == 0 && i < t->nfields; i++)
			st->cols[st->ncols++] = i;
		return (CMD_OK);
	}
	copy = p = xstrdup(list);
	while ((name = strsep(&p, ",")) != NULL) {
		if (*name == '\0')
			continue;
		if ((pos = cmd_field_get(ctx, t, name)) < 0) {
			free(copy);
			return (CMD_USAGE);
		}
		if (st->ncols < t->nfields)
			st->cols[st->ncols++] = (size_t)pos;
	}
	free(copy);
	return (CMD_OK);
}

/*
 * The query engine's side: a filter, several sort keys or a sort no
 * index gives (rows by ordinal), and groups.  The condition is parsed
 * alone first, so the column of a mistake counts in what was typed.
 */
int
page_blank(const char *s)
{
	return (s == NULL || s[strspn(s, " \t\r\n")] == '\0');
}

int
page_query(struct cmd_ctx *ctx, const struct table *t, const char *where,
    const char *search, const char *tail, struct query **qp)
{
	struct query	*q = NULL;
	struct buf	 text = BUF_INIT, err = BUF_INIT;
	const char	*p;
	int		 r = -1;

	*qp = NULL;
	if (!page_blank(where)) {
		if (query_parse_where(ctx->schema, t, where, &q, &err) != 0) {
			cmd_error(ctx, "%s", err.data);
			goto out;
		}
		query_free(q);
	}
	buf_adds(&text, t->name);
	if (!page_blank(where) || !page_blank(search))
		buf_adds(&text, " where ");
	if (!page_blank(where))
		buf_printf(&text, "(%s)", where);
	if (!page_blank(search)) {
		/* Quoted text alone is a search of the word index. */
		buf_adds(&text, page_blank(where) ? "'" : " and '");
		for (p = search; *p != '\0'; p++) {
			if (*p == '\'')
				buf_addch(&text, '\'');
			buf_addch(&text, *p);
		}
		buf_addch(&text, '\'');
	}
	buf_printf(&text, " %s", tail);
	if (query_parse(ctx->schema, text.data, qp, &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		goto out;
	}
	r = 0;
out:
	buf_release(&text);
	buf_release(&err);
	return (r);
}

/* Rows of the engine by ordinal: [from, upto), the first (or, backward,
 * the last) limit of them that match the search. */
struct page_eng {
	struct page_state	*st;
	uint64_t		 ord, from, upto;
	int			 backward, count_only, stopped;
	size_t			 limit;
	struct page_row		*rows;		/* backward: a ring */
	size_t			 n, head;
	uint64_t		 matches;
	int			 more;
};

static int
page_eng_row(const struct query_row *row, void *arg, struct buf *err)
{
	struct page_eng	*e = arg;
	struct page_row	*pr;
	uint64_t	 ord = e->ord++;

	if (ord < e->from || ord >= e->upto)
		return (0);
	if (e->st->search != NULL && !page_matches(e->st, row->rec))
		return (0);
	e->matches++;
	if (e->count_only)
		return (0);
	if (!e->backward && e->n == e->limit) {
		/* One more than asked: more follow, and that is enough. */
		e->more = 1;
		e->stopped = 1;
		return (buf_error(err, "stop"));
	}
	if (e->backward && e->n == e->limit) {
		/* The ring is full: the oldest falls out. */
		e->more = 1;
		pr = &e->rows[e->head];
		record_free(pr->rec);
		e->head = (e->head + 1) % e->limit;
	} else
		pr = &e->rows[(e->head + e->n++) % e->limit];
	pr->rec = record_dup(row->rec);
	buf_init(&pr->key);
	pr->ord = ord;
	return (0);
}

/* Run q for e; the rows come out in order in e->rows. */
static int
page_eng_run(struct cmd_ctx *ctx, const struct query *q, struct page_eng *e,
    struct buf *err)
{
	struct page_row	*rows;
	size_t		 n, i;
	int		 more;

	e->ord = 0;
	e->n = e->head = 0;
	e->matches = 0;
	e->more = e->stopped = 0;
	if (!e->count_only && e->rows == NULL)
		e->rows = xcalloc(e->limit + 1, sizeof *e->rows);
	/* Without a search the rows wanted are known: no more are read. */
	n = SIZE_MAX;
	if (e->st->search == NULL && !e->backward && !e->count_only &&
	    e->from < SIZE_MAX - e->limit - 1)
		n = (size_t)e->from + e->limit + 1;
	else if (e->st->search == NULL && e->backward &&
	    e->upto < SIZE_MAX)
		n = (size_t)e->upto;
	if (query_each(ctx->session, q, NULL, n, page_eng_row, e, err,
	    &more, NULL) != 0 && !e->stopped)
		return (-1);
	if (e->backward && e->head > 0) {
		rows = xcalloc(e->limit + 1, sizeof *rows);
		for (i = 0; i < e->n; i++)
			rows[i] = e->rows[(e->head + i) % e->limit];
		free(e->rows);
		e->rows = rows;
		e->head = 0;
	}
	return (0);
}

/* "q12": the ordinal of a row of the engine. */
int
page_ord_parse(struct cmd_ctx *ctx, const char *opt, const char *s,
    uint64_t *ord)
{
	char	*end;

	if (s[0] != 'q' || s[1] < '0' || s[1] > '9')
		goto bad;
	*ord = strtoull(s + 1, &end, 10);
	if (*end == '\0' && *ord < UINT64_MAX / 2)
		return (CMD_OK);
bad:
	return (cmd_usage(ctx, _("bad --%s '%s': give a position from an "
	    "earlier page"), opt, s));
}

/* Records of the engine (--where, several keys, a sort no index has). */
static int
page_engine(struct cmd_ctx *ctx, struct page_state *st, const char *sort,
    size_t limit, struct buf *out)
{
	struct page_eng	 e;
	struct page_out	 po;
	struct query	*q = NULL, *cq = NULL;
	struct buf	 tail = BUF_INIT, err = BUF_INIT;
	const char	*after, *before, *at;
	uint64_t	 ord = 0, filtered = 0;
	int		 r = CMD_FAILED, counted = 0;
	size_t		 c;

	memset(&e, 0, sizeof e);
	e.st = st;
	e.limit = limit;
	e.upto = UINT64_MAX;
	after = cmd_opt(ctx, "after");
	before = cmd_opt(ctx, "before");
	at = cmd_opt(ctx, "at");
	if ((after != NULL && (r = page_ord_parse(ctx, "after", after,
	    &ord)) != CMD_OK) || (before != NULL && (r = page_ord_parse(ctx,
	    "before", before, &ord)) != CMD_OK) || (at != NULL &&
	    (r = page_ord_parse(ctx, "at", at, &ord)) != CMD_OK))
		goto out;
	r = CMD_FAILED;
	if (sort != NULL)
		buf_printf(&tail, "sort %s ", sort);
	buf_adds(&tail, "cols id");
	if (page_query(ctx, st->table, cmd_opt(ctx, "where"), NULL,
	    tail.data, &q) != 0)
		goto out;
	if (after != NULL)
		e.from = ord + 1;
	else if (at != NULL)
		e.from = ord;
	else if (before != NULL) {
		e.upto = ord;
		e.backward = 1;
	} else if (cmd_opt(ctx, "last") != NULL)
		e.backward = 1;
	if (page_eng_run(ctx, q, &e, &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		goto out;
	}
	/* How many the filter (and the search) let through: known after a
	 * run to the end, else counted when a list starts or comes back. */
	if (e.backward && e.upto == UINT64_MAX) {
		filtered = e.ord;
		counted = 1;
	} else if (after == NULL && before == NULL) {
		struct page_eng	 cnt;

		/*
		 * Counted in any order: sorting every row only to count them
		 * took 10 s of a list sorted by an unindexed field at
		 * 1,000,000 parties.
		 */
		if (page_query(ctx, st->table, cmd_opt(ctx, "where"), NULL,
		    "cols id", &cq) != 0)
			goto out;
		memset(&cnt, 0, sizeof cnt);
		cnt.st = st;
		cnt.count_only = 1;
		cnt.upto = UINT64_MAX;
		if (page_eng_run(ctx, cq, &cnt, &err) != 0) {
			cmd_error(ctx, "%s", err.data);
			goto out;
		}
		filtered = cnt.ord;
		e.matches = cnt.matches;
		counted = 1;
	}
	buf_printf(out, "total\t%llu\n", (unsigned long long)st->total);
	if (counted && !page_blank(cmd_opt(ctx, "where")))
		buf_printf(out, "filtered\t%llu\n",
		    (unsigned long long)filtered);
	if (counted && st->search != NULL)
		buf_printf(out, "shown\t%llu\n",
		    (unsigned long long)e.matches);
	buf_adds(out, "cols");
	for (c = 0; c < st->ncols; c++)
		cmd_machine_str(out, st->table->fields[st->cols[c]].name);
	buf_addch(out, '\n');
	memset(&po, 0, sizeof po);
	po.st = st;
	po.rows = e.rows;
	po.n = e.n;
	po.engine = 1;
	buf_init(&po.out);
	if (store_txn_run(ctx->store, STORE_TXN_READONLY, page_out_txn, &po,
	    &err) != 0) {
		buf_release(&po.out);
		cmd_error(ctx, "%s", err.data);
		goto out;
	}
	buf_add(out, po.out.data, po.out.len);
	buf_release(&po.out);
	buf_printf(out, "more\t%d\n", e.more);
	r = CMD_OK;
out:
	if (e.rows != NULL)
		page_rows_free(e.rows, e.n);
	query_free(q);
	query_free(cq);
	buf_release(&tail);
	buf_release(&err);
	return (r);
}

static int
page_exec(struct cmd_ctx *ctx)
{
	struct page_state	 st;
	struct page_row		*rows = NULL;
	struct page_order	*order = NULL;
	struct page_full	*full = NULL;
	struct buf		 err = BUF_INIT;
	uint64_t		 seq = 0, progress = 0;
	const char		*s, *after, *before, *at, *sort, *where;
	char			*end = NULL;
	uint64_t		 limit = 50;
	size_t			 nrows = 0;
	int			 r, more = 0, backward, last, engine;
	int			 wrap, wrapped = 0;

	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	buf_init(&st.at.key);
	keyset_init(&st.qtoks);
	after = cmd_opt(ctx, "after");
	before = cmd_opt(ctx, "before");
	at = cmd_opt(ctx, "at");
	last = cmd_opt(ctx, "last") != NULL;
	wrap = cmd_opt(ctx, "wrap") != NULL;
	st.nowait = cmd_opt(ctx, "nowait") != NULL;
	if ((after != NULL) + (before != NULL) + (at != NULL) + last > 1) {
		r = cmd_usage(ctx, _("give one of --after, --at, --before "
		    "and --last"));
		goto out;
	}
	if ((s = cmd_opt(ctx, "limit")) != NULL)
		limit = *s >= '0' && *s <= '9' ? strtoull(s, &end, 10) : 0;
	if (s != NULL && (*end != '\0' || limit == 0 || limit > PAGE_MAX)) {
		r = cmd_usage(ctx, _("bad --limit '%s': give 1 to %d"), s,
		    PAGE_MAX);
		goto out;
	}
	r = CMD_FAILED;
	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		goto out;
	if (access_check(ctx->session, st.table, ACCESS_READ,
	    &ctx->error) != 0)
		goto out;
	sort = cmd_opt(ctx, "sort");
	where = cmd_opt(ctx, "where");
	if (page_blank(where))
		where = NULL;
	/* A filter's rows come as a search's (page_where_apply); groups
	 * and the archived are the engine's. */
	st.only_archived = cmd_opt(ctx, "archived-only") != NULL;
	engine = cmd_opt(ctx, "group") != NULL || (where != NULL &&
	    (cmd_opt(ctx, "archived") != NULL || st.only_archived)) ||
	    (sort != NULL && strchr(sort, ',') != NULL);
	if (!engine && sort != NULL &&
	    (r = page_sort(ctx, &st, sort, &engine)) != CMD_OK)
		goto out;
	if (engine) {
		/* The engine's own sort, "-" and all. */
		st.desc = 0;
		st.ix = NULL;
	}
	if ((r = page_columns(ctx, &st, cmd_opt(ctx, "cols"))) != CMD_OK)
		goto out;
	if (!engine && ((after != NULL &&
	    (r = page_pos_parse(ctx, "after", after, &st.at)) != CMD_OK) ||
	    (before != NULL &&
	    (r = page_pos_parse(ctx, "before", before, &st.at)) != CMD_OK) ||
	    (at != NULL &&
	    (r = page_pos_parse(ctx, "at", at, &st.at)) != CMD_OK)))
		goto out;
	/* At a row is after the one just before it in (key, id) order. */
	if (at != NULL)
		page_pos_at(&st.at, st.desc);
	st.archived = cmd_opt(ctx, "archived") != NULL || st.only_archived;
	if ((s = cmd_opt(ctx, "search")) != NULL) {
		index_query_tokens(s, &st.qtoks);
		/* Nothing to look for lists everything. */
		if (st.qtoks.n > 0)
			st.search = s;
	}
	st.matched = st.search != NULL;

	r = CMD_FAILED;
	/* The list's order in memory, for its searches: read from the
	 * first call on, used once whole; the journal's number before the
	 * search's matches are read (page_search_order). */
	if (!engine && st.ix != NULL)
		page_order_start(&st);
	if (!engine && st.ix != NULL && (st.search != NULL || where != NULL) &&
	    !st.archived && (order = page_order_use(&st)) != NULL)
		seq = store_journal_seq(ctx->store);
	if (store_txn_run(ctx->store, STORE_TXN_READONLY, page_count_txn, &st,
	    &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		goto out;
	}
	if (where != NULL && cmd_opt(ctx, "group") == NULL && !st.archived &&
	    (r = page_where_apply(&st, where, &progress)) != 0) {
		if (r == 1)
			r = page_pending(ctx, &st, progress, 0);
		else
			r = CMD_FAILED;
		goto out;
	}
	if (cmd_opt(ctx, "group") != NULL) {
		if ((r = page_group_keys(ctx, st.table)) != CMD_OK)
			goto out;
		r = st.nowait ? page_groups_nowait(ctx, &st, sort,
		    (size_t)limit) : page_groups(ctx, &st, sort,
		    (size_t)limit, &ctx->out);
		goto out;
	}
	if (engine) {
		if (st.archived) {
			r = cmd_usage(ctx, _("--archived lists in the order of "
			    "an index only, without --where"));
			goto out;
		}
		/* Sorted where no index orders it: the order in memory. */
		if (sort != NULL &&
		    (r = page_full_exec(ctx, &st, sort, (size_t)limit)) != 1)
			goto out;
		/* The engine filters by itself. */
		st.filter = 0;
		r = page_engine(ctx, &st, sort, (size_t)limit, &ctx->out);
		goto out;
	}
	backward = before != NULL || last;
	/*
	 * A list by a field some records leave empty finds those rows
	 * (after the index's) by a scan of the table: End on the parties by
	 * city read a million records.  Its whole order in memory has them
	 * (struct page_full, with the index's positions), read by a thread
	 * from the list's first page on (a second or two at 1,000,000):
	 * once read it answers every page, and a page among those rows
	 * waits for it rather than scan the table a second time.
	 */
	if (st.ix != NULL && !st.required && !st.matched && !st.archived &&
	    sort != NULL &&
	    (full = page_full_get(&st, sort, 1)) != NULL) {
		if (page_full_ready(full) || (st.at.set &&
		    st.at.key.len == 0) || (!st.at.set && backward)) {
			if ((r = page_full_exec(ctx, &st, sort,
			    (size_t)limit)) != 1)
				goto out;
		} else
			page_full_start(full);
	}
	if (st.matched && !st.archived && order == NULL)
		page_bits_make(&st);
	for (;;) {
		r = 1;
		if (order != NULL && st.nids > 0 && (r = page_search_order(&st,
		    order, seq, backward, limit, &rows, &nrows, &more,
		    &err)) == 1) {
			/* The order cannot say (a record gone, too much
			 * written, commits all along): the old way. */
			page_order_release(order);
			order = NULL;
			page_bits_make(&st);
		}
		/*
		 * Few matches: the walk first, as long as it is no dearer
		 * than loading them all (the matches near, or dense).
		 */
		if (r == 1 && st.matched && !st.archived && st.nids > 0)
			r = page_search_walk(&st, backward, limit,
			    st.nids < PAGE_SEARCH_CAP ? st.nids *
			    PAGE_WALK_PER_MATCH : st.nids < PAGE_LOAD_MAX ?
			    PAGE_WALK_MAX : 0, &rows, &nrows, &more, &err);
		if (r != 1)
			;
		else if (st.matched && !st.archived)
			r = page_search_small(&st, backward, limit, &rows,
			    &nrows, &more, &err);
		else
			r = page_scan(&st, backward, limit, &rows, &nrows,
			    &more, &err);
		if (r != 0) {
			r = cmd_error(ctx, "%s", err.data);
			goto out;
		}
		/*
		 * --wrap: nothing that way, so from the other end, as n and
		 * N go round (one call, one search of the word index).
		 */
		if (!page_pos_wrap(&st.at, &rows, nrows, wrap, &wrapped,
		    after != NULL || before != NULL || at != NULL))
			break;
	}

	r = page_answer(ctx, &st, rows, nrows, more, wrap, wrapped);
out:
	page_order_release(order);
	page_full_put(full);
	page_rows_free(rows, nrows);
	store_records_free(st.recs, st.n);
	buf_release(&st.at.key);
	keyset_release(&st.qtoks);
	buf_release(&err);
	free(st.ids);
	free(st.bits);
	free(st.nullbits);
	free(st.cols);
	return (r);
}

const struct cmd_entry cmd_page_entry = {
	"page", "TABLE [--sort [-]FIELD,...] [--after POS | --at POS | "
	    "--before POS | --last] [--wrap] [--search TEXT] [--where COND] "
	    "[--group KEY,... [--aggs AGG,...]] [--limit N] "
	    "[--cols FIELD,...] [--archived | --archived-only] [--nowait]",
	N_("one page of a list, for programs (the terminal interface)"),
	"sort=,after=,at=,before=,last,wrap,search=,where=,group=,aggs=,"
	    "limit=,cols=,archived,archived-only,nowait", 1, 1,
	page_exec
};
