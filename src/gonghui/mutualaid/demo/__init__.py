"""Demo data of the mutual-aid app, loaded by ``manage.py demo`` after the county."""


def build_mutualaid_demo(*, seed: int, log=print) -> list[str]:
    """Load the demo; return summary lines for the command's output."""
    return []
