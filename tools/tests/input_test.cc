// LineReader over real files, and LatencyHistogram's precision.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "tests/support/temp_dir.h"
#include "tools/latency_histogram.h"
#include "tools/line_reader.h"

namespace sluice::tools {
namespace {

std::vector<std::string> read_all(const std::string& content, size_t max, LineReader::Status* last) {
  sluice::testing::TempDir dir;
  const auto path = dir.path() / "in.txt";
  std::ofstream(path, std::ios::binary) << content;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  LineReader reader(f, max);
  std::vector<std::string> lines;
  std::string line;
  for (;;) {
    *last = reader.next(line);
    if (*last != LineReader::Status::line) break;
    lines.push_back(line);
  }
  std::fclose(f);
  return lines;
}

TEST(LineReader, SplitsLinesKeepsEmptyOnesAndTheLastUnterminated) {
  LineReader::Status last{};
  EXPECT_EQ(read_all("a\n\nb c\r\nlast", 100, &last), (std::vector<std::string>{"a", "", "b c\r", "last"}));
  EXPECT_EQ(last, LineReader::Status::end);
  EXPECT_TRUE(read_all("", 100, &last).empty());
  EXPECT_EQ(last, LineReader::Status::end);
}

TEST(LineReader, RefusesALineOverTheLimit) {
  LineReader::Status last{};
  EXPECT_EQ(read_all("1234\n12345\nnever\n", 4, &last), std::vector<std::string>{"1234"});
  EXPECT_EQ(last, LineReader::Status::too_long);
}

TEST(LatencyHistogram, PercentilesWithinBucketPrecision) {
  LatencyHistogram h;
  EXPECT_EQ(h.percentile(50), 0u);
  std::mt19937_64 rng(7);
  std::vector<uint64_t> values;
  for (int i = 0; i < 20'000; ++i) values.push_back(rng() % 5'000'000);
  values.push_back(123'456'789);
  for (uint64_t v : values) h.record(v);
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 95.0, 99.0, 99.9}) {
    const auto exact = values[static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(values.size()))) - 1];
    const auto got = h.percentile(p);
    EXPECT_GE(got, exact) << p;
    EXPECT_LE(static_cast<double>(got), static_cast<double>(exact) * (1 + 1.0 / 64) + 1) << p;
  }
  EXPECT_EQ(h.max(), 123'456'789u);
  EXPECT_EQ(h.percentile(100), 123'456'789u);
  EXPECT_EQ(h.count(), values.size());
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 0; v < 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 49u);
  EXPECT_EQ(h.percentile(1), 0u);
}

}  // namespace
}  // namespace sluice::tools
