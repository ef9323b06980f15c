// Bitmap helpers for the columnar engine (rules/columnar.cc): packing byte lanes into words,
// segment tests over member ranges, broadcasting household bits to their members, and the
// civil-date arithmetic of age_years. Private to rules/.
//
// Bitmaps are arrays of uint64_t words, row r at bit r % 64 of word r / 64. Buffers that
// segment functions read are padded with one extra word.
#ifndef SPODE_RULES_INTERNAL_BITS_H_
#define SPODE_RULES_INTERNAL_BITS_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace spode::rules::internal {

constexpr size_t Words(size_t n) { return (n + 63) >> 6; }

// The bits of the last word of an n-row bitmap that are rows.
constexpr uint64_t TailMask(size_t n) { return (n & 63) ? ~uint64_t{0} >> (64 - (n & 63)) : ~uint64_t{0}; }

inline bool Bit(const uint64_t* words, size_t i) { return (words[i >> 6] >> (i & 63)) & 1; }

// The set bits of x, inline: plain x86-64 has no popcnt instruction, and std::popcount there is
// a call into libgcc.
inline int PopCount(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
}

// 64 bytes, each 0 or 1, as a word (byte k is bit k).
inline uint64_t Pack64(const uint8_t* bytes) {
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  uint64_t r = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + 16 * k));
    uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, zero))) ^ 0xFFFFu;
    r |= static_cast<uint64_t>(m) << (16 * k);
  }
  return r;
#else
  uint64_t r = 0;
  for (int k = 0; k < 8; ++k) {
    uint64_t x;
    std::memcpy(&x, bytes + 8 * k, 8);
    r |= ((x * 0x0102040810204080ULL) >> 56) << (8 * k);
  }
  return r;
#endif
}

// Bits s..e-1 of `words` (e - s <= 64) as the low bits of a word; reads one word past
// (s >> 6) when s is not word-aligned.
inline uint64_t Extract(const uint64_t* words, uint32_t s, uint32_t e) {
  uint32_t w = s >> 6, o = s & 63, len = e - s;
  uint64_t x = words[w] >> o;
  if (o != 0) x |= words[w + 1] << (64 - o);
  return len >= 64 ? x : x & ((uint64_t{1} << len) - 1);
}

// Is any bit s..e-1 set?
inline bool SegAny(const uint64_t* words, uint32_t s, uint32_t e) {
  if (e - s <= 64) return s != e && Extract(words, s, e) != 0;
  for (; s < e; s += 64) {
    uint32_t stop = e - s < 64 ? e : s + 64;
    if (Extract(words, s, stop) != 0) return true;
  }
  return false;
}

// How many of bits s..e-1 are set.
inline uint32_t SegCount(const uint64_t* words, uint32_t s, uint32_t e) {
  uint32_t n = 0;
  for (; s < e; s += 64) {
    uint32_t stop = e - s < 64 ? e : s + 64;
    n += static_cast<uint32_t>(PopCount(Extract(words, s, stop)));
  }
  return n;
}

// out (Words(members) + 1 words): bit i is bit h of `household_bits` for the household h whose
// members seg[h] .. seg[h+1]-1 include i (seg: households+1 non-decreasing offsets from 0 to
// members). Transitions between consecutive households are scattered and a prefix XOR spreads
// them, so the cost is per change of value, not per member. (Empty households toggle the same
// position twice, which cancels.)
inline void BroadcastBits(const uint64_t* household_bits, uint32_t households, const uint32_t* seg,
                          uint32_t members, uint64_t* out) {
  // Toggles straight into the words, then spread by a prefix XOR in place. (Toggles as bytes,
  // packed to words afterwards, avoid chains of read-modify-writes on one word, but clearing and
  // packing a byte per member cost more than the chains, measured on the pension at 10M.)
  const size_t mw = Words(members);
  std::memset(out, 0, (mw + 1) * 8);
  uint64_t carry = 0;
  const size_t hw = Words(households);
  for (size_t w = 0; w < hw; ++w) {
    uint64_t x = household_bits[w];
    if (w + 1 == hw) x &= TailMask(households);
    uint64_t d = x ^ ((x << 1) | carry);
    carry = x >> 63;
    while (d != 0) {
      const size_t j = w * 64 + static_cast<size_t>(std::countr_zero(d));
      d &= d - 1;
      out[seg[j] >> 6] ^= uint64_t{1} << (seg[j] & 63);
    }
  }
  uint64_t c = 0;
  for (size_t w = 0; w < mw; ++w) {
    uint64_t x = out[w];
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x ^= c;
    out[w] = x;
    c = uint64_t{0} - (x >> 63);
  }
  out[mw] = 0;
}

// Year, month and day of days since 1970-01-01 (Howard Hinnant's algorithm), for days from
// 1800-01-01 on (non-negative eras), packed as year * 512 + month * 32 + day: the difference of
// two packed dates shifted right by 9 is the completed years between them.
inline int32_t PackedCivil(int32_t days) {
  const uint32_t z = static_cast<uint32_t>(days + 719468);
  const uint32_t era = z / 146097;
  const uint32_t doe = z - era * 146097;
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  const uint32_t d = doy - (153 * mp + 2) / 5 + 1;
  const uint32_t m = mp < 10 ? mp + 3 : mp - 9;
  const uint32_t y = yoe + era * 400 + (m <= 2);
  return static_cast<int32_t>(y * 512 + m * 32 + d);
}

}  // namespace spode::rules::internal

#endif  // SPODE_RULES_INTERNAL_BITS_H_
