// Source positions, the limits every rule must stay within, and the one format of a rule error.
//
// Every syntax or type error in a rule is a Status whose message starts with "line:column: "
// (1-based; columns count Unicode code points), names the offending token and says what was
// expected:
//
//   1:11: unknown attribute 'incom' of household; did you mean 'income_annual'?
//   1:20: '&&' needs bool operands, got int
//
// Codes: INVALID_ARGUMENT for a malformed or ill-typed rule; RESOURCE_EXHAUSTED when a rule
// exceeds one of the limits below.
//
// Thread-safety: constants and pure functions.
#ifndef SPODE_RULES_SOURCE_H_
#define SPODE_RULES_SOURCE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spode::rules {

// Limits against abusive or accidental giant rules (docs/rules.md, "Limits").
inline constexpr size_t kMaxSourceBytes = 10 * 1024;  // a rule's source text
inline constexpr int kMaxNestingDepth = 64;           // parentheses, calls and the tree's height
inline constexpr size_t kMaxListElements = 1000;      // elements of one list literal

struct SourcePos {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in Unicode code points
  int offset = 0;  // byte offset into the source

  std::string ToString() const;  // "line:column"
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

// INVALID_ARGUMENT "line:column: message".
Status RuleError(SourcePos pos, std::string_view message);
// RESOURCE_EXHAUSTED "line:column: message".
Status RuleLimitError(SourcePos pos, std::string_view message);

// `text` in single quotes for messages: 'incom'. Control bytes are escaped.
std::string Quoted(std::string_view text);

}  // namespace spode::rules

#endif  // SPODE_RULES_SOURCE_H_
