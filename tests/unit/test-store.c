/*
 * test-store: the storage engine through its public API, on the real
 * forms in $CLERK_FORMS and small inline forms: opening and reopening,
 * field ids and form changes, records with their checks (validation,
 * references, unique constraints, revisions), pages, lookups, search,
 * the audit trail, meta, backup and verification, and store_check().
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <db.h>

#include "store/store.h"
#include "tap.h"

static struct buf err = BUF_INIT;
static char tmpdir[256];

/* Helpers: paths, forms, valid requisites. */

static char *
path(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", tmpdir, name);
	return (p);
}

static void
rm_rf(const char *dir)
{
	char	*cmd;

	xasprintf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	free(cmd);
}

static size_t
fpos(const struct table *t, const char *name)
{
	ssize_t	pos = table_field_pos(t, name);

	if (pos < 0) {
		diag("no field '%s' in '%s'", name, t->name);
		tap_bail("the form lacks a field the test needs");
	}
	return ((size_t)pos);
}

static void
set(struct record *rec, const char *field, const char *value)
{
	struct buf	e = BUF_INIT;

	if (record_parse(rec, fpos(rec->table, field), value, &e) == -1) {
		diag("set %s = '%s': %s", field, value, e.data);
		tap_bail("record_parse refused a test value");
	}
	buf_release(&e);
}

static const char *
get(const struct record *rec, const char *field)
{
	static struct buf out;

	buf_reset(&out);
	record_format(rec, fpos(rec->table, field), 1, &out);
	return (out.data);
}

/* A valid 10-digit ИНН of an organisation from 9 digits. */
static void
inn10(char *out, unsigned long n)
{
	static const int w[] = { 2, 4, 10, 3, 5, 9, 4, 6, 8 };
	int	i, sum = 0;

	snprintf(out, 11, "%09lu", n % 1000000000UL);
	for (i = 0; i < 9; i++)
		sum += w[i] * (out[i] - '0');
	out[9] = (char)('0' + sum % 11 % 10);
	out[10] = '\0';
}

/* A valid 12-digit ИНН of a person from 10 digits. */
static void
inn12(char *out, unsigned long n)
{
	static const int w1[] = { 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
	static const int w2[] = { 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
	int	i, sum = 0;

	snprintf(out, 13, "%010lu", n % 10000000000UL);
	for (i = 0; i < 10; i++)
		sum += w1[i] * (out[i] - '0');
	out[10] = (char)('0' + sum % 11 % 10);
	for (i = 0, sum = 0; i < 11; i++)
		sum += w2[i] * (out[i] - '0');
	out[11] = (char)('0' + sum % 11 % 10);
	out[12] = '\0';
}

/* Transactions around single calls. */

struct op {
	int		 what;
	struct record	*rec;
	const struct table *table;
	uint64_t	 id;
	uint32_t	 base;
	const char	*user;
	struct record	*got;
};
enum { OP_INSERT, OP_UPDATE, OP_ARCHIVE, OP_RESTORE, OP_PURGE, OP_GET };

static int
op_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct op	*o = arg;

	switch (o->what) {
	case OP_INSERT:
		return (store_insert(t, o->rec, o->user, e));
	case OP_UPDATE:
		return (store_update(t, o->rec, o->base, o->user, e));
	case OP_ARCHIVE:
		return (store_archive(t, o->table, o->id, o->user, e));
	case OP_RESTORE:
		return (store_restore(t, o->table, o->id, o->user, e));
	case OP_PURGE:
		return (store_purge(t, o->table, o->id, o->user, e));
	case OP_GET:
		record_free(o->got);
		o->got = NULL;
		return (store_get(t, o->table, o->id, &o->got, e));
	}
	return (-1);
}

/* Calls whose message the test prints: no stale text on success. */
static int
check(struct store *s, const struct table *t, struct buf *e)
{
	buf_reset(e);
	return (store_check(s, t, e));
}

static int
backup(struct store *s, const char *dir, struct buf *e)
{
	buf_reset(e);
	return (store_backup(s, dir, e));
}

static int
verify(const char *dir, struct buf *e)
{
	buf_reset(e);
	return (store_verify_dir(dir, e));
}

static int
run(struct store *s, struct op *o)
{
	buf_reset(&err);
	return (store_txn_run(s, o->what == OP_GET ? STORE_TXN_READONLY : 0,
	    op_fn, o, &err));
}

static int
insert(struct store *s, struct record *rec, const char *user)
{
	struct op o = { OP_INSERT, rec, NULL, 0, 0, user, NULL };

	return (run(s, &o));
}

static int
update(struct store *s, struct record *rec, uint32_t base, const char *user)
{
	struct op o = { OP_UPDATE, rec, NULL, 0, base, user, NULL };

	return (run(s, &o));
}

static int
simple(struct store *s, int what, const struct table *t, uint64_t id,
    const char *user)
{
	struct op o = { what, NULL, t, id, 0, user, NULL };

	return (run(s, &o));
}

static struct record *
fetch(struct store *s, const struct table *t, uint64_t id)
{
	struct op o = { OP_GET, NULL, t, id, 0, NULL, NULL };

	if (run(s, &o) != 0) {
		record_free(o.got);
		return (NULL);
	}
	return (o.got);
}

struct q {
	const struct table *table;
	const char	*ix, *text;
	const void	*key;
	size_t		 keylen;
	uint64_t	 id;
	int		 flags;
	size_t		 n;
	struct record	**recs;
	uint64_t	 ids[64];
	size_t		 nids;
	uint64_t	 count;
	struct audit_entry *hist;
	size_t		 nhist;
	struct store_ref refs[8];
};

static int
page_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct q *q = arg;

	store_records_free(q->recs, q->nids);
	q->recs = NULL;
	q->nids = 0;
	return (store_page(t, q->table, q->ix, q->key, q->keylen, q->id,
	    q->flags, q->n, &q->recs, &q->nids, e));
}

static int
search_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct q *q = arg;

	return (store_search(t, q->table, q->text, q->ids, q->n, &q->nids,
	    e));
}

static int
lookup_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct q *q = arg;

	return (store_lookup(t, q->table, q->ix, q->key, q->keylen, q->ids,
	    64, &q->nids, e));
}

static int
count_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct q *q = arg;

	return (store_count(t, q->table, &q->count, e));
}

static int
history_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct q *q = arg;

	store_history_free(q->hist, q->nhist);
	q->hist = NULL;
	q->nhist = 0;
	return (store_history(t, q->table, q->id, &q->hist, &q->nhist, e));
}

/* The new value an audit entry gives field, or NULL. */
static const char *
change_new(const struct audit_entry *e, const char *field)
{
	size_t	i;

	for (i = 0; i < e->nchanges; i++)
		if (strcmp(e->changes[i].field, field) == 0)
			return (e->changes[i].new);
	return (NULL);
}

static int
referrers_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct q *q = arg;

	return (store_referrers(t, q->table, q->id, q->refs, 8, &q->nids, e));
}

static uint64_t
count(struct store *s, const struct table *t)
{
	struct q q = { .table = t };

	if (store_txn_run(s, STORE_TXN_READONLY, count_fn, &q, &err) != 0)
		return (UINT64_MAX);
	return (q.count);
}

static size_t
search(struct store *s, const struct table *t, const char *text,
    uint64_t *ids)
{
	struct q q = { .table = t, .text = text, .n = 50 };

	if (store_txn_run(s, STORE_TXN_READONLY, search_fn, &q, &err) < 0) {
		diag("search '%s': %s", text, err.data);
		return (SIZE_MAX);
	}
	if (ids != NULL)
		memcpy(ids, q.ids, q.nids * sizeof(*ids));
	return (q.nids);
}

static int
has_id(const uint64_t *ids, size_t n, uint64_t id)
{
	size_t	i;

	for (i = 0; i < n && i != SIZE_MAX; i++)
		if (ids[i] == id)
			return (1);
	return (0);
}

static struct store *
open_store(const char *dir, struct schema *sc, int create)
{
	struct store_options o = { 16, STORE_NOSYNC | (create ?
	    STORE_CREATE : 0), 0 };
	struct store	*s;

	if (store_open(&s, dir, sc, &o, &err) == -1) {
		diag("store_open %s: %s", dir, err.data);
		return (NULL);
	}
	return (s);
}

static struct schema *
load_forms(void)
{
	struct schema	*sc = schema_new();
	const char	*forms = getenv("CLERK_FORMS");

	if (forms == NULL)
		forms = TOP_SRCDIR "/forms";
	if (schema_load(sc, forms, &err) == -1 ||
	    schema_check(sc, &err) == -1) {
		diag("forms: %s", err.data);
		tap_bail("cannot load the forms");
	}
	return (sc);
}

static struct schema *
inline_schema(const char *text)
{
	struct schema	*sc = schema_new();

	if (schema_load_string(sc, "item.form", text, &err) == -1 ||
	    schema_check(sc, &err) == -1) {
		diag("inline form: %s", err.data);
		tap_bail("cannot load an inline form");
	}
	return (sc);
}

/* The tests. */

static const char form_v1[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(100) required index folded search \"Name\" \"Имя\"\n"
    "field code text(20) index unique \"Code\" \"Код\"\n";
static const char form_v2[] =		/* a field added */
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(100) required index folded search \"Name\" \"Имя\"\n"
    "field code text(20) index unique \"Code\" \"Код\"\n"
    "field price money index exact \"Price\" \"Цена\"\n";
static const char form_v3[] =		/* code removed */
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(100) required index folded search \"Name\" \"Имя\"\n"
    "field price money index exact \"Price\" \"Цена\"\n";
static const char form_v5[] =		/* name made unique */
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(100) required index folded index unique search "
    "\"Name\" \"Имя\"\n"
    "field code text(20) index unique \"Code\" \"Код\"\n"
    "field price money index exact \"Price\" \"Цена\"\n";
static const char form_v4[] =		/* code's type changed */
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(100) required index folded search \"Name\" \"Имя\"\n"
    "field code int \"Code\" \"Код\"\n";

static void
test_forms_change(void)
{
	struct schema	*sc1, *sc2, *sc3, *sc4;
	struct store	*s;
	struct record	*rec, *got;
	struct table	*t;
	char		*dir = path("items");
	uint16_t	 name_id, code_id;
	uint64_t	 id1, id2;

	sc1 = inline_schema(form_v1);
	s = open_store(dir, sc1, 1);
	ok(s != NULL, "a new store opens with STORE_CREATE");
	if (s == NULL)
		tap_bail("cannot go on without a store");
	t = schema_table(sc1, "item");
	name_id = t->fields[fpos(t, "name")].id;
	code_id = t->fields[fpos(t, "code")].id;
	ok(name_id != 0 && code_id != 0 && name_id != code_id,
	    "field ids are assigned (%u, %u)", name_id, code_id);
	rec = record_new(t);
	set(rec, "name", "Болт М8");
	set(rec, "code", "B-8");
	is_int(insert(s, rec, "ivanov"), 0, "insert an item");
	id1 = rec->id;
	record_free(rec);
	store_close(s);
	schema_free(sc1);

	/* Reopen with the same form: the same ids. */
	sc1 = inline_schema(form_v1);
	s = open_store(dir, sc1, 0);
	t = schema_table(sc1, "item");
	ok(s != NULL && t->fields[fpos(t, "name")].id == name_id &&
	    t->fields[fpos(t, "code")].id == code_id,
	    "field ids are stable across a reopen");
	got = s != NULL ? fetch(s, t, id1) : NULL;
	is_str(got != NULL ? get(got, "name") : NULL, "Болт М8",
	    "the record reads back after a reopen");
	record_free(got);
	store_close(s);
	schema_free(sc1);

	/* A field added: old records read, the new field is empty. */
	sc2 = inline_schema(form_v2);
	s = open_store(dir, sc2, 0);
	ok(s != NULL, "a form with a new field opens");
	if (s == NULL)
		tap_bail("cannot go on");
	t = schema_table(sc2, "item");
	got = fetch(s, t, id1);
	ok(got != NULL && strcmp(get(got, "code"), "B-8") == 0 &&
	    !got->values[fpos(t, "price")].set,
	    "an old record keeps its values and the new field is empty");
	record_free(got);
	rec = record_new(t);
	set(rec, "name", "Гайка М8");
	set(rec, "code", "N-8");
	set(rec, "price", "12,50");
	is_int(insert(s, rec, "ivanov"), 0, "insert with the new field");
	id2 = rec->id;
	record_free(rec);
	is_int(check(s, t, &err), 0, "the new index was built: %s",
	    err.data);
	store_close(s);
	schema_free(sc2);

	/* The field removed: records keep it unseen; back: data is there. */
	sc3 = inline_schema(form_v3);
	s = open_store(dir, sc3, 0);
	ok(s != NULL, "a form without 'code' opens");
	if (s == NULL)
		tap_bail("cannot go on");
	t = schema_table(sc3, "item");
	got = fetch(s, t, id2);
	ok(got != NULL && got->extra.len != 0, "the removed field is kept "
	    "opaque in the record");
	if (got != NULL) {
		set(got, "price", "13");
		is_int(update(s, got, got->rev, "petrov"), 0,
		    "update a record through the form without 'code'");
	}
	record_free(got);
	store_close(s);
	schema_free(sc3);

	sc2 = inline_schema(form_v2);
	s = open_store(dir, sc2, 0);
	t = schema_table(sc2, "item");
	got = s != NULL ? fetch(s, t, id2) : NULL;
	ok(got != NULL && strcmp(get(got, "code"), "N-8") == 0 &&
	    strcmp(get(got, "price"), "13.00") == 0,
	    "adding the field back finds its data (code %s, price %s)",
	    got != NULL ? get(got, "code") : "?",
	    got != NULL ? get(got, "price") : "?");
	ok(got != NULL && t->fields[fpos(t, "code")].id == code_id,
	    "the field got its old id back");
	record_free(got);
	{
		struct q q = { .table = t, .ix = "code", .key = "N-8",
		    .keylen = 3 };

		store_txn_run(s, STORE_TXN_READONLY, lookup_fn, &q, &err);
		ok(q.nids == 1 && q.ids[0] == id2, "the unique index was "
		    "rebuilt with the record changed meanwhile");
	}
	is_int(check(s, t, &err), 0, "check passes after form "
	    "changes: %s", err.data);
	store_close(s);
	schema_free(sc2);

	/* A unique index the data already breaks is refused. */
	sc2 = inline_schema(form_v2);
	s = open_store(dir, sc2, 0);
	t = schema_table(sc2, "item");
	rec = record_new(t);
	set(rec, "name", "Болт М8");
	is_int(insert(s, rec, "ivanov"), 0, "a second item of the same name");
	{
		char want[128];

		snprintf(want, sizeof(want), "cannot build the unique index "
		    "'item.name.unique.db': item %llu and item %llu have the "
		    "same key", (unsigned long long)id1,
		    (unsigned long long)rec->id);
		record_free(rec);
		store_close(s);
		schema_free(sc2);
		sc4 = inline_schema(form_v5);
		s = open_store(dir, sc4, 0);
		ok(s == NULL && strstr(err.data, want) != NULL, "a unique "
		    "index over duplicate data is refused: %s", err.data);
	}
	store_close(s);
	schema_free(sc4);
	sc2 = inline_schema(form_v2);
	s = open_store(dir, sc2, 0);
	ok(s != NULL, "the old form still opens");
	if (s != NULL)
		is_int(check(s, schema_table(sc2, "item"), &err), 0,
		    "and checks: %s", err.data);
	store_close(s);
	schema_free(sc2);

	/* A changed type is refused, naming the field and the form. */
	sc4 = inline_schema(form_v4);
	s = open_store(dir, sc4, 0);
	ok(s == NULL && strstr(err.data, "field 'code' of table 'item' "
	    "changed type from text to int in item.form:3") != NULL,
	    "a changed type is refused: %s", err.data);
	store_close(s);
	schema_free(sc4);
	free(dir);
}

static struct record *
party_new(const struct table *t, const char *kind, const char *name,
    const char *inn, const char *kpp)
{
	struct record	*rec = record_new(t);

	record_defaults(rec);
	set(rec, "kind", kind);
	set(rec, "name", name);
	if (inn != NULL)
		set(rec, "inn", inn);
	if (kpp != NULL)
		set(rec, "kpp", kpp);
	return (rec);
}

static int
meta_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct buf	*out = arg;
	int		 r;

	if (store_meta_put(t, "ui.theme", "dark", 4, e) == -1 ||
	    store_meta_put(t, "ui.lang", "ru", 2, e) == -1 ||
	    store_meta_put(t, "other", "x", 1, e) == -1)
		return (-1);
	r = store_meta_get(t, "ui.theme", out, e);
	if (r != 0)
		return (-1);
	if (store_meta_del(t, "other", e) == -1)
		return (-1);
	return (store_meta_get(t, "other", out, e) == STORE_NOTFOUND ? 0 :
	    -1);
}

static int
scan_cb(const char *key, const void *val, size_t len, void *arg)
{
	struct buf	*b = arg;

	buf_printf(b, "%s=%.*s;", key, (int)len, (const char *)val);
	return (0);
}

static int
scan_fn(struct store_txn *t, void *arg, struct buf *e)
{
	buf_reset(arg);
	return (store_meta_scan(t, "ui.", scan_cb, arg, e));
}

static void
test_party(void)
{
	struct schema	*sc = load_forms();
	struct store	*s, *s2;
	struct table	*party = schema_table(sc, "party");
	struct table	*contact = schema_table(sc, "contact");
	struct record	*a, *b, *c, *p, *got, *copy1, *copy2;
	char		*dir = path("crm"), *bdir = path("backup"), *lost;
	char		 inn_a[16], inn_b[16], inn_p[16];
	uint64_t	 ida, idb, idp, idc, ids[64];
	uint32_t	 rev;
	size_t		 n;
	struct buf	 mb = BUF_INIT;
	int		 r;

	if (party == NULL || contact == NULL)
		tap_bail("the forms lack party or contact");
	s = open_store(dir, sc, 1);
	if (s == NULL)
		tap_bail("cannot open the crm store");

	inn10(inn_a, 770708389);
	inn10(inn_b, 500100732);
	inn12(inn_p, 5001007322);
	a = party_new(party, "org", "ООО «Ромашка»", inn_a, "770701001");
	set(a, "phones", "+7 916 123-45-67, 8 (495) 765-43-21");
	set(a, "city", "Москва");
	is_int(insert(s, a, "ivanov"), 0, "insert an organisation: %s",
	    err.data);
	ida = a->id;
	ok(ida != 0 && a->rev == 1 && a->created != 0 &&
	    a->created_by != NULL && strcmp(a->created_by, "ivanov") == 0,
	    "insert fills id, revision, time and user");

	/* Unique ИНН+КПП among organisations. */
	b = party_new(party, "org", "ООО «Лютик»", inn_a, "770701001");
	r = insert(s, b, "petrov");
	ok(r == -1 && strstr(err.data, "INN ('inn'), KPP ('kpp'): ") ==
	    err.data && strstr(err.data, "already belongs to") != NULL &&
	    strstr(err.data, inn_a) != NULL, "a second organisation with "
	    "the same ИНН and КПП is refused: %s", err.data);
	{
		char want[64];

		snprintf(want, sizeof(want), "Client #%llu ООО «Ромашка»",
		    (unsigned long long)ida);
		ok(strstr(err.data, want) != NULL, "the message names the "
		    "other record: %s", want);
	}
	ok(b->id == 0, "the refused record keeps no id");
	set(b, "kpp", "770702001");
	is_int(insert(s, b, "petrov"), 0, "another КПП is fine");
	idb = b->id;

	p = party_new(party, "person", "Иванов Пётр Сергеевич", inn_p, NULL);
	set(p, "emails", "petr.ivanov@example.ru");
	is_int(insert(s, p, "ivanov"), 0, "insert a person");
	idp = p->id;
	record_free(p);
	p = party_new(party, "person", "Иванова Мария", inn_p, NULL);
	is_int(insert(s, p, "ivanov"), 0, "persons may share an ИНН (the "
	    "constraint is for organisations)");
	record_free(p);
	is_int(count(s, party), 4, "four parties");

	/* Validation refusal changes nothing. */
	p = party_new(party, "org", "Плохой ИНН", NULL, NULL);
	set(p, "inn", "7707083890");
	r = insert(s, p, "ivanov");
	ok(r == -1 && strstr(err.data, "inn") != NULL, "a wrong ИНН is "
	    "refused: %s", err.data);
	is_int(count(s, party), 4, "and nothing was written");
	record_free(p);

	/* References. */
	c = record_new(contact);
	record_defaults(c);
	set(c, "party", "999");
	set(c, "name", "Сидоров");
	r = insert(s, c, "ivanov");
	ok(r == -1 && strcmp(err.data, "Organisation ('party'): Client #999 "
	    "does not exist") == 0, "a reference to nothing is refused: %s",
	    err.data);
	{
		char idtext[32];

		snprintf(idtext, sizeof(idtext), "%llu",
		    (unsigned long long)ida);
		set(c, "party", idtext);
	}
	set(c, "phones", "+7 903 555-00-11");
	is_int(insert(s, c, "ivanov"), 0, "a contact of the organisation");
	idc = c->id;
	record_free(c);
	r = simple(s, OP_PURGE, party, ida, "ivanov");
	{
		char want[96];

		snprintf(want, sizeof(want), "cannot purge party %llu: "
		    "contact %llu refers to it", (unsigned long long)ida,
		    (unsigned long long)idc);
		ok(r == -1 && strstr(err.data, want) != NULL, "purge is "
		    "refused while a contact refers: %s", err.data);
	}
	{
		struct q q = { .table = party, .id = ida };

		store_txn_run(s, STORE_TXN_READONLY, referrers_fn, &q, &err);
		ok(q.nids == 1 && q.refs[0].table == contact &&
		    q.refs[0].id == idc, "referrers lists the contact");
	}

	/* Update and conflict. */
	copy1 = fetch(s, party, ida);
	copy2 = fetch(s, party, ida);
	ok(copy1 != NULL && copy2 != NULL, "get a record twice");
	if (copy1 == NULL || copy2 == NULL)
		tap_bail("cannot go on");
	rev = copy1->rev;
	set(copy1, "city", "Санкт-Петербург");
	is_int(update(s, copy1, rev, "sidorov"), 0, "update from revision "
	    "%u", rev);
	is_int(copy1->rev, rev + 1, "the revision goes up");
	set(copy2, "name", "ООО «Ромашка-2»");
	r = update(s, copy2, rev, "ivanov");
	is_int(r, STORE_CONFLICT, "a second update from the same revision "
	    "conflicts");
	{
		char want[96];

		snprintf(want, sizeof(want), "Client #%llu was changed by "
		    "sidorov since revision %u: City",
		    (unsigned long long)ida, rev);
		ok(strstr(err.data, want) != NULL, "the conflict names who "
		    "and what: %s", err.data);
	}
	got = fetch(s, party, ida);
	is_str(got != NULL ? get(got, "name") : NULL, "ООО «Ромашка»",
	    "the conflicting update wrote nothing");
	record_free(got);
	is_int(update(s, copy1, copy1->rev, "sidorov"), 0, "an update that "
	    "changes nothing is fine");
	is_int(copy1->rev, rev + 1, "and does not bump the revision");
	record_free(copy1);
	record_free(copy2);

	/* Archive, restore. */
	is_int(simple(s, OP_ARCHIVE, party, idb, "ivanov"), 0, "archive");
	got = fetch(s, party, idb);
	ok(got != NULL && (got->flags & REC_ARCHIVED) && got->rev == 2,
	    "archived, revision 2");
	record_free(got);
	n = search(s, party, "лютик", ids);
	is_int(n, 0, "search skips archived records");
	is_int(simple(s, OP_RESTORE, party, idb, "ivanov"), 0, "restore");
	n = search(s, party, "лютик", ids);
	ok(n == 1 && ids[0] == idb, "and it is found again");

	/* The cache counts what it was asked for. */
	{
		uint64_t	h0, m0, h1, m1;

		store_cache_stats(s, &h0, &m0);
		/* A record not read before: the records read lately
		 * (rcache.c) would give one read before from memory. */
		record_free(fetch(s, party, ida + 1000000));
		store_cache_stats(s, &h1, &m1);
		ok(h0 + m0 > 0 && h1 + m1 > h0 + m0 && m1 >= m0,
		    "cache statistics: %llu pages asked for, then %llu",
		    (unsigned long long)(h0 + m0),
		    (unsigned long long)(h1 + m1));
	}

	/* Search. */
	n = search(s, party, "ив пет", ids);
	ok(n == 1 && ids[0] == idp, "'ив пет' finds Иванов Пётр");
	n = search(s, party, "ИВАНОВ", ids);
	ok(n == 2 && ids[0] == idp, "upper case finds both Ивановы");
	n = search(s, party, "петр", ids);
	ok(n == 1 && ids[0] == idp, "е finds ё");
	n = search(s, party, "ПЁТР серг", ids);
	ok(n == 1 && ids[0] == idp, "ё and another word");
	n = search(s, party, "иванов петя", ids);
	is_int(n, 0, "a word that is not there finds nothing");
	n = search(s, party, "916 123", ids);
	ok(n == 1 && ids[0] == ida, "a phone typed in groups");
	n = search(s, party, "89161234", ids);
	ok(n == 1 && ids[0] == ida, "a phone with 8 in front");
	n = search(s, party, inn_a, ids);
	ok(n == 2 && has_id(ids, n, ida) && has_id(ids, n, idb),
	    "search by ИНН");
	n = search(s, party, "example", ids);
	ok(n == 1 && ids[0] == idp, "search by an e-mail's domain");
	/*
	 * The word index keeps a Russian phone as its national number
	 * behind a mark, and no whole e-mail address: each form typed
	 * still finds it (index_query_forms()).
	 */
	n = search(s, party, "+7 916 123", ids);
	ok(n == 1 && ids[0] == ida, "a phone typed with +7");
	n = search(s, party, "7916", ids);
	ok(n == 1 && ids[0] == ida, "a phone's international digits");
	n = search(s, party, "8 495 765", ids);
	ok(n == 1 && ids[0] == ida, "the second phone, with 8 in front");
	n = search(s, party, "495765", ids);
	ok(n == 1 && ids[0] == ida, "the second phone's national number");
	n = search(s, party, "4957659", ids);
	is_int(n, 0, "digits no phone begins with find nothing");
	n = search(s, party, "petr.ivan", ids);
	ok(n == 1 && ids[0] == idp, "an e-mail's local part typed");
	n = search(s, party, "petr.ivanov@example.ru", ids);
	ok(n == 1 && ids[0] == idp, "an e-mail typed whole");

	/* Lookup. */
	{
		struct q q = { .table = party, .ix = "inn", .key = inn_p,
		    .keylen = strlen(inn_p) };

		r = store_txn_run(s, STORE_TXN_READONLY, lookup_fn, &q, &err);
		ok(r == 2 && q.nids == 2, "lookup by inn finds two persons");
		memcpy(ids, q.ids, 2 * sizeof(ids[0]));
		q.nids = 0;
		memset(q.ids, 0, sizeof(q.ids));
		r = store_txn_run(s, STORE_TXN_ONEREAD, lookup_fn, &q, &err);
		ok(r == 2 && q.nids == 2 && q.ids[0] == ids[0] &&
		    q.ids[1] == ids[1], "and the same as one read outside a "
		    "transaction");
	}

	/* Audit. */
	{
		struct q q = { .table = party, .id = ida };

		store_txn_run(s, STORE_TXN_READONLY, history_fn, &q, &err);
		ok(q.nhist == 2, "two audit entries (got %zu)", q.nhist);
		if (q.nhist == 2) {
			size_t i;
			int found = 0;

			ok(strcmp(q.hist[0].action, "insert") == 0 &&
			    strcmp(q.hist[0].user, "ivanov") == 0 &&
			    q.hist[0].rev == 1, "first: insert by ivanov");
			for (i = 0; i < q.hist[0].nchanges; i++)
				if (strcmp(q.hist[0].changes[i].field,
				    "name") == 0 &&
				    strcmp(q.hist[0].changes[i].old, "") == 0 &&
				    strcmp(q.hist[0].changes[i].new,
				    "ООО «Ромашка»") == 0)
					found = 1;
			ok(found, "the insert lists name: '' -> value");
			/* Not stored with the insert: worked out from the
			 * record with the later update undone. */
			is_str(change_new(&q.hist[0], "city"), "Москва",
			    "the insert gives the city it had, not the "
			    "record's now");
			is_str(change_new(&q.hist[0], "kind"), "org",
			    "and the rest of its values");
			ok(strcmp(q.hist[1].action, "update") == 0 &&
			    strcmp(q.hist[1].user, "sidorov") == 0 &&
			    q.hist[1].nchanges == 1 &&
			    strcmp(q.hist[1].changes[0].field, "city") == 0 &&
			    strcmp(q.hist[1].changes[0].old, "Москва") == 0 &&
			    strcmp(q.hist[1].changes[0].new,
			    "Санкт-Петербург") == 0,
			    "the update lists city old -> new");
			ok(q.hist[0].seq < q.hist[1].seq &&
			    q.hist[1].when >= q.hist[0].when,
			    "oldest first");
		}
		store_history_free(q.hist, q.nhist);
	}

	/* Meta. */
	r = store_txn_run(s, 0, meta_fn, &mb, &err);
	ok(r == 0 && strcmp(mb.data, "dark") == 0, "meta put, get and del");
	r = store_txn_run(s, STORE_TXN_READONLY, scan_fn, &mb, &err);
	is_str(mb.data, "ui.lang=ru;ui.theme=dark;", "meta scan by prefix");
	buf_release(&mb);

	is_int(check(s, party, &err), 0, "check passes on party: %s",
	    err.data);
	is_int(check(s, contact, &err), 0, "check passes on contact: "
	    "%s", err.data);

	/* Purge after the contact goes. */
	is_int(simple(s, OP_PURGE, contact, idc, "ivanov"), 0,
	    "purge the contact");
	is_int(simple(s, OP_PURGE, party, ida, "ivanov"), 0,
	    "now the party can be purged");
	got = fetch(s, party, ida);
	ok(got == NULL, "it is gone");
	is_int(count(s, party), 3, "three parties left");
	{
		struct q q = { .table = party, .id = ida };

		store_txn_run(s, STORE_TXN_READONLY, history_fn, &q, &err);
		ok(q.nhist == 3 && strcmp(q.hist[2].action, "purge") == 0,
		    "a purged record keeps its history (got %zu)", q.nhist);
		if (q.nhist == 3) {
			is_str(change_new(&q.hist[0], "name"),
			    "ООО «Ромашка»", "its insert's values come from "
			    "the purge entry");
			is_str(change_new(&q.hist[0], "city"), "Москва",
			    "with the later update undone");
			ok(change_new(&q.hist[2], "city") != NULL &&
			    strcmp(q.hist[2].changes[0].new, "") == 0,
			    "the purge lists every value, to ''");
		}
		store_history_free(q.hist, q.nhist);
	}
	is_int(check(s, party, &err), 0, "check passes after purge: "
	    "%s", err.data);

	/* Backup, verify, open the copy. */
	is_int(backup(s, bdir, &err), 0, "hot backup: %s", err.data);
	record_free(a);
	record_free(b);
	store_close(s);
	is_int(verify(bdir, &err), 0, "the backup verifies: %s",
	    err.data);
	is_int(verify(dir, &err), 0, "the original verifies: %s",
	    err.data);
	s2 = open_store(bdir, sc, 0);
	ok(s2 != NULL, "the backup opens");
	if (s2 != NULL) {
		got = fetch(s2, party, idp);
		ok(got != NULL && strcmp(get(got, "name"),
		    "Иванов Пётр Сергеевич") == 0, "with the data");
		record_free(got);
		is_int(count(s2, party), 3, "and the count");
		is_int(check(s2, party, &err), 0, "check passes on the "
		    "backup: %s", err.data);
		store_close(s2);
	}

	/* The histories' index lost: made again from the trail at open. */
	xasprintf(&lost, "%s/audit.record.db", bdir);
	ok(unlink(lost) == 0, "audit.record.db removed from the backup");
	free(lost);
	s2 = open_store(bdir, sc, 0);
	ok(s2 != NULL, "the backup opens without it");
	if (s2 != NULL) {
		struct q q = { .table = party, .id = ida };

		store_txn_run(s2, STORE_TXN_READONLY, history_fn, &q, &err);
		ok(q.nhist == 3 && strcmp(q.hist[0].action, "insert") == 0 &&
		    strcmp(q.hist[2].action, "purge") == 0,
		    "and a record's history is there again (got %zu)",
		    q.nhist);
		store_history_free(q.hist, q.nhist);
		store_close(s2);
	}
	is_int(verify(bdir, &err), 0, "the backup verifies after: %s",
	    err.data);
	free(dir);
	free(bdir);
	schema_free(sc);
}

/* Pages by name with ties, both ways, and by id. */
static void
test_pages(void)
{
	static const char *names[] = { "Бета", "альфа", "Гамма", "бета",
	    "Ёлка", "Ежевика", "Жук", "Альфа", "Дельта", "Бета" };
	struct schema	*sc = inline_schema(form_v1);
	struct table	*t = schema_table(sc, "item");
	struct store	*s;
	struct record	*rec;
	struct q	 q = { 0 };
	struct buf	 key = BUF_INIT, prev = BUF_INIT;
	char		*dir = path("pages");
	uint64_t	 order[32], back[32], previd = 0;
	size_t		 i, n = 0, nb = 0, nn = nitems(names);
	int		 sorted = 1, r;

	s = open_store(dir, sc, 1);
	if (s == NULL)
		tap_bail("cannot open the pages store");
	for (i = 0; i < nn; i++) {
		rec = record_new(t);
		set(rec, "name", names[i]);
		if (insert(s, rec, "u") != 0)
			diag("insert %s: %s", names[i], err.data);
		record_free(rec);
	}
	/* Forward, 3 at a time. */
	store_records_free(q.recs, q.nids);
	memset(&q, 0, sizeof(q));
	q.table = t;
	q.ix = "name";
	q.n = 3;
	for (;;) {
		r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q, &err);
		if (r != 0 || q.nids == 0)
			break;
		for (i = 0; i < q.nids; i++) {
			store_page_key(q.recs[i], "name", &key);
			if (n != 0 && (strcmp(key.data, prev.data) < 0 ||
			    (strcmp(key.data, prev.data) == 0 &&
			    q.recs[i]->id <= previd)))
				sorted = 0;
			buf_reset(&prev);
			buf_add(&prev, key.data, key.len);
			previd = q.recs[i]->id;
			order[n++] = q.recs[i]->id;
		}
		buf_reset(&key);
		buf_add(&key, prev.data, prev.len);
		q.key = key.data;
		q.keylen = key.len;
		q.id = previd;
	}
	is_int(n, nn, "forward pages of 3 return all %zu records", nn);
	ok(sorted, "in folded name order, ties by id");
	/* Backward from the end. */
	store_records_free(q.recs, q.nids);
	memset(&q, 0, sizeof(q));
	q.table = t;
	q.ix = "name";
	q.n = 4;
	q.flags = STORE_PAGE_BACKWARD;
	for (;;) {
		r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q, &err);
		if (r != 0 || q.nids == 0)
			break;
		for (i = 0; i < q.nids; i++)
			back[nb++] = q.recs[i]->id;
		store_page_key(q.recs[q.nids - 1], "name", &key);
		q.key = key.data;
		q.keylen = key.len;
		q.id = q.recs[q.nids - 1]->id;
	}
	r = nb == n;
	for (i = 0; r && i < n; i++)
		r = back[i] == order[n - 1 - i];
	ok(r, "backward pages give the same order reversed");
	/* Prefix positioning: the first name >= "е". */
	store_records_free(q.recs, q.nids);
	memset(&q, 0, sizeof(q));
	q.table = t;
	q.ix = "name";
	q.n = 2;
	q.key = "е";
	q.keylen = strlen("е");
	q.flags = STORE_PAGE_FROM;
	r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q, &err);
	ok(r == 0 && q.nids == 2 && strcmp(get(q.recs[0], "name"),
	    "Ежевика") == 0 && strcmp(get(q.recs[1], "name"), "Ёлка") == 0,
	    "FROM a prefix: Ежевика, Ёлка (ё sorts as е)");
	/* After a tie: the second "Бета" onwards. */
	store_page_key(q.recs[0], "name", &key);
	store_records_free(q.recs, q.nids);
	memset(&q, 0, sizeof(q));
	q.table = t;
	q.ix = "name";
	q.n = 50;
	q.key = "бета";
	q.keylen = strlen("бета");
	q.id = order[2];	/* the first бета is order[2] */
	r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q, &err);
	ok(r == 0 && q.nids == nn - 3 && q.recs[0]->id == order[3],
	    "after (key, id) of a tie continues with the next tie");
	/* By id. */
	store_records_free(q.recs, q.nids);
	memset(&q, 0, sizeof(q));
	q.table = t;
	q.n = 4;
	q.id = 3;
	r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q, &err);
	ok(r == 0 && q.nids == 4 && q.recs[0]->id == 4 && q.recs[3]->id == 7,
	    "by id after 3: 4..7");
	q.flags = STORE_PAGE_BACKWARD;
	q.id = 0;
	r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q, &err);
	ok(r == 0 && q.nids == 4 && q.recs[0]->id == nn &&
	    q.recs[3]->id == nn - 3, "by id backward from the end");
	/* Archived are skipped unless asked. */
	simple(s, OP_ARCHIVE, t, 1, "u");
	q.flags = 0;
	q.id = 0;
	q.n = 50;
	r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q, &err);
	ok(r == 0 && q.nids == nn - 1 && q.recs[0]->id == 2,
	    "an archived record is not in the page");
	q.flags = STORE_PAGE_ARCHIVED;
	r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q, &err);
	ok(r == 0 && q.nids == nn, "unless asked for");
	store_records_free(q.recs, q.nids);
	buf_release(&key);
	buf_release(&prev);
	store_close(s);
	schema_free(sc);
	free(dir);
}

/*
 * Search against brute force: many records from a small vocabulary (so
 * prefixes match many keys with many ids each), numbers (one prefix
 * matching over a thousand distinct keys), some archived; every answer
 * must be the first ids, ascending, of the records whose words have
 * every query token as a prefix.
 */
struct bulk {
	const struct table *t;
	size_t		 n, from;
	uint64_t	*ids;
};

static const char *vocab[] = { "иван", "иванов", "иванова", "ивановский",
    "ива", "ивняк", "петр", "петров", "петрова", "пётр", "петруша",
    "сидор", "сидоров", "мария", "марина", "марьяна", "маркет",
    "мастер", "мост", "елена", "ель", "ёлка", "еж", "ника", "никита",
    "никитин", "николай", "ник", "ооо", "ао", "зао" };

static int
bulk_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct bulk	*b = arg;
	struct record	*rec;
	struct buf	 name = BUF_INIT;
	size_t		 i, w;
	unsigned	 seed;

	for (i = b->from; i < b->from + 500 && i < b->n; i++) {
		seed = (unsigned)i * 2654435761u;
		buf_reset(&name);
		for (w = 0; w < 1 + i % 3; w++) {
			seed = seed * 1103515245u + 12345u;
			buf_printf(&name, "%s ", vocab[(seed >> 16) %
			    nitems(vocab)]);
		}
		buf_printf(&name, "%zu", i);
		rec = record_new(b->t);
		set(rec, "name", name.data);
		if (store_insert(t, rec, "u", e) != 0) {
			record_free(rec);
			buf_release(&name);
			return (-1);
		}
		b->ids[i] = rec->id;
		record_free(rec);
	}
	buf_release(&name);
	return (0);
}

static void
test_search_brute(void)
{
	static const char *queries[] = { "ив", "иван", "ива", "и", "п",
	    "петр", "пет", "ма", "мар", "е", "ел", "ёл", "ник", "н", "о",
	    "ив пет", "ив ма", "мар ник", "е и", "о ив", "ива ив", "1",
	    "12", "1 ив", "5 ма", "1 2", "ник 3", "ива ива", "з", "мост",
	    "зао ник", "999", "5999", "ива петр сидор", "x", "ив 1" };
	struct schema	*sc = inline_schema(form_v1);
	struct table	*t = schema_table(sc, "item");
	struct store	*s;
	struct record	*rec;
	struct keyset	 ks, qt;
	struct bulk	 b;
	char		*dir = path("brute");
	uint64_t	 got[64], *want;
	unsigned char	*archived;
	struct keyset	*recks;
	size_t		 i, j, k, q, n, nwant, bad = 0;
	int		 match, found;

	s = open_store(dir, sc, 1);
	if (s == NULL)
		tap_bail("cannot open the brute store");
	b.t = t;
	b.n = 6000;
	b.ids = xcalloc(b.n, sizeof(*b.ids));
	for (b.from = 0; b.from < b.n; b.from += 500)
		if (store_txn_run(s, 0, bulk_fn, &b, &err) != 0)
			tap_bail(err.data);
	archived = xcalloc(b.n, 1);
	for (i = 0; i < b.n; i += 7) {
		simple(s, OP_ARCHIVE, t, b.ids[i], "u");
		archived[i] = 1;
	}
	/* Every record's keys, as the index has them. */
	recks = xcalloc(b.n, sizeof(*recks));
	for (i = 0; i < b.n; i++) {
		keyset_init(&recks[i]);
		rec = fetch(s, t, b.ids[i]);
		if (rec != NULL)
			index_search_keys(rec, &recks[i]);
		record_free(rec);
	}
	want = xcalloc(b.n, sizeof(*want));
	for (q = 0; q < nitems(queries); q++) {
		keyset_init(&qt);
		index_query_tokens(queries[q], &qt);
		for (i = nwant = 0; i < b.n && nwant < 50; i++) {
			if (archived[i])
				continue;
			for (j = 0, match = 1; j < qt.n && match; j++) {
				ks = recks[i];
				for (k = 0, found = 0; k < ks.n && !found; k++)
					found = ks.len[k] >= qt.len[j] &&
					    memcmp(ks.bytes.data + ks.off[k],
					    qt.bytes.data + qt.off[j],
					    qt.len[j]) == 0;
				match = found;
			}
			if (match)
				want[nwant++] = b.ids[i];
		}
		n = search(s, t, queries[q], got);
		if (n != nwant || memcmp(got, want, n * sizeof(*got)) != 0) {
			bad++;
			diag("'%s': got %zu, want %zu", queries[q], n, nwant);
		}
		keyset_release(&qt);
	}
	is_int(bad, 0, "search agrees with brute force on %zu queries over "
	    "%zu records", nitems(queries), b.n);
	for (i = 0; i < b.n; i++)
		keyset_release(&recks[i]);
	free(recks);
	free(want);
	free(archived);
	free(b.ids);
	store_close(s);
	schema_free(sc);
	free(dir);
}

/*
 * Pages against brute force, on enough records that a page's ids come
 * in several bulk reads of the index and a name's duplicates go off
 * page: every page from a record's position, forward (after it, or from
 * it, or from a prefix of its key) and backward, by the folded name
 * (duplicates) and the unique code, must be the next entries of the
 * sorted (key, id) list, archived ones skipped unless asked for.
 */
struct pent {
	char		*key;
	size_t		 len;
	uint64_t	 id;
	int		 archived;
};

static int
pent_cmp(const void *a, const void *b)
{
	const struct pent *x = a, *y = b;
	size_t	 n = x->len < y->len ? x->len : y->len;
	int	 c = n != 0 ? memcmp(x->key, y->key, n) : 0;

	if (c != 0)
		return (c);
	if (x->len != y->len)
		return (x->len < y->len ? -1 : 1);
	return (x->id < y->id ? -1 : x->id > y->id);
}

/* The entries a page from position (key, id) should give, in order. */
static size_t
pages_want(const struct pent *e, size_t ne, const char *key, size_t len,
    uint64_t id, int flags, size_t n, uint64_t *want)
{
	struct pent	 pos = { (char *)(uintptr_t)key, len, id, 0 };
	size_t		 i, nw = 0;
	int		 c, incl = !!(flags & STORE_PAGE_FROM);

	if (!(flags & STORE_PAGE_BACKWARD)) {
		for (i = 0; i < ne && nw < n; i++) {
			c = pent_cmp(&e[i], &pos);
			if ((c > 0 || (incl && c == 0)) && (!e[i].archived ||
			    (flags & STORE_PAGE_ARCHIVED)))
				want[nw++] = e[i].id;
		}
		return (nw);
	}
	for (i = ne; i-- > 0 && nw < n;) {
		c = pent_cmp(&e[i], &pos);
		if ((c < 0 || (incl && c == 0)) && (!e[i].archived ||
		    (flags & STORE_PAGE_ARCHIVED)))
			want[nw++] = e[i].id;
	}
	return (nw);
}

static void
test_pages_brute(void)
{
	static const size_t sizes[] = { 1, 7, 50, 200, 700 };
	static const int flagsets[] = { 0, STORE_PAGE_FROM,
	    STORE_PAGE_ARCHIVED, STORE_PAGE_BACKWARD,
	    STORE_PAGE_BACKWARD | STORE_PAGE_FROM };
	static const char *ixs[] = { "name", "code", NULL };
	struct schema	*sc = inline_schema(form_v1);
	struct table	*t = schema_table(sc, "item");
	struct store	*s;
	struct record	*rec;
	struct pent	*e[3];
	struct q	 q;
	struct buf	 key = BUF_INIT, name = BUF_INIT;
	char		*dir = path("pagebrute"), code[32];
	uint64_t	*want, *ids;
	size_t		 i, j, k, x, nw, ne[3] = { 0, 0, 0 }, nrec = 3000;
	size_t		 pages = 0;
	size_t		 bad = 0;
	unsigned	 seed = 7;
	int		 r, pre;

	s = open_store(dir, sc, 1);
	if (s == NULL)
		tap_bail("cannot open the page brute store");
	/* 20 names shared by most records (150 or so ids a key, off page),
	 * every fifth its own; a code for two records in three. */
	ids = xcalloc(nrec, sizeof(*ids));
	e[0] = xcalloc(nrec, sizeof(*e[0]));
	e[1] = xcalloc(nrec, sizeof(*e[1]));
	e[2] = xcalloc(nrec, sizeof(*e[2]));
	for (i = 0; i < nrec; i++) {
		rec = record_new(t);
		buf_reset(&name);
		buf_printf(&name, "%s", vocab[(i * 7) % 20]);
		if (i % 5 == 0)
			buf_printf(&name, " %zu", i);
		set(rec, "name", name.data);
		if (i % 3 != 0) {
			snprintf(code, sizeof(code), "C%05zu", (i * 7919) %
			    100000);
			set(rec, "code", code);
		}
		if (insert(s, rec, "u") != 0)
			tap_bail(err.data);
		ids[i] = rec->id;
		for (x = 0; x < 3; x++) {
			/* Id order (ixs NULL): keys all empty. */
			buf_reset(&key);
			if (ixs[x] != NULL)
				store_page_key(rec, ixs[x], &key);
			if (ixs[x] != NULL && key.len == 0)
				continue;
			e[x][ne[x]].key = xmemdup(key.data, key.len ? key.len : 1);
			e[x][ne[x]].len = key.len;
			e[x][ne[x]].id = rec->id;
			e[x][ne[x]].archived = i % 7 == 3;
			ne[x]++;
		}
		record_free(rec);
	}
	for (i = 3; i < nrec; i += 7)
		simple(s, OP_ARCHIVE, t, ids[i], "u");
	for (x = 0; x < 3; x++)
		qsort(e[x], ne[x], sizeof(*e[x]), pent_cmp);
	want = xcalloc(nrec + 1, sizeof(*want));
	memset(&q, 0, sizeof(q));
	q.table = t;
	for (x = 0; x < 3; x++) {
		q.ix = ixs[x];
		for (j = 0; j < 60; j++) {
			seed = seed * 1103515245u + 12345u;
			i = (seed >> 8) % ne[x];
			q.n = sizes[j % nitems(sizes)];
			q.flags = flagsets[(j / nitems(sizes)) %
			    nitems(flagsets)];
			/* Some from a prefix of the key, some from the
			 * start or the end. */
			pre = j % 4 == 1 && e[x][i].len > 2 &&
			    (q.flags & STORE_PAGE_FROM);
			q.key = j % 11 == 5 ? NULL : e[x][i].key;
			q.keylen = pre ? 2 : e[x][i].len;
			q.id = pre ? 0 : e[x][i].id;
			/* From the start: at ("", 0); from the end: before
			 * a key no UTF-8 text reaches. */
			if (q.ix == NULL) {
				/* In id order the position is the id alone,
				 * 0 the start (or the end, backward). */
				q.key = NULL;
				q.keylen = 0;
				if (j % 11 == 5)
					q.id = 0;
				nw = pages_want(e[x], ne[x], "", 0, q.id == 0 &&
				    (q.flags & (STORE_PAGE_BACKWARD |
				    STORE_PAGE_FROM)) == STORE_PAGE_BACKWARD ?
				    UINT64_MAX : q.id, q.flags, q.n, want);
			} else if (q.key == NULL &&
			    (q.flags & STORE_PAGE_BACKWARD))
				nw = pages_want(e[x], ne[x], "\xff", 1, 0,
				    q.flags & ~STORE_PAGE_FROM, q.n, want);
			else if (q.key == NULL)
				nw = pages_want(e[x], ne[x], "", 0, 0,
				    q.flags | STORE_PAGE_FROM, q.n, want);
			else
				nw = pages_want(e[x], ne[x], q.key, q.keylen,
				    q.id, q.flags, q.n, want);
			r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q,
			    &err);
			pages++;
			for (i = 0; r == 0 && i < q.nids && i < nw; i++)
				if (q.recs[i]->id != want[i])
					break;
			if (r != 0 || q.nids != nw || i != nw) {
				bad++;
				diag("%s page of %zu flags %d: got %zu, want "
				    "%zu, first difference at %zu%s%s",
				    q.ix != NULL ? q.ix : "id", q.n, q.flags, q.nids, nw, i,
				    r != 0 ? ": " : "", r != 0 ? err.data :
				    "");
			}
		}
	}
	is_int(bad, 0, "%zu pages by a folded name, a unique code and id "
	    "agree with brute force over %zu records", pages, nrec);
	/* A failure at any call of a page, bulk reads included, is an
	 * error with a message (and, under ASan, leaks nothing). */
	for (x = 0, bad = 0; x < 3; x += 2) {
		q.ix = ixs[x];
		q.key = NULL;
		q.keylen = 0;
		q.id = 0;
		q.flags = 0;
		q.n = 200;
		store_fault_set(0, 0);
		/* Until a page makes as many calls as the one before:
		 * the records read lately are kept from their second read
		 * (rcache.c), so the calls counted are the same in every
		 * run after. */
		for (k = 0, nw = SIZE_MAX; k < 10; k++) {
			store_fault_set(0, 0);
			if (store_txn_run(s, STORE_TXN_READONLY, page_fn, &q,
			    &err) != 0)
				bad++;
			if ((size_t)store_fault_calls() == nw)
				break;
			nw = (size_t)store_fault_calls();
		}
		nw = (size_t)store_fault_calls();
		for (j = 1; j <= nw; j++) {
			buf_reset(&err);
			store_fault_set(j, ENOSPC);
			r = store_txn_run(s, STORE_TXN_READONLY, page_fn, &q,
			    &err);
			store_fault_set(0, 0);
			if (r != -1 || err.len == 0) {
				bad++;
				diag("%s page, call %zu of %zu: %d %s",
				    q.ix != NULL ? q.ix : "id", j, nw, r,
				    err.data);
			}
		}
	}
	is_int(bad, 0, "a failed call in a page by name or by id, any of "
	    "them, is an error");
	store_records_free(q.recs, q.nids);
	for (x = 0; x < 3; x++) {
		for (i = 0; i < ne[x]; i++)
			free(e[x][i].key);
		free(e[x]);
	}
	free(want);
	free(ids);
	buf_release(&key);
	buf_release(&name);
	store_close(s);
	schema_free(sc);
	free(dir);
}

static void
test_open_errors(void)
{
	struct schema	*sc = inline_schema(form_v1);
	struct store	*s;
	struct store_options o = { 0, 0, 0 };
	char		*dir = path("missing/deeper");
	struct stat	 sb;
	mode_t		 old;
	int		 r;

	r = store_open(&s, dir, sc, &o, &err);
	ok(r == -1 && strstr(err.data, dir) != NULL, "a missing folder is "
	    "an error naming it: %s", err.data);
	old = umask(0);
	o.flags = STORE_CREATE | STORE_NOSYNC;
	buf_reset(&err);
	r = store_open(&s, dir, sc, &o, &err);
	ok(r == 0, "STORE_CREATE makes the folders%s", err.data);
	umask(old);
	ok(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700,
	    "the folder is 0700 whatever the umask");
	/* (Nothing in this program set a fault yet.) */
	ok(store_fault_calls() == 0, "Berkeley DB calls are not counted "
	    "before a fault is set (%llu counted)",
	    (unsigned long long)store_fault_calls());
	{
		struct store *s2;

		r = store_open(&s2, dir, sc, &o, &err);
		ok(r == -1 && strstr(err.data, "already in use") !=
		    NULL, "a second open of the same folder is refused: %s",
		    err.data);
		r = store_verify_dir(dir, &err);
		ok(r == -1 && strstr(err.data, "in use") != NULL,
		    "so is verifying it while open: %s", err.data);
	}
	store_close(s);
	{
		char *other = path("not-a-db");

		mkdir(other, 0700);
		o.flags = 0;
		r = store_open(&s, other, sc, &o, &err);
		ok(r == -1 && strstr(err.data, "no database in") != NULL,
		    "an existing folder without a database is not made one "
		    "without STORE_CREATE: %s", err.data);
		free(other);
	}
	{
		char *f = path("missing/deeper/item.db");

		ok(stat(f, &sb) == 0 && (sb.st_mode & 0777) == 0600,
		    "files are 0600 whatever the umask");
		free(f);
	}
	schema_free(sc);
	sc = inline_schema("table audit \"A\" \"А\" \"As\" \"Аы\"\n"
	    "field name text \"Name\" \"Имя\"\n");
	o.flags = STORE_CREATE;
	r = store_open(&s, dir, sc, &o, &err);
	ok(r == -1 && strstr(err.data, "the table name 'audit' is reserved") !=
	    NULL, "a table named like the store's own files is refused: %s",
	    err.data);
	schema_free(sc);
	free(dir);
}

/* A scan: what it hands over and how it goes on. */
struct scan {
	const struct table *table;
	uint64_t	 after, last;
	size_t		 max;
	int		 flags;
	uint64_t	 ids[512];
	size_t		 n;
	size_t		 bad;		/* records whose n did not decode */
	size_t		 stop_at;	/* fn asks to stop at this many */
};

static int
rscan_cb(uint64_t id, const void *data, size_t len, void *arg)
{
	struct scan	*sc = arg;
	struct value	 v;
	const struct field *f = &sc->table->fields[1];

	if (record_decode_field(data, len, f->id, &v) != 1 ||
	    v.i != (int64_t)id)
		sc->bad++;
	if (sc->n < nitems(sc->ids))
		sc->ids[sc->n] = id;
	sc->n++;
	return (sc->stop_at != 0 && sc->n >= sc->stop_at);
}

static int
rscan_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct scan	*sc = arg;

	return (store_scan(t, sc->table, sc->after, sc->max, sc->flags,
	    rscan_cb, sc, &sc->last, e));
}

static const char form_doc[] =
    "table doc \"Doc\" \"Документ\" \"Docs\" \"Документы\"\n"
    "field body text(100000) \"Body\" \"Текст\"\n"
    "field n int \"N\" \"Н\"\n"
    "field more text(100000) \"More\" \"Ещё\"\n";

/* One read outside a transaction (STORE_TXN_ONEREAD). */
struct oneread {
	const struct table *t;
	uint64_t	 id;
	struct record	*rec;
	int		 write;
};

static int
oneread_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct oneread	*o = arg;

	record_free(o->rec);
	o->rec = NULL;
	if (o->write) {
		o->rec = record_new(o->t);
		set(o->rec, "body", "не записать");
		return (store_insert(txn, o->rec, "u", e));
	}
	return (store_get(txn, o->t, o->id, &o->rec, e));
}

static void
test_oneread(void)
{
	struct schema	*sc = inline_schema(form_doc);
	struct table	*t = schema_table(sc, "doc");
	struct store	*s;
	struct record	*rec;
	struct oneread	 o;
	char		*dir = path("oneread");
	uint64_t	 n;
	size_t		 i;
	int		 r;

	s = open_store(dir, sc, 1);
	if (s == NULL)
		tap_bail("cannot open the one-read store");
	for (i = 0; i < 3; i++) {
		rec = record_new(t);
		set(rec, "body", i == 1 ? "второй" : "другой");
		if (insert(s, rec, "u") != 0)
			diag("insert %zu: %s", i, err.data);
		record_free(rec);
	}
	memset(&o, 0, sizeof(o));
	o.t = t;
	o.id = 2;
	r = store_txn_run(s, STORE_TXN_READONLY | STORE_TXN_ONEREAD,
	    oneread_fn, &o, &err);
	ok(r == 0 && o.rec != NULL && strcmp(get(o.rec, "body"),
	    "второй") == 0 && o.rec->rev == 1,
	    "one read outside a transaction gets the record");
	o.id = 99;
	r = store_txn_run(s, STORE_TXN_ONEREAD, oneread_fn, &o, &err);
	is_int(r, STORE_NOTFOUND, "and says when there is none");
	o.write = 1;
	r = store_txn_run(s, STORE_TXN_ONEREAD, oneread_fn, &o, &err);
	ok(r == -1 && strstr(err.data, "read-only") != NULL,
	    "a write in it is refused: %s", err.data);
	o.write = 0;
	n = count(s, t);
	ok(n == 3, "and nothing was written (%llu records)",
	    (unsigned long long)n);
	record_free(o.rec);
	store_close(s);
	schema_free(sc);
	free(dir);
}

static void
test_scan(void)
{
	struct schema	*sc = inline_schema(form_doc);
	struct table	*t = schema_table(sc, "doc");
	struct store	*s;
	struct record	*rec;
	struct scan	 a;
	struct buf	 body = BUF_INIT;
	char		*dir = path("scan");
	size_t		 i, total, nrec = 300;
	int		 r, inorder;

	s = open_store(dir, sc, 1);
	if (s == NULL)
		tap_bail("cannot open the scan store");
	/* 300 records of 3 KB (several bulk buffers), one of 330 KB (more
	 * than a buffer): the n of each is its id. */
	for (i = 0; i < nrec; i++) {
		buf_reset(&body);
		while (body.len < (i == 150 ? 165000U : 3000U))
			buf_adds(&body, "текст ");
		rec = record_new(t);
		set(rec, "body", body.data);
		if (i == 150)
			set(rec, "more", body.data);
		rec->values[1].set = 1;
		rec->values[1].i = (int64_t)i + 1;
		if (insert(s, rec, "u") != 0 || rec->id != i + 1)
			diag("insert %zu: %s (id %llu)", i, err.data,
			    (unsigned long long)rec->id);
		record_free(rec);
	}
	simple(s, OP_ARCHIVE, t, 7, "u");

	memset(&a, 0, sizeof(a));
	a.table = t;
	r = store_txn_run(s, STORE_TXN_READONLY, rscan_fn, &a, &err);
	is_int(r, 0, "a scan of the whole table");
	is_int(a.n, nrec - 1, "sees every record but the archived one");
	is_int(a.bad, 0, "each record's field read in place");
	inorder = 1;
	for (i = 1; i < a.n && i < nitems(a.ids); i++)
		if (a.ids[i] <= a.ids[i - 1] || a.ids[i] == 7)
			inorder = 0;
	ok(inorder, "in id order, without id 7");
	ok(a.last == UINT64_MAX, "and says the table is done");

	memset(&a, 0, sizeof(a));
	a.table = t;
	a.flags = STORE_PAGE_ARCHIVED;
	(void)store_txn_run(s, STORE_TXN_READONLY, rscan_fn, &a, &err);
	is_int(a.n, nrec, "STORE_PAGE_ARCHIVED: the archived one too");

	/* In steps of 64 (max), then where fn stops: each goes on where
	 * the last one ended, nothing seen twice or skipped. */
	memset(&a, 0, sizeof(a));
	a.table = t;
	a.max = 64;
	total = 0;
	r = 0;
	for (i = 0; i < 20 && r == 0; i++) {
		a.n = 0;
		r = store_txn_run(s, STORE_TXN_READONLY, rscan_fn, &a, &err);
		total += a.n;
		if (a.last == UINT64_MAX)
			break;
		a.after = a.last;
	}
	is_int(total, nrec - 1, "steps of 64 see every record once");
	memset(&a, 0, sizeof(a));
	a.table = t;
	a.stop_at = 10;
	(void)store_txn_run(s, STORE_TXN_READONLY, rscan_fn, &a, &err);
	a.after = a.last;
	a.n = 0;
	a.stop_at = 0;
	(void)store_txn_run(s, STORE_TXN_READONLY, rscan_fn, &a, &err);
	ok(a.n == nrec - 11 && a.ids[0] == 12, "fn stops at id 11, the next "
	    "scan starts at 12 (got %zu from %llu)", a.n,
	    (unsigned long long)a.ids[0]);
	a.after = UINT64_MAX;
	a.n = 0;
	(void)store_txn_run(s, STORE_TXN_READONLY, rscan_fn, &a, &err);
	is_int(a.n, 0, "after UINT64_MAX there is nothing");

	buf_release(&body);
	store_close(s);
	schema_free(sc);
	free(dir);
}

/*
 * store_fetch: records by ascending ids, against what each id should
 * give (its record unless missing, purged or archived), for id sets
 * dense enough to be read in bulk, sparse enough to be looked up one by
 * one, and both mixed; and store_lookup of a key with more ids than one
 * bulk buffer holds.
 */
struct fetchq {
	const struct table *table;
	const uint64_t	*ids;
	size_t		 n;
	int		 flags;
	uint64_t	*got;
	size_t		 ngot;
	size_t		 bad;		/* records whose n is not their id */
	size_t		 stop_at;
	int		 rv;
};

static int
fetch_cb(uint64_t id, const void *data, size_t len, void *arg)
{
	struct fetchq	*fq = arg;
	struct value	 v;

	if (record_decode_field(data, len, fq->table->fields[1].id, &v) !=
	    1 || v.i != (int64_t)id)
		fq->bad++;
	fq->got[fq->ngot++] = id;
	return (fq->stop_at != 0 && fq->ngot >= fq->stop_at);
}

static int
fetch_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct fetchq	*fq = arg;

	fq->ngot = 0;
	fq->bad = 0;
	fq->rv = store_fetch(t, fq->table, fq->ids, fq->n, fq->flags,
	    fetch_cb, fq, e);
	return (fq->rv < 0 ? -1 : 0);
}

struct biglq {
	const struct table *table;
	const char	*ix;
	const void	*key;
	size_t		 keylen;
	uint64_t	 big[8000];
	size_t		 nids, max;
};

static int
biglookup_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct biglq	*q = arg;

	return (store_lookup(t, q->table, q->ix, q->key, q->keylen, q->big,
	    q->max ? q->max : nitems(q->big), &q->nids, e) < 0 ? -1 : 0);
}

static const char form_fetch[] =
    "table fx \"Fx\" \"Фх\" \"Fxs\" \"Фхи\"\n"
    "field body text(100000) \"Body\" \"Текст\"\n"
    "field n int \"N\" \"Н\"\n"
    "field k int index exact \"K\" \"К\"\n";

/* What fetching ids should give: state 0 missing, 1 there, 2 archived. */
static size_t
fetch_want(const uint64_t *ids, size_t n, const unsigned char *state,
    size_t nstate, int archived, uint64_t *out)
{
	size_t	i, k = 0;

	for (i = 0; i < n; i++)
		if (ids[i] < nstate && (state[ids[i]] == 1 ||
		    (archived && state[ids[i]] == 2)))
			out[k++] = ids[i];
	return (k);
}

static void
test_fetch(void)
{
	struct schema	*sc = inline_schema(form_fetch);
	struct table	*t = schema_table(sc, "fx");
	struct store	*s;
	struct record	*rec;
	struct fetchq	 fq;
	static struct biglq lq;
	struct buf	 body = BUF_INIT, key = BUF_INIT;
	char		*dir = path("fetch"), what[128];
	enum { NREC = 5000, NSET = 6000 };
	static unsigned char state[NREC + 1];
	static uint64_t	 ids[NSET], want[NSET], got[NSET];
	uint64_t	 seed = 7;
	size_t		 i, n, nw, round;
	int		 r, same, density;

	s = open_store(dir, sc, 1);
	if (s == NULL)
		tap_bail("cannot open the fetch store");
	/* Small records, a few of 5 KB (more than a page) and one of
	 * 110 KB (more than the bulk buffer); k 1 for all but every
	 * fiftieth (more ids than one bulk read of the index holds). */
	for (i = 1; i <= NREC; i++) {
		buf_reset(&body);
		buf_printf(&body, "запись %zu", i);
		while (i % 500 == 0 && body.len < (i == 2500 ? 110000U :
	    5000U))
			buf_adds(&body, " текст");
		rec = record_new(t);
		set(rec, "body", body.data);
		rec->values[1].set = 1;
		rec->values[1].i = (int64_t)i;
		rec->values[2].set = 1;
		rec->values[2].i = i % 50 == 0 ? 2 : 1;
		if (insert(s, rec, "u") != 0 || rec->id != i)
			diag("insert %zu: %s", i, err.data);
		record_free(rec);
		state[i] = 1;
	}
	for (i = 3; i <= NREC; i += 37) {
		simple(s, OP_ARCHIVE, t, i, "u");
		state[i] = 2;
	}
	for (i = 5; i <= NREC; i += 101) {
		simple(s, OP_PURGE, t, i, "u");
		state[i] = 0;
	}

	memset(&fq, 0, sizeof(fq));
	fq.table = t;
	fq.ids = ids;
	fq.got = got;
	/* Every id, then sets of every density: each id kept with a
	 * chance of 1 in density, or runs of dense ids between gaps. */
	for (round = 0; round < 24; round++) {
		density = round < 2 ? 1 : round < 22 ? (int)(1u << (round %
		    10)) : 0;
		n = 0;
		for (i = 0; i <= NREC + 40 && n < NSET; i++) {
			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			if (density > 0 ? (seed >> 33) % (unsigned)density ==
			    0 : (i / 200) % 3 == 0 || (seed >> 33) % 500 == 0)
				ids[n++] = i;
		}
		fq.n = n;
		fq.flags = round % 2 ? STORE_PAGE_ARCHIVED : 0;
		nw = fetch_want(ids, n, state, NREC + 1, round % 2, want);
		r = store_txn_run(s, STORE_TXN_READONLY, fetch_fn, &fq, &err);
		same = r == 0 && fq.rv == 0 && fq.ngot == nw && fq.bad == 0;
		for (i = 0; same && i < nw; i++)
			same = got[i] == want[i];
		snprintf(what, sizeof(what), "fetch of %zu ids (1 in %d%s)%s "
		    "gives %zu records, each its own", n, density,
		    density ? "" : ": runs", round % 2 ? ", archived too" :
		    "", nw);
		ok(same, "%s (got %zu, %zu bad, rv %d: %s)", what, fq.ngot,
		    fq.bad, fq.rv, r ? err.data : "");
	}
	/* Stopped by fn after 10. */
	for (i = 0; i < 300; i++)
		ids[i] = i + 1;
	fq.n = 300;
	fq.flags = 0;
	fq.stop_at = 10;
	r = store_txn_run(s, STORE_TXN_READONLY, fetch_fn, &fq, &err);
	nw = fetch_want(ids, 300, state, NREC + 1, 0, want);
	ok(r == 0 && fq.rv == 1 && fq.ngot == 10 && got[9] == want[9],
	    "fn stops the fetch: 1, after the 10th record (rv %d, %zu)",
	    fq.rv, fq.ngot);
	fq.stop_at = 0;
	fq.n = 0;
	r = store_txn_run(s, STORE_TXN_READONLY, fetch_fn, &fq, &err);
	ok(r == 0 && fq.rv == 0 && fq.ngot == 0, "no ids: nothing");

	/* The lookup of k 1: 4,500 ids less the purged, ascending. */
	memset(&lq, 0, sizeof(lq));
	lq.table = t;
	lq.ix = "k";
	index_int_key(&key, 1);
	lq.key = key.data;
	lq.keylen = key.len;
	r = store_txn_run(s, STORE_TXN_READONLY, biglookup_fn, &lq, &err);
	nw = 0;
	for (i = 1; i <= NREC; i++)
		if (state[i] != 0 && i % 50 != 0)
			want[nw++] = i;
	same = r == 0 && lq.nids == nw;
	for (i = 0; same && i < nw; i++)
		same = lq.big[i] == want[i];
	ok(same, "lookup of a key with %zu ids gives them all in order "
	    "(got %zu)", nw, lq.nids);
	lq.max = 1000;
	r = store_txn_run(s, STORE_TXN_READONLY, biglookup_fn, &lq, &err);
	ok(r == 0 && lq.nids == 1000 && lq.big[999] == want[999],
	    "and at most max of them (got %zu)", lq.nids);

	buf_release(&body);
	buf_release(&key);
	store_close(s);
	schema_free(sc);
	free(dir);
}

/*
 * store_lookup on an index with duplicates and on a unique one, for keys
 * of every length of list its paths read differently: none, one (a get
 * and the cursor's count), a few (a call each), more (in bulk), more
 * than one bulk buffer holds; each with max below, at and above the
 * count, archived records among them, in and outside a transaction, and
 * with each Berkeley DB call it makes failing in turn.
 */
static const char form_lookup[] =
    "table lk \"Lk\" \"Лк\" \"Lks\" \"Лки\"\n"
    "field k text(20) index exact \"K\" \"К\"\n"
    "field u text(20) index unique \"U\" \"У\"\n";

struct lkq {
	const struct table *table;
	const char	*ix, *key;
	uint64_t	 ids[8192];
	size_t		 max, n;
	int		 rv;
};

static int
lk_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct lkq	*q = arg;

	q->n = SIZE_MAX;
	q->rv = store_lookup(t, q->table, q->ix, q->key, strlen(q->key),
	    q->ids, q->max, &q->n, e);
	return (q->rv < 0 ? -1 : 0);
}

struct lkins {
	struct record	**recs;
	size_t		  n;
};

static int
lkins_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct lkins	*a = arg;
	size_t		 i;

	for (i = 0; i < a->n; i++)
		if (store_insert(t, a->recs[i], "u", e) != 0)
			return (-1);
	return (0);
}

/* The lookup of key gives want[0 .. min(max, nwant)), in order. */
static int
lk_same(const struct lkq *q, const uint64_t *want, size_t nwant)
{
	size_t	n = q->max < nwant ? q->max : nwant, i;

	if (q->rv != (int)n || q->n != n)
		return (0);
	for (i = 0; i < n; i++)
		if (q->ids[i] != want[i])
			return (0);
	return (1);
}

static void
test_lookup(void)
{
	static const size_t counts[] = { 1, 2, 3, 4, 5, 6, 9, 40, 8000 };
	enum { NG = nitems(counts) };
	struct schema	*sc = inline_schema(form_lookup);
	struct table	*t = schema_table(sc, "lk");
	struct store	*s;
	struct lkins	 ins;
	static struct lkq q;
	static uint64_t	 want[NG][8000];
	size_t		 nwant[NG] = { 0 }, maxes[8], i, g, m, nm, calls, at;
	size_t		 bad, n, calls9 = 0;
	uint64_t	 purged;
	char		*dir = path("lookup"), key[32];
	int		 r, flags;

	s = open_store(dir, sc, 1);
	if (s == NULL)
		tap_bail("cannot open the lookup store");
	/* Round robin over the keys, so no key's ids are all adjacent;
	 * every third record of a key archived. */
	ins.recs = xcalloc(NG, sizeof(*ins.recs));
	for (i = 0; i < counts[NG - 1]; i++) {
		ins.n = 0;
		for (g = 0; g < NG; g++) {
			if (i >= counts[g])
				continue;
			ins.recs[ins.n] = record_new(t);
			snprintf(key, sizeof(key), "k%zu", counts[g]);
			set(ins.recs[ins.n], "k", key);
			snprintf(key, sizeof(key), "u%zu.%zu", g, i);
			set(ins.recs[ins.n], "u", key);
			ins.n++;
		}
		buf_reset(&err);
		if (store_txn_run(s, 0, lkins_fn, &ins, &err) != 0)
			tap_bail(err.data);
		for (m = 0, g = 0; g < NG; g++) {
			if (i >= counts[g])
				continue;
			want[g][nwant[g]++] = ins.recs[m]->id;
			if (i % 3 == 2)
				simple(s, OP_ARCHIVE, t, ins.recs[m]->id, "u");
			record_free(ins.recs[m++]);
		}
	}
	free(ins.recs);
	/* A key whose only record is gone. */
	ins.recs = xcalloc(1, sizeof(*ins.recs));
	ins.recs[0] = record_new(t);
	set(ins.recs[0], "k", "gone");
	set(ins.recs[0], "u", "gone");
	ins.n = 1;
	if (store_txn_run(s, 0, lkins_fn, &ins, &err) != 0)
		tap_bail(err.data);
	purged = ins.recs[0]->id;
	record_free(ins.recs[0]);
	free(ins.recs);
	simple(s, OP_PURGE, t, purged, "u");

	memset(&q, 0, sizeof(q));
	q.table = t;
	q.ix = "k";
	for (g = 0; g < NG; g++) {
		snprintf(key, sizeof(key), "k%zu", counts[g]);
		q.key = key;
		nm = 0;
		maxes[nm++] = nitems(q.ids);
		maxes[nm++] = 0;
		maxes[nm++] = 1;
		maxes[nm++] = 2;
		maxes[nm++] = 5;
		maxes[nm++] = counts[g] - 1;
		maxes[nm++] = counts[g];
		maxes[nm++] = counts[g] + 1;
		for (bad = 0, m = 0; m < nm; m++) {
			q.max = maxes[m];
			flags = STORE_TXN_READONLY | (m % 2 ? STORE_TXN_ONEREAD :
			    0);
			buf_reset(&err);
			r = store_txn_run(s, flags, lk_fn, &q, &err);
			if (r != 0 || !lk_same(&q, want[g], nwant[g])) {
				diag("key %s max %zu: rv %d n %zu %s", key,
				    q.max, q.rv, q.n, err.data);
				bad++;
			}
		}
		ok(bad == 0, "lookup of a key with %zu ids (a third archived) "
		    "gives them in order, at most max, for max 0, 1, 2, 5, "
		    "the count and one either side", counts[g]);
	}
	q.max = nitems(q.ids);
	for (i = 0; i < 4; i++) {
		q.key = i == 0 ? "k" : i == 1 ? "k10" : i == 2 ? "zz" : "gone";
		r = store_txn_run(s, STORE_TXN_READONLY | STORE_TXN_ONEREAD,
		    lk_fn, &q, &err);
		ok(r == 0 && q.rv == 0 && q.n == 0, "no ids for '%s' (%s)",
		    q.key, i == 0 ? "before every key" : i == 1 ? "between "
		    "two keys" : i == 2 ? "after every key" : "its record "
		    "purged");
	}

	/* The unique index: one id or none. */
	q.ix = "u";
	for (bad = 0, g = 0; g < NG; g++)
		for (i = 0; i < nwant[g]; i += 7) {
			snprintf(key, sizeof(key), "u%zu.%zu", g, i);
			q.key = key;
			q.max = i % 2 ? 1 : 3;
			r = store_txn_run(s, STORE_TXN_READONLY |
			    STORE_TXN_ONEREAD, lk_fn, &q, &err);
			if (r != 0 || q.rv != 1 || q.n != 1 ||
			    q.ids[0] != want[g][i])
				bad++;
		}
	ok(bad == 0, "a unique index gives each key's one id");
	q.key = "u0.8000";
	r = store_txn_run(s, STORE_TXN_READONLY | STORE_TXN_ONEREAD, lk_fn,
	    &q, &err);
	ok(r == 0 && q.rv == 0 && q.n == 0, "and none for a missing key");
	q.key = "u0.0";
	q.max = 0;
	r = store_txn_run(s, STORE_TXN_READONLY | STORE_TXN_ONEREAD, lk_fn,
	    &q, &err);
	ok(r == 0 && q.rv == 0 && q.n == 0, "and none when max is 0");

	/*
	 * Each Berkeley DB call of a lookup failing in turn: an error
	 * that names the table; a deadlock is retried and then gives
	 * every id.
	 */
	q.ix = "k";
	q.max = nitems(q.ids);
	for (g = 0; g < NG; g++) {
		if (counts[g] != 1 && counts[g] != 2 && counts[g] != 9 &&
		    counts[g] != 8000)
			continue;
		snprintf(key, sizeof(key), "k%zu", counts[g]);
		q.key = key;
		store_fault_set(0, 0);
		r = store_txn_run(s, STORE_TXN_READONLY | STORE_TXN_ONEREAD,
		    lk_fn, &q, &err);
		calls = store_fault_calls();
		for (bad = 0, at = 1; at <= calls; at++) {
			buf_reset(&err);
			store_fault_set(at, 0);
			r = store_txn_run(s, STORE_TXN_READONLY |
			    STORE_TXN_ONEREAD, lk_fn, &q, &err);
			if (r != -1 || q.rv != -1 ||
			    strstr(err.data, "cannot read table 'lk'") ==
			    NULL) {
				diag("call %zu of %zu failing: rv %d: %s", at,
				    calls, q.rv, err.data);
				bad++;
			}
			store_fault_set(at, STORE_FAULT_DEADLOCK);
			r = store_txn_run(s, STORE_TXN_READONLY |
			    STORE_TXN_ONEREAD, lk_fn, &q, &err);
			if (r != 0 || !lk_same(&q, want[g], nwant[g]))
				bad++;
		}
		store_fault_set(0, 0);
		ok(calls >= 3 && bad == 0, "lookup of %zu ids: each of its %zu "
		    "calls failing gives an error, a deadlock a retry",
		    counts[g], calls);
		if (counts[g] == 9)
			calls9 = calls;
		else if (counts[g] == 8000)
			ok(calls > calls9 + 1, "%zu ids take more than one "
			    "bulk read (%zu calls, %zu for 9 ids)", counts[g],
			    calls, calls9);
	}
	n = 0;
	for (g = 0; g < NG; g++)
		n += nwant[g];
	is_int(count(s, t), n, "the records are all there");

	store_close(s);
	schema_free(sc);
	free(dir);
}

/* The cache a store gets when none is asked for. */
static void
test_cache_auto(void)
{
	uint64_t	mb = 1024 * 1024, gb = 1024 * mb;

	is_int(store_cache_auto(0, 16 * gb), STORE_CACHE_MIN,
	    "a new database: the least cache");
	is_int(store_cache_auto(400 * mb, 16 * gb), 500,
	    "400 MB of data: 500 MB, a quarter more");
	is_int(store_cache_auto(40 * gb, 16 * gb), 4096,
	    "more data than memory: a quarter of the memory");
	is_int(store_cache_auto(2 * gb, 0), 1024,
	    "memory unknown: 1 GB at most");
	is_int(store_cache_auto(2 * gb, 128 * mb), STORE_CACHE_MIN,
	    "a tiny machine: still the least");
}

/*
 * A transaction reads its own index writes: the entries of indexes that
 * are not unique are written at its end (rec.c), so every read of an
 * index must write them first.  Each read below comes after writes of
 * the same transaction that it has to see; the records are updated and
 * archived in between so that entries also go.
 */
struct own {
	const struct table *party, *contact;
	uint64_t	 p, c;
	size_t		 by_manager, by_manager_after, keys, lookup;
	size_t		 refs, refs_after;
	int		 purge;
	char		 purge_err[256];
};

static int
own_count_key(const void *key, size_t len, uint64_t id, void *arg)
{
	(void)key;
	(void)len;
	(void)id;
	(*(size_t *)arg)++;
	return (0);
}

static int
own_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct own	*o = arg;
	struct record	*p, *c, **page;
	struct store_ref ref[4];
	struct buf	 key = BUF_INIT;
	uint64_t	 ids[4];
	size_t		 n, i;
	int		 r;

	memset(o->purge_err, 0, sizeof(o->purge_err));
	p = record_new(o->party);
	record_defaults(p);
	set(p, "kind", "org");
	set(p, "name", "ООО «Своя запись»");
	set(p, "manager", "own-writes");
	set(p, "city", "Тверь");
	if (store_insert(t, p, "ivanov", e) != 0)
		goto fail;
	o->p = p->id;
	/* A page by a folded index, the entries of an exact one, a
	 * lookup: each sees the record just written. */
	store_page_key(p, "manager", &key);
	if (store_page(t, o->party, "manager", key.data, key.len, 0,
	    STORE_PAGE_FROM, 10, &page, &n, e) < 0)
		goto fail;
	o->by_manager = n;
	store_records_free(page, n);
	if (store_keys(t, o->party, "manager", key.data, key.len, 0,
	    STORE_PAGE_FROM, own_count_key, &o->keys, e) < 0)
		goto fail;
	store_page_key(p, "city", &key);
	if (store_lookup(t, o->party, "city", key.data, key.len, ids, 4, &n,
	    e) < 0)
		goto fail;
	o->lookup = n;
	/* The manager changes: the old entry goes in the same
	 * transaction, the new one comes. */
	store_page_key(p, "manager", &key);
	set(p, "manager", "own-writes-2");
	if (store_update(t, p, p->rev, "ivanov", e) != 0)
		goto fail;
	if (store_page(t, o->party, "manager", key.data, key.len, 0,
	    STORE_PAGE_FROM, 10, &page, &n, e) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (strcmp(get(page[i], "manager"), "own-writes") == 0)
			o->by_manager_after++;
	store_records_free(page, n);
	/* A contact of it: the purge must see the reference. */
	c = record_new(o->contact);
	record_defaults(c);
	buf_reset(&key);
	buf_printf(&key, "%llu", (unsigned long long)o->p);
	set(c, "party", key.data);
	set(c, "name", "Петров Пётр");
	r = store_insert(t, c, "ivanov", e);
	o->c = c->id;
	record_free(c);
	if (r != 0)
		goto fail;
	if (store_referrers(t, o->party, o->p, ref, 4, &o->refs, e) < 0)
		goto fail;
	o->purge = store_purge(t, o->party, o->p, "ivanov", e);
	snprintf(o->purge_err, sizeof(o->purge_err), "%s", e->data);
	buf_reset(e);
	if (store_purge(t, o->contact, o->c, "ivanov", e) != 0 ||
	    store_referrers(t, o->party, o->p, ref, 4, &o->refs_after,
	    e) < 0)
		goto fail;
	record_free(p);
	buf_release(&key);
	return (0);
fail:
	record_free(p);
	buf_release(&key);
	return (-1);
}

/* Many records in one transaction: the queue of index entries is
 * written as it goes (past its budget, rec.c), then at the end. */
static int
own_many_fn(struct store_txn *t, void *arg, struct buf *e)
{
	struct own	*o = arg;
	struct record	*p;
	char		 v[64];
	int		 i, r = 0;

	for (i = 0; i < 20000 && r == 0; i++) {
		p = record_new(o->party);
		record_defaults(p);
		set(p, "kind", "person");
		snprintf(v, sizeof(v), "Сидоров %d", i);
		set(p, "name", v);
		snprintf(v, sizeof(v), "Город %d", i % 97);
		set(p, "city", v);
		snprintf(v, sizeof(v), "m%02d", i % 13);
		set(p, "manager", v);
		snprintf(v, sizeof(v), "+7 495 %03d-%02d-%02d; "
		    "+7 916 %03d-%02d-%02d", i / 10000, i / 100 % 100,
		    i % 100, i / 10000, i / 100 % 100, i % 100);
		set(p, "phones", v);
		r = store_insert(t, p, "ivanov", e);
		record_free(p);
	}
	return (r);
}

static void
test_own_writes(void)
{
	struct schema	*sc = load_forms();
	char		*dir = path("own");
	struct store	*s = open_store(dir, sc, 1);
	struct own	 o;
	int		 r;

	if (s == NULL)
		tap_bail("cannot create the store");
	memset(&o, 0, sizeof(o));
	o.party = schema_table(sc, "party");
	o.contact = schema_table(sc, "contact");
	buf_reset(&err);
	r = store_txn_run(s, 0, own_fn, &o, &err);
	is_int(r, 0, "own writes: the transaction commits: %s", err.data);
	is_int((long long)o.by_manager, 1, "a page by an index finds the "
	    "record its own transaction inserted");
	is_int((long long)o.keys, 1, "so do the index's entries");
	is_int((long long)o.lookup, 1, "and a lookup");
	is_int((long long)o.by_manager_after, 0, "after an update in the "
	    "transaction the old key finds nothing");
	is_int((long long)o.refs, 1, "a reference written in the "
	    "transaction is found");
	ok(o.purge == -1 && strstr(o.purge_err, "refers to it") != NULL,
	    "and stops the purge of what it refers to (%s)", o.purge_err);
	is_int((long long)o.refs_after, 0, "once the contact is purged in "
	    "the transaction, none is");
	is_int(check(s, o.party, &err), 0, "check passes on party: %s",
	    err.data);
	is_int(check(s, o.contact, &err), 0, "check passes on contact: %s",
	    err.data);
	buf_reset(&err);
	r = store_txn_run(s, 0, own_many_fn, &o, &err);
	is_int(r, 0, "20,000 parties in one transaction: %s", err.data);
	is_int(count(s, o.party), 20001, "all of them there");
	is_int(check(s, o.party, &err), 0, "and every index agrees: %s",
	    err.data);
	store_close(s);
	is_int(verify(dir, &err), 0, "the files verify: %s", err.data);
	free(dir);
	schema_free(sc);
}


/*
 * Ids go on from where they stopped across a clean close: the sequence
 * gives back the block its cache took.  (After a crash a gap is fine.)
 */
static void
test_ids_reopen(void)
{
	struct schema	*sc = load_forms();
	const struct table *t = schema_table(sc, "party");
	char		*dir = path("ids");
	struct store	*s;
	struct record	*rec;
	uint64_t	 got[6];
	size_t		 i;
	int		 round, k, bad = 0;

	for (round = 0, i = 0; round < 3; round++) {
		if ((s = open_store(dir, sc, round == 0)) == NULL)
			tap_bail("cannot open the store");
		for (k = 0; k < 2; k++, i++) {
			rec = party_new(t, "person", "Иванов Пётр", NULL,
			    NULL);
			if (insert(s, rec, "ann") != 0)
				bad++;
			got[i] = rec->id;
			record_free(rec);
		}
		store_close(s);
	}
	is_int(bad, 0, "ids: six inserts over three opens: %s", err.data);
	for (i = 0; i < 6; i++)
		if (got[i] != i + 1)
			break;
	if (!ok(i == 6, "ids go on 1 to 6 across closes"))
		diag("insert %zu got id %llu", i + 1,
		    (unsigned long long)got[i]);
	is_int(verify(dir, &err), 0, "the files verify after it: %s",
	    err.data);
	free(dir);
	schema_free(sc);
}

/* The reverse of Berkeley DB's own order of keys. */
static int
reverse_cmp(DB *db, const DBT *a, const DBT *b)
{
	size_t	n = a->size < b->size ? a->size : b->size;
	int	c;

	(void)db;
	if ((c = memcmp(a->data, b->data, n)) == 0)
		c = a->size < b->size ? -1 : a->size > b->size;
	return (-c);
}

/* A database file opened alone, keys compared by cmp when given. */
static int
raw_db(const char *file, int (*cmp)(DB *, const DBT *, const DBT *),
    DB **dbp)
{
	int	ret;

	if ((ret = db_create(dbp, NULL, 0)) != 0)
		return (ret);
	if ((cmp != NULL && (ret = (*dbp)->set_bt_compare(*dbp, cmp)) != 0) ||
	    (ret = (*dbp)->open(*dbp, NULL, file, NULL, DB_BTREE, 0, 0)) != 0)
		(void)(*dbp)->close(*dbp, 0);
	return (ret);
}

/*
 * A primary whose B-tree is out of order (a record on the wrong page:
 * what Berkeley DB was once seen to leave under concurrent inserts and
 * aborts, test-store-threads) is named as such by store_check(), not
 * as a stray entry of some index.  The damage is made by taking a
 * record out and putting it back through a handle that orders keys the
 * other way round.
 */
static void
test_check_order(void)
{
	struct schema	*sc = load_forms();
	const struct table *t = schema_table(sc, "party");
	char		*dir = path("order"), *file;
	struct store	*s;
	struct record	*rec;
	unsigned char	 k1[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	DB		*db;
	DBT		 k, d;
	int		 i, bad = 0, ret;

	if ((s = open_store(dir, sc, 1)) == NULL)
		tap_bail("cannot open the store");
	for (i = 0; i < 3; i++) {
		rec = party_new(t, "person", "Сидоров Андрей", NULL, NULL);
		if (insert(s, rec, "ann") != 0)
			bad++;
		record_free(rec);
	}
	is_int(bad, 0, "order: three inserts: %s", err.data);
	is_int(check(s, t, &err), 0, "order: the table checks: %s",
	    err.data);
	store_close(s);

	/* Record 1 taken out, and put back where the reverse order puts
	 * it: after record 3. */
	xasprintf(&file, "%s/party.db", dir);
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.data = k1;
	k.size = 8;
	d.flags = DB_DBT_MALLOC;
	if ((ret = raw_db(file, NULL, &db)) == 0) {
		if ((ret = db->get(db, NULL, &k, &d, 0)) == 0)
			ret = db->del(db, NULL, &k, 0);
		(void)db->close(db, 0);
	}
	if (ret == 0 && (ret = raw_db(file, reverse_cmp, &db)) == 0) {
		ret = db->put(db, NULL, &k, &d, 0);
		(void)db->close(db, 0);
	}
	free(d.data);
	is_int(ret, 0, "order: a record put out of order: %s",
	    db_strerror(ret));
	free(file);

	if ((s = open_store(dir, sc, 0)) == NULL)
		tap_bail("cannot open the store again");
	ok(check(s, t, &err) == -1 && strstr(err.data, "party 1 after 3") !=
	    NULL && strstr(err.data, "party.db") != NULL &&
	    strstr(err.data, "out of order") != NULL,
	    "store_check names the record out of order and the file: %s",
	    err.data);
	store_close(s);
	free(dir);
	schema_free(sc);
}

int
main(void)
{
	const char	*tmp = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test-store.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		tap_bail("mkdtemp");
	setenv("CLERK_NOW", "2026-03-01 10:00:00", 1);
	test_open_errors();
	test_forms_change();
	test_party();
	test_pages();
	test_scan();
	test_oneread();
	test_fetch();
	test_lookup();
	test_own_writes();
	test_ids_reopen();
	test_check_order();
	test_cache_auto();
	test_search_brute();
	test_pages_brute();
	rm_rf(tmpdir);
	buf_release(&err);
	return (tap_done());
}
