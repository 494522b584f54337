// Validation of cart_patient against the tisagenlecleucel label and ELIANA.
//
// 1. The typical patient (scenarios/examples/cart_patient_typical.yaml: 30 kg, 70 % marrow blasts,
//    3.0e6 CAR+ cells/kg after flu/cy): Tmax within 7-14 d, Cmax within a factor 2 of 24,000
//    copies/ug (Stein 2019 typical value).
// 2. The virtual population (scenarios/examples/cart_patient_population.yaml, >= 1,000 patients,
//    run in-process through the sweep runner with the scenario's seed): responders (< 5 % marrow
//    blasts on day 28) and non-responders each have geometric-mean Cmax and AUC(0-28) within a
//    factor 2 of the Kymriah label table; remission on day 28 in 70-90 % (ELIANA 81 %); CRS of any
//    grade (IL-6 grade proxy >= 1, i.e. IL-6 signal >= 40 pg/mL) in 60-90 % (ELIANA 77 %).
// Every figure is printed beside its target and source; the program exits 1 on any failure.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"
#include "cartsim/sweeps/sweep_runner.hpp"

#ifndef CARTSIM_VALIDATION_DIR
#error "CARTSIM_VALIDATION_DIR must be defined"
#endif

using namespace cartsim;

namespace {
const std::string root = std::string(CARTSIM_VALIDATION_DIR) + "/..";

std::size_t metric_index(const RunPlan& plan, const std::string& name) {
  for (std::size_t i = 0; i < plan.metrics.size(); ++i) {
    if (plan.metrics[i].name == name) {
      return i;
    }
  }
  throw std::runtime_error("the scenario does not compute metric " + name);
}

struct Report {
  int passed = 0;
  int failed = 0;
  void line(const std::string& figure, double measured, const std::string& target, bool ok,
            const std::string& source) {
    (ok ? passed : failed) += 1;
    std::cout << fmt::format("{:<34} {:>12.4g}  {:<26} {}  {}\n", figure, measured, target,
                             ok ? "PASS" : "FAIL", source);
  }
  void info(const std::string& figure, double measured, const std::string& target,
            const std::string& source) {
    std::cout << fmt::format("{:<34} {:>12.4g}  {:<26} info  {}\n", figure, measured, target,
                             source);
  }
};

bool within_factor(double measured, double target, double factor) {
  return measured >= target / factor && measured <= target * factor;
}

/// Keeps the metrics of every run (the sink sees runs in sample order).
struct Collect final : ResultSink {
  std::vector<std::vector<double>> metrics;
  std::size_t failed = 0;
  void consume(const RunRecord& run) override {
    if (!run.result->ok) {
      ++failed;
      std::cerr << "sample " << run.sample << " failed: " << run.result->message << '\n';
      return;
    }
    metrics.push_back(run.result->metrics);
  }
};

double geometric_mean(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) {
    sum += std::log(x);
  }
  return std::exp(sum / static_cast<double>(v.size()));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

int main() {
  const YAML::Node ref =
      YAML::LoadFile(std::string(CARTSIM_VALIDATION_DIR) + "/reference/cart_patient.yaml");
  Report report;
  std::cout << fmt::format("{:<34} {:>12}  {:<26} {}  {}\n", "figure", "cartsim", "target",
                           "result", "source");

  // 1. Typical patient.
  const YAML::Node typ = ref["typical_patient"];
  {
    const Scenario scenario = load_scenario(root + "/" + typ["scenario"].as<std::string>());
    const RunPlan plan = make_plan(scenario);
    Simulator simulator(plan, scenario.seed);
    const SampleResult r = simulator.run(0);
    if (!r.ok) {
      std::cerr << "typical patient failed: " << r.message << '\n';
      return 1;
    }
    const double tmax = r.metrics[metric_index(plan, "Tmax")];
    const double cmax = r.metrics[metric_index(plan, "Cmax")];
    const double lo = typ["tmax_days"]["min"].as<double>();
    const double hi = typ["tmax_days"]["max"].as<double>();
    report.line("typical Tmax (d)", tmax, fmt::format("[{:g}, {:g}] d", lo, hi),
                tmax >= lo && tmax <= hi, typ["tmax_days"]["source"].as<std::string>());
    const double target = typ["cmax"]["value"].as<double>();
    const double factor = typ["cmax"]["factor"].as<double>();
    report.line("typical Cmax (copies/ug)", cmax, fmt::format("{:g} (x/ {:g})", target, factor),
                within_factor(cmax, target, factor), typ["cmax"]["source"].as<std::string>());
  }

  // 2. Virtual population.
  const YAML::Node pop = ref["population"];
  const Scenario scenario = load_scenario(root + "/" + pop["scenario"].as<std::string>());
  const RunPlan plan = make_plan(scenario);
  const SampleInputs inputs(scenario, plan);
  Collect sink;
  const auto start = std::chrono::steady_clock::now();
  const SweepStats stats = run_sweep(scenario, plan, inputs, SweepOptions{}, sink);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("population: {} patients, {} failed, {:.2f} s wall on {} thread(s)\n",
                           stats.runs, stats.failed, seconds, stats.threads);
  const std::size_t min_subjects = pop["min_subjects"].as<std::size_t>();
  report.line("population size", static_cast<double>(sink.metrics.size()),
              fmt::format(">= {} (none failed)", min_subjects),
              sink.metrics.size() >= min_subjects && sink.failed == 0, "validation requirement");

  const std::size_t i_cmax = metric_index(plan, "Cmax");
  const std::size_t i_auc = metric_index(plan, "AUC_0_28");
  const std::size_t i_tmax = metric_index(plan, "Tmax");
  const std::size_t i_resp = metric_index(plan, "response_day28");
  const std::size_t i_crs = metric_index(plan, "crs_grade_peak");
  std::vector<double> cmax[2], auc[2], tmax[2];  // [0] non-responders, [1] responders
  std::size_t crs_any = 0;
  std::size_t crs_severe = 0;
  for (const auto& m : sink.metrics) {
    const int group = m[i_resp] > 0.5 ? 1 : 0;
    cmax[group].push_back(m[i_cmax]);
    auc[group].push_back(m[i_auc]);
    tmax[group].push_back(m[i_tmax]);
    crs_any += m[i_crs] >= 1.0 ? 1 : 0;
    crs_severe += m[i_crs] >= 3.0 ? 1 : 0;
  }
  const double n = static_cast<double>(sink.metrics.size());
  const double factor = pop["factor"].as<double>();
  const std::string label = pop["label_source"].as<std::string>();
  const char* group_name[2] = {"non_responders", "responders"};
  const char* group_text[2] = {"non-responders", "responders"};
  for (int g : {1, 0}) {
    const YAML::Node t = pop[group_name[g]];
    if (cmax[g].empty()) {
      report.line(fmt::format("{} (count)", group_text[g]), 0.0, "> 0", false, label);
      continue;
    }
    const double c_target = t["cmax_geo_mean"].as<double>();
    const double a_target = t["auc_0_28_geo_mean"].as<double>();
    const double c = geometric_mean(cmax[g]);
    const double a = geometric_mean(auc[g]);
    report.line(fmt::format("{} geo-mean Cmax", group_text[g]), c,
                fmt::format("{:g} (x/ {:g})", c_target, factor), within_factor(c, c_target, factor),
                label);
    report.line(fmt::format("{} geo-mean AUC0-28", group_text[g]), a,
                fmt::format("{:g} (x/ {:g})", a_target, factor), within_factor(a, a_target, factor),
                label);
    report.info(fmt::format("{} median Tmax (d)", group_text[g]), median(tmax[g]),
                fmt::format("{:g} d", t["tmax_median_days"].as<double>()), label);
  }
  const double remission = static_cast<double>(cmax[1].size()) / n;
  const YAML::Node rem = pop["remission_day28"];
  report.line("remission on day 28 (fraction)", remission,
              fmt::format("[{:g}, {:g}] ({:g})", rem["min"].as<double>(), rem["max"].as<double>(),
                          rem["value"].as<double>()),
              remission >= rem["min"].as<double>() && remission <= rem["max"].as<double>(),
              rem["source"].as<std::string>());
  const double crs = static_cast<double>(crs_any) / n;
  const YAML::Node c = pop["crs_any_grade"];
  report.line("CRS any grade (fraction)", crs,
              fmt::format("[{:g}, {:g}] ({:g})", c["min"].as<double>(), c["max"].as<double>(),
                          c["value"].as<double>()),
              crs >= c["min"].as<double>() && crs <= c["max"].as<double>(),
              c["source"].as<std::string>());
  report.info("CRS grade proxy >= 3 (fraction)", static_cast<double>(crs_severe) / n,
              fmt::format("{:g}", pop["crs_grade3_plus"]["value"].as<double>()),
              pop["crs_grade3_plus"]["source"].as<std::string>());

  std::cout << fmt::format("{} passed, {} failed\n", report.passed, report.failed);
  return report.failed == 0 ? 0 : 1;
}
