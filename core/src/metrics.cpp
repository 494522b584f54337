#include "cartsim/core/metrics.hpp"

#include <array>
#include <utility>

namespace cartsim {
namespace {
constexpr std::array<std::pair<MetricKind, std::string_view>, 9> kind_names{{
    {MetricKind::max, "max"},
    {MetricKind::argmax, "argmax"},
    {MetricKind::min, "min"},
    {MetricKind::auc, "auc"},
    {MetricKind::value_at, "value_at"},
    {MetricKind::final, "final"},
    {MetricKind::first_above, "first_above"},
    {MetricKind::first_below, "first_below"},
    {MetricKind::last_above, "last_above"},
}};
}  // namespace

bool parse_metric_kind(std::string_view text, MetricKind& kind) {
  for (const auto& [k, name] : kind_names) {
    if (name == text) {
      kind = k;
      return true;
    }
  }
  return false;
}

std::string_view to_string(MetricKind kind) {
  for (const auto& [k, name] : kind_names) {
    if (k == kind) {
      return name;
    }
  }
  return "unknown";
}

std::vector<std::string> metric_kind_names() {
  std::vector<std::string> names;
  for (const auto& entry : kind_names) {
    names.emplace_back(entry.second);
  }
  return names;
}

bool metric_uses_window(MetricKind k) {
  return k == MetricKind::auc;
}
bool metric_uses_time(MetricKind k) {
  return k == MetricKind::value_at;
}
bool metric_uses_level(MetricKind k) {
  return k == MetricKind::first_above || k == MetricKind::first_below ||
         k == MetricKind::last_above;
}
bool metric_is_time(MetricKind k) {
  return k == MetricKind::argmax || metric_uses_level(k);
}

}  // namespace cartsim
