"""A first semantic model drafted from a warehouse's profile (``chatbi init``): tables and their keys,
many-to-one joins, a count and sums as measures and metrics, the time and the few-valued text
columns as dimensions. Every guess carries a YAML comment saying what it was guessed from."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import yaml

from semantic_layer.column_words import ColumnWords, Label, load_column_words, singular_forms
from semantic_layer.warehouse_profile import ColumnProfile, TableProfile

MAX_DIMENSION_VALUES = 50  # a text column with more values is a name or a note, not something to split by
SHOWN_VALUES = 8
TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
TIME_DIMENSION = {"id": "date", "label": {"zh": "日期", "en": "date"},
                  "synonyms": ["时间", "趋势", "time", "trend"], "time": True}


@dataclass
class Guess:
    """One item of the draft and what it was guessed from."""

    item: dict
    why: str


@dataclass
class Draft:
    tables: list[Guess] = field(default_factory=list)
    joins: list[Guess] = field(default_factory=list)
    facts: list[tuple[dict, Guess | None, list[Guess]]] = field(default_factory=list)
    metrics: list[Guess] = field(default_factory=list)
    dimensions: list[Guess] = field(default_factory=list)
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def unique(self, kind: str, name: str, table: str) -> str:
        """``name``, or ``table_name`` when another item of the kind already took it."""
        taken = self.names[kind]
        chosen = name if name.casefold() not in taken else f"{table}_{name}"
        taken.add(chosen.casefold())
        return chosen

    def synonyms(self, kind: str, words: list[str]) -> list[str]:
        """The words no other item of the kind is named by, now taken."""
        taken = self.names[f"{kind} label"]
        free = [w for w in words if w.casefold() not in taken]
        taken.update(w.casefold() for w in free)
        return free

    def label(self, kind: str, label: Label, table: str) -> dict:
        """A label no other item of the kind has: a taken one names its table."""
        taken = self.names[f"{kind} label"]
        zh, en = label.zh, label.en
        if zh.casefold() in taken or en.casefold() in taken:
            zh, en = f"{zh}（{table}）", f"{en} ({table})"
        taken.update({zh.casefold(), en.casefold()})
        return {"zh": zh, "en": en}


def _identifier(text: str) -> str:
    name = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_") or "x"
    return name if not name[0].isdigit() else f"_{name}"


def _primary_key(table: TableProfile, words: ColumnWords) -> tuple[tuple[str, ...], str]:
    """The declared key, else a column named as a key (id, *_id, *_code, ...) unique on every row;
    none (an empty key) when there is no such column."""
    if table.primary_key:
        return table.primary_key, "the warehouse's declared primary key"
    subject = words.subject(table.name)[-1]
    own = {f"{form}_id" for form in (subject, *singular_forms(subject))}
    unique = [c.name for c in table.columns
              if table.unique(c) and c.kind in ("number", "text") and words.says(c.name, "code")]

    def preference(name: str) -> int:
        lower = name.lower()
        return 0 if lower == "id" else 1 if lower in own else 2 if lower.endswith("_id") else 3
    if unique:
        key = min(unique, key=preference)
        return (key,), f"{key} has a value of its own on every one of the {table.rows:,} rows"
    return (), "no key column is unique: the whole row stands for the key (check it)"


def _join_target(table: TableProfile, column: str, keys: dict[str, tuple[str, ...]],
                 words: ColumnWords) -> str | None:
    """The table whose key a ``*_id`` column names: one keyed by the same column name (or by ``id``
    and named after it), the one whose name says it best first."""
    stem = column.lower()[:-3]
    candidates = [name for name, key in keys.items() if name != table.name and
                  (key == (column,) or (key == ("id",) and stem in singular_forms(words.subject(name)[-1])))]

    def fit(name: str) -> tuple[int, int]:
        subject = words.subject(name)
        plural = {stem + "s", stem + "es", stem[:-1] + "ies" if stem.endswith("y") else stem + "s"}
        return (0 if "_".join(subject) in plural else 1 if plural & set(subject) else 2, len(name))
    return min(candidates, key=fit) if candidates else None


def _time_column(table: TableProfile, words: ColumnWords) -> ColumnProfile | None:
    dated = [c for c in table.columns if c.kind in ("date", "timestamp")]
    return next((c for c in dated if not words.says(c.name, "not_event_time")), None)


def _draft_table(draft: Draft, table: TableProfile, key: tuple[str, ...], joins: list[Guess],
                 words: ColumnWords) -> None:
    subject = words.subject(table.name)
    subject_label = words.label("_".join(subject))
    # a plural subject names what is counted (bookings); another (revenue) counts its rows
    en = subject_label.en if subject_label.en.endswith("s") else f"{subject_label.en} rows"
    counted = Label(subject_label.zh + "数" if subject_label.known else en, en, subject_label.known)
    count_id = draft.unique("id", _identifier("_".join([*subject[:-1], words.singular(subject[-1])]) + "_count"),
                            table.name)
    by_key = len(key) == 1
    measures = [Guess({"name": count_id, "agg": "count_distinct", "expr": key[0]} if by_key else
                      {"name": count_id, "agg": "count"},
                      f"counts the {'distinct ' + key[0] if by_key else 'rows'} of {table.name}")]
    time = _time_column(table, words)
    metrics = [Guess({"id": count_id, "name": draft.label("metric", counted, table.name),
                      "synonyms": draft.synonyms("metric", [f"number of {counted.en}"] if counted.known else []),
                      "description": {"zh": f"{table.name} 的行数", "en": f"Rows of {table.name}."},
                      "format": "count", "expr": count_id}, "one metric per measure")]
    joined = {left for join in joins if join.item["from"] == table.name for left, _ in join.item["keys"]}
    for column in table.columns:
        if column.kind != "number" or column.name in key or column.name in joined or words.says(column.name, "code"):
            continue
        label = words.label(column.name)
        measure = draft.unique("id", _identifier(column.name), table.name)
        measures.append(Guess({"name": measure, "agg": "sum", "expr": column.name},
                              f"numeric column {table.name}.{column.name} ({column.type})"))
        kind = "money" if words.says(column.name, "money") else "count" if words.says(column.name, "count") else "number"
        metrics.append(Guess({"id": measure, "name": draft.label("metric", label, table.name),
                              "description": {"zh": f"{table.name}.{column.name} 之和",
                                              "en": f"Sum of {table.name}.{column.name}."},
                              "format": kind, "expr": measure},
                             f"one metric per measure; format {kind} from the column's name"))
    for metric in metrics:
        if time is None:
            metric.item["time_scope"] = "all_time"
    fact = {"name": table.name, "table": table.name}
    time_guess = None
    if time is not None:
        time_guess = Guess({"column": time.name, "type": time.kind},
                           f"the first {time.kind} column that is not a birth, end or update time")
    draft.facts.append((fact, time_guess, measures))
    draft.metrics.extend(metrics)
    for column in table.columns:
        if column.kind != "text" or column.name in key or column.name in joined or not column.values \
                or words.says(column.name, "code"):
            continue
        label = words.label(column.name)
        shown = ", ".join(column.values[:SHOWN_VALUES]) + (" …" if len(column.values) > SHOWN_VALUES else "")
        draft.dimensions.append(Guess(
            {"id": draft.unique("dimension", _identifier(label.en), table.name),
             "label": draft.label("dimension", label, table.name),
             "bindings": [{"table": table.name, "column": column.name}]},
            f"text column {table.name}.{column.name} with {len(column.values)} value"
            f"{'' if len(column.values) == 1 else 's'}: {shown}"
            + ("" if label.known else "; label: the column's name (no word for it)")))


def draft_model(profiles: list[TableProfile], name: str, source: str) -> str:
    """The drafted model as YAML text with a comment on every guess."""
    words = load_column_words()
    tables = [t for t in profiles if TABLE_NAME.match(t.name)]
    skipped = [t.name for t in profiles if not TABLE_NAME.match(t.name)]
    draft = Draft()
    draft.names["dimension"].add(TIME_DIMENSION["id"])
    draft.names["dimension label"].update(w.casefold() for w in (*TIME_DIMENSION["label"].values(),
                                                                 *TIME_DIMENSION["synonyms"]))
    keys = {}
    for table in tables:
        key, why = _primary_key(table, words)
        keys[table.name] = key
        draft.tables.append(Guess({"name": table.name, "primary_key": list(key or (c.name for c in table.columns))},
                                  why))
    known = set(keys)
    for table in tables:
        declared = set()
        for foreign in table.foreign_keys:
            if foreign.target in known:
                declared.update(foreign.columns)
                draft.joins.append(Guess({"from": table.name, "to": foreign.target,
                                          "keys": [list(p) for p in zip(foreign.columns, foreign.target_columns)]},
                                         "the warehouse's declared foreign key"))
        for column in table.columns:
            if column.name in declared or not column.name.lower().endswith("_id") or keys[table.name] == (column.name,):
                continue
            target = _join_target(table, column.name, keys, words)
            if target:
                draft.joins.append(Guess({"from": table.name, "to": target, "keys": [[column.name, keys[target][0]]]},
                                         f"the column name {column.name}: many {table.name} rows to one {target} row"))
    for table in tables:
        _draft_table(draft, table, keys[table.name], draft.joins, words)
    if any(time for _, time, _ in draft.facts):
        draft.dimensions.insert(0, Guess(TIME_DIMENSION, "the facts' date and timestamp columns"))
    return _yaml_text(draft, name, source, skipped)


def _flow(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False,
                          width=1 << 30).strip().removesuffix("...").strip()


def _lines(guesses: list[Guess], indent: str = "  ") -> list[str]:
    return [f"{indent}- {_flow(g.item)}  # guessed: {g.why}" for g in guesses]


def _yaml_text(draft: Draft, name: str, source: str, skipped: list[str]) -> str:
    lines = [f"# Drafted by `chatbi init` from {source}. Every 'guessed' comment is a first guess to",
             "# read and correct (labels, synonyms, which columns are worth a metric); then run",
             "# `chatbi model check THIS_FILE --db URL`."]
    if skipped:
        lines.append(f"# Left out (a name the model cannot hold: lower case, digits, '_'): {', '.join(skipped)}")
    identifier = _identifier(name)
    lines += [f"name: {identifier}", f"title: {_flow({'zh': name, 'en': name})}", "", "tables:",
              *_lines(draft.tables), "", "joins:" + ("" if draft.joins else " []"), *_lines(draft.joins), "", "facts:"]
    for fact, time, measures in draft.facts:
        lines += [f"  - name: {fact['name']}", f"    table: {fact['table']}"]
        if time:
            lines.append(f"    time: {_flow(time.item)}  # guessed: {time.why}")
        lines += ["    measures:", *_lines(measures, "      ")]
    lines += ["", "metrics:", *_lines(draft.metrics), "", "dimensions:" + ("" if draft.dimensions else " []"),
              *_lines(draft.dimensions)]
    return "\n".join(lines) + "\n"
