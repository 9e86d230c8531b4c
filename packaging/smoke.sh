#!/usr/bin/env bash
# Smoke test of the built app folder (packaging/build.sh): the frozen executable, with
# no Python from this machine, runs --version, validate, run-all and open --smoke on a
# copy of the sample it bundles. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
app="${1:-dist/procedure-studio}"
exe="$app/procedure-studio"
[ -x "$exe" ] || { echo "error: $exe not found: run packaging/build.sh first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No Python on the PATH and no venv: the bundle must bring its own.
export PATH=/usr/bin:/bin
unset VIRTUAL_ENV PYTHONPATH PYTHONHOME
export STUDIO_HOME="$work/home" QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"

step() { echo "+ procedure-studio $*"; "$exe" "$@"; }

step --version
step new "$work/p" --sample food-delivery
step validate "$work/p"
step run-all "$work/p" --quiet --junit "$work/junit.xml"
grep -q '<testsuites' "$work/junit.xml"
step simulate "$work/p" damaged-photo-full-refund > "$work/simulate.txt"   # a code step: the sandbox worker
step open "$work/p" --smoke 2> "$work/open.err" || { cat "$work/open.err" >&2; exit 1; }
cat "$work/open.err" >&2
if grep -E "qt\.svg|Cannot open file|Traceback" "$work/open.err"; then
  echo "error: the app logged resource warnings or a traceback" >&2
  exit 1
fi
echo "smoke: ok ($(du -sh "$app" | cut -f1) in $app)"
