#!/bin/bash
# cli_random_world.sh - a random world per replicate (world.random_mean, docs/ARCHITECTURE.md
# "Where to add"): the same files for any --threads and (when mpirun and an MPI build are there)
# any number of MPI ranks; a replicate's world is its own (the run differs from the fixed
# world's); bad values exit 2 with one message naming the key.
# Usage: cli_random_world.sh /path/to/collapse
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
args=(curation-gaussian world.random_mean=3 run.replicates=6 run.generations=3 regime.n=200
      --quiet --no-plots)
files="metrics.csv summary.csv"
"$bin" run "${args[@]}" --threads 1 -o "$tmp/t1" >/dev/null 2>"$tmp/err" || fail "threads 1: $(cat "$tmp/err")"
"$bin" run "${args[@]}" --threads 3 -o "$tmp/t3" >/dev/null 2>"$tmp/err" || fail "threads 3: $(cat "$tmp/err")"
for f in $files; do
  cmp -s "$tmp/t1/$f" "$tmp/t3/$f" || fail "$f differs between --threads 1 and 3"
done
"$bin" run "${args[@]/world.random_mean=3/world.random_mean=0}" --threads 1 -o "$tmp/fixed" >/dev/null 2>&1 ||
  fail "the fixed world's run failed"
cmp -s "$tmp/t1/metrics.csv" "$tmp/fixed/metrics.csv" && fail "random worlds give the fixed world's metrics"
# MPI (as tests/cli_mpi.sh): MPICH's own allocations at MPI_Init are not ours to free
if command -v mpirun >/dev/null &&
   ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 timeout 120 mpirun -np 2 "$bin" run cats \
     run.replicates=2 run.generations=1 --no-plots -o "$tmp/probe" 2>&1 >/dev/null | grep -q "MPI ranks"; then
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 timeout 120 mpirun -np 2 "$bin" run \
    "${args[@]}" --threads 1 -o "$tmp/m2" >/dev/null 2>&1 || fail "the run under 2 MPI ranks failed"
  for f in $files; do
    cmp -s "$tmp/t1/$f" "$tmp/m2/$f" || fail "$f differs between 1 process and 2 MPI ranks"
  done
else
  echo "note: MPI not checked (no mpirun, or a build without MPI)"
fi
# a run killed after its checkpoint holds a finished point (the gaussian family has no unit
# slots, so a resume reruns the unfinished points whole) gives, resumed, the uninterrupted files:
# each unit rebuilt its world from (seed, replicate)
grid=(curation-gaussian world.random_mean=3 world.dim=1 regime.name=replace regime.n=200,400
      run.replicates=6 run.generations=3 --quiet --no-plots --threads 2)
"$bin" run "${grid[@]}" -o "$tmp/ref" >/dev/null 2>&1 || fail "the grid run failed"
(MC_FAULT_KILL_AFTER_RENAMES=2 "$bin" run "${grid[@]}" -o "$tmp/killed"; true) >/dev/null 2>&1
[ -d "$tmp/killed/.collapse.ckpt" ] && [ ! -f "$tmp/killed/metrics.csv" ] ||
  fail "the killed run left no checkpoint, or finished"
"$bin" run --resume "$tmp/killed" --quiet --no-plots >/dev/null 2>"$tmp/err" || fail "resume: $(cat "$tmp/err")"
for f in $files; do
  cmp -s "$tmp/ref/$f" "$tmp/killed/$f" || fail "$f differs after a resume"
done
check_bad() {
  local want=$1; shift
  local msg rc
  msg=$("$bin" run "$@" -o "$tmp/bad" --quiet 2>&1 >/dev/null); rc=$?
  [ "$rc" = 2 ] || fail "collapse run $*: exit $rc, want 2 ($msg)"
  grep -qF -- "$want" <<<"$msg" || fail "collapse run $*: message '$msg' lacks '$want'"
  [ "$(grep -c . <<<"$msg")" = 1 ] || fail "collapse run $*: not one message: $msg"
}
check_bad "random_mean" gaussian-regimes world.random_mean=-1
check_bad "random_mean" gaussian-regimes world.random_mean=inf
check_bad "random_mean" kde-regimes world.random_mean=1
[ "$fails" = 0 ] || exit 1
echo "cli_random_world: all checks passed"
