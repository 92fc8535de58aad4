#!/bin/sh
# mpi.sh - a grid over MPI ranks against the OpenMP-only run on this machine (docs/BENCHMARKS.md,
# "MPI"), printed as the rows of the table there: wall seconds (best of 3) and CPU seconds (user
# + system of every process, best of 3) of `collapse run GRID --no-plots` in one process with 1
# and 2 threads and under `mpirun -np 1`, `-np 2` and `-np 3` (every rank computes; rank 0 deals
# too) with 1 and 2 threads each, with the load average at the start of each row; then the MPI
# cost per unit, from runs of many tiny units (one generation of a 10-sample categorical model),
# in CPU seconds, the slope between 1,000 and 10,000 units so that start-up cancels: (CPU under
# `mpirun -np 2` - CPU in one process) / units; and the inputs of the 64-rank projection (the
# grid's CPU seconds per unit and values per unit). Every MPI run's metrics.csv is compared with
# the single-process one (a difference stops the benchmark). One command:
#   sh bench/mpi.sh [BUILD]        (needs mpirun: apt-get install mpich)
set -eu
BUILD=${1:-build}
BIN=$BUILD/collapse
GRID=${GRID:-"gaussian-regimes run.replicates=48 run.generations=100"}
TINY=${TINY:-"cats run.generations=1 regime.n=10"}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
command -v mpirun >/dev/null || { echo "mpi.sh: mpirun is missing (apt-get install mpich)" >&2; exit 1; }
export HWLOC_HIDE_ERRORS=2 UCX_LOG_LEVEL=fatal
load() { cut -d' ' -f1 /proc/loadavg; }
run() { # LABEL COMMAND...: best of 3 wall and CPU seconds into $TMP/last ("wall cpu"); the
        # metrics.csv checked against the first run's
  label=$1; shift
  bw=1e300 bc=1e300
  for i in 1 2 3; do
    rm -rf "$TMP/out"
    s=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$TMP/t" "$@" -o "$TMP/out" --quiet --no-plots >/dev/null 2>&1
    e=$(date +%s.%N)
    bw=$(awk -v s="$s" -v e="$e" -v b="$bw" 'BEGIN { t = e - s; print (t < b ? t : b) }')
    bc=$(awk -v b="$bc" '{ t = $1 + $2; print (t < b ? t : b) }' "$TMP/t")
  done
  if [ -f "$TMP/ref.csv" ]; then cmp -s "$TMP/ref.csv" "$TMP/out/metrics.csv" ||
    { echo "mpi.sh: $label: metrics.csv differs from the single-process run" >&2; exit 1; }
  else cp "$TMP/out/metrics.csv" "$TMP/ref.csv"; fi
  echo "$bw $bc" > "$TMP/last"
}
row() { # LABEL COMMAND...: a table row
  label=$1
  l=$(load)
  run "$@"
  awk -v l="$label" -v ld="$l" '{ printf "| %s | %.3f s | %.3f s | %s |\n", l, $1, $2, ld }' "$TMP/last"
}
echo "grid: \`collapse run $GRID\` ($(nproc) cores, $(date -u +%Y-%m-%d), commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo ?))"
echo "| run | wall (best of 3) | CPU, all processes (best of 3) | load at start |"
echo "|---|---|---|---|"
row "one process, 1 thread" "$BIN" run $GRID --threads 1
one=$(cut -d' ' -f2 "$TMP/last")
row "one process, 2 threads" "$BIN" run $GRID --threads 2
row "\`mpirun -np 1\`, 1 thread" mpirun -np 1 "$BIN" run $GRID --threads 1
row "\`mpirun -np 2\` (2 computing ranks), 1 thread" mpirun -np 2 "$BIN" run $GRID --threads 1
row "\`mpirun -np 3\` (3 computing ranks), 1 thread" mpirun -np 3 "$BIN" run $GRID --threads 1
row "\`mpirun -np 2\` (2 computing ranks), 2 threads" mpirun -np 2 "$BIN" run $GRID --threads 2
units=$("$BIN" config $GRID 2>/dev/null | awk '$1 == "units:" { print $2; exit }')
tiny() { # REPLICATES COMMAND...: CPU seconds of the tiny-unit run
  reps=$1; shift
  rm -f "$TMP/ref.csv"
  run tiny "$@" run $TINY run.replicates="$reps" --threads 1
  cut -d' ' -f2 "$TMP/last"
}
o1=$(tiny 250 "$BIN"); o2=$(tiny 2500 "$BIN")
m1=$(tiny 250 mpirun -np 2 "$BIN"); m2=$(tiny 2500 mpirun -np 2 "$BIN")
echo "MPI cost per unit (\`collapse run $TINY\`, 4 grid points, 1,000 and 10,000 units, 1 thread, CPU seconds of all processes; load $(load)):"
echo "$o1 $o2 $m1 $m2" | awk '{ u = 9000; one = ($2 - $1) / u; mpi = ($4 - $3) / u
  printf "  per unit: one process %.1f us, mpirun -np 2 %.1f us: MPI adds %.1f us of CPU per unit\n", 1e6 * one, 1e6 * mpi, 1e6 * (mpi - one)
  printf "  start-up and the rest: one process %.3f s, mpirun -np 2 %.3f s\n", $1 - 1000 * one, $3 - 1000 * mpi }'
echo "projection inputs: the grid's CPU per unit c = $one s / ${units:-?} units (one process, 1 thread, start-up included)"
