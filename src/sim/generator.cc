// The household model, its parameters and their sources are described in src/sim/README.md;
// the comments here say which figure each constant is tuned to.
//
// Same seed, same bytes, with any compiler: probabilities are integers in parts per million
// (ppm) or small integer weight tables, never floating point; and no expression makes two
// random draws whose order C++ leaves unspecified (two draws as arguments of one call): each
// draw is its own statement or sits in an order-defined position (&&, ?:, braced lists).
#include "sim/generator.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>

#include "common/verhoeff.h"
#include "sim/internal/names.h"
#include "sim/internal/places.h"
#include "sim/internal/random.h"
#include "sim/internal/text.h"

namespace spode::sim {
namespace {

using internal::CivilDate;
using internal::CivilFromDays;
using internal::Community;
using internal::Era;
using internal::IdPermutation;
using internal::Mix;
using internal::NameEntry;
using internal::NameSuffix;
using internal::Rng;
using internal::Sex;
using internal::SurnamePool;

// ---------------------------------------------------------------------------------------------
// Enumerations and their JSON spellings (docs/household-format.md).

enum class Relationship : uint8_t {
  kHead,
  kSpouse,
  kSon,
  kDaughter,
  kFather,
  kMother,
  kBrother,
  kSister,
  kSonInLaw,
  kDaughterInLaw,
  kGrandson,
  kGranddaughter,
  kOther,
};
constexpr std::string_view kRelationshipJson[] = {
    "head",     "spouse",        "son",    "daughter",   "father",
    "mother",   "brother",       "sister", "son_in_law", "daughter_in_law",
    "grandson", "granddaughter", "other"};

enum class Marital : uint8_t { kNeverMarried, kMarried, kWidowed, kDivorced, kSeparated };
constexpr std::string_view kMaritalJson[] = {"never_married", "married", "widowed", "divorced",
                                             "separated"};

enum class Occupation : uint8_t {
  kCultivator,
  kAgriLabourer,
  kCasualLabourer,
  kSalariedPrivate,
  kGovernmentEmployee,
  kSelfEmployed,
  kStudent,
  kHomemaker,
  kUnemployed,
  kRetired,
  kChild,
};
constexpr std::string_view kOccupationJson[] = {
    "cultivator",    "agri_labourer", "casual_labourer", "salaried_private", "government_employee",
    "self_employed", "student",       "homemaker",       "unemployed",       "retired",
    "child"};

enum class Caste : uint8_t { kSC, kST, kOBC, kGEN };
constexpr std::string_view kCasteJson[] = {"SC", "ST", "OBC", "GEN"};

enum class RationCard : uint8_t { kNone, kAPL, kBPL, kAAY };
constexpr std::string_view kRationCardJson[] = {"none", "APL", "BPL", "AAY"};

enum class HouseType : uint8_t { kKutcha, kSemiPucca, kPucca };
constexpr std::string_view kHouseTypeJson[] = {"kutcha", "semi_pucca", "pucca"};

constexpr std::string_view kVerificationJson[] = {"self_declared", "operator_checked",
                                                  "officer_verified", "registry_verified"};

// ---------------------------------------------------------------------------------------------
// Distributions.

// Age of the household's main man, by band (22-29, 30-39, ..., 70-84). With the spouse, child,
// co-resident parent and single-person rules below this reproduces an India-2011-like pyramid:
// about 27% under 15 and 9-10% aged 60 or over (Census 2011: 30.8% and 8.6%; SRS 2020: 25%
// and 10%).
constexpr uint16_t kMainManAgeBand[] = {15, 25, 24, 18, 12, 6};
constexpr int kMainManAgeLow[] = {22, 30, 40, 50, 60, 70};
constexpr int kMainManAgeHigh[] = {29, 39, 49, 59, 69, 84};

// Husband's age minus wife's, from -2 to 12 years (mean ~4, NFHS).
constexpr uint16_t kSpouseGap[] = {1, 2, 6, 9, 13, 15, 14, 12, 9, 7, 5, 3, 2, 1, 1};
constexpr int kSpouseGapMin = -2;

// Children ever born, 0-7, by the mother's current age (older cohorts had more: NFHS-1 TFR
// 3.4, NFHS-5 2.0). Means: ~3.6 for women 50+, ~2.8 for 35-49, ~2.3 for younger women.
constexpr uint16_t kBirthsOld[] = {4, 5, 15, 22, 22, 16, 10, 6};
constexpr uint16_t kBirthsMiddle[] = {4, 8, 30, 28, 17, 8, 4, 1};
constexpr uint16_t kBirthsYoung[] = {5, 12, 42, 26, 10, 4, 1, 0};
// Years between births: 1-5, mostly 2-3.
constexpr uint16_t kBirthSpacing[] = {5, 35, 35, 17, 8};
// Sex ratio at birth ~1,090 boys per 1,000 girls (Census 2011 child sex ratio 918): with
// widowhood, single migrant men and the rest this gives ~940 women per 1,000 men overall.
constexpr uint32_t kBoyPpm = 526'000;

// Age at marriage: women 17-25 (median ~19-20, NFHS-5), men 20-29 (median ~24).
constexpr uint16_t kWomanMarriageAge[] = {8, 20, 18, 16, 12, 9, 7, 5, 5};    // from 17
constexpr uint16_t kManMarriageAge[] = {4, 8, 12, 15, 15, 13, 11, 9, 7, 6};  // from 20

// Land holding classes (Agricultural Census 2015-16 size classes, for a Rajasthan-like state
// with larger holdings): none, marginal (<1 ha), small (1-2), semi-medium (2-4),
// medium (4-10), large (>10 ha). 1 ha = 100 ares. Per mille.
constexpr uint16_t kRuralLand[] = {440, 360, 110, 60, 26, 4};
constexpr int kLandLow[] = {0, 5, 100, 200, 400, 1000};
constexpr int kLandHigh[] = {0, 99, 199, 399, 999, 4000};

// Annual household income quantiles in rupees: a log-normal with median Rs 1,00,000 and
// sigma 0.8 (p10 ~ Rs 36,000, p90 ~ Rs 2.8 lakh), at p = k/128 (ends clipped to 0.05% and
// 99.95%). Precomputed so that no floating-point function runs at generation time.
constexpr int kIncomeScalePercent = 70;
constexpr int32_t kIncomeQuantile[129] = {
    7190,   14456,  17851,  20394,  22533,  24431,  26165,  27781,  29308,  30766,  32167,  33522,
    34840,  36126,  37386,  38623,  39841,  41043,  42231,  43408,  44575,  45734,  46887,  48035,
    49178,  50319,  51458,  52596,  53733,  54872,  56012,  57154,  58299,  59447,  60600,  61757,
    62920,  64089,  65264,  66447,  67637,  68835,  70042,  71258,  72484,  73721,  74968,  76227,
    77499,  78782,  80079,  81390,  82716,  84056,  85412,  86785,  88175,  89582,  91009,  92454,
    93920,  95406,  96915,  98445,  100000, 101579, 103184, 104815, 106474, 108162, 109880, 111629,
    113411, 115227, 117079, 118968, 120896, 122865, 124876, 126932, 129035, 131186, 133390, 135647,
    137961, 140335, 142772, 145275, 147849, 150497, 153224, 156033, 158932, 161924, 165017, 168217,
    171531, 174967, 178534, 182243, 186104, 190130, 194334, 198732, 203342, 208183, 213278, 218653,
    224340, 230372, 236792, 243648, 250999, 258915, 267483, 276809, 287028, 298310, 310880, 325039,
    341199, 359954, 382192, 409324, 443792, 490347, 560187, 691745, 1390740};

// Banks: code, weight (share of accounts, %), account-number length, leading digit. SPGB is
// the state's fictional regional rural bank (Sampurna Pradesh Gramin Bank); IPOS is India
// Post Payments Bank (a single IFSC). Lengths follow each bank's usual format.
struct Bank {
  std::string_view code;
  int account_digits;
  char lead;
};
constexpr Bank kBanks[] = {
    {"SBIN", 11, '3'}, {"PUNB", 16, '1'}, {"BARB", 14, '2'}, {"UBIN", 15, '5'}, {"CNRB", 13, '1'},
    {"BKID", 15, '6'}, {"SPGB", 12, '8'}, {"IPOS", 12, '9'}, {"HDFC", 14, '5'}, {"ICIC", 12, '0'},
};
constexpr uint16_t kBankWeight[] = {30, 9, 9, 7, 6, 6, 13, 6, 7, 7};
constexpr int kSpgb = 6;
constexpr int kIpos = 7;

// ---------------------------------------------------------------------------------------------
// A household under construction.

struct Person {
  int32_t dob_days = 0;
  int16_t age = 0;  // completed years at as_of (a target age until the date of birth is drawn)
  Sex sex = Sex::kMale;
  int8_t birth_unit = -1;  // the couple this person is a child of (present or not)
  int8_t own_unit = -1;    // the couple this person is a spouse in
  Marital marital = Marital::kNeverMarried;
  Relationship relationship = Relationship::kOther;
  Occupation occupation = Occupation::kChild;
  uint8_t disability_percent = 0;
  bool school_enrolled = false;
  bool pensioner = false;
  bool planted = false;  // the near-duplicate copy: name in planted_name_, no IDs
  bool name_local = true;
  const NameEntry* first = nullptr;
  const NameEntry* last = nullptr;  // null: a single name
};

// A married couple, whether or not its members live in the household, and the couples its
// husband and wife were born to (-1 when not known here).
struct Unit {
  int8_t husband_birth = -1;
  int8_t wife_birth = -1;
};

constexpr int kMaxMembers = 30;
constexpr int kMaxUnits = 32;

// A person who may be copied into a later household as a near-duplicate.
struct Copyable {
  const NameEntry* first;
  const NameEntry* last;
  Sex sex;
  int32_t dob_days;
  int32_t village;
  Marital marital;
  Occupation occupation;
  uint8_t disability_percent;
  bool pensioner;
};
constexpr int kReservoirSize = 4096;

bool IsAdultOccupationAge(int age) { return age >= 18 && age < 60; }

}  // namespace

Status ValidateOptions(const GeneratorOptions& o) {
  if (o.households < 0) return InvalidArgumentError("households must be 0 or more");
  if (o.households > 100'000'000) {
    return InvalidArgumentError("households must be at most 100,000,000");
  }
  if (!(o.near_duplicate_share >= 0 && o.near_duplicate_share <= 0.5)) {
    return InvalidArgumentError("near_duplicate_share must be between 0 and 0.5");
  }
  if (o.districts < 0 || o.districts > 99) {
    return InvalidArgumentError("districts must be between 0 and 99");
  }
  if (o.as_of.year() < 2000 || o.as_of.year() > 2200) {
    return InvalidArgumentError("as_of must be in the years 2000 to 2200");
  }
  return OkStatus();
}

class Generator::Impl {
 public:
  explicit Impl(GeneratorOptions options);
  bool Next(std::string* out);

  GeneratorOptions options_;
  internal::PlaceTable places_;
  int64_t households_written_ = 0;
  int64_t members_written_ = 0;
  int64_t duplicates_planted_ = 0;

 private:
  // Building.
  int AddPerson(int age, Sex sex, int birth_unit, int own_unit, Marital marital);
  int NewUnit(int husband_birth, int wife_birth);
  void BuildSingleElderly();
  void BuildSingleAdult();
  void BuildOrphanedSiblings();
  void BuildFamily();
  void AddChildren(int mother_age, int first_birth_age, int unit, bool may_marry, int main_man_age);
  int SampleBirths(int mother_age);
  void DrawBirthDates();
  void ChooseHead();
  Relationship Relate(const Person& x, const Person& head) const;
  void OrderMembers();
  void DrawNames();
  const NameEntry* PickFirstName(Sex sex, int age);
  void DrawEconomy();
  void DrawMemberAttributes();
  void PlantCopy(const Copyable& c, bool alone);
  void Remember();
  // Writing.
  void Write(std::string* out);
  void WriteMember(const Person& p);
  void WriteName(const Person& p);
  void WriteId(uint64_t body, int digits);

  Rng rng_;
  CivilDate as_of_;
  int32_t as_of_days_;
  std::string as_of_text_;
  internal::JsonBuffer buffer_{64 << 10};
  IdPermutation family_ids_;
  IdPermutation member_ids_;
  IdPermutation national_ids_;
  IdPermutation phones_;
  IdPermutation accounts_;
  int64_t national_ids_issued_ = 0;
  int64_t phones_issued_ = 0;
  int64_t accounts_issued_ = 0;
  int64_t duplicates_target_ = 0;

  // The household being built.
  std::vector<Person> people_;
  std::array<Unit, kMaxUnits> units_{};
  int unit_count_ = 0;
  int main_wife_ = -1;
  int natal_unit_ = -1;  // the unit of the main wife's parents, when her mother lives here
  int32_t village_ = 0;  // index in places_.villages
  bool urban_ = false;
  Community community_ = Community::kHindu;
  Caste caste_ = Caste::kOBC;
  SurnamePool pool_ = SurnamePool::kOtherBackward;
  const NameEntry* surname_ = nullptr;
  int64_t income_rupees_ = 0;
  int land_ares_ = 0;
  RationCard ration_card_ = RationCard::kNone;
  HouseType house_type_ = HouseType::kKutcha;
  bool lpg_ = false;
  int verification_ = 0;
  std::string planted_name_;
  std::array<int, kMaxMembers + 1> order_{};

  std::vector<Copyable> reservoir_;
};

Generator::Impl::Impl(GeneratorOptions options)
    : options_(options),
      rng_(Mix(options.seed, 0x686F757365686F6Cull)),  // "household"
      family_ids_(900'000'000ull, 10'000, Mix(options.seed, 1)),
      member_ids_(9'000'000'000ull, 100'000, Mix(options.seed, 2)),
      national_ids_(80'000'000'000ull, 100'000, Mix(options.seed, 3)),
      phones_(4'000'000'000ull, 100'000, Mix(options.seed, 4)),
      accounts_(1'000'000'000ull, 10'000, Mix(options.seed, 5)) {
  options_.households = std::clamp<int64_t>(options_.households, 0, 100'000'000);
  if (!(options_.near_duplicate_share >= 0)) options_.near_duplicate_share = 0;
  options_.near_duplicate_share = std::min(options_.near_duplicate_share, 0.5);
  options_.districts = std::clamp(options_.districts, 0, 99);
  options_.as_of =
      Date::FromDays(std::clamp(options_.as_of.days(), internal::DaysFromCivil(2000, 1, 1),
                                internal::DaysFromCivil(2200, 12, 31)));
  int districts = options_.districts;
  if (districts == 0) {
    districts =
        static_cast<int>(std::clamp<int64_t>((options_.households + 25'000) / 50'000, 3, 40));
  }
  places_ = internal::BuildPlaces(options_.seed, districts);
  as_of_days_ = options_.as_of.days();
  as_of_ = CivilFromDays(as_of_days_);
  buffer_.Date(as_of_);
  buffer_.MoveTo(&as_of_text_);
  // round(households * share), in integers: share is turned into parts per million first.
  const int64_t share_ppm = static_cast<int64_t>(options_.near_duplicate_share * 1'000'000.0 + 0.5);
  duplicates_target_ = (options_.households * share_ppm + 500'000) / 1'000'000;
  people_.reserve(kMaxMembers + 1);
  reservoir_.reserve(kReservoirSize);
}

// ---------------------------------------------------------------------------------------------
// Household composition.

int Generator::Impl::AddPerson(int age, Sex sex, int birth_unit, int own_unit, Marital marital) {
  if (static_cast<int>(people_.size()) >= kMaxMembers) return -1;
  Person p;
  p.age = static_cast<int16_t>(std::max(0, age));
  p.sex = sex;
  p.birth_unit = static_cast<int8_t>(birth_unit);
  p.own_unit = static_cast<int8_t>(own_unit);
  p.marital = marital;
  people_.push_back(p);
  return static_cast<int>(people_.size()) - 1;
}

int Generator::Impl::NewUnit(int husband_birth, int wife_birth) {
  if (unit_count_ >= kMaxUnits) return -1;
  units_[unit_count_] = {static_cast<int8_t>(husband_birth), static_cast<int8_t>(wife_birth)};
  return unit_count_++;
}

// An old person living alone: most often a widow (NSSO 75th round: ~6% of the elderly live
// alone, women far more often than men).
void Generator::Impl::BuildSingleElderly() {
  // 60-92, mostly in the 60s. (Two draws in separate statements: the order in which a call's
  // arguments are evaluated differs between compilers, and the output must not.)
  const int a = rng_.Range(0, 18);
  const int b = rng_.Range(0, 32);
  const int age = 60 + std::min(a, b);
  if (rng_.Chance(700'000)) {
    const int r = rng_.Range(0, 99);
    const Marital m = r < 88   ? Marital::kWidowed
                      : r < 94 ? Marital::kSeparated
                      : r < 97 ? Marital::kNeverMarried
                               : Marital::kDivorced;
    AddPerson(age, Sex::kFemale, -1, m == Marital::kNeverMarried ? -1 : NewUnit(-1, -1), m);
  } else {
    const int r = rng_.Range(0, 99);
    const Marital m = r < 72   ? Marital::kWidowed
                      : r < 85 ? Marital::kNeverMarried
                      : r < 95 ? Marital::kMarried
                               : Marital::kSeparated;
    AddPerson(age, Sex::kMale, -1, m == Marital::kNeverMarried ? -1 : NewUnit(-1, -1), m);
  }
}

// A working-age person alone: mostly a migrant man (married, his wife elsewhere, or not yet
// married); sometimes a widowed or separated woman.
void Generator::Impl::BuildSingleAdult() {
  if (rng_.Chance(850'000)) {
    const int age = rng_.Range(19, 45);
    const bool married = age >= 24 && rng_.Chance(400'000);
    AddPerson(age, Sex::kMale, -1, married ? NewUnit(-1, -1) : -1,
              married ? Marital::kMarried : Marital::kNeverMarried);
  } else {
    const int age = rng_.Range(25, 59);
    const int r = rng_.Range(0, 99);
    const Marital m = r < 50   ? Marital::kWidowed
                      : r < 75 ? Marital::kSeparated
                      : r < 85 ? Marital::kDivorced
                               : Marital::kNeverMarried;
    AddPerson(age, Sex::kFemale, -1, m == Marital::kNeverMarried ? -1 : NewUnit(-1, -1), m);
  }
}

// Brothers and sisters whose parents have died or left, the eldest under 21: the household
// whose head is simply its eldest member.
void Generator::Impl::BuildOrphanedSiblings() {
  const int parents = NewUnit(-1, -1);
  int age = rng_.Range(14, 20);
  const int n = rng_.Range(2, 4);
  for (int i = 0; i < n && age >= 3; ++i) {
    // Sisters of 18 or more would head the household under the first rule; keep the eldest
    // boy-headed case common.
    Sex sex = rng_.Chance(kBoyPpm) ? Sex::kMale : Sex::kFemale;
    if (i == 0 && age >= 18) sex = Sex::kMale;
    AddPerson(age, sex, parents, -1, Marital::kNeverMarried);
    age -= rng_.Range(2, 4);
  }
}

int Generator::Impl::SampleBirths(int mother_age) {
  if (mother_age >= 50) return rng_.Pick(kBirthsOld);
  if (mother_age >= 35) return rng_.Pick(kBirthsMiddle);
  return rng_.Pick(kBirthsYoung);
}

// Adds the children of `unit` whose mother is (or would be) `mother_age`: daughters leave at
// marriage; married sons stay with their parents about half the time (and always one, most
// often, when the parents are old), bringing a wife and children.
void Generator::Impl::AddChildren(int mother_age, int first_birth_age, int unit, bool may_marry,
                                  int main_man_age) {
  struct Child {
    int age;
    Sex sex;
    bool present;
    bool married;
    int marriage_age;
  };
  std::array<Child, 8> kids{};
  int n = 0;
  const int births = SampleBirths(mother_age);
  int at = first_birth_age;
  for (int k = 0; k < births && at <= mother_age && at <= 42 && n < 8; ++k) {
    kids[n++] = {mother_age - at, rng_.Chance(kBoyPpm) ? Sex::kMale : Sex::kFemale, true, false, 0};
    at += 1 + rng_.Pick(kBirthSpacing);
  }
  int married_sons = 0;
  int married_sons_staying = 0;
  int youngest_married_son = -1;
  for (int i = 0; i < n; ++i) {
    Child& c = kids[i];
    if (c.sex == Sex::kFemale) {
      c.marriage_age = 17 + rng_.Pick(kWomanMarriageAge);
      if (c.age >= 18 && c.age >= c.marriage_age) {
        c.married = true;
        c.present = false;  // lives with her husband's family
      }
    } else {
      c.marriage_age = 20 + rng_.Pick(kManMarriageAge);
      if (c.age >= 21 && c.age >= c.marriage_age) {
        c.married = true;
        ++married_sons;
        youngest_married_son = i;
        c.present = may_marry && rng_.Chance(500'000);
        if (c.present) ++married_sons_staying;
      } else if (c.age >= 20 && rng_.Chance(80'000)) {
        c.present = false;  // working elsewhere
      }
    }
  }
  if (may_marry && main_man_age >= 58 && married_sons > 0 && married_sons_staying == 0 &&
      rng_.Chance(850'000)) {
    kids[youngest_married_son].present = true;
  }
  for (int i = 0; i < n; ++i) {
    const Child& c = kids[i];
    if (!c.present) continue;
    if (!c.married) {
      AddPerson(c.age, c.sex, unit, -1, Marital::kNeverMarried);
      continue;
    }
    const int son_unit = NewUnit(unit, -1);
    if (son_unit < 0) continue;
    const bool wife_died = rng_.Chance(15'000);
    if (AddPerson(c.age, Sex::kMale, unit, son_unit,
                  wife_died ? Marital::kWidowed : Marital::kMarried) < 0) {
      continue;
    }
    int wife_age = c.age - (kSpouseGapMin + rng_.Pick(kSpouseGap));
    wife_age = std::max(wife_age, 18);
    const int years_married = c.age - c.marriage_age;
    const int wife_marriage_age = std::max(17, wife_age - years_married);
    if (!wife_died) AddPerson(wife_age, Sex::kFemale, -1, son_unit, Marital::kMarried);
    AddChildren(wife_age, std::max(18, wife_marriage_age + rng_.Range(1, 2)), son_unit, false,
                main_man_age);
  }
}

// The common household: a couple (or the survivor of one), their children, a married son's
// family, and sometimes the husband's parents, an unmarried brother, or the wife's widowed
// mother.
void Generator::Impl::BuildFamily() {
  const int band = rng_.Pick(kMainManAgeBand);
  const int man_age = rng_.Range(kMainManAgeLow[band], kMainManAgeHigh[band]);
  const int wife_age = std::max(18, man_age - (kSpouseGapMin + rng_.Pick(kSpouseGap)));

  // Who of the couple is here. Widowhood by age follows the Census 2011 pattern (widows
  // outnumber widowers about 3 to 1 among the elderly); a small share of husbands work away.
  const uint32_t widow_ppm = man_age < 35   ? 15'000
                             : man_age < 45 ? 30'000
                             : man_age < 55 ? 60'000
                             : man_age < 65 ? 110'000
                             : man_age < 75 ? 160'000
                                            : 280'000;
  const uint32_t widower_ppm = wife_age < 35   ? 8'000
                               : wife_age < 50 ? 15'000
                               : wife_age < 65 ? 40'000
                                               : 120'000;
  // At most one of the two is absent, so the household is never empty.
  bool man_here = true;
  bool wife_here = true;
  Marital man_status = Marital::kMarried;
  Marital wife_status = Marital::kMarried;
  const uint32_t r = static_cast<uint32_t>(rng_.Below(1'000'000));
  if (r < widow_ppm) {
    man_here = false;
    wife_status = Marital::kWidowed;
  } else if (r < widow_ppm + widower_ppm) {
    wife_here = false;
    man_status = Marital::kWidowed;
  } else if (r < widow_ppm + widower_ppm + (man_age < 50 ? 40'000u : 0u)) {
    man_here = false;  // working in a city; still married
  } else if (r < widow_ppm + widower_ppm + (man_age < 50 ? 40'000u : 0u) + 10'000) {
    man_here = false;
    wife_status = rng_.Chance(700'000) ? Marital::kSeparated : Marital::kDivorced;
  }

  // The husband's parents (co-residence falls with the husband's age: most Indian elderly live
  // with a son, LASI 2017-18).
  const int his_parents = NewUnit(-1, -1);
  const uint32_t parents_ppm = man_age < 30   ? 320'000
                               : man_age < 40 ? 270'000
                               : man_age < 50 ? 190'000
                               : man_age < 60 ? 100'000
                                              : 15'000;
  if (rng_.Chance(parents_ppm)) {
    const int mother_age = man_age + rng_.Range(19, 32);
    const int father_age = mother_age + kSpouseGapMin + rng_.Pick(kSpouseGap);
    if (mother_age <= 96) {
      const uint32_t father_alive_ppm = father_age < 65   ? 700'000
                                        : father_age < 75 ? 500'000
                                                          : 330'000;
      const bool father = father_age <= 98 && rng_.Chance(father_alive_ppm);
      const bool mother = !father || rng_.Chance(880'000);
      if (mother) {
        AddPerson(mother_age, Sex::kFemale, -1, his_parents,
                  father ? Marital::kMarried : Marital::kWidowed);
      }
      if (father) {
        AddPerson(father_age, Sex::kMale, -1, his_parents,
                  mother ? Marital::kMarried : Marital::kWidowed);
      }
      // An unmarried younger brother or sister still living with the parents.
      if (man_age < 34 && rng_.Chance(300'000)) {
        const int age = man_age - rng_.Range(2, 9);
        if (age >= 5) {
          const Sex sex = rng_.Chance(600'000) ? Sex::kMale : Sex::kFemale;
          if (sex == Sex::kMale || age < 20) {
            AddPerson(age, sex, his_parents, -1, Marital::kNeverMarried);
          }
        }
      }
    }
  }
  // The wife's widowed mother (uxorilocal co-residence: rare).
  int her_parents = -1;
  if (wife_here && rng_.Chance(15'000)) {
    const int mother_age = wife_age + rng_.Range(19, 30);
    if (mother_age <= 95) {
      her_parents = NewUnit(-1, -1);
      natal_unit_ = her_parents;
      AddPerson(mother_age, Sex::kFemale, -1, her_parents, Marital::kWidowed);
    }
  }

  const int couple = NewUnit(his_parents, her_parents);
  if (wife_here) {
    main_wife_ = AddPerson(wife_age, Sex::kFemale, her_parents, couple, wife_status);
  }
  if (man_here) AddPerson(man_age, Sex::kMale, his_parents, couple, man_status);
  const int wife_marriage_age = 17 + rng_.Range(0, 4);
  AddChildren(wife_age, std::max(18, wife_marriage_age + rng_.Range(1, 2)), couple, true, man_age);
}

// Dates of birth for the target ages, then exact completed ages at as_of. About a fifth of
// people over 40 have a declared birth year only and are recorded as born on 1 January of it,
// as in Aadhaar and ration-card data.
void Generator::Impl::DrawBirthDates() {
  for (Person& p : people_) {
    if (p.planted) continue;
    int y = as_of_.year - p.age;
    int d = as_of_.day;
    if (as_of_.month == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) d = 28;
    // Born in the year up to and including the last birthday: age is exactly p.age.
    int32_t dob = internal::DaysFromCivil(y, as_of_.month, d) - rng_.Range(0, 364);
    CivilDate c = CivilFromDays(dob);
    if (p.age >= 40 && rng_.Chance(200'000)) {
      c = {c.year, 1, 1};
      dob = internal::DaysFromCivil(c.year, 1, 1);
    }
    p.dob_days = dob;
    p.age = static_cast<int16_t>(internal::CompletedYears(c, as_of_));
  }
}

// Jan Aadhaar's rule (docs/household-format.md): a woman aged 18 or over if there is one;
// otherwise a man aged 21 or over; otherwise the eldest member. When several people qualify the
// family chooses: here the eldest, or sometimes the main wife when she is not the eldest woman
// (her mother-in-law lives with her). A planted copy is chosen only when the rule requires it.
void Generator::Impl::ChooseHead() {
  const int n = static_cast<int>(people_.size());
  auto rule = [](const Person& p) {
    if (p.sex == Sex::kFemale && p.age >= 18) return 0;
    if (p.sex == Sex::kMale && p.age >= 21) return 1;
    return 2;
  };
  int best_rule = 2;
  for (const Person& p : people_) best_rule = std::min(best_rule, rule(p));
  // The eldest qualifying member, not a planted copy if possible; under the third rule the
  // eldest of all (a planted copy included, when it is strictly the eldest).
  int head = -1;
  for (int i = 0; i < n; ++i) {
    const Person& p = people_[i];
    if (rule(p) != best_rule) continue;
    if (head < 0) {
      head = i;
      continue;
    }
    const Person& h = people_[head];
    if (best_rule < 2 && p.planted != h.planted) {
      if (h.planted) head = i;
      continue;
    }
    if (p.dob_days < h.dob_days || (p.dob_days == h.dob_days && h.planted && !p.planted)) {
      head = i;
    }
  }
  if (best_rule == 0 && main_wife_ >= 0 && main_wife_ != head && rule(people_[main_wife_]) == 0 &&
      rng_.Chance(350'000)) {
    head = main_wife_;
  }
  const Person head_copy = people_[head];
  for (int i = 0; i < n; ++i) {
    people_[i].relationship = i == head ? Relationship::kHead : Relate(people_[i], head_copy);
  }
}

// The relationship of x to the head, from the couples each was born to and married into.
// Parents-in-law, siblings-in-law and more distant kin are "other": the format has no closer
// word for them.
Relationship Generator::Impl::Relate(const Person& x, const Person& h) const {
  const bool male = x.sex == Sex::kMale;
  const int hu = h.own_unit;
  if (hu >= 0) {
    if (x.own_unit == hu) return Relationship::kSpouse;
    if (x.birth_unit == hu) return male ? Relationship::kSon : Relationship::kDaughter;
    if (x.own_unit >= 0) {
      const Unit& u = units_[x.own_unit];
      if (u.husband_birth == hu || u.wife_birth == hu) {
        return male ? Relationship::kSonInLaw : Relationship::kDaughterInLaw;
      }
    }
    if (x.birth_unit >= 0) {
      const Unit& u = units_[x.birth_unit];
      if (u.husband_birth == hu || u.wife_birth == hu) {
        return male ? Relationship::kGrandson : Relationship::kGranddaughter;
      }
    }
  }
  if (h.birth_unit >= 0) {
    if (x.own_unit == h.birth_unit) return male ? Relationship::kFather : Relationship::kMother;
    if (x.birth_unit == h.birth_unit) return male ? Relationship::kBrother : Relationship::kSister;
  }
  return Relationship::kOther;
}

// Head first, then spouse, children, children's spouses, grandchildren, parents, siblings and
// others; elders first within each group.
void Generator::Impl::OrderMembers() {
  static constexpr uint8_t kRank[] = {0, 1, 2, 2, 5, 5, 6, 6, 3, 3, 4, 4, 7};
  const int n = static_cast<int>(people_.size());
  for (int i = 0; i < n; ++i) order_[i] = i;
  auto before = [&](int a, int b) {
    const Person& x = people_[a];
    const Person& y = people_[b];
    const int rx = kRank[static_cast<int>(x.relationship)];
    const int ry = kRank[static_cast<int>(y.relationship)];
    if (rx != ry) return rx < ry;
    if (x.dob_days != y.dob_days) return x.dob_days < y.dob_days;
    return a < b;
  };
  std::sort(order_.begin(), order_.begin() + n, before);
}

const NameEntry* Generator::Impl::PickFirstName(Sex sex, int age) {
  const auto names = internal::FirstNames(community_, sex);
  const int birth_year = as_of_.year - age;
  const NameEntry* pick = nullptr;
  for (int attempt = 0; attempt < 8; ++attempt) {
    pick = &names[rng_.Below(names.size())];
    const bool era_ok = pick->era == Era::kAny || (pick->era == Era::kOld && birth_year <= 1980) ||
                        (pick->era == Era::kYoung && birth_year >= 1982);
    if (!era_ok) continue;
    bool taken = false;  // no two members share a first name
    for (const Person& p : people_) {
      if (p.first == pick) taken = true;
    }
    if (!taken) break;
  }
  return pick;
}

// Names: the family's surname for most men and unmarried women; "Devi", "Bai" or the surname
// for married Hindu women, "Kumari" for some girls, "Kumar" or "Singh" for some men; "Bano",
// "Begum" or "Khatoon" for some Muslim women. A few older people have a single name.
void Generator::Impl::DrawNames() {
  const bool muslim = community_ == Community::kMuslim;
  for (Person& p : people_) {
    if (p.planted) continue;
    p.first = PickFirstName(p.sex, p.age);
    const NameEntry* surname = surname_;
    // The wife's mother belongs to another family and has its name.
    if (p.own_unit >= 0 && p.own_unit == natal_unit_) {
      const auto pool = internal::Surnames(pool_);
      surname = &pool[rng_.Below(pool.size())];
    }
    const int r = rng_.Range(0, 99);
    if (p.sex == Sex::kMale) {
      if (muslim) {
        p.last = r < 85 ? surname : nullptr;
      } else if (r < 70) {
        p.last = surname;
      } else if (r < 85) {
        p.last = p.age < 60 ? &internal::Suffix(NameSuffix::kKumar) : surname;
      } else if (r < 93) {
        p.last = &internal::Suffix(NameSuffix::kSingh);
      } else {
        p.last = p.age >= 50 ? nullptr : surname;
      }
      continue;
    }
    const bool ever_married = p.marital != Marital::kNeverMarried;
    if (muslim) {
      if (ever_married) {
        p.last = r < 30   ? &internal::Suffix(NameSuffix::kBano)
                 : r < 50 ? &internal::Suffix(NameSuffix::kBegum)
                 : r < 65 ? &internal::Suffix(NameSuffix::kKhatoon)
                          : surname;
      } else {
        p.last = r < 60   ? surname
                 : r < 85 ? &internal::Suffix(NameSuffix::kBano)
                          : &internal::Suffix(NameSuffix::kKhatoon);
      }
    } else if (ever_married) {
      // "Devi" or the surname; else "Bai" from 40, a single name from 55.
      if (r < 42) {
        p.last = &internal::Suffix(NameSuffix::kDevi);
      } else if (r < 80) {
        p.last = surname;
      } else if (r < 92 && p.age >= 40) {
        p.last = &internal::Suffix(NameSuffix::kBai);
      } else {
        p.last = p.age >= 55 ? nullptr : &internal::Suffix(NameSuffix::kDevi);
      }
    } else {
      p.last = r < 35 ? &internal::Suffix(NameSuffix::kKumari) : surname;
    }
  }
}

// Land, income, ration card, housing and cooking gas, then each member's occupation.
void Generator::Impl::DrawEconomy() {
  // Land.
  land_ares_ = 0;
  if (!urban_ || rng_.Chance(70'000)) {
    int cls = urban_ ? 1 + static_cast<int>(rng_.Below(2)) : rng_.Pick(kRuralLand);
    // Scheduled Castes hold far less land (Agricultural Census).
    if (caste_ == Caste::kSC && cls > 0 && rng_.Chance(350'000)) cls = 0;
    if (cls > 0) {
      land_ares_ =
          kLandLow[cls] +
          static_cast<int>(rng_.Below(static_cast<uint64_t>(kLandHigh[cls] - kLandLow[cls] + 1)));
    }
  }
  // The household's rank in the income distribution, skewed up by land and towns and down
  // for SC/ST households and old people alone.
  uint32_t rank = static_cast<uint32_t>(rng_.Next() >> 32);
  auto up = [&] { rank = std::max(rank, static_cast<uint32_t>(rng_.Next() >> 32)); };
  auto down = [&] { rank = std::min(rank, static_cast<uint32_t>(rng_.Next() >> 32)); };
  if (land_ares_ >= 100) up();
  if (urban_ && rng_.Chance(500'000)) up();
  if ((caste_ == Caste::kSC || caste_ == Caste::kST) && rng_.Chance(500'000)) down();
  if (people_.size() == 1 && people_[0].age >= 60) down();

  // Occupations, which add salaries and pensions to the income.
  int64_t extra = 0;
  bool government_income = false;
  for (Person& p : people_) {
    if (p.planted) continue;
    const int age = p.age;
    const bool male = p.sex == Sex::kMale;
    p.school_enrolled = false;
    p.pensioner = false;
    if (age < 6) {
      p.occupation = Occupation::kChild;
      continue;
    }
    if (age < 18) {
      // Enrolment (UDISE+ / NFHS-5: near-universal at primary age, lower at 15-17).
      const uint32_t enrolled_ppm = age <= 10   ? 960'000
                                    : age <= 14 ? 910'000
                                    : male      ? 730'000
                                                : 680'000;
      p.school_enrolled = rng_.Chance(enrolled_ppm);
      if (p.school_enrolled) {
        p.occupation = Occupation::kStudent;
      } else if (age < 14) {
        p.occupation = Occupation::kChild;
      } else if (male) {
        const int r = rng_.Range(0, 99);
        p.occupation = r < 35
                           ? (land_ares_ > 0 ? Occupation::kCultivator : Occupation::kAgriLabourer)
                       : r < 65 ? Occupation::kCasualLabourer
                       : r < 75 ? Occupation::kSelfEmployed
                                : Occupation::kUnemployed;
      } else {
        p.occupation = rng_.Chance(600'000) ? Occupation::kHomemaker : Occupation::kAgriLabourer;
      }
      continue;
    }
    if (age < 25 && rng_.Chance(male ? 280'000 : 250'000)) {  // college (AISHE GER ~27%)
      p.occupation = Occupation::kStudent;
      continue;
    }
    if (IsAdultOccupationAge(age)) {
      // About 3% of adults are government employees (central + state + local bodies).
      if (age >= 21 && rng_.Chance(male ? 60'000 : 20'000)) {
        p.occupation = Occupation::kGovernmentEmployee;
        extra += rng_.Range(2'400, 7'200) * 100;  // Rs 2.4-7.2 lakh a year
        government_income = true;
        continue;
      }
      const int r = rng_.Range(0, 99);
      if (male) {
        if (urban_) {
          p.occupation = r < 20   ? Occupation::kCasualLabourer
                         : r < 50 ? Occupation::kSelfEmployed
                         : r < 88 ? Occupation::kSalariedPrivate
                                  : Occupation::kUnemployed;
        } else if (land_ares_ > 0) {
          p.occupation = r < 55   ? Occupation::kCultivator
                         : r < 65 ? Occupation::kAgriLabourer
                         : r < 75 ? Occupation::kCasualLabourer
                         : r < 85 ? Occupation::kSelfEmployed
                         : r < 93 ? Occupation::kSalariedPrivate
                                  : Occupation::kUnemployed;
        } else {
          p.occupation = r < 35   ? Occupation::kAgriLabourer
                         : r < 65 ? Occupation::kCasualLabourer
                         : r < 77 ? Occupation::kSelfEmployed
                         : r < 90 ? Occupation::kSalariedPrivate
                                  : Occupation::kUnemployed;
        }
      } else {
        // Female labour force participation ~30-37% (PLFS), far lower in towns.
        if (urban_) {
          p.occupation = r < 75   ? Occupation::kHomemaker
                         : r < 85 ? Occupation::kSalariedPrivate
                         : r < 93 ? Occupation::kSelfEmployed
                         : r < 97 ? Occupation::kCasualLabourer
                                  : Occupation::kUnemployed;
        } else {
          p.occupation =
              r < 62   ? Occupation::kHomemaker
              : r < 80 ? (land_ares_ > 0 ? Occupation::kCultivator : Occupation::kAgriLabourer)
              : r < 91 ? Occupation::kAgriLabourer
              : r < 95 ? Occupation::kCasualLabourer
              : r < 98 ? Occupation::kSelfEmployed
                       : Occupation::kSalariedPrivate;
        }
      }
      if (p.occupation == Occupation::kSalariedPrivate) extra += rng_.Range(300, 1'500) * 100;
      continue;
    }
    // 60 and over: a few retired government servants with a pension; some retired from
    // private jobs; many still farming or working; the rest at home.
    if (rng_.Chance(male ? 45'000 : 10'000)) {
      p.occupation = Occupation::kRetired;
      p.pensioner = rng_.Chance(950'000);
      if (p.pensioner) {
        extra += rng_.Range(1'200, 4'000) * 100;
        government_income = true;
      }
      continue;
    }
    const int r = rng_.Range(0, 99);
    if (male) {
      p.occupation = age >= 75 ? (r < 70 ? Occupation::kRetired : Occupation::kUnemployed)
                     : r < 40
                         ? (land_ares_ > 0 ? Occupation::kCultivator : Occupation::kAgriLabourer)
                     : r < 50 ? Occupation::kSelfEmployed
                     : r < 80 ? Occupation::kRetired
                              : Occupation::kUnemployed;
    } else {
      p.occupation = r < 72 ? Occupation::kHomemaker
                     : r < 82
                         ? (land_ares_ > 0 ? Occupation::kCultivator : Occupation::kAgriLabourer)
                         : Occupation::kRetired;
      // Family pension after a government servant's death.
      if (p.marital == Marital::kWidowed && rng_.Chance(20'000)) {
        p.pensioner = true;
        extra += rng_.Range(900, 2'400) * 100;
        government_income = true;
      }
    }
  }

  // Income: interpolate the quantile table at the rank, add salaries and pensions, and round
  // to the nearest Rs 1,000 as people declare it.
  const uint32_t segment = rank >> 25;            // 0..127
  const uint64_t frac = rank & ((1u << 25) - 1);  // position inside the segment
  const int64_t lo = kIncomeQuantile[segment];
  const int64_t hi = kIncomeQuantile[segment + 1];
  int64_t income = lo + static_cast<int64_t>((static_cast<uint64_t>(hi - lo) * frac) >> 25);
  // The table's median is Rs 1 lakh; scaled down because the skews above and the salaries
  // and pensions below raise it back to about Rs 1 lakh.
  income = income * kIncomeScalePercent / 100 + extra;
  income = (income + 500) / 1000 * 1000;
  income_rupees_ = std::max<int64_t>(income, 1000);

  // Ration card (NFSA covers ~75% rural and 50% urban people; AAY the poorest ~10%), mostly
  // consistent with income, with a little of the inclusion and exclusion error seen in
  // practice.
  const int r = rng_.Range(0, 99);
  if (income_rupees_ < 40'000) {
    ration_card_ = r < 65 ? RationCard::kAAY : r < 97 ? RationCard::kBPL : RationCard::kNone;
  } else if (income_rupees_ < 120'000) {
    ration_card_ = r < 85 ? RationCard::kBPL : r < 97 ? RationCard::kAPL : RationCard::kNone;
  } else if (income_rupees_ < 400'000) {
    ration_card_ = r < 82 ? RationCard::kAPL : r < 95 ? RationCard::kNone : RationCard::kBPL;
  } else {
    ration_card_ = r < 80 ? RationCard::kNone : RationCard::kAPL;
  }
  // A government salary or pension excludes a household from priority cards.
  if (government_income && (ration_card_ == RationCard::kAAY || ration_card_ == RationCard::kBPL)) {
    ration_card_ = RationCard::kAPL;
  }

  // Housing (NFHS-5: ~60% pucca, ~34% semi-pucca, ~6% kutcha; towns better housed).
  const int h = rng_.Range(0, 99);
  if (urban_) {
    house_type_ = h < 85 ? HouseType::kPucca : h < 98 ? HouseType::kSemiPucca : HouseType::kKutcha;
  } else if (rank < (1u << 30) - (1u << 28)) {  // bottom ~19%
    house_type_ = h < 30 ? HouseType::kKutcha : h < 85 ? HouseType::kSemiPucca : HouseType::kPucca;
  } else if (rank < (1u << 31) + (1u << 28)) {  // up to ~56%
    house_type_ = h < 8 ? HouseType::kKutcha : h < 60 ? HouseType::kSemiPucca : HouseType::kPucca;
  } else {
    house_type_ = h < 2 ? HouseType::kKutcha : h < 30 ? HouseType::kSemiPucca : HouseType::kPucca;
  }
  // LPG connections (Ujjwala brought rural coverage up; ~90% in towns).
  lpg_ = rng_.Chance(urban_ ? 920'000 : people_.size() == 1 ? 500'000 : 720'000);
  // Verification level of the record.
  const int v = rng_.Range(0, 99);
  verification_ = v < 40 ? 0 : v < 65 ? 1 : v < 95 ? 2 : 3;
}

// Disability (Census 2011: 2.21% of people; more among the old).
void Generator::Impl::DrawMemberAttributes() {
  for (Person& p : people_) {
    if (p.planted) continue;
    const uint32_t disabled_ppm = p.age < 18 ? 10'000 : p.age < 60 ? 22'000 : 70'000;
    p.disability_percent = 0;
    if (rng_.Chance(disabled_ppm)) {
      const int r = rng_.Range(0, 99);
      p.disability_percent = static_cast<uint8_t>(r < 45   ? rng_.Range(40, 59)
                                                  : r < 75 ? rng_.Range(60, 79)
                                                           : rng_.Range(80, 100));
      // Severe disability usually means no work.
      if (p.disability_percent >= 80 && IsAdultOccupationAge(p.age) &&
          p.occupation != Occupation::kGovernmentEmployee && p.occupation != Occupation::kStudent &&
          rng_.Chance(700'000)) {
        p.occupation = Occupation::kUnemployed;
      }
    } else if (rng_.Chance(4'000)) {
      p.disability_percent = static_cast<uint8_t>(rng_.Range(10, 39));  // below the 40% benchmark
    }
  }
}

// Copies a remembered person, with a variant spelling and without national ID, phone or bank
// account, into the household being built: alone, or as "other" in a new family.
void Generator::Impl::PlantCopy(const Copyable& c, bool alone) {
  if (!alone && static_cast<int>(people_.size()) >= kMaxMembers) people_.pop_back();
  Person p;
  p.planted = true;
  p.sex = c.sex;
  p.dob_days = c.dob_days;
  p.age = static_cast<int16_t>(internal::CompletedYears(CivilFromDays(c.dob_days), as_of_));
  p.marital = c.marital;
  p.occupation = c.occupation;
  p.disability_percent = c.disability_percent;
  p.pensioner = c.pensioner;
  p.first = c.first;
  p.last = c.last;
  p.name_local = rng_.Chance(600'000);
  std::string original(c.first->latin);
  if (c.last != nullptr) {
    original.push_back(' ');
    original.append(c.last->latin);
  }
  planted_name_ = internal::MakeNameVariant(original, rng_);
  people_.push_back(p);
}

// Remembers one adult of this household as a candidate for a later near-duplicate.
void Generator::Impl::Remember() {
  int adults = 0;
  for (const Person& p : people_) adults += p.age >= 18 && !p.planted;
  if (adults == 0) return;
  int pick = static_cast<int>(rng_.Below(static_cast<uint64_t>(adults)));
  for (const Person& p : people_) {
    if (p.age < 18 || p.planted) continue;
    if (pick-- > 0) continue;
    const Copyable c{p.first,    p.last,    p.sex,        p.dob_days,
                     village_,   p.marital, p.occupation, p.disability_percent,
                     p.pensioner};
    if (static_cast<int>(reservoir_.size()) < kReservoirSize) {
      reservoir_.push_back(c);
    } else {
      reservoir_[rng_.Below(kReservoirSize)] = c;  // replaces a remembered person at random
    }
    return;
  }
}

bool Generator::Impl::Next(std::string* out) {
  if (households_written_ >= options_.households) return false;
  people_.clear();
  unit_count_ = 0;
  main_wife_ = -1;
  natal_unit_ = -1;

  // A planted near-duplicate? Selection sampling: exactly duplicates_target_ of the households
  // are chosen, at random positions, once a person to copy is available.
  bool plant = false;
  if (!reservoir_.empty() && duplicates_planted_ < duplicates_target_) {
    const uint64_t remaining = static_cast<uint64_t>(options_.households - households_written_);
    plant = rng_.Below(remaining) < static_cast<uint64_t>(duplicates_target_ - duplicates_planted_);
  }
  Copyable copy{};
  bool alone = true;
  if (plant) {
    // Taken out of the reservoir: a person is copied at most once.
    const size_t pick = rng_.Below(reservoir_.size());
    copy = reservoir_[pick];
    reservoir_[pick] = reservoir_.back();
    reservoir_.pop_back();
    alone = rng_.Chance(700'000);
    village_ = copy.village;
  } else {
    // A village chosen by weight.
    const uint64_t x = rng_.Below(places_.cumulative.back());
    village_ = static_cast<int32_t>(
        std::upper_bound(places_.cumulative.begin(), places_.cumulative.end(), x) -
        places_.cumulative.begin());
  }
  urban_ = places_.places[places_.villages[village_]].urban;

  // Social group (Census 2011: SC 16.6%, ST 8.6% nationally; this state is given 13% ST as in
  // Rajasthan-like states; OBC ~45% and general ~25% as in NSS estimates). About 12% of
  // households are Muslim, mostly OBC or general.
  static constexpr uint16_t kCaste[] = {17, 13, 45, 25};
  caste_ = static_cast<Caste>(rng_.Pick(kCaste));
  community_ = Community::kHindu;
  if ((caste_ == Caste::kOBC && rng_.Chance(160'000)) ||
      (caste_ == Caste::kGEN && rng_.Chance(190'000))) {
    community_ = Community::kMuslim;
  }
  if (community_ == Community::kMuslim) {
    pool_ = SurnamePool::kMuslim;
  } else if (rng_.Chance(250'000)) {
    pool_ = SurnamePool::kCommon;
  } else {
    pool_ = static_cast<SurnamePool>(static_cast<int>(caste_));
  }
  {
    const auto pool = internal::Surnames(pool_);
    surname_ = &pool[rng_.Below(pool.size())];
    // Later draws of the mother's own surname use the caste pool, not the common one.
    if (pool_ == SurnamePool::kCommon) pool_ = static_cast<SurnamePool>(static_cast<int>(caste_));
  }

  if (!(plant && alone)) {
    // Household types (Census 2011 / NFHS-5: ~4% one-person households; mean size ~4.6).
    const int r = rng_.Range(0, 9999);
    const int single_adult = urban_ ? 360 : 120;
    if (plant) {
      BuildFamily();  // a copy joins a family
    } else if (r < 170) {
      BuildSingleElderly();
    } else if (r < 170 + single_adult) {
      BuildSingleAdult();
    } else if (r < 170 + single_adult + 15) {
      BuildOrphanedSiblings();
    } else {
      BuildFamily();
    }
    DrawBirthDates();
  }
  if (plant) {
    PlantCopy(copy, alone);
    ++duplicates_planted_;
  }
  ChooseHead();
  OrderMembers();
  DrawNames();
  DrawEconomy();
  DrawMemberAttributes();
  Write(out);
  if (!plant) Remember();
  ++households_written_;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Writing.

// `body` as `digits` digits followed by its Verhoeff check digit, quoted.
void Generator::Impl::WriteId(uint64_t body, int digits) {
  char text[24];
  for (int i = digits - 1; i >= 0; --i) {
    text[i] = static_cast<char>('0' + body % 10);
    body /= 10;
  }
  text[digits] = static_cast<char>('0' + VerhoeffCheckDigit(std::string_view(text, digits)));
  buffer_.Char('"');
  buffer_.Raw(std::string_view(text, static_cast<size_t>(digits) + 1));
  buffer_.Char('"');
}

// The Latin name without quotes. Table entries are plain letters (names_test checks), so they
// are copied; a planted variant is escaped all the same.
void Generator::Impl::WriteName(const Person& p) {
  if (p.planted) {
    buffer_.Escaped(planted_name_);
    return;
  }
  buffer_.Raw(p.first->latin);
  if (p.last != nullptr) {
    buffer_.Char(' ');
    buffer_.Raw(p.last->latin);
  }
}

void Generator::Impl::WriteMember(const Person& p) {
  const bool adult = p.age >= 18;
  buffer_.Char('{');
  if (options_.emit_ids) {
    buffer_.Literal("\"member_id\":");
    WriteId(1'000'000'000ull + member_ids_(static_cast<uint64_t>(members_written_)), 10);
    buffer_.Char(',');
  }
  buffer_.Literal("\"name\":\"");
  WriteName(p);
  if (p.name_local) {
    buffer_.Literal("\",\"name_local\":\"");
    buffer_.Raw(p.first->local);
    if (p.last != nullptr) {
      buffer_.Char(' ');
      buffer_.Raw(p.last->local);
    }
  }
  buffer_.Literal("\",\"dob\":\"");
  buffer_.Date(CivilFromDays(p.dob_days));
  if (p.sex == Sex::kFemale) {
    buffer_.Literal("\",\"sex\":\"F\",\"relationship\":\"");
  } else {
    buffer_.Literal("\",\"sex\":\"M\",\"relationship\":\"");
  }
  buffer_.Raw(kRelationshipJson[static_cast<int>(p.relationship)]);
  buffer_.Char('"');
  ++members_written_;

  if (!p.planted) {
    // National ID (Aadhaar saturation ~94%: near-universal for adults, lower for infants).
    const bool head = p.relationship == Relationship::kHead;
    const uint32_t id_ppm = head ? 995'000 : p.age < 5 ? 700'000 : 985'000;
    if (rng_.Chance(id_ppm)) {
      buffer_.Literal(",\"national_id\":");
      WriteId(20'000'000'000ull + national_ids_(static_cast<uint64_t>(national_ids_issued_++)), 11);
    }
    // Phone (~70% of adults: more men than women have their own).
    if (adult) {
      const uint32_t phone_ppm = head ? 900'000 : p.sex == Sex::kMale ? 700'000 : 380'000;
      if (rng_.Chance(phone_ppm)) {
        buffer_.Literal(",\"phone\":\"");
        buffer_.Digits(6'000'000'000ull + phones_(static_cast<uint64_t>(phones_issued_++)), 10);
        buffer_.Char('"');
      }
    }
    // Bank account (Findex 2021: 78% of adults; the head's is required; a few minors).
    const uint32_t bank_ppm = head ? 960'000 : adult ? 730'000 : p.age >= 10 ? 80'000 : 0;
    if (bank_ppm > 0 && rng_.Chance(bank_ppm)) {
      const int bank = rng_.Pick(kBankWeight);
      const Bank& b = kBanks[bank];
      // Three branches of each bank per block.
      const uint64_t branch =
          Mix(options_.seed + static_cast<uint64_t>(bank),
              static_cast<uint64_t>(places_.village_block[village_]) * 4 + rng_.Below(3)) %
          1'000'000;
      buffer_.Literal(",\"bank_account\":{\"ifsc\":\"");
      buffer_.Raw(b.code);
      buffer_.Char('0');
      if (bank == kIpos) {
        buffer_.Literal("000001");
      } else if (bank == kSpgb) {
        buffer_.Literal("SPG");
        buffer_.Digits(branch % 1000, 3);
      } else {
        buffer_.Digits(branch, 6);
      }
      buffer_.Literal("\",\"account_number\":\"");
      buffer_.Char(b.lead);
      buffer_.Digits(branch % 100'000'000, b.account_digits - 10);
      buffer_.Digits(accounts_(static_cast<uint64_t>(accounts_issued_++)), 9);
      buffer_.Literal("\",\"holder_name\":\"");
      if (p.last != nullptr && rng_.Chance(15'000)) {
        // The bank's record has an initial for the first name: a "name mismatch" in waiting.
        buffer_.Char(p.first->latin[0]);
        buffer_.Char(' ');
        buffer_.Raw(p.last->latin);
      } else {
        WriteName(p);
      }
      buffer_.Literal("\"}");
    }
  }

  buffer_.Literal(",\"attributes\":{\"marital_status\":\"");
  buffer_.Raw(kMaritalJson[static_cast<int>(p.marital)]);
  buffer_.Literal("\",\"occupation\":\"");
  buffer_.Raw(kOccupationJson[static_cast<int>(p.occupation)]);
  buffer_.Literal("\",\"disability_percent\":");
  buffer_.Int(p.disability_percent);
  if (p.school_enrolled) {
    buffer_.Literal(",\"school_enrolled\":true");
  } else {
    buffer_.Literal(",\"school_enrolled\":false");
  }
  if (p.pensioner) {
    buffer_.Literal(",\"is_government_pensioner\":true}}");
  } else {
    buffer_.Literal(",\"is_government_pensioner\":false}}");
  }
}

void Generator::Impl::Write(std::string* out) {
  // Room for the household's own fields; each member makes room for itself.
  const std::string& address = places_.address_json[village_];
  buffer_.Reserve(out, address.size() + 1024);
  buffer_.Char('{');
  if (options_.emit_ids) {
    buffer_.Literal("\"family_id\":");
    WriteId(100'000'000ull + family_ids_(static_cast<uint64_t>(households_written_)), 9);
    buffer_.Char(',');
  }
  buffer_.Raw(address);
  buffer_.Literal(",\"attributes\":{\"income_annual\":");
  buffer_.Int(income_rupees_ * 100);
  buffer_.Literal(",\"caste_category\":\"");
  buffer_.Raw(kCasteJson[static_cast<int>(caste_)]);
  buffer_.Literal("\",\"ration_card\":\"");
  buffer_.Raw(kRationCardJson[static_cast<int>(ration_card_)]);
  buffer_.Literal("\",\"land_holding_ares\":");
  buffer_.Int(land_ares_);
  if (urban_) {
    buffer_.Literal(",\"residence\":\"urban\",\"house_type\":\"");
  } else {
    buffer_.Literal(",\"residence\":\"rural\",\"house_type\":\"");
  }
  buffer_.Raw(kHouseTypeJson[static_cast<int>(house_type_)]);
  if (lpg_) {
    buffer_.Literal("\",\"has_lpg_connection\":true},\"members\":[");
  } else {
    buffer_.Literal("\",\"has_lpg_connection\":false},\"members\":[");
  }
  const int n = static_cast<int>(people_.size());
  for (int i = 0; i < n; ++i) {
    // A member is well under 2 KB even with a planted name escaped at worst.
    buffer_.Reserve(out, 4096);
    if (i > 0) buffer_.Char(',');
    WriteMember(people_[order_[i]]);
  }
  buffer_.Reserve(out, 256);
  buffer_.Literal("],\"provenance\":{\"source\":\"sim\",\"as_of\":\"");
  buffer_.Raw(as_of_text_);
  buffer_.Literal("\",\"verification\":\"");
  buffer_.Raw(kVerificationJson[verification_]);
  buffer_.Literal("\"}}\n");
  buffer_.MoveTo(out);
}

// ---------------------------------------------------------------------------------------------
// Generator and WriteFile.

Generator::Generator(GeneratorOptions options) : impl_(std::make_unique<Impl>(options)) {}
Generator::~Generator() = default;
Generator::Generator(Generator&&) noexcept = default;
Generator& Generator::operator=(Generator&&) noexcept = default;

bool Generator::Next(std::string* out) { return impl_->Next(out); }
const GeneratorOptions& Generator::options() const { return impl_->options_; }
int64_t Generator::households_written() const { return impl_->households_written_; }
int64_t Generator::members_written() const { return impl_->members_written_; }
int64_t Generator::duplicates_planted() const { return impl_->duplicates_planted_; }
const std::vector<Place>& Generator::places() const { return impl_->places_.places; }

namespace {

Status IoError(const std::string& what, const std::string& path, int err) {
  std::string message = what + " " + path + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return NotFoundError(std::move(message));
    case EACCES:
    case EPERM:
    case EROFS:
      return PermissionDeniedError(std::move(message));
    case ENOSPC:
    case EDQUOT:
      return ResourceExhaustedError(std::move(message));
    default:
      return UnavailableError(std::move(message));
  }
}

}  // namespace

Status WriteFile(const GeneratorOptions& options, const std::string& path,
                 std::function<void(int64_t done)> progress) {
  RETURN_IF_ERROR(ValidateOptions(options));
  const bool to_stdout = path == "-";
  std::FILE* file = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
  if (file == nullptr) return IoError("cannot open", path, errno);
  Generator generator(options);
  std::string buffer;
  constexpr size_t kFlushAt = 1 << 20;
  buffer.reserve(kFlushAt + (64 << 10));
  Status status;
  auto flush = [&] {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), file) != buffer.size()) {
      status = IoError("cannot write", path, errno);
    }
    buffer.clear();
  };
  while (status.ok() && generator.Next(&buffer)) {
    if (buffer.size() >= kFlushAt) flush();
    const int64_t done = generator.households_written();
    if (progress && done % 10'000 == 0) progress(done);
  }
  if (status.ok()) flush();
  if (status.ok() && progress && generator.households_written() % 10'000 != 0) {
    progress(generator.households_written());
  }
  if (to_stdout) {
    if (std::fflush(file) != 0 && status.ok()) status = IoError("cannot write", path, errno);
  } else if (std::fclose(file) != 0 && status.ok()) {
    status = IoError("cannot close", path, errno);
  }
  return status;
}

}  // namespace spode::sim
