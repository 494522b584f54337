#pragma once
// Discrete events: actions applied between integration segments. The solver integrates to the event
// time, applies the action to (y, p), and restarts the integrator there.
//
// Ordering rule (all backends): events at the same time fire in the order they were added to the
// EventSet; the model's own events are added before the protocol's. State events found at the same
// time as a scheduled event fire after it.
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace cartsim {

class RandomStream;

/// What an action may read and change. Time is in days.
struct EventContext {
  double t = 0.0;
  std::span<double> y;  ///< state, may be changed
  std::span<double> p;  ///< parameters, may be changed
  bool stop = false;    ///< set to end the run at t
  /// The run's stream for stochastic events (keyed by seed, sample, replicate); may be null when
  /// the caller gave none, so deterministic actions never need it.
  RandomStream* random = nullptr;
};

using EventAction = std::function<void(EventContext&)>;

/// An action at a fixed time.
struct ScheduledEvent {
  double time = 0.0;  ///< days
  std::string label;  ///< for messages and logs, e.g. "protocol[0] dose"
  EventAction action;
};

enum class Crossing { rising, falling, either };

/// "When condition(t, y, p) crosses zero in this direction, do action."
struct StateEvent {
  std::string label;
  std::function<double(double t, std::span<const double> y, std::span<const double> p)> condition;
  Crossing direction = Crossing::either;
  bool repeat = false;  ///< false: fires at most once per run
  EventAction action;
};

/// All events of one run.
struct EventSet {
  std::vector<ScheduledEvent> scheduled;
  std::vector<StateEvent> state;
};

}  // namespace cartsim
