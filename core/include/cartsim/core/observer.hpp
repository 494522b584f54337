#pragma once
// What a solver reports while it integrates: every accepted step as a segment with its dense
// output, and every event. Recorders of the output grid and metric accumulators are observers.
#include <span>
#include <string>

namespace cartsim {

/// The solver's continuous solution over one accepted step [t_begin, t_end] (days).
class Interpolant {
 public:
  /// y(t) for t in [t_begin, t_end]; `y` has the model's state size.
  virtual void at(double t, std::span<double> y) const = 0;

 protected:
  ~Interpolant() = default;
};

struct Segment {
  double t_begin = 0.0;
  double t_end = 0.0;
  const Interpolant* solution = nullptr;
  std::span<const double> p;  ///< parameters in force over the segment
};

class Observer {
 public:
  virtual ~Observer() = default;
  /// The run starts at t0 with state y0 (after the events at t0 have fired).
  virtual void on_start(double t0, std::span<const double> y0, std::span<const double> p) = 0;
  /// One accepted step; segments are contiguous and non-overlapping, in time order.
  virtual void on_segment(const Segment& s) = 0;
  /// An event fired at t; y and p are the values after its action.
  virtual void on_event(double t, const std::string& label, std::span<const double> y,
                        std::span<const double> p) = 0;
  /// The run ended at t (end time reached, or stopped by an event).
  virtual void on_finish(double t, std::span<const double> y, std::span<const double> p) = 0;
};

/// Forwards every report to two observers, first `a` then `b` (e.g. the output grid and the
/// metrics of one run).
class ObserverPair final : public Observer {
 public:
  ObserverPair(Observer& a, Observer& b) : a_(a), b_(b) {}
  void on_start(double t, std::span<const double> y, std::span<const double> p) override {
    a_.on_start(t, y, p);
    b_.on_start(t, y, p);
  }
  void on_segment(const Segment& s) override {
    a_.on_segment(s);
    b_.on_segment(s);
  }
  void on_event(double t, const std::string& label, std::span<const double> y,
                std::span<const double> p) override {
    a_.on_event(t, label, y, p);
    b_.on_event(t, label, y, p);
  }
  void on_finish(double t, std::span<const double> y, std::span<const double> p) override {
    a_.on_finish(t, y, p);
    b_.on_finish(t, y, p);
  }

 private:
  Observer& a_;
  Observer& b_;
};

}  // namespace cartsim
