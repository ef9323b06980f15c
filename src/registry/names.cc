#include "registry/names.h"

#include <cstdint>

namespace spode::registry {
namespace {

// Decodes one UTF-8 code point at s[*i]; returns 0xFFFD for malformed input.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || *i + static_cast<size_t>(len) > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3f);
  *i += static_cast<size_t>(len);
  return cp;
}

const char* Consonant(uint32_t cp) {
  static const char* kTable[] = {
      /*0915*/ "k", "kh", "g", "gh", "n", "ch", "chh", "j", "jh", "n", "t", "th", "d", "dh", "n",
      /*0924*/ "t", "th", "d", "dh", "n", "n", "p", "ph", "b", "bh", "m", "y", "r", "r", "l", "l",
      /*0934*/ "l", "v", "sh", "sh", "s", "h"};
  if (cp >= 0x0915 && cp <= 0x0939) return kTable[cp - 0x0915];
  return nullptr;
}

const char* IndependentVowel(uint32_t cp) {
  switch (cp) {
    case 0x0905: return "a";
    case 0x0906: return "aa";
    case 0x0907: return "i";
    case 0x0908: return "ii";
    case 0x0909: return "u";
    case 0x090A: return "uu";
    case 0x090B: return "ri";
    case 0x090F: return "e";
    case 0x0910: return "ai";
    case 0x0913: return "o";
    case 0x0914: return "au";
  }
  return nullptr;
}

const char* Matra(uint32_t cp) {
  switch (cp) {
    case 0x093E: return "aa";
    case 0x093F: return "i";
    case 0x0940: return "ii";
    case 0x0941: return "u";
    case 0x0942: return "uu";
    case 0x0943: return "ri";
    case 0x0947: return "e";
    case 0x0948: return "ai";
    case 0x094B: return "o";
    case 0x094C: return "au";
  }
  return nullptr;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s.compare(i, from.size(), from) == 0) {
      out.append(to);
      i += from.size();
    } else {
      out += s[i++];
    }
  }
  s.swap(out);
}

}  // namespace

std::string TransliterateDevanagari(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_a = false;  // a consonant's inherent vowel, not yet written
  size_t i = 0;
  while (i < text.size()) {
    uint32_t cp = NextCodePoint(text, &i);
    if (const char* m = Matra(cp)) {
      pending_a = false;
      out += m;
      continue;
    }
    if (cp == 0x094D) {  // virama: no inherent vowel
      pending_a = false;
      continue;
    }
    if (cp == 0x093C) continue;  // nukta
    if (pending_a) {
      out += 'a';
      pending_a = false;
    }
    if (const char* c = Consonant(cp)) {
      out += c;
      pending_a = true;
    } else if (const char* v = IndependentVowel(cp)) {
      out += v;
    } else if (cp == 0x0901 || cp == 0x0902) {
      out += 'n';
    } else if (cp == 0x0903) {
      out += 'h';
    } else if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp >= 0x0900 && cp <= 0x097F) {
      // Other Devanagari signs (digits, punctuation): dropped.
    } else {
      out += ' ';
    }
  }
  // A word-final inherent vowel is usually silent in Hindi names; the folding below drops
  // non-initial 'a' anyway.
  return out;
}

std::string NameKey(std::string_view name) {
  std::string latin = TransliterateDevanagari(name);
  std::string s;
  s.reserve(latin.size());
  for (char c : latin) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z') s += c;
  }
  ReplaceAll(s, "ee", "i");
  ReplaceAll(s, "oo", "u");
  ReplaceAll(s, "ph", "f");
  for (char& c : s) {
    if (c == 'w') c = 'v';
    if (c == 'z') c = 'j';
    if (c == 'q') c = 'k';
    if (c == 'y') c = 'i';
  }
  // A silent 'h' after a consonant (bh, dh, kh, sh, th, ...).
  std::string folded;
  folded.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == 'h' && i > 0 && !IsVowel(s[i - 1])) continue;
    // 'a' carries little: dropped except as the first letter (Ram / Rama, Sunita / Sunitaa).
    if (s[i] == 'a' && !folded.empty()) continue;
    if (!folded.empty() && folded.back() == s[i]) continue;  // doubled letters
    folded += s[i];
  }
  return folded;
}

}  // namespace spode::registry
