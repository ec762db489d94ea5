/*
 * pick.c: what a cache kept above the store needs to know it is still
 * right: the store's write generation.  cmd page keeps the order of a
 * list's sort index in memory (every id's position) so that a search
 * finds its first match in that order without walking the index; it is
 * right as long as nothing was written since it was read.  Must not
 * write, print, or keep any state of its own.
 */
#include "config.h"

#include <stdlib.h>

#include "store/store_int.h"

/*
 * The end of the log: every write of a committed transaction (and its
 * commit) is a log record, so two equal answers mean nothing was
 * written in between.  A read-only transaction logs nothing.  The
 * converse does not hold (a checkpoint moves it too); a cache then
 * merely reads again.
 */
int
store_generation(struct store *s, uint64_t *gen, struct buf *err)
{
	DB_LOG_STAT	*sp = NULL;
	int		 ret;

	*gen = 0;
	if ((ret = DBCALL(s->env->log_stat(s->env, &sp, 0))) != 0)
		return (buf_error(err, _("cannot read the log's position: %s"),
		    store_strerror(ret)));
	*gen = (uint64_t)sp->st_cur_file << 32 | sp->st_cur_offset;
	free(sp);
	return (0);
}
