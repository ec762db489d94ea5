/*
 * format.c: how verbs turn records into text: values for people and for
 * files, JSON and CSV/TSV quoting, and grids aligned by display width
 * (utf8_width, so Cyrillic and wide characters line up).  Must not look
 * anything up in the store: it formats what it is given.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"

void
cmd_value_text(const struct record *rec, size_t pos, int lang,
    struct buf *out)
{
	const struct field	*f = &rec->table->fields[pos];

	/* A choice in the reader's language, whatever the server's. */
	record_value_format(f, f->type, &rec->values[pos], VALUE_PEOPLE, lang,
	    out);
}

void
cmd_value_plain(const struct record *rec, size_t pos, struct buf *out)
{
	const struct field	*f = &rec->table->fields[pos];

	record_value_format(f, f->type, &rec->values[pos], VALUE_FILE, 0,
	    out);
}

void
cmd_value_json(const struct record *rec, size_t pos, struct buf *out)
{
	const struct field	*f = &rec->table->fields[pos];

	record_value_json(f, f->type, &rec->values[pos], f->multi, out);
}

void
cmd_csv_field(struct buf *b, const char *s, size_t len)
{
	cmd_csv_field_sep(b, ',', s, len);
}

/* s as a CSV field whose fields are separated by sep (',' or ';'). */
void
cmd_csv_field_sep(struct buf *b, int sep, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (s[i] == sep || s[i] == '"' || s[i] == '\r' ||
		    s[i] == '\n')
			break;
	if (i == len) {
		buf_add(b, s, len);
		return;
	}
	buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			buf_addch(b, '"');
		buf_addch(b, s[i]);
	}
	buf_addch(b, '"');
}

void
cmd_tsv_field(struct buf *b, const char *s, size_t len)
{
	size_t	i;

	/* TSV has no quoting: tabs and line breaks become blanks. */
	for (i = 0; i < len; i++)
		buf_addch(b, (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') ?
		    ' ' : s[i]);
}

int
cmd_format_get(struct cmd_ctx *ctx, enum cmd_format *fmt)
{
	const char	*s = cmd_opt(ctx, "format");

	*fmt = FMT_TABLE;
	if (s == NULL || strcmp(s, "table") == 0)
		return (CMD_OK);
	if (strcmp(s, "csv") == 0)
		*fmt = FMT_CSV;
	else if (strcmp(s, "tsv") == 0)
		*fmt = FMT_TSV;
	else if (strcmp(s, "json") == 0)
		*fmt = FMT_JSON;
	else
		return (cmd_usage(ctx, _("unknown format '%s'; use table, "
		    "csv, tsv or json"), s));
	return (CMD_OK);
}

void
cmd_grid_init(struct cmd_grid *g, size_t ncols)
{
	memset(g, 0, sizeof *g);
	g->ncols = ncols;
	buf_init(&g->text);
	g->right = xcalloc(ncols, sizeof *g->right);
	g->cut = xcalloc(ncols, sizeof *g->cut);
}

void
cmd_grid_release(struct cmd_grid *g)
{
	buf_release(&g->text);
	free(g->off);
	free(g->right);
	free(g->cut);
	memset(g, 0, sizeof *g);
}

/* Cells go into one text, not an allocation each: a page of a list is
 * hundreds of them.  A cell is a string: it ends at a NUL. */
void
cmd_grid_add(struct cmd_grid *g, const char *s, size_t len)
{
	if (g->ncells == g->alloc) {
		g->alloc = g->alloc ? g->alloc * 2 : 64;
		g->off = xreallocarray(g->off, g->alloc, sizeof *g->off);
	}
	g->off[g->ncells++] = g->text.len;
	buf_add(&g->text, s, strnlen(s, len));
	buf_addch(&g->text, '\0');
}

void
cmd_grid_adds(struct cmd_grid *g, const char *s)
{
	cmd_grid_add(g, s, strlen(s));
}

/* A cell for the aligned table: one line, at most maxw cells wide. */
static void
table_cell(const char *s, size_t maxw, struct buf *out, size_t *width)
{
	size_t		start = out->len, len, w, cut, i;

	/* Into out as it is, then line breaks and tabs made blanks (most
	 * cells have none: strcspn() finds that a word at a time). */
	len = strlen(s);
	buf_add(out, s, len);
	for (i = strcspn(s, "\n\t\r"); i < len; i++)
		if (s[i] == '\n' || s[i] == '\t' || s[i] == '\r')
			out->data[start + i] = ' ';
	w = utf8_width(out->data + start, len);
	if (maxw > 1 && w > maxw) {
		cut = utf8_fit(out->data + start, len, maxw - 1);
		buf_truncate(out, start + cut);
		buf_adds(out, "…");
		w = utf8_width(out->data + start, out->len - start);
	}
	*width = w;
}

enum cmd_cut
cmd_cut_of(enum field_type type, const struct field *f)
{
	int	code = 0;

	if (f != NULL && f->type == type)
		code = f->validator != VAL_NONE;
	switch (type) {
	case FT_INT:
	case FT_MONEY:
	case FT_QTY:
	case FT_DATE:
	case FT_DATETIME:
		return (CUT_NEVER);
	case FT_PHONE:
		break;
	case FT_TEXT:
		if (!code)
			return (CUT_TEXT);
		break;
	default:
		return (CUT_TEXT);
	}
	return (f != NULL && f->multi ? CUT_LIST : CUT_NEVER);
}

size_t
cmd_cut_min(enum cmd_cut cut, const char *s, size_t w)
{
	const char	*comma;

	switch (cut) {
	case CUT_NEVER:
		return (w);
	case CUT_LIST:
		/* A table joins a list's values with ", " (the people's
		 * style of record_value_format()). */
		if ((comma = strstr(s, ", ")) != NULL)
			return (utf8_width(s, (size_t)(comma - s)) + 1);
		return (w);
	case CUT_TEXT:
		break;
	}
	return (w < CUT_TEXT_MIN ? w : CUT_TEXT_MIN);
}

void
cmd_fit_widths(size_t *widths, const size_t *minw, size_t n, size_t cols)
{
	size_t	total, widest, c;

	if (cols == 0 || n == 0)
		return;
	for (;;) {
		total = 2 * (n - 1);
		widest = n;
		for (c = 0; c < n; c++) {
			total += widths[c];
			if (widths[c] > minw[c] && (widest == n ||
			    widths[c] > widths[widest]))
				widest = c;
		}
		if (total <= cols || widest == n)
			break;
		widths[widest]--;
	}
}

/* n blanks. */
static void
pad(struct buf *out, size_t n)
{
	buf_grow(out, n);
	memset(out->data + out->len, ' ', n);
	out->len += n;
	out->data[out->len] = '\0';
}

/* A cell of the aligned table as made once: where in the text, its
 * length in bytes and its width in display cells. */
struct grid_cell {
	size_t	off, len, w;
};

void
cmd_grid_render(const struct cmd_grid *g, enum cmd_format fmt, size_t maxw,
    size_t cols, struct buf *out)
{
	size_t		 nrows, r, c, w, *widths, *minw, i, len, m;
	struct buf	 cell = BUF_INIT, text = BUF_INIT;
	struct grid_cell *made;
	const char	*s;

	if (g->ncols == 0)
		return;
	nrows = g->ncells / g->ncols;
	if (fmt == FMT_CSV || fmt == FMT_TSV) {
		for (r = 0; r < nrows; r++) {
			for (c = 0; c < g->ncols; c++) {
				s = g->text.data + g->off[r * g->ncols + c];
				if (c > 0)
					buf_addch(out, fmt == FMT_CSV ? ',' :
					    '\t');
				if (fmt == FMT_CSV)
					cmd_csv_field(out, s, strlen(s));
				else
					cmd_tsv_field(out, s, strlen(s));
			}
			/* RFC 4180 lines end in CRLF; TSV in LF. */
			buf_adds(out, fmt == FMT_CSV ? "\r\n" : "\n");
		}
		return;
	}
	/*
	 * Every cell is made once (blanks for line breaks, cut at maxw) and
	 * kept with its width: measuring is most of the cost of a table.
	 * The output pass makes one again only when fitting the terminal
	 * narrowed its column below it.
	 */
	widths = xcalloc(g->ncols, sizeof *widths);
	minw = xcalloc(g->ncols, sizeof *minw);
	made = xcalloc(nrows * g->ncols + 1, sizeof *made);
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < g->ncols; c++) {
			i = r * g->ncols + c;
			made[i].off = text.len;
			table_cell(g->text.data + g->off[i], maxw, &text, &w);
			made[i].len = text.len - made[i].off;
			made[i].w = w;
			if (w > widths[c])
				widths[c] = w;
			/* A heading gives way as a name does. */
			m = cmd_cut_min(r == 0 && g->heading ? CUT_TEXT :
			    g->cut[c], text.data + made[i].off, w);
			if (m > minw[c])
				minw[c] = m;
		}
	}
	/* On a terminal narrower than the table, long names and addresses
	 * give way; numbers and codes do not. */
	cmd_fit_widths(widths, minw, g->ncols, cols);
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < g->ncols; c++) {
			i = r * g->ncols + c;
			if (made[i].w <= widths[c]) {
				s = text.data + made[i].off;
				len = made[i].len;
				w = made[i].w;
			} else {
				buf_reset(&cell);
				table_cell(g->text.data + g->off[i], widths[c],
				    &cell, &w);
				s = cell.data;
				len = cell.len;
			}
			if (c > 0)
				buf_adds(out, "  ");
			if (g->right[c] && w < widths[c])
				pad(out, widths[c] - w);
			buf_add(out, s, len);
			/* No trailing blanks after the last column. */
			if (!g->right[c] && c + 1 < g->ncols && w < widths[c])
				pad(out, widths[c] - w);
		}
		/* Nor after a last cell that is empty. */
		while (out->len > 0 && out->data[out->len - 1] == ' ')
			buf_truncate(out, out->len - 1);
		buf_addch(out, '\n');
	}
	free(widths);
	free(minw);
	free(made);
	buf_release(&cell);
	buf_release(&text);
}
