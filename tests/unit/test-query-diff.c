/*
 * test-query-diff: the engine against a naive full scan written here,
 * on random data (hundreds of clients, thousands of deals) in a real
 * store, over random generated queries: filters (every operator, paths
 * through the reference, functions, and/or/not), sorts with limits and
 * offsets, pages after positions, and groups with aggregates (also
 * by a list, the phones, each element its own group).  The
 * naive side reads every record once and decides each query by the
 * rules of clerk-query(7) in the plainest way; the answers must be the
 * same rows in the same order.  CLERK_DIFF_SEED picks the data and
 * queries (the default is fixed, so a failure can be replayed).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query/query.h"
#include "tap.h"

#define NPARTY	300
#define NDEAL	4000
#define NQUERY	200

static const char deal_form[] =
"table deal \"Deal\" \"Сделка\" \"Deals\" \"Сделки\"\n"
"field party ref(party) \"Client\" \"Клиент\"\n"
"field title text(200) required index folded search \"Title\" \"Название\"\n"
"field date date required index exact \"Date\" \"Дата\"\n"
"field amount money index exact \"Amount\" \"Сумма\"\n"
"field stage enum required default open index exact \"Stage\" \"Стадия\"\n"
"\tvalue open \"Open\" \"Открыта\"\n"
"\tvalue won \"Won\" \"Выиграна\"\n"
"\tvalue lost \"Lost\" \"Проиграна\"\n"
"field manager text(64) index exact \"Manager\" \"Менеджер\"\n"
"field note text(500) \"Note\" \"Заметка\"\n"
"field paid bool \"Paid\" \"Оплачена\"\n";

static const char *const words[] = {
	"Поставка", "бумаги", "Ремонт", "офиса", "ёлки", "ЕЛКИ", "Монтаж",
	"окон", "Supply", "paper", "аудит", "Консультация", "сервера",
	"Доставка", "мебели", "Berёзка"
};
static const char *const cities[] = {
	"Москва", "москва", "Казань", "Санкт-Петербург", "Тверь", "Ёкатеринбург"
};
static const char *const managers[] = {
	"ivanov", "petrov", "sidorov", "Ivanov", "kuznetsova"
};
static const char *const stages[] = { "open", "won", "lost" };
static const char *const statuses[] = { "lead", "active", "inactive" };

static struct session	*sess;
static struct schema	*schema;
static struct store	*st;
static uint32_t		 seed = 20260328;

static uint32_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return (seed);
}

static uint32_t
pick(uint32_t n)
{
	return (rnd() % n);
}

/* The naive side's copy of the data, read back from the store. */
struct nval {
	int		 set;
	int64_t		 i;
	char		*s;		/* fold key of texts */
	char		*raw;		/* as stored */
};
struct nparty {
	uint64_t	 id;
	struct nval	 name, city, status, manager, phones;
};
struct ndeal {
	uint64_t	 id;
	struct nval	 party, title, date, amount, stage, manager, note,
			 paid;
	const struct nparty *p;
};

static struct nparty	*parties;
static size_t		 nparties;
static struct ndeal	*deals;
static size_t		 ndeals;

/* Inserting. */
struct gen {
	int		 deals;
	size_t		 from, n;
	uint64_t	*pids;
	size_t		 npids;
};

static void
setf(struct record *rec, const char *f, const char *v)
{
	struct buf	err = BUF_INIT;

	if (record_parse(rec, (size_t)table_field_pos(rec->table, f), v,
	    &err) != 0)
		tap_bail(err.data);
	buf_release(&err);
}

static void
title(char *out, size_t len)
{
	size_t	i, n = 1 + pick(3);

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		strncat(out, i ? " " : "", len - strlen(out) - 1);
		strncat(out, words[pick(nitems(words))],
		    len - strlen(out) - 1);
	}
}

static int
gen_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct gen	*g = arg;
	const struct table *t = schema_table(schema, g->deals ? "deal" :
	    "party");
	struct record	*rec;
	char		 s[256];
	size_t		 i;
	uint32_t	 save = seed;
	int		 r = 0;

	for (i = 0; i < g->n && r == 0; i++) {
		rec = record_new(t);
		record_defaults(rec);
		if (!g->deals) {
			title(s, sizeof s);
			setf(rec, "name", s);
			setf(rec, "kind", "org");
			if (pick(5) != 0)
				setf(rec, "city", cities[pick(nitems(cities))]);
			setf(rec, "status", statuses[pick(3)]);
			if (pick(4) != 0)
				setf(rec, "manager",
				    managers[pick(nitems(managers))]);
			if (pick(3) != 0) {
				/* A few numbers shared among many, sometimes
				 * one twice in a list. */
				size_t	np = 1 + pick(3), k;

				s[0] = '\0';
				for (k = 0; k < np; k++)
					snprintf(s + strlen(s), sizeof s -
					    strlen(s), "%s+7 916 000-00-%02u",
					    k ? ", " : "", pick(12));
				setf(rec, "phones", s);
			}
		} else {
			if (pick(10) != 0) {
				snprintf(s, sizeof s, "%llu",
				    (unsigned long long)
				    g->pids[pick((uint32_t)g->npids)]);
				setf(rec, "party", s);
			}
			title(s, sizeof s);
			setf(rec, "title", s);
			snprintf(s, sizeof s, "%d-%02d-%02d", 2025 + (int)pick(2),
			    1 + (int)pick(12), 1 + (int)pick(28));
			setf(rec, "date", s);
			if (pick(8) != 0) {
				/* Few distinct amounts, so equality finds some. */
				snprintf(s, sizeof s, "%s%u,%02u",
				    pick(20) == 0 ? "-" : "", pick(50) * 100,
				    pick(4) * 25);
				setf(rec, "amount", s);
			}
			setf(rec, "stage", stages[pick(3)]);
			if (pick(5) != 0)
				setf(rec, "manager",
				    managers[pick(nitems(managers))]);
			if (pick(3) == 0) {
				title(s, sizeof s);
				setf(rec, "note", s);
			}
			if (pick(3) != 0)
				setf(rec, "paid", pick(2) ? "yes" : "no");
		}
		r = access_insert(sess, txn, rec, err);
		record_free(rec);
	}
	/* Run again after a deadlock: the same records. */
	if (r != 0)
		seed = save;
	return (r);
}

static void
generate(int which)
{
	struct gen	g;
	struct buf	err = BUF_INIT;
	size_t		i;

	memset(&g, 0, sizeof g);
	if (!which) {
		for (i = 0; i < NPARTY; i += 100) {
			g.n = 100;
			if (store_txn_run(st, 0, gen_txn, &g, &err) != 0)
				tap_bail(err.data);
		}
		buf_release(&err);
		return;
	}
	g.pids = xcalloc(nparties + 1, sizeof *g.pids);
	for (i = 0; i < nparties; i++)
		g.pids[i] = parties[i].id;
	g.npids = nparties;
	g.deals = 1;
	for (i = 0; i < NDEAL; i += 500) {
		g.n = 500;
		if (store_txn_run(st, 0, gen_txn, &g, &err) != 0)
			tap_bail(err.data);
	}
	free(g.pids);
	buf_release(&err);
}

/* Reading everything back for the naive side. */
static void
nval_of(const struct record *rec, const char *f, struct nval *v)
{
	ssize_t		 pos = table_field_pos(rec->table, f);
	const struct value *rv = &rec->values[pos];
	struct buf	 k = BUF_INIT;

	memset(v, 0, sizeof *v);
	if (!rv->set || (!FT_IS_INT(rec->table->fields[pos].type) &&
	    rv->len == 0))
		return;
	v->set = 1;
	v->i = rv->i;
	if (rv->s != NULL) {
		v->raw = xstrndup(rv->s, rv->len);
		utf8_foldkey(&k, rv->s, rv->len);
		v->s = buf_detach(&k, NULL);
	}
	buf_release(&k);
}

static int
load_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	int		 which = *(int *)arg;
	const struct table *t = schema_table(schema, which ? "deal" :
	    "party");
	struct record	**recs;
	size_t		 n, i;

	if (access_page(sess, txn, t, NULL, NULL, 0, 0, 0, 1000000, &recs,
	    &n, err) != 0)
		return (-1);
	for (i = 0; i < n; i++) {
		if (!which) {
			struct nparty *p;

			parties = xreallocarray(parties, nparties + 1,
			    sizeof *parties);
			p = &parties[nparties++];
			p->id = recs[i]->id;
			nval_of(recs[i], "name", &p->name);
			nval_of(recs[i], "city", &p->city);
			nval_of(recs[i], "status", &p->status);
			nval_of(recs[i], "manager", &p->manager);
			nval_of(recs[i], "phones", &p->phones);
		} else {
			struct ndeal *d;

			deals = xreallocarray(deals, ndeals + 1,
			    sizeof *deals);
			d = &deals[ndeals++];
			memset(d, 0, sizeof *d);
			d->id = recs[i]->id;
			nval_of(recs[i], "party", &d->party);
			nval_of(recs[i], "title", &d->title);
			nval_of(recs[i], "date", &d->date);
			nval_of(recs[i], "amount", &d->amount);
			nval_of(recs[i], "stage", &d->stage);
			nval_of(recs[i], "manager", &d->manager);
			nval_of(recs[i], "note", &d->note);
			nval_of(recs[i], "paid", &d->paid);
		}
	}
	store_records_free(recs, n);
	return (0);
}

static void
load(int which)
{
	struct buf	err = BUF_INIT;
	size_t		i, j;

	if (store_txn_run(st, STORE_TXN_READONLY, load_txn, &which, &err)
	    != 0)
		tap_bail(err.data);
	buf_release(&err);
	if (which)
		for (i = 0; i < ndeals; i++)
			for (j = 0; j < nparties; j++)
				if (deals[i].party.set &&
				    parties[j].id == (uint64_t)deals[i].party.i)
					deals[i].p = &parties[j];
}

/*
 * Conditions, generated as a tree that prints as query text and is
 * decided here.  A term compares one "column" of a deal.
 */
enum col {
	C_AMOUNT, C_DATE, C_STAGE, C_MANAGER, C_TITLE, C_NOTE, C_PAID,
	C_CITY, C_PSTATUS, C_YEAR, C_MONTH, C_PMANAGER, C_PARTY, C_ID, NCOL
};
static const char *const colname[] = {
	"amount", "date", "stage", "manager", "title", "note", "paid",
	"party.city", "party.status", "year(date)", "month(date)",
	"party.manager", "party", "id"
};
enum op { O_EQ, O_NE, O_LT, O_LE, O_GT, O_GE, O_CONT, O_PREF, O_IN,
	O_EMPTY, O_NEMPTY };
static const char *const opname[] = { "=", "!=", "<", "<=", ">", ">=",
	"~", "^=", "in", "is empty", "is not empty" };

struct cond {
	int		 kind;		/* 0 term, 1 and, 2 or, 3 not */
	struct cond	*a, *b;
	enum col	 c;
	enum op		 op;
	int64_t		 iv[3];
	char		*sv[3];		/* folded */
	int		 nv;
};

/* The value of column c of deal d, as the naive side sees it. */
static struct nval
colval(const struct ndeal *d, enum col c)
{
	struct nval	none, v;
	int		y, m, dd;

	memset(&none, 0, sizeof none);
	switch (c) {
	case C_AMOUNT: return (d->amount);
	case C_DATE: return (d->date);
	case C_STAGE: return (d->stage);
	case C_MANAGER: return (d->manager);
	case C_TITLE: return (d->title);
	case C_NOTE: return (d->note);
	case C_PAID: return (d->paid);
	case C_PARTY: return (d->party);
	case C_CITY: return (d->p ? d->p->city : none);
	case C_PSTATUS: return (d->p ? d->p->status : none);
	case C_PMANAGER: return (d->p ? d->p->manager : none);
	case C_ID:
		v = none;
		v.set = 1;
		v.i = (int64_t)d->id;
		return (v);
	case C_YEAR:
	case C_MONTH:
		v = d->date;
		date_to_ymd((int32_t)v.i, &y, &m, &dd);
		v.i = c == C_YEAR ? y : m;
		return (v);
	case NCOL:
		break;
	}
	return (none);
}

static int
is_text(enum col c)
{
	return (c == C_STAGE || c == C_MANAGER || c == C_TITLE || c == C_NOTE ||
	    c == C_CITY || c == C_PSTATUS || c == C_PMANAGER);
}

/* Enum columns compare their names as stored, the rest by fold key. */
static const char *
textof(const struct nval *v, enum col c)
{
	return (c == C_STAGE || c == C_PSTATUS ? v->raw : v->s);
}

static int
decide(const struct cond *k, const struct ndeal *d)
{
	struct nval	v;
	int		cmp = 0, i;

	switch (k->kind) {
	case 1: return (decide(k->a, d) && decide(k->b, d));
	case 2: return (decide(k->a, d) || decide(k->b, d));
	case 3: return (!decide(k->a, d));
	}
	v = colval(d, k->c);
	if (k->op == O_EMPTY)
		return (!v.set);
	if (k->op == O_NEMPTY)
		return (v.set);
	if (!v.set)
		return (k->op == O_NE);
	if (k->op == O_IN) {
		for (i = 0; i < k->nv; i++)
			if (is_text(k->c) ? strcmp(textof(&v, k->c),
			    k->sv[i]) == 0 : v.i == k->iv[i])
				return (1);
		return (0);
	}
	if (k->op == O_CONT)
		return (strstr(v.s, k->sv[0]) != NULL);
	if (k->op == O_PREF)
		return (strncmp(v.s, k->sv[0], strlen(k->sv[0])) == 0);
	if (is_text(k->c))
		cmp = strcmp(textof(&v, k->c), k->sv[0]);
	else
		cmp = v.i < k->iv[0] ? -1 : v.i > k->iv[0];
	switch (k->op) {
	case O_EQ: return (cmp == 0);
	case O_NE: return (cmp != 0);
	case O_LT: return (cmp < 0);
	case O_LE: return (cmp <= 0);
	case O_GT: return (cmp > 0);
	case O_GE: return (cmp >= 0);
	default: return (0);
	}
}

static void
fold_into(char **out, const char *s)
{
	struct buf	k = BUF_INIT;

	utf8_foldkey(&k, s, strlen(s));
	*out = buf_detach(&k, NULL);
}

/* A literal the data has, sometimes. */
static const struct ndeal *
some_deal(void)
{
	return (&deals[pick((uint32_t)ndeals)]);
}

static struct cond *
gen_term(struct buf *text)
{
	struct cond	*k = xcalloc(1, sizeof *k);
	const struct ndeal *d = some_deal();
	struct nval	 v;
	struct buf	 lit = BUF_INIT;
	char		 w[64];
	int		 i;

	k->c = (enum col)pick(NCOL);
	v = colval(d, k->c);
	if (pick(12) == 0) {
		k->op = pick(2) ? O_EMPTY : O_NEMPTY;
		buf_printf(text, "%s %s", colname[k->c], opname[k->op]);
		return (k);
	}
	switch (k->c) {
	case C_TITLE:
	case C_NOTE:
	case C_CITY:
	case C_MANAGER:
	case C_PMANAGER:
		k->op = (enum op)pick(9);
		if (k->op == O_CONT || k->op == O_PREF) {
			const char *word = words[pick(nitems(words))];

			snprintf(w, sizeof w, "%.*s", 2 + (int)pick(4), word);
			/* Cut at a character, not inside one. */
			while (w[0] && !utf8_valid(w, strlen(w), NULL))
				w[strlen(w) - 1] = '\0';
			fold_into(&k->sv[0], w);
			buf_printf(text, "%s %s '%s'", colname[k->c],
			    opname[k->op], w);
			break;
		}
		if (k->op == O_IN) {
			k->nv = 2;
			buf_printf(text, "%s in (", colname[k->c]);
			for (i = 0; i < 2; i++) {
				const char *s = k->c == C_CITY ?
				    cities[pick(nitems(cities))] :
				    k->c == C_MANAGER || k->c == C_PMANAGER ?
				    managers[pick(nitems(managers))] :
				    words[pick(nitems(words))];

				fold_into(&k->sv[i], s);
				buf_printf(text, "%s'%s'", i ? ", " : "", s);
			}
			buf_addch(text, ')');
			break;
		}
		buf_adds(&lit, v.set ? v.raw : k->c == C_CITY ? "Москва" :
		    "petrov");
		fold_into(&k->sv[0], lit.data);
		buf_printf(text, "%s %s '%s'", colname[k->c], opname[k->op],
		    lit.data);
		break;
	case C_STAGE:
	case C_PSTATUS:
		k->op = pick(3) == 0 ? O_IN : pick(2) ? O_EQ : O_NE;
		k->nv = k->op == O_IN ? 2 : 1;
		if (k->op == O_IN)
			buf_printf(text, "%s in (", colname[k->c]);
		for (i = 0; i < k->nv; i++) {
			int	j = (int)pick(3);
			const char *name = k->c == C_STAGE ? stages[j] :
			    statuses[j];
			/* By name, or by label in either language. */
			const char *const lab[2][3][2] = {
				{ { "Open", "Открыта" }, { "Won", "Выиграна" },
				  { "Lost", "Проиграна" } },
				{ { "Lead", "Лид" }, { "Active", "Активный" },
				  { "Inactive", "Неактивный" } } };
			const char *shown = pick(2) ? name :
			    lab[k->c == C_PSTATUS][j][pick(2)];

			k->sv[i] = xstrdup(name);
			if (k->op == O_IN)
				buf_printf(text, "%s'%s'", i ? ", " : "", shown);
			else
				buf_printf(text, "%s %s '%s'", colname[k->c],
				    opname[k->op], shown);
		}
		if (k->op == O_IN)
			buf_addch(text, ')');
		break;
	case C_PAID:
		k->op = pick(2) ? O_EQ : O_NE;
		k->iv[0] = pick(2);
		buf_printf(text, "paid %s %s", opname[k->op],
		    k->iv[0] ? (pick(2) ? "yes" : "да") : "no");
		break;
	case C_AMOUNT:
		k->op = (enum op)pick(6);
		k->iv[0] = v.set ? v.i : (int64_t)pick(500000);
		buf_printf(text, "amount %s ", opname[k->op]);
		money_format(text, k->iv[0], pick(2) ? MONEY_PLAIN : MONEY_RU);
		break;
	case C_DATE:
		k->op = (enum op)pick(6);
		k->iv[0] = v.i;
		buf_printf(text, "date %s ", opname[k->op]);
		if (pick(4) == 0) {
			/* Relative to the fixed today. */
			int32_t	today = clock_today();

			k->iv[0] = today - (int32_t)pick(400);
			buf_printf(text, "today - %lld",
			    (long long)(today - k->iv[0]));
		} else
			date_format_iso(text, (int32_t)k->iv[0]);
		break;
	case C_YEAR:
	case C_MONTH:
		k->op = (enum op)pick(6);
		k->iv[0] = v.i;
		buf_printf(text, "%s %s %lld", colname[k->c], opname[k->op],
		    (long long)k->iv[0]);
		break;
	case C_PARTY:
		k->op = pick(2) ? O_EQ : O_IN;
		k->nv = k->op == O_IN ? 3 : 1;
		buf_printf(text, "party %s", k->op == O_IN ? "in (" : "= ");
		for (i = 0; i < k->nv; i++) {
			k->iv[i] = (int64_t)parties[pick((uint32_t)nparties)].id;
			buf_printf(text, "%s%lld", i ? ", " : "",
			    (long long)k->iv[i]);
		}
		if (k->op == O_IN)
			buf_addch(text, ')');
		break;
	case C_ID:
		k->op = (enum op)pick(6);
		k->iv[0] = (int64_t)d->id;
		buf_printf(text, "id %s %lld", opname[k->op],
		    (long long)k->iv[0]);
		break;
	case NCOL:
		break;
	}
	buf_release(&lit);
	return (k);
}

static struct cond *
gen_cond(struct buf *text, int depth)
{
	struct cond	*k;
	int		 r = (int)pick(depth > 0 ? 6 : 1);

	if (r <= 2 || depth == 0)
		return (gen_term(text));
	k = xcalloc(1, sizeof *k);
	if (r == 5) {
		k->kind = 3;
		buf_adds(text, "not (");
		k->a = gen_cond(text, depth - 1);
		buf_addch(text, ')');
		return (k);
	}
	k->kind = r == 3 ? 1 : 2;
	buf_addch(text, '(');
	k->a = gen_cond(text, depth - 1);
	buf_adds(text, k->kind == 1 ? (pick(2) ? ") and (" : ") (") :
	    ") or (");
	k->b = gen_cond(text, depth - 1);
	buf_addch(text, ')');
	return (k);
}

static void
cond_free(struct cond *k)
{
	int	i;

	if (k == NULL)
		return;
	cond_free(k->a);
	cond_free(k->b);
	for (i = 0; i < 3; i++)
		free(k->sv[i]);
	free(k);
}

/* Sorts: a column and a direction per key. */
struct skey {
	enum col	 c;
	int		 desc;
};
static struct skey	 sorts[3];
static int		 nsorts;

static int
val_cmp(enum col c, const struct nval *a, const struct nval *b)
{
	if (!a->set || !b->set)
		return (a->set - b->set);
	if (is_text(c))
		return (strcmp(textof(a, c), textof(b, c)));
	return (a->i < b->i ? -1 : a->i > b->i);
}

static int
deal_cmp(const void *pa, const void *pb)
{
	const struct ndeal *a = *(const struct ndeal *const *)pa;
	const struct ndeal *b = *(const struct ndeal *const *)pb;
	struct nval	 va, vb;
	int		 i, c, desc = 0;

	for (i = 0; i < nsorts; i++) {
		va = colval(a, sorts[i].c);
		vb = colval(b, sorts[i].c);
		c = val_cmp(sorts[i].c, &va, &vb);
		if (c != 0)
			return (sorts[i].desc ? -c : c);
		desc = sorts[i].desc;
	}
	c = a->id < b->id ? -1 : a->id > b->id;
	return (desc ? -c : c);
}

static const enum col sortable[] = {
	C_AMOUNT, C_DATE, C_STAGE, C_MANAGER, C_TITLE, C_CITY, C_YEAR, C_ID,
	C_PAID, C_PMANAGER
};

/* Run text through the engine: the ids, n rows a page (0 = one run). */
static char *
engine(const char *text, size_t page, struct buf *err)
{
	struct query	*q = NULL;
	struct query_rows rows;
	struct buf	 out = BUF_INIT;
	char		*pos = NULL;
	size_t		 i, guard = 0;

	if (query_parse(schema, text, &q, err) != 0)
		return (NULL);
	for (;;) {
		query_rows_init(&rows);
		if (query_run(sess, q, pos, page ? page : SIZE_MAX, &rows,
		    err) != 0) {
			query_rows_release(&rows);
			free(pos);
			query_free(q);
			buf_release(&out);
			return (NULL);
		}
		for (i = 0; i < rows.n; i++)
			buf_printf(&out, "%llu ",
			    (unsigned long long)rows.rows[i].id);
		free(pos);
		pos = xstrdup(rows.next.data);
		if (page == 0 || !rows.more || rows.n == 0 || ++guard > 10000) {
			query_rows_release(&rows);
			break;
		}
		query_rows_release(&rows);
	}
	free(pos);
	query_free(q);
	return (buf_detach(&out, NULL));
}

static void
one_query(int qn)
{
	struct buf	 text = BUF_INIT, want = BUF_INIT, err = BUF_INIT;
	struct cond	*k = NULL;
	const struct ndeal **v;
	size_t		 n = 0, i, lim = SIZE_MAX, off = 0, page;
	char		*got, *paged;

	buf_adds(&text, "deal");
	if (pick(8) != 0) {
		buf_adds(&text, " where ");
		k = gen_cond(&text, (int)pick(4));
	}
	nsorts = (int)pick(4);
	for (int j = 0; j < nsorts; j++) {
		sorts[j].c = sortable[pick(nitems(sortable))];
		sorts[j].desc = (int)pick(2);
		buf_printf(&text, "%s%s%s", j ? ", " : " sort ",
		    sorts[j].desc ? "-" : "", colname[sorts[j].c]);
	}
	if (pick(3) == 0) {
		lim = pick(40);
		buf_printf(&text, " limit %zu", lim);
		if (pick(2)) {
			off = pick(30);
			buf_printf(&text, " offset %zu", off);
		}
	}
	v = xcalloc(ndeals, sizeof *v);
	for (i = 0; i < ndeals; i++)
		if (k == NULL || decide(k, &deals[i]))
			v[n++] = &deals[i];
	qsort(v, n, sizeof *v, deal_cmp);
	for (i = off; i < n && i - off < lim; i++)
		buf_printf(&want, "%llu ", (unsigned long long)v[i]->id);
	got = engine(text.data, 0, &err);
	if (got == NULL) {
		ok(0, "query %d: %s", qn, text.data);
		diag("error: %s", err.data);
	} else if (!ok(strcmp(got, want.data) == 0, "query %d: %s (%zu rows)",
	    qn, text.data, n)) {
		diag("engine: %.300s", got);
		diag("naive:  %.300s", want.data);
	}
	/* Every fifth, by pages too. */
	if (got != NULL && qn % 5 == 0) {
		page = 40 + pick(200);
		paged = engine(text.data, page, &err);
		if (!ok(paged != NULL && strcmp(paged, got) == 0,
		    "query %d by pages of %zu", qn, page))
			diag("%s", paged ? "rows differ" : err.data);
		free(paged);
	}
	free(got);
	free(v);
	cond_free(k);
	buf_release(&text);
	buf_release(&want);
	buf_release(&err);
}

/*
 * Equality on an index with more matches than the planner gathers,
 * in id order with a limit: a walk of the one key, streamed (the
 * duplicates of a key are its ids in order) and stopped at the limit.
 */
static void
one_key_walk(const char *stage, size_t lim, size_t off)
{
	struct buf	 text = BUF_INIT, want = BUF_INIT, err = BUF_INIT;
	struct buf	 plan = BUF_INIT;
	struct query	*q = NULL;
	size_t		 i, n = 0;
	char		*got;

	buf_printf(&text, "deal where stage = %s limit %zu offset %zu", stage,
	    lim, off);
	for (i = 0; i < ndeals; i++) {
		if (!deals[i].stage.set || strcmp(deals[i].stage.raw, stage))
			continue;
		if (n >= off && n < off + lim)
			buf_printf(&want, "%llu ",
			    (unsigned long long)deals[i].id);
		n++;
	}
	got = engine(text.data, 0, &err);
	if (!ok(got != NULL && strcmp(got, want.data) == 0, "%s (%zu match)",
	    text.data, n))
		diag("engine: %.300s", got != NULL ? got : err.data);
	/* Past a third of the table the planner walks instead of
	 * gathering ids (run.c, ID_CAP_DIV); other seeds may not get
	 * there. */
	if (query_parse(schema, text.data, &q, &err) != 0 ||
	    query_explain(sess, q, &plan, &err) != 0)
		ok(0, "explain %s: %s", text.data, err.data);
	else if (n > ndeals / 3)
		ok(strstr(plan.data, "one key: id order") != NULL,
		    "it walks the one key in id order");
	else
		ok(1, "# skip %zu matches are gathered, not walked", n);
	query_free(q);
	free(got);
	buf_release(&plan);
	buf_release(&text);
	buf_release(&want);
	buf_release(&err);
}

/*
 * A range of few values of a whole number (days between two dates,
 * kopecks between two amounts): the planner looks each value's key up
 * and fetches the ids in order; the rows must be those of the naive
 * side, in order, in one run and page by page.
 */
static struct cond *
term(enum col c, enum op op, int64_t v)
{
	struct cond	*k = xcalloc(1, sizeof *k);

	k->c = c;
	k->op = op;
	k->iv[0] = v;
	return (k);
}

static struct cond *
and2(struct cond *a, struct cond *b)
{
	struct cond	*k = xcalloc(1, sizeof *k);

	k->kind = 1;
	k->a = a;
	k->b = b;
	return (k);
}

static void
small_range(int qn)
{
	struct buf	 text = BUF_INIT, want = BUF_INIT, err = BUF_INIT,
			 plan = BUF_INIT;
	struct query	*q = NULL;
	struct cond	*k;
	const struct ndeal **v;
	int		 money = pick(3) == 0, by_stage = pick(3) == 0;
	enum op		 lop = pick(2) ? O_GE : O_GT, hop = pick(2) ? O_LT : O_LE;
	int64_t		 lo, hi;
	size_t		 n = 0, i, lim = SIZE_MAX, off = 0;
	const char	*stage = stages[pick(3)];
	char		*got, *paged;

	if (money) {
		lo = (int64_t)pick(50) * 10000 - 50000;
		hi = lo + (int64_t)pick(30000);
	} else {
		lo = some_deal()->date.i;
		hi = lo + (int64_t)pick(40);
	}
	k = and2(term(money ? C_AMOUNT : C_DATE, lop, lo),
	    term(money ? C_AMOUNT : C_DATE, hop, hi));
	buf_printf(&text, "deal where %s %s ", money ? "amount" : "date",
	    opname[lop]);
	if (money)
		money_format(&text, lo, MONEY_PLAIN);
	else
		date_format_iso(&text, (int32_t)lo);
	buf_printf(&text, " and %s %s ", money ? "amount" : "date",
	    opname[hop]);
	if (money)
		money_format(&text, hi, MONEY_PLAIN);
	else
		date_format_iso(&text, (int32_t)hi);
	if (by_stage) {
		struct cond *t = term(C_STAGE, O_EQ, 0);

		t->sv[0] = xstrdup(stage);
		k = and2(k, t);
		buf_printf(&text, " and stage = %s", stage);
	}
	nsorts = (int)pick(2);
	sorts[0].c = pick(2) ? C_TITLE : C_ID;
	sorts[0].desc = (int)pick(2);
	if (nsorts)
		buf_printf(&text, " sort %s%s", sorts[0].desc ? "-" : "",
		    colname[sorts[0].c]);
	if (pick(2)) {
		lim = 1 + pick(20);
		buf_printf(&text, " limit %zu", lim);
		if (pick(2)) {
			off = pick(10);
			buf_printf(&text, " offset %zu", off);
		}
	}
	v = xcalloc(ndeals, sizeof *v);
	for (i = 0; i < ndeals; i++)
		if (decide(k, &deals[i]))
			v[n++] = &deals[i];
	qsort(v, n, sizeof *v, deal_cmp);
	for (i = off; i < n && i - off < lim; i++)
		buf_printf(&want, "%llu ", (unsigned long long)v[i]->id);
	got = engine(text.data, 0, &err);
	paged = engine(text.data, 3, &err);
	if (!ok(got != NULL && paged != NULL && strcmp(got, want.data) == 0 &&
	    strcmp(paged, want.data) == 0, "range %d: %s (%zu match)", qn,
	    text.data, n)) {
		diag("engine: %.300s", got != NULL ? got : err.data);
		diag("paged:  %.300s", paged != NULL ? paged : err.data);
		diag("naive:  %.300s", want.data);
	}
	/* A few values, no sort an index gives (title's does): their
	 * keys are looked up. */
	if (query_parse(schema, text.data, &q, &err) != 0 ||
	    query_explain(sess, q, &plan, &err) != 0)
		ok(0, "explain %s: %s", text.data, err.data);
	else if (!money && lim == SIZE_MAX && !by_stage && (nsorts == 0 ||
	    sorts[0].c == C_ID))
		ok(strstr(plan.data, "index date:exact from ") != NULL,
		    "the days' keys are looked up");
	else
		ok(1, "# skip the plan of %s", text.data);
	query_free(q);
	free(got);
	free(paged);
	free(v);
	cond_free(k);
	buf_release(&plan);
	buf_release(&text);
	buf_release(&want);
	buf_release(&err);
}

/* Groups: count, sum and max of amount per key, keys by fold key. */
static void
one_group(int qn)
{
	static const enum col gcols[] = { C_STAGE, C_MANAGER, C_CITY, C_YEAR,
	    C_MONTH, C_PAID, C_PMANAGER };
	struct buf	 text = BUF_INIT, want = BUF_INIT, got = BUF_INIT,
			 err = BUF_INIT, kb = BUF_INIT;
	struct cond	*k = NULL;
	struct query	*q = NULL;
	struct query_rows rows;
	enum col	 g = gcols[pick(nitems(gcols))];
	struct nval	 kv;
	const struct ndeal **v;
	size_t		 n = 0, i, j;

	buf_adds(&text, "deal");
	if (pick(3) != 0) {
		buf_adds(&text, " where ");
		k = gen_cond(&text, (int)pick(3));
	}
	buf_printf(&text, " group %s count() sum(amount) max(amount) "
	    "count(amount)", colname[g]);
	v = xcalloc(ndeals, sizeof *v);
	for (i = 0; i < ndeals; i++)
		if (k == NULL || decide(k, &deals[i]))
			v[n++] = &deals[i];
	nsorts = 1;
	sorts[0].c = g;
	sorts[0].desc = 0;
	qsort(v, n, sizeof *v, deal_cmp);
	for (i = 0; i < n; i = j) {
		int64_t	cnt = 0, sum = 0, camt = 0, max = 0;
		int	hasmax = 0;
		struct nval a = colval(v[i], g), b;

		for (j = i; j < n; j++) {
			b = colval(v[j], g);
			if (val_cmp(g, &a, &b) != 0)
				break;
			cnt++;
			if (v[j]->amount.set) {
				camt++;
				sum += v[j]->amount.i;
				if (!hasmax || v[j]->amount.i > max)
					max = v[j]->amount.i;
				hasmax = 1;
			}
		}
		kv = colval(v[i], g);
		if (kv.set)
			buf_printf(&want, "%s",
			    is_text(g) ? textof(&kv, g) : "");
		/* Booleans as files give them, yes or no. */
		if (kv.set && g == C_PAID)
			buf_adds(&want, kv.i ? "yes" : "no");
		else if (kv.set && !is_text(g))
			buf_printf(&want, "%lld", (long long)kv.i);
		buf_printf(&want, "|%lld|", (long long)cnt);
		if (camt)
			money_format(&want, sum, MONEY_PLAIN);
		buf_addch(&want, '|');
		if (hasmax)
			money_format(&want, max, MONEY_PLAIN);
		buf_printf(&want, "|%lld ", (long long)camt);
	}
	if (query_parse(schema, text.data, &q, &err) != 0) {
		ok(0, "group %d: %s", qn, text.data);
		diag("%s", err.data);
		goto out;
	}
	query_rows_init(&rows);
	if (query_run(sess, q, NULL, SIZE_MAX, &rows, &err) != 0) {
		ok(0, "group %d: %s", qn, text.data);
		diag("%s", err.data);
		query_rows_release(&rows);
		goto out;
	}
	for (i = 0; i < rows.n; i++) {
		if (rows.rows[i].level != 0)
			continue;
		for (j = 0; j < query_ncols(q); j++) {
			buf_reset(&kb);
			query_value_text(q, j, &rows.rows[i].vals[j], 1, 0,
			    &kb);
			/* Keys of text groups compare folded. */
			if (j == 0 && is_text(g) && g != C_STAGE) {
				struct buf f = BUF_INIT;

				utf8_foldkey(&f, kb.data, kb.len);
				buf_add(&got, f.data, f.len);
				buf_release(&f);
			} else
				buf_add(&got, kb.data, kb.len);
			buf_addch(&got, j + 1 < query_ncols(q) ? '|' : ' ');
		}
	}
	if (!ok(strcmp(got.data, want.data) == 0, "group %d: %s", qn,
	    text.data)) {
		diag("engine: %.400s", got.data);
		diag("naive:  %.400s", want.data);
	}
	query_rows_release(&rows);
out:
	query_free(q);
	free(v);
	cond_free(k);
	buf_release(&text);
	buf_release(&want);
	buf_release(&got);
	buf_release(&err);
	buf_release(&kb);
}

/*
 * Groups by two keys, with every aggregate: min and max of a text (by
 * fold key), avg rounded half away from zero, count of a field some
 * records leave empty; sometimes sorted by an aggregate, with a limit.
 * A scan reads these in place (the keys through the reference too);
 * the naive side decides them from its own copy.
 */
struct ngroup {
	const struct ndeal *first;	/* the keys' values */
	int64_t		 cnt, camt, sum, min, cnote;
	int		 hasamt;
	const char	*tmin, *nmax;	/* fold keys */
};

static enum col		 gk[2];
static int		 gsort;		/* 0 keys, 1 -count(), 2 sum(amount) */

static int
ngroup_keycmp(const struct ngroup *a, const struct ngroup *b)
{
	struct nval	va, vb;
	int		i, c;

	for (i = 0; i < 2; i++) {
		va = colval(a->first, gk[i]);
		vb = colval(b->first, gk[i]);
		if ((c = val_cmp(gk[i], &va, &vb)) != 0)
			return (c);
	}
	return (0);
}

static int
ngroup_cmp(const void *pa, const void *pb)
{
	const struct ngroup *a = pa, *b = pb;

	if (gsort == 1 && a->cnt != b->cnt)
		return (a->cnt > b->cnt ? -1 : 1);
	if (gsort == 2 && a->hasamt != b->hasamt)
		return (a->hasamt - b->hasamt);
	if (gsort == 2 && a->sum != b->sum)
		return (a->sum < b->sum ? -1 : 1);
	return (ngroup_keycmp(a, b));
}

static void
key_text(struct buf *out, enum col c, const struct nval *v)
{
	if (v->set && is_text(c))
		buf_adds(out, textof(v, c));
	else if (v->set && c == C_DATE)
		date_format_iso(out, (int32_t)v->i);
	else if (v->set && c == C_PAID)
		buf_adds(out, v->i ? "yes" : "no");
	else if (v->set)
		buf_printf(out, "%lld", (long long)v->i);
	buf_addch(out, '|');
}

static void
two_key_group(int qn)
{
	static const enum col gcols[] = { C_STAGE, C_MANAGER, C_CITY, C_YEAR,
	    C_MONTH, C_PAID, C_PMANAGER, C_DATE };
	struct buf	 text = BUF_INIT, want = BUF_INIT, got = BUF_INIT,
			 err = BUF_INIT, kb = BUF_INIT;
	struct cond	*k = NULL;
	struct query	*q = NULL;
	struct query_rows rows;
	struct ngroup	*gs = NULL, *g;
	const struct ndeal **v;
	size_t		 n = 0, ng = 0, i, j, lim = SIZE_MAX;
	struct nval	 a, b;

	gk[0] = gcols[pick(nitems(gcols))];
	do
		gk[1] = gcols[pick(nitems(gcols))];
	while (gk[1] == gk[0]);
	gsort = (int)pick(3);
	buf_adds(&text, "deal");
	if (pick(2) != 0) {
		buf_adds(&text, " where ");
		k = gen_cond(&text, (int)pick(3));
	}
	buf_printf(&text, " group %s, %s count() sum(amount) min(amount) "
	    "avg(amount) min(title) max(note) count(note)", colname[gk[0]],
	    colname[gk[1]]);
	if (gsort == 1)
		buf_adds(&text, " sort -count()");
	else if (gsort == 2)
		buf_adds(&text, " sort sum(amount)");
	if (gsort != 0 && pick(2)) {
		lim = 1 + pick(10);
		buf_printf(&text, " limit %zu", lim);
	}
	v = xcalloc(ndeals, sizeof *v);
	for (i = 0; i < ndeals; i++)
		if (k == NULL || decide(k, &deals[i]))
			v[n++] = &deals[i];
	nsorts = 2;
	sorts[0].c = gk[0];
	sorts[1].c = gk[1];
	sorts[0].desc = sorts[1].desc = 0;
	qsort(v, n, sizeof *v, deal_cmp);
	gs = xcalloc(n + 1, sizeof *gs);
	for (i = 0; i < n; i++) {
		if (ng == 0 || (a = colval(gs[ng - 1].first, gk[0]),
		    b = colval(v[i], gk[0]), val_cmp(gk[0], &a, &b) != 0) ||
		    (a = colval(gs[ng - 1].first, gk[1]),
		    b = colval(v[i], gk[1]), val_cmp(gk[1], &a, &b) != 0))
			gs[ng++].first = v[i];
		g = &gs[ng - 1];
		g->cnt++;
		if (v[i]->amount.set) {
			if (!g->hasamt || v[i]->amount.i < g->min)
				g->min = v[i]->amount.i;
			g->hasamt = 1;
			g->camt++;
			g->sum += v[i]->amount.i;
		}
		if (g->tmin == NULL || strcmp(v[i]->title.s, g->tmin) < 0)
			g->tmin = v[i]->title.s;
		if (v[i]->note.set) {
			g->cnote++;
			if (g->nmax == NULL || strcmp(v[i]->note.s, g->nmax) > 0)
				g->nmax = v[i]->note.s;
		}
	}
	if (ng > 1)
		qsort(gs, ng, sizeof *gs, ngroup_cmp);
	for (i = 0; i < ng && i < lim; i++) {
		g = &gs[i];
		a = colval(g->first, gk[0]);
		key_text(&want, gk[0], &a);
		a = colval(g->first, gk[1]);
		key_text(&want, gk[1], &a);
		buf_printf(&want, "%lld|", (long long)g->cnt);
		if (g->hasamt) {
			int64_t	avg = g->sum / g->camt, r = g->sum % g->camt;

			if (2 * (r < 0 ? -r : r) >= g->camt)
				avg += g->sum < 0 ? -1 : 1;
			money_format(&want, g->sum, MONEY_PLAIN);
			buf_addch(&want, '|');
			money_format(&want, g->min, MONEY_PLAIN);
			buf_addch(&want, '|');
			money_format(&want, avg, MONEY_PLAIN);
			buf_addch(&want, '|');
		} else
			buf_adds(&want, "|||");
		buf_printf(&want, "%s|%s|%lld ", g->tmin, g->nmax != NULL ?
		    g->nmax : "", (long long)g->cnote);
	}
	if (query_parse(schema, text.data, &q, &err) != 0) {
		ok(0, "two-key group %d: %s", qn, text.data);
		diag("%s", err.data);
		goto out;
	}
	query_rows_init(&rows);
	if (query_run(sess, q, NULL, SIZE_MAX, &rows, &err) != 0) {
		ok(0, "two-key group %d: %s", qn, text.data);
		diag("%s", err.data);
		query_rows_release(&rows);
		goto out;
	}
	for (i = 0; i < rows.n; i++) {
		if (rows.rows[i].level != 0)
			continue;
		for (j = 0; j < query_ncols(q); j++) {
			buf_reset(&kb);
			query_value_text(q, j, &rows.rows[i].vals[j], 1, 0,
			    &kb);
			/* Texts compare folded (enum names as they are). */
			if ((j < 2 && is_text(gk[j]) && gk[j] != C_STAGE) ||
			    j == 6 || j == 7) {
				struct buf f = BUF_INIT;

				utf8_foldkey(&f, kb.data, kb.len);
				buf_add(&got, f.data, f.len);
				buf_release(&f);
			} else
				buf_add(&got, kb.data, kb.len);
			buf_addch(&got, j + 1 < query_ncols(q) ? '|' : ' ');
		}
	}
	if (!ok(strcmp(got.data, want.data) == 0, "two-key group %d: %s "
	    "(%zu groups)", qn, text.data, ng)) {
		diag("engine: %.400s", got.data);
		diag("naive:  %.400s", want.data);
	}
	query_rows_release(&rows);
out:
	query_free(q);
	free(v);
	free(gs);
	cond_free(k);
	buf_release(&text);
	buf_release(&want);
	buf_release(&got);
	buf_release(&err);
	buf_release(&kb);
}

/* Every row of a query (subtotals too), as text; -1 on error. */
static int
rows_text(const char *text, struct buf *out, struct buf *err)
{
	struct query	*q = NULL;
	struct query_rows rows;
	size_t		 i, j;
	int		 rv = -1;

	buf_reset(out);
	if (query_parse(schema, text, &q, err) != 0)
		return (-1);
	query_rows_init(&rows);
	if (query_run(sess, q, NULL, SIZE_MAX, &rows, err) == 0) {
		for (i = 0; i < rows.n; i++) {
			buf_printf(out, "%d:", rows.rows[i].level);
			for (j = 0; j < query_ncols(q); j++) {
				query_value_text(q, j, &rows.rows[i].vals[j], 1,
				    0, out);
				buf_addch(out, '|');
			}
			buf_addch(out, '\n');
		}
		rv = 0;
	}
	query_rows_release(&rows);
	query_free(q);
	return (rv);
}

/*
 * A group query whose read transaction deadlocks at each Berkeley DB
 * call in turn and runs again: what a chunk had counted before the
 * deadlock is counted once, and no group is left behind by it.
 */
static void
run_again(const char *text)
{
	struct buf	 want = BUF_INIT, got = BUF_INIT, err = BUF_INIT;
	uint64_t	 calls;
	int		 n, same = 0, failed = 0, rv;

	store_fault_set(0, 0);
	if (rows_text(text, &want, &err) != 0)
		tap_bail(err.data);
	calls = store_fault_calls();
	for (n = 1; n <= (int)calls; n++) {
		store_fault_set((uint64_t)n, STORE_FAULT_DEADLOCK);
		rv = rows_text(text, &got, &err);
		store_fault_set(0, 0);
		if (rv != 0)
			failed++;
		else if (strcmp(got.data, want.data) == 0)
			same++;
		else {
			diag("deadlock at call %d of %llu:", n,
			    (unsigned long long)calls);
			diag("got:  %.300s", got.data);
			diag("want: %.300s", want.data);
			break;
		}
	}
	ok(same + failed == (int)calls && same > 0, "'%s' run again after "
	    "a deadlock at any of its %llu calls gives the same rows (%d "
	    "failed with a message)", text, (unsigned long long)calls,
	    failed);
	buf_release(&want);
	buf_release(&got);
	buf_release(&err);
}

static void
group_run_again(void)
{
	run_again("deal group manager, month(date) count() sum(amount) "
	    "min(title) max(amount)");
	/*
	 * A record query is planned in its first chunk's transaction:
	 * run again, it plans again.  A walk of one key, ids gathered and
	 * fetched, a sort's index backward, a scan sorted.
	 */
	run_again("deal where stage = won limit 7");
	run_again("deal where amount >= 1000 and amount < 5000");
	run_again("deal sort -amount limit 5");
	run_again("deal where title ~ a sort -date limit 9");
}

/*
 * Groups by a list (phones): a client is in the group of each of its
 * phones, once however often the list holds it; one with none is in
 * the group of no value.  With status before it, of each pair.  The
 * naive side counts every (status, phone) of every client and sorts.
 */
struct pkey {
	const char	*status;	/* NULL with no status key */
	const char	*phone;		/* NULL = none */
	size_t		 plen;
};

static int
pkey_cmp(const void *pa, const void *pb)
{
	const struct pkey *a = pa, *b = pb;
	size_t		 n;
	int		 c;

	if (a->status != NULL && (c = strcmp(a->status, b->status)) != 0)
		return (c);
	if (a->phone == NULL || b->phone == NULL)
		return ((a->phone != NULL) - (b->phone != NULL));
	n = a->plen < b->plen ? a->plen : b->plen;
	if ((c = memcmp(a->phone, b->phone, n)) != 0)
		return (c);
	return (a->plen < b->plen ? -1 : a->plen > b->plen);
}

static void
one_phone_group(int qn)
{
	struct buf	 text = BUF_INIT, want = BUF_INIT, got = BUF_INIT,
			 err = BUF_INIT;
	struct query	*q = NULL;
	struct query_rows rows;
	struct pkey	*keys = NULL, one;
	size_t		 nkeys = 0, i, j, first;
	int		 by_status = (int)pick(2);
	const char	*only = pick(2) ? statuses[pick(3)] : NULL;
	const char	*p, *nl, *end;

	buf_adds(&text, "party");
	if (only != NULL)
		buf_printf(&text, " where status = %s", only);
	buf_printf(&text, " group %sphones count()", by_status ?
	    "status, " : "");
	for (i = 0; i < nparties; i++) {
		const struct nparty *pt = &parties[i];

		if (only != NULL && strcmp(pt->status.raw, only) != 0)
			continue;
		one.status = by_status ? pt->status.raw : NULL;
		first = nkeys;
		if (!pt->phones.set) {
			one.phone = NULL;
			one.plen = 0;
			keys = xreallocarray(keys, nkeys + 1, sizeof *keys);
			keys[nkeys++] = one;
			continue;
		}
		end = pt->phones.raw + strlen(pt->phones.raw);
		for (p = pt->phones.raw; p < end; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			one.phone = p;
			one.plen = (size_t)(nl - p);
			for (j = first; j < nkeys; j++)
				if (pkey_cmp(&keys[j], &one) == 0)
					break;
			if (j < nkeys)
				continue;
			keys = xreallocarray(keys, nkeys + 1, sizeof *keys);
			keys[nkeys++] = one;
		}
	}
	if (nkeys > 1)
		qsort(keys, nkeys, sizeof *keys, pkey_cmp);
	for (i = 0; i < nkeys; i = j) {
		for (j = i; j < nkeys && pkey_cmp(&keys[i], &keys[j]) == 0;
		    j++)
			;
		buf_printf(&want, "%s%s%.*s|%zu ", by_status ? keys[i].status :
		    "", by_status ? "|" : "", (int)keys[i].plen,
		    keys[i].phone != NULL ? keys[i].phone : "", j - i);
	}
	if (query_parse(schema, text.data, &q, &err) != 0) {
		ok(0, "phone group %d: %s", qn, text.data);
		diag("%s", err.data);
		goto out;
	}
	query_rows_init(&rows);
	if (query_run(sess, q, NULL, SIZE_MAX, &rows, &err) != 0) {
		ok(0, "phone group %d: %s", qn, text.data);
		diag("%s", err.data);
		query_rows_release(&rows);
		goto out;
	}
	for (i = 0; i < rows.n; i++) {
		const struct value *v = rows.rows[i].vals;

		if (rows.rows[i].level != 0)
			continue;
		if (by_status)
			buf_printf(&got, "%.*s|", (int)v[0].len, v[0].s);
		v += by_status;
		buf_printf(&got, "%.*s|%lld ", v[0].set ? (int)v[0].len : 0,
		    v[0].set ? v[0].s : "", (long long)v[1].i);
	}
	if (!ok(strcmp(got.data, want.data) == 0, "phone group %d: %s (%zu "
	    "groups)", qn, text.data, rows.n)) {
		diag("engine: %.400s", got.data);
		diag("naive:  %.400s", want.data);
	}
	query_rows_release(&rows);
out:
	query_free(q);
	free(keys);
	buf_release(&text);
	buf_release(&want);
	buf_release(&got);
	buf_release(&err);
}

int
main(void)
{
	struct buf		 err = BUF_INIT;
	struct store_options	 opt = { 0, STORE_CREATE | STORE_NOSYNC, 0 };
	char			 dir[] = "/tmp/clerk-test-query-diff.XXXXXX";
	const char		*forms = getenv("CLERK_FORMS"), *s;
	char			 path[512];
	int			 i;

	setenv("CLERK_NOW", "2026-06-15 12:00", 1);
	if ((s = getenv("CLERK_DIFF_SEED")) != NULL && atoi(s) != 0)
		seed = (uint32_t)atoi(s);
	diag("seed %u (CLERK_DIFF_SEED replays it)", seed);
	if (forms == NULL)
		forms = TOP_SRCDIR "/forms";
	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	schema = schema_new();
	if (schema_load(schema, forms, &err) != 0 ||
	    schema_load_string(schema, "deal.form", deal_form, &err) != 0 ||
	    schema_check(schema, &err) != 0)
		tap_bail(err.data);
	snprintf(path, sizeof path, "%s/db", dir);
	if (store_open(&st, path, schema, &opt, &err) != 0 ||
	    access_init(st, "tester", &err) != 0 ||
	    access_session_open(st, "tester", &sess, &err) != 0)
		tap_bail(err.data);

	generate(0);
	load(0);
	generate(1);
	load(1);
	diag("%zu parties, %zu deals", nparties, ndeals);
	ok(ndeals == NDEAL && nparties == NPARTY, "the data is there");

	for (i = 0; i < NQUERY; i++)
		one_query(i);
	/* Sorting past a small memory budget spills and agrees. */
	query_set_memory(20000);
	for (i = 0; i < 20; i++)
		one_query(NQUERY + i);
	query_set_memory(64u << 20);
	one_key_walk("lost", 30, 0);
	one_key_walk("lost", 25, 1000);
	one_key_walk("lost", 40, 5000);
	one_key_walk("open", 30, 0);
	for (i = 0; i < 40; i++)
		small_range(i);
	for (i = 0; i < 60; i++)
		one_group(i);
	for (i = 0; i < 8; i++)
		one_phone_group(i);
	for (i = 0; i < 40; i++)
		two_key_group(i);
	group_run_again();

	access_session_free(sess);
	store_close(st);
	schema_free(schema);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		diag("cannot remove %s", dir);
	buf_release(&err);
	return (tap_done());
}
