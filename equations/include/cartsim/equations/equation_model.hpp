#pragma once
// An OdeModel built at run time from a ModelSpec (a model written by a user, or imported from
// SBML). compile_model() checks the spec and compiles its expressions once into register programs
// (equations/src/program.hpp): the right-hand side, the observables, an analytic Jacobian by
// symbolic differentiation, the initial state, the values that depend only on parameters
// (computed once per run and after every event, in derive_parameters(), into hidden internal
// parameters "(derived) ..."), and the model's events. Evaluating them walks no tree and
// allocates nothing.
//
// The model is an immutable value like every OdeModel: one instance serves all runs and threads.
// A derivative that is NaN while the state and time are finite fails the run at once
// (NonFiniteStateError), naming the state, the time and the state's values.
#include <memory>
#include <string>
#include <vector>

#include "cartsim/core/model.hpp"
#include "cartsim/equations/model_spec.hpp"

namespace cartsim::equations {

class CompiledModel;

class EquationModel final : public OdeModel {
 public:
  explicit EquationModel(std::shared_ptr<const CompiledModel> compiled);
  ~EquationModel() override;

  const ModelInfo& info() const override;
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override;
  bool has_jacobian() const override;
  void jacobian(double t, std::span<const double> y, std::span<const double> p,
                Eigen::Ref<Eigen::MatrixXd> jac) const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;
  void derive_parameters(std::span<double> p) const override;
  void model_events(double t0, std::span<const double> p, EventSet& events) const override;

  /// The spec the model was compiled from (for SBML export and `describe`).
  const ModelSpec& spec() const;
  /// Parameters the spec declares (the first ones of info().parameters; the hidden derived values
  /// follow).
  std::size_t declared_parameters() const;
  /// Instructions in the right-hand-side program (for benchmarks and tests).
  std::size_t rhs_instructions() const;
  /// A printable listing of the right-hand-side program.
  std::string rhs_listing() const;

 private:
  std::shared_ptr<const CompiledModel> compiled_;
};

/// Checks `spec` and compiles it. Throws ConfigError at the offending element, and inside an
/// expression at the offending character: unknown names, syntax errors, a state without an
/// equation or with two, a name defined twice, a cycle among observables, a divisor that depends
/// only on parameters whose ranges allow it to be 0, a unit that does not match (when the spec
/// gives units and check_units is on), an event target that is not a state or parameter, ...
std::shared_ptr<const EquationModel> compile_model(const ModelSpec& spec);

}  // namespace cartsim::equations
