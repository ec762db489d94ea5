/*
 * words.c: the word index as posting lists.  Owns the format of the
 * TABLE.words.db files, the queue of a transaction's word changes and
 * its application at commit, and the decoding the search and the check
 * use.  Never prints; reads and writes only the word index.
 *
 * A departure from DESIGN.md §3 on purpose: the word index used to be a
 * secondary associated with the primary (a sorted duplicate per token
 * and record), about 60 keys a party, each its own B-tree put with its
 * own log record: three quarters of an insert's cost, and most of the
 * disk.  Now it is a plain B-tree that rec.c keeps up to date itself:
 *
 *   key  = token bytes (a folded token, a prefix key: the mark byte
 *          and 1-3 letters, or a Russian phone's national number behind
 *          a mark of its own: index_search_stored_keys() in
 *          record/keys.c says which) + one 0x00 byte (below every
 *          byte of a token, so all the chunks of a token sort together,
 *          before the longer tokens it is a prefix of) + the chunk's
 *          lower bound, an 8-byte big-endian id;
 *   data = a chunk: ids in ascending order, the first as an unsigned
 *          LEB128 varint, each next one as the varint of its difference
 *          from the one before (1-3 bytes each at a million records).
 *
 * The chunks of a token cover disjoint ranges in key order: a chunk
 * holds ids >= its bound and below the next chunk's bound.  A chunk over
 * CHUNK_MAX bytes is cut into pieces of CHUNK_FILL bytes (the first
 * keeps its bound, the others are keyed by their first id); ids grow, so
 * an insert appends to the last chunk and a cut leaves full chunks
 * behind.  CHUNK_MAX keeps a chunk on its B-tree page (Berkeley DB moves
 * items over about a quarter of a 4 KB page to overflow pages).  At
 * 30,000 parties in transactions of 1,000 a transaction's queue is
 * some 33,000 changes to 9,600 distinct keys, applied in about 5 us of
 * CPU a key: a read (DB_SET_RANGE, then DB_PREV for the last chunk) and
 * a write, over the chunk the cursor stands on when there is one.
 * Pages of 16 KB instead of the default 4 KB made it no faster.
 *
 * The packed indexes, of the fields many records share (pack.c), have
 * the same format, written through words_apply() and words_load() too.
 *
 * Writes: store_insert/update/archive/restore/purge queue (key, id, add
 * or remove) in the transaction (words_queue_record); the queue is
 * applied at commit sorted by key, so a chunk is read and written once
 * per distinct key and transaction however many records share it (the
 * prefix keys of 1,000 inserts are written once).  A search in the
 * transaction applies the queue first, a queue over QUEUE_BUDGET bytes
 * is applied at once, and an abort drops it.  Applied in the same
 * Berkeley DB transaction as the records, so a crash keeps them
 * consistent.  A bulk load (store_load()) gives its postings straight to
 * words_load(), a batch of rows at a time, sorted.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define CHUNK_MAX	960	/* bytes of ids; cut when over */
#define CHUNK_FILL	768	/* bytes of each piece cut off */
#define QUEUE_BUDGET	(64u * 1024 * 1024)

/* Chunk coding. */

void
store_varint_put(struct buf *b, uint64_t v)
{
	unsigned char	tmp[10];
	size_t		n = 0;

	while (v >= 0x80) {
		tmp[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (unsigned char)v;
	buf_add(b, tmp, n);
}

int
words_next(const unsigned char **pp, const unsigned char *end, uint64_t *id,
    int *first)
{
	const unsigned char *p = *pp;
	uint64_t	 v;

	if (store_varint_get(&p, end, &v) == -1)
		return (-1);
	if (!*first) {
		if (v == 0 || UINT64_MAX - *id < v)
			return (-1);
		v += *id;
	}
	*first = 0;
	*id = v;
	*pp = p;
	return (0);
}

/*
 * Most differences in a list fit in one byte (a common word's ids are a
 * few apart): those are added in the loop, the rest go through
 * words_next().  A one-letter prefix at 1,000,000 parties holds some
 * 500,000 ids, all decoded for each key typed in a list's search.
 */
int
words_decode_cap(const void *data, size_t len, uint64_t *out, size_t cap,
    size_t *n)
{
	const unsigned char *p = data, *end = p + len;
	uint64_t	 id = 0;
	size_t		 k = *n, run, i;
	int		 first = 1;

	while (p < end && k < cap) {
		/*
		 * A run of differences of one byte (1 to 127), none able to
		 * pass the largest id; a zero or a longer one ends it and
		 * goes to words_next(), which refuses a zero.
		 */
		if (!first && *p - 1u < 0x7fu &&
		    id <= UINT64_MAX - 0x7f * (uint64_t)(end - p)) {
			run = (size_t)(end - p) < cap - k ? (size_t)(end - p) :
			    cap - k;
			for (i = 0; i < run && p[i] - 1u < 0x7fu; i++) {
				id += p[i];
				out[k + i] = id;
			}
			p += i;
			k += i;
			continue;
		}
		if (words_next(&p, end, &id, &first) == -1) {
			*n = k;
			return (-1);
		}
		out[k++] = id;
	}
	*n = k;
	return (0);
}

int
words_decode(const void *data, size_t len, uint64_t **ids, size_t *n,
    size_t *alloc)
{
	/* Every id takes a byte at least. */
	if (*alloc - *n < len) {
		*alloc = *alloc * 2 > *n + len ? *alloc * 2 : *n + len;
		if (*alloc < 256)
			*alloc = 256;
		*ids = xreallocarray(*ids, *alloc, sizeof(**ids));
	}
	return (words_decode_cap(data, len, *ids, *alloc, n));
}

void
words_key(struct buf *out, const void *tok, size_t len, uint64_t lo)
{
	unsigned char	b[9];

	b[0] = 0;
	store_id_key(b + 1, lo);
	buf_add(out, tok, len);
	buf_add(out, b, 9);
}

int
words_key_split(const void *key, size_t len, size_t *toklen, uint64_t *lo)
{
	const unsigned char *k = key;

	if (len < 10 || k[len - 9] != 0)
		return (-1);
	*toklen = len - 9;
	*lo = store_id_unkey(k + len - 8);
	return (0);
}

/* Applying sorted changes to one word index. */

struct apply {
	struct acur	 ac;
	struct buf	 key, enc;
	uint64_t	*ids, *out;
	size_t		 nids, aids, aout;
};

/* Is the cursor's key a chunk of tok?  Its bound in *lo. */
static int
chunk_of(struct apply *a, const void *tok, size_t len, uint64_t *lo)
{
	size_t	tl;

	if (words_key_split(a->ac.k.data, a->ac.k.size, &tl, lo) == -1)
		return (0);
	return (tl == len && memcmp(a->ac.k.data, tok, len) == 0);
}

/*
 * A cursor applying changes to a packed index (words.c's chunks, runs.c's
 * runs).  Transient: Berkeley DB works on the cursor itself, not on a
 * copy it makes for every get and put (two to four calls a key):
 * words_flush() 3.11 -> 2.59 billion instructions over 20,000 parties.
 * A failed call then leaves it anywhere; an application never moves it
 * relative to where a failed call left it (after a miss it seeks anew
 * or puts by key), and a delete reopens it (acur_del()).
 *
 * The calls of an application are not counted one by one for the fault
 * injection (DBCALL), only its cursor's open and close: how many calls
 * a flush makes depends on how many words the records have, and a test
 * that fails each call of a write in turn needs the same count on every
 * run.  A failure of any of them takes the same path back (the error
 * code, the transaction aborted), which the failing open exercises.
 */
int
acur_open(struct acur *ac, DB *db, DB_TXN *txn)
{
	int	ret;

	memset(ac, 0, sizeof(*ac));
	ac->db = db;
	ac->txn = txn;
	ac->k.flags = ac->d.flags = DB_DBT_REALLOC;
	if ((ret = DBCALL(db->cursor(db, txn, &ac->c, 0))) != 0)
		return (ret);
	ac->c->flags |= DBC_TRANSIENT;
	return (0);
}

int
acur_close(struct acur *ac)
{
	int	ret;

	ret = ac->c != NULL ? DBCLOSE(ac->c->close(ac->c)) : 0;
	ac->c = NULL;
	free(ac->k.data);
	free(ac->d.data);
	ac->k.data = ac->d.data = NULL;
	return (ret);
}

int
acur_get(struct acur *ac, u_int32_t flag)
{
	return (ac->c->get(ac->c, &ac->k, &ac->d, flag | DB_RMW));
}

void
acur_setkey(struct acur *ac, const void *key, size_t len)
{
	free(ac->k.data);
	ac->k.data = xmemdup(key, len);
	ac->k.size = (u_int32_t)len;
}

/*
 * Delete the item the cursor stands on.  Berkeley DB only marks the
 * item deleted and takes it off its page when a cursor that stood on it
 * is closed, or a copy of it (a cursor not transient, which every call
 * works on a copy of) moves away; our transient cursor would move on
 * itself and leave the item marked for good (db_verify: "item marked
 * deleted").  So the cursor is closed, which takes it off, and opened
 * anew.  Deletes come with archives, purges and updates only.
 */
int
acur_del(struct acur *ac)
{
	int	ret;

	if ((ret = ac->c->del(ac->c, 0)) != 0)
		return (ret);
	ret = ac->c->close(ac->c);
	ac->c = NULL;
	if (ret != 0)
		return (ret);
	if ((ret = ac->db->cursor(ac->db, ac->txn, &ac->c, 0)) != 0)
		return (ret);
	ac->c->flags |= DBC_TRANSIENT;
	return (0);
}

/*
 * Put a chunk: over the one the cursor stands on when cur (no second
 * descent of the tree), else as a new key.
 */
static int
put_chunk(struct apply *a, const void *tok, size_t len, uint64_t lo,
    const uint64_t *ids, size_t n, int cur)
{
	DBT	 k, d;
	size_t	 i;

	buf_reset(&a->enc);
	for (i = 0; i < n; i++)
		store_varint_put(&a->enc, i == 0 ? ids[0] :
		    ids[i] - ids[i - 1]);
	store_dbt(&d, a->enc.data, a->enc.len);
	if (cur) {
		memset(&k, 0, sizeof(k));
		return (a->ac.c->put(a->ac.c, &k, &d, DB_CURRENT));
	}
	buf_reset(&a->key);
	words_key(&a->key, tok, len, lo);
	store_dbt(&k, a->key.data, a->key.len);
	return (a->ac.c->put(a->ac.c, &k, &d, DB_KEYFIRST));
}

/* Bytes of the varint of v. */
static size_t
varint_len(uint64_t v)
{
	size_t	n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return (n);
}

/*
 * How ids go into chunks: all in one when they fit CHUNK_MAX, else in
 * pieces of CHUNK_FILL bytes.  The end of the piece that starts at
 * start.
 */
static size_t
chunk_piece(const uint64_t *ids, size_t n, size_t start)
{
	size_t	 i, bytes, total = 0;

	if (start == 0) {
		for (i = 0; i < n && total <= CHUNK_MAX; i++)
			total += varint_len(i == 0 ? ids[0] :
			    ids[i] - ids[i - 1]);
		if (total <= CHUNK_MAX)
			return (n);
	}
	bytes = varint_len(ids[start]);
	for (i = start + 1; i < n; i++) {
		bytes += varint_len(ids[i] - ids[i - 1]);
		if (bytes > CHUNK_FILL)
			break;
	}
	return (i);
}

/*
 * Write the ids of a chunk back, cut in pieces when too big: the first
 * piece under the bound lo, the others under their first id.
 */
static int
write_chunks(struct apply *a, const void *tok, size_t len, uint64_t lo,
    const uint64_t *ids, size_t n, int cur)
{
	size_t	 i, start;
	int	 ret;

	for (start = 0; start < n; start = i) {
		i = chunk_piece(ids, n, start);
		ret = put_chunk(a, tok, len, start == 0 ? lo : ids[start],
		    ids + start, i - start, cur && start == 0);
		if (ret != 0)
			return (ret);
	}
	return (0);
}

/*
 * Append ids, all above the last of the chunk the cursor stands on
 * (read into a->ac.d, decoded into a->ids), to it in place; *done stays 0
 * when it cannot (a change is a removal, or the chunk would be too big).
 * 0 or the error.
 */
static int
append_chunk(struct apply *a, const uint64_t *ids, const int *add, size_t n,
    int *done)
{
	DBT		 k, d;
	uint64_t	 prev = a->ids[a->nids - 1];
	size_t		 i;

	*done = 0;
	for (i = 0; i < n; i++)
		if (!add[i])
			return (0);
	buf_reset(&a->enc);
	buf_add(&a->enc, a->ac.d.data, a->ac.d.size);
	for (i = 0; i < n; i++) {
		store_varint_put(&a->enc, ids[i] - prev);
		prev = ids[i];
	}
	if (a->enc.len > CHUNK_MAX)
		return (0);
	memset(&k, 0, sizeof(k));
	store_dbt(&d, a->enc.data, a->enc.len);
	*done = 1;
	return (a->ac.c->put(a->ac.c, &k, &d, DB_CURRENT));
}

/*
 * The changes of one token, ids ascending, one per id.  Each round finds
 * the chunk the smallest pending id belongs to, merges every change
 * below the next chunk's bound into it and writes it back.
 */
static int
apply_token(struct apply *a, const void *tok, size_t len,
    const uint64_t *ids, const int *add, size_t n)
{
	uint64_t	 x, lo, next, rlo;
	size_t		 i = 0, j, o, m;
	int		 ret, changed, cur, done;

	while (i < n) {
		x = ids[i];
		buf_reset(&a->key);
		words_key(&a->key, tok, len, x);
		acur_setkey(&a->ac, a->key.data, a->key.len);
		ret = acur_get(&a->ac, DB_SET_RANGE);
		if (ret != 0 && ret != DB_NOTFOUND)
			return (ret);
		next = UINT64_MAX;
		a->nids = 0;
		cur = 0;	/* the cursor stands on the chunk */
		if (ret == 0 && chunk_of(a, tok, len, &rlo) && rlo == x) {
			/* The chunk starts at x: its successor bounds it. */
			lo = x;
			if (words_decode(a->ac.d.data, a->ac.d.size, &a->ids,
			    &a->nids, &a->aids) == -1)
				return (EBADMSG);
			ret = acur_get(&a->ac, DB_NEXT);
			if (ret != 0 && ret != DB_NOTFOUND)
				return (ret);
			if (ret == 0 && chunk_of(a, tok, len, &rlo))
				next = rlo;
		} else {
			if (ret == 0 && chunk_of(a, tok, len, &rlo))
				next = rlo;
			ret = acur_get(&a->ac, ret == DB_NOTFOUND ? DB_LAST :
			    DB_PREV);
			if (ret != 0 && ret != DB_NOTFOUND)
				return (ret);
			if (ret == 0 && chunk_of(a, tok, len, &lo)) {
				cur = 1;
				if (words_decode(a->ac.d.data, a->ac.d.size,
				    &a->ids, &a->nids, &a->aids) == -1)
					return (EBADMSG);
			} else
				lo = x;	/* a new chunk, before any other */
		}
		/* Merge the changes below next into the chunk's ids. */
		for (j = i; j < n && ids[j] < next; j++)
			;
		/*
		 * Ids past the chunk's last, all added (an insert's, ids
		 * grow): its bytes as they are and the new ones after them,
		 * not every id of it coded again.
		 */
		if (cur && a->nids != 0 && ids[i] > a->ids[a->nids - 1]) {
			if ((ret = append_chunk(a, ids + i, add + i, j - i,
			    &done)) != 0)
				return (ret);
			if (done) {
				i = j;
				continue;
			}
		}
		m = a->nids + (j - i);
		if (m > a->aout) {
			a->aout = m;
			a->out = xreallocarray(a->out, m, sizeof(*a->out));
		}
		changed = 0;
		o = 0;
		for (m = 0; i < j || m < a->nids;) {
			if (i == j || (m < a->nids && a->ids[m] < ids[i]))
				a->out[o++] = a->ids[m++];
			else if (m < a->nids && a->ids[m] == ids[i]) {
				if (add[i])
					a->out[o++] = a->ids[m];
				else
					changed = 1;
				m++;
				i++;
			} else {
				if (add[i]) {
					a->out[o++] = ids[i];
					changed = 1;
				}
				i++;
			}
		}
		if (!changed)
			continue;
		if (o != 0)
			ret = write_chunks(a, tok, len, lo, a->out, o, cur);
		else if (cur)
			ret = acur_del(&a->ac);
		else {
			/* The chunk at x, the cursor gone past it. */
			buf_reset(&a->key);
			words_key(&a->key, tok, len, lo);
			acur_setkey(&a->ac, a->key.data, a->key.len);
			if ((ret = acur_get(&a->ac, DB_SET)) == 0)
				ret = acur_del(&a->ac);
		}
		if (ret != 0)
			return (ret);
	}
	return (0);
}

int
words_apply(DB *db, DB_TXN *txn, const struct words_put *v, size_t n)
{
	struct apply	 a;
	uint64_t	*ids = NULL;
	int		*add = NULL;
	size_t		 i, j, k, alloc = 0;
	int		 ret = 0, r2;

	if (n == 0)
		return (0);
	memset(&a, 0, sizeof(a));
	if ((ret = acur_open(&a.ac, db, txn)) != 0)
		return (ret);
	for (i = 0; i < n && ret == 0; i = j) {
		for (j = i + 1; j < n && v[j].len == v[i].len &&
		    memcmp(v[j].key, v[i].key, v[i].len) == 0; j++)
			;
		if (j - i > alloc) {
			alloc = j - i;
			ids = xreallocarray(ids, alloc, sizeof(*ids));
			add = xreallocarray(add, alloc, sizeof(*add));
		}
		for (k = i; k < j; k++) {
			ids[k - i] = v[k].id;
			add[k - i] = v[k].add;
		}
		ret = apply_token(&a, v[i].key, v[i].len, ids, add, j - i);
	}
	r2 = acur_close(&a.ac);
	if (ret == 0)
		ret = r2;
	free(ids);
	free(add);
	free(a.ids);
	free(a.out);
	buf_release(&a.key);
	buf_release(&a.enc);
	return (ret);
}

/*
 * A bulk load's postings (store_load(), bulk.c), sorted by (key, id),
 * one per pair, all added, every id above any in the index.  A token
 * that is surely not in the index yet (isnew says so) gets its chunks
 * written as new keys in bulk, cut as write_chunks() cuts them, without
 * a read: in a load into an empty table that is every token of the
 * first batch and most of each later one.  The others go through
 * words_apply() (appended to their last chunk).  Wrongly "not new"
 * costs only the read; isnew must never say new for a token that is
 * there.  The pairs come grouped (pairs_group(): each head says whether
 * its key is the one before's); a million parties have some thirty
 * million of them, and an array of puts beside them was a gigabyte of
 * fresh memory, a second and a half of page faults on the writer.  A
 * bulk load's short-prefix keys come apart, grouped (ps->pre,
 * prefix.c), and go in among the others in key order.
 */
struct words_loading {
	struct store_bulk *b;
	struct words_put *old;		/* keys not new: words_apply() */
	size_t		 nold, oldalloc;
	uint64_t	*ids;
	size_t		 alloc;
	struct buf	 key, enc;
	int		 (*isnew)(const void *, size_t, void *);
	void		*arg;
};

/* One key's ids (n, ascending, in wl->ids): 0 or a Berkeley DB error. */
static int
words_load_key(struct words_loading *wl, const char *key, size_t len,
    size_t n)
{
	size_t	 k, p, q;
	int	 ret = 0;

	if (!wl->isnew(key, len, wl->arg)) {
		if (wl->nold + n > wl->oldalloc) {
			wl->oldalloc = 2 * (wl->nold + n);
			wl->old = xreallocarray(wl->old, wl->oldalloc,
			    sizeof(*wl->old));
		}
		for (k = 0; k < n; k++) {
			wl->old[wl->nold].key = key;
			wl->old[wl->nold].len = len;
			wl->old[wl->nold].id = wl->ids[k];
			wl->old[wl->nold++].add = 1;
		}
		return (0);
	}
	for (p = 0; p < n && ret == 0; p = q) {
		q = chunk_piece(wl->ids, n, p);
		buf_reset(&wl->enc);
		for (k = p; k < q; k++)
			store_varint_put(&wl->enc, k == p ? wl->ids[k] :
			    wl->ids[k] - wl->ids[k - 1]);
		buf_reset(&wl->key);
		words_key(&wl->key, key, len, wl->ids[p]);
		ret = bulk_put(wl->b, wl->key.data, wl->key.len,
		    wl->enc.data, wl->enc.len);
	}
	return (ret);
}

static void
words_load_room(struct words_loading *wl, size_t n)
{
	if (n > wl->alloc) {
		wl->alloc = n;
		wl->ids = xreallocarray(wl->ids, wl->alloc, sizeof(*wl->ids));
	}
}

/* Short-prefix key i (in byte order) of pre: 0 or a Berkeley DB error. */
static int
words_load_prefix(struct words_loading *wl, const struct store_prefixes *pre,
    size_t i)
{
	uint32_t	 k = pre->order[i];
	size_t		 j, s = pre->start[i], n = pre->start[i + 1] - s;

	words_load_room(wl, n);
	for (j = 0; j < n; j++)
		wl->ids[j] = pre->ids != NULL ? pre->ids[pre->rows[s + j]] :
		    pre->rows[s + j];
	return (words_load_key(wl, pre->keys.data + pre->off[k], pre->len[k],
	    n));
}

/* Does short-prefix key i of pre sort before key (len bytes)? */
static int
words_prefix_before(const struct store_prefixes *pre, size_t i,
    const char *key, size_t len)
{
	uint32_t	 k = pre->order[i];
	const char	*pk = pre->keys.data + pre->off[k];

	return (key_cmp_headed(key_head(pk, pre->len[k]), pk, pre->len[k],
	    key_head(key, len), key, len) < 0);
}

/* The keys of ps in order, each to words_load_key(): 0 or an error. */
static int
words_load_pairs(struct words_loading *wl, const struct store_pairs *ps)
{
	const struct store_prefixes *pre = ps->pre;
	const struct store_pair *v = ps->v;
	const char	*keys = ps->keys.data;
	size_t		 i, j, k, np, ip = 0, n = ps->n;
	int		 ret = 0;

	np = pre != NULL && pre->grouped ? pre->nkeys : 0;
	if (pre != NULL && !pre->grouped && pre->n != 0)
		BUG("a load's prefix keys written before they were grouped");
	for (i = 0; i < n && ret == 0; i = j) {
		/* Grouped by pairs_group(): the keys, in sorted order and
		 * scattered in memory, are not compared here. */
		for (j = i + 1; j < n && v[j].head; j++)
			;
		while (ip < np && ret == 0 && words_prefix_before(pre, ip,
		    keys + v[i].off, v[i].len))
			ret = words_load_prefix(wl, pre, ip++);
		if (ret != 0)
			break;
		words_load_room(wl, j - i);
		for (k = i; k < j; k++)
			wl->ids[k - i] = v[k].id;
		ret = words_load_key(wl, keys + v[i].off, v[i].len, j - i);
	}
	while (ip < np && ret == 0)
		ret = words_load_prefix(wl, pre, ip++);
	return (ret);
}

static void
words_loading_release(struct words_loading *wl)
{
	free(wl->old);
	free(wl->ids);
	buf_release(&wl->key);
	buf_release(&wl->enc);
}

int
words_load(DB *db, DB_TXN *txn, const struct store_pairs *ps,
    int (*isnew)(const void *, size_t, void *), void *arg)
{
	struct words_loading wl;
	struct store_bulk b;
	int		 ret;

	/* Nothing to write (prefix keys not grouped yet are a bug). */
	if (ps->n == 0 && (ps->pre == NULL || (ps->pre->grouped ?
	    ps->pre->nkeys : ps->pre->n) == 0))
		return (0);
	memset(&wl, 0, sizeof(wl));
	buf_init(&wl.key);
	buf_init(&wl.enc);
	wl.isnew = isnew;
	wl.arg = arg;
	bulk_init(&b, db, txn);
	wl.b = &b;
	ret = words_load_pairs(&wl, ps);
	if (ret == 0)
		ret = bulk_flush(&b);
	bulk_release(&b);
	if (ret == 0)
		ret = words_apply(db, txn, wl.old, wl.nold);
	words_loading_release(&wl);
	return (ret);
}

int
words_token_new(const void *key, size_t len, void *arg)
{
	(void)key;
	(void)len;
	(void)arg;
	return (1);
}

int
words_encode(struct store_bulk *b, const struct store_pairs *ps)
{
	struct words_loading wl;
	int		 ret;

	memset(&wl, 0, sizeof(wl));
	buf_init(&wl.key);
	buf_init(&wl.enc);
	wl.isnew = words_token_new;
	wl.b = b;
	ret = words_load_pairs(&wl, ps);
	words_loading_release(&wl);
	return (ret);
}

void
words_drop(struct store_txn *t)
{
	queue_free(&t->words);
}

int
words_flush(struct store_txn *t, struct buf *err)
{
	struct store_queue *q = t->words;
	struct store_table *st;
	struct words_put *v;
	size_t		 i, j, nv, start;
	int		 ret = 0;

	if (q == NULL || q->n == 0)
		return (0);
	queue_sort(q);
	v = xreallocarray(NULL, q->n, sizeof(*v));
	for (start = 0; start < q->n && ret == 0; start = i) {
		st = &t->s->tables[q->ops[start].group];
		/* The last change of each (key, id) is the one that holds. */
		for (i = start, nv = 0; i < q->n &&
		    q->ops[i].group == q->ops[start].group; i = j) {
			j = queue_run(q, i);
			v[nv].key = q->keys.data + q->ops[j - 1].off;
			v[nv].len = q->ops[j - 1].len;
			v[nv].id = q->ops[j - 1].id;
			v[nv++].add = q->ops[j - 1].add;
		}
		ret = words_apply(st->search->db, t->txn, v, nv);
	}
	free(v);
	/* Applied or not, the queue is spent: a failure aborts. */
	queue_reset(q);
	if (ret != 0) {
		if (ret == EBADMSG)
			return (buf_error(err, _("the word index of table "
			    "'%s' is damaged; run clerk admin verify"),
			    st->t->name));
		return (store_fail(t, ret, err, _("cannot write the word index "
		    "of table '%s': %s"), st->t->name, store_strerror(ret)));
	}
	return (0);
}

/*
 * Queue the word changes of one record going from old to new (either
 * NULL: an insert or a purge); archived records have no words.
 */
int
words_queue_record(struct store_txn *t, struct store_table *st,
    const struct record *old, const struct record *new, uint64_t id,
    struct buf *err)
{
	struct store_queue *q;
	struct keyset	 a, b;

	if (st->search == NULL)
		return (0);
	keyset_init(&a);
	keyset_init(&b);
	if (old != NULL)
		sec_record_keys(st->search, old, &a);
	if (new != NULL)
		sec_record_keys(st->search, new, &b);
	if (a.n == 0 && b.n == 0) {
		keyset_release(&a);
		keyset_release(&b);
		return (0);
	}
	q = queue_get(&t->words);
	queue_diff(q, (uint32_t)st->n, &a, &b, id);
	keyset_release(&a);
	keyset_release(&b);
	if (queue_bytes(q) > QUEUE_BUDGET)
		return (defer_on(t) ? defer_spill(t, err) :
		    words_flush(t, err));
	return (0);
}
