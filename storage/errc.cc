#include "storage/errc.h"

#include <string>

namespace sluice::storage {
namespace {

class StorageCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "sluice.storage"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::offset_out_of_range: return "offset out of range";
      case Errc::io_error: return "i/o error";
      case Errc::corrupt_batch: return "corrupt record batch";
      case Errc::batch_too_large: return "record batch larger than max.message.bytes";
      case Errc::record_list_too_large: return "record set larger than segment.bytes";
      case Errc::invalid_offset: return "invalid offset";
      case Errc::invalid_record: return "record count disagrees with the last offset delta";
      case Errc::invalid_config: return "invalid log config";
      case Errc::log_dir_locked: return "log dir locked by another process";
      case Errc::log_dir_offline: return "log dir offline";
      case Errc::log_exists: return "log already exists";
      case Errc::log_not_found: return "log not found";
      case Errc::corrupt_checkpoint: return "corrupt checkpoint file";
    }
    return "unknown storage error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& storage_category() {
  static const StorageCategory category;
  return category;
}

}  // namespace sluice::storage
