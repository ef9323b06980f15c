// OrderByBytes: the positions of many texts in byte order (std::string's), the equal ones in
// their present order. Written for instruction ids, which share their first bytes (the period)
// and are random after them: each text is sorted by the 8 bytes after the bytes all share,
// read as one big-endian integer, and only texts equal in those by their whole bytes. Comparing
// the texts themselves through their positions cost most of a second a million.
//
//   std::vector<size_t> order = internal::OrderByBytes(
//       lines.size(), [&](size_t i) -> std::string_view { return lines[i].end_to_end_id; });
//
// Thread-safety: a pure function; `text_of` is called from the calling thread only.
#ifndef SPODE_PAYMENTS_INTERNAL_ORDER_H_
#define SPODE_PAYMENTS_INTERNAL_ORDER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace spode::payments::internal {

// `text_of(i)` for i in [0, n) gives the i-th text (std::string_view or convertible).
template <typename TextOf>
std::vector<size_t> OrderByBytes(size_t n, const TextOf& text_of) {
  size_t shared = 0;  // bytes every text has in common at its start
  if (n > 0) {
    const std::string_view first = text_of(0);
    shared = first.size();
    for (size_t i = 1; i < n && shared > 0; ++i) {
      const std::string_view t = text_of(i);
      const size_t most = std::min(shared, t.size());
      size_t same = 0;
      while (same < most && first[same] == t[same]) ++same;
      shared = same;
    }
  }
  struct Key {
    uint64_t head;  // the 8 bytes after `shared`, big-endian, zero-padded
    size_t index;
  };
  std::vector<Key> keys(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string_view t = text_of(i);
    uint64_t head = 0;
    for (size_t k = 0; k < 8; ++k) {
      const size_t at = shared + k;
      head = (head << 8) | (at < t.size() ? static_cast<unsigned char>(t[at]) : 0u);
    }
    keys[i] = {head, i};
  }
  std::sort(keys.begin(), keys.end(), [&text_of](const Key& x, const Key& y) {
    if (x.head != y.head) return x.head < y.head;
    const int c = std::string_view(text_of(x.index)).compare(text_of(y.index));
    return c != 0 ? c < 0 : x.index < y.index;
  });
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = keys[i].index;
  return order;
}

}  // namespace spode::payments::internal

#endif  // SPODE_PAYMENTS_INTERNAL_ORDER_H_
