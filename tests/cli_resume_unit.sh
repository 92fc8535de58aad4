#!/bin/bash
# cli_resume_unit.sh - checkpoints inside units (docs/OUTPUTS.md "Checkpoint and resume"): runs
# whose units are long (categorical, Zipf over 3000 categories, 150 generations under four
# regimes, saving each unit's state at most every 5 ms; a tiny gpt over 6 generations under
# three regimes, saving after every generation: --checkpoint-seconds 0), killed with SIGKILL at
# random moments (every third resume killed too), then resumed with 1 or 2 threads, give files
# byte for byte those of the uninterrupted run; most kills leave unit states, which the resume
# continues from (counted); an MPI run (-np 3) killed inside its units is resumed by a single
# process, and a single process's kill by MPI ranks (when MPI is there); a unit state of
# another run (another seed) is refused with one message naming the file; --checkpoint-seconds
# checks its value.
# A longer version: UNIT_MOMENTS=60 bash tests/cli_resume_unit.sh build/collapse
# Usage: cli_resume_unit.sh /path/to/collapse
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
. "$(dirname "$0")/clilib.sh"
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }
files="config.ini points.csv metrics.csv summary.csv extinction.csv summary.json"
if [ -n "${MC_SANITIZE:-}" ]; then moments=${UNIT_MOMENTS:-2}; gmoments=1
else moments=${UNIT_MOMENTS:-10}; gmoments=3; fi
D=$tmp/run
inside=0 killed=0

# the tiny gpt of tests/cli_gpt.sh (a walk over 12 words), fine-tuned generation after generation
. "$(dirname "$0")/tiny_gpt.sh"
tiny_gpt_ini "$tmp" 6 "init = previous" > "$tmp/gpt.ini"

same_as() { # REF WHAT: every file of $D is REF's
  local f bad=""
  for f in $files; do cmp -s "$1/$f" "$D/$f" || bad="$bad $f"; done
  [ ! -e "$D/.collapse.ckpt" ] || bad="$bad (the checkpoint is left)"
  if [ -z "$bad" ]; then pass; else fail "$2: differs from the uninterrupted run:$bad"; fi
}

# resume $D until complete; $1: kill the first try after $1 ms; $2: threads
resume() {
  local try threads=${2:-2}
  if [ -n "${1:-}" ]; then
    "$bin" run --resume "$D" --quiet --no-plots --checkpoint-seconds $cs --threads "$threads" \
      > /dev/null 2>&1 &
    local pid=$!
    sleep "$(awk -v t="$1" 'BEGIN { printf "%.3f", t / 1000 }')"
    kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  fi
  for try in 1 2 3 4; do
    [ -f "$D/summary.json" ] && [ ! -d "$D/.collapse.ckpt" ] && return 0
    "$bin" run --resume "$D" --quiet --no-plots --checkpoint-seconds $cs --threads "$threads" \
      > /dev/null 2> "$tmp/resume.err" && continue
    grep -q "nothing to resume: no checkpoint" "$tmp/resume.err" && return 2 # killed too early
    echo "resume failed: $(cat "$tmp/resume.err")"; return 1
  done
}

# kill_resume NAME MOMENTS ARGS...: the reference run, then MOMENTS kills and resumes
kill_resume() {
  local name=$1 n=$2 ms start at i rc; shift 2
  rm -rf "$D"
  start=$(date +%s%N)
  "$bin" run "$@" --checkpoint-seconds $cs -o "$D" > /dev/null || fail "$name: the reference run"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  mv "$D" "$tmp/ref-$name"
  for i in $(seq 1 "$n"); do
    rm -rf "$D"
    at=$((RANDOM % (ms + 1)))
    "$bin" run "$@" --checkpoint-seconds $cs -o "$D" > /dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v t="$at" 'BEGIN { printf "%.3f", t / 1000 }')"
    kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    killed=$((killed + 1))
    ls "$D/.collapse.ckpt" 2>/dev/null | grep -q '^unit-' && inside=$((inside + 1))
    if [ $((i % 3)) -eq 0 ]; then resume $((RANDOM % (ms / 2 + 1))) $((1 + i % 2)); else resume "" $((1 + i % 2)); fi
    rc=$?
    if [ $rc -eq 2 ]; then # killed before its checkpoint: the run again, whole
      "$bin" run "$@" -o "$D" --force > /dev/null 2>&1 || fail "$name: rerun"
    elif [ $rc -ne 0 ]; then fail "$name: resume after $at ms"; fi
    same_as "$tmp/ref-$name" "$name killed at $at ms"
  done
}

RANDOM=41
cats="cats world.type=zipf world.zipf_k=3000 regime.n=20000 sampling.temperature=1.0
      regime.name=replace,accumulate,keep-original,accumulate-subsample run.replicates=2
      run.generations=150 --no-plots --quiet --threads 2"
cs=0.005 # a save at most every 5 ms per unit (fsync's cost varies with the machine's load)
kill_resume cats "$moments" $cats
cs=0
kill_resume gpt "$gmoments" "$tmp/gpt.ini" --no-plots --quiet --threads 2
[ "$inside" -ge $((killed / 2)) ] && pass ||
  fail "only $inside of $killed kills left a unit's state: the kills did not land inside units"

# a unit's state of another run (another seed) is refused, naming the file
rm -rf "$D" "$tmp/other"
(MC_FAULT_KILL_AFTER_RENAMES=3 "$bin" run $cats --checkpoint-seconds 0 -o "$D"; true) > /dev/null 2>&1
(MC_FAULT_KILL_AFTER_RENAMES=3 "$bin" run $cats run.seed=7 --checkpoint-seconds 0 -o "$tmp/other"; true) > /dev/null 2>&1
unit=$(ls "$tmp/other/.collapse.ckpt" | grep '^unit-' | head -1)
if [ -n "$unit" ]; then
  cp "$tmp/other/.collapse.ckpt/$unit" "$D/.collapse.ckpt/$unit"
  expect 2 "$unit: the checkpoint of a unit of another run" run --resume "$D" --threads 1 --quiet
else fail "no unit state after 3 renames"; fi
expect 2 "--checkpoint-seconds" run cats --checkpoint-seconds -1 -o "$tmp/bad"

# MPI: killed inside its units under 3 ranks, resumed by one process; and the other way round
if command -v mpirun > /dev/null &&
   mpirun -np 2 "$bin" run cats run.replicates=2 run.generations=1 --no-plots -o "$tmp/probe" \
     2>&1 >/dev/null | grep -q "MPI ranks"; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 HWLOC_HIDE_ERRORS=2 UCX_LOG_LEVEL=fatal
  for at in 400; do
    rm -rf "$D"
    (MC_FAULT_KILL_AFTER_RENAMES=$((at / 40)) timeout 120 mpirun -np 3 "$bin" run $cats --threads 1 \
      --checkpoint-seconds 0 -o "$D"; true) > /dev/null 2>&1
    ls "$D/.collapse.ckpt" 2>/dev/null | grep -q '^unit-' && pass || fail "MPI: no unit state"
    resume "" 2 || fail "MPI killed, resumed by one process"
    same_as "$tmp/ref-cats" "MPI killed after $((at / 40)) renames"
  done
  if [ -z "${MC_SANITIZE:-}" ]; then # (under the sanitizers: the first case only)
    rm -rf "$D"
    (MC_FAULT_KILL_AFTER_RENAMES=12 "$bin" run $cats --checkpoint-seconds 0 -o "$D"; true) > /dev/null 2>&1
    timeout 120 mpirun -np 3 "$bin" run --resume "$D" --quiet --no-plots --threads 1 \
      --checkpoint-seconds 0 > /dev/null 2>&1 || fail "resumed by MPI ranks"
    same_as "$tmp/ref-cats" "killed, resumed by 3 MPI ranks"
  fi
else
  echo "cli_resume_unit: MPI part skipped (mpirun not installed, or built without MPI)"
fi

echo "cli_resume_unit: $passes passed, $fails failed ($killed kills, $inside inside units)"
[ "$fails" -eq 0 ]
