/*
 * test-store-pack: the index of a field kept packed, many entries to a
 * B-tree item: a `shared' field's in the word index's format (pack.c,
 * words.c: a key's ids in ascending chunks under key NUL bound), any
 * other's in runs (runs.c: (key, id) pairs in order under the first's
 * key NUL id).  Table item has grp (folded text), code (int), tags
 * (multi) and up (a ref to item), 3,000 of its first 3,600 records
 * under grp "a" (several chunks) and 1,200 under code 7; table note
 * refers to item through a ref index, 1,200 notes to one item.  Inserted
 * in several transactions, then moved between keys (some back and forth
 * in one transaction, some read in the middle of it), archived,
 * restored, purged (a run of ids that empties whole chunks) and inserted
 * again; a model kept here says what every reader must give:
 *
 * - the file holds chunks or runs made so (bounds, order, sizes,
 *   varints), exactly the model's (key, id) pairs, and no duplicates;
 * - store_lookup() gives a key's ids ascending (max below the count, a
 *   missing key, "a" against "ab" that it is a prefix of);
 * - store_page(), store_page_each() (with the helper thread and
 *   without) and store_keys() walk from the ends and from positions in
 *   and around keys, chunks and runs (a chunk's first id, its bound, its
 *   middle, its last, a run's first, middle and last pairs, past a key's
 *   last id, UINT64_MAX), both ways, with STORE_PAGE_FROM and without;
 * - store_key_share() counts a small index exactly and estimates a
 *   large one as its chunks or runs weigh;
 * - store_referrers() and store_purge()'s refusal see the references
 *   through the packed ref indexes (a record's to itself not counted);
 * - store_check() and Berkeley DB's verification accept it all, and
 *   store_check() finds an id put under the wrong key, one missing and
 *   a damaged chunk or run.
 *
 * All of it twice: with `shared' (chunks), then in a new store without
 * it (runs, written by runs_apply() in the transactions).  A bulk load
 * (store_load()) of the same rows writes the packed files byte for byte
 * as inserts in one transaction do, and in many small batches the same
 * pairs.  A form without `shared' makes the next open rebuild the
 * indexes in runs, and with it again in chunks, the readers giving the
 * same throughout.  Last, walks in read committed while another thread's
 * inserts cut the runs under them give each pair once, in order.  Looks
 * inside the store (store_int.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"
#include "tap.h"
#include "party-gen.h"

#define NITEM		3600	/* the first items */
#define NMORE		300	/* inserted after the purges */
#define NNOTE		1800
#define CHUNK_MAX	960	/* words.c's: no chunk is bigger */
#define RUN_MAX		960	/* runs.c's: a run of two pairs or more */
#define BIG		100000	/* a walk of the whole index */
#define KEYMAX		16

static struct buf	 err = BUF_INIT;
static char		 top[256];
static struct schema	*sc;
static const struct table *item, *note;
static size_t		 f_name, f_grp, f_code, f_tags, f_up, f_title, f_item;
static struct store	*st;

/*
 * The model.  Item i was typed as row_grp(i), row_code(i) and
 * row_tags(i), then changed; grp is the folded key ("" none).
 */
struct mitem {
	uint64_t	 id;
	char		 grp[4];
	int64_t		 code;
	unsigned	 tags;		/* TAG_* */
	size_t		 up;		/* 1 + the items[] it refers to; 0 */
	int		 archived, gone;
};
#define TAG_X	1
#define TAG_Y	2
#define TAG_Z	4
static struct mitem	 items[NITEM + NMORE];
static size_t		 nitems;

struct mnote {
	uint64_t	 id;
	size_t		 item;		/* items[] */
	int		 gone;
};
static struct mnote	 notes[NNOTE];

/* (key, id) pairs in index order. */
struct pair {
	unsigned char	 key[KEYMAX];
	size_t		 klen;
	uint64_t	 id;
	int		 archived;
};
struct pairs {
	struct pair	*v;
	size_t		 n, alloc;
};

/* The packed indexes. */
enum { X_GRP, X_CODE, X_REF, X_TAGS, NX };
static const struct ixd {
	const char	*ix;
	const char	*file;
	const char	*what;
} ixds[NX] = {
	{ "grp", "item.grp.folded.db", "grp (folded text)" },
	{ "code", "item.code.exact.db", "code (int)" },
	{ "item", "note.item.exact.db", "note's ref to item" },
	{ "tags", "item.tags.folded.db", "tags (multi)" },
};

static const struct table *
ix_table(int x)
{
	return (x == X_REF ? note : item);
}

/* The forms, with `shared' or without, in a folder of their own. */
static struct schema *
load_schema(int shared)
{
	const char	*sh = shared ? " shared" : "";
	struct schema	*s = schema_new();
	struct buf	 text = BUF_INIT;
	char		*dir, *path;
	FILE		*fp;
	int		 i;

	xasprintf(&dir, "%s/forms-%s", top, shared ? "shared" : "plain");
	(void)mkdir(dir, 0700);
	for (i = 0; i < 2; i++) {
		buf_reset(&text);
		if (i == 0) {
			buf_adds(&text, "table item \"Item\" \"Товар\" "
			    "\"Items\" \"Товары\"\n"
			    "field name text(40) required index folded "
			    "\"Name\" \"Имя\"\n");
			buf_printf(&text, "field grp text(20) index folded%s "
			    "\"Group\" \"Группа\"\n", sh);
			buf_printf(&text, "field code int index exact%s "
			    "\"Code\" \"Код\"\n", sh);
			buf_printf(&text, "field tags text(40) multi index "
			    "folded%s \"Tags\" \"Метки\"\n", sh);
			buf_printf(&text, "field up ref(item) index exact%s "
			    "\"Up\" \"Выше\"\n", sh);
			buf_adds(&text, "field memo text(2000) index exact "
			    "\"Memo\" \"Памятка\"\n");
		} else {
			buf_adds(&text, "table note \"Note\" \"Заметка\" "
			    "\"Notes\" \"Заметки\"\n"
			    "field title text(40) \"Title\" \"Заголовок\"\n");
			buf_printf(&text, "field item ref(item) index exact%s "
			    "\"Item\" \"Товар\"\n", sh);
		}
		xasprintf(&path, "%s/%s.form", dir, i == 0 ? "item" : "note");
		if ((fp = fopen(path, "w")) == NULL ||
		    fwrite(text.data, 1, text.len, fp) != text.len ||
		    fclose(fp) != 0)
			tap_bail("cannot write a form");
		free(path);
	}
	buf_reset(&err);
	if (schema_load(s, dir, &err) == -1 || schema_check(s, &err) == -1) {
		diag("forms: %s", err.data);
		tap_bail("cannot load the forms");
	}
	item = schema_table(s, "item");
	note = schema_table(s, "note");
	if (item == NULL || note == NULL)
		tap_bail("the forms have no item or note");
	f_name = (size_t)table_field_pos(item, "name");
	f_grp = (size_t)table_field_pos(item, "grp");
	f_code = (size_t)table_field_pos(item, "code");
	f_tags = (size_t)table_field_pos(item, "tags");
	f_up = (size_t)table_field_pos(item, "up");
	f_title = (size_t)table_field_pos(note, "title");
	f_item = (size_t)table_field_pos(note, "item");
	buf_release(&text);
	free(dir);
	return (s);
}

static struct store *
open_store(const char *dir)
{
	struct store_options o = { 16, STORE_NOSYNC | STORE_CREATE, 0 };
	struct store	*s;

	buf_reset(&err);
	if (store_open(&s, dir, sc, &o, &err) == -1) {
		diag("store_open %s: %s", dir, err.data);
		tap_bail("cannot open the store");
	}
	return (s);
}

/* Rows. */

/* Item i's group as typed (NULL: none); "A" and "Ab" fold to keys
 * others have, "ab" and "a" are a key and its prefix. */
static const char *
row_grp(size_t i)
{
	static const char *few[] = { "ab", "B", "ba", "Ab", NULL };

	if (i % 6 != 5)
		return (i % 12 == 1 ? "A" : "a");
	return (few[(i / 6) % 5]);
}

static int64_t
row_code(size_t i)
{
	return (i % 3 == 0 ? 7 : (int64_t)(i % 397) - 150);
}

/* Item i's tags as typed, one a line ("x" twice in one record, once
 * folded), and as the model keeps them. */
static const char *
row_tags(size_t i, unsigned *mask)
{
	static const char *typed[] = { "x", "x\nY", "y\nz", NULL, "x",
	    "x\nY", "y\nz", "x\nX" };
	static const unsigned masks[] = { TAG_X, TAG_X | TAG_Y,
	    TAG_Y | TAG_Z, 0, TAG_X, TAG_X | TAG_Y, TAG_Y | TAG_Z, TAG_X };

	*mask = masks[i % 8];
	return (typed[i % 8]);
}

/* Tags typed for a mask. */
static const char *
mask_tags(unsigned mask)
{
	static const char *typed[] = { NULL, "x", "Y", "x\ny", "z", "x\nz",
	    "y\nZ", "z\ny\nx" };

	return (typed[mask & 7]);
}

static void
fold(char *out, const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && s[i] != '\0' && i < 3; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' :
		    s[i]);
	out[i] = '\0';
}

static void
item_row(struct record *rec, size_t i)
{
	char		 name[32];
	const char	*g = row_grp(i);
	unsigned	 mask;

	record_reset(rec);
	snprintf(name, sizeof(name), "item %zu", i);
	record_set_text(rec, f_name, name, strlen(name));
	if (g != NULL)
		record_set_text(rec, f_grp, g, strlen(g));
	record_set_int(rec, f_code, row_code(i));
	if ((g = row_tags(i, &mask)) != NULL)
		record_set_text(rec, f_tags, g, strlen(g));
}

/* Note j's item: 10 (1,200 notes), 11 (300), or one of 100..399. */
static size_t
note_item(size_t j)
{
	if (j < 1200)
		return (10);
	if (j < 1500)
		return (11);
	return (100 + (j - 1500));
}

static void
note_row(struct record *rec, size_t j, uint64_t itemid)
{
	char	title[32];

	record_reset(rec);
	snprintf(title, sizeof(title), "note %zu", j);
	record_set_text(rec, f_title, title, strlen(title));
	record_set_int(rec, f_item, (int64_t)itemid);
}

/* Inserts: rows [from, to) of items (itemids NULL) or of notes. */
struct span {
	size_t		 from, to;
	uint64_t	*ids;		/* the ids given */
	const uint64_t	*itemids;	/* notes: their items' ids */
};

static int
insert_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct span	*sp = arg;
	struct record	*rec = record_new(sp->itemids != NULL ? note : item);
	size_t		 i;
	int		 r = 0;

	for (i = sp->from; i < sp->to && r == 0; i++) {
		if (sp->itemids != NULL)
			note_row(rec, i, sp->itemids[note_item(i)]);
		else
			item_row(rec, i);
		if ((r = store_insert(t, rec, "test", e)) == 0)
			sp->ids[i] = rec->id;
	}
	record_free(rec);
	return (r == 0 ? 0 : -1);
}

static void
insert_items(size_t from, size_t to)
{
	static uint64_t	 ids[NITEM + NMORE];
	struct span	 sp = { from, to, ids, NULL };
	size_t		 i;

	buf_reset(&err);
	if (store_txn_run(st, 0, insert_txn, &sp, &err) != 0) {
		diag("%s", err.data);
		tap_bail("cannot insert the items");
	}
	for (i = from; i < to; i++) {
		items[i].id = ids[i];
		fold(items[i].grp, row_grp(i));
		items[i].code = row_code(i);
		(void)row_tags(i, &items[i].tags);
		items[i].up = 0;
		items[i].archived = items[i].gone = 0;
	}
	if (to > nitems)
		nitems = to;
}

static void
insert_notes(size_t from, size_t to)
{
	static uint64_t	 ids[NNOTE], itemids[NITEM];
	struct span	 sp = { from, to, ids, itemids };
	size_t		 i;

	for (i = 0; i < NITEM; i++)
		itemids[i] = items[i].id;
	buf_reset(&err);
	if (store_txn_run(st, 0, insert_txn, &sp, &err) != 0) {
		diag("%s", err.data);
		tap_bail("cannot insert the notes");
	}
	for (i = from; i < to; i++) {
		notes[i].id = ids[i];
		notes[i].item = note_item(i);
		notes[i].gone = 0;
	}
}

/* Changes, run in one transaction and then made to the model. */
enum ch {
	CH_GRP, CH_CODE, CH_TAGS, CH_UP, CH_ARCHIVE, CH_RESTORE, CH_PURGE,
	CH_NOTE_PURGE,
	CH_TEMP,	/* an item in "a" inserted and purged */
	CH_READ		/* the indexes read (the queue written) */
};
struct change {
	enum ch		 what;
	size_t		 i;		/* items[] or notes[] */
	const char	*grp;		/* CH_GRP, as typed; NULL none */
	int64_t		 code;		/* CH_CODE; CH_TAGS: TAG_*;
					 * CH_UP: items[] */
};
struct changes {
	struct change	*v;
	size_t		 n, alloc;
};

static void
ch_add(struct changes *cs, enum ch what, size_t i, const char *grp,
    int64_t code)
{
	if (cs->n == cs->alloc) {
		cs->alloc = cs->alloc ? cs->alloc * 2 : 256;
		cs->v = xreallocarray(cs->v, cs->alloc, sizeof(*cs->v));
	}
	cs->v[cs->n].what = what;
	cs->v[cs->n].i = i;
	cs->v[cs->n].grp = grp;
	cs->v[cs->n++].code = code;
}

static int
change_one(struct store_txn *t, const struct change *c, struct buf *e)
{
	struct record	*rec;
	struct buf	 k = BUF_INIT;
	const char	*tags = mask_tags((unsigned)c->code);
	uint64_t	 ids[16];
	size_t		 n;
	int		 r;

	switch (c->what) {
	case CH_GRP:
	case CH_CODE:
	case CH_TAGS:
	case CH_UP:
		if ((r = store_get(t, item, items[c->i].id, &rec, e)) != 0)
			return (r);
		if (c->what == CH_UP)
			record_set_int(rec, f_up,
			    (int64_t)items[c->code].id);
		else if (c->what == CH_CODE)
			record_set_int(rec, f_code, c->code);
		else if (c->what == CH_TAGS && tags == NULL)
			record_clear(rec, f_tags);
		else if (c->what == CH_TAGS)
			record_set_text(rec, f_tags, tags, strlen(tags));
		else if (c->grp == NULL)
			record_clear(rec, f_grp);
		else
			record_set_text(rec, f_grp, c->grp, strlen(c->grp));
		r = store_update(t, rec, rec->rev, "test", e);
		record_free(rec);
		return (r);
	case CH_ARCHIVE:
		return (store_archive(t, item, items[c->i].id, "test", e));
	case CH_RESTORE:
		return (store_restore(t, item, items[c->i].id, "test", e));
	case CH_PURGE:
		return (store_purge(t, item, items[c->i].id, "test", e));
	case CH_NOTE_PURGE:
		return (store_purge(t, note, notes[c->i].id, "test", e));
	case CH_TEMP:
		rec = record_new(item);
		item_row(rec, 0);
		if ((r = store_insert(t, rec, "test", e)) == 0)
			r = store_purge(t, item, rec->id, "test", e);
		record_free(rec);
		return (r);
	case CH_READ:
		index_int_key(&k, 7);
		r = store_lookup(t, item, "grp", "b", 1, ids, 16, &n, e) < 0 ||
		    store_lookup(t, item, "code", k.data, k.len, ids, 16, &n,
		    e) < 0 ? -1 : 0;
		buf_release(&k);
		return (r);
	}
	return (-1);
}

static int
changes_txn(struct store_txn *t, void *arg, struct buf *e)
{
	const struct changes *cs = arg;
	size_t		 i;
	int		 r;

	for (i = 0; i < cs->n; i++)
		if ((r = change_one(t, &cs->v[i], e)) != 0) {
			if (e->len == 0)
				buf_printf(e, "change %zu gave %d", i, r);
			return (-1);
		}
	return (0);
}

static void
model_change(const struct change *c)
{
	switch (c->what) {
	case CH_GRP:
		fold(items[c->i].grp, c->grp);
		break;
	case CH_CODE:
		items[c->i].code = c->code;
		break;
	case CH_TAGS:
		items[c->i].tags = (unsigned)c->code;
		break;
	case CH_UP:
		items[c->i].up = (size_t)c->code + 1;
		break;
	case CH_ARCHIVE:
		items[c->i].archived = 1;
		break;
	case CH_RESTORE:
		items[c->i].archived = 0;
		break;
	case CH_PURGE:
		items[c->i].gone = 1;
		break;
	case CH_NOTE_PURGE:
		notes[c->i].gone = 1;
		break;
	case CH_TEMP:
	case CH_READ:
		break;
	}
}

static void
run_changes(struct changes *cs, const char *what)
{
	size_t	i;
	int	r;

	buf_reset(&err);
	r = store_txn_run(st, 0, changes_txn, cs, &err);
	if (!ok(r == 0, "%s: %zu changes in one transaction", what, cs->n))
		diag("%s", err.data);
	if (r == 0)
		for (i = 0; i < cs->n; i++)
			model_change(&cs->v[i]);
	cs->n = 0;
}

/* Pairs. */

static void
pair_add(struct pairs *p, const void *key, size_t klen, uint64_t id,
    int archived)
{
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 1024;
		p->v = xreallocarray(p->v, p->alloc, sizeof(*p->v));
	}
	if (klen > KEYMAX)
		klen = KEYMAX;
	if (klen != 0)
		memcpy(p->v[p->n].key, key, klen);
	p->v[p->n].klen = klen;
	p->v[p->n].id = id;
	p->v[p->n++].archived = archived;
}

static void
pairs_free(struct pairs *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* Keys in B-tree order: bytes, then length. */
static int
key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	size_t	n = alen < blen ? alen : blen;
	int	c = n != 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return (c);
	return (alen < blen ? -1 : alen > blen);
}

/* A pair against the position (key, id). */
static int
pos_cmp(const struct pair *p, const void *key, size_t klen, uint64_t id)
{
	int	c = key_cmp(p->key, p->klen, key, klen);

	if (c != 0)
		return (c);
	return (p->id < id ? -1 : p->id > id);
}

static int
pair_qcmp(const void *a, const void *b)
{
	const struct pair *y = b;

	return (pos_cmp(a, y->key, y->klen, y->id));
}

/* The pairs index x should hold, in order. */
static void
model_pairs(int x, struct pairs *p)
{
	struct buf	 k = BUF_INIT;
	size_t		 i;

	p->n = 0;
	if (x == X_REF) {
		for (i = 0; i < NNOTE; i++) {
			if (notes[i].gone)
				continue;
			buf_reset(&k);
			index_int_key(&k, (int64_t)items[notes[i].item].id);
			pair_add(p, k.data, k.len, notes[i].id, 0);
		}
	} else
		for (i = 0; i < nitems; i++) {
			if (items[i].gone)
				continue;
			if (x == X_TAGS) {
				if (items[i].tags & TAG_X)
					pair_add(p, "x", 1, items[i].id,
					    items[i].archived);
				if (items[i].tags & TAG_Y)
					pair_add(p, "y", 1, items[i].id,
					    items[i].archived);
				if (items[i].tags & TAG_Z)
					pair_add(p, "z", 1, items[i].id,
					    items[i].archived);
				continue;
			}
			if (x == X_GRP) {
				if (items[i].grp[0] != '\0')
					pair_add(p, items[i].grp,
					    strlen(items[i].grp), items[i].id,
					    items[i].archived);
				continue;
			}
			buf_reset(&k);
			index_int_key(&k, items[i].code);
			pair_add(p, k.data, k.len, items[i].id,
			    items[i].archived);
		}
	qsort(p->v, p->n, sizeof(*p->v), pair_qcmp);
	buf_release(&k);
}

/* A key as text: "a", or an int key's number. */
static void
key_text(struct buf *b, int x, const void *key, size_t klen)
{
	const unsigned char *p = key;
	size_t		 i;

	if (key == NULL) {
		buf_adds(b, "(none)");
		return;
	}
	if ((x == X_CODE || x == X_REF) && klen == 8) {
		buf_printf(b, "%lld", (long long)index_int_unkey(key));
		return;
	}
	buf_addch(b, '"');
	for (i = 0; i < klen; i++)
		if (p[i] >= 0x20 && p[i] < 0x7f)
			buf_addch(b, (char)p[i]);
		else
			buf_printf(b, "\\x%02x", p[i]);
	buf_addch(b, '"');
}

/*
 * The file of an index, read with Berkeley DB: its pairs and, packed,
 * its chunks, each checked as words.c makes them.
 */
struct chunk {
	unsigned char	 key[KEYMAX];
	size_t		 klen;
	uint64_t	 bound, first, mid, last;
	size_t		 nids, bytes;
	/* A run's: the keys of its middle and last pairs (key and first
	 * are its first pair's). */
	unsigned char	 mkey[KEYMAX], lkey[KEYMAX];
	size_t		 mklen, lklen;
};
struct dump {
	struct pairs	 p;
	struct chunk	*c;
	size_t		 nc, ac;
	int		 dup;		/* sorted duplicates */
	int		 packed;	/* store_index.packed */
	size_t		 bad;
	struct buf	 why;		/* the first thing wrong */
};

static void __attribute__((format(printf, 2, 3)))
dump_bad(struct dump *d, const char *fmt, ...)
{
	va_list	ap;
	char	msg[256];

	if (d->bad++ != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_adds(&d->why, msg);
}

/* A chunk's ids, LEB128 varints of the first and of each difference
 * (read here, not by words.c). */
static size_t
chunk_ids(const unsigned char *p, size_t len, uint64_t *ids, int *bad)
{
	uint64_t	 v, id = 0;
	unsigned	 shift;
	size_t		 i = 0, n = 0;

	while (i < len) {
		v = 0;
		shift = 0;
		for (;;) {
			if (i == len || shift > 63) {
				*bad = 1;
				return (n);
			}
			v |= (uint64_t)(p[i] & 0x7f) << shift;
			if (!(p[i++] & 0x80))
				break;
			shift += 7;
		}
		if (n != 0 && v == 0)
			*bad = 1;
		id = n == 0 ? v : id + v;
		ids[n++] = id;
	}
	return (n);
}

/* A varint at p[*i] (read here, not by runs.c): 0, or -1 past len. */
static int
varint(const unsigned char *p, size_t len, size_t *i, uint64_t *v)
{
	unsigned	shift = 0;

	*v = 0;
	for (;;) {
		if (*i == len || shift > 63)
			return (-1);
		*v |= (uint64_t)(p[*i] & 0x7f) << shift;
		if (!(p[(*i)++] & 0x80))
			return (0);
		shift += 7;
	}
}

static struct chunk *
dump_chunk(struct dump *d)
{
	if (d->nc == d->ac) {
		d->ac = d->ac ? d->ac * 2 : 256;
		d->c = xreallocarray(d->c, d->ac, sizeof(*d->c));
	}
	memset(&d->c[d->nc], 0, sizeof(*d->c));
	return (&d->c[d->nc++]);
}

/*
 * A run of an index in runs (runs.c): under its first pair's key NUL
 * id, its pairs each as varints of the bytes shared with the key before,
 * of the rest's length, the rest, and a varint of the id; in order, after
 * the run before, at most RUN_MAX bytes unless a single pair.
 */
static void
dump_run(struct dump *d, const unsigned char *kp, size_t ksize,
    const unsigned char *p, size_t len)
{
	unsigned char	 key[KEYMAX];
	struct chunk	*ch;
	struct pair	*prev;
	uint64_t	 shared, rest, id, bound;
	size_t		 i = 0, klen = 0, n = 0, first = d->p.n, tl;

	if (ksize < 10 || ksize - 9 > KEYMAX || kp[ksize - 9] != 0) {
		dump_bad(d, "a B-tree key of %zu bytes, not key NUL id",
		    ksize);
		return;
	}
	tl = ksize - 9;
	bound = store_id_unkey(kp + tl + 1);
	while (i < len) {
		if (varint(p, len, &i, &shared) == -1 ||
		    varint(p, len, &i, &rest) == -1 || shared > klen ||
		    (n == 0 && shared != 0) || shared + rest > KEYMAX ||
		    rest > len - i) {
			dump_bad(d, "run %zu: damaged at byte %zu", d->nc, i);
			return;
		}
		memcpy(key + shared, p + i, rest);
		klen = shared + rest;
		i += rest;
		if (varint(p, len, &i, &id) == -1) {
			dump_bad(d, "run %zu: an id cut short", d->nc);
			return;
		}
		prev = d->p.n != 0 ? &d->p.v[d->p.n - 1] : NULL;
		if (prev != NULL && pos_cmp(prev, key, klen, id) >= 0)
			dump_bad(d, "run %zu: pair %zu not after the one "
			    "before", d->nc, n);
		pair_add(&d->p, key, klen, id, 0);
		n++;
	}
	if (n == 0) {
		dump_bad(d, "run %zu: empty", d->nc);
		return;
	}
	if (pos_cmp(&d->p.v[first], kp, tl, bound) != 0)
		dump_bad(d, "run %zu: its B-tree key is not its first pair",
		    d->nc);
	if (len > RUN_MAX && n > 1)
		dump_bad(d, "run %zu: %zu bytes, over %d", d->nc, len,
		    RUN_MAX);
	ch = dump_chunk(d);
	memcpy(ch->key, kp, tl);
	ch->klen = tl;
	ch->bound = ch->first = bound;
	ch->mid = d->p.v[first + n / 2].id;
	memcpy(ch->mkey, d->p.v[first + n / 2].key, d->p.v[first + n / 2].klen);
	ch->mklen = d->p.v[first + n / 2].klen;
	ch->last = id;
	memcpy(ch->lkey, key, klen);
	ch->lklen = klen;
	ch->nids = n;
	ch->bytes = len;
}

static struct store_index *
ix_of(struct store *s, int x)
{
	struct store_table *t = store_table_get(s, ix_table(x));

	return (t != NULL ? store_index_find(t, ixds[x].ix, 0) : NULL);
}

static void
dump_index(struct store *s, int x, struct dump *d)
{
	struct store_index *ix;
	struct chunk	*ch, *prev;
	u_int32_t	 flags = 0;
	uint64_t	*ids = NULL, bound;
	size_t		 aids = 0, n, i, klen;
	const unsigned char *kp;
	DBC		*c;
	DBT		 k, v;
	int		 bad, ret;

	d->p.n = 0;
	d->nc = 0;
	d->bad = 0;
	buf_reset(&d->why);
	/* Every entry written behind the commits first (defer.c). */
	buf_reset(&err);
	if (store_settle(s, &err) != 0)
		dump_bad(d, "store_settle: %s", err.data);
	if ((ix = ix_of(s, x)) == NULL) {
		dump_bad(d, "no index %s", ixds[x].ix);
		return;
	}
	d->packed = ix->packed;
	if (ix->db->get_flags(ix->db, &flags) != 0)
		dump_bad(d, "cannot read the flags");
	d->dup = (flags & DB_DUP) != 0;
	if (ix->db->cursor(ix->db, NULL, &c, 0) != 0)
		tap_bail("cannot read an index");
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	while ((ret = c->get(c, &k, &v, DB_NEXT)) == 0) {
		kp = k.data;
		if (d->packed == PACK_RUNS) {
			dump_run(d, k.data, k.size, v.data, v.size);
			continue;
		}
		if (d->dup) {
			if (v.size != 8)
				dump_bad(d, "an entry of %u bytes of data",
				    v.size);
			else
				pair_add(&d->p, k.data, k.size,
				    store_id_unkey(v.data), 0);
			continue;
		}
		if (k.size < 10 || k.size - 9 > KEYMAX ||
		    kp[k.size - 9] != 0) {
			dump_bad(d, "a B-tree key of %u bytes, not key NUL "
			    "bound", k.size);
			continue;
		}
		klen = k.size - 9;
		bound = store_id_unkey(kp + klen + 1);
		if (v.size > aids) {
			aids = v.size;
			ids = xreallocarray(ids, aids, sizeof(*ids));
		}
		bad = 0;
		n = chunk_ids(v.data, v.size, ids, &bad);
		if (bad || n == 0) {
			dump_bad(d, "chunk %zu (bound %llu): damaged varints",
			    d->nc, (unsigned long long)bound);
			continue;
		}
		for (i = 1; i < n; i++)
			if (ids[i] <= ids[i - 1])
				break;
		if (i < n)
			dump_bad(d, "chunk %zu: ids out of order", d->nc);
		if (v.size > CHUNK_MAX)
			dump_bad(d, "chunk %zu: %u bytes, over %d", d->nc,
			    v.size, CHUNK_MAX);
		if (ids[0] < bound)
			dump_bad(d, "chunk %zu: id %llu below its bound %llu",
			    d->nc, (unsigned long long)ids[0],
			    (unsigned long long)bound);
		prev = d->nc != 0 ? &d->c[d->nc - 1] : NULL;
		if (prev != NULL && key_cmp(prev->key, prev->klen, kp,
		    klen) == 0 && prev->last >= bound)
			dump_bad(d, "chunk %zu: bound %llu not past the last "
			    "id before, %llu", d->nc,
			    (unsigned long long)bound,
			    (unsigned long long)prev->last);
		ch = dump_chunk(d);
		memcpy(ch->key, kp, klen);
		ch->klen = klen;
		ch->bound = bound;
		ch->first = ids[0];
		ch->mid = ids[n / 2];
		ch->last = ids[n - 1];
		ch->nids = n;
		ch->bytes = v.size;
		for (i = 0; i < n; i++)
			pair_add(&d->p, kp, klen, ids[i], 0);
	}
	if (ret != DB_NOTFOUND)
		dump_bad(d, "reading: %s", db_strerror(ret));
	c->close(c);
	free(ids);
}

static void
dump_init(struct dump *d)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->why);
}

static void
dump_free(struct dump *d)
{
	pairs_free(&d->p);
	free(d->c);
	buf_release(&d->why);
	dump_init(d);
}

/* The same pairs (archived aside): 1, else 0 with why. */
static int
pairs_same(const struct pairs *a, const struct pairs *b, int x,
    struct buf *why)
{
	size_t	i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (pos_cmp(&a->v[i], b->v[i].key, b->v[i].klen,
		    b->v[i].id) != 0)
			break;
	if (i == a->n && i == b->n)
		return (1);
	buf_printf(why, "%zu pairs against %zu, from pair %zu: ", a->n, b->n,
	    i);
	if (i < a->n) {
		key_text(why, x, a->v[i].key, a->v[i].klen);
		buf_printf(why, ":%llu", (unsigned long long)a->v[i].id);
	} else
		buf_adds(why, "(end)");
	buf_adds(why, " against ");
	if (i < b->n) {
		key_text(why, x, b->v[i].key, b->v[i].klen);
		buf_printf(why, ":%llu", (unsigned long long)b->v[i].id);
	} else
		buf_adds(why, "(end)");
	return (0);
}

/* Positions to walk from: (key, id), key NULL for the ends. */
struct pos {
	int		 nokey;
	unsigned char	 key[KEYMAX];
	size_t		 klen;
	uint64_t	 id;
};
struct poss {
	struct pos	*v;
	size_t		 n, alloc;
};

static void
pos_add(struct poss *ps, const void *key, size_t klen, uint64_t id)
{
	struct pos	*p;

	if (ps->n == ps->alloc) {
		ps->alloc = ps->alloc ? ps->alloc * 2 : 256;
		ps->v = xreallocarray(ps->v, ps->alloc, sizeof(*ps->v));
	}
	p = &ps->v[ps->n++];
	memset(p, 0, sizeof(*p));
	p->nokey = key == NULL;
	if (key != NULL && klen != 0)
		memcpy(p->key, key, klen);
	p->klen = klen;
	p->id = id;
}

static void
pos_int(struct poss *ps, int64_t v, uint64_t id)
{
	struct buf	k = BUF_INIT;

	index_int_key(&k, v);
	pos_add(ps, k.data, k.len, id);
	buf_release(&k);
}

/*
 * In and around the keys of the model (every key of a small index, a
 * sample of a large one's, those of many ids always) and, packed, around
 * every chunk of a key that has several; keys that are not there.
 */
static void
make_positions(int x, const struct pairs *m, const struct dump *d,
    struct poss *ps)
{
	static const char *grp_missing[] = { "", "0", "aa", "abc", "b\001",
	    "bb", "z" };
	const struct pair *p;
	const struct chunk *c;
	size_t		 i, j, k, nkeys = 0, cnt;

	ps->n = 0;
	pos_add(ps, NULL, 0, 0);
	for (i = 0; i < m->n; i = j, nkeys++)
		for (j = i + 1; j < m->n && key_cmp(m->v[j].key, m->v[j].klen,
		    m->v[i].key, m->v[i].klen) == 0; j++)
			;
	for (i = 0, k = 0; i < m->n; i = j, k++) {
		for (j = i + 1; j < m->n && key_cmp(m->v[j].key, m->v[j].klen,
		    m->v[i].key, m->v[i].klen) == 0; j++)
			;
		cnt = j - i;
		if (!(x == X_GRP || x == X_TAGS || k < 3 || k + 2 >= nkeys || k % 50 == 0 ||
		    cnt >= 100))
			continue;
		p = &m->v[i];
		pos_add(ps, p->key, p->klen, 0);
		pos_add(ps, p->key, p->klen, p->id);
		pos_add(ps, p->key, p->klen, p->id + 1);
		pos_add(ps, p->key, p->klen, m->v[i + cnt / 2].id);
		pos_add(ps, p->key, p->klen, m->v[j - 1].id);
		pos_add(ps, p->key, p->klen, m->v[j - 1].id + 1);
		pos_add(ps, p->key, p->klen, UINT64_MAX);
	}
	for (i = 0; d != NULL && d->packed == PACK_RUNS && i < d->nc; i++) {
		/* Around the ends of each run and in its middle. */
		c = &d->c[i];
		pos_add(ps, c->key, c->klen, c->first);
		pos_add(ps, c->key, c->klen, c->first - 1);
		pos_add(ps, c->key, c->klen, c->first + 1);
		pos_add(ps, c->mkey, c->mklen, c->mid);
		pos_add(ps, c->lkey, c->lklen, c->last);
		pos_add(ps, c->lkey, c->lklen, c->last + 1);
	}
	for (i = 0; d != NULL && d->packed == PACK_CHUNKS && i < d->nc; i++) {
		c = &d->c[i];
		if (!((i > 0 && key_cmp(c->key, c->klen, d->c[i - 1].key,
		    d->c[i - 1].klen) == 0) || (i + 1 < d->nc &&
		    key_cmp(c->key, c->klen, d->c[i + 1].key,
		    d->c[i + 1].klen) == 0)))
			continue;
		pos_add(ps, c->key, c->klen, c->bound);
		pos_add(ps, c->key, c->klen, c->first);
		pos_add(ps, c->key, c->klen, c->first - 1);
		pos_add(ps, c->key, c->klen, c->mid);
		pos_add(ps, c->key, c->klen, c->last);
		pos_add(ps, c->key, c->klen, c->last + 1);
	}
	switch (x) {
	case X_GRP:
		for (i = 0; i < sizeof(grp_missing) / sizeof(*grp_missing);
		    i++) {
			pos_add(ps, grp_missing[i], strlen(grp_missing[i]), 0);
			pos_add(ps, grp_missing[i], strlen(grp_missing[i]),
			    UINT64_MAX);
		}
		break;
	case X_CODE:
		pos_int(ps, -1000, 0);
		pos_int(ps, -151, 5);
		pos_int(ps, 1000, UINT64_MAX);
		break;
	case X_REF:
		pos_int(ps, 0, 0);
		pos_int(ps, 1000000000, 5);
		break;
	case X_TAGS:
		pos_add(ps, "", 0, 5);
		pos_add(ps, "w", 1, UINT64_MAX);
		pos_add(ps, "xx", 2, 0);
		pos_add(ps, "zz", 2, 5);
		break;
	}
}

/*
 * The model's walk from a position as store_page() and store_keys()
 * take it: forward the pairs > (key, id), >= with STORE_PAGE_FROM;
 * backward those < (<=), nearest first; archived ones only with all.
 */
static size_t
model_walk(const struct pairs *m, const struct pos *ps, int flags, int all,
    size_t n, size_t *out)
{
	const struct pair *p;
	int		 back = flags & STORE_PAGE_BACKWARD;
	int		 from = flags & STORE_PAGE_FROM;
	size_t		 got = 0, i;
	int		 c;

	for (i = 0; i < m->n && got < n; i++) {
		p = &m->v[back ? m->n - 1 - i : i];
		if (!ps->nokey) {
			c = pos_cmp(p, ps->key, ps->klen, ps->id);
			if (back ? c > 0 || (c == 0 && !from) :
			    c < 0 || (c == 0 && !from))
				continue;
		}
		if (p->archived && !all)
			continue;
		out[got++] = back ? m->n - 1 - i : i;
	}
	return (got);
}

/* Walks through the store. */
enum { API_PAGE, API_EACH, API_KEYS };
static const char *api_names[] = { "store_page", "store_page_each",
    "store_keys" };

struct wk {
	int		 api, x;
	const struct pos *p;
	int		 flags;
	size_t		 n;
	struct pairs	 got;
	int		 rv;
};

static int
wk_pair(const void *key, size_t len, uint64_t id, void *arg)
{
	struct wk	*w = arg;

	pair_add(&w->got, key, len, id, 0);
	return (w->got.n == w->n);
}

static int
wk_entry(uint64_t id, const void *key, size_t len, const void *data,
    size_t dlen, void *arg)
{
	struct wk	*w = arg;

	(void)data;
	(void)dlen;
	pair_add(&w->got, key, len, id, 0);
	return (0);
}

static int
wk_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct wk	*w = arg;
	struct record	**recs;
	struct buf	 k = BUF_INIT;
	const void	*key = w->p->nokey ? NULL : w->p->key;
	size_t		 n, i;

	w->got.n = 0;
	w->rv = 0;
	switch (w->api) {
	case API_PAGE:
		if (store_page(t, ix_table(w->x), ixds[w->x].ix, key,
		    w->p->klen, w->p->id, w->flags, w->n, &recs, &n, e) != 0)
			return (-1);
		/* A record's page key is its first (of a multi field):
		 * tags are compared by ids. */
		for (i = 0; i < n; i++) {
			buf_reset(&k);
			if (w->x != X_TAGS)
				store_page_key(recs[i], ixds[w->x].ix, &k);
			pair_add(&w->got, k.data, k.len, recs[i]->id, 0);
		}
		store_records_free(recs, n);
		buf_release(&k);
		return (0);
	case API_EACH:
		w->rv = store_page_each(t, ix_table(w->x), ixds[w->x].ix, key,
		    w->p->klen, w->p->id, w->flags, w->n, wk_entry, w, e);
		return (w->rv < 0 ? -1 : 0);
	case API_KEYS:
		w->rv = store_keys(t, ix_table(w->x), ixds[w->x].ix, key,
		    w->p->klen, w->p->id, w->flags, wk_pair, w, e);
		return (w->rv < 0 ? -1 : 0);
	}
	return (-1);
}

static void
flags_text(struct buf *b, int flags)
{
	buf_adds(b, flags & STORE_PAGE_BACKWARD ? "backward" : "forward");
	if (flags & STORE_PAGE_FROM)
		buf_adds(b, "|from");
	if (flags & STORE_PAGE_ARCHIVED)
		buf_adds(b, "|archived");
}

/* One walk against the model: 0, or 1 with why (the first kept). */
static int
walk_one(struct wk *w, const struct pairs *m, size_t *idx, struct buf *why)
{
	struct pairs	 want;
	struct buf	 one = BUF_INIT;
	size_t		 n, i;
	int		 all, good;

	all = w->api == API_KEYS || (w->flags & STORE_PAGE_ARCHIVED);
	n = model_walk(m, w->p, w->flags, all, w->n, idx);
	buf_reset(&err);
	if (store_txn_run(st, STORE_TXN_READONLY, wk_txn, w, &err) != 0) {
		buf_printf(&one, "failed: %s", err.data);
		good = 0;
	} else {
		memset(&want, 0, sizeof(want));
		for (i = 0; i < n; i++)
			pair_add(&want, m->v[idx[i]].key, w->api == API_PAGE &&
			    w->x == X_TAGS ? 0 : m->v[idx[i]].klen,
			    m->v[idx[i]].id, 0);
		/* store_keys() stops when fn does (at n), and
		 * store_page_each() is never stopped here. */
		good = w->api == API_PAGE ? 1 : w->api == API_EACH ?
		    w->rv == 0 : w->rv == (n == w->n);
		if (!good)
			buf_printf(&one, "returned %d; ", w->rv);
		if (!pairs_same(&w->got, &want, w->x, &one))
			good = 0;
		pairs_free(&want);
	}
	if (!good && why->len == 0) {
		buf_add(why, one.data, one.len);
		buf_adds(why, " (walk from ");
		if (w->p->nokey)
			buf_adds(why, "the end");
		else {
			key_text(why, w->x, w->p->key, w->p->klen);
			buf_printf(why, ":%llu", (unsigned long long)w->p->id);
		}
		buf_adds(why, ", ");
		flags_text(why, w->flags);
		buf_printf(why, ", n %zu)", w->n);
	}
	buf_release(&one);
	return (!good);
}

static void
check_walks(int x, const struct pairs *m, const struct poss *ps,
    const char *stage)
{
	static const int flagset[] = { 0, STORE_PAGE_FROM,
	    STORE_PAGE_BACKWARD, STORE_PAGE_BACKWARD | STORE_PAGE_FROM,
	    STORE_PAGE_ARCHIVED, STORE_PAGE_BACKWARD | STORE_PAGE_ARCHIVED };
	static const size_t sizes[] = { 2, 40 };
	struct wk	 w;
	struct buf	 why = BUF_INIT;
	size_t		*idx = xreallocarray(NULL, m->n + 1, sizeof(*idx));
	size_t		 i, f, z, calls, bad, nflags;
	int		 api, mode;
	struct pos	 ends = { 1, { 0 }, 0, 0 };

	memset(&w, 0, sizeof(w));
	w.x = x;
	for (api = API_PAGE; api <= API_KEYS; api++)
		for (mode = 1; mode >= (api == API_EACH ? -1 : 1); mode -= 2) {
			store_set_fetch_ahead(mode);
			w.api = api;
			calls = bad = 0;
			buf_reset(&why);
			/* store_keys() gives archived records anyway. */
			nflags = api == API_KEYS ? 4 : 6;
			for (i = 0; i < ps->n; i++)
				for (f = 0; f < nflags; f++)
					for (z = 0; z < 2; z++) {
						w.p = &ps->v[i];
						w.flags = flagset[f];
						w.n = sizes[z];
						calls++;
						bad += walk_one(&w, m, idx,
						    &why);
					}
			/* The whole index both ways, and from inside. */
			for (f = 0; f < 4; f++) {
				w.p = f < 2 ? &ends : &ps->v[ps->n / 2];
				w.flags = flagset[f % 2 == 0 ? 0 : 2];
				w.n = BIG;
				calls++;
				bad += walk_one(&w, m, idx, &why);
			}
			if (!ok(bad == 0, "%s: %s, %s%s: %zu walks from %zu "
			    "positions as the model's", stage, ixds[x].what,
			    api_names[api], api != API_EACH ? "" : mode > 0 ?
			    " (helper thread)" : " (no helper)", calls,
			    ps->n))
				diag("%zu wrong; first: %s", bad, why.data);
		}
	store_set_fetch_ahead(0);
	pairs_free(&w.got);
	buf_release(&why);
	free(idx);
}

/* Lookups of every key of the model and of keys not there. */
struct lk {
	int		 x;
	const void	*key;
	size_t		 klen, max, n;
	uint64_t	*ids;
	int		 rv;
};

static int
lk_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct lk	*l = arg;

	l->rv = store_lookup(t, ix_table(l->x), ixds[l->x].ix, l->key,
	    l->klen, l->ids, l->max, &l->n, e);
	return (l->rv < 0 ? -1 : 0);
}

static void
check_lookups(int x, const struct pairs *m, const struct poss *ps,
    const char *stage)
{
	struct lk	 l;
	struct buf	 why = BUF_INIT;
	uint64_t	*want = xreallocarray(NULL, m->n + 1, sizeof(*want));
	size_t		 i, j, q, cnt, maxes[5], nm, calls = 0, bad = 0;
	size_t		 nkeys = 0, prefix = 0;
	int		 good;

	memset(&l, 0, sizeof(l));
	l.x = x;
	l.ids = xreallocarray(NULL, m->n + 16, sizeof(*l.ids));
	for (q = 0; q < m->n + ps->n; q++) {
		if (q < m->n) {
			/* Each key of the model once. */
			if (q > 0 && key_cmp(m->v[q].key, m->v[q].klen,
			    m->v[q - 1].key, m->v[q - 1].klen) == 0)
				continue;
			l.key = m->v[q].key;
			l.klen = m->v[q].klen;
			nkeys++;
		} else {
			if (ps->v[q - m->n].nokey)
				continue;
			l.key = ps->v[q - m->n].key;
			l.klen = ps->v[q - m->n].klen;
		}
		for (i = cnt = 0; i < m->n; i++)
			if (key_cmp(m->v[i].key, m->v[i].klen, l.key,
			    l.klen) == 0)
				want[cnt++] = m->v[i].id;
		/* Their ids ascending (the model's order is by key). */
		for (i = 1; i < cnt; i++)
			if (want[i] < want[i - 1])
				tap_bail("the model is out of order");
		nm = 0;
		maxes[nm++] = cnt + 10;
		maxes[nm++] = 1;
		if (cnt > 2) {
			maxes[nm++] = 2;
			maxes[nm++] = cnt - 1;
			maxes[nm++] = cnt;
		}
		for (j = 0; j < nm; j++) {
			l.max = maxes[j];
			l.n = 0;
			calls++;
			buf_reset(&err);
			/* One read outside a transaction, as a lookup is. */
			if (store_txn_run(st, STORE_TXN_READONLY | (j == 0 ?
			    STORE_TXN_ONEREAD : 0), lk_txn, &l, &err) != 0) {
				if (bad++ == 0)
					buf_printf(&why, "failed: %s",
					    err.data);
				continue;
			}
			good = l.n == (cnt < l.max ? cnt : l.max) &&
			    l.rv == (int)l.n;
			for (i = 0; good && i < l.n; i++)
				good = l.ids[i] == want[i];
			if (good)
				continue;
			if (bad++ == 0) {
				buf_adds(&why, "key ");
				key_text(&why, x, l.key, l.klen);
				buf_printf(&why, ", max %zu: %zu ids (returned "
				    "%d), want %zu", l.max, l.n, l.rv,
				    cnt < l.max ? cnt : l.max);
				for (i = 0; i < l.n; i++)
					if (i >= cnt || l.ids[i] != want[i])
						break;
				if (i < l.n)
					buf_printf(&why, "; id %zu is %llu, "
					    "want %llu", i,
					    (unsigned long long)l.ids[i],
					    (unsigned long long)(i < cnt ?
					    want[i] : 0));
			}
		}
		if (x == X_GRP && l.klen == 1 && memcmp(l.key, "a", 1) == 0)
			prefix = cnt;
	}
	if (!ok(bad == 0, "%s: %s, store_lookup: %zu lookups of %zu keys "
	    "and keys not there as the model's", stage, ixds[x].what, calls,
	    nkeys))
		diag("%zu wrong; first: %s", bad, why.data);
	if (x == X_GRP)
		ok(prefix > 2000, "%s: key \"a\" has %zu ids (\"ab\" not among "
		    "them)", stage, prefix);
	free(want);
	free(l.ids);
	buf_release(&why);
}

/* store_key_share(). */
struct sh {
	int		 x;
	const void	*lo, *hi;
	size_t		 lolen, hilen;
	uint64_t	 share, entries;
};

static int
sh_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct sh	*s = arg;

	return (store_key_share(t, ix_table(s->x), ixds[s->x].ix, s->lo,
	    s->lolen, s->hi, s->hilen, &s->share, &s->entries, e));
}

static int
share_of(struct sh *s, int x, const struct buf *lo, const struct buf *hi)
{
	memset(s, 0, sizeof(*s));
	s->x = x;
	if (lo != NULL) {
		s->lo = lo->data != NULL ? lo->data : "";
		s->lolen = lo->len;
	}
	if (hi != NULL) {
		s->hi = hi->data != NULL ? hi->data : "";
		s->hilen = hi->len;
	}
	buf_reset(&err);
	return (store_txn_run(st, STORE_TXN_READONLY, sh_txn, s, &err));
}

/* Is key in [lo, hi)? */
static int
in_range(const unsigned char *key, size_t klen, const struct buf *lo,
    const struct buf *hi)
{
	if (lo != NULL && key_cmp(key, klen, lo->data, lo->len) < 0)
		return (0);
	if (hi != NULL && key_cmp(key, klen, hi->data, hi->len) >= 0)
		return (0);
	return (1);
}

static void
text_key(struct buf *b, const char *s)
{
	buf_reset(b);
	buf_adds(b, s);
}

static void
int_key(struct buf *b, int64_t v, int past)
{
	buf_reset(b);
	index_int_key(b, v);
	if (past)
		buf_addch(b, (char)0xff);
}

/*
 * In runs: an index of 64 runs or fewer is counted run by run, so
 * each share is exact; a bigger one's is estimated (key_range), each
 * run weighing alike: near the share of the runs that start in the
 * range.  Here each has fewer (test-key-share has one estimated).
 */
static void
check_share_runs(const struct pairs *ms, const struct dump *ds,
    const char *stage)
{
	static const char *text_ranges[][2] = {
		{ "a", "a\377" }, { "ab", "b" }, { "b", NULL }, { NULL, "b" },
		{ "c", NULL }, { "x", "y" }, { "y", "y\377" }, { "x", NULL },
	};
	static const int64_t code_ranges[][2] = {
		{ -150, 0 }, { 0, 100 }, { -100, 7 }, { 8, 200 },
	};
	struct buf	 lo = BUF_INIT, hi = BUF_INIT, why = BUF_INIT;
	struct sh	 s;
	uint64_t	 runs_in, in, want;
	size_t		 i, j, n, bad;
	double		 frac, slack;
	int		 x, text, counted;

	for (x = 0; x < NX; x++) {
		text = x == X_GRP || x == X_TAGS;
		n = text ? sizeof(text_ranges) / sizeof(*text_ranges) :
		    sizeof(code_ranges) / sizeof(*code_ranges);
		bad = 0;
		buf_reset(&why);
		counted = ds[x].nc <= 64;
		slack = STORE_SHARE_ONE / 20.0 + 2.0 * STORE_SHARE_ONE /
		    (double)(ds[x].nc ? ds[x].nc : 1);
		for (i = 0; i < n; i++) {
			const struct buf *pl = &lo, *ph = &hi;

			if (text) {
				if (text_ranges[i][0] != NULL)
					text_key(&lo, text_ranges[i][0]);
				else
					pl = NULL;
				if (text_ranges[i][1] != NULL)
					text_key(&hi, text_ranges[i][1]);
				else
					ph = NULL;
			} else if (x == X_CODE) {
				int_key(&lo, code_ranges[i][0], 0);
				int_key(&hi, code_ranges[i][1], 0);
			} else {
				int_key(&lo, (int64_t)items[100 + i * 50].id,
				    0);
				int_key(&hi, (int64_t)items[100 + i * 50 +
				    40].id, 0);
			}
			for (j = in = 0; j < ms[x].n; j++)
				in += in_range(ms[x].v[j].key, ms[x].v[j].klen,
				    pl, ph);
			want = ms[x].n == 0 ? 0 : (uint64_t)((double)in /
			    (double)ms[x].n * STORE_SHARE_ONE + 0.5);
			if (share_of(&s, x, pl, ph) != 0 ||
			    s.entries != (counted ? in : UINT64_MAX) ||
			    s.share > STORE_SHARE_ONE) {
				if (bad++ == 0)
					buf_printf(&why, "range %zu: %llu, "
					    "entries %llu (%s)", i,
					    (unsigned long long)s.share,
					    (unsigned long long)s.entries,
					    err.data);
				continue;
			}
			if (counted) {
				if ((s.share + 1 < want || s.share > want + 1)
				    && bad++ == 0)
					buf_printf(&why, "range %zu: %llu, "
					    "want %llu", i,
					    (unsigned long long)s.share,
					    (unsigned long long)want);
				continue;
			}
			for (j = runs_in = 0; j < ds[x].nc; j++)
				runs_in += in_range(ds[x].c[j].key,
				    ds[x].c[j].klen, pl, ph);
			frac = (double)runs_in / (double)ds[x].nc *
			    STORE_SHARE_ONE;
			if ((double)s.share < frac - slack ||
			    (double)s.share > frac + slack)
				if (bad++ == 0)
					buf_printf(&why, "range %zu: %llu, "
					    "the runs' share %.0f", i,
					    (unsigned long long)s.share, frac);
		}
		if (!ok(bad == 0, "%s: %s, store_key_share: %s (%zu runs)",
		    stage, ixds[x].what, counted ? "counted exactly" :
		    "estimated as its runs weigh", ds[x].nc))
			diag("%s", why.data);
	}
	buf_release(&lo);
	buf_release(&hi);
	buf_release(&why);
}

static void
check_share(const struct pairs *ms, const struct dump *ds, int packed,
    const char *stage)
{
	static const char *text_ranges[][2] = {
		{ NULL, NULL }, { "a", "a\377" }, { "a", "a\001" },
		{ "ab", "b" }, { "b", NULL }, { NULL, "b" }, { "c", NULL },
		{ "b", "a" }, { "a", "a" }, { "", "ab" }, { "ab", "ab\377" },
		{ "x", "y" }, { "y", "y\377" }, { "x", NULL }, { "z", NULL },
	};
	static const int64_t code_ranges[][2] = {
		{ -150, 0 }, { 0, 100 }, { -100, 7 }, { 8, 200 }, { 7, 8 },
	};
	struct buf	 lo = BUF_INIT, hi = BUF_INIT, why = BUF_INIT;
	struct sh	 s;
	uint64_t	 in, want, chunks_in;
	size_t		 i, j, bad = 0;
	int		 x;
	double		 frac;

	/* grp and tags: few keys, few chunks: counted. */
	for (x = X_GRP; x <= X_TAGS; x += X_TAGS - X_GRP) {
		bad = 0;
		buf_reset(&why);
		for (i = 0; i < sizeof(text_ranges) / sizeof(*text_ranges);
		    i++) {
			const char *l = text_ranges[i][0];
			const char *h = text_ranges[i][1];

			if (l != NULL)
				text_key(&lo, l);
			if (h != NULL)
				text_key(&hi, h);
			for (j = in = 0; j < ms[x].n; j++)
				in += in_range(ms[x].v[j].key, ms[x].v[j].klen,
				    l != NULL ? &lo : NULL,
				    h != NULL ? &hi : NULL);
			want = (uint64_t)((double)in / (double)ms[x].n *
			    STORE_SHARE_ONE + 0.5);
			if (share_of(&s, x, l != NULL ? &lo : NULL, h != NULL ?
			    &hi : NULL) == 0 && s.entries == in &&
			    s.share + 1 >= want && s.share <= want + 1)
				continue;
			if (bad++ == 0)
				buf_printf(&why, "[%s, %s): %llu entries, "
				    "share %llu; want %llu, %llu (%s)",
				    l != NULL ? l : "-", h != NULL ? h : "-",
				    (unsigned long long)s.entries,
				    (unsigned long long)s.share,
				    (unsigned long long)in,
				    (unsigned long long)want, err.data);
		}
		if (!ok(bad == 0, "%s: %s, store_key_share: %zu ranges "
		    "counted exactly", stage, ixds[x].what, i))
			diag("%s", why.data);
	}

	/*
	 * code and the ref: hundreds of keys, so estimated (key_range);
	 * packed, each chunk weighs as one entry, so the share of a range
	 * is near the share of the chunks in it.
	 */
	for (x = X_CODE; x <= X_REF; x++) {
		bad = 0;
		buf_reset(&why);
		if (share_of(&s, x, NULL, NULL) != 0 ||
		    s.entries != UINT64_MAX ||
		    s.share < STORE_SHARE_ONE / 100 * 95 ||
		    s.share > STORE_SHARE_ONE)
			if (bad++ == 0)
				buf_printf(&why, "the whole: %llu, entries "
				    "%llu (%s)", (unsigned long long)s.share,
				    (unsigned long long)s.entries, err.data);
		for (i = 0; i < sizeof(code_ranges) / sizeof(*code_ranges);
		    i++) {
			if (x == X_CODE) {
				int_key(&lo, code_ranges[i][0], 0);
				int_key(&hi, code_ranges[i][1], 0);
			} else {
				int_key(&lo, (int64_t)items[100 + i * 50].id,
				    0);
				int_key(&hi, (int64_t)items[100 + i * 50 +
				    40].id, i == 4);
			}
			if (share_of(&s, x, &lo, &hi) != 0 ||
			    s.share > STORE_SHARE_ONE ||
			    s.entries != UINT64_MAX) {
				if (bad++ == 0)
					buf_printf(&why, "range %zu: %llu "
					    "(%s)", i,
					    (unsigned long long)s.share,
					    err.data);
				continue;
			}
			if (!packed || ds[x].nc == 0)
				continue;
			for (j = chunks_in = 0; j < ds[x].nc; j++)
				chunks_in += in_range(ds[x].c[j].key,
				    ds[x].c[j].klen, &lo, &hi);
			frac = (double)chunks_in / (double)ds[x].nc *
			    STORE_SHARE_ONE;
			if ((double)s.share < frac - STORE_SHARE_ONE / 20.0 ||
			    (double)s.share > frac + STORE_SHARE_ONE / 20.0)
				if (bad++ == 0)
					buf_printf(&why, "range %zu: %llu, "
					    "the chunks' share %.0f", i,
					    (unsigned long long)s.share, frac);
		}
		/* An empty range and one reversed. */
		if (share_of(&s, x, &hi, &hi) != 0 || s.share != 0 ||
		    share_of(&s, x, &hi, &lo) != 0 || s.share != 0)
			if (bad++ == 0)
				buf_printf(&why, "empty or reversed: %llu",
				    (unsigned long long)s.share);
		if (!ok(bad == 0, "%s: %s, store_key_share: estimated%s", stage,
		    ixds[x].what, packed ? " as its chunks weigh" : ""))
			diag("%s", why.data);
	}
	buf_release(&lo);
	buf_release(&hi);
	buf_release(&why);
}

/* store_referrers() and a refused purge. */
struct rf {
	size_t		 i;		/* items[] */
	struct store_ref refs[NNOTE + 8];
	size_t		 max, n;
	int		 rv;
};

static int
rf_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct rf	*r = arg;

	r->rv = store_referrers(t, item, items[r->i].id, r->refs, r->max,
	    &r->n, e);
	return (r->rv < 0 ? -1 : 0);
}

static int
purge_txn(struct store_txn *t, void *arg, struct buf *e)
{
	const size_t	*i = arg;

	return (store_purge(t, item, items[*i].id, "test", e));
}

static void
check_referrers(const char *stage)
{
	static const size_t which[] = { 10, 11, 100, 250, 399, 12, 3000, 20,
	    21, 30 };
	static const size_t maxes[] = { 1, 8, NNOTE + 8 };
	static struct rf r;
	struct buf	 why = BUF_INIT, want = BUF_INIT;
	const struct table *tab[NNOTE + 8];
	uint64_t	 ids[NNOTE + 8];
	size_t		 w, m, j, cnt, bad = 0, calls = 0, i10 = 10, i20 = 20;
	int		 good, rc;

	for (w = 0; w < sizeof(which) / sizeof(*which); w++) {
		if (items[which[w]].gone)
			continue;
		/* The items' own references first (the tables in name
		 * order), none to itself; then the notes'. */
		for (j = cnt = 0; j < nitems; j++)
			if (!items[j].gone && items[j].up == which[w] + 1 &&
			    j != which[w]) {
				tab[cnt] = item;
				ids[cnt++] = items[j].id;
			}
		for (j = 0; j < NNOTE; j++)
			if (!notes[j].gone && notes[j].item == which[w]) {
				tab[cnt] = note;
				ids[cnt++] = notes[j].id;
			}
		for (m = 0; m < sizeof(maxes) / sizeof(*maxes); m++) {
			r.i = which[w];
			r.max = maxes[m];
			calls++;
			buf_reset(&err);
			if (store_txn_run(st, STORE_TXN_READONLY, rf_txn, &r,
			    &err) != 0) {
				if (bad++ == 0)
					buf_printf(&why, "failed: %s",
					    err.data);
				continue;
			}
			good = r.n == (cnt < r.max ? cnt : r.max) &&
			    r.rv == (int)r.n;
			for (j = 0; good && j < r.n; j++)
				good = r.refs[j].table == tab[j] &&
				    r.refs[j].id == ids[j];
			if (!good && bad++ == 0)
				buf_printf(&why, "item %zu, max %zu: %zu "
				    "referrers, want %zu", which[w], r.max,
				    r.n, cnt < r.max ? cnt : r.max);
		}
	}
	if (!ok(bad == 0, "%s: store_referrers through %s and item's up "
	    "(itself not counted): %zu calls as the model's", stage,
	    ixds[X_REF].what, calls))
		diag("%s", why.data);

	/* Item 10's 1,200 notes refuse its purge. */
	for (j = cnt = 0; j < NNOTE; j++)
		if (!notes[j].gone && notes[j].item == 10)
			ids[cnt++] = notes[j].id;
	buf_printf(&want, "note %llu refers to it and %zu more",
	    (unsigned long long)ids[0], cnt - 1);
	buf_reset(&err);
	rc = store_txn_run(st, 0, purge_txn, &i10, &err);
	if (!ok(rc == -1 && strstr(err.data, want.data) !=
	    NULL, "%s: the purge of item 10 refused: \"%s\"", stage,
	    want.data))
		diag("returned %d: %s", rc, err.data);

	/* Item 20 refers to itself, which does not count, and 21..25 to
	 * it, which do. */
	if (items[20].up == 21 && items[21].up == 21) {
		buf_reset(&want);
		buf_printf(&want, "item %llu refers to it and 4 more",
		    (unsigned long long)items[21].id);
		buf_reset(&err);
		rc = store_txn_run(st, 0, purge_txn, &i20, &err);
		if (!ok(rc == -1 && strstr(err.data,
		    want.data) != NULL, "%s: the purge of item 20 refused: "
		    "\"%s\"", stage, want.data))
			diag("returned %d: %s", rc, err.data);
	}
	buf_release(&why);
	buf_release(&want);
}

/* store_check() of both tables, and their counts. */
struct cnt {
	const struct table *t;
	uint64_t	 n;
};

static int
cnt_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct cnt	*c = arg;

	return (store_count(t, c->t, &c->n, e));
}

static void
check_tables(struct store *s, const char *stage)
{
	struct cnt	 c;
	size_t		 i, wi = 0, wn = 0;
	int		 r;

	for (i = 0; i < nitems; i++)
		wi += !items[i].gone;
	for (i = 0; i < NNOTE; i++)
		wn += !notes[i].gone;
	c.t = item;
	c.n = 0;
	r = store_txn_run(s, STORE_TXN_READONLY, cnt_txn, &c, &err);
	ok(r == 0 && c.n == wi, "%s: %llu items, want %zu", stage,
	    (unsigned long long)c.n, wi);
	c.t = note;
	c.n = 0;
	r = store_txn_run(s, STORE_TXN_READONLY, cnt_txn, &c, &err);
	ok(r == 0 && c.n == wn, "%s: %llu notes, want %zu", stage,
	    (unsigned long long)c.n, wn);
	buf_reset(&err);
	if (!ok(store_check(s, item, &err) == 0, "%s: store_check of item",
	    stage))
		diag("%s", err.data);
	buf_reset(&err);
	if (!ok(store_check(s, note, &err) == 0, "%s: store_check of note",
	    stage))
		diag("%s", err.data);
}

/*
 * Everything against the model, the indexes packed in chunks
 * (PACK_CHUNKS) or in runs (PACK_RUNS).
 */
static void
verify_all(const char *stage, int packed)
{
	struct pairs	 m[NX];
	struct dump	 d[NX];
	struct poss	 ps;
	struct buf	 why = BUF_INIT;
	struct store_index *up;
	size_t		 i, na;
	int		 x;

	memset(m, 0, sizeof(m));
	for (x = 0; x < NX; x++)
		dump_init(&d[x]);
	memset(&ps, 0, sizeof(ps));
	for (x = 0; x < NX; x++) {
		model_pairs(x, &m[x]);
		dump_index(st, x, &d[x]);
		ok(d[x].packed == packed && d[x].dup == 0, "%s: %s is "
		    "packed in %s (packed %d, duplicates %d)", stage,
		    ixds[x].what, packed == PACK_CHUNKS ? "chunks" : "runs",
		    d[x].packed, d[x].dup);
		if (!ok(d[x].bad == 0, "%s: %s: its file reads as %s made so",
		    stage, ixds[x].what, packed == PACK_CHUNKS ? "chunks" :
		    "runs"))
			diag("%zu wrong; first: %s", d[x].bad, d[x].why.data);
		buf_reset(&why);
		if (!ok(pairs_same(&d[x].p, &m[x], x, &why), "%s: %s holds "
		    "the model's %zu pairs", stage, ixds[x].what, m[x].n))
			diag("%s", why.data);
	}
	up = store_index_find(store_table_get(st, item), "up", 0);
	ok(up != NULL && up->packed == packed, "%s: item's up (a ref to its "
	    "own table) is packed in %s", stage, packed == PACK_CHUNKS ?
	    "chunks" : "runs");
	if (packed == PACK_CHUNKS) {
		for (i = na = 0; i < d[X_GRP].nc; i++)
			na += d[X_GRP].c[i].klen == 1 &&
			    d[X_GRP].c[i].key[0] == 'a';
		ok(na >= 3, "%s: key \"a\" is in %zu chunks (of %zu in all)",
		    stage, na, d[X_GRP].nc);
		ok(d[X_CODE].nc > 256 && d[X_REF].nc > 256, "%s: code and the "
		    "ref have %zu and %zu chunks (estimated past 256)", stage,
		    d[X_CODE].nc, d[X_REF].nc);
	} else
		ok(d[X_GRP].nc > 3 && d[X_CODE].nc > 3 && d[X_REF].nc > 3 &&
		    d[X_TAGS].nc > 3, "%s: grp, code, the ref and tags have "
		    "%zu, %zu, %zu and %zu runs", stage, d[X_GRP].nc,
		    d[X_CODE].nc, d[X_REF].nc, d[X_TAGS].nc);
	for (x = 0; x < NX; x++) {
		make_positions(x, &m[x], &d[x], &ps);
		check_lookups(x, &m[x], &ps, stage);
		check_walks(x, &m[x], &ps, stage);
	}
	if (packed == PACK_RUNS)
		check_share_runs(m, d, stage);
	else
		check_share(m, d, packed, stage);
	check_referrers(stage);
	check_tables(st, stage);
	for (x = 0; x < NX; x++) {
		pairs_free(&m[x]);
		dump_free(&d[x]);
	}
	free(ps.v);
	buf_release(&why);
}

/* Item id out of grp "a" (to "ab") or code 7 (to -7). */
static void
changes_by_id(struct changes *cs, int x, uint64_t id)
{
	size_t	i;

	for (i = 0; i < nitems; i++)
		if (items[i].id == id && !items[i].gone)
			break;
	if (i == nitems)
		return;
	if (x == X_GRP)
		ch_add(cs, CH_GRP, i, "ab", 0);
	else
		ch_add(cs, CH_CODE, i, NULL, -7);
}

/* The changes made to the first records. */
static void
make_changes(void)
{
	struct changes	 cs;
	struct dump	 d;
	size_t		 i, x;

	memset(&cs, 0, sizeof(cs));
	dump_init(&d);
	/*
	 * Across every chunk boundary of grp "a" and code 7: a chunk's
	 * first id and the last of the chunk before it, moved out in one
	 * transaction that reads no index before its commit (the changes
	 * of two chunks merged in one application, words.c).
	 */
	for (x = X_GRP; x <= X_CODE; x++) {
		dump_index(st, (int)x, &d);
		for (i = 1; i < d.nc; i++) {
			if (key_cmp(d.c[i].key, d.c[i].klen, d.c[i - 1].key,
			    d.c[i - 1].klen) != 0)
				continue;
			changes_by_id(&cs, (int)x, d.c[i - 1].last);
			changes_by_id(&cs, (int)x, d.c[i].first);
		}
	}
	dump_free(&d);
	ok(cs.n >= 8, "chunk boundaries: %zu records to move", cs.n);
	run_changes(&cs, "chunk boundaries moved");

	/*
	 * Out of "a" every 37th (into "b", whose chunks they fall inside),
	 * and some of "b" and "ba" into "a" (inside its chunks); item 0,
	 * the first id of all, to "b" and then to "ba" (before its first
	 * chunk); item 6 to "b" and back; item 2 out of the index; item 3
	 * typed otherwise, the same key.
	 */
	for (i = 0; i < NITEM; i += 37)
		if (strcmp(items[i].grp, "a") == 0)
			ch_add(&cs, CH_GRP, i, "b", 0);
	ch_add(&cs, CH_READ, 0, NULL, 0);
	for (i = 5; i < NITEM; i += 6)
		if (i % 7 == 0 && (strcmp(items[i].grp, "b") == 0 ||
		    strcmp(items[i].grp, "ba") == 0))
			ch_add(&cs, CH_GRP, i, "a", 0);
	ch_add(&cs, CH_GRP, 0, "ba", 0);
	ch_add(&cs, CH_GRP, 6, "B", 0);
	ch_add(&cs, CH_GRP, 6, "a", 0);
	ch_add(&cs, CH_GRP, 2, NULL, 0);
	ch_add(&cs, CH_GRP, 3, "A", 0);
	run_changes(&cs, "groups moved");

	/* Codes out of 7 and into it, one away and back, tags changed,
	 * and records in and out in one transaction. */
	for (i = 0; i < NITEM; i += 30)
		ch_add(&cs, CH_CODE, i, NULL, -150);
	for (i = 1; i < NITEM; i += 50)
		ch_add(&cs, CH_CODE, i, NULL, 7);
	ch_add(&cs, CH_READ, 0, NULL, 0);
	ch_add(&cs, CH_CODE, 4, NULL, 5000);
	ch_add(&cs, CH_CODE, 4, NULL, row_code(4));
	for (i = 0; i < NITEM; i += 11)
		ch_add(&cs, CH_TAGS, i, NULL, (int64_t)(i / 11 % 8));
	ch_add(&cs, CH_TAGS, 9, NULL, TAG_X | TAG_Y | TAG_Z);
	ch_add(&cs, CH_TAGS, 9, NULL, TAG_Z);
	/* Item 20 refers to itself, 21..25 to it; 30 to itself, 31 to
	 * 30 and then to itself. */
	for (i = 20; i <= 25; i++)
		ch_add(&cs, CH_UP, i, NULL, 20);
	ch_add(&cs, CH_UP, 30, NULL, 30);
	ch_add(&cs, CH_UP, 31, NULL, 30);
	ch_add(&cs, CH_UP, 31, NULL, 31);
	for (i = 0; i < 3; i++)
		ch_add(&cs, CH_TEMP, 0, NULL, 0);
	run_changes(&cs, "codes moved");

	for (i = 0; i < NITEM; i += 29)
		ch_add(&cs, CH_ARCHIVE, i, NULL, 0);
	run_changes(&cs, "every 29th archived");
	for (i = 0; i < NITEM; i += 58)
		ch_add(&cs, CH_RESTORE, i, NULL, 0);
	run_changes(&cs, "every 58th restored");

	/* Item 11's notes, then item 11, in one transaction: the purge
	 * sees the references gone. */
	for (i = 1200; i < 1500; i++)
		ch_add(&cs, CH_NOTE_PURGE, i, NULL, 0);
	ch_add(&cs, CH_PURGE, 11, NULL, 0);
	/* Item 30 refers to itself alone: purged. */
	ch_add(&cs, CH_PURGE, 30, NULL, 0);
	run_changes(&cs, "item 11 and its notes, and item 30, purged");
	/* A run of 1,200 ids: whole chunks of "a" emptied. */
	for (i = 1200; i < 2400; i++)
		ch_add(&cs, CH_PURGE, i, NULL, 0);
	run_changes(&cs, "items 1200..2399 purged");
	free(cs.v);
}

/* A bulk load of the first rows against inserts of them. */
struct ld {
	const struct table *t;
	size_t		 n;
	int		(*row)(void *, size_t, struct record *, struct buf *);
	size_t		 budget, key_rows;
	int		 ret;
};

static uint64_t	 load_itemids[NITEM];

static int
load_item_row(void *arg, size_t i, struct record *rec, struct buf *e)
{
	(void)arg;
	(void)e;
	item_row(rec, i);
	return (0);
}

static int
load_note_row(void *arg, size_t j, struct record *rec, struct buf *e)
{
	(void)arg;
	(void)e;
	note_row(rec, j, load_itemids[note_item(j)]);
	return (0);
}

static int
load_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct ld	*l = arg;
	struct store_load sl;

	memset(&sl, 0, sizeof(sl));
	sl.table = l->t;
	sl.n = l->n;
	sl.row = l->row;
	sl.budget = l->budget;
	if (l->key_rows != 0) {
		sl.peek = l->row;
		sl.key_rows = l->key_rows;
	}
	l->ret = store_load(t, &sl, "test", e);
	return (l->ret == STORE_TOOBIG ? -1 : l->ret);
}

static int
load_into(struct store *s, int flags, size_t budget, size_t key_rows)
{
	struct ld	 l;
	int		 r;

	memset(&l, 0, sizeof(l));
	l.t = item;
	l.n = NITEM;
	l.row = load_item_row;
	l.budget = budget;
	l.key_rows = key_rows;
	buf_reset(&err);
	if ((r = store_txn_run(s, flags, load_txn, &l, &err)) != 0)
		return (r);
	l.t = note;
	l.n = NNOTE;
	l.row = load_note_row;
	return (store_txn_run(s, flags, load_txn, &l, &err));
}

static void
test_load(const char *tag)
{
	static const char *files[] = { "item.grp.folded.db",
	    "item.code.exact.db", "note.item.exact.db", "item.tags.folded.db",
	    "item.name.folded.db" };
	struct store	*sb, *sc2, *sd;
	struct span	 sp;
	struct dump	 db[NX], dd[NX];
	struct buf	 x = BUF_INIT, y = BUF_INIT, why = BUF_INIT;
	uint64_t	 noteids[NNOTE];
	char		*pb, *pc, *pd, *fa, *fb;
	size_t		 i, bad;
	int		 r, k;

	xasprintf(&pb, "%s/%s-inserted", top, tag);
	xasprintf(&pc, "%s/%s-loaded", top, tag);
	xasprintf(&pd, "%s/%s-batches", top, tag);
	sb = open_store(pb);
	sc2 = open_store(pc);
	sd = open_store(pd);

	/* Inserted, each table in one transaction. */
	sp.from = 0;
	sp.to = NITEM;
	sp.ids = load_itemids;
	sp.itemids = NULL;
	buf_reset(&err);
	r = store_txn_run(sb, 0, insert_txn, &sp, &err);
	sp.to = NNOTE;
	sp.ids = noteids;
	sp.itemids = load_itemids;
	if (r == 0)
		r = store_txn_run(sb, 0, insert_txn, &sp, &err);
	if (!ok(r == 0, "%s: %d items and %d notes inserted, a "
	    "transaction each", tag, NITEM, NNOTE))
		diag("%s", err.data);

	/* Loaded, in a bulk transaction each. */
	r = load_into(sc2, STORE_TXN_BULK, 0, 0);
	if (!ok(r == 0, "%s: the same loaded (store_load, bulk)", tag))
		diag("%s", err.data);
	/* And in small batches, with the key thread. */
	r = load_into(sd, 0, 16 * 1024, 64);
	if (!ok(r == 0, "%s: the same loaded in batches of 16 KB of keys",
	    tag))
		diag("%s", err.data);

	buf_reset(&err);
	ok(store_check(sc2, item, &err) == 0 && store_check(sc2, note,
	    &err) == 0, "%s: store_check of the loaded tables%s%s",
	    tag, err.len ? ": " : "", err.len ? err.data : "");
	buf_reset(&err);
	ok(store_check(sd, item, &err) == 0 && store_check(sd, note,
	    &err) == 0, "%s: store_check of the tables loaded in batches%s%s",
	    tag, err.len ? ": " : "", err.len ? err.data : "");
	buf_reset(&err);
	ok(store_check(sb, item, &err) == 0 && store_check(sb, note,
	    &err) == 0, "%s: store_check of the inserted tables%s%s",
	    tag, err.len ? ": " : "", err.len ? err.data : "");

	for (k = 0; k < NX; k++) {
		dump_init(&db[k]);
		dump_init(&dd[k]);
	}
	for (k = 0; k < NX; k++) {
		dump_index(sb, k, &db[k]);
		dump_index(sd, k, &dd[k]);
		buf_reset(&why);
		if (!ok(db[k].bad == 0 && dd[k].bad == 0 && db[k].packed &&
		    dd[k].packed && pairs_same(&dd[k].p, &db[k].p, k, &why),
		    "%s: %s loaded in batches holds the pairs inserted "
		    "(%zu, %zu chunks or runs against %zu)", tag, ixds[k].what,
		    db[k].p.n, dd[k].nc, db[k].nc))
			diag("%s%s%s", db[k].why.data, dd[k].why.data,
			    why.data);
		dump_free(&db[k]);
		dump_free(&dd[k]);
	}
	store_close(sb);
	store_close(sc2);
	store_close(sd);

	for (i = bad = 0; i < sizeof(files) / sizeof(*files); i++) {
		xasprintf(&fa, "%s/%s", pb, files[i]);
		xasprintf(&fb, "%s/%s", pc, files[i]);
		buf_reset(&x);
		buf_reset(&y);
		if (dump_file(fa, &x) != 0 || dump_file(fb, &y) != 0 ||
		    x.len == 0 || x.len != y.len || memcmp(x.data, y.data,
		    x.len) != 0) {
			diag("%s differs: %zu against %zu bytes", files[i],
			    x.len, y.len);
			bad++;
		}
		free(fa);
		free(fb);
	}
	ok(bad == 0, "%s: the packed indexes (and name's) loaded are the "
	    "inserted ones byte for byte", tag);
	buf_reset(&err);
	if (!ok(store_verify_dir(pc, &err) == 0 && store_verify_dir(pd,
	    &err) == 0, "%s: Berkeley DB verifies the loaded stores", tag))
		diag("%s", err.data);
	buf_release(&x);
	buf_release(&y);
	buf_release(&why);
	free(pb);
	free(pc);
	free(pd);
}

/* ids as a chunk: LEB128 varints of the first and the differences. */
static void
chunk_enc(struct buf *b, const uint64_t *ids, size_t n)
{
	uint64_t	v;
	size_t		i;

	buf_reset(b);
	for (i = 0; i < n; i++) {
		for (v = i == 0 ? ids[0] : ids[i] - ids[i - 1]; v >= 0x80;
		    v >>= 7)
			buf_addch(b, (char)(v | 0x80));
		buf_addch(b, (char)v);
	}
}

/* Put data under grp's B-tree key key, in a transaction of its own. */
static int
chunk_put(const struct buf *key, const struct buf *data)
{
	struct store_index *ix = ix_of(st, X_GRP);
	DB_TXN		*txn;
	DBT		 k, v;

	if (st->env->txn_begin(st->env, NULL, &txn, 0) != 0)
		return (-1);
	store_dbt(&k, key->data, key->len);
	store_dbt(&v, data->data, data->len);
	if (ix->db->put(ix->db, txn, &k, &v, 0) != 0) {
		txn->abort(txn);
		return (-1);
	}
	return (txn->commit(txn, 0) != 0 ? -1 : 0);
}

/* data under grp's B-tree key key: store_check() finds it, naming the
 * file. */
static void
damage_found(const struct buf *key, const struct buf *data, const char *what)
{
	int	r;

	buf_reset(&err);
	r = chunk_put(key, data) == 0 ? store_check(st, item, &err) : 0;
	ok(r == -1 && strstr(err.data, ixds[X_GRP].file) != NULL, "damage: "
	    "store_check finds %s", what);
	diag("%s", err.data);
}

/* With grp's item under key damaged, a lookup of "a" fails; with orig
 * put back, store_check passes again. */
static void
damage_undone(const struct buf *key, const struct buf *orig, const char *what)
{
	struct lk	 l;
	uint64_t	 got[8];
	int		 r;

	memset(&l, 0, sizeof(l));
	l.x = X_GRP;
	l.key = "a";
	l.klen = 1;
	l.max = 8;
	l.ids = got;
	buf_reset(&err);
	r = store_txn_run(st, STORE_TXN_READONLY, lk_txn, &l, &err);
	ok(r == -1 && err.len != 0, "damage: a lookup through the %s fails: "
	    "%s", what, err.len ? err.data : "");
	buf_reset(&err);
	r = chunk_put(key, orig) == 0 ? store_check(st, item, &err) : -1;
	if (!ok(r == 0, "damage: the %s put back, store_check passes", what))
		diag("%s", err.data);
}

/* Pairs as a run (coded here, not by runs.c). */
static void
run_enc(struct buf *b, const struct pair *v, size_t n)
{
	uint64_t	vals[3];
	size_t		i, j, sh;

	buf_reset(b);
	for (i = 0; i < n; i++) {
		for (sh = 0; i > 0 && sh < v[i].klen && sh < v[i - 1].klen &&
		    v[i].key[sh] == v[i - 1].key[sh]; sh++)
			;
		vals[0] = sh;
		vals[1] = v[i].klen - sh;
		vals[2] = v[i].id;
		for (j = 0; j < 3; j++) {
			uint64_t x = vals[j];

			for (; x >= 0x80; x >>= 7)
				buf_addch(b, (char)(x | 0x80));
			buf_addch(b, (char)x);
			if (j == 1)
				buf_add(b, v[i].key + sh, v[i].klen - sh);
		}
	}
}

static void
verify_closed(const char *dir, const char *stage)
{
	buf_reset(&err);
	if (!ok(store_verify_dir(dir, &err) == 0, "%s: Berkeley DB verifies "
	    "every file", stage))
		diag("%s", err.data);
}

/* Pairs of one key as grp's format codes them (here, not by words.c
 * or runs.c). */
static void
pairs_enc(struct buf *b, const struct pair *v, size_t n, int packed)
{
	uint64_t	*ids;
	size_t		 i;

	if (packed == PACK_RUNS) {
		run_enc(b, v, n);
		return;
	}
	ids = xreallocarray(NULL, n + 1, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = v[i].id;
	chunk_enc(b, ids, n);
	free(ids);
}

/*
 * store_check() reads the packed chunks or runs: an id of a record that
 * is not under the key, one missing, and a damaged chunk or run in grp's
 * file are each reported naming the file, and a lookup through the
 * damaged one fails with a message; with it put back all is well again.
 */
static void
test_damage(int packed)
{
	const char	*what = packed == PACK_RUNS ? "run" : "chunk";
	struct dump	 d;
	struct buf	 key = BUF_INIT, data = BUF_INIT, orig = BUF_INIT;
	struct chunk	*c = NULL;
	struct pair	*v;
	uint64_t	 stray = 0;
	size_t		 i, n;
	char		*why;

	dump_init(&d);
	dump_index(st, X_GRP, &d);
	/* One of "a" alone (a run's last key is "a" too). */
	for (i = 0; i < d.nc && c == NULL; i++)
		if (d.c[i].klen == 1 && d.c[i].key[0] == 'a' &&
		    d.c[i].nids > 8 && (packed != PACK_RUNS ||
		    (d.c[i].lklen == 1 && d.c[i].lkey[0] == 'a')))
			c = &d.c[i];
	if (!ok(c != NULL && d.bad == 0, "damage: a %s of \"a\" to damage",
	    what))
		goto out;
	v = xreallocarray(NULL, c->nids + 1, sizeof(*v));
	for (i = n = 0; i < d.p.n; i++)
		if (key_cmp(d.p.v[i].key, d.p.v[i].klen, "a", 1) == 0 &&
		    d.p.v[i].id >= c->first && d.p.v[i].id <= c->last)
			v[n++] = d.p.v[i];
	/* A record of another key among its ids. */
	for (i = 0; i < nitems && stray == 0; i++)
		if (!items[i].gone && items[i].id > c->first &&
		    items[i].id < c->last && items[i].grp[0] != '\0' &&
		    strcmp(items[i].grp, "a") != 0)
			stray = items[i].id;
	words_key(&key, "a", 1, c->bound);
	pairs_enc(&orig, v, n, packed);

	/* The stray one in, in order. */
	for (i = n; i > 0 && v[i - 1].id > stray; i--)
		v[i] = v[i - 1];
	v[i] = v[0];
	v[i].id = stray;
	pairs_enc(&data, v, n + 1, packed);
	xasprintf(&why, "item %llu under \"a\" in a %s",
	    (unsigned long long)stray, what);
	damage_found(&key, &data, why);
	free(why);

	/* One missing (the second). */
	memmove(v + i, v + i + 1, (n - i) * sizeof(*v));
	memmove(v + 1, v + 2, (n - 2) * sizeof(*v));
	pairs_enc(&data, v, n - 1, packed);
	xasprintf(&why, "an id missing from a %s of \"a\"", what);
	damage_found(&key, &data, why);
	free(why);

	/* A varint cut short. */
	buf_reset(&data);
	buf_addch(&data, (char)0x85);
	xasprintf(&why, "a damaged %s", what);
	damage_found(&key, &data, why);
	free(why);
	damage_undone(&key, &orig, what);
	free(v);
out:
	dump_free(&d);
	buf_release(&key);
	buf_release(&data);
	buf_release(&orig);
}

/* store_lookup() of memo through its own index. */
struct mlk {
	const char	*key;
	uint64_t	 ids[4];
	size_t		 n;
};

static int
mlk_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct mlk	*l = arg;

	return (store_lookup(t, item, "memo", l->key, strlen(l->key), l->ids,
	    4, &l->n, e) < 0 ? -1 : 0);
}

static int
insert_one_txn(struct store_txn *t, void *arg, struct buf *e)
{
	return (store_insert(t, arg, "test", e));
}

static int
purge_one_txn(struct store_txn *t, void *arg, struct buf *e)
{
	return (store_purge(t, item, *(const uint64_t *)arg, "test", e));
}

/*
 * Keys too long for a lookup's buffer on the stack (2 KB): memo values
 * of some 1,500 Cyrillic letters, each pair a run of its own over 3 KB,
 * looked up, and the store checked.
 */
static void
test_long_keys(void)
{
	struct record	*rec = record_new(item);
	struct buf	 v[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	struct mlk	 l;
	uint64_t	 ids[3];
	size_t		 i, j, bad = 0;

	for (i = 0; i < 3; i++) {
		for (j = 0; j < 1500; j++)
			buf_adds(&v[i], "ж");
		buf_printf(&v[i], "%zu", i);
	}
	buf_reset(&err);
	for (i = 0; i < 3; i++) {
		item_row(rec, i);
		if (record_parse(rec, (size_t)table_field_pos(item, "memo"),
		    v[i].data, &err) != 0 || store_txn_run(st, 0,
		    insert_one_txn, rec, &err) != 0)
			tap_bail("cannot insert an item with a long memo");
		ids[i] = rec->id;
	}
	for (i = 0; i < 3; i++) {
		memset(&l, 0, sizeof(l));
		l.key = v[i].data;
		if (store_txn_run(st, STORE_TXN_READONLY, mlk_txn, &l,
		    &err) != 0 || l.n != 1 || l.ids[0] != ids[i])
			bad++;
	}
	buf_truncate(&v[0], v[0].len - 1);
	memset(&l, 0, sizeof(l));
	l.key = v[0].data;
	if (store_txn_run(st, STORE_TXN_READONLY, mlk_txn, &l, &err) != 0 ||
	    l.n != 0)
		bad++;
	ok(bad == 0, "runs: keys of 3 KB looked up, and one not there%s%s",
	    err.len ? ": " : "", err.data);
	buf_reset(&err);
	if (!ok(store_check(st, item, &err) == 0, "runs: store_check with "
	    "the keys of 3 KB"))
		diag("%s", err.data);
	/* Out again, for the model. */
	for (i = 0; i < 3; i++)
		if (store_txn_run(st, 0, purge_one_txn, &ids[i], &err) != 0)
			tap_bail("cannot purge an item with a long memo");
	for (i = 0; i < 3; i++)
		buf_release(&v[i]);
	record_free(rec);
}

/*
 * A walk in read committed (store_keys()) while another thread's inserts
 * cut the runs it walks.  The run under the walk's cursor stays as the
 * walk read it (degree 2 holds its page until the cursor moves), and a
 * cut of a run behind it or ahead of it writes the pairs where the walk
 * has been or is yet to go: each pair comes once, in order, and every
 * pair committed before the walk began comes.  In a new store of
 * WALK_BASE items named "w" and a number, ten apart, and inserts of
 * names between them in transactions of WALK_TXN, in random places.
 */
#define WALK_BASE	6000
#define WALK_TXN	20
#define WALK_INSERTS	3000	/* walks go on until so many are in */
#define WALK_PASSES	400	/* at most */

struct walkins {
	struct store	*s;
	volatile int	 stop;
	unsigned	 seed;		/* 0: names from*10 on, in order */
	size_t		 from, n, failed;
	uint64_t	 maxid;		/* the last id given */
};

static void
walk_name(char *name, size_t size, unsigned k)
{
	snprintf(name, size, "w%07u-%s", k, "walked past and cut");
}

static int
walk_insert_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct walkins	*w = arg;
	struct record	*rec = record_new(item);
	char		 name[40];
	size_t		 i;
	int		 r = 0;

	for (i = 0; i < WALK_TXN && r == 0; i++) {
		walk_name(name, sizeof(name), w->seed == 0 ?
		    (unsigned)(w->from + i) * 10 :
		    (unsigned)rand_r(&w->seed) % (WALK_BASE * 10));
		record_reset(rec);
		record_set_text(rec, f_name, name, strlen(name));
		if ((r = store_insert(t, rec, "test", e)) == 0)
			w->maxid = rec->id;
	}
	record_free(rec);
	return (r == 0 ? 0 : -1);
}

static void *
walk_inserter(void *arg)
{
	struct walkins	*w = arg;
	struct buf	 e = BUF_INIT;

	while (!w->stop) {
		buf_reset(&e);
		if (store_txn_run(w->s, 0, walk_insert_txn, w, &e) != 0)
			w->failed++;
		else
			w->n += WALK_TXN;
	}
	buf_release(&e);
	return (NULL);
}

struct walkseen {
	struct buf	 last;
	uint64_t	 lastid, maxid;	/* maxid: the first items' last */
	int		 back, have;
	size_t		 n, disorder, base;
};

static int
walk_fn(const void *key, size_t len, uint64_t id, void *arg)
{
	struct walkseen	*ws = arg;
	int		 c;

	if (ws->have) {
		c = store_pair_cmp(ws->last.data, ws->last.len, ws->lastid,
		    key, len, id);
		if (ws->back ? c <= 0 : c >= 0)
			ws->disorder++;
	}
	buf_reset(&ws->last);
	buf_add(&ws->last, key, len);
	ws->lastid = id;
	ws->have = 1;
	ws->n++;
	ws->base += id <= ws->maxid;
	/* Slow enough for the inserts to cut what it walks. */
	if (ws->n % 64 == 0)
		usleep(50);
	return (0);
}

static int
walk_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct walkseen	*ws = arg;

	ws->have = 0;
	ws->n = ws->disorder = ws->base = 0;
	return (store_keys(t, item, "name", NULL, 0, 0, ws->back ?
	    STORE_PAGE_BACKWARD : 0, walk_fn, ws, e) == 0 ? 0 : -1);
}

/* The B-tree items (runs) of item's name index in store s. */
static size_t
name_runs(struct store *s)
{
	struct store_table *t = store_table_get(s, item);
	struct store_index *ix = t != NULL ? store_index_find(t, "name", 0) :
	    NULL;
	DB_BTREE_STAT	*bs;
	size_t		 n;

	if (ix == NULL || ix->db->stat(ix->db, NULL, &bs, 0) != 0)
		tap_bail("cannot count the name index's runs");
	n = bs->bt_ndata;
	free(bs);
	return (n);
}

static void
test_walk_cuts(void)
{
	struct walkins	 w;
	struct walkseen	 ws;
	pthread_t	 th;
	char		*dir;
	size_t		 pass, before = 0, bad = 0, runs0, runs1;

	xasprintf(&dir, "%s/db-walk", top);
	memset(&w, 0, sizeof(w));
	w.s = open_store(dir);
	buf_reset(&err);
	for (w.from = 0; w.from < WALK_BASE; w.from += WALK_TXN)
		if (store_txn_run(w.s, 0, walk_insert_txn, &w, &err) != 0)
			tap_bail("cannot insert the walk's items");
	memset(&ws, 0, sizeof(ws));
	buf_init(&ws.last);
	ws.maxid = w.maxid;
	w.seed = 20261202;
	runs0 = name_runs(w.s);
	if (pthread_create(&th, NULL, walk_inserter, &w) != 0)
		tap_bail("cannot start a thread");
	for (pass = 0; pass < WALK_PASSES && (pass < 2 || w.n <
	    WALK_INSERTS); pass++) {
		ws.back = pass % 2;
		buf_reset(&err);
		if (store_txn_run(w.s, STORE_TXN_READONLY, walk_txn, &ws,
		    &err) != 0) {
			diag("walk %zu: %s", pass, err.data);
			bad++;
		}
		if (ws.disorder != 0 || ws.base != WALK_BASE) {
			diag("walk %zu (%s): %zu pairs, %zu out of order or "
			    "twice, %zu of the first %d", pass, ws.back ?
			    "backward" : "forward", ws.n, ws.disorder,
			    ws.base, WALK_BASE);
			bad++;
		}
		before = w.n;
	}
	w.stop = 1;
	pthread_join(th, NULL);
	runs1 = name_runs(w.s);
	ok(bad == 0 && w.failed == 0 && before >= WALK_INSERTS && runs1 >
	    runs0 + 50, "runs: %zu walks both ways while %zu names were "
	    "inserted among them (%zu runs cut to %zu): each pair once, in "
	    "order, and all of the first", pass, before, runs0, runs1);
	buf_reset(&err);
	if (!ok(store_check(w.s, item, &err) == 0, "runs: store_check after "
	    "the walks"))
		diag("%s", err.data);
	buf_release(&ws.last);
	store_close(w.s);
	free(dir);
}

/*
 * A pending item in the format before keys were coded by what they
 * share (defer.c: DEFER_MAGIC_1, each key whole), as a crash of an
 * older clerk leaves it in pending.db, is read at the next open and
 * written: here the memo index's one run is taken out by hand, and an
 * item of that format puts its pair back.
 */
static void
test_old_item(void)
{
	struct record	*rec = record_new(item);
	struct store	*s;
	struct store_index *ix;
	struct buf	 it = BUF_INIT;
	struct mlk	 l;
	unsigned char	 kb[8];
	char		*dir;
	DB_TXN		*txn;
	DBC		*c;
	DBT		 k, v;
	size_t		 tl;
	uint64_t	 lo;
	int		 ret;

	xasprintf(&dir, "%s/db-olditem", top);
	s = open_store(dir);
	buf_reset(&err);
	item_row(rec, 0);
	if (record_parse(rec, (size_t)table_field_pos(item, "memo"),
	    "an old item", &err) != 0 || store_txn_run(s, 0, insert_one_txn,
	    rec, &err) != 0 || store_settle(s, &err) != 0)
		tap_bail("cannot insert an item with a memo");
	ix = store_index_find(store_table_get(s, item), "memo", 0);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	if (ix == NULL || (ret = s->env->txn_begin(s->env, NULL, &txn,
	    0)) != 0 || (ret = ix->db->cursor(ix->db, txn, &c, 0)) != 0 ||
	    (ret = c->get(c, &k, &v, DB_FIRST)) != 0 ||
	    words_key_split(k.data, k.size, &tl, &lo) == -1)
		tap_bail("cannot read the memo index's run");
	/* The item: one file, one pair added, its key whole. */
	buf_addch(&it, 0xc1);
	store_varint_put(&it, 1);
	store_varint_put(&it, strlen(ix->file));
	buf_adds(&it, ix->file);
	store_varint_put(&it, 1);
	store_varint_put(&it, 0 << 1 | 1);
	store_varint_put(&it, lo);
	store_varint_put(&it, tl);
	buf_add(&it, k.data, tl);
	store_id_key(kb, 1000000);
	store_dbt(&k, kb, sizeof(kb));
	store_dbt(&v, it.data, it.len);
	if ((ret = c->del(c, 0)) != 0 || (ret = c->close(c)) != 0 ||
	    (ret = s->pending->put(s->pending, txn, &k, &v, 0)) != 0 ||
	    (ret = txn->commit(txn, 0)) != 0)
		tap_bail("cannot put an item of the format before");
	memset(&l, 0, sizeof(l));
	l.key = "an old item";
	ok(store_txn_run(s, STORE_TXN_READONLY, mlk_txn, &l, &err) == 0 &&
	    l.n == 0, "old item: the memo's pair taken out");
	store_close(s);
	s = open_store(dir);
	memset(&l, 0, sizeof(l));
	l.key = "an old item";
	ok(store_txn_run(s, STORE_TXN_READONLY, mlk_txn, &l, &err) == 0 &&
	    l.n == 1 && l.ids[0] == rec->id, "old item: a pending item with "
	    "keys whole is written at the next open%s%s", err.len ? ": " :
	    "", err.data);
	buf_reset(&err);
	if (!ok(store_check(s, item, &err) == 0, "old item: store_check"))
		diag("%s", err.data);
	store_close(s);
	buf_release(&it);
	record_free(rec);
	free(dir);
}

/*
 * Inserts in several transactions, the indexer writing behind, then
 * changes and more inserts, each stage checked against the model.
 */
static void
inserts_and_changes(const char *tag, int packed)
{
	char	*stage;
	size_t	 i;

	for (i = 0; i < NITEM; i += 900)
		insert_items(i, i + 900);
	insert_notes(0, 900);
	insert_notes(900, NNOTE);
	xasprintf(&stage, "%sinserted", tag);
	verify_all(stage, packed);
	free(stage);

	make_changes();
	insert_items(NITEM, NITEM + NMORE);
	xasprintf(&stage, "%schanged", tag);
	verify_all(stage, packed);
	free(stage);
}

int
main(void)
{
	struct schema	*old;
	char		*dir;

	tmp_folder(top, sizeof(top), "pack");
	xasprintf(&dir, "%s/db", top);
	sc = load_schema(1);
	ok(table_field(item, "grp")->shared && table_field(item,
	    "code")->shared && table_field(note, "item")->shared,
	    "the form's grp, code and note's item are shared");
	st = open_store(dir);
	inserts_and_changes("", PACK_CHUNKS);
	store_close(st);
	verify_closed(dir, "changed");

	test_load("load");

	/* The form without `shared': rebuilt in runs. */
	old = sc;
	sc = load_schema(0);
	schema_free(old);
	st = open_store(dir);
	verify_all("without shared", PACK_RUNS);
	store_close(st);
	verify_closed(dir, "without shared");

	/* With it again: in chunks again. */
	old = sc;
	sc = load_schema(1);
	schema_free(old);
	st = open_store(dir);
	verify_all("shared again", PACK_CHUNKS);
	test_damage(PACK_CHUNKS);
	store_close(st);
	verify_closed(dir, "shared again");

	/* In runs from the first insert: a new store, the form without
	 * `shared', written by runs_apply() in transactions. */
	old = sc;
	sc = load_schema(0);
	schema_free(old);
	memset(items, 0, sizeof(items));
	memset(notes, 0, sizeof(notes));
	nitems = 0;
	free(dir);
	xasprintf(&dir, "%s/db-runs", top);
	st = open_store(dir);
	inserts_and_changes("runs: ", PACK_RUNS);
	test_long_keys();
	test_damage(PACK_RUNS);
	store_close(st);
	verify_closed(dir, "runs: changed");
	test_load("runs: load");
	test_walk_cuts();
	test_old_item();

	schema_free(sc);
	buf_release(&err);
	rm_tree(top);
	free(dir);
	return (tap_done());
}
