// Byte buffers and big-endian field access, as the Kafka protocol and the log files use.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

using Bytes = std::vector<std::byte>;

// An allocator whose resize() leaves new elements uninitialised, for buffers that are filled at
// once after (a request frame read from a socket): no zero-fill of bytes about to be overwritten.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  explicit DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// Bytes that are not zeroed when sized: the socket's read fills them.
using FrameBytes = std::vector<std::byte, DefaultInitAllocator<std::byte>>;
using ByteView = std::span<const std::byte>;
using MutableByteView = std::span<std::byte>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

namespace detail {
// std::byteswap is C++23; g++ 12 in C++20 mode lacks it.
template <typename T>
constexpr T byte_swap(T v) {
  if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
  if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
  if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
  return v;
}
}  // namespace detail

// REQUIRES: p points at sizeof(T) readable bytes.
template <typename T>
T load_be(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = detail::byte_swap(v);
  return v;
}

// REQUIRES: p points at sizeof(T) writable bytes.
template <typename T>
void store_be(std::byte* p, T v) {
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = detail::byte_swap(v);
  std::memcpy(p, &v, sizeof(T));
}

}  // namespace sluice
