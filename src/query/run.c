/*
 * run.c: the executor.  Records come in chunks, each chunk one short
 * read-only transaction, as the plan (plan.c) says: ids fetched, an
 * index walked, or the table scanned in bulk with the condition tested
 * on the bytes in place; rows come out in the query's order either
 * straight from the walk (when its order is the query's) or through the
 * sort (sort.c); group queries aggregate in group.c over the chunks
 * made here.  The positions a page ends at are made and read here.
 * Every read goes through the session.  Must not print.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

#define SCAN_CHUNK	20000	/* records per bulk scan (read-committed) */

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
		if (ru->lend[i] == NULL)
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

void
run_batch_reset(struct run *ru)
{
	struct item	*it;
	size_t		 i;

	/* The records and values go back to the pools, the keys' buffers
	 * are let go; take() sets every field of an item it uses again,
	 * so the items are not cleared (five calls a row). */
	for (i = 0; i < ru->nbatch; i++) {
		it = &ru->batch[i];
		rec_put(ru, it->rec);
		vals_put(ru, it->vals);
		if (it->skey.alloc != 0)
			buf_release(&it->skey);
		if (it->ixkey.alloc != 0)
			buf_release(&it->ixkey);
	}
	ru->nbatch = 0;
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
		if (ru->lend[i] != NULL) {
			/* A field of its own, as qeval() gives it: an empty
			 * text is no value. */
			const struct field *f = ru->lend[i];
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
		m = sort_take(ru, rec);
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
	if (ru->has_pos && sort_keycmp(&it->skey, &ru->pskey) <= 0) {
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

	if (!p->backward && p->has_hi && sort_keycmp(key, &p->hi) >= 0)
		return (1);
	if (p->backward && p->has_lo && sort_keycmp(key, &p->lo) < 0)
		return (1);
	return (0);
}

/* The field of ours x reads, into the fields a scan reads in place. */
void
run_need_expr(const struct qexpr *x, struct scan_arg *sa)
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

void
run_need_fields(const struct qnode *n, struct scan_arg *sa)
{
	if (n == NULL)
		return;
	run_need_fields(n->a, sa);
	run_need_fields(n->b, sa);
	if (n->kind == QN_CMP || n->kind == QN_EMPTY)
		run_need_expr(n->x, sa);
}

/* The fields the scan needs, read in place into sa->fake, a record of
 * those alone. */
int
run_lazy_fields(struct scan_arg *sa, uint64_t id, const void *data, size_t len)
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
	plan_conjuncts(where, &c, &nc);
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
	 * run_lazy_fields() reads it. */
	return (r == 1 && v.set && v.s == NULL && v.i >= sa->rlo &&
	    v.i <= sa->rhi);
}

/* Test the condition on the fields it needs, read in place. */
static int
lazy_match(struct scan_arg *sa, uint64_t id, const void *data, size_t len)
{
	if (run_lazy_fields(sa, id, data, len) != 0)
		return (-1);
	return (qmatch(&sa->ru->r, sa->ru->q->where, &sa->fake, sa->ru->err));
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
		if (ru->ksort && sa->lazy && run_lazy_fields(sa, id, data,
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
		if (sort_take(ru, &sa->fake) != 0) {
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
		if (sort_take(ru, sa->scratch) != 0) {
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
	run_need_fields(ru->q->where, sa);
	/* A sort reads its keys' fields in place too (the header's
	 * times only from a record decoded whole). */
	if (ru->ksort)
		for (i = 0; i < ru->q->nsorts; i++)
			run_need_expr(ru->q->sorts[i].x, sa);
	if (ru->gscan) {
		for (i = 0; i < ru->q->ngroups; i++)
			run_need_expr(ru->q->groups[i], sa);
		for (i = 0; i < ru->q->naggs; i++)
			run_need_expr(ru->q->aggs[i], sa);
	}
	if (sa->lazy)
		sa->vals = xcalloc(ru->q->table->nfields, sizeof *sa->vals);
	sa->fake.table = ru->q->table;
	sa->fake.values = sa->vals;
	sa->prefilter = qmatch_has_contains(ru->q->where);
	/* Not when a sort or a group reads the fields run_lazy_fields() reads
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
	    sort_keycmp(&wa->key, &ru->p.lo) >= 0) && (!ru->p.has_hi ||
	    sort_keycmp(&wa->key, &ru->p.hi) < 0) && (ru->p.eqs == 0 ||
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

	run_batch_reset(ru);
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
int
run_is_scan(const struct plan *p)
{
	return (!p->use_ids && p->f == NULL && !p->backward);
}

/*
 * How many records the next chunk reads: enough for the rows still
 * wanted when they stream, a few for an index walk (its bound may come
 * soon, and a page reads all it is asked for), and twice the last when
 * that one fell short; at most a transaction's worth.
 */
size_t
run_next_chunk(const struct run *ru)
{
	size_t	max = run_is_scan(&ru->p) ? SCAN_CHUNK : CHUNK, n = max, left;

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
	ru->chunk = run_next_chunk(ru);
	return (chunk_txn(txn, ru, err));
}

/* One chunk in its own transaction; its walk state kept on success. */
int
run_chunk(struct run *ru)
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
int
run_kgive(struct run *ru, const char *arena, const struct sent *e, size_t n)
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
			sort_sent_bytes(arena, &e[i + j], &it->skey);
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

/* Records: stream them when the walk gives the order, else sort. */
static int
run_records(struct run *ru)
{
	size_t	i;

	while (!ru->exhausted && !ru->stop) {
		/* (The first chunk's size follows from its plan.) */
		if (ru->planned)
			ru->chunk = run_next_chunk(ru);
		if (run_chunk(ru) != 0)
			return (-1);
		/* Rows in order come in the batch; a sort's keys went
		 * to the sort (sort_take()). */
		for (i = 0; i < ru->nbatch; i++) {
			if (!ru->stop && give(ru, &ru->batch[i]) != 0)
				return (-1);
			if (!ru->stop)
				ru->matched++;
		}
		if (note_last(ru) != 0)
			return (-1);
		run_batch_reset(ru);
	}
	if (ru->p.ordered)
		return (0);
	return (sort_finish(ru));
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
	ru.lend = xcalloc(q->ncols ? q->ncols : 1, sizeof *ru.lend);
	for (i = 0; i < q->ncols; i++)
		if (col_lends(q, i))
			ru.lend[i] = col_expr(q, i)->path[0];
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
	ru.pl.want = plan_sat_add(ru.skip, ru.want);
	ru.pl.err = err;
	if (q->is_group) {
		if (plan_make(&ru.r, &ru.p, ru.pl.want, 0, err) != 0)
			goto out;
		ru.planned = 1;
		plan_use(&ru);
		plan_taken(&ru);
		if (group_run(&ru) != 0)
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
	run_batch_reset(&ru);
	pools_release(&ru);
	free(ru.lend);
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
