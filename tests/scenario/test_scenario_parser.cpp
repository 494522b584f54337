// Scenario schema v1 parser: valid scenarios become the expected structs; every error names the
// right line, column and YAML path with a precise message.
//
// Scenario texts are written one line per string literal so that positions can be read off: line N
// is the N-th literal, and columns count from 1 at the first character of the literal.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/simulation/scenario.hpp"

namespace {

using cartsim::ConfigError;
using cartsim::parse_scenario;
using cartsim::Scenario;
using Catch::Matchers::Contains;

constexpr const char* label = "test.yaml";

/// An error a scenario text must produce.
struct ExpectedError {
  std::string text;     ///< the scenario
  int line;             ///< 1-based
  int column;           ///< 1-based
  std::string path;     ///< YAML path ("" for the document root)
  std::string message;  ///< a substring of ConfigError::message()
};

/// Parses `expected.text` and checks the ConfigError it must throw.
void require_error(const ExpectedError& expected) {
  INFO("scenario:\n" << expected.text);
  try {
    parse_scenario(expected.text, label);
  } catch (const ConfigError& e) {
    INFO("what(): " << e.what());
    CHECK(e.where().file == label);
    CHECK(e.where().line == expected.line);
    CHECK(e.where().column == expected.column);
    CHECK(e.where().yaml_path == expected.path);
    CHECK_THAT(e.message(), Contains(expected.message));
    return;
  }
  FAIL("parse_scenario did not throw a ConfigError");
}

void require_errors(const std::vector<ExpectedError>& cases) {
  for (const auto& expected : cases) {
    require_error(expected);
  }
}

/// A valid logistic scenario (lines 1-3) followed by `extra` (from line 4).
std::string logistic(const std::string& extra = "") {
  return "model: logistic\n"
         "outputs:\n"
         "  times: [0, 1, 2]\n" +
         extra;
}

/// A valid stein2019 scenario (lines 1-3, a run from day 0 to day 100) followed by `extra`.
std::string stein(const std::string& extra = "") {
  return "model: stein2019\n"
         "outputs:\n"
         "  times: {from: 0, to: 100, step: 1}\n" +
         extra;
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// Valid scenarios

TEST_CASE("a minimal scenario gets every default", "[scenario]") {
  const Scenario s = parse_scenario(logistic(), "cases/minimal.yaml");
  CHECK(s.file == "cases/minimal.yaml");
  CHECK(s.text == logistic());
  CHECK(s.schema_version == 1);
  CHECK(s.name == "minimal");  // the file's stem
  CHECK(s.description.empty());
  CHECK(s.model == "logistic");
  CHECK(s.seed == 0);
  CHECK(s.parameters.empty());
  CHECK(s.initial_state.empty());
  CHECK(s.protocol.empty());
  CHECK(s.outputs.times == std::vector<double>{0.0, 1.0, 2.0});
  CHECK(s.t_start == 0.0);  // first output time
  CHECK(s.t_end == 2.0);    // last output time
  CHECK(s.outputs.variables == std::vector<std::string>{"N", "fraction_of_capacity"});
  REQUIRE(s.outputs.metrics.size() == 2);  // the model's own metrics
  CHECK(s.outputs.metrics[0].name == "N_max");
  CHECK(s.outputs.metrics[1].name == "t_half");
  CHECK(s.outputs.metrics[1].level == 0.5);
  CHECK(s.solver.name == "dopri5");  // logistic's default solver (ModelInfo)
  CHECK(s.solver.options.rtol == cartsim::SolverOptions{}.rtol);
  CHECK(s.solver.options.atol == cartsim::SolverOptions{}.atol);
  CHECK(s.solver.options.max_steps == cartsim::SolverOptions{}.max_steps);
}

TEST_CASE("the default name is the file stem or scenario for in-memory text", "[scenario]") {
  CHECK(parse_scenario(logistic(), "dir/sub/my_case.yaml").name == "my_case");
  CHECK(parse_scenario(logistic(), "<memory>").name == "scenario");
  CHECK(parse_scenario(logistic(), "").name == "scenario");
  CHECK(parse_scenario(logistic("name: given\n"), "x.yaml").name == "given");
}

TEST_CASE("a complete stein2019 scenario parses into the expected structs", "[scenario]") {
  const std::string text =
      "cartsim: 1\n"                                                               // 1
      "name: stein2019-typical\n"                                                  // 2
      "description: \"typical patient\"\n"                                         // 3
      "model: stein2019\n"                                                         // 4
      "seed: 18446744073709551615\n"                                               // 5
      "parameters:\n"                                                              // 6
      "  cmax: 24000\n"                                                            // 7
      "  alpha: 0.16\n"                                                            // 8
      "initial_state:\n"                                                           // 9
      "  E: 6.15\n"                                                                // 10
      "time:\n"                                                                    // 11
      "  start: 0\n"                                                               // 12
      "  end: 365\n"                                                               // 13
      "protocol:\n"                                                                // 14
      "  - at: [30, 0, 14]\n"                                                      // 15
      "    dose: {target: E, amount: 100}\n"                                       // 16
      "  - when: {variable: C, crosses: 1000, direction: rising, repeat: true}\n"  // 17
      "    set: {target: alpha, value: 0.2}\n"                                     // 18
      "    label: faster contraction\n"                                            // 19
      "  - at: 30\n"                                                               // 20
      "    dilute: {factor: 2, targets: [E, M]}\n"                                 // 21
      "  - at: 40\n"                                                               // 22
      "    set: {target: M, value: 0}\n"                                           // 23
      "  - at: 50\n"                                                               // 24
      "    dilute: {factor: 1.5}\n"                                                // 25
      "  - at: 100\n"                                                              // 26
      "    stop: {}\n"                                                             // 27
      "solver:\n"                                                                  // 28
      "  name: odeint_dopri5\n"                                                    // 29
      "  rtol: 1.0e-8\n"                                                           // 30
      "  atol: 1e-10\n"                                                            // 31
      "  max_steps: 1000000\n"                                                     // 32
      "  first_step: 0.001\n"                                                      // 33
      "  max_step: 0.5\n"                                                          // 34
      "outputs:\n"                                                                 // 35
      "  times: {from: 0, to: 365, step: 1}\n"                                     // 36
      "  variables: [C, E]\n"                                                      // 37
      "  metrics:\n"                                                               // 38
      "    - Cmax\n"                                                               // 39
      "    - {name: above_50, kind: last_above, variable: C, level: 50}\n"         // 40
      "    - {name: t_last_above, level: 100}\n"                                   // 41
      "    - {name: auc_week, kind: auc, variable: E, from: 0, to: 7}\n"           // 42
      "    - {name: C_day_28, kind: value_at, variable: C, at: 28}\n";             // 43
  const Scenario s = parse_scenario(text, label);

  CHECK(s.schema_version == 1);
  CHECK(s.name == "stein2019-typical");
  CHECK(s.description == "typical patient");
  CHECK(s.model == "stein2019");
  CHECK(s.seed == 18446744073709551615ULL);

  REQUIRE(s.parameters.size() == 2);
  CHECK(s.parameters[0].name == "cmax");
  CHECK(s.parameters[0].value == 24000.0);
  CHECK(s.parameters[0].where.file == label);
  CHECK(s.parameters[0].where.line == 7);
  CHECK(s.parameters[0].where.column == 9);
  CHECK(s.parameters[0].where.yaml_path == "parameters.cmax");
  CHECK(s.parameters[1].name == "alpha");
  CHECK(s.parameters[1].value == 0.16);

  REQUIRE(s.initial_state.size() == 1);
  CHECK(s.initial_state[0].name == "E");
  CHECK(s.initial_state[0].value == 6.15);
  CHECK(s.initial_state[0].where.line == 10);
  CHECK(s.initial_state[0].where.column == 6);
  CHECK(s.initial_state[0].where.yaml_path == "initial_state.E");

  CHECK(s.t_start == 0.0);
  CHECK(s.t_end == 365.0);

  REQUIRE(s.protocol.size() == 6);
  const auto& dose = s.protocol[0];
  CHECK(dose.label == "protocol[0] dose");
  CHECK(dose.where.line == 15);
  CHECK(dose.where.column == 5);
  CHECK(dose.where.yaml_path == "protocol[0]");
  CHECK(dose.trigger.kind == cartsim::Trigger::Kind::at);
  CHECK(dose.trigger.times == std::vector<double>{0.0, 14.0, 30.0});  // sorted
  CHECK(dose.action.kind == cartsim::ActionKind::dose);
  CHECK(dose.action.target == "E");
  CHECK(dose.action.amount == 100.0);

  const auto& set = s.protocol[1];
  CHECK(set.label == "faster contraction");
  CHECK(set.trigger.kind == cartsim::Trigger::Kind::when);
  CHECK(set.trigger.variable == "C");
  CHECK(set.trigger.threshold == 1000.0);
  CHECK(set.trigger.direction == cartsim::Crossing::rising);
  CHECK(set.trigger.repeat);
  CHECK(set.action.kind == cartsim::ActionKind::set);
  CHECK(set.action.target == "alpha");
  CHECK(set.action.value == 0.2);

  const auto& dilute = s.protocol[2];
  CHECK(dilute.label == "protocol[2] dilute");
  CHECK(dilute.trigger.times == std::vector<double>{30.0});
  CHECK(dilute.action.kind == cartsim::ActionKind::dilute);
  CHECK(dilute.action.factor == 2.0);
  CHECK(dilute.action.targets == std::vector<std::string>{"E", "M"});

  CHECK(s.protocol[3].action.kind == cartsim::ActionKind::set);
  CHECK(s.protocol[3].action.target == "M");
  CHECK(s.protocol[3].action.value == 0.0);
  CHECK(s.protocol[4].action.targets.empty());  // all states
  CHECK(s.protocol[4].action.factor == 1.5);
  CHECK(s.protocol[5].action.kind == cartsim::ActionKind::stop);
  CHECK(s.protocol[5].label == "protocol[5] stop");

  CHECK(s.solver.name == "odeint_dopri5");
  CHECK(s.solver.options.rtol == 1.0e-8);
  CHECK(s.solver.options.atol == 1.0e-10);
  CHECK(s.solver.options.max_steps == 1000000);
  CHECK(s.solver.options.first_step == 0.001);
  CHECK(s.solver.options.max_step == 0.5);

  CHECK(s.outputs.times.size() == 366);
  CHECK(s.outputs.variables == std::vector<std::string>{"C", "E"});
  REQUIRE(s.outputs.metrics.size() == 5);
  const auto& cmax = s.outputs.metrics[0];
  CHECK(cmax.name == "Cmax");
  CHECK(cmax.kind == cartsim::MetricKind::max);
  CHECK(cmax.variable == "C");
  const auto& above = s.outputs.metrics[1];
  CHECK(above.name == "above_50");
  CHECK(above.kind == cartsim::MetricKind::last_above);
  CHECK(above.variable == "C");
  CHECK(above.level == 50.0);
  CHECK(above.unit == "d");  // a time
  const auto& last = s.outputs.metrics[2];
  CHECK(last.name == "t_last_above");
  CHECK(last.kind == cartsim::MetricKind::last_above);  // inherited from the model
  CHECK(last.variable == "C");
  CHECK(last.level == 100.0);  // overridden
  const auto& auc = s.outputs.metrics[3];
  CHECK(auc.kind == cartsim::MetricKind::auc);
  CHECK(auc.from == 0.0);
  CHECK(auc.to == 7.0);
  CHECK(auc.unit == "copies/ug*d");
  const auto& at = s.outputs.metrics[4];
  CHECK(at.kind == cartsim::MetricKind::value_at);
  CHECK(at.at == 28.0);
  CHECK(at.unit == "copies/ug");
}

TEST_CASE("a when trigger defaults to either direction and fires once", "[scenario]") {
  const Scenario s = parse_scenario(stein("protocol:\n"
                                          "  - when: {variable: E, crosses: 10}\n"
                                          "    stop: true\n"),
                                    label);
  REQUIRE(s.protocol.size() == 1);
  CHECK(s.protocol[0].trigger.direction == cartsim::Crossing::either);
  CHECK_FALSE(s.protocol[0].trigger.repeat);
  CHECK(s.protocol[0].action.kind == cartsim::ActionKind::stop);
}

TEST_CASE("stop accepts an empty map or true or an empty value", "[scenario]") {
  for (const std::string stop : {"stop: {}", "stop: true", "stop:"}) {
    INFO(stop);
    const Scenario s = parse_scenario(stein("protocol:\n  - at: 5\n    " + stop + "\n"), label);
    REQUIRE(s.protocol.size() == 1);
    CHECK(s.protocol[0].action.kind == cartsim::ActionKind::stop);
  }
}

TEST_CASE("empty optional sections are the same as absent ones", "[scenario]") {
  const Scenario s = parse_scenario(logistic("parameters:\n"
                                             "initial_state:\n"
                                             "protocol:\n"
                                             "solver:\n"
                                             "time:\n"),
                                    label);
  CHECK(s.parameters.empty());
  CHECK(s.initial_state.empty());
  CHECK(s.protocol.empty());
  CHECK(s.solver.name == "dopri5");  // logistic's default solver (ModelInfo)
  CHECK(s.t_end == 2.0);
}

TEST_CASE("an empty metrics list asks for no metrics", "[scenario]") {
  const Scenario s = parse_scenario(
      "model: logistic\n"
      "outputs:\n"
      "  times: [0, 1]\n"
      "  metrics: []\n",
      label);
  CHECK(s.outputs.metrics.empty());
}

TEST_CASE("numbers in decimal and exponent forms with signs", "[scenario]") {
  const Scenario s = parse_scenario(logistic("parameters:\n"
                                             "  r: +1.5e-1\n"
                                             "  K: 1E9\n"
                                             "  N0: .5\n"),
                                    label);
  REQUIRE(s.parameters.size() == 3);
  CHECK(s.parameters[0].value == 0.15);
  CHECK(s.parameters[1].value == 1.0e9);
  CHECK(s.parameters[2].value == 0.5);
}

TEST_CASE("the output grid is from plus i times step and ends at to only on the grid",
          "[scenario]") {
  const auto grid = [](const std::string& times) {
    return parse_scenario("model: logistic\noutputs:\n  times: " + times + "\n", label)
        .outputs.times;
  };
  SECTION("to on the grid") {
    const auto times = grid("{from: 0, to: 1, step: 0.1}");
    REQUIRE(times.size() == 11);
    // Exact equality on purpose: each point is computed as from + i * step, not accumulated.
    CHECK(times[3] == 3 * 0.1);
    CHECK(times[7] == 7 * 0.1);
    CHECK(times.back() == 1.0);  // `to` itself, not 10 * 0.1
  }
  SECTION("to off the grid") {
    const auto times = grid("{from: 0, to: 1, step: 0.3}");
    REQUIRE(times.size() == 4);
    CHECK(times.back() == 3 * 0.3);
  }
  SECTION("to within 1e-9 relative of the grid counts as on it") {
    const auto times = grid("{from: 0, to: 1.0000000001, step: 0.5}");
    REQUIRE(times.size() == 3);
    CHECK(times.back() == 1.0000000001);
  }
  SECTION("a non-zero start") {
    const auto times = grid("{from: 2.5, to: 4.5, step: 0.5}");
    CHECK(times == std::vector<double>{2.5, 3.0, 3.5, 4.0, 4.5});
  }
  SECTION("from == to gives one point (the run end then comes from time.end)") {
    const auto s = parse_scenario(
        "model: logistic\n"
        "time: {end: 10}\n"
        "outputs:\n"
        "  times: {from: 0, to: 0, step: 1}\n",
        label);
    CHECK(s.outputs.times == std::vector<double>{0.0});
    CHECK(s.t_end == 10.0);
  }
}

TEST_CASE("time start and end override the output range", "[scenario]") {
  const Scenario s = parse_scenario(logistic("time: {start: -1, end: 30}\n"), label);
  CHECK(s.t_start == -1.0);
  CHECK(s.t_end == 30.0);
}

TEST_CASE("load_scenario reads a file and names the scenario after it", "[scenario]") {
  // A fresh directory per run, so concurrent builds (release, sanitize) do not share files.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("cartsim_test_scenario_parser_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "from_file.yaml";
  {
    std::ofstream out(file);
    out << logistic();
  }
  const Scenario s = cartsim::load_scenario(file);
  CHECK(s.name == "from_file");
  CHECK(s.file == file.string());
  CHECK(s.text == logistic());

  SECTION("a missing file") {
    const auto missing = dir / "missing.yaml";
    try {
      cartsim::load_scenario(missing);
      FAIL("no ConfigError");
    } catch (const ConfigError& e) {
      CHECK(e.where().file == missing.string());
      CHECK(e.where().line == 0);  // no position in a file that cannot be read
      CHECK_THAT(e.message(), Contains("cannot read the scenario"));
      CHECK_THAT(e.message(), Contains("No such file or directory"));
      CHECK_THAT(std::string(e.what()), Contains(missing.string() + ": error: cannot read"));
    }
  }
  SECTION("a directory") {
    try {
      cartsim::load_scenario(dir);
      FAIL("no ConfigError");
    } catch (const ConfigError& e) {
      CHECK_THAT(e.message(), Contains("it is a directory"));
    }
  }
  SECTION("an error in a file names the file") {
    const auto bad = dir / "bad.yaml";
    {
      std::ofstream out(bad);
      out << "model: logistc\n";
    }
    try {
      cartsim::load_scenario(bad);
      FAIL("no ConfigError");
    } catch (const ConfigError& e) {
      // The list of known models grows with the registry; its start is checked exactly.
      CHECK_THAT(std::string(e.what()),
                 Catch::Matchers::StartsWith(
                     bad.string() +
                     ":1:8: error: at 'model': unknown model 'logistc'; did you mean 'logistic'? "
                     "known models: ") &&
                     Catch::Matchers::Contains("logistic, ") &&
                     Catch::Matchers::Contains("stein2019"));
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("the complete example in docs/scenario_reference.md is valid", "[scenario]") {
  const std::filesystem::path doc =
      std::filesystem::path(CARTSIM_SOURCE_DIR) / "docs" / "scenario_reference.md";
  std::ifstream in(doc);
  REQUIRE(in);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t section = text.find("## A complete single-run example");
  REQUIRE(section != std::string::npos);
  const std::string fence = "```yaml\n";
  const std::size_t begin = text.find(fence, section);
  REQUIRE(begin != std::string::npos);
  const std::size_t end = text.find("```", begin + fence.size());
  REQUIRE(end != std::string::npos);
  const std::string example = text.substr(begin + fence.size(), end - begin - fence.size());

  const Scenario s = parse_scenario(example, "scenario_reference.md");
  CHECK(s.name == "stein2019-typical");
  CHECK(s.model == "stein2019");
  CHECK(s.protocol.size() == 4);
  CHECK(s.outputs.times.size() == 366);
  CHECK(s.outputs.metrics.size() == 6);
}

// ----------------------------------------------------------------------------------------------
// Errors: the document

TEST_CASE("document errors", "[scenario]") {
  require_errors({
      {"model: logistic\n"
       "outputs:\n"
       "  times: [0, 1\n",
       4, 1, "", "invalid YAML: end of sequence flow not found"},
      {"model: logistic\n"
       "  bad: indent\n",
       2, 6, "", "invalid YAML: illegal map value"},
      {"model: logistic\n"
       "\tx: 1\n",
       2, 1, "", "invalid YAML: illegal tab"},
      {"", 1, 1, "", "the scenario is empty; it needs at least 'model' and 'outputs'"},
      {"# only\n"
       "# comments\n",
       1, 1, "", "the scenario is empty"},
      {"- model: logistic\n", 1, 1, "",
       "the top level must be a map of keys such as 'model' and 'outputs', got a list"},
      {"just some text\n", 1, 1, "", "got 'just some text'"},
      {"model: logistic\n"
       "outputs:\n"
       "  times: [0, 1]\n"
       "---\n"
       "model: stein2019\n",
       5, 1, "", "a scenario is one YAML document, found a second one"},
  });
}

TEST_CASE("key errors", "[scenario]") {
  require_errors({
      {"modle: logistic\n"
       "outputs:\n"
       "  times: [0, 1]\n",
       1, 1, "modle",
       "unknown key 'modle'; did you mean 'model'? allowed keys: cartsim, name, description, "
       "model, seed, parameters, initial_state, time, protocol, solver, outputs"},
      {logistic("zzz: 1\n"), 4, 1, "zzz", "unknown key 'zzz'; allowed keys: cartsim, name"},
      {logistic("model: stein2019\n"), 4, 1, "model",
       "duplicate key 'model' (first given on line 1)"},
      {logistic("? [a, b]\n"
                ": 1\n"),
       4, 3, "", "a key must be a plain name, got a list"},
      {"outputs:\n"
       "  times: [0, 1]\n",
       1, 1, "", "missing required key 'model'"},
      {"model: logistic\n", 1, 1, "", "missing required key 'outputs'"},
      {"model: logistic\n"
       "outputs:\n"
       "  variables: [N]\n",
       3, 3, "outputs", "missing required key 'times'"},
  });
}

TEST_CASE("header errors", "[scenario]") {
  require_errors({
      {"cartsim: 2\n" + logistic(), 1, 10, "cartsim",
       "unsupported schema version 2; this cartsim reads schema version 1"},
      {"cartsim: one\n" + logistic(), 1, 10, "cartsim",
       "expected a non-negative integer, got 'one'"},
      {logistic("name: ''\n"), 4, 7, "name", "name must not be empty"},
      {logistic("name: [a]\n"), 4, 7, "name", "expected a string, got a list"},
      {logistic("name: ../escape\n"), 4, 7, "name",
       "name '../escape' may contain only letters, digits, '-', '_' and '.', and must not start "
       "with '.' (it names the results directory)"},
      {logistic("name: my run\n"), 4, 7, "name", "name 'my run' may contain only"},
      {logistic("name: .hidden\n"), 4, 7, "name", "must not start with '.'"},
      {logistic("description: {a: 1}\n"), 4, 14, "description", "expected a string, got a map"},
      {"model: stien2019\n"
       "outputs:\n"
       "  times: [0, 1]\n",
       1, 8, "model", "unknown model 'stien2019'; did you mean 'stein2019'? known models: "},
      {"model: [logistic]\n"
       "outputs:\n"
       "  times: [0, 1]\n",
       1, 8, "model", "expected a string, got a list"},
      {"model:\n"
       "outputs:\n"
       "  times: [0, 1]\n",
       1, 1, "model", "expected a string, got an empty value"},
      {logistic("seed: -1\n"), 4, 7, "seed", "expected a non-negative integer, got '-1'"},
      {logistic("seed: 1.5\n"), 4, 7, "seed", "expected a non-negative integer, got '1.5'"},
      {logistic("seed: '7'\n"), 4, 7, "seed",
       "expected a non-negative integer, got the quoted string '7'"},
      {logistic("seed: 18446744073709551616\n"), 4, 7, "seed",
       "integer '18446744073709551616' is too large (at most 18446744073709551615)"},
  });
}

// ----------------------------------------------------------------------------------------------
// Errors: parameters and initial state

TEST_CASE("parameter errors", "[scenario]") {
  require_errors({
      {stein("parameters: [alpha]\n"), 4, 13, "parameters",
       "expected a map (key: value entries), got a list"},
      {stein("parameters:\n"
             "  alfa: 0.2\n"),
       5, 3, "parameters.alfa",
       "unknown parameter 'alfa'; did you mean 'alpha'? parameters of model 'stein2019': foldx, "
       "tmax, cmax, alpha, fb, beta"},
      {stein("parameters:\n"
             "  phase: 1\n"),
       5, 3, "parameters.phase",
       "parameter 'phase' is internal to model 'stein2019' (set by the model's own events) and "
       "cannot be set by a scenario"},
      {stein("parameters:\n"
             "  alpha: -1\n"),
       5, 10, "parameters.alpha", "parameter 'alpha' = -1 is out of range [0, 100] (unit 1/d)"},
      {stein("parameters:\n"
             "  fb: 1.5\n"),
       5, 7, "parameters.fb", "parameter 'fb' = 1.5 is out of range [0, 1] (dimensionless)"},
      {stein("parameters:\n"
             "  alpha: abc\n"),
       5, 10, "parameters.alpha", "expected a number, got 'abc'"},
      {stein("parameters:\n"
             "  alpha: \"0.2\"\n"),
       5, 10, "parameters.alpha", "expected a number, got the quoted string '0.2'"},
      {stein("parameters:\n"
             "  alpha: .inf\n"),
       5, 10, "parameters.alpha", "expected a finite number, got '.inf'"},
      {stein("parameters:\n"
             "  alpha: -.Inf\n"),
       5, 10, "parameters.alpha", "expected a finite number, got '-.Inf'"},
      {stein("parameters:\n"
             "  alpha: .nan\n"),
       5, 10, "parameters.alpha", "expected a finite number, got '.nan'"},
      {stein("parameters:\n"
             "  alpha: 1e400\n"),
       5, 10, "parameters.alpha", "number '1e400' is outside the range of a double"},
      {stein("parameters:\n"
             "  alpha: 0x10\n"),
       5, 10, "parameters.alpha", "expected a number, got '0x10'"},
      {stein("parameters:\n"
             "  alpha: 1_000\n"),
       5, 10, "parameters.alpha", "expected a number, got '1_000'"},
      {stein("parameters:\n"
             "  alpha: [1]\n"),
       5, 10, "parameters.alpha", "expected a number, got a list"},
      {stein("parameters:\n"
             "  alpha:\n"),
       5, 3, "parameters.alpha", "expected a number, got an empty value"},
      {stein("parameters:\n"
             "  alpha: 0.1\n"
             "  alpha: 0.2\n"),
       6, 3, "parameters.alpha", "duplicate key 'alpha' (first given on line 5)"},
  });
}

TEST_CASE("initial_state errors", "[scenario]") {
  require_errors({
      {stein("initial_state:\n"
             "  X: 1\n"),
       5, 3, "initial_state.X", "states of model 'stein2019': E, M"},
      {stein("initial_state:\n"
             "  C: 1\n"),
       5, 3, "initial_state.C", "unknown state 'C'"},
      {stein("initial_state:\n"
             "  E: -1\n"),
       5, 6, "initial_state.E", "initial value of state 'E' = -1 must be >= 0 (unit copies/ug)"},
      {stein("initial_state: 5\n"), 4, 16, "initial_state",
       "expected a map (key: value entries), got '5'"},
  });
}

// ----------------------------------------------------------------------------------------------
// Errors: time and outputs

TEST_CASE("time errors", "[scenario]") {
  require_errors({
      {logistic("time: {start: 0, end: 0}\n"), 4, 23, "time.end",
       "end = 0 must be > start = 0 (days)"},
      {logistic("time: {start: 5}\n"), 4, 15, "time.start",
       "start = 5 must be < end = 2 (days; without time.end the run ends at the last output "
       "time)"},
      {"model: logistic\n"
       "outputs:\n"
       "  times: [3]\n",
       3, 10, "outputs.times",
       "a run needs end > start, but there is a single output time; give time.end"},
      {logistic("time: {start: 1, end: 5}\n"), 3, 10, "outputs.times",
       "output time 0 is before the run starts (time.start = 1 days)"},
      {logistic("time: {end: 1.5}\n"), 3, 10, "outputs.times",
       "output time 2 is after the run ends (time.end = 1.5 days)"},
      {logistic("time: {length: 1}\n"), 4, 8, "time.length",
       "unknown key 'length'; allowed keys: start, end"},
      {logistic("time: [0, 1]\n"), 4, 7, "time", "expected a map (key: value entries), got a list"},
  });
}

TEST_CASE("output times errors", "[scenario]") {
  const auto with_times = [](const std::string& times) {
    return "model: logistic\n"
           "outputs:\n"
           "  times: " +
           times + "\n";
  };
  require_errors({
      {with_times("[]"), 3, 10, "outputs.times", "the list of output times is empty"},
      {with_times("[0, 2, 1]"), 3, 17, "outputs.times[2]",
       "output times must be strictly ascending; 1 follows 2"},
      {with_times("[0, 1, 1]"), 3, 17, "outputs.times[2]",
       "output times must be strictly ascending; 1 follows 1"},
      {with_times("[0, x]"), 3, 14, "outputs.times[1]", "expected a number, got 'x'"},
      {with_times("5"), 3, 10, "outputs.times",
       "expected a list of times or a map {from, to, step} (days), got '5'"},
      {with_times("{from: 0, to: 10, step: 0}"), 3, 34, "outputs.times.step",
       "step = 0 must be > 0 (days)"},
      {with_times("{from: 0, to: 10, step: -1}"), 3, 34, "outputs.times.step",
       "step = -1 must be > 0 (days)"},
      {with_times("{from: 10, to: 0, step: 1}"), 3, 25, "outputs.times.to",
       "to = 0 must be >= from = 10 (days)"},
      {with_times("{from: 0, to: 10}"), 3, 10, "outputs.times", "missing required key 'step'"},
      {with_times("{from: 0, to: 10, stpe: 1}"), 3, 28, "outputs.times.stpe",
       "unknown key 'stpe'; did you mean 'step'? allowed keys: from, to, step"},
      {with_times("{from: 0, to: 1e7, step: 0.5}"), 3, 35, "outputs.times.step",
       "has 20000001 points; at most 10000000 are allowed"},
      {with_times("{from: 1e20, to: 1.00000000000001e20, step: 1}"), 3, 54, "outputs.times.step",
       "step = 1 is too small to separate output times"},
  });
}

TEST_CASE("output variables errors", "[scenario]") {
  require_errors({
      {logistic("  variables: [N, Y]\n"), 4, 18, "outputs.variables[1]",
       "variables of model 'logistic': N, fraction_of_capacity"},
      {logistic("  variables: [N, fraction_of_capacty]\n"), 4, 18, "outputs.variables[1]",
       "unknown variable 'fraction_of_capacty'; did you mean 'fraction_of_capacity'? variables "
       "of model 'logistic': N, fraction_of_capacity"},
      {logistic("  variables: [N, N]\n"), 4, 18, "outputs.variables[1]",
       "variable 'N' is listed twice"},
      {logistic("  variables: []\n"), 4, 14, "outputs.variables",
       "the list of variables is empty; leave 'variables' out to write all of them"},
      {logistic("  variables: N\n"), 4, 14, "outputs.variables", "expected a list, got 'N'"},
      {logistic("  metric: [N_max]\n"), 4, 3, "outputs.metric",
       "unknown key 'metric'; did you mean 'metrics'? allowed keys: times, variables, metrics"},
  });
}

TEST_CASE("output metrics errors", "[scenario]") {
  const auto with_metric = [](const std::string& metric) {
    return stein(
        "  metrics:\n"
        "    - " +
        metric + "\n");
  };
  // The metric is on line 5, from column 7.
  require_errors({
      {with_metric("Cmx"), 5, 7, "outputs.metrics[0]",
       "unknown metric 'Cmx'; did you mean 'Cmax'? metrics of model 'stein2019': Cmax, Tmax, "
       "AUC_0_28, t_last_above (a custom metric is a map {name, kind, variable, ...})"},
      {with_metric("[Cmax]"), 5, 7, "outputs.metrics[0]",
       "expected a metric name or a map {name, kind, variable, ...}, got a list"},
      {with_metric("{name: peak, kind: maxx, variable: C}"), 5, 26, "outputs.metrics[0].kind",
       "unknown metric kind 'maxx'; did you mean 'max'? metric kinds: max, argmax, min, auc, "
       "value_at, final, first_above, first_below, last_above"},
      {with_metric("{name: peak, variable: C}"), 5, 7, "outputs.metrics[0]",
       "missing required key 'kind'"},
      {with_metric("{name: peak, kind: max}"), 5, 7, "outputs.metrics[0]",
       "missing required key 'variable'"},
      {with_metric("{kind: max, variable: C}"), 5, 7, "outputs.metrics[0]",
       "missing required key 'name'"},
      {with_metric("{name: peak, kind: max, variable: X}"), 5, 41, "outputs.metrics[0].variable",
       "variables of model 'stein2019': E, M, C"},
      {with_metric("{name: peak, kind: max, variable: C, level: 5}"), 5, 51,
       "outputs.metrics[0].level",
       "'level' does not apply to metric kind 'max' (only to first_above, first_below, "
       "last_above)"},
      {with_metric("{name: peak, kind: max, variable: C, from: 5}"), 5, 50,
       "outputs.metrics[0].from", "'from' does not apply to metric kind 'max' (only to auc)"},
      {with_metric("{name: peak, kind: max, variable: C, at: 5}"), 5, 48, "outputs.metrics[0].at",
       "'at' does not apply to metric kind 'max' (only to value_at)"},
      {with_metric("{name: gone, kind: last_above, variable: C}"), 5, 7, "outputs.metrics[0]",
       "metric kind 'last_above' needs 'level' (in the unit of 'C')"},
      {with_metric("{name: c7, kind: value_at, variable: C}"), 5, 7, "outputs.metrics[0]",
       "metric kind 'value_at' needs 'at' (days)"},
      {with_metric("{name: c7, kind: value_at, variable: C, at: 101}"), 5, 51,
       "outputs.metrics[0].at", "time 101 is outside the run [0, 100] (days)"},
      {with_metric("{name: w, kind: auc, variable: C, from: 7, to: 7}"), 5, 54,
       "outputs.metrics[0].to", "the window needs to > from, got from = 7 and to = 7 (days)"},
      {with_metric("{name: AUC_0_28, from: 28}"), 5, 30, "outputs.metrics[0].from",
       "the window needs to > from, got from = 28 and to = 28 (days)"},
      {with_metric("{name: Cmax, kind: min}"), 5, 26, "outputs.metrics[0].kind",
       "'Cmax' is a metric of model 'stein2019' whose kind and variable are fixed"},
      {with_metric("{name: Cmax, level: 100}"), 5, 27, "outputs.metrics[0].level",
       "'level' does not apply to metric kind 'max'"},
      {with_metric("{name: '', kind: max, variable: C}"), 5, 14, "outputs.metrics[0].name",
       "a metric name must not be empty"},
      {with_metric("{name: peak, kind: max, variable: C, unit: x}"), 5, 44,
       "outputs.metrics[0].unit", "unknown key 'unit'"},
      {stein("  metrics:\n"
             "    - t_last_above\n"
             "    - {name: t_last_above, level: 1}\n"),
       6, 7, "outputs.metrics[1]", "metric 't_last_above' is listed twice"},
      {stein("  metrics:\n"
             "    - Cmax\n"
             "    - Cmax\n"),
       6, 7, "outputs.metrics[1]", "metric 'Cmax' is listed twice"},
      {stein("  metrics:\n"
             "    - {name: x, kind: max, variable: C}\n"
             "    - {name: x, kind: min, variable: E}\n"),
       6, 7, "outputs.metrics[1]", "metric 'x' is listed twice"},
  });
}

// ----------------------------------------------------------------------------------------------
// Errors: protocol

TEST_CASE("protocol step errors", "[scenario]") {
  // Steps start on line 5; their first key is at column 5.
  const auto with_step = [](const std::string& step) {
    return stein(
        "protocol:\n"
        "  - " +
        step);
  };
  require_errors({
      {stein("protocol: {at: 0}\n"), 4, 11, "protocol", "expected a list, got a map"},
      {with_step("5\n"), 5, 5, "protocol[0]", "expected a map (key: value entries), got '5'"},
      {with_step("at: 0\n"
                 "    dose: {target: E, amount: 1}\n"
                 "    set: {target: alpha, value: 0.1}\n"),
       7, 5, "protocol[0].set",
       "a step takes exactly one action, got 'dose' and 'set'; split them into separate steps"},
      {with_step("at: 0\n"
                 "    when: {variable: C, crosses: 5}\n"
                 "    stop: {}\n"),
       6, 5, "protocol[0].when", "a step takes exactly one trigger, got 'at' and 'when'"},
      {with_step("dose: {target: E, amount: 1}\n"), 5, 5, "protocol[0]",
       "the step has no trigger; give 'at: TIME' or 'when: {variable, crosses}'"},
      {with_step("at: 3\n"
                 "    label: nothing\n"),
       5, 5, "protocol[0]", "the step has no action; give one of dose, dilute, set, stop"},
      {with_step("at: 0\n"
                 "    doze: {target: E, amount: 1}\n"),
       6, 5, "protocol[0].doze",
       "unknown key 'doze'; did you mean 'dose'? allowed keys: at, when, dose, dilute, set, "
       "stop, label"},
      {with_step("at: 0\n"
                 "    stop: {}\n"
                 "    label: ''\n"),
       7, 12, "protocol[0].label", "a step label must not be empty"},
      {stein("protocol:\n"
             "  - at: 0\n"
             "    stop: {}\n"
             "  - at: 1\n"
             "    dose: {target: E, amount: 1}\n"
             "    dilute: {factor: 2}\n"),
       9, 5, "protocol[1].dilute", "a step takes exactly one action"},
  });
}

TEST_CASE("at trigger errors", "[scenario]") {
  const auto with_at = [](const std::string& at) {
    return stein(
        "protocol:\n"
        "  - at: " +
        at +
        "\n"
        "    stop: {}\n");
  };
  // The value of `at` starts at line 5, column 9.
  require_errors({
      {with_at("101"), 5, 9, "protocol[0].at", "time 101 is outside the run [0, 100] (days)"},
      {with_at("-1"), 5, 9, "protocol[0].at", "time -1 is outside the run [0, 100] (days)"},
      {with_at("[1, 200]"), 5, 13, "protocol[0].at[1]", "time 200 is outside the run"},
      {with_at("[]"), 5, 9, "protocol[0].at",
       "the list of times is empty; give at least one time (days)"},
      {with_at("[7, 3, 7]"), 5, 16, "protocol[0].at[2]", "time 7 is listed twice"},
      {with_at("day 7"), 5, 9, "protocol[0].at", "expected a number, got 'day 7'"},
      {with_at("{t: 1}"), 5, 9, "protocol[0].at", "expected a number, got a map"},
  });
}

TEST_CASE("when trigger errors", "[scenario]") {
  const auto with_when = [](const std::string& when) {
    return stein(
        "protocol:\n"
        "  - when: " +
        when +
        "\n"
        "    stop: {}\n");
  };
  // The value of `when` starts at line 5, column 11.
  require_errors({
      {with_when("{variable: X, crosses: 1}"), 5, 22, "protocol[0].when.variable",
       "variables of model 'stein2019': E, M, C"},
      {with_when("{variable: Cee, crosses: 1}"), 5, 22, "protocol[0].when.variable",
       "unknown variable 'Cee'"},
      {with_when("{variable: C}"), 5, 11, "protocol[0].when", "missing required key 'crosses'"},
      {with_when("{crosses: 1}"), 5, 11, "protocol[0].when", "missing required key 'variable'"},
      {with_when("{variable: C, crosses: 1, direction: up}"), 5, 48, "protocol[0].when.direction",
       "unknown direction 'up'; directions: rising, falling, either"},
      {with_when("{variable: C, crosses: 1, direction: rsing}"), 5, 48,
       "protocol[0].when.direction", "did you mean 'rising'?"},
      {with_when("{variable: C, crosses: 1, repeat: yes}"), 5, 45, "protocol[0].when.repeat",
       "expected true or false, got 'yes'"},
      {with_when("{variable: C, crosses: low}"), 5, 34, "protocol[0].when.crosses",
       "expected a number, got 'low'"},
      {with_when("{variable: C, level: 1}"), 5, 25, "protocol[0].when.level",
       "unknown key 'level'; allowed keys: variable, crosses, direction, repeat"},
  });
}

TEST_CASE("action errors", "[scenario]") {
  const auto with_action = [](const std::string& action) {
    return stein(
        "protocol:\n"
        "  - at: 0\n"
        "    " +
        action + "\n");
  };
  // The action's key is at line 6, column 5.
  require_errors({
      // dose
      {with_action("dose: {target: Q, amount: 1}"), 6, 20, "protocol[0].dose.target",
       "states of model 'stein2019': E, M"},
      {with_action("dose: {target: effector, amount: 1}"), 6, 20, "protocol[0].dose.target",
       "unknown state 'effector'; states of model 'stein2019': E, M"},
      {with_action("dose: {target: C, amount: 1}"), 6, 20, "protocol[0].dose.target",
       "dose target 'C' is an observable, not a state; states of model 'stein2019': E, M"},
      {with_action("dose: {target: alpha, amount: 1}"), 6, 20, "protocol[0].dose.target",
       "dose target 'alpha' is a parameter, not a state"},
      {with_action("dose: {target: E, amount: -5}"), 6, 31, "protocol[0].dose.amount",
       "dose amount = -5 must be >= 0 (unit copies/ug)"},
      {with_action("dose: {target: E}"), 6, 11, "protocol[0].dose",
       "missing required key 'amount'"},
      {with_action("dose: {target: E, amout: 1}"), 6, 23, "protocol[0].dose.amout",
       "unknown key 'amout'; did you mean 'amount'? allowed keys: target, amount"},
      {with_action("dose: 100"), 6, 11, "protocol[0].dose",
       "expected a map (key: value entries), got '100'"},
      // dilute
      {with_action("dilute: {factor: 0.5}"), 6, 22, "protocol[0].dilute.factor",
       "dilution factor = 0.5 must be >= 1 (the states are divided by it)"},
      {with_action("dilute: {targets: [E]}"), 6, 13, "protocol[0].dilute",
       "missing required key 'factor'"},
      {with_action("dilute: {factor: 2, targets: [E, Q]}"), 6, 38, "protocol[0].dilute.targets[1]",
       "unknown state 'Q'"},
      {with_action("dilute: {factor: 2, targets: [E, E]}"), 6, 38, "protocol[0].dilute.targets[1]",
       "state 'E' is listed twice"},
      {with_action("dilute: {factor: 2, targets: []}"), 6, 34, "protocol[0].dilute.targets",
       "the list of targets is empty; leave 'targets' out to dilute every state"},
      // set
      {with_action("set: {target: alpah, value: 1}"), 6, 19, "protocol[0].set.target",
       "unknown set target 'alpah'; did you mean 'alpha'? states and parameters of model "
       "'stein2019': E, M, foldx, tmax, cmax, alpha, fb, beta"},
      {with_action("set: {target: phase, value: 1}"), 6, 19, "protocol[0].set.target",
       "parameter 'phase' is internal to model 'stein2019'"},
      {with_action("set: {target: alpha, value: 101}"), 6, 33, "protocol[0].set.value",
       "parameter 'alpha' = 101 is out of range [0, 100] (unit 1/d)"},
      {with_action("set: {target: E, value: -1}"), 6, 29, "protocol[0].set.value",
       "set value of state 'E' = -1 must be >= 0 (unit copies/ug)"},
      {with_action("set: {target: E}"), 6, 10, "protocol[0].set", "missing required key 'value'"},
      // stop
      {with_action("stop: false"), 6, 11, "protocol[0].stop",
       "'stop: false' does nothing; remove the step, or write 'stop: true'"},
      {with_action("stop: {now: true}"), 6, 12, "protocol[0].stop.now",
       "unknown key 'now'; allowed keys: (none)"},
      {with_action("stop: 5"), 6, 11, "protocol[0].stop", "expected true or false, got '5'"},
  });
}

// ----------------------------------------------------------------------------------------------
// Errors: solver

TEST_CASE("solver errors", "[scenario]") {
  const auto with_solver = [](const std::string& entry) {
    return logistic(
        "solver:\n"
        "  " +
        entry + "\n");
  };
  // The entry is on line 5, its key at column 3.
  require_errors({
      {with_solver("name: cvode_bfd"), 5, 9, "solver.name",
       "unknown solver 'cvode_bfd'; did you mean 'cvode_bdf'? known solvers: cvode_bdf, "
       "cvode_adams, dopri5, tsit5, odeint_dopri5, odeint_rosenbrock4"},
      {with_solver("rtl: 1e-6"), 5, 3, "solver.rtl",
       "unknown key 'rtl'; did you mean 'rtol'? allowed keys: name, rtol, atol, max_steps, "
       "first_step, max_step"},
      {with_solver("rtol: 1"), 5, 9, "solver.rtol", "rtol = 1 must satisfy 0 < rtol < 1"},
      {with_solver("rtol: 0"), 5, 9, "solver.rtol", "rtol = 0 must satisfy 0 < rtol < 1"},
      {with_solver("rtol: tight"), 5, 9, "solver.rtol", "expected a number, got 'tight'"},
      {with_solver("atol: 0"), 5, 9, "solver.atol", "atol = 0 must be > 0 (in each state's unit)"},
      {with_solver("atol: -1e-9"), 5, 9, "solver.atol", "atol = -1e-09 must be > 0"},
      {with_solver("max_steps: 0"), 5, 14, "solver.max_steps",
       "max_steps = 0 must be in [1, 9223372036854775807]"},
      {with_solver("max_steps: 9223372036854775808"), 5, 14, "solver.max_steps",
       "max_steps = 9223372036854775808 must be in [1, 9223372036854775807]"},
      {with_solver("max_steps: 1e6"), 5, 14, "solver.max_steps",
       "expected a non-negative integer, got '1e6'"},
      {with_solver("first_step: -1"), 5, 15, "solver.first_step",
       "first_step = -1 must be >= 0 (days; 0 lets the solver choose)"},
      {with_solver("max_step: -1"), 5, 13, "solver.max_step",
       "max_step = -1 must be >= 0 (days; 0 means no limit)"},
      {logistic("solver:\n"
                "  first_step: 2\n"
                "  max_step: 1\n"),
       5, 15, "solver.first_step", "first_step = 2 must not exceed max_step = 1 (days)"},
      {logistic("solver: cvode_bdf\n"), 4, 9, "solver",
       "expected a map (key: value entries), got 'cvode_bdf'"},
  });
}
