#pragma once
// The integration loop every backend shares: scheduled and state events, segment reporting, the
// step budget and the finiteness check. A backend only knows how to take one step and interpolate
// in it.
//
// Backend requirements (a template parameter, no base class):
//   static constexpr bool native_roots;               // true: the backend locates state events
//   void start(double t, std::span<const double> y);  // (re)initialise at t with state y
//   double step(double t_stop);     // one accepted step from the current time; returns its end
//   time.
//                                   // May pass t_stop unless native_roots (then it stops at
//                                   t_stop).
//   bool root_found() const;        // native_roots only: the last step ended on a state event
//   const std::vector<int>& roots() const;  // native_roots only: per state event, nonzero if it
//   fired const I& interpolant() const;  // dense output over the last step (I: an Interpolant,
//                                  // best the backend's own final class)
//   std::span<const double> state() const;  // state at the end of the last step
//   void set_parameters(std::span<const double> p);  // the parameters the right-hand side reads
//   void set_state_events(const std::vector<StateEvent>* events, const std::vector<char>* active);
#include <Eigen/Core>
#include <algorithm>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/solvers/solver.hpp"

namespace cartsim::detail {

/// Relative accuracy to which event times are located (days).
inline constexpr double event_time_tolerance = 1e-12;

inline bool is_crossing(double g_before, double g_after, Crossing direction) {
  const bool rising = g_before < 0.0 && g_after >= 0.0;
  const bool falling = g_before > 0.0 && g_after <= 0.0;
  switch (direction) {
    case Crossing::rising:
      return rising;
    case Crossing::falling:
      return falling;
    case Crossing::either:
      return rising || falling;
  }
  return false;
}

/// Locate state events on the dense output of one step, for backends without native root finding.
/// Returns the earliest crossing time in [ta, tb] and marks in `hits` every event crossing then.
inline double locate_state_events(const std::vector<StateEvent>& events,
                                  const std::vector<char>& active, const Interpolant& solution,
                                  std::span<const double> p, double ta, double tb,
                                  Eigen::VectorXd& y, std::vector<int>& hits) {
  constexpr int samples = 5;  // detects a condition that crosses and returns within one step
  const double none = std::numeric_limits<double>::infinity();
  double earliest = none;
  std::vector<double> found(events.size(), none);
  auto g = [&](const StateEvent& e, double t) {
    solution.at(t, {y.data(), static_cast<std::size_t>(y.size())});
    return e.condition(t, {y.data(), static_cast<std::size_t>(y.size())}, p);
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!active[i]) {
      continue;
    }
    const StateEvent& e = events[i];
    double t_prev = ta;
    double g_prev = g(e, ta);
    for (int k = 1; k < samples; ++k) {
      const double t_next = k == samples - 1 ? tb : ta + (tb - ta) * k / (samples - 1);
      const double g_next = g(e, t_next);
      if (is_crossing(g_prev, g_next, e.direction)) {
        double root = t_next;
        if (g_next != 0.0) {
          auto f = [&](double t) { return g(e, t); };
          std::uintmax_t iterations = 200;
          auto tolerance = [](double lo, double hi) {
            return std::abs(hi - lo) <= event_time_tolerance * std::max(1.0, std::abs(lo));
          };
          const auto bracket = boost::math::tools::toms748_solve(f, t_prev, t_next, g_prev, g_next,
                                                                 tolerance, iterations);
          // The upper end is on the far side of the crossing, so the action sees it crossed.
          root = bracket.second;
        }
        found[i] = root;
        earliest = std::min(earliest, root);
        break;
      }
      t_prev = t_next;
      g_prev = g_next;
    }
  }
  hits.assign(events.size(), 0);
  if (earliest == none) {
    return none;
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (found[i] != none &&
        found[i] - earliest <= event_time_tolerance * std::max(1.0, std::abs(earliest))) {
      hits[i] = 1;
    }
  }
  return earliest;
}

/// The backend's dense output with non-negative states clipped at zero. A dense-output polynomial
/// can undershoot zero between step ends, and CVODE's state at a step end, by less than the
/// absolute tolerance (e.g. -1e-13 for a population that has decayed to 1e-20); observers, event
/// conditions and restarts see the clipped values, so no reported population is ever negative.
/// `Inner` is the backend's own interpolant type: when it is a final class, the call to its at()
/// is direct and inlined (one virtual call per output time instead of two).
/// An Inner with `static constexpr bool clips_nonnegative = true` clips in its own at() (in the
/// same pass, where the values are still in registers) and is only forwarded to.
template <class Inner>
class ClippedInterpolant final : public Interpolant {
  static constexpr bool clips_itself = requires { requires Inner::clips_nonnegative; };

 public:
  ClippedInterpolant(const Inner& inner, const std::vector<std::size_t>& nonnegative)
      : inner_(inner), nonnegative_(nonnegative) {}
  void at(double t, std::span<double> y) const override {
    inner_.at(t, y);
    if constexpr (!clips_itself) {
      for (std::size_t i : nonnegative_) {
        y[i] = std::max(y[i], 0.0);
      }
    }
  }

 private:
  const Inner& inner_;
  const std::vector<std::size_t>& nonnegative_;
};

/// Runs the loop; `stats` is kept up to date as it goes, so it is meaningful after a throw too.
template <class Backend>
void run_event_loop(Backend& backend, const Problem& problem, Observer& observer,
                    const SolverOptions& options, SolveStats& stats) {
  if (problem.model == nullptr) {
    throw ModelError("solve: the problem has no model");
  }
  const OdeModel& model = *problem.model;
  const auto n = static_cast<Eigen::Index>(model.num_states());
  if (problem.y0.size() != n ||
      problem.p.size() != static_cast<Eigen::Index>(model.num_parameters())) {
    throw ModelError("solve: state or parameter vector has the wrong size for model '" +
                     model.info().name + "'");
  }
  if (!(problem.t_end > problem.t0)) {
    throw ModelError("solve: end time must be after start time");
  }

  std::vector<std::size_t> nonnegative;
  for (std::size_t i = 0; i < model.num_states(); ++i) {
    if (model.info().states[i].nonnegative) {
      nonnegative.push_back(i);
    }
  }
  using Inner = std::remove_cvref_t<decltype(backend.interpolant())>;
  const ClippedInterpolant<Inner> solution(backend.interpolant(), nonnegative);

  Eigen::VectorXd y = problem.y0;
  Eigen::VectorXd p = problem.p;
  Eigen::VectorXd y_probe(n);
  const std::span<double> y_span{y.data(), static_cast<std::size_t>(n)};
  const std::span<double> p_span{p.data(), static_cast<std::size_t>(p.size())};

  model.derive_parameters(p_span);
  // Model events first, then the protocol's, each list in the order written; stable by time.
  EventSet model_events;
  model.model_events(problem.t0, p_span, model_events);
  std::vector<const ScheduledEvent*> scheduled;
  for (const auto& e : model_events.scheduled) {
    scheduled.push_back(&e);
  }
  for (const auto& e : problem.events.scheduled) {
    scheduled.push_back(&e);
  }
  std::stable_sort(
      scheduled.begin(), scheduled.end(),
      [](const ScheduledEvent* a, const ScheduledEvent* b) { return a->time < b->time; });
  std::vector<StateEvent> state_events = model_events.state;
  state_events.insert(state_events.end(), problem.events.state.begin(), problem.events.state.end());
  std::vector<char> active(state_events.size(), 1);
  std::vector<int> hits;

  stats = SolveStats{};
  stats.t_final = problem.t0;
  double t = problem.t0;
  std::size_t next_scheduled = 0;
  bool stop = false;

  auto fire = [&](const std::string& label, const EventAction& action) {
    EventContext ctx{t, y_span, p_span, false, problem.random};
    action(ctx);
    ++stats.events_fired;
    observer.on_event(t, label, y_span, p_span);
    stop = stop || ctx.stop;
  };
  auto fire_scheduled_until = [&](double time) {
    while (!stop && next_scheduled < scheduled.size() && scheduled[next_scheduled]->time <= time) {
      const ScheduledEvent& e = *scheduled[next_scheduled++];
      if (e.time < problem.t0) {
        throw ModelError("event '" + e.label + "' at t = " + std::to_string(e.time) +
                         " d is before the start of the run");
      }
      fire(e.label, e.action);
    }
  };
  auto check_finite = [&](std::span<const double> state, double at) {
    for (double v : state) {
      if (!std::isfinite(v)) {
        throw NonFiniteStateError("the state of model '" + model.info().name +
                                      "' became non-finite near t = " + std::to_string(at) + " d",
                                  at);
      }
    }
  };

  fire_scheduled_until(t);
  model.derive_parameters(p_span);
  observer.on_start(t, y_span, p_span);
  backend.set_parameters(p_span);
  backend.set_state_events(&state_events, &active);
  if (!stop) {
    backend.start(t, y_span);
  }
  double ta = t;
  while (!stop) {
    const double t_stop = next_scheduled < scheduled.size()
                              ? std::min(scheduled[next_scheduled]->time, problem.t_end)
                              : problem.t_end;
    if (stats.steps >= options.max_steps) {
      throw TooMuchWorkError("the step budget (max_steps = " + std::to_string(options.max_steps) +
                                 ") ran out at t = " + std::to_string(ta) +
                                 " d before t = " + std::to_string(problem.t_end) + " d",
                             ta);
    }
    const double tb = backend.step(t_stop);
    ++stats.steps;
    stats.t_final = tb;
    check_finite(backend.state(), tb);
    const double t_cut = std::min(tb, t_stop);

    double t_root = std::numeric_limits<double>::infinity();
    if constexpr (Backend::native_roots) {
      if (backend.root_found()) {
        t_root = tb;
        hits = backend.roots();
      }
    } else {
      if (std::any_of(active.begin(), active.end(), [](char a) { return a != 0; })) {
        t_root =
            locate_state_events(state_events, active, solution, p_span, ta, t_cut, y_probe, hits);
      }
    }

    const bool at_root = t_root <= t_cut;
    const double t_seg = at_root ? t_root : t_cut;
    observer.on_segment(Segment{ta, t_seg, &solution, p_span});
    if (!at_root && tb < t_stop) {
      ta = tb;  // an ordinary step: no event, no restart
      continue;
    }
    // An event time or the end: take the state there and restart after the actions.
    solution.at(t_seg, y_span);
    t = t_seg;
    if (t == t_stop) {
      fire_scheduled_until(t);
    }
    if (at_root) {
      for (std::size_t i = 0; i < state_events.size() && !stop; ++i) {
        if (hits[i] != 0 && active[i]) {
          active[i] = state_events[i].repeat ? 1 : 0;
          fire(state_events[i].label, state_events[i].action);
        }
      }
    }
    if (t >= problem.t_end || stop) {
      break;
    }
    model.derive_parameters(p_span);  // events may have changed what they derive from
    backend.set_parameters(p_span);
    backend.start(t, y_span);
    ta = t;
  }
  stats.t_final = t;
  stats.stopped = t < problem.t_end;
  observer.on_finish(t, y_span, p_span);
}

}  // namespace cartsim::detail
