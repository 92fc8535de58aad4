#!/bin/bash
# cli_mpi.sh - `collapse run` over MPI ranks (docs/CLUSTER.md): under `mpirun -np 2` and `-np 3`
# with threads, every file is byte for byte the single-process run's (a grid preset, and a
# gzip-compressed run); a run killed while rank 0 writes its files is resumed under MPI with the
# same result; `collapse need` gives the same answer and table; a bad configuration gives one
# message and exit 2 (not one per rank); a rank that cannot prepare stops the run with its
# message. Skipped,
# with a message, when mpirun is not installed or the binary was built without MPI.
# Usage: cli_mpi.sh /path/to/collapse
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
. "$(dirname "$0")/clilib.sh"
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }
if ! command -v mpirun > /dev/null; then
  echo "skip: cli_mpi (mpirun is not installed: scripts/install-deps.sh test installs MPICH)"
  exit 0
fi
# MPICH's own allocations at MPI_Init are not ours to free
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
# MPI runtime chatter on machines without /sys (hwloc's topology, UCX's network interfaces) is
# not the program's output: it is left out of what the checks compare
quiet_runtime() { grep -v -E '^\[hwloc/|UCX +(ERROR|WARN)' >&2; }
export HWLOC_HIDE_ERRORS=2 UCX_LOG_LEVEL=fatal
mpi() {
  local err rc
  err=$(mktemp)
  timeout 120 mpirun -np "$@" 2> "$err"
  rc=$?
  quiet_runtime < "$err"
  rm -f "$err"
  return $rc
}
if ! mpi 2 "$bin" run cats run.replicates=2 run.generations=1 --no-plots -o "$tmp/probe" 2>&1 >/dev/null |
     grep -q "MPI ranks"; then
  echo "skip: cli_mpi ($bin was built without MPI: configure with MPICH installed)"
  exit 0
fi
files="config.ini points.csv metrics.csv summary.csv extinction.csv summary.json"
D=$tmp/run

# same_files REF WHAT [FILES]: the files of $D are REF's, byte for byte
same_files() {
  local f bad=""
  for f in ${3:-$files}; do cmp -s "$1/$f" "$D/$f" || bad="$bad $f"; done
  [ -z "$bad" ] && pass || fail "$2: differs from the single-process run:$bad"
}
# single NAME ARGS...: the single-process run of ARGS into $D, kept as $tmp/NAME
single() {
  local name=$1; shift
  rm -rf "$D"; "$bin" run "$@" --quiet --no-plots --threads 2 -o "$D" > /dev/null || fail "single: $*"
  mv "$D" "$tmp/$name"
}

grid="gaussian-regimes run.replicates=6 run.generations=6"
[ -n "${MC_SANITIZE:-}" ] && grid="gaussian-regimes run.replicates=3 run.generations=3"
single grid $grid
for np_threads in "2 1" "2 2" "3 2"; do
  set -- $np_threads
  rm -rf "$D"
  mpi "$1" "$bin" run $grid --quiet --no-plots --threads "$2" -o "$D" > /dev/null 2>&1 ||
    fail "mpirun -np $1 --threads $2 did not finish"
  same_files "$tmp/grid" "mpirun -np $1, --threads $2"
done

gz="cats run.replicates=5 run.generations=5 output.compress=gzip"
single gz $gz
rm -rf "$D"
mpi 3 "$bin" run $gz --quiet --no-plots --threads 2 -o "$D" > /dev/null 2>&1 || fail "gzip under MPI"
same_files "$tmp/gz" "gzip, mpirun -np 3" "points.csv.gz metrics.csv.gz summary.csv.gz extinction.csv.gz summary.json"

# killed after rank 0's 3rd rename (a checkpoint), resumed under MPI
res="cats run.replicates=6 run.generations=5 regime.n=100,200"
single res $res
rm -rf "$D"
(MC_FAULT_KILL_AFTER_RENAMES=3 timeout 120 mpirun -np 2 "$bin" run $res --quiet --no-plots -o "$D"; true) > /dev/null 2>&1
[ -d "$D/.collapse.ckpt" ] && [ ! -e "$D/summary.json" ] && pass || fail "the killed MPI run left no checkpoint"
mpi 3 "$bin" run --resume "$D" --quiet --no-plots --threads 2 > /dev/null 2>&1 || fail "resume under MPI"
same_files "$tmp/res" "killed, resumed under mpirun -np 3"

# collapse need: each evaluation's replicates dealt out; the same answer and table
need="cats --target alive(yellow)>=0.95 --at 20 sampling.temperature=0.9 run.replicates=30 --quiet"
"$bin" need $need --threads 2 -o "$tmp/n1" > "$tmp/need1" 2>&1 || fail "need, one process"
mpi 3 "$bin" need $need --threads 2 -o "$tmp/n3" > "$tmp/need3" 2>&1 || fail "need under mpirun -np 3"
sed -i '/^answer: /d' "$tmp/need1" "$tmp/need3" # the folders' names
cmp -s "$tmp/n1/need.csv" "$tmp/n3/need.csv" && cmp -s "$tmp/need1" "$tmp/need3" &&
  grep -q '^h\* = ' "$tmp/need3" && pass ||
  fail "need under MPI differs: $(diff "$tmp/need1" "$tmp/need3" | head -5)"

# one message, exit 2, for a bad configuration
out=$(mpi 3 "$bin" run cats run.bogus=1 --no-plots -o "$tmp/bad" 2>&1 >/dev/null); rc=$?
[ "$rc" = 2 ] && [ "$(grep -c . <<<"$out")" = 1 ] && grep -q "run.bogus" <<<"$out" && pass ||
  fail "bad configuration under MPI: exit $rc: $out"

# a rank that cannot prepare the experiment (its MC_DATA_DIR points nowhere: MPMD launch) stops
# the run with that rank's message, once, and leaves no file behind
tab="cats world.type=table world.table=subtlex run.replicates=2 run.generations=2 --no-plots"
if "$bin" run $tab --quiet -o "$tmp/tab1" > /dev/null 2>&1; then
  out=$(mpi 1 "$bin" run $tab -o "$tmp/tab2" : \
        -np 1 env MC_DATA_DIR=/nonexistent "$bin" run $tab -o "$tmp/tab2" 2>&1 >/dev/null); rc=$?
  [ "$rc" = 1 ] && [ "$(grep -c '^collapse: rank 1: ' <<<"$out")" = 1 ] &&
    grep -q "SUBTLEX table is not installed" <<<"$out" && [ -z "$(ls -A "$tmp/tab2")" ] && pass ||
    fail "a rank that cannot prepare: exit $rc: $out; left $(ls -A "$tmp/tab2")"
else
  echo "skip: a rank that cannot read its data (the SUBTLEX table is not installed: make data)"
fi

echo "cli_mpi: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
