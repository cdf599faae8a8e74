/* Compiler helpers shared by the library and the tools. */
#ifndef IPCG_COMPILER_H
#define IPCG_COMPILER_H

#define IPCG_EXPORT __attribute__((visibility("default")))
#define IPCG_HIDDEN __attribute__((visibility("hidden")))
#define IPCG_NOINLINE __attribute__((noinline))
#define IPCG_UNUSED __attribute__((unused))
#define IPCG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
/* Large zero-filled tables and buffers, placed after all other data
 * (.lbss, after .bss), so that the small state every process image touches
 * at start and exit shares a few pages instead of lying between them: each
 * page first touched is a page fault (docs/performance.md "Start-up"). */
#define IPCG_BULK __attribute__((section(".lbss.ipcg")))
/* initial-exec TLS: no allocation and no lock on first access in a thread,
 * which makes per-thread state usable from signal handlers */
#define IPCG_TLS __thread __attribute__((tls_model("initial-exec")))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define IPCG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
