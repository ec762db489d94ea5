/*
 * edit: the line editor under every field of a record card, a model
 * with no curses in it.  The text is UTF-8; the cursor moves by
 * character (a code point with the combining marks after it), the view
 * scrolls by display width, and the length limit counts code points as
 * the server's text(N) does.  The card draws what edit_view() says.
 */
#ifndef CLERK_TUI_EDIT_H
#define CLERK_TUI_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct edit {
	struct buf	 text;		/* UTF-8, never holds a control */
	size_t		 cur;		/* cursor: byte offset, on a character */
	size_t		 scroll;	/* first byte shown by edit_view() */
	size_t		 maxchars;	/* code points; 0 = no limit */
	int		 changed;	/* edited since edit_set() */
};

/* Results of the editing functions besides 0 (done). */
#define EDIT_NOOP	1	/* nothing to do (at an edge, empty) */
#define EDIT_FULL	2	/* refused: the limit is reached */
#define EDIT_BAD	3	/* refused: a control character */

void	 edit_init(struct edit *, size_t);
void	 edit_release(struct edit *);
/* Replace the text (cut at the limit and cleaned of controls), cursor
 * at its end, scrolled home, not changed. */
void	 edit_set(struct edit *, const char *, size_t);
const char *edit_text(const struct edit *);
size_t	 edit_chars(const struct edit *);

/* Insert one code point, or a pasted string (as much as fits; a
 * newline or tab becomes a blank, other controls are dropped). */
int	 edit_insert(struct edit *, uint32_t);
int	 edit_insert_text(struct edit *, const char *, size_t);
int	 edit_backspace(struct edit *);
int	 edit_delete(struct edit *);
int	 edit_left(struct edit *);
int	 edit_right(struct edit *);
int	 edit_home(struct edit *);
int	 edit_end(struct edit *);
/* Words are runs of letters and digits (any script). */
int	 edit_word_left(struct edit *);
int	 edit_word_right(struct edit *);
int	 edit_kill_end(struct edit *);		/* Ctrl-K */
int	 edit_kill_home(struct edit *);		/* Ctrl-U */
int	 edit_kill_word(struct edit *);		/* Ctrl-W: the word before */

/*
 * What to show in a box of width cells: scrolls so the cursor stays in
 * the box (a cell for it past the text's end included), then gives the
 * byte range [*start, *start + *len) of the text that fits and the
 * cursor's cell within the box.  A wide character that would straddle
 * the right edge is left out.
 */
void	 edit_view(struct edit *, size_t, size_t *, size_t *, size_t *);

#endif
