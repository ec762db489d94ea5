/*
 * bench-tui.c: the terminal interface's keystrokes (issue 5: each key on
 * a list or card of a 1,000,000-party database redraws within 10 ms).
 * Makes a database of N parties with "clerk admin demo --scale N"
 * (faster to set up than an import, and the same data every time),
 * then drives clerk in its headless mode (--headless 80x24 --keys
 * SCRIPT --key-stats FILE: keys injected above curses, the terminal a
 * null output that counts bytes) through a script of keys on the
 * clients' list and on a card, and prints a markdown table: per kind of
 * key, the time from the key to the screen written (p50, p99, max) and
 * the bytes written to the terminal per key, with "met" or "MISSED"
 * against 10 ms at p99.  Runs the real clerk and clerkd as a user would;
 * links only util.  Not a test: it times things.
 *
 * Usage: bench-tui N DIR CLERK   (DIR a scratch folder, created; CLERK
 * the clerk program, CLERKD and CLERK_FORMS in the environment).
 * BENCH_REUSE=1 uses the database a run before made in DIR for the same
 * N (for work on the interface: the keys timed again without the
 * minutes of making it).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

#define TARGET_NS	10000000ull	/* 10 ms */

extern char **environ;

/* Kinds of keys, in the order of the table. */
enum kind { K_SETUP, K_DOWN, K_UP, K_PGDN, K_PGUP, K_END, K_HOME,
	K_SEARCH_OPEN, K_SEARCH_LETTER, K_SEARCH_ENTER, K_SORT_INDEX,
	K_SORT_READ, K_WAIT_MOVE, K_SORTED_MOVE, K_SORTED_LETTER,
	K_NULLS_FIRST, K_NULLS_END,
	K_FILTER_TYPE, K_FILTER_ENTER, K_FILTER_MOVE, K_FILTER_LETTER,
	K_FILTER_ESC, K_GROUP_OPEN, K_GROUP_CLOSE, K_CARD_OPEN, K_CARD_CLOSE,
	K_FIELD_DOWN, K_CARD_TYPE,
	K_SORT_WAIT, K_NULLS_WAIT, K_FILTER_WAIT, K_GROUP_WAIT, K_NKINDS };
static const char *const kind_name[K_NKINDS] = {
	"(setup keys)", "Down", "Up", "PgDn", "PgUp", "End", "Home",
	"/ (search line)", "search letters", "Enter (search done)",
	"[ (sort by an indexed column)",
	"] or { (a sort no index gives: the server starts reading it)",
	"Down while the server reads an order or a filter",
	"PgDn, End, Home in such a sort",
	"search letters in such a sort",
	"End by city, the first (the server starts reading the rows of "
	    "no city)",
	"End and Home by city (an index, empty values last)",
	"typing a filter",
	"Enter (a filter: the server starts reading its matches)",
	"PgDn, End, Home, filtered", "search letters, filtered",
	"Esc (filter cleared)",
	"Shift-F, or Enter on F7's keys (the server starts counting)",
	"Esc (frequencies or groups to list)",
	"Enter (open a card)", "Esc (card to list)", "Down (card field)",
	"typing in a card field",
	"a sort no index gives: its rows on the screen",
	"End by city, the first: the last rows on the screen",
	"a filter: its rows on the screen",
	"frequencies or groups: the counts on the screen"
};

/*
 * Waits for the server's reading of a whole table, once: a sort no
 * index gives (every record's key read and sorted), a new filter (every
 * match found, for the count), the first End among the rows a sort's
 * index does not have.  The key itself is answered at once (the list
 * says what it waits for, and keys go on working on the rows shown);
 * the script's <wait> then times how long after it the new rows show.
 * They are in a table of their own: what they wait for is one read of
 * a million records, not a redraw.
 */
static int
kind_once(enum kind k)
{
	return (k == K_SORT_WAIT || k == K_FILTER_WAIT || k == K_NULLS_WAIT ||
	    k == K_GROUP_WAIT);
}

struct script {
	struct buf	 text;		/* the key script */
	enum kind	*kinds;		/* the kind of each key step */
	size_t		 n;
};

static void
key(struct script *s, enum kind k, const char *step)
{
	s->kinds = xreallocarray(s->kinds, s->n + 1, sizeof *s->kinds);
	s->kinds[s->n++] = k;
	buf_adds(&s->text, step);
}

/* Every character of a UTF-8 word as one key step. */
static void
typed(struct script *s, enum kind k, const char *word)
{
	uint32_t	cp;
	size_t		len = strlen(word), n;

	while (len > 0) {
		n = utf8_decode(word, len, &cp);
		if (n == 0)
			n = 1;
		s->kinds = xreallocarray(s->kinds, s->n + 1,
		    sizeof *s->kinds);
		s->kinds[s->n++] = k;
		buf_add(&s->text, word, n);
		word += n;
		len -= n;
	}
}

/* Rounds of six PgDn, End and Home, of one kind. */
static void
moves(struct script *s, enum kind k, size_t rounds)
{
	size_t	i, j;

	for (i = 0; i < rounds; i++) {
		for (j = 0; j < 6; j++)
			key(s, k, "<PgDn>");
		key(s, k, "<End>");
		key(s, k, "<Home>");
	}
}

/*
 * The script.  Searches use beginnings of common Russian names, so
 * every letter asks the word index for a page of matches; cards open
 * on rows spread over the table (after PgDn); the typing goes into the
 * name field of a card, Cyrillic, as an operator types.
 */
static void
script_make(struct script *s)
{
	static const char *const words[] = { "Иван", "Петр", "Смирн",
		"Кузн", "Орлов", "Морозо", "Волк", "Лебед", "Соколо",
		"Попов" };
	size_t	i, j;

	key(s, K_SETUP, "<Down>");
	key(s, K_SETUP, "<Enter>");		/* the clients' list */
	for (i = 0; i < 300; i++)
		key(s, K_DOWN, "<Down>");
	for (i = 0; i < 100; i++)
		key(s, K_UP, "<Up>");
	for (i = 0; i < 100; i++)
		key(s, K_PGDN, "<PgDn>");
	for (i = 0; i < 50; i++)
		key(s, K_PGUP, "<PgUp>");
	for (i = 0; i < 20; i++) {
		key(s, K_END, "<End>");
		key(s, K_HOME, "<Home>");
	}
	for (i = 0; i < nitems(words); i++) {
		key(s, K_SEARCH_OPEN, "/");
		typed(s, K_SEARCH_LETTER, words[i]);
		key(s, K_SEARCH_ENTER, "<Enter>");
	}
	/*
	 * Sorts: by the kind (no index) descending, then kind and manager;
	 * the first key of each reads the list's whole order in the
	 * server.  Then by city (an index some records may leave empty: End
	 * goes to those), and by name again.  The columns: name kind inn
	 * phones city manager status.
	 */
	key(s, K_SETUP, "<Tab>");
	key(s, K_SORT_READ, "]");
	for (i = 0; i < 3; i++)
		key(s, K_WAIT_MOVE, "<Down>");
	key(s, K_SORT_WAIT, "<wait>");
	moves(s, K_SORTED_MOVE, 5);
	for (i = 0; i < 4; i++) {
		key(s, K_SEARCH_OPEN, "/");
		typed(s, K_SORTED_LETTER, words[i]);
		key(s, K_SEARCH_ENTER, "<Enter>");
	}
	for (i = 0; i < 4; i++)
		key(s, K_SETUP, "<Tab>");
	key(s, K_SORT_READ, "{");
	key(s, K_SORT_WAIT, "<wait>");
	moves(s, K_SORTED_MOVE, 3);
	key(s, K_SETUP, "<BTab>");
	key(s, K_SORT_INDEX, "[");
	key(s, K_NULLS_FIRST, "<End>");
	key(s, K_NULLS_WAIT, "<wait>");
	for (i = 0; i < 10; i++) {
		key(s, K_NULLS_END, "<Home>");
		key(s, K_NULLS_END, "<End>");
	}
	for (i = 0; i < 4; i++)
		key(s, K_SETUP, "<BTab>");
	key(s, K_SORT_INDEX, "[");
	/* A filter (a third of the parties), by name. */
	key(s, K_SETUP, "\\");
	typed(s, K_FILTER_TYPE, "status = active");
	key(s, K_FILTER_ENTER, "<Enter>");
	for (i = 0; i < 3; i++)
		key(s, K_WAIT_MOVE, "<Down>");
	key(s, K_FILTER_WAIT, "<wait>");
	moves(s, K_FILTER_MOVE, 5);
	for (i = 4; i < 8; i++) {
		key(s, K_SEARCH_OPEN, "/");
		typed(s, K_FILTER_LETTER, words[i]);
		key(s, K_SEARCH_ENTER, "<Enter>");
	}
	key(s, K_FILTER_ESC, "<Esc>");
	/* The frequency table of the current column, and a group view. */
	key(s, K_GROUP_OPEN, "F");
	key(s, K_GROUP_WAIT, "<wait>");
	key(s, K_GROUP_CLOSE, "<Esc>");
	key(s, K_SETUP, "<F7>");
	key(s, K_SETUP, "<C-u>");
	typed(s, K_SETUP, "status,kind");
	key(s, K_GROUP_OPEN, "<Enter>");
	key(s, K_GROUP_WAIT, "<wait>");
	key(s, K_GROUP_CLOSE, "<Esc>");
	for (i = 0; i < 30; i++) {
		key(s, K_PGDN, "<PgDn>");
		key(s, K_CARD_OPEN, "<Enter>");
		for (j = 0; j < 3; j++)
			key(s, K_FIELD_DOWN, "<Down>");
		key(s, K_CARD_CLOSE, "<Esc>");
	}
	/* The name of a card: Down to it, e edits, Ctrl-U clears. */
	key(s, K_CARD_OPEN, "<Enter>");
	key(s, K_FIELD_DOWN, "<Down>");
	key(s, K_SETUP, "e");
	key(s, K_SETUP, "<C-u>");
	for (i = 0; i < 4; i++)
		typed(s, K_CARD_TYPE, "ООО «Торговый дом Снежинка» ");
	/* The end of the script hangs up: the edits become a draft. */
}

static int
spawn_wait(char *const argv[], const char *out)
{
	posix_spawn_file_actions_t	 fa;
	pid_t				 pid;
	int				 st, r;

	posix_spawn_file_actions_init(&fa);
	if (out != NULL)
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out,
		    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		fprintf(stderr, "bench-tui: cannot run %s: %s\n", argv[0],
		    strerror(r));
		return (-1);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return (-1);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench-tui: %s %s failed\n", argv[0],
		    argv[1] != NULL ? argv[1] : "");
		return (-1);
	}
	return (0);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/* The p-th percentile of n sorted values (nearest rank). */
static uint64_t
pct(const uint64_t *v, size_t n, unsigned p)
{
	size_t	i = (n * p + 99) / 100;

	return (v[i > 0 ? i - 1 : 0]);
}

int
main(int argc, char **argv)
{
	struct script	 s;
	struct buf	 path = BUF_INIT, keys = BUF_INIT, stats = BUF_INIT;
	struct buf	 line = BUF_INIT;
	uint64_t	*ns[K_NKINDS], bytes[K_NKINDS], t0, setup_ns;
	uint64_t	 slow[K_NKINDS], slowcall[K_NKINDS];
	size_t		 cnt[K_NKINDS], k, nstats = 0;
	char		 buf[512], *dir, *clerk, *scale;
	char		*init[] = { NULL, (char *)"admin", (char *)"init", NULL };
	char		*demo[] = { NULL, (char *)"admin", (char *)"demo",
	    (char *)"--scale", NULL, (char *)"--seed", (char *)"1", NULL };
	char		*run[] = { NULL, (char *)"--headless", (char *)"80x24",
	    (char *)"--keys", NULL, (char *)"--key-stats", NULL, NULL };
	FILE		*f;
	const char	*reuse;
	int		 missed = 0, reused = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: bench-tui N DIR CLERK\n");
		return (2);
	}
	scale = argv[1];
	dir = argv[2];
	clerk = argv[3];
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "bench-tui: %s: %s\n", dir, strerror(errno));
		return (1);
	}
	/* A personal server of our own, drafts kept in the scratch folder. */
	buf_printf(&path, "%s/data", dir);
	setenv("CLERK_DIR", path.data, 1);
	buf_set(&path, "%s/run", dir);
	mkdir(path.data, 0700);
	setenv("XDG_RUNTIME_DIR", path.data, 1);
	buf_set(&path, "%s/state", dir);
	setenv("XDG_STATE_HOME", path.data, 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	unsetenv("CLERK_SOCKET");
	unsetenv("NO_COLOR");

	init[0] = demo[0] = run[0] = clerk;
	demo[4] = scale;
	t0 = clock_monotonic_ns();
	/* BENCH_REUSE=1: a database made before for the same N (DIR/ready
	 * holds N) is used as it is, to time the keys again quickly. */
	buf_set(&path, "%s/ready", dir);
	reuse = getenv("BENCH_REUSE");
	if (reuse != NULL && strcmp(reuse, "1") == 0 &&
	    (f = fopen(path.data, "r")) != NULL) {
		if (fgets(buf, sizeof buf, f) != NULL &&
		    strtoul(buf, NULL, 10) == strtoul(scale, NULL, 10))
			reused = 1;
		fclose(f);
	}
	if (!reused) {
		fprintf(stderr, "bench-tui: clerk admin demo --scale %s\n",
		    scale);
		if (spawn_wait(init, "/dev/null") != 0 ||
		    spawn_wait(demo, "/dev/null") != 0)
			return (1);
		if ((f = fopen(path.data, "w")) != NULL) {
			fprintf(f, "%s\n", scale);
			fclose(f);
		}
	} else
		fprintf(stderr, "bench-tui: the database of %s made before\n",
		    scale);
	setup_ns = clock_monotonic_ns() - t0;

	memset(&s, 0, sizeof s);
	buf_init(&s.text);
	script_make(&s);
	buf_printf(&keys, "%s/keys", dir);
	buf_printf(&stats, "%s/stats", dir);
	if ((f = fopen(keys.data, "w")) == NULL ||
	    fwrite(s.text.data, 1, s.text.len, f) != s.text.len ||
	    fclose(f) != 0) {
		fprintf(stderr, "bench-tui: %s: %s\n", keys.data,
		    strerror(errno));
		return (1);
	}
	run[4] = keys.data;
	run[6] = stats.data;
	fprintf(stderr, "bench-tui: %zu keys headless\n", s.n);
	if (spawn_wait(run, "/dev/null") != 0)
		return (1);

	/* One stats line per key step, in the script's order. */
	memset(cnt, 0, sizeof cnt);
	memset(bytes, 0, sizeof bytes);
	memset(slow, 0, sizeof slow);
	memset(slowcall, 0, sizeof slowcall);
	for (k = 0; k < K_NKINDS; k++)
		ns[k] = xcalloc(s.n + 1, sizeof *ns[k]);
	if ((f = fopen(stats.data, "r")) == NULL) {
		fprintf(stderr, "bench-tui: %s: %s\n", stats.data,
		    strerror(errno));
		return (1);
	}
	while (fgets(buf, sizeof buf, f) != NULL && nstats < s.n) {
		char		*p = strchr(buf, '\t'), *q;
		uint64_t	 t, b, call;

		if (p == NULL)
			continue;
		/* Time, bytes, then (keys) the time spent in server calls. */
		t = strtoull(p + 1, &q, 10);
		b = strtoull(q, &q, 10);
		call = strtoull(q, NULL, 10);
		k = s.kinds[nstats++];
		ns[k][cnt[k]++] = t;
		bytes[k] += b;
		if (t >= slow[k]) {
			slow[k] = t;
			slowcall[k] = call;
		}
	}
	fclose(f);
	if (nstats != s.n)
		fprintf(stderr, "bench-tui: %zu keys timed of %zu (the run "
		    "ended early?)\n", nstats, s.n);

	printf("# TUI benchmark: keystrokes on a list and a card\n\n");
	if (reused)
		printf("%s parties (made before by `clerk admin demo --scale "
		    "%s --seed 1`, reused); ", scale, scale);
	else
		printf("%s parties (made by `clerk admin demo --scale %s "
		    "--seed 1` in %.1f s); ", scale, scale,
		    (double)setup_ns / 1e9);
	printf("clerk in its headless mode at 80x24 (keys "
	    "injected above curses, the terminal a null output), its "
	    "personal clerkd on the same machine.  Time: from the key to "
	    "the screen written (curses' refresh done), the server's "
	    "calls included; for the slowest key of each kind, the part of "
	    "it spent waiting on the server's answers.  Target (issue 5): "
	    "10 ms, judged at p99.\n\n");
	for (k = 1; k < K_NKINDS; k++)
		qsort(ns[k], cnt[k], sizeof *ns[k], cmp_u64);
	printf("| key | keys | p50 ms | p99 ms | max ms | of the max, "
	    "server calls ms | bytes/key | 10 ms |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---|\n");
	for (k = 1; k < K_NKINDS; k++) {
		uint64_t	p99;

		if (cnt[k] == 0 || kind_once(k))
			continue;
		p99 = pct(ns[k], cnt[k], 99);
		if (p99 > TARGET_NS)
			missed++;
		printf("| %s | %zu | %.2f | %.2f | %.2f | %.2f | %llu | %s |\n",
		    kind_name[k], cnt[k], (double)pct(ns[k], cnt[k], 50) / 1e6,
		    (double)p99 / 1e6, (double)ns[k][cnt[k] - 1] / 1e6,
		    (double)slowcall[k] / 1e6,
		    (unsigned long long)(bytes[k] / cnt[k]),
		    p99 <= TARGET_NS ? "met" : "MISSED");
	}
	printf("\n%s\n", missed == 0 ? "Every kind of key above redraws "
	    "within 10 ms at p99." : "Some kinds of keys above MISSED 10 ms "
	    "at p99.");
	printf("\nWaits for the server's reading of a whole table, once (its "
	    "answer then kept in memory and right across writes, so the "
	    "keys after them are in the table above).  The key that starts "
	    "one is in the table above: it is answered at once, the list "
	    "keeps its rows and every key works on them meanwhile, and the "
	    "status line says what is awaited.  Each wait, from the key's "
	    "redraw to the new rows on the screen, ms:\n\n");
	printf("| wait | times | ms |\n");
	printf("|---|---:|---|\n");
	for (k = 1; k < K_NKINDS; k++) {
		size_t	i;

		if (cnt[k] == 0 || !kind_once(k))
			continue;
		printf("| %s | %zu | ", kind_name[k], cnt[k]);
		for (i = 0; i < cnt[k]; i++)
			printf("%s%.0f", i ? ", " : "", (double)ns[k][i] / 1e6);
		printf(" |\n");
	}
	/* The personal server we started goes now, not at its idle time
	 * after the scratch folder is gone. */
	buf_set(&path, "%s/data/clerkd.pid", dir);
	if ((f = fopen(path.data, "r")) != NULL) {
		long	pid;

		if (fscanf(f, "%ld", &pid) == 1 && pid > 1)
			kill((pid_t)pid, SIGTERM);
		fclose(f);
	}
	for (k = 0; k < K_NKINDS; k++)
		free(ns[k]);
	free(s.kinds);
	buf_release(&s.text);
	buf_release(&path);
	buf_release(&keys);
	buf_release(&stats);
	buf_release(&line);
	return (0);
}
