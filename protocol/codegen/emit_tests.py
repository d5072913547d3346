"""Emits a GoogleTest source: each message, at every version of its API, filled with non-default
values for the fields that version has, must round-trip, and fail cleanly on every truncation."""

from typing import List

import cpp
from emit_messages import BANNER, present, snake
from schema import Field, Message, Struct


def ident(s: Struct) -> str:
    return "sample_" + "_".join(snake(p) for p in s.path)


def scalar_value(f: Field, k: int) -> str:
    e = f.element
    if e in cpp.FIXED_SIZE and e not in ("bool", "uuid", "float64"):
        base = {"int8": 10, "int16": 300, "uint16": 300}.get(e, 70000)
        raw = f"static_cast<{cpp.CPP_SCALAR[e]}>({base + k})"
        return f"{f.strong}({raw})" if f.strong else raw
    return {
        "bool": "true", "float64": f"{k}.5", "uuid": f"sample_uuid({k})",
        "string": f'std::string("{f.name}-{k}")', "bytes": f"sample_bytes({k})",
        "records": "RecordsView{sample_records()}",
    }[e]


def field_value(f: Field, k: int) -> str:
    if f.is_struct:
        one = f"{ident(f.struct)}(version)"
    else:
        one = scalar_value(f, k)
    if not f.is_array:
        return one
    elem = f.struct.qualified if f.is_struct else cpp.element_type(f)
    second = one if f.is_struct else scalar_value(f, k + 1)
    return f"std::vector<{elem}>{{{one}, {second}}}"


def fill(f: Field, msg: Message, k: int) -> List[str]:
    value = field_value(f, k)
    if f.element == "bool" and not f.is_array:
        value = f"!m.{f.name}"  # whatever the default, the other value
    null = cpp.nullable_cond(f, msg)
    if null is None:
        return [f"m.{f.name} = {value};"]
    # Alternate null and non-null across versions so both encodings are covered.
    return [f"if (({null}) && (version + {k}) % 2 == 1) {{",
            f"  m.{f.name} = std::nullopt;", "} else {", f"  m.{f.name} = {value};", "}"]


def sample(s: Struct, msg: Message) -> List[str]:
    out = [f"{s.qualified} {ident(s)}([[maybe_unused]] int16_t version) {{", f"  {s.qualified} m;"]
    for k, f in enumerate(s.fields, 1):
        body = fill(f, msg, k)
        cond = present(f, msg)
        if cond is None:
            out += ["  " + x for x in body]
        else:
            out += [f"  if ({cond}) {{"] + ["    " + x for x in body] + ["  }"]
    return out + ["  return m;", "}", ""]


def test_source(messages: List[Message]) -> str:
    out = [BANNER.format(src="protocol/schemas/*.schema"), '#include <gtest/gtest.h>', "",
           '#include "protocol/tests/message_test_util.h"']
    out += [f'#include "protocol/messages/{snake(m.name)}.h"' for m in messages]
    out += ["", "namespace sluice::protocol::test {", "namespace {", ""]
    for m in messages:
        for s in m.nested() + [m]:
            out += sample(s, m)
    for m in messages:
        loop = (f"  for (int16_t version = {m.name}::kMinVersion; "
                f"version <= {m.name}::kMaxVersion; ++version) {{")
        out += [f"TEST(GeneratedMessages, {m.name}RoundTripsAtEveryVersion) {{", loop,
                "    SCOPED_TRACE(version);",
                f"    expect_round_trip({ident(m)}(version), version);", "  }", "}", "",
                f"TEST(GeneratedMessages, {m.name}FailsCleanlyWhenTruncatedAnywhere) {{", loop,
                "    SCOPED_TRACE(version);",
                f"    expect_every_truncation_fails({ident(m)}(version), version);", "  }", "}",
                ""]
    out += ["}  // namespace", "}  // namespace sluice::protocol::test", ""]
    return "\n".join(out)
