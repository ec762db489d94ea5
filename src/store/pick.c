/*
 * pick.c: what a cache kept above the store needs to know it is still
 * right.  cmd page keeps the order of a list's sort index in memory
 * (every id's position) so that a search finds its first match in that
 * order without walking the index; the change journal says which
 * records were written since it was read, so the cache stays right
 * across writes.  Must not write the store or print; the journal is its
 * only state.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "store/store_int.h"

/*
 * The change journal.  A cache kept above the store (the order of a
 * list) that was read at journal number seq is still right for every
 * id not written since; store_journal_since() says which were, so a few
 * writes cost the cache a few ids, not a reading from the start.  Every
 * record write lists its (table, id) in the transaction (rec.c); the
 * commit and the list's entry into the ring are made under one lock,
 * so that a number read under it covers every commit a transaction
 * begun before could see.  One lock for every store of the process
 * (there is one in the server): only commits that wrote records and
 * the journal's readers take it, never a read-only transaction.
 */
static pthread_mutex_t	journal_lock = PTHREAD_MUTEX_INITIALIZER;

void
journal_note(struct store_txn *t, struct store_table *st, uint64_t id)
{
	size_t	i, k, j;

	/* Nobody reads the old bytes back while t holds the record. */
	rcache_evict(t->s->rc, (uint32_t)st->n, id);
	if (t->njids == STORE_JOURNAL_TXN && !t->jwhole) {
		/* An import: the tables written, each wholesale, is all
		 * that is kept (one entry each). */
		for (i = k = 0; i < t->njids; i++) {
			for (j = 0; j < k && t->jids[j].tab !=
			    t->jids[i].tab; j++)
				;
			if (j == k) {
				t->jids[k].tab = t->jids[i].tab;
				t->jids[k++].id = 0;
			}
		}
		t->njids = k;
		t->jwhole = 1;
	}
	if (t->jwhole) {
		for (i = 0; i < t->njids; i++)
			if (t->jids[i].tab == st->n)
				return;
		id = 0;
	}
	if (t->njids == t->jcap) {
		t->jcap = t->jcap ? t->jcap * 2 : 16;
		t->jids = xreallocarray(t->jids, t->jcap, sizeof *t->jids);
	}
	t->jids[t->njids].seq = 0;
	t->jids[t->njids].id = id;
	t->jids[t->njids++].tab = (uint32_t)st->n;
}

void
journal_drop(struct store_txn *t)
{
	size_t	i;

	/* Nor what a reader read before the write (rcache.c). */
	for (i = 0; i < t->njids; i++)
		rcache_evict(t->s->rc, t->jids[i].tab, t->jids[i].id);
	free(t->jids);
	t->jids = NULL;
	t->njids = t->jcap = 0;
	t->jwhole = 0;
}

void
journal_begin(struct store_txn *t)
{
	if (t->njids > 0)
		pthread_mutex_lock(&journal_lock);
}

void
journal_end(struct store_txn *t, int committed)
{
	struct store		*s = t->s;
	struct store_jent	*e;
	size_t			 i;

	if (t->njids == 0)
		return;
	if (committed) {
		s->jseq++;
		for (i = 0; i < t->njids; i++) {
			e = &s->jring[s->jhead++ % STORE_JOURNAL_RING];
			if (s->jhead > STORE_JOURNAL_RING)
				s->jlost = e->seq;
			e->seq = s->jseq;
			e->id = t->jids[i].id;
			e->tab = t->jids[i].tab;
		}
	}
	pthread_mutex_unlock(&journal_lock);
	journal_drop(t);
}

uint64_t
store_journal_seq(struct store *s)
{
	uint64_t	seq;

	pthread_mutex_lock(&journal_lock);
	seq = s->jseq;
	pthread_mutex_unlock(&journal_lock);
	return (seq);
}

int
store_journal_since(struct store *s, const struct table *table,
    uint64_t seq, uint64_t *ids, size_t max, size_t *n)
{
	struct store_table	*st;
	struct store_jent	*e;
	uint64_t		 i, oldest;
	int			 r = 0;

	*n = 0;
	if ((st = store_table_get(s, table)) == NULL)
		return (1);
	pthread_mutex_lock(&journal_lock);
	oldest = s->jhead > STORE_JOURNAL_RING ? s->jhead -
	    STORE_JOURNAL_RING : 0;
	/* A commit after seq that the ring has let go. */
	if (s->jlost > seq)
		r = 1;
	for (i = s->jhead; r == 0 && i > oldest; i--) {
		e = &s->jring[(i - 1) % STORE_JOURNAL_RING];
		if (e->seq <= seq)
			break;
		if (e->tab != st->n)
			continue;
		if (e->id == 0 || *n == max)
			r = 1;
		else
			ids[(*n)++] = e->id;
	}
	pthread_mutex_unlock(&journal_lock);
	return (r);
}
