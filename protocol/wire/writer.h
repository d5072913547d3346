// Writer: encodes the Kafka protocol's primitive types (wire-protocol.md §4-5), appending to a
// Bytes buffer it does not own. Encoding can't fail on valid input; a value the wire can't carry
// (a non-compact string over 32767 bytes, an array over INT32_MAX elements) is a caller bug and
// asserts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/bytes.h"
#include "protocol/wire/records_view.h"
#include "protocol/wire/uuid.h"

namespace sluice::protocol {

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  [[nodiscard]] Bytes& buffer() { return out_; }
  [[nodiscard]] size_t size() const { return out_.size(); }

  void write_bool(bool v) { write_int8(v ? 1 : 0); }
  void write_int8(int8_t v) { write_be(v); }
  void write_int16(int16_t v) { write_be(v); }
  void write_int32(int32_t v) { write_be(v); }
  void write_int64(int64_t v) { write_be(v); }
  void write_uint16(uint16_t v) { write_be(v); }
  void write_uint32(uint32_t v) { write_be(v); }
  void write_float64(double v);
  void write_uvarint(uint64_t v);
  void write_varint(int32_t v);
  void write_varlong(int64_t v);
  void write_uuid(const Uuid& id);

  // `compact` selects the flexible-version form: uvarint length + 1 instead of int16/int32.
  void write_string(std::string_view s, bool compact);
  void write_nullable_string(const std::optional<std::string>& s, bool compact);
  void write_bytes(ByteView b, bool compact);
  void write_nullable_bytes(const std::optional<Bytes>& b, bool compact);
  void write_records(const std::optional<RecordsView>& records, bool compact);

  void write_array_count(size_t count, bool compact);
  void write_null_array(bool compact);
  void write_raw(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
  // One entry of a tagged-field section: uvarint tag, uvarint size, payload.
  void write_tagged_field(uint32_t tag, ByteView payload);

  template <typename T, typename F>
  void write_array(const std::vector<T>& elements, bool compact, F&& write_one) {
    write_array_count(elements.size(), compact);
    for (const T& e : elements) write_one(e);
  }
  template <typename T, typename F>
  void write_nullable_array(const std::optional<std::vector<T>>& elements, bool compact,
                            F&& write_one) {
    if (!elements) return write_null_array(compact);
    write_array(*elements, compact, write_one);
  }

 private:
  template <typename T>
  void write_be(T v) {
    const size_t at = out_.size();
    out_.resize(at + sizeof(T));
    store_be<T>(out_.data() + at, v);
  }
  void write_length(size_t length, bool compact, bool int16_prefix);

  Bytes& out_;
};

}  // namespace sluice::protocol
