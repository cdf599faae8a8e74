#!/bin/sh
# dup2 and dup3 onto ipcguard's descriptor numbers: the program gets them, nothing is written into them
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/fdsurvive.sh"

fd_survival none
