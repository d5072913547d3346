// The one include for Boost.Asio in Sluice. Asio's implementation is compiled once, into
// sluice_client (client/asio_impl.cc), instead of in every translation unit that uses it
// (STYLE.md §4). BOOST_ASIO_SEPARATE_COMPILATION and BOOST_ASIO_NO_DEPRECATED are PUBLIC compile
// definitions of sluice_client, so every user of Asio agrees on them; the checks below catch a
// target that includes this header without linking sluice::client.
#pragma once

#if !defined(BOOST_ASIO_SEPARATE_COMPILATION) || !defined(BOOST_ASIO_NO_DEPRECATED)
#error "link sluice::client: it sets BOOST_ASIO_SEPARATE_COMPILATION and BOOST_ASIO_NO_DEPRECATED"
#endif

// GCC 12 flags Asio's executors and scheduler with -Wnull-dereference after inlining them into
// our functions (SYSTEM headers don't hide warnings raised that late). The diagnostic state at
// the warning's location decides, so ignoring it around these includes silences only Asio's code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#pragma GCC diagnostic pop

namespace sluice {

namespace asio = boost::asio;

}  // namespace sluice
