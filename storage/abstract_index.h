// AbstractIndex: the memory-mapped, fixed-width-entry file shared by OffsetIndex (.index) and
// TimeIndex (.timeindex), as Kafka's AbstractIndex.
//
// A new index is created at max_index_size rounded down to the entry size, zero-filled and mapped;
// its entry count lives in memory. An existing file is assumed full up to its length, so indexes
// are trimmed to their entries on roll and close, and the active segment's are grown back on load.
// Owner: one LogSegment, under its Log's lock. flush/resize/close also take the index's own mutex,
//   so a flush running outside the Log lock never races a remap.
// Invariant: entries_ <= max_entries_ = mapped_size_ / entry_size_.
// Crash behaviour: not checksummed. A crash can leave a preallocated, zero-filled tail or stale
//   entries, which sanity_check() detects; the owning segment is then rebuilt from its .log.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>

#include "protocol/bytes.h"
#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::storage {

class AbstractIndex {
 public:
  virtual ~AbstractIndex();
  AbstractIndex(const AbstractIndex&) = delete;
  AbstractIndex& operator=(const AbstractIndex&) = delete;

  [[nodiscard]] Offset base_offset() const { return base_offset_; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] int64_t entries() const { return entries_; }
  [[nodiscard]] int64_t max_entries() const { return max_entries_; }
  [[nodiscard]] int64_t size_in_bytes() const { return entries_ * entry_size_; }
  [[nodiscard]] virtual bool is_full() const { return entries_ >= max_entries_; }

  // Remaps the file at `new_size` rounded down to the entry size (growing zero-fills). Keeps the
  // entries that still fit.
  Status resize(int64_t new_size);
  // Shrinks the file to exactly its entries (on roll and close).
  Status trim_to_valid_size() { return resize(entries_ * entry_size_); }
  // Drops every entry (the bytes stay until overwritten or trimmed).
  void reset() { entries_ = 0; }
  // msync's the mapping.
  Status flush();
  // Trims and unmaps. The index is unusable after.
  Status close();
  // Unmaps and removes the file.
  Status delete_file();
  Status rename_to(const std::filesystem::path& new_path);
  // Checks the file's entries are consistent; Errc::io_error with a logged reason otherwise.
  virtual Status sanity_check() const = 0;

 protected:
  // Opens `path`, creating it at max_index_size when absent (then it has no entries).
  AbstractIndex(std::filesystem::path path, Offset base_offset, size_t entry_size);
  Status open(int64_t max_index_size);

  [[nodiscard]] const std::byte* entry_ptr(int64_t slot) const {
    return data_ + slot * static_cast<int64_t>(entry_size_);
  }
  [[nodiscard]] std::byte* mutable_entry_ptr(int64_t slot) {
    return data_ + slot * static_cast<int64_t>(entry_size_);
  }
  void set_entries(int64_t n) { entries_ = n; }
  [[nodiscard]] int32_t relative_offset(Offset offset) const;
  [[nodiscard]] size_t entry_size() const { return entry_size_; }

  // Largest slot whose key(slot) <= target, or -1 if none (empty, or target below slot 0).
  // Searches the last 8 KiB of entries ("warm", likely in page cache) first, as Kafka does.
  template <typename KeyFn>
  [[nodiscard]] int64_t largest_slot_at_or_below(int64_t target, KeyFn key) const {
    if (entries_ == 0) return -1;
    const int64_t warm_entries = 8192 / static_cast<int64_t>(entry_size_);
    const int64_t first_warm = std::max<int64_t>(0, entries_ - 1 - warm_entries);
    if (key(first_warm) <= target) return search(first_warm, entries_ - 1, target, key);
    if (key(0) > target) return -1;
    return search(0, first_warm, target, key);
  }

 private:
  template <typename KeyFn>
  static int64_t search(int64_t lo, int64_t hi, int64_t target, KeyFn key) {
    // Invariant: key(lo) <= target; the answer is in [lo, hi].
    while (lo < hi) {
      int64_t mid = lo + (hi - lo + 1) / 2;
      if (key(mid) <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  Status map(int fd, int64_t size);
  void unmap();

  std::filesystem::path path_;
  Offset base_offset_;
  size_t entry_size_;
  std::byte* data_ = nullptr;
  int64_t mapped_size_ = 0;
  int64_t entries_ = 0;
  int64_t max_entries_ = 0;
  std::mutex remap_mutex_;
};

}  // namespace sluice::storage
