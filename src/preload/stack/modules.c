/* stack/modules.c: loaded images -> `module` records (see stack/modules.h).
 *
 * dl_iterate_phdr takes the loader lock, and a library constructor that
 * runs under that lock may call our hooks; so the scan copies what it needs
 * into a scratch area first (guarded by a try-lock) and merges into the
 * table afterwards, never calling the loader with the table lock held. */
#include <elf.h>
#include <link.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "ipcg/format.h"
#include "ipcg/compiler.h"
#include "ipcg/jsonw.h"
#include "stack/modules.h"
#include "trace/trace.h"

#define MAX_MODULES 2048
#define PATH_POOL (256u << 10)	/* all module paths of a big program fit */

struct module {
	uintptr_t base;		/* first PT_LOAD, page aligned */
	uintptr_t end;
	uint32_t id;
	bool alive;
	bool seen;		/* in the scan being merged */
	const char *path;	/* in path_pool */
	char build_id[41];	/* "" when none */
	uint32_t born, died;	/* known in epochs [born, died) (dlclose counts them) */
};

struct scanned {
	uintptr_t base, end;
	char path[512];
	char build_id[41];
	bool has_build_id;
};

static IPCG_BULK struct module mods[MAX_MODULES];
static unsigned nmods;		/* entries are complete before nmods counts them */
static uint32_t epoch;		/* ipcg_modules_invalidate() calls */
static uint32_t next_id = 1;
static IPCG_BULK char path_pool[PATH_POOL];
static size_t path_used;
static _Atomic int table_lock;
static _Atomic int scan_lock;
static IPCG_BULK struct scanned scratch[MAX_MODULES];	/* guarded by scan_lock */
static unsigned nscratch;
static IPCG_BULK char exe_path[512];

static void lock(_Atomic int *l)
{
	while (atomic_exchange_explicit(l, 1, memory_order_acquire))
		__builtin_ia32_pause();
}

static void unlock(_Atomic int *l) { atomic_store_explicit(l, 0, memory_order_release); }

static void read_build_id(struct dl_phdr_info *info, struct scanned *s)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		const char *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const char *name = p + sizeof(*nh);
			const unsigned char *desc =
				(const unsigned char *)name + ((nh->n_namesz + 3) & ~3u);
			const char *next = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
			if (next > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0 && nh->n_descsz <= 20) {
				for (unsigned k = 0; k < nh->n_descsz; k++) {
					s->build_id[2 * k] = hex[desc[k] >> 4];
					s->build_id[2 * k + 1] = hex[desc[k] & 15];
				}
				s->build_id[2 * nh->n_descsz] = '\0';
				s->has_build_id = true;
				return;
			}
			p = next;
		}
	}
}

static int scan_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if (nscratch >= MAX_MODULES)
		return 1;
	struct scanned *s = &scratch[nscratch];
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;
		if (a < lo)
			lo = a;
		if (a + ph->p_memsz > hi)
			hi = a + ph->p_memsz;
	}
	if (hi == 0)
		return 0;
	s->base = lo & ~(uintptr_t)4095;
	s->end = hi;
	const char *name = info->dlpi_name;
	if (!name || !name[0])
		name = nscratch == 0 ? exe_path : "[unknown]";
	else if (strncmp(name, "linux-vdso", 10) == 0 || strncmp(name, "linux-gate", 10) == 0)
		name = "[vdso]";
	ipcg_txt(s->path, sizeof(s->path), 0, name);
	s->has_build_id = false;
	read_build_id(info, s);
	nscratch++;
	return 0;
}

static void write_module(const struct module *m)
{
	char buf[1024];
	struct ipcg_jw w;

	ipcg_jw_init(&w, buf, sizeof(buf) - 1);
	ipcg_jw_open(&w, '{');
	ipcg_jw_kstr(&w, "type", IPCG_T_MODULE);
	ipcg_jw_ku64(&w, "id", m->id);
	ipcg_jw_kstr(&w, "path", m->path);
	ipcg_jw_khex(&w, "base", m->base);
	ipcg_jw_ku64(&w, "size", m->end - m->base);
	ipcg_jw_kstr(&w, "build_id", m->build_id[0] ? m->build_id : NULL);
	ipcg_jw_close(&w, '}');
	if (!ipcg_jw_ok(&w))
		return;
	buf[w.len++] = '\n';
	(void)ipcg_trace_write(buf, w.len);
}

static const char *intern_path(const char *p)
{
	size_t n = strlen(p) + 1;

	if (path_used + n > sizeof(path_pool))
		return "[path pool full]";
	memcpy(path_pool + path_used, p, n);
	path_used += n;
	return path_pool + path_used - n;
}

void ipcg_modules_scan(void)
{
	if (atomic_exchange_explicit(&scan_lock, 1, memory_order_acquire))
		return;
	if (!exe_path[0]) {
		ssize_t n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);
		exe_path[n > 0 ? n : 0] = '\0';
		if (n <= 0)
			ipcg_txt(exe_path, sizeof(exe_path), 0, "[exe]");
	}
	nscratch = 0;
	dl_iterate_phdr(scan_cb, NULL);

	lock(&table_lock);
	for (unsigned i = 0; i < nmods; i++)
		mods[i].seen = false;
	for (unsigned k = 0; k < nscratch; k++) {
		struct scanned *s = &scratch[k];
		struct module *m = NULL;
		for (unsigned i = 0; i < nmods; i++) {
			if (mods[i].alive && mods[i].base == s->base && mods[i].end == s->end &&
			    strcmp(mods[i].path, s->path) == 0) {
				m = &mods[i];
				break;
			}
		}
		if (!m && nmods < MAX_MODULES) {
			m = &mods[nmods];
			m->base = s->base;
			m->end = s->end;
			m->id = next_id++;
			m->alive = true;
			m->path = intern_path(s->path);
			ipcg_txt(m->build_id, sizeof(m->build_id), 0, s->has_build_id ? s->build_id : "");
			m->born = epoch;
			m->died = UINT32_MAX;
			__atomic_store_n(&nmods, nmods + 1, __ATOMIC_RELEASE);
			write_module(m);
		}
		if (m)
			m->seen = true;
	}
	unlock(&table_lock);
	unlock(&scan_lock);
}

void ipcg_modules_invalidate(void)
{
	/* a full scan marks what is gone; do it now, under no lock of ours */
	if (atomic_exchange_explicit(&scan_lock, 1, memory_order_acquire))
		return;
	nscratch = 0;
	dl_iterate_phdr(scan_cb, NULL);
	lock(&table_lock);
	for (unsigned i = 0; i < nmods; i++) {
		bool present = false;
		for (unsigned k = 0; k < nscratch && !present; k++)
			present = scratch[k].base == mods[i].base && scratch[k].end == mods[i].end &&
				  strcmp(scratch[k].path, mods[i].path) == 0;
		if (!present && mods[i].alive) {
			mods[i].alive = false;
			__atomic_store_n(&mods[i].died, epoch + 1, __ATOMIC_RELAXED);
		}
	}
	__atomic_store_n(&epoch, epoch + 1, __ATOMIC_RELEASE);
	unlock(&table_lock);
	unlock(&scan_lock);
}

static uint32_t find(uintptr_t ip, uintptr_t *ret_off)
{
	uint32_t id = 0;

	lock(&table_lock);
	for (unsigned i = 0; i < nmods; i++) {
		if (mods[i].alive && ip >= mods[i].base && ip < mods[i].end) {
			id = mods[i].id;
			*ret_off = ip - mods[i].base;
			break;
		}
	}
	unlock(&table_lock);
	return id;
}

uint32_t ipcg_modules_epoch(void)
{
	return __atomic_load_n(&epoch, __ATOMIC_ACQUIRE);
}

/* A rotation's checkpoint: other threads may wait for it holding
 * table_lock (a scan writing a module record), so no lock here: entries
 * are only appended, and died is only set once. */
uint32_t ipcg_modules_lookup_at(uintptr_t ip, uint32_t at, uintptr_t *ret_off)
{
	unsigned n = __atomic_load_n(&nmods, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		const struct module *m = &mods[i];
		if (m->born <= at && at < __atomic_load_n(&m->died, __ATOMIC_RELAXED) &&
		    ip >= m->base && ip < m->end) {
			*ret_off = ip - m->base;
			return m->id;
		}
	}
	*ret_off = ip;
	return 0;
}

void ipcg_modules_rewrite(void)
{
	unsigned n = __atomic_load_n(&nmods, __ATOMIC_ACQUIRE);

	/* images gone too: stacks written before their dlclose name them */
	for (unsigned i = 0; i < n; i++)
		write_module(&mods[i]);
}

uint32_t ipcg_modules_lookup(uintptr_t ip, uintptr_t *ret_off)
{
	uint32_t id = find(ip, ret_off);

	if (!id)
		*ret_off = ip;
	return id;
}

void ipcg_modules_cover(const uintptr_t *ips, int n)
{
	uintptr_t off;

	for (int i = 0; i < n; i++) {
		if (!find(ips[i], &off)) {
			ipcg_modules_scan();
			return;
		}
	}
}

void ipcg_modules_reset(void)
{
	nmods = 0;
	epoch = 0;
	next_id = 1;
	path_used = 0;
	atomic_store(&table_lock, 0);
	atomic_store(&scan_lock, 0);
}
