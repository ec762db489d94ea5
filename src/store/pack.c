/*
 * pack.c: reading a packed index, the index of a field whose values
 * many records share (a status, a city, a manager: `shared' in the
 * forms, clerk-forms(5)).  Its file has the word index's format
 * (words.c): a key's ids in ascending chunks, many to a B-tree item,
 * under key NUL bound.  A sorted duplicate per record, the format of
 * the other field indexes, made a million-party bulk load put a million
 * entries into each such index, one B-tree search and insert each, into
 * a few keys' duplicate trees: 1.5 s an index, where its chunks take
 * 0.03 s (tests/bench/RESULTS.md).  Writes are words.c's (rec.c queues
 * the changes, words_apply() writes them; a bulk load, words_load()).
 *
 * Here the chunks are read back as the (key, id) pairs in index order
 * that every reader of a field index walks: a cursor that decodes the
 * chunk it stands on and steps through its ids (page.c's lists and
 * walk.c's walks) and the ids of one key (lookups); walk.c counts
 * them for the query planner.  Keys hold no NUL
 * byte (text) or are all of one length (numbers, dates), so a key's
 * chunks sort together, in key order.  Never writes, never prints.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

void
pcur_init(struct pcur *pc, DBC *c)
{
	memset(pc, 0, sizeof(*pc));
	pc->c = c;
	pc->k.flags = pc->d.flags = DB_DBT_REALLOC;
	buf_init(&pc->seek);
	buf_init(&pc->key);
}

void
pcur_release(struct pcur *pc)
{
	free(pc->k.data);
	free(pc->d.data);
	free(pc->ids);
	buf_release(&pc->seek);
	buf_release(&pc->key);
	pc->k.data = pc->d.data = NULL;
	pc->ids = NULL;
}

/* The cursor's chunk decoded: 0, or EBADMSG when damaged. */
static int
pcur_load(struct pcur *pc)
{
	size_t	tl;
	uint64_t lo;

	pc->nids = 0;
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
	pc->at = at;
	pc->id = pc->ids[at];
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

/* The first id of the decoded chunk >= id, or SIZE_MAX. */
static size_t
pcur_find(const struct pcur *pc, uint64_t id)
{
	size_t	lo = 0, hi = pc->nids, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pc->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < pc->nids ? lo : SIZE_MAX);
}

/*
 * The first entry >= (key, id).  The chunk that would hold id is the
 * last of key's with a bound <= id: the one the B-tree finds for
 * key NUL id when its bound is id, else the one before it.
 */
int
pcur_seek(struct pcur *pc, const void *key, size_t len, uint64_t id)
{
	size_t	at;
	int	ret;

	buf_reset(&pc->seek);
	words_key(&pc->seek, key, len, id);
	ret = pcur_chunk(pc, DB_SET_RANGE);
	if (ret == 0 && pcur_on(pc, key, len) && pc->lo == id)
		return (pcur_at(pc, 0));
	if (ret != 0 && ret != DB_NOTFOUND)
		return (ret);
	/* The chunk before (the last one when none is after). */
	ret = pcur_chunk(pc, ret == DB_NOTFOUND ? DB_LAST : DB_PREV);
	if (ret == 0 && pcur_on(pc, key, len) &&
	    (at = pcur_find(pc, id)) != SIZE_MAX)
		return (pcur_at(pc, at));
	if (ret != 0 && ret != DB_NOTFOUND)
		return (ret);
	/* Not there: the chunk found first, if any. */
	if ((ret = pcur_chunk(pc, DB_SET_RANGE)) != 0)
		return (ret);
	return (pcur_at(pc, 0));
}

/*
 * The ids of key, up to max of them into ids (*n of them), and how many
 * it has in all into *total when total is not NULL (then every chunk of
 * the key is read).  0 (none is 0 too), or a Berkeley DB error.
 */
int
pack_lookup(DBC *c, const void *key, size_t len, uint64_t *ids, size_t max,
    size_t *n, uint64_t *total)
{
	struct pcur	 pc;
	size_t		 i;
	int		 ret;

	*n = 0;
	if (total != NULL)
		*total = 0;
	pcur_init(&pc, c);
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
