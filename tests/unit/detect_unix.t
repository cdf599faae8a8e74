#!/bin/sh
# unit test t_detect_unix (tests/unit/t_detect_unix.c): detectors on scripted calls, no preload
exec "$IPCG_BUILD/tests/unit/t_detect_unix"
