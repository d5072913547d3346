// Result<T>: a value or a std::error_code, for failures a caller is expected to handle
// (Boost.Outcome, as RP:src/v/base/outcome.h). Each layer has its own error enum registered as an
// error_code category (protocol::Errc, storage::Errc); the broker maps them to Kafka ErrorCodes.
#pragma once

#include <system_error>

#include <boost/outcome/std_result.hpp>
#include <boost/outcome/try.hpp>

namespace sluice {

namespace outcome = boost::outcome_v2;

template <typename T>
using Result = outcome::std_result<T>;
using Status = Result<void>;

inline Status ok() { return outcome::success(); }

}  // namespace sluice

// SLUICE_TRY(auto x, expr) / SLUICE_TRY(expr): return the error of expr, if any, from the caller.
#define SLUICE_TRY BOOST_OUTCOME_TRY
// The same inside a coroutine (co_return instead of return).
#define SLUICE_CO_TRY BOOST_OUTCOME_CO_TRY
