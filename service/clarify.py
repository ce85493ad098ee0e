"""Asking back: what the parser could not place, in one sentence of the question's language, and
2-4 questions to click that keep everything it did understand."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from semantic_layer.parser import QuestionParser
from semantic_layer.parser.compose import Parts, question_text
from semantic_layer.parser.grammar import Problem
from semantic_layer.query import DimensionRef, Filter
from semantic_layer.timeexpr import last_complete_month

_STARTER_METRICS = 3  # offered when the question names none


def _quote(words, zh: bool) -> str:
    return "、".join(f"「{w}」" for w in words) if zh else ", ".join(f"'{w}'" for w in words)



# what is said back for problems that need no words of the question
_FIXED = {
    "cannot_negate": ("这个问题里的否定（没有/未…）我还不能用在所问的指标上，请换个说法。",
                      "I cannot apply the negation in this question to the figure asked; please rephrase."),
    "unit_mismatch": ("问题里的单位和所问的指标对不上，请确认要看哪个指标。",
                      "The unit in the question does not fit the figure asked; which figure do you mean?"),
    "never_or_period": ("「没…过」是指从来没有过，还是只是这段时间里没有？从来没有的话可以这样问：",
                        "Does 'not' mean never, or not in that period? If never, ask it like this:"),
    "ranking_per_group": ("「每组里的前几名」我还回答不了，可以看整体排名或者分组的全部数据：",
                          "I cannot yet rank within each group; here is the overall ranking or every group:"),
}

def clarification_text(problem: Problem, parser: QuestionParser, language: str,
                       hidden: frozenset[str] = frozenset()) -> str:
    zh = language == "zh"
    model = parser.model
    names = [model.metric_by_id[c].name.pick(language) for c in problem.candidates if c in model.metric_by_id]
    if problem.kind == "unknown_words":
        close = parser.closest_terms(list(problem.words), language, hidden)
        hint = ("，相近的有: " + "、".join(close) if zh else "; close catalog items: " + ", ".join(close)) if close else ""
        return f"我不确定{_quote(problem.words, zh)}指什么{hint}。" if zh else \
            f"I'm not sure what {_quote(problem.words, zh)} means{hint}."
    if problem.kind == "unused_words":
        return (f"我没能把{_quote(problem.words, zh)}用到查询里，怕答错，想先确认一下。" if zh else
                f"I could not fit {_quote(problem.words, zh)} into the query and would rather ask than guess.")
    if problem.kind == "ambiguous_metric":
        return (f"您想看的是{_quote(names, zh)}中的哪一个？" if zh else
                f"Which one do you mean: {_quote(names, zh)}?")
    if problem.kind == "ambiguous_name":
        return (f"{_quote(problem.words, zh)}可能指: {'、'.join(problem.candidates[:6])}，请确认是哪一个。" if zh else
                f"{_quote(problem.words, zh)} could be: {', '.join(problem.candidates[:6])}. Which one?")
    if problem.kind in _FIXED:
        return _FIXED[problem.kind][0 if zh else 1]
    if problem.kind == "unsupported":
        return (f"{_quote(problem.words, zh)}这类问题（原因分析、预测、名单导出等）我还回答不了；"
                "可以先看看相关的数据：" if zh else
                f"I can't answer {_quote(problem.words, zh)} questions yet (causes, forecasts, exports); "
                "here is what I can show:")
    if problem.kind == "analysis_shape":
        name = getattr(model.analyses, problem.candidates[0]).name.pick(language)
        return (f"「{name}」有它固定的展示方式，不能再拆分、对比或排序；可以先筛选一部分人或换个时间来看：" if zh else
                f"The {name} has a fixed layout and cannot be split, compared or ranked further; you can narrow "
                "it to some customers or another period:")
    if problem.kind == "metric_as_group":
        return (f"我还不能把「{names[0]}」当作一群人或一批订单来算「{names[1]}」；可以分开看这两个指标。" if zh else
                f"I cannot yet compute {names[1]} for the people or orders that {names[0]} counts; "
                "here they are one at a time:")
    if problem.kind == "two_rankings":
        return (f"一次只能排一个方向（{_quote(problem.words, zh)}），请分开问最高和最低。" if zh else
                f"One ranking at a time ({_quote(problem.words, zh)}): please ask for the top and the bottom "
                "separately.")
    if problem.kind == "each_and_total":
        return (f"要看每个{_quote(problem.words, zh)}分别多少，还是它们的合计？" if zh else
                f"Each {_quote(problem.words, zh)} on its own, or their total?")
    if problem.kind == "no_reference":
        return (f"{_quote(problem.words, zh)}指的是谁或哪些？请直接说出来，比如渠道、人群或活动的名字。" if zh else
                f"Who or what do {_quote(problem.words, zh)} refer to? Please name them (a channel, a segment, "
                "a campaign).")
    if problem.kind == "time_not_applicable":
        return (f"{_quote(names, zh)}按全部历史计算，不按时间范围统计；要看全部历史的吗？" if zh else
                f"{_quote(names, zh)} is computed over all history, not for a period; see it for all time?")
    return ("这个问题里没有我认识的指标，您想看哪个指标？" if zh else
            "I couldn't find a metric in the question. Which figure would you like?")


def suggested_questions(problem: Problem, parts: Parts, parser: QuestionParser, text: str, language: str,
                        today: dt.date, hidden: frozenset[str] = frozenset()) -> list[str]:
    """2-4 concrete questions that keep what was understood and settle what was not (never with a
    metric the asker's role may not see)."""
    model = parser.model
    if problem.kind in ("ambiguous_metric", "metric_as_group") and problem.candidates:
        variants = [replace(parts, metrics=[m]) for m in problem.candidates[:4]]
    elif problem.kind == "ambiguous_name" and problem.candidates:
        dimension = next((d.id for d in model.dimensions if problem.candidates[0] in parser.values.get(d.id, [])),
                         None)
        variants = [replace(parts, filters=[*parts.filters, Filter(dimension=dimension, value=c)])
                    for c in problem.candidates[:4]] if dimension else []
    elif problem.kind in ("time_not_applicable", "never_or_period"):
        variants = [replace(parts, time_range=None, compare=None)]
    elif problem.kind == "no_metric" and parts.analysis == "attribution":  # why what changed: the metrics it explains
        explained = model.analyses.attribution.additive + tuple(model.analyses.attribution.denominators)
        variants = [replace(parts, metrics=[m]) for m in explained if m not in hidden][:3]
    elif problem.kind == "analysis_shape":
        return [question_text(replace(parts, dimensions=[], compare=None, order=None, limit=None, having=[]), model,
                              language, today)]
    else:
        variants = []
    variants = [v for v in variants if v.metrics] + _generic(parts, model, text, today, hidden)
    questions = [question_text(v, model, language, today) for v in variants
                 if v.metrics and not set(v.metrics) & hidden]
    return list(dict.fromkeys(questions))[:4]


def _generic(parts: Parts, model, text: str, today: dt.date, hidden: frozenset[str]) -> list[Parts]:
    """What was understood with a metric where it lacks one, and the common shapes otherwise."""
    visible = [m for m in model.metrics if m.id not in hidden]
    metrics = [[m] for m in parts.metrics] or [[m.id] for m in sorted(
        visible, key=lambda m: -sum(ch in text for ch in set(m.name.zh + "".join(m.synonyms))))[:_STARTER_METRICS]]
    if parts.time_range or parts.dimensions or parts.filters:
        return [replace(parts, metrics=names) for names in metrics]
    breakdown = next((d.id for d in model.dimensions if not d.time), None)
    shapes = [Parts(time_range=last_complete_month(today)),
              Parts(dimensions=[DimensionRef(name=breakdown)] if breakdown else []),
              Parts(time_range=last_complete_month(today),
                    dimensions=[DimensionRef(name=model.time_dimension, grain="day")])]
    return [replace(shape, metrics=names) for shape, names in zip(shapes, metrics)]
