#!/bin/sh
# unit test t_detect_shm (tests/unit/t_detect_shm.c): detectors on scripted calls, no preload
exec "$IPCG_BUILD/tests/unit/t_detect_shm"
