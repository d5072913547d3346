// Fetch (key 1), v4-12: record data goes from the segment files to the socket with sendfile
// (FileSlice parts of the ResponseBuffer); no fetch sessions (session id 0), no transactions
// (last_stable_offset = high watermark, no aborted transactions).
#pragma once

#include "broker/handlers/broker_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler fetch_handler(const BrokerServices& services);

}  // namespace sluice::broker
