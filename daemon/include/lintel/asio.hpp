// Project-wide prelude for Boost.Asio: include this instead of any asio header.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility> (g++ 12).
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace lintel {
namespace asio = boost::asio;
}  // namespace lintel
