# bash completion for collapse: subcommands, presets, section.key= names and their values, and
# the options of each subcommand. The words come from the program itself (`collapse --complete`,
# `collapse CMD --help`), so they are always the registry's. Installed as
# PREFIX/share/bash-completion/completions/collapse.
_collapse() {
  local bin=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]:-} words line cur
  # the word being completed, from the line itself: bash splits "regime.name=fr" at the '='
  line=${COMP_LINE:0:COMP_POINT}
  cur=${line##*[[:space:]]}
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="$("$bin" --complete commands 2>/dev/null) --help --version"
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return
  fi
  case "$cur" in
    -*)
      words=$("$bin" "$cmd" --help 2>/dev/null | grep -oE '^  (-[a-z], )?--[a-z-]+' | grep -oE -- '--?[a-z-]+')
      COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;
    *.*=*)
      local key=${cur%%=*} value=${cur#*=}
      words=$("$bin" --complete values "$key" 2>/dev/null)
      COMPREPLY=($(compgen -W "$words" -- "$value"))
      # readline replaces only what follows the '=' when '=' breaks words (the default)
      case "$COMP_WORDBREAKS" in *=*) ;; *) COMPREPLY=("${COMPREPLY[@]/#/$key=}") ;; esac ;;
    *)
      case "$cmd" in
        plot|report) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        presets) COMPREPLY=($(compgen -W "$("$bin" --complete presets 2>/dev/null)" -- "$cur")); return ;;
      esac
      words="$("$bin" --complete presets 2>/dev/null) $("$bin" --complete keys 2>/dev/null)"
      COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -f -X '!*.ini' -- "$cur"))
      # a key completes to "section.key=": no space after it, the value comes next
      if [ "${#COMPREPLY[@]}" -eq 1 ] && [ "${COMPREPLY[0]%=}" != "${COMPREPLY[0]}" ]; then
        compopt -o nospace 2>/dev/null
      fi ;;
  esac
}
complete -F _collapse collapse
