/*
 * tui_int.h: what the framework's own files share (tui.c, the home,
 * list and help screens, the recalc functions).  Screens of other files
 * use tui.h only.
 */
#ifndef CLERK_TUI_INT_H
#define CLERK_TUI_INT_H

#include "tui.h"

/* The smallest terminal the screens are laid out for. */
#define TUI_MIN_COLS	80
#define TUI_MIN_ROWS	24

/*
 * Recalc (no curses): widths of n columns in width cells with gap
 * blanks between them.  want is each column's natural width, min the
 * least it may be cut to; columns are cut widest first, then the ones
 * that still do not fit from the right get 0 (not shown).  Columns from
 * first on are laid out (earlier ones are scrolled off, width 0).
 * Returns the number of columns shown.
 */
size_t	 tui_fit_columns(const int *, const int *, size_t, size_t, int, int,
	     int *);

/* Move *first, the first of n lines shown in the body, by lines (up
 * when negative), keeping the body full where n allows. */
void	 tui_scroll(struct tui *, size_t *, size_t, long);
/* A screen of lines of text to scroll (help, the message history). */
struct tui_screen *tui_text_new(struct tui *, const char *, char **, size_t);
/* The help of a screen: its commands and the global ones. */
struct tui_screen *tui_help_new(struct tui *, struct tui_screen *);
/* The message history, and its messages (oldest first, borrowed). */
struct tui_screen *tui_messages_new(struct tui *);
size_t	 tui_history(struct tui *, char ***);

/* The commands of a scope for help and completion: fills v with up to
 * max entries (the screen's, then the global ones not overridden). */
size_t	 tui_commands(const struct tui_screen *, const struct tui_cmd **,
	     size_t);

/* Keys of a command joined for people: "F6, [". */
void	 tui_cmd_keys(const struct tui_cmd *, struct buf *);
/* The same, only the keys that reach the command on screen s in its
 * mode now: not taken by a command before it, nor typed as text. */
void	 tui_cmd_keys_on(const struct tui_screen *, const struct tui_cmd *,
	     struct buf *);
/* 1 when s is in a mode whose printable keys are typed as text. */
int	 tui_screen_text(const struct tui_screen *);

/* The scopes with their tables, for clerk(1)'s key list. */
struct tui_scope {
	const char		*name;
	const char		*title;	/* N_() */
	const struct tui_cmd	*cmds;
};
extern const struct tui_scope tui_scopes[];

extern const struct tui_cmd tui_home_cmds[];
extern const struct tui_cmd tui_list_cmds[];
extern const struct tui_cmd tui_text_cmds[];

/*
 * The list's side for the screens over it (scr-group.c): its table,
 * current column and filter (NULL: none), and a new filter for a
 * drill-down (0, or -1 with the message on the status line).
 */
const char *tui_list_table(struct tui_screen *);
const char *tui_list_column(struct tui_screen *);
const char *tui_list_where(struct tui_screen *);
int	 tui_list_filter(struct tui *, struct tui_screen *, const char *);
/* The frequency table of a field of the list below, and the group view
 * by keys "status,city" (scr-group.c); NULL after a message on the
 * status line, or the server's in err when err is not NULL (for the
 * prompt of the keys to show it again). */
struct tui_screen *tui_freq_new(struct tui *, struct tui_screen *,
	     const char *);
struct tui_screen *tui_group_new(struct tui *, struct tui_screen *,
	     const char *, struct buf *);
extern const struct tui_cmd tui_group_cmds[];
/* The report NAME (NULL: a menu of the reports), its parameters asked,
 * run and shown (scr-report.c); -1 after a message. */
int	 tui_report_open(struct tui *, const char *);
extern const struct tui_cmd tui_report_cmds[];

/*
 * Recalc: a saved view's query cut for the list at its top-level
 * clauses: the table (its first word), the condition after 'where', the
 * keys after 'sort' with the blanks taken out ("name,-city"), each NULL
 * when absent (free them); *other gets TUI_VIEW_GROUP for 'group' or
 * 'having', TUI_VIEW_MORE for 'limit', 'offset' or 'cols'.  -1 when
 * there is no word at all.
 */
#define TUI_VIEW_GROUP	0x01
#define TUI_VIEW_MORE	0x02
int	 tui_view_split(const char *, char **, char **, char **, int *);

#endif
