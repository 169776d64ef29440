#!/usr/bin/env bash
# Installs the Debian packages tr needs to build, test and run, when they are missing.
# Quiet and quick when everything is present: dpkg-query decides, apt-get runs only if needed.
# Usage: scripts/deps.sh [build|test|ci]   (test adds what the test suite uses; ci adds the same)
set -euo pipefail
mode=${1:-build}
pkgs=(build-essential cmake pkg-config
      libcli11-dev nlohmann-json3-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
      libre2-dev libyaml-cpp-dev libsimdjson-dev libmaxminddb-dev scdoc sqlite3
      libpugixml-dev libidn2-dev libpq-dev publicsuffix)
if [[ $mode != build ]]; then
  # The test suite: Catch2, jq for golden-case checks, python3 for the vendor API test servers,
  # clang + libFuzzer for fuzzing, and the real systems the tests enforce blocks on:
  # nftables (in a network namespace, iproute2), unbound with dig (RPZ), and headless chromium to
  # render tr-incident's HTML report; postgresql for the shared-store suite (a private server
  # started by the tests with initdb/pg_ctl, never the system service).
  pkgs+=(catch2 jq python3 procps iproute2 clang libclang-rt-14-dev nftables unbound dnsutils e2fsprogs chromium postgresql)
fi
missing=()
for p in "${pkgs[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $st == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=
if [[ $(id -u) != 0 ]]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
