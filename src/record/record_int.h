/*
 * record_int.h: private to record/.  Helpers shared between the files of
 * the layer that are not part of its contract (record.h).
 */
#ifndef CLERK_RECORD_INT_H
#define CLERK_RECORD_INT_H

#include "record/record.h"

/* Free a table and everything it owns; NULL is a no-op.  Copes with a
 * table the forms parser left half built. */
void	 table_free(struct table *);
/* Give a table without a drawn screen the default one: a label and an
 * entry per field, one field per line. */
void	 screen_default(struct table *);
/*
 * Append the character at s for a message (valid.c): the UTF-8
 * character itself when it is printable, else its code (a control
 * character or a broken byte would garble the message or the terminal).
 */
void	 valid_quote_char(struct buf *, const char *);

/*
 * Make room in rec->texts for the texts of an encoded record of len
 * bytes (their NULs included) after it was reset: never moves texts
 * while a value points into them.
 */
void	 record_texts_room(struct record *, size_t);

#endif
