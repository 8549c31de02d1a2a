"""manage.py demo lives at project level and asks each app for its part, in order."""

from gonghui.demo import parts


def test_every_app_with_demo_data_takes_part_in_order():
    assert [(order, label) for order, label, _module in parts()] == [
        (10, "orgs"),
        (20, "training"),
        (30, "evaluation"),
        (40, "insight"),
        (50, "reform"),
        (60, "mutualaid"),
        (70, "mentorship"),
        (80, "contests"),
        (90, "network"),
        (100, "learning"),
        (200, "integration"),
    ]


def test_the_command_is_the_project_level_one():
    from django.core.management import get_commands

    assert get_commands()["demo"] == "gonghui.demo"
