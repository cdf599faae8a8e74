/* libdwfl-based symboliser (see symbolize.h). One Dwfl per distinct module
 * file, reported at its link-time addresses; a frame's ELF address is
 * offset + first_load_vaddr (docs/trace-format.md, "Addresses"). */
#include "out/symbolize.h"

#include <stdarg.h>

#include "load/arena.h"
#include "out/esc.h"

#include <dirent.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCAN_MAX_DEPTH 4		/* --debug-dir scan: deep enough for bin/ lib/ trees */
#define SCAN_MAX_FILES 20000		/* and bounded on a huge directory */
#define PAGE_MASK_4K (~(uint64_t)0xfff)	/* the writer rounds bases down to the page */

enum symmod_status {
	SM_OK,				/* matched file opened with libdwfl */
	SM_NOFILE,			/* no file at the path and none by build-id */
	SM_MISMATCH,			/* file at path has another build-id, none found by id */
	SM_BADELF,			/* file found but libdwfl cannot use it */
	SM_PSEUDO,			/* [vdso] and the like */
	SM_NOTREG,			/* something at the path that is not a regular file */
};

struct ipcg_symmod {
	char *key;			/* build-id, or "path:" + path without one */
	char *name;			/* basename of the recorded path */
	char *recorded;			/* recorded path, for notes */
	char *file;			/* file actually used */
	enum symmod_status status;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	uint64_t first_vaddr;		/* first PT_LOAD p_vaddr, page-aligned */
	uint64_t bias;			/* libdwfl bias of the reported file */
	bool noted;
	UT_hash_handle hh;
};

/* Each distinct (module file, address) is symbolised once: an
 * open-addressing table of these, the strings in an arena (they live as
 * long as the symboliser, and never move). */
struct cache_ent {
	const struct ipcg_symmod *sm;	/* NULL: free slot */
	uint64_t addr;
	const char *full, *names;	/* names == full when they are the same text */
};

struct idx_ent {			/* build-id -> file found by the directory scan */
	char *bid;
	char *path;
	UT_hash_handle hh;
};

struct ipcg_sym {
	char **dirs;
	int ndirs;
	char *dbgpath;			/* libdwfl debuginfo_path */
	Dwfl_Callbacks cb;
	struct ipcg_symmod *mods;
	struct cache_ent *cache;
	size_t cache_cap, ncache;
	struct ipcg_arena strs;
	struct idx_ent *idx;
	bool scanned;
};

struct ipcg_sym *ipcg_sym_new(char **debug_dirs, int ndirs)
{
	struct ipcg_sym *s = calloc(1, sizeof(*s));
	size_t len = 64;

	if (!s)
		return NULL;
	s->dirs = debug_dirs;
	s->ndirs = ndirs;
	for (int i = 0; i < ndirs; i++)
		len += strlen(debug_dirs[i]) + 1;
	s->dbgpath = malloc(len);
	if (!s->dbgpath) {
		free(s);
		return NULL;
	}
	/* libdwfl also looks up separate debug files by build-id under each dir */
	strcpy(s->dbgpath, "-:.debug:/usr/lib/debug");
	for (int i = 0; i < ndirs; i++) {
		if (debug_dirs[i][0] != '/')	/* only absolute dirs are searched by id */
			continue;
		strcat(s->dbgpath, ":");
		strcat(s->dbgpath, debug_dirs[i]);
	}
	s->cb.find_elf = dwfl_build_id_find_elf;
	s->cb.find_debuginfo = dwfl_standard_find_debuginfo;
	s->cb.debuginfo_path = &s->dbgpath;
	elf_version(EV_CURRENT);
	return s;
}

void ipcg_sym_free(struct ipcg_sym *s)
{
	struct ipcg_symmod *m, *mt;
	struct idx_ent *x, *xt;

	if (!s)
		return;
	HASH_ITER(hh, s->mods, m, mt) {
		HASH_DEL(s->mods, m);
		if (m->dwfl)
			dwfl_end(m->dwfl);
		free(m->key);
		free(m->name);
		free(m->recorded);
		free(m->file);
		free(m);
	}
	free(s->cache);
	ipcg_arena_release(&s->strs);
	HASH_ITER(hh, s->idx, x, xt) {
		HASH_DEL(s->idx, x);
		free(x->bid);
		free(x->path);
		free(x);
	}
	free(s->dbgpath);
	free(s);
}

/* Build-id of an ELF file as lowercase hex (malloc'd), or NULL. */
static char *file_build_id(const char *path)
{
	/* O_NONBLOCK: a FIFO swapped in after the stat must not hang us */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	Elf *e;
	const void *bits;
	ssize_t n;
	char *hex = NULL;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e) {
		n = dwelf_elf_gnu_build_id(e, &bits);
		if (n > 0 && (hex = malloc((size_t)n * 2 + 1))) {
			for (ssize_t i = 0; i < n; i++)
				sprintf(hex + i * 2, "%02x", ((const unsigned char *)bits)[i]);
		}
		elf_end(e);
	}
	close(fd);
	return hex;
}

static bool is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void scan_dir(struct ipcg_sym *s, const char *dir, int depth, int *budget)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) && *budget > 0) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < SCAN_MAX_DEPTH)
				scan_dir(s, path, depth + 1, budget);
			continue;
		}
		if (!S_ISREG(st.st_mode) || st.st_size < 64)
			continue;
		(*budget)--;
		char *bid = file_build_id(path);
		struct idx_ent *x;
		if (!bid)
			continue;
		HASH_FIND_STR(s->idx, bid, x);
		if (x) {			/* keep the first; prefer one with symbols? first wins */
			free(bid);
			continue;
		}
		x = calloc(1, sizeof(*x));
		if (!x) {
			free(bid);
			continue;
		}
		x->bid = bid;
		x->path = strdup(path);
		HASH_ADD_KEYPTR(hh, s->idx, x->bid, strlen(x->bid), x);
	}
	closedir(d);
}

/* A file with the given build-id, or NULL (malloc'd path). */
static char *find_by_build_id(struct ipcg_sym *s, const char *bid)
{
	size_t n = strlen(bid);
	struct idx_ent *x;
	char path[4096];

	if (n < 4)
		return NULL;
	for (int i = 0; i <= s->ndirs; i++) {
		const char *dir = i < s->ndirs ? s->dirs[i] : "/usr/lib/debug";
		static const char *const sfx[] = { "", ".debug" };
		for (int k = 0; k < 2; k++) {
			snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s%s", dir, bid, bid + 2, sfx[k]);
			if (!is_regular(path))
				continue;
			char *got = file_build_id(path);
			bool match = got && !strcmp(got, bid);
			free(got);
			if (match)
				return strdup(path);
		}
	}
	if (!s->scanned) {
		int budget = SCAN_MAX_FILES;
		s->scanned = true;
		for (int i = 0; i < s->ndirs; i++)
			scan_dir(s, s->dirs[i], 0, &budget);
	}
	HASH_FIND_STR(s->idx, bid, x);
	return x ? strdup(x->path) : NULL;
}

static bool first_load_vaddr(Elf *e, uint64_t *ret)
{
	size_t n;

	if (elf_getphdrnum(e, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD) {
			*ret = ph.p_vaddr & PAGE_MASK_4K;
			return true;
		}
	}
	return false;
}

static void open_dwfl(struct ipcg_sym *s, struct ipcg_symmod *m)
{
	GElf_Addr bias = 0;
	Elf *e;

	m->dwfl = dwfl_begin(&s->cb);
	if (!m->dwfl)
		goto out_bad;
	dwfl_report_begin(m->dwfl);
	m->mod = dwfl_report_elf(m->dwfl, m->name, m->file, -1, 0, true);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (!m->mod)
		goto out_bad;
	e = dwfl_module_getelf(m->mod, &bias);
	if (!e || !first_load_vaddr(e, &m->first_vaddr))
		goto out_bad;
	m->bias = bias;
	m->status = SM_OK;
	return;
out_bad:
	if (m->dwfl)
		dwfl_end(m->dwfl);
	m->dwfl = NULL;
	m->mod = NULL;
	m->status = SM_BADELF;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s && s[1] ? s + 1 : p;
}

static struct ipcg_symmod *resolve(struct ipcg_sym *s, const struct ipcg_module *mod)
{
	struct ipcg_symmod *m;
	char *key;
	size_t klen;

	if (mod->build_id && *mod->build_id) {
		key = strdup(mod->build_id);
	} else {
		klen = strlen(mod->path) + 6;
		key = malloc(klen);
		if (key)
			snprintf(key, klen, "path:%s", mod->path);
	}
	if (!key)
		return NULL;
	HASH_FIND_STR(s->mods, key, m);
	if (m) {
		free(key);
		return m;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		free(key);
		return NULL;
	}
	m->key = key;
	m->name = strdup(base_name(mod->path));
	m->recorded = strdup(mod->path);
	HASH_ADD_KEYPTR(hh, s->mods, m->key, strlen(m->key), m);
	if (mod->path[0] == '[') {
		m->status = SM_PSEUDO;
		return m;
	}
	if (is_regular(mod->path)) {
		if (!mod->build_id) {
			m->file = strdup(mod->path);	/* nothing to verify against */
		} else {
			char *got = file_build_id(mod->path);
			if (got && !strcmp(got, mod->build_id))
				m->file = strdup(mod->path);
			else
				m->status = SM_MISMATCH;
			free(got);
		}
	} else {
		struct stat st;
		m->status = stat(mod->path, &st) == 0 ? SM_NOTREG : SM_NOFILE;
	}
	if (!m->file && mod->build_id)
		m->file = find_by_build_id(s, mod->build_id);
	if (m->file)
		open_dwfl(s, m);
	return m;
}

/* Growable string for building results. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = (b->cap ? b->cap : 64) * 2 + (size_t)n;
		char *ns = realloc(b->s, ncap);
		if (!ns)
			return;
		b->s = ns;
		b->cap = ncap;
	}
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute at;
	const char *n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &at));
	return n ? n : "??";
}

/* Symbolises vaddr (ELF address) in m into full/names. */
static void symbolize(struct ipcg_symmod *m, uint64_t vaddr, uint64_t lookup,
		      struct sbuf *full, struct sbuf *names)
{
	GElf_Addr addr = lookup + m->bias, off = 0, symbias = 0;
	GElf_Sym sym;
	GElf_Word shndx;
	Elf *elf;
	const char *fn;
	const char *file = NULL;
	int line = 0;
	Dwfl_Line *dl;

	fn = dwfl_module_addrinfo(m->mod, addr, &off, &sym, &shndx, &elf, &symbias);
	dl = dwfl_module_getsrc(m->mod, addr);
	if (dl)
		file = dwfl_lineinfo(dl, NULL, &line, NULL, NULL, NULL);
	/* inlined callees, innermost first (as eu-addr2line -i): dwarf_getscopes
	 * finds the innermost inlined instance, but past it continues into that
	 * function's abstract definition; the concrete chain of callers is the
	 * parents of that instance (dwarf_getscopes_die), up to the subprogram */
	Dwarf_Addr cubias = 0;
	Dwarf_Die *cudie = dwfl_module_addrdie(m->mod, addr, &cubias);
	if (cudie && file) {
		Dwarf_Die *scopes = NULL, *chain = NULL, inner;
		int n = dwarf_getscopes(cudie, addr - cubias, &scopes), nc = 0;
		bool have_inner = false;
		for (int i = 0; i < n && !have_inner; i++)
			if (dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine) {
				inner = scopes[i];
				have_inner = true;
			} else if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
				break;
			}
		if (have_inner)
			nc = dwarf_getscopes_die(&inner, &chain);
		Dwarf_Files *files = NULL;
		size_t nfiles = 0;
		(void)dwarf_getsrcfiles(cudie, &files, &nfiles);
		for (int i = 0; i < nc; i++) {
			int tag = dwarf_tag(&chain[i]);
			if (tag == DW_TAG_subprogram)
				break;
			if (tag != DW_TAG_inlined_subroutine)
				continue;
			sb_add(full, "%s (%s:%d) [inlined]\n", ipcg_esc(die_name(&chain[i])),
			       ipcg_esc(base_name(file)), line);
			sb_add(names, "%s\n", ipcg_esc(die_name(&chain[i])));
			Dwarf_Attribute at;
			Dwarf_Word cf = 0, cl = 0;
			if (dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_file, &at), &cf) == 0 &&
			    files && cf < nfiles) {
				const char *f = dwarf_filesrc(files, cf, NULL, NULL);
				if (f)
					file = f;
			}
			if (dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_line, &at), &cl) == 0)
				line = (int)cl;
		}
		free(chain);
		free(scopes);
	}
	if (fn) {
		char nbuf[256];
		const char *at = strchr(fn, '@');	/* drop symbol versions: foo@@GLIBC_2.34 */
		if (at && at != fn && (size_t)(at - fn) < sizeof(nbuf)) {
			memcpy(nbuf, fn, (size_t)(at - fn));
			nbuf[at - fn] = '\0';
			fn = nbuf;
		}
		uint64_t symoff = off + (vaddr - lookup);	/* offset of the real address */
		if (file)
			sb_add(full, "%s+0x%" PRIx64 " (%s:%d)", ipcg_esc(fn), symoff,
			       ipcg_esc(base_name(file)), line);
		else
			sb_add(full, "%s+0x%" PRIx64 " (%s)", ipcg_esc(fn), symoff, ipcg_esc(m->name));
		sb_add(names, "%s", ipcg_esc(fn));
	} else {
		sb_add(full, "%s+0x%" PRIx64, ipcg_esc(m->name), vaddr - m->first_vaddr);
		sb_add(names, "%s+0x%" PRIx64, ipcg_esc(m->name), vaddr - m->first_vaddr);
	}
}

static size_t cache_slot(size_t cap, const struct ipcg_symmod *m, uint64_t addr)
{
	return (size_t)ipcg_hash64(addr ^ (uint64_t)(uintptr_t)m * 0x9e3779b97f4a7c15ull) & (cap - 1);
}

static bool cache_grow(struct ipcg_sym *s)
{
	size_t cap = s->cache_cap ? s->cache_cap * 2 : 256;
	struct cache_ent *v = calloc(cap, sizeof(*v));

	if (!v)
		return false;
	for (size_t i = 0; i < s->cache_cap; i++) {
		struct cache_ent *c = &s->cache[i];
		if (!c->sm)
			continue;
		size_t h = cache_slot(cap, c->sm, c->addr);
		while (v[h].sm)
			h = (h + 1) & (cap - 1);
		v[h] = *c;
	}
	free(s->cache);
	s->cache = v;
	s->cache_cap = cap;
	return true;
}

/* The cached texts of (m, off), symbolised on first use; NULL on failure. */
static const struct cache_ent *cache_get(struct ipcg_sym *s, struct ipcg_symmod *m, uint64_t off)
{
	struct sbuf full = { 0 }, names = { 0 };
	struct cache_ent *c;
	size_t h;

	if ((s->ncache + 1) * 2 > s->cache_cap && !cache_grow(s))
		return NULL;
	for (h = cache_slot(s->cache_cap, m, off); s->cache[h].sm; h = (h + 1) & (s->cache_cap - 1))
		if (s->cache[h].sm == m && s->cache[h].addr == off)
			return &s->cache[h];
	if (m->status == SM_OK) {
		uint64_t vaddr = off + m->first_vaddr;
		/* every frame is a return address, frame 0 included: the
		 * interposer's own frames are cut, so frame 0 is the return
		 * into the caller of shmget() etc. (see docs/reader.md) */
		symbolize(m, vaddr, vaddr == 0 ? vaddr : vaddr - 1, &full, &names);
	} else {
		sb_add(&full, "%s+0x%" PRIx64, ipcg_esc(m->name), off);
	}
	c = &s->cache[h];
	c->full = full.s ? ipcg_arena_strdup(&s->strs, full.s) : NULL;
	c->names = !names.s ? c->full : !strcmp(names.s, full.s ? full.s : "") ? c->full :
		   ipcg_arena_strdup(&s->strs, names.s);
	free(full.s);
	free(names.s);
	if (!c->full || !c->names)
		return NULL;		/* slot left free */
	c->sm = m;
	c->addr = off;
	s->ncache++;
	return c;
}

void ipcg_sym_frame(struct ipcg_sym *s, struct ipcg_proc *p, const struct ipcg_frame *f,
		    bool innermost, const char **ret_full, const char **ret_names)
{
	struct ipcg_module *mod = NULL;
	struct ipcg_symmod *m = NULL;
	const struct cache_ent *c;
	static char oom[] = "?";

	(void)innermost;		/* every frame is looked up at address - 1 */
	*ret_full = *ret_names = oom;
	if (f->mod) {
		HASH_FIND(hh, p->mods, &f->mod, sizeof(f->mod), mod);
		if (mod && !mod->sym_done) {
			mod->sym = resolve(s, mod);
			mod->sym_done = true;
		}
		m = mod ? mod->sym : NULL;
	}
	if (!m) {				/* not cacheable by file: format directly */
		static char tmp[2][96];
		if (f->mod == 0)
			snprintf(tmp[0], sizeof(tmp[0]), "0x%" PRIx64, f->off);
		else
			snprintf(tmp[0], sizeof(tmp[0]), "module#%u+0x%" PRIx64, f->mod, f->off);
		snprintf(tmp[1], sizeof(tmp[1]), "%s", f->mod ? tmp[0] : "[unknown]");
		*ret_full = tmp[0];
		*ret_names = tmp[1];
		return;
	}
	if ((c = cache_get(s, m, f->off))) {
		*ret_full = c->full;
		*ret_names = c->names;
	}
}

void ipcg_sym_notes(struct ipcg_sym *s, FILE *out)
{
	struct ipcg_symmod *m, *mt;

	HASH_ITER(hh, s->mods, m, mt) {
		if (m->noted || m->status == SM_OK || m->status == SM_PSEUDO)
			continue;
		m->noted = true;
		switch (m->status) {
		case SM_NOFILE:
			if (strncmp(m->key, "path:", 5))
				fprintf(out, "ipcguard: note: %s: no such file and no file with "
					"build-id %s; its frames are not symbolised\n", ipcg_esc(m->recorded), ipcg_esc(m->key));
			else
				fprintf(out, "ipcguard: note: %s: no such file (and no build-id to "
					"look for); its frames are not symbolised\n", ipcg_esc(m->recorded));
			break;
		case SM_NOTREG:
			fprintf(out, "ipcguard: note: %s: not a regular file (not opened)%s; its frames "
				"are not symbolised\n", ipcg_esc(m->recorded),
				m->file ? "" : ", and no file with its build-id");
			break;
		case SM_MISMATCH:
			fprintf(out, "ipcguard: note: %s: build-id differs from the trace (%s) and no "
				"matching file was found (try --debug-dir); its frames are not symbolised\n",
				ipcg_esc(m->recorded), ipcg_esc(m->key));
			break;
		default:
			fprintf(out, "ipcguard: note: %s: cannot read %s; its frames are not symbolised\n",
				ipcg_esc(m->recorded), ipcg_esc(m->file ? m->file : m->recorded));
			break;
		}
	}
}
