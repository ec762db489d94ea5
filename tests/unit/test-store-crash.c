/*
 * test-store-crash: a process killed with SIGKILL at any moment loses no
 * committed data and leaves nothing half-written.  Runs crash-writer
 * (batches of 1,000 records, one synchronous transaction each) and kills
 * it at random moments, 20 times on the same database: 50-500 ms after
 * its start (often inside store_open or its recovery), or a little after
 * it has committed a few batches.  After each kill the test opens the
 * store (recovery), and checks that every batch is wholly present or
 * wholly absent, that every batch the writer reported is there, that the
 * batches of one run form an unbroken sequence, that store_count and
 * store_check agree; then closes it and has db_verify ($DB_VERIFY) and
 * store_verify_dir accept every file.  The seed is printed; CLERK_SEED
 * replays a run, CLERK_SLOW=0 does 5 rounds instead of 20 (and
 * CLERK_CRASH_ROUNDS any number, for soak runs).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"
#include "party-gen.h"

#define BATCH		1000
#define MAXBATCH	10000

static struct table	*party;
static uint32_t		 rng;
static unsigned char	 present[MAXBATCH];	/* batches seen so far */

static void
on_alarm(int sig)
{
	static const char msg[] = "Bail out! test-store-crash timed out\n";

	(void)sig;
	(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

/* a/b into out, or bail out when it does not fit. */
static void
mkpath(char *out, size_t size, const char *a, const char *b)
{
	if ((size_t)snprintf(out, size, "%s/%s", a, b) >= size)
		tap_bail("a path is too long");
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static double
secs(uint64_t from)
{
	return ((double)(clock_monotonic_ns() - from) / 1e9);
}

/* crash-writer: in $top_builddir/tests/unit, or beside this program. */
static void
writer_path(char *out, size_t size)
{
	const char	*top = getenv("top_builddir");
	char		 self[PATH_MAX], *slash;
	ssize_t		 n;

	if (top != NULL && *top != '\0') {
		mkpath(out, size, top, "tests/unit/crash-writer");
		if (access(out, X_OK) == 0)
			return;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL)
			*slash = '\0';
		mkpath(out, size, self, "crash-writer");
		if (access(out, X_OK) == 0)
			return;
	}
	tap_bail("cannot find the crash-writer program");
}

/* Batch numbers the writer reported, one per line, in order. */
static size_t
read_report(const char *path, unsigned *out, size_t max)
{
	FILE		*f;
	char		 line[64];
	size_t		 n = 0, len;

	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		len = strlen(line);
		if (len == 0 || line[len - 1] != '\n')
			break;		/* cannot happen: one write per line */
		out[n++] = (unsigned)strtoul(line, NULL, 10);
	}
	fclose(f);
	return (n);
}

static size_t
report_lines(const char *path)
{
	unsigned	 tmp[MAXBATCH];

	return (read_report(path, tmp, nitems(tmp)));
}

static pid_t
writer_start(const char *prog, const char *db, unsigned first,
    const char *report)
{
	char	 num[32];
	pid_t	 pid;

	snprintf(num, sizeof(num), "%u", first);
	fflush(stdout);
	if ((pid = fork()) == -1)
		tap_bail("fork failed");
	if (pid == 0) {
		execl(prog, prog, db, num, report, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	return (pid);
}

/* db_verify of one file in the (closed) environment home; 0 if it
 * accepts it. */
static int
db_verify(const char *prog, const char *home, const char *file)
{
	pid_t	 pid;
	int	 status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		tap_bail("fork failed");
	if (pid == 0) {
		int fd;

		/* Complaints go to stderr, the test's log; the "succeeded"
		 * lines to stdout, which is TAP: drop them. */
		if ((fd = open("/dev/null", O_WRONLY)) != -1) {
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		execl(prog, prog, "-h", home, file, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		return (-1);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

/* Run db_verify on every *.db file under home (data may be in a
 * subfolder).  Returns the number of files, and *bad the failures. */
static int
verify_files(const char *prog, const char *home, const char *sub, int *bad)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	size_t		 len;
	int		 n = 0;

	if (sub != NULL)
		mkpath(path, sizeof(path), home, sub);
	else
		mkpath(path, sizeof(path), home, ".");
	if ((d = opendir(path)) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		char file[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		mkpath(file, sizeof(file), path, de->d_name);
		len = strlen(de->d_name);
		if (de->d_type == DT_DIR && sub == NULL) {
			n += verify_files(prog, home, de->d_name, bad);
			continue;
		}
		if (len < 4 || strcmp(de->d_name + len - 3, ".db") != 0)
			continue;
		n++;
		if (db_verify(prog, home, file) != 0) {
			(*bad)++;
			diag("%s rejects %s", prog, file);
		}
	}
	closedir(d);
	return (n);
}

/* The checks after recovery, inside one read-only transaction. */
struct scan {
	unsigned	 first, last;	/* batch numbers to look for */
	unsigned	 this_run;	/* batches of this run start here */
	size_t		 counts[MAXBATCH];
	uint64_t	 total;
	struct buf	 problems;
};

static int
scan_fn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct scan	*s = arg;
	struct record	*key = record_new(party), *rec;
	struct keyset	 ks;
	uint64_t	*ids = xcalloc(2 * BATCH, sizeof(*ids));
	size_t		 n, i, src = (size_t)table_field_pos(party, "source");
	size_t		 notes = (size_t)table_field_pos(party, "notes");
	unsigned	 b;
	char		 v[64], want[64];
	unsigned char	 seen[BATCH];
	struct buf	 got = BUF_INIT;
	int		 rc = 0;

	buf_reset(&s->problems);
	s->total = 0;
	keyset_init(&ks);
	if (store_count(txn, party, &s->total, err) != 0) {
		rc = -1;
		goto out;
	}
	for (b = s->first; b <= s->last; b++) {
		snprintf(v, sizeof(v), "batch-%u", b);
		record_clear(key, src);
		record_parse(key, src, v, NULL);
		keyset_reset(&ks);
		index_field_keys(key, src, IX_FOLDED, &ks);
		n = 0;
		if (ks.n != 1 || store_lookup(txn, party, "source",
		    ks.bytes.data, ks.len[0], ids, 2 * BATCH, &n, err) < 0) {
			rc = -1;
			goto out;
		}
		s->counts[b] = n;
		/* A batch of this run: read every record of it. */
		if (n == 0 || b < s->this_run)
			continue;
		memset(seen, 0, sizeof(seen));
		for (i = 0; i < n; i++) {
			unsigned bb, r;

			rec = NULL;
			if (store_get(txn, party, ids[i], &rec, err) != 0) {
				buf_printf(&s->problems, "batch %u: record %"
				    PRIu64 " from the index cannot be read: "
				    "%s\n", b, ids[i], err->data);
				continue;
			}
			buf_reset(&got);
			record_format(rec, src, 1, &got);
			snprintf(want, sizeof(want), "batch-%u", b);
			if (strcmp(got.data, want) != 0)
				buf_printf(&s->problems, "record %" PRIu64
				    " has source '%s', not '%s'\n", ids[i],
				    got.data, want);
			buf_reset(&got);
			record_format(rec, notes, 1, &got);
			if (sscanf(got.data, "batch %u record %u", &bb,
			    &r) != 2 || bb != b || r >= BATCH || seen[r]++)
				buf_printf(&s->problems, "record %" PRIu64
				    " has notes '%s'\n", ids[i], got.data);
			record_free(rec);
		}
	}
out:
	buf_release(&got);
	keyset_release(&ks);
	free(ids);
	record_free(key);
	return (rc);
}

int
main(void)
{
	struct store_options	 opt;
	struct schema		*schema;
	struct store		*st;
	struct scan		*s;
	struct buf		 err = BUF_INIT;
	const char		*e;
	const char		*verify = getenv("DB_VERIFY");
	char			 dir[PATH_MAX], db[PATH_MAX], report[PATH_MAX];
	char			 prog[PATH_MAX];
	unsigned		 seed, next = 0, reported[MAXBATCH];
	unsigned		 b, last_present;
	size_t			 nrep, i;
	int			 round, rounds = 20, status, nfiles, bad;
	uint64_t		 t0 = clock_monotonic_ns(), t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(300);
	if ((e = getenv("CLERK_SLOW")) != NULL && strcmp(e, "0") == 0)
		rounds = 5;
	/* For soak runs by hand. */
	if ((e = getenv("CLERK_CRASH_ROUNDS")) != NULL && *e != '\0')
		rounds = atoi(e);
	if ((e = getenv("CLERK_SEED")) != NULL && *e != '\0')
		seed = (unsigned)strtoul(e, NULL, 10);
	else
		seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	if (seed == 0)
		seed = 1;
	rng = seed;
	diag("seed %u (replay with CLERK_SEED=%u)", seed, seed);
	if (verify == NULL || *verify == '\0')
		verify = "db5.3_verify";
	writer_path(prog, sizeof(prog));
	tmp_folder(dir, sizeof(dir), "crash");
	mkpath(db, sizeof(db), dir, "db");
	mkpath(report, sizeof(report), dir, "committed");

	schema = party_schema(&party);
	s = xcalloc(1, sizeof(*s));
	buf_init(&s->problems);
	memset(&opt, 0, sizeof(opt));
	opt.flags = STORE_CREATE;

	for (round = 1; round <= rounds; round++) {
		pid_t		 pid;
		unsigned	 ms, wait_batches = 0;
		int		 killed, good = 1;

		/* Kill it early (open, recovery, first batch) or a little
		 * after it has committed a few batches. */
		unlink(report);
		if (rnd(&rng) % 3 == 0)
			wait_batches = 1 + rnd(&rng) % 3;
		/* The last round always waits for a committed batch, so a
		 * slow (sanitizer) build that is killed before its first
		 * commit in every early round still proves batches survive. */
		if (round == rounds && wait_batches == 0)
			wait_batches = 1;
		ms = wait_batches ? rnd(&rng) % 200 : 50 + rnd(&rng) % 451;
		t = clock_monotonic_ns();
		pid = writer_start(prog, db, next, report);
		if (wait_batches) {
			while (report_lines(report) < wait_batches &&
			    waitpid(pid, &status, WNOHANG) == 0 &&
			    secs(t) < 30)
				sleep_ms(5);
		}
		sleep_ms(ms);
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			tap_bail("waitpid failed");
		killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		if (!ok(killed, "round %d: the writer ran until killed", round))
			diag("it exited by itself with status %d",
			    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		nrep = read_report(report, reported, nitems(reported));
		if (wait_batches)
			diag("round %d: killed %u ms after %u batch(es), %zu "
			    "reported, first %u", round, ms, wait_batches,
			    nrep, next);
		else
			diag("round %d: killed %u ms after the start, %zu "
			    "batch(es) reported, first %u", round, ms, nrep,
			    next);

		/* Recovery. */
		t = clock_monotonic_ns();
		st = NULL;
		if (!ok(store_open(&st, db, schema, &opt, &err) == 0,
		    "round %d: store_open recovers", round)) {
			diag("%s", err.data);
			break;
		}
		diag("round %d: recovery %.2f s", round, secs(t));

		memset(s->counts, 0, sizeof(s->counts));
		s->first = 0;
		s->this_run = next;
		/* A few numbers past what could have been written, to see
		 * nothing is there. */
		s->last = next + (unsigned)nrep + 3;
		if (s->last >= MAXBATCH)
			tap_bail("too many batches");
		t = clock_monotonic_ns();
		if (!ok(store_txn_run(st, STORE_TXN_READONLY, scan_fn, s,
		    &err) == 0, "round %d: scan the batches", round)) {
			diag("%s", err.data);
			store_close(st);
			break;
		}
		if (!ok(s->problems.len == 0, "round %d: records of this run "
		    "are whole and in their batch", round))
			diag("%s", s->problems.data);

		/* Whole or absent; the reported, and all earlier, present;
		 * this run's batches one unbroken sequence. */
		last_present = next;
		for (b = s->first; b <= s->last; b++) {
			if (s->counts[b] != 0 && s->counts[b] != BATCH) {
				diag("batch %u has %zu records", b,
				    s->counts[b]);
				good = 0;
			}
			if (present[b] && s->counts[b] == 0) {
				diag("batch %u, present before, is gone", b);
				good = 0;
			}
			if (s->counts[b] != 0 && b >= next) {
				if (b != last_present) {
					diag("batch %u present after a gap", b);
					good = 0;
				}
				last_present = b + 1;
			}
		}
		ok(good, "round %d: every batch whole or absent, earlier "
		    "ones kept, no gaps", round);
		good = 1;
		for (i = 0; i < nrep; i++)
			if (reported[i] >= MAXBATCH ||
			    s->counts[reported[i]] != BATCH) {
				diag("batch %u was reported committed but has "
				    "%zu records", reported[i], reported[i] <
				    MAXBATCH ? s->counts[reported[i]] : 0);
				good = 0;
			}
		ok(good, "round %d: all %zu reported batches are there", round,
		    nrep);
		for (b = 0; b < last_present; b++)
			present[b] = s->counts[b] == BATCH;
		if (!ok(s->total == (uint64_t)last_present * BATCH,
		    "round %d: store_count %" PRIu64 " = %u batches", round,
		    s->total, last_present))
			diag("records outside the batches looked for?");
		if (!ok(store_check(st, party, &err) == 0,
		    "round %d: store_check(party)", round))
			diag("%s", err.data);
		diag("round %d: %u batches (%u new), checks %.2f s", round,
		    last_present, last_present - next, secs(t));
		store_close(st);

		/* The files themselves, on the closed environment. */
		t = clock_monotonic_ns();
		bad = 0;
		nfiles = verify_files(verify, db, NULL, &bad);
		if (!ok(nfiles > 0 && bad == 0, "round %d: %s accepts all %d "
		    "database files", round, verify, nfiles))
			diag("%d rejected", bad);
		if (!ok(store_verify_dir(db, &err) == 0,
		    "round %d: store_verify_dir", round))
			diag("%s", err.data);
		diag("round %d: verify %.2f s", round, secs(t));
		next = last_present;
	}
	ok(next > 0, "the writer committed %u batches in all", next);
	diag("total %.1f s", secs(t0));

	buf_release(&s->problems);
	free(s);
	schema_free(schema);
	buf_release(&err);
	rm_tree(dir);
	return (tap_done());
}
