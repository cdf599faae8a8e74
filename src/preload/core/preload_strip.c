/* core/preload_strip.c: take this library out of LD_PRELOAD (IPCGUARD_FOLLOW=0).
 * ld.so splits LD_PRELOAD at ':' and ' ' and skips empty entries; an entry
 * is ours when its base name is libipcguard.so or it is the same file as
 * the library loaded here. */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/preload_strip.h"

#define PRE "LD_PRELOAD="
#define PRE_LEN (sizeof(PRE) - 1)
#define OUR_NAME "libipcguard.so"

static bool own_known;
static dev_t own_dev;
static ino_t own_ino;

void ipcg_preload_strip_init(void)
{
	Dl_info info;
	struct stat st;

	if (dladdr((void *)ipcg_preload_strip_init, &info) && info.dli_fname &&
	    stat(info.dli_fname, &st) == 0) {
		own_dev = st.st_dev;
		own_ino = st.st_ino;
		own_known = true;
	}
}

static bool is_ours(const char *p, size_t len)
{
	const char *b = p + len;
	char path[PATH_MAX];
	struct stat st;

	while (b > p && b[-1] != '/')
		b--;
	if ((size_t)(p + len - b) == sizeof(OUR_NAME) - 1 &&
	    memcmp(b, OUR_NAME, sizeof(OUR_NAME) - 1) == 0)
		return true;
	if (!own_known || len >= sizeof(path))
		return false;
	memcpy(path, p, len);
	path[len] = '\0';
	return stat(path, &st) == 0 && st.st_dev == own_dev && st.st_ino == own_ino;
}

bool ipcg_preload_filter(const char *v, char *out)
{
	size_t n = 0;
	bool dropped = false;

	for (const char *p = v; *p;) {
		size_t len = strcspn(p, ": ");
		if (len && is_ours(p, len)) {
			dropped = true;
		} else if (len) {
			if (n)
				out[n++] = ':';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
		while (*p == ':' || *p == ' ')
			p++;
	}
	out[n] = '\0';
	return dropped;
}

static bool names_us(const char *e)
{
	if (strncmp(e, PRE, PRE_LEN) != 0)
		return false;
	for (const char *p = e + PRE_LEN; *p;) {
		size_t len = strcspn(p, ": ");
		if (len && is_ours(p, len))
			return true;
		p += len;
		while (*p == ':' || *p == ' ')
			p++;
	}
	return false;
}

size_t ipcg_preload_strip_size(char *const envp[])
{
	size_t n = 0, text = 0;
	bool found = false;

	if (!envp)
		return 0;
	for (; envp[n]; n++) {
		if (names_us(envp[n])) {
			found = true;
			text += strlen(envp[n]) + 1;
		}
	}
	/* the pointer array, then the rewritten values (never longer) */
	return found ? (n + 1) * sizeof(char *) + text : 0;
}

char *const *ipcg_preload_strip(char *const envp[], size_t need, struct ipcg_strip *s, void *buf,
				size_t cap)
{
	size_t n = 0;
	char **copy = buf;

	s->map = NULL;
	s->len = 0;
	if (!need)
		return envp;
	if (need > cap) {
		void *m = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return envp;	/* best effort: the child's own start-up still drops us */
		s->map = m;
		s->len = need;
		copy = m;
	}
	while (envp[n])
		n++;
	char *t = (char *)(copy + n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!names_us(envp[i])) {
			copy[k++] = envp[i];
			continue;
		}
		memcpy(t, PRE, PRE_LEN);
		(void)ipcg_preload_filter(envp[i] + PRE_LEN, t + PRE_LEN);
		if (t[PRE_LEN]) {	/* an empty LD_PRELOAD is left out */
			copy[k++] = t;
			t += strlen(t) + 1;
		}
	}
	copy[k] = NULL;
	return copy;
}

void ipcg_strip_release(struct ipcg_strip *s)
{
	if (s->map)
		(void)munmap(s->map, s->len);
	s->map = NULL;
}
