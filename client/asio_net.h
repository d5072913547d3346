// Asio's networking headers (TCP, resolver, composed read/write) for the client's connections,
// kept out of client/asio.h so targets that only run coroutines don't parse them.
#pragma once

#include "client/asio.h"

// As in client/asio.h: GCC 12 raises -Wnull-dereference in Asio's code after inlining.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#pragma GCC diagnostic pop
