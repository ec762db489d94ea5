/*
 * report.c: the loader of report forms (forms/NAME.report, the REPORTS
 * section of clerk-forms(5)) and the binding of their parameters.
 * Owns the syntax, the checks of a report against the schema and its
 * query (made at load, with the parameters' defaults), and how a
 * parameter's value reaches the query: read as its type, then bound to
 * its $name (query_parse_bound), so what a person types is never query
 * text.  Must not read the store or lay a report out (cmd-report.c
 * does); never prints: every message is "file:line: what is wrong".
 */
#include "config.h"

#include <sys/types.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"
#include "query/report.h"

#define NAME_MAXLEN	32
#define WIDTH_MAX	1000

struct token {
	char	*s;
	int	 quoted;
};

struct tokens {
	struct token	*v;
	size_t		 n;
};

/* Where each line of a report's query text came from. */
struct qline {
	int	 line;		/* in the file */
	int	 col0;		/* characters before it in that line */
};

struct rparser {
	const char		*file;
	int			 line;
	const struct schema	*schema;
	struct buf		*err;
	struct report		**v;	/* built by this load */
	size_t			  n;
	const struct report_set	*old;	/* loaded before, for duplicates */
	struct report		*r;	/* the one being read */
	struct qline		*ql;	/* its query's lines */
	size_t			 nql;
	int			 in_query;	/* the last line was the query */
};

static const struct {
	const char	*name;
	enum field_type	 type;
} ptypes[] = {
	{ "text", FT_TEXT },
	{ "int", FT_INT },
	{ "money", FT_MONEY },
	{ "qty", FT_QTY },
	{ "date", FT_DATE },
	{ "bool", FT_BOOL },
};

static const char *const totals[] = {
	"", "sum", "count", "avg", "min", "max"
};

static const char *const fmts[] = {
	"", "iso", "ru", "en", "plain", "month", "year"
};

static int	rerror(struct rparser *, int, const char *, ...)
		    PRINTFLIKE(3, 4);

static int
rerror(struct rparser *p, int line, const char *fmt, ...)
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

/* Names end up in commands and the query language: plain, like a form's. */
static int
name_ok(const char *s)
{
	size_t	i, len = strlen(s);

	if (len == 0 || len > NAME_MAXLEN || s[0] < 'a' || s[0] > 'z')
		return (0);
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return (0);
	return (1);
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

/* The lexical rules of the .form files: blanks, "quotes" with \" and
 * \\, '#' comments outside quotes. */
static int
tokenize(struct rparser *p, const char *s, struct tokens *tk)
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
					if (*s != '"' && *s != '\\') {
						if (*s == '\0')
							goto unterminated;
						buf_release(&w);
						return (rerror(p, p->line,
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
				return (rerror(p, p->line, _("expected a "
				    "blank after the closing quote")));
			}
		} else {
			quoted = 0;
			while (*s != '\0' && *s != ' ' && *s != '\t' &&
			    *s != '#') {
				if (*s == '"') {
					rerror(p, p->line, _("unexpected "
					    "'\"' after '%s' (quote the whole "
					    "token)"), w.data);
					buf_release(&w);
					return (-1);
				}
				buf_addch(&w, *s++);
			}
		}
		tk->v = xreallocarray(tk->v, tk->n + 1, sizeof *tk->v);
		tk->v[tk->n].s = xstrdup(w.data);
		tk->v[tk->n].quoted = quoted;
		tk->n++;
	}
	buf_release(&w);
	return (0);

unterminated:
	buf_release(&w);
	return (rerror(p, p->line, _("unterminated quote")));
}

/*
 * The labels that end a line: want quoted tokens from tk->v[i] on and
 * nothing else; optional ones may be missing altogether (out left NULL).
 */
static int
take_labels(struct rparser *p, const struct tokens *tk, size_t i,
    const char *kind, const char *name, int optional, char **out)
{
	size_t	n = tk->n - i, j;

	for (j = i; j < tk->n; j++)
		if (!tk->v[j].quoted)
			return (rerror(p, p->line, j == i ?
			    _("unexpected '%s' (expected a quoted label)") :
			    _("unexpected '%s' after the labels"), tk->v[j].s));
	if (n == 0 && optional)
		return (0);
	if (n == 0)
		return (rerror(p, p->line, _("%s '%s': missing labels "
		    "(expected \"English\" \"Russian\")"), kind, name));
	if (n == 1)
		return (rerror(p, p->line, _("%s '%s': missing Russian "
		    "label"), kind, name));
	if (n > 2)
		return (rerror(p, p->line, _("%s '%s': too many labels "
		    "(expected %zu)"), kind, name, (size_t)2));
	for (j = 0; j < 2; j++)
		if (*tk->v[i + j].s == '\0')
			return (rerror(p, p->line, _("%s '%s': empty label"),
			    kind, name));
	out[0] = xstrdup(tk->v[i].s);
	out[1] = xstrdup(tk->v[i + 1].s);
	return (0);
}

static void
report_free(struct report *r)
{
	size_t	i;

	if (r == NULL)
		return;
	free(r->name);
	free(r->title[0]);
	free(r->title[1]);
	free(r->file);
	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].deflt);
		free(r->params[i].label[0]);
		free(r->params[i].label[1]);
	}
	free(r->params);
	free(r->query);
	free(r->qlines);
	for (i = 0; i < r->ncols; i++) {
		free(r->cols[i].name);
		free(r->cols[i].label[0]);
		free(r->cols[i].label[1]);
	}
	free(r->cols);
	for (i = 0; i < r->ngroups; i++) {
		free(r->groups[i].name);
		free(r->groups[i].label[0]);
		free(r->groups[i].label[1]);
	}
	free(r->groups);
	free(r);
}

void
report_set_init(struct report_set *set)
{
	set->v = NULL;
	set->n = 0;
}

void
report_set_release(struct report_set *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		report_free(set->v[i]);
	free(set->v);
	report_set_init(set);
}

const struct report *
report_find(const struct report_set *set, const char *name)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i]->name, name) == 0)
			return (set->v[i]);
	return (NULL);
}

/* Read text as a parameter's type into v (texts owned). */
static int
param_value(const struct report_param *pm, const char *s, int32_t today,
    struct value *v, struct buf *err)
{
	struct buf	why = BUF_INIT;
	int32_t		d = 0;
	long long	n;
	char		*end;
	int		r = 0;

	memset(v, 0, sizeof *v);
	v->set = 1;
	switch (pm->type) {
	case FT_DATE:
		/* util's reader: what a query or a record takes. */
		if (date_parse_at(s, today, &d, &why) != 0)
			r = -1;
		v->i = d;
		break;
	case FT_INT:
		errno = 0;
		n = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno != 0)
			r = buf_error(&why, _("'%s' is not a whole number"),
			    s);
		v->i = n;
		break;
	case FT_MONEY:
		r = money_parse(s, &v->i, &why);
		break;
	case FT_QTY:
		r = qty_parse(s, &v->i, &why);
		break;
	case FT_BOOL:
		if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
		    strcmp(s, "1") == 0 || strcmp(s, "да") == 0)
			v->i = 1;
		else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 ||
		    strcmp(s, "0") == 0 || strcmp(s, "нет") == 0)
			v->i = 0;
		else
			r = buf_error(&why, _("'%s' is neither yes nor no"), s);
		break;
	default:
		if (!utf8_valid(s, strlen(s), NULL))
			r = buf_error(&why, _("invalid UTF-8"));
		v->s = xstrdup(s);
		v->len = strlen(s);
		break;
	}
	if (r != 0) {
		free(v->s);
		memset(v, 0, sizeof *v);
		buf_error(err, _("parameter '%s': %s"), pm->name, why.data);
	}
	buf_release(&why);
	return (r == 0 ? 0 : -1);
}

/* A value the check at load can use when a parameter has no default. */
static void
param_neutral(const struct report_param *pm, int32_t today, struct value *v)
{
	memset(v, 0, sizeof *v);
	v->set = 1;
	if (pm->type == FT_DATE)
		v->i = today;
	else if (pm->type == FT_TEXT) {
		v->s = xstrdup("");
		v->len = 0;
	}
}

void
report_values_free(struct value *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].s);
	free(v);
}

void
report_param_text(const struct report_param *pm, const struct value *v,
    int lang, int plain, struct buf *out)
{
	/* As the report's rows show their values (record.h). */
	record_value_format(NULL, pm->type, v, plain ? VALUE_FILE :
	    VALUE_PEOPLE, lang, out);
}

/* Skip a quoted string of the query language at s (quote doubled inside
 * it); returns the byte after it. */
static const char *
skip_quoted(const char *s)
{
	char	qc = *s++;

	while (*s != '\0') {
		if (*s == qc && s[1] == qc)
			s += 2;
		else if (*s == qc)
			return (s + 1);
		else
			s++;
	}
	return (s);
}

/* A place in the query where a literal went: to put mistakes back at
 * the $name that stood there. */
struct subst {
	int	 line;		/* of the query text, from 1 */
	int	 col;		/* characters, from 1, in the result */
	int	 newlen;	/* characters of the literal */
	int	 oldlen;	/* characters of $name */
	size_t	 param;
};

/*
 * Find each parameter's $name (outside quoted strings), to put a
 * mistake in its value back at the parameter.  Unknown names are an
 * error at the name's line and column; used[] marks the parameters met.
 */
static int
substitute(const struct report *r, const struct qline *ql,
    const struct value *vals, struct buf *out, struct subst **sp,
    size_t *nsp, int *used, struct buf *err)
{
	const char	*s = r->query, *e;
	struct buf	 lit = BUF_INIT;
	size_t		 i, from;
	int		 line = 1, col = 1, ocol = 1;

	*sp = NULL;
	*nsp = 0;
	while (*s != '\0') {
		if (*s == '"' || *s == '\'') {
			e = skip_quoted(s);
			buf_add(out, s, (size_t)(e - s));
			col += (int)utf8_length(s, (size_t)(e - s));
			ocol += (int)utf8_length(s, (size_t)(e - s));
			s = e;
			continue;
		}
		if (*s == '\n') {
			buf_addch(out, *s++);
			line++;
			col = ocol = 1;
			continue;
		}
		if (*s != '$') {
			e = s + 1;
			while ((*e & 0xc0) == 0x80)
				e++;
			buf_add(out, s, (size_t)(e - s));
			s = e;
			col++;
			ocol++;
			continue;
		}
		e = s + 1;
		while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') ||
		    *e == '_')
			e++;
		for (i = 0; i < r->nparams; i++)
			if (strlen(r->params[i].name) == (size_t)(e - s - 1) &&
			    strncmp(r->params[i].name, s + 1,
			    (size_t)(e - s - 1)) == 0)
				break;
		if (i == r->nparams) {
			buf_release(&lit);
			free(*sp);
			*sp = NULL;
			buf_error(err, "%s:%d:%d: ", r->file, ql[line - 1].line,
			    ocol + (line == 1 ? ql[0].col0 : 0));
			if (e == s + 1)
				buf_adds(err, _("'$' must start a parameter's "
				    "name"));
			else
				buf_printf(err, _("unknown parameter '%.*s'"),
				    (int)(e - s - 1), s + 1);
			return (-1);
		}
		used[i] = 1;
		/* The name stays: the parser binds its value. */
		buf_reset(&lit);
		buf_add(&lit, s, (size_t)(e - s));
		from = out->len;
		buf_add(out, lit.data, lit.len);
		*sp = xreallocarray(*sp, *nsp + 1, sizeof **sp);
		(*sp)[*nsp].line = line;
		(*sp)[*nsp].col = col;
		(*sp)[*nsp].newlen = (int)utf8_length(out->data + from,
		    lit.len);
		(*sp)[*nsp].oldlen = (int)(e - s);
		(*sp)[*nsp].param = i;
		(*nsp)++;
		col += (*sp)[*nsp - 1].newlen;
		ocol += (int)(e - s);
		s = e;
	}
	buf_release(&lit);
	return (0);
}

/*
 * A mistake of the query parser ("query:L:C: message") put back in the
 * report: "file:line:col: message", or "parameter 'p': message" when it
 * is in a parameter's literal (the value, not the report, is wrong).
 */
static void
query_error(const struct report *r, const struct qline *ql, size_t nql,
    const struct subst *sb, size_t nsb, int runtime, struct buf *err)
{
	struct buf	 msg = BUF_INIT;
	const char	*p;
	char		*end;
	long		 line, col;
	size_t		 i;

	p = err->data;
	if (strncmp(p, "query:", 6) != 0)
		return;
	line = strtol(p + 6, &end, 10);
	if (*end != ':' || line < 1 || (size_t)line > nql)
		return;
	col = strtol(end + 1, &end, 10);
	if (*end != ':')
		return;
	buf_adds(&msg, end[1] == ' ' ? end + 2 : end + 1);
	for (i = 0; i < nsb; i++) {
		if (sb[i].line != line)
			continue;
		if (col >= sb[i].col && col < sb[i].col + sb[i].newlen) {
			if (runtime) {
				buf_set(err, _("parameter '%s': %s"),
				    r->params[sb[i].param].name, msg.data);
				buf_release(&msg);
				return;
			}
			col = sb[i].col;
			break;
		}
	}
	/* Back over the literals before the column, to the text as
	 * written. */
	{
		long	shift = 0;

		for (i = 0; i < nsb; i++)
			if (sb[i].line == line && sb[i].col < col)
				shift += sb[i].newlen - sb[i].oldlen;
		col -= shift;
	}
	if (line == 1)
		col += ql[0].col0;
	buf_set(err, "%s:%d:%ld: %s", r->file, ql[line - 1].line, col,
	    msg.data);
	buf_release(&msg);
}

/* Parse r's query with the values given (vals, one per parameter). */
static int
parse_bound(const struct report *r, const struct qline *ql, size_t nql,
    const struct schema *schema, const struct value *vals, int runtime,
    struct query **qp, struct buf *err)
{
	struct buf	 text = BUF_INIT;
	struct subst	*sb = NULL;
	struct query_param *bound = NULL;
	size_t		 nsb = 0, i;
	int		*used, rc = -1;

	used = xcalloc(r->nparams + 1, sizeof *used);
	if (substitute(r, ql, vals, &text, &sb, &nsb, used, err) != 0)
		goto out;
	if (!runtime)
		for (i = 0; i < r->nparams; i++)
			if (!used[i]) {
				buf_error(err, _("%s:%d: parameter '%s' is not "
				    "used in the query (write $%s where its "
				    "value goes)"), r->file, r->params[i].line,
				    r->params[i].name, r->params[i].name);
				goto out;
			}
	bound = xcalloc(r->nparams + 1, sizeof *bound);
	for (i = 0; i < r->nparams; i++) {
		bound[i].name = r->params[i].name;
		bound[i].type = r->params[i].type;
		bound[i].v = vals[i];
	}
	if (query_parse_bound(schema, text.data, bound, r->nparams, qp,
	    err) != 0) {
		query_error(r, ql, nql, sb, nsb, runtime, err);
		goto out;
	}
	rc = 0;
out:
	free(used);
	free(sb);
	free(bound);
	buf_release(&text);
	return (rc);
}

/* Position of a column of the query by name, or -1. */
static ssize_t
qcol_find(const struct query *q, const char *name)
{
	size_t	i;

	for (i = 0; i < query_ncols(q); i++)
		if (strcmp(query_col(q, i)->name, name) == 0)
			return ((ssize_t)i);
	return (-1);
}

static void
qcol_names(const struct query *q, struct buf *out)
{
	size_t	i;

	for (i = 0; i < query_ncols(q); i++)
		buf_printf(out, "%s%s", i > 0 ? ", " : "",
		    query_col(q, i)->name);
}

static int
numeric(enum field_type t)
{
	return (t == FT_INT || t == FT_MONEY || t == FT_QTY);
}

/* Checks made when a report is complete: the query with its defaults,
 * then the columns and groups against the query's columns. */
static int
check_report(struct rparser *p)
{
	struct report		*r = p->r;
	struct value		*vals;
	struct query		*q = NULL;
	const struct query_col	*qc;
	struct buf		 names = BUF_INIT, why = BUF_INIT;
	int32_t			 today = clock_today();
	ssize_t			 pos;
	size_t			 i, j;
	int			 rc = -1;

	if (r->query == NULL)
		return (rerror(p, r->line, _("report '%s' has no query"),
		    r->name));
	vals = xcalloc(r->nparams + 1, sizeof *vals);
	for (i = 0; i < r->nparams; i++) {
		if (r->params[i].deflt == NULL) {
			param_neutral(&r->params[i], today, &vals[i]);
			continue;
		}
		if (param_value(&r->params[i], r->params[i].deflt, today,
		    &vals[i], &why) != 0) {
			rerror(p, r->params[i].line, _("bad default: %s"),
			    why.data);
			goto out;
		}
	}
	if (parse_bound(r, p->ql, p->nql, p->schema, vals, 0, &q, p->err) != 0)
		goto out;
	r->is_group = query_is_group(q);
	r->nqcols = query_ncols(q);
	qcol_names(q, &names);
	for (i = 0; i < r->ncols; i++) {
		struct report_column *c = &r->cols[i];

		if ((pos = qcol_find(q, c->name)) < 0) {
			rerror(p, c->line, _("column '%s' is not a column of "
			    "the query (they are: %s; add it to the query's "
			    "cols)"), c->name, names.data);
			goto out;
		}
		c->col = (size_t)pos;
		qc = query_col(q, c->col);
		if (c->right == -1)
			c->right = qc->right;
		if (c->total != RT_NONE && r->is_group) {
			rerror(p, c->line, _("column '%s': a group query "
			    "makes its own subtotals, so 'total' is only for "
			    "queries of records"), c->name);
			goto out;
		}
		if ((c->total == RT_SUM || c->total == RT_AVG) &&
		    !numeric(qc->type)) {
			rerror(p, c->line, _("column '%s': 'total %s' needs "
			    "numbers, and the column is %s"), c->name,
			    totals[c->total], query_type_word(qc->type));
			goto out;
		}
		if ((c->total == RT_MIN || c->total == RT_MAX) &&
		    !FT_IS_INT(qc->type)) {
			rerror(p, c->line, _("column '%s': 'total %s' needs "
			    "numbers or dates, and the column is %s"), c->name,
			    totals[c->total], query_type_word(qc->type));
			goto out;
		}
		if (c->fmt != RF_DEFAULT) {
			int	dates = qc->type == FT_DATE ||
			    qc->type == FT_DATETIME;
			int	money = qc->type == FT_MONEY ||
			    qc->type == FT_QTY;
			int	okf = dates ? c->fmt == RF_ISO ||
			    c->fmt == RF_RU || c->fmt == RF_MONTH ||
			    c->fmt == RF_YEAR : money ? c->fmt == RF_RU ||
			    c->fmt == RF_EN || c->fmt == RF_PLAIN : 0;

			if (!okf) {
				rerror(p, c->line, _("column '%s': format "
				    "'%s' does not suit a %s column (dates take "
				    "iso, ru, month, year; money and "
				    "quantities take ru, en, plain)"), c->name,
				    fmts[c->fmt], query_type_word(qc->type));
				goto out;
			}
		}
	}
	if (r->ngroups > 0 && r->is_group) {
		rerror(p, r->groups[0].line, _("'group' is only for queries "
		    "of records: a group query groups by itself"));
		goto out;
	}
	for (i = 0; i < r->ngroups; i++) {
		struct report_group *g = &r->groups[i];

		if ((pos = qcol_find(q, g->name)) < 0) {
			rerror(p, g->line, _("group '%s' is not a column of "
			    "the query (they are: %s; add it to the query's "
			    "cols)"), g->name, names.data);
			goto out;
		}
		g->col = (size_t)pos;
		/* Groups are cut where a key changes, so the rows must
		 * come in the order of the keys. */
		if (i >= q->nsorts || strcmp(q->sorts[i].x->name,
		    g->name) != 0) {
			buf_reset(&why);
			for (j = 0; j < r->ngroups; j++)
				buf_printf(&why, "%s%s", j > 0 ? ", " : "",
				    r->groups[j].name);
			rerror(p, g->line, _("the query must sort by the "
			    "groups first (sort %s, ...)"), why.data);
			goto out;
		}
	}
	rc = 0;
out:
	query_free(q);
	report_values_free(vals, r->nparams);
	buf_release(&names);
	buf_release(&why);
	return (rc);
}

static int
end_report(struct rparser *p)
{
	struct report	*r = p->r;
	size_t		 i;

	if (r == NULL)
		return (0);
	if (check_report(p) != 0)
		return (-1);
	/* The map of query lines, for messages when the report runs. */
	r->qlines = xcalloc(p->nql + 1, sizeof *r->qlines);
	for (i = 0; i < p->nql; i++)
		r->qlines[i] = p->ql[i].line;
	r->nqlines = p->nql;
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	p->v[p->n++] = r;
	p->r = NULL;
	return (0);
}

static int
parse_report(struct rparser *p, const struct tokens *tk)
{
	struct report	*r;
	const char	*name;
	size_t		 i;
	char		*labels[2] = { NULL, NULL };

	if (end_report(p) != 0)
		return (-1);
	if (tk->n < 2 || tk->v[1].quoted)
		return (rerror(p, p->line, _("'report' needs a name")));
	name = tk->v[1].s;
	if (!name_ok(name))
		return (rerror(p, p->line, _("bad report name '%s' (a name "
		    "is a-z, 0-9 and _, starts with a letter and has at most "
		    "32 bytes)"), name));
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i]->name, name) == 0)
			return (rerror(p, p->line, _("duplicate report '%s' "
			    "(already declared in %s)"), name, p->v[i]->file));
	if (p->old != NULL && report_find(p->old, name) != NULL)
		return (rerror(p, p->line, _("duplicate report '%s' (already "
		    "declared in %s)"), name, report_find(p->old,
		    name)->file));
	if (take_labels(p, tk, 2, "report", name, 0, labels) != 0)
		return (-1);
	r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	r->title[0] = labels[0];
	r->title[1] = labels[1];
	r->file = xstrdup(p->file);
	r->line = p->line;
	p->r = r;
	free(p->ql);
	p->ql = NULL;
	p->nql = 0;
	return (0);
}

static int
parse_param(struct rparser *p, const struct tokens *tk)
{
	struct report		*r = p->r;
	struct report_param	 pm;
	struct buf		 w = BUF_INIT;
	size_t			 i, k;

	memset(&pm, 0, sizeof pm);
	if (tk->n < 2 || tk->v[1].quoted)
		return (rerror(p, p->line, _("'param' needs a name")));
	if (!name_ok(tk->v[1].s))
		return (rerror(p, p->line, _("bad parameter name '%s' (a "
		    "name is a-z, 0-9 and _, starts with a letter and has at "
		    "most 32 bytes)"), tk->v[1].s));
	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].name, tk->v[1].s) == 0)
			return (rerror(p, p->line, _("duplicate parameter "
			    "'%s' (first declared at line %d)"), tk->v[1].s,
			    r->params[i].line));
	if (tk->n < 3 || tk->v[2].quoted)
		return (rerror(p, p->line, _("parameter '%s' needs a type"),
		    tk->v[1].s));
	for (k = 0; k < nitems(ptypes); k++)
		if (strcmp(ptypes[k].name, tk->v[2].s) == 0)
			break;
	if (k == nitems(ptypes))
		return (rerror(p, p->line, _("unknown parameter type '%s' "
		    "(expected text, int, money, qty, date, bool)"),
		    tk->v[2].s));
	pm.type = ptypes[k].type;
	i = 3;
	if (i < tk->n && !tk->v[i].quoted &&
	    strcmp(tk->v[i].s, "default") == 0) {
		if (++i >= tk->n)
			return (rerror(p, p->line, _("'default' needs a "
			    "value")));
		/*
		 * A date's default may be words ("month start - 1"):
		 * unquoted, they run to the labels, which are quoted.  Any
		 * other default is one word or one quoted text.
		 */
		if (pm.type == FT_DATE && !tk->v[i].quoted) {
			for (; i < tk->n && !tk->v[i].quoted; i++)
				buf_printf(&w, "%s%s", w.len > 0 ? " " : "",
				    tk->v[i].s);
			pm.deflt = buf_detach(&w, NULL);
		} else
			pm.deflt = xstrdup(tk->v[i++].s);
	}
	if (take_labels(p, tk, i, "parameter", tk->v[1].s, 0, pm.label) != 0) {
		free(pm.deflt);
		return (-1);
	}
	pm.name = xstrdup(tk->v[1].s);
	pm.line = p->line;
	r->params = xreallocarray(r->params, r->nparams + 1,
	    sizeof *r->params);
	r->params[r->nparams++] = pm;
	return (0);
}

static int
parse_column(struct rparser *p, const struct tokens *tk)
{
	struct report		*r = p->r;
	struct report_column	 c;
	const char		*a;
	size_t			 i, k;
	long			 n;
	char			*end;

	memset(&c, 0, sizeof c);
	c.right = -1;
	if (tk->n < 2 || tk->v[1].quoted)
		return (rerror(p, p->line, _("'column' needs a column of the "
		    "query")));
	for (i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i].name, tk->v[1].s) == 0)
			return (rerror(p, p->line, _("duplicate column '%s' "
			    "(first at line %d)"), tk->v[1].s,
			    r->cols[i].line));
	for (i = 2; i < tk->n && !tk->v[i].quoted; i++) {
		a = tk->v[i].s;
		if (strcmp(a, "left") == 0 || strcmp(a, "right") == 0) {
			c.right = a[0] == 'r';
			continue;
		}
		if (strcmp(a, "width") != 0 && strcmp(a, "total") != 0 &&
		    strcmp(a, "format") != 0)
			return (rerror(p, p->line, _("unknown attribute '%s' "
			    "(expected width N, total, format, left or "
			    "right)"), a));
		if (i + 1 >= tk->n || tk->v[i + 1].quoted)
			return (rerror(p, p->line, _("'%s' needs a value"), a));
		i++;
		if (a[0] == 'w') {
			errno = 0;
			n = strtol(tk->v[i].s, &end, 10);
			if (*end != '\0' || errno != 0 || n < 1 ||
			    n > WIDTH_MAX)
				return (rerror(p, p->line, _("bad width '%s' "
				    "(expected 1 to %d display cells)"),
				    tk->v[i].s, WIDTH_MAX));
			c.width = (size_t)n;
		} else if (a[0] == 't') {
			for (k = 1; k < nitems(totals); k++)
				if (strcmp(totals[k], tk->v[i].s) == 0)
					break;
			if (k == nitems(totals))
				return (rerror(p, p->line, _("unknown total "
				    "'%s' (expected sum, count, avg, min or "
				    "max)"), tk->v[i].s));
			c.total = (enum report_total)k;
		} else {
			for (k = 1; k < nitems(fmts); k++)
				if (strcmp(fmts[k], tk->v[i].s) == 0)
					break;
			if (k == nitems(fmts))
				return (rerror(p, p->line, _("unknown format "
				    "'%s' (expected iso, ru, en, plain, month "
				    "or year)"), tk->v[i].s));
			c.fmt = (enum report_fmt)k;
		}
	}
	if (take_labels(p, tk, i, "column", tk->v[1].s, 1, c.label) != 0)
		return (-1);
	c.name = xstrdup(tk->v[1].s);
	c.line = p->line;
	r->cols = xreallocarray(r->cols, r->ncols + 1, sizeof *r->cols);
	r->cols[r->ncols++] = c;
	return (0);
}

static int
parse_group_line(struct rparser *p, const struct tokens *tk)
{
	struct report		*r = p->r;
	struct report_group	 g;
	size_t			 i;

	memset(&g, 0, sizeof g);
	if (tk->n < 2 || tk->v[1].quoted)
		return (rerror(p, p->line, _("'group' needs a column of the "
		    "query")));
	for (i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i].name, tk->v[1].s) == 0)
			return (rerror(p, p->line, _("duplicate group '%s' "
			    "(first at line %d)"), tk->v[1].s,
			    r->groups[i].line));
	if (take_labels(p, tk, 2, "group", tk->v[1].s, 1, g.label) != 0)
		return (-1);
	g.name = xstrdup(tk->v[1].s);
	g.line = p->line;
	r->groups = xreallocarray(r->groups, r->ngroups + 1,
	    sizeof *r->groups);
	r->groups[r->ngroups++] = g;
	return (0);
}

/* The text of a query line from s on, up to a '#' outside the query's
 * quotes, trailing blanks dropped. */
static void
query_piece(const char *s, struct buf *out)
{
	const char	*e = s;

	while (*e != '\0' && *e != '#') {
		if (*e == '"' || *e == '\'')
			e = skip_quoted(e);
		else
			e++;
	}
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	buf_add(out, s, (size_t)(e - s));
}

static int
parse_query(struct rparser *p, const char *line)
{
	struct report	*r = p->r;
	struct buf	 t = BUF_INIT;
	const char	*s;

	if (r->query != NULL)
		return (rerror(p, p->line, _("duplicate 'query' (first at "
		    "line %d)"), r->query_line));
	s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	s += 5;		/* "query" */
	while (*s == ' ' || *s == '\t')
		s++;
	query_piece(s, &t);
	if (t.len == 0) {
		buf_release(&t);
		return (rerror(p, p->line, _("'query' needs the query on "
		    "its line")));
	}
	r->query = buf_detach(&t, NULL);
	r->query_line = p->line;
	r->query_col = (int)utf8_length(line, (size_t)(s - line));
	p->ql = xreallocarray(p->ql, p->nql + 1, sizeof *p->ql);
	p->ql[p->nql].line = p->line;
	p->ql[p->nql].col0 = r->query_col;
	p->nql++;
	p->in_query = 1;
	return (0);
}

/* An indented line after the query goes on with it, verbatim. */
static int
continue_query(struct rparser *p, const char *line)
{
	struct report	*r = p->r;
	struct buf	 t = BUF_INIT;

	buf_adds(&t, r->query);
	buf_addch(&t, '\n');
	query_piece(line, &t);
	free(r->query);
	r->query = buf_detach(&t, NULL);
	p->ql = xreallocarray(p->ql, p->nql + 1, sizeof *p->ql);
	p->ql[p->nql].line = p->line;
	p->ql[p->nql].col0 = 0;
	p->nql++;
	return (0);
}

static int
parse_line(struct rparser *p, char *line)
{
	struct tokens	 tk = { NULL, 0 };
	const char	*kw;
	int		 rc = 0, indented;

	indented = line[0] == ' ' || line[0] == '\t';
	if (tokenize(p, line, &tk) != 0)
		return (-1);
	if (tk.n == 0) {
		/* Blank and comment lines do not end a query. */
		tokens_reset(&tk);
		return (0);
	}
	if (indented) {
		if (!p->in_query)
			rc = rerror(p, p->line, _("only the lines of a "
			    "'query' may be indented (they continue it)"));
		else
			rc = continue_query(p, line);
		tokens_reset(&tk);
		return (rc);
	}
	p->in_query = 0;
	kw = tk.v[0].s;
	if (tk.v[0].quoted)
		rc = rerror(p, p->line, _("unexpected quoted '%s' at the "
		    "start of a line"), kw);
	else if (strcmp(kw, "report") == 0)
		rc = parse_report(p, &tk);
	else if (strcmp(kw, "param") != 0 && strcmp(kw, "query") != 0 &&
	    strcmp(kw, "column") != 0 && strcmp(kw, "group") != 0)
		rc = rerror(p, p->line, _("unknown keyword '%s' (expected "
		    "report, param, query, group or column)"), kw);
	else if (p->r == NULL)
		rc = rerror(p, p->line, _("'%s' outside a report (a 'report' "
		    "line must come first)"), kw);
	else if (strcmp(kw, "param") == 0)
		rc = parse_param(p, &tk);
	else if (strcmp(kw, "query") == 0)
		rc = parse_query(p, line);
	else if (strcmp(kw, "column") == 0)
		rc = parse_column(p, &tk);
	else
		rc = parse_group_line(p, &tk);
	tokens_reset(&tk);
	return (rc);
}

static void
rparser_release(struct rparser *p)
{
	size_t	i;

	report_free(p->r);
	p->r = NULL;
	for (i = 0; i < p->n; i++)
		report_free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
	free(p->ql);
	p->ql = NULL;
	p->nql = 0;
}

static int
parse_text(struct rparser *p, const char *file, const char *text,
    size_t len)
{
	struct buf	 line = BUF_INIT;
	const char	*s = text, *e, *end = text + len;
	size_t		 bad;

	p->file = file;
	p->line = 0;
	p->in_query = 0;
	if (memchr(text, '\0', len) != NULL) {
		p->line = 1;
		for (e = text; *e != '\0'; e++)
			if (*e == '\n')
				p->line++;
		return (rerror(p, p->line, _("unexpected NUL byte")));
	}
	while (s < end) {
		p->line++;
		e = memchr(s, '\n', (size_t)(end - s));
		if (e == NULL)
			e = end;
		buf_reset(&line);
		buf_add(&line, s, (size_t)(e - s));
		if (line.len > 0 && line.data[line.len - 1] == '\r')
			buf_truncate(&line, line.len - 1);
		if (!utf8_valid(line.data, line.len, &bad)) {
			buf_release(&line);
			return (rerror(p, p->line, _("invalid UTF-8")));
		}
		if (parse_line(p, line.data) != 0) {
			buf_release(&line);
			return (-1);
		}
		s = e + 1;
	}
	buf_release(&line);
	return (end_report(p));
}

static void
rparser_commit(struct rparser *p, struct report_set *set)
{
	set->v = xreallocarray(set->v, set->n + p->n, sizeof *set->v);
	memcpy(set->v + set->n, p->v, p->n * sizeof *p->v);
	set->n += p->n;
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

int
report_load_string(struct report_set *set, const struct schema *schema,
    const char *file, const char *text, struct buf *err)
{
	struct rparser	p;

	memset(&p, 0, sizeof p);
	p.schema = schema;
	p.err = err;
	p.old = set;
	if (parse_text(&p, file, text, strlen(text)) != 0) {
		rparser_release(&p);
		return (-1);
	}
	rparser_commit(&p, set);
	rparser_release(&p);
	return (0);
}

static int
cmp_names(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static int
read_file(const char *path, struct buf *out, struct buf *err)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;
	int	 bad;

	if ((f = fopen(path, "r")) == NULL)
		return (buf_error(err, _("cannot open '%s': %s"), path,
		    strerror(errno)));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	bad = ferror(f);
	fclose(f);
	if (bad)
		return (buf_error(err, _("cannot read '%s'"), path));
	return (0);
}

int
report_load(struct report_set *set, const char *dir,
    const struct schema *schema, struct buf *err)
{
	struct rparser	 p;
	struct buf	 text = BUF_INIT;
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, *path;
	size_t		 n = 0, i, len;
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL)
		return (buf_error(err, _("cannot open forms directory '%s': "
		    "%s"), dir, strerror(errno)));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 7 ||
		    strcmp(de->d_name + len - 7, ".report") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_names);

	memset(&p, 0, sizeof p);
	p.schema = schema;
	p.err = err;
	p.old = set;
	for (i = 0; rc == 0 && i < n; i++) {
		len = strlen(dir);
		xasprintf(&path, "%s%s%s", dir, len > 0 &&
		    dir[len - 1] == '/' ? "" : "/", names[i]);
		buf_reset(&text);
		if (read_file(path, &text, err) != 0 ||
		    parse_text(&p, path, text.data, text.len) != 0)
			rc = -1;
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&text);
	if (rc == 0)
		rparser_commit(&p, set);
	rparser_release(&p);
	return (rc);
}

/* The query's lines, for run-time messages. */
static struct qline *
query_lines(const struct report *r, size_t *n)
{
	struct qline	*ql;
	size_t		 i;

	*n = r->nqlines;
	ql = xcalloc(*n + 1, sizeof *ql);
	for (i = 0; i < *n; i++)
		ql[i].line = r->qlines[i];
	ql[0].col0 = r->query_col;
	return (ql);
}

int
report_prepare(const struct report *r, const struct schema *schema,
    char *const *args, size_t nargs, int32_t today, struct query **qp,
    struct value **valsp, struct buf *err)
{
	struct value	*vals;
	struct qline	*ql;
	const char	*eq, **names;
	const char	*s;
	size_t		 i, k, nql;
	char		*given;
	int		 rc = -1;

	*qp = NULL;
	vals = xcalloc(r->nparams + 1, sizeof *vals);
	given = xcalloc(r->nparams + 1, 1);
	names = xcalloc(r->nparams + 1, sizeof *names);
	for (k = 0; k < r->nparams; k++)
		names[k] = r->params[k].name;
	for (i = 0; i < nargs; i++) {
		if ((eq = strchr(args[i], '=')) == NULL || eq == args[i]) {
			buf_error(err, _("expected parameter=value, got '%s'"),
			    args[i]);
			goto out;
		}
		for (k = 0; k < r->nparams; k++)
			if (strlen(names[k]) == (size_t)(eq - args[i]) &&
			    strncmp(names[k], args[i], (size_t)(eq -
			    args[i])) == 0)
				break;
		if (k == r->nparams) {
			buf_error(err, _("report '%s' has no parameter "
			    "'%.*s'"), r->name, (int)(eq - args[i]), args[i]);
			if (r->nparams == 0)
				buf_adds(err, _(" (it takes none)"));
			else {
				buf_adds(err, _("; its parameters are:"));
				for (k = 0; k < r->nparams; k++)
					buf_printf(err, " %s", names[k]);
			}
			goto out;
		}
		if (given[k]) {
			buf_error(err, _("parameter '%s' given twice"),
			    names[k]);
			goto out;
		}
		given[k] = 1;
		if (param_value(&r->params[k], eq + 1, today, &vals[k],
		    err) != 0)
			goto out;
	}
	for (k = 0; k < r->nparams; k++) {
		if (given[k])
			continue;
		if ((s = r->params[k].deflt) == NULL) {
			buf_error(err, _("report '%s' needs parameter '%s' "
			    "(%s=...)"), r->name, names[k], names[k]);
			goto out;
		}
		if (param_value(&r->params[k], s, today, &vals[k], err) != 0)
			goto out;
	}
	ql = query_lines(r, &nql);
	rc = parse_bound(r, ql, nql, schema, vals, 1, qp, err);
	free(ql);
out:
	free(given);
	free(names);
	if (rc != 0) {
		report_values_free(vals, r->nparams);
		vals = NULL;
	}
	*valsp = vals;
	return (rc);
}
