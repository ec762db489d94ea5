/*
 * cmd-show.c: "show TABLE ID [--format text|json]": one record as
 * "Label: value" lines aligned by display width (a reference by the
 * record it points at, read in a second transaction), or as a JSON
 * object.  Must not change anything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct show_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	uint64_t		 id;
	struct record		*rec;
};

static int
show_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct show_state	*st = arg;

	record_free(st->rec);
	st->rec = NULL;
	return (access_get(st->ctx->session, txn, st->table, st->id, &st->rec,
	    err));
}

static void
show_json(struct cmd_ctx *ctx, const struct record *rec)
{
	const struct table	*t = rec->table;
	struct buf		*o = &ctx->out, when = BUF_INIT;
	size_t			 i;

	buf_printf(o, "{\"id\":%llu,\"rev\":%lu,\"archived\":%s",
	    (unsigned long long)rec->id, (unsigned long)rec->rev,
	    (rec->flags & REC_ARCHIVED) ? "true" : "false");
	datetime_format(&when, rec->created);
	buf_adds(o, ",\"created\":");
	buf_addjson(o, when.data, when.len);
	buf_adds(o, ",\"created_by\":");
	buf_addjson(o, rec->created_by ? rec->created_by : "",
	    rec->created_by ? strlen(rec->created_by) : 0);
	buf_reset(&when);
	datetime_format(&when, rec->updated);
	buf_adds(o, ",\"updated\":");
	buf_addjson(o, when.data, when.len);
	buf_adds(o, ",\"updated_by\":");
	buf_addjson(o, rec->updated_by ? rec->updated_by : "",
	    rec->updated_by ? strlen(rec->updated_by) : 0);
	for (i = 0; i < t->nfields; i++) {
		buf_addch(o, ',');
		buf_addjson(o, t->fields[i].name,
		    strlen(t->fields[i].name));
		buf_addch(o, ':');
		cmd_value_json(rec, i, o);
	}
	buf_adds(o, "}\n");
	buf_release(&when);
}

static void
show_text(struct cmd_ctx *ctx, const struct record *rec)
{
	const struct table	*t = rec->table;
	struct cmd_titles	 titles;
	struct cmd_grid		 g;
	struct buf		 v = BUF_INIT;
	size_t			 i;

	/* References by the records they point at, as lists show them. */
	cmd_titles_init(&titles, ctx);
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].type == FT_REF && rec->values[i].set)
			cmd_titles_want(&titles, cmd_ref_table(ctx,
			    &t->fields[i]), (uint64_t)rec->values[i].i);
	cmd_titles_load(&titles);

	/* A two-column grid: labels padded to one width, values free. */
	cmd_grid_init(&g, 2);
	cmd_grid_adds(&g, ctx->lang ? "№:" : "Id:");
	buf_printf(&v, "%llu", (unsigned long long)rec->id);
	cmd_grid_add(&g, v.data, v.len);
	for (i = 0; i < t->nfields; i++) {
		if (!rec->values[i].set)
			continue;
		buf_reset(&v);
		buf_printf(&v, "%s:", field_label(&t->fields[i], ctx->lang));
		cmd_grid_add(&g, v.data, v.len);
		buf_reset(&v);
		if (t->fields[i].type == FT_REF)
			cmd_titles_text(&titles, cmd_ref_table(ctx,
			    &t->fields[i]), (uint64_t)rec->values[i].i, &v);
		else
			cmd_value_text(rec, i, ctx->lang, &v);
		cmd_grid_add(&g, v.data, v.len);
	}
	if (rec->flags & REC_ARCHIVED) {
		cmd_grid_adds(&g, ctx->lang ? "Архив:" : "Archived:");
		cmd_grid_adds(&g, ctx->lang ? "да" : "yes");
	}
	cmd_grid_adds(&g, ctx->lang ? "Ревизия:" : "Revision:");
	buf_reset(&v);
	buf_printf(&v, "%lu", (unsigned long)rec->rev);
	cmd_grid_add(&g, v.data, v.len);
	cmd_grid_adds(&g, ctx->lang ? "Создано:" : "Created:");
	buf_reset(&v);
	datetime_format(&v, rec->created);
	if (rec->created_by != NULL)
		buf_printf(&v, " %s %s", ctx->lang ? "—" : "by",
		    rec->created_by);
	cmd_grid_add(&g, v.data, v.len);
	if (rec->rev > 1) {
		cmd_grid_adds(&g, ctx->lang ? "Изменено:" : "Updated:");
		buf_reset(&v);
		datetime_format(&v, rec->updated);
		if (rec->updated_by != NULL)
			buf_printf(&v, " %s %s", ctx->lang ? "—" : "by",
			    rec->updated_by);
		cmd_grid_add(&g, v.data, v.len);
	}
	/* Values are shown whole: no width cap. */
	cmd_grid_render(&g, FMT_TABLE, 0, 0, &ctx->out);
	cmd_grid_release(&g);
	cmd_titles_release(&titles);
	buf_release(&v);
}

static int
show_exec(struct cmd_ctx *ctx)
{
	struct show_state	 st = { ctx, NULL, 0, NULL };
	struct buf		 err = BUF_INIT;
	const char		*fmt = cmd_opt(ctx, "format");
	int			 r, json = 0;

	if (fmt != NULL) {
		if (strcmp(fmt, "json") == 0)
			json = 1;
		else if (strcmp(fmt, "text") != 0)
			return (cmd_usage(ctx, _("unknown format '%s'; use "
			    "text or json"), fmt));
	}
	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if ((r = cmd_parse_id(ctx, ctx->argv[1], &st.id)) != CMD_OK)
		return (r);
	r = store_txn_run(ctx->store, STORE_TXN_READONLY | STORE_TXN_ONEREAD,
	    show_txn, &st, &err);
	if (r == STORE_NOTFOUND)
		r = cmd_not_found(ctx, st.table, st.id);
	else if (r != 0)
		r = cmd_error(ctx, "%s", err.data);
	else {
		if (json)
			show_json(ctx, st.rec);
		else
			show_text(ctx, st.rec);
		r = CMD_OK;
	}
	record_free(st.rec);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_show_entry = {
	"show", "TABLE ID [--format text|json]",
	N_("show one record"),
	"format=", 2, 2, show_exec
};
