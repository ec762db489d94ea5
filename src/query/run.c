/*
 * run.c: the planner and the executor.  A plan is an id set (lookups of
 * equality and "in" conditions, search words, references by name,
 * reference paths followed through the other table's index, and the
 * keys of a folded index that contain a text, intersected) or a walk
 * (ids in order, or an index between bounds in either direction),
 * chosen by cost from estimates of each range (store_key_share(), read
 * from the B-tree's shape; the estimates read no record, so they need
 * no session beyond the count that checked the table may be read).
 * Records come in chunks, each chunk one short read-only
 * transaction; rows come out in the query's order either straight from
 * the walk (when its order is the query's) or through a bounded sort
 * that spills sorted runs to temporary files past the memory budget.
 * Group queries aggregate in a hash table, money summed exactly.
 * Every read goes through the session.  Must not print.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query/query_int.h"

#define CHUNK		1000	/* records per read transaction */
#define SCAN_CHUNK	20000	/* records per bulk scan (read-committed) */
#define ID_CAP_MIN	1000	/* an id source may hold this many, */
#define ID_CAP_DIV	3	/* or a table's count / this */
#define SMALL_IDS	5000	/* ids worth fetching before any walk */
/*
 * Costs by estimate (store_key_share) from a table of this many records
 * on; below, every plan costs about the same and the rules of thumb
 * decide.  Costs are in records a scan reads (in the order they are
 * stored, in bulk, the conditions tested on the bytes).  A record a
 * walk fetches (scattered, whole, a page of the index at a time) costs
 * about WALK_COST of them, one fetched by id in id order ID_COST: a
 * fetch reads a page for about every record, a scan a page for every
 * page of records, so the ratio grows with the records a page holds.
 * Measured at 100,000 parties and 400,000 invoices: a walk of 5 % of
 * the invoices 210-260 ms against a scan of them all 70-85 ms, 1 % 60
 * against 55; 8.5 % of the parties by ids 23 ms against 38 (and a
 * third of 1,000,000 parties: 2 s walked, 0.6 s scanned).
 */
#define EST_MIN		1000
#define EST_STREAM	1000	/* rows wanted that a streamed walk gives
				 * without estimates */
#define WALK_COST	25
#define ID_COST		10
/* The records of one key in id order, as far as a limit wants them:
 * close together when the key is common, nearly a scan's reads. */
#define ONE_KEY_COST	2

static size_t	 mem_budget = 64u << 20;

void
query_set_memory(size_t bytes)
{
	mem_budget = bytes ? bytes : 1;
}

/* The plan. */
struct plan {
	int		 use_ids;
	uint64_t	*ids;		/* sorted, when use_ids */
	size_t		 nids;
	const struct field *f;		/* walked index, or NULL = ids order */
	char		*ix;		/* "city:folded" */
	int		 ixkind;	/* IX_FOLDED, IX_EXACT, IX_UNIQUE */
	struct buf	 lo, hi;	/* bounds (index keys) */
	int		 has_lo, has_hi;
	int		 backward;
	int		 ordered;	/* rows come in the query's order */
	/* Every condition is the walk's bounds: the records it reads
	 * match until past them, so it reads no more than it gives. */
	int		 exact;
	/* The key an equality among them asks for (eqs: how many): the
	 * bounds of field = value let keys that start with it through
	 * too, so only an entry of exactly this key matches unread. */
	struct buf	 eqkey;
	int		 eqs;
	/* A descending walk on a field some records leave empty: they come
	 * last, so after the index, a backward scan gives them. */
	int		 nulls;
	uint64_t	 total;		/* records in the table */
	struct buf	 explain;
};

static void
plan_free(struct plan *p)
{
	free(p->ids);
	free(p->ix);
	buf_release(&p->lo);
	buf_release(&p->hi);
	buf_release(&p->eqkey);
	buf_release(&p->explain);
	memset(p, 0, sizeof *p);
}

/*
 * Sort ids by merging the ascending runs they come in: an index's key
 * holds its ids in order, so the ids of a range of days are as many
 * runs as days, and merging them costs a pass per doubling of the runs
 * (27,368 ids of two days: one pass, where qsort() took 6 % of the
 * query).
 */
static void
sort_ids(uint64_t *ids, size_t n)
{
	uint64_t	*tmp, *src = ids, *dst, *t;
	size_t		 a, b, e, i, j, k, runs;

	for (i = 1; i < n && ids[i - 1] <= ids[i]; i++)
		;
	if (i >= n)
		return;
	tmp = xreallocarray(NULL, n, sizeof *tmp);
	dst = tmp;
	do {
		runs = 0;
		for (a = 0; a < n; a = e) {
			/* Two runs [a, b) and [b, e), merged into dst. */
			for (b = a + 1; b < n && src[b - 1] <= src[b]; b++)
				;
			for (e = b < n ? b + 1 : n; e < n && src[e - 1] <=
			    src[e]; e++)
				;
			for (i = a, j = b, k = a; i < b && j < e; k++)
				dst[k] = src[i] <= src[j] ? src[i++] : src[j++];
			while (i < b)
				dst[k++] = src[i++];
			while (j < e)
				dst[k++] = src[j++];
			runs++;
		}
		t = src;
		src = dst;
		dst = t;
	} while (runs > 1);
	if (src != ids)
		memcpy(ids, src, n * sizeof *ids);
	free(tmp);
}

static size_t
uniq_ids(uint64_t *ids, size_t n)
{
	size_t	i, k = 0;

	sort_ids(ids, n);
	for (i = 0; i < n; i++)
		if (k == 0 || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	return (k);
}

static size_t
intersect(uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t	i = 0, j = 0, k = 0;

	while (i < na && j < nb) {
		if (a[i] < b[j])
			i++;
		else if (a[i] > b[j])
			j++;
		else {
			a[k++] = a[i];
			i++;
			j++;
		}
	}
	return (k);
}

/*
 * The index that orders field f as the query compares it: the folded one
 * for texts (compared by fold key), an exact or unique one for the rest.
 */
static const char *
index_kind(const struct field *f, int fold)
{
	if (fold)
		return ((f->index & IX_FOLDED) ? "folded" : NULL);
	if ((f->index & IX_EXACT) || f->type == FT_REF)
		return ("exact");
	if (f->index & IX_UNIQUE)
		return ("unique");
	return (NULL);
}

/* A literal with nothing fold changes: an exact index finds it too. */
static int
fold_neutral(const char *s, size_t len)
{
	size_t		i, n;
	uint32_t	cp;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0 || utf8_lower(cp) != cp || utf8_upper(cp) != cp ||
		    cp == ' ' || cp == '\t' || cp == 0xA0)
			return (0);
	}
	return (len > 0);
}

/* The index key of a literal for field f (kind as index_kind()). */
static void
lit_key(const struct field *f, const struct qval *v, struct buf *out)
{
	buf_reset(out);
	if (FT_IS_INT(f->type))
		index_int_key(out, v->i);
	else
		buf_add(out, v->s, v->len);
}

/* The index to look an equality up in, or NULL. */
static const char *
lookup_kind(const struct qexpr *x, const struct qnode *n)
{
	const struct field *f = x->path[0];
	const char	*k;
	size_t		 i;

	if ((k = index_kind(f, x->fold)) != NULL)
		return (k);
	if (!x->fold || !(f->index & (IX_EXACT | IX_UNIQUE)))
		return (NULL);
	for (i = 0; i < n->nvals; i++)
		if (!fold_neutral(n->vals[i].s, n->vals[i].len))
			return (NULL);
	return ((f->index & IX_EXACT) ? "exact" : "unique");
}

struct planner {
	struct qrun	*r;
	struct plan	*p;
	uint64_t	 want;		/* rows asked for (limit, page) */
	struct store_txn *txn;
	uint64_t	 cap;
	uint64_t	*ids;		/* the intersection so far */
	size_t		 nids;
	int		 have_ids;
	/* A field of ours whose condition alone matches more records than
	 * the cap (its index lookup gave up). */
	const struct field *big;
	int		 explain;	/* the plan's lines are wanted */
	struct buf	*err;
};

/* A line of the plan for --explain; nothing when a query just runs. */
static void PRINTFLIKE(2, 3)
plan_note(struct planner *pl, const char *fmt, ...)
{
	va_list	ap;

	if (!pl->explain)
		return;
	va_start(ap, fmt);
	buf_vprintf(&pl->p->explain, fmt, ap);
	va_end(ap);
}

/* Ids of table t whose index ix has key; -1, or 1 when over cap. */
static int
lookup_ids(struct planner *pl, const struct table *t, const char *ix,
    const void *key, size_t keylen, uint64_t **ids, size_t *n)
{
	size_t	got;

	*ids = xreallocarray(*ids, *n + pl->cap + 1, sizeof **ids);
	if (access_lookup(pl->r->s, pl->txn, t, ix, key, keylen, *ids + *n,
	    pl->cap + 1, &got, pl->err) < 0)
		return (-1);
	*n += got;
	return (*n > pl->cap);
}

/* Add an id source to the intersection, and a line to the plan. */
static void
add_source(struct planner *pl, uint64_t *ids, size_t n, const char *what)
{
	n = uniq_ids(ids, n);
	plan_note(pl, "  %s: %zu %s\n", what, n,
	    n == 1 ? "record" : "records");
	if (!pl->have_ids) {
		pl->ids = ids;
		pl->nids = n;
		pl->have_ids = 1;
		return;
	}
	pl->nids = intersect(pl->ids, pl->nids, ids, n);
	free(ids);
}

static int share_rows(struct planner *, const char *, const struct buf *,
    const struct buf *, uint64_t *);
static void plan_rows(struct buf *, uint64_t);
static int id_order(const struct query *);

/*
 * Would an equality's ids (of every value of an "in") be too many to be
 * worth gathering, by estimate: so many that fetching them costs more
 * than a scan (the planner's ID_COST), or more than the cap?  1 then
 * (with a line for --explain), 0 when they are worth looking up, -1.
 * Small tables are looked up: the lookup is their count.
 */
static int
eq_too_many(struct planner *pl, const struct field *f, const char *ix,
    const struct qnode *n)
{
	struct buf	 lo = BUF_INIT, hi = BUF_INIT, line = BUF_INIT;
	uint64_t	 rows = 0, one = 0, total = pl->p->total;
	size_t		 i;
	int		 rv = 0;

	if (total < EST_MIN)
		return (0);
	for (i = 0; i < n->nvals && rv == 0; i++) {
		lit_key(f, &n->vals[i], &lo);
		buf_reset(&hi);
		buf_add(&hi, lo.data, lo.len);
		buf_addch(&hi, (char)0xFF);
		if (share_rows(pl, ix, &lo, &hi, &one) != 0)
			rv = -1;
		rows += one;
	}
	/* Twice the cap: the estimate is not the count. */
	if (rv == 0 && (rows * ID_COST >= total || rows > pl->cap * 2)) {
		plan_note(pl, "  index %s %s", ix, n->op == QO_EQ ? "=" :
		    "in");
		for (i = 0; i < n->nvals; i++) {
			plan_note(pl, "%s", i ? ", " : " ");
			if (FT_IS_INT(f->type))
				plan_note(pl, "%lld", (long long)n->vals[i].i);
			else
				plan_note(pl, "'%s'", n->vals[i].s);
		}
		plan_rows(&line, rows);
		plan_note(pl, ": %s, too many to gather\n", line.data);
		rv = 1;
	}
	buf_release(&lo);
	buf_release(&hi);
	buf_release(&line);
	return (rv);
}

/*
 * A contains on a text with a folded index: the index's keys are the
 * field's fold keys, whole, which is what "~" looks in.  Its keys alone
 * (read in bulk, no record) tell which records match, a fraction of
 * the bytes a scan reads (a name among a record's every field): a scan
 * of 100,000 demo parties for "ромаш" read them all to find 456.
 */
struct contains_walk {
	const char	*needle;
	size_t		 nl;
	uint64_t	*ids;
	size_t		 n, alloc, cap;
	int		 over;
};

static int
contains_key(const void *key, size_t len, uint64_t id, void *arg)
{
	struct contains_walk *cw = arg;

	if (len < cw->nl || memmem(key, len, cw->needle, cw->nl) == NULL)
		return (0);
	if (cw->n >= cw->cap) {
		cw->over = 1;
		return (1);
	}
	if (cw->n == cw->alloc) {
		cw->alloc = cw->alloc ? cw->alloc * 2 : 256;
		cw->ids = xreallocarray(cw->ids, cw->alloc, sizeof *cw->ids);
	}
	cw->ids[cw->n++] = id;
	return (0);
}

/* 0 with the source added, 1 when it does not serve or finds too many,
 * -1. */
static int
contains_source(struct planner *pl, const struct qnode *n, struct buf *what)
{
	const struct qexpr *x = n->x;
	struct contains_walk cw;
	char		*ix;
	int		 rv;

	if (pl->p->total < EST_MIN || n->op != QO_CONTAINS || n->slot >= 0 ||
	    n->nvals != 1 || n->vals[0].len == 0 || x->npath != 1 ||
	    x->func != QF_NONE || x->pseudo != QP_NONE || !x->fold ||
	    FT_IS_INT(x->type) || !(x->path[0]->index & IX_FOLDED))
		return (1);
	/*
	 * Not when ids are few already (the records are read for them
	 * anyway), nor for a few rows in id order: a scan stops at them,
	 * where the walk reads every key first (100,000 keys: 10 ms).
	 */
	if (pl->have_ids && pl->nids <= SMALL_IDS)
		return (1);
	if (!pl->r->q->is_group && id_order(pl->r->q) && pl->want <= 1000)
		return (1);
	memset(&cw, 0, sizeof cw);
	cw.needle = n->vals[0].s;
	cw.nl = n->vals[0].len;
	/* Past a share ID_COST of the table the ids cost a scan's time. */
	cw.cap = pl->p->total / ID_COST < pl->cap ? pl->p->total / ID_COST :
	    pl->cap;
	xasprintf(&ix, "%s:folded", x->path[0]->name);
	rv = store_keys(pl->txn, pl->r->q->table, ix, NULL, 0, 0, 0,
	    contains_key, &cw, pl->err);
	if (rv >= 0 && !cw.over) {
		buf_printf(what, "index %s, the keys containing '%s'", ix,
		    n->vals[0].s);
		if (cw.ids == NULL)
			cw.ids = xcalloc(1, sizeof *cw.ids);
		add_source(pl, cw.ids, cw.n, what->data);
		cw.ids = NULL;
		rv = 0;
	} else if (rv >= 0) {
		plan_note(pl, "  index %s: more than %zu keys contain '%s'\n",
		    ix, cw.cap, n->vals[0].s);
		rv = 1;
	}
	free(cw.ids);
	free(ix);
	return (rv);
}

/*
 * Ids of the query's table for one conjunct, from an index: 0 with
 * *ids set, 1 when no index serves it or it finds too many, -1.
 */
static int
source_of(struct planner *pl, const struct qnode *n, struct buf *what)
{
	const struct qexpr *x = n->x;
	const struct table *t = pl->r->q->table;
	const struct field *f;
	struct buf	 key = BUF_INIT, ix = BUF_INIT;
	uint64_t	*ids = NULL, *sub = NULL;
	size_t		 nids = 0, nsub = 0, i;
	const char	*kind;
	int		 r = 1;

	if (n->kind == QN_SEARCH) {
		const struct qslot *sl = &pl->r->slots[n->slot];

		if (sl->n > pl->cap)
			return (1);
		ids = xcalloc(sl->n + 1, sizeof *ids);
		memcpy(ids, sl->ids, sl->n * sizeof *ids);
		buf_printf(what, "search '%s'", n->text);
		add_source(pl, ids, sl->n, what->data);
		return (0);
	}
	if (n->kind == QN_CMP && x->func == QF_NONE && x->npath == 0 &&
	    x->pseudo == QP_ID && (n->op == QO_EQ || n->op == QO_IN) &&
	    n->slot < 0) {
		/* The records by their numbers: the numbers are the ids
		 * (one that no record has is skipped when read). */
		ids = xcalloc(n->nvals + 1, sizeof *ids);
		for (i = 0; i < n->nvals; i++)
			if (n->vals[i].i > 0)
				ids[nids++] = (uint64_t)n->vals[i].i;
		buf_printf(what, "the numbers");
		for (i = 0; i < n->nvals; i++)
			buf_printf(what, "%s%lld", i ? ", " : " ",
			    (long long)n->vals[i].i);
		add_source(pl, ids, nids, what->data);
		return (0);
	}
	if (n->kind != QN_CMP || x->func != QF_NONE || x->npath == 0 ||
	    x->pseudo != QP_NONE)
		return (1);
	if (n->op == QO_CONTAINS)
		return (contains_source(pl, n, what));
	f = x->path[0];
	if (x->npath == 1 && n->slot >= 0) {
		/* A reference by name: the named records' referrers. */
		const struct qslot *sl = &pl->r->slots[n->slot];

		buf_printf(&ix, "%s:exact", f->name);
		for (i = 0; i < sl->n && r == 1; i++) {
			buf_reset(&key);
			index_int_key(&key, (int64_t)sl->ids[i]);
			if ((r = lookup_ids(pl, t, ix.data, key.data, key.len,
			    &ids, &nids)) < 0)
				goto out;
			r = r == 1 ? 2 : 1;
		}
		if (r == 2) {
			r = 1;
			goto out;
		}
		buf_printf(what, "%s = '%s' through index %s of %zu "
		    "named", x->name, n->text, ix.data, sl->n);
		add_source(pl, ids, nids, what->data);
		ids = NULL;
		r = 0;
		goto out;
	}
	if (x->npath == 1) {
		if ((n->op != QO_EQ && n->op != QO_IN) ||
		    (kind = lookup_kind(x, n)) == NULL)
			goto out;
		buf_printf(&ix, "%s:%s", f->name, kind);
		if ((r = eq_too_many(pl, f, ix.data, n)) != 0) {
			if (r > 0) {
				pl->big = f;
				r = 1;
			}
			goto out;
		}
		r = 1;
		for (i = 0; i < n->nvals; i++) {
			lit_key(f, &n->vals[i], &key);
			if ((r = lookup_ids(pl, t, ix.data, key.data, key.len,
			    &ids, &nids)) != 0) {
				if (r > 0)
					pl->big = f;
				goto out;
			}
		}
		r = 1;
		buf_printf(what, "index %s %s", ix.data,
		    n->op == QO_EQ ? "=" : "in");
		for (i = 0; i < n->nvals; i++) {
			buf_adds(what, i ? ", " : " ");
			if (FT_IS_INT(f->type))
				buf_printf(what, "%lld",
				    (long long)n->vals[i].i);
			else
				buf_printf(what, "'%s'", n->vals[i].s);
		}
		add_source(pl, ids, nids, what->data);
		ids = NULL;
		r = 0;
		goto out;
	}
	/*
	 * A path through a reference: the records of the other table that
	 * match the rest of the path (by its index), then ours that refer
	 * to them (by the reference's index).
	 */
	if (f->type == FT_REF && x->npath == 2 && n->slot < 0 &&
	    (n->op == QO_EQ || n->op == QO_IN)) {
		const struct table *ot = schema_table(pl->r->q->schema,
		    f->ref_table);
		struct qexpr	 sx = *x;

		sx.path[0] = x->path[1];
		sx.npath = 1;
		if (ot == NULL || (kind = lookup_kind(&sx, n)) == NULL)
			goto out;
		buf_printf(&ix, "%s:%s", sx.path[0]->name, kind);
		for (i = 0; i < n->nvals; i++) {
			lit_key(sx.path[0], &n->vals[i], &key);
			if ((r = lookup_ids(pl, ot, ix.data, key.data, key.len,
			    &sub, &nsub)) != 0)
				goto out;
		}
		nsub = uniq_ids(sub, nsub);
		buf_reset(&ix);
		buf_printf(&ix, "%s:exact", f->name);
		for (i = 0; i < nsub; i++) {
			buf_reset(&key);
			index_int_key(&key, (int64_t)sub[i]);
			if ((r = lookup_ids(pl, t, ix.data, key.data, key.len,
			    &ids, &nids)) != 0)
				goto out;
		}
		r = 1;
		buf_printf(what, "%s: %zu in %s by index %s:%s, then index %s",
		    x->name, nsub, ot->name, sx.path[0]->name, kind, ix.data);
		add_source(pl, ids, nids, what->data);
		ids = NULL;
		r = 0;
	}
out:
	free(ids);
	free(sub);
	buf_release(&key);
	buf_release(&ix);
	return (r);
}

/*
 * A range of a whole number with few values in it (days of a date
 * between two bounds: "date >= 2026-03-01 and date < 2026-04-01"), as
 * the ids of each value's key: 0 with the source added, 1 when no range
 * is that small or it finds too many, -1.  Ids in order fetch the
 * records in the order they are stored; a walk of the index between
 * the bounds would fetch them scattered and sort them after.
 */
#define RANGE_KEYS	400	/* a year of days, and a few more */

static int
range_source(struct planner *pl, const struct field *f,
    const struct qnode **c, size_t nc, struct buf *what)
{
	const struct table *t = pl->r->q->table;
	struct buf	 key = BUF_INIT, ix = BUF_INIT;
	uint64_t	*ids = NULL;
	size_t		 nids = 0, i;
	int64_t		 lo = INT64_MIN, hi = INT64_MAX, v, k;
	int		 bounds = 0, r, none = 0;
	const char	*kind = index_kind(f, 0);

	if (!FT_IS_INT(f->type) || f->multi || kind == NULL)
		return (1);
	for (i = 0; i < nc; i++) {
		const struct qnode *n = c[i];

		if (n->kind != QN_CMP || n->x->npath != 1 ||
		    n->x->path[0] != f || n->x->func != QF_NONE ||
		    n->x->pseudo != QP_NONE || n->slot >= 0 || n->nvals != 1)
			continue;
		v = n->vals[0].i;
		switch (n->op) {
		case QO_GT:
			if (v == INT64_MAX)
				none = 1;
			else if (v + 1 > lo)
				lo = v + 1;
			bounds |= 1;
			break;
		case QO_GE:
			if (v > lo)
				lo = v;
			bounds |= 1;
			break;
		case QO_LT:
			if (v == INT64_MIN)
				none = 1;
			else if (v - 1 < hi)
				hi = v - 1;
			bounds |= 2;
			break;
		case QO_LE:
			if (v < hi)
				hi = v;
			bounds |= 2;
			break;
		default:
			break;
		}
	}
	if (none) {
		/* Past the largest number or before the smallest. */
		lo = 1;
		hi = 0;
		bounds = 3;
	}
	if (bounds != 3 || (hi >= lo && (uint64_t)hi - (uint64_t)lo >=
	    RANGE_KEYS))
		return (1);
	buf_printf(&ix, "%s:%s", f->name, kind);
	r = 0;
	for (k = lo; k <= hi && r == 0; k++) {
		buf_reset(&key);
		index_int_key(&key, k);
		r = lookup_ids(pl, t, ix.data, key.data, key.len, &ids, &nids);
		if (k == hi)
			break;
	}
	if (r == 0) {
		buf_printf(what, "index %s from %lld to %lld", ix.data,
		    (long long)lo, (long long)hi);
		if (ids == NULL)
			ids = xcalloc(1, sizeof *ids);
		add_source(pl, ids, nids, what->data);
		ids = NULL;
	} else if (r > 0) {
		pl->big = f;
		r = 1;
	}
	free(ids);
	buf_release(&key);
	buf_release(&ix);
	return (r);
}

/* The conjuncts of a condition (its top-level "and"s). */
static void
conjuncts(const struct qnode *n, const struct qnode ***v, size_t *nv)
{
	if (n == NULL)
		return;
	if (n->kind == QN_AND) {
		conjuncts(n->a, v, nv);
		conjuncts(n->b, v, nv);
		return;
	}
	*v = xreallocarray(*v, *nv + 1, sizeof **v);
	(*v)[(*nv)++] = n;
}

/* Is f set in every record that passes the conjuncts? */
static int
always_set(const struct field *f, const struct qnode **c, size_t nc)
{
	size_t	i;

	if (f->always)
		return (1);
	for (i = 0; i < nc; i++)
		if (c[i]->kind == QN_CMP && c[i]->op != QO_NE &&
		    c[i]->x->npath == 1 && c[i]->x->func == QF_NONE &&
		    c[i]->x->pseudo == QP_NONE &&
		    c[i]->x->path[0] == f)
			return (1);
	return (0);
}

/* Bounds of the walk from the conjuncts on field f. */
static void
walk_bounds(struct plan *p, const struct field *f, int fold,
    const struct qnode **c, size_t nc)
{
	struct buf	 k = BUF_INIT;
	size_t		 i;

	for (i = 0; i < nc; i++) {
		const struct qnode *n = c[i];

		if (n->kind != QN_CMP || n->x->npath != 1 ||
		    n->x->pseudo != QP_NONE ||
		    n->x->func != QF_NONE || n->x->path[0] != f ||
		    n->slot >= 0 || n->nvals != 1)
			continue;
		if (n->x->fold != fold)
			continue;
		lit_key(f, &n->vals[0], &k);
		switch (n->op) {
		case QO_EQ:
		case QO_PREFIX:
			if (!p->has_lo || memcmp(k.data, p->lo.data,
			    k.len < p->lo.len ? k.len : p->lo.len) > 0) {
				buf_reset(&p->lo);
				buf_add(&p->lo, k.data, k.len);
				p->has_lo = 1;
			}
			/* Past every key that starts with k: UTF-8 and
			 * number keys never hold 0xFF after a prefix. */
			buf_reset(&p->hi);
			buf_add(&p->hi, k.data, k.len);
			buf_addch(&p->hi, (char)0xFF);
			p->has_hi = 1;
			break;
		case QO_GT:
		case QO_GE:
			buf_reset(&p->lo);
			buf_add(&p->lo, k.data, k.len);
			p->has_lo = 1;
			break;
		case QO_LT:
		case QO_LE:
			buf_reset(&p->hi);
			buf_add(&p->hi, k.data, k.len);
			if (n->op == QO_LE)
				buf_addch(&p->hi, (char)0xFF);
			p->has_hi = 1;
			break;
		default:
			break;
		}
	}
	buf_release(&k);
}

/*
 * Do the conjuncts say no more than the walk's bounds on f (walk_bounds)
 * do, so every record the walk reads before its far bound matches?  An
 * index key orders as the condition compares (numbers, fold keys), so
 * >=, <, a prefix and, for fixed-size number keys, <= and = are their
 * bounds exactly; > is not (its bound includes the value), nor <= of a
 * text (its bound lets longer texts in).  A text's = lets longer texts
 * in too, but only after every key equal to it, which all match.
 */
static int
walk_exact(const struct field *f, int fold, const struct qnode **c,
    size_t nc)
{
	size_t	i;

	for (i = 0; i < nc; i++) {
		const struct qnode *n = c[i];

		if (n->kind != QN_CMP || n->x->npath != 1 ||
		    n->x->pseudo != QP_NONE || n->x->func != QF_NONE ||
		    n->x->path[0] != f || n->slot >= 0 || n->nvals != 1 ||
		    n->x->fold != fold || n->x->multi)
			return (0);
		switch (n->op) {
		case QO_GE:
		case QO_LT:
		case QO_PREFIX:
		case QO_EQ:
			break;
		case QO_LE:
			if (!FT_IS_INT(f->type))
				return (0);
			break;
		default:
			return (0);
		}
	}
	return (1);
}

/* A conjunct that bounds a walk on its field. */
static const struct field *
range_field(const struct qnode *n)
{
	if (n->kind != QN_CMP || n->x->npath != 1 || n->x->func != QF_NONE ||
	    n->x->pseudo != QP_NONE ||
	    n->slot >= 0 || n->x->multi)
		return (NULL);
	if (n->op != QO_LT && n->op != QO_LE && n->op != QO_GT &&
	    n->op != QO_GE && n->op != QO_PREFIX && n->op != QO_EQ)
		return (NULL);
	if (n->op == QO_PREFIX && FT_IS_INT(n->x->type))
		return (NULL);
	if (index_kind(n->x->path[0], n->x->fold) == NULL)
		return (NULL);
	return (n->x->path[0]);
}

/* Is one of the conjuncts field f = a value (a walk of one key)? */
static int
eq_on(const struct field *f, const struct qnode **c, size_t nc)
{
	size_t	i;

	for (i = 0; i < nc; i++)
		if (c[i]->kind == QN_CMP && c[i]->op == QO_EQ &&
		    range_field(c[i]) == f)
			return (1);
	return (0);
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return (a + b < a ? UINT64_MAX : a + b);
}

/* Is the query's order that of its own ids (no sort, or by id)? */
static int
id_order(const struct query *q)
{
	const struct qexpr *x;

	if (q->nsorts == 0)
		return (1);
	x = q->sorts[0].x;
	return (q->nsorts == 1 && x->pseudo == QP_ID && x->npath == 0 &&
	    x->func == QF_NONE);
}

/* The rows of a range, as a figure for --explain ("~1 234"). */
static void
plan_rows(struct buf *out, uint64_t n)
{
	char	digits[32];
	size_t	i, len;

	len = (size_t)snprintf(digits, sizeof digits, "%llu",
	    (unsigned long long)n);
	buf_addch(out, '~');
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf_addch(out, ',');
		buf_addch(out, digits[i]);
	}
	buf_adds(out, n == 1 ? " row" : " rows");
}

/* The fold a walk of field f compares by: texts by their fold key. */
static int
walk_fold(const struct field *f)
{
	return (!FT_IS_INT(f->type) && (f->type == FT_TEXT ||
	    f->type == FT_EMAIL));
}

/*
 * The records of the query's table estimated to have a key of index ix
 * in [lo, hi) (NULL: open): the index's share (store_key_share(), from
 * the B-tree's shape) of the table's records.  The estimate reads no
 * record: through the session only the count (access_count) was read,
 * which checked the table may be read.
 */
static int
share_rows(struct planner *pl, const char *ix, const struct buf *lo,
    const struct buf *hi, uint64_t *rows)
{
	uint64_t	share;

	if (store_key_share(pl->txn, pl->r->q->table, ix,
	    lo != NULL ? lo->data : NULL, lo != NULL ? lo->len : 0,
	    hi != NULL ? hi->data : NULL, hi != NULL ? hi->len : 0, &share,
	    pl->err) != 0)
		return (-1);
	*rows = (uint64_t)((double)share / STORE_SHARE_ONE *
	    (double)pl->p->total + 0.5);
	return (0);
}

/*
 * The records estimated to lie within the bounds the conjuncts set on
 * field f (as a walk of its index would go, walk_bounds()), with a
 * line for --explain.
 */
static int
bounds_rows(struct planner *pl, const struct field *f,
    const struct qnode **c, size_t nc, uint64_t *rows)
{
	struct plan	 b;
	struct buf	 line = BUF_INIT;
	const char	*kind = index_kind(f, walk_fold(f));
	char		*ix;
	int		 rv;

	memset(&b, 0, sizeof b);
	walk_bounds(&b, f, walk_fold(f), c, nc);
	xasprintf(&ix, "%s:%s", f->name, kind != NULL ? kind : "exact");
	rv = share_rows(pl, ix, b.has_lo ? &b.lo : NULL, b.has_hi ? &b.hi :
	    NULL, rows);
	if (rv == 0 && pl->explain) {
		plan_rows(&line, *rows);
		plan_note(pl, "  index %s%s: %s\n", ix, b.has_lo || b.has_hi ?
		    " between bounds" : "", line.data);
	}
	free(ix);
	buf_release(&b.lo);
	buf_release(&b.hi);
	buf_release(&line);
	return (rv);
}

/*
 * A negated range of a number always set ("not amount < 0" of a
 * required amount) is the opposite range ("amount >= 0"): the planner
 * bounds a walk with it and sizes it.  The new node is the planner's
 * only; the records are still tested against the query's own.  NULL
 * when n is no such thing.
 */
static struct qnode *
not_range(const struct qnode *n)
{
	const struct qnode *a = n->a;
	struct qnode	*o;
	enum qcmp	 op;

	if (n->kind != QN_NOT || a == NULL || a->kind != QN_CMP ||
	    a->x->npath != 1 || a->x->func != QF_NONE ||
	    a->x->pseudo != QP_NONE || a->slot >= 0 || a->nvals != 1 ||
	    a->x->multi || !FT_IS_INT(a->x->type) || !a->x->path[0]->always)
		return (NULL);
	switch (a->op) {
	case QO_LT:
		op = QO_GE;
		break;
	case QO_LE:
		op = QO_GT;
		break;
	case QO_GT:
		op = QO_LE;
		break;
	case QO_GE:
		op = QO_LT;
		break;
	default:
		return (NULL);
	}
	o = xcalloc(1, sizeof *o);
	*o = *a;
	o->op = op;
	o->a = o->b = NULL;
	return (o);
}

/* Reads needed to find want matches among est, when matches are about
 * match of every total: want x total / match, at most total. */
static uint64_t
reads_for(uint64_t want, uint64_t total, uint64_t match)
{
	double	r;

	if (want == UINT64_MAX)
		return (total);
	if (match == 0)
		match = 1;
	r = (double)want * (double)total / (double)match;
	return (r >= (double)total ? total : (uint64_t)r);
}

static int
plan_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct planner	*pl = arg;
	struct qrun	*r = pl->r;
	const struct query *q = r->q;
	struct plan	*p = pl->p;
	const struct qnode **c = NULL, *one_eq = NULL;
	const struct field *sf = NULL, *rf = NULL, *wf = NULL, *alt = NULL;
	int		 one_key = 0, big = 0, choice, est;
	struct buf	 what = BUF_INIT, line = BUF_INIT;
	struct qnode	**made = NULL;
	size_t		 nc = 0, nmade = 0, i;
	int		 sdesc = 0, ok = -1, s, nulls = 0;
	/* Estimates: rows of each range field's bounds, and at most how
	 * many rows match (the fewest any source or range lets through). */
	const struct field **ef = NULL;
	uint64_t	*erows = NULL, match, rf_rows = 0, alt_rows = 0, want;
	size_t		 ne = 0;

	/* Run again after a deadlock: start afresh. */
	plan_free(p);
	free(pl->ids);
	pl->ids = NULL;
	pl->nids = 0;
	pl->have_ids = 0;
	pl->big = NULL;
	pl->txn = txn;
	r->txn = txn;
	for (i = 0; i < q->nslots; i++)
		r->slots[i].done = 0;
	if (qrun_resolve(r, err) != 0)
		goto out;
	/* (Plans are read-only transactions: a count remembered is
	 * right while nothing was written.) */
	if (access_count_cached(r->s, txn, q->table, &p->total, err) != 0)
		goto out;
	pl->cap = p->total / ID_CAP_DIV;
	if (pl->cap < ID_CAP_MIN)
		pl->cap = ID_CAP_MIN;
	conjuncts(q->where, &c, &nc);
	/* Negated ranges of numbers always set, as the opposite ranges. */
	for (i = 0; i < nc; i++) {
		struct qnode *o = not_range(c[i]);

		if (o == NULL)
			continue;
		made = xreallocarray(made, nmade + 1, sizeof *made);
		made[nmade++] = o;
		c[i] = o;
	}
	/* The sort an index gives: one key, a field of ours, always set
	 * (or, descending, the empty ones after the index). */
	if (!q->is_group && q->nsorts == 1 && q->sorts[0].x->npath == 1 &&
	    q->sorts[0].x->pseudo == QP_NONE &&
	    q->sorts[0].x->func == QF_NONE && !q->sorts[0].x->multi &&
	    index_kind(q->sorts[0].x->path[0], q->sorts[0].x->fold) != NULL &&
	    (q->sorts[0].desc || always_set(q->sorts[0].x->path[0], c, nc))) {
		sf = q->sorts[0].x->path[0];
		sdesc = q->sorts[0].desc;
		nulls = !always_set(sf, c, nc);
	}
	/*
	 * When the sort's index can stream the rows, ids are worth
	 * gathering only while few: past that, the walk is cheaper.
	 */
	if (sf != NULL && pl->cap > SMALL_IDS)
		pl->cap = SMALL_IDS;
	/*
	 * So are they for a few rows in id order: a scan finds them after
	 * about want x total / matches records, fewer than the ids a big
	 * source would gather.
	 */
	if (!q->is_group && id_order(q) && pl->want < pl->cap / 20) {
		uint64_t few = pl->want * 20 > SMALL_IDS ? pl->want * 20 :
		    SMALL_IDS;

		if (few < pl->cap)
			pl->cap = few;
		/*
		 * And with field = value among the conditions, one key of
		 * its index streams them (one_key below): that one's ids
		 * are not worth gathering at all, the others' only while
		 * a few times the rows wanted (a walk reading as many
		 * records as that costs less than gathering more ids).
		 */
		for (i = 0; i < nc && one_eq == NULL; i++)
			if (c[i]->kind == QN_CMP && c[i]->op == QO_EQ &&
			    range_field(c[i]) != NULL)
				one_eq = c[i];
		if (one_eq != NULL && (q->nsorts == 1 && q->sorts[0].desc))
			one_eq = NULL;
		few = pl->want * 4 + 64;
		if (one_eq != NULL && few < pl->cap)
			pl->cap = few;
	}
	/* Contains conditions last: a walk of an index's keys is not
	 * worth it when the others found few records. */
	for (i = 0; i < 2 * nc; i++) {
		const struct qnode *n = c[i % nc];

		if (n == one_eq || (n->kind == QN_CMP &&
		    n->op == QO_CONTAINS) != (i >= nc))
			continue;
		buf_reset(&what);
		if ((s = source_of(pl, n, &what)) < 0)
			goto out;
	}
	/* Ranges of few values, unless the sort's index streams them
	 * (each field once, at its first bound). */
	for (i = 0; i < nc && sf == NULL && one_eq == NULL; i++) {
		const struct field *f = range_field(c[i]);
		size_t		 j;

		if (f == NULL || c[i]->op == QO_EQ || c[i]->op == QO_PREFIX)
			continue;
		for (j = 0; j < i; j++)
			if (range_field(c[j]) == f && c[j]->op != QO_EQ &&
			    c[j]->op != QO_PREFIX)
				break;
		if (j < i)
			continue;
		buf_reset(&what);
		if (range_source(pl, f, c, nc, &what) < 0)
			goto out;
	}
	for (i = 0; i < nc && rf == NULL; i++)
		rf = range_field(c[i]);
	if (one_eq != NULL)
		rf = range_field(one_eq);
	if (sf != NULL)
		for (i = 0; i < nc; i++)
			if (range_field(c[i]) == sf)
				rf = sf;
	/*
	 * The rows each range would walk, estimated from its index
	 * (store_key_share): the fewest of them and of the ids gathered
	 * bound the matches; the smallest range is the one to walk.
	 */
	est = p->total >= EST_MIN;
	/*
	 * Nothing to choose when every condition is a range of one field
	 * whose walk streams the few rows wanted (the sort's field, or one
	 * key in id order) and no ids were gathered: the estimates would
	 * only cost (two descents of a B-tree each, 0.05 ms of a 0.2 ms
	 * query at 5,000,000 invoices).
	 */
	if (est && !q->is_group && !pl->have_ids && nc > 0 &&
	    pl->want <= EST_STREAM) {
		const struct field *f0 = range_field(c[0]);

		for (i = 1; f0 != NULL && i < nc; i++)
			if (range_field(c[i]) != f0)
				f0 = NULL;
		if (f0 != NULL && (f0 == sf || (sf == NULL && nc == 1 &&
		    one_eq == c[0])))
			est = 0;
	}
	match = pl->have_ids && pl->nids < p->total ? pl->nids : p->total;
	for (i = 0; i < nc && est; i++) {
		const struct field *f = range_field(c[i]);
		size_t		 j;

		if (f == NULL)
			continue;
		for (j = 0; j < ne && ef[j] != f; j++)
			;
		if (j < ne)
			continue;
		ef = xreallocarray(ef, ne + 1, sizeof *ef);
		erows = xreallocarray(erows, ne + 1, sizeof *erows);
		ef[ne] = f;
		if (bounds_rows(pl, f, c, nc, &erows[ne]) != 0)
			goto out;
		if (erows[ne] < match)
			match = erows[ne];
		ne++;
	}
	for (i = 0; i < ne; i++)
		if (ef[i] != sf && (alt == NULL || erows[i] < alt_rows)) {
			alt = ef[i];
			alt_rows = erows[i];
		}
	if (alt != NULL && sf == NULL && one_eq == NULL)
		rf = alt;
	/*
	 * A walk that gives no order (the rows are sorted after, or in id
	 * order, not one key's) of a field whose condition matches more
	 * than the cap reads that many records scattered, whole, a page at
	 * a time: a scan reads them all in the order they are stored, the
	 * conditions on the bytes, in a fraction of the time (a third of
	 * 1,000,000 parties: 2 s against 0.6 s).
	 */
	if (sf == NULL && rf != NULL && rf == pl->big && !(id_order(q) &&
	    !(q->nsorts == 1 && q->sorts[0].desc) && eq_on(rf, c, nc)))
		big = 1;
	/* 0: the ids gathered, 1: a walk of index wf, 2: a scan. */
	if (pl->have_ids && (pl->nids <= SMALL_IDS || sf == NULL))
		choice = 0;
	else if ((sf != NULL || rf != NULL) && !big) {
		choice = 1;
		wf = sf != NULL ? sf : rf;
	} else
		choice = 2;
	want = q->is_group ? UINT64_MAX : pl->want;
	if (est && q->where != NULL) {
		uint64_t cost[3] = { UINT64_MAX, UINT64_MAX, UINT64_MAX };
		uint64_t sf_rows = p->total;
		const struct field *walk = NULL;
		int	 ordered_scan = !q->is_group && id_order(q);

		for (i = 0; i < ne; i++) {
			if (ef[i] == sf)
				sf_rows = erows[i];
			if (ef[i] == rf)
				rf_rows = erows[i];
		}
		/*
		 * Each plan's cost in records a scan reads: the ids
		 * gathered, ID_COST each, as far as the rows wanted go in
		 * id order; a walk's records WALK_COST each, as far as the
		 * rows wanted go when it gives the query's order (the sort's
		 * index; one key of an equality in id order, ONE_KEY_COST
		 * each), else all its range; a scan as far as the rows
		 * wanted go when it gives the query's order (id order), else
		 * the table.  The fewest matches any source or range lets
		 * through (match) say how far that is.
		 */
		if (pl->have_ids && (pl->nids <= SMALL_IDS || sf == NULL))
			cost[0] = (ordered_scan ? reads_for(want, pl->nids,
			    match) : pl->nids) * ID_COST;
		if (sf != NULL) {
			cost[1] = reads_for(want, sf_rows, match) * WALK_COST;
			walk = sf;
		}
		if (rf != NULL && rf != sf) {
			uint64_t w = rf_rows * WALK_COST;

			if (sf == NULL && ordered_scan && !(q->nsorts == 1 &&
			    q->sorts[0].desc) && eq_on(rf, c, nc))
				w = want == UINT64_MAX ? rf_rows * ID_COST :
				    reads_for(want, rf_rows, match) *
				    ONE_KEY_COST;
			if (w < cost[1]) {
				cost[1] = w;
				walk = rf;
			}
		}
		/* Another index's range, smaller than the sort's walk. */
		if (alt != NULL && alt != rf && alt_rows * WALK_COST <
		    cost[1]) {
			cost[1] = alt_rows * WALK_COST;
			walk = alt;
		}
		cost[2] = ordered_scan ? reads_for(want, p->total, match) :
		    p->total;
		/* Ties go to the scan, the plan with no surprises. */
		choice = cost[0] <= cost[1] && cost[0] < cost[2] ? 0 :
		    cost[1] < cost[2] ? 1 : 2;
		wf = choice == 1 ? walk : NULL;
		big = 0;
		if (choice == 2 && rf != NULL) {
			plan_rows(&line, rf_rows);
			plan_note(pl, "  %s: %s, a scan reads fewer records "
			    "than a walk of its index\n", rf->name, line.data);
		}
	}
	if (choice == 0) {
		p->use_ids = 1;
		p->ids = pl->ids;
		p->nids = pl->nids;
		pl->ids = NULL;
		p->ordered = id_order(q);
		p->backward = p->ordered && q->nsorts == 1 && q->sorts[0].desc;
		plan_note(pl, "%s: %zu candidate %s by index, "
		    "fetched in id order%s\n", q->table->name, p->nids,
		    p->nids == 1 ? "record" : "records",
		    p->backward ? ", backward" : "");
	} else if (choice == 1) {
		int		 fold = walk_fold(wf);
		const char	*kind = index_kind(wf, fold);

		p->f = wf;
		if (kind == NULL)
			kind = "exact";		/* range_field() saw one */
		xasprintf(&p->ix, "%s:%s", wf->name, kind);
		p->ixkind = strcmp(kind, "folded") == 0 ? IX_FOLDED :
		    strcmp(kind, "unique") == 0 ? IX_UNIQUE : IX_EXACT;
		walk_bounds(p, wf, fold, c, nc);
		/* (A negated range made here is no bound of the query's.) */
		p->exact = nmade == 0 && walk_exact(wf, fold, c, nc);
		for (i = 0; p->exact && i < nc; i++)
			if (c[i]->op == QO_EQ) {
				lit_key(wf, &c[i]->vals[0], &p->eqkey);
				p->eqs++;
			}
		p->ordered = wf == sf;
		p->backward = wf == sf && sdesc;
		p->nulls = wf == sf && nulls;
		/*
		 * One key of an index holds its records in id order (the
		 * duplicates are sorted ids): equality on the walk's field
		 * streams a query in id order, and a limit stops it early,
		 * instead of fetching every record of the key to sort them.
		 */
		if (sf == NULL && id_order(q) && !(q->nsorts == 1 &&
		    q->sorts[0].desc) && eq_on(wf, c, nc))
			one_key = p->ordered = 1;
		plan_note(pl, "%s: walk index %s%s%s%s%s\n",
		    q->table->name, p->ix, p->backward ? " backward" : "",
		    p->has_lo || p->has_hi ? " between bounds" : "",
		    one_key ? " (one key: id order)" : p->ordered ?
		    " (the sort's order)" : "",
		    p->nulls ? ", then the records without it" : "");
	} else {
		if (big && rf != NULL)
			plan_note(pl, "  %s: too many records for a walk of "
			    "its index\n", rf->name);
		p->ordered = id_order(q);
		p->backward = p->ordered && q->nsorts == 1 && q->sorts[0].desc;
		plan_note(pl, "%s: scan all %llu records in id "
		    "order%s\n", q->table->name,
		    (unsigned long long)p->total, p->backward ? ", backward" :
		    "");
	}
	if (q->where != NULL)
		plan_note(pl, "filter: every condition, on each "
		    "record\n");
	if (q->is_group)
		plan_note(pl, "group: hash table on %zu %s, "
		    "%zu %s\n", q->ngroups, q->ngroups == 1 ? "key" : "keys",
		    q->naggs, q->naggs == 1 ? "aggregate" : "aggregates");
	else if (!p->ordered)
		plan_note(pl, "sort: in memory%s, spilling to "
		    "disk past %zu MiB\n", q->limit != UINT64_MAX ?
		    " (the top rows of the limit)" : "", mem_budget >> 20);
	if (q->limit != UINT64_MAX)
		plan_note(pl, "limit: %llu%s\n",
		    (unsigned long long)q->limit, q->offset ? " after the "
		    "offset" : "");
	ok = 0;
out:
	free(c);
	for (i = 0; i < nmade; i++)
		free(made[i]);
	free(made);
	free(ef);
	free(erows);
	buf_release(&what);
	buf_release(&line);
	r->txn = NULL;
	pl->txn = NULL;
	return (ok);
}

static int
plan_make(struct qrun *r, struct plan *p, uint64_t want, int explain,
    struct buf *err)
{
	struct planner	pl;
	int		rv;

	memset(&pl, 0, sizeof pl);
	memset(p, 0, sizeof *p);
	pl.r = r;
	pl.p = p;
	pl.want = want;
	pl.explain = explain;
	pl.err = err;
	rv = store_txn_run(access_store(r->s), STORE_TXN_READONLY, plan_txn,
	    &pl, err);
	free(pl.ids);
	return (rv < 0 ? -1 : 0);
}

int
query_explain(struct session *s, const struct query *q, struct buf *out,
    struct buf *err)
{
	struct qrun	r;
	struct plan	p;

	qrun_init(&r, s, q);
	if (plan_make(&r, &p, sat_add(q->limit, q->offset), 1, err) != 0) {
		plan_free(&p);
		qrun_release(&r);
		return (-1);
	}
	buf_printf(out, "query: %s\n", q->text);
	buf_add(out, p.explain.data, p.explain.len);
	if (!q->is_group && q->nsorts > 0 && p.ordered)
		buf_adds(out, "order: streamed, no sort\n");
	plan_free(&p);
	qrun_release(&r);
	return (0);
}

static int
keycmp(const struct buf *a, const struct buf *b)
{
	size_t	n = a->len < b->len ? a->len : b->len;
	int	c = n ? memcmp(a->data, b->data, n) : 0;

	if (c != 0)
		return (c);
	return (a->len < b->len ? -1 : a->len > b->len);
}

/* Groups. */
struct agg {
	int64_t		 count;
	int64_t		 sum;
	struct value	 best;		/* min, max */
};
/* A group: its key's bytes (qv_key() of each key) live behind it, with
 * its hash, so finding it touches one place. */
struct group {
	uint64_t	 hash;
	size_t		 keylen;
	struct value	*keys;
	struct agg	*aggs;
	struct buf	 skey;
	/* Records folded in: none for a group that only a chunk's
	 * transaction run again made (its rows are read afresh). */
	uint64_t	 nrec;
	char		 key[];
};

/* A hash of a group key, a word at a time (keys are short, and every
 * record of a group query hashes one). */
static uint64_t
hash_bytes(const char *p, size_t n)
{
	uint64_t	h = 0x9E3779B97F4A7C15ULL ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 29;
	h *= 0xFF51AFD7ED558CCDULL;
	return (h ^ (h >> 32));
}

/* Open addressing; each slot's hash kept beside it, so a probe reads a
 * group only when the hash is its own. */
struct gtab {
	struct group	**slots;
	uint64_t	*hashes;
	size_t		 nslots, n;
	struct group	**list;
	size_t		 alist;
	size_t		 mem;
};

static void
group_free(struct group *g, const struct query *q)
{
	size_t	i;

	if (g == NULL)
		return;
	buf_release(&g->skey);
	for (i = 0; i < q->ngroups; i++)
		free(g->keys[i].s);
	for (i = 0; i < q->naggs; i++)
		free(g->aggs[i].best.s);
	free(g->keys);
	free(g->aggs);
	free(g);
}

static struct group *
gtab_get(struct gtab *gt, const struct query *q, const struct buf *key,
    int *isnew)
{
	uint64_t	 h = hash_bytes(key->data, key->len);
	struct group	*g;
	size_t		 i, j, mask;

	*isnew = 0;
	if (gt->n * 2 >= gt->nslots) {
		struct group **old = gt->slots;
		uint64_t *oldh = gt->hashes;
		size_t	 on = gt->nslots;

		gt->nslots = on ? on * 2 : 256;
		gt->slots = xcalloc(gt->nslots, sizeof *gt->slots);
		gt->hashes = xcalloc(gt->nslots, sizeof *gt->hashes);
		mask = gt->nslots - 1;
		for (i = 0; i < on; i++)
			if (old[i] != NULL) {
				for (j = oldh[i] & mask; gt->slots[j] != NULL;
				    j = (j + 1) & mask)
					;
				gt->slots[j] = old[i];
				gt->hashes[j] = oldh[i];
			}
		free(old);
		free(oldh);
	}
	mask = gt->nslots - 1;
	for (j = h & mask; (g = gt->slots[j]) != NULL; j = (j + 1) & mask)
		if (gt->hashes[j] == h && g->keylen == key->len &&
		    memcmp(g->key, key->data, key->len) == 0)
			return (g);
	g = xcalloc(1, sizeof *g + key->len + 1);
	memcpy(g->key, key->data, key->len);
	g->keylen = key->len;
	buf_init(&g->skey);
	g->hash = h;
	g->keys = xcalloc(q->ngroups ? q->ngroups : 1, sizeof *g->keys);
	g->aggs = xcalloc(q->naggs ? q->naggs : 1, sizeof *g->aggs);
	gt->slots[j] = g;
	gt->hashes[j] = h;
	gt->n++;
	if (gt->n > gt->alist) {
		gt->alist = gt->alist ? gt->alist * 2 : 256;
		gt->list = xreallocarray(gt->list, gt->alist,
		    sizeof *gt->list);
	}
	gt->list[gt->n - 1] = g;
	*isnew = 1;
	return (g);
}

/* An aggregate's argument of a staged record (a text by its offset in
 * the run's arena, which may move while the chunk grows). */
struct gval {
	int		 set;
	int64_t		 i;
	size_t		 off, len;
	int		 text;
};

/*
 * The executor.  An item is a record that matched, with its sort key
 * and, once computed, its row values.
 */
struct item {
	struct record	*rec;
	struct buf	 skey;
	struct value	*vals;
	struct buf	 ixkey;		/* walks: the record's index key */
	int		 keyed;		/* skey and ixkey made (else only the
					   last row given needs them) */
};

/*
 * An entry of the sort: a record's sort key (ending with the id) and
 * its id.  The key's first KEY_INLINE bytes are held in the entry, the
 * rest (the tail) in the sort's arena: a selection compares entries
 * that lie together, and goes to the arena only for keys equal that
 * far (and not even then when what follows is the id alone).
 */
#define KEY_INLINE	16
struct sent {
	uint64_t	 id;
	uint32_t	 len;
	uint32_t	 tail;		/* offset in the arena */
	unsigned char	 k[KEY_INLINE];
};
/* What comparing entries needs. */
struct sctx {
	const char	*arena;
	int		 desc;		/* the last key's: ids backward */
};

struct run {
	struct qrun	 r;
	const struct query *q;
	struct plan	 p;
	/* A record query is planned in its first chunk's transaction:
	 * a transaction less (begin and commit are 5,000 instructions of
	 * a query of 20 rows' 330,000). */
	struct planner	 pl;
	int		 planned;
	int		 has_ix;	/* the position names an index */
	struct buf	*err;
	/* The position we start after. */
	uint64_t	 seen;
	int		 has_pos;
	struct buf	 pskey;
	uint64_t	 pid;
	struct buf	 pixkey;
	/*
	 * The index the position's key is of ("date:exact"; "" none).  A
	 * plan sized by the rows wanted may walk another index on the
	 * next page: then the walk starts at its start, and the rows up
	 * to the position are dropped by their sort keys.
	 */
	struct buf	 pix;
	int		 pix_stale;
	/* What this call gives. */
	uint64_t	 skip, want, taken, given;
	uint64_t	 gbase;		/* group rows given on earlier pages */
	query_row_fn	*fn;
	void		*arg;
	int		 stop;
	/* The last row consumed, for the next position: its keys are
	 * made from lgot, that row's item, before the item goes. */
	struct buf	 lskey, lixkey;
	int		 lix_ok;	/* lixkey is of the plan's index */
	uint64_t	 lid;
	struct item	*lgot;
	/* Where the walk stands within this call. */
	size_t		 at;
	int		 started, exhausted;
	struct buf	 wkey;
	uint64_t	 wid;
	int		 phase;		/* 1: the records a nulls walk left */
	/* The same, as a chunk leaves it: kept only when it commits. */
	int		 nexhausted, nphase;
	struct buf	 nwkey;
	uint64_t	 nwid;
	/* A chunk, made in its transaction and consumed after it. */
	struct item	*batch;
	size_t		 nbatch, abatch;
	size_t		 chunk;
	/* The sort (a key and an id per record, see ksort_add()). */
	int		 ksort;
	struct sent	*ke;
	size_t		 nke, ake;
	struct buf	 karena;	/* their keys */
	struct buf	 kcut;		/* no key past it is among the rows */
	int		 has_cut;
	struct buf	 kcur;		/* the key being made */
	struct buf	 kpeek;		/* the start of it (ksort_past_cut()) */
	FILE		**runs;
	size_t		 nruns;
	uint64_t	 matched;	/* items after the position */
	/*
	 * A group query over a scan reads the keys and the aggregates'
	 * arguments in place from the scan's bytes and finds each
	 * record's group there; what it adds is staged (the group, the
	 * arguments) and folded in only once the chunk's transaction is
	 * over, so one run again never counts a record twice.
	 */
	struct gtab	*gt;
	int		 gscan;
	struct group	**stage;
	size_t		 nstage, astage;
	struct gval	*sv;		/* naggs per staged record */
	struct buf	 sarena;	/* their texts (min, max) */
	struct keyset	 ks;		/* walk_key()'s */
	/*
	 * Records and rows' value arrays of items given, kept for the
	 * next chunk's: a record decoded again into one keeps its
	 * memory, so a walk or a fetch of many rows allocates little
	 * per row.
	 */
	struct record	**pool;
	size_t		 npool, apool;
	struct value	**vpool;
	size_t		 nvpool, avpool;
};

static int	ksort_take(struct run *, const struct record *);

/* Column i's expression: a group query's keys, then the aggregates'
 * arguments. */
static const struct qexpr *
col_expr(const struct query *q, size_t i)
{
	if (!q->is_group)
		return (q->colx[i]);
	return (i < q->ngroups ? q->groups[i] : q->aggs[i - q->ngroups]);
}

/*
 * Does column i's value lend its text from the record (a field of its
 * own, as it is)?  Such texts are not copied into the row: the row
 * goes with its record.
 */
static int
col_lends(const struct query *q, size_t i)
{
	const struct qexpr *x = col_expr(q, i);

	return (x->npath == 1 && x->func == QF_NONE &&
	    x->pseudo == QP_NONE);
}

static void
vals_free(const struct query *q, struct value *vals)
{
	size_t	i;

	if (vals == NULL)
		return;
	for (i = 0; i < q->ncols; i++)
		if (!col_lends(q, i))
			free(vals[i].s);
	free(vals);
}

static void
item_release(struct item *it, const struct query *q)
{
	record_free(it->rec);
	buf_release(&it->skey);
	buf_release(&it->ixkey);
	vals_free(q, it->vals);
	memset(it, 0, sizeof *it);
}

/* Pools of at most this many: a chunk's worth. */
#define POOL_MAX	CHUNK

/* A record of the query's table: one kept, or a new one. */
static struct record *
rec_get(struct run *ru)
{
	if (ru->npool > 0)
		return (ru->pool[--ru->npool]);
	return (record_new(ru->q->table));
}

/* Keep a record for rec_get() (its values stay until decoded over). */
static void
rec_put(struct run *ru, struct record *rec)
{
	if (rec == NULL)
		return;
	if (ru->npool == POOL_MAX) {
		record_free(rec);
		return;
	}
	if (ru->npool == ru->apool) {
		ru->apool = ru->apool ? ru->apool * 2 : 64;
		ru->pool = xreallocarray(ru->pool, ru->apool,
		    sizeof *ru->pool);
	}
	ru->pool[ru->npool++] = rec;
}

/* A row's values, each unset: one kept, or a new array. */
static struct value *
vals_get(struct run *ru)
{
	size_t	n = ru->q->ncols ? ru->q->ncols : 1;

	if (ru->nvpool > 0)
		return (ru->vpool[--ru->nvpool]);
	return (xcalloc(n, sizeof(struct value)));
}

/* Free what a row's values own and keep the array for vals_get(). */
static void
vals_put(struct run *ru, struct value *vals)
{
	const struct query *q = ru->q;
	size_t	i;

	if (vals == NULL)
		return;
	if (ru->nvpool == POOL_MAX) {
		vals_free(q, vals);
		return;
	}
	for (i = 0; i < q->ncols; i++)
		if (!col_lends(q, i))
			free(vals[i].s);
	memset(vals, 0, (q->ncols ? q->ncols : 1) * sizeof *vals);
	if (ru->nvpool == ru->avpool) {
		ru->avpool = ru->avpool ? ru->avpool * 2 : 64;
		ru->vpool = xreallocarray(ru->vpool, ru->avpool,
		    sizeof *ru->vpool);
	}
	ru->vpool[ru->nvpool++] = vals;
}

/*
 * The records of the last query of a table, kept by the session, are
 * the next one's to decode into: a query of a few rows allocated and
 * freed a record, its texts and two names for each.
 */
#define POOL_TAKE	64

static void
pools_take(struct run *ru)
{
	ru->apool = POOL_TAKE;
	ru->pool = xreallocarray(NULL, ru->apool, sizeof *ru->pool);
	ru->npool = access_records_take(ru->r.s, ru->q->table, ru->pool,
	    ru->apool);
	ru->avpool = POOL_TAKE;
	ru->vpool = xreallocarray(NULL, ru->avpool, sizeof *ru->vpool);
	ru->nvpool = access_values_take(ru->r.s, ru->q->ncols ?
	    ru->q->ncols : 1, ru->vpool, ru->avpool);
}

static void
pools_release(struct run *ru)
{
	if (ru->npool > 0)
		access_records_keep(ru->r.s, ru->pool, ru->npool);
	free(ru->pool);
	/* (Each array in vpool was cleared by vals_put().) */
	access_values_keep(ru->r.s, ru->q->ncols ? ru->q->ncols : 1,
	    ru->vpool, ru->nvpool);
	free(ru->vpool);
	ru->pool = NULL;
	ru->vpool = NULL;
	ru->npool = ru->apool = ru->nvpool = ru->avpool = 0;
}

static void
batch_reset(struct run *ru)
{
	struct item	*it;
	size_t		 i;

	for (i = 0; i < ru->nbatch; i++) {
		it = &ru->batch[i];
		rec_put(ru, it->rec);
		it->rec = NULL;
		vals_put(ru, it->vals);
		it->vals = NULL;
		item_release(it, ru->q);
	}
	ru->nbatch = 0;
}

/* Append 8 bytes ordered as v (the sign flipped), inverted when desc:
 * index_int_key()'s bytes, without a call per byte. */
static void
key_int(struct buf *out, uint64_t u, int desc)
{
	unsigned char	*p;
	int		 k;

	if (desc)
		u = ~u;
	buf_grow(out, 8);
	p = (unsigned char *)out->data + out->len;
	for (k = 0; k < 8; k++)
		p[k] = (unsigned char)(u >> (56 - 8 * k));
	out->len += 8;
	out->data[out->len] = '\0';
}

/*
 * utf8_foldkey()'s bytes, appended, for a text of ASCII and Cyrillic
 * letters (the common case) without the calls per character; any other
 * character leaves the text to utf8_foldkey().
 */
static void
key_fold(struct buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char	*p, *start;
	uint32_t	 c;
	size_t		 i;
	int		 blank = 0;

	/* A letter never folds to more bytes, blanks only to fewer. */
	buf_grow(out, len + 1);
	start = p = (unsigned char *)out->data + out->len;
	for (i = 0; i < len; i++) {
		if (u[i] == ' ' || (u[i] >= '\t' && u[i] <= '\r')) {
			blank = 1;
			continue;
		}
		if (u[i] >= 0x80 && !((u[i] == 0xD0 || u[i] == 0xD1) &&
		    i + 1 < len && (u[i + 1] & 0xC0) == 0x80)) {
			out->data[out->len] = '\0';
			utf8_foldkey(out, s, len);
			return;
		}
		if (blank && p > start)
			*p++ = ' ';
		blank = 0;
		if (u[i] < 0x80) {
			*p++ = u[i] >= 'A' && u[i] <= 'Z' ? u[i] + 0x20 : u[i];
			continue;
		}
		/* U+0400..U+047F: lower case stays in the block. */
		c = utf8_lower(((uint32_t)(u[i] & 0x1F) << 6) |
		    (u[i + 1] & 0x3F));
		if (c == 0x451)
			c = 0x435;		/* ё -> е */
		*p++ = (unsigned char)(0xC0 | (c >> 6));
		*p++ = (unsigned char)(0x80 | (c & 0x3F));
		i++;
	}
	out->len = (size_t)(p - (unsigned char *)out->data);
	out->data[out->len] = '\0';
}

/*
 * Sort key of a record: the sort keys (qv_key()'s bytes), then the id.
 * A number field of the record's own is read straight from its value:
 * a sort reads the key of every record a scan matches.
 */
static int
sort_key(struct run *ru, const struct record *rec, struct buf *out)
{
	const struct query *q = ru->q;
	const struct qexpr *x;
	const struct value *rv;
	struct qv	 v;
	size_t		 i;
	int		 desc = 0;

	buf_reset(out);
	for (i = 0; i < q->nsorts; i++) {
		x = q->sorts[i].x;
		desc = q->sorts[i].desc;
		if (x->npath == 1 && x->func == QF_NONE &&
		    x->pseudo == QP_NONE && !x->multi &&
		    FT_IS_INT(x->path[0]->type) && FT_IS_INT(x->type)) {
			rv = &rec->values[x->path[0]->pos];
			if (!rv->set) {
				buf_addch(out, desc ? 0xFF : 0);
				continue;
			}
			buf_addch(out, desc ? 0xFE : 1);
			key_int(out, (uint64_t)rv->i ^
			    UINT64_C(0x8000000000000000), desc);
			continue;
		}
		if (x->npath == 1 && x->func == QF_NONE &&
		    x->pseudo == QP_NONE && x->fold &&
		    !FT_IS_INT(x->path[0]->type)) {
			size_t	 start = out->len, j;

			rv = &rec->values[x->path[0]->pos];
			if (!rv->set || rv->s == NULL || rv->len == 0)
				buf_addch(out, 0);
			else {
				buf_addch(out, 1);
				key_fold(out, rv->s, rv->len);
				buf_addch(out, 0);
			}
			if (desc)
				for (j = start; j < out->len; j++)
					out->data[j] = (char)~(unsigned char)
					    out->data[j];
			continue;
		}
		if (qeval(&ru->r, x, rec, 0, &v, ru->err) != 0)
			return (-1);
		qv_key(x, &v, desc, out);
	}
	/* Ties in id order, backward when the last key is descending (as
	 * an index walked backward gives them); the id is always set, its
	 * presence byte left out. */
	key_int(out, rec->id ^ UINT64_C(0x8000000000000000), desc);
	return (0);
}

static int
row_values(struct run *ru, struct item *it)
{
	const struct query *q = ru->q;
	struct qv	 v;
	size_t		 i;

	if (it->vals != NULL)
		return (0);
	it->vals = vals_get(ru);
	for (i = 0; i < q->ncols; i++) {
		if (col_lends(q, i)) {
			/* A field of its own, as qeval() gives it: an empty
			 * text is no value. */
			const struct field *f = col_expr(q, i)->path[0];
			const struct value *rv = &it->rec->values[f->pos];

			if (rv->set && (FT_IS_INT(f->type) || (rv->s != NULL &&
			    rv->len != 0))) {
				it->vals[i].set = 1;
				it->vals[i].i = rv->i;
				it->vals[i].s = rv->s;
				it->vals[i].len = rv->len;
			}
			continue;
		}
		if (qeval(&ru->r, col_expr(q, i), it->rec, 0, &v,
		    ru->err) != 0)
			return (-1);
		qv_to_value(&v, &it->vals[i]);
	}
	return (0);
}

/*
 * A record's key in the walked index (the first of a list's), as
 * store_page_key() gives it, from the plan's field and kind: no name
 * to look up and no key set made for every record.
 */
static void
walk_key(struct run *ru, const struct record *rec, struct buf *out)
{
	buf_reset(out);
	keyset_reset(&ru->ks);
	index_field_keys(rec, ru->p.f->pos, ru->p.ixkind, &ru->ks);
	if (ru->ks.n != 0)
		buf_add(out, ru->ks.bytes.data + ru->ks.off[0], ru->ks.len[0]);
}

/* Take one record of the walk into the batch (inside the txn);
 * matched when the caller has tested the condition already. */
static int
take(struct run *ru, struct record *rec, int matched, const struct buf *ixkey)
{
	struct item	*it;
	int		 m = 1;

	if ((rec->flags & REC_ARCHIVED) || (!matched &&
	    (m = qmatch(&ru->r, ru->q->where, rec, ru->err)) == 0)) {
		rec_put(ru, rec);
		return (0);
	}
	if (m < 0) {
		rec_put(ru, rec);
		return (-1);
	}
	if (ru->ksort) {
		m = ksort_take(ru, rec);
		rec_put(ru, rec);
		return (m);
	}
	if (ru->nbatch == ru->abatch) {
		ru->abatch = ru->abatch ? ru->abatch * 2 : 64;
		ru->batch = xreallocarray(ru->batch, ru->abatch,
		    sizeof *ru->batch);
	}
	it = &ru->batch[ru->nbatch++];
	memset(it, 0, sizeof *it);
	it->rec = rec;
	buf_init(&it->skey);
	buf_init(&it->ixkey);
	if (ru->q->is_group)
		return (row_values(ru, it));
	/* Rows in order need their keys only for the position after the
	 * last one given (note_last()); a sort and a position need them
	 * now. */
	if (ru->p.ordered && !ru->has_pos)
		return (row_values(ru, it));
	it->keyed = 1;
	if (sort_key(ru, rec, &it->skey) != 0)
		return (-1);
	if (ru->has_pos && keycmp(&it->skey, &ru->pskey) <= 0) {
		rec_put(ru, it->rec);
		it->rec = NULL;
		item_release(it, ru->q);
		ru->nbatch--;
		return (0);
	}
	if (ru->p.f != NULL && ixkey != NULL)
		buf_add(&it->ixkey, ixkey->data, ixkey->len);
	else if (ru->p.f != NULL)
		walk_key(ru, rec, &it->ixkey);
	/* Rows in order come out now, with their values. */
	if (ru->p.ordered && !ru->q->is_group)
		return (row_values(ru, it));
	return (0);
}

/* Is key past the walk's far bound? */
static int
past_bound(const struct run *ru, const struct buf *key)
{
	const struct plan *p = &ru->p;

	if (!p->backward && p->has_hi && keycmp(key, &p->hi) >= 0)
		return (1);
	if (p->backward && p->has_lo && keycmp(key, &p->lo) < 0)
		return (1);
	return (0);
}

/*
 * A forward scan in id order reads in bulk (store_scan): each record is
 * decoded into one scratch record and tested there, and only one that
 * matches is handed on (and a fresh scratch made), so the records that
 * do not match cost no allocation.
 */
struct scan_arg {
	struct run	*ru;
	struct record	*scratch;
	int		 failed;
	/* The fields the condition reads, when it reads only fields of
	 * the record (through references too): those alone are read from
	 * the bytes to test it, the whole record only when it matches. */
	size_t		*need;
	size_t		 nneed;
	int		 lazy;
	int		 times;		/* and the header's times */
	int		 prefilter;	/* qmatch_cannot() may turn some down */
	int		 bounds;	/* a walk whose bounds are every
					   condition: each record matches */
	/* The condition is a range of one number field of the record's
	 * (range_of()): lo <= the field <= hi, tested on its bytes. */
	const struct field *rf;
	int64_t		 rlo, rhi;
	struct value	*vals;
	struct buf	 key;		/* a group query's key */
	struct record	 fake;		/* the fields read in place */
};

/* The field of ours x reads, into the fields a scan reads in place. */
static void
need_expr(const struct qexpr *x, struct scan_arg *sa)
{
	size_t	i;

	if (x->npath == 0) {
		/* The id is the key, count() reads nothing; the header's
		 * times are read in place too. */
		if (x->pseudo == QP_CREATED || x->pseudo == QP_UPDATED)
			sa->times = 1;
		return;
	}
	for (i = 0; i < sa->nneed; i++)
		if (sa->need[i] == x->path[0]->pos)
			return;
	sa->need = xreallocarray(sa->need, sa->nneed + 1, sizeof *sa->need);
	sa->need[sa->nneed++] = x->path[0]->pos;
}

static void
need_fields(const struct qnode *n, struct scan_arg *sa)
{
	if (n == NULL)
		return;
	need_fields(n->a, sa);
	need_fields(n->b, sa);
	if (n->kind == QN_CMP || n->kind == QN_EMPTY)
		need_expr(n->x, sa);
}

/* The fields the scan needs, read in place into sa->fake, a record of
 * those alone. */
static int
lazy_fields(struct scan_arg *sa, uint64_t id, const void *data, size_t len)
{
	struct run	*ru = sa->ru;
	const struct table *t = ru->q->table;
	struct value	*v;
	size_t		 i;

	sa->fake.id = id;
	if (sa->times && record_decode_times(data, len, &sa->fake.created,
	    &sa->fake.updated) == -1)
		return (buf_error(ru->err, _("record %llu of table '%s' is "
		    "damaged"), (unsigned long long)id, t->name));
	for (i = 0; i < sa->nneed; i++) {
		const struct field *f = &t->fields[sa->need[i]];

		v = &sa->vals[sa->need[i]];
		if (record_decode_field(data, len, f->id, v) < 0)
			return (buf_error(ru->err, _("record %llu of table "
			    "'%s' is damaged"), (unsigned long long)id,
			    t->name));
		/* An entry of another type than the field's is not its
		 * value (record_decode() keeps it aside). */
		if (v->set && (FT_IS_INT(f->type) ? v->s != NULL :
		    v->s == NULL))
			memset(v, 0, sizeof *v);
	}
	return (0);
}

/*
 * Is the condition a range of one number field of the record's own
 * ("date >= 2026-03-02 and date < 2026-03-04", "amount = 0")?  Then
 * *lo <= the field <= *hi is all of it, an unset field matching none:
 * two comparisons instead of the evaluator's walk of the tree, a tenth
 * of what a record fetched by its id from an index costs us.
 */
static const struct field *
range_of(const struct qnode *where, int64_t *lo, int64_t *hi)
{
	const struct qnode **c = NULL;
	const struct field *f = NULL;
	size_t		 nc = 0, i;
	int64_t		 v;

	*lo = INT64_MIN;
	*hi = INT64_MAX;
	conjuncts(where, &c, &nc);
	for (i = 0; i < nc; i++) {
		const struct qnode *n = c[i];
		const struct qexpr *x = n->x;

		if (n->kind != QN_CMP || n->slot >= 0 || n->nvals != 1 ||
		    x->npath != 1 || x->pseudo != QP_NONE ||
		    x->func != QF_NONE || x->agg != QA_NONE || x->multi ||
		    !FT_IS_INT(x->type) || !FT_IS_INT(x->path[0]->type) ||
		    (f != NULL && x->path[0] != f))
			break;
		f = x->path[0];
		v = n->vals[0].i;
		/* (An empty range, lo > hi, stays empty.) */
		if (n->op == QO_EQ || n->op == QO_GE) {
			if (v > *lo)
				*lo = v;
		} else if (n->op == QO_GT) {
			if (v == INT64_MAX)
				*hi = INT64_MIN;
			else if (v + 1 > *lo)
				*lo = v + 1;
		}
		if (n->op == QO_EQ || n->op == QO_LE) {
			if (v < *hi)
				*hi = v;
		} else if (n->op == QO_LT) {
			if (v == INT64_MIN)
				*lo = INT64_MAX;
			else if (v - 1 < *hi)
				*hi = v - 1;
		} else if (n->op != QO_EQ && n->op != QO_GE && n->op != QO_GT)
			break;
	}
	if (i < nc)
		f = NULL;
	free(c);
	return (f);
}

/* range_of()'s test on a record's bytes: 1 match, 0 not, -1 error. */
static int
range_match(struct scan_arg *sa, uint64_t id, const void *data, size_t len)
{
	struct value	v;
	int		r;

	if ((r = record_decode_field(data, len, sa->rf->id, &v)) < 0)
		return (buf_error(sa->ru->err, _("record %llu of table '%s' "
		    "is damaged"), (unsigned long long)id,
		    sa->ru->q->table->name));
	/* An entry of another type than the field's is not its value, as
	 * lazy_fields() reads it. */
	return (r == 1 && v.set && v.s == NULL && v.i >= sa->rlo &&
	    v.i <= sa->rhi);
}

/* Test the condition on the fields it needs, read in place. */
static int
lazy_match(struct scan_arg *sa, uint64_t id, const void *data, size_t len)
{
	if (lazy_fields(sa, id, data, len) != 0)
		return (-1);
	return (qmatch(&sa->ru->r, sa->ru->q->where, &sa->fake, sa->ru->err));
}

/*
 * The bytes qv_key() appends for a group key (ascending), the common
 * cases without a call per byte: a number, and a text that folding
 * leaves as it is (ASCII with no capital letter, blank or control).
 */
static void
group_key_part(const struct qexpr *x, const struct qv *v, struct buf *out)
{
	unsigned char	*p;
	uint64_t	 u;
	size_t		 i;
	int		 k;

	if (v->set && FT_IS_INT(x->type)) {
		buf_grow(out, 9);
		p = (unsigned char *)out->data + out->len;
		p[0] = 1;
		u = (uint64_t)v->i ^ UINT64_C(0x8000000000000000);
		for (k = 0; k < 8; k++)
			p[1 + k] = (unsigned char)(u >> (56 - 8 * k));
		out->len += 9;
		out->data[out->len] = '\0';
		return;
	}
	if (v->set && x->fold) {
		for (i = 0; i < v->len; i++) {
			unsigned char c = (unsigned char)v->s[i];

			if (c <= ' ' || c >= 0x7F || (c >= 'A' && c <= 'Z'))
				break;
		}
		if (i == v->len) {
			buf_grow(out, v->len + 2);
			p = (unsigned char *)out->data + out->len;
			p[0] = 1;
			memcpy(p + 1, v->s, v->len);
			p[v->len + 1] = '\0';
			out->len += v->len + 2;
			out->data[out->len] = '\0';
			return;
		}
	}
	qv_key(x, v, 0, out);
}

/*
 * A group query's record from a scan: its fields read in place, its
 * group found by the key built from them (one buffer, reused), and the
 * group and the aggregates' arguments staged.  Nothing is allocated
 * per record but a new group's and, for min and max of texts, the
 * text in the arena.
 */
static int
group_scan_one(uint64_t id, const void *data, size_t len, void *arg)
{
	struct scan_arg	*sa = arg;
	struct run	*ru = sa->ru;
	const struct query *q = ru->q;
	struct record	*fake = &sa->fake;
	struct group	*g;
	struct gval	*gv;
	struct qv	 v;
	size_t		 i;
	int		 m, isnew;

	if (sa->prefilter && qmatch_cannot(q->where, data, len))
		return (0);
	if (lazy_fields(sa, id, data, len) != 0)
		goto fail;
	if (q->where != NULL &&
	    (m = qmatch(&ru->r, q->where, fake, ru->err)) <= 0) {
		if (m < 0)
			goto fail;
		return (0);
	}
	buf_reset(&sa->key);
	for (i = 0; i < q->ngroups; i++) {
		if (qeval(&ru->r, q->groups[i], fake, 0, &v, ru->err) != 0)
			goto fail;
		group_key_part(q->groups[i], &v, &sa->key);
	}
	g = gtab_get(ru->gt, q, &sa->key, &isnew);
	if (isnew) {
		/* Computed again, one at a time: a function's text lives
		 * in a scratch buffer only until the next. */
		for (i = 0; i < q->ngroups; i++) {
			if (qeval(&ru->r, q->groups[i], fake, 0, &v,
			    ru->err) != 0)
				goto fail;
			qv_to_value(&v, &g->keys[i]);
		}
		ru->gt->mem += sizeof *g + sa->key.len * 2 + 64 *
		    (q->ngroups + q->naggs);
	}
	if (ru->nstage == ru->astage) {
		ru->astage = ru->astage ? ru->astage * 2 : 1024;
		ru->stage = xreallocarray(ru->stage, ru->astage,
		    sizeof *ru->stage);
		ru->sv = xreallocarray(ru->sv, ru->astage,
		    (q->naggs ? q->naggs : 1) * sizeof *ru->sv);
	}
	gv = &ru->sv[ru->nstage * q->naggs];
	for (i = 0; i < q->naggs; i++, gv++) {
		const struct qexpr *x = q->aggs[i];

		if (qeval(&ru->r, x, fake, 0, &v, ru->err) != 0)
			goto fail;
		gv->set = v.set;
		gv->i = v.i;
		gv->text = 0;
		gv->off = gv->len = 0;
		/* Only min and max look at a text (count at its being
		 * set, sum and avg take numbers). */
		if (v.set && v.s != NULL &&
		    (x->agg == QA_MIN || x->agg == QA_MAX)) {
			gv->text = 1;
			gv->off = ru->sarena.len;
			gv->len = v.len;
			buf_add(&ru->sarena, v.s, v.len);
		}
	}
	ru->stage[ru->nstage++] = g;
	return (0);
fail:
	sa->failed = 1;
	return (1);
}

/* One record of a scan, a fetch or a walk (ixkey: its key in the
 * walked index, or NULL). */
static int
scan_take(struct scan_arg *sa, uint64_t id, const void *data, size_t len,
    const struct buf *ixkey)
{
	struct run	*ru = sa->ru;
	struct record	*rec;
	int		 m;

	/* Most records of a scan for a word are turned down on their
	 * bytes, before any field is read. */
	if (sa->bounds) {
		/* Nothing to test; a sort still reads its keys' fields. */
		if (ru->ksort && sa->lazy && lazy_fields(sa, id, data,
		    len) != 0) {
			sa->failed = 1;
			return (1);
		}
	} else if (sa->prefilter && qmatch_cannot(ru->q->where, data, len))
		return (0);
	else if (sa->rf != NULL) {
		if ((m = range_match(sa, id, data, len)) <= 0) {
			sa->failed = m < 0;
			return (m < 0);
		}
	} else if (sa->lazy && (m = lazy_match(sa, id, data, len)) <= 0) {
		sa->failed = m < 0;
		return (m < 0);
	}
	/* A sort keeps the key alone, made from the fields read in place
	 * (or from the scratch record): nothing is allocated. */
	if (ru->ksort && sa->lazy) {
		if (ksort_take(ru, &sa->fake) != 0) {
			sa->failed = 1;
			return (1);
		}
		return (0);
	}
	if (record_decode(sa->scratch, data, len, ru->err) != 0) {
		buf_prefix(ru->err, _("record %llu of table '%s': "),
		    (unsigned long long)id, ru->q->table->name);
		sa->failed = 1;
		return (1);
	}
	sa->scratch->id = id;
	if (!sa->lazy && !sa->bounds &&
	    (m = qmatch(&ru->r, ru->q->where, sa->scratch, ru->err)) <= 0) {
		sa->failed = m < 0;
		return (m < 0);
	}
	if (ru->ksort) {
		if (ksort_take(ru, sa->scratch) != 0) {
			sa->failed = 1;
			return (1);
		}
		return (0);
	}
	rec = sa->scratch;
	sa->scratch = rec_get(ru);
	if (take(ru, rec, 1, ixkey) != 0) {
		sa->failed = 1;
		return (1);
	}
	return (0);
}

static int
scan_one(uint64_t id, const void *data, size_t len, void *arg)
{
	return (scan_take(arg, id, data, len, NULL));
}

/* Is there a "contains" qmatch_cannot() can test on the bytes? */
static int
qmatch_has_contains(const struct qnode *n)
{
	if (n == NULL)
		return (0);
	if (n->kind == QN_AND)
		return (qmatch_has_contains(n->a) ||
		    qmatch_has_contains(n->b));
	return (n->kind == QN_CMP && n->op == QO_CONTAINS);
}

/* A scan's (or a fetch's) state for the records of the query's table. */
static void
scan_arg_init(struct scan_arg *sa, struct run *ru)
{
	size_t	i;

	memset(sa, 0, sizeof *sa);
	sa->ru = ru;
	buf_init(&sa->key);
	sa->scratch = rec_get(ru);
	sa->lazy = ru->q->where != NULL || ru->gscan || ru->ksort;
	need_fields(ru->q->where, sa);
	/* A sort reads its keys' fields in place too (the header's
	 * times only from a record decoded whole). */
	if (ru->ksort)
		for (i = 0; i < ru->q->nsorts; i++)
			need_expr(ru->q->sorts[i].x, sa);
	if (ru->gscan) {
		for (i = 0; i < ru->q->ngroups; i++)
			need_expr(ru->q->groups[i], sa);
		for (i = 0; i < ru->q->naggs; i++)
			need_expr(ru->q->aggs[i], sa);
	}
	if (sa->lazy)
		sa->vals = xcalloc(ru->q->table->nfields, sizeof *sa->vals);
	sa->fake.table = ru->q->table;
	sa->fake.values = sa->vals;
	sa->prefilter = qmatch_has_contains(ru->q->where);
	/* Not when a sort or a group reads the fields lazy_fields() reads
	 * in place. */
	if (ru->q->where != NULL && !ru->ksort && !ru->gscan)
		sa->rf = range_of(ru->q->where, &sa->rlo, &sa->rhi);
}

static void
scan_arg_release(struct scan_arg *sa)
{
	rec_put(sa->ru, sa->scratch);
	free(sa->need);
	free(sa->vals);
	buf_release(&sa->key);
}

/*
 * Records by ascending ids: read through in bulk (access_fetch) where
 * they lie close together, else looked up one by one (a lookup costs
 * about what reading through twenty records does: at 5,000,000
 * invoices, ids 40 apart cost 0.9 us a lookup against 1.6 us read
 * through, 4 apart 0.8 against 0.17).
 */
#define FETCH_NEAR	20	/* ids apart, on average, read through */

static int
fetch_ids(struct run *ru, struct store_txn *txn, const uint64_t *ids,
    size_t n, store_scan_fn *fn, void *arg, struct buf *err)
{
	if (n > 1 && (ids[n - 1] - ids[0]) / (n - 1) > FETCH_NEAR)
		return (access_fetch_each(ru->r.s, txn, ru->q->table, ids, n,
		    0, fn, arg, err));
	return (access_fetch(ru->r.s, txn, ru->q->table, ids, n, 0, fn, arg,
	    err));
}

/*
 * A walk of an index hands each record's bytes with its key there
 * (access_page_each): the key says when the walk is past its bound and
 * where the next chunk goes on from, and the record is tested on its
 * bytes as a scan's is, decoded only when it matches.
 */
struct walk_arg {
	struct scan_arg	 sa;
	struct buf	 key;		/* the entry's, lent */
	size_t		 n;		/* records within the bounds */
	int		 past;		/* one past the far bound came */
	int		 exact;		/* the plan's bounds are every
					   condition (and eqkey the key) */
};

static int
walk_one(uint64_t id, const void *key, size_t klen, const void *data,
    size_t len, void *arg)
{
	struct walk_arg	*wa = arg;
	struct run	*ru = wa->sa.ru;

	/* The key as a buf that only lends it (never grown or freed). */
	wa->key.data = klen != 0 ? (char *)(uintptr_t)key : buf_empty;
	wa->key.len = klen;
	wa->key.alloc = 0;
	if (past_bound(ru, &wa->key)) {
		wa->past = 1;
		return (1);
	}
	wa->n++;
	buf_reset(&ru->nwkey);
	buf_add(&ru->nwkey, key, klen);
	ru->nwid = id;
	/* A walk may start on its near bound (a backward one at the
	 * key of amount < 100): only a key within both is known to match. */
	wa->sa.bounds = wa->exact && (!ru->p.has_lo ||
	    keycmp(&wa->key, &ru->p.lo) >= 0) && (!ru->p.has_hi ||
	    keycmp(&wa->key, &ru->p.hi) < 0) && (ru->p.eqs == 0 ||
	    (klen == ru->p.eqkey.len && (klen == 0 || memcmp(key,
	    ru->p.eqkey.data, klen) == 0)));
	return (scan_take(&wa->sa, id, data, len, &wa->key));
}

static int
chunk_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct run	*ru = arg;
	struct plan	*p = &ru->p;
	struct record	**recs = NULL, *rec;
	struct buf	 key = BUF_INIT;
	size_t		 n = 0, i, at = ru->at;
	int		 flags, rv = -1;

	batch_reset(ru);
	ru->nstage = 0;
	buf_reset(&ru->sarena);
	ru->nexhausted = 0;
	ru->nphase = ru->phase;
	ru->r.txn = txn;
	ru->err = err;
	if (p->use_ids && !p->backward) {
		/*
		 * Forward, the ids are read in their (ascending) order
		 * through one cursor (access_fetch), each record tested as
		 * a scan tests it: only the fields the condition reads,
		 * the whole record only when it matches.
		 */
		struct scan_arg	 sa;
		size_t		 end = at + ru->chunk < p->nids ?
				    at + ru->chunk : p->nids, from = at;

		if (ru->has_pos && p->ordered)
			while (from < end && p->ids[from] <= ru->pid)
				from++;
		rv = 0;
		if (from < end) {
			scan_arg_init(&sa, ru);
			rv = fetch_ids(ru, txn, p->ids + from, end - from,
			    scan_one, &sa, err);
			scan_arg_release(&sa);
			if (rv < 0 || sa.failed) {
				rv = -1;
				goto out;
			}
		}
		ru->nwid = end;		/* where the next chunk starts */
		if (end >= p->nids)
			ru->nexhausted = 1;
		rv = 0;
		goto out;
	}
	if (p->use_ids) {
		size_t	k;

		for (k = 0; k < ru->chunk && at < p->nids; k++, at++) {
			uint64_t id = p->ids[p->backward ? p->nids - 1 - at :
			    at];

			if (ru->has_pos && !p->ordered)
				;
			else if (ru->has_pos && (p->backward ? id >= ru->pid :
			    id <= ru->pid))
				continue;
			rv = access_get(ru->r.s, txn, ru->q->table, id, &rec,
			    err);
			if (rv < 0)
				goto out;
			if (rv == STORE_NOTFOUND)
				continue;
			if (take(ru, rec, 0, NULL) != 0) {
				rv = -1;
				goto out;
			}
		}
		ru->nwid = at;		/* where the next chunk starts */
		if (at >= p->nids)
			ru->nexhausted = 1;
		rv = 0;
		goto out;
	}
	flags = p->backward ? STORE_PAGE_BACKWARD : 0;
	if (p->f == NULL && !p->backward) {
		struct scan_arg	 sa;
		uint64_t	 from = ru->started ? ru->wid : ru->has_pos &&
				    p->ordered ? ru->pid : 0, last = 0;

		scan_arg_init(&sa, ru);
		rv = access_scan(ru->r.s, txn, ru->q->table, from, ru->chunk,
		    0, ru->gscan ? group_scan_one : scan_one, &sa, &last, err);
		scan_arg_release(&sa);
		if (rv < 0 || sa.failed) {
			rv = -1;
			goto out;
		}
		ru->nwid = last;
		if (last == UINT64_MAX)
			ru->nexhausted = 1;
		rv = 0;
		goto out;
	}
	if (p->f != NULL && ru->phase == 1) {
		/* After the index: the records it has no key of, backward
		 * in id order (ties of a descending sort). */
		rv = access_page(ru->r.s, txn, ru->q->table, NULL, NULL, 0,
		    ru->wid, STORE_PAGE_BACKWARD, ru->chunk, &recs, &n, err);
		if (rv < 0)
			goto out;
		rv = -1;
		if (n < ru->chunk)
			ru->nexhausted = 1;
		for (i = 0; i < n; i++) {
			rec = recs[i];
			recs[i] = NULL;
			ru->nwid = rec->id;
			walk_key(ru, rec, &key);
			if (key.len != 0) {
				record_free(rec);
				continue;
			}
			if (take(ru, rec, 0, &key) != 0)
				goto out;
		}
		rv = 0;
		goto out;
	}
	if (p->f != NULL) {
		struct walk_arg	 wa;
		const void	*wk = NULL;
		size_t		 wkl = 0;
		uint64_t	 wid = 0;
		int		 failed;

		/* From where the last chunk ended, the position, the bound
		 * the walk starts at, or the index's start (or end). */
		if (ru->started) {
			wk = ru->wkey.data;
			wkl = ru->wkey.len;
			wid = ru->wid;
		} else if (ru->has_pos && p->ordered && !ru->pix_stale) {
			wk = ru->pixkey.data;
			wkl = ru->pixkey.len;
			wid = ru->pid;
		} else if (!p->backward && p->has_lo) {
			wk = p->lo.data;
			wkl = p->lo.len;
			flags |= STORE_PAGE_FROM;
		} else if (p->backward && p->has_hi) {
			wk = p->hi.data;
			wkl = p->hi.len;
			wid = UINT64_MAX;
		}
		memset(&wa, 0, sizeof wa);
		scan_arg_init(&wa.sa, ru);
		wa.exact = p->exact && p->eqs <= 1;
		rv = access_page_each(ru->r.s, txn, ru->q->table, p->ix, wk,
		    wkl, wid, flags, ru->chunk, walk_one, &wa, err);
		failed = wa.sa.failed;
		scan_arg_release(&wa.sa);
		if (rv < 0 || failed) {
			rv = -1;
			goto out;
		}
		if (wa.past)
			ru->nexhausted = 1;
		else if (wa.n < ru->chunk) {
			ru->nexhausted = 1;
			if (p->nulls) {
				/* On to the records without a key, from
				 * the end. */
				ru->nexhausted = 0;
				ru->nphase = 1;
				ru->nwid = 0;
			}
		}
		rv = 0;
		goto out;
	}
	{
		/* Ids in order, backward (forward is the scan above). */
		uint64_t from = ru->started ? ru->wid : ru->has_pos &&
		    p->ordered ? ru->pid : 0;

		rv = access_page(ru->r.s, txn, ru->q->table, NULL, NULL, 0,
		    from, flags, ru->chunk, &recs, &n, err);
	}
	if (rv < 0)
		goto out;
	rv = -1;
	if (n < ru->chunk)
		ru->nexhausted = 1;
	for (i = 0; i < n; i++) {
		rec = recs[i];
		recs[i] = NULL;
		if (i + 1 == n)
			ru->nwid = rec->id;
		if (take(ru, rec, 0, NULL) != 0)
			goto out;
	}
	rv = 0;
out:
	if (recs != NULL)
		store_records_free(recs, n);
	buf_release(&key);
	ru->r.txn = NULL;
	return (rv);
}

/* Does the plan read the table in bulk (a forward scan)? */
static int
is_scan(const struct plan *p)
{
	return (!p->use_ids && p->f == NULL && !p->backward);
}

/*
 * How many records the next chunk reads: enough for the rows still
 * wanted when they stream, a few for an index walk (its bound may come
 * soon, and a page reads all it is asked for), and twice the last when
 * that one fell short; at most a transaction's worth.
 */
static size_t
next_chunk(const struct run *ru)
{
	size_t	max = is_scan(&ru->p) ? SCAN_CHUNK : CHUNK, n = max, left;

	if (ru->p.ordered && !ru->q->is_group) {
		left = (size_t)(ru->skip - ru->taken + ru->want - ru->given);
		n = left > max / 2 ? max : ru->p.exact ? left : left * 2 + 16;
	} else if (ru->p.f != NULL)
		n = 128;
	if (ru->started && ru->chunk < max / 2 && ru->chunk * 2 > n)
		n = ru->chunk * 2;
	return (n < max ? n : max);
}

/*
 * What the plan sets for the run, again on each try of the transaction
 * it is made in: whether the position's index key still serves (a page
 * before may have been planned to walk another index), whether rows
 * are sorted, and where a walk that leaves the records without a key
 * to the end starts (a position among those: its descending key part
 * starts with 0xFF, "no value").
 */
static void
plan_use(struct run *ru)
{
	ru->pix_stale = ru->has_pos && ru->has_ix && (ru->p.ix == NULL ||
	    ru->pix.len != strlen(ru->p.ix) || memcmp(ru->pix.data,
	    ru->p.ix, ru->pix.len) != 0);
	ru->ksort = !ru->q->is_group && !ru->p.ordered;
	ru->phase = 0;
	ru->wid = 0;
	if (!ru->q->is_group && ru->p.nulls && ru->has_pos &&
	    ru->pskey.len > 0 && (unsigned char)ru->pskey.data[0] == 0xFF) {
		ru->phase = 1;
		ru->wid = ru->pid;
	}
}

/* Once the plan is made for good: a stale position's index key is not
 * given on with the next position. */
static void
plan_taken(struct run *ru)
{
	if (ru->pix_stale) {
		ru->lix_ok = 0;
		buf_reset(&ru->lixkey);
	}
}

/* The plan and the first chunk, in one transaction. */
static int
first_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct run	*ru = arg;

	if (plan_txn(txn, &ru->pl, err) != 0)
		return (-1);
	plan_use(ru);
	ru->chunk = next_chunk(ru);
	return (chunk_txn(txn, ru, err));
}

/* One chunk in its own transaction; its walk state kept on success. */
static int
chunk(struct run *ru)
{
	if (store_txn_run(access_store(ru->r.s), STORE_TXN_READONLY,
	    ru->planned ? chunk_txn : first_txn, ru, ru->err) < 0)
		return (-1);
	if (!ru->planned) {
		ru->planned = 1;
		free(ru->pl.ids);
		ru->pl.ids = NULL;
		plan_taken(ru);
	}
	ru->started = 1;
	ru->phase = ru->nphase;
	ru->exhausted = ru->nexhausted;
	ru->wid = ru->nwid;
	ru->at = (size_t)ru->nwid;
	buf_reset(&ru->wkey);
	buf_add(&ru->wkey, ru->nwkey.data, ru->nwkey.len);
	return (0);
}

/* Hand one item to the caller as a row, and remember it as the last. */
static int
give(struct run *ru, struct item *it)
{
	struct query_row row;

	ru->seen++;
	ru->lgot = it;
	ru->lid = it->rec->id;
	if (ru->taken < ru->skip) {
		ru->taken++;
		return (0);
	}
	memset(&row, 0, sizeof row);
	row.id = it->rec->id;
	row.rec = it->rec;
	row.vals = it->vals;
	ru->given++;
	if (ru->fn(&row, ru->arg, ru->err) != 0)
		return (-1);
	if (ru->given >= ru->want)
		ru->stop = 1;
	return (0);
}

/* The keys of the last row given, for the next position, before its
 * item is released. */
static int
note_last(struct run *ru)
{
	struct item	*it = ru->lgot;

	if (it == NULL)
		return (0);
	ru->lgot = NULL;
	buf_reset(&ru->lskey);
	buf_reset(&ru->lixkey);
	ru->lix_ok = ru->p.f != NULL;
	if (it->keyed) {
		buf_add(&ru->lskey, it->skey.data, it->skey.len);
		buf_add(&ru->lixkey, it->ixkey.data, it->ixkey.len);
		return (0);
	}
	if (ru->p.f != NULL)
		walk_key(ru, it->rec, &ru->lixkey);
	return (sort_key(ru, it->rec, &ru->lskey));
}

/*
 * The sort.  It holds a key and an id per record that matched, never
 * the record: a scan makes the key from the fields it reads in place,
 * a key past the worst of the best skip + want known so far is dropped
 * at once, and the collection is cut back to those best now and then
 * (a selection, not a sort).  At the end only the rows given are put
 * in order, and only their records are read again, a batch at a time
 * in id order.  Past the memory budget the keys go to sorted runs in
 * temporary files, merged at the end.
 */
static void
sent_put(struct sent *e, struct buf *arena, const void *key, size_t len,
    uint64_t id)
{
	e->id = id;
	e->len = (uint32_t)len;
	e->tail = 0;
	memcpy(e->k, key, len < KEY_INLINE ? len : KEY_INLINE);
	if (len > KEY_INLINE) {
		e->tail = (uint32_t)arena->len;
		buf_add(arena, (const char *)key + KEY_INLINE,
		    len - KEY_INLINE);
	}
}

/* The whole key of an entry, appended. */
static void
sent_bytes(const char *arena, const struct sent *e, struct buf *out)
{
	buf_add(out, e->k, e->len < KEY_INLINE ? e->len : KEY_INLINE);
	if (e->len > KEY_INLINE)
		buf_add(out, arena + e->tail, e->len - KEY_INLINE);
}

/* As keycmp() of the whole keys. */
static int
sent_cmp(const struct sctx *cx, const struct sent *a, const struct sent *b)
{
	size_t	n = a->len < b->len ? a->len : b->len;
	int	c = memcmp(a->k, b->k, n < KEY_INLINE ? n : KEY_INLINE);

	if (c != 0)
		return (c);
	if (n > KEY_INLINE) {
		/* Equal sort keys, held whole in the entries: the ids
		 * (the last 8 bytes) decide. */
		if (a->len == b->len && a->len - 8 <= KEY_INLINE) {
			c = a->id < b->id ? -1 : a->id > b->id;
			return (cx->desc ? -c : c);
		}
		c = memcmp(cx->arena + a->tail, cx->arena + b->tail,
		    n - KEY_INLINE);
		if (c != 0)
			return (c);
	}
	return (a->len < b->len ? -1 : a->len > b->len);
}

static int
sent_qcmp(const void *a, const void *b, void *cx)
{
	return (sent_cmp(cx, a, b));
}

static void
sent_swap(struct sent *a, struct sent *b)
{
	struct sent	t = *a;

	*a = *b;
	*b = t;
}

/*
 * Put the entry of rank k (from 0) at a[k], the smaller ones before it
 * and the greater after (Hoare's selection, pivot the median of three).
 */
static void
sent_select(const struct sctx *cx, struct sent *a, size_t n, size_t k)
{
	ptrdiff_t	lo = 0, hi = (ptrdiff_t)n - 1, i, j, mid;
	struct sent	p;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sent_cmp(cx, &a[mid], &a[lo]) < 0)
			sent_swap(&a[mid], &a[lo]);
		if (sent_cmp(cx, &a[hi], &a[lo]) < 0)
			sent_swap(&a[hi], &a[lo]);
		if (sent_cmp(cx, &a[hi], &a[mid]) < 0)
			sent_swap(&a[hi], &a[mid]);
		p = a[mid];
		i = lo - 1;
		j = hi + 1;
		for (;;) {
			do
				i++;
			while (sent_cmp(cx, &a[i], &p) < 0);
			do
				j--;
			while (sent_cmp(cx, &a[j], &p) > 0);
			if (i >= j)
				break;
			sent_swap(&a[i], &a[j]);
		}
		/* a[lo..j] <= p <= a[j+1..hi], lo <= j < hi. */
		if ((ptrdiff_t)k <= j)
			hi = j;
		else
			lo = j + 1;
	}
}

static void
sent_sort(const struct sctx *cx, struct sent *a, size_t n)
{
	if (n > 1)
		qsort_r(a, n, sizeof *a, sent_qcmp, (void *)(uintptr_t)cx);
}

static struct sctx
ksort_cx(const struct run *ru, const struct buf *arena)
{
	struct sctx	cx;

	cx.arena = arena->data;
	cx.desc = ru->q->nsorts > 0 && ru->q->sorts[ru->q->nsorts - 1].desc;
	return (cx);
}

static size_t
ksort_mem(const struct run *ru)
{
	return (ru->karena.len + ru->nke * sizeof *ru->ke);
}

/* Keep the best k entries (k < nke), their keys alone in the arena. */
static void
ksort_prune(struct run *ru, size_t k)
{
	struct buf	 a = BUF_INIT;
	struct sctx	 cx = ksort_cx(ru, &ru->karena);
	size_t		 i;

	sent_select(&cx, ru->ke, ru->nke, k - 1);
	ru->nke = k;
	buf_grow(&a, ru->karena.len / 2 + 64);
	for (i = 0; i < k; i++) {
		struct sent *e = &ru->ke[i];

		if (e->len > KEY_INLINE) {
			uint32_t off = (uint32_t)a.len;

			buf_add(&a, ru->karena.data + e->tail,
			    e->len - KEY_INLINE);
			e->tail = off;
		}
	}
	buf_release(&ru->karena);
	ru->karena = a;
	/* The worst kept: no key past it can be among the rows. */
	buf_reset(&ru->kcut);
	sent_bytes(ru->karena.data, &ru->ke[k - 1], &ru->kcut);
	ru->has_cut = 1;
}

/* Write the entries, sorted, as a run and empty the collection. */
static int
ksort_spill(struct run *ru)
{
	const char	*dir = getenv("TMPDIR");
	struct buf	 path = BUF_INIT, key = BUF_INIT;
	struct sctx	 cx = ksort_cx(ru, &ru->karena);
	FILE		*fp;
	size_t		 i;
	int		 fd;

	sent_sort(&cx, ru->ke, ru->nke);
	buf_printf(&path, "%s/clerk-sort.XXXXXX", dir != NULL && *dir ?
	    dir : "/tmp");
	if ((fd = mkstemp(path.data)) == -1) {
		buf_error(ru->err, _("cannot make a temporary file in '%s' "
		    "to sort: %s"), dir != NULL && *dir ? dir : "/tmp",
		    strerror(errno));
		buf_release(&path);
		return (-1);
	}
	(void)unlink(path.data);
	buf_release(&path);
	if ((fp = fdopen(fd, "w+")) == NULL) {
		close(fd);
		return (buf_error(ru->err, _("cannot sort: %s"),
		    strerror(errno)));
	}
	for (i = 0; i < ru->nke; i++) {
		const struct sent *e = &ru->ke[i];

		buf_reset(&key);
		sent_bytes(ru->karena.data, e, &key);
		if (fwrite(&e->len, sizeof e->len, 1, fp) != 1 ||
		    fwrite(key.data, 1, e->len, fp) != e->len ||
		    fwrite(&e->id, sizeof e->id, 1, fp) != 1)
			break;
	}
	buf_release(&key);
	if (i < ru->nke || fflush(fp) != 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return (buf_error(ru->err, _("cannot write a temporary file "
		    "to sort: %s"), strerror(errno)));
	}
	ru->nke = 0;
	buf_reset(&ru->karena);
	ru->runs = xreallocarray(ru->runs, ru->nruns + 1, sizeof *ru->runs);
	ru->runs[ru->nruns++] = fp;
	return (0);
}

/* A record's key (made in ru->kcur) into the sort. */
static int
ksort_add(struct run *ru, uint64_t id)
{
	const struct buf *key = &ru->kcur;
	uint64_t	 k = ru->skip + ru->want;
	struct sent	*e;

	ru->matched++;
	if (ru->has_cut && keycmp(key, &ru->kcut) > 0)
		return (0);
	/* Tails are found by 32-bit offsets. */
	if (ru->karena.len + key->len > UINT32_MAX && ksort_spill(ru) != 0)
		return (-1);
	if (ru->nke == ru->ake) {
		ru->ake = ru->ake ? ru->ake * 2 : 1024;
		ru->ke = xreallocarray(ru->ke, ru->ake, sizeof *ru->ke);
	}
	e = &ru->ke[ru->nke++];
	sent_put(e, &ru->karena, key->data, key->len, id);
	/* A limit keeps the best k: cut back now and then. */
	if (k < SIZE_MAX / 4 && ru->nke >= 2 * k + 4096)
		ksort_prune(ru, (size_t)k);
	if (ksort_mem(ru) > mem_budget) {
		if (k < ru->nke)
			ksort_prune(ru, (size_t)k);
		if (ksort_mem(ru) > mem_budget)
			return (ksort_spill(ru));
	}
	return (0);
}

/*
 * Is the record's key surely past the cut, by the start of its first
 * key's text alone?  The fold key of a text's start is the start of
 * its fold key (one code point for one), so when the key of the first
 * KEY_PEEK bytes already sorts after the cut, so does the whole key:
 * a sort by a name with a limit folds a few letters of most names, not
 * all of them.
 */
#define KEY_PEEK	24

static int
ksort_past_cut(struct run *ru, const struct record *rec)
{
	const struct qexpr *x;
	const struct value *rv;
	struct buf	*b = &ru->kpeek;
	size_t		 n, i;
	int		 c;

	if (!ru->has_cut || ru->q->nsorts == 0)
		return (0);
	x = ru->q->sorts[0].x;
	if (x->npath != 1 || x->func != QF_NONE ||
	    x->pseudo != QP_NONE || !x->fold || FT_IS_INT(x->type) ||
	    FT_IS_INT(x->path[0]->type))
		return (0);
	rv = &rec->values[x->path[0]->pos];
	if (!rv->set || rv->s == NULL || rv->len <= KEY_PEEK)
		return (0);
	/* At the start of a character. */
	for (n = KEY_PEEK; n > 0 && ((unsigned char)rv->s[n] & 0xC0) ==
	    0x80; n--)
		;
	buf_reset(b);
	buf_addch(b, 1);
	key_fold(b, rv->s, n);
	if (ru->q->sorts[0].desc)
		for (i = 0; i < b->len; i++)
			b->data[i] = (char)~(unsigned char)b->data[i];
	n = b->len < ru->kcut.len ? b->len : ru->kcut.len;
	c = memcmp(b->data, ru->kcut.data, n);
	return (c > 0 || (c == 0 && ru->kcut.len < b->len));
}

/* The sort key of a record that matched, into the sort (inside the
 * chunk's transaction; the record stays the caller's). */
static int
ksort_take(struct run *ru, const struct record *rec)
{
	if (ksort_past_cut(ru, rec)) {
		ru->matched++;
		return (0);
	}
	if (sort_key(ru, rec, &ru->kcur) != 0)
		return (-1);
	if (ru->has_pos && keycmp(&ru->kcur, &ru->pskey) <= 0)
		return (0);
	return (ksort_add(ru, rec->id));
}

/*
 * The rows to give: their keys and ids, in order, then their records
 * and values read in one transaction.  A record gone since (deleted or
 * archived between the transactions) gives no row.
 */
struct kbyid {
	uint64_t	 id;
	size_t		 at;		/* the item's index */
};
struct kbatch {
	struct run	*ru;
	struct item	*items;
	size_t		 n;
	struct kbyid	*byid;		/* in id order */
};

static int
kfetch_one(uint64_t id, const void *data, size_t len, void *arg)
{
	struct kbatch	*kb = arg;
	struct run	*ru = kb->ru;
	size_t		 lo = 0, hi = kb->n, mid;
	struct item	*it;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (kb->byid[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == kb->n || kb->byid[lo].id != id)
		return (0);
	it = &kb->items[kb->byid[lo].at];
	it->rec = record_new(ru->q->table);
	it->rec->id = id;
	if (record_decode(it->rec, data, len, ru->err) != 0) {
		buf_prefix(ru->err, _("record %llu of table '%s': "),
		    (unsigned long long)id, ru->q->table->name);
		return (-1);
	}
	return (0);
}

static int
kfetch_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct kbatch	*kb = arg;
	struct run	*ru = kb->ru;
	uint64_t	*ids;
	size_t		 i;
	int		 rv;

	ru->r.txn = txn;
	ru->err = err;
	/* Afresh when run again after a deadlock. */
	for (i = 0; i < kb->n; i++) {
		struct item *it = &kb->items[i];

		record_free(it->rec);
		it->rec = NULL;
		vals_free(ru->q, it->vals);
		it->vals = NULL;
	}
	ids = xcalloc(kb->n, sizeof *ids);
	for (i = 0; i < kb->n; i++)
		ids[i] = kb->byid[i].id;
	rv = fetch_ids(ru, txn, ids, kb->n, kfetch_one, kb, err);
	free(ids);
	for (i = 0; i < kb->n && rv >= 0; i++) {
		struct item *it = &kb->items[i];

		if (it->rec == NULL)
			continue;
		if (ru->p.f != NULL)
			walk_key(ru, it->rec, &it->ixkey);
		if (row_values(ru, it) != 0)
			rv = -1;
	}
	ru->r.txn = NULL;
	return (rv == 0 ? 0 : -1);
}

static int
byid_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct kbyid *)a)->id;
	uint64_t y = ((const struct kbyid *)b)->id;

	return (x < y ? -1 : x > y);
}

/* Give the rows of n entries in order (keys in arena). */
static int
kgive(struct run *ru, const char *arena, const struct sent *e, size_t n)
{
	struct kbatch	 kb;
	size_t		 i, j, m;
	int		 rv = -1;

	memset(&kb, 0, sizeof kb);
	kb.ru = ru;
	kb.items = xcalloc(CHUNK, sizeof *kb.items);
	kb.byid = xcalloc(CHUNK, sizeof *kb.byid);
	for (i = 0; i < n && !ru->stop; i += m) {
		m = n - i < CHUNK ? n - i : CHUNK;
		kb.n = m;
		for (j = 0; j < m; j++) {
			struct item *it = &kb.items[j];

			memset(it, 0, sizeof *it);
			buf_init(&it->skey);
			buf_init(&it->ixkey);
			sent_bytes(arena, &e[i + j], &it->skey);
			it->keyed = 1;
			kb.byid[j].id = e[i + j].id;
			kb.byid[j].at = j;
		}
		qsort(kb.byid, m, sizeof *kb.byid, byid_cmp);
		if (store_txn_run(access_store(ru->r.s), STORE_TXN_READONLY,
		    kfetch_txn, &kb, ru->err) < 0)
			goto out;
		for (j = 0; j < m && !ru->stop; j++) {
			if (kb.items[j].rec == NULL) {
				/* Gone: still one the offset skips. */
				if (ru->taken < ru->skip) {
					ru->seen++;
					ru->taken++;
				}
				continue;
			}
			if (give(ru, &kb.items[j]) != 0)
				goto out;
		}
		if (note_last(ru) != 0)
			goto out;
		for (j = 0; j < m; j++)
			item_release(&kb.items[j], ru->q);
		kb.n = 0;
	}
	rv = 0;
out:
	for (j = 0; j < kb.n; j++)
		item_release(&kb.items[j], ru->q);
	free(kb.items);
	free(kb.byid);
	return (rv);
}

/* Read the next entry of a run into key and *id; 0 at its end. */
static int
krun_read(struct run *ru, FILE *fp, struct buf *key, uint64_t *id)
{
	uint32_t	kl;

	buf_reset(key);
	if (fread(&kl, sizeof kl, 1, fp) != 1)
		return (0);
	buf_grow(key, kl);
	if (fread(key->data, 1, kl, fp) != kl ||
	    fread(id, sizeof *id, 1, fp) != 1)
		return (buf_error(ru->err, _("cannot read a temporary file "
		    "of the sort")));
	key->len = kl;
	key->data[kl] = '\0';
	return (1);
}

/* The runs, merged, to the caller (the collection spilled first). */
static int
ksort_merge(struct run *ru)
{
	struct buf	*heads = NULL, held = BUF_INIT, out = BUF_INIT;
	struct sent	*oe = NULL;
	uint64_t	*hid = NULL, heldid = 0;
	int		*live = NULL, got, has_held = 0;
	size_t		 i, best, no = 0;
	int		 rv = -1;

	if (ru->nke > 0 && ksort_spill(ru) != 0)
		return (-1);
	heads = xcalloc(ru->nruns, sizeof *heads);
	hid = xcalloc(ru->nruns, sizeof *hid);
	live = xcalloc(ru->nruns, sizeof *live);
	oe = xcalloc(CHUNK + 1, sizeof *oe);
	for (i = 0; i < ru->nruns; i++) {
		buf_init(&heads[i]);
		if ((live[i] = krun_read(ru, ru->runs[i], &heads[i],
		    &hid[i])) < 0)
			goto out;
	}
	while (!ru->stop) {
		best = SIZE_MAX;
		for (i = 0; i < ru->nruns; i++)
			if (live[i] && (best == SIZE_MAX ||
			    keycmp(&heads[i], &heads[best]) < 0))
				best = i;
		if (best != SIZE_MAX) {
			/*
			 * The rows the offset skips need no record, but the
			 * last of them is held back: when no row follows,
			 * it is the last consumed, for the next position.
			 */
			if (ru->taken + (uint64_t)has_held < ru->skip) {
				if (has_held) {
					ru->seen++;
					ru->taken++;
				}
				buf_reset(&held);
				buf_add(&held, heads[best].data,
				    heads[best].len);
				heldid = hid[best];
				has_held = 1;
			} else {
				if (has_held) {
					sent_put(&oe[no++], &out, held.data,
					    held.len, heldid);
					has_held = 0;
				}
				sent_put(&oe[no++], &out, heads[best].data,
				    heads[best].len, hid[best]);
			}
			if ((got = krun_read(ru, ru->runs[best],
			    &heads[best], &hid[best])) < 0)
				goto out;
			live[best] = got;
		} else if (has_held) {
			sent_put(&oe[no++], &out, held.data, held.len, heldid);
			has_held = 0;
		}
		if (no >= CHUNK || (best == SIZE_MAX && no > 0)) {
			if (kgive(ru, out.data, oe, no) != 0)
				goto out;
			no = 0;
			buf_reset(&out);
		}
		if (best == SIZE_MAX)
			break;
	}
	rv = 0;
out:
	for (i = 0; heads != NULL && i < ru->nruns; i++)
		buf_release(&heads[i]);
	free(heads);
	free(hid);
	free(live);
	free(oe);
	buf_release(&held);
	buf_release(&out);
	return (rv);
}

/* The sorted rows to the caller. */
static int
ksort_finish(struct run *ru)
{
	size_t		 n = ru->nke, s, w;
	struct sent	*e = ru->ke;
	struct sctx	 cx = ksort_cx(ru, &ru->karena);

	if (ru->nruns > 0)
		return (ksort_merge(ru));
	if (n == 0)
		return (0);
	/*
	 * The rows the offset skips are not put in order: the greatest
	 * of them is found (the last consumed, when no row follows, for
	 * the next position), then the rows given among the rest, and
	 * only those are sorted.
	 */
	s = ru->skip < n ? (size_t)ru->skip : n;
	if (s > 0) {
		sent_select(&cx, e, n, s - 1);
		ru->seen += s - 1;
		ru->taken += s - 1;
	}
	w = n - s;
	if (ru->want < w) {
		w = (size_t)ru->want;
		sent_select(&cx, e + s, n - s, w - 1);
	}
	sent_sort(&cx, e + s, w);
	return (kgive(ru, cx.arena, e + (s > 0 ? s - 1 : 0), w + (s > 0)));
}

/*
 * Position tokens: hex of "Q2", seen, id, the sort key, the name of the
 * index walked and the key in it; "Q1" tokens (no index name) are read
 * as of the index the plan walks.
 */
static void
hex_add(struct buf *out, const void *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *b = p;
	size_t		 i;

	for (i = 0; i < n; i++) {
		buf_addch(out, hx[b[i] >> 4]);
		buf_addch(out, hx[b[i] & 15]);
	}
}

static void
put64(struct buf *b, uint64_t v)
{
	unsigned char	x[8];
	int		i;

	for (i = 7; i >= 0; i--, v >>= 8)
		x[i] = (unsigned char)v;
	buf_add(b, x, 8);
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (v);
}

static void
pos_make(uint64_t seen, uint64_t id, const struct buf *skey,
    const char *ix, const struct buf *ixkey, struct buf *out)
{
	struct buf	raw = BUF_INIT;

	if (ix == NULL)
		ix = "";
	buf_adds(&raw, "Q2");
	put64(&raw, seen);
	put64(&raw, id);
	put64(&raw, skey->len);
	buf_add(&raw, skey->data, skey->len);
	put64(&raw, strlen(ix));
	buf_adds(&raw, ix);
	if (*ix != '\0')
		buf_add(&raw, ixkey->data, ixkey->len);
	buf_reset(out);
	hex_add(out, raw.data, raw.len);
	buf_release(&raw);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

static int
pos_parse(const char *tok, uint64_t *seen, uint64_t *id, struct buf *skey,
    struct buf *ix, int *has_ix, struct buf *ixkey, struct buf *err)
{
	struct buf	 raw = BUF_INIT;
	size_t		 i, n = strlen(tok), at;
	uint64_t	 kl, il;
	int		 a, b, q2;

	for (i = 0; i + 1 < n; i += 2) {
		if ((a = hexval(tok[i])) < 0 || (b = hexval(tok[i + 1])) < 0)
			break;
		buf_addch(&raw, a << 4 | b);
	}
	if (i != n || raw.len < 26 || (memcmp(raw.data, "Q1", 2) != 0 &&
	    memcmp(raw.data, "Q2", 2) != 0))
		goto bad;
	q2 = raw.data[1] == '2';
	*seen = get64((unsigned char *)raw.data + 2);
	*id = get64((unsigned char *)raw.data + 10);
	kl = get64((unsigned char *)raw.data + 18);
	if (kl > raw.len - 26)
		goto bad;
	buf_reset(skey);
	buf_add(skey, raw.data + 26, kl);
	at = 26 + (size_t)kl;
	buf_reset(ix);
	*has_ix = q2;
	if (q2) {
		if (raw.len - at < 8)
			goto bad;
		il = get64((unsigned char *)raw.data + at);
		at += 8;
		if (il > raw.len - at)
			goto bad;
		buf_add(ix, raw.data + at, (size_t)il);
		at += (size_t)il;
	}
	buf_reset(ixkey);
	buf_add(ixkey, raw.data + at, raw.len - at);
	buf_release(&raw);
	return (0);
bad:
	buf_release(&raw);
	return (buf_error(err, _("'%.40s' is not a position in a query's "
	    "rows"), tok));
}

static int
add_checked(int64_t *acc, int64_t v, struct buf *err, const char *name)
{
	if (__builtin_add_overflow(*acc, v, acc))
		return (buf_error(err, _("the sum of '%s' is too large"),
		    name));
	return (0);
}

static void
best_set(struct value *b, const struct qv *v)
{
	free(b->s);
	qv_to_value(v, b);
}

static void
value_qv(const struct value *v, struct qv *out)
{
	memset(out, 0, sizeof *out);
	out->set = v->set;
	out->i = v->i;
	out->s = v->s;
	out->len = v->len;
}

/* Fold one record's aggregates' arguments (av, one per aggregate) into
 * group g. */
static int
group_fold(struct run *ru, struct group *g, const struct value *av)
{
	const struct query *q = ru->q;
	struct qv	 v, b;
	size_t		 i;

	g->nrec++;
	for (i = 0; i < q->naggs; i++) {
		const struct qexpr *x = q->aggs[i];
		struct agg	*a = &g->aggs[i];

		value_qv(&av[i], &v);
		if (!v.set)
			continue;
		a->count++;
		switch (x->agg) {
		case QA_SUM:
		case QA_AVG:
			if (add_checked(&a->sum, v.i, ru->err, x->name) != 0)
				return (-1);
			break;
		case QA_MIN:
		case QA_MAX:
			value_qv(&a->best, &b);
			if (!b.set || (x->agg == QA_MIN ? qv_cmp(x, &v, &b) < 0 :
			    qv_cmp(x, &v, &b) > 0))
				best_set(&a->best, &v);
			break;
		default:
			break;
		}
	}
	return (0);
}

/*
 * The elements a group key of a record gives: one value, or for a field
 * holding a list (phones) each element once, so a client with two
 * phones is in the group of each.  An empty list is one unset key.
 * Returns how many went into *el (grown as needed).
 */
static size_t
key_elements(const struct qexpr *x, const struct value *val, struct qv **el,
    size_t *ael)
{
	struct buf	 ka = BUF_INIT, kb = BUF_INIT;
	struct qv	 v, e;
	const char	*p, *nl, *end;
	size_t		 n = 0, j;

	value_qv(val, &v);
	if (!x->multi || !v.set || FT_IS_INT(x->type) || v.s == NULL) {
		if (*ael < 1) {
			*el = xreallocarray(*el, 1, sizeof **el);
			*ael = 1;
		}
		(*el)[0] = v;
		return (1);
	}
	end = v.s + v.len;
	for (p = v.s; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p)
			continue;
		e = v;
		e.s = p;
		e.len = (size_t)(nl - p);
		/* An element twice in one list is one membership. */
		buf_reset(&ka);
		qv_key(x, &e, 0, &ka);
		for (j = 0; j < n; j++) {
			buf_reset(&kb);
			qv_key(x, &(*el)[j], 0, &kb);
			if (keycmp(&ka, &kb) == 0)
				break;
		}
		if (j < n)
			continue;
		if (n == *ael) {
			*ael = *ael ? *ael * 2 : 4;
			*el = xreallocarray(*el, *ael, sizeof **el);
		}
		(*el)[n++] = e;
	}
	buf_release(&ka);
	buf_release(&kb);
	if (n == 0) {
		memset(&v, 0, sizeof v);
		if (*ael < 1) {
			*el = xreallocarray(*el, 1, sizeof **el);
			*ael = 1;
		}
		(*el)[0] = v;
		n = 1;
	}
	return (n);
}

/*
 * Fold one matched record into its groups, from the values its item got
 * in the transaction (group keys, then the aggregates' arguments), so
 * a transaction run again never counts a record twice.  A key on a list
 * puts the record in the group of each of its elements (with several
 * such keys, of each combination).
 */
static int
group_add(struct run *ru, struct gtab *gt, const struct value *vals)
{
	const struct query *q = ru->q;
	struct buf	 key = BUF_INIT;
	struct group	*g;
	struct qv	**el;
	size_t		*nel, *ael, *at, i;
	int		 isnew, rv = -1;

	/* No key on a list: one group, straight from the values. */
	for (i = 0; i < q->ngroups && !q->groups[i]->multi; i++)
		;
	if (i == q->ngroups) {
		struct qv	v;

		for (i = 0; i < q->ngroups; i++) {
			value_qv(&vals[i], &v);
			qv_key(q->groups[i], &v, 0, &key);
		}
		g = gtab_get(gt, q, &key, &isnew);
		if (isnew) {
			for (i = 0; i < q->ngroups; i++) {
				value_qv(&vals[i], &v);
				qv_to_value(&v, &g->keys[i]);
			}
			gt->mem += sizeof *g + key.len * 2 + 64 *
			    (q->ngroups + q->naggs);
		}
		buf_release(&key);
		return (group_fold(ru, g, vals + q->ngroups));
	}
	el = xcalloc(q->ngroups + 1, sizeof *el);
	nel = xcalloc(q->ngroups + 1, sizeof *nel);
	ael = xcalloc(q->ngroups + 1, sizeof *ael);
	at = xcalloc(q->ngroups + 1, sizeof *at);
	for (i = 0; i < q->ngroups; i++)
		nel[i] = key_elements(q->groups[i], &vals[i], &el[i], &ael[i]);
	for (;;) {
		buf_reset(&key);
		for (i = 0; i < q->ngroups; i++)
			qv_key(q->groups[i], &el[i][at[i]], 0, &key);
		g = gtab_get(gt, q, &key, &isnew);
		if (isnew) {
			for (i = 0; i < q->ngroups; i++)
				qv_to_value(&el[i][at[i]], &g->keys[i]);
			gt->mem += sizeof *g + key.len * 2 + 64 *
			    (q->ngroups + q->naggs);
		}
		if (group_fold(ru, g, vals + q->ngroups) != 0)
			goto out;
		/* The next combination, the last key fastest. */
		for (i = q->ngroups; i > 0; i--) {
			if (++at[i - 1] < nel[i - 1])
				break;
			at[i - 1] = 0;
		}
		if (i == 0)
			break;
	}
	rv = 0;
out:
	for (i = 0; i < q->ngroups; i++)
		free(el[i]);
	free(el);
	free(nel);
	free(ael);
	free(at);
	buf_release(&key);
	return (rv);
}

/* An aggregate's value: avg rounds half away from zero. */
static void
agg_value(const struct qexpr *x, const struct agg *a, struct value *out)
{
	memset(out, 0, sizeof *out);
	switch (x->agg) {
	case QA_COUNT:
		out->set = 1;
		out->i = a->count;
		break;
	case QA_SUM:
		/* The sum of no values is no value, as in SQL. */
		if (a->count == 0)
			break;
		out->set = 1;
		out->i = a->sum;
		break;
	case QA_AVG:
		if (a->count == 0)
			break;
		out->set = 1;
		out->i = a->sum / a->count;
		if (2 * (a->sum % a->count < 0 ? -(a->sum % a->count) :
		    a->sum % a->count) >= a->count)
			out->i += a->sum < 0 ? -1 : 1;
		break;
	case QA_MIN:
	case QA_MAX:
		if (a->best.set) {
			out->set = 1;
			out->i = a->best.i;
			if (a->best.s != NULL) {
				out->s = xstrndup(a->best.s, a->best.len);
				out->len = a->best.len;
			}
		}
		break;
	case QA_NONE:
		break;
	}
}

/* Combine b into a (subtotals). */
static int
agg_merge(const struct qexpr *x, struct agg *a, const struct agg *b,
    struct buf *err)
{
	struct qv	va, vb;

	a->count += b->count;
	if (add_checked(&a->sum, b->sum, err, x->name) != 0)
		return (-1);
	if (b->best.set) {
		memset(&va, 0, sizeof va);
		memset(&vb, 0, sizeof vb);
		va.set = a->best.set;
		va.i = a->best.i;
		va.s = a->best.s;
		va.len = a->best.len;
		vb.set = 1;
		vb.i = b->best.i;
		vb.s = b->best.s;
		vb.len = b->best.len;
		if (!va.set || (x->agg == QA_MIN ? qv_cmp(x, &vb, &va) < 0 :
		    qv_cmp(x, &vb, &va) > 0))
			best_set(&a->best, &vb);
	}
	return (0);
}

/* Do groups a and b share their first pre keys? */
static int
prefix_equal(const struct query *q, const struct group *a,
    const struct group *b, size_t pre)
{
	struct buf	ka = BUF_INIT, kb = BUF_INIT;
	struct qv	v;
	size_t		i;
	int		eq;

	for (i = 0; i < pre; i++) {
		value_qv(&a->keys[i], &v);
		qv_key(q->groups[i], &v, 0, &ka);
		value_qv(&b->keys[i], &v);
		qv_key(q->groups[i], &v, 0, &kb);
	}
	eq = keycmp(&ka, &kb) == 0;
	buf_release(&ka);
	buf_release(&kb);
	return (eq);
}

static int
group_cmp(const void *a, const void *b)
{
	return (keycmp(&(*(struct group *const *)a)->skey,
	    &(*(struct group *const *)b)->skey));
}

/* The values of a row: the first nkeys keys of g, the aggregates. */
static void
group_row(const struct query *q, const struct group *g,
    const struct agg *aggs, size_t nkeys, struct value *vals)
{
	size_t	i;

	for (i = 0; i < q->ngroups; i++) {
		memset(&vals[i], 0, sizeof vals[i]);
		if (i < nkeys && g->keys[i].set) {
			vals[i] = g->keys[i];
			vals[i].s = g->keys[i].s != NULL ?
			    xstrndup(g->keys[i].s, g->keys[i].len) : NULL;
		}
	}
	for (i = 0; i < q->naggs; i++)
		agg_value(q->aggs[i], &aggs[i], &vals[q->ngroups + i]);
}

static void
vals_clear(struct value *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i].s);
	memset(v, 0, n * sizeof *v);
}

/* A group row to the caller, unless before the position or offset. */
static int
group_give(struct run *ru, struct value *vals, int level)
{
	struct query_row row;

	ru->seen++;
	if (ru->seen <= ru->pid)
		return (0);
	if (level == 0 && ru->taken < ru->skip) {
		ru->taken++;
		return (0);
	}
	memset(&row, 0, sizeof row);
	row.vals = vals;
	row.level = level;
	ru->given++;
	if (ru->fn(&row, ru->arg, ru->err) != 0)
		return (-1);
	if (ru->given >= ru->want)
		ru->stop = 1;
	return (0);
}

/*
 * Can a group query read its records in place (group_scan_one)?  When
 * the plan scans forward and nothing it computes needs the whole
 * record: no key on a list (each element its group, group_add()), no
 * record's times of its own.
 */
static int
group_in_place(const struct run *ru)
{
	const struct query *q = ru->q;
	struct scan_arg	 sa;
	size_t		 i;

	if (!is_scan(&ru->p))
		return (0);
	for (i = 0; i < q->ngroups; i++)
		if (q->groups[i]->multi)
			return (0);
	memset(&sa, 0, sizeof sa);
	sa.lazy = 1;
	need_fields(q->where, &sa);
	for (i = 0; i < q->ngroups; i++)
		need_expr(q->groups[i], &sa);
	for (i = 0; i < q->naggs; i++)
		need_expr(q->aggs[i], &sa);
	free(sa.need);
	return (sa.lazy);
}

/* Fold what a chunk staged, its transaction over; av is room for the
 * aggregates' values. */
static int
group_unstage(struct run *ru, struct value *av)
{
	const struct query *q = ru->q;
	const struct gval *gv = ru->sv;
	size_t		 i, j;

	for (i = 0; i < ru->nstage; i++) {
		for (j = 0; j < q->naggs; j++, gv++) {
			av[j].set = gv->set;
			av[j].i = gv->i;
			av[j].s = gv->text ? ru->sarena.data + gv->off : NULL;
			av[j].len = gv->len;
		}
		if (group_fold(ru, ru->stage[i], av) != 0) {
			memset(av, 0, q->naggs * sizeof *av);
			return (-1);
		}
	}
	/* The values were borrowed: nothing of them to free. */
	memset(av, 0, q->naggs * sizeof *av);
	ru->nstage = 0;
	return (0);
}

/*
 * A group query: every matching record into the hash table, then
 * 'having', the order (the sort's keys, else the group keys), and in
 * key order the subtotals of nested groups and the grand total.  The
 * position of a group query is the number of rows before it.
 */
static int
run_group(struct run *ru)
{
	const struct query *q = ru->q;
	struct gtab	 gt;
	struct group	**shown = NULL, *g;
	struct agg	*sub = NULL;
	struct value	*vals;
	size_t		 nshown = 0, i, j, k, ncols = q->ncols;
	size_t		 na = q->naggs ? q->naggs : 1;
	struct qv	 v;
	int		 rv = -1, subtotals;

	memset(&gt, 0, sizeof gt);
	vals = xcalloc(ncols ? ncols : 1, sizeof *vals);
	ru->gt = &gt;
	ru->gscan = group_in_place(ru);
	while (!ru->exhausted) {
		ru->chunk = next_chunk(ru);
		if (chunk(ru) != 0)
			goto out;
		if (ru->gscan && group_unstage(ru, vals) != 0)
			goto out;
		for (i = 0; i < ru->nbatch; i++)
			if (group_add(ru, &gt, ru->batch[i].vals) != 0)
				goto out;
		batch_reset(ru);
	}
	for (i = 0; i < gt.n; i++) {
		g = gt.list[i];
		if (g->nrec == 0)
			continue;
		group_row(q, g, g->aggs, q->ngroups, vals);
		if (!qhaving(&ru->r, q->having, vals)) {
			vals_clear(vals, ncols);
			continue;
		}
		buf_reset(&g->skey);
		for (j = 0; j < q->nsorts; j++) {
			value_qv(&vals[q->sorts[j].x->slot], &v);
			qv_key(q->sorts[j].x, &v, q->sorts[j].desc, &g->skey);
		}
		buf_add(&g->skey, g->key, g->keylen);
		vals_clear(vals, ncols);
		shown = xreallocarray(shown, nshown + 1, sizeof *shown);
		shown[nshown++] = g;
	}
	if (nshown > 1)
		qsort(shown, nshown, sizeof *shown, group_cmp);
	subtotals = q->ngroups > 0 && q->nsorts == 0 &&
	    q->limit == UINT64_MAX && q->offset == 0;
	sub = xcalloc((q->ngroups + 1) * na, sizeof *sub);
	for (i = 0; i < nshown && !ru->stop; i++) {
		g = shown[i];
		group_row(q, g, g->aggs, q->ngroups, vals);
		rv = group_give(ru, vals, 0);
		vals_clear(vals, ncols);
		if (rv != 0)
			goto out;
		rv = -1;
		if (!subtotals)
			continue;
		for (k = 1; k <= q->ngroups; k++)
			for (j = 0; j < q->naggs; j++)
				if (agg_merge(q->aggs[j], &sub[k * na + j],
				    &g->aggs[j], ru->err) != 0)
					goto out;
		/* Level k sums the groups sharing the first ngroups - k
		 * keys; it closes when the next group differs there. */
		for (k = 1; k <= q->ngroups && !ru->stop; k++) {
			size_t	pre = q->ngroups - k;

			if (i + 1 < nshown && prefix_equal(q, g, shown[i + 1],
			    pre))
				break;
			group_row(q, g, &sub[k * na], pre, vals);
			rv = group_give(ru, vals, (int)k);
			vals_clear(vals, ncols);
			if (rv != 0)
				goto out;
			rv = -1;
			for (j = 0; j < q->naggs; j++) {
				free(sub[k * na + j].best.s);
				memset(&sub[k * na + j], 0, sizeof *sub);
			}
		}
	}
	rv = 0;
out:
	if (sub != NULL)
		for (i = 0; i < (q->ngroups + 1) * na; i++)
			free(sub[i].best.s);
	free(sub);
	vals_clear(vals, ncols);
	free(vals);
	free(shown);
	for (i = 0; i < gt.n; i++)
		group_free(gt.list[i], q);
	free(gt.list);
	free(gt.slots);
	free(gt.hashes);
	ru->gt = NULL;
	return (rv);
}

/* Records: stream them when the walk gives the order, else sort. */
static int
run_records(struct run *ru)
{
	size_t	i;

	while (!ru->exhausted && !ru->stop) {
		/* (The first chunk's size follows from its plan.) */
		if (ru->planned)
			ru->chunk = next_chunk(ru);
		if (chunk(ru) != 0)
			return (-1);
		/* Rows in order come in the batch; a sort's keys went
		 * to the sort (ksort_take()). */
		for (i = 0; i < ru->nbatch; i++) {
			if (!ru->stop && give(ru, &ru->batch[i]) != 0)
				return (-1);
			if (!ru->stop)
				ru->matched++;
		}
		if (note_last(ru) != 0)
			return (-1);
		batch_reset(ru);
	}
	if (ru->p.ordered)
		return (0);
	return (ksort_finish(ru));
}

int
query_each(struct session *s, const struct query *q, const char *after,
    size_t n, query_row_fn *fn, void *arg, struct buf *next, int *more,
    struct buf *err)
{
	struct run	ru;
	uint64_t	end, pos;
	size_t		i;
	int		rv = -1, has_ix = 0;

	if (more != NULL)
		*more = 0;
	memset(&ru, 0, sizeof ru);
	ru.q = q;
	ru.err = err;
	ru.fn = fn;
	ru.arg = arg;
	buf_init(&ru.pskey);
	buf_init(&ru.pixkey);
	buf_init(&ru.pix);
	buf_init(&ru.lskey);
	buf_init(&ru.lixkey);
	buf_init(&ru.wkey);
	buf_init(&ru.nwkey);
	buf_init(&ru.sarena);
	buf_init(&ru.karena);
	buf_init(&ru.kcut);
	buf_init(&ru.kcur);
	buf_init(&ru.kpeek);
	keyset_init(&ru.ks);
	qrun_init(&ru.r, s, q);
	pools_take(&ru);
	if (after != NULL && *after != '\0') {
		if (pos_parse(after, &ru.seen, &ru.pid, &ru.pskey, &ru.pix,
		    &has_ix, &ru.pixkey, err) != 0)
			goto out;
		ru.has_pos = 1;
		ru.lix_ok = 1;
		buf_add(&ru.lskey, ru.pskey.data, ru.pskey.len);
		buf_add(&ru.lixkey, ru.pixkey.data, ru.pixkey.len);
		ru.lid = ru.pid;
	}
	/* The offset still to skip, and what the limit leaves. */
	pos = ru.seen;
	ru.skip = pos < q->offset ? q->offset - pos : 0;
	if (q->limit == UINT64_MAX)
		end = UINT64_MAX;
	else
		end = q->offset + q->limit < q->offset ? UINT64_MAX :
		    q->offset + q->limit;
	ru.want = end == UINT64_MAX ? n : end > pos + ru.skip ?
	    end - pos - ru.skip : 0;
	if (ru.want > n)
		ru.want = n;
	if (ru.want == 0) {
		rv = 0;
		if (next != NULL)
			pos_make(ru.seen, ru.lid, &ru.lskey, has_ix ?
			    ru.pix.data : NULL, &ru.lixkey, next);
		goto out;
	}
	if (q->is_group) {
		/* A group position counts rows; seen restarts from 0. */
		ru.pid = ru.has_pos ? ru.seen : 0;
		ru.seen = 0;
		ru.has_pos = 0;		/* the walk starts at the start */
		ru.skip = q->offset;
		ru.taken = ru.pid < q->offset ? ru.pid : q->offset;
		ru.gbase = ru.pid - ru.taken;
		ru.want = n;
		if (q->limit != UINT64_MAX && ru.pid - ru.taken +
		    n > q->limit)
			ru.want = ru.pid - ru.taken >= q->limit ? 0 :
			    q->limit - (ru.pid - ru.taken);
		if (ru.want == 0) {
			rv = 0;
			if (next != NULL)
				pos_make(ru.pid, 0, &ru.lskey, has_ix ?
				    ru.pix.data : NULL, &ru.lixkey, next);
			goto out;
		}
	}
	ru.has_ix = has_ix;
	ru.pl.r = &ru.r;
	ru.pl.p = &ru.p;
	ru.pl.want = sat_add(ru.skip, ru.want);
	ru.pl.err = err;
	if (q->is_group) {
		if (plan_make(&ru.r, &ru.p, ru.pl.want, 0, err) != 0)
			goto out;
		ru.planned = 1;
		plan_use(&ru);
		plan_taken(&ru);
		if (run_group(&ru) != 0)
			goto out;
	} else if (run_records(&ru) != 0)
		goto out;
	/* More rows may follow when this call stopped at n, short of the
	 * limit (or, sorted, when more matched than it gave). */
	if (more != NULL) {
		*more = ru.stop;
		if (!q->is_group && !ru.p.ordered)
			*more = ru.matched > ru.skip + ru.want;
		if (q->limit != UINT64_MAX && (q->is_group ? ru.gbase +
		    ru.given >= q->limit : pos + ru.skip + ru.given >= end))
			*more = 0;
	}
	if (next != NULL)
		pos_make(ru.seen, ru.lid, &ru.lskey, ru.lix_ok ? ru.p.ix :
		    NULL, &ru.lixkey, next);
	rv = 0;
out:
	batch_reset(&ru);
	pools_release(&ru);
	free(ru.batch);
	free(ru.stage);
	free(ru.sv);
	buf_release(&ru.sarena);
	keyset_release(&ru.ks);
	free(ru.ke);
	buf_release(&ru.karena);
	buf_release(&ru.kcut);
	buf_release(&ru.kcur);
	buf_release(&ru.kpeek);
	for (i = 0; i < ru.nruns; i++)
		fclose(ru.runs[i]);
	free(ru.runs);
	plan_free(&ru.p);
	free(ru.pl.ids);
	qrun_release(&ru.r);
	buf_release(&ru.pskey);
	buf_release(&ru.pixkey);
	buf_release(&ru.pix);
	buf_release(&ru.lskey);
	buf_release(&ru.lixkey);
	buf_release(&ru.wkey);
	buf_release(&ru.nwkey);
	return (rv);
}

void
query_rows_init(struct query_rows *rows)
{
	memset(rows, 0, sizeof *rows);
	buf_init(&rows->next);
}

void
query_rows_release(struct query_rows *rows)
{
	size_t	i, j;

	for (i = 0; i < rows->n; i++) {
		record_free(rows->rows[i].rec);
		for (j = 0; j < rows->ncols; j++)
			free(rows->rows[i].vals[j].s);
		free(rows->rows[i].vals);
	}
	free(rows->rows);
	buf_release(&rows->next);
	memset(rows, 0, sizeof *rows);
	buf_init(&rows->next);
}

void
query_rows_add(const struct query *q, struct query_rows *rows,
    const struct query_row *row)
{
	struct query_row *r;
	size_t		 i;

	rows->ncols = q->ncols;
	if (rows->n == rows->alloc) {
		rows->alloc = rows->alloc ? rows->alloc * 2 : 64;
		rows->rows = xreallocarray(rows->rows, rows->alloc,
		    sizeof *rows->rows);
	}
	r = &rows->rows[rows->n++];
	r->id = row->id;
	r->level = row->level;
	r->rec = row->rec != NULL ? record_dup(row->rec) : NULL;
	r->vals = xcalloc(q->ncols ? q->ncols : 1, sizeof *r->vals);
	for (i = 0; i < q->ncols; i++) {
		r->vals[i] = row->vals[i];
		if (row->vals[i].s != NULL)
			r->vals[i].s = xstrndup(row->vals[i].s,
			    row->vals[i].len);
	}
}

struct rows_arg {
	const struct query *q;
	struct query_rows *rows;
};

static int
rows_add(const struct query_row *row, void *arg, struct buf *err)
{
	struct rows_arg	*ra = arg;

	(void)err;
	query_rows_add(ra->q, ra->rows, row);
	return (0);
}

int
query_run(struct session *s, const struct query *q, const char *after,
    size_t n, struct query_rows *out, struct buf *err)
{
	struct rows_arg	ra = { q, out };

	out->ncols = q->ncols;
	return (query_each(s, q, after, n, rows_add, &ra, &out->next,
	    &out->more, err));
}
