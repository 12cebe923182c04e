"""How ``tracker serve`` stops (SIGTERM, Ctrl+C): it waits for the requests it is answering, a
bounded time, then cuts them off and says so in one line (``console.quiet_cut_off``)."""

from __future__ import annotations

from tracker.repository.process import seconds_from

# Seconds a stopping service waits for the requests it is answering: without a bound, one
# client that sent half a request's body held it up for ever (a restart hung until the
# supervisor killed it). Less than the 30 s an orchestrator such as Kubernetes gives.
GRACE_VARIABLE = "TRACKER_SHUTDOWN_SECONDS"
DEFAULT_GRACE = 20.0


def shutdown_grace() -> float:
    """``$TRACKER_SHUTDOWN_SECONDS``: 20 by default, else whole or decimal seconds, more than 0
    and less than a day (anything else is the operator's mistake: InputError)."""
    return seconds_from(GRACE_VARIABLE, DEFAULT_GRACE)
