/*
 * schema.c: the schema object built from the forms: lookups of tables,
 * fields and enum values, freeing, the default screen of a table that
 * draws none, and schema_check() for what one file cannot know (refs to
 * tables of other files).  The text syntax lives in forms.c; nothing here
 * reads files, prints, or knows about storage (field ids are the store's).
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "record/record.h"
#include "record/record_int.h"

struct schema *
schema_new(void)
{
	return (xcalloc(1, sizeof(struct schema)));
}

static void
field_release(struct field *f)
{
	size_t	i, j;

	free(f->name);
	free(f->label[0]);
	free(f->label[1]);
	free(f->deflt);
	free(f->validator_arg);
	free(f->ref_table);
	for (i = 0; i < f->nvalues; i++) {
		free(f->values[i].name);
		free(f->values[i].label[0]);
		free(f->values[i].label[1]);
		for (j = 0; j < f->values[i].nalso; j++)
			free(f->values[i].also[j]);
		free(f->values[i].also);
	}
	free(f->values);
}

void
table_free(struct table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	free(t->name);
	free(t->label[0]);
	free(t->label[1]);
	free(t->plural[0]);
	free(t->plural[1]);
	for (i = 0; i < t->nfields; i++)
		field_release(&t->fields[i]);
	free(t->fields);
	for (i = 0; i < t->nuniques; i++) {
		free(t->uniques[i].name);
		free(t->uniques[i].fields);
		free(t->uniques[i].when_value);
	}
	free(t->uniques);
	for (i = 0; i < t->nlist_cols; i++)
		free(t->list_cols[i]);
	free(t->list_cols);
	for (i = 0; i < t->screen.nlines; i++)
		free(t->screen.lines[i]);
	free(t->screen.lines);
	free(t->screen.items);
	free(t->file);
	free(t);
}

void
schema_free(struct schema *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ntables; i++)
		table_free(s->tables[i]);
	free(s->tables);
	free(s);
}

struct table *
schema_table(const struct schema *s, const char *name)
{
	size_t	i;

	/* A handful of tables: a linear search is the fastest there is. */
	for (i = 0; i < s->ntables; i++)
		if (strcmp(s->tables[i]->name, name) == 0)
			return (s->tables[i]);
	return (NULL);
}

ssize_t
table_field_pos(const struct table *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return ((ssize_t)i);
	return (-1);
}

size_t
table_screen_order(const struct table *t, size_t *out)
{
	const struct screen_item *it;
	char		*seen;
	size_t		 i, n = 0;

	seen = xcalloc(t->nfields + 1, 1);
	/* Items are kept as the drawing is read: by line, then column. */
	for (i = 0; i < t->screen.nitems; i++) {
		it = &t->screen.items[i];
		if (it->is_label || it->field >= t->nfields || seen[it->field])
			continue;
		seen[it->field] = 1;
		out[n++] = it->field;
	}
	for (i = 0; i < t->nfields; i++)
		if (!seen[i])
			out[n++] = i;
	free(seen);
	return (n);
}

struct field *
table_field(const struct table *t, const char *name)
{
	ssize_t	pos;

	if ((pos = table_field_pos(t, name)) == -1)
		return (NULL);
	return (&t->fields[pos]);
}

int
field_type_right(enum field_type type)
{
	return (type == FT_INT || type == FT_MONEY || type == FT_QTY);
}

const char *
field_type_name(enum field_type type)
{
	switch (type) {
	case FT_TEXT:
		return ("text");
	case FT_INT:
		return ("int");
	case FT_MONEY:
		return ("money");
	case FT_QTY:
		return ("qty");
	case FT_DATE:
		return ("date");
	case FT_DATETIME:
		return ("datetime");
	case FT_BOOL:
		return ("bool");
	case FT_ENUM:
		return ("enum");
	case FT_REF:
		return ("ref");
	case FT_PHONE:
		return ("phone");
	case FT_EMAIL:
		return ("email");
	}
	return ("unknown");
}

const char *
field_label(const struct field *f, int lang)
{
	if (lang == 1 && f->label[1] != NULL && *f->label[1] != '\0')
		return (f->label[1]);
	return (f->label[0] != NULL ? f->label[0] : f->name);
}

const char *
table_label(const struct table *t, int lang)
{
	if (lang == 1 && t->label[1] != NULL && *t->label[1] != '\0')
		return (t->label[1]);
	return (t->label[0] != NULL ? t->label[0] : t->name);
}

const struct enum_value *
field_enum(const struct field *f, const char *name)
{
	size_t	i;

	for (i = 0; i < f->nvalues; i++)
		if (strcmp(f->values[i].name, name) == 0)
			return (&f->values[i]);
	return (NULL);
}

/* Entry width (brackets included) a field gets on the default screen:
 * enough for the usual value without making the screen wider than 80. */
static int
default_entry_width(const struct field *f)
{
	size_t	i, w, max = 4;

	if (f->multi)
		return (62);
	switch (f->type) {
	case FT_TEXT:
		if (f->maxlen == 0 || f->maxlen > 60)
			return (62);
		return ((int)f->maxlen + 2);
	case FT_INT:
		return (22);
	case FT_MONEY:
	case FT_QTY:
		return (20);
	case FT_DATE:
		return (12);
	case FT_DATETIME:
		return (21);
	case FT_BOOL:
		return (7);
	case FT_ENUM:
		for (i = 0; i < f->nvalues; i++) {
			w = utf8_width(f->values[i].label[0],
			    strlen(f->values[i].label[0]));
			if (w > max)
				max = w;
			w = utf8_width(f->values[i].label[1],
			    strlen(f->values[i].label[1]));
			if (w > max)
				max = w;
		}
		return (max > 60 ? 62 : (int)max + 2);
	case FT_REF:
	case FT_EMAIL:
		return (42);
	case FT_PHONE:
		return (22);
	}
	return (22);
}

void
screen_default(struct table *t)
{
	struct screen	*sc = &t->screen;
	size_t		 i, w, lw = 1;
	int		 ew;

	/* The label column is as wide as the widest label in either
	 * language, so switching the language does not move the entries. */
	for (i = 0; i < t->nfields; i++) {
		w = utf8_width(t->fields[i].label[0],
		    strlen(t->fields[i].label[0]));
		if (w > lw)
			lw = w;
		w = utf8_width(t->fields[i].label[1],
		    strlen(t->fields[i].label[1]));
		if (w > lw)
			lw = w;
	}
	if (lw > 30)
		lw = 30;
	sc->nlines = sc->nitems = 0;
	sc->lines = xreallocarray(NULL, t->nfields + 1, sizeof(char *));
	sc->items = xreallocarray(NULL, 2 * t->nfields + 1,
	    sizeof(struct screen_item));
	for (i = 0; i < t->nfields; i++) {
		ew = default_entry_width(&t->fields[i]);
		sc->items[sc->nitems++] = (struct screen_item){
		    .row = (int)i, .col = 1, .width = (int)lw,
		    .is_label = 1, .field = i };
		sc->items[sc->nitems++] = (struct screen_item){
		    .row = (int)i, .col = (int)lw + 2, .width = ew,
		    .is_label = 0, .field = i };
		/* Like a drawn line with its items blanked out. */
		sc->lines[sc->nlines] = xmalloc(lw + 2 + ew + 1);
		memset(sc->lines[sc->nlines], ' ', lw + 2 + ew);
		sc->lines[sc->nlines][lw + 2 + ew] = '\0';
		sc->nlines++;
	}
}

int
schema_check(struct schema *s, struct buf *err)
{
	struct table	*t;
	struct field	*f;
	size_t		 i, j;

	for (i = 0; i < s->ntables; i++) {
		t = s->tables[i];
		for (j = 0; j < i; j++)
			if (strcmp(s->tables[j]->name, t->name) == 0) {
				/* The loader refuses this; a schema built
				 * by hand must not get it either. */
				buf_error(err, _("duplicate table '%s' (also "
				    "in %s)"), t->name, s->tables[j]->file);
				buf_prefix(err, "%s: ", t->file);
				return (-1);
			}
		for (j = 0; j < t->nfields; j++) {
			f = &t->fields[j];
			if (f->type != FT_REF ||
			    schema_table(s, f->ref_table) != NULL)
				continue;
			buf_error(err, _("field '%s' refers to unknown table "
			    "'%s'"), f->name, f->ref_table);
			buf_prefix(err, "%s:%d: ", t->file, f->line);
			return (-1);
		}
	}
	return (0);
}
