"""API operations of this app, mounted by gonghui/api.py."""

from ninja import Router

router = Router()
