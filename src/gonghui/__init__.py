# SPDX-License-Identifier: AGPL-3.0-or-later
"""Gonghui, a digital governance platform for Chinese trade-union federations."""

# The one place the version is written: pyproject.toml reads it for the package, towncrier for
# CHANGELOG.md, and `gonghui --version` prints it. Raised by each release (CONTRIBUTING.md).
__version__ = "0.1.0"
