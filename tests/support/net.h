// Small networking helpers for tests that spawn servers.
#pragma once

#include <cstdint>

namespace sluice::testing {

// A TCP port on 127.0.0.1 that was free just now, below the kernel's ephemeral range (so no
// outgoing connection takes it before the spawned server binds it) and not handed out before by
// this process. Throws std::runtime_error if no socket can be bound.
uint16_t free_port();

// Whether a TCP connection to 127.0.0.1:`port` is accepted now.
bool port_accepts(uint16_t port);

}  // namespace sluice::testing
