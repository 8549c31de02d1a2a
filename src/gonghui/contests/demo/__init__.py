# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data of the contests app at the seed articles' real figures, replayed on the
virtual clock:

- 沈阳市服务业工会's first online fun sports meet (2021): 100 member-holding unions in the
  industry union, 99 registered, 87 uploaded videos (87 %), 1,580 workers taking part
  against 1,000-odd at the 2020 outdoor meet; 中国银行沈阳分行's own selection (17 teams
  from 13 branches, top 3 sent on) as a nested contest; results published.
- 北京市总工会's 13th workers' arts festival dance contest (2022): 42 works from 42 units
  in the semi-final, 7 judges (one declares a conflict), 18 finalists, gold 2, silver 4,
  bronze 6, excellent 6, published.
- A 海盐 meet open for registration now, so the demo union officer can register and
  upload from a phone.

Registration, judging's declarations, rounds, awards and publication go through the
domain; the judges' marks and the videos' rows are bulk-inserted (one audit row per
judge and round), and every ready video is a sealed copy of one short FFmpeg test clip.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import subprocess
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.clock import virtual_time
from gonghui.core.domain import audit
from gonghui.core.validators import id_check_char
from gonghui.orgs.domain.access import assign_role
from gonghui.orgs.domain.people import id_digest_for
from gonghui.orgs.enums import OrgKind, Role
from gonghui.orgs.models import Membership, OrgUnit, Person

from ..domain import contests, judging, presets, registration, results, videos
from ..enums import ContestState, EventKind, RoundKind, VideoState
from ..models import Contest, Entry, Judge, Score, Video

TZ = timezone.get_fixed_timezone(8 * 60)
N_UNITS = 100  # member-holding unions of 沈阳市服务业工会
REGISTERED, UPLOADED, PARTICIPANTS = 99, 87, 1580
BANK_TEAMS, BANK_BRANCHES, BANK_SEND_ON = 17, 13, 3
DANCE_WORKS, FINALISTS, JUDGES = 42, 18, 7
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌鑫宇浩然欣怡子涵"
TRADES = ["商贸", "酒店", "餐饮", "物流", "银行", "保险", "物业", "旅游", "通信", "家政"]


def _at(y, m, d, h=10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


class _People:
    """Synthetic members with valid-by-checksum ID numbers of a chosen division."""

    def __init__(self, rng: random.Random, division: str):
        self.rng, self.division, self.seen = rng, division, set()

    def make(self, n: int, *, sex: str | None = None) -> list[Person]:
        out = []
        for _ in range(n):
            s = sex or ("M" if self.rng.random() < 0.55 else "F")
            birth = dt.date(self.rng.randint(1966, 2000), 1, 1) + dt.timedelta(
                days=self.rng.randrange(365)
            )
            while True:
                order = self.rng.randrange(0, 500) * 2 + (1 if s == "M" else 0)
                body = f"{self.division}{birth:%Y%m%d}{order:03d}"
                if body not in self.seen:
                    self.seen.add(body)
                    break
            number = body + id_check_char(body)
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
            )
            digest = id_digest_for("resident", number)
            out.append(Person(name=name, id_number=number, sex=s, birth_date=birth,
                              id_digest=digest, ethnicity="汉族"))  # fmt: skip
        return out


def _enrol(people: list[Person], unit: OrgUnit, joined: dt.date) -> list[Person]:
    Person.objects.bulk_create(people, batch_size=500)
    Membership.objects.bulk_create(
        [Membership(person=p, union=unit, joined_on=joined, person_name=p.name) for p in people],
        batch_size=500,
    )
    return people


def _enrol_many(pairs: list, joined: dt.date) -> None:
    """(unit, people) pairs: every person saved and a member of their unit, in bulk."""
    Person.objects.bulk_create([p for _u, ppl in pairs for p in ppl], batch_size=500)
    Membership.objects.bulk_create(
        [Membership(person=p, union=u, joined_on=joined, person_name=p.name)
         for u, ppl in pairs for p in ppl],
        batch_size=500,
    )  # fmt: skip


def _unit(parent, name, kind, short=""):
    from gonghui.orgs.domain.units import create_org_unit

    return create_org_unit(parent, name=name, kind=kind, actor=SYSTEM, short_name=short)


def _accounts(specs, password_hash):
    User = get_user_model()
    users = {}
    for username, mobile, display, role, unit in specs:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display, password=password_hash)
            user.set_mobile(mobile)
            user.save()
            if role:
                assign_role(user, role=role, org_unit=unit, actor=SYSTEM)
        users[username] = user
    return users


def _sample_clip(directory: Path) -> Path | None:
    """A two-second test clip made by the wheel's FFmpeg (None if it cannot)."""
    out = directory / "sample.mp4"
    try:
        subprocess.run(  # noqa: S603 - fixed arguments
            [videos.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
             "testsrc=duration=2:size=320x240:rate=10", "-pix_fmt", "yuv420p", "-y", str(out)],
            check=True, timeout=60, capture_output=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out


class _Videos:
    """Ready videos for entries: rows in bulk, each file a sealed copy of the sample."""

    def __init__(self, clip: Path | None):
        self.clip = clip
        self.poster = b""
        self.duration = None
        if clip is not None:
            self.duration, self.poster = videos.probe(clip)

    def add(self, entries: list[Entry], at: dt.datetime, rng: random.Random, actor) -> None:
        rows = []
        for e in entries:
            size = self.clip.stat().st_size if self.clip else 1
            rows.append(Video(
                key=secrets.token_hex(16), entry=e, round=e.round, filename=f"{e.number:03d}.mp4",
                length=size, offset=size, state=VideoState.READY, duration=self.duration,
                has_poster=bool(self.poster),
                completed_at=at - dt.timedelta(minutes=rng.randrange(9000)),
                content_type="video/mp4", uploaded_by=actor if hasattr(actor, "_meta") else None,
            ))  # fmt: skip
        Video.objects.bulk_create(rows, batch_size=500)
        if self.clip is None:
            return
        from gonghui.core import crypto

        for v in rows:
            videos.seal_file(self.clip, videos.sealed_path(v), key=v.key, length=v.length)
            if self.poster:
                videos.poster_path(v).write_bytes(
                    crypto.encrypt_bytes(self.poster, context=f"{v.key}:poster".encode())
                )


def _judges(event, users, actor, *, conflicts=None) -> list[Judge]:
    out = []
    for user in users:
        j = judging.invite_judge(event, actor=actor, user=user, name=user.display_name)
        out.append(
            judging.declare_conflicts(j, actor=user, units=(conflicts or {}).get(user.pk, []))
        )
    return out


def _bulk_scores(judges, entries, rnd, quality, rng, *, measured=False):
    """Every judge's marks of every entry they may score (conflicts skipped)."""
    rows = []
    for j in judges:
        paths = judging.conflict_paths(j)
        severity = rng.gauss(0, 3)
        criteria = [] if measured else list(j.event.criteria.all())
        for e in entries:
            if judging.in_conflict(paths, e.unit.path):
                continue
            q = quality[e.pk]
            if measured:
                value = max(0, round(q + rng.choice((0, 0, 0, 1, -1))))
                rows.append(Score(entry=e, round=rnd, judge=j, criterion=None, value=value))
                continue
            for c in criteria:
                v = min(100.0, max(0.0, q + severity + rng.gauss(0, 2.5)))
                rows.append(Score(entry=e, round=rnd, judge=j, criterion=c, value=round(v * 2) / 2))
        audit.record("contests.score.import", actor=SYSTEM, obj=j.event.contest,
                     after={"judge": j.pk, "round": rnd.pk, "entries": len(entries)})  # fmt: skip
    Score.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _split(rng, total: int, parts: int, lo: int, hi: int) -> list[int]:
    """``parts`` sizes within [lo, hi] summing to ``total``."""
    sizes = [lo] * parts
    left = total - lo * parts
    while left > 0:
        i = rng.randrange(parts)
        if sizes[i] < hi:
            sizes[i] += 1
            left -= 1
    return sizes


def build_sports_meet(rng, password_hash, clip) -> dict:
    city = _unit(None, "沈阳市总工会", OrgKind.CITY, "沈阳总工会")
    industry = _unit(city, "沈阳市服务业工会", OrgKind.INDUSTRY, "服务业工会")
    bank = _unit(industry, "中国银行沈阳分行工会", OrgKind.JOINT, "中行沈阳分行")
    branches = [_unit(bank, f"中国银行沈阳{n}支行工会", OrgKind.GRASSROOTS, f"{n}支行")
                for n in ("和平", "沈河", "皇姑", "大东", "铁西", "浑南", "于洪", "沈北", "苏家屯",
                          "辽中", "新民", "康平", "法库")][:BANK_BRANCHES]  # fmt: skip
    names = set()
    units = [bank]
    while len(units) < N_UNITS:
        name = (
            f"沈阳{rng.choice(['盛京', '北方', '东方', '中兴', '华润', '万达', '新世界', '恒隆'])}"
        )
        name += f"{rng.choice(TRADES)}{rng.choice(['有限公司', '集团', '股份公司'])}"
        if name in names:
            name = f"{name}{len(units)}"
        names.add(name)
        units.append(_unit(industry, f"{name}工会", OrgKind.GRASSROOTS, name[:8]))
    users = _accounts([
        ("shenyang_staff", "13900000010", "赵文静", Role.FEDERATION_STAFF, industry),
        ("bank_officer", "13900000011", "韩立新", Role.UNION_OFFICER, bank),
        *((f"judge{i}", f"139000000{20 + i}", f"评委{i}", None, None)
          for i in range(1, JUDGES + 1)),
    ], password_hash)  # fmt: skip
    staff, bank_officer = users["shenyang_staff"], users["bank_officer"]
    judges = [users[f"judge{i}"] for i in range(1, JUDGES + 1)]
    maker = _People(rng, "210102")
    clock_at = _at(2021, 4, 6)
    with virtual_time(timezone.now()) as clock:
        clock.set(clock_at)
        meet = contests.create_contest(
            industry, actor=staff, name="沈阳市服务业工会首届职工线上趣味运动会",
            notice="各基层工会可先行组织内部选拔，择优报送；以视频方式线上参赛。",
            cohosts="", previous_label="2020年户外运动会", previous_participants=1000,
            **presets.preset("sports", _at(2021, 5, 20, 18)),
        )  # fmt: skip
        contests.transition(meet, actor=staff, to=ContestState.REGISTRATION)
        ev = {e.name: e for e in meet.events.all()}
        # The bank's selection: 17 跳绳 teams of 6 from 13 branches, top 3 sent on.
        clock.set(_at(2021, 4, 12))
        sel = contests.create_selection(
            meet, bank, actor=bank_officer, send_on=BANK_SEND_ON,
            rounds=[contests.RoundIn("行内选拔", RoundKind.SELECTION, 0, _at(2021, 4, 30, 18),
                                     _at(2021, 5, 5, 18))],
        )  # fmt: skip
        contests.transition(sel, actor=bank_officer, to=ContestState.REGISTRATION)
        rope_sel = sel.events.get(name="跳绳")
        teams = [maker.make(6) for _ in range(BANK_TEAMS)]
        _enrol_many([(branches[i % BANK_BRANCHES], t) for i, t in enumerate(teams)],
                    dt.date(2015, 3, 1))  # fmt: skip
        sel_entries = registration.register_entries(sel, actor=bank_officer, rows=[
            registration.EntryIn(
                rope_sel, branches[i % BANK_BRANCHES], team,
                f"{branches[i % BANK_BRANCHES].short_name}{'一二'[i // BANK_BRANCHES]}队",
            )
            for i, team in enumerate(teams)
        ])  # fmt: skip
        clip_videos = _Videos(clip)
        clip_videos.add(sel_entries, _at(2021, 4, 28), rng, bank_officer)
        sel_judges = _judges(rope_sel, judges[:3], bank_officer)
        contests.transition(sel, actor=bank_officer, to=ContestState.JUDGING)
        quality = {e.pk: rng.randint(150, 230) for e in sel_entries}
        clock.set(_at(2021, 5, 3))
        _bulk_scores(sel_judges, sel_entries, sel.rounds.get(), quality, rng, measured=True)
        contests.transition(sel, actor=bank_officer, to=ContestState.RESULTS)
        contests.transition(sel, actor=bank_officer, to=ContestState.PUBLISHED)
        sent = results.send_on(sel, actor=bank_officer)
        # 98 other registering unions share the remaining workers (one unit never registers).
        clock.set(_at(2021, 5, 8))
        others = units[1:REGISTERED]
        left = PARTICIPANTS - BANK_TEAMS * 6
        per_unit = _split(rng, left, len(others), 8, 24)
        measured_ind = [
            e for e in ev.values() if e.kind == EventKind.MEASURED and e.mode == "individual"
        ]
        exhibitions = [e for e in ev.values() if e.kind == EventKind.EXHIBITION]
        entries = list(sent)
        rows = []
        for unit, n in zip(others, per_unit, strict=True):
            plan = []  # (event, size)
            rest = n
            if rest >= 11:
                plan.append((ev["跳绳"], 5 + min(3, (rest - 11) // 3)))
                rest -= plan[-1][1]
            if rest >= 6 and rng.random() < 0.6:
                plan.append((ev["踢毽球"], 3))
                rest -= 3
            while rest > 0:
                if rest >= 4 and rng.random() < 0.25:
                    size = min(rest, rng.randint(2, 6))
                    plan.append((rng.choice(exhibitions), size))
                    rest -= size
                else:
                    plan.append((rng.choice(measured_ind), 1))
                    rest -= 1
            for event, size in plan:
                team = maker.make(size, sex=event.sex or None)
                name = "" if event.mode == "individual" else f"{unit.short_name}{event.name}队"
                rows.append(registration.EntryIn(event, unit, team, name))
        _enrol_many([(r.unit, r.people) for r in rows], dt.date(2016, 6, 1))
        entries += registration.register_entries(meet, actor=staff, rows=rows)
        # 87 unions upload: the bank (its three teams) and 86 others.
        with_video = {bank.pk} | {u.pk for u in others[: UPLOADED - 1]}
        uploaded = [e for e in entries if e.unit_id in with_video]
        clip_videos.add(uploaded, _at(2021, 5, 20, 12), rng, staff)
        clock.set(_at(2021, 5, 21))
        contests.transition(meet, actor=staff, to=ContestState.JUDGING)
        rnd = meet.rounds.get()
        scored = [e for e in uploaded if e.event.kind == EventKind.MEASURED]
        for event in [e for e in ev.values() if e.kind == EventKind.MEASURED]:
            mine = [e for e in scored if e.event_id == event.pk]
            if not mine:
                continue
            js = _judges(event, judges[:3], staff)
            base = {"跳绳": 180, "踢毽球": 60, "男子引体向上": 15, "颠球": 80, "男子俯卧撑": 45,
                    "女子仰卧起坐": 40, "平板支撑": 150}[event.name]  # fmt: skip
            quality = {e.pk: max(1, round(rng.gauss(base, base * 0.2))) for e in mine}
            _bulk_scores(js, mine, rnd, quality, rng, measured=True)
        clock.set(_at(2021, 5, 28))
        contests.transition(meet, actor=staff, to=ContestState.RESULTS)
        contests.transition(meet, actor=staff, to=ContestState.PUBLISHED)
    return {"contest": meet, "selection": sel, "industry": industry}


def build_dance(rng, password_hash, clip) -> dict:
    city = _unit(None, "北京市总工会", OrgKind.CITY, "北京市总工会")
    units = [
        _unit(city, f"北京{rng.choice(['首都', '京城', '燕山', '长安', '京华', '中关村'])}"
                    f"{rng.choice(['机场', '地铁', '电力', '医院', '出版', '建工', '供热'])}"
                    f"{i + 1}工会", OrgKind.GRASSROOTS)
        for i in range(DANCE_WORKS)
    ]  # fmt: skip
    users = _accounts([("beijing_staff", "13900000012", "孟晓东", Role.FEDERATION_STAFF, city)],
                      password_hash)  # fmt: skip
    staff = users["beijing_staff"]
    User = get_user_model()
    judges = list(User.objects.filter(username__in=[f"judge{i}" for i in range(1, JUDGES + 1)])
                  .order_by("username"))  # fmt: skip
    maker = _People(rng, "110101")
    # Judge 7 works at the first unit: a declared (and membership) conflict.
    conflicted = _enrol(maker.make(1), units[0], dt.date(2010, 1, 1))[0]
    judges[-1].person = conflicted
    judges[-1].save(update_fields=["person"])
    with virtual_time(timezone.now()) as clock:
        clock.set(_at(2022, 9, 1))
        dance = contests.create_contest(
            city, actor=staff, name="北京市第十三届职工文化艺术节舞蹈大赛",
            cohosts="北京市文化和旅游局、北京市国资委、北京市教委、北京市卫生健康委、北京市文联",
            notice="复赛评出18部作品进入决赛；决赛不设现场观众，全程网络直播。",
            stream_url="https://live.example.org/bjzgh-dance",
            **presets.preset("dance", _at(2022, 10, 10, 18)),
        )  # fmt: skip
        contests.transition(dance, actor=staff, to=ContestState.REGISTRATION)
        event = dance.events.get()
        teams = [maker.make(rng.randint(8, 16)) for _ in units]
        _enrol_many(list(zip(units, teams, strict=True)), dt.date(2012, 1, 1))
        titles = ["劳动者之歌", "奋进", "春风", "守望", "追光", "薪火", "逐梦", "匠心", "启航"]
        entries = registration.register_entries(dance, actor=staff, rows=[
            registration.EntryIn(event, unit, team,
                                 f"《{titles[i % len(titles)]}{'' if i < len(titles) else i}》")
            for i, (unit, team) in enumerate(zip(units, teams, strict=True))
        ])  # fmt: skip
        _Videos(clip).add(entries, _at(2022, 10, 8), rng, staff)
        clock.set(_at(2022, 10, 11))
        contests.transition(dance, actor=staff, to=ContestState.JUDGING)
        js = _judges(event, judges, staff, conflicts={judges[-1].pk: [units[0]]})
        quality = {e.pk: rng.gauss(82, 5) for e in entries}
        semi, final = dance.rounds.order_by("order")
        _bulk_scores(js, entries, semi, quality, rng)
        clock.set(_at(2022, 10, 18))
        results.close_round(semi, actor=staff)
        finalists = list(Entry.objects.filter(round=final).select_related("unit"))
        _Videos(clip).add(finalists, _at(2022, 10, 28), rng, staff)
        clock.set(_at(2022, 11, 5))
        _bulk_scores(
            js, finalists, final, {e.pk: quality[e.pk] + rng.gauss(0, 2) for e in finalists}, rng
        )
        contests.transition(dance, actor=staff, to=ContestState.RESULTS)
        contests.transition(dance, actor=staff, to=ContestState.PUBLISHED)
    return {"contest": dance, "finalists": len(finalists)}


def build_open_meet() -> Contest | None:
    """海盐's own meet, open for registration now (the demo union officer registers)."""
    staff = get_user_model().objects.filter(username="county_staff").first()
    grant = staff.role_assignments.select_related("org_unit").first() if staff else None
    if grant is None:
        return None
    meet = contests.create_contest(
        grant.org_unit, actor=staff, name=f"{grant.org_unit.name}职工线上趣味运动会",
        notice="各基层工会在手机上报名、上传比赛视频；评委在线确认成绩。",
        **presets.preset("sports", timezone.now() + dt.timedelta(days=21)),
    )  # fmt: skip
    contests.transition(meet, actor=staff, to=ContestState.REGISTRATION)
    return meet


@transaction.atomic
def build_contests_demo(*, seed: int, log=print) -> list[str]:
    from gonghui.orgs.demo.accounts import DEMO_PASSWORD

    rng = random.Random(seed * 17 + 23)  # noqa: S311 - synthetic data
    password_hash = make_password(DEMO_PASSWORD)
    with tempfile.TemporaryDirectory() as tmp:
        clip = _sample_clip(Path(tmp))
        meet = build_sports_meet(rng, password_hash, clip)
        dance = build_dance(rng, password_hash, clip)
    open_meet = build_open_meet()
    from ..domain.stats import contest_stats
    from ..models import ContestAward

    s = contest_stats(meet["contest"])
    tiers = {}
    for a in ContestAward.objects.filter(contest=dance["contest"]).select_related("tier"):
        tiers[a.tier.name] = tiers.get(a.tier.name, 0) + 1
    lines = [
        f"Contests: sports meet {s.units_registered} unions registered, {s.units_uploaded} with "
        f"videos ({s.uploaded_share:g}% of {s.units_total}), {s.participants:,} workers "
        f"(2020: {s.previous_participants:,}); bank selection 17 teams → 3 sent on",
        f"Contests: dance {DANCE_WORKS} works → {dance['finalists']} finalists → "
        + "/".join(str(tiers.get(t, 0)) for t in ("金奖", "银奖", "铜奖", "优秀奖"))
        + "; console at /console/contests/, phone at /contests/, public at /contests/p/"
        + (f"; {open_meet.name} open for registration" if open_meet else ""),
    ]
    for line in lines:
        log(line)
    return lines


ORDER = 80  # after mentorship


def build(ctx) -> None:
    """This app's part of ``manage.py demo`` (``gonghui.demo.DemoContext``)."""
    ctx.lines += build_contests_demo(seed=ctx.seed, log=ctx.log)
    ctx.footer.append(
        "Contest accounts (same password): shenyang_staff 13900000010, bank_officer "
        "13900000011, beijing_staff 13900000012, judge1 … judge7 13900000021 … 13900000027"
    )
