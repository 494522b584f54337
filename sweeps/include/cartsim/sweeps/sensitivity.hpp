#pragma once
// Global sensitivity analysis of summary metrics (the `sensitivity:` section; see SensitivitySpec).
//
// Sobol: Saltelli's design (Saltelli et al., Comput Phys Commun 2010;181:259-270). Row j of the
// base matrices A and B is point j of a 2d-dimensional Sobol sequence (A its first d coordinates,
// B the last d); AB_i is A with column i taken from B. Runs are ordered A (N rows), B, AB_1 ...
// AB_d. Jansen's estimators (Jansen, Comput Phys Commun 1999;117:35-43):
//   V    = variance of f over the 2N runs of A and B
//   S_i  = [V - (1/2N) sum_j (f(B)_j - f(AB_i)_j)^2] / V
//   ST_i = (1/2N) sum_j (f(A)_j - f(AB_i)_j)^2 / V
// Confidence intervals: bootstrap over the rows j (percentile intervals).
// Morris: r trajectories on a p-level grid (Morris, Technometrics 1991;33:161-174), step
// Delta = p / (2 (p - 1)), base points in {0, 1/(p-1), ..., 1 - Delta}, factors moved by +Delta in
// a random order; elementary effects EE_i = (f(x + Delta e_i) - f(x)) / Delta, reported as mu,
// mu* = mean |EE| (Campolongo et al. 2007) and sigma. Coordinates are quantiles of the factors'
// distributions, so effects are per unit of probability.
// Every random choice is keyed by the scenario's seed: results are the same for any thread count.
#include <filesystem>
#include <string>
#include <vector>

#include "cartsim/simulation/scenario.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"

namespace cartsim {

class SensitivityDesign final : public InputSource {
 public:
  explicit SensitivityDesign(const Scenario& scenario);
  std::size_t samples() const override;
  const std::vector<std::string>& columns() const override { return columns_; }
  void generate(std::size_t s, std::vector<Assignment>& assignments,
                std::vector<double>& values) const override;

  const SensitivitySpec& spec() const { return spec_; }

 private:
  void unit_point(std::size_t s, std::vector<double>& u) const;

  const SensitivitySpec& spec_;
  std::uint64_t seed_;
  std::vector<std::string> columns_;
};

/// One row of sensitivity.csv.
struct SensitivityIndex {
  std::string metric;
  std::string factor;
  // sobol
  double first = 0.0, first_low = 0.0, first_high = 0.0;
  double total = 0.0, total_low = 0.0, total_high = 0.0;
  // morris
  double mu = 0.0, mu_star = 0.0, sigma = 0.0;
};

/// Indices from the metric values of every run (values[run][metric], runs in design order).
std::vector<SensitivityIndex> compute_sensitivity(const Scenario& scenario,
                                                  const std::vector<std::string>& metric_names,
                                                  const std::vector<std::vector<double>>& values);

/// Writes sensitivity.csv atomically.
void write_sensitivity(const std::filesystem::path& dir, SensitivitySpec::Method method,
                       const std::vector<SensitivityIndex>& indices);

}  // namespace cartsim
