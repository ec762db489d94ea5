/*
 * record: the schema (tables and fields, loaded from the forms/ files), the
 * in-memory record, its versioned encoding, and the validators for
 * Russian requisites, e-mails and phones.  Knows nothing of Berkeley DB:
 * the store assigns field ids and persists what this layer encodes.
 * Never prints.
 */
#ifndef CLERK_RECORD_H
#define CLERK_RECORD_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

enum field_type {
	FT_TEXT,	/* UTF-8, at most maxlen characters */
	FT_INT,		/* int64 */
	FT_MONEY,	/* int64 kopecks */
	FT_QTY,		/* int64 thousandths */
	FT_DATE,	/* int32 days since the epoch, stored as int64 */
	FT_DATETIME,	/* int64 seconds since the epoch */
	FT_BOOL,	/* 0 or 1, stored as int64 */
	FT_ENUM,	/* the value's name, stored as text */
	FT_REF,		/* uint64 id of a record of ref_table, stored as int64 */
	FT_PHONE,	/* E.164 "+79161234567", stored as text */
	FT_EMAIL	/* "user@example.ru", stored as text */
};
/* True when the value is kept as int64 (else as text). */
#define FT_IS_INT(t) ((t) != FT_TEXT && (t) != FT_ENUM && \
	(t) != FT_PHONE && (t) != FT_EMAIL)

/* Index kinds of a field; a field may have several. */
#define IX_EXACT	0x01	/* key = the value's bytes (ints big-endian, sign-flipped) */
#define IX_FOLDED	0x02	/* key = fold key of the text */
#define IX_UNIQUE	0x04	/* exact key, at most one record per key */
#define IX_SEARCH	0x08	/* the table's word-token index includes this field */

enum validator {
	VAL_NONE,
	VAL_INN,		/* 10 or 12 digits, checksums */
	VAL_INN_ORG,		/* 10 digits */
	VAL_INN_PERSON,		/* 12 digits */
	VAL_KPP,
	VAL_OGRN,		/* 13 digits (ОГРН) or 15 digits (ОГРНИП) */
	VAL_BIK,
	VAL_ACCOUNT,		/* settlement account against the БИК in arg */
	VAL_CORR_ACCOUNT,	/* correspondent account against the БИК in arg */
	VAL_SNILS,
	VAL_BIRTHDAY		/* a date field: not ahead, not 150 years back */
};

struct enum_value {
	char	*name;		/* stored value, e.g. "org" */
	char	*label[2];	/* English, Russian */
	char	**also;		/* other words read as it ("ИП"), or NULL */
	size_t	 nalso;
};

struct field {
	char		*name;
	char		*label[2];	/* English, Russian */
	enum field_type	 type;
	size_t		 maxlen;	/* FT_TEXT: characters; 0 = no limit */
	int		 required;
	/* Set in every record (the store says at open): required since
	 * its table began, so its index holds every record.  A field
	 * added later, or optional at some time, may be missing from old
	 * records, required or not. */
	int		 always;
	int		 multi;		/* a list of values (phones, e-mails, tags) */
	char		*deflt;		/* default, as text ("today" allowed), or NULL */
	int		 index;		/* IX_* bits */
	/* Index kept as packed id lists (the store's word-index format):
	 * many records share each value (a status, a city, a manager). */
	int		 shared;
	enum validator	 validator;
	char		*validator_arg;	/* another field's name, or NULL */
	char		*ref_table;	/* FT_REF */
	struct enum_value *values;	/* FT_ENUM */
	size_t		 nvalues;
	uint16_t	 id;		/* assigned by the store; 0 = not yet */
	size_t		 pos;		/* index of this field in table->fields */
	int		 line;		/* where the form declares it */
};

/* A composite unique constraint: "unique inn kpp when kind = org". */
struct unique {
	char		 *name;		/* "inn_kpp" */
	size_t		 *fields;	/* positions in table->fields */
	size_t		  nfields;
	ssize_t		  when_field;	/* -1 = always */
	char		 *when_value;
	int		  line;
};

/* A drawn screen: lines of text with [field] entries and <field> labels. */
struct screen_item {
	int		 row, col;	/* 0-based, in display cells */
	int		 width;		/* in display cells */
	int		 is_label;	/* <name> (label) or [name] (entry) */
	size_t		 field;		/* position in table->fields */
};
struct screen {
	char		**lines;	/* the drawn text, items blanked out */
	size_t		  nlines;
	struct screen_item *items;
	size_t		  nitems;
};

struct table {
	char		*name;
	char		*label[2];	/* singular, English and Russian */
	char		*plural[2];	/* plural, for menus and lists */
	struct field	*fields;
	size_t		 nfields;
	struct unique	*uniques;
	size_t		 nuniques;
	char		**list_cols;	/* default list columns, or NULL = all */
	size_t		 nlist_cols;
	struct screen	 screen;
	char		*file;		/* the form file it came from */
	int		 has_search;	/* any field with IX_SEARCH */
};

struct schema {
	struct table	**tables;
	size_t		  ntables;
};

/*
 * Forms.  schema_load() reads every *.form in a directory in name order;
 * schema_load_file() adds one file.  Errors are "file:line: message" and
 * leave the schema unchanged; references to unknown tables are checked
 * by schema_check() after everything is loaded.
 */
struct schema	*schema_new(void);
void		 schema_free(struct schema *);
int		 schema_load(struct schema *, const char *, struct buf *);
int		 schema_load_file(struct schema *, const char *, struct buf *);
int		 schema_load_string(struct schema *, const char *, const char *,
		     struct buf *);
int		 schema_check(struct schema *, struct buf *);
struct table	*schema_table(const struct schema *, const char *);
struct field	*table_field(const struct table *, const char *);
ssize_t		 table_field_pos(const struct table *, const char *);
/*
 * The positions of the table's fields in the order a person meets them:
 * the entries of its screen by line and column, then any field the
 * screen lacks in form order.  out has room for t->nfields; returns
 * t->nfields.
 */
size_t		 table_screen_order(const struct table *, size_t *);
const char	*field_type_name(enum field_type);
/* Whether values of the type are numbers, right-aligned in a table:
 * int, money and qty (a reference shows its record's name). */
int		 field_type_right(enum field_type);
/* Label in the language: 0 English, 1 Russian (falls back to English). */
const char	*field_label(const struct field *, int);
/* A table's singular label in the language, as field_label(). */
const char	*table_label(const struct table *, int);
const struct enum_value *field_enum(const struct field *, const char *);

/*
 * Records.  A value is either unset, an int64 or a text (UTF-8, owned by
 * the record).  Multi fields keep their elements joined by '\n'.
 * Fields that the form no longer has (or that a newer form added and this
 * one does not know) are kept opaque in extra and written back, so an
 * older form never loses data.
 */
struct value {
	int	 set;
	int64_t	 i;
	char	*s;
	size_t	 len;
};

#define REC_ARCHIVED	0x01

struct record {
	const struct table *table;
	uint64_t	 id;		/* 0 until inserted */
	uint32_t	 rev;		/* 1 after insert, +1 per update */
	uint32_t	 flags;		/* REC_* */
	int64_t		 created, updated;
	const char	*created_by, *updated_by;	/* record_name()s */
	struct value	*values;	/* table->nfields of them */
	struct buf	 extra;		/* encoded entries of unknown field ids */
	struct buf	 texts;		/* decoded texts, NUL-separated (see below) */
};

/*
 * Language of enum labels and yes/no in record_format(..., plain = 0):
 * 0 English, 1 Russian.  Set once by the program from its locale.
 */
extern int	 record_lang;

/*
 * The names of the operators who made and last changed records: each
 * distinct name is kept once for the life of the process (an office has
 * a few dozen operators; a name is at most 255 bytes), so a record's
 * created_by and updated_by point at the one copy, are never freed and
 * are compared by pointer.  record_name() of "" or len 0 is NULL.  A
 * page of fifty records decoded made a hundred copies of the same two
 * names, a tenth of the page's time in malloc.  Thread-safe.
 */
const char	*record_name(const char *, size_t);

/*
 * record_new() is one allocation (the values live behind the record).
 * Text values decoded by record_decode() point into rec->texts, one
 * buffer per record, so decoding allocates nothing per field; values set
 * otherwise are owned one by one.  Either way, change values only through
 * record_clear() and record_set_*(), never free(v->s).  An empty text is
 * the same as unset.
 */
struct record	*record_new(const struct table *);
/*
 * record_new() with room for the texts of an encoded record of that
 * many bytes in the same allocation, for a record about to be decoded
 * once (a page of a list): one allocation a record, not two.  A record
 * decoded again from a larger one moves its texts to one of their own.
 */
struct record	*record_new_room(const struct table *, size_t);
void		 record_free(struct record *);
struct record	*record_dup(const struct record *);
void		 record_clear(struct record *, size_t);
void		 record_set_int(struct record *, size_t, int64_t);
void		 record_set_text(struct record *, size_t, const char *, size_t);
/* Unset every value, drop extra, zero id, rev, flags, times and users;
 * memory is kept for the next record_decode() into the same record. */
void		 record_reset(struct record *);
/*
 * Parse a value typed by a person or read from a file into field pos:
 * the type's syntax (money "1 234,56", dates, enums by name or label in
 * either language, refs by id, phones normalised, multi values split on
 * ',' or ';'), then length.  An empty string clears the field.  -1 with
 * "field 'inn': ..." messages.  Validators run in record_validate().
 */
int		 record_parse(struct record *, size_t, const char *,
		     struct buf *);
/* The same with why the value is wrong alone in why ("'abc' is not a
 * phone number"), for a caller that names the field itself. */
int		 record_parse_why(struct record *, size_t, const char *,
		     struct buf *);
/* A requisite typed in groups ("7707 083 893") as the digits a field
 * with a validator keeps: its blanks dropped, into out. */
void		 record_requisite_compact(const char *, struct buf *);
/*
 * A value, the one way every listing shows it (list, show, query,
 * report, the terminal), appended to out; an unset value appends
 * nothing.  VALUE_PEOPLE: choices by their label in lang (0 English,
 * 1 Russian), money as 1,234.56 (English) or 1 234,56 (Russian), dates
 * as 31.01.2026, yes/no or да/нет, Russian phones as +7 495 123-45-67,
 * a list's elements joined by ", ".  VALUE_FILE (CSV, TSV, JSON's
 * strings): as stored and as import reads them back: choices by name,
 * 1234.56, 2026-01-31, yes/no, phones as +74951234567, elements joined
 * by "; ".  VALUE_NOTE: the values of VALUE_FILE joined by ", ", for
 * messages and the audit trail.  f gives a choice's labels and may be
 * NULL (a computed value: a choice shows as stored); type is the
 * value's (f's own, or a function's).
 */
#define VALUE_PEOPLE	0
#define VALUE_FILE	1
#define VALUE_NOTE	2
void		 record_value_format(const struct field *, enum field_type,
		     const struct value *, int, int, struct buf *);
/* The same as JSON: null, a number (money and quantities exact), true
 * or false, a string as in a file (VALUE_FILE), or, when list, an array
 * of the list's elements as stored. */
void		 record_value_json(const struct field *, enum field_type,
		     const struct value *, int, struct buf *);
/* Field pos of rec: VALUE_NOTE when plain, else VALUE_PEOPLE in
 * record_lang. */
void		 record_format(const struct record *, size_t, int,
		     struct buf *);
/* A short name of a record for messages: its name field, its first
 * text set, or "#id". */
void		 record_title(const struct record *, struct buf *);
/* A record for people in a message: "Client #2 ООО «Альфа»", the
 * table's label in lang, the id, and the title when one is given. */
void		 record_ref_text(const struct table *, uint64_t, const char *,
		     int, struct buf *);
/* Defaults for unset fields (new records). */
void		 record_defaults(struct record *);
/*
 * Check required fields, lengths and validators (cross-field ones like an
 * account against its БИК too).  On failure -1, *badpos = the first wrong
 * field's position and err = "field 'inn': checksum does not match".
 */
int		 record_validate(const struct record *, size_t *, struct buf *);
/* One field of record_validate(): 0, or -1 with why it is wrong alone
 * in why ("check digit should be 3, not 4"). */
int		 record_validate_field(const struct record *, size_t,
		     struct buf *);
/*
 * What record_validate_field() accepted without checking it in full, for
 * a warning: 1 with why alone in why (valid_account_warning(): an
 * account with no БИК, a Treasury account), else 0.
 */
int		 record_validate_note(const struct record *, size_t,
		     struct buf *);
/*
 * A wrong value named for people, appended to out: "ИНН ('inn'): why",
 * the label in lang (0 English, 1 Russian) as the card shows it, then
 * the name a command line types it by (and a file's column is headed
 * with), quoted.
 */
void		 record_field_error(const struct field *, int, const char *,
		     struct buf *);
/* Positions of fields whose values differ between a and b. */
size_t		 record_diff(const struct record *, const struct record *,
		     size_t *, size_t);
int		 record_value_equal(const struct value *, const struct value *,
		     enum field_type);

/*
 * Encoding (DESIGN.md §3).  Big-endian:
 *   u8 format (1), u8 flags, u32 rev, i64 created, i64 updated,
 *   u8 len + created_by, u8 len + updated_by,
 *   then per set field: u16 id, u8 type, u32 len, bytes
 *   (ints as 8 bytes, texts as their bytes).
 * Fields whose id is 0 are not written (the store assigns ids first).
 */
void		 record_encode(const struct record *, struct buf *);
/*
 * record_encode() appends to out.  record_decode() replaces the record's
 * values and header (rec->id is kept: the id is the key, not the value);
 * entries of ids the table does not have, or whose type differs from the
 * field's, go to extra and are written back by record_encode() unless
 * the field has a value again.  Truncated or garbage input: -1 with a
 * message, and the record is left reset.
 */
int		 record_decode(struct record *, const void *, size_t,
		     struct buf *);
/*
 * Find field id in an encoded record without allocating: 1 and *v filled
 * (ints in v->i; texts as v->s/v->len pointing into data, NOT
 * NUL-terminated), 0 if the record has no such entry, -1 if corrupt.
 * The type is not checked against any table: the caller knows it.
 */
int		 record_decode_field(const void *, size_t, uint16_t,
		     struct value *);
/* The times of an encoded record's header: 0, or -1 if corrupt. */
int		 record_decode_times(const void *, size_t, int64_t *,
		     int64_t *);

/*
 * Index keys.  The generic callbacks of the store call these.
 * index_key() appends the key of one exact or folded index of field pos
 * (one key per element for multi fields; returns the number of keys,
 * keys separated in the out array).  Ints are 8 bytes big-endian with the
 * sign bit flipped so byte order is numeric order.
 */
struct keyset {
	struct buf	 bytes;		/* keys back to back */
	struct buf	 spare;		/* keyset_uniq()'s, kept for the next */
	size_t		*off, *len;
	size_t		 n, alloc;
};
void		 keyset_init(struct keyset *);
void		 keyset_release(struct keyset *);
void		 keyset_reset(struct keyset *);
void		 keyset_add(struct keyset *, const void *, size_t);
/* Sort and remove duplicates (DB_DBT_MULTIPLE must not repeat a key). */
void		 keyset_uniq(struct keyset *);
/* Key i of a against key j of b in Berkeley DB's byte order: <0, 0, >0. */
int		 keyset_cmp(const struct keyset *, size_t,
		     const struct keyset *, size_t);

void		 index_int_key(struct buf *, int64_t);
int64_t		 index_int_unkey(const void *);
/*
 * All index_* functions append to the keyset.  The ones that can produce
 * several keys (multi fields, search tokens) leave the keyset sorted and
 * de-duplicated.
 */
/* Keys of an exact/folded/unique index on one field (IX_* kind). */
void		 index_field_keys(const struct record *, size_t, int,
		     struct keyset *);
/* The same from a bare value, e.g. one found by record_decode_field()
 * (v->s need not be NUL-terminated). */
void		 index_value_keys(const struct field *, const struct value *,
		     int, struct keyset *);
/* Key of a composite unique constraint, or 0 keys if "when" fails or a
 * field is empty. */
void		 index_unique_keys(const struct record *, const struct unique *,
		     struct keyset *);
/* Word tokens of all IX_SEARCH fields, folded, de-duplicated: words of
 * text, digits of phones (with and without the country code), e-mails
 * whole and by local part and domain, numbers and codes as they are. */
void		 index_search_keys(const struct record *, struct keyset *);
/*
 * What the store's word index holds for a record: the search tokens and
 * their short prefixes (below), less the tokens with a character that is
 * not a letter or a digit (an e-mail's whole address, say: a query finds
 * it through its first word), and a Russian phone as one token, its
 * national number behind SEARCH_PHONE_MARK_S instead of three.
 * index_query_forms() appends what to look up for a query token that is
 * not a short prefix key: itself, and for one of digits the phone forms
 * it can begin.  A search over these finds what one over all the tokens
 * would (test-record checks it).
 */
#define SEARCH_PHONE_MARK_S	"\x02"
void		 index_search_stored_keys(const struct record *,
		     struct keyset *);
void		 index_query_forms(const char *, size_t, struct keyset *);
/*
 * Tokens of a search query typed by a person: the same splitting and
 * folding, with no minimum length.  A query of digits and phone
 * punctuation only ("+7 (916) 123-45", "8 916 123") is one token, its
 * digits joined, so it matches a phone's digit token as a prefix; an ISO
 * date typed alone ("2026-01-31") is split like any other text.
 */
void		 index_query_tokens(const char *, struct keyset *);
/*
 * Search tokens with a letter also go in the word index under their
 * first SEARCH_PREFIX_MIN..MAX characters behind the mark byte, so a
 * query token that short is one key, not a range of thousands.
 * index_search_prefixes() adds those keys for the tokens in the set (the
 * store's word index holds both); index_search_prefix_key() appends the
 * key for such a query token to out and returns 1, else 0.
 */
#define SEARCH_PREFIX_MARK_S	"\x01"
#define SEARCH_PREFIX_MIN	1
#define SEARCH_PREFIX_MAX	3
void		 index_search_prefixes(struct keyset *);
int		 index_search_prefix_key(const char *, size_t, struct buf *);
/*
 * Does a record whose search tokens are rt (index_search_keys()) match
 * the query tokens q?  Each query token begins a token of the record;
 * and the weighed ones (index_search_weighed(): with a letter and longer
 * than a prefix key) each a token of their own, so "Иванов Иван
 * Иванович" does not find "Беляев Пётр Иванович", whose one word all
 * three begin.  A prefix key or a phone's forms do not say which word
 * matched, so a shorter token (a first letter typed on the way) or one
 * of digits stays free.  The store's search answers the same.
 */
int		 index_search_weighed(const char *, size_t);
int		 index_search_match(const struct keyset *, const struct keyset *);
#define SEARCH_WEIGHED_MAX	32	/* weighed tokens, at most, of a query */
/* Can each token of want (bits, < SEARCH_WEIGHED_MAX) have a word of its
 * own, word w being one that the tokens of mask[w] begin?  (Augmenting
 * paths; the first SEARCH_ASSIGN_WORDS words.)  The store's search asks
 * the same of the words its index gives. */
#define SEARCH_ASSIGN_WORDS	64
int		 index_tokens_assign(const uint32_t *, size_t, uint32_t);

/*
 * Validators: 0 if valid, else -1 with a message saying why
 * ("checksum does not match", "must be 10 or 12 digits").
 */
int	 valid_inn(const char *, struct buf *);
int	 valid_inn_org(const char *, struct buf *);
int	 valid_inn_person(const char *, struct buf *);
int	 valid_kpp(const char *, struct buf *);
int	 valid_ogrn(const char *, struct buf *);	/* ОГРН or ОГРНИП */
/*
 * The same for a party of a kind (what each has): the kind field's
 * value, one of the names of valid_kinds (an enum of a form must have
 * them all to be a kind field), or anything else for kind-blind.
 */
#define KIND_ORG	"org"		/* an organisation */
#define KIND_SOLE	"sole"		/* a sole proprietor */
#define KIND_PERSON	"person"	/* a private person */
extern const char *const valid_kinds[3];
int	 valid_inn_kind(const char *, const char *, struct buf *);
int	 valid_kpp_kind(const char *, const char *, struct buf *);
int	 valid_ogrn_kind(const char *, const char *, struct buf *);
int	 valid_bik(const char *, struct buf *);
int	 valid_account(const char *, const char *, struct buf *);
int	 valid_corr_account(const char *, const char *, struct buf *);
int	 valid_snils(const char *, struct buf *);
int	 valid_email(const char *, struct buf *);
/*
 * 1 when valid_account() accepts the account without checking its key,
 * with why in why (may be NULL) for a warning: a Treasury account
 * (starts 03, it carries no key; the message says so, and when the
 * БИК is not a Treasury one, 01 or the older 00) or no БИК given; else
 * 0 (also for a malformed account).
 */
int	 valid_account_warning(const char *, const char *, struct buf *);
/* Strip the usual separators of a СНИЛС ("112-233-445 95") and put the
 * 11 digits in out (replacing it); -1 if anything else is there.  The
 * check number is valid_snils()'s business. */
int	 snils_normalize(const char *, struct buf *, struct buf *);
/* Normalise a phone to E.164 ("+79161234567") from "8 (916) 123-45-67",
 * "+7 916 123 45 67", "9161234567", "+44 20 7946 0958"; -1 if it is not a
 * phone number. */
int	 phone_normalize(const char *, struct buf *, struct buf *);
/* Part of a phone as the stored form has it, for '~' and '^=': its
 * digits, after '+' when it has one; for a start (the int non-zero)
 * without '+', a leading 8 or 7 means +7 and other digits a Russian
 * number's, after +7.  -1 if anything but digits, separators and a
 * leading '+' is there. */
int	 phone_part(const char *, int, struct buf *);

#endif
