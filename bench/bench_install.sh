#!/usr/bin/env bash
# Wall time of `make demo` on a fresh clone: bootstrap uv, sync .venv, compile bytecode, run
# the four demo commands. Prints one line per run (seconds, packages installed, load average).
# usage: bench/bench_install.sh <commit> [cold]
#   cold: an empty UV_CACHE_DIR, so every wheel is downloaded from PyPI (pip's cache, used
#   to bootstrap uv when it is not on PATH, is left as is).
set -euo pipefail
commit=$1
cold=${2:-}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/clone"
git -C "$work/clone" checkout -q "$commit"
if [ -n "$cold" ]; then export UV_CACHE_DIR="$work/uv-cache"; fi
cd "$work/clone"
/usr/bin/time -f "%e" -o "$work/time" make demo >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
packages=$(ls .venv/lib/python*/site-packages | grep -c 'dist-info$')
echo "commit=$commit cache=${cold:-warm} make_demo_s=$(tail -1 "$work/time") packages=$packages" \
  "load=$(cut -d' ' -f1-3 /proc/loadavg)"
