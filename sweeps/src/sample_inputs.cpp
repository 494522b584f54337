#include "cartsim/sweeps/sample_inputs.hpp"

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>

#include "cartsim/core/random.hpp"
#include "cartsim/simulation/input_paths.hpp"

namespace cartsim {
namespace {
// Purposes of the sweep's random streams (distinct from RandomPurpose's run-time ones).
constexpr std::uint64_t design_purpose = 101;
constexpr std::uint64_t lhs_permutation_purpose = 102;
constexpr std::uint64_t subject_purpose = 103;

std::size_t column_of(std::vector<std::string>& columns, const std::string& name) {
  const auto it = std::find(columns.begin(), columns.end(), name);
  if (it != columns.end()) {
    return static_cast<std::size_t>(it - columns.begin());
  }
  columns.push_back(name);
  return columns.size() - 1;
}

bool same_target(const Assignment& a, const Assignment& b) {
  return a.target == b.target && a.index == b.index && a.setting == b.setting && a.stage == b.stage;
}
}  // namespace

SampleInputs::SampleInputs(const Scenario& scenario, const RunPlan& plan)
    : spec_(scenario.sweep), plan_(plan), seed_(scenario.seed) {
  for (const auto& f : spec_.factors) {
    factor_column_.push_back(column_of(columns_, f.path));
  }
  if (spec_.population) {
    covariate_column0_ = columns_.size();
    for (const auto& c : spec_.population->covariates) {
      columns_.push_back(c.name);
    }
    for (const auto& r : spec_.population->rules) {
      rule_column_.push_back(column_of(columns_, r.path));
    }
    for (const auto& v : spec_.population->variability) {
      variability_column_.push_back(column_of(columns_, v.path));
    }
  }
  if (spec_.design == Design::latin_hypercube) {
    // One random permutation of the strata per factor (Fisher-Yates on a keyed stream).
    for (std::size_t f = 0; f < spec_.factors.size(); ++f) {
      std::vector<std::size_t> strata(spec_.points);
      for (std::size_t i = 0; i < strata.size(); ++i) {
        strata[i] = i;
      }
      RandomStream rng(RandomKey{seed_, 0, f, lhs_permutation_purpose});
      for (std::size_t i = strata.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(rng.uniform() * static_cast<double>(i));
        std::swap(strata[i - 1], strata[std::min(j, i - 1)]);
      }
      lhs_strata_.push_back(std::move(strata));
    }
  }
}

void SampleInputs::design_point(std::size_t point, std::vector<double>& u) const {
  const std::size_t n = spec_.factors.size();
  u.resize(n);
  if (spec_.design == Design::sobol) {
    boost::random::sobol sequence(n);
    // Boost's sequence already starts after the origin (whose 0 would map to -inf for unbounded
    // laws): seed(k) positions it at its k-th point, 1/2 in every coordinate for k = 0.
    sequence.seed(point);
    for (std::size_t f = 0; f < n; ++f) {
      // Successive calls give the point's coordinates as 64-bit fractions.
      u[f] = std::clamp(static_cast<double>(sequence()) * 0x1.0p-64, 0x1.0p-60, 1.0 - 0x1.0p-53);
    }
    return;
  }
  for (std::size_t f = 0; f < n; ++f) {
    RandomStream rng(RandomKey{seed_, point, f, design_purpose});
    u[f] = spec_.design == Design::latin_hypercube
               ? (static_cast<double>(lhs_strata_[f][point]) + rng.uniform()) /
                     static_cast<double>(spec_.points)
               : rng.uniform();
  }
}

void SampleInputs::generate(std::size_t s, std::vector<Assignment>& assignments,
                            std::vector<double>& values) const {
  assignments.clear();
  values.assign(columns_.size(), std::nan(""));
  const std::size_t subjects = spec_.population ? spec_.population->subjects : 1;
  const std::size_t point = s / subjects;
  const std::size_t subject = s % subjects;

  auto assign = [&](const Assignment& target, double value) {
    for (auto& a : assignments) {
      if (same_target(a, target)) {
        a.value = value;
        return;
      }
    }
    Assignment a = target;
    a.value = value;
    assignments.push_back(a);
  };

  if (spec_.design == Design::grid) {
    std::size_t rest = point;
    for (std::size_t f = spec_.factors.size(); f-- > 0;) {
      const auto& axis = spec_.factors[f].grid_values;
      const double v = axis[rest % axis.size()];
      rest /= axis.size();
      assign(spec_.factors[f].target, v);
      values[factor_column_[f]] = v;
    }
  } else if (spec_.design != Design::single) {
    std::vector<double> u;
    design_point(point, u);
    for (std::size_t f = 0; f < spec_.factors.size(); ++f) {
      const double v = spec_.factors[f].distribution->quantile(u[f]);
      assign(spec_.factors[f].target, v);
      values[factor_column_[f]] = v;
    }
  }
  if (!spec_.population) {
    return;
  }
  const PopulationSpec& pop = *spec_.population;
  RandomStream rng(RandomKey{seed_, subject, 0, subject_purpose});
  std::vector<double> covariates(pop.covariates.size());
  for (std::size_t c = 0; c < pop.covariates.size(); ++c) {
    covariates[c] = pop.covariates[c].distribution.quantile(rng.uniform());
    values[covariate_column0_ + c] = covariates[c];
  }
  for (std::size_t r = 0; r < pop.rules.size(); ++r) {
    const double v = pop.rules[r].expression.evaluate(covariates);
    assign(pop.rules[r].target, v);
    values[rule_column_[r]] = v;
  }
  for (std::size_t k = 0; k < pop.variability.size(); ++k) {
    const Variability& var = pop.variability[k];
    const double eta = var.omega * rng.normal();
    double typical = base_value(plan_, var.target);
    for (const auto& a : assignments) {
      if (same_target(a, var.target)) {
        typical = a.value;
      }
    }
    const double v = typical * std::exp(eta);
    assign(var.target, v);
    values[variability_column_[k]] = v;
  }
}

}  // namespace cartsim
