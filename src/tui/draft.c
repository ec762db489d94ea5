/*
 * draft.c: unsaved cards kept on disk across a hang-up (draft.h).  Owns
 * the drafts folder and the file format: a first line "clerk-draft 1",
 * then "key<TAB>value" lines with the TUI's escapes (\\ \t \n \r), so
 * any text an operator typed comes back as it was.  A field edited is
 * a "value<TAB>NAME<TAB>TEXT" line and, after it, a "base<TAB>NAME<TAB>
 * TEXT" line with its text as read; a field not edited a "read<TAB>
 * NAME<TAB>TEXT" line (drafts of an older clerk have neither; an older
 * clerk ignores them).  Runs at hang-up
 * time, after the terminal is gone: it must not draw, ask or wait on
 * the server.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "draft.h"

#define DRAFT_MAGIC	"clerk-draft 1"
#define DRAFT_MAX	(1024 * 1024)	/* bigger files are not ours */

static int	draft_write(struct draft *, const char *, int, struct buf *);

/* live-PID in the drafts folder, locked while this process runs. */
static int	 live_fd = -1;
static char	*live_path;

void
draft_init(struct draft *d)
{
	memset(d, 0, sizeof *d);
}

void
draft_release(struct draft *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		free(d->names[i]);
		free(d->values[i]);
		free(d->bases[i]);
	}
	free(d->names);
	free(d->values);
	free(d->bases);
	for (i = 0; i < d->nreads; i++) {
		free(d->rnames[i]);
		free(d->reads[i]);
	}
	free(d->rnames);
	free(d->reads);
	free(d->where);
	free(d->table);
	free(d->path);
	memset(d, 0, sizeof *d);
}

void
draft_add(struct draft *d, const char *name, const char *value,
    const char *base)
{
	d->names = xreallocarray(d->names, d->n + 1, sizeof *d->names);
	d->values = xreallocarray(d->values, d->n + 1, sizeof *d->values);
	d->bases = xreallocarray(d->bases, d->n + 1, sizeof *d->bases);
	d->names[d->n] = xstrdup(name);
	d->values[d->n] = xstrdup(value);
	d->bases[d->n] = base != NULL ? xstrdup(base) : NULL;
	d->n++;
}

void
draft_add_read(struct draft *d, const char *name, const char *text)
{
	d->rnames = xreallocarray(d->rnames, d->nreads + 1,
	    sizeof *d->rnames);
	d->reads = xreallocarray(d->reads, d->nreads + 1, sizeof *d->reads);
	d->rnames[d->nreads] = xstrdup(name);
	d->reads[d->nreads] = xstrdup(text);
	d->nreads++;
}

/* mkdir -p with mode 0700 for what it makes. */
static int
make_dirs(const char *path, struct buf *err)
{
	char	*p = xstrdup(path), *s, c;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			buf_error(err, _("cannot make folder '%s': %s"), p,
			    strerror(errno));
			free(p);
			return (-1);
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return (0);
}

int
draft_dir(struct buf *out, int make, struct buf *err)
{
	const char	*state = getenv("XDG_STATE_HOME"), *home;

	buf_reset(out);
	/* The XDG spec: a relative value is invalid and must be ignored. */
	if (state != NULL && state[0] == '/')
		buf_printf(out, "%s/clerk", state);
	else {
		if ((home = getenv("HOME")) == NULL || home[0] != '/')
			return (buf_error(err, _("cannot keep drafts: neither "
			    "XDG_STATE_HOME nor HOME is set")));
		buf_printf(out, "%s/.local/state/clerk", home);
	}
	if (make)
		return (make_dirs(out->data, err));
	return (0);
}

static void
put_line(struct buf *b, const char *key, const char *v1, const char *v2)
{
	buf_adds(b, key);
	buf_addch(b, '\t');
	buf_addesc(b, v1, strlen(v1));
	if (v2 != NULL) {
		buf_addch(b, '\t');
		buf_addesc(b, v2, strlen(v2));
	}
	buf_addch(b, '\n');
}

/* Write all of b to a new file at path, atomically; on the disk (fsync)
 * when sync is set. */
static int
write_atomic(const char *path, const struct buf *b, int sync,
    struct buf *err)
{
	struct buf	 tmp = BUF_INIT;
	size_t		 off = 0;
	ssize_t		 w;
	int		 fd;

	buf_printf(&tmp, "%s.tmp%ld", path, (long)getpid());
	if ((fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		buf_error(err, _("cannot write draft '%s': %s"), tmp.data,
		    strerror(errno));
		buf_release(&tmp);
		return (-1);
	}
	while (off < b->len) {
		if ((w = write(fd, b->data + off, b->len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (sync && fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.data, path) == -1)
		goto fail;
	buf_release(&tmp);
	return (0);
fail:
	buf_error(err, _("cannot write draft '%s': %s"), path,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp.data);
	buf_release(&tmp);
	return (-1);
}

int
draft_save(struct draft *d, struct buf *err)
{
	return (draft_write(d, NULL, 1, err));
}

int
draft_keep(struct draft *d, const char *path, int sync, struct buf *err)
{
	return (draft_write(d, path, sync, err));
}

static int
draft_write(struct draft *d, const char *path, int sync, struct buf *err)
{
	static unsigned	 seq;		/* drafts written by this process */
	struct buf	 dir = BUF_INIT, b = BUF_INIT, num = BUF_INIT;
	const char	*where = d->where != NULL ? d->where : "";
	unsigned long long h = hash_fnv1a(where, strlen(where));
	char		*keep;
	size_t		 i;
	int		 rc = -1;

	if (draft_dir(&dir, 1, err) == -1)
		goto out;
	/*
	 * The name tells drafts of one card apart by the database (two
	 * databases have a party #1 each), by the process (two terminals
	 * of one operator on the same card both hung up) and by a count
	 * in the process (two new cards of one table open, one over the
	 * other): a draft never overwrites another one's edits.
	 */
	keep = path != NULL ? xstrdup(path) : NULL;
	free(d->path);
	seq++;
	if (keep != NULL)
		d->path = keep;
	else if (d->id != 0)
		xasprintf(&d->path, "%s/draft-%s-%llu-%016llx-%ld-%u",
		    dir.data, d->table, (unsigned long long)d->id, h,
		    (long)getpid(), seq);
	else
		xasprintf(&d->path, "%s/draft-%s-new-%016llx-%ld-%u",
		    dir.data, d->table, h, (long)getpid(), seq);
	buf_adds(&b, DRAFT_MAGIC "\n");
	put_line(&b, "where", d->where != NULL ? d->where : "", NULL);
	put_line(&b, "table", d->table, NULL);
	buf_printf(&num, "%llu", (unsigned long long)d->id);
	put_line(&b, "id", num.data, NULL);
	buf_reset(&num);
	buf_printf(&num, "%lu", (unsigned long)d->rev);
	put_line(&b, "rev", num.data, NULL);
	if (d->archived)
		put_line(&b, "archived", "1", NULL);
	buf_reset(&num);
	buf_printf(&num, "%lld", (long long)d->saved);
	put_line(&b, "saved", num.data, NULL);
	for (i = 0; i < d->n; i++) {
		put_line(&b, "value", d->names[i], d->values[i]);
		if (d->bases[i] != NULL)
			put_line(&b, "base", d->names[i], d->bases[i]);
	}
	for (i = 0; i < d->nreads; i++)
		put_line(&b, "read", d->rnames[i], d->reads[i]);
	rc = write_atomic(d->path, &b, sync, err);
out:
	buf_release(&dir);
	buf_release(&b);
	buf_release(&num);
	return (rc);
}

/* Unescape a field of len bytes at s into a new string. */
static char *
get_field(const char *s, size_t len)
{
	struct buf	 b = BUF_INIT;

	buf_addunesc(&b, s, len);
	return (buf_detach(&b, NULL));
}

static int
parse(struct draft *d, const char *s, size_t len, const char *path,
    struct buf *err)
{
	const char	*p, *end = s + len, *nl, *t1, *t2;
	char		*k, *v1, *v2;
	size_t		 ml = strlen(DRAFT_MAGIC);

	if (len < ml + 1 || memcmp(s, DRAFT_MAGIC "\n", ml + 1) != 0)
		return (buf_error(err, _("'%s' is not a draft of clerk"),
		    path));
	for (p = s + ml + 1; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((t1 = memchr(p, '\t', (size_t)(nl - p))) == NULL)
			continue;
		t2 = memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1));
		k = xstrndup(p, (size_t)(t1 - p));
		v1 = get_field(t1 + 1, (size_t)((t2 ? t2 : nl) - t1 - 1));
		v2 = t2 ? get_field(t2 + 1, (size_t)(nl - t2 - 1)) : NULL;
		if (strcmp(k, "where") == 0) {
			free(d->where);
			d->where = v1;
			v1 = NULL;
		} else if (strcmp(k, "table") == 0) {
			free(d->table);
			d->table = v1;
			v1 = NULL;
		} else if (strcmp(k, "id") == 0)
			d->id = strtoull(v1, NULL, 10);
		else if (strcmp(k, "rev") == 0)
			d->rev = (uint32_t)strtoul(v1, NULL, 10);
		else if (strcmp(k, "archived") == 0)
			d->archived = strcmp(v1, "1") == 0;
		else if (strcmp(k, "saved") == 0)
			d->saved = strtoll(v1, NULL, 10);
		else if (strcmp(k, "value") == 0 && v2 != NULL)
			draft_add(d, v1, v2, NULL);
		else if (strcmp(k, "base") == 0 && v2 != NULL && d->n > 0 &&
		    strcmp(d->names[d->n - 1], v1) == 0 &&
		    d->bases[d->n - 1] == NULL) {
			d->bases[d->n - 1] = v2;
			v2 = NULL;
		} else if (strcmp(k, "read") == 0 && v2 != NULL)
			draft_add_read(d, v1, v2);
		free(k);
		free(v1);
		free(v2);
	}
	if (d->table == NULL || d->table[0] == '\0')
		return (buf_error(err, _("draft '%s' names no table"), path));
	return (0);
}

int
draft_load(struct draft *d, const char *path, struct buf *err)
{
	struct buf	 b = BUF_INIT;
	char		 chunk[8192];
	ssize_t		 r;
	int		 fd, rc;

	draft_init(d);
	if ((fd = open(path, O_RDONLY)) == -1)
		return (buf_error(err, _("cannot read draft '%s': %s"), path,
		    strerror(errno)));
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			buf_error(err, _("cannot read draft '%s': %s"), path,
			    strerror(errno));
			close(fd);
			buf_release(&b);
			return (-1);
		}
		buf_add(&b, chunk, (size_t)r);
		if (b.len > DRAFT_MAX)
			break;
	}
	close(fd);
	if ((rc = parse(d, b.data, b.len, path, err)) == 0)
		d->path = xstrdup(path);
	else
		draft_release(d);
	buf_release(&b);
	return (rc);
}

int
draft_live(struct buf *err)
{
	struct buf	 dir = BUF_INIT, path = BUF_INIT;
	struct dirent	*de;
	DIR		*dp;
	long		 pid;
	char		*end;

	if (live_fd != -1)
		return (0);
	if (draft_dir(&dir, 1, err) == -1) {
		buf_release(&dir);
		return (-1);
	}
	/* The marks of processes gone (killed: none removed its own). */
	if ((dp = opendir(dir.data)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (strncmp(de->d_name, "live-", 5) != 0)
				continue;
			pid = strtol(de->d_name + 5, &end, 10);
			if (*end != '\0' || pid <= 0 ||
			    (kill((pid_t)pid, 0) == -1 && errno == ESRCH)) {
				buf_reset(&path);
				buf_printf(&path, "%s/%s", dir.data,
				    de->d_name);
				unlink(path.data);
			}
		}
		closedir(dp);
	}
	xasprintf(&live_path, "%s/live-%ld", dir.data, (long)getpid());
	if ((live_fd = open(live_path, O_RDWR | O_CREAT | O_CLOEXEC,
	    0600)) == -1 || flock(live_fd, LOCK_EX | LOCK_NB) == -1) {
		buf_error(err, _("cannot write '%s': %s"), live_path,
		    strerror(errno));
		if (live_fd != -1)
			close(live_fd);
		live_fd = -1;
		free(live_path);
		live_path = NULL;
	}
	buf_release(&dir);
	buf_release(&path);
	return (live_fd == -1 ? -1 : 0);
}

void
draft_live_end(void)
{
	if (live_fd == -1)
		return;
	unlink(live_path);
	close(live_fd);
	live_fd = -1;
	free(live_path);
	live_path = NULL;
}

/*
 * Is the draft file name (draft-...-PID-N) kept by a clerk that still
 * runs (its live-PID file locked)?  Then it is that clerk's card, open
 * there, kept as it is typed: not one to offer.
 */
static int
draft_in_use(const char *dir, const char *name)
{
	const char	*p, *q;
	char		*path;
	long		 pid;
	int		 fd, used = 0;

	if ((p = strrchr(name, '-')) == NULL || p == name)
		return (0);
	for (q = p - 1; q > name && *q != '-'; q--)
		;
	if (*q != '-' || (pid = strtol(q + 1, NULL, 10)) <= 0)
		return (0);
	xasprintf(&path, "%s/live-%ld", dir, pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		if (flock(fd, LOCK_SH | LOCK_NB) == -1 &&
		    errno == EWOULDBLOCK)
			used = 1;
		close(fd);
	}
	free(path);
	return (used);
}

/* Newest first; of one time, by file name, so the order is stable. */
static int
draft_cmp(const void *a, const void *b)
{
	const struct draft	*x = a, *y = b;

	if (x->saved != y->saved)
		return (x->saved > y->saved ? -1 : 1);
	return (strcmp(x->path, y->path));
}

int
draft_list(struct draft **out, size_t *n, const char *where,
    struct buf *err)
{
	struct buf	 dir = BUF_INIT, path = BUF_INIT, ignore = BUF_INIT;
	struct draft	 one, *v = NULL;
	struct dirent	*de;
	DIR		*dp;

	*out = NULL;
	*n = 0;
	if (draft_dir(&dir, 0, err) == -1)
		return (-1);
	if ((dp = opendir(dir.data)) == NULL) {
		buf_release(&dir);
		return (0);		/* no folder: no drafts */
	}
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, "draft-", 6) != 0 ||
		    strstr(de->d_name, ".tmp") != NULL ||
		    draft_in_use(dir.data, de->d_name))
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir.data, de->d_name);
		/* A file that does not read is skipped, not fatal: the
		 * operator still gets the others. */
		if (draft_load(&one, path.data, &ignore) != 0)
			continue;
		if (strcmp(one.where ? one.where : "", where ? where : "") !=
		    0) {
			draft_release(&one);
			continue;
		}
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = one;
	}
	closedir(dp);
	if (*n > 1)
		qsort(v, *n, sizeof *v, draft_cmp);
	*out = v;
	buf_release(&dir);
	buf_release(&path);
	buf_release(&ignore);
	return (0);
}

void
draft_list_free(struct draft *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		draft_release(&v[i]);
	free(v);
}

int
draft_find(struct draft *d, const char *where, struct buf *err)
{
	struct draft	*v;
	size_t		 n, i;

	draft_init(d);
	if (draft_list(&v, &n, where, err) == -1)
		return (-1);
	if (n == 0) {
		free(v);
		return (1);
	}
	*d = v[0];
	for (i = 1; i < n; i++)
		draft_release(&v[i]);
	free(v);
	return (0);
}

void
draft_remove(struct draft *d)
{
	if (d->path != NULL)
		unlink(d->path);
}
