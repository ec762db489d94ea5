/*
 * page-where.c: the matches of a list's filter (--where) kept for the
 * server (struct page_where): read by the engine (or by a thread for
 * --nowait), kept right across writes, and made a page's rows as a
 * search's matches are (page_where_apply).  Must not print or change
 * anything, nor give one operator's matches to another.
 *
 * Filtered lists.  The engine answered every page of a list with a
 * filter by running the query from the start: 2.5 s for the first page
 * of the parties with status = active at 1,000,000 (their count), 4 s
 * for End, a second for a page 200,000 rows in.  The server now keeps
 * the filter's matches (struct page_where: the ids, ascending) for the
 * operator, read once by the engine and kept right across writes by the
 * change journal (a written record is tested again with query_match()),
 * and the list's rows come as a search's do: its matches placed by the
 * list's order in memory (page_order, page_full).  A filter through a
 * reference ("party.city = ...") is read again after a write to any
 * other table, one that names today or a month when the day changes.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "query/query.h"
#include "page_int.h"

#define PAGE_WHERE_KEEP		4

struct page_where {
	struct page_cached	 c;		/* first */
	const struct table	*table;
	char			*where;
	char			*login;
	struct query		*q;		/* "TABLE where (COND) cols id" */
	int			 paths;		/* reads other tables */
	int			 timed;		/* names a date word */

	uint64_t		 progress;	/* matches so far (atomic) */

	pthread_mutex_t		 lock;		/* all below */
	int			 ready;
	struct buf		 failed;	/* the thread's read's error */
	uint64_t		 jseq;
	int32_t			 day;
	uint64_t		*ids;
	size_t			 n, cap;
	uint64_t		*bits;		/* the same as a bit set */
	size_t			 nbits;		/* words */
};

static struct page_cached *page_wheres;

/* The bit set of w's ids, for a search's matches to be tested against
 * (a merge of two long lists cost 5-8 ms a letter at 1,000,000). */
static void
page_where_bits(struct page_where *w)
{
	size_t	i;

	free(w->bits);
	w->nbits = w->n > 0 ? w->ids[w->n - 1] / 64 + 1 : 1;
	w->bits = xcalloc(w->nbits, sizeof *w->bits);
	for (i = 0; i < w->n; i++)
		w->bits[w->ids[i] / 64] |= UINT64_C(1) << (w->ids[i] % 64);
}

static void
page_where_free(struct page_cached *c)
{
	struct page_where	*w = (struct page_where *)c;

	free(w->where);
	free(w->login);
	query_free(w->q);
	free(w->ids);
	free(w->bits);
	buf_release(&w->failed);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* The matches of where for the session's operator (a reference), or
 * NULL with the query's message given. */
/*
 * Whether a filter's value depends on the day: it names one of the date
 * words (util's date_parse).  Erring towards yes only costs a recount.
 * A two-digit year moves a century only when the year turns, and only
 * the one year at the edge of the window: not worth a recount a day.
 */
static int
where_is_timed(const char *where)
{
	static const char *const words[] = { "today", "yesterday",
		"tomorrow", "week", "month", "quarter", "year", "сегодня",
		"вчера", "завтра", "Сегодня", "Вчера", "Завтра" };
	size_t		 i;

	for (i = 0; i < nitems(words); i++)
		if (strcasestr(where, words[i]) != NULL)
			return (1);
	return (0);
}

static struct page_where *
page_where_get(struct page_state *st, const char *where)
{
	struct cmd_ctx		*ctx = st->ctx;
	struct page_cached	*c;
	struct page_where	*w;
	struct query		*q;
	const char		*login = access_user(ctx->session);

	if (login == NULL)
		login = "";
	pthread_mutex_lock(&page_order_lock);
	for (c = page_wheres; c != NULL; c = c->next) {
		w = (struct page_where *)c;
		if (c->store == ctx->store && w->table == st->table &&
		    strcmp(w->where, where) == 0 &&
		    strcmp(w->login, login) == 0) {
			page_cached_use(c);
			pthread_mutex_unlock(&page_order_lock);
			return (w);
		}
	}
	pthread_mutex_unlock(&page_order_lock);

	if (page_query(ctx, st->table, where, NULL, "cols id", &q) != 0)
		return (NULL);
	w = xcalloc(1, sizeof *w);
	w->c.store = ctx->store;
	w->c.free = page_where_free;
	w->table = st->table;
	w->where = xstrdup(where);
	w->login = xstrdup(login);
	buf_init(&w->failed);
	w->q = q;
	w->paths = strchr(where, '.') != NULL;
	w->timed = where_is_timed(where);
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_lock(&page_order_lock);
	page_cached_add(&page_wheres, &w->c, PAGE_WHERE_KEEP);
	pthread_mutex_unlock(&page_order_lock);
	return (w);
}

static void
page_where_put(struct page_where *w)
{
	if (w != NULL)
		page_cached_put(&w->c);
}

void
page_where_stop(struct store *s)
{
	page_cached_stop(&page_wheres, s);
}

static int
page_where_row(const struct query_row *row, void *arg, struct buf *err)
{
	struct page_where	*w = arg;

	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		w->ids = xreallocarray(w->ids, w->cap, sizeof *w->ids);
	}
	w->ids[w->n++] = row->id;
	if ((w->n & 4095) == 0)
		__atomic_store_n(&w->progress, w->n, __ATOMIC_RELAXED);
	return (0);
}

/* Every match again, by the engine for the operator of sess; w->lock
 * held. */
static int
page_where_read(struct session *sess, struct page_where *w, struct buf *err)
{
	int	more;

	w->ready = 0;
	w->n = 0;
	w->jseq = store_journal_seq(w->c.store);
	w->day = clock_today();
	if (query_each(sess, w->q, NULL, SIZE_MAX,
	    page_where_row, w, err, &more, NULL) != 0)
		return (-1);
	/* (No match: no array, which qsort() may not be given.) */
	if (w->n > 1)
		qsort(w->ids, w->n, sizeof *w->ids, page_u64_cmp);
	page_where_bits(w);
	w->ready = 1;
	return (0);
}

struct page_where_dirty {
	struct page_state	*st;
	struct page_where	*w;
	const uint64_t		*ids;
	size_t			 n;
	uint64_t		*add;		/* those that match now */
	size_t			 nadd;
};

static int
page_where_dirty_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct page_where_dirty	*d = arg;
	struct record		*rec;
	size_t			 i;
	int			 r;

	d->nadd = 0;
	for (i = 0; i < d->n; i++) {
		rec = NULL;
		r = access_get(d->st->ctx->session, txn, d->w->table, d->ids[i],
		    &rec, err);
		if (r == -1)
			return (-1);
		if (r == 0 && !(rec->flags & REC_ARCHIVED) &&
		    (r = query_match(d->st->ctx->session, txn, d->w->q, rec,
		    err)) != 0) {
			if (r == -1) {
				record_free(rec);
				return (-1);
			}
			d->add[d->nadd++] = d->ids[i];
		}
		record_free(rec);
	}
	return (0);
}

/* The commits since w was read applied; 1 when it is to be read again.
 * w->lock held. */
static int
page_where_sync(struct page_state *st, struct page_where *w, struct buf *err)
{
	struct page_where_dirty	 d;
	uint64_t		*dirty, *m, seq;
	size_t			 nd, i, j, k, t, nx;
	int			 r = 0;

	if (w->timed && w->day != clock_today())
		return (1);
	seq = store_journal_seq(w->c.store);
	if (seq == w->jseq)
		return (0);
	dirty = xcalloc(PAGE_FULL_DIRTY, sizeof *dirty);
	/* A write to another table may change a path's value. */
	for (t = 0; w->paths && t < st->ctx->schema->ntables; t++)
		if (st->ctx->schema->tables[t] != w->table &&
		    (store_journal_since(w->c.store,
		    st->ctx->schema->tables[t], w->jseq, dirty,
		    PAGE_FULL_DIRTY, &nx) != 0 || nx > 0)) {
			free(dirty);
			return (1);
		}
	if (page_dirty(w->c.store, w->table, w->jseq, dirty, PAGE_FULL_DIRTY,
	    &nd) != 0) {
		free(dirty);
		return (1);
	}
	memset(&d, 0, sizeof d);
	d.st = st;
	d.w = w;
	d.ids = dirty;
	d.n = nd;
	d.add = xcalloc(nd ? nd : 1, sizeof *d.add);
	if (nd > 0 && (r = store_txn_run(w->c.store, STORE_TXN_READONLY,
	    page_where_dirty_txn, &d, err)) != 0) {
		free(d.add);
		free(dirty);
		return (-1);
	}
	/* (ids without the dirty) with those that match now, ascending. */
	m = xreallocarray(NULL, w->n + d.nadd + 1, sizeof *m);
	for (i = j = k = 0; i < w->n || j < d.nadd; ) {
		if (i < w->n && page_has(dirty, nd, w->ids[i])) {
			i++;
			continue;
		}
		if (j >= d.nadd || (i < w->n && w->ids[i] < d.add[j]))
			m[k++] = w->ids[i++];
		else
			m[k++] = d.add[j++];
	}
	free(w->ids);
	w->ids = m;
	w->n = k;
	w->cap = w->n + d.nadd + 1;
	w->jseq = seq;
	page_where_bits(w);
	free(d.add);
	free(dirty);
	return (0);
}

/* The thread that reads a filter's matches for --nowait, with a
 * session of its own for the operator (the connection may be gone by
 * the time it is done). */
static void *
page_where_build(void *arg)
{
	struct page_where	*w = arg;
	struct session		*sess = NULL;
	struct buf		 err = BUF_INIT;

	page_background();
	page_test_delay();
	pthread_mutex_lock(&w->lock);
	if (!w->ready && w->failed.len == 0 &&
	    (access_session_open(w->c.store, w->login, &sess, &err) != 0 ||
	    page_where_read(sess, w, &err) != 0)) {
		buf_reset(&w->failed);
		buf_adds(&w->failed, err.data != NULL && *err.data != '\0' ?
		    err.data : "filter failed");
	}
	pthread_mutex_unlock(&w->lock);
	if (sess != NULL)
		access_session_free(sess);
	buf_release(&err);
	page_cached_thread_done(&w->c);
	return (NULL);
}

/* w read by a thread unless one is at it: 0, or -1 when none could be
 * started (the caller reads it then). */
static int
page_where_start(struct page_where *w)
{
	int	r;

	if (*w->login == '\0')
		return (-1);
	pthread_mutex_lock(&page_order_lock);
	r = page_cached_thread(&w->c, page_where_build);
	pthread_mutex_unlock(&page_order_lock);
	return (r);
}

/*
 * The list's rows restricted to the filter's matches: st->ids becomes
 * them (with a search, those among its matches), st->filter is set and
 * st->nfilter is their count.  -1 with the message given.  With
 * st->nowait, matches not read yet are read by a thread and 1 comes
 * back at once with *progress the matches found so far.
 */
int
page_where_apply(struct page_state *st, const char *where,
    uint64_t *progress)
{
	struct page_where	*w;
	struct buf		 err = BUF_INIT;
	size_t			 i, j, k;
	int			 r;

	if ((w = page_where_get(st, where)) == NULL)
		return (-1);
	if (st->nowait && !page_nowait_small(st)) {
		/* Being read by a thread (or used: a moment). */
		if (pthread_mutex_trylock(&w->lock) != 0) {
			*progress = __atomic_load_n(&w->progress,
			    __ATOMIC_RELAXED);
			page_where_put(w);
			return (1);
		}
		if (w->failed.len > 0) {
			/* Said once; the next call tries again. */
			cmd_error(st->ctx, "%s", w->failed.data);
			buf_reset(&w->failed);
			pthread_mutex_unlock(&w->lock);
			page_where_put(w);
			return (-1);
		}
		if (!w->ready) {
			pthread_mutex_unlock(&w->lock);
			if (page_where_start(w) == 0) {
				*progress = 0;
				page_where_put(w);
				return (1);
			}
		} else
			pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_lock(&w->lock);
	buf_reset(&w->failed);
	r = 0;
	if (w->ready && (r = page_where_sync(st, w, &err)) == 1)
		w->ready = 0;
	if (r != -1 && !w->ready)
		r = page_where_read(st->ctx->session, w, &err);
	if (r != 0) {
		pthread_mutex_unlock(&w->lock);
		page_where_put(w);
		cmd_error(st->ctx, "%s", err.data);
		buf_release(&err);
		return (-1);
	}
	st->filter = st->matched = 1;
	st->nfilter = w->n;
	if (st->search != NULL) {
		/* The search's matches that pass, still ascending. */
		for (i = k = 0; i < st->nids; i++) {
			j = st->ids[i] / 64;
			if (j < w->nbits && (w->bits[j] >> (st->ids[i] % 64) &
			    1))
				st->ids[k++] = st->ids[i];
		}
		st->nids = k;
	} else {
		free(st->ids);
		st->maxids = w->n + 1;
		st->ids = xreallocarray(NULL, st->maxids, sizeof *st->ids);
		if (w->n > 0)
			memcpy(st->ids, w->ids, w->n * sizeof *st->ids);
		st->nids = w->n;
	}
	pthread_mutex_unlock(&w->lock);
	page_where_put(w);
	buf_release(&err);
	return (0);
}
