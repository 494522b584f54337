#pragma once
// Small text helpers for messages: nearest-name suggestions and joined lists.
#include <string>
#include <string_view>
#include <vector>

namespace cartsim {

/// Levenshtein distance between a and b.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to `name` by edit distance, or "" when none is reasonably close.
std::string nearest_match(std::string_view name, const std::vector<std::string>& candidates);
/// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");
/// "; did you mean 'x'?" or "" (for appending to a message).
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);
/// "unknown WHAT 'NAME'; did you mean 'X'? LIST_LABEL: a, b, c" (the hint only when one is
/// close; "(none)" for an empty list).
std::string unknown_name_message(std::string_view what, std::string_view name,
                                 const std::vector<std::string>& known,
                                 std::string_view list_label);

}  // namespace cartsim
