#!/usr/bin/env bash
# Makes the corpus's two Python environments in DIR: DIR/v2 (requirements.txt,
# pydantic v2, for apps/) and DIR/v1 (requirements-v1.txt, for apps_v1/), each
# with the pinned FastAPI and uvicorn.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:?usage: venvs.sh DIR}"
for flavour in v2 v1; do
    if [[ $flavour == v2 ]]; then reqs=requirements.txt; else reqs=requirements-v1.txt; fi
    python3 -m venv "$dir/$flavour"
    "$dir/$flavour/bin/pip" install --quiet --disable-pip-version-check -r "$here/$reqs"
done
