/*
 * tui: the terminal interface of clerk (DESIGN.md §6, TUI.md), a client
 * of the server like the CLI: util <- proto <- client <- tui.  It never
 * links record, store or Berkeley DB; what it knows of tables comes from
 * the server's "schema" verb, and every row from verbs ("page", "show",
 * "set" ...) through tui_call(), under the operator's rights.
 *
 * This header is the framework's contract for every screen:
 *   - the screen stack (home, section menu, list, card, help), each
 *     screen a struct tui_screen with its callbacks;
 *   - one command table per screen scope (struct tui_cmd) from which the
 *     key bar, the F1/? help, the ':' command line with completion and
 *     the key list of clerk(1) are generated;
 *   - the status line and its messages;
 *   - input (keys as ints, the Russian layout mapped), prompts and
 *     confirmations whose default is No;
 *   - the server: calls of verbs and the escaped line format of the
 *     machine verbs, and the schema parsed from it;
 *   - the headless mode of the tests (keys from a script, the screen
 *     dumped as text).
 * Curses lives only in src/tui/; screens may use it directly to draw,
 * but the helpers below (tui_text, roles for attributes) keep colour,
 * NO_COLOR and wide characters in one place.
 */
#ifndef CLERK_TUI_H
#define CLERK_TUI_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"
#include "client/client.h"

/*
 * Keys.  A key is an int: a Unicode code point for text (Ctrl-S is
 * 0x13, Enter '\n', Tab '\t', Esc TUI_KEY_ESC), or one of the TUI_KEY_*
 * codes below for keys that are not text.  The framework maps curses'
 * codes to these, so screens and the key scripts of the headless mode
 * never see curses' numbering.  Letters typed in the Russian layout come
 * as Cyrillic letters; the command table is looked up with
 * utf8_layout_latin() of the key when the key itself has no binding.
 */
#define TUI_CTRL(c)	((c) & 0x1f)
#define TUI_KEY_ESC	0x1b
enum tui_key {
	TUI_KEY_BASE = 0x110000,	/* above every code point */
	TUI_KEY_UP,
	TUI_KEY_DOWN,
	TUI_KEY_LEFT,
	TUI_KEY_RIGHT,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_PGUP,
	TUI_KEY_PGDN,
	TUI_KEY_INS,
	TUI_KEY_DEL,
	TUI_KEY_BACKSPACE,		/* also 0x7f and 0x08 */
	TUI_KEY_BTAB,			/* Shift-Tab */
	TUI_KEY_RESIZE,			/* the terminal changed size */
	TUI_KEY_HUP,			/* hang-up: SIGHUP, SIGTERM, read error */
	TUI_KEY_TICK,			/* none yet, and a screen awaits the
					 * server: time to ask again */
	TUI_KEY_IDLE,			/* no key for TUI_IDLE_MS on a screen
					 * that reads again when idle */
	TUI_KEY_F0 = TUI_KEY_BASE + 0x100	/* TUI_KEY_F(1) .. TUI_KEY_F(12) */
};
#define TUI_KEY_F(n)	(TUI_KEY_F0 + (n))

/* "F2", "Ctrl-S", "Enter", "Down", "a", "Shift-F" (for 'F'): the name
 * people read in help and the man page; appends to out. */
void	 tui_key_name(int, struct buf *);
/* The key of a script step's name: "Down", "F2", "C-s", "Esc", "Enter",
 * "Tab", "BTab", "Space", "PgDn" ...; -1 if unknown. */
int	 tui_key_parse(const char *);

struct tui;
struct tui_screen;

/*
 * The command table.  Every action of a screen is one entry; an array
 * ends with an entry whose name is NULL.  keys lists up to
 * TUI_CMD_KEYS keys (0 ends the list earlier), the first one shown on
 * the key bar and in help.  bar is the key bar's short label (NULL: not
 * on the bar); help the line of the F1 screen and of clerk(1); both
 * are N_() strings, translated when shown.  flags state preconditions
 * the framework checks before calling fn: TUI_CMD_ROW needs a current
 * row (the screen's ops->has_row says), TUI_CMD_WRITE changes data.
 * fn gets the argument typed after the name on the ':' command line
 * (NULL from a key); it returns 0, or -1 after putting a message on
 * the status line (tui_error()).
 */
#define TUI_CMD_KEYS	4
#define TUI_CMD_ROW	0x01
#define TUI_CMD_WRITE	0x02
#define TUI_CMD_ARG	0x04	/* takes an argument on the command line */
struct tui_cmd {
	const char	*name;		/* "list-sort-asc", "card-save" */
	int		 keys[TUI_CMD_KEYS];
	const char	*bar;		/* N_("Sort"), or NULL */
	const char	*help;		/* N_("sort by this column, ascending") */
	int		 flags;
	int		(*fn)(struct tui *, struct tui_screen *, const char *);
};
/* The commands every screen has (help, quit, command line, redraw,
 * messages, back), after the screen's own in lookups and on the bar. */
extern const struct tui_cmd tui_global_cmds[];

/*
 * The status line, filled by a screen's ops->status: the framework
 * draws the operator, then the title, shown/total when counts is set,
 * the filter, the position text, and a mark when unsaved.  Strings are
 * borrowed until the next draw.
 */
struct tui_status {
	const char	*title;		/* "Clients", "Client #42" */
	int		 counts;	/* shown and total are meaningful */
	uint64_t	 shown;
	uint64_t	 total;
	const char	*filter;	/* active filter or search, or NULL */
	const char	*position;	/* "sort: name", "line 3", or NULL */
	int		 unsaved;
};

/*
 * A mode of a screen with commands of its own (a card typing in a
 * field): while the screen is in it, the key bar, help and the lookups
 * by key and by name use the mode's table in place of the screen's, so
 * the bar never offers a key that does something else there.  With
 * text set, printable keys are typed as text (the screen's key callback
 * takes them first): the key bar and help leave them out.
 */
struct tui_mode {
	const struct tui_cmd	*cmds;
	int			 text;
};

/*
 * A screen.  The screen's module makes one with tui_screen_new() and its
 * data and pushes it; the framework owns it from then on and calls
 * ops->free (which frees data) when it is popped or at exit.  Every
 * callback but draw may be NULL.
 */
struct tui_screen_ops {
	const char	*name;		/* "list", "card": scope in help and clerk(1) */
	const struct tui_cmd *cmds;	/* this screen's commands */
	/* Draw the body (tui_body() says where) from the screen's state;
	 * no server calls in here, so a redraw is cheap. */
	void	(*draw)(struct tui *, struct tui_screen *);
	/* Every key first: 1 when the screen took it (text typed into a
	 * field), 0 to let the command table have it. */
	int	(*key)(struct tui *, struct tui_screen *, int);
	/* The terminal changed size (the framework redraws after). */
	void	(*resize)(struct tui *, struct tui_screen *);
	/* The screen is on top again after the one above was popped
	 * (reload what may have changed). */
	void	(*resume)(struct tui *, struct tui_screen *);
	void	(*status)(struct tui *, struct tui_screen *, struct tui_status *);
	/* 1 when a current row exists (TUI_CMD_ROW commands). */
	int	(*has_row)(struct tui *, struct tui_screen *);
	/* 1 with unsaved changes: F10 and "back" ask first (a screen with
	 * a question of its own has its own command named "back"), a
	 * hang-up calls hangup. */
	int	(*unsaved)(struct tui *, struct tui_screen *);
	/* Hang-up (SIGHUP, SIGTERM, dead terminal), or F10 in a terminal
	 * too small to ask in: keep what can be kept (a draft) without
	 * drawing or asking; the program exits after. */
	void	(*hangup)(struct tui *, struct tui_screen *);
	void	(*free)(struct tui_screen *);
	/* 1 while the screen awaits an answer the server is still working
	 * on (a sort of a million rows): the loop then calls tick every
	 * TUI_TICK_MS between keys, and keys go on working meanwhile. */
	int	(*waiting)(struct tui_screen *);
	void	(*tick)(struct tui *, struct tui_screen *);
	/* The mode the screen is in now, or NULL for its own cmds. */
	const struct tui_mode *(*mode)(const struct tui_screen *);
	/* After every key: keep what is unsaved on disk as it changes (a
	 * draft), for a process killed where no hang-up is seen. */
	void	(*keep)(struct tui *, struct tui_screen *);
	/* On top, after TUI_IDLE_MS without a key: read again what others
	 * may have changed meanwhile (a list follows the other operators'
	 * adds, renames and archives without a key pressed). */
	void	(*idle)(struct tui *, struct tui_screen *);
	/* The key bar's label of a command as the screen's state makes
	 * it ("Restore" for Archive on an archived card), or NULL for the
	 * command's own. */
	const char *(*bar)(const struct tui_screen *, const struct tui_cmd *);
};
#define TUI_IDLE_MS	5000
#define TUI_TICK_MS	100
struct tui_screen {
	const struct tui_screen_ops *ops;
	void			*data;
	struct tui_screen	*below;		/* the stack, NULL at the bottom */
};
struct tui_screen *tui_screen_new(const struct tui_screen_ops *, void *);
/* Push on top (drawn at the next round of the loop). */
void	 tui_push(struct tui *, struct tui_screen *);
/* Pop and free the top screen; the one below gets resume.  Popping the
 * last screen ends the program. */
void	 tui_pop(struct tui *);
struct tui_screen *tui_top(struct tui *);
/* Ask for a full redraw at the next round (after a change of state the
 * screen's draw cannot see). */
void	 tui_redraw(struct tui *);
/* End the loop: the program exits after freeing the screens. */
void	 tui_quit(struct tui *);

/*
 * Drawing.  The screen is: a title line (row 0), the body, the status
 * line and the key bar (the last two rows).  tui_body() gives the
 * body's first row, its rows and the columns.  Roles stand for
 * attributes: colours where the terminal has them and NO_COLOR is not
 * set, else bold, reverse and underline.
 */
enum tui_role {
	TUI_NORMAL,
	TUI_TITLE,	/* the title line */
	TUI_HEADER,	/* column headers */
	TUI_SELECT,	/* the current row or field */
	TUI_MARK,	/* tagged rows, search hits */
	TUI_LABEL,	/* labels of a card */
	TUI_FIELD,	/* entry fields of a card */
	TUI_ERROR,	/* a wrong field, error messages */
	TUI_BAR,	/* key bar labels */
	TUI_BARKEY,	/* key bar key names */
	TUI_STATUS,	/* the status line */
	TUI_DIM		/* secondary text */
};
void	 tui_body(struct tui *, int *, int *, int *);
/* UTF-8 text at (row, col) in at most width display cells, cut with "…"
 * when longer, padded with blanks to width when pad is set; right
 * aligned when right is set.  Returns the cells written. */
int	 tui_text(struct tui *, int, int, int, const char *, enum tui_role,
	     int, int);
/*
 * Recalc: a line of text wrapped to width display cells at blanks (a
 * word longer than a row cut where it must), the rows after the first
 * indented two cells more than the line is; appended to *rows (*n of
 * them, each the caller's to free, as the array).
 */
void	 tui_wrap(const char *, int, char ***, size_t *);
/* The same, the rows after the first indented only when indented (a
 * question, a message: not). */
void	 tui_wrap_to(const char *, int, int, char ***, size_t *);
/* Fill width cells at (row, col) with blanks in role. */
void	 tui_fill(struct tui *, int, int, int, enum tui_role);
/* Where the cursor shows after this draw (a card's field); without a
 * call in draw it is hidden. */
void	 tui_cursor(struct tui *, int, int);

/*
 * Messages on the status line, shown until the next key; the last
 * TUI_MESSAGES are kept for the message history (":messages").
 * tui_error() returns -1, for "return tui_error(t, ...)".
 */
#define TUI_MESSAGES	50
void	 tui_message(struct tui *, const char *, ...) PRINTFLIKE(2, 3);
int	 tui_error(struct tui *, const char *, ...) PRINTFLIKE(2, 3);
/*
 * How far a long command is (an export of a big list), on the status
 * line at once and kept out of the message history; a command calls it
 * between calls to the server.  1 when Esc was pressed meanwhile (the
 * command stops), else 0; other keys typed meanwhile are dropped.
 */
int	 tui_progress(struct tui *, const char *, ...) PRINTFLIKE(2, 3);
/* A time the server gave as "2026-01-31 12:30:45" written for people,
 * as their dates: "31.01.2026 12:30" (a text it cannot read as it is). */
void	 tui_when(const char *, struct buf *);

/*
 * Input.  tui_getkey() waits for the next key (from the terminal, or
 * the script in headless mode); TUI_KEY_HUP when the terminal is gone.
 * tui_prompt() reads a line on the status line: initial text in line,
 * Enter returns 0 with the text in line, Esc returns 1 (line as it
 * was typed), a hang-up -1.  When change is set it is called after
 * every edit with the text so far (search as you type).
 * tui_confirm() asks a question with buttons, No first and default;
 * 1 for yes, 0 for no, Esc, or a hang-up.
 */
int	 tui_getkey(struct tui *);
int	 tui_prompt(struct tui *, const char *, struct buf *,
	     void (*)(struct tui *, const char *, void *), void *);
int	 tui_confirm(struct tui *, const char *, const char *);
/* A question with n buttons (wrapped to the terminal when long): the
 * index of the button chosen with Left/Right/Tab and Enter, starting on
 * def; esc for Esc or a hang-up.  tui_confirm() is this with No and
 * yes. */
int	 tui_ask(struct tui *, const char *, const char *const *, int, int,
	     int);
/* A menu of n items in a box (Up/Down, Enter, type-ahead by the start
 * of an item, case and ё/е folded): the index chosen, or -1 for Esc or
 * a hang-up.  def is where the cursor starts. */
ssize_t	 tui_choose(struct tui *, const char *, const char *const *, size_t,
	     size_t);
/* Look up and run the command bound to key on the top screen (then the
 * global commands); 1 if there was none. */
int	 tui_dispatch(struct tui *, int);
/* Run a command by name with an argument, as from the ':' line. */
int	 tui_run_command(struct tui *, const char *, const char *);

/*
 * The server.  tui_callv() calls a verb with argc arguments: 0 with its
 * output text in out (appended), or -1 with the server's error (or the
 * lost connection) in err.  Warnings go to the status line.
 * tui_call() takes the arguments as a NULL-terminated list after the
 * verb (an exception to err-last, for readability at the call site).
 */
int	 tui_callv(struct tui *, const char *, int, char **, struct buf *,
	     struct buf *);
/* The warnings of the last call, joined by "; ", or NULL: for a message
 * that follows the call not to hide them. */
const char *tui_call_warnings(struct tui *);
int	 tui_call(struct tui *, struct buf *, struct buf *, const char *, ...)
	     __attribute__((sentinel));

/*
 * The machine format of the TUI's verbs ("schema", "page" and others):
 * one item per line, fields separated by a TAB, the first field naming
 * the kind of line ("table", "field", "row" ...).  Inside a field a
 * backslash, a TAB, a newline and a CR are written \\, \t, \n and \r,
 * so every value, Cyrillic and empty ones too, survives as it was.
 * Readers skip kinds they do not know, so verbs may grow new lines.
 */
/*
 * "clerk schema [TABLE]" (src/cmd/cmd-schema.c) writes:
 *   table  NAME LABEL_EN LABEL_RU PLURAL_EN PLURAL_RU SEARCH(0|1)
 *   field  TABLE NAME TYPE LABEL_EN LABEL_RU FLAGS MAXLEN INDEX REF
 *          VALIDATOR DEFAULT   (FLAGS: r required, m multi; INDEX:
 *          e exact, f folded, u unique, s search)
 *   value  TABLE FIELD NAME LABEL_EN LABEL_RU   (enum values, in order)
 *   list   TABLE FIELD...                       (list columns)
 *   line   TABLE TEXT                           (the drawn screen)
 *   item   TABLE ROW COL WIDTH label|entry FIELD
 * "clerk page TABLE [--sort [-]FIELD] [--after POS | --at POS |
 * --before POS | --last] [--wrap] [--search TEXT] [--limit N]
 * [--cols F,F,...] [--archived]" (src/cmd/cmd-page.c) writes:
 *   total  N            records in the table
 *   shown  N            with --search: the number of matches
 *   cols   FIELD...     the columns of the rows
 *   row    ID POS VALUE...  values formatted for people in the
 *                       client's language; POS is opaque, for --after
 *                       and --before
 *   more   0|1          1 when rows follow in that direction
 * Rows always come in the order of the list (ascending, or descending
 * for "-FIELD"), also for --before and --last.  With --search only
 * matching rows come, still in the list's order: "--search T --after
 * POS --limit 1" is the next match after a row (n), "--before" the one
 * before it (N); --at is --after with the row itself included.
 * --wrap goes round to the other end when no match is left that way
 * and adds "wrapped 0|1".
 */
struct tui_line {
	char		**f;		/* n unescaped fields */
	size_t		  n;
};
struct tui_lines {
	struct tui_line	 *v;
	size_t		  n;
};
int	 tui_lines_parse(struct tui_lines *, const char *, size_t,
	     struct buf *);
void	 tui_lines_release(struct tui_lines *);
/* Field i of a line, or "" when the line is shorter. */
const char *tui_line_get(const struct tui_line *, size_t);

/*
 * The schema as the server describes it ("clerk schema").  Labels are
 * [0] English, [1] Russian; tui_label() picks the operator's language
 * (falling back to English).
 */
#define TUI_IX_EXACT	0x01
#define TUI_IX_FOLDED	0x02
#define TUI_IX_UNIQUE	0x04
#define TUI_IX_SEARCH	0x08
struct tui_enum {
	char		*name;
	char		*label[2];
};
struct tui_field {
	char		*name;
	char		*label[2];
	char		*type;		/* "text", "money", "date", "enum", "ref" ... */
	size_t		 maxlen;	/* text: characters, 0 = no limit */
	int		 required;
	int		 multi;
	int		 index;		/* TUI_IX_* */
	int		 right;		/* numbers: right-aligned in lists */
	char		*ref_table;	/* "ref": the table, else NULL */
	char		*validator;	/* "inn", "account(bank_bik)", or NULL */
	char		*deflt;		/* default as text, or NULL */
	struct tui_enum	*values;	/* "enum" */
	size_t		 nvalues;
};
/* An item of the form's drawn screen: [field] entry or <field> label. */
struct tui_item {
	int		 row, col, width;	/* 0-based, display cells */
	int		 is_label;
	size_t		 field;		/* position in fields */
};
struct tui_table {
	char		*name;
	char		*label[2];	/* singular */
	char		*plural[2];	/* menus and list titles */
	struct tui_field *fields;
	size_t		 nfields;
	size_t		*list;		/* list columns (positions) */
	size_t		 nlist;
	char		**lines;	/* the drawn screen, items blanked */
	size_t		 nlines;
	struct tui_item	*items;
	size_t		 nitems;
	int		 has_search;	/* the word index covers some field */
};
struct tui_schema {
	struct tui_table *tables;
	size_t		  ntables;
};
int	 tui_schema_parse(struct tui_schema *, const char *, size_t,
	     struct buf *);
void	 tui_schema_release(struct tui_schema *);
const struct tui_table *tui_schema_table(const struct tui_schema *,
	     const char *);
ssize_t	 tui_table_field(const struct tui_table *, const char *);
const char *tui_label(char *const *, int);

/*
 * The application.  The fields are for screens to read; the framework
 * changes them.
 */
struct tui {
	struct client	*client;
	const char	*login;		/* the operator */
	char		*database;	/* folder or socket, for the home screen */
	char		*where;		/* the same, never translated: the real
					 * folder or the server's socket
					 * (drafts belong to it) */
	int		 no_cursor;	/* the terminal cannot show its cursor:
					 * screens mark it themselves */
	int		 lang;		/* 0 English, 1 Russian (LC_MESSAGES) */
	struct tui_schema schema;
	int		 rows, cols;	/* the terminal's size */
	int		 color;		/* colours in use */
	int		 headless;
	int		 hangup;	/* set once the terminal is gone */
	struct tui_screen *top;
	void		*priv;		/* the framework's own state */
};

/*
 * Running it.  tui_main() opens the connection, loads the schema, sets
 * up the terminal (or the headless one), pushes the home screen and runs
 * the loop until quit or a hang-up; returns the exit status (0, or 1
 * with a message on stderr).
 *
 * Headless mode (tests, benchmarks): curses is set up with newterm() on
 * a null output of size cols x rows; keys come from the script file
 * (see tui_script_*), and the screen as curses has it is written as text
 * to dump (stdout when NULL) at every <dump> step.  bytes_out counts
 * what curses wrote to its (null) terminal.
 */
struct tui_options {
	const struct client_options *client;
	int		 headless;
	int		 cols, rows;	/* headless size */
	const char	*keys;		/* headless key script */
	const char	*dump;		/* headless dumps: file, NULL = stdout */
	const char	*stats;		/* headless: per-key time and bytes to this file */
};
int	 tui_main(const struct tui_options *);
/* "100x30" into cols and rows; -1 if malformed or below 1x1. */
int	 tui_parse_size(const char *, int *, int *);

/*
 * Key scripts of the headless mode.  A script is UTF-8 text: plain
 * characters are typed as they are (a newline is not a key: use
 * <Enter>); <Name> is a key by tui_key_parse() ("<Down>", "<F2>",
 * "<C-s>", "<Esc>", "<Enter>", "<Space>"); "<<" types '<'.  Steps that
 * are not keys: <dump> writes the screen, <resize COLSxROWS> resizes the
 * terminal, <hup> hangs up, <sleep> does nothing (a mark for the
 * benchmark).  A screen awaiting the server (TUI_KEY_TICK) is waited
 * for by <wait> (timed as "wait" in the statistics) and by <dump>;
 * <peek> writes the screen as it is, waiting or not.  Lines starting with '#' are comments.  The end of the
 * script is a hang-up, as a dead terminal would be.
 */
enum tui_step_kind { TUI_STEP_KEY, TUI_STEP_DUMP, TUI_STEP_RESIZE,
	TUI_STEP_HUP, TUI_STEP_WAIT, TUI_STEP_PEEK };
struct tui_step {
	enum tui_step_kind kind;
	int		 key;
	int		 cols, rows;
};
struct tui_script {
	struct tui_step	*steps;
	size_t		 n, at;
};
int	 tui_script_parse(struct tui_script *, const char *, size_t,
	     struct buf *);
void	 tui_script_release(struct tui_script *);

/* The key list of clerk(1), one ".It" per command, from every screen's
 * table (for the man page's generator and its test). */
void	 tui_keys_man(struct buf *);

/* The screens of this module, pushed by commands and the home screen. */
struct tui_screen *tui_home_new(struct tui *);
/* The list of a table; NULL with a message when the table is unknown. */
struct tui_screen *tui_list_new(struct tui *, const char *);
/* The list of a table's archived records only (to restore them). */
struct tui_screen *tui_list_new_archived(struct tui *, const char *);
/*
 * Provided by the card's files (src/tui/card*.c, draft*.c), not by the
 * framework.  tui_card_new(): the card of record id of table (0 = a new
 * record), to push; NULL after a message on the status line.
 * tui_drafts_offer(): called once after the home screen is up, to offer
 * drafts kept by an earlier hang-up.
 */
struct tui_screen *tui_card_new(struct tui *, const char *, uint64_t);
void	 tui_drafts_offer(struct tui *);

/*
 * tui_prompt() with a cursor that moves (Left, Right, Home, End,
 * Delete): *cursor (may be NULL: the end) is a byte offset in line at the
 * start of a character, where the cursor starts and, after, where it
 * was.  note (may be NULL) is shown on the row above the prompt until
 * the next edit: the filter's message of a mistake, with the cursor on
 * its column.  With TUI_PROMPT_OFFER in flags the initial line is an
 * offer (a default, the current column), shown selected: the first
 * character typed replaces it and Backspace or Delete clears it, while
 * Enter takes it and a move of the cursor keeps it to be edited.
 */
#define TUI_PROMPT_OFFER	0x01
int	 tui_prompt_at(struct tui *, const char *, struct buf *, size_t *,
	     const char *, int, void (*)(struct tui *, const char *, void *),
	     void *);

#endif
