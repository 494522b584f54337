#!/usr/bin/env bash
# Every example in the documentation runs as written (issue 7). One ctest per Markdown page:
#   check_doc_examples.sh CARTSIM PAGE WORKDIR SOURCE_DIR BUILD_DIR
# The page's fenced blocks are taken in page order, in one fresh scratch directory WORKDIR that has
# a `scenarios` link to SOURCE_DIR/scenarios (so `scenarios/examples/...` works as in the source
# tree):
#
# - A ```yaml block that is a whole scenario (a top-level `model:` or `manufacturing:` key) is
#   checked with `cartsim check` and run with `cartsim run -q` (into a hidden directory); both must
#   exit 0. Fragments of a scenario (a `sweep:` section alone, an indented protocol step) are
#   counted and not run.
# - A block with lines beginning `$ ` is a shell transcript. Each `$ COMMAND` is run with bash, in
#   order, in WORKDIR, with no input; stdout and stderr together are its actual output. `cartsim`
#   is the built executable, started under the name `cartsim` as if it were on the PATH (a shell
#   function, so it works inside loops and pipes too);
#   `./build/release/X` is BUILD_DIR/X (e.g. the validation programs); `/tmp/X` is WORKDIR/tmp/X.
#   `$?` carries over from one command to the next, so `$ echo $?` shows the previous exit code.
#   The lines shown after a command (up to the next `$ ` line) are its shown output; blank lines
#   and lines that are only `...` (an abbreviation) are not checked. Every other shown line must
#   be a whole line of the actual output, and, unless a `...` line marks the shown output as
#   abbreviated, every non-blank line of the actual output must be shown (in any order: stdout and
#   stderr interleave). Lines are compared after normalising what varies from machine to machine:
#   trailing blanks are dropped; thread counts `N thread(s)` and wall times (a number with decimals
#   and the unit s: `0.02 s`) are masked; the directories of absolute paths vary by where the test
#   runs, so `/a/b/c` compares as `<dir>/c`. Everything else, every number included, must match:
#   the same build, scenario and seed give the same numbers, so a page must show what the program
#   prints now.
# - Exit codes: a command followed by `$ echo $?` must exit with the code that the echo shows.
#   Otherwise, a command whose shown output has an error (a line with `error: `, `cartsim:
#   failed: ` or `Run with --help for more information.`) must exit with the code that the block's
#   `exit N` directive gives (the test fails if there is none), and any other command must exit 0.
# - Blocks of other kinds are not run: listings of commands without `$ ` (such as the quick start's
#   `bash scripts/quickstart.sh run`, which installs packages and builds), C++, Python, JSON and
#   output excerpts without their command.
# The script needs only bash and the tools of a Debian base system (sed, awk, grep, coreutils), and
# so should the transcripts: `column`, for one, is not in a base system.
#
# Directives: an HTML comment on the line just before the opening fence (invisible when rendered),
# `<!-- doc-test: D1; D2 -->`, with one or more of:
#   file NAME            save the block as NAME in WORKDIR before the blocks after it run, so a
#                        transcript can use it (`$ cartsim run NAME`); a whole scenario is still
#                        checked and run under that name
#   file NAME from PAGE  first copy the block that PAGE (a path relative to this page) saves as
#                        NAME, for a transcript that uses a file another page shows
#   exit N               the block shows a failure with exit code N. A scenario block: `cartsim run`
#                        exits N (N = 2, a rejected scenario: `cartsim check` too); a transcript:
#                        its commands that show an error exit N
#   skip REASON          do not run the block (a schema sketch with placeholders; a transcript that
#                        cannot run here). Skipped transcripts are counted and listed with REASON
# An unknown directive, or one not followed by a fence, fails the test.
#
# Every failure is reported with the page, the line and what differs, and the test fails at the
# end if there was any.
set -u
if [[ $# -ne 5 ]]; then
  echo "usage: $0 CARTSIM PAGE WORKDIR SOURCE_DIR BUILD_DIR" >&2
  exit 2
fi
CARTSIM=$(realpath "$1")
DOC=$(realpath "$2")
WORKDIR=$(realpath -m "$3")
SOURCE_DIR=$(realpath "$4")
BUILD_DIR=$(realpath "$5")
page=${DOC#"$SOURCE_DIR"/}
rm -rf "$WORKDIR"
mkdir -p "$WORKDIR/.doc-test"
ln -s "$SOURCE_DIR/scenarios" "$WORKDIR/scenarios"
meta=$WORKDIR/.doc-test

failures=0
fail() {
  printf 'FAILED %s\n' "$1" >&2
  failures=$((failures + 1))
}

# The normalisation applied to actual and shown output alike (see the top of this file).
normalise() {
  sed -E -e 's/[[:space:]]+$//' -e 's/[0-9]+ thread\(s\)/N thread(s)/g' \
    -e 's/(^|[[:space:](])[0-9]+\.[0-9]+ s( |,|$)/\1T s\2/g' \
    -e "s#(^|[[:space:]\"'(=])/([^[:space:]\"']*/)?([^/[:space:]\"']+/?)#\\1<dir>/\\3#g"
}

fence_re='^```([A-Za-z0-9_+-]*)[[:space:]]*$'
directive_re='^<!-- doc-test: (.*) -->[[:space:]]*$'

# Directives of the block whose fence is on line $1 (1-based), from the line before it.
parse_directives() {
  d_skip=0 d_reason="" d_exit="" d_file="" d_imports=()
  local before=$(($1 - 2)) text part
  ((before >= 0)) || return 0
  [[ ${L[before]} =~ $directive_re ]] || return 0
  text=${BASH_REMATCH[1]}
  IFS=';' read -ra parts <<<"$text"
  for part in "${parts[@]}"; do
    part=$(sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$part")
    if [[ $part =~ ^skip([[:space:]]+(.*))?$ ]]; then
      d_skip=1 d_reason=${BASH_REMATCH[2]}
    elif [[ $part =~ ^exit[[:space:]]+([0-9]+)$ ]]; then
      d_exit=${BASH_REMATCH[1]}
    elif [[ $part =~ ^file[[:space:]]+([^[:space:]]+)[[:space:]]+from[[:space:]]+([^[:space:]]+)$ ]]; then
      d_imports+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]}")
    elif [[ $part =~ ^file[[:space:]]+([^[:space:]/]+)$ ]]; then
      d_file=${BASH_REMATCH[1]}
    else
      fail "$page:$1: unknown doc-test directive '$part'"
    fi
  done
}

# Prints the body of the block that Markdown file $1 saves as $2 (`file $2`); fails if none.
block_named() {
  local other=$1 name=$2 found=0 in=0 line
  local want="(^|;)[[:space:]]*file[[:space:]]+${name//./\\.}[[:space:]]*(;|$)"
  local previous=""
  while IFS= read -r line || [[ -n $line ]]; do
    if ((in)); then
      [[ $line == '```' ]] && return 0
      printf '%s\n' "$line"
    elif [[ $line =~ $fence_re && $previous =~ $directive_re ]]; then
      [[ ${BASH_REMATCH[1]} =~ $want ]] && in=1 found=1
    fi
    previous=$line
  done <"$other"
  ((found)) && return 0
  return 1
}

import_files() { # $1: line of the fence
  local entry name from
  for entry in "${d_imports[@]}"; do
    name=${entry%% *} from=${entry#* }
    if ! block_named "$(dirname "$DOC")/$from" "$name" >"$WORKDIR/$name" 2>/dev/null; then
      fail "$page:$1: 'file $name from $from': $from has no block saved as $name"
    fi
  done
}

# Runs cartsim in WORKDIR; sets rc and out.
run_cartsim() {
  out=$(cd "$WORKDIR" && "$CARTSIM" "$@" 2>&1 </dev/null)
  rc=$?
}

scenarios=0 fragments=0 transcripts=0 commands=0 skipped=0 skipped_list=""

# A ```yaml block: $1 fence line, body in the array B.
yaml_block() {
  local fence=$1 file
  if ((d_skip)); then
    fragments=$((fragments + 1))
    return
  fi
  if [[ -n $d_file ]]; then
    file=$d_file
  else
    file=.doc-test/line$fence.yaml
    printf '%s\n' "${B[@]}" >"$WORKDIR/$file"
  fi
  if ! grep -Eq '^(model|manufacturing):' "$WORKDIR/$file"; then
    fragments=$((fragments + 1))
    return
  fi
  scenarios=$((scenarios + 1))
  local run_exit=${d_exit:-0} check_exit=0
  [[ $run_exit == 2 ]] && check_exit=2
  run_cartsim check "$file"
  if [[ $rc != "$check_exit" ]]; then
    fail "$page:$fence: 'cartsim check' on the example exits $rc, expected $check_exit:
$out"
  fi
  run_cartsim run "$file" -o ".doc-test/out$fence" -q
  if [[ $rc != "$run_exit" ]]; then
    fail "$page:$fence: 'cartsim run' on the example exits $rc, expected $run_exit:
$out"
  fi
}

# A transcript: $1 fence line, body in the array B.
transcript() {
  local fence=$1 k=-1 i line number
  local -a cmd_text=() cmd_line=()
  import_files "$fence"
  for i in "${!B[@]}"; do
    line=${B[i]} number=$((fence + 1 + i))
    if [[ $line == '$ '* ]]; then
      k=$((k + 1))
      cmd_text[k]=${line#'$ '}
      cmd_line[k]=$number
      : >"$meta/t$fence.$k.shown"
    elif ((k < 0)); then
      [[ -n ${line//[[:space:]]/} ]] &&
        fail "$page:$number: a transcript line before the first '\$ ' command: $line"
    else
      printf '%s\t%s\n' "$number" "$line" >>"$meta/t$fence.$k.shown"
    fi
  done
  transcripts=$((transcripts + 1))
  commands=$((commands + k + 1))
  # One bash script for the block, so that `$?` carries over.
  local script=$meta/t$fence.sh command
  {
    printf 'cd %q || exit 99\n' "$WORKDIR"
    printf 'cartsim() { (exec -a cartsim %q "$@"); }\n' "$CARTSIM"
    printf '__rc=0\n'
    for i in "${!cmd_text[@]}"; do
      command=$(sed -E -e "s#(^|[[:space:]=<>])/tmp/#\\1${WORKDIR}/tmp/#g" \
        -e "s#(^|[[:space:];|&(])\\./build/release/#\\1${BUILD_DIR}/#g" <<<"${cmd_text[i]}")
      # shellcheck disable=SC2016  # $__rc and $? are for the generated script to expand
      printf '(exit $__rc); {\n%s\n} >%q 2>&1 </dev/null; __rc=$?; echo $__rc >%q\n' \
        "$command" "$meta/t$fence.$i.out" "$meta/t$fence.$i.rc"
    done
  } >"$script"
  mkdir -p "$WORKDIR/tmp"
  bash "$script"
  local rc expected next shown_error diffs
  for i in "${!cmd_text[@]}"; do
    rc=$(cat "$meta/t$fence.$i.rc" 2>/dev/null || echo "none")
    next=$((i + 1))
    expected=0
    shown_error=0
    grep -Eq $'\t''(.*error: |cartsim: failed: |Run with --help for more information\.$)' \
      "$meta/t$fence.$i.shown" && shown_error=1
    if [[ ${cmd_text[next]:-} =~ ^echo\ \$\?[[:space:]]*$ ]]; then
      expected=$(grep -Ev $'\t''[[:space:]]*$' "$meta/t$fence.$next.shown" | head -1 | cut -f2)
    elif ((shown_error)); then
      if [[ -z $d_exit ]]; then
        fail "$page:${cmd_line[i]}: '\$ ${cmd_text[i]}' shows an error, but the block says no exit code: add '<!-- doc-test: exit N -->' before the fence or an '\$ echo \$?'"
        expected=$rc
      else
        expected=$d_exit
      fi
    fi
    if [[ $rc != "$expected" ]]; then
      fail "$page:${cmd_line[i]}: '\$ ${cmd_text[i]}' exited $rc, expected $expected; its output:
$(cat "$meta/t$fence.$i.out")"
    fi
    # Shown lines missing from the actual output; and, unless a `...` line says the shown output
    # is abbreviated, actual lines that are not shown.
    diffs=$(awk -F'\t' '
      FILENAME == ARGV[1] { if ($0 !~ /^[[:space:]]*$/) actual[++n] = $0; has[$0]; next }
      { text = substr($0, length($1) + 2) }
      text ~ /^[[:space:]]*\.\.\.$/ { abbreviated = 1; next }
      text ~ /^[[:space:]]*$/ { next }
      { shown[text] }
      !(text in has) { print "  shown (line " $1 ") but not printed: " text }
      END {
        if (abbreviated) exit
        for (k = 1; k <= n; k++) if (!(actual[k] in shown)) print "  printed but not shown: " actual[k]
      }' <(normalise <"$meta/t$fence.$i.out") <(normalise <"$meta/t$fence.$i.shown"))
    if [[ -n $diffs ]]; then
      fail "$page:${cmd_line[i]}: '\$ ${cmd_text[i]}': the output differs from the page (after normalising):
$diffs
the whole output (normalised):
$(normalise <"$meta/t$fence.$i.out" | sed 's/^/  | /')"
    fi
  done
}

mapfile -t L <"$DOC"
n=${#L[@]}
i=0
while ((i < n)); do
  line=${L[i]}
  if [[ $line =~ $fence_re ]]; then
    lang=${BASH_REMATCH[1]}
    fence=$((i + 1))
    B=()
    j=$((i + 1))
    while ((j < n)) && [[ ${L[j]} != '```' ]]; do
      B+=("${L[j]}")
      j=$((j + 1))
    done
    if ((j >= n)); then
      fail "$page:$fence: the block is not closed"
      break
    fi
    parse_directives "$fence"
    if [[ -n $d_file ]]; then
      printf '%s\n' "${B[@]}" >"$WORKDIR/$d_file"
    fi
    is_transcript=0
    for b in "${B[@]}"; do [[ $b == '$ '* ]] && is_transcript=1 && break; done
    if [[ $lang == yaml ]]; then
      import_files "$fence"
      yaml_block "$fence"
    elif ((is_transcript)); then
      if ((d_skip)); then
        skipped=$((skipped + 1))
        skipped_list+="  $page:$fence: transcript skipped: ${d_reason:-(no reason given)}"$'\n'
      else
        transcript "$fence"
      fi
    elif ((d_skip)) || [[ -n $d_exit ]]; then
      fail "$page:$fence: 'skip' or 'exit' on a block that is neither yaml nor a transcript"
    fi
    i=$((j + 1))
    continue
  fi
  if [[ $line =~ $directive_re ]] && ! [[ ${L[i + 1]:-} =~ $fence_re ]]; then
    fail "$page:$((i + 1)): a doc-test directive that is not on the line before a fence"
  fi
  i=$((i + 1))
done

printf '%s' "$skipped_list"
echo "$page: $scenarios scenario(s) checked and run, $fragments fragment(s) not run;" \
  "$transcripts transcript(s) with $commands command(s) run and their output compared," \
  "$skipped transcript(s) skipped"
if ((failures > 0)); then
  echo "$page: $failures failure(s)" >&2
  exit 1
fi
