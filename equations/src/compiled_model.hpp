#pragma once
// Internal to the equations library: what compile_model() makes of a ModelSpec, and what an
// EquationModel runs.
//
// Every program uses one frame layout: slot 0 is t, slots 1..n the states, then every parameter
// (the declared ones, then the hidden derived values), then the program's constants and
// temporaries.
#include <string>
#include <vector>

#include "cartsim/core/model.hpp"
#include "cartsim/equations/model_spec.hpp"
#include "program.hpp"

namespace cartsim::equations {

/// Where an event writes a value.
struct EventTarget {
  bool state = true;
  std::size_t index = 0;
  std::string name;
};

struct CompiledEvent {
  std::string label;
  Program condition;  ///< outputs: g, rising through 0 when the trigger becomes true
  Program trigger;    ///< outputs: the trigger's value (nonzero: true), for at_start
  /// Conditions of the trigger on parameters no event changes: when 0 at the start of a run, the
  /// event cannot fire in it and is left out. Outputs nothing when there is none.
  Program guard;
  Program action;  ///< outputs: one value per target, in order
  std::vector<EventTarget> targets;
  bool repeat = true;
  bool at_start = false;
};

struct CompiledModel {
  ModelSpec spec;
  ModelInfo info;
  std::size_t states = 0;
  std::size_t declared_parameters = 0;
  std::size_t hidden_parameters = 0;
  std::uint32_t inputs = 0;  ///< 1 + states + all parameters
  Program rhs;
  Program observables;
  Program jacobian;
  std::vector<std::pair<std::size_t, std::size_t>> jacobian_entries;  ///< (row, column) per output
  Program derive;   ///< outputs: the hidden parameters, in order
  Program initial;  ///< outputs: the initial state (from declared parameters only)
  std::vector<CompiledEvent> events;
  std::string rhs_listing;

  std::uint32_t state_slot(std::size_t i) const { return static_cast<std::uint32_t>(1 + i); }
  std::uint32_t parameter_slot(std::size_t j) const {
    return static_cast<std::uint32_t>(1 + states + j);
  }
};

/// Builds everything but the ModelInfo text fields and the checks of units (model_compiler.cpp).
std::shared_ptr<CompiledModel> build_model(const ModelSpec& spec);

}  // namespace cartsim::equations
