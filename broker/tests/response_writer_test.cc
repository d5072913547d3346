// Zero-copy sends: a ResponseBuffer of bytes and file slices goes through a real TCP connection
// to a receiver with a small receive buffer, so sendfile returns partial counts and EAGAIN and
// the writer must resume each time.
#include <fcntl.h>
#include <unistd.h>

#include <future>
#include <random>

#include <gtest/gtest.h>

#include "broker/response_writer.h"
#include "broker/tests/test_client.h"

namespace sluice::broker {
namespace {

using testing::TempDir;
using testing::TestClient;

Bytes random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::byte>(rng());
  return out;
}

std::shared_ptr<const storage::SegmentFile> write_file(const std::filesystem::path& path, const Bytes& content) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  return std::make_shared<storage::SegmentFile>(fd);
}

storage::FileSlice slice(std::shared_ptr<const storage::SegmentFile> file, int64_t position, int64_t length) {
  return {.file = std::move(file), .position = FilePosition(position), .length = length, .first_offset = Offset(0)};
}

// Serves one connection on 127.0.0.1: accepts, then writes `buffer` with write_response.
class OneShotServer {
 public:
  OneShotServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  // Accepts one client and sends `buffer` to it on a small send buffer; returns the writer's result.
  std::future<std::error_code> send(ResponseBuffer buffer) {
    auto socket = std::make_shared<tcp::socket>(acceptor_.accept());
    socket->set_option(asio::socket_base::send_buffer_size(8192));
    socket->native_non_blocking(true);
    auto result = std::make_shared<std::promise<std::error_code>>();
    auto future = result->get_future();
    asio::co_spawn(io_, write_response(*socket, std::move(buffer)),
                   [socket, result](std::exception_ptr, std::error_code ec) { result->set_value(ec); });
    thread_ = std::thread([this] { io_.run(); });
    return future;
  }

  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(ResponseWriter, SendsBytesAndMultiMegabyteFileSlicesExactly) {
  TempDir dir;
  const Bytes file_content = random_bytes(8 << 20, 1);
  auto file = write_file(dir.path() / "00000000000000000000.log", file_content);
  const Bytes head = random_bytes(37, 2), middle = random_bytes(5, 3), tail = random_bytes(11, 4);

  ResponseBuffer buffer;
  buffer.append(head);
  buffer.append(slice(file, 123, 6 << 20));  // far larger than both socket buffers
  buffer.append(middle);
  buffer.append(slice(file, 7, 100));
  buffer.append(slice(file, (8 << 20) - 10, 10));  // two slices back to back, ending at EOF
  buffer.append(tail);
  ASSERT_EQ(buffer.parts().size(), 6u);

  Bytes expected = head;
  expected.insert(expected.end(), file_content.begin() + 123, file_content.begin() + 123 + (6 << 20));
  expected.insert(expected.end(), middle.begin(), middle.end());
  expected.insert(expected.end(), file_content.begin() + 7, file_content.begin() + 107);
  expected.insert(expected.end(), file_content.end() - 10, file_content.end());
  expected.insert(expected.end(), tail.begin(), tail.end());
  ASSERT_EQ(buffer.size(), expected.size());

  OneShotServer server;
  TestClient client(server.port(), 4096);
  ASSERT_TRUE(client.connected());
  auto sent = server.send(std::move(buffer));
  auto received = client.read_exact(expected.size());
  ASSERT_TRUE(received);
  EXPECT_TRUE(*received == expected);
  ASSERT_EQ(sent.wait_for(testing::kIoTimeout), std::future_status::ready);
  EXPECT_FALSE(sent.get());
}

TEST(ResponseWriter, SliceBeyondTheEndOfItsFileFails) {
  TempDir dir;
  auto file = write_file(dir.path() / "short.log", random_bytes(1000, 5));
  ResponseBuffer buffer(random_bytes(8, 6));
  buffer.append(slice(file, 900, 500));  // the file was truncated under the slice

  OneShotServer server;
  TestClient client(server.port());
  auto sent = server.send(std::move(buffer));
  ASSERT_EQ(sent.wait_for(testing::kIoTimeout), std::future_status::ready);
  EXPECT_EQ(sent.get(), std::make_error_code(std::errc::io_error));
  EXPECT_TRUE(client.read_exact(8 + 100));  // what existed was sent
}

TEST(ResponseBuffer, FinishFrameCountsSlicesInTheSize) {
  TempDir dir;
  auto file = write_file(dir.path() / "f.log", random_bytes(64, 7));
  ResponseBuffer buffer(Bytes(4 + 6));
  buffer.append(slice(file, 0, 64));
  buffer.append(Bytes(3));
  buffer.append(Bytes{});           // dropped
  buffer.append(slice(file, 0, 0));  // dropped
  buffer.finish_frame();
  EXPECT_EQ(buffer.parts().size(), 3u);
  EXPECT_EQ(load_be<int32_t>(std::get<Bytes>(buffer.parts()[0]).data()), 6 + 64 + 3);
}

}  // namespace
}  // namespace sluice::broker
