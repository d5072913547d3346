#include "protocol/wire/writer.h"

#include <bit>
#include <limits>

#include "protocol/assert.h"
#include "protocol/varint.h"

namespace sluice::protocol {

void Writer::write_float64(double v) { write_be(std::bit_cast<uint64_t>(v)); }
void Writer::write_uvarint(uint64_t v) { protocol::write_uvarint(out_, v); }
void Writer::write_varint(int32_t v) { protocol::write_varint(out_, v); }
void Writer::write_varlong(int64_t v) { protocol::write_varlong(out_, v); }
void Writer::write_uuid(const Uuid& id) { write_raw(id.bytes); }

void Writer::write_length(size_t length, bool compact, bool int16_prefix) {
  if (compact) {
    SLUICE_ASSERT(length < std::numeric_limits<uint32_t>::max(), "length {} too large", length);
    return write_uvarint(length + 1);
  }
  if (int16_prefix) {
    SLUICE_ASSERT(length <= 32767, "string of {} bytes needs a compact encoding", length);
    return write_int16(static_cast<int16_t>(length));
  }
  SLUICE_ASSERT(length <= 0x7fffffffU, "length {} too large", length);
  write_int32(static_cast<int32_t>(length));
}

void Writer::write_string(std::string_view s, bool compact) {
  write_length(s.size(), compact, true);
  write_raw(as_bytes(s));
}

void Writer::write_nullable_string(const std::optional<std::string>& s, bool compact) {
  if (s) return write_string(*s, compact);
  if (compact) return write_uvarint(0);
  write_int16(-1);
}

void Writer::write_bytes(ByteView b, bool compact) {
  write_length(b.size(), compact, false);
  write_raw(b);
}

void Writer::write_nullable_bytes(const std::optional<Bytes>& b, bool compact) {
  if (b) return write_bytes(*b, compact);
  write_null_array(compact);  // same encoding as a null array: int32 -1 or uvarint 0
}

void Writer::write_records(const std::optional<RecordsView>& records, bool compact) {
  if (records) return write_bytes(records->bytes, compact);
  write_null_array(compact);
}

void Writer::write_array_count(size_t count, bool compact) {
  write_length(count, compact, false);
}

void Writer::write_null_array(bool compact) {
  if (compact) return write_uvarint(0);
  write_int32(-1);
}

void Writer::write_tagged_field(uint32_t tag, ByteView payload) {
  write_uvarint(tag);
  write_uvarint(payload.size());
  write_raw(payload);
}

}  // namespace sluice::protocol
