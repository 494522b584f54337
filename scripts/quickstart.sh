#!/usr/bin/env bash
# cartsim quick start: install what is missing, build in Release, then run or test.
#
#   bash scripts/quickstart.sh run [SCENARIO]   build the cartsim program only, run SCENARIO (default:
#                                               the default scenario) and write its HTML report
#   bash scripts/quickstart.sh test             build everything and run the whole test suite
#   bash scripts/quickstart.sh --help           this text (builds nothing)
#
# Works on a fresh Debian 12 machine as root (or with sudo). Idempotent: packages already present are
# not reinstalled and an up-to-date build is not rebuilt. Nothing is downloaded at build time.
# A relative SCENARIO path is taken from the directory you call the script from.
set -euo pipefail

usage() {
  sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
caller=$(pwd)
mode=${1:-run}
default_scenario="scenarios/examples/stein2019_typical.yaml"

case "$mode" in
  -h|--help|help)
    usage
    exit 0
    ;;
  run|test) ;;
  *)
    echo "quickstart.sh: unknown mode '$mode'" >&2
    usage >&2
    exit 2
    ;;
esac

# --- run mode: only what a run needs -----------------------------------------------------------
if [ "$mode" = run ]; then
  scenario=${2:-}
  if [ -z "$scenario" ]; then
    scenario="$root/$default_scenario"
  elif [[ "$scenario" != /* ]]; then
    scenario="$caller/$scenario"
  fi
  if [ ! -f "$scenario" ]; then
    echo "quickstart.sh: no scenario file '$scenario'" >&2
    exit 2
  fi
  "$here/install_deps.sh"
  cd "$root"
  jobs=${CARTSIM_JOBS:-2}
  if [ ! -f build/release/CMakeCache.txt ]; then
    cmake --preset release >/dev/null
  fi
  cmake --build --preset release -j "$jobs" --target cartsim
  name=$(basename "$scenario" .yaml)
  out="$root/results/$name"
  command=run
  if grep -q '^sensitivity:' "$scenario"; then
    command=sensitivity
  fi
  ./build/release/cli/cartsim "$command" "$scenario" -o "$out" --report
  echo
  echo "cartsim is $root/build/release/cli/cartsim; to call it as 'cartsim', run:"
  echo "  export PATH=\"$root/build/release/cli:\$PATH\""
  echo "(or install it: cmake --install $root/build/release --prefix \$HOME/.local)"
  echo "report: $out/report.html"
  exit 0
fi

# --- test mode ----------------------------------------------------------------------------------
"$here/install_deps.sh" test

cd "$root"
jobs=${CARTSIM_JOBS:-2}
if [ ! -f build/release/CMakeCache.txt ]; then
  cmake --preset release >/dev/null
fi
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"
