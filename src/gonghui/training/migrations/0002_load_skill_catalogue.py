# SPDX-License-Identifier: AGPL-3.0-or-later
"""Load the shipped skill catalogue (data/skills.json) into the database.

Self-contained on purpose: it uses the historical models from ``apps.get_model`` and
its own copy of the small loading loop, so later changes to the models or to
``domain/catalogue.py`` cannot break it. Idempotent: skills that exist (by name) are
left as they are, and synonyms that exist (by text) are skipped.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "skills.json"
BATCH = 500


def load(apps, schema_editor):
    Skill = apps.get_model("training", "Skill")
    SkillSynonym = apps.get_model("training", "SkillSynonym")
    entries = json.loads(DATA.read_text(encoding="utf-8"))["skills"]

    existing = set(Skill.objects.values_list("name", flat=True))
    Skill.objects.bulk_create(
        [
            Skill(
                name=e["name"],
                category=e["category"],
                occupation_code=e.get("occupation_code", ""),
                levels=e["levels"],
                description=e.get("description", ""),
                builtin=True,
            )
            for e in entries
            if e["name"] not in existing
        ],
        batch_size=BATCH,
    )
    ids = dict(Skill.objects.values_list("name", "pk"))
    taken = {t.lower() for t in SkillSynonym.objects.values_list("text", flat=True)}
    rows = []
    for e in entries:
        for text in e.get("synonyms", []):
            if text.lower() in taken:
                continue
            taken.add(text.lower())
            rows.append(SkillSynonym(skill_id=ids[e["name"]], text=text, source="builtin"))
    SkillSynonym.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_skills_demands_plans_enrolment"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
