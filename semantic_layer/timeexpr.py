"""Time words -> half-open date ranges [start, end) for a reference date ("today"), in Chinese and
English, per the time-expression table of metrics.md. ``find_time_range`` locates an expression
inside a longer question; ``resolve_time_expression`` requires the whole text to be one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from semantic_layer.errors import QueryInvalid

D = dt.date
_DAY = dt.timedelta(days=1)
EARLIEST_TODAY, LATEST_TODAY = D(1900, 1, 1), D(2199, 12, 31)  # room for 前年, 最近999天 and next year
OPEN_START = EARLIEST_TODAY  # the start of 'up to May' / '截至5月底': every day before its end


class ReferenceDateInvalid(QueryInvalid):
    code = "invalid_today"


def check_reference_date(today: D) -> None:
    """A reference date time words can work from, or a clear refusal.

    >>> check_reference_date(D(9999, 12, 31))
    Traceback (most recent call last):
    ...
    semantic_layer.timeexpr.ReferenceDateInvalid: today must lie between 1900-01-01 and 2199-12-31
    """
    if not EARLIEST_TODAY <= today <= LATEST_TODAY:
        raise ReferenceDateInvalid(f"参考日期 today 必须在 {EARLIEST_TODAY} 与 {LATEST_TODAY} 之间",
                                   f"today must lie between {EARLIEST_TODAY} and {LATEST_TODAY}")


@dataclass(frozen=True)
class DateRange:
    start: D
    end: D  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def label(self) -> str:
        """Inclusive text form, e.g. '2025-06-01 ~ 2025-06-30'."""
        last = self.end - _DAY
        return self.start.isoformat() if last == self.start else f"{self.start} ~ {last}"


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
               "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "a": 1, "an": 1}
NUMBER = r"(?:\d+|[零〇一二两三四五六七八九十百]+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|an?)"


def to_number(text: str) -> int:
    """Digits, Chinese numerals or English words to an int.

    >>> [to_number(t) for t in ("15", "十五", "二十", "两", "three", "一百")]
    [15, 15, 20, 2, 3, 100]
    """
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def month_start(day: D) -> D:
    return day.replace(day=1)


def add_months(day: D, months: int) -> D:
    index = day.year * 12 + day.month - 1 + months
    return D(index // 12, index % 12 + 1, 1)


def quarter_start(day: D) -> D:
    return D(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def shift_year(day: D, years: int) -> D:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _year_of(text: str | None, today: D) -> int | None:
    if not text:
        return None
    text = text.strip()
    relative = {"今年": 0, "本年": 0, "this year": 0, "去年": -1, "last year": -1, "前年": -2}
    if text.lower() in relative:
        return today.year + relative[text.lower()]
    year = int(re.sub(r"\D", "", text))
    return year + 2000 if year < 100 else year


def _festival_year(match: re.Match, today: D) -> int | None:
    """The year written before ('2024年618') or after ('618 last year') a festival."""
    return _year_of(match["year"] or match["year_after"], today)


def same_part_of_year(named: DateRange, previous: DateRange | None, today: D) -> DateRange:
    """A whole year named after a period inside another year means the same part of it ('那去年的呢'
    after this year's 618 is last year's 618), unless that period was a whole year or the year so far.

    >>> same_part_of_year(DateRange(D(2024, 1, 1), D(2025, 1, 1)), DateRange(D(2025, 6, 1), D(2025, 6, 19)),
    ...                   D(2025, 7, 1))
    DateRange(start=datetime.date(2024, 6, 1), end=datetime.date(2024, 6, 19))
    """
    year = named.start.year
    if previous is None or previous.start.year == year or not _whole_or_so_far(named, today) or \
            _whole_or_so_far(previous, today) or previous.end > D(previous.start.year + 1, 1, 1):
        return named
    years = year - previous.start.year
    return DateRange(shift_year(previous.start, years), shift_year(previous.end, years))


def _whole_or_so_far(range_: DateRange, today: D) -> bool:
    year = range_.start.year
    return range_.start == D(year, 1, 1) and range_.end in (D(year + 1, 1, 1), today + _DAY)


# Shopping festivals by the name shops write them with: (month, first day, last day)
FESTIVALS = {"618": (6, 1, 18), "双11": (11, 1, 11)}


def festival_name(range_: DateRange) -> str | None:
    """The festival a range is, in the name shops write ('double 11' of 2024 -> '双11').

    >>> festival_name(DateRange(D(2024, 11, 1), D(2024, 11, 12))), festival_name(DateRange(D(2024, 6, 1), D(2024, 7, 1)))
    ('双11', None)
    """
    return next((name for name, (month, first, last) in FESTIVALS.items()
                 if range_ == DateRange(D(range_.start.year, month, first), D(range_.start.year, month, last) + _DAY)),
                None)


def _latest_festival(month: int, first: int, last: int, year: int | None, today: D) -> DateRange:
    if year is None:
        year = today.year if D(today.year, month, first) < today else today.year - 1
    return DateRange(D(year, month, first), D(year, month, last) + _DAY)


Handler = Callable[[re.Match, D], DateRange]
YEAR = r"(?P<year>(?:19|20)\d{2}|(?<!\d)\d{2}(?=\s*年)|今年|本年|去年|前年|this year|last year)"
_MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december")
MONTH_EN = r"(?P<mname>" + "|".join(m for m in _MONTHS_EN) + "|" + "|".join(m[:3] for m in _MONTHS_EN) + r")\.?"


def _month_number(match: re.Match) -> int:
    if match.groupdict().get("mname"):
        return next(i + 1 for i, m in enumerate(_MONTHS_EN) if m.startswith(match["mname"][:3].lower()))
    return to_number(match["month"])


def _last_n_days(match: re.Match, today: D) -> DateRange:
    count = to_number(match["n"]) if match.groupdict().get("n") else 1
    unit = (match["unit"] or "").lower()
    days = count * {"周": 7, "星期": 7, "week": 7, "weeks": 7, "个月": 30, "月": 30, "month": 30,
                    "months": 30, "年": 365, "year": 365, "years": 365}.get(unit, 1)
    return DateRange(today - dt.timedelta(days=days), today)


def _named_month(match: re.Match, today: D) -> DateRange:
    month = _month_number(match)
    year = _year_of(match.groupdict().get("year"), today)
    if year is None:
        year = today.year if D(today.year, month, 1) <= today else today.year - 1
    start = D(year, month, 1)
    return DateRange(start, add_months(start, 1))


def _month_span(match: re.Match, today: D) -> DateRange:
    first, last = int(match["m1"]), int(match["m2"])
    if first > last:
        raise ValueError("a span of months runs forward")
    year = today.year if D(today.year, first, 1) <= today else today.year - 1
    return DateRange(D(year, first, 1), add_months(D(year, last, 1), 1))


def _named_quarter(match: re.Match, today: D) -> DateRange:
    quarter = to_number(match["q"])
    if not 1 <= quarter <= 4:
        raise QueryInvalid(f"没有第{quarter}季度", f"there is no quarter {quarter}")
    year = _year_of(match.groupdict().get("year"), today)
    if year is None:  # the latest such quarter that has begun
        year = today.year if D(today.year, quarter * 3 - 2, 1) <= today else today.year - 1
    start = D(year, quarter * 3 - 2, 1)
    return DateRange(start, add_months(start, 3))


def _half(match: re.Match, today: D) -> DateRange:
    year = _year_of(match.groupdict().get("year"), today) or today.year
    first = match["half"].lower() in ("上", "first", "1st", "h1")
    return DateRange(D(year, 1, 1), D(year, 7, 1)) if first else DateRange(D(year, 7, 1), D(year + 1, 1, 1))


def _day(match: re.Match, today: D) -> DateRange:
    year = _year_of(match.groupdict().get("year"), today)
    month, day = _month_number(match), to_number(match["day"])
    if year is None:
        year = today.year if D(today.year, month, min(day, 28)) <= today else today.year - 1
    start = D(year, month, day)
    return DateRange(start, start + _DAY)


def _whole_year(match: re.Match, today: D) -> DateRange:
    year = _year_of(match["year"], today)
    end = D(year + 1, 1, 1)
    return DateRange(D(year, 1, 1), min(end, today + _DAY) if year == today.year else end)


def _fixed(start: Callable[[D], D], end: Callable[[D], D]) -> Handler:
    return lambda match, today: DateRange(start(today), end(today))


def _week_start(day: D) -> D:
    return day - dt.timedelta(days=day.weekday())


def _after(*prepositions: str) -> str:
    """A look-behind for any of these English words and a space."""
    return "(?:" + "|".join(rf"(?<=\b{p} )" for p in prepositions) + ")"


# month/day separators: with a year any of - / . 年月; without one, '.' would read 1.5万 as January 5
_DATE = (r"(?<![\d.])(?:(?P<year>(?:19|20)\d{2})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]|"
         r"(?P<month_b>\d{1,2})\s*[/月])\s*(?P<day>\d{1,2})(?![\d.]|\s*月)\s*[日号]?")

RULES: tuple[tuple[str, Handler], ...] = (
    # explicit day: 2025-06-18, 2025年6月18日, 6月18日, June 18 2025
    (_DATE, lambda m, t: _day(_DayMatch(m), t)),
    # '6.18当天': month.day said to be one day (a bare 4.5 stays a number)
    (r"(?<![\d.])(?P<month>1[0-2]|[1-9])\.(?P<day>[12]\d|3[01]|[1-9])(?=\s*(?:当天|那天|当日|这天|那一天|号|日))",
     _day),
    (r"(?<![a-z])" + MONTH_EN + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(?P<year>(?:19|20)\d{2}))?", _day),
    (r"今天|今日|today", _fixed(lambda t: t, lambda t: t + _DAY)),
    (r"昨天|昨日|yesterday", _fixed(lambda t: t - _DAY, lambda t: t)),
    (r"前天|the day before yesterday", _fixed(lambda t: t - 2 * _DAY, lambda t: t - _DAY)),
    (r"(?:(?:最近|近|过去|past)\s*(?P<n>" + NUMBER + r")?|(?:再往前|往前|前|这|last|previous|these)\s*(?P<n2>" + NUMBER +
     r"))\s*(?P<unit>天|日|周|星期|个月|月|年|(?:days?|weeks?|months?|years?)(?![a-z]))",
     lambda m, t: _last_n_days(_CountMatch(m), t)),
    # 'the 30 days before that' (a follow-up moves it before the previous question's days; alone, the last 30)
    (r"(?P<n>" + NUMBER + r")\s*(?P<unit>days?|weeks?)\s+(?:before|earlier|prior)(?:\s+(?:that|it|then))?(?![a-z])",
     _last_n_days),
    (r"(?:最近|近|过去)\s*半\s*年|(?:last|past) (?:half year|six months)",
     _fixed(lambda t: t - dt.timedelta(days=180), lambda t: t)),
    (r"本周|这周|这一周|这个星期|本星期|this week", _fixed(_week_start, lambda t: t + _DAY)),
    (r"year[ -]to[ -]date|so far this year|this year so far|ytd|今年以来|今年到现在|年初至今",
     _fixed(lambda t: D(t.year, 1, 1), lambda t: t + _DAY)),
    (r"上周|上个星期|上星期|上一周|last week", _fixed(lambda t: _week_start(t) - 7 * _DAY, _week_start)),
    (r"本月|这个月|当月|这月|this month", _fixed(month_start, lambda t: t + _DAY)),
    (r"上个月|上月|上一个月|last month|previous month", _fixed(lambda t: add_months(t, -1), month_start)),
    (r"上上个月|上上月|上上一个月|the month before last", _fixed(lambda t: add_months(t, -2),
                                                           lambda t: add_months(t, -1))),
    (r"上上周|上上个星期|the week before last", _fixed(lambda t: _week_start(t) - 14 * _DAY,
                                                 lambda t: _week_start(t) - 7 * _DAY)),
    (r"上上季度|上上个季度|the quarter before last", _fixed(lambda t: add_months(quarter_start(t), -6),
                                                      lambda t: add_months(quarter_start(t), -3))),
    (r"本季度|这个季度|本季|当季|this quarter", _fixed(quarter_start, lambda t: t + _DAY)),
    (r"上季度|上个季度|上一季度|上季|last quarter|previous quarter",
     _fixed(lambda t: add_months(quarter_start(t), -3), quarter_start)),
    (r"(?:" + YEAR + r"\s*年?\s*)?(?P<half>上|下)半年|(?P<half2>first|second|1st|2nd) half(?: of (?P<year2>\d{4}|this year|last year))?"
     r"|(?<![a-z])(?P<half3>h[12])\s*(?P<year3>(?:19|20)\d{2})|(?P<year4>(?:19|20)\d{2})\s*(?P<half4>h[12])(?![0-9])"
     r"|(?<![a-z0-9])(?P<half5>h[12])(?:\s+(?:of\s+)?(?P<year5>this year|last year))?(?![a-z0-9])",
     lambda m, t: _half(_HalfMatch(m), t)),
    (r"(?:" + YEAR + r"\s*年?\s*)?(?<![a-z])Q(?P<q>[1-4])(?:\s+(?P<year_e>(?:19|20)\d{2}))?|(?:" +
     YEAR.replace("year>", "year_b>") + r"\s*年?\s*)?第?(?P<q2>[一二三四1-4])季度",
     lambda m, t: _named_quarter(_QuarterMatch(m), t)),
    (r"(?:" + YEAR + r"(?:的)?\s*年?\s*)?(?<!\d)(?:618|六一八)(?!\d)(?:大促|活动)?(?:\s+(?:of\s+)?" +
     YEAR.replace("year>", "year_after>") + ")?", lambda m, t: _latest_festival(*FESTIVALS["618"], _festival_year(m, t), t)),
    (r"(?:" + YEAR + r"(?:的)?\s*年?\s*)?(?:双11|双十一|双 11|double 11|double eleven|singles'? day)(?:大促|活动)?"
     r"(?:\s+(?:of\s+)?" + YEAR.replace("year>", "year_after>") + ")?",
     lambda m, t: _latest_festival(*FESTIVALS["双11"], _festival_year(m, t), t)),
    # '1-3月', '1到3月': the months from one to the other
    (r"(?<![\d.])(?P<m1>1[0-2]|0?[1-9])\s*(?:-|到|至|~)\s*(?P<m2>1[0-2]|0?[1-9])\s*月份?", _month_span),
    (YEAR + r"\s*[-/年]?\s*(?P<month>1[0-2]|0?[1-9])\s*月份?(?!\s*\d)", _named_month),
    (r"(?P<year>(?:19|20)\d{2})-(?P<month>1[0-2]|0[1-9])(?![\d-])", _named_month),
    (r"(?<![a-z])" + MONTH_EN + r",?\s+(?P<year>(?:19|20)\d{2}|this year|last year)", _named_month),
    (r"(?<![a-z])" + MONTH_EN.replace("|may|", "|").replace("|march|", "|").replace("|mar|", "|") + r"(?![a-z])",
     _named_month),
    (_after("in", "to", "vs", "and", "than", "from", "of", "with", "for", "since") + r"(?P<mname>march|mar)(?![a-z])",
     _named_month),
    # 'may' is a month only where a month is expected: after in / to / vs / and / than / from / during
    (_after("in", "to", "vs", "and", "than", "from", "of", "with", "for", "during", "since", "until") +
     r"(?P<mname>may)(?![a-z])", _named_month),
    (_after("in", "during", "for", "of", "since", "year", "full year", "whole year", "fy", "before", "until", "till",
            "up to", "prior to", "earlier than") +
     r"(?P<year>(?:19|20)\d{2})(?![\d\-/.年])(?!\s*(?:q[1-4]|h[12]))", lambda m, t: _whole_year(m, t)),
    # 'repurchase rate 2024': a year closing an English question (not a threshold: 'orders over 2000')
    (r"(?<=[a-z] )" + "".join(f"(?<!{w} )" for w in ("over", "above", "than", "under", "below", "least", "most",
                                                     "exceed", "exceeds", "top", "past", "last", "first")) +
     r"(?P<year>20[1-3]\d)(?=\s*[?？.!]?\s*$)", lambda m, t: _whole_year(m, t)),
    (r"(?<![\d.])(?P<year>[12]\d)\s*年(?:度|全年)?(?![\d底初中末])", lambda m, t: _whole_year(m, t)),  # '24年'
    (r"(?<![a-z])fy\s*(?P<year>(?:19|20)\d{2})(?![\d])", lambda m, t: _whole_year(m, t)),
    (r"(?P<month>1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])\s*月份?", _named_month),
    (r"(?P<year>(?:19|20)\d{2})\s*(?:年(?:度|全年)?|全年)|(?P<year_c>今年|本年|this year|去年|last year|前年)(?:全年)?",
     lambda m, t: _whole_year(_YearMatch(m), t)),
)


class _Rename:
    """Adapts a match whose alternatives use different group names to the names a handler reads."""

    renames: dict[str, str] = {}

    def __init__(self, match: re.Match) -> None:
        self.match = match

    def __getitem__(self, name: str):
        value = self.match.groupdict().get(name)
        return value if value is not None else self.match.groupdict().get(self.renames.get(name, ""))

    def groupdict(self) -> dict:
        return {name: self[name] for name in (*self.match.groupdict(), *self.renames)}

    def group(self, index: int = 0) -> str:
        return self.match.group(index)


class _HalfMatch(_Rename):
    renames = {"half": "half2", "year": "year2"}

    def __getitem__(self, name: str):
        value = super().__getitem__(name)
        for alternative in ("3", "4", "5"):
            value = value if value is not None else self.match.groupdict().get(name + alternative)
        return value


class _QuarterMatch(_Rename):
    renames = {"q": "q2", "year": "year_b"}

    def __getitem__(self, name: str):
        value = super().__getitem__(name)
        return value if value is not None or name != "year" else self.match.groupdict().get("year_e")


class _DayMatch(_Rename):
    renames = {"month": "month_b"}


class _CountMatch(_Rename):
    renames = {"n": "n2"}


class _YearMatch(_Rename):
    renames = {"year": "year_c"}


_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), handler) for pattern, handler in RULES)

def last_complete_month(today: D) -> DateRange:
    """The period a comparison means when the question names none: the last whole month."""
    return DateRange(add_months(today, -1), month_start(today))


def comparison_range(range_: DateRange, compare: str) -> DateRange:
    """The period a comparison looks back to: whole calendar months (a month, a quarter, a year)
    step back by as many months; any other range by its own length.

    >>> comparison_range(DateRange(D(2025, 6, 1), D(2025, 7, 1)), "previous_period")
    DateRange(start=datetime.date(2025, 5, 1), end=datetime.date(2025, 6, 1))
    >>> comparison_range(DateRange(D(2025, 6, 24), D(2025, 7, 1)), "previous_period")
    DateRange(start=datetime.date(2025, 6, 17), end=datetime.date(2025, 6, 24))
    """
    if compare == "same_period_last_year":
        return DateRange(shift_year(range_.start, -1), shift_year(range_.end, -1))
    months = (range_.end.year - range_.start.year) * 12 + range_.end.month - range_.start.month
    if range_.start.day == 1 and range_.end.day == 1 and months > 0:
        return DateRange(add_months(range_.start, -months), range_.start)
    return DateRange(range_.start - dt.timedelta(days=range_.days), range_.start)


_RANGE_SEPARATOR = re.compile(r"\s*(?:至|到|~|～|—|–|-|to|through|until)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class TimeMatch:
    range: DateRange
    start: int  # span of the words in the text
    end: int
    yearless: bool = False  # a month, quarter or festival without a year ('Q4', '6月', '618')


_RELATIVE = re.compile(r"(?:19|20)\d{2}|\d{2}\s*年|[上下本这今昨前近去]|最近|过去|last|this|past|previous|next|"
                       r"yesterday|today|ago|before|week|day|to date|so far|ytd", re.IGNORECASE)


def find_time_ranges(text: str, today: D) -> list[TimeMatch]:
    """Every non-overlapping time expression in ``text``, longest first where they overlap,
    with 'A 至 B' / 'from A to B' merged into one inclusive range."""
    candidates: list[TimeMatch] = []
    for pattern, handler in _COMPILED:
        for match in pattern.finditer(text):
            if not match.group(0).strip():
                continue
            try:
                found = handler(match, today)
            except (ValueError, OverflowError):  # '2025-13', '最近999999天': not a date, so not a time expression
                continue
            candidates.append(TimeMatch(found, match.start(), match.end(), not _RELATIVE.search(match.group(0))))
    candidates.sort(key=lambda m: (-(m.end - m.start), m.start))
    chosen: list[TimeMatch] = []
    for candidate in candidates:
        if all(candidate.end <= c.start or candidate.start >= c.end for c in chosen):
            chosen.append(candidate)
    chosen.sort(key=lambda m: m.start)
    merged: list[TimeMatch] = []
    for match in chosen:
        if merged and _RANGE_SEPARATOR.fullmatch(text[merged[-1].end:match.start]) and \
                merged[-1].range.start < match.range.end:
            previous = merged.pop()
            merged.append(TimeMatch(DateRange(previous.range.start, match.range.end), previous.start, match.end,
                                    previous.yearless and match.yearless))
        else:
            merged.append(match)
    return _open_ended(text, _parts_of_periods(text, merged), today)


# 'since March', '2024年以来', '从1月到现在': from the period's start to today (the year-to-date rule);
# 'up to May', '截至5月底', '到5月为止': every day to the period's end; 'before 2025', '2025年之前': to its start
_SINCE_BEFORE = re.compile(r"(?:(?<![a-z])(?:ever since|since|starting from|starting|beginning)|自从|自打|打从|自)\s*$")
_FROM_BEFORE = re.compile(r"(?:(?<![a-z])from|从)\s*$")
_SINCE_AFTER = re.compile(r"\s*(?:以来|至今|迄今|起|开始(?:到现在|至今)?|到现在|到目前(?:为止)?|到今天|"
                          r"(?:up )?(?:to|till|until) (?:now|date|today)(?![a-z])|onwards?(?![a-z])|"
                          r"and (?:after|later)(?![a-z])|or later(?![a-z]))")
_UNTIL_BEFORE = re.compile(r"(?:(?<![a-z])(?:up to|up till|up until|until|till)(?: the end of)?|by the end of|截至|"
                           r"截止到|截止至|截止|截到|直到)\s*$")
_UNTIL_AFTER = re.compile(r"\s*(?:底|末)?\s*(?:为止|止)")
_PERIOD_END = re.compile(r"\s*(?:底|末)")  # '截至5月底': up to the end of May
_TO_BEFORE = re.compile(r"到\s*$")
_BEFORE_BEFORE = re.compile(r"(?<![a-z])(?:before|prior to|earlier than)\s*$")
_BEFORE_AFTER = re.compile(r"\s*(?:之前|以前)")


def _open_ended(text: str, matches: list[TimeMatch], today: D) -> list[TimeMatch]:
    """A period with words that open one of its ends, as the open range with those words in its span.

    >>> [(m.range.start.isoformat(), m.range.end.isoformat(), m.start, m.end)
    ...  for t in ("gmv since march", "2024年以来", "截至5月底", "before 2025")
    ...  for m in find_time_ranges(t, D(2025, 7, 1))]  # doctest: +NORMALIZE_WHITESPACE
    [('2025-03-01', '2025-07-02', 4, 15), ('2024-01-01', '2025-07-02', 0, 7),
     ('1900-01-01', '2025-06-01', 0, 5), ('1900-01-01', '2025-01-01', 0, 11)]
    """
    result = []
    for match in matches:
        before, after = text[:match.start], text[match.end:]
        since_after = _SINCE_AFTER.match(after)
        since_before = _SINCE_BEFORE.search(before) or (_FROM_BEFORE.search(before) if since_after else None)
        until_before = _UNTIL_BEFORE.search(before)
        until_after = _UNTIL_AFTER.match(after) or (_PERIOD_END.match(after) if until_before else None)
        until_before = until_before or (_TO_BEFORE.search(before) if until_after else None)
        before_before, before_after = _BEFORE_BEFORE.search(before), _BEFORE_AFTER.match(after)
        if since_before or since_after:
            period, opener, closer = DateRange(match.range.start, max(today + _DAY, match.range.end)), \
                since_before, since_after
        elif until_before or until_after:
            period, opener, closer = DateRange(OPEN_START, match.range.end), until_before, until_after
        elif before_before or before_after:
            period, opener, closer = DateRange(OPEN_START, match.range.start), before_before, before_after
        else:
            result.append(match)
            continue
        start = opener.start() if opener else match.start
        end = match.end + (closer.end() if closer else 0)
        if period.start < period.end:
            result.append(TimeMatch(period, start, end, match.yearless))
    return result


_FIRST_N = re.compile(r"\s*的?\s*前\s*(?P<n>" + NUMBER + r")\s*(?P<unit>天|日|周|星期|个月|月|个季度|季度)")
_PART_OF_MONTH = re.compile(r"\s*的?\s*(?P<part>上旬|中旬|下旬)")
_THE_DAY = re.compile(r"\s*(?:当天|当日|那天|那一天|正日子)")


def _parts_of_periods(text: str, matches: list[TimeMatch]) -> list[TimeMatch]:
    """A part of the period just named: '今年前3个月' (its first 3 months, not the last 3 before today),
    '6月上旬', '618当天' (the festival's own day)."""
    result: list[TimeMatch] = []
    for match in matches:
        if result and result[-1].end > match.start:
            continue  # swallowed by the part before it
        first, part, day = (pattern.match(text, match.end) for pattern in (_FIRST_N, _PART_OF_MONTH, _THE_DAY))
        start, period = match.range.start, match.range
        if first:
            count, unit = to_number(first["n"]), first["unit"]
            end = start + dt.timedelta(days=count * (7 if unit in ("周", "星期") else 1)) if unit in (
                "天", "日", "周", "星期") else add_months(start, count * (3 if "季度" in unit else 1))
            period, found = DateRange(start, min(end, period.end)), first
        elif part and period == DateRange(month_start(start), add_months(month_start(start), 1)):
            begin = {"上旬": 1, "中旬": 11, "下旬": 21}[part["part"]]
            period = DateRange(start.replace(day=begin), start.replace(day=begin + 10) if begin < 21 else period.end)
            found = part
        elif day and festival_name(period):
            period, found = DateRange(period.end - _DAY, period.end), day
        else:
            result.append(match)
            continue
        result.append(TimeMatch(period, match.start, found.end(), match.yearless))
    return result


def resolve_time_expression(text: str, today: D) -> DateRange:
    """Resolve a text that is exactly one time expression (or 'A to B').

    >>> resolve_time_expression("上个月", D(2025, 7, 1))
    DateRange(start=datetime.date(2025, 6, 1), end=datetime.date(2025, 7, 1))
    >>> resolve_time_expression("last 7 days", D(2025, 7, 1)).label()
    '2025-06-24 ~ 2025-06-30'
    """
    cleaned = text.strip()
    matches = find_time_ranges(cleaned, today)
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(cleaned):
        return matches[0].range
    raise QueryInvalid(f"无法理解的时间表达: {text!r}", f"unrecognised time expression: {text!r}",
                       ("上个月", "最近7天", "今年", "2025年Q2", "2025-03"))
