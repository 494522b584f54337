// Sweeps: determinism across thread counts and shards, shard + merge = one run byte for byte,
// design properties (grid order, one Latin-hypercube point per stratum, Sobol points), the moments
// of each distribution, covariate rules and variability, and failed samples that do not stop a run.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cartsim/models/logistic.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/sweeps/bands.hpp"
#include "cartsim/sweeps/merge.hpp"
#include "cartsim/sweeps/output_files.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"
#include "cartsim/sweeps/sweep_runner.hpp"
#include "sweep_support.hpp"

using namespace cartsim;
namespace fs = std::filesystem;

namespace {

const std::string population_scenario = R"(
model: stein2019
seed: 11
protocol:
  - at: 20
    set: {target: alpha, value: 0.2}
outputs:
  times: {from: 0, to: 60, step: 5}
  timeseries: all
sweep:
  design: monte_carlo
  samples: 3
  factors:
    - path: parameters.tmax
      distribution: {lognormal: {median: 9.3, omega2: 0.38}, truncate: [2, 30]}
  population:
    subjects: 7
    covariates:
      - name: weight_kg
        distribution: {lognormal: {median: 39, cv: 0.5}, truncate: [14, 140]}
    rules:
      - path: parameters.cmax
        expression: "weight_kg <= 50 ? 500 * weight_kg : 30000"
    variability:
      - path: parameters.alpha
        omega2: 0.91
      - path: parameters.cmax
        cv: 0.5
)";

using testing::run_to;

fs::path fresh_dir(const std::string& name) {
  return testing::fresh_dir("sweeps_" + name);
}
std::string read(const fs::path& file) {
  return testing::read_file(file);
}

/// A distribution of `kind` with parameters a and b (no truncation).
Distribution distribution(Distribution::Kind kind, double a, double b) {
  Distribution d;
  d.kind = kind;
  d.a = a;
  d.b = b;
  return d;
}
}  // namespace

TEST_CASE("a sweep's files do not depend on the thread count", "[sweeps][determinism]") {
  const fs::path one = fresh_dir("threads1");
  const fs::path two = fresh_dir("threads2");
  const SweepStats s1 = run_to(population_scenario, one, 1);
  run_to(population_scenario, two, 2);
  CHECK(s1.runs == 21);
  CHECK(s1.failed == 0);
  for (const char* f : {"timeseries.csv", "summary.csv", "bands.csv", "columns.csv"}) {
    INFO(f);
    REQUIRE(fs::exists(one / f));
    CHECK(read(one / f) == read(two / f));
  }
}

TEST_CASE("shards merged give exactly the files of one run", "[sweeps][shards]") {
  const fs::path whole = fresh_dir("whole");
  run_to(population_scenario, whole, 2);
  std::vector<fs::path> parts;
  for (std::size_t k = 1; k <= 3; ++k) {
    parts.push_back(fresh_dir("shard" + std::to_string(k)));
    run_to(population_scenario, parts.back(), 1, ShardInfo{k, 3, 0, 0});
    CHECK(fs::exists(parts.back() / "band_values.bin"));
    CHECK_FALSE(fs::exists(parts.back() / "bands.csv"));
  }
  const fs::path merged = fresh_dir("merged");
  merge_shards({parts[2], parts[0], parts[1]}, merged);  // any order on the command line
  for (const char* f : {"timeseries.csv", "summary.csv", "bands.csv", "columns.csv"}) {
    INFO(f);
    CHECK(read(whole / f) == read(merged / f));
  }
  CHECK_THROWS_AS(merge_shards({parts[0], parts[1]}, fresh_dir("incomplete")), ShardSetError);
}

TEST_CASE("any sample can be generated alone, in any order", "[sweeps][determinism]") {
  const Scenario scenario = parse_scenario(population_scenario, "sweep.yaml");
  const RunPlan plan = make_plan(scenario);
  const SampleInputs inputs(scenario, plan);
  std::vector<Assignment> a1, a2;
  std::vector<double> v1, v2;
  for (std::size_t s : {20u, 3u, 0u, 13u}) {
    inputs.generate(s, a1, v1);
    Simulator first(plan, scenario.seed);
    const SampleResult r1 = first.run(s, 0, a1);
    // A simulator that ran other samples before gives the same numbers.
    Simulator reused(plan, scenario.seed);
    inputs.generate(7, a2, v2);
    reused.run(7, 0, a2);
    inputs.generate(s, a2, v2);
    const SampleResult r2 = reused.run(s, 0, a2);
    CHECK(v1 == v2);
    CHECK(r1.series == r2.series);
    CHECK(r1.metrics == r2.metrics);
  }
}

TEST_CASE("a subject is the same person at every design point", "[sweeps][population]") {
  const Scenario scenario = parse_scenario(population_scenario, "sweep.yaml");
  const RunPlan plan = make_plan(scenario);
  const SampleInputs inputs(scenario, plan);
  // Columns: parameters.tmax, weight_kg, parameters.cmax, parameters.alpha.
  REQUIRE(inputs.columns() == std::vector<std::string>{"parameters.tmax", "weight_kg",
                                                       "parameters.cmax", "parameters.alpha"});
  std::vector<Assignment> a;
  std::vector<double> v0, v1;
  inputs.generate(2, a, v0);      // point 0, subject 2
  inputs.generate(7 + 2, a, v1);  // point 1, subject 2
  CHECK(v0[1] == v1[1]);          // same weight
  CHECK(v0[0] != v1[0]);          // different design point
  // The rule then variability: cmax = rule(weight) x exp(eta) with the same eta.
  const double rule = v0[1] <= 50 ? 500 * v0[1] : 30000;
  CHECK(v0[2] / rule == Approx(v1[2] / rule));
  CHECK(v0[1] >= 14.0);
  CHECK(v0[1] <= 140.0);
}

TEST_CASE("grid designs enumerate the axes with the last fastest", "[sweeps][designs]") {
  const Scenario scenario = parse_scenario(R"(
model: logistic
outputs: {times: [0, 1]}
sweep:
  factors:
    - {path: parameters.r, values: [0.1, 0.2, 0.3]}
    - {path: parameters.K, log: {from: 1.0e6, to: 1.0e8, count: 3}}
)",
                                           "grid.yaml");
  const RunPlan plan = make_plan(scenario);
  const SampleInputs inputs(scenario, plan);
  REQUIRE(inputs.samples() == 9);
  std::vector<Assignment> a;
  std::vector<double> v;
  const double expected_k[] = {1e6, 1e7, 1e8};
  for (std::size_t s = 0; s < 9; ++s) {
    inputs.generate(s, a, v);
    CHECK(v[0] == Approx(0.1 * static_cast<double>(s / 3 + 1)));
    CHECK(v[1] == Approx(expected_k[s % 3]));
  }
}

TEST_CASE("a Latin hypercube has exactly one point per stratum", "[sweeps][designs]") {
  const Scenario scenario = parse_scenario(R"(
model: logistic
outputs: {times: [0, 1]}
sweep:
  design: latin_hypercube
  samples: 50
  factors:
    - {path: parameters.r, distribution: {uniform: {min: 0, max: 1}}}
    - {path: parameters.K, distribution: {uniform: {min: 100, max: 200}}}
)",
                                           "lhs.yaml");
  const RunPlan plan = make_plan(scenario);
  const SampleInputs inputs(scenario, plan);
  std::set<int> strata_r, strata_k;
  std::vector<Assignment> a;
  std::vector<double> v;
  for (std::size_t s = 0; s < 50; ++s) {
    inputs.generate(s, a, v);
    strata_r.insert(static_cast<int>(std::floor(v[0] * 50)));
    strata_k.insert(static_cast<int>(std::floor((v[1] - 100) / 100 * 50)));
  }
  CHECK(strata_r.size() == 50);
  CHECK(strata_k.size() == 50);
}

TEST_CASE("Sobol points follow the sequence after the origin", "[sweeps][designs]") {
  const Scenario scenario = parse_scenario(R"(
model: logistic
outputs: {times: [0, 1]}
sweep:
  design: sobol
  samples: 4
  factors:
    - {path: parameters.r, distribution: {uniform: {min: 0, max: 1}}}
)",
                                           "sobol.yaml");
  const RunPlan plan = make_plan(scenario);
  const SampleInputs inputs(scenario, plan);
  std::vector<Assignment> a;
  std::vector<double> v;
  // The first dimension of Sobol's sequence (Gray-code order): 0, 1/2, 3/4, 1/4, 3/8, ...
  const double expected[] = {0.5, 0.75, 0.25, 0.375};
  for (std::size_t s = 0; s < 4; ++s) {
    inputs.generate(s, a, v);
    CHECK(v[0] == expected[s]);
  }
}

TEST_CASE("distributions have the moments their parameters say", "[sweeps][distributions]") {
  // Inversion on a fine stratified grid of u: the sample mean converges like 1/n^2, so 1e-3
  // relative is generous for n = 100,000 (except where the law's tail is slow, see lognormal).
  auto mean_and_sd = [](const Distribution& d) {
    constexpr int n = 100000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
      const double x = d.quantile((i + 0.5) / n);
      sum += x;
      sum2 += x * x;
    }
    const double mean = sum / n;
    return std::pair{mean, std::sqrt(sum2 / n - mean * mean)};
  };
  const Distribution u = distribution(Distribution::Kind::uniform, 2.0, 5.0);
  auto [mu_u, sd_u] = mean_and_sd(u);
  CHECK(mu_u == Approx(3.5).epsilon(1e-6));
  CHECK(sd_u == Approx(3.0 / std::sqrt(12.0)).epsilon(1e-4));
  const Distribution n = distribution(Distribution::Kind::normal, 1.0, 2.0);
  auto [mu_n, sd_n] = mean_and_sd(n);
  CHECK(mu_n == Approx(1.0).epsilon(1e-6));
  CHECK(sd_n == Approx(2.0).epsilon(2e-3));  // the extreme tails are cut at u = 5e-6
  // Log-normal by median and omega: mean = median e^{omega^2/2}.
  const Distribution ln = distribution(Distribution::Kind::lognormal, 39.0, 0.3);
  auto [mu_ln, sd_ln] = mean_and_sd(ln);
  CHECK(mu_ln == Approx(39.0 * std::exp(0.045)).epsilon(1e-4));
  CHECK(sd_ln == Approx(39.0 * std::exp(0.045) * std::sqrt(std::exp(0.09) - 1)).epsilon(2e-3));
  // Log-uniform: mean (b - a) / ln(b / a).
  const Distribution lu = distribution(Distribution::Kind::log_uniform, 1.0, 100.0);
  CHECK(mean_and_sd(lu).first == Approx(99.0 / std::log(100.0)).epsilon(1e-4));
  // Truncation: uniform(0, 10) truncated to [2, 4] is uniform(2, 4).
  Distribution t = distribution(Distribution::Kind::uniform, 0.0, 10.0);
  t.lower = 2.0;
  t.upper = 4.0;
  CHECK(t.quantile(0.5) == Approx(3.0));
  CHECK(t.quantile(1e-9) >= 2.0);
  // Discrete: weights respected.
  Distribution dd;
  dd.kind = Distribution::Kind::discrete;
  dd.values = {1.0, 2.0};
  dd.weights = {0.25, 0.75};
  CHECK(dd.quantile(0.2) == 1.0);
  CHECK(dd.quantile(0.3) == 2.0);
}

TEST_CASE("type-7 quantiles", "[sweeps][bands]") {
  // numpy.percentile([1, 2, 3, 4], [5, 25, 50, 75, 95]) = 1.15, 1.75, 2.5, 3.25, 3.85
  const std::vector<double> v{1, 2, 3, 4};
  CHECK(quantile_sorted(v, 0.05) == Approx(1.15));
  CHECK(quantile_sorted(v, 0.25) == Approx(1.75));
  CHECK(quantile_sorted(v, 0.50) == Approx(2.5));
  CHECK(quantile_sorted(v, 0.75) == Approx(3.25));
  CHECK(quantile_sorted(v, 0.95) == Approx(3.85));
}

TEST_CASE("failed samples are recorded and the sweep goes on", "[sweeps][failures]") {
  // stein2019 needs alpha >= beta (0.0032 /d): the two smallest alphas fail, the rest run.
  const fs::path dir = fresh_dir("failures");
  const SweepStats stats = run_to(R"(
model: stein2019
outputs: {times: {from: 0, to: 30, step: 1}}
sweep:
  factors:
    - {path: parameters.alpha, values: [0.001, 0.002, 0.16, 0.3]}
)",
                                  dir, 2);
  CHECK(stats.runs == 4);
  CHECK(stats.failed == 2);
  const std::string summary = read(dir / "summary.csv");
  CHECK_THAT(summary, Catch::Matchers::Contains("0,0,0.001,failed,"));
  CHECK_THAT(summary, Catch::Matchers::Contains("must be >= 'beta'"));
  CHECK_THAT(summary, Catch::Matchers::Contains("2,0,0.16,ok,"));
}

TEST_CASE("an unknown sweep path names the nearest valid one", "[sweeps][errors]") {
  try {
    parse_scenario(R"(
model: stein2019
outputs: {times: [0, 1]}
sweep:
  factors:
    - {path: parameters.alpah, values: [0.1]}
)",
                   "bad.yaml");
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.message(),
               Catch::Matchers::Contains("unknown input path 'parameters.alpah'; did you mean "
                                         "'parameters.alpha'?"));
    CHECK(e.where().line == 6);
  }
}

namespace {
/// A model whose one state starts at the OpenMP thread budget of the thread that runs the sample
/// (omp_get_max_threads() there): what a run's own parallel regions, such as prodigy_abm's agent
/// engine, would get.
class ThreadProbe final : public OdeModel {
 public:
  const ModelInfo& info() const override {
    static const ModelInfo m = [] {
      ModelInfo i;
      i.name = "test_threads";
      i.states = {{"budget", "threads", "threads a nested parallel region would get", true}};
      i.parameters = {{"unused", "1", "no effect", 0.0, 0.0, 1.0, "test"}};
      return i;
    }();
    return m;
  }
  void rhs(double, std::span<const double>, std::span<const double>,
           std::span<double> dydt) const override {
    dydt[0] = 0.0;
  }
  void initial_state(std::span<const double>, std::span<double> y0) const override {
    y0[0] = omp_get_max_threads();
  }
};

/// The budget each run saw, running `replicates` runs on `threads` sweep threads.
std::vector<double> budgets(int threads, int replicates) {
  static const auto model = std::make_shared<ThreadProbe>();
  const ModelCatalog catalog{[](std::string_view name) {
                               return name == "test_threads" ? model
                                                             : std::shared_ptr<const Model>{};
                             },
                             [] { return std::vector<std::string>{"test_threads"}; }};
  const Scenario s = parse_scenario(
      "model: test_threads\noutputs:\n  times: [0, 1]\n"
      "  metrics: [{name: budget, kind: final, variable: budget}]\n"
      "sweep: {replicates: " +
          std::to_string(replicates) + "}\n",
      "threads.yaml", catalog);
  const RunPlan plan = make_plan(s);
  const SampleInputs inputs(s, plan);
  struct Collect final : ResultSink {
    std::vector<double> seen;
    void consume(const RunRecord& run) override { seen.push_back(run.result->metrics.at(0)); }
  } sink;
  SweepOptions options;
  options.threads = threads;
  run_sweep(s, plan, inputs, options, sink);
  return sink.seen;
}
}  // namespace

TEST_CASE("the --threads budget is the whole budget: nested parallel regions in a run get the rest",
          "[sweeps][threads]") {
  // One thread: the runs, and everything they start, on one thread (before, a one-thread sweep
  // of prodigy_abm let each run's agent engine take every core).
  CHECK(budgets(1, 3) == std::vector<double>(3, 1.0));
  // Two sample threads: nothing left for nested regions.
  CHECK(budgets(2, 4) == std::vector<double>(4, 1.0));
  // A single run on a budget of two: it may use both.
  CHECK(budgets(2, 1) == std::vector<double>{2.0});
}

TEST_CASE("run_into reuses a result: every field as a fresh run gives it, ok after failed and back",
          "[sweep]") {
  // A sweep keeps one SampleResult per buffer slot and refills it (Simulator::run_into); a field
  // left from the slot's previous run would leak into the next sample's row.
  const Scenario scenario = parse_scenario(
      "cartsim: 1\nname: reuse\nmodel: logistic\noutputs:\n  times: {from: 0, to: 20, step: 1}\n"
      "  metrics: [N_max, t_half]\n",
      "reuse.yaml");
  const RunPlan plan = make_plan(scenario);
  Simulator simulator(plan, 5);
  auto with_r = [](double r) {
    Assignment a;
    a.target = Assignment::Target::parameter;
    a.index = models::Logistic::r;
    a.value = r;
    return std::vector<Assignment>{a};
  };
  auto same = [](const SampleResult& a, const SampleResult& b) {
    CHECK(a.sample == b.sample);
    CHECK(a.ok == b.ok);
    CHECK(a.message == b.message);
    CHECK(a.status == b.status);
    CHECK(a.rows == b.rows);
    CHECK(a.series == b.series);
    CHECK(a.stats.steps == b.stats.steps);
    CHECK(a.stats.rhs_evaluations == b.stats.rhs_evaluations);
    CHECK(a.stats.t_final == b.stats.t_final);
    REQUIRE(a.metrics.size() == b.metrics.size());
    for (std::size_t i = 0; i < a.metrics.size(); ++i) {
      CHECK(
          (a.metrics[i] == b.metrics[i] || (std::isnan(a.metrics[i]) && std::isnan(b.metrics[i]))));
    }
  };
  SampleResult slot;
  // ok, rejected (r outside [0, 100] /d), ok with another rate, ok with a third
  const std::vector<double> rates{0.5, -1.0, 0.8, 0.3};
  for (std::size_t s = 0; s < rates.size(); ++s) {
    const auto inputs = with_r(rates[s]);
    simulator.run_into(s, 0, inputs, slot);
    const SampleResult fresh = Simulator(plan, 5).run(s, 0, inputs);
    INFO("sample " << s << ", r = " << rates[s]);
    CHECK(slot.ok == (rates[s] >= 0.0));
    same(slot, fresh);
  }
}
