/*
 * cmd-history.c: "history TABLE ID": the audit trail of one record,
 * oldest first: when, who (the Unix login the server saw), what, and
 * each field's old and new value.  Read-only.  Must not print.
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

static int
history_exec(struct cmd_ctx *ctx)
{
	struct history_state	 st = { ctx, NULL, 0, NULL, 0 };
	struct buf		 err = BUF_INIT, when = BUF_INIT;
	const struct audit_entry *e;
	const struct audit_change *c;
	size_t			 i, j;
	int			 r;

	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if ((r = cmd_parse_id(ctx, ctx->argv[1], &st.id)) != CMD_OK)
		return (r);
	r = store_txn_run(ctx->store, STORE_TXN_READONLY, history_txn, &st,
	    &err);
	if (r == STORE_NOTFOUND || (r == 0 && st.n == 0))
		r = cmd_error(ctx, _("%s %llu not found"), st.table->name,
		    (unsigned long long)st.id);
	else if (r != 0)
		r = cmd_error(ctx, "%s", err.data);
	else {
		for (i = 0; i < st.n; i++) {
			e = &st.entries[i];
			buf_reset(&when);
			datetime_format(&when, e->when);
			buf_printf(&ctx->out, _("%s  %s  %s  rev %lu\n"),
			    when.data, e->user, action_word(e->action),
			    (unsigned long)e->rev);
			for (j = 0; j < e->nchanges; j++) {
				c = &e->changes[j];
				if (strcmp(e->action, "insert") == 0)
					buf_printf(&ctx->out, "    %s: %s\n",
					    c->field, c->new);
				else
					buf_printf(&ctx->out,
					    "    %s: %s → %s\n", c->field,
					    *c->old ? c->old : "\"\"",
					    *c->new ? c->new : "\"\"");
			}
		}
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
