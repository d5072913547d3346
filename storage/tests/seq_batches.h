// Sequence-numbered batches for crash and corruption tests: batch `seq` has a deterministic
// number of records with deterministic keys, values and sizes, so a test can tell from the bytes
// alone which batch it is looking at and whether it came back intact.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "protocol/assert.h"
#include "protocol/batch_iterator.h"
#include "protocol/record_batch.h"
#include "protocol/record_batch_builder.h"
#include "storage/log.h"

namespace sluice::storage::testing {

inline constexpr int64_t kSeqBaseTimestamp = 1700000000000;

inline int seq_record_count(int64_t seq) { return static_cast<int>(seq % 5) + 1; }

inline std::string seq_key(int64_t seq, int i) { return std::to_string(seq) + "-" + std::to_string(i); }

// Sizes from 0 to ~2.5 KiB times `scale`, so segments roll at uneven points.
inline std::string seq_value(int64_t seq, int i, size_t scale) {
  size_t size = static_cast<size_t>((seq * 131 + i * 37) % 2500) * scale;
  return std::string(size, static_cast<char>('a' + (seq + i) % 26));
}

inline Bytes make_seq_batch(int64_t seq, size_t scale = 1) {
  protocol::RecordBatchBuilder builder({});
  for (int i = 0; i < seq_record_count(seq); ++i) {
    std::string key = seq_key(seq, i), value = seq_value(seq, i, scale);
    builder.append(TimestampMs(kSeqBaseTimestamp + seq), as_bytes(key), as_bytes(value));
  }
  auto batch = builder.build();
  SLUICE_ASSERT(batch.has_value(), "building batch {} failed", seq);
  return std::move(batch.value());
}

// Decodes `batch` and returns the sequence number it carries, or -1 if its records are not
// exactly those of some make_seq_batch(seq, scale).
inline int64_t seq_of(ByteView batch, size_t scale) {
  auto decoded = protocol::decode_records(batch);
  if (!decoded || decoded.value().records.empty()) return -1;
  const auto& records = decoded.value().records;
  const auto& first_key = records.front().key;
  if (!first_key) return -1;
  std::string k(as_chars(*first_key));
  int64_t seq = std::stoll(k.substr(0, k.find('-')));
  if (static_cast<int>(records.size()) != seq_record_count(seq)) return -1;
  for (int i = 0; i < seq_record_count(seq); ++i) {
    const auto& r = records[static_cast<size_t>(i)];
    if (!r.key || !r.value || as_chars(*r.key) != seq_key(seq, i) || as_chars(*r.value) != seq_value(seq, i, scale)) {
      return -1;
    }
  }
  return seq;
}

// Reads the whole log from its start and returns the sequence number of each batch in order
// (-1 for a batch that is not a seq batch). Fails the test if offsets are not contiguous.
inline std::vector<int64_t> read_seqs(const Log& log, size_t scale = 1) {
  std::vector<int64_t> seqs;
  Offset next = log.log_start_offset();
  while (next < log.log_end_offset()) {
    auto slice = log.read(next, 4 << 20, std::nullopt, true);
    if (!slice) {
      ADD_FAILURE() << "read at " << next << " failed: " << slice.error().message();
      break;
    }
    auto bytes = slice.value().read_all();
    if (!bytes) {
      ADD_FAILURE() << "reading slice failed: " << bytes.error().message();
      break;
    }
    auto scan = protocol::for_each_batch(bytes.value(), bytes.value().size(), [&](const protocol::BatchView& b) {
      if (b.header.last_offset() < next) return ok();  // the slice may start before `next`
      EXPECT_EQ(b.header.base_offset, next) << "offsets are not contiguous";
      seqs.push_back(seq_of(b.bytes, scale));
      next = b.header.next_offset();
      return ok();
    });
    if (scan.batch_count == 0) {
      ADD_FAILURE() << "slice at " << next << " held no whole batch: " << scan.error.message();
      break;
    }
  }
  return seqs;
}

}  // namespace sluice::storage::testing
