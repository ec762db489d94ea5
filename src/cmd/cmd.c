/*
 * cmd.c: the table of verbs, dispatch, option parsing and the helpers
 * every verb shares (errors that name what and where, table and field
 * lookups with suggestions, field=value assignments, duplicate
 * warnings).  Must not print, exit, or know about sockets: results go
 * into the struct cmd_ctx for the server to send.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_add_entry,
	&cmd_show_entry,
	&cmd_set_entry,
	&cmd_rm_entry,
	&cmd_list_entry,
	&cmd_history_entry,
	&cmd_import_entry,
	&cmd_export_entry,
	&cmd_find_entry,
	&cmd_merge_entry,
	&cmd_query_entry,
	&cmd_view_save_entry,
	&cmd_view_list_entry,
	&cmd_view_run_entry,
	&cmd_view_rm_entry,
	&cmd_report_entry,
	&cmd_restore_entry,
	&cmd_card_entry,
	&cmd_admin_init_entry,
	&cmd_admin_verify_entry,
	&cmd_admin_backup_entry,
	&cmd_admin_compact_entry,
	&cmd_admin_demo_entry,
	&cmd_admin_user_add_entry,
	&cmd_admin_user_list_entry,
	&cmd_admin_user_disable_entry,
	&cmd_admin_user_enable_entry,
	&cmd_admin_setup_shared_entry,
	&cmd_help_entry,
	&cmd_schema_entry,
	&cmd_page_entry,
	NULL
};

void
cmd_ctx_init(struct cmd_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	buf_init(&ctx->out);
	buf_init(&ctx->error);
	buf_init(&ctx->usage);
}

void
cmd_ctx_release(struct cmd_ctx *ctx)
{
	buf_release(&ctx->out);
	buf_release(&ctx->error);
	buf_release(&ctx->usage);
	cmd_strings_free(ctx->warnings, ctx->nwarnings);
	ctx->warnings = NULL;
	ctx->nwarnings = 0;
	free(ctx->argv);
	ctx->argv = NULL;
}

void
cmd_strings_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
cmd_error(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;

	buf_reset(&ctx->error);
	va_start(ap, fmt);
	buf_vprintf(&ctx->error, fmt, ap);
	va_end(ap);
	return (CMD_FAILED);
}

int
cmd_not_found(struct cmd_ctx *ctx, const struct table *t, uint64_t id)
{
	struct buf	ref = BUF_INIT;

	record_ref_text(t, id, NULL, ctx->lang, &ref);
	cmd_error(ctx, _("%s not found"), ref.data);
	buf_release(&ref);
	return (CMD_FAILED);
}

static void
set_usage(struct cmd_ctx *ctx, const struct cmd_entry *e)
{
	if (ctx->usage.len > 0)
		buf_addch(&ctx->usage, '\n');
	buf_adds(&ctx->usage, e->name);
	if (e->usage != NULL && *e->usage != '\0')
		buf_printf(&ctx->usage, " %s", e->usage);
}

int
cmd_usage(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;

	buf_reset(&ctx->error);
	va_start(ap, fmt);
	buf_vprintf(&ctx->error, fmt, ap);
	va_end(ap);
	buf_reset(&ctx->usage);
	if (ctx->entry != NULL)
		set_usage(ctx, ctx->entry);
	return (CMD_USAGE);
}

void
cmd_warn(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list		ap;
	struct buf	b = BUF_INIT;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	ctx->warnings = xreallocarray(ctx->warnings, ctx->nwarnings + 1,
	    sizeof *ctx->warnings);
	ctx->warnings[ctx->nwarnings++] = buf_detach(&b, NULL);
}

#define PROGRESS_EVERY	250000000	/* ns between notes: 4 a second */

static void
progress_send(struct cmd_ctx *ctx, const char *fmt, va_list ap)
{
	struct buf	b = BUF_INIT;

	buf_vprintf(&b, fmt, ap);
	ctx->io->progress(ctx->io->arg, b.data);
	buf_release(&b);
}

void
cmd_progress(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list		ap;
	uint64_t	now;

	if (ctx->io == NULL || ctx->io->progress == NULL)
		return;
	now = clock_monotonic_ns();
	if (ctx->progress_ns != 0 && now - ctx->progress_ns < PROGRESS_EVERY)
		return;
	ctx->progress_ns = now;
	va_start(ap, fmt);
	progress_send(ctx, fmt, ap);
	va_end(ap);
}

void
cmd_progress_force(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;

	if (ctx->io == NULL || ctx->io->progress == NULL)
		return;
	ctx->progress_ns = clock_monotonic_ns();
	va_start(ap, fmt);
	progress_send(ctx, fmt, ap);
	va_end(ap);
}

int
cmd_flush(struct cmd_ctx *ctx)
{
	if (ctx->io == NULL || ctx->io->flush == NULL || ctx->out.len == 0)
		return (0);
	if (ctx->io->flush(ctx->io->arg, &ctx->out) != 0) {
		cmd_error(ctx, _("the client went away"));
		return (-1);
	}
	return (0);
}

int
cmd_gone(struct cmd_ctx *ctx)
{
	return (ctx->io != NULL && ctx->io->gone != NULL &&
	    ctx->io->gone(ctx->io->arg));
}

const char *
cmd_opt(const struct cmd_ctx *ctx, const char *name)
{
	size_t	i;

	size_t		len = strlen(name);
	const char	*o;

	/* Names point into the verb's template ("rev=,purge"), so a name
	 * ends at '=', ',' or the end.  The last one given wins. */
	for (i = ctx->nopts; i > 0; i--) {
		o = ctx->optname[i - 1];
		if (strncmp(o, name, len) == 0 && (o[len] == '\0' ||
		    o[len] == '=' || o[len] == ','))
			return (ctx->optval[i - 1]);
	}
	return (NULL);
}

/* Number of words in a verb's name. */
static int
name_words(const char *name)
{
	int	n = 1;

	for (; *name != '\0'; name++)
		if (*name == ' ')
			n++;
	return (n);
}

/* Whether the words of name are verb, argv[0], ... */
static int
name_matches(const char *name, const char *verb, int argc, char **argv)
{
	const char	*p = name, *sp;
	const char	*word = verb;
	int		 i = 0;
	size_t		 len;

	for (;;) {
		sp = strchr(p, ' ');
		len = sp != NULL ? (size_t)(sp - p) : strlen(p);
		if (strlen(word) != len || strncmp(p, word, len) != 0)
			return (0);
		if (sp == NULL)
			return (1);
		p = sp + 1;
		if (i >= argc)
			return (0);
		word = argv[i++];
	}
}

/*
 * Looks up an option in the entry's template; returns 0 for a flag, 1
 * for an option taking a value, -1 when unknown.  *canon points at the
 * template's copy of the name (so it outlives the arguments).
 */
static int
option_kind(const struct cmd_entry *e, const char *name, size_t len,
    const char **canon)
{
	const char	*p = e->options, *end;
	size_t		 n;

	if (p == NULL)
		return (-1);
	while (*p != '\0') {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n > 0 && p[n - 1] == '=') {
			if (n - 1 == len && strncmp(p, name, len) == 0) {
				*canon = p;
				return (1);
			}
		} else if (n == len && strncmp(p, name, len) == 0) {
			*canon = p;
			return (0);
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return (-1);
}

/* Options are kept as pointers into the template (names) and into the
 * arguments (values), so nothing is copied or changed. */
static int
parse_args(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry	*e = ctx->entry;
	int			 i, only_positional = 0, kind;
	const char		*a, *eq, *canon;
	size_t			 len;

	ctx->argv = xcalloc((size_t)argc + 1, sizeof *ctx->argv);
	ctx->argc = 0;
	for (i = 0; i < argc; i++) {
		a = argv[i];
		if (only_positional || strncmp(a, "--", 2) != 0 ||
		    a[2] == '\0') {
			if (!only_positional && strcmp(a, "--") == 0) {
				only_positional = 1;
				continue;
			}
			ctx->argv[ctx->argc++] = argv[i];
			continue;
		}
		eq = strchr(a + 2, '=');
		len = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
		kind = option_kind(e, a + 2, len, &canon);
		if (kind == -1)
			return (cmd_usage(ctx, _("unknown option '--%.*s'"),
			    (int)len, a + 2));
		if (ctx->nopts == CMD_MAXOPTS)
			return (cmd_usage(ctx, _("too many options")));
		if (kind == 0 && eq != NULL)
			return (cmd_usage(ctx, _("option '--%.*s' takes no "
			    "value"), (int)len, a + 2));
		if (kind == 1) {
			if (eq != NULL)
				ctx->optval[ctx->nopts] = eq + 1;
			else if (i + 1 < argc)
				ctx->optval[ctx->nopts] = argv[++i];
			else
				return (cmd_usage(ctx, _("option '--%.*s' "
				    "needs a value"), (int)len, a + 2));
		} else
			ctx->optval[ctx->nopts] = "";
		ctx->optname[ctx->nopts] = canon;
		ctx->nopts++;
	}
	if (ctx->argc < e->lower || (e->upper >= 0 && ctx->argc > e->upper))
		return (cmd_usage(ctx, "%s", ""));
	return (CMD_OK);
}

int
cmd_unknown(struct cmd_ctx *ctx, const char *verb, int argc, char **argv)
{
	const struct cmd_entry	*const *ep;
	const char		*names[64], *s;
	size_t			 i, nprefix = 0, nnames = 0;

	buf_reset(&ctx->error);
	buf_reset(&ctx->usage);
	/* "admin" alone or "admin frob": show the family's usage. */
	for (ep = cmd_table; *ep != NULL; ep++) {
		i = strlen(verb);
		if (strncmp((*ep)->name, verb, i) == 0 &&
		    (*ep)->name[i] == ' ') {
			set_usage(ctx, *ep);
			nprefix++;
		}
		if (nnames < nitems(names) &&
		    strchr((*ep)->name, ' ') == NULL)
			names[nnames++] = (*ep)->name;
	}
	if (nprefix > 0) {
		if (argc > 0)
			buf_printf(&ctx->error, _("unknown command '%s %s'"),
			    verb, argv[0]);
		return (CMD_USAGE);
	}
	if (strncmp(verb, "admin", 5) != 0 && nnames < nitems(names))
		names[nnames++] = "admin";
	if ((s = cmd_suggest(verb, names, nnames)) != NULL)
		buf_printf(&ctx->error, _("unknown command '%s' (did you "
		    "mean '%s'?)"), verb, s);
	else
		buf_printf(&ctx->error, _("unknown command '%s'; 'clerk "
		    "help' lists them"), verb);
	return (CMD_USAGE);
}

int
cmd_run(struct cmd_ctx *ctx, const char *verb, int argc, char **argv)
{
	const struct cmd_entry	*const *ep, *best = NULL;
	int			 words, best_words = 0, r;

	for (ep = cmd_table; *ep != NULL; ep++) {
		words = name_words((*ep)->name);
		if (words > best_words &&
		    name_matches((*ep)->name, verb, argc, argv)) {
			best = *ep;
			best_words = words;
		}
	}
	if (best == NULL)
		return (cmd_unknown(ctx, verb, argc, argv));
	ctx->entry = best;
	r = parse_args(ctx, argc - (best_words - 1), argv + (best_words - 1));
	if (r != CMD_OK)
		return (r);
	r = best->exec(ctx);
	if (r == CMD_USAGE && ctx->usage.len == 0)
		set_usage(ctx, best);
	if (r != CMD_OK && ctx->error.len == 0 && r != CMD_USAGE)
		buf_set(&ctx->error, _("'%s' failed"), best->name);
	return (r);
}

/*
 * Edit distance over code points (so Cyrillic names compare fairly),
 * case-folded, with a swap of two neighbours counting as one edit: the
 * commonest typo ("lsit").
 */
static size_t
distance(const char *a, const char *b)
{
	uint32_t	*x, *y;
	size_t		 n = 0, m = 0, i, j, la = strlen(a), lb = strlen(b);
	size_t		*d, v, k;

	x = xcalloc(la + 1, sizeof *x);
	y = xcalloc(lb + 1, sizeof *y);
	for (i = 0; i < la; i += k ? k : 1) {
		k = utf8_decode(a + i, la - i, &x[n]);
		x[n] = utf8_lower(x[n]);
		n++;
	}
	for (i = 0; i < lb; i += k ? k : 1) {
		k = utf8_decode(b + i, lb - i, &y[m]);
		y[m] = utf8_lower(y[m]);
		m++;
	}
#define D(i, j) d[(i) * (m + 1) + (j)]
	d = xcalloc((n + 1) * (m + 1), sizeof *d);
	for (i = 0; i <= n; i++)
		D(i, 0) = i;
	for (j = 0; j <= m; j++)
		D(0, j) = j;
	for (i = 1; i <= n; i++) {
		for (j = 1; j <= m; j++) {
			v = D(i - 1, j - 1) + (x[i - 1] != y[j - 1]);
			if (D(i - 1, j) + 1 < v)
				v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] &&
			    x[i - 2] == y[j - 1] && D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	v = D(n, m);
#undef D
	free(d);
	free(x);
	free(y);
	return (v);
}

const char *
cmd_suggest(const char *s, const char *const *names, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = (size_t)-1, len;

	len = utf8_length(s, strlen(s));
	for (i = 0; i < n; i++) {
		d = distance(s, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	/* Close enough to be a typo, not just any short word. */
	if (best == NULL || bestd > 2 || bestd >= len)
		return (NULL);
	return (best);
}

const struct table *
cmd_table_get(struct cmd_ctx *ctx, const char *name)
{
	const struct table	 *t;
	const char		**names;
	const char		 *s;
	struct buf		  list = BUF_INIT;
	size_t			  i, n = ctx->schema->ntables;

	if ((t = schema_table(ctx->schema, name)) != NULL)
		return (t);
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++) {
		names[i] = ctx->schema->tables[i]->name;
		buf_printf(&list, "%s%s", i > 0 ? ", " : "", names[i]);
	}
	s = cmd_suggest(name, names, n);
	if (s != NULL)
		cmd_error(ctx, _("unknown table '%s' (did you mean '%s'?)"),
		    name, s);
	else
		cmd_error(ctx, _("unknown table '%s'; the tables are: %s"),
		    name, list.data);
	free(names);
	buf_release(&list);
	return (NULL);
}

ssize_t
cmd_field_get(struct cmd_ctx *ctx, const struct table *t, const char *name)
{
	const char	**names;
	const char	 *s;
	ssize_t		  pos;
	size_t		  i;

	if ((pos = table_field_pos(t, name)) >= 0)
		return (pos);
	names = xcalloc(t->nfields + 1, sizeof *names);
	for (i = 0; i < t->nfields; i++)
		names[i] = t->fields[i].name;
	s = cmd_suggest(name, names, t->nfields);
	if (s != NULL)
		cmd_error(ctx, _("unknown field '%s' in table '%s' (did you "
		    "mean '%s'?)"), name, t->name, s);
	else
		cmd_error(ctx, _("unknown field '%s' in table '%s'"), name,
		    t->name);
	free(names);
	return (-1);
}

int
cmd_parse_id(struct cmd_ctx *ctx, const char *s, uint64_t *id)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	if (*s < '1' || *s > '9' ||
	    (v = strtoull(s, &end, 10), errno != 0) || *end != '\0')
		return (cmd_usage(ctx, _("bad id '%s': expected a positive "
		    "whole number"), s));
	*id = v;
	return (CMD_OK);
}

int
cmd_parse_count(struct cmd_ctx *ctx, const char *bad, const char *s,
    uint64_t *n)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	if (*s < '0' || *s > '9' ||
	    (v = strtoull(s, &end, 10), errno != 0) || *end != '\0')
		return (cmd_usage(ctx, _(bad), s));
	*n = v;
	return (CMD_OK);
}

void
cmd_problems_init(struct cmd_problems *p, const struct table *t)
{
	p->table = t;
	p->why = xcalloc(t->nfields + 1, sizeof *p->why);
	p->n = 0;
}

void
cmd_problems_release(struct cmd_problems *p)
{
	size_t	i;

	if (p->why != NULL)
		for (i = 0; i < p->table->nfields; i++)
			free(p->why[i]);
	free(p->why);
	p->why = NULL;
	p->n = 0;
}

size_t
cmd_problems_text(const struct cmd_problems *p, const struct record *rec,
    int lang, struct buf *out)
{
	const struct table	*t = p->table;
	struct buf		 why = BUF_INIT;
	const char		*w;
	size_t			*order, i, pos, n = 0;

	order = xcalloc(t->nfields + 1, sizeof *order);
	table_screen_order(t, order);
	for (i = 0; i < t->nfields; i++) {
		pos = order[i];
		if ((w = p->why[pos]) == NULL) {
			buf_reset(&why);
			if (rec == NULL ||
			    record_validate_field(rec, pos, &why) == 0)
				continue;
			w = why.data;
		}
		if (n++ > 0)
			buf_adds(out, "; ");
		record_field_error(&t->fields[pos], lang, w, out);
	}
	free(order);
	buf_release(&why);
	return (n);
}

void
cmd_notes(struct cmd_ctx *ctx, const struct record *rec, const char *only)
{
	const struct table	*t = rec->table;
	const struct field	*f;
	struct buf		 why = BUF_INIT, msg = BUF_INIT;
	size_t			*order, i, pos;
	ssize_t			 arg;

	order = xcalloc(t->nfields + 1, sizeof *order);
	table_screen_order(t, order);
	for (i = 0; i < t->nfields; i++) {
		pos = order[i];
		f = &t->fields[pos];
		arg = f->validator_arg != NULL ?
		    table_field_pos(t, f->validator_arg) : -1;
		if (only != NULL && !only[pos] && (arg < 0 || !only[arg]))
			continue;
		buf_reset(&why);
		if (record_validate_note(rec, pos, &why) != 1)
			continue;
		buf_reset(&msg);
		record_field_error(f, ctx->lang, why.data, &msg);
		cmd_warn(ctx, "%s", msg.data);
	}
	free(order);
	buf_release(&why);
	buf_release(&msg);
}

int
cmd_assign(struct cmd_ctx *ctx, struct record *rec, const char *arg,
    char *set, struct cmd_problems *problems)
{
	const char	*eq = strchr(arg, '=');
	char		*name;
	ssize_t		 pos;
	struct buf	 why = BUF_INIT;
	int		 r = CMD_OK;

	if (eq == NULL || eq == arg)
		return (cmd_usage(ctx, _("expected field=value, got '%s'"),
		    arg));
	name = xstrndup(arg, eq - arg);
	pos = cmd_field_get(ctx, rec->table, name);
	free(name);
	if (pos < 0)
		return (CMD_FAILED);
	if (record_parse_why(rec, pos, eq + 1, &why) != 0) {
		if (problems == NULL)
			r = cmd_error(ctx, _("field '%s': %s"),
			    rec->table->fields[pos].name, why.data);
		else {
			/* Given twice: the last word, as for a value. */
			if (problems->why[pos] == NULL)
				problems->n++;
			free(problems->why[pos]);
			problems->why[pos] = buf_detach(&why, NULL);
		}
	} else {
		if (problems != NULL && problems->why[pos] != NULL) {
			free(problems->why[pos]);
			problems->why[pos] = NULL;
			problems->n--;
		}
		if (set != NULL)
			set[pos] = 1;
	}
	buf_release(&why);
	return (r);
}

char *
cmd_path(const struct cmd_ctx *ctx, const char *path)
{
	char	*s;

	if (path[0] == '/' || ctx->cwd == NULL || *ctx->cwd == '\0')
		return (xstrdup(path));
	xasprintf(&s, "%s/%s", ctx->cwd, path);
	return (s);
}

void
cmd_copy_value(struct record *to, const struct record *from, size_t pos)
{
	const struct value	*v = &from->values[pos];

	if (!v->set)
		record_clear(to, pos);
	else if (FT_IS_INT(to->table->fields[pos].type))
		record_set_int(to, pos, v->i);
	else
		record_set_text(to, pos, v->s, v->len);
}

int
cmd_dup_field(const struct field *f)
{
	if (!(f->index & (IX_EXACT | IX_UNIQUE)))
		return (0);
	return (f->type == FT_PHONE || f->type == FT_EMAIL ||
	    f->validator == VAL_INN || f->validator == VAL_INN_ORG ||
	    f->validator == VAL_INN_PERSON);
}

/* Does one element of the list v fold to key? */
static int
elem_folds_to(const struct value *v, const struct buf *key)
{
	struct buf	 k = BUF_INIT;
	const char	*p, *end, *nl;
	int		 r = 0;

	if (!v->set || v->s == NULL)
		return (0);
	for (p = v->s, end = v->s + v->len; p <= end && !r; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		buf_reset(&k);
		utf8_foldkey(&k, p, (size_t)(nl - p));
		r = k.len == key->len && memcmp(k.data, key->data, k.len) == 0;
	}
	buf_release(&k);
	return (r);
}

/*
 * The records other than rec (and those in seen, n of them) with an
 * e-mail of the field at pos that is key's in another case: the exact
 * index keeps addresses as written, and RODIONOVA@ya.ru is the same
 * mailbox as rodionova@ya.ru (find says so too).  Candidates come from
 * the word index (the address's words), at most a page of them.
 */
static size_t
email_case_twins(struct cmd_ctx *ctx, struct store_txn *txn,
    const struct record *rec, size_t pos, const char *addr, size_t len,
    uint64_t *out, size_t max, struct buf *err)
{
	const struct table	*t = rec->table;
	struct record		*other;
	struct buf		 text = BUF_INIT, key = BUF_INIT;
	uint64_t		 ids[64];
	size_t			 n = 0, i, k = 0;
	int			 r = 0;

	buf_add(&text, addr, len);
	utf8_foldkey(&key, addr, len);
	/* Through the session, as every read of a command. */
	if (access_search(ctx->session, txn, t, text.data, ids, nitems(ids),
	    &n, err) < 0)
		r = -1;
	for (i = 0; r == 0 && i < n && i < nitems(ids) && k < max; i++) {
		if (ids[i] == rec->id)
			continue;
		if ((r = access_get(ctx->session, txn, t, ids[i], &other,
		    err)) != 0) {
			r = r < 0 ? -1 : 0;	/* gone meanwhile: none */
			continue;
		}
		if (elem_folds_to(&other->values[pos], &key))
			out[k++] = ids[i];
		record_free(other);
	}
	buf_release(&text);
	buf_release(&key);
	return (r < 0 ? SIZE_MAX : k);
}

int
cmd_duplicates(struct cmd_ctx *ctx, struct store_txn *txn,
    const struct record *rec, const char *only, int labels, char ***w,
    size_t *nw, struct buf *err)
{
	const struct table	*t = rec->table;
	const struct field	*f;
	struct keyset		 ks;
	struct record		*other;
	struct buf		 title = BUF_INIT, msg = BUF_INIT;
	struct buf		 ref = BUF_INIT, why = BUF_INIT;
	struct value		 v;
	uint64_t		 ids[8], more[8];
	size_t			 pos, k, n, j, m, q, x;
	int			 r, ret = 0;

	keyset_init(&ks);
	for (pos = 0; pos < t->nfields && ret == 0; pos++) {
		f = &t->fields[pos];
		if (!cmd_dup_field(f) || (only != NULL && !only[pos]) ||
		    !rec->values[pos].set)
			continue;
		keyset_reset(&ks);
		index_field_keys(rec, pos,
		    (f->index & IX_EXACT) ? IX_EXACT : IX_UNIQUE, &ks);
		for (k = 0; k < ks.n && ret == 0; k++) {
			const char *key = ks.bytes.data + ks.off[k];

			n = 0;
			if (store_lookup(txn, t, f->name, key, ks.len[k], ids,
			    nitems(ids), &n, err) < 0) {
				ret = -1;
				break;
			}
			if (n > nitems(ids))
				n = nitems(ids);
			if (f->type == FT_EMAIL && n < nitems(ids)) {
				m = email_case_twins(ctx, txn, rec, pos, key,
				    ks.len[k], more, nitems(more), err);
				if (m == SIZE_MAX) {
					ret = -1;
					break;
				}
				for (q = 0; q < m && n < nitems(ids); q++) {
					for (x = 0; x < n && ids[x] != more[q];
					    x++)
						;
					if (x == n)
						ids[n++] = more[q];
				}
			}
			for (j = 0; j < n; j++) {
				if (ids[j] == rec->id)
					continue;
				r = access_get(ctx->session, txn, t, ids[j],
				    &other, err);
				if (r < 0) {
					ret = -1;
					break;
				}
				if (r != 0)
					continue;
				record_title(other, &title);
				buf_reset(&msg);
				if (labels) {
					buf_reset(&ref);
					record_ref_text(t, ids[j], title.data,
					    ctx->lang, &ref);
					if (other->flags & REC_ARCHIVED)
						buf_adds(&ref,
						    _(" (archived)"));
					memset(&v, 0, sizeof(v));
					v.set = 1;
					v.s = (char *)(uintptr_t)key;
					v.len = ks.len[k];
					buf_reset(&title);
					record_value_format(f, f->type, &v,
					    VALUE_PEOPLE, ctx->lang, &title);
					buf_reset(&why);
					/* TRANSLATORS: "Client #2 ООО «Гамма»
					 * has the same +7 495 123-45-67". */
					buf_printf(&why,
					    _("%s has the same %s"), ref.data,
					    title.data);
					record_field_error(f, ctx->lang,
					    why.data, &msg);
				} else
					buf_printf(&msg, _("%s %llu '%s'%s has "
					    "the same %s '%.*s'"), t->name,
					    (unsigned long long)ids[j],
					    title.data, (other->flags &
					    REC_ARCHIVED) ? _(" (archived)") :
					    "", f->name, (int)ks.len[k], key);
				*w = xreallocarray(*w, *nw + 1, sizeof **w);
				(*w)[(*nw)++] = buf_detach(&msg, NULL);
				record_free(other);
			}
		}
	}
	keyset_release(&ks);
	buf_release(&title);
	buf_release(&msg);
	buf_release(&ref);
	buf_release(&why);
	return (ret);
}
