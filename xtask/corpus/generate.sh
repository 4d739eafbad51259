#!/usr/bin/env bash
# Regenerates specs/*.json from apps/ (pydantic v2) and apps_v1/ (pydantic v1)
# with the pinned FastAPI versions, in throwaway virtual environments.
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
mkdir -p "$here/specs"
for flavour in v2 v1; do
    if [[ $flavour == v2 ]]; then reqs=requirements.txt apps=apps; else reqs=requirements-v1.txt apps=apps_v1; fi
    python3 -m venv "$work/$flavour"
    "$work/$flavour/bin/pip" install --quiet --disable-pip-version-check -r "$here/$reqs"
    "$work/$flavour/bin/python" "$here/dump.py" "$here/$apps"/*.py
done
if [[ "${1:-}" == "--check" ]]; then
    diff -ru "$out" "$here/specs" && echo "corpus specs are up to date"
fi
