/*
 * txn.c: store_txn_run(), the one place transactions begin and end.
 * Transactions that may write run one at a time (the writer lock of
 * store_int.h), read-only ones beside them.  Deadlocks (found at once by
 * the lock detector; a writer still meets readers) abort the transaction
 * and run fn again after a short random back-off; anything else aborts
 * and returns the failure.  A transaction never outlives the call, so no
 * lock is ever held across a client's think time.  Also the
 * opportunistic checkpoints that keep recovery short and let old log
 * files go.  Never prints.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store_int.h"

#define TXN_TRIES		50
#define TXN_TRIES_SHARED	6	/* then it runs alone */
#define TXN_TABLES		32	/* tables whose deltas fit the stack */
#define CHECKPOINT_EVERY	256		/* commits */
/* A checkpoint when this much log or time has passed since the last. */
#define CHECKPOINT_KB		(64 * 1024)
#define CHECKPOINT_MIN		5

struct store *
store_txn_store(struct store_txn *t)
{
	return (t->s);
}

/*
 * Two transactions that deadlocked and retry at once tend to deadlock
 * again; a random wait that grows with the tries breaks the tie.
 */
static void
backoff(int tries)
{
	static _Thread_local unsigned seed;
	struct timespec	 ts;
	long		 us;

	if (seed == 0)
		seed = (unsigned)(clock_monotonic_ns() ^
		    (uint64_t)(uintptr_t)&seed);
	us = 50 + rand_r(&seed) % (100 + 100 * (tries < 20 ? tries : 20));
	ts.tv_sec = 0;
	ts.tv_nsec = us * 1000;
	nanosleep(&ts, NULL);
}

/*
 * Group commit.  A transaction keeps its page locks until its commit
 * returns, and concurrent inserts into one table all lock the same last
 * page (ids grow) and the record count: with a synchronous commit every
 * writer waited for the one before it to reach the disk, one fsync
 * each, and 64 clients adding saw commits of half a second.  So a
 * writing transaction commits to the log buffer only (locks go at once)
 * and then flushes the log (store_txn_run, after the gate and the writer
 * lock): whoever comes while a flush is on is written by the next one,
 * one fsync for all of them.  The caller still hears "done" only once
 * its commit is on disk; what changes is that others may read it a
 * moment before.
 */
static int
commit(struct store_txn *t)
{
	int	ret;

	/* A commit that is not made must still end the transaction. */
	if (store_fault_hit()) {
		ret = store_fault_ret;
		(void)t->txn->abort(t->txn);
	} else
		ret = t->txn->commit(t->txn, t->wrote &&
		    !(t->s->flags & STORE_NOSYNC) ? DB_TXN_WRITE_NOSYNC : 0);
	t->txn = NULL;
	return (ret);
}

/* The flush that makes a group commit durable (see commit()). */
static int
commit_flush(struct store_txn *t, struct buf *err)
{
	int	ret;

	if (!t->wrote || (t->s->flags & STORE_NOSYNC))
		return (0);
	ret = DBCALL(t->s->env->log_flush(t->s->env, NULL));
	if (ret != 0)
		return (store_fail(NULL, ret, err, _("cannot write the "
		    "transaction log to disk: %s"), store_strerror(ret)));
	return (0);
}

/*
 * Every so many commits, or a minute after the last look, ask for a
 * checkpoint; Berkeley DB makes one only when enough log or time has
 * passed.  Checkpoints bound recovery and let old log files go.
 */
static void
checkpoint_maybe(struct store *s)
{
	unsigned	n;
	int64_t		now, last;

	n = atomic_fetch_add(&s->commits, 1) + 1;
	now = (int64_t)(clock_monotonic_ns() / 1000000000);
	last = atomic_load(&s->checkpointed);
	if (n % CHECKPOINT_EVERY != 0 && now - last < 60)
		return;
	atomic_store(&s->checkpointed, now);
	(void)DBCALL(s->env->txn_checkpoint(s->env, CHECKPOINT_KB,
	    CHECKPOINT_MIN, 0));
}

/*
 * The writer lock (store_int.h) is waited for holding no lock of
 * Berkeley DB's, so nothing waits on its holder in turn.
 */
void
gate_enter(struct store *s, int alone, int writes)
{
	if (alone)
		pthread_rwlock_wrlock(&s->gate);
	else
		pthread_rwlock_rdlock(&s->gate);
	if (writes)
		pthread_mutex_lock(&s->writer);
}

void
gate_leave(struct store *s, int writes)
{
	if (writes)
		pthread_mutex_unlock(&s->writer);
	pthread_rwlock_unlock(&s->gate);
}

static void
delta_free(int64_t *delta, int64_t *small)
{
	if (delta != small)
		free(delta);
}

int
store_txn_run(struct store *s, int flags, store_txn_fn *fn, void *arg,
    struct buf *err)
{
	struct store_txn t;
	int64_t		 small[2 * TXN_TABLES], *delta;
	size_t		 nt = s->ntables ? s->ntables : 1, nd = 2 * nt;
	int		 tries, r, ret, alone, immediate = 0;
	int		 writes = !(flags & (STORE_TXN_READONLY |
			    STORE_TXN_ONEREAD));
	int		 owned = err != NULL && err->alloc != 0;

	/* A get or a lookup costs some ten thousand instructions; an
	 * allocation and a free would be 3 % more of them. */
	delta = nd <= nitems(small) ? small : xcalloc(nd, sizeof(*delta));
	for (tries = 0; tries < TXN_TRIES; tries++) {
		/*
		 * A try run again leaves no message: callers release err
		 * only when the transaction fails, so a deadlock's text
		 * must not outlive a try that went through.  An err the
		 * caller had allocated is emptied, not freed: it may hold
		 * its data pointer (test-store's store_check() test did).
		 */
		if (tries != 0) {
			if (err != NULL && !owned)
				buf_release(err);
			else if (err != NULL)
				buf_reset(err);
			backoff(tries);
		}
		memset(&t, 0, sizeof(t));
		memset(delta, 0, nd * sizeof(*delta));
		t.s = s;
		t.flags = flags & STORE_TXN_ONEREAD ? flags |
		    STORE_TXN_READONLY : flags;
		/* The records of each table, then its archived ones. */
		t.delta = delta;
		t.adelta = delta + nt;
		/*
		 * The deadlock detector aborts the youngest, and a retried
		 * transaction is young again: a big one among busy writers
		 * can lose every time.  After a few tries it waits for the
		 * others to finish and runs alone.
		 */
		alone = tries >= TXN_TRIES_SHARED || immediate ||
		    (flags & STORE_TXN_ALONE);
		/*
		 * Writers wait while the indexer is far behind (defer.c);
		 * one alone, or a bulk load, waits for it to finish, before
		 * any lock is taken.
		 */
		if (writes)
			defer_throttle(s);
		gate_enter(s, alone, writes);
		t.immediate = immediate ||
		    (flags & (STORE_TXN_ALONE | STORE_TXN_BULK));
		if (t.immediate && defer_settle(s, err) == -1) {
			gate_leave(s, writes);
			delta_free(delta, small);
			return (-1);
		}
		/* One read: its own locks, for its call only. */
		ret = flags & STORE_TXN_ONEREAD ? 0 :
		    DBCALL(s->env->txn_begin(s->env, NULL, &t.txn,
		    flags & STORE_TXN_BULK ? DB_TXN_BULK : 0));
		if (ret != 0) {
			gate_leave(s, writes);
			store_fail(&t, ret, err, _("cannot begin a "
			    "transaction: %s"), store_strerror(ret));
			if (t.deadlocked)
				continue;
			delta_free(delta, small);
			return (-1);
		}
		r = fn(&t, arg, err);
		/* Too many deferred entries: again alone, immediate. */
		if (t.again_alone)
			immediate = 1;
		/* A small change while the indexer is idle: at once. */
		if (r >= 0 && !t.deadlocked && t.txn != NULL && defer_small(&t))
			t.immediate = 1;
		if (r >= 0 && !t.deadlocked && !defer_on(&t) &&
		    rec_index_flush(&t, err) == -1)
			r = -1;
		/*
		 * Deferred: every entry of the transaction as one item of
		 * pending.db, written behind the commit (defer.c).
		 */
		if (r >= 0 && !t.deadlocked && defer_on(&t) && t.txn != NULL &&
		    defer_put(&t, err) == -1)
			r = -1;
		rec_index_drop(&t);
		if (flags & STORE_TXN_ONEREAD) {
			defer_end(&t, 0);
			gate_leave(s, writes);
			if (t.deadlocked)
				continue;
			delta_free(delta, small);
			return (r);
		}
		/*
		 * The queued word index changes and the record counts are
		 * written once, last (words.c, rec.c); an abort drops the
		 * queue with the rest.
		 */
		if (r >= 0 && !t.deadlocked && !defer_on(&t) &&
		    words_flush(&t, err) == -1)
			r = -1;
		words_drop(&t);
		if (r >= 0 && !t.deadlocked && t.wrote &&
		    rec_count_flush(&t, err) == -1)
			r = -1;
		if (t.deadlocked || r < 0) {
			journal_drop(&t);
			(void)DBCLOSE(t.txn->abort(t.txn));
			defer_end(&t, 0);
			gate_leave(s, writes);
			if (t.deadlocked)
				continue;
			delta_free(delta, small);
			return (r);
		}
		/* The records written go into the change journal under
		 * the lock that makes its number cover the commit. */
		journal_begin(&t);
		ret = commit(&t);
		journal_end(&t, ret == 0);
		defer_end(&t, ret == 0);
		gate_leave(s, writes);
		if (ret != 0) {
			store_fail(&t, ret, err, _("cannot commit: %s"),
			    store_strerror(ret));
			if (t.deadlocked)
				continue;
			delta_free(delta, small);
			return (-1);
		}
		if (commit_flush(&t, err) == -1) {
			delta_free(delta, small);
			return (-1);
		}
		if (t.wrote)
			checkpoint_maybe(s);
		delta_free(delta, small);
		return (r);
	}
	delta_free(delta, small);
	buf_prefix(err, _("gave up after %d deadlocks: "), TXN_TRIES);
	return (-1);
}
