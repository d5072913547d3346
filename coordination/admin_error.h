// AdminError: why a topic administration request was rejected, as Kafka reports it: an error
// code the broker maps to an ErrorCode (an Errc::topic_exists..topic_marked_for_deletion, or a
// ZooKeeper failure such as connection_loss) and the text for the response's error_message.
#pragma once

#include <optional>
#include <string>
#include <system_error>

#include <boost/outcome/basic_result.hpp>
#include <boost/outcome/policy/terminate.hpp>

#include "coordination/errc.h"
#include "protocol/result.h"

namespace sluice::coordination {

struct AdminError {
  std::error_code code;
  std::string message;
};

// A ZooKeeper failure as an AdminError; the message is the error_code's.
inline AdminError zk_failure(std::error_code code) { return AdminError{code, code.message()}; }

// nullopt: the check passed.
using AdminCheck = std::optional<AdminError>;

// The value, or the AdminError. .value() on an error aborts (a bug: check first).
template <typename T>
using AdminResult = outcome::basic_result<T, AdminError, outcome::policy::terminate>;
using AdminStatus = AdminResult<void>;

}  // namespace sluice::coordination
