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
	o = &q->ops[q->n++];
	o->head = key_head(key, len);
	o->off = q->keys.len;
	o->len = (uint32_t)len;
	o->group = group;
	o->id = id;
	o->seq = q->seq++;
	o->add = add;
	buf_add(&q->keys, key, len);
}

size_t
queue_bytes(const struct store_queue *q)
{
	return (q->keys.len + q->n * sizeof(*q->ops));
}

static int
qop_cmp(const void *va, const void *vb, void *arg)
{
	const struct store_qop *a = va, *b = vb;
	const char	*keys = arg;
	int		 c;

	/*
	 * Any total order that groups equal keys will do; the first 8
	 * bytes as a number decide most comparisons without memcmp().
	 */
	if (a->group != b->group)
		return (a->group < b->group ? -1 : 1);
	if ((c = key_cmp_headed(a->head, keys + a->off, a->len, b->head,
	    keys + b->off, b->len)) != 0)
		return (c);
	if (a->id != b->id)
		return (a->id < b->id ? -1 : 1);
	return (a->seq < b->seq ? -1 : a->seq > b->seq);
}

void
queue_sort(struct store_queue *q)
{
	/* An empty queue may have no array: qsort_r() must not see it. */
	if (q->n > 1)
		qsort_r(q->ops, q->n, sizeof(*q->ops), qop_cmp, q->keys.data);
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
	q->seq = 0;
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
