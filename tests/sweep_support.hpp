#pragma once
// Helpers for tests that run a whole sweep through the output writer: a fresh scratch directory,
// reading a written file, and one call from scenario text to files on disk.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/sweeps/output_files.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"
#include "cartsim/sweeps/sweep_runner.hpp"

namespace cartsim::testing {

/// An empty scratch directory `cartsim_test_<name>` under the system's temporary directory.
inline std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("cartsim_test_" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

/// The whole content of `file` (empty when it does not exist).
inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs scenario `text` into `dir` on `threads` threads, as `cartsim run` would (one shard of it
/// when `shard.index` > 0), and returns the sweep's statistics.
inline SweepStats run_to(const std::string& text, const std::filesystem::path& dir, int threads,
                         ShardInfo shard = {}) {
  const Scenario scenario = parse_scenario(text, "sweep.yaml");
  const RunPlan plan = make_plan(scenario);
  const SampleInputs inputs(scenario, plan);
  SweepOptions options;
  options.threads = threads;
  if (shard.index > 0) {
    shard.first_sample = (shard.index - 1) * inputs.samples() / shard.count;
    shard.end_sample = shard.index * inputs.samples() / shard.count;
    options.first_sample = shard.first_sample;
    options.end_sample = shard.end_sample;
  }
  OutputWriter writer(dir, scenario, plan, inputs, shard);
  const SweepStats stats = run_sweep(scenario, plan, inputs, options, writer);
  writer.finish(stats, "test");
  return stats;
}

}  // namespace cartsim::testing
