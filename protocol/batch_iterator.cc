#include "protocol/batch_iterator.h"

#include "protocol/errc.h"
#include "protocol/record_batch.h"

namespace sluice::protocol {

Result<std::optional<BatchView>> BatchIterator::next() {
  const ByteView rest = bytes_.subspan(position_);
  if (rest.empty()) return std::optional<BatchView>();
  SLUICE_TRY(auto header, RecordBatchHeader::parse(rest, max_batch_size_));
  if (rest.size() < header.size_in_bytes()) return Errc::truncated;
  const ByteView whole = rest.first(header.size_in_bytes());
  SLUICE_TRY(validate_batch(whole, max_batch_size_));
  BatchView view{header, whole, position_};
  position_ += whole.size();
  return std::optional<BatchView>(view);
}

}  // namespace sluice::protocol
