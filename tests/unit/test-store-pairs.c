/*
 * test-store-pairs: pairs_sort() and pairs_group(), which order the keys
 * a load, an index build and the indexer write, against a plain stable
 * sort by key bytes (as unsigned, the shorter first) and then by the
 * order the pairs came in: sets small enough for qsort_r() alone, and
 * sets of hundreds of thousands, which go by the heads' most significant
 * byte first down to buckets small enough for the cache, with keys that
 * share their first 8 bytes and more (so the heads tie), keys shorter
 * than a head, empty keys, duplicates, a few keys with most of the pairs
 * (as the word index's short prefixes have), and one key alone.
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
 * pairs have.
 */
static size_t
make_key(unsigned char *k, int kind)
{
	static const unsigned char bytes[] = { 0, 1, 'a', 'b', 0x7f, 0x80,
	    0xd0, 0xd1, 0xff };
	static const char *const hot[] = { "\x01\xd0\xb8", "\x01\xd0",
	    "\x01\xd0\xb8\xd0\xb2", "abcdefgh" };
	size_t	len, i;

	if (kind == 1)
		return (0);
	if (kind == 2) {
		memcpy(k, "the one key", 11);
		return (11);
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

int
main(void)
{
	check("a few keys", 50, 0);
	check("a thousand keys", 1000, 0);
	check("keys with bytes alike", 9000, 0);
	check("many keys", 300000, 0);
	check("more keys", 1000003, 0);
	check("empty keys", 20000, 1);
	check("one key", 20000, 2);
	check("no key", 0, 0);
	return (tap_done());
}
