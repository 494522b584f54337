// Vein-to-vein chains (issue 7): a prodigy_tct run chained into a cart_patient run. The product is
// checked against quantities known in closed form from the two halves run on their own: the dose
// under whole-product dosing with a cap, the label's weight bands, a failed release (not infused
// unless the scenario says so), the sweep paths of each half, and bitwise reproducibility across
// thread counts.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/simulation/input_paths.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/sweeps/merge.hpp"
#include "cartsim/sweeps/output_files.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"
#include "cartsim/sweeps/sweep_runner.hpp"
#include "sweep_support.hpp"

namespace cartsim {
namespace {

// A shortened Prodigy run (seeded, selected, activated, transduced at MOI, fed, harvested day 10),
// by prodigy_tct or another model with its protocol (prodigy_abm), with `extra` keys of the half.
std::string manufacturing_block(double moi, const std::string& model = "prodigy_tct",
                                const std::string& extra = "") {
  return R"(manufacturing:
  model: )" +
         model + "\n" + extra + R"(  protocol:
    - at: 0
      seed: {cells: 3.6e8, t_cell_fraction: 0.5, volume_ml: 70, il2_iu: 7000}
    - at: 0
      select: {recovery: 0.55, purity: 0.89}
    - at: 0
      activate: {transact_ul_per_ml: 10, duration_d: 4}
    - at: 1
      feed: {volume_ml: 30, il2_iu: 3000}
    - at: 1
      transduce: {moi: )" +
         std::to_string(moi) + R"(}
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
  parameters: {body_weight_kg: )" +
         std::to_string(weight_kg) + R"(}
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

namespace fs = std::filesystem;

/// The lines of a text file, header first.
std::vector<std::string> lines_of(const fs::path& file) {
  std::istringstream in(testing::read_file(file));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

/// The comma-separated fields of a CSV line (no quoted fields in the lines read here).
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string item; std::getline(in, item, ',');) {
    out.push_back(item);
  }
  if (!line.empty() && line.back() == ',') {
    out.emplace_back();
  }
  return out;
}

/// The column of `name` in a CSV header line.
std::size_t column(const std::string& header, const std::string& name) {
  const auto names = fields(header);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) {
      return i;
    }
  }
  FAIL("no column " << name << " in " << header);
  return 0;
}

/// The output files (besides run.json) in `dir`.
std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const char* f : output_file_names()) {
    if (fs::exists(dir / f)) {
      names.insert(f);
    }
  }
  return names;
}

/// Runs `text` whole (2 threads) and in `shards` shards (1 thread each), merges the shards, and
/// checks that the merge has the same files as the whole run, byte for byte. Returns the whole
/// run's directory.
fs::path check_merge(const std::string& text, const std::string& name, std::size_t shards) {
  const fs::path whole = testing::fresh_dir("vein_" + name + "_whole");
  testing::run_to(text, whole, 2);
  std::vector<fs::path> parts;
  for (std::size_t k = 1; k <= shards; ++k) {
    parts.push_back(testing::fresh_dir("vein_" + name + "_shard" + std::to_string(k)));
    testing::run_to(text, parts.back(), 1, ShardInfo{k, shards, 0, 0});
  }
  const fs::path merged = testing::fresh_dir("vein_" + name + "_merged");
  merge_shards(parts, merged);
  std::set<std::string> expected = files_in(whole);
  CHECK(files_in(merged) == expected);
  for (const auto& f : expected) {
    INFO(name << ": " << f);
    CHECK(testing::read_file(merged / f) == testing::read_file(whole / f));
  }
  return whole;
}

/// A chain with prodigy_abm (2000 agents) as the manufacturing half, whole-product dosing.
std::string abm_chain(const std::string& sweep) {
  return "cartsim: 1\nseed: 9\n" +
         manufacturing_block(5.0, "prodigy_abm", "  parameters: {abm_agents: 2000}\n") +
         patient_block(30.0) + "product: {dose: whole_product}\n" + sweep;
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
    const Scenario s =
        chain(5.0, 30.0, "product: {dose: whole_product, cap_cells: 1.0e12, recovery: 0.75}\n");
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
  const Scenario s =
      chain(5.0, 30.0, "product: {dose: label}\n",
            "sweep:\n  factors:\n    - {path: \"manufacturing.protocol[4].transduce.moi\", values: "
            "[0.2, 2, 8]}\n"
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
  CHECK_THAT(error_of(base + "product: {dose: half}\n"), Catch::Matchers::Contains("dose rule"));
  CHECK_THAT(error_of(base + "model: cart_patient\n"), Catch::Matchers::Contains("not both"));
  std::string with_cells = base;
  with_cells.replace(with_cells.find("infuse: {fraction: 0.5}"), 23,
                     "infuse: {fraction: 0.5, cells: 1e8}");
  CHECK_THAT(error_of(with_cells), Catch::Matchers::Contains("the product sets"));
  std::string swapped = base;
  swapped.replace(swapped.find("model: prodigy_tct"), 18, "model: cart_patient");
  CHECK_THAT(error_of(swapped), Catch::Matchers::Contains("cannot be the manufacturing half"));
  std::string no_infuse = base;
  no_infuse.replace(no_infuse.find("infuse: {fraction: 0.5}"), 23, "lymphodeplete: {}");
  no_infuse.replace(no_infuse.find("infuse: {fraction: 0.5}"), 23, "tocilizumab: {}");
  CHECK_THAT(error_of(no_infuse), Catch::Matchers::Contains("needs an 'infuse' step"));
  // Locations point into the half: file:line:column.
  CHECK_THAT(error_of(base + "product: {dose: {cells_per_kg: -1}}\n"),
             Catch::Matchers::Contains("chain.yaml:"));
}

TEST_CASE("vein to vein: the manufacturing half's time series are written beside the patient's",
          "[vein][sweeps]") {
  // MOI 0.2 fails release (samples 0 and 1: not infused), MOI 5 is infused (samples 2 and 3).
  std::string made = manufacturing_block(5.0);  // the MOI is swept below
  made.replace(made.find("times: [0, 10]"), 14,
               "times: [0, 5, 10]\n    variables: [viable_cells, car_positive_cells]");
  const std::string sweep =
      "sweep:\n  factors:\n    - {path: \"manufacturing.protocol[4].transduce.moi\", values: [0.2, "
      "5]}\n"
      "  population:\n    subjects: 2\n    covariates:\n"
      "      - {name: w, distribution: {uniform: {min: 15, max: 90}}}\n"
      "    rules:\n      - {path: patient.parameters.body_weight_kg, expression: w}\n";
  auto text = [&](const std::string& series) {
    return "cartsim: 1\nseed: 5\n" + made + patient_block(30.0) + "product: {dose: label}\n" +
           "outputs: {timeseries: " + series + ", bands: true}\n" + sweep;
  };

  const fs::path dir = testing::fresh_dir("vein_series_all");
  testing::run_to(text("all"), dir, 2);
  const auto series = lines_of(dir / "manufacturing_timeseries.csv");
  REQUIRE(series.size() == 1 + 4 * 3);  // every sample, infused or not: days 0, 5, 10
  CHECK(series[0] == "sample,replicate,time,viable_cells,car_positive_cells");
  const auto summary = lines_of(dir / "summary.csv");
  REQUIRE(summary.size() == 5);
  const std::size_t car = column(summary[0], "product.car_cells");
  const std::size_t status = column(summary[0], "status");
  for (std::size_t sample = 0; sample < 4; ++sample) {
    const auto row = fields(summary[1 + sample]);
    CHECK(row[status] == (sample < 2 ? "not_infused" : "ok"));
    for (std::size_t k = 0; k < 3; ++k) {
      const auto f = fields(series[1 + sample * 3 + k]);
      CHECK(f[0] == std::to_string(sample));
      CHECK(f[2] == std::vector<std::string>{"0", "5", "10"}[k]);
    }
    // The harvest-day row is the product: the same number, to the last digit.
    CHECK(fields(series[3 + sample * 3])[4] == row[car]);
  }
  // The patient's file holds only the infused samples; the bands only the patient's variables.
  const auto patient = lines_of(dir / "timeseries.csv");
  REQUIRE(patient.size() == 1 + 2 * 5);
  CHECK(fields(patient[1])[0] == "2");
  CHECK(lines_of(dir / "bands.csv")[1].rfind("car_t_per_ul,", 0) == 0);
  // columns.csv describes the file; run.json lists it.
  const std::string columns = testing::read_file(dir / "columns.csv");
  CHECK_THAT(columns,
             Catch::Matchers::Contains("manufacturing_timeseries.csv,sample,1,sample index"));
  CHECK_THAT(columns,
             Catch::Matchers::Contains("manufacturing_timeseries.csv,car_positive_cells,cells,"));
  CHECK_THAT(columns, Catch::Matchers::Contains("\ntimeseries.csv,car_t_per_ul,"));
  CHECK_THAT(testing::read_file(dir / "run.json"),
             Catch::Matchers::Contains("\"manufacturing_timeseries.csv\""));

  SECTION("a subset of samples: both files hold the same samples") {
    const fs::path subset = testing::fresh_dir("vein_series_subset");
    testing::run_to(text("[1, 3]"), subset, 1);
    const auto m = lines_of(subset / "manufacturing_timeseries.csv");
    REQUIRE(m.size() == 1 + 2 * 3);
    CHECK(m[1] == series[1 + 3]);  // sample 1, day 0: as in the full run
    CHECK(m[4] == series[1 + 9]);  // sample 3
    const auto p = lines_of(subset / "timeseries.csv");
    REQUIRE(p.size() == 1 + 5);  // sample 1 was not infused
    CHECK(fields(p[1])[0] == "3");
  }
  SECTION("none: neither file, and an earlier run's is removed") {
    testing::run_to(text("none"), dir, 1);
    CHECK_FALSE(fs::exists(dir / "timeseries.csv"));
    CHECK_FALSE(fs::exists(dir / "manufacturing_timeseries.csv"));
    CHECK_THAT(testing::read_file(dir / "run.json"), !Catch::Matchers::Contains("timeseries.csv"));
  }
  SECTION("shards merged give the files of one run, byte for byte") {
    const fs::path whole = check_merge(text("all"), "series", 3);
    CHECK(fs::exists(whole / "manufacturing_timeseries.csv"));
    CHECK(fs::exists(whole / "bands.csv"));
    // Sample 1 only: the second shard's series files have a header and no rows.
    const fs::path one = check_merge(text("[1]"), "series_one", 2);
    CHECK(lines_of(one / "manufacturing_timeseries.csv").size() == 1 + 3);
    const fs::path second = fs::temp_directory_path() / "cartsim_test_vein_series_one_shard2";
    CHECK(lines_of(second / "manufacturing_timeseries.csv").size() == 1);
    CHECK(lines_of(second / "timeseries.csv").size() == 1);
  }
}

TEST_CASE("vein to vein: prodigy_abm as the manufacturing half", "[vein][prodigy_abm]") {
  // 2 MOIs x 3 replicates: each replicate manufactures its own product.
  const std::string text = abm_chain(
      "sweep:\n  replicates: 3\n  factors:\n"
      "    - {path: \"manufacturing.protocol[4].transduce.moi\", values: [2, 5]}\n");
  const Scenario s = parse_scenario(text, "abm.yaml");
  const auto one = run_all(s, 1);
  const auto two = run_all(s, 2);
  REQUIRE(one.size() == 6);
  REQUIRE(two.size() == 6);
  for (std::size_t i = 0; i < one.size(); ++i) {
    INFO("run " << i);
    REQUIRE(one[i].ok);
    CHECK(one[i].status.empty());
    CHECK(metric(s, one[i], "product.car_cells") > 1e8);
    CHECK(metric(s, one[i], "product.vcn") > 1.0);
    CHECK(metric(s, one[i], "product.infused") == 1.0);
    // Whole-product dosing: the patient gets the product (two infusions of half each).
    CHECK(metric(s, one[i], "product.dose_cells") == metric(s, one[i], "product.car_cells"));
    const double dose = metric(s, one[i], "product.dose_cells");
    CHECK(std::abs(metric(s, one[i], "patient.infused_total") - dose) <= 1e-6 * dose);
    CHECK(metric(s, one[i], "patient.Cmax") > 0.0);
    // The harvest's distributions travel with the result.
    CHECK(one[i].distributions.size() == 3);
    CHECK(one[i].manufacturing_rows == 2);
    // Bitwise the same on 2 threads.
    CHECK(one[i].metrics == two[i].metrics);
    CHECK(one[i].manufacturing_series == two[i].manufacturing_series);
    CHECK(one[i].series == two[i].series);
  }
  // Replicates are different products, and different patients' courses.
  for (std::size_t sample = 0; sample < 2; ++sample) {
    std::set<double> cells, vcn, cmax;
    for (std::size_t r = 0; r < 3; ++r) {
      const SampleResult& run = one[sample * 3 + r];
      cells.insert(metric(s, run, "product.car_cells"));
      vcn.insert(metric(s, run, "product.vcn"));
      cmax.insert(metric(s, run, "patient.Cmax"));
    }
    CHECK(cells.size() == 3);
    CHECK(vcn.size() == 3);
    CHECK(cmax.size() == 3);
  }
  // MOI 5 gives more copies per CAR+ cell than MOI 2 in every replicate.
  for (std::size_t r = 0; r < 3; ++r) {
    CHECK(metric(s, one[3 + r], "product.vcn") > metric(s, one[r], "product.vcn"));
  }

  SECTION("files: the harvest's distributions, the replicate summary, 1 and 2 threads, merge") {
    const fs::path dir = check_merge(text, "abm", 2);
    CHECK_FALSE(fs::exists(dir / "distributions.csv"));
    const auto dist = lines_of(dir / "manufacturing_distributions.csv");
    REQUIRE(!dist.empty());
    CHECK(dist[0] == "sample,replicate,distribution,unit,lower,upper,cells,fraction");
    CHECK(dist.size() == 1 + 6 * (31 + 41 + 32));
    CHECK(fields(dist.back())[0] == "1");
    CHECK(fields(dist.back())[1] == "2");
    const auto reps = lines_of(dir / "replicate_summary.csv");
    REQUIRE(reps.size() == 1 + 2 * s.outputs.metrics.size());
    CHECK(reps[0] == "sample,metric,unit,n,mean,sd,se");
    // product.car_cells of sample 1: the mean of its three replicates.
    bool found = false;
    for (const auto& line : reps) {
      const auto f = fields(line);
      if (f[0] == "1" && f[1] == "product.car_cells") {
        found = true;
        CHECK(f[3] == "3");
        const double mean =
            (metric(s, one[3], "product.car_cells") + metric(s, one[4], "product.car_cells") +
             metric(s, one[5], "product.car_cells")) /
            3.0;
        CHECK(std::stod(f[4]) == Approx(mean).epsilon(1e-12));
      }
    }
    CHECK(found);
    const std::string columns = testing::read_file(dir / "columns.csv");
    CHECK_THAT(columns,
               Catch::Matchers::Contains("manufacturing_distributions.csv,distribution,1,"));
    CHECK_THAT(columns, Catch::Matchers::Contains("replicate_summary.csv,mean,"));
    const fs::path single = testing::fresh_dir("vein_abm_threads1");
    testing::run_to(text, single, 1);
    for (const auto& f : files_in(dir)) {
      INFO(f);
      CHECK(testing::read_file(single / f) == testing::read_file(dir / f));
    }
  }
}

TEST_CASE("vein to vein: product rules are sweep paths", "[vein]") {
  const std::string per_kg = "product: {dose: {cells_per_kg: 1.0e6}}\n";
  SECTION("paths exist for the rules the scenario has") {
    const Scenario s = chain(5.0, 30.0, per_kg);
    const auto a = resolve_input_path(s, "product.dose.cells_per_kg");
    REQUIRE(a);
    CHECK(a->stage == Assignment::Stage::product);
    CHECK(resolve_input_path(s, "product.cap_cells"));
    CHECK(resolve_input_path(s, "product.recovery"));
    CHECK_FALSE(resolve_input_path(s, "product.dose.cells"));
    CHECK_FALSE(resolve_input_path(s, "product.infuse_failed_release"));
    const Scenario flat = chain(5.0, 30.0, "product: {dose: {cells: 1.0e8}}\n");
    CHECK(resolve_input_path(flat, "product.dose.cells"));
    CHECK_FALSE(resolve_input_path(flat, "product.dose.cells_per_kg"));
    const Scenario label = chain(5.0, 30.0, "");
    CHECK_FALSE(resolve_input_path(label, "product.dose.cells_per_kg"));
    CHECK(resolve_input_path(label, "product.recovery"));
    // Base values: the scenario's, or the defaults.
    const RunPlan plan = make_plan(s);
    CHECK(base_value(plan, *a) == 1.0e6);
    CHECK(base_value(plan, *resolve_input_path(s, "product.recovery")) == 1.0);
    CHECK(std::isinf(base_value(plan, *resolve_input_path(s, "product.cap_cells"))));
  }
  SECTION("a swept dose per kg: dose = value x weight when the product is not limiting") {
    const double harvest = standalone_car_cells(5.0);
    const Scenario s = chain(5.0, 30.0, per_kg,
                             "sweep:\n  factors:\n    - {path: product.dose.cells_per_kg, values: "
                             "[1.0e6, 2.0e6, 4.0e6]}\n"
                             "    - {path: patient.parameters.body_weight_kg, values: [20, 60]}\n");
    const auto rs = run_all(s);
    REQUIRE(rs.size() == 6);
    const double per_kg_values[] = {1.0e6, 2.0e6, 4.0e6};
    const double weights[] = {20.0, 60.0};
    for (std::size_t i = 0; i < 6; ++i) {
      const double expected = per_kg_values[i / 2] * weights[i % 2];
      REQUIRE(expected < harvest);
      REQUIRE(rs[i].ok);
      CHECK(metric(s, rs[i], "product.dose_cells") == expected);
      CHECK(std::abs(metric(s, rs[i], "patient.infused_total") - expected) <= 1e-6 * expected);
    }
  }
  SECTION("a covariate rule: dose per kg by weight band") {
    const Scenario s = chain(
        5.0, 30.0, per_kg,
        "sweep:\n  population:\n    subjects: 6\n    covariates:\n"
        "      - {name: weight_kg, distribution: {uniform: {min: 15, max: 100}}}\n"
        "    rules:\n      - {path: patient.parameters.body_weight_kg, expression: weight_kg}\n"
        "      - {path: product.dose.cells_per_kg, expression: \"weight_kg <= 50 ? 3.0e6 : "
        "1.5e6\"}\n");
    const RunPlan plan = make_plan(s);
    const SampleInputs inputs(s, plan);
    REQUIRE(inputs.columns() == std::vector<std::string>{"weight_kg",
                                                         "patient.parameters.body_weight_kg",
                                                         "product.dose.cells_per_kg"});
    const auto rs = run_all(s);
    REQUIRE(rs.size() == 6);
    std::set<double> rates;
    for (std::size_t i = 0; i < rs.size(); ++i) {
      std::vector<Assignment> a;
      std::vector<double> v;
      inputs.generate(i, a, v);
      const double rate = v[0] <= 50 ? 3.0e6 : 1.5e6;
      rates.insert(rate);
      CHECK(v[2] == rate);
      REQUIRE(rs[i].ok);
      CHECK(metric(s, rs[i], "product.dose_cells") == rate * v[0]);
    }
    CHECK(rates.size() == 2);  // both bands are represented
  }
  SECTION("recovery and cap: the dose follows the swept rules") {
    const double harvest = standalone_car_cells(5.0);
    const Scenario s =
        chain(5.0, 30.0, "product: {dose: whole_product}\n",
              "sweep:\n  factors:\n    - {path: product.recovery, values: [0.25, 0.5, 1]}\n"
              "    - {path: product.cap_cells, values: [1.0e8, 1.0e12]}\n");
    const auto rs = run_all(s);
    REQUIRE(rs.size() == 6);
    const double recovery[] = {0.25, 0.5, 1.0};
    for (std::size_t i = 0; i < 6; ++i) {
      REQUIRE(rs[i].ok);
      const double cap = i % 2 == 0 ? 1.0e8 : 1.0e12;
      CHECK(metric(s, rs[i], "product.dose_cells") == std::min(harvest * recovery[i / 2], cap));
    }
  }
  SECTION("variability on a product rule: a log-normal spread around the scenario's value") {
    const Scenario s = chain(5.0, 30.0, per_kg,
                             "sweep:\n  population:\n    subjects: 4\n    variability:\n"
                             "      - {path: product.dose.cells_per_kg, cv: 0.3}\n");
    const auto rs = run_all(s);
    std::set<double> doses;
    for (const auto& r : rs) {
      REQUIRE(r.ok);
      doses.insert(metric(s, r, "product.dose_per_kg"));
    }
    CHECK(doses.size() == 4);
    CHECK(*doses.begin() > 1.0e6 / 4);
    CHECK(*doses.rbegin() < 1.0e6 * 4);
  }
  SECTION("a sampled value out of range fails its sample, with the reason; the sweep goes on") {
    const Scenario s =
        chain(5.0, 30.0, per_kg,
              "sweep:\n  factors:\n    - {path: product.recovery, values: [0.5, 1.5]}\n"
              "    - {path: product.dose.cells_per_kg, values: [1.0e6, -1]}\n");
    const auto rs = run_all(s);
    REQUIRE(rs.size() == 4);
    CHECK(rs[0].ok);
    for (std::size_t i : {1, 2, 3}) {
      CHECK_FALSE(rs[i].ok);
      CHECK(rs[i].message.rfind("product: sampled product.", 0) == 0);
      CHECK(std::isnan(metric(s, rs[i], "product.car_cells")));
      CHECK(rs[i].stats.steps == 0);  // nothing ran
    }
    CHECK_THAT(rs[1].message,
               Catch::Matchers::Contains("product.dose.cells_per_kg = -1 must be > 0"));
    CHECK_THAT(rs[2].message,
               Catch::Matchers::Contains("product.recovery = 1.5 must be in (0, 1]"));
  }
  SECTION("a path the scenario does not have is an input error naming it") {
    auto error_of = [](const std::string& text) {
      try {
        parse_scenario(text, "chain.yaml");
      } catch (const ConfigError& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    const std::string base = "cartsim: 1\n" + manufacturing_block(5.0) + patient_block(30.0);
    const std::string label =
        error_of(base +
                 "product: {dose: label}\nsweep:\n  factors:\n"
                 "    - {path: product.dose.cells_per_kg, values: [1.0e6]}\n");
    CHECK_THAT(label, Catch::Matchers::Contains(
                          "unknown input path 'product.dose.cells_per_kg': "
                          "product.dose.cells_per_kg is an input only when product.dose is "
                          "{cells_per_kg: X}; this chain's dose is label"));
    CHECK_THAT(label, Catch::Matchers::Contains("product.recovery"));  // the valid paths listed
    const std::string flat = error_of(base +
                                      "product: {dose: {cells: 1.0e8}}\nsweep:\n  factors:\n"
                                      "    - {path: product.dose.cells_per_kg, values: [1.0e6]}\n");
    CHECK_THAT(flat, Catch::Matchers::Contains("did you mean 'product.dose.cells'?"));
    const std::string typo = error_of(base +
                                      "sweep:\n  population:\n    subjects: 2\n    variability:\n"
                                      "      - {path: product.recovry, cv: 0.1}\n");
    CHECK_THAT(typo, Catch::Matchers::Contains(
                         "unknown input path 'product.recovry'; did you mean 'product.recovery'?"));
    const std::string written = error_of(
        base +
        "sweep:\n  factors:\n    - {path: \"patient.protocol[1].infuse.cells\", values: [1]}\n");
    CHECK_THAT(written,
               Catch::Matchers::Contains("the chain writes patient.protocol[1].infuse.cells"));
  }
}

}  // namespace cartsim
