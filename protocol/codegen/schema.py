"""Parser for Sluice's message schema files (protocol/schemas/*.schema).

Format (our own; docs/formats/wire-protocol.md has the full description):

    # comment
    message ProduceRequest api=0 versions=0-9 flexible=9+
      transactional_id  string  v3+  null=3+ default=null
      topic_data        []TopicProduceData v0+
        name            string  v0+

A message line starts at column 0; each field line is indented two spaces per nesting level and
reads `name type versions [attributes]`. Types: bool int8 int16 int32 int64 uint16 uint32 float64
string bytes records uuid, `[]T` for arrays, and a capitalised name for a struct whose fields
follow, indented one level deeper. A struct field with no fields of its own reuses the struct of
that name declared earlier in the same message (Kafka's commonStructs: one C++ type for a
partition state whether it sits in a v0 top-level list or a v2+ per-topic list). Attributes: null=RANGE (nullable versions), tag=N (a tagged
field in its flexible versions), default=VALUE, ignorable, as=StrongType (a protocol/types.h id),
flex=none (never compact, as the request header's client_id).
"""

import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

MAX_VERSION = 32767
SCALARS = {"bool", "int8", "int16", "int32", "int64", "uint16", "uint32", "float64",
           "string", "bytes", "records", "uuid"}
INTEGERS = {"int8", "int16", "int32", "int64", "uint16", "uint32"}

Range = Tuple[int, int]


class SchemaError(Exception):
    pass


def parse_range(text: str) -> Optional[Range]:
    """'3+' -> (3, MAX), '0-2' -> (0, 2), '4' -> (4, 4), 'none' -> None."""
    if text == "none":
        return None
    m = re.fullmatch(r"(\d+)(\+|-(\d+))?", text)
    if not m:
        raise SchemaError(f"bad version range {text!r}")
    lo = int(m.group(1))
    if m.group(2) == "+":
        return lo, MAX_VERSION
    hi = int(m.group(3)) if m.group(3) else lo
    if hi < lo:
        raise SchemaError(f"empty version range {text!r}")
    return lo, hi


def intersect(a: Optional[Range], b: Optional[Range]) -> Optional[Range]:
    if a is None or b is None:
        return None
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo <= hi else None


@dataclass
class Field:
    name: str
    type: str
    versions: Range
    nullable: Optional[Range] = None
    tag: Optional[int] = None
    default: Optional[str] = None
    ignorable: bool = False
    strong: Optional[str] = None
    never_compact: bool = False
    struct: Optional["Struct"] = None

    @property
    def is_array(self) -> bool:
        return self.type.startswith("[]")

    @property
    def element(self) -> str:
        return self.type[2:] if self.is_array else self.type

    @property
    def is_struct(self) -> bool:
        return self.element not in SCALARS


@dataclass
class Struct:
    name: str
    fields: List[Field] = field(default_factory=list)
    # C++ qualification: every nested struct is declared directly inside its message.
    path: List[str] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return "::".join(self.path)

    def nested(self) -> List["Struct"]:
        """Every struct declared inside this one, innermost first (declaration order), each once
        even when several fields share it."""
        out: List[Struct] = []
        for f in self.fields:
            if f.struct is not None:
                for s in f.struct.nested() + [f.struct]:
                    if not any(s is seen for seen in out):
                        out.append(s)
        return out


@dataclass
class Message(Struct):
    api_key: Optional[int] = None
    valid: Range = (0, 0)
    flexible: Optional[Range] = None
    source: str = ""

    @property
    def kind(self) -> str:
        for kind in ("Request", "Response", "Header"):
            if self.name.endswith(kind):
                return kind.lower()
        raise SchemaError(f"{self.name}: a message name ends in Request, Response or Header")

    @property
    def api_name(self) -> str:
        return re.sub(r"(Request|Response)$", "", self.name)


def _parse_field(tokens: List[str], where: str) -> Field:
    if len(tokens) < 3 or not tokens[2].startswith("v"):
        raise SchemaError(f"{where}: expected `name type vRANGE [attributes]`")
    f = Field(name=tokens[0], type=tokens[1], versions=parse_range(tokens[2][1:]))
    for attr in tokens[3:]:
        key, _, value = attr.partition("=")
        if key == "null":
            f.nullable = parse_range(value)
        elif key == "tag":
            f.tag = int(value)
        elif key == "default":
            f.default = value
        elif key == "ignorable":
            f.ignorable = True
        elif key == "as":
            f.strong = value
        elif key == "flex" and value == "none":
            f.never_compact = True
        else:
            raise SchemaError(f"{where}: unknown attribute {attr!r}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", f.name):
        raise SchemaError(f"{where}: field names are snake_case")
    if f.element not in SCALARS and not re.fullmatch(r"[A-Z][A-Za-z0-9]*", f.element):
        raise SchemaError(f"{where}: unknown type {f.type!r}")
    if f.strong and f.element not in INTEGERS:
        raise SchemaError(f"{where}: as= applies to integer fields only")
    return f


def _header(tokens: List[str], where: str, source: str) -> Message:
    attrs = dict(t.partition("=")[::2] for t in tokens[2:])
    msg = Message(name=tokens[1], source=source)
    msg.path = [msg.name]
    msg.valid = parse_range(attrs.get("versions", "")) or (0, 0)
    msg.flexible = parse_range(attrs.get("flexible", "none"))
    if "api" in attrs:
        msg.api_key = int(attrs["api"])
    if msg.kind != "header" and msg.api_key is None:
        raise SchemaError(f"{where}: requests and responses need api=KEY")
    return msg


def parse(text: str, source: str) -> List[Message]:
    messages: List[Message] = []
    stack: List[Struct] = []
    for number, raw in enumerate(text.splitlines(), 1):
        where = f"{source}:{number}"
        line = raw.split("#", 1)[0].rstrip()
        if not line:
            continue
        indent = len(line) - len(line.lstrip(" "))
        tokens = line.split()
        if indent == 0:
            if tokens[0] != "message":
                raise SchemaError(f"{where}: expected `message Name ...`")
            messages.append(_header(tokens, where, source))
            stack = [messages[-1]]
            continue
        depth = indent // 2
        if indent % 2 or depth > len(stack) or not stack:
            raise SchemaError(f"{where}: bad indentation")
        del stack[depth:]
        f = _parse_field(tokens, where)
        parent = stack[-1]
        parent.fields.append(f)
        if f.is_struct:
            f.struct = Struct(name=f.element, path=[stack[0].name, f.element])
            stack.append(f.struct)
    for m in messages:
        _share_structs(m, {})
        _check(m, m)
    return messages


def _share_structs(s: Struct, declared: dict) -> None:
    """Points each field-less struct reference at the struct of that name declared before it."""
    for f in s.fields:
        if f.struct is None:
            continue
        if not f.struct.fields and f.struct.name in declared:
            f.struct = declared[f.struct.name]
            continue
        if f.struct.fields:
            declared.setdefault(f.struct.name, f.struct)
        _share_structs(f.struct, declared)


def _check(msg: Message, s: Struct) -> None:
    tags = [f.tag for f in s.fields if f.tag is not None]
    if len(tags) != len(set(tags)):
        raise SchemaError(f"{msg.source}: {s.name}: duplicate tag")
    names = [n.name for n in s.nested()]
    if s is msg and len(names) != len(set(names)):
        raise SchemaError(f"{msg.source}: {msg.name}: two nested structs share a name")
    for f in s.fields:
        if intersect(f.versions, msg.valid) is None:
            raise SchemaError(f"{msg.source}: {f.name}: versions outside the message's")
        if f.tag is not None and intersect(f.versions, msg.flexible) != f.versions:
            raise SchemaError(f"{msg.source}: {f.name}: tagged fields need flexible versions")
        if f.element == "records" and f.nullable is None:
            raise SchemaError(f"{msg.source}: {f.name}: records fields are nullable")
        if f.struct is not None:
            if f.struct.fields == []:
                raise SchemaError(f"{msg.source}: {f.name}: struct without fields")
            _check(msg, f.struct)
