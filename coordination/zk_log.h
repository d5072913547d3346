// Routes the ZooKeeper C client's own logging into spdlog (logger "zookeeper"), so it follows
// our level and pattern instead of writing to stderr. Internal to coordination/.
#pragma once

namespace sluice::coordination {

// Once per process: sets the C client's level (INFO) and its handle-less stream. Thread-safe.
void install_zookeeper_logging();
// The per-handle log callback given to zookeeper_init2. Any thread.
void log_zookeeper_message(const char* message);

}  // namespace sluice::coordination
