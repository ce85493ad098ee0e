"""Prompt templates are files in prompts/; this module only finds and fills them."""

from __future__ import annotations

from pathlib import Path


class PromptLibrary:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def render(self, name: str, **values: str) -> str:
        """Fill ``prompts/<name>.md`` with ``values`` (str.format placeholders)."""
        template = (self.folder / f"{name}.md").read_text(encoding="utf-8")
        return template.format(**values)
