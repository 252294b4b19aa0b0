"""The `descent-bank/1` YAML bank format (docs/bank-format.md): read with line numbers, write losslessly.

Reading uses PyYAML's safe loader only (no arbitrary tags, no object construction). The loader
composes the node tree first so every field can be traced back to its line, then builds plain data
from the same nodes. Writing emits multi-line Markdown as `|` block scalars and a fixed key order,
so an exported file diffs cleanly against the one it came from.
"""

import re
from functools import partial

import yaml

from quizzes.bankio.errors import BankExport, BankProblem, Location, ParsedBank, add_category
from quizzes.bankio.limits import ImportLimits
from quizzes.bankio.media import MediaBudget, MediaFile, encode, item_refs
from quizzes.bankio.validation import COMMON_FIELDS, is_slug, with_common_defaults
from quizzes.engine.settings import category_problems

FORMAT_MARKER = "descent-bank/1"
# Far above any real bank (the demo banks have a few thousand values); below what would hang a worker.
MAX_EXPANDED_VALUES = 200_000
TOP_LEVEL_FIELDS = ("format", "bank", "items", "media")
MEDIA_FIELDS = ("name", "sha256", "data")
_BASE64_LINE = 76
BANK_FIELDS = ("slug", "name", "description", "categories")

# Kind-specific fields in the order the format documentation presents them; others follow sorted.
SPEC_FIELD_ORDER = (
    "choices", "shuffle", "steps", "pairs", "distractors", "answers", "case_sensitive", "params", "symbols",
    "table", "answer", "feedback_true", "feedback_false", "tolerance", "units", "constraints", "misconceptions",
    "weight", "penalty", "hidden", "combined_feedback", "category",
)  # fmt: skip
# Inside nested mappings (choices, tolerance, params, answers, tables): the documented order.
NESTED_FIELD_ORDER = (
    "text", "prompt", "correct", "fraction", "answer", "expr", "calc", "args", "mode", "value", "choices",
    "min", "max", "step", "rows", "columns", "feedback", "path", "description", "partial",
    "incorrect",
)  # fmt: skip

# YAML 1.1 (PyYAML) reads `1e-3` as a string; the format documentation writes tolerances that way,
# so both the reader and the writer treat exponent-only numbers as floats (as YAML 1.2 does).
_EXPONENT_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")


class _BankLoader(yaml.SafeLoader):
    """The safe loader, plus YAML 1.2 exponent floats."""


class _BankDumper(yaml.SafeDumper):
    """The safe dumper; it must resolve scalars like the loader so `"1e-3"` (a string) stays quoted."""


for _cls in (_BankLoader, _BankDumper):
    _cls.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789"))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line Markdown reads best as a literal block; PyYAML falls back to a quoted style by itself
    # when a block cannot hold the text exactly (e.g. trailing spaces), so this never loses data.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


# Short lists and mappings of plain values (topics, tolerances, parameter ranges) read best on one line.
_FLOW_MAX_CHARS = 72
# Long one-line Markdown stays on one line: folded plain scalars are valid but hard to edit.
_NO_FOLDING = 1_000_000


def _is_short_and_flat(values: list) -> bool:
    scalars = all(isinstance(value, str | int | float | bool) or value is None for value in values)
    if not scalars or any(isinstance(value, str) and "\n" in value for value in values):
        return False
    return sum(len(str(value)) + 2 for value in values) <= _FLOW_MAX_CHARS


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    flow = bool(value) and _is_short_and_flat(value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    flat = bool(value) and _is_short_and_flat([*value.keys(), *value.values()])
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flat and len(value) <= 4)


_BankDumper.add_representer(str, _represent_str)
_BankDumper.add_representer(list, _represent_list)
_BankDumper.add_representer(dict, _represent_dict)


# -- reading -----------------------------------------------------------------------------------------


def parse_yaml(text: str, *, filename: str = "", media: MediaBudget | None = None) -> ParsedBank:
    """Read a bank file. Structural problems are collected, never raised; items are not engine-checked here.

    The optional top-level `media` list (files the items refer to as `media:<sha256>/<name>`) is decoded
    within `media` (default: the default limits); a file that cannot be kept is a located problem.
    """
    result = ParsedBank()
    budget = media or ImportLimits().media_budget()
    loader = _BankLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(part for part in (error.context, error.problem) if part)
        result.problems.append(
            BankProblem(Location(file=filename, line=line), f"YAML syntax error: {message}")
        )
        return result
    except yaml.YAMLError as error:
        result.problems.append(BankProblem(Location(file=filename), f"YAML error: {error}"))
        return result
    except RecursionError:
        message = "the YAML is nested too deeply to read"
        result.problems.append(BankProblem(Location(file=filename), message))
        return result
    finally:
        loader.dispose()

    try:
        too_big = root is not None and _expanded_size(root, {}) > MAX_EXPANDED_VALUES
    except _RecursiveAlias as cycle:
        message = "a YAML alias refers to a value that contains it; bank files cannot be recursive"
        result.problems.append(BankProblem(Location(file=filename, line=cycle.args[0]), message))
        return result
    if too_big:
        message = (
            f"the file expands to more than {MAX_EXPANDED_VALUES} values (through YAML aliases); refused"
        )
        result.problems.append(BankProblem(Location(file=filename, line=1), message))
        return result
    lines: dict[tuple, int] = {}
    if root is not None:
        _record_lines(root, (), lines, result.problems, filename)
    _read_top_level(data, lines, result, filename)
    if isinstance(data, dict) and "media" in data:
        _read_media(data["media"], lines, result, filename, budget)
    return result


class _RecursiveAlias(Exception):
    pass


def _expanded_size(node: yaml.Node, memo: dict[int, int | None]) -> int:
    """How many values the document has once aliases are expanded, in time linear in the node graph.

    Aliases share nodes, so a few lines can stand for billions of values ("billion laughs"); walking
    or storing them expanded would hang, so such files are refused before anything walks them. An alias
    inside its own anchor (a cycle) cannot be stored as JSON at all and raises _RecursiveAlias.
    """
    if id(node) in memo:
        size = memo[id(node)]
        if size is None:
            raise _RecursiveAlias(node.start_mark.line + 1)
        return size
    memo[id(node)] = None  # in progress
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        children = []
    size = 1 + sum(_expanded_size(child, memo) for child in children)
    memo[id(node)] = size
    return size


def _record_lines(
    node: yaml.Node, path: tuple, lines: dict[tuple, int], problems: list, filename: str
) -> None:
    """Map every path in the document to the 1-based line its value starts on; flag repeated keys."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in seen:
                # safe_load would keep the last value silently; an author almost certainly made a mistake.
                where = Location(
                    file=filename, field=_dotted(path + (key,)), line=key_node.start_mark.line + 1
                )
                problems.append(BankProblem(where, f"the field '{key}' is given more than once"))
            seen.add(key)
            _record_lines(value_node, path + (key,), lines, problems, filename)
    elif isinstance(node, yaml.SequenceNode):
        for position, child in enumerate(node.value):
            _record_lines(child, path + (position,), lines, problems, filename)


def _dotted(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _read_top_level(data: object, lines: dict[tuple, int], result: ParsedBank, filename: str) -> None:
    def problem(path: tuple, message: str) -> None:
        line = lines.get(path, lines.get(path[:-1], lines.get(())))
        result.problems.append(BankProblem(Location(file=filename, field=_dotted(path), line=line), message))

    if not isinstance(data, dict):
        problem((), f"a bank file must be a mapping with {', '.join(TOP_LEVEL_FIELDS)}")
        return
    for name in data:
        if name not in TOP_LEVEL_FIELDS:
            problem((name,), f"unknown top-level field {name!r}; expected {', '.join(TOP_LEVEL_FIELDS)}")
    if data.get("format") != FORMAT_MARKER:
        problem(("format",), f"must be {FORMAT_MARKER!r}, got {data.get('format')!r}")

    bank = data.get("bank")
    if not isinstance(bank, dict):
        problem(("bank",), "must be a mapping with slug, name and an optional description")
    else:
        for name in bank:
            if name not in BANK_FIELDS:
                problem(("bank", name), f"unknown bank field {name!r}; expected {', '.join(BANK_FIELDS)}")
        if not is_slug(bank.get("slug"), 80):
            problem(("bank", "slug"), f"must be a slug of a-z, 0-9 and hyphens, got {bank.get('slug')!r}")
        if not isinstance(bank.get("name"), str) or not bank["name"].strip():
            problem(("bank", "name"), "must be non-empty text")
        if not isinstance(bank.get("description", ""), str):
            problem(("bank", "description"), "must be text")
        _read_categories(bank.get("categories", []), lines, result, problem)
        result.slug = _text_or_empty(bank.get("slug"))
        result.name = _text_or_empty(bank.get("name"))
        result.description = _text_or_empty(bank.get("description"))

    items = data.get("items")
    if not isinstance(items, list):
        problem(("items",), "must be a list of items")
        return
    # Item-level lines, keyed by the field path the validators use ("choices[2].text"); one pass.
    for path, line in lines.items():
        if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
            result.item_lines.setdefault(path[1], {})[_dotted(path[2:])] = line
    result.items = [with_common_defaults(item) if isinstance(item, dict) else item for item in items]


# -- writing -----------------------------------------------------------------------------------------


def dump_yaml(export: BankExport) -> str:
    """A `descent-bank/1` file for the bank's items (dicts shaped like `Item.to_dict()`).

    The files of its `media` (by digest) that the items refer to follow the items, base64-encoded.
    """
    bank: dict = {"slug": export.slug, "name": export.name, "description": export.description}
    if export.categories:
        bank["categories"] = [
            {"path": list(category["path"]), "description": category.get("description", "")}
            for category in export.categories
        ]
    document = {
        "format": FORMAT_MARKER,
        "bank": bank,
        "items": [_ordered_item(item) for item in export.items],
    }
    used = sorted({digest for item in export.items for digest in item_refs(item)} & set(export.media))
    if used:
        document["media"] = [_media_entry(export.media[digest]) for digest in used]
    return yaml.dump(
        document,
        Dumper=_BankDumper,
        sort_keys=False,
        allow_unicode=True,
        width=_NO_FOLDING,
        default_flow_style=False,
    )


def _ordered_item(item: dict) -> dict:
    ordered = {name: _ordered_value(item[name]) for name in COMMON_FIELDS if name in item}
    for name in _field_order(item, SPEC_FIELD_ORDER):
        if name not in ordered:
            ordered[name] = _ordered_value(item[name])
    return ordered


def _ordered_value(value: object) -> object:
    # The database may not keep a JSON object's key order (PostgreSQL's jsonb does not), so nested
    # mappings get a fixed order too: documented keys first, then the rest alphabetically.
    if isinstance(value, dict):
        return {name: _ordered_value(value[name]) for name in _field_order(value, NESTED_FIELD_ORDER)}
    if isinstance(value, list):
        return [_ordered_value(entry) for entry in value]
    return value


def _field_order(mapping: dict, preferred: tuple[str, ...]) -> list:
    known = [name for name in preferred if name in mapping]
    rest = sorted((name for name in mapping if name not in preferred), key=str)
    return known + rest


def _read_categories(value: object, lines: dict[tuple, int], result: ParsedBank, problem) -> None:
    """`bank.categories`: [{path: [names], description: text}], the category tree's described levels."""
    if not isinstance(value, list):
        problem(("bank", "categories"), "must be a list of {path, description}")
        return
    for index, entry in enumerate(value):
        where = ("bank", "categories", index)
        if not isinstance(entry, dict) or set(entry) - {"path", "description"}:
            problem(where, "must be a mapping with `path` (a list of names) and an optional `description`")
            continue
        path_problems = category_problems(entry.get("path"), "path")
        if path_problems:
            problem(where + ("path",), path_problems[0].split(": ", 1)[1])
            continue
        if not isinstance(entry.get("description", ""), str):
            problem(where + ("description",), "must be text")
            continue
        add_category(result.categories, entry["path"], entry.get("description", ""))


def _media_entry(media: MediaFile) -> dict:
    encoded = encode(media.data)
    lines = [encoded[start : start + _BASE64_LINE] for start in range(0, len(encoded), _BASE64_LINE)]
    return {"name": media.name, "sha256": media.digest, "data": "\n".join(lines) + "\n"}


def _read_media(
    value: object, lines: dict[tuple, int], result: ParsedBank, filename: str, budget: MediaBudget
) -> None:
    """`media`: [{name, sha256, data (base64)}], the files the items' `media:` references name."""

    def problem(path: tuple, message: str) -> None:
        line = lines.get(path, lines.get(path[:-1], lines.get(())))
        result.problems.append(BankProblem(Location(file=filename, field=_dotted(path), line=line), message))

    if not isinstance(value, list):
        problem(("media",), "must be a list of {name, sha256, data}")
        return
    for index, entry in enumerate(value):
        where = ("media", index)
        if not isinstance(entry, dict) or set(entry) != set(MEDIA_FIELDS):
            problem(where, "must be a mapping with exactly `name`, `sha256` and `data` (base64)")
            continue
        if not all(isinstance(entry[name], str) for name in MEDIA_FIELDS):
            problem(where, "`name`, `sha256` and `data` must be text")
            continue
        decoded = budget.decode(entry["name"], entry["data"], partial(problem, where + ("data",)))
        if decoded is None:
            continue
        if decoded.digest != entry["sha256"].strip().lower():
            problem(where + ("sha256",), f"does not match the data (its SHA-256 is {decoded.digest})")
            continue
        result.media[decoded.digest] = decoded


def _text_or_empty(value: object) -> str:
    return value if isinstance(value, str) else ""
