"""Questions that ask for an analysis of the model rather than a figure: the test a question names
by the words of its name ('满减券vs折扣券那个实验'), a test named with no figure asked ('召回短信文案测试的
结果'), why one metric changed (its direction words left to the data), who a list holds by what they
did ('买过面膜的客户名单'), and the shapes an analysis cannot take (a breakdown, a comparison, a
ranking), which are asked back."""

from __future__ import annotations

from semantic_layer.model import SemanticModel
from semantic_layer.parser.compose import Parts
from semantic_layer.parser.grammar import Problem, Understanding
from semantic_layer.parser.read import Reading
from semantic_layer.query import Filter
from semantic_layer.resolve import allowed_dimensions, counted_entity


def shape_analysis(understanding: Understanding, model: SemanticModel, values: dict[str, list[str]],
                   reading: Reading) -> None:
    parts, problems, text = understanding.parts, understanding.problems, reading.text
    spec = model.analyses.ab_test
    if spec and not parts.analysis and not parts.metrics and any(f.dimension == spec.test for f in parts.filters):
        parts.analysis = "ab_test"  # a test named, nothing asked of it: its results
    if parts.analysis and parts.analysis != "attribution":  # it brings its own metrics; why it changed needs one
        parts.metrics = []
        problems[:] = [p for p in problems if p.kind not in ("no_metric", "ambiguous_metric")]
    if parts.analysis == "ab_test":
        _name_the_test(understanding, model, values.get(spec.test, []))
        if all(d.name == spec.variant for d in parts.dimensions):  # '哪组转化率更高': what the verdict says
            parts.order, parts.limit, parts.target = None, None, False
    if parts.analysis:  # a name's column ('召回短信文案测试' by part) or a variant is in the analysis' layout
        layout = _layout(model, parts.analysis)
        parts.dimensions = [d for d in parts.dimensions if d.name not in layout]
        parts.filters = [f for f in parts.filters if not model.analyses.ab_test or
                         f.dimension != model.analyses.ab_test.variant]
    if parts.analysis == "customer_list":
        _listed_by_deed(understanding, model, reading)
    if parts.analysis == "attribution":
        _why_it_changed(understanding, text)
    elif parts.analysis and (parts.dimensions or parts.compare or parts.order or parts.limit or parts.having):
        problems.append(Problem("analysis_shape", (text,), (parts.analysis,)))


def _listed_by_deed(understanding: Understanding, model: SemanticModel, reading: Reading) -> None:
    """'买过精华的客户名单', '最近30天买过面膜的客户名单': a verb whose metric counts the people a list holds
    chooses them (buyers of 精华, in the period named), in place of everyone."""
    parts, problems = understanding.parts, understanding.problems
    listed = counted_entity(model, model.metric_by_id[model.analyses.customer_list.who])
    deeds = {m.text: e.targets for m in reading.mentions for e in m.entries if e.kind == "verb"}
    for text, targets in deeds.items():
        metric = next((t for t in targets if (entity := counted_entity(model, model.metric_by_id[t]))
                       and listed and entity.table == listed.table), None)
        if metric:
            parts.metrics = [metric]
            for problem in [p for p in problems if p.kind == "unused_words" and text in p.words]:
                rest = tuple(w for w in problem.words if w not in deeds)
                problems.remove(problem)
                if rest:
                    problems.append(Problem("unused_words", rest))
            return


def _why_it_changed(understanding: Understanding, text: str) -> None:
    """One metric, over a period against another: the dimensions named are where to look ('主要是哪个
    渠道拖累的'), so their ranking words are the analysis' own."""
    parts, problems = understanding.parts, understanding.problems
    if len(parts.metrics) > 1:
        problems.append(Problem("ambiguous_metric", candidates=tuple(parts.metrics)))
    elif not parts.metrics and not any(p.kind in ("no_metric", "ambiguous_metric") for p in problems):
        problems.append(Problem("no_metric"))
    parts.order, parts.limit, parts.target = None, None, False
    # '下降了 / the drop': the direction the asker expects; the answer says which way it went
    parts.having = [h for h in parts.having if not (h[0] or "").endswith(("__difference", "__change"))]
    if parts.having or parts.compare == "group" or parts.share_of or parts.count_groups:
        problems.append(Problem("analysis_shape", (text,), (parts.analysis,)))


def _name_the_test(understanding: Understanding, model: SemanticModel, tests: list[str]) -> None:
    """Values a test's figures cannot be filtered by ('满减', '折扣' of coupons) but that are all
    words of some tests' names name those tests."""
    parts, spec = understanding.parts, model.analyses.ab_test
    reach = {d.id for d in allowed_dimensions(model, model.metric_by_id[spec.recipients])}
    stray = [f for f in parts.filters if f.dimension not in reach and f.op in ("=", "in") and not f.ever]
    group = parts.compare_group if parts.compare_group and parts.compare_group.dimension not in reach else None
    words = [str(v) for f in stray + ([group] if group else [])
             for v in (f.value if isinstance(f.value, list) else [f.value])]
    named = [t for t in tests if words and all(w in t for w in words)]
    if not named:
        return
    understanding.problems[:] = [p for p in understanding.problems if not (
        p.kind == "unused_words" and set(p.words) <= _words_of(model, {f.dimension for f in stray}))]
    parts.filters = [f for f in parts.filters if f not in stray and f.dimension != spec.test]
    parts.dimensions = [d for d in parts.dimensions if d.name in reach]  # '满减 vs 折扣' named the test
    parts.filters.append(Filter(dimension=spec.test, op="=" if len(named) == 1 else "in",
                                value=named[0] if len(named) == 1 else named))
    if group:
        parts.compare, parts.compare_group = None, None


def _layout(model: SemanticModel, analysis: str) -> set[str]:
    if analysis == "ab_test":
        return {model.analyses.ab_test.test, model.analyses.ab_test.variant}
    if analysis == "cohort_retention":
        return {model.analyses.cohort_retention.cohort, model.time_dimension}
    return {model.time_dimension}


def _words_of(model: SemanticModel, dimensions: set[str]) -> set[str]:
    """The words that name these dimensions or their kinds ('券' of coupon types)."""
    return {w for d in dimensions for w in (*model.dimension_by_id[d].kind_of, *model.dimension_by_id[d].synonyms,
                                             model.dimension_by_id[d].label.zh, model.dimension_by_id[d].label.en)}
