// Input checks and small helpers shared by the grievance module's files.
#ifndef SPODE_GRIEVANCE_INTERNAL_UTIL_H_
#define SPODE_GRIEVANCE_INTERNAL_UTIL_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "grievance/intake.h"

namespace spode::grievance::internal {

// Text from a person: UTF-8, 1..max_chars characters, no control characters except line
// breaks and tabs. INVALID_ARGUMENT naming `field`.
Status CheckText(std::string_view text, std::string_view field, size_t max_chars);

// An identifier: 1..max_chars of letters, digits and - _ : . / INVALID_ARGUMENT naming `field`.
Status CheckCode(std::string_view text, std::string_view field, size_t max_chars);

// Who must act, from a re-entry event's detail: "who_acts" (a string such as "bank" or
// "citizen, bank", or an array whose first element acts first) and "bank_code", "bank" (four
// letters) or "ifsc".
// Empty when the detail does not say.
std::optional<PaymentFailure> FailureFromDetail(const nlohmann::json& detail);

}  // namespace spode::grievance::internal

#endif  // SPODE_GRIEVANCE_INTERNAL_UTIL_H_
