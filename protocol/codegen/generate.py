#!/usr/bin/env python3
"""Sluice's message generator (STYLE.md §6). Reads protocol/schemas/*.schema and writes C++.

  generate.py lib SCHEMA_DIR OUT_DIR [--list]   structs, encode/decode, version table
  generate.py tests SCHEMA_DIR OUT_FILE          the generated round-trip test source

Files are rewritten only when their text changes, so an edit to one schema rebuilds only the
messages it affects (CMake lists them as BYPRODUCTS, which Ninja re-stats). --list prints the files `lib` would write (CMake reads it at configure time).
"""

import sys
from pathlib import Path
from typing import Dict, List

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

import emit_messages  # noqa: E402
import emit_tables  # noqa: E402
import emit_tests  # noqa: E402
from schema import Message, SchemaError, parse  # noqa: E402


def load(schema_dir: Path) -> List[Message]:
    messages: List[Message] = []
    for path in sorted(schema_dir.glob("*.schema")):
        rel = f"protocol/schemas/{path.name}"
        messages += parse(path.read_text(), rel)
    names = [m.name for m in messages]
    if len(names) != len(set(names)):
        raise SchemaError("a message is defined twice")
    return messages


def lib_files(messages: List[Message]) -> Dict[str, str]:
    files: Dict[str, str] = {}
    for m in messages:
        base = f"protocol/messages/{emit_messages.snake(m.name)}"
        files[base + ".h"] = emit_messages.header(m)
        files[base + ".cc"] = emit_messages.source(m)
    files["protocol/messages/api_table.h"] = emit_tables.table_header()
    files["protocol/messages/api_table.cc"] = emit_tables.table_source(messages)
    return files


def write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def main(argv: List[str]) -> int:
    if len(argv) < 4 or argv[1] not in ("lib", "tests"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        messages = load(Path(argv[2]))
    except SchemaError as e:
        print(f"schema error: {e}", file=sys.stderr)
        return 1
    out = Path(argv[3])
    if argv[1] == "tests":
        write_if_changed(out, emit_tests.test_source(messages))
        return 0
    files = lib_files(messages)
    if "--list" in argv:
        print(";".join(str(out / name) for name in sorted(files)))
        return 0
    for name, text in files.items():
        write_if_changed(out / name, text)
    (out / "generated.stamp").write_text("")  # always touched: CMake's OUTPUT for this run
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
