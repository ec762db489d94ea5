/*
 * cmd: the verbs of clerk (add, show, set, list, admin …), one file
 * each, run inside the server against the session of one connection.
 * A verb gets its whole request at once, does its work in store
 * transactions (never waiting on the client inside one), and leaves
 * output text, warnings and an error in its context for the server to
 * send back.  Verbs never print, exit or touch a terminal or socket.
 *
 * Like tmux's cmd-*.c, every verb file exports a const struct
 * cmd_entry; cmd.c collects them in one table, from which dispatch,
 * usage lines and the help verb are made.
 */
#ifndef CLERK_CMD_H
#define CLERK_CMD_H

#include <stdint.h>

#include "util/util.h"
#include "record/record.h"
#include "store/store.h"
#include "access/access.h"

/* A verb's outcome, also the CLI's exit status. */
#define CMD_OK		0
#define CMD_FAILED	1
#define CMD_USAGE	2

#define CMD_MAXOPTS	16

struct cmd_ctx;

/*
 * What a verb may tell its client before the response, set by the
 * server when the client takes it (else NULL), through cmd_progress(),
 * cmd_flush() and cmd_gone() below.
 */
struct cmd_io {
	void	 *arg;
	/* A progress note, dropped when it cannot go without waiting:
	 * safe inside a transaction. */
	void	(*progress)(void *, const char *);
	/* Send the output so far and empty out; may wait on the client, so
	 * never inside a transaction.  -1 when the client is gone. */
	int	(*flush)(void *, struct buf *);
	/* 1 when the client has hung up. */
	int	(*gone)(void *);
};

struct cmd_entry {
	const char	*name;		/* "add", or words: "admin user add" */
	const char	*usage;		/* after the name: "TABLE field=value ..." */
	const char	*help;		/* one line for the help verb */
	/*
	 * Long options, comma-separated; a trailing '=' takes a value:
	 * "rev=,purge".  Given as --rev N or --rev=N, anywhere among the
	 * arguments; "--" ends options.
	 */
	const char	*options;
	int		 lower;		/* fewest positional arguments */
	int		 upper;		/* most, -1 = no limit */
	int		(*exec)(struct cmd_ctx *);
};

struct cmd_ctx {
	/* Set by the caller (the server). */
	struct session	 *session;
	struct store	 *store;
	const struct schema *schema;
	const char	 *cwd;		/* the client's, for relative paths */
	int		  lang;		/* 0 English, 1 Russian labels */
	int		  cols;		/* client's terminal width, 0 = none */
	const char	 *bulk;		/* request's bulk data (borrowed) */
	size_t		  bulklen;
	const struct cmd_io *io;	/* NULL = none */
	int		  personal;	/* a personal server: only its user gets in */

	/* Set by cmd_run() for the verb. */
	const struct cmd_entry *entry;
	int		  argc;		/* positional arguments */
	char		**argv;
	const char	 *optname[CMD_MAXOPTS];
	const char	 *optval[CMD_MAXOPTS];	/* "" for a flag */
	size_t		  nopts;

	/* The verb's results. */
	struct buf	  out;		/* text for standard output */
	char		**warnings;
	size_t		  nwarnings;
	struct buf	  error;	/* "" when none */
	struct buf	  usage;	/* "add TABLE field=value ..." on CMD_USAGE */
	uint64_t	  progress_ns;	/* when the last note went */
};

/* The table of verbs, NULL-terminated. */
extern const struct cmd_entry *const cmd_table[];

void	 cmd_ctx_init(struct cmd_ctx *);
void	 cmd_ctx_release(struct cmd_ctx *);
/*
 * Find the verb named by verb and the leading words of argv (the
 * longest name that matches), parse its options and run it.  Returns
 * CMD_OK, CMD_FAILED or CMD_USAGE, with the context's results set.
 */
int	 cmd_run(struct cmd_ctx *, const char *, int, char **);

/*
 * The usage error (CMD_USAGE) of verb and the words after it when no
 * command has that name: "unknown command 'lst' (did you mean
 * 'list'?)", or for a family ("admin frob") its commands' usage.
 * cmd_run() and "help" say it alike.
 */
int	 cmd_unknown(struct cmd_ctx *, const char *, int, char **);

/* Helpers for the verbs (cmd.c). */
int	 cmd_error(struct cmd_ctx *, const char *, ...) PRINTFLIKE(2, 3);
/* "Client #42 not found" (the table's label, in the request's language):
 * the error of a record that is not there; CMD_FAILED. */
int	 cmd_not_found(struct cmd_ctx *, const struct table *, uint64_t);
int	 cmd_usage(struct cmd_ctx *, const char *, ...) PRINTFLIKE(2, 3);
void	 cmd_warn(struct cmd_ctx *, const char *, ...) PRINTFLIKE(2, 3);
/*
 * For long verbs (import, export): a progress note for a person at a
 * terminal, sent at most a few times a second (the rest are dropped);
 * never waits, so it may be called inside a transaction.
 * cmd_progress_force() sends one whatever the time.  cmd_flush() sends
 * the output so far ahead of the response when the client takes that
 * (else keeps it): never inside a transaction; -1 (error set) when the
 * client is gone.  cmd_gone() is 1 when the client has hung up, so its
 * work can stop.
 */
void	 cmd_progress(struct cmd_ctx *, const char *, ...) PRINTFLIKE(2, 3);
void	 cmd_progress_force(struct cmd_ctx *, const char *, ...)
	     PRINTFLIKE(2, 3);
int	 cmd_flush(struct cmd_ctx *);
int	 cmd_gone(struct cmd_ctx *);
/* The value of an option (flags give ""), or NULL when not given; the
 * last of repeated options wins. */
const char *cmd_opt(const struct cmd_ctx *, const char *);
/* A table by name, or NULL with "unknown table 'paty' (did you mean
 * 'party'?)" as the context's error. */
const struct table *cmd_table_get(struct cmd_ctx *, const char *);
/* A field position by name, or -1 with "unknown field ..." set. */
ssize_t	 cmd_field_get(struct cmd_ctx *, const struct table *, const char *);
/*
 * Parsers of arguments return CMD_OK, or CMD_USAGE with the error set:
 * a record id (a positive decimal), a count for --limit and the like
 * (bad is the whole message, marked with N_() and holding one %s for
 * the text given: a sentence per option translates, "bad %s" does not),
 * an output format (--format).
 */
int	 cmd_parse_id(struct cmd_ctx *, const char *, uint64_t *);
/*
 * "VERB TABLE ID": fn (access_archive, access_purge, access_restore) on
 * the record argv[1] of table argv[0], in one transaction; "TABLE ID
 * not found" when there is none.  Returns CMD_OK or the failure.
 */
typedef int cmd_record_fn(struct session *, struct store_txn *,
	     const struct table *, uint64_t, struct buf *);
int	 cmd_record_run(struct cmd_ctx *, cmd_record_fn *);
int	 cmd_parse_count(struct cmd_ctx *, const char *, const char *,
	     uint64_t *);
/*
 * The wrong values of a record being saved (add, set), kept field by
 * field so that a refusal names every one at once, in the order of the
 * card, each by its label in the client's language and its name
 * (record_field_error()).
 */
struct cmd_problems {
	const struct table *table;
	char		**why;		/* per field: why wrong, or NULL */
	size_t		  n;		/* fields with a why */
};
void	 cmd_problems_init(struct cmd_problems *, const struct table *);
void	 cmd_problems_release(struct cmd_problems *);
/*
 * The refusal of rec (NULL: of the problems alone), appended to out:
 * the problems kept, and every other field of rec that
 * record_validate_field() finds wrong, in the card's order
 * (table_screen_order()), joined by "; ".  Returns how many fields are
 * wrong (0: out unchanged).  Changes nothing, so a transaction may call
 * it on every try.
 */
size_t	 cmd_problems_text(const struct cmd_problems *, const struct record *,
	     int, struct buf *);
/*
 * Warnings for the values of rec accepted without a full check
 * (record_validate_note(): a Treasury account, which carries no check
 * digit; an account with no БИК), each named as a refusal names it, in
 * the card's order.  Only the fields flagged in only (NULL: all) are
 * looked at, or those whose check reads one flagged (an account when
 * its БИК was given).
 */
void	 cmd_notes(struct cmd_ctx *, const struct record *, const char *);
/*
 * Parse "field=value" into rec (record_parse); marks the field in set
 * (an array of table->nfields flags) when not NULL.  A value that does
 * not parse goes into problems when not NULL (CMD_OK, the field left
 * as it was), else it is the error.  Returns CMD_OK, or the status with
 * the error set (no '=', an unknown field).
 */
int	 cmd_assign(struct cmd_ctx *, struct record *, const char *, char *,
	     struct cmd_problems *);
/* A path from the client made absolute against its cwd; caller frees. */
char	*cmd_path(const struct cmd_ctx *, const char *);
/* The closest of n names to s by edit distance, or NULL if none is
 * close enough to suggest. */
const char *cmd_suggest(const char *, const char *const *, size_t);
/* Whether a field is one cmd_duplicates() looks at (import too). */
int	 cmd_dup_field(const struct field *);
/*
 * Warnings for values of rec that another record of its table has too:
 * phones, e-mails and ИНН (fields of type phone or email, or with an
 * ИНН validator, that have an exact index).  Only the fields flagged in
 * only (NULL = all) are looked at; the record rec->id itself is not
 * reported.  The warnings are appended to *w (count *nw), so a
 * transaction function can collect them afresh on each try.  With
 * labels (add, set: the command line and the card) each names the field
 * as a refusal does and the other record and the value as the client
 * shows them ("Phones ('phones'): Client #2 ООО «Гамма» has the same +7
 * 495 123-45-67"); without (import, whose messages name the columns)
 * "party 2 'ООО «Гамма»' has the same phones '+74951234567'".
 */
int	 cmd_duplicates(struct cmd_ctx *, struct store_txn *,
	     const struct record *, const char *, int, char ***, size_t *,
	     struct buf *);
void	 cmd_strings_free(char **, size_t);
/* Field pos of from into to (same table), set or cleared alike. */
void	 cmd_copy_value(struct record *, const struct record *, size_t);

/*
 * References for people (titles.c): "#2 ООО «Альфа»", the number and
 * the title of the record it points at (record_title()), "#2"
 * alone when that one cannot be read.  A page of rows at a time:
 * cmd_titles_start() (forgets what was read once it is many), then
 * cmd_titles_want() for each reference the page shows, then one
 * cmd_titles_load() (one read-only transaction, never inside one; a
 * failure leaves the numbers alone), then cmd_titles_text() for each;
 * cmd_titles_rows() does the three for a page of a query's rows, ref[c]
 * the table column c refers to (NULL: not a reference).
 * cmd_ref_table() is the table a reference field points at, or NULL.
 */
struct cmd_titles {
	struct cmd_ctx	*ctx;
	struct title	*v;		/* open addressing, cap a power of 2 */
	size_t		 cap, n, pending;
};
void	 cmd_titles_init(struct cmd_titles *, struct cmd_ctx *);
void	 cmd_titles_release(struct cmd_titles *);
void	 cmd_titles_start(struct cmd_titles *);
void	 cmd_titles_want(struct cmd_titles *, const struct table *, uint64_t);
void	 cmd_titles_load(struct cmd_titles *);
struct query;
struct query_rows;
void	 cmd_titles_rows(struct cmd_titles *, const struct query *,
	     const struct table *const *, const struct query_rows *);
void	 cmd_titles_text(struct cmd_titles *, const struct table *, uint64_t,
	     struct buf *);
const struct table *cmd_ref_table(const struct cmd_ctx *,
	     const struct field *);

/* Output formats (format.c). */
enum cmd_format {
	FMT_TABLE,
	FMT_CSV,
	FMT_TSV,
	FMT_JSON
};
int	 cmd_format_get(struct cmd_ctx *, enum cmd_format *);
/* A value for people in lang (0 English, 1 Russian), as every listing
 * shows it (record_value_format(), VALUE_PEOPLE). */
void	 cmd_value_text(const struct record *, size_t, int, struct buf *);
/* A value for files: plain format, multi values joined by "; "
 * (VALUE_FILE). */
void	 cmd_value_plain(const struct record *, size_t, struct buf *);
/* A value as JSON (null, number, true/false, string or array). */
void	 cmd_value_json(const struct record *, size_t, struct buf *);
void	 cmd_csv_field(struct buf *, const char *, size_t);
void	 cmd_csv_field_sep(struct buf *, int, const char *, size_t);
void	 cmd_tsv_field(struct buf *, const char *, size_t);
/* The TUI's machine format (src/tui/tui.h, cmd-schema.c): a TAB, then
 * the value with backslash, TAB, newline and CR escaped. */
void	 cmd_machine_field(struct buf *, const char *, size_t);
void	 cmd_machine_str(struct buf *, const char *);	/* NULL as "" */

/*
 * How far a table may narrow a column to fit the terminal: names and
 * addresses give way, down to CUT_TEXT_MIN cells (CUT_TEXT); a number, an amount, a
 * date, a phone or a code a checksum guards is of no use cut and keeps
 * its width (CUT_NEVER), a list of them its first value whole
 * (CUT_LIST).  cmd_cut_of() says which for a column of values of type
 * (of field f, when it has one).  cmd_fit_widths() takes a cell at a
 * time off the widest column that is wider than its least width minw,
 * until the n columns, two blanks apart, fit cols cells; columns that
 * cannot narrow leave the table wider.  cmd_cut_min() is the least
 * width of a column under cut for one cell of width w (not a heading).
 */
#define CUT_TEXT_MIN	6	/* cells a name keeps: "Крас…" */
enum cmd_cut {
	CUT_TEXT,
	CUT_NEVER,
	CUT_LIST
};
enum cmd_cut cmd_cut_of(enum field_type, const struct field *);
void	 cmd_fit_widths(size_t *, const size_t *, size_t, size_t);
size_t	 cmd_cut_min(enum cmd_cut, const char *, size_t);

/*
 * A grid of cells printed as an aligned table (display widths, cells
 * over maxw cells cut with "…", 0 = no cap; narrowed to fit cols
 * terminal cells when not 0, each column as its cut says, the first row
 * a heading when heading is set), or as CSV or TSV.
 */
struct cmd_grid {
	size_t		  ncols;
	struct buf	  text;		/* every cell, each ended by a NUL */
	size_t		 *off;		/* where each cell starts in text:
					 * row-major, ncols per row */
	size_t		  ncells;
	size_t		  alloc;
	int		 *right;	/* per column: right-aligned */
	enum cmd_cut	 *cut;		/* per column: CUT_TEXT unless set */
	int		  heading;	/* the first row is the headings */
};
void	 cmd_grid_init(struct cmd_grid *, size_t);
void	 cmd_grid_release(struct cmd_grid *);
void	 cmd_grid_add(struct cmd_grid *, const char *, size_t);
void	 cmd_grid_adds(struct cmd_grid *, const char *);
void	 cmd_grid_render(const struct cmd_grid *, enum cmd_format, size_t,
	     size_t, struct buf *);

/*
 * Queries (cmd-query.c).  cmd_query_output() runs q through the session
 * and writes its rows in fmt (a table's column widths are fixed by the
 * first page of rows), sending each page's worth to the client as it
 * comes.  cmd_cell() appends s as one cell of an aligned
 * table, width display cells wide (cut with "…"), padded unless it is
 * the last, left-aligned one.
 */
struct query;
int	 cmd_query_output(struct cmd_ctx *, const struct query *,
	     enum cmd_format);
void	 cmd_cell(struct buf *, const char *, size_t, size_t, int, int);
/*
 * A whole result of q, row by row, in one run of the engine: the first
 * `first` rows (fewer when there are fewer) go to head together, so a
 * layout can size its columns, then to row; every row after them goes
 * to row as it comes, and the output is sent to the client every
 * `first` rows, between the engine's transactions.  With page (may be
 * NULL), rows come a page of `first` at a time instead: each page goes
 * to page first (outside any transaction, to read what its rows refer
 * to: cmd_titles_load()), then to head (the first page) and row.  0,
 * -1 with err (the query failed), 1 when the client went away.
 */
struct query_row;
struct query_rows;
typedef void cmd_rows_fn(void *, const struct query_rows *);
typedef void cmd_row_fn(void *, const struct query_row *);
int	 cmd_query_stream(struct cmd_ctx *, const struct query *, size_t,
	     cmd_rows_fn *, cmd_rows_fn *, cmd_row_fn *, void *,
	     struct buf *);
/* "list TABLE COND": the records of t meeting cond, with list's --sort
 * (any field) and --limit. */
int	 cmd_query_list(struct cmd_ctx *, const struct table *, const char *,
	     enum cmd_format);

/* The verbs. */
extern const struct cmd_entry cmd_add_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_set_entry;
extern const struct cmd_entry cmd_rm_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_history_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_find_entry;
extern const struct cmd_entry cmd_merge_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_card_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_query_entry;
extern const struct cmd_entry cmd_view_save_entry;
extern const struct cmd_entry cmd_view_list_entry;
extern const struct cmd_entry cmd_view_run_entry;
extern const struct cmd_entry cmd_view_rm_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_schema_entry;
extern const struct cmd_entry cmd_page_entry;
/* Stop the threads that read lists' orders and filters for store s
 * (page-order.c) and forget them: before the store closes. */
void	 cmd_page_stop(struct store *);
extern const struct cmd_entry cmd_admin_init_entry;
extern const struct cmd_entry cmd_admin_verify_entry;
extern const struct cmd_entry cmd_admin_demo_entry;
extern const struct cmd_entry cmd_admin_backup_entry;
extern const struct cmd_entry cmd_admin_compact_entry;
extern const struct cmd_entry cmd_admin_user_add_entry;
extern const struct cmd_entry cmd_admin_user_list_entry;
extern const struct cmd_entry cmd_admin_user_disable_entry;
extern const struct cmd_entry cmd_admin_user_enable_entry;
extern const struct cmd_entry cmd_admin_setup_shared_entry;

#endif
