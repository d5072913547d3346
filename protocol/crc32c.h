// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF), the
// checksum of v2 record batches. Uses hardware (ISA-L's carry-less-multiply and crc32
// instruction kernels) when the CPU has SSE4.2 and a portable slicing-by-8 table otherwise;
// both are exposed so tests can check each.
#pragma once

#include <cstdint>

#include "protocol/bytes.h"

namespace sluice::protocol {

// CRC-32C of `data`, continuing from `crc` (the result of an earlier call, 0 to start).
uint32_t crc32c(ByteView data, uint32_t crc = 0);
uint32_t crc32c_portable(ByteView data, uint32_t crc = 0);
// REQUIRES: crc32c_hardware_available().
uint32_t crc32c_hardware(ByteView data, uint32_t crc = 0);
bool crc32c_hardware_available();

}  // namespace sluice::protocol
