// Helpers for the stock-client interop tests: what the broker advertises (read over the wire, as
// a client reads it) and which codec each stored batch of a partition actually uses (a client may
// silently send uncompressed when it thinks the broker lacks a feature).
#pragma once

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <string>
#include <vector>

#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/test_client.h"
#include "protocol/messages/api_versions_request.h"
#include "protocol/messages/api_versions_response.h"
#include "protocol/messages/response_header.h"

namespace sluice::broker::testing {

using AdvertisedApis = std::vector<protocol::ApiVersionsResponse::ApiVersion>;

// The API ranges the broker advertises in ApiVersions v0.
inline AdvertisedApis advertised(uint16_t port) {
  TestClient client(port);
  protocol::ApiVersionsRequest request;
  if (!client.send(encode_request(protocol::ApiKey::api_versions, 0, 1, request, 0))) return {};
  auto frame = client.read_frame();
  if (!frame) return {};
  protocol::Reader r(*frame);
  if (!protocol::ResponseHeader::decode(r, 0)) return {};
  auto body = protocol::ApiVersionsResponse::decode(r, 0);
  return body ? body.value().api_keys : AdvertisedApis{};
}

inline bool advertises(const AdvertisedApis& apis, int16_t key, int16_t version) {
  return std::any_of(apis.begin(), apis.end(), [&](const auto& api) {
    return api.api_key == key && api.min_version <= version && version <= api.max_version;
  });
}

// The codec (attributes & 7: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd) of every batch stored in
// topic-0, read from its segment files in offset order.
inline std::vector<int> stored_codecs(KafkaServerFixture& broker, const std::string& topic) {
  std::vector<int> codecs;
  auto partition = broker.server().replica_manager().get_partition({topic, PartitionId(0)});
  if (!partition) return codecs;
  std::vector<std::filesystem::path> segments;
  for (const auto& entry : std::filesystem::directory_iterator(partition->log()->dir())) {
    if (entry.path().extension() == ".log") segments.push_back(entry.path());
  }
  std::sort(segments.begin(), segments.end());
  for (const auto& segment : segments) {
    std::string data(std::filesystem::file_size(segment), '\0');
    if (std::FILE* f = std::fopen(segment.c_str(), "rb")) {
      data.resize(std::fread(data.data(), 1, data.size(), f));
      std::fclose(f);
    }
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(data[i]); };
    for (size_t at = 0; at + 23 <= data.size();) {
      const uint32_t length = (uint32_t{byte(at + 8)} << 24) | (uint32_t{byte(at + 9)} << 16) |
                              (uint32_t{byte(at + 10)} << 8) | byte(at + 11);
      if (length == 0) break;  // preallocated tail
      codecs.push_back(byte(at + 22) & 7);  // attributes: int16 at 21, codec in the low bits
      at += 12 + length;
    }
  }
  return codecs;
}

inline int codec_number(const std::string& name) {
  const std::vector<std::string> names = {"none", "gzip", "snappy", "lz4", "zstd"};
  return static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
}

// Whether librdkafka 2.0.2 would compress with `codec` against this broker, from the advertised
// ranges alone. Its producer (rdkafka_msgset_writer.c, up to 2.11.0) silently sends a batch
// uncompressed ("Broker does not support compression type ..." in its msg debug log) unless
// rd_kafka_broker_ApiVersion_supported(Produce, 0, compr_req[codec].ApiVersion) succeeds, where
// that ApiVersion is 0 for gzip, snappy and lz4 and 7 for zstd: Produce's range must start at v0
// for the first three. Then the codec's feature: lz4 needs FindCoordinator v0 (feature LZ4),
// zstd needs Produce 7 and Fetch 10 (feature ZSTD).
inline bool librdkafka_compresses(uint16_t port, const std::string& codec) {
  const AdvertisedApis apis = advertised(port);
  if (codec == "gzip" || codec == "snappy") return advertises(apis, 0, 0);
  if (codec == "lz4") return advertises(apis, 0, 0) && advertises(apis, 10, 0);
  if (codec == "zstd") return advertises(apis, 0, 7) && advertises(apis, 1, 10);
  return true;
}

}  // namespace sluice::broker::testing
