// Compression codecs of Kafka record batches: the bytes after a batch's 61-byte header are one
// compressed stream when attributes bits 0-2 name a codec. Clients compress, so the codecs live
// in protocol/ (as Kafka's clients module), usable by the broker, storage and our client alike.
//
// What we write (each readable by the Java client, librdkafka, kafka-python and kafkajs with its
// codec plugins) and what we read; docs/formats/record-batch.md has the framings:
//   gzip:   write RFC 1952 gzip; read gzip or zlib, concatenated members.
//   snappy: write Xerial (snappy-java) framing, 32 KiB blocks; read it or one raw snappy block.
//   lz4:    write an LZ4 frame of independent 64 KiB blocks; read LZ4 frames.
//   zstd:   write one zstd frame with its content size; read zstd frames.
// Decompression treats its input as hostile: garbage or truncated input is
// Errc::decompression_failed, output beyond `max_output` is Errc::too_large, and no buffer grows
// past max_output + 1 bytes whatever sizes the input claims.
#pragma once

#include <cstddef>

#include "protocol/bytes.h"
#include "protocol/record_batch_header.h"
#include "protocol/result.h"

namespace sluice::protocol {

// CompressionType::none copies. Fails only with Errc::too_large for input a codec can't take.
Result<Bytes> compress(CompressionType codec, ByteView input);

Result<Bytes> decompress(CompressionType codec, ByteView input, size_t max_output);

}  // namespace sluice::protocol
