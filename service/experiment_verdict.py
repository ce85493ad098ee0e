"""The verdict of an A/B test from its per-variant figures: each variant against the baseline,
rates by the two-sided pooled two-proportion z-test with an unpooled 95% interval of the
difference, means per recipient by Welch's t-test; when not significant, the recipients per group
needed for 80% power at the observed difference (spec/customer_ops.md 2). The statistics are
statsmodels' and scipy's."""

from __future__ import annotations

import math

from pydantic import BaseModel, Field
from scipy import stats
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.proportion import (confint_proportions_2indep, proportions_ztest,
                                          samplesize_proportions_2indep_onetail)

from semantic_layer.model import AbTestAnalysis, SemanticModel
from semantic_layer.narrate import format_difference, format_value

ALPHA = 0.05
POWER = 0.8


class VariantComparison(BaseModel):
    """One variant of an A/B test against the test's baseline, for one metric."""

    test: str
    metric: str
    metric_name: dict[str, str]
    format: str
    baseline: str
    variant: str
    baseline_value: float
    variant_value: float
    difference: float = Field(description="variant minus baseline")
    interval: tuple[float, float] = Field(description="95% confidence interval of the difference")
    p_value: float = Field(description="two-sided: pooled two-proportion z-test for rates, Welch's t-test for means")
    significant: bool = Field(description="p < 0.05")
    needed_per_group: int | None = Field(description="recipients per group for 80% power at the observed "
                                                     "difference, when not significant")


def _variants(rows: list[list], index: dict[str, int], spec: AbTestAnalysis) -> dict[str, dict[str, list]]:
    tests: dict[str, dict[str, list]] = {}
    for row in rows:
        tests.setdefault(row[index[spec.test]], {})[row[index[spec.variant]]] = row
    return tests


def _baseline(variants: list[str], spec: AbTestAnalysis) -> str:
    return next((b for b in spec.baseline if b in variants), sorted(variants)[0])


def _rate(test, metric, names, base, other, n_base, n_other, p_base, p_other) -> VariantComparison | None:
    """None when every recipient of both groups did it, or none did: there is nothing to test."""
    hits_base, hits_other = round(p_base * n_base), round(p_other * n_other)
    if hits_base + hits_other in (0, n_base + n_other):
        return None
    _, p_value = proportions_ztest([hits_other, hits_base], [n_other, n_base])
    low, high = confint_proportions_2indep(hits_other, n_other, hits_base, n_base, method="wald", compare="diff")
    difference = hits_other / n_other - hits_base / n_base
    needed = None
    if not p_value < ALPHA and difference != 0:
        needed = math.ceil(samplesize_proportions_2indep_onetail(difference, hits_base / n_base, POWER,
                                                                 alpha=ALPHA, alternative="two-sided"))
    return VariantComparison(
        test=test, metric=metric, metric_name=names, format="percent", baseline=base, variant=other,
        baseline_value=hits_base / n_base, variant_value=hits_other / n_other, difference=difference,
        interval=(float(low), float(high)), p_value=float(p_value), significant=bool(p_value < ALPHA),
        needed_per_group=needed)


def _mean(test, metric, names, base, other, n_base, n_other, values, spreads) -> VariantComparison:
    (m_base, m_other), (s_base, s_other) = values, spreads
    result = stats.ttest_ind_from_stats(m_other, s_other, n_other, m_base, s_base, n_base, equal_var=False)
    # the interval that goes with Welch's test: its standard error and Welch-Satterthwaite degrees of freedom
    v_other, v_base = s_other ** 2 / n_other, s_base ** 2 / n_base
    dof = (v_other + v_base) ** 2 / (v_other ** 2 / (n_other - 1) + v_base ** 2 / (n_base - 1))
    difference = m_other - m_base
    low, high = stats.t.interval(1 - ALPHA, dof, loc=difference, scale=math.sqrt(v_other + v_base))
    needed = None
    pooled = math.sqrt((s_base ** 2 + s_other ** 2) / 2)
    if not result.pvalue < ALPHA and difference != 0 and pooled > 0:
        needed = math.ceil(TTestIndPower().solve_power(effect_size=abs(difference) / pooled, alpha=ALPHA,
                                                       power=POWER, ratio=1.0))
    return VariantComparison(
        test=test, metric=metric, metric_name=names, format="money", baseline=base, variant=other,
        baseline_value=m_base, variant_value=m_other, difference=difference, interval=(float(low), float(high)),
        p_value=float(result.pvalue), significant=bool(result.pvalue < ALPHA), needed_per_group=needed)


def compare_variants(model: SemanticModel, columns: list[str], rows: list[list]) -> list[VariantComparison]:
    """Every variant of every test against its test's baseline, for every rate and mean."""
    spec = model.analyses.ab_test
    index = {name: i for i, name in enumerate(columns)}
    found = []
    for test, variants in _variants(rows, index, spec).items():
        base = _baseline(list(variants), spec)
        for other in sorted(v for v in variants if v != base):
            row_base, row_other = variants[base], variants[other]
            n_base, n_other = row_base[index[spec.recipients]], row_other[index[spec.recipients]]
            if not n_base or not n_other or n_base < 2 or n_other < 2:
                continue
            for metric in spec.rates:
                names = model.metric_by_id[metric].name.model_dump()
                found.append(_rate(test, metric, names, base, other, n_base, n_other,
                                   row_base[index[metric]] or 0.0, row_other[index[metric]] or 0.0))
            for metric, spread in spec.means.items():
                spreads = (row_base[index[spread]] or 0.0, row_other[index[spread]] or 0.0)
                if not any(spreads):  # every recipient alike: no test to run
                    continue
                names = model.metric_by_id[metric].name.model_dump()
                found.append(_mean(test, metric, names, base, other, n_base, n_other,
                                   (row_base[index[metric]] or 0.0, row_other[index[metric]] or 0.0), spreads))
    return [c for c in found if c is not None]


def verdict_sentence(comparison: VariantComparison, language: str) -> str:
    """One plain sentence for one comparison.

    >>> c = VariantComparison(test="T", metric="r", metric_name={"zh": "核销率", "en": "redemption rate"},
    ...                       format="percent", baseline="A", variant="B", baseline_value=0.1, variant_value=0.16,
    ...                       difference=0.06, interval=(0.03, 0.09), p_value=0.0004, significant=True,
    ...                       needed_per_group=None)
    >>> verdict_sentence(c, "zh")
    'T：B 组核销率 16.0%，A 组 10.0%，B 比 A +6.0 个百分点（95% 置信区间 +3.0 个百分点 ~ +9.0 个百分点），p < 0.001，差异显著，B 更好。'
    """
    c, zh = comparison, language == "zh"
    name = c.metric_name["zh" if zh else "en"]
    p = "p < 0.001" if c.p_value < 0.001 else f"p = {c.p_value:.3f}"
    low, high = (format_difference(v, c.format, language) for v in c.interval)
    variant, baseline = (format_value(v, c.format, language) for v in (c.variant_value, c.baseline_value))
    difference = format_difference(c.difference, c.format, language)
    better = c.variant if c.difference > 0 else c.baseline
    if zh:
        text = (f"{c.test}：{c.variant} 组{name} {variant}，{c.baseline} 组 {baseline}，{c.variant} 比 {c.baseline} "
                f"{difference}（95% 置信区间 {low} ~ {high}），{p}，")
        if c.significant:
            return text + f"差异显著，{better} 更好。"
        more = f"；按这个差异要有 80% 把握测出来，每组约需 {c.needed_per_group:,} 人" if c.needed_per_group else ""
        return text + f"没有显著差异{more}。"
    text = (f"{c.test}: {name} {variant} for {c.variant} against {baseline} for {c.baseline}, a difference of "
            f"{difference} (95% CI {low} to {high}), {p}: ")
    if c.significant:
        return text + f"significant, {better} is better."
    more = (f"; detecting this difference with 80% power needs about {c.needed_per_group:,} recipients per group"
            if c.needed_per_group else "")
    return text + f"no significant difference{more}."


def experiment_summary(comparisons: list[VariantComparison], headline: str) -> dict[str, str]:
    """The answer's words: for each test, the sentence of its headline rate (the first of the model's)."""
    chosen = [c for c in comparisons if c.metric == headline]
    if not chosen:
        return {"zh": "没有找到可以比较的实验组（每组至少 2 人）。",
                "en": "No variants to compare (each needs at least 2 recipients)."}
    return {language: " ".join(verdict_sentence(c, language) for c in chosen) for language in ("zh", "en")}
