#include "coordination/zk_tree.h"

#include "coordination/errc.h"

namespace sluice::coordination {

asio::awaitable<Status> ensure_path(ZkClient& zk, std::string path) {
  auto created = co_await zk.create(path, {}, CreateMode::persistent);
  if (created || created.error() == Errc::node_exists) co_return ok();
  if (created.error() != Errc::no_node) co_return created.error();
  const size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) co_return created.error();
  SLUICE_CO_TRY(co_await ensure_path(zk, path.substr(0, slash)));
  created = co_await zk.create(path, {}, CreateMode::persistent);
  if (created || created.error() == Errc::node_exists) co_return ok();
  co_return created.error();
}

asio::awaitable<Status> remove_recursive(ZkClient& zk, std::string path) {
  auto children = co_await zk.get_children(path);
  if (!children && children.error() == Errc::no_node) co_return ok();
  if (!children) co_return children.error();
  for (const std::string& child : children.value()) {
    SLUICE_CO_TRY(co_await remove_recursive(zk, path + "/" + child));
  }
  const Status removed = co_await zk.remove(path, kMatchAnyVersion);
  // A child created meanwhile: go again.
  if (!removed && removed.error() == Errc::not_empty) co_return co_await remove_recursive(zk, std::move(path));
  if (!removed && removed.error() != Errc::no_node) co_return removed;
  co_return ok();
}

}  // namespace sluice::coordination
