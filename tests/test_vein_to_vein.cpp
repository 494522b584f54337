// Vein-to-vein chains (issue 7): a prodigy_tct run chained into a cart_patient run. The product is
// checked against quantities known in closed form from the two halves run on their own: the dose
// under whole-product dosing with a cap, the label's weight bands, a failed release (not infused
// unless the scenario says so), the sweep paths of each half, and bitwise reproducibility across
// thread counts.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/simulation/input_paths.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"
#include "cartsim/sweeps/sweep_runner.hpp"

namespace cartsim {
namespace {

// A shortened Prodigy run (seeded, selected, activated, transduced at MOI, fed, harvested day 10).
std::string manufacturing_block(double moi) {
  return R"(manufacturing:
  model: prodigy_tct
  protocol:
    - at: 0
      seed: {cells: 3.6e8, t_cell_fraction: 0.5, volume_ml: 70, il2_iu: 7000}
    - at: 0
      select: {recovery: 0.55, purity: 0.89}
    - at: 0
      activate: {transact_ul_per_ml: 10, duration_d: 4}
    - at: 1
      feed: {volume_ml: 30, il2_iu: 3000}
    - at: 1
      transduce: {moi: )" + std::to_string(moi) + R"(}
    - at: 3
      wash: {cell_loss: 0.10, volume_ml: 100, il2_iu: 10000}
    - at: [4, 5, 6, 7, 8, 9]
      medium_exchange: {removed_fraction: 0.8, volume_ml: 200, il2_iu: 20000}
    - at: 10
      harvest: {}
  solver: {name: cvode_bdf, rtol: 1.0e-6, atol: 1.0e-6}
  outputs:
    times: [0, 10]
    metrics: [harvest_car_cells, harvest_car_fraction, release_pass]
)";
}

std::string patient_block(double weight_kg) {
  return R"(patient:
  model: cart_patient
  parameters: {body_weight_kg: )" + std::to_string(weight_kg) + R"(}
  time: {start: -5, end: 30}
  protocol:
    - at: -4
      lymphodeplete: {}
    - at: 0
      infuse: {fraction: 0.5}
    - at: 1
      infuse: {fraction: 0.5}
  outputs:
    times: [-5, 0, 7, 14, 28]
    variables: [car_t_per_ul, marrow_blasts_pct]
    metrics:
      - Cmax
      - response_day28
      - {name: infused_total, kind: final, variable: car_infused}
      - {name: memory_day0, kind: value_at, variable: car_memory_share, at: 0.01}
)";
}

Scenario chain(double moi, double weight_kg, const std::string& product,
               const std::string& tail = "") {
  return parse_scenario("cartsim: 1\nseed: 5\n" + manufacturing_block(moi) +
                            patient_block(weight_kg) + product + tail,
                        "<chain>");
}

struct Collect final : ResultSink {
  std::vector<SampleResult> results;
  void consume(const RunRecord& run) override { results.push_back(*run.result); }
};

std::vector<SampleResult> run_all(const Scenario& s, int threads = 1) {
  const RunPlan plan = make_plan(s);
  const SampleInputs inputs(s, plan);
  Collect sink;
  SweepOptions options;
  options.threads = threads;
  run_sweep(s, plan, inputs, options, sink);
  return sink.results;
}

double metric(const Scenario& s, const SampleResult& r, const std::string& name) {
  for (std::size_t i = 0; i < s.outputs.metrics.size(); ++i) {
    if (s.outputs.metrics[i].name == name) {
      return r.metrics.at(i);
    }
  }
  FAIL("no metric " << name);
  return 0.0;
}

/// The manufacturing half alone, as a single-model scenario: its harvest CAR+ cells.
double standalone_car_cells(double moi) {
  std::string text = "cartsim: 1\n" + manufacturing_block(moi);
  // Un-indent the half into a top-level scenario.
  std::string flat;
  std::size_t start = text.find("manufacturing:\n") + 15;
  flat = "cartsim: 1\n";
  for (std::size_t pos = start; pos < text.size();) {
    const std::size_t end = text.find('\n', pos);
    flat += text.substr(pos + 2, end - pos - 2) + "\n";
    pos = end + 1;
  }
  const Scenario s = parse_scenario(flat, "<manufacturing>");
  const RunPlan plan = make_plan(s);
  Simulator sim(plan, 0);
  const SampleResult r = sim.run(0);
  REQUIRE(r.ok);
  return r.metrics.at(0);  // harvest_car_cells
}

}  // namespace

TEST_CASE("vein to vein: the product is the harvest, whole-product dosing obeys the cap",
          "[vein]") {
  const double harvest = standalone_car_cells(5.0);
  REQUIRE(harvest > 1e8);

  SECTION("cap below the harvest: the dose is the cap") {
    const Scenario s = chain(5.0, 30.0, "product: {dose: whole_product, cap_cells: 2.0e8}\n");
    const auto r = run_all(s).at(0);
    REQUIRE(r.ok);
    CHECK(r.status.empty());
    CHECK(metric(s, r, "product.car_cells") == harvest);  // same run, same bits
    CHECK(metric(s, r, "manufacturing.harvest_car_cells") == harvest);
    CHECK(metric(s, r, "product.dose_cells") == 2.0e8);
    CHECK(metric(s, r, "product.dose_per_kg") == 2.0e8 / 30.0);
    CHECK(metric(s, r, "product.infused") == 1.0);
    // Two infuse steps of 0.5 each give the whole prescription.
    CHECK(std::abs(metric(s, r, "patient.infused_total") - 2.0e8) <= 1e-6 * 2.0e8);
  }
  SECTION("cap above the harvest: the dose is the harvest times the recovery") {
    const Scenario s = chain(
        5.0, 30.0, "product: {dose: whole_product, cap_cells: 1.0e12, recovery: 0.75}\n");
    const auto r = run_all(s).at(0);
    REQUIRE(r.ok);
    CHECK(metric(s, r, "product.dose_cells") == harvest * 0.75);
    CHECK(std::abs(metric(s, r, "patient.infused_total") - harvest * 0.75) <= 1e-6 * harvest);
  }
  SECTION("memory fraction and VCN of the product reach the patient") {
    const Scenario narrow =
        chain(5.0, 30.0, "product: {dose: {cells: 1.0e8}, memory_like: [naive_scm]}\n");
    const Scenario wide =
        chain(5.0, 30.0, "product: {dose: {cells: 1.0e8}, memory_like: [naive_scm, cm]}\n");
    const auto n = run_all(narrow).at(0);
    const auto w = run_all(wide).at(0);
    REQUIRE(n.ok);
    REQUIRE(w.ok);
    const double mn = metric(narrow, n, "product.memory_fraction");
    const double mw = metric(wide, w, "product.memory_fraction");
    CHECK(mn > 0.0);
    CHECK(mw > mn + 0.05);
    CHECK(mw < 1.0);
    CHECK(metric(narrow, n, "product.dose_cells") == 1.0e8);
    CHECK(metric(narrow, n, "product.vcn") == metric(wide, w, "product.vcn"));
    CHECK(metric(narrow, n, "product.vcn") > 1.0);
    // Just after the first infusion the memory-like share is the product's.
    const double sn = metric(narrow, n, "patient.memory_day0");
    const double sw = metric(wide, w, "patient.memory_day0");
    CHECK(sw > sn + 0.05);
    CHECK(std::abs(sn - mn) < 0.01);
    CHECK(std::abs(sw - mw) < 0.01);
  }
}

TEST_CASE("vein to vein: label dosing follows the weight bands", "[vein]") {
  const std::string sweep =
      "sweep:\n  factors:\n    - {path: patient.parameters.body_weight_kg, values: [20, 50, 70]}\n";
  SECTION("a large product: the band maxima, 5e6/kg up to 50 kg, 2.5e8 above") {
    const Scenario s = chain(5.0, 30.0, "product: {dose: label}\n", sweep);
    const auto rs = run_all(s);
    REQUIRE(rs.size() == 3);
    const double expected[] = {5.0e6 * 20, 5.0e6 * 50, 2.5e8};
    for (std::size_t i = 0; i < 3; ++i) {
      REQUIRE(rs[i].ok);
      CHECK(metric(s, rs[i], "product.dose_cells") == expected[i]);
      CHECK(std::abs(metric(s, rs[i], "patient.infused_total") - expected[i]) <=
            1e-6 * expected[i]);
    }
    CHECK(metric(s, rs[2], "product.weight_kg") == 70.0);
  }
  SECTION("a small product (cap 5e6 cells): per kg too low for 50 kg, flat too low above") {
    // 5e6 cells: 20 kg -> 2.5e5/kg (in band); 50 kg -> 1e5/kg (< 2e5: not infused);
    // 70 kg -> 5e6 cells (< 1e7: not infused).
    const Scenario s = chain(5.0, 30.0, "product: {dose: label, cap_cells: 5.0e6}\n", sweep);
    const auto rs = run_all(s);
    REQUIRE(rs.size() == 3);
    CHECK(rs[0].status.empty());
    CHECK(metric(s, rs[0], "product.dose_cells") == 5.0e6);
    for (std::size_t i : {1, 2}) {
      CHECK(rs[i].ok);
      CHECK(rs[i].status == "not_infused");
      CHECK_THAT(rs[i].message, Catch::Matchers::Contains("below the label"));
      CHECK(metric(s, rs[i], "product.infused") == 0.0);
      CHECK(std::isnan(metric(s, rs[i], "patient.Cmax")));
      CHECK(rs[i].rows == 0);
    }
  }
}

TEST_CASE("vein to vein: a product failing release is not infused unless the scenario says so",
          "[vein]") {
  // MOI 0.2: CAR+ fraction below the ARI-0001 minimum of 20 %.
  const Scenario refused = chain(0.2, 30.0, "product: {dose: label}\n");
  const auto r = run_all(refused).at(0);
  REQUIRE(r.ok);
  CHECK(metric(refused, r, "product.release_pass") == 0.0);
  CHECK(metric(refused, r, "manufacturing.harvest_car_fraction") < 0.2);
  CHECK(r.status == "not_infused");
  CHECK_THAT(r.message, Catch::Matchers::Contains("failed release"));
  CHECK(metric(refused, r, "product.dose_cells") == 0.0);
  CHECK(std::isnan(metric(refused, r, "patient.response_day28")));

  const Scenario forced = chain(0.2, 30.0, "product: {dose: label, infuse_failed_release: true}\n");
  const auto f = run_all(forced).at(0);
  REQUIRE(f.ok);
  CHECK(f.status.empty());
  CHECK(metric(forced, f, "product.release_pass") == 0.0);
  CHECK(metric(forced, f, "product.infused") == 1.0);
  CHECK(metric(forced, f, "product.dose_cells") > 0.0);
  CHECK(metric(forced, f, "patient.Cmax") > 0.0);
}

TEST_CASE("vein to vein: sweep paths address each half; the product's settings are not inputs",
          "[vein]") {
  const Scenario s = chain(5.0, 30.0, "");
  const auto moi = resolve_input_path(s, "manufacturing.protocol[4].transduce.moi");
  REQUIRE(moi);
  CHECK(moi->stage == Assignment::Stage::manufacturing);
  CHECK(moi->index == 4);
  const auto weight = resolve_input_path(s, "patient.parameters.body_weight_kg");
  REQUIRE(weight);
  CHECK(weight->stage == Assignment::Stage::patient);
  CHECK(resolve_input_path(s, "patient.protocol[1].infuse.fraction"));
  CHECK_FALSE(resolve_input_path(s, "patient.protocol[1].infuse.cells"));
  CHECK_FALSE(resolve_input_path(s, "patient.protocol[2].infuse.vcn"));
  CHECK_FALSE(resolve_input_path(s, "manufacturing.parameters.patient_weight_kg"));
  CHECK_FALSE(resolve_input_path(s, "parameters.body_weight_kg"));
}

TEST_CASE("vein to vein: a chained sweep is bitwise the same on 1 and 2 threads", "[vein]") {
  const Scenario s = chain(
      5.0, 30.0, "product: {dose: label}\n",
      "sweep:\n  factors:\n    - {path: \"manufacturing.protocol[4].transduce.moi\", values: [0.2, 2, 8]}\n"
      "  population:\n    subjects: 3\n    covariates:\n"
      "      - {name: w, distribution: {uniform: {min: 15, max: 90}}}\n"
      "    rules:\n      - {path: patient.parameters.body_weight_kg, expression: w}\n"
      "    variability:\n      - {path: patient.parameters.proliferation_per_d, cv: 0.3}\n");
  const auto one = run_all(s, 1);
  const auto two = run_all(s, 2);
  REQUIRE(one.size() == 9);
  REQUIRE(two.size() == 9);
  std::size_t infused = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    CHECK(one[i].status == two[i].status);
    REQUIRE(one[i].metrics.size() == two[i].metrics.size());
    for (std::size_t m = 0; m < one[i].metrics.size(); ++m) {
      const double a = one[i].metrics[m];
      const double b = two[i].metrics[m];
      CHECK(((std::isnan(a) && std::isnan(b)) || a == b));
    }
    infused += metric(s, one[i], "product.infused") == 1.0 ? 1 : 0;
  }
  // MOI 0.2 fails release for every patient; the other two design points are infused.
  CHECK(infused == 6);
}

TEST_CASE("vein to vein: bad chains are rejected at the offending key", "[vein]") {
  auto error_of = [](const std::string& text) {
    try {
      parse_scenario(text, "chain.yaml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string base = "cartsim: 1\n" + manufacturing_block(5.0) + patient_block(30.0);
  CHECK_THAT(error_of(base + "product: {dose: label, cap: 1}\n"),
             Catch::Matchers::Contains("unknown key 'cap'"));
  CHECK_THAT(error_of(base + "product: {dose: half}\n"),
             Catch::Matchers::Contains("dose rule"));
  CHECK_THAT(error_of(base + "model: cart_patient\n"),
             Catch::Matchers::Contains("not both"));
  std::string with_cells = base;
  with_cells.replace(with_cells.find("infuse: {fraction: 0.5}"), 23,
                     "infuse: {fraction: 0.5, cells: 1e8}");
  CHECK_THAT(error_of(with_cells), Catch::Matchers::Contains("the product sets"));
  std::string swapped = base;
  swapped.replace(swapped.find("model: prodigy_tct"), 18, "model: cart_patient");
  CHECK_THAT(error_of(swapped),
             Catch::Matchers::Contains("cannot be the manufacturing half"));
  std::string no_infuse = base;
  no_infuse.replace(no_infuse.find("infuse: {fraction: 0.5}"), 23, "lymphodeplete: {}");
  no_infuse.replace(no_infuse.find("infuse: {fraction: 0.5}"), 23, "tocilizumab: {}");
  CHECK_THAT(error_of(no_infuse), Catch::Matchers::Contains("needs an 'infuse' step"));
  // Locations point into the half: file:line:column.
  CHECK_THAT(error_of(base + "product: {dose: {cells_per_kg: -1}}\n"),
             Catch::Matchers::Contains("chain.yaml:"));
}

}  // namespace cartsim
