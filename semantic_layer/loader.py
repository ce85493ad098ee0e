"""YAML -> SemanticModel, keeping the line of every key so that every issue names file:line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import ValidationError

from semantic_layer.errors import ModelIssue, ModelInvalid
from semantic_layer.model import SemanticModel
from semantic_layer.rules import check_model

DEMO_MODEL = Path(__file__).parent / "definitions" / "demo_shop.yaml"
Location = tuple[str | int, ...]


def _plain(node: yaml.Node, path: Location, lines: dict[Location, int]):
    """Turn a composed YAML node into plain Python data, recording each path's line (1-based)."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        data = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            data[key] = _plain(value_node, path + (key,), lines)
        return data
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, path + (i,), lines) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _line_for(path: Location, lines: dict[Location, int]) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def key_text(path: Location, data) -> str:
    """A readable key for a location: list items are named by their ``id``/``name`` when they have one.

    >>> key_text(("metrics", 0, "expr"), {"metrics": [{"id": "gmv"}]})
    'metrics[gmv].expr'
    """
    text, node = "", data
    for part in path:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            name = node.get("id") or node.get("name") if isinstance(node, dict) else None
            text += f"[{name if name else part}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            text += f".{part}" if text else str(part)
    return text


IssueAt = Callable[[Location, str], ModelIssue]


def read_model_file(path: Path) -> tuple[dict, IssueAt]:
    """A model file's plain data and a function that turns (location, reason) into a ModelIssue
    naming the file, the line and the key. Raises ``ModelInvalid`` if the YAML does not parse."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ModelInvalid([ModelIssue(str(path), mark.line + 1 if mark else None, "", str(error))])
    if root is None:
        raise ModelInvalid([ModelIssue(str(path), 1, "", "the file is empty")])
    lines: dict[Location, int] = {}
    data = _plain(root, (), lines)

    def issue(location: Location, reason: str) -> ModelIssue:
        return ModelIssue(str(path), _line_for(location, lines), key_text(location, data), reason)

    return data, issue


def load_model(path: Path = DEMO_MODEL, schema: dict[str, dict[str, str]] | None = None) -> SemanticModel:
    """Load and validate a model file; with ``schema`` ({table: {column: type}}) the warehouse too.

    Raises ``ModelInvalid`` listing every problem found, each with file, line, key and reason.
    """
    data, issue = read_model_file(path)
    try:
        model = SemanticModel.model_validate(data)
    except ValidationError as error:
        raise ModelInvalid([issue(tuple(e["loc"]), e["msg"]) for e in error.errors()])
    problems = [issue(location, reason) for location, reason in check_model(model, schema)]
    if problems:
        raise ModelInvalid(problems)
    return model
