// Produce (key 0), v0-9, as Kafka 2.8 advertises. Only magic-2 batches are stored (record-batch.md
// §5): v0-2 exist in the range because librdkafka <= 2.11 compresses with gzip, snappy or lz4 only
// when the broker's Produce range includes v0 (docs/formats/wire-protocol.md). A magic 0/1 message
// set in v0-2 is refused per partition with UNSUPPORTED_FOR_MESSAGE_FORMAT (produce_validation.h).
#pragma once

#include "broker/handlers/broker_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler produce_handler(const BrokerServices& services);

}  // namespace sluice::broker
