// Small networking helpers for tests that spawn servers.
#pragma once

#include <cstdint>

namespace sluice::testing {

// A TCP port on 127.0.0.1 the kernel just handed out; free unless something grabs it before the
// spawned server binds it. Throws std::runtime_error if no socket can be bound.
uint16_t free_port();

// Whether a TCP connection to 127.0.0.1:`port` is accepted now.
bool port_accepts(uint16_t port);

}  // namespace sluice::testing
