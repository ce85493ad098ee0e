"""The fixed vocabularies of the demo warehouse (spec/demo_warehouse.md): places, channels,
products, segments and the campaign calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# (city, province, weight): cities weighted like a skincare brand's real customer base.
CITIES: tuple[tuple[str, str, int], ...] = (
    ("上海", "上海", 14), ("北京", "北京", 12), ("广州", "广东", 8), ("深圳", "广东", 8),
    ("杭州", "浙江", 7), ("宁波", "浙江", 3), ("南京", "江苏", 5), ("苏州", "江苏", 5),
    ("成都", "四川", 6), ("武汉", "湖北", 5), ("西安", "陕西", 4), ("重庆", "重庆", 5),
    ("长沙", "湖南", 4), ("郑州", "河南", 3), ("天津", "天津", 3), ("青岛", "山东", 3),
    ("济南", "山东", 2), ("合肥", "安徽", 2), ("福州", "福建", 2), ("厦门", "福建", 2),
    ("南昌", "江西", 2), ("石家庄", "河北", 2), ("太原", "山西", 1), ("呼和浩特", "内蒙古", 1),
    ("南宁", "广西", 2), ("海口", "海南", 1), ("贵阳", "贵州", 1), ("昆明", "云南", 2),
    ("拉萨", "西藏", 1), ("兰州", "甘肃", 1), ("西宁", "青海", 1), ("银川", "宁夏", 1),
    ("乌鲁木齐", "新疆", 1), ("沈阳", "辽宁", 2), ("大连", "辽宁", 2), ("长春", "吉林", 1),
    ("哈尔滨", "黑龙江", 2),
)

# Browsing without buying happens mostly on content platforms (aligned with CHANNELS).
BROWSE_CHANNEL_WEIGHTS = (20, 40, 10, 30, 5)

# (channel_id, name, type, refund propensity, target ROI)
CHANNELS: tuple[tuple[int, str, str, float, float], ...] = (
    (1, "天猫", "平台电商", 0.05, 4.2),
    (2, "抖音", "内容电商", 0.11, 2.6),
    (3, "京东", "平台电商", 0.04, 4.8),
    (4, "小红书", "内容电商", 0.08, 3.1),
    (5, "微信小程序", "私域", 0.03, 7.5),
)

CATEGORIES = ("精华", "面霜", "洁面", "面膜", "防晒", "套组")


@dataclass(frozen=True)
class Product:
    product_id: int
    name: str
    category: str
    list_price_cents: int
    unit_cost_cents: int
    launch_offset_days: int  # days after the data window starts; negative = launched before it
    quality: float  # mean review rating


_PRODUCT_ROWS = (
    ("烟酰胺精华液", "精华", 269, 58, -400, 4.5), ("玻色因精华液", "精华", 399, 92, -300, 4.6),
    ("维C亮肤精华", "精华", 299, 70, -200, 4.2), ("寡肽修护精华", "精华", 329, 81, 120, 4.4),
    ("A醇抗老精华", "精华", 459, 110, 300, 4.3), ("玻色因抗老面霜", "面霜", 499, 120, -500, 4.7),
    ("神经酰胺修护霜", "面霜", 259, 60, -350, 4.6), ("清爽保湿面霜", "面霜", 159, 35, -600, 4.1),
    ("胶原紧致晚霜", "面霜", 389, 95, 60, 4.0), ("氨基酸洁面乳", "洁面", 89, 16, -700, 4.5),
    ("控油洁面啫喱", "洁面", 79, 14, -500, 3.9), ("温和卸妆洁面", "洁面", 109, 22, 200, 4.2),
    ("修护面膜", "面膜", 129, 25, -450, 4.4), ("补水面膜", "面膜", 99, 18, -650, 4.0),
    ("清洁泥膜", "面膜", 119, 24, -100, 3.8), ("玻色因紧致面膜", "面膜", 169, 36, 240, 4.3),
    ("轻透防晒乳", "防晒", 149, 30, -380, 4.3), ("敏感肌防晒霜", "防晒", 169, 34, -150, 4.5),
    ("户外高倍防晒喷雾", "防晒", 129, 27, 420, 3.7), ("抗衰紧致套组", "套组", 899, 210, -250, 4.6),
    ("敏感肌修护套组", "套组", 599, 140, -120, 4.7), ("学生党入门套组", "套组", 199, 48, 30, 4.1),
    ("美白淡斑套组", "套组", 699, 165, 330, 4.2), ("水杨酸精华", "精华", 199, 40, -60, 3.9),
    ("积雪草舒缓精华", "精华", 239, 52, 160, 4.5), ("眼霜-抗皱紧致", "面霜", 299, 66, -220, 4.2),
    ("氨基酸洗面奶旅行装", "洁面", 39, 8, 90, 4.0), ("熬夜急救面膜", "面膜", 139, 28, 380, 4.1),
    ("隔离防晒乳", "防晒", 179, 38, 270, 4.0), ("焕颜礼盒", "套组", 1099, 260, 450, 4.4),
)

PRODUCTS: tuple[Product, ...] = tuple(
    Product(i + 1, name, cat, price * 100, cost * 100, offset, quality)
    for i, (name, cat, price, cost, offset, quality) in enumerate(_PRODUCT_ROWS)
)


@dataclass(frozen=True)
class Segment:
    name: str
    weight: int
    age_range: tuple[int, int]
    female_share: float
    occupations: tuple[tuple[str, int], ...]
    channel_weights: tuple[int, ...]  # aligned with CHANNELS
    category_weights: tuple[int, ...]  # aligned with CATEGORIES
    orders_mean: float  # mean orders over the whole window for a repeat customer
    one_time_share: float  # share of buying customers who order only once
    quantity_boost: float


SEGMENTS: tuple[Segment, ...] = (
    Segment("成分党研究生", 24, (19, 27), 0.82, (("学生", 70), ("白领", 15), ("其他", 15)),
            (15, 35, 8, 35, 7), (40, 10, 15, 20, 10, 5), 5.0, 0.42, 0.1),
    Segment("初抗老白领", 28, (27, 39), 0.9, (("白领", 75), ("自由职业", 15), ("其他", 10)),
            (45, 12, 25, 8, 10), (30, 35, 5, 10, 5, 15), 7.5, 0.24, 0.3),
    Segment("敏感肌宝妈", 22, (27, 42), 0.97, (("宝妈", 80), ("自由职业", 10), ("其他", 10)),
            (30, 15, 10, 10, 35), (15, 30, 20, 15, 15, 5), 6.5, 0.18, 0.5),
    Segment("其他", 26, (18, 60), 0.7, (("白领", 35), ("学生", 15), ("自由职业", 20), ("其他", 30)),
            (30, 30, 20, 10, 10), (20, 20, 20, 20, 15, 5), 3.5, 0.5, 0.2),
)

MEMBER_LEVELS = ("普通会员", "银卡", "金卡", "黑金")


@dataclass(frozen=True)
class Campaign:
    campaign_id: int
    name: str
    campaign_type: str
    channel_id: int
    start: dt.date
    end: dt.date


def campaign_calendar(first_day: dt.date, last_day: dt.date) -> tuple[Campaign, ...]:
    """Every campaign whose dates overlap the data window, in a fixed order."""
    drafts: list[tuple[str, str, int, dt.date, dt.date]] = []
    channel_names = {cid: name for cid, name, *_ in CHANNELS}
    for year in range(first_day.year, last_day.year + 1):
        for cid in (1, 2, 3):
            drafts.append((f"{year}年618大促-{channel_names[cid]}", "大促", cid,
                           dt.date(year, 6, 1), dt.date(year, 6, 18)))
            drafts.append((f"{year}年双11预热-{channel_names[cid]}", "大促", cid,
                           dt.date(year, 10, 20), dt.date(year, 10, 31)))
            drafts.append((f"{year}年双11大促-{channel_names[cid]}", "大促", cid,
                           dt.date(year, 11, 1), dt.date(year, 11, 11)))
        for quarter_start in (1, 4, 7, 10):
            start = dt.date(year, quarter_start, 10)
            drafts.append((f"{year}年Q{(quarter_start + 2) // 3}沉睡客户召回", "召回", 5,
                           start, start + dt.timedelta(days=14)))
        for month in range(1, 13, 2):
            start = dt.date(year, month, 20)
            cid = 2 if month % 4 == 1 else 4
            drafts.append((f"{year}年{month}月拉新-{channel_names[cid]}", "拉新", cid,
                           start, start + dt.timedelta(days=9)))
    for product in PRODUCTS:
        launch = first_day + dt.timedelta(days=product.launch_offset_days)
        if first_day <= launch <= last_day:
            drafts.append((f"新品首发-{product.name}", "新品", 4 if product.product_id % 2 else 2,
                           launch, launch + dt.timedelta(days=20)))
    kept = sorted((d for d in drafts if d[3] <= last_day and d[4] >= first_day),
                  key=lambda d: (d[3], d[2], d[0]))
    return tuple(Campaign(i + 1, *d) for i, d in enumerate(kept))


def day_weight(day: dt.date) -> float:
    """Relative demand of a day: 618 and Double 11 peaks, a quiet Spring Festival, weekends."""
    weight = 1.0
    if day.month == 6 and day.day <= 18:
        weight = 2.2 + (1.8 if day.day == 18 else 0.0)
    elif day.month == 11 and day.day <= 11:
        weight = 2.8 + (2.5 if day.day == 11 else 0.0)
    elif day.month == 10 and day.day >= 20:
        weight = 1.5
    elif day.month == 2 and day.day <= 15:
        weight = 0.6
    elif day.month in (12, 3):
        weight = 1.15
    if day.weekday() >= 5:
        weight *= 1.15
    return weight


REVIEW_TEXTS = {
    5: ("效果很好，会回购", "用了一个月皮肤明显变好", "质地清爽，好吸收", "包装精致，物流很快"),
    4: ("整体不错", "保湿效果可以", "味道有点重，效果还行", "性价比挺高"),
    3: ("一般般", "没什么明显效果", "价格有点贵", "还在观察"),
    2: ("有点搓泥", "用了有点闷痘", "和描述不太一样"),
    1: ("过敏了，不推荐", "效果很差", "客服态度不好"),
}


@dataclass(frozen=True)
class Experiment:
    """A coupon A/B test on a recall campaign: customers who registered before it are assigned over
    its first week; each variant's coupon is redeemed with its own probability."""

    test_id: int
    name: str
    campaign: Campaign
    coupons: dict[str, tuple[str, int, int]]  # variant -> (coupon type, threshold cents, face value cents)
    redemption: dict[str, float]  # variant -> probability that a recipient redeems the coupon
    share: float = 0.5  # of the customers registered before the test

    @property
    def assigned_from(self) -> dt.datetime:
        return dt.datetime.combine(self.campaign.start, dt.time())


def experiment_plan(campaigns: tuple[Campaign, ...], last_day: dt.date) -> tuple[Experiment, ...]:
    """The two planted tests, on the last two recall campaigns whose 30-day window closes before
    the data ends: 满减 against 折扣 with a real difference (B redeems more), and two text
    variants of a recall message with none, so both verdicts occur."""
    recalls = [c for c in campaigns if c.campaign_type == "召回" and c.start + dt.timedelta(days=37) <= last_day]
    if len(recalls) < 2:
        return ()
    earlier, later = recalls[-2], recalls[-1]
    return (
        Experiment(1, f"{later.start.year}年{later.start.month}月满减券vs折扣券", later,
                   {"A": ("满减", 19_900, 3_000), "B": ("折扣", 9_900, 2_000)}, {"A": 0.10, "B": 0.20}),
        Experiment(2, f"{earlier.start.year}年{earlier.start.month}月召回短信文案测试", earlier,
                   {"A": ("无门槛", 0, 1_000), "B": ("无门槛", 0, 1_000)}, {"A": 0.12, "B": 0.12}),
    )
