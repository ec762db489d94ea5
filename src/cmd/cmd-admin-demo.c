/*
 * cmd-admin-demo.c: "admin demo [--scale N] [--seed S]": fill an empty
 * database with N realistic Russian parties (demo-gen.c) and, for each
 * organisation, one to three contact persons.  Administrators only.
 * Inserts in transactions of DEMO_BATCH parties, so a demo cut short
 * keeps the batches done; the same seed gives the same database.  Must
 * not print, nor run on a database that already holds records.
 */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "demo-gen.h"

#define DEMO_SCALE	1000
#define DEMO_SEED	20261128
#define DEMO_BATCH	1000
/* demo-gen.c keeps ИНН and ОГРН unique among this many parties. */
#define DEMO_MAXSCALE	10000000

struct demo_state {
	struct cmd_ctx		*ctx;
	const struct table	*party, *contact;
	struct gen		 gen;		/* at the start of the batch */
	struct gen		 run;		/* this try's copy */
	uint64_t		 n;		/* parties in this batch */
	uint64_t		 parties, contacts;	/* this try's */
	uint64_t		 count;		/* records found before */
};

static int
demo_count_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct demo_state	*st = arg;
	uint64_t		 n;

	st->count = 0;
	if (store_count(txn, st->party, &n, err) != 0)
		return (-1);
	st->count += n;
	if (st->contact != NULL) {
		if (store_count(txn, st->contact, &n, err) != 0)
			return (-1);
		st->count += n;
	}
	return (0);
}

static int
demo_batch_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct demo_state	*st = arg;
	struct record		*rec;
	uint64_t		 i, id;
	int			 k, nc;

	/* A deadlock runs this again: start from the batch's state. */
	st->run = st->gen;
	st->parties = st->contacts = 0;
	for (i = 0; i < st->n; i++) {
		rec = record_new(st->party);
		record_defaults(rec);
		gen_party(&st->run, rec);
		if (access_insert(st->ctx->session, txn, rec, err) != 0) {
			record_free(rec);
			return (-1);
		}
		id = rec->id;
		record_free(rec);
		st->parties++;
		if (st->run.kind != GEN_ORG || st->contact == NULL)
			continue;
		nc = 1 + (int)gen_below(&st->run, 3);
		for (k = 0; k < nc; k++) {
			rec = record_new(st->contact);
			record_defaults(rec);
			gen_contact(&st->run, rec, id);
			if (access_insert(st->ctx->session, txn, rec,
			    err) != 0) {
				record_free(rec);
				return (-1);
			}
			record_free(rec);
			st->contacts++;
		}
	}
	return (0);
}

static int
admin_demo_exec(struct cmd_ctx *ctx)
{
	struct demo_state	 st;
	struct buf		 err = BUF_INIT;
	const char		*s;
	uint64_t		 scale = DEMO_SCALE, seed = DEMO_SEED;
	uint64_t		 done = 0, contacts = 0;
	int			 r;

	if (access_check(ctx->session, NULL, ACCESS_ADMIN, &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	if ((s = cmd_opt(ctx, "scale")) != NULL) {
		if ((r = cmd_parse_count(ctx, N_("bad --scale '%s': "
		    "expected a whole number"), s, &scale)) != CMD_OK)
			return (r);
		if (scale == 0 || scale > DEMO_MAXSCALE)
			return (cmd_usage(ctx, _("bad --scale '%s': expected "
			    "1 to %d parties"), s, DEMO_MAXSCALE));
	}
	if ((s = cmd_opt(ctx, "seed")) != NULL &&
	    (r = cmd_parse_count(ctx, N_("bad --seed '%s': "
	    "expected a whole number"), s, &seed)) != CMD_OK)
		return (r);

	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	st.party = schema_table(ctx->schema, "party");
	st.contact = schema_table(ctx->schema, "contact");
	if (st.party == NULL)
		return (cmd_error(ctx, _("the forms have no table 'party' "
		    "to fill")));
	if (st.contact != NULL && (table_field(st.contact, "party") == NULL ||
	    table_field(st.contact, "party")->type != FT_REF))
		st.contact = NULL;
	if (store_txn_run(ctx->store, STORE_TXN_READONLY, demo_count_txn, &st,
	    &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	/* Demo ИНН would clash with real ones, and demo data mixed with
	 * real data is hard to take out again. */
	if (st.count > 0)
		return (cmd_error(ctx, _("the database already holds %llu "
		    "records: a demo goes into an empty database only"),
		    (unsigned long long)st.count));

	gen_init(&st.gen, seed);
	while (done < scale) {
		st.n = scale - done < DEMO_BATCH ? scale - done : DEMO_BATCH;
		if (store_txn_run(ctx->store, 0, demo_batch_txn, &st,
		    &err) != 0) {
			cmd_error(ctx, _("demo stopped after %llu parties: %s"),
			    (unsigned long long)done, err.data);
			buf_release(&err);
			return (CMD_FAILED);
		}
		st.gen = st.run;
		done += st.parties;
		contacts += st.contacts;
		cmd_progress(ctx, _("%llu of %llu parties"),
		    (unsigned long long)done, (unsigned long long)scale);
		if (done < scale && cmd_gone(ctx)) {
			buf_release(&err);
			return (cmd_error(ctx, _("demo stopped after %llu "
			    "parties: the client is gone"),
			    (unsigned long long)done));
		}
	}
	buf_printf(&ctx->out, _("created %llu parties and %llu contacts\n"),
	    (unsigned long long)done, (unsigned long long)contacts);
	buf_release(&err);
	return (CMD_OK);
}

const struct cmd_entry cmd_admin_demo_entry = {
	"admin demo", "[--scale N] [--seed S]",
	N_("fill an empty database with realistic demo parties"),
	"scale=,seed=", 0, 0, admin_demo_exec
};
