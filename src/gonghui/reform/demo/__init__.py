"""Demo data of the reform app, loaded by ``manage.py demo`` after evaluation."""


def build_reform_demo(*, seed: int, log=print) -> list[str]:
    """Load the demo; return summary lines for the command's output."""
    return []
