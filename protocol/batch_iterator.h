// BatchIterator: walks a concatenation of v2 record batches (a Produce request's records, a
// Fetch response's, a segment's .log file) and hands out each whole, CRC-valid batch in turn.
// It stops at the first batch that is cut short or corrupt and says where the good prefix ends,
// which is where log recovery truncates and where a consumer stops reading a fetch that the byte
// limit cut. It borrows the bytes: they must outlive the iterator and the views it returns.
#pragma once

#include <cstddef>
#include <optional>
#include <system_error>

#include "protocol/bytes.h"
#include "protocol/record_batch_header.h"
#include "protocol/result.h"

namespace sluice::protocol {

struct BatchView {
  RecordBatchHeader header;
  ByteView bytes;       // the whole batch, header included
  size_t position = 0;  // where it starts in the iterated bytes
};

class BatchIterator {
 public:
  BatchIterator(ByteView bytes, size_t max_batch_size) : bytes_(bytes), max_batch_size_(max_batch_size) {}

  // The next batch, validated as validate_batch() does; std::nullopt when the bytes ended
  // exactly after the last batch. An error leaves the iterator where it was: Errc::truncated
  // for a torn tail (a header or batch cut short), or the parse/CRC error of a corrupt batch.
  Result<std::optional<BatchView>> next();

  // End of the last batch next() returned: every byte before it belongs to a valid batch.
  [[nodiscard]] size_t valid_bytes() const { return position_; }

 private:
  ByteView bytes_;
  size_t max_batch_size_;
  size_t position_ = 0;
};

// Outcome of for_each_batch.
struct BatchScan {
  size_t valid_bytes = 0;  // end of the last batch accepted by the callback
  size_t batch_count = 0;
  std::error_code error;   // empty when every byte was a valid batch the callback accepted
  [[nodiscard]] bool ok() const { return !error; }
};

// Calls fn(const BatchView&) -> Status for each batch in order. Stops at the first invalid batch
// or the first error fn returns; that batch is not counted in valid_bytes.
template <typename Fn>
BatchScan for_each_batch(ByteView bytes, size_t max_batch_size, Fn&& fn) {
  BatchIterator it(bytes, max_batch_size);
  BatchScan scan;
  for (;;) {
    auto next = it.next();
    if (!next) {
      scan.error = next.error();
      return scan;
    }
    if (!next.value()) return scan;
    const BatchView& batch = *next.value();
    if (Status s = fn(batch); !s) {
      scan.error = s.error();
      return scan;
    }
    scan.valid_bytes = batch.position + batch.bytes.size();
    ++scan.batch_count;
  }
}

}  // namespace sluice::protocol
