/*
 * rcache.c: the records read lately, kept by (table, id) as their
 * encoded bytes, so that reading one again (a list's page every few
 * seconds, a query run again, a card) costs a copy, not a Berkeley DB
 * lookup: some 6,000 instructions of a B-tree descent with its page
 * pins, latches and locks, 0.4-0.5 us a record, which made the small
 * queries of issue 4 (fifty records through an index) slower than
 * SQLite's.
 *
 * It is only right because one process owns the database (DESIGN.md
 * §3: clerkd, or a command on a personal database) and every record
 * write goes through journal_note() (pick.c).  A record written is
 * evicted twice: when it is written, so no read can put the old bytes
 * back while the writer holds the record's lock, and after the commit,
 * so none put back what it read before the write (an abort leaves the
 * committed bytes, which any reader may keep).
 * Each eviction bumps a generation of the slot's stripe; a reader
 * notes the generation when it misses and keeps the bytes it then read
 * only if no eviction in the stripe came between.  Only read-only
 * transactions (and single reads) use it, and they read committed data
 * only, so nothing uncommitted is ever kept; a transaction that wrote
 * neither reads nor fills it (its own writes are not in it).
 *
 * A record read from here was the latest committed when it was read,
 * as a read-committed lookup gives it; a transaction that reads it no
 * longer holds its page locked to the end, which only a reader of the
 * same record twice could tell (no query does: each reads a record
 * once).
 *
 * Direct-mapped: each (table, id) has one slot, a newer record taking
 * it unless the one there was read from it since another last passed
 * (a second chance, so that one big read, a range of thousands, does
 * not push out what lists read every few seconds); the slots a power
 * of two, their stripes of locks fixed.  Records over RC_BIG bytes are
 * not kept.  The bytes held, slots included, stay within the size
 * asked for.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define RC_STRIPES	1024	/* locks, a power of two */
#define RC_BIG		4096	/* bytes: larger records are not kept */
#define RC_SLOT_BYTES	256	/* bytes a slot's record takes, about */

struct rc_slot {
	uint64_t	 id;		/* 0: empty */
	uint32_t	 tab;
	uint32_t	 len;
	uint32_t	 cap;		/* bytes allocated */
	uint32_t	 ref;		/* read from here since last passed */
	unsigned char	*bytes;
};

struct rc_stripe {
	pthread_mutex_t	 lock;
	uint64_t	 gen;		/* evictions, under lock */
	uint64_t	 hits;
	uint64_t	 misses;
} __attribute__((aligned(64)));

struct rcache {
	struct rc_slot	*slots;
	size_t		 mask;		/* slots - 1 */
	struct rc_stripe *stripes;
	size_t		 budget;	/* bytes of records at most */
	atomic_size_t	 used;
};

struct rcache *
rcache_new(size_t bytes)
{
	struct rcache	*rc;
	size_t		 n, i;

	if (bytes == 0)
		return (NULL);
	/* Slots for records of about RC_SLOT_BYTES, each a slot too. */
	for (n = RC_STRIPES; n * 2 * (RC_SLOT_BYTES + sizeof(struct rc_slot)) <=
	    bytes; n *= 2)
		;
	rc = xcalloc(1, sizeof(*rc));
	rc->slots = xcalloc(n, sizeof(*rc->slots));
	rc->mask = n - 1;
	rc->budget = bytes > n * sizeof(struct rc_slot) ? bytes - n *
	    sizeof(struct rc_slot) : RC_BIG;
	if (posix_memalign((void **)&rc->stripes, 64, RC_STRIPES *
	    sizeof(*rc->stripes)) != 0)
		fatal("out of memory");
	memset(rc->stripes, 0, RC_STRIPES * sizeof(*rc->stripes));
	for (i = 0; i < RC_STRIPES; i++)
		pthread_mutex_init(&rc->stripes[i].lock, NULL);
	atomic_init(&rc->used, 0);
	return (rc);
}

void
rcache_free(struct rcache *rc)
{
	size_t	i;

	if (rc == NULL)
		return;
	for (i = 0; i <= rc->mask; i++)
		free(rc->slots[i].bytes);
	for (i = 0; i < RC_STRIPES; i++)
		pthread_mutex_destroy(&rc->stripes[i].lock);
	free(rc->slots);
	free(rc->stripes);
	free(rc);
}

static size_t
rc_slot_of(const struct rcache *rc, uint32_t tab, uint64_t id)
{
	uint64_t	h;

	h = (id ^ ((uint64_t)tab << 48)) * 0x9e3779b97f4a7c15ULL;
	return ((size_t)(h >> 40) & rc->mask);
}

static struct rc_stripe *
rc_stripe_of(struct rcache *rc, size_t slot)
{
	return (&rc->stripes[slot & (RC_STRIPES - 1)]);
}

/* Let slot go: its bytes back, its record gone. */
static void
rc_slot_clear(struct rcache *rc, struct rc_slot *sl)
{
	if (sl->bytes != NULL) {
		atomic_fetch_sub(&rc->used, sl->cap);
		free(sl->bytes);
	}
	memset(sl, 0, sizeof(*sl));
}

/*
 * Record (tab, id) into d as Berkeley DB's DB_DBT_REALLOC gives it: 1
 * when it was here, else 0.  A record missed for the first time takes
 * its slot without its bytes (len 0); missed again while it still has
 * the slot, *keep is set, with *gen the generation to hand rcache_put()
 * after reading it.  So a record read once (a page at a random place, a
 * lookup) costs the cache a slot's line, not an allocation and a copy
 * to a cold line (up to a tenth of a page of fifty at random keys, on a
 * host too noisy to say better), and one read again, as lists and
 * queries are, is kept from its second read.
 */
static int
rcache_get(struct rcache *rc, uint32_t tab, uint64_t id, DBT *d,
    uint64_t *gen, int *keep)
{
	size_t			 i = rc_slot_of(rc, tab, id);
	struct rc_slot		*sl = &rc->slots[i];
	struct rc_stripe	*sp = rc_stripe_of(rc, i);
	void			*p;

	*keep = 0;
	pthread_mutex_lock(&sp->lock);
	if (sl->id != id || sl->tab != tab || sl->len == 0) {
		sp->misses++;
		if (sl->id == id && sl->tab == tab) {
			*gen = sp->gen;
			*keep = 1;
		} else if (sl->len != 0 && sl->ref)
			sl->ref = 0;	/* read lately: a second chance */
		else {
			sl->id = id;
			sl->tab = tab;
			sl->len = 0;
			sl->ref = 0;
		}
		pthread_mutex_unlock(&sp->lock);
		return (0);
	}
	sl->ref = 1;
	if (d->data == NULL || d->size < sl->len) {
		if ((p = realloc(d->data, sl->len)) == NULL) {
			pthread_mutex_unlock(&sp->lock);
			return (0);
		}
		d->data = p;
	}
	memcpy(d->data, sl->bytes, sl->len);
	d->size = sl->len;
	sp->hits++;
	pthread_mutex_unlock(&sp->lock);
	return (1);
}

/* Keep record (tab, id) unless an eviction came after gen. */
static void
rcache_put(struct rcache *rc, uint32_t tab, uint64_t id, const void *p,
    size_t len, uint64_t gen)
{
	size_t			 i = rc_slot_of(rc, tab, id);
	struct rc_slot		*sl = &rc->slots[i];
	struct rc_stripe	*sp = rc_stripe_of(rc, i);
	size_t			 cap;
	unsigned char		*nb;

	if (len == 0 || len > RC_BIG)
		return;
	pthread_mutex_lock(&sp->lock);
	if (sp->gen != gen || sl->id != id || sl->tab != tab)
		goto out;
	if (sl->cap < len) {
		cap = (len + 63) & ~(size_t)63;
		if (atomic_load(&rc->used) + cap - sl->cap > rc->budget)
			goto out;
		if ((nb = realloc(sl->bytes, cap)) == NULL)
			goto out;
		atomic_fetch_add(&rc->used, cap - sl->cap);
		sl->bytes = nb;
		sl->cap = (uint32_t)cap;
	}
	memcpy(sl->bytes, p, len);
	sl->len = (uint32_t)len;
	sl->ref = 0;
	sl->tab = tab;
	sl->id = id;
out:
	pthread_mutex_unlock(&sp->lock);
}

void
rcache_evict(struct rcache *rc, uint32_t tab, uint64_t id)
{
	size_t			 i, j;
	struct rc_stripe	*sp;
	struct rc_slot		*sl;

	if (rc == NULL)
		return;
	if (id != 0) {
		i = rc_slot_of(rc, tab, id);
		sp = rc_stripe_of(rc, i);
		sl = &rc->slots[i];
		pthread_mutex_lock(&sp->lock);
		sp->gen++;
		if (sl->id == id && sl->tab == tab)
			rc_slot_clear(rc, sl);
		pthread_mutex_unlock(&sp->lock);
		return;
	}
	/* The table wholesale (an import): every stripe, every slot. */
	for (i = 0; i < RC_STRIPES; i++) {
		sp = &rc->stripes[i];
		pthread_mutex_lock(&sp->lock);
		sp->gen++;
		for (j = i; j <= rc->mask; j += RC_STRIPES)
			if (rc->slots[j].id != 0 && rc->slots[j].tab == tab)
				rc_slot_clear(rc, &rc->slots[j]);
		pthread_mutex_unlock(&sp->lock);
	}
}

/* May t read and fill the cache? */
static int
rcache_usable(const struct store_txn *t)
{
	return (t->s->rc != NULL && (t->flags & STORE_TXN_READONLY) &&
	    t->njids == 0 && !t->wrote);
}

int
rcache_read(struct store_txn *t, struct store_table *st, DBC *c,
    uint64_t id, DBT *d)
{
	unsigned char	 kb[8];
	DBT		 k;
	uint64_t	 gen = 0;
	int		 keep = 0, ret;

	if (id != 0 && rcache_usable(t) &&
	    rcache_get(t->s->rc, (uint32_t)st->n, id, d, &gen, &keep))
		return (0);
	if (c != NULL) {
		store_lookup_key(&k, kb, id);
		ret = DBCALL(c->get(c, &k, d, DB_SET));
	} else {
		store_id_key(kb, id);
		store_dbt(&k, kb, 8);
		ret = DBCALL(st->db->get(st->db, t->txn, &k, d, 0));
	}
	if (ret == 0 && keep)
		rcache_put(t->s->rc, (uint32_t)st->n, id, d->data, d->size,
		    gen);
	return (ret);
}

void
store_record_cache_stats(struct store *s, uint64_t *hits, uint64_t *misses,
    size_t *bytes)
{
	struct rcache	*rc = s->rc;
	size_t		 i;

	*hits = *misses = 0;
	*bytes = 0;
	if (rc == NULL)
		return;
	for (i = 0; i < RC_STRIPES; i++) {
		pthread_mutex_lock(&rc->stripes[i].lock);
		*hits += rc->stripes[i].hits;
		*misses += rc->stripes[i].misses;
		pthread_mutex_unlock(&rc->stripes[i].lock);
	}
	*bytes = atomic_load(&rc->used) + (rc->mask + 1) *
	    sizeof(struct rc_slot);
}

void
store_record_cache_clear(struct store *s)
{
	size_t	i;

	for (i = 0; i < s->ntables; i++)
		rcache_evict(s->rc, (uint32_t)i, 0);
}

size_t
store_record_cache_mb(struct store *s)
{
	struct rcache	*rc = s->rc;

	if (rc == NULL)
		return (0);
	return ((rc->budget + (rc->mask + 1) * sizeof(struct rc_slot)) /
	    (1024 * 1024));
}
