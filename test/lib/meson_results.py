#!/usr/bin/env python3
"""Turn a `meson test` JSON log into PASS/FAIL/SKIP lines and counts.

Usage: meson_results.py LOG.json [--catch2]
       meson_results.py --classify TESTS.json SUITE

--classify reads `meson introspect --tests` output and prints, for each test
of SUITE, "catch2 NAME" when its executable contains Catch2's command-line
parser (so `-r xml` can be passed to it) and "plain NAME" otherwise.

LOG.json is the file `meson test --logbase NAME` writes to
BUILD/meson-logs/NAME.json (one JSON object per test).

Without --catch2 every meson test counts once: OK/EXPECTEDFAIL pass, SKIP
(exit 77) skips, anything else (FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS) fails.

With --catch2 the tests were run with `--test-args='-r xml'`: each Catch2
TEST_CASE in the XML on stdout counts once (its <OverallResult success=...>).
If the XML is cut short (crash, abort, timeout) the cases that completed are
still counted and the interrupted one counts as failed; a binary that failed
without any failing case (e.g. crashed after the last case, or Catch2 itself
rejected its arguments) adds one failure. Output without a <Catch> root is
counted like a plain meson test.

Prints one line per failure/skip, one comment line per test binary, and last
`TOTAL: <passed> <failed> <skipped>`.
"""

import json
import re
import sys
import xml.etree.ElementTree as ET

PASS_RESULTS = {"OK", "EXPECTEDFAIL"}


def short(text, limit=300):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def failure_detail(case):
    """First failed expression or exception message inside a TestCase."""
    for expr in case.iter("Expression"):
        if expr.get("success") == "false":
            where = "%s:%s" % (expr.get("filename", "?"), expr.get("line", "?"))
            original = expr.findtext("Original", "").strip()
            expanded = expr.findtext("Expanded", "").strip()
            exc = expr.findtext("Exception", "").strip()
            text = "%s %s" % (where, original)
            if expanded and expanded != original:
                text += " with expansion " + expanded
            if exc:
                text += " threw " + exc
            return short(text)
    for tag in ("Exception", "FatalErrorCondition", "Failure"):
        node = case.find(".//" + tag)
        if node is not None:
            where = "%s:%s" % (node.get("filename", "?"), node.get("line", "?"))
            return short("%s %s: %s" % (where, tag, (node.text or "").strip()))
    return "failed"


def count_catch2_xml(text):
    """Returns (passed, failed, failures[(name, detail)]) or None if no XML."""
    start = text.find("<Catch")
    if start < 0:
        return None
    xml_start = text.rfind("<?xml", 0, start)
    body = text[xml_start if xml_start >= 0 else start :]
    end = body.rfind("</Catch>")
    passed = failed = 0
    failures = []
    if end >= 0:
        try:
            root = ET.fromstring(body[: end + len("</Catch>")])
        except ET.ParseError:
            root = None
        if root is not None:
            for case in root.iter("TestCase"):
                result = case.find("OverallResult")
                name = case.get("name", "?")
                if result is not None and result.get("success") == "true":
                    passed += 1
                else:
                    failed += 1
                    failures.append((name, failure_detail(case)))
            return passed, failed, failures
    # Truncated or mangled XML: scan test case starts and results in order.
    current = None
    for m in re.finditer(r'<TestCase name="([^"]*)"|<OverallResult success="(true|false)"', body):
        if m.group(1) is not None:
            if current is not None:
                failed += 1
                failures.append((current, "no result (output cut short)"))
            current = m.group(1)
        elif current is not None:
            if m.group(2) == "true":
                passed += 1
            else:
                failed += 1
                failures.append((current, "failed (output cut short; see the meson test log)"))
            current = None
    if current is not None:
        failed += 1
        failures.append((current, "interrupted: no result (crash or timeout)"))
    return passed, failed, failures


CATCH2_MARKER = b"--list-test-names-only"


def is_catch2(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return CATCH2_MARKER in data


def classify(tests_json, suite):
    with open(tests_json, encoding="utf-8") as f:
        tests = json.load(f)
    for t in tests:
        suites = [s.split(":", 1)[-1] for s in t.get("suite", [])]
        if suite not in suites:
            continue
        cmd = t.get("cmd") or [""]
        kind = "catch2" if is_catch2(cmd[0]) else "plain"
        print("%s %s" % (kind, t["name"]))
    return 0


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--classify":
        return classify(args[1], args[2])
    catch2 = "--catch2" in args
    paths = [a for a in args if not a.startswith("--")]
    if len(paths) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    tests = []
    try:
        with open(paths[0], encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if line:
                    tests.append(json.loads(line))
    except FileNotFoundError:
        pass
    total_p = total_f = total_s = 0
    for t in tests:
        name = t.get("name", "?")
        # "project:suite / test" (meson prints this form when several suites
        # exist) -> "suite/test"
        m = re.match(r"^[^:/ ]+:([^ ]+) / (.*)$", name)
        if m:
            name = "%s/%s" % (m.group(1), m.group(2))
        result = t.get("result", "ERROR")
        rc = t.get("returncode")
        duration = t.get("duration", 0.0)
        stdout = t.get("stdout") or ""
        counted = count_catch2_xml(stdout) if catch2 else None
        if counted is not None and counted[1]:
            print("# full output: %s.txt" % paths[0][: -len(".json")])
        if counted is None:
            if result in PASS_RESULTS:
                total_p += 1
                print("PASS: %s" % name)
            elif result == "SKIP":
                total_s += 1
                print("SKIP: %s: exit code 77" % name)
            else:
                total_f += 1
                print("FAIL: %s: %s (exit code %s)" % (name, result, rc))
                tail = (stdout + (t.get("stderr") or "")).strip().splitlines()[-15:]
                for l in tail:
                    print("#   " + l)
            continue
        p, fl, failures = counted
        for case, detail in failures:
            print("FAIL: %s/%s: %s" % (name, case, detail))
        if result not in PASS_RESULTS and fl == 0:
            fl += 1
            print("FAIL: %s: %s (exit code %s) although every test case passed" % (name, result, rc))
            tail = (t.get("stderr") or "").strip().splitlines()[-15:]
            for l in tail:
                print("#   " + l)
        total_p += p
        total_f += fl
        print("# %s: %d test cases passed, %d failed (%.2f s)" % (name, p, fl, duration))
    print("TOTAL: %d %d %d" % (total_p, total_f, total_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
