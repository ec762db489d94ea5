/*
 * page-order.c: the order of a list's sort index kept in memory for
 * the "page" verb's searches (struct page_order), with the thread that
 * reads it and the placing of a search's matches by it
 * (page_search_order); what the server's caches of lists share (struct
 * page_cached in page_int.h, page_order_lock, the count of their reading
 * threads); the ids the store's change journal says were written
 * (page_dirty); and cmd_page_stop(), which ends them all before the
 * store closes.  Must not print or change anything, nor hold a
 * transaction longer than a slice of its reading.
 *
 * The order of a list in memory.  The matches of a search may lie far
 * from the cursor in the list's order, in a few clusters (the "Ор" of
 * 1,000,000 parties by name: 6,984 matches, the nearest 200,000 entries
 * of the index away): walking the index to them cost up to 180 ms, and
 * loading them all 25.  With every id's position in the sort index
 * known (struct page_order), each match is placed by an array lookup:
 * the rows after (or before) the cursor come from the ids alone,
 * wherever they lie and however many they are (~1 ms for 500,000).
 *
 * The order is read from the index keys only, by a thread of the server
 * started at the first call of a list in that order, in slices of
 * PAGE_ORDER_SLICE_NS, each its own read-only transaction (100-250 ns
 * an entry: 1,000,000 entries in 0.1-0.25 s); until it is whole a
 * search goes the older way (page_search_walk, page_search_small).  It
 * stays right across writes: it remembers the store's change journal
 * number at which its reading began (store_journal_seq), and the ids
 * written since (store_journal_since) are "dirty": never placed from
 * it, but loaded and placed by their keys as they are now, beside the
 * clean matches placed from it (page_search_order).  Past
 * PAGE_ORDER_DIRTY of them, or when the journal cannot say, the order
 * is read again.  One order per table and index for the whole server,
 * shared by every connection (read-only when whole; a thread using it
 * holds a reference).  Ids must fit 32 bits (4 + 4 bytes an entry, the
 * arrays grown by doubling: 8-12 MB at 1,000,000).
 */
#include "config.h"

#include <sys/resource.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "page_int.h"

#define PAGE_ORDER_SLICE_NS	2000000
#define PAGE_ORDER_CLOCK	1024	/* entries between looks at it */
#define PAGE_ORDER_KEEP		4	/* orders kept, least used dropped */
/*
 * Ids written since the order was read that a search still places by
 * loading them: loading one costs 3-4 µs, so 2,000 cost less than a
 * rebuild's share and far less than the walk.
 */
#define PAGE_ORDER_DIRTY	2000
#define PAGE_ORDER_TRIES	3	/* page calls redone for commits */
#define PAGE_ORDER_WALK_MIN	1024	/* matches: below, place each */

struct page_order {
	struct page_order	*next;
	struct store		*store;
	const struct table	*table;
	char			*ix;
	uint64_t		 jseq;		/* journal, when reading began */
	uint32_t		*rank;		/* by id: place + 1, or 0 */
	size_t			 nrank;
	uint32_t		*order;		/* ids by position */
	size_t			 n, cap;
	struct buf		 last;		/* read up to (last, lastid) */
	uint64_t		 lastid;
	int			 complete;
	int			 building;	/* its thread reads it */
	int			 threaded;	/* a thread to join */
	pthread_t		 thread;
	int			 stop;		/* the server is closing */
	int			 stale;		/* too much written: again */
	int			 broken;	/* an id over 32 bits */
	int			 dropped;	/* freed by its last user */
	unsigned		 refs;
	uint64_t		 used;
};

pthread_mutex_t		 page_order_lock = PTHREAD_MUTEX_INITIALIZER;
static struct page_order *page_orders;
static uint64_t		 page_order_tick;
unsigned		 page_full_running;
pthread_cond_t		 page_full_done = PTHREAD_COND_INITIALIZER;

/* Unlink *cp; its last user frees it.  page_order_lock held. */
static void
page_cached_drop(struct page_cached **cp)
{
	struct page_cached	*c = *cp;

	*cp = c->next;
	if (c->refs > 0)
		c->dropped = 1;
	else
		c->free(c);
}

/* Taken for use; page_order_lock held. */
void
page_cached_use(struct page_cached *c)
{
	c->refs++;
	c->used = ++page_order_tick;
}

/* c on the list and taken for use; then, past keep of them, the least
 * used ones nobody uses go.  page_order_lock held. */
void
page_cached_add(struct page_cached **list, struct page_cached *c,
    size_t keep)
{
	struct page_cached	**cp, **lru;
	size_t			 k;

	c->next = *list;
	*list = c;
	page_cached_use(c);
	for (;;) {
		lru = NULL;
		k = 0;
		for (cp = list; *cp != NULL; cp = &(*cp)->next) {
			k++;
			if (*cp != c && (*cp)->refs == 0 && (lru == NULL ||
			    (*cp)->used < (*lru)->used))
				lru = cp;
		}
		if (k <= keep || lru == NULL)
			break;
		page_cached_drop(lru);
	}
}

void
page_cached_put(struct page_cached *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&page_order_lock);
	if (--c->refs == 0 && c->dropped)
		c->free(c);
	pthread_mutex_unlock(&page_order_lock);
}

int
page_cached_thread(struct page_cached *c, void *(*fn)(void *))
{
	pthread_attr_t	 attr;
	pthread_t	 thread;
	int		 r = 0;

	if (c->threaded)
		return (0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	c->refs++;
	page_full_running++;
	if (pthread_create(&thread, &attr, fn, c) == 0)
		c->threaded = 1;
	else {
		c->refs--;
		page_full_running--;
		r = -1;
	}
	pthread_attr_destroy(&attr);
	return (r);
}

void
page_cached_thread_done(struct page_cached *c)
{
	pthread_mutex_lock(&page_order_lock);
	c->threaded = 0;
	page_full_running--;
	pthread_cond_broadcast(&page_full_done);
	pthread_mutex_unlock(&page_order_lock);
	page_cached_put(c);
}

/* Every one of store s goes; page_order_lock held. */
void
page_cached_stop(struct page_cached **list, struct store *s)
{
	struct page_cached	**cp;

	for (cp = list; *cp != NULL; )
		if ((*cp)->store == s)
			page_cached_drop(cp);
		else
			cp = &(*cp)->next;
}

/* page_order_lock held; the thread, if any, is done. */
static void
page_order_free(struct page_order *o)
{
	if (o->threaded)
		pthread_join(o->thread, NULL);
	free(o->ix);
	free(o->rank);
	free(o->order);
	buf_release(&o->last);
	free(o);
}

/* Start again from nothing. */
static void
page_order_reset(struct page_order *o)
{
	size_t	i;

	for (i = 0; i < o->n; i++)
		o->rank[o->order[i]] = 0;
	o->n = 0;
	buf_reset(&o->last);
	o->lastid = 0;
	o->complete = o->broken = o->stale = 0;
}

/* The order of st's list, or NULL; page_order_lock held. */
static struct page_order **
page_order_find(struct page_state *st)
{
	struct page_order	**op;

	for (op = &page_orders; *op != NULL; op = &(*op)->next)
		if ((*op)->store == st->ctx->store &&
		    (*op)->table == st->table && strcmp((*op)->ix, st->ix) == 0)
			return (op);
	return (NULL);
}

/* Unlink *op; its last user frees it.  page_order_lock held, and its
 * thread done. */
static void
page_order_drop(struct page_order **op)
{
	struct page_order	*o = *op;

	*op = o->next;
	if (o->refs > 0)
		o->dropped = 1;
	else
		page_order_free(o);
}

struct page_slice {
	struct page_order	*o;
	size_t			 n0, seen;
	uint64_t		 start;
	struct buf		 key0;
	uint64_t		 id0;
	int			 end;
};

static int
page_slice_key(const void *key, size_t len, uint64_t id, void *arg)
{
	struct page_slice	*sl = arg;
	struct page_order	*o = sl->o;
	size_t			 nr;

	if (id >= UINT32_MAX) {
		o->broken = 1;
		return (1);
	}
	if (id >= o->nrank) {
		nr = o->nrank * 2 > id + 1 ? o->nrank * 2 : id + 1024;
		o->rank = xreallocarray(o->rank, nr, sizeof *o->rank);
		memset(o->rank + o->nrank, 0, (nr - o->nrank) *
		    sizeof *o->rank);
		o->nrank = nr;
	}
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 4096;
		o->order = xreallocarray(o->order, o->cap, sizeof *o->order);
	}
	/* An id written while the order is read may come twice: it is
	 * dirty, never placed from here. */
	o->order[o->n++] = (uint32_t)id;
	o->rank[id] = (uint32_t)o->n;
	if (++sl->seen % PAGE_ORDER_CLOCK != 0 ||
	    clock_monotonic_ns() - sl->start < PAGE_ORDER_SLICE_NS)
		return (0);
	/* Where the next slice goes on from. */
	buf_reset(&o->last);
	buf_add(&o->last, key, len);
	o->lastid = id;
	return (1);
}

static int
page_slice_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_slice	*sl = arg;
	struct page_order	*o = sl->o;
	int			 r;

	/* Tried again after a deadlock: from where this slice began. */
	while (o->n > sl->n0)
		o->rank[o->order[--o->n]] = 0;
	buf_reset(&o->last);
	buf_add(&o->last, sl->key0.data, sl->key0.len);
	o->lastid = sl->id0;
	sl->seen = 0;
	sl->start = clock_monotonic_ns();
	r = store_keys(txn, o->table, o->ix, o->n > 0 ? o->last.data : NULL,
	    o->last.len, o->lastid, 0, page_slice_key, sl, err);
	if (r < 0)
		return (-1);
	sl->end = r == 0;
	return (0);
}

/*
 * A thread reading a whole table for a sort, a filter or groups the
 * terminal waits for without holding its keys runs behind the calls
 * those keys make: on two cores, with other work about, a page of 50
 * beside such a read waited 30 ms.  A niceness of its own (Linux gives
 * each thread one) lets the calls go first.  Not the reading of a
 * search's order (page_order_build): the searches typed meanwhile need
 * it soon, and starved behind a stream of keys it was not read by the
 * third search of the TUI benchmark ("См" then took 227 ms, not 5).
 */
void
page_background(void)
{
#ifdef __linux__
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
#endif
}

/*
 * The thread that reads an order, a slice a transaction, so that no
 * transaction is held long and writers wait for none.  Only it touches
 * the order's arrays until it says the order is whole.
 */
static void *
page_order_build(void *arg)
{
	struct page_order	*o = arg;
	struct page_slice	 sl;
	struct buf		 err = BUF_INIT;
	int			 r = 0, stop = 0;

	memset(&sl, 0, sizeof sl);
	sl.o = o;
	buf_init(&sl.key0);
	/* Before any reading: a write after it is in the journal. */
	o->jseq = store_journal_seq(o->store);
	while (!stop && !sl.end && !o->broken) {
		sl.n0 = o->n;
		buf_reset(&sl.key0);
		buf_add(&sl.key0, o->last.data, o->last.len);
		sl.id0 = o->lastid;
		if ((r = store_txn_run(o->store, STORE_TXN_READONLY,
		    page_slice_txn, &sl, &err)) != 0)
			break;
		pthread_mutex_lock(&page_order_lock);
		stop = o->stop;
		pthread_mutex_unlock(&page_order_lock);
	}
	pthread_mutex_lock(&page_order_lock);
	if (r == 0 && !stop && sl.end && !o->broken)
		o->complete = 1;
	else if (!o->broken)
		page_order_reset(o);
	o->building = 0;
	pthread_mutex_unlock(&page_order_lock);
	buf_release(&sl.key0);
	buf_release(&err);
	return (NULL);
}

/*
 * The order of st's list is read by a thread of its own unless it is
 * whole and right, or being read.  Cheap when there is nothing to do.
 */
void
page_order_start(struct page_state *st)
{
	struct page_order	**op, *o, **lrup;
	size_t			 k;

	pthread_mutex_lock(&page_order_lock);
	o = (op = page_order_find(st)) != NULL ? *op : NULL;
	if (o != NULL && (o->building || o->stop ||
	    (!o->stale && (o->complete || o->broken)))) {
		pthread_mutex_unlock(&page_order_lock);
		return;
	}
	if (o != NULL && o->complete) {
		/* Too much written: read again, beside it while used. */
		page_order_drop(op);
		o = NULL;
	}
	if (o == NULL) {
		o = xcalloc(1, sizeof *o);
		o->store = st->ctx->store;
		o->table = st->table;
		o->ix = xstrdup(st->ix);
		buf_init(&o->last);
		o->next = page_orders;
		page_orders = o;
		/* Too many: the least used one nobody reads goes. */
		for (;;) {
			lrup = NULL;
			k = 0;
			for (op = &page_orders; *op != NULL;
			    op = &(*op)->next) {
				k++;
				if (*op != o && !(*op)->building &&
				    (lrup == NULL ||
				    (*op)->used < (*lrup)->used))
					lrup = op;
			}
			if (k <= PAGE_ORDER_KEEP || lrup == NULL)
				break;
			page_order_drop(lrup);
		}
	}
	if (o->threaded) {
		/* The last reading ended (it failed): done with. */
		pthread_join(o->thread, NULL);
		o->threaded = 0;
	}
	page_order_reset(o);
	o->used = ++page_order_tick;
	o->building = 1;
	if (pthread_create(&o->thread, NULL, page_order_build, o) == 0)
		o->threaded = 1;
	else
		o->building = 0;
	pthread_mutex_unlock(&page_order_lock);
}

/* The whole order of st's list (a reference), or NULL. */
struct page_order *
page_order_use(struct page_state *st)
{
	struct page_order	**op, *o = NULL;

	pthread_mutex_lock(&page_order_lock);
	if ((op = page_order_find(st)) != NULL && (*op)->complete &&
	    !(*op)->broken && !(*op)->stale) {
		o = *op;
		o->refs++;
		o->used = ++page_order_tick;
	}
	pthread_mutex_unlock(&page_order_lock);
	return (o);
}

void
page_order_release(struct page_order *o)
{
	if (o == NULL)
		return;
	pthread_mutex_lock(&page_order_lock);
	if (--o->refs == 0 && o->dropped)
		page_order_free(o);
	pthread_mutex_unlock(&page_order_lock);
}

/* Too much written since o was read: read it again, and not used. */
static void
page_order_stale(struct page_state *st, struct page_order *o)
{
	pthread_mutex_lock(&page_order_lock);
	o->stale = 1;
	pthread_mutex_unlock(&page_order_lock);
	page_order_start(st);
}

void
cmd_page_stop(struct store *s)
{
	struct page_order	**op, *o;
	pthread_t		*threads;
	size_t			 n = 0, i;

	/* Told to stop, then waited for outside the lock they take. */
	pthread_mutex_lock(&page_order_lock);
	for (o = page_orders; o != NULL; o = o->next)
		n++;
	threads = xcalloc(n ? n : 1, sizeof *threads);
	n = 0;
	for (o = page_orders; o != NULL; o = o->next)
		if (o->store == s && o->threaded) {
			o->stop = 1;
			o->threaded = 0;
			threads[n++] = o->thread;
		}
	pthread_mutex_unlock(&page_order_lock);
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_lock(&page_order_lock);
	for (op = &page_orders; *op != NULL; )
		if ((*op)->store == s)
			page_order_drop(op);
		else
			op = &(*op)->next;
	page_full_stop(s);
	page_where_stop(s);
	page_group_stop(s);
	pthread_mutex_unlock(&page_order_lock);
}

/* id among n ascending ids (the dirty ones, or the matches)? */
int
page_has(const uint64_t *v, size_t n, uint64_t id)
{
	return (ids_find(v, n, id) != SIZE_MAX);
}

int
page_u64_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * The ids of table t written by the commits after seq, ascending, each
 * once (at most max, into ids); 1 when the journal cannot say, and the
 * cache that asks is to be read again.
 */
int
page_dirty(struct store *s, const struct table *t, uint64_t seq,
    uint64_t *ids, size_t max, size_t *n)
{
	size_t	i, j;

	if (store_journal_since(s, t, seq, ids, max, n) != 0)
		return (1);
	qsort(ids, *n, sizeof *ids, page_u64_cmp);
	for (i = j = 0; i < *n; i++)
		if (j == 0 || ids[j - 1] != ids[i])
			ids[j++] = ids[i];
	*n = j;
	return (0);
}

/* Where the position falls among the clean entries of the index. */
struct page_place {
	struct page_state	*st;
	const struct page_order	*o;
	const uint64_t		*dirty;
	size_t			 ndirty;
	size_t			 lt, le;	/* entries < and <= it */
	struct buf		 key;
};

/* The key of entry i in the index: its record's.  1 if gone. */
static int
page_entry_key(struct page_place *pl, struct store_txn *txn, size_t i,
    struct buf *err)
{
	struct record	*rec;
	int		 r;

	r = access_get(pl->st->ctx->session, txn, pl->st->table,
	    pl->o->order[i], &rec, err);
	if (r != 0)
		return (r);
	page_key_of(pl->st, rec, &pl->key);
	record_free(rec);
	return (0);
}

/* The first clean entry in [i, end), or end. */
static size_t
page_clean(const struct page_place *pl, size_t i, size_t end)
{
	while (i < end && page_has(pl->dirty, pl->ndirty,
	    pl->o->order[i]))
		i++;
	return (i);
}

/*
 * A binary search over the clean entries only: a dirty one's place in
 * the order is not its record's now, and no match is placed there.
 */
static int
page_place_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_place	*pl = arg;
	struct page_state	*st = pl->st;
	struct page_state	 asc;
	size_t			 lo = 0, hi = pl->o->n, mid, m;
	int			 r;

	/* (key, id) in the index's own (ascending) order. */
	memset(&asc, 0, sizeof asc);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((m = page_clean(pl, mid, hi)) == hi) {
			hi = mid;
			continue;
		}
		if ((r = page_entry_key(pl, txn, m, err)) != 0)
			return (r);
		if (page_cmp(&asc, pl->key.data, pl->key.len,
		    pl->o->order[m], st->at.key.data, st->at.key.len,
		    st->at.id) < 0)
			lo = m + 1;
		else
			hi = mid;
	}
	pl->lt = pl->le = lo;
	m = page_clean(pl, lo, pl->o->n);
	if (m < pl->o->n && pl->o->order[m] == st->at.id) {
		if ((r = page_entry_key(pl, txn, m, err)) != 0)
			return (r);
		if (pl->key.len == st->at.key.len && memcmp(pl->key.data,
		    st->at.key.data, pl->key.len) == 0)
			pl->le = m + 1;
	}
	return (0);
}

/*
 * The want nearest clean matches by walking the order from the cut and
 * looking each id up among the matches (ascending: a binary search; a
 * bit set of them cost more to make than the walk, ~1 ms for 500,000).
 * When matches are dense (a first letter: 400,000 of 900,000 contacts)
 * a few dozen entries do
 * instead of a look-up of every match's place (random reads over an 8
 * MB array: 5-10 ms at 1,000,000).  Returns 1 with the answer in
 * sel/nsel (places and ids), 0 when it is not worth it or the budget
 * (half as many steps as there are matches) ran out, or when the order
 * ended before the rows with no key, which it does not hold.
 */
static int
page_order_walk(struct page_state *st, const struct page_order *o,
    uint64_t cut, int backward, const uint64_t *dirty, size_t ndirty,
    uint64_t *sel, size_t want, size_t *nsel)
{
	uint64_t	n = o->n, l = cut, pos, id, steps = 0;

	*nsel = 0;
	if (st->nids < PAGE_ORDER_WALK_MIN ||
	    (uint64_t)want * (n / st->nids + 1) * 4 > st->nids)
		return (0);
	if (backward ? cut > n : cut >= n)
		return (0);
	for (;;) {
		if (backward) {
			if (l == 0)
				return (1);	/* every place below the cut */
			l--;
		} else if (l >= n)
			return (st->required);
		pos = st->desc ? n - l - 1 : l;
		id = o->order[pos];
		if (page_has(st->ids, st->nids, id) &&
		    !page_has(dirty, ndirty, id)) {
			sel[2 * *nsel] = l;
			sel[2 * *nsel + 1] = id;
			if (++*nsel == want)
				return (1);
		}
		if (!backward)
			l++;
		if (++steps > st->nids / 2)
			return (0);
	}
}

/*
 * A search placed by the order o: each clean match gets its place in
 * the list (index rows by position, those with no key after them by
 * id, either way round with the list), and the limit + 1 nearest past
 * the position in the way asked are loaded with every dirty match, and
 * the rows are the nearest of them by their keys as read
 * (page_search_ids), as page_search_walk() would find them.  seq is the
 * journal's number read before the search's matches were: a commit
 * after it may have been seen by this call's transactions, so when the
 * number has moved at the end it is all done again with the ids it
 * wrote dirty too.  1 if the order cannot say (a record gone, too much
 * written): the older way.
 */
int
page_search_order(struct page_state *st, struct page_order *o, uint64_t seq,
    int backward, size_t limit, struct page_row **rowsp, size_t *nrows,
    int *more, struct buf *err)
{
	struct page_place	 pl;
	uint64_t		*sel, *dirty, *take, n = o->n, big = UINT32_MAX;
	uint64_t		 cut, p, l, seq2;
	size_t			 i, j, d, nsel, ndirty, ntake, want = limit + 1;
	size_t			 tries;
	uint32_t		 rk;
	int			 r = 1;

	dirty = xcalloc(PAGE_ORDER_DIRTY, sizeof *dirty);
	sel = xcalloc(want * 2, sizeof *sel);
	take = xcalloc(want + PAGE_ORDER_DIRTY, sizeof *take);
	for (tries = 0; tries < PAGE_ORDER_TRIES; tries++) {
		if (page_dirty(st->ctx->store, st->table, o->jseq, dirty,
		    PAGE_ORDER_DIRTY, &ndirty) != 0) {
			page_order_stale(st, o);
			r = 1;
			break;
		}

		/* Forward the places >= cut are taken, backward < cut. */
		if (!st->at.set)
			cut = backward ? UINT64_MAX : 0;
		else if (st->at.key.len == 0 && !st->required) {
			/* Among the rows with no key, by id. */
			p = st->at.id < big ? st->at.id : big;
			if (!st->desc)
				cut = backward ? n + p : n + p + 1;
			else
				cut = backward ? n + big - p : n + big - p + 1;
		} else {
			memset(&pl, 0, sizeof pl);
			pl.st = st;
			pl.o = o;
			pl.dirty = dirty;
			pl.ndirty = ndirty;
			buf_init(&pl.key);
			r = store_txn_run(st->ctx->store, STORE_TXN_READONLY,
			    page_place_txn, &pl, err);
			buf_release(&pl.key);
			if (r != 0)
				break;
			if (!st->desc)
				cut = backward ? pl.lt : pl.le;
			else
				cut = backward ? n - pl.le : n - pl.lt;
		}

		/* The want nearest clean ones, kept in ascending place;
		 * every dirty one (both lists ascend: a merge). */
		nsel = ntake = d = 0;
		if (page_order_walk(st, o, cut, backward, dirty, ndirty, sel,
		    want, &nsel)) {
			for (d = 0; d < ndirty; d++)
				if (page_has(st->ids, st->nids, dirty[d]))
					take[ntake++] = dirty[d];
		} else for (nsel = 0, i = 0; i < st->nids; i++) {
			while (d < ndirty && dirty[d] < st->ids[i])
				d++;
			if (d < ndirty && dirty[d] == st->ids[i]) {
				take[ntake++] = st->ids[i];
				continue;
			}
			rk = st->ids[i] < o->nrank ? o->rank[st->ids[i]] : 0;
			if (rk != 0)
				l = st->desc ? n - rk : (uint64_t)rk - 1;
			else if (st->required)
				continue;
			else
				l = st->desc ? n + big - st->ids[i] :
				    n + st->ids[i];
			if (backward ? l >= cut : l < cut)
				continue;
			if (nsel == want && (backward ? l < sel[0] :
			    l > sel[2 * (nsel - 1)]))
				continue;
			if (nsel == want && backward) {
				memmove(sel, sel + 2, (nsel - 1) * 2 *
				    sizeof *sel);
				nsel--;
			} else if (nsel == want)
				nsel--;
			for (j = nsel; j > 0 && sel[2 * (j - 1)] > l; j--) {
				sel[2 * j] = sel[2 * (j - 1)];
				sel[2 * j + 1] = sel[2 * (j - 1) + 1];
			}
			sel[2 * j] = l;
			sel[2 * j + 1] = st->ids[i];
			nsel++;
		}
		for (i = 0; i < nsel; i++)
			take[ntake++] = sel[2 * i + 1];
		qsort(take, ntake, sizeof *take, page_u64_cmp);
		if ((r = page_search_ids(st, take, ntake, backward, limit,
		    rowsp, nrows, more, err)) != 0)
			break;
		/* Nothing committed since seq: every write this call's
		 * transactions saw is among the dirty. */
		if ((seq2 = store_journal_seq(st->ctx->store)) == seq)
			break;
		seq = seq2;
		page_rows_free(*rowsp, *nrows);
		*rowsp = NULL;
		*nrows = 0;
		r = 1;
	}
	free(take);
	free(sel);
	free(dirty);
	return (r);
}
