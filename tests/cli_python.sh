#!/bin/bash
# The Python package (python/collapse) with Debian's python3, numpy and pandas: from the build
# tree (the same files and numbers as the CLI, theory, need over a grid, errors with the library's
# message: python/tests/test_collapse.py), without pandas (numpy record arrays), interrupted with
# Ctrl-C (KeyboardInterrupt, no file left), and `pip install ./python` with no network.
bin=$1
. "$(dirname "$0")/clilib.sh"
src=${MC_SOURCE_DIR:?} build=${MC_BINARY_DIR:?}
py=/usr/bin/python3
if [ "${MC_SANITIZE:-0}" = 1 ]; then
  # the interpreter is not built with the sanitizers' runtime, which an instrumented library
  # needs first; test_bind.c covers the library's side of the binding under them
  echo "cli_python: not run under the sanitizers (test_bind covers bind.c there)"; exit 0
fi
$py -c 'import numpy, pandas' || { echo "FAIL: Debian's python3-numpy and python3-pandas are needed (scripts/install-deps.sh test)"; exit 1; }
export COLLAPSE_LIBRARY=$build/libcollapse.so.0.3
export PYTHONPATH=$src/python
mkdir -p "$tmp/t"
ok $py "$src/python/tests/test_collapse.py" "$bin" "$tmp/t"

# without pandas: numpy record arrays
out=$(cd "$tmp" && $py -c "
import sys; sys.modules['pandas'] = None
import collapse
r = collapse.run('cats', {'run.replicates': 3, 'run.generations': 4}, dir='rec')
s = r.summary
print(type(s).__name__, s.dtype.names[:5], s[s.metric == 'n']['mean'].max())
print(type(collapse.presets()).__name__)" 2>&1)
ok grep -qx "recarray ('point', 'generation', 'metric', 'n', 'mean') 1000.0" <<<"$out"
ok grep -qx "recarray" <<<"$(sed -n 2p <<<"$out")"

# Ctrl-C: KeyboardInterrupt within seconds, no run files and no temporary file left
$py "$src/python/tests/interrupt.py" "$tmp/int" > "$tmp/int.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q started "$tmp/int.out" && [ -e "$tmp/int/.collapse.lock" ] && break; sleep 0.1; done
sleep 0.5
kill -INT $pid
for _ in $(seq 150); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then echo "FAIL: still running 15 s after Ctrl-C"; kill -9 $pid; fails=$((fails + 1)); fi
wait $pid; rc=$?
ok test "$rc" != 0
ok grep -q '^KeyboardInterrupt' "$tmp/int.out"
ok bash -c "! grep -q finished '$tmp/int.out'"
ok test -z "$(ls -A "$tmp/int")"

# pip install ./python, offline, with Debian's pip and setuptools (--target: a folder of its own,
# not the system's site-packages)
cp -r "$src/python" "$tmp/pysrc" # pip builds in the source folder: not in the checkout
PIP_DISABLE_PIP_VERSION_CHECK=1 $py -m pip install --no-index --no-build-isolation \
  --target "$tmp/site" "$tmp/pysrc" > "$tmp/pip.log" 2>&1
ok grep -q "Successfully installed collapse" "$tmp/pip.log"
out=$(cd / && PYTHONPATH=$tmp/site $py -c "
import collapse; print(collapse.__file__); print(len(collapse.presets()))" 2>&1)
ok grep -qx "$tmp/site/collapse/__init__.py" <<<"$out"
ok grep -qx "$("$bin" --complete presets | wc -l)" <<<"$(sed -n 2p <<<"$out")"
# without a library to load: an ImportError that says what to do
out=$(cd / && COLLAPSE_LIBRARY=$tmp/none.so PYTHONPATH=$tmp/site $py -c "import collapse" 2>&1)
ok grep -q "libcollapse not found; build it (make) or install it (make install), or set COLLAPSE_LIBRARY" <<<"$out"

echo "cli_python: $passes passed, $fails failed"
[ "$fails" = 0 ]
