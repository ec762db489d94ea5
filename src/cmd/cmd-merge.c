/*
 * cmd-merge.c: "merge TABLE A B [--dry-run]": fold the duplicate B into
 * A in one transaction: whatever refers to B (in any table, found by the
 * store's reference indexes) is made to refer to A; A's empty fields
 * are filled from B and list fields united; where both have a value,
 * A's is kept and the report says what B had; B is archived with a note
 * in its notes.  Every change goes through the access layer, so each is
 * checked and audited.  With --dry-run the same work is done and then
 * rolled back.  Must not print; must never leave half a merge.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define MERGE_SHOW_MAX	60	/* characters of a value in the report */

/* What became of a field of A. */
enum merge_action {
	MA_NONE,
	MA_FILLED,	/* empty in A, B's value taken */
	MA_ADDED,	/* list field: B's other elements added */
	MA_KEPT,	/* both set and different: A's kept */
	MA_REFUSED	/* B's value would not fit A: not taken */
};

struct merge_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	uint64_t		 a, b;
	int			 dry;
	int			 dry_done;	/* the dry run got to its end */
	uint64_t		 missing;	/* the id not found */
	struct buf		 report;
	/* Per try. */
	struct record		*ra, *rb;	/* as read */
	struct record		*ma, *mb;	/* as they will be */
	enum merge_action	*action;
	char			**reason;	/* MA_REFUSED: why */
	char			*bclear;	/* fields cleared in B */
};

static void
merge_reset(struct merge_state *st)
{
	size_t	i;

	record_free(st->ra);
	record_free(st->rb);
	record_free(st->ma);
	record_free(st->mb);
	st->ra = st->rb = st->ma = st->mb = NULL;
	if (st->reason != NULL)
		for (i = 0; i < st->table->nfields; i++)
			free(st->reason[i]);
	free(st->reason);
	free(st->action);
	free(st->bclear);
	st->reason = NULL;
	st->action = NULL;
	st->bclear = NULL;
	buf_reset(&st->report);
	st->missing = 0;
	st->dry_done = 0;
}

/* A value for the report: for people, quoted, cut when long. */
static void
show_value(struct merge_state *st, const struct record *rec, size_t pos,
    struct buf *out)
{
	struct buf	v = BUF_INIT;
	size_t		cut;

	cmd_value_text(rec, pos, st->ctx->lang, &v);
	if (utf8_length(v.data, v.len) > MERGE_SHOW_MAX) {
		cut = utf8_fit(v.data, v.len, MERGE_SHOW_MAX - 1);
		buf_truncate(&v, cut);
		buf_adds(&v, "…");
	}
	buf_printf(out, "'%s'", v.data);
	buf_release(&v);
}

static void
title(const struct record *rec, struct buf *out)
{
	struct buf	t = BUF_INIT;

	record_title(rec, &t);
	buf_printf(out, "%s %llu '%s'", rec->table->name,
	    (unsigned long long)rec->id, t.data);
	buf_release(&t);
}

/* How two elements of a list compare: phones by their digits as
 * stored, everything else case- and ё-insensitively. */
static void
element_key(const struct field *f, const char *s, size_t len,
    struct buf *out)
{
	buf_reset(out);
	if (f->type == FT_PHONE)
		buf_add(out, s, len);
	else
		utf8_foldkey(out, s, len);
}

/* Whether the list value v has an element equal (element_key) to s. */
static int
list_has(const struct field *f, const struct value *v, const char *s,
    size_t len)
{
	struct buf	 want = BUF_INIT, k = BUF_INIT;
	const char	*p, *end, *nl;
	int		 found = 0;

	if (!v->set || v->s == NULL)
		return (0);
	element_key(f, s, len, &want);
	for (p = v->s, end = v->s + v->len; p < end && !found; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		element_key(f, p, nl - p, &k);
		found = k.len == want.len &&
		    memcmp(k.data, want.data, k.len) == 0;
	}
	buf_release(&want);
	buf_release(&k);
	return (found);
}

/* A list field: A's elements, then B's that A lacks.  Returns whether
 * any was added. */
static int
merge_list(struct merge_state *st, size_t pos)
{
	const struct field	*f = &st->table->fields[pos];
	const struct value	*vb = &st->rb->values[pos];
	struct buf		 all = BUF_INIT;
	const char		*p, *end, *nl;
	int			 added = 0;

	if (st->ma->values[pos].set)
		buf_add(&all, st->ma->values[pos].s, st->ma->values[pos].len);
	for (p = vb->s, end = vb->s + vb->len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (nl == p || list_has(f, &st->ma->values[pos], p, nl - p))
			continue;
		if (all.len > 0)
			buf_addch(&all, '\n');
		buf_add(&all, p, nl - p);
		record_set_text(st->ma, pos, all.data, all.len);
		added = 1;
	}
	buf_release(&all);
	return (added);
}

/* Fill A's fields from B (see the top of the file). */
static void
merge_fields(struct merge_state *st)
{
	const struct table	*t = st->table;
	const struct field	*f;
	const struct value	*va, *vb;
	size_t			 pos;

	for (pos = 0; pos < t->nfields; pos++) {
		f = &t->fields[pos];
		va = &st->ra->values[pos];
		vb = &st->rb->values[pos];
		if (!vb->set)
			continue;
		/* B pointing at A would make A point at itself. */
		if (f->type == FT_REF && f->ref_table != NULL &&
		    strcmp(f->ref_table, t->name) == 0 &&
		    (vb->i == (int64_t)st->a || vb->i == (int64_t)st->b))
			continue;
		if (f->multi && !FT_IS_INT(f->type)) {
			if (merge_list(st, pos))
				st->action[pos] = va->set ? MA_ADDED :
				    MA_FILLED;
		} else if (!va->set) {
			cmd_copy_value(st->ma, st->rb, pos);
			st->action[pos] = MA_FILLED;
		} else if (!record_value_equal(va, vb, f->type))
			st->action[pos] = MA_KEPT;
	}
}

/* Give field pos of A back its own value: B's is not taken. */
static void
refuse(struct merge_state *st, size_t pos, const char *why)
{
	cmd_copy_value(st->ma, st->ra, pos);
	st->action[pos] = MA_REFUSED;
	free(st->reason[pos]);
	st->reason[pos] = xstrdup(why);
	if (st->bclear[pos]) {
		cmd_copy_value(st->mb, st->rb, pos);
		st->bclear[pos] = 0;
	}
}

/* The key of a composite unique constraint of rec, or 0 if it has
 * none (a part empty, "when" not holding). */
static int
unique_key(const struct record *rec, const struct unique *u,
    struct buf *out)
{
	struct keyset	ks;
	int		r;

	keyset_init(&ks);
	index_unique_keys(rec, u, &ks);
	buf_reset(out);
	if ((r = ks.n > 0))
		buf_add(out, ks.bytes.data + ks.off[0], ks.len[0]);
	keyset_release(&ks);
	return (r);
}

static int
buf_same(const struct buf *a, const struct buf *b)
{
	return (a->len == b->len && memcmp(a->data, b->data, a->len) == 0);
}

/*
 * Another record (not A, not B) holding the unique key A would get, or
 * 0.  Found through an index of one of the constraint's fields; with
 * none, the store's own check still refuses the whole merge.
 */
static int
unique_holder(struct merge_state *st, struct store_txn *txn,
    const struct unique *u, const struct buf *key, uint64_t *holder,
    struct buf *err)
{
	const struct table	*t = st->table;
	const struct field	*f = NULL;
	struct keyset		 ks;
	struct record		*o;
	struct buf		 ix = BUF_INIT, ok = BUF_INIT;
	uint64_t		 ids[64];
	size_t			 i, n = 0;
	int			 r, ret = 0;

	*holder = 0;
	for (i = 0; i < u->nfields && f == NULL; i++)
		if (t->fields[u->fields[i]].index & (IX_EXACT | IX_UNIQUE))
			f = &t->fields[u->fields[i]];
	if (f == NULL)
		return (0);
	keyset_init(&ks);
	index_field_keys(st->ma, f->pos,
	    (f->index & IX_EXACT) ? IX_EXACT : IX_UNIQUE, &ks);
	buf_printf(&ix, "%s:%s", f->name,
	    (f->index & IX_EXACT) ? "exact" : "unique");
	if (ks.n > 0 && store_lookup(txn, t, ix.data, ks.bytes.data +
	    ks.off[0], ks.len[0], ids, nitems(ids), &n, err) < 0)
		ret = -1;
	for (i = 0; ret == 0 && i < n && *holder == 0; i++) {
		if (ids[i] == st->a || ids[i] == st->b)
			continue;
		r = store_get(txn, t, ids[i], &o, err);
		if (r < 0)
			ret = -1;
		if (r != 0)
			continue;
		if (unique_key(o, u, &ok) && buf_same(&ok, key))
			*holder = ids[i];
		record_free(o);
	}
	keyset_release(&ks);
	buf_release(&ix);
	buf_release(&ok);
	return (ret);
}

/*
 * Unique constraints must not fail the merge halfway, nor fail it at
 * all when B itself holds what A takes: then B gives it up (its fields
 * of the constraint taken by A are cleared; its history keeps them).
 * What another record holds is not taken.
 */
static int
merge_uniques(struct merge_state *st, struct store_txn *txn,
    struct buf *err)
{
	const struct table	*t = st->table;
	const struct unique	*u;
	struct buf		 km = BUF_INIT, ka = BUF_INIT, kb = BUF_INIT;
	struct buf		 why = BUF_INIT;
	uint64_t		 holder;
	size_t			 i, k, pos;
	int			 ret = 0;

	for (i = 0; i < t->nuniques && ret == 0; i++) {
		u = &t->uniques[i];
		if (!unique_key(st->ma, u, &km))
			continue;
		if (unique_key(st->ra, u, &ka) && buf_same(&ka, &km))
			continue;
		if (unique_key(st->rb, u, &kb) && buf_same(&kb, &km)) {
			for (k = 0; k < u->nfields; k++) {
				pos = u->fields[k];
				if (st->action[pos] == MA_FILLED ||
				    st->action[pos] == MA_ADDED) {
					record_clear(st->mb, pos);
					st->bclear[pos] = 1;
				}
			}
			continue;
		}
		if ((ret = unique_holder(st, txn, u, &km, &holder, err)) != 0)
			break;
		if (holder == 0)
			continue;
		buf_reset(&why);
		buf_printf(&why, _("%s %llu has the same"), t->name,
		    (unsigned long long)holder);
		for (k = 0; k < u->nfields; k++)
			buf_printf(&why, "%s %s", k > 0 ? "," : "",
			    t->fields[u->fields[k]].name);
		for (k = 0; k < u->nfields; k++) {
			pos = u->fields[k];
			if (st->action[pos] == MA_FILLED ||
			    st->action[pos] == MA_ADDED)
				refuse(st, pos, why.data);
		}
	}
	/* A field unique on its own: what A takes, B gives up. */
	for (pos = 0; pos < t->nfields; pos++)
		if ((t->fields[pos].index & IX_UNIQUE) &&
		    (st->action[pos] == MA_FILLED ||
		    st->action[pos] == MA_ADDED)) {
			record_clear(st->mb, pos);
			st->bclear[pos] = 1;
		}
	buf_release(&km);
	buf_release(&ka);
	buf_release(&kb);
	buf_release(&why);
	return (ret);
}

/*
 * A filled from B must still be valid: a value checked against another
 * field (an account against its БИК) may not fit A's.  Such values are
 * not taken; a fault in what A had already refuses the merge.
 */
static int
merge_validate(struct merge_state *st, struct buf *err)
{
	struct buf	e = BUF_INIT;
	size_t		bad, tries;
	int		ret = 0;

	for (tries = 0; tries <= st->table->nfields; tries++) {
		buf_reset(&e);
		if (record_validate(st->ma, &bad, &e) == 0)
			break;
		if (st->action[bad] != MA_FILLED &&
		    st->action[bad] != MA_ADDED) {
			ret = buf_error(err, _("%s %llu is not valid as it "
			    "is: %s"), st->table->name,
			    (unsigned long long)st->a, e.data);
			break;
		}
		refuse(st, bad, e.data);
	}
	buf_release(&e);
	return (ret);
}

/* "merged into party 3" at the end of B's notes, if it has a notes
 * field; old notes are cut from the front when both would not fit. */
static void
merge_note(struct merge_state *st, struct buf *note)
{
	const struct table	*t = st->table;
	const struct field	*f;
	const struct value	*v;
	struct buf		 text = BUF_INIT;
	ssize_t			 pos;
	size_t			 room, have, skip, i;
	uint32_t		 cp;

	buf_reset(note);
	buf_printf(note, _("merged into %s %llu"), t->name,
	    (unsigned long long)st->a);
	if ((pos = table_field_pos(t, "notes")) < 0 ||
	    t->fields[pos].type != FT_TEXT || t->fields[pos].multi) {
		buf_reset(note);
		return;
	}
	f = &t->fields[pos];
	v = &st->mb->values[pos];
	if (v->set && v->len > 0) {
		have = utf8_length(v->s, v->len);
		room = f->maxlen == 0 ? have : f->maxlen >
		    utf8_length(note->data, note->len) + 1 ?
		    f->maxlen - utf8_length(note->data, note->len) - 1 : 0;
		for (i = skip = 0; have > room && i < v->len; have--)
			i += (skip = utf8_decode(v->s + i, v->len - i, &cp)) ?
			    skip : 1;
		if (i < v->len) {
			buf_add(&text, v->s + i, v->len - i);
			buf_addch(&text, '\n');
		}
	}
	buf_add(&text, note->data, note->len);
	record_set_text(st->mb, pos, text.data, text.len);
	buf_release(&text);
}

/* Everything that refers to B now refers to A. */
static int
merge_referrers(struct merge_state *st, struct store_txn *txn,
    struct buf *err)
{
	const struct table	*t = st->table;
	struct store_ref	*refs = NULL;
	struct record		*rec;
	const struct field	*f;
	struct buf		 who = BUF_INIT;
	size_t			 max = 64, n, i, j, pos;
	int			 r, ret = 0, changed;
	uint32_t		 base;

	/* All of them: a full buffer may mean more. */
	for (;;) {
		refs = xreallocarray(refs, max, sizeof *refs);
		if (store_referrers(txn, t, st->b, refs, max, &n, err) < 0) {
			free(refs);
			return (-1);
		}
		if (n < max)
			break;
		max *= 2;
	}
	for (i = 0; i < n && ret == 0; i++) {
		/* A record with two references to B is listed twice. */
		for (j = 0; j < i; j++)
			if (refs[j].table == refs[i].table &&
			    refs[j].id == refs[i].id)
				break;
		if (j < i || (refs[i].table == t && refs[i].id == st->b))
			continue;
		r = access_get(st->ctx->session, txn, refs[i].table,
		    refs[i].id, &rec, err);
		if (r == STORE_NOTFOUND)
			continue;
		if (r != 0) {
			ret = -1;
			break;
		}
		base = rec->rev;
		changed = 0;
		for (pos = 0; pos < rec->table->nfields; pos++) {
			f = &rec->table->fields[pos];
			if (f->type != FT_REF || f->ref_table == NULL ||
			    strcmp(f->ref_table, t->name) != 0 ||
			    !rec->values[pos].set ||
			    rec->values[pos].i != (int64_t)st->b)
				continue;
			/* A itself pointing at B: to itself, no. */
			if (rec->table == t && rec->id == st->a)
				record_clear(rec, pos);
			else
				record_set_int(rec, pos, (int64_t)st->a);
			changed = 1;
		}
		if (changed) {
			buf_reset(&who);
			title(rec, &who);
			if ((r = access_update(st->ctx->session, txn, rec, base,
			    err)) != 0) {
				buf_prefix(err, _("cannot move %s: "),
				    who.data);
				ret = -1;
			} else
				buf_printf(&st->report, _("  moved %s to %s "
				    "%llu\n"), who.data, t->name,
				    (unsigned long long)st->a);
		}
		record_free(rec);
	}
	free(refs);
	buf_release(&who);
	return (ret);
}

/* The lines about A's fields. */
static void
report_fields(struct merge_state *st)
{
	const struct table	*t = st->table;
	struct buf		*o = &st->report, v = BUF_INIT;
	struct buf		 cleared = BUF_INIT;
	size_t			 pos;

	for (pos = 0; pos < t->nfields; pos++) {
		const char *name = t->fields[pos].name;

		buf_reset(&v);
		switch (st->action[pos]) {
		case MA_FILLED:
			show_value(st, st->ma, pos, &v);
			buf_printf(o, _("  filled %s: %s\n"), name, v.data);
			break;
		case MA_ADDED:
			show_value(st, st->ma, pos, &v);
			buf_printf(o, _("  added to %s: now %s\n"), name,
			    v.data);
			break;
		case MA_KEPT:
			show_value(st, st->ra, pos, &v);
			buf_printf(o, _("  kept %s: %s"), name, v.data);
			buf_reset(&v);
			show_value(st, st->rb, pos, &v);
			buf_printf(o, _(" (%s %llu had %s)\n"), t->name,
			    (unsigned long long)st->b, v.data);
			break;
		case MA_REFUSED:
			show_value(st, st->rb, pos, &v);
			buf_printf(o, _("  not taken %s %s from %s %llu: %s\n"),
			    name, v.data, t->name, (unsigned long long)st->b,
			    st->reason[pos]);
			break;
		case MA_NONE:
			break;
		}
		if (st->bclear[pos])
			buf_printf(&cleared, "%s%s", cleared.len ? ", " : "",
			    name);
	}
	if (cleared.len > 0)
		buf_printf(o, _("  cleared %s of %s %llu: unique, now %s "
		    "%llu's\n"), cleared.data, t->name,
		    (unsigned long long)st->b, t->name,
		    (unsigned long long)st->a);
	buf_release(&v);
	buf_release(&cleared);
}

static int
merge_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct merge_state	*st = arg;
	const struct table	*t = st->table;
	struct buf		 note = BUF_INIT, ta = BUF_INIT, tb = BUF_INIT;
	size_t			 n = t->nfields + 1;
	int			 r, ret = -1;

	/* Run again after a deadlock: start afresh. */
	merge_reset(st);
	st->action = xcalloc(n, sizeof *st->action);
	st->reason = xcalloc(n, sizeof *st->reason);
	st->bclear = xcalloc(n, 1);

	if ((r = access_get(st->ctx->session, txn, t, st->a, &st->ra,
	    err)) == STORE_NOTFOUND)
		st->missing = st->a;
	else if (r == 0 && (r = access_get(st->ctx->session, txn, t, st->b,
	    &st->rb, err)) == STORE_NOTFOUND)
		st->missing = st->b;
	if (r != 0)
		return (r);
	if (st->ra->flags & REC_ARCHIVED)
		return (buf_error(err, _("cannot merge into %s %llu: it is "
		    "archived"), t->name, (unsigned long long)st->a));
	st->ma = record_dup(st->ra);
	st->mb = record_dup(st->rb);
	merge_fields(st);
	if (merge_uniques(st, txn, err) != 0 || merge_validate(st, err) != 0)
		goto out;

	/* Whole sentences, so a translation may order them its way. */
	title(st->rb, &tb);
	title(st->ra, &ta);
	buf_printf(&st->report, st->dry ? _("would merge %s into %s\n") :
	    _("merged %s into %s\n"), tb.data, ta.data);
	report_fields(st);

	/* B first: what it gives up must be free before A takes it. */
	merge_note(st, &note);
	r = access_update(st->ctx->session, txn, st->mb, st->rb->rev, err);
	if (r != 0) {
		buf_prefix(err, _("cannot update %s %llu: "), t->name,
		    (unsigned long long)st->b);
		goto out;
	}
	r = access_update(st->ctx->session, txn, st->ma, st->ra->rev, err);
	if (r != 0) {
		buf_prefix(err, _("cannot update %s %llu: "), t->name,
		    (unsigned long long)st->a);
		goto out;
	}
	if (merge_referrers(st, txn, err) != 0)
		goto out;
	if (!(st->rb->flags & REC_ARCHIVED)) {
		if (access_archive(st->ctx->session, txn, t, st->b, err) != 0)
			goto out;
		if (note.len > 0)
			buf_printf(&st->report, _("  archived %s %llu (notes: "
			    "%s)\n"), t->name, (unsigned long long)st->b,
			    note.data);
		else
			buf_printf(&st->report, _("  archived %s %llu\n"),
			    t->name, (unsigned long long)st->b);
	} else if (note.len > 0)
		buf_printf(&st->report, _("  noted in %s %llu (archived "
		    "already): %s\n"), t->name, (unsigned long long)st->b,
		    note.data);
	if (st->dry) {
		/* Undo it all: the report is what it would do. */
		st->dry_done = 1;
		goto out;
	}
	ret = 0;
out:
	buf_release(&note);
	buf_release(&ta);
	buf_release(&tb);
	return (ret);
}

static int
merge_exec(struct cmd_ctx *ctx)
{
	struct merge_state	 st;
	struct buf		 err = BUF_INIT;
	int			 r;

	if (ctx->argc == 4 && schema_table(ctx->schema, ctx->argv[2]) != NULL)
		return (cmd_usage(ctx, _("cannot merge records of different "
		    "tables ('%s' and '%s')"), ctx->argv[0], ctx->argv[2]));
	if (ctx->argc != 3)
		return (cmd_usage(ctx, _("give one table and two ids: merge "
		    "TABLE A B")));
	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	buf_init(&st.report);
	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if ((r = cmd_parse_id(ctx, ctx->argv[1], &st.a)) != CMD_OK ||
	    (r = cmd_parse_id(ctx, ctx->argv[2], &st.b)) != CMD_OK)
		return (r);
	if (st.a == st.b)
		return (cmd_error(ctx, _("cannot merge %s %llu into itself"),
		    st.table->name, (unsigned long long)st.a));
	st.dry = cmd_opt(ctx, "dry-run") != NULL;
	r = store_txn_run(ctx->store, 0, merge_txn, &st, &err);
	if (st.missing != 0)
		r = cmd_not_found(ctx, st.table, st.missing);
	else if (r != 0 && !st.dry_done)
		r = cmd_error(ctx, "%s", err.data);
	else {
		buf_add(&ctx->out, st.report.data, st.report.len);
		if (st.dry)
			buf_adds(&ctx->out, _("dry run: nothing changed\n"));
		r = CMD_OK;
	}
	merge_reset(&st);
	buf_release(&st.report);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_merge_entry = {
	"merge", "TABLE A B [--dry-run]",
	N_("merge record B into A: what refers to B moves to A, B is "
	    "archived"),
	"dry-run", 3, -1, merge_exec
};
