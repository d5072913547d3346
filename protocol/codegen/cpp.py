"""C++ spellings of schema types, version conditions and primitive reads/writes."""

from typing import Optional

from schema import Field, Message, Range, intersect

CPP_SCALAR = {
    "bool": "bool", "int8": "int8_t", "int16": "int16_t", "int32": "int32_t",
    "int64": "int64_t", "uint16": "uint16_t", "uint32": "uint32_t", "float64": "double",
    "string": "std::string", "bytes": "Bytes", "records": "RecordsView", "uuid": "Uuid",
}
FIXED_SIZE = {"bool": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8, "uint16": 2,
              "uint32": 4, "float64": 8, "uuid": 16}
# Readers/writers that take the compact flag.
VARIABLE = {"string", "bytes", "records"}


def element_type(f: Field) -> str:
    if f.is_struct:
        return f.element
    return f.strong or CPP_SCALAR[f.element]


def nullable_anywhere(f: Field) -> bool:
    return intersect(f.versions, f.nullable) is not None


def member_type(f: Field) -> str:
    t = element_type(f)
    if f.is_array:
        t = f"std::vector<{t}>"
    return f"std::optional<{t}>" if nullable_anywhere(f) else t


def member_init(f: Field) -> str:
    """Brace initialiser holding the field's default."""
    d = f.default
    if d is None or d == "null" or f.is_array:
        return "{}"
    if d in ("true", "false") or d.lstrip("-").isdigit() or d.startswith("0x"):
        return "{INT32_MIN}" if d == "-2147483648" else "{" + d + "}"
    return "{" + ('"' + d.strip('"') + '"') + "}"


def version_cond(r: Range, within: Range) -> Optional[str]:
    """C++ test that `version` lies in r, given that it lies in `within`; None if always true."""
    lo_needed, hi_needed = r[0] > within[0], r[1] < within[1]
    if lo_needed and hi_needed and r[0] == r[1]:
        return f"version == {r[0]}"
    parts = []
    if lo_needed:
        parts.append(f"version >= {r[0]}")
    if hi_needed:
        parts.append(f"version <= {r[1]}")
    return " && ".join(parts) or None


def never(r: Optional[Range], within: Range) -> bool:
    return intersect(r, within) is None


def nullable_cond(f: Field, msg: Message) -> Optional[str]:
    """'true' if nullable wherever present, None if never, else a version test."""
    present = intersect(f.versions, msg.valid)
    null = intersect(present, f.nullable)
    if null is None:
        return None
    if null == present:
        return "true"
    return version_cond(null, present)


def compact_expr(f: Field) -> str:
    return "false" if f.never_compact else "flexible"


def min_size(f: Field, compact: str) -> str:
    e = f.element
    if e in FIXED_SIZE:
        return str(FIXED_SIZE[e])
    if e == "string":
        return f"({compact} ? 1U : 2U)"
    if e in ("bytes", "records"):
        return f"({compact} ? 1U : 4U)"
    return "1"


def read_scalar(f: Field, reader: str, compact: str, nullable: bool) -> str:
    """Expression yielding Result<raw value> for one scalar element."""
    e = f.element
    if e in VARIABLE:
        if e == "records":
            return f"{reader}.read_records({compact})"
        prefix = "read_nullable_" if nullable else "read_"
        return f"{reader}.{prefix}{e}({compact})"
    return f"{reader}.read_{e}()"


def write_scalar(f: Field, writer: str, value: str, compact: str, nullable: bool) -> str:
    e = f.element
    if e in VARIABLE:
        if e == "records":
            return f"{writer}.write_records({value}, {compact});"
        prefix = "write_nullable_" if nullable else "write_"
        return f"{writer}.{prefix}{e}({value}, {compact});"
    if f.strong:
        value = f"{value}.value()"
    return f"{writer}.write_{e}({value});"
