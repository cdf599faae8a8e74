/* Bounded line reader over a pool of descriptors (see lineread.h). */
#include "load/lineread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_BUDGET (16u << 20)		/* read buffers of all files together */
#define CHUNK_MIN (8u << 10)		/* still tens of records per read */
#define CHUNK_MAX (256u << 10)
#define OPEN_MAX_CAP 256u		/* more open files would not read faster */

bool ipcg_lr_pool_init(struct ipcg_lr_pool *pool, size_t nfiles)
{
	struct rlimit rl;
	size_t chunk = CHUNK_MAX;
	rlim_t lim = 1024;

	memset(pool, 0, sizeof(*pool));
	/* a quarter of the descriptor limit: the rest stays for the
	 * symboliser's module files and whatever the caller holds */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		lim = rl.rlim_cur;
	pool->max_open = lim / 4 > OPEN_MAX_CAP ? OPEN_MAX_CAP : lim / 4 ? (unsigned)(lim / 4) : 1;
	while (chunk > CHUNK_MIN && chunk * nfiles > BUF_BUDGET)
		chunk /= 2;
	pool->chunk = chunk;
	pool->open = calloc(pool->max_open, sizeof(*pool->open));
	return pool->open != NULL;
}

void ipcg_lr_pool_release(struct ipcg_lr_pool *pool)
{
	free(pool->open);
	memset(pool, 0, sizeof(*pool));
}

void ipcg_lr_init(struct ipcg_lr *lr, struct ipcg_lr_pool *pool, const char *path)
{
	memset(lr, 0, sizeof(*lr));
	lr->pool = pool;
	lr->path = path;
	lr->fd = -1;
}

uint64_t ipcg_lr_offset(const struct ipcg_lr *lr)
{
	return lr->pos - (lr->tail - lr->head);
}

static void pool_remove(struct ipcg_lr_pool *pool, struct ipcg_lr *lr)
{
	for (unsigned i = 0; i < pool->nopen; i++)
		if (pool->open[i] == lr) {
			pool->open[i] = pool->open[--pool->nopen];
			return;
		}
}

/* An idle reader keeps only its unread bytes, in at most one chunk's room
 * (its buffer may have grown for a long line). */
static void shrink(struct ipcg_lr *lr)
{
	size_t n = lr->tail - lr->head;

	if (n == 0) {
		free(lr->buf);
		lr->buf = NULL;
		lr->cap = lr->head = lr->tail = 0;
		return;
	}
	memmove(lr->buf, lr->buf + lr->head, n);
	lr->head = 0;
	lr->tail = n;
	if (lr->cap > lr->pool->chunk && n <= lr->pool->chunk) {
		char *nb = realloc(lr->buf, lr->pool->chunk);
		if (nb) {
			lr->buf = nb;
			lr->cap = lr->pool->chunk;
		}
	}
}

static void lr_close_fd(struct ipcg_lr *lr)
{
	if (lr->fd < 0)
		return;
	close(lr->fd);
	lr->fd = -1;
	pool_remove(lr->pool, lr);
}

/* Closes the least recently used reopenable descriptor other than keep's. */
static bool evict_one(struct ipcg_lr_pool *pool, const struct ipcg_lr *keep)
{
	struct ipcg_lr *lru = NULL;

	for (unsigned i = 0; i < pool->nopen; i++) {
		struct ipcg_lr *l = pool->open[i];
		if (l != keep && l->reopenable && (!lru || l->last_use < lru->last_use))
			lru = l;
	}
	if (!lru)
		return false;
	lr_close_fd(lru);
	shrink(lru);
	return true;
}

static bool lr_fail(struct ipcg_lr *lr, const char *what, int err)
{
	lr->what = what;
	lr->err = err;
	return false;
}

/* Opens (or reopens, at the offset reached) the reader's file. */
static bool lr_open(struct ipcg_lr *lr)
{
	struct ipcg_lr_pool *pool = lr->pool;
	struct stat st;
	int fd;

	if (pool->nopen >= pool->max_open)
		(void)evict_one(pool, lr);
	/* descriptors held elsewhere (module files) may leave us fewer */
	while ((fd = open(lr->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0 &&
	       (errno == EMFILE || errno == ENFILE) && evict_one(pool, lr))
		;
	if (fd < 0)
		return lr_fail(lr, "cannot open", errno);
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return lr_fail(lr, "cannot stat", e);
	}
	if (!lr->opened) {
		lr->opened = true;
		lr->dev = st.st_dev;
		lr->ino = st.st_ino;
		lr->reopenable = S_ISREG(st.st_mode);
	} else {
		/* only regular files are ever closed early; the path must still
		 * name the same one (a rotated or replaced trace is not read on) */
		if (st.st_dev != lr->dev || st.st_ino != lr->ino) {
			close(fd);
			return lr_fail(lr, "replaced while being read (the path names another file now)", 0);
		}
		if (lseek(fd, (off_t)lr->pos, SEEK_SET) < 0) {
			int e = errno;
			close(fd);
			return lr_fail(lr, "cannot seek", e);
		}
		pool->reopens++;
	}
	lr->fd = fd;
	pool->open[pool->nopen++] = lr;
	return true;
}

enum ipcg_lr_rc ipcg_lr_next(struct ipcg_lr *lr, const char **line, size_t *len)
{
	for (;;) {
		char *nl = lr->head < lr->tail ?
			memchr(lr->buf + lr->head, '\n', lr->tail - lr->head) : NULL;

		if (nl) {
			size_t start = lr->head;
			lr->head = (size_t)(nl - lr->buf) + 1;
			if (lr->skipping) {		/* the end of an over-long line */
				lr->skipping = false;
				continue;
			}
			*line = lr->buf + start;
			*len = (size_t)(nl - lr->buf) - start;
			return IPCG_LR_LINE;
		}
		if (lr->eof) {
			if (lr->head < lr->tail || lr->skipping)
				lr->partial = true;	/* incomplete last line or NUL run */
			lr->nul_tail = !lr->skipping && lr->head < lr->tail && lr->buf[lr->head] == '\0' &&
				       !memcmp(lr->buf + lr->head, lr->buf + lr->head + 1, lr->tail - lr->head - 1);
			lr->head = lr->tail = 0;
			return IPCG_LR_EOF;
		}
		if (lr->skipping) {
			lr->head = lr->tail = 0;
		} else if (lr->head > 0) {
			memmove(lr->buf, lr->buf + lr->head, lr->tail - lr->head);
			lr->tail -= lr->head;
			lr->head = 0;
		}
		if (lr->tail == lr->cap) {
			if (lr->cap >= IPCG_LINE_MAX) {
				lr->skipping = true;
				lr->head = lr->tail = 0;
				return IPCG_LR_LONG;
			}
			size_t ncap = lr->cap ? lr->cap * 2 : lr->pool->chunk;
			char *nb = realloc(lr->buf, ncap > IPCG_LINE_MAX ? IPCG_LINE_MAX : ncap);
			if (!nb) {
				lr_fail(lr, "out of memory", ENOMEM);
				return IPCG_LR_ERR;
			}
			lr->buf = nb;
			lr->cap = ncap > IPCG_LINE_MAX ? IPCG_LINE_MAX : ncap;
		}
		if (lr->fd < 0 && !lr_open(lr))
			return IPCG_LR_ERR;
		lr->last_use = ++lr->pool->clock;
		size_t want = lr->cap - lr->tail;
		if (!lr->skipping && want > lr->pool->chunk)
			want = lr->pool->chunk;
		ssize_t n = read(lr->fd, lr->buf + lr->tail, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			lr_fail(lr, "read error", errno);
			return IPCG_LR_ERR;
		}
		if (n == 0) {
			lr->eof = true;
			lr_close_fd(lr);	/* frees the slot at once */
		}
		lr->tail += (size_t)n;
		lr->pos += (uint64_t)n;
	}
}

void ipcg_lr_close(struct ipcg_lr *lr)
{
	lr_close_fd(lr);
	free(lr->buf);
	lr->buf = NULL;
	lr->cap = lr->head = lr->tail = 0;
}
