"""The build cage: vetted sdists are built into wheels confined, and what they try is evidence.

`build_confined` (safepip.sandbox.cage) is the entry point; `available` (mechanisms) says what
this machine can enforce.
"""

from __future__ import annotations

from safepip.sandbox.cage import (
    CageBuildError,
    CageResult,
    UnconfinedBuildRefused,
    build_confined,
    unconfined_allowed,
)
from safepip.sandbox.mechanisms import Mechanisms, available

__all__ = ["CageBuildError", "CageResult", "Mechanisms", "UnconfinedBuildRefused", "available",
           "build_confined", "unconfined_allowed"]
