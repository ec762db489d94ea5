/*
 * cmd-import.c: "import TABLE FILE [--encoding E] [--skip-unknown]
 * [--dry-run]": records
 * from a CSV file the client sent whole as the request's bulk data.  In
 * order: the character set (given or found), the header (fields by
 * name or label, in English or Russian), every row parsed and checked
 * outside any transaction, then against the database in short
 * read-only transactions (references, unique values), and only when
 * every line is good, all rows inserted in ONE transaction: all or
 * nothing (into a table that holds no record, a bulk load: store_load()).
 * Every bad line is reported as "FILE:LINE: field: message"
 * (up to IMPORT_MAX_REPORT of them).  A line whose phone, e-mail or ИНН
 * another record has, or an earlier line of the file, gets a warning
 * as "clerk add" gives one, and is imported all the same.  Must not
 * print, read files, or hold a transaction while waiting on the client.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "csv.h"

#define IMPORT_MAX_REPORT	100	/* bad lines listed, then "and N more" */
#define IMPORT_CHECK_CHUNK	2000	/* rows per read-only transaction */
#define IMPORT_GONE_EVERY	1024	/* rows between looks at the client */
#define IMPORT_LOOKUP_MAX	32	/* candidates of a composite unique */
/*
 * Rows from which an import into an empty table is a bulk load
 * (store_load(): each index written once a batch from its keys sorted,
 * not a key at a time).  Below it, the few rows go one by one as into
 * any table.
 */
#define IMPORT_BULK_MIN		1000
/*
 * Text from which the rows are parsed and checked by two threads, each
 * a half of the file (import_rows()): a million parties' 390 MB took
 * 4 s of the server's one thread before the load could begin.
 */
#define IMPORT_SPLIT_MIN	((size_t)1 << 20)

/* Columns that are no field: the archived mark, the id. */
#define COL_NONE	(-1)
#define COL_ARCHIVED	(-2)
#define COL_ID		(-3)
/* The tag of an id among the keys of rows_unique() (keyhash). */
#define TAG_ID		UINT32_MAX

/* Bad lines found, to be listed in line order. */
struct badline {
	size_t		 line;
	size_t		 seq;		/* order found, within a line */
	char		*text;		/* "FILE:LINE: what: message" */
};
struct badlist {
	struct badline	*v;
	size_t		 n, alloc;	/* kept */
	size_t		 total;		/* found, kept or not */
};

/*
 * A value of a row that may repeat another row's (cmd_dup_field()):
 * the hash of its field and key, the row and which value of the field.
 * All of them are sorted once, so the rare equal hashes sit together
 * and only those rows are decoded again to compare the keys; keeping
 * the keys themselves would cost many times the memory.
 */
struct dupkey {
	uint64_t	 hash;
	uint32_t	 row;
	uint16_t	 pos;		/* field */
	uint16_t	 elem;		/* value of a multi field */
};

/* A set of byte strings, each with the line it came from. */
struct keyhash {
	struct buf	 bytes;
	size_t		*off, *len, *line;	/* per entry */
	size_t		 n, alloc;
	size_t		*slot;			/* entry + 1, 0 = empty */
	size_t		 nslots;
};

struct import {
	struct cmd_ctx		*ctx;
	const struct table	*t;
	const char		*file;		/* as the operator typed it */
	enum csv_charset	 cs;
	int			 detected;
	int			 delim;
	int			 dry;
	int			 skip_unknown;	/* --skip-unknown */

	ssize_t			*col;		/* field of each column, -1 = none */
	char			**colname;	/* header cells */
	size_t			 ncols;

	/* The good rows, encoded (record_encode), and their lines: row i
	 * at row_at(); those from nrows1 on in enc2 (the second half's,
	 * import_rows()). */
	struct buf		 enc, enc2;
	size_t			*off, *len, *line;
	size_t			 nrows, alloc, nrows1;
	size_t			 narchived;	/* rows marked archived */
	/*
	 * The id each row keeps (its column's, as export writes it), or 0
	 * for a new one; how many have one, the largest, and whether they
	 * ascend in the file (a bulk transaction needs that: load_bulk()).
	 */
	uint64_t		*ids;
	size_t			 nids;
	uint64_t		 maxid;
	int			 idsdown;

	/*
	 * Each phase (rows, checks against the database, the insert) finds
	 * bad lines in line order, so keeping a phase's first ones keeps
	 * all that can be listed.
	 */
	struct badlist		 bad;
	size_t			 kept;		/* by this phase */
	size_t			 seq;

	/* Warnings: duplicates within the file, then of the database's
	 * records (as bad lines, the first ones of each kept). */
	struct dupkey		*dk;
	size_t			 ndk, dkalloc;
	struct badlist		 warn, wdb, wchunk;

	/* The transactions' state, reset at the start of each try. */
	size_t			 from, to;	/* rows of a check chunk */
	struct badlist		 chunk;		/* a chunk's bad lines */
	size_t			 done;
	int			 gone;
	/* A bulk transaction (load_bulk()): it goes on to the end. */
	int			 bulk;
	int			 toobig;	/* for it: aborted, go plain */
	struct record		*rec;
	struct buf		 lasterr;	/* the insert that failed */

	/* The second half's rows, parsed by another thread: it asks
	 * nothing of the client, and counts its rows for the progress. */
	int			 helper;
	atomic_size_t		 checked;	/* by the helper, so far */
	atomic_int		 stop;		/* the helper is to stop */
	struct import		*peer;		/* the helper's, meanwhile */
};

/* The second half of a file's rows (import_rows()). */
struct rows_half {
	struct import		*im;		/* its own lists and rows */
	struct csv		 c;
	struct keyhash		 kh;
	pthread_t		 thread;
};

static void
keyhash_init(struct keyhash *kh)
{
	memset(kh, 0, sizeof *kh);
	buf_init(&kh->bytes);
}

static void
keyhash_release(struct keyhash *kh)
{
	buf_release(&kh->bytes);
	free(kh->off);
	free(kh->len);
	free(kh->line);
	free(kh->slot);
	memset(kh, 0, sizeof *kh);
}

static size_t *
keyhash_find(struct keyhash *kh, const char *p, size_t len)
{
	size_t	 i, e;

	i = hash_fnv1a(p, len) & (kh->nslots - 1);
	for (;; i = (i + 1) & (kh->nslots - 1)) {
		if ((e = kh->slot[i]) == 0)
			return (&kh->slot[i]);
		e--;
		if (kh->len[e] == len &&
		    memcmp(kh->bytes.data + kh->off[e], p, len) == 0)
			return (&kh->slot[i]);
	}
}

static void
keyhash_grow(struct keyhash *kh)
{
	size_t	i, *s;

	free(kh->slot);
	kh->nslots = kh->nslots ? kh->nslots * 2 : 1024;
	kh->slot = xcalloc(kh->nslots, sizeof *kh->slot);
	for (i = 0; i < kh->n; i++) {
		s = keyhash_find(kh, kh->bytes.data + kh->off[i], kh->len[i]);
		*s = i + 1;
	}
}

/* Adds the key; returns 0, or the line of the entry it repeats. */
static size_t
keyhash_add(struct keyhash *kh, const char *p, size_t len, size_t line)
{
	size_t	*s;

	if (kh->n * 2 >= kh->nslots)
		keyhash_grow(kh);
	s = keyhash_find(kh, p, len);
	if (*s != 0)
		return (kh->line[*s - 1]);
	if (kh->n == kh->alloc) {
		kh->alloc = kh->alloc ? kh->alloc * 2 : 1024;
		kh->off = xreallocarray(kh->off, kh->alloc, sizeof *kh->off);
		kh->len = xreallocarray(kh->len, kh->alloc, sizeof *kh->len);
		kh->line = xreallocarray(kh->line, kh->alloc,
		    sizeof *kh->line);
	}
	kh->off[kh->n] = kh->bytes.len;
	kh->len[kh->n] = len;
	kh->line[kh->n] = line;
	buf_add(&kh->bytes, p, len);
	*s = ++kh->n;
	return (0);
}

/*
 * A bad line: "FILE:LINE: what: message".  what is a field or column
 * (NULL for the whole line).  Messages of record_parse() and
 * record_validate() name the field already ("field 'inn': ..."); that
 * part goes, as the line names it.
 */
static void
badlist_release(struct badlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Moves the entries of from to the end of to. */
static void
badlist_move(struct badlist *to, struct badlist *from)
{
	size_t	i;

	for (i = 0; i < from->n; i++) {
		if (to->n == to->alloc) {
			to->alloc = to->alloc ? to->alloc * 2 : 64;
			to->v = xreallocarray(to->v, to->alloc,
			    sizeof *to->v);
		}
		to->v[to->n++] = from->v[i];
	}
	to->total += from->total;
	free(from->v);
	memset(from, 0, sizeof *from);
}

static int
badline_cmp(const void *a, const void *b)
{
	const struct badline	*x = a, *y = b;

	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

static const char *msg_field(const struct table *, const char *);
static const char *fcol(const struct import *, size_t);

static void
bad_to(struct import *im, struct badlist *to, size_t line, const char *what,
    const char *msg)
{
	struct buf	 b = BUF_INIT, pfx = BUF_INIT;
	const char	*name;
	size_t		 kept;

	/* A chunk's count after what its phase kept already. */
	kept = im->kept + (to == &im->chunk ? to->n : 0);
	to->total++;
	if (kept >= IMPORT_MAX_REPORT)
		return;
	/* "field 'inn': " of the record's message goes: what names the
	 * field already, as the file does (its column's header). */
	if (what != NULL && (name = msg_field(im->t, msg)) != NULL) {
		buf_printf(&pfx, _("field '%s': %s"), name, "");
		msg += pfx.len;
	}
	if (line > 0)
		buf_printf(&b, "%s:%zu: ", im->file, line);
	else
		buf_printf(&b, "%s: ", im->file);
	if (what != NULL)
		buf_printf(&b, "%s: ", what);
	buf_adds(&b, msg);
	if (to->n == to->alloc) {
		to->alloc = to->alloc ? to->alloc * 2 : 64;
		to->v = xreallocarray(to->v, to->alloc, sizeof *to->v);
	}
	to->v[to->n].line = line;
	to->v[to->n].seq = im->seq++;
	to->v[to->n].text = buf_detach(&b, NULL);
	to->n++;
	if (to == &im->bad)
		im->kept++;
	buf_release(&pfx);
}

/* The field a message of the store names ("field 'party': ..."), or
 * NULL. */
static const char *
msg_field(const struct table *t, const char *msg)
{
	struct buf	 pfx = BUF_INIT;
	const char	*name = NULL;
	size_t		 i;

	for (i = 0; i < t->nfields && name == NULL; i++) {
		buf_reset(&pfx);
		buf_printf(&pfx, _("field '%s': %s"), t->fields[i].name, "");
		if (pfx.len > 0 && strncmp(msg, pfx.data, pfx.len) == 0)
			name = t->fields[i].name;
	}
	buf_release(&pfx);
	return (name);
}

static void
bad(struct import *im, size_t line, const char *what, const char *fmt, ...)
    PRINTFLIKE(4, 5);

static void
bad(struct import *im, size_t line, const char *what, const char *fmt, ...)
{
	struct buf	msg = BUF_INIT;
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	bad_to(im, &im->bad, line, what, msg.data);
	buf_release(&msg);
}

/*
 * A field as the file names it: the header of its column ("ИНН", "inn",
 * whatever matched), as an unclosed quote is told (csv.c); the field's
 * own name when no column holds it.
 */
static const char *
fcol(const struct import *im, size_t pos)
{
	size_t	c;

	for (c = 0; im->col != NULL && c < im->ncols; c++)
		if (im->col[c] == (ssize_t)pos && im->colname[c] != NULL)
			return (im->colname[c]);
	return (im->t->fields[pos].name);
}

/* The column of the field a message of the store names, or NULL. */
static const char *
msg_col(const struct import *im, const char *msg)
{
	const char	*name = msg_field(im->t, msg);
	ssize_t		 pos;

	if (name == NULL || (pos = table_field_pos(im->t, name)) < 0)
		return (name);
	return (fcol(im, (size_t)pos));
}

/* The same inside a check chunk: kept apart until its transaction is
 * over, as a retried one starts again. */
static void
chunk_bad(struct import *im, size_t line, const char *what, const char *msg)
{
	bad_to(im, &im->chunk, line, what, msg);
}

/* A warning for line of the file into to, counted always, kept while
 * its phase has fewer than IMPORT_MAX_REPORT. */
static void
warn_to(struct import *im, struct badlist *to, size_t line, const char *msg)
{
	struct buf	b = BUF_INIT;
	size_t		kept = to->n + (to == &im->wchunk ? im->wdb.n : 0);

	to->total++;
	if (kept >= IMPORT_MAX_REPORT)
		return;
	buf_printf(&b, "%s:%zu: %s", im->file, line, msg);
	if (to->n == to->alloc) {
		to->alloc = to->alloc ? to->alloc * 2 : 64;
		to->v = xreallocarray(to->v, to->alloc, sizeof *to->v);
	}
	to->v[to->n].line = line;
	to->v[to->n].seq = im->seq++;
	to->v[to->n].text = buf_detach(&b, NULL);
	to->n++;
}

/* How a file was read, for messages: "cp1251, detected; separated by
 * semicolons". */
static void
describe(const struct import *im, struct buf *b)
{
	buf_adds(b, csv_charset_name(im->cs));
	if (im->detected)
		buf_adds(b, _(", detected"));
	if (im->delim == ';')
		buf_adds(b, _("; fields separated by semicolons"));
	else if (im->delim == '\t')
		buf_adds(b, _("; fields separated by tabs"));
}

/* The first word with bytes above 0x7f (up to 24 bytes), to show how
 * a charset reads it. */
static void
sample_word(const char *p, size_t len, struct buf *out)
{
	size_t	i, j;

	for (i = 0; i < len; i++) {
		if ((unsigned char)p[i] < 0x80)
			continue;
		for (j = i; j < len && j - i < 24 && p[j] != ' ' &&
		    p[j] != ',' && p[j] != ';' && p[j] != '\t' &&
		    p[j] != '\n' && p[j] != '\r' && p[j] != '"'; j++)
			;
		if (j - i >= 3) {
			while (i > 0 && p[i - 1] != ' ' && p[i - 1] != ',' &&
			    p[i - 1] != ';' && p[i - 1] != '\t' &&
			    p[i - 1] != '\n' && p[i - 1] != '"' &&
			    j - i < 24)
				i--;
			buf_add(out, p + i, j - i);
			return;
		}
		i = j;
	}
}

static void read_as(const char *, size_t, enum csv_charset, struct buf *);

/*
 * Whether a single-byte charset was found by too narrow a margin to
 * trust, and if so the refusal.  A few words in capitals read as well
 * in KOI8-R as in cp1251 (the one's capitals are the other's small
 * letters: «ЗАО "ЭФФЕКТ"» reads «гюн "щттейр"»), and imported as the
 * wrong one they would be nonsense, silently.  A line of a client base
 * wins by 9 points a letter and more (csv_score()), such text by 4; and
 * of one to three letters (УФК, Ёж) any reading may win.
 */
#define AMBIGUOUS_PER_LETTER	6
#define AMBIGUOUS_LETTERS	4
static int
ambiguous(struct import *im, const char *data, size_t len)
{
	static const enum csv_charset all[] = {
		CSV_CP1251, CSV_CP866, CSV_KOI8R
	};
	struct csv_scores	 sc;
	struct buf		 w = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	enum csv_charset	 next = CSV_CP1251;
	int64_t			 top, second = INT64_MIN;
	size_t			 i;

	if (im->cs != CSV_CP1251 && im->cs != CSV_CP866 &&
	    im->cs != CSV_KOI8R)
		return (0);
	csv_score(data, len, &sc);
	top = csv_score_of(&sc, im->cs);
	for (i = 0; i < nitems(all); i++)
		if (all[i] != im->cs && csv_score_of(&sc, all[i]) > second) {
			second = csv_score_of(&sc, all[i]);
			next = all[i];
		}
	if (sc.letters >= AMBIGUOUS_LETTERS &&
	    top - second >= (int64_t)(AMBIGUOUS_PER_LETTER * sc.letters))
		return (0);
	sample_word(data, len, &w);
	if (w.len == 0) {
		/* No word of three letters: the first that has any. */
		for (i = 0; i < len && (unsigned char)data[i] < 0x80; i++)
			;
		while (i < len && (unsigned char)data[i] >= 0x80 &&
		    w.len < 24)
			buf_addch(&w, data[i++]);
	}
	read_as(w.data, w.len, im->cs, &a);
	read_as(w.data, w.len, next, &b);
	cmd_error(im->ctx, _("%s: too little text to tell its encoding: it "
	    "reads as '%s' in %s and as '%s' in %s; give --encoding"),
	    im->file, a.data, csv_charset_name(im->cs), b.data,
	    csv_charset_name(next));
	buf_release(&w);
	buf_release(&a);
	buf_release(&b);
	return (1);
}

static void
read_as(const char *p, size_t len, enum csv_charset cs, struct buf *out)
{
	size_t		line, off;
	struct buf	err = BUF_INIT;

	if (csv_decode(p, len, cs, out, &line, &off, &err) != 0)
		buf_adds(out, "?");
	buf_release(&err);
}

/*
 * The text of the file in UTF-8 (in text, or borrowed from the bulk
 * data when it is UTF-8 already).  Refuses a charset given that the
 * text plainly is not in: a UTF-8 file said to be cp1251, or cp1251 text
 * said to be KOI8-R, which would import without an error as nonsense.
 */
static int
import_decode(struct import *im, const char *enc, struct buf *text,
    const char **utf, size_t *utflen)
{
	struct cmd_ctx		*ctx = im->ctx;
	const char		*data = ctx->bulk != NULL ? ctx->bulk : "", *p;
	size_t			 len = ctx->bulklen, line, off, i;
	struct csv_scores	 sc;
	enum csv_charset	 best, given;
	struct buf		 err = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	struct buf		 w = BUF_INIT;
	int			 r, high = 0, valid = 0;

	r = enc != NULL ? csv_charset_parse(enc, &given) : 1;
	if (r == -1)
		return (cmd_usage(ctx, _("unknown encoding '%s'; use utf-8, "
		    "cp1251, cp866, koi8-r or auto"), enc));
	if (r == 1) {
		/* Found valid, the text is not checked again below. */
		im->cs = csv_detect(data, len, &valid);
		im->detected = 1;
		if (ambiguous(im, data, len))
			return (CMD_FAILED);
	} else if (given == CSV_UTF8) {
		im->cs = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ?
		    CSV_UTF8_BOM : CSV_UTF8;
	} else {
		im->cs = given;
		for (i = 0; i < len && !high; i++)
			high = (unsigned char)data[i] >= 0x80;
		if (high && utf8_valid(data, len, NULL)) {
			/* A word as the charset given would read it, as
			 * the refusal below shows one. */
			sample_word(data, len, &w);
			read_as(w.data, w.len, given, &a);
			cmd_error(ctx, _("%s: the file is in UTF-8, not %s "
			    "('%s' in UTF-8 is '%s' in %s); give --encoding "
			    "utf-8 (or auto)"), im->file,
			    csv_charset_name(given), w.data, a.data,
			    csv_charset_name(given));
			buf_release(&w);
			buf_release(&a);
			return (CMD_FAILED);
		}
		/*
		 * Only a clear verdict over enough letters: short or
		 * unusual text may score oddly in its own charset.
		 */
		csv_score(data, len, &sc);
		best = csv_best(&sc);
		if (best != given && sc.letters >= 16 &&
		    csv_score_of(&sc, best) - csv_score_of(&sc, given) >
		    (int64_t)(20 * sc.letters)) {
			sample_word(data, len, &w);
			read_as(w.data, w.len, given, &a);
			read_as(w.data, w.len, best, &b);
			cmd_error(ctx, _("%s: the text does not read as %s but "
			    "as %s ('%s' in %s is '%s' in %s); give "
			    "--encoding %s (or auto)"), im->file,
			    csv_charset_name(given), csv_charset_name(best),
			    a.data, csv_charset_name(given), b.data,
			    csv_charset_name(best), csv_charset_name(best));
			buf_release(&w);
			buf_release(&a);
			buf_release(&b);
			return (CMD_FAILED);
		}
	}

	/* Text has no NUL bytes; UTF-16 without its BOM has many. */
	if (im->cs != CSV_UTF16LE && im->cs != CSV_UTF16BE &&
	    (p = memchr(data, '\0', len)) != NULL) {
		off = (size_t)(p - data);
		line = 1;
		for (i = 0; i < off; i++)
			line += data[i] == '\n';
		cmd_error(ctx, _("%s:%zu: a NUL byte at byte %zu of the line "
		    "(offset %zu in the file): not a text file (or UTF-16 "
		    "without a byte order mark)"), im->file, line,
		    csv_column(data, off), off);
		return (CMD_FAILED);
	}
	if (im->cs == CSV_UTF8) {
		if (!valid && !utf8_valid(data, len, &off)) {
			line = 1;
			for (i = 0; i < off; i++)
				line += data[i] == '\n';
			if (csv_mostly_utf8(data, len)) {
				cmd_error(ctx, _("%s:%zu: invalid UTF-8 byte "
				    "0x%02x at byte %zu of the line (offset "
				    "%zu in the file; the rest is UTF-8)"),
				    im->file, line, (unsigned char)data[off],
				    csv_column(data, off), off);
				return (CMD_FAILED);
			}
			csv_score(data, len, &sc);
			cmd_error(ctx, _("%s:%zu: invalid UTF-8 byte 0x%02x at "
			    "byte %zu of the line (offset %zu in the file); "
			    "the file looks like %s: give --encoding %s (or "
			    "auto)"), im->file, line, (unsigned char)data[off],
			    csv_column(data, off), off,
			    csv_charset_name(csv_best(&sc)),
			    csv_charset_name(csv_best(&sc)));
			return (CMD_FAILED);
		}
		*utf = data;
		*utflen = len;
		return (CMD_OK);
	}
	if (csv_decode(data, len, im->cs, text, &line, &off, &err) != 0) {
		cmd_error(ctx, _("%s:%zu: %s%s"), im->file, line, err.data,
		    im->detected ? _(" (the encoding was detected; give "
		    "--encoding if it is another)") : "");
		buf_release(&err);
		return (CMD_FAILED);
	}
	*utf = text->data;
	*utflen = text->len;
	return (CMD_OK);
}

/* A header cell against a field: its name, or either label, folded. */
static int
header_matches(const char *cell, const struct field *f)
{
	struct buf	a = BUF_INIT, b = BUF_INIT;
	int		i, r = 0;

	utf8_foldkey(&a, cell, strlen(cell));
	utf8_foldkey(&b, f->name, strlen(f->name));
	r = strcmp(a.data, b.data) == 0;
	for (i = 0; i < 2 && !r; i++) {
		if (f->label[i] == NULL)
			continue;
		buf_reset(&b);
		utf8_foldkey(&b, f->label[i], strlen(f->label[i]));
		r = strcmp(a.data, b.data) == 0;
	}
	buf_release(&a);
	buf_release(&b);
	return (r);
}

static void
header_unknown(struct import *im, const char *cell)
{
	const struct table	 *t = im->t;
	const char		**names, *s;
	struct buf		  all = BUF_INIT, low = BUF_INIT;
	size_t			  i, n = 0, k;
	uint32_t		  cp;

	names = xcalloc(3 * t->nfields + 1, sizeof *names);
	for (i = 0; i < t->nfields; i++) {
		names[n++] = t->fields[i].name;
		if (t->fields[i].label[0] != NULL)
			names[n++] = t->fields[i].label[0];
		if (t->fields[i].label[1] != NULL)
			names[n++] = t->fields[i].label[1];
		buf_printf(&all, "%s%s ('%s')", i > 0 ? ", " : "",
		    field_label(&t->fields[i], im->ctx->lang),
		    t->fields[i].name);
	}
	/* Suggestions compare case-folded, but the cell may be in
	 * capitals: fold it first so "NMAE" finds "name". */
	for (i = 0; cell[i] != '\0'; i += k ? k : 1) {
		k = utf8_decode(cell + i, strlen(cell + i), &cp);
		utf8_encode(&low, utf8_lower(cp));
	}
	s = cmd_suggest(low.data, names, n);
	if (s != NULL)
		bad(im, 1, cell, _("unknown column (did you mean '%s'?)"), s);
	else
		bad(im, 1, cell, _("unknown column; the fields of '%s' are: "
		    "%s"), t->name, all.data);
	free(names);
	buf_release(&all);
	buf_release(&low);
}

static int
import_header(struct import *im, struct csv_row *row)
{
	const struct table	*t = im->t;
	struct buf		 cell = BUF_INIT;
	size_t			 i, j;
	ssize_t			 pos;
	char			*seen;

	im->ncols = row->n;
	im->col = xcalloc(row->n, sizeof *im->col);
	im->colname = xcalloc(row->n, sizeof *im->colname);
	seen = xcalloc(t->nfields + 1, 1);
	if (row->error.len > 0)
		bad(im, row->line, NULL, "%s", row->error.data);
	for (i = 0; i < row->n; i++) {
		buf_reset(&cell);
		buf_adds(&cell, csv_field(row, i));
		buf_trim(&cell);
		im->colname[i] = xstrdup(cell.data);
		im->col[i] = COL_NONE;
		if (cell.len == 0 && im->skip_unknown) {
			buf_set(&cell, _("column %zu has no name: not "
			    "imported"), i + 1);
			warn_to(im, &im->warn, row->line, cell.data);
			continue;
		}
		if (cell.len == 0) {
			bad(im, row->line, NULL, _("column %zu has no name"),
			    i + 1);
			continue;
		}
		/* What export writes besides the fields: the id, which
		 * the record keeps (a migration keeps every reference of
		 * the files of other tables right). */
		pos = table_field_pos(t, cell.data);
		if (pos < 0 && strcasecmp(cell.data, "id") == 0) {
			for (j = 0; j < i && im->col[j] != COL_ID; j++)
				;
			if (j < i)
				bad(im, row->line, "id", _("column %zu "
				    "repeats column %zu"), i + 1, j + 1);
			im->col[i] = COL_ID;
			continue;
		}
		/* And whether a record is archived (export --archived). */
		if (pos < 0 && strcasecmp(cell.data, "archived") == 0) {
			for (j = 0; j < i && im->col[j] != COL_ARCHIVED; j++)
				;
			if (j < i)
				bad(im, row->line, "archived", _("column %zu "
				    "repeats column %zu"), i + 1, j + 1);
			im->col[i] = COL_ARCHIVED;
			continue;
		}
		for (j = 0; pos < 0 && j < t->nfields; j++)
			if (header_matches(cell.data, &t->fields[j]))
				pos = (ssize_t)j;
		if (pos < 0 && im->skip_unknown) {
			/* A spreadsheet's own columns (№ п/п, a region):
			 * left out, said once. */
			buf_set(&cell, _("%s: unknown column, not imported"),
			    im->colname[i]);
			warn_to(im, &im->warn, row->line, cell.data);
			continue;
		}
		if (pos < 0) {
			header_unknown(im, cell.data);
			continue;
		}
		for (j = 0; j < i; j++) {
			if (im->col[j] == pos) {
				bad(im, row->line, t->fields[pos].name,
				    _("column %zu '%s' is the same field as "
				    "column %zu '%s'"), i + 1, cell.data, j + 1,
				    im->colname[j]);
				break;
			}
		}
		if (j < i)
			continue;
		im->col[i] = pos;
		seen[pos] = 1;
	}
	for (j = 0; j < t->nfields && im->bad.total == 0; j++) {
		if (!t->fields[j].required || t->fields[j].deflt != NULL ||
		    seen[j])
			continue;
		/* No column to name it by: the field as add names it. */
		buf_reset(&cell);
		buf_printf(&cell, "%s ('%s')", field_label(&t->fields[j],
		    im->ctx->lang), t->fields[j].name);
		bad(im, row->line, cell.data, _("a value is required, but the "
		    "file has no column for it"));
		/* Its column may be one --skip-unknown left out, misspelt:
		 * those are errors again, with the closest field. */
		for (i = 0; im->skip_unknown && i < row->n; i++)
			if (im->col[i] == COL_NONE && *im->colname[i] != '\0')
				header_unknown(im, im->colname[i]);
	}
	free(seen);
	buf_release(&cell);
	return (im->bad.total == 0 ? 0 : -1);
}

/* Names of the fields of a unique constraint: "inn, kpp". */
static void
unique_what(const struct import *im, const struct unique *u, struct buf *b)
{
	size_t	i;

	buf_reset(b);
	for (i = 0; i < u->nfields; i++)
		buf_printf(b, "%s%s", i > 0 ? ", " : "",
		    fcol(im, u->fields[i]));
}

/* Values of a unique constraint's fields: "inn 7707083893, kpp 7736...". */
static void
unique_values(const struct import *im, const struct record *rec,
    const struct unique *u, struct buf *b)
{
	size_t	i;

	buf_reset(b);
	for (i = 0; i < u->nfields; i++) {
		buf_printf(b, "%s%s ", i > 0 ? ", " : "",
		    fcol(im, u->fields[i]));
		record_format(rec, u->fields[i], 1, b);
	}
}

/*
 * Values that must be unique, among the rows of the file: the table's
 * composite constraints (hash key: constraint number, then the key) and
 * fields with a unique index (n + field position).
 */
static void
rows_unique(struct import *im, struct keyhash *kh, const struct record *rec,
    size_t line, int *badrow)
{
	const struct table	*t = im->t;
	struct keyset		 ks;
	struct buf		 k = BUF_INIT, what = BUF_INIT, vals = BUF_INIT;
	size_t			 u, i, prev;
	uint32_t		 tag;

	keyset_init(&ks);
	for (u = 0; u < t->nuniques + t->nfields; u++) {
		keyset_reset(&ks);
		if (u < t->nuniques)
			index_unique_keys(rec, &t->uniques[u], &ks);
		else if (t->fields[u - t->nuniques].index & IX_UNIQUE)
			index_field_keys(rec, u - t->nuniques, IX_UNIQUE, &ks);
		for (i = 0; i < ks.n; i++) {
			tag = (uint32_t)u;
			buf_reset(&k);
			buf_add(&k, &tag, sizeof tag);
			buf_add(&k, ks.bytes.data + ks.off[i], ks.len[i]);
			if ((prev = keyhash_add(kh, k.data, k.len, line)) == 0)
				continue;
			if (u < t->nuniques) {
				unique_what(im, &t->uniques[u], &what);
				unique_values(im, rec, &t->uniques[u], &vals);
				bad(im, line, what.data, _("the same as line "
				    "%zu (%s)"), prev, vals.data);
			} else
				bad(im, line, fcol(im, u - t->nuniques),
				    _("'%.*s' is on line %zu too"),
				    (int)ks.len[i], ks.bytes.data + ks.off[i],
				    prev);
			*badrow = 1;
			break;
		}
	}
	keyset_release(&ks);
	buf_release(&k);
	buf_release(&what);
	buf_release(&vals);
}

/* 1 yes, 0 no, -1 neither; in English or Russian. */
static int
yes_no(const char *s)
{
	static const char *const yes[] = { "yes", "y", "true", "1", "да",
	    "Да", "ДА" };
	static const char *const no[] = { "no", "n", "false", "0", "нет",
	    "Нет", "НЕТ" };
	size_t	i;

	for (i = 0; i < nitems(yes); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return (1);
	for (i = 0; i < nitems(no); i++)
		if (strcasecmp(s, no[i]) == 0)
			return (0);
	return (-1);
}

static const char *
row_at(const struct import *im, size_t i)
{
	return ((i < im->nrows1 ? im->enc.data : im->enc2.data) + im->off[i]);
}

/* Room for one more row in off, len and line. */
static void
row_room(struct import *im)
{
	if (im->nrows == im->alloc) {
		im->alloc = im->alloc ? im->alloc * 2 : 1024;
		im->off = xreallocarray(im->off, im->alloc, sizeof *im->off);
		im->len = xreallocarray(im->len, im->alloc, sizeof *im->len);
		im->line = xreallocarray(im->line, im->alloc,
		    sizeof *im->line);
		im->ids = xreallocarray(im->ids, im->alloc, sizeof *im->ids);
	}
}

/* The ids so far, with id the next row's. */
static void
row_id(struct import *im, uint64_t id)
{
	if (id == 0)
		return;
	if (id <= im->maxid)
		im->idsdown = 1;
	else
		im->maxid = id;
	im->nids++;
}

static void
row_keep(struct import *im, const struct record *rec, size_t line,
    uint64_t id)
{
	row_room(im);
	im->off[im->nrows] = im->enc.len;
	record_encode(rec, &im->enc);
	im->len[im->nrows] = im->enc.len - im->off[im->nrows];
	im->line[im->nrows] = line;
	im->ids[im->nrows] = id;
	im->nrows++;
	row_id(im, id);
	if (rec->flags & REC_ARCHIVED)
		im->narchived++;
}

/*
 * An id cell: a positive whole number, at most STORE_ID_MAX (as JSON
 * readers take an integer exactly).  0 and a bad line when it is not.
 */
static uint64_t
row_id_parse(struct import *im, const char *cell, size_t line)
{
	uint64_t	 id = 0;
	const char	*p;

	for (p = cell; *p >= '0' && *p <= '9'; p++) {
		if (id > (STORE_ID_MAX - (uint64_t)(*p - '0')) / 10) {
			bad(im, line, "id", _("'%s' is too big for an id (at "
			    "most %llu)"), cell,
			    (unsigned long long)STORE_ID_MAX);
			return (0);
		}
		id = id * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '\0' || p == cell || id == 0) {
		bad(im, line, "id", _("'%s' is not a positive whole number"),
		    cell);
		return (0);
	}
	return (id);
}

/* The id of a key of rows_unique_id(), after its tag. */
static uint64_t
key_id(const char *p)
{
	uint64_t	id = 0;
	int		i;

	for (i = 0; i < 8; i++)
		id = id << 8 | (unsigned char)p[i];
	return (id);
}

/* An id an earlier row has: a bad line (keyhash as rows_unique()). */
static void
rows_unique_id(struct import *im, struct keyhash *kh, uint64_t id,
    size_t line, int *badrow)
{
	unsigned char	 k[4 + 8];
	uint32_t	 tag = TAG_ID;
	size_t		 prev;
	int		 i;

	memcpy(k, &tag, 4);
	for (i = 0; i < 8; i++)
		k[4 + i] = (unsigned char)(id >> (56 - 8 * i));
	if ((prev = keyhash_add(kh, (const char *)k, sizeof k, line)) == 0)
		return;
	bad(im, line, "id", _("%llu is on line %zu too"),
	    (unsigned long long)id, prev);
	*badrow = 1;
}

/* The key of a value that may repeat: what cmd_duplicates() looks up
 * (fields with a unique index repeat as errors, not warnings). */
static int
dup_index(const struct field *f)
{
	if (!cmd_dup_field(f) || (f->index & IX_UNIQUE))
		return (0);
	return (IX_EXACT);
}

static void
rows_dupkeys(struct import *im, const struct record *rec, size_t row)
{
	const struct table	*t = im->t;
	struct keyset		 ks;
	struct dupkey		*d;
	size_t			 pos, i;
	uint64_t		 h;

	keyset_init(&ks);
	for (pos = 0; pos < t->nfields; pos++) {
		if (!dup_index(&t->fields[pos]) || !rec->values[pos].set)
			continue;
		keyset_reset(&ks);
		index_field_keys(rec, pos, IX_EXACT, &ks);
		for (i = 0; i < ks.n && i <= UINT16_MAX; i++) {
			if (im->ndk == im->dkalloc) {
				im->dkalloc = im->dkalloc ? im->dkalloc * 2 :
				    4096;
				im->dk = xreallocarray(im->dk, im->dkalloc,
				    sizeof *im->dk);
			}
			/* The field in the hash: equal keys of two fields
			 * are no duplicate. */
			h = hash_fnv1a(ks.bytes.data + ks.off[i], ks.len[i]) ^
			    ((uint64_t)pos * 0x9E3779B97F4A7C15ULL);
			d = &im->dk[im->ndk++];
			d->hash = h;
			d->row = (uint32_t)row;
			d->pos = (uint16_t)pos;
			d->elem = (uint16_t)i;
		}
	}
	keyset_release(&ks);
}

/*
 * The keys in (hash, row, pos, elem) order.  They come in (row, pos,
 * elem) order (rows_dupkeys() and rows_merge() keep it), so a stable
 * radix sort on the hash alone, 16 bits a pass, is that order: a
 * million parties' three million keys in a tenth of the time qsort()
 * took.
 */
static void
dupkeys_sort(struct dupkey *dk, size_t n)
{
	struct dupkey	*tmp, *x = dk, *y, *t;
	size_t		*count, i, sum, c;
	unsigned	 shift;

	if (n < 2)
		return;
	tmp = xreallocarray(NULL, n, sizeof *tmp);
	count = xreallocarray(NULL, 65536, sizeof *count);
	y = tmp;
	for (shift = 0; shift < 64; shift += 16) {
		memset(count, 0, 65536 * sizeof *count);
		for (i = 0; i < n; i++)
			count[(x[i].hash >> shift) & 0xffff]++;
		for (i = 0, sum = 0; i < 65536; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			y[count[(x[i].hash >> shift) & 0xffff]++] = x[i];
		t = x;
		x = y;
		y = t;
	}
	/* Four passes: the keys are back in dk. */
	free(tmp);
	free(count);
}

/* The key of d into ks (reset), its bytes at *p, *len. */
static int
dupkey_bytes(struct import *im, const struct dupkey *d, struct record *rec,
    struct keyset *ks, const char **p, size_t *len)
{
	struct buf	err = BUF_INIT;
	int		r;

	r = record_decode(rec, row_at(im, d->row),
	    im->len[d->row], &err);
	buf_release(&err);
	if (r != 0)
		return (-1);
	keyset_reset(ks);
	index_field_keys(rec, d->pos, IX_EXACT, ks);
	if (d->elem >= ks->n)
		return (-1);
	*p = ks->bytes.data + ks->off[d->elem];
	*len = ks->len[d->elem];
	return (0);
}

/*
 * Warnings for values that an earlier line of the file has too: the
 * keys sorted by hash, so equal values are neighbours.  The first
 * IMPORT_MAX_REPORT warnings, which are listed, compare the values
 * themselves (the rows decoded again), so two values whose hashes met
 * are no warning; past them a warning is only counted, and equal
 * hashes of one field are taken for equal values (a million parties
 * had half a million such lines, and decoding them cost a quarter of a
 * second; 64-bit hashes of a few million values meet about once in ten
 * million imports, and then the count is one too many).  Frees the
 * keys.
 */
static void
rows_duplicates(struct import *im)
{
	const struct table	*t = im->t;
	const struct dupkey	*d, *f;
	struct record		*ra, *rb;
	struct keyset		 ka, kb;
	struct buf		 msg = BUF_INIT;
	const char		*pa, *pb;
	size_t			 s, e, i, j, la, lb;

	if (im->ndk < 2)
		goto out;
	dupkeys_sort(im->dk, im->ndk);
	ra = record_new(t);
	rb = record_new(t);
	keyset_init(&ka);
	keyset_init(&kb);
	for (s = 0; s < im->ndk; s = e) {
		for (e = s + 1; e < im->ndk && im->dk[e].hash ==
		    im->dk[s].hash; e++)
			;
		for (i = s + 1; i < e; i++) {
			d = &im->dk[i];
			f = NULL;
			for (j = s; j < i && f == NULL; j++) {
				if (im->dk[j].pos != d->pos ||
				    im->dk[j].row == d->row)
					continue;
				if (im->warn.n >= IMPORT_MAX_REPORT) {
					/* Only counted: the hash is taken
					 * for the value. */
					f = &im->dk[j];
					break;
				}
				if (dupkey_bytes(im, &im->dk[j], ra, &ka, &pa,
				    &la) == 0 && dupkey_bytes(im, d, rb, &kb,
				    &pb, &lb) == 0 && la == lb &&
				    memcmp(pa, pb, la) == 0)
					f = &im->dk[j];
			}
			if (f == NULL)
				continue;
			if (im->warn.n >= IMPORT_MAX_REPORT) {
				im->warn.total++;
				continue;
			}
			buf_reset(&msg);
			buf_printf(&msg, _("line %zu has the same %s '%.*s'"),
			    im->line[f->row], fcol(im, d->pos), (int)lb,
			    pb);
			warn_to(im, &im->warn, im->line[d->row], msg.data);
		}
	}
	record_free(ra);
	record_free(rb);
	keyset_release(&ka);
	keyset_release(&kb);
out:
	free(im->dk);
	im->dk = NULL;
	im->ndk = im->dkalloc = 0;
	buf_release(&msg);
}

/*
 * A spreadsheet's text formula ="0274062111", as export --format excel
 * writes digits and leading = + - @ so that a spreadsheet keeps them as
 * text: the text inside, its doubled quotes single.
 */
static void
unformula(struct buf *cell)
{
	struct buf	 in = BUF_INIT;
	size_t		 i;

	if (cell->len < 3 || cell->data[0] != '=' || cell->data[1] != '"' ||
	    cell->data[cell->len - 1] != '"')
		return;
	for (i = 2; i < cell->len - 1; i++) {
		if (cell->data[i] != '"')
			continue;
		/* Only a quote doubled: anything else is a formula. */
		if (i + 1 >= cell->len - 1 || cell->data[i + 1] != '"')
			return;
		i++;
	}
	buf_add(&in, cell->data + 2, cell->len - 3);
	buf_reset(cell);
	for (i = 0; i < in.len; i++) {
		buf_addch(cell, in.data[i]);
		if (in.data[i] == '"')
			i++;
	}
	buf_release(&in);
}

/*
 * Every IMPORT_GONE_EVERY rows: the helper counts its rows and looks
 * whether it is to stop; the first thread asks the client and shows the
 * rows of both halves.  1 to stop.
 */
static int
rows_look(struct import *im, size_t nrows)
{
	if (im->helper) {
		atomic_store(&im->checked, nrows);
		return (atomic_load(&im->stop));
	}
	if (cmd_gone(im->ctx))
		return (1);
	if (im->peer != NULL)
		nrows += atomic_load(&im->peer->checked);
	cmd_progress(im->ctx, _("checked %zu rows"), nrows);
	return (0);
}

/*
 * The rows from c on, up to the first that starts at or after end, each
 * parsed and checked on its own and against the rows before it in kh;
 * the good ones kept encoded.  -1 when the client went away (or, for
 * the helper, it was told to stop).
 */
static int
rows_parse(struct import *im, struct csv *c, size_t end, struct keyhash *kh)
{
	const struct table	*t = im->t;
	struct csv_row		 row;
	struct record		*rec;
	struct buf		 err = BUF_INIT, cell = BUF_INIT;
	size_t			 i, nrows = 0;
	uint64_t		 id;
	int			 badrow, have, archived;

	csv_row_init(&row);
	rec = record_new(t);
	while (c->off < end && csv_next(c, &row) == 1) {
		nrows++;
		if (nrows % IMPORT_GONE_EVERY == 0 && rows_look(im, nrows)) {
			im->gone = 1;
			break;
		}
		if (row.error.len > 0) {
			bad(im, row.line, row.error_field < im->ncols ?
			    im->colname[row.error_field] : NULL, "%s",
			    row.error.data);
			continue;
		}
		if (row.n != im->ncols) {
			bad(im, row.line, NULL, dngettext("clerk",
			    "%zu field, but the header has %zu",
			    "%zu fields, but the header has %zu", row.n),
			    row.n, im->ncols);
			continue;
		}
		record_reset(rec);
		badrow = 0;
		have = 0;
		archived = 0;
		id = 0;
		for (i = 0; i < row.n; i++) {
			if (im->col[i] == COL_NONE)
				continue;
			buf_reset(&cell);
			buf_adds(&cell, csv_field(&row, i));
			buf_trim(&cell);
			unformula(&cell);
			/* An empty cell leaves the field to its default. */
			if (cell.len == 0)
				continue;
			if (im->col[i] == COL_ID) {
				if ((id = row_id_parse(im, cell.data,
				    row.line)) == 0)
					badrow = 1;
				continue;
			}
			if (im->col[i] == COL_ARCHIVED) {
				if ((archived = yes_no(cell.data)) == -1) {
					bad(im, row.line, "archived", _("'%s' "
					    "is neither yes nor no"),
					    cell.data);
					badrow = 1;
				}
				continue;
			}
			have = 1;
			if (record_parse(rec, im->col[i], cell.data,
			    &err) != 0) {
				bad(im, row.line, fcol(im, im->col[i]),
				    "%s", err.data);
				badrow = 1;
			}
		}
		if (!have) {
			/* A line of empty cells (a spreadsheet's trailing
			 * rows) is no record. */
			continue;
		}
		if (badrow)
			continue;
		record_defaults(rec);
		/* Every wrong field of the line, as add names them all:
		 * one run of the file shows what to mend. */
		for (i = 0; i < t->nfields; i++) {
			if (record_validate_field(rec, i, &err) == 0)
				continue;
			bad(im, row.line, fcol(im, i), "%s", err.data);
			badrow = 1;
		}
		if (badrow)
			continue;
		/* Values taken unchecked in part (a Treasury account), with
		 * a warning, as add takes them; named as the file's columns
		 * are. */
		for (i = 0; i < t->nfields; i++) {
			buf_reset(&err);
			if (record_validate_note(rec, i, &err) != 1)
				continue;
			buf_prefix(&err, "%s: ", fcol(im, i));
			warn_to(im, &im->warn, row.line, err.data);
		}
		rows_unique(im, kh, rec, row.line, &badrow);
		if (id != 0)
			rows_unique_id(im, kh, id, row.line, &badrow);
		/* Kept in the encoded header, which the insert replaces. */
		if (archived == 1)
			rec->flags |= REC_ARCHIVED;
		if (!badrow) {
			row_keep(im, rec, row.line, id);
			rows_dupkeys(im, rec, im->nrows - 1);
		}
	}
	record_free(rec);
	csv_row_release(&row);
	buf_release(&err);
	buf_release(&cell);
	return (im->gone ? -1 : 0);
}

static void *
rows_helper(void *arg)
{
	struct rows_half	*h = arg;

	rows_parse(h->im, &h->c, SIZE_MAX, &h->kh);
	return (NULL);
}

/* How many times ch is in p[0, n). */
static size_t
count_byte(const char *p, size_t n, int ch)
{
	const char	*e = p + n;
	size_t		 count = 0;

	while (p < e && (p = memchr(p, ch, e - p)) != NULL) {
		count++;
		p++;
	}
	return (count);
}

/*
 * Where the second half of the rows (from off, at line *line) may
 * begin: just after a line end past the middle with an even number of
 * quotes before it, so not inside a quoted field; 0 when there is none
 * near.  Only a guess: a plain quote inside an unquoted field fools it,
 * and import_rows() then finds the first half's last row going past it.
 */
static size_t
rows_split(const char *text, size_t len, size_t off, size_t *line)
{
	const char	*p, *e = text + len, *nl;
	size_t		 quotes, lines, tries;

	p = text + off + (len - off) / 2;
	quotes = count_byte(text + off, p - (text + off), '"');
	lines = count_byte(text + off, p - (text + off), '\n');
	for (tries = 0; tries < 64; tries++) {
		if ((nl = memchr(p, '\n', e - p)) == NULL || nl + 1 >= e)
			return (0);
		for (; p <= nl; p++)
			if (*p == '"')
				quotes++;
		lines++;
		if (quotes % 2 == 0) {
			*line += lines;
			return ((size_t)(nl + 1 - text));
		}
	}
	return (0);
}

/*
 * The second half's rows after the first's: its bad lines, its rows
 * and their keys; a row of it whose unique value a row of the first
 * half has is a bad line, and is not kept.  Frees what h holds.
 */
static void
rows_merge(struct import *im, struct rows_half *h, struct keyhash *kh)
{
	struct import		*two = h->im;
	const struct table	*t = im->t;
	struct record		*rec = NULL;
	struct buf		 err = BUF_INIT, what = BUF_INIT, vals = BUF_INIT;
	struct keyhash		*k2 = &h->kh;
	unsigned char		*drop = NULL;
	size_t			*map = NULL, *hit, e, r, lo, hi, n, i;
	const char		*key;
	uint32_t		 tag;

	badlist_move(&im->bad, &two->bad);
	badlist_move(&im->warn, &two->warn);
	im->kept += two->kept;
	for (e = 0; e < k2->n; e++) {
		key = k2->bytes.data + k2->off[e];
		if (*(hit = keyhash_find(kh, key, k2->len[e])) == 0)
			continue;
		/* The row of that line, if it was kept. */
		for (lo = 0, hi = two->nrows; lo < hi;) {
			r = lo + (hi - lo) / 2;
			if (two->line[r] < k2->line[e])
				lo = r + 1;
			else
				hi = r;
		}
		if (lo == two->nrows || two->line[lo] != k2->line[e])
			continue;	/* a bad line already */
		if (drop == NULL)
			drop = xcalloc(two->nrows, 1);
		if (drop[lo])
			continue;
		drop[lo] = 1;
		memcpy(&tag, key, sizeof tag);
		if (tag == TAG_ID) {
			bad(im, k2->line[e], "id", _("%llu is on line %zu "
			    "too"), (unsigned long long)key_id(key + sizeof tag), kh->line[*hit - 1]);
		} else if (tag < t->nuniques) {
			if (rec == NULL)
				rec = record_new(t);
			if (record_decode(rec, row_at(two, lo), two->len[lo],
			    &err) != 0)
				buf_set(&vals, "%s", err.data);
			else
				unique_values(im, rec, &t->uniques[tag], &vals);
			unique_what(im, &t->uniques[tag], &what);
			bad(im, k2->line[e], what.data, _("the same as line "
			    "%zu (%s)"), kh->line[*hit - 1], vals.data);
		} else
			bad(im, k2->line[e], fcol(im, tag - t->nuniques),
			    _("'%.*s' is on line %zu too"),
			    (int)(k2->len[e] - sizeof tag), key + sizeof tag,
			    kh->line[*hit - 1]);
	}

	/* The rows kept, after the first half's, where they are. */
	im->enc2 = two->enc;
	buf_init(&two->enc);
	im->nrows1 = im->nrows;
	map = xreallocarray(NULL, two->nrows ? two->nrows : 1, sizeof *map);
	for (r = 0; r < two->nrows; r++) {
		map[r] = SIZE_MAX;
		if (drop != NULL && drop[r])
			continue;
		row_room(im);
		im->off[im->nrows] = two->off[r];
		im->len[im->nrows] = two->len[r];
		im->line[im->nrows] = two->line[r];
		im->ids[im->nrows] = two->ids[r];
		row_id(im, two->ids[r]);
		map[r] = im->nrows++;
	}
	/* A dropped row may count among them, but then there is a bad
	 * line and no insert that would ask. */
	im->narchived += two->narchived;
	n = two->ndk;
	if (im->ndk + n > im->dkalloc) {
		im->dkalloc = im->ndk + n;
		im->dk = xreallocarray(im->dk, im->dkalloc, sizeof *im->dk);
	}
	for (i = 0; i < n; i++) {
		if (map[two->dk[i].row] == SIZE_MAX)
			continue;
		im->dk[im->ndk] = two->dk[i];
		im->dk[im->ndk++].row = (uint32_t)map[two->dk[i].row];
	}
	free(map);
	free(drop);
	record_free(rec);
	buf_release(&err);
	buf_release(&what);
	buf_release(&vals);
}

/* What the helper of rows_parse() holds. */
static void
rows_half_release(struct rows_half *h)
{
	struct import	*two = h->im;

	buf_release(&two->enc);
	free(two->off);
	free(two->len);
	free(two->line);
	free(two->ids);
	free(two->dk);
	badlist_release(&two->bad);
	badlist_release(&two->warn);
	free(two);
	keyhash_release(&h->kh);
}

/*
 * Every row parsed and checked on its own and against the other rows;
 * the good ones kept encoded.  No transaction.  A big file in two
 * halves at once, the second by another thread: the first half's
 * parse, going on to where the second began, proves the guess of
 * rows_split() right (it ends there, at the line counted), or the
 * second half's work is dropped and the first goes on alone.
 */
static int
import_rows(struct import *im, const char *text, size_t len)
{
	struct csv		 c;
	struct csv_row		 row;
	struct keyhash		 kh;
	struct rows_half	 h;
	size_t			 split = 0, line;
	int			 helper = 0, r = 0;

	csv_init(&c, text, len, im->delim);
	csv_row_init(&row);
	keyhash_init(&kh);
	if (csv_next(&c, &row) == 0) {
		bad(im, 0, NULL, _("the file is empty; its first line must "
		    "name the fields"));
		goto out;
	}
	if (import_header(im, &row) != 0)
		goto out;
	line = c.line;
	if (len - c.off >= IMPORT_SPLIT_MIN)
		split = rows_split(text, len, c.off, &line);
	if (split != 0) {
		memset(&h, 0, sizeof h);
		h.im = xcalloc(1, sizeof *h.im);
		h.im->ctx = im->ctx;
		h.im->t = im->t;
		h.im->file = im->file;
		h.im->delim = im->delim;
		h.im->col = im->col;
		h.im->colname = im->colname;
		h.im->ncols = im->ncols;
		h.im->helper = 1;
		h.im->nrows1 = SIZE_MAX;
		buf_init(&h.im->enc);
		buf_init(&h.im->enc2);
		keyhash_init(&h.kh);
		csv_init(&h.c, text, len, im->delim);
		h.c.off = split;
		h.c.line = line;
		if (pthread_create(&h.thread, NULL, rows_helper, &h) == 0)
			helper = 1;
		else
			rows_half_release(&h);
	}
	if (!helper) {
		r = rows_parse(im, &c, SIZE_MAX, &kh);
		goto out;
	}
	im->peer = h.im;
	r = rows_parse(im, &c, split, &kh);
	im->peer = NULL;
	if (r != 0 || c.off != split || c.line != line) {
		atomic_store(&h.im->stop, 1);
		pthread_join(h.thread, NULL);
		rows_half_release(&h);
		if (r == 0)
			r = rows_parse(im, &c, SIZE_MAX, &kh);
		goto out;
	}
	pthread_join(h.thread, NULL);
	rows_merge(im, &h, &kh);
	rows_half_release(&h);
out:
	csv_row_release(&row);
	keyhash_release(&kh);
	return (r != 0 || im->gone ? -1 : 0);
}

/*
 * Against the database, in short read-only transactions of a chunk of
 * rows each: references to records that do not exist, and values that
 * another record has where they must be unique.  The insert checks both
 * again, but stops at the first; this finds them all, and lets a dry
 * run say everything a real import would.
 */
static int
check_refs(struct import *im, struct store_txn *txn, const struct record *rec,
    size_t line, struct buf *err)
{
	const struct table	*t = im->t, *target;
	struct record		*other;
	struct buf		 msg = BUF_INIT, ref = BUF_INIT;
	size_t			 i;
	int			 r;

	for (i = 0; i < t->nfields; i++) {
		if (t->fields[i].type != FT_REF || !rec->values[i].set)
			continue;
		target = schema_table(im->ctx->schema, t->fields[i].ref_table);
		if (target == NULL)
			continue;
		r = access_get(im->ctx->session, txn, target,
		    (uint64_t)rec->values[i].i, &other, err);
		if (r < 0)
			return (-1);
		if (r == 0) {
			record_free(other);
			continue;
		}
		buf_reset(&ref);
		record_ref_text(target, (uint64_t)rec->values[i].i, NULL,
		    im->ctx->lang, &ref);
		buf_set(&msg, _("%s does not exist"), ref.data);
		chunk_bad(im, line, fcol(im, i), msg.data);
	}
	buf_release(&msg);
	buf_release(&ref);
	return (0);
}

/* A field of the constraint with an exact (or unique) index to look
 * candidates up by, or -1. */
static ssize_t
unique_lookup_field(const struct table *t, const struct unique *u, int *kind)
{
	size_t	i;

	for (i = 0; i < u->nfields; i++) {
		if (t->fields[u->fields[i]].multi)
			continue;
		if (t->fields[u->fields[i]].index & IX_EXACT) {
			*kind = IX_EXACT;
			return ((ssize_t)u->fields[i]);
		}
		if (t->fields[u->fields[i]].index & IX_UNIQUE) {
			*kind = IX_UNIQUE;
			return ((ssize_t)u->fields[i]);
		}
	}
	return (-1);
}

static int
check_uniques(struct import *im, struct store_txn *txn,
    const struct record *rec, size_t line, struct buf *err)
{
	const struct table	*t = im->t;
	const struct unique	*u;
	struct keyset		 mine, by, theirs;
	struct buf		 ix = BUF_INIT, what = BUF_INIT;
	struct buf		 vals = BUF_INIT, msg = BUF_INIT;
	struct buf		 title = BUF_INIT, ref = BUF_INIT;
	struct record		*other;
	uint64_t		 ids[IMPORT_LOOKUP_MAX];
	size_t			 q, n, j;
	ssize_t			 pos;
	int			 kind, r, ret = 0;

	keyset_init(&mine);
	keyset_init(&by);
	keyset_init(&theirs);
	for (q = 0; q < t->nuniques + t->nfields && ret == 0; q++) {
		keyset_reset(&mine);
		keyset_reset(&by);
		if (q < t->nuniques) {
			u = &t->uniques[q];
			index_unique_keys(rec, u, &mine);
			if (mine.n == 0 ||
			    (pos = unique_lookup_field(t, u, &kind)) < 0)
				continue;
			index_field_keys(rec, pos, kind, &by);
		} else {
			u = NULL;
			pos = (ssize_t)(q - t->nuniques);
			kind = IX_UNIQUE;
			if (!(t->fields[pos].index & IX_UNIQUE))
				continue;
			index_field_keys(rec, pos, IX_UNIQUE, &by);
		}
		if (by.n == 0)
			continue;
		buf_set(&ix, "%s:%s", t->fields[pos].name,
		    kind == IX_EXACT ? "exact" : "unique");
		n = 0;
		if (store_lookup(txn, t, ix.data, by.bytes.data + by.off[0],
		    by.len[0], ids, nitems(ids), &n, err) < 0) {
			ret = -1;
			break;
		}
		for (j = 0; j < n && j < nitems(ids); j++) {
			r = access_get(im->ctx->session, txn, t, ids[j],
			    &other, err);
			if (r < 0) {
				ret = -1;
				break;
			}
			if (r != 0)
				continue;
			keyset_reset(&theirs);
			if (u != NULL)
				index_unique_keys(other, u, &theirs);
			if (u != NULL && (theirs.n == 0 ||
			    theirs.len[0] != mine.len[0] ||
			    memcmp(theirs.bytes.data + theirs.off[0],
			    mine.bytes.data + mine.off[0], mine.len[0]) != 0)) {
				record_free(other);
				continue;
			}
			record_title(other, &title);
			if (u != NULL) {
				unique_what(im, u, &what);
				unique_values(im, rec, u, &vals);
			} else {
				buf_set(&what, "%s", fcol(im, (size_t)pos));
				buf_reset(&vals);
				record_format(rec, pos, 1, &vals);
			}
			/* The other record as add's refusal names it. */
			buf_reset(&ref);
			record_ref_text(t, ids[j], title.data, im->ctx->lang,
			    &ref);
			if (other->flags & REC_ARCHIVED)
				buf_adds(&ref, _(" (archived)"));
			buf_set(&msg, _("%s has the same (%s)"), ref.data,
			    vals.data);
			chunk_bad(im, line, what.data, msg.data);
			record_free(other);
			break;
		}
	}
	keyset_release(&mine);
	keyset_release(&by);
	keyset_release(&theirs);
	buf_release(&ix);
	buf_release(&what);
	buf_release(&vals);
	buf_release(&msg);
	buf_release(&title);
	buf_release(&ref);
	return (ret);
}

/*
 * A row's id against the table: a record that has it (archived too), or
 * one purged that had it (its history is in the audit trail, and an id
 * is never given twice), is a bad line.
 */
static int
check_id(struct import *im, struct store_txn *txn, uint64_t id, size_t line,
    struct buf *err)
{
	struct record	*other;
	struct buf	 msg = BUF_INIT, title = BUF_INIT, ref = BUF_INIT;
	int		 r;

	if ((r = store_id_used(txn, im->t, id, err)) < 0)
		return (-1);
	if (r == STORE_ID_TAKEN) {
		/* Named by its title where the operator may read it. */
		r = 1;
		if (access_check(im->ctx->session, im->t, ACCESS_READ,
		    &msg) == 0 &&
		    (r = store_get(txn, im->t, id, &other, err)) < 0) {
			buf_release(&msg);
			return (-1);
		}
		if (r == 0) {
			record_title(other, &title);
			record_free(other);
		}
		buf_reset(&ref);
		record_ref_text(im->t, id, r == 0 ? title.data : NULL,
		    im->ctx->lang, &ref);
		buf_set(&msg, _("%s has this id already"), ref.data);
		chunk_bad(im, line, "id", msg.data);
	} else if (r == STORE_ID_PURGED) {
		record_ref_text(im->t, id, NULL, im->ctx->lang, &ref);
		buf_set(&msg, _("%s was purged, and an id is never given "
		    "twice"), ref.data);
		chunk_bad(im, line, "id", msg.data);
	}
	buf_release(&msg);
	buf_release(&title);
	buf_release(&ref);
	return (0);
}

static int
check_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct import	*im = arg;
	size_t		 i;

	char		**w = NULL;
	size_t		 nw = 0, j;
	uint64_t	 n, used = 0;
	int		 r = 0, empty, refs = 0;

	badlist_release(&im->chunk);
	badlist_release(&im->wchunk);
	/*
	 * In a table with no record there is nothing to look a row's
	 * values up in (the rows among themselves: rows_unique() and
	 * rows_duplicates()); a migration into a new database spent a
	 * twentieth of its time finding nothing.  Nor an id above the
	 * largest the table has had (a migration's, all of them).
	 */
	if (store_count(txn, im->t, &n, err) != 0)
		return (-1);
	empty = n == 0;
	for (j = 0; j < im->t->nfields; j++)
		if (im->t->fields[j].type == FT_REF)
			refs = 1;
	if (im->nids > 0 && store_id_max(txn, im->t, &used, err) != 0)
		return (-1);
	if (empty && !refs && im->nids == 0)
		return (0);
	for (i = im->from; i < im->to && r == 0; i++) {
		if (im->ids[i] != 0 && im->ids[i] <= used &&
		    check_id(im, txn, im->ids[i], im->line[i], err) != 0)
			return (-1);
		if (empty && !refs)
			continue;
		if (record_decode(im->rec, row_at(im, i),
		    im->len[i], err) != 0)
			return (-1);
		if (check_refs(im, txn, im->rec, im->line[i], err) != 0)
			return (-1);
		if (empty)
			continue;
		if (check_uniques(im, txn, im->rec, im->line[i], err) != 0)
			return (-1);
		/* The same lookups as add's warnings, a value each. */
		im->rec->id = 0;
		r = cmd_duplicates(im->ctx, txn, im->rec, NULL, 0, &w, &nw,
		    err);
		for (j = 0; j < nw; j++)
			warn_to(im, &im->wchunk, im->line[i], w[j]);
		cmd_strings_free(w, nw);
		w = NULL;
		nw = 0;
	}
	return (r);
}

static int
import_check(struct import *im, struct buf *err)
{
	const struct table	*t = im->t;
	size_t			 i;
	int			 any = t->nuniques > 0 || im->nids > 0;

	for (i = 0; i < t->nfields && !any; i++)
		any = t->fields[i].type == FT_REF ||
		    (t->fields[i].index & IX_UNIQUE) ||
		    cmd_dup_field(&t->fields[i]);
	if (!any)
		return (0);
	for (im->from = 0; im->from < im->nrows; im->from = im->to) {
		im->to = im->from + IMPORT_CHECK_CHUNK;
		if (im->to > im->nrows)
			im->to = im->nrows;
		if (store_txn_run(im->ctx->store, STORE_TXN_READONLY,
		    check_txn, im, err) != 0)
			return (-1);
		im->kept += im->chunk.n;
		badlist_move(&im->bad, &im->chunk);
		badlist_move(&im->wdb, &im->wchunk);
		if (cmd_gone(im->ctx)) {
			im->gone = 1;
			return (-1);
		}
		cmd_progress(im->ctx, _("checked %zu of %zu rows against the "
		    "database"), im->to, im->nrows);
	}
	return (0);
}

/*
 * Row i is written: counted, shown in the progress, and every so often
 * the client asked whether it is still there (nobody waits for an
 * import whose client went away: all of it goes).
 */
static int
row_done(struct import *im, size_t i, struct buf *err)
{
	im->done = i + 1;
	/*
	 * A bulk transaction is not given up for a client that went away:
	 * Berkeley DB 5.3 undoes one only while no page it added unlogged
	 * was written again (store_load() keeps to that by writing each
	 * index once), and a panic would stop the server for everyone
	 * (clerkd(8)).  The file came whole and was checked: the import
	 * is committed as if the client had stayed, the progress going
	 * nowhere.
	 */
	if (!im->bulk && im->done % IMPORT_GONE_EVERY == 0 &&
	    cmd_gone(im->ctx)) {
		im->gone = 1;
		return (buf_error(err, _("the client went away")));
	}
	/* On a terminal, Ctrl-C would seem to stop what goes on. */
	if (im->bulk)
		cmd_progress(im->ctx, _("imported %zu of %zu rows (a bulk "
		    "load: it goes on to its end if interrupted)"), im->done,
		    im->nrows);
	else
		cmd_progress(im->ctx, _("imported %zu of %zu rows"), im->done,
		    im->nrows);
	return (0);
}

/* A row for store_load(), which asks for them in order (and again for
 * the two rows of a duplicate). */
static int
load_row(void *arg, size_t i, struct record *rec, struct buf *err)
{
	struct import	*im = arg;

	if (record_decode(rec, row_at(im, i), im->len[i],
	    err) != 0)
		return (-1);
	rec->id = im->ids[i];	/* 0: a new one */
	if (i < im->done)
		return (0);
	return (row_done(im, i, err));
}

/* Row i for store_load()'s key thread: decoded only (the encoded rows
 * are not written while the load runs; the counting is load_row()'s). */
static int
load_peek(void *arg, size_t i, struct record *rec, struct buf *err)
{
	struct import	*im = arg;

	return (record_decode(rec, row_at(im, i), im->len[i], err) != 0 ?
	    -1 : 0);
}

/*
 * Into a table that holds no record, many rows at once: 0, 1 when the
 * table is not empty (nothing written: one by one then), -1.  A row's
 * failure is listed as insert_txn() lists it; two rows with one unique
 * value (found before, by rows_unique(), so not expected here) name
 * both lines.  Rows marked archived go one by one (each is an insert
 * and then an archive).
 */
static int
insert_load(struct import *im, struct store_txn *txn, struct buf *err)
{
	struct store_load	 l;
	int			 r;

	memset(&l, 0, sizeof l);
	l.table = im->t;
	l.n = im->nrows;
	l.row = load_row;
	l.peek = load_peek;
	l.arg = im;
	l.keep_ids = im->nids > 0;
	l.maxid = im->maxid;
	r = access_load(im->ctx->session, txn, &l, err);
	if (r == STORE_NOTEMPTY)
		return (1);
	if (r == STORE_TOOBIG) {
		/* Undone (the transaction aborts), and done again in a
		 * plain one. */
		im->toobig = 1;
		return (buf_error(err, _("too big for one bulk transaction")));
	}
	if (r == 0)
		return (0);
	if (l.bad != SIZE_MAX && !im->gone) {
		if (l.other != SIZE_MAX)
			buf_printf(err, _("; line %zu has it too"),
			    im->line[l.other]);
		chunk_bad(im, im->line[l.bad], l.other != SIZE_MAX ? NULL :
		    msg_col(im, err->data), err->data);
		buf_set(&im->lasterr, "%s", err->data);
	}
	return (-1);
}

static int
empty_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct import	*im = arg;
	uint64_t	 n;

	if (store_count(txn, im->t, &n, err) != 0)
		return (-1);
	return (n == 0);
}

/*
 * The flags of the import's transaction: a bulk load (insert_txn() will
 * take store_load()) into a table that holds no record goes in a bulk
 * transaction (STORE_TXN_BULK: a fraction of the log, the pages written
 * at the commit).  Decided before it begins; a record added meanwhile
 * only sends the rows one by one in it, which works as well.  A failed
 * look is no bulk transaction, and the import finds out itself.
 */
static int
load_bulk(struct import *im)
{
	struct buf	 err = BUF_INIT;
	int		 r;

	if (im->nrows < IMPORT_BULK_MIN || im->narchived != 0)
		return (0);
	/*
	 * Ids kept go in a bulk transaction only in ascending order, all
	 * of them given: it writes each page it adds once, in key order,
	 * or cannot always be undone (store_load()).
	 */
	if (im->nids > 0 && (im->nids < im->nrows || im->idsdown))
		return (0);
	r = store_txn_run(im->ctx->store, STORE_TXN_READONLY, empty_txn, im,
	    &err);
	buf_release(&err);
	return (r == 1 ? STORE_TXN_BULK : 0);
}

/* All rows in one transaction.  A retry after a deadlock starts over. */
static int
insert_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct import	*im = arg;
	size_t		 i;
	int		 archived, r;

	im->done = 0;
	badlist_release(&im->chunk);
	buf_reset(&im->lasterr);
	if (im->nrows >= IMPORT_BULK_MIN && im->narchived == 0 &&
	    (r = insert_load(im, txn, err)) != 1)
		return (r);
	/* New ids after the kept ones, which a later line may have. */
	if (im->maxid != 0 &&
	    store_id_reserve(txn, im->t, im->maxid, err) != 0)
		return (-1);
	for (i = 0; i < im->nrows; i++) {
		if (record_decode(im->rec, row_at(im, i),
		    im->len[i], err) != 0)
			return (-1);
		im->rec->id = 0;
		archived = (im->rec->flags & REC_ARCHIVED) != 0;
		if (access_insert_id(im->ctx->session, txn, im->rec,
		    im->ids[i], err) != 0 ||
		    (archived && access_archive(im->ctx->session, txn, im->t,
		    im->rec->id, err) != 0)) {
			chunk_bad(im, im->line[i], msg_col(im, err->data),
			    err->data);
			buf_set(&im->lasterr, "%s", err->data);
			return (-1);
		}
		if (row_done(im, i, err) != 0)
			return (-1);
	}
	/*
	 * A last look before the commit: a client interrupted while the
	 * rows since the last look went in must not find them committed
	 * (only the commit itself is left for a Ctrl-C to come too late).
	 */
	if (cmd_gone(im->ctx)) {
		im->gone = 1;
		return (buf_error(err, _("the client went away")));
	}
	return (0);
}

static void
import_release(struct import *im)
{
	size_t	i;

	for (i = 0; i < im->ncols; i++)
		free(im->colname[i]);
	free(im->colname);
	free(im->col);
	buf_release(&im->enc);
	buf_release(&im->enc2);
	free(im->off);
	free(im->len);
	free(im->line);
	free(im->ids);
	badlist_release(&im->bad);
	badlist_release(&im->chunk);
	badlist_release(&im->warn);
	badlist_release(&im->wdb);
	badlist_release(&im->wchunk);
	free(im->dk);
	record_free(im->rec);
	buf_release(&im->lasterr);
}

/* The warnings, in line order, the first IMPORT_MAX_REPORT of them. */
static void
import_warnings(struct import *im)
{
	size_t	i, n, total;

	total = im->warn.total + im->wdb.total;
	badlist_move(&im->warn, &im->wdb);
	if (im->warn.n == 0)
		return;
	qsort(im->warn.v, im->warn.n, sizeof *im->warn.v, badline_cmp);
	n = im->warn.n < IMPORT_MAX_REPORT ? im->warn.n : IMPORT_MAX_REPORT;
	for (i = 0; i < n; i++)
		cmd_warn(im->ctx, "%s", im->warn.v[i].text);
	if (total > n)
		cmd_warn(im->ctx, dngettext("clerk",
		    "%s: and %zu more warning", "%s: and %zu more warnings",
		    total - n), im->file, total - n);
}

/* The error: how many lines were bad and nothing was changed, then the
 * lines themselves in line order (the CLI prints the first line after
 * "clerk: "). */
static int
import_failed(struct import *im)
{
	struct buf	*e = &im->ctx->error, how = BUF_INIT;
	size_t		 i, n;

	describe(im, &how);
	if (im->bad.n > 1)
		qsort(im->bad.v, im->bad.n, sizeof *im->bad.v, badline_cmp);
	buf_reset(e);
	buf_printf(e, dngettext("clerk",
	    "%s: %zu error, nothing imported (read as %s):",
	    "%s: %zu errors, nothing imported (read as %s):",
	    im->bad.total), im->file, im->bad.total, how.data);
	n = im->bad.n < IMPORT_MAX_REPORT ? im->bad.n : IMPORT_MAX_REPORT;
	for (i = 0; i < n; i++)
		buf_printf(e, "\n%s", im->bad.v[i].text);
	if (im->bad.total > n)
		buf_printf(e, _("\nand %zu more"), im->bad.total - n);
	buf_release(&how);
	return (CMD_FAILED);
}

static int
import_exec(struct cmd_ctx *ctx)
{
	struct import	 im;
	struct buf	 text = BUF_INIT, err = BUF_INIT, how = BUF_INIT;
	const char	*utf = NULL;
	size_t		 utflen = 0;
	int		 r;

	memset(&im, 0, sizeof im);
	im.ctx = ctx;
	buf_init(&im.enc);
	buf_init(&im.enc2);
	im.nrows1 = SIZE_MAX;
	buf_init(&im.lasterr);
	im.file = ctx->argv[1];
	im.dry = cmd_opt(ctx, "dry-run") != NULL;
	im.skip_unknown = cmd_opt(ctx, "skip-unknown") != NULL;
	if ((im.t = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if (access_check(ctx->session, im.t, ACCESS_CREATE, &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	r = import_decode(&im, cmd_opt(ctx, "encoding"), &text, &utf, &utflen);
	if (r != CMD_OK)
		goto out;
	im.delim = csv_sniff(utf, utflen);
	im.rec = record_new(im.t);

	r = CMD_FAILED;
	if (import_rows(&im, utf, utflen) != 0) {
		cmd_error(ctx, _("the client went away"));
		goto out;
	}
	/* A broken header leaves nothing to check further. */
	if (im.ncols == 0 || (im.bad.total > 0 && im.nrows == 0)) {
		import_failed(&im);
		goto out;
	}
	rows_duplicates(&im);
	/* The text is not needed any more: give its memory back before
	 * the transaction grows. */
	buf_release(&text);
	im.kept = 0;
	if (import_check(&im, &err) != 0) {
		if (im.gone)
			cmd_error(ctx, _("the client went away"));
		else
			cmd_error(ctx, _("%s: nothing imported: %s"), im.file,
			    err.data);
		goto out;
	}
	if (im.bad.total > 0) {
		import_failed(&im);
		goto out;
	}
	describe(&im, &how);
	if (im.dry) {
		buf_printf(&ctx->out, dngettext("clerk",
		    "would import %zu %s record from %s (%s); nothing was "
		    "written\n",
		    "would import %zu %s records from %s (%s); nothing was "
		    "written\n", im.nrows), im.nrows, im.t->name, im.file,
		    how.data);
		import_warnings(&im);
		r = CMD_OK;
		goto out;
	}
	im.bulk = load_bulk(&im) == STORE_TXN_BULK;
	/* A bulk load is not stopped by Ctrl-C (row_done()): said before
	 * it begins, where the user sees it. */
	if (im.bulk)
		cmd_progress_force(ctx, _("importing %zu rows in bulk: once "
		    "begun, it goes on to its end even if interrupted"),
		    im.nrows);
	else
		cmd_progress_force(ctx, _("importing %zu rows"), im.nrows);
	r = store_txn_run(ctx->store, im.bulk ? STORE_TXN_BULK : 0,
	    insert_txn, &im, &err);
	if (r != 0 && im.toobig) {
		/* Too big for the memory of a bulk load: in a plain
		 * transaction, in batches (clerk(1)). */
		im.bulk = im.toobig = 0;
		r = store_txn_run(ctx->store, 0, insert_txn, &im, &err);
	}
	if (r != 0) {
		/* A row's own failure, not one of the store's that ended
		 * the last try ("gave up after ... deadlocks: "). */
		if (im.chunk.n > 0 && strcmp(err.data, im.lasterr.data) == 0) {
			badlist_move(&im.bad, &im.chunk);
			import_failed(&im);
		} else
			cmd_error(ctx, _("%s: nothing imported: %s"), im.file,
			    err.data);
		r = CMD_FAILED;
		goto out;
	}
	buf_printf(&ctx->out, dngettext("clerk",
	    "imported %zu %s record from %s (%s)\n",
	    "imported %zu %s records from %s (%s)\n", im.nrows), im.nrows,
	    im.t->name, im.file, how.data);
	import_warnings(&im);
	r = CMD_OK;
out:
	import_release(&im);
	buf_release(&text);
	buf_release(&err);
	buf_release(&how);
	return (r);
}

const struct cmd_entry cmd_import_entry = {
	"import", "TABLE FILE [--encoding utf-8|cp1251|cp866|koi8-r|auto] "
	    "[--skip-unknown] [--dry-run]",
	N_("add records from a CSV file, all of them or none"),
	"encoding=,skip-unknown,dry-run", 2, 2, import_exec
};
