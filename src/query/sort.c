/*
 * sort.c: the bounded sort of a record query whose walk does not give
 * the query's order.  Each record that matches leaves its sort key and
 * id (the top rows of a limit only); past the memory budget
 * (query_set_memory()) sorted runs spill to temporary files, merged at
 * the end; the rows' records are then fetched and given by the
 * executor (run_kgive()).  Also the sort keys, and the order of keys,
 * which the executor and the groups share.  Must not print.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query/query_int.h"

size_t	 sort_mem_budget = 64u << 20;

void
query_set_memory(size_t bytes)
{
	sort_mem_budget = bytes ? bytes : 1;
}

int
sort_keycmp(const struct buf *a, const struct buf *b)
{
	size_t	n = a->len < b->len ? a->len : b->len;
	int	c = n ? memcmp(a->data, b->data, n) : 0;

	if (c != 0)
		return (c);
	return (a->len < b->len ? -1 : a->len > b->len);
}

/* What comparing entries needs. */
struct sctx {
	const char	*arena;
	int		 desc;		/* the last key's: ids backward */
};

/* Append 8 bytes ordered as v (the sign flipped), inverted when desc:
 * index_int_key()'s bytes, without a call per byte. */
static void
key_int(struct buf *out, uint64_t u, int desc)
{
	unsigned char	*p;
	int		 k;

	if (desc)
		u = ~u;
	buf_grow(out, 8);
	p = (unsigned char *)out->data + out->len;
	for (k = 0; k < 8; k++)
		p[k] = (unsigned char)(u >> (56 - 8 * k));
	out->len += 8;
	out->data[out->len] = '\0';
}

/*
 * utf8_foldkey()'s bytes, appended, for a text of ASCII and Cyrillic
 * letters (the common case) without the calls per character; any other
 * character leaves the text to utf8_foldkey().
 */
static void
key_fold(struct buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char	*p, *start;
	uint32_t	 c;
	size_t		 i;
	int		 blank = 0;

	/* A letter never folds to more bytes, blanks only to fewer. */
	buf_grow(out, len + 1);
	start = p = (unsigned char *)out->data + out->len;
	for (i = 0; i < len; i++) {
		if (u[i] == ' ' || (u[i] >= '\t' && u[i] <= '\r')) {
			blank = 1;
			continue;
		}
		if (u[i] >= 0x80 && !((u[i] == 0xD0 || u[i] == 0xD1) &&
		    i + 1 < len && (u[i + 1] & 0xC0) == 0x80)) {
			out->data[out->len] = '\0';
			utf8_foldkey(out, s, len);
			return;
		}
		if (blank && p > start)
			*p++ = ' ';
		blank = 0;
		if (u[i] < 0x80) {
			*p++ = u[i] >= 'A' && u[i] <= 'Z' ? u[i] + 0x20 : u[i];
			continue;
		}
		/* U+0400..U+047F: lower case stays in the block. */
		c = utf8_lower(((uint32_t)(u[i] & 0x1F) << 6) |
		    (u[i + 1] & 0x3F));
		if (c == 0x451)
			c = 0x435;		/* ё -> е */
		*p++ = (unsigned char)(0xC0 | (c >> 6));
		*p++ = (unsigned char)(0x80 | (c & 0x3F));
		i++;
	}
	out->len = (size_t)(p - (unsigned char *)out->data);
	out->data[out->len] = '\0';
}

/*
 * Sort key of a record: the sort keys (qv_key()'s bytes), then the id.
 * A number field of the record's own is read straight from its value:
 * a sort reads the key of every record a scan matches.
 */
int
sort_key(struct run *ru, const struct record *rec, struct buf *out)
{
	const struct query *q = ru->q;
	const struct qexpr *x;
	const struct value *rv;
	struct qv	 v;
	size_t		 i;
	int		 desc = 0;

	buf_reset(out);
	for (i = 0; i < q->nsorts; i++) {
		x = q->sorts[i].x;
		desc = q->sorts[i].desc;
		if (x->npath == 1 && x->func == QF_NONE &&
		    x->pseudo == QP_NONE && !x->multi &&
		    FT_IS_INT(x->path[0]->type) && FT_IS_INT(x->type)) {
			rv = &rec->values[x->path[0]->pos];
			if (!rv->set) {
				buf_addch(out, desc ? 0xFF : 0);
				continue;
			}
			buf_addch(out, desc ? 0xFE : 1);
			key_int(out, (uint64_t)rv->i ^
			    UINT64_C(0x8000000000000000), desc);
			continue;
		}
		if (x->npath == 1 && x->func == QF_NONE &&
		    x->pseudo == QP_NONE && x->fold &&
		    !FT_IS_INT(x->path[0]->type)) {
			size_t	 start = out->len, j;

			rv = &rec->values[x->path[0]->pos];
			if (!rv->set || rv->s == NULL || rv->len == 0)
				buf_addch(out, 0);
			else {
				buf_addch(out, 1);
				key_fold(out, rv->s, rv->len);
				buf_addch(out, 0);
			}
			if (desc)
				for (j = start; j < out->len; j++)
					out->data[j] = (char)~(unsigned char)
					    out->data[j];
			continue;
		}
		if (qeval(&ru->r, x, rec, 0, &v, ru->err) != 0)
			return (-1);
		qv_key(x, &v, desc, out);
	}
	/* Ties in id order, backward when the last key is descending (as
	 * an index walked backward gives them); the id is always set, its
	 * presence byte left out. */
	key_int(out, rec->id ^ UINT64_C(0x8000000000000000), desc);
	return (0);
}

/*
 * The sort.  It holds a key and an id per record that matched, never
 * the record: a scan makes the key from the fields it reads in place,
 * a key past the worst of the best skip + want known so far is dropped
 * at once, and the collection is cut back to those best now and then
 * (a selection, not a sort).  At the end only the rows given are put
 * in order, and only their records are read again, a batch at a time
 * in id order.  Past the memory budget the keys go to sorted runs in
 * temporary files, merged at the end.
 */
static void
sent_put(struct sent *e, struct buf *arena, const void *key, size_t len,
    uint64_t id)
{
	e->id = id;
	e->len = (uint32_t)len;
	e->tail = 0;
	memcpy(e->k, key, len < KEY_INLINE ? len : KEY_INLINE);
	if (len > KEY_INLINE) {
		e->tail = (uint32_t)arena->len;
		buf_add(arena, (const char *)key + KEY_INLINE,
		    len - KEY_INLINE);
	}
}

/* The whole key of an entry, appended. */
void
sort_sent_bytes(const char *arena, const struct sent *e, struct buf *out)
{
	buf_add(out, e->k, e->len < KEY_INLINE ? e->len : KEY_INLINE);
	if (e->len > KEY_INLINE)
		buf_add(out, arena + e->tail, e->len - KEY_INLINE);
}

/* As sort_keycmp() of the whole keys. */
static int
sent_cmp(const struct sctx *cx, const struct sent *a, const struct sent *b)
{
	size_t	n = a->len < b->len ? a->len : b->len;
	int	c = memcmp(a->k, b->k, n < KEY_INLINE ? n : KEY_INLINE);

	if (c != 0)
		return (c);
	if (n > KEY_INLINE) {
		/* Equal sort keys, held whole in the entries: the ids
		 * (the last 8 bytes) decide. */
		if (a->len == b->len && a->len - 8 <= KEY_INLINE) {
			c = a->id < b->id ? -1 : a->id > b->id;
			return (cx->desc ? -c : c);
		}
		c = memcmp(cx->arena + a->tail, cx->arena + b->tail,
		    n - KEY_INLINE);
		if (c != 0)
			return (c);
	}
	return (a->len < b->len ? -1 : a->len > b->len);
}

static int
sent_qcmp(const void *a, const void *b, void *cx)
{
	return (sent_cmp(cx, a, b));
}

static void
sent_swap(struct sent *a, struct sent *b)
{
	struct sent	t = *a;

	*a = *b;
	*b = t;
}

/*
 * Put the entry of rank k (from 0) at a[k], the smaller ones before it
 * and the greater after (Hoare's selection, pivot the median of three).
 */
static void
sent_select(const struct sctx *cx, struct sent *a, size_t n, size_t k)
{
	ptrdiff_t	lo = 0, hi = (ptrdiff_t)n - 1, i, j, mid;
	struct sent	p;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sent_cmp(cx, &a[mid], &a[lo]) < 0)
			sent_swap(&a[mid], &a[lo]);
		if (sent_cmp(cx, &a[hi], &a[lo]) < 0)
			sent_swap(&a[hi], &a[lo]);
		if (sent_cmp(cx, &a[hi], &a[mid]) < 0)
			sent_swap(&a[hi], &a[mid]);
		p = a[mid];
		i = lo - 1;
		j = hi + 1;
		for (;;) {
			do
				i++;
			while (sent_cmp(cx, &a[i], &p) < 0);
			do
				j--;
			while (sent_cmp(cx, &a[j], &p) > 0);
			if (i >= j)
				break;
			sent_swap(&a[i], &a[j]);
		}
		/* a[lo..j] <= p <= a[j+1..hi], lo <= j < hi. */
		if ((ptrdiff_t)k <= j)
			hi = j;
		else
			lo = j + 1;
	}
}

static void
sent_sort(const struct sctx *cx, struct sent *a, size_t n)
{
	if (n > 1)
		qsort_r(a, n, sizeof *a, sent_qcmp, (void *)(uintptr_t)cx);
}

static struct sctx
ksort_cx(const struct run *ru, const struct buf *arena)
{
	struct sctx	cx;

	cx.arena = arena->data;
	cx.desc = ru->q->nsorts > 0 && ru->q->sorts[ru->q->nsorts - 1].desc;
	return (cx);
}

static size_t
ksort_mem(const struct run *ru)
{
	return (ru->karena.len + ru->nke * sizeof *ru->ke);
}

/* Keep the best k entries (k < nke), their keys alone in the arena. */
static void
ksort_prune(struct run *ru, size_t k)
{
	struct buf	 a = BUF_INIT;
	struct sctx	 cx = ksort_cx(ru, &ru->karena);
	size_t		 i;

	sent_select(&cx, ru->ke, ru->nke, k - 1);
	ru->nke = k;
	buf_grow(&a, ru->karena.len / 2 + 64);
	for (i = 0; i < k; i++) {
		struct sent *e = &ru->ke[i];

		if (e->len > KEY_INLINE) {
			uint32_t off = (uint32_t)a.len;

			buf_add(&a, ru->karena.data + e->tail,
			    e->len - KEY_INLINE);
			e->tail = off;
		}
	}
	buf_release(&ru->karena);
	ru->karena = a;
	/* The worst kept: no key past it can be among the rows. */
	buf_reset(&ru->kcut);
	sort_sent_bytes(ru->karena.data, &ru->ke[k - 1], &ru->kcut);
	ru->has_cut = 1;
}

/* Write the entries, sorted, as a run and empty the collection. */
static int
ksort_spill(struct run *ru)
{
	const char	*dir = getenv("TMPDIR");
	struct buf	 path = BUF_INIT, key = BUF_INIT;
	struct sctx	 cx = ksort_cx(ru, &ru->karena);
	FILE		*fp;
	size_t		 i;
	int		 fd;

	sent_sort(&cx, ru->ke, ru->nke);
	buf_printf(&path, "%s/clerk-sort.XXXXXX", dir != NULL && *dir ?
	    dir : "/tmp");
	if ((fd = mkstemp(path.data)) == -1) {
		buf_error(ru->err, _("cannot make a temporary file in '%s' "
		    "to sort: %s"), dir != NULL && *dir ? dir : "/tmp",
		    strerror(errno));
		buf_release(&path);
		return (-1);
	}
	(void)unlink(path.data);
	buf_release(&path);
	if ((fp = fdopen(fd, "w+")) == NULL) {
		close(fd);
		return (buf_error(ru->err, _("cannot sort: %s"),
		    strerror(errno)));
	}
	for (i = 0; i < ru->nke; i++) {
		const struct sent *e = &ru->ke[i];

		buf_reset(&key);
		sort_sent_bytes(ru->karena.data, e, &key);
		if (fwrite(&e->len, sizeof e->len, 1, fp) != 1 ||
		    fwrite(key.data, 1, e->len, fp) != e->len ||
		    fwrite(&e->id, sizeof e->id, 1, fp) != 1)
			break;
	}
	buf_release(&key);
	if (i < ru->nke || fflush(fp) != 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return (buf_error(ru->err, _("cannot write a temporary file "
		    "to sort: %s"), strerror(errno)));
	}
	ru->nke = 0;
	buf_reset(&ru->karena);
	ru->runs = xreallocarray(ru->runs, ru->nruns + 1, sizeof *ru->runs);
	ru->runs[ru->nruns++] = fp;
	return (0);
}

/* A record's key (made in ru->kcur) into the sort. */
static int
ksort_add(struct run *ru, uint64_t id)
{
	const struct buf *key = &ru->kcur;
	uint64_t	 k = ru->skip + ru->want;
	struct sent	*e;

	ru->matched++;
	if (ru->has_cut && sort_keycmp(key, &ru->kcut) > 0)
		return (0);
	/* Tails are found by 32-bit offsets. */
	if (ru->karena.len + key->len > UINT32_MAX && ksort_spill(ru) != 0)
		return (-1);
	if (ru->nke == ru->ake) {
		ru->ake = ru->ake ? ru->ake * 2 : 1024;
		ru->ke = xreallocarray(ru->ke, ru->ake, sizeof *ru->ke);
	}
	e = &ru->ke[ru->nke++];
	sent_put(e, &ru->karena, key->data, key->len, id);
	/* A limit keeps the best k: cut back now and then. */
	if (k < SIZE_MAX / 4 && ru->nke >= 2 * k + 4096)
		ksort_prune(ru, (size_t)k);
	if (ksort_mem(ru) > sort_mem_budget) {
		if (k < ru->nke)
			ksort_prune(ru, (size_t)k);
		if (ksort_mem(ru) > sort_mem_budget)
			return (ksort_spill(ru));
	}
	return (0);
}

/*
 * Is the record's key surely past the cut, by the start of its first
 * key's text alone?  The fold key of a text's start is the start of
 * its fold key (one code point for one), so when the key of the first
 * KEY_PEEK bytes already sorts after the cut, so does the whole key:
 * a sort by a name with a limit folds a few letters of most names, not
 * all of them.
 */
#define KEY_PEEK	24

static int
ksort_past_cut(struct run *ru, const struct record *rec)
{
	const struct qexpr *x;
	const struct value *rv;
	struct buf	*b = &ru->kpeek;
	size_t		 n, i;
	int		 c;

	if (!ru->has_cut || ru->q->nsorts == 0)
		return (0);
	x = ru->q->sorts[0].x;
	if (x->npath != 1 || x->func != QF_NONE ||
	    x->pseudo != QP_NONE || !x->fold || FT_IS_INT(x->type) ||
	    FT_IS_INT(x->path[0]->type))
		return (0);
	rv = &rec->values[x->path[0]->pos];
	if (!rv->set || rv->s == NULL || rv->len <= KEY_PEEK)
		return (0);
	/* At the start of a character. */
	for (n = KEY_PEEK; n > 0 && ((unsigned char)rv->s[n] & 0xC0) ==
	    0x80; n--)
		;
	buf_reset(b);
	buf_addch(b, 1);
	key_fold(b, rv->s, n);
	if (ru->q->sorts[0].desc)
		for (i = 0; i < b->len; i++)
			b->data[i] = (char)~(unsigned char)b->data[i];
	n = b->len < ru->kcut.len ? b->len : ru->kcut.len;
	c = memcmp(b->data, ru->kcut.data, n);
	return (c > 0 || (c == 0 && ru->kcut.len < b->len));
}

/* The sort key of a record that matched, into the sort (inside the
 * chunk's transaction; the record stays the caller's). */
int
sort_take(struct run *ru, const struct record *rec)
{
	if (ksort_past_cut(ru, rec)) {
		ru->matched++;
		return (0);
	}
	if (sort_key(ru, rec, &ru->kcur) != 0)
		return (-1);
	if (ru->has_pos && sort_keycmp(&ru->kcur, &ru->pskey) <= 0)
		return (0);
	return (ksort_add(ru, rec->id));
}

/* Read the next entry of a run into key and *id; 0 at its end. */
static int
krun_read(struct run *ru, FILE *fp, struct buf *key, uint64_t *id)
{
	uint32_t	kl;

	buf_reset(key);
	if (fread(&kl, sizeof kl, 1, fp) != 1)
		return (0);
	buf_grow(key, kl);
	if (fread(key->data, 1, kl, fp) != kl ||
	    fread(id, sizeof *id, 1, fp) != 1)
		return (buf_error(ru->err, _("cannot read a temporary file "
		    "of the sort")));
	key->len = kl;
	key->data[kl] = '\0';
	return (1);
}

/* The runs, merged, to the caller (the collection spilled first). */
static int
ksort_merge(struct run *ru)
{
	struct buf	*heads = NULL, held = BUF_INIT, out = BUF_INIT;
	struct sent	*oe = NULL;
	uint64_t	*hid = NULL, heldid = 0;
	int		*live = NULL, got, has_held = 0;
	size_t		 i, best, no = 0;
	int		 rv = -1;

	if (ru->nke > 0 && ksort_spill(ru) != 0)
		return (-1);
	heads = xcalloc(ru->nruns, sizeof *heads);
	hid = xcalloc(ru->nruns, sizeof *hid);
	live = xcalloc(ru->nruns, sizeof *live);
	oe = xcalloc(CHUNK + 1, sizeof *oe);
	for (i = 0; i < ru->nruns; i++) {
		buf_init(&heads[i]);
		if ((live[i] = krun_read(ru, ru->runs[i], &heads[i],
		    &hid[i])) < 0)
			goto out;
	}
	while (!ru->stop) {
		best = SIZE_MAX;
		for (i = 0; i < ru->nruns; i++)
			if (live[i] && (best == SIZE_MAX ||
			    sort_keycmp(&heads[i], &heads[best]) < 0))
				best = i;
		if (best != SIZE_MAX) {
			/*
			 * The rows the offset skips need no record, but the
			 * last of them is held back: when no row follows,
			 * it is the last consumed, for the next position.
			 */
			if (ru->taken + (uint64_t)has_held < ru->skip) {
				if (has_held) {
					ru->seen++;
					ru->taken++;
				}
				buf_reset(&held);
				buf_add(&held, heads[best].data,
				    heads[best].len);
				heldid = hid[best];
				has_held = 1;
			} else {
				if (has_held) {
					sent_put(&oe[no++], &out, held.data,
					    held.len, heldid);
					has_held = 0;
				}
				sent_put(&oe[no++], &out, heads[best].data,
				    heads[best].len, hid[best]);
			}
			if ((got = krun_read(ru, ru->runs[best],
			    &heads[best], &hid[best])) < 0)
				goto out;
			live[best] = got;
		} else if (has_held) {
			sent_put(&oe[no++], &out, held.data, held.len, heldid);
			has_held = 0;
		}
		if (no >= CHUNK || (best == SIZE_MAX && no > 0)) {
			if (run_kgive(ru, out.data, oe, no) != 0)
				goto out;
			no = 0;
			buf_reset(&out);
		}
		if (best == SIZE_MAX)
			break;
	}
	rv = 0;
out:
	for (i = 0; heads != NULL && i < ru->nruns; i++)
		buf_release(&heads[i]);
	free(heads);
	free(hid);
	free(live);
	free(oe);
	buf_release(&held);
	buf_release(&out);
	return (rv);
}

/* The sorted rows to the caller. */
int
sort_finish(struct run *ru)
{
	size_t		 n = ru->nke, s, w;
	struct sent	*e = ru->ke;
	struct sctx	 cx = ksort_cx(ru, &ru->karena);

	if (ru->nruns > 0)
		return (ksort_merge(ru));
	if (n == 0)
		return (0);
	/*
	 * The rows the offset skips are not put in order: the greatest
	 * of them is found (the last consumed, when no row follows, for
	 * the next position), then the rows given among the rest, and
	 * only those are sorted.
	 */
	s = ru->skip < n ? (size_t)ru->skip : n;
	if (s > 0) {
		sent_select(&cx, e, n, s - 1);
		ru->seen += s - 1;
		ru->taken += s - 1;
	}
	w = n - s;
	if (ru->want < w) {
		w = (size_t)ru->want;
		sent_select(&cx, e + s, n - s, w - 1);
	}
	sent_sort(&cx, e + s, w);
	return (run_kgive(ru, cx.arena, e + (s > 0 ? s - 1 : 0), w + (s > 0)));
}
