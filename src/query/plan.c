/*
 * plan.c: the planner.  A plan is an id set (lookups of equality and
 * "in" conditions, search words, references by name, reference paths
 * followed through the other table's index, and the keys of a folded
 * index that contain a text, intersected) or a walk (ids in order, or
 * an index between bounds in either direction), chosen by cost from
 * estimates of each range (store_key_share(), read from the B-tree's
 * shape; the estimates read no record, so they need no session beyond
 * the count that checked the table may be read); and the plan's lines
 * for --explain.  Runs no query (run.c does); every read goes through
 * the session.  Must not print.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

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

void
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

/* A literal of field f for --explain, as a file writes it (500.50,
 * 2026-03-01), not as the index keeps it (50050, a day number). */
static void
lit_text(const struct field *f, const struct qval *v, struct buf *out)
{
	struct value	val;

	if (!FT_IS_INT(f->type)) {
		buf_printf(out, "'%s'", v->s);
		return;
	}
	/* A yes/no as the index keeps it, 1 or 0: the planner's view. */
	if (f->type == FT_BOOL) {
		buf_printf(out, "%lld", (long long)v->i);
		return;
	}
	memset(&val, 0, sizeof val);
	val.set = 1;
	val.i = v->i;
	record_value_format(f, f->type, &val, VALUE_FILE, 0, out);
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

static int share_rows(struct planner *, const struct field *, const char *,
    const struct buf *, const struct buf *, uint64_t *, int *);
static void plan_rows(struct buf *, uint64_t, int);
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
	int		 rv = 0, exact = 1, one_exact;

	if (total < EST_MIN)
		return (0);
	for (i = 0; i < n->nvals && rv == 0; i++) {
		lit_key(f, &n->vals[i], &lo);
		buf_reset(&hi);
		buf_add(&hi, lo.data, lo.len);
		buf_addch(&hi, (char)0xFF);
		if (share_rows(pl, f, ix, &lo, &hi, &one, &one_exact) != 0)
			rv = -1;
		rows += one;
		exact &= one_exact;
	}
	/* Twice the cap: the estimate is not the count. */
	if (rv == 0 && (rows * ID_COST >= total || rows > pl->cap * 2)) {
		plan_note(pl, "  index %s %s", ix, n->op == QO_EQ ? "=" :
		    "in");
		for (i = 0; i < n->nvals; i++) {
			buf_reset(&line);
			lit_text(f, &n->vals[i], &line);
			plan_note(pl, "%s%s", i ? ", " : " ", line.data);
		}
		buf_reset(&line);
		plan_rows(&line, rows, exact);
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
			lit_text(f, &n->vals[i], what);
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
		struct qval	vlo, vhi;

		memset(&vlo, 0, sizeof vlo);
		memset(&vhi, 0, sizeof vhi);
		vlo.i = lo;
		vhi.i = hi;
		buf_printf(what, "index %s from ", ix.data);
		lit_text(f, &vlo, what);
		buf_adds(what, " to ");
		lit_text(f, &vhi, what);
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
void
plan_conjuncts(const struct qnode *n, const struct qnode ***v, size_t *nv)
{
	if (n == NULL)
		return;
	if (n->kind == QN_AND) {
		plan_conjuncts(n->a, v, nv);
		plan_conjuncts(n->b, v, nv);
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

uint64_t
plan_sat_add(uint64_t a, uint64_t b)
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

/* The rows of a range, as a figure for --explain: "~1,234" estimated,
 * "1,234" counted. */
static void
plan_rows(struct buf *out, uint64_t n, int exact)
{
	char	digits[32];
	size_t	i, len;

	len = (size_t)snprintf(digits, sizeof digits, "%llu",
	    (unsigned long long)n);
	if (!exact)
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
 * (of field f) in [lo, hi) (NULL: open): the index's share
 * (store_key_share(), from the B-tree's shape) of the table's records.
 * The estimate reads no record: through the session only the count
 * (access_count) was read, which checked the table may be read.  An
 * index of few keys is counted instead: *exact is 1 when that count is
 * the records', which it is when each record has one key at most (not
 * a multi field's, whose record may have several).
 */
static int
share_rows(struct planner *pl, const struct field *f, const char *ix,
    const struct buf *lo, const struct buf *hi, uint64_t *rows, int *exact)
{
	uint64_t	share, entries;

	if (store_key_share(pl->txn, pl->r->q->table, ix,
	    lo != NULL ? lo->data : NULL, lo != NULL ? lo->len : 0,
	    hi != NULL ? hi->data : NULL, hi != NULL ? hi->len : 0, &share,
	    &entries, pl->err) != 0)
		return (-1);
	*exact = entries != UINT64_MAX && !f->multi;
	if (*exact)
		*rows = entries;
	else
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
    const struct qnode **c, size_t nc, uint64_t *rows, int *exact)
{
	struct plan	 b;
	struct buf	 line = BUF_INIT;
	const char	*kind = index_kind(f, walk_fold(f));
	char		*ix;
	int		 rv;

	memset(&b, 0, sizeof b);
	walk_bounds(&b, f, walk_fold(f), c, nc);
	xasprintf(&ix, "%s:%s", f->name, kind != NULL ? kind : "exact");
	rv = share_rows(pl, f, ix, b.has_lo ? &b.lo : NULL, b.has_hi ?
	    &b.hi : NULL, rows, exact);
	if (rv == 0 && pl->explain) {
		plan_rows(&line, *rows, *exact);
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

int
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
	int		*eexact = NULL, rf_exact = 0;
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
	plan_conjuncts(q->where, &c, &nc);
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
		eexact = xreallocarray(eexact, ne + 1, sizeof *eexact);
		ef[ne] = f;
		if (bounds_rows(pl, f, c, nc, &erows[ne], &eexact[ne]) != 0)
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
			if (ef[i] == rf) {
				rf_rows = erows[i];
				rf_exact = eexact[i];
			}
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
			plan_rows(&line, rf_rows, rf_exact);
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
		    " (the top rows of the limit)" : "", sort_mem_budget >> 20);
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
	free(eexact);
	buf_release(&what);
	buf_release(&line);
	r->txn = NULL;
	pl->txn = NULL;
	return (ok);
}

int
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
	if (plan_make(&r, &p, plan_sat_add(q->limit, q->offset), 1, err) != 0) {
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
