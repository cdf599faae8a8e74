#!/bin/sh
# close_range(3, ~0U) and closefrom(3) at start, then dup2 onto fixed numbers: trace intact, fd numbers unshifted
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/fdsurvive.sh"

fd_survival closerange closefrom
