#include "model_commands.hpp"

#include <fmt/format.h>

#include <iostream>

#include "cartsim/core/errors.hpp"
#include "cartsim/equations/equation_model.hpp"
#include "cartsim/equations/model_writer.hpp"
#include "cartsim/sbml/sbml.hpp"
#include "cartsim/simulation/atomic_file.hpp"
#include "cartsim/simulation/model_file.hpp"
#include "commands.hpp"

namespace cartsim::cli {
namespace {

/// Writes `content` to the output (atomically), or to standard output without one. An existing
/// file is kept unless --force.
void write_output(const ModelFileOptions& options, const std::string& content) {
  if (options.output.empty()) {
    std::cout << content;
    return;
  }
  std::error_code error;
  if (std::filesystem::exists(std::filesystem::symlink_status(options.output, error)) &&
      !options.force) {
    throw UsageError("'" + options.output.string() +
                     "' exists; give another -o, or --force to replace it");
  }
  if (std::filesystem::is_directory(options.output, error)) {
    throw UsageError("'" + options.output.string() + "' is a directory");
  }
  write_file_atomically(options.output, content);
}

const equations::EquationModel& equation_model(const Model& model,
                                               const std::filesystem::path& from) {
  const auto* m = dynamic_cast<const equations::EquationModel*>(&model);
  if (m == nullptr) {
    throw UsageError(fmt::format(
        "the model of '{}' is the built-in model '{}', written in C++ without equations cartsim "
        "can export; scenarios/models/ has equation versions of some built-in models (e.g. "
        "kimmel2021.yaml)",
        from.string(), model.info().name));
  }
  return *m;
}

}  // namespace

int import_sbml_command(const ModelFileOptions& options) {
  if (!is_sbml_path(options.input)) {
    throw UsageError("import-sbml reads an SBML file (.xml or .sbml), not '" +
                     options.input.string() + "'");
  }
  // Compiled first: a file that imports but does not run (an unknown name, ...) is refused here.
  const auto model = load_model_from_file(options.input);
  const equations::ModelSpec& spec = equation_model(*model, options.input).spec();
  const std::string header = fmt::format(
      "Imported by cartsim import-sbml from {}.\nUse it in a scenario as model: {{file: {}}}",
      options.input.filename().string(),
      options.output.empty() ? std::string("THIS_FILE") : options.output.filename().string());
  write_output(options, equations::write_model_yaml(spec, header));
  if (!options.output.empty()) {
    std::cout << fmt::format(
        "imported '{}': {} states, {} parameters, {} observables, {} events "
        "-> {}\n",
        spec.name, spec.states.size(), spec.parameters.size(), spec.observables.size(),
        spec.events.size(), options.output.string());
  }
  return 0;
}

int export_sbml_command(const ModelFileOptions& options) {
  const auto model = load_model_from_file(options.input);
  const equations::ModelSpec& spec = equation_model(*model, options.input).spec();
  std::string xml;
  try {
    xml = sbml::export_sbml(spec);
  } catch (const ModelError& e) {
    throw UsageError(e.what());
  }
  write_output(options, xml);
  if (!options.output.empty()) {
    std::cout << fmt::format("exported '{}' as SBML Level 3 Version 2 -> {}\n", model->info().name,
                             options.output.string());
  }
  return 0;
}

bool names_model_file(const std::string& argument) {
  std::error_code error;
  return argument.find('/') != std::string::npos || argument.ends_with(".yaml") ||
         argument.ends_with(".yml") || is_sbml_path(argument) ||
         std::filesystem::is_regular_file(argument, error);
}

int describe_file_command(const std::filesystem::path& path) {
  const auto model = load_model_from_file(path);
  print_model_description(model->info());
  return 0;
}

}  // namespace cartsim::cli
