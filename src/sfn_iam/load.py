"""Read a definition: a path, ``-`` for stdin, text, or an already parsed dict.

JSON is tried first (the common case, stdlib only); YAML is imported only for YAML input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sfn_iam.errors import DefinitionError

#: AWS caps a definition at 1 MB; we accept some room for pretty-printing and comments.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


def read_source(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
    """Return the raw bytes and a display name for ``path`` (``-`` is stdin)."""
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "<stdin>"
    else:
        p = Path(path)
        try:
            with p.open("rb") as fh:
                data = fh.read(max_bytes + 1)
        except IsADirectoryError:
            raise DefinitionError("is a directory, not a definition file", source=path) from None
        except FileNotFoundError:
            raise DefinitionError("no such file", source=path) from None
        except OSError as exc:
            raise DefinitionError(f"cannot read: {exc.strerror or exc}", source=path) from None
        name = path
    if len(data) > max_bytes:
        raise DefinitionError(
            f"larger than {max_bytes:,} bytes (AWS accepts at most 1 MB); "
            "raise the limit with --max-bytes if this is intended",
            source=name,
        )
    return data, name


def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            f"not UTF-8 text (byte {exc.start}): a definition is JSON or YAML text", source=name
        ) from None


def parse_text(text: str, name: str = "<definition>", fmt: str | None = None) -> Any:
    """Parse JSON or YAML text. ``fmt`` is ``"json"``, ``"yaml"`` or None (guess)."""
    if not text.strip():
        raise DefinitionError("is empty: expected a JSON or YAML state machine definition", source=name)
    if fmt is None:
        lower = name.lower()
        if lower.endswith((".yaml", ".yml")):
            fmt = "yaml"
        elif lower.endswith(".json"):
            fmt = "json"
    if fmt != "yaml":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if fmt == "json" or text.lstrip().startswith(("{", "[")):
                raise DefinitionError(
                    f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}", source=name
                ) from None
        except RecursionError:
            raise DefinitionError("nested too deeply to parse", source=name) from None
    return _parse_yaml(text, name)


def _parse_yaml(text: str, name: str) -> Any:
    import yaml  # deferred: only YAML input pays for it

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
        raise DefinitionError(f"not valid JSON or YAML: {where}{exc.problem}", source=name) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"not valid JSON or YAML: {exc}", source=name) from None
    except RecursionError:
        raise DefinitionError("nested too deeply to parse", source=name) from None


def load_definition(source: str | bytes | dict[str, Any], name: str | None = None) -> Any:
    """Text, bytes or a parsed mapping -> the parsed definition (not yet validated)."""
    if isinstance(source, dict):
        return source
    if isinstance(source, bytes):
        source = decode(source, name or "<definition>")
    if isinstance(source, str):
        return parse_text(source, name or "<definition>")
    raise DefinitionError(
        f"expected the definition as text or a dict, got {type(source).__name__}", source=name
    )
