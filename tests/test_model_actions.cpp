// Model-specific protocol actions: parsing of their typed settings, the model's whole-protocol
// check (error located at the offending step), and their effect in a run. Uses a test-only model
// bound through a ModelCatalog, so the shipped registry stays immutable.
#include <catch2/catch.hpp>
#include <cmath>

#include "cartsim/core/errors.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

using namespace cartsim;

namespace {
/// A vessel of cells in a volume: cells grow at r; `feed` adds medium (cells conserved, density
/// diluted), `harvest` removes a fraction of the cells. Capacity 100 mL is checked over the
/// protocol.
class Vessel final : public OdeModel {
 public:
  enum State : std::size_t { cells, volume };
  const ModelInfo& info() const override {
    static const ModelInfo m = [] {
      ModelInfo i;
      i.name = "test_vessel";
      i.states = {{"cells", "cells", "cells in the vessel", true},
                  {"volume", "mL", "culture volume", true}};
      i.parameters = {{"r", "1/d", "growth rate", 0.0, 0.0, 10.0, "test"},
                      {"capacity", "mL", "vessel capacity", 100.0, 1.0, 1e4, "test"}};
      i.observables = {{"density", "cells/mL", "cells / volume"}};
      i.actions = {
          {"feed", "add medium", {{"volume_ml", "mL", "medium added", std::nullopt, 0.0, 1e4}}},
          {"harvest",
           "remove cells",
           {{"fraction", "1", "fraction of cells removed", 1.0, 0.0, 1.0}}}};
      return i;
    }();
    return m;
  }
  void rhs(double, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override {
    dydt[cells] = p[0] * y[cells];
    dydt[volume] = 0.0;
  }
  void observables(double, std::span<const double> y, std::span<const double>,
                   std::span<double> out) const override {
    out[0] = y[cells] / y[volume];
  }
  void initial_state(std::span<const double>, std::span<double> y0) const override {
    y0[cells] = 1e6;
    y0[volume] = 50.0;
  }
  void apply_action(std::size_t action, std::span<const double> settings,
                    EventContext& ctx) const override {
    if (action == 0) {
      ctx.y[volume] += settings[0];
    } else {
      ctx.y[cells] *= 1.0 - settings[0];
    }
  }
  void check_protocol(double, std::span<const double> p,
                      std::span<const PlannedAction> actions) const override {
    double v = 50.0;
    for (const auto& a : actions) {
      if (a.action == 0) {
        v += a.settings[0];
        if (v > p[1]) {
          throw ProtocolError(
              a.step, "feed brings the volume to " + std::to_string(v) + " mL, past the capacity");
        }
      }
    }
  }
};

ModelCatalog vessel_catalog() {
  static const auto model = std::make_shared<Vessel>();
  return {[](std::string_view name) {
            return name == "test_vessel" ? model : std::shared_ptr<const Model>{};
          },
          [] { return std::vector<std::string>{"test_vessel"}; }};
}

Scenario parse(const std::string& protocol) {
  return parse_scenario("model: test_vessel\nparameters: {r: 0}\nprotocol:\n" + protocol +
                            "outputs:\n  times: {from: 0, to: 10, step: 1}\n",
                        "vessel.yaml", vessel_catalog());
}

void expect_error(const std::string& protocol, const std::string& message, int line) {
  try {
    make_plan(parse(protocol));
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.message(), Catch::Matchers::Contains(message));
    CHECK(e.where().line == line);
  }
}
}  // namespace

TEST_CASE("model actions apply their settings, with defaults", "[actions]") {
  const Scenario s = parse(
      "  - at: 2\n    feed: {volume_ml: 30}\n"
      "  - at: 5\n    harvest: {fraction: 0.25}\n"
      "  - at: 8\n    harvest:\n");
  REQUIRE(s.protocol.size() == 3);
  CHECK(s.protocol[0].action.kind == ActionKind::model);
  CHECK(s.protocol[0].action.settings == std::vector<double>{30.0});
  CHECK(s.protocol[2].action.settings == std::vector<double>{1.0});  // the default
  const RunPlan plan = make_plan(s);
  Simulator simulator(plan, 0);
  const SampleResult r = simulator.run(0);
  REQUIRE(r.ok);
  // Columns: cells, volume, density. No growth (r = 0): only the actions change the state.
  CHECK(r.series(1, 1) == 50.0);
  CHECK(r.series(2, 1) == 80.0);  // fed at day 2 (output is after the event)
  CHECK(r.series(4, 0) == 1e6);
  CHECK(r.series(5, 0) == 0.75e6);  // a quarter harvested at day 5
  CHECK(r.series(5, 2) == Approx(0.75e6 / 80.0));
  CHECK(r.series(8, 0) == 0.0);  // all harvested at day 8
}

TEST_CASE("model action settings are validated", "[actions]") {
  expect_error("  - at: 2\n    feed: {}\n", "feed needs 'volume_ml' (unit mL)", 5);
  expect_error("  - at: 2\n    feed: {volume_ml: -1}\n",
               "feed setting 'volume_ml' = -1 is out of range [0, 10000] (unit mL)", 5);
  expect_error("  - at: 2\n    feed: {volum_ml: 3}\n",
               "unknown key 'volum_ml'; did you mean 'volume_ml'?", 5);
  expect_error("  - at: 2\n    fed: {volume_ml: 3}\n",
               "allowed keys: at, when, dose, dilute, set, stop, feed, harvest, label", 5);
}

TEST_CASE("the model's protocol check points at the offending step", "[actions]") {
  // In time order: 50 + 30 (day 1) + 30 (day 4) = 110 mL > 100 mL at the step written second,
  // which starts on line 6 of the scenario.
  expect_error(
      "  - at: 1\n    feed: {volume_ml: 30}\n"
      "  - at: 4\n    feed: {volume_ml: 30}\n"
      "  - at: 3\n    harvest: {fraction: 0.1}\n",
      "past the capacity", 6);
}
