#!/usr/bin/env bash
# Regenerates specs/*.json from apps/ (pydantic v2) and apps_v1/ (pydantic v1)
# with the pinned FastAPI versions, in throwaway virtual environments (or in
# those of venvs.sh named by TOKEN_BOWL_CORPUS_VENVS).
# `generate.sh --check` fails when a committed spec differs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$here/specs"
if [[ "${1:-}" == "--check" ]]; then
    cp -r "$here" "$work/copy"
    here="$work/copy"
fi
venvs="${TOKEN_BOWL_CORPUS_VENVS:-}"
if [[ -z $venvs ]]; then
    venvs="$work/venvs"
    bash "$here/venvs.sh" "$venvs"
fi
mkdir -p "$here/specs"
"$venvs/v2/bin/python" "$here/dump.py" "$here/apps"/*.py
"$venvs/v1/bin/python" "$here/dump.py" "$here/apps_v1"/*.py
if [[ "${1:-}" == "--check" ]]; then
    diff -ru "$out" "$here/specs" && echo "corpus specs are up to date"
fi
