// sluice log dump|verify on segments a real sluice-broker wrote from the stock clients' record
// batches (protocol/tests/data/record-batches, every codec), damaged copies of them, and sluice
// cluster health against a real three-broker cluster before and after one broker is killed.
#include <gtest/gtest.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <fstream>
#include <sstream>
#include <regex>
#include <set>
#include <thread>

#include "protocol/batch_iterator.h"
#include "protocol/errc.h"
#include "protocol/messages/produce_request.h"
#include "protocol/messages/produce_response.h"
#include "protocol/record_batch_builder.h"
#include "tests/support/broker_process.h"
#include "tests/support/child_process.h"
#include "tests/support/net.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zookeeper_server.h"
#include "tools/client_runner.h"

namespace sluice::tools {
namespace {

namespace fs = std::filesystem;
using sluice::testing::RunResult;

const fs::path kFixtures = SLUICE_RECORD_BATCHES_DIR;

Bytes read_bytes(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  EXPECT_FALSE(ec) << path;
  Bytes out(ec ? 0 : size);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
  EXPECT_TRUE(in || out.empty()) << path;
  return out;
}

void write_bytes(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

RunResult sluice_cli(std::vector<std::string> args) {
  args.insert(args.begin(), sluice::testing::BrokerProcess::cli_binary().string());
  return sluice::testing::run_program(args, "", std::chrono::seconds(60));
}

// Eventually(...) for CLI runs: until `done` holds or ~60 s pass.
template <typename Fn, typename Done>
RunResult eventually(Fn run, Done done) {
  RunResult r;
  for (int i = 0; i < 120; ++i) {
    r = run();
    if (done(r)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return r;
}

// One Produce request carrying `batch` as it is, so the broker stores the stock client's bytes.
asio::awaitable<Status> produce_raw(client::KafkaClient* client, std::string topic, Bytes batch) {
  TopicPartition tp{topic, PartitionId(0)};
  SLUICE_CO_TRY(auto leader, co_await client->leader_for(tp));
  SLUICE_CO_TRY(auto conn, co_await client->connection(leader));
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::produce, 7, protocol::ProduceRequest::kMaxVersion));
  protocol::ProduceRequest request;
  request.acks = -1;
  request.timeout_ms = 30'000;
  protocol::ProduceRequest::PartitionProduceData partition;
  partition.index = PartitionId(0);
  partition.records = protocol::RecordsView{batch};
  protocol::ProduceRequest::TopicProduceData data;
  data.name = topic;
  data.partition_data.push_back(std::move(partition));
  request.topic_data.push_back(std::move(data));
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  for (const auto& t : response.body.responses) {
    for (const auto& p : t.partition_responses) {
      if (p.error_code != 0) co_return client::broker_error(static_cast<protocol::ErrorCode>(p.error_code));
    }
  }
  co_return ok();
}

struct FixtureBatch {
  std::string file, codec, source;
  uint32_t crc = 0;
  int32_t count = 0;
  std::vector<std::pair<std::string, std::string>> records;  // key, value
};

std::vector<FixtureBatch> fixtures() {
  boost::property_tree::ptree manifest;
  boost::property_tree::read_json((kFixtures / "manifest.json").string(), manifest);
  std::vector<FixtureBatch> out;
  for (const auto& [unused, entry] : manifest) {
    FixtureBatch f;
    f.file = entry.get<std::string>("file");
    f.codec = entry.get<std::string>("codec");
    f.source = entry.get<std::string>("headers.source");
    for (const auto& [u, r] : entry.get_child("records")) {
      f.records.emplace_back(r.get<std::string>("key"), r.get<std::string>("value"));
    }
    const Bytes bytes = read_bytes(kFixtures / f.file);
    size_t batches = 0;
    auto scan = protocol::for_each_batch(bytes, bytes.size(), [&](const protocol::BatchView& b) -> Status {
      f.crc = b.header.crc;
      f.count = b.header.record_count;
      ++batches;
      return ok();
    });
    EXPECT_TRUE(scan.ok()) << f.file;
    EXPECT_EQ(batches, 1u) << f.file << ": the test expects one batch per fixture";
    out.push_back(std::move(f));
  }
  return out;
}

// One broker holding topic "fx" (one partition, ~600-byte segments, an index entry for every
// append after a segment's first) with each fixture produced in turn.
class CliLog : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    zk_ = new sluice::testing::ZooKeeperServer();
    dir_ = new sluice::testing::TempDir();
    sluice::testing::BrokerOptions options;
    options.zookeeper_connect = zk_->connect_string();
    options.dir = dir_->path() / "broker0";
    options.properties["auto.create.topics.enable"] = "false";
    options.properties["controlled.shutdown.enable"] = "false";  // a lone broker: nothing to hand over
    broker_ = new sluice::testing::BrokerProcess(options);
    ASSERT_TRUE(broker_->wait_listening()) << broker_->output();
    RunResult created = sluice_cli({"-b", broker_->bootstrap(), "topic", "create", "fx", "-p", "1", "-r", "1",
                                    "--config", "segment.bytes=600", "--config", "index.interval.bytes=0"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    GlobalOptions global;
    global.bootstrap = broker_->bootstrap();
    ClientRunner runner(global);
    ASSERT_TRUE(runner.connect());
    for (const auto& f : fixtures()) {
      Status produced = protocol::Errc::truncated;  // not yet produced
      for (int attempt = 0; attempt < 60 && !produced; ++attempt) {  // until the leader is known
        produced = runner.run(produce_raw(&runner.client(), "fx", read_bytes(kFixtures / f.file)));
        if (!produced) std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      ASSERT_TRUE(produced) << f.file << ": " << produced.error().message() << broker_->output();
    }
  }
  static void TearDownTestSuite() {
    delete broker_;
    delete dir_;
    delete zk_;
  }
  // The partition directory, after a clean stop (indexes trimmed to their entries).
  static fs::path stopped_partition_dir() {
    if (broker_->process().running()) {
      EXPECT_TRUE(broker_->stop().has_value());
    }
    return broker_->log_dir() / "fx-0";
  }
  // A copy of the partition directory to damage.
  fs::path copy() {
    const fs::path to = scratch_.path() / ("copy" + std::to_string(copies_++)) / "fx-0";
    fs::create_directories(to.parent_path());
    fs::copy(stopped_partition_dir(), to, fs::copy_options::recursive);
    return to;
  }
  static std::vector<fs::path> files(const fs::path& dir, const std::string& ext) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ext) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static sluice::testing::ZooKeeperServer* zk_;
  static sluice::testing::TempDir* dir_;
  static sluice::testing::BrokerProcess* broker_;
  sluice::testing::TempDir scratch_;
  int copies_ = 0;
};
sluice::testing::ZooKeeperServer* CliLog::zk_ = nullptr;
sluice::testing::TempDir* CliLog::dir_ = nullptr;
sluice::testing::BrokerProcess* CliLog::broker_ = nullptr;

TEST_F(CliLog, DumpShowsEveryFixtureBatchAndRecord) {
  const fs::path dir = broker_->log_dir() / "fx-0";  // the broker is live: dump reads only
  RunResult dump = sluice_cli({"log", "dump", dir.string(), "--print-data"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err << dump.out;
  ASSERT_GT(files(dir, ".log").size(), 2u) << "several segments expected";
  std::istringstream lines(dump.out);
  std::vector<std::string> batch_lines, record_lines;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("baseOffset: ", 0) == 0) batch_lines.push_back(line);
    if (line.rfind("| offset: ", 0) == 0) record_lines.push_back(line);
  }
  const auto expected = fixtures();
  ASSERT_EQ(batch_lines.size(), expected.size()) << dump.out;
  int64_t offset = 0;
  size_t record = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& f = expected[i];
    const std::string& b = batch_lines[i];
    const std::string want = "baseOffset: " + std::to_string(offset) +
                             " lastOffset: " + std::to_string(offset + f.count - 1) +
                             " count: " + std::to_string(f.count) + " ";
    EXPECT_EQ(b.rfind(want, 0), 0u) << f.file << "\n" << b;
    EXPECT_NE(b.find(" compresscodec: " + f.codec + " crc: " + std::to_string(f.crc) + " isvalid: true"),
              std::string::npos)
        << f.file << "\n" << b;
    EXPECT_NE(b.find(" CreateTime: "), std::string::npos) << b;
    EXPECT_NE(b.find(" magic: 2 "), std::string::npos) << b;
    for (const auto& [key, value] : f.records) {
      ASSERT_LT(record, record_lines.size());
      const std::string& r = record_lines[record++];
      EXPECT_EQ(r.rfind("| offset: " + std::to_string(offset) + " CreateTime: ", 0), 0u) << r;
      EXPECT_NE(r.find("headers: [source=" + f.source + "] key: " + key + " payload: " + value),
                std::string::npos)
          << f.file << "\n" << r;
      EXPECT_EQ(r.substr(r.size() - value.size() - 9), "payload: " + value) << r;
      ++offset;
    }
  }
  EXPECT_EQ(record, record_lines.size());

  // The index files' entries point at batch starts the .log dump printed.
  std::set<std::string> positions;
  std::regex position_re(" position: ([0-9]+) ");
  for (const auto& b : batch_lines) {
    std::smatch m;
    if (std::regex_search(b, m, position_re)) positions.insert(m[1]);
  }
  const auto first_index = dir / "00000000000000000000.index";
  RunResult index = sluice_cli({"log", "dump", first_index.string()});
  ASSERT_EQ(index.exit_code, 0) << index.err;
  std::regex entry_re("^offset: ([0-9]+) position: ([0-9]+)$");
  std::istringstream index_lines(index.out);
  int entries = 0;
  for (std::string line; std::getline(index_lines, line);) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, entry_re)) << line;
    EXPECT_TRUE(positions.count(m[2])) << line;
    ++entries;
  }
  EXPECT_GT(entries, 0) << "index.interval.bytes=0 indexes every append after the first";
  RunResult time_index = sluice_cli({"log", "dump", (dir / "00000000000000000000.timeindex").string()});
  ASSERT_EQ(time_index.exit_code, 0) << time_index.err;
  EXPECT_EQ(time_index.out.rfind("timestamp: ", 0), 0u) << time_index.out;

  RunResult checked = sluice_cli({"log", "dump", dir.string(), "--verify-index"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out;
  EXPECT_EQ(checked.out.find("Problem:"), std::string::npos) << checked.out;

  // The live broker's active segment has preallocated, zero-filled indexes: not problems.
  RunResult live = sluice_cli({"log", "verify", dir.string()});
  EXPECT_EQ(live.exit_code, 0) << live.out;

  RunResult missing = sluice_cli({"log", "dump", (dir / "nope.log").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "sluice: log dump: " + (dir / "nope.log").string() + ": no such file or directory\n");
}

TEST_F(CliLog, VerifyPassesOnTheBrokersLogs) {
  const fs::path dir = stopped_partition_dir();
  RunResult partition = sluice_cli({"log", "verify", dir.string()});
  EXPECT_EQ(partition.exit_code, 0) << partition.out << partition.err;
  const std::regex summary("Checked 1 partition\\(s\\), ([0-9]+) segment\\(s\\), 10 batch\\(es\\): 0 problem\\(s\\)\n$");
  EXPECT_TRUE(std::regex_search(partition.out, summary)) << partition.out;
  RunResult root = sluice_cli({"log", "verify", broker_->log_dir().string()});
  EXPECT_EQ(root.exit_code, 0) << root.out << root.err;
  EXPECT_NE(root.out.find(": 0 problem(s)"), std::string::npos) << root.out;
}

TEST_F(CliLog, VerifyReportsAFlippedByte) {
  const fs::path dir = copy();
  const fs::path log = files(dir, ".log").at(0);
  Bytes bytes = read_bytes(log);
  bytes.at(80) ^= std::byte{0x01};  // inside the first batch's records: covered by its CRC
  write_bytes(log, bytes);
  RunResult r = sluice_cli({"log", "verify", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(log.string() + ": position 0 (offsets 0-4): CRC mismatch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(": 1 problem(s)\n"), std::string::npos) << r.out;
  RunResult dump = sluice_cli({"log", "dump", log.string(), "--print-data"});
  EXPECT_NE(dump.out.find("isvalid: false"), std::string::npos) << dump.out;
  EXPECT_NE(dump.out.find("| records not printed: "), std::string::npos) << dump.out;
}

TEST_F(CliLog, VerifyReportsATruncatedSegment) {
  const fs::path dir = copy();
  const fs::path log = files(dir, ".log").back();
  fs::resize_file(log, fs::file_size(log) - 10);
  RunResult r = sluice_cli({"log", "verify", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("(truncated)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(log.string() + ": position "), std::string::npos) << r.out;
}

TEST_F(CliLog, VerifyReportsABadIndexEntry) {
  const fs::path dir = copy();
  const fs::path index = files(dir, ".index").at(0);
  Bytes bytes = read_bytes(index);
  ASSERT_GE(bytes.size(), 8u) << "the first segment has index entries";
  bytes[7] = static_cast<std::byte>(static_cast<uint8_t>(bytes[7]) + 1);  // entry 0's position + 1
  write_bytes(index, bytes);
  RunResult r = sluice_cli({"log", "verify", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(index.filename().string() + ": entry 0 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no batch starts at that position"), std::string::npos) << r.out;

  // A time index whose timestamps go backwards.
  const fs::path time_index = files(dir, ".timeindex").at(0);
  Bytes t = read_bytes(time_index);
  if (t.size() >= 24) {
    std::swap_ranges(t.begin(), t.begin() + 8, t.begin() + 12);  // swap the first two timestamps
    write_bytes(time_index, t);
    RunResult swapped = sluice_cli({"log", "verify", dir.string()});
    EXPECT_EQ(swapped.exit_code, 1);
    EXPECT_NE(swapped.out.find("not monotonic"), std::string::npos) << swapped.out;
  }
}

// Any single damaged byte or cut anywhere in a segment or its index: a verdict, never a crash.
TEST_F(CliLog, DamageAnywhereNeverCrashes) {
  const fs::path dir = copy();
  const fs::path log = files(dir, ".log").at(0);
  const fs::path index = files(dir, ".index").at(0);
  const Bytes original = read_bytes(log);
  const Bytes original_index = read_bytes(index);
  const auto verdict = [&](const char* what, size_t at) {
    RunResult v = sluice_cli({"log", "verify", dir.string()});
    EXPECT_TRUE(v.exit_code == 0 || v.exit_code == 1) << what << " at " << at << ": exit " << v.exit_code << v.err;
    RunResult d = sluice_cli({"log", "dump", log.string(), "--print-data", "--verify-index"});
    EXPECT_TRUE(d.exit_code == 0 || d.exit_code == 1) << what << " at " << at << ": exit " << d.exit_code << d.err;
  };
  for (size_t at = 0; at < original.size(); at += 11) {
    Bytes damaged = original;
    damaged[at] ^= std::byte{0xff};
    write_bytes(log, damaged);
    verdict("flip", at);
  }
  for (size_t size = 1; size < original.size(); size += 37) {
    write_bytes(log, Bytes(original.begin(), original.begin() + static_cast<ptrdiff_t>(size)));
    verdict("cut", size);
  }
  write_bytes(log, original);
  for (size_t at = 0; at < original_index.size(); ++at) {
    Bytes damaged = original_index;
    damaged[at] ^= std::byte{0x80};
    write_bytes(index, damaged);
    verdict("index flip", at);
  }
}

// Big-endian helpers for Kafka's __consumer_offsets key and value layouts.
void put16(Bytes& b, int16_t v) {
  for (int s = 8; s >= 0; s -= 8) b.push_back(static_cast<std::byte>((v >> s) & 0xff));
}
void put32(Bytes& b, int32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::byte>((v >> s) & 0xff));
}
void put64(Bytes& b, int64_t v) {
  for (int s = 56; s >= 0; s -= 8) b.push_back(static_cast<std::byte>((v >> s) & 0xff));
}
void put_string(Bytes& b, const std::string& text) {
  put16(b, static_cast<int16_t>(text.size()));
  for (char c : text) b.push_back(static_cast<std::byte>(c));
}

// A segment as Kafka writes __consumer_offsets: an offset commit (key v1, value v3), its
// tombstone, and a record that is not in that format (printed escaped, as without the option).
TEST(CliLogOffsets, OffsetsDecoderAndEscaping) {
  sluice::testing::TempDir dir;
  Bytes key, value;
  put16(key, 1);
  put_string(key, "billing");
  put_string(key, "orders");
  put32(key, 7);
  put16(value, 3);
  put64(value, 42);
  put32(value, 5);
  put_string(value, "meta");
  put64(value, 1700000000000);
  const Bytes binary = {std::byte{0x00}, std::byte{0x41}, std::byte{0x5c}, std::byte{0xff}};
  protocol::RecordBatchBuilder builder({});
  builder.append(TimestampMs(1700000000000), ByteView(key), ByteView(value));
  builder.append(TimestampMs(1700000000001), ByteView(key), std::nullopt);
  builder.append(TimestampMs(1700000000002), std::nullopt, ByteView(binary));
  auto batch = builder.build();
  ASSERT_TRUE(batch);
  const fs::path log = dir.path() / "00000000000000000000.log";
  write_bytes(log, batch.value());

  RunResult decoded = sluice_cli({"log", "dump", log.string(), "--print-data", "--offsets-decoder"});
  ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  EXPECT_NE(decoded.out.find("| offset: 0 CreateTime: 1700000000000 keySize: 23 valueSize: 28 sequence: -1 headerKeys: [] "
                             "headers: [] key: offset_commit::group=billing,partition=orders-7 payload: offset=42,"
                             "leaderEpoch=5,metadata=meta,commitTimestamp=1700000000000\n"),
            std::string::npos)
      << decoded.out;
  EXPECT_NE(decoded.out.find("| offset: 1 CreateTime: 1700000000001 keySize: 23 valueSize: -1 sequence: -1 headerKeys: [] "
                             "headers: [] key: offset_commit::group=billing,partition=orders-7 payload: null\n"),
            std::string::npos)
      << decoded.out;
  EXPECT_NE(decoded.out.find("key: null payload: \\x00A\\\\\\xff\n"), std::string::npos) << decoded.out;

  RunResult plain = sluice_cli({"log", "dump", log.string(), "--print-data"});
  EXPECT_EQ(plain.out.find("offset_commit::"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("key: \\x00\\x01\\x00\\x07billing"), std::string::npos) << plain.out;
}

// Three brokers, a topic with replication factor 3 and min.insync.replicas=3; one broker killed.
TEST(CliClusterHealth, HealthyThenUnderReplicatedThenUnreachable) {
  sluice::testing::ZooKeeperServer zk;
  sluice::testing::TempDir dir;
  std::vector<std::unique_ptr<sluice::testing::BrokerProcess>> brokers;
  for (int32_t id = 0; id < 3; ++id) {
    sluice::testing::BrokerOptions options;
    options.broker_id = id;
    options.zookeeper_connect = zk.connect_string();
    options.dir = dir.path() / ("broker" + std::to_string(id));
    options.properties["auto.create.topics.enable"] = "false";
    brokers.push_back(std::make_unique<sluice::testing::BrokerProcess>(options));
  }
  for (auto& b : brokers) ASSERT_TRUE(b->wait_listening()) << b->output();
  const std::string bootstrap = brokers[0]->bootstrap() + "," + brokers[1]->bootstrap();
  const auto health = [&] { return sluice_cli({"-b", bootstrap, "cluster", "health"}); };

  // Topic creation needs all three brokers registered.
  RunResult created = eventually(
      [&] { return sluice_cli({"-b", bootstrap, "topic", "create", "h", "-p", "3", "-r", "3", "--config",
                               "min.insync.replicas=3"}); },
      [](const RunResult& r) { return r.exit_code == 0 || r.err.find("TOPIC_ALREADY_EXISTS") != std::string::npos; });
  ASSERT_TRUE(created.exit_code == 0 || created.err.find("TOPIC_ALREADY_EXISTS") != std::string::npos) << created.err;

  RunResult healthy = eventually(health, [](const RunResult& r) {
    return r.exit_code == 0 && r.out.find("Partitions: 3\n") != std::string::npos;
  });
  ASSERT_EQ(healthy.exit_code, 0) << healthy.out << healthy.err;
  EXPECT_NE(healthy.out.find("Brokers: 3\t"), std::string::npos) << healthy.out;
  EXPECT_NE(healthy.out.find("Offline partitions: 0\nUnder-replicated partitions: 0\nUnder-min-ISR partitions: 0\n"),
            std::string::npos)
      << healthy.out;
  EXPECT_NE(healthy.out.find("Status: healthy\n"), std::string::npos) << healthy.out;

  brokers[2]->kill();
  RunResult degraded = eventually(health, [](const RunResult& r) {
    return r.exit_code == 1 && r.out.find("Offline partitions: 0\nUnder-replicated partitions: 3\n") != std::string::npos;
  });
  ASSERT_EQ(degraded.exit_code, 1) << degraded.out << degraded.err;
  EXPECT_NE(degraded.out.find("Offline partitions: 0\n"), std::string::npos) << degraded.out;
  EXPECT_NE(degraded.out.find("Under-min-ISR partitions: 3\n"), std::string::npos) << degraded.out;
  for (int p = 0; p < 3; ++p) {
    EXPECT_NE(degraded.out.find("\tTopic: h\tPartition: " + std::to_string(p) + "\t"), std::string::npos)
        << degraded.out;
  }
  EXPECT_NE(degraded.out.find("\tUnderReplicated,UnderMinIsr(3)\n"), std::string::npos) << degraded.out;
  EXPECT_NE(degraded.out.find("Status: unhealthy\n"), std::string::npos) << degraded.out;

  // Nothing listening: exit 3, as every command that cannot reach --bootstrap.
  const std::string nobody = "127.0.0.1:" + std::to_string(sluice::testing::free_port());
  RunResult unreachable = sluice_cli({"-b", nobody, "--request-timeout-ms", "5000", "cluster", "health"});
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable.out << unreachable.err;
  EXPECT_NE(unreachable.err.find("cannot reach " + nobody), std::string::npos) << unreachable.err;
}

}  // namespace
}  // namespace sluice::tools
