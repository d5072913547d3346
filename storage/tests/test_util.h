// Test helpers: unique temp dirs under /tmp removed afterwards, and whole-file reads and writes.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "protocol/bytes.h"
#include "tests/support/temp_dir.h"

namespace sluice::storage::testing {

using sluice::testing::TempDir;

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

inline void write_text(const std::filesystem::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
}

inline Bytes read_bytes(const std::filesystem::path& p) {
  const std::string s = read_text(p);
  const auto* b = reinterpret_cast<const std::byte*>(s.data());
  return Bytes(b, b + s.size());
}

inline void write_bytes(const std::filesystem::path& p, ByteView bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace sluice::storage::testing
