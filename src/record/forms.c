/*
 * forms.c: the parser of the forms/ files (NAME.form, clerk-forms(5))
 * into struct table.
 * Owns the syntax and every check that can be made from the files alone;
 * references between tables are checked by schema_check() once all files
 * are in.  A load builds its tables aside and moves them into the schema
 * only when all of it is good, so any error leaves the schema unchanged.
 * Never prints; every message is "file:line: what is wrong".
 */

#include "config.h"

#include <sys/types.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "record/record.h"
#include "record/record_int.h"

#define NAME_MAXLEN	32
#define TEXT_MAXLEN	100000
#define TAB_STOP	8

struct token {
	char	*s;
	int	 quoted;
};

struct tokens {
	struct token	*v;
	size_t		 n;
};

/* A screen item whose name is checked when the table is complete. */
struct pitem {
	char	*name;
	int	 line;
};

/* A unique constraint as written, resolved when the table is complete. */
struct puniq {
	char	**names;
	size_t	  n;
	char	 *when_field;
	char	 *when_value;
	int	  line;
};

struct parser {
	const char	*file;
	int		 line;
	struct buf	*err;
	const struct schema *schema;	/* tables already loaded */
	struct table	**tables;	/* built by this load, not yet moved in */
	size_t		  ntables;

	/* The table being read and what waits for its end. */
	struct table	*t;
	int		 tline;
	ssize_t		 cur_enum;	/* field that 'value' lines extend */
	int		 list_line;
	struct puniq	*uniq;
	size_t		 nuniq;
	struct pitem	*items;		/* parallel to t->screen.items */
	size_t		 nitems;
	int		 screen_line;
	int		 in_screen;
};

static const struct {
	const char	*name;
	enum field_type	 type;
} types[] = {
	{ "text", FT_TEXT },
	{ "int", FT_INT },
	{ "money", FT_MONEY },
	{ "qty", FT_QTY },
	{ "date", FT_DATE },
	{ "datetime", FT_DATETIME },
	{ "bool", FT_BOOL },
	{ "enum", FT_ENUM },
	{ "ref", FT_REF },
	{ "phone", FT_PHONE },
	{ "email", FT_EMAIL },
};

/* A validator's argument: none, the БИК field (needed), or the field of
 * the party's kind (may be left out). */
enum { VARG_NONE, VARG_BIK, VARG_KIND };

static const struct {
	const char	*name;
	enum validator	 v;
	int		 arg;
} validators[] = {
	{ "inn", VAL_INN, VARG_KIND },
	{ "inn_org", VAL_INN_ORG, 0 },
	{ "inn_person", VAL_INN_PERSON, 0 },
	{ "kpp", VAL_KPP, VARG_KIND },
	{ "ogrn", VAL_OGRN, VARG_KIND },
	{ "bik", VAL_BIK, 0 },
	{ "account", VAL_ACCOUNT, VARG_BIK },
	{ "corr_account", VAL_CORR_ACCOUNT, VARG_BIK },
	{ "snils", VAL_SNILS, 0 },
	{ "birthday", VAL_BIRTHDAY, 0 },
};

static int	form_error(struct parser *, int, const char *, ...)
		    PRINTFLIKE(3, 4);

static int
form_error(struct parser *p, int line, const char *fmt, ...)
{
	va_list	ap;

	if (p->err == NULL)
		return (-1);
	buf_reset(p->err);
	buf_printf(p->err, "%s:%d: ", p->file, line);
	va_start(ap, fmt);
	buf_vprintf(p->err, fmt, ap);
	va_end(ap);
	return (-1);
}

/* [a-z][a-z0-9_]*, at most 32 bytes: names end up in keys, file names
 * and the query language, so they stay plain. */
static int
name_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > NAME_MAXLEN || s[0] < 'a' || s[0] > 'z')
		return (0);
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return (0);
	return (1);
}

static int
textlike(enum field_type t)
{
	return (t == FT_TEXT || t == FT_PHONE || t == FT_EMAIL);
}

static void
tokens_reset(struct tokens *tk)
{
	size_t	i;

	for (i = 0; i < tk->n; i++)
		free(tk->v[i].s);
	free(tk->v);
	tk->v = NULL;
	tk->n = 0;
}

/*
 * Split a line into blank-separated tokens; "quoted tokens" may hold
 * blanks and the escapes \" and \\, and '#' outside quotes ends the line.
 */
static int
tokenize(struct parser *p, const char *s, struct tokens *tk)
{
	struct buf	w = BUF_INIT;
	int		quoted;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			break;
		buf_reset(&w);
		if (*s == '"') {
			quoted = 1;
			for (s++; *s != '"'; s++) {
				if (*s == '\0')
					goto unterminated;
				if (*s == '\\') {
					s++;
					if (*s == '\0')
						goto unterminated;
					if (*s != '"' && *s != '\\') {
						buf_release(&w);
						return (form_error(p, p->line,
						    _("bad escape in a quoted "
						    "string (only \\\" and \\\\ "
						    "are allowed)")));
					}
				}
				buf_addch(&w, *s);
			}
			s++;
			if (*s != '\0' && *s != ' ' && *s != '\t' &&
			    *s != '#') {
				buf_release(&w);
				return (form_error(p, p->line, _("expected a "
				    "blank after the closing quote")));
			}
		} else {
			quoted = 0;
			while (*s != '\0' && *s != ' ' && *s != '\t' &&
			    *s != '#') {
				if (*s == '"') {
					form_error(p, p->line, _("unexpected "
					    "'\"' after '%s' (quote the whole "
					    "token)"), w.data);
					buf_release(&w);
					return (-1);
				}
				buf_addch(&w, *s++);
			}
		}
		tk->v = xreallocarray(tk->v, tk->n + 1, sizeof(*tk->v));
		tk->v[tk->n].s = xstrdup(w.data);
		tk->v[tk->n].quoted = quoted;
		tk->n++;
	}
	buf_release(&w);
	return (0);

unterminated:
	buf_release(&w);
	return (form_error(p, p->line, _("unterminated quote")));
}

/*
 * The labels at the end of a table, field or value line: want (2 or 4)
 * quoted tokens from tk->v[i] on, and nothing else.
 */
static int
take_labels(struct parser *p, const struct tokens *tk, size_t i,
    const char *kind, const char *name, size_t want, char **out)
{
	size_t	n, j;

	for (j = i; j < tk->n; j++)
		if (!tk->v[j].quoted)
			return (form_error(p, p->line, j == i ?
			    _("unexpected '%s' (expected a quoted label)") :
			    _("unexpected '%s' after the labels"), tk->v[j].s));
	n = tk->n - i;
	if (want == 2 && n == 0)
		return (form_error(p, p->line, _("%s '%s': missing labels "
		    "(expected \"English\" \"Russian\")"), kind, name));
	if (want == 2 && n == 1)
		return (form_error(p, p->line, _("%s '%s': missing Russian "
		    "label"), kind, name));
	if (want == 4 && n < 4)
		return (form_error(p, p->line, _("%s '%s': missing labels "
		    "(expected \"English\" \"Russian\" \"English plural\" "
		    "\"Russian plural\")"), kind, name));
	if (n > want)
		return (form_error(p, p->line, _("%s '%s': too many labels "
		    "(expected %zu)"), kind, name, want));
	for (j = 0; j < want; j++)
		if (*tk->v[i + j].s == '\0')
			return (form_error(p, p->line, _("%s '%s': empty "
			    "label"), kind, name));
	for (j = 0; j < want; j++)
		out[j] = xstrdup(tk->v[i + j].s);
	return (0);
}

static int
parse_table(struct parser *p, const struct tokens *tk)
{
	struct table	*t, *old = NULL;
	const char	*name;
	char		*labels[4];
	size_t		 i;

	if (tk->n < 2 || tk->v[1].quoted)
		return (form_error(p, p->line, _("'table' needs a name")));
	name = tk->v[1].s;
	if (!name_ok(name, strlen(name)))
		return (form_error(p, p->line, _("bad table name '%s' (a "
		    "name is a-z, 0-9 and _, starts with a letter and has at "
		    "most 32 bytes)"), name));
	if (p->schema != NULL)
		old = schema_table(p->schema, name);
	for (i = 0; old == NULL && i < p->ntables; i++)
		if (strcmp(p->tables[i]->name, name) == 0)
			old = p->tables[i];
	if (old != NULL)
		return (form_error(p, p->line, _("duplicate table '%s' "
		    "(already declared in %s)"), name, old->file));
	if (take_labels(p, tk, 2, "table", name, 4, labels) == -1)
		return (-1);

	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->label[0] = labels[0];
	t->label[1] = labels[1];
	t->plural[0] = labels[2];
	t->plural[1] = labels[3];
	t->file = xstrdup(p->file);
	p->t = t;
	p->tline = p->line;
	return (0);
}

/* TYPE, text(N) or ref(TABLE) into f. */
static int
parse_type(struct parser *p, struct field *f, const char *tok)
{
	const char	*paren, *arg = NULL;
	size_t		 blen, alen = 0, i;
	char		*end = NULL;
	long		 n;

	paren = strchr(tok, '(');
	blen = paren != NULL ? (size_t)(paren - tok) : strlen(tok);
	for (i = 0; i < nitems(types); i++)
		if (strlen(types[i].name) == blen &&
		    strncmp(types[i].name, tok, blen) == 0)
			break;
	if (i == nitems(types))
		return (form_error(p, p->line, _("unknown type '%.*s' "
		    "(expected text, int, money, qty, date, datetime, bool, "
		    "enum, ref, phone, email)"), (int)blen, tok));
	f->type = types[i].type;
	if (paren != NULL) {
		arg = paren + 1;
		alen = strlen(arg);
		if (alen == 0 || arg[alen - 1] != ')')
			arg = NULL;	/* reported below per type */
		else
			alen--;
	}

	switch (f->type) {
	case FT_TEXT:
		if (paren == NULL)
			return (0);
		errno = 0;
		n = arg != NULL && alen > 0 && isdigit((unsigned char)*arg) ?
		    strtol(arg, &end, 10) : 0;
		if (arg == NULL || alen == 0 || end != arg + alen ||
		    errno != 0 || n < 1 || n > TEXT_MAXLEN)
			return (form_error(p, p->line, _("bad length in '%s' "
			    "(expected text(N) with N from 1 to 100000)"),
			    tok));
		f->maxlen = (size_t)n;
		return (0);
	case FT_REF:
		if (arg == NULL || alen == 0)
			return (form_error(p, p->line, _("'%s' needs a table: "
			    "ref(TABLE)"), tok));
		if (!name_ok(arg, alen))
			return (form_error(p, p->line, _("bad table name "
			    "'%.*s' in '%s'"), (int)alen, arg, tok));
		f->ref_table = xstrndup(arg, alen);
		/* "Who refers to this record" must be an index lookup. */
		f->index |= IX_EXACT;
		return (0);
	default:
		if (paren != NULL)
			return (form_error(p, p->line, _("type '%s' takes no "
			    "argument"), types[i].name));
		return (0);
	}
}

static int
parse_validator(struct parser *p, struct field *f, const char *tok)
{
	const char	*paren, *arg;
	size_t		 blen, alen, i;

	paren = strchr(tok, '(');
	blen = paren != NULL ? (size_t)(paren - tok) : strlen(tok);
	for (i = 0; i < nitems(validators); i++)
		if (strlen(validators[i].name) == blen &&
		    strncmp(validators[i].name, tok, blen) == 0)
			break;
	if (i == nitems(validators))
		return (form_error(p, p->line, _("unknown validator '%.*s' "
		    "(expected inn, inn_org, inn_person, kpp, ogrn, bik, "
		    "account, corr_account, snils or birthday)"), (int)blen,
		    tok));
	if (validators[i].v == VAL_BIRTHDAY && f->type != FT_DATE)
		return (form_error(p, p->line, _("validator '%s' is only for "
		    "date fields, not %s"), validators[i].name,
		    field_type_name(f->type)));
	if (validators[i].v != VAL_BIRTHDAY && f->type != FT_TEXT)
		return (form_error(p, p->line, _("validator '%s' is only for "
		    "text fields, not %s"), validators[i].name,
		    field_type_name(f->type)));
	f->validator = validators[i].v;
	if (validators[i].arg == VARG_NONE) {
		if (paren != NULL)
			return (form_error(p, p->line, _("validator '%s' takes "
			    "no argument"), validators[i].name));
		return (0);
	}
	if (paren == NULL && validators[i].arg == VARG_KIND)
		return (0);
	if (paren == NULL)
		return (form_error(p, p->line, _("validator '%s' needs the "
		    "field that holds the BIK: %s(FIELD)"), validators[i].name,
		    validators[i].name));
	arg = paren + 1;
	alen = strlen(arg);
	if (alen < 2 || arg[alen - 1] != ')' || !name_ok(arg, alen - 1))
		return (form_error(p, p->line, _("bad field name in validator "
		    "'%s' (expected %s(FIELD))"), tok, validators[i].name));
	/* Whether the field exists is known at the end of the table. */
	f->validator_arg = xstrndup(arg, alen - 1);
	return (0);
}

/* A field that says a party's kind: an enum of org, sole and person. */
static int
kind_field_ok(const struct field *k)
{
	size_t	i;

	if (k == NULL || k->type != FT_ENUM)
		return (0);
	for (i = 0; i < nitems(valid_kinds); i++)
		if (field_enum(k, valid_kinds[i]) == NULL)
			return (0);
	return (1);
}

/* Whether one default value parses as the field's type; why if not. */
static int
default_value_ok(const struct field *f, const char *v, struct buf *why)
{
	struct buf	 tmp = BUF_INIT;
	int64_t		 i;
	int32_t		 d;
	char		*end;
	int		 rc = 0;

	switch (f->type) {
	case FT_TEXT:
		if (f->maxlen != 0 && utf8_length(v, strlen(v)) > f->maxlen)
			return (buf_error(why, _("longer than %zu characters"),
			    f->maxlen));
		return (0);
	case FT_INT:
		errno = 0;
		(void)strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 ||
		    isspace((unsigned char)*v))
			return (buf_error(why, _("not an integer")));
		return (0);
	case FT_MONEY:
		return (money_parse(v, &i, why));
	case FT_QTY:
		return (qty_parse(v, &i, why));
	case FT_DATE:
		return (date_parse(v, &d, why));
	case FT_DATETIME:
		if (strcmp(v, "now") == 0)
			return (0);
		return (datetime_parse(v, &i, why));
	case FT_BOOL:
		if (strcmp(v, "1") == 0 || strcmp(v, "0") == 0 ||
		    strcmp(v, "yes") == 0 || strcmp(v, "no") == 0 ||
		    strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
			return (0);
		return (buf_error(why, _("expected yes, no, true, false, 1 "
		    "or 0")));
	case FT_PHONE:
		rc = phone_normalize(v, &tmp, why);
		buf_release(&tmp);
		return (rc);
	case FT_EMAIL:
		return (valid_email(v, why));
	case FT_ENUM:	/* the values come later: checked at the table end */
	case FT_REF:	/* refused by the caller */
		return (0);
	}
	return (0);
}

static int
parse_default(struct parser *p, struct field *f, const char *v)
{
	struct buf	 why = BUF_INIT, one = BUF_INIT;
	const char	*s, *e;
	int		 rc = 0;

	if (f->type == FT_REF)
		return (form_error(p, p->line, _("field '%s': a ref field "
		    "cannot have a default"), f->name));
	if (f->multi) {
		/* Typed the way a person types a list: ',' or ';'. */
		for (s = v; rc == 0 && *s != '\0'; s = *e ? e + 1 : e) {
			e = s + strcspn(s, ",;");
			buf_reset(&one);
			buf_add(&one, s, e - s);
			buf_trim(&one);
			if (one.len > 0)
				rc = default_value_ok(f, one.data, &why);
		}
	} else
		rc = default_value_ok(f, v, &why);
	if (rc == -1)
		form_error(p, p->line, _("field '%s': bad default '%s': %s"),
		    f->name, v, why.data);
	else if (f->type == FT_BOOL)
		/* One spelling for whoever applies it. */
		f->deflt = xstrdup(strcmp(v, "1") == 0 ||
		    strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ?
		    "1" : "0");
	else
		f->deflt = xstrdup(v);
	buf_release(&why);
	buf_release(&one);
	return (rc);
}

static int
parse_field(struct parser *p, const struct tokens *tk)
{
	struct table	*t = p->t;
	struct field	*f;
	const char	*name, *a, *kind, *deflt = NULL;
	char		*labels[2];
	size_t		 i;
	ssize_t		 old;
	int		 seen = 0;	/* attributes allowed once, by bit */

	if (tk->n < 2 || tk->v[1].quoted)
		return (form_error(p, p->line, _("'field' needs a name")));
	name = tk->v[1].s;
	if (!name_ok(name, strlen(name)))
		return (form_error(p, p->line, _("bad field name '%s' (a "
		    "name is a-z, 0-9 and _, starts with a letter and has at "
		    "most 32 bytes)"), name));
	if ((old = table_field_pos(t, name)) != -1)
		return (form_error(p, p->line, _("duplicate field '%s' (first "
		    "declared at line %d)"), name, t->fields[old].line));
	if (tk->n < 3 || tk->v[2].quoted)
		return (form_error(p, p->line, _("field '%s' needs a type"),
		    name));

	/* Build the field in place; a failure frees it with the table. */
	t->fields = xreallocarray(t->fields, t->nfields + 1,
	    sizeof(*t->fields));
	f = &t->fields[t->nfields];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->pos = t->nfields;
	f->line = p->line;
	t->nfields++;
	if (parse_type(p, f, tk->v[2].s) == -1)
		return (-1);

	for (i = 3; i < tk->n && !tk->v[i].quoted; i++) {
		a = tk->v[i].s;
		if (strcmp(a, "required") == 0) {
			if (seen & 1)
				goto twice;
			seen |= 1;
			f->required = 1;
		} else if (strcmp(a, "multi") == 0) {
			if (seen & 2)
				goto twice;
			seen |= 2;
			if (!textlike(f->type))
				return (form_error(p, p->line, _("'multi' is "
				    "only for text, phone and email fields, "
				    "not %s"), field_type_name(f->type)));
			f->multi = 1;
		} else if (strcmp(a, "search") == 0) {
			if (seen & 4)
				goto twice;
			seen |= 4;
			f->index |= IX_SEARCH;
		} else if (strcmp(a, "shared") == 0) {
			if (seen & 32)
				goto twice;
			seen |= 32;
			f->shared = 1;
		} else if (strcmp(a, "index") == 0) {
			if (i + 1 == tk->n || tk->v[i + 1].quoted)
				return (form_error(p, p->line, _("'index' "
				    "needs a kind: exact, folded or unique")));
			kind = tk->v[++i].s;
			if (strcmp(kind, "exact") == 0)
				f->index |= IX_EXACT;
			else if (strcmp(kind, "unique") == 0)
				f->index |= IX_UNIQUE;
			else if (strcmp(kind, "folded") == 0) {
				if (!textlike(f->type))
					return (form_error(p, p->line,
					    _("'index folded' is only for "
					    "text, phone and email fields, not "
					    "%s"), field_type_name(f->type)));
				f->index |= IX_FOLDED;
			} else
				return (form_error(p, p->line, _("unknown "
				    "index kind '%s' (expected exact, folded "
				    "or unique)"), kind));
		} else if (strcmp(a, "validator") == 0) {
			if (seen & 8)
				goto twice;
			seen |= 8;
			if (i + 1 == tk->n || tk->v[i + 1].quoted)
				return (form_error(p, p->line, _("'validator' "
				    "needs a name")));
			if (parse_validator(p, f, tk->v[++i].s) == -1)
				return (-1);
		} else if (strcmp(a, "default") == 0) {
			if (seen & 16)
				goto twice;
			seen |= 16;
			/* The value may be quoted, so it is never a label;
			 * it is judged once all attributes (multi) are in. */
			if (i + 1 == tk->n)
				return (form_error(p, p->line, _("'default' "
				    "needs a value")));
			deflt = tk->v[++i].s;
		} else
			return (form_error(p, p->line, _("unknown attribute "
			    "'%s' (expected required, multi, search, index, "
			    "shared, validator or default)"), a));
	}
	/* Only exact and folded indexes are packed: a unique one holds one
	 * id per value, nothing to pack.  A ref's own exact index counts. */
	if (f->shared && !(f->index & (IX_EXACT | IX_FOLDED)))
		return (form_error(p, p->line, _("'shared' needs an exact or "
		    "folded index on the field")));
	if (deflt != NULL && parse_default(p, f, deflt) == -1)
		return (-1);
	if (take_labels(p, tk, i, "field", name, 2, labels) == -1)
		return (-1);
	f->label[0] = labels[0];
	f->label[1] = labels[1];
	p->cur_enum = f->type == FT_ENUM ? (ssize_t)f->pos : -1;
	return (0);

twice:
	return (form_error(p, p->line, _("attribute '%s' given twice"),
	    tk->v[i].s));
}

static int
parse_value(struct parser *p, const struct tokens *tk)
{
	struct field	*f;
	struct enum_value *v;
	struct tokens	 lt;
	const char	*name;
	char		*labels[2];
	size_t		 i, also;

	if (p->cur_enum == -1)
		return (form_error(p, p->line, _("'value' outside an enum "
		    "field (it must follow a field of type enum)")));
	f = &p->t->fields[p->cur_enum];
	if (tk->n < 2 || tk->v[1].quoted)
		return (form_error(p, p->line, _("'value' needs a name")));
	name = tk->v[1].s;
	if (!name_ok(name, strlen(name)))
		return (form_error(p, p->line, _("bad value name '%s' (a name "
		    "is a-z, 0-9 and _, starts with a letter and has at most "
		    "32 bytes)"), name));
	if (field_enum(f, name) != NULL)
		return (form_error(p, p->line, _("duplicate value '%s' in "
		    "field '%s'"), name, f->name));
	/* The labels, then maybe 'also' and the other words. */
	for (also = 2; also < tk->n; also++)
		if (!tk->v[also].quoted && strcmp(tk->v[also].s, "also") == 0)
			break;
	if (also + 1 == tk->n)
		return (form_error(p, p->line, _("value '%s': 'also' needs "
		    "quoted words"), name));
	for (i = also + 1; i < tk->n; i++) {
		if (!tk->v[i].quoted)
			return (form_error(p, p->line, _("unexpected '%s' "
			    "(expected a quoted word after 'also')"),
			    tk->v[i].s));
		if (*tk->v[i].s == '\0')
			return (form_error(p, p->line, _("value '%s': an empty "
			    "word after 'also'"), name));
	}
	lt = *tk;
	lt.n = also;
	if (take_labels(p, &lt, 2, "value", name, 2, labels) == -1)
		return (-1);
	f->values = xreallocarray(f->values, f->nvalues + 1,
	    sizeof(*f->values));
	v = &f->values[f->nvalues++];
	v->name = xstrdup(name);
	v->label[0] = labels[0];
	v->label[1] = labels[1];
	v->also = NULL;
	v->nalso = 0;
	if (also < tk->n) {
		v->nalso = tk->n - also - 1;
		v->also = xcalloc(v->nalso, sizeof *v->also);
		for (i = 0; i < v->nalso; i++)
			v->also[i] = xstrdup(tk->v[also + 1 + i].s);
	}
	return (0);
}

static int
parse_list(struct parser *p, const struct tokens *tk)
{
	struct table	*t = p->t;
	size_t		 i;

	if (p->list_line != 0)
		return (form_error(p, p->line, _("duplicate 'list' line (first "
		    "at line %d)"), p->list_line));
	if (tk->n < 2)
		return (form_error(p, p->line, _("'list' needs at least one "
		    "field")));
	for (i = 1; i < tk->n; i++)
		if (tk->v[i].quoted ||
		    !name_ok(tk->v[i].s, strlen(tk->v[i].s)))
			return (form_error(p, p->line, _("bad field name '%s' "
			    "in 'list'"), tk->v[i].s));
	p->list_line = p->line;
	t->list_cols = xreallocarray(NULL, tk->n - 1, sizeof(char *));
	for (i = 1; i < tk->n; i++)
		t->list_cols[t->nlist_cols++] = xstrdup(tk->v[i].s);
	return (0);
}

static int
parse_unique(struct parser *p, const struct tokens *tk)
{
	struct puniq	*u;
	size_t		 i, nf;

	for (nf = 1; nf < tk->n; nf++) {
		if (!tk->v[nf].quoted && strcmp(tk->v[nf].s, "when") == 0)
			break;
		if (tk->v[nf].quoted ||
		    !name_ok(tk->v[nf].s, strlen(tk->v[nf].s)))
			return (form_error(p, p->line, _("bad field name '%s' "
			    "in 'unique'"), tk->v[nf].s));
	}
	if (nf == 1)
		return (form_error(p, p->line, _("'unique' needs at least one "
		    "field")));
	if (nf < tk->n && (tk->n - nf != 4 || tk->v[nf + 1].quoted ||
	    tk->v[nf + 2].quoted || strcmp(tk->v[nf + 2].s, "=") != 0))
		return (form_error(p, p->line, _("bad 'when' clause (expected "
		    "when FIELD = VALUE)")));

	p->uniq = xreallocarray(p->uniq, p->nuniq + 1, sizeof(*p->uniq));
	u = &p->uniq[p->nuniq++];
	memset(u, 0, sizeof(*u));
	u->line = p->line;
	u->n = nf - 1;
	u->names = xreallocarray(NULL, u->n, sizeof(char *));
	for (i = 0; i < u->n; i++)
		u->names[i] = xstrdup(tk->v[i + 1].s);
	if (nf < tk->n) {
		u->when_field = xstrdup(tk->v[nf + 1].s);
		u->when_value = xstrdup(tk->v[nf + 3].s);
	}
	return (0);
}

static int
parse_screen(struct parser *p, const struct tokens *tk)
{
	if (tk->n > 1)
		return (form_error(p, p->line, _("unexpected '%s' after "
		    "'screen' (the drawing starts on the next line)"),
		    tk->v[1].s));
	if (p->screen_line != 0)
		return (form_error(p, p->line, _("duplicate 'screen' (first at "
		    "line %d)"), p->screen_line));
	p->screen_line = p->line;
	p->in_screen = 1;
	return (0);
}

static int
is_end(const char *s)
{
	size_t	len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return (len == 3 && strncmp(s, "end", 3) == 0);
}

/*
 * One drawn line: find the [entries] and <labels>, note where they are in
 * display cells, and keep the text with the items blanked out.  Tabs go
 * to the next multiple of 8 so the drawing looks as it does in an editor.
 */
static int
screen_line(struct parser *p, const char *s)
{
	struct screen	*sc = &p->t->screen;
	struct buf	 out = BUF_INIT;
	const char	*close;
	size_t		 n, l, k;
	uint32_t	 cp;
	int		 col = 0, width;
	char		 want;

	if (is_end(s)) {
		p->in_screen = 0;
		return (0);
	}
	while (*s != '\0') {
		if (*s == '\t') {
			do {
				buf_addch(&out, ' ');
			} while (++col % TAB_STOP != 0);
			s++;
			continue;
		}
		if (*s != '[' && *s != '<') {
			if ((l = utf8_decode(s, strlen(s), &cp)) == 0)
				l = 1;	/* cannot happen: checked whole */
			col += (int)utf8_width(s, l);
			buf_add(&out, s, l);
			s += l;
			continue;
		}
		want = *s == '[' ? ']' : '>';
		if ((close = strchr(s + 1, want)) == NULL) {
			buf_release(&out);
			return (form_error(p, p->line, _("unclosed '%c' in the "
			    "screen (column %d)"), *s, col + 1));
		}
		n = strspn(s + 1, "abcdefghijklmnopqrstuvwxyz0123456789_");
		for (k = n; s + 1 + k < close && s[1 + k] == ' '; k++)
			;
		if (s + 1 + k != close || !name_ok(s + 1, n)) {
			buf_release(&out);
			return (form_error(p, p->line, _("bad screen item "
			    "'%.*s' at column %d (expected [name   ] or "
			    "<name   >)"), (int)(close - s + 1), s, col + 1));
		}
		/* Only ASCII between the brackets: bytes are cells. */
		width = (int)(close - s + 1);
		sc->items = xreallocarray(sc->items, sc->nitems + 1,
		    sizeof(*sc->items));
		p->items = xreallocarray(p->items, sc->nitems + 1,
		    sizeof(*p->items));
		sc->items[sc->nitems] = (struct screen_item){
		    .row = (int)sc->nlines, .col = col, .width = width,
		    .is_label = *s == '<', .field = 0 };
		p->items[sc->nitems].name = xstrndup(s + 1, n);
		p->items[sc->nitems].line = p->line;
		p->nitems = ++sc->nitems;
		for (k = 0; k < (size_t)width; k++)
			buf_addch(&out, ' ');
		col += width;
		s = close + 1;
	}
	sc->lines = xreallocarray(sc->lines, sc->nlines + 1, sizeof(char *));
	sc->lines[sc->nlines++] = buf_detach(&out, NULL);
	return (0);
}

static void
table_state_reset(struct parser *p)
{
	size_t	i, j;

	for (i = 0; i < p->nuniq; i++) {
		for (j = 0; j < p->uniq[i].n; j++)
			free(p->uniq[i].names[j]);
		free(p->uniq[i].names);
		free(p->uniq[i].when_field);
		free(p->uniq[i].when_value);
	}
	free(p->uniq);
	p->uniq = NULL;
	p->nuniq = 0;
	for (i = 0; i < p->nitems; i++)
		free(p->items[i].name);
	free(p->items);
	p->items = NULL;
	p->nitems = 0;
	p->t = NULL;
	p->tline = 0;
	p->cur_enum = -1;
	p->list_line = 0;
	p->screen_line = 0;
	p->in_screen = 0;
}

static int
finish_uniques(struct parser *p)
{
	struct table	*t = p->t;
	struct puniq	*pu;
	struct unique	*u;
	struct buf	 name = BUF_INIT;
	const struct field *wf;
	size_t		 i, j, k;
	ssize_t		 pos;

	if (p->nuniq == 0)
		return (0);
	t->uniques = xcalloc(p->nuniq, sizeof(*t->uniques));
	for (i = 0; i < p->nuniq; i++) {
		pu = &p->uniq[i];
		u = &t->uniques[t->nuniques++];
		u->line = pu->line;
		u->when_field = -1;
		u->fields = xreallocarray(NULL, pu->n, sizeof(size_t));
		buf_reset(&name);
		for (j = 0; j < pu->n; j++) {
			if ((pos = table_field_pos(t, pu->names[j])) == -1) {
				buf_release(&name);
				return (form_error(p, pu->line, _("unknown "
				    "field '%s' in 'unique'"), pu->names[j]));
			}
			for (k = 0; k < j; k++)
				if (u->fields[k] == (size_t)pos) {
					buf_release(&name);
					return (form_error(p, pu->line,
					    _("field '%s' given twice in "
					    "'unique'"), pu->names[j]));
				}
			/* One key per record: a list has many. */
			if (t->fields[pos].multi) {
				buf_release(&name);
				return (form_error(p, pu->line, _("'unique' "
				    "cannot use multi field '%s'"),
				    pu->names[j]));
			}
			u->fields[u->nfields++] = (size_t)pos;
			if (j > 0)
				buf_addch(&name, '_');
			buf_adds(&name, pu->names[j]);
		}
		u->name = buf_detach(&name, NULL);
		for (k = 0; k + 1 < t->nuniques; k++)
			if (strcmp(t->uniques[k].name, u->name) == 0)
				return (form_error(p, pu->line, _("duplicate "
				    "unique constraint '%s'"), u->name));
		if (pu->when_field == NULL)
			continue;
		if ((pos = table_field_pos(t, pu->when_field)) == -1)
			return (form_error(p, pu->line, _("unknown field '%s' "
			    "in the 'when' clause"), pu->when_field));
		wf = &t->fields[pos];
		if (wf->type != FT_ENUM && wf->type != FT_TEXT)
			return (form_error(p, pu->line, _("'when' field '%s' "
			    "must be an enum or text field, not %s"),
			    wf->name, field_type_name(wf->type)));
		if (wf->type == FT_ENUM && field_enum(wf, pu->when_value) ==
		    NULL)
			return (form_error(p, pu->line, _("'%s' is not a value "
			    "of field '%s' in the 'when' clause"),
			    pu->when_value, wf->name));
		u->when_field = pos;
		u->when_value = xstrdup(pu->when_value);
	}
	return (0);
}

/* The checks that need the whole table, then hand it over. */
static int
finish_table(struct parser *p)
{
	struct table	*t = p->t;
	struct field	*f;
	struct screen_item *it;
	size_t		 i, j;
	ssize_t		 pos;

	if (t->nfields == 0)
		return (form_error(p, p->tline, _("table '%s' has no fields"),
		    t->name));
	for (i = 0; i < t->nlist_cols; i++) {
		if (table_field_pos(t, t->list_cols[i]) == -1)
			return (form_error(p, p->list_line, _("unknown field "
			    "'%s' in 'list'"), t->list_cols[i]));
		for (j = 0; j < i; j++)
			if (strcmp(t->list_cols[j], t->list_cols[i]) == 0)
				return (form_error(p, p->list_line, _("field "
				    "'%s' given twice in 'list'"),
				    t->list_cols[i]));
	}
	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		if (f->type == FT_ENUM && f->nvalues == 0)
			return (form_error(p, f->line, _("enum field '%s' has "
			    "no values (add indented 'value NAME \"English\" "
			    "\"Russian\"' lines after it)"), f->name));
		if (f->type == FT_ENUM && f->deflt != NULL &&
		    field_enum(f, f->deflt) == NULL)
			return (form_error(p, f->line, _("field '%s': default "
			    "'%s' is not one of its values"), f->name,
			    f->deflt));
		if (f->validator_arg != NULL &&
		    table_field_pos(t, f->validator_arg) == -1)
			return (form_error(p, f->line, _("field '%s': unknown "
			    "field '%s' in the validator"), f->name,
			    f->validator_arg));
		if (f->validator_arg != NULL && (f->validator == VAL_INN ||
		    f->validator == VAL_KPP || f->validator == VAL_OGRN) &&
		    !kind_field_ok(table_field(t, f->validator_arg)))
			return (form_error(p, f->line, _("field '%s': the "
			    "validator's field '%s' must be an enum with the "
			    "values org, sole and person"), f->name,
			    f->validator_arg));
		if (f->index & IX_SEARCH)
			t->has_search = 1;
	}
	if (finish_uniques(p) == -1)
		return (-1);
	for (i = 0; i < t->screen.nitems; i++) {
		it = &t->screen.items[i];
		if ((pos = table_field_pos(t, p->items[i].name)) == -1)
			return (form_error(p, p->items[i].line, _("unknown "
			    "field '%s' in the screen (column %d)"),
			    p->items[i].name, it->col + 1));
		it->field = (size_t)pos;
		for (j = 0; j < i && !it->is_label; j++)
			if (!t->screen.items[j].is_label &&
			    t->screen.items[j].field == (size_t)pos)
				return (form_error(p, p->items[i].line,
				    _("field '%s' is entered twice in the "
				    "screen (first at line %d)"),
				    p->items[i].name, p->items[j].line));
	}
	if (p->screen_line == 0)
		screen_default(t);

	p->tables = xreallocarray(p->tables, p->ntables + 1,
	    sizeof(*p->tables));
	p->tables[p->ntables++] = t;
	table_state_reset(p);
	return (0);
}

static int
parse_line(struct parser *p, const char *line)
{
	struct tokens	 tk = { NULL, 0 };
	const char	*kw;
	int		 rc = 0;

	if (tokenize(p, line, &tk) == -1) {
		rc = -1;
		goto out;
	}
	if (tk.n == 0)
		goto out;
	kw = tk.v[0].s;
	if (tk.v[0].quoted)
		kw = "\"";	/* never a keyword */
	else if ((line[0] == ' ' || line[0] == '\t') &&
	    strcmp(kw, "value") != 0) {
		rc = form_error(p, p->line, _("only 'value' lines may be "
		    "indented (they continue an enum field)"));
		goto out;
	}
	if (strcmp(kw, "table") == 0) {
		if (p->t != NULL && finish_table(p) == -1)
			rc = -1;
		else
			rc = parse_table(p, &tk);
		goto out;
	}
	if (strcmp(kw, "field") != 0 && strcmp(kw, "value") != 0 &&
	    strcmp(kw, "list") != 0 && strcmp(kw, "unique") != 0 &&
	    strcmp(kw, "screen") != 0) {
		if (strcmp(kw, "end") == 0)
			rc = form_error(p, p->line, _("'end' without "
			    "'screen'"));
		else
			rc = form_error(p, p->line, _("unknown keyword '%s' "
			    "(expected table, list, field, value, unique or "
			    "screen)"), tk.v[0].s);
		goto out;
	}
	if (p->t == NULL) {
		rc = form_error(p, p->line, _("'%s' outside a table (a "
		    "'table' line must come first)"), kw);
		goto out;
	}
	if (strcmp(kw, "field") == 0)
		rc = parse_field(p, &tk);
	else if (strcmp(kw, "value") == 0)
		rc = parse_value(p, &tk);
	else {
		p->cur_enum = -1;
		if (strcmp(kw, "list") == 0)
			rc = parse_list(p, &tk);
		else if (strcmp(kw, "unique") == 0)
			rc = parse_unique(p, &tk);
		else
			rc = parse_screen(p, &tk);
	}
out:
	tokens_reset(&tk);
	return (rc);
}

static int
line_of(const char *text, size_t off)
{
	size_t	i;
	int	line = 1;

	for (i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return (line);
}

/* Parse one file's text; the tables go to p->tables. */
static int
parse_text(struct parser *p, const char *file, const char *text,
    size_t len)
{
	const char	*s, *nl, *zero;
	char		*line;
	size_t		 l, bad;
	int		 rc = 0;

	p->file = file;
	if ((zero = memchr(text, '\0', len)) != NULL)
		return (form_error(p, line_of(text, zero - text),
		    _("unexpected NUL byte")));
	if (!utf8_valid(text, len, &bad))
		return (form_error(p, line_of(text, bad),
		    _("invalid UTF-8")));
	p->line = 0;
	for (s = text; rc == 0 && s < text + len; s = nl) {
		l = (size_t)(text + len - s);
		if ((nl = memchr(s, '\n', l)) != NULL)
			l = (size_t)(nl++ - s);
		else
			nl = text + len;
		if (l > 0 && s[l - 1] == '\r')
			l--;
		p->line++;
		line = xstrndup(s, l);
		if (p->in_screen)
			rc = screen_line(p, line);
		else
			rc = parse_line(p, line);
		free(line);
	}
	if (rc == 0 && p->in_screen)
		rc = form_error(p, p->screen_line, _("'screen' without "
		    "'end'"));
	if (rc == 0 && p->t != NULL)
		rc = finish_table(p);
	return (rc);
}

static void
parser_init(struct parser *p, const struct schema *s, struct buf *err)
{
	memset(p, 0, sizeof(*p));
	p->schema = s;
	p->err = err;
	p->cur_enum = -1;
}

static void
parser_release(struct parser *p)
{
	size_t	i;
	struct table *t = p->t;

	table_state_reset(p);
	table_free(t);
	for (i = 0; i < p->ntables; i++)
		table_free(p->tables[i]);
	free(p->tables);
	p->tables = NULL;
	p->ntables = 0;
}

/* Move the tables of a good load into the schema. */
static void
parser_commit(struct parser *p, struct schema *s)
{
	if (p->ntables > 0) {
		s->tables = xreallocarray(s->tables,
		    s->ntables + p->ntables, sizeof(*s->tables));
		memcpy(s->tables + s->ntables, p->tables,
		    p->ntables * sizeof(*p->tables));
		s->ntables += p->ntables;
	}
	free(p->tables);
	p->tables = NULL;
	p->ntables = 0;
}

int
schema_load_string(struct schema *s, const char *file, const char *text,
    struct buf *err)
{
	struct parser	p;

	parser_init(&p, s, err);
	if (parse_text(&p, file, text, strlen(text)) == -1) {
		parser_release(&p);
		return (-1);
	}
	parser_commit(&p, s);
	return (0);
}

static int
read_file(const char *path, struct buf *out, struct buf *err)
{
	FILE	*fp;
	char	 chunk[8192];
	size_t	 n;
	int	 saved;

	if ((fp = fopen(path, "r")) == NULL)
		return (buf_error(err, _("cannot open '%s': %s"), path,
		    strerror(errno)));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, n);
	if (ferror(fp)) {
		saved = errno;
		fclose(fp);
		return (buf_error(err, _("cannot read '%s': %s"), path,
		    strerror(saved)));
	}
	fclose(fp);
	return (0);
}

int
schema_load_file(struct schema *s, const char *path, struct buf *err)
{
	struct parser	p;
	struct buf	text = BUF_INIT;
	int		rc;

	if (read_file(path, &text, err) == -1) {
		buf_release(&text);
		return (-1);
	}
	parser_init(&p, s, err);
	if ((rc = parse_text(&p, path, text.data, text.len)) == -1)
		parser_release(&p);
	else
		parser_commit(&p, s);
	buf_release(&text);
	return (rc);
}

static int
cmp_names(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

int
schema_load(struct schema *s, const char *dir, struct buf *err)
{
	struct parser	 p;
	struct buf	 text = BUF_INIT;
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, *path = NULL;
	size_t		 n = 0, i, len, old;
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL)
		return (buf_error(err, _("cannot open the forms folder '%s': "
		    "%s"), dir, strerror(errno)));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".form") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(char *));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n == 0)
		return (buf_error(err, _("no .form files in '%s'"), dir));
	/* Name order, so a load is the same on every machine. */
	qsort(names, n, sizeof(char *), cmp_names);

	parser_init(&p, s, err);
	for (i = 0; rc == 0 && i < n; i++) {
		len = strlen(dir);
		xasprintf(&path, "%s%s%s", dir,
		    len > 0 && dir[len - 1] == '/' ? "" : "/", names[i]);
		buf_reset(&text);
		if (read_file(path, &text, err) == -1 ||
		    parse_text(&p, path, text.data, text.len) == -1)
			rc = -1;
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&text);
	if (rc == -1) {
		parser_release(&p);
		return (-1);
	}

	/* Refs may point into any file: check them on the whole, and take
	 * the tables back out if that fails. */
	old = s->ntables;
	parser_commit(&p, s);
	if (schema_check(s, err) == -1) {
		for (i = old; i < s->ntables; i++)
			table_free(s->tables[i]);
		s->ntables = old;
		return (-1);
	}
	return (0);
}
