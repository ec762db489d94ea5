/*
 * draft: an unsaved record card kept on disk when the terminal went
 * away (SIGHUP, a dead SSH link, a read error), offered at the next
 * start.  Files live in $XDG_STATE_HOME/clerk (else
 * ~/.local/state/clerk), one per card, mode 0600, written atomically
 * (temporary file, fsync, rename) so a second hang-up mid-write never
 * leaves half a draft.  No curses here.
 */
#ifndef CLERK_TUI_DRAFT_H
#define CLERK_TUI_DRAFT_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct draft {
	char		*where;		/* the database it belongs to */
	char		*table;
	uint64_t	 id;		/* 0: a new record */
	uint32_t	 rev;		/* the revision the edits started from */
	int		 archived;	/* the record was archived at rev */
	int64_t		 saved;		/* when it was kept */
	char		**names;	/* fields edited ... */
	char		**values;	/* ... their text as typed ... */
	char		**bases;	/* ... and as read at rev (NULL: a
					   draft of an older clerk) */
	size_t		 n;
	char		**rnames;	/* fields not edited ... */
	char		**reads;	/* ... and their text as read at rev */
	size_t		 nreads;
	char		*path;		/* the file, once saved or loaded */
};

void	 draft_init(struct draft *);
void	 draft_release(struct draft *);
/* A field edited: its name, its text as typed and as read (may be
 * NULL), so that a save over a later revision tells its edits from the
 * changes someone else made since. */
void	 draft_add(struct draft *, const char *, const char *,
	     const char *);
/* A field not edited, with its text as read: what someone else changed
 * since can be said by name. */
void	 draft_add_read(struct draft *, const char *, const char *);
/* The folder of drafts, made (0700) when make is set. */
int	 draft_dir(struct buf *, int, struct buf *);
/* Write the draft to its folder (draft-TABLE-ID-DB-PID-N, ID "new" for
 * a new record, DB a hash of where, PID this process, N its count of
 * drafts); sets path. */
int	 draft_save(struct draft *, struct buf *);
/* The same, kept as it is typed: written to path when not NULL (the
 * card's file of the last time), else to a new name as draft_save();
 * forced to the disk only when sync is set, which would slow typing
 * down (a process killed loses nothing; a machine that stops, the last
 * seconds). */
int	 draft_keep(struct draft *, const char *, int, struct buf *);
/* This process is running: its drafts are not offered to another clerk
 * meanwhile (a file live-PID in the drafts folder, locked while it
 * runs); draft_live_end() removes it at the end. */
int	 draft_live(struct buf *);
void	 draft_live_end(void);
/* Read one file. */
int	 draft_load(struct draft *, const char *, struct buf *);
/* The newest draft of database where: 0 with it loaded, 1 when there
 * is none, -1 on an error. */
int	 draft_find(struct draft *, const char *, struct buf *);
/* Every draft of database where, newest first, but those of a clerk
 * that still runs (draft_live()), in a new array of *n:
 * 0 (none is 0 with *n 0), or -1 on an error.  draft_list_free()
 * releases them. */
int	 draft_list(struct draft **, size_t *, const char *, struct buf *);
void	 draft_list_free(struct draft *, size_t);
/* Delete the draft's file (once used or refused). */
void	 draft_remove(struct draft *);

#endif
