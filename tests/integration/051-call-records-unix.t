#!/bin/sh
# Call records of socket socketpair bind connect listen accept accept4 close: args, ret and errno, success and error
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/callrecords.sh"

call_records unix socket socketpair bind connect listen accept accept4 close
