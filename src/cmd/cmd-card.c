/*
 * cmd-card.c: "card TABLE ID|new": what the TUI's record card needs of
 * one record, in the TUI's machine format (tui.h): its revision and
 * stamps, each value as text that parses back to it when typed (so the
 * card edits what it shows), the titles of the records its references
 * point at, and the records of other tables that refer to it (a
 * party's contacts).  "new" gives a new record's defaults.  Lines:
 *   record   ID REV ARCHIVED(0|1) CREATED CREATED_BY UPDATED UPDATED_BY
 *   value    FIELD TEXT
 *   ref      FIELD ID TITLE
 *   related  TABLE FIELD ID TITLE
 *   more     1       (more related records than were listed)
 * Reads in one read-only transaction.  Must not print or change
 * anything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define CARD_RELATED	100	/* related records listed at most */

struct card_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	uint64_t		 id;
	struct record		*rec;
	struct buf		 out;	/* this try's lines */
};

/*
 * The title of (table, id), or "#id" when it cannot be read (gone, or
 * not for this operator's eyes).  A deadlock in the read needs no care
 * here: store_txn_run() runs the whole try again whatever fn returns.
 */
static void
card_title(struct card_state *st, struct store_txn *txn,
    const struct table *t, uint64_t id, struct buf *title)
{
	struct record	*r = NULL;
	struct buf	 err = BUF_INIT;

	if (access_get(st->ctx->session, txn, t, id, &r, &err) == 0)
		record_title(r, title);
	else {
		buf_reset(title);
		buf_printf(title, "#%llu", (unsigned long long)id);
	}
	record_free(r);
	buf_release(&err);
}

static void
card_refs(struct card_state *st, struct store_txn *txn)
{
	const struct table	*t = st->table, *rt;
	struct buf		 title = BUF_INIT, n = BUF_INIT;
	size_t			 i;

	for (i = 0; i < t->nfields; i++) {
		if (t->fields[i].type != FT_REF || !st->rec->values[i].set)
			continue;
		if ((rt = schema_table(st->ctx->schema,
		    t->fields[i].ref_table)) == NULL)
			continue;
		card_title(st, txn, rt, (uint64_t)st->rec->values[i].i,
		    &title);
		buf_adds(&st->out, "ref");
		cmd_machine_str(&st->out, t->fields[i].name);
		buf_reset(&n);
		buf_printf(&n, "%llu",
		    (unsigned long long)st->rec->values[i].i);
		cmd_machine_field(&st->out, n.data, n.len);
		cmd_machine_field(&st->out, title.data, title.len);
		buf_addch(&st->out, '\n');
	}
	buf_release(&title);
	buf_release(&n);
}

/* Which field of r refers to (st->table, st->id): its name, or NULL. */
static const char *
card_ref_field(const struct card_state *st, const struct record *r)
{
	const struct table	*t = r->table;
	size_t			 i;

	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].type == FT_REF && r->values[i].set &&
		    (uint64_t)r->values[i].i == st->id &&
		    strcmp(t->fields[i].ref_table, st->table->name) == 0)
			return (t->fields[i].name);
	return (NULL);
}

static int
card_related(struct card_state *st, struct store_txn *txn, struct buf *err)
{
	struct store_ref	*refs;
	struct record		*r;
	struct buf		 title = BUF_INIT, n = BUF_INIT;
	const char		*field;
	size_t			 nrefs = 0, i;
	int			 rc;

	refs = xcalloc(CARD_RELATED + 1, sizeof *refs);
	rc = access_referrers(st->ctx->session, txn, st->table, st->id, refs,
	    CARD_RELATED + 1, &nrefs, err);
	if (rc < 0)
		goto out;
	rc = 0;
	for (i = 0; i < nrefs && i < CARD_RELATED; i++) {
		r = NULL;
		/* Not this operator's to see: not listed. */
		if (access_get(st->ctx->session, txn, refs[i].table,
		    refs[i].id, &r, err) != 0)
			continue;
		if ((field = card_ref_field(st, r)) != NULL &&
		    !(r->flags & REC_ARCHIVED)) {
			record_title(r, &title);
			buf_adds(&st->out, "related");
			cmd_machine_str(&st->out, r->table->name);
			cmd_machine_str(&st->out, field);
			buf_reset(&n);
			buf_printf(&n, "%llu", (unsigned long long)r->id);
			cmd_machine_field(&st->out, n.data, n.len);
			cmd_machine_field(&st->out, title.data, title.len);
			buf_addch(&st->out, '\n');
		}
		record_free(r);
	}
	if (nrefs > CARD_RELATED)
		buf_adds(&st->out, "more\t1\n");
out:
	free(refs);
	buf_release(&title);
	buf_release(&n);
	return (rc);
}

static void
card_record_line(struct card_state *st)
{
	const struct record	*rec = st->rec;
	struct buf		 v = BUF_INIT;
	size_t			 i;

	buf_printf(&st->out, "record\t%llu\t%lu\t%d",
	    (unsigned long long)rec->id, (unsigned long)rec->rev,
	    (rec->flags & REC_ARCHIVED) ? 1 : 0);
	if (rec->id != 0) {
		datetime_format(&v, rec->created);
		cmd_machine_field(&st->out, v.data, v.len);
		cmd_machine_str(&st->out, rec->created_by);
		buf_reset(&v);
		datetime_format(&v, rec->updated);
		cmd_machine_field(&st->out, v.data, v.len);
		cmd_machine_str(&st->out, rec->updated_by);
	}
	buf_addch(&st->out, '\n');
	for (i = 0; i < rec->table->nfields; i++) {
		if (!rec->values[i].set)
			continue;
		buf_reset(&v);
		/* Text for people that record_parse() reads back: choices
		 * by label, phones grouped, lists joined by ", ". */
		cmd_value_text(rec, i, st->ctx->lang, &v);
		buf_adds(&st->out, "value");
		cmd_machine_str(&st->out, rec->table->fields[i].name);
		cmd_machine_field(&st->out, v.data, v.len);
		buf_addch(&st->out, '\n');
	}
	buf_release(&v);
}

static int
card_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct card_state	*st = arg;
	int			 rc;

	buf_reset(&st->out);
	record_free(st->rec);
	st->rec = NULL;
	if (st->id == 0) {
		/* A new record: only its defaults. */
		st->rec = record_new(st->table);
		record_defaults(st->rec);
		card_record_line(st);
		return (0);
	}
	if ((rc = access_get(st->ctx->session, txn, st->table, st->id,
	    &st->rec, err)) != 0)
		return (rc);
	card_record_line(st);
	card_refs(st, txn);
	return (card_related(st, txn, err));
}

static int
card_exec(struct cmd_ctx *ctx)
{
	struct card_state	 st;
	struct buf		 err = BUF_INIT;
	int			 r;

	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	buf_init(&st.out);
	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if (strcmp(ctx->argv[1], "new") != 0 &&
	    (r = cmd_parse_id(ctx, ctx->argv[1], &st.id)) != CMD_OK)
		return (r);
	r = store_txn_run(ctx->store, STORE_TXN_READONLY, card_txn, &st,
	    &err);
	if (r == STORE_NOTFOUND)
		r = cmd_not_found(ctx, st.table, st.id);
	else if (r != 0)
		r = cmd_error(ctx, "%s", err.data);
	else {
		buf_add(&ctx->out, st.out.data, st.out.len);
		r = CMD_OK;
	}
	record_free(st.rec);
	buf_release(&st.out);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_card_entry = {
	"card", "TABLE ID|new",
	N_("one record for the record card of the TUI (machine format)"),
	NULL, 2, 2, card_exec
};
