/*
 * scan.c: every record of a table in id order, as fast as the pages can
 * be read, records by a sorted list of ids (rec_fetch, store_fetch), and
 * records by ids in any order, a lookup each (store_fetch_each).  The
 * scan's cursor reads in bulk (DB_MULTIPLE_KEY, many records per call) with read-committed isolation, so a scan of a million records
 * neither holds a lock per page until its transaction ends nor blocks
 * writers behind it; the callback sees each record's encoded bytes and
 * reads the fields it needs in place (record_decode_field), decoding
 * nothing else.  This is the full-scan path of queries.  Never writes,
 * never prints.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* The bulk buffer: big enough for many records, a multiple of 1 KB. */
#define SCAN_BUF	(256 * 1024)

int
store_scan(struct store_txn *t, const struct table *table, uint64_t after,
    size_t max, int flags, store_scan_fn *fn, void *arg, uint64_t *last,
    struct buf *err)
{
	struct store_table *st;
	DBC		*c = NULL;
	DBT		 k, d, rk, rd;
	unsigned char	 kb[8];
	void		*p;
	uint64_t	 id = after;
	size_t		 seen = 0;
	u_int32_t	 op;
	int		 ret, r2, stop = 0;

	if (last != NULL)
		*last = after;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if (after == UINT64_MAX)
		return (0);
	ret = DBCALL(st->db->cursor(st->db, t->txn, &c, DB_READ_COMMITTED));
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	memset(&d, 0, sizeof(d));
	d.ulen = SCAN_BUF;
	d.data = xmalloc(d.ulen);
	d.flags = DB_DBT_USERMEM;
	store_id_key(kb, after + 1);
	memset(&k, 0, sizeof(k));
	k.data = kb;
	k.size = 8;
	k.ulen = 8;
	k.flags = DB_DBT_USERMEM;
	op = DB_SET_RANGE;
	while (!stop) {
		if ((ret = store_bulk_get(c, &k, &d, op)) != 0)
			break;
		op = DB_NEXT;
		DB_MULTIPLE_INIT(p, &d);
		for (;;) {
			memset(&rk, 0, sizeof(rk));
			memset(&rd, 0, sizeof(rd));
			DB_MULTIPLE_KEY_NEXT(p, &d, rk.data, rk.size, rd.data,
			    rd.size);
			if (p == NULL)
				break;
			if (rk.size != 8)
				continue;
			id = store_id_unkey(rk.data);
			/* Key 0 is the record count (rec.c). */
			if (id == 0)
				continue;
			if (last != NULL)
				*last = id;
			if (rd.size > 1 && (((unsigned char *)rd.data)[1] &
			    REC_ARCHIVED) && !(flags & STORE_PAGE_ARCHIVED))
				continue;
			seen++;
			if (fn(id, rd.data, rd.size, arg) != 0 ||
			    (max != 0 && seen >= max)) {
				stop = 1;
				break;
			}
		}
	}
	if (ret == DB_NOTFOUND) {
		ret = 0;
		if (last != NULL && !stop)
			*last = UINT64_MAX;
	}
	free(d.data);
	r2 = DBCLOSE(c->close(c));
	if (ret == 0)
		ret = r2;
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	return (0);
}

/*
 * A lookup's key through a table's rd: that handle compares keys
 * itself (store_key_cmp), and Berkeley DB then gives back the key it
 * found in the DBT, which a handle opened DB_THREAD wants room for.
 */
void
store_lookup_key(DBT *k, unsigned char *kb, uint64_t id)
{
	store_id_key(kb, id);
	memset(k, 0, sizeof(*k));
	k->data = kb;
	k->size = 8;
	k->ulen = 8;
	k->flags = DB_DBT_USERMEM;
}

/*
 * Berkeley DB's cursor get duplicates the cursor for every call and
 * closes one of the two after it, so that a failed get leaves the
 * cursor where it was: a quarter of what a lookup by id costs (2,200
 * instructions of 8,600).  A cursor that only ever looks records up by
 * id has no position worth keeping, so it is marked transient, as
 * DB->get marks the cursor it makes for its one get: the get then runs
 * on the cursor itself.  The page and lock of the lookup before are
 * let go by the search as they are for any cursor that moves (the
 * gets and puts of pages stay paired; the locks too).
 */
int
store_lookup_cursor(struct store_txn *t, struct store_table *st, DBC **cp,
    u_int32_t flags)
{
	int	ret;

	if ((ret = DBCALL(st->rd->cursor(st->rd, t->txn, cp, flags))) != 0)
		return (ret);
	(*cp)->flags |= DBC_TRANSIENT;
	return (0);
}

/*
 * Records by ascending ids.  A lookup (DB->get) descends the B-tree
 * from its root, four pages at a million records, each latched and
 * locked; ids close together share their leaf pages, or lie on the
 * next ones.  So one cursor reads forward in bulk (DB_MULTIPLE_KEY)
 * while the next id wanted lies within about a buffer of the last one
 * read, and a far id is looked up alone: a bulk read from it only when
 * the id after it is near too.  "Near" is counted in ids, from the
 * bytes a record has taken so far.
 */
#define FETCH_BUF	STORE_PAGESIZE	/* a multiple of 1 KB, >= a page */

struct fetcher {
	struct store_table *st;
	struct store_txn *t;
	DBC		*c;
	DBT		 bd;		/* the bulk buffer */
	void		*p;		/* the next pair in bd; NULL: none */
	int		 have;		/* cid, cdata: the current pair */
	uint64_t	 cid;
	void		*cdata;
	size_t		 clen;
	int		 done;		/* the cursor is past the last record */
	DBT		 one;		/* a lookup's record */
	uint64_t	 bytes, nrec;	/* record sizes seen */
};

/* Ids within this distance of the last one read are read through. */
static uint64_t
fetch_gap(const struct fetcher *f)
{
	uint64_t avg = f->nrec ? f->bytes / f->nrec : 256;

	return (FETCH_BUF / (avg + 16));
}

/* The next pair of the bulk buffer, reading more when it is spent
 * (op: DB_NEXT, or DB_SET_RANGE from kb); 0, DB_NOTFOUND, or an error. */
static int
fetch_step(struct fetcher *f, u_int32_t op, unsigned char *kb)
{
	DBT	 k;
	void	*kk, *dd;
	size_t	 kl, dl;
	int	 ret;

	for (;;) {
		if (f->p != NULL && op == DB_NEXT) {
			DB_MULTIPLE_KEY_NEXT(f->p, &f->bd, kk, kl, dd, dl);
			if (f->p != NULL) {
				if (kl != 8)
					continue;
				f->have = 1;
				f->cid = store_id_unkey(kk);
				f->cdata = dd;
				f->clen = dl;
				f->bytes += dl;
				f->nrec++;
				return (0);
			}
		}
		f->p = NULL;
		f->have = 0;
		if (op == DB_NEXT && f->done)
			return (DB_NOTFOUND);
		if (op == DB_SET_RANGE)
			store_dbt(&k, kb, 8);
		else
			memset(&k, 0, sizeof(k));
		ret = store_bulk_get(f->c, &k, &f->bd, op);
		if (ret == DB_NOTFOUND)
			f->done = 1;
		if (ret != 0)
			return (ret);
		f->done = 0;
		op = DB_NEXT;
		DB_MULTIPLE_INIT(f->p, &f->bd);
	}
}

int
rec_fetch(struct store_txn *t, struct store_table *st, const uint64_t *ids,
    size_t n, rec_fetch_fn *fn, void *arg, int *stopped)
{
	struct fetcher	 f;
	unsigned char	 kb[8];
	DBT		 k;
	size_t		 i;
	uint64_t	 id, gap;
	int		 ret = 0, r2, r;

	*stopped = 0;
	memset(&f, 0, sizeof(f));
	f.st = st;
	f.t = t;
	f.one.flags = DB_DBT_REALLOC;
	for (i = 0; i < n && ret == 0; i++) {
		id = ids[i];
		gap = fetch_gap(&f);
		/* Read through to id when it is near what was read. */
		while (f.have && f.cid < id && id - f.cid <= gap &&
		    (ret = fetch_step(&f, DB_NEXT, NULL)) == 0)
			;
		if (ret == DB_NOTFOUND) {
			ret = 0;
			r = 0;
		} else if (ret != 0)
			break;
		if (id == 0)		/* the record count (rec.c) */
			r = fn(i, id, NULL, 0, arg);
		else if (f.have && f.cid == id)
			r = fn(i, id, f.cdata, f.clen, arg);
		else if (f.have && f.cid > id)
			/* Read through from before it: no such record. */
			r = fn(i, id, NULL, 0, arg);
		else if (i + 1 < n && ids[i + 1] - id <= gap) {
			/* Near the next: a bulk read from here. */
			if (f.c == NULL && (ret = DBCALL(st->db->cursor(st->db,
			    t->txn, &f.c, 0))) != 0)
				break;
			if (f.bd.data == NULL) {
				f.bd.ulen = FETCH_BUF;
				f.bd.data = xmalloc(f.bd.ulen);
				f.bd.flags = DB_DBT_USERMEM;
			}
			store_id_key(kb, id);
			ret = fetch_step(&f, DB_SET_RANGE, kb);
			if (ret == DB_NOTFOUND)
				ret = 0;
			else if (ret != 0)
				break;
			if (f.have && f.cid == id)
				r = fn(i, id, f.cdata, f.clen, arg);
			else
				r = fn(i, id, NULL, 0, arg);
		} else {
			/* Far from both: a lookup alone. */
			f.have = 0;
			f.p = NULL;
			store_lookup_key(&k, kb, id);
			ret = DBCALL(st->rd->get(st->rd, t->txn, &k, &f.one, 0));
			if (ret == DB_NOTFOUND) {
				ret = 0;
				r = fn(i, id, NULL, 0, arg);
			} else if (ret != 0)
				break;
			else {
				f.bytes += f.one.size;
				f.nrec++;
				r = fn(i, id, f.one.data, f.one.size, arg);
			}
		}
		if (r != 0) {
			*stopped = r;
			break;
		}
	}
	free(f.bd.data);
	free(f.one.data);
	if (f.c != NULL) {
		r2 = DBCLOSE(f.c->close(f.c));
		if (ret == 0)
			ret = r2;
	}
	return (ret);
}

struct fetch_arg {
	int		 flags;
	store_scan_fn	*fn;
	void		*arg;
};

static int
fetch_one(size_t i, uint64_t id, const void *data, size_t len, void *arg)
{
	struct fetch_arg *fa = arg;

	(void)i;
	if (data == NULL)
		return (0);
	if (len > 1 && (((const unsigned char *)data)[1] & REC_ARCHIVED) &&
	    !(fa->flags & STORE_PAGE_ARCHIVED))
		return (0);
	return (fa->fn(id, data, len, fa->arg) != 0);
}

int
store_fetch(struct store_txn *t, const struct table *table,
    const uint64_t *ids, size_t n, int flags, store_scan_fn *fn, void *arg,
    struct buf *err)
{
	struct store_table *st;
	struct fetch_arg fa = { flags, fn, arg };
	int		 ret, stopped;

	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	ret = rec_fetch(t, st, ids, n, fetch_one, &fa, &stopped);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	return (stopped ? 1 : 0);
}

/* Ids, at least, for store_fetch_each() to take a helper thread. */
#define FETCH_AHEAD_MIN	256

/* store_fetch_each()'s hand-on: an id without a record is none. */
struct each_arg {
	const uint64_t	*ids;
	store_scan_fn	*fn;
	void		*arg;
};

static int
each_one(size_t i, const void *data, size_t len, void *arg)
{
	struct each_arg	*ea = arg;

	if (data == NULL)
		return (0);
	return (ea->fn(ea->ids[i], data, len, ea->arg));
}

/*
 * Records by id in the order given, each looked up alone through one
 * cursor.  For ids far apart (a few to a page of records) a lookup is
 * cheaper than store_fetch()'s bulk reads, which copy the records
 * between them too: at 5,000,000 invoices, ids 40 apart cost 0.9 us a
 * lookup against 1.6 us read through, 4 apart 0.8 against 0.17.
 */
int
store_fetch_each(struct store_txn *t, const struct table *table,
    const uint64_t *ids, size_t n, int flags, store_scan_fn *fn, void *arg,
    struct buf *err)
{
	struct store_table *st;
	struct each_arg	 ea = { ids, fn, arg };
	DBC		*c = NULL;
	DBT		 d;
	int		 ret = 0, r2, stopped = 0;

	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if (n == 0)
		return (0);
	/* Read-committed, as a scan: a lookup's page is not kept locked
	 * after it, so thousands of them hold no lock each till the end
	 * (7 % faster for 27,000 ids). */
	if ((ret = store_lookup_cursor(t, st, &c, DB_READ_COMMITTED)) != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	/* Many ids: a second thread looks them up too (ahead.c). */
	if (store_fetch_ahead_fits(t, n, FETCH_AHEAD_MIN))
		ret = store_ahead_run(t, st, c, &d, ids, n, 0, flags, each_one,
		    &ea, &stopped);
	else
		ret = store_ahead_ids(t, st, c, &d, ids, 0, n, flags,
		    each_one, &ea, &stopped);
	free(d.data);
	r2 = DBCLOSE(c->close(c));
	if (ret == 0)
		ret = r2;
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	return (stopped);
}
