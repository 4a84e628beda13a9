// farmhash Fingerprint32 (farmhashmk's Hash32), written from the published algorithm. Temporal
// hashes jitter with it, so matching it bit for bit gives the same jittered times.

#include <cstring>

#include "worker/schedule/calendar.h"

namespace zaman::worker::schedule::internal {
namespace {

constexpr uint32_t kC1 = 0xcc9e2d51;
constexpr uint32_t kC2 = 0x1b873593;

uint32_t Load(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
}

uint32_t RotateRight(uint32_t v, int shift) { return (v >> shift) | (v << (32 - shift)); }

uint32_t Finalize(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

uint32_t Mix(uint32_t a, uint32_t h) {
  a *= kC1;
  a = RotateRight(a, 17);
  a *= kC2;
  h ^= a;
  h = RotateRight(h, 19);
  return h * 5 + 0xe6546b64;
}

uint32_t UpTo4(const char* s, size_t len) {
  uint32_t b = 0, c = 9;
  for (size_t i = 0; i < len; ++i) {
    b = b * kC1 + static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(s[i])));
    c ^= b;
  }
  return Finalize(Mix(b, Mix(static_cast<uint32_t>(len), c)));
}

uint32_t UpTo12(const char* s, size_t len) {
  uint32_t a = static_cast<uint32_t>(len), b = a * 5, c = 9, d = b;
  a += Load(s);
  b += Load(s + len - 4);
  c += Load(s + ((len >> 1) & 4));
  return Finalize(Mix(c, Mix(b, Mix(a, d))));
}

uint32_t UpTo24(const char* s, size_t len) {
  uint32_t a = Load(s - 4 + (len >> 1));
  const uint32_t b = Load(s + 4);
  const uint32_t c = Load(s + len - 8);
  const uint32_t d = Load(s + (len >> 1));
  const uint32_t e = Load(s);
  const uint32_t f = Load(s + len - 4);
  uint32_t h = d * kC1 + static_cast<uint32_t>(len);
  a = RotateRight(a, 12) + f;
  h = Mix(c, h) + a;
  a = RotateRight(a, 3) + c;
  h = Mix(e, h) + a;
  a = RotateRight(a + f, 12) + d;
  h = Mix(b, h) + a;
  return Finalize(h);
}

}  // namespace

uint32_t Fingerprint32(absl::string_view bytes) {
  const char* s = bytes.data();
  const size_t len = bytes.size();
  if (len <= 4) return UpTo4(s, len);
  if (len <= 12) return UpTo12(s, len);
  if (len <= 24) return UpTo24(s, len);

  uint32_t h = static_cast<uint32_t>(len), g = kC1 * h, f = g;
  auto scramble = [](uint32_t v) { return RotateRight(v * kC1, 17) * kC2; };
  const uint32_t a0 = scramble(Load(s + len - 4));
  const uint32_t a1 = scramble(Load(s + len - 8));
  const uint32_t a2 = scramble(Load(s + len - 16));
  const uint32_t a3 = scramble(Load(s + len - 12));
  const uint32_t a4 = scramble(Load(s + len - 20));
  auto step = [](uint32_t x, uint32_t v) { return RotateRight(x ^ v, 19) * 5 + 0xe6546b64; };
  h = step(step(h, a0), a2);
  g = step(step(g, a1), a3);
  f += a4;
  f = RotateRight(f, 19) + 113;
  for (size_t blocks = (len - 1) / 20; blocks > 0; --blocks, s += 20) {
    const uint32_t a = Load(s), b = Load(s + 4), c = Load(s + 8), d = Load(s + 12),
                   e = Load(s + 16);
    h += a;
    g += b;
    f += c;
    h = Mix(d, h) + e;
    g = Mix(c, g) + a;
    f = Mix(b + e * kC1, f) + d;
    f += g;
    g += f;
  }
  g = RotateRight(RotateRight(g, 11) * kC1, 17) * kC1;
  f = RotateRight(RotateRight(f, 11) * kC1, 17) * kC1;
  h = RotateRight(h + g, 19);
  h = h * 5 + 0xe6546b64;
  h = RotateRight(h, 17) * kC1;
  h = RotateRight(h + f, 19);
  h = h * 5 + 0xe6546b64;
  h = RotateRight(h, 17) * kC1;
  return h;
}

}  // namespace zaman::worker::schedule::internal
