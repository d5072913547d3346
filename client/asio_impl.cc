// Asio's non-template implementation, compiled once for the whole program (see client/asio.h).
#include "client/asio.h"

// As in client/asio.h: GCC 12 raises -Wnull-dereference in Asio's code after inlining.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/impl/src.hpp>
#pragma GCC diagnostic pop
