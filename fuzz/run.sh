#!/bin/sh
# Runs every libFuzzer harness of a fuzz build folder: first its regression inputs
# (fuzz/regressions/HARNESS/*, each must pass), then fuzzing from its seed corpus
# (fuzz/corpus/HARNESS/) for SECONDS. Exits non-zero on the first crash, leak, timeout or
# out-of-memory, leaving the input in BUILD/artifacts/.
# Usage: fuzz/run.sh [--fresh] [--seed N] BUILD SECONDS [HARNESS...]
#   --fresh: start from the seed corpus alone (reproducible: `make test`); otherwise new inputs
#            accumulate in BUILD/corpus/HARNESS/ from run to run (`make fuzz`).
#   --seed N: libFuzzer's -seed (default 1 with --fresh, else random).
set -eu
fresh=0
seed=""
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=1; shift ;;
    --seed) seed="$2"; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { echo "usage: $0 [--fresh] [--seed N] BUILD SECONDS [HARNESS...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
seconds=$2
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
[ $fresh -eq 1 ] && [ -z "$seed" ] && seed=1
harnesses=${*:-$(cd "$src/fuzz" && ls fuzz_*.c | sed 's/\.c$//')}
export LSAN_OPTIONS="suppressions=$src/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
mkdir -p "$build/artifacts"
ran=0
for h in $harnesses; do
  bin="$build/$h"
  name=${h#fuzz_}
  [ -x "$bin" ] || { echo "fuzz: $bin is missing (cmake --build $1 --target fuzzers)" >&2; exit 1; }
  case "$name" in
    rundir) maxlen=12000 ;;
    target) maxlen=256 ;;
    *) maxlen=4096 ;;
  esac
  opts="-timeout=10 -rss_limit_mb=2048 -max_len=$maxlen -print_final_stats=1"
  regs="$src/fuzz/regressions/$name"
  if [ -d "$regs" ] && [ -n "$(ls "$regs")" ]; then
    echo "fuzz: $name: replaying $(ls "$regs" | wc -l) regression inputs" >&2
    "$bin" $opts "$regs"/* >"$build/artifacts/$name-regressions.log" 2>&1 ||
      { cat "$build/artifacts/$name-regressions.log" >&2; echo "fuzz: $name: a regression input fails" >&2; exit 1; }
  fi
  work="$build/corpus/$name"
  [ $fresh -eq 1 ] && rm -rf "$work"
  mkdir -p "$work"
  echo "fuzz: $name: fuzzing for ${seconds}s" >&2
  # shellcheck disable=SC2086
  "$bin" $opts ${seed:+-seed=$seed} -max_total_time="$seconds" \
    -artifact_prefix="$build/artifacts/$name-" "$work" "$src/fuzz/corpus/$name" \
    >"$build/artifacts/$name.log" 2>&1 || {
      tail -60 "$build/artifacts/$name.log" >&2
      echo "fuzz: $name: FAILED; input in $build/artifacts/$name-*" >&2
      exit 1
    }
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' \
    "$build/artifacts/$name.log" | tr '\n' ' ' | sed "s/^/fuzz: $name: /; s/\$/\n/" >&2
  ran=$((ran + 1))
done
# the plain closing line a CI log reader counts
echo "fuzz: $ran passed, 0 failed"
