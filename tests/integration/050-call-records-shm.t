#!/bin/sh
# Call records of shmget shmat shmdt shmctl ftok: decoded args, ret and errno, success and error
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/callrecords.sh"

call_records shm shmget shmat shmdt shmctl ftok
