#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts meson test results from one or more testlog.json files and prints
'N passed, N failed, N skipped'. Exits 1 if anything failed or nothing ran."""
import json
import sys

PASS = {"OK", "EXPECTEDFAIL"}
SKIP = {"SKIP"}

passed = failed = skipped = 0
failures = []
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = [l for l in f if l.strip()]
    except OSError as e:
        print(f"test-summary: cannot read {path}: {e}", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        t = json.loads(line)
        r = t.get("result")
        if r in PASS:
            passed += 1
        elif r in SKIP:
            skipped += 1
        else:
            failed += 1
            failures.append(f"{t.get('name')} ({r})")

for f in failures:
    print(f"FAILED: {f}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
