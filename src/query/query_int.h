/*
 * query_int.h: the parsed form of a query, shared by the parser
 * (parse.c), the evaluator (eval.c), the planner (plan.c) and the
 * executor (run.c).  Not for other layers: they see query.h.
 */
#ifndef CLERK_QUERY_INT_H
#define CLERK_QUERY_INT_H

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
	size_t		 nallx;
	struct qnode	**alln;
	size_t		 nalln;
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

#endif
