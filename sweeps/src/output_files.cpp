#include "cartsim/sweeps/output_files.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cartsim/core/errors.hpp"
#include "cartsim/simulation/sha256.hpp"
#include "cartsim/sweeps/bands.hpp"
#include "cartsim/version.hpp"

namespace cartsim {
namespace {

/// "peak transgene level: max of C" (the settings in force).
std::string describe_metric(const MetricSpec& m) {
  if (m.variable.empty()) {
    return m.description;  // a chain's product column
  }
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

/// The agent-based model whose end-of-run distributions are written: the scenario's model, or a
/// chain's manufacturing half; null when neither is agent-based.
const AgentModel* agent_model(const RunPlan& plan) {
  const Model* model = plan.chain ? plan.chain->manufacturing.model.get() : plan.model.get();
  return model->as_agent();
}

/// distributions.csv, or in a chain manufacturing_distributions.csv (the harvest's).
const char* distributions_file(const RunPlan& plan) {
  return plan.chain ? "manufacturing_distributions.csv" : "distributions.csv";
}

/// The columns.csv rows of a time-series file: sample, replicate, time and one per variable.
void describe_series(std::ostream& out, const char* file, const RunPlan& plan) {
  const ModelInfo& info = plan.model->info();
  out << file << ",time,d,time since the start of the run\n";
  for (const auto& c : plan.columns) {
    const std::string& description = c.kind == VariableRef::Kind::state
                                         ? info.states[c.index].description
                                         : info.observables[c.index].description;
    out << file << ',' << csv_quote(plan.model->name_of(c)) << ','
        << csv_quote(plan.model->unit_of(c)) << ',' << csv_quote(description) << '\n';
  }
}

std::string unit_of_input(const RunPlan& plan, const Scenario& scenario, const std::string& name) {
  if (plan.chain) {
    if (name == "product.dose.cells_per_kg") {
      return "cells/kg";
    }
    if (name == "product.dose.cells" || name == "product.cap_cells") {
      return "cells";
    }
    if (name == "product.recovery") {
      return "1";
    }
    for (const bool made : {true, false}) {
      const std::string prefix = made ? "manufacturing." : "patient.";
      if (name.rfind(prefix, 0) == 0) {
        return unit_of_input(made ? plan.chain->manufacturing : plan.chain->patient,
                             made ? scenario.chain->manufacturing : scenario.chain->patient,
                             name.substr(prefix.size()));
      }
    }
  }
  const ModelInfo& info = plan.model->info();
  if (name.rfind("parameters.", 0) == 0) {
    if (const auto i = info.find_parameter(name.substr(11))) {
      return info.parameters[*i].unit;
    }
  }
  if (name.rfind("initial_state.", 0) == 0) {
    if (const auto i = info.find_state(name.substr(14))) {
      return info.states[*i].unit;
    }
  }
  if (name.rfind("protocol[", 0) == 0) {
    if (name.size() > 3 && name.substr(name.size() - 3) == ".at") {
      return "d";
    }
    const auto dot = name.rfind('.');
    const auto close = name.find(']');
    const std::size_t step = std::stoul(name.substr(9, close - 9));
    const Action& a = scenario.protocol.at(step).action;
    if (a.kind == ActionKind::model) {
      for (const auto& s : info.actions[a.model_action].settings) {
        if (s.name == name.substr(dot + 1)) {
          return s.unit;
        }
      }
    }
    if (a.kind == ActionKind::dose) {
      return info.states[*info.find_state(a.target)].unit;
    }
    return "1";
  }
  return "see scenario";  // a covariate: its unit is in its name by convention (e.g. weight_kg)
}

/// What `cartsim report` needs to know about one series file that the data do not say: the
/// model's plot and limit hints (limits with the run's value and the summary.csv metrics of the
/// limited variable) and the protocol's steps (docs/report.md, "Inputs").
nlohmann::json report_series(const RunPlan& half, const RunPlan& whole, const std::string& prefix) {
  using nlohmann::json;
  const ModelInfo& info = half.model->info();
  json plots = json::array();
  for (const auto& h : info.plots) {
    plots.push_back({{"title", h.title}, {"variables", h.variables}, {"log", h.log_scale}});
  }
  std::vector<std::string> summary_metrics;
  for (const auto& m : whole.metrics) {
    summary_metrics.push_back(m.name);
  }
  json limits = json::array();
  for (const auto& l : info.limits) {
    const auto i = info.find_parameter(l.parameter);
    if (!i) {
      continue;
    }
    json metrics = json::array();
    for (const auto& m : half.metrics) {
      const bool level = m.kind == MetricKind::final || m.kind == MetricKind::min ||
                         m.kind == MetricKind::max || m.kind == MetricKind::value_at;
      const std::string name = prefix + m.name;
      if (level && m.variable == l.variable &&
          std::find(summary_metrics.begin(), summary_metrics.end(), name) !=
              summary_metrics.end()) {
        metrics.push_back(name);
      }
    }
    limits.push_back({{"variable", l.variable},
                      {"label", l.label},
                      {"minimum", l.minimum},
                      {"value", half.problem.p[static_cast<Eigen::Index>(*i)] * l.factor},
                      {"parameter", l.parameter},
                      {"metrics", metrics}});
  }
  json protocol = json::array();
  for (const auto& step : half.protocol) {
    json s = {{"label", step.label}};
    if (step.trigger.kind == Trigger::Kind::at) {
      s["times_d"] = step.trigger.times;
    } else {
      s["when"] = fmt::format("{} crosses {}", step.trigger.variable,
                              format_number(step.trigger.threshold));
    }
    protocol.push_back(s);
  }
  return {{"model", info.name}, {"plots", plots}, {"limits", limits}, {"protocol", protocol}};
}

void write_columns(const std::filesystem::path& dir, const Scenario& scenario, const RunPlan& plan,
                   const InputSource& inputs) {
  AtomicFile file(dir / "columns.csv");
  std::ostream& out = file.stream();
  out << "file,column,unit,description\n";
  for (const char* f : {"timeseries.csv", "summary.csv"}) {
    out << f << ",sample,1,sample index (0-based; design point x subjects + subject)\n";
    out << f << ",replicate,1,replicate of the sample (0-based)\n";
  }
  describe_series(out, "timeseries.csv", plan);
  if (plan.chain) {
    // The manufacturing half's series; timeseries.csv above holds the patient's.
    constexpr const char* made = "manufacturing_timeseries.csv";
    out << made << ",sample,1,sample index (0-based; design point x subjects + subject)\n";
    out << made << ",replicate,1,replicate of the sample (0-based)\n";
    describe_series(out, made, plan.chain->manufacturing);
  }
  for (const auto& name : inputs.columns()) {
    out << "summary.csv," << csv_quote(name) << ','
        << csv_quote(unit_of_input(plan, scenario, name)) << ",input of the sample\n";
  }
  out << (plan.chain ? "summary.csv,status,1,ok; failed; or not_infused (the product was not "
                       "given: failed release or too few cells; see message)\n"
                     : "summary.csv,status,1,ok or failed\n");
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
  out << "summary.csv,message,1,error message of a failed run (empty when ok; a chain: why the "
         "product was not infused)\n";
  if (agent_model(plan) != nullptr) {
    const std::string d = distributions_file(plan);
    out << d << ",sample,1,sample index (0-based; design point x subjects + subject)\n";
    out << d << ",replicate,1,replicate of the sample (0-based)\n";
    out << d << ",distribution,1,"
        << csv_quote(std::string("name of the histogram (the model's docs describe each)") +
                     (plan.chain ? "; the manufacturing half's, at harvest" : ""))
        << '\n';
    out << d << ",unit,1,unit of the binned quantity\n";
    out << d << ",lower,unit of the quantity,bin lower bound (inclusive)\n";
    out << d << ",upper,unit of the quantity,bin upper bound (exclusive; inf: open)\n";
    out << d << ",cells,cells,cells in the bin at the end of the run (sum of agent weights)\n";
    out << d << ",fraction,1,cells / all cells of the histogram\n";
    if (scenario.sweep.replicates > 1) {
      out << "replicate_summary.csv,sample,1,sample index (0-based; design point x subjects + "
             "subject)\n";
      out << "replicate_summary.csv,metric,1,a summary.csv metric\n";
      out << "replicate_summary.csv,unit,1,unit of the metric\n";
      out << "replicate_summary.csv,n,1,replicates of the sample with a value\n";
      out << "replicate_summary.csv,mean,unit of the metric,mean over the replicates\n";
      out << "replicate_summary.csv,sd,unit of the metric,standard deviation over the replicates\n";
      out << "replicate_summary.csv,se,unit of the metric,standard error of the mean (sd / "
             "sqrt(n))\n";
    }
  }
  if (!scenario.outputs.bands) {
    file.commit();
    return;
  }
  out << "bands.csv,variable,1,a state or observable\n";
  out << "bands.csv,time,d,output time\n";
  out << "bands.csv,n,1,runs with a value at this time (failed runs and rows after a stop are "
         "left out)\n";
  for (const char* p : {"p05", "p25", "p50", "p75", "p95"}) {
    out << "bands.csv," << p << ",unit of the variable,percentile across runs (type 7)\n";
  }
  file.commit();
}

}  // namespace

const std::vector<const char*>& output_file_names() {
  static const std::vector<const char*> names = {"timeseries.csv",
                                                 "manufacturing_timeseries.csv",
                                                 "summary.csv",
                                                 "distributions.csv",
                                                 "manufacturing_distributions.csv",
                                                 "replicate_summary.csv",
                                                 "bands.csv",
                                                 "band_values.bin",
                                                 "sensitivity.csv",
                                                 "columns.csv"};
  return names;
}

std::string format_number(double value) {
  if (std::isnan(value)) {
    return "NA";
  }
  return fmt::format("{}", value);
}

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

struct OutputWriter::Files {
  std::unique_ptr<AtomicFile> timeseries;
  std::unique_ptr<AtomicFile> manufacturing_timeseries;  // a chain's manufacturing half
  std::unique_ptr<AtomicFile> summary;
  std::unique_ptr<BandSpill> spill;
  std::filesystem::path spill_path;
  std::size_t next_subset = 0;
  // Agent-based models: distributions.csv, and replicate_summary.csv (mean and spread of every
  // metric over a sample's replicates) when the scenario asks for more than one replicate.
  std::unique_ptr<AtomicFile> distributions;
  std::unique_ptr<AtomicFile> replicate_summary;
  std::size_t current_sample = 0;
  std::vector<std::vector<double>> replicate_metrics;  // per metric: the ok replicates' values
};

namespace {
/// "sample,replicate,time,NAME,..." for a plan's output variables.
void write_series_header(std::ostream& out, const RunPlan& plan) {
  out << "sample,replicate,time";
  for (const auto& c : plan.columns) {
    out << ',' << csv_quote(plan.model->name_of(c));
  }
  out << '\n';
}

/// One run's rows of a time-series file.
void write_series_rows(std::ostream& out, std::string& line, const RunRecord& run,
                       const std::vector<double>& times, std::size_t rows,
                       const Eigen::MatrixXd& series) {
  for (std::size_t row = 0; row < rows; ++row) {
    line = fmt::format("{},{},{}", run.sample, run.replicate, format_number(times[row]));
    for (Eigen::Index c = 0; c < series.cols(); ++c) {
      line += ',';
      line += format_number(series(static_cast<Eigen::Index>(row), c));
    }
    line += '\n';
    out << line;
  }
}

void write_replicate_rows(std::ostream& out, std::size_t sample, const RunPlan& plan,
                          std::vector<std::vector<double>>& values) {
  for (std::size_t m = 0; m < plan.metrics.size() && m < values.size(); ++m) {
    auto& v = values[m];
    double mean = 0.0;
    std::size_t n = 0;
    for (double x : v) {
      if (!std::isnan(x)) {
        mean += x;
        ++n;
      }
    }
    mean = n > 0 ? mean / static_cast<double>(n) : std::nan("");
    double var = 0.0;
    for (double x : v) {
      if (!std::isnan(x)) {
        var += (x - mean) * (x - mean);
      }
    }
    const double sd = n > 1 ? std::sqrt(var / static_cast<double>(n - 1)) : std::nan("");
    const double se = n > 1 ? sd / std::sqrt(static_cast<double>(n)) : std::nan("");
    out << fmt::format("{},{},{},{},{},{},{}\n", sample, csv_quote(plan.metrics[m].name),
                       csv_quote(plan.metrics[m].unit), n, format_number(mean), format_number(sd),
                       format_number(se));
    v.clear();
  }
}
}  // namespace

OutputWriter::OutputWriter(std::filesystem::path dir, const Scenario& scenario, const RunPlan& plan,
                           const InputSource& inputs, ShardInfo shard)
    : dir_(std::move(dir)),
      scenario_(scenario),
      plan_(plan),
      inputs_(inputs),
      shard_(shard),
      files_(std::make_unique<Files>()) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    throw Error("cannot create output directory '" + dir_.string() + "': " + ec.message());
  }
  // An old run.json would vouch for files this run has not finished writing, and files an
  // earlier run left that this one does not write would look like its own.
  for (const char* stale : output_file_names()) {
    if (std::string_view(stale) != "summary.csv" && std::string_view(stale) != "columns.csv") {
      std::filesystem::remove(dir_ / stale, ec);
    }
  }

  if (scenario.outputs.timeseries != OutputSettings::Series::none) {
    files_->timeseries = std::make_unique<AtomicFile>(dir_ / "timeseries.csv");
    write_series_header(files_->timeseries->stream(), plan);
    if (plan.chain) {
      files_->manufacturing_timeseries =
          std::make_unique<AtomicFile>(dir_ / "manufacturing_timeseries.csv");
      write_series_header(files_->manufacturing_timeseries->stream(), plan.chain->manufacturing);
    }
  }
  files_->summary = std::make_unique<AtomicFile>(dir_ / "summary.csv");
  std::ostream& out = files_->summary->stream();
  out << "sample,replicate";
  for (const auto& name : inputs.columns()) {
    out << ',' << csv_quote(name);
  }
  out << ",status";
  for (const auto& m : plan.metrics) {
    out << ',' << csv_quote(m.name);
  }
  out << ",steps,rhs_evaluations,jacobian_evaluations,events_fired,t_final,message\n";

  if (agent_model(plan) != nullptr) {
    files_->distributions = std::make_unique<AtomicFile>(dir_ / distributions_file(plan));
    files_->distributions->stream()
        << "sample,replicate,distribution,unit,lower,upper,cells,fraction\n";
    if (scenario.sweep.replicates > 1) {
      files_->replicate_summary = std::make_unique<AtomicFile>(dir_ / "replicate_summary.csv");
      files_->replicate_summary->stream() << "sample,metric,unit,n,mean,sd,se\n";
      files_->replicate_metrics.resize(plan.metrics.size());
      files_->current_sample = shard.first_sample;  // a shard's first sample is not 0
    }
  }

  if (scenario.outputs.bands) {
    files_->spill_path = shard.index > 0
                             ? dir_ / "band_values.bin"
                             : dir_ / (".band_values.bin.tmp." + std::to_string(::getpid()));
    files_->spill = std::make_unique<BandSpill>(files_->spill_path,
                                                plan.output_times.size() * plan.columns.size());
    band_row_.resize(plan.output_times.size() * plan.columns.size());
  }
}

std::vector<std::string> OutputWriter::band_variables() const {
  std::vector<std::string> names;
  for (const auto& c : plan_.columns) {
    names.push_back(plan_.model->name_of(c));
  }
  return names;
}

OutputWriter::~OutputWriter() {
  if (files_ && files_->spill && shard_.index == 0) {
    std::error_code ignored;
    std::filesystem::remove(files_->spill_path, ignored);
  }
}

void OutputWriter::consume(const RunRecord& run) {
  const SampleResult& r = *run.result;
  bool write_series = files_->timeseries != nullptr;
  if (write_series && scenario_.outputs.timeseries == OutputSettings::Series::subset) {
    const auto& subset = scenario_.outputs.timeseries_samples;
    while (files_->next_subset < subset.size() && subset[files_->next_subset] < run.sample) {
      ++files_->next_subset;
    }
    write_series = files_->next_subset < subset.size() && subset[files_->next_subset] == run.sample;
  }
  if (write_series) {
    if (files_->manufacturing_timeseries) {
      write_series_rows(files_->manufacturing_timeseries->stream(), line_, run,
                        plan_.chain->manufacturing.output_times, r.manufacturing_rows,
                        r.manufacturing_series);
    }
    write_series_rows(files_->timeseries->stream(), line_, run, plan_.output_times, r.rows,
                      r.series);
  }

  line_ = fmt::format("{},{}", run.sample, run.replicate);
  for (double v : *run.inputs) {
    line_ += ',';
    line_ += format_number(v);
  }
  line_ += ',';
  line_ += !r.ok ? "failed" : r.status.empty() ? "ok" : r.status;
  for (double v : r.metrics) {
    line_ += ',';
    line_ += format_number(v);
  }
  line_ += fmt::format(",{},{},{},{},{},{}\n", r.stats.steps, r.stats.rhs_evaluations,
                       r.stats.jacobian_evaluations, r.stats.events_fired,
                       format_number(r.stats.t_final), csv_quote(r.message));
  files_->summary->stream() << line_;

  if (files_->distributions) {
    std::ostream& out = files_->distributions->stream();
    for (const auto& h : r.distributions) {
      double total = 0.0;
      for (double c : h.cells) {
        total += c;
      }
      for (std::size_t b = 0; b < h.cells.size(); ++b) {
        out << fmt::format("{},{},{},{},{},{},{},{}\n", run.sample, run.replicate,
                           csv_quote(h.name), csv_quote(h.unit), format_number(h.lower[b]),
                           std::isinf(h.upper[b]) ? std::string("inf") : format_number(h.upper[b]),
                           format_number(h.cells[b]),
                           format_number(total > 0.0 ? h.cells[b] / total : 0.0));
      }
    }
  }
  if (files_->replicate_summary) {
    if (run.sample != files_->current_sample) {
      write_replicate_rows(files_->replicate_summary->stream(), files_->current_sample, plan_,
                           files_->replicate_metrics);
      files_->current_sample = run.sample;
    }
    for (std::size_t m = 0; m < r.metrics.size() && m < files_->replicate_metrics.size(); ++m) {
      files_->replicate_metrics[m].push_back(r.ok ? r.metrics[m] : std::nan(""));
    }
  }

  if (files_->spill) {
    // Row-major by time then variable; NaN where the run has no value.
    const std::size_t columns = plan_.columns.size();
    std::fill(band_row_.begin(), band_row_.end(), std::nan(""));
    if (r.ok) {
      for (std::size_t row = 0; row < r.rows; ++row) {
        for (std::size_t c = 0; c < columns; ++c) {
          band_row_[row * columns + c] =
              r.series(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(c));
        }
      }
    }
    files_->spill->append(band_row_);
  }
}

void OutputWriter::finish(const SweepStats& stats, const std::string& started_utc) {
  if (files_->timeseries) {
    files_->timeseries->commit();
  }
  if (files_->manufacturing_timeseries) {
    files_->manufacturing_timeseries->commit();
  }
  files_->summary->commit();
  if (files_->distributions) {
    files_->distributions->commit();
  }
  if (files_->replicate_summary) {
    if (!files_->replicate_metrics.empty() && !files_->replicate_metrics.front().empty()) {
      write_replicate_rows(files_->replicate_summary->stream(), files_->current_sample, plan_,
                           files_->replicate_metrics);
    }
    files_->replicate_summary->commit();
  }
  if (files_->spill) {
    files_->spill->finish();
    if (shard_.index == 0) {
      write_bands(dir_, band_variables(), plan_.output_times, {files_->spill_path});
      std::error_code ignored;
      std::filesystem::remove(files_->spill_path, ignored);
    }
  }
  write_columns(dir_, scenario_, plan_, inputs_);

  using nlohmann::json;
  const auto& o = plan_.solver.options;
  json j;
  j["cartsim_version"] = version_string;
  j["git_commit"] = git_commit;
  j["scenario"] = {{"file", scenario_.file},
                   {"name", scenario_.name},
                   {"sha256", detail::sha256_hex(scenario_.text)},
                   {"schema_version", scenario_.schema_version}};
  j["model"] = plan_.model->info().name;
  if (plan_.chain) {
    j["chain"] = {{"manufacturing", plan_.chain->manufacturing.model->info().name},
                  {"patient", plan_.chain->patient.model->info().name}};
  }
  j["seed"] = scenario_.seed;
  j["solver"] = {{"name", plan_.solver.name},
                 {"rtol", o.rtol},
                 {"atol", o.atol},
                 {"max_steps", o.max_steps},
                 {"first_step_d", o.first_step},
                 {"max_step_d", o.max_step}};
  j["time_span_d"] = {plan_.problem.t0, plan_.problem.t_end};
  j["samples"] = {{"total", inputs_.samples()},
                  {"replicates", scenario_.sweep.replicates},
                  {"runs", stats.runs},
                  {"failed", stats.failed}};
  if (shard_.index > 0) {
    j["shard"] = {{"index", shard_.index},
                  {"count", shard_.count},
                  {"first_sample", shard_.first_sample},
                  {"end_sample", shard_.end_sample}};
  }
  if (scenario_.outputs.bands) {
    j["band_layout"] = {{"variables", band_variables()}, {"times_d", plan_.output_times}};
  }
  j["scenario"]["text"] = scenario_.text;
  if (const auto* spec = &scenario_.sweep; spec->population) {
    j["samples"]["design_points"] = spec->points;
    j["samples"]["subjects"] = spec->population->subjects;
  } else {
    j["samples"]["design_points"] = inputs_.samples();
    j["samples"]["subjects"] = 1;
  }
  if (plan_.chain) {
    j["report"] = {{"timeseries", report_series(plan_.chain->patient, plan_, "patient.")},
                   {"manufacturing_timeseries",
                    report_series(plan_.chain->manufacturing, plan_, "manufacturing.")}};
  } else {
    j["report"] = {{"timeseries", report_series(plan_, plan_, "")}};
  }
  j["threads"] = stats.threads;
  j["wall_time_s"] = stats.wall_seconds;
  j["started_utc"] = started_utc;
  json files = json::array();
  for (const char* f : output_file_names()) {
    if (std::filesystem::exists(dir_ / f)) {
      files.push_back(f);
    }
  }
  files.push_back("run.json");
  j["files"] = files;
  write_file_atomically(dir_ / "run.json", j.dump(2) + "\n");
}

void write_bands(const std::filesystem::path& dir, const std::vector<std::string>& variables,
                 const std::vector<double>& times,
                 const std::vector<std::filesystem::path>& spills) {
  const auto bands = compute_bands(spills);
  AtomicFile file(dir / "bands.csv");
  std::ostream& out = file.stream();
  out << "variable,time,n,p05,p25,p50,p75,p95\n";
  const std::size_t columns = variables.size();
  for (std::size_t c = 0; c < columns; ++c) {
    for (std::size_t t = 0; t < times.size(); ++t) {
      const auto& b = bands.at(t * columns + c);
      out << csv_quote(variables[c]) << ',' << format_number(times[t]) << ','
          << format_number(b[0]);
      for (std::size_t k = 1; k < b.size(); ++k) {
        out << ',' << format_number(b[k]);
      }
      out << '\n';
    }
  }
  file.commit();
}

}  // namespace cartsim
