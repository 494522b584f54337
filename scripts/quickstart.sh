#!/usr/bin/env bash
# cartsim quick start: install what is missing, build in Release, then run or test.
#
#   bash scripts/quickstart.sh run [SCENARIO]   build and run SCENARIO (default: the default scenario)
#   bash scripts/quickstart.sh test             build and run the whole test suite (unit, CLI, validation)
#
# Works on a fresh Debian 12 machine as root (or with sudo). Idempotent: packages already present are
# not reinstalled and an up-to-date build is not rebuilt. Nothing is downloaded at build time.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
mode=${1:-run}
default_scenario="scenarios/examples/stein2019_typical.yaml"

"$here/install_deps.sh"

cd "$root"
jobs=${CARTSIM_JOBS:-2}
if [ ! -f build/release/CMakeCache.txt ]; then
  cmake --preset release >/dev/null
fi
cmake --build --preset release -j "$jobs"

case "$mode" in
  run)
    scenario=${2:-$default_scenario}
    name=$(basename "$scenario" .yaml)
    ./build/release/cli/cartsim run "$scenario" -o "results/$name"
    ;;
  test)
    ctest --preset release -j "$jobs"
    ;;
  *)
    echo "usage: bash scripts/quickstart.sh run [SCENARIO] | test" >&2
    exit 2
    ;;
esac
