# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import models


class HomeRole(models.TextChoices):
    """The "1+N" of a regional shared workers' home: one main home and auxiliary homes."""

    MAIN = "main", "主阵地"
    AUXILIARY = "auxiliary", "辅阵地"


class PositionKind(models.TextChoices):
    """What a service position is (阵地类型)."""

    HOME = "home", "职工之家"
    LEGAL = "legal", "职工法律服务站"
    PSYCH = "psych", "心理健康室"
    READING = "reading", "职工书屋"
    CHILDCARE = "childcare", "托管驿站"
    MOTHERS = "mothers", "爱心妈妈小屋"
    FITNESS = "fitness", "健身活动室"
    CANTEEN = "canteen", "爱心食堂"
    STATION = "station", "户外劳动者服务站"
    TRAINING = "training", "培训场地"
    OTHER = "other", "其他"


class ServiceCategory(models.TextChoices):
    """The eleven categories of services of the 城阳 home."""

    READING = "reading", "休闲阅读"
    TRAINING = "training", "赋能培训"
    PSYCH = "psych", "心理健康"
    LEGAL = "legal", "法律维权"
    CHILDCARE = "childcare", "子女托管"
    MOTHERS = "mothers", "母婴关爱"
    FITNESS = "fitness", "文体健身"
    HEALTH = "health", "健康义诊"
    MATCHMAKING = "matchmaking", "婚恋交友"
    EMPLOYMENT = "employment", "就业帮扶"
    LIFE = "life", "生活服务"


class Pricing(models.TextChoices):
    FREE = "free", "免费"
    DISCOUNTED = "discounted", "优惠"
    SUBSIDISED = "subsidised", "政府补贴"


class TravelMode(models.TextChoices):
    WALK = "walk", "步行"
    EBIKE = "ebike", "电动自行车"


class PointKind(models.TextChoices):
    """Where the people a circle should reach are: workplaces and residential districts."""

    WORKPLACE = "workplace", "工作场所"
    RESIDENTIAL = "residential", "居住小区"


class BookingState(models.TextChoices):
    BOOKED = "booked", "已预约"
    WAITLISTED = "waitlisted", "候补中"
    CANCELLED = "cancelled", "已取消"
    CHECKED_IN = "checked_in", "已签到"
    NO_SHOW = "no_show", "爽约"


#: Bookings that hold a place in their slot.
HOLDING_STATES = (BookingState.BOOKED, BookingState.CHECKED_IN, BookingState.NO_SHOW)
#: Allowed transitions of a booking.
BOOKING_TRANSITIONS = {
    BookingState.BOOKED: {BookingState.CANCELLED, BookingState.CHECKED_IN, BookingState.NO_SHOW},
    BookingState.WAITLISTED: {BookingState.BOOKED, BookingState.CANCELLED},
    BookingState.CANCELLED: set(),
    BookingState.CHECKED_IN: set(),
    BookingState.NO_SHOW: set(),
}


class ActivityKind(models.TextChoices):
    THEMED = "themed", "主题活动"
    LECTURE = "lecture", "企业讲座"
    RESIDENTS = "residents", "居民活动"
    CAMPAIGN = "campaign", "宣传周/宣传摊位"
    WORKER_DAY = "worker_day", "当一天工人"


class FindingTarget(models.TextChoices):
    TRAINING = "training", "培训需求清单"
    REFORM = "reform", "整改（改革）事项"
