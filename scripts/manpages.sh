#!/bin/sh
# manpages.sh BIN DIR - writes DIR/collapse.1 and DIR/collapse-CMD.1 for every subcommand BIN
# lists (`BIN --complete summaries`), each the text of `BIN [CMD] --help` set in troff as it is:
# the pages are made from the program's own help at every build, so they cannot drift from it
# (tests/cli_install.sh compares them). Run by the build (cmake/install.cmake).
set -eu
bin=$1 dir=$2
mkdir -p "$dir"
version=$("$bin" --version | sed -n '1s/^collapse \([^ ]*\).*/\1/p')

# troff: a backslash is \e, a minus \- (options stay copyable), a line starting with . or ' is
# protected by \&.
escape() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

# page NAME SUMMARY HELP_ARGS... -> DIR/NAME.1
page() {
  name=$1 summary=$2; shift 2
  upper=$(printf '%s' "$name" | tr 'a-z' 'A-Z')
  {
    printf '.TH %s 1 "" "collapse %s" "collapse manual"\n' "$upper" "$version"
    printf '.SH NAME\n%s \\- %s\n' "$(printf '%s' "$name" | escape)" "$(printf '%s' "$summary" | escape)"
    printf '.SH DESCRIPTION\n.nf\n'
    "$bin" "$@" --help | escape
    printf '.fi\n.SH SEE ALSO\n'
    printf '%s\n' "$see" | escape
  } > "$dir/$name.1.tmp"
  mv "$dir/$name.1.tmp" "$dir/$name.1"
}

summaries=$("$bin" --complete summaries)
see="collapse(1)"
for cmd in $(printf '%s\n' "$summaries" | cut -f1); do see="$see, collapse-$cmd(1)"; done
page collapse "a laboratory for model collapse"
printf '%s\n' "$summaries" | while IFS="$(printf '\t')" read -r cmd summary; do
  page "collapse-$cmd" "$summary" "$cmd"
done
