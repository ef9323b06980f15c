#include "http/request_id.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <thread>

namespace spode::http {
namespace {

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    uint64_t seed = (static_cast<uint64_t>(device()) << 32) ^ device();
    seed ^= static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    seed ^= std::hash<std::thread::id>()(std::this_thread::get_id());
    return std::mt19937_64(seed);
  }();
  return generator;
}

}  // namespace

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void NewRequestId(std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = Generator()();
  out->resize(16);
  for (int i = 15; i >= 0; --i) {
    (*out)[i] = kHex[bits & 0xF];
    bits >>= 4;
  }
}

std::string NewRequestId() {
  std::string id;
  NewRequestId(&id);
  return id;
}

}  // namespace spode::http
