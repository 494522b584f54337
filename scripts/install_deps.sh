#!/usr/bin/env bash
# Installs the Debian 12 packages cartsim needs to build and run, only those that are missing;
# `install_deps.sh test` adds what the tests need (Chromium for the report's browser tests).
# A second run installs nothing. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  g++ make cmake git                 # toolchain
  libsundials-dev                    # CVODE 6.4
  libboost-dev                       # odeint, math (root finding), random (Sobol)
  libeigen3-dev                      # matrices and vectors
  libyaml-cpp-dev                    # scenario files
  libcli11-dev libfmt-dev            # command line, formatting
  nlohmann-json3-dev                 # run.json provenance
  librandom123-dev                   # counter-based random streams (Philox)
  libssl-dev                         # SHA-256 of the scenario text (libcrypto)
  libsbml5-dev                       # SBML import and export of models (libSBML 5.19)
  libjs-vega                         # the HTML report's plots (Vega 5, embedded at build time)
  catch2                             # unit tests (2.13)
)
if [ "${1:-}" = test ]; then
  packages+=(chromium)               # browser tests of the HTML report (headless)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "cartsim: installing missing packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "cartsim: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
