// Validation of prodigy_tct against the published CliniMACS Prodigy TCT runs
// (validation/reference/prodigy_tct.yaml, copied with sources):
//   1. the default example (Zhu 2018 settings): fold expansion at day 13 and CAR+ fraction;
//   2. the ARI-0001 example (Castella 2019 Table 2): CAR+ fraction, VCN per cell, viability and the
//      release check;
//   3. mass balance: cells and glucose accounted for after every protocol step and at the end;
//   4. an MOI sweep: CAR+ rises and saturates while the vector copy number keeps rising.
// Every figure is printed beside its target, accepted range and source; any figure outside its
// range fails the program.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "cartsim/core/observer.hpp"
#include "cartsim/models/prodigy_tct.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/solvers/solver.hpp"

#ifndef CARTSIM_VALIDATION_DIR
#error "CARTSIM_VALIDATION_DIR must be defined"
#endif

using namespace cartsim;
using models::ProdigyTct;

namespace {

struct Report {
  int passed = 0;
  int failed = 0;
  void check(const std::string& figure, double measured, double target_low, double target_high,
             const std::string& target_text, const std::string& unit) {
    const bool ok = measured >= target_low && measured <= target_high;
    (ok ? passed : failed) += 1;
    std::cout << fmt::format("  {:<34} {:>12.4g}  {:<26} [{:g}, {:g}] {:<12} {}\n", figure,
                             measured, target_text, target_low, target_high, unit,
                             ok ? "PASS" : "FAIL");
  }
  void info(const std::string& figure, double measured, const std::string& published,
            const std::string& unit) {
    std::cout << fmt::format("  {:<34} {:>12.4g}  {:<26} (not gated)  {}\n", figure, measured,
                             published, unit);
  }
};

std::string values_text(const YAML::Node& node) {
  if (node.IsSequence()) {
    std::string text;
    for (std::size_t i = 0; i < node.size(); ++i) {
      text += (i ? " / " : "") + fmt::format("{:g}", node[i].as<double>());
    }
    return text;
  }
  return fmt::format("{:g}", node.as<double>());
}

void check_target(Report& report, const std::string& figure, double measured,
                  const YAML::Node& target) {
  report.check(figure, measured, target["min"].as<double>(), target["max"].as<double>(),
               "published " + values_text(target["value"]), target["unit"].as<std::string>());
}

double metric(const RunPlan& plan, const SampleResult& r, const std::string& name) {
  for (std::size_t i = 0; i < plan.metrics.size(); ++i) {
    if (plan.metrics[i].name == name) {
      return r.metrics[i];
    }
  }
  throw std::runtime_error("no metric " + name);
}

SampleResult run(const RunPlan& plan) {
  Simulator simulator(plan, 0);
  SampleResult r = simulator.run(0);
  if (!r.ok) {
    throw std::runtime_error("prodigy_tct run failed: " + r.message);
  }
  return r;
}

/// Largest relative cell and glucose balance residuals after every event and at the end.
struct BalanceObserver final : Observer {
  double worst_cells = 0.0;
  double worst_glucose = 0.0;
  int checks = 0;
  void record(std::span<const double> y) {
    const double cells_in = y[ProdigyTct::cells_added] + y[ProdigyTct::cells_born];
    if (cells_in <= 0.0) {
      return;  // before the seed there is nothing to account for
    }
    const double cells_out =
        ProdigyTct::all_cells(y) + y[ProdigyTct::cells_lysed] + y[ProdigyTct::cells_removed];
    const double glucose_in = y[ProdigyTct::glucose_added_mmol];
    const double glucose_out = y[ProdigyTct::glucose_mmol] + y[ProdigyTct::glucose_consumed_mmol] +
                               y[ProdigyTct::glucose_removed_mmol];
    worst_cells = std::max(worst_cells, std::abs(cells_in - cells_out) / cells_in);
    worst_glucose = std::max(worst_glucose, std::abs(glucose_in - glucose_out) / glucose_in);
    ++checks;
  }
  void on_start(double, std::span<const double> y, std::span<const double>) override { record(y); }
  void on_segment(const Segment&) override {}
  void on_event(double, const std::string&, std::span<const double> y,
                std::span<const double>) override {
    record(y);
  }
  void on_finish(double, std::span<const double> y, std::span<const double>) override { record(y); }
};

void mass_balance(Report& report, const RunPlan& plan, const std::string& name, double tolerance) {
  BalanceObserver observer;
  const auto solver = make_solver(plan.solver.name, plan.solver.options);
  solver->solve(plan.problem, observer);
  report.check(fmt::format("{}: cells ({} checks)", name, observer.checks), observer.worst_cells,
               0.0, tolerance, "relative residual", "1");
  report.check(fmt::format("{}: glucose ({} checks)", name, observer.checks),
               observer.worst_glucose, 0.0, tolerance, "relative residual", "1");
}

void set_moi(Scenario& scenario, double moi) {
  for (auto& step : scenario.protocol) {
    if (step.action.kind == ActionKind::model &&
        step.action.model_action == ProdigyTct::transduce) {
      step.action.settings[0] = moi;  // settings in declared order: moi first
    }
  }
}

}  // namespace

int main() {
  const std::string dir = CARTSIM_VALIDATION_DIR;
  const YAML::Node ref = YAML::LoadFile(dir + "/reference/prodigy_tct.yaml");
  Report report;
  std::cout << "prodigy_tct validation against " << dir << "/reference/prodigy_tct.yaml\n";
  std::cout << fmt::format("  {:<34} {:>12}  {:<26} {:<12} {:<12} {}\n", "figure", "cartsim",
                           "target", "accepted", "unit", "result");

  // 1. Zhu 2018 settings.
  const YAML::Node zhu = ref["zhu2018"];
  std::cout << "\n1. " << zhu["source"].as<std::string>() << "\n";
  Scenario zhu_scenario = load_scenario(dir + "/../" + zhu["scenario"].as<std::string>());
  const RunPlan zhu_plan = make_plan(zhu_scenario);
  const SampleResult zhu_run = run(zhu_plan);
  check_target(report, "fold expansion, day 13",
               metric(zhu_plan, zhu_run, "harvest_fold_expansion"), zhu["fold_expansion_day13"]);
  check_target(report, "CAR+ fraction", metric(zhu_plan, zhu_run, "harvest_car_fraction"),
               zhu["car_positive_fraction"]);
  report.info("EM + CM fraction of T cells",
              metric(zhu_plan, zhu_run, "harvest_em_fraction") +
                  metric(zhu_plan, zhu_run, "harvest_cm_fraction"),
              "mainly EM and CM", "1");

  // 2. ARI-0001 settings.
  const YAML::Node ari = ref["castella2019_ari0001"];
  std::cout << "\n2. " << ari["source"].as<std::string>() << "\n";
  Scenario ari_scenario = load_scenario(dir + "/../" + ari["scenario"].as<std::string>());
  const RunPlan ari_plan = make_plan(ari_scenario);
  const SampleResult ari_run = run(ari_plan);
  check_target(report, "CAR+ fraction", metric(ari_plan, ari_run, "harvest_car_fraction"),
               ari["car_positive_fraction"]);
  check_target(report, "VCN per cell", metric(ari_plan, ari_run, "harvest_vcn_per_cell"),
               ari["vcn_per_cell"]);
  check_target(report, "viability", metric(ari_plan, ari_run, "harvest_viability"),
               ari["viability"]);
  check_target(report, "release criteria pass", metric(ari_plan, ari_run, "release_pass"),
               ari["release_pass"]);
  report.info("VCN per CAR+ cell", metric(ari_plan, ari_run, "harvest_vcn_per_car_cell"),
              "derived " + values_text(ari["vcn_per_car_cell_derived"]), "copies/cell");
  report.info("CAR+ cells", metric(ari_plan, ari_run, "harvest_car_cells"),
              "reported " + values_text(ari["car_positive_cells"]), "cells");
  report.info("doses (70 kg, 1e6 CAR+/kg)", metric(ari_plan, ari_run, "doses_supported"), "-",
              "doses");

  // 3. Mass balance through every feed, sample, wash and exchange.
  const double tolerance = ref["mass_balance"]["tolerance_relative"].as<double>();
  std::cout << "\n3. Mass balance after every protocol step and at the end\n";
  mass_balance(report, zhu_plan, "default", tolerance);
  mass_balance(report, ari_plan, "ARI-0001", tolerance);

  // 4. MOI sweep (a loop: sweeps over protocol settings are not part of the scenario schema).
  const YAML::Node sweep = ref["moi_sweep"];
  std::cout << "\n4. MOI sweep on the ARI-0001 scenario: CAR+ saturates, VCN keeps rising\n";
  std::cout << fmt::format("  {:>8} {:>10} {:>12} {:>14}\n", "MOI", "CAR+", "VCN/cell",
                           "VCN/CAR+ cell");
  std::vector<double> car, vcn;
  const auto mois = sweep["mois"].as<std::vector<double>>();
  for (double moi : mois) {
    Scenario s = ari_scenario;
    set_moi(s, moi);
    const RunPlan plan = make_plan(s);
    const SampleResult r = run(plan);
    car.push_back(metric(plan, r, "harvest_car_fraction"));
    vcn.push_back(metric(plan, r, "harvest_vcn_per_cell"));
    std::cout << fmt::format("  {:>8g} {:>10.4f} {:>12.4f} {:>14.4f}\n", moi, car.back(),
                             vcn.back(), metric(plan, r, "harvest_vcn_per_car_cell"));
  }
  bool car_rising = true;
  bool vcn_rising = true;
  bool car_gain_shrinking = true;  // CAR+ gained per unit of MOI falls: a concave, saturating curve
  for (std::size_t i = 1; i < mois.size(); ++i) {
    car_rising = car_rising && car[i] > car[i - 1];
    vcn_rising = vcn_rising && vcn[i] > vcn[i - 1];
    if (i >= 2) {
      const double gain = (car[i] - car[i - 1]) / (mois[i] - mois[i - 1]);
      const double previous = (car[i - 1] - car[i - 2]) / (mois[i - 1] - mois[i - 2]);
      car_gain_shrinking = car_gain_shrinking && gain < previous;
    }
  }
  const std::size_t n = mois.size();
  report.check("CAR+ rises with MOI (1 = yes)", car_rising ? 1 : 0, 1, 1, "monotone", "1");
  report.check("VCN rises with MOI (1 = yes)", vcn_rising ? 1 : 0, 1, 1, "monotone", "1");
  report.check("CAR+ gain per unit MOI falls", car_gain_shrinking ? 1 : 0, 1, 1, "concave", "1");
  report.check(fmt::format("CAR+({:g}) / CAR+({:g})", mois[n - 1], mois[n - 2]),
               car[n - 1] / car[n - 2], 1.0, sweep["car_ratio_last_doubling_max"].as<double>(),
               "saturated", "1");
  report.check(fmt::format("VCN({:g}) / VCN({:g})", mois[n - 1], mois[n - 2]),
               vcn[n - 1] / vcn[n - 2], sweep["vcn_ratio_last_doubling_min"].as<double>(), 2.05,
               "still rising", "1");

  std::cout << fmt::format("\n{} passed, {} failed\n", report.passed, report.failed);
  return report.failed == 0 ? 0 : 1;
}
