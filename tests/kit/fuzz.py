"""What every fuzz test shares: the time bound, and the one outcome allowed besides a result.

In CI each fuzz test runs `FUZZ_EXAMPLES` examples (default 60, derandomized: the same inputs
every run, a few seconds each); `bench/fuzz.py` runs them long and random by setting
SAFEPIP_FUZZ_EXAMPLES and SAFEPIP_FUZZ_RANDOM.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from hypothesis import HealthCheck, settings

from safepip.errors import ExitCode, SafepipError

T = TypeVar("T")

FUZZ_EXAMPLES = int(os.environ.get("SAFEPIP_FUZZ_EXAMPLES", "60"))

fuzz_settings = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,  # a slow example is a finding for the bench, not a flake in CI
    derandomize=not os.environ.get("SAFEPIP_FUZZ_RANDOM"),
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
    print_blob=True,
)


def result_or_clean_error(call: Callable[[], T]) -> T | SafepipError:
    """Run `call`: its result, or the SafepipError it raised, checked to be one a user can
    read (exit 2 or 3, a non-empty sentence). Any other exception propagates: a crash, which
    the command line would report as "failed unexpectedly"."""
    try:
        return call()
    except SafepipError as error:
        assert error.exit_code in (ExitCode.USAGE, ExitCode.INCOMPLETE), error
        assert error.message.strip(), "an error without a sentence"
        assert "Traceback" not in error.message
        return error
