#pragma once
// From a validated Scenario to numbers: bind the model, build the initial-value problem and its
// events from the protocol, solve, and collect the time series and metrics of each sample.
#include <Eigen/Core>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cartsim/core/agent_model.hpp"
#include "cartsim/core/model.hpp"
#include "cartsim/core/random.hpp"
#include "cartsim/core/recorders.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/solvers/solver.hpp"

namespace cartsim {

struct ChainPlan;

/// A scenario bound to its model: everything a sample needs, immutable and shareable by threads.
struct RunPlan {
  std::shared_ptr<const Model> model;
  Problem problem;                     ///< parameters, initial state, time span and protocol events
  std::vector<ProtocolStep> protocol;  ///< the scenario's steps (rebuilt when a sample varies one)
  std::vector<std::pair<std::size_t, double>>
      initial_overrides;  ///< (state, value) from the scenario
  std::string file;       ///< scenario file, for messages
  std::vector<double> output_times;
  std::vector<VariableRef> columns;
  std::vector<MetricSpec> metrics;
  SolverSettings solver;
  /// A vein-to-vein chain: the two halves' plans. The fields above are then the patient's, except
  /// `metrics`, the chain's summary columns (product.*, manufacturing.*, patient.*).
  std::shared_ptr<const ChainPlan> chain;
};

/// The plans of a chain's halves and how the product is read and dosed.
struct ChainPlan {
  RunPlan manufacturing;  ///< its metrics end with the hidden product read-outs (kind final)
  RunPlan patient;
  ProductRules product;
  std::size_t manufacturing_metrics = 0;  ///< the scenario's own manufacturing metrics (first)
  std::size_t patient_metrics = 0;
  std::vector<std::size_t> infuse_steps;
  std::size_t infuse_cells_per_kg = 0, infuse_cells = 0, infuse_memory_fraction = 0, infuse_vcn = 0,
              infuse_weight_band = 0;               ///< setting indices of `infuse`
  std::size_t body_weight = 0;                      ///< patient parameter body_weight_kg
  std::optional<std::size_t> manufacturing_weight;  ///< manufacturing patient_weight_kg, if any
};

/// Summary columns of the product, first in a chain's metrics.
const std::vector<MetricSpec>& product_columns();

/// What an agent-based model's simulate() gets for `problem` (its time span, state, parameters
/// and scheduled events, viewed, not copied: `problem` must outlive the input) with the agents'
/// random stream of (seed, sample, replicate).
AgentRunInput agent_run_input(const Problem& problem, std::uint64_t seed, std::uint64_t sample,
                              std::uint64_t replicate);

/// Throws ConfigError (pointing into the scenario) when the model rejects the combination of
/// values.
RunPlan make_plan(const Scenario& scenario);

/// The outcome of one sample.
struct SampleResult {
  std::size_t sample = 0;
  bool ok = true;
  std::string message;  ///< empty when ok; the error's text otherwise (or why not infused)
  std::string status;   ///< empty: "ok" or "failed" by `ok`; else e.g. "not_infused" (ok)
  SolveStats stats;
  std::size_t rows = 0;    ///< time-series rows written (fewer than the grid after a stop)
  Eigen::MatrixXd series;  ///< rows x columns
  std::vector<double> metrics;
  /// Agent-based models only: the distributions the run ends with (e.g. VCN per cell). In a chain,
  /// the manufacturing half's (at harvest).
  std::vector<Histogram> distributions;
  /// A chain only: the manufacturing half's time series (`rows` and `series` are the patient's),
  /// on the manufacturing plan's output grid and columns. Kept for failed and not-infused samples.
  std::size_t manufacturing_rows = 0;
  Eigen::MatrixXd manufacturing_series;
};

/// Runs samples of one plan; one per thread, reused from sample to sample.
class SampleRunner {
 public:
  virtual ~SampleRunner() = default;
  virtual SampleResult run(std::size_t sample, std::size_t replicate,
                           std::span<const Assignment> inputs) = 0;
  /// run() into `out`, reusing its storage where the runner can: a sweep keeps one result per
  /// buffer slot, so a population allocates nothing per sample for its series (and no thread frees
  /// what another allocated).
  virtual void run_into(std::size_t sample, std::size_t replicate,
                        std::span<const Assignment> inputs, SampleResult& out) {
    out = run(sample, replicate, inputs);
  }
};

/// A Simulator, or a ChainSimulator for a chain's plan.
std::unique_ptr<SampleRunner> make_sample_runner(const RunPlan& plan, std::uint64_t seed);

/// Runs samples of one plan with one reusable solver (one Simulator per thread).
class Simulator final : public SampleRunner {
 public:
  /// `seed` keys the random streams of stochastic events (with the sample and replicate).
  Simulator(const RunPlan& plan, std::uint64_t seed);
  /// Solve the plan's problem with `inputs` written into it. A solver or model failure (including
  /// an input the model rejects, e.g. a sampled parameter out of range) is caught and returned as
  /// a failed sample; other exceptions propagate.
  SampleResult run(std::size_t sample, std::size_t replicate = 0,
                   std::span<const Assignment> inputs = {}) override;
  void run_into(std::size_t sample, std::size_t replicate, std::span<const Assignment> inputs,
                SampleResult& out) override;

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

/// Runs a chain: the manufacturing half, the product and dose, then the patient half (whose
/// infuse steps receive the product). A release failure not infused is an ok sample with status
/// "not_infused" and NA patient metrics; a failure of either half fails the sample.
class ChainSimulator final : public SampleRunner {
 public:
  ChainSimulator(const RunPlan& plan, std::uint64_t seed);
  SampleResult run(std::size_t sample, std::size_t replicate,
                   std::span<const Assignment> inputs) override;

 private:
  const RunPlan& plan_;
  const ChainPlan& chain_;
  Simulator manufacturing_;
  Simulator patient_;
  std::vector<Assignment> manufacturing_inputs_, patient_inputs_;
};

}  // namespace cartsim
