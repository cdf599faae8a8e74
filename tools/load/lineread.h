/* Bounded line reading over many files with few descriptors.
 *
 * Each file has a reader with its own small buffer; all readers share a
 * pool that keeps at most max_open descriptors open (derived from
 * RLIMIT_NOFILE). When the pool is full, the least recently used regular
 * file is closed and reopened later at the same offset, after checking that
 * the path still names the same file (device and inode). Pipes, FIFOs and
 * devices cannot be reopened: they stay open.
 *
 * Lines are bounded: a line longer than IPCG_LINE_MAX is never buffered
 * whole; the reader reports it once and skips to its end. */
#ifndef IPCG_TOOLS_LINEREAD_H
#define IPCG_TOOLS_LINEREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IPCG_LINE_MAX (1u << 20)	/* records are a few hundred bytes to a few KiB */

struct ipcg_lr;

struct ipcg_lr_pool {
	struct ipcg_lr **open;		/* readers holding a descriptor */
	unsigned nopen, max_open;
	size_t chunk;			/* bytes per read(2): the buffer budget split over the files */
	uint64_t clock;			/* for least-recently-used eviction */
	uint64_t reopens;		/* descriptors reopened after an eviction */
};

struct ipcg_lr {
	struct ipcg_lr_pool *pool;
	const char *path;
	int fd;				/* -1 when closed */
	bool opened;			/* opened once: dev/ino below are valid */
	bool reopenable;		/* a regular file */
	bool eof, skipping;		/* skipping: inside an over-long line */
	bool partial;			/* at EOF: the last line had no '\n' */
	bool nul_tail;			/* ... and was a run of NUL bytes only */
	dev_t dev;
	ino_t ino;
	uint64_t pos;			/* bytes read from the file so far */
	uint64_t last_use;
	char *buf;
	size_t cap, head, tail;		/* unread bytes are buf[head..tail) */
	const char *what;		/* on IPCG_LR_ERR: "cannot open", "read error", ... */
	int err;			/* and the errno, 0 if none applies */
};

enum ipcg_lr_rc {
	IPCG_LR_ERR = -1,		/* what/err say why; the reader is closed */
	IPCG_LR_EOF = 0,
	IPCG_LR_LINE = 1,		/* *line, *len: a complete line without its '\n' */
	IPCG_LR_LONG = 2,		/* a line over IPCG_LINE_MAX starts here; it is skipped */
};

/* nfiles: how many readers will share the pool (sizes reads and buffers).
 * Returns false on allocation failure. */
bool ipcg_lr_pool_init(struct ipcg_lr_pool *pool, size_t nfiles);
void ipcg_lr_pool_release(struct ipcg_lr_pool *pool);

void ipcg_lr_init(struct ipcg_lr *lr, struct ipcg_lr_pool *pool, const char *path);
/* The next line; the pointer is valid until the next call on this reader. */
enum ipcg_lr_rc ipcg_lr_next(struct ipcg_lr *lr, const char **line, size_t *len);
/* File offset of the next unread byte. */
uint64_t ipcg_lr_offset(const struct ipcg_lr *lr);
/* Closes the descriptor and frees the buffer (done with the file). */
void ipcg_lr_close(struct ipcg_lr *lr);

#endif
