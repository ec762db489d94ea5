/*
 * clash.c: settling a field two operators changed (clash.h).  The list
 * texts are those the "card" verb gives and the card edits: elements
 * joined by ", ", which the record layer splits again at a comma, a
 * semicolon or a line break, so this splits them the same way.
 */
#include "config.h"

#include <string.h>

#include "clash.h"

enum clash_kind
clash_classify(const char *base, const char *mine, const char *theirs)
{
	if (strcmp(mine, theirs) == 0)
		return (base != NULL && strcmp(mine, base) == 0 ?
		    CLASH_THEIRS : CLASH_SAME);
	if (base == NULL)
		return (CLASH_BOTH);
	if (strcmp(mine, base) == 0)
		return (CLASH_THEIRS);
	if (strcmp(theirs, base) == 0)
		return (CLASH_MINE);
	return (CLASH_BOTH);
}

/* The next element of a list text from *p (trimmed, maybe empty) in
 * elem; 0 at the end. */
static int
next_element(const char **p, struct buf *elem)
{
	const char	*end;

	if (*p == NULL)
		return (0);
	end = *p + strcspn(*p, ",;\n");
	buf_reset(elem);
	buf_add(elem, *p, (size_t)(end - *p));
	buf_trim(elem);
	*p = *end != '\0' ? end + 1 : NULL;
	return (1);
}

/* Whether list text has an element equal to elem (case folded). */
static int
has_element(const char *list, const struct buf *elem)
{
	struct buf	 want = BUF_INIT, k = BUF_INIT, one = BUF_INIT;
	const char	*p = list;
	int		 found = 0;

	utf8_foldkey(&want, elem->data, elem->len);
	while (!found && next_element(&p, &one)) {
		buf_reset(&k);
		utf8_foldkey(&k, one.data, one.len);
		found = k.len == want.len && memcmp(k.data, want.data,
		    k.len) == 0;
	}
	buf_release(&want);
	buf_release(&k);
	buf_release(&one);
	return (found);
}

void
clash_union(const char *first, const char *second, struct buf *out)
{
	struct buf	 one = BUF_INIT;
	const char	*p;
	int		 pass;

	buf_reset(out);
	for (pass = 0; pass < 2; pass++) {
		p = pass == 0 ? first : second;
		while (next_element(&p, &one)) {
			if (one.len == 0 || has_element(out->data, &one))
				continue;
			if (out->len > 0)
				buf_adds(out, ", ");
			buf_add(out, one.data, one.len);
		}
	}
	buf_release(&one);
}

int
clash_only_added(const char *base, const char *x)
{
	struct buf	 one = BUF_INIT;
	const char	*p = base;
	int		 all = 1;

	while (all && next_element(&p, &one))
		if (one.len > 0 && !has_element(x, &one))
			all = 0;
	buf_release(&one);
	return (all);
}
