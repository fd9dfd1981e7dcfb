"""Set keys of pql.yaml's `definition:` block in the text, keeping every other key and line.

Used when a suggested definition is adopted: only the keys it searched change; the gates,
any other key and the comments stay as the user wrote them.
"""

from __future__ import annotations

from typing import Any

import yaml

from pqlengine.yamlloc import LocatedYaml, load_located

# Comments directly above these keys describe the old value, so they go with it.
STALE_COMMENTS = ("criteria", "qualify")


def set_definition_keys(text: str, updates: dict[str, Any]) -> str:
    """`text` with `definition.<key>` set to each value of `updates` (added when missing).

    A block-style `definition:` is edited key by key (comments elsewhere kept); otherwise the
    whole block is rewritten from the merged mapping (keys kept, comments inside it lost)."""
    located = load_located(text)
    merged = {**located.data["definition"], **updates}
    spliced = _splice(text, located, updates)
    if spliced is not None:
        data = load_located(spliced).data
        if data == {**located.data, "definition": merged}:  # checked, not assumed
            return spliced
    return _rewrite_block(text, located, merged)


def _dump(key: str, value: Any, indent: str) -> list[str]:
    block = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True)
    return [indent + line for line in block.splitlines(keepends=True)]


def _is_filler(line: str) -> bool:
    """Blank or a comment line."""
    return not line.strip() or line.lstrip().startswith("#")


def _splice(text: str, located: LocatedYaml, updates: dict[str, Any]) -> str | None:
    """Key-by-key edit of a block mapping; None when the block is not one."""
    lines = text.splitlines(keepends=True)
    head = located.lines[("definition",)]
    keys = list(located.data["definition"])
    starts = [located.lines[("definition", key)] - 1 for key in keys]
    if not keys or any(start < head for start in starts):
        return None  # flow style (`definition: {...}`): keys on the block's own line
    indent = lines[starts[0]][: len(lines[starts[0]]) - len(lines[starts[0]].lstrip())]
    if any(not lines[s].startswith(indent) or lines[s][len(indent)] == " " for s in starts):
        return None
    end = max(line for path, line in located.lines.items() if path[:1] == ("definition",))
    while end < len(lines) and lines[end].startswith((" ", "\t")):
        end += 1
    # Each key owns [its line, its last content line]; the filler after it belongs to the next.
    spans = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else end
        last = stop - 1
        while last > start and _is_filler(lines[last]):
            last -= 1
        first = start
        if keys[index] in updates and keys[index] in STALE_COMMENTS:
            while first - 1 >= head and lines[first - 1].lstrip().startswith("#"):
                first -= 1
        spans.append((first, last + 1))
    out = lines[: spans[0][0]] if spans else []
    missing = [key for key in updates if key not in keys]
    for index, key in enumerate(keys):
        first, stop = spans[index]
        if index:
            out += lines[spans[index - 1][1] : first]
        out += _dump(key, updates[key], indent) if key in updates else lines[first:stop]
        if key == "criteria":
            for extra in missing:
                out += _dump(extra, updates[extra], indent)
    out += lines[spans[-1][1] :]
    return "".join(out)


def _rewrite_block(text: str, located: LocatedYaml, definition: dict[str, Any]) -> str:
    """`text` with the whole `definition:` block replaced by `definition`."""
    lines = text.splitlines(keepends=True)
    start = located.lines[("definition",)] - 1
    end = max(line for path, line in located.lines.items() if path[:1] == ("definition",))
    while end < len(lines) and lines[end].startswith((" ", "\t")):
        end += 1  # indented continuation lines and comments of the block
    block = yaml.safe_dump({"definition": definition}, sort_keys=False, allow_unicode=True)
    return "".join(lines[:start]) + block + "".join(lines[end:])
