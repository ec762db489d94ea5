/*
 * cmd-find.c: "find TEXT ... [--table T] [--limit N] [--format ...]":
 * search as you type across every table with search fields, best
 * matches first.  The store's word index gives the candidates (every
 * word of the text starts a word of the record); this file ranks them
 * by how well they match, which only it knows.  One short read-only
 * transaction per table.  Must not print or change anything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define FIND_LIMIT	20	/* results shown by default */
/*
 * Records ranked at most per table.  The word index hands candidates
 * over in id order, so beyond this many a text as short as "ив" ranks
 * the first ones found; exact values are looked up apart (find_exact)
 * so an ИНН, a phone or an e-mail typed whole is never missed.
 */
#define FIND_CANDIDATES	2000
#define FIND_CELL_MAX	50

/*
 * Points of one word of the text, the best of its matches in the
 * record; a record's score is their sum, plus FIND_EXACT when the whole
 * text is a whole value of one of its fields.  clerk(1) documents this.
 */
#define PTS_NAME_WORD	4	/* a whole word of the name */
#define PTS_NAME_PREFIX	3	/* the start of a word of the name */
#define PTS_WORD	2	/* a whole word of another field */
#define PTS_PREFIX	1	/* the start of a word of another field */
#define FIND_EXACT	100

struct find_hit {
	size_t		 tix;		/* table's place in the schema */
	const struct table *table;
	uint64_t	 id;
	int		 score;
	int		 exact;
	char		*name;		/* for people */
	char		*sortkey;	/* the name's fold key */
	char		*matched;	/* "phones: +7 916 …" */
	char		*matched_plain;	/* the same with field names */
};

struct find_query {
	const char	*text;
	struct keyset	 toks;		/* the words as the index folds them */
	struct buf	 fold;		/* the whole text folded */
	int		 phone;		/* digits only: one token, a phone's */
};

struct find_state {
	struct cmd_ctx		*ctx;
	struct find_query	*q;
	const struct table	*table;
	size_t			 tix;
	ssize_t			 namepos;
	uint64_t		*ids;
	size_t			 nids;
	int			 truncated;
	struct find_hit		*hits;		/* this table's */
	size_t			 nhits;
};

static void
hit_release(struct find_hit *h)
{
	free(h->name);
	free(h->sortkey);
	free(h->matched);
	free(h->matched_plain);
}

static void
hits_free(struct find_hit *h, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		hit_release(&h[i]);
	free(h);
}

/* The field shown as a record's name: the first list column, else the
 * one called "name", else the first text field. */
static ssize_t
find_name_pos(const struct table *t)
{
	ssize_t	pos = -1;
	size_t	i;

	if (t->nlist_cols > 0)
		pos = table_field_pos(t, t->list_cols[0]);
	if (pos < 0)
		pos = table_field_pos(t, "name");
	for (i = 0; pos < 0 && i < t->nfields; i++)
		if (t->fields[i].type == FT_TEXT)
			pos = (ssize_t)i;
	return (pos);
}

static int
keyset_has(const struct keyset *ks, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < ks->n; i++)
		if (ks->len[i] == len &&
		    memcmp(ks->bytes.data + ks->off[i], s, len) == 0)
			return (1);
	return (0);
}

static int
keyset_has_prefix(const struct keyset *ks, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < ks->n; i++)
		if (ks->len[i] >= len &&
		    memcmp(ks->bytes.data + ks->off[i], s, len) == 0)
			return (1);
	return (0);
}

static int
keyset_equal(const struct keyset *a, const struct keyset *b)
{
	size_t	i;

	if (a->n != b->n)
		return (0);
	for (i = 0; i < a->n; i++)
		if (!keyset_has(b, a->bytes.data + a->off[i], a->len[i]))
			return (0);
	return (1);
}

/*
 * Whether the whole text is this whole value of the name or of a field
 * that identifies a record (a phone, an e-mail, a code with an exact
 * index such as the ИНН): the same words (a name typed in any case, ё
 * or е, with or without quotes), an e-mail as written, or a phone's
 * digits in any notation ("8 916 …", "+7 916 …", "916 …" are all
 * tokens of the same phone).  A tag or a city typed whole is only a
 * whole word: it says less about which record is meant.
 */
static int
exact_value(const struct find_state *st, const struct field *f,
    const char *el, size_t len, const struct keyset *etoks)
{
	const struct find_query	*q = st->q;
	struct buf		 fold = BUF_INIT;
	int			 r;

	if ((ssize_t)f->pos != st->namepos && f->type != FT_PHONE &&
	    f->type != FT_EMAIL && !(f->index & (IX_EXACT | IX_UNIQUE)))
		return (0);
	if (f->type == FT_PHONE)
		return (q->phone && q->toks.n == 1 && keyset_has(etoks,
		    q->toks.bytes.data + q->toks.off[0], q->toks.len[0]));
	if (f->type == FT_EMAIL) {
		utf8_foldkey(&fold, el, len);
		r = fold.len == q->fold.len &&
		    memcmp(fold.data, q->fold.data, fold.len) == 0;
		buf_release(&fold);
		return (r);
	}
	return (q->toks.n > 0 && keyset_equal(&q->toks, etoks));
}

/* One field's element for people ("+7 916 123-45-67") and for files. */
static void
element_text(const struct record *rec, size_t pos, const char *el,
    size_t len, int lang, struct buf *text, struct buf *plain)
{
	struct record	*one = record_new(rec->table);

	record_set_text(one, pos, el, len);
	buf_reset(text);
	buf_reset(plain);
	cmd_value_text(one, pos, lang, text);
	cmd_value_plain(one, pos, plain);
	record_free(one);
}

/* The best match of one word of the text so far. */
struct find_best {
	int		 pts;
	ssize_t		 pos;		/* field */
	const char	*el;		/* element of the value, NULL = whole */
	size_t		 len;
};

/* Describe what matched: each field in the form's order with its
 * matching elements ("phones: +7 916 123-45-67"); the name field by its
 * label alone, as the name is shown beside it. */
static void
find_describe(struct find_state *st, const struct record *rec,
    const struct find_best *best, size_t n, int exact, struct buf *desc,
    struct buf *plain)
{
	const struct table	*t = rec->table;
	struct buf		 text = BUF_INIT, ptext = BUF_INIT;
	size_t			 pos, i, j, shown;

	for (pos = 0; pos < t->nfields; pos++) {
		shown = 0;
		for (j = 0; j < n; j++) {
			if (best[j].pts == 0 || best[j].pos != (ssize_t)pos)
				continue;
			/* Each element once, however many words it took. */
			for (i = 0; i < j; i++)
				if (best[i].pts > 0 && best[i].pos ==
				    best[j].pos && best[i].el == best[j].el)
					break;
			if (i < j)
				continue;
			if (shown++ == 0) {
				if (desc->len > 0) {
					buf_adds(desc, "; ");
					buf_adds(plain, "; ");
				}
				buf_adds(desc, field_label(&t->fields[pos],
				    st->ctx->lang));
				buf_adds(plain, t->fields[pos].name);
				if ((ssize_t)pos == st->namepos && !exact)
					break;
			}
			if (best[j].el != NULL)
				element_text(rec, pos, best[j].el, best[j].len,
				    st->ctx->lang, &text, &ptext);
			else {
				buf_reset(&text);
				buf_reset(&ptext);
				cmd_value_text(rec, pos, st->ctx->lang, &text);
				cmd_value_plain(rec, pos, &ptext);
			}
			buf_printf(desc, "%s %s", shown == 1 ? ":" : ",",
			    text.data);
			buf_printf(plain, "%s %s", shown == 1 ? ":" : ",",
			    ptext.data);
		}
	}
	if (exact) {
		buf_adds(desc, st->ctx->lang ? " (точно)" : " (exact)");
		buf_adds(plain, " (exact)");
	}
	buf_release(&text);
	buf_release(&ptext);
}

/* Raise the words' best matches with the tokens of one element. */
static void
find_words(struct find_state *st, size_t pos, const char *el, size_t len,
    const struct keyset *etoks, struct find_best *best)
{
	const struct keyset	*qt = &st->q->toks;
	const char		*tk;
	size_t			 i, tl;
	int			 pts, name = (ssize_t)pos == st->namepos;

	for (i = 0; i < qt->n; i++) {
		tk = qt->bytes.data + qt->off[i];
		tl = qt->len[i];
		if (keyset_has(etoks, tk, tl))
			pts = name ? PTS_NAME_WORD : PTS_WORD;
		else if (keyset_has_prefix(etoks, tk, tl))
			pts = name ? PTS_NAME_PREFIX : PTS_PREFIX;
		else
			continue;
		if (pts > best[i].pts) {
			best[i].pts = pts;
			best[i].pos = pos;
			best[i].el = el;
			best[i].len = len;
		}
	}
}

/*
 * Score rec against the text; 0 when it does not match every word (a
 * record found by an exact lookup only, say) and is not exact.  The
 * words of each value come from the index's own tokenizer
 * (index_search_keys on a record holding that one value), so what
 * ranks a record is exactly what found it.
 */
static int
find_score(struct find_state *st, const struct record *rec,
    struct find_hit *hit)
{
	const struct table	*t = rec->table;
	const struct find_query	*q = st->q;
	const struct field	*f;
	const struct value	*v;
	struct record		*one;
	struct keyset		 etoks;
	struct find_best	*best, ex;
	struct buf		 desc = BUF_INIT, plain = BUF_INIT;
	const char		*p, *end, *nl;
	size_t			 pos, i;
	int			 score = 0, exact = 0;

	best = xcalloc(q->toks.n + 1, sizeof *best);
	memset(&ex, 0, sizeof ex);
	keyset_init(&etoks);
	one = record_new(t);
	for (pos = 0; pos < t->nfields; pos++) {
		f = &t->fields[pos];
		v = &rec->values[pos];
		if (!(f->index & IX_SEARCH) || !v->set)
			continue;
		if (FT_IS_INT(f->type)) {
			keyset_reset(&etoks);
			record_set_int(one, pos, v->i);
			index_search_keys(one, &etoks);
			record_clear(one, pos);
			find_words(st, pos, NULL, 0, &etoks, best);
			continue;
		}
		/* Each element of a list on its own, so the one that
		 * matched can be named. */
		for (p = v->s, end = v->s + v->len; p < end; p = nl + 1) {
			nl = f->multi ? memchr(p, '\n', end - p) : NULL;
			if (nl == NULL)
				nl = end;
			if (nl == p)
				continue;
			keyset_reset(&etoks);
			record_set_text(one, pos, p, nl - p);
			index_search_keys(one, &etoks);
			record_clear(one, pos);
			if (!exact && exact_value(st, f, p, nl - p, &etoks)) {
				exact = 1;
				ex.pts = 1;
				ex.pos = pos;
				ex.el = f->multi ? p : NULL;
				ex.len = nl - p;
			}
			find_words(st, pos, f->multi ? p : NULL, nl - p,
			    &etoks, best);
		}
	}
	for (i = 0; i < q->toks.n; i++) {
		if (best[i].pts == 0 && !exact)
			goto out;
		score += best[i].pts;
	}
	if (exact) {
		score += FIND_EXACT;
		/* The exact value says it all. */
		for (i = 0; i < q->toks.n; i++)
			best[i] = ex;
	}
	find_describe(st, rec, best, q->toks.n, exact, &desc, &plain);
	hit->score = score;
	hit->exact = exact;
	hit->matched = buf_detach(&desc, NULL);
	hit->matched_plain = buf_detach(&plain, NULL);
out:
	record_free(one);
	keyset_release(&etoks);
	buf_release(&desc);
	buf_release(&plain);
	free(best);
	return (hit->matched != NULL ? score : 0);
}

static void
ids_add(struct find_state *st, uint64_t id, size_t *alloc)
{
	size_t	i;

	for (i = 0; i < st->nids; i++)
		if (st->ids[i] == id)
			return;
	if (st->nids == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		st->ids = xreallocarray(st->ids, *alloc, sizeof *st->ids);
	}
	st->ids[st->nids++] = id;
}

/*
 * Records whose indexed search field holds the whole text as a value
 * (an ИНН, a phone in any notation, an e-mail, a name typed whole):
 * looked up in the field's own index, so they are ranked even when the
 * word index offers more candidates than are ranked.
 */
static int
find_exact(struct find_state *st, struct store_txn *txn, size_t *alloc,
    struct buf *err)
{
	const struct table	*t = st->table;
	const struct field	*f;
	struct record		*one;
	struct keyset		 ks;
	struct buf		 perr = BUF_INIT, ixname = BUF_INIT;
	uint64_t		 ids[16];
	size_t			 pos, k, n, j;
	int			 kind, ret = 0;

	one = record_new(t);
	keyset_init(&ks);
	for (pos = 0; pos < t->nfields && ret == 0; pos++) {
		f = &t->fields[pos];
		if (!(f->index & IX_SEARCH) || FT_IS_INT(f->type) ||
		    !(f->index & (IX_EXACT | IX_UNIQUE | IX_FOLDED)))
			continue;
		kind = (f->index & IX_EXACT) ? IX_EXACT :
		    (f->index & IX_UNIQUE) ? IX_UNIQUE : IX_FOLDED;
		record_clear(one, pos);
		buf_reset(&perr);
		/* The text as that field would take it (a phone
		 * normalised); text that is no such value is skipped. */
		if (record_parse(one, pos, st->q->text, &perr) != 0 ||
		    !one->values[pos].set)
			continue;
		keyset_reset(&ks);
		index_field_keys(one, pos, kind, &ks);
		buf_reset(&ixname);
		buf_printf(&ixname, "%s:%s", f->name, kind == IX_EXACT ?
		    "exact" : kind == IX_UNIQUE ? "unique" : "folded");
		for (k = 0; k < ks.n; k++) {
			if (store_lookup(txn, t, ixname.data,
			    ks.bytes.data + ks.off[k], ks.len[k], ids,
			    nitems(ids), &n, err) < 0) {
				ret = -1;
				break;
			}
			for (j = 0; j < n; j++)
				ids_add(st, ids[j], alloc);
		}
	}
	keyset_release(&ks);
	record_free(one);
	buf_release(&perr);
	buf_release(&ixname);
	return (ret);
}

static int
find_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct find_state	*st = arg;
	struct record		*rec;
	struct find_hit		 hit;
	struct buf		 b = BUF_INIT;
	size_t			 i, alloc = FIND_CANDIDATES, n = 0;
	int			 r, ret = -1;

	/* Run again after a deadlock: start afresh. */
	hits_free(st->hits, st->nhits);
	st->hits = NULL;
	st->nhits = 0;
	free(st->ids);
	st->ids = xreallocarray(NULL, alloc, sizeof *st->ids);
	st->nids = 0;
	if (access_search(st->ctx->session, txn, st->table, st->q->text,
	    st->ids, FIND_CANDIDATES, &n, err) < 0)
		return (-1);
	st->nids = n;
	st->truncated = n == FIND_CANDIDATES;
	if (find_exact(st, txn, &alloc, err) != 0)
		return (-1);
	for (i = 0; i < st->nids; i++) {
		r = access_get(st->ctx->session, txn, st->table, st->ids[i],
		    &rec, err);
		if (r == STORE_NOTFOUND)
			continue;
		if (r != 0)
			goto out;	/* a deadlock runs it again */
		memset(&hit, 0, sizeof hit);
		if (!(rec->flags & REC_ARCHIVED) &&
		    find_score(st, rec, &hit) > 0) {
			hit.tix = st->tix;
			hit.table = st->table;
			hit.id = rec->id;
			buf_reset(&b);
			if (st->namepos >= 0)
				cmd_value_text(rec, st->namepos, st->ctx->lang,
				    &b);
			if (b.len == 0)
				record_title(rec, &b);
			hit.name = xstrdup(b.data);
			buf_reset(&b);
			utf8_foldkey(&b, hit.name, strlen(hit.name));
			hit.sortkey = xstrdup(b.data);
			st->hits = xreallocarray(st->hits, st->nhits + 1,
			    sizeof *st->hits);
			st->hits[st->nhits++] = hit;
		} else
			hit_release(&hit);
		record_free(rec);
	}
	ret = 0;
out:
	buf_release(&b);
	return (ret);
}

/* Best first; equals in alphabetical order of their names (fold keys
 * are in Russian alphabetical order byte for byte), then by table and
 * id, so the order never depends on the order candidates came in. */
static int
hit_cmp(const void *va, const void *vb)
{
	const struct find_hit	*a = va, *b = vb;
	int			 c;

	if (a->score != b->score)
		return (a->score > b->score ? -1 : 1);
	if ((c = strcmp(a->sortkey, b->sortkey)) != 0)
		return (c);
	if (a->tix != b->tix)
		return (a->tix < b->tix ? -1 : 1);
	return (a->id < b->id ? -1 : a->id > b->id);
}

static void
find_render(struct cmd_ctx *ctx, enum cmd_format fmt,
    const struct find_hit *hits, size_t n)
{
	struct cmd_grid	 g;
	struct buf	 v = BUF_INIT, *o = &ctx->out;
	size_t		 i;
	int		 ru = ctx->lang;

	if (fmt == FMT_JSON) {
		buf_adds(o, "[");
		for (i = 0; i < n; i++) {
			buf_adds(o, i == 0 ? "\n" : ",\n");
			buf_adds(o, "{\"table\":");
			buf_addjson(o, hits[i].table->name,
			    strlen(hits[i].table->name));
			buf_printf(o, ",\"id\":%llu,\"name\":",
			    (unsigned long long)hits[i].id);
			buf_addjson(o, hits[i].name, strlen(hits[i].name));
			buf_adds(o, ",\"matched\":");
			buf_addjson(o, hits[i].matched_plain,
			    strlen(hits[i].matched_plain));
			buf_printf(o, ",\"exact\":%s,\"score\":%d}",
			    hits[i].exact ? "true" : "false", hits[i].score);
		}
		buf_adds(o, "\n]\n");
		return;
	}
	cmd_grid_init(&g, fmt == FMT_TABLE ? 4 : 5);
	g.right[1] = 1;
	if (fmt == FMT_TABLE) {
		cmd_grid_adds(&g, ru ? "Таблица" : "Table");
		cmd_grid_adds(&g, ru ? "№" : "Id");
		cmd_grid_adds(&g, ru ? "Название" : "Name");
		cmd_grid_adds(&g, ru ? "Совпадение" : "Matched");
	} else {
		cmd_grid_adds(&g, "table");
		cmd_grid_adds(&g, "id");
		cmd_grid_adds(&g, "name");
		cmd_grid_adds(&g, "matched");
		cmd_grid_adds(&g, "score");
	}
	for (i = 0; i < n; i++) {
		cmd_grid_adds(&g, hits[i].table->name);
		buf_reset(&v);
		buf_addu64(&v, hits[i].id);
		cmd_grid_add(&g, v.data, v.len);
		cmd_grid_adds(&g, hits[i].name);
		if (fmt == FMT_TABLE)
			cmd_grid_adds(&g, hits[i].matched);
		else {
			cmd_grid_adds(&g, hits[i].matched_plain);
			buf_reset(&v);
			buf_printf(&v, "%d", hits[i].score);
			cmd_grid_add(&g, v.data, v.len);
		}
	}
	cmd_grid_render(&g, fmt, FIND_CELL_MAX, ctx->cols, o);
	cmd_grid_release(&g);
	buf_release(&v);
}

static int
find_exec(struct cmd_ctx *ctx)
{
	struct find_query	 q;
	struct find_state	 st;
	struct find_hit		*all = NULL;
	const struct table	*only = NULL, *t;
	enum cmd_format		 fmt;
	struct buf		 text = BUF_INIT, err = BUF_INIT;
	const char		*s;
	uint64_t		 limit = FIND_LIMIT;
	size_t			 nall = 0, i, k;
	int			 r = CMD_OK, searchable = 0;

	if ((r = cmd_format_get(ctx, &fmt)) != CMD_OK)
		return (r);
	if ((s = cmd_opt(ctx, "limit")) != NULL) {
		if ((r = cmd_parse_count(ctx, N_("bad --limit "
		    "'%s': expected a whole number"), s, &limit)) != CMD_OK)
			return (r);
		if (limit == 0)
			return (cmd_usage(ctx, _("bad --limit '0': give at "
			    "least 1")));
	}
	if ((s = cmd_opt(ctx, "table")) != NULL) {
		if ((only = cmd_table_get(ctx, s)) == NULL)
			return (CMD_FAILED);
		if (!only->has_search)
			return (cmd_error(ctx, _("table '%s' has no search "
			    "fields"), only->name));
	}
	/* "clerk find Иванов Пётр" needs no quotes. */
	for (i = 0; i < (size_t)ctx->argc; i++)
		buf_printf(&text, "%s%s", i > 0 ? " " : "", ctx->argv[i]);
	memset(&q, 0, sizeof q);
	q.text = text.data;
	keyset_init(&q.toks);
	buf_init(&q.fold);
	index_query_tokens(q.text, &q.toks);
	buf_trim(&text);
	utf8_foldkey(&q.fold, text.data, text.len);
	if (q.toks.n == 0) {
		r = cmd_usage(ctx, _("nothing to find in '%s': give some "
		    "letters or digits"), text.data);
		goto out;
	}
	/* A text of digits and phone punctuation is one token (record.h). */
	q.phone = strspn(text.data, "0123456789+-() \t") == text.len;

	for (k = 0; k < ctx->schema->ntables; k++) {
		t = ctx->schema->tables[k];
		if ((only != NULL && t != only) || !t->has_search)
			continue;
		searchable = 1;
		memset(&st, 0, sizeof st);
		st.ctx = ctx;
		st.q = &q;
		st.table = t;
		st.tix = k;
		st.namepos = find_name_pos(t);
		if (store_txn_run(ctx->store, STORE_TXN_READONLY, find_txn,
		    &st, &err) != 0) {
			r = cmd_error(ctx, "%s", err.data);
			hits_free(st.hits, st.nhits);
			free(st.ids);
			goto out;
		}
		if (st.truncated)
			cmd_warn(ctx, _("more than %d %s records match "
			    "'%s'; the first %d found were ranked: type more "
			    "of the text"), FIND_CANDIDATES, t->name,
			    text.data, FIND_CANDIDATES);
		if (st.nhits > 0) {
			all = xreallocarray(all, nall + st.nhits, sizeof *all);
			memcpy(all + nall, st.hits, st.nhits * sizeof *all);
			nall += st.nhits;
		}
		free(st.hits);
		free(st.ids);
	}
	if (!searchable) {
		r = cmd_error(ctx, _("no table has search fields"));
		goto out;
	}
	if (nall == 0) {
		/* grep's convention: no match is exit status 1. */
		r = cmd_error(ctx, _("no matches for '%s'"), text.data);
		goto out;
	}
	qsort(all, nall, sizeof *all, hit_cmp);
	find_render(ctx, fmt, all, nall < limit ? nall : (size_t)limit);
	r = CMD_OK;
out:
	hits_free(all, nall);
	keyset_release(&q.toks);
	buf_release(&q.fold);
	buf_release(&text);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_find_entry = {
	"find", "TEXT ... [--table TABLE] [--limit N] "
	    "[--format table|csv|tsv|json]",
	N_("find records as you type, best matches first"),
	"table=,limit=,format=", 1, -1, find_exec
};
