#include "cartsim/core/text.hpp"

#include <algorithm>
#include <numeric>

namespace cartsim {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions
  // ("modle" -> "model") each cost 1.
  const std::size_t m = a.size();
  const std::size_t n = b.size();
  std::vector<std::size_t> d((m + 1) * (n + 1));
  auto at = [n, &d](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (n + 1) + j]; };
  for (std::size_t i = 0; i <= m; ++i) {
    at(i, 0) = i;
  }
  for (std::size_t j = 0; j <= n; ++j) {
    at(0, j) = j;
  }
  for (std::size_t i = 1; i <= m; ++i) {
    for (std::size_t j = 1; j <= n; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(m, n);
}

std::string nearest_match(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(name, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Suggest only a near miss: at most about a third of the characters differ, and fewer edits
  // than the shorter name has characters (so 'X' does not suggest 'E').
  const std::size_t longer = std::max(name.size(), best.size());
  const std::size_t shorter = std::min(name.size(), best.size());
  const std::size_t limit = std::max<std::size_t>(1, (longer + 2) / 3);
  return best_distance <= limit && best_distance < shorter ? best : std::string{};
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += separator;
    }
    out += items[i];
  }
  return out;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const std::string best = nearest_match(name, candidates);
  return best.empty() ? std::string{} : "; did you mean '" + best + "'?";
}

std::string unknown_name_message(std::string_view what, std::string_view name,
                                 const std::vector<std::string>& known,
                                 std::string_view list_label) {
  const std::string listed = known.empty() ? std::string("(none)") : join(known);
  const std::string hint = did_you_mean(name, known);
  return "unknown " + std::string(what) + " '" + std::string(name) + "'" + hint +
         (hint.empty() ? "; " : " ") + std::string(list_label) + ": " + listed;
}

}  // namespace cartsim
