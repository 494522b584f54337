#pragma once
// The cartsim sub-commands. Each returns the process exit code; errors propagate as exceptions to
// main(), which alone maps them to exit codes (0 ok, 1 simulation failure, 2 bad usage or input).
#include <filesystem>
#include <string>

namespace cartsim::cli {

struct RunOptions {
  std::filesystem::path scenario;
  std::filesystem::path output_dir;  ///< empty: results/<scenario name>
  bool quiet = false;
};

int run_command(const RunOptions& options);
int check_command(const std::filesystem::path& scenario);
int models_command();
int solvers_command();
int describe_command(const std::string& model);

}  // namespace cartsim::cli
