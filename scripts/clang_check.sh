#!/usr/bin/env bash
# Syntax-check C++ files with clang (CI's sanitizer/fuzzer build uses clang 14, which refuses some
# code gcc accepts, e.g. a structured binding captured by a lambda). Uses the flags CMake recorded
# in build/compile_commands.json. Usage: scripts/clang_check.sh [FILE.cpp...]  (default: every
# .cpp changed against main, committed or not). Torch-linked files are skipped: CI builds those
# with gcc only.
set -euo pipefail
cd "$(dirname "$0")/.."
db=build/compile_commands.json
[[ -f $db ]] || { echo "clang_check: $db missing; run scripts/build.sh first" >&2; exit 2; }
if (($# == 0)); then
  mapfile -t files < <( { git diff --name-only main...HEAD; git diff --name-only; } | grep '\.cpp$' | sort -u)
else
  files=("$@")
fi
python3 - "$db" "${files[@]}" <<'PY'
import json, os, shlex, subprocess, sys
db = json.load(open(sys.argv[1]))
by_file = {os.path.realpath(e["file"]): e for e in db}
bad = 0
for f in sys.argv[2:]:
    if not os.path.exists(f):
        continue
    e = by_file.get(os.path.realpath(f))
    if e is None:
        print(f"clang_check: {f}: not in compile_commands.json (skipped)")
        continue
    args = shlex.split(e["command"]) if "command" in e else e["arguments"]
    if any("torch" in a for a in args):
        print(f"clang_check: {f}: torch-linked (skipped)")
        continue
    out = []
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a in ("-c", "-Wno-restrict", "-fno-semantic-interposition"):
            continue
        out.append(a)
    cmd = ["clang++-14", "-fsyntax-only", "-Wno-unknown-warning-option"] + [a for a in out if a != e["file"]] + [e["file"]]
    r = subprocess.run(cmd, cwd=e["directory"], capture_output=True, text=True)
    if r.returncode != 0:
        bad += 1
        print(f"clang_check: {f}: FAILED\n{r.stderr}")
    else:
        print(f"clang_check: {f}: ok")
sys.exit(1 if bad else 0)
PY
