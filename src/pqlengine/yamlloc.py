"""YAML loading that remembers the line of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass
class LocatedYaml:
    """Parsed YAML data plus the 1-based line of each path (dict keys and list indexes)."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest known prefix of `path` (a missing key reports its parent)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; `line` is 1-based."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def load_located(text: str) -> LocatedYaml:
    """Parse YAML text, keeping lines; duplicate keys are reported as syntax errors."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlSyntaxError(str(exc.problem or exc), line) from None
    located = LocatedYaml(data=None)
    if node is None:
        located.data = {}
        return located
    located.lines[()] = node.start_mark.line + 1
    located.data = _build(node, (), located.lines)
    return located


def _build(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise YamlSyntaxError(f"duplicate key {key!r}", key_node.start_mark.line + 1)
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, child, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            items.append(_build(item, child, lines))
        return items
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise YamlSyntaxError("a key must be a plain value", node.start_mark.line + 1)
    return yaml.SafeLoader(" ").construct_object(node, deep=True)
