/*
 * cmd-report.c: "report" lists the report forms (NAME.report beside
 * the .form files the server loaded) with their parameters; "report
 * NAME [param=value ...] [--format text|csv|tsv|json]" runs one: binds
 * its parameters, runs its query in one run of the engine (rows sent a
 * page's worth at a time, never inside a transaction) and lays them out
 * under the report's headings, with group headers, subtotals and a
 * grand total.  The files are read on every run, so an edited report
 * needs no restart, and a mistake in one is "file:line: message".
 * Must not print.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "query/query.h"
#include "query/report.h"

#define REPORT_PAGE	200
#define REPORT_CELL_MAX	40	/* cells of a column with no width given */
#define REPORT_SUM_MIN	14	/* a sum's column fits 12 345 678,90 */

enum rformat { RFMT_TEXT, RFMT_CSV, RFMT_TSV, RFMT_JSON, RFMT_LINES };

/* Running totals of one column at one level. */
struct acc {
	int64_t		 sum;
	uint64_t	 count;
	int64_t		 min, max;
};

struct rrun {
	struct cmd_ctx		*ctx;
	const struct report	*r;
	const struct query	*q;
	enum rformat		 fmt;
	int			 lang;
	size_t			 ncols;		/* shown columns */
	size_t			*cols;		/* their query columns */
	size_t			*widths;
	int			*right;
	const struct report_column **rc;	/* their report column, or NULL */
	int			 totals;	/* any column totals */
	size_t			 ngroups;
	struct acc		*acc;		/* (ngroups + 1) x ncols */
	char			**keys;		/* the current group keys, folded */
	char			**titles;	/* the same for people */
	struct value		*gv;		/* the same as values */
	int			 json_started;
	int			 started;	/* a row has come */
	uint64_t		 rows;
	size_t			 indent;	/* text: of details and totals */
	const struct value	*pvals;		/* the parameters' values */
	/* The next line's cell span_at takes the room of span cells (a
	 * subtotal's label over the keys it leaves empty). */
	size_t			 span_at, span;
	int			 heading;	/* text_line: the headings */
	/* Text: the table each query column's references point at (NULL:
	 * not a reference), and their titles, read a page at a time. */
	const struct table	**ref;
	int			 refs;
	struct cmd_titles	 reftitles;
};

/* Query column col's value v for people: a reference by its record. */
static void
people_text(struct rrun *o, size_t col, const struct value *v,
    struct buf *out)
{
	if (o->ref != NULL && o->ref[col] != NULL && v->set)
		cmd_titles_text(&o->reftitles, o->ref[col], (uint64_t)v->i,
		    out);
	else
		query_value_text(o->q, col, v, 0, o->lang, out);
}

static int
report_format(struct cmd_ctx *ctx, enum rformat *fmt)
{
	const char	*s = cmd_opt(ctx, "format");

	*fmt = RFMT_TEXT;
	if (s == NULL || strcmp(s, "text") == 0 || strcmp(s, "table") == 0)
		return (CMD_OK);
	if (strcmp(s, "csv") == 0)
		*fmt = RFMT_CSV;
	else if (strcmp(s, "tsv") == 0)
		*fmt = RFMT_TSV;
	else if (strcmp(s, "json") == 0)
		*fmt = RFMT_JSON;
	else if (strcmp(s, "lines") == 0 && ctx->argc == 0)
		*fmt = RFMT_LINES;	/* the TUI's machine format */
	else
		return (cmd_usage(ctx, _("unknown report format '%s'; use "
		    "text, csv, tsv or json"), s));
	return (CMD_OK);
}

/* The reports beside the forms the server loaded. */
static int
load_reports(struct cmd_ctx *ctx, struct report_set *set)
{
	struct buf	 err = BUF_INIT;
	char		*dir, *slash;
	int		 r = CMD_OK;

	report_set_init(set);
	if (ctx->schema->ntables == 0 || ctx->schema->tables[0]->file == NULL)
		return (CMD_OK);
	dir = xstrdup(ctx->schema->tables[0]->file);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	if (report_load(set, dir, ctx->schema, &err) != 0)
		r = cmd_error(ctx, "%s", err.data);
	free(dir);
	buf_release(&err);
	return (r);
}

static const char *
label(char *const *l, int lang)
{
	return (l[lang] != NULL ? l[lang] : l[0]);
}

/* "report": every report, its title and parameters. */
static int
report_list(struct cmd_ctx *ctx, const struct report_set *set,
    enum rformat fmt)
{
	struct cmd_grid		 g;
	struct buf		 p = BUF_INIT;
	const struct report	*r;
	size_t			 i, k;

	/*
	 * The terminal interface's lines (tui.h):
	 *   report NAME TITLE
	 *   param  REPORT NAME TYPE LABEL DEFAULT
	 */
	if (fmt == RFMT_LINES) {
		for (i = 0; i < set->n; i++) {
			r = set->v[i];
			buf_adds(&ctx->out, "report");
			cmd_machine_str(&ctx->out, r->name);
			cmd_machine_str(&ctx->out, label(r->title, ctx->lang));
			buf_addch(&ctx->out, '\n');
			for (k = 0; k < r->nparams; k++) {
				const struct report_param *pm = &r->params[k];

				buf_adds(&ctx->out, "param");
				cmd_machine_str(&ctx->out, r->name);
				cmd_machine_str(&ctx->out, pm->name);
				cmd_machine_str(&ctx->out,
				    field_type_name(pm->type));
				cmd_machine_str(&ctx->out, label(pm->label,
				    ctx->lang));
				cmd_machine_str(&ctx->out, pm->deflt);
				buf_addch(&ctx->out, '\n');
			}
		}
		return (CMD_OK);
	}
	if (fmt == RFMT_JSON) {
		buf_adds(&ctx->out, set->n == 0 ? "[]\n" : "[\n");
		for (i = 0; i < set->n; i++) {
			r = set->v[i];
			buf_adds(&ctx->out, "{\"name\":");
			buf_addjson(&ctx->out, r->name, strlen(r->name));
			buf_adds(&ctx->out, ",\"title\":");
			buf_addjson(&ctx->out, label(r->title, ctx->lang),
			    strlen(label(r->title, ctx->lang)));
			buf_adds(&ctx->out, ",\"params\":[");
			for (k = 0; k < r->nparams; k++) {
				const struct report_param *pm = &r->params[k];

				buf_adds(&ctx->out, k > 0 ? ",{\"name\":" :
				    "{\"name\":");
				buf_addjson(&ctx->out, pm->name,
				    strlen(pm->name));
				buf_printf(&ctx->out, ",\"type\":\"%s\"",
				    field_type_name(pm->type));
				buf_adds(&ctx->out, ",\"label\":");
				buf_addjson(&ctx->out, label(pm->label,
				    ctx->lang), strlen(label(pm->label,
				    ctx->lang)));
				buf_adds(&ctx->out, ",\"default\":");
				if (pm->deflt != NULL)
					buf_addjson(&ctx->out, pm->deflt,
					    strlen(pm->deflt));
				else
					buf_adds(&ctx->out, "null");
				buf_addch(&ctx->out, '}');
			}
			buf_adds(&ctx->out, i + 1 < set->n ? "]},\n" :
			    "]}\n]\n");
		}
		return (CMD_OK);
	}
	cmd_grid_init(&g, 3);
	if (fmt == RFMT_TEXT) {
		cmd_grid_adds(&g, _("Report"));
		cmd_grid_adds(&g, _("Title"));
		cmd_grid_adds(&g, _("Parameters"));
	} else {
		cmd_grid_adds(&g, "name");
		cmd_grid_adds(&g, "title");
		cmd_grid_adds(&g, "params");
	}
	for (i = 0; i < set->n; i++) {
		r = set->v[i];
		cmd_grid_adds(&g, r->name);
		cmd_grid_adds(&g, label(r->title, ctx->lang));
		buf_reset(&p);
		for (k = 0; k < r->nparams; k++) {
			const struct report_param *pm = &r->params[k];

			buf_printf(&p, "%s%s=%s", k > 0 ? " " : "", pm->name,
			    pm->deflt != NULL ? pm->deflt :
			    field_type_name(pm->type));
		}
		cmd_grid_adds(&g, p.data);
	}
	if (set->n > 0 || fmt != RFMT_TEXT)
		cmd_grid_render(&g, fmt == RFMT_TEXT ? FMT_TABLE : fmt ==
		    RFMT_CSV ? FMT_CSV : FMT_TSV, 0, ctx->cols, &ctx->out);
	cmd_grid_release(&g);
	buf_release(&p);
	return (CMD_OK);
}

/* A value of shown column k, formatted as the report says. */
static void
cell_text(struct rrun *o, size_t k, const struct value *v, int plain,
    struct buf *out)
{
	const struct report_column *c = o->rc[k];
	const struct query_col	*qc = query_col(o->q, o->cols[k]);
	int32_t			 d;
	int			 y, m, dd;

	if (!v->set)
		return;
	if (c == NULL || c->fmt == RF_DEFAULT || plain) {
		if (plain)
			query_value_text(o->q, o->cols[k], v, 1, o->lang, out);
		else
			people_text(o, o->cols[k], v, out);
		return;
	}
	if (qc->type == FT_MONEY || qc->type == FT_QTY) {
		enum money_style st = c->fmt == RF_RU ? MONEY_RU :
		    c->fmt == RF_EN ? MONEY_EN : MONEY_PLAIN;

		if (qc->type == FT_MONEY)
			money_format(out, v->i, st);
		else
			qty_format(out, v->i, st);
		return;
	}
	/* Dates; a datetime by its UTC day is near enough for a column. */
	d = qc->type == FT_DATETIME ? (int32_t)(v->i / 86400) : (int32_t)v->i;
	date_to_ymd(d, &y, &m, &dd);
	switch (c->fmt) {
	case RF_ISO:
		date_format_iso(out, d);
		break;
	case RF_RU:
		date_format_ru(out, d);
		break;
	case RF_MONTH:
		buf_printf(out, "%04d-%02d", y, m);
		break;
	default:
		buf_printf(out, "%04d", y);
		break;
	}
}

/* A total of shown column k at level lv as a value of the column's
 * type (count is a plain number). */
static int
total_value(struct rrun *o, size_t k, size_t lv, struct value *v)
{
	const struct acc	*a = &o->acc[lv * o->ncols + k];
	const struct report_column *c = o->rc[k];
	int64_t			 q, rem;

	memset(v, 0, sizeof *v);
	if (c == NULL || c->total == RT_NONE)
		return (0);
	v->set = 1;
	switch (c->total) {
	case RT_COUNT:
		v->i = (int64_t)a->count;
		return (1);	/* a count, whatever the column */
	case RT_SUM:
		v->i = a->sum;
		break;
	case RT_AVG:
		if (a->count == 0) {
			v->set = 0;
			break;
		}
		/* Rounded half away from zero, in the column's unit
		 * (kopecks stay kopecks). */
		q = a->sum / (int64_t)a->count;
		rem = a->sum % (int64_t)a->count;
		if (2 * (rem < 0 ? -rem : rem) >= (int64_t)a->count)
			q += a->sum < 0 ? -1 : 1;
		v->i = q;
		break;
	case RT_MIN:
		v->i = a->min;
		v->set = a->count > 0;
		break;
	case RT_MAX:
		v->i = a->max;
		v->set = a->count > 0;
		break;
	default:
		break;
	}
	return (0);
}

static void
acc_add(struct rrun *o, const struct query_row *row)
{
	const struct value	*v;
	struct acc		*a;
	size_t			 lv, k;

	for (k = 0; k < o->ncols; k++) {
		if (o->rc[k] == NULL || o->rc[k]->total == RT_NONE)
			continue;
		v = &row->vals[o->cols[k]];
		if (!v->set)
			continue;
		for (lv = 0; lv <= o->ngroups; lv++) {
			a = &o->acc[lv * o->ncols + k];
			if (a->count == 0 || v->i < a->min)
				a->min = v->i;
			if (a->count == 0 || v->i > a->max)
				a->max = v->i;
			a->count++;
			/* Exact, in the column's unit; a sum past 92
			 * quadrillion roubles saturates rather than wraps. */
			if (__builtin_add_overflow(a->sum, v->i, &a->sum))
				a->sum = v->i < 0 ? INT64_MIN : INT64_MAX;
		}
	}
}

static void
line_end(struct rrun *o)
{
	buf_adds(&o->ctx->out, o->fmt == RFMT_CSV ? "\r\n" : "\n");
}

static void
file_cell(struct rrun *o, int first, const char *s, size_t len)
{
	if (!first)
		buf_addch(&o->ctx->out, o->fmt == RFMT_CSV ? ',' : '\t');
	if (o->fmt == RFMT_CSV)
		cmd_csv_field(&o->ctx->out, s, len);
	else
		cmd_tsv_field(&o->ctx->out, s, len);
}

/* A text line of cells; a number is never cut, it may push the line. */
static void
text_line(struct rrun *o, size_t indent, char **cells)
{
	struct buf	*out = &o->ctx->out;
	size_t		 i, k, w, last = o->ncols;

	/* No blanks after the last cell that has something. */
	while (last > 0 && *cells[last - 1] == '\0')
		last--;
	for (k = 0; k < indent; k++)
		buf_addch(out, ' ');
	for (k = 0; k < last; k++) {
		if (k > 0)
			buf_adds(out, "  ");
		w = o->widths[k];
		if (o->span > 0 && k == o->span_at) {
			/* A label over the empty cells after it. */
			for (i = 1; i < o->span && k + 1 < last; i++) {
				k++;
				w += 2 + o->widths[k];
			}
			cmd_cell(out, cells[o->span_at],
			    strlen(cells[o->span_at]), w, 0, k + 1 == last);
			continue;
		}
		/* Numbers are never cut (a total may outgrow the first
		 * page's); a heading and text are. */
		if (!o->heading && query_col(o->q, o->cols[k])->right &&
		    utf8_width(cells[k], strlen(cells[k])) > w)
			w = utf8_width(cells[k], strlen(cells[k]));
		cmd_cell(out, cells[k], strlen(cells[k]), w, o->right[k],
		    k + 1 == last);
	}
	buf_addch(out, '\n');
	o->span = 0;
}

static char **
cells_new(size_t n)
{
	char	**c;
	size_t	  i;

	c = xcalloc(n + 1, sizeof *c);
	for (i = 0; i < n; i++)
		c[i] = xstrdup("");
	return (c);
}

/*
 * A row for the files and JSON: level, group keys, the shown columns.
 * Levels: 0 a row; in a report of records, lv + 1 for the totals of
 * level lv (the innermost group's are 1, the grand total's ngroups + 1),
 * with the keys of the groups summed and the inner ones empty; in a
 * group query's report, the engine's levels.  row NULL: the totals of
 * level lv.
 */
static void
machine_row(struct rrun *o, const struct query_row *row, size_t lv)
{
	struct buf	*out = &o->ctx->out, t = BUF_INIT;
	struct value	 tv, none;
	const struct value *v;
	const char	*name;
	size_t		 g, k;
	int		 count, level;

	memset(&none, 0, sizeof none);
	level = row != NULL ? row->level : (int)lv + 1;
	if (o->fmt == RFMT_JSON) {
		buf_adds(out, !o->json_started ? "\n" :
		    ",\n");
		o->json_started = 1;
		buf_printf(out, "{\"level\":%d", level);
	} else {
		buf_printf(&t, "%d", level);
		file_cell(o, 1, t.data, t.len);
	}
	for (g = 0; g < o->ngroups; g++) {
		const struct report_group *gr = &o->r->groups[g];

		if (row != NULL)
			v = &row->vals[gr->col];
		else
			v = g < o->ngroups - lv ? &o->gv[g] : &none;
		if (o->fmt == RFMT_JSON) {
			buf_addch(out, ',');
			buf_addjson(out, gr->name, strlen(gr->name));
			buf_addch(out, ':');
			query_value_json(o->q, gr->col, v, out);
		} else {
			buf_reset(&t);
			query_value_text(o->q, gr->col, v, 1, 0, &t);
			file_cell(o, 0, t.data, t.len);
		}
	}
	for (k = 0; k < o->ncols; k++) {
		count = 0;
		if (row == NULL) {
			count = total_value(o, k, lv, &tv);
			v = &tv;
		} else
			v = &row->vals[o->cols[k]];
		name = query_col(o->q, o->cols[k])->name;
		if (o->fmt == RFMT_JSON) {
			buf_addch(out, ',');
			buf_addjson(out, name, strlen(name));
			buf_addch(out, ':');
			if (count)
				buf_printf(out, "%lld", (long long)v->i);
			else
				query_value_json(o->q, o->cols[k], v, out);
		} else {
			buf_reset(&t);
			if (count)
				buf_printf(&t, "%lld", (long long)v->i);
			else
				query_value_text(o->q, o->cols[k], v, 1, 0,
				    &t);
			file_cell(o, 0, t.data, t.len);
		}
	}
	if (o->fmt == RFMT_JSON)
		buf_addch(out, '}');
	else
		line_end(o);
	buf_release(&t);
}

/* The total line of level lv (0 = the innermost group, ngroups = the
 * grand total), under the group whose key is title. */
static void
emit_total(struct rrun *o, size_t lv, const char *title)
{
	char		**cells;
	struct value	  tv;
	struct buf	  t = BUF_INIT;
	size_t		  k, at = o->ncols, span = 0, room = 0;
	int		  count;

	if (!o->totals)
		return;
	if (o->fmt != RFMT_TEXT) {
		machine_row(o, NULL, lv);
		return;
	}
	cells = cells_new(o->ncols);
	for (k = 0; k < o->ncols; k++) {
		if (o->rc[k] == NULL || o->rc[k]->total == RT_NONE) {
			/* The label's room: the first run of columns
			 * without a total. */
			if (at == o->ncols)
				at = k;
			if (at + span == k) {
				room += (span > 0 ? 2 : 0) + o->widths[k];
				span++;
			}
			continue;
		}
		buf_reset(&t);
		count = total_value(o, k, lv, &tv);
		if (count)
			buf_printf(&t, "%lld", (long long)tv.i);
		else
			cell_text(o, k, &tv, 0, &t);
		free(cells[k]);
		cells[k] = xstrdup(t.data);
	}
	buf_reset(&t);
	if (lv == o->ngroups)
		buf_adds(&t, _("Grand total"));
	else
		buf_printf(&t, _("Total for %s"), title);
	if (at < o->ncols && utf8_width(t.data, t.len) <= room) {
		/* Over the empty cells of the columns without a total, so
		 * it is neither cut nor pushes the totals aside. */
		free(cells[at]);
		cells[at] = xstrdup(t.data);
		o->span_at = at;
		o->span = span;
	} else {
		/* No room for it whole: the label goes on a line of its
		 * own. */
		size_t i;

		for (i = 0; i < o->indent; i++)
			buf_addch(&o->ctx->out, ' ');
		buf_printf(&o->ctx->out, "%s\n", t.data);
	}
	text_line(o, o->indent, cells);
	cmd_strings_free(cells, o->ncols);
	buf_release(&t);
}

/* Level indexes of o->acc: group g (0 outermost) keeps its totals at
 * ngroups - 1 - g, so index 0 is the innermost and ngroups the grand
 * total. */
static void
close_groups(struct rrun *o, size_t from)
{
	size_t	g, lv;

	for (g = o->ngroups; g > from; g--) {
		lv = o->ngroups - g;
		emit_total(o, lv, o->titles[g - 1] != NULL ?
		    o->titles[g - 1] : "");
		memset(&o->acc[lv * o->ncols], 0, o->ncols * sizeof *o->acc);
	}
}

static void
group_header(struct rrun *o, size_t g, const struct value *v)
{
	const struct report_group *gr = &o->r->groups[g];
	struct buf	*out = &o->ctx->out;
	size_t		 i;

	for (i = 0; i < 2 * g; i++)
		buf_addch(out, ' ');
	buf_printf(out, "%s: ", gr->label[0] != NULL ? label(gr->label,
	    o->lang) : query_col(o->q, gr->col)->label[o->lang]);
	if (v->set)
		people_text(o, gr->col, v, out);
	else
		buf_adds(out, "—");
	buf_addch(out, '\n');
}

/* A row of a report of records: close and open groups, then the row. */
static void
record_row(struct rrun *o, const struct query_row *row)
{
	struct buf	 t = BUF_INIT, f = BUF_INIT;
	char		**cells;
	size_t		 g, from = o->ngroups, k;

	for (g = 0; g < o->ngroups; g++) {
		buf_reset(&t);
		buf_reset(&f);
		people_text(o, o->r->groups[g].col,
		    &row->vals[o->r->groups[g].col], &t);
		/* Cut where the sort would: by the folded text. */
		utf8_foldkey(&f, t.data, t.len);
		if (from == o->ngroups && (!o->started ||
		    strcmp(o->keys[g], f.data) != 0))
			from = g;
	}
	/* The old keys name the totals of the groups that end here. */
	if (o->started)
		close_groups(o, from);
	for (g = from; g < o->ngroups; g++) {
		free(o->keys[g]);
		free(o->titles[g]);
		free(o->gv[g].s);
		o->keys[g] = o->titles[g] = NULL;
		memset(&o->gv[g], 0, sizeof o->gv[g]);
	}
	for (g = from; g < o->ngroups; g++) {
		buf_reset(&t);
		buf_reset(&f);
		people_text(o, o->r->groups[g].col,
		    &row->vals[o->r->groups[g].col], &t);
		utf8_foldkey(&f, t.data, t.len);
		o->keys[g] = xstrdup(f.data);
		o->titles[g] = xstrdup(t.data);
		o->gv[g] = row->vals[o->r->groups[g].col];
		if (o->gv[g].s != NULL)
			o->gv[g].s = xstrndup(o->gv[g].s, o->gv[g].len);
		if (o->fmt == RFMT_TEXT)
			group_header(o, g, &row->vals[o->r->groups[g].col]);
	}
	o->started = 1;
	acc_add(o, row);
	if (o->fmt != RFMT_TEXT)
		machine_row(o, row, 0);
	else {
		cells = cells_new(o->ncols);
		for (k = 0; k < o->ncols; k++) {
			buf_reset(&t);
			cell_text(o, k, &row->vals[o->cols[k]], 0, &t);
			free(cells[k]);
			cells[k] = xstrdup(t.data);
		}
		text_line(o, o->indent, cells);
		cmd_strings_free(cells, o->ncols);
	}
	buf_release(&t);
	buf_release(&f);
}

/* A row of a group query: the engine's own subtotals, labelled. */
static void
group_row(struct rrun *o, const struct query_row *row)
{
	struct buf	  t = BUF_INIT;
	char		**cells;
	size_t		  k, nkeys = 0, at;

	if (o->fmt != RFMT_TEXT) {
		machine_row(o, row, 0);
		buf_release(&t);
		return;
	}
	for (k = 0; k < query_ncols(o->q); k++)
		if (query_col(o->q, k)->kind != QC_AGG)
			nkeys++;
	at = row->level >= (int)nkeys ? 0 : nkeys - (size_t)row->level;
	cells = cells_new(o->ncols);
	for (k = 0; k < o->ncols; k++) {
		buf_reset(&t);
		if (row->level > 0 && o->cols[k] == at &&
		    !row->vals[o->cols[k]].set) {
			buf_adds(&t, row->level >= (int)nkeys ?
			    _("Grand total") : _("Subtotal"));
			/* Over the keys the total leaves empty, so the
			 * label does not push the numbers aside. */
			o->span_at = k;
			for (o->span = 1; k + o->span < o->ncols &&
			    o->cols[k + o->span] < nkeys &&
			    !row->vals[o->cols[k + o->span]].set; o->span++)
				;
		} else if (o->cols[k] < at && !row->vals[o->cols[k]].set)
			/* The group of no value, not a blank that reads
			 * as a total. */
			buf_adds(&t, _("(empty)"));
		else
			cell_text(o, k, &row->vals[o->cols[k]], 0, &t);
		free(cells[k]);
		cells[k] = xstrdup(t.data);
	}
	text_line(o, 0, cells);
	cmd_strings_free(cells, o->ncols);
	buf_release(&t);
}

static void
fix_widths(struct rrun *o, const struct query_rows *page)
{
	struct buf	t = BUF_INIT;
	size_t		i, k, w, nkeys = 0;

	for (k = 0; k < query_ncols(o->q); k++)
		if (query_col(o->q, k)->kind != QC_AGG)
			nkeys++;
	for (k = 0; k < o->ncols; k++) {
		const struct report_column *c = o->rc[k];
		const char *h = c != NULL && c->label[0] != NULL ?
		    label(c->label, o->lang) :
		    query_col(o->q, o->cols[k])->label[o->lang];

		if (c != NULL && c->width > 0) {
			o->widths[k] = c->width;
			/* Text is cut to the width; numbers are not, so
			 * their column is as wide as they are. */
			if (!query_col(o->q, o->cols[k])->right)
				continue;
		} else
			o->widths[k] = utf8_width(h, strlen(h));
		for (i = 0; i < page->n; i++) {
			buf_reset(&t);
			cell_text(o, k, &page->rows[i].vals[o->cols[k]], 0,
			    &t);
			w = utf8_width(t.data, t.len);
			if (w > REPORT_CELL_MAX)
				w = REPORT_CELL_MAX;
			if (w > o->widths[k])
				o->widths[k] = w;
		}
		if (c != NULL && (c->total == RT_SUM || c->total == RT_AVG) &&
		    o->widths[k] < REPORT_SUM_MIN)
			o->widths[k] = REPORT_SUM_MIN;
		/* A group query's subtotal is labelled in the key it
		 * leaves empty, any key but the first (the grand total's
		 * label there spans every key). */
		if (o->r->is_group && o->cols[k] > 0 &&
		    o->cols[k] < nkeys && (w = utf8_width(_("Subtotal"),
		    strlen(_("Subtotal")))) > o->widths[k])
			o->widths[k] = w;
	}
	buf_release(&t);
}

/* The title, the parameters' values and the headings. */
static void
report_head(struct rrun *o, const struct value *vals)
{
	struct buf	*out = &o->ctx->out, t = BUF_INIT;
	char		**cells;
	size_t		  k, w = 0;

	if (o->fmt == RFMT_JSON) {
		buf_adds(out, "{\"report\":");
		buf_addjson(out, o->r->name, strlen(o->r->name));
		buf_adds(out, ",\"title\":");
		buf_addjson(out, label(o->r->title, o->lang),
		    strlen(label(o->r->title, o->lang)));
		buf_adds(out, ",\"params\":{");
		for (k = 0; k < o->r->nparams; k++) {
			buf_reset(&t);
			report_param_text(&o->r->params[k], &vals[k], 0, 1,
			    &t);
			if (k > 0)
				buf_addch(out, ',');
			buf_addjson(out, o->r->params[k].name,
			    strlen(o->r->params[k].name));
			buf_addch(out, ':');
			buf_addjson(out, t.data, t.len);
		}
		buf_adds(out, "},\"rows\":[");
		buf_release(&t);
		return;
	}
	if (o->fmt != RFMT_TEXT) {
		file_cell(o, 1, "level", 5);
		for (k = 0; k < o->ngroups; k++)
			file_cell(o, 0, o->r->groups[k].name,
			    strlen(o->r->groups[k].name));
		for (k = 0; k < o->ncols; k++)
			file_cell(o, 0, query_col(o->q, o->cols[k])->name,
			    strlen(query_col(o->q, o->cols[k])->name));
		line_end(o);
		return;
	}
	buf_printf(out, "%s\n", label(o->r->title, o->lang));
	for (k = 0; k < o->r->nparams; k++) {
		buf_printf(out, "%s%s: ", k > 0 ? ", " : "",
		    label(o->r->params[k].label, o->lang));
		report_param_text(&o->r->params[k], &vals[k], o->lang, 0, out);
	}
	if (o->r->nparams > 0)
		buf_addch(out, '\n');
	buf_addch(out, '\n');
	cells = cells_new(o->ncols);
	for (k = 0; k < o->ncols; k++) {
		const struct report_column *c = o->rc[k];

		free(cells[k]);
		cells[k] = xstrdup(c != NULL && c->label[0] != NULL ?
		    label(c->label, o->lang) :
		    query_col(o->q, o->cols[k])->label[o->lang]);
		w += o->widths[k] + (k > 0 ? 2 : 0);
	}
	o->heading = 1;
	text_line(o, o->indent, cells);
	o->heading = 0;
	for (k = 0; k < o->indent; k++)
		buf_addch(out, ' ');
	for (k = 0; k < w; k++)
		buf_adds(out, "─");
	buf_addch(out, '\n');
	cmd_strings_free(cells, o->ncols);
	buf_release(&t);
}

/* The titles the references of a page of rows need, read at once. */
static void
report_page(void *arg, const struct query_rows *page)
{
	struct rrun	*o = arg;

	cmd_titles_rows(&o->reftitles, o->q, o->ref, page);
}

/* The first rows: the widths from them, then the title and headings. */
static void
report_first(void *arg, const struct query_rows *first)
{
	struct rrun	*o = arg;

	fix_widths(o, first);
	report_head(o, o->pvals);
}

static void
report_row(void *arg, const struct query_row *row)
{
	struct rrun	*o = arg;

	if (o->r->is_group)
		group_row(o, row);
	else
		record_row(o, row);
	o->rows++;
}

static int
report_run(struct cmd_ctx *ctx, const struct report *r, enum rformat fmt)
{
	struct rrun		 o;
	struct query		*q = NULL;
	struct value		*vals = NULL;
	struct buf		 err = BUF_INIT;
	size_t			 k;
	int			 rc = CMD_OK, rv;

	if (report_prepare(r, ctx->schema, ctx->argv + 1,
	    (size_t)(ctx->argc - 1), clock_today(), &q, &vals, &err) != 0) {
		rc = cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (rc);
	}
	memset(&o, 0, sizeof o);
	o.ctx = ctx;
	o.r = r;
	o.q = q;
	o.fmt = fmt;
	o.lang = ctx->lang;
	o.ngroups = r->ngroups;
	/* The report's columns, else every column of the query. */
	o.ncols = r->ncols > 0 ? r->ncols : query_ncols(q);
	o.cols = xcalloc(o.ncols + 1, sizeof *o.cols);
	o.widths = xcalloc(o.ncols + 1, sizeof *o.widths);
	o.right = xcalloc(o.ncols + 1, sizeof *o.right);
	o.rc = xcalloc(o.ncols + 1, sizeof *o.rc);
	for (k = 0; k < o.ncols; k++) {
		if (r->ncols > 0) {
			o.rc[k] = &r->cols[k];
			o.cols[k] = r->cols[k].col;
			o.right[k] = r->cols[k].right;
			if (r->cols[k].total != RT_NONE)
				o.totals = 1;
		} else {
			o.cols[k] = k;
			o.right[k] = query_col(q, k)->right;
		}
	}
	o.acc = xcalloc((o.ngroups + 1) * o.ncols + 1, sizeof *o.acc);
	o.keys = xcalloc(o.ngroups + 1, sizeof *o.keys);
	o.titles = xcalloc(o.ngroups + 1, sizeof *o.titles);
	o.gv = xcalloc(o.ngroups + 1, sizeof *o.gv);
	o.indent = 2 * o.ngroups;

	/* References by their records in text, a page at a time. */
	o.ref = xcalloc(query_ncols(q) + 1, sizeof *o.ref);
	cmd_titles_init(&o.reftitles, ctx);
	for (k = 0; fmt == RFMT_TEXT && k < query_ncols(q); k++) {
		const struct query_col *qc = query_col(q, k);

		if (qc->type == FT_REF && qc->kind != QC_FUNC &&
		    (o.ref[k] = cmd_ref_table(ctx, qc->field)) != NULL)
			o.refs = 1;
	}

	o.pvals = vals;
	rv = cmd_query_stream(ctx, q, REPORT_PAGE, o.refs ? report_page :
	    NULL, report_first, report_row, &o, &err);
	if (rv < 0)
		rc = cmd_error(ctx, "%s", err.data);
	else if (rv > 0)
		rc = CMD_FAILED;
	if (rc == CMD_OK && !r->is_group) {
		if (o.started)
			close_groups(&o, 0);
		if (o.fmt == RFMT_TEXT && o.totals)
			buf_addch(&ctx->out, '\n');
		emit_total(&o, o.ngroups, "");
	}
	if (rc == CMD_OK && fmt == RFMT_JSON)
		buf_adds(&ctx->out, o.json_started ? "\n]}\n" : "]}\n");
	query_free(q);
	report_values_free(vals, r->nparams);
	for (k = 0; k < r->ngroups; k++) {
		free(o.keys[k]);
		free(o.titles[k]);
		free(o.gv[k].s);
	}
	free(o.keys);
	free(o.titles);
	free(o.gv);
	free(o.acc);
	free(o.cols);
	free(o.widths);
	free(o.right);
	free(o.rc);
	free(o.ref);
	cmd_titles_release(&o.reftitles);
	buf_release(&err);
	return (rc);
}

static int
report_exec(struct cmd_ctx *ctx)
{
	struct report_set	 set;
	const struct report	*r;
	const char		**names;
	const char		*s;
	enum rformat		 fmt;
	size_t			 i;
	int			 rc;

	if ((rc = report_format(ctx, &fmt)) != CMD_OK)
		return (rc);
	if ((rc = load_reports(ctx, &set)) != CMD_OK)
		return (rc);
	if (ctx->argc == 0) {
		rc = report_list(ctx, &set, fmt);
		report_set_release(&set);
		return (rc);
	}
	if ((r = report_find(&set, ctx->argv[0])) == NULL) {
		names = xcalloc(set.n + 1, sizeof *names);
		for (i = 0; i < set.n; i++)
			names[i] = set.v[i]->name;
		if ((s = cmd_suggest(ctx->argv[0], names, set.n)) != NULL)
			rc = cmd_error(ctx, _("no report '%s' (did you mean "
			    "'%s'?)"), ctx->argv[0], s);
		else
			rc = cmd_error(ctx, _("no report '%s'; 'clerk report' "
			    "lists them"), ctx->argv[0]);
		free(names);
	} else
		rc = report_run(ctx, r, fmt);
	report_set_release(&set);
	return (rc);
}

const struct cmd_entry cmd_report_entry = {
	"report", "[NAME [param=value ...]] [--format text|csv|tsv|json]",
	N_("run a report form (NAME.report beside the forms), or list them"),
	"format=", 0, -1, report_exec
};
