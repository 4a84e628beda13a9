#include "common/random.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace zaman {

Random::Random() : engine_(std::random_device{}()) {}

Random::Random(uint64_t seed) : engine_(seed) {}

uint64_t Random::Next() {
  absl::MutexLock lock(&mu_);
  return engine_();
}

std::string Random::NewUuid() {
  uint64_t hi = Next();
  uint64_t lo = Next();
  hi = (hi & ~0xF000ull) | 0x4000ull;                                  // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);                  // RFC 4122 variant
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xFFFF,
                         hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

std::string Random::NewUuidV7(absl::Time now) {
  // 48 bits of Unix milliseconds, version 7, then random bits under the
  // RFC 9562 variant.
  const uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(absl::ToUnixMillis(now), 0)) & 0xFFFFFFFFFFFFull;
  uint64_t hi = (ms << 16) | 0x7000ull | (Next() & 0x0FFFull);
  uint64_t lo = (Next() & ~(0xC000ull << 48)) | (0x8000ull << 48);
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xFFFF,
                         hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

}  // namespace zaman
