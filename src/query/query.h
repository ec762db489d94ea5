/*
 * query: the one query language of clerk (DESIGN.md §5, clerk-query(7)),
 * used by the list filter, the CLI, saved views, report forms, reminder
 * rules and row-level rights.  Parses a query against the schema, plans
 * it (indexes for equality, range and prefix conditions, references
 * followed through the other table's index, else a scan with a compiled
 * predicate), and runs it page by page through the session, each page
 * in short read-only transactions, so nothing is held while a client
 * thinks.  Never prints.
 *
 *   TABLE [where COND] [sort [-]KEY, ...] [limit N [offset M]]
 *         [cols FIELD, ...]
 *   TABLE [where COND] group KEY, ... AGG(...), ... [having COND]
 *         [sort [-]KEY, ...] [limit N [offset M]]
 */
#ifndef CLERK_QUERY_H
#define CLERK_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"
#include "record/record.h"
#include "store/store.h"
#include "access/access.h"

struct query;

/*
 * Parse text against the schema.  Values are resolved now: "today",
 * "month start" and the like against clock_today(), enum labels to their
 * names, money and dates to integers; a reference given by search text
 * ("party = 'Ромашка'") is looked up when the query runs.  On failure -1
 * and err = "query:1:27: unknown field 'cty' in table 'party' (did you
 * mean 'city'?)": line and column (in characters, from 1) of the mistake.
 * The query is immutable once parsed and may be shared by threads.
 */
int	 query_parse(const struct schema *, const char *, struct query **,
	     struct buf *);
/*
 * The same with values bound to names: "$name" in the text stands for
 * params[i].v (read as params[i].type: text, int, money, qty, date or
 * bool), one value whatever it holds, never read as query text.  A
 * number compared with a field of its type, a date with a date, a count
 * with a whole number, and "limit $n" take it as it is; anything else
 * reads its plain text (ISO date, 1234.56, yes/no) as the field's type
 * reads a quoted value (an enum by name or label, a reference by name).
 * A name not bound is a mistake at its column.  Report forms use it.
 */
struct query_param {
	const char	*name;		/* without the '$' */
	enum field_type	 type;
	struct value	 v;
};
int	 query_parse_bound(const struct schema *, const char *,
	     const struct query_param *, size_t, struct query **,
	     struct buf *);
/*
 * A condition alone for one table, as "list TABLE 'COND'" and row
 * scopes give it: the same as query_parse() of "TABLE where COND", but
 * columns in messages count in cond itself.
 */
int	 query_parse_where(const struct schema *, const struct table *,
	     const char *, struct query **, struct buf *);
/*
 * The keys of a group alone for one table, as "page --group" gives them
 * ("status, city"): the same as query_parse() of "TABLE group KEYS", but
 * columns in messages count in keys itself, and nothing but group keys
 * and aggregates is taken (no other clause).
 */
int	 query_parse_group(const struct schema *, const struct table *,
	     const char *, struct query **, struct buf *);
void	 query_free(struct query *);
const struct table *query_table(const struct query *);
/* 1 for a group query (rows are groups, not records). */
int	 query_is_group(const struct query *);
/* The query's text, normalised (one blank between words), for saving. */
const char *query_text(const struct query *);

/*
 * Columns of the result, for formatters (table, CSV, TSV, JSON) and the
 * TUI.  Record queries: the "cols" given, else the table's list columns,
 * else every field; the record id is not a column (rows carry it).
 * Group queries: the group keys, then the aggregates.
 */
enum query_col_kind {
	QC_FIELD,	/* a field, maybe through references: party.city */
	QC_FUNC,	/* a function of one: month(date), lower(name) */
	QC_AGG		/* sum(total), count(), avg(), min(), max() */
};
struct query_col {
	enum query_col_kind kind;
	char		*name;		/* as written, normalised: "party.city" */
	char		*label[2];	/* English, Russian: "Client: City" */
	enum field_type	 type;		/* of the values in rows */
	const struct field *field;	/* the last field of the path, or the
					   aggregated one; NULL for count() */
	int		 right;		/* numbers: right-aligned in tables */
};
size_t	 query_ncols(const struct query *);
const struct query_col *query_col(const struct query *, size_t);

/*
 * A row of a page.  Record queries: id and rec (the whole record, for a
 * card) and vals, one per column (a value through a reference path is
 * fetched; an empty path gives an unset value).  Group queries: id 0,
 * rec NULL, vals = the group keys then the aggregates, and level: 0 for
 * a group of every key; k > 0 for the subtotal of the groups sharing the
 * first ngroup - k keys (those after are unset); ngroup for the grand
 * total.  Subtotals and the total come after the groups they sum, and
 * only when the groups are in key order (no sort, no limit).
 */
struct query_row {
	uint64_t	 id;
	struct record	*rec;
	struct value	*vals;		/* query_ncols() of them; texts owned */
	int		 level;
};

/*
 * A page of rows.  next is where the page ended, as a printable token
 * (so a client may send it back for the next page); more is 1 when rows
 * may follow it.
 */
struct query_rows {
	struct query_row *rows;
	size_t		 n, alloc;
	struct buf	 next;
	int		 more;
	size_t		 ncols;		/* of each row's vals */
};
void	 query_rows_init(struct query_rows *);
/* Free the rows, keep nothing (next is released too). */
void	 query_rows_release(struct query_rows *);
/* Append a copy of a row of q (as query_each() lends it) to rows. */
void	 query_rows_add(const struct query *, struct query_rows *,
	     const struct query_row *);

/*
 * Run the query: up to n rows after the position (NULL or "" = from the
 * start), in the query's order, appended to out (whose next and more are
 * set).  The query's own limit and offset hold across pages.  Every read
 * goes through the session (access_*), in read-only transactions of a
 * bounded number of records each; nothing is held between calls, so a
 * page after a position re-plans with that position as a lower bound.
 * A sort no index gives keeps the best rows in memory (the top n + offset
 * for a limit) and spills sorted runs to temporary files past a memory
 * budget.  -1 with a message (a bad position token is one).
 */
int	 query_run(struct session *, const struct query *, const char *,
	     size_t, struct query_rows *, struct buf *);

/*
 * The same, row by row: fn gets each row (borrowed: copy what you keep)
 * and may return -1 to stop with its message in err.  fn is never called
 * inside a transaction, so it may send rows to a client and wait.
 * n = SIZE_MAX gives every row; a sort that no index gives then spills
 * sorted runs to temporary files instead of holding every record in
 * memory, so "clerk query" may print a whole table.  Prefer that to
 * pages for a whole output: each page of a sort no index gives reads
 * every matching record again to find its rows (the TUI's pages, a
 * screen at a time, are what pages are for).  next (may be NULL) gets the
 * position after the last row given; *more is set like query_rows.more.
 */
typedef int query_row_fn(const struct query_row *, void *, struct buf *);
int	 query_each(struct session *, const struct query *, const char *,
	     size_t, query_row_fn *, void *, struct buf *, int *,
	     struct buf *);
/* The memory a run may use for sorting and grouping before it spills
 * (default 64 MiB); for tests and the server's configuration. */
void	 query_set_memory(size_t);

/*
 * The plan the query would run with, for "clerk query --explain": one
 * line per step, e.g.
 *   party: index lookup city = 'москва' (about 120 records)
 *   filter: status = 'active'
 *   order: index city
 * Estimates read the indexes, so this needs the session.
 */
int	 query_explain(struct session *, const struct query *, struct buf *,
	     struct buf *);

/*
 * Does record rec (of the query's table) match the query's condition?
 * 1 yes, 0 no, -1 on error.  For reminder rules and row scopes, inside
 * the caller's transaction (reference paths read through it).
 */
int	 query_match(struct session *, struct store_txn *, const struct query *,
	     const struct record *, struct buf *);

/*
 * A value of column c for people (lang 0 English, 1 Russian: enum
 * labels, MONEY_LOCALE, dates as 31.01.2026 in Russian) or for files
 * (plain = 1: 1234.56, ISO dates, enum names).  Appends; an unset value
 * appends nothing.  query_value_json() appends JSON (null, a number, a
 * string, true/false).
 */
void	 query_value_text(const struct query *, size_t, const struct value *,
	     int, int, struct buf *);
void	 query_value_json(const struct query *, size_t, const struct value *,
	     struct buf *);

#endif
