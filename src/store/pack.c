/*
 * pack.c: reading a packed index.  A field index that is not unique
 * keeps many entries to a B-tree item: the index of a field whose values
 * many records share (a status, a city, a manager: `shared' in the
 * forms, clerk-forms(5)) has the word index's format (words.c), a key's
 * ids in ascending chunks under key NUL bound; any other (a name, a
 * phone, an ИНН) its pairs in runs (runs.c), under the first's key NUL
 * id.  A sorted duplicate per record, the format before, made a
 * million-party bulk load put a million entries into each such index,
 * one B-tree search and insert each: 1.5 s a shared field's index, where
 * its chunks take 0.03 s (tests/bench/RESULTS.md).  Writes are words.c's
 * and runs.c's (rec.c queues the changes, words_apply() and runs_apply()
 * write them; a bulk load, words_load() and runs_load()).
 *
 * Here chunks and runs are read back as the (key, id) pairs in index
 * order that every reader of a field index walks: a cursor that decodes
 * the item it stands on and steps through its pairs (page.c's lists and
 * walk.c's walks) and the ids of one key (lookups); walk.c counts them
 * for the query planner.  Never writes, never prints.
 *
 * A walk in read committed (walk.c) gives each pair once though the
 * indexer cuts runs and chunks under it: the item under the cursor
 * stays as read while the cursor is on it (degree 2 keeps its page
 * locked), and a cut writes the pairs of an item behind the cursor or
 * ahead of it in place, where the walk has been or is yet to go
 * (test-store-pack walks while another thread cuts).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

void
pcur_init(struct pcur *pc, DBC *c, int runs)
{
	memset(pc, 0, sizeof(*pc));
	pc->c = c;
	pc->runs = runs;
	pc->k.flags = pc->d.flags = DB_DBT_REALLOC;
	buf_init(&pc->seek);
	buf_init(&pc->key);
	runs_init(&pc->rp);
}

void
pcur_release(struct pcur *pc)
{
	free(pc->k.data);
	free(pc->d.data);
	free(pc->ids);
	buf_release(&pc->seek);
	buf_release(&pc->key);
	runs_release(&pc->rp);
	pc->k.data = pc->d.data = NULL;
	pc->ids = NULL;
}

/* The cursor's chunk or run decoded: 0, or EBADMSG when damaged. */
static int
pcur_load(struct pcur *pc)
{
	size_t	tl;
	uint64_t lo;

	pc->nids = 0;
	if (pc->runs) {
		if (runs_decode(pc->d.data, pc->d.size, &pc->rp) == -1)
			return (EBADMSG);
		pc->nids = pc->rp.n;
		return (0);
	}
	if (words_key_split(pc->k.data, pc->k.size, &tl, &lo) == -1 ||
	    words_decode(pc->d.data, pc->d.size, &pc->ids, &pc->nids,
	    &pc->alloc) == -1 || pc->nids == 0)
		return (EBADMSG);
	pc->lo = lo;
	buf_reset(&pc->key);
	buf_add(&pc->key, pc->k.data, tl);
	return (0);
}

/* Move the B-tree cursor (flag) and decode the chunk it comes to. */
static int
pcur_chunk(struct pcur *pc, u_int32_t flag)
{
	int	ret;

	if (flag == DB_SET_RANGE) {
		free(pc->k.data);
		pc->k.data = xmemdup(pc->seek.data, pc->seek.len);
		pc->k.size = (u_int32_t)pc->seek.len;
	}
	if ((ret = DBCALL(pc->c->get(pc->c, &pc->k, &pc->d, flag))) != 0)
		return (ret);
	return (pcur_load(pc));
}

static int
pcur_at(struct pcur *pc, size_t at)
{
	const struct runpairs *rp = &pc->rp;

	pc->at = at;
	if (!pc->runs) {
		pc->id = pc->ids[at];
		return (0);
	}
	pc->id = rp->ids[at];
	buf_reset(&pc->key);
	buf_add(&pc->key, rp->keys.data + rp->off[at], rp->off[at + 1] -
	    rp->off[at]);
	return (0);
}

int
pcur_move(struct pcur *pc, u_int32_t flag)
{
	int	ret;

	switch (flag) {
	case DB_NEXT:
		if (pc->nids != 0 && pc->at + 1 < pc->nids)
			return (pcur_at(pc, pc->at + 1));
		break;
	case DB_PREV:
		if (pc->nids != 0 && pc->at > 0)
			return (pcur_at(pc, pc->at - 1));
		break;
	case DB_FIRST:
	case DB_LAST:
		break;
	default:
		return (EINVAL);
	}
	if ((ret = pcur_chunk(pc, flag)) != 0)
		return (ret);
	return (pcur_at(pc, flag == DB_LAST || flag == DB_PREV ?
	    pc->nids - 1 : 0));
}

int
pcur_on(const struct pcur *pc, const void *key, size_t len)
{
	return (pc->key.len == len && (len == 0 ||
	    memcmp(pc->key.data, key, len) == 0));
}

/* The first pair of the decoded chunk or run >= (key, id), or SIZE_MAX. */
static size_t
pcur_find(const struct pcur *pc, const void *key, size_t len, uint64_t id)
{
	const struct runpairs *rp = &pc->rp;
	size_t	lo = 0, hi = pc->nids, mid;
	int	c;

	if (!pc->runs) {
		/* A chunk's pairs all have its key. */
		c = store_pair_cmp(pc->key.data, pc->key.len, 0, key, len, 0);
		if (c != 0)
			return (c < 0 || pc->nids == 0 ? SIZE_MAX : 0);
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pc->runs)
			c = store_pair_cmp(rp->keys.data + rp->off[mid],
			    rp->off[mid + 1] - rp->off[mid], rp->ids[mid], key,
			    len, id);
		else
			c = pc->ids[mid] < id ? -1 : 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < pc->nids ? lo : SIZE_MAX);
}

/*
 * The first pair >= (key, id).  The chunk or run that would hold it is
 * the last one whose B-tree key (its first pair's, words_key()) is <=
 * key NUL id: the one the B-tree finds for it when that is its key,
 * else the one before it; when that one holds nothing as big, the one
 * found.
 */
int
pcur_seek(struct pcur *pc, const void *key, size_t len, uint64_t id)
{
	size_t	at;
	int	ret;

	buf_reset(&pc->seek);
	words_key(&pc->seek, key, len, id);
	ret = pcur_chunk(pc, DB_SET_RANGE);
	if (ret == 0 && pc->k.size == pc->seek.len &&
	    memcmp(pc->k.data, pc->seek.data, pc->seek.len) == 0)
		return (pcur_at(pc, 0));
	if (ret != 0 && ret != DB_NOTFOUND)
		return (ret);
	/* The one before (the last one when none is after). */
	ret = pcur_chunk(pc, ret == DB_NOTFOUND ? DB_LAST : DB_PREV);
	if (ret == 0 && (at = pcur_find(pc, key, len, id)) != SIZE_MAX)
		return (pcur_at(pc, at));
	if (ret != 0 && ret != DB_NOTFOUND)
		return (ret);
	/* Not there: the one found first, if any. */
	if ((ret = pcur_chunk(pc, DB_SET_RANGE)) != 0)
		return (ret);
	return (pcur_at(pc, 0));
}

/*
 * The same in runs, where most keys looked up (an ИНН, a phone, an
 * e-mail) have one pair: the run before the first that starts past
 * (key, 0) (no id is 0) holds the key's first pair, or the first run
 * does, or none does.  Its bytes are read as they come, each pair's key
 * never rebuilt: m is how many bytes the key before it shares with the
 * key sought, all of them below it, so a key that shares more with the
 * one before is below too, one that shares fewer is past, and only one
 * that shares m bytes is compared, from there (a run read whole cost a
 * lookup a quarter more).  A key whose pairs run on past a run's end
 * goes on into the next.  0, or EBADMSG when a run does not decode.
 */
#define LOOKUP_RUN	2048	/* bytes of a run read into the stack */

static int
runs_scan(const unsigned char *p, size_t size, const unsigned char *key,
    size_t len, uint64_t *ids, size_t max, size_t *n, uint64_t *total,
    int *done)
{
	const unsigned char *end = p + size, *rest;
	uint64_t	 id;
	size_t		 m = 0, plen = 0, klen, i, sh, rl;
	int		 cmp;

	while (p < end) {
		/* The id is read only for a pair of the key. */
		if (runs_head(&p, end, &sh, &rest, &rl) == -1 || sh > plen)
			return (EBADMSG);
		klen = plen = sh + rl;
		if (sh == m) {
			/* Shares m bytes: the rest decides. */
			for (i = 0; m + i < len && i < rl &&
			    rest[i] == key[m + i]; i++)
				;
			m += i;
			if (m < len && i < rl)
				cmp = rest[i] < key[m] ? -1 : 1;
			else
				cmp = klen < len ? -1 : klen > len;
		} else
			cmp = sh > m ? -1 : 1;	/* as the key before, or past */
		if (cmp > 0 || (cmp == 0 && total == NULL && *n == max)) {
			*done = 1;
			return (0);
		}
		if (cmp < 0) {
			/* Its id skipped, not decoded. */
			while (p < end && (*p & 0x80))
				p++;
			if (p++ == end)
				return (EBADMSG);
			continue;
		}
		if (store_varint_get(&p, end, &id) == -1)
			return (EBADMSG);
		if (*n < max)
			ids[(*n)++] = id;
		if (total != NULL)
			(*total)++;
	}
	return (0);
}

/* big: a run may not fit the stack (a key of a kilobyte or two). */
static int
runs_lookup(DBC *c, const void *key, size_t len, uint64_t *ids, size_t max,
    size_t *n, uint64_t *total, int big)
{
	unsigned char	 mem[LOOKUP_RUN];
	struct buf	 seek = BUF_INIT;
	DBT		 k, d;
	int		 ret, r2, done = 0;

	words_key(&seek, key, len, 0);
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.flags = DB_DBT_REALLOC;
	k.data = xmemdup(seek.data, seek.len);
	k.size = (u_int32_t)seek.len;
	if (big)
		d.flags = DB_DBT_REALLOC;
	else {
		d.data = mem;
		d.ulen = sizeof(mem);
		d.flags = DB_DBT_USERMEM;
	}
	/* The run past (key, 0) only positions the cursor: none of its
	 * data is copied. */
	d.flags |= DB_DBT_PARTIAL;
	ret = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
	d.flags &= ~DB_DBT_PARTIAL;
	if (ret == 0 || ret == DB_NOTFOUND) {
		r2 = DBCALL(c->get(c, &k, &d, ret == 0 ? DB_PREV : DB_LAST));
		if (r2 == DB_NOTFOUND && ret == 0) {
			/* None before it: from the first run. */
			free(k.data);
			k.data = xmemdup(seek.data, seek.len);
			k.size = (u_int32_t)seek.len;
			r2 = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
		}
		ret = r2;
	}
	while (ret == 0) {
		if ((ret = runs_scan(d.data, d.size, key, len, ids, max, n,
		    total, &done)) != 0 || done)
			break;
		ret = DBCALL(c->get(c, &k, &d, DB_NEXT));
	}
	free(k.data);
	if (big)
		free(d.data);
	buf_release(&seek);
	if (ret == DB_BUFFER_SMALL && !big) {
		*n = 0;
		if (total != NULL)
			*total = 0;
		return (runs_lookup(c, key, len, ids, max, n, total, 1));
	}
	return (ret == DB_NOTFOUND ? 0 : ret);
}

/*
 * The ids of key, up to max of them into ids (*n of them), and how many
 * it has in all into *total when total is not NULL (then every chunk of
 * the key is read).  0 (none is 0 too), or a Berkeley DB error.
 */
int
pack_lookup(DBC *c, int runs, const void *key, size_t len, uint64_t *ids,
    size_t max, size_t *n, uint64_t *total)
{
	struct pcur	 pc;
	size_t		 i;
	int		 ret;

	*n = 0;
	if (total != NULL)
		*total = 0;
	if (runs)
		return (runs_lookup(c, key, len, ids, max, n, total, 0));
	pcur_init(&pc, c, 0);
	buf_reset(&pc.seek);
	words_key(&pc.seek, key, len, 0);
	for (ret = pcur_chunk(&pc, DB_SET_RANGE); ret == 0;
	    ret = pcur_chunk(&pc, DB_NEXT)) {
		if (!pcur_on(&pc, key, len))
			break;
		for (i = 0; i < pc.nids && *n < max; i++)
			ids[(*n)++] = pc.ids[i];
		if (total != NULL)
			*total += pc.nids;
		else if (*n == max)
			break;
	}
	pcur_release(&pc);
	return (ret == DB_NOTFOUND ? 0 : ret);
}
