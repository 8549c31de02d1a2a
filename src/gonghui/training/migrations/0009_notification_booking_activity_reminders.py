# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reminders of service bookings and activities get their own kinds (预约提醒, 活动提醒)
instead of the training session's 开课提醒; the service network's reminders already sent
(their links lead to /network/) are relabelled, in batches."""

from django.db import migrations, models

BATCH = 1000


def relabel(apps, schema_editor, *, pairs):
    Notification = apps.get_model("training", "Notification")
    for old, new, test in pairs:
        qs = Notification.objects.filter(kind=old, **test).order_by("pk")
        while True:
            pks = list(qs.values_list("pk", flat=True)[:BATCH])
            if not pks:
                break
            Notification.objects.filter(pk__in=pks).update(kind=new)


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, pairs=[
        ("reminder", "activity_reminder", {"url__startswith": "/network/activities/"}),
        ("reminder", "booking_reminder", {"url__startswith": "/network/"}),
    ])  # fmt: skip


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, pairs=[
        ("activity_reminder", "reminder", {}),
        ("booking_reminder", "reminder", {}),
    ])  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0008_trainer_qualifications_proposal_invites_outcomes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("enrolled", "报名成功"),
                    ("waitlisted", "进入候补"),
                    ("promoted", "候补转正"),
                    ("cancelled", "报名已取消"),
                    ("reminder", "开课提醒"),
                    ("booking_reminder", "预约提醒"),
                    ("activity_reminder", "活动提醒"),
                    ("plan_changed", "培训变更"),
                    ("plan_cancelled", "培训取消"),
                    ("evaluation", "培训评价"),
                    ("demand_plan", "需求进展"),
                ],
                max_length=20,
                verbose_name="类型",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
