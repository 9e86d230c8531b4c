#!/usr/bin/env bash
# Builds the self-contained Linux app folder dist/procedure-studio/ with PyInstaller:
# `dist/procedure-studio/procedure-studio` runs with no Python installed. The folder
# also holds the .desktop file and the icon (see packaging/README.md to install them).
# PYTHON picks the interpreter to freeze (default python3, the README's Python).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
venv=build/packaging-venv
started=$(date +%s)

# A venv of its own with the project installed non-editable: the frozen app gets the
# package data (icons, samples) exactly as a wheel ships it.
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q . "pyinstaller>=6.10"
"$venv/bin/python" -m pip install -q --force-reinstall --no-deps .   # this checkout, even at the same version

# litellm, imported while PyInstaller collects it, must not fetch its price list
export LITELLM_LOCAL_MODEL_COST_MAP=True
"$venv/bin/pyinstaller" --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/procedure-studio.spec

app=dist/procedure-studio
# Qt's translations of its own dialogs: the app is in English only.
rm -rf "$app"/_internal/PySide6/Qt/translations
cp packaging/procedure-studio.desktop "$app/"
cp packaging/icons/procedure-studio.svg packaging/icons/procedure-studio.png "$app/"

echo "built $app in $(( $(date +%s) - started )) s"
echo "size: $(du -sh "$app" | cut -f1) ($(find "$app" -type f | wc -l) files)"
