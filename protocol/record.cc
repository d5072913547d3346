#include "protocol/record.h"

#include <limits>

#include "protocol/assert.h"
#include "protocol/errc.h"
#include "protocol/varint.h"

namespace sluice::protocol {
namespace {

constexpr size_t kMinHeaderBytes = 2;  // keyLength 0 and valueLength -1, one byte each

int32_t length_of(size_t size) {
  SLUICE_ASSERT(size <= static_cast<size_t>(std::numeric_limits<int32_t>::max()),
                "field of {} bytes does not fit a record", size);
  return static_cast<int32_t>(size);
}

size_t optional_bytes_size(const std::optional<Bytes>& b) {
  return b ? varint_size(length_of(b->size())) + b->size() : varint_size(-1);
}

void write_optional_bytes(Bytes& out, const std::optional<Bytes>& b) {
  if (!b) {
    write_varint(out, -1);
    return;
  }
  write_varint(out, length_of(b->size()));
  out.insert(out.end(), b->begin(), b->end());
}

size_t body_size(const Record& r) {
  size_t n = 1 + varlong_size(r.timestamp_delta) + varint_size(r.offset_delta) +
             optional_bytes_size(r.key) + optional_bytes_size(r.value) +
             varint_size(length_of(r.headers.size()));
  for (const RecordHeader& h : r.headers) {
    n += varint_size(length_of(h.key.size())) + h.key.size() +
         optional_bytes_size(h.value);
  }
  return n;
}

// Reads a varint length and that many bytes; -1 is null when `nullable`.
Result<std::optional<Bytes>> read_bytes(ByteView& in, bool nullable) {
  SLUICE_TRY(const int32_t length, read_varint(in));
  if (length == -1 && nullable) return std::optional<Bytes>();
  if (length < 0 || static_cast<size_t>(length) > in.size()) return Errc::malformed;
  const ByteView field = in.first(static_cast<size_t>(length));
  in = in.subspan(field.size());
  return std::optional<Bytes>(Bytes(field.begin(), field.end()));
}

Result<std::vector<RecordHeader>> read_headers(ByteView& in) {
  SLUICE_TRY(const int32_t count, read_varint(in));
  // Checked before reserving: each header takes at least two bytes.
  if (count < 0 || static_cast<size_t>(count) > in.size() / kMinHeaderBytes) {
    return Errc::malformed;
  }
  std::vector<RecordHeader> headers;
  headers.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    SLUICE_TRY(auto key, read_bytes(in, false));
    SLUICE_TRY(auto value, read_bytes(in, true));
    headers.push_back({std::string(as_chars(*key)), std::move(value)});
  }
  return headers;
}

// Decodes the fields of a record whose body is exactly `body`.
Result<Record> decode_body(ByteView body) {
  Record r;
  if (body.empty()) return Errc::malformed;
  body = body.subspan(1);  // attributes: unused by every Kafka version so far
  SLUICE_TRY(r.timestamp_delta, read_varlong(body));
  SLUICE_TRY(r.offset_delta, read_varint(body));
  SLUICE_TRY(r.key, read_bytes(body, true));
  SLUICE_TRY(r.value, read_bytes(body, true));
  SLUICE_TRY(r.headers, read_headers(body));
  if (!body.empty()) return Errc::malformed;
  return r;
}

}  // namespace

size_t encoded_size(const Record& r) {
  const size_t body = body_size(r);
  return varint_size(length_of(body)) + body;
}

void encode_record(Bytes& out, const Record& r) {
  const size_t body = body_size(r);
  out.reserve(out.size() + varint_size(length_of(body)) + body);
  write_varint(out, length_of(body));
  out.push_back(std::byte{0});  // attributes
  write_varlong(out, r.timestamp_delta);
  write_varint(out, r.offset_delta);
  write_optional_bytes(out, r.key);
  write_optional_bytes(out, r.value);
  write_varint(out, length_of(r.headers.size()));
  for (const RecordHeader& h : r.headers) {
    const ByteView key = as_bytes(h.key);
    write_varint(out, length_of(key.size()));
    out.insert(out.end(), key.begin(), key.end());
    write_optional_bytes(out, h.value);
  }
}

Result<Record> decode_record(ByteView& in) {
  ByteView rest = in;
  SLUICE_TRY(const int32_t length, read_varint(rest));
  if (length < 0) return Errc::malformed;
  if (static_cast<size_t>(length) > rest.size()) return Errc::truncated;
  SLUICE_TRY(Record r, decode_body(rest.first(static_cast<size_t>(length))));
  in = rest.subspan(static_cast<size_t>(length));
  return r;
}

}  // namespace sluice::protocol
