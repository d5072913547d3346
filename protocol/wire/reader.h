// Reader: bounded, total decoding of the Kafka protocol's primitive types (wire-protocol.md §4-5)
// from the front of a ByteView. Every read either succeeds and advances, or fails with
// Errc::truncated (the input ends inside the value or a declared length) or Errc::malformed (a
// length, count, varint or tag order that can't be right), leaving the position unspecified.
// Invariant: nothing is allocated for a declared length or count before the remaining input is
// known to hold it: a string of N bytes needs N bytes left, an array of N elements at least
// N * (smallest encoding of one element) bytes.
// Not thread-safe; a Reader is a cursor owned by one decode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "protocol/bytes.h"
#include "protocol/errc.h"
#include "protocol/result.h"
#include "protocol/wire/records_view.h"
#include "protocol/wire/uuid.h"

namespace sluice::protocol {

class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}

  [[nodiscard]] size_t remaining() const { return in_.size(); }
  [[nodiscard]] bool empty() const { return in_.empty(); }
  // The unread bytes.
  [[nodiscard]] ByteView rest() const { return in_; }

  Result<bool> read_bool();
  Result<int8_t> read_int8() { return read_be<int8_t>(); }
  Result<int16_t> read_int16() { return read_be<int16_t>(); }
  Result<int32_t> read_int32() { return read_be<int32_t>(); }
  Result<int64_t> read_int64() { return read_be<int64_t>(); }
  Result<uint16_t> read_uint16() { return read_be<uint16_t>(); }
  Result<uint32_t> read_uint32() { return read_be<uint32_t>(); }
  Result<double> read_float64();
  Result<uint32_t> read_uvarint();
  Result<int32_t> read_varint();
  Result<int64_t> read_varlong();
  Result<Uuid> read_uuid();

  // `compact` selects the flexible-version form: uvarint length + 1 instead of int16/int32.
  Result<std::string> read_string(bool compact);
  Result<std::optional<std::string>> read_nullable_string(bool compact);
  Result<Bytes> read_bytes(bool compact);
  Result<std::optional<Bytes>> read_nullable_bytes(bool compact);
  // Nullable bytes returned as a view into the input, not copied.
  Result<std::optional<RecordsView>> read_records(bool compact);

  // An array's element count, -1 for null. Fails unless count * min_element_size bytes remain.
  // REQUIRES: min_element_size >= 1.
  Result<int32_t> read_array_count(bool compact, size_t min_element_size);

  Result<ByteView> read_view(size_t n);
  Status skip(size_t n);

  // A tagged-field section: uvarint count, then per field uvarint tag, uvarint size, size bytes.
  // Calls on_field(tag, sub_reader) for each field, sub_reader holding exactly its bytes; an
  // unknown tag should return ok() without reading. Tags must strictly increase.
  template <typename F>
  Status read_tagged_fields(F&& on_field);
  Status skip_tagged_fields() {
    return read_tagged_fields([](uint32_t, Reader&) { return ok(); });
  }

 private:
  template <typename T>
  Result<T> read_be() {
    if (in_.size() < sizeof(T)) return Errc::truncated;
    const T v = load_be<T>(in_.data());
    in_ = in_.subspan(sizeof(T));
    return v;
  }
  // A string or bytes length: -1 = null; checked against the remaining input.
  Result<int32_t> read_length(bool compact, bool int16_prefix);

  ByteView in_;
};

template <typename F>
Status Reader::read_tagged_fields(F&& on_field) {
  SLUICE_TRY(auto count, read_uvarint());
  if (count > remaining() / 2) return Errc::truncated;  // a field takes at least 2 bytes
  int64_t last_tag = -1;
  for (uint32_t i = 0; i < count; ++i) {
    SLUICE_TRY(auto tag, read_uvarint());
    if (static_cast<int64_t>(tag) <= last_tag) return Errc::malformed;
    last_tag = tag;
    SLUICE_TRY(auto size, read_uvarint());
    SLUICE_TRY(auto payload, read_view(size));
    Reader sub(payload);
    SLUICE_TRY(on_field(tag, sub));
  }
  return ok();
}

// An array whose elements read_one() decodes; null is Errc::malformed.
template <typename F>
auto read_array(Reader& r, bool compact, size_t min_element_size, F&& read_one)
    -> Result<std::vector<typename std::invoke_result_t<F&>::value_type>> {
  using T = typename std::invoke_result_t<F&>::value_type;
  SLUICE_TRY(auto count, r.read_array_count(compact, min_element_size));
  if (count < 0) return Errc::malformed;
  std::vector<T> out;
  out.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    SLUICE_TRY(auto element, read_one());
    out.push_back(std::move(element));
  }
  return out;
}

// As read_array, but a null array is std::nullopt.
template <typename F>
auto read_nullable_array(Reader& r, bool compact, size_t min_element_size, F&& read_one)
    -> Result<std::optional<std::vector<typename std::invoke_result_t<F&>::value_type>>> {
  Reader probe = r;
  SLUICE_TRY(auto count, probe.read_array_count(compact, min_element_size));
  if (count < 0) {
    r = probe;
    return std::nullopt;
  }
  SLUICE_TRY(auto elements, read_array(r, compact, min_element_size, read_one));
  return std::optional(std::move(elements));
}

}  // namespace sluice::protocol
