/*
 * crash-writer: the victim of test-store-crash.  Opens the store in DIR
 * with real, synchronous commits and writes batches of 1,000 party
 * records, one transaction per batch, numbered from FIRST on, forever.
 * Every record carries its batch number in `source` ("batch-N") and its
 * place in the batch in `notes` ("batch N record I").  After each commit
 * it appends "N\n" to REPORT with one write(2), so whatever the file
 * holds when the process is killed was committed.  It prints nothing
 * unless something fails (then a message on stderr and exit 1): the
 * test kills it with SIGKILL at random moments and checks what survived.
 *
 *	crash-writer DIR FIRST REPORT
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "party-gen.h"

#define BATCH	1000

static struct table *party;

struct batch {
	unsigned	 no;
	struct record	*recs[BATCH];
};

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "crash-writer: %s: %s\n", what, msg);
	exit(1);
}

static void
set(struct record *rec, const char *name, const char *value)
{
	struct buf	 err = BUF_INIT;
	ssize_t		 pos;

	if ((pos = table_field_pos(rec->table, name)) < 0)
		die(name, "no such field in table 'party'");
	if (record_parse(rec, (size_t)pos, value, &err) == -1)
		die(value, err.data);
	buf_release(&err);
}

static const char *cities[] = { "Москва", "Тверь", "Казань", "Самара",
    "Омск" };
static const char *statuses[] = { "lead", "active", "inactive" };

static struct record *
make(unsigned batch, unsigned i)
{
	struct record	*rec = record_new(party);
	unsigned	 k = batch * BATCH + i, n = k % 10000000;
	char		 s[200], inn[16];

	record_defaults(rec);
	if (i % 2) {
		set(rec, "kind", "org");
		snprintf(s, sizeof(s), "ООО «Партия %u-%u»", batch, i);
		set(rec, "name", s);
		make_inn10(inn, k);
		set(rec, "inn", inn);
		set(rec, "kpp", "690101001");
	} else {
		set(rec, "kind", "person");
		snprintf(s, sizeof(s), "Писарев Фёдор %u-%u", batch, i);
		set(rec, "name", s);
	}
	set(rec, "city", cities[k % nitems(cities)]);
	snprintf(s, sizeof(s), "+7 916 %03u-%02u-%02u", n / 10000,
	    n / 100 % 100, n % 100);
	set(rec, "phones", s);
	snprintf(s, sizeof(s), "w%u@example.ru", k);
	set(rec, "emails", s);
	set(rec, "status", statuses[k % nitems(statuses)]);
	snprintf(s, sizeof(s), "batch-%u", batch);
	set(rec, "source", s);
	snprintf(s, sizeof(s), "batch %u record %u", batch, i);
	set(rec, "notes", s);
	set(rec, "tags", i % 7 ? "crash" : "crash; vip");
	return (rec);
}

static int
write_batch(struct store_txn *txn, void *arg, struct buf *err)
{
	struct batch	*b = arg;
	unsigned	 i;

	for (i = 0; i < BATCH; i++) {
		b->recs[i]->id = 0;
		b->recs[i]->rev = 0;
		if (store_insert(txn, b->recs[i], "crash", err) != 0)
			return (-1);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	struct store_options	 opt;
	struct schema		*schema;
	struct store		*st;
	struct batch		 b;
	struct buf		 err = BUF_INIT;
	const char		*forms = getenv("CLERK_FORMS");
	char			 line[32];
	unsigned		 i;
	int			 fd, len;

	if (argc != 4) {
		fprintf(stderr, "usage: crash-writer dir first report\n");
		return (2);
	}
	if (forms == NULL)
		forms = TOP_SRCDIR "/forms";
	schema = schema_new();
	if (schema_load(schema, forms, &err) != 0 ||
	    schema_check(schema, &err) != 0)
		die(forms, err.data);
	if ((party = schema_table(schema, "party")) == NULL)
		die(forms, "no table 'party'");
	if ((fd = open(argv[3], O_WRONLY | O_APPEND | O_CREAT, 0644)) == -1)
		die(argv[3], strerror(errno));

	memset(&opt, 0, sizeof(opt));
	opt.flags = STORE_CREATE;	/* commits are flushed: no NOSYNC */
	if (store_open(&st, argv[1], schema, &opt, &err) != 0)
		die(argv[1], err.data);

	for (b.no = (unsigned)strtoul(argv[2], NULL, 10);; b.no++) {
		for (i = 0; i < BATCH; i++)
			b.recs[i] = make(b.no, i);
		if (store_txn_run(st, 0, write_batch, &b, &err) != 0)
			die("batch", err.data);
		/* Committed: say so in one write, so the report is never torn. */
		len = snprintf(line, sizeof(line), "%u\n", b.no);
		if (write(fd, line, (size_t)len) != len)
			die(argv[3], strerror(errno));
		for (i = 0; i < BATCH; i++)
			record_free(b.recs[i]);
	}
	/* NOTREACHED */
}
