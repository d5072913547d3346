// The "nothing acknowledged is lost" check of the multi-broker suites (producer failover,
// reassignment): a producer writes numbered values ("v%08d", record i to partition
// i % partitions) while the test breaks things, its delivery reports are kept, and afterwards
// every partition is read back from the start and compared with them. The confluent-kafka side
// is tests/interop/confluent_failover.py; our own client's producer fills an Outcome directly.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace sluice::broker::testing {

struct Acked {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t seq = 0;  // the record's number: value "v%08d"
};

// What the producer was told, and what a consumer reads back.
struct Outcome {
  std::vector<Acked> acked;
  int64_t failed = 0;
  int64_t sent = 0;  // records 0..sent-1 were handed to the producer
  std::map<int32_t, std::map<int64_t, int64_t>> log;  // partition -> offset -> seq
};

inline int64_t seq_of(const std::string& value) {
  return value.size() > 1 && value[0] == 'v' ? std::stoll(value.substr(1)) : -1;
}

inline std::string value_of(int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "v%08lld", static_cast<long long>(seq));
  return buf;
}

inline std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The checks of issue 4: every acknowledged record is at its offset; per partition the records
// appear in the order produced (the first copy of each: a retry without idempotence may append a
// batch again after its lost acknowledgement, but never before an earlier record); nothing that
// was not produced, nothing in the wrong partition. Returns the number of duplicate copies.
inline int64_t check_nothing_lost(const Outcome& o, int partitions) {
  EXPECT_GT(o.acked.size(), 0u);
  for (const Acked& a : o.acked) {
    auto p = o.log.find(a.partition);
    if (p == o.log.end()) {
      ADD_FAILURE() << "partition " << a.partition << " is empty, but " << value_of(a.seq) << " was acknowledged";
      return 0;
    }
    auto at = p->second.find(a.offset);
    if (at == p->second.end()) {
      ADD_FAILURE() << "acknowledged " << value_of(a.seq) << " at " << a.partition << "@" << a.offset
                    << " is lost (log " << (p->second.empty() ? 0 : p->second.rbegin()->first + 1) << " long)";
    } else {
      EXPECT_EQ(at->second, a.seq) << "acknowledged " << value_of(a.seq) << " at " << a.partition << "@" << a.offset
                                   << " but the log holds " << value_of(at->second);
    }
  }
  int64_t duplicates = 0;
  for (const auto& [partition, records] : o.log) {
    std::set<int64_t> seen;
    int64_t last_new = -1;
    int64_t expected_offset = records.empty() ? 0 : records.begin()->first;
    for (const auto& [offset, seq] : records) {
      EXPECT_EQ(offset, expected_offset) << "a gap in partition " << partition;
      expected_offset = offset + 1;
      EXPECT_TRUE(seq >= 0 && seq < o.sent && seq % partitions == partition)
          << "foreign record " << value_of(seq) << " at " << partition << "@" << offset;
      if (!seen.insert(seq).second) {
        ++duplicates;
        continue;
      }
      EXPECT_GT(seq, last_new) << "out of order at " << partition << "@" << offset;
      last_new = seq;
    }
  }
  return duplicates;
}

inline std::filesystem::path confluent_failover_script() {
  return std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/interop/confluent_failover.py";
}

// confluent-kafka producing to `topic` (acks=all) while `during` runs (it gets a count of the
// delivery reports so far); the outcome of its delivery reports. Files go to `dir`. Any failed
// delivery or non-transport client error fails the test.
inline Outcome with_confluent_producer(const std::filesystem::path& dir, const std::string& bootstrap,
                                       const std::string& topic, int partitions,
                                       const std::function<void(const std::function<size_t()>&)>& during) {
  Outcome o;
  const auto acks = dir / "acks.txt";
  const auto stop = dir / "stop";
  sluice::testing::ChildProcess producer({"/usr/bin/python3", confluent_failover_script().string(), "produce",
                                          bootstrap, topic, std::to_string(partitions), acks.string(), stop.string()},
                                         dir / "producer");
  auto acked = [&] { return lines_of(acks).size(); };
  during(acked);
  std::ofstream(stop) << "stop\n";
  const auto status = producer.wait_exit(std::chrono::seconds(150));
  EXPECT_EQ(status, std::optional<int>(0)) << producer.output();
  const std::string out = producer.stdout_text();
  const auto sent_at = out.find("SENT ");
  EXPECT_NE(sent_at, std::string::npos) << producer.output();
  if (sent_at != std::string::npos) o.sent = std::stoll(out.substr(sent_at + 5));
  for (const std::string& line : lines_of(acks)) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "ok") {
      Acked a;
      std::string value;
      in >> a.partition >> a.offset >> value;
      a.seq = seq_of(value);
      o.acked.push_back(a);
    } else {
      ++o.failed;
      ADD_FAILURE() << "delivery failed: " << line;  // librdkafka retries what is retriable
    }
  }
  // librdkafka reports broker errors through its error callback; only transport-level ones
  // (a broker gone) are expected, never a non-retriable produce error.
  for (std::istringstream err(producer.stderr_text()); !err.eof();) {
    std::string line;
    std::getline(err, line);
    if (line.rfind("client-error ", 0) != 0) continue;
    EXPECT_TRUE(line.find("_TRANSPORT") != std::string::npos || line.find("_ALL_BROKERS_DOWN") != std::string::npos ||
                line.find("_RESOLVE") != std::string::npos)
        << line;
  }
  return o;
}

// Every partition of `topic` from its start into o.log, read by confluent-kafka's consumer once
// each partition's high watermark covers what o.acked says was acknowledged there (a new
// leader's high watermark may trail its predecessor's for a moment, as in Kafka). `context`
// is added to a failure message.
inline void dump_into(Outcome& o, const std::filesystem::path& dir, const std::string& bootstrap,
                      const std::string& topic, int partitions, const std::string& context = {}) {
  const auto acked_ends = dir / "acked-ends.txt";
  {
    std::map<int32_t, int64_t> ends;
    for (const Acked& a : o.acked) ends[a.partition] = std::max(ends[a.partition], a.offset + 1);
    std::ofstream out(acked_ends);
    for (const auto& [p, end] : ends) out << p << " " << end << "\n";
  }
  const auto file = dir / "dump.txt";
  auto dumped = sluice::testing::run_program({"/usr/bin/python3", confluent_failover_script().string(), "dump",
                                              bootstrap, topic, std::to_string(partitions), file.string(),
                                              acked_ends.string()},
                                             "", std::chrono::seconds(120));
  ASSERT_EQ(dumped.exit_code, 0) << dumped.out << dumped.err << context;
  for (const std::string& line : lines_of(file)) {
    std::istringstream in(line);
    int32_t p = 0;
    int64_t offset = 0;
    std::string value;
    in >> p >> offset >> value;
    EXPECT_TRUE(o.log[p].emplace(offset, seq_of(value)).second) << "offset read twice: " << line;
  }
}

}  // namespace sluice::broker::testing
