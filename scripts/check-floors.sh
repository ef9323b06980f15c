#!/usr/bin/env bash
# Checks ARCHITECTURE.md's floors: a module may include only modules on lower floors (and
# itself). Prints each violation as FILE:LINE and exits 1 when there is any.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A floor=(
  [common]=0 [rules]=1 [storage]=2 [crypto]=2 [http]=2 [audit]=3 [notify]=3 [access]=4
  [registry]=5 [programs]=6 [payments]=7 [services]=7 [grievance]=7 [metrics]=8 [api]=9
  [interop]=9 [app]=10 [sim]=0
)
bad=0
for dir in src/*/; do
  mod=$(basename "$dir")
  [[ -n "${floor[$mod]:-}" ]] || { echo "unknown module $mod: add it to scripts/check-floors.sh"; bad=1; continue; }
  mine=${floor[$mod]}
  while IFS= read -r hit; do
    file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}
    inc=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$rest")
    [[ "$inc" == "$mod" ]] && continue
    theirs=${floor[$inc]:-}
    [[ -n "$theirs" ]] || continue
    # sim (floor 0) may use common only; anyone may use sim only from app, tests and benches.
    if [[ "$mod" == sim && "$inc" != common ]] || [[ "$inc" == sim && "$mod" != app ]] ||
       [[ "$mod" != sim && "$inc" != sim && "$theirs" -ge "$mine" ]]; then
      echo "$file:$line: $mod (floor $mine) includes $inc (floor $theirs)"
      bad=1
    fi
  done < <(grep -rn --include='*.h' --include='*.cc' -E '^#include "[a-z_]+/' "$dir" | grep -v '_test\.cc:' || true)
done
exit $bad
