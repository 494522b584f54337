#pragma once
// From a validated Scenario to numbers: bind the model, build the initial-value problem and its
// events from the protocol, solve, and collect the time series and metrics of each sample.
#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

#include "cartsim/core/agent_model.hpp"
#include "cartsim/core/model.hpp"
#include "cartsim/core/random.hpp"
#include "cartsim/core/recorders.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/solvers/solver.hpp"

namespace cartsim {

/// A scenario bound to its model: everything a sample needs, immutable and shareable by threads.
struct RunPlan {
  std::shared_ptr<const OdeModel> model;
  Problem problem;  ///< parameters, initial state, time span and protocol events
  std::vector<ProtocolStep> protocol;  ///< the scenario's steps (rebuilt when a sample varies one)
  std::vector<std::pair<std::size_t, double>> initial_overrides;  ///< (state, value) from the scenario
  std::string file;  ///< scenario file, for messages
  std::vector<double> output_times;
  std::vector<VariableRef> columns;
  std::vector<MetricSpec> metrics;
  SolverSettings solver;
};

/// Throws ConfigError (pointing into the scenario) when the model rejects the combination of values.
RunPlan make_plan(const Scenario& scenario);

/// The outcome of one sample.
struct SampleResult {
  std::size_t sample = 0;
  bool ok = true;
  std::string message;      ///< empty when ok; the error's text otherwise
  SolveStats stats;
  std::size_t rows = 0;     ///< time-series rows written (fewer than the grid after a stop)
  Eigen::MatrixXd series;   ///< rows x columns
  std::vector<double> metrics;
  /// Agent-based models only: the distributions the run ends with (e.g. VCN per cell).
  std::vector<Histogram> distributions;
};

/// Runs samples of one plan with one reusable solver (one Simulator per thread).
class Simulator {
 public:
  /// `seed` keys the random streams of stochastic events (with the sample and replicate).
  Simulator(const RunPlan& plan, std::uint64_t seed);
  /// Solve the plan's problem with `inputs` written into it. A solver or model failure (including
  /// an input the model rejects, e.g. a sampled parameter out of range) is caught and returned as
  /// a failed sample; other exceptions propagate.
  SampleResult run(std::size_t sample, std::size_t replicate = 0,
                   std::span<const Assignment> inputs = {});

 private:
  void prepare(std::span<const Assignment> inputs);

  const RunPlan& plan_;
  std::uint64_t seed_;
  Problem problem_;  // the plan's problem with this sample's inputs and random stream
  bool events_changed_ = false;
  RandomStream random_;
  std::unique_ptr<Solver> solver_;
  GridRecorder grid_;
  MetricRecorder metrics_;
};

}  // namespace cartsim
