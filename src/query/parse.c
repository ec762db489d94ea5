/*
 * parse.c: the query language's lexer and parser (clerk-query(7)).
 * Turns text into the tree of query_int.h against the schema, resolving
 * every literal for the type it meets (money, dates, enum labels), and
 * names the line and column of the first mistake.  Owns the columns of
 * the result.  Must not read the store: what needs data (a reference
 * given by its name, a bare search word) is left for the run.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "query/query_int.h"

enum tkind {
	T_END, T_WORD, T_NUM, T_STR, T_LP, T_RP, T_COMMA, T_DOT, T_MINUS,
	T_PLUS, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_TILDE, T_PREFIX,
	T_PARAM		/* $name: a bound value, s its plain text */
};

struct tok {
	enum tkind	 kind;
	const char	*p;		/* in the text */
	size_t		 len;
	char		*s;		/* WORD, NUM, STR: the text (unquoted) */
	int		 line, col;
	const struct query_param *param;	/* T_PARAM */
	int		 phone;		/* a STR that was a bare phone */
};

struct parser {
	const struct schema *schema;
	struct query	*q;
	const char	*text;
	const char	*p;		/* lexer position */
	int		 col0;		/* added to columns of line 1 */
	struct tok	*toks;
	size_t		 ntoks, atoks, at;
	/* Where columns were counted to (col_of()): a position, its line
	 * and its column less one. */
	const char	*cpos;
	int		 cline, ccol;
	int		 in_having;
	int		 keys_only;	/* with only: group keys, not a
					 * condition */
	struct buf	*err;
	const struct query_param *params;	/* bound values for $name */
	size_t		 nparams;
};

static const char *const keywords[] = {
	"where", "and", "or", "not", "sort", "limit", "offset", "cols",
	"group", "having", "in", "is", "empty"
};

static const struct {
	const char	*name;
	enum qfunc	 func;
} funcs[] = {
	{ "year", QF_YEAR }, { "month", QF_MONTH }, { "week", QF_WEEK },
	{ "day", QF_DAY }, { "lower", QF_LOWER }, { "len", QF_LEN }
};

static const struct {
	const char	*name;
	enum qagg	 agg;
} aggs[] = {
	{ "count", QA_COUNT }, { "sum", QA_SUM }, { "avg", QA_AVG },
	{ "min", QA_MIN }, { "max", QA_MAX }
};

const char *
query_type_word(enum field_type t)
{
	switch (t) {
	case FT_TEXT:
		return (_("text"));
	case FT_INT:
		return (_("a number"));
	case FT_MONEY:
		return (_("money"));
	case FT_QTY:
		return (_("a quantity"));
	case FT_DATE:
		return (_("a date"));
	case FT_DATETIME:
		return (_("a date and time"));
	case FT_BOOL:
		return (_("yes or no"));
	case FT_ENUM:
		return (_("a choice"));
	case FT_REF:
		return (_("a reference"));
	case FT_PHONE:
		return (_("a phone"));
	case FT_EMAIL:
		return (_("an e-mail"));
	}
	return ("?");
}

/* Edit distance, for "did you mean" (on bytes: names are ASCII). */
static size_t
distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, *row, prev, t, d;

	if (la > 64 || lb > 64)
		return (SIZE_MAX);
	row = xcalloc(lb + 1, sizeof *row);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			t = row[j];
			d = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < d)
				d = row[j] + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			prev = t;
		}
	}
	d = row[lb];
	free(row);
	return (d);
}

/* Append " (did you mean 'x'?)" for the closest name, if close. */
static void
suggest(struct buf *err, const char *s, const char *const *names, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bd = SIZE_MAX, lim;

	lim = strlen(s) <= 3 ? 1 : 2;
	for (i = 0; i < n; i++) {
		if ((d = distance(s, names[i])) < bd) {
			bd = d;
			best = names[i];
		}
	}
	if (best != NULL && bd <= lim)
		buf_printf(err, _(" (did you mean '%s'?)"), best);
}

static int PRINTFLIKE(3, 4)
perr(struct parser *ps, const struct tok *t, const char *fmt, ...)
{
	struct buf	msg = BUF_INIT;
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	buf_error(ps->err, "query:%d:%d: %s", t->line,
	    t->col + (t->line == 1 ? ps->col0 : 0), msg.data);
	buf_release(&msg);
	return (-1);
}

/*
 * Lexing.  Columns count characters from 1.  The lexer only goes
 * forward, so they are counted on from the token before: counting from
 * the start for every token made a query of a hundred tokens count ten
 * thousand characters.
 */
static int
col_of(struct parser *ps, const char *p, int *line)
{
	const char	*q, *from;

	if (ps->cpos == NULL || p < ps->cpos) {
		ps->cpos = ps->text;
		ps->cline = 1;
		ps->ccol = 0;
	}
	for (from = q = ps->cpos; q < p; q++)
		if (*q == '\n') {
			ps->cline++;
			ps->ccol = 0;
			from = q + 1;
		}
	ps->ccol += (int)utf8_length(from, (size_t)(p - from));
	ps->cpos = p;
	*line = ps->cline;
	return (ps->ccol + 1);
}

/* A token to the end of the list, which grows by doubling. */
static void
tok_push(struct parser *ps, const struct tok *t)
{
	if (ps->ntoks == ps->atoks) {
		ps->atoks = ps->atoks ? ps->atoks * 2 : 16;
		ps->toks = xreallocarray(ps->toks, ps->atoks, sizeof *t);
	}
	ps->toks[ps->ntoks++] = *t;
}

/* Insert a token at i, moving the later ones along. */
static void
tok_insert(struct parser *ps, size_t i, const struct tok *t)
{
	tok_push(ps, t);
	memmove(&ps->toks[i + 1], &ps->toks[i],
	    (ps->ntoks - 1 - i) * sizeof *t);
	ps->toks[i] = *t;
}

static int
is_word_byte(unsigned char c)
{
	return (isalnum(c) || c == '_' || c >= 0x80);
}

static int
digits_at(const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return (0);
	return (1);
}

/* A blank between groups of digits: a space, a no-break or thin space
 * (as money_format writes them), or an apostrophe; its length. */
static size_t
group_space(const char *p)
{
	if (*p == ' ' || *p == '\'')
		return (*p == '\'' && p[1] == '\'' ? 0 : 1);
	if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
		return (2);
	if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0x89 || (unsigned char)p[2] == 0xAF))
		return (3);
	return (0);
}

/*
 * A number: digits, groups of three after a blank ("1 234"), marks and
 * more digits ("1 234,56", "31.01.2026"), or an ISO date ("2026-01-31").
 * What it means is decided by the type it meets.
 */
static size_t
lex_number(const char *p)
{
	size_t	n = 0;

	while (isdigit((unsigned char)p[n]))
		n++;
	if (n == 4 && p[4] == '-' && digits_at(p + 5, 2) && p[7] == '-' &&
	    digits_at(p + 8, 2) && !isdigit((unsigned char)p[10]))
		return (10);
	for (;;) {
		size_t	sp = group_space(p + n);

		if (sp != 0 && digits_at(p + n + sp, 3) &&
		    !isdigit((unsigned char)p[n + sp + 3]))
			n += sp + 3;
		else if ((p[n] == ',' || p[n] == '.') &&
		    isdigit((unsigned char)p[n + 1])) {
			n++;
			while (isdigit((unsigned char)p[n]))
				n++;
		} else
			break;
	}
	return (n);
}

/*
 * A phone number as people write it, "+7 916 171-97-07",
 * "8 (916) 171-97-07", "8-916-171-97-07": its length, else 0.  Read as
 * one value, as if quoted (the search and phone fields take it whole),
 * where the brackets would open a group and the dashes subtract.  Ten
 * to fifteen digits, with a leading '+', a dash between two digits or a
 * code of three to five digits in brackets among them, blanks only
 * before a digit or the bracket: so a date (eight digits), money
 * ("1 000 000": no dash), "in (1, 2)" and "today - 7" stay as they are.
 */
static size_t
lex_phone(const char *p)
{
	size_t	 i = 0, end = 0, k;
	int	 digits = 0, marks = 0;

	if (p[0] == '+') {
		marks++;
		i++;
	}
	for (;;) {
		if (isdigit((unsigned char)p[i])) {
			digits++;
			end = ++i;
		} else if (p[i] == '-' && i > 0 &&
		    isdigit((unsigned char)p[i - 1]) &&
		    isdigit((unsigned char)p[i + 1])) {
			marks++;
			i++;
		} else if (p[i] == '(') {
			for (k = 1; isdigit((unsigned char)p[i + k]); k++)
				;
			if (k < 4 || k > 6 || p[i + k] != ')' ||
			    (p[i + k + 1] != ' ' &&
			    !isdigit((unsigned char)p[i + k + 1])))
				break;
			digits += (int)k - 1;
			marks++;
			end = i += k + 1;
		} else if (p[i] == ' ' && end == i && end > 0 &&
		    (isdigit((unsigned char)p[i + 1]) || p[i + 1] == '('))
			i++;
		else
			break;
	}
	if (digits < 10 || digits > 15 || marks == 0)
		return (0);
	return (end);
}

/* A bound value as plain text (ISO dates, 1234.56, yes/no): what the
 * value's type reads back to the same value. */
static void
param_plain(const struct query_param *pm, struct buf *out)
{
	const struct value *v = &pm->v;

	if (!v->set)
		return;
	switch (pm->type) {
	case FT_DATE:
		date_format_iso(out, (int32_t)v->i);
		break;
	case FT_MONEY:
		money_format(out, v->i, MONEY_PLAIN);
		break;
	case FT_QTY:
		qty_format(out, v->i, MONEY_PLAIN);
		break;
	case FT_BOOL:
		buf_adds(out, v->i ? "yes" : "no");
		break;
	default:
		if (FT_IS_INT(pm->type))
			buf_printf(out, "%lld", (long long)v->i);
		else
			buf_add(out, v->s, v->len);
		break;
	}
}

static int
lex(struct parser *ps)
{
	const char	*p = ps->text;
	struct tok	 t;
	struct buf	 s = BUF_INIT;
	size_t		 n;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		memset(&t, 0, sizeof t);
		t.p = p;
		t.col = col_of(ps, p, &t.line);
		if (*p == '\0')
			t.kind = T_END;
		else if (*p == '"' || *p == '\'') {
			char	 qc = *p++;

			buf_reset(&s);
			while (*p != qc || p[1] == qc) {
				if (*p == '\0') {
					buf_release(&s);
					tok_push(ps, &t);
					return (perr(ps, &t, _("the quote "
					    "opened here is not closed")));
				}
				if (*p == qc)
					p++;
				buf_addch(&s, *p++);
			}
			p++;
			t.kind = T_STR;
			t.s = xstrdup(s.data);
		} else if (*p == '$') {
			/* A bound value: never read as query text, so
			 * whatever it holds is one value. */
			const struct query_param *pm = NULL;
			size_t	 k;

			n = 1;
			while (is_word_byte((unsigned char)p[n]))
				n++;
			for (k = 0; k < ps->nparams; k++)
				if (strlen(ps->params[k].name) == n - 1 &&
				    strncmp(ps->params[k].name, p + 1,
				    n - 1) == 0)
					pm = &ps->params[k];
			if (pm == NULL) {
				buf_release(&s);
				tok_push(ps, &t);
				if (n == 1)
					return (perr(ps, &t, _("'$' must start "
					    "a parameter's name")));
				return (perr(ps, &t, _("unknown parameter "
				    "'%.*s'"), (int)(n - 1), p + 1));
			}
			t.kind = T_PARAM;
			t.param = pm;
			buf_reset(&s);
			param_plain(pm, &s);
			t.s = xstrdup(s.data);
			p += n;
		} else if ((*p == '+' || *p == '(' ||
		    isdigit((unsigned char)*p)) && (n = lex_phone(p)) > 0) {
			t.kind = T_STR;
			t.s = xstrndup(p, n);
			t.phone = 1;
			p += n;
		} else if (isdigit((unsigned char)*p)) {
			n = lex_number(p);
			t.kind = T_NUM;
			t.s = xstrndup(p, n);
			p += n;
		} else if (is_word_byte((unsigned char)*p)) {
			n = 0;
			while (is_word_byte((unsigned char)p[n]))
				n++;
			t.kind = T_WORD;
			t.s = xstrndup(p, n);
			p += n;
		} else {
			n = 1;
			switch (*p) {
			case '(': t.kind = T_LP; break;
			case ')': t.kind = T_RP; break;
			case ',': t.kind = T_COMMA; break;
			case '.': t.kind = T_DOT; break;
			case '-': t.kind = T_MINUS; break;
			case '+': t.kind = T_PLUS; break;
			case '=': t.kind = T_EQ; break;
			case '~': t.kind = T_TILDE; break;
			case '!':
				if (p[1] != '=')
					goto bad;
				t.kind = T_NE;
				n = 2;
				break;
			case '^':
				if (p[1] != '=')
					goto bad;
				t.kind = T_PREFIX;
				n = 2;
				break;
			case '<':
				t.kind = p[1] == '=' ? T_LE : p[1] == '>' ?
				    T_NE : T_LT;
				n = p[1] == '=' || p[1] == '>' ? 2 : 1;
				break;
			case '>':
				t.kind = p[1] == '=' ? T_GE : T_GT;
				n = p[1] == '=' ? 2 : 1;
				break;
			default:
			bad:
				buf_release(&s);
				tok_push(ps, &t);
				return (perr(ps, &t, _("unexpected character "
				    "'%.*s'"), (int)(utf8_decode(p, strlen(p),
				    &(uint32_t){0}) ? utf8_decode(p, strlen(p),
				    &(uint32_t){0}) : 1), p));
			}
			p += n;
		}
		t.len = (size_t)(p - t.p);
		tok_push(ps, &t);
		if (t.kind == T_END)
			break;
	}
	buf_release(&s);
	return (0);
}

static struct tok *
peek(struct parser *ps, size_t k)
{
	size_t	i = ps->at + k;

	return (&ps->toks[i < ps->ntoks ? i : ps->ntoks - 1]);
}

static struct tok *
next(struct parser *ps)
{
	struct tok	*t = peek(ps, 0);

	if (ps->at < ps->ntoks - 1)
		ps->at++;
	return (t);
}

static int
is_kw(const struct tok *t, const char *kw)
{
	return (t->kind == T_WORD && strcmp(t->s, kw) == 0);
}

static int
is_keyword(const struct tok *t)
{
	size_t	i;

	if (t->kind != T_WORD)
		return (0);
	for (i = 0; i < nitems(keywords); i++)
		if (strcmp(t->s, keywords[i]) == 0)
			return (1);
	return (0);
}

/* What a token is, for "expected X, found Y". */
static void
tok_desc(const struct tok *t, struct buf *out)
{
	if (t->kind == T_END)
		buf_adds(out, _("the end of the query"));
	else
		buf_printf(out, "'%.*s'", (int)(t->len > 40 ? 40 : t->len),
		    t->p);
}

static int
expected(struct parser *ps, const struct tok *t, const char *what)
{
	struct buf	d = BUF_INIT;
	int		r;

	tok_desc(t, &d);
	r = perr(ps, t, _("expected %s, found %s"), what, d.data);
	buf_release(&d);
	return (r);
}

static struct qexpr *
new_expr(struct parser *ps)
{
	struct query	*q = ps->q;
	struct qexpr	*x = xcalloc(1, sizeof *x);

	x->slot = -1;
	if (q->nallx == q->aallx) {
		q->aallx = q->aallx ? q->aallx * 2 : 16;
		q->allx = xreallocarray(q->allx, q->aallx, sizeof *q->allx);
	}
	q->allx[q->nallx++] = x;
	return (x);
}

static struct qnode *
new_node(struct parser *ps, enum qnkind kind, int col)
{
	struct query	*q = ps->q;
	struct qnode	*n = xcalloc(1, sizeof *n);

	n->kind = kind;
	n->slot = -1;
	n->col = col;
	if (q->nalln == q->aalln) {
		q->aalln = q->aalln ? q->aalln * 2 : 16;
		q->alln = xreallocarray(q->alln, q->aalln, sizeof *q->alln);
	}
	q->alln[q->nalln++] = n;
	return (n);
}

static int
unknown_field(struct parser *ps, const struct tok *t, const struct table *tb)
{
	const char	**names;
	size_t		  i;

	names = xcalloc(tb->nfields + 1, sizeof *names);
	for (i = 0; i < tb->nfields; i++)
		names[i] = tb->fields[i].name;
	names[i] = "id";
	perr(ps, t, _("unknown field '%s' in table '%s'"), t->s, tb->name);
	suggest(ps->err, t->s, names, tb->nfields + 1);
	free(names);
	return (-1);
}

static const char *const pseudo_names[] = { "", "id", "created", "updated" };

enum field_type
qx_base_type(const struct qexpr *x)
{
	if (x->pseudo == QP_ID)
		return (FT_REF);	/* the id orders and prints as one */
	if (x->pseudo != QP_NONE)
		return (FT_DATETIME);
	return (x->npath ? x->path[x->npath - 1]->type : FT_INT);
}

/* The name of what x takes its value from, for messages. */
static const char *
base_name(const struct qexpr *x)
{
	if (x->pseudo != QP_NONE)
		return (pseudo_names[x->pseudo]);
	return (x->npath ? x->path[x->npath - 1]->name : "");
}

static void
expr_settype(struct qexpr *x)
{
	x->type = qx_base_type(x);
	x->multi = x->pseudo == QP_NONE && x->npath > 0 &&
	    x->path[x->npath - 1]->multi;
	switch (x->func) {
	case QF_YEAR:
	case QF_MONTH:
	case QF_WEEK:
	case QF_DAY:
	case QF_LEN:
		x->type = FT_INT;
		x->multi = 0;
		break;
	case QF_LOWER:
		x->type = FT_TEXT;
		break;
	case QF_NONE:
		break;
	}
	x->fold = x->type == FT_TEXT || x->type == FT_EMAIL;
}

/* path := WORD ('.' WORD)*, the last maybe id, created or updated. */
static int
parse_path(struct parser *ps, struct qexpr *x)
{
	const struct table *tb = ps->q->table;
	const struct field *f;
	struct tok	*t;
	struct buf	 name = BUF_INIT;

	for (;;) {
		t = next(ps);
		if (t->kind != T_WORD || is_keyword(t)) {
			buf_release(&name);
			return (expected(ps, t, _("a field name")));
		}
		if ((f = table_field(tb, t->s)) == NULL) {
			size_t	k;

			for (k = 1; k < nitems(pseudo_names); k++)
				if (strcmp(t->s, pseudo_names[k]) == 0)
					break;
			if (k < nitems(pseudo_names)) {
				x->pseudo = (enum qpseudo)k;
				if (name.len != 0)
					buf_addch(&name, '.');
				buf_adds(&name, t->s);
				break;
			}
			buf_release(&name);
			return (unknown_field(ps, t, tb));
		}
		if (x->npath == QPATH_MAX) {
			buf_release(&name);
			return (perr(ps, t, _("a path may go through at most "
			    "%d references"), QPATH_MAX - 1));
		}
		x->path[x->npath++] = f;
		if (name.len != 0)
			buf_addch(&name, '.');
		buf_adds(&name, f->name);
		if (peek(ps, 0)->kind != T_DOT)
			break;
		if (f->type != FT_REF) {
			perr(ps, peek(ps, 0), _("'%s' is not a reference, so "
			    "nothing can follow it"), name.data);
			buf_release(&name);
			return (-1);
		}
		if ((tb = schema_table(ps->schema, f->ref_table)) == NULL) {
			buf_release(&name);
			return (perr(ps, t, _("table '%s' of reference '%s' "
			    "is not loaded"), f->ref_table, f->name));
		}
		next(ps);
	}
	free(x->name);
	x->name = buf_detach(&name, NULL);
	expr_settype(x);
	return (0);
}

static int
is_num_type(enum field_type t)
{
	return (t == FT_INT || t == FT_MONEY || t == FT_QTY);
}

static int
is_date_type(enum field_type t)
{
	return (t == FT_DATE || t == FT_DATETIME);
}

/*
 * expr := path | FUNC '(' path ')' | AGG '(' [path] ')' (aggregates only
 * where allowed: group lists, having, the sort of a group query).
 */
static int
parse_expr(struct parser *ps, struct qexpr **xp, int allow_agg)
{
	struct qexpr	*x = new_expr(ps);
	struct tok	*t = peek(ps, 0), *ft;
	struct buf	 name = BUF_INIT;
	size_t		 i;

	*xp = x;
	x->col = t->col;
	if (t->kind != T_WORD || peek(ps, 1)->kind != T_LP ||
	    table_field(ps->q->table, t->s) != NULL)
		return (parse_path(ps, x));
	ft = next(ps);
	next(ps);
	for (i = 0; i < nitems(funcs); i++)
		if (strcmp(ft->s, funcs[i].name) == 0)
			x->func = funcs[i].func;
	for (i = 0; i < nitems(aggs); i++)
		if (strcmp(ft->s, aggs[i].name) == 0)
			x->agg = aggs[i].agg;
	if (x->func == QF_NONE && x->agg == QA_NONE) {
		const char *names[nitems(funcs) + nitems(aggs)];

		for (i = 0; i < nitems(funcs); i++)
			names[i] = funcs[i].name;
		for (i = 0; i < nitems(aggs); i++)
			names[nitems(funcs) + i] = aggs[i].name;
		perr(ps, ft, _("unknown function '%s'"), ft->s);
		suggest(ps->err, ft->s, names, nitems(names));
		return (-1);
	}
	if (x->agg != QA_NONE && !allow_agg)
		return (perr(ps, ft, _("aggregate '%s' belongs in a 'group' "
		    "list, 'having' or the sort of a group query"), ft->s));
	if (x->agg == QA_COUNT && peek(ps, 0)->kind == T_RP) {
		next(ps);
		x->name = xstrdup("count()");
		x->type = FT_INT;
		return (0);
	}
	if (parse_path(ps, x) != 0)
		return (-1);
	if (next(ps)->kind != T_RP)
		return (expected(ps, &ps->toks[ps->at - 1], _("')'")));
	buf_printf(&name, "%s(%s)", ft->s, x->name);
	free(x->name);
	x->name = buf_detach(&name, NULL);
	/* The argument's type decides what the function may do. */
	switch (x->func) {
	case QF_YEAR:
	case QF_MONTH:
	case QF_WEEK:
	case QF_DAY:
		if (!is_date_type(qx_base_type(x)))
			return (perr(ps, ft, _("function '%s' needs a date, "
			    "and '%s' is %s"), ft->s, base_name(x),
			    query_type_word(qx_base_type(x))));
		break;
	case QF_LOWER:
	case QF_LEN:
		if (FT_IS_INT(qx_base_type(x)))
			return (perr(ps, ft, _("function '%s' needs text, "
			    "and '%s' is %s"), ft->s, base_name(x),
			    query_type_word(qx_base_type(x))));
		break;
	case QF_NONE:
		break;
	}
	expr_settype(x);
	if ((x->agg == QA_SUM || x->agg == QA_AVG) && !is_num_type(x->type))
		return (perr(ps, ft, _("'%s' needs a number, money or a "
		    "quantity, and '%s' is %s"), ft->s, base_name(x),
		    query_type_word(x->type)));
	if (x->agg == QA_COUNT)
		x->type = FT_INT;
	return (0);
}

/* Values.  The text of a value token as written. */
static int
ascii_ieq(const char *a, const char *b)
{
	return (strcasecmp(a, b) == 0);
}

/*
 * A date: the words and arithmetic are date_parse's (util), read here
 * token by token so an error points at its column; a quoted date or
 * date words go to date_parse whole, so 'month start' means what
 * month start does.
 */
static int
parse_days(struct parser *ps, int32_t *d)
{
	struct tok	*t = peek(ps, 0), *u;
	enum date_unit	 unit;
	int32_t		 base;
	long		 n;
	int		 sign;
	char		*end;

	if (t->kind == T_PARAM && t->param->type == FT_DATE) {
		next(ps);
		base = (int32_t)t->param->v.i;
	} else if (t->kind == T_NUM || t->kind == T_STR || t->kind == T_PARAM) {
		struct buf	why = BUF_INIT;

		next(ps);
		if (date_parse(t->s, &base, &why) != 0) {
			perr(ps, t, "%s", why.data);
			buf_release(&why);
			return (-1);
		}
		buf_release(&why);
	} else if (is_kw(t, "today") || is_kw(t, "сегодня")) {
		next(ps);
		base = clock_today();
	} else if (is_kw(t, "yesterday") || is_kw(t, "вчера")) {
		next(ps);
		base = clock_today() - 1;
	} else if (is_kw(t, "tomorrow") || is_kw(t, "завтра")) {
		next(ps);
		base = clock_today() + 1;
	} else if (t->kind == T_WORD &&
	    date_unit_word(t->s, strlen(t->s), &unit) && unit != DATE_DAY &&
	    (is_kw(peek(ps, 1), "start") || is_kw(peek(ps, 1), "end"))) {
		next(ps);
		base = date_period(clock_today(), unit,
		    is_kw(next(ps), "end"));
	} else
		return (expected(ps, t, _("a date (2026-01-31, today, "
		    "month start)")));
	/* today - 7, month start + 1 month */
	while (peek(ps, 0)->kind == T_MINUS || peek(ps, 0)->kind == T_PLUS) {
		sign = next(ps)->kind == T_MINUS ? -1 : 1;
		t = next(ps);
		errno = 0;
		if (t->kind != T_NUM || (n = strtol(t->s, &end, 10),
		    *end != '\0') || errno != 0 || n > 100000)
			return (expected(ps, t, _("a number of days")));
		u = peek(ps, 0);
		unit = DATE_DAY;
		if (u->kind == T_WORD &&
		    date_unit_word(u->s, strlen(u->s), &unit))
			next(ps);
		if ((base = date_shift(base, sign * n, unit)) == DATE_NONE)
			return (perr(ps, t, _("the date leaves the years 1 to "
			    "9999")));
	}
	*d = base;
	return (0);
}

/*
 * In an in-list, "1,3" is lexed as one number, since for money "1,5" is
 * one and a half.  For any other type the comma separates values, as
 * it does between words (city in (москва,тверь)): the token before the
 * parser (after a minus) is split into numbers and commas, each keeping
 * its own column for messages.
 */
static void
split_commas(struct parser *ps)
{
	struct tok	*t, piece;
	const char	*c;
	size_t		 at = ps->at, k, len;

	if (peek(ps, 0)->kind == T_MINUS)
		at++;
	if (at >= ps->ntoks || ps->toks[at].kind != T_NUM ||
	    (c = strchr(ps->toks[at].s, ',')) == NULL)
		return;
	t = &ps->toks[at];
	k = (size_t)(c - t->s);
	/* The rest after the comma, then the comma, then the first part in
	 * place; the rest is split again when its turn comes. */
	memset(&piece, 0, sizeof piece);
	piece.kind = T_NUM;
	piece.line = t->line;
	/* A group's no-break space is one column and two bytes. */
	piece.col = t->col + (int)utf8_length(t->s, k) + 1;
	piece.p = t->p + k + 1;
	len = strlen(t->s) - k - 1;
	piece.len = t->len - k - 1;
	piece.s = xstrndup(c + 1, len);
	tok_insert(ps, at + 1, &piece);
	t = &ps->toks[at];
	piece.kind = T_COMMA;
	piece.col = t->col + (int)utf8_length(t->s, k);
	piece.p = t->p + k;
	piece.len = 1;
	piece.s = NULL;
	tok_insert(ps, at + 1, &piece);
	t = &ps->toks[at];
	t->s[k] = '\0';
	t->len = k;
}

/* A token's text joined with a leading minus: "-5,5". */
static int
value_text(struct parser *ps, struct buf *out, struct tok **tp)
{
	struct tok	*t = peek(ps, 0);

	*tp = t;
	buf_reset(out);
	if (t->kind == T_MINUS && peek(ps, 1)->kind == T_NUM) {
		next(ps);
		buf_addch(out, '-');
		t = peek(ps, 0);
	}
	if (t->kind != T_NUM && t->kind != T_STR && t->kind != T_PARAM &&
	    (t->kind != T_WORD || is_keyword(t)))
		return (expected(ps, t, _("a value")));
	next(ps);
	buf_adds(out, t->s);
	return (0);
}

/* When day d starts: at local midnight. */
static int64_t
day_start(int32_t d)
{
	struct tm	tm;
	int		y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = dd;
	tm.tm_isdst = -1;
	return ((int64_t)mktime(&tm));
}

/*
 * A comparison of a date and time with a date means the whole day, as
 * people mean it: created = today is any time today, created <= today
 * until today ends, created > today from tomorrow on.  Each such value
 * becomes a range of the day (a node of the same expression), which the
 * planner reads as it reads any range.
 */
static struct qnode *
day_cmp(struct parser *ps, struct qnode *n, const struct qval *v,
    enum qcmp op)
{
	struct qnode	*c = new_node(ps, QN_CMP, n->col);

	c->x = n->x;
	c->op = op;
	c->vals = xcalloc(1, sizeof *c->vals);
	c->vals[0].i = v->i;
	c->nvals = 1;
	return (c);
}

static struct qnode *
day_range(struct parser *ps, struct qnode *n, const struct qval *v)
{
	struct qnode	*a, *lo, *hi;
	struct qval	 e;

	lo = day_cmp(ps, n, v, QO_GE);
	memset(&e, 0, sizeof e);
	e.i = v->end;
	hi = day_cmp(ps, n, &e, QO_LT);
	a = new_node(ps, QN_AND, n->col);
	a->a = lo;
	a->b = hi;
	return (a);
}

static struct qnode *
whole_days(struct parser *ps, struct qnode *n)
{
	struct qnode	*r = NULL, *one, *o;
	struct qval	*v = &n->vals[0];
	size_t		 i;

	switch (n->op) {
	case QO_LE:
		/* Until the day ends. */
		n->op = QO_LT;
		v->i = v->end;
		return (n);
	case QO_GT:
		/* From the next day on. */
		n->op = QO_GE;
		v->i = v->end;
		return (n);
	case QO_EQ:
		return (day_range(ps, n, v));
	case QO_NE:
		o = new_node(ps, QN_NOT, n->col);
		o->a = day_range(ps, n, v);
		return (o);
	case QO_IN:
		for (i = 0; i < n->nvals; i++) {
			v = &n->vals[i];
			one = v->whole_day ? day_range(ps, n, v) :
			    day_cmp(ps, n, v, QO_EQ);
			if (r == NULL)
				r = one;
			else {
				o = new_node(ps, QN_OR, n->col);
				o->a = r;
				o->b = one;
				r = o;
			}
		}
		return (r);
	default:
		/* < and >= the day's start already. */
		return (n);
	}
}

static void
fold(struct buf *out, const char *s, size_t len)
{
	buf_reset(out);
	utf8_foldkey(out, s, len);
}

/*
 * One value for expression x under operator op.  Texts are kept folded
 * when x folds; ~ and ^= take text as it is for any text-like type.
 */
static int
parse_value(struct parser *ps, struct qnode *n, struct qexpr *x,
    struct qval *v)
{
	const struct field *f = x->npath && x->pseudo == QP_NONE ?
			    x->path[x->npath - 1] : NULL;
	struct buf	 s = BUF_INIT, why = BUF_INIT, tmp = BUF_INIT;
	struct tok	*t;
	const struct enum_value *ev;
	int32_t		 d = 0;
	int64_t		 i;
	char		*end;
	size_t		 k;
	int		 r = -1;

	memset(v, 0, sizeof *v);
	if (x->agg != QA_COUNT && x->func == QF_NONE && is_date_type(x->type)) {
		t = peek(ps, 0);
		if (x->type == FT_DATETIME && t->kind == T_STR &&
		    strchr(t->s, ':') != NULL) {
			next(ps);
			if (datetime_parse(t->s, &v->i, &why) != 0) {
				perr(ps, t, "%s", why.data);
				goto out;
			}
			r = 0;
			goto out;
		}
		if (parse_days(ps, &d) != 0)
			goto out;
		v->i = d;
		if (x->type == FT_DATETIME) {
			v->i = day_start(d);
			v->end = day_start(d + 1);
			v->whole_day = 1;
		}
		r = 0;
		goto out;
	}
	if (value_text(ps, &s, &t) != 0)
		goto out;
	/* A number of the type compared with: its value as it is. */
	if (t->kind == T_PARAM && FT_IS_INT(x->type) &&
	    FT_IS_INT(t->param->type) && (t->param->type == x->type ||
	    (x->type == FT_INT && x->agg == QA_COUNT)) &&
	    n->op != QO_CONTAINS && n->op != QO_PREFIX) {
		v->i = t->param->v.i;
		r = 0;
		goto out;
	}
	if (n->op == QO_CONTAINS || n->op == QO_PREFIX) {
		if (x->fold || x->type == FT_ENUM)
			fold(&tmp, s.data, s.len);
		else if (f != NULL && f->type == FT_PHONE &&
		    x->func == QF_NONE && x->agg == QA_NONE &&
		    phone_part(s.data, n->op == QO_PREFIX, &tmp) == 0)
			/* Part of a number as written ("8 (495)",
			 * "248-71") finds it as stored (+74952487182). */
			;
		else
			buf_add(&tmp, s.data, s.len);
		v->len = tmp.len;
		v->s = buf_detach(&tmp, NULL);
		r = 0;
		goto out;
	}
	if (x->agg != QA_COUNT && x->func == QF_NONE && f != NULL)
		switch (f->type) {
		case FT_MONEY:
			if (money_parse(s.data, &v->i, &why) != 0)
				goto bad;
			r = 0;
			goto out;
		case FT_QTY:
			if (qty_parse(s.data, &v->i, &why) != 0)
				goto bad;
			r = 0;
			goto out;
		case FT_BOOL:
			if (strcmp(s.data, "1") == 0 || ascii_ieq(s.data, "yes")
			    || ascii_ieq(s.data, "true") ||
			    strcmp(s.data, "да") == 0)
				v->i = 1;
			else if (strcmp(s.data, "0") == 0 ||
			    ascii_ieq(s.data, "no") || ascii_ieq(s.data,
			    "false") || strcmp(s.data, "нет") == 0)
				v->i = 0;
			else {
				perr(ps, t, _("'%s' is neither yes nor no"),
				    s.data);
				goto out;
			}
			r = 0;
			goto out;
		case FT_ENUM:
			if ((ev = field_enum(f, s.data)) == NULL) {
				/* By label, in either language, or by
				 * another word of the form's ('ИП'). */
				fold(&tmp, s.data, s.len);
				for (k = 0; k < f->nvalues && ev == NULL; k++) {
					const struct enum_value *kv =
					    &f->values[k];
					struct buf l = BUF_INIT;
					const char *w;
					size_t j;

					for (j = 0; j < 2 + kv->nalso &&
					    ev == NULL; j++) {
						w = j < 2 ? kv->label[j] :
						    kv->also[j - 2];
						if (w == NULL)
							continue;
						fold(&l, w, strlen(w));
						if (strcmp(l.data, tmp.data) == 0)
							ev = kv;
					}
					buf_release(&l);
				}
			}
			if (ev == NULL) {
				buf_reset(&tmp);
				for (k = 0; k < f->nvalues; k++)
					buf_printf(&tmp, "%s%s", k ? ", " : "",
					    f->values[k].name);
				perr(ps, t, _("'%s' is not a value of '%s' (one "
				    "of: %s)"), s.data, f->name, tmp.data);
				goto out;
			}
			v->s = xstrdup(ev->name);
			v->len = strlen(v->s);
			r = 0;
			goto out;
		case FT_REF:
			end = s.data;
			if (*end == '#')
				end++;
			errno = 0;
			if (t->kind == T_NUM && (i = strtoll(end, &end, 10),
			    *end == '\0') && errno == 0 && i > 0) {
				v->i = i;
				r = 0;
				goto out;
			}
			/* By its name: the records the search finds. */
			if (n->nvals > 0 || n->op != QO_EQ) {
				perr(ps, t, _("'%s' is not a record number; a "
				    "reference by name takes '=' alone"),
				    s.data);
				goto out;
			}
			n->text = buf_detach(&s, NULL);
			n->slot = (int)ps->q->nslots++;
			r = 0;
			goto out;
		case FT_TEXT:
			/* A requisite as it is kept: "7707 083 893" finds
			 * what was saved from it. */
			if (f->validator == VAL_NONE)
				break;
			record_requisite_compact(s.data, &tmp);
			buf_reset(&s);
			buf_add(&s, tmp.data, tmp.len);
			buf_reset(&tmp);
			break;
		case FT_PHONE:
			if (phone_normalize(s.data, &tmp, &why) == 0) {
				v->len = tmp.len;
				v->s = buf_detach(&tmp, NULL);
			} else {
				v->len = s.len;
				v->s = xstrdup(s.data);
			}
			r = 0;
			goto out;
		default:
			break;
		}
	if (FT_IS_INT(x->type)) {
		errno = 0;
		if (t->kind == T_NUM || s.data[0] == '-') {
			i = strtoll(s.data, &end, 10);
			if (*end == '\0' && errno == 0) {
				v->i = i;
				r = 0;
				goto out;
			}
		}
		if (x->agg != QA_NONE && (x->type == FT_MONEY ||
		    x->type == FT_QTY)) {
			if ((x->type == FT_MONEY ? money_parse(s.data, &v->i,
			    &why) : qty_parse(s.data, &v->i, &why)) != 0)
				goto bad;
			r = 0;
			goto out;
		}
		perr(ps, t, _("'%s' is not a whole number, which '%s' "
		    "needs"), s.data, x->name);
		goto out;
	}
	if (x->fold)
		fold(&tmp, s.data, s.len);
	else
		buf_add(&tmp, s.data, s.len);
	v->len = tmp.len;
	v->s = buf_detach(&tmp, NULL);
	r = 0;
	goto out;
bad:
	perr(ps, t, "%s", why.data);
out:
	buf_release(&s);
	buf_release(&why);
	buf_release(&tmp);
	return (r);
}

static int
cmp_op(const struct tok *t, enum qcmp *op)
{
	switch (t->kind) {
	case T_EQ: *op = QO_EQ; return (1);
	case T_NE: *op = QO_NE; return (1);
	case T_LT: *op = QO_LT; return (1);
	case T_LE: *op = QO_LE; return (1);
	case T_GT: *op = QO_GT; return (1);
	case T_GE: *op = QO_GE; return (1);
	case T_TILDE: *op = QO_CONTAINS; return (1);
	case T_PREFIX: *op = QO_PREFIX; return (1);
	default:
		if (is_kw(t, "in")) {
			*op = QO_IN;
			return (1);
		}
		return (0);
	}
}

/* Does the term at the parser start a comparison (field op ...)? */
static int
starts_cmp(struct parser *ps)
{
	struct tok	*t = peek(ps, 0), *u = peek(ps, 1);
	enum qcmp	 op;

	if (t->kind != T_WORD || is_keyword(t))
		return (0);
	return (u->kind == T_DOT || u->kind == T_LP || cmp_op(u, &op) ||
	    is_kw(u, "is") || (is_kw(u, "not") && is_kw(peek(ps, 2), "in")));
}

static int parse_or(struct parser *, struct qnode **);

static int
parse_cmp(struct parser *ps, struct qnode **np)
{
	struct qexpr	*x;
	struct qnode	*n, *neg = NULL;
	struct tok	*t, *opt;
	int		 col = peek(ps, 0)->col;

	if (parse_expr(ps, &x, ps->in_having) != 0)
		return (-1);
	if (ps->in_having && x->agg == QA_NONE) {
		size_t	i;

		for (i = 0; i < ps->q->ngroups; i++)
			if (strcmp(ps->q->groups[i]->name, x->name) == 0)
				break;
		if (i == ps->q->ngroups)
			return (perr(ps, &ps->toks[ps->at - 1], _("'having' "
			    "may test the group keys and aggregates only; "
			    "'%s' is neither"), x->name));
	}
	opt = peek(ps, 0);
	if (is_kw(opt, "is")) {
		next(ps);
		n = new_node(ps, QN_EMPTY, col);
		n->x = x;
		if (is_kw(peek(ps, 0), "not")) {
			next(ps);
			neg = new_node(ps, QN_NOT, col);
			neg->a = n;
		}
		if (!is_kw(t = next(ps), "empty"))
			return (expected(ps, t, _("'empty'")));
		*np = neg != NULL ? neg : n;
		return (0);
	}
	if (is_kw(opt, "not") && is_kw(peek(ps, 1), "in")) {
		next(ps);
		neg = new_node(ps, QN_NOT, col);
		opt = peek(ps, 0);
	}
	n = new_node(ps, QN_CMP, col);
	n->x = x;
	if (!cmp_op(opt, &n->op))
		return (expected(ps, opt, _("an operator (= != < <= > >= ~ "
		    "^= in is)")));
	next(ps);
	if ((n->op == QO_CONTAINS || n->op == QO_PREFIX) &&
	    (FT_IS_INT(x->type) || x->agg != QA_NONE))
		return (perr(ps, opt, _("'%.*s' needs text, and '%s' is %s"),
		    (int)opt->len, opt->p, x->name, query_type_word(x->type)));
	if (n->op == QO_CONTAINS && x->type == FT_ENUM)
		return (perr(ps, opt, _("'~' needs text, and '%s' is %s; "
		    "use '=' or 'in'"), x->name, query_type_word(x->type)));
	if (n->op == QO_IN) {
		if ((t = next(ps))->kind != T_LP)
			return (expected(ps, t, _("'(' after 'in'")));
		for (;;) {
			n->vals = xreallocarray(n->vals, n->nvals + 1,
			    sizeof *n->vals);
			if (x->type != FT_MONEY && x->type != FT_QTY)
				split_commas(ps);
			if (parse_value(ps, n, x, &n->vals[n->nvals]) != 0)
				return (-1);
			n->nvals++;
			t = next(ps);
			if (t->kind == T_RP)
				break;
			if (t->kind != T_COMMA)
				return (expected(ps, t, _("',' or ')'")));
		}
	} else {
		n->vals = xcalloc(1, sizeof *n->vals);
		if (parse_value(ps, n, x, &n->vals[0]) != 0)
			return (-1);
		n->nvals = n->text != NULL ? 0 : 1;
	}
	if (x->type == FT_DATETIME && n->nvals > 0) {
		size_t	i;

		for (i = 0; i < n->nvals && !n->vals[i].whole_day; i++)
			;
		if (i < n->nvals)
			n = whole_days(ps, n);
	}
	if (neg != NULL) {
		neg->a = n;
		n = neg;
	}
	*np = n;
	return (0);
}

/* A bare word or quoted text: the search index; neighbours join. */
static int
parse_search(struct parser *ps, struct qnode **np)
{
	struct qnode	*n;
	struct buf	 s = BUF_INIT;
	struct tok	*t = peek(ps, 0);

	if (!ps->q->table->has_search)
		return (perr(ps, t, _("table '%s' has no search index, so "
		    "'%s' must be a condition (field = value)"),
		    ps->q->table->name, t->s));
	if (ps->in_having)
		return (perr(ps, t, _("'having' takes conditions on the "
		    "group keys and aggregates, not search words")));
	n = new_node(ps, QN_SEARCH, t->col);
	while ((t = peek(ps, 0))->kind == T_STR || t->kind == T_NUM ||
	    (t->kind == T_WORD && !is_keyword(t) && !starts_cmp(ps))) {
		/* A phone is a search of its own (the index takes a
		 * phone whole only when it is the whole text), and'ed
		 * with the words beside it. */
		if (t->phone && s.len > 0)
			break;
		buf_printf(&s, "%s%s", s.len ? " " : "", t->s);
		next(ps);
		if (t->phone)
			break;
	}
	n->text = buf_detach(&s, NULL);
	n->slot = (int)ps->q->nslots++;
	*np = n;
	return (0);
}

static int
parse_primary(struct parser *ps, struct qnode **np)
{
	struct tok	*t = peek(ps, 0);
	struct qnode	*n;

	if (t->kind == T_LP) {
		next(ps);
		if (parse_or(ps, np) != 0)
			return (-1);
		if ((t = next(ps))->kind != T_RP)
			return (expected(ps, t, _("')'")));
		return (0);
	}
	if (is_kw(t, "not")) {
		next(ps);
		n = new_node(ps, QN_NOT, t->col);
		*np = n;
		return (parse_primary(ps, &n->a));
	}
	if (starts_cmp(ps))
		return (parse_cmp(ps, np));
	if (t->kind == T_STR || t->kind == T_NUM ||
	    (t->kind == T_WORD && !is_keyword(t)))
		return (parse_search(ps, np));
	return (expected(ps, t, _("a condition")));
}

static int
starts_primary(struct parser *ps)
{
	struct tok	*t = peek(ps, 0);

	return (t->kind == T_LP || t->kind == T_STR || t->kind == T_NUM ||
	    is_kw(t, "not") || (t->kind == T_WORD && !is_keyword(t)));
}

static struct qnode *
join(struct parser *ps, enum qnkind k, struct qnode *a, struct qnode *b)
{
	struct qnode	*n = new_node(ps, k, a->col);

	n->a = a;
	n->b = b;
	return (n);
}

/* and_expr := primary ([and] primary)*: neighbours mean "and" too. */
static int
parse_and(struct parser *ps, struct qnode **np)
{
	struct qnode	*b;

	if (parse_primary(ps, np) != 0)
		return (-1);
	for (;;) {
		if (is_kw(peek(ps, 0), "and")) {
			next(ps);
		} else if (!starts_primary(ps))
			return (0);
		if (parse_primary(ps, &b) != 0)
			return (-1);
		*np = join(ps, QN_AND, *np, b);
	}
}

static int
parse_or(struct parser *ps, struct qnode **np)
{
	struct qnode	*b;

	if (parse_and(ps, np) != 0)
		return (-1);
	while (is_kw(peek(ps, 0), "or")) {
		next(ps);
		if (parse_and(ps, &b) != 0)
			return (-1);
		*np = join(ps, QN_OR, *np, b);
	}
	return (0);
}

static int
parse_count(struct parser *ps, uint64_t *v)
{
	struct tok		*t = next(ps);
	char			*end;
	unsigned long long	 n;

	errno = 0;
	if (t->kind == T_PARAM && t->param->type == FT_INT &&
	    t->param->v.i >= 0) {
		*v = (uint64_t)t->param->v.i;
		return (0);
	}
	if (t->kind != T_NUM || (n = strtoull(t->s, &end, 10), *end != '\0')
	    || errno != 0)
		return (expected(ps, t, _("a whole number")));
	*v = n;
	return (0);
}

static int
parse_group(struct parser *ps)
{
	struct query	*q = ps->q;
	struct qexpr	*x;
	struct tok	*t;

	for (;;) {
		t = peek(ps, 0);
		if (t->kind != T_WORD || is_keyword(t))
			break;
		if (parse_expr(ps, &x, 1) != 0)
			return (-1);
		if (x->agg != QA_NONE) {
			x->slot = (int)q->naggs;
			q->aggs = xreallocarray(q->aggs, q->naggs + 1,
			    sizeof *q->aggs);
			q->aggs[q->naggs++] = x;
		} else {
			if (q->naggs > 0)
				return (perr(ps, t, _("group key '%s' must "
				    "come before the aggregates"), x->name));
			x->slot = (int)q->ngroups;
			q->groups = xreallocarray(q->groups, q->ngroups + 1,
			    sizeof *q->groups);
			q->groups[q->ngroups++] = x;
		}
		if (peek(ps, 0)->kind == T_COMMA)
			next(ps);
	}
	if (q->ngroups == 0 && q->naggs == 0)
		return (expected(ps, t, _("a group key or an aggregate")));
	return (0);
}

/* Find x among the group keys or aggregates (sort, having). */
static int
bind_group(struct parser *ps, struct qexpr *x, const struct tok *t)
{
	struct query	*q = ps->q;
	size_t		 i;

	for (i = 0; i < q->ngroups; i++)
		if (strcmp(q->groups[i]->name, x->name) == 0) {
			x->slot = (int)i;
			return (0);
		}
	for (i = 0; i < q->naggs; i++)
		if (strcmp(q->aggs[i]->name, x->name) == 0) {
			x->slot = (int)(q->ngroups + i);
			return (0);
		}
	return (perr(ps, t, _("'%s' is not among the group keys and "
	    "aggregates, so a group query cannot use it here"), x->name));
}

static void
bind_having(struct parser *ps, struct qnode *n, int *bad,
    const struct tok **badt)
{
	if (n == NULL || *bad)
		return;
	if (n->kind == QN_CMP || n->kind == QN_EMPTY) {
		struct tok	t;

		memset(&t, 0, sizeof t);
		t.line = 1;
		t.col = n->x->col;
		if (bind_group(ps, n->x, &t) != 0)
			*bad = 1;
		return;
	}
	bind_having(ps, n->a, bad, badt);
	bind_having(ps, n->b, bad, badt);
}

static int
parse_sort(struct parser *ps)
{
	struct query	*q = ps->q;
	struct qsortkey	*k;
	struct tok	*t;
	int		 desc;

	for (;;) {
		desc = 0;
		if (peek(ps, 0)->kind == T_MINUS) {
			next(ps);
			desc = 1;
		} else if (peek(ps, 0)->kind == T_PLUS)
			next(ps);
		t = peek(ps, 0);
		q->sorts = xreallocarray(q->sorts, q->nsorts + 1,
		    sizeof *q->sorts);
		k = &q->sorts[q->nsorts++];
		k->desc = desc;
		if (parse_expr(ps, &k->x, q->is_group) != 0)
			return (-1);
		if (q->is_group && bind_group(ps, k->x, t) != 0)
			return (-1);
		if (peek(ps, 0)->kind != T_COMMA)
			return (0);
		next(ps);
	}
}

static int
parse_cols(struct parser *ps)
{
	struct query	*q = ps->q;
	struct qexpr	*x;

	for (;;) {
		if (parse_expr(ps, &x, 0) != 0)
			return (-1);
		q->colx = xreallocarray(q->colx, q->ncols + 1,
		    sizeof *q->colx);
		q->colx[q->ncols++] = x;
		if (peek(ps, 0)->kind != T_COMMA)
			return (0);
		next(ps);
	}
}

/* Column labels: "Client: City" through a path, "Sum of Amount". */
static void
col_label(const struct qexpr *x, int lang, struct buf *out)
{
	static const char *const aggw[][2] = {
		{ "", "" }, { "Count", "Количество" }, { "Sum", "Сумма" },
		{ "Average", "Среднее" }, { "Min", "Минимум" },
		{ "Max", "Максимум" }
	};
	static const char *const funw[][2] = {
		{ "", "" }, { "year", "год" }, { "month", "месяц" },
		{ "week", "неделя" }, { "day", "день" }, { "lower", "строчные" },
		{ "length", "длина" }
	};
	size_t	i;

	static const char *const pseudow[][2] = {
		{ "", "" }, { "Id", "№" }, { "Created", "Создана" },
		{ "Updated", "Изменена" }
	};

	if (x->agg != QA_NONE)
		buf_printf(out, "%s%s", aggw[x->agg][lang],
		    x->npath || x->pseudo ? ": " : "");
	for (i = 0; i < x->npath; i++) {
		if ((i + 1 < x->npath || x->pseudo != QP_NONE) &&
		    x->path[i]->ref_table != NULL)
			buf_printf(out, "%s: ", field_label(x->path[i], lang));
		else
			buf_adds(out, field_label(x->path[i], lang));
	}
	if (x->pseudo != QP_NONE)
		buf_adds(out, pseudow[x->pseudo][lang]);
	if (x->func != QF_NONE)
		buf_printf(out, " (%s)", funw[x->func][lang]);
}

static void
make_cols(struct query *q)
{
	struct qexpr	**xs;
	size_t		  n, i, j;

	if (q->is_group) {
		n = q->ngroups + q->naggs;
		xs = xcalloc(n ? n : 1, sizeof *xs);
		for (i = 0; i < q->ngroups; i++)
			xs[i] = q->groups[i];
		for (i = 0; i < q->naggs; i++)
			xs[q->ngroups + i] = q->aggs[i];
	} else {
		n = q->ncols;
		xs = q->colx;
	}
	q->cols = xcalloc(n ? n : 1, sizeof *q->cols);
	for (i = 0; i < n; i++) {
		struct query_col *c = &q->cols[i];
		struct buf	 l = BUF_INIT;

		c->kind = xs[i]->agg != QA_NONE ? QC_AGG :
		    xs[i]->func != QF_NONE ? QC_FUNC : QC_FIELD;
		c->name = xstrdup(xs[i]->name);
		for (j = 0; j < 2; j++) {
			buf_reset(&l);
			col_label(xs[i], (int)j, &l);
			c->label[j] = xstrdup(l.data);
		}
		buf_release(&l);
		c->type = xs[i]->type;
		c->field = xs[i]->npath && xs[i]->pseudo == QP_NONE ?
		    xs[i]->path[xs[i]->npath - 1] : NULL;
		/* A reference shows its record's name, the id its number. */
		c->right = field_type_right(c->type) ||
		    (c->type == FT_REF && c->field == NULL);
	}
	q->ncols = n;
	if (q->is_group)
		free(xs);
}

/* Default columns of a record query: the form's list, else every field. */
static void
default_cols(struct parser *ps)
{
	struct query		*q = ps->q;
	const struct table	*t = q->table;
	struct qexpr		*x;
	ssize_t			 pos;
	size_t			 i;

	for (i = 0; i < (t->nlist_cols ? t->nlist_cols : t->nfields); i++) {
		if (t->nlist_cols) {
			if ((pos = table_field_pos(t, t->list_cols[i])) < 0)
				continue;
		} else
			pos = (ssize_t)i;
		x = new_expr(ps);
		x->path[0] = &t->fields[pos];
		x->npath = 1;
		x->name = xstrdup(t->fields[pos].name);
		expr_settype(x);
		q->colx = xreallocarray(q->colx, q->ncols + 1,
		    sizeof *q->colx);
		q->colx[q->ncols++] = x;
	}
}

static int
parse_clauses(struct parser *ps)
{
	struct query	*q = ps->q;
	struct tok	*t;
	int		 seen[6] = { 0 };
	static const char *const names[] = { "where", "group", "having",
	    "sort", "limit", "cols" };
	size_t		 i;

	for (;;) {
		t = peek(ps, 0);
		if (t->kind == T_END)
			break;
		for (i = 0; i < nitems(names); i++)
			if (is_kw(t, names[i]))
				break;
		if (i == nitems(names)) {
			struct buf	w = BUF_INIT;

			if (t->kind == T_WORD && !is_keyword(t)) {
				perr(ps, t, _("expected where, group, having, "
				    "sort, limit or cols, found '%s'"), t->s);
				suggest(ps->err, t->s, names, nitems(names));
				return (-1);
			}
			tok_desc(t, &w);
			perr(ps, t, _("expected where, group, having, sort, "
			    "limit or cols, found %s"), w.data);
			buf_release(&w);
			return (-1);
		}
		if (seen[i])
			return (perr(ps, t, _("'%s' is given twice"),
			    names[i]));
		seen[i] = 1;
		next(ps);
		switch (i) {
		case 0:
			if (seen[1])
				return (perr(ps, t, _("'where' must come "
				    "before 'group'")));
			if (parse_or(ps, &q->where) != 0)
				return (-1);
			break;
		case 1:
			if (seen[5])
				return (perr(ps, t, _("a group query has no "
				    "'cols': its columns are the group keys "
				    "and aggregates")));
			if (seen[3])
				return (perr(ps, t, _("'group' must come "
				    "before 'sort'")));
			q->is_group = 1;
			if (parse_group(ps) != 0)
				return (-1);
			break;
		case 2: {
			int		 bad = 0;
			const struct tok *bt = NULL;

			if (!q->is_group)
				return (perr(ps, t, _("'having' needs a "
				    "'group' before it")));
			ps->in_having = 1;
			if (parse_or(ps, &q->having) != 0)
				return (-1);
			ps->in_having = 0;
			bind_having(ps, q->having, &bad, &bt);
			if (bad)
				return (-1);
			break;
		}
		case 3:
			if (parse_sort(ps) != 0)
				return (-1);
			break;
		case 4:
			if (parse_count(ps, &q->limit) != 0)
				return (-1);
			if (is_kw(peek(ps, 0), "offset")) {
				next(ps);
				if (parse_count(ps, &q->offset) != 0)
					return (-1);
			}
			break;
		case 5:
			if (q->is_group)
				return (perr(ps, t, _("a group query has no "
				    "'cols': its columns are the group keys "
				    "and aggregates")));
			if (parse_cols(ps) != 0)
				return (-1);
			break;
		}
	}
	return (0);
}

/*
 * Is token i a minus of one operand ("sort -name", "= -5", "in (1, -2)")
 * rather than one between two ("today - 7")?  It is when what comes
 * before it cannot end an operand: a keyword, an operator, a comma, a
 * parenthesis opened, or nothing.
 */
static int
unary_minus(const struct parser *ps, size_t i)
{
	const struct tok *p;

	if (ps->toks[i].kind != T_MINUS)
		return (0);
	if (i == 0)
		return (1);
	p = &ps->toks[i - 1];
	if (p->kind == T_WORD)
		return (is_keyword(p));
	return (p->kind != T_NUM && p->kind != T_STR && p->kind != T_RP);
}

/* One blank between words, none where the text reads as one piece
 * (a path, a call, a sign), so the text saved reads back as written. */
static void
norm_text(struct query *q, const struct parser *ps)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	for (i = 0; i + 1 < ps->ntoks; i++) {
		const struct tok *t = &ps->toks[i];

		if (i > 0 && t->kind != T_COMMA && t->kind != T_RP &&
		    t->kind != T_DOT && ps->toks[i - 1].kind != T_LP &&
		    ps->toks[i - 1].kind != T_DOT && !unary_minus(ps, i - 1) &&
		    !(t->kind == T_LP && ps->toks[i - 1].kind == T_WORD &&
		    !is_keyword(&ps->toks[i - 1]))) {
			buf_addch(&b, ' ');
			/*
			 * A number and three digits after one space would
			 * read back as one grouped number ("1 234"); two
			 * numbers the text had apart stay apart.
			 */
			if (ps->toks[i - 1].kind == T_NUM &&
			    isdigit((unsigned char)t->p[0]))
				buf_addch(&b, ' ');
		}
		buf_add(&b, t->p, t->len);
	}
	q->text = buf_detach(&b, NULL);
}

static int
parse_run(struct parser *ps, const struct table *only, const char *text,
    struct query **qp)
{
	struct query	*q;
	struct tok	*t;
	size_t		 i;
	int		 r = -1;

	*qp = NULL;
	q = xcalloc(1, sizeof *q);
	q->schema = ps->schema;
	q->limit = UINT64_MAX;
	ps->q = q;
	ps->text = text;
	if (!utf8_valid(text, strlen(text), NULL)) {
		buf_error(ps->err, _("query:1:1: the query is not valid "
		    "UTF-8"));
		goto out;
	}
	if (lex(ps) != 0)
		goto out;
	if (only != NULL && ps->keys_only) {
		q->table = only;
		q->is_group = 1;
		if (parse_group(ps) != 0)
			goto out;
		if ((t = peek(ps, 0))->kind != T_END) {
			expected(ps, t, _("',' or the end of the group keys"));
			goto out;
		}
	} else if (only != NULL) {
		q->table = only;
		if (peek(ps, 0)->kind != T_END &&
		    parse_or(ps, &q->where) != 0)
			goto out;
		if ((t = peek(ps, 0))->kind != T_END) {
			expected(ps, t, _("'and', 'or' or the end of the "
			    "condition"));
			goto out;
		}
	} else {
		t = next(ps);
		if (t->kind != T_WORD) {
			expected(ps, t, _("a table name"));
			goto out;
		}
		if ((q->table = schema_table(ps->schema, t->s)) == NULL) {
			const char **names;

			names = xcalloc(ps->schema->ntables + 1,
			    sizeof *names);
			for (i = 0; i < ps->schema->ntables; i++)
				names[i] = ps->schema->tables[i]->name;
			perr(ps, t, _("unknown table '%s'"), t->s);
			suggest(ps->err, t->s, names, ps->schema->ntables);
			free(names);
			goto out;
		}
		if (parse_clauses(ps) != 0)
			goto out;
	}
	if (!q->is_group && q->ncols == 0)
		default_cols(ps);
	make_cols(q);
	norm_text(q, ps);
	*qp = q;
	q = NULL;
	r = 0;
out:
	for (i = 0; i < ps->ntoks; i++)
		free(ps->toks[i].s);
	free(ps->toks);
	query_free(q);
	return (r);
}

int
query_parse(const struct schema *schema, const char *text,
    struct query **qp, struct buf *err)
{
	struct parser	ps;

	memset(&ps, 0, sizeof ps);
	ps.schema = schema;
	ps.err = err;
	return (parse_run(&ps, NULL, text, qp));
}

int
query_parse_bound(const struct schema *schema, const char *text,
    const struct query_param *params, size_t nparams, struct query **qp,
    struct buf *err)
{
	struct parser	ps;

	memset(&ps, 0, sizeof ps);
	ps.schema = schema;
	ps.err = err;
	ps.params = params;
	ps.nparams = nparams;
	return (parse_run(&ps, NULL, text, qp));
}

/*
 * One part of a query of table t alone: the condition after "where"
 * or the keys after "group", its columns counted in what was typed; the
 * query is saved and shown as the whole it is ("party where ...").
 */
static int
parse_part(const struct schema *schema, const struct table *t,
    const char *text, int keys_only, const char *word, struct query **qp,
    struct buf *err)
{
	struct parser	ps;
	char		*full;
	int		 r;

	memset(&ps, 0, sizeof ps);
	ps.schema = schema;
	ps.err = err;
	ps.keys_only = keys_only;
	r = parse_run(&ps, t, text, qp);
	if (r == 0) {
		xasprintf(&full, "%s%s%s", t->name, (*qp)->text[0] ? word :
		    "", (*qp)->text);
		free((*qp)->text);
		(*qp)->text = full;
	}
	return (r);
}

int
query_parse_where(const struct schema *schema, const struct table *t,
    const char *cond, struct query **qp, struct buf *err)
{
	return (parse_part(schema, t, cond, 0, " where ", qp, err));
}

int
query_parse_group(const struct schema *schema, const struct table *t,
    const char *keys, struct query **qp, struct buf *err)
{
	return (parse_part(schema, t, keys, 1, " group ", qp, err));
}

void
query_free(struct query *q)
{
	size_t	i, j;

	if (q == NULL)
		return;
	for (i = 0; i < q->nallx; i++) {
		free(q->allx[i]->name);
		free(q->allx[i]);
	}
	for (i = 0; i < q->nalln; i++) {
		for (j = 0; j < q->alln[i]->nvals; j++)
			free(q->alln[i]->vals[j].s);
		/* A ref by name allocated one value it did not count. */
		if (q->alln[i]->nvals == 0 && q->alln[i]->vals != NULL)
			free(q->alln[i]->vals[0].s);
		free(q->alln[i]->vals);
		free(q->alln[i]->text);
		free(q->alln[i]);
	}
	/* A query that failed in its cols has counted them, not made them. */
	for (i = 0; q->cols != NULL && i < q->ncols; i++) {
		free(q->cols[i].name);
		free(q->cols[i].label[0]);
		free(q->cols[i].label[1]);
	}
	free(q->cols);
	free(q->allx);
	free(q->alln);
	free(q->groups);
	free(q->aggs);
	free(q->sorts);
	free(q->colx);
	free(q->text);
	free(q);
}

const struct table *
query_table(const struct query *q)
{
	return (q->table);
}

int
query_is_group(const struct query *q)
{
	return (q->is_group);
}

const char *
query_text(const struct query *q)
{
	return (q->text);
}

size_t
query_ncols(const struct query *q)
{
	return (q->ncols);
}

const struct query_col *
query_col(const struct query *q, size_t i)
{
	return (i < q->ncols ? &q->cols[i] : NULL);
}
