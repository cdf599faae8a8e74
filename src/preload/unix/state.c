/* unix/state.c: the AF_UNIX tables of unix/state.h. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "ipcg/compiler.h"
#include "core/spin.h"
#include "core/state.h"
#include "unix/state.h"

struct bound_ent {
	bool used;
	uint32_t gen;		/* bumped on reuse, so a sweep never drops a newer entry */
	struct ipcg_bound b;
};

static struct ipcg_tables_lock tl;
static struct ipcg_sock *socks;		/* IPCG_FD_MAX entries */
static struct bound_ent *bounds;	/* IPCG_BOUND_MAX entries */
static uint32_t nbound_hiwat;		/* slots [0, hiwat) ever used */
static uint64_t overflows;

static void *map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static bool map_tables(void)
{
	socks = map(IPCG_FD_MAX * sizeof(*socks));
	bounds = map(IPCG_BOUND_MAX * sizeof(*bounds));
	return socks && bounds;
}

/* Take the lock; false (not held) when the tables could not be mapped */
static bool take(void)
{
	return ipcg_tables_take(&tl, map_tables);
}

static void give(void)
{
	ipcg_tables_give(&tl);
}

/* --- descriptors -------------------------------------------------------- */

bool ipcg_unix_sock_get(int fd, struct ipcg_sock *ret)
{
	bool found = false;

	if ((unsigned)fd >= IPCG_FD_MAX || !take())
		return false;
	if (socks[fd].type) {
		*ret = socks[fd];
		found = true;
	}
	give();
	return found;
}

void ipcg_unix_sock_new(int fd, int type, bool bound)
{
	if ((unsigned)fd >= IPCG_FD_MAX || !take())
		return;
	memset(&socks[fd], 0, sizeof(socks[fd]));
	socks[fd].type = type ? type : -1;	/* non-zero marks the slot used */
	socks[fd].bound = bound;
	give();
}

void ipcg_unix_sock_set(int fd, const struct ipcg_sock *s)
{
	if ((unsigned)fd >= IPCG_FD_MAX || !take())
		return;
	socks[fd] = *s;
	if (!socks[fd].type)
		socks[fd].type = -1;
	give();
}

bool ipcg_unix_sock_clear(int fd, struct ipcg_sock *ret)
{
	bool found = false;

	if ((unsigned)fd >= IPCG_FD_MAX || !take())
		return false;
	if (socks[fd].type) {
		*ret = socks[fd];
		found = true;
		if (socks[fd].bound_id && socks[fd].bound_id <= IPCG_BOUND_MAX) {
			struct bound_ent *b = &bounds[socks[fd].bound_id - 1];
			if (b->used && b->b.fd == fd)
				b->b.fd = -1;
		}
		memset(&socks[fd], 0, sizeof(socks[fd]));
	}
	give();
	return found;
}

/* --- bound socket files -------------------------------------------------- */

static uint32_t bound_insert(const struct ipcg_bound *b)
{
	for (uint32_t i = 0; i < IPCG_BOUND_MAX; i++) {
		if (bounds[i].used)
			continue;
		bounds[i].used = true;
		bounds[i].gen++;
		bounds[i].b = *b;
		if (i >= nbound_hiwat)
			nbound_hiwat = i + 1;
		return i + 1;
	}
	return 0;
}

/* Table full: forget files that are gone or replaced, checking each with
 * lstat outside the lock. */
static void bound_sweep(void)
{
	static IPCG_BULK char path[PATH_MAX];	/* under IPCG_SCRATCH_SWEEP */
	_Atomic int *sweep_lock = &ipcg_scratch_lock[IPCG_SCRATCH_SWEEP];
	ipcg_spin_lock(sweep_lock);
	for (uint32_t i = 0; i < IPCG_BOUND_MAX; i++) {
		if (!take())
			break;
		bool check = bounds[i].used && bounds[i].b.fd < 0;
		uint32_t gen = bounds[i].gen;
		dev_t dev = bounds[i].b.dev;
		ino_t ino = bounds[i].b.ino;
		uint64_t btime = bounds[i].b.btime_ns;
		if (check)
			memcpy(path, bounds[i].b.path, sizeof(path));
		give();
		if (!check)
			continue;
		dev_t d;
		ino_t i2;
		uint64_t bt;
		bool gone = ipcg_unix_file_id(path, &d, &i2, &bt) < 0 || d != dev || i2 != ino ||
			    bt != btime;
		if (!gone || !take())
			continue;
		if (bounds[i].used && bounds[i].gen == gen)
			bounds[i].used = false;
		give();
	}
	ipcg_spin_unlock(sweep_lock);
}

uint32_t ipcg_unix_bound_add(const struct ipcg_bound *b)
{
	uint32_t id;

	if (!take())
		return 0;
	id = bound_insert(b);
	give();
	if (id)
		return id;
	int saved = errno;
	bound_sweep();
	errno = saved;
	if (!take())
		return 0;
	id = bound_insert(b);
	if (!id)
		overflows++;
	give();
	return id;
}

bool ipcg_unix_bound_get(uint32_t id, struct ipcg_bound *ret)
{
	bool found = false;

	if (!id || id > IPCG_BOUND_MAX || !take())
		return false;
	if (bounds[id - 1].used) {
		*ret = bounds[id - 1].b;
		found = true;
	}
	give();
	return found;
}

void ipcg_unix_bound_fd_closed(uint32_t id)
{
	if (!id || id > IPCG_BOUND_MAX || !take())
		return;
	bounds[id - 1].b.fd = -1;
	give();
}

void ipcg_unix_bound_drop(uint32_t id)
{
	if (!id || id > IPCG_BOUND_MAX || !take())
		return;
	bounds[id - 1].used = false;
	give();
}

bool ipcg_unix_bound_any(void)
{
	/* read without the lock: a stale answer only costs a table walk */
	return __atomic_load_n(&nbound_hiwat, __ATOMIC_RELAXED) != 0;
}

void ipcg_unix_bound_forked(pid_t child)
{
	if (!take())
		return;
	for (uint32_t i = 0; i < nbound_hiwat; i++)
		if (bounds[i].used && bounds[i].b.fd >= 0)
			bounds[i].b.heir = child;
	give();
}

bool ipcg_unix_bound_next(uint32_t *cursor, uint32_t *ret_id, struct ipcg_bound *ret)
{
	bool found = false;

	if (!ipcg_tables_take_mapped(&tl))
		return false;
	while (*cursor < nbound_hiwat) {
		uint32_t i = (*cursor)++;
		if (bounds[i].used) {
			*ret = bounds[i].b;
			*ret_id = i + 1;
			found = true;
			break;
		}
	}
	give();
	return found;
}

/* --- process ------------------------------------------------------------ */

uint64_t ipcg_unix_state_overflows(void)
{
	return overflows;
}

void ipcg_unix_state_stacks(uint32_t (*fn)(uint32_t id))
{
	if (!take())
		return;
	for (uint32_t i = 0; i < nbound_hiwat; i++)
		if (bounds[i].used)
			bounds[i].b.stack = fn(bounds[i].b.stack);
	for (int fd = 0; fd < IPCG_FD_MAX; fd++)
		if (ipcg_fd_tracked(fd) && socks[fd].type)
			socks[fd].bind_stack = fn(socks[fd].bind_stack);
	give();
}

void ipcg_unix_state_atfork_prepare(void)
{
	ipcg_spin_lock(&tl.lock);
}

void ipcg_unix_state_atfork_parent(void)
{
	ipcg_spin_unlock(&tl.lock);
}

void ipcg_unix_state_atfork_child(void)
{
	atomic_store(&tl.lock, 0);
	if (!tl.mapped || tl.broken)
		return;
	/* the socket files are the parent's to unlink, not ours */
	for (uint32_t i = 0; i < nbound_hiwat; i++)
		bounds[i].used = false;
	nbound_hiwat = 0;
	for (int fd = 0; fd < IPCG_FD_MAX; fd++) {
		if (!ipcg_fd_tracked(fd))
			continue;
		socks[fd].inherited = true;
		socks[fd].bound_id = 0;
		socks[fd].bind_seq = 0;
	}
}
