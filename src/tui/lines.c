/*
 * lines.c: the machine format of the TUI's verbs (tui.h) read back, and
 * the schema built from the "schema" verb's lines.  Pure parsing: no
 * curses, no server; a line kind it does not know is skipped, so the
 * server may say more than this client understands.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui.h"

static char *
unescape(const char *s, size_t len)
{
	struct buf	 b = BUF_INIT;

	buf_addunesc(&b, s, len);
	return (buf_detach(&b, NULL));
}

int
tui_lines_parse(struct tui_lines *ls, const char *s, size_t len,
    struct buf *err)
{
	const char	*end = s + len, *nl, *tab, *p;
	struct tui_line	*l;
	size_t		 alloc = 0, falloc;

	(void)err;
	memset(ls, 0, sizeof *ls);
	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (nl == s) {
			s = nl + 1;
			continue;
		}
		if (ls->n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			ls->v = xreallocarray(ls->v, alloc, sizeof *ls->v);
		}
		l = &ls->v[ls->n++];
		l->f = NULL;
		l->n = 0;
		falloc = 0;
		for (p = s;; p = tab + 1) {
			if ((tab = memchr(p, '\t', (size_t)(nl - p))) == NULL)
				tab = nl;
			if (l->n + 1 >= falloc) {
				falloc = falloc ? falloc * 2 : 8;
				l->f = xreallocarray(l->f, falloc,
				    sizeof *l->f);
			}
			l->f[l->n++] = unescape(p, (size_t)(tab - p));
			l->f[l->n] = NULL;
			if (tab == nl)
				break;
		}
		s = nl + 1;
	}
	return (0);
}

void
tui_lines_release(struct tui_lines *ls)
{
	size_t	i, j;

	for (i = 0; i < ls->n; i++) {
		for (j = 0; j < ls->v[i].n; j++)
			free(ls->v[i].f[j]);
		free(ls->v[i].f);
	}
	free(ls->v);
	memset(ls, 0, sizeof *ls);
}

const char *
tui_line_get(const struct tui_line *l, size_t i)
{
	return (i < l->n ? l->f[i] : "");
}

/* The schema. */

static char *
dup_or_null(const char *s)
{
	return (*s == '\0' ? NULL : xstrdup(s));
}

static struct tui_table *
find_table(struct tui_schema *sc, const char *name)
{
	size_t	i;

	for (i = 0; i < sc->ntables; i++)
		if (strcmp(sc->tables[i].name, name) == 0)
			return (&sc->tables[i]);
	return (NULL);
}

static void
field_release(struct tui_field *f)
{
	size_t	i;

	free(f->name);
	free(f->label[0]);
	free(f->label[1]);
	free(f->type);
	free(f->ref_table);
	free(f->validator);
	free(f->deflt);
	for (i = 0; i < f->nvalues; i++) {
		free(f->values[i].name);
		free(f->values[i].label[0]);
		free(f->values[i].label[1]);
	}
	free(f->values);
}

static void
table_release(struct tui_table *t)
{
	size_t	i;

	free(t->name);
	for (i = 0; i < 2; i++) {
		free(t->label[i]);
		free(t->plural[i]);
	}
	for (i = 0; i < t->nfields; i++)
		field_release(&t->fields[i]);
	free(t->fields);
	free(t->list);
	for (i = 0; i < t->nlines; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->items);
}

static int
is_number_type(const char *type)
{
	return (strcmp(type, "int") == 0 || strcmp(type, "money") == 0 ||
	    strcmp(type, "qty") == 0);
}

static int
schema_field_line(struct tui_table *t, const struct tui_line *l)
{
	struct tui_field	*f;
	const char		*p;

	t->fields = xreallocarray(t->fields, t->nfields + 1,
	    sizeof *t->fields);
	f = &t->fields[t->nfields++];
	memset(f, 0, sizeof *f);
	f->name = xstrdup(tui_line_get(l, 2));
	f->type = xstrdup(tui_line_get(l, 3));
	f->label[0] = xstrdup(tui_line_get(l, 4));
	f->label[1] = xstrdup(tui_line_get(l, 5));
	f->required = strchr(tui_line_get(l, 6), 'r') != NULL;
	f->multi = strchr(tui_line_get(l, 6), 'm') != NULL;
	f->maxlen = strtoul(tui_line_get(l, 7), NULL, 10);
	for (p = tui_line_get(l, 8); *p != '\0'; p++)
		f->index |= *p == 'e' ? TUI_IX_EXACT : *p == 'f' ?
		    TUI_IX_FOLDED : *p == 'u' ? TUI_IX_UNIQUE : *p == 's' ?
		    TUI_IX_SEARCH : 0;
	f->ref_table = dup_or_null(tui_line_get(l, 9));
	f->validator = dup_or_null(tui_line_get(l, 10));
	f->deflt = dup_or_null(tui_line_get(l, 11));
	f->right = is_number_type(f->type);
	return (0);
}

int
tui_schema_parse(struct tui_schema *sc, const char *s, size_t len,
    struct buf *err)
{
	struct tui_lines	 ls;
	const struct tui_line	*l;
	struct tui_table	*t;
	struct tui_field	*f;
	struct tui_item		*it;
	const char		*kind;
	ssize_t			 pos;
	size_t			 i, j;

	memset(sc, 0, sizeof *sc);
	if (tui_lines_parse(&ls, s, len, err) != 0)
		return (-1);
	for (i = 0; i < ls.n; i++) {
		l = &ls.v[i];
		kind = tui_line_get(l, 0);
		if (strcmp(kind, "table") == 0) {
			sc->tables = xreallocarray(sc->tables, sc->ntables + 1,
			    sizeof *sc->tables);
			t = &sc->tables[sc->ntables++];
			memset(t, 0, sizeof *t);
			t->name = xstrdup(tui_line_get(l, 1));
			t->label[0] = xstrdup(tui_line_get(l, 2));
			t->label[1] = xstrdup(tui_line_get(l, 3));
			t->plural[0] = xstrdup(tui_line_get(l, 4));
			t->plural[1] = xstrdup(tui_line_get(l, 5));
			t->has_search = strcmp(tui_line_get(l, 6), "1") == 0;
			continue;
		}
		if ((t = find_table(sc, tui_line_get(l, 1))) == NULL)
			continue;
		if (strcmp(kind, "field") == 0)
			schema_field_line(t, l);
		else if (strcmp(kind, "value") == 0) {
			if ((pos = tui_table_field(t, tui_line_get(l, 2))) < 0)
				continue;
			f = &t->fields[pos];
			f->values = xreallocarray(f->values, f->nvalues + 1,
			    sizeof *f->values);
			f->values[f->nvalues].name = xstrdup(tui_line_get(l, 3));
			f->values[f->nvalues].label[0] =
			    xstrdup(tui_line_get(l, 4));
			f->values[f->nvalues].label[1] =
			    xstrdup(tui_line_get(l, 5));
			f->nvalues++;
		} else if (strcmp(kind, "list") == 0) {
			free(t->list);
			t->list = xcalloc(l->n, sizeof *t->list);
			t->nlist = 0;
			for (j = 2; j < l->n; j++)
				if ((pos = tui_table_field(t, l->f[j])) >= 0)
					t->list[t->nlist++] = (size_t)pos;
		} else if (strcmp(kind, "line") == 0) {
			t->lines = xreallocarray(t->lines, t->nlines + 1,
			    sizeof *t->lines);
			t->lines[t->nlines++] = xstrdup(tui_line_get(l, 2));
		} else if (strcmp(kind, "item") == 0) {
			if ((pos = tui_table_field(t, tui_line_get(l, 6))) < 0)
				continue;
			t->items = xreallocarray(t->items, t->nitems + 1,
			    sizeof *t->items);
			it = &t->items[t->nitems++];
			it->row = atoi(tui_line_get(l, 2));
			it->col = atoi(tui_line_get(l, 3));
			it->width = atoi(tui_line_get(l, 4));
			it->is_label = strcmp(tui_line_get(l, 5), "label") == 0;
			it->field = (size_t)pos;
		}
	}
	tui_lines_release(&ls);
	if (sc->ntables == 0) {
		tui_schema_release(sc);
		return (buf_error(err, _("the server described no tables "
		    "this operator may read")));
	}
	return (0);
}

void
tui_schema_release(struct tui_schema *sc)
{
	size_t	i;

	for (i = 0; i < sc->ntables; i++)
		table_release(&sc->tables[i]);
	free(sc->tables);
	memset(sc, 0, sizeof *sc);
}

const struct tui_table *
tui_schema_table(const struct tui_schema *sc, const char *name)
{
	size_t	i;

	for (i = 0; i < sc->ntables; i++)
		if (strcmp(sc->tables[i].name, name) == 0)
			return (&sc->tables[i]);
	return (NULL);
}

ssize_t
tui_table_field(const struct tui_table *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return ((ssize_t)i);
	return (-1);
}

const char *
tui_label(char *const *label, int lang)
{
	if (lang == 1 && label[1] != NULL && *label[1] != '\0')
		return (label[1]);
	return (label[0] != NULL ? label[0] : "");
}
