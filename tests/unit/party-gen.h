/*
 * party-gen.h: helpers shared by the store stress tests and their
 * crash-writer: a cheap random generator, valid ИНН and ОГРН numbers
 * made from a counter, setting a party field by name, making and
 * removing a test folder, loading the forms, and the key/data pairs of
 * a database file (where <db.h> was included first).  Header-only (static inline) so each program still
 * builds from its own .c file; it owns no state.  The helpers that
 * report through TAP exist only where tap.h was included first, because
 * crash-writer must not print TAP.
 */
#ifndef CLERK_PARTY_GEN_H
#define CLERK_PARTY_GEN_H

#include <sys/types.h>
#include <sys/stat.h>

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static inline uint32_t
rnd(uint32_t *s)
{
	/* xorshift32: per-thread state, no locking, good enough for data. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/* A 10-digit organisation INN from k (unique for k < 10^7). */
static inline void
make_inn10(char *out, unsigned k)
{
	static const int w[] = { 2, 4, 10, 3, 5, 9, 4, 6, 8 };
	int	 s = 0, i;

	snprintf(out, 11, "77%07u", k % 10000000);
	for (i = 0; i < 9; i++)
		s += (out[i] - '0') * w[i];
	out[9] = '0' + s % 11 % 10;
	out[10] = '\0';
}

/* A 12-digit personal INN from k (unique for k < 10^8). */
static inline void
make_inn12(char *out, unsigned k)
{
	static const int w11[] = { 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
	static const int w12[] = { 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
	int	 s = 0, i;

	snprintf(out, 13, "50%08u", k % 100000000);
	for (i = 0; i < 10; i++)
		s += (out[i] - '0') * w11[i];
	out[10] = '0' + s % 11 % 10;
	for (s = 0, i = 0; i < 11; i++)
		s += (out[i] - '0') * w12[i];
	out[11] = '0' + s % 11 % 10;
	out[12] = '\0';
}

/* ОГРН (13 digits) or, when ip, ОГРНИП (15 digits) from k. */
static inline void
make_ogrn(char *out, unsigned k, int ip)
{
	unsigned long long n;

	if (ip) {
		snprintf(out, 16, "30477%09u", k % 1000000000);
		n = strtoull(out, NULL, 10);
		out[14] = '0' + (int)(n % 13 % 10);
		out[15] = '\0';
	} else {
		snprintf(out, 14, "10277%07u", k % 10000000);
		n = strtoull(out, NULL, 10);
		out[12] = '0' + (int)(n % 11 % 10);
		out[13] = '\0';
	}
}

static inline int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

static inline void
rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#ifdef DB_VERSION_MAJOR
/* Every key/data pair of a database file, in its order, into out. */
static inline int
dump_file(const char *path, struct buf *out)
{
	DB	*db;
	DBC	*c;
	DBT	 k, d;
	int	 ret;

	if ((ret = db_create(&db, NULL, 0)) != 0)
		return (ret);
	if ((ret = db->open(db, NULL, path, NULL, DB_UNKNOWN, DB_RDONLY,
	    0)) != 0 || (ret = db->cursor(db, NULL, &c, 0)) != 0) {
		db->close(db, 0);
		return (ret);
	}
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	while ((ret = c->get(c, &k, &d, DB_NEXT)) == 0) {
		buf_add(out, &k.size, sizeof(k.size));
		buf_add(out, k.data, k.size);
		buf_add(out, &d.size, sizeof(d.size));
		buf_add(out, d.data, d.size);
	}
	c->close(c);
	db->close(db, 0);
	return (ret == DB_NOTFOUND ? 0 : ret);
}
#endif

#ifdef CLERK_TAP_H
/* Field name of rec from its text form; a bad value bails out. */
static inline void
set(struct record *rec, const char *name, const char *value)
{
	struct buf	 err = BUF_INIT;
	ssize_t		 pos;

	if ((pos = table_field_pos(rec->table, name)) < 0) {
		diag("party has no field '%s'", name);
		tap_bail("forms/party.form is not what the test expects");
	}
	if (record_parse(rec, (size_t)pos, value, &err) == -1) {
		diag("field '%s' = '%s': %s", name, value, err.data);
		tap_bail("cannot build a test record");
	}
	buf_release(&err);
}

/* Make a fresh folder $TMPDIR/clerk-name-XXXXXX (or under /tmp) in dir. */
static inline void
tmp_folder(char *dir, size_t size, const char *name)
{
	const char	*tmp = getenv("TMPDIR");

	snprintf(dir, size, "%s/clerk-%s-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp", name);
	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp failed");
}

/*
 * The schema of the forms in $CLERK_FORMS (else the source tree's),
 * checked, and its table party in *party; bails out if either fails.
 */
static inline struct schema *
party_schema(struct table **party)
{
	const char	*forms = getenv("CLERK_FORMS");
	struct schema	*schema;
	struct buf	 err = BUF_INIT;

	if (forms == NULL)
		forms = TOP_SRCDIR "/forms";
	schema = schema_new();
	if (schema_load(schema, forms, &err) != 0 ||
	    schema_check(schema, &err) != 0) {
		diag("%s", err.data);
		tap_bail("cannot load the forms");
	}
	if ((*party = schema_table(schema, "party")) == NULL)
		tap_bail("no table 'party' in the forms");
	buf_release(&err);
	return (schema);
}
#endif

#endif
