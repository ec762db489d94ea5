/*
 * eval.c: the compiled predicate.  Computes an expression for a record
 * (following references through the session, with a cache per run),
 * tests conditions, orders values, and formats them for people, files
 * and JSON.  Texts compare by their fold key (case and ё ignored), like
 * the folded indexes, so an index walk and a scan agree on every order.
 * Must not decide plans or hold anything beyond the caller's
 * transaction.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "query/query_int.h"

#define CACHE_SLOTS	32768	/* records reached through references */

void
qrun_init(struct qrun *r, struct session *s, const struct query *q)
{
	size_t	i;

	memset(r, 0, sizeof *r);
	r->s = s;
	r->q = q;
	r->slots = xcalloc(q->nslots ? q->nslots : 1, sizeof *r->slots);
	for (i = 0; i < nitems(r->scratch); i++)
		buf_init(&r->scratch[i]);
}

void
qrun_forget(struct qrun *r)
{
	size_t	i;

	for (i = 0; i < r->ncache; i++) {
		record_free(r->cache[i].rec);
		r->cache[i].rec = NULL;
		r->cache[i].t = NULL;
	}
}

void
qrun_release(struct qrun *r)
{
	size_t	i;

	qrun_forget(r);
	free(r->cache);
	for (i = 0; i < r->q->nslots; i++)
		free(r->slots[i].ids);
	free(r->slots);
	for (i = 0; i < nitems(r->scratch); i++)
		buf_release(&r->scratch[i]);
	memset(r, 0, sizeof *r);
}

static int
idcmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/* All ids the search finds (archived records are never found). */
static int
search_all(struct qrun *r, const struct table *t, const char *text,
    struct qslot *sl, struct buf *err)
{
	uint64_t	total;
	size_t		n;

	if (access_count(r->s, r->txn, t, &total, err) != 0)
		return (-1);
	free(sl->ids);
	sl->ids = xcalloc(total + 1, sizeof *sl->ids);
	if (access_search(r->s, r->txn, t, text, sl->ids, total + 1, &n,
	    err) < 0)
		return (-1);
	sl->n = n;
	if (n > 1)
		qsort(sl->ids, n, sizeof *sl->ids, idcmp);
	sl->done = 1;
	return (0);
}

static int
resolve_node(struct qrun *r, const struct qnode *n, struct buf *err)
{
	const struct table *t;

	if (n == NULL)
		return (0);
	if (n->slot >= 0 && !r->slots[n->slot].done) {
		if (n->kind == QN_SEARCH)
			t = r->q->table;
		else
			t = schema_table(r->q->schema,
			    n->x->path[n->x->npath - 1]->ref_table);
		if (t == NULL)
			return (buf_error(err, _("no table for '%s'"),
			    n->x->name));
		if (!t->has_search)
			return (buf_error(err, _("'%s' names a record of "
			    "table '%s' by its number only: the table has no "
			    "search index"), n->x->name, t->name));
		if (search_all(r, t, n->text, &r->slots[n->slot], err) != 0)
			return (-1);
	}
	if (resolve_node(r, n->a, err) != 0)
		return (-1);
	return (resolve_node(r, n->b, err));
}

int
qrun_resolve(struct qrun *r, struct buf *err)
{
	return (resolve_node(r, r->q->where, err));
}

/*
 * The record id of table t through the cache; *out NULL when gone.  The
 * cache is direct-mapped: a record pushes out the one in its slot, so
 * it stays bounded and a scan that meets many references keeps the
 * recent ones without ever emptying itself.
 */
static int
ref_get(struct qrun *r, const struct table *t, uint64_t id,
    const struct record **out, struct buf *err)
{
	struct qcache_ent *e;
	struct record	*rec = NULL;
	size_t		 h;
	int		 rv;

	if (r->ncache == 0) {
		r->ncache = CACHE_SLOTS;
		r->cache = xcalloc(r->ncache, sizeof *r->cache);
	}
	h = (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 32) ^
	    ((size_t)(uintptr_t)t >> 4);
	e = &r->cache[h & (r->ncache - 1)];
	if (e->t == t && e->id == id) {
		*out = e->rec;
		return (0);
	}
	rv = access_get(r->s, r->txn, t, id, &rec, err);
	if (rv < 0)
		return (-1);
	if (rv == STORE_NOTFOUND)
		rec = NULL;
	record_free(e->rec);
	e->t = t;
	e->id = id;
	e->rec = rec;
	*out = rec;
	return (0);
}

/* The value of the path's last field, or NULL when a step is empty. */
static int
path_value(struct qrun *r, const struct qexpr *x, const struct record *rec,
    const struct value **vp, struct buf *err)
{
	const struct record *cur = rec;
	const struct value *v;
	const struct table *t;
	size_t		 i;

	*vp = NULL;
	for (i = 0; i < x->npath; i++) {
		v = &cur->values[x->path[i]->pos];
		if (i + 1 == x->npath) {
			*vp = v;
			return (0);
		}
		if (!v->set)
			return (0);
		if (r->txn == NULL)
			return (buf_error(err, _("'%s' needs the store"),
			    x->name));
		t = schema_table(r->q->schema, x->path[i]->ref_table);
		if (t == NULL || ref_get(r, t, (uint64_t)v->i, &cur, err) != 0)
			return (t == NULL ? buf_error(err, _("no table '%s'"),
			    x->path[i]->ref_table) : -1);
		if (cur == NULL)
			return (0);
	}
	return (0);
}

/* Local date of a datetime. */
static int32_t
local_date(int64_t t)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (localtime_r(&tt, &tm) == NULL)
		return (0);
	return (date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday));
}

/* ISO 8601 week number. */
static int
iso_week(int32_t d)
{
	int32_t	thu = d - date_weekday(d) + 4, jan1;
	int	y, m, dd;

	date_to_ymd(thu, &y, &m, &dd);
	jan1 = date_from_ymd(y, 1, 1);
	return ((thu - jan1) / 7 + 1);
}

/* Apply x's function to a single value. */
static void
apply_func(struct qrun *r, const struct qexpr *x, int k, struct qv *out)
{
	struct qdate_memo *dm;
	int32_t		 d;
	int		 y, m, dd;
	size_t		 i, n;
	uint32_t	 cp;

	if (!out->set)
		return;
	switch (x->func) {
	case QF_NONE:
		return;
	case QF_YEAR:
	case QF_MONTH:
	case QF_WEEK:
	case QF_DAY:
		d = qx_base_type(x) == FT_DATETIME ? local_date(out->i) :
		    (int32_t)out->i;
		dm = &r->dates[(uint32_t)d % QDATE_MEMO];
		if (!dm->set || dm->d != d) {
			date_to_ymd(d, &dm->y, &dm->m, &dm->dd);
			dm->d = d;
			dm->set = 1;
		}
		y = dm->y;
		m = dm->m;
		dd = dm->dd;
		out->i = x->func == QF_YEAR ? y : x->func == QF_MONTH ? m :
		    x->func == QF_DAY ? dd : iso_week(d);
		out->s = NULL;
		out->len = 0;
		return;
	case QF_LEN:
		out->i = (int64_t)utf8_length(out->s, out->len);
		out->s = NULL;
		out->len = 0;
		return;
	case QF_LOWER:
		buf_reset(&r->scratch[k]);
		for (i = 0; i < out->len; i += n) {
			n = utf8_decode(out->s + i, out->len - i, &cp);
			if (n == 0)
				n = 1;
			utf8_encode(&r->scratch[k], utf8_lower(cp));
		}
		out->s = r->scratch[k].data;
		out->len = r->scratch[k].len;
		return;
	}
}

int
qeval(struct qrun *r, const struct qexpr *x, const struct record *rec, int k,
    struct qv *out, struct buf *err)
{
	const struct value *v;

	memset(out, 0, sizeof *out);
	if (x->npath == 0 && x->pseudo == QP_NONE) {
		out->set = 1;	/* count(): every record counts */
		return (0);
	}
	if (x->pseudo != QP_NONE) {
		const struct record *cur = rec;
		const struct table *t;
		size_t		 i;

		/* Every step a reference, to the record it names. */
		for (i = 0; i < x->npath && cur != NULL; i++) {
			v = &cur->values[x->path[i]->pos];
			if (!v->set)
				return (0);
			if (r->txn == NULL)
				return (buf_error(err, _("'%s' needs the store"),
				    x->name));
			t = schema_table(r->q->schema, x->path[i]->ref_table);
			if (t == NULL)
				return (buf_error(err, _("no table '%s'"),
				    x->path[i]->ref_table));
			if (ref_get(r, t, (uint64_t)v->i, &cur, err) != 0)
				return (-1);
		}
		if (cur == NULL)
			return (0);
		out->set = 1;
		out->i = x->pseudo == QP_ID ? (int64_t)cur->id :
		    x->pseudo == QP_CREATED ? cur->created : cur->updated;
		apply_func(r, x, k, out);
		return (0);
	}
	if (path_value(r, x, rec, &v, err) != 0)
		return (-1);
	if (v == NULL || !v->set)
		return (0);
	if (!FT_IS_INT(x->path[x->npath - 1]->type) &&
	    (v->s == NULL || v->len == 0))
		return (0);
	out->set = 1;
	out->i = v->i;
	out->s = v->s;
	out->len = v->len;
	apply_func(r, x, k, out);
	return (0);
}

/* Compare a computed text with a literal: fold keys when x folds. */
static int
bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t	n = al < bl ? al : bl;
	int	c = n ? memcmp(a, b, n) : 0;

	if (c != 0)
		return (c < 0 ? -1 : 1);
	return (al < bl ? -1 : al > bl);
}

static int
has_sub(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl == 0)
		return (1);
	return (memmem(h, hl, n, nl) != NULL);
}

/*
 * Before folding a text to look for a folded needle in it: can the raw
 * text hold the needle's first letter at all, in any case?  Folding
 * maps a code point only to one of the same script (and white space to
 * a blank), so for a first character that is ASCII other than a blank,
 * or a Cyrillic letter, not finding any of its raw forms means no
 * match; anything else is left to the fold.  Most texts of a scan are
 * turned down here without being folded.
 */
static int
cannot_hold(const char *h, size_t hl, const char *n, size_t nl)
{
	uint32_t	 cp, forms[4];
	size_t		 nf = 0, i;
	char		 b[2];

	if (nl == 0 || utf8_decode(n, nl, &cp) == 0)
		return (0);
	if (cp < 0x80) {
		if (cp <= ' ')
			return (0);
		if (memchr(h, (int)cp, hl) != NULL)
			return (0);
		if (cp >= 'a' && cp <= 'z' && memchr(h, (int)cp - 0x20, hl))
			return (0);
		return (1);
	}
	if (cp < 0x430 || cp > 0x44F)
		return (0);
	forms[nf++] = cp;
	forms[nf++] = cp - 0x20;		/* а -> А */
	if (cp == 0x435) {
		forms[nf++] = 0x451;		/* ё */
		forms[nf++] = 0x401;		/* Ё */
	}
	/* Each form is a Cyrillic letter: two bytes of UTF-8. */
	for (i = 0; i < nf; i++) {
		b[0] = (char)(0xC0 | (forms[i] >> 6));
		b[1] = (char)(0x80 | (forms[i] & 0x3F));
		if (memmem(h, hl, b, 2) != NULL)
			return (0);
	}
	return (1);
}

static int
id_in(const struct qslot *sl, uint64_t id)
{
	return (bsearch(&id, sl->ids, sl->n, sizeof id, idcmp) != NULL);
}

/* One element (or the whole single value) against the node. */
static int
elem_match(struct qrun *r, const struct qnode *n, const struct qexpr *x,
    const struct qv *v)
{
	struct qv	 fv = *v;
	size_t		 j;
	int		 c;

	if (n->op == QO_CONTAINS && x->fold && n->slot < 0 &&
	    cannot_hold(v->s, v->len, n->vals[0].s, n->vals[0].len))
		return (0);
	if (!FT_IS_INT(x->type) && x->fold) {
		buf_reset(&r->scratch[3]);
		utf8_foldkey(&r->scratch[3], v->s, v->len);
		fv.s = r->scratch[3].data;
		fv.len = r->scratch[3].len;
	} else if (!FT_IS_INT(x->type) && x->type == FT_ENUM &&
	    (n->op == QO_PREFIX)) {
		buf_reset(&r->scratch[3]);
		utf8_foldkey(&r->scratch[3], v->s, v->len);
		fv.s = r->scratch[3].data;
		fv.len = r->scratch[3].len;
	}
	if (n->slot >= 0)	/* a reference by name */
		return (id_in(&r->slots[n->slot], (uint64_t)v->i));
	switch (n->op) {
	case QO_CONTAINS:
		return (has_sub(fv.s, fv.len, n->vals[0].s, n->vals[0].len));
	case QO_PREFIX:
		return (fv.len >= n->vals[0].len &&
		    memcmp(fv.s, n->vals[0].s, n->vals[0].len) == 0);
	case QO_IN:
		for (j = 0; j < n->nvals; j++)
			if (qval_cmp_node(n, x, &fv, &n->vals[j]) == 0)
				return (1);
		return (0);
	default:
		break;
	}
	c = qval_cmp_node(n, x, &fv, &n->vals[0]);
	switch (n->op) {
	case QO_EQ: return (c == 0);
	case QO_NE: return (c != 0);
	case QO_LT: return (c < 0);
	case QO_LE: return (c <= 0);
	case QO_GT: return (c > 0);
	case QO_GE: return (c >= 0);
	default: return (0);
	}
}

/* v (already folded when x folds) against a literal. */
int
qval_cmp_node(const struct qnode *n, const struct qexpr *x,
    const struct qv *v, const struct qval *lit)
{
	(void)n;
	if (FT_IS_INT(x->type))
		return (v->i < lit->i ? -1 : v->i > lit->i);
	return (bytes_cmp(v->s, v->len, lit->s, lit->len));
}

static int
cmp_match(struct qrun *r, const struct qnode *n, const struct record *rec,
    struct buf *err)
{
	const struct qexpr *x = n->x;
	struct qv	 v, e;
	const char	*p, *nl, *end;
	int		 m;

	if (qeval(r, x, rec, 2, &v, err) != 0)
		return (-1);
	if (!v.set)
		/* Nothing equals an empty value, so it is != anything. */
		return (n->op == QO_NE);
	if (!x->multi || FT_IS_INT(x->type))
		return (elem_match(r, n, x, &v));
	/* A list matches when an element does; != when none equals. */
	p = v.s;
	end = v.s + v.len;
	m = 0;
	while (p < end && !m) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		e = v;
		e.s = p;
		e.len = (size_t)(nl - p);
		if (n->op == QO_NE) {
			struct qnode eq = *n;

			eq.op = QO_EQ;
			if (elem_match(r, &eq, x, &e))
				return (0);
		} else
			m = elem_match(r, n, x, &e);
		p = nl + 1;
	}
	return (n->op == QO_NE ? 1 : m);
}

int
qmatch_cannot(const struct qnode *n, const void *data, size_t len)
{
	const struct qexpr *x;

	if (n == NULL)
		return (0);
	if (n->kind == QN_AND)
		return (qmatch_cannot(n->a, data, len) ||
		    qmatch_cannot(n->b, data, len));
	if (n->kind != QN_CMP || n->op != QO_CONTAINS || n->slot >= 0 ||
	    n->nvals < 1)
		return (0);
	x = n->x;
	/* A field of the record's own, its text as stored. */
	if (!x->fold || x->npath != 1 || x->func != QF_NONE ||
	    x->pseudo != QP_NONE || FT_IS_INT(x->type) ||
	    FT_IS_INT(x->path[0]->type))
		return (0);
	return (cannot_hold(data, len, n->vals[0].s, n->vals[0].len));
}

int
qmatch(struct qrun *r, const struct qnode *n, const struct record *rec,
    struct buf *err)
{
	struct qv	v;
	int		a;

	if (n == NULL)
		return (1);
	switch (n->kind) {
	case QN_AND:
		if ((a = qmatch(r, n->a, rec, err)) != 1)
			return (a);
		return (qmatch(r, n->b, rec, err));
	case QN_OR:
		if ((a = qmatch(r, n->a, rec, err)) != 0)
			return (a);
		return (qmatch(r, n->b, rec, err));
	case QN_NOT:
		if ((a = qmatch(r, n->a, rec, err)) < 0)
			return (-1);
		return (!a);
	case QN_EMPTY:
		if (qeval(r, n->x, rec, 2, &v, err) != 0)
			return (-1);
		return (!v.set);
	case QN_SEARCH:
		return (id_in(&r->slots[n->slot], rec->id));
	case QN_CMP:
		return (cmp_match(r, n, rec, err));
	}
	return (0);
}

int
qv_cmp(const struct qexpr *x, const struct qv *a, const struct qv *b)
{
	struct buf	fa = BUF_INIT, fb = BUF_INIT;
	int		c;

	if (!a->set || !b->set)
		return (a->set - b->set);
	if (FT_IS_INT(x->type))
		return (a->i < b->i ? -1 : a->i > b->i);
	if (!x->fold)
		return (bytes_cmp(a->s, a->len, b->s, b->len));
	utf8_foldkey(&fa, a->s, a->len);
	utf8_foldkey(&fb, b->s, b->len);
	c = bytes_cmp(fa.data, fa.len, fb.data, fb.len);
	buf_release(&fa);
	buf_release(&fb);
	return (c);
}

/*
 * Keys: a presence byte, then 8 bytes of a number (sign flipped, big
 * endian) or the text (its fold key when x folds) and a NUL: texts hold
 * no NUL, so the parts never run into each other and plain byte order
 * of the whole is the order of the values, key by key.  Descending
 * parts are inverted byte by byte, which reverses that order.
 */
void
qv_key(const struct qexpr *x, const struct qv *v, int desc, struct buf *out)
{
	size_t	start = out->len, i;

	if (!v->set)
		buf_addch(out, 0);
	else {
		buf_addch(out, 1);
		if (FT_IS_INT(x->type))
			index_int_key(out, v->i);
		else {
			if (x->fold)
				utf8_foldkey(out, v->s, v->len);
			else
				buf_add(out, v->s, v->len);
			buf_addch(out, 0);
		}
	}
	if (desc)
		for (i = start; i < out->len; i++)
			out->data[i] = (char)~(unsigned char)out->data[i];
}

void
qv_to_value(const struct qv *v, struct value *out)
{
	memset(out, 0, sizeof *out);
	if (!v->set)
		return;
	out->set = 1;
	out->i = v->i;
	if (v->s != NULL) {
		out->s = xstrndup(v->s, v->len);
		out->len = v->len;
	}
}

int
query_match(struct session *s, struct store_txn *txn, const struct query *q,
    const struct record *rec, struct buf *err)
{
	struct qrun	r;
	int		m;

	if (rec->table != q->table)
		return (buf_error(err, _("a record of table '%s' cannot "
		    "match a query of table '%s'"), rec->table->name,
		    q->table->name));
	qrun_init(&r, s, q);
	r.txn = txn;
	if (qrun_resolve(&r, err) != 0) {
		qrun_release(&r);
		return (-1);
	}
	m = qmatch(&r, q->where, rec, err);
	qrun_release(&r);
	return (m);
}

/* Formatting. */

/*
 * The field whose labels a column's values take: a field's, a group
 * key's or an aggregate's of the field (min(status) is a status), not
 * a function's (lower(kind) is text).
 */
static const struct field *
col_field(const struct query_col *c)
{
	return (c->kind == QC_FUNC ? NULL : c->field);
}

/* A record query's column of a list field (phones, e-mails, tags):
 * its value is the list (a group key is one element of it). */
static int
col_list(const struct query *q, const struct query_col *c)
{
	return (!q->is_group && c->kind == QC_FIELD && c->field != NULL &&
	    c->field->multi && !FT_IS_INT(c->type));
}

void
query_value_text(const struct query *q, size_t col, const struct value *v,
    int plain, int lang, struct buf *out)
{
	const struct query_col *c = &q->cols[col];

	if (!v->set || (!FT_IS_INT(c->type) && v->s == NULL))
		return;
	/* As list, show and export give them (record_value_format()). */
	record_value_format(col_field(c), c->type, v, plain ? VALUE_FILE :
	    VALUE_PEOPLE, lang, out);
}

void
query_value_json(const struct query *q, size_t col, const struct value *v,
    struct buf *out)
{
	const struct query_col *c = &q->cols[col];

	record_value_json(col_field(c), c->type, v, col_list(q, c), out);
}

int
qhaving(struct qrun *r, const struct qnode *n, const struct value *vals)
{
	const struct value *v;
	struct qv	 qv;

	if (n == NULL)
		return (1);
	switch (n->kind) {
	case QN_AND:
		return (qhaving(r, n->a, vals) && qhaving(r, n->b, vals));
	case QN_OR:
		return (qhaving(r, n->a, vals) || qhaving(r, n->b, vals));
	case QN_NOT:
		return (!qhaving(r, n->a, vals));
	case QN_EMPTY:
		return (!vals[n->x->slot].set);
	case QN_SEARCH:
		return (0);
	case QN_CMP:
		v = &vals[n->x->slot];
		if (!v->set)
			return (n->op == QO_NE);
		memset(&qv, 0, sizeof qv);
		qv.set = 1;
		qv.i = v->i;
		qv.s = v->s;
		qv.len = v->len;
		return (elem_match(r, n, n->x, &qv));
	}
	return (0);
}
