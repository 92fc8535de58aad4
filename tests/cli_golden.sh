#!/bin/bash
# Every preset at a small size against its stored full-precision metrics.csv (tests/golden.sh):
# bit for bit in the release build; under the sanitizers (MC_SANITIZE=1, a -O0 build that rounds
# a few last bits differently) to a relative 1e-6 (differences grow over the generations of a chain: 2e-9 seen).
[ "${MC_SANITIZE:-}" = 1 ] && export GOLDEN_RTOL=1e-6
exec bash "$(dirname "$0")/golden.sh" "$1"
