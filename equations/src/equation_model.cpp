#include "cartsim/equations/equation_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/random.hpp"
#include "compiled_model.hpp"
#include "units.hpp"

namespace cartsim::equations {

namespace {

std::string state_values(const CompiledModel& m, std::span<const double> y) {
  std::string out;
  const std::size_t shown = std::min<std::size_t>(m.states, 8);
  for (std::size_t i = 0; i < shown; ++i) {
    out += fmt::format("{}{} = {:g}", i == 0 ? "" : ", ", m.spec.states[i].name, y[i]);
  }
  if (shown < m.states) {
    out += ", ...";
  }
  return out;
}

[[noreturn]] void nan_derivative(const CompiledModel& m, double t, std::span<const double> y,
                                 std::size_t i) {
  throw NonFiniteStateError(
      fmt::format("the equation of state '{}' of model '{}' gave NaN at t = {:g} d (state: {})",
                  m.spec.states[i].name, m.info.name, t, state_values(m, y)),
      t);
}

/// Runs an event's action on the context: computes every value first, then writes them.
void apply_event(const CompiledModel& m, const CompiledEvent& e, EventContext& ctx) {
  if (e.action.uses_random() && ctx.random == nullptr) {
    throw ModelError(
        fmt::format("model '{}': event '{}' draws random numbers, but the run has no random stream "
                    "(EventContext::random is null); run it through cartsim::Simulator",
                    m.info.name, e.label));
  }
  Frame frame(e.action.frame_size());
  e.action.load(frame.data(), ctx.t, ctx.y.data(), ctx.p.data());
  e.action.run(frame.data(), ctx.random);
  const auto& slots = e.action.output_slots();
  for (std::size_t k = 0; k < e.targets.size(); ++k) {
    const EventTarget& target = e.targets[k];
    const double v = frame[slots[k]];
    if (std::isnan(v)) {
      throw ModelError(fmt::format("model '{}': event '{}' at t = {:g} d set '{}' to NaN",
                                   m.info.name, e.label, ctx.t, target.name));
    }
    if (target.state) {
      if (v < 0.0 && m.info.states[target.index].nonnegative) {
        throw ModelError(
            fmt::format("model '{}': event '{}' at t = {:g} d set state '{}' to {:g}, but it is "
                        "non-negative (give it 'nonnegative: false' if it may be negative)",
                        m.info.name, e.label, ctx.t, target.name, v));
      }
      ctx.y[target.index] = v;
    } else {
      ctx.p[target.index] = v;
    }
  }
}

double run_single(const Program& program, double t, std::span<const double> y,
                  std::span<const double> p) {
  Frame frame(program.frame_size());
  program.load(frame.data(), t, y.data(), p.data());
  program.run(frame.data());
  return frame[program.output_slots()[0]];
}

}  // namespace

EquationModel::EquationModel(std::shared_ptr<const CompiledModel> compiled)
    : compiled_(std::move(compiled)) {}

EquationModel::~EquationModel() = default;

const ModelInfo& EquationModel::info() const {
  return compiled_->info;
}

void EquationModel::rhs(double t, std::span<const double> y, std::span<const double> p,
                        std::span<double> dydt) const {
  const CompiledModel& m = *compiled_;
  Frame frame(m.rhs.frame_size());
  m.rhs.load(frame.data(), t, y.data(), p.data());
  m.rhs.run(frame.data());
  const auto& slots = m.rhs.output_slots();
  double sum = 0.0;
  for (std::size_t i = 0; i < m.states; ++i) {
    dydt[i] = frame[slots[i]];
    sum += dydt[i] * 0.0;  // NaN iff some derivative is NaN or infinite
  }
  if (std::isnan(sum)) {
    // A NaN from a finite state and time is the model's own (0/0, log of a negative number, ...):
    // fail the run here, naming the equation. Infinite values (a too-large trial step) are left
    // to the solver, which may retry with a smaller step.
    bool finite = std::isfinite(t);
    for (std::size_t i = 0; i < m.states && finite; ++i) {
      finite = std::isfinite(y[i]);
    }
    for (std::size_t i = 0; finite && i < m.states; ++i) {
      if (std::isnan(dydt[i])) {
        nan_derivative(m, t, y, i);
      }
    }
  }
}

bool EquationModel::has_jacobian() const {
  return true;
}

void EquationModel::jacobian(double t, std::span<const double> y, std::span<const double> p,
                             Eigen::Ref<Eigen::MatrixXd> jac) const {
  const CompiledModel& m = *compiled_;
  Frame frame(m.jacobian.frame_size());
  m.jacobian.load(frame.data(), t, y.data(), p.data());
  m.jacobian.run(frame.data());
  const auto& slots = m.jacobian.output_slots();
  for (std::size_t k = 0; k < m.jacobian_entries.size(); ++k) {
    const auto [i, j] = m.jacobian_entries[k];
    jac(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = frame[slots[k]];
  }
}

void EquationModel::observables(double t, std::span<const double> y, std::span<const double> p,
                                std::span<double> out) const {
  const CompiledModel& m = *compiled_;
  if (m.info.observables.empty()) {
    return;
  }
  Frame frame(m.observables.frame_size());
  m.observables.load(frame.data(), t, y.data(), p.data());
  m.observables.run(frame.data());
  const auto& slots = m.observables.output_slots();
  for (std::size_t k = 0; k < slots.size(); ++k) {
    out[k] = frame[slots[k]];
  }
}

void EquationModel::initial_state(std::span<const double> p, std::span<double> y0) const {
  const CompiledModel& m = *compiled_;
  Frame frame(std::max<std::size_t>(m.initial.frame_size(), m.inputs));
  m.initial.load(frame.data(), 0.0, nullptr, p.data());
  m.initial.run(frame.data());
  const auto& slots = m.initial.output_slots();
  for (std::size_t i = 0; i < m.states; ++i) {
    y0[i] = frame[slots[i]];
  }
}

void EquationModel::derive_parameters(std::span<double> p) const {
  const CompiledModel& m = *compiled_;
  if (m.hidden_parameters == 0) {
    return;
  }
  Frame frame(std::max<std::size_t>(m.derive.frame_size(), m.inputs));
  m.derive.load(frame.data(), 0.0, nullptr, p.data());
  m.derive.run(frame.data());
  const auto& slots = m.derive.output_slots();
  for (std::size_t k = 0; k < m.hidden_parameters; ++k) {
    p[m.declared_parameters + k] = frame[slots[k]];
  }
}

void EquationModel::model_events(double t0, std::span<const double> p, EventSet& events) const {
  const CompiledModel* m = compiled_.get();
  std::vector<double> y_none(m->states, 0.0);
  for (const CompiledEvent& e : m->events) {
    if (!e.guard.output_slots().empty() && run_single(e.guard, t0, y_none, p) == 0.0) {
      continue;  // a condition on fixed parameters is false: the event cannot fire in this run
    }
    const CompiledEvent* ev = &e;
    if (e.at_start) {
      events.scheduled.push_back({t0, e.label + " (at the start)", [m, ev](EventContext& ctx) {
                                    if (run_single(ev->trigger, ctx.t, ctx.y, ctx.p) != 0.0) {
                                      apply_event(*m, *ev, ctx);
                                    }
                                  }});
    }
    StateEvent s;
    s.label = e.label;
    s.direction = Crossing::rising;
    s.repeat = e.repeat;
    s.condition = [m, ev](double t, std::span<const double> y, std::span<const double> q) {
      return run_single(ev->condition, t, y, q);
    };
    s.action = [m, ev](EventContext& ctx) { apply_event(*m, *ev, ctx); };
    events.state.push_back(std::move(s));
  }
}

const ModelSpec& EquationModel::spec() const {
  return compiled_->spec;
}

std::size_t EquationModel::declared_parameters() const {
  return compiled_->declared_parameters;
}

std::size_t EquationModel::rhs_instructions() const {
  return compiled_->rhs.instructions();
}

std::string EquationModel::rhs_listing() const {
  return compiled_->rhs_listing;
}

std::shared_ptr<const EquationModel> compile_model(const ModelSpec& spec) {
  auto compiled = build_model(spec);  // names, structure and expressions first
  check_units(spec);
  return std::make_shared<const EquationModel>(std::move(compiled));
}

}  // namespace cartsim::equations
