// RecordsView: the `records` field of Produce requests and Fetch responses, kept as the raw record
// batch bytes. Decoding points into the frame (no copy), so the frame must outlive the view;
// protocol/batch_iterator.h parses the batches when a handler needs them.
#pragma once

#include <algorithm>

#include "protocol/bytes.h"

namespace sluice::protocol {

struct RecordsView {
  ByteView bytes;

  // Equal when the bytes are equal, wherever they live.
  bool operator==(const RecordsView& other) const {
    return std::ranges::equal(bytes, other.bytes);
  }
};

}  // namespace sluice::protocol
