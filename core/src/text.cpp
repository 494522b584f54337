#include "cartsim/core/text.hpp"

#include <algorithm>
#include <numeric>

namespace cartsim {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = (a[i - 1] == b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
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
  // Suggest only when fewer than half of the characters differ.
  const std::size_t limit = std::max<std::size_t>(1, (std::max(name.size(), best.size()) + 1) / 2);
  return best_distance <= limit ? best : std::string{};
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

std::string unknown_name_message(std::string_view kind, std::string_view name,
                                 const std::vector<std::string>& known) {
  const std::string hint = did_you_mean(name, known);
  return "unknown " + std::string(kind) + " '" + std::string(name) + "'" + hint +
         (hint.empty() ? "; " : " ") + "known " + std::string(kind) + "s: " + join(known);
}

}  // namespace cartsim
