# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data of the mutual-aid app, loaded by ``manage.py demo`` after the county.

Three programmes of the county federation (住院医疗互助, 重大疾病互助, 女职工特殊疾病互助)
over three yearly periods, group enrolments by grassroots unions (some members skip a
year, so consecutive runs differ), and a few hundred claims in every state — submitted,
at federation review, returned for a document, rejected, approved, in an exported batch,
paid — all written through the domain (validation, valuation, ledger, audit), each step
at its own date on the training demo's virtual clock.
"""

from .build import build_mutualaid_demo

__all__ = ["ORDER", "build", "build_mutualaid_demo"]


ORDER = 60  # gonghui.demo runs the parts in this order


def build(ctx) -> None:
    """This app's part of ``manage.py demo`` (``gonghui.demo.DemoContext``)."""
    ctx.lines += build_mutualaid_demo(seed=ctx.seed, log=ctx.log)
