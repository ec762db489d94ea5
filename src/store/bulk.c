/*
 * bulk.c: store_load(), many records into a table that holds none, in
 * the caller's one transaction (an import of a file: all or nothing).
 * The records, their ids, audit entries, index keys and word postings
 * are those store_insert() would write one by one; what differs is the
 * order of the writes.  store_insert() puts the record, then a key into
 * each of the table's indexes at a random place of its B-tree: most of
 * an insert's cost.  Here each index's (key, id) pairs
 * of a batch of rows are collected in memory, sorted and written in key
 * order, in bulk (pairs_write(), env.c, as index_build() fills a new
 * index), and the word index's postings of the batch once a key
 * (words_load(): a token new to the index as new chunks without a read,
 * others appended).  In a bulk transaction (STORE_TXN_BULK, an
 * import's) there is one batch, so each index is written once (see
 * LOAD_BULK_MIN for why).
 *
 * So the records go into the primary alone, which leaves every index
 * stale (DESIGN.md §11) until this function has written every index of
 * the table from the same records, as it does before it returns; a
 * failure anywhere returns -1 and the caller aborts the transaction.
 * tests/unit/test-store-load.c checks that every index, byte for byte,
 * equals what store_insert() writes.  Never prints.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"

/*
 * The index keys of a batch of rows are gathered in memory, sorted and
 * written; the next batch's go into the same B-trees again.  The word
 * index alone has some 60 keys a party, about 3 KB of pairs a row with
 * the other indexes'.  A larger batch writes each page of an index and
 * each hot chunk of the word index fewer times, and each pass over an
 * index reads fewer pages back into a cache smaller than the indexes:
 * a million parties took 48 s of CPU in batches of 20,000 rows (40 MB
 * of keys), 39 s in batches of 256 MB or 512 MB of keys.  So a batch is
 * as many rows as fit a budget taken from the machine's memory, a 64th
 * of it, between 32 and 256 MB; the peak is about twice the budget (the
 * arrays grow by doubling, and the sort has its scratch).
 */
#define LOAD_BUDGET_MIN	((size_t)32 << 20)
#define LOAD_BUDGET_MAX	((size_t)256 << 20)

/*
 * But in a bulk transaction (STORE_TXN_BULK) each index is written once,
 * whatever the batches would be: Berkeley DB 5.3 cannot undo a bulk
 * transaction that wrote into pages it had added unlogged (an index
 * written a second time: the abort panics the environment, or crashes
 * in __bam_adj_recover(); test-store-load's late failures).  Its one
 * batch may take an 8th of memory, at least 64 MB (a million parties:
 * 2.4 GB, 1.2 GB less since prefix.c keeps the short-prefix keys); a
 * load that needs more, by the keys of its first rows, is refused with
 * STORE_TOOBIG before anything is written (load_estimate()), for a
 * plain transaction, where batches are safe.
 */
#define LOAD_BULK_MIN	((size_t)64 << 20)

/*
 * The word tokens a load has written, as 64-bit hashes in an open
 * addressed set (0 marks a free slot): a token not in it is not in the
 * word index, which was empty when the load began (the table held no
 * record), so its chunks are written without a read (words_load()).
 * Two tokens with one hash only cost the second a read.
 */
struct tokset {
	uint64_t	*slot;
	size_t		 n, nslots;
};

static uint64_t *
tokset_find(struct tokset *ts, uint64_t h)
{
	size_t	i;

	for (i = h & (ts->nslots - 1); ts->slot[i] != 0 && ts->slot[i] != h;
	    i = (i + 1) & (ts->nslots - 1))
		;
	return (&ts->slot[i]);
}

/* words_load()'s question: 1 (and noted) when the token is new. */
static int
tokset_new(const void *key, size_t len, void *arg)
{
	struct tokset	*ts = arg;
	uint64_t	*old, *p, h;
	size_t		 i, nold;

	if ((h = hash_fnv1a(key, len)) == 0)
		h = 1;
	if (ts->n * 2 >= ts->nslots) {
		old = ts->slot;
		nold = ts->nslots;
		ts->nslots = nold ? nold * 2 : 65536;
		ts->slot = xcalloc(ts->nslots, sizeof(*ts->slot));
		for (i = 0; i < nold; i++)
			if (old[i] != 0)
				*tokset_find(ts, old[i]) = old[i];
		free(old);
	}
	p = tokset_find(ts, h);
	if (*p != 0)
		return (0);
	*p = h;
	ts->n++;
	return (1);
}

/* 1 when st holds no record (key 0 is the count), 0, or -1. */
static int
load_empty(struct store_txn *t, struct store_table *st, struct buf *err)
{
	unsigned char	 kb[8];
	DBT		 k, d;
	DBC		*c;
	int		 ret, r2;

	if ((ret = DBCALL(st->db->cursor(st->db, t->txn, &c, 0))) != 0)
		goto fail;
	store_id_key(kb, 1);
	store_dbt(&k, kb, 8);
	k.ulen = 8;
	k.flags = DB_DBT_USERMEM;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
	/* The read lock kept to the commit keeps others from adding. */
	ret = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
	r2 = DBCLOSE(c->close(c));
	if (ret == DB_NOTFOUND && r2 == 0)
		return (1);
	if (ret == 0 && r2 == 0)
		return (0);
	if (ret == 0 || ret == DB_NOTFOUND)
		ret = r2;
fail:
	return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
	    st->t->name, store_strerror(ret)));
}

/*
 * Two rows with one key of a unique index: "two records would have inn
 * '7707083893'", the rows in l->bad (the later) and l->other.
 */
/* The row of id among the n rows' ids, ascending unless unsorted (ids
 * an import kept), or SIZE_MAX. */
static size_t
load_row_of(const uint64_t *ids, size_t n, int unsorted, uint64_t id)
{
	size_t	i;

	if (!unsorted)
		return (ids_find(ids, n, id));
	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return (i);
	return (SIZE_MAX);
}

static int
load_duplicate(struct store_load *l, struct store_index *ix,
    const uint64_t *ids, size_t n, int unsorted, const uint64_t *dup,
    struct record *rec, struct buf *err)
{
	struct keyset	 a, b;
	struct buf	 what = BUF_INIT, val = BUF_INIT;
	size_t		 ra, rb, i, j;
	int		 c;

	ra = load_row_of(ids, n, unsorted, dup[0]);
	rb = load_row_of(ids, n, unsorted, dup[1]);
	l->bad = rb;
	l->other = ra;
	keyset_init(&a);
	keyset_init(&b);
	if (ra != SIZE_MAX && l->row(l->arg, ra, rec, err) == 0)
		sec_record_keys(ix, rec, &a);
	if (rb != SIZE_MAX && l->row(l->arg, rb, rec, err) == 0)
		sec_record_keys(ix, rec, &b);
	/* The key both have (sorted sets), for a field of many values. */
	for (i = j = 0; i < a.n && j < b.n;) {
		c = a.len[i] == b.len[j] ? memcmp(a.bytes.data + a.off[i],
		    b.bytes.data + b.off[j], a.len[i]) :
		    a.len[i] < b.len[j] ? -1 : 1;
		if (c == 0)
			break;
		if (c < 0)
			i++;
		else
			j++;
	}
	if (j < b.n)
		rec_unique_describe(ix, rec, b.bytes.data + b.off[j],
		    b.len[j], &what, &val);
	else
		rec_unique_describe(ix, rec, "", 0, &what, &val);
	buf_error(err, _("two records would have %s '%s'"), what.data,
	    val.data);
	keyset_release(&a);
	keyset_release(&b);
	buf_release(&what);
	buf_release(&val);
	return (-1);
}

size_t
store_load_budget(int bulk)
{
	size_t	b;

	if (bulk) {
		b = (size_t)(store_ram_bytes() / 8);
		return (b > LOAD_BULK_MIN ? b : LOAD_BULK_MIN);
	}
	b = (size_t)(store_ram_bytes() / 64);
	if (b < LOAD_BUDGET_MIN)
		b = LOAD_BUDGET_MIN;
	if (b > LOAD_BUDGET_MAX)
		b = LOAD_BUDGET_MAX;
	return (b);
}

/*
 * A load runs in two threads.  The producer (load_producer(), a thread
 * of its own) makes of each row what the writes need: decoded and
 * checked, encoded, its index keys gathered (with the row's number for
 * its id), and at the end of a batch the keys sorted.  The writer, the
 * caller's thread, alone uses the transaction (Berkeley DB lets one
 * thread at a time use a transaction): it takes the batch's ids from
 * the sequence, checks the rows' references, appends the records,
 * writes their audit entries and then each index from the sorted keys.
 * Two batches: in a plain transaction the producer fills one while the
 * writer writes the other, so the fifth of a load's time that is not
 * Berkeley DB's (a million parties: 8 s of 39) runs beside it; a bulk
 * transaction's one batch streams its records to the writer as they are
 * prepared (load_stream()), and its keys after, with a third thread
 * making keys (load_keys()) and the word index's puts made by the
 * producer (load_encode()).  The rows, and every error, are those of
 * one thread doing it all in row order: the writer takes a batch's rows
 * in order, and the producer's failure (a row that does not decode or
 * validate) only after the rows before it.  Without a thread
 * (pthread_create() failed), the writer fills each batch itself.
 */
struct load_batch {
	size_t		 from, to;	/* rows */
	struct buf	 enc;		/* the records, encoded */
	size_t		*off;		/* row from + i at off[i] in enc */
	size_t		 noff;
	struct store_pairs *pairs;	/* an index's each */
	int		 full;		/* filled, for the writer */
	size_t		 nsorted;	/* indexes whose keys are sorted */
	/* Streamed (load_stream()): rows from to ready are encoded, and
	 * go says the load fits the budget, by the first rows. */
	size_t		 ready;
	int		 go;
	int		 failed;	/* at row to, with err */
	struct buf	 err;
	/* A bulk load's: indexes written, whose pairs load_trickle()
	 * frees, and those it has freed. */
	size_t		 nwritten, nfreed;
};

/*
 * A bulk load's word index was a third of its writer's time, and a
 * quarter of that went to making its puts (the postings coded in chunks,
 * their keys, the buffers of puts filled: words_encode()) while the
 * producer, its keys sorted, had only the trickle to do.  So the
 * producer makes them (load_encode()), into buffers of puts it hands to
 * the writer (load_wq_push()), which only writes each
 * (load_words_write()).  The ids are the writer's, taken as it appends
 * the rows: the producer waits till it has every one (idsready).  At
 * most LOAD_WQ buffers wait; the producer trickles while it waits for
 * room.  A million parties: 17.1 s against 18.8 s, the means of six
 * loads each, alternating (faster in five pairs of six).
 */
#define LOAD_WQ		16

struct load_wbuf {
	void		*data;
	size_t		 size;		/* bytes */
	size_t		 n;		/* puts */
};

struct loader {
	struct store_table *st;
	struct store_load *l;
	const char	*user;
	size_t		 budget;	/* of a batch's keys */
	int		 bulk;		/* one batch only */
	int		 prefixes;	/* the word index's short-prefix keys
					 * kept apart (prefix.c) */
	int		 stream;	/* its rows written as they come */
	int		 toobig;	/* a bulk load over the budget */
	struct buf	 one;		/* the producer's: a row encoded */
	uint64_t	*ids;
	/*
	 * Rows that keep their ids (l->keep_ids): each given id (0: a
	 * new one) in ids as the producer takes the row, the given ones
	 * in a set (idset, the row of each) so two rows with one are
	 * found before anything is overwritten; whether they still
	 * ascend; whether the table's audit trail has any id to look up
	 * (purged records').
	 */
	struct idset {
		struct idslot {
			uint64_t	 id;	/* 0: free */
			size_t		 row;
		}		*slot;
		size_t		 n, nslots;
	}		 given;
	uint64_t	 last;		/* the largest id written so far */
	int		 unsorted;	/* ids went down at some row */
	int		 purged;	/* audit has ids of the table */
	size_t		 next;		/* the next row to fill */
	struct load_batch b[2];
	int		 threaded;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 stop;		/* the writer gave up, or is done */
	DB_ENV		*env;		/* for load_trickle() */
	/* The key thread (load_keys()), when there is one: the keys of
	 * the blocks of krows rows it takes, into kpairs. */
	int		 keyed;
	pthread_t	 kthread;
	size_t		 krows;
	struct store_pairs *kpairs;
	int		 kstop;		/* under lock */
	size_t		 kclaim;	/* under lock: the first block not
					 * taken by either thread */
	size_t		 kdone;		/* rows it made keys of */
	int		 kblocks;	/* under lock: its blocks are done */
	int		 pmine;		/* the producer's block is its own */
	size_t		 pkeyed;	/* rows the producer made keys of */
	/*
	 * A bulk load's word keys of rows from wlate on are made after the
	 * rows (load_words_late()); SIZE_MAX: none.  The producer's
	 * rows before it took wbytes of word keys in wrows rows, the rate
	 * its later rows are counted at (load_fill()).
	 */
	size_t		 wlate;
	size_t		 wbytes, wrows;
	size_t		 lclaim;	/* under lock: blocks of late rows
					 * taken by either thread */
	/* A bulk load's word index made into puts by the producer, all
	 * under lock but wenc, set before the producer starts. */
	int		 wenc;
	int		 idsready;	/* the writer has every row's id */
	struct load_wbuf wq[LOAD_WQ];	/* for the writer, a ring */
	size_t		 wqhead, wqn;
	int		 wqdone;	/* no more to come */
	void		*wfree[LOAD_WQ + 2];	/* written, to use again */
	size_t		 nwfree;
};

/* Room in b->off for row i and the end of it. */
static void
load_room(struct load_batch *b, size_t i)
{
	if (i - b->from + 2 > b->noff) {
		b->noff = b->noff ? b->noff * 2 : 4096;
		b->off = xreallocarray(b->off, b->noff, sizeof(*b->off));
	}
}

/*
 * Streamed, a bulk load's rows go to the writer as they are encoded, a
 * few thousand at a time, so it appends them and their audit entries
 * while the rest are prepared.  Row i (ld->one) is added under the lock:
 * the writer copies ready rows out under it (load_stream()), and b->enc
 * may move as it grows.  1 when the writer has given up (ld->stop).
 */
#define LOAD_STREAM_ROWS	4096

static int
load_publish(struct loader *ld, struct load_batch *b, size_t i)
{
	int	stop;

	pthread_mutex_lock(&ld->lock);
	load_room(b, i);
	b->off[i - b->from] = b->enc.len;
	buf_add(&b->enc, ld->one.data, ld->one.len);
	b->off[i + 1 - b->from] = b->enc.len;
	if ((i + 1 - b->from) % LOAD_STREAM_ROWS == 0) {
		b->ready = i + 1;
		pthread_cond_broadcast(&ld->cond);
	}
	stop = ld->stop;
	pthread_mutex_unlock(&ld->lock);
	return (stop);
}

/*
 * Whether a streamed bulk load fits its budget: told by the keys of its
 * first rows (go), so nothing is written of one that does not; and if
 * it grows past twice the budget after all, it stops (toobig; the rows
 * written are undone with the transaction, no index having been
 * written).  0, or -1 when too big.
 */
#define LOAD_ESTIMATE_ROWS	(4 * LOAD_STREAM_ROWS)

static int
load_estimate(struct loader *ld, struct load_batch *b, size_t done,
    size_t used)
{
	double	 whole;
	int	 toobig = 0, go = 0;

	if (!b->go && done - b->from == LOAD_ESTIMATE_ROWS) {
		whole = (double)used / (double)(done - b->from) *
		    (double)(ld->l->n - b->from);
		if (whole > (double)ld->budget)
			toobig = 1;
		else
			go = 1;
	} else if (used / 2 > ld->budget)
		toobig = 1;
	if (!toobig && !go)
		return (0);
	pthread_mutex_lock(&ld->lock);
	if (toobig)
		ld->toobig = 1;
	else
		b->go = 1;
	pthread_cond_broadcast(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
	return (toobig ? -1 : 0);
}

/*
 * Row row's keys into pairs, an index's each: the keys the key callback
 * would give, and the words words_queue_record() would queue; of every
 * index (KEYS_ALL), of all but the word index, or of it alone.  The
 * bytes they take, and in *wbytes (unless NULL) those the word index's
 * took.
 */
enum load_keys { KEYS_ALL, KEYS_NO_WORDS, KEYS_WORDS };

static size_t
load_index_keys(struct store_table *st, const struct record *rec,
    struct keyset *ks, struct store_pairs *pairs, size_t row,
    enum load_keys which, size_t *wbytes)
{
	const char *k;
	size_t	x, j, n, used = 0;
	int	words;

	for (x = 0; x < st->nix; x++) {
		words = &st->ix[x] == st->search;
		if ((which == KEYS_NO_WORDS && words) ||
		    (which == KEYS_WORDS && !words))
			continue;
		keyset_reset(ks);
		sec_record_keys(&st->ix[x], rec, ks);
		n = ks->bytes.len + ks->n * sizeof(struct store_pair);
		for (j = 0; j < ks->n; j++) {
			k = ks->bytes.data + ks->off[j];
			if (pairs[x].pre != NULL && ks->len[j] > 0 &&
			    k[0] == SEARCH_PREFIX_MARK_S[0]) {
				/* 8 bytes, where a pair and its key were. */
				prefixes_add(pairs[x].pre, k, ks->len[j],
				    (uint32_t)row);
				n -= ks->len[j] + sizeof(struct store_pair) -
				    sizeof(struct prefix_row);
			} else
				pairs_add(&pairs[x], k, ks->len[j], row);
		}
		if (wbytes != NULL && words)
			*wbytes += n;
		used += n;
	}
	return (used);
}

/* Row row's keys, those of the word index only before ld->wlate. */
static size_t
load_row_keys(struct loader *ld, const struct record *rec,
    struct keyset *ks, struct store_pairs *pairs, size_t row,
    size_t *wbytes)
{
	return (load_index_keys(ld->st, rec, ks, pairs, row, row < ld->wlate ?
	    KEYS_ALL : KEYS_NO_WORDS, wbytes));
}

/*
 * Whether the producer makes row i's keys: each row's, without a key
 * thread; with one, those of the blocks it comes to before the key
 * thread takes them (load_keys()).
 */
static int
load_mine(struct loader *ld, size_t i)
{
	size_t	blk;

	if (!ld->keyed)
		return (1);
	if (i % ld->krows != 0)
		return (ld->pmine);
	/* The first block is the producer's (load_keys_start()). */
	if ((blk = i / ld->krows) == 0)
		return (ld->pmine = 1);
	pthread_mutex_lock(&ld->lock);
	/* Every block before it taken: ld->kclaim is blk or past it. */
	ld->pmine = ld->kclaim == blk;
	if (ld->pmine)
		ld->kclaim++;
	pthread_mutex_unlock(&ld->lock);
	return (ld->pmine);
}

/* Rows from ld->next into b, as many as the budget takes. */
static void
load_fill(struct loader *ld, struct load_batch *b, struct record *rec,
    struct keyset *ks)
{
	struct store_table *st = ld->st;
	struct store_load *l = ld->l;
	const char	*uname = user_name(ld->user);
	size_t		 i, x, bad, used = 0, whole;
	int64_t		 now;

	b->from = ld->next;
	b->failed = 0;
	b->nsorted = 0;
	b->ready = b->from;
	b->go = 0;
	buf_reset(&b->enc);
	buf_reset(&b->err);
	for (x = 0; x < st->nix; x++)
		pairs_reset(&b->pairs[x]);
	for (i = b->from; i < l->n && (ld->stream || used < ld->budget);
	    i++) {
		/* As store_insert(), in the same order. */
		if (l->row(l->arg, i, rec, &b->err) == -1 ||
		    record_validate(rec, &bad, &b->err) == -1) {
			b->failed = 1;
			break;
		}
		/* The id comes with the batch's (load_write()); the keys
		 * have the row for it meanwhile, which sorts the same.  A
		 * given id waits for it in ids. */
		ld->ids[i] = l->keep_ids ? rec->id : 0;
		now = clock_now();
		rec->id = 0;
		rec->rev = 1;
		rec->flags = 0;
		rec->created = rec->updated = now;
		rec->created_by = rec->updated_by = uname;
		if (ld->stream) {
			buf_reset(&ld->one);
			record_encode(rec, &ld->one);
			/* The writer gave up: the rest would be for nothing. */
			if (load_publish(ld, b, i)) {
				i++;
				break;
			}
		} else {
			load_room(b, i);
			b->off[i - b->from] = b->enc.len;
			record_encode(rec, &b->enc);
		}
		if (load_mine(ld, i)) {
			used += load_row_keys(ld, rec, ks, b->pairs, i,
			    &ld->wbytes);
			/* Words to come, at the rate of those made. */
			if (i < ld->wlate)
				ld->wrows++;
			else if (ld->wrows != 0)
				used += ld->wbytes / ld->wrows;
			ld->pkeyed++;
		}
		/* The key thread's rows as many keys a row as these (the
		 * first row, at least, was the producer's). */
		whole = ld->keyed ? (size_t)((double)used * (double)(i + 1 -
		    b->from) / (double)ld->pkeyed) : used;
		if (ld->stream && load_estimate(ld, b, i + 1, whole) == -1) {
			i++;
			break;
		}
	}
	b->to = ld->next = i;
	if (ld->stream)
		pthread_mutex_lock(&ld->lock);
	load_room(b, b->to);
	b->off[b->to - b->from] = b->enc.len;
	if (ld->stream)
		pthread_mutex_unlock(&ld->lock);
}

/* The first row of the next block of late rows, and its end in *end,
 * counted late; b->to when none is left. */
static size_t
load_lclaim(struct loader *ld, struct load_batch *b, size_t *end)
{
	size_t	first = ld->wlate > b->from ? ld->wlate : b->from, i;

	pthread_mutex_lock(&ld->lock);
	i = first + ld->lclaim++ * ld->krows;
	if (i > b->to)
		i = b->to;
	*end = i + ld->krows < b->to ? i + ld->krows : b->to;
	ld->l->late += *end - i;
	pthread_mutex_unlock(&ld->lock);
	return (i);
}

/*
 * The word keys of b's rows from ld->wlate on, from the records as they
 * were encoded, into pairs: blocks of rows taken in turn by the key
 * thread, done with its own blocks, and the producer, done sorting the
 * other indexes' keys, so that each thread's pairs ascend by row, as
 * pairs_merge() and pairs_group() want them.
 */
static void
load_words_late(struct loader *ld, struct load_batch *b,
    struct store_pairs *pairs, struct record *rec, struct keyset *ks)
{
	struct buf	err = BUF_INIT;
	size_t		i, o, end;

	while ((i = load_lclaim(ld, b, &end)) < b->to) {
		for (; i < end; i++) {
			o = b->off[i - b->from];
			if (record_decode(rec, b->enc.data + o,
			    b->off[i + 1 - b->from] - o, &err) == -1)
				BUG("a record encoded by a load does not "
				    "decode: %s", err.data);
			rec->id = 0;
			rec->flags = 0;
			(void)load_index_keys(ld->st, rec, ks, pairs, i,
			    KEYS_WORDS, NULL);
		}
	}
	buf_release(&err);
}

static void	load_keys_end(struct loader *);
static void	load_encode(struct loader *, struct load_batch *, size_t);

/*
 * A filled batch's keys sorted, an index at a time, each told to the
 * writer as it is done: it appends the batch's records and writes the
 * first indexes meanwhile.
 */
static void
load_sort(struct loader *ld, struct load_batch *b, struct record *rec,
    struct keyset *ks)
{
	size_t	x;

	for (x = 0; x < ld->st->nix && !b->failed; x++) {
		/* The late word keys, with the key thread, which is gone
		 * after them. */
		if (&ld->st->ix[x] == ld->st->search) {
			if (ld->wlate < b->to)
				load_words_late(ld, b, b->pairs, rec, ks);
			load_keys_end(ld);
		}
		/* The key thread's, here rather than all at once: the
		 * writer writes the indexes before meanwhile. */
		if (ld->kpairs != NULL)
			pairs_merge(&b->pairs[x], &ld->kpairs[x]);
		/* The word index's keys and the packed indexes' grouped
		 * too (words_load() then compares none): the writer is
		 * busy meanwhile. */
		if (index_chunked(&ld->st->ix[x]))
			pairs_group(&b->pairs[x]);
		else
			pairs_sort(&b->pairs[x]);
		if (ld->threaded) {
			pthread_mutex_lock(&ld->lock);
			b->nsorted = x + 1;
			pthread_cond_broadcast(&ld->cond);
			pthread_mutex_unlock(&ld->lock);
		} else
			b->nsorted = x + 1;
		if (&ld->st->ix[x] == ld->st->search && ld->wenc)
			load_encode(ld, b, x);
	}
}

/* Index x of b sorted (the producer may be at a later one). */
static void
load_sorted(struct loader *ld, struct load_batch *b, size_t x)
{
	if (!ld->threaded)
		return;
	pthread_mutex_lock(&ld->lock);
	while (b->nsorted <= x)
		pthread_cond_wait(&ld->cond, &ld->lock);
	pthread_mutex_unlock(&ld->lock);
}

/*
 * The producer, its keys sorted, has nothing left to do while the writer
 * puts them into the indexes, a third of a million-party load.  The
 * writer's puts fill the cache (sized for the data as it was, nearly
 * none) with dirty pages, and each page it brings in first wrote one out
 * on its own thread: a fifth of its time, in pwrite().  So the producer
 * writes them out beforehand (memp_trickle(), which also writes the log
 * they wait for), till the writer is done.
 *
 * The commit then writes the dirty half and waits for the disk to take
 * every page written (a million parties: 3.2 s).  Keeping 80 % clean,
 * with sync_file_range() starting the write-back of each file as the
 * trickle wrote to it, made that 1.8 s, but the load was no faster as
 * a whole (45.6 s against 46.7 s over six loads each, 45.9 against
 * 45.0 over three more): the writes and the kernel's write-back moved
 * beside the writer, which everything beside it slows (see
 * LOAD_KEY_ROWS).
 */
#define LOAD_TRICKLE_PCT	50	/* of the cache kept clean */
#define LOAD_TRICKLE_NS	30000000	/* between looks: 30 ms */

/*
 * The pairs of the indexes the writer has written, freed here: gigabytes
 * of them for a million parties, whose munmap() took the writer 0.3 s
 * before its commit, and the memory is given back sooner.
 */
static void
load_free_written(struct loader *ld)
{
	struct load_batch *b = &ld->b[0];
	size_t		 upto;

	pthread_mutex_lock(&ld->lock);
	upto = b->nwritten;
	pthread_mutex_unlock(&ld->lock);
	for (; b->nfreed < upto; b->nfreed++)
		pairs_release(&b->pairs[b->nfreed]);
}

/* ts set to ns from now, for a timed wait. */
static void
load_deadline(struct timespec *ts, long ns)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += ns;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static void
load_trickle_once(struct loader *ld)
{
	int	wrote;

	/* Not a DBCALL(): no failure of it would fail the load (the
	 * writer writes what is left), and the fault tests count the
	 * writer's calls. */
	(void)ld->env->memp_trickle(ld->env, LOAD_TRICKLE_PCT, &wrote);
	load_free_written(ld);
}

static void
load_trickle(struct loader *ld)
{
	struct timespec	 ts;
	int		 stop = 0;

	while (!stop) {
		load_trickle_once(ld);
		pthread_mutex_lock(&ld->lock);
		if (!ld->stop) {
			/*
			 * Each call that writes first flushes the log the
			 * pages wait for, an fdatasync(): a look every
			 * millisecond made 12,000 of them in a million-party
			 * load, and 4 s of CPU more than a look every 30 ms
			 * (25.0 s against 24.5 s; 100 ms was no better).
			 * The writer dirties a few megabytes in that time,
			 * well within the half kept clean.
			 */
			load_deadline(&ts, LOAD_TRICKLE_NS);
			pthread_cond_timedwait(&ld->cond, &ld->lock, &ts);
		}
		stop = ld->stop;
		pthread_mutex_unlock(&ld->lock);
	}
}

static void	load_pairs_by_id(struct store_pairs *);

/* The rows of p's pairs made their ids (every row has one). */
static void
load_pairs_ids(struct loader *ld, struct store_pairs *p)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		p->v[i].id = ld->ids[p->v[i].id];
	if (p->pre != NULL) {
		/* Ids ascend by row in a bulk load (load_given()), so each
		 * prefix key's stay in order. */
		if (ld->unsorted)
			BUG("a bulk load's ids do not ascend");
		p->pre->ids = ld->ids;
	}
	if (ld->unsorted)
		load_pairs_by_id(p);
}

/*
 * bulk_put()'s full(), the producer's: eb's buffer to the writer, one
 * written before (or a new one) in its place; ECANCELED when the writer
 * has given up.
 */
static int
load_wq_push(struct store_bulk *eb, void *arg)
{
	struct loader	*ld = arg;
	struct load_wbuf *w;
	struct timespec	 ts;
	void		*mem = NULL;
	int		 stop;

	pthread_mutex_lock(&ld->lock);
	while (ld->wqn == LOAD_WQ && !ld->stop) {
		load_deadline(&ts, LOAD_TRICKLE_NS);
		if (pthread_cond_timedwait(&ld->cond, &ld->lock, &ts) ==
		    ETIMEDOUT) {
			pthread_mutex_unlock(&ld->lock);
			load_trickle_once(ld);
			pthread_mutex_lock(&ld->lock);
		}
	}
	if (!(stop = ld->stop)) {
		w = &ld->wq[(ld->wqhead + ld->wqn++) % LOAD_WQ];
		w->data = eb->k.data;
		w->size = eb->k.ulen;
		w->n = eb->n;
		pthread_cond_broadcast(&ld->cond);
		if (ld->nwfree > 0)
			mem = ld->wfree[--ld->nwfree];
	}
	pthread_mutex_unlock(&ld->lock);
	if (stop)
		return (ECANCELED);
	eb->k.data = mem != NULL ? mem : xmalloc(eb->k.ulen);
	bulk_reset(eb);
	return (0);
}

/*
 * The producer's: the word index's puts (its keys, x of b, grouped) for
 * the writer, once the writer has every row's id; then no more.
 */
static void
load_encode(struct loader *ld, struct load_batch *b, size_t x)
{
	struct store_pairs *p = &b->pairs[x];
	struct store_bulk eb;
	int		 go;

	pthread_mutex_lock(&ld->lock);
	while (!ld->idsready && !ld->stop)
		pthread_cond_wait(&ld->cond, &ld->lock);
	go = !ld->stop;
	pthread_mutex_unlock(&ld->lock);
	if (go) {
		load_pairs_ids(ld, p);
		bulk_init(&eb, NULL, NULL);
		if (ld->l->put_bytes != 0) {
			eb.k.data = xrealloc(eb.k.data, ld->l->put_bytes);
			eb.k.ulen = (u_int32_t)ld->l->put_bytes;
			bulk_reset(&eb);
		}
		eb.full = load_wq_push;
		eb.farg = ld;
		if (words_encode(&eb, p) == 0 && eb.n > 0)
			(void)load_wq_push(&eb, ld);
		bulk_release(&eb);
	}
	pthread_mutex_lock(&ld->lock);
	ld->wqdone = 1;
	pthread_cond_broadcast(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
}

/* The writer's: each buffer of the word index's puts written, as the
 * producer makes them: 0 or a Berkeley DB error. */
static int
load_words_write(struct store_txn *t, struct loader *ld,
    struct store_index *ix)
{
	struct store_bulk wb;
	struct load_wbuf w;
	int		 ret = 0;

	memset(&wb, 0, sizeof(wb));
	wb.db = ix->db;
	wb.txn = t->txn;
	for (;;) {
		pthread_mutex_lock(&ld->lock);
		while (ld->wqn == 0 && !ld->wqdone)
			pthread_cond_wait(&ld->cond, &ld->lock);
		if (ld->wqn == 0) {
			pthread_mutex_unlock(&ld->lock);
			break;
		}
		w = ld->wq[ld->wqhead];
		ld->wqhead = (ld->wqhead + 1) % LOAD_WQ;
		ld->wqn--;
		pthread_cond_broadcast(&ld->cond);
		pthread_mutex_unlock(&ld->lock);
		wb.k.data = w.data;
		wb.k.ulen = (u_int32_t)w.size;
		wb.k.flags = DB_DBT_USERMEM;
		wb.n = w.n;
		ret = bulk_flush(&wb);
		pthread_mutex_lock(&ld->lock);
		if (ld->nwfree < nitems(ld->wfree)) {
			ld->wfree[ld->nwfree++] = w.data;
			w.data = NULL;
		}
		pthread_mutex_unlock(&ld->lock);
		free(w.data);
		if (ret != 0)
			break;
	}
	return (ret);
}

/*
 * A bulk load's second thread making index keys.  Decoding, checking
 * and encoding the rows and making their keys took the producer longer
 * than the writer took to append the records and their audit entries
 * (a million parties: 6 s against 3), and the keys were most of it.  So
 * the rows are taken in blocks of krows, and the keys of each block are
 * made by whichever thread comes to it first (load_mine(),
 * load_kclaim()): here, from the rows decoded again (peek()), or in the
 * producer, which has every row to check and encode besides and so
 * takes fewer.  Every other block here, as before, left this thread
 * idle the last third of the rows (a million parties: done at 6.4 s,
 * the producer at 10.1 s); taken as they come, both end together, and
 * a load took 26.2 s against 27.4 s (six each, alternating: the two
 * processors were busy before too, with the writer's appends beside
 * them, so the producer gained less than the thread had idled).  Its
 * keys join the producer's before each index is sorted (load_sort()):
 * both threads take their blocks in row order, so each one's pairs
 * ascend by row, as pairs_merge() wants.  A row that does not decode
 * here fails in the producer too, which fails the load: this thread
 * just stops.
 *
 * The writer is what a load waits for: it alone may use the
 * transaction, and Berkeley DB's puts are most of its time (a million
 * parties: 9 s appending the records and audit entries, 24 s the
 * indexes other than the word index, 4 s that one; each leaf split
 * logs a whole page, some 1.3 GB of log).
 */
#define LOAD_KEY_ROWS	4096

/*
 * The word keys (28 million of a million parties' 40 million) of the
 * last third of a bulk load's rows are made after the rows, from the
 * records as encoded, while the writer writes the other indexes
 * (load_words_late()).  The rows, which kept both processors busy
 * beside the writer's appends, end sooner (instrumented, a fast hour:
 * 5.9 and 6.7 s against 7.5 and 7.7 s).  A million parties: 24.2 s
 * against 26.4 s, the means of eighteen loads each, alternating
 * (medians 23.5 and 26.6 s).  An earlier try made every word key after
 * the rows, when the sort went over all the pairs eight times (before
 * heads_sort(), env.c): the rows were appended 3 s sooner, and the
 * writer waited as long for the words.
 *
 * They were the producer's alone, after it had sorted the other
 * indexes' keys, and the key thread was gone with the rows.  Once the
 * other indexes were written as runs (runs.c), the writer was done with
 * them long before the word index's keys were ready, and waited 3.5 s
 * (instrumented, a million parties: the late words took the producer
 * 2.8 s, their grouping 2.2 s, while a processor idled).  So the key
 * thread, done with its blocks, takes blocks of the late rows from the
 * start, and the producer joins it when its sorts are done; and the
 * word keys' sort splits in two threads (pairs_sort(), env.c).  The
 * writer then waited 1.0 s, and a load took 16.9 s against 19.0 s, the
 * means of six each, alternating (faster in five pairs of six).
 */
#define LOAD_WORDS_LATE	3

/* The key thread's next block, its first row; l->n when none is left
 * for it or it is told to stop. */
static size_t
load_kclaim(struct loader *ld)
{
	size_t	i;

	pthread_mutex_lock(&ld->lock);
	i = ld->kstop ? ld->l->n : ld->kclaim++ * ld->krows;
	pthread_mutex_unlock(&ld->lock);
	return (i < ld->l->n ? i : ld->l->n);
}

static void *
load_keys(void *arg)
{
	struct loader	*ld = arg;
	struct store_table *st = ld->st;
	struct store_load *l = ld->l;
	struct load_batch *b = &ld->b[0];	/* a bulk load's one */
	struct record	*rec = record_new(st->t);
	struct keyset	 ks;
	struct buf	 err = BUF_INIT;
	size_t		 i, j, end;
	int		 late = 0;

	keyset_init(&ks);
	while ((i = load_kclaim(ld)) < l->n) {
		end = i + ld->krows < l->n ? i + ld->krows : l->n;
		for (j = i; j < end; j++) {
			/* Not checked again here (the producer does, and a
			 * row it refuses fails the load): keys are made of
			 * any record that decodes. */
			if (l->peek(l->arg, j, rec, &err) == -1)
				goto out;
			rec->id = 0;
			rec->flags = 0;
			(void)load_row_keys(ld, rec, &ks, ld->kpairs, j, NULL);
			ld->kdone++;
		}
	}
	late = ld->wlate < l->n;
out:
	/*
	 * Its blocks done: the producer merges their keys of the other
	 * indexes meanwhile.  Then the late word keys, with the producer,
	 * once every row is encoded, unless the load stops short.
	 */
	pthread_mutex_lock(&ld->lock);
	ld->kblocks = 1;
	pthread_cond_broadcast(&ld->cond);
	while (late && !b->full && !ld->kstop)
		pthread_cond_wait(&ld->cond, &ld->lock);
	late = late && !ld->kstop;
	pthread_mutex_unlock(&ld->lock);
	if (late)
		load_words_late(ld, b, ld->kpairs, rec, &ks);
	buf_release(&err);
	keyset_release(&ks);
	record_free(rec);
	return (NULL);
}

static void	load_keys_drop(struct loader *);

/*
 * A bulk load's word index keys its short-prefix keys apart (prefix.c),
 * in each set of pairs a thread fills: written once, and their rows are
 * 32-bit (ld->prefixes).
 */
static void
load_prefixes(struct loader *ld, struct store_pairs *pairs)
{
	if (ld->prefixes)
		pairs[ld->st->search - ld->st->ix].pre = prefixes_new();
}

/* The key thread started, if the load is one for it. */
static void
load_keys_start(struct loader *ld)
{
	struct store_load *l = ld->l;

	if (!ld->stream || l->peek == NULL || l->n < 2 * ld->krows)
		return;
	/* The first block the producer's: the estimate of a load's keys
	 * (load_estimate()) is made from the rows it made keys of. */
	ld->kclaim = 1;
	ld->pkeyed = 0;
	ld->kpairs = xcalloc(ld->st->nix ? ld->st->nix : 1,
	    sizeof(*ld->kpairs));
	load_prefixes(ld, ld->kpairs);
	ld->keyed = pthread_create(&ld->kthread, NULL, load_keys, ld) == 0;
	if (!ld->keyed)
		load_keys_drop(ld);
}

/* The key thread's pairs not merged yet, freed. */
static void
load_keys_drop(struct loader *ld)
{
	size_t	x;

	if (ld->kpairs == NULL)
		return;
	for (x = 0; x < ld->st->nix; x++)
		pairs_release(&ld->kpairs[x]);
	free(ld->kpairs);
	ld->kpairs = NULL;
}

/*
 * Every row filled: the key thread's blocks done, as it goes on with the
 * late word keys; or, the load short of rows, the thread gone and its
 * keys dropped.
 */
static void
load_keys_join(struct loader *ld, struct load_batch *b)
{
	int	short_of = b->failed || b->to < ld->l->n;

	if (!ld->keyed)
		return;
	pthread_mutex_lock(&ld->lock);
	if (short_of) {
		ld->kstop = 1;
		pthread_cond_broadcast(&ld->cond);
	}
	while (!ld->kblocks)
		pthread_cond_wait(&ld->cond, &ld->lock);
	pthread_mutex_unlock(&ld->lock);
	if (short_of) {
		load_keys_end(ld);
		load_keys_drop(ld);
	}
}

/* The key thread gone, every key it makes made. */
static void
load_keys_end(struct loader *ld)
{
	if (!ld->keyed)
		return;
	pthread_join(ld->kthread, NULL);
	ld->keyed = 0;
	ld->l->keyed = ld->kdone;
}

static void *
load_producer(void *arg)
{
	struct loader	*ld = arg;
	struct load_batch *b;
	struct record	*rec = record_new(ld->st->t);
	struct keyset	 ks;
	unsigned	 k;
	int		 stop;

	keyset_init(&ks);
	for (k = 0;; k ^= 1) {
		b = &ld->b[k];
		pthread_mutex_lock(&ld->lock);
		while (b->full && !ld->stop)
			pthread_cond_wait(&ld->cond, &ld->lock);
		stop = ld->stop;
		pthread_mutex_unlock(&ld->lock);
		if (stop)
			break;
		if (ld->bulk)
			load_keys_start(ld);
		load_fill(ld, b, rec, &ks);
		pthread_mutex_lock(&ld->lock);
		b->full = 1;
		pthread_cond_broadcast(&ld->cond);
		pthread_mutex_unlock(&ld->lock);
		load_keys_join(ld, b);
		/* A bulk load too big is not written: no need to sort. */
		if (!(ld->bulk && b->to < ld->l->n))
			load_sort(ld, b, rec, &ks);
		load_keys_end(ld);
		if (b->failed || b->to == ld->l->n || ld->bulk)
			break;
	}
	keyset_release(&ks);
	record_free(rec);
	if (ld->bulk && !b->failed && b->to == ld->l->n)
		load_trickle(ld);
	return (NULL);
}

/* The writer's next batch (k, 0 or 1), filled. */
static struct load_batch *
load_take(struct loader *ld, unsigned k, struct record *rec,
    struct keyset *ks)
{
	struct load_batch *b = &ld->b[k];

	if (!ld->threaded) {
		load_fill(ld, b, rec, ks);
		if (!(ld->bulk && b->to < ld->l->n))
			load_sort(ld, b, rec, ks);
		return (b);
	}
	pthread_mutex_lock(&ld->lock);
	while (!b->full)
		pthread_cond_wait(&ld->cond, &ld->lock);
	pthread_mutex_unlock(&ld->lock);
	return (b);
}

static void
load_give_back(struct loader *ld, struct load_batch *b)
{
	if (!ld->threaded)
		return;
	pthread_mutex_lock(&ld->lock);
	b->full = 0;
	pthread_cond_broadcast(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
}

/* The producer stopped and gone (before the writer asks for rows). */
static void
load_stop(struct loader *ld)
{
	if (!ld->threaded)
		return;
	pthread_mutex_lock(&ld->lock);
	ld->stop = 1;
	pthread_cond_broadcast(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
	pthread_join(ld->thread, NULL);
	ld->threaded = 0;
}

/* The slot of id in g: its own, or the free one where it would go. */
static size_t
idset_find(const struct idset *g, uint64_t id)
{
	size_t	j;

	for (j = (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 32) &
	    (g->nslots - 1); g->slot[j].id != 0 && g->slot[j].id != id;
	    j = (j + 1) & (g->nslots - 1))
		;
	return (j);
}

/*
 * Row i's given id (ld->ids[i]), checked before it is written: at most
 * STORE_ID_MAX, on no earlier row (the bulk puts would write one over
 * the other), no purged record's (the table is empty, so no record
 * has it), and in a bulk transaction above the ids before it: pages
 * the transaction added are written once, in order, or its abort
 * cannot be undone (see LOAD_BULK_MIN).  0 or -1 (err, l->bad set).
 */
static int
load_given(struct store_txn *t, struct loader *ld, size_t i,
    struct buf *err)
{
	struct store_load *l = ld->l;
	struct idset	*g = &ld->given;
	struct idslot	*v;
	uint64_t	 id = ld->ids[i];
	size_t		 j, k;
	int		 ret, known;

	l->bad = i;
	if (id > STORE_ID_MAX)
		return (buf_error(err, _("%s id %llu is too big (at most "
		    "%llu)"), l->table->name, (unsigned long long)id,
		    (unsigned long long)STORE_ID_MAX));
	if (ld->bulk && id <= ld->last)
		return (buf_error(err, _("%s id %llu comes after %llu: the "
		    "ids of a bulk load must ascend"), l->table->name,
		    (unsigned long long)id, (unsigned long long)ld->last));
	if (g->n * 2 >= g->nslots) {
		v = g->slot;
		k = g->nslots;
		g->nslots = k ? k * 2 : 1024;
		g->slot = xcalloc(g->nslots, sizeof(*g->slot));
		for (j = 0; j < k; j++)
			if (v[j].id != 0)
				g->slot[idset_find(g, v[j].id)] = v[j];
		free(v);
	}
	j = idset_find(g, id);
	if (g->slot[j].id == id) {
		l->other = g->slot[j].row;
		return (buf_error(err, _("%s id %llu is on two rows"),
		    l->table->name, (unsigned long long)id));
	}
	g->slot[j].id = id;
	g->slot[j].row = i;
	g->n++;
	if (ld->purged) {
		if ((ret = audit_knows(t->s, t->txn, l->table, id,
		    &known)) != 0)
			return (store_fail(t, ret, err, _("cannot read table "
			    "'%s': %s"), l->table->name, store_strerror(ret)));
		if (known) {
			struct buf	ref = BUF_INIT;

			record_ref_text(l->table, id, NULL, msg_lang, &ref);
			buf_error(err, _("%s was purged, and an id is never "
			    "given twice"), ref.data);
			buf_release(&ref);
			return (-1);
		}
	}
	l->bad = SIZE_MAX;
	return (0);
}

/*
 * Rows from to to of a batch into the table and the audit trail, their
 * ids taken first, at once: consecutive (another writer's come before
 * or after them), and none spent on a load refused as too big before;
 * the keys have the rows' numbers till the indexes are written.  Row i
 * is at data + off[i - from], off[to - from] its end.  0 or -1 (err
 * set, l->bad where a row is to blame).
 */
static int
load_rows(struct store_txn *t, struct loader *ld, const char *data,
    const size_t *off, size_t from, size_t to, struct store_bulk *pb,
    struct record *rec, int refs, struct buf *err)
{
	struct store_table *st = ld->st;
	struct store_load *l = ld->l;
	unsigned char	 kb[8];
	db_seq_t	 first = 0;
	size_t		 i, o, len, n;
	int		 ret;

	if (to == from)
		return (0);
	for (i = from, n = 0; i < to; i++)
		n += ld->ids[i] == 0;
	if (n > 0) {
		ret = DBCALL(st->seq->get(st->seq, NULL, (u_int32_t)n, &first,
		    DB_TXN_NOSYNC));
		if (ret != 0)
			return (store_fail(t, ret, err, _("cannot write table "
			    "'%s': %s"), st->t->name, store_strerror(ret)));
	}
	for (i = from; i < to; i++) {
		if (ld->ids[i] == 0)
			ld->ids[i] = (uint64_t)first++;
		else if (load_given(t, ld, i, err) == -1)
			return (-1);
		if (ld->ids[i] <= ld->last)
			ld->unsorted = 1;
		else
			ld->last = ld->ids[i];
	}
	for (i = from; i < to; i++) {
		o = off[i - from];
		len = off[i - from + 1] - o;
		if (refs) {
			if (record_decode(rec, data + o, len, err) == -1) {
				l->bad = i;
				return (-1);
			}
			rec->id = 0;
			if (rec_check_refs(t, st, rec, NULL, err) == -1) {
				l->bad = i;
				return (-1);
			}
		}
		store_id_key(kb, ld->ids[i]);
		ret = bulk_put(pb, kb, 8, data + o, len);
		if (ret != 0)
			return (store_fail(t, ret, err, _("cannot write table "
			    "'%s': %s"), st->t->name, store_strerror(ret)));
		journal_note(t, st, ld->ids[i]);
	}
	/* An insert's entry is the table's, the id and who. */
	return (audit_load(t, st->t, user_or_empty(ld->user), ld->ids + from,
	    to - from, err));
}

static int
pair_id_cmp(const void *va, const void *vb)
{
	const struct store_pair *a = va, *b = vb;

	return (a->id < b->id ? -1 : a->id > b->id);
}

/*
 * The pairs of each key in id order again, when the ids an import kept
 * do not ascend with its rows: sorted by (key, row), they are in
 * (key, id) order only when ids ascend, and an index, the word index's
 * postings above all, is written in that order.  Grouped pairs keep
 * their marks (the first of a key 0, the others 1).
 */
static void
load_pairs_by_id(struct store_pairs *p)
{
	const char	*k = p->keys.data;
	size_t		 s, e, i;

	for (s = 0; s < p->n; s = e) {
		for (e = s + 1; e < p->n; e++) {
			if (p->grouped ? p->v[e].head != 1 :
			    p->v[e].len != p->v[s].len ||
			    memcmp(k + p->v[e].off, k + p->v[s].off,
			    p->v[s].len) != 0)
				break;
		}
		if (e - s < 2)
			continue;
		qsort(p->v + s, e - s, sizeof(*p->v), pair_id_cmp);
		if (p->grouped)
			for (i = s; i < e; i++)
				p->v[i].head = i > s;
	}
}

/* A batch's rows (unless written already: done), then its keys into the
 * indexes: 0 or -1 (err set, l->bad where a row is to blame). */
static int
load_write(struct store_txn *t, struct loader *ld, struct load_batch *b,
    int done, struct store_bulk *pb, struct tokset *ts, struct record *rec,
    int refs, struct buf *err)
{
	struct store_table *st = ld->st;
	struct store_load *l = ld->l;
	struct store_index *ix;
	struct store_pairs *p;
	uint64_t	 dup[2];
	size_t		 x;
	int		 ret;

	if (!done && load_rows(t, ld, b->enc.data, b->off, b->from, b->to,
	    pb, rec, refs, err) == -1)
		return (-1);
	if (b->failed) {
		l->bad = b->to;
		buf_reset(err);
		buf_add(err, b->err.data, b->err.len);
		return (-1);
	}
	if ((ret = bulk_flush(pb)) != 0)
		return (store_fail(t, ret, err, _("cannot write table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	for (x = 0; x < st->nix; x++) {
		ix = &st->ix[x];
		if (ix == st->search && ld->wenc)
			ret = load_words_write(t, ld, ix);
		else {
			load_sorted(ld, b, x);
			p = &b->pairs[x];
			load_pairs_ids(ld, p);
			ret = pairs_write(ix, t->txn, p, ld->bulk ?
			    words_token_new : tokset_new, ts, dup);
		}
		if (ret == DB_KEYEXIST) {
			/* Its rows are asked for again: none in the
			 * producer then. */
			load_stop(ld);
			return (load_duplicate(l, ix, ld->ids, b->to,
			    ld->unsorted, dup, rec, err));
		}
		if (ret == EBADMSG && ix->packed)
			return (buf_error(err, _("the index '%s' is damaged; "
			    "run clerk admin verify"), ix->file));
		if (ret == EBADMSG)
			return (buf_error(err, _("the word index of table '%s' "
			    "is damaged; run clerk admin verify"),
			    st->t->name));
		if (ret != 0)
			return (store_fail(t, ret, err, _("cannot write the "
			    "index '%s': %s"), ix->file, store_strerror(ret)));
		if (ld->bulk && ld->threaded) {
			/* Its pairs for the producer to free. */
			pthread_mutex_lock(&ld->lock);
			b->nwritten = x + 1;
			pthread_mutex_unlock(&ld->lock);
		}
	}
	return (0);
}

void
store_set_load_budget(struct store *s, size_t bytes)
{
	s->load_budget = bytes;
}

/*
 * The writer's side of a streamed bulk load: the rows appended as they
 * come, then, all of them there, the keys.  0, STORE_TOOBIG (nothing
 * written but rows, undone with the transaction), or -1.
 */
static int
load_stream(struct store_txn *t, struct loader *ld, struct store_bulk *pb,
    struct tokset *ts, struct record *rec, int refs, struct buf *err)
{
	struct load_batch *b = &ld->b[0];
	struct buf	 data = BUF_INIT;
	size_t		*off = NULL, w = 0, avail, i, nalloc = 0;
	int		 full, r = -1;

	for (;;) {
		pthread_mutex_lock(&ld->lock);
		while (!ld->toobig && !b->full && !(b->go && b->ready > w))
			pthread_cond_wait(&ld->cond, &ld->lock);
		if (ld->toobig) {
			pthread_mutex_unlock(&ld->lock);
			r = STORE_TOOBIG;
			goto out;
		}
		full = b->full;
		avail = full ? b->to : b->ready;
		if (avail > w) {
			/* Copied out: b->enc may move as the producer adds. */
			buf_reset(&data);
			buf_add(&data, b->enc.data + b->off[w], b->off[avail] -
			    b->off[w]);
			if (avail - w + 1 > nalloc) {
				nalloc = avail - w + 1;
				off = xreallocarray(off, nalloc, sizeof(*off));
			}
			for (i = w; i <= avail; i++)
				off[i - w] = b->off[i] - b->off[w];
		}
		pthread_mutex_unlock(&ld->lock);
		if (avail > w) {
			if (load_rows(t, ld, data.data, off, w, avail, pb, rec,
			    refs, err) == -1)
				goto out;
			w = avail;
		}
		if (full && w == b->to)
			break;
	}
	ld->l->batches = 1;
	/* Every row's id taken: the producer may make the word index's
	 * puts. */
	pthread_mutex_lock(&ld->lock);
	ld->idsready = 1;
	pthread_cond_broadcast(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
	r = load_write(t, ld, b, 1, pb, ts, rec, refs, err);
out:
	buf_release(&data);
	free(off);
	return (r);
}

int
store_load(struct store_txn *t, struct store_load *l, const char *user,
    struct buf *err)
{
	struct store_table *st;
	struct store_bulk pb;
	struct tokset	 ts;
	struct loader	 ld;
	struct load_batch *b;
	struct record	*rec;
	struct keyset	 ks;
	size_t		 i, x;
	unsigned	 k;
	int		 r, refs = 0, done, rc = -1;

	l->bad = l->other = SIZE_MAX;
	l->batches = 0;
	l->keyed = 0;
	l->late = 0;
	if ((st = store_table_of(t, l->table, err)) == NULL ||
	    store_writable(t, l->table, err) == -1)
		return (-1);
	if ((r = load_empty(t, st, err)) != 1)
		return (r == 0 ? STORE_NOTEMPTY : -1);
	memset(&ld, 0, sizeof(ld));
	if (l->keep_ids) {
		/* New ids after the given ones, which are looked up in
		 * the audit trail only if it has any of the table. */
		if (store_id_reserve(t, l->table, l->maxid, err) != 0)
			return (-1);
		if ((r = audit_max_id(t->s, t->txn, l->table, &ld.last)) != 0)
			return (store_fail(t, r, err, _("cannot read table "
			    "'%s': %s"), l->table->name, store_strerror(r)));
		ld.purged = ld.last != 0;
		ld.last = 0;
	}
	for (i = 0; i < st->t->nfields; i++)
		if (st->t->fields[i].type == FT_REF)
			refs = 1;
	rec = record_new(st->t);
	memset(&ts, 0, sizeof(ts));
	keyset_init(&ks);
	ld.st = st;
	ld.env = t->s->env;
	ld.l = l;
	ld.user = user;
	ld.bulk = (t->flags & STORE_TXN_BULK) != 0;
	ld.budget = l->budget != 0 ? l->budget : t->s->load_budget != 0 ?
	    t->s->load_budget : store_load_budget(ld.bulk);
	ld.krows = l->key_rows != 0 ? l->key_rows : LOAD_KEY_ROWS;
	ld.ids = xreallocarray(NULL, l->n ? l->n : 1, sizeof(*ld.ids));
	for (k = 0; k < 2; k++) {
		buf_init(&ld.b[k].enc);
		buf_init(&ld.b[k].err);
		ld.b[k].pairs = xcalloc(st->nix ? st->nix : 1,
		    sizeof(*ld.b[k].pairs));
		for (x = 0; x < st->nix; x++)
			buf_init(&ld.b[k].pairs[x].keys);
	}
	ld.prefixes = ld.bulk && st->search != NULL && l->n <= UINT32_MAX;
	for (k = 0; k < 2; k++)
		load_prefixes(&ld, ld.b[k].pairs);
	pthread_mutex_init(&ld.lock, NULL);
	pthread_cond_init(&ld.cond, NULL);
	buf_init(&ld.one);
	ld.stream = ld.bulk;
	ld.wlate = ld.bulk && st->search != NULL ?
	    l->n - l->n / LOAD_WORDS_LATE : SIZE_MAX;
	ld.wenc = ld.stream && st->search != NULL;
	ld.threaded = pthread_create(&ld.thread, NULL, load_producer,
	    &ld) == 0;
	if (!ld.threaded)
		ld.stream = ld.wenc = 0;
	/* Ids ascend: records are appended to the primary, in bulk. */
	bulk_init(&pb, st->db, t->txn);
	if (ld.stream) {
		if ((rc = load_stream(t, &ld, &pb, &ts, rec, refs, err)) == 0)
			t->delta[st->n] += (int64_t)l->n;
		goto out;
	}
	for (k = 0;; k ^= 1) {
		b = load_take(&ld, k, rec, &ks);
		if (ld.bulk && !b->failed && b->to < l->n) {
			rc = STORE_TOOBIG;
			goto out;
		}
		l->batches++;
		if (load_write(t, &ld, b, 0, &pb, &ts, rec, refs, err) == -1)
			goto out;
		done = b->to == l->n;
		load_give_back(&ld, b);
		if (done)
			break;
	}
	t->delta[st->n] += (int64_t)l->n;
	rc = 0;
out:
	load_stop(&ld);
	load_keys_drop(&ld);
	for (; ld.wqn > 0; ld.wqn--, ld.wqhead = (ld.wqhead + 1) % LOAD_WQ)
		free(ld.wq[ld.wqhead].data);
	while (ld.nwfree > 0)
		free(ld.wfree[--ld.nwfree]);
	pthread_mutex_destroy(&ld.lock);
	pthread_cond_destroy(&ld.cond);
	buf_release(&ld.one);
	bulk_release(&pb);
	free(ts.slot);
	for (k = 0; k < 2; k++) {
		for (x = 0; x < st->nix; x++)
			pairs_release(&ld.b[k].pairs[x]);
		free(ld.b[k].pairs);
		free(ld.b[k].off);
		buf_release(&ld.b[k].enc);
		buf_release(&ld.b[k].err);
	}
	free(ld.ids);
	free(ld.given.slot);
	keyset_release(&ks);
	record_free(rec);
	return (rc);
}
