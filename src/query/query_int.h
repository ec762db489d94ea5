/*
 * query_int.h: the parsed form of a query, shared by the parser
 * (parse.c), the evaluator (eval.c), the planner (plan.c), the
 * executor (run.c), the sort (sort.c) and the groups (group.c); and the
 * state of one run, which the last four share.  Not for other layers:
 * they see query.h.
 */
#ifndef CLERK_QUERY_INT_H
#define CLERK_QUERY_INT_H

#include <stdio.h>

#include "query/query.h"

#define QPATH_MAX	4	/* contact.party.manager and one more */

enum qfunc { QF_NONE, QF_YEAR, QF_MONTH, QF_WEEK, QF_DAY, QF_LOWER, QF_LEN };
enum qagg { QA_NONE, QA_COUNT, QA_SUM, QA_AVG, QA_MIN, QA_MAX };
/* What every record has besides its fields: its number, and when it
 * was created and last changed (the record's header). */
enum qpseudo { QP_NONE, QP_ID, QP_CREATED, QP_UPDATED };

/*
 * An expression: a field through references (path[0] in the query's
 * table, every step but the last a reference), or a pseudo-field of the
 * record the path's references lead to (all npath steps references,
 * none for the query's own record), maybe under a function; or, in
 * group queries, an aggregate of one (count() has neither).
 */
struct qexpr {
	const struct field *path[QPATH_MAX];
	size_t		 npath;
	enum qpseudo	 pseudo;
	enum qfunc	 func;
	enum qagg	 agg;
	int		 slot;		/* group key or aggregate number, or -1 */
	enum field_type	 type;		/* of the result */
	int		 fold;		/* text compared by its fold key */
	int		 multi;		/* the last field holds a list */
	char		*name;		/* normalised: "month(date)" */
	int		 col;		/* where it starts in the text */
};

/* A literal, resolved for the type it is compared with. */
struct qval {
	int64_t		 i;
	char		*s;		/* texts: fold key when the expr folds */
	size_t		 len;
	/* A date given for a date and time (created = today): i is the
	 * start of the day, end that of the next; the parser turns the
	 * comparison into one of the whole day. */
	int		 whole_day;
	int64_t		 end;
};

enum qnkind { QN_AND, QN_OR, QN_NOT, QN_CMP, QN_EMPTY, QN_SEARCH };
enum qcmp { QO_EQ, QO_NE, QO_LT, QO_LE, QO_GT, QO_GE, QO_CONTAINS,
	QO_PREFIX, QO_IN };

struct qnode {
	enum qnkind	 kind;
	struct qnode	*a, *b;		/* AND, OR: both; NOT: a */
	struct qexpr	*x;		/* CMP, EMPTY */
	enum qcmp	 op;
	struct qval	*vals;		/* CMP: one, or the list of in (...) */
	size_t		 nvals;
	/* A reference given by search text ("party = 'ромашка'"), or the
	 * text of a bare search: resolved when the query runs, into the
	 * run's slot. */
	char		*text;
	int		 slot;		/* -1 = none */
	int		 col;
};

struct qsortkey {
	struct qexpr	*x;
	int		 desc;
};

struct query {
	const struct schema *schema;
	const struct table *table;
	char		*text;
	struct qnode	*where;		/* NULL = every record */
	struct qexpr	**groups;	/* group queries: the keys */
	size_t		 ngroups;
	struct qexpr	**aggs;
	size_t		 naggs;
	int		 is_group;
	struct qnode	*having;
	struct qsortkey	*sorts;
	size_t		 nsorts;
	uint64_t	 limit;		/* UINT64_MAX = none */
	uint64_t	 offset;
	struct qexpr	**colx;		/* record queries: the columns */
	struct query_col *cols;
	size_t		 ncols;
	size_t		 nslots;	/* search and ref-by-text conditions */
	/* Everything allocated, to free. */
	struct qexpr	**allx;
	size_t		 nallx, aallx;
	struct qnode	**alln;
	size_t		 nalln, aalln;
};

/* A computed value: texts point into a record or the run's scratch. */
struct qv {
	int		 set;
	int64_t		 i;
	const char	*s;
	size_t		 len;
};

/* The state of one run: the session, the transaction of the moment, a
 * cache of records reached through references, resolved slots. */
struct qcache_ent {
	const struct table *t;
	uint64_t	 id;
	struct record	*rec;		/* NULL = not found */
};
struct qslot {
	uint64_t	*ids;		/* sorted */
	size_t		 n;
	int		 done;
};
/* A date's year, month and day, remembered: a scan's month(date) of
 * millions of records meets the same few hundred days again. */
#define QDATE_MEMO	256
struct qdate_memo {
	int32_t		 d;
	int		 set;
	int		 y, m, dd;
};
struct qrun {
	struct session	*s;
	const struct query *q;
	struct store_txn *txn;
	struct qcache_ent *cache;
	size_t		 ncache;	/* a power of two */
	struct qslot	*slots;
	struct buf	 scratch[4];
	struct qdate_memo dates[QDATE_MEMO];
};

/* parse.c */
const char *query_type_word(enum field_type);
/* The type of x's value before its function. */
enum field_type qx_base_type(const struct qexpr *);

/* eval.c */
void	 qrun_init(struct qrun *, struct session *, const struct query *);
void	 qrun_release(struct qrun *);
/* Forget cached records: their transaction is over. */
void	 qrun_forget(struct qrun *);
/* Resolve search and ref-by-text slots (inside a transaction). */
int	 qrun_resolve(struct qrun *, struct buf *);
/* Value of x for rec (not aggregates); scratch k holds its text. */
int	 qeval(struct qrun *, const struct qexpr *, const struct record *,
	     int, struct qv *, struct buf *);
/* 1 match, 0 not, -1 error. */
/*
 * Can a record whose encoded bytes are these not match the condition,
 * tested on the bytes as they are, before reading any field?  1 when a
 * "contains" the condition needs cannot find its first letter in any
 * form anywhere in the bytes (texts are stored as they are); 0 when
 * the record must be tested.
 */
int	 qmatch_cannot(const struct qnode *, const void *, size_t);
int	 qmatch(struct qrun *, const struct qnode *, const struct record *,
	     struct buf *);
/* Order of two computed values of x's type (texts by fold key when x
 * folds); unset first. */
int	 qv_cmp(const struct qexpr *, const struct qv *, const struct qv *);
/* Append a byte string ordered like the value (unset first), inverted
 * when desc: the sort and group keys. */
void	 qv_key(const struct qexpr *, const struct qv *, int, struct buf *);
/* Copy a computed value into a row value (texts owned). */
void	 qv_to_value(const struct qv *, struct value *);
/* A group row's values against a 'having' condition: 1, 0. */
int	 qhaving(struct qrun *, const struct qnode *, const struct value *);
int	 qval_cmp_node(const struct qnode *, const struct qexpr *,
	     const struct qv *, const struct qval *);

/*
 * One run of a query: the planner (plan.c), the executor (run.c), the
 * sort (sort.c) and the groups (group.c).
 */
#define CHUNK		1000	/* records per read transaction */

/* The plan. */
struct plan {
	int		 use_ids;
	uint64_t	*ids;		/* sorted, when use_ids */
	size_t		 nids;
	const struct field *f;		/* walked index, or NULL = ids order */
	char		*ix;		/* "city:folded" */
	int		 ixkind;	/* IX_FOLDED, IX_EXACT, IX_UNIQUE */
	struct buf	 lo, hi;	/* bounds (index keys) */
	int		 has_lo, has_hi;
	int		 backward;
	int		 ordered;	/* rows come in the query's order */
	/* Every condition is the walk's bounds: the records it reads
	 * match until past them, so it reads no more than it gives. */
	int		 exact;
	/* The key an equality among them asks for (eqs: how many): the
	 * bounds of field = value let keys that start with it through
	 * too, so only an entry of exactly this key matches unread. */
	struct buf	 eqkey;
	int		 eqs;
	/* A descending walk on a field some records leave empty: they come
	 * last, so after the index, a backward scan gives them. */
	int		 nulls;
	uint64_t	 total;		/* records in the table */
	struct buf	 explain;
};

struct planner {
	struct qrun	*r;
	struct plan	*p;
	uint64_t	 want;		/* rows asked for (limit, page) */
	struct store_txn *txn;
	uint64_t	 cap;
	uint64_t	*ids;		/* the intersection so far */
	size_t		 nids;
	int		 have_ids;
	/* A field of ours whose condition alone matches more records than
	 * the cap (its index lookup gave up). */
	const struct field *big;
	int		 explain;	/* the plan's lines are wanted */
	struct buf	*err;
};

/*
 * The executor.  An item is a record that matched, with its sort key
 * and, once computed, its row values.
 */
struct item {
	struct record	*rec;
	struct buf	 skey;
	struct value	*vals;
	struct buf	 ixkey;		/* walks: the record's index key */
	int		 keyed;		/* skey and ixkey made (else only the
					   last row given needs them) */
};

/*
 * An entry of the sort: a record's sort key (ending with the id) and
 * its id.  The key's first KEY_INLINE bytes are held in the entry, the
 * rest (the tail) in the sort's arena: a selection compares entries
 * that lie together, and goes to the arena only for keys equal that
 * far (and not even then when what follows is the id alone).
 */
#define KEY_INLINE	16
struct sent {
	uint64_t	 id;
	uint32_t	 len;
	uint32_t	 tail;		/* offset in the arena */
	unsigned char	 k[KEY_INLINE];
};

struct run {
	struct qrun	 r;
	const struct query *q;
	struct plan	 p;
	/* Column i's field when the column lends its value from the
	 * record (run.c, col_lends()), else NULL: found once a query,
	 * not for each column of each row. */
	const struct field **lend;
	/* A record query is planned in its first chunk's transaction:
	 * a transaction less (begin and commit are 5,000 instructions of
	 * a query of 20 rows' 330,000). */
	struct planner	 pl;
	int		 planned;
	int		 has_ix;	/* the position names an index */
	struct buf	*err;
	/* The position we start after. */
	uint64_t	 seen;
	int		 has_pos;
	struct buf	 pskey;
	uint64_t	 pid;
	struct buf	 pixkey;
	/*
	 * The index the position's key is of ("date:exact"; "" none).  A
	 * plan sized by the rows wanted may walk another index on the
	 * next page: then the walk starts at its start, and the rows up
	 * to the position are dropped by their sort keys.
	 */
	struct buf	 pix;
	int		 pix_stale;
	/* What this call gives. */
	uint64_t	 skip, want, taken, given;
	uint64_t	 gbase;		/* group rows given on earlier pages */
	query_row_fn	*fn;
	void		*arg;
	int		 stop;
	/* The last row consumed, for the next position: its keys are
	 * made from lgot, that row's item, before the item goes. */
	struct buf	 lskey, lixkey;
	int		 lix_ok;	/* lixkey is of the plan's index */
	uint64_t	 lid;
	struct item	*lgot;
	/* Where the walk stands within this call. */
	size_t		 at;
	int		 started, exhausted;
	struct buf	 wkey;
	uint64_t	 wid;
	int		 phase;		/* 1: the records a nulls walk left */
	/* The same, as a chunk leaves it: kept only when it commits. */
	int		 nexhausted, nphase;
	struct buf	 nwkey;
	uint64_t	 nwid;
	/* A chunk, made in its transaction and consumed after it. */
	struct item	*batch;
	size_t		 nbatch, abatch;
	size_t		 chunk;
	/* The sort (a key and an id per record, see ksort_add()). */
	int		 ksort;
	struct sent	*ke;
	size_t		 nke, ake;
	struct buf	 karena;	/* their keys */
	struct buf	 kcut;		/* no key past it is among the rows */
	int		 has_cut;
	struct buf	 kcur;		/* the key being made */
	struct buf	 kpeek;		/* the start of it (ksort_past_cut()) */
	FILE		**runs;
	size_t		 nruns;
	uint64_t	 matched;	/* items after the position */
	/*
	 * A group query over a scan reads the keys and the aggregates'
	 * arguments in place from the scan's bytes and finds each
	 * record's group there; what it adds is staged (the group, the
	 * arguments) and folded in only once the chunk's transaction is
	 * over, so one run again never counts a record twice.
	 */
	struct gtab	*gt;
	int		 gscan;
	struct group	**stage;
	size_t		 nstage, astage;
	struct gval	*sv;		/* naggs per staged record */
	struct buf	 sarena;	/* their texts (min, max) */
	struct keyset	 ks;		/* walk_key()'s */
	/*
	 * Records and rows' value arrays of items given, kept for the
	 * next chunk's: a record decoded again into one keeps its
	 * memory, so a walk or a fetch of many rows allocates little
	 * per row.
	 */
	struct record	**pool;
	size_t		 npool, apool;
	struct value	**vpool;
	size_t		 nvpool, avpool;
};

/*
 * A forward scan in id order reads in bulk (store_scan): each record is
 * decoded into one scratch record and tested there, and only one that
 * matches is handed on (and a fresh scratch made), so the records that
 * do not match cost no allocation.
 */
struct scan_arg {
	struct run	*ru;
	struct record	*scratch;
	int		 failed;
	/* The fields the condition reads, when it reads only fields of
	 * the record (through references too): those alone are read from
	 * the bytes to test it, the whole record only when it matches. */
	size_t		*need;
	size_t		 nneed;
	int		 lazy;
	int		 times;		/* and the header's times */
	int		 prefilter;	/* qmatch_cannot() may turn some down */
	int		 bounds;	/* a walk whose bounds are every
					   condition: each record matches */
	/* The condition is a range of one number field of the record's
	 * (range_of()): lo <= the field <= hi, tested on its bytes. */
	const struct field *rf;
	int64_t		 rlo, rhi;
	struct value	*vals;
	struct buf	 key;		/* a group query's key */
	struct record	 fake;		/* the fields read in place */
};

/* plan.c */
void	 plan_free(struct plan *);
/* Plan in a transaction (arg: the struct planner). */
int	 plan_txn(struct store_txn *, void *, struct buf *);
/* Plan in a transaction of its own. */
int	 plan_make(struct qrun *, struct plan *, uint64_t, int, struct buf *);
/* a + b, UINT64_MAX when it overflows. */
uint64_t plan_sat_add(uint64_t, uint64_t);
/* The conjuncts of a condition (its top-level "and"s), appended. */
void	 plan_conjuncts(const struct qnode *, const struct qnode ***, size_t *);

/* run.c */
/* One chunk in its own transaction; its walk state kept on success. */
int	 run_chunk(struct run *);
size_t	 run_next_chunk(const struct run *);
void	 run_batch_reset(struct run *);
/* Does the plan read the table in bulk (a forward scan)? */
int	 run_is_scan(const struct plan *);
/* The fields a scan reads in place for x, for a condition. */
void	 run_need_expr(const struct qexpr *, struct scan_arg *);
void	 run_need_fields(const struct qnode *, struct scan_arg *);
/* Those fields of a scanned record, read from its bytes. */
int	 run_lazy_fields(struct scan_arg *, uint64_t, const void *, size_t);
/* Fetch and give the rows of n sort entries in order. */
int	 run_kgive(struct run *, const char *, const struct sent *, size_t);

/* sort.c */
extern size_t sort_mem_budget;	/* query_set_memory() */
/* Order of two keys' bytes (a shorter one first when a prefix). */
int	 sort_keycmp(const struct buf *, const struct buf *);
/* rec's sort key (ending with its id). */
int	 sort_key(struct run *, const struct record *, struct buf *);
/* A record that matched, into the sort. */
int	 sort_take(struct run *, const struct record *);
/* The sorted rows to the caller. */
int	 sort_finish(struct run *);
/* An entry's whole key. */
void	 sort_sent_bytes(const char *, const struct sent *, struct buf *);

/* group.c */
/* A scanned record of a group query (a store_scan() callback). */
int	 group_scan_one(uint64_t, const void *, size_t, void *);
/* A group query, its rows to the caller. */
int	 group_run(struct run *);

#endif
