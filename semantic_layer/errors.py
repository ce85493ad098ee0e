"""The one error family of the semantic layer. Every error carries a stable code, a message in
Chinese and English and, where there are any, suggestions; the service maps them to HTTP."""

from __future__ import annotations

from dataclasses import dataclass


class SemanticError(Exception):
    """Base class: ``code`` is stable, ``message`` holds {"zh": ..., "en": ...}."""

    code = "semantic_error"
    status = 400

    def __init__(self, zh: str, en: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(en)
        self.message = {"zh": zh, "en": en}
        self.suggestions = suggestions

    def text(self, language: str) -> str:
        return self.message["zh" if language == "zh" else "en"]


class QueryInvalid(SemanticError):
    """The semantic query names something unknown or asks for an impossible combination."""

    code = "invalid_query"


class SqlRefused(SemanticError):
    """The guard refused a SQL text."""

    code = "sql_refused"
    status = 403


class SqlUnparsable(SemanticError):
    """The SQL text is not valid SQL."""

    code = "sql_parse_error"


@dataclass(frozen=True)
class ModelIssue:
    file: str
    line: int | None
    key: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key or '(root)'}: {self.reason}"


class ModelInvalid(SemanticError):
    """The YAML model (or the warehouse it describes) has problems; all of them are listed."""

    code = "model_invalid"
    status = 500

    def __init__(self, issues: list[ModelIssue]) -> None:
        listing = "\n".join(f"  - {issue}" for issue in issues)
        super().__init__(f"语义模型有 {len(issues)} 个问题:\n{listing}",
                         f"the semantic model has {len(issues)} problem(s):\n{listing}")
        self.issues = issues
