/* core/config.h: the IPCGUARD_* settings, read and validated once at start. */
#ifndef IPCG_CONFIG_H
#define IPCG_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipcg/settings.h"

enum ipcg_family { IPCG_FAM_SHM = 1 << 0, IPCG_FAM_UNIX = 1 << 1 };
enum ipcg_out_kind { IPCG_OUT_FILE, IPCG_OUT_STDERR, IPCG_OUT_FD };

#define IPCG_STACK_MAX IPCG_SET_STACK_MAX	/* deepest IPCGUARD_STACK accepted */
#define IPCG_STACK_DEFAULT 32
#define IPCG_REPEATS_DEFAULT 10	/* findings in full per kind and call site */
#define IPCG_REPEATS_MAX 1000000
#define IPCG_MAX_SIZE_DEFAULT (256ULL << 20)	/* bytes per trace file before rotation */
#define IPCG_MAX_SIZE_MIN (1ULL << 20)

struct ipcg_config {
	enum ipcg_out_kind out_kind;
	int out_fd;		/* for IPCG_OUT_FD / IPCG_OUT_STDERR */
	int stack_depth;	/* frames per backtrace, 0 = off */
	unsigned families;	/* enum ipcg_family bits to log */
	bool follow;		/* trace children */
	unsigned repeats;	/* IPCGUARD_REPEATS: findings in full per kind and site, 0 = all */
	bool stack_cache;	/* IPCGUARD_STACK_CACHE: per-call-site stack cache */
	bool stack_verify;	/* IPCGUARD_STACK_VERIFY: check each stack against a full walk */
	uint64_t max_size;	/* IPCGUARD_MAX_SIZE: bytes per trace file, 0 = no cap */
	/* the strings last, so that the settings and the start of each share
	 * the pages that start-up touches */
	char policy[1024];	/* IPCGUARD_POLICY as given */
	char output[PATH_MAX];	/* IPCGUARD_OUTPUT as given (template) */
};

extern struct ipcg_config ipcg_config;

/* Read the environment.  Returns 0, or -1 with a one-line message in err
 * ("ipcguard: invalid IPCGUARD_STACK=...: ...") for the caller to print. */
int ipcg_config_load(char *err, size_t cap);

#endif
