"""Demo data of the insight app, loaded by ``manage.py demo`` after evaluation."""


def build_insight_demo(*, seed: int, log=print) -> list[str]:
    """Load the demo; return summary lines for the command's output."""
    return []
