#pragma once
// The files of a run (formats in docs/output_reference.md), written while the samples stream in:
//   timeseries.csv  sample, replicate, time, one column per variable (all, a subset or no samples);
//                   a chain writes the patient's here and the manufacturing half's in
//                   manufacturing_timeseries.csv (same layout, same samples)
//   distributions.csv  an agent-based model's end-of-run histograms (a chain's manufacturing half:
//                   manufacturing_distributions.csv); replicate_summary.csv with replicates
//   summary.csv     one row per sample and replicate: inputs, status, metrics, solver statistics
//   bands.csv       percentiles 5/25/50/75/95 of each variable at each output time over the runs
//   columns.csv     unit and description of every column
//   run.json        provenance: version, commit, scenario SHA-256, seed, solver, threads, wall time
// A shard (`--shard k/N`) writes band_values.bin instead of bands.csv; `cartsim merge` computes the
// bands of the whole. CSVs hold no timings, dates or thread counts: the same scenario and seed give
// byte-identical CSVs. Numbers are in their shortest round-trip form; NaN is NA. Every file is
// written under a temporary name and renamed when complete; run.json comes last.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cartsim/simulation/atomic_file.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"
#include "cartsim/sweeps/sweep_runner.hpp"

namespace cartsim {

/// Which part of the samples a run covers.
struct ShardInfo {
  std::size_t index = 0;  ///< 1-based; 0: not a shard (the whole run)
  std::size_t count = 0;
  std::size_t first_sample = 0;
  std::size_t end_sample = 0;
};

class OutputWriter final : public ResultSink {
 public:
  /// Creates `dir` and opens the streamed files under temporary names.
  OutputWriter(std::filesystem::path dir, const Scenario& scenario, const RunPlan& plan,
               const InputSource& inputs, ShardInfo shard);
  ~OutputWriter() override;
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;
  void consume(const RunRecord& run) override;
  /// Completes and renames every file; run.json last.
  void finish(const SweepStats& stats, const std::string& started_utc);

 private:
  struct Files;
  std::vector<std::string> band_variables() const;
  std::filesystem::path dir_;
  const Scenario& scenario_;
  const RunPlan& plan_;
  const InputSource& inputs_;
  ShardInfo shard_;
  std::unique_ptr<Files> files_;
  std::size_t band_rows_ = 0;
  std::vector<double> band_row_;
  std::string line_;
};

/// bands.csv in `dir` from one or more spill files (a run's, or a merge's shards in order); the
/// spill's columns are times (slow) x variables (fast).
void write_bands(const std::filesystem::path& dir, const std::vector<std::string>& variables,
                 const std::vector<double>& times,
                 const std::vector<std::filesystem::path>& spills);

/// Every file a run or a merge may write besides run.json, in the order run.json lists them. A
/// run deletes the ones it does not rewrite (summary.csv and columns.csv it always does) before it
/// starts, so no file of an earlier run is left looking like this run's.
const std::vector<const char*>& output_file_names();

/// Text of a double as written in the CSV files: shortest round-trip form, NA for NaN.
std::string format_number(double value);
/// A CSV field, quoted when it holds a comma, quote or line break.
std::string csv_quote(const std::string& text);

}  // namespace cartsim
