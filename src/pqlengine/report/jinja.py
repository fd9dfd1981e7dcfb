"""The Jinja environment the dashboard and the report share, and the pql.yaml they show.

Kept free of chart and statistics imports so that `pql serve` starts fast.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from pqlengine.config import PROJECT_FILE, Project
from pqlengine.report.format import FILTERS

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STYLESHEET = HERE / "static" / "pql.css"
_SECRET_LINE = re.compile(
    r"^(\s*-?\s*[\w-]*(?:secret|token|password|api_key|apikey)[\w-]*\s*:\s*)"
    r"(?!\s*[\"']?\$\{)(\S.*)$",
    re.IGNORECASE | re.MULTILINE,
)


def environment(*extra: Path) -> Environment:
    """Jinja with autoescaping, the number filters, and the shared panel macros."""
    env = Environment(
        loader=FileSystemLoader([*(str(p) for p in extra), str(TEMPLATES)]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def redact(text: str) -> str:
    """pql.yaml with literal secrets masked (`${ENV}` references are kept: they are names)."""
    return _SECRET_LINE.sub(lambda m: m.group(1) + "•••• (hidden)", text)


def definition_text(project: Project) -> str:
    """The pql.yaml in use, secrets masked (or a note when there is no file)."""
    if project.root is None or not (project.root / PROJECT_FILE).exists():
        return "(no pql.yaml file: the project was built in code)"
    return redact((project.root / PROJECT_FILE).read_text(encoding="utf-8"))
