#include "cartsim/simulation/results_writer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "cartsim/core/errors.hpp"
#include "cartsim/simulation/atomic_file.hpp"
#include "cartsim/version.hpp"
#include "sha256.hpp"

namespace cartsim {
namespace {

std::string csv_quote(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) {
    return text;
  }
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
  return out;
}

/// "peak transgene level: max of C" / "...: last_above of C, level 100" (the settings in force).
std::string describe_metric(const MetricSpec& m) {
  std::string detail = fmt::format("{} of {}", to_string(m.kind), m.variable);
  if (metric_uses_window(m.kind)) {
    detail += fmt::format(" over [{}, {}] d", format_number(m.from), format_number(m.to));
  }
  if (metric_uses_level(m.kind)) {
    detail += fmt::format(", level {}", format_number(m.level));
  }
  if (metric_uses_time(m.kind)) {
    detail += fmt::format(" at {} d", format_number(m.at));
  }
  return m.description.empty() ? detail : m.description + ": " + detail;
}

void write_timeseries(const std::filesystem::path& dir, const RunPlan& plan,
                      const std::vector<SampleResult>& samples) {
  AtomicFile file(dir / "timeseries.csv");
  std::ostream& out = file.stream();
  out << "sample,time";
  for (const auto& c : plan.columns) {
    out << ',' << csv_quote(plan.model->name_of(c));
  }
  out << '\n';
  std::string line;
  for (const auto& s : samples) {
    for (std::size_t r = 0; r < s.rows; ++r) {
      line = fmt::format("{},{}", s.sample, format_number(plan.output_times[r]));
      for (Eigen::Index c = 0; c < s.series.cols(); ++c) {
        line += ',';
        line += format_number(s.series(static_cast<Eigen::Index>(r), c));
      }
      line += '\n';
      out << line;
    }
  }
  file.commit();
}

void write_summary(const std::filesystem::path& dir, const RunPlan& plan,
                   const std::vector<SampleResult>& samples) {
  AtomicFile file(dir / "summary.csv");
  std::ostream& out = file.stream();
  out << "sample,status";
  for (const auto& m : plan.metrics) {
    out << ',' << csv_quote(m.name);
  }
  out << ",steps,rhs_evaluations,jacobian_evaluations,events_fired,t_final,message\n";
  for (const auto& s : samples) {
    out << s.sample << ',' << (s.ok ? "ok" : "failed");
    for (double v : s.metrics) {
      out << ',' << format_number(v);
    }
    out << ',' << s.stats.steps << ',' << s.stats.rhs_evaluations << ','
        << s.stats.jacobian_evaluations << ',' << s.stats.events_fired << ','
        << format_number(s.stats.t_final) << ',' << csv_quote(s.message) << '\n';
  }
  file.commit();
}

void write_columns(const std::filesystem::path& dir, const RunPlan& plan) {
  AtomicFile file(dir / "columns.csv");
  std::ostream& out = file.stream();
  const ModelInfo& info = plan.model->info();
  out << "file,column,unit,description\n";
  out << "timeseries.csv,sample,1,sample index (0-based)\n";
  out << "timeseries.csv,time,d,time since the start of the run\n";
  for (const auto& c : plan.columns) {
    const std::string& description = c.kind == VariableRef::Kind::state
                                         ? info.states[c.index].description
                                         : info.observables[c.index].description;
    out << "timeseries.csv," << csv_quote(plan.model->name_of(c)) << ','
        << csv_quote(plan.model->unit_of(c))
        << ',' << csv_quote(description) << '\n';
  }
  out << "summary.csv,sample,1,sample index (0-based)\n";
  out << "summary.csv,status,1,ok or failed\n";
  for (const auto& m : plan.metrics) {
    out << "summary.csv," << csv_quote(m.name) << ',' << csv_quote(m.unit) << ','
        << csv_quote(describe_metric(m)) << '\n';
  }
  out << "summary.csv,steps,1,accepted solver steps\n";
  out << "summary.csv,rhs_evaluations,1,right-hand side evaluations\n";
  out << "summary.csv,jacobian_evaluations,1,Jacobian evaluations by cartsim (analytic or "
         "finite differences); CVODE's own difference Jacobians are not counted\n";
  out << "summary.csv,events_fired,1,protocol and model events applied\n";
  out << "summary.csv,t_final,d,time the run ended (end time; earlier after a stop event or a "
         "failure)\n";
  out << "summary.csv,message,1,error message of a failed sample (empty when ok)\n";
  file.commit();
}

void write_run_json(const std::filesystem::path& dir, const Scenario& scenario,
                    const RunPlan& plan, const std::vector<SampleResult>& samples,
                    const RunProvenance& provenance) {
  using nlohmann::json;
  const auto& o = plan.solver.options;
  std::size_t failed = 0;
  for (const auto& s : samples) {
    failed += s.ok ? 0 : 1;
  }
  json j;
  j["cartsim_version"] = version_string;
  j["git_commit"] = git_commit;
  j["scenario"] = {{"file", scenario.file},
                   {"name", scenario.name},
                   {"sha256", detail::sha256_hex(scenario.text)},
                   {"schema_version", scenario.schema_version}};
  j["model"] = plan.model->info().name;
  j["seed"] = scenario.seed;
  j["solver"] = {{"name", plan.solver.name},    {"rtol", o.rtol},
                 {"atol", o.atol},              {"max_steps", o.max_steps},
                 {"first_step_d", o.first_step}, {"max_step_d", o.max_step}};
  j["time_span_d"] = {plan.problem.t0, plan.problem.t_end};
  j["samples"] = {{"total", samples.size()}, {"failed", failed}};
  j["threads"] = provenance.threads;
  j["wall_time_s"] = provenance.wall_time_seconds;
  j["started_utc"] = provenance.started_utc;
  j["files"] = {"timeseries.csv", "summary.csv", "columns.csv", "run.json"};
  write_file_atomically(dir / "run.json", j.dump(2) + "\n");
}

}  // namespace

std::string format_number(double value) {
  if (std::isnan(value)) {
    return "NA";
  }
  return fmt::format("{}", value);
}

void write_results(const std::filesystem::path& dir, const Scenario& scenario, const RunPlan& plan,
                   const std::vector<SampleResult>& samples, const RunProvenance& provenance) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw Error("cannot create output directory '" + dir.string() + "': " + ec.message());
  }
  // An old run.json would vouch for files this run has not finished writing.
  std::filesystem::remove(dir / "run.json", ec);
  write_timeseries(dir, plan, samples);
  write_summary(dir, plan, samples);
  write_columns(dir, plan);
  // run.json last: its presence says the other files are complete.
  write_run_json(dir, scenario, plan, samples, provenance);
}

}  // namespace cartsim
