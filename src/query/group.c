/*
 * group.c: group queries.  Every matching record into a hash table
 * (read in place from a scan's bytes when it can, group_scan_one()),
 * money summed exactly; then 'having', the order (the sort's keys, else
 * the group keys), and in key order the subtotals of nested groups and
 * the grand total.  The records come in the executor's chunks (run.c).
 * Must not print.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

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
int
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
	if (run_lazy_fields(sa, id, data, len) != 0)
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
	struct qv	 v, b, e;
	const char	*end, *nl;
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
			/* Of a list (phones, tags), its least or greatest
			 * element, not the list. */
			end = v.s != NULL ? v.s + v.len : NULL;
			e = v;
			do {
				if (x->multi && !FT_IS_INT(x->type) &&
				    v.s != NULL) {
					if ((nl = memchr(e.s, '\n',
					    (size_t)(end - e.s))) == NULL)
						nl = end;
					e.len = (size_t)(nl - e.s);
				} else
					nl = end;
				value_qv(&a->best, &b);
				if (e.len > 0 || e.s == NULL)
					if (!b.set || (x->agg == QA_MIN ?
					    qv_cmp(x, &e, &b) < 0 :
					    qv_cmp(x, &e, &b) > 0))
						best_set(&a->best, &e);
				if (nl != NULL && nl < end)
					e.s = nl + 1;
			} while (nl != NULL && nl < end);
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
			if (sort_keycmp(&ka, &kb) == 0)
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
	eq = sort_keycmp(&ka, &kb) == 0;
	buf_release(&ka);
	buf_release(&kb);
	return (eq);
}

static int
group_cmp(const void *a, const void *b)
{
	return (sort_keycmp(&(*(struct group *const *)a)->skey,
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

	if (!run_is_scan(&ru->p))
		return (0);
	for (i = 0; i < q->ngroups; i++)
		if (q->groups[i]->multi)
			return (0);
	memset(&sa, 0, sizeof sa);
	sa.lazy = 1;
	run_need_fields(q->where, &sa);
	for (i = 0; i < q->ngroups; i++)
		run_need_expr(q->groups[i], &sa);
	for (i = 0; i < q->naggs; i++)
		run_need_expr(q->aggs[i], &sa);
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
int
group_run(struct run *ru)
{
	const struct query *q = ru->q;
	struct gtab	 gt;
	struct group	**shown = NULL, *g;
	struct agg	*sub = NULL;
	struct value	*vals;
	size_t		 nshown = 0, i, j, k, ncols = q->ncols;
	size_t		 na = q->naggs ? q->naggs : 1;
	struct qv	 v;
	int		 rv = -1, subtotals, any = 0;

	memset(&gt, 0, sizeof gt);
	vals = xcalloc(ncols ? ncols : 1, sizeof *vals);
	ru->gt = &gt;
	ru->gscan = group_in_place(ru);
	while (!ru->exhausted) {
		ru->chunk = run_next_chunk(ru);
		if (run_chunk(ru) != 0)
			goto out;
		if (ru->gscan && group_unstage(ru, vals) != 0)
			goto out;
		for (i = 0; i < ru->nbatch; i++)
			if (group_add(ru, &gt, ru->batch[i].vals) != 0)
				goto out;
		run_batch_reset(ru);
	}
	for (i = 0; i < gt.n; i++) {
		g = gt.list[i];
		if (g->nrec == 0)
			continue;
		any = 1;
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
	/* Aggregates without keys are one row, even of no records: how
	 * many is then 0, not nothing (the rest are empty). */
	if (q->ngroups == 0 && !any && !ru->stop) {
		struct agg *none = xcalloc(na, sizeof *none);

		group_row(q, NULL, none, 0, vals);
		free(none);
		if (qhaving(&ru->r, q->having, vals)) {
			rv = group_give(ru, vals, 0);
			vals_clear(vals, ncols);
			if (rv != 0)
				goto out;
			rv = -1;
		}
		vals_clear(vals, ncols);
	}
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
