#!/bin/bash
# cli_resume.sh - checkpoint and resume (docs/OUTPUTS.md): a run killed with SIGKILL at random
# moments (14 in the release build), and right after renames of its checkpoint and of each of
# its final files (MC_FAULT_KILL_AFTER_RENAMES: 10 more moments), then `collapse run --resume
# DIR` (itself killed once in a while and resumed again) gives files byte for byte those of the
# uninterrupted run; a resume refuses another version's or another configuration's checkpoint,
# a second resume of a folder being resumed is refused (the lock), a resume that fails keeps the
# checkpoint for the next one, a new run into a folder with a checkpoint is refused unless
# --force, and a complete folder has nothing to resume.
# A longer version: RESUME_MOMENTS=200 bash tests/cli_resume.sh build/collapse
# Usage: cli_resume.sh /path/to/collapse
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
. "$(dirname "$0")/clilib.sh"
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }
files="config.ini points.csv metrics.csv summary.csv extinction.csv summary.json"
if [ -n "${MC_SANITIZE:-}" ]; then moments=${RESUME_MOMENTS:-2}; reps=5; renames_all=
else moments=${RESUME_MOMENTS:-14}; reps=20; renames_all=1; fi
run="cats run.replicates=$reps regime.n=200,400 --no-plots --quiet --threads 2"
D=$tmp/run
npoints=8

"$bin" run $run -o "$D" > /dev/null || fail "the reference run"
mv "$D" "$tmp/ref"
start=$(date +%s%N)
"$bin" run $run -o "$D" > /dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
rm -rf "$D"

same_as_ref() { # WHAT: every file of $D is the reference's, and nothing else is left
  local f bad=""
  for f in $files; do cmp -s "$tmp/ref/$f" "$D/$f" || bad="$bad $f"; done
  # a kill after the last file's rename and before the lock file's removal leaves that file: the
  # system released its lock (docs/OUTPUTS.md), so it must be free, and it is no result
  [ -z "$(ls -A "$D" | grep -v -x -F -e config.ini -e points.csv -e metrics.csv -e summary.csv \
        -e extinction.csv -e summary.json -e .collapse.lock)" ] ||
    bad="$bad (left: $(ls -A "$D" | tr '\n' ' '))"
  [ ! -e "$D/.collapse.lock" ] || ! command -v flock > /dev/null ||
    flock -n "$D/.collapse.lock" true || bad="$bad (the lock is still held)"
  if [ -z "$bad" ]; then pass; else fail "$1: differs from the uninterrupted run:$bad"; fi
}

resume() { # resumes $D until it completes (at most 4 tries); kills the first try at $1 ms if given
  local try
  if [ -n "${1:-}" ]; then
    "$bin" run --resume "$D" --quiet --no-plots > /dev/null 2>&1 &
    local pid=$!
    sleep "$(awk -v t="$1" 'BEGIN { printf "%.3f", t / 1000 }')"
    kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  fi
  for try in 1 2 3 4; do
    [ -f "$D/summary.json" ] && [ ! -d "$D/.collapse.ckpt" ] && return 0
    "$bin" run --resume "$D" --quiet --no-plots > /dev/null 2> "$tmp/resume.err" && continue
    if grep -q "nothing to resume: no checkpoint" "$tmp/resume.err"; then # killed before it wrote one
      "$bin" run $run -o "$D" --force > /dev/null 2>&1 && continue
    fi
    echo "resume failed: $(cat "$tmp/resume.err")"; return 1
  done
}

# SIGKILL at random moments of the run (and, every third time, of the resume too)
RANDOM=14
for i in $(seq 1 "$moments"); do
  rm -rf "$D"
  at=$((RANDOM % (ms + 50)))
  "$bin" run $run -o "$D" > /dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v t="$at" 'BEGIN { printf "%.3f", t / 1000 }')"
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  if [ $((i % 3)) -eq 0 ]; then resume $((RANDOM % (ms / 2 + 1))); else resume; fi || fail "moment $at ms"
  same_as_ref "killed at $at ms"
done

# SIGKILL right after each rename: the checkpoint's config.ini, its point files, the final files
renames="$((npoints / 2)) $((npoints + 1)) $((npoints + 6))"
[ -n "$renames_all" ] && renames="1 2 $((npoints / 2)) $(seq $((npoints + 1)) $((npoints + 7)))"
for k in $renames; do
  rm -rf "$D"
  (MC_FAULT_KILL_AFTER_RENAMES=$k "$bin" run $run -o "$D"; true) > /dev/null 2>&1
  resume || fail "after rename $k"
  same_as_ref "killed after rename $k"
done

# refusals: another version, another configuration, a second resume, a new run over a checkpoint
mk_killed() {
  rm -rf "$D"; (MC_FAULT_KILL_AFTER_RENAMES=3 "$bin" run $run -o "$D"; true) > /dev/null 2>&1
}
mk_killed
sed -i '1s/collapse [^ ]* checkpoint/collapse 0.0.1 checkpoint/' "$D/.collapse.ckpt/config.ini"
expect 2 "started by collapse 0.0.1" run --resume "$D"
mk_killed
sed -i '/^every = 1$/d' "$D/.collapse.ckpt/config.ini" # read back, the default lands elsewhere
expect 2 "the configuration differs" run --resume "$D"
mk_killed
expect 2 "--resume" run $run -o "$D"
expect 2 "no PRESET" run --resume "$D" cats
expect 2 "nothing to resume" run --resume "$tmp/nowhere"
# a second resume while one runs (a longer run, so that the first is still going)
rm -rf "$D"
(MC_FAULT_KILL_AFTER_RENAMES=1 "$bin" run $run run.replicates=$((reps * 8)) -o "$D"; true) > /dev/null 2>&1
"$bin" run --resume "$D" --quiet --no-plots > /dev/null 2>&1 &
pid=$!
# until it holds the lock (the killed run left its lock file, with the dead run's pid)
for t in $(seq 1 1000); do [ "$(cat "$D/.collapse.lock" 2>/dev/null)" = "$pid" ] && break; sleep 0.01; done
expect 1 "another collapse run" run --resume "$D"
wait $pid && [ -f "$D/summary.json" ] && pass || fail "the first resume"
# a resume that fails (a full disk) keeps the checkpoint; the next one finishes the run
mk_killed
MC_FAULT_WRITE_AFTER=3000 "$bin" run --resume "$D" --quiet --no-plots > /dev/null 2>&1 &&
  fail "the resume on a full disk succeeded"
[ -f "$D/.collapse.ckpt/config.ini" ] && pass || fail "a failed resume removed the checkpoint"
resume || fail "resume after a failed resume"
same_as_ref "resumed after a failed resume"
mk_killed
"$bin" run $run -o "$D" --force > /dev/null 2>&1 && same_as_ref "--force over a checkpoint" || fail "--force"
out=$("$bin" run --resume "$D" 2>&1) && grep -q "nothing to resume" <<<"$out" && pass || fail "complete: $out"

echo "cli_resume: $passes passed, $fails failed ($moments random moments, run ${ms} ms)"
[ "$fails" -eq 0 ]
