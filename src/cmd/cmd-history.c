/*
 * cmd-history.c: "history TABLE ID": the audit trail of one record,
 * oldest first: when, who (the Unix login the server saw), what, and
 * each field's old and new value, for people: a field by its label, a
 * value as lists show it (a choice by its label, a date as 31.01.2026,
 * a reference as the number and the name), an empty one as "—".
 * Read-only.  Must not print.
 */
#include "config.h"

#include <string.h>

#include "cmd.h"

/* The store's action codes, as people read them. */
static const struct {
	const char	*code;
	const char	*word;
} actions[] = {
	{ "insert", N_("created") },
	{ "update", N_("changed") },
	{ "archive", N_("archived") },
	{ "restore", N_("restored") },
	{ "purge", N_("purged") },
};

static const char *
action_word(const char *code)
{
	size_t	i;

	for (i = 0; i < nitems(actions); i++)
		if (strcmp(actions[i].code, code) == 0)
			return (_(actions[i].word));
	return (code);		/* a newer store's: shown as it is */
}

struct history_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	uint64_t		 id;
	struct audit_entry	*entries;
	size_t			 n;
};

static int
history_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct history_state	*st = arg;

	store_history_free(st->entries, st->n);
	st->entries = NULL;
	st->n = 0;
	return (access_history(st->ctx->session, txn, st->table, st->id,
	    &st->entries, &st->n, err));
}

/*
 * A value of the trail (stored as files have it) for people, appended
 * to out: parsed back into field pos of scratch and shown as lists show
 * it; a reference through ts (loaded beforehand).  A value the field no
 * longer takes (a limit made shorter since) is shown as it was kept.
 */
static void
history_value(struct cmd_ctx *ctx, struct cmd_titles *ts,
    struct record *scratch, ssize_t pos, const char *text, struct buf *out)
{
	const struct field	*f;
	struct buf		 why = BUF_INIT;

	if (*text == '\0') {
		buf_adds(out, "—");
		return;
	}
	if (pos < 0 || record_parse_why(scratch, (size_t)pos, text,
	    &why) != 0 || !scratch->values[pos].set) {
		buf_adds(out, text);
		buf_release(&why);
		return;
	}
	f = &scratch->table->fields[pos];
	if (f->type == FT_REF && ts != NULL)
		cmd_titles_text(ts, cmd_ref_table(ctx, f),
		    (uint64_t)scratch->values[pos].i, out);
	else
		cmd_value_text(scratch, (size_t)pos, ctx->lang, out);
	buf_release(&why);
}

/* The position of a field of the trail in t, or -1 (a field dropped
 * from the form since). */
static ssize_t
history_field(const struct table *t, const char *name)
{
	const struct field	*f;

	if ((f = table_field(t, name)) == NULL)
		return (-1);
	return (f - t->fields);
}

/* The records the trail's references point at, read in one go. */
static void
history_titles(struct cmd_ctx *ctx, struct history_state *st,
    struct record *scratch, struct cmd_titles *ts)
{
	const struct audit_change *c;
	struct buf		 why = BUF_INIT;
	const char		*v[2];
	size_t			 i, j, k;
	ssize_t			 pos;

	for (i = 0; i < st->n; i++)
		for (j = 0; j < st->entries[i].nchanges; j++) {
			c = &st->entries[i].changes[j];
			if ((pos = history_field(st->table, c->field)) < 0 ||
			    st->table->fields[pos].type != FT_REF)
				continue;
			v[0] = c->old;
			v[1] = c->new;
			for (k = 0; k < 2; k++)
				if (*v[k] != '\0' && record_parse_why(scratch,
				    (size_t)pos, v[k], &why) == 0 &&
				    scratch->values[pos].set)
					cmd_titles_want(ts, cmd_ref_table(ctx,
					    &st->table->fields[pos]),
					    (uint64_t)scratch->values[pos].i);
		}
	buf_release(&why);
	cmd_titles_load(ts);
}

static int
history_exec(struct cmd_ctx *ctx)
{
	struct history_state	 st = { ctx, NULL, 0, NULL, 0 };
	struct buf		 err = BUF_INIT, when = BUF_INIT;
	const struct audit_entry *e;
	const struct audit_change *c;
	struct cmd_titles	 ts;
	struct record		*scratch;
	const char		*label;
	size_t			 i, j;
	ssize_t			 pos;
	int			 r;

	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if ((r = cmd_parse_id(ctx, ctx->argv[1], &st.id)) != CMD_OK)
		return (r);
	r = store_txn_run(ctx->store, STORE_TXN_READONLY, history_txn, &st,
	    &err);
	if (r == STORE_NOTFOUND || (r == 0 && st.n == 0))
		r = cmd_not_found(ctx, st.table, st.id);
	else if (r != 0)
		r = cmd_error(ctx, "%s", err.data);
	else {
		scratch = record_new(st.table);
		cmd_titles_init(&ts, ctx);
		history_titles(ctx, &st, scratch, &ts);
		for (i = 0; i < st.n; i++) {
			e = &st.entries[i];
			buf_reset(&when);
			datetime_format(&when, e->when);
			buf_printf(&ctx->out, _("%s  %s  %s  rev %lu\n"),
			    when.data, e->user, action_word(e->action),
			    (unsigned long)e->rev);
			for (j = 0; j < e->nchanges; j++) {
				c = &e->changes[j];
				pos = history_field(st.table, c->field);
				label = pos < 0 ? c->field :
				    field_label(&st.table->fields[pos],
				    ctx->lang);
				buf_printf(&ctx->out, "    %s: ", label);
				if (strcmp(e->action, "insert") != 0) {
					history_value(ctx, &ts, scratch, pos,
					    c->old, &ctx->out);
					buf_adds(&ctx->out, " → ");
				}
				history_value(ctx, &ts, scratch, pos, c->new,
				    &ctx->out);
				buf_addch(&ctx->out, '\n');
			}
		}
		cmd_titles_release(&ts);
		record_free(scratch);
		r = CMD_OK;
	}
	store_history_free(st.entries, st.n);
	buf_release(&err);
	buf_release(&when);
	return (r);
}

const struct cmd_entry cmd_history_entry = {
	"history", "TABLE ID",
	N_("show who changed a record, when, and what"),
	NULL, 2, 2, history_exec
};
