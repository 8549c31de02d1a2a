"""A county federation publishing courses and a railway depot's reading room (南机·智慧书房)
on the shared test tree: union_a holds the room, union_b is the neighbouring town's."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from gonghui.learning.domain import catalogue, library, practice
from gonghui.learning.enums import CourseState, LessonKind, PriceClass, VideoState
from gonghui.learning.models import Video
from gonghui.training.enums import Level
from gonghui.training.models import Skill


@pytest.fixture
def world(county, tmp_path, settings):
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"
    staff = county.users["federation_staff"]
    welder = Skill.objects.get(name="焊工")
    bank = practice.create_bank(
        county.county,
        actor=staff,
        title="焊工初级题库",
        skill=welder,
        level=Level.L5,
        exam_size=4,
        exam_minutes=20,
        pass_mark=75,
    )
    course = catalogue.create_course(
        county.county,
        actor=staff,
        title="焊接安全",
        skill=welder,
        level=Level.L5,
        hours=Decimal("2.0"),
        price_class=PriceClass.SUBSIDISED,
        list_price=Decimal("199.00"),
        subsidy_percent=80,
        subsidy_rule="在会会员由市人社局补贴80%",
    )
    chapter = catalogue.add_chapter(course, actor=staff, title="第一章")
    video = Video.objects.create(
        org_unit=county.county,
        title="v",
        size=1,
        received=1,
        duration=100,
        state=VideoState.READY,
        hls_prefix="hls/x",
    )
    lesson = catalogue.add_lesson(
        chapter, actor=staff, title="焊前检查", kind=LessonKind.VIDEO, video=video
    )
    doc = catalogue.add_lesson(
        chapter,
        actor=staff,
        title="安全守则",
        kind=LessonKind.DOCUMENT,
        document="佩戴护目镜。",
        duration=60,
    )
    course = catalogue.transition_course(course, actor=staff, to=CourseState.PUBLISHED)
    room = library.create_room(
        county.union_a,
        actor=county.users["union_officer_a"],
        name="南机·智慧书房",
        loan_days=30,
        max_renewals=1,
    )
    return SimpleNamespace(
        county=county,
        staff=staff,
        welder=welder,
        bank=bank,
        course=course,
        chapter=chapter,
        lesson=lesson,
        doc=doc,
        video=video,
        room=room,
        officer=county.users["union_officer_a"],
        worker=county.worker_a,
    )


@pytest.fixture
def sip2_peer(tmp_path):
    """A real SIP2 server process; yields a function starting one with given options."""
    procs = []

    def start(items: list[str], *extra: str) -> str:
        listing = tmp_path / f"items{len(procs)}.txt"
        listing.write_text("".join(f"{b}\tbook {b}\n" for b in items), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gonghui.learning.sip2.peer",
                "--port",
                "0",
                "--items",
                str(listing),
                *extra,
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        procs.append(proc)
        line = proc.stdout.readline()
        assert line.startswith("listening"), line
        return f"127.0.0.1:{int(line.split()[1])}"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)
