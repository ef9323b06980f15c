#include "sim/internal/names.h"

#include <array>
#include <cctype>

namespace spode::sim::internal {
namespace {

// Common first names of north and central India (Hindi belt, Rajasthan-like), by sex, with
// the usual Hindi spelling. Chosen from names frequent in electoral rolls and school registers;
// the era tags are a rough guide (Kamla, Babulal: born before ~1980; Khushboo, Abhishek: after).
constexpr Era kA = Era::kAny;
constexpr Era kO = Era::kOld;
constexpr Era kY = Era::kYoung;

constexpr NameEntry kHinduMale[] = {
    {"Ramesh", "रमेश", kA},       {"Suresh", "सुरेश", kA},        {"Mahesh", "महेश", kA},
    {"Rajesh", "राजेश", kA},      {"Mukesh", "मुकेश", kA},        {"Dinesh", "दिनेश", kA},
    {"Naresh", "नरेश", kA},       {"Ganesh", "गणेश", kA},        {"Rakesh", "राकेश", kA},
    {"Ram", "राम", kA},          {"Shyam", "श्याम", kA},        {"Mohan", "मोहन", kA},
    {"Sohan", "सोहन", kO},       {"Gopal", "गोपाल", kA},       {"Vijay", "विजय", kA},
    {"Sanjay", "संजय", kA},       {"Ajay", "अजय", kA},          {"Manoj", "मनोज", kA},
    {"Anil", "अनिल", kA},        {"Sunil", "सुनील", kA},        {"Amit", "अमित", kY},
    {"Rahul", "राहुल", kY},       {"Rohit", "रोहित", kY},       {"Ravi", "रवि", kA},
    {"Raju", "राजू", kA},         {"Deepak", "दीपक", kA},       {"Pradeep", "प्रदीप", kA},
    {"Sandeep", "संदीप", kA},     {"Vinod", "विनोद", kA},       {"Ashok", "अशोक", kO},
    {"Kishan", "किशन", kA},      {"Babulal", "बाबूलाल", kO},    {"Hiralal", "हीरालाल", kO},
    {"Mangilal", "मांगीलाल", kO}, {"Bhanwarlal", "भंवरलाल", kO}, {"Shankar", "शंकर", kA},
    {"Prakash", "प्रकाश", kA},    {"Omprakash", "ओमप्रकाश", kO}, {"Jagdish", "जगदीश", kO},
    {"Satish", "सतीश", kA},      {"Pawan", "पवन", kA},         {"Vikram", "विक्रम", kA},
    {"Vikas", "विकास", kY},      {"Akash", "आकाश", kY},        {"Arjun", "अर्जुन", kY},
    {"Karan", "करण", kY},        {"Nitin", "नितिन", kY},       {"Sachin", "सचिन", kY},
    {"Gaurav", "गौरव", kY},      {"Abhishek", "अभिषेक", kY},    {"Ankit", "अंकित", kY},
    {"Devendra", "देवेन्द्र", kA},   {"Surendra", "सुरेन्द्र", kA},    {"Mahendra", "महेन्द्र", kO},
    {"Laxman", "लक्ष्मण", kO},     {"Madan", "मदन", kO},         {"Bhagirath", "भागीरथ", kO},
    {"Shiv", "शिव", kA},         {"Raghav", "राघव", kY},
};

constexpr NameEntry kMuslimMale[] = {
    {"Salim", "सलीम", kA},  {"Imran", "इमरान", kY},     {"Irfan", "इरफ़ान", kA},
    {"Aslam", "असलम", kO},  {"Javed", "जावेद", kA},      {"Shahid", "शाहिद", kA},
    {"Zakir", "ज़ाकिर", kA}, {"Mohammed", "मोहम्मद", kA}, {"Arif", "आरिफ़", kA},
    {"Rafiq", "रफ़ीक़", kO},
};

constexpr NameEntry kHinduFemale[] = {
    {"Sunita", "सुनीता", kA},  {"Anita", "अनीता", kA},     {"Kavita", "कविता", kA},
    {"Savita", "सविता", kA},  {"Babita", "बबीता", kA},    {"Geeta", "गीता", kA},
    {"Sita", "सीता", kA},     {"Rita", "रीता", kA},       {"Pooja", "पूजा", kY},
    {"Priya", "प्रिया", kY},   {"Priyanka", "प्रियंका", kY}, {"Rekha", "रेखा", kA},
    {"Radha", "राधा", kA},    {"Meena", "मीना", kA},      {"Kamla", "कमला", kO},
    {"Vimla", "विमला", kO},   {"Shanti", "शांति", kO},     {"Santosh", "संतोष", kO},
    {"Saroj", "सरोज", kO},    {"Sushila", "सुशीला", kO},   {"Usha", "उषा", kA},
    {"Asha", "आशा", kA},      {"Nisha", "निशा", kY},      {"Manisha", "मनीषा", kY},
    {"Lakshmi", "लक्ष्मी", kA}, {"Parvati", "पार्वती", kO},  {"Ganga", "गंगा", kO},
    {"Bhanwari", "भंवरी", kO}, {"Dhapu", "धापू", kO},       {"Mamta", "ममता", kA},
    {"Suman", "सुमन", kA},     {"Sarita", "सरिता", kA},    {"Kiran", "किरण", kA},
    {"Poonam", "पूनम", kA},    {"Neha", "नेहा", kY},        {"Anjali", "अंजलि", kY},
    {"Jyoti", "ज्योति", kY},   {"Kajal", "काजल", kY},      {"Komal", "कोमल", kY},
    {"Khushboo", "खुशबू", kY},  {"Pinki", "पिंकी", kY},      {"Rani", "रानी", kA},
    {"Rukmani", "रुक्मणी", kO}, {"Sangeeta", "संगीता", kA},  {"Seema", "सीमा", kA},
    {"Shobha", "शोभा", kA},   {"Urmila", "उर्मिला", kO},   {"Phoolwati", "फूलवती", kO},
    {"Gomti", "गोमती", kO},   {"Manju", "मंजू", kA},        {"Sapna", "सपना", kY},
    {"Preeti", "प्रीति", kY},  {"Shweta", "श्वेता", kY},     {"Payal", "पायल", kY},
    {"Divya", "दिव्या", kY},   {"Aarti", "आरती", kY},      {"Pushpa", "पुष्पा", kA},
    {"Kusum", "कुसुम", kO},
};

constexpr NameEntry kMuslimFemale[] = {
    {"Shabana", "शबाना", kA},  {"Salma", "सलमा", kA},  {"Nazma", "नज़मा", kA},
    {"Reshma", "रेशमा", kA},    {"Zeenat", "ज़ीनत", kA}, {"Rukhsar", "रुख़सार", kY},
    {"Farzana", "फ़रज़ाना", kA}, {"Naseem", "नसीम", kO},
};

// Surnames by the caste category they are most often found in (a loose association: every
// pool is also used, less often, by other categories through the common pool).
constexpr NameEntry kScheduledCaste[] = {
    {"Meghwal", "मेघवाल"}, {"Jatav", "जाटव"},      {"Bairwa", "बैरवा"},   {"Balai", "बलाई"},
    {"Raigar", "रैगर"},    {"Valmiki", "वाल्मीकि"}, {"Paswan", "पासवान"}, {"Ahirwar", "अहिरवार"},
};
constexpr NameEntry kScheduledTribe[] = {
    {"Meena", "मीणा"},  {"Bhil", "भील"},        {"Garasia", "गरासिया"},
    {"Damor", "डामोर"}, {"Sahariya", "सहरिया"}, {"Munda", "मुंडा"},
};
constexpr NameEntry kOtherBackward[] = {
    {"Yadav", "यादव"},  {"Jat", "जाट"},    {"Gurjar", "गुर्जर"},     {"Kumawat", "कुमावत"},
    {"Saini", "सैनी"},   {"Mali", "माली"},  {"Prajapat", "प्रजापत"}, {"Kushwaha", "कुशवाहा"},
    {"Kurmi", "कुर्मी"},  {"Lodhi", "लोधी"}, {"Sahu", "साहू"},        {"Teli", "तेली"},
    {"Dhakad", "धाकड़"},
};
constexpr NameEntry kGeneral[] = {
    {"Sharma", "शर्मा"},   {"Agarwal", "अग्रवाल"},  {"Gupta", "गुप्ता"},    {"Jain", "जैन"},
    {"Rathore", "राठौड़"}, {"Shekhawat", "शेखावत"}, {"Tiwari", "तिवारी"}, {"Mishra", "मिश्रा"},
    {"Joshi", "जोशी"},    {"Chauhan", "चौहान"},
};
constexpr NameEntry kCommon[] = {{"Kumar", "कुमार"}, {"Singh", "सिंह"}, {"Verma", "वर्मा"}};
constexpr NameEntry kMuslimSurnames[] = {
    {"Khan", "खान"}, {"Qureshi", "कुरैशी"}, {"Ansari", "अंसारी"}, {"Shaikh", "शेख"}};

constexpr NameEntry kSuffixes[] = {
    {"Devi", "देवी"}, {"Kumari", "कुमारी"}, {"Kumar", "कुमार"}, {"Singh", "सिंह"},
    {"Bai", "बाई"},  {"Bano", "बानो"},    {"Begum", "बेगम"},  {"Khatoon", "खातून"},
};

// Place-name parts: prefixes from deities, people and things ("Ram", "Moti", "Kesar"), and
// the suffixes of north Indian settlement names (-pur town, -garh fort, -ganj market,
// -wara quarter, -kheda hamlet...).
constexpr NameEntry kPlacePrefixes[] = {
    {"Amar", "अमर"},      {"Ram", "राम"},        {"Sita", "सीता"},    {"Kishan", "किशन"},
    {"Chandan", "चंदन"},   {"Hari", "हरि"},       {"Madhav", "माधव"},  {"Sundar", "सुंदर"},
    {"Basant", "बसंत"},    {"Gopal", "गोपाल"},    {"Moti", "मोती"},    {"Heera", "हीरा"},
    {"Bhim", "भीम"},      {"Kesar", "केसर"},      {"Sawai", "सवाई"},   {"Lal", "लाल"},
    {"Nand", "नंद"},       {"Shiv", "शिव"},       {"Jai", "जय"},       {"Raj", "राज"},
    {"Indra", "इंद्र"},     {"Dhan", "धन"},        {"Kanak", "कनक"},    {"Neel", "नील"},
    {"Hans", "हंस"},       {"Mor", "मोर"},        {"Anand", "आनंद"},    {"Kamal", "कमल"},
    {"Ratan", "रतन"},     {"Gulab", "गुलाब"},     {"Dev", "देव"},       {"Bhairon", "भैरों"},
    {"Keshav", "केशव"},    {"Madho", "माधो"},     {"Sultan", "सुल्तान"}, {"Fateh", "फ़तेह"},
    {"Bhawani", "भवानी"}, {"Pratap", "प्रताप"},   {"Udai", "उदय"},     {"Sona", "सोना"},
    {"Chandra", "चंद्र"},   {"Bhoj", "भोज"},       {"Vijay", "विजय"},   {"Mohan", "मोहन"},
    {"Ganga", "गंगा"},     {"Suraj", "सूरज"},      {"Badal", "बादल"},   {"Pipal", "पीपल"},
    {"Amba", "अंबा"},      {"Gopi", "गोपी"},      {"Balu", "बालू"},     {"Kishor", "किशोर"},
    {"Hanuman", "हनुमान"}, {"Lakshman", "लक्ष्मण"}, {"Shyam", "श्याम"},   {"Daulat", "दौलत"},
    {"Jeevan", "जीवन"},   {"Sukh", "सुख"},
};
constexpr NameEntry kPlaceSuffixes[] = {
    // Town suffixes first (kTownSuffixes of them).
    {"pur", "पुर"},
    {"garh", "गढ़"},
    {"nagar", "नगर"},
    {"ganj", "गंज"},
    {"ner", "नेर"},
    {"sar", "सर"},
    {"kot", "कोट"},
    // Village suffixes.
    {"pura", "पुरा"},
    {"wara", "वाड़ा"},
    {"gaon", "गांव"},
    {"kheda", "खेड़ा"},
    {"bagh", "बाग"},
    {"wali", "वाली"},
    {"sagar", "सागर"},
    {"puri", "पुरी"},
    {"dham", "धाम"},
};
constexpr NameEntry kPlaceQualifiers[] = {{" Khurd", " खुर्द"}, {" Kalan", " कलां"}};

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
bool IsVowel(char c) {
  c = Lower(c);
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}
bool IsConsonant(char c) { return IsLetter(c) && !IsVowel(c); }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
char SameCase(char like, char c) { return IsUpper(like) ? Upper(c) : Lower(c); }

// Inserts letter `c` at `pos`, in the case of the letter it will precede (or else follow), so
// that "SALIM" becomes "SAALIM" and "Salim" "Saalim".
void InsertLetter(std::string* t, size_t pos, char c) {
  const char like = pos < t->size() && IsLetter((*t)[pos]) ? (*t)[pos]
                    : pos > 0                              ? (*t)[pos - 1]
                                                           : c;
  t->insert(t->begin() + static_cast<std::ptrdiff_t>(pos), SameCase(like, c));
}

// Folds one lower-case word.
std::string FoldWord(const std::string& w) {
  std::string a;
  a.reserve(w.size());
  for (char c : w) a.push_back(c == 'w' ? 'v' : c == 'z' ? 'j' : c);
  std::string b;  // sh -> s, ph -> f
  b.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (i + 1 < a.size() && a[i + 1] == 'h' && (a[i] == 's' || a[i] == 'p')) {
      b.push_back(a[i] == 's' ? 's' : 'f');
      ++i;
    } else {
      b.push_back(a[i]);
    }
  }
  std::string c;  // aa -> a, ee -> i, oo -> u
  c.reserve(b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    if (i + 1 < b.size() && b[i] == b[i + 1] && (b[i] == 'a' || b[i] == 'e' || b[i] == 'o')) {
      c.push_back(b[i] == 'a' ? 'a' : b[i] == 'e' ? 'i' : 'u');
      ++i;
    } else {
      c.push_back(b[i]);
    }
  }
  std::string d;  // a silent h after a consonant
  d.reserve(c.size());
  for (char ch : c) {
    if (ch == 'h' && !d.empty() && IsConsonant(d.back())) continue;
    d.push_back(ch);
  }
  if (!d.empty() && d.back() == 'y') d.back() = 'i';
  if (d.size() > 1 && d.back() == 'a') d.pop_back();
  return d;
}

// Word boundaries of a name: [begin, end) pairs.
struct Word {
  size_t begin;
  size_t end;
};

int Words(std::string_view s, Word* words, int max_words) {
  int n = 0;
  size_t i = 0;
  while (i < s.size() && n < max_words) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) break;
    const size_t begin = i;
    while (i < s.size() && s[i] != ' ') ++i;
    words[n++] = {begin, i};
  }
  return n;
}

enum class Edit : uint8_t {
  kDoubleVowel,  // Sunita -> Suneeta
  kSingleVowel,  // Pooja -> Puja
  kSwapVW,       // Pawan -> Pavan
  kDropShH,      // Sushila -> Susila
  kSwapPhF,      // Phoolwati -> Foolwati, Arif -> Ariph
  kZToJ,         // Zakir -> Jakir
  kFinalI,       // Devi -> Devy / Devee, Vijay -> Vijai
  kAddH,         // Anita -> Anitha
  kDropH,        // Radha -> Rada
  kTrailingA,    // Yadav -> Yadava, Gupta -> Gupt
  kCase,         // SUNITA DEVI
  kSpacing,      // Sunita  Devi
};

struct Site {
  Edit edit;
  size_t pos;
};

// Applies one edit to `s` at `site`.
void Apply(std::string* s, Site site, Rng& rng) {
  std::string& t = *s;
  const size_t p = site.pos;
  switch (site.edit) {
    case Edit::kDoubleVowel: {
      const char v = Lower(t[p]);
      const char to = v == 'i' ? 'e' : v == 'u' ? 'o' : 'a';
      t[p] = SameCase(t[p], to);
      InsertLetter(s, p + 1, to);
      break;
    }
    case Edit::kSingleVowel: {
      const char v = Lower(t[p]);
      const char to = v == 'e' ? 'i' : v == 'o' ? 'u' : 'a';
      t[p] = SameCase(t[p], to);
      t.erase(p + 1, 1);
      break;
    }
    case Edit::kSwapVW:
      t[p] = SameCase(t[p], Lower(t[p]) == 'v' ? 'w' : 'v');
      break;
    case Edit::kDropShH:
      t.erase(p + 1, 1);
      break;
    case Edit::kSwapPhF:
      if (Lower(t[p]) == 'f') {
        t[p] = SameCase(t[p], 'p');
        InsertLetter(s, p + 1, 'h');
      } else {
        t[p] = SameCase(t[p], 'f');
        t.erase(p + 1, 1);
      }
      break;
    case Edit::kZToJ:
      t[p] = SameCase(t[p], 'j');
      break;
    case Edit::kFinalI:
      if (Lower(t[p]) == 'y') {
        t[p] = SameCase(t[p], 'i');
      } else if (rng.Below(2) == 0) {
        t[p] = SameCase(t[p], 'y');
      } else {
        t[p] = SameCase(t[p], 'e');
        InsertLetter(s, p + 1, 'e');
      }
      break;
    case Edit::kAddH:
      InsertLetter(s, p + 1, 'h');
      break;
    case Edit::kDropH:
      t.erase(p + 1, 1);
      break;
    case Edit::kTrailingA:
      if (Lower(t[p]) == 'a') {
        t.erase(p, 1);
      } else {
        InsertLetter(s, p + 1, 'a');
      }
      break;
    case Edit::kCase: {
      const bool up = rng.Below(2) == 0;
      for (char& c : t) c = up ? Upper(c) : Lower(c);
      break;
    }
    case Edit::kSpacing:
      t.insert(t.begin() + static_cast<std::ptrdiff_t>(p), ' ');
      break;
  }
}

// Collects the places where each edit applies. Edits that depend on a word's end apply to the
// last word only, so they fold the same whether a matcher folds each word or the whole name.
int FindSites(std::string_view s, Site* sites, int max_sites) {
  Word words[16];
  const int nw = Words(s, words, 16);
  int n = 0;
  auto add = [&](Edit e, size_t pos) {
    if (n < max_sites) sites[n++] = {e, pos};
  };
  for (int w = 0; w < nw; ++w) {
    const size_t b = words[w].begin;
    const size_t e = words[w].end;
    const bool last = w == nw - 1;
    for (size_t i = b; i < e; ++i) {
      const char c = Lower(s[i]);
      const char prev = i > b ? Lower(s[i - 1]) : '\0';
      const char next = i + 1 < e ? Lower(s[i + 1]) : '\0';
      const char next2 = i + 2 < e ? Lower(s[i + 2]) : '\0';
      // A single vowel between consonants, inside the word.
      if ((c == 'a' || c == 'i' || c == 'u') && i > b && IsConsonant(prev) && IsConsonant(next)) {
        add(Edit::kDoubleVowel, i);
      }
      // A doubled vowel inside the word (not at its end), not part of a longer run.
      if ((c == 'a' || c == 'e' || c == 'o') && next == c && next2 != '\0' && !IsVowel(next2) &&
          prev != c) {
        add(Edit::kSingleVowel, i);
      }
      if (c == 'v' || c == 'w') add(Edit::kSwapVW, i);
      if (c == 's' && next == 'h') add(Edit::kDropShH, i);
      if ((c == 'p' && next == 'h') || c == 'f') add(Edit::kSwapPhF, i);
      if (c == 'z') add(Edit::kZToJ, i);
      if ((c == 't' || c == 'd') && i > b && next != '\0' && IsVowel(next) && prev != 's') {
        add(Edit::kAddH, i);
      }
      if ((c == 'b' || c == 'd' || c == 'g' || c == 'k' || c == 't') && next == 'h') {
        add(Edit::kDropH, i);
      }
    }
    if (last && e - b >= 3) {
      const char end = Lower(s[e - 1]);
      const char before = Lower(s[e - 2]);
      if ((end == 'i' || end == 'y') && before != 'e' && before != 'i' && before != 'y') {
        add(Edit::kFinalI, e - 1);
      }
      if (end == 'a' && IsConsonant(before) && before != 'h' && e - b >= 4) {
        add(Edit::kTrailingA, e - 1);
      } else if (IsConsonant(end) && end != 'h' && end != 'y' && end != 'a') {
        add(Edit::kTrailingA, e - 1);
      }
    }
  }
  if (nw > 1) add(Edit::kSpacing, words[1].begin);
  add(Edit::kCase, 0);
  return n;
}

}  // namespace

std::span<const NameEntry> FirstNames(Community community, Sex sex) {
  if (community == Community::kMuslim) {
    return sex == Sex::kMale ? std::span<const NameEntry>(kMuslimMale)
                             : std::span<const NameEntry>(kMuslimFemale);
  }
  return sex == Sex::kMale ? std::span<const NameEntry>(kHinduMale)
                           : std::span<const NameEntry>(kHinduFemale);
}

std::span<const NameEntry> Surnames(SurnamePool pool) {
  switch (pool) {
    case SurnamePool::kScheduledCaste:
      return kScheduledCaste;
    case SurnamePool::kScheduledTribe:
      return kScheduledTribe;
    case SurnamePool::kOtherBackward:
      return kOtherBackward;
    case SurnamePool::kGeneral:
      return kGeneral;
    case SurnamePool::kCommon:
      return kCommon;
    case SurnamePool::kMuslim:
      return kMuslimSurnames;
  }
  return kCommon;
}

const NameEntry& Suffix(NameSuffix suffix) { return kSuffixes[static_cast<int>(suffix)]; }

std::span<const NameEntry> PlacePrefixes() { return kPlacePrefixes; }
std::span<const NameEntry> PlaceSuffixes() { return kPlaceSuffixes; }
std::span<const NameEntry> PlaceQualifiers() { return kPlaceQualifiers; }

std::string FoldName(std::string_view name) {
  std::string out;
  std::string word;
  for (size_t i = 0; i <= name.size(); ++i) {
    const bool space = i == name.size() || std::isspace(static_cast<unsigned char>(name[i]));
    if (!space) {
      word.push_back(Lower(name[i]));
      continue;
    }
    if (word.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out += FoldWord(word);
    word.clear();
  }
  return out;
}

std::string MakeNameVariant(std::string_view name, Rng& rng) {
  const std::string folded = FoldName(name);
  std::string variant(name);
  // One edit, sometimes two (a second spelling habit of the same clerk).
  const int edits = rng.Below(4) == 0 ? 2 : 1;
  for (int k = 0; k < edits; ++k) {
    Site sites[64];
    const int n = FindSites(variant, sites, 64);
    // Case and spacing edits are the fallback: used when nothing else applies, or rarely.
    int spelling = 0;
    for (int i = 0; i < n; ++i) {
      if (sites[i].edit != Edit::kCase && sites[i].edit != Edit::kSpacing) ++spelling;
    }
    Site chosen = sites[n - 1];
    if (spelling > 0 && rng.Below(8) != 0) {
      int pick = static_cast<int>(rng.Below(static_cast<uint64_t>(spelling)));
      for (int i = 0; i < n; ++i) {
        if (sites[i].edit == Edit::kCase || sites[i].edit == Edit::kSpacing) continue;
        if (pick-- == 0) {
          chosen = sites[i];
          break;
        }
      }
    } else if (n >= 2 && sites[n - 2].edit == Edit::kSpacing && rng.Below(2) == 0) {
      chosen = sites[n - 2];
    }
    std::string next = variant;
    Apply(&next, chosen, rng);
    if (FoldName(next) == folded) variant = std::move(next);
  }
  if (variant == name) {
    // Guaranteed difference: all capitals (or all lower case if it already was).
    bool changed = false;
    for (char& c : variant) {
      if (IsLetter(c) && !IsUpper(c)) {
        c = Upper(c);
        changed = true;
      }
    }
    if (!changed) {
      for (char& c : variant) c = Lower(c);
    }
  }
  return variant;
}

}  // namespace spode::sim::internal
