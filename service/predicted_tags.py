"""Predicted tags of the model (流失风险, spec/customer_ops.md 5), fitted on the warehouse when the
service starts: features at T = (the last day with events + 1, or today if earlier) - horizon, the
outcome 'no event in [T, T + horizon)', a scikit-learn logistic regression (deterministic), checked
on a second split (T - horizon, its own horizon). The fitted model becomes plain SQL: the
standardised features and one-hot categories fold into one linear score, so the tag is a derived
table like any other, scored at each question's reference date, and nothing is written anywhere."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sqlglot import exp

from semantic_layer.expressions import bind_today, parse_derived_table, timestamp_literal
from semantic_layer.model import Prediction, SemanticModel

log = logging.getLogger("chatbi.predictions")
Fetch = Callable[[str], tuple[list[str], list[tuple]]]  # SQL -> (column names, rows)
MIN_ROWS = 50


class CannotFit(Exception):
    pass


@dataclass(frozen=True)
class Fitted:
    name: str
    trained_at: dt.date  # T of the training split
    evaluated_at: dt.date  # T of the second split
    numeric: list[str]
    categorical: list[str]
    scaler: StandardScaler
    encoder: OneHotEncoder | None
    model: LogisticRegression
    auc: float  # ROC AUC on the second split
    tiers: list[dict]  # {label, size, observed}: on the second split

    def probabilities(self, columns: list[str], rows: list[tuple]) -> np.ndarray:
        return _probabilities(self.model, design_matrix(columns, rows, self.numeric, self.categorical, self.scaler,
                                                        self.encoder))


def _numbers(columns: list[str], rows: list[tuple], names: list[str]) -> np.ndarray:
    """The numeric features of each row (a missing one is 0)."""
    index = {c: i for i, c in enumerate(columns)}
    return np.array([[float(r[index[c]] or 0.0) for c in names] for r in rows], dtype=float)


def _categories(columns: list[str], rows: list[tuple], names: list[str]) -> np.ndarray:
    """The categorical features of each row (a missing one is '', as the scoring SQL reads it)."""
    index = {c: i for i, c in enumerate(columns)}
    return np.array([[str(r[index[c]] or "") for c in names] for r in rows], dtype=object)


def design_matrix(columns, rows, numeric, categorical, scaler, encoder) -> np.ndarray:
    parts = [scaler.transform(_numbers(columns, rows, numeric))]
    if encoder is not None:
        parts.append(encoder.transform(_categories(columns, rows, categorical)).toarray())
    return np.hstack(parts)


def _probabilities(model: LogisticRegression, matrix: np.ndarray) -> np.ndarray:
    return model.predict_proba(matrix)[:, 1]


def _labelled(spec: Prediction, at: dt.date) -> str:
    """The features at ``at`` with ``outcome`` = 1 when no event follows within the horizon."""
    features = bind_today(parse_derived_table(spec.features), at)
    events = parse_derived_table(spec.events)
    follows = exp.and_(
        exp.column(spec.entity, "ev").eq(exp.column(spec.entity, "f")),
        exp.GTE(this=exp.column("happened", "ev"), expression=timestamp_literal(at)),
        exp.LT(this=exp.column("happened", "ev"), expression=timestamp_literal(at + dt.timedelta(days=spec.horizon_days))))
    followed = exp.Exists(this=exp.select("1").from_(events.subquery("ev")).where(follows))
    outcome = exp.Case().when(followed, exp.Literal.number(0)).else_(exp.Literal.number(1)).as_("outcome")
    return exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("f")), outcome).from_(
        features.subquery("f")).sql("duckdb")


def _last_event_day(spec: Prediction) -> str:
    events = parse_derived_table(spec.events)
    return exp.select(exp.cast(exp.Max(this=exp.column("happened")), "DATE")).from_(events.subquery("ev")).sql("duckdb")


def fit_prediction(name: str, spec: Prediction, fetch: Fetch, today: dt.date) -> Fitted:
    """Fit on the split that ends at the last day with events (or today) and score the one before."""
    last = fetch(_last_event_day(spec))[1][0][0]
    if last is None:
        raise CannotFit("no events")
    reference = min(today, last + dt.timedelta(days=1))
    horizon = dt.timedelta(days=spec.horizon_days)
    trained_at, evaluated_at = reference - horizon, reference - 2 * horizon
    columns, train = fetch(_labelled(spec, trained_at))
    _, test = fetch(_labelled(spec, evaluated_at))
    outcome = columns.index("outcome")
    labels = np.array([r[outcome] for r in train])
    expected = np.array([r[outcome] for r in test])
    if len(train) < MIN_ROWS or len(test) < MIN_ROWS or len(set(labels)) < 2 or len(set(expected)) < 2:
        raise CannotFit(f"too little data to fit ({len(train)} and {len(test)} rows)")
    categorical = [c for c in spec.categorical if c in columns]
    numeric = [c for c in columns if c not in (spec.entity, "outcome", *categorical)]
    scaler = StandardScaler().fit(_numbers(columns, train, numeric))
    encoder = OneHotEncoder(handle_unknown="ignore").fit(_categories(columns, train, categorical)) \
        if categorical else None
    model = LogisticRegression(max_iter=1000).fit(
        design_matrix(columns, train, numeric, categorical, scaler, encoder), labels)
    scores = _probabilities(model, design_matrix(columns, test, numeric, categorical, scaler, encoder))
    tiers, lower = [], 1.01
    for tier in spec.tiers:
        inside = (scores >= tier.at_least) & (scores < lower)
        tiers.append({"label": tier.label, "size": int(inside.sum()),
                      "observed": float(expected[inside].mean()) if inside.any() else None})
        lower = tier.at_least
    return Fitted(name, trained_at, evaluated_at, numeric, categorical, scaler, encoder, model,
                  float(roc_auc_score(expected, scores)), tiers)


def scoring_sql(spec: Prediction, fitted: Fitted) -> str:
    """The derived table's SELECT: entity, tier and probability at :today, from the fitted model."""
    weights = list(fitted.model.coef_[0])
    score: exp.Expression = exp.Literal.number(repr(float(fitted.model.intercept_[0])))
    for i, column in enumerate(fitted.numeric):
        value = exp.Coalesce(this=exp.column(column, "f"), expressions=[exp.Literal.number(0)])
        scaled = exp.Div(this=exp.Paren(this=exp.Sub(this=value, expression=exp.Literal.number(
            repr(float(fitted.scaler.mean_[i]))))), expression=exp.Literal.number(repr(float(fitted.scaler.scale_[i]))))
        score = exp.Add(this=score, expression=exp.Mul(this=exp.Literal.number(repr(float(weights[i]))), expression=scaled))
    position = len(fitted.numeric)
    for column, categories in zip(fitted.categorical, fitted.encoder.categories_ if fitted.encoder else []):
        for category in categories:
            value = exp.Coalesce(this=exp.column(column, "f"), expressions=[exp.Literal.string("")])  # as fitted
            hit = exp.Case().when(value.eq(exp.Literal.string(str(category))),
                                  exp.Literal.number(1)).else_(exp.Literal.number(0))
            score = exp.Add(this=score, expression=exp.Mul(this=exp.Literal.number(repr(float(weights[position]))),
                                                           expression=hit))
            position += 1
    probability = exp.Div(this=exp.Literal.number(1), expression=exp.Paren(this=exp.Add(
        this=exp.Literal.number(1), expression=exp.Exp(this=exp.Neg(this=exp.Paren(this=score))))))
    scored = exp.select(exp.column(spec.entity, "f"), probability.as_("p")).from_(
        parse_derived_table(spec.features).subquery("f"))
    tier = exp.Case()
    for bound in spec.tiers[:-1]:
        tier = tier.when(exp.GTE(this=exp.column("p"), expression=exp.Literal.number(repr(bound.at_least))),
                         exp.Literal.string(bound.label))
    tier = tier.else_(exp.Literal.string(spec.tiers[-1].label))
    return exp.select(exp.column(spec.entity), tier.as_(spec.tier_column), exp.column("p").as_(spec.probability_column)
                      ).from_(scored.subquery("scored")).sql("duckdb")


def _quality(fitted: Fitted) -> dict[str, str]:
    tiers_zh = "，".join(f"{t['label']} {t['size']:,} 人（实际流失 {t['observed']:.0%}）" if t["observed"] is not None
                        else f"{t['label']} 0 人" for t in fitted.tiers)
    tiers_en = ", ".join(f"{t['label']} {t['size']:,} ({t['observed']:.0%} churned)" if t["observed"] is not None
                         else f"{t['label']} 0" for t in fitted.tiers)
    return {"zh": f"训练于 {fitted.trained_at}；在第二个时间切分（{fitted.evaluated_at} 起90天）上 ROC AUC "
                  f"{fitted.auc:.3f}：{tiers_zh}。",
            "en": f"Fitted at {fitted.trained_at}; on the second time split ({fitted.evaluated_at}, 90 days) ROC AUC "
                  f"{fitted.auc:.3f}: {tiers_en}."}


_FITTED: dict[tuple, Fitted | None] = {}  # per warehouse version: the fit is deterministic, so once is enough


def with_predictions(model: SemanticModel, fetch: Fetch, today: dt.date,
                     version: tuple = ()) -> tuple[SemanticModel, dict[str, Fitted]]:
    """The model with each predicted table's SELECT written, its dimensions' descriptions telling
    the fit; a prediction that cannot be fitted leaves its table empty (logged).
    ``version``: the warehouse's, under which a fit is remembered."""
    fitted: dict[str, Fitted] = {}
    for name, spec in model.predictions.items():
        key = (version, today, name, spec.model_dump_json())
        if key not in _FITTED or not version:
            try:
                _FITTED[key] = fit_prediction(name, spec, fetch, today)
            except CannotFit as error:
                log.warning("prediction %s not fitted: %s", name, error)
                _FITTED[key] = None
        if _FITTED[key] is not None:
            fitted[name] = _FITTED[key]
    data = model.model_dump(by_alias=True)
    for table in data["tables"]:
        if table["predicted"] in fitted:
            table["sql"] = scoring_sql(model.predictions[table["predicted"]], fitted[table["predicted"]])
        elif table["predicted"]:  # nobody has the tag: questions about it find no one
            table["sql"] = exp.select(*[exp.cast(exp.Null(), kind).as_(name) for name, kind in table["columns"].items()]
                                      ).where(exp.false()).sql("duckdb")
    for dimension in data["dimensions"]:
        source = next((n for n, s in model.predictions.items() if n in fitted and
                       s.table in {b["table"] for b in dimension["bindings"]}), None)
        if source and dimension["description"]:
            quality = _quality(fitted[source])
            dimension["description"] = {k: f"{v} {quality[k]}" for k, v in dimension["description"].items()}
    return SemanticModel.model_validate(data), fitted
