"""Demo data of the evaluation app, loaded by ``manage.py demo`` after training."""


def build_evaluation_demo(*, seed: int, log=print) -> list[str]:
    """Load the demo; return summary lines for the command's output."""
    return []
