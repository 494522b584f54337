#pragma once
// The inputs of each sample of a sweep, computed from (seed, sample) alone, so any sample can be
// generated on any thread, in any order, with the same result.
//
// Sample s is design point d = s / S and subject j = s % S (S subjects, 1 without a population).
//   design point d: grid (last factor fastest), Latin hypercube (strata permuted per factor),
//                   Sobol (point d of Boost's sequence, which skips the origin), Monte Carlo;
//                   random numbers keyed by (seed, d, factor);
//   subject j:      covariates, then the etas of the variability, keyed by (seed, j), so subject j
//                   is the same person at every design point (common random numbers);
//   then:           factors' values, covariate rules (which override a factor on the same path),
//                   then variability multiplies the value in force by exp(eta).
#include <cstdint>
#include <string>
#include <vector>

#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

namespace cartsim {

/// Where the inputs of each sample come from: a sweep (SampleInputs) or a sensitivity design.
/// generate() must depend on the sample index alone (any thread, any order).
class InputSource {
 public:
  virtual ~InputSource() = default;
  virtual std::size_t samples() const = 0;
  /// Names of the input columns of summary.csv (paths and covariate names).
  virtual const std::vector<std::string>& columns() const = 0;
  /// The assignments of sample s and the value of each input column (same order as columns()).
  virtual void generate(std::size_t s, std::vector<Assignment>& assignments,
                        std::vector<double>& column_values) const = 0;
};

class SampleInputs final : public InputSource {
 public:
  SampleInputs(const Scenario& scenario, const RunPlan& plan);

  std::size_t samples() const override { return spec_.samples(); }
  const std::vector<std::string>& columns() const override { return columns_; }
  void generate(std::size_t s, std::vector<Assignment>& assignments,
                std::vector<double>& column_values) const override;

 private:
  /// The design point's coordinates in (0, 1)^factors (not for grids).
  void design_point(std::size_t point, std::vector<double>& u) const;

  const SweepSpec& spec_;
  const RunPlan& plan_;
  std::uint64_t seed_;
  std::vector<std::string> columns_;
  std::vector<std::vector<std::size_t>> lhs_strata_;  // [factor][point] -> stratum
  std::vector<std::size_t> factor_column_, rule_column_, variability_column_;
  std::size_t covariate_column0_ = 0;
};

}  // namespace cartsim
