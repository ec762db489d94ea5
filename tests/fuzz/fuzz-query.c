/*
 * fuzz-query: the query parser against any bytes.  Built by "make fuzz"
 * as a libFuzzer target when clang is there (tests/fuzz/run.sh), else
 * with -DFUZZ_STANDALONE as a program that replays the seed corpus and
 * then mutates it at random for a while (FUZZ_TIME seconds).  Each input
 * is parsed against the shipped forms and a form with every field type;
 * a query that parses is printed back, its columns walked and parsed
 * again from its normalised text, which must parse too.  A crash, a
 * sanitizer report or a normalised text that no longer parses is a
 * failure.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "query/query.h"

static struct schema	*schema;

static const char all_types[] =
"table deal \"Deal\" \"Сделка\" \"Deals\" \"Сделки\"\n"
"field party ref(party) \"Client\" \"Клиент\"\n"
"field contact ref(contact) \"Contact\" \"Контакт\"\n"
"field title text(200) required index folded search \"Title\" \"Название\"\n"
"field date date index exact \"Date\" \"Дата\"\n"
"field at datetime \"At\" \"Когда\"\n"
"field amount money index exact \"Amount\" \"Сумма\"\n"
"field qty qty \"Quantity\" \"Количество\"\n"
"field n int \"Number\" \"Число\"\n"
"field stage enum default open index exact \"Stage\" \"Стадия\"\n"
"\tvalue open \"Open\" \"Открыта\"\n"
"\tvalue won \"Won\" \"Выиграна\"\n"
"field paid bool \"Paid\" \"Оплачена\"\n"
"field phones phone multi index exact \"Phones\" \"Телефоны\"\n"
"field email email \"E-mail\" \"Почта\"\n";

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct buf	 err = BUF_INIT;
	const char	*forms = getenv("CLERK_FORMS");

	(void)argc;
	(void)argv;
	setenv("CLERK_NOW", "2026-03-25", 1);
	if (forms == NULL)
		forms = TOP_SRCDIR "/forms";
	schema = schema_new();
	if (schema_load(schema, forms, &err) != 0 ||
	    schema_load_string(schema, "deal.form", all_types, &err) != 0 ||
	    schema_check(schema, &err) != 0) {
		fprintf(stderr, "fuzz-query: %s\n", err.data);
		exit(1);
	}
	buf_release(&err);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query	*q = NULL, *q2 = NULL;
	struct buf	 err = BUF_INIT, out = BUF_INIT;
	struct value	 v;
	char		*text;
	size_t		 i;

	text = xstrndup((const char *)data, size);
	if (query_parse(schema, text, &q, &err) == 0) {
		for (i = 0; i < query_ncols(q); i++) {
			const struct query_col *c = query_col(q, i);

			memset(&v, 0, sizeof v);
			v.set = 1;
			v.i = (int64_t)size * 1234567;
			if (!FT_IS_INT(c->type)) {
				v.s = text;
				v.len = strlen(text);
			}
			query_value_text(q, i, &v, (int)(i & 1), 1, &out);
			query_value_json(q, i, &v, &out);
		}
		if (query_parse(schema, query_text(q), &q2, &err) != 0) {
			fprintf(stderr, "fuzz-query: '%s' parsed, its text "
			    "'%s' did not: %s\n", text, query_text(q),
			    err.data);
			abort();
		}
	} else if (strncmp(err.data, "query:", 6) != 0) {
		fprintf(stderr, "fuzz-query: a message without its place: "
		    "%s\n", err.data);
		abort();
	}
	/* The same bytes as a condition alone. */
	query_free(q2);
	q2 = NULL;
	(void)query_parse_where(schema, schema_table(schema, "deal"), text,
	    &q2, &err);
	/* And as the keys of a group alone. */
	query_free(q2);
	q2 = NULL;
	(void)query_parse_group(schema, schema_table(schema, "deal"), text,
	    &q2, &err);
	query_free(q);
	query_free(q2);
	buf_release(&err);
	buf_release(&out);
	free(text);
	return (0);
}

#ifdef FUZZ_STANDALONE
/*
 * Without libFuzzer: replay every file named, then mutate them (flip,
 * insert a token, cut, splice) until FUZZ_TIME seconds (default 30).
 */
static const char *const tokens[] = {
	" where ", " and ", " or ", " not ", " sort ", " limit ", " offset ",
	" cols ", " group ", " having ", " in (", ")", "(", ",", ".", "'",
	"\"", " = ", " != ", " <= ", " >= ", " ~ ", " ^= ", " is empty",
	" is not empty", "today - 7", "month start", "1 234,56",
	"2026-01-31", "31.01.2026", "party.city", "year(date)", "count()",
	"sum(amount)", "-", "ё", "\xd0", "\xff", "party", "deal", "contact",
	"stage", "Выиграна", "phones", "id", "99999999999999999999"
};

static uint32_t	 seed = 1;

static uint32_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return (seed);
}

static void
mutate(struct buf *b, const struct buf *other)
{
	size_t	at = b->len ? rnd() % (b->len + 1) : 0, n;
	const char *t;

	switch (rnd() % 5) {
	case 0:
		if (b->len)
			b->data[rnd() % b->len] ^= (char)(1 << (rnd() % 8));
		break;
	case 1:
	case 2: {
		struct buf nb = BUF_INIT;

		t = tokens[rnd() % (sizeof tokens / sizeof tokens[0])];
		buf_add(&nb, b->data, at);
		buf_adds(&nb, t);
		buf_add(&nb, b->data + at, b->len - at);
		buf_reset(b);
		buf_add(b, nb.data, nb.len);
		buf_release(&nb);
		break;
	}
	case 3:
		if (b->len) {
			n = rnd() % (b->len - at + 1);
			memmove(b->data + at, b->data + at + n,
			    b->len - at - n);
			buf_truncate(b, b->len - n);
		}
		break;
	case 4:
		buf_truncate(b, at);
		n = other->len ? rnd() % other->len : 0;
		buf_add(b, other->data + n, other->len - n);
		break;
	}
	if (b->len > 4096)
		buf_truncate(b, 4096);
}

int
main(int argc, char **argv)
{
	struct buf	*seeds = NULL, cur = BUF_INIT;
	size_t		 nseeds = 0, k;
	unsigned long	 runs = 0;
	time_t		 end;
	const char	*s = getenv("FUZZ_TIME");
	char		 chunk[4096];
	FILE		*fp;
	int		 i;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL)
			continue;
		seeds = xreallocarray(seeds, nseeds + 1, sizeof *seeds);
		buf_init(&seeds[nseeds]);
		while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0)
			buf_add(&seeds[nseeds], chunk, k);
		fclose(fp);
		LLVMFuzzerTestOneInput((const uint8_t *)seeds[nseeds].data,
		    seeds[nseeds].len);
		nseeds++;
	}
	if (nseeds == 0) {
		fprintf(stderr, "usage: fuzz-query SEED-FILE ...\n");
		return (2);
	}
	seed = (uint32_t)time(NULL) | 1;
	fprintf(stderr, "fuzz-query: %zu seeds, random seed %u\n", nseeds,
	    seed);
	end = time(NULL) + (s != NULL ? atoi(s) : 30);
	while (time(NULL) < end) {
		buf_reset(&cur);
		k = rnd() % nseeds;
		buf_add(&cur, seeds[k].data, seeds[k].len);
		for (k = 1 + rnd() % 6; k > 0; k--)
			mutate(&cur, &seeds[rnd() % nseeds]);
		LLVMFuzzerTestOneInput((const uint8_t *)cur.data, cur.len);
		runs++;
	}
	fprintf(stderr, "fuzz-query: %lu runs, no failure\n", runs);
	for (k = 0; k < nseeds; k++)
		buf_release(&seeds[k]);
	free(seeds);
	buf_release(&cur);
	return (0);
}
#endif
