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

#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define KEYS_BULK	(64 * 1024)	/* a multiple of 1 KB */

/* Order of (a, aid) and (b, bid) in an index: B-tree (byte) order of the
 * keys, then ids (8-byte big-endian behind the keys: store_cmpkey()). */
static int
pair_cmp(const void *a, size_t alen, uint64_t aid, const void *b,
    size_t blen, uint64_t bid)
{
	size_t	n = alen < blen ? alen : blen;
	int	c;

	c = n != 0 ? memcmp(a, b, n) : 0;
	if (c == 0)
		c = alen < blen ? -1 : alen > blen;
	if (c == 0)
		c = aid < bid ? -1 : aid > bid;
	return (c);
}

/*
 * Forward: the entries > (key, id), or >= with STORE_PAGE_FROM.  Where
 * keys carry the id (ix->cmp) the cursor goes straight to the first
 * such entry; in a unique index to the first key >= key, and an entry
 * of that key before the position is skipped as it comes.
 */
static int
keys_forward(DBC *c, const struct store_index *ix, const void *key,
    size_t keylen, uint64_t id, int from, store_key_fn *fn, void *arg,
    int *stopped)
{
	DBT		 k, d;
	struct buf	 seek = BUF_INIT;
	void		*p, *kk, *dd;
	size_t		 kl, dl;
	uint64_t	 rid;
	u_int32_t	 op = key != NULL ? DB_SET_RANGE : DB_FIRST;
	int		 ret, skip = key != NULL, cmp;

	if (key != NULL && ix->cmp) {
		if (!from && id == UINT64_MAX)
			store_cmpkey_after(&seek, key, keylen);
		else
			store_cmpkey(&seek, key, keylen, from ? id : id + 1);
		skip = 0;
	} else if (key != NULL)
		buf_add(&seek, key, keylen);
	memset(&d, 0, sizeof(d));
	d.ulen = KEYS_BULK;
	d.data = xmalloc(d.ulen);
	d.flags = DB_DBT_USERMEM;
	for (;;) {
		if (op == DB_SET_RANGE)
			store_dbt(&k, seek.data, seek.len);
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
			kl = store_ixkey_len(ix, kl);
			if (skip) {
				cmp = pair_cmp(kk, kl, rid, key, keylen, id);
				if (cmp < 0 || (cmp == 0 && !from))
					continue;
				skip = 0;
			}
			if (fn(kk, kl, rid, arg) != 0) {
				*stopped = 1;
				ret = 0;
				goto out;
			}
		}
	}
out:
	free(d.data);
	buf_release(&seek);
	return (ret == DB_NOTFOUND ? 0 : ret);
}

/*
 * Backward: the entries < (key, id), or <= with STORE_PAGE_FROM,
 * nearest first.  The cursor goes to the first entry past the range
 * (where keys carry the id, at key ‖ id; else at the next key), steps
 * back once, then one by one.
 */
static int
keys_backward(DBC *c, const struct store_index *ix, const void *key,
    size_t keylen, uint64_t id, int from, store_key_fn *fn, void *arg,
    int *stopped)
{
	DBT		 k, d;
	struct buf	 next = BUF_INIT;
	unsigned char	 idb[8];
	uint64_t	 rid;
	size_t		 kl;
	int		 ret = DB_NOTFOUND, cmp, key_last = 0;

	memset(&d, 0, sizeof(d));
	d.data = idb;
	d.ulen = 8;
	d.flags = DB_DBT_USERMEM;
	if (key != NULL) {
		if (ix->cmp && !(from && id == UINT64_MAX))
			store_cmpkey(&next, key, keylen, from ? id + 1 : id);
		else if (ix->cmp)
			store_cmpkey_after(&next, key, keylen);
		else {
			/* The smallest key after every (key, *). */
			buf_add(&next, key, keylen);
			buf_addch(&next, '\0');
		}
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
		kl = store_ixkey_len(ix, k.size);
		if (key != NULL) {
			cmp = pair_cmp(k.data, kl, rid, key, keylen, id);
			if (cmp > 0 || (cmp == 0 && !from))
				continue;
		}
		if (fn(k.data, kl, rid, arg) != 0) {
			*stopped = 1;
			break;
		}
	}
	buf_release(&next);
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
	if (ret == 0 && (flags & STORE_PAGE_BACKWARD))
		ret = keys_backward(c, ix, key, keylen, id,
		    flags & STORE_PAGE_FROM, fn, arg, &stopped);
	else if (ret == 0)
		ret = keys_forward(c, ix, key, keylen, id, flags &
		    STORE_PAGE_FROM, fn, arg, &stopped);
	if (c != NULL) {
		r2 = DBCLOSE(c->close(c));
		if (ret == 0)
			ret = r2;
	}
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	return (stopped);
}

/* Does key lie in [lo, hi)? (NULL: no bound on that side) */
static int
in_range(const void *k, size_t klen, const void *lo, size_t lolen,
    const void *hi, size_t hilen)
{
	if (lo != NULL && pair_cmp(k, klen, 0, lo, lolen, 0) < 0)
		return (0);
	if (hi != NULL && pair_cmp(k, klen, 0, hi, hilen, 0) >= 0)
		return (0);
	return (1);
}

/*
 * The index of a table of at most SHARE_RECORDS records is counted,
 * entry by entry in bulk (some 0.1 ms at 5,000); a bigger one is
 * estimated by key_range from the B-tree's shape.  Each entry is a key
 * of its own (store_cmpkey()), so key_range weighs every entry, but by
 * the pages they are on: it is off by about a leaf page's share at each
 * end (up to 6 % of an index of 5,000 entries in ten pages, well under
 * 1 % at a million), and by more where pages are unevenly full (a key
 * whose entries go into the middle of the index leaves its pages half
 * full where appends at the end fill theirs: a few keys of one
 * insertion order seen up to 7 % of the index too big, test-key-share).
 * Duplicates kept under one key used to be counted instead (DBC->count
 * of a key's tree), for an index of up to 16 keys.
 */
#define SHARE_RECORDS	8192

static int
share_walk(const struct store_index *ix, DB_TXN *txn, const void *lo,
    size_t lolen, const void *hi, size_t hilen, uint64_t *in, uint64_t *all)
{
	DB		*db = ix->db;
	DBC		*c = NULL;
	DBT		 k, d;
	void		*p, *kk, *dd;
	size_t		 kl, dl;
	u_int32_t	 op;
	int		 ret, r2;

	*in = *all = 0;
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	d.ulen = KEYS_BULK;
	d.data = xmalloc(d.ulen);
	d.flags = DB_DBT_USERMEM;
	if ((ret = DBCALL(db->cursor(db, txn, &c, DB_READ_COMMITTED))) != 0)
		goto out;
	for (op = DB_FIRST;; op = DB_NEXT) {
		if ((ret = store_bulk_get(c, &k, &d, op)) != 0)
			break;
		DB_MULTIPLE_INIT(p, &d);
		for (;;) {
			DB_MULTIPLE_KEY_NEXT(p, &d, kk, kl, dd, dl);
			if (p == NULL)
				break;
			if (dd == NULL || dl != 8)
				continue;
			kl = store_ixkey_len(ix, kl);
			(*all)++;
			if (in_range(kk, kl, lo, lolen, hi, hilen))
				(*in)++;
		}
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
	r2 = DBCLOSE(c->close(c));
	if (ret == 0)
		ret = r2;
out:
	free(d.data);
	return (ret);
}

/* *done 1 when db holds no entry (a field no record sets). */
static int
share_empty(DB *db, DB_TXN *txn, int *done)
{
	DBC	*c;
	DBT	 k, d;
	int	 ret, r2;

	*done = 0;
	if ((ret = DBCALL(db->cursor(db, txn, &c, DB_READ_COMMITTED))) != 0)
		return (ret);
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.flags = d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	ret = DBCALL(c->get(c, &k, &d, DB_FIRST));
	if (ret == DB_NOTFOUND) {
		*done = 1;
		ret = 0;
	}
	r2 = DBCLOSE(c->close(c));
	return (ret != 0 ? ret : r2);
}

/* The share of the entries before key (all of them past the end). */
static int
share_before(DB *db, DB_TXN *txn, const void *key, size_t keylen,
    double *less)
{
	DB_KEY_RANGE	kr;
	DBT		k;
	int		ret;

	store_dbt(&k, key, keylen);
	memset(&kr, 0, sizeof(kr));
	if ((ret = DBCALL(db->key_range(db, txn, &k, &kr, 0))) != 0)
		return (ret);
	*less = kr.less;
	return (0);
}

int
store_key_share(struct store_txn *t, const struct table *table,
    const char *ixname, const void *lo, size_t lolen, const void *hi,
    size_t hilen, uint64_t *share, uint64_t *entries, struct buf *err)
{
	struct store_table *st;
	struct store_index *ix;
	double		 a = 0.0, b = 1.0;
	uint64_t	 in, all, nrec;
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
	if (store_count(t, table, &nrec, err) == -1)
		return (-1);
	in = all = 0;
	if ((done = nrec <= SHARE_RECORDS))
		ret = share_walk(ix, t->txn, lo, lolen, hi, hilen, &in, &all);
	else
		ret = share_empty(ix->db, t->txn, &done);
	if (ret == 0 && done) {
		if (entries != NULL)
			*entries = in;
		if (all > 0)
			*share = (uint64_t)((double)in / (double)all *
			    STORE_SHARE_ONE + 0.5);
		return (0);
	}
	if (ret == 0 && lo != NULL)
		ret = share_before(ix->db, t->txn, lo, lolen, &a);
	if (ret == 0 && hi != NULL)
		ret = share_before(ix->db, t->txn, hi, hilen, &b);
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
