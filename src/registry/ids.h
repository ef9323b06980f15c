// Family and member IDs: assigned from the registry's internal sequence numbers through a fixed
// permutation (so that consecutive households do not get guessable consecutive IDs), with a
// Verhoeff check digit: a family ID is 9 digits + check (10), a member ID 10 digits + check (11).
#ifndef SPODE_REGISTRY_IDS_H_
#define SPODE_REGISTRY_IDS_H_

#include <cstdint>
#include <string>

namespace spode::registry {

// The family ID for sequence number `n` (n < 10^9); `attempt` > 0 gives alternatives, used when
// a file supplied the first one already.
std::string FamilyIdFor(int64_t n, int attempt = 0);
std::string MemberIdFor(int64_t n, int attempt = 0);

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_IDS_H_
