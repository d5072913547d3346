// ZooKeeperClient's session faults against a real ZooKeeper: connection loss and recovery when
// the server stops or hangs, expiry and reconnect(), connect timeouts.
#include <gtest/gtest.h>

#include "coordination/tests/zk_test_util.h"

namespace sluice::coordination::testing {
namespace {

// Records every session state change.
std::shared_ptr<EventQueue<SessionState>> listen(IoThread& io, ZooKeeperClient& client) {
  auto states = std::make_shared<EventQueue<SessionState>>();
  client.set_session_listener({io.executor(), [states](SessionState s) { states->push(s); }});
  return states;
}

TEST(ZooKeeperSession, StoppedServerIsConnectionLossAndRestartRecoversTheSession) {
  ZooKeeperServer server;
  IoThread io;
  auto client = std::make_unique<ZooKeeperClient>(io.executor(), config_for(server.connect_string(), 10s));
  auto states = listen(io, *client);
  ASSERT_TRUE(io.sync(client->connect()));
  ASSERT_TRUE(states->wait_for(SessionState::connected));
  const int64_t session = client->session_id();
  ASSERT_TRUE(io.sync(client->create("/eph", {}, CreateMode::ephemeral)));

  server.stop();
  ASSERT_TRUE(states->wait_for(SessionState::disconnected));
  EXPECT_EQ(io.sync(client->get_data("/eph")).error(), Errc::connection_loss);

  server.start();  // same port and data, well within the session timeout
  ASSERT_TRUE(states->wait_for(SessionState::connected, 15s));
  EXPECT_EQ(client->session_id(), session);
  EXPECT_TRUE(io.sync(client->exists("/eph")).value().has_value());
  io.sync(client->close());
}

TEST(ZooKeeperSession, HungServerIsDetectedAndResumingRecoversTheSession) {
  ZooKeeperServer server;
  IoThread io;
  auto client = std::make_unique<ZooKeeperClient>(io.executor(), config_for(server.connect_string(), 4s));
  auto states = listen(io, *client);
  ASSERT_TRUE(io.sync(client->connect()));
  ASSERT_TRUE(states->wait_for(SessionState::connected));
  const int64_t session = client->session_id();

  // The C client gives up on a silent server after 2/3 of the session timeout.
  server.pause();
  ASSERT_TRUE(states->wait_for(SessionState::disconnected, 3500ms));
  server.resume();  // before the server's own 4 s expiry
  ASSERT_TRUE(states->wait_for(SessionState::connected, 10s));
  EXPECT_EQ(client->session_id(), session);
  EXPECT_TRUE(io.sync(client->exists("/")).value().has_value());
  io.sync(client->close());
}

class ZooKeeperExpiry : public ZkFixture {};

TEST_F(ZooKeeperExpiry, ExpiryIsReportedAndReconnectGivesAWorkingSession) {
  auto states = listen(io_, zk());
  ASSERT_TRUE(io_.sync(zk().create("/eph", {}, CreateMode::ephemeral)));
  ASSERT_TRUE(io_.sync(zk().create("/watched", {}, CreateMode::persistent)));
  auto events = std::make_shared<EventQueue<WatchEvent>>();
  ASSERT_TRUE(io_.sync(zk().get_data("/watched", watch_into(io_, events))));
  const int64_t old_session = zk().session_id();

  // The standard trick: a second handle on the same session closes it, expiring it for us. The
  // two handles take the session from each other until then; if ours had it back when the twin
  // closed, the twin's close never reached the server, so try again.
  ZooKeeperConfig twin = config();
  twin.resume_session = zk().session_credentials();
  bool expired = false;
  for (int attempt = 0; attempt < 5 && !expired; ++attempt) {
    ZooKeeperClient impostor(io_.executor(), twin);
    const Status joined = io_.sync(impostor.connect());
    io_.sync(impostor.close());
    if (!joined) {
      ASSERT_EQ(joined.error(), Errc::session_expired);  // an earlier attempt did it after all
      break;
    }
    expired = states->wait_for(SessionState::expired, 3s);
  }
  // Ours notices at its next contact with the server, after its reconnect backoff.
  ASSERT_TRUE(expired || states->wait_for(SessionState::expired, 15s));
  EXPECT_EQ(events->pop(), (WatchEvent{WatchEventType::session_expired, ""}));
  EXPECT_EQ(io_.sync(zk().get_data("/watched")).error(), Errc::session_expired);
  EXPECT_EQ(io_.sync(zk().connect()).error(), Errc::session_expired);

  ASSERT_TRUE(io_.sync(zk().reconnect()));
  EXPECT_NE(zk().session_id(), old_session);
  EXPECT_EQ(io_.sync(zk().exists("/eph")).value(), std::nullopt);  // went with the old session
  ASSERT_TRUE(io_.sync(zk().create("/eph", {}, CreateMode::ephemeral)));
  EXPECT_EQ(io_.sync(zk().exists("/eph")).value()->ephemeral_owner, zk().session_id());
}

TEST(ZooKeeperConnect, TimesOutWhenNoServerAnswers) {
  ZooKeeperServer server;
  const std::string connect = server.connect_string();
  server.stop();
  IoThread io;
  ZooKeeperConfig config = config_for(connect);
  config.connection_timeout = 500ms;
  ZooKeeperClient client(io.executor(), config);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(io.sync(client.connect()).error(), Errc::operation_timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(io.sync(client.get_data("/")).error(), Errc::connection_loss);
}

TEST(ZooKeeperConnect, OperationsWithoutASessionAreInvalidState) {
  IoThread io;
  ZooKeeperClient client(io.executor(), config_for("127.0.0.1:1"));
  EXPECT_EQ(io.sync(client.get_data("/")).error(), Errc::invalid_state);
  io.sync(client.close());  // idempotent without a session
}

}  // namespace
}  // namespace sluice::coordination::testing
