#!/bin/bash
# Every preset at a small size against its stored full-precision metrics.csv (tests/golden.sh).
exec bash "$(dirname "$0")/golden.sh" "$1"
