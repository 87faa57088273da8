"""YAML for course files: the safe subset, strict enough to catch typos, bounded in cost.

`yaml.safe_load` builds no objects, but it still expands aliases (a few lines of `&a [*a, *a]`
make a "billion laughs") and silently keeps the last of two equal keys, so a duplicated
`correct:` would go unnoticed. Course files need neither aliases nor duplicates: both are errors.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError


class StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in course files", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: PyYAML itself reports it below
                    continue
                if duplicate:
                    raise ConstructorError(
                        None, None, f"the key {key!r} appears twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load(text: str) -> Any:
    """Parse one YAML document; yaml.YAMLError (with a line and column) when it is invalid."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 — StrictLoader is a SafeLoader


def describe_error(error: yaml.YAMLError) -> str:
    """One line: what is wrong and where (lines and columns counted from 1)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{' '.join(str(problem).split())}{where}"
