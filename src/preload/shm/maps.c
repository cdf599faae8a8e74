/* shm/maps.c: System V shm attaches read from /proc/self/maps, see
 * shm/maps.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "shm/maps.h"
#include "core/real.h"

#define MAPS_BUF 4096

struct map_line {
	uintptr_t start, end;
	uint64_t inode;
	bool sysv;		/* the path is /SYSV... */
};

static bool hexnum(const char **p, uintptr_t *v)
{
	const char *s = *p;
	uintptr_t n = 0;

	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else
			break;
		n = n * 16 + d;
	}
	if (s == *p)
		return false;
	*p = s;
	*v = n;
	return true;
}

/* skip n space-separated fields */
static const char *skip_fields(const char *s, int n)
{
	while (n-- > 0) {
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return s;
}

/* "start-end perms offset dev inode   path" */
static bool parse_line(const char *s, struct map_line *m)
{
	if (!hexnum(&s, &m->start) || *s++ != '-' || !hexnum(&s, &m->end) || *s != ' ')
		return false;
	s = skip_fields(s, 4);	/* the rest of end, perms, offset, dev */
	m->inode = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		m->inode = m->inode * 10 + (uint64_t)(*s - '0');
	while (*s == ' ')
		s++;
	m->sysv = strncmp(s, "/SYSV", 5) == 0;
	return true;
}

typedef bool (*line_fn)(const struct map_line *m, void *arg);	/* false: stop */

/* Call fn for each line of /proc/self/maps.  0, or -errno. */
static int each_line(line_fn fn, void *arg)
{
	char buf[MAPS_BUF + 1];
	size_t have = 0;
	bool skipping = false;	/* in the tail of a line longer than the buffer */
	int saved = errno, ret = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		ret = -errno;
		errno = saved;
		return ret;
	}
	for (;;) {
		ssize_t n = read(fd, buf + have, MAPS_BUF - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		have += (size_t)n;
		buf[have] = '\0';
		char *line = buf;
		char *nl;
		while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
			*nl = '\0';
			struct map_line m;
			if (!skipping && parse_line(line, &m) && !fn(&m, arg))
				goto done;
			skipping = false;
			line = nl + 1;
		}
		size_t rest = have - (size_t)(line - buf);
		if (n == 0)
			break;	/* a last line without '\n' cannot be whole: maps always ends one */
		if (rest == MAPS_BUF) {
			/* one line fills the buffer: its head holds every field we read */
			struct map_line m;
			if (!skipping && parse_line(buf, &m) && !fn(&m, arg))
				goto done;
			skipping = true;
			rest = 0;
		}
		memmove(buf, line, rest);
		have = rest;
	}
done:
	(void)REAL(close)(fd);
	errno = saved;
	return ret;
}

struct is_attach {
	uintptr_t addr, want_end, covered;
	uint64_t inode;
	bool started, ok;
};

static bool is_attach_line(const struct map_line *m, void *arg)
{
	struct is_attach *a = arg;

	if (!a->started) {
		if (m->start != a->addr)
			return m->start < a->addr;	/* lines are sorted by address */
		if (!m->sysv || m->inode != a->inode)
			return false;
		a->started = true;
		a->covered = m->end;
	} else if (m->start == a->covered && m->sysv && m->inode == a->inode) {
		a->covered = m->end;
	} else {
		return false;
	}
	a->ok = a->covered >= a->want_end;
	return !a->ok;
}

bool ipcg_pol_maps_is_attach(uintptr_t addr, uint64_t size, int shmid)
{
	struct is_attach a = { .addr = addr, .want_end = addr + (uintptr_t)size,
			       .inode = (uint64_t)(uint32_t)shmid };

	if (shmid < 0 || each_line(is_attach_line, &a) < 0)
		return false;
	return a.ok;
}

struct count {
	uint64_t inode;
	bool any;
	int n;
	uintptr_t last_end;
	uint64_t last_inode;
};

static bool count_line(const struct map_line *m, void *arg)
{
	struct count *c = arg;

	if (!m->sysv || (!c->any && m->inode != c->inode))
		return true;
	if (!(c->n && m->start == c->last_end && m->inode == c->last_inode))
		c->n++;
	c->last_end = m->end;
	c->last_inode = m->inode;
	return true;
}

int ipcg_pol_maps_count(int shmid)
{
	struct count c = { .inode = (uint64_t)(uint32_t)shmid, .any = shmid < 0 };

	if (each_line(count_line, &c) < 0)
		return -1;
	return c.n;
}
