"""Customer-by-customer simulation of the demo shop: each customer's registration, orders,
order lines, coupons, behaviour events and reviews, yielded in bounded batches.

Money is kept in integer cents so totals are exact; the writer renders cents as DECIMAL text.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, count

from service.demo_data.vocabulary import (
    BROWSE_CHANNEL_WEIGHTS, CATEGORIES, CHANNELS, CITIES, MEMBER_LEVELS, PRODUCTS, REVIEW_TEXTS, SEGMENTS,
    Campaign, Experiment, campaign_calendar, day_weight, experiment_plan,
)

CUSTOMERS_PER_SCALE = 20_000
WINDOW_MONTHS = 18


@dataclass
class Batch:
    """Rows of every customer-driven table for one slice of customers."""

    customers: list[tuple] = field(default_factory=list)
    orders: list[tuple] = field(default_factory=list)
    order_items: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    coupons: list[tuple] = field(default_factory=list)
    reviews: list[tuple] = field(default_factory=list)
    ab_assignments: list[tuple] = field(default_factory=list)


def window_start(end_date: dt.date) -> dt.date:
    """First day of the 18 months of activity that end on ``end_date``.

    >>> window_start(dt.date(2025, 6, 30))
    datetime.date(2024, 1, 1)
    """
    after = end_date + dt.timedelta(days=1)
    month_index = after.year * 12 + after.month - 1 - WINDOW_MONTHS
    return dt.date(month_index // 12, month_index % 12 + 1, min(after.day, 28))


def _weighted_choice(rng: random.Random, items: tuple, weights: tuple[int, ...]):
    cumulative, total = _cumulative(weights)
    return items[bisect.bisect(cumulative, rng.random() * total)]


_CUMULATIVE_CACHE: dict[tuple, tuple[list, float]] = {}


def _cumulative(weights: tuple) -> tuple[list, float]:
    if weights not in _CUMULATIVE_CACHE:
        _CUMULATIVE_CACHE[weights] = (list(accumulate(weights)), float(sum(weights)))
    return _CUMULATIVE_CACHE[weights]


def _randint(rng: random.Random, lo: int, hi: int) -> int:
    return lo + int(rng.random() * (hi - lo + 1))


def _pick(rng: random.Random, items):
    return items[int(rng.random() * len(items))]


def _below(rng: random.Random, n: int) -> int:
    """A uniform integer in [0, n): ``randrange`` without its argument checks, which dominate here."""
    return int(rng.random() * n)


class ShopSimulation:
    """Deterministic simulation for one (seed, end_date, scale)."""

    def __init__(self, seed: int, end_date: dt.date, scale: float) -> None:
        self.rng = random.Random(seed)
        # the A/B tests draw from their own stream: adding them left every other row's values as they were
        # (the ids after a test order moved up)
        self.test_rng = random.Random(seed * 7_919 + 1)
        self.first_day = window_start(end_date)
        self.last_day = end_date
        self.customer_total = max(1, round(CUSTOMERS_PER_SCALE * scale))
        self.days = [self.first_day + dt.timedelta(days=i)
                     for i in range((end_date - self.first_day).days + 1)]
        self.cumulative = list(accumulate(day_weight(d) for d in self.days))
        self.campaigns = campaign_calendar(self.first_day, self.last_day)
        self.experiments = experiment_plan(self.campaigns, self.last_day)
        self.active: dict[tuple[int, int], list[Campaign]] = defaultdict(list)
        for campaign in self.campaigns:
            for i, day in enumerate(self.days):
                if campaign.start <= day <= campaign.end:
                    self.active[(campaign.channel_id, i)].append(campaign)
        self.campaigns_on_day: dict[int, list[Campaign]] = defaultdict(list)
        for (_, day_index), campaigns in sorted(self.active.items()):
            self.campaigns_on_day[day_index].extend(campaigns)
        self.launched = {category: sorted((p for p in PRODUCTS if p.category == category),
                                          key=lambda p: p.launch_offset_days)
                         for category in CATEGORIES}
        self.launch_offsets = {category: [p.launch_offset_days for p in products]
                               for category, products in self.launched.items()}
        self.revenue = defaultdict(int)  # (day index, channel id, campaign id) -> paid cents
        self.day_starts = [dt.datetime.combine(d, dt.time()) for d in self.days]
        self.counters = defaultdict(lambda: count(1))

    def _new_id(self, table: str) -> int:
        return next(self.counters[table])

    def _sample_day(self, lo: int, hi: int) -> int:
        low = self.cumulative[lo - 1] if lo else 0.0
        point = self.rng.uniform(low, self.cumulative[hi])
        return min(hi, max(lo, bisect.bisect_left(self.cumulative, point)))

    def _moment(self, day_index: int) -> dt.datetime:
        seconds = int(self.rng.triangular(8 * 3600, 84_600, 21 * 3600))
        return self.day_starts[day_index] + dt.timedelta(seconds=seconds)

    def batches(self, batch_size: int = 2_000) -> Iterator[Batch]:
        """Yield the customers and everything they did, ``batch_size`` customers at a time."""
        for start in range(0, self.customer_total, batch_size):
            batch = Batch()
            for _ in range(min(batch_size, self.customer_total - start)):
                self._simulate_customer(batch)
            yield batch

    def _simulate_customer(self, batch: Batch) -> None:
        rng = self.rng
        customer_id = self._new_id("customers")
        segment = _weighted_choice(rng, SEGMENTS, tuple(s.weight for s in SEGMENTS))
        age = _randint(rng, *segment.age_range)
        birth = self.last_day - dt.timedelta(days=age * 365 + _randint(rng, 0, 364))
        city, province, _ = _weighted_choice(rng, CITIES, tuple(c[2] for c in CITIES))
        occupation = _weighted_choice(rng, tuple(o for o, _ in segment.occupations),
                                      tuple(w for _, w in segment.occupations))
        channel_ids = tuple(c[0] for c in CHANNELS)
        home_channel = _weighted_choice(rng, channel_ids, segment.channel_weights)
        last_index = len(self.days) - 1
        if rng.random() < 0.45:
            register_index = 0
            register_time = self._moment(0) - dt.timedelta(days=_randint(rng, 30, 700))
        else:
            register_index = self._sample_day(0, last_index)
            register_time = self._moment(register_index)

        kind = rng.random()
        if kind < 0.12:
            order_count = 0
        elif kind < 0.12 + 0.88 * segment.one_time_share:
            order_count = 1
        else:
            # customers who arrived late have had less time to come back
            tenure = 0.35 + 0.65 * (last_index - register_index) / last_index
            order_count = 2 + int(rng.expovariate(1 / max(segment.orders_mean * 2.2 * tenure, 1)))
        active_to = last_index if rng.random() < 0.6 else min(last_index, _randint(rng, register_index, last_index) + 90)
        level_points = order_count + _randint(rng, -1, 2)
        member_level = MEMBER_LEVELS[(level_points >= 3) + (level_points >= 7) + (level_points >= 13)]
        batch.customers.append((customer_id, "女" if rng.random() < segment.female_share else "男",
                                birth, province, city, occupation, segment.name, register_time,
                                CHANNELS[home_channel - 1][1], member_level))

        order_days = sorted(self._sample_day(register_index, active_to) for _ in range(order_count))
        for day_index in order_days:
            self._simulate_order(batch, customer_id, segment, home_channel, day_index, city, province)
        for _ in range(1 + int(rng.expovariate(1 / (0.5 * order_count + 0.8)))):
            self._browse_session(batch, customer_id, segment, home_channel,
                                 self._sample_day(register_index, active_to))
        for _ in range(int(rng.expovariate(1 / 1.6))):
            self._unused_coupon(batch, customer_id, self._sample_day(register_index, active_to))
        for experiment in self.experiments:
            if register_time < experiment.assigned_from:
                self._assign(batch, experiment, customer_id, segment, home_channel, city, province)

    def _assign(self, batch: Batch, experiment: Experiment, customer_id: int, segment, home_channel: int,
                city: str, province: str) -> None:
        """Maybe put a customer into a test: the variant's coupon, and with the variant's
        probability an order within 20 days that redeems it."""
        rng = self.test_rng
        if rng.random() >= experiment.share:
            return
        variant = "A" if rng.random() < 0.5 else "B"
        assigned = experiment.assigned_from + dt.timedelta(seconds=_below(rng, 7 * 86_400))
        batch.ab_assignments.append((experiment.test_id, experiment.name, experiment.campaign.campaign_id,
                                     customer_id, variant, assigned))
        if rng.random() < experiment.redemption[variant]:
            day_index = (assigned.date() - self.first_day).days + _randint(rng, 1, 20)
            main, self.rng = self.rng, rng
            try:
                self._simulate_order(batch, customer_id, segment, home_channel, day_index, city, province,
                                     (experiment, variant, assigned))
            finally:
                self.rng = main
        else:
            coupon_type, threshold, face = experiment.coupons[variant]
            batch.coupons.append((self._new_id("coupons"), customer_id, experiment.campaign.campaign_id,
                                  coupon_type, threshold, face, assigned, assigned + dt.timedelta(days=30),
                                  None, None))

    def _pick_channel(self, segment, home_channel: int) -> int:
        if self.rng.random() < 0.7:
            return home_channel
        return _weighted_choice(self.rng, tuple(c[0] for c in CHANNELS), segment.channel_weights)

    def _pick_products(self, segment, day_index: int, lines: int) -> list:
        chosen: list = []
        for _ in range(lines * 3):
            category = _weighted_choice(self.rng, CATEGORIES, segment.category_weights)
            available = bisect.bisect_right(self.launch_offsets[category], day_index)
            if available:
                product = self.launched[category][_below(self.rng, available)]
                if product not in chosen:
                    chosen.append(product)
            if len(chosen) == lines:
                break
        return chosen or [PRODUCTS[9]]

    def _simulate_order(self, batch: Batch, customer_id: int, segment, home_channel: int,
                        day_index: int, city: str, province: str,
                        test_coupon: tuple[Experiment, str, dt.datetime] | None = None) -> None:
        """One order; ``test_coupon``: (test, variant, assigned time) of an A/B test's coupon it
        redeems when the order is paid and reaches the threshold."""
        rng = self.rng
        order_id = self._new_id("orders")
        channel_id = self._pick_channel(segment, home_channel)
        order_time = self._moment(day_index)
        day = self.days[day_index]
        recent = day_index >= len(self.days) - 3
        roll = rng.random()
        if roll < 0.04:
            status = "cancelled"
        elif roll < 0.05 or (recent and roll < 0.25):
            status = "pending"
        elif rng.random() < CHANNELS[channel_id - 1][3]:
            status = "refunded"
        else:
            status = "paid"
        paid = status in ("paid", "refunded")
        pay_time = order_time + dt.timedelta(seconds=_randint(rng, 20, 1200)) if paid else None

        products = self._pick_products(segment, day_index, _weighted_choice(rng, (1, 2, 3), (60, 28, 12)))
        item_cents = 0
        for line_no, product in enumerate(products, start=1):
            quantity = 1 + (rng.random() < 0.12 + segment.quantity_boost * 0.3) + (rng.random() < 0.04)
            line = quantity * product.list_price_cents
            item_cents += line
            batch.order_items.append((order_id, line_no, product.product_id, quantity,
                                      product.list_price_cents, line))

        in_promo = (day.month == 6 and day.day <= 18) or (day.month == 11 and day.day <= 11)
        discount = (item_cents // 1000) * 100 if in_promo else 0  # 10% off, whole yuan
        coupon_id = None
        if test_coupon:
            experiment, variant, issued = test_coupon
            campaign = experiment.campaign
        else:
            active = self.active.get((channel_id, day_index), [])
            campaign = _pick(rng, active) if active and rng.random() < 0.7 else None
        if test_coupon or rng.random() < (0.45 if in_promo else 0.22):
            coupon_type, threshold, face = experiment.coupons[variant] if test_coupon else self._coupon_terms(item_cents)
            usable = paid and item_cents >= threshold
            coupon_id = self._new_id("coupons")
            if not test_coupon:
                issued = order_time - dt.timedelta(days=_randint(rng, 1, 10), seconds=_randint(rng, 0, 86_000))
            batch.coupons.append((coupon_id, customer_id, campaign.campaign_id if campaign else None,
                                  coupon_type, threshold, face, issued,
                                  issued + dt.timedelta(days=30),
                                  pay_time if usable else None, order_id if usable else None))
            if usable:
                discount += face
            else:
                coupon_id = None
        discount = min(discount, item_cents - 100)
        paid_cents = item_cents - discount
        batch.orders.append((order_id, customer_id, channel_id,
                             campaign.campaign_id if campaign else None, order_time, pay_time,
                             status, province, city, item_cents, discount, paid_cents, coupon_id))
        if paid:
            key = (day_index, channel_id, campaign.campaign_id if campaign else None)
            self.revenue[key] += paid_cents
        self._order_events(batch, customer_id, channel_id, order_time, pay_time, products)
        if status == "paid" and rng.random() < 0.3:
            product = products[0]
            rating = min(5, max(1, round(rng.gauss(product.quality, 0.9))))
            created = pay_time + dt.timedelta(days=_randint(rng, 2, 12), seconds=_randint(rng, 0, 80_000))
            if created.date() <= self.last_day:
                batch.reviews.append((self._new_id("reviews"), order_id, customer_id,
                                      product.product_id, rating, _pick(rng, REVIEW_TEXTS[rating]),
                                      created))

    def _coupon_terms(self, item_cents: int) -> tuple[str, int, int]:
        kind = _weighted_choice(self.rng, ("满减", "无门槛", "折扣"), (55, 25, 20))
        if kind == "满减":
            threshold = _pick(self.rng, (19_900, 29_900, 49_900))
            return kind, threshold, threshold // 5 // 100 * 100
        if kind == "无门槛":
            return kind, 0, _pick(self.rng, (500, 1_000, 2_000))
        return kind, 9_900, min(5_000, item_cents // 1000 * 100)

    def _unused_coupon(self, batch: Batch, customer_id: int, day_index: int) -> None:
        campaigns = self.campaigns_on_day.get(day_index)
        coupon_type, threshold, face = self._coupon_terms(_randint(self.rng, 5_000, 60_000))
        issued = self._moment(day_index)
        batch.coupons.append((self._new_id("coupons"), customer_id,
                              campaigns[0].campaign_id if campaigns else None, coupon_type,
                              threshold, max(face, 500), issued, issued + dt.timedelta(days=30),
                              None, None))

    def _event(self, batch: Batch, customer_id, session_id, channel_id, product_id, kind, moment):
        batch.events.append((self._new_id("events"), customer_id, session_id, channel_id,
                             product_id, kind, moment))

    def _order_events(self, batch, customer_id, channel_id, order_time, pay_time, products) -> None:
        session_id = self._new_id("sessions")
        moment = order_time - dt.timedelta(minutes=_randint(self.rng, 5, 40))
        for product in products:
            self._event(batch, customer_id, session_id, channel_id, product.product_id, "view", moment)
            moment += dt.timedelta(seconds=_randint(self.rng, 20, 300))
            self._event(batch, customer_id, session_id, channel_id, product.product_id,
                        "add_to_cart", moment)
        self._event(batch, customer_id, session_id, channel_id, None, "checkout", order_time)
        if pay_time is not None:
            self._event(batch, customer_id, session_id, channel_id, None, "pay", pay_time)

    def _browse_session(self, batch, customer_id, segment, home_channel, day_index) -> None:
        session_id = self._new_id("sessions")
        channel_id = (home_channel if self.rng.random() < 0.5 else
                      _weighted_choice(self.rng, tuple(c[0] for c in CHANNELS), BROWSE_CHANNEL_WEIGHTS))
        moment = self._moment(day_index)
        for product in self._pick_products(segment, day_index, _randint(self.rng, 1, 2)):
            self._event(batch, customer_id, session_id, channel_id, product.product_id, "view", moment)
            moment += dt.timedelta(seconds=_randint(self.rng, 15, 200))
            if self.rng.random() < 0.3:
                self._event(batch, customer_id, session_id, channel_id, product.product_id,
                            "add_to_cart", moment)

    def marketing_spend(self) -> list[tuple]:
        """Daily spend per channel and campaign, sized from the revenue it bought."""
        rng = self.rng
        rows = []
        for day_index, day in enumerate(self.days):
            for channel_id, _, _, _, roi in CHANNELS:
                base = self.revenue.get((day_index, channel_id, None), 0)
                spend = max(20_000, int(base / roi * rng.uniform(0.75, 1.25)))
                rows.append((day, channel_id, None, spend // 100 * 100))
                for campaign in self.active.get((channel_id, day_index), []):
                    bought = self.revenue.get((day_index, channel_id, campaign.campaign_id), 0)
                    spend = max(50_000, int(bought / (roi * 0.8) * rng.uniform(0.7, 1.3)))
                    rows.append((day, channel_id, campaign.campaign_id, spend // 100 * 100))
        return rows
