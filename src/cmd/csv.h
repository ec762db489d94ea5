/*
 * csv.h: reading a text file sent for import, private to src/cmd.  The
 * character set (given, or found from a byte order mark, UTF-8 validity
 * and the shape of Cyrillic text), conversion to UTF-8 with the line of
 * a bad byte, and RFC 4180 records whose delimiter is found from the
 * header line.
 */
#ifndef CLERK_CSV_H
#define CLERK_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

enum csv_charset {
	CSV_UTF8,
	CSV_UTF8_BOM,
	CSV_UTF16LE,		/* with its BOM: Excel's "Unicode text" */
	CSV_UTF16BE,
	CSV_CP1251,
	CSV_CP866,
	CSV_KOI8R
};

/* For people: "utf-8", "utf-8 with BOM", "cp1251", ... */
const char	*csv_charset_name(enum csv_charset);
/*
 * An --encoding value (case aside: utf-8, utf8, cp1251, windows-1251,
 * cp866, ibm866, koi8-r, koi8r, auto): 0 with *cs set, 1 for auto, -1
 * when unknown.
 */
int		 csv_charset_parse(const char *, enum csv_charset *);
/*
 * The charset of data: a BOM (UTF-8 or UTF-16), else UTF-8 when the
 * bytes are (mostly) valid UTF-8, else whichever of cp1251, cp866 and KOI8-R
 * makes the most likely Russian text.  *valid (when not NULL) is 1
 * when every byte was checked and is valid UTF-8 (no BOM), so the caller
 * need not check it again.
 */
enum csv_charset csv_detect(const char *, size_t, int *);
/* 1 when the bytes above 0x7f are mostly valid UTF-8 sequences: UTF-8
 * text, perhaps with a few bad bytes. */
int		 csv_mostly_utf8(const char *, size_t);
/*
 * Scores of the single-byte Cyrillic charsets for data, higher = more
 * like Russian text; *letters is the number of bytes above 0x7f.  For
 * telling a given charset that does not fit the text.
 */
struct csv_scores {
	int64_t		 cp1251, cp866, koi8r;
	size_t		 letters;
};
void		 csv_score(const char *, size_t, struct csv_scores *);
enum csv_charset csv_best(const struct csv_scores *);
int64_t		 csv_score_of(const struct csv_scores *, enum csv_charset);

/*
 * Convert data in cs to UTF-8: the text after any BOM, appended to out.
 * On a byte that is not valid in cs: -1, *line and *offset (from the
 * start of data, 0-based) of the bad byte, and err saying so ("invalid
 * cp1251 byte 0x98 at byte 4 of the line (offset 1234 in the file)").
 */
int		 csv_decode(const char *, size_t, enum csv_charset,
		     struct buf *, size_t *, size_t *, struct buf *);

/* The byte of its line (1-based) that byte off of data is: where an
 * editor shows it, which the offset in a big file is not. */
size_t		 csv_column(const char *, size_t);

/* The delimiter of the header line: ',', ';' or '\t', the most often
 * found outside quotes (',' when none). */
int		 csv_sniff(const char *, size_t);

/*
 * A reader of records.  Fields may be quoted ("a, b", "say ""hi""",
 * line breaks inside); lines end in LF or CRLF; an empty line is no
 * record.  csv_next() fills row and returns 1, or 0 at the end.  A
 * malformed record still comes back, with error set (and the fields
 * read as well as could be).
 */
struct csv {
	const char	*p;
	size_t		 len, off;
	int		 delim;
	size_t		 line;		/* of the next record, 1-based */
};
struct csv_row {
	size_t		 line;		/* where the record starts */
	struct buf	 text;		/* fields, each NUL-terminated */
	size_t		*off;		/* field i at text.data + off[i] */
	size_t		 n, alloc;
	struct buf	 error;		/* "" when well formed */
	size_t		 error_field;	/* 0-based field the error is in */
};
void		 csv_init(struct csv *, const char *, size_t, int);
void		 csv_row_init(struct csv_row *);
void		 csv_row_release(struct csv_row *);
int		 csv_next(struct csv *, struct csv_row *);
#define csv_field(row, i) ((row)->text.data + (row)->off[(i)])

#endif
