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
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

# litellm is in the bundle: `model test` against a fake OpenAI-compatible server on
# 127.0.0.1 (tests/fake_openai.py, run by this machine's python3 if it has one).
fake_url=""
if command -v python3 >/dev/null 2>&1 && [ -f tests/fake_openai.py ]; then
  python3 -c 'import sys, time; sys.path.insert(0, "tests"); from fake_openai import FakeOpenAI
s = FakeOpenAI(default="pong").start(); print(s.url, flush=True); time.sleep(900)' > "$work/fake.url" &
  server=$!
  for _ in $(seq 50); do [ -s "$work/fake.url" ] && break; sleep 0.2; done
  fake_url=$(head -1 "$work/fake.url")
fi

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
if [ -n "$fake_url" ]; then
  OPENAI_API_KEY=sk-fake step model test "$work/p" --model openai/fake-model --api-base "$fake_url"
else
  echo "skipped: model test (no python3 to run the fake model server)"
fi
step open "$work/p" --smoke 2> "$work/open.err" || { cat "$work/open.err" >&2; exit 1; }
cat "$work/open.err" >&2
if grep -E "qt\.svg|Cannot open file|Traceback" "$work/open.err"; then
  echo "error: the app logged resource warnings or a traceback" >&2
  exit 1
fi
echo "smoke: ok ($(du -sh "$app" | cut -f1) in $app)"
