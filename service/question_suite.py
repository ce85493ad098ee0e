"""A generated question suite with its gold known by construction: questions composed from any
model's catalog (metric names, unit words and verbs, dimension words, values, named sets) and the
language's question forms, each with the SemanticQuery it means, in Chinese and English, with
everyday noise (fillers, spaces, quotes, full-width characters, one-letter typos of English words,
homophone typos of Chinese names). Deterministic for a seed. Besides answerable questions it writes
questions that must be asked back (a word nobody defined, an all-time figure with a period) and
requests to change data that must be refused. ``chatbi suite`` writes it as JSONL for ``chatbi eval``."""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba
from pypinyin import Style, lazy_pinyin

from semantic_layer.describe import query_json
from semantic_layer.model import Dimension, Metric, SemanticModel
from semantic_layer.parser.compose import line_level_metric
from semantic_layer.parser.words import AMOUNT_UNITS
from semantic_layer.query import DimensionRef, EachHaving, Filter, Having, OrderBy, SemanticQuery, TimeRange
from semantic_layer.resolve import allowed_dimensions, counted_entity, figure_of_each, has_time
from semantic_layer.timeexpr import DateRange, resolve_time_expression, same_part_of_year

# time words of the language, all in the past of the reference date (an empty period says nothing)
TIME_WORDS = (("上个月", "last month"), ("去年", "last year"), ("最近7天", "the last 7 days"),
              ("最近30天", "the last 30 days"), ("上周", "last week"), ("上季度", "last quarter"),
              ("今年", "this year"), ("昨天", "yesterday"), ("最近90天", "the past 90 days"),
              ("去年上半年", "the first half of last year"), ("2025年3月", "March 2025"), ("2024年Q4", "Q4 2024"))
# two periods that are neither the one before nor the same a year earlier
PERIOD_PAIRS = (("2025年5月", "2025年2月", "May 2025", "February 2025"), ("2025年Q2", "2024年Q3", "Q2 2025", "Q3 2024"),
                ("今年", "去年全年", "this year", "all of last year"))
# periods open at one end: since a month (to today), up to the end of a month, before a year
OPEN_MONTHS = ((2025, 3, "2025年3月", "March 2025"), (2024, 10, "2024年10月", "October 2024"),
               (2025, 1, "2025年1月", "January 2025"))
SINCE = (["{p}以来的{m}", "从{p}到现在{m}多少", "自{p}起{m}"], ["{m} since {p}", "{m} from {p} to date", "{m} {p} onwards"])
UNTIL = (["截至{p}底的{m}", "到{p}为止{m}是多少"], ["{m} up to {p}", "{m} until the end of {p}"])
BEFORE = (["{y}年之前的{m}", "{y}年以前{m}多少"], ["{m} before {y}", "{m} prior to {y}"])
EARLIER_THAN_ANY_DATA = dt.date(2000, 1, 1)
# two values: each beside the other, or one figure for either
SIDE_BY_SIDE = (["{t}{a}和{b}的{m}", "{a}跟{b}{t}{m}哪个高"], ["{m} of {a} and {b} {t}", "{a} vs {b}: {m} {t}"])
EITHER = (["{t}{a}或{b}的{m}", "{a}或者{b}{t}{m}一共多少"], ["{m} of {a} or {b} {t}", "{t} {m} for {a} or {b}"])
GRAINS = (("按月", "by month", "month"), ("每周", "weekly", "week"), ("按天", "daily", "day"),
          ("按季度", "by quarter", "quarter"), ("每月", "monthly", "month"))
FILLERS_ZH = ("", "", "", "帮我看下", "请问", "麻烦统计一下", "咱们", "看一下", "查一下")
FILLERS_EN = ("", "", "", "please show me ", "can you pull ", "quick one: ", "hi, ")
ENDINGS_ZH = ("", "", "", "？", "呢", "是多少", "啊", "？？", "。")
ENDINGS_EN = ("", "", "", "?", " please", " pls", "??")
# words that name nothing in any model here: a question with one must be asked back
UNKNOWN_ZH = ("天气", "库存量", "粉丝数", "点击量", "利润额", "好评数", "工资", "停车位", "毛利额", "曝光量")
UNKNOWN_EN = ("weather", "inventory", "followers", "clicks", "salary", "parking", "headcount", "impressions")
WRITES = (("删除{time}的所有数据", "delete all data from {time}"), ("把{metric}改成100万", "update {metric} to 1000000"),
          ("清空{dimension}表", "truncate the {dimension} table"), ("帮我插入一条测试数据", "insert a test row please"),
          ("把{time}的{metric}数据都删掉", "drop all {metric} records for {time}"))


@dataclass
class Item:
    question: str
    query: SemanticQuery | None  # the gold; None when the answer must not be a number
    kind: str
    expect: str = "ok"
    ordered: bool = False
    conversation: str | None = None
    numbers_only: bool = False  # compare the figures, not the groups' labels


@lru_cache(maxsize=1)
def _homophones() -> dict[str, list[str]]:
    """Common characters by their pinyin: the typos a pinyin keyboard makes."""
    jieba.initialize()
    by_sound: dict[str, list[str]] = {}
    for char, frequency in jieba.dt.FREQ.items():
        if len(char) == 1 and "\u4e00" <= char <= "\u9fff" and frequency > 2000:
            by_sound.setdefault(lazy_pinyin(char, style=Style.NORMAL)[0], []).append(char)
    return by_sound


class SuiteWriter:
    def __init__(self, model: SemanticModel, values: dict[str, list[str]], today: dt.date, seed: int = 7) -> None:
        self.model = model
        self.today = today
        self.rng = random.Random(seed)
        self.words = {w.casefold() for m in model.metrics for w in (m.name.zh, m.name.en, *m.synonyms, *m.verbs,
                                                                    *m.unit_words)} | {
            w.casefold() for d in model.dimensions for w in (d.label.zh, d.label.en, *d.synonyms)}
        self.values = self._unambiguous_values(values)
        self.metrics = list(model.metrics)
        self.forms: list[Callable[[str], list[Item]]] = [
            self.how_much, self.how_much, self.two_filters, self.breakdown, self.breakdown_with_filter, self.trend,
            self.top_n, self.which_highest, self.compare, self.named_periods, self.threshold, self.each_limit, self.share,
            self.side_by_side, self.unit_cue, self.people, self.exclusion, self.named_set, self.versus,
            self.follow_up, self.follow_up, self.unknown_word, self.write, self.all_time_with_period,
            self.why_it_changed, self.cohorts, self.test_results, self.customer_lists, self.name_by_part,
            self.open_period, self.either]
        self.all_values = values

    # ---- vocabulary ----------------------------------------------------------------------------
    def _unambiguous_values(self, values: dict[str, list[str]]) -> dict[str, list[str]]:
        """Values whose name means one dimension only (上海 is a city and a province: left out)."""
        owners: dict[str, set[str]] = {}
        for dimension, names in values.items():
            for name in names:
                owners.setdefault(name, set()).add(dimension)
        return {d: [v for v in names if len(owners[v]) == 1 and v.casefold() not in self.words and len(v) >= 2]
                for d, names in values.items()}

    def _metric_word(self, metric: Metric, language: str) -> str:
        words = [metric.name.pick(language)] + [s for s in metric.synonyms if s.isascii() == (language == "en")]
        return self.rng.choice(words)

    def _dimension_word(self, dimension: Dimension, language: str) -> str:
        words = [dimension.label.pick(language)] + [s for s in dimension.synonyms if s.isascii() == (
            language == "en") and len(s) >= 2]
        return self.rng.choice(words)

    def _value(self, dimension: Dimension) -> str:
        return self.rng.choice(self.values[dimension.id])

    def _time(self) -> tuple[str, str, DateRange]:
        zh, en = self.rng.choice(TIME_WORDS)
        return zh, en, resolve_time_expression(zh, self.today)

    def _dimensions(self, metric: Metric, least: int = 1) -> list[Dimension]:
        """Dimensions to filter or split a dated figure by; not those evaluated over their own window
        ('加购未付款': carted in the last 7 days), where '最近7天' beside the value is the value's."""
        return [d for d in allowed_dimensions(self.model, metric)
                if not d.time and not d.window_days and len(self.values.get(d.id, [])) >= least]

    def _dated_metric(self) -> Metric:
        return self.rng.choice([m for m in self.metrics if has_time(self.model, m)])

    def _query(self, metric: Metric, dimensions=(), **fields) -> SemanticQuery:
        refs = [d if isinstance(d, DimensionRef) else DimensionRef(name=d) for d in dimensions]
        metric_id = line_level_metric(self.model, metric.id, refs)
        for key, attribute in (("order_by", "field"), ("having", "metric")):
            if key in fields:
                fields[key] = [item.model_copy(update={attribute: metric_id}) for item in fields[key]]
        return SemanticQuery(metrics=[metric_id], dimensions=refs, **fields)

    @staticmethod
    def _range(time_range: DateRange) -> TimeRange:
        return TimeRange(start=time_range.start, end=time_range.end)

    # ---- noise ----------------------------------------------------------------------------------
    def _quoted(self, value: str) -> str:
        if self.rng.random() < 0.15:
            left, right = self.rng.choice((("「", "」"), ("“", "”"), ("'", "'"), ("【", "】")))
            return f"{left}{value}{right}"
        return value

    def _typo(self, word: str) -> str:
        """Now and then one swapped letter in a long English word, or one Chinese character of a
        long name typed as another with the same sound."""
        if self.rng.random() > 0.08:
            return word
        if word.isascii() and word.isalpha() and len(word) >= 7:
            i = self.rng.randrange(1, len(word) - 2)
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if not word.isascii() and len(word) >= 3:
            i = self.rng.randrange(len(word))
            sounds = [c for c in _homophones().get(lazy_pinyin(word[i], style=Style.NORMAL)[0], []) if c != word[i]]
            if sounds and "\u4e00" <= word[i] <= "\u9fff":
                return word[:i] + self.rng.choice(sounds) + word[i + 1:]
        return word

    def _frame(self, text: str, language: str) -> str:
        if language == "zh":
            text = self.rng.choice(FILLERS_ZH) + text + self.rng.choice(ENDINGS_ZH)
            if self.rng.random() < 0.1:
                text = " ".join(text)  # spaces typed between the characters
        else:
            text = self.rng.choice(FILLERS_EN) + text + self.rng.choice(ENDINGS_EN)
            if self.rng.random() < 0.2:
                text = text[0].upper() + text[1:]
        if self.rng.random() < 0.08:  # a full-width keyboard
            text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
        return text

    def _say(self, language: str, zh: list[str], en: list[str], **slots) -> str:
        template = self.rng.choice(zh if language == "zh" else en)
        if language == "en":
            return " ".join(template.format(**slots).split())
        # a name that starts with a number is typed apart from a time before it ('2024年Q4 2025年3月拉新-小红书'),
        # as anyone would: glued on, nobody could tell where the period ends
        return template.format(**{k: f" {v}" if isinstance(v, str) and v[:1].isdigit() else v
                                  for k, v in slots.items()}).strip()

    # ---- question forms ---------------------------------------------------------------------------
    def how_much(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        zh, en, period = self._time()
        word = self._typo(self._metric_word(metric, language))
        dimensions = self._dimensions(metric)
        if dimensions and self.rng.random() < 0.6:
            dimension = self.rng.choice(dimensions)
            value = self._value(dimension)
            value = f" {value}" if value[0].isdigit() and language == "zh" else value  # '2024年Q4 2024年双11...' 
            text = self._say(language, ["{t}{v}的{m}", "{v}{t}{m}多少", "{v} {t} {m}", "{t}{v}{m}是多少"],
                             ["{m} for {v} {t}", "what was {m} for {v} {t}", "{t}, {v}, {m}", "{v} {m} {t}"],
                             t=zh if language == "zh" else en, v=self._quoted(value), m=word)
            filters = [Filter(dimension=dimension.id, value=value)]
        else:
            text = self._say(language, ["{t}的{m}", "{t}{m}多少", "{m} {t}", "{t}{m}是多少"],
                             ["{m} {t}", "what was our {m} {t}", "{t} {m}", "{m} for {t}"],
                             t=zh if language == "zh" else en, m=word)
            filters = []
        return [Item(self._frame(text, language), self._query(metric, filters=filters,
                                                              time_range=self._range(period)), "how_much")]

    def two_filters(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        dimensions = self._dimensions(metric)
        if len(dimensions) < 2:
            return []
        first, second = self.rng.sample(dimensions, 2)
        v1, v2 = self._value(first), self._value(second)
        zh, en, period = self._time()
        text = self._say(language, ["{t}{a}{b}的{m}", "{a}的{b}{t}{m}多少"], ["{m} for {a} and {b} {t}",
                                                                          "{t} {m} of {a} in {b}"],
                         t=zh if language == "zh" else en, a=self._quoted(v1), b=v2,
                         m=self._metric_word(metric, language))
        query = self._query(metric, filters=[Filter(dimension=first.id, value=v1), Filter(dimension=second.id, value=v2)],
                            time_range=self._range(period))
        return [Item(self._frame(text, language), query, "two_filters")]

    def breakdown(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        dimension = self.rng.choice(self._dimensions(metric) or [None])
        if dimension is None:
            return []
        zh, en, period = self._time()
        text = self._say(language, ["{t}各{d}的{m}", "按{d}看{t}的{m}", "{t}{m} 分{d}", "{t}每个{d}的{m}"],
                         ["{m} by {d} {t}", "{t} {m} broken down by {d}", "{m} for each {d} {t}", "{m} per {d} {t}"],
                         t=zh if language == "zh" else en, d=self._dimension_word(dimension, language),
                         m=self._typo(self._metric_word(metric, language)))
        return [Item(self._frame(text, language), self._query(metric, [dimension.id], time_range=self._range(period)),
                     "breakdown")]

    def breakdown_with_filter(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        dimensions = self._dimensions(metric)
        if len(dimensions) < 2:
            return []
        by, where = self.rng.sample(dimensions, 2)
        value = self._value(where)
        zh, en, period = self._time()
        text = self._say(language, ["{t}{v}各{d}的{m}", "{v}的{m}按{d}拆分 {t}"], ["{m} by {d} for {v} {t}",
                                                                               "{t}, {v}: {m} by {d}"],
                         t=zh if language == "zh" else en, v=self._quoted(value),
                         d=self._dimension_word(by, language), m=self._metric_word(metric, language))
        query = self._query(metric, [by.id], filters=[Filter(dimension=where.id, value=value)],
                            time_range=self._range(period))
        return [Item(self._frame(text, language), query, "breakdown_with_filter")]

    def trend(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        zh_grain, en_grain, grain = self.rng.choice(GRAINS)
        zh, en = ("今年", "this year") if grain in ("month", "quarter") else ("上个月", "last month")
        text = self._say(language, ["{t}{g}的{m}", "{m}{g}趋势 {t}", "{t}的{m}，{g}"], ["{m} {g} {t}", "{t} {m} {g}"],
                         t=zh if language == "zh" else en, g=zh_grain if language == "zh" else en_grain,
                         m=self._metric_word(metric, language))
        query = self._query(metric, [DimensionRef(name=self.model.time_dimension, grain=grain)],
                            time_range=self._range(resolve_time_expression(zh, self.today)))
        return [Item(self._frame(text, language), query, "trend")]

    def top_n(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        dimensions = self._dimensions(metric, least=6)
        if not dimensions:
            return []
        dimension, count = self.rng.choice(dimensions), self.rng.choice((3, 5))
        zh, en, period = self._time()
        text = self._say(language, ["{t}{m}最高的{n}个{d}", "{t}{m}排名前{n}的{d}", "{d} {m} top{n} {t}"],
                         ["top {n} {d} by {m} {t}", "the {n} {d} with the highest {m} {t}", "{t} top {n} {d} by {m}"],
                         t=zh if language == "zh" else en, n=count, d=self._dimension_word(dimension, language),
                         m=self._metric_word(metric, language))
        query = self._query(metric, [dimension.id], time_range=self._range(period), limit=count,
                            order_by=[OrderBy(field=metric.id, direction="desc")])
        return [Item(self._frame(text, language), query, "top_n", ordered=True)]

    def which_highest(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        dimension = self.rng.choice(self._dimensions(metric, least=2) or [None])
        if dimension is None:
            return []
        zh, en, period = self._time()
        lowest = self.rng.random() < 0.3
        text = self._say(language, ["{t}哪个{d}的{m}最{hl}", "{t}{m}最{hl}的是哪个{d}", "{t}{m}最{hl}的{d}"],
                         ["which {d} had the {hl_en} {m} {t}", "{t}, which {d} has the {hl_en} {m}?",
                          "the {d} with the {hl_en} {m} {t}"],
                         t=zh if language == "zh" else en, d=self._dimension_word(dimension, language),
                         m=self._metric_word(metric, language), hl="低" if lowest else "高",
                         hl_en="lowest" if lowest else "highest")
        query = self._query(metric, [dimension.id], time_range=self._range(period), limit=1,
                            order_by=[OrderBy(field=metric.id, direction="asc" if lowest else "desc")])
        return [Item(self._frame(text, language), query, "which_highest")]

    def compare(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        zh, en, period = self._time()
        kind = self.rng.choice(("previous_period", "same_period_last_year"))
        cue = {"previous_period": (["环比", "跟上期比", "较上期"], ["vs previous period", "period over period"]),
               "same_period_last_year": (["同比", "和去年同期比", "跟去年同期比"],
                                         ["year over year", "vs the same period last year", "yoy"])}[kind]
        text = self._say(language, ["{t}{m}{c}", "{t}的{m}，{c}"], ["{m} {t} {c}", "{t} {m}, {c}"],
                         t=zh if language == "zh" else en, m=self._metric_word(metric, language),
                         c=self.rng.choice(cue[0] if language == "zh" else cue[1]))
        return [Item(self._frame(text, language), self._query(metric, time_range=self._range(period), compare=kind),
                     "compare")]

    def named_periods(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        later_zh, earlier_zh, later_en, earlier_en = self.rng.choice(PERIOD_PAIRS)
        later, earlier = (resolve_time_expression(t, self.today) for t in (later_zh, earlier_zh))
        text = self._say(language, ["{a}和{b}的{m}对比", "{m} {a} vs {b}", "{a}跟{b}比 {m}"],
                         ["{m} {a} vs {b}", "compare {m} in {a} with {b}"],
                         a=later_zh if language == "zh" else later_en, b=earlier_zh if language == "zh" else earlier_en,
                         m=self._metric_word(metric, language))
        query = self._query(metric, time_range=self._range(later), compare="period", compare_to=self._range(earlier))
        return [Item(self._frame(text, language), query, "named_periods")]

    def threshold(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        dimension = self.rng.choice(self._dimensions(metric, least=3) or [None])
        if dimension is None or metric.format not in ("money", "count"):
            return []
        amount, shown = self.rng.choice(((1000, ("1000", "1000")), (5000, ("5000", "5k")), (100000, ("10万", "100k"))))
        text = self._say(language, ["{m}超过{x}的{d}", "{m}大于{x}的{d}有哪些"], ["{d} with {m} over {x}",
                                                                          "which {d} had more than {x} {m}"],
                         m=self._metric_word(metric, language), x=shown[0] if language == "zh" else shown[1],
                         d=self._dimension_word(dimension, language))
        query = self._query(metric, [dimension.id], having=[Having(metric=metric.id, op=">", value=amount)])
        return [Item(self._frame(text, language), query, "threshold")]

    def each_limit(self, language: str) -> list[Item]:
        """'今年买了超过3单的客户有多少': a limit on each one a metric counts, by a unit word that only the
        limited figure has among the metrics whose rows reach them."""
        english = language == "en"
        counters = [m for m in self.metrics if counted_entity(self.model, m)]
        # a noun says the first metric that counts with it (客户: buyers, before customers and sign-ups)
        nouns = [(u, m) for m in counters if has_time(self.model, m) for u in m.unit_words
                 if u.isascii() == english and len(u) >= (4 if english else 2)
                 and next(c for c in counters if u in c.unit_words) == m]
        if not nouns:
            return []
        noun, per = self.rng.choice(nouns)
        entity = counted_entity(self.model, per)

        def reaches(metric: Metric) -> bool:
            return figure_of_each(self.model, metric, entity)
        units = [(u, m) for m in self.metrics if reaches(m) for u in m.unit_words if u.isascii() == english
                 and [o for o in self.metrics if u in o.unit_words and reaches(o)] == [m] and u != noun
                 and (not english or len(u) >= 4) and not u.startswith(tuple(AMOUNT_UNITS))]  # not '1000万元'
        if not units:
            return []
        unit, figure = self.rng.choice(units)
        amount = self.rng.choice((1000, 5000) if figure.format == "money" else (2, 3, 5))
        zh, en, period = self._time()
        text = self._say(language, ["{t}超过{x}{u}的{n}有多少", "{t}至少{x}{u}的{n}有几个"],
                         ["how many {n} with more than {x} {u} {t}", "number of {n} with at least {x} {u} {t}"],
                         t=en if english else zh, x=amount, u=unit, n=noun)
        op = ">=" if "至少" in text or "at least" in text else ">"
        query = SemanticQuery(metrics=[per.id], time_range=self._range(period),
                              each_having=[EachHaving(per=per.id, metric=figure.id, op=op, value=amount)])
        return [Item(self._frame(text, language), query, "each_limit")]

    def share(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        dimension = self.rng.choice(self._dimensions(metric) or [None])
        if dimension is None or metric.format not in ("money", "count"):
            return []
        zh, en, period = self._time()
        text = self._say(language, ["{t}各{d}的{m}占比", "{t}{m}的{d}构成", "{t}各{d}{m}百分比"],
                         ["share of {m} by {d} {t}", "{t} {m} share by {d}", "{m} by {d} {t}, as %"],
                         t=zh if language == "zh" else en, d=self._dimension_word(dimension, language),
                         m=self._metric_word(metric, language))
        return [Item(self._frame(text, language),
                     self._query(metric, [dimension.id], time_range=self._range(period), chart="pie"), "share")]

    def open_period(self, language: str) -> list[Item]:
        """'3月以来的GMV', 'GMV up to October 2024', '2025年之前的订单数': a period open at one end."""
        metric = self._dated_metric()
        year, month, zh, en = self.rng.choice(OPEN_MONTHS)
        kind = self.rng.choice(("since", "until", "before"))
        templates = {"since": SINCE, "until": UNTIL, "before": BEFORE}[kind]
        text = self._say(language, *templates, p=zh if language == "zh" else en, y=year,
                         m=self._metric_word(metric, language))
        start = dt.date(year, month, 1)
        period = {"since": (start, self.today + dt.timedelta(days=1)),
                  "until": (EARLIER_THAN_ANY_DATA, start.replace(year=year + month // 12, month=month % 12 + 1)),
                  "before": (EARLIER_THAN_ANY_DATA, dt.date(year, 1, 1))}[kind]
        return [Item(self._frame(text, language), self._query(metric, time_range=TimeRange(start=period[0],
                                                                                            end=period[1])),
                     "open_period")]

    def either(self, language: str) -> list[Item]:
        """'金卡或黑金的GMV': two values joined by 'or', one figure for both."""
        return self._two_values(language, EITHER, "either", split=False)

    def side_by_side(self, language: str) -> list[Item]:
        """'天猫和京东的GMV': two values, each with its figure."""
        return self._two_values(language, SIDE_BY_SIDE, "side_by_side", split=True)

    def _two_values(self, language: str, templates: tuple[list[str], list[str]], kind: str,
                    split: bool) -> list[Item]:
        metric = self._dated_metric()
        dimension = self.rng.choice(self._dimensions(metric, least=3) or [None])
        if dimension is None:
            return []
        first, second = self.rng.sample(self.values[dimension.id], 2)
        zh, en, period = self._time()
        text = self._say(language, *templates, t=zh if language == "zh" else en, a=first, b=second,
                         m=self._metric_word(metric, language))
        query = self._query(metric, [dimension.id] if split else [],
                            filters=[Filter(dimension=dimension.id, op="in", value=[first, second])],
                            time_range=self._range(period))
        return [Item(self._frame(text, language), query, kind)]

    def unit_cue(self, language: str) -> list[Item]:
        """'上个月卖了几件': a unit word that only one metric has, with one of its verbs."""
        owners: dict[str, list[Metric]] = {}
        for metric in self.metrics:
            for unit in metric.unit_words:
                owners.setdefault(unit, []).append(metric)
        verbs = lambda m: [v for v in m.verbs if v.isascii() == (language == "en")]  # noqa: E731
        pairs = [(unit, metrics[0]) for unit, metrics in owners.items() if len(metrics) == 1 and
                 has_time(self.model, metrics[0]) and unit.isascii() == (language == "en") and verbs(metrics[0])
                 and len(unit) >= (3 if language == "en" else 1)]
        if not pairs:
            return []
        unit, metric = self.rng.choice(pairs)
        zh, en, period = self._time()
        text = self._say(language, ["{t}{verb}了多少{u}", "{t}一共{verb}了几{u}"], ["how many {u} did we {verb} {t}"],
                         t=zh if language == "zh" else en, verb=self.rng.choice(verbs(metric)), u=unit)
        return [Item(self._frame(text, language), self._query(metric, time_range=self._range(period)), "unit_cue")]

    def people(self, language: str) -> list[Item]:
        """People counts the model tells apart: the base (a unit word, no verb), those who did the
        verb in a period, and - negated - those who did not."""
        shared = [(u, [m for m in self.metrics if u in m.unit_words]) for u in
                  {u for m in self.metrics for u in m.unit_words if u.isascii() == (language == "en")}]
        pairs = [(u, base, actor) for u, ms in shared for base in ms for actor in ms
                 if not base.verbs and actor.verbs and base.time_scope == "all_time" and has_time(self.model, actor)
                 and (len(u) >= 2 or u == "人")]  # a noun, not a bare classifier such as 名
        if not pairs:
            return []
        unit, base, actor = self.rng.choice(pairs)
        verbs = [v for v in actor.verbs if v.isascii() == (language == "en") and len(v) <= 4]
        complement = next((m for m in self.metrics if m.complement_of == actor.id), None)
        dimensions = [d for d in self._dimensions(base) if d in allowed_dimensions(self.model, actor)
                      and (complement is None or d in allowed_dimensions(self.model, complement))]
        if not verbs or not dimensions:
            return []
        dimension = self.rng.choice(dimensions)
        value = self._value(dimension)
        zh, en, period = self._time()
        choice = self.rng.random()
        if choice < 0.4:
            text = self._say(language, ["{v}有多少{u}", "{v}一共多少{u}"], ["how many {u} does {v} have",
                                                                      "number of {u} in {v}"], v=value, u=unit)
            query = self._query(base, filters=[Filter(dimension=dimension.id, value=value)])
        elif choice < 0.7 or complement is None:
            text = self._say(language, ["{t}{v}有多少{u}{verb}了", "{t}{v}{verb}过的{u}有多少"],
                             ["how many {u} in {v} {verb} {t}"], t=zh if language == "zh" else en, v=value, u=unit,
                             verb=self.rng.choice(verbs))
            query = self._query(actor, filters=[Filter(dimension=dimension.id, value=value)],
                                time_range=self._range(period))
        else:
            text = self._say(language, ["{t}没{verb}过的{v}{u}有多少", "{t}{v}里没有{verb}过的{u}有多少"],
                             ["how many {u} in {v} have not {verb} {t}"], t=zh if language == "zh" else en,
                             v=value, u=unit, verb=self.rng.choice(verbs))
            query = self._query(complement, filters=[Filter(dimension=dimension.id, value=value)],
                                time_range=self._range(period))
        return [Item(self._frame(text, language), query, "people")]

    def _one_of_several(self) -> tuple[Metric, Dimension, str] | None:
        """A dated metric, a dimension of at least three values it can use, and one of them."""
        metric = self._dated_metric()
        dimension = self.rng.choice(self._dimensions(metric, least=3) or [None])
        return None if dimension is None else (metric, dimension, self._value(dimension))

    def name_by_part(self, language: str) -> list[Item]:
        """A long Chinese name said by its first and last words ('胶原晚霜' for 胶原紧致晚霜), where those
        words are in that one name only and are no words of the model's."""
        metric = self._dated_metric()
        options = []
        for dimension in self._dimensions(metric):
            for value in self.values[dimension.id]:
                pieces = jieba.lcut(value) if all("\u3400" <= ch <= "\u9fff" for ch in value) else []
                if len(pieces) >= 3 and min(len(pieces[0]), len(pieces[-1])) >= 2 and self._only_in(
                        value, pieces[0]) and self._only_in(value, pieces[-1]):
                    options.append((dimension, value, pieces[0] + pieces[-1]))
        if not options:
            return []
        kind = self.rng.choice(sorted({d.id for d, _, _ in options}))  # each dimension as likely as another
        dimension, value, said = self.rng.choice([o for o in options if o[0].id == kind])
        zh, en, period = self._time()
        text = self._say(language, ["{v}{t}的{m}", "{t}{v}{m}多少"], ["{m} of {v} {t}", "{v} {m} {t}"],
                         t=zh if language == "zh" else en, v=said, m=self._metric_word(metric, language))
        query = self._query(metric, filters=[Filter(dimension=dimension.id, value=value)],
                            time_range=self._range(period))
        return [Item(self._frame(text, language), query, "name_by_part")]

    def _only_in(self, value: str, part: str) -> bool:
        """Is ``part`` inside this one value of the model's and no whole value or word itself?"""
        holders = {v for names in self.all_values.values() for v in names if part in v}
        return holders == {value} and part not in self.words

    def exclusion(self, language: str) -> list[Item]:
        chosen = self._one_of_several()
        if chosen is None:
            return []
        metric, dimension, value = chosen
        zh, en, period = self._time()
        text = self._say(language, ["{t}除了{v}以外的{m}", "{t}不含{v}的{m}", "{m}（除{v}外）{t}"],
                         ["{m} {t} excluding {v}", "{m} {t} without {v}", "{t} {m} except {v}"],
                         t=zh if language == "zh" else en, v=self._quoted(value), m=self._metric_word(metric, language))
        query = self._query(metric, filters=[Filter(dimension=dimension.id, op="!=", value=value)],
                            time_range=self._range(period))
        return [Item(self._frame(text, language), query, "exclusion")]

    def named_set(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        options = [(d, name, members) for d in allowed_dimensions(self.model, metric) for name, members in
                   d.named_sets.items() if name.isascii() == (language == "en")]
        if not options:
            return []
        dimension, name, members = self.rng.choice(options)
        zh, en, period = self._time()
        text = self._say(language, ["{t}{s}的{m}", "{s}{t}{m}多少"], ["{m} in {s} {t}", "{t} {m} for {s}"],
                         t=zh if language == "zh" else en, s=name, m=self._metric_word(metric, language))
        query = self._query(metric, filters=[Filter(dimension=dimension.id, op="in", value=list(members))],
                            time_range=self._range(period))
        return [Item(self._frame(text, language), query, "named_set")]

    def versus(self, language: str) -> list[Item]:
        chosen = self._one_of_several()
        if chosen is None:
            return []
        metric, dimension, value = chosen
        text = self._say(language, ["{v}的{m}比其他{d}高吗", "{v}和其他{d}比 {m}怎么样", "{v}的{m}跟其余{d}比"],
                         ["is {m} of {v} higher than all other {d}?", "{m}: {v} vs all other {d}",
                          "how does {v} compare with the other {d} on {m}"],
                         v=value, m=self._metric_word(metric, language), d=self._dimension_word(dimension, language))
        query = self._query(metric, [DimensionRef(name=dimension.id, versus=[value])])
        return [Item(self._frame(text, language), query, "versus", numbers_only=True)]

    def follow_up(self, language: str) -> list[Item]:
        metric = self._dated_metric()
        dimensions = self._dimensions(metric, least=2)
        if not dimensions:
            return []
        dimension = self.rng.choice(dimensions)
        first, second = self.rng.sample(self.values[dimension.id], 2)
        zh, en, period = self._time()
        thread = f"t{self.rng.randrange(10**9)}"
        base = self._query(metric, filters=[Filter(dimension=dimension.id, value=first)], time_range=self._range(period))
        opening = self._say(language, ["{t}{v}的{m}"], ["{m} for {v} {t}"], t=zh if language == "zh" else en,
                            v=first, m=self._metric_word(metric, language))
        edit = self.rng.choice(("value", "compare", "breakdown", "metric", "period"))
        if edit == "value":
            text = self._say(language, ["那{v}呢", "换成{v}", "{v}呢"], ["what about {v}?", "and {v}?", "{v} instead"],
                             v=second)
            then = base.model_copy(update={"filters": [Filter(dimension=dimension.id, value=second)]})
        elif edit == "compare":
            text = self._say(language, ["环比呢", "跟上期比呢"], ["and vs the previous period?", "compare with the period before"])
            then = base.model_copy(update={"compare": "previous_period"})
        elif edit == "period":
            other_zh, other_en, other = self.rng.choice([t for t in (self._time() for _ in range(5)) if t[2] != period]
                                                        or [self._time()])
            text = self._say(language, ["换成{t}", "那{t}呢"], ["what about {t}?", "{t} instead"],
                             t=other_zh if language == "zh" else other_en)
            then = base.model_copy(update={"time_range": self._range(same_part_of_year(other, period, self.today))})
        elif edit == "metric":
            others = [m for m in self.metrics if m.id != metric.id and has_time(self.model, m)
                      and dimension in allowed_dimensions(self.model, m)]
            if not others:
                return []
            second_metric = self.rng.choice(others)
            text = self._say(language, ["换成{m}", "那{m}呢"], ["what about {m}?", "{m} instead"],
                             m=self._metric_word(second_metric, language))
            then = self._query(second_metric, filters=base.filters, time_range=base.time_range)
        else:
            others = [d for d in self._dimensions(metric) if d.id != dimension.id]
            if not others:
                return []
            other = self.rng.choice(others)
            text = self._say(language, ["按{d}拆分", "那按{d}看呢"], ["break it down by {d}", "now by {d}"],
                             d=self._dimension_word(other, language))
            then = self._query(metric, [other.id], filters=base.filters, time_range=base.time_range)
        return [Item(opening, base, "follow_up", conversation=thread),
                Item(text, then, "follow_up", conversation=thread)]

    def unknown_word(self, language: str) -> list[Item]:
        """A word no model here defines, in an otherwise plain question: it must be asked back."""
        metric = self._dated_metric()
        zh, en, _ = self._time()
        unknown = self.rng.choice(UNKNOWN_ZH if language == "zh" else UNKNOWN_EN)
        text = self._say(language, ["{t}{x}和{m}", "{t}的{x}", "{m}按{x}拆分"], ["{m} and {x} {t}", "{x} {t}",
                                                                          "{m} by {x}"],
                         t=zh if language == "zh" else en, x=unknown, m=self._metric_word(metric, language))
        return [Item(self._frame(text, language), None, "unknown_word", expect="clarify")]

    def write(self, language: str) -> list[Item]:
        zh, en = self.rng.choice(WRITES)
        metric = self._dated_metric()
        dimension = self.rng.choice([d for d in self.model.dimensions if not d.time])
        time_zh, time_en, _ = self._time()
        text = (zh if language == "zh" else en).format(
            time=time_zh if language == "zh" else time_en, metric=metric.name.pick(language),
            dimension=dimension.label.pick(language))
        return [Item(text, None, "write", expect="read_only")]

    def all_time_with_period(self, language: str) -> list[Item]:
        """An all-time figure asked for a period: asked back, not answered for all time."""
        lifetime = [m for m in self.metrics if m.time_scope == "all_time"]
        if not lifetime:
            return []
        metric = self.rng.choice(lifetime)
        zh, en, _ = self._time()
        text = f"{zh}的{metric.name.zh}" if language == "zh" else f"{metric.name.en} {en}"
        return [Item(text, None, "all_time_with_period", expect="clarify")]

    # ---- analyses ----------------------------------------------------------------------------------
    def why_it_changed(self, language: str) -> list[Item]:
        """Why one metric changed over a period against the one before, now and then of one group."""
        spec = self.model.analyses.attribution
        if spec is None:
            return []
        metric = self.model.metric_by_id[self.rng.choice([*spec.additive, *spec.denominators])]
        zh, en, period = self._time()
        value, filters = "", []
        candidates = [d for d in self._dimensions(metric) if d.id in spec.dimensions]
        if candidates and self.rng.random() < 0.4:
            dimension = self.rng.choice(candidates)
            value = self._value(dimension)
            filters = [Filter(dimension=dimension.id, value=value)]
        text = self._say(language, ["为什么{t}{v}{m}变了", "{t}{v}{m}变化的原因", "{v}{t}{m}为什么下降了", "{t}{v}的{m}为啥涨了"],
                         ["why did {v} {m} change {t}", "what drove {v} {m} {t}", "why did {m} drop {t} for {v}"
                          if value else "why did {m} drop {t}"],
                         t=zh if language == "zh" else en, v=self._quoted(value) if value else "",
                         m=self._metric_word(metric, language))
        query = SemanticQuery(analysis="attribution", metrics=[metric.id], filters=filters,
                              time_range=self._range(period), compare="previous_period")
        return [Item(self._frame(text, language), query, "why_it_changed", ordered=True)]

    def cohorts(self, language: str) -> list[Item]:
        """Cohort retention, of some customers or of a named period's cohorts."""
        spec = self.model.analyses.cohort_retention
        if spec is None:
            return []
        name = self.rng.choice([spec.name.pick(language), *(w for w in spec.synonyms if w.isascii() == (language == "en")
                                                            and len(w) >= 2)])
        candidates = [d for d in self._dimensions(self.model.metric_by_id[spec.metric]) if d.id in spec.filter_as]
        value, filters = "", []
        if candidates and self.rng.random() < 0.5:
            dimension = self.rng.choice(candidates)
            value = self._value(dimension)
            filters = [Filter(dimension=dimension.id, value=value)]
        text = self._say(language, ["{v}{a}", "看下{v}的{a}", "{v}客户的{a}怎么样"], ["{a} of {v} customers", "{v} {a}"]
                         if value else ["{a}", "show me the {a}"], v=value, a=name)
        return [Item(self._frame(text, language), SemanticQuery(analysis="cohort_retention", filters=filters),
                     "cohorts", ordered=True)]

    def test_results(self, language: str) -> list[Item]:
        """The results of one A/B test named in full."""
        spec = self.model.analyses.ab_test
        if spec is None or not self.values.get(spec.test):
            return []
        test = self.rng.choice(self.values[spec.test])
        text = self._say(language, ["{x}的结果", "{x}显著吗", "{x}这个实验效果怎么样"],
                         ["results of the {x} test", "was {x} significant"], x=f" {test}" if language == "zh" else test)
        query = SemanticQuery(analysis="ab_test", filters=[Filter(dimension=spec.test, value=test)])
        return [Item(self._frame(text, language), query, "test_results")]

    def customer_lists(self, language: str) -> list[Item]:
        """A list of the people of one or two groups the list's metric reaches ('把沉睡的金卡会员列出来')."""
        spec = self.model.analyses.customer_list
        if spec is None:
            return []
        groups = self.rng.sample(self._dimensions(self.model.metric_by_id[spec.who]), 2)
        filters = [Filter(dimension=d.id, value=self._value(d)) for d in groups[:self.rng.choice((1, 2))]]
        named = "".join(str(f.value) for f in filters) if language == "zh" else " ".join(str(f.value) for f in filters)
        text = self._say(language, ["把{g}的客户列出来", "导出{g}客户名单", "{g}的客户名单"],
                         ["export the list of {g} customers", "customer list of {g}", "list the {g} customers"], g=named)
        return [Item(self._frame(text, language), SemanticQuery(analysis="customer_list", filters=filters),
                     "customer_lists", ordered=True)]

    # ---- the suite ------------------------------------------------------------------------------
    def items(self, count: int) -> list[dict]:
        """At least ``count`` items (a conversation is never cut in half)."""
        written: list[dict] = []
        while len(written) < count:
            language = "zh" if self.rng.random() < 0.6 else "en"
            for item in self.rng.choice(self.forms)(language):
                written.append(self._record(item, len(written)))
        return written

    def _record(self, item: Item, index: int) -> dict:
        record = {"id": f"gen-{index + 1:05d}", "question": unicodedata.normalize("NFC", item.question),
                  "today": self.today.isoformat(), "class": item.kind, "ordered": item.ordered}
        if item.query is not None:
            record["gold_query"] = query_json(item.query)
        if item.expect != "ok":
            record["expect"] = item.expect
        if item.conversation:
            record["conversation"] = item.conversation
        if item.numbers_only:
            record["numbers_only"] = True
        return record


def write_suite(path: Path, model: SemanticModel, values: dict[str, list[str]], today: dt.date, count: int,
                seed: int) -> int:
    items = SuiteWriter(model, values, today, seed).items(count)
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return len(items)
