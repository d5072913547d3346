#include "broker/response.h"

#include <limits>

#include "protocol/assert.h"

namespace sluice::broker {

void ResponseBuffer::append(Bytes bytes) {
  if (bytes.empty()) return;
  if (!parts_.empty()) {
    if (auto* last = std::get_if<Bytes>(&parts_.back())) {
      last->insert(last->end(), bytes.begin(), bytes.end());
      return;
    }
  }
  parts_.emplace_back(std::move(bytes));
}

void ResponseBuffer::append(storage::FileSlice slice) {
  if (slice.empty()) return;
  SLUICE_ASSERT(slice.file != nullptr && slice.length > 0, "file slice without a file");
  parts_.emplace_back(std::move(slice));
}

void ResponseBuffer::finish_frame() {
  SLUICE_ASSERT(!parts_.empty() && std::holds_alternative<Bytes>(parts_.front()),
                "a response frame starts with its size prefix");
  auto& head = std::get<Bytes>(parts_.front());
  SLUICE_ASSERT(head.size() >= 4, "a response frame starts with its size prefix");
  const size_t body = size() - 4;
  SLUICE_ASSERT(body <= static_cast<size_t>(std::numeric_limits<int32_t>::max()), "response of {} bytes", body);
  store_be<int32_t>(head.data(), static_cast<int32_t>(body));
}

size_t ResponseBuffer::size() const {
  size_t total = 0;
  for (const Part& part : parts_) {
    if (const auto* bytes = std::get_if<Bytes>(&part)) total += bytes->size();
    else total += static_cast<size_t>(std::get<storage::FileSlice>(part).length);
  }
  return total;
}

}  // namespace sluice::broker
