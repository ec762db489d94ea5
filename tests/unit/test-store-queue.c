/*
 * test-store-queue: queue_sort(), which orders a transaction's index
 * changes before the indexer merges them (defer.c) and a transaction's
 * own before it writes them, against a plain stable sort by group, key
 * bytes (as unsigned, the shorter first) and id, then the order the
 * changes came in.  Queues of a few changes (merge sorted) and of many
 * (radix sorted by group and key head, then runs of one head sorted
 * where they are not in order), shaped as a transaction's are: records
 * one after another, each with its keys of each index in order, the word
 * index's short prefixes again in most records; with ids that ascend, as
 * inserts give them, and ids that do not, as updates do; groups that
 * differ in every byte; keys that share their first 8 bytes and more,
 * shorter than a head, empty; and the same change twice, whose order
 * must stay as it came.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "tap.h"

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (rnd_state);
}

/* A change of the reference, with its place as it came. */
struct ref {
	uint32_t	 group;
	const unsigned char *p;
	size_t		 len;
	uint64_t	 id;
	size_t		 place;
};

static int
ref_cmp(const void *va, const void *vb)
{
	const struct ref *a = va, *b = vb;
	size_t		 i, n = a->len < b->len ? a->len : b->len;

	if (a->group != b->group)
		return (a->group < b->group ? -1 : 1);
	for (i = 0; i < n; i++)
		if (a->p[i] != b->p[i])
			return (a->p[i] < b->p[i] ? -1 : 1);
	if (a->len != b->len)
		return (a->len < b->len ? -1 : 1);
	if (a->id != b->id)
		return (a->id < b->id ? -1 : 1);
	return (a->place < b->place ? -1 : a->place > b->place);
}

static const uint32_t groups[] = {
	0x10000, 0x10001, 0x10002, 0x1000b, 0x80000001, 0x7f, 0xff00ff00,
	0x00010100,
};
#define NGROUPS	(sizeof(groups) / sizeof(groups[0]))

/*
 * One key: one of a few short prefixes most records have (one time in
 * three), or a stem that shares its first 10 bytes with others and a
 * tail of bytes where order is easy to get wrong (0, 0x7f, 0x80, 0xff),
 * 0 to 20 bytes long.
 */
static size_t
make_key(unsigned char *k)
{
	static const char *common[] = { "\xd0\xb8\xd0\xb2", "\xd0\xb8",
	    "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd", "7916", "" };
	static const unsigned char odd[] = { 0, 1, 0x7f, 0x80, 0xfe, 0xff };
	size_t	len, i;

	if (rnd() % 3 == 0) {
		const char *c = common[rnd() % 5];

		len = strlen(c);
		memcpy(k, c, len);
		return (len);
	}
	len = rnd() % 21;
	for (i = 0; i < len; i++)
		k[i] = i < 10 ? (unsigned char)("\xd0\xbf\xd0\xb5\xd1\x82"
		    "\xd1\x80\xd0\xbe"[i] + (rnd() % 4 == 0)) :
		    odd[rnd() % 6];
	return (len);
}

/*
 * A queue of about n changes made as a transaction makes them, and
 * checked against the reference.  ascend: the records' ids ascend as
 * they come (inserts); else they come in any order (updates), and some
 * change comes twice.
 */
static void
check(size_t n, int ascend, const char *what)
{
	struct store_queue q;
	struct ref	*r;
	unsigned char	 k[32];
	size_t		 i, bad = SIZE_MAX, nk, j;
	uint64_t	 id = 1000;
	unsigned	 g;

	queue_init(&q);
	while (q.n < n) {
		id = ascend ? id + 1 + rnd() % 3 : rnd() % 200;
		for (g = 0; g < NGROUPS && q.n < n; g++) {
			nk = g == 4 ? 1 + rnd() % 12 : rnd() % 3;
			for (j = 0; j < nk && q.n < n; j++) {
				size_t	len = make_key(k);

				/* The place rides in add: queue_sort()
				 * keeps it as it is. */
				queue_add(&q, groups[g], k, len, id,
				    (int)q.n);
				if (!ascend && rnd() % 50 == 0 && q.n < n)
					queue_add(&q, groups[g], k, len, id,
					    (int)q.n);
			}
		}
	}
	r = xreallocarray(NULL, q.n + 1, sizeof(*r));
	for (i = 0; i < q.n; i++) {
		r[i].group = q.ops[i].group;
		r[i].p = (const unsigned char *)q.keys.data + q.ops[i].off;
		r[i].len = q.ops[i].len;
		r[i].id = q.ops[i].id;
		r[i].place = (size_t)q.ops[i].add;
	}
	qsort(r, q.n, sizeof(*r), ref_cmp);
	queue_sort(&q);
	for (i = 0; i < q.n && bad == SIZE_MAX; i++)
		if ((size_t)q.ops[i].add != r[i].place ||
		    q.ops[i].group != r[i].group || q.ops[i].id != r[i].id ||
		    q.ops[i].len != r[i].len ||
		    memcmp(q.keys.data + q.ops[i].off, r[i].p, r[i].len) != 0)
			bad = i;
	ok(bad == SIZE_MAX, "%s, %zu changes: in the reference's order%s",
	    what, q.n, bad == SIZE_MAX ? "" : " (not at some change)");
	if (bad != SIZE_MAX)
		diag("first difference at %zu: change %d, the reference's %zu",
		    bad, q.ops[bad].add, r[bad].place);
	ok(q.sorted, "%s, %zu changes: marked sorted", what, q.n);
	free(r);
	queue_release(&q);
}

int
main(void)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 9, 100, 1023, 1024,
	    1025, 5000, 40000 };
	size_t	 i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		check(sizes[i], 1, "ids ascending");
		check(sizes[i], 0, "ids in any order");
	}

	/* Every change in one group with one head: all ties. */
	{
		struct store_queue q;
		size_t	 bad = 0;

		queue_init(&q);
		for (i = 0; i < 3000; i++)
			queue_add(&q, 5, "same-headXY", 9 + (i % 3 == 0),
			    3000 - i / 2, (int)i);
		queue_sort(&q);
		for (i = 1; i < q.n; i++) {
			const struct store_qop *a = &q.ops[i - 1],
			    *b = &q.ops[i];

			if (a->len > b->len || (a->len == b->len &&
			    (a->id > b->id || (a->id == b->id &&
			    a->add > b->add))))
				bad++;
		}
		ok(bad == 0, "3,000 changes of one head: by the rest of the "
		    "key, the id, then as they came (%zu out of order)", bad);
		queue_release(&q);
	}
	/*
	 * One change of many with another byte of its head, and one with
	 * another group: no pass of the radix sort may be skipped for
	 * them.
	 */
	{
		struct store_queue q;

		queue_init(&q);
		for (i = 0; i < 2000; i++)
			queue_add(&q, 5, "abcdefgh", 8, i, (int)i);
		queue_add(&q, 5, "abcdefga", 8, 9, 2000);
		queue_add(&q, 4, "abcdefgh", 8, 9, 2001);
		queue_sort(&q);
		ok(q.ops[0].add == 2001 && q.ops[1].add == 2000 &&
		    q.ops[2].add == 0 && q.ops[q.n - 1].add == 1999,
		    "one change in another group, one with a smaller head: "
		    "first, in that order");
		queue_release(&q);
	}
	return (tap_done());
}
