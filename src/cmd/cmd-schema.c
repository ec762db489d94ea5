/*
 * cmd-schema.c: "schema [TABLE]": the tables of the forms as a client
 * needs them to draw lists and cards without a schema of its own (the
 * TUI links no record layer): fields with types, labels in both
 * languages, flags, indexes, enum values, list columns and the drawn
 * screen.  The output is the TUI's machine format (tui.h): one item a
 * line, TAB-separated fields, backslash escapes.  Also home of
 * cmd_machine_field(), that format's writer, shared with cmd-page.c.
 * Must not print or change anything.
 */
#include "config.h"

#include <string.h>

#include "cmd.h"

void
cmd_machine_field(struct buf *out, const char *s, size_t len)
{
	buf_addch(out, '\t');
	buf_addesc(out, s, len);
}

void
cmd_machine_str(struct buf *out, const char *s)
{
	if (s == NULL)
		s = "";
	cmd_machine_field(out, s, strlen(s));
}

static const char *
schema_validator(enum validator v)
{
	switch (v) {
	case VAL_NONE:
		break;
	case VAL_INN:
		return ("inn");
	case VAL_INN_ORG:
		return ("inn_org");
	case VAL_INN_PERSON:
		return ("inn_person");
	case VAL_KPP:
		return ("kpp");
	case VAL_OGRN:
		return ("ogrn");
	case VAL_BIK:
		return ("bik");
	case VAL_ACCOUNT:
		return ("account");
	case VAL_CORR_ACCOUNT:
		return ("corr_account");
	case VAL_SNILS:
		return ("snils");
	case VAL_BIRTHDAY:
		return ("birthday");
	}
	return ("");
}

static void
schema_field(struct buf *o, const struct table *t, const struct field *f)
{
	struct buf	 v = BUF_INIT;
	size_t		 i;

	buf_adds(o, "field");
	cmd_machine_str(o, t->name);
	cmd_machine_str(o, f->name);
	cmd_machine_str(o, field_type_name(f->type));
	cmd_machine_str(o, f->label[0]);
	cmd_machine_str(o, f->label[1]);
	buf_printf(&v, "%s%s", f->required ? "r" : "", f->multi ? "m" : "");
	cmd_machine_field(o, v.data, v.len);
	buf_reset(&v);
	buf_printf(&v, "%zu", f->maxlen);
	cmd_machine_field(o, v.data, v.len);
	buf_reset(&v);
	buf_printf(&v, "%s%s%s%s", f->index & IX_EXACT ? "e" : "",
	    f->index & IX_FOLDED ? "f" : "", f->index & IX_UNIQUE ? "u" : "",
	    f->index & IX_SEARCH ? "s" : "");
	cmd_machine_field(o, v.data, v.len);
	cmd_machine_str(o, f->ref_table);
	buf_reset(&v);
	buf_adds(&v, schema_validator(f->validator));
	if (f->validator_arg != NULL)
		buf_printf(&v, "(%s)", f->validator_arg);
	cmd_machine_field(o, v.data, v.len);
	cmd_machine_str(o, f->deflt);
	buf_addch(o, '\n');
	for (i = 0; i < f->nvalues; i++) {
		buf_adds(o, "value");
		cmd_machine_str(o, t->name);
		cmd_machine_str(o, f->name);
		cmd_machine_str(o, f->values[i].name);
		cmd_machine_str(o, f->values[i].label[0]);
		cmd_machine_str(o, f->values[i].label[1]);
		buf_addch(o, '\n');
	}
	buf_release(&v);
}

static void
schema_table_out(struct buf *o, const struct table *t)
{
	const struct screen_item *it;
	size_t			  i;

	buf_adds(o, "table");
	cmd_machine_str(o, t->name);
	cmd_machine_str(o, t->label[0]);
	cmd_machine_str(o, t->label[1]);
	cmd_machine_str(o, t->plural[0]);
	cmd_machine_str(o, t->plural[1]);
	cmd_machine_str(o, t->has_search ? "1" : "0");
	buf_addch(o, '\n');
	for (i = 0; i < t->nfields; i++)
		schema_field(o, t, &t->fields[i]);
	buf_adds(o, "list");
	cmd_machine_str(o, t->name);
	if (t->nlist_cols == 0)
		for (i = 0; i < t->nfields; i++)
			cmd_machine_str(o, t->fields[i].name);
	for (i = 0; i < t->nlist_cols; i++)
		cmd_machine_str(o, t->list_cols[i]);
	buf_addch(o, '\n');
	for (i = 0; i < t->screen.nlines; i++) {
		buf_adds(o, "line");
		cmd_machine_str(o, t->name);
		cmd_machine_str(o, t->screen.lines[i]);
		buf_addch(o, '\n');
	}
	for (i = 0; i < t->screen.nitems; i++) {
		it = &t->screen.items[i];
		buf_printf(o, "item\t%s\t%d\t%d\t%d\t%s", t->name, it->row,
		    it->col, it->width, it->is_label ? "label" : "entry");
		cmd_machine_str(o, t->fields[it->field].name);
		buf_addch(o, '\n');
	}
}

static int
schema_exec(struct cmd_ctx *ctx)
{
	const struct table	*t;
	size_t			 i;

	if (ctx->argc == 1) {
		if ((t = cmd_table_get(ctx, ctx->argv[0])) == NULL)
			return (CMD_FAILED);
		if (access_check(ctx->session, t, ACCESS_READ,
		    &ctx->error) != 0)
			return (CMD_FAILED);
		schema_table_out(&ctx->out, t);
		return (CMD_OK);
	}
	/* Tables the operator may not read are not shown at all. */
	for (i = 0; i < ctx->schema->ntables; i++) {
		t = ctx->schema->tables[i];
		if (access_check(ctx->session, t, ACCESS_READ, NULL) == 0)
			schema_table_out(&ctx->out, t);
	}
	return (CMD_OK);
}

const struct cmd_entry cmd_schema_entry = {
	"schema", "[TABLE]",
	N_("describe the tables, for programs (the terminal interface)"),
	"", 0, 1, schema_exec
};
