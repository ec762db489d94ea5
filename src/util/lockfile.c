/*
 * lockfile.c: a lock file that can be removed.  A client starting a
 * personal server and a server giving up its socket take an flock on a
 * file beside the socket; left behind, one such file per database ever
 * used gathers in the socket folder.  The holder may remove it, because
 * whoever takes the lock checks after taking it that the path still
 * names the file it locked: a lock on a file removed meanwhile is on no
 * path any more, so it is given up and the path opened again.  Only a
 * holder removes the file, so at any time one process at most holds the
 * lock of the file the path names.  Never prints.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "util.h"

int
lockfile_take(const char *path)
{
	struct stat	 fsb, psb;
	int		 fd, e;

	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd == -1)
			return (-1);
		while (flock(fd, LOCK_EX) == -1) {
			if (errno != EINTR) {
				e = errno;
				close(fd);
				errno = e;
				return (-1);
			}
		}
		if (fstat(fd, &fsb) == 0 && stat(path, &psb) == 0 &&
		    fsb.st_dev == psb.st_dev && fsb.st_ino == psb.st_ino)
			return (fd);
		/* Removed by the holder we waited for: again. */
		close(fd);
	}
}

void
lockfile_drop(const char *path, int fd)
{
	if (fd == -1)
		return;
	if (path != NULL)
		(void)unlink(path);	/* still ours: we hold its lock */
	close(fd);			/* releases the flock */
}
