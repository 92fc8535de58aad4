#!/bin/sh
# `make bench`: every benchmark of bench/, each a ratio against a peer doing the same work in the
# same run. The numbers go to docs/BENCHMARKS.md by hand, with the date and commit.
# usage: bench/run.sh BUILD_DIR
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
for b in binomial categorical continuous gmm_kde ngram pipeline web gpt; do
  echo "== $b"
  sh "$here/$b.sh" "$build" || echo "bench $b failed" >&2
done
