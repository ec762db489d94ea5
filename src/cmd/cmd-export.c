/*
 * cmd-export.c: "export TABLE [--format csv|excel|tsv|json] [--archived]":
 * every record of a table, every field, in id order, as import reads
 * them back: a header of field names, plain values (ISO dates, 1234.56,
 * E.164 phones, choice names, list values joined by "; ").  Read page
 * by page, each page in its own short read-only transaction, and sent
 * to the client between pages when it takes output in parts, so a big
 * table neither holds a transaction nor piles up in memory.  Must not
 * print.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"

#define EXPORT_PAGE	500

struct export_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	int			 flags;		/* STORE_PAGE_* */
	uint64_t		 after;		/* last id of the page before */
	struct record		**recs;
	size_t			 n;
};

static int
export_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct export_state	*st = arg;

	store_records_free(st->recs, st->n);
	st->recs = NULL;
	st->n = 0;
	return (access_page(st->ctx->session, txn, st->table, NULL, NULL, 0,
	    st->after, st->flags, EXPORT_PAGE, &st->recs, &st->n, err));
}

static void
export_header(const struct table *t, enum cmd_format fmt, int archived,
    struct buf *o)
{
	const char	*sep = fmt == FMT_CSV ? "," : "\t";
	size_t		 i;

	buf_adds(o, "id");
	for (i = 0; i < t->nfields; i++) {
		buf_adds(o, sep);
		/* Names are identifiers: nothing to quote. */
		buf_adds(o, t->fields[i].name);
	}
	if (archived) {
		buf_adds(o, sep);
		buf_adds(o, "archived");
	}
	buf_adds(o, fmt == FMT_CSV ? "\r\n" : "\n");
}

static void
export_row(const struct record *rec, enum cmd_format fmt, int archived,
    struct buf *v, struct buf *o)
{
	const struct table	*t = rec->table;
	size_t			 i;

	buf_addu64(o, rec->id);
	for (i = 0; i < t->nfields; i++) {
		buf_addch(o, fmt == FMT_CSV ? ',' : '\t');
		buf_reset(v);
		cmd_value_plain(rec, i, v);
		if (fmt == FMT_CSV)
			cmd_csv_field(o, v->data, v->len);
		else
			cmd_tsv_field(o, v->data, v->len);
	}
	if (archived) {
		buf_addch(o, fmt == FMT_CSV ? ',' : '\t');
		if (rec->flags & REC_ARCHIVED)
			buf_adds(o, "yes");
	}
	buf_adds(o, fmt == FMT_CSV ? "\r\n" : "\n");
}

/*
 * --format excel: a CSV that a spreadsheet in a Russian locale opens by
 * a double click as it is meant: UTF-8 with a byte order mark (without
 * one Excel reads cp1251), ';' between fields (the Russian list
 * separator), the header and the choices by their labels, dates, money
 * and yes/no as people write them; and a value the spreadsheet would
 * take for a number or a formula (an ИНН with its leading zero, a
 * 20-digit account, +7 495 ..., =SUM) as a text formula ="...", which
 * it shows as the text.  Import reads all of it back.
 */
#define EXCEL_FORMULA_MAX	255	/* the longest text in a formula */

/* A field's header: its label, unless another field has it as a name
 * or label (import would take it for that one). */
static const char *
excel_header(const struct table *t, size_t i, int lang)
{
	const char	*l = field_label(&t->fields[i], lang);
	size_t		 j;

	if (strcasecmp(l, "id") == 0 || strcasecmp(l, "archived") == 0)
		return (t->fields[i].name);
	for (j = 0; j < t->nfields; j++) {
		if (j == i)
			continue;
		if (strcasecmp(l, t->fields[j].name) == 0 ||
		    (t->fields[j].label[0] != NULL &&
		    strcasecmp(l, t->fields[j].label[0]) == 0) ||
		    (t->fields[j].label[1] != NULL &&
		    strcmp(l, t->fields[j].label[1]) == 0))
			return (t->fields[i].name);
	}
	return (l);
}

static void
excel_field(struct buf *o, enum field_type type, const char *s, size_t len,
    struct buf *tmp)
{
	size_t	i;
	int	digits = len > 0;

	for (i = 0; i < len && digits; i++)
		digits = s[i] >= '0' && s[i] <= '9';
	if (type != FT_TEXT && type != FT_PHONE && type != FT_EMAIL) {
		cmd_csv_field_sep(o, ';', s, len);
		return;
	}
	if (!digits && (len == 0 || strchr("=+-@", s[0]) == NULL)) {
		cmd_csv_field_sep(o, ';', s, len);
		return;
	}
	buf_reset(tmp);
	if (len > EXCEL_FORMULA_MAX) {
		/* Too long for a formula: a blank before it keeps it
		 * text, and import trims it. */
		buf_addch(tmp, ' ');
		buf_add(tmp, s, len);
	} else {
		buf_adds(tmp, "=\"");
		for (i = 0; i < len; i++) {
			if (s[i] == '"')
				buf_addch(tmp, '"');
			buf_addch(tmp, s[i]);
		}
		buf_addch(tmp, '"');
	}
	cmd_csv_field_sep(o, ';', tmp->data, tmp->len);
}

static void
export_excel_header(const struct table *t, int lang, int archived,
    struct buf *o)
{
	size_t	i;

	buf_adds(o, "\xef\xbb\xbfid");
	for (i = 0; i < t->nfields; i++) {
		buf_addch(o, ';');
		cmd_csv_field_sep(o, ';', excel_header(t, i, lang),
		    strlen(excel_header(t, i, lang)));
	}
	if (archived)
		buf_adds(o, ";archived");
	buf_adds(o, "\r\n");
}

static void
export_excel_row(const struct record *rec, int lang, int archived,
    struct buf *v, struct buf *o)
{
	const struct table	*t = rec->table;
	struct buf		 tmp = BUF_INIT;
	size_t			 i;

	buf_addu64(o, rec->id);
	for (i = 0; i < t->nfields; i++) {
		buf_addch(o, ';');
		buf_reset(v);
		record_value_format(&t->fields[i], t->fields[i].type,
		    &rec->values[i], VALUE_PEOPLE, lang, v);
		excel_field(o, t->fields[i].type, v->data, v->len, &tmp);
	}
	if (archived) {
		buf_addch(o, ';');
		if (rec->flags & REC_ARCHIVED)
			buf_adds(o, "yes");
	}
	buf_adds(o, "\r\n");
	buf_release(&tmp);
}

static void
export_json(const struct record *rec, int archived, int first, struct buf *o)
{
	const struct table	*t = rec->table;
	size_t			 i;

	buf_adds(o, first ? "[\n" : ",\n");
	buf_printf(o, "{\"id\":%llu", (unsigned long long)rec->id);
	for (i = 0; i < t->nfields; i++) {
		buf_addch(o, ',');
		buf_addjson(o, t->fields[i].name, strlen(t->fields[i].name));
		buf_addch(o, ':');
		cmd_value_json(rec, i, o);
	}
	if (archived)
		buf_printf(o, ",\"archived\":%s",
		    (rec->flags & REC_ARCHIVED) ? "true" : "false");
	buf_addch(o, '}');
}

static int
export_exec(struct cmd_ctx *ctx)
{
	struct export_state	 st;
	enum cmd_format		 fmt = FMT_CSV;
	struct buf		 err = BUF_INIT, v = BUF_INIT;
	const char		*f;
	uint64_t		 seen = 0;
	size_t			 i;
	int			 r, archived, excel = 0;

	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	/* CSV unless told otherwise; a table for people is list's, so
	 * cmd_format_get(), which offers one, is not asked. */
	if ((f = cmd_opt(ctx, "format")) != NULL) {
		if (strcmp(f, "tsv") == 0)
			fmt = FMT_TSV;
		else if (strcmp(f, "json") == 0)
			fmt = FMT_JSON;
		else if (strcmp(f, "excel") == 0)
			excel = 1;
		else if (strcmp(f, "csv") != 0)
			return (cmd_usage(ctx, _("unknown format '%s'; export "
			    "writes csv, excel, tsv or json"), f));
	}
	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if (access_check(ctx->session, st.table, ACCESS_EXPORT, &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	archived = cmd_opt(ctx, "archived") != NULL;
	if (archived)
		st.flags |= STORE_PAGE_ARCHIVED;

	if (excel)
		export_excel_header(st.table, ctx->lang, archived, &ctx->out);
	else if (fmt != FMT_JSON)
		export_header(st.table, fmt, archived, &ctx->out);
	r = CMD_OK;
	for (;;) {
		if (store_txn_run(ctx->store, STORE_TXN_READONLY, export_txn,
		    &st, &err) != 0) {
			r = cmd_error(ctx, _("export of '%s' stopped after %llu "
			    "records: %s"), st.table->name,
			    (unsigned long long)seen, err.data);
			break;
		}
		for (i = 0; i < st.n; i++) {
			if (excel)
				export_excel_row(st.recs[i], ctx->lang,
				    archived, &v, &ctx->out);
			else if (fmt == FMT_JSON)
				export_json(st.recs[i], archived, seen + i == 0,
				    &ctx->out);
			else
				export_row(st.recs[i], fmt, archived, &v,
				    &ctx->out);
		}
		seen += st.n;
		if (st.n < EXPORT_PAGE)
			break;
		st.after = st.recs[st.n - 1]->id;
		/* Between pages no transaction is open: the client may take
		 * its time over what came so far. */
		if (cmd_flush(ctx) != 0) {
			r = CMD_FAILED;
			break;
		}
		cmd_progress(ctx, _("exported %llu records"),
		    (unsigned long long)seen);
	}
	if (r == CMD_OK && fmt == FMT_JSON)
		buf_adds(&ctx->out, seen == 0 ? "[]\n" : "\n]\n");
	store_records_free(st.recs, st.n);
	buf_release(&err);
	buf_release(&v);
	return (r);
}

const struct cmd_entry cmd_export_entry = {
	"export", "TABLE [--format csv|excel|tsv|json] [--archived]",
	N_("write every record of a table, as import reads it back"),
	"format=,archived", 1, 1, export_exec
};
