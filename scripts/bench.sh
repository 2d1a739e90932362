#!/usr/bin/env bash
# npm run bench [-- compare.sh options and targets]: the shared side-by-side benchmark
# (shared/bench/compare.sh) on this repository's committed HEAD. The shared folder sits
# beside the main checkout (../shared) or beside the folder of worktrees (../../shared).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for candidate in "$root/../shared/bench/compare.sh" "$root/../../shared/bench/compare.sh"; do
  if [[ -x "$candidate" ]]; then
    cd "$root"
    if [[ $# -eq 0 ]]; then set -- project floor drf; fi
    exec "$candidate" "$@"
  fi
done
echo "bench: shared/bench/compare.sh not found beside this checkout (../shared or ../../shared)" >&2
exit 1
