/*
 * clash: what a card saved against a revision someone else changed
 * keeps of each field, from three texts: the one the card was read at
 * (base), the operator's (mine) and the stored one (theirs).  Only a
 * field both changed, to different values, is a clash for the
 * operator to settle; a list field (phones, e-mails, tags) may settle
 * it with the union of both, as "clerk merge" does.  No curses here.
 */
#ifndef CLERK_TUI_CLASH_H
#define CLERK_TUI_CLASH_H

#include "util/util.h"

enum clash_kind {
	CLASH_THEIRS,		/* only they changed it (or nobody): theirs */
	CLASH_MINE,		/* only the operator changed it: mine */
	CLASH_SAME,		/* both, to one value */
	CLASH_BOTH		/* both, differently: the operator chooses */
};

/* The kind of one field; base NULL when it is not known (a draft kept
 * by an older clerk): then any difference is a clash. */
enum clash_kind clash_classify(const char *, const char *, const char *);
/* The union of two list texts ("a, b"): the elements of the first,
 * then those of the second it lacks (case folded), joined by ", ". */
void	 clash_union(const char *, const char *, struct buf *);
/* Whether the second list text has every element of the first: the
 * side that gave it only added elements. */
int	 clash_only_added(const char *, const char *);

#endif
