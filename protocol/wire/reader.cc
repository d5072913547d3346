#include "protocol/wire/reader.h"

#include <bit>
#include <limits>

#include "protocol/varint.h"

namespace sluice::protocol {

Result<bool> Reader::read_bool() {
  SLUICE_TRY(auto v, read_int8());
  return v != 0;
}

Result<double> Reader::read_float64() {
  SLUICE_TRY(auto bits, read_be<uint64_t>());
  return std::bit_cast<double>(bits);
}

Result<uint32_t> Reader::read_uvarint() { return protocol::read_uvarint(in_); }
Result<int32_t> Reader::read_varint() { return protocol::read_varint(in_); }
Result<int64_t> Reader::read_varlong() { return protocol::read_varlong(in_); }

Result<Uuid> Reader::read_uuid() {
  SLUICE_TRY(auto view, read_view(16));
  Uuid id;
  std::copy(view.begin(), view.end(), id.bytes.begin());
  return id;
}

Result<int32_t> Reader::read_length(bool compact, bool int16_prefix) {
  int64_t length = 0;
  if (compact) {
    SLUICE_TRY(auto u, read_uvarint());
    length = static_cast<int64_t>(u) - 1;
  } else if (int16_prefix) {
    SLUICE_TRY(auto v, read_int16());
    length = v;
  } else {
    SLUICE_TRY(auto v, read_int32());
    length = v;
  }
  if (length < -1 || length > std::numeric_limits<int32_t>::max()) return Errc::malformed;
  if (length > static_cast<int64_t>(remaining())) return Errc::truncated;
  return static_cast<int32_t>(length);
}

Result<std::string> Reader::read_string(bool compact) {
  SLUICE_TRY(auto s, read_nullable_string(compact));
  if (!s) return Errc::malformed;
  return std::move(*s);
}

Result<std::optional<std::string>> Reader::read_nullable_string(bool compact) {
  SLUICE_TRY(auto length, read_length(compact, true));
  if (length < 0) return std::nullopt;
  SLUICE_TRY(auto view, read_view(static_cast<size_t>(length)));
  return std::optional<std::string>(as_chars(view));
}

Result<Bytes> Reader::read_bytes(bool compact) {
  SLUICE_TRY(auto b, read_nullable_bytes(compact));
  if (!b) return Errc::malformed;
  return std::move(*b);
}

Result<std::optional<Bytes>> Reader::read_nullable_bytes(bool compact) {
  SLUICE_TRY(auto records, read_records(compact));
  if (!records) return std::nullopt;
  return std::optional<Bytes>(std::in_place, records->bytes.begin(), records->bytes.end());
}

Result<std::optional<RecordsView>> Reader::read_records(bool compact) {
  SLUICE_TRY(auto length, read_length(compact, false));
  if (length < 0) return std::nullopt;
  SLUICE_TRY(auto view, read_view(static_cast<size_t>(length)));
  return std::optional(RecordsView{view});
}

Result<int32_t> Reader::read_array_count(bool compact, size_t min_element_size) {
  int64_t count = 0;
  if (compact) {
    SLUICE_TRY(auto u, read_uvarint());
    count = static_cast<int64_t>(u) - 1;
  } else {
    SLUICE_TRY(auto v, read_int32());
    count = v;
  }
  if (count < -1 || count > std::numeric_limits<int32_t>::max()) return Errc::malformed;
  if (count > 0 && static_cast<uint64_t>(count) > remaining() / min_element_size) {
    return Errc::truncated;
  }
  return static_cast<int32_t>(count);
}

Result<ByteView> Reader::read_view(size_t n) {
  if (n > in_.size()) return Errc::truncated;
  const ByteView view = in_.first(n);
  in_ = in_.subspan(n);
  return view;
}

Status Reader::skip(size_t n) {
  SLUICE_TRY(read_view(n));
  return ok();
}

}  // namespace sluice::protocol
