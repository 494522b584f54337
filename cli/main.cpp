// cartsim: command-line entry point. The only place that catches errors and picks exit codes:
//   0 success, 1 simulation failure (a solver or model error, an I/O error), 2 bad usage or input.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cartsim/core/errors.hpp"
#include "cartsim/sweeps/merge.hpp"
#include "cartsim/version.hpp"
#include "commands.hpp"
#include "model_commands.hpp"
#include "report_command.hpp"

namespace {
constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_bad_input = 2;
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cartsim: mechanistic simulation of CAR-T cell therapy (manufacturing and patient)"};
  app.set_version_flag("--version", std::string("cartsim ") + cartsim::version_string + " (" +
                                        cartsim::git_commit + ")");
  app.require_subcommand(1);

  cartsim::cli::RunOptions run_options;
  auto* run = app.add_subcommand("run", "Run a scenario and write its results");
  run->add_option("scenario", run_options.scenario, "Scenario YAML file")->required();
  run->add_option("-o,--output", run_options.output_dir,
                  "Output directory (default: results/<scenario name>)");
  run->add_flag("-q,--quiet", run_options.quiet,
                "Print only where the results went (no summary, no progress bar)");
  run->add_option("--threads", run_options.threads,
                  "Threads for the samples of a sweep (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  run->add_option("--shard", run_options.shard,
                  "Run only part K of N of the samples (K/N, 1 <= K <= N); combine the parts "
                  "with 'cartsim merge'");
  run->add_flag("--report", run_options.report,
                "Also write report.html (plots of the results) into the output directory");

  std::string check_path;
  auto* check = app.add_subcommand("check", "Validate a scenario without running it");
  check->add_option("scenario", check_path, "Scenario YAML file")->required();

  auto* models = app.add_subcommand("models", "List the available models");
  auto* solvers = app.add_subcommand("solvers", "List the available solvers");

  cartsim::cli::RunOptions sensitivity_options;
  auto* sensitivity = app.add_subcommand(
      "sensitivity",
      "Global sensitivity of the scenario's metrics: Sobol indices (with bootstrap intervals) or "
      "Morris elementary effects, as its 'sensitivity:' section says");
  sensitivity->add_option("scenario", sensitivity_options.scenario, "Scenario YAML file")
      ->required();
  sensitivity->add_option("-o,--output", sensitivity_options.output_dir,
                          "Output directory (default: results/<scenario name>)");
  sensitivity->add_flag("-q,--quiet", sensitivity_options.quiet, "Print only where results went");
  sensitivity->add_option("--threads", sensitivity_options.threads, "Threads")
      ->check(CLI::PositiveNumber);
  sensitivity->add_flag("--report", sensitivity_options.report,
                        "Also write report.html (plots of the indices) into the output directory");

  cartsim::cli::ReportCommandOptions report_options;
  auto* report = app.add_subcommand(
      "report", "Write one self-contained HTML file with plots of a results directory");
  report
      ->add_option("results", report_options.results_dir,
                   "Output directory of 'cartsim run', 'sensitivity' or 'merge'")
      ->required();
  report->add_option("-o,--output", report_options.output,
                     "HTML file to write (default: RESULTS/report.html)");

  std::vector<std::filesystem::path> merge_inputs;
  std::filesystem::path merge_output;
  auto* merge = app.add_subcommand(
      "merge", "Combine the output directories of all shards of a sweep into one run's files");
  merge->add_option("shards", merge_inputs, "Output directories of the shards")->required();
  merge->add_option("-o,--output", merge_output, "Output directory")->required();

  std::string model_name;
  auto* describe = app.add_subcommand(
      "describe",
      "Show a model's equations, states, parameters (units, defaults, ranges, sources)");
  describe
      ->add_option("model", model_name,
                   "Model name (see 'cartsim models'), or a scenario, model file or SBML file")
      ->required();

  cartsim::cli::ModelFileOptions import_options;
  auto* import_sbml =
      app.add_subcommand("import-sbml", "Translate an SBML model into a cartsim model file (YAML)");
  import_sbml->add_option("sbml", import_options.input, "SBML file (.xml)")->required();
  import_sbml->add_option("-o,--output", import_options.output,
                          "Model file to write (default: standard output)");
  import_sbml->add_flag("--force", import_options.force, "Replace the output file if it exists");

  cartsim::cli::ModelFileOptions export_options;
  auto* export_sbml = app.add_subcommand(
      "export-sbml",
      "Write the model of a scenario, model file or SBML file as SBML Level 3 Version 2");
  export_sbml->add_option("input", export_options.input, "Scenario, model file or SBML file")
      ->required();
  export_sbml->add_option("-o,--output", export_options.output,
                          "SBML file to write (default: standard output)");
  export_sbml->add_flag("--force", export_options.force, "Replace the output file if it exists");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_bad_input;
  }

  try {
    if (*run) {
      return cartsim::cli::run_command(run_options);
    }
    if (*check) {
      return cartsim::cli::check_command(check_path);
    }
    if (*models) {
      return cartsim::cli::models_command();
    }
    if (*solvers) {
      return cartsim::cli::solvers_command();
    }
    if (*describe) {
      if (cartsim::cli::names_model_file(model_name)) {
        return cartsim::cli::describe_file_command(model_name);
      }
      return cartsim::cli::describe_command(model_name);
    }
    if (*import_sbml) {
      return cartsim::cli::import_sbml_command(import_options);
    }
    if (*export_sbml) {
      return cartsim::cli::export_sbml_command(export_options);
    }
    if (*sensitivity) {
      return cartsim::cli::sensitivity_command(sensitivity_options);
    }
    if (*report) {
      return cartsim::cli::report_command(report_options);
    }
    if (*merge) {
      return cartsim::cli::merge_command(merge_inputs, merge_output);
    }
  } catch (const cartsim::cli::UsageError& e) {
    std::cerr << "cartsim: error: " << e.what() << '\n';
    return exit_bad_input;
  } catch (const cartsim::ConfigError& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  } catch (const cartsim::ShardSetError& e) {
    std::cerr << "cartsim: error: " << e.what() << '\n';
    return exit_bad_input;
  } catch (const cartsim::ModelError& e) {
    // Unknown model names reach here from `describe`: that is bad input too.
    std::cerr << "cartsim: error: " << e.what() << '\n';
    return *describe ? exit_bad_input : exit_failure;
  } catch (const cartsim::Error& e) {
    std::cerr << "cartsim: error: " << e.what() << '\n';
    return exit_failure;
  } catch (const std::exception& e) {
    std::cerr << "cartsim: internal error: " << e.what() << '\n';
    return exit_failure;
  }
  return exit_bad_input;
}
