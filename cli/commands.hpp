#pragma once
// The cartsim sub-commands. Each returns the process exit code; errors propagate as exceptions to
// main(), which alone maps them to exit codes (0 ok, 1 simulation failure, 2 bad usage or input).
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cartsim/core/model.hpp"

namespace cartsim::cli {

struct RunOptions {
  std::filesystem::path scenario;
  std::filesystem::path output_dir;  ///< empty: results/<scenario name>
  bool quiet = false;
  int threads = 0;      ///< 0: OpenMP's default (OMP_NUM_THREADS or all cores)
  std::string shard;    ///< "k/N" (1 <= k <= N) or empty
  bool report = false;  ///< also write report.html into the output directory
};

/// Raised for bad command-line usage (exit code 2).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int run_command(const RunOptions& options);
int check_command(const std::filesystem::path& scenario);
int models_command();
int solvers_command();
int describe_command(const std::string& model);
/// What `describe` prints about a model (also for models written by users, model_commands.cpp).
void print_model_description(const ModelInfo& info);
int sensitivity_command(const RunOptions& options);
int merge_command(const std::vector<std::filesystem::path>& shards,
                  const std::filesystem::path& output_dir);

}  // namespace cartsim::cli
