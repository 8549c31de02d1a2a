"""Permissions of the reform app (registered with orgs.rules)."""
