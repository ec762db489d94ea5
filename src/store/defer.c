/*
 * defer.c: index entries written behind the commit.  A writing
 * transaction used to write the entries of its records' field indexes
 * (those that are not unique) and its word changes at its commit, one
 * Berkeley DB put each, some forty a record: two thirds of an insert's
 * time.  Now it puts them all, encoded, as one item of pending.db
 * (key: a sequence number, 8 bytes big-endian) in its own transaction,
 * and a thread of the store's, the indexer, writes them into the
 * indexes afterwards, many transactions' worth at a time, sorted (the
 * entries of a batch go through each index from one end to the other,
 * and a word shared by many records is written once), deleting the
 * items it wrote in the same transaction.  The writers go on meanwhile,
 * on the other processor.
 *
 * What stays true (read this before touching it):
 *
 * - Nothing committed is lost.  A record and the item with its entries
 *   commit together; the items are deleted only with the entries
 *   written.  At open the items left (a crash, a kill) are read back and
 *   written, so after a crash the indexes catch up by themselves.
 *   Writing an item twice is harmless: an entry that is there is not
 *   added again, one that is not there is not removed (rec.c, words.c).
 *
 * - Every read sees every write committed before it.  A transaction's
 *   first read of an index (defer_index_read(), from every place that
 *   reads one) waits until every item committed before it is written.
 *   It holds nothing the indexer waits for then: the indexer locks only
 *   the deferred indexes and pending.db, and a transaction touches
 *   neither before its first index read (its own entries wait in memory
 *   until its commit).  It never waits again: after that it may hold
 *   index pages the indexer needs, and what it reads next is as of its
 *   first read, read committed (as the records a query reads are).
 *
 * - A transaction reads its own writes.  At an index read its queued
 *   entries are written into the indexes at once, after the wait above,
 *   and kept for its item too: an item of a transaction before it that
 *   touches the same record is written before it (the wait), but the
 *   indexer may write such an item again later, in a batch, and the
 *   transaction's own item, written after it in order, puts things
 *   right.
 *
 * - Items are written in the order of their numbers, and the items of
 *   one record are numbered in the order their transactions committed:
 *   a number is given at the put, just before the commit, while the
 *   transaction holds its records' locks, and a later transaction can
 *   write the same record only after that commit.  The indexer takes
 *   only items below every number still being committed.
 *
 * - Unique indexes are not deferred (a write reads them to refuse a
 *   duplicate), nor is anything of a transaction that runs alone
 *   (STORE_TXN_ALONE, or one whose entries outgrew DEFER_TXN_MAX, which
 *   is run again so): it waits for every item first, and writes its
 *   entries itself, as before.  store_check() runs alone.
 *
 * Writers wait before they begin when the items waiting, the batch being
 * written apart, hold more than DEFER_BACKLOG bytes, so a reader never
 * waits for more than that and a batch (a few seconds at most, and only
 * while writers outrun the indexer; milliseconds otherwise).  The
 * indexer's calls are not counted by the fault injection (fault.c):
 * they come whenever it runs.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store_int.h"

#define DEFER_WORDS	0x80000000u	/* a group: a table's word index */
/* Bytes of items waiting (the indexer's batch apart), then writers wait;
 * bytes of items in a batch.  About 16,000 parties' changes each. */
#define DEFER_BACKLOG	(16u * 1024 * 1024)
#define DEFER_BATCH	(16u * 1024 * 1024)
#define DEFER_TXN_MAX	(256u * 1024 * 1024)	/* a transaction's, then alone */
#define DEFER_SMALL	256	/* changes a transaction writes itself when idle */
#define DEFER_WAIT	60	/* seconds a reader waits for a failing indexer */
#define DEFER_MAGIC	0xc2	/* an item's first byte: its format */
#define DEFER_MAGIC_1	0xc1	/* the format before: keys whole (read) */

struct ditem {
	uint64_t	 seq;
	struct store_queue *q;
	size_t		 bytes;
	struct ditem	*next;
};

struct store_defer {
	struct store	*s;
	pthread_mutex_t	 mtx;
	/*
	 * Held by the indexer while it writes a batch and deletes its
	 * items, and by each step of compaction (defer_hold(), after the
	 * writer lock of store_int.h), so compaction never reshapes a file
	 * the indexer is writing.  Never taken by a transaction: it would
	 * wait holding locks of Berkeley DB's that the indexer may wait
	 * for in turn (through a reader), where no detector sees it.
	 */
	pthread_mutex_t	 batch;
	pthread_cond_t	 work;		/* the indexer waits on it */
	pthread_cond_t	 done;		/* readers and writers wait on it */
	pthread_t	 thread;
	int		 running, stop, paused;
	uint64_t	 next;		/* the next item's number */
	/* Numbers given and not yet committed or aborted. */
	uint64_t	*flight;
	size_t		 nflight, aflight;
	/* Committed items not yet written, in number order. */
	struct ditem	*head, *tail;
	_Atomic size_t	 bytes;		/* of the items waiting */
	_Atomic size_t	 taken;		/* of those in the batch being written */
	_Atomic uint64_t committed;	/* the highest number committed */
	_Atomic uint64_t applied;	/* every number to it written */
	int		 failed;	/* the last batch failed */
	char		 why[512];	/* and why */
	uint64_t	 batches, written;	/* statistics */
};

/* Encoding. */

/* The index a group names, or NULL. */
static struct store_index *
group_index(struct store *s, uint32_t g)
{
	size_t	tab;

	if (g & DEFER_WORDS) {
		tab = g & ~DEFER_WORDS;
		return (tab < s->ntables ? s->tables[tab].search : NULL);
	}
	tab = g >> 16;
	if (tab >= s->ntables || (g & 0xffff) >= s->tables[tab].nix)
		return (NULL);
	return (&s->tables[tab].ix[g & 0xffff]);
}

/*
 * An item on disk names its indexes by file, not by place: the forms may
 * change between a crash and the next open.  Format: DEFER_MAGIC; the
 * number of files, each its length and name; the number of entries,
 * each (file << 1 | added), id, the bytes its key shares with the key
 * of the entry before, the length of the rest and the rest, all
 * varints.  The entries are sorted (queue_sort()), so most keys share
 * much with the one before: an item of a party's entries took 548 bytes
 * with its keys whole (DEFER_MAGIC_1, still read), 344 so, and it is
 * logged when put and again when deleted.
 */
static void
item_encode(struct store *s, const struct store_queue *q, struct buf *out)
{
	uint32_t	*groups = NULL;
	const char	*key, *prev = NULL;
	size_t		 ng = 0, i, j, len, plen = 0, sh;
	struct store_index *ix;

	buf_reset(out);
	buf_addch(out, DEFER_MAGIC);
	for (i = 0; i < q->n; i++) {
		for (j = 0; j < ng && groups[j] != q->ops[i].group; j++)
			;
		if (j == ng) {
			groups = xreallocarray(groups, ng + 1, sizeof(*groups));
			groups[ng++] = q->ops[i].group;
		}
	}
	store_varint_put(out, ng);
	for (j = 0; j < ng; j++) {
		ix = group_index(s, groups[j]);
		store_varint_put(out, strlen(ix->file));
		buf_adds(out, ix->file);
	}
	store_varint_put(out, q->n);
	for (i = 0; i < q->n; i++) {
		for (j = 0; groups[j] != q->ops[i].group; j++)
			;
		key = q->keys.data + q->ops[i].off;
		len = q->ops[i].len;
		sh = store_shared_len(prev, plen, key, len);
		store_varint_put(out, (uint64_t)j << 1 |
		    (q->ops[i].add != 0));
		store_varint_put(out, q->ops[i].id);
		store_varint_put(out, sh);
		store_varint_put(out, len - sh);
		buf_add(out, key + sh, len - sh);
		prev = key;
		plen = len;
	}
	free(groups);
}

/*
 * The group of the index in file name, -1 when none (the forms dropped
 * it) or when it was built anew at this open (from the records, which
 * already hold what the item says).
 */
static int64_t
file_group(struct store *s, const char *name, size_t len)
{
	struct store_table *st;
	size_t		 i, j;

	for (i = 0; i < s->ntables; i++) {
		st = &s->tables[i];
		for (j = 0; j < st->nix; j++) {
			if (strlen(st->ix[j].file) != len ||
			    memcmp(st->ix[j].file, name, len) != 0)
				continue;
			if (st->ix[j].built || st->ix[j].unique)
				return (-1);
			if (st->ix[j].kind == SIX_SEARCH)
				return (DEFER_WORDS | (uint32_t)i);
			return ((int64_t)(i << 16 | j));
		}
	}
	return (-1);
}

static int
item_decode(struct store *s, const void *data, size_t len,
    struct store_queue *q)
{
	const unsigned char *p = data, *end = p + len;
	struct buf	 key = BUF_INIT;
	int64_t		*groups = NULL;
	uint64_t	 ng, n, v, id, sh, kl, i;
	int		 r = -1, whole;

	if (len == 0 || (*p != DEFER_MAGIC && *p != DEFER_MAGIC_1))
		return (-1);
	whole = *p++ == DEFER_MAGIC_1;
	if (store_varint_get(&p, end, &ng) == -1 || ng > len)
		return (-1);
	groups = xcalloc(ng ? ng : 1, sizeof(*groups));
	for (i = 0; i < ng; i++) {
		if (store_varint_get(&p, end, &kl) == -1 ||
		    kl > (uint64_t)(end - p))
			goto out;
		groups[i] = file_group(s, (const char *)p, kl);
		p += kl;
	}
	if (store_varint_get(&p, end, &n) == -1)
		goto out;
	/* Allocated, so that key.data is never NULL, and empty. */
	buf_addch(&key, '\0');
	buf_truncate(&key, 0);
	for (i = 0; i < n; i++) {
		sh = 0;
		if (store_varint_get(&p, end, &v) == -1 || (v >> 1) >= ng ||
		    store_varint_get(&p, end, &id) == -1 ||
		    (!whole && (store_varint_get(&p, end, &sh) == -1 ||
		    sh > key.len)) ||
		    store_varint_get(&p, end, &kl) == -1 ||
		    kl > (uint64_t)(end - p))
			goto out;
		buf_truncate(&key, (size_t)sh);
		buf_add(&key, p, (size_t)kl);
		if (groups[v >> 1] != -1)
			queue_add(q, (uint32_t)groups[v >> 1], key.data,
			    key.len, id, (int)(v & 1));
		p += kl;
	}
	r = p == end ? 0 : -1;
out:
	buf_release(&key);
	free(groups);
	return (r);
}

/* Waiting. */

static void
cond_wait_s(pthread_cond_t *c, pthread_mutex_t *m, int secs)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	pthread_cond_timedwait(c, m, &ts);
}

static uint64_t
flight_min(struct store_defer *d)
{
	uint64_t	m = UINT64_MAX;
	size_t		i;

	for (i = 0; i < d->nflight; i++)
		if (d->flight[i] < m)
			m = d->flight[i];
	return (m);
}

static void
flight_drop(struct store_defer *d, uint64_t seq)
{
	size_t	i;

	for (i = 0; i < d->nflight; i++)
		if (d->flight[i] == seq) {
			d->flight[i] = d->flight[--d->nflight];
			return;
		}
}

/*
 * Wait until every item committed now is written: 0, or -1 with a
 * message when the indexer keeps failing.
 */
int
defer_settle(struct store *s, struct buf *err)
{
	struct store_defer *d = s->defer;
	uint64_t	 want;
	time_t		 start;
	int		 r = 0;

	if (d == NULL)
		return (0);
	want = atomic_load(&d->committed);
	if (atomic_load(&d->applied) >= want)
		return (0);
	start = time(NULL);
	pthread_mutex_lock(&d->mtx);
	/* Paused (tests only): reads go on without what is pending. */
	while (atomic_load(&d->applied) < want && d->running && !d->paused) {
		if (d->failed && time(NULL) - start >= DEFER_WAIT) {
			r = buf_error(err, _("the indexes are behind the "
			    "records: %s"), d->why);
			break;
		}
		cond_wait_s(&d->done, &d->mtx, 1);
	}
	pthread_mutex_unlock(&d->mtx);
	return (r);
}

void
defer_throttle(struct store *s)
{
	struct store_defer *d = s->defer;

	/* The batch being written apart: the writers go on meanwhile. */
	if (d == NULL || d->bytes - d->taken <= DEFER_BACKLOG)
		return;
	pthread_mutex_lock(&d->mtx);
	while (d->bytes - d->taken > DEFER_BACKLOG && d->running &&
	    !d->paused && !d->failed)
		cond_wait_s(&d->done, &d->mtx, 1);
	pthread_mutex_unlock(&d->mtx);
}

/* A transaction's side. */

/* Copy the changes of q into t's item, their groups or'ed with mark. */
static void
stash(struct store_txn *t, const struct store_queue *q, uint32_t mark)
{
	struct store_queue *dq;
	size_t		 i;

	if (q == NULL || q->n == 0)
		return;
	dq = queue_get(&t->dq);
	for (i = 0; i < q->n; i++)
		queue_add(dq, q->ops[i].group | mark, q->keys.data +
		    q->ops[i].off, q->ops[i].len, q->ops[i].id, q->ops[i].add);
}

/* Move all of t's queued changes into its item. */
static void
stash_all(struct store_txn *t)
{
	stash(t, t->ixq, 0);
	stash(t, t->words, DEFER_WORDS);
	if (t->ixq != NULL)
		queue_reset(t->ixq);
	if (t->words != NULL)
		queue_reset(t->words);
}

int
defer_on(struct store_txn *t)
{
	return (t->s->defer != NULL && !t->immediate);
}

/*
 * t's queued entries outgrew a budget (rec.c, words.c): into its item,
 * the queues emptied.  An item past DEFER_TXN_MAX runs t again alone.
 */
int
defer_spill(struct store_txn *t, struct buf *err)
{
	stash_all(t);
	if (queue_bytes(t->dq) > DEFER_TXN_MAX) {
		t->again_alone = 1;
		t->deadlocked = 1;
		return (buf_error(err, _("too many index changes for one "
		    "transaction: run again alone")));
	}
	return (0);
}

int
defer_index_read(struct store_txn *t, int words, struct buf *err)
{
	if (defer_on(t)) {
		if (!t->settled) {
			if (defer_settle(t->s, err) == -1)
				return (-1);
			t->settled = 1;
		}
		/* What is written now goes into the item too. */
		stash(t, t->ixq, 0);
		if (words)
			stash(t, t->words, DEFER_WORDS);
	}
	if (words && words_flush(t, err) == -1)
		return (-1);
	return (rec_index_flush(t, err));
}

/*
 * At t's commit: whether it writes its entries itself, as before, not
 * through an item.  A small one (a card saved) does when the indexer has
 * nothing waiting, being written or being committed: then every item
 * that touched t's records is written (t holds their locks, so no later
 * one can touch them), and an operator's change costs no item, no
 * second transaction, and no reader waits for it.  A big one, or any
 * while the indexer is busy, goes behind the commit.
 */
int
defer_small(struct store_txn *t)
{
	struct store_defer *d = t->s->defer;
	size_t		 n = 0;
	int		 idle;

	if (!defer_on(t))
		return (0);
	if (t->ixq != NULL)
		n += t->ixq->n;
	if (t->words != NULL)
		n += t->words->n;
	if (t->dq != NULL)
		n += t->dq->n;
	if (n > DEFER_SMALL)
		return (0);
	pthread_mutex_lock(&d->mtx);
	idle = d->head == NULL && d->nflight == 0 && d->taken == 0 &&
	    !d->paused;
	pthread_mutex_unlock(&d->mtx);
	return (idle);
}

/*
 * Before t's commit: its entries, all of them, as an item of pending.db
 * under a new number.  Nothing to put: 0 and no number.
 */
int
defer_put(struct store_txn *t, struct buf *err)
{
	struct store_defer *d = t->s->defer;
	struct buf	 enc = BUF_INIT;
	unsigned char	 kb[8];
	DBT		 k, v;
	int		 ret;

	stash_all(t);
	if (t->dq == NULL || t->dq->n == 0)
		return (0);
	/* Sorted here, the indexer merges the items of a batch (a sort
	 * of them all was a quarter of its time). */
	queue_sort(t->dq);
	item_encode(t->s, t->dq, &enc);
	pthread_mutex_lock(&d->mtx);
	t->dseq = d->next++;
	if (d->nflight == d->aflight) {
		d->aflight = d->aflight ? 2 * d->aflight : 16;
		d->flight = xreallocarray(d->flight, d->aflight,
		    sizeof(*d->flight));
	}
	d->flight[d->nflight++] = t->dseq;
	pthread_mutex_unlock(&d->mtx);
	store_id_key(kb, t->dseq);
	store_dbt(&k, kb, 8);
	store_dbt(&v, enc.data, enc.len);
	ret = DBCALL(t->s->pending->put(t->s->pending, t->txn, &k, &v,
	    DB_NOOVERWRITE));
	buf_release(&enc);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot write the index "
		    "changes: %s"), store_strerror(ret)));
	return (0);
}

/* After t's commit (committed) or abort: hand its item to the indexer. */
void
defer_end(struct store_txn *t, int committed)
{
	struct store_defer *d = t->s->defer;
	struct ditem	*it, **pp;

	if (d == NULL || t->dseq == 0) {
		queue_free(&t->dq);
		return;
	}
	pthread_mutex_lock(&d->mtx);
	flight_drop(d, t->dseq);
	if (committed) {
		it = xcalloc(1, sizeof(*it));
		it->seq = t->dseq;
		it->q = t->dq;
		it->bytes = queue_bytes(t->dq);
		t->dq = NULL;
		/* Mostly at the end: numbers commit nearly in order. */
		if (d->tail == NULL || d->tail->seq < it->seq) {
			if (d->tail != NULL)
				d->tail->next = it;
			else
				d->head = it;
			d->tail = it;
		} else {
			for (pp = &d->head; (*pp)->seq < it->seq;
			    pp = &(*pp)->next)
				;
			it->next = *pp;
			*pp = it;
		}
		d->bytes += it->bytes;
		if (atomic_load(&d->committed) < it->seq)
			atomic_store(&d->committed, it->seq);
	}
	pthread_cond_signal(&d->work);
	pthread_mutex_unlock(&d->mtx);
	t->dseq = 0;
	queue_free(&t->dq);
}

/* The indexer. */

/*
 * The changes of the items from first to last (each sorted), merged in
 * order into qi (field indexes) and qw (word indexes): a heap of the
 * items by their next change, the earlier item first among equals, so
 * the changes of one entry stay in the order they were made.
 */
struct mcur {
	const struct store_queue *q;
	size_t		 i;
	size_t		 rank;		/* the item's place in the batch */
};

static int
mcur_less(const struct mcur *a, const struct mcur *b)
{
	int	c = queue_cmp(&a->q->ops[a->i], a->q->keys.data,
		    &b->q->ops[b->i], b->q->keys.data);

	return (c != 0 ? c < 0 : a->rank < b->rank);
}

static void
heap_down(struct mcur *h, size_t n, size_t i)
{
	struct mcur	 tmp;
	size_t		 c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && mcur_less(&h[c + 1], &h[c]))
			c++;
		if (!mcur_less(&h[c], &h[i]))
			return;
		tmp = h[c];
		h[c] = h[i];
		h[i] = tmp;
		i = c;
	}
}

static void
merge(struct ditem *first, struct ditem *last, struct store_queue *qi,
    struct store_queue *qw)
{
	struct ditem	*it;
	struct mcur	*h = NULL;
	const struct store_qop *o;
	size_t		 n = 0, rank = 0, i;

	for (it = first;; it = it->next) {
		if (it->q->n != 0) {
			h = xreallocarray(h, n + 1, sizeof(*h));
			h[n].q = it->q;
			h[n].i = 0;
			h[n++].rank = rank;
		}
		rank++;
		if (it == last)
			break;
	}
	for (i = n / 2; i-- > 0;)
		heap_down(h, n, i);
	while (n != 0) {
		o = &h[0].q->ops[h[0].i];
		if (o->group & DEFER_WORDS)
			queue_add(qw, o->group & ~DEFER_WORDS,
			    h[0].q->keys.data + o->off, o->len, o->id, o->add);
		else
			queue_add(qi, o->group, h[0].q->keys.data + o->off,
			    o->len, o->id, o->add);
		if (++h[0].i == h[0].q->n)
			h[0] = h[--n];
		heap_down(h, n, 0);
	}
	free(h);
	qi->sorted = qw->sorted = 1;
}

/*
 * Write the entries of the items from first to last (inclusive) in one
 * transaction: 0, or -1 with the failure in err (t->deadlocked: again).
 * The items are deleted in a transaction of their own afterwards
 * (items_delete()): writers put theirs onto the same last page of
 * pending.db, and would wait for the whole batch.  A crash between the
 * two writes the items again at the next open, which changes nothing.
 */
static int
batch_write(struct store_defer *d, struct ditem *first, struct ditem *last,
    struct store_txn *t, struct buf *err)
{
	struct store	*s = d->s;
	struct store_queue *qi, *qw;
	int		 ret, r = -1;

	qi = queue_get(&t->ixq);
	qw = queue_get(&t->words);
	merge(first, last, qi, qw);
	if ((ret = DBCALL(s->env->txn_begin(s->env, NULL, &t->txn, 0))) != 0) {
		store_fail(t, ret, err, _("cannot begin a transaction: %s"),
		    store_strerror(ret));
		goto out;
	}
	if (rec_index_flush(t, err) == -1 || words_flush(t, err) == -1)
		goto out;
	/* A commit not made must still end the transaction. */
	if (store_fault_hit()) {
		ret = store_fault_ret;
		(void)t->txn->abort(t->txn);
	} else
		ret = t->txn->commit(t->txn, DB_TXN_NOSYNC);
	t->txn = NULL;
	if (ret != 0) {
		store_fail(t, ret, err, _("cannot write the index changes: "
		    "%s"), store_strerror(ret));
		goto out;
	}
	r = 0;
out:
	if (t->txn != NULL) {
		(void)t->txn->abort(t->txn);
		t->txn = NULL;
	}
	queue_free(&t->ixq);
	queue_free(&t->words);
	return (r);
}

/* Delete the items numbered in seqs (written): 0 or an error. */
static int
items_delete(struct store *s, const uint64_t *seqs, size_t n)
{
	DB_TXN		*txn;
	unsigned char	 kb[8];
	DBT		 k;
	size_t		 i;
	int		 ret, tries;

	for (tries = 0; tries < 20; tries++) {
		if ((ret = s->env->txn_begin(s->env, NULL, &txn, 0)) != 0)
			return (ret);
		for (i = 0, ret = 0; i < n && ret == 0; i++) {
			store_id_key(kb, seqs[i]);
			store_dbt(&k, kb, 8);
			ret = s->pending->del(s->pending, txn, &k, 0);
			if (ret == DB_NOTFOUND)
				ret = 0;
		}
		if (ret == 0)
			return (txn->commit(txn, DB_TXN_NOSYNC));
		(void)txn->abort(txn);
		if (!store_is_deadlock(ret))
			return (ret);
		usleep(1000);
	}
	return (ret);
}

static void *
indexer(void *arg)
{
	struct store_defer *d = arg;
	struct store_txn t;
	struct ditem	*first, *last, *it, *next;
	struct buf	 err = BUF_INIT;
	uint64_t	 lim, *del = NULL;
	size_t		 bytes, ndel = 0, adel = 0, n;
	int		 r, ret, tries = 0;

	store_fault_exempt = 1;
	pthread_mutex_lock(&d->mtx);
	for (;;) {
		lim = flight_min(d);
		if (d->head == NULL || d->paused || d->head->seq >= lim) {
			if (d->stop && (d->head == NULL || d->paused))
				break;
			pthread_cond_wait(&d->work, &d->mtx);
			continue;
		}
		first = last = d->head;
		bytes = first->bytes;
		n = 1;
		while (last->next != NULL && last->next->seq < lim &&
		    bytes + last->next->bytes <= DEFER_BATCH) {
			last = last->next;
			bytes += last->bytes;
			n++;
		}
		d->taken = bytes;
		pthread_cond_broadcast(&d->done);
		pthread_mutex_unlock(&d->mtx);

		memset(&t, 0, sizeof(t));
		t.s = d->s;
		t.idem = 1;
		t.immediate = 1;
		buf_reset(&err);
		pthread_mutex_lock(&d->batch);
		r = batch_write(d, first, last, &t, &err);
		if (r == 0) {
			/* Their numbers, and any a failed delete left. */
			if (ndel + n > adel) {
				adel = 2 * (ndel + n);
				del = xreallocarray(del, adel, sizeof(*del));
			}
			for (it = first;; it = it->next) {
				del[ndel++] = it->seq;
				if (it == last)
					break;
			}
			if ((ret = items_delete(d->s, del, ndel)) == 0)
				ndel = 0;
			else
				log_warn(_("cannot delete the index changes "
				    "written: %s"), store_strerror(ret));
		}
		pthread_mutex_unlock(&d->batch);

		pthread_mutex_lock(&d->mtx);
		d->taken = 0;
		if (r == 0) {
			tries = 0;
			d->failed = 0;
			for (it = first;; it = next) {
				next = it->next;
				d->bytes -= it->bytes;
				d->written += it->q->n;
				queue_free(&it->q);
				if (it == last) {
					atomic_store(&d->applied, it->seq);
					free(it);
					break;
				}
				free(it);
			}
			d->head = next;
			if (d->head == NULL)
				d->tail = NULL;
			d->batches++;
			pthread_cond_broadcast(&d->done);
			continue;
		}
		if (!t.deadlocked) {
			d->failed = 1;
			snprintf(d->why, sizeof(d->why), "%s",
			    err.data != NULL ? err.data : "?");
			log_warn("%s", d->why);
			pthread_cond_broadcast(&d->done);
		}
		/* Again after a while: a deadlock at once, a failure
		 * (a full disk) after a second or more. */
		tries++;
		pthread_mutex_unlock(&d->mtx);
		if (t.deadlocked)
			usleep(1000 * (tries < 50 ? tries : 50));
		else
			sleep(tries < 5 ? 1 : 5);
		pthread_mutex_lock(&d->mtx);
		if (d->stop && !t.deadlocked && tries >= 3)
			break;	/* left in pending.db for the next open */
	}
	d->running = 0;
	pthread_cond_broadcast(&d->done);
	pthread_mutex_unlock(&d->mtx);
	if (ndel != 0) {
		pthread_mutex_lock(&d->batch);
		(void)items_delete(d->s, del, ndel);
		pthread_mutex_unlock(&d->batch);
	}
	free(del);
	buf_release(&err);
	return (NULL);
}

/* Open and close. */

int
defer_open(struct store *s, DB_TXN *txn, struct buf *err)
{
	return (store_db_open(s, txn, &s->pending, "pending.db", 0, 0, err));
}

/*
 * After the tables: read back the items a crash left and start the
 * indexer (unless the store writes its indexes at once).
 */
int
defer_start(struct store *s, int now, struct buf *err)
{
	struct store_defer *d;
	struct ditem	*it;
	DB_TXN		*txn = NULL;
	DBC		*c = NULL;
	DBT		 k, v;
	int		 ret;

	d = xcalloc(1, sizeof(*d));
	d->s = s;
	d->next = 1;
	pthread_mutex_init(&d->mtx, NULL);
	pthread_mutex_init(&d->batch, NULL);
	pthread_cond_init(&d->work, NULL);
	pthread_cond_init(&d->done, NULL);
	s->defer = d;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.flags = v.flags = DB_DBT_REALLOC;
	if ((ret = DBCALL(s->env->txn_begin(s->env, NULL, &txn, 0))) != 0 ||
	    (ret = DBCALL(s->pending->cursor(s->pending, txn, &c, 0))) != 0)
		goto fail;
	while ((ret = DBCALL(c->get(c, &k, &v, DB_NEXT))) == 0) {
		it = xcalloc(1, sizeof(*it));
		it->seq = k.size == 8 ? store_id_unkey(k.data) : 0;
		it->q = xmalloc(sizeof(*it->q));
		queue_init(it->q);
		if (it->seq == 0 || item_decode(s, v.data, v.size,
		    it->q) == -1) {
			queue_free(&it->q);
			free(it);
			ret = EBADMSG;
			goto fail;
		}
		queue_sort(it->q);
		it->bytes = queue_bytes(it->q);
		if (d->tail != NULL)
			d->tail->next = it;
		else
			d->head = it;
		d->tail = it;
		d->bytes += it->bytes;
		d->next = it->seq + 1;
		atomic_store(&d->committed, it->seq);
	}
	if (ret != DB_NOTFOUND)
		goto fail;
	ret = DBCLOSE(c->close(c));
	c = NULL;
	if (ret == 0)
		ret = DBCALL(txn->commit(txn, 0));
	txn = NULL;
	if (ret != 0)
		goto fail;
	free(k.data);
	free(v.data);
	d->running = 1;
	if (pthread_create(&d->thread, NULL, indexer, d) != 0)
		fatal("pthread_create failed");
	(void)pthread_setname_np(d->thread, "clerk-indexer");
	if (now) {
		/* Only what a crash left, then at once as before. */
		if (defer_settle(s, err) == -1)
			return (-1);
		defer_stop(s);
	}
	return (0);
fail:
	free(k.data);
	free(v.data);
	if (c != NULL)
		(void)DBCLOSE(c->close(c));
	if (txn != NULL)
		(void)DBCLOSE(txn->abort(txn));
	if (ret == EBADMSG)
		return (buf_error(err, _("the pending index changes "
		    "(pending.db) are damaged; run clerk admin verify")));
	return (store_fail(NULL, ret, err, _("cannot read the pending index "
	    "changes: %s"), store_strerror(ret)));
}

/* Write what is pending (unless the indexer is failing), then stop. */
void
defer_stop(struct store *s)
{
	struct store_defer *d = s->defer;
	struct ditem	*it;

	if (d == NULL)
		return;
	if (d->running) {
		pthread_mutex_lock(&d->mtx);
		d->stop = 1;
		d->paused = 0;
		pthread_cond_signal(&d->work);
		pthread_mutex_unlock(&d->mtx);
		pthread_join(d->thread, NULL);
	}
	while ((it = d->head) != NULL) {
		d->head = it->next;
		queue_free(&it->q);
		free(it);
	}
	free(d->flight);
	pthread_cond_destroy(&d->work);
	pthread_cond_destroy(&d->done);
	pthread_mutex_destroy(&d->mtx);
	pthread_mutex_destroy(&d->batch);
	free(d);
	s->defer = NULL;
}

/* Keep the indexer from writing (on), or let it again: compaction's. */
void
defer_hold(struct store *s, int on)
{
	struct store_defer *d = s->defer;

	if (d == NULL)
		return;
	if (on)
		pthread_mutex_lock(&d->batch);
	else
		pthread_mutex_unlock(&d->batch);
}

void
store_defer_pause(struct store *s, int on)
{
	struct store_defer *d = s->defer;

	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mtx);
	d->paused = on;
	pthread_cond_signal(&d->work);
	pthread_cond_broadcast(&d->done);
	pthread_mutex_unlock(&d->mtx);
}

int
store_settle(struct store *s, struct buf *err)
{
	return (defer_settle(s, err));
}

void
store_defer_stats(struct store *s, uint64_t *pending, uint64_t *batches,
    uint64_t *written)
{
	struct store_defer *d = s->defer;
	struct ditem	*it;

	*pending = *batches = *written = 0;
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mtx);
	for (it = d->head; it != NULL; it = it->next)
		(*pending)++;
	*batches = d->batches;
	*written = d->written;
	pthread_mutex_unlock(&d->mtx);
}
