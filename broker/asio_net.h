// Asio's networking parts for the broker: TCP sockets, acceptors, resolvers and signal sets, on top
// of client/asio.h (which carries Asio's configuration and its separate compilation; link
// sluice::client). client/asio.h includes only the core, so the broker adds these here, once.
#pragma once

#include "client/asio.h"

// As in client/asio.h: GCC 12 raises -Wnull-dereference in Asio's code after inlining.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#pragma GCC diagnostic pop

namespace sluice::broker {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

}  // namespace sluice::broker
