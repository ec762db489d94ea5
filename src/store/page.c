/*
 * page.c: reading many records: pages in the order of an index or of
 * ids, exact lookups, and the word-token search.  Everything positions
 * by key ("the 50 after this key and id"), opens its cursors inside the
 * caller's transaction and closes them before returning, so nothing is
 * held across a person's think time.  store_page_each() walks as
 * store_page() does but hands each record's bytes on undecoded.  Index
 * entries are read as they are, key and primary id, without fetching
 * every record.
 * Never prints, never writes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static int
read_fail(struct store_txn *t, struct store_table *st, int ret,
    struct buf *err)
{
	/* A chunk of a packed index that does not decode (pack.c). */
	if (ret == EBADMSG)
		return (buf_error(err, _("an index of table '%s' is damaged; "
		    "run clerk admin verify"), st->t->name));
	return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
	    st->t->name, store_strerror(ret)));
}

void
store_records_free(struct record **v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		record_free(v[i]);
	free(v);
}

/* Key compare in B-tree (byte) order. */
static int
keycmp(const void *a, size_t alen, const void *b, size_t blen)
{
	size_t	n = alen < blen ? alen : blen;
	int	c;

	c = n != 0 ? memcmp(a, b, n) : 0;
	if (c != 0)
		return (c);
	return (alen < blen ? -1 : alen > blen);
}

/*
 * A cursor on an index, read as (key, id) pairs in order.  k and the id
 * are valid after a successful move.
 */
struct icur {
	DBC		*c;
	DBT		 k, d;
	unsigned char	 idb[8];
	struct buf	 key;	/* the current key, kept */
	uint64_t	 id;
	int		 packed;	/* a packed index: through pc */
	struct pcur	 pc;
};

/* A packed index's pair, the cursor's. */
static int
icur_packed(struct icur *ic, int ret)
{
	if (ret != 0)
		return (ret);
	ic->id = ic->pc.id;
	buf_reset(&ic->key);
	buf_add(&ic->key, ic->pc.key.data, ic->pc.key.len);
	return (0);
}

static int
icur_get(struct icur *ic, u_int32_t flag)
{
	int	ret;

	if (ic->packed)
		return (icur_packed(ic, pcur_move(&ic->pc, flag)));
	ic->d.data = ic->idb;
	ic->d.ulen = 8;
	ic->d.flags = DB_DBT_USERMEM;
	ret = DBCALL(ic->c->get(ic->c, &ic->k, &ic->d, flag));
	if (ret != 0)
		return (ret);
	ic->id = ic->d.size == 8 ? store_id_unkey(ic->idb) : 0;
	buf_reset(&ic->key);
	buf_add(&ic->key, ic->k.data, ic->k.size);
	return (0);
}

static void
icur_setkey(struct icur *ic, const void *key, size_t len)
{
	if (ic->k.flags & DB_DBT_REALLOC)
		free(ic->k.data);
	memset(&ic->k, 0, sizeof(ic->k));
	ic->k.flags = DB_DBT_REALLOC;
	buf_reset(&ic->key);
	buf_add(&ic->key, key, len);
	ic->k.data = xmemdup(key, len ? len : 1);
	ic->k.size = (u_int32_t)len;
}

/*
 * Position on the first entry >= (key, id).  DB_NOTFOUND when there is
 * none (past the end).
 */
static int
icur_seek(struct icur *ic, const void *key, size_t len, uint64_t id)
{
	int	ret;

	if (ic->packed)
		return (icur_packed(ic, pcur_seek(&ic->pc, key, len, id)));
	icur_setkey(ic, key, len);
	if ((ret = icur_get(ic, DB_SET_RANGE)) != 0)
		return (ret);
	if (keycmp(ic->key.data, ic->key.len, key, len) != 0)
		return (0);
	/* The key is there but its entry is before id. */
	if (ic->id < id)
		return (icur_get(ic, DB_NEXT));
	return (0);
}

/*
 * Once positioned, a backward walk's cursor only steps (DB_PREV) and
 * the walk ends at the first step that fails, so it needs no position
 * kept across a failure: marked transient, as the lookup cursors are
 * (store_lookup_cursor()), Berkeley DB steps the cursor itself instead
 * of a copy it makes and closes for each step (over half of what a
 * DB_PREV cost: a top 20 walked backward spent a quarter of its time
 * there).  Positioning may fail and go on (a seek past the end, then
 * DB_LAST), so it comes first.  Not forward: a bulk read on a
 * transient cursor is taken for a DB->get's and refuses to stop
 * inside a key's duplicates (DB_BUFFER_SMALL).
 */
static void
icur_stepping(struct icur *ic, int back)
{
	if (back)
		ic->c->flags |= DBC_TRANSIENT;
}

/* A cursor on ix opened in the caller's transaction: 0 or the error. */
static int
icur_open(struct icur *ic, struct store_index *ix, DB_TXN *txn)
{
	int	ret;

	memset(ic, 0, sizeof(*ic));
	ic->packed = ix->packed;
	if ((ret = DBCALL(ix->db->cursor(ix->db, txn, &ic->c, 0))) != 0)
		return (ret);
	if (ic->packed)
		pcur_init(&ic->pc, ic->c, ix->packed == PACK_RUNS);
	return (0);
}

static void
icur_release(struct icur *ic)
{
	if (ic->k.flags & DB_DBT_REALLOC)
		free(ic->k.data);
	ic->k.data = NULL;
	buf_release(&ic->key);
	if (ic->packed)
		pcur_release(&ic->pc);
}

/*
 * Records for a page come through one cursor on the primary and one
 * buffer that grows as needed, not an allocation per record.
 */
struct fetch {
	DBC		*pc;
	DBT		 d;
};

/* Close the cursor (what closing it returned) and free the buffer. */
static int
fetch_release(struct fetch *f)
{
	int	ret = 0;

	if (f->pc != NULL)
		ret = DBCLOSE(f->pc->close(f->pc));
	free(f->d.data);
	memset(f, 0, sizeof(*f));
	return (ret);
}

/* Decode one record into the page; archived ones dropped unless asked. */
static int
page_decode(struct store_table *st, uint64_t id, const DBT *d, int flags,
    struct record **out, size_t *nout, struct buf *err)
{
	struct record	*rec;

	if (d->size > 1 && (((const unsigned char *)d->data)[1] &
	    REC_ARCHIVED) && !(flags & STORE_PAGE_ARCHIVED))
		return (0);
	rec = record_new_room(st->t, d->size);
	rec->id = id;
	if (record_decode(rec, d->data, d->size, err) == -1) {
		record_free(rec);
		return (-1);
	}
	out[(*nout)++] = rec;
	return (0);
}

/* Fetch record id for a page by index. */
static int
page_add(struct store_txn *t, struct store_table *st, struct fetch *f,
    uint64_t id, int flags, struct record **out, size_t *nout,
    struct buf *err)
{
	int		 ret;

	/* Through the handle that compares ids faster (env.c). */
	if (f->pc == NULL) {
		ret = store_lookup_cursor(t, st, &f->pc, 0);
		if (ret != 0)
			return (read_fail(t, st, ret, err));
		f->d.flags = DB_DBT_REALLOC;
	}
	ret = rcache_read(t, st, f->pc, id, &f->d);
	if (ret == DB_NOTFOUND)
		return (buf_error(err, _("an index of table '%s' refers to "
		    "the missing record %llu; run a check"), st->t->name,
		    (unsigned long long)id));
	if (ret != 0)
		return (read_fail(t, st, ret, err));
	return (page_decode(st, id, &f->d, flags, out, nout, err));
}

/*
 * Forward pages read in bulk (DB_MULTIPLE_KEY): one call brings the
 * (key, id) pairs of an index, or the (id, record) pairs of the primary,
 * for a page or more, where a DB_NEXT per entry made fifty calls, each
 * duplicating its cursor.  Bulk reads only go forward; backward pages
 * step.
 */
#define PAGE_BULK_MIN	STORE_PAGESIZE	/* a bulk buffer holds a page */
#define PAGE_BULK_MAX	(64 * 1024)
#define PAGE_BULK_PAIR	96	/* bytes an index pair takes, about */
#define PAGE_BULK_REC	768	/* bytes a record takes, about */

struct ibulk {
	struct icur	*ic;		/* a packed index's: steps through it */
	DBC		*c;
	DBT		 bd;
	void		*p;		/* the next pair in bd; NULL: read more */
	size_t		 size;
	size_t		 entry;		/* bytes a pair takes, about */
	unsigned char	 kb[8];		/* with seek: the first key wanted */
	int		 seek;		/* the first read starts at kb */
	int		 done;
};

/*
 * The next pair: from the first key >= kb when seek is set, else after
 * the cursor's position.  0 with the pair set (valid until the next
 * call), else DB_NOTFOUND or an error.
 */
static int
ibulk_next(struct ibulk *b, size_t want, void **key, size_t *klen,
    void **data, size_t *dlen)
{
	DBT	 kd;
	size_t	 size;
	int	 ret;

	if (b->ic != NULL && b->ic->packed) {
		/* Its chunks are the bulk. */
		if ((ret = icur_get(b->ic, DB_NEXT)) != 0)
			return (ret);
		store_id_key(b->ic->idb, b->ic->id);
		*key = b->ic->key.data;
		*klen = b->ic->key.len;
		*data = b->ic->idb;
		*dlen = 8;
		return (0);
	}
	for (;;) {
		if (b->p != NULL) {
			DB_MULTIPLE_KEY_NEXT(b->p, &b->bd, *key, *klen, *data,
			    *dlen);
			if (b->p != NULL)
				return (0);
		}
		if (b->done)
			return (DB_NOTFOUND);
		/* Room for what is still wanted, in whole kilobytes and
		 * at least a database page. */
		size = want * b->entry;
		size = size < PAGE_BULK_MIN ? PAGE_BULK_MIN :
		    size > PAGE_BULK_MAX ? PAGE_BULK_MAX : size;
		size = (size + 1023) & ~(size_t)1023;
		if (size > b->size) {
			free(b->bd.data);
			b->bd.data = xmalloc(size);
			b->size = size;
		}
		if (b->seek)
			store_dbt(&kd, b->kb, 8);
		else
			memset(&kd, 0, sizeof(kd));
		b->bd.ulen = (u_int32_t)b->size;
		b->bd.flags = DB_DBT_USERMEM;
		ret = store_bulk_get(b->c, &kd, &b->bd, b->seek ?
		    DB_SET_RANGE : DB_NEXT);
		b->size = b->bd.ulen;	/* grown for one large pair */
		if (ret == DB_NOTFOUND)
			b->done = 1;
		if (ret != 0)
			return (ret);
		b->seek = 0;
		DB_MULTIPLE_INIT(b->p, &b->bd);
	}
}

/* A page in id order, on the primary: keys and records in one walk. */
static int
page_by_id(struct store_txn *t, struct store_table *st, uint64_t id,
    int flags, size_t n, struct record **out, size_t *nout,
    struct buf *err)
{
	struct fetch	 f;
	struct ibulk	 bulk;
	int		 back = flags & STORE_PAGE_BACKWARD, ret, r2;
	unsigned char	 kb[8];
	void		*kk, *dd;
	size_t		 kl, dl;
	DBT		 k, d;

	memset(&f, 0, sizeof(f));
	memset(&bulk, 0, sizeof(bulk));
	f.d.flags = DB_DBT_REALLOC;
	if ((ret = DBCALL(st->db->cursor(st->db, t->txn, &f.pc, 0))) != 0)
		return (read_fail(t, st, ret, err));
	if (!back) {
		/* First id > id (>= with FROM); key 0 is the record count
		 * (rec.c), never a record. */
		bulk.c = f.pc;
		bulk.entry = PAGE_BULK_REC;
		bulk.seek = 1;
		store_id_key(bulk.kb, flags & STORE_PAGE_FROM ? id : id + 1);
		while (*nout < n && (ret = ibulk_next(&bulk, n - *nout, &kk,
		    &kl, &dd, &dl)) == 0) {
			id = kl == 8 ? store_id_unkey(kk) : 0;
			store_dbt(&d, dd, dl);
			if (id != 0 && page_decode(st, id, &d, flags, out,
			    nout, err) == -1) {
				ret = -1;
				break;
			}
		}
		free(bulk.bd.data);
		goto done;
	}
	memset(&k, 0, sizeof(k));
	k.data = kb;
	k.ulen = 8;
	k.flags = DB_DBT_USERMEM;
	/* Backward: seek past the position, then step back. */
	if (id == 0 && !(flags & STORE_PAGE_FROM))
		id = UINT64_MAX;
	if (id == UINT64_MAX)
		ret = DB_NOTFOUND;
	else {
		store_id_key(kb, flags & STORE_PAGE_FROM ? id + 1 : id);
		k.size = 8;
		ret = DBCALL(f.pc->get(f.pc, &k, &f.d, DB_SET_RANGE));
	}
	if (ret == 0)
		ret = DBCALL(f.pc->get(f.pc, &k, &f.d, DB_PREV));
	else if (ret == DB_NOTFOUND)
		ret = DBCALL(f.pc->get(f.pc, &k, &f.d, DB_LAST));
	while (ret == 0 && *nout < n) {
		id = k.size == 8 ? store_id_unkey(kb) : 0;
		if (id != 0 && page_decode(st, id, &f.d, flags, out, nout,
		    err) == -1) {
			ret = -1;
			break;
		}
		ret = DBCALL(f.pc->get(f.pc, &k, &f.d, DB_PREV));
	}
done:
	if (ret == DB_NOTFOUND)
		ret = 0;
	r2 = fetch_release(&f);
	if (ret == 0)
		ret = r2;
	if (ret == -1)
		return (-1);
	if (ret != 0)
		return (read_fail(t, st, ret, err));
	return (0);
}

/*
 * Put an index cursor on the first entry of a page.  Positions are
 * (key, id) pairs.  Forward: the first entry > (key, id), or >= with
 * from.  Backward: seek the first entry past the range wanted and step
 * back once.  The smallest pair after every (key, *) is (key NUL, 0),
 * made in next.  No key: the first or the last entry.
 */
static int
icur_position(struct icur *ic, const void *key, size_t keylen, uint64_t id,
    int back, int from, struct buf *next)
{
	int	incl = back ? !from : from;	/* seek >= */
	int	ret;

	if (key == NULL)
		return (icur_get(ic, back ? DB_LAST : DB_FIRST));
	if (incl || id != UINT64_MAX)
		ret = icur_seek(ic, key, keylen, incl ? id : id + 1);
	else if (ic->packed)
		/* Its B-tree keys are key NUL bound: no id is that big. */
		ret = icur_seek(ic, key, keylen, UINT64_MAX);
	else {
		buf_add(next, key, keylen);
		buf_addch(next, '\0');
		ret = icur_seek(ic, next->data, next->len, 0);
	}
	if (back) {
		if (ret == 0)
			ret = icur_get(ic, DB_PREV);
		else if (ret == DB_NOTFOUND)
			ret = icur_get(ic, DB_LAST);
	}
	return (ret);
}

static int
page_by_index(struct store_txn *t, struct store_index *ix, const void *key,
    size_t keylen, uint64_t id, int flags, size_t n, struct record **out,
    size_t *nout, struct buf *err)
{
	struct store_table *st = ix->st;
	struct icur	 ic;
	struct ibulk	 bulk;
	struct fetch	 f;
	struct buf	 next = BUF_INIT;
	void		*kk, *dd;
	size_t		 kl, dl;
	int		 back = flags & STORE_PAGE_BACKWARD;
	int		 from = flags & STORE_PAGE_FROM;
	int		 ret, r2;

	/* Reads see their own transaction's writes. */
	if (defer_index_read(t, 0, err) == -1)
		return (-1);
	memset(&bulk, 0, sizeof(bulk));
	memset(&f, 0, sizeof(f));
	if ((ret = icur_open(&ic, ix, t->txn)) != 0)
		return (read_fail(t, st, ret, err));
	bulk.c = ic.c;
	bulk.ic = &ic;
	bulk.entry = PAGE_BULK_PAIR;
	ret = icur_position(&ic, key, keylen, id, back, from, &next);
	if (ret == 0)
		icur_stepping(&ic, back);
	id = ic.id;
	while (ret == 0 && *nout < n) {
		if (page_add(t, st, &f, id, flags, out, nout, err) == -1) {
			ret = -1;
			break;
		}
		if (*nout == n)
			break;
		if (back) {
			ret = icur_get(&ic, DB_PREV);
			id = ic.id;
		} else if ((ret = ibulk_next(&bulk, n - *nout, &kk, &kl, &dd,
		    &dl)) == 0)
			id = dl == 8 ? store_id_unkey(dd) : 0;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
	r2 = fetch_release(&f);
	if (ret == 0)
		ret = r2;
	free(bulk.bd.data);
	r2 = DBCLOSE(ic.c->close(ic.c));
	if (ret == 0)
		ret = r2;
	icur_release(&ic);
	buf_release(&next);
	if (ret == -1)
		return (-1);
	if (ret != 0)
		return (read_fail(t, st, ret, err));
	return (0);
}

int
store_page(struct store_txn *t, const struct table *table, const char *ixname,
    const void *key, size_t keylen, uint64_t id, int flags, size_t n,
    struct record ***outp, size_t *nout, struct buf *err)
{
	struct store_table *st;
	struct store_index *ix = NULL;
	struct record	**out;
	int		 r;

	*outp = NULL;
	*nout = 0;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if (ixname != NULL && (ix = store_index_find(st, ixname, 1)) == NULL)
		return (buf_error(err, _("table '%s' has no index on '%s'"),
		    table->name, ixname));
	out = xcalloc(n ? n : 1, sizeof(*out));
	if (ix == NULL)
		r = page_by_id(t, st, id, flags, n, out, nout, err);
	else
		r = page_by_index(t, ix, key, keylen, id, flags, n, out, nout,
		    err);
	if (r == -1) {
		store_records_free(out, *nout);
		*nout = 0;
		return (-1);
	}
	if (*nout == 0)
		free(out);
	else
		*outp = out;
	return (0);
}

void
store_page_key(const struct record *rec, const char *ixname, struct buf *out)
{
	const struct field *f;
	struct keyset	 ks;
	const char	*colon;
	char		*name;
	int		 kind = 0;

	buf_reset(out);
	colon = strchr(ixname, ':');
	name = colon != NULL ? xstrndup(ixname, (size_t)(colon - ixname)) :
	    xstrdup(ixname);
	f = table_field(rec->table, name);
	free(name);
	if (f == NULL)
		return;
	if (colon != NULL)
		kind = strcmp(colon + 1, "folded") == 0 ? IX_FOLDED :
		    strcmp(colon + 1, "unique") == 0 ? IX_UNIQUE : IX_EXACT;
	else if (f->index & IX_FOLDED)
		kind = IX_FOLDED;
	else if ((f->index & IX_EXACT) || f->type == FT_REF)
		kind = IX_EXACT;
	else
		kind = IX_UNIQUE;
	keyset_init(&ks);
	index_field_keys(rec, f->pos, kind, &ks);
	if (ks.n != 0)
		buf_add(out, ks.bytes.data + ks.off[0], ks.len[0]);
	keyset_release(&ks);
}

/*
 * The id of one key of a unique index, what store_lookup() reads there
 * (a packed one's through pack_lookup()): one positioned get.
 */
static int
lookup_id(DBC *c, const void *key, size_t keylen, uint64_t *ids, size_t max,
    size_t *nout)
{
	DBT		 k, d;
	unsigned char	 idb[8];
	int		 ret;

	store_dbt(&k, key, keylen);
	memset(&d, 0, sizeof(d));
	d.data = idb;
	d.ulen = sizeof(idb);
	d.flags = DB_DBT_USERMEM;
	if ((ret = DBCALL(c->get(c, &k, &d, DB_SET))) != 0)
		return (ret);
	if (max > 0)
		ids[(*nout)++] = d.size == 8 ? store_id_unkey(idb) : 0;
	return (0);
}

int
store_lookup(struct store_txn *t, const struct table *table,
    const char *ixname, const void *key, size_t keylen, uint64_t *ids,
    size_t max, size_t *nout, struct buf *err)
{
	struct store_table *st;
	struct store_index *ix;
	DBC		*c;
	int		 ret, r2;

	*nout = 0;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if ((ix = store_index_find(st, ixname, 0)) == NULL)
		return (buf_error(err, _("table '%s' has no index on '%s'"),
		    table->name, ixname));
	if (defer_index_read(t, 0, err) == -1)
		return (-1);
	if ((ret = DBCALL(ix->db->cursor(ix->db, t->txn, &c, 0))) != 0)
		return (read_fail(t, st, ret, err));
	/* Closed after the lookup whatever happens: Berkeley DB moves it
	 * itself instead of a copy it would make and close for each call
	 * (a fifth of an ИНН lookup's instructions, callgrind). */
	c->flags |= DBC_TRANSIENT;
	if (ix->packed)
		ret = pack_lookup(c, ix->packed == PACK_RUNS, key, keylen,
		    ids, max, nout, NULL);
	else
		ret = lookup_id(c, key, keylen, ids, max, nout);
	if (ret == DB_NOTFOUND)
		ret = 0;
	r2 = DBCLOSE(c->close(c));
	if (ret == 0)
		ret = r2;
	if (ret != 0)
		return (read_fail(t, st, ret, err));
	return ((int)*nout);
}

/*
 * Search, over the word index's posting lists (words.c).  Each query
 * token is a stream of ascending ids.  A token short enough to have a
 * prefix key (1-3 letters, keys.c) is that key's list, read a few dozen
 * chunks at a time as the intersection needs them, so the first page of
 * a letter costs a read or two, not all its ids.  A longer token is the
 * union of the lists of every token it is a prefix of ("иванов" finds
 * "иванова" too): read at once and, when there are several, made one
 * list (tstream_union()).  The answer is the intersection of the
 * streams, taken window by window of ids (bit sets) from the smallest id
 * up, so the first max ids cost about as much as the ids below them.
 */
#define SEARCH_BULK	(64 * 1024)
#define SEARCH_WINDOW	(1 << 20)	/* ids; a multiple of 64 */

struct tstream {
	DBC		*c;
	struct buf	 key;		/* the token, or its prefix key */
	struct buf	 last;		/* the last token read (gathered) */
	int		 lazy;		/* one list, read as needed */
	int		 started, done;
	size_t		 bulk;		/* bytes the next read may take */
	uint64_t	*ids;		/* ascending, from at on unread */
	size_t		 nids, at, alloc;
	/* Set: a lazy token's ids go straight there, up to cap. */
	uint64_t	*direct;
	size_t		 ndirect, capdirect;
	/* Set: a gathered token's chunks kept as read, not decoded. */
	int		 rawmode;
	struct buf	 raw;		/* [word no][length][chunk]... */
	uint32_t	 nword;
	/* A gathered token's words: where each one's ids start. */
	size_t		*runs;
	uint64_t	*hash;		/* with keep: each word's word_hash() */
	size_t		 nruns, aruns;
	/*
	 * Set: its words' lists kept apart (a query whose tokens nest),
	 * not made one: word i's ids are wids[runs[i], runs[i + 1]),
	 * mpos[i] the first not yet marked (tstream_mark()), wpos[i] the
	 * first not yet compared with the answers (nest_hits()).
	 */
	int		 keep;
	uint64_t	*wids;
	size_t		*wpos, *mpos;	/* one allocation, wpos's */
};

struct search {
	struct store_txn *t;
	struct store_table *st;
	DB		*db;
	struct tstream	*ts;
	size_t		 nts;
	int		 ret;
	void		*bulk;
	size_t		 pagesize;	/* of the word index */
	int		 merge;		/* gathered words merged lazily */
	struct whit	*hit, *hit2;	/* nest_window()'s, kept for the next */
	size_t		 ahit;
};

static uint64_t word_hash(const unsigned char *, size_t);

/*
 * One bulk read of chunks from where the cursor stands (the first, from
 * the token's first chunk).  The chunks of the lazy token's own key are
 * decoded; for a gathered token, every key it is a prefix of.  *multi is
 * set when more than one token was seen.
 */
static int
tstream_read(struct search *s, struct tstream *ts, int *multi)
{
	DBT	 kd, bd;
	void	*p, *kk, *dd;
	size_t	 kl, dl, tl;
	uint64_t lo;
	int	 ret;
	struct buf first = BUF_INIT;

	if (!ts->started) {
		buf_add(&first, ts->key.data, ts->key.len);
		if (ts->lazy)
			buf_add(&first, "", 1);	/* the 0x00 separator */
		store_dbt(&kd, first.data, first.len);
	} else
		memset(&kd, 0, sizeof(kd));
	/*
	 * The first read is small (the first page of a letter needs a
	 * few chunks), the next ones bigger; Berkeley DB wants a page at
	 * least.
	 */
	if (ts->bulk == 0) {
		ts->bulk = SEARCH_BULK / 16;
		if (s->pagesize > ts->bulk)
			ts->bulk = s->pagesize < SEARCH_BULK ? s->pagesize :
			    SEARCH_BULK;
	}
	for (;;) {
		memset(&bd, 0, sizeof(bd));
		bd.data = s->bulk;
		bd.ulen = (u_int32_t)ts->bulk;
		bd.flags = DB_DBT_USERMEM;
		ret = DBCALL(ts->c->get(ts->c, &kd, &bd, (ts->started ?
		    DB_NEXT : DB_SET_RANGE) | DB_MULTIPLE_KEY));
		if (ret != DB_BUFFER_SMALL || ts->bulk == SEARCH_BULK)
			break;
		ts->bulk = SEARCH_BULK;
	}
	if (ts->bulk < SEARCH_BULK)
		ts->bulk *= 2;
	ts->started = 1;
	buf_release(&first);
	if (ret == DB_NOTFOUND) {
		ts->done = 1;
		return (0);
	}
	if (ret != 0)
		return (s->ret = ret);
	DB_MULTIPLE_INIT(p, &bd);
	for (;;) {
		DB_MULTIPLE_KEY_NEXT(p, &bd, kk, kl, dd, dl);
		if (p == NULL)
			break;
		if (words_key_split(kk, kl, &tl, &lo) == -1)
			continue;
		if (ts->lazy ? tl != ts->key.len || memcmp(kk, ts->key.data,
		    tl) != 0 : tl < ts->key.len || memcmp(kk, ts->key.data,
		    ts->key.len) != 0) {
			/* Keys are in order: nothing of the token follows. */
			ts->done = 1;
			return (0);
		}
		if (!ts->lazy && (tl != ts->last.len || memcmp(ts->last.data,
		    kk, tl) != 0)) {
			if (ts->last.len != 0)
				*multi = 1;
			buf_reset(&ts->last);
			buf_add(&ts->last, kk, tl);
			ts->nword++;
			if (!ts->rawmode) {
				if (ts->nruns == ts->aruns) {
					ts->aruns = ts->aruns ? ts->aruns * 2 :
					    16;
					ts->runs = xreallocarray(ts->runs,
					    ts->aruns, sizeof(*ts->runs));
					if (ts->keep)
						ts->hash = xreallocarray(
						    ts->hash, ts->aruns,
						    sizeof(*ts->hash));
				}
				if (ts->keep)
					ts->hash[ts->nruns] = word_hash(kk, tl);
				ts->runs[ts->nruns++] = ts->nids;
			}
		}
		if (ts->rawmode) {
			uint32_t	hd[2];

			hd[0] = ts->nword;
			hd[1] = (uint32_t)dl;
			buf_add(&ts->raw, hd, sizeof(hd));
			buf_add(&ts->raw, dd, dl);
		} else if (ts->direct != NULL) {
			if (words_decode_cap(dd, dl, ts->direct, ts->capdirect,
			    &ts->ndirect) == -1)
				return (s->ret = EBADMSG);
			if (ts->ndirect == ts->capdirect) {
				ts->done = 1;
				return (0);
			}
		} else if (words_decode(dd, dl, &ts->ids, &ts->nids,
		    &ts->alloc) == -1)
			return (s->ret = EBADMSG);
	}
	return (0);
}

/* A lazy token's ids read until one is >= need (or none is left). */
static int
tstream_fill(struct search *s, struct tstream *ts, uint64_t need)
{
	int	multi = 0;

	while (!ts->done && (ts->nids == 0 || ts->ids[ts->nids - 1] < need)) {
		/* What the windows passed is dropped, not kept. */
		if (ts->at > 4096 && ts->at >= ts->nids / 2) {
			memmove(ts->ids, ts->ids + ts->at, (ts->nids - ts->at) *
			    sizeof(*ts->ids));
			ts->nids -= ts->at;
			ts->at = 0;
		}
		if (tstream_read(s, ts, &multi) != 0)
			return (-1);
	}
	return (0);
}

/*
 * Mark a token's ids in [lo, hi) in bits (bit i = id lo + i); bits NULL
 * only moves the token past hi.  *next is its smallest id >= hi
 * (UINT64_MAX when there is none).
 */
static int
tstream_mark(struct search *s, struct tstream *ts, uint64_t lo, uint64_t hi,
    uint64_t *bits, uint64_t *next)
{
	size_t		 lo_at, hi_at, i;
	uint64_t	 id;

	*next = UINT64_MAX;
	if (ts->keep) {
		/* Word by word (hi_at: the word's end). */
		for (i = 0; i < ts->nruns; i++) {
			hi_at = ts->runs[i + 1];
			lo_at = ts->mpos[i] + ids_lower(ts->wids +
			    ts->mpos[i], hi_at - ts->mpos[i], bits != NULL ?
			    lo : hi);
			for (; lo_at < hi_at && ts->wids[lo_at] < hi; lo_at++) {
				id = ts->wids[lo_at] - lo;
				bits[id >> 6] |= (uint64_t)1 << (id & 63);
			}
			ts->mpos[i] = lo_at;
			if (lo_at < hi_at && ts->wids[lo_at] < *next)
				*next = ts->wids[lo_at];
		}
		return (0);
	}
	if (ts->lazy && tstream_fill(s, ts, hi) != 0)
		return (-1);
	lo_at = ts->at + ids_lower(ts->ids + ts->at, ts->nids - ts->at,
	    bits != NULL ? lo : hi);
	for (ts->at = lo_at; ts->at < ts->nids && ts->ids[ts->at] < hi;
	    ts->at++) {
		id = ts->ids[ts->at] - lo;
		bits[id >> 6] |= (uint64_t)1 << (id & 63);
	}
	if (ts->at < ts->nids)
		*next = ts->ids[ts->at];
	return (0);
}

/*
 * Two ascending lists without repeats merged into out, one id once;
 * the number of ids out holds.
 */
static size_t
ids_merge(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
    uint64_t *out)
{
	size_t	i = 0, j = 0, k = 0;

	while (i < na && j < nb) {
		if (a[i] < b[j])
			out[k++] = a[i++];
		else if (b[j] < a[i])
			out[k++] = b[j++];
		else {
			out[k++] = a[i++];
			j++;
		}
	}
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
	return (k);
}

/*
 * The lists of several words a token begins, one after the other (each
 * ascending from ts->runs[i]), made one ascending list without repeats.
 * Ids are dense (a sequence), so a bit set over their range does it in
 * one pass each way: a common 4-letter surname prefix gathers some
 * 100,000 ids at 1,000,000 parties.  Where the range is wide for the
 * ids, the lists are merged two by two, a pass over the ids for each
 * halving of their number: the bit set is taken while its words (one
 * for 64 ids of the range) are no more than the merge's steps (the ids
 * times the passes).  Both replace a qsort(), which took 1.4 ms of the
 * 1.9 of a search for "Сокол-Урал" ("сокол", "урал": every word each
 * begins) at a million parties.
 */
static void
tstream_union(struct tstream *ts)
{
	uint64_t	*bits, *src, *dst, *tmp, lo, hi, w;
	size_t		 i, k, nw, passes, na, nb, end, n;

	if (ts->nruns == 0 || ts->runs[0] != 0)
		BUG("tstream_union without its words");
	lo = UINT64_MAX;
	hi = 0;
	for (i = 0; i < ts->nruns; i++) {
		end = i + 1 < ts->nruns ? ts->runs[i + 1] : ts->nids;
		if (end == ts->runs[i])
			continue;
		if (ts->ids[ts->runs[i]] < lo)
			lo = ts->ids[ts->runs[i]];
		if (ts->ids[end - 1] > hi)
			hi = ts->ids[end - 1];
	}
	if (lo > hi)
		return;
	for (passes = 0; ((size_t)1 << passes) < ts->nruns; passes++)
		continue;
	nw = (size_t)((hi - lo) / 64) + 1;
	if (nw <= ts->nids * passes) {
		bits = xcalloc(nw, sizeof(*bits));
		for (i = 0; i < ts->nids; i++)
			bits[(ts->ids[i] - lo) >> 6] |=
			    (uint64_t)1 << ((ts->ids[i] - lo) & 63);
		for (i = k = 0; i < nw; i++)
			for (w = bits[i]; w != 0; w &= w - 1)
				ts->ids[k++] = lo + (uint64_t)i * 64 +
				    (uint64_t)__builtin_ctzll(w);
		ts->nids = k;
		ts->nruns = 1;
		free(bits);
		return;
	}
	/* Runs i and i + 1 of src into dst, pass after pass. */
	src = ts->ids;
	dst = tmp = xreallocarray(NULL, ts->nids, sizeof(*tmp));
	n = ts->nruns;
	while (n > 1) {
		for (i = k = 0; i < n; i += 2) {
			end = i + 1 < n ? ts->runs[i + 1] : ts->nids;
			na = end - ts->runs[i];
			nb = i + 1 < n ? (i + 2 < n ? ts->runs[i + 2] :
			    ts->nids) - end : 0;
			ts->runs[i / 2] = k;
			k += ids_merge(src + ts->runs[i], na, src + end, nb,
			    dst + k);
		}
		ts->nids = k;
		n = (n + 1) / 2;
		tmp = src;
		src = dst;
		dst = tmp;
	}
	if (src != ts->ids) {
		free(ts->ids);
		ts->ids = src;
		ts->alloc = ts->nids;
	} else
		free(dst);
	ts->nruns = 1;
}

/*
 * Open a token: its prefix key, read lazily; or every token it is a
 * prefix of (in each of its forms: index_query_forms()), gathered now,
 * sorted and unique.
 */
static int
tstream_open(struct search *s, struct tstream *ts, const void *tok,
    size_t len)
{
	struct keyset	 forms;
	size_t		 i;
	int		 ret, multi = 0;

	if ((ret = DBCALL(s->db->cursor(s->db, s->t->txn, &ts->c, 0))) != 0)
		return (s->ret = ret);
	buf_init(&ts->key);
	buf_init(&ts->last);
	if (index_search_prefix_key(tok, len, &ts->key)) {
		ts->lazy = 1;
		return (0);
	}
	buf_init(&ts->raw);
	ts->rawmode = s->merge;
	keyset_init(&forms);
	index_query_forms(tok, len, &forms);
	for (i = 0; i < forms.n; i++) {
		buf_reset(&ts->key);
		buf_add(&ts->key, forms.bytes.data + forms.off[i],
		    forms.len[i]);
		ts->started = ts->done = 0;
		while (!ts->done)
			if (tstream_read(s, ts, &multi) != 0) {
				keyset_release(&forms);
				return (-1);
			}
	}
	keyset_release(&forms);
	if (ts->keep) {
		/* Its words stay apart, each list as read (no union), the
		 * last one ended by runs[nruns]. */
		ts->aruns = ts->nruns + 1;
		ts->runs = xreallocarray(ts->runs, ts->aruns,
		    sizeof(*ts->runs));
		ts->runs[ts->nruns] = ts->nids;
		ts->wids = ts->ids != NULL ? ts->ids : xcalloc(1,
		    sizeof(*ts->wids));
		ts->ids = NULL;
		ts->nids = ts->alloc = 0;
		ts->wpos = xreallocarray(NULL, 2 * ts->aruns,
		    sizeof(*ts->wpos));
		ts->mpos = ts->wpos + ts->aruns;
		memcpy(ts->wpos, ts->runs, ts->aruns * sizeof(*ts->wpos));
		memcpy(ts->mpos, ts->runs, ts->aruns * sizeof(*ts->mpos));
		return (0);
	}
	if (multi && ts->nids > 1)
		tstream_union(ts);
	return (0);
}

static void
tstream_close(struct tstream *ts)
{
	if (ts->c != NULL)
		(void)DBCLOSE(ts->c->close(ts->c));
	buf_release(&ts->key);
	buf_release(&ts->last);
	buf_release(&ts->raw);
	free(ts->ids);
	free(ts->runs);
	free(ts->hash);
	free(ts->wids);
	free(ts->wpos);
}

/*
 * The first few ids of a word longer than the prefix keys, when it
 * starts many words ("александр": "александра", "александров",
 * "александрович"... some 100,000 ids at 1,000,000 parties): their
 * chunks were kept as read (rawmode), and are decoded a chunk at a time
 * as a merge of the words' ascending lists needs them, instead of every
 * id decoded and united (over a millisecond for the first 50).
 */
#define SEARCH_MERGE_MAX	1024	/* ids wanted: merged lazily */

struct wcur {
	const unsigned char *rec, *end;	/* the word's chunks left */
	const unsigned char *cp, *ce;	/* the chunk being read */
	uint64_t	 id;
	int		 first;
};

/* The cursor's next id: 1, 0 when its word is done, -1 when damaged. */
static int
wcur_next(struct wcur *c)
{
	uint32_t	 len;

	while (c->cp == c->ce) {
		if (c->rec == c->end)
			return (0);
		memcpy(&len, c->rec + 4, sizeof(len));
		c->cp = c->rec + 8;
		c->ce = c->cp + len;
		c->rec = c->ce;
		c->first = 1;
	}
	return (words_next(&c->cp, c->ce, &c->id, &c->first) == -1 ? -1 : 1);
}

static void
wheap_down(struct wcur **h, size_t n, size_t i)
{
	struct wcur	*t;
	size_t		 m;

	for (;;) {
		m = i;
		if (2 * i + 1 < n && h[2 * i + 1]->id < h[m]->id)
			m = 2 * i + 1;
		if (2 * i + 2 < n && h[2 * i + 2]->id < h[m]->id)
			m = 2 * i + 2;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int
search_merge(struct search *s, struct tstream *ts, uint64_t *ids,
    size_t max, size_t *nout)
{
	const unsigned char *p = (const unsigned char *)ts->raw.data;
	const unsigned char *end = p + ts->raw.len, *q;
	struct wcur	*cur, **heap;
	uint32_t	 w, w2, len;
	size_t		 nc = 0, n = 0, i;
	int		 r, rc = 0;

	cur = xcalloc(ts->nword ? ts->nword : 1, sizeof(*cur));
	heap = xcalloc(ts->nword ? ts->nword : 1, sizeof(*heap));
	/* The chunks of a word follow each other: one cursor a word. */
	while (p < end && nc < ts->nword) {
		memcpy(&w, p, sizeof(w));
		for (q = p; q < end; q += 8 + len) {
			memcpy(&w2, q, sizeof(w2));
			if (w2 != w)
				break;
			memcpy(&len, q + 4, sizeof(len));
		}
		cur[nc].rec = p;
		cur[nc].end = q;
		cur[nc].cp = cur[nc].ce = NULL;
		if ((r = wcur_next(&cur[nc])) == -1)
			goto bad;
		if (r == 1)
			heap[n++] = &cur[nc];
		nc++;
		p = q;
	}
	for (i = n; i-- > 0;)
		wheap_down(heap, n, i);
	while (n > 0 && *nout < max) {
		if (*nout == 0 || ids[*nout - 1] != heap[0]->id)
			ids[(*nout)++] = heap[0]->id;
		if ((r = wcur_next(heap[0])) == -1)
			goto bad;
		if (r == 0)
			heap[0] = heap[--n];
		wheap_down(heap, n, 0);
	}
	goto out;
bad:
	s->ret = EBADMSG;
	rc = -1;
out:
	free(cur);
	free(heap);
	return (rc);
}

/*
 * The first max ids of one token's stream, in order.  A lazy token's
 * chunks are decoded straight into ids: a first letter's 500,000 ids at
 * 1,000,000 parties went through a list of the stream's own (grown by
 * doubling, copied at each step) and were copied again.
 */
static int
search_one(struct search *s, struct tstream *ts, uint64_t *ids, size_t max,
    size_t *nout)
{
	size_t	take;
	int	multi = 0;

	if (ts->rawmode)
		return (search_merge(s, ts, ids, max, nout));
	if (ts->lazy && ts->nids == 0) {
		ts->direct = ids;
		ts->capdirect = max;
		ts->ndirect = 0;
		while (!ts->done)
			if (tstream_read(s, ts, &multi) != 0)
				return (-1);
		*nout = ts->ndirect;
		return (0);
	}
	while (*nout < max) {
		if (ts->at == ts->nids) {
			if (ts->done)
				break;
			/* Every id read so far is taken: read on. */
			ts->at = ts->nids = 0;
			if (tstream_read(s, ts, &multi) != 0)
				return (-1);
			continue;
		}
		take = ts->nids - ts->at;
		if (take > max - *nout)
			take = max - *nout;
		memcpy(ids + *nout, ts->ids + ts->at, take * sizeof(*ids));
		*nout += take;
		ts->at += take;
	}
	return (0);
}

/*
 * Query words of four letters and more must each match a word of the
 * record of their own: "Иванов Иван Иванович" (a patronymic made of the
 * name) found "Беляев Пётр Иванович", whose one word all three begin.
 * Two tokens can take one word only when one begins the other, so only
 * such a query is checked: each weighed token's words are kept apart as
 * read (tstream_open()), the answers of each window found among their
 * ids with the word (nest_window()), and an answer kept when its tokens
 * can each have a word of their own (augmenting paths over its few
 * words).  A shorter token (a first letter, typed on the way) and one of
 * digits (a phone's forms) match through keys that do not say which
 * word: they stay free.  The rule is index_search_match()'s, which tests
 * a record itself.
 */
/* Is token i one nest_window() weighs (index_search_weighed())? */
static int
token_weighed(const struct keyset *toks, size_t i)
{
	return (i < SEARCH_WEIGHED_MAX && index_search_weighed(
	    toks->bytes.data + toks->off[i], toks->len[i]));
}

/* Does a weighed token begin another (or repeat it)? */
static int
tokens_nest(const struct keyset *toks)
{
	size_t	i, j;

	for (i = 0; i < toks->n; i++)
		for (j = 0; j < toks->n; j++)
			if (i != j && token_weighed(toks, i) &&
			    token_weighed(toks, j) &&
			    toks->len[i] <= toks->len[j] &&
			    memcmp(toks->bytes.data + toks->off[i],
			    toks->bytes.data + toks->off[j], toks->len[i]) == 0)
				return (1);
	return (0);
}

/* An answer's word that a token begins. */
struct whit {
	uint64_t	 word;		/* a hash of the word's bytes */
	uint32_t	 c;		/* the answer's, in its batch */
	uint32_t	 tok;
};

/* FNV-1a: one word's identity among a query's few hundred. */
static uint64_t
word_hash(const unsigned char *p, size_t n)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (h);
}

/*
 * The words of a batch of answers (cand, ascending; the window's answers
 * are acc's bits from base): each kept token's words (tstream_open())
 * walked from where the batch before left them up to the last answer,
 * their ids among the answers noted with the word and the token, then
 * set in the answers' order (counted, not sorted: each answer's words
 * start at s->hit[at[c]]).
 */
static void
nest_hits(struct search *s, const uint64_t *acc, uint64_t base,
    const uint64_t *cand, size_t nc, size_t *at)
{
	struct tstream	*ts;
	struct whit	*h;
	uint64_t	 id, off, to = cand[nc - 1] + 1;
	size_t		 nh = 0, i, w, p, end, c;

	for (i = 0; i < s->nts; i++) {
		ts = &s->ts[i];
		if (!ts->keep)
			continue;
		for (w = 0; w < ts->nruns; w++) {
			end = ts->runs[w + 1];
			p = ts->wpos[w] + ids_lower(ts->wids + ts->wpos[w],
			    end - ts->wpos[w], cand[0]);
			for (c = 0; p < end && (id = ts->wids[p]) < to; p++) {
				off = id - base;
				if (!(acc[off >> 6] >> (off & 63) & 1))
					continue;
				/* An answer: both ascending, so past c. */
				while (cand[c] < id)
					c++;
				if (nh == s->ahit) {
					s->ahit = s->ahit ? s->ahit * 2 : 256;
					s->hit = xreallocarray(s->hit, s->ahit,
					    sizeof(*s->hit));
					s->hit2 = xreallocarray(s->hit2,
					    s->ahit, sizeof(*s->hit2));
				}
				s->hit[nh].word = ts->hash[w];
				s->hit[nh].c = (uint32_t)c;
				s->hit[nh++].tok = (uint32_t)i;
			}
			ts->wpos[w] = p;
		}
	}
	memset(at, 0, (nc + 1) * sizeof(*at));
	for (i = 0; i < nh; i++)
		at[s->hit[i].c + 1]++;
	for (i = 0; i < nc; i++)
		at[i + 1] += at[i];
	for (i = 0; i < nh; i++)
		s->hit2[at[s->hit[i].c]++] = s->hit[i];
	/* at[c] is now where answer c + 1's start: shift back. */
	for (i = nc; i > 0; i--)
		at[i] = at[i - 1];
	at[0] = 0;
	h = s->hit;
	s->hit = s->hit2;
	s->hit2 = h;
}

/*
 * Of one window's answers (acc: bit i is id lo + i), those whose
 * weighed tokens each have a word of their own, to ids[*got...] up to
 * max.  They are taken in batches of about twice the answers still
 * wanted, each checked against the words' ids up to its last
 * (nest_hits()), so a search walks each word's list once at most and
 * only up to its last answer: every answer was found first and every
 * word read again from the index for them, some 30,000 answers of
 * "иванов" and "иван" checked for the first 50 of "Иванов Иван".
 */
#define NEST_BATCH	256

static void
nest_window(struct search *s, uint32_t want, const uint64_t *acc,
    size_t words, uint64_t lo, uint64_t *ids, size_t max, size_t *got)
{
	struct whit	*h, t;
	uint64_t	 cand[NEST_BATCH], rest, word[SEARCH_ASSIGN_WORDS];
	uint32_t	 mask[SEARCH_ASSIGN_WORDS];
	size_t		 at[NEST_BATCH + 1], w = 0, nc, batch, c, j, k, n, nw;

	rest = words > 0 ? acc[0] : 0;
	while (*got < max) {
		batch = 2 * (max - *got);
		batch = batch < 32 ? 32 : batch > NEST_BATCH ? NEST_BATCH :
		    batch;
		for (nc = 0; nc < batch && w < words;) {
			if (rest == 0) {
				if (++w < words)
					rest = acc[w];
				continue;
			}
			cand[nc++] = lo + (uint64_t)w * 64 +
			    (uint64_t)__builtin_ctzll(rest);
			rest &= rest - 1;
		}
		if (nc == 0)
			return;
		nest_hits(s, acc, lo, cand, nc, at);
		for (c = 0; c < nc && *got < max; c++) {
			/* The answer's words, each with the tokens it takes
			 * (words past the first 64 let go). */
			h = s->hit + at[c];
			n = at[c + 1] - at[c];
			for (nw = 0, j = 0; j < n; j++) {
				t = h[j];
				for (k = 0; k < nw && word[k] != t.word; k++)
					continue;
				if (k == nw) {
					if (nw == nitems(word))
						continue;
					word[nw] = t.word;
					mask[nw++] = 0;
				}
				mask[k] |= (uint32_t)1 << t.tok;
			}
			if (index_tokens_assign(mask, nw, want))
				ids[(*got)++] = cand[c];
		}
	}
}

int
store_search(struct store_txn *t, const struct table *table, const char *q,
    uint64_t *ids, size_t max, size_t *nout, struct buf *err)
{
	struct store_table *st;
	struct search	 s;
	struct keyset	 toks;
	uint64_t	*acc = NULL, *bits = NULL, any;
	uint64_t	 lo, hi, next, nextlo, width;
	size_t		 i, w, words, got = 0;
	uint32_t	 want = 0;
	u_int32_t	 pagesize;
	int		 rc = 0, empty, nest;

	*nout = 0;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if (st->search == NULL)
		return (buf_error(err, _("table '%s' has no search fields"),
		    table->name));
	/* A search sees its own transaction's writes. */
	if (defer_index_read(t, 1, err) == -1)
		return (-1);
	keyset_init(&toks);
	index_query_tokens(q, &toks);
	if (toks.n == 0 || max == 0) {
		keyset_release(&toks);
		return (0);
	}
	memset(&s, 0, sizeof(s));
	s.t = t;
	s.st = st;
	s.db = st->search->db;
	if (s.db->get_pagesize(s.db, &pagesize) == 0)
		s.pagesize = pagesize;
	s.ts = xcalloc(toks.n, sizeof(*s.ts));
	s.bulk = xmalloc(SEARCH_BULK);
	s.merge = toks.n == 1 && max <= SEARCH_MERGE_MAX;
	/* Tokens that could share a word: each answer checked. */
	nest = tokens_nest(&toks);
	for (i = 0; i < toks.n; i++) {
		if (nest && token_weighed(&toks, i)) {
			s.ts[i].keep = 1;
			want |= (uint32_t)1 << i;
		}
		s.nts++;
		if (tstream_open(&s, &s.ts[i], toks.bytes.data + toks.off[i],
		    toks.len[i]) != 0)
			goto out;
	}
	/*
	 * One word: its list is the answer as it is read, with no bit
	 * sets to and (they took most of a first letter's search, some
	 * 260,000 ids at 1,000,000 parties).
	 */
	if (s.nts == 1) {
		rc = search_one(&s, &s.ts[0], ids, max, nout);
		goto out;
	}
	/*
	 * Windows of ids, from the largest of the tokens' smallest ids (no
	 * answer lies below it): each token marks its ids in a bit set of
	 * the window, the sets are and-ed, and the bits left are answers,
	 * in order.  The next window starts where every token has an id
	 * again and doubles in width (up to SEARCH_WINDOW ids) while
	 * answers are few.
	 */
	acc = xmalloc(SEARCH_WINDOW / 8);
	bits = xmalloc(SEARCH_WINDOW / 8);
	for (lo = 0, i = 0; i < s.nts; i++) {
		if (tstream_mark(&s, &s.ts[i], 0, 0, NULL, &next) != 0)
			goto out;
		if (next > lo)
			lo = next;
	}
	width = 512;
	while (got < max && lo != UINT64_MAX) {
		hi = UINT64_MAX - lo > width ? lo + width : UINT64_MAX;
		words = (size_t)((hi - lo + 63) / 64);
		nextlo = lo;
		empty = 0;
		for (i = 0; i < s.nts; i++) {
			if (!empty)
				memset(i == 0 ? acc : bits, 0, words * 8);
			if (tstream_mark(&s, &s.ts[i], lo, hi, empty ? NULL :
			    i == 0 ? acc : bits, &next) != 0)
				goto out;
			if (next > nextlo)
				nextlo = next;
			if (i == 0 || empty)
				continue;
			for (w = 0, any = 0; w < words; w++)
				any |= acc[w] &= bits[w];
			/* Nothing left in this window: only move the rest. */
			empty = any == 0;
		}
		if (!empty && nest)
			nest_window(&s, want, acc, words, lo, ids, max, &got);
		else if (!empty)
			for (w = 0; w < words && got < max; w++)
				while (acc[w] != 0 && got < max) {
					ids[got++] = lo + (uint64_t)w * 64 +
					    (uint64_t)__builtin_ctzll(acc[w]);
					acc[w] &= acc[w] - 1;
				}
		lo = nextlo;
		if (width < SEARCH_WINDOW)
			width *= 2;
	}
	*nout = got;
out:
	if (s.ret == EBADMSG)
		rc = buf_error(err, _("the word index of table '%s' is "
		    "damaged; run clerk admin verify"), st->t->name);
	else if (s.ret != 0)
		rc = read_fail(t, st, s.ret, err);
	for (i = 0; i < s.nts; i++)
		tstream_close(&s.ts[i]);
	free(s.hit);
	free(s.hit2);
	free(acc);
	free(bits);
	free(s.ts);
	free(s.bulk);
	keyset_release(&toks);
	return (rc == -1 ? -1 : (int)*nout);
}

/* The walk's next entry: *kk, *kl and *id set, or DB_NOTFOUND. */
static int
page_next(struct icur *ic, struct ibulk *bulk, int back, size_t want,
    void **kk, size_t *kl, uint64_t *id)
{
	void	*dd;
	size_t	 dl;
	int	 ret;

	if (back) {
		if ((ret = icur_get(ic, DB_PREV)) == 0) {
			*id = ic->id;
			*kk = ic->key.data;
			*kl = ic->key.len;
		}
		return (ret);
	}
	if ((ret = ibulk_next(bulk, want, kk, kl, &dd, &dl)) == 0)
		*id = dl == 8 ? store_id_unkey(dd) : 0;
	return (ret);
}

/*
 * A walk of many entries looks their records up with a helper thread
 * (ahead.c), as store_fetch_each() does: the entries are read first
 * (their ids and keys), then the records of all of them come to fn in
 * their order, looked up by the two threads.  The entries are read as
 * the walk reads them, so where it goes on after them (archived records
 * are not counted) is where it would have.  Not for a page of fifty:
 * there the helper won 5 to 20 % with a processor to itself, but with
 * one other program busy on the machine the woken helper took the
 * caller's processor and the page took three times as long.
 */
#define PAGE_AHEAD_MIN	256	/* entries, at least */
#define PAGE_AHEAD_TEST	16	/* at least, when tests ask for it */

struct pahead {
	store_entry_fn	*fn;
	void		*arg;
	uint64_t	*ids;
	size_t		*koff;		/* entry i's key: keys[koff[i],
					   koff[i + 1]) */
	struct buf	 keys;
	size_t		 given;
	uint64_t	 missing;	/* an id without its record */
	int		 stopped;	/* by fn */
};

static int
pahead_one(size_t i, const void *data, size_t len, void *arg)
{
	struct pahead	*pa = arg;

	if (data == NULL) {
		pa->missing = pa->ids[i];
		return (1);
	}
	pa->given++;
	if (pa->fn(pa->ids[i], pa->keys.data + pa->koff[i], pa->koff[i + 1] -
	    pa->koff[i], data, len, pa->arg) != 0) {
		pa->stopped = 1;
		return (1);
	}
	return (0);
}

/*
 * Up to n entries from the one the walk is on (*kk, *kl, *id), their
 * records to fn.  0 with the walk on the entry after them when fewer
 * than n were given (*given) and it has more, DB_NOTFOUND at its end,
 * 0 with *stopped when fn stopped, -1 with a message, or a Berkeley DB
 * error.
 */
static int
page_ahead(struct store_txn *t, struct store_table *st, struct icur *ic,
    struct ibulk *bulk, struct fetch *f, int flags, size_t n, void **kk,
    size_t *kl, uint64_t *id, size_t *given, int *stoppedp,
    store_entry_fn *fn, void *arg, struct buf *err)
{
	struct pahead	 pa;
	size_t		 m = 0, block;
	int		 back = flags & STORE_PAGE_BACKWARD, ret, stopped = 0;

	memset(&pa, 0, sizeof(pa));
	pa.fn = fn;
	pa.arg = arg;
	pa.ids = xreallocarray(NULL, n, sizeof(*pa.ids));
	pa.koff = xreallocarray(NULL, n + 1, sizeof(*pa.koff));
	buf_init(&pa.keys);
	for (;;) {
		pa.ids[m] = *id;
		pa.koff[m] = pa.keys.len;
		buf_add(&pa.keys, *kk, *kl);
		if (++m == n)
			break;
		if ((ret = page_next(ic, bulk, back, n - m, kk, kl, id)) != 0)
			break;
	}
	pa.koff[m] = pa.keys.len;
	if (m < n && ret != DB_NOTFOUND)
		goto out;
	block = (m + 7) / 8 < 4 ? 4 : (m + 7) / 8;
	if ((ret = store_ahead_run(t, st, f->pc, &f->d, pa.ids, m, block,
	    flags & STORE_PAGE_ARCHIVED, pahead_one, &pa, &stopped)) != 0)
		goto out;
	*given = pa.given;
	if (pa.missing != 0)
		ret = buf_error(err, _("an index of table '%s' refers to the "
		    "missing record %llu; run a check"), st->t->name,
		    (unsigned long long)pa.missing);
	else if (pa.stopped) {
		*stoppedp = 1;
		ret = 0;
	} else if (m < n)
		ret = DB_NOTFOUND;
	else if (pa.given < n)
		ret = page_next(ic, bulk, back, n - pa.given, kk, kl, id);
	else
		ret = 0;
out:
	free(pa.ids);
	free(pa.koff);
	buf_release(&pa.keys);
	return (ret);
}

/*
 * store_page()'s walk of an index, without a record made of each entry:
 * the same positions and order, but fn gets the entry's key and the
 * record's encoded bytes (both valid during the call only), so a query
 * tests its condition on the bytes and decodes what it keeps, and reads
 * the key of the index instead of making it again from the record.
 * Records through one cursor on the primary, one lookup each.
 */
int
store_page_each(struct store_txn *t, const struct table *table,
    const char *ixname, const void *key, size_t keylen, uint64_t id,
    int flags, size_t n, store_entry_fn *fn, void *arg, struct buf *err)
{
	struct store_table *st;
	struct store_index *ix;
	struct icur	 ic;
	struct ibulk	 bulk;
	struct fetch	 f;
	struct buf	 next = BUF_INIT;
	void		*kk = NULL, *dd;
	size_t		 kl = 0, dl, given = 0;
	int		 back = flags & STORE_PAGE_BACKWARD;
	int		 from = flags & STORE_PAGE_FROM;
	int		 ret, r2, stopped = 0;
	const unsigned char *rb;

	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if ((ix = store_index_find(st, ixname, 1)) == NULL)
		return (buf_error(err, _("table '%s' has no index on '%s'"),
		    table->name, ixname));
	if (n == 0)
		return (0);
	/* Reads see their own transaction's writes. */
	if (defer_index_read(t, 0, err) == -1)
		return (-1);
	memset(&bulk, 0, sizeof(bulk));
	memset(&f, 0, sizeof(f));
	if ((ret = icur_open(&ic, ix, t->txn)) != 0)
		return (read_fail(t, st, ret, err));
	bulk.c = ic.c;
	bulk.ic = &ic;
	bulk.entry = PAGE_BULK_PAIR;
	ret = icur_position(&ic, key, keylen, id, back, from, &next);
	/* The first entry's key is the cursor's; bulk ones are theirs. */
	if (ret == 0) {
		icur_stepping(&ic, back);
		kk = ic.key.data;
		kl = ic.key.len;
	}
	id = ic.id;
	/* Records through the handle that compares ids faster (env.c). */
	if (ret == 0 && (ret = store_lookup_cursor(t, st, &f.pc, 0)) == 0)
		f.d.flags = DB_DBT_REALLOC;
	if (ret == 0 && n >= PAGE_AHEAD_TEST &&
	    store_fetch_ahead_fits(t, n, PAGE_AHEAD_MIN)) {
		ret = page_ahead(t, st, &ic, &bulk, &f, flags, n, &kk, &kl,
		    &id, &given, &stopped, fn, arg, err);
	}
	while (ret == 0 && given < n && !stopped) {
		ret = rcache_read(t, st, f.pc, id, &f.d);
		if (ret == DB_NOTFOUND) {
			ret = buf_error(err, _("an index of table '%s' refers "
			    "to the missing record %llu; run a check"),
			    st->t->name, (unsigned long long)id);
			break;
		}
		if (ret != 0)
			break;
		rb = f.d.data;
		if (!(f.d.size > 1 && (rb[1] & REC_ARCHIVED) &&
		    !(flags & STORE_PAGE_ARCHIVED))) {
			given++;
			if (fn(id, kk, kl, f.d.data, f.d.size, arg) != 0) {
				stopped = 1;
				break;
			}
		}
		if (given == n)
			break;
		if (back) {
			ret = icur_get(&ic, DB_PREV);
			id = ic.id;
			kk = ic.key.data;
			kl = ic.key.len;
		} else if ((ret = ibulk_next(&bulk, n - given, &kk, &kl, &dd,
		    &dl)) == 0)
			id = dl == 8 ? store_id_unkey(dd) : 0;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
	r2 = fetch_release(&f);
	if (ret == 0)
		ret = r2;
	free(bulk.bd.data);
	r2 = DBCLOSE(ic.c->close(ic.c));
	if (ret == 0)
		ret = r2;
	icur_release(&ic);
	buf_release(&next);
	if (ret == -1)
		return (-1);
	if (ret != 0)
		return (read_fail(t, st, ret, err));
	return (stopped);
}
