#!/bin/sh
# gpt family: training and sampling tokens/s of the transformer against PyTorch (Debian
# python3-torch, float32 on CPU, on the system BLAS: OpenBLAS through libblas.so.3) with the same
# model (vocabulary 1024, dim 128, 4 layers, 4 heads, context 64, batch 32), at 1 and 2 threads.
# collapse uses threads for units side by side (one model per thread, single-threaded BLAS), so
# "ours, 2 threads" is two trainings at once (tokens/s summed); PyTorch's 2 threads share one.
# Also: the share of this machine's one-thread sgemm peak that our training step's matrix
# products reach. The machine may be shared: the numbers are wall-clock, take the best of runs;
# training is also given per second of CPU time, which the load moves less.
# usage: bench/gpt.sh BUILD_DIR [STEPS]
set -eu
build=${1:-build}
steps=${2:-40}
here=$(cd "$(dirname "$0")" && pwd)
shape="1024 128 4 4 64 32"
py=/usr/bin/python3
blas=$(ldd "$($py -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so"))')" 2>/dev/null |
  awk '/libblas.so.3/ { print $3 }')
echo "peer BLAS: libblas.so.3 -> $(readlink -f "${blas:-/usr/lib/x86_64-linux-gnu/libblas.so.3}")"
# ours, one thread: train_tok/s sample_tok/s matmul_GFLOP/s sgemm_peak_GFLOP/s
ours1=$("$build/gpt_bench" $shape "$steps" 64 1000)
echo "ours 1 thread: train $(echo "$ours1" | cut -d' ' -f1) tok/s ($(echo "$ours1" | cut -d' ' -f7) per CPU-second), sample $(echo "$ours1" | cut -d' ' -f2) tok/s, matmuls $(echo "$ours1" | cut -d' ' -f3) GFLOP/s of peak $(echo "$ours1" | cut -d' ' -f4)"
"$build/gpt_bench" $shape "$steps" 64 1000 > /tmp/gpt-bench-a.$$ &
"$build/gpt_bench" $shape "$steps" 64 1000 > /tmp/gpt-bench-b.$$
wait
ours2=$(cat /tmp/gpt-bench-a.$$ /tmp/gpt-bench-b.$$ | awk '{ t += $1; s += $2 } END { printf "%.1f %.1f", t, s }')
rm -f /tmp/gpt-bench-a.$$ /tmp/gpt-bench-b.$$
echo "ours 2 threads (two units): train $(echo "$ours2" | cut -d' ' -f1) tok/s, sample $(echo "$ours2" | cut -d' ' -f2) tok/s"
# torch.set_num_threads does not reach the system OpenBLAS (Debian's torch calls it through
# libblas.so.3), which would otherwise take every core even at "1 thread": the peer's BLAS threads
# are pinned with OPENBLAS_NUM_THREADS. On 2 cores the peer is given both ways of using them
# (torch's threads over single-threaded BLAS, or one torch thread over 2 BLAS threads).
peer() { # BLAS_THREADS TORCH_THREADS LABEL
  out=$(OPENBLAS_NUM_THREADS=$1 OMP_NUM_THREADS=$2 $py "$here/gpt_torch.py" $shape "$steps" 64 4096 "$2")
  echo "pytorch $3: train $(echo "$out" | cut -d' ' -f1) tok/s ($(echo "$out" | cut -d' ' -f3) per CPU-second), sample $(echo "$out" | cut -d' ' -f2) tok/s"
}
peer 1 1 "1 thread (OpenBLAS 1)"
peer 1 2 "2 threads (torch 2, OpenBLAS 1)"
peer 2 1 "2 threads (torch 1, OpenBLAS 2)"
