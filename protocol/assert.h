// SLUICE_ASSERT: for broken invariants (bugs), never for expected failures. It logs file:line and
// aborts, because an exception thrown for a bug can be caught and the broken state served on
// (RP:src/v/base/vassert.h). Expected failures are Result<T> values (protocol/result.h).
#pragma once

#include <cstdlib>

#include <spdlog/spdlog.h>

#define SLUICE_ASSERT(cond, ...)                                                        \
  do {                                                                                  \
    if (!(cond)) [[unlikely]] {                                                         \
      spdlog::critical("assertion failed at {}:{}: {}: {}", __FILE__, __LINE__, #cond,  \
                       fmt::format(__VA_ARGS__));                                       \
      spdlog::default_logger()->flush();                                                \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
