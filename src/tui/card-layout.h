/*
 * card-layout: where things go on a record card, read from the form's
 * drawn screen (clerk-forms(5): "<name  >" labels, "[name  ]" entries,
 * other text as it is), and the order the cursor walks the entries in.
 * A model with no curses in it: the card screen draws what it says.
 */
#ifndef CLERK_TUI_CARD_LAYOUT_H
#define CLERK_TUI_CARD_LAYOUT_H

#include <sys/types.h>

#include <stddef.h>

#include "util/util.h"

struct card_item {
	int		 row, col;	/* 0-based, display cells */
	int		 width;		/* cells, brackets included */
	int		 is_label;	/* <name> (1) or [name] (0) */
	char		*name;		/* the field's name */
};

struct card_layout {
	char		**lines;	/* the drawing, tabs expanded, items blanked */
	size_t		  nlines;
	int		  width;	/* of the widest line, in cells */
	struct card_item *items;	/* in reading order (row, then column) */
	size_t		  nitems;
	size_t		 *entries;	/* items that are entries, in Tab order */
	size_t		  nentries;
};

/*
 * Read a drawn screen (lines separated by '\n').  Rows and columns are
 * display cells; a tab moves to the next multiple of 8.  -1 with "screen
 * line 3: '[' without ']'"-style messages (the server checked the form,
 * so this is only a guard against a confused server).
 */
int	 card_layout_parse(struct card_layout *, const char *, size_t,
	     struct buf *);
/*
 * Or build one from parts, as a server that sends items apart from the
 * blanked drawing would: card_layout_init(), card_layout_line() for
 * each line, card_layout_item() for each item, then card_layout_done()
 * sorts the items and makes the Tab order.
 */
void	 card_layout_init(struct card_layout *);
void	 card_layout_line(struct card_layout *, const char *, size_t);
void	 card_layout_item(struct card_layout *, int, int, int, int,
	     const char *);
void	 card_layout_done(struct card_layout *);
void	 card_layout_release(struct card_layout *);

/* The entry of a field: its place in entries[], or -1. */
ssize_t	 card_layout_find(const struct card_layout *, const char *);
/* Tab (dir 1) and Shift-Tab (dir -1) from entries[i], wrapping. */
size_t	 card_layout_tab(const struct card_layout *, size_t, int);
/*
 * Down (dir 1) and Up (dir -1) from entries[i]: the entry on the
 * nearest row below or above that overlaps the column most, or the
 * nearest by column; i itself at the bottom or top edge.
 */
size_t	 card_layout_vertical(const struct card_layout *, size_t, int);

#endif
