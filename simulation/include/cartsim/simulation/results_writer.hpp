#pragma once
// The files of one run, in one output directory (formats in docs/output_reference.md):
//   timeseries.csv  one row per sample and output time, one column per variable
//   summary.csv     one row per sample: status, message, metrics, solver statistics
//   columns.csv     unit and description of every column of the two CSV files
//   run.json        provenance: version, commit, scenario SHA-256, seed, solver, threads, wall time
// CSV files hold no timings, dates or thread counts, so the same scenario and seed give
// byte-identical CSVs. Numbers are written in the shortest form that reads back to the same double;
// NaN is written as NA.
#include <filesystem>
#include <vector>

#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

namespace cartsim {

struct RunProvenance {
  double wall_time_seconds = 0.0;
  int threads = 1;
  std::string started_utc;  ///< ISO 8601
};

/// Writes the four files atomically into `dir` (created if missing).
void write_results(const std::filesystem::path& dir, const Scenario& scenario, const RunPlan& plan,
                   const std::vector<SampleResult>& samples, const RunProvenance& provenance);

/// Text of a double as written in the CSV files.
std::string format_number(double value);

}  // namespace cartsim
