#!/bin/sh
# A close() loop over every descriptor at start, then dup2 onto fixed numbers: trace intact, fd numbers unshifted
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/fdsurvive.sh"

fd_survival closeloop
