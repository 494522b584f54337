#pragma once
// Commands for models written by users: SBML import and export, and describing a file's model.
// Each returns the exit code; errors propagate to main().
#include <filesystem>
#include <string>

namespace cartsim::cli {

struct ModelFileOptions {
  std::filesystem::path input;
  std::filesystem::path output;  ///< empty: standard output
  bool force = false;            ///< replace an existing output file
};

/// SBML file -> model file (YAML). The model is compiled first, so what is written runs.
int import_sbml_command(const ModelFileOptions& options);
/// A model written as equations (a scenario's, a model file's, an SBML file's) -> SBML.
int export_sbml_command(const ModelFileOptions& options);
/// `cartsim describe FILE`: the model of a scenario, model file or SBML file.
int describe_file_command(const std::filesystem::path& path);
/// True when `describe`'s argument names a file rather than a built-in model.
bool names_model_file(const std::string& argument);

}  // namespace cartsim::cli
