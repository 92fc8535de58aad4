#!/bin/sh
# mpi.sh - a grid over MPI ranks against the OpenMP-only run on this machine (docs/BENCHMARKS.md,
# "MPI"): wall seconds (best of 3) of `collapse run GRID --no-plots` with 1 and 2 threads in one
# process and under `mpirun -np 2` and `-np 3` (rank 0 deals, the others compute) with 1 and 2
# threads each; then the MPI cost per unit, from a run of many tiny units (one generation of a
# 10-sample categorical model) in one process with 1 thread and under `mpirun -np 2` with 1
# thread (one computing rank): (t_mpi - t_one) / units. Every MPI run's metrics.csv is compared
# with the single-process one (a difference stops the benchmark).
#   sh bench/mpi.sh [BUILD]        (needs mpirun: apt-get install mpich)
set -eu
BUILD=${1:-build}
BIN=$BUILD/collapse
GRID=${GRID:-"gaussian-regimes run.replicates=24 run.generations=30"}
TINY=${TINY:-"cats run.generations=1 regime.n=10"}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
command -v mpirun >/dev/null || { echo "mpi.sh: mpirun is missing (apt-get install mpich)" >&2; exit 1; }
wall() { # LABEL COMMAND...: best of 3 wall seconds; the metrics.csv checked against the first
  label=$1; shift
  best=
  for i in 1 2 3; do
    rm -rf "$TMP/out"
    s=$(date +%s.%N)
    "$@" -o "$TMP/out" --quiet --no-plots >/dev/null 2>&1
    e=$(date +%s.%N)
    t=$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')
    best=$(awk -v t="$t" -v b="${best:-1e300}" 'BEGIN { print (t < b ? t : b) }')
  done
  if [ -f "$TMP/ref.csv" ]; then cmp -s "$TMP/ref.csv" "$TMP/out/metrics.csv" ||
    { echo "mpi.sh: $label: metrics.csv differs from the single-process run" >&2; exit 1; }
  else cp "$TMP/out/metrics.csv" "$TMP/ref.csv"; fi
  printf "  %-40s %8.3f s\n" "$label" "$best"
  echo "$best" > "$TMP/last"
}
echo "grid: collapse run $GRID ($(nproc) cores)"
wall "one process, 1 thread" "$BIN" run $GRID --threads 1
wall "one process, 2 threads" "$BIN" run $GRID --threads 2
wall "mpirun -np 2 (1 computing), 1 thread" mpirun -np 2 "$BIN" run $GRID --threads 1
wall "mpirun -np 3 (2 computing), 1 thread" mpirun -np 3 "$BIN" run $GRID --threads 1
wall "mpirun -np 2 (1 computing), 2 threads" mpirun -np 2 "$BIN" run $GRID --threads 2
tiny() { # REPLICATES LABEL COMMAND...: wall time of the tiny-unit run
  reps=$1 label=$2; shift 2
  rm -f "$TMP/ref.csv"
  wall "$label, $((reps * 4)) units" "$@" run $TINY run.replicates="$reps" --threads 1
}
echo "MPI cost per unit: collapse run $TINY (4 grid points), 1 thread, slope between two sizes"
tiny 250 "one process" "$BIN"; o1=$(cat "$TMP/last")
tiny 2500 "one process" "$BIN"; o2=$(cat "$TMP/last")
tiny 250 "mpirun -np 2" mpirun -np 2 "$BIN"; m1=$(cat "$TMP/last")
tiny 2500 "mpirun -np 2" mpirun -np 2 "$BIN"; m2=$(cat "$TMP/last")
echo "$o1 $o2 $m1 $m2" | awk '{ u = 9000; one = ($2 - $1) / u; mpi = ($4 - $3) / u
  printf "  per unit: one process %.1f us, under MPI %.1f us: MPI adds %.1f us per unit;\n", 1e6 * one, 1e6 * mpi, 1e6 * (mpi - one)
  printf "  start-up and the rest: one process %.3f s, mpirun -np 2 %.3f s\n", $1 - 1000 * one, $3 - 1000 * mpi }'
