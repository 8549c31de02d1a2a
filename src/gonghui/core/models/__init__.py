# SPDX-License-Identifier: AGPL-3.0-or-later
from .audit import AuditEvent
from .jobs import Job, JobState, PeriodicRun

__all__ = ["AuditEvent", "Job", "JobState", "PeriodicRun"]
