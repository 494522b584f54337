#include "commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>

#include "cartsim/core/agent_model.hpp"
#include "cartsim/core/errors.hpp"
#include "cartsim/models/registry.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/solvers/solver.hpp"
#include "cartsim/sweeps/merge.hpp"
#include "cartsim/sweeps/output_files.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"
#include "cartsim/sweeps/sensitivity.hpp"
#include "cartsim/sweeps/sweep_runner.hpp"
#include "report_command.hpp"

namespace cartsim::cli {
namespace {

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

/// "[min, max]" of a parameter or an action setting.
std::string range_text(double min, double max) {
  auto bound = [](double v) {
    return std::isinf(v) ? std::string(v < 0 ? "-inf" : "inf") : fmt::format("{:g}", v);
  };
  return fmt::format("[{}, {}]", bound(min), bound(max));
}

/// What integrates the plan: the solver's name, or the model's own engine for an agent model
/// (which ignores `solver`).
std::string integrator_name(const RunPlan& plan) {
  if (plan.model->as_agent() != nullptr) {
    return "its own agent engine";
  }
  return "solver " + plan.solver.name;
}

void print_indented(const std::string& text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    std::cout << "  " << text.substr(start, end - start) << '\n';
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
}

}  // namespace

/// "k/N" -> the shard's sample range.
ShardInfo parse_shard(const std::string& text, std::size_t samples) {
  ShardInfo shard;
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) {
      throw std::invalid_argument(text);
    }
    shard.index = std::stoul(text.substr(0, slash));
    shard.count = std::stoul(text.substr(slash + 1));
  } catch (const std::exception&) {
    throw UsageError("--shard takes K/N, e.g. 2/4, not '" + text + "'");
  }
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw UsageError("--shard K/N needs 1 <= K <= N, got '" + text + "'");
  }
  if (shard.count > samples) {
    throw UsageError(fmt::format("--shard {}: the sweep has only {} samples", text, samples));
  }
  shard.first_sample = (shard.index - 1) * samples / shard.count;
  shard.end_sample = shard.index * samples / shard.count;
  return shard;
}

int run_command(const RunOptions& options) {
  const std::string started_utc = utc_now_iso8601();
  // Everything that can reject the input happens before anything is written.
  const Scenario scenario = load_scenario(options.scenario);
  const RunPlan plan = make_plan(scenario);
  const SampleInputs inputs(scenario, plan);
  ShardInfo shard;
  if (!options.shard.empty()) {
    shard = parse_shard(options.shard, inputs.samples());
  }
  const std::filesystem::path dir = options.output_dir.empty()
                                        ? std::filesystem::path("results") / scenario.name
                                        : options.output_dir;

  SweepOptions sweep;
  sweep.threads = options.threads;
  sweep.first_sample = shard.first_sample;
  sweep.end_sample = shard.index > 0 ? shard.end_sample : 0;
  sweep.progress = !options.quiet;

  /// Keeps the first failures' messages and the single run's metrics for the terminal.
  struct Report final : ResultSink {
    ResultSink& inner;
    std::vector<std::string> failures;
    std::vector<double> metrics;
    std::string status, message;  // of the single run (a chain's "not_infused" and why)
    std::size_t runs = 0;
    explicit Report(ResultSink& sink) : inner(sink) {}
    void consume(const RunRecord& run) override {
      inner.consume(run);
      ++runs;
      if (!run.result->ok && failures.size() < 5) {
        failures.push_back(fmt::format("sample {} replicate {}: {}", run.sample, run.replicate,
                                       run.result->message));
      }
      if (runs == 1) {
        metrics = run.result->metrics;
        status = run.result->status;
        message = run.result->message;
      }
    }
  };
  OutputWriter writer(dir, scenario, plan, inputs, shard);
  Report report(writer);
  const SweepStats stats = run_sweep(scenario, plan, inputs, sweep, report);
  writer.finish(stats, started_utc);

  for (const auto& f : report.failures) {
    std::cerr << "cartsim: failed: " << f << '\n';
  }
  if (stats.failed > report.failures.size()) {
    std::cerr << fmt::format("cartsim: ... and {} more failed runs (see summary.csv)\n",
                             stats.failed - report.failures.size());
  }
  if (!options.quiet) {
    std::cout << fmt::format(
        "cartsim: ran '{}' (model {}, {}): {} run(s), {} failed, "
        "{} thread(s), {:.2f} s\n",
        scenario.name, scenario.model, integrator_name(plan), stats.runs, stats.failed,
        stats.threads, stats.wall_seconds);
    if (stats.runs == 1 && stats.failed == 0) {
      std::size_t width = 16;  // a chain's names are longer (patient.Cmax, product.dose_cells)
      for (const auto& m : plan.metrics) {
        width = std::max(width, m.name.size());
      }
      if (!report.status.empty()) {
        std::cout << "  status: " << report.status << " (" << report.message << ")\n";
      }
      for (std::size_t i = 0; i < plan.metrics.size(); ++i) {
        const double v = report.metrics[i];
        // A dimensionless metric's unit "1" is not printed after its value.
        const std::string& unit = plan.metrics[i].unit;
        std::cout << fmt::format("  {:<{}} {:>14}{}\n", plan.metrics[i].name, width,
                                 std::isnan(v) ? std::string("NA") : fmt::format("{:.6g}", v),
                                 unit == "1" ? std::string() : " " + unit);
      }
    }
  }
  std::cout << "results written to " << dir.string() << "/\n";
  if (options.report) {
    report_after_run(dir);
  }
  return stats.failed == 0 ? 0 : 1;
}

int sensitivity_command(const RunOptions& options) {
  const std::string started_utc = utc_now_iso8601();
  Scenario scenario = load_scenario(options.scenario);
  if (!scenario.sensitivity) {
    throw UsageError("'" + options.scenario.string() +
                     "' has no 'sensitivity:' section (see docs/scenario_reference.md)");
  }
  // The analysis needs the metrics of every run, not their trajectories.
  scenario.outputs.timeseries = OutputSettings::Series::none;
  scenario.outputs.bands = false;
  const RunPlan plan = make_plan(scenario);
  const SensitivityDesign design(scenario);
  const std::filesystem::path dir = options.output_dir.empty()
                                        ? std::filesystem::path("results") / scenario.name
                                        : options.output_dir;

  struct Collect final : ResultSink {
    ResultSink& inner;
    std::vector<std::vector<double>> values;
    std::size_t failed = 0;
    explicit Collect(ResultSink& sink) : inner(sink) {}
    void consume(const RunRecord& run) override {
      inner.consume(run);
      values.push_back(run.result->metrics);
      failed += run.result->ok ? 0 : 1;
    }
  };
  OutputWriter writer(dir, scenario, plan, design, ShardInfo{});
  Collect collect(writer);
  SweepOptions sweep;
  sweep.threads = options.threads;
  sweep.progress = !options.quiet;
  const SweepStats stats = run_sweep(scenario, plan, design, sweep, collect);
  std::vector<std::string> metric_names;
  for (const auto& m : plan.metrics) {
    metric_names.push_back(m.name);
  }
  const auto indices = compute_sensitivity(scenario, metric_names, collect.values);
  write_sensitivity(dir, design.spec().method, indices);
  writer.finish(stats, started_utc);  // run.json last, listing sensitivity.csv too

  const bool sobol = design.spec().method == SensitivitySpec::Method::sobol;
  if (!options.quiet) {
    std::cout << fmt::format("cartsim: {} analysis of '{}': {} runs, {} failed, {:.2f} s\n",
                             sobol ? "Sobol" : "Morris", scenario.name, stats.runs, stats.failed,
                             stats.wall_seconds);
    if (sobol) {
      std::cout << fmt::format("  {:<14} {:<28} {:>8} {:>19} {:>8} {:>19}\n", "metric", "factor",
                               "S1", "CI", "ST", "CI");
      for (const auto& i : indices) {
        std::cout << fmt::format(
            "  {:<14} {:<28} {:>8.4f} [{:>7.4f}, {:>7.4f}] {:>8.4f} "
            "[{:>7.4f}, {:>7.4f}]\n",
            i.metric, i.factor, i.first, i.first_low, i.first_high, i.total, i.total_low,
            i.total_high);
      }
    } else {
      std::cout << fmt::format("  {:<14} {:<28} {:>12} {:>12} {:>12}\n", "metric", "factor", "mu",
                               "mu*", "sigma");
      for (const auto& i : indices) {
        std::cout << fmt::format("  {:<14} {:<28} {:>12.5g} {:>12.5g} {:>12.5g}\n", i.metric,
                                 i.factor, i.mu, i.mu_star, i.sigma);
      }
    }
  }
  if (stats.failed > 0) {
    std::cerr << fmt::format("cartsim: {} runs failed; their indices are NA (see summary.csv)\n",
                             stats.failed);
  }
  std::cout << "results written to " << dir.string() << "/\n";
  if (options.report) {
    report_after_run(dir);
  }
  return stats.failed == 0 ? 0 : 1;
}

int merge_command(const std::vector<std::filesystem::path>& shards,
                  const std::filesystem::path& output_dir) {
  merge_shards(shards, output_dir);
  std::cout << "merged " << shards.size() << " shards into " << output_dir.string() << "/\n";
  return 0;
}

int check_command(const std::filesystem::path& scenario_path) {
  const Scenario scenario = load_scenario(scenario_path);
  const RunPlan plan = make_plan(scenario);
  if (scenario.chain) {
    const ChainSpec& chain = *scenario.chain;
    std::cout << fmt::format(
        "ok: {} (vein-to-vein chain: {} with {} protocol steps, then {} from {:g} to {:g} d with "
        "{} protocol steps; {} summary metrics)\n",
        scenario.file, chain.manufacturing.model, chain.manufacturing.protocol.size(),
        chain.patient.model, scenario.t_start, scenario.t_end, chain.patient.protocol.size(),
        plan.metrics.size());
    return 0;
  }
  std::cout << fmt::format(
      "ok: {} (model {}, {}, {} output times from {:g} to {:g} d, {} protocol steps, "
      "{} metrics)\n",
      scenario.file, scenario.model, integrator_name(plan), plan.output_times.size(),
      scenario.t_start, scenario.t_end, scenario.protocol.size(), plan.metrics.size());
  return 0;
}

int models_command() {
  for (const auto& name : model_names()) {
    std::cout << fmt::format("{:<20} {}\n", name, get_model(name)->info().title);
  }
  return 0;
}

int solvers_command() {
  for (const auto& name : solver_names()) {
    std::cout << fmt::format("{:<20} {}\n", name, solver_description(name));
  }
  return 0;
}

int describe_command(const std::string& name) {
  print_model_description(get_model(name)->info());
  return 0;
}

void print_model_description(const ModelInfo& m) {
  // Columns as wide as their longest entry (at least 12), so a long name never runs into the next.
  std::size_t name_w = 12, unit_w = 12;
  auto widen = [&](const std::string& n, const std::string& u) {
    name_w = std::max(name_w, n.size());
    unit_w = std::max(unit_w, u.size());
  };
  for (const auto& s : m.states) {
    widen(s.name, s.unit);
  }
  for (const auto& p : m.parameters) {
    widen(p.name, p.unit);
  }
  for (const auto& o : m.observables) {
    widen(o.name, o.unit);
  }
  std::cout << m.name << ": " << m.title << "\n\n";
  print_indented(m.summary);
  std::cout << "\nEquations (time in days):\n";
  print_indented(m.equations);
  std::cout << "\nStates:\n";
  for (const auto& s : m.states) {
    std::cout << fmt::format("  {:<{}} {:<{}} {}{}\n", s.name, name_w, s.unit, unit_w,
                             s.description, s.nonnegative ? " (>= 0)" : "");
  }
  std::cout << "\nParameters:\n";
  std::size_t range_w = 22;
  for (const auto& p : m.parameters) {
    range_w = std::max(range_w, range_text(p.min, p.max).size());
  }
  std::cout << fmt::format("  {:<{}} {:<{}} {:>12}  {:<{}} {}\n", "name", name_w, "unit", unit_w,
                           "default", "range", range_w, "source");
  for (const auto& p : m.parameters) {
    if (p.name.starts_with("(derived")) {
      continue;  // a model written by a user: values of parameters its compiler precomputes
    }
    std::cout << fmt::format("  {:<{}} {:<{}} {:>12g}  {:<{}} {}{}\n", p.name, name_w, p.unit,
                             unit_w, p.default_value, range_text(p.min, p.max), range_w, p.source,
                             p.internal ? " [internal: set by the model's events]" : "");
    std::cout << fmt::format("  {:<{}} {}\n", "", name_w, p.description);
  }
  if (!m.observables.empty()) {
    std::cout << "\nObservables:\n";
    for (const auto& o : m.observables) {
      std::cout << fmt::format("  {:<{}} {:<{}} {}\n", o.name, name_w, o.unit, unit_w,
                               o.description);
    }
  }
  if (!m.metrics.empty()) {
    std::cout << "\nMetrics (summary.csv):\n";
    std::size_t metric_w = 14, metric_unit_w = 12;
    for (const auto& s : m.metrics) {
      metric_w = std::max(metric_w, s.name.size());
      metric_unit_w = std::max(metric_unit_w, s.unit.size());
    }
    for (const auto& s : m.metrics) {
      std::string detail = fmt::format("{} of {}", to_string(s.kind), s.variable);
      if (metric_uses_window(s.kind)) {
        detail += fmt::format(" over [{:g}, {:g}] d", s.from, s.to);
      }
      if (metric_uses_level(s.kind)) {
        detail += fmt::format(", level {:g}", s.level);
      }
      if (metric_uses_time(s.kind)) {
        detail += fmt::format(" at {:g} d", s.at);
      }
      std::cout << fmt::format("  {:<{}} {:<{}} {}: {}\n", s.name, metric_w, s.unit, metric_unit_w,
                               detail, s.description);
    }
  }
  if (!m.actions.empty()) {
    std::cout << "\nProtocol actions (besides dose, dilute, set, stop):\n";
    for (const auto& a : m.actions) {
      std::cout << fmt::format("  {}: {}\n", a.name, a.description);
      std::size_t setting_w = 22, setting_unit_w = 12;
      for (const auto& setting : a.settings) {
        setting_w = std::max(setting_w, setting.name.size());
        setting_unit_w = std::max(setting_unit_w, setting.unit.size());
      }
      for (const auto& setting : a.settings) {
        const std::string fallback = setting.default_value
                                         ? fmt::format("default {:g}", *setting.default_value)
                                         : std::string("required");
        std::cout << fmt::format("    {:<{}} {:<{}} {:<14} {:<18} {}\n", setting.name, setting_w,
                                 setting.unit, setting_unit_w, fallback,
                                 range_text(setting.min, setting.max), setting.description);
      }
    }
  }
  std::cout << "\nReferences:\n";
  print_indented(m.references);
  std::cout << "\nDeviations from the source:\n";
  print_indented(m.deviations);
}

}  // namespace cartsim::cli
