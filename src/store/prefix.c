/*
 * prefix.c: a bulk load's short-prefix keys of the word index (the mark
 * byte and a token's first one to three characters, index_search_
 * prefixes() in record/keys.c), kept apart from its other keys.
 *
 * They are two thirds of the word index's keys (a million parties:
 * 19.0 million of 28.6 million) but a small set of distinct keys (1,703
 * in bench-store's parties).  As (key, id) pairs of their own, each a
 * 32-byte store_pair and its key bytes, they were most of a bulk load's
 * memory and of the radix sort of its word keys, the sort the writer
 * waits for at the end.  Here a key is stored once and numbered, and a
 * row's prefix key is an 8-byte (key number, row); grouping them is one
 * counting pass once the few keys are sorted.  words_load() writes the
 * groups, with the other keys' postings, into the same chunks as
 * before, so the index is byte for byte what it was.
 *
 * Rows are 32-bit: bulk.c keeps the keys here only for a load of fewer
 * than 2^32 rows.  Never fails but by running out of memory (xmalloc).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

struct store_prefixes *
prefixes_new(void)
{
	struct store_prefixes *pre;

	pre = xcalloc(1, sizeof(*pre));
	buf_init(&pre->keys);
	return (pre);
}

static void
prefixes_ungroup(struct store_prefixes *pre)
{
	free(pre->order);
	free(pre->start);
	free(pre->rows);
	pre->order = NULL;
	pre->start = NULL;
	pre->rows = NULL;
	pre->grouped = 0;
}

void
prefixes_reset(struct store_prefixes *pre)
{
	prefixes_ungroup(pre);
	buf_reset(&pre->keys);
	pre->nkeys = 0;
	pre->n = 0;
	if (pre->slot != NULL)
		memset(pre->slot, 0, pre->nslots * sizeof(*pre->slot));
}

void
prefixes_free(struct store_prefixes *pre)
{
	if (pre == NULL)
		return;
	prefixes_ungroup(pre);
	buf_release(&pre->keys);
	free(pre->off);
	free(pre->len);
	free(pre->slot);
	free(pre->v);
	free(pre);
}

static int
prefixes_same(const struct store_prefixes *pre, uint32_t k, const void *key,
    size_t len)
{
	return (pre->len[k] == len &&
	    memcmp(pre->keys.data + pre->off[k], key, len) == 0);
}

/* The slot of key (hash h): its own, or the free one where it would go. */
static size_t
prefixes_slot(const struct store_prefixes *pre, uint64_t h, const void *key,
    size_t len)
{
	size_t	i;

	for (i = (size_t)h & (pre->nslots - 1); pre->slot[i] != 0 &&
	    !prefixes_same(pre, pre->slot[i] - 1, key, len);
	    i = (i + 1) & (pre->nslots - 1))
		;
	return (i);
}

/* The number of key, which is added if it is new. */
static uint32_t
prefixes_intern(struct store_prefixes *pre, const void *key, size_t len)
{
	uint32_t	*old;
	size_t		 i, nold, k;
	uint64_t	 h;

	if (pre->nkeys * 2 >= pre->nslots) {
		old = pre->slot;
		nold = pre->nslots;
		pre->nslots = nold ? nold * 2 : 1024;
		pre->slot = xcalloc(pre->nslots, sizeof(*pre->slot));
		for (i = 0; i < nold; i++) {
			if (old[i] == 0)
				continue;
			k = old[i] - 1;
			h = hash_fnv1a(pre->keys.data + pre->off[k],
			    pre->len[k]);
			pre->slot[prefixes_slot(pre, h, pre->keys.data +
			    pre->off[k], pre->len[k])] = old[i];
		}
		free(old);
	}
	h = hash_fnv1a(key, len);
	i = prefixes_slot(pre, h, key, len);
	if (pre->slot[i] != 0)
		return (pre->slot[i] - 1);
	if (pre->nkeys == pre->kalloc) {
		pre->kalloc = pre->kalloc ? pre->kalloc * 2 : 256;
		pre->off = xreallocarray(pre->off, pre->kalloc,
		    sizeof(*pre->off));
		pre->len = xreallocarray(pre->len, pre->kalloc,
		    sizeof(*pre->len));
	}
	pre->off[pre->nkeys] = pre->keys.len;
	pre->len[pre->nkeys] = len;
	buf_add(&pre->keys, key, len);
	pre->slot[i] = (uint32_t)++pre->nkeys;
	return ((uint32_t)(pre->nkeys - 1));
}

static void
prefixes_room(struct store_prefixes *pre, size_t n)
{
	if (n > pre->alloc) {
		pre->alloc = pre->alloc * 2 > n ? pre->alloc * 2 : n;
		if (pre->alloc < 4096)
			pre->alloc = 4096;
		pre->v = xreallocarray(pre->v, pre->alloc, sizeof(*pre->v));
	}
}

void
prefixes_add(struct store_prefixes *pre, const void *key, size_t len,
    uint32_t row)
{
	uint32_t	k = prefixes_intern(pre, key, len);

	if (pre->grouped)
		BUG("a prefix key added after its keys were grouped");
	prefixes_room(pre, pre->n + 1);
	pre->v[pre->n].key = k;
	pre->v[pre->n++].row = row;
}

/*
 * q's keys into p, by row: the rows of each ascend (the producer and the
 * key thread each take their blocks of rows in order), and so do p's
 * after; the rows of one key are then in order once grouped.  q is left
 * empty.
 */
void
prefixes_merge(struct store_prefixes *p, struct store_prefixes *q)
{
	struct prefix_row *v;
	uint32_t	*map;
	size_t		 i, j, o, k;

	if (p->grouped || q->grouped)
		BUG("prefix keys merged after they were grouped");
	if (q->n == 0) {
		prefixes_reset(q);
		return;
	}
	map = xreallocarray(NULL, q->nkeys, sizeof(*map));
	for (k = 0; k < q->nkeys; k++)
		map[k] = prefixes_intern(p, q->keys.data + q->off[k],
		    q->len[k]);
	v = xreallocarray(NULL, p->n + q->n, sizeof(*v));
	for (i = j = o = 0; i < p->n || j < q->n; o++) {
		if (j == q->n || (i < p->n && p->v[i].row <= q->v[j].row))
			v[o] = p->v[i++];
		else {
			v[o].key = map[q->v[j].key];
			v[o].row = q->v[j++].row;
		}
	}
	free(p->v);
	p->v = v;
	p->n = p->alloc = o;
	free(map);
	prefixes_reset(q);
}

static int
prefix_cmp(const void *va, const void *vb, void *arg)
{
	const struct store_prefixes *pre = arg;
	uint32_t	 a = *(const uint32_t *)va, b = *(const uint32_t *)vb;
	const char	*ka = pre->keys.data + pre->off[a];
	const char	*kb = pre->keys.data + pre->off[b];

	return (key_cmp_headed(key_head(ka, pre->len[a]), ka, pre->len[a],
	    key_head(kb, pre->len[b]), kb, pre->len[b]));
}

/*
 * The keys in byte order (order), and the rows of the i-th of them at
 * rows[start[i]] to rows[start[i + 1]], ascending: a stable counting
 * sort of the (key, row) entries by the rank of their key.  The entries
 * are freed.
 */
void
prefixes_group(struct store_prefixes *pre)
{
	uint32_t	*rank;
	size_t		 i, k;

	if (pre->grouped)
		return;
	pre->order = xreallocarray(NULL, pre->nkeys ? pre->nkeys : 1,
	    sizeof(*pre->order));
	for (k = 0; k < pre->nkeys; k++)
		pre->order[k] = (uint32_t)k;
	qsort_r(pre->order, pre->nkeys, sizeof(*pre->order), prefix_cmp, pre);
	rank = xreallocarray(NULL, pre->nkeys ? pre->nkeys : 1, sizeof(*rank));
	for (k = 0; k < pre->nkeys; k++)
		rank[pre->order[k]] = (uint32_t)k;
	pre->start = xcalloc(pre->nkeys + 1, sizeof(*pre->start));
	for (i = 0; i < pre->n; i++)
		pre->start[rank[pre->v[i].key] + 1]++;
	for (k = 0; k < pre->nkeys; k++)
		pre->start[k + 1] += pre->start[k];
	pre->rows = xreallocarray(NULL, pre->n ? pre->n : 1,
	    sizeof(*pre->rows));
	/* Each key's next place, from its start. */
	for (i = 0; i < pre->n; i++)
		pre->rows[pre->start[rank[pre->v[i].key]]++] = pre->v[i].row;
	for (k = pre->nkeys; k > 0; k--)
		pre->start[k] = pre->start[k - 1];
	pre->start[0] = 0;
	free(rank);
	free(pre->v);
	pre->v = NULL;
	pre->alloc = 0;
	pre->grouped = 1;
}
