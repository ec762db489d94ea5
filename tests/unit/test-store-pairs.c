/*
 * test-store-pairs: pairs_sort() and pairs_group(), which order the keys
 * a load, an index build and the indexer write, against a plain stable
 * sort by key bytes (as unsigned, the shorter first) and then by the
 * order the pairs came in: sets small enough for qsort_r() alone, and
 * sets of hundreds of thousands, which go by the heads' most significant
 * byte first down to buckets small enough for the cache, with keys that
 * share their first 8 bytes and more (so the heads tie), keys shorter
 * than a head, empty keys, duplicates, a few keys with most of the pairs
 * (as the word index's short prefixes have), and one key alone; sets
 * of a million pairs and more, which are sorted in two threads on a
 * machine of two processors (env.c's pairs_sort_two()): keys of one
 * alphabet, whose first bytes most pairs share, so the parts are split
 * by their second and third, and keys of one head, which cannot be
 * split; and a bulk load's short-prefix keys kept apart (prefix.c), from
 * two sets merged by row, grouped.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "tap.h"

/* A key of the reference: its bytes and the pair's place as it came. */
struct ref {
	const unsigned char *p;
	size_t		 len;
	uint64_t	 id;
};

static int
ref_cmp(const void *va, const void *vb)
{
	const struct ref *a = va, *b = vb;
	size_t		 i, n = a->len < b->len ? a->len : b->len;

	for (i = 0; i < n; i++)
		if (a->p[i] != b->p[i])
			return (a->p[i] < b->p[i] ? -1 : 1);
	if (a->len != b->len)
		return (a->len < b->len ? -1 : 1);
	return (a->id < b->id ? -1 : a->id > b->id);
}

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (rnd_state);
}

/*
 * One key of a set: from a few stems that share a long beginning, with
 * bytes where order is easy to get wrong (0, 0x7f, 0x80, 0xff), of any
 * length up to 24 bytes; or, one time in four, one of a few keys most
 * pairs have.  Kind 1: empty; kind 2: one key; kind 3: a word of 1 to 6
 * lower-case Cyrillic letters (а..п are 0xd0 0xb0-0xbf, р..я 0xd1
 * 0x80-0x8f), as the word index's keys are, or one time in eight a key
 * of digits.
 */
static size_t
make_key(unsigned char *k, int kind)
{
	static const unsigned char bytes[] = { 0, 1, 'a', 'b', 0x7f, 0x80,
	    0xd0, 0xd1, 0xff };
	static const char *const hot[] = { "\x01\xd0\xb8", "\x01\xd0",
	    "\x01\xd0\xb8\xd0\xb2", "abcdefgh" };
	size_t	len, i, j;

	if (kind == 1)
		return (0);
	if (kind == 2) {
		memcpy(k, "the one key", 11);
		return (11);
	}
	if (kind == 3) {
		len = 1 + rnd() % 6;
		if (rnd() % 8 == 0) {
			for (i = 0; i < len; i++)
				k[i] = (unsigned char)('0' + rnd() % 10);
			return (len);
		}
		for (i = 0; i < len; i++) {
			j = rnd() % 32;
			k[2 * i] = j < 16 ? 0xd0 : 0xd1;
			k[2 * i + 1] = (unsigned char)(j < 16 ? 0xb0 + j :
			    0x80 + j - 16);
		}
		return (2 * len);
	}
	if (rnd() % 4 == 0) {
		i = rnd() % 4;
		len = strlen(hot[i]);
		memcpy(k, hot[i], len);
		return (len);
	}
	len = rnd() % 25;
	for (i = 0; i < len; i++)
		k[i] = i < 10 && rnd() % 3 != 0 ? "stemstem\xd0\xb8"[i] :
		    bytes[rnd() % sizeof(bytes)];
	return (len);
}

/* n pairs of keys of a kind sorted and grouped, then checked. */
static void
check(const char *what, size_t n, int kind)
{
	struct store_pairs p;
	struct ref	*r;
	unsigned char	 k[32];
	const char	*keys;
	size_t		 i, len, bad = SIZE_MAX, badgroup = SIZE_MAX;

	memset(&p, 0, sizeof(p));
	buf_init(&p.keys);
	for (i = 0; i < n; i++) {
		len = make_key(k, kind);
		pairs_add(&p, k, len, i);
	}
	r = xreallocarray(NULL, n ? n : 1, sizeof(*r));
	keys = p.keys.data;
	for (i = 0; i < n; i++) {
		r[i].p = (const unsigned char *)keys + p.v[i].off;
		r[i].len = p.v[i].len;
		r[i].id = p.v[i].id;
	}
	qsort(r, n, sizeof(*r), ref_cmp);
	pairs_group(&p);
	keys = p.keys.data;
	for (i = 0; i < n && bad == SIZE_MAX; i++)
		if (p.v[i].id != r[i].id || p.v[i].len != r[i].len ||
		    memcmp(keys + p.v[i].off, r[i].p, r[i].len) != 0)
			bad = i;
	for (i = 0; i < n && badgroup == SIZE_MAX; i++)
		if (p.v[i].head != (i > 0 && r[i].len == r[i - 1].len &&
		    memcmp(r[i].p, r[i - 1].p, r[i].len) == 0))
			badgroup = i;
	if (!ok(bad == SIZE_MAX, "%s: %zu pairs in key order, then in the "
	    "order they came", what, n))
		printf("# first out of place at %zu\n", bad);
	if (!ok(badgroup == SIZE_MAX, "%s: each pair marked when its key "
	    "is the one before's", what))
		printf("# first wrong mark at %zu\n", badgroup);
	free(r);
	pairs_release(&p);
}

/*
 * A bulk load's short-prefix keys kept apart (prefix.c): rows of 1 to 3
 * prefix keys each out of nkeys, in blocks of 64 rows taken in turn by
 * two sets (the producer's and the key thread's), the second with keys
 * numbered in another order, merged by row and grouped, against the
 * reference: the distinct keys in byte order (the shorter first), each
 * with the rows that had it, ascending.  The keys are the mark byte and
 * one to three Cyrillic letters, as index_search_prefixes() makes them,
 * so keys of three lengths share their first bytes.
 */
static void
check_prefixes(const char *what, size_t nrows, size_t nkeys)
{
	struct store_pairs a, b;
	struct store_prefixes *pre;
	unsigned char	(*key)[8], (*sorted)[8], *seen;
	size_t		*klen, *expect, i, j, k, r, s, e, n, nk = 0, tot = 0;
	size_t		 badkey = SIZE_MAX, badrows = SIZE_MAX;
	struct ref	*ref;

	key = xreallocarray(NULL, nkeys, sizeof(*key));
	klen = xreallocarray(NULL, nkeys, sizeof(*klen));
	for (k = 0; k < nkeys; k++) {
		/* The mark, then 1-3 letters of а..я, the digits of k / 3
		 * in base 32. */
		key[k][0] = 0x01;
		n = 1 + k % 3;
		for (j = 0, e = k / 3; j < n; j++, e /= 32) {
			key[k][1 + 2 * j] = e % 32 < 16 ? 0xd0 : 0xd1;
			key[k][2 + 2 * j] = (unsigned char)(e % 32 < 16 ?
			    0xb0 + e % 32 : 0x80 + e % 32 - 16);
		}
		klen[k] = 1 + 2 * n;
	}
	/* Each distinct once (a row's keys are, keyset_uniq()), in
	 * order: the reference. */
	ref = xreallocarray(NULL, nkeys, sizeof(*ref));
	for (k = 0; k < nkeys; k++) {
		ref[k].p = key[k];
		ref[k].len = klen[k];
		ref[k].id = 0;
	}
	qsort(ref, nkeys, sizeof(*ref), ref_cmp);
	for (i = 0, k = 0; i < nkeys; i++)
		if (k == 0 || ref_cmp(&ref[i], &ref[k - 1]) != 0)
			ref[k++] = ref[i];
	nkeys = k;
	sorted = xreallocarray(NULL, nkeys ? nkeys : 1, sizeof(*sorted));
	for (k = 0; k < nkeys; k++) {
		memcpy(sorted[k], ref[k].p, ref[k].len);
		klen[k] = ref[k].len;
	}
	/* Key k is now the k-th distinct in order, and ref[k] it. */
	free(key);
	key = sorted;
	for (k = 0; k < nkeys; k++)
		ref[k].p = key[k];
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.pre = prefixes_new();
	b.pre = prefixes_new();
	seen = xcalloc(nrows, nkeys);
	for (r = 0; r < nrows; r++) {
		pre = (r / 64) % 2 ? b.pre : a.pre;
		n = 1 + r % 3;
		for (j = 0; j < n; j++) {
			/* b numbers its keys from the other end. */
			k = (r * 7 + j * 13) % nkeys;
			if (pre == b.pre)
				k = nkeys - 1 - k;
			if (seen[r * nkeys + k])
				continue;
			seen[r * nkeys + k] = 1;
			prefixes_add(pre, key[k], klen[k], (uint32_t)r);
			tot++;
		}
	}
	pairs_merge(&a, &b);
	pairs_group(&a);
	pre = a.pre;
	expect = xreallocarray(NULL, nrows ? nrows : 1, sizeof(*expect));
	for (i = 0; i < nkeys; i++) {
		/* Its rows: those that had it; a key no row had is not
		 * there. */
		for (r = 0, e = 0; r < nrows; r++)
			if (seen[r * nkeys + i])
				expect[e++] = r;
		if (e == 0)
			continue;
		if (nk >= pre->nkeys || pre->len[pre->order[nk]] !=
		    ref[i].len || memcmp(pre->keys.data +
		    pre->off[pre->order[nk]], ref[i].p, ref[i].len) != 0) {
			if (badkey == SIZE_MAX)
				badkey = nk;
			nk++;
			continue;
		}
		s = pre->start[nk];
		if (pre->start[nk + 1] - s != e && badrows == SIZE_MAX)
			badrows = nk;
		for (j = 0; j < e && badrows == SIZE_MAX; j++)
			if (pre->rows[s + j] != expect[j])
				badrows = nk;
		nk++;
	}
	ok(nk == pre->nkeys && badkey == SIZE_MAX, "%s: %zu distinct "
	    "prefix keys in byte order, the shorter first", what, nk);
	if (!ok(badrows == SIZE_MAX && pre->start[pre->nkeys] == tot,
	    "%s: each key's %zu rows in all, ascending, from both sets",
	    what, tot))
		printf("# first wrong at key %zu\n", badrows);
	ok(b.pre == NULL && b.n == 0, "%s: the merged set emptied", what);
	pairs_reset(&a);
	ok(a.pre != NULL && a.pre->nkeys == 0 && a.pre->n == 0 &&
	    !a.pre->grouped, "%s: reset, nothing left", what);
	prefixes_add(a.pre, key[0], klen[0], 5);
	pairs_group(&a);
	ok(a.pre->nkeys == 1 && a.pre->start[1] == 1 && a.pre->rows[0] == 5,
	    "%s: used again after a reset", what);
	pairs_release(&a);
	free(expect);
	free(seen);
	free(ref);
	free(key);
	free(klen);
}

int
main(void)
{
	check("a few keys", 50, 0);
	check("a thousand keys", 1000, 0);
	check("keys with bytes alike", 9000, 0);
	check("many keys", 300000, 0);
	check("more keys", 1000003, 0);
	check("keys in two threads", 1100000, 0);
	check("words in two threads", 1300000, 3);
	check("one key in two threads", 1048576, 2);
	check("empty keys", 20000, 1);
	check("one key", 20000, 2);
	check("no key", 0, 0);
	check_prefixes("a few prefix keys", 500, 12);
	check_prefixes("prefix keys past the first table", 3000, 1800);
	check_prefixes("rows of one set only", 40, 9);
	return (tap_done());
}
