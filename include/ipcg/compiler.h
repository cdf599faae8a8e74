/* Compiler helpers shared by the library and the tools. */
#ifndef IPCG_COMPILER_H
#define IPCG_COMPILER_H

#define IPCG_EXPORT __attribute__((visibility("default")))
#define IPCG_HIDDEN __attribute__((visibility("hidden")))
#define IPCG_NOINLINE __attribute__((noinline))
#define IPCG_UNUSED __attribute__((unused))
#define IPCG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
/* initial-exec TLS: no allocation and no lock on first access in a thread,
 * which makes per-thread state usable from signal handlers */
#define IPCG_TLS __thread __attribute__((tls_model("initial-exec")))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define IPCG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
