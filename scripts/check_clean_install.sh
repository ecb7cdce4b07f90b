#!/usr/bin/env bash
# `pip install .` in a new virtual environment, without requirements.txt, then the two smoke commands of issue 11.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q .
"$venv/bin/silian" --help >/dev/null
"$venv/bin/silian" catalog stats --json >/dev/null
echo "clean install OK: $venv"
