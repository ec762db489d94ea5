/*
 * test-access: sessions refuse unregistered and disabled operators, the
 * creator is the administrator, only administrators manage operators,
 * the audit trail names the session's operator, and an open session
 * follows changes to its operator.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "tap.h"

static struct session *cur;
static const char *arg_login;
static int arg_admin;

static int
add_op(struct store_txn *txn, void *arg, struct buf *err)
{
	return (access_operator_add(cur, txn, arg_login, arg_admin, NULL,
	    err));
}

static int
disable_op(struct store_txn *txn, void *arg, struct buf *err)
{
	return (access_operator_disable(cur, txn, arg_login, 1, NULL, err));
}

static struct record *ins_rec;

static int
insert_party(struct store_txn *txn, void *arg, struct buf *err)
{
	return (access_insert(cur, txn, ins_rec, err));
}

static struct audit_entry *hist;
static size_t nhist;

static int
history(struct store_txn *txn, void *arg, struct buf *err)
{
	return (access_history(cur, txn, ins_rec->table, ins_rec->id, &hist,
	    &nhist, err));
}

static struct access_operator *ops;
static size_t nops;

static int
list_ops(struct store_txn *txn, void *arg, struct buf *err)
{
	return (access_operator_list(cur, txn, &ops, &nops, err));
}

int
main(void)
{
	struct buf		 err = BUF_INIT;
	struct schema		*schema = schema_new();
	struct store		*st;
	struct store_options	 opt = { 0, STORE_CREATE | STORE_NOSYNC, 0 };
	struct session		*alice, *bob;
	const struct table	*party;
	char			 dir[] = "/tmp/clerk-test-access.XXXXXX";
	const char		*forms = getenv("CLERK_FORMS");
	char			 cmd[512];
	int			 r;
	size_t			 i;

	if (forms == NULL)
		forms = TOP_SRCDIR "/forms";
	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	if (schema_load(schema, forms, &err) != 0)
		tap_bail(err.data);
	snprintf(cmd, sizeof cmd, "%s/db", dir);
	if (store_open(&st, cmd, schema, &opt, &err) != 0)
		tap_bail(err.data);
	party = schema_table(schema, "party");

	ok(access_login_valid("ivanov", &err) == 0, "plain login is valid");
	ok(access_login_valid("Ivanov", &err) == -1 &&
	    strstr(err.data, "'Ivanov'") != NULL,
	    "upper-case login refused, named: %s", err.data);
	ok(access_login_valid("", &err) == -1, "empty login refused");
	ok(access_login_valid("a;rm", &err) == -1, "login with ';' refused");

	r = access_session_open(st, "alice", &alice, &err);
	ok(r == -1 && strcmp(err.data, "you are not a clerk operator on "
	    "this server; ask an administrator") == 0,
	    "before init nobody gets a session: %s", err.data);

	ok(access_init(st, "alice", &err) == 0, "init makes alice the admin");
	ok(access_init(st, "mallory", &err) == 0, "a second init is a no-op");
	ok(access_session_open(st, "mallory", &bob, &err) == -1,
	    "mallory did not become an operator by a second init");

	ok(access_session_open(st, "alice", &alice, &err) == 0,
	    "alice gets a session");
	ok(access_is_admin(alice), "the creator is an administrator");
	is_str(access_user(alice), "alice", "the session carries the login");

	r = access_session_open(st, "bob", &bob, &err);
	ok(r == -1 && strstr(err.data, "not a clerk operator") != NULL,
	    "unregistered bob refused");

	cur = alice;
	arg_login = "bob";
	arg_admin = 0;
	ok(store_txn_run(st, 0, add_op, NULL, &err) == 0,
	    "alice registers bob");
	ok(access_session_open(st, "bob", &bob, &err) == 0,
	    "bob gets a session now");
	ok(!access_is_admin(bob), "bob is not an administrator");
	ok(access_session_check(bob, &err) == 0,
	    "nothing changed: bob's session goes on");

	/* Changes reach sessions that are open (one per connection). */
	arg_admin = 1;
	ok(store_txn_run(st, 0, add_op, NULL, &err) == 0,
	    "alice makes bob an administrator");
	ok(!access_is_admin(bob), "bob's open session does not know yet");
	ok(access_session_check(bob, &err) == 0 && access_is_admin(bob),
	    "it does at his next request");
	arg_admin = 0;
	ok(store_txn_run(st, 0, add_op, NULL, &err) == 0,
	    "alice takes it back");
	ok(access_session_check(bob, &err) == 0 && !access_is_admin(bob),
	    "and bob's session follows");

	cur = bob;
	arg_login = "carol";
	r = store_txn_run(st, 0, add_op, NULL, &err);
	ok(r == -1 && strstr(err.data, "only an administrator") != NULL,
	    "bob may not register operators: %s", err.data);
	ok(access_check(bob, party, ACCESS_READ, &err) == 0,
	    "bob may read parties");
	ok(access_check(bob, NULL, ACCESS_ADMIN, &err) == -1,
	    "bob may not administer");

	ins_rec = record_new(party);
	record_parse(ins_rec, table_field_pos(party, "kind"), "person", &err);
	record_parse(ins_rec, table_field_pos(party, "name"),
	    "Сидоров Пётр Ильич", &err);
	record_parse(ins_rec, table_field_pos(party, "status"), "lead", &err);
	ok(store_txn_run(st, 0, insert_party, NULL, &err) == 0,
	    "bob inserts a party through the door: %s", err.data);
	ok(store_txn_run(st, STORE_TXN_READONLY, history, NULL, &err) == 0 &&
	    nhist == 1 && strcmp(hist[0].user, "bob") == 0,
	    "the audit trail names bob");
	store_history_free(hist, nhist);

	cur = alice;
	ok(store_txn_run(st, STORE_TXN_READONLY, list_ops, NULL, &err) == 0 &&
	    nops == 2, "two operators listed");
	for (i = 0; i < nops; i++)
		if (strcmp(ops[i].login, "alice") == 0)
			ok(ops[i].admin && !ops[i].disabled,
			    "alice listed as admin");
	access_operators_free(ops, nops);

	arg_login = "alice";
	r = store_txn_run(st, 0, disable_op, NULL, &err);
	ok(r == -1 && strstr(err.data, "yourself") != NULL,
	    "an administrator cannot disable herself");
	arg_login = "nobody";
	r = store_txn_run(st, 0, disable_op, NULL, &err);
	ok(r == -1 && strstr(err.data, "'nobody'") != NULL,
	    "disabling an unknown login names it");
	arg_login = "bob";
	ok(store_txn_run(st, 0, disable_op, NULL, &err) == 0,
	    "alice disables bob");
	r = access_session_check(bob, &err);
	ok(r == 1 && strcmp(err.data, "operator 'bob' is disabled on this "
	    "server; ask an administrator") == 0,
	    "bob's open session is refused at his next request: %s",
	    err.data);
	ok(access_session_check(alice, &err) == 0 && access_is_admin(alice),
	    "alice's goes on");
	access_session_free(bob);
	r = access_session_open(st, "bob", &bob, &err);
	ok(r == -1 && strstr(err.data, "disabled") != NULL,
	    "disabled bob is refused: %s", err.data);

	{
		/* Records kept by a session for its next query: those of
		 * the table asked for, each once; another table's replace
		 * them; past the limit they are freed (ASan checks). */
		const struct table *contact = schema_table(schema, "contact");
		struct record	*recs[300], *got[300];
		size_t		 n;

		for (i = 0; i < 3; i++)
			recs[i] = record_new(party);
		access_records_keep(alice, recs, 3);
		is_int(access_records_take(alice, contact, got, 300), 0,
		    "no records of another table");
		n = access_records_take(alice, party, got, 2);
		ok(n == 2 && got[0]->table == party && got[0] != got[1],
		    "two of the three kept");
		ok(access_records_take(alice, party, got + 2, 300) == 1 &&
		    got[2] != got[0] && got[2] != got[1], "then the third");
		is_int(access_records_take(alice, party, got, 300), 0,
		    "then none");
		access_records_keep(alice, got, 3);
		for (i = 0; i < 300; i++)
			recs[i] = record_new(contact);
		access_records_keep(alice, recs, 300);
		is_int(access_records_take(alice, party, got, 300), 0,
		    "another table's records replace them");
		n = access_records_take(alice, contact, got, 300);
		ok(n > 0 && n < 300 && got[0]->table == contact,
		    "a bounded number kept (%zu)", n);
		/* One that decoded big texts is not kept. */
		buf_grow(&got[0]->texts, 100000);
		access_records_keep(alice, got, n);
		is_int(access_records_take(alice, contact, got, 300),
		    (long long)n - 1, "but not one that took much room");
		access_records_keep(alice, got, n - 1);
	}
	{
		/* And arrays of row values, of one width. */
		struct value	*vals[3], *vgot[3];

		for (i = 0; i < 3; i++)
			vals[i] = xcalloc(5, sizeof(struct value));
		access_values_keep(alice, 5, vals, 2);
		is_int(access_values_take(alice, 4, vgot, 3), 0,
		    "no values of another width");
		ok(access_values_take(alice, 5, vgot, 3) == 2 &&
		    vgot[0] != vgot[1], "both arrays kept");
		access_values_keep(alice, 5, vgot, 2);
		vals[0] = xcalloc(4, sizeof(struct value));
		access_values_keep(alice, 4, vals, 1);
		is_int(access_values_take(alice, 5, vgot, 3), 0,
		    "another width's replace them");
		ok(access_values_take(alice, 4, vgot, 3) == 1 &&
		    vgot[0] == vals[0], "which are taken");
		free(vgot[0]);
		access_values_keep(alice, 5, vals + 2, 1);
	}

	record_free(ins_rec);
	access_session_free(alice);
	store_close(st);
	schema_free(schema);
	buf_release(&err);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return (tap_done());
}
