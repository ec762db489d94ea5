/*
 * cmd-page.c: "page TABLE [--sort [-]FIELD] [--after POS | --at POS |
 * --before POS | --last] [--wrap] [--search TEXT] [--limit N]
 * [--cols F,...] [--archived]":
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
 */
#include "config.h"

#include <sys/resource.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "query/query.h"

#define PAGE_MAX	500	/* rows in one answer */
/*
 * Without the list's order in memory (struct page_order below): the
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
/*
 * --nowait waits this long for a read it starts before answering
 * "pending": a table of a few thousand rows is read by then, and its
 * list changes order at once, without the screen saying it waits.
 */
#define PAGE_NOWAIT_US	3000
#define PAGE_NULLSCAN	1000	/* the same, for the rows with no key */

struct page_pos {
	struct buf	 key;
	uint64_t	 id;
	int		 set;
};

struct page_nulls;

struct page_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	const char		*ix;		/* index field, NULL = ids */
	int			 desc;		/* the list runs backward */
	int			 archived;
	size_t			*cols;
	size_t			 ncols;

	/* One store_page() call. */
	struct page_pos		 at;
	int			 flags;
	size_t			 want;
	struct record		**recs;
	size_t			 n;
	/* The rows with no value in the sort's field (after the index). */
	int			 nullphase;
	struct page_nulls	*nulls;		/* page_nulls_read() */
	int			 required;	/* the field: none such rows */

	/* Search. */
	const char		*search;
	struct keyset		 qtoks;
	uint64_t		*ids;		/* every match, ascending */
	size_t			 nids, maxids;
	const uint64_t		*load;		/* page_load_txn's */
	size_t			 nload;
	uint64_t		*bits;		/* the same as a bit set */
	uint64_t		*nullbits;	/* those with no sort key */
	size_t			 nwords;
	uint64_t		 total;
	/* The rows are those of ids: the search's matches, a filter's
	 * (page_where_apply), or both. */
	int			 matched;
	int			 filter;
	uint64_t		 nfilter;
	/* --nowait: a read of the whole table not done yet is started by a
	 * thread and the answer says "pending" at once (page_pending). */
	int			 nowait;
};

/* A row kept for the answer with its position. */
struct page_row {
	struct record	*rec;
	struct buf	 key;
	uint64_t	 ord;		/* engine rows: the ordinal */
};

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
static int
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

static void
page_key_of(const struct page_state *st, const struct record *rec,
    struct buf *key)
{
	buf_reset(key);
	if (st->ix != NULL)
		store_page_key(rec, st->ix, key);
}

/* Order of two rows in the list: -1, 0, 1. */
static int
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

/* The count of the table, and of the matches of a search. */
static int
page_count_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_state	*st = arg;

	if (store_count(txn, st->table, &st->total, err) != 0)
		return (-1);
	if (st->search == NULL)
		return (0);
	/* Room for every record: the count is exact and the walk tests
	 * each entry of the sort index against the whole set. */
	if (st->maxids < st->total + 1) {
		free(st->ids);
		st->maxids = st->total + 1;
		st->ids = xreallocarray(NULL, st->maxids, sizeof *st->ids);
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

/* Every word of the search starts a word of the record. */
static int
page_matches(struct page_state *st, const struct record *rec)
{
	struct keyset	 rt;
	size_t		 q, k;
	int		 all = 1, found;

	keyset_init(&rt);
	index_search_keys(rec, &rt);
	for (q = 0; all && q < st->qtoks.n; q++) {
		found = 0;
		for (k = 0; !found && k < rt.n; k++)
			found = rt.len[k] >= st->qtoks.len[q] &&
			    memcmp(rt.bytes.data + rt.off[k],
			    st->qtoks.bytes.data + st->qtoks.off[q],
			    st->qtoks.len[q]) == 0;
		all = found;
	}
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
		cmd_record_title(ref, v);
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
static int
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
static void
page_test_delay(void)
{
	const char	*s = getenv("CLERK_TEST_SLOW_READ");
	long		 ms;

	if (s != NULL && (ms = strtol(s, NULL, 10)) > 0 && ms < 60000)
		usleep((useconds_t)ms * 1000);
}

/*
 * The answer of --nowait while the list's whole order or its filter's
 * matches are being read: the count, "pending" with what is read so far
 * (records of of, or matches found when of is 0), no rows.  The client
 * asks again a little later.
 */
static int
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

static void
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
static int
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
	 * every record must have (the usual sort, by name) skips it: End
	 * on a million rows was seconds.  (A field made required after
	 * records without it were written would hide those here; a forms
	 * change that adds "required" should be followed by filling it.)
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
			    !page_matches(st, rec))) {
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

/*
 * The order of a list in memory.  The matches of a search may lie far
 * from the cursor in the list's order, in a few clusters (the "Ор" of
 * 1,000,000 parties by name: 6,984 matches, the nearest 200,000 entries
 * of the index away): walking the index to them cost up to 180 ms, and
 * loading them all 25.  With every id's position in the sort index
 * known (struct page_order), each match is placed by an array lookup:
 * the rows after (or before) the cursor come from the ids alone,
 * wherever they lie and however many they are (~1 ms for 500,000).
 *
 * The order is read from the index keys only, by a thread of the server
 * started at the first call of a list in that order, in slices of
 * PAGE_ORDER_SLICE_NS, each its own read-only transaction (100-250 ns
 * an entry: 1,000,000 entries in 0.1-0.25 s); until it is whole a
 * search goes the older way (page_search_walk, page_search_small).  It
 * stays right across writes: it remembers the store's change journal
 * number at which its reading began (store_journal_seq), and the ids
 * written since (store_journal_since) are "dirty": never placed from
 * it, but loaded and placed by their keys as they are now, beside the
 * clean matches placed from it (page_search_order).  Past
 * PAGE_ORDER_DIRTY of them, or when the journal cannot say, the order
 * is read again.  One order per table and index for the whole server,
 * shared by every connection (read-only when whole; a thread using it
 * holds a reference).  Ids must fit 32 bits (4 + 4 bytes an entry, the
 * arrays grown by doubling: 8-12 MB at 1,000,000).
 */
#define PAGE_ORDER_SLICE_NS	2000000
#define PAGE_ORDER_CLOCK	1024	/* entries between looks at it */
#define PAGE_ORDER_KEEP		4	/* orders kept, least used dropped */
/*
 * Ids written since the order was read that a search still places by
 * loading them: loading one costs 3-4 µs, so 2,000 cost less than a
 * rebuild's share and far less than the walk.
 */
#define PAGE_ORDER_DIRTY	2000
#define PAGE_ORDER_TRIES	3	/* page calls redone for commits */
#define PAGE_ORDER_WALK_MIN	1024	/* matches: below, place each */

struct page_order {
	struct page_order	*next;
	struct store		*store;
	const struct table	*table;
	char			*ix;
	uint64_t		 jseq;		/* journal, when reading began */
	uint32_t		*rank;		/* by id: place + 1, or 0 */
	size_t			 nrank;
	uint32_t		*order;		/* ids by position */
	size_t			 n, cap;
	struct buf		 last;		/* read up to (last, lastid) */
	uint64_t		 lastid;
	int			 complete;
	int			 building;	/* its thread reads it */
	int			 threaded;	/* a thread to join */
	pthread_t		 thread;
	int			 stop;		/* the server is closing */
	int			 stale;		/* too much written: again */
	int			 broken;	/* an id over 32 bits */
	int			 dropped;	/* freed by its last user */
	unsigned		 refs;
	uint64_t		 used;
};

static pthread_mutex_t	 page_order_lock = PTHREAD_MUTEX_INITIALIZER;
static struct page_order *page_orders;
static uint64_t		 page_order_tick;

/*
 * The other caches of lists kept for the server, the whole orders of
 * lists no index orders (struct page_full) and filters' matches (struct
 * page_where), each begin with this: on its list under page_order_lock,
 * used by reference, the least used one nobody uses dropped past a
 * count, one dropped while in use freed by its last user.
 */
struct page_cached {
	struct page_cached	*next;
	struct store		*store;
	unsigned		 refs;
	int			 dropped;
	uint64_t		 used;
	void			(*free)(struct page_cached *);
};

static struct page_cached *page_fulls, *page_wheres, *page_groupcs;
static void		 page_full_stop(struct store *);

/* Unlink *cp; its last user frees it.  page_order_lock held. */
static void
page_cached_drop(struct page_cached **cp)
{
	struct page_cached	*c = *cp;

	*cp = c->next;
	if (c->refs > 0)
		c->dropped = 1;
	else
		c->free(c);
}

/* Taken for use; page_order_lock held. */
static void
page_cached_use(struct page_cached *c)
{
	c->refs++;
	c->used = ++page_order_tick;
}

/* c on the list and taken for use; then, past keep of them, the least
 * used ones nobody uses go.  page_order_lock held. */
static void
page_cached_add(struct page_cached **list, struct page_cached *c,
    size_t keep)
{
	struct page_cached	**cp, **lru;
	size_t			 k;

	c->next = *list;
	*list = c;
	page_cached_use(c);
	for (;;) {
		lru = NULL;
		k = 0;
		for (cp = list; *cp != NULL; cp = &(*cp)->next) {
			k++;
			if (*cp != c && (*cp)->refs == 0 && (lru == NULL ||
			    (*cp)->used < (*lru)->used))
				lru = cp;
		}
		if (k <= keep || lru == NULL)
			break;
		page_cached_drop(lru);
	}
}

static void
page_cached_put(struct page_cached *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&page_order_lock);
	if (--c->refs == 0 && c->dropped)
		c->free(c);
	pthread_mutex_unlock(&page_order_lock);
}

/* Every one of store s goes; page_order_lock held. */
static void
page_cached_stop(struct page_cached **list, struct store *s)
{
	struct page_cached	**cp;

	for (cp = list; *cp != NULL; )
		if ((*cp)->store == s)
			page_cached_drop(cp);
		else
			cp = &(*cp)->next;
}

/* page_order_lock held; the thread, if any, is done. */
static void
page_order_free(struct page_order *o)
{
	if (o->threaded)
		pthread_join(o->thread, NULL);
	free(o->ix);
	free(o->rank);
	free(o->order);
	buf_release(&o->last);
	free(o);
}

/* Start again from nothing. */
static void
page_order_reset(struct page_order *o)
{
	size_t	i;

	for (i = 0; i < o->n; i++)
		o->rank[o->order[i]] = 0;
	o->n = 0;
	buf_reset(&o->last);
	o->lastid = 0;
	o->complete = o->broken = o->stale = 0;
}

/* The order of st's list, or NULL; page_order_lock held. */
static struct page_order **
page_order_find(struct page_state *st)
{
	struct page_order	**op;

	for (op = &page_orders; *op != NULL; op = &(*op)->next)
		if ((*op)->store == st->ctx->store &&
		    (*op)->table == st->table && strcmp((*op)->ix, st->ix) == 0)
			return (op);
	return (NULL);
}

/* Unlink *op; its last user frees it.  page_order_lock held, and its
 * thread done. */
static void
page_order_drop(struct page_order **op)
{
	struct page_order	*o = *op;

	*op = o->next;
	if (o->refs > 0)
		o->dropped = 1;
	else
		page_order_free(o);
}

struct page_slice {
	struct page_order	*o;
	size_t			 n0, seen;
	uint64_t		 start;
	struct buf		 key0;
	uint64_t		 id0;
	int			 end;
};

static int
page_slice_key(const void *key, size_t len, uint64_t id, void *arg)
{
	struct page_slice	*sl = arg;
	struct page_order	*o = sl->o;
	size_t			 nr;

	if (id >= UINT32_MAX) {
		o->broken = 1;
		return (1);
	}
	if (id >= o->nrank) {
		nr = o->nrank * 2 > id + 1 ? o->nrank * 2 : id + 1024;
		o->rank = xreallocarray(o->rank, nr, sizeof *o->rank);
		memset(o->rank + o->nrank, 0, (nr - o->nrank) *
		    sizeof *o->rank);
		o->nrank = nr;
	}
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 4096;
		o->order = xreallocarray(o->order, o->cap, sizeof *o->order);
	}
	/* An id written while the order is read may come twice: it is
	 * dirty, never placed from here. */
	o->order[o->n++] = (uint32_t)id;
	o->rank[id] = (uint32_t)o->n;
	if (++sl->seen % PAGE_ORDER_CLOCK != 0 ||
	    clock_monotonic_ns() - sl->start < PAGE_ORDER_SLICE_NS)
		return (0);
	/* Where the next slice goes on from. */
	buf_reset(&o->last);
	buf_add(&o->last, key, len);
	o->lastid = id;
	return (1);
}

static int
page_slice_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_slice	*sl = arg;
	struct page_order	*o = sl->o;
	int			 r;

	/* Tried again after a deadlock: from where this slice began. */
	while (o->n > sl->n0)
		o->rank[o->order[--o->n]] = 0;
	buf_reset(&o->last);
	buf_add(&o->last, sl->key0.data, sl->key0.len);
	o->lastid = sl->id0;
	sl->seen = 0;
	sl->start = clock_monotonic_ns();
	r = store_keys(txn, o->table, o->ix, o->n > 0 ? o->last.data : NULL,
	    o->last.len, o->lastid, 0, page_slice_key, sl, err);
	if (r < 0)
		return (-1);
	sl->end = r == 0;
	return (0);
}

/*
 * A thread reading a whole table for later runs behind the calls that
 * people wait for: on two cores a read of a million records beside a
 * page of 50 made the page wait 30 ms.  A niceness of its own (Linux
 * gives each thread one) lets the calls go first.
 */
static void
page_background(void)
{
#ifdef __linux__
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
#endif
}

/*
 * The thread that reads an order, a slice a transaction, so that no
 * transaction is held long and writers wait for none.  Only it touches
 * the order's arrays until it says the order is whole.
 */
static void *
page_order_build(void *arg)
{
	struct page_order	*o = arg;
	struct page_slice	 sl;
	struct buf		 err = BUF_INIT;
	int			 r = 0, stop = 0;

	page_background();
	memset(&sl, 0, sizeof sl);
	sl.o = o;
	buf_init(&sl.key0);
	/* Before any reading: a write after it is in the journal. */
	o->jseq = store_journal_seq(o->store);
	while (!stop && !sl.end && !o->broken) {
		sl.n0 = o->n;
		buf_reset(&sl.key0);
		buf_add(&sl.key0, o->last.data, o->last.len);
		sl.id0 = o->lastid;
		if ((r = store_txn_run(o->store, STORE_TXN_READONLY,
		    page_slice_txn, &sl, &err)) != 0)
			break;
		pthread_mutex_lock(&page_order_lock);
		stop = o->stop;
		pthread_mutex_unlock(&page_order_lock);
	}
	pthread_mutex_lock(&page_order_lock);
	if (r == 0 && !stop && sl.end && !o->broken)
		o->complete = 1;
	else if (!o->broken)
		page_order_reset(o);
	o->building = 0;
	pthread_mutex_unlock(&page_order_lock);
	buf_release(&sl.key0);
	buf_release(&err);
	return (NULL);
}

/*
 * The order of st's list is read by a thread of its own unless it is
 * whole and right, or being read.  Cheap when there is nothing to do.
 */
static void
page_order_start(struct page_state *st)
{
	struct page_order	**op, *o, **lrup;
	size_t			 k;

	pthread_mutex_lock(&page_order_lock);
	o = (op = page_order_find(st)) != NULL ? *op : NULL;
	if (o != NULL && (o->building || o->stop ||
	    (!o->stale && (o->complete || o->broken)))) {
		pthread_mutex_unlock(&page_order_lock);
		return;
	}
	if (o != NULL && o->complete) {
		/* Too much written: read again, beside it while used. */
		page_order_drop(op);
		o = NULL;
	}
	if (o == NULL) {
		o = xcalloc(1, sizeof *o);
		o->store = st->ctx->store;
		o->table = st->table;
		o->ix = xstrdup(st->ix);
		buf_init(&o->last);
		o->next = page_orders;
		page_orders = o;
		/* Too many: the least used one nobody reads goes. */
		for (;;) {
			lrup = NULL;
			k = 0;
			for (op = &page_orders; *op != NULL;
			    op = &(*op)->next) {
				k++;
				if (*op != o && !(*op)->building &&
				    (lrup == NULL ||
				    (*op)->used < (*lrup)->used))
					lrup = op;
			}
			if (k <= PAGE_ORDER_KEEP || lrup == NULL)
				break;
			page_order_drop(lrup);
		}
	}
	if (o->threaded) {
		/* The last reading ended (it failed): done with. */
		pthread_join(o->thread, NULL);
		o->threaded = 0;
	}
	page_order_reset(o);
	o->used = ++page_order_tick;
	o->building = 1;
	if (pthread_create(&o->thread, NULL, page_order_build, o) == 0)
		o->threaded = 1;
	else
		o->building = 0;
	pthread_mutex_unlock(&page_order_lock);
}

/* The whole order of st's list (a reference), or NULL. */
static struct page_order *
page_order_use(struct page_state *st)
{
	struct page_order	**op, *o = NULL;

	pthread_mutex_lock(&page_order_lock);
	if ((op = page_order_find(st)) != NULL && (*op)->complete &&
	    !(*op)->broken && !(*op)->stale) {
		o = *op;
		o->refs++;
		o->used = ++page_order_tick;
	}
	pthread_mutex_unlock(&page_order_lock);
	return (o);
}

static void
page_order_release(struct page_order *o)
{
	if (o == NULL)
		return;
	pthread_mutex_lock(&page_order_lock);
	if (--o->refs == 0 && o->dropped)
		page_order_free(o);
	pthread_mutex_unlock(&page_order_lock);
}

/* Too much written since o was read: read it again, and not used. */
static void
page_order_stale(struct page_state *st, struct page_order *o)
{
	pthread_mutex_lock(&page_order_lock);
	o->stale = 1;
	pthread_mutex_unlock(&page_order_lock);
	page_order_start(st);
}

void
cmd_page_stop(struct store *s)
{
	struct page_order	**op, *o;
	pthread_t		*threads;
	size_t			 n = 0, i;

	/* Told to stop, then waited for outside the lock they take. */
	pthread_mutex_lock(&page_order_lock);
	for (o = page_orders; o != NULL; o = o->next)
		n++;
	threads = xcalloc(n ? n : 1, sizeof *threads);
	n = 0;
	for (o = page_orders; o != NULL; o = o->next)
		if (o->store == s && o->threaded) {
			o->stop = 1;
			o->threaded = 0;
			threads[n++] = o->thread;
		}
	pthread_mutex_unlock(&page_order_lock);
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_lock(&page_order_lock);
	for (op = &page_orders; *op != NULL; )
		if ((*op)->store == s)
			page_order_drop(op);
		else
			op = &(*op)->next;
	page_full_stop(s);
	page_cached_stop(&page_wheres, s);
	page_cached_stop(&page_groupcs, s);
	pthread_mutex_unlock(&page_order_lock);
}

/* id among n ascending ids (the dirty ones, or the matches)? */
static int
page_has(const uint64_t *v, size_t n, uint64_t id)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < n && v[lo] == id);
}

static int
page_u64_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * The ids of table t written by the commits after seq, ascending, each
 * once (at most max, into ids); 1 when the journal cannot say, and the
 * cache that asks is to be read again.
 */
static int
page_dirty(struct store *s, const struct table *t, uint64_t seq,
    uint64_t *ids, size_t max, size_t *n)
{
	size_t	i, j;

	if (store_journal_since(s, t, seq, ids, max, n) != 0)
		return (1);
	qsort(ids, *n, sizeof *ids, page_u64_cmp);
	for (i = j = 0; i < *n; i++)
		if (j == 0 || ids[j - 1] != ids[i])
			ids[j++] = ids[i];
	*n = j;
	return (0);
}

/* Where the position falls among the clean entries of the index. */
struct page_place {
	struct page_state	*st;
	const struct page_order	*o;
	const uint64_t		*dirty;
	size_t			 ndirty;
	size_t			 lt, le;	/* entries < and <= it */
	struct buf		 key;
};

/* The key of entry i in the index: its record's.  1 if gone. */
static int
page_entry_key(struct page_place *pl, struct store_txn *txn, size_t i,
    struct buf *err)
{
	struct record	*rec;
	int		 r;

	r = access_get(pl->st->ctx->session, txn, pl->st->table,
	    pl->o->order[i], &rec, err);
	if (r != 0)
		return (r);
	page_key_of(pl->st, rec, &pl->key);
	record_free(rec);
	return (0);
}

/* The first clean entry in [i, end), or end. */
static size_t
page_clean(const struct page_place *pl, size_t i, size_t end)
{
	while (i < end && page_has(pl->dirty, pl->ndirty,
	    pl->o->order[i]))
		i++;
	return (i);
}

/*
 * A binary search over the clean entries only: a dirty one's place in
 * the order is not its record's now, and no match is placed there.
 */
static int
page_place_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_place	*pl = arg;
	struct page_state	*st = pl->st;
	struct page_state	 asc;
	size_t			 lo = 0, hi = pl->o->n, mid, m;
	int			 r;

	/* (key, id) in the index's own (ascending) order. */
	memset(&asc, 0, sizeof asc);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((m = page_clean(pl, mid, hi)) == hi) {
			hi = mid;
			continue;
		}
		if ((r = page_entry_key(pl, txn, m, err)) != 0)
			return (r);
		if (page_cmp(&asc, pl->key.data, pl->key.len,
		    pl->o->order[m], st->at.key.data, st->at.key.len,
		    st->at.id) < 0)
			lo = m + 1;
		else
			hi = mid;
	}
	pl->lt = pl->le = lo;
	m = page_clean(pl, lo, pl->o->n);
	if (m < pl->o->n && pl->o->order[m] == st->at.id) {
		if ((r = page_entry_key(pl, txn, m, err)) != 0)
			return (r);
		if (pl->key.len == st->at.key.len && memcmp(pl->key.data,
		    st->at.key.data, pl->key.len) == 0)
			pl->le = m + 1;
	}
	return (0);
}

/*
 * The want nearest clean matches by walking the order from the cut and
 * looking each id up among the matches (ascending: a binary search; a
 * bit set of them cost more to make than the walk, ~1 ms for 500,000).
 * When matches are dense (a first letter: 400,000 of 900,000 contacts)
 * a few dozen entries do
 * instead of a look-up of every match's place (random reads over an 8
 * MB array: 5-10 ms at 1,000,000).  Returns 1 with the answer in
 * sel/nsel (places and ids), 0 when it is not worth it or the budget
 * (half as many steps as there are matches) ran out, or when the order
 * ended before the rows with no key, which it does not hold.
 */
static int
page_order_walk(struct page_state *st, const struct page_order *o,
    uint64_t cut, int backward, const uint64_t *dirty, size_t ndirty,
    uint64_t *sel, size_t want, size_t *nsel)
{
	uint64_t	n = o->n, l = cut, pos, id, steps = 0;

	*nsel = 0;
	if (st->nids < PAGE_ORDER_WALK_MIN ||
	    (uint64_t)want * (n / st->nids + 1) * 4 > st->nids)
		return (0);
	if (backward ? cut > n : cut >= n)
		return (0);
	for (;;) {
		if (backward) {
			if (l == 0)
				return (1);	/* every place below the cut */
			l--;
		} else if (l >= n)
			return (st->required);
		pos = st->desc ? n - l - 1 : l;
		id = o->order[pos];
		if (page_has(st->ids, st->nids, id) &&
		    !page_has(dirty, ndirty, id)) {
			sel[2 * *nsel] = l;
			sel[2 * *nsel + 1] = id;
			if (++*nsel == want)
				return (1);
		}
		if (!backward)
			l++;
		if (++steps > st->nids / 2)
			return (0);
	}
}

/*
 * A search placed by the order o: each clean match gets its place in
 * the list (index rows by position, those with no key after them by
 * id, either way round with the list), and the limit + 1 nearest past
 * the position in the way asked are loaded with every dirty match, and
 * the rows are the nearest of them by their keys as read
 * (page_search_ids), as page_search_walk() would find them.  seq is the
 * journal's number read before the search's matches were: a commit
 * after it may have been seen by this call's transactions, so when the
 * number has moved at the end it is all done again with the ids it
 * wrote dirty too.  1 if the order cannot say (a record gone, too much
 * written): the older way.
 */
static int
page_search_order(struct page_state *st, struct page_order *o, uint64_t seq,
    int backward, size_t limit, struct page_row **rowsp, size_t *nrows,
    int *more, struct buf *err)
{
	struct page_place	 pl;
	uint64_t		*sel, *dirty, *take, n = o->n, big = UINT32_MAX;
	uint64_t		 cut, p, l, seq2;
	size_t			 i, j, d, nsel, ndirty, ntake, want = limit + 1;
	size_t			 tries;
	uint32_t		 rk;
	int			 r = 1;

	dirty = xcalloc(PAGE_ORDER_DIRTY, sizeof *dirty);
	sel = xcalloc(want * 2, sizeof *sel);
	take = xcalloc(want + PAGE_ORDER_DIRTY, sizeof *take);
	for (tries = 0; tries < PAGE_ORDER_TRIES; tries++) {
		if (page_dirty(st->ctx->store, st->table, o->jseq, dirty,
		    PAGE_ORDER_DIRTY, &ndirty) != 0) {
			page_order_stale(st, o);
			r = 1;
			break;
		}

		/* Forward the places >= cut are taken, backward < cut. */
		if (!st->at.set)
			cut = backward ? UINT64_MAX : 0;
		else if (st->at.key.len == 0 && !st->required) {
			/* Among the rows with no key, by id. */
			p = st->at.id < big ? st->at.id : big;
			if (!st->desc)
				cut = backward ? n + p : n + p + 1;
			else
				cut = backward ? n + big - p : n + big - p + 1;
		} else {
			memset(&pl, 0, sizeof pl);
			pl.st = st;
			pl.o = o;
			pl.dirty = dirty;
			pl.ndirty = ndirty;
			buf_init(&pl.key);
			r = store_txn_run(st->ctx->store, STORE_TXN_READONLY,
			    page_place_txn, &pl, err);
			buf_release(&pl.key);
			if (r != 0)
				break;
			if (!st->desc)
				cut = backward ? pl.lt : pl.le;
			else
				cut = backward ? n - pl.le : n - pl.lt;
		}

		/* The want nearest clean ones, kept in ascending place;
		 * every dirty one (both lists ascend: a merge). */
		nsel = ntake = d = 0;
		if (page_order_walk(st, o, cut, backward, dirty, ndirty, sel,
		    want, &nsel)) {
			for (d = 0; d < ndirty; d++)
				if (page_has(st->ids, st->nids, dirty[d]))
					take[ntake++] = dirty[d];
		} else for (nsel = 0, i = 0; i < st->nids; i++) {
			while (d < ndirty && dirty[d] < st->ids[i])
				d++;
			if (d < ndirty && dirty[d] == st->ids[i]) {
				take[ntake++] = st->ids[i];
				continue;
			}
			rk = st->ids[i] < o->nrank ? o->rank[st->ids[i]] : 0;
			if (rk != 0)
				l = st->desc ? n - rk : (uint64_t)rk - 1;
			else if (st->required)
				continue;
			else
				l = st->desc ? n + big - st->ids[i] :
				    n + st->ids[i];
			if (backward ? l >= cut : l < cut)
				continue;
			if (nsel == want && (backward ? l < sel[0] :
			    l > sel[2 * (nsel - 1)]))
				continue;
			if (nsel == want && backward) {
				memmove(sel, sel + 2, (nsel - 1) * 2 *
				    sizeof *sel);
				nsel--;
			} else if (nsel == want)
				nsel--;
			for (j = nsel; j > 0 && sel[2 * (j - 1)] > l; j--) {
				sel[2 * j] = sel[2 * (j - 1)];
				sel[2 * j + 1] = sel[2 * (j - 1) + 1];
			}
			sel[2 * j] = l;
			sel[2 * j + 1] = st->ids[i];
			nsel++;
		}
		for (i = 0; i < nsel; i++)
			take[ntake++] = sel[2 * i + 1];
		qsort(take, ntake, sizeof *take, page_u64_cmp);
		if ((r = page_search_ids(st, take, ntake, backward, limit,
		    rowsp, nrows, more, err)) != 0)
			break;
		/* Nothing committed since seq: every write this call's
		 * transactions saw is among the dirty. */
		if ((seq2 = store_journal_seq(st->ctx->store)) == seq)
			break;
		seq = seq2;
		page_rows_free(*rowsp, *nrows);
		*rowsp = NULL;
		*nrows = 0;
		r = 1;
	}
	free(take);
	free(sel);
	free(dirty);
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
	st->required = f->required;
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
static int
page_blank(const char *s)
{
	return (s == NULL || s[strspn(s, " \t\r\n")] == '\0');
}

static int
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
static int
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

/*
 * Lists sorted where no index gives the order: by a field without one,
 * or by several keys ("status,-name").  The query engine sorts every
 * row for each page (2.4 s a page at 1,000,000 parties), so the server
 * keeps the list's whole order instead (struct page_full): every live
 * record's id with its sort key, read by one scan of the records'
 * bytes and sorted once (about a second at 1,000,000), then kept right
 * across writes by the store's change journal.  A page is then a
 * binary search and a walk in memory, and the 51 records it shows.
 *
 * The key of a row is all its sort keys in one string that memcmp
 * orders as the list: each part is 0x01 and the field's value: a number
 * as a byte saying its sign and length and then its significant bytes
 * (page_int_part), else the field's index key (a text's fold key, a
 * multi-valued field's least) with 0x00 escaped as 0x00 0xff and ended
 * by 0x00 0x00; its bytes inverted for a descending part.  A part with
 * no value is 0x02, after every value in either direction, as the lists
 * by an
 * index have it (the query engine puts them first when ascending).
 * Equal keys go by id, backward when the last key is descending, as
 * the engine has them.
 *
 * Writes since the order was read (the journal's ids) are applied at
 * the next page: each such id leaves the sorted array (its slot is
 * marked dead, its key stays for the binary search) and, loaded again,
 * joins a small sorted side array; past PAGE_FULL_SIDE of them the two
 * are merged.  When the journal cannot say (too much written), the
 * order is read again.  Ids must fit 32 bits, else the engine answers.
 */
#define PAGE_FULL_KEEP		4	/* orders kept, least used dropped */
#define PAGE_FULL_SIDE		256	/* written rows before a merge */
#define PAGE_FULL_DIRTY		8192	/* journal ids read at once */
#define PAGE_FULL_SLICE		100000	/* records read per transaction */
#define PAGE_FULL_PARTS		8	/* sort keys at most */

struct page_fent {
	uint64_t	 pfx;		/* its first 8 bytes, big-endian */
	uint32_t	 id;		/* 0: dead (written since) */
	uint32_t	 len;
	uint64_t	 off;		/* the key in keys */
};

struct page_full {
	struct page_cached	 c;		/* first */
	const struct table	*table;
	char			*sort;
	const struct field	*f[PAGE_FULL_PARTS];	/* NULL: the id */
	int			 desc[PAGE_FULL_PARTS];
	int			 kind[PAGE_FULL_PARTS];
	size_t			 nparts;
	int			 iddesc;	/* ties: ids descending */
	int			 ixfmt;		/* positions as its index's */

	int			 threaded;	/* read by a thread once */
	int			 stop;		/* the server is closing */
	uint64_t		 progress;	/* records read so far (atomic) */

	pthread_mutex_t		 lock;		/* all below */
	int			 ready, broken;
	uint64_t		 jseq;		/* read up to this commit */
	struct page_fent	*ent;		/* sorted by (key, id) */
	size_t			 n, cap, ndead;
	struct page_fent	*side;		/* written since, sorted */
	size_t			 nside, maxside;
	uint32_t		*rank;		/* by id: slot in ent + 1 */
	size_t			 nrank;
	struct buf		 keys;

};

/* The parts of a sort the order can take, or -1 (the engine's). */
static int
page_full_parse(struct page_full *fo, const struct table *t, const char *sort)
{
	char		*copy, *p, *name;
	ssize_t		 pos;
	int		 r = 0, desc;

	copy = p = xstrdup(sort);
	while (r == 0 && (name = strsep(&p, ",")) != NULL) {
		desc = *name == '-';
		if (desc)
			name++;
		if (fo->nparts == PAGE_FULL_PARTS) {
			r = -1;
			break;
		}
		fo->desc[fo->nparts] = desc;
		if (strcmp(name, "id") == 0) {
			fo->f[fo->nparts++] = NULL;
			continue;
		}
		/* A path through a reference ("party.city") is the
		 * engine's; a reference itself would sort by number. */
		if ((pos = table_field_pos(t, name)) < 0 ||
		    t->fields[pos].type == FT_REF) {
			r = -1;
			break;
		}
		/* The kind store_page_key() takes for an index; numbers
		 * as numbers and texts by fold key without one. */
		fo->f[fo->nparts] = &t->fields[pos];
		fo->kind[fo->nparts++] = (t->fields[pos].index & IX_FOLDED) ?
		    IX_FOLDED : (t->fields[pos].index & IX_EXACT) ? IX_EXACT :
		    (t->fields[pos].index & IX_UNIQUE) ? IX_UNIQUE :
		    FT_IS_INT(t->fields[pos].type) ? IX_EXACT : IX_FOLDED;
	}
	free(copy);
	/* Ties by id backward when the last key is descending, as the
	 * engine has them (and an index walked backward). */
	if (fo->nparts > 0)
		fo->iddesc = fo->desc[fo->nparts - 1];
	return (fo->nparts == 0 ? -1 : r);
}

/* One part of a key (see above); ks is scratch. */
static void
page_full_part(struct buf *out, const void *k, size_t len, int desc)
{
	const unsigned char	*b = k;
	unsigned char		 x = desc ? 0xff : 0;
	size_t			 i;

	buf_addch(out, 0x01);
	if (memchr(b, 0, len) == NULL) {
		/* Nothing to escape (a fold key has no 0x00). */
		i = out->len;
		buf_add(out, b, len);
		for (; x != 0 && i < out->len; i++)
			out->data[i] = (char)((unsigned char)out->data[i] ^ x);
	} else for (i = 0; i < len; i++) {
		buf_addch(out, b[i] ^ x);
		if (b[i] == 0)
			buf_addch(out, 0xff ^ x);
	}
	buf_addch(out, 0x00 ^ x);
	buf_addch(out, 0x00 ^ x);
}

/*
 * A number as a part: 0x80 + n then n bytes of it for n >= 0, 0x7f - n
 * then n bytes of 2^8n - 1 - ~v below 0 (n the bytes it needs), so the
 * bytes order as the numbers and a date takes 3 bytes, not 8.
 */
static void
page_int_part(struct buf *out, int64_t v, int desc)
{
	unsigned char	 x = desc ? 0xff : 0;
	uint64_t	 w = v >= 0 ? (uint64_t)v : ~(uint64_t)v;
	int		 n = 0, i;

	for (i = 0; i < 8 && (w >> (8 * i)) != 0; i++)
		n++;
	if (v < 0)
		w = ~w;
	buf_addch(out, 0x01);		/* a value, before none either way */
	buf_addch(out, (v >= 0 ? 0x80 + n : 0x7f - n) ^ x);
	for (i = n - 1; i >= 0; i--)
		buf_addch(out, (unsigned char)(w >> (8 * i)) ^ x);
}

/* The number of a part page_int_part() made (without its 0x01). */
static int64_t
page_int_unpart(const unsigned char *b, size_t len, int desc)
{
	unsigned char	 x = desc ? 0xff : 0;
	uint64_t	 w = 0;
	int		 h, n, i, neg;

	if (len == 0)
		return (0);
	h = b[0] ^ x;
	neg = h < 0x80;
	n = neg ? 0x7f - h : h - 0x80;
	if (n > 8 || (size_t)n + 1 > len)
		return (0);
	for (i = 0; i < n; i++)
		w = w << 8 | (unsigned char)(b[1 + i] ^ x);
	if (neg)
		w = n == 8 ? w : w | (~UINT64_C(0) << (8 * n));
	return ((int64_t)w);
}

/* The key of a record given as its encoded bytes, appended to out. */
static void
page_full_key(const struct page_full *fo, uint64_t id, const void *data,
    size_t len, struct keyset *ks, struct buf *out)
{
	struct value	 v;
	size_t		 i;

	for (i = 0; i < fo->nparts; i++) {
		keyset_reset(ks);
		if (fo->f[i] == NULL) {
			page_int_part(out, (int64_t)id, fo->desc[i]);
			continue;
		}
		if (record_decode_field(data, len, fo->f[i]->id, &v) != 1)
			v.set = 0;
		else if (v.set && FT_IS_INT(fo->f[i]->type) &&
		    !fo->f[i]->multi) {
			page_int_part(out, v.i, fo->desc[i]);
			continue;
		}
		if (v.set)
			index_value_keys(fo->f[i], &v, fo->kind[i], ks);
		if (ks->n == 0)
			buf_addch(out, 0x02);
		else
			page_full_part(out, ks->bytes.data + ks->off[0],
			    ks->len[0], fo->desc[i]);
	}
}

static int
page_fent_cmp2(const struct page_full *fo, const struct page_fent *a,
    const void *bk, size_t bl, uint64_t bid)
{
	int	c;

	c = memcmp(fo->keys.data + a->off, bk, a->len < bl ? a->len : bl);
	if (c == 0)
		c = a->len < bl ? -1 : a->len > bl;
	if (c == 0)
		c = fo->iddesc ? (a->id > bid ? -1 : a->id < bid) :
		    (a->id < bid ? -1 : a->id > bid);
	return (c < 0 ? -1 : c > 0);
}

/* qsort_r's: (key, id); the first 8 bytes of each at hand. */
static int
page_fent_cmp(const void *a, const void *b, void *arg)
{
	const struct page_full	*fo = arg;
	const struct page_fent	*x = a, *y = b;

	if (x->pfx != y->pfx)
		return (x->pfx < y->pfx ? -1 : 1);
	return (page_fent_cmp2(fo, x, fo->keys.data + y->off, y->len, y->id));
}

/* The first 8 bytes of a key as a number that orders as they do. */
static uint64_t
page_fent_pfx(const char *key, size_t len)
{
	uint64_t	p = 0;
	size_t		i;

	for (i = 0; i < 8; i++)
		p = p << 8 | (i < len ? (unsigned char)key[i] : 0);
	return (p);
}

/* Byte depth of e's key + 1, or 0 past its end (before every byte); its
 * pfx holds the 8 bytes from depth rounded down to 8 (page_full_radix). */
static unsigned
page_fent_byte(const struct page_fent *e, size_t depth)
{
	if (depth >= e->len)
		return (0);
	return ((unsigned)(e->pfx >> (56 - 8 * (depth % 8)) & 0xff) + 1);
}

/*
 * A most-significant-byte radix sort of the entries (read in id order)
 * by their keys, stable, so equal keys keep their ids ascending (turned
 * round when the last sort key descends): a million keys in a few
 * passes over the entries, over the 8 bytes each holds, where qsort_r()
 * made 20 comparisons an entry, each a memcmp() of keys spread over the
 * arena.  Past 8 bytes a run's entries take the next 8 of their keys
 * (all of them share what came before), so the arena is read once per 8
 * levels; the caller sets pfx back.  Short runs, and runs still tied
 * deep into long keys, go to qsort_r() (pfx, the same for all of a run
 * up to where it is, compares as the keys do).
 */
static void
page_full_radix(struct page_full *fo, struct page_fent *a,
    struct page_fent *tmp, size_t n, size_t depth)
{
	size_t		 cnt[257], pos[257], i, j, b;
	struct page_fent e;

	for (;;) {
		if (n < 32 || depth > 256) {
			qsort_r(a, n, sizeof *a, page_fent_cmp, fo);
			return;
		}
		if (depth % 8 == 0 && depth > 0)
			for (i = 0; i < n; i++)
				a[i].pfx = a[i].len > depth ? page_fent_pfx(
				    fo->keys.data + a[i].off + depth,
				    a[i].len - depth) : 0;
		memset(cnt, 0, sizeof cnt);
		for (i = 0; i < n; i++)
			cnt[page_fent_byte(&a[i], depth)]++;
		if (cnt[0] == n) {
			/* The same key throughout: by id. */
			for (i = 0, j = n - 1; fo->iddesc && i < j; i++, j--) {
				e = a[i];
				a[i] = a[j];
				a[j] = e;
			}
			return;
		}
		for (b = 1; b < 257 && cnt[b] != n; b++)
			;
		if (b == 257)
			break;
		depth++;		/* one byte for all: the next */
	}
	for (pos[0] = 0, b = 1; b < 257; b++)
		pos[b] = pos[b - 1] + cnt[b - 1];
	for (i = 0; i < n; i++)
		tmp[pos[page_fent_byte(&a[i], depth)]++] = a[i];
	memcpy(a, tmp, n * sizeof *a);
	for (i = 0, b = 0; b < 257; i += cnt[b], b++) {
		if (cnt[b] < 2)
			continue;
		if (b == 0) {
			for (j = 0; fo->iddesc && j < cnt[0] / 2; j++) {
				e = a[j];
				a[j] = a[cnt[0] - 1 - j];
				a[cnt[0] - 1 - j] = e;
			}
			continue;
		}
		page_full_radix(fo, a + i, tmp + i, cnt[b], depth + 1);
	}
}

struct page_full_read {
	struct page_full	*fo;
	struct keyset		 ks;
	uint64_t		 after;		/* the scan goes on from */
	size_t			 n0;		/* entries before this txn */
	int			 side;		/* into the side array */
	const uint64_t		*ids;		/* those to load again */
	size_t			 nids;
};

static int
page_full_fn(uint64_t id, const void *data, size_t len, void *arg)
{
	struct page_full_read	*rd = arg;
	struct page_full	*fo = rd->fo;
	struct page_fent	*e;
	size_t			 off = fo->keys.len;

	if (id >= UINT32_MAX) {
		fo->broken = 1;
		return (1);
	}
	if (rd->side) {
		if (fo->nside == fo->maxside) {
			fo->maxside = fo->maxside ? fo->maxside * 2 : 64;
			fo->side = xreallocarray(fo->side, fo->maxside,
			    sizeof *fo->side);
		}
		e = &fo->side[fo->nside++];
	} else {
		if (fo->n == fo->cap) {
			fo->cap = fo->cap ? fo->cap * 2 : 4096;
			fo->ent = xreallocarray(fo->ent, fo->cap,
			    sizeof *fo->ent);
		}
		e = &fo->ent[fo->n++];
	}
	page_full_key(fo, id, data, len, &rd->ks, &fo->keys);
	if (!rd->side && (fo->n & 4095) == 0)
		__atomic_store_n(&fo->progress, fo->n, __ATOMIC_RELAXED);
	e->id = (uint32_t)id;
	e->off = off;
	e->len = (uint32_t)(fo->keys.len - off);
	e->pfx = page_fent_pfx(fo->keys.data + off, e->len);
	return (0);
}

static int
page_full_scan_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_full_read	*rd = arg;
	struct page_full	*fo = rd->fo;
	uint64_t		 last = 0;
	int			 r;

	/* Tried again after a deadlock: from where the slice began. */
	fo->n = rd->n0;
	r = store_scan(txn, fo->table, rd->after, PAGE_FULL_SLICE, 0,
	    page_full_fn, rd, &last, err);
	if (r < 0)
		return (-1);
	rd->after = last;
	return (0);
}

/* Every slot's rank again, from ent. */
static void
page_full_ranks(struct page_full *fo)
{
	uint32_t	 max = 0;
	size_t		 i;

	for (i = 0; i < fo->n; i++)
		if (fo->ent[i].id > max)
			max = fo->ent[i].id;
	free(fo->rank);
	fo->nrank = (size_t)max + 1;
	fo->rank = xcalloc(fo->nrank, sizeof *fo->rank);
	for (i = 0; i < fo->n; i++)
		if (fo->ent[i].id != 0)
			fo->rank[fo->ent[i].id] = (uint32_t)(i + 1);
}

/* Read the whole order; fo->lock held. */
static int
page_full_read(struct page_full *fo, struct buf *err)
{
	struct page_full_read	 rd;
	struct page_fent	*tmp;
	size_t			 i;
	int			 r = 0;

	free(fo->ent);
	free(fo->side);
	free(fo->rank);
	fo->ent = fo->side = NULL;
	fo->rank = NULL;
	fo->n = fo->cap = fo->nrank = fo->ndead = fo->nside = 0;
	fo->maxside = 0;
	buf_reset(&fo->keys);
	fo->ready = fo->broken = 0;
	__atomic_store_n(&fo->progress, 0, __ATOMIC_RELAXED);
	memset(&rd, 0, sizeof rd);
	rd.fo = fo;
	keyset_init(&rd.ks);
	/* Before any reading: a write after it is in the journal. */
	fo->jseq = store_journal_seq(fo->c.store);
	while (rd.after != UINT64_MAX && !fo->broken) {
		if (__atomic_load_n(&fo->stop, __ATOMIC_RELAXED))
			return (1);
		rd.n0 = fo->n;
		if ((r = store_txn_run(fo->c.store, STORE_TXN_READONLY,
		    page_full_scan_txn, &rd, err)) != 0)
			break;
	}
	keyset_release(&rd.ks);
	if (r != 0 || fo->broken)
		return (r != 0 ? -1 : 1);
	tmp = xcalloc(fo->n ? fo->n : 1, sizeof *tmp);
	page_full_radix(fo, fo->ent, tmp, fo->n, 0);
	free(tmp);
	for (i = 0; i < fo->n; i++)
		fo->ent[i].pfx = page_fent_pfx(fo->keys.data + fo->ent[i].off,
		    fo->ent[i].len);
	page_full_ranks(fo);
	fo->ready = 1;
	return (0);
}

/* The side array and the live slots as one sorted array again. */
static void
page_full_merge(struct page_full *fo)
{
	struct page_fent	*m, *a, *b;
	struct buf		 keys = BUF_INIT;
	size_t			 i = 0, j = 0, k = 0, na = fo->n, nb = fo->nside;

	m = xcalloc(na - fo->ndead + nb + 1, sizeof *m);
	a = fo->ent;
	b = fo->side;
	while (i < na || j < nb) {
		if (i < na && a[i].id == 0) {
			i++;
			continue;
		}
		if (j >= nb || (i < na && page_fent_cmp(&a[i], &b[j],
		    fo) < 0))
			m[k] = a[i++];
		else
			m[k] = b[j++];
		/* The keys of the dead go with the old arena. */
		buf_add(&keys, fo->keys.data + m[k].off, m[k].len);
		m[k].off = keys.len - m[k].len;
		k++;
	}
	buf_release(&fo->keys);
	fo->keys = keys;
	free(fo->ent);
	fo->ent = m;
	fo->n = k;
	fo->cap = na - fo->ndead + nb + 1;
	fo->ndead = fo->nside = 0;
	page_full_ranks(fo);
}

static int
page_full_dirty_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_full_read	*rd = arg;
	struct page_full	*fo = rd->fo;

	fo->nside = rd->n0;
	return (store_fetch(txn, fo->table, rd->ids, rd->nids, 0,
	    page_full_fn, rd, err) < 0 ? -1 : 0);
}

/*
 * The commits since the order was read, applied (fo->lock held): 1 if
 * the journal cannot say, and the order is to be read again.
 */
static int
page_full_sync(struct page_full *fo, struct buf *err)
{
	struct page_full_read	 rd;
	uint64_t		*dirty, seq;
	size_t			 nd, i, k;
	int			 r;

	seq = store_journal_seq(fo->c.store);
	if (seq == fo->jseq)
		return (0);
	dirty = xcalloc(PAGE_FULL_DIRTY, sizeof *dirty);
	if (page_dirty(fo->c.store, fo->table, fo->jseq, dirty,
	    PAGE_FULL_DIRTY, &nd) != 0) {
		free(dirty);
		return (1);
	}
	if (nd == 0) {
		free(dirty);
		fo->jseq = seq;
		return (0);
	}
	/* Out of both arrays; loaded again into the side one. */
	for (i = 0; i < nd; i++) {
		if (dirty[i] < fo->nrank && fo->rank[dirty[i]] != 0) {
			fo->ent[fo->rank[dirty[i]] - 1].id = 0;
			fo->rank[dirty[i]] = 0;
			fo->ndead++;
		}
	}
	for (i = k = 0; i < fo->nside; i++)
		if (!page_has(dirty, nd, fo->side[i].id))
			fo->side[k++] = fo->side[i];
	fo->nside = k;
	memset(&rd, 0, sizeof rd);
	rd.fo = fo;
	rd.side = 1;
	rd.n0 = fo->nside;
	rd.ids = dirty;
	rd.nids = nd;
	keyset_init(&rd.ks);
	r = store_txn_run(fo->c.store, STORE_TXN_READONLY, page_full_dirty_txn,
	    &rd, err);
	keyset_release(&rd.ks);
	free(dirty);
	if (r != 0 || fo->broken)
		return (r != 0 ? -1 : 1);
	qsort_r(fo->side, fo->nside, sizeof *fo->side, page_fent_cmp, fo);
	fo->jseq = seq;
	if (fo->nside > PAGE_FULL_SIDE || fo->ndead > fo->n / 4)
		page_full_merge(fo);
	return (0);
}

/* Threads reading an order (each holds a reference to it), under
 * page_order_lock: the server waits for them before the store closes. */
static unsigned		 page_full_running;
static pthread_cond_t	 page_full_done = PTHREAD_COND_INITIALIZER;

static void
page_full_free(struct page_cached *c)
{
	struct page_full	*fo = (struct page_full *)c;

	free(fo->sort);
	free(fo->ent);
	free(fo->side);
	free(fo->rank);
	buf_release(&fo->keys);
	pthread_mutex_destroy(&fo->lock);
	free(fo);
}

/* Every order of the store s goes; page_order_lock held. */
static void
page_full_stop(struct store *s)
{
	struct page_cached	*c;

	/* Their reading stops before the store closes. */
	for (c = page_fulls; c != NULL; c = c->next)
		if (c->store == s)
			__atomic_store_n(&((struct page_full *)c)->stop, 1,
			    __ATOMIC_RELAXED);
	while (page_full_running > 0)
		pthread_cond_wait(&page_full_done, &page_order_lock);
	page_cached_stop(&page_fulls, s);
}

/* The thread that reads an order while its list is served another way. */
static void *
page_full_build(void *arg)
{
	struct page_full	*fo = arg;
	struct buf		 err = BUF_INIT;

	page_background();
	page_test_delay();
	pthread_mutex_lock(&fo->lock);
	if (!fo->ready && !fo->broken)
		(void)page_full_read(fo, &err);
	pthread_mutex_unlock(&fo->lock);
	buf_release(&err);
	pthread_mutex_lock(&page_order_lock);
	/* Read again by another thread should the journal lose it. */
	fo->threaded = 0;
	page_full_running--;
	pthread_cond_broadcast(&page_full_done);
	pthread_mutex_unlock(&page_order_lock);
	page_cached_put(&fo->c);
	return (NULL);
}

/* fo read by a thread of its own, unless it is whole or being read. */
static void
page_full_start(struct page_full *fo)
{
	pthread_attr_t	 attr;
	pthread_t	 thread;
	int		 ready;

	if (pthread_mutex_trylock(&fo->lock) != 0)
		return;		/* being read, or used */
	ready = fo->ready || fo->broken;
	pthread_mutex_unlock(&fo->lock);
	pthread_mutex_lock(&page_order_lock);
	if (!ready && !fo->threaded &&
	    !__atomic_load_n(&fo->stop, __ATOMIC_RELAXED)) {
		/* Detached, with a reference of its own. */
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		fo->c.refs++;
		page_full_running++;
		if (pthread_create(&thread, &attr, page_full_build, fo) == 0)
			fo->threaded = 1;
		else {
			fo->c.refs--;
			page_full_running--;
		}
		pthread_attr_destroy(&attr);
	}
	pthread_mutex_unlock(&page_order_lock);
}

/*
 * For --nowait: 1 when fo can answer at once (whole, or one the engine
 * must answer), else 0 with a thread started to read it.
 */
static int
page_full_now(struct page_full *fo)
{
	int	now = 0, started = 0, us;

	for (us = 0; us <= PAGE_NOWAIT_US; us += 250) {
		if (pthread_mutex_trylock(&fo->lock) == 0) {
			now = fo->ready || fo->broken;
			pthread_mutex_unlock(&fo->lock);
			if (now)
				break;
			if (!started) {
				page_full_start(fo);
				started = 1;
			}
		}
		/* Being read (or used a moment): a little while. */
		usleep(250);
	}
	return (now);
}

/* Whole and ready now (without waiting for it)? */
static int
page_full_ready(struct page_full *fo)
{
	int	ready;

	if (pthread_mutex_trylock(&fo->lock) != 0)
		return (0);
	ready = fo->ready;
	pthread_mutex_unlock(&fo->lock);
	return (ready);
}

/* The order of st's list by sort (a reference), or NULL when the engine
 * must sort. */
static struct page_full *
page_full_get(struct page_state *st, const char *sort, int ixfmt)
{
	struct page_cached	*c;
	struct page_full	*fo;

	pthread_mutex_lock(&page_order_lock);
	for (c = page_fulls; c != NULL; c = c->next) {
		fo = (struct page_full *)c;
		if (c->store == st->ctx->store && fo->table == st->table &&
		    strcmp(fo->sort, sort) == 0) {
			page_cached_use(c);
			pthread_mutex_unlock(&page_order_lock);
			return (fo);
		}
	}
	fo = xcalloc(1, sizeof *fo);
	if (page_full_parse(fo, st->table, sort) != 0) {
		pthread_mutex_unlock(&page_order_lock);
		free(fo);
		return (NULL);
	}
	fo->c.store = st->ctx->store;
	fo->c.free = page_full_free;
	fo->table = st->table;
	fo->sort = xstrdup(sort);
	fo->ixfmt = ixfmt && fo->nparts == 1;
	buf_init(&fo->keys);
	pthread_mutex_init(&fo->lock, NULL);
	page_cached_add(&page_fulls, &fo->c, PAGE_FULL_KEEP);
	pthread_mutex_unlock(&page_order_lock);
	return (fo);
}

static void
page_full_put(struct page_full *fo)
{
	if (fo != NULL)
		page_cached_put(&fo->c);
}

/* Index of the first entry of a (sorted) after the position (strict)
 * or at or after it. */
static size_t
page_full_bound(const struct page_full *fo, const struct page_fent *a,
    size_t n, const struct page_pos *at, int strict)
{
	size_t	lo = 0, hi = n, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = page_fent_cmp2(fo, &a[mid], at->key.data, at->key.len,
		    at->id);
		if (c < 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static int
page_full_match(const struct page_state *st, uint32_t id)
{
	return (id != 0 && (!st->matched || page_has(st->ids, st->nids, id)));
}

/*
 * Up to want entries of a (sorted, n) nearest past its cut: forward
 * from cut on, backward from cut - 1 down; into c.  With a budget of
 * steps (0: none), 1 when it ran out.
 */
static int
page_full_walk(const struct page_state *st, const struct page_fent *a,
    size_t n, size_t cut, int backward, size_t want, size_t budget,
    struct page_fent *c, size_t *nc)
{
	size_t	i = cut, steps = 0;

	while (*nc < want) {
		if (backward ? i == 0 : i >= n)
			return (0);
		if (backward)
			i--;
		if (page_full_match(st, a[i].id))
			c[(*nc)++] = a[i];
		if (!backward)
			i++;
		if (budget != 0 && ++steps > budget)
			return (1);
	}
	return (0);
}

/*
 * The same for a search with matches few among the rows: each match's
 * slot from its rank, the want nearest past the cut kept in order.
 */
static void
page_full_place(const struct page_state *st, const struct page_full *fo,
    size_t cut, int backward, size_t want, struct page_fent *c, size_t *nc)
{
	uint32_t	*sel, slot, rk;
	size_t		 i, j, nsel = 0;

	sel = xcalloc(want, sizeof *sel);
	for (i = 0; i < st->nids; i++) {
		if (st->ids[i] >= fo->nrank ||
		    (rk = fo->rank[st->ids[i]]) == 0)
			continue;
		slot = rk - 1;
		if (backward ? slot >= cut : slot < cut)
			continue;
		/* Forward the want lowest slots, backward the highest. */
		if (nsel == want && (backward ? slot < sel[0] :
		    slot > sel[nsel - 1]))
			continue;
		if (nsel == want && backward) {
			memmove(sel, sel + 1, (nsel - 1) * sizeof *sel);
			nsel--;
		} else if (nsel == want)
			nsel--;
		for (j = nsel; j > 0 && sel[j - 1] > slot; j--)
			sel[j] = sel[j - 1];
		sel[j] = slot;
		nsel++;
	}
	for (i = 0; i < nsel; i++)
		c[(*nc)++] = fo->ent[sel[i]];
	free(sel);
}

/*
 * A list by one indexed field has its positions as the index has them
 * (the field's key, empty for none), so that a page of the order and
 * one of the index follow each other: the key as the order has it.
 */
static void
page_full_from_ix(const struct page_full *fo, struct buf *key)
{
	struct buf	 k = BUF_INIT;

	if (key->len == 0)
		buf_addch(&k, 0x02);
	else if (fo->f[0] != NULL && FT_IS_INT(fo->f[0]->type) &&
	    !fo->f[0]->multi && key->len == 8)
		page_int_part(&k, index_int_unkey(key->data), fo->desc[0]);
	else
		page_full_part(&k, key->data, key->len, fo->desc[0]);
	buf_reset(key);
	buf_add(key, k.data, k.len);
	buf_release(&k);
}

/* And back: the index's key of an order's, appended to out. */
static void
page_full_to_ix(const struct page_full *fo, const char *key, size_t len,
    struct buf *out)
{
	const unsigned char	*b = (const unsigned char *)key;
	unsigned char		 x = fo->desc[0] ? 0xff : 0, c;
	size_t			 i;

	if (len == 0 || b[0] != 0x01)
		return;		/* 0x02: no value */
	if (fo->f[0] != NULL && FT_IS_INT(fo->f[0]->type) &&
	    !fo->f[0]->multi) {
		index_int_key(out, page_int_unpart(b + 1, len - 1,
		    fo->desc[0]));
		return;
	}
	for (i = 1; i < len; i++) {
		c = b[i] ^ x;
		if (c == 0 && i + 1 < len && (b[i + 1] ^ x) == 0xff) {
			buf_addch(out, 0);
			i++;
		} else if (c == 0)
			break;
		else
			buf_addch(out, c);
	}
}

struct page_full_load {
	struct page_state	*st;
	struct page_row		*rows;
	size_t			 n;
};

static int
page_full_load_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_full_load	*ld = arg;
	struct page_row		*pr;
	size_t			 i;
	int			 r;

	for (i = 0; i < ld->n; i++) {
		pr = &ld->rows[i];
		record_free(pr->rec);
		pr->rec = NULL;
		r = access_get(ld->st->ctx->session, txn, ld->st->table,
		    pr->ord, &pr->rec, err);
		if (r == -1)
			return (-1);
	}
	return (0);
}

/*
 * One page of st's list from the order fo: the limit rows nearest past
 * the position at in the way asked.  Returns 0, -1, or 1 when the
 * order cannot answer (the engine then does).
 */
static int
page_full_rows(struct page_state *st, struct page_full *fo,
    const struct page_pos *at, int backward, size_t limit,
    struct page_row **rowsp, size_t *nrows, int *more, struct buf *err)
{
	struct page_full_load	 ld;
	struct page_fent	*c;
	struct page_row		*rows;
	size_t			 want = limit + 1, nc = 0, ns, ca, cb, first;
	size_t			 i, k;
	int			 r;

	*rowsp = NULL;
	*nrows = 0;
	*more = 0;
	pthread_mutex_lock(&fo->lock);
	r = 0;
	if (fo->ready && (r = page_full_sync(fo, err)) == 1)
		fo->ready = 0;
	if (r != -1 && !fo->ready && !fo->broken)
		r = page_full_read(fo, err);
	if (r != 0 || fo->broken) {
		pthread_mutex_unlock(&fo->lock);
		return (r == -1 ? -1 : 1);
	}
	if (!at->set) {
		ca = backward ? fo->n : 0;
		cb = backward ? fo->nside : 0;
	} else {
		ca = page_full_bound(fo, fo->ent, fo->n, at, !backward);
		cb = page_full_bound(fo, fo->side, fo->nside, at, !backward);
	}
	c = xcalloc(2 * want, sizeof *c);
	/*
	 * Matches many among the rows: the walk meets one every few
	 * entries; few: each is placed by its rank.
	 */
	if (!st->matched || st->nids * 64 >= fo->n) {
		if (page_full_walk(st, fo->ent, fo->n, ca, backward, want,
		    !st->matched ? 0 : 4 * want * 64 + 10000, c,
		    &nc) == 1) {
			nc = 0;
			page_full_place(st, fo, ca, backward, want, c, &nc);
		}
	} else
		page_full_place(st, fo, ca, backward, want, c, &nc);
	/* The side's want nearest too, after the others in c. */
	ns = 0;
	(void)page_full_walk(st, fo->side, fo->nside, cb, backward, want, 0,
	    c + nc, &ns);
	nc += ns;
	qsort_r(c, nc, sizeof *c, page_fent_cmp, fo);
	/* The want nearest: forward the first, backward the last. */
	first = backward && nc > want ? nc - want : 0;
	if (nc > want)
		nc = want;
	rows = xcalloc(want, sizeof *rows);
	for (i = 0; i < nc; i++) {
		buf_init(&rows[i].key);
		if (fo->ixfmt)
			page_full_to_ix(fo, fo->keys.data + c[first + i].off,
			    c[first + i].len, &rows[i].key);
		else
			buf_add(&rows[i].key, fo->keys.data +
			    c[first + i].off, c[first + i].len);
		rows[i].ord = c[first + i].id;
	}
	pthread_mutex_unlock(&fo->lock);
	free(c);

	*more = nc == want;
	if (*more) {
		/* The farthest says more follow; it is not shown. */
		if (backward) {
			buf_release(&rows[0].key);
			memmove(rows, rows + 1, (nc - 1) * sizeof *rows);
		} else
			buf_release(&rows[nc - 1].key);
		nc--;
	}
	memset(&ld, 0, sizeof ld);
	ld.st = st;
	ld.rows = rows;
	ld.n = nc;
	if (store_txn_run(st->ctx->store, STORE_TXN_READONLY,
	    page_full_load_txn, &ld, err) != 0) {
		for (i = 0; i < nc; i++) {
			record_free(rows[i].rec);
			buf_release(&rows[i].key);
		}
		free(rows);
		return (-1);
	}
	/* One written away since (purged): not shown. */
	for (i = k = 0; i < nc; i++) {
		if (rows[i].rec == NULL) {
			buf_release(&rows[i].key);
			continue;
		}
		rows[k] = rows[i];
		rows[k++].ord = 0;
	}
	*rowsp = rows;
	*nrows = k;
	return (0);
}

/* A position of an earlier page: "HEX.ID", or an engine's "q12" as the
 * entry at that ordinal. */
static int
page_full_pos(struct cmd_ctx *ctx, struct page_full *fo, const char *opt,
    const char *s, struct page_pos *at)
{
	struct page_fent	 e;
	uint64_t		 ord;
	int			 r;

	if (s[0] != 'q')
		return (page_pos_parse(ctx, opt, s, at));
	if ((r = page_ord_parse(ctx, opt, s, &ord)) != CMD_OK)
		return (r);
	pthread_mutex_lock(&fo->lock);
	if (fo->n > 0) {
		e = fo->ent[ord < fo->n ? ord : fo->n - 1];
		buf_reset(&at->key);
		buf_add(&at->key, fo->keys.data + e.off, e.len);
		at->id = e.id;
		at->set = 1;
	}
	pthread_mutex_unlock(&fo->lock);
	return (CMD_OK);
}

/*
 * A list sorted where no index orders it, or by an index with the rows
 * of no key: from its order in memory (above).  The list of an index
 * has its position in st->at already (the index's); any other reads it
 * here.  1 when the order cannot be (the engine or the index then).
 */
static int
page_full_exec(struct cmd_ctx *ctx, struct page_state *st, const char *sort,
    size_t limit)
{
	struct page_full	*fo;
	struct page_row		*rows = NULL;
	struct page_pos		 pos;
	struct buf		 err = BUF_INIT;
	const char		*after, *before, *at;
	size_t			 nrows = 0;
	int			 r, more = 0, backward, wrap, wrapped = 0;

	if ((fo = page_full_get(st, sort, st->ix != NULL)) == NULL)
		return (1);
	memset(&pos, 0, sizeof pos);
	buf_init(&pos.key);
	if (st->nowait && !page_full_now(fo)) {
		r = page_pending(ctx, st, __atomic_load_n(&fo->progress,
		    __ATOMIC_RELAXED), st->total);
		goto out;
	}
	after = cmd_opt(ctx, "after");
	before = cmd_opt(ctx, "before");
	at = cmd_opt(ctx, "at");
	wrap = cmd_opt(ctx, "wrap") != NULL;
	if (fo->ixfmt) {
		/* As page_exec() read it, "at" made "after" too. */
		pos.set = st->at.set;
		pos.id = st->at.id;
		buf_add(&pos.key, st->at.key.data, st->at.key.len);
		if (pos.set)
			page_full_from_ix(fo, &pos.key);
	} else {
		if ((after != NULL && (r = page_full_pos(ctx, fo, "after",
		    after, &pos)) != CMD_OK) || (before != NULL &&
		    (r = page_full_pos(ctx, fo, "before", before, &pos)) !=
		    CMD_OK) || (at != NULL && (r = page_full_pos(ctx, fo, "at",
		    at, &pos)) != CMD_OK))
			goto out;
		/* At a row is after the one just before it. */
		if (at != NULL && fo->iddesc)
			pos.id++;
		else if (at != NULL && pos.id > 0)
			pos.id--;
	}
	backward = before != NULL || cmd_opt(ctx, "last") != NULL;
	for (;;) {
		if ((r = page_full_rows(st, fo, &pos, backward, limit, &rows,
		    &nrows, &more, &err)) != 0) {
			if (r == -1)
				r = cmd_error(ctx, "%s", err.data);
			goto out;
		}
		if (nrows > 0 || !wrap || wrapped || (after == NULL &&
		    before == NULL && at == NULL))
			break;
		free(rows);
		rows = NULL;
		wrapped = 1;
		pos.set = 0;
		buf_reset(&pos.key);
		pos.id = 0;
	}
	r = page_answer(ctx, st, rows, nrows, more, wrap, wrapped);
out:
	page_rows_free(rows, nrows);
	page_full_put(fo);
	buf_release(&pos.key);
	buf_release(&err);
	return (r);
}

/*
 * Filtered lists.  The engine answered every page of a list with a
 * filter by running the query from the start: 2.5 s for the first page
 * of the parties with status = active at 1,000,000 (their count), 4 s
 * for End, a second for a page 200,000 rows in.  The server now keeps
 * the filter's matches (struct page_where: the ids, ascending) for the
 * operator, read once by the engine and kept right across writes by the
 * change journal (a written record is tested again with query_match()),
 * and the list's rows come as a search's do: its matches placed by the
 * list's order in memory (page_order, page_full).  A filter through a
 * reference ("party.city = ...") is read again after a write to any
 * other table, one that names today or a month when the day changes.
 */
#define PAGE_WHERE_KEEP		4

struct page_where {
	struct page_cached	 c;		/* first */
	const struct table	*table;
	char			*where;
	char			*login;
	struct query		*q;		/* "TABLE where (COND) cols id" */
	int			 paths;		/* reads other tables */
	int			 timed;		/* names today or a month */

	int			 threaded;	/* a thread is reading it */
	uint64_t		 progress;	/* matches so far (atomic) */

	pthread_mutex_t		 lock;		/* all below */
	int			 ready;
	struct buf		 failed;	/* the thread's read's error */
	uint64_t		 jseq;
	int32_t			 day;
	uint64_t		*ids;
	size_t			 n, cap;
	uint64_t		*bits;		/* the same as a bit set */
	size_t			 nbits;		/* words */
};

/* The bit set of w's ids, for a search's matches to be tested against
 * (a merge of two long lists cost 5-8 ms a letter at 1,000,000). */
static void
page_where_bits(struct page_where *w)
{
	size_t	i;

	free(w->bits);
	w->nbits = w->n > 0 ? w->ids[w->n - 1] / 64 + 1 : 1;
	w->bits = xcalloc(w->nbits, sizeof *w->bits);
	for (i = 0; i < w->n; i++)
		w->bits[w->ids[i] / 64] |= UINT64_C(1) << (w->ids[i] % 64);
}

static void
page_where_free(struct page_cached *c)
{
	struct page_where	*w = (struct page_where *)c;

	free(w->where);
	free(w->login);
	query_free(w->q);
	free(w->ids);
	free(w->bits);
	buf_release(&w->failed);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* The matches of where for the session's operator (a reference), or
 * NULL with the query's message given. */
static struct page_where *
page_where_get(struct page_state *st, const char *where)
{
	struct cmd_ctx		*ctx = st->ctx;
	struct page_cached	*c;
	struct page_where	*w;
	struct query		*q;
	const char		*login = access_user(ctx->session);

	if (login == NULL)
		login = "";
	pthread_mutex_lock(&page_order_lock);
	for (c = page_wheres; c != NULL; c = c->next) {
		w = (struct page_where *)c;
		if (c->store == ctx->store && w->table == st->table &&
		    strcmp(w->where, where) == 0 &&
		    strcmp(w->login, login) == 0) {
			page_cached_use(c);
			pthread_mutex_unlock(&page_order_lock);
			return (w);
		}
	}
	pthread_mutex_unlock(&page_order_lock);

	if (page_query(ctx, st->table, where, NULL, "cols id", &q) != 0)
		return (NULL);
	w = xcalloc(1, sizeof *w);
	w->c.store = ctx->store;
	w->c.free = page_where_free;
	w->table = st->table;
	w->where = xstrdup(where);
	w->login = xstrdup(login);
	buf_init(&w->failed);
	w->q = q;
	w->paths = strchr(where, '.') != NULL;
	w->timed = strcasestr(where, "today") != NULL ||
	    strcasestr(where, "month") != NULL ||
	    strcasestr(where, "week") != NULL ||
	    strcasestr(where, "year") != NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_lock(&page_order_lock);
	page_cached_add(&page_wheres, &w->c, PAGE_WHERE_KEEP);
	pthread_mutex_unlock(&page_order_lock);
	return (w);
}

static void
page_where_put(struct page_where *w)
{
	if (w != NULL)
		page_cached_put(&w->c);
}

static int
page_where_row(const struct query_row *row, void *arg, struct buf *err)
{
	struct page_where	*w = arg;

	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		w->ids = xreallocarray(w->ids, w->cap, sizeof *w->ids);
	}
	w->ids[w->n++] = row->id;
	if ((w->n & 4095) == 0)
		__atomic_store_n(&w->progress, w->n, __ATOMIC_RELAXED);
	return (0);
}

/* Every match again, by the engine for the operator of sess; w->lock
 * held. */
static int
page_where_read(struct session *sess, struct page_where *w, struct buf *err)
{
	int	more;

	w->ready = 0;
	w->n = 0;
	w->jseq = store_journal_seq(w->c.store);
	w->day = clock_today();
	if (query_each(sess, w->q, NULL, SIZE_MAX,
	    page_where_row, w, err, &more, NULL) != 0)
		return (-1);
	qsort(w->ids, w->n, sizeof *w->ids, page_u64_cmp);
	page_where_bits(w);
	w->ready = 1;
	return (0);
}

struct page_where_dirty {
	struct page_state	*st;
	struct page_where	*w;
	const uint64_t		*ids;
	size_t			 n;
	uint64_t		*add;		/* those that match now */
	size_t			 nadd;
};

static int
page_where_dirty_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_where_dirty	*d = arg;
	struct record		*rec;
	size_t			 i;
	int			 r;

	d->nadd = 0;
	for (i = 0; i < d->n; i++) {
		rec = NULL;
		r = access_get(d->st->ctx->session, txn, d->w->table, d->ids[i],
		    &rec, err);
		if (r == -1)
			return (-1);
		if (r == 0 && !(rec->flags & REC_ARCHIVED) &&
		    (r = query_match(d->st->ctx->session, txn, d->w->q, rec,
		    err)) != 0) {
			if (r == -1) {
				record_free(rec);
				return (-1);
			}
			d->add[d->nadd++] = d->ids[i];
		}
		record_free(rec);
	}
	return (0);
}

/* The commits since w was read applied; 1 when it is to be read again.
 * w->lock held. */
static int
page_where_sync(struct page_state *st, struct page_where *w, struct buf *err)
{
	struct page_where_dirty	 d;
	uint64_t		*dirty, *m, seq;
	size_t			 nd, i, j, k, t, nx;
	int			 r = 0;

	if (w->timed && w->day != clock_today())
		return (1);
	seq = store_journal_seq(w->c.store);
	if (seq == w->jseq)
		return (0);
	dirty = xcalloc(PAGE_FULL_DIRTY, sizeof *dirty);
	/* A write to another table may change a path's value. */
	for (t = 0; w->paths && t < st->ctx->schema->ntables; t++)
		if (st->ctx->schema->tables[t] != w->table &&
		    (store_journal_since(w->c.store,
		    st->ctx->schema->tables[t], w->jseq, dirty,
		    PAGE_FULL_DIRTY, &nx) != 0 || nx > 0)) {
			free(dirty);
			return (1);
		}
	if (page_dirty(w->c.store, w->table, w->jseq, dirty, PAGE_FULL_DIRTY,
	    &nd) != 0) {
		free(dirty);
		return (1);
	}
	memset(&d, 0, sizeof d);
	d.st = st;
	d.w = w;
	d.ids = dirty;
	d.n = nd;
	d.add = xcalloc(nd ? nd : 1, sizeof *d.add);
	if (nd > 0 && (r = store_txn_run(w->c.store, STORE_TXN_READONLY,
	    page_where_dirty_txn, &d, err)) != 0) {
		free(d.add);
		free(dirty);
		return (-1);
	}
	/* (ids without the dirty) with those that match now, ascending. */
	m = xreallocarray(NULL, w->n + d.nadd + 1, sizeof *m);
	for (i = j = k = 0; i < w->n || j < d.nadd; ) {
		if (i < w->n && page_has(dirty, nd, w->ids[i])) {
			i++;
			continue;
		}
		if (j >= d.nadd || (i < w->n && w->ids[i] < d.add[j]))
			m[k++] = w->ids[i++];
		else
			m[k++] = d.add[j++];
	}
	free(w->ids);
	w->ids = m;
	w->n = k;
	w->cap = w->n + d.nadd + 1;
	w->jseq = seq;
	page_where_bits(w);
	free(d.add);
	free(dirty);
	return (0);
}

/* The thread that reads a filter's matches for --nowait, with a
 * session of its own for the operator (the connection may be gone by
 * the time it is done). */
static void *
page_where_build(void *arg)
{
	struct page_where	*w = arg;
	struct session		*sess = NULL;
	struct buf		 err = BUF_INIT;

	page_background();
	page_test_delay();
	pthread_mutex_lock(&w->lock);
	if (!w->ready && w->failed.len == 0 &&
	    (access_session_open(w->c.store, w->login, &sess, &err) != 0 ||
	    page_where_read(sess, w, &err) != 0)) {
		buf_reset(&w->failed);
		buf_adds(&w->failed, err.data != NULL && *err.data != '\0' ?
		    err.data : "filter failed");
	}
	pthread_mutex_unlock(&w->lock);
	if (sess != NULL)
		access_session_free(sess);
	buf_release(&err);
	pthread_mutex_lock(&page_order_lock);
	w->threaded = 0;
	page_full_running--;
	pthread_cond_broadcast(&page_full_done);
	pthread_mutex_unlock(&page_order_lock);
	page_cached_put(&w->c);
	return (NULL);
}

/* w read by a thread unless one is at it: 0, or -1 when none could be
 * started (the caller reads it then). */
static int
page_where_start(struct page_where *w)
{
	pthread_attr_t	 attr;
	pthread_t	 thread;
	int		 r = 0;

	if (*w->login == '\0')
		return (-1);
	pthread_mutex_lock(&page_order_lock);
	if (!w->threaded) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		w->c.refs++;
		page_full_running++;
		if (pthread_create(&thread, &attr, page_where_build, w) == 0)
			w->threaded = 1;
		else {
			w->c.refs--;
			page_full_running--;
			r = -1;
		}
		pthread_attr_destroy(&attr);
	}
	pthread_mutex_unlock(&page_order_lock);
	return (r);
}

/* Read within PAGE_NOWAIT_US (a small table's)? */
static int
page_where_soon(struct page_where *w)
{
	int	us, done;

	for (us = 0; us < PAGE_NOWAIT_US; us += 250) {
		usleep(250);
		if (pthread_mutex_trylock(&w->lock) == 0) {
			done = w->ready || w->failed.len > 0;
			pthread_mutex_unlock(&w->lock);
			if (done)
				return (1);
		}
	}
	return (0);
}

/*
 * The list's rows restricted to the filter's matches: st->ids becomes
 * them (with a search, those among its matches), st->filter is set and
 * st->nfilter is their count.  -1 with the message given.  With
 * st->nowait, matches not read yet are read by a thread and 1 comes
 * back at once with *progress the matches found so far.
 */
static int
page_where_apply(struct page_state *st, const char *where,
    uint64_t *progress)
{
	struct page_where	*w;
	struct buf		 err = BUF_INIT;
	size_t			 i, j, k;
	int			 r;

	if ((w = page_where_get(st, where)) == NULL)
		return (-1);
	if (st->nowait) {
		/* Being read by a thread (or used: a moment). */
		if (pthread_mutex_trylock(&w->lock) != 0) {
			*progress = __atomic_load_n(&w->progress,
			    __ATOMIC_RELAXED);
			page_where_put(w);
			return (1);
		}
		if (w->failed.len > 0) {
			/* Said once; the next call tries again. */
			cmd_error(st->ctx, "%s", w->failed.data);
			buf_reset(&w->failed);
			pthread_mutex_unlock(&w->lock);
			page_where_put(w);
			return (-1);
		}
		if (!w->ready) {
			pthread_mutex_unlock(&w->lock);
			if (page_where_start(w) == 0 && !page_where_soon(w)) {
				*progress = 0;
				page_where_put(w);
				return (1);
			}
		} else
			pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_lock(&w->lock);
	buf_reset(&w->failed);
	r = 0;
	if (w->ready && (r = page_where_sync(st, w, &err)) == 1)
		w->ready = 0;
	if (r != -1 && !w->ready)
		r = page_where_read(st->ctx->session, w, &err);
	if (r != 0) {
		pthread_mutex_unlock(&w->lock);
		page_where_put(w);
		cmd_error(st->ctx, "%s", err.data);
		buf_release(&err);
		return (-1);
	}
	st->filter = st->matched = 1;
	st->nfilter = w->n;
	if (st->search != NULL) {
		/* The search's matches that pass, still ascending. */
		for (i = k = 0; i < st->nids; i++) {
			j = st->ids[i] / 64;
			if (j < w->nbits && (w->bits[j] >> (st->ids[i] % 64) &
			    1))
				st->ids[k++] = st->ids[i];
		}
		st->nids = k;
	} else {
		free(st->ids);
		st->maxids = w->n + 1;
		st->ids = xreallocarray(NULL, st->maxids, sizeof *st->ids);
		memcpy(st->ids, w->ids, w->n * sizeof *st->ids);
		st->nids = w->n;
	}
	pthread_mutex_unlock(&w->lock);
	page_where_put(w);
	buf_release(&err);
	return (0);
}

/* One value of a group row: as written in a query, and for people. */
static void
page_group_value(struct cmd_ctx *ctx, const struct query *q, size_t c,
    const struct value *v, struct buf *out)
{
	struct buf	t = BUF_INIT;

	query_value_text(q, c, v, 1, ctx->lang, &t);
	cmd_machine_field(out, t.data, t.len);
	buf_reset(&t);
	query_value_text(q, c, v, 0, ctx->lang, &t);
	cmd_machine_field(out, t.data, t.len);
	buf_release(&t);
}

struct page_grp {
	struct cmd_ctx		*ctx;
	const struct query	*q;
	struct buf		*out;
};

static int
page_group_row(const struct query_row *row, void *arg, struct buf *err)
{
	struct page_grp	*g = arg;
	size_t		 c;

	(void)err;
	buf_printf(g->out, "group\t%d", row->level);
	for (c = 0; c < query_ncols(g->q); c++)
		page_group_value(g->ctx, g->q, c, &row->vals[c], g->out);
	buf_addch(g->out, '\n');
	return (0);
}

/*
 * Groups: "page TABLE --group KEY,... [--aggs AGG,...] [--where COND]
 * [--search TEXT] [--sort KEY,...] [--limit N]".  Each group row gives
 * its level and every column twice, as a query writes it (for a
 * condition) and for people.
 */
static int
page_groups(struct cmd_ctx *ctx, struct page_state *st, const char *sort,
    size_t limit, struct buf *out)
{
	struct page_grp	 g;
	struct query	*q = NULL, *cq = NULL;
	struct query_rows cr;
	struct buf	 tail = BUF_INIT, err = BUF_INIT;
	const char	*aggs = cmd_opt(ctx, "aggs");
	size_t		 c;
	int		 r = CMD_FAILED, more = 0;

	query_rows_init(&cr);
	buf_printf(&tail, "group %s %s", cmd_opt(ctx, "group"),
	    page_blank(aggs) ? "count()" : aggs);
	if (sort != NULL)
		buf_printf(&tail, " sort %s", sort);
	if (page_query(ctx, st->table, cmd_opt(ctx, "where"), st->search,
	    tail.data, &q) != 0)
		goto out;
	if (!query_is_group(q)) {
		cmd_usage(ctx, _("bad --group '%s': give the fields to group "
		    "by"), cmd_opt(ctx, "group"));
		r = CMD_USAGE;
		goto out;
	}
	/* The records in every group together, for shares. */
	if (page_query(ctx, st->table, cmd_opt(ctx, "where"), st->search,
	    "group count()", &cq) != 0 ||
	    query_run(ctx->session, cq, NULL, 1, &cr, &err) != 0)
		goto fail;
	buf_printf(out, "total\t%llu\n", (unsigned long long)st->total);
	buf_printf(out, "filtered\t%llu\n", cr.n > 0 && cr.rows[0].vals[0].set ?
	    (unsigned long long)cr.rows[0].vals[0].i : 0ULL);
	buf_adds(out, "cols");
	for (c = 0; c < query_ncols(q); c++)
		cmd_machine_str(out, query_col(q, c)->name);
	buf_addch(out, '\n');
	buf_adds(out, "labels");
	for (c = 0; c < query_ncols(q); c++)
		cmd_machine_str(out, query_col(q, c)->label[ctx->lang ? 1 : 0]);
	buf_addch(out, '\n');
	g.ctx = ctx;
	g.q = q;
	g.out = out;
	if (query_each(ctx->session, q, NULL, limit, page_group_row, &g, &err,
	    &more, NULL) != 0)
		goto fail;
	buf_printf(out, "more\t%d\n", more);
	r = CMD_OK;
	goto out;
fail:
	buf_reset(out);
	cmd_error(ctx, "%s", err.data);
out:
	query_rows_release(&cr);
	query_free(q);
	query_free(cq);
	buf_release(&tail);
	buf_release(&err);
	return (r);
}

/*
 * Groups for --nowait (the frequency table and the group view of the
 * terminal): at a million records the engine takes 0.3-2 s for them, so
 * a thread computes the answer, kept here until asked for (the last
 * PAGE_GROUP_KEEP, each for its operator and language).  A kept answer
 * is given again while nothing was written since (by the journal) on
 * the same day; one computed while writes went on is given once, so an
 * office that never stops writing still sees its groups, and asked
 * again it is computed again.
 */
#define PAGE_GROUP_KEEP		4

struct page_group {
	struct page_cached	 c;		/* first */
	char			*key;		/* all below, for the match */
	const struct schema	*schema;
	const struct table	*table;
	char			*login;
	int			 lang;
	char			*group, *aggs, *where, *search, *sort;
	size_t			 limit;
	uint64_t		 total;
	int			 threaded;

	pthread_mutex_t		 lock;		/* all below */
	int			 ready, served, status;
	struct buf		 answer, error, usage;
	uint64_t		 jseq;
	int32_t			 day;
};

static void
page_group_free(struct page_cached *c)
{
	struct page_group	*g = (struct page_group *)c;

	free(g->key);
	free(g->login);
	free(g->group);
	free(g->aggs);
	free(g->where);
	free(g->search);
	free(g->sort);
	buf_release(&g->answer);
	buf_release(&g->error);
	buf_release(&g->usage);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static char *
page_dup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

static void *
page_group_build(void *arg)
{
	struct page_group	*g = arg;
	struct session		*sess = NULL;
	struct cmd_ctx		 c;
	struct page_state	 st;
	uint64_t		 jseq;
	int32_t			 day;
	int			 r;

	page_background();
	page_test_delay();
	cmd_ctx_init(&c);
	c.store = g->c.store;
	c.schema = g->schema;
	c.lang = g->lang;
	c.optname[c.nopts] = "group";
	c.optval[c.nopts++] = g->group;
	if (g->aggs != NULL) {
		c.optname[c.nopts] = "aggs";
		c.optval[c.nopts++] = g->aggs;
	}
	if (g->where != NULL) {
		c.optname[c.nopts] = "where";
		c.optval[c.nopts++] = g->where;
	}
	memset(&st, 0, sizeof st);
	st.ctx = &c;
	st.table = g->table;
	st.total = g->total;
	st.search = g->search;
	jseq = store_journal_seq(g->c.store);
	day = clock_today();
	if (access_session_open(g->c.store, g->login, &sess, &c.error) != 0)
		r = CMD_FAILED;
	else {
		c.session = sess;
		r = page_groups(&c, &st, g->sort, g->limit, &c.out);
	}
	pthread_mutex_lock(&g->lock);
	g->status = r;
	buf_reset(&g->answer);
	buf_reset(&g->error);
	buf_reset(&g->usage);
	buf_add(&g->answer, c.out.data, c.out.len);
	buf_add(&g->error, c.error.data, c.error.len);
	buf_add(&g->usage, c.usage.data, c.usage.len);
	g->jseq = jseq;
	g->day = day;
	g->ready = 1;
	g->served = 0;
	pthread_mutex_unlock(&g->lock);
	cmd_ctx_release(&c);
	if (sess != NULL)
		access_session_free(sess);
	pthread_mutex_lock(&page_order_lock);
	g->threaded = 0;
	page_full_running--;
	pthread_cond_broadcast(&page_full_done);
	pthread_mutex_unlock(&page_order_lock);
	page_cached_put(&g->c);
	return (NULL);
}

/* g's answer given to ctx when it has one to give: 1, else 0. */
static int
page_group_give(struct cmd_ctx *ctx, struct page_group *g, int *r)
{
	int	given = 0;

	pthread_mutex_lock(&g->lock);
	if (g->ready && (!g->served || (g->jseq ==
	    store_journal_seq(g->c.store) && g->day == clock_today()))) {
		buf_add(&ctx->out, g->answer.data, g->answer.len);
		if (g->error.len > 0)
			buf_add(&ctx->error, g->error.data, g->error.len);
		if (g->usage.len > 0)
			buf_add(&ctx->usage, g->usage.data, g->usage.len);
		*r = g->status;
		g->served = 1;
		given = 1;
	}
	pthread_mutex_unlock(&g->lock);
	return (given);
}

static int
page_groups_nowait(struct cmd_ctx *ctx, struct page_state *st,
    const char *sort, size_t limit)
{
	struct page_cached	*c;
	struct page_group	*g = NULL;
	struct buf		 key = BUF_INIT;
	pthread_attr_t		 attr;
	pthread_t		 thread;
	const char		*login = access_user(ctx->session);
	const char		*aggs = cmd_opt(ctx, "aggs");
	const char		*where = cmd_opt(ctx, "where");
	int			 r = CMD_OK, us, started = 0, created = 0;

	if (login == NULL || *login == '\0')
		return (page_groups(ctx, st, sort, limit, &ctx->out));
	buf_printf(&key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%zu\x1f%d\x1f%s",
	    st->table->name, cmd_opt(ctx, "group"), aggs != NULL ? aggs : "",
	    where != NULL ? where : "", st->search != NULL ? st->search : "",
	    sort != NULL ? sort : "", limit, ctx->lang, login);
	pthread_mutex_lock(&page_order_lock);
	for (c = page_groupcs; c != NULL; c = c->next)
		if (c->store == ctx->store &&
		    strcmp(((struct page_group *)c)->key, key.data) == 0) {
			g = (struct page_group *)c;
			page_cached_use(c);
			break;
		}
	if (g == NULL) {
		g = xcalloc(1, sizeof *g);
		g->c.store = ctx->store;
		g->c.free = page_group_free;
		g->key = xstrdup(key.data);
		g->schema = ctx->schema;
		g->table = st->table;
		g->login = xstrdup(login);
		g->lang = ctx->lang;
		g->group = xstrdup(cmd_opt(ctx, "group"));
		g->aggs = page_dup(aggs);
		g->where = page_dup(where);
		g->search = page_dup(st->search);
		g->sort = page_dup(sort);
		g->limit = limit;
		buf_init(&g->answer);
		buf_init(&g->error);
		buf_init(&g->usage);
		pthread_mutex_init(&g->lock, NULL);
		page_cached_add(&page_groupcs, &g->c, PAGE_GROUP_KEEP);
	}
	pthread_mutex_unlock(&page_order_lock);
	buf_release(&key);
	for (us = 0; us <= PAGE_NOWAIT_US; us += 250) {
		if (page_group_give(ctx, g, &r))
			goto out;
		pthread_mutex_lock(&page_order_lock);
		if (!g->threaded && !started) {
			g->total = st->total;
			pthread_attr_init(&attr);
			pthread_attr_setdetachstate(&attr,
			    PTHREAD_CREATE_DETACHED);
			g->c.refs++;
			page_full_running++;
			if (pthread_create(&thread, &attr, page_group_build,
			    g) == 0)
				g->threaded = created = 1;
			else {
				g->c.refs--;
				page_full_running--;
			}
			pthread_attr_destroy(&attr);
			started = 1;
		}
		pthread_mutex_unlock(&page_order_lock);
		if (started && !created) {
			/* No thread: here and now. */
			page_cached_put(&g->c);
			return (page_groups(ctx, st, sort, limit, &ctx->out));
		}
		usleep(250);
	}
	r = page_pending(ctx, st, 0, 0);
out:
	page_cached_put(&g->c);
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
	engine = cmd_opt(ctx, "group") != NULL || (where != NULL &&
	    cmd_opt(ctx, "archived") != NULL) ||
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
	if (at != NULL && st.desc)
		st.at.id++;
	else if (at != NULL && st.at.id > 0)
		st.at.id--;
	st.archived = cmd_opt(ctx, "archived") != NULL;
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
		if (nrows > 0 || !wrap || wrapped || (after == NULL &&
		    before == NULL && at == NULL))
			break;
		free(rows);
		rows = NULL;
		wrapped = 1;
		st.at.set = 0;
		buf_reset(&st.at.key);
		st.at.id = 0;
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
	    "[--cols FIELD,...] [--archived] [--nowait]",
	N_("one page of a list, for programs (the terminal interface)"),
	"sort=,after=,at=,before=,last,wrap,search=,where=,group=,aggs=,"
	    "limit=,cols=,archived,nowait", 1, 1,
	page_exec
};
