/*
 * page_int.h: the internal header of the "page" verb, private to src/cmd:
 * what cmd-page.c (the verb, its answers, the paths by an index or ids)
 * shares with the mechanisms it serves lists by: page-order.c (a sort
 * index's order in memory, and what the caches share), page-full.c
 * (whole orders), page-where.c (filters' matches) and page-group.c
 * (groups).  Everything else stays static in its file.  The caches are
 * the server's, shared by every connection: page_order_lock guards
 * their lists, their references and the count of their threads; a
 * whole order, a filter's matches and a group's answer each have a
 * lock of their own for their data.
 */
#ifndef CLERK_CMD_PAGE_H
#define CLERK_CMD_PAGE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd.h"

struct query;
struct page_order;
struct page_full;

/*
 * --nowait reads a table of fewer records than this in the call itself
 * (a few milliseconds), so its list changes order at once without the
 * screen saying it waits; a bigger one is read by a thread and the
 * call answers "pending" at once.
 */
#define PAGE_NOWAIT_ROWS	5000
#define PAGE_FULL_DIRTY		8192	/* journal ids read at once */

struct page_pos {
	struct buf	 key;
	uint64_t	 id;
	int		 set;
};

struct page_nulls;

struct page_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	const char		*ix;		/* index field, NULL = ids */
	int			 desc;		/* the list runs backward */
	int			 archived;
	int			 only_archived;	/* --archived-only */
	size_t			*cols;
	size_t			 ncols;

	/* One store_page() call. */
	struct page_pos		 at;
	int			 flags;
	size_t			 want;
	struct record		**recs;
	size_t			 n;
	/* The rows with no value in the sort's field (after the index). */
	int			 nullphase;
	struct page_nulls	*nulls;		/* page_nulls_read() */
	int			 required;	/* the field: none such rows
						 * (field->always) */

	/* Search. */
	const char		*search;
	struct keyset		 qtoks;
	uint64_t		*ids;		/* every match, ascending */
	size_t			 nids, maxids;
	const uint64_t		*load;		/* page_load_txn's */
	size_t			 nload;
	uint64_t		*bits;		/* the same as a bit set */
	uint64_t		*nullbits;	/* those with no sort key */
	size_t			 nwords;
	uint64_t		 total;
	/* The rows are those of ids: the search's matches, a filter's
	 * (page_where_apply), or both. */
	int			 matched;
	int			 filter;
	uint64_t		 nfilter;
	/* --nowait: a read of the whole table not done yet is started by a
	 * thread and the answer says "pending" at once (page_pending). */
	int			 nowait;
};

/* A row kept for the answer with its position. */
struct page_row {
	struct record	*rec;
	struct buf	 key;
	uint64_t	 ord;		/* engine rows: the ordinal */
};

/*
 * The other caches of lists kept for the server, the whole orders of
 * lists no index orders (struct page_full) and filters' matches (struct
 * page_where), each begin with this: on its list under page_order_lock,
 * used by reference, the least used one nobody uses dropped past a
 * count, one dropped while in use freed by its last user.
 */
struct page_cached {
	struct page_cached	*next;
	struct store		*store;
	unsigned		 refs;
	int			 dropped;
	uint64_t		 used;
	int			 threaded;	/* a thread is reading it */
	void			(*free)(struct page_cached *);
};

/* Every cache's list and references, and the threads' count below. */
extern pthread_mutex_t	 page_order_lock;
/* Threads reading an order (each holds a reference to it), under
 * page_order_lock: the server waits for them before the store closes. */
extern unsigned		 page_full_running;
extern pthread_cond_t	 page_full_done;

/* cmd-page.c; none of these takes or needs a lock. */
/* "HEX.ID" of --opt into p: CMD_OK, or the usage given to ctx. */
int	 page_pos_parse(struct cmd_ctx *, const char *, const char *,
	    struct page_pos *);
/* --at: the row at p is the one after the row just before it, in a list
 * whose ids run backward when desc; p steps back to that row. */
void	 page_pos_at(struct page_pos *, int);
/*
 * --wrap after a read of nrows rows from a position given (pos_given):
 * with none, the search goes round once from the other end, as n and N
 * do.  Returns 1 to read again (*rows freed, p cleared, *wrapped set),
 * else 0.
 */
int	 page_pos_wrap(struct page_pos *, struct page_row **, size_t, int,
	    int *, int);
/* "q12" of --opt, an engine's ordinal: CMD_OK, or the usage given. */
int	 page_ord_parse(struct cmd_ctx *, const char *, const char *,
	    uint64_t *);
/* The key of rec in st's sort index into key (empty in id order). */
void	 page_key_of(const struct page_state *, const struct record *,
	    struct buf *);
/* The order of two rows, (key, id) each, in st's list: -1, 0, 1. */
int	 page_cmp(const struct page_state *, const char *, size_t, uint64_t,
	    const char *, size_t, uint64_t);
/* The answer of a page of rows in their positions, into ctx->out. */
int	 page_answer(struct cmd_ctx *, struct page_state *,
	    struct page_row *, size_t, int, int, int);
/* The answer "pending" of --nowait: done (of of) read so far. */
int	 page_pending(struct cmd_ctx *, struct page_state *, uint64_t,
	    uint64_t);
/* CLERK_TEST_SLOW_READ's sleep, first thing in a reading thread. */
void	 page_test_delay(void);
/* Is st's table small enough for --nowait to read it in the call
 * (PAGE_NOWAIT_ROWS; never while the tests slow the reading)? */
int	 page_nowait_small(const struct page_state *);
/* n rows freed with their records and keys. */
void	 page_rows_free(struct page_row *, size_t);
/* The rows among ids (ascending) past st->at, loaded: 0 or -1. */
int	 page_search_ids(struct page_state *, const uint64_t *, size_t, int,
	    size_t, struct page_row **, size_t *, int *, struct buf *);
/* Nothing but blanks, or NULL? */
int	 page_blank(const char *);
/* The query of t's where, search and tail: 0, or -1 (told to ctx). */
int	 page_query(struct cmd_ctx *, const struct table *, const char *,
	    const char *, const char *, struct query **);

/*
 * Below, "takes it": the function takes page_order_lock itself, and its
 * caller must not hold it; "not held": the same, the function may take
 * it; "page_order_lock held": its caller holds it.
 */
/* page-order.c */
/* A reading thread's lower priority, first thing in it.  No lock. */
void	 page_background(void);
/* id among n ascending ids?  No lock. */
int	 page_has(const uint64_t *, size_t, uint64_t);
/* qsort()'s comparison of two uint64_t, ascending.  No lock. */
int	 page_u64_cmp(const void *, const void *);
/* t's ids written after journal seq, sorted: 0, or 1 (cannot say). */
int	 page_dirty(struct store *, const struct table *, uint64_t,
	    uint64_t *, size_t, size_t *);
/* c taken for use (a reference).  page_order_lock held. */
void	 page_cached_use(struct page_cached *);
/* c on list and used; the least used past keep go.  page_order_lock held. */
void	 page_cached_add(struct page_cached **, struct page_cached *,
	    size_t);
/* A reference given back (NULL: none).  Takes page_order_lock. */
void	 page_cached_put(struct page_cached *);
/* fn(c) run by a detached thread holding a reference, counted in
 * page_full_running, unless one runs for c already: 0, or -1 when none
 * could be started.  page_order_lock held. */
int	 page_cached_thread(struct page_cached *, void *(*)(void *));
/* The end of that thread: c may get another, its reference goes.
 * Takes page_order_lock. */
void	 page_cached_thread_done(struct page_cached *);
/* Every one of list of store s dropped.  page_order_lock held. */
void	 page_cached_stop(struct page_cached **, struct store *);
/* st's order read by a thread unless whole or being read.  Takes it. */
void	 page_order_start(struct page_state *);
/* The whole order of st's list (a reference), or NULL.  Takes it. */
struct page_order *page_order_use(struct page_state *);
/* page_order_use()'s reference given back (NULL: none).  Takes it. */
void	 page_order_release(struct page_order *);
/* A search's rows placed by o: 0, -1, 1 (o cannot say).  Not held. */
int	 page_search_order(struct page_state *, struct page_order *, uint64_t,
	    int, size_t, struct page_row **, size_t *, int *, struct buf *);

/* page-full.c */
/* st's order by sort (a reference), or NULL: the engine's.  Takes it. */
struct page_full *page_full_get(struct page_state *, const char *, int);
/* page_full_get()'s reference given back (NULL: none).  Takes it. */
void	 page_full_put(struct page_full *);
/* Whole and ready now?  Tries fo->lock, never waits for it. */
int	 page_full_ready(struct page_full *);
/* fo read by a thread unless whole or read.  Tries fo->lock; takes it. */
void	 page_full_start(struct page_full *);
/* A page from the whole order: CMD_*, or 1 when none can be.  Not held. */
int	 page_full_exec(struct cmd_ctx *, struct page_state *, const char *,
	    size_t);
/* Every order of s gone, every cache's thread done.  page_order_lock held. */
void	 page_full_stop(struct store *);

/* page-where.c */
/* st's rows made where's matches: 0, -1 (told), 1 pending.  Not held. */
int	 page_where_apply(struct page_state *, const char *, uint64_t *);
/* Every filter's matches of store s dropped.  page_order_lock held. */
void	 page_where_stop(struct store *);

/* page-group.c */
/* The keys of --group read alone: CMD_OK, or CMD_FAILED told with the
 * column of the mistake in the keys.  Not held. */
int	 page_group_keys(struct cmd_ctx *, const struct table *);
/* The groups of --group into out: CMD_*.  Not held. */
int	 page_groups(struct cmd_ctx *, struct page_state *, const char *,
	    size_t, struct buf *);
/* The same for --nowait, by a kept thread's answer.  Not held. */
int	 page_groups_nowait(struct cmd_ctx *, struct page_state *,
	    const char *, size_t);
/* Every group answer of store s dropped.  page_order_lock held. */
void	 page_group_stop(struct store *);

#endif /* CLERK_CMD_PAGE_H */
