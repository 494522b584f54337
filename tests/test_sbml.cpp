// SBML import and export (sbml/): round trips that give the same compiled model, time units,
// renamed reserved names, and refusals that name the element.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cartsim/core/errors.hpp"
#include "cartsim/equations/equation_model.hpp"
#include "cartsim/equations/model_writer.hpp"
#include "cartsim/sbml/sbml.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

using cartsim::ConfigError;
using cartsim::ModelError;
namespace eq = cartsim::equations;

namespace {

const std::string examples = std::string(CARTSIM_SOURCE_DIR) + "/scenarios/examples/";

std::string scratch() {
  const auto dir = std::filesystem::temp_directory_path() / "cartsim_test_sbml";
  std::filesystem::create_directories(dir);
  return dir.string();
}

const eq::EquationModel& equation_model(const cartsim::Scenario& s) {
  return dynamic_cast<const eq::EquationModel&>(*s.bound_model);
}

/// The same scenario with its model replaced by `model_yaml` (a model file's text).
cartsim::SampleResult run_with_model_file(const std::string& model_yaml, const std::string& rest,
                                          const std::string& dir) {
  // One file per call and process: ctest runs test cases in parallel processes.
  static int calls = 0;
  const std::string path =
      dir + "/model_" + std::to_string(::getpid()) + "_" + std::to_string(++calls) + ".yaml";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs(model_yaml.c_str(), f);
    std::fclose(f);
  }
  const cartsim::Scenario s =
      cartsim::parse_scenario("model: {file: " + path + "}\n" + rest, "roundtrip.yaml");
  const cartsim::RunPlan plan = cartsim::make_plan(s);
  cartsim::Simulator sim(plan, s.seed);
  return sim.run(0);
}

std::string sbml_doc(const std::string& body, const char* level = "level=\"3\" version=\"2\"",
                     const char* ns = "http://www.sbml.org/sbml/level3/version2/core") {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sbml xmlns=\"") + ns + "\" " +
         level + ">\n<model id=\"m\">\n" + body + "</model>\n</sbml>\n";
}

std::string import_error(const std::string& xml) {
  try {
    eq::compile_model(cartsim::sbml::import_sbml_string(xml, "test.xml"));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a model written in YAML survives YAML -> SBML -> YAML unchanged", "[sbml]") {
  for (const char* example : {"teaching_lotka_volterra.yaml", "teaching_two_compartment_oral.yaml",
                              "clinical_tocilizumab_pk.yaml"}) {
    INFO(example);
    const cartsim::Scenario s = cartsim::load_scenario(examples + example);
    const eq::EquationModel& original = equation_model(s);
    const std::string xml = cartsim::sbml::export_sbml(original.spec());
    const eq::ModelSpec back = cartsim::sbml::import_sbml_string(xml, "exported.xml");
    const auto imported = eq::compile_model(back);
    // The compiled programs and the description are the same.
    CHECK(imported->rhs_listing() == original.rhs_listing());
    const auto& a = original.info();
    const auto& b = imported->info();
    CHECK(b.name == a.name);
    CHECK(b.title == a.title);
    CHECK(b.default_solver == a.default_solver);
    REQUIRE(b.states.size() == a.states.size());
    for (std::size_t i = 0; i < a.states.size(); ++i) {
      CHECK(b.states[i].name == a.states[i].name);
      CHECK(b.states[i].unit == a.states[i].unit);
      CHECK(b.states[i].description == a.states[i].description);
      CHECK(b.states[i].nonnegative == a.states[i].nonnegative);
    }
    REQUIRE(b.parameters.size() == a.parameters.size());
    for (std::size_t j = 0; j < a.parameters.size(); ++j) {
      CHECK(b.parameters[j].name == a.parameters[j].name);
      CHECK(b.parameters[j].default_value == a.parameters[j].default_value);
      CHECK(b.parameters[j].min == a.parameters[j].min);
      CHECK(b.parameters[j].max == a.parameters[j].max);
      CHECK(b.parameters[j].unit == a.parameters[j].unit);
      CHECK(b.parameters[j].source == a.parameters[j].source);
    }
    REQUIRE(b.metrics.size() == a.metrics.size());
    for (std::size_t k = 0; k < a.metrics.size(); ++k) {
      CHECK(b.metrics[k].name == a.metrics[k].name);
      CHECK(b.metrics[k].kind == a.metrics[k].kind);
      CHECK(b.metrics[k].variable == a.metrics[k].variable);
      CHECK(b.metrics[k].from == a.metrics[k].from);
      CHECK(b.metrics[k].to == a.metrics[k].to);
    }
    // Written as model files and run, the original and the round trip give bitwise the same
    // trajectories.
    const std::string rest = "outputs: {times: {from: 0, to: 7, step: 0.5}}\n";
    const auto r0 = run_with_model_file(eq::write_model_yaml(original.spec()), rest, scratch());
    const auto r1 = run_with_model_file(eq::write_model_yaml(back, "round trip"), rest, scratch());
    REQUIRE(r0.ok);
    REQUIRE(r1.ok);
    CHECK(r1.series == r0.series);
    // Exporting the re-import gives the same SBML: a fixed point.
    CHECK(cartsim::sbml::export_sbml(back) == xml);
  }
}

TEST_CASE("events survive the SBML round trip: at_start, repeat: false and ordered assignments",
          "[sbml]") {
  const std::string text =
      "model:\n"
      "  states: {x: 1, n: 0}\n"
      "  parameters: {level: 8}\n"
      "  equations: {x: x, n: 0}\n"
      "  events:\n"
      "    - {name: halve, when: x >= level, let: {h: x / 2}, assign: {x: h, n: n + h}}\n"
      "    - {name: once, when: n > 5, repeat: false, assign: {level: level * 2}}\n"
      "    - {name: start, when: x < 2, at_start: true, assign: {n: n + 100}}\n"
      "outputs: {times: {from: 0, to: 8, step: 0.5}}\n"
      "solver: {name: dopri5, rtol: 1.0e-10, atol: 1.0e-10}\n";
  const cartsim::Scenario s = cartsim::parse_scenario(text, "events.yaml");
  const cartsim::RunPlan plan = cartsim::make_plan(s);
  cartsim::Simulator sim(plan, 0);
  const auto original = sim.run(0);
  REQUIRE(original.ok);
  const std::string xml = cartsim::sbml::export_sbml(equation_model(s).spec());
  // The one-shot event is a flag other tools understand; cartsim restores repeat: false.
  CHECK(xml.find("event_2_fired") != std::string::npos);
  const eq::ModelSpec back = cartsim::sbml::import_sbml_string(xml, "events.xml");
  REQUIRE(back.events.size() == 3);
  CHECK(back.events[1].repeat == false);
  CHECK(back.events[2].at_start == true);
  CHECK(back.parameters.size() == 1);  // the flag is not a parameter of the model
  const auto again = run_with_model_file(eq::write_model_yaml(back),
                                         "outputs: {times: {from: 0, to: 8, step: 0.5}}\n"
                                         "solver: {name: dopri5, rtol: 1.0e-10, atol: 1.0e-10}\n",
                                         scratch());
  REQUIRE(again.ok);
  CHECK(again.series == original.series);
  CHECK(again.stats.events_fired == original.stats.events_fired);
}

TEST_CASE("what SBML core cannot hold is refused on export, naming it", "[sbml]") {
  const cartsim::Scenario s =
      cartsim::parse_scenario("model: {file: " + std::string(CARTSIM_SOURCE_DIR) +
                                  "/scenarios/models/kimmel2021.yaml}\noutputs: {times: [0, 1]}\n",
                              "k.yaml");
  try {
    cartsim::sbml::export_sbml(equation_model(s).spec());
    FAIL("expected a ModelError");
  } catch (const ModelError& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("uniform() has no equivalent in SBML core"));
  }
}

TEST_CASE("SBML time units are converted to days", "[sbml]") {
  // dx/dt = -k x with k = 1e-5 per second: 0.864 per day.
  const std::string xml = sbml_doc(
      "<listOfUnitDefinitions><unitDefinition id=\"hour\"><listOfUnits>"
      "<unit kind=\"second\" exponent=\"1\" scale=\"0\" multiplier=\"3600\"/>"
      "</listOfUnits></unitDefinition></listOfUnitDefinitions>\n"
      "<listOfParameters><parameter id=\"x\" value=\"1\" constant=\"false\"/>"
      "<parameter id=\"k\" value=\"0.036\" constant=\"true\"/>"
      "<parameter id=\"clock\" value=\"0\" constant=\"false\"/></listOfParameters>\n"
      "<listOfRules><rateRule variable=\"x\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\">"
      "<apply><times/><apply><minus/><ci>k</ci></apply><ci>x</ci></apply></math></rateRule>"
      "<assignmentRule variable=\"clock\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\">"
      "<csymbol encoding=\"text\" definitionURL=\"http://www.sbml.org/sbml/symbols/time\">t"
      "</csymbol></math></assignmentRule></listOfRules>\n");
  std::string with_units = xml;
  with_units.replace(with_units.find("<model id=\"m\">"), 14,
                     "<model id=\"m\" timeUnits=\"hour\">");
  const eq::ModelSpec spec = cartsim::sbml::import_sbml_string(with_units, "hours.xml");
  const auto model = eq::compile_model(spec);
  const auto& m = *model;
  std::vector<double> p(m.num_parameters());
  for (std::size_t j = 0; j < p.size(); ++j) {
    p[j] = m.info().parameters[j].default_value;
  }
  m.derive_parameters(p);
  std::vector<double> dydt(1);
  m.rhs(0.0, std::vector<double>{1.0}, p, dydt);
  CHECK_THAT(dydt[0], Catch::Matchers::WithinRel(-0.036 * 24.0, 1e-15));  // per day
  std::vector<double> clock(1);
  m.observables(2.5, std::vector<double>{1.0}, p, clock);
  CHECK_THAT(clock[0], Catch::Matchers::WithinRel(2.5 * 24.0, 1e-15));  // model time in hours
  CHECK_THAT(spec.deviations, Catch::Matchers::Contains("multiplied by 24"));
}

TEST_CASE("SBML ids that are cartsim's reserved names are renamed", "[sbml]") {
  const std::string xml = sbml_doc(
      "<listOfParameters><parameter id=\"time\" value=\"2\" constant=\"true\"/>"
      "<parameter id=\"exp\" value=\"1\" constant=\"false\"/></listOfParameters>\n"
      "<listOfRules><rateRule variable=\"exp\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\">"
      "<ci>time</ci></math></rateRule></listOfRules>\n");
  const eq::ModelSpec spec = cartsim::sbml::import_sbml_string(xml, "names.xml");
  REQUIRE(spec.states.size() == 1);
  CHECK(spec.states[0].name == "exp_");
  CHECK(spec.parameters[0].name == "time_");
  CHECK(spec.equations[0].rate.text == "time_");
  CHECK_NOTHROW(eq::compile_model(spec));
}

TEST_CASE("SBML constructs cartsim cannot run are refused, naming the element", "[sbml]") {
  const std::string parameters =
      "<listOfParameters><parameter id=\"x\" value=\"1\" constant=\"false\"/></listOfParameters>\n";
  const std::string event_delay = sbml_doc(
      parameters +
      "<listOfEvents><event id=\"e1\" useValuesFromTriggerTime=\"true\">"
      "<trigger initialValue=\"false\" persistent=\"true\"><math "
      "xmlns=\"http://www.w3.org/1998/Math/MathML\"><apply><gt/><ci>x</ci><cn>2</cn></apply>"
      "</math></trigger><delay><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><cn>1</cn>"
      "</math></delay><listOfEventAssignments><eventAssignment variable=\"x\"><math "
      "xmlns=\"http://www.w3.org/1998/Math/MathML\"><cn>0</cn></math></eventAssignment>"
      "</listOfEventAssignments></event></listOfEvents>\n");
  CHECK_THAT(import_error(event_delay),
             Catch::Matchers::Contains("event 'e1' has a delay; delayed events are not supported"));
  std::string priority = event_delay;
  priority.replace(priority.find("<delay>"),
                   priority.find("</delay>") + 8 - priority.find("<delay>"),
                   "<priority><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><cn>1</cn></math>"
                   "</priority>");
  CHECK_THAT(import_error(priority), Catch::Matchers::Contains("event 'e1' has a priority"));
  CHECK_THAT(import_error("not xml at all"), Catch::Matchers::Contains("not a valid SBML file"));
  const std::string unknown = sbml_doc(
      parameters +
      "<listOfRules><rateRule variable=\"x\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\">"
      "<ci>undefined_thing</ci></math></rateRule></listOfRules>\n");
  CHECK_THAT(import_error(unknown), Catch::Matchers::Contains("unknown name 'undefined_thing'"));
}
