// The console's page, script and stylesheet (broker/console/web/), compiled into the binary by
// broker/console/embed_assets.cmake: no file is read at run time.
#pragma once

#include <string_view>

namespace sluice::broker::console::assets {

std::string_view index_html();
std::string_view app_js();
std::string_view app_css();

}  // namespace sluice::broker::console::assets
