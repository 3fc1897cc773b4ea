"""Run pytest; "no tests collected" (exit 5) is a failure for us, said plainly."""

import sys

import pytest

code = pytest.main(sys.argv[1:])
if code == pytest.ExitCode.NO_TESTS_COLLECTED:
    print("pytest collected no tests: that is a failure here", file=sys.stderr)
    code = 1
sys.exit(int(code))
