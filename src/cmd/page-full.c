/*
 * page-full.c: the whole orders of lists that no index orders, or that
 * an index orders with rows of no key in it (struct page_full): their
 * keys, the radix sort, the thread that reads them, their keeping right
 * across writes, and a page's rows from them (page_full_exec).  Must
 * not print or change anything; its reading thread holds a reference
 * and counts in page_full_running, so that cmd_page_stop() waits for
 * it before the store closes.
 *
 * Lists sorted where no index gives the order: by a field without one,
 * or by several keys ("status,-name").  The query engine sorts every
 * row for each page (2.4 s a page at 1,000,000 parties), so the server
 * keeps the list's whole order instead (struct page_full): every live
 * record's id with its sort key, read by one scan of the records'
 * bytes and sorted once (about a second at 1,000,000), then kept right
 * across writes by the store's change journal.  A page is then a
 * binary search and a walk in memory, and the 51 records it shows.
 *
 * The key of a row is all its sort keys in one string that memcmp
 * orders as the list: each part is 0x01 and the field's value: a number
 * as a byte saying its sign and length and then its significant bytes
 * (page_int_part), else the field's index key (a text's fold key, a
 * multi-valued field's least) with 0x00 escaped as 0x00 0xff and ended
 * by 0x00 0x00; its bytes inverted for a descending part.  A part with
 * no value is 0x02, after every value in either direction, as the lists
 * by an
 * index have it (the query engine puts them first when ascending).
 * Equal keys go by id, backward when the last key is descending, as
 * the engine has them.
 *
 * Writes since the order was read (the journal's ids) are applied at
 * the next page: each such id leaves the sorted array (its slot is
 * marked dead, its key stays for the binary search) and, loaded again,
 * joins a small sorted side array; past PAGE_FULL_SIDE of them the two
 * are merged.  When the journal cannot say (too much written), the
 * order is read again.  Ids must fit 32 bits, else the engine answers.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "page_int.h"

#define PAGE_FULL_KEEP		4	/* orders kept, least used dropped */
#define PAGE_FULL_SIDE		256	/* written rows before a merge */
#define PAGE_FULL_SLICE		100000	/* records read per transaction */
#define PAGE_FULL_PARTS		8	/* sort keys at most */

struct page_fent {
	uint64_t	 pfx;		/* its first 8 bytes, big-endian */
	uint32_t	 id;		/* 0: dead (written since) */
	uint32_t	 len;
	uint64_t	 off;		/* the key in keys */
};

struct page_full {
	struct page_cached	 c;		/* first */
	const struct table	*table;
	char			*sort;
	const struct field	*f[PAGE_FULL_PARTS];	/* NULL: the id */
	int			 desc[PAGE_FULL_PARTS];
	int			 kind[PAGE_FULL_PARTS];
	size_t			 nparts;
	int			 iddesc;	/* ties: ids descending */
	int			 ixfmt;		/* positions as its index's */

	int			 stop;		/* the server is closing */
	uint64_t		 progress;	/* records read so far (atomic) */

	pthread_mutex_t		 lock;		/* all below */
	int			 ready, broken;
	uint64_t		 jseq;		/* read up to this commit */
	struct page_fent	*ent;		/* sorted by (key, id) */
	size_t			 n, cap, ndead;
	struct page_fent	*side;		/* written since, sorted */
	size_t			 nside, maxside;
	uint32_t		*rank;		/* by id: slot in ent + 1 */
	size_t			 nrank;
	struct buf		 keys;

};

static struct page_cached *page_fulls;

/* The parts of a sort the order can take, or -1 (the engine's). */
static int
page_full_parse(struct page_full *fo, const struct table *t, const char *sort)
{
	char		*copy, *p, *name;
	ssize_t		 pos;
	int		 r = 0, desc;

	copy = p = xstrdup(sort);
	while (r == 0 && (name = strsep(&p, ",")) != NULL) {
		desc = *name == '-';
		if (desc)
			name++;
		if (fo->nparts == PAGE_FULL_PARTS) {
			r = -1;
			break;
		}
		fo->desc[fo->nparts] = desc;
		if (strcmp(name, "id") == 0) {
			fo->f[fo->nparts++] = NULL;
			continue;
		}
		/* A path through a reference ("party.city") is the
		 * engine's; a reference itself would sort by number. */
		if ((pos = table_field_pos(t, name)) < 0 ||
		    t->fields[pos].type == FT_REF) {
			r = -1;
			break;
		}
		/* The kind store_page_key() takes for an index; numbers
		 * as numbers and texts by fold key without one. */
		fo->f[fo->nparts] = &t->fields[pos];
		fo->kind[fo->nparts++] = (t->fields[pos].index & IX_FOLDED) ?
		    IX_FOLDED : (t->fields[pos].index & IX_EXACT) ? IX_EXACT :
		    (t->fields[pos].index & IX_UNIQUE) ? IX_UNIQUE :
		    FT_IS_INT(t->fields[pos].type) ? IX_EXACT : IX_FOLDED;
	}
	free(copy);
	/* Ties by id backward when the last key is descending, as the
	 * engine has them (and an index walked backward). */
	if (fo->nparts > 0)
		fo->iddesc = fo->desc[fo->nparts - 1];
	return (fo->nparts == 0 ? -1 : r);
}

/* One part of a key (see above); ks is scratch. */
static void
page_full_part(struct buf *out, const void *k, size_t len, int desc)
{
	const unsigned char	*b = k;
	unsigned char		 x = desc ? 0xff : 0;
	size_t			 i;

	buf_addch(out, 0x01);
	if (memchr(b, 0, len) == NULL) {
		/* Nothing to escape (a fold key has no 0x00). */
		i = out->len;
		buf_add(out, b, len);
		for (; x != 0 && i < out->len; i++)
			out->data[i] = (char)((unsigned char)out->data[i] ^ x);
	} else for (i = 0; i < len; i++) {
		buf_addch(out, b[i] ^ x);
		if (b[i] == 0)
			buf_addch(out, 0xff ^ x);
	}
	buf_addch(out, 0x00 ^ x);
	buf_addch(out, 0x00 ^ x);
}

/*
 * A number as a part: 0x80 + n then n bytes of it for n >= 0, 0x7f - n
 * then n bytes of 2^8n - 1 - ~v below 0 (n the bytes it needs), so the
 * bytes order as the numbers and a date takes 3 bytes, not 8.
 */
static void
page_int_part(struct buf *out, int64_t v, int desc)
{
	unsigned char	 x = desc ? 0xff : 0;
	uint64_t	 w = v >= 0 ? (uint64_t)v : ~(uint64_t)v;
	int		 n = 0, i;

	for (i = 0; i < 8 && (w >> (8 * i)) != 0; i++)
		n++;
	if (v < 0)
		w = ~w;
	buf_addch(out, 0x01);		/* a value, before none either way */
	buf_addch(out, (v >= 0 ? 0x80 + n : 0x7f - n) ^ x);
	for (i = n - 1; i >= 0; i--)
		buf_addch(out, (unsigned char)(w >> (8 * i)) ^ x);
}

/* The number of a part page_int_part() made (without its 0x01). */
static int64_t
page_int_unpart(const unsigned char *b, size_t len, int desc)
{
	unsigned char	 x = desc ? 0xff : 0;
	uint64_t	 w = 0;
	int		 h, n, i, neg;

	if (len == 0)
		return (0);
	h = b[0] ^ x;
	neg = h < 0x80;
	n = neg ? 0x7f - h : h - 0x80;
	if (n > 8 || (size_t)n + 1 > len)
		return (0);
	for (i = 0; i < n; i++)
		w = w << 8 | (unsigned char)(b[1 + i] ^ x);
	if (neg)
		w = n == 8 ? w : w | (~UINT64_C(0) << (8 * n));
	return ((int64_t)w);
}

/* The key of a record given as its encoded bytes, appended to out. */
static void
page_full_key(const struct page_full *fo, uint64_t id, const void *data,
    size_t len, struct keyset *ks, struct buf *out)
{
	struct value	 v;
	size_t		 i;

	for (i = 0; i < fo->nparts; i++) {
		keyset_reset(ks);
		if (fo->f[i] == NULL) {
			page_int_part(out, (int64_t)id, fo->desc[i]);
			continue;
		}
		if (record_decode_field(data, len, fo->f[i]->id, &v) != 1)
			v.set = 0;
		else if (v.set && FT_IS_INT(fo->f[i]->type) &&
		    !fo->f[i]->multi) {
			page_int_part(out, v.i, fo->desc[i]);
			continue;
		}
		if (v.set)
			index_value_keys(fo->f[i], &v, fo->kind[i], ks);
		if (ks->n == 0)
			buf_addch(out, 0x02);
		else
			page_full_part(out, ks->bytes.data + ks->off[0],
			    ks->len[0], fo->desc[i]);
	}
}

static int
page_fent_cmp2(const struct page_full *fo, const struct page_fent *a,
    const void *bk, size_t bl, uint64_t bid)
{
	int	c;

	c = memcmp(fo->keys.data + a->off, bk, a->len < bl ? a->len : bl);
	if (c == 0)
		c = a->len < bl ? -1 : a->len > bl;
	if (c == 0)
		c = fo->iddesc ? (a->id > bid ? -1 : a->id < bid) :
		    (a->id < bid ? -1 : a->id > bid);
	return (c < 0 ? -1 : c > 0);
}

/* qsort_r's: (key, id); the first 8 bytes of each at hand. */
static int
page_fent_cmp(const void *a, const void *b, void *arg)
{
	const struct page_full	*fo = arg;
	const struct page_fent	*x = a, *y = b;

	if (x->pfx != y->pfx)
		return (x->pfx < y->pfx ? -1 : 1);
	return (page_fent_cmp2(fo, x, fo->keys.data + y->off, y->len, y->id));
}

/* The first 8 bytes of a key as a number that orders as they do. */
static uint64_t
page_fent_pfx(const char *key, size_t len)
{
	uint64_t	p = 0;
	size_t		i;

	for (i = 0; i < 8; i++)
		p = p << 8 | (i < len ? (unsigned char)key[i] : 0);
	return (p);
}

/* Byte depth of e's key + 1, or 0 past its end (before every byte); its
 * pfx holds the 8 bytes from depth rounded down to 8 (page_full_radix). */
static unsigned
page_fent_byte(const struct page_fent *e, size_t depth)
{
	if (depth >= e->len)
		return (0);
	return ((unsigned)(e->pfx >> (56 - 8 * (depth % 8)) & 0xff) + 1);
}

/*
 * A most-significant-byte radix sort of the entries (read in id order)
 * by their keys, stable, so equal keys keep their ids ascending (turned
 * round when the last sort key descends): a million keys in a few
 * passes over the entries, over the 8 bytes each holds, where qsort_r()
 * made 20 comparisons an entry, each a memcmp() of keys spread over the
 * arena.  Past 8 bytes a run's entries take the next 8 of their keys
 * (all of them share what came before), so the arena is read once per 8
 * levels; the caller sets pfx back.  Short runs, and runs still tied
 * deep into long keys, go to qsort_r() (pfx, the same for all of a run
 * up to where it is, compares as the keys do).
 */
static void
page_full_radix(struct page_full *fo, struct page_fent *a,
    struct page_fent *tmp, size_t n, size_t depth)
{
	size_t		 cnt[257], pos[257], i, j, b;
	struct page_fent e;

	for (;;) {
		if (n < 32 || depth > 256) {
			qsort_r(a, n, sizeof *a, page_fent_cmp, fo);
			return;
		}
		if (depth % 8 == 0 && depth > 0)
			for (i = 0; i < n; i++)
				a[i].pfx = a[i].len > depth ? page_fent_pfx(
				    fo->keys.data + a[i].off + depth,
				    a[i].len - depth) : 0;
		memset(cnt, 0, sizeof cnt);
		for (i = 0; i < n; i++)
			cnt[page_fent_byte(&a[i], depth)]++;
		if (cnt[0] == n) {
			/* The same key throughout: by id. */
			for (i = 0, j = n - 1; fo->iddesc && i < j; i++, j--) {
				e = a[i];
				a[i] = a[j];
				a[j] = e;
			}
			return;
		}
		for (b = 1; b < 257 && cnt[b] != n; b++)
			;
		if (b == 257)
			break;
		depth++;		/* one byte for all: the next */
	}
	for (pos[0] = 0, b = 1; b < 257; b++)
		pos[b] = pos[b - 1] + cnt[b - 1];
	for (i = 0; i < n; i++)
		tmp[pos[page_fent_byte(&a[i], depth)]++] = a[i];
	memcpy(a, tmp, n * sizeof *a);
	for (i = 0, b = 0; b < 257; i += cnt[b], b++) {
		if (cnt[b] < 2)
			continue;
		if (b == 0) {
			for (j = 0; fo->iddesc && j < cnt[0] / 2; j++) {
				e = a[j];
				a[j] = a[cnt[0] - 1 - j];
				a[cnt[0] - 1 - j] = e;
			}
			continue;
		}
		page_full_radix(fo, a + i, tmp + i, cnt[b], depth + 1);
	}
}

struct page_full_read {
	struct page_full	*fo;
	struct keyset		 ks;
	uint64_t		 after;		/* the scan goes on from */
	size_t			 n0;		/* entries before this txn */
	int			 side;		/* into the side array */
	const uint64_t		*ids;		/* those to load again */
	size_t			 nids;
};

static int
page_full_fn(uint64_t id, const void *data, size_t len, void *arg)
{
	struct page_full_read	*rd = arg;
	struct page_full	*fo = rd->fo;
	struct page_fent	*e;
	size_t			 off = fo->keys.len;

	if (id >= UINT32_MAX) {
		fo->broken = 1;
		return (1);
	}
	if (rd->side) {
		if (fo->nside == fo->maxside) {
			fo->maxside = fo->maxside ? fo->maxside * 2 : 64;
			fo->side = xreallocarray(fo->side, fo->maxside,
			    sizeof *fo->side);
		}
		e = &fo->side[fo->nside++];
	} else {
		if (fo->n == fo->cap) {
			fo->cap = fo->cap ? fo->cap * 2 : 4096;
			fo->ent = xreallocarray(fo->ent, fo->cap,
			    sizeof *fo->ent);
		}
		e = &fo->ent[fo->n++];
	}
	page_full_key(fo, id, data, len, &rd->ks, &fo->keys);
	if (!rd->side && (fo->n & 4095) == 0)
		__atomic_store_n(&fo->progress, fo->n, __ATOMIC_RELAXED);
	e->id = (uint32_t)id;
	e->off = off;
	e->len = (uint32_t)(fo->keys.len - off);
	e->pfx = page_fent_pfx(fo->keys.data + off, e->len);
	return (0);
}

static int
page_full_scan_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_full_read	*rd = arg;
	struct page_full	*fo = rd->fo;
	uint64_t		 last = 0;
	int			 r;

	/* Tried again after a deadlock: from where the slice began. */
	fo->n = rd->n0;
	r = store_scan(txn, fo->table, rd->after, PAGE_FULL_SLICE, 0,
	    page_full_fn, rd, &last, err);
	if (r < 0)
		return (-1);
	rd->after = last;
	return (0);
}

/* Every slot's rank again, from ent. */
static void
page_full_ranks(struct page_full *fo)
{
	uint32_t	 max = 0;
	size_t		 i;

	for (i = 0; i < fo->n; i++)
		if (fo->ent[i].id > max)
			max = fo->ent[i].id;
	free(fo->rank);
	fo->nrank = (size_t)max + 1;
	fo->rank = xcalloc(fo->nrank, sizeof *fo->rank);
	for (i = 0; i < fo->n; i++)
		if (fo->ent[i].id != 0)
			fo->rank[fo->ent[i].id] = (uint32_t)(i + 1);
}

/* Read the whole order; fo->lock held. */
static int
page_full_read(struct page_full *fo, struct buf *err)
{
	struct page_full_read	 rd;
	struct page_fent	*tmp;
	size_t			 i;
	int			 r = 0;

	free(fo->ent);
	free(fo->side);
	free(fo->rank);
	fo->ent = fo->side = NULL;
	fo->rank = NULL;
	fo->n = fo->cap = fo->nrank = fo->ndead = fo->nside = 0;
	fo->maxside = 0;
	buf_reset(&fo->keys);
	fo->ready = fo->broken = 0;
	__atomic_store_n(&fo->progress, 0, __ATOMIC_RELAXED);
	memset(&rd, 0, sizeof rd);
	rd.fo = fo;
	keyset_init(&rd.ks);
	/* Before any reading: a write after it is in the journal. */
	fo->jseq = store_journal_seq(fo->c.store);
	while (rd.after != UINT64_MAX && !fo->broken) {
		if (__atomic_load_n(&fo->stop, __ATOMIC_RELAXED))
			return (1);
		rd.n0 = fo->n;
		if ((r = store_txn_run(fo->c.store, STORE_TXN_READONLY,
		    page_full_scan_txn, &rd, err)) != 0)
			break;
	}
	keyset_release(&rd.ks);
	if (r != 0 || fo->broken)
		return (r != 0 ? -1 : 1);
	tmp = xcalloc(fo->n ? fo->n : 1, sizeof *tmp);
	page_full_radix(fo, fo->ent, tmp, fo->n, 0);
	free(tmp);
	for (i = 0; i < fo->n; i++)
		fo->ent[i].pfx = page_fent_pfx(fo->keys.data + fo->ent[i].off,
		    fo->ent[i].len);
	page_full_ranks(fo);
	fo->ready = 1;
	return (0);
}

/* The side array and the live slots as one sorted array again. */
static void
page_full_merge(struct page_full *fo)
{
	struct page_fent	*m, *a, *b;
	struct buf		 keys = BUF_INIT;
	size_t			 i = 0, j = 0, k = 0, na = fo->n, nb = fo->nside;

	m = xcalloc(na - fo->ndead + nb + 1, sizeof *m);
	a = fo->ent;
	b = fo->side;
	while (i < na || j < nb) {
		if (i < na && a[i].id == 0) {
			i++;
			continue;
		}
		if (j >= nb || (i < na && page_fent_cmp(&a[i], &b[j],
		    fo) < 0))
			m[k] = a[i++];
		else
			m[k] = b[j++];
		/* The keys of the dead go with the old arena. */
		buf_add(&keys, fo->keys.data + m[k].off, m[k].len);
		m[k].off = keys.len - m[k].len;
		k++;
	}
	buf_release(&fo->keys);
	fo->keys = keys;
	free(fo->ent);
	fo->ent = m;
	fo->n = k;
	fo->cap = na - fo->ndead + nb + 1;
	fo->ndead = fo->nside = 0;
	page_full_ranks(fo);
}

static int
page_full_dirty_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_full_read	*rd = arg;
	struct page_full	*fo = rd->fo;

	fo->nside = rd->n0;
	return (store_fetch(txn, fo->table, rd->ids, rd->nids, 0,
	    page_full_fn, rd, err) < 0 ? -1 : 0);
}

/*
 * The commits since the order was read, applied (fo->lock held): 1 if
 * the journal cannot say, and the order is to be read again.
 */
static int
page_full_sync(struct page_full *fo, struct buf *err)
{
	struct page_full_read	 rd;
	uint64_t		*dirty, seq;
	size_t			 nd, i, k;
	int			 r;

	seq = store_journal_seq(fo->c.store);
	if (seq == fo->jseq)
		return (0);
	dirty = xcalloc(PAGE_FULL_DIRTY, sizeof *dirty);
	if (page_dirty(fo->c.store, fo->table, fo->jseq, dirty,
	    PAGE_FULL_DIRTY, &nd) != 0) {
		free(dirty);
		return (1);
	}
	if (nd == 0) {
		free(dirty);
		fo->jseq = seq;
		return (0);
	}
	/* Out of both arrays; loaded again into the side one. */
	for (i = 0; i < nd; i++) {
		if (dirty[i] < fo->nrank && fo->rank[dirty[i]] != 0) {
			fo->ent[fo->rank[dirty[i]] - 1].id = 0;
			fo->rank[dirty[i]] = 0;
			fo->ndead++;
		}
	}
	for (i = k = 0; i < fo->nside; i++)
		if (!page_has(dirty, nd, fo->side[i].id))
			fo->side[k++] = fo->side[i];
	fo->nside = k;
	memset(&rd, 0, sizeof rd);
	rd.fo = fo;
	rd.side = 1;
	rd.n0 = fo->nside;
	rd.ids = dirty;
	rd.nids = nd;
	keyset_init(&rd.ks);
	r = store_txn_run(fo->c.store, STORE_TXN_READONLY, page_full_dirty_txn,
	    &rd, err);
	keyset_release(&rd.ks);
	free(dirty);
	if (r != 0 || fo->broken)
		return (r != 0 ? -1 : 1);
	qsort_r(fo->side, fo->nside, sizeof *fo->side, page_fent_cmp, fo);
	fo->jseq = seq;
	if (fo->nside > PAGE_FULL_SIDE || fo->ndead > fo->n / 4)
		page_full_merge(fo);
	return (0);
}

static void
page_full_free(struct page_cached *c)
{
	struct page_full	*fo = (struct page_full *)c;

	free(fo->sort);
	free(fo->ent);
	free(fo->side);
	free(fo->rank);
	buf_release(&fo->keys);
	pthread_mutex_destroy(&fo->lock);
	free(fo);
}

/* Every order of the store s goes; page_order_lock held. */
void
page_full_stop(struct store *s)
{
	struct page_cached	*c;

	/* Their reading stops before the store closes. */
	for (c = page_fulls; c != NULL; c = c->next)
		if (c->store == s)
			__atomic_store_n(&((struct page_full *)c)->stop, 1,
			    __ATOMIC_RELAXED);
	while (page_full_running > 0)
		pthread_cond_wait(&page_full_done, &page_order_lock);
	page_cached_stop(&page_fulls, s);
}

/* The thread that reads an order while its list is served another way. */
static void *
page_full_build(void *arg)
{
	struct page_full	*fo = arg;
	struct buf		 err = BUF_INIT;

	page_background();
	page_test_delay();
	pthread_mutex_lock(&fo->lock);
	if (!fo->ready && !fo->broken)
		(void)page_full_read(fo, &err);
	pthread_mutex_unlock(&fo->lock);
	buf_release(&err);
	/* Read again by another thread should the journal lose it. */
	page_cached_thread_done(&fo->c);
	return (NULL);
}

/* fo read by a thread of its own, unless it is whole or being read. */
void
page_full_start(struct page_full *fo)
{
	int	ready;

	if (pthread_mutex_trylock(&fo->lock) != 0)
		return;		/* being read, or used */
	ready = fo->ready || fo->broken;
	pthread_mutex_unlock(&fo->lock);
	pthread_mutex_lock(&page_order_lock);
	if (!ready && !__atomic_load_n(&fo->stop, __ATOMIC_RELAXED))
		(void)page_cached_thread(&fo->c, page_full_build);
	pthread_mutex_unlock(&page_order_lock);
}

/*
 * For --nowait: 1 when fo can answer at once (whole, one the engine
 * must answer, or a small table's, read in the call), else 0 with a
 * thread reading it.
 */
static int
page_full_now(const struct page_state *st, struct page_full *fo)
{
	int	now;

	if (page_nowait_small(st))
		return (1);
	if (pthread_mutex_trylock(&fo->lock) != 0)
		return (0);	/* being read (or used a moment) */
	now = fo->ready || fo->broken;
	pthread_mutex_unlock(&fo->lock);
	if (!now)
		page_full_start(fo);
	return (now);
}

/* Whole and ready now (without waiting for it)? */
int
page_full_ready(struct page_full *fo)
{
	int	ready;

	if (pthread_mutex_trylock(&fo->lock) != 0)
		return (0);
	ready = fo->ready;
	pthread_mutex_unlock(&fo->lock);
	return (ready);
}

/* The order of st's list by sort (a reference), or NULL when the engine
 * must sort. */
struct page_full *
page_full_get(struct page_state *st, const char *sort, int ixfmt)
{
	struct page_cached	*c;
	struct page_full	*fo;

	pthread_mutex_lock(&page_order_lock);
	for (c = page_fulls; c != NULL; c = c->next) {
		fo = (struct page_full *)c;
		if (c->store == st->ctx->store && fo->table == st->table &&
		    strcmp(fo->sort, sort) == 0) {
			page_cached_use(c);
			pthread_mutex_unlock(&page_order_lock);
			return (fo);
		}
	}
	fo = xcalloc(1, sizeof *fo);
	if (page_full_parse(fo, st->table, sort) != 0) {
		pthread_mutex_unlock(&page_order_lock);
		free(fo);
		return (NULL);
	}
	fo->c.store = st->ctx->store;
	fo->c.free = page_full_free;
	fo->table = st->table;
	fo->sort = xstrdup(sort);
	fo->ixfmt = ixfmt && fo->nparts == 1;
	buf_init(&fo->keys);
	pthread_mutex_init(&fo->lock, NULL);
	page_cached_add(&page_fulls, &fo->c, PAGE_FULL_KEEP);
	pthread_mutex_unlock(&page_order_lock);
	return (fo);
}

void
page_full_put(struct page_full *fo)
{
	if (fo != NULL)
		page_cached_put(&fo->c);
}

/* Index of the first entry of a (sorted) after the position (strict)
 * or at or after it. */
static size_t
page_full_bound(const struct page_full *fo, const struct page_fent *a,
    size_t n, const struct page_pos *at, int strict)
{
	size_t	lo = 0, hi = n, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = page_fent_cmp2(fo, &a[mid], at->key.data, at->key.len,
		    at->id);
		if (c < 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static int
page_full_match(const struct page_state *st, uint32_t id)
{
	return (id != 0 && (!st->matched || page_has(st->ids, st->nids, id)));
}

/*
 * Up to want entries of a (sorted, n) nearest past its cut: forward
 * from cut on, backward from cut - 1 down; into c.  With a budget of
 * steps (0: none), 1 when it ran out.
 */
static int
page_full_walk(const struct page_state *st, const struct page_fent *a,
    size_t n, size_t cut, int backward, size_t want, size_t budget,
    struct page_fent *c, size_t *nc)
{
	size_t	i = cut, steps = 0;

	while (*nc < want) {
		if (backward ? i == 0 : i >= n)
			return (0);
		if (backward)
			i--;
		if (page_full_match(st, a[i].id))
			c[(*nc)++] = a[i];
		if (!backward)
			i++;
		if (budget != 0 && ++steps > budget)
			return (1);
	}
	return (0);
}

/*
 * The same for a search with matches few among the rows: each match's
 * slot from its rank, the want nearest past the cut kept in order.
 */
static void
page_full_place(const struct page_state *st, const struct page_full *fo,
    size_t cut, int backward, size_t want, struct page_fent *c, size_t *nc)
{
	uint32_t	*sel, slot, rk;
	size_t		 i, j, nsel = 0;

	sel = xcalloc(want, sizeof *sel);
	for (i = 0; i < st->nids; i++) {
		if (st->ids[i] >= fo->nrank ||
		    (rk = fo->rank[st->ids[i]]) == 0)
			continue;
		slot = rk - 1;
		if (backward ? slot >= cut : slot < cut)
			continue;
		/* Forward the want lowest slots, backward the highest. */
		if (nsel == want && (backward ? slot < sel[0] :
		    slot > sel[nsel - 1]))
			continue;
		if (nsel == want && backward) {
			memmove(sel, sel + 1, (nsel - 1) * sizeof *sel);
			nsel--;
		} else if (nsel == want)
			nsel--;
		for (j = nsel; j > 0 && sel[j - 1] > slot; j--)
			sel[j] = sel[j - 1];
		sel[j] = slot;
		nsel++;
	}
	for (i = 0; i < nsel; i++)
		c[(*nc)++] = fo->ent[sel[i]];
	free(sel);
}

/*
 * A list by one indexed field has its positions as the index has them
 * (the field's key, empty for none), so that a page of the order and
 * one of the index follow each other: the key as the order has it.
 */
static void
page_full_from_ix(const struct page_full *fo, struct buf *key)
{
	struct buf	 k = BUF_INIT;

	if (key->len == 0)
		buf_addch(&k, 0x02);
	else if (fo->f[0] != NULL && FT_IS_INT(fo->f[0]->type) &&
	    !fo->f[0]->multi && key->len == 8)
		page_int_part(&k, index_int_unkey(key->data), fo->desc[0]);
	else
		page_full_part(&k, key->data, key->len, fo->desc[0]);
	buf_reset(key);
	buf_add(key, k.data, k.len);
	buf_release(&k);
}

/* And back: the index's key of an order's, appended to out. */
static void
page_full_to_ix(const struct page_full *fo, const char *key, size_t len,
    struct buf *out)
{
	const unsigned char	*b = (const unsigned char *)key;
	unsigned char		 x = fo->desc[0] ? 0xff : 0, c;
	size_t			 i;

	if (len == 0 || b[0] != 0x01)
		return;		/* 0x02: no value */
	if (fo->f[0] != NULL && FT_IS_INT(fo->f[0]->type) &&
	    !fo->f[0]->multi) {
		index_int_key(out, page_int_unpart(b + 1, len - 1,
		    fo->desc[0]));
		return;
	}
	for (i = 1; i < len; i++) {
		c = b[i] ^ x;
		if (c == 0 && i + 1 < len && (b[i + 1] ^ x) == 0xff) {
			buf_addch(out, 0);
			i++;
		} else if (c == 0)
			break;
		else
			buf_addch(out, c);
	}
}

struct page_full_load {
	struct page_state	*st;
	struct page_row		*rows;
	size_t			 n;
};

static int
page_full_load_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_full_load	*ld = arg;
	struct page_row		*pr;
	size_t			 i;
	int			 r;

	for (i = 0; i < ld->n; i++) {
		pr = &ld->rows[i];
		record_free(pr->rec);
		pr->rec = NULL;
		r = access_get(ld->st->ctx->session, txn, ld->st->table,
		    pr->ord, &pr->rec, err);
		if (r == -1)
			return (-1);
	}
	return (0);
}

/*
 * One page of st's list from the order fo: the limit rows nearest past
 * the position at in the way asked.  Returns 0, -1, or 1 when the
 * order cannot answer (the engine then does).
 */
static int
page_full_rows(struct page_state *st, struct page_full *fo,
    const struct page_pos *at, int backward, size_t limit,
    struct page_row **rowsp, size_t *nrows, int *more, struct buf *err)
{
	struct page_full_load	 ld;
	struct page_fent	*c;
	struct page_row		*rows;
	size_t			 want = limit + 1, nc = 0, ns, ca, cb, first;
	size_t			 i, k;
	int			 r;

	*rowsp = NULL;
	*nrows = 0;
	*more = 0;
	pthread_mutex_lock(&fo->lock);
	r = 0;
	if (fo->ready && (r = page_full_sync(fo, err)) == 1)
		fo->ready = 0;
	if (r != -1 && !fo->ready && !fo->broken)
		r = page_full_read(fo, err);
	if (r != 0 || fo->broken) {
		pthread_mutex_unlock(&fo->lock);
		return (r == -1 ? -1 : 1);
	}
	if (!at->set) {
		ca = backward ? fo->n : 0;
		cb = backward ? fo->nside : 0;
	} else {
		ca = page_full_bound(fo, fo->ent, fo->n, at, !backward);
		cb = page_full_bound(fo, fo->side, fo->nside, at, !backward);
	}
	c = xcalloc(2 * want, sizeof *c);
	/*
	 * Matches many among the rows: the walk meets one every few
	 * entries; few: each is placed by its rank.
	 */
	if (!st->matched || st->nids * 64 >= fo->n) {
		if (page_full_walk(st, fo->ent, fo->n, ca, backward, want,
		    !st->matched ? 0 : 4 * want * 64 + 10000, c,
		    &nc) == 1) {
			nc = 0;
			page_full_place(st, fo, ca, backward, want, c, &nc);
		}
	} else
		page_full_place(st, fo, ca, backward, want, c, &nc);
	/* The side's want nearest too, after the others in c. */
	ns = 0;
	(void)page_full_walk(st, fo->side, fo->nside, cb, backward, want, 0,
	    c + nc, &ns);
	nc += ns;
	qsort_r(c, nc, sizeof *c, page_fent_cmp, fo);
	/* The want nearest: forward the first, backward the last. */
	first = backward && nc > want ? nc - want : 0;
	if (nc > want)
		nc = want;
	rows = xcalloc(want, sizeof *rows);
	for (i = 0; i < nc; i++) {
		buf_init(&rows[i].key);
		if (fo->ixfmt)
			page_full_to_ix(fo, fo->keys.data + c[first + i].off,
			    c[first + i].len, &rows[i].key);
		else
			buf_add(&rows[i].key, fo->keys.data +
			    c[first + i].off, c[first + i].len);
		rows[i].ord = c[first + i].id;
	}
	pthread_mutex_unlock(&fo->lock);
	free(c);

	*more = nc == want;
	if (*more) {
		/* The farthest says more follow; it is not shown. */
		if (backward) {
			buf_release(&rows[0].key);
			memmove(rows, rows + 1, (nc - 1) * sizeof *rows);
		} else
			buf_release(&rows[nc - 1].key);
		nc--;
	}
	memset(&ld, 0, sizeof ld);
	ld.st = st;
	ld.rows = rows;
	ld.n = nc;
	if (store_txn_run(st->ctx->store, STORE_TXN_READONLY,
	    page_full_load_txn, &ld, err) != 0) {
		for (i = 0; i < nc; i++) {
			record_free(rows[i].rec);
			buf_release(&rows[i].key);
		}
		free(rows);
		return (-1);
	}
	/* One written away since (purged): not shown. */
	for (i = k = 0; i < nc; i++) {
		if (rows[i].rec == NULL) {
			buf_release(&rows[i].key);
			continue;
		}
		rows[k] = rows[i];
		rows[k++].ord = 0;
	}
	*rowsp = rows;
	*nrows = k;
	return (0);
}

/* A position of an earlier page: "HEX.ID", or an engine's "q12" as the
 * entry at that ordinal. */
static int
page_full_pos(struct cmd_ctx *ctx, struct page_full *fo, const char *opt,
    const char *s, struct page_pos *at)
{
	struct page_fent	 e;
	uint64_t		 ord;
	int			 r;

	if (s[0] != 'q')
		return (page_pos_parse(ctx, opt, s, at));
	if ((r = page_ord_parse(ctx, opt, s, &ord)) != CMD_OK)
		return (r);
	pthread_mutex_lock(&fo->lock);
	if (fo->n > 0) {
		e = fo->ent[ord < fo->n ? ord : fo->n - 1];
		buf_reset(&at->key);
		buf_add(&at->key, fo->keys.data + e.off, e.len);
		at->id = e.id;
		at->set = 1;
	}
	pthread_mutex_unlock(&fo->lock);
	return (CMD_OK);
}

/*
 * A list sorted where no index orders it, or by an index with the rows
 * of no key: from its order in memory (above).  The list of an index
 * has its position in st->at already (the index's); any other reads it
 * here.  1 when the order cannot be (the engine or the index then).
 */
int
page_full_exec(struct cmd_ctx *ctx, struct page_state *st, const char *sort,
    size_t limit)
{
	struct page_full	*fo;
	struct page_row		*rows = NULL;
	struct page_pos		 pos;
	struct buf		 err = BUF_INIT;
	const char		*after, *before, *at;
	size_t			 nrows = 0;
	int			 r, more = 0, backward, wrap, wrapped = 0;

	if ((fo = page_full_get(st, sort, st->ix != NULL)) == NULL)
		return (1);
	memset(&pos, 0, sizeof pos);
	buf_init(&pos.key);
	if (st->nowait && !page_full_now(st, fo)) {
		r = page_pending(ctx, st, __atomic_load_n(&fo->progress,
		    __ATOMIC_RELAXED), st->total);
		goto out;
	}
	after = cmd_opt(ctx, "after");
	before = cmd_opt(ctx, "before");
	at = cmd_opt(ctx, "at");
	wrap = cmd_opt(ctx, "wrap") != NULL;
	if (fo->ixfmt) {
		/* As page_exec() read it, "at" made "after" too. */
		pos.set = st->at.set;
		pos.id = st->at.id;
		buf_add(&pos.key, st->at.key.data, st->at.key.len);
		if (pos.set)
			page_full_from_ix(fo, &pos.key);
	} else {
		if ((after != NULL && (r = page_full_pos(ctx, fo, "after",
		    after, &pos)) != CMD_OK) || (before != NULL &&
		    (r = page_full_pos(ctx, fo, "before", before, &pos)) !=
		    CMD_OK) || (at != NULL && (r = page_full_pos(ctx, fo, "at",
		    at, &pos)) != CMD_OK))
			goto out;
		/* At a row is after the one just before it. */
		if (at != NULL)
			page_pos_at(&pos, fo->iddesc);
	}
	backward = before != NULL || cmd_opt(ctx, "last") != NULL;
	for (;;) {
		if ((r = page_full_rows(st, fo, &pos, backward, limit, &rows,
		    &nrows, &more, &err)) != 0) {
			if (r == -1)
				r = cmd_error(ctx, "%s", err.data);
			goto out;
		}
		if (!page_pos_wrap(&pos, &rows, nrows, wrap, &wrapped,
		    after != NULL || before != NULL || at != NULL))
			break;
	}
	r = page_answer(ctx, st, rows, nrows, more, wrap, wrapped);
out:
	page_rows_free(rows, nrows);
	page_full_put(fo);
	buf_release(&pos.key);
	buf_release(&err);
	return (r);
}
