#pragma once
// A model written by a user, as data: states, parameters, equations, observables, functions,
// events and metrics, each expression kept as text with where it was written. The scenario parser
// (YAML, simulation/src/model_spec_parser.cpp) and the SBML importer (sbml/) produce a ModelSpec;
// compile_model() (equation_model.hpp) checks it and turns it into an OdeModel. The YAML schema is
// documented in docs/scenario_reference.md ("model: a model written in the scenario").
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/metrics.hpp"

namespace cartsim::equations {

/// An expression as written, and where: the location of its first character, and optionally of
/// every character (a YAML scalar may span lines or sit after a quote), so that an error inside
/// the expression points at the character itself.
struct SourceText {
  std::string text;
  InputLocation where;
  std::vector<std::pair<int, int>> positions;  ///< line, column of text[i]; empty: use `where`

  bool empty() const { return text.empty(); }
  /// The location of the 1-based `column` within `text`.
  InputLocation at(int column) const;
};

struct StateSpec {
  std::string name;
  std::string unit;  ///< empty: not given
  std::string description;
  bool nonnegative = true;
  SourceText initial;  ///< initial value: a number or an expression of parameters and other states
  InputLocation where;
};

struct ParameterSpec {
  std::string name;
  std::string unit;
  std::string description;
  double value = 0.0;
  double min = -std::numeric_limits<double>::infinity();  ///< inclusive
  double max = std::numeric_limits<double>::infinity();   ///< inclusive
  std::string source;                                     ///< citation, or "assumed: ..."
  bool internal = false;  ///< changed only by the model's own events; scenarios may not set it
  InputLocation where;
  InputLocation value_where;
};

/// A named quantity computed from the others (an assignment rule): usable in equations, other
/// observables, events, outputs and metrics.
struct ObservableSpec {
  std::string name;
  std::string unit;
  std::string description;
  SourceText expression;
  InputLocation where;
};

/// d(state)/dt = rate.
struct EquationSpec {
  std::string state;
  SourceText rate;
  InputLocation where;  ///< the key
};

/// A function of its arguments, inlined where it is called.
struct FunctionSpec {
  std::string name;
  std::vector<std::string> arguments;
  SourceText body;
  InputLocation where;
};

/// One `target: value` of an event, applied in order (each sees the ones before it).
struct AssignmentSpec {
  std::string target;  ///< a state, a parameter, or a local (`let`) name
  SourceText value;
  InputLocation where;
};

/// "When `trigger` becomes true, do the assignments." The trigger is a condition on states,
/// parameters and t; it fires when it changes from false to true (located by the solver's root
/// finding), and with `at_start`, also at the start of a run if it holds then.
struct EventSpec {
  std::string name;
  SourceText trigger;
  bool repeat = true;     ///< false: at most once per run
  bool at_start = false;  ///< also fire at the start of a run when the trigger holds there
  std::vector<AssignmentSpec> let;     ///< local values for the assignments (not stored)
  std::vector<AssignmentSpec> assign;  ///< targets: states and parameters
  InputLocation where;
};

struct MetricEntry {
  MetricSpec metric;
  InputLocation where;
};

struct ModelSpec {
  std::string name;  ///< shown as the model's name; a safe identifier
  std::string title;
  std::string summary;
  std::string references;
  std::string deviations;
  std::string default_solver;  ///< empty: cvode_bdf
  bool check_units = true;
  std::vector<StateSpec> states;
  std::vector<ParameterSpec> parameters;
  std::vector<ObservableSpec> observables;
  std::vector<EquationSpec> equations;
  std::vector<FunctionSpec> functions;
  std::vector<EventSpec> events;
  std::vector<MetricEntry> metrics;
  InputLocation where;  ///< the `model:` node
};

}  // namespace cartsim::equations
