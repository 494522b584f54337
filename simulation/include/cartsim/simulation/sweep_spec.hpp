#pragma once
// The `sweep:` section of a scenario as typed structs (schema in docs/scenario_reference.md).
//
// A sweep runs many samples of one scenario. Each sample writes values into the scenario's inputs,
// addressed by path: parameters.NAME, initial_state.NAME, protocol[i].ACTION.SETTING,
// protocol[i].at. Values come from
//   - a design over factors: a full-factorial grid, a Latin hypercube, a Sobol sequence or plain
//     Monte Carlo, and
//   - optionally a virtual population crossed with every design point: subjects with covariates
//     drawn from distributions, covariate rules (expressions), and between-subject variability
//     (log-normal, multiplicative) on chosen inputs,
//   - replicates of each sample for stochastic models (different event streams).
// Sample order: design point (slowest), then subject; replicates are numbered within a sample.
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/expression.hpp"

namespace cartsim {

/// One input of a sample: a value written into the plan before the sample runs. Addressed in
/// scenarios by path (see input_paths.hpp): parameters.NAME, initial_state.NAME,
/// protocol[i].ACTION.SETTING or protocol[i].at; in a chain HALF.PATH and product.SETTING.
struct Assignment {
  enum class Target { parameter, initial_state, protocol_setting, protocol_time };
  /// Which run the input belongs to: the scenario's one model, a half of a vein-to-vein chain
  /// (paths manufacturing.* and patient.*), or the chain's product rules (product.*; `index` is a
  /// ProductRules::Input).
  enum class Stage : unsigned char { model, manufacturing, patient, product };
  Target target = Target::parameter;
  std::size_t index = 0;    ///< parameter or state index; protocol: the step index
  std::size_t setting = 0;  ///< protocol_setting: dose.amount / dilute.factor / set.value are 0;
                            ///< a model action's settings are numbered as declared
  double value = 0.0;
  Stage stage = Stage::model;
};

/// A distribution sampled by inversion from u in (0, 1).
struct Distribution {
  enum class Kind { uniform, log_uniform, normal, lognormal, discrete };
  Kind kind = Kind::uniform;
  double a = 0.0;  ///< uniform, log_uniform: min; normal: mean; lognormal: median
  double b = 0.0;  ///< uniform, log_uniform: max; normal: sd; lognormal: omega (SD of the log)
  std::vector<double> values;                               ///< discrete
  std::vector<double> weights;                              ///< discrete, normalised to sum 1
  double lower = -std::numeric_limits<double>::infinity();  ///< truncation (inclusive)
  double upper = std::numeric_limits<double>::infinity();

  /// The value at probability u in (0, 1) (truncation applied).
  double quantile(double u) const;
  /// Cumulative probability of x, without truncation.
  double cdf(double x) const;
};

/// A swept input of the design.
struct SweepFactor {
  std::string path;
  Assignment target;                         ///< where the value goes (its value is unset)
  std::vector<double> grid_values;           ///< grid design
  std::optional<Distribution> distribution;  ///< the other designs
  InputLocation where;
};

struct Covariate {
  std::string name;  ///< e.g. weight_kg; usable in rules
  Distribution distribution;
  InputLocation where;
};

/// path <- expression of the covariates.
struct CovariateRule {
  std::string path;
  Assignment target;
  Expression expression;
  InputLocation where;
};

/// Between-subject variability: value = typical x exp(eta), eta ~ N(0, omega^2).
struct Variability {
  std::string path;
  Assignment target;
  double omega = 0.0;  ///< SD of eta (from omega2 = omega^2, or cv: omega^2 = ln(1 + cv^2))
  InputLocation where;
};

struct PopulationSpec {
  std::size_t subjects = 0;
  std::vector<Covariate> covariates;
  std::vector<CovariateRule> rules;
  std::vector<Variability> variability;
};

/// The `sensitivity:` section: global sensitivity of summary metrics to uncertain inputs.
///   sobol:  first-order and total Sobol indices, Saltelli's design (matrices A, B and A with
///           column i from B, from a 2d-dimensional Sobol sequence; N (d + 2) runs), Jansen's
///           estimators, bootstrap percentile confidence intervals;
///   morris: elementary effects on a `levels`-level grid, `samples` trajectories (r (d + 1) runs):
///           mu, mu* (mean absolute effect) and sigma, in units of the metric per unit of the
///           factor's quantile (the factor's range mapped to [0, 1]).
struct SensitivitySpec {
  enum class Method { sobol, morris };
  Method method = Method::sobol;
  std::size_t samples = 1024;        ///< sobol: base samples N; morris: trajectories r
  std::size_t levels = 4;            ///< morris grid levels p (even)
  std::size_t bootstrap = 1000;      ///< sobol: bootstrap resamples for the intervals
  double confidence = 0.95;          ///< sobol: interval coverage
  std::vector<std::string> metrics;  ///< metrics analysed; empty: every metric of the scenario
  std::vector<SweepFactor> factors;  ///< each with a distribution
};

enum class Design { single, grid, latin_hypercube, sobol, monte_carlo };

struct SweepSpec {
  Design design = Design::single;
  std::size_t points = 1;      ///< design points (grid: product of the axes; others: `samples`)
  std::size_t replicates = 1;  ///< runs per sample
  std::vector<SweepFactor> factors;
  std::optional<PopulationSpec> population;

  /// Samples = design points x subjects (replicates not counted).
  std::size_t samples() const {
    return points * (population ? population->subjects : std::size_t{1});
  }
  bool is_sweep() const { return samples() > 1 || replicates > 1; }
};

}  // namespace cartsim
