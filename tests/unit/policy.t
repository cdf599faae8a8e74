#!/bin/sh
# unit test t_policy (tests/unit/t_policy.c): policy decisions on scripted probes, no preload
exec "$IPCG_BUILD/tests/unit/t_policy"
