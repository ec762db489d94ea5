/*
 * picker: choosing the value of a card's reference or choice field
 * with type-ahead.  A reference is looked up in the word index of the
 * table it points at, one short page per keystroke ("page TABLE
 * --search TEXT --limit N"); a choice among its labels, matched without
 * case and with ё as е.  Never a drop-down of a whole table.
 */
#ifndef CLERK_TUI_PICKER_H
#define CLERK_TUI_PICKER_H

#include "tui.h"

/* What the operator picked: value (an id, or an enum's name) and the
 * text to show for it; not called when the picker is left with Esc. */
typedef void picker_fn(struct tui *, void *, const char *, const char *);

/*
 * A picker screen for field f (type "ref" or "enum"), its search
 * started with text (may be NULL), to push.  fn runs with arg before
 * the picker pops itself.  NULL with a message when f is neither.
 */
struct tui_screen *picker_new(struct tui *, const struct tui_field *,
	     const char *, picker_fn *, void *);

/* The picker's commands, for help and the key list of clerk(1). */
extern const struct tui_cmd tui_picker_cmds[];

/*
 * The model under it, for tests: the choices of an enum whose label in
 * lang (or name, or English label) contains text, folded; appends their
 * positions in f->values to out (at most max), returns the count.
 */
size_t	 picker_enum_match(const struct tui_field *, int, const char *,
	     size_t *, size_t);

#endif
