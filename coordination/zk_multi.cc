// ZooKeeperClient::multi: a ZooKeeper transaction through zoo_amulti.
#include <memory>
#include <string>
#include <vector>

#include "coordination/in_flight_limit.h"
#include "coordination/zk_bridge.h"
#include "coordination/zookeeper_client.h"
#include "protocol/assert.h"

namespace sluice::coordination {
namespace {

// What zoo_amulti reads at the call and writes at completion; lives in the PendingOp.
struct MultiRequest {
  std::vector<ZkOp> ops;
  std::vector<zoo_op_t> zoo_ops;
  std::vector<zoo_op_result_t> results;
  std::vector<std::string> created_paths;  // create: buffers for the created path
  std::vector<Stat> stats;                 // set_data: the new Stat
};
using MultiOp = PendingOp<MultiResult, MultiRequest>;

// Sequential creates append 10 digits; the C client truncates to fit, so leave ample room.
constexpr size_t kCreatedPathSlack = 32;

// Fills zoo_ops from ops. The zoo_op_t entries point into `request`, which must not move after.
Status prepare(MultiRequest& request) {
  const size_t n = request.ops.size();
  request.zoo_ops.resize(n);
  request.results.resize(n);
  request.created_paths.resize(n);
  request.stats.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const ZkOp& op = request.ops[i];
    BOOST_OUTCOME_TRY(check_path(op.path));
    BOOST_OUTCOME_TRY(const ZooBuffer buffer, zoo_buffer(op.data));
    zoo_op_t* z = &request.zoo_ops[i];
    switch (op.type) {
      case ZkOp::Type::create: {
        std::string& out = request.created_paths[i];
        out.assign(op.path.size() + kCreatedPathSlack, '\0');
        zoo_create_op_init(z, op.path.c_str(), buffer.data, buffer.length, &ZOO_OPEN_ACL_UNSAFE,
                           zoo_create_mode(op.mode), out.data(), static_cast<int>(out.size()));
        break;
      }
      case ZkOp::Type::set_data:
        zoo_set_op_init(z, op.path.c_str(), buffer.data, buffer.length, op.version.value(), &request.stats[i]);
        break;
      case ZkOp::Type::remove: zoo_delete_op_init(z, op.path.c_str(), op.version.value()); break;
      case ZkOp::Type::check_version: zoo_check_op_init(z, op.path.c_str(), op.version.value()); break;
    }
  }
  return ok();
}

// Errors that are the server's verdict on an op, as opposed to the request's fate.
bool is_op_verdict(int rc) {
  switch (rc) {
    case ZNONODE:
    case ZNODEEXISTS:
    case ZBADVERSION:
    case ZNOTEMPTY:
    case ZNOCHILDRENFOREPHEMERALS:
    case ZNOAUTH:
    case ZINVALIDACL:
    case ZBADARGUMENTS: return true;
    default: return false;
  }
}

// REQUIRES: `committed`, or results[i].err is the op's verdict; a rolled-back op has no output.
OpResult op_result(const MultiRequest& request, size_t i, bool committed) {
  const zoo_op_result_t& r = request.results[i];
  OpResult out;
  if (r.err != ZOK) out.error = zoo_error(r.err);
  if (!committed || r.err != ZOK) return out;
  switch (request.ops[i].type) {
    case ZkOp::Type::create: out.created_path = request.created_paths[i].c_str(); break;
    case ZkOp::Type::set_data: out.stat = to_stat(request.stats[i]); break;
    case ZkOp::Type::remove:
    case ZkOp::Type::check_version: break;
  }
  return out;
}

void on_multi(int rc, const void* data) {
  auto op = adopt_op<MultiOp>(data);
  SLUICE_ASSERT(rc != ZMARSHALLINGERROR, "zookeeper: marshalling error in a completion (out of memory)");
  if (rc != ZOK && !is_op_verdict(rc)) {
    op->complete(zoo_error(rc));
    return;
  }
  MultiResult result;
  if (rc != ZOK) result.error = zoo_error(rc);
  result.ops.reserve(op->payload.ops.size());
  for (size_t i = 0; i < op->payload.ops.size(); ++i) result.ops.push_back(op_result(op->payload, i, rc == ZOK));
  op->complete(std::move(result));
}

}  // namespace

asio::awaitable<Result<MultiResult>> ZooKeeperClient::multi(std::vector<ZkOp> ops) {
  if (ops.empty()) co_return MultiResult{};
  if (ops.size() > static_cast<size_t>(INT_MAX)) co_return Errc::bad_arguments;
  const auto permit = co_await in_flight_->acquire();
  MultiRequest request;
  request.ops = std::move(ops);
  co_return co_await async_zk<MultiResult, MultiRequest>(
      [&](MultiOp* op) {
        MultiRequest& r = op->payload;
        if (!prepare(r)) return static_cast<int>(ZBADARGUMENTS);
        return with_session([&](ZkSession& s) {
          return zoo_amulti(s.handle.get(), static_cast<int>(r.zoo_ops.size()), r.zoo_ops.data(),
                            r.results.data(), &on_multi, op);
        });
      },
      std::move(request));
}

}  // namespace sluice::coordination
