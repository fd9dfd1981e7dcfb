#!/usr/bin/env bash
# Start-to-exit time of short `pql` commands on the demo (2,000 accounts), this checkout
# against an older commit, interleaved by farm-bench (A = this checkout, B = the base).
# Each side has its own copy of the demo store, so the compiled-SQL cache of one
# (.pql/sql-cache) never serves the other; farm-bench's warm-up run fills it (the figures
# are repeated commands: "cached compile").
# usage: bench/bench_cli.sh <base-commit> [runs]   (needs farm-bench and `make setup`)
set -euo pipefail
base=$1
runs=${2:-7}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$repo" archive "$base" src | tar -x -C "$work"
"$repo/.venv/bin/pql" demo --dir "$work/demo" --accounts 2000 >/dev/null
cp -r "$work/demo" "$work/demo-base"
rm -rf "$work/demo-base/.pql/sql-cache"
python="$repo/.venv/bin/python"
echo "base=$base runs=$runs load=$(cut -d' ' -f1-3 /proc/loadavg)"
for command in "--version" "check" "metrics --as-of 2026-11-01" \
  "leads --as-of 2026-11-01 --top 10" "qualify --as-of 2026-11-01 --limit 10"; do
  directory=""
  case $command in --version) ;; *) directory="-C" ;; esac
  echo "== pql $command"
  farm-bench -n "$runs" --timeout 600 \
    --vs "sh -c 'PYTHONPATH=$work/src exec $python -m pqlengine $command ${directory:+-C $work/demo-base}'" \
    -- sh -c "exec $python -m pqlengine $command ${directory:+-C $work/demo}" 2>&1 \
    | grep -E "^(A|B|A/B) (wall|cpu)"
done
