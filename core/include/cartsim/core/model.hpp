#pragma once
// The run-time contract of every model and the description it publishes: `Model`, what ODE and
// agent-based models share; `OdeModel`, a model a solver integrates; the agent contract is
// `AgentModel` (agent_model.hpp), beside OdeModel.
#include <Eigen/Core>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cartsim/core/events.hpp"
#include "cartsim/core/metrics.hpp"

namespace cartsim {

/// One state variable of the ODE system.
struct StateInfo {
  std::string name;
  std::string unit;  ///< e.g. "cells", "copies/ug", "cells/uL"
  std::string description;
  bool nonnegative = true;  ///< a population or concentration: solvers keep it >= 0
};

/// One model parameter, with its default and the range the scenario may set it to.
struct ParameterInfo {
  std::string name;
  std::string unit;  ///< "1" for dimensionless, "1/d" for rates
  std::string description;
  double default_value = 0.0;
  double min = -std::numeric_limits<double>::infinity();  ///< inclusive lower bound
  double max = std::numeric_limits<double>::infinity();   ///< inclusive upper bound
  std::string source;     ///< literature source of the default, or "assumed: ..."
  bool internal = false;  ///< a switch the model's own events drive; scenarios may not set it
};

/// A derived output, computed from (t, y, p), e.g. "CAR+ cells/uL".
struct ObservableInfo {
  std::string name;
  std::string unit;
  std::string description;
};

/// One setting of a model-specific protocol action, e.g. the MOI of `transduce`.
struct SettingInfo {
  std::string name;
  std::string unit;
  std::string description;
  std::optional<double> default_value;  ///< std::nullopt: the scenario must give it
  double min = -std::numeric_limits<double>::infinity();  ///< inclusive
  double max = std::numeric_limits<double>::infinity();   ///< inclusive
};

/// A protocol action a model offers besides the generic dose / dilute / set / stop, written in a
/// scenario as `- at: 1` + `NAME: {setting: value, ...}` (e.g. `feed`, `transduce`, `infuse`).
struct ActionInfo {
  std::string name;  ///< the YAML key
  std::string description;
  std::vector<SettingInfo> settings;
};

/// A model action as a scenario schedules it; what Model::check_protocol sees.
struct PlannedAction {
  double time = 0.0;                 ///< days; NaN for a state-triggered step
  std::size_t action = 0;            ///< index into ModelInfo::actions
  std::span<const double> settings;  ///< in ActionInfo::settings order, defaults filled in
  std::size_t step = 0;              ///< index of the protocol step, for error locations
};

/// Outputs that `cartsim report` plots together (e.g. a run sheet's viable cells), written to
/// run.json for it. Optional: without hints the report groups the outputs by unit. Variables that a
/// scenario does not output are left out.
struct PlotHint {
  std::string title;
  std::vector<std::string> variables;  ///< states or observables, best of one unit
  bool log_scale = false;              ///< the plot opens on a log axis
};

/// A limit on an output (e.g. a release criterion) that `cartsim report` draws as a line: the
/// run's value of `parameter` times `factor`, a minimum or a maximum of `variable`.
struct LimitHint {
  std::string variable;   ///< state or observable
  std::string parameter;  ///< holds the limit
  bool minimum = true;    ///< true: values must be at or above it; false: at or below
  std::string label;      ///< e.g. "release: CAR+ >= spec"
  double factor = 1.0;
};

/// Everything `cartsim describe` prints about a model.
struct ModelInfo {
  std::string name;        ///< registry name, e.g. "stein2019"
  std::string title;       ///< one line
  std::string summary;     ///< a paragraph: what it is for
  std::string equations;   ///< equations as plain text, with units
  std::string references;  ///< full citations
  std::string deviations;  ///< each deviation from the source, or "none"
  std::vector<StateInfo> states;
  std::vector<ParameterInfo> parameters;
  std::vector<ObservableInfo> observables;
  std::vector<MetricSpec> metrics;  ///< the summary metrics this model knows how to compute
  std::vector<ActionInfo> actions;  ///< model-specific protocol actions
  /// The solver a scenario gets when it names none: the fastest backend that solves this model
  /// reliably (measured by bench/); empty means cvode_bdf.
  std::string default_solver;
  std::vector<PlotHint> plots;    ///< report hints (optional)
  std::vector<LimitHint> limits;  ///< report hints (optional)

  std::optional<std::size_t> find_state(std::string_view n) const;
  std::optional<std::size_t> find_action(std::string_view n) const;
  std::optional<std::size_t> find_parameter(std::string_view n) const;
  std::optional<std::size_t> find_observable(std::string_view n) const;
  const MetricSpec* find_metric(std::string_view n) const;
  /// Names of states then observables: what outputs and events may refer to.
  std::vector<std::string> variable_names() const;
  Eigen::VectorXd default_parameters() const;
};

/// A state or an observable, resolved to an index once so hot loops do not look names up.
struct VariableRef {
  enum class Kind { state, observable };
  Kind kind = Kind::state;
  std::size_t index = 0;
};

class OdeModel;
class AgentModel;

/// What every model offers, whatever integrates it: its description, the initial state, derived
/// outputs, the checks of a run's set-up and its protocol, and its own protocol actions. The
/// parsers, the run plan, the recorders and the output writer work on this contract alone.
///
/// A model is an immutable value: it holds no per-run state, and one shared instance serves every
/// run and thread. Everything that changes during a run lives in two vectors owned by the caller,
/// the state y (one entry per StateInfo) and the parameters p (one entry per ParameterInfo).
/// Exactly one of as_ode() and as_agent() is non-null: the kind of integration the model needs.
class Model {
 public:
  virtual ~Model() = default;

  virtual const ModelInfo& info() const = 0;
  std::size_t num_states() const { return info().states.size(); }
  std::size_t num_parameters() const { return info().parameters.size(); }
  std::size_t num_observables() const { return info().observables.size(); }

  /// The ODE contract when the model is integrated by a solver, else null.
  virtual const OdeModel* as_ode() const { return nullptr; }
  /// The agent contract when the model integrates itself with its agents, else null.
  virtual const AgentModel* as_agent() const { return nullptr; }

  /// Derived outputs, one per ObservableInfo. Default: none.
  virtual void observables(double t, std::span<const double> y, std::span<const double> p,
                           std::span<double> out) const;

  /// The default initial state for parameters p (scenarios may override entries).
  virtual void initial_state(std::span<const double> p, std::span<double> y0) const = 0;

  /// Checks of a run's set-up beyond each parameter's range (cross-parameter constraints, the start
  /// time t0 in days); throw ModelError naming the offending parameter or time.
  virtual void check_run(double t0, std::span<const double> p) const;

  /// Apply model action `action` (index into ModelInfo::actions) with its settings. Default:
  /// throws.
  virtual void apply_action(std::size_t action, std::span<const double> settings,
                            EventContext& ctx) const;
  /// Check a whole protocol's model actions before anything runs (e.g. a harvest before the
  /// seeding, a feed past a vessel's capacity); throw ProtocolError naming the step. `actions` is
  /// in time order (state-triggered ones last). Default: accepts anything.
  virtual void check_protocol(double t0, std::span<const double> p,
                              std::span<const PlannedAction> actions) const;

  /// The value of a state or observable. `scratch` must hold num_observables() doubles.
  double value(const VariableRef& v, double t, std::span<const double> y, std::span<const double> p,
               std::span<double> scratch) const;
  /// Resolve a state or observable name; std::nullopt if the model has neither.
  std::optional<VariableRef> resolve(std::string_view name) const;
  /// Name and unit of a resolved variable.
  const std::string& name_of(const VariableRef& v) const;
  const std::string& unit_of(const VariableRef& v) const;
};

/// A model integrated by an ODE solver: a right-hand side, and optionally its Jacobian, derived
/// parameters and the model's own events. The right-hand side only reads y and p; events and
/// actions change them between integration segments. Time is in days everywhere in cartsim.
class OdeModel : public Model {
 public:
  const OdeModel* as_ode() const final { return this; }

  /// dy/dt at (t, y) for parameters p (after derive_parameters(p)). Must not allocate, must not
  /// touch global state.
  /// May throw ModelError; solvers carry the exception across C code and rethrow it.
  virtual void rhs(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> dydt) const = 0;

  /// True when jacobian() gives the analytic d(rhs)/dy; otherwise solvers use differences.
  virtual bool has_jacobian() const { return false; }
  /// jac(i, j) = d(dy_i/dt)/dy_j. jac arrives zero-filled.
  virtual void jacobian(double t, std::span<const double> y, std::span<const double> p,
                        Eigen::Ref<Eigen::MatrixXd> jac) const;

  /// Compute internal parameters that are functions of others (e.g. logarithms of carrying
  /// capacities), so the right-hand side need not recompute them at every evaluation. Called
  /// before a run and after every event, since events may change parameters. Default: nothing.
  virtual void derive_parameters(std::span<double> p) const;

  /// The model's own events for a run starting at t0 with parameters p (e.g. a phase switch).
  /// They fire before protocol events scheduled at the same time.
  virtual void model_events(double t0, std::span<const double> p, EventSet& events) const;
};

}  // namespace cartsim
