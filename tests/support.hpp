#pragma once
// Helpers shared by the unit tests: tiny test-only models and a one-call solve.
#include <Eigen/Core>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/events.hpp"
#include "cartsim/core/model.hpp"
#include "cartsim/core/recorders.hpp"
#include "cartsim/solvers/solver.hpp"

namespace cartsim::testing {

/// Every solver backend, for tests that must hold for all of them.
inline const std::vector<std::string>& all_solvers() {
  static const std::vector<std::string> names = solver_names();
  return names;
}

/// dy/dt = -k y (cells), exact y(t) = y0 e^{-k t}. Optional failure modes for contract tests.
class DecayModel final : public OdeModel {
 public:
  enum Parameter : std::size_t { k, fail_after, nan_after };
  const ModelInfo& info() const override {
    static const ModelInfo m = [] {
      ModelInfo i;
      i.name = "test_decay";
      i.states = {{"y", "cells", "decaying population", true}};
      i.parameters = {
          {"k", "1/d", "decay rate", 1.0, 0.0, 1e9, "test"},
          {"fail_after", "d", "throw std::domain_error after this time", 1e300, 0.0, 1e300, "test"},
          {"nan_after", "d", "return NaN after this time", 1e300, 0.0, 1e300, "test"}};
      i.observables = {{"twice_y", "cells", "2 y"}};
      return i;
    }();
    return m;
  }
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override {
    if (t > p[fail_after]) {
      throw std::domain_error("test model failure at t = " + std::to_string(t));
    }
    dydt[0] = t > p[nan_after] ? std::nan("") : -p[k] * y[0];
  }
  bool has_jacobian() const override { return true; }
  void jacobian(double, std::span<const double>, std::span<const double> p,
                Eigen::Ref<Eigen::MatrixXd> jac) const override {
    jac(0, 0) = -p[k];
  }
  void observables(double, std::span<const double> y, std::span<const double>,
                   std::span<double> out) const override {
    out[0] = 2.0 * y[0];
  }
  void initial_state(std::span<const double>, std::span<double> y0) const override { y0[0] = 1.0; }
};

/// Applies model action `name` to (y, p) at time t (days) with the settings `given` by name and
/// the declared defaults for the rest, as the protocol parser fills them. Returns whether the
/// action stops the run. Throws std::invalid_argument for an unknown action or setting.
inline bool apply_action(const Model& model, const std::string& name,
                         const std::vector<std::pair<const char*, double>>& given,
                         std::vector<double>& y, std::vector<double>& p, double t = 0.0) {
  const auto index = model.info().find_action(name);
  if (!index) {
    throw std::invalid_argument("no action '" + name + "'");
  }
  const ActionInfo& action = model.info().actions[*index];
  std::vector<double> settings;
  for (const auto& setting : action.settings) {
    settings.push_back(setting.default_value.value_or(std::nan("")));
  }
  for (const auto& [key, value] : given) {
    std::size_t i = 0;
    while (i < action.settings.size() && action.settings[i].name != key) {
      ++i;
    }
    if (i == action.settings.size()) {
      throw std::invalid_argument("action '" + name + "' has no setting '" + key + "'");
    }
    settings[i] = value;
  }
  EventContext ctx;
  ctx.t = t;
  ctx.y = y;
  ctx.p = p;
  model.apply_action(*index, settings, ctx);
  return ctx.stop;
}

/// A recorder of everything the observer protocol reports, to test the protocol itself.
struct Trace final : Observer {
  struct Event {
    double t;
    std::string label;
    std::vector<double> y;
  };
  std::vector<std::pair<double, double>> segments;
  std::vector<Event> events;
  double t_start = NAN;
  double t_finish = NAN;
  std::vector<double> y_finish;
  void on_start(double t, std::span<const double>, std::span<const double>) override {
    t_start = t;
  }
  void on_segment(const Segment& s) override { segments.emplace_back(s.t_begin, s.t_end); }
  void on_event(double t, const std::string& label, std::span<const double> y,
                std::span<const double>) override {
    events.push_back({t, label, {y.begin(), y.end()}});
  }
  void on_finish(double t, std::span<const double> y, std::span<const double>) override {
    t_finish = t;
    y_finish.assign(y.begin(), y.end());
  }
};

/// Observers in sequence (the library's own fan-out).
using Both = ObserverPair;

/// The model's default parameters as a plain vector (for calling rhs() and friends by hand).
inline std::vector<double> default_parameter_vector(const Model& model) {
  const Eigen::VectorXd p = model.info().default_parameters();
  return {p.data(), p.data() + p.size()};
}

inline Problem make_problem(const OdeModel& model, double t0, double t_end) {
  Problem problem;
  problem.model = &model;
  problem.p = model.info().default_parameters();
  problem.y0.resize(static_cast<Eigen::Index>(model.num_states()));
  model.initial_state({problem.p.data(), static_cast<std::size_t>(problem.p.size())},
                      {problem.y0.data(), model.num_states()});
  problem.t0 = t0;
  problem.t_end = t_end;
  return problem;
}

inline std::vector<double> grid(double from, double to, double step) {
  std::vector<double> t;
  const auto n = static_cast<int>(std::llround((to - from) / step));
  for (int i = 0; i <= n; ++i) {
    t.push_back(from + i * step);
  }
  return t;
}

/// All states of `model` recorded on `times`.
inline GridRecorder state_recorder(const Model& model, std::vector<double> times) {
  std::vector<VariableRef> columns;
  for (std::size_t i = 0; i < model.num_states(); ++i) {
    columns.push_back({VariableRef::Kind::state, i});
  }
  return GridRecorder(model, std::move(times), std::move(columns));
}

}  // namespace cartsim::testing
