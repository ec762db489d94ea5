/*
 * cmd-view.c: saved views, a named query per operator: "view save NAME
 * QUERY [--shared] [--replace]", "view list", "view run NAME", "view rm
 * NAME [--shared]".  A view is kept in the store's meta table under
 * "view:LOGIN:NAME", so no operator sees another's; shared views, which
 * only an administrator saves or removes, under "view::NAME".  The
 * query is checked when saved and parsed again when run, against the
 * forms of the moment.  Must not print.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "query/query.h"

#define VIEW_PREFIX	"view:"
#define VIEW_NAME_MAX	64

/* The meta key of a view: shared ones have no login. */
static void
view_key(struct buf *key, const char *login, const char *name)
{
	buf_reset(key);
	buf_printf(key, "%s%s:%s", VIEW_PREFIX, login != NULL ? login : "",
	    name);
}

/* Letters of any script, digits, '_', '-' and '.': a word the shell
 * and the key's ':' separators leave alone. */
static int
view_name_ok(struct cmd_ctx *ctx, const char *name)
{
	const char	*s;
	size_t		 len = strlen(name), n;
	uint32_t	 cp;

	if (len == 0 || len > VIEW_NAME_MAX || name[0] == '-')
		goto bad;
	for (s = name; *s != '\0'; s += n) {
		n = utf8_decode(s, strlen(s), &cp);
		if (n == 0)
			goto bad;
		if (cp < 0x80 && !((cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
		    cp == '_' || cp == '-' || cp == '.'))
			goto bad;
		if (cp >= 0x80 && utf8_lower(cp) == cp && utf8_upper(cp) == cp)
			goto bad;	/* only letters beyond ASCII */
	}
	return (1);
bad:
	cmd_usage(ctx, _("bad view name '%s' (letters, digits, '_', '-' and "
	    "'.', at most %d bytes)"), name, VIEW_NAME_MAX);
	return (0);
}

struct view_op {
	struct cmd_ctx	*ctx;
	const char	*login;		/* NULL = shared */
	const char	*name;
	const char	*text;		/* save: the query */
	int		 replace;
	/* Results. */
	struct buf	 query;		/* get: the query */
	int		 shared;	/* get: found among the shared */
};

static int
save_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct view_op	*op = arg;
	struct buf	 key = BUF_INIT, old = BUF_INIT;
	int		 r;

	view_key(&key, op->login, op->name);
	r = store_meta_get(txn, key.data, &old, err);
	if (r == 0 && !op->replace)
		r = buf_error(err, op->login != NULL ? _("you have a view "
		    "'%s' already (--replace changes it)") : _("a shared "
		    "view '%s' exists already (--replace changes it)"),
		    op->name);
	else if (r >= 0)
		r = store_meta_put(txn, key.data, op->text, strlen(op->text),
		    err);
	buf_release(&key);
	buf_release(&old);
	return (r);
}

static int
rm_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct view_op	*op = arg;
	struct buf	 key = BUF_INIT, old = BUF_INIT;
	int		 r;

	view_key(&key, op->login, op->name);
	r = store_meta_del(txn, key.data, err);
	if (r == STORE_NOTFOUND && op->login != NULL) {
		/* The view the name runs may be the shared one. */
		view_key(&key, NULL, op->name);
		r = store_meta_get(txn, key.data, &old, err);
		if (r == 0)
			r = buf_error(err, _("you have no view '%s'; the "
			    "shared one of the name goes with --shared"),
			    op->name);
		else if (r == STORE_NOTFOUND)
			r = buf_error(err, _("you have no view '%s'"),
			    op->name);
	} else if (r == STORE_NOTFOUND)
		r = buf_error(err, _("there is no shared view '%s'"),
		    op->name);
	buf_release(&key);
	buf_release(&old);
	return (r);
}

/* An operator's own view first, then a shared one of the name. */
static int
get_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct view_op	*op = arg;
	struct buf	 key = BUF_INIT;
	int		 r;

	buf_reset(&op->query);
	op->shared = 0;
	view_key(&key, op->login, op->name);
	r = store_meta_get(txn, key.data, &op->query, err);
	if (r == STORE_NOTFOUND) {
		buf_reset(&op->query);
		view_key(&key, NULL, op->name);
		r = store_meta_get(txn, key.data, &op->query, err);
		op->shared = 1;
	}
	if (r == STORE_NOTFOUND)
		r = buf_error(err, _("no view '%s' (clerk view list shows "
		    "yours and the shared ones)"), op->name);
	buf_release(&key);
	return (r);
}

static int
view_save_exec(struct cmd_ctx *ctx)
{
	struct view_op	 op;
	struct query	*q = NULL;
	struct buf	 text = BUF_INIT, err = BUF_INIT;
	int		 i, r;

	if (!view_name_ok(ctx, ctx->argv[0]))
		return (CMD_USAGE);
	for (i = 1; i < ctx->argc; i++)
		buf_printf(&text, "%s%s", i > 1 ? " " : "", ctx->argv[i]);
	memset(&op, 0, sizeof op);
	op.ctx = ctx;
	op.name = ctx->argv[0];
	op.login = access_user(ctx->session);
	op.replace = cmd_opt(ctx, "replace") != NULL;
	if (cmd_opt(ctx, "shared") != NULL) {
		if (!access_is_admin(ctx->session)) {
			buf_release(&text);
			return (cmd_error(ctx, _("only an administrator may "
			    "save shared views")));
		}
		op.login = NULL;
	}
	if (query_parse(ctx->schema, text.data, &q, &err) != 0) {
		r = cmd_error(ctx, "%s", err.data);
		goto out;
	}
	/* Kept as the engine writes it back: one blank between words. */
	op.text = query_text(q);
	if (store_txn_run(ctx->store, 0, save_txn, &op, &err) != 0)
		r = cmd_error(ctx, "%s", err.data);
	else
		r = CMD_OK;
out:
	query_free(q);
	buf_release(&text);
	buf_release(&err);
	return (r);
}

struct view_list {
	char	**names;
	char	**texts;
	int	 *shared;
	size_t	  n;
	int	  now_shared;
	size_t	  skip;		/* bytes of the prefix */
};

static int
list_one(const char *key, const void *val, size_t len, void *arg)
{
	struct view_list	*l = arg;

	l->names = xreallocarray(l->names, l->n + 1, sizeof *l->names);
	l->texts = xreallocarray(l->texts, l->n + 1, sizeof *l->texts);
	l->shared = xreallocarray(l->shared, l->n + 1, sizeof *l->shared);
	l->names[l->n] = xstrdup(key + l->skip);
	l->texts[l->n] = xstrndup(val, len);
	l->shared[l->n] = l->now_shared;
	l->n++;
	return (0);
}

static void
view_list_reset(struct view_list *l)
{
	cmd_strings_free(l->names, l->n);
	cmd_strings_free(l->texts, l->n);
	free(l->shared);
	memset(l, 0, sizeof *l);
}

struct list_op {
	const char		*login;
	struct view_list	 l;
};

static int
list_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct list_op	*op = arg;
	struct buf	 prefix = BUF_INIT;
	int		 r;

	view_list_reset(&op->l);
	view_key(&prefix, op->login, "");
	op->l.skip = prefix.len;
	r = store_meta_scan(txn, prefix.data, list_one, &op->l, err);
	if (r == 0) {
		view_key(&prefix, NULL, "");
		op->l.skip = prefix.len;
		op->l.now_shared = 1;
		r = store_meta_scan(txn, prefix.data, list_one, &op->l, err);
	}
	buf_release(&prefix);
	return (r);
}

static int
view_list_exec(struct cmd_ctx *ctx)
{
	struct list_op	 op;
	struct cmd_grid	 g;
	struct buf	 err = BUF_INIT;
	enum cmd_format	 fmt;
	size_t		 i;
	int		 r;

	if ((r = cmd_format_get(ctx, &fmt)) != CMD_OK)
		return (r);
	memset(&op, 0, sizeof op);
	op.login = access_user(ctx->session);
	if (store_txn_run(ctx->store, STORE_TXN_READONLY, list_txn, &op,
	    &err) != 0) {
		r = cmd_error(ctx, "%s", err.data);
		goto out;
	}
	if (fmt == FMT_JSON) {
		buf_adds(&ctx->out, op.l.n == 0 ? "[]\n" : "[\n");
		for (i = 0; i < op.l.n; i++) {
			buf_adds(&ctx->out, "{\"name\":");
			buf_addjson(&ctx->out, op.l.names[i],
			    strlen(op.l.names[i]));
			buf_printf(&ctx->out, ",\"shared\":%s,\"query\":",
			    op.l.shared[i] ? "true" : "false");
			buf_addjson(&ctx->out, op.l.texts[i],
			    strlen(op.l.texts[i]));
			buf_adds(&ctx->out, i + 1 < op.l.n ? "},\n" : "}\n]\n");
		}
		goto out;
	}
	if (op.l.n == 0 && fmt == FMT_TABLE)
		goto out;
	cmd_grid_init(&g, 3);
	if (fmt == FMT_TABLE) {
		cmd_grid_adds(&g, _("View"));
		cmd_grid_adds(&g, _("Shared"));
		cmd_grid_adds(&g, _("Query"));
	} else {
		cmd_grid_adds(&g, "name");
		cmd_grid_adds(&g, "shared");
		cmd_grid_adds(&g, "query");
	}
	for (i = 0; i < op.l.n; i++) {
		cmd_grid_adds(&g, op.l.names[i]);
		cmd_grid_adds(&g, fmt == FMT_TABLE ? (op.l.shared[i] ?
		    _("yes") : "") : op.l.shared[i] ? "yes" : "no");
		cmd_grid_adds(&g, op.l.texts[i]);
	}
	/* The query whole: it is what the view is. */
	cmd_grid_render(&g, fmt, 0, 0, &ctx->out);
	cmd_grid_release(&g);
out:
	view_list_reset(&op.l);
	buf_release(&err);
	return (r);
}

static int
view_run_exec(struct cmd_ctx *ctx)
{
	struct view_op	 op;
	struct query	*q = NULL;
	struct buf	 err = BUF_INIT;
	enum cmd_format	 fmt;
	int		 r;

	if ((r = cmd_format_get(ctx, &fmt)) != CMD_OK)
		return (r);
	memset(&op, 0, sizeof op);
	op.ctx = ctx;
	op.name = ctx->argv[0];
	op.login = access_user(ctx->session);
	buf_init(&op.query);
	if (store_txn_run(ctx->store, STORE_TXN_READONLY, get_txn, &op,
	    &err) != 0) {
		r = cmd_error(ctx, "%s", err.data);
		goto out;
	}
	/* Parsed anew: the forms may have changed since it was saved. */
	if (query_parse(ctx->schema, op.query.data, &q, &err) != 0) {
		r = cmd_error(ctx, _("view '%s': %s"), op.name, err.data);
		goto out;
	}
	if (cmd_opt(ctx, "explain") != NULL) {
		if (query_explain(ctx->session, q, &ctx->out, &err) != 0)
			r = cmd_error(ctx, "%s", err.data);
	} else
		r = cmd_query_output(ctx, q, fmt);
out:
	query_free(q);
	buf_release(&op.query);
	buf_release(&err);
	return (r);
}

static int
view_rm_exec(struct cmd_ctx *ctx)
{
	struct view_op	 op;
	struct buf	 err = BUF_INIT;
	int		 r = CMD_OK;

	memset(&op, 0, sizeof op);
	op.ctx = ctx;
	op.name = ctx->argv[0];
	op.login = access_user(ctx->session);
	if (cmd_opt(ctx, "shared") != NULL) {
		if (!access_is_admin(ctx->session))
			return (cmd_error(ctx, _("only an administrator may "
			    "remove shared views")));
		op.login = NULL;
	}
	if (store_txn_run(ctx->store, 0, rm_txn, &op, &err) != 0)
		r = cmd_error(ctx, "%s", err.data);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_view_save_entry = {
	"view save", "NAME QUERY [--shared] [--replace]",
	N_("save a query as a view of yours (--shared: for everyone, by an "
	    "administrator)"),
	"shared,replace", 2, -1, view_save_exec
};

const struct cmd_entry cmd_view_list_entry = {
	"view list", "[--format table|csv|tsv|json]",
	N_("list your views and the shared ones"),
	"format=", 0, 0, view_list_exec
};

const struct cmd_entry cmd_view_run_entry = {
	"view run", "NAME [--format table|csv|tsv|json] [--explain]",
	N_("run a view: yours, else a shared one of the name"),
	"format=,explain", 1, 1, view_run_exec
};

const struct cmd_entry cmd_view_rm_entry = {
	"view rm", "NAME [--shared]",
	N_("remove a view of yours (--shared: a shared one, by an "
	    "administrator)"),
	"shared", 1, 1, view_rm_exec
};
