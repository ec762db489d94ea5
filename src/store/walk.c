/*
 * walk.c: the entries of one index in order, keys and ids only, without
 * reading a record: the walk behind a search in a list's order (cmd
 * page), which tests each id against the set of matches and fetches
 * only the rows it keeps.  Forward the entries come in bulk
 * (DB_MULTIPLE_KEY, a few hundred per call); backward one at a time,
 * Berkeley DB having no bulk read backward.  Reads with read-committed
 * isolation, so a long walk holds no page locked behind it.  And the
 * size of a stretch of an index, estimated from its B-tree's shape
 * without walking it (store_key_share), for the query planner.  Never
 * writes, never prints.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define KEYS_BULK	(64 * 1024)	/* a multiple of 1 KB */

/*
 * Forward: the entries > (key, id), or >= with STORE_PAGE_FROM.  The
 * cursor goes to the first key >= key and the entries of that key
 * before the position are skipped as they come.
 */
static int
keys_forward(DBC *c, const void *key, size_t keylen, uint64_t id, int from,
    store_key_fn *fn, void *arg, int *stopped)
{
	DBT		 k, d;
	void		*p, *kk, *dd;
	size_t		 kl, dl;
	uint64_t	 rid;
	u_int32_t	 op = key != NULL ? DB_SET_RANGE : DB_FIRST;
	int		 ret, skip = key != NULL, cmp;

	memset(&d, 0, sizeof(d));
	d.ulen = KEYS_BULK;
	d.data = xmalloc(d.ulen);
	d.flags = DB_DBT_USERMEM;
	for (;;) {
		if (op == DB_SET_RANGE)
			store_dbt(&k, key, keylen);
		else
			memset(&k, 0, sizeof(k));
		if ((ret = store_bulk_get(c, &k, &d, op)) != 0)
			break;
		op = DB_NEXT;
		DB_MULTIPLE_INIT(p, &d);
		for (;;) {
			DB_MULTIPLE_KEY_NEXT(p, &d, kk, kl, dd, dl);
			if (p == NULL)
				break;
			if (dl != 8)
				continue;
			rid = store_id_unkey(dd);
			if (skip) {
				cmp = store_pair_cmp(kk, kl, rid, key, keylen,
				    id);
				if (cmp < 0 || (cmp == 0 && !from))
					continue;
				skip = 0;
			}
			if (fn(kk, kl, rid, arg) != 0) {
				*stopped = 1;
				free(d.data);
				return (0);
			}
		}
	}
	free(d.data);
	return (ret == DB_NOTFOUND ? 0 : ret);
}

/*
 * Backward: the entries < (key, id), or <= with STORE_PAGE_FROM,
 * nearest first, of an index of one entry a key (a unique one; the
 * others are packed).  The cursor goes to the first key past key,
 * steps back once, then one by one.
 */
static int
keys_backward(DBC *c, const void *key, size_t keylen, uint64_t id,
    int from, store_key_fn *fn, void *arg, int *stopped)
{
	DBT		 k, d;
	struct buf	 next = BUF_INIT;
	unsigned char	 idb[8];
	uint64_t	 rid;
	int		 ret = DB_NOTFOUND, cmp, key_last = 0;

	memset(&d, 0, sizeof(d));
	d.data = idb;
	d.ulen = 8;
	d.flags = DB_DBT_USERMEM;
	if (key != NULL) {
		/* The smallest key after key. */
		buf_add(&next, key, keylen);
		buf_addch(&next, '\0');
		store_dbt(&k, next.data, next.len);
		ret = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
		/* Nothing past the range: it ends at the last entry. */
		if (ret == 0)
			ret = DBCALL(c->get(c, &k, &d, DB_PREV));
		else if (ret == DB_NOTFOUND)
			key_last = 1;
	}
	if (key == NULL || key_last) {
		memset(&k, 0, sizeof(k));
		ret = DBCALL(c->get(c, &k, &d, DB_LAST));
	}
	for (; ret == 0; ret = DBCALL(c->get(c, &k, &d, DB_PREV))) {
		if (d.size != 8)
			continue;
		rid = store_id_unkey(idb);
		if (key != NULL) {
			cmp = store_pair_cmp(k.data, k.size, rid, key, keylen,
			    id);
			if (cmp > 0 || (cmp == 0 && !from))
				continue;
		}
		if (fn(k.data, k.size, rid, arg) != 0) {
			*stopped = 1;
			break;
		}
	}
	buf_release(&next);
	return (ret == DB_NOTFOUND ? 0 : ret);
}

/*
 * The same two walks over a packed index (pack.c), whose chunks are
 * the bulk: forward the pairs from the first >= (key, id), or > (key,
 * id); backward from the one before the first past the range.
 */
static int
keys_packed(DBC *c, int runs, int back, const void *key, size_t keylen,
    uint64_t id, int from, store_key_fn *fn, void *arg, int *stopped)
{
	struct pcur	 pc;
	uint64_t	 at;
	int		 ret;

	pcur_init(&pc, c, runs);
	if (key == NULL)
		ret = pcur_move(&pc, back ? DB_LAST : DB_FIRST);
	else {
		/* The first pair past the range forward, or past it
		 * backward (UINT64_MAX: after every (key, *)). */
		at = back == !from ? id : id == UINT64_MAX ? id : id + 1;
		ret = pcur_seek(&pc, key, keylen, at);
		if (back && ret == 0)
			ret = pcur_move(&pc, DB_PREV);
		else if (back && ret == DB_NOTFOUND)
			ret = pcur_move(&pc, DB_LAST);
	}
	for (; ret == 0; ret = pcur_move(&pc, back ? DB_PREV : DB_NEXT)) {
		if (fn(pc.key.data, pc.key.len, pc.id, arg) != 0) {
			*stopped = 1;
			break;
		}
	}
	pcur_release(&pc);
	return (ret == DB_NOTFOUND ? 0 : ret);
}

int
store_keys(struct store_txn *t, const struct table *table, const char *ixname,
    const void *key, size_t keylen, uint64_t id, int flags,
    store_key_fn *fn, void *arg, struct buf *err)
{
	struct store_table *st;
	struct store_index *ix;
	DBC		*c = NULL;
	int		 ret, r2, stopped = 0;

	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if ((ix = store_index_find(st, ixname, 1)) == NULL)
		return (buf_error(err, _("table '%s' has no index on '%s'"),
		    table->name, ixname));
	if (defer_index_read(t, 0, err) == -1)
		return (-1);
	ret = DBCALL(ix->db->cursor(ix->db, t->txn, &c, DB_READ_COMMITTED));
	if (ret == 0 && ix->packed)
		ret = keys_packed(c, ix->packed == PACK_RUNS,
		    (flags & STORE_PAGE_BACKWARD) != 0, key,
		    keylen, id, flags & STORE_PAGE_FROM, fn, arg, &stopped);
	else if (ret == 0 && (flags & STORE_PAGE_BACKWARD))
		ret = keys_backward(c, key, keylen, id,
		    flags & STORE_PAGE_FROM, fn, arg, &stopped);
	else if (ret == 0)
		ret = keys_forward(c, key, keylen, id, flags &
		    STORE_PAGE_FROM, fn, arg, &stopped);
	if (c != NULL) {
		r2 = DBCLOSE(c->close(c));
		if (ret == 0)
			ret = r2;
	}
	if (ret == EBADMSG)
		return (buf_error(err, _("the index '%s' is damaged; run clerk "
		    "admin verify"), ix->file));
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	return (stopped);
}

/*
 * An index of one entry a key (a unique one; the others are packed) is
 * counted key by key when it has at most this many keys; past them
 * key_range.  Each estimate of an index of more keys walks this many
 * first, about 5 us each (1024 of them cost 2 ms a plan, 64 still
 * 0.3 ms at 400,000 invoices).
 */
#define SHARE_KEYS	16

/*
 * An index in chunks (pack.c) is counted chunk by chunk, each without
 * decoding it, when it has at most this many: some 200,000 entries of
 * a few keys (a status at a million parties is about 2,000 chunks).
 * Past them key_range, which weighs chunks, not entries: near enough
 * where the chunks of the keys are full.
 */
#define SHARE_CHUNKS	256

/*
 * An index in runs (runs.c) is counted run by run when it has at most
 * this many: some 10,000 entries.  Past them key_range, which weighs
 * runs, about alike (share_before()).
 */
#define SHARE_RUNS	64

/* Does key lie in [lo, hi)? (NULL: no bound on that side) */
static int
in_range(const DBT *k, const void *lo, size_t lolen, const void *hi,
    size_t hilen)
{
	if (lo != NULL && store_pair_cmp(k->data, k->size, 0, lo, lolen,
	    0) < 0)
		return (0);
	if (hi != NULL && store_pair_cmp(k->data, k->size, 0, hi, hilen,
	    0) >= 0)
		return (0);
	return (1);
}

/* Ids in a chunk of a packed index: its bytes that end a varint. */
static uint64_t
chunk_count(const DBT *d)
{
	const unsigned char *p = d->data;
	uint64_t	 n = 0;
	size_t		 i;

	for (i = 0; i < d->size; i++)
		n += !(p[i] & 0x80);
	return (n);
}

/* Pairs in a run, its keys skipped, not read: -1 when it is damaged. */
static ssize_t
run_pairs(const DBT *d)
{
	const unsigned char *p = d->data, *end = p + d->size, *rest;
	uint64_t	 id;
	size_t		 n = 0, sh, rl;

	while (p < end) {
		if (runs_next(&p, end, &sh, &rest, &rl, &id) == -1)
			return (-1);
		n++;
	}
	return ((ssize_t)n);
}

/*
 * The same for an index in runs, when it has at most SHARE_RUNS runs: a
 * run is counted without reading its keys when the range holds it whole
 * or none of it, as its first pair and the next run's say; the runs at
 * the ends of the range are decoded and their pairs weighed one by one.
 */
static int
share_count_runs(DB *db, DB_TXN *txn, const void *lo, size_t lolen,
    const void *hi, size_t hilen, uint64_t *in, uint64_t *all, int *done)
{
	struct runpairs	 rp;
	struct buf	 first = BUF_INIT, data = BUF_INIT;
	DBC		*c = NULL;
	DBT		 k, d, kk, dd, nk;
	ssize_t		 n;
	size_t		 runs = 0, tl, i;
	uint64_t	 id;
	int		 ret, r2, have = 0, whole, none;

	*in = *all = 0;
	*done = 0;
	runs_init(&rp);
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.flags = d.flags = DB_DBT_REALLOC;
	if ((ret = DBCALL(db->cursor(db, txn, &c, DB_READ_COMMITTED))) != 0)
		return (ret);
	for (;;) {
		ret = DBCALL(c->get(c, &k, &d, have ? DB_NEXT : DB_FIRST));
		if (ret != 0 && ret != DB_NOTFOUND)
			break;
		if (ret == 0 && ++runs > SHARE_RUNS)
			break;
		if (have) {
			/* The run before: all its pairs are in [first,
			 * this run's first). */
			memset(&kk, 0, sizeof(kk));
			kk.data = first.data;
			kk.size = (u_int32_t)first.len;
			memset(&dd, 0, sizeof(dd));
			dd.data = data.data;
			dd.size = (u_int32_t)data.len;
			memset(&nk, 0, sizeof(nk));
			if (ret == 0 && words_key_split(k.data, k.size, &tl,
			    &id) == 0) {
				nk.data = k.data;
				nk.size = (u_int32_t)tl;
			}
			whole = (lo == NULL || store_pair_cmp(kk.data, kk.size,
			    0, lo, lolen, 0) >= 0) && (hi == NULL ||
			    (nk.data != NULL && store_pair_cmp(nk.data,
			    nk.size, 0, hi, hilen, 0) < 0));
			none = (hi != NULL && store_pair_cmp(kk.data, kk.size,
			    0, hi, hilen, 0) >= 0) || (lo != NULL &&
			    nk.data != NULL && store_pair_cmp(nk.data, nk.size,
			    0, lo, lolen, 0) < 0);
			if (whole || none) {
				if ((n = run_pairs(&dd)) == -1) {
					ret = EBADMSG;
					break;
				}
				*all += (uint64_t)n;
				if (whole)
					*in += (uint64_t)n;
			} else {
				if (runs_decode(dd.data, dd.size, &rp) == -1) {
					ret = EBADMSG;
					break;
				}
				for (i = 0; i < rp.n; i++) {
					kk.data = rp.keys.data + rp.off[i];
					kk.size = (u_int32_t)(rp.off[i + 1] -
					    rp.off[i]);
					(*all)++;
					if (in_range(&kk, lo, lolen, hi,
					    hilen))
						(*in)++;
				}
			}
		}
		if (ret == DB_NOTFOUND)
			break;
		if (words_key_split(k.data, k.size, &tl, &id) == -1) {
			ret = EBADMSG;
			break;
		}
		buf_reset(&first);
		buf_add(&first, k.data, tl);
		buf_reset(&data);
		buf_add(&data, d.data, d.size);
		have = 1;
	}
	if (ret == DB_NOTFOUND) {
		ret = 0;
		*done = 1;
	}
	r2 = DBCLOSE(c->close(c));
	free(k.data);
	free(d.data);
	buf_release(&first);
	buf_release(&data);
	runs_release(&rp);
	return (ret != 0 ? ret : r2);
}

/*
 * The entries of every key, and of those in [lo, hi), when the index
 * has at most SHARE_KEYS keys (a packed one SHARE_CHUNKS chunks, each
 * counted without decoding it): *done 1 then, 0 when it has more.
 */
static int
share_count(DB *db, DB_TXN *txn, int packed, const void *lo, size_t lolen,
    const void *hi, size_t hilen, uint64_t *in, uint64_t *all, int *done)
{
	DBC		*c = NULL;
	DBT		 k, d, kk;
	db_recno_t	 dups;
	uint64_t	 cnt, bound;
	size_t		 keys = 0, tl;
	u_int32_t	 op = DB_FIRST;
	int		 ret, r2;

	*in = *all = 0;
	*done = 0;
	memset(&k, 0, sizeof(k));
	k.flags = DB_DBT_REALLOC;
	memset(&d, 0, sizeof(d));
	d.flags = packed ? DB_DBT_REALLOC : DB_DBT_USERMEM | DB_DBT_PARTIAL;
	if ((ret = DBCALL(db->cursor(db, txn, &c, DB_READ_COMMITTED))) != 0)
		return (ret);
	while ((ret = DBCALL(c->get(c, &k, &d, op))) == 0) {
		op = packed ? DB_NEXT : DB_NEXT_NODUP;
		if (++keys > (packed ? SHARE_CHUNKS : SHARE_KEYS))
			break;
		kk = k;
		if (packed) {
			/* A chunk, under key NUL bound. */
			if (words_key_split(k.data, k.size, &tl,
			    &bound) == -1) {
				ret = EBADMSG;
				break;
			}
			kk.size = (u_int32_t)tl;
			cnt = chunk_count(&d);
		} else {
			if ((ret = DBCALL(c->count(c, &dups, 0))) != 0)
				break;
			cnt = dups;
		}
		*all += cnt;
		if (in_range(&kk, lo, lolen, hi, hilen))
			*in += cnt;
	}
	if (ret == DB_NOTFOUND) {
		ret = 0;
		*done = 1;
	}
	r2 = DBCLOSE(c->close(c));
	free(k.data);
	if (packed)
		free(d.data);
	return (ret != 0 ? ret : r2);
}

/*
 * The share of the entries before key (all of them past the end).  In
 * runs, key_range weighs runs, and counts the run that holds key among
 * those before it, whole: the part of it at or past key is taken off,
 * as its pairs are, for the weight of one run.
 */
static int
share_before(DB *db, DB_TXN *txn, int runs, const void *key,
    size_t keylen, double *less)
{
	DB_KEY_RANGE	kr, one;
	struct runpairs	rp;
	DBC		*c;
	DBT		k, d;
	size_t		i;
	int		ret, r2;

	store_dbt(&k, key, keylen);
	memset(&kr, 0, sizeof(kr));
	if ((ret = DBCALL(db->key_range(db, txn, &k, &kr, 0))) != 0)
		return (ret);
	*less = kr.less;
	if (!runs)
		return (0);
	/* The run before the first that starts at or past key. */
	if ((ret = DBCALL(db->cursor(db, txn, &c, DB_READ_COMMITTED))) != 0)
		return (ret);
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.flags = d.flags = DB_DBT_REALLOC;
	k.data = xmemdup(key, keylen ? keylen : 1);
	k.size = (u_int32_t)keylen;
	ret = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
	if (ret == 0 || ret == DB_NOTFOUND)
		ret = DBCALL(c->get(c, &k, &d, ret == 0 ? DB_PREV : DB_LAST));
	runs_init(&rp);
	if (ret == 0 && runs_decode(d.data, d.size, &rp) == -1)
		ret = EBADMSG;
	if (ret == 0) {
		for (i = 0; i < rp.n && store_pair_cmp(rp.keys.data +
		    rp.off[i], rp.off[i + 1] - rp.off[i], 0, key, keylen,
		    0) < 0; i++)
			;
		memset(&one, 0, sizeof(one));
		ret = DBCALL(db->key_range(db, txn, &k, &one, 0));
		if (ret == 0)
			*less -= one.equal * (double)(rp.n - i) /
			    (double)rp.n;
		if (*less < 0)
			*less = 0;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;	/* none before key */
	r2 = DBCLOSE(c->close(c));
	free(k.data);
	free(d.data);
	runs_release(&rp);
	return (ret != 0 ? ret : r2);
}

int
store_key_share(struct store_txn *t, const struct table *table,
    const char *ixname, const void *lo, size_t lolen, const void *hi,
    size_t hilen, uint64_t *share, uint64_t *entries, struct buf *err)
{
	struct store_table *st;
	struct store_index *ix;
	double		 a = 0.0, b = 1.0;
	uint64_t	 in, all;
	int		 ret, done;

	*share = 0;
	if (entries != NULL)
		*entries = UINT64_MAX;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if ((ix = store_index_find(st, ixname, 1)) == NULL)
		return (buf_error(err, _("table '%s' has no index on '%s'"),
		    table->name, ixname));
	if (defer_index_read(t, 0, err) == -1)
		return (-1);
	if (ix->packed == PACK_RUNS)
		ret = share_count_runs(ix->db, t->txn, lo, lolen, hi, hilen,
		    &in, &all, &done);
	else
		ret = share_count(ix->db, t->txn, ix->packed, lo, lolen, hi,
		    hilen, &in, &all, &done);
	if (ret == 0 && done) {
		if (entries != NULL)
			*entries = in;
		if (all > 0)
			*share = (uint64_t)((double)in / (double)all *
			    STORE_SHARE_ONE + 0.5);
		return (0);
	}
	if (ret == 0 && lo != NULL)
		ret = share_before(ix->db, t->txn, ix->packed == PACK_RUNS,
		    lo, lolen, &a);
	if (ret == 0 && hi != NULL)
		ret = share_before(ix->db, t->txn, ix->packed == PACK_RUNS,
		    hi, hilen, &b);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	/*
	 * The estimate of each end is the sum of the shares of the
	 * subtrees left of its path, so b >= a for hi >= lo; a bound past
	 * the other gives 0.
	 */
	if (b > a)
		*share = (uint64_t)((b - a) * STORE_SHARE_ONE + 0.5);
	if (*share > STORE_SHARE_ONE)
		*share = STORE_SHARE_ONE;
	return (0);
}
