// The one list of the APIs this broker serves; ApiVersions advertises exactly this list.
#pragma once

#include "broker/handlers/handler.h"

namespace sluice::broker {

HandlerRegistry make_handler_registry();

}  // namespace sluice::broker
