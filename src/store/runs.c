/*
 * runs.c: the format of a field index whose keys few records share (a
 * name, a phone, an e-mail, a reference: not unique, and not `shared'
 * in its form, whose indexes keep each key's ids in chunks, pack.c).
 * Its (key, id) pairs are kept in order, many to a B-tree item, a run:
 *
 *   key  = the run's first pair: its key, one 0x00 byte and its id as
 *          8 bytes big-endian (words_key(), the chunks' form: keys hold
 *          no NUL byte or are all of one length, so items sort as their
 *          first pairs do);
 *   data = the run's pairs in order, each as a varint of the bytes its
 *          key shares with the key before it (0 for the first), a
 *          varint of the bytes that follow, those bytes, and a varint
 *          of the id.
 *
 * A run holds the pairs from its first up to the next run's first.  One
 * over RUN_MAX bytes is cut into pieces of RUN_FILL bytes, so it stays
 * on its B-tree page (Berkeley DB moves items over about a quarter of a
 * page to overflow pages).
 *
 * Why: such an index used to hold a sorted duplicate a record, one
 * B-tree search and insert an entry.  A bulk load of a million parties
 * put 5.9 million of them into the seven near-unique indexes of a party
 * (name, short name, phones, e-mails, and the unique ones), some 8 s of
 * its writer's 20 (tests/bench/RESULTS.md); written as runs, a
 * thousandth of the puts.  In a transaction a change costs the read and
 * the write of its run, and the changes of a transaction (or of the
 * indexer's batch, defer.c) that fall into one run are written once.
 *
 * Unique indexes stay a key an item: a write reads them to refuse a
 * duplicate.  pack.c's cursor reads runs as it reads chunks.  Never
 * prints.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define RUN_MAX		960	/* bytes of pairs; cut when over */
#define RUN_FILL	768	/* bytes of each piece cut off */

void
runs_init(struct runpairs *rp)
{
	memset(rp, 0, sizeof(*rp));
	buf_init(&rp->keys);
}

void
runs_release(struct runpairs *rp)
{
	buf_release(&rp->keys);
	free(rp->off);
	free(rp->ids);
	runs_init(rp);
}

static void
runs_room(struct runpairs *rp, size_t n)
{
	if (n + 1 <= rp->alloc)
		return;
	/* A run of 960 bytes holds some 40 names, 100 numbers. */
	rp->alloc = rp->alloc * 2 > n + 1 ? rp->alloc * 2 : n + 1;
	if (rp->alloc < 128)
		rp->alloc = 128;
	rp->off = xreallocarray(rp->off, rp->alloc, sizeof(*rp->off));
	rp->ids = xreallocarray(rp->ids, rp->alloc, sizeof(*rp->ids));
}

int
runs_decode(const void *data, size_t len, struct runpairs *rp)
{
	const unsigned char *p = data, *end = p + len, *rest;
	uint64_t	 id;
	size_t		 shared, rl, prev = 0, plen = 0;

	rp->n = 0;
	buf_reset(&rp->keys);
	/* Keys rebuilt take more than their coded bytes; twice, mostly. */
	buf_grow(&rp->keys, 2 * len);
	runs_room(rp, 0);
	rp->off[0] = 0;
	while (p < end) {
		if (runs_next(&p, end, &shared, &rest, &rl, &id) == -1 ||
		    shared > plen || (rp->n == 0 && shared != 0))
			return (-1);
		runs_room(rp, rp->n + 1);
		buf_grow(&rp->keys, shared + rl);
		memmove(rp->keys.data + rp->keys.len, rp->keys.data + prev,
		    shared);
		rp->keys.len += shared;
		buf_add(&rp->keys, rest, rl);
		rp->ids[rp->n] = id;
		rp->off[rp->n + 1] = rp->keys.len;
		/* In order, no pair twice. */
		if (rp->n > 0 && store_pair_cmp(rp->keys.data + prev, plen,
		    rp->ids[rp->n - 1], rp->keys.data + rp->off[rp->n],
		    shared + rl, id) >= 0)
			return (-1);
		prev = rp->off[rp->n];
		plen = shared + rl;
		rp->n++;
	}
	return (rp->n == 0 ? -1 : 0);
}

/* Applying sorted changes to one index of runs. */

struct rapply {
	struct acur	 ac;
	struct buf	 key, next;
	struct buf	 mo;		/* the merged run, coded */
	struct buf	 pk, ck;	/* the key coded last; the run's */
	struct buf	 first;		/* the merged run's first */
	uint64_t	 firstid;
	size_t		 nout;		/* pairs in mo */
	struct buf	 piece;
};

/* Is the change v below the run keyed by b (bl bytes)? */
static int
below(const struct words_put *v, const void *b, size_t bl)
{
	size_t	tl;
	uint64_t id;

	if (words_key_split(b, bl, &tl, &id) == -1)
		return (1);
	return (store_pair_cmp(v->key, v->len, v->id, b, tl, id) < 0);
}

/* Code (key, id) into a->mo after the pair coded last. */
static void
emit(struct rapply *a, const void *key, size_t len, uint64_t id)
{
	size_t	s;

	s = a->nout == 0 ? 0 : store_shared_len(a->pk.data, a->pk.len, key,
	    len);

	store_varint_put(&a->mo, s);
	store_varint_put(&a->mo, len - s);
	buf_add(&a->mo, (const char *)key + s, len - s);
	store_varint_put(&a->mo, id);
	if (a->nout++ == 0) {
		buf_reset(&a->first);
		buf_add(&a->first, key, len);
		a->firstid = id;
	}
	buf_reset(&a->pk);
	buf_add(&a->pk, key, len);
}

/*
 * Merge changes v[0..n) into the run coded in data (NULL: none) into
 * a->mo, coded as it goes: a pair of the run whose predecessor is coded
 * just before it is copied as it is, the others coded anew (a change
 * comes between, or its predecessor went), so an insert costs a walk of
 * the run's bytes and a copy, not a decoding and a coding of every pair.
 * *changed says whether anything changed.  0, or EBADMSG when the run
 * does not decode.
 */
static int
rmerge(struct rapply *a, const unsigned char *data, size_t len,
    const struct words_put *v, size_t n, int *changed)
{
	const unsigned char *p = data, *end, *start, *rest;
	uint64_t	 id;
	size_t		 i = 0, sh, rl;
	int		 c, sync = 1, drop;

	end = data != NULL ? data + len : data;

	buf_reset(&a->mo);
	buf_reset(&a->ck);
	buf_reset(&a->pk);
	a->nout = 0;
	*changed = 0;
	while (p < end) {
		start = p;
		if (runs_next(&p, end, &sh, &rest, &rl, &id) == -1 ||
		    sh > a->ck.len || (start == data && sh != 0))
			return (EBADMSG);
		buf_truncate(&a->ck, sh);
		buf_add(&a->ck, rest, rl);
		/* The changes up to this pair. */
		drop = 0;
		for (; i < n; i++) {
			c = store_pair_cmp(v[i].key, v[i].len, v[i].id,
			    a->ck.data, a->ck.len, id);
			if (c > 0)
				break;
			if (c == 0) {
				drop = !v[i++].add;
				break;
			}
			if (v[i].add) {
				emit(a, v[i].key, v[i].len, v[i].id);
				*changed = 1;
				sync = 0;
			}
		}
		if (drop) {
			*changed = 1;
			sync = 0;
			continue;
		}
		if (!sync) {
			emit(a, a->ck.data, a->ck.len, id);
			sync = 1;
			continue;
		}
		buf_add(&a->mo, start, (size_t)(p - start));
		if (a->nout++ == 0) {
			buf_reset(&a->first);
			buf_add(&a->first, a->ck.data, a->ck.len);
			a->firstid = id;
		}
		buf_reset(&a->pk);
		buf_add(&a->pk, a->ck.data, a->ck.len);
	}
	for (; i < n; i++)
		if (v[i].add) {
			emit(a, v[i].key, v[i].len, v[i].id);
			*changed = 1;
		}
	return (0);
}

/*
 * Put a->mo back: over the item the cursor stands on when cur, else
 * under its first pair; when over RUN_MAX, cut into pieces of RUN_FILL
 * bytes, each piece's first pair coded whole, each piece under it.
 */
static int
rwrite(struct rapply *a, int cur)
{
	const unsigned char *p, *end, *start = NULL, *rest;
	uint64_t	 id = 0, pid = 0;
	size_t		 sh, rl;
	DBT		 k, d;
	size_t		 npiece = 0;
	int		 ret, last;

	if (a->mo.len <= RUN_MAX) {
		store_dbt(&d, a->mo.data, a->mo.len);
		if (cur) {
			memset(&k, 0, sizeof(k));
			return (a->ac.c->put(a->ac.c, &k, &d, DB_CURRENT));
		}
		buf_reset(&a->key);
		words_key(&a->key, a->first.data, a->first.len, a->firstid);
		store_dbt(&k, a->key.data, a->key.len);
		return (a->ac.c->put(a->ac.c, &k, &d, DB_KEYFIRST));
	}
	p = (const unsigned char *)a->mo.data;
	end = p + a->mo.len;
	buf_reset(&a->ck);
	buf_reset(&a->piece);
	for (;;) {
		last = p == end;
		if (!last) {
			start = p;
			/* Coded by rmerge(): it decodes. */
			if (runs_next(&p, end, &sh, &rest, &rl, &id) == -1)
				return (EBADMSG);
			buf_truncate(&a->ck, sh);
			buf_add(&a->ck, rest, rl);
		}
		if (last || (npiece > 0 && a->piece.len + (size_t)(p -
		    start) > RUN_FILL)) {
			/* The piece so far, under its first pair. */
			store_dbt(&d, a->piece.data, a->piece.len);
			if (cur) {
				memset(&k, 0, sizeof(k));
				ret = a->ac.c->put(a->ac.c, &k, &d, DB_CURRENT);
				cur = 0;
			} else {
				buf_reset(&a->key);
				words_key(&a->key, a->pk.data, a->pk.len, pid);
				store_dbt(&k, a->key.data, a->key.len);
				ret = a->ac.c->put(a->ac.c, &k, &d,
				    DB_KEYFIRST);
			}
			if (ret != 0 || last)
				return (ret);
			buf_reset(&a->piece);
			npiece = 0;
		}
		if (npiece++ == 0) {
			/* A piece's first pair, whole, and its key kept. */
			store_varint_put(&a->piece, 0);
			store_varint_put(&a->piece, a->ck.len);
			buf_add(&a->piece, a->ck.data, a->ck.len);
			store_varint_put(&a->piece, id);
			buf_reset(&a->pk);
			buf_add(&a->pk, a->ck.data, a->ck.len);
			pid = id;
		} else
			buf_add(&a->piece, start, (size_t)(p - start));
	}
}

/*
 * Find the run the change v belongs to and decode it into a->rp, the
 * cursor on it (*have 0 and a->rp empty when there is none: an empty
 * index, or v before the first run and the first run then taken); the
 * next run's key into a->next (*bound 0: none after it).
 */
static int
rfind(struct rapply *a, const struct words_put *v, int *have, int *bound)
{
	int	ret, exact;

	*have = *bound = 0;
	buf_reset(&a->key);
	words_key(&a->key, v->key, v->len, v->id);
	acur_setkey(&a->ac, a->key.data, a->key.len);
	ret = acur_get(&a->ac, DB_SET_RANGE);
	if (ret != 0 && ret != DB_NOTFOUND)
		return (ret);
	exact = ret == 0 && a->ac.k.size == a->key.len &&
	    memcmp(a->ac.k.data, a->key.data, a->key.len) == 0;
	if (!exact) {
		if (ret == 0) {
			*bound = 1;
			buf_reset(&a->next);
			buf_add(&a->next, a->ac.k.data, a->ac.k.size);
		}
		ret = acur_get(&a->ac, ret == DB_NOTFOUND ? DB_LAST : DB_PREV);
		if (ret == 0) {
			*have = 1;
			return (0);
		}
		if (ret != DB_NOTFOUND)
			return (ret);
		if (!*bound)
			return (0);	/* an empty index */
		/* Before the first run: into it. */
		acur_setkey(&a->ac, a->next.data, a->next.len);
		if ((ret = acur_get(&a->ac, DB_SET)) != 0)
			return (ret);
	}
	/* The cursor on the run wanted: its successor bounds it. */
	buf_reset(&a->key);
	buf_add(&a->key, a->ac.k.data, a->ac.k.size);
	*bound = 0;
	ret = acur_get(&a->ac, DB_NEXT);
	if (ret == 0) {
		*bound = 1;
		buf_reset(&a->next);
		buf_add(&a->next, a->ac.k.data, a->ac.k.size);
	} else if (ret != DB_NOTFOUND)
		return (ret);
	acur_setkey(&a->ac, a->key.data, a->key.len);
	if ((ret = acur_get(&a->ac, DB_SET)) != 0)
		return (ret);
	*have = 1;
	return (0);
}

/* Is the cursor's run keyed by the merged run's first pair still? */
static int
rsame_first(struct rapply *a)
{
	buf_reset(&a->key);
	words_key(&a->key, a->first.data, a->first.len, a->firstid);
	return (a->ac.k.size == a->key.len &&
	    memcmp(a->ac.k.data, a->key.data, a->key.len) == 0);
}

int
runs_apply(DB *db, DB_TXN *txn, const struct words_put *v, size_t n)
{
	struct rapply	 a;
	size_t		 i, j;
	int		 ret = 0, r2, have, bound, changed;

	if (n == 0)
		return (0);
	memset(&a, 0, sizeof(a));
	if ((ret = acur_open(&a.ac, db, txn)) != 0)
		return (ret);
	for (i = 0; i < n && ret == 0; i = j) {
		if ((ret = rfind(&a, &v[i], &have, &bound)) != 0)
			break;
		for (j = i + 1; j < n && (!bound ||
		    below(&v[j], a.next.data, a.next.len)); j++)
			;
		if ((ret = rmerge(&a, have ? a.ac.d.data : NULL, have ?
		    a.ac.d.size : 0, v + i, j - i, &changed)) != 0 || !changed)
			continue;
		if (have && a.nout != 0 && rsame_first(&a))
			ret = rwrite(&a, 1);
		else {
			if (have)
				ret = acur_del(&a.ac);
			if (ret == 0 && a.nout != 0)
				ret = rwrite(&a, 0);
		}
	}
	r2 = acur_close(&a.ac);
	if (ret == 0)
		ret = r2;
	buf_release(&a.key);
	buf_release(&a.next);
	buf_release(&a.mo);
	buf_release(&a.pk);
	buf_release(&a.ck);
	buf_release(&a.first);
	buf_release(&a.piece);
	return (ret);
}

/*
 * A bulk load's or an index build's pairs (env.c's pairs_write()),
 * sorted by (key, id), one per pair, all added: runs_apply()'s changes.
 * Into an empty index that finds no run, so every pair goes into one
 * merged run, cut into pieces and put a piece at a time, without a read.
 */
int
runs_load(DB *db, DB_TXN *txn, const struct store_pairs *ps)
{
	struct words_put *v;
	size_t		 i;
	int		 ret;

	if (ps->n == 0)
		return (0);
	v = xreallocarray(NULL, ps->n, sizeof(*v));
	for (i = 0; i < ps->n; i++) {
		v[i].key = ps->keys.data + ps->v[i].off;
		v[i].len = ps->v[i].len;
		v[i].id = ps->v[i].id;
		v[i].add = 1;
	}
	ret = runs_apply(db, txn, v, ps->n);
	free(v);
	return (ret);
}
