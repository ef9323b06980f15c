#include "registry/ids.h"

#include <cstdio>

#include "common/verhoeff.h"

namespace spode::registry {
namespace {

// x -> (a*x + b) mod m is a bijection on [0, m) when gcd(a, m) = 1; m is a power of ten, so
// `a` must be odd and not a multiple of 5.
uint64_t Permute(uint64_t x, uint64_t a, uint64_t b, uint64_t m) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(x) * a + b) % m);
}

std::string Digits(uint64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string FamilyIdFor(int64_t n, int attempt) {
  uint64_t x = static_cast<uint64_t>(n) + static_cast<uint64_t>(attempt) * 104729u;
  return WithVerhoeffDigit(Digits(Permute(x, 683137259u, 100000007u, 1000000000u), 9));
}

std::string MemberIdFor(int64_t n, int attempt) {
  uint64_t x = static_cast<uint64_t>(n) + static_cast<uint64_t>(attempt) * 1299709u;
  return WithVerhoeffDigit(Digits(Permute(x, 7234567891u, 3141592653u, 10000000000u), 10));
}

}  // namespace spode::registry
