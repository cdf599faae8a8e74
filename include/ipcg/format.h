/* format.h: the trace format's names, shared by the writer (the library)
 * and the reader (the ipcguard command), so that neither spells a record
 * type, a finding kind or a severity on its own.  docs/trace-format.md
 * is the contract these names belong to; SPEC.md sections 3 and 4. */
#ifndef IPCG_FORMAT_H
#define IPCG_FORMAT_H

#define IPCG_FORMAT_NAME "ipcguard"	/* header "format" */
#define IPCG_FORMAT_VERSION 1		/* header "version": written, and the newest read */

/* record "type"s */
#define IPCG_T_HEADER "header"
#define IPCG_T_MODULE "module"
#define IPCG_T_STACK "stack"
#define IPCG_T_CALL "call"
#define IPCG_T_FINDING "finding"
#define IPCG_T_POLICY "policy"
#define IPCG_T_FORK "fork"
#define IPCG_T_EXIT "exit"
#define IPCG_T_FINDING_REPEATS "finding_repeats"
#define IPCG_T_ROTATE "rotate"		/* the end of a part (IPCGUARD_MAX_SIZE) */
#define IPCG_T_CHECKPOINT "checkpoint"	/* the end of a part's checkpoint */
#define IPCG_T_LIVE "live"		/* an object in a checkpoint */

/* finding "severity" */
#define IPCG_SEVERITY_INFO "info"
#define IPCG_SEVERITY_WARNING "warning"
#define IPCG_SEVERITY_ERROR "error"

/* finding "kind"s (docs/detectors.md) */
#define IPCG_KIND_SHM_LIMIT "shm-limit"
#define IPCG_KIND_REPEATED_ATTACH "repeated-attach"
#define IPCG_KIND_SIZE_MISMATCH "size-mismatch"
#define IPCG_KIND_FOREIGN_SEGMENT "foreign-segment"
#define IPCG_KIND_INVALID_KEY "invalid-key"
#define IPCG_KIND_FTOK_COLLISION "ftok-collision"
#define IPCG_KIND_FTOK_FAILED "ftok-failed"
#define IPCG_KIND_RMID_WHILE_ATTACHED "rmid-while-attached"
#define IPCG_KIND_KEY_REUSE_AFTER_RMID "key-reuse-after-rmid"
#define IPCG_KIND_BAD_DETACH "bad-detach"
#define IPCG_KIND_WORLD_ACCESSIBLE "world-accessible"
#define IPCG_KIND_SEGMENT_LEAK "segment-leak"
#define IPCG_KIND_ATTACHED_AT_EXIT "attached-at-exit"
#define IPCG_KIND_PATH_TRUNCATED "path-truncated"
#define IPCG_KIND_ABSTRACT_TRAILING_NUL "abstract-trailing-nul"
#define IPCG_KIND_STALE_SOCKET "stale-socket"
#define IPCG_KIND_CONNECT_FAILED "connect-failed"
#define IPCG_KIND_WORLD_CONNECTABLE "world-connectable"
#define IPCG_KIND_SOCKET_FILE_LEAK "socket-file-leak"

/* live "object"s */
#define IPCG_OBJ_SEGMENT "segment"
#define IPCG_OBJ_ATTACH "attach"
#define IPCG_OBJ_SOCKET "socket"

#endif
