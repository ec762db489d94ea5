/*
 * ahead.c: records by id looked up by two threads at once, for
 * store_fetch_each() on many ids and store_page_each() on many entries,
 * in a read-only transaction.  A lookup costs some 6,000 instructions of
 * Berkeley DB's and what the caller does with the record a third of
 * that, so on a machine with a second processor a helper thread looks
 * up blocks of the ids ahead of the caller and copies their records
 * aside, while the caller takes the blocks in order: it looks up itself
 * the block it has come to when the helper has not begun it (handing
 * the records on with no copy), takes the helper's copies when they are
 * done, and while it waits for one it fills the next block nobody has.
 * fn is only ever called in the caller's thread, in the order of the
 * ids, as without the helper.
 *
 * The helper reads in a transaction of its own, read-committed: each
 * record is read whole and committed, as the caller's lookups give
 * them.  (A page walk's own lookups keep their locks to the end of the
 * chunk's transaction; the helper's do not, which no reader of the
 * records once each can tell.)  The helper never waits, so no wait of
 * the caller's for it can close a circle of waits Berkeley DB cannot
 * see (the helper's for a writer, the writer's for a lock the caller
 * holds): it begins only when the gate is free at once, and its
 * transaction is DB_TXN_NOWAIT.  A lock it cannot have, or any other
 * failure, hands its block back and ends it; the caller then looks
 * those ids up itself, so a failure of the helper's costs time only.
 * Nor does the caller wait long for a helper that has lost its
 * processor to another program: after AHEAD_STEAL it reads the block
 * itself, and it returns without waiting for the helper to finish.
 * Never prints, never writes.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

#define AHEAD_BLOCK	32	/* ids a thread claims at a time */
#define NO_RECORD	UINT32_MAX	/* archived and not asked for */
#define MISSING		(UINT32_MAX - 1)	/* no record of the id */
#define AHEAD_SPIN	(200 * 1000)	/* ns the helper waits awake */
/* ns the caller waits for a block the helper has, before it reads the
 * block itself (a helper without a processor would hold it up): about
 * what a small block's lookups take. */
#define AHEAD_STEAL	(5 * 1000)

/* A block's state: whose it is, and whether its records are there. */
enum {
	B_FREE,			/* nobody's yet */
	B_HELPER,		/* the helper's, being read */
	B_MAIN,			/* the caller's */
	B_DONE,			/* read: records in bytes */
	B_BACK			/* the helper gave it back */
};

struct ablock {
	atomic_int	 state;
	struct buf	 bytes;		/* the records, one after another */
	uint32_t	 len[AHEAD_BLOCK];	/* each one's, or NO_RECORD */
};

struct ahead {
	struct store	*s;
	struct store_table *st;
	const uint64_t	*ids;
	size_t		 n, nb;
	size_t		 block;		/* ids a block, AHEAD_BLOCK at most */
	int		 flags;
	struct ablock	*b;
	atomic_int	 quit;		/* the caller is done: stop */
};

/*
 * The helper thread of a store, started on first use and kept, with
 * its blocks (their buffers kept too): a thread and its buffers made
 * for every chunk of a query cost more than a tenth of what it saved.
 * One caller at a time has it (busy, from the caller's start to the
 * helper's end of the job, which may come after the caller has
 * returned: the job, a copy of its ids included, is the helper's own,
 * so the caller never waits for a helper that has lost its processor);
 * another caller meanwhile looks its ids up alone.
 */
struct store_ahead {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	pthread_t	 th;
	int		 started;
	int		 stop;		/* store_close(): end the thread */
	struct ahead	*_Atomic job;	/* to take up; NULL: none */
	atomic_int	 busy;
	struct ahead	 a;		/* the job */
	uint64_t	*ids;		/* its ids */
	size_t		 aids;
	struct ablock	*b;
	size_t		 nb;		/* blocks made */
};

static atomic_int	ahead_mode;	/* store_set_fetch_ahead() */

void
store_set_fetch_ahead(int mode)
{
	atomic_store(&ahead_mode, mode);
}

int
store_fetch_ahead_fits(const struct store_txn *t, size_t n, size_t min)
{
	int	mode = atomic_load(&ahead_mode);

	/* A transaction that wrote must read its own writes, which
	 * another transaction would wait for. */
	if (mode < 0 || t->txn == NULL || !(t->flags & STORE_TXN_READONLY) ||
	    t->wrote)
		return (0);
	if (mode > 0)
		return (n > 1);
	return (store_ncpu() > 1 && n >= min);
}

/*
 * Look up ids[from, to) through c (a lookup cursor), each record to
 * fn(i, bytes, len, arg), data NULL for an id without a record (0 is
 * never one: key 0 is the record count, rec.c); archived records are
 * passed over unless flags has STORE_PAGE_ARCHIVED.  0 or a Berkeley
 * DB error; *stopped when fn returned non-zero.
 */
int
store_ahead_ids(struct store_txn *t, struct store_table *st, DBC *c, DBT *d,
    const uint64_t *ids, size_t from, size_t to, int flags,
    store_ahead_fn *fn, void *arg, int *stopped)
{
	const unsigned char *p;
	size_t		 i;
	int		 ret;

	for (i = from; i < to; i++) {
		if (ids[i] == 0)
			ret = DB_NOTFOUND;
		else
			ret = rcache_read(t, st, c, ids[i], d);
		if (ret == DB_NOTFOUND) {
			if (fn(i, NULL, 0, arg) != 0) {
				*stopped = 1;
				return (0);
			}
			continue;
		}
		if (ret != 0)
			return (ret);
		p = d->data;
		if (d->size > 1 && (p[1] & REC_ARCHIVED) &&
		    !(flags & STORE_PAGE_ARCHIVED))
			continue;
		if (fn(i, d->data, d->size, arg) != 0) {
			*stopped = 1;
			return (0);
		}
	}
	return (0);
}

/* store_ahead_ids()'s hand-on for ahead_fill(): a record copied into
 * the block. */
struct fill_arg {
	struct ablock	*b;
	size_t		 from;
};

static int
fill_one(size_t i, const void *data, size_t len, void *arg)
{
	struct fill_arg	*fa = arg;

	if (data == NULL) {
		fa->b->len[i - fa->from] = MISSING;
		return (0);
	}
	buf_add(&fa->b->bytes, data, len);
	fa->b->len[i - fa->from] = (uint32_t)len;
	return (0);
}

/* Block bi's records copied into it, through c.  0 or an error. */
static int
ahead_fill(struct ahead *a, struct store_txn *t, DBC *c, DBT *d, size_t bi)
{
	struct fill_arg	 fa = { &a->b[bi], bi * a->block };
	size_t		 i, to;
	int		 stopped = 0;

	to = fa.from + a->block < a->n ? fa.from + a->block : a->n;
	buf_reset(&fa.b->bytes);
	/* Archived records passed over stay NO_RECORD. */
	for (i = fa.from; i < to; i++)
		fa.b->len[i - fa.from] = NO_RECORD;
	return (store_ahead_ids(t, a->st, c, d, a->ids, fa.from, to, a->flags,
	    fill_one, &fa, &stopped));
}

/* The helper's part of a job: blocks from the second on, in order,
 * while it may. */
static void
ahead_help(struct ahead *a)
{
	struct store	*s = a->s;
	struct store_txn t;
	DB_TXN		*txn = NULL;
	DBC		*c = NULL;
	DBT		 d;
	size_t		 bi;
	int		 ret, want;

	if (pthread_rwlock_tryrdlock(&s->gate) != 0)
		return;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	ret = DBCALL(s->env->txn_begin(s->env, NULL, &txn,
	    DB_READ_COMMITTED | DB_TXN_NOWAIT));
	/* Read-only, committed data only: it may use the records read
	 * lately (rcache.c). */
	memset(&t, 0, sizeof(t));
	t.s = s;
	t.txn = txn;
	t.flags = STORE_TXN_READONLY;
	if (ret == 0)
		ret = store_lookup_cursor(&t, a->st, &c, DB_READ_COMMITTED);
	for (bi = 1; ret == 0 && bi < a->nb && !atomic_load(&a->quit);
	    bi++) {
		want = B_FREE;
		if (!atomic_compare_exchange_strong(&a->b[bi].state, &want,
		    B_HELPER))
			continue;
		ret = ahead_fill(a, &t, c, &d, bi);
		/* (Unless the caller took the block over meanwhile.) */
		want = B_HELPER;
		atomic_compare_exchange_strong(&a->b[bi].state, &want,
		    ret == 0 ? B_DONE : B_BACK);
	}
	if (c != NULL)
		(void)DBCLOSE(c->close(c));
	if (txn != NULL)
		(void)DBCLOSE(txn->commit(txn, 0));
	pthread_rwlock_unlock(&s->gate);
	free(d.data);
}

/*
 * Between jobs the helper keeps its processor a while (AHEAD_SPIN) for
 * the next: a query's chunks come one after another, and a thread woken
 * from sleep is put on the processor of the one that woke it, the
 * caller's, where the two then take turns instead of running together
 * (measured: the caller ended up doing most blocks itself, and slower
 * than alone).  Called with the lock held; returns with it held.
 */
static void
ahead_spin(struct store_ahead *w)
{
	uint64_t	until;
	unsigned	i;

	if (w->job != NULL || w->stop)
		return;
	pthread_mutex_unlock(&w->lock);
	until = clock_monotonic_ns() + AHEAD_SPIN;
	for (i = 1; atomic_load_explicit(&w->job, memory_order_relaxed) ==
	    NULL; i++)
		if (i % 64 == 0 && clock_monotonic_ns() > until)
			break;
	pthread_mutex_lock(&w->lock);
}

/* The helper thread: a job at a time, until the store closes. */
static void *
ahead_main(void *arg)
{
	struct store_ahead *w = arg;
	struct ahead	*a;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		ahead_spin(w);
		while (w->job == NULL && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		a = w->job;
		w->job = NULL;
		pthread_mutex_unlock(&w->lock);
		ahead_help(a);
		atomic_store(&w->busy, 0);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return (NULL);
}

void
store_ahead_init(struct store *s)
{
	struct store_ahead *w;

	w = xcalloc(1, sizeof(*w));
	if (pthread_mutex_init(&w->lock, NULL) != 0 ||
	    pthread_cond_init(&w->cond, NULL) != 0)
		fatal("pthread_mutex_init failed");
	atomic_init(&w->busy, 0);
	s->ahead = w;
}

void
store_ahead_free(struct store *s)
{
	struct store_ahead *w = s->ahead;
	size_t		 i;

	if (w == NULL)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->th, NULL);
	}
	for (i = 0; i < w->nb; i++)
		buf_release(&w->b[i].bytes);
	free(w->b);
	free(w->ids);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
	s->ahead = NULL;
}

/* Give the job to the helper (started now the first time): 0, or -1
 * when there is no helper to be had. */
static int
ahead_start(struct store_ahead *w, struct ahead *a)
{
	int	r = 0;

	pthread_mutex_lock(&w->lock);
	if (!w->started) {
		if (pthread_create(&w->th, NULL, ahead_main, w) == 0)
			w->started = 1;
		else
			r = -1;
	}
	if (r == 0) {
		w->job = a;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return (r);
}

/* The caller is done: the job taken back if the helper has not taken
 * it up (or there was no helper), else the helper ends it (and then
 * frees the helper for the next caller). */
static void
ahead_end(struct store_ahead *w, struct ahead *a, int helping)
{
	atomic_store(&a->quit, 1);
	pthread_mutex_lock(&w->lock);
	if (!helping || w->job == a) {
		w->job = NULL;
		atomic_store(&w->busy, 0);
	}
	pthread_mutex_unlock(&w->lock);
}

/* Hand a done block's records to fn, in order. */
static void
ahead_give(struct ahead *a, size_t bi, store_ahead_fn *fn, void *arg,
    int *stopped)
{
	struct ablock	*b = &a->b[bi];
	size_t		 from = bi * a->block, i, off = 0;

	for (i = from; i < a->n && i < from + a->block; i++) {
		if (b->len[i - from] == NO_RECORD)
			continue;
		if (b->len[i - from] == MISSING) {
			if (fn(i, NULL, 0, arg) != 0) {
				*stopped = 1;
				return;
			}
			continue;
		}
		if (fn(i, b->bytes.data + off, b->len[i - from],
		    arg) != 0) {
			*stopped = 1;
			return;
		}
		off += b->len[i - from];
	}
}

int
store_ahead_run(struct store_txn *t, struct store_table *st, DBC *c,
    DBT *d, const uint64_t *ids, size_t n, size_t block, int flags,
    store_ahead_fn *fn, void *arg, int *stopped)
{
	struct store_ahead *w = t->s->ahead;
	struct ahead	*a;
	uint64_t	 waited = 0;
	size_t		 bi, near, i;
	int		 helping, ret = 0, state;

	if (block == 0 || block > AHEAD_BLOCK)
		block = AHEAD_BLOCK;
	if (w == NULL || atomic_exchange(&w->busy, 1) != 0)
		return (store_ahead_ids(t, st, c, d, ids, 0, n, flags, fn,
		    arg, stopped));
	a = &w->a;
	memset(a, 0, sizeof(*a));
	a->s = t->s;
	a->st = st;
	if (n > w->aids) {
		w->ids = xreallocarray(w->ids, n, sizeof(*w->ids));
		w->aids = n;
	}
	memcpy(w->ids, ids, n * sizeof(*ids));
	a->ids = w->ids;
	a->n = n;
	a->block = block;
	a->nb = (n + block - 1) / block;
	a->flags = flags;
	if (a->nb > w->nb) {
		w->b = xreallocarray(w->b, a->nb, sizeof(*w->b));
		for (i = w->nb; i < a->nb; i++)
			buf_init(&w->b[i].bytes);
		w->nb = a->nb;
	}
	a->b = w->b;
	for (i = 0; i < a->nb; i++)
		atomic_init(&a->b[i].state, B_FREE);
	atomic_init(&a->quit, 0);
	/* The first block is the caller's: the helper is still waking. */
	atomic_store(&a->b[0].state, B_MAIN);
	helping = ahead_start(w, a) == 0;
	for (bi = 0; bi < a->nb && ret == 0 && !*stopped;) {
		state = atomic_load_explicit(&a->b[bi].state,
		    memory_order_acquire);
		if (state == B_DONE) {
			ahead_give(a, bi++, fn, arg, stopped);
			waited = 0;
			continue;
		}
		if (bi == 0 || ((state == B_FREE || state == B_BACK ||
		    (state == B_HELPER && waited != 0 &&
		    clock_monotonic_ns() - waited > AHEAD_STEAL)) &&
		    atomic_compare_exchange_strong(&a->b[bi].state, &state,
		    B_MAIN))) {
			/* Ours, and next (or the helper's, which has kept
			 * it too long): its records straight to fn. */
			ret = store_ahead_ids(t, st, c, d, ids, bi * block,
			    bi * block + block < n ? bi * block + block : n,
			    flags, fn, arg, stopped);
			bi++;
			waited = 0;
			continue;
		}
		if (state != B_HELPER)
			continue;	/* it changed: look again */
		/*
		 * The helper is on it: read the first one after it nobody
		 * has, not one from the far end, which a walk that stops at
		 * a bound or a limit would never come to.
		 */
		for (near = bi + 1; near < a->nb; near++) {
			state = B_FREE;
			if (atomic_compare_exchange_strong(&a->b[near].state,
			    &state, B_MAIN)) {
				if ((ret = ahead_fill(a, t, c, d, near)) == 0)
					atomic_store(&a->b[near].state, B_DONE);
				break;
			}
		}
		/* Nothing to do but wait a moment: awake, not with
		 * sched_yield(), which on a busy machine gives the
		 * processor to another program for a while. */
		if (near == a->nb) {
			if (waited == 0)
				waited = clock_monotonic_ns();
			for (i = 0; i < 64 && atomic_load_explicit(
			    &a->b[bi].state, memory_order_relaxed) ==
			    B_HELPER; i++)
				;
		}
	}
	ahead_end(w, a, helping);
	return (ret);
}
