// The completion every co_spawn in the broker gets (STYLE.md §4): an exception escaping a
// coroutine is logged with what the coroutine was doing, never lost.
#pragma once

#include <exception>
#include <string>

#include <spdlog/spdlog.h>

namespace sluice::broker {

inline auto log_completion(std::string what) {
  return [what = std::move(what)](std::exception_ptr error, auto&&...) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("{} failed: {}", what, e.what());
    } catch (...) {
      spdlog::error("{} failed with a non-standard exception", what);
    }
  };
}

}  // namespace sluice::broker
