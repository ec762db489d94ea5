/*
 * queue.c: index changes held in a transaction and written at its end,
 * sorted.  Each change is (group, key, id, add or remove); a group is
 * one index (rec.c) or one table's word index (words.c).  Sorted by
 * group, key, id and then the order they came in, so a writer goes
 * through each index from one end to the other, and the changes of one
 * (key, id) lie together, oldest first.  Never prints, never writes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

void
queue_add(struct store_queue *q, uint32_t group, const void *key,
    size_t len, uint64_t id, int add)
{
	struct store_qop *o;

	if (q->n == q->alloc) {
		/* Small at first: rec.c makes a queue for the few
		 * changes of a record's unique indexes at every write. */
		q->alloc = q->alloc ? q->alloc * 2 : 16;
		q->ops = xreallocarray(q->ops, q->alloc, sizeof(*q->ops));
	}
	q->sorted = 0;
	o = &q->ops[q->n++];
	o->head = key_head(key, len);
	o->off = q->keys.len;
	o->len = (uint32_t)len;
	o->group = group;
	o->id = id;
	o->add = add;
	buf_add(&q->keys, key, len);
}

size_t
queue_bytes(const struct store_queue *q)
{
	return (q->keys.len + q->n * sizeof(*q->ops));
}

int
queue_cmp(const struct store_qop *a, const char *akeys,
    const struct store_qop *b, const char *bkeys)
{
	int	c;

	/*
	 * Any total order that groups equal keys will do; the first 8
	 * bytes as a number decide most comparisons without memcmp().
	 */
	if (a->group != b->group)
		return (a->group < b->group ? -1 : 1);
	if ((c = key_cmp_headed(a->head, akeys + a->off, a->len, b->head,
	    bkeys + b->off, b->len)) != 0)
		return (c);
	if (a->id != b->id)
		return (a->id < b->id ? -1 : 1);
	return (0);
}

/*
 * The sort, of small handles (group, key head, place): settled by the
 * handle alone where the heads differ; equal ones compare the changes
 * themselves (the rest of the key, the id, then the order they came in,
 * as the place is).  Then the changes are put in that order.
 * qsort_r() with a comparison function was a sixth of a writer's time
 * (defer.c sorts each transaction's changes), a merge sort of the
 * handles a tenth: 5.6 ms for the 39,000 changes of a transaction of
 * 1,000 parties.  So a queue of many changes is sorted first by group
 * and head with a stable radix sort, a byte a pass (bytes the same in
 * every handle skipped: the groups' high ones, often the heads' first),
 * which compares nothing; then each run of handles with one group and
 * one head, still in the order the changes came, is merge sorted only
 * where it is not in order already.  Such runs are most of the changes
 * (a record's short word prefixes, "ив", "иван", come again in most
 * records of a batch) and nearly all in order (the ids ascend as the
 * records came): 3.3 ms for the same transaction, the same order.
 * A queue of few changes (a record's or a few, most transactions) is
 * merge sorted at once: the counts of the radix sort cost more.
 */
struct qh {
	uint64_t	 head;
	uint32_t	 group;
	uint32_t	 i;
};

#define QUEUE_RADIX_MIN	1024	/* changes, below which the merge sort */

static inline int
qh_le(const struct qh *a, const struct qh *b, const struct store_queue *q)
{
	const struct store_qop *x, *y;
	int		 c;

	if (a->group != b->group)
		return (a->group < b->group);
	if (a->head != b->head)
		return (a->head < b->head);
	x = &q->ops[a->i];
	y = &q->ops[b->i];
	if ((c = queue_cmp(x, q->keys.data, y, q->keys.data)) != 0)
		return (c < 0);
	return (a->i <= b->i);	/* stable: the order they came in */
}

static void
qh_sort(struct qh *v, struct qh *tmp, size_t n, const struct store_queue *q)
{
	size_t	 m = n / 2, i, j, k;

	if (n < 2)
		return;
	if (n <= 8) {
		/* Insertion, for the small runs. */
		for (i = 1; i < n; i++) {
			struct qh	x = v[i];

			for (j = i; j > 0 && !qh_le(&v[j - 1], &x, q); j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	qh_sort(v, tmp, m, q);
	qh_sort(v + m, tmp, n - m, q);
	if (qh_le(&v[m - 1], &v[m], q))
		return;		/* in order already */
	memcpy(tmp, v, m * sizeof(*v));
	for (i = 0, j = m, k = 0; i < m && j < n;)
		v[k++] = qh_le(&tmp[i], &v[j], q) ? tmp[i++] : v[j++];
	while (i < m)
		v[k++] = tmp[i++];
}

/*
 * The radix sort of n handles at v by group and head, tmp as large;
 * returns where they are sorted (v or tmp), the other one free.  The
 * counts of every byte come from one pass; bytes 0-7 are the head's,
 * least significant first, 8-11 the group's.
 */
#define QH_BYTES	12

static struct qh *
qh_radix(struct qh *v, struct qh *tmp, size_t n)
{
	size_t			 count[QH_BYTES][256], i, sum, c;
	struct qh		*src = v, *dst = tmp, *sw;
	unsigned		 b, sh, byte;

	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++) {
		for (b = 0; b < 8; b++)
			count[b][(v[i].head >> (8 * b)) & 0xff]++;
		for (b = 0; b < 4; b++)
			count[8 + b][(v[i].group >> (8 * b)) & 0xff]++;
	}
	for (b = 0; b < QH_BYTES; b++) {
		sh = 8 * (b & 7);
		byte = b < 8 ? (unsigned)(src[0].head >> sh) & 0xff :
		    (src[0].group >> sh) & 0xff;
		if (count[b][byte] == n)
			continue;	/* the same in every handle */
		for (sum = 0, c = 0; c < 256; c++) {
			i = count[b][c];
			count[b][c] = sum;
			sum += i;
		}
		if (b < 8)
			for (i = 0; i < n; i++)
				dst[count[b][(src[i].head >> sh) & 0xff]++] =
				    src[i];
		else
			for (i = 0; i < n; i++)
				dst[count[b][(src[i].group >> sh) & 0xff]++] =
				    src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	return (src);
}

/*
 * After qh_radix(): each run of the n handles at s with one group and
 * head, in the order the changes came, merge sorted where it is not in
 * order already; tmp is scratch as large.
 */
static void
qh_ties(struct qh *s, struct qh *tmp, size_t n, const struct store_queue *q)
{
	size_t	i, j, k;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && s[j].head == s[i].head &&
		    s[j].group == s[i].group; j++)
			;
		for (k = i + 1; k < j && qh_le(&s[k - 1], &s[k], q); k++)
			;
		if (k < j)
			qh_sort(s + i, tmp, j - i, q);
	}
}

void
queue_sort(struct store_queue *q)
{
	struct qh	*v, *tmp, *s;
	struct store_qop *ops;
	size_t		 i;

	if (q->n > 1 && !q->sorted) {
		v = xreallocarray(NULL, q->n, sizeof(*v));
		tmp = xreallocarray(NULL, q->n, sizeof(*tmp));
		for (i = 0; i < q->n; i++) {
			v[i].head = q->ops[i].head;
			v[i].group = q->ops[i].group;
			v[i].i = (uint32_t)i;
		}
		if (q->n < QUEUE_RADIX_MIN) {
			qh_sort(v, tmp, q->n, q);
			s = v;
		} else {
			s = qh_radix(v, tmp, q->n);
			qh_ties(s, s == v ? tmp : v, q->n, q);
		}
		ops = xreallocarray(NULL, q->alloc, sizeof(*ops));
		for (i = 0; i < q->n; i++)
			ops[i] = q->ops[s[i].i];
		free(q->ops);
		q->ops = ops;
		free(v);
		free(tmp);
	}
	q->sorted = 1;
}

size_t
queue_run(const struct store_queue *q, size_t i)
{
	const struct store_qop *o = &q->ops[i];
	size_t		 j;

	for (j = i + 1; j < q->n && q->ops[j].group == o->group &&
	    q->ops[j].id == o->id && q->ops[j].len == o->len &&
	    memcmp(q->keys.data + q->ops[j].off, q->keys.data + o->off,
	    o->len) == 0; j++)
		;
	return (j);
}

void
queue_reset(struct store_queue *q)
{
	q->n = 0;
	q->sorted = 0;
	buf_reset(&q->keys);
}

void
queue_init(struct store_queue *q)
{
	memset(q, 0, sizeof(*q));
	buf_init(&q->keys);
}

void
queue_release(struct store_queue *q)
{
	buf_release(&q->keys);
	free(q->ops);
	queue_init(q);
}

void
queue_free(struct store_queue **qp)
{
	if (*qp == NULL)
		return;
	queue_release(*qp);
	free(*qp);
	*qp = NULL;
}

struct store_queue *
queue_get(struct store_queue **qp)
{
	if (*qp == NULL) {
		*qp = xmalloc(sizeof(**qp));
		queue_init(*qp);
	}
	return (*qp);
}

/*
 * The changes that take a record's keys from a to b (both sorted and
 * unique, record/keys.c): a removal of each key only a has, an addition
 * of each key only b has.
 */
void
queue_diff(struct store_queue *q, uint32_t group, const struct keyset *a,
    const struct keyset *b, uint64_t id)
{
	size_t	i = 0, j = 0;
	int	c;

	while (i < a->n || j < b->n) {
		c = i == a->n ? 1 : j == b->n ? -1 : keyset_cmp(a, i, b, j);
		if (c < 0) {
			queue_add(q, group, a->bytes.data + a->off[i],
			    a->len[i], id, 0);
			i++;
		} else if (c > 0) {
			queue_add(q, group, b->bytes.data + b->off[j],
			    b->len[j], id, 1);
			j++;
		} else {
			i++;
			j++;
		}
	}
}
