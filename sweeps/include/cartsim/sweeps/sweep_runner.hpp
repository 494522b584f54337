#pragma once
// Runs the samples of a scenario in parallel (OpenMP across samples, one reusable Simulator per
// thread) and hands the results to a sink strictly in (sample, replicate) order. Every number a
// run produces depends only on (seed, sample, replicate), so the output is bitwise the same for any
// thread count. A failed run is passed on with its status and message; the others go on.
#include <cstddef>
#include <vector>

#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"

namespace cartsim {

/// One finished run, as the sink sees it.
struct RunRecord {
  std::size_t sample = 0;
  std::size_t replicate = 0;
  const std::vector<double>* inputs = nullptr;  ///< values of SampleInputs::columns()
  const SampleResult* result = nullptr;
};

/// Receives every run in run order (sample, then replicate). consume() is called from one of the
/// sweep's threads, not always the caller's, while the others compute later runs; calls never
/// overlap.
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual void consume(const RunRecord& run) = 0;
};

struct SweepOptions {
  int threads = 0;               ///< in all, 0: OpenMP's default. Runs' own parallel regions
                                 ///< (an agent engine) get what the sample threads leave
  std::size_t first_sample = 0;  ///< the part to run: samples [first_sample, end_sample)
  std::size_t end_sample = 0;    ///< 0: to the last sample
  bool progress = false;         ///< progress bar on stderr (samples, rate, ETA)
};

struct SweepStats {
  std::size_t runs = 0;
  std::size_t failed = 0;
  int threads = 1;
  double wall_seconds = 0.0;
};

SweepStats run_sweep(const Scenario& scenario, const RunPlan& plan, const InputSource& inputs,
                     const SweepOptions& options, ResultSink& sink);

}  // namespace cartsim
