// Record: one key/value record of a v2 batch, as it sits inside the batch's records section
// (after decompression). Layout, each field a zigzag varint/varlong unless noted:
//   length | attributes int8 (unused, 0) | timestampDelta varlong | offsetDelta |
//   keyLength (-1 = null) | key | valueLength (-1 = null) | value | headerCount |
//   headers: keyLength (>= 0) | key | valueLength (-1 = null) | value
// length counts the bytes after itself. A record's offset and timestamp are deltas from the
// batch header's baseOffset and baseTimestamp. Null and empty keys/values are different things
// (a null value is a tombstone), hence std::optional.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/bytes.h"
#include "protocol/result.h"

namespace sluice::protocol {

struct RecordHeader {
  std::string key;  // never null on the wire; UTF-8 by convention, not checked
  std::optional<Bytes> value;

  bool operator==(const RecordHeader&) const = default;
};

struct Record {
  int32_t offset_delta = 0;
  int64_t timestamp_delta = 0;
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  std::vector<RecordHeader> headers;

  bool operator==(const Record&) const = default;
};

// Bytes encode_record() appends for `r`, length prefix included.
size_t encoded_size(const Record& r);
// Appends `r` in the layout above. REQUIRES: every key, value and header fits an int32 length.
void encode_record(Bytes& out, const Record& r);
// Decodes one record from the front of `in` and advances `in` past it. Every length is checked
// against the bytes present before use: Errc::truncated if `in` ends inside the record,
// Errc::malformed if a field is impossible (negative length, a field crossing the record's
// declared end, bytes left over inside it, more headers than bytes to hold them).
Result<Record> decode_record(ByteView& in);

}  // namespace sluice::protocol
