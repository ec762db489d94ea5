/*
 * page-group.c: the groups of a list (--group, --aggs) for the
 * frequency table and the group view of the terminal: counted by the
 * engine (page_groups), or for --nowait by a thread whose answer is
 * kept for the server (struct page_group).  Must not print or change
 * anything, nor give an answer to another operator, or in another
 * language, than the one it was counted for.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "query/query.h"
#include "page_int.h"

/* One value of a group row: as written in a query, and for people. */
static void
page_group_value(struct cmd_ctx *ctx, const struct query *q, size_t c,
    const struct value *v, struct buf *out)
{
	struct buf	t = BUF_INIT;

	query_value_text(q, c, v, 1, ctx->lang, &t);
	cmd_machine_field(out, t.data, t.len);
	buf_reset(&t);
	query_value_text(q, c, v, 0, ctx->lang, &t);
	cmd_machine_field(out, t.data, t.len);
	buf_release(&t);
}

struct page_grp {
	struct cmd_ctx		*ctx;
	const struct query	*q;
	struct buf		*out;
};

static int
page_group_row(const struct query_row *row, void *arg, struct buf *err)
{
	struct page_grp	*g = arg;
	size_t		 c;

	(void)err;
	buf_printf(g->out, "group\t%d", row->level);
	for (c = 0; c < query_ncols(g->q); c++)
		page_group_value(g->ctx, g->q, c, &row->vals[c], g->out);
	buf_addch(g->out, '\n');
	return (0);
}

/*
 * The keys alone first, as the condition is (page_query): a mistake in
 * them is told by its column in what was typed (the group view's
 * "status, city"), not in the query made around them, and told at once,
 * not by the thread of --nowait a moment later.
 */
int
page_group_keys(struct cmd_ctx *ctx, const struct table *t)
{
	struct query	*q = NULL;
	struct buf	 err = BUF_INIT;
	int		 r = CMD_OK;

	if (query_parse_group(ctx->schema, t, cmd_opt(ctx, "group"), &q,
	    &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		r = CMD_FAILED;
	}
	query_free(q);
	buf_release(&err);
	return (r);
}

/*
 * Groups: "page TABLE --group KEY,... [--aggs AGG,...] [--where COND]
 * [--search TEXT] [--sort KEY,...] [--limit N]".  Each group row gives
 * its level and every column twice, as a query writes it (for a
 * condition) and for people.
 */
int
page_groups(struct cmd_ctx *ctx, struct page_state *st, const char *sort,
    size_t limit, struct buf *out)
{
	struct page_grp	 g;
	struct query	*q = NULL, *cq = NULL;
	struct query_rows cr;
	struct buf	 tail = BUF_INIT, err = BUF_INIT;
	const char	*aggs = cmd_opt(ctx, "aggs");
	size_t		 c;
	int		 r = CMD_FAILED, more = 0;

	query_rows_init(&cr);
	buf_printf(&tail, "group %s %s", cmd_opt(ctx, "group"),
	    page_blank(aggs) ? "count()" : aggs);
	if (sort != NULL)
		buf_printf(&tail, " sort %s", sort);
	if (page_query(ctx, st->table, cmd_opt(ctx, "where"), st->search,
	    tail.data, &q) != 0)
		goto out;
	if (!query_is_group(q)) {
		cmd_usage(ctx, _("bad --group '%s': give the fields to group "
		    "by"), cmd_opt(ctx, "group"));
		r = CMD_USAGE;
		goto out;
	}
	/* The records in every group together, for shares. */
	if (page_query(ctx, st->table, cmd_opt(ctx, "where"), st->search,
	    "group count()", &cq) != 0 ||
	    query_run(ctx->session, cq, NULL, 1, &cr, &err) != 0)
		goto fail;
	buf_printf(out, "total\t%llu\n", (unsigned long long)st->total);
	buf_printf(out, "filtered\t%llu\n", cr.n > 0 && cr.rows[0].vals[0].set ?
	    (unsigned long long)cr.rows[0].vals[0].i : 0ULL);
	buf_adds(out, "cols");
	for (c = 0; c < query_ncols(q); c++)
		cmd_machine_str(out, query_col(q, c)->name);
	buf_addch(out, '\n');
	buf_adds(out, "labels");
	for (c = 0; c < query_ncols(q); c++)
		cmd_machine_str(out, query_col(q, c)->label[ctx->lang ? 1 : 0]);
	buf_addch(out, '\n');
	g.ctx = ctx;
	g.q = q;
	g.out = out;
	if (query_each(ctx->session, q, NULL, limit, page_group_row, &g, &err,
	    &more, NULL) != 0)
		goto fail;
	buf_printf(out, "more\t%d\n", more);
	r = CMD_OK;
	goto out;
fail:
	buf_reset(out);
	cmd_error(ctx, "%s", err.data);
out:
	query_rows_release(&cr);
	query_free(q);
	query_free(cq);
	buf_release(&tail);
	buf_release(&err);
	return (r);
}

/*
 * Groups for --nowait (the frequency table and the group view of the
 * terminal): at a million records the engine takes 0.3-2 s for them, so
 * a thread computes the answer, kept here until asked for (the last
 * PAGE_GROUP_KEEP, each for its operator and language).  A kept answer
 * is given again while nothing was written since (by the journal) on
 * the same day; one computed while writes went on is given once, so an
 * office that never stops writing still sees its groups, and asked
 * again it is computed again.
 */
#define PAGE_GROUP_KEEP		4

struct page_group {
	struct page_cached	 c;		/* first */
	char			*key;		/* all below, for the match */
	const struct schema	*schema;
	const struct table	*table;
	char			*login;
	int			 lang;
	char			*group, *aggs, *where, *search, *sort;
	size_t			 limit;
	uint64_t		 total;

	pthread_mutex_t		 lock;		/* all below */
	int			 ready, served, status;
	struct buf		 answer, error, usage;
	uint64_t		 jseq;
	int32_t			 day;
};

static struct page_cached *page_groupcs;

static void
page_group_free(struct page_cached *c)
{
	struct page_group	*g = (struct page_group *)c;

	free(g->key);
	free(g->login);
	free(g->group);
	free(g->aggs);
	free(g->where);
	free(g->search);
	free(g->sort);
	buf_release(&g->answer);
	buf_release(&g->error);
	buf_release(&g->usage);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

void
page_group_stop(struct store *s)
{
	page_cached_stop(&page_groupcs, s);
}

static char *
page_dup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

static void *
page_group_build(void *arg)
{
	struct page_group	*g = arg;
	struct session		*sess = NULL;
	struct cmd_ctx		 c;
	struct page_state	 st;
	uint64_t		 jseq;
	int32_t			 day;
	int			 r;

	page_background();
	page_test_delay();
	cmd_ctx_init(&c);
	c.store = g->c.store;
	c.schema = g->schema;
	c.lang = g->lang;
	c.optname[c.nopts] = "group";
	c.optval[c.nopts++] = g->group;
	if (g->aggs != NULL) {
		c.optname[c.nopts] = "aggs";
		c.optval[c.nopts++] = g->aggs;
	}
	if (g->where != NULL) {
		c.optname[c.nopts] = "where";
		c.optval[c.nopts++] = g->where;
	}
	memset(&st, 0, sizeof st);
	st.ctx = &c;
	st.table = g->table;
	st.total = g->total;
	st.search = g->search;
	jseq = store_journal_seq(g->c.store);
	day = clock_today();
	if (access_session_open(g->c.store, g->login, &sess, &c.error) != 0)
		r = CMD_FAILED;
	else {
		c.session = sess;
		r = page_groups(&c, &st, g->sort, g->limit, &c.out);
	}
	pthread_mutex_lock(&g->lock);
	g->status = r;
	buf_reset(&g->answer);
	buf_reset(&g->error);
	buf_reset(&g->usage);
	buf_add(&g->answer, c.out.data, c.out.len);
	buf_add(&g->error, c.error.data, c.error.len);
	buf_add(&g->usage, c.usage.data, c.usage.len);
	g->jseq = jseq;
	g->day = day;
	g->ready = 1;
	g->served = 0;
	pthread_mutex_unlock(&g->lock);
	cmd_ctx_release(&c);
	if (sess != NULL)
		access_session_free(sess);
	page_cached_thread_done(&g->c);
	return (NULL);
}

/* g's answer given to ctx when it has one to give: 1, else 0. */
static int
page_group_give(struct cmd_ctx *ctx, struct page_group *g, int *r)
{
	int	given = 0;

	pthread_mutex_lock(&g->lock);
	if (g->ready && (!g->served || (g->jseq ==
	    store_journal_seq(g->c.store) && g->day == clock_today()))) {
		buf_add(&ctx->out, g->answer.data, g->answer.len);
		if (g->error.len > 0)
			buf_add(&ctx->error, g->error.data, g->error.len);
		if (g->usage.len > 0)
			buf_add(&ctx->usage, g->usage.data, g->usage.len);
		*r = g->status;
		g->served = 1;
		given = 1;
	}
	pthread_mutex_unlock(&g->lock);
	return (given);
}

int
page_groups_nowait(struct cmd_ctx *ctx, struct page_state *st,
    const char *sort, size_t limit)
{
	struct page_cached	*c;
	struct page_group	*g = NULL;
	struct buf		 key = BUF_INIT;
	const char		*login = access_user(ctx->session);
	const char		*aggs = cmd_opt(ctx, "aggs");
	const char		*where = cmd_opt(ctx, "where");
	int			 r = CMD_OK, started;

	if (login == NULL || *login == '\0' || page_nowait_small(st))
		return (page_groups(ctx, st, sort, limit, &ctx->out));
	buf_printf(&key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%zu\x1f%d\x1f%s",
	    st->table->name, cmd_opt(ctx, "group"), aggs != NULL ? aggs : "",
	    where != NULL ? where : "", st->search != NULL ? st->search : "",
	    sort != NULL ? sort : "", limit, ctx->lang, login);
	pthread_mutex_lock(&page_order_lock);
	for (c = page_groupcs; c != NULL; c = c->next)
		if (c->store == ctx->store &&
		    strcmp(((struct page_group *)c)->key, key.data) == 0) {
			g = (struct page_group *)c;
			page_cached_use(c);
			break;
		}
	if (g == NULL) {
		g = xcalloc(1, sizeof *g);
		g->c.store = ctx->store;
		g->c.free = page_group_free;
		g->key = xstrdup(key.data);
		g->schema = ctx->schema;
		g->table = st->table;
		g->login = xstrdup(login);
		g->lang = ctx->lang;
		g->group = xstrdup(cmd_opt(ctx, "group"));
		g->aggs = page_dup(aggs);
		g->where = page_dup(where);
		g->search = page_dup(st->search);
		g->sort = page_dup(sort);
		g->limit = limit;
		buf_init(&g->answer);
		buf_init(&g->error);
		buf_init(&g->usage);
		pthread_mutex_init(&g->lock, NULL);
		page_cached_add(&page_groupcs, &g->c, PAGE_GROUP_KEEP);
	}
	pthread_mutex_unlock(&page_order_lock);
	buf_release(&key);
	if (page_group_give(ctx, g, &r))
		goto out;
	pthread_mutex_lock(&page_order_lock);
	if (!g->c.threaded)
		g->total = st->total;	/* for the thread to come */
	started = page_cached_thread(&g->c, page_group_build) == 0;
	pthread_mutex_unlock(&page_order_lock);
	if (!started) {
		/* No thread: here and now. */
		page_cached_put(&g->c);
		return (page_groups(ctx, st, sort, limit, &ctx->out));
	}
	r = page_pending(ctx, st, 0, 0);
out:
	page_cached_put(&g->c);
	return (r);
}
