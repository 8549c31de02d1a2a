"""Permissions of the insight app (registered with orgs.rules)."""
