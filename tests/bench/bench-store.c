/*
 * bench-store.c: `make bench`.  Generates N parties once (gen.c), loads
 * them into clerk's store (and compacts it, as clerkd does once idle
 * after a big load) and into SQLite in the same process, then runs
 * the same lookups, searches, pages and scans on both and prints
 * markdown tables with the figures, the ratios and the targets.  Owns
 * only the measuring: it uses the store strictly through store.h and must
 * never reach into its internals, so what it measures is what the
 * server gets.  Not a test: it times things, so it is not in make check.
 *
 * Usage: bench-store [-c] [-q queries] [N [DIR]]
 *   -c  only generate N parties, validate each and show a few.
 *   N   parties (default 1,000,000); DIR a scratch folder (created).
 * BENCH_CACHE_MB sets both engines' cache (default 1024); BENCH_ONLY=clerk
 * or sqlite runs one engine (for profiling).  A run loads DIR afresh
 * (what a run before left there is removed) and marks what it loaded;
 * with BENCH_REUSE=1 an engine whose data a run before loaded there (the
 * same N) is not loaded again, only read: for work on the reads.  Its
 * cache then starts empty, where after a load it holds what the load
 * and the compaction left.
 *
 * For a diagnosis of clerk's latency series: BENCH_CPUTIME=1 also takes
 * the thread's CPU time around each operation (a system call each, so
 * not in the figures) and prints, per series, wall and CPU percentiles
 * and the time the machine's hypervisor stole, and writes each
 * operation's wall and CPU ns to DIR/lat-SERIES-PASS.  BENCH_REPEAT=K
 * runs every latency series K times (default 3; the figures are the
 * medians of the passes', passes());
 * BENCH_STOP_AT=SERIES stops the process (SIGSTOP) before that series'
 * first pass, for a profiler to attach (perf record -p; then SIGCONT).
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <ftw.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util/util.h"
#include "record/record.h"
#include "store/store.h"
#include "cmd/demo-gen.h"

#include "bench.h"

#define SEED		20260131
#define BATCH		1000	/* records per insert transaction */
#define MAXHITS		50	/* search results asked for */
#define PAGE		50	/* records per list page */
#define SCANPAGE	1000	/* records a transaction on the index path */
#define SCANTXN		100000	/* records a transaction when scanning */
#define USER		"bench"

/* Search query sets. */
enum { QS_PREFIX, QS_WORD, QS_TWO, QS_COUNT };
static const char *qs_names[QS_COUNT] = {
	"search: surname prefix, 2-4 letters",
	"search: whole word",
	"search: two prefixes (\"ива пе\")"
};

/* One latency series or one timed run, for both engines. */
struct figure {
	const char	*name;
	int		 latency;	/* p50/p99 in µs, else value */
	const char	*unit;		/* for values: "records/s", "s" */
	int		 higher_better;
	double		 clerk[2], lite[2];
	int		 done[2];
};

enum {
	F_INSERT, F_INSERT_CKPT, F_BULK, F_COMPACT, F_GET, F_INN, F_SEARCH0,
	F_PAGE = F_SEARCH0 + QS_COUNT, F_SCAN, F_CITY, F_COUNT
};

/* Keys of the queries, one after another in one buffer. */
struct qkeys {
	struct buf	  bytes;
	size_t		 *off, *len;
};

struct bench {
	struct schema	 *schema;
	const struct table *table;
	size_t		  n, nq, cache_mb;
	const char	 *dir;
	int		  reuse;	/* BENCH_REUSE: keep what DIR holds */
	struct record	**recs;
	ssize_t		  pos_name, pos_kind, pos_inn, pos_city, pos_status;

	/* Queries: record indexes and search strings, shared by both. */
	size_t		 *q_get, *q_inn, *q_page;
	char		**q_search[QS_COUNT];
	/*
	 * The keys those records give, made before any timed series
	 * (query_keys()): a series reads no generated record.  Those 1.5 GB
	 * lie untouched from the generation to the reads, and a first
	 * touch of one took some 50 us on this virtual machine in one run
	 * of two (no page fault the guest saw, the thread busy all along):
	 * 5 % of clerk's ИНН lookups, which ran first, and none of
	 * SQLite's, which came after them over the same records.
	 */
	struct qkeys	  k_inn, k_inn_clerk, k_page, k_page_clerk;
	int		  keys_made;
	/* Each engine's (0 clerk, 1 SQLite): their series alternate. */
	uint64_t	 *get_id[2];	/* the engine's id of each get */
	uint64_t	 *inn_id[2];	/* and of each ИНН lookup's record */
	const char	 *scan_city;
	size_t		  scan_city_rec;

	/* Ids each engine gave record i, and clerk's search answers
	 * (as record indexes) to compare SQLite's with. */
	uint64_t	 *clerk_id, *lite_id;
	size_t		 *hits[QS_COUNT];
	unsigned char	 *nhits[QS_COUNT];
	size_t		 *page_first;	/* index of a page's first record */
	unsigned char	 *page_n;
	size_t		  scan_count, city_count;

	/* Sanity, reported under the tables. */
	size_t		  mismatch[F_COUNT];
	/* clerk's cache in each latency series: pages found, pages read. */
	uint64_t	  cache_hits[F_COUNT], cache_misses[F_COUNT];
	/* The process in each latency series: page faults, preemptions. */
	long		  minflt[F_COUNT], nivcsw[F_COUNT];
	size_t		  fts_split;
	long		  rss_base, rss_clerk, rss_lite;
	uint64_t	  disk_clerk[2], disk_lite[2];
	uint64_t	  disk_loaded;	/* clerk's data before compaction */
	double		  cpu_clerk, cpu_lite;	/* of the load, s */
	double		  cpu_bulk[2];		/* of the bulk loads, s */
	long		  rss_bulk[2];		/* their peak RSS, kB */
	uint64_t	  bulk_count;		/* records the bulk load left */
	uint64_t	  wr_clerk, wr_lite;	/* written during the load */
	double		  gen_s;

	struct figure	  fig[F_COUNT];
};

static volatile uint64_t sink;	/* keeps read values from being optimised out */

/* CPU time of the process, user and system, in seconds. */
static double
cpu_secs(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

/* BENCH_CPUTIME=1, a diagnosis: this thread's CPU time, in ns. */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

/* The machine's stolen time (a virtual machine's), in clock ticks. */
static uint64_t
steal_ticks(void)
{
	FILE			*f;
	unsigned long long	 v[8];

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return (0);
	memset(v, 0, sizeof(v));
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		v[7] = 0;
	fclose(f);
	return (v[7]);
}

/* Bytes the process has passed to write calls (/proc/self/io wchar). */
static uint64_t
written(void)
{
	FILE		*f;
	char		 line[128];
	uint64_t	 n = 0;

	if ((f = fopen("/proc/self/io", "r")) == NULL)
		return (0);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "wchar:", 6) == 0)
			n = strtoull(line + 6, NULL, 10);
	fclose(f);
	return (n);
}

/* Peak resident size: reset the high-water mark, read it back later. */
static void
rss_reset(void)
{
	FILE	*f;

	if ((f = fopen("/proc/self/clear_refs", "w")) != NULL) {
		fputs("5", f);
		fclose(f);
	}
}

static long
rss_read(const char *what)
{
	FILE	*f;
	char	 line[256];
	long	 kb = -1;
	size_t	 len = strlen(what);

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, what, len) == 0 && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return (kb);
}

/*
 * The two engines take turns, each in a thread of its own, so that a
 * ratio compares runs close in time: this host's speed drifts by half
 * within an hour, and a read series of clerk's timed some minutes before
 * SQLite's (clerk's reads, then SQLite's whole load, then its reads)
 * once made a ratio of 0.7 out of one of 1.6.  The order: clerk's bulk
 * load, SQLite's; the loads in transactions, LOAD_TURN records at a
 * time each, clerk's then SQLite's; each pass of each latency series
 * clerk's then SQLite's; clerk's scans, SQLite's.  One engine runs at a
 * time; one that runs alone (BENCH_ONLY) never waits.
 *
 * Both engines live in the process at once, so each one's memory is
 * counted in its own turns: what the process grew by in them (own), and
 * the most it held above that at any moment of one (peak, from the
 * high-water mark reset at each turn's start).  Freed heap is given
 * back at the end of each turn, so that the other does not grow into
 * it unseen; not once the engine's loads are done (counted): a read
 * pass would fault the pages in again.
 */
#define LOAD_TURN	100000

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 turn;		/* 0 clerk, 1 SQLite */
	int		 alive[2];
	long		 start[2];	/* kB resident at the turn's start */
	long		 own[2], peak[2];	/* kB */
	int		 counted[2];	/* its loads are done */
} turns = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0,
    { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };

static void
turn_take(int e)
{
	pthread_mutex_lock(&turns.lock);
	while (turns.turn != e && turns.alive[!e])
		pthread_cond_wait(&turns.cond, &turns.lock);
	pthread_mutex_unlock(&turns.lock);
	if (!turns.counted[e]) {
		rss_reset();
		turns.start[e] = rss_read("VmRSS");
	}
}

/* The other's turn; done: and this engine has no more to do. */
static void
turn_give(int e, int done)
{
	long	hwm;

	if (!turns.counted[e]) {
		hwm = rss_read("VmHWM");
		if (turns.own[e] + hwm - turns.start[e] > turns.peak[e])
			turns.peak[e] = turns.own[e] + hwm - turns.start[e];
		malloc_trim(0);
		turns.own[e] += rss_read("VmRSS") - turns.start[e];
	}
	pthread_mutex_lock(&turns.lock);
	turns.turn = !e;
	if (done)
		turns.alive[e] = 0;
	pthread_cond_broadcast(&turns.cond);
	pthread_mutex_unlock(&turns.lock);
}

/* The most engine e has held in its turns so far, kB; in this one (its
 * first: a bulk load's) up to now. */
static long
turn_hwm(int e)
{
	return (turns.own[e] + rss_read("VmHWM") - turns.start[e]);
}

/* An engine's peak from now on (a bulk load's is its own figure). */
static void
turn_peak_restart(int e)
{
	turns.peak[e] = turns.own[e];
}

/* A load's time, CPU time and bytes written, summed over its turns. */
struct tally {
	uint64_t	ns, wr;
	double		cpu;
	uint64_t	t0, w0;
	double		c0;
};

static void
tally_start(struct tally *t)
{
	t->c0 = cpu_secs();
	t->w0 = written();
	t->t0 = bench_now_ns();
}

static void
tally_stop(struct tally *t)
{
	t->ns += bench_now_ns() - t->t0;
	t->cpu += cpu_secs() - t->c0;
	t->wr += written() - t->w0;
}

/* Bytes on disk under a folder: data files and logs; BDB regions
 * (__db.*, the cache itself) are memory, not data, and are left out. */
static uint64_t du_data, du_log;

static int
du_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char	*base = path + ftw->base;

	if (flag != FTW_F)
		return (0);
	if (strncmp(base, "__db.", 5) == 0)
		return (0);
	if (strncmp(base, "log.", 4) == 0 || strstr(base, "-wal") != NULL)
		du_log += (uint64_t)st->st_size;
	else
		du_data += (uint64_t)st->st_size;
	return (0);
}

static void
disk_usage(const char *dir, uint64_t out[2])
{
	du_data = du_log = 0;
	nftw(dir, du_one, 16, FTW_PHYS);
	out[0] = du_data;
	out[1] = du_log;
}

static uint64_t
file_size(const char *path)
{
	struct stat	st;

	return (stat(path, &st) == 0 ? (uint64_t)st.st_size : 0);
}

static int
ids_sorted(const uint64_t *ids, size_t n)
{
	size_t	i;

	for (i = 1; i < n; i++)
		if (ids[i] <= ids[i - 1])
			return (0);
	return (1);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return (0);
}

/* What a run before left at path (a folder or a file, and the files
 * named path with a suffix), so a load starts from nothing. */
static void
wipe(const char *path, const char *sfx1, const char *sfx2)
{
	struct buf	 p = BUF_INIT;

	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (sfx1 != NULL) {
		buf_printf(&p, "%s%s", path, sfx1);
		(void)remove(p.data);
	}
	if (sfx2 != NULL) {
		buf_reset(&p);
		buf_printf(&p, "%s%s", path, sfx2);
		(void)remove(p.data);
	}
	buf_release(&p);
}

/*
 * BENCH_REUSE: DIR/NAME.loaded says a run before loaded (and, for clerk,
 * compacted) N parties of this seed into DIR/NAME, so this run can time
 * the reads on that data without loading again.
 */
static int
loaded_get(struct bench *b, const char *name)
{
	struct buf	 path = BUF_INIT;
	FILE		*f;
	unsigned long	 n, seed;
	int		 ok = 0;

	buf_printf(&path, "%s/%s.loaded", b->dir, name);
	if (b->reuse && (f = fopen(path.data, "r")) != NULL) {
		ok = fscanf(f, "%lu %lu", &n, &seed) == 2 && n == b->n &&
		    seed == SEED;
		fclose(f);
	}
	if (!ok)
		(void)remove(path.data);
	buf_release(&path);
	return (ok);
}

static void
loaded_put(struct bench *b, const char *name)
{
	struct buf	 path = BUF_INIT;
	FILE		*f;

	buf_printf(&path, "%s/%s.loaded", b->dir, name);
	if ((f = fopen(path.data, "w")) != NULL) {
		fprintf(f, "%zu %d\n", b->n, SEED);
		fclose(f);
	}
	buf_release(&path);
}

static const char *
text_of(const struct record *rec, ssize_t pos)
{
	const struct value *v = &rec->values[pos];

	return (v->set && v->s != NULL ? v->s : "");
}

static void
qkeys_add(struct qkeys *k, size_t i, const void *data, size_t len)
{
	k->off[i] = k->bytes.len;
	k->len[i] = len;
	buf_add(&k->bytes, data, len);
}

static const char *
qkey(const struct qkeys *k, size_t i, size_t *len)
{
	*len = k->len[i];
	return (k->bytes.data + k->off[i]);
}

static uint64_t
qkeys_touch(const struct qkeys *k, size_t n)
{
	uint64_t	sum = 0;
	size_t		i;

	for (i = 0; i < k->bytes.len; i++)
		sum += (unsigned char)k->bytes.data[i];
	for (i = 0; i < n; i++)
		sum += k->off[i] + k->len[i];
	return (sum);
}

/*
 * The queries' keys, as each engine is given them: clerk's index keys
 * (store_page_key()) and SQLite's bound texts, made from the generated
 * records once, before the first timed series; before each engine's
 * series they are read through once more, and the engine's ids of the
 * records asked for are put beside them (ids, a million of them).
 */
static void
query_keys(struct bench *b, int e, const uint64_t *ids)
{
	struct qkeys	*all[] = { &b->k_inn, &b->k_inn_clerk, &b->k_page,
			    &b->k_page_clerk };
	const struct record *rec;
	struct buf	 tmp = BUF_INIT;
	const char	*name;
	size_t		 i, j;

	if (!b->keys_made) {
		for (j = 0; j < sizeof(all) / sizeof(all[0]); j++) {
			buf_init(&all[j]->bytes);
			all[j]->off = xcalloc(b->nq, sizeof(size_t));
			all[j]->len = xcalloc(b->nq, sizeof(size_t));
		}
		for (i = 0; i < b->nq; i++) {
			rec = b->recs[b->q_inn[i]];
			qkeys_add(&b->k_inn, i, rec->values[b->pos_inn].s,
			    rec->values[b->pos_inn].len);
			store_page_key(rec, "inn", &tmp);
			qkeys_add(&b->k_inn_clerk, i, tmp.data, tmp.len);
			rec = b->recs[b->q_page[i]];
			name = text_of(rec, b->pos_name);
			buf_reset(&tmp);
			utf8_foldkey(&tmp, name, strlen(name));
			qkeys_add(&b->k_page, i, tmp.data, tmp.len);
			store_page_key(rec, "name", &tmp);
			qkeys_add(&b->k_page_clerk, i, tmp.data, tmp.len);
		}
		for (j = 0; j < 2; j++) {
			b->get_id[j] = xcalloc(b->nq, sizeof(uint64_t));
			b->inn_id[j] = xcalloc(b->nq, sizeof(uint64_t));
		}
		b->keys_made = 1;
		buf_release(&tmp);
	}
	for (j = 0; j < sizeof(all) / sizeof(all[0]); j++)
		sink += qkeys_touch(all[j], b->nq);
	for (j = 0; j < QS_COUNT; j++)
		for (i = 0; i < b->nq; i++)
			sink += strlen(b->q_search[j][i]);
	for (i = 0; i < b->nq; i++) {
		b->get_id[e][i] = ids[b->q_get[i]];
		b->inn_id[e][i] = ids[b->q_inn[i]];
	}
}

static void
query_keys_free(struct bench *b)
{
	struct qkeys	*all[] = { &b->k_inn, &b->k_inn_clerk, &b->k_page,
			    &b->k_page_clerk };
	size_t		 j;

	if (!b->keys_made)
		return;
	for (j = 0; j < sizeof(all) / sizeof(all[0]); j++) {
		buf_release(&all[j]->bytes);
		free(all[j]->off);
		free(all[j]->len);
	}
	for (j = 0; j < 2; j++) {
		free(b->get_id[j]);
		free(b->inn_id[j]);
	}
}

/* The first n UTF-8 characters of s, as a new string. */
static char *
utf8_head(const char *s, size_t n)
{
	const char	*p = s;

	while (*p != '\0' && n > 0) {
		p++;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		n--;
	}
	return (xstrndup(s, (size_t)(p - s)));
}

static size_t
utf8_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return (n);
}

/* ---------------------------------------------------------------- */
/* Data and queries. */

static void
generate(struct bench *b)
{
	struct gen	 g;
	uint64_t	 t0 = bench_now_ns();
	size_t		 i;

	b->recs = xcalloc(b->n, sizeof(*b->recs));
	gen_init(&g, SEED);
	for (i = 0; i < b->n; i++) {
		b->recs[i] = record_new(b->table);
		gen_party(&g, b->recs[i]);
		record_defaults(b->recs[i]);
	}
	b->gen_s = bench_secs(bench_now_ns() - t0);
}

/* A surname of a person or sole proprietor: the first word of the
 * name, after "ИП ". */
static char *
surname_of(const char *name, const char **rest)
{
	const char	*sp;

	if (strncmp(name, "ИП ", strlen("ИП ")) == 0)
		name += strlen("ИП ");
	sp = strchr(name, ' ');
	if (sp == NULL)
		sp = name + strlen(name);
	if (rest != NULL)
		*rest = *sp == ' ' ? sp + 1 : sp;
	return (xstrndup(name, (size_t)(sp - name)));
}

static size_t
random_person(struct bench *b, struct gen *g)
{
	size_t		 i;
	const char	*kind;

	for (;;) {
		i = gen_below(g, b->n);
		kind = text_of(b->recs[i], b->pos_kind);
		if (strcmp(kind, "person") == 0 || strcmp(kind, "sole") == 0)
			return (i);
	}
}

/* A whole word of a random name, quotes stripped, 3 letters or more. */
static char *
random_word(struct bench *b, struct gen *g)
{
	const char	*name, *p, *e;
	char		*w;
	size_t		 nw, k, tries;

	for (tries = 0;; tries++) {
		name = text_of(b->recs[gen_below(g, b->n)], b->pos_name);
		for (nw = 0, p = name; *p != '\0'; p++)
			if (*p == ' ')
				nw++;
		k = gen_below(g, nw + 1);
		for (p = name; k > 0; p++)
			if (*p == ' ')
				k--;
		while (*p == '"')
			p++;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		while (e > p && e[-1] == '"')
			e--;
		w = xstrndup(p, (size_t)(e - p));
		if (utf8_chars(w) >= 3 || tries > 20)
			return (w);
		free(w);
	}
}

static void
make_queries(struct bench *b)
{
	struct gen	 g;
	size_t		 i, j, q;
	const char	*rest;
	char		*sur, *first, *a, *c;
	struct buf	 s = BUF_INIT;

	gen_init(&g, SEED + 1);
	b->q_get = xcalloc(b->nq, sizeof(size_t));
	b->q_inn = xcalloc(b->nq, sizeof(size_t));
	b->q_page = xcalloc(b->nq, sizeof(size_t));
	b->page_first = xcalloc(b->nq, sizeof(size_t));
	b->page_n = xcalloc(b->nq, 1);
	for (q = 0; q < QS_COUNT; q++) {
		b->q_search[q] = xcalloc(b->nq, sizeof(char *));
		b->hits[q] = xcalloc(b->nq * MAXHITS, sizeof(size_t));
		b->nhits[q] = xcalloc(b->nq, 1);
	}
	for (i = 0; i < b->nq; i++) {
		b->q_get[i] = gen_below(&g, b->n);
		do
			j = gen_below(&g, b->n);
		while (!b->recs[j]->values[b->pos_inn].set);
		b->q_inn[i] = j;
		b->q_page[i] = gen_below(&g, b->n);

		sur = surname_of(text_of(b->recs[random_person(b, &g)],
		    b->pos_name), NULL);
		b->q_search[QS_PREFIX][i] = utf8_head(sur,
		    2 + gen_below(&g, 3));
		free(sur);

		b->q_search[QS_WORD][i] = random_word(b, &g);

		sur = surname_of(text_of(b->recs[random_person(b, &g)],
		    b->pos_name), &rest);
		first = xstrdup(rest);
		a = utf8_head(sur, 3);
		c = utf8_head(first, 2);
		buf_reset(&s);
		buf_printf(&s, "%s %s", a, c);
		b->q_search[QS_TWO][i] = xstrdup(s.data);
		free(sur);
		free(first);
		free(a);
		free(c);
	}
	buf_release(&s);

	/* The scan's city: Kazan (about 3 % of parties), else any. */
	b->scan_city_rec = 0;
	for (i = 0; i < b->n; i++)
		if (strcmp(text_of(b->recs[i], b->pos_city), "Казань") == 0) {
			b->scan_city_rec = i;
			break;
		}
	b->scan_city = text_of(b->recs[b->scan_city_rec], b->pos_city);
}

/* ---------------------------------------------------------------- */
/* clerk */

struct cl_insert {
	struct record	**recs;
	size_t		  from, to;
};

static int
cl_insert_fn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct cl_insert *a = arg;
	size_t		  i;
	int		  r;

	for (i = a->from; i < a->to; i++) {
		a->recs[i]->id = 0;	/* a retry starts over */
		if ((r = store_insert(txn, a->recs[i], USER, err)) != 0) {
			if (r > 0)
				buf_prefix(err, "outcome %d: ", r);
			return (-1);
		}
	}
	return (0);
}

/* One operation of the read phase: what to do inside a transaction. */
struct cl_op {
	struct bench	*b;
	int		 what;
	size_t		 i;		/* query number */
	int		 qs;		/* search set */
	size_t		 found;
	uint64_t	*ids;
	size_t		 nids;
	uint64_t	 after;		/* scan: last id seen */
	int		 more;
	struct buf	 key;
};

/* The scan's predicate on a record's bytes: city and status. */
static int
scan_match(uint64_t id, const void *data, size_t len, void *arg)
{
	struct cl_op	 *o = arg;
	struct bench	 *b = o->b;
	const struct table *t = b->table;
	struct record	 *rec;
	struct value	  v;
	size_t		  clen = strlen(b->scan_city);

	if (record_decode_field(data, len, t->fields[b->pos_city].id,
	    &v) != 1 || v.len != clen || memcmp(v.s, b->scan_city, clen) != 0)
		return (0);
	if (record_decode_field(data, len, t->fields[b->pos_status].id,
	    &v) != 1 || v.len != 6 || memcmp(v.s, "active", 6) != 0)
		return (0);
	rec = record_new(t);
	if (record_decode(rec, data, len, NULL) == 0)
		o->found++;
	sink += rec->rev + id;
	record_free(rec);
	return (0);
}

static int
cl_op_fn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct cl_op	 *o = arg;
	struct bench	 *b = o->b;
	struct record	 *rec, **out;
	uint64_t	  ids[MAXHITS + 1];
	const char	 *key;
	size_t		  n, j, keylen;
	int		  r;

	o->found = 0;
	switch (o->what) {
	case F_GET:
		r = store_get(txn, b->table, b->get_id[0][o->i], &rec, err);
		if (r != 0)
			return (r);
		sink += rec->rev;
		record_free(rec);
		o->found = 1;
		break;
	case F_INN:
		key = qkey(&b->k_inn_clerk, o->i, &keylen);
		r = store_lookup(txn, b->table, "inn", key, keylen, ids,
		    MAXHITS, &n, err);
		if (r < 0)
			return (r);
		o->found = n;
		o->ids[0] = n > 0 ? ids[0] : 0;	/* checked untimed */
		break;
	case F_PAGE:
		key = qkey(&b->k_page_clerk, o->i, &keylen);
		r = store_page(txn, b->table, "name", key, keylen, 0,
		    STORE_PAGE_FROM, PAGE, &out, &n, err);
		if (r < 0)
			return (r);
		o->found = n;
		o->ids[0] = n > 0 ? out[0]->id : 0;
		store_records_free(out, n);
		break;
	case F_SEARCH0:
		r = store_search(txn, b->table, b->q_search[o->qs][o->i], ids,
		    MAXHITS, &n, err);
		if (r < 0)
			return (r);
		o->found = n;
		for (j = 0; j < n && j < MAXHITS; j++)
			o->ids[j] = ids[j];
		break;
	case F_SCAN:
		/* store_scan() from the last id seen: the predicate reads
		 * city and status in place; a match is decoded whole, as
		 * SQLite reads every column of the rows it returns. */
		o->more = 0;
		r = store_scan(txn, b->table, o->after, SCANTXN, 0, scan_match,
		    o, &o->after, err);
		if (r < 0)
			return (r);
		o->more = o->after != UINT64_MAX;
		break;
	case F_CITY:
		/* Records o->ids[from .. from + SCANPAGE) by id. */
		for (j = o->i; j < o->nids && j < o->i + SCANPAGE; j++) {
			r = store_get(txn, b->table, o->ids[j], &rec, err);
			if (r != 0)
				return (r);
			if (strcmp(text_of(rec, b->pos_status), "active") == 0)
				o->found++;
			record_free(rec);
		}
		break;
	}
	return (0);
}

/* BENCH_REUSE: ids grow in insert order, so the i-th id is record i's. */
static int
cl_id_one(uint64_t id, const void *data, size_t len, void *arg)
{
	struct bench	*b = arg;

	(void)data;
	(void)len;
	if (b->scan_count < b->n)
		b->clerk_id[b->scan_count] = id;
	b->scan_count++;
	return (0);
}

static int
cl_ids(struct store_txn *txn, void *arg, struct buf *err)
{
	struct bench	*b = arg;

	b->scan_count = 0;
	if (store_scan(txn, b->table, 0, 0, STORE_PAGE_ARCHIVED, cl_id_one,
	    b, NULL, err) < 0)
		return (-1);
	if (b->scan_count != b->n)
		return (buf_error(err, "%zu parties, not %zu: load again "
		    "(a new DIR or BENCH_REUSE unset)", b->scan_count, b->n));
	return (0);
}

static void
die_store(const char *what, struct buf *err)
{
	fatal("clerk: %s: %s", what, err->data);
}

static int
cl_city_lookup(struct store_txn *txn, void *arg, struct buf *err)
{
	struct cl_op	*o = arg;
	struct bench	*b = o->b;

	buf_reset(&o->key);
	store_page_key(b->recs[b->scan_city_rec], "city", &o->key);
	return (store_lookup(txn, b->table, "city", o->key.data, o->key.len,
	    o->ids, b->n, &o->nids, err) < 0 ? -1 : 0);
}

/*
 * BENCH_CPUTIME: a series' wall and CPU percentiles and stolen time on
 * stderr, each operation's times in DIR/lat-SERIES-PASS.  Sorts cns.
 */
static void
cputime_report(struct bench *b, size_t q, size_t pass, const uint64_t *ns,
    uint64_t *cns, uint64_t steal)
{
	struct buf	 path = BUF_INIT;
	double		 cp[2], wp[2];
	FILE		*f;
	size_t		 i;

	buf_printf(&path, "%s/lat-%zu-%zu", b->dir, q, pass);
	if ((f = fopen(path.data, "w")) != NULL) {
		for (i = 0; i < b->nq; i++)
			fprintf(f, "%zu %" PRIu64 " %" PRIu64 "\n", i, ns[i],
			    cns[i]);
		fclose(f);
	}
	buf_release(&path);
	bench_percentiles(cns, b->nq, cp);
	memcpy(cns, ns, b->nq * sizeof(*ns));
	bench_percentiles(cns, b->nq, wp);
	fprintf(stderr, "clerk: %s: wall p50 %.2f p99 %.2f, thread CPU p50 "
	    "%.2f p99 %.2f us, stolen %" PRIu64 " ticks\n", b->fig[q].name,
	    wp[0], wp[1], cp[0], cp[1], steal);
}

/*
 * Each latency series runs passes() times over the same queries, one
 * pass after another, and its p50 and p99 are the medians of the
 * passes' (BENCH_REPEAT, default 3): on a shared virtual machine one
 * pass of a few microseconds an operation now and then ran a third
 * slower throughout, and the engine it fell on lost a ratio it won in
 * the next run.
 */
#define PASSES_MAX	9

static size_t
passes(void)
{
	const char	*s = getenv("BENCH_REPEAT");
	int		 k = s != NULL ? atoi(s) : 3;

	return (k < 1 ? 1 : k > PASSES_MAX ? PASSES_MAX : (size_t)k);
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static void
pass_median(double pc[][2], size_t n, double out[2])
{
	double	v[PASSES_MAX];
	size_t	k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < n; i++)
			v[i] = pc[i][k];
		qsort(v, n, sizeof(v[0]), cmp_double);
		out[k] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	}
}

/*
 * The bulk load: every record in one bulk transaction (STORE_TXN_BULK)
 * through store_load() into a store of its own whose table is empty, as
 * `clerk import` loads a file into a table that holds no record.  The
 * rows are handed encoded (made before the clock starts) and decoded by
 * row() and, in the key thread, peek(), as clerkd's import hands them;
 * every index is written (store_load() writes its own), so the store
 * is settled when the commit returns.  The store is removed after.
 */
struct cl_bulk {
	struct buf	 enc;
	size_t		*off;		/* n + 1 offsets into enc */
	struct store_load l;
};

static int
cl_bulk_row(void *arg, size_t i, struct record *rec, struct buf *err)
{
	struct cl_bulk	*a = arg;

	if (record_decode(rec, a->enc.data + a->off[i], a->off[i + 1] -
	    a->off[i], err) != 0)
		return (-1);
	rec->id = 0;
	return (0);
}

static int
cl_bulk_fn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct cl_bulk	*a = arg;
	int		 r;

	if ((r = store_load(txn, &a->l, USER, err)) == STORE_TOOBIG)
		return (buf_error(err, "too big for one bulk transaction"));
	if (r == STORE_NOTEMPTY)
		return (buf_error(err, "the table is not empty"));
	return (r == 0 ? 0 : -1);
}

static int
cl_count_fn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct bench	*b = arg;

	return (store_count(txn, b->table, &b->bulk_count, err));
}

static void
clerk_bulk(struct bench *b)
{
	struct store_options opt;
	struct store	*st;
	struct cl_bulk	 a;
	struct buf	 err = BUF_INIT, path = BUF_INIT;
	uint64_t	 t0, t;
	size_t		 i;
	double		 cpu;

	buf_printf(&path, "%s/clerk-bulk", b->dir);
	wipe(path.data, NULL, NULL);
	memset(&a, 0, sizeof(a));
	a.off = xcalloc(b->n + 1, sizeof(*a.off));
	for (i = 0; i < b->n; i++) {
		a.off[i] = a.enc.len;
		record_encode(b->recs[i], &a.enc);
	}
	a.off[b->n] = a.enc.len;
	a.l.table = b->table;
	a.l.n = b->n;
	a.l.row = cl_bulk_row;
	a.l.peek = cl_bulk_row;
	a.l.arg = &a;
	memset(&opt, 0, sizeof(opt));
	opt.cache_mb = b->cache_mb;
	opt.flags = STORE_CREATE | STORE_NOSYNC;
	if (store_open(&st, path.data, b->schema, &opt, &err) != 0)
		die_store("open", &err);
	fprintf(stderr, "clerk: loading %zu parties in bulk...\n", b->n);
	cpu = cpu_secs();
	t0 = bench_now_ns();
	if (store_txn_run(st, STORE_TXN_BULK, cl_bulk_fn, &a, &err) != 0)
		die_store("bulk load", &err);
	if (store_settle(st, &err) != 0)
		die_store("settle", &err);
	t = bench_now_ns() - t0;
	b->cpu_bulk[0] = cpu_secs() - cpu;
	if (store_txn_run(st, STORE_TXN_READONLY, cl_count_fn, b, &err) != 0)
		die_store("count", &err);
	if (b->bulk_count != b->n)
		b->mismatch[F_BULK]++;
	b->fig[F_BULK].clerk[0] = (double)b->n / bench_secs(t);
	b->fig[F_BULK].done[0] = 1;
	fprintf(stderr, "clerk: %.0f records/s in bulk (%.1f s)\n",
	    b->fig[F_BULK].clerk[0], bench_secs(t));
	b->rss_bulk[0] = b->rss_base + turn_hwm(0);
	store_close(st);
	wipe(path.data, NULL, NULL);
	buf_release(&a.enc);
	free(a.off);
	buf_release(&err);
	buf_release(&path);
}

static void
run_clerk(struct bench *b)
{
	struct store_options opt;
	struct store	*st;
	struct cl_insert ins;
	struct cl_op	 op;
	struct buf	 err = BUF_INIT, path = BUF_INIT;
	uint64_t	*ns, *cns, t0, t1, tins, total, hit0, hit1, miss0, miss1;
	uint64_t	 c0, steal0, steal1;
	struct rusage	 ru0, ru1;
	const char	*cpumode = getenv("BENCH_CPUTIME"), *s;
	size_t		 rep, repeat;
	double		 pc[PASSES_MAX][2];
	int		 cputime = cpumode != NULL && *cpumode == '1';
	size_t		 i, j, q, runs;
	double		 best;
	struct tally	 ld;
	int		 r, loaded;

	turn_take(0);
	buf_printf(&path, "%s/clerk", b->dir);
	if (!(loaded = loaded_get(b, "clerk")))
		wipe(path.data, NULL, NULL);
	memset(&opt, 0, sizeof(opt));
	opt.cache_mb = b->cache_mb;
	opt.flags = STORE_CREATE | STORE_NOSYNC;
	/* A comparison: index entries written in each transaction. */
	if ((s = getenv("BENCH_INDEX_NOW")) != NULL && strcmp(s, "1") == 0)
		opt.flags |= STORE_INDEX_NOW;
	if (store_open(&st, path.data, b->schema, &opt, &err) != 0)
		die_store("open", &err);

	if (loaded) {
		fprintf(stderr, "clerk: reusing the parties of a run before\n");
		if (store_txn_run(st, STORE_TXN_READONLY, cl_ids, b, &err) != 0)
			die_store("ids", &err);
		disk_usage(path.data, b->disk_clerk);
		goto reads;
	}
	clerk_bulk(b);
	turn_give(0, 0);
	turn_peak_restart(0);
	fprintf(stderr, "clerk: inserting %zu parties...\n", b->n);
	ins.recs = b->recs;
	memset(&ld, 0, sizeof(ld));
	for (i = 0; i < b->n; i += BATCH) {
		if (i % LOAD_TURN == 0) {
			turn_take(0);
			tally_start(&ld);
		}
		ins.from = i;
		ins.to = i + BATCH < b->n ? i + BATCH : b->n;
		if (store_txn_run(st, 0, cl_insert_fn, &ins, &err) != 0) {
			buf_prefix(&err, "party %zu: ", i);
			die_store("insert", &err);
		}
		if (ins.to % LOAD_TURN != 0 && ins.to != b->n)
			continue;
		/* Timed with every index entry written, those the
		 * store's indexer writes behind the commits too: none
		 * left to write in SQLite's turn. */
		if (store_settle(st, &err) != 0)
			die_store("settle", &err);
		tally_stop(&ld);
		if (ins.to != b->n)
			turn_give(0, 0);
	}
	tins = ld.ns;
	tally_start(&ld);
	if (store_checkpoint(st, &err) != 0)
		die_store("checkpoint", &err);
	tally_stop(&ld);
	t1 = ld.ns;
	b->cpu_clerk = ld.cpu;
	b->wr_clerk = ld.wr;
	b->fig[F_INSERT].clerk[0] = (double)b->n / bench_secs(tins);
	b->fig[F_INSERT_CKPT].clerk[0] = (double)b->n / bench_secs(t1);
	b->fig[F_INSERT].done[0] = b->fig[F_INSERT_CKPT].done[0] = 1;
	for (i = 0; i < b->n; i++)
		b->clerk_id[i] = b->recs[i]->id;
	if (!ids_sorted(b->clerk_id, b->n))
		fprintf(stderr, "clerk: ids do not grow in insert order; "
		    "search answers are not compared\n");
	fprintf(stderr, "clerk: %.0f records/s (%.1f s)\n",
	    b->fig[F_INSERT].clerk[0], bench_secs(tins));

	/* What a server does once idle after a big load (clerkd(8)):
	 * pack the pages random inserts left two thirds full. */
	disk_usage(path.data, b->disk_clerk);
	b->disk_loaded = b->disk_clerk[0];
	fprintf(stderr, "clerk: compacting...\n");
	t0 = bench_now_ns();
	if (store_compact(st, NULL, NULL, &err) != 0)
		die_store("compact", &err);
	b->fig[F_COMPACT].clerk[0] = bench_secs(bench_now_ns() - t0);
	b->fig[F_COMPACT].done[0] = 1;
	disk_usage(path.data, b->disk_clerk);
	fprintf(stderr, "clerk: compacted in %.1f s, data %.0f MB -> %.0f MB\n",
	    b->fig[F_COMPACT].clerk[0], b->disk_loaded / 1e6,
	    b->disk_clerk[0] / 1e6);
	loaded_put(b, "clerk");

reads:
	ns = xcalloc(b->nq, sizeof(*ns));
	cns = xcalloc(b->nq, sizeof(*cns));
	memset(&op, 0, sizeof(op));
	op.b = b;
	op.ids = xcalloc(b->n > MAXHITS ? b->n : MAXHITS, sizeof(uint64_t));
	buf_init(&op.key);
	query_keys(b, 0, b->clerk_id);
	turn_give(0, 0);
	/* The peak of the load (SQLite's memory is there during the
	 * reads, and left out by the turns' accounting anyway). */
	b->rss_clerk = b->rss_base + turns.peak[0];
	turns.counted[0] = 1;

	/* Latency series: one read-only transaction per operation.  A
	 * diagnosis may ask for every series again (BENCH_REPEAT). */
	repeat = passes();
	for (q = F_GET; q <= F_PAGE; q++) {
	    for (rep = 0; rep < repeat; rep++) {
		op.what = q >= F_SEARCH0 && q < F_PAGE ? F_SEARCH0 : (int)q;
		op.qs = (int)(q - F_SEARCH0);
		turn_take(0);
		fprintf(stderr, "clerk: %s\n", b->fig[q].name);
		/* Each pass as the first: none of its records kept from
		 * the pass before (the records read lately, rcache.c). */
		store_record_cache_clear(st);
		getrusage(RUSAGE_SELF, &ru0);
		store_cache_stats(st, &hit0, &miss0);
		steal0 = steal_ticks();
		if ((s = getenv("BENCH_STOP_AT")) != NULL && rep == 0 &&
		    (size_t)atoi(s) == q) {
			fprintf(stderr, "clerk: stopped before %s (pid %ld)\n",
			    b->fig[q].name, (long)getpid());
			raise(SIGSTOP);
		}
		for (i = 0; i < b->nq; i++) {
			op.i = i;
			c0 = cputime ? thread_cpu_ns() : 0;
			t0 = bench_now_ns();
			/* A get and a lookup are one read each: outside a
			 * transaction, as clerk show reads a record. */
			r = store_txn_run(st, STORE_TXN_READONLY |
			    (q == F_GET || q == F_INN ? STORE_TXN_ONEREAD : 0),
			    cl_op_fn, &op, &err);
			ns[i] = bench_now_ns() - t0;
			if (cputime)
				cns[i] = thread_cpu_ns() - c0;
			if (r < 0)
				die_store(b->fig[q].name, &err);
			if (rep == 0 && (r == STORE_NOTFOUND ||
			    (q == F_GET && !op.found)))
				b->mismatch[q]++;
			if (rep == 0 && q == F_INN && (op.found != 1 ||
			    op.ids[0] != b->inn_id[0][i]))
				b->mismatch[q]++;
			if (op.what == F_SEARCH0) {
				b->nhits[op.qs][i] = (unsigned char)op.found;
				for (j = 0; j < op.found; j++)
					b->hits[op.qs][i * MAXHITS + j] =
					    ids_find(b->clerk_id, b->n,
					    op.ids[j]);
			}
			if (q == F_PAGE) {
				b->page_first[i] = op.found == 0 ? SIZE_MAX :
				    ids_find(b->clerk_id, b->n, op.ids[0]);
				b->page_n[i] = (unsigned char)op.found;
			}
		}
		steal1 = steal_ticks();
		if (cputime)
			cputime_report(b, q, rep, ns, cns, steal1 - steal0);
		bench_percentiles(ns, b->nq, pc[rep]);
		if (rep + 1 == repeat)
			pass_median(pc, repeat, b->fig[q].clerk);
		b->fig[q].done[0] = 1;
		store_cache_stats(st, &hit1, &miss1);
		getrusage(RUSAGE_SELF, &ru1);
		b->cache_hits[q] = hit1 - hit0;
		b->cache_misses[q] = miss1 - miss0;
		b->minflt[q] = ru1.ru_minflt - ru0.ru_minflt;
		b->nivcsw[q] = ru1.ru_nivcsw - ru0.ru_nivcsw;
		turn_give(0, 0);
	    }
	}
	/* Scan with a predicate: every record by id, 100,000 a
	 * transaction (store_scan holds no page locks behind it). */
	turn_take(0);
	fprintf(stderr, "clerk: scans\n");
	runs = 3;
	best = 0;
	for (j = 0; j < runs; j++) {
		op.what = F_SCAN;
		op.after = 0;
		total = 0;
		t0 = bench_now_ns();
		do {
			if (store_txn_run(st, STORE_TXN_READONLY, cl_op_fn, &op,
			    &err) < 0)
				die_store("scan", &err);
			total += op.found;
		} while (op.more);
		t1 = bench_now_ns() - t0;
		if (j == 0 || bench_secs(t1) * 1e3 < best)
			best = bench_secs(t1) * 1e3;
	}
	b->scan_count = total;
	b->fig[F_SCAN].clerk[0] = best;
	b->fig[F_SCAN].done[0] = 1;

	/* The same question through the city index. */
	for (j = 0; j < runs; j++) {
		t0 = bench_now_ns();
		if (store_txn_run(st, STORE_TXN_READONLY, cl_city_lookup, &op,
		    &err) != 0)
			die_store("city lookup", &err);
		total = 0;
		op.what = F_CITY;
		for (op.i = 0; op.i < op.nids; op.i += SCANPAGE) {
			if (store_txn_run(st, STORE_TXN_READONLY, cl_op_fn, &op,
			    &err) != 0)
				die_store("city get", &err);
			total += op.found;
		}
		t1 = bench_now_ns() - t0;
		if (j == 0 || bench_secs(t1) * 1e3 < best)
			best = bench_secs(t1) * 1e3;
	}
	b->city_count = total;
	b->fig[F_CITY].clerk[0] = best;
	b->fig[F_CITY].done[0] = 1;
	if (b->city_count != b->scan_count)
		b->mismatch[F_CITY]++;

	turn_give(0, 1);
	store_close(st);
	disk_usage(path.data, b->disk_clerk);
	free(ns);
	free(cns);
	free(op.ids);
	buf_release(&op.key);
	buf_release(&err);
	buf_release(&path);
}

/* ---------------------------------------------------------------- */
/* SQLite: the same rows with equivalent indexes.  Folded indexes get a
 * column holding clerk's own fold key, multi-valued fields a (value, id)
 * table, the word-token index an FTS5 table fed clerk's own tokens. */

struct lite {
	sqlite3		*db;
	sqlite3_stmt	*ins, *begin, *commit, *fts;
	sqlite3_stmt	*side[GEN_MAXFIELDS * 2];
	int		 side_fold[GEN_MAXFIELDS * 2];
	size_t		 side_pos[GEN_MAXFIELDS * 2], nside;
	sqlite3_stmt	*get, *inn, *search, *page, *scan, *city;
	int		 ncols;
	struct buf	 ixddl;		/* the indexes' CREATEs, ';' apart */
};

static void
lite_exec(struct lite *l, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fatal("sqlite: %s: %s", sql, msg);
}

static sqlite3_stmt *
lite_prepare(struct lite *l, const char *sql)
{
	sqlite3_stmt	*s;

	if (sqlite3_prepare_v2(l->db, sql, -1, &s, NULL) != SQLITE_OK)
		fatal("sqlite: %s: %s", sql, sqlite3_errmsg(l->db));
	return (s);
}

static void
lite_step_done(struct lite *l, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		fatal("sqlite: %s: %s", sqlite3_sql(s), sqlite3_errmsg(l->db));
	sqlite3_reset(s);
}

static int
is_folded_col(const struct field *f)
{
	return (!f->multi && (f->index & IX_FOLDED));
}

/* Tables and indexes from the schema, as clerk has them. */
/*
 * Prepare the statements on l->db, and with create make the tables and
 * their indexes; with create LITE_TABLES the tables only, the indexes'
 * CREATEs left in l->ixddl for after a bulk load's rows.
 */
#define LITE_CREATE	1
#define LITE_TABLES	2

static void
lite_schema(struct bench *b, struct lite *l, int create)
{
	const struct table *t = b->table;
	const struct field *f;
	const struct unique *u;
	struct buf	 s = BUF_INIT, cols = BUF_INIT, qs = BUF_INIT;
	size_t		 i, k;
	int		 exact;

	buf_adds(&s, "CREATE TABLE party(id INTEGER PRIMARY KEY");
	l->ncols = 1;
	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		buf_printf(&s, ", %s %s", f->name, FT_IS_INT(f->type) ?
		    "INTEGER" : "TEXT");
		buf_printf(&cols, "%s%s", cols.len ? ", " : "", f->name);
		buf_printf(&qs, "%s?", qs.len ? ", " : "");
		l->ncols++;
		if (is_folded_col(f)) {
			buf_printf(&s, ", %s_fold TEXT", f->name);
			buf_printf(&cols, ", %s_fold", f->name);
			buf_adds(&qs, ", ?");
			l->ncols++;
		}
	}
	buf_adds(&s, ")");
	if (create)
		lite_exec(l, s.data);
	buf_reset(&l->ixddl);

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		exact = (f->index & (IX_EXACT | IX_UNIQUE)) ||
		    f->type == FT_REF;
		if (f->multi) {
			for (k = 0; k < 2; k++) {
				if (k == 0 ? !exact : !(f->index & IX_FOLDED))
					continue;
				buf_reset(&s);
				buf_printf(&s, "CREATE TABLE party_%s%s(v TEXT "
				    "NOT NULL, id INTEGER NOT NULL, PRIMARY "
				    "KEY(v, id)) WITHOUT ROWID", f->name,
				    k ? "_fold" : "");
				if (create)
					lite_exec(l, s.data);
				buf_reset(&s);
				buf_printf(&s, "INSERT INTO party_%s%s(v, id) "
				    "VALUES(?, ?)", f->name, k ? "_fold" : "");
				l->side[l->nside] = lite_prepare(l, s.data);
				l->side_fold[l->nside] = (int)k;
				l->side_pos[l->nside++] = i;
			}
			continue;
		}
		if (exact) {
			buf_reset(&s);
			buf_printf(&l->ixddl, "CREATE %sINDEX party_%s ON "
			    "party(%s);", f->index & IX_UNIQUE ? "UNIQUE " : "",
			    f->name, f->name);
		}
		if (f->index & IX_FOLDED) {
			buf_reset(&s);
			buf_printf(&l->ixddl, "CREATE INDEX party_%s_fold ON "
			    "party(%s_fold);", f->name, f->name);
		}
	}
	for (i = 0; i < t->nuniques; i++) {
		u = &t->uniques[i];
		buf_printf(&l->ixddl, "CREATE UNIQUE INDEX party_u_%s ON "
		    "party(", u->name);
		for (k = 0; k < u->nfields; k++)
			buf_printf(&l->ixddl, "%s%s", k ? ", " : "",
			    t->fields[u->fields[k]].name);
		buf_adds(&l->ixddl, ")");
		if (u->when_field >= 0)
			buf_printf(&l->ixddl, " WHERE %s = '%s'",
			    t->fields[u->when_field].name, u->when_value);
		buf_adds(&l->ixddl, ";");
	}
	/* Indexes now, or (LITE_TABLES) after a bulk load's rows. */
	if (create && !(create & LITE_TABLES))
		lite_exec(l, l->ixddl.data);
	/*
	 * The word index: contentless FTS5 with no positions (clerk's
	 * token index keeps none either) and prefix indexes for the 2-4
	 * letter prefixes people type; tokens are clerk's, already folded,
	 * so the tokenizer must neither fold diacritics (й is not и) nor
	 * split e-mails.
	 */
	if (create)
		lite_exec(l, "CREATE VIRTUAL TABLE party_fts USING fts5("
		    "tokens, content='', detail=none, columnsize=0, "
		    "prefix='2 3 4', tokenize=\"unicode61 remove_diacritics 0 "
		    "tokenchars '@.-_+'\")");

	buf_reset(&s);
	buf_printf(&s, "INSERT INTO party(%s) VALUES(%s)", cols.data, qs.data);
	l->ins = lite_prepare(l, s.data);
	l->fts = lite_prepare(l, "INSERT INTO party_fts(rowid, tokens) "
	    "VALUES(?, ?)");
	l->begin = lite_prepare(l, "BEGIN");
	l->commit = lite_prepare(l, "COMMIT");
	buf_release(&s);
	buf_release(&cols);
	buf_release(&qs);
}

static void
lite_insert(struct bench *b, struct lite *l, size_t ri, struct keyset *ks,
    struct buf *tmp)
{
	const struct record *rec = b->recs[ri];
	const struct table *t = b->table;
	const struct field *f;
	const struct value *v;
	const char	*p, *e;
	size_t		 i, k, col = 1;
	sqlite3_int64	 id;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		v = &rec->values[i];
		if (!v->set)
			sqlite3_bind_null(l->ins, (int)col);
		else if (FT_IS_INT(f->type))
			sqlite3_bind_int64(l->ins, (int)col, v->i);
		else
			sqlite3_bind_text(l->ins, (int)col, v->s, (int)v->len,
			    SQLITE_STATIC);
		col++;
		if (is_folded_col(f)) {
			if (!v->set)
				sqlite3_bind_null(l->ins, (int)col);
			else {
				buf_reset(tmp);
				utf8_foldkey(tmp, v->s, v->len);
				sqlite3_bind_text(l->ins, (int)col, tmp->data,
				    (int)tmp->len, SQLITE_TRANSIENT);
			}
			col++;
		}
	}
	lite_step_done(l, l->ins);
	id = sqlite3_last_insert_rowid(l->db);
	b->lite_id[ri] = (uint64_t)id;

	/* Multi-valued fields: one (value, id) row per element. */
	for (k = 0; k < l->nside; k++) {
		v = &rec->values[l->side_pos[k]];
		if (!v->set)
			continue;
		for (p = v->s; p < v->s + v->len; p = e + 1) {
			if ((e = memchr(p, '\n', v->s + v->len - p)) == NULL)
				e = v->s + v->len;
			if (e == p)
				continue;
			if (l->side_fold[k]) {
				buf_reset(tmp);
				utf8_foldkey(tmp, p, (size_t)(e - p));
				sqlite3_bind_text(l->side[k], 1, tmp->data,
				    (int)tmp->len, SQLITE_TRANSIENT);
			} else
				sqlite3_bind_text(l->side[k], 1, p,
				    (int)(e - p), SQLITE_STATIC);
			sqlite3_bind_int64(l->side[k], 2, id);
			lite_step_done(l, l->side[k]);
		}
	}

	/* Clerk's own search tokens, blank-separated. */
	keyset_reset(ks);
	index_search_keys(rec, ks);
	buf_reset(tmp);
	for (k = 0; k < ks->n; k++) {
		p = ks->bytes.data + ks->off[k];
		if (tmp->len > 0)
			buf_addch(tmp, ' ');
		buf_add(tmp, p, ks->len[k]);
		for (i = 0; i < ks->len[k]; i++)
			if ((unsigned char)p[i] < 0x80 &&
			    !(p[i] >= 'a' && p[i] <= 'z') &&
			    !(p[i] >= '0' && p[i] <= '9') &&
			    strchr("@.-_+", p[i]) == NULL) {
				b->fts_split++;
				break;
			}
	}
	sqlite3_bind_int64(l->fts, 1, id);
	sqlite3_bind_text(l->fts, 2, tmp->data, (int)tmp->len,
	    SQLITE_STATIC);
	lite_step_done(l, l->fts);
}

/* Read every column of the current row, as an application would. */
static void
lite_read_row(sqlite3_stmt *s)
{
	int	c, n = sqlite3_column_count(s);

	for (c = 0; c < n; c++) {
		if (sqlite3_column_type(s, c) == SQLITE_INTEGER)
			sink += (uint64_t)sqlite3_column_int64(s, c);
		else {
			sink += (uintptr_t)sqlite3_column_text(s, c);
			sink += (uint64_t)sqlite3_column_bytes(s, c);
		}
	}
}

/* "ива пе" -> "ива"* "пе"*: every token a prefix, all required. */
static void
lite_match(const char *q, struct keyset *ks, struct buf *out)
{
	size_t		 k, i;
	const char	*p;

	keyset_reset(ks);
	index_query_tokens(q, ks);
	buf_reset(out);
	for (k = 0; k < ks->n; k++) {
		p = ks->bytes.data + ks->off[k];
		buf_adds(out, out->len ? " \"" : "\"");
		for (i = 0; i < ks->len[k]; i++) {
			if (p[i] == '"')
				buf_addch(out, '"');
			buf_addch(out, p[i]);
		}
		buf_adds(out, "\"*");
	}
}

static size_t
lite_op(struct bench *b, struct lite *l, int what, int qs, size_t i,
    struct keyset *ks, struct buf *tmp, uint64_t *ids)
{
	sqlite3_stmt	*s;
	const char	*key;
	size_t		 n = 0, keylen;
	int		 r;

	switch (what) {
	case F_GET:
		s = l->get;
		sqlite3_bind_int64(s, 1, (sqlite3_int64)b->get_id[1][i]);
		break;
	case F_INN:
		s = l->inn;
		key = qkey(&b->k_inn, i, &keylen);
		sqlite3_bind_text(s, 1, key, (int)keylen, SQLITE_STATIC);
		break;
	case F_PAGE:
		s = l->page;
		key = qkey(&b->k_page, i, &keylen);
		sqlite3_bind_text(s, 1, key, (int)keylen, SQLITE_STATIC);
		break;
	default:
		s = l->search;
		lite_match(b->q_search[qs][i], ks, tmp);
		sqlite3_bind_text(s, 1, tmp->data, (int)tmp->len,
		    SQLITE_STATIC);
		break;
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (what == F_GET || what == F_PAGE)
			lite_read_row(s);
		if (n < MAXHITS)
			ids[n] = (uint64_t)sqlite3_column_int64(s, 0);
		n++;
	}
	if (r != SQLITE_DONE)
		fatal("sqlite: %s: %s", sqlite3_sql(s), sqlite3_errmsg(l->db));
	sqlite3_reset(s);
	return (n);
}

static size_t
lite_scan(struct lite *l, sqlite3_stmt *s, const char *city)
{
	size_t	n = 0;
	int	r;

	sqlite3_bind_text(s, 1, city, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		lite_read_row(s);
		n++;
	}
	if (r != SQLITE_DONE)
		fatal("sqlite: %s: %s", sqlite3_sql(s), sqlite3_errmsg(l->db));
	sqlite3_reset(s);
	return (n);
}

/* BENCH_REUSE: the rowids in insert order, as clerk's ids (cl_ids). */
static void
lite_ids(struct bench *b, struct lite *l)
{
	sqlite3_stmt	*st;
	size_t		 n = 0;

	st = lite_prepare(l, "SELECT id FROM party ORDER BY id");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n < b->n)
			b->lite_id[n] = (uint64_t)sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_finalize(st);
	if (n != b->n)
		fatal("sqlite: %zu parties, not %zu: load again (a new DIR or "
		    "BENCH_REUSE unset)", n, b->n);
}

/*
 * Open the database at path (removed first when fresh) as both loads
 * use it: WAL, no syncing, the cache the clerk store gets; and close
 * it with every statement prepared on it.
 */
static void
lite_open(struct bench *b, struct lite *l, const char *path, int fresh)
{
	struct buf	 tmp = BUF_INIT;

	memset(l, 0, sizeof(*l));
	buf_init(&l->ixddl);
	if (fresh)
		wipe(path, "-wal", "-shm");
	if (sqlite3_open(path, &l->db) != SQLITE_OK)
		fatal("sqlite: %s: %s", path, sqlite3_errmsg(l->db));
	lite_exec(l, "PRAGMA journal_mode=WAL");
	lite_exec(l, "PRAGMA synchronous=OFF");
	buf_printf(&tmp, "PRAGMA cache_size=-%zu", b->cache_mb * 1024);
	lite_exec(l, tmp.data);
	buf_release(&tmp);
}

static void
lite_close(struct lite *l)
{
	sqlite3_stmt	*all[] = { l->ins, l->fts, l->begin, l->commit, l->get,
			    l->inn, l->search, l->page, l->scan, l->city };
	size_t		 i;

	/* (sqlite3_finalize(NULL) does nothing.) */
	for (i = 0; i < nitems(all); i++)
		sqlite3_finalize(all[i]);
	for (i = 0; i < l->nside; i++)
		sqlite3_finalize(l->side[i]);
	buf_release(&l->ixddl);
	if (sqlite3_close(l->db) != SQLITE_OK)
		fatal("sqlite: close: %s", sqlite3_errmsg(l->db));
}

/*
 * SQLite's bulk load, as its documentation advises for one: into a new
 * file, every row in one transaction into the tables alone (the (value,
 * id) tables of the multi-valued fields and the FTS5 table are fed with
 * them), then the indexes made in the same transaction, each from its
 * rows sorted.  Removed after.
 */
static void
lite_bulk(struct bench *b)
{
	struct lite	 l;
	struct keyset	 ks;
	struct buf	 tmp = BUF_INIT, path = BUF_INIT;
	sqlite3_stmt	*count;
	uint64_t	 t0, t;
	size_t		 i;
	double		 cpu;
	char		*msg = NULL;

	keyset_init(&ks);
	buf_printf(&path, "%s/sqlite-bulk.db", b->dir);
	lite_open(b, &l, path.data, 1);
	lite_schema(b, &l, LITE_CREATE | LITE_TABLES);
	fprintf(stderr, "sqlite: loading %zu parties in bulk...\n", b->n);
	cpu = cpu_secs();
	t0 = bench_now_ns();
	lite_step_done(&l, l.begin);
	for (i = 0; i < b->n; i++)
		lite_insert(b, &l, i, &ks, &tmp);
	lite_exec(&l, l.ixddl.data);
	lite_step_done(&l, l.commit);
	if (sqlite3_exec(l.db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
	    &msg) != SQLITE_OK)
		fatal("sqlite: checkpoint: %s", msg);
	t = bench_now_ns() - t0;
	b->cpu_bulk[1] = cpu_secs() - cpu;
	count = lite_prepare(&l, "SELECT count(*) FROM party");
	if (sqlite3_step(count) != SQLITE_ROW ||
	    (size_t)sqlite3_column_int64(count, 0) != b->n)
		b->mismatch[F_BULK]++;
	sqlite3_finalize(count);
	b->fig[F_BULK].lite[0] = (double)b->n / bench_secs(t);
	b->fig[F_BULK].done[1] = 1;
	fprintf(stderr, "sqlite: %.0f records/s in bulk (%.1f s)\n",
	    b->fig[F_BULK].lite[0], bench_secs(t));
	b->rss_bulk[1] = b->rss_base + turn_hwm(1);
	lite_close(&l);
	wipe(path.data, "-wal", "-shm");
	keyset_release(&ks);
	buf_release(&tmp);
	buf_release(&path);
}

static void
run_lite(struct bench *b)
{
	struct lite	 l;
	struct keyset	 ks;
	struct buf	 tmp = BUF_INIT, path = BUF_INIT, fold = BUF_INIT;
	uint64_t	*ns, t0, t1, tins, ids[MAXHITS];
	size_t		 i, j, q, n, runs, first, cnt, rep, repeat = passes();
	double		 pc[PASSES_MAX][2];
	double		 best;
	struct tally	 ld;
	size_t		 to;
	int		 what, qs, cmp, loaded;
	char		*msg;

	turn_take(1);
	if (!loaded_get(b, "sqlite"))
		lite_bulk(b);
	keyset_init(&ks);
	buf_printf(&path, "%s/sqlite.db", b->dir);
	loaded = loaded_get(b, "sqlite");
	lite_open(b, &l, path.data, !loaded);
	lite_schema(b, &l, loaded ? 0 : LITE_CREATE);
	if (loaded) {
		fprintf(stderr, "sqlite: reusing the parties of a run before\n");
		lite_ids(b, &l);
		goto reads;
	}

	turn_give(1, 0);
	turn_peak_restart(1);
	fprintf(stderr, "sqlite: inserting %zu parties...\n", b->n);
	memset(&ld, 0, sizeof(ld));
	for (i = 0; i < b->n; i += BATCH) {
		if (i % LOAD_TURN == 0) {
			turn_take(1);
			tally_start(&ld);
		}
		lite_step_done(&l, l.begin);
		for (j = i; j < i + BATCH && j < b->n; j++)
			lite_insert(b, &l, j, &ks, &tmp);
		lite_step_done(&l, l.commit);
		to = i + BATCH < b->n ? i + BATCH : b->n;
		if (to % LOAD_TURN != 0 && to != b->n)
			continue;
		tally_stop(&ld);
		if (to != b->n)
			turn_give(1, 0);
	}
	tins = ld.ns;
	tally_start(&ld);
	msg = NULL;
	if (sqlite3_exec(l.db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
	    &msg) != SQLITE_OK)
		fatal("sqlite: checkpoint: %s", msg);
	tally_stop(&ld);
	t1 = ld.ns;
	b->cpu_lite = ld.cpu;
	b->wr_lite = ld.wr;
	b->fig[F_INSERT].lite[0] = (double)b->n / bench_secs(tins);
	b->fig[F_INSERT_CKPT].lite[0] = (double)b->n / bench_secs(t1);
	b->fig[F_INSERT].done[1] = b->fig[F_INSERT_CKPT].done[1] = 1;
	fprintf(stderr, "sqlite: %.0f records/s (%.1f s)\n",
	    b->fig[F_INSERT].lite[0], bench_secs(tins));
	loaded_put(b, "sqlite");

reads:
	l.get = lite_prepare(&l, "SELECT * FROM party WHERE id = ?");
	l.inn = lite_prepare(&l, "SELECT id FROM party WHERE inn = ?");
	l.search = lite_prepare(&l, "SELECT rowid FROM party_fts WHERE "
	    "party_fts MATCH ? LIMIT 50");
	l.page = lite_prepare(&l, "SELECT * FROM party WHERE name_fold >= ? "
	    "ORDER BY name_fold, id LIMIT 50");
	l.scan = lite_prepare(&l, "SELECT * FROM party NOT INDEXED WHERE "
	    "city = ? AND status = 'active'");
	l.city = lite_prepare(&l, "SELECT * FROM party WHERE city_fold = ? "
	    "AND status = 'active'");

	ns = xcalloc(b->nq, sizeof(*ns));
	query_keys(b, 1, b->lite_id);
	turn_give(1, 0);
	b->rss_lite = b->rss_base + turns.peak[1];
	turns.counted[1] = 1;
	for (q = F_GET; q <= F_PAGE; q++) {
		what = q >= F_SEARCH0 && q < F_PAGE ? F_SEARCH0 : (int)q;
		qs = (int)(q - F_SEARCH0);
	    for (rep = 0; rep < repeat; rep++) {
		turn_take(1);
		fprintf(stderr, "sqlite: %s\n", b->fig[q].name);
		for (i = 0; i < b->nq; i++) {
			t0 = bench_now_ns();
			n = lite_op(b, &l, what, qs, i, &ks, &tmp, ids);
			ns[i] = bench_now_ns() - t0;
			/* Answers checked once, in the first pass. */
			switch (rep != 0 ? -1 : b->fig[F_GET].done[0] ||
			    what == F_GET || what == F_INN ? what : -1) {
			case F_GET:
				if (n != 1)
					b->mismatch[q]++;
				break;
			case F_INN:
				if (n != 1 || ids[0] != b->inn_id[1][i])
					b->mismatch[q]++;
				break;
			case F_PAGE:
				first = n == 0 ? SIZE_MAX : ids_find(b->lite_id,
				    b->n, ids[0]);
				if (first != b->page_first[i] ||
				    n != b->page_n[i])
					b->mismatch[q]++;
				break;
			case -1:	/* clerk did not run */
				break;
			default:
				/* Same records, same order as clerk's? */
				cnt = n < MAXHITS ? n : MAXHITS;
				cmp = cnt == b->nhits[qs][i];
				for (j = 0; cmp && j < cnt; j++)
					cmp = ids_find(b->lite_id, b->n, ids[j])
					    == b->hits[qs][i * MAXHITS + j];
				if (!cmp)
					b->mismatch[q]++;
				break;
			}
		}
		bench_percentiles(ns, b->nq, pc[rep]);
		turn_give(1, 0);
	    }
		pass_median(pc, repeat, b->fig[q].lite);
		b->fig[q].done[1] = 1;
	}

	turn_take(1);
	fprintf(stderr, "sqlite: scans\n");
	runs = 3;
	for (j = 0, best = 0; j < runs; j++) {
		t0 = bench_now_ns();
		n = lite_scan(&l, l.scan, b->scan_city);
		t1 = bench_now_ns() - t0;
		if (j == 0 || bench_secs(t1) * 1e3 < best)
			best = bench_secs(t1) * 1e3;
	}
	if (b->fig[F_SCAN].done[0] && n != b->scan_count)
		b->mismatch[F_SCAN]++;
	b->scan_count = n;
	b->fig[F_SCAN].lite[0] = best;
	b->fig[F_SCAN].done[1] = 1;
	utf8_foldkey(&fold, b->scan_city, strlen(b->scan_city));
	for (j = 0, best = 0; j < runs; j++) {
		t0 = bench_now_ns();
		n = lite_scan(&l, l.city, fold.data);
		t1 = bench_now_ns() - t0;
		if (j == 0 || bench_secs(t1) * 1e3 < best)
			best = bench_secs(t1) * 1e3;
	}
	if (b->fig[F_CITY].done[0] && n != b->city_count)
		b->mismatch[F_CITY]++;
	b->city_count = n;
	b->fig[F_CITY].lite[0] = best;
	b->fig[F_CITY].done[1] = 1;

	turn_give(1, 1);
	lite_close(&l);
	b->disk_lite[0] = file_size(path.data);
	buf_adds(&path, "-wal");
	b->disk_lite[1] = file_size(path.data);
	free(ns);
	keyset_release(&ks);
	buf_release(&tmp);
	buf_release(&fold);
	buf_release(&path);
}

static void *
lite_thread(void *arg)
{
	run_lite(arg);
	return (NULL);
}

/* ---------------------------------------------------------------- */
/* Report */

static const char *
num(char *out, size_t size, double v)
{
	return (bench_num(out, size, v, 0));
}

/* How many times clerk is faster: > 1 is better for clerk. */
static double
speedup(const struct figure *f, int k)
{
	if (!f->done[0] || !f->done[1])
		return (1);
	if (f->higher_better)
		return (f->clerk[k] / f->lite[k]);
	return (f->lite[k] / f->clerk[k]);
}

/* A figure, or a dash for an engine that did not run. */
static const char *
cell(char *out, size_t size, const struct figure *f, int engine, int k)
{
	if (!f->done[engine])
		return ("—");
	return (num(out, size, engine ? f->lite[k] : f->clerk[k]));
}

static const char *
ratio(char *out, size_t size, const struct figure *f, int k)
{
	if (!f->done[0] || !f->done[1])
		return ("—");
	snprintf(out, size, "%.2f×", speedup(f, k));
	return (out);
}

static void
report(struct bench *b)
{
	struct figure	*f;
	char		 a[32], c[32], d[32], e[32], r0[32], r1[32];
	size_t		 i, q, n;
	int		 ok, worse;
	double		 sp, search99;

	printf("Parties: %zu (seed %d, generated in %.1f s), queries per "
	    "series: %zu, cache: %zu MB per engine, SQLite %s.\n\n", b->n,
	    SEED, b->gen_s, b->nq, b->cache_mb, sqlite3_libversion());
	if (b->reuse)
		printf("BENCH_REUSE: an engine loaded by a run before has no "
		    "load figures here, and its reads began with an empty "
		    "cache.\n\n");
	printf("How: both engines get the same records, generated in memory "
	    "beforehand by src/cmd/demo-gen.c, in one process, each "
	    "engine in a thread of its own, one running at a time, so that a "
	    "ratio compares runs close in time on a host whose speed "
	    "drifts: clerk's bulk load, then SQLite's; the loads in "
	    "transactions in turns of 100,000 records each, clerk's first; "
	    "then each pass of each latency series clerk's and then "
	    "SQLite's. The load's rates, CPU time and writes are the sums "
	    "over the engine's own turns, each turn of clerk's ending when "
	    "its indexer has written every entry; its peak RSS is what the "
	    "process grew by in them. "
	    "clerk: store_open() with STORE_NOSYNC; store_insert() in "
	    "transactions of 1,000, which also validates each record and "
	    "writes its audit entry; the entries of the indexes that are "
	    "not unique and of the word index are written behind the "
	    "commits by the store's indexer thread (store/defer.c), on the "
	    "other processor, as clerkd writes them, and the insert is "
	    "timed until every one is written (store_settle()); the "
	    "indexes of the fields forms/party.form marks shared (kpp, "
	    "city, manager, source, status, tags: values many records "
	    "share) keep each key's ids packed in chunks, as the word "
	    "index does (store/pack.c), the other indexes that are not "
	    "unique (name, short name, ИНН, ОГРН, phones, e-mails) their "
	    "(key, id) pairs in order, many to a B-tree item "
	    "(store/runs.c); then store_compact(), as clerkd does "
	    "by itself once idle after many changes: it packs the pages of "
	    "every table, index and the audit (random inserts leave them "
	    "about two thirds full) and gives the freed pages back to the "
	    "file system, timed in its own row; the reads come after it. "
	    "SQLite: WAL, synchronous=OFF; a column "
	    "per field; an index on every field clerk indexes (folded ones "
	    "on a column holding clerk's own fold key); multi-valued fields "
	    "(phones, e-mails, tags) also in (value, id) WITHOUT ROWID "
	    "tables; the (inn, kpp) unique index partial on kind = 'org'; "
	    "the word index as a contentless FTS5 table (detail=none, "
	    "prefix='2 3 4') fed clerk's own search tokens; prepared "
	    "statements, transactions of 1,000, no validation and no audit. "
	    "The bulk load, before each engine's load and into a database "
	    "of its own, removed after: clerk's store_load() of every "
	    "record in one bulk transaction (STORE_TXN_BULK) into the empty "
	    "table, as `clerk import` loads a file into a table that holds "
	    "no record (the records handed encoded and decoded by its row "
	    "callbacks, one of them in the thread that makes index keys; "
	    "each index written once from its keys sorted; validation and "
	    "audit as above); SQLite's every row in one transaction into "
	    "the tables alone, then the indexes created in it, and the "
	    "checkpoint. "
	    "Reads: a get by id and a lookup by ИНН are one read each and "
	    "run outside a transaction (STORE_TXN_ONEREAD, as clerk show "
	    "reads a record: atomic, committed data only); search and page "
	    "each in its own read-only transaction "
	    "(SQLite: autocommit); get and page decode or read every field; "
	    "search asks for the first 50 ids in id order with every query "
	    "word a prefix (FTS5: MATCH '\"w1\"* \"w2\"*' LIMIT 50); "
	    "lookup by ИНН returns ids. The keys and ids each engine is "
	    "given (clerk's index keys, SQLite's bound texts) are made from "
	    "the generated records before the timed series, so no series "
	    "touches the records themselves. Scans: clerk's store_scan() reads "
	    "every record in id order in bulk, 100,000 per transaction, "
	    "tests city and status in the encoded bytes and decodes each "
	    "match whole; SQLite runs SELECT * ... NOT INDEXED WHERE city = ? AND "
	    "status = 'active'; the index path looks the city up and gets "
	    "each record; best of 3 runs. Each latency series runs %zu "
	    "times over the same queries, each pass after the other "
	    "engine's (clerk's "
	    "records read lately let go before each), and its p50 and p99 are the medians of the passes' (one pass of a "
	    "few microseconds an operation sometimes runs a third slower "
	    "throughout on this shared machine). Speed ratios are clerk's "
	    "speed over SQLite's: above 1 clerk is faster.\n\n", passes());
	printf("| operation | clerk | SQLite | clerk ÷ SQLite speed |\n");
	printf("|---|---:|---:|---:|\n");
	for (i = 0; i < F_COUNT; i++) {
		f = &b->fig[i];
		if (f->latency)
			continue;
		printf("| %s, %s | %s | %s | %s |\n", f->name, f->unit,
		    cell(a, sizeof(a), f, 0, 0), cell(c, sizeof(c), f, 1, 0),
		    ratio(d, sizeof(d), f, 0));
	}
	printf("\nLatency per operation in µs (get and lookup one read "
	    "each, the others a read-only transaction each):\n\n");
	printf("| operation | clerk p50 | clerk p99 | SQLite p50 | "
	    "SQLite p99 | speed p50 | speed p99 |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < F_COUNT; i++) {
		f = &b->fig[i];
		if (!f->latency)
			continue;
		printf("| %s | %s | %s | %s | %s | %s | %s |\n", f->name,
		    cell(a, sizeof(a), f, 0, 0), cell(c, sizeof(c), f, 0, 1),
		    cell(d, sizeof(d), f, 1, 0), cell(e, sizeof(e), f, 1, 1),
		    ratio(r0, sizeof(r0), f, 0), ratio(r1, sizeof(r1), f, 1));
	}
	printf("\nclerk in each series above, for its tail: pages its cache "
	    "read from the files of pages asked for, the process's page "
	    "faults and the times it was preempted:");
	for (i = 0, n = 0; i < F_COUNT; i++) {
		f = &b->fig[i];
		if (!f->latency || !f->done[0])
			continue;
		printf("%s %s %" PRIu64 " of %" PRIu64 ", %ld, %ld",
		    n++ ? ";" : "", f->name, b->cache_misses[i],
		    b->cache_hits[i] + b->cache_misses[i], b->minflt[i],
		    b->nivcsw[i]);
	}
	printf(".\n");
	printf("\n| resources | clerk | SQLite |\n|---|---:|---:|\n");
	printf("| peak RSS of the load, MB (of which %.0f MB are the "
	    "generated records; clerk's open store left out of SQLite's) "
	    "| %.0f | %.0f |\n", b->rss_base / 1024.0, b->rss_clerk / 1024.0,
	    b->rss_lite / 1024.0);
	printf("| data on disk after the load, MB | %.0f | %.0f |\n",
	    b->disk_loaded / 1e6, b->disk_lite[0] / 1e6);
	printf("| data on disk after compaction (clerk), MB | %.0f | — |\n",
	    b->disk_clerk[0] / 1e6);
	printf("| log / WAL on disk, MB | %.0f | %.0f |\n",
	    b->disk_clerk[1] / 1e6, b->disk_lite[1] / 1e6);
	printf("| CPU time of the load and checkpoint, s | %.1f | %.1f |\n",
	    b->cpu_clerk, b->cpu_lite);
	printf("| written during the load and checkpoint, MB | %.0f | %.0f "
	    "|\n", b->wr_clerk / 1e6, b->wr_lite / 1e6);
	if (b->fig[F_BULK].done[0] || b->fig[F_BULK].done[1])
		printf("| CPU time of the bulk load, s | %.1f | %.1f |\n"
		    "| peak RSS during the bulk load, MB | %.0f | %.0f |\n",
		    b->cpu_bulk[0], b->cpu_bulk[1], b->rss_bulk[0] / 1024.0,
		    b->rss_bulk[1] / 1024.0);

	printf("\nChecks: the scan found %zu records (city %s, status "
	    "active), the index path %zu.", b->scan_count, b->scan_city,
	    b->city_count);
	for (i = 0; i < F_COUNT; i++)
		if (b->mismatch[i] > 0)
			printf(" MISMATCH: %s: %zu answers differ between the "
			    "engines or from the data.", b->fig[i].name,
			    b->mismatch[i]);
	if (b->fts_split > 0)
		printf(" %zu records had tokens FTS5 splits further.",
		    b->fts_split);
	printf("\n\nTargets:\n\n");
	/*
	 * 50,000 records/s is a rate only a load of many records at once
	 * asks for (clerk import, into a table that holds none): judged on
	 * the bulk load.  Inserts in transactions of 1,000 log every record
	 * and index entry; RESULTS.md ("What the transactions of 1,000
	 * would gain") measures their ceiling on this design at 20,000-26,000
	 * records/s even with the deferred indexes unlogged.  Both paths are
	 * held to twice SQLite's rate.
	 */
	f = &b->fig[F_INSERT];
	printf("- insert ≥ 50,000 records/s with all indexes, judged on the "
	    "bulk load: %s (%s in one bulk load into an empty table; %s in "
	    "transactions of 1,000, not judged on it)\n",
	    b->fig[F_BULK].clerk[0] >= 50000 ? "met" : "MISSED",
	    num(a, sizeof(a), b->fig[F_BULK].clerk[0]), num(c, sizeof(c),
	    f->clerk[0]));
	printf("- insert ≥ 2× SQLite: %s (%.2f× in transactions of 1,000, "
	    "%.2f× in bulk)\n", speedup(f, 0) >= 2 &&
	    speedup(&b->fig[F_BULK], 0) >= 2 ? "met" : "MISSED",
	    speedup(f, 0), speedup(&b->fig[F_BULK], 0));
	search99 = 0;
	for (q = 0; q < QS_COUNT; q++)
		if (b->fig[F_SEARCH0 + q].clerk[1] > search99)
			search99 = b->fig[F_SEARCH0 + q].clerk[1];
	printf("- search p99 < 1 ms: %s (worst p99 %s µs)\n",
	    search99 < 1000 ? "met" : "MISSED", num(a, sizeof(a), search99));
	f = &b->fig[F_PAGE];
	printf("- page of 50 < 0.5 ms: %s (p50 %s µs, p99 %s µs)\n",
	    f->clerk[1] < 500 ? "met" : f->clerk[0] < 500 ?
	    "met at p50, MISSED at p99" : "MISSED",
	    num(a, sizeof(a), f->clerk[0]), num(c, sizeof(c), f->clerk[1]));
	ok = 1;
	printf("- no other ratio worse than SQLite's:");
	for (i = F_INSERT_CKPT + 1; i < F_COUNT; i++) {
		f = &b->fig[i];
		for (q = 0; q < (size_t)(f->latency ? 2 : 1); q++) {
			sp = speedup(f, (int)q);
			worse = sp < 1.0;
			if (worse) {
				printf("%s %s%s (%.2f×)", ok ? "" : ";",
				    f->name, f->latency ? (q ? " p99" :
				    " p50") : "", sp);
				ok = 0;
			}
		}
	}
	printf("%s\n", ok ? " met" : " — MISSED");
}

/* ---------------------------------------------------------------- */

static void
check_only(struct bench *b)
{
	struct buf	 out = BUF_INIT, err = BUF_INIT;
	size_t		 i, p, bad = 0, badpos;

	for (i = 0; i < b->n; i++) {
		buf_reset(&err);
		if (record_validate(b->recs[i], &badpos, &err) != 0) {
			if (bad++ < 10)
				printf("party %zu: %s\n", i, err.data);
		}
	}
	for (i = 0; i < b->n && i < 6; i++) {
		printf("--- party %zu\n", i);
		for (p = 0; p < b->table->nfields; p++) {
			if (!b->recs[i]->values[p].set)
				continue;
			buf_reset(&out);
			record_format(b->recs[i], p, 1, &out);
			printf("%-15s %s\n", b->table->fields[p].name,
			    out.data);
		}
	}
	printf("%zu parties generated in %.1f s, %zu invalid\n", b->n,
	    b->gen_s, bad);
	buf_release(&out);
	buf_release(&err);
	exit(bad > 0);
}

static void
figures(struct bench *b)
{
	static struct {
		int		 i, latency, higher;
		const char	*name, *unit;
	} d[] = {
		{ F_INSERT, 0, 1, "insert, transactions of 1,000, all "
		    "indexes", "records/s" },
		{ F_INSERT_CKPT, 0, 1, "the same, counting the checkpoint "
		    "after it", "records/s" },
		{ F_BULK, 0, 1, "bulk load into an empty table, one "
		    "transaction, all indexes", "records/s" },
		{ F_COMPACT, 0, 0, "compaction after the load (clerk only)",
		    "s" },
		{ F_GET, 1, 0, "get by id", NULL },
		{ F_INN, 1, 0, "lookup by ИНН", NULL },
		{ F_PAGE, 1, 0, "page of 50 by name at a random key", NULL },
		{ F_SCAN, 0, 0, "scan with a predicate (city and status), "
		    "every record", "ms" },
		{ F_CITY, 0, 0, "the same through the city index", "ms" }
	};
	size_t	i;

	for (i = 0; i < nitems(d); i++) {
		b->fig[d[i].i].name = d[i].name;
		b->fig[d[i].i].latency = d[i].latency;
		b->fig[d[i].i].higher_better = d[i].higher;
		b->fig[d[i].i].unit = d[i].unit;
	}
	for (i = 0; i < QS_COUNT; i++) {
		b->fig[F_SEARCH0 + i].name = qs_names[i];
		b->fig[F_SEARCH0 + i].latency = 1;
	}
}

static void
bench_free(struct bench *b)
{
	size_t	i, q;

	for (i = 0; i < b->n; i++)
		record_free(b->recs[i]);
	free(b->recs);
	for (q = 0; q < QS_COUNT; q++) {
		for (i = 0; i < b->nq; i++)
			free(b->q_search[q][i]);
		free(b->q_search[q]);
		free(b->hits[q]);
		free(b->nhits[q]);
	}
	query_keys_free(b);
	free(b->q_get);
	free(b->q_inn);
	free(b->q_page);
	free(b->page_first);
	free(b->page_n);
	free(b->clerk_id);
	free(b->lite_id);
	schema_free(b->schema);
}

static ssize_t
need_field(struct bench *b, const char *name)
{
	ssize_t	pos = table_field_pos(b->table, name);

	if (pos < 0)
		fatal("the party form has no field '%s'", name);
	return (pos);
}

int
main(int argc, char **argv)
{
	struct bench	 b;
	struct buf	 err = BUF_INIT;
	const char	*forms, *s, *only;
	pthread_t	 lite;
	int		 ch, check = 0;

	memset(&b, 0, sizeof(b));
	b.n = 1000000;
	b.nq = 10000;
	b.cache_mb = 1024;
	while ((ch = getopt(argc, argv, "cq:")) != -1) {
		switch (ch) {
		case 'c':
			check = 1;
			break;
		case 'q':
			b.nq = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: bench-store [-c] [-q queries] "
			    "[N [DIR]]\n");
			return (2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0)
		b.n = strtoul(argv[0], NULL, 10);
	b.dir = argc > 1 ? argv[1] : "bench-data";
	if ((s = getenv("BENCH_CACHE_MB")) != NULL && *s != '\0')
		b.cache_mb = strtoul(s, NULL, 10);
	if (b.n < 2 * PAGE || b.nq == 0) {
		fprintf(stderr, "bench-store: N must be at least %d\n",
		    2 * PAGE);
		return (2);
	}

	if ((forms = getenv("CLERK_FORMS")) == NULL || *forms == '\0')
		forms = TOP_SRCDIR "/forms";
	b.schema = schema_new();
	if (schema_load(b.schema, forms, &err) != 0 ||
	    schema_check(b.schema, &err) != 0)
		fatal("%s", err.data);
	if ((b.table = schema_table(b.schema, "party")) == NULL)
		fatal("%s: no table 'party'", forms);
	b.pos_name = need_field(&b, "name");
	b.pos_kind = need_field(&b, "kind");
	b.pos_inn = need_field(&b, "inn");
	b.pos_city = need_field(&b, "city");
	b.pos_status = need_field(&b, "status");
	figures(&b);

	fprintf(stderr, "generating %zu parties...\n", b.n);
	generate(&b);
	fprintf(stderr, "generated in %.1f s\n", b.gen_s);
	if (check)
		check_only(&b);
	make_queries(&b);
	b.rss_base = rss_read("VmRSS");
	b.clerk_id = xcalloc(b.n, sizeof(uint64_t));
	b.lite_id = xcalloc(b.n, sizeof(uint64_t));
	if (mkdir(b.dir, 0700) != 0 && errno != EEXIST)
		fatal("%s: %s", b.dir, strerror(errno));

	b.reuse = (s = getenv("BENCH_REUSE")) != NULL && strcmp(s, "1") == 0;
	only = getenv("BENCH_ONLY");
	turns.alive[0] = only == NULL || strcmp(only, "sqlite") != 0;
	turns.alive[1] = only == NULL || strcmp(only, "clerk") != 0;
	if (turns.alive[0] && turns.alive[1]) {
		/* Taking turns (turn_take()). */
		if ((errno = pthread_create(&lite, NULL, lite_thread,
		    &b)) != 0)
			fatal("thread: %s", strerror(errno));
		run_clerk(&b);
		pthread_join(lite, NULL);
	} else if (turns.alive[0])
		run_clerk(&b);
	else
		run_lite(&b);
	report(&b);
	bench_free(&b);
	return (0);
}
