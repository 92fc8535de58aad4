#!/bin/sh
# The pipeline regime against the fresh regime doing the same work (identical outputs), and
# `collapse need` against one evaluation of the same point; CPU time, best of 3. Prints the
# ratios recorded in docs/BENCHMARKS.md ("The human pipeline").
# usage: bench/pipeline.sh BUILD_DIR
set -eu
build=${1:-build}
OMP_NUM_THREADS=1 "$build/pipeline_bench" 3
