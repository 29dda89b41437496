"""HiGHS objects for the planners, without the banner on stdout.

The first ``highspy.Highs()`` in a process prints a banner to stdout, in the middle of what the CLI
and the benchmark scripts print there. Every planner that uses HiGHS creates its objects here, so
the banner is swallowed once per process, whichever planner runs first.
"""

from __future__ import annotations

import os
import sys

import highspy

_banner_shown = False


def new_highs() -> highspy.Highs:
    """A fresh Highs object; the first one in the process is created with stdout sent to /dev/null."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    _banner_shown = True
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            return highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
