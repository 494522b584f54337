#pragma once
// Standard observers: the output-grid recorder and the metric accumulator. Both read the solver's
// dense output, so what they report does not depend on the solver's step sizes.
//
// Output-time semantics (every solver): the value written at time t is the state after every event
// scheduled at t has fired (right-continuous). Rows after a stop event are not written.
#include <Eigen/Core>
#include <span>
#include <vector>

#include "cartsim/core/metrics.hpp"
#include "cartsim/core/model.hpp"
#include "cartsim/core/observer.hpp"

namespace cartsim {

/// Records chosen variables at fixed output times. Buffers are allocated once, in the constructor.
class GridRecorder final : public Observer {
 public:
  GridRecorder(const Model& model, std::vector<double> times, std::vector<VariableRef> columns);

  /// Forget the previous run's rows (keeps the buffers).
  void reset();
  const std::vector<double>& times() const { return times_; }
  const std::vector<VariableRef>& columns() const { return columns_; }
  /// Rows written so far (== times().size() unless a run stopped early).
  std::size_t rows() const { return next_; }
  /// values()(i, j): column j at times()[i]; only the first rows() rows are meaningful.
  const Eigen::MatrixXd& values() const { return values_; }

  void on_start(double t0, std::span<const double> y0, std::span<const double> p) override;
  void on_segment(const Segment& s) override;
  void on_event(double t, const std::string& label, std::span<const double> y,
                std::span<const double> p) override;
  void on_finish(double t, std::span<const double> y, std::span<const double> p) override;

 private:
  void record(double t, std::span<const double> y, std::span<const double> p);

  const Model& model_;
  std::vector<double> times_;
  std::vector<VariableRef> columns_;
  Eigen::MatrixXd values_;
  Eigen::VectorXd y_;
  Eigen::VectorXd scratch_;
  bool needs_observables_ = false;  ///< some column is an observable
  std::size_t next_ = 0;
};

/// Computes summary metrics (MetricSpec) during a run. Undefined results (e.g. a level never
/// reached) are NaN.
class MetricRecorder final : public Observer {
 public:
  /// Throws ModelError when a spec names a variable the model does not have.
  MetricRecorder(const Model& model, std::vector<MetricSpec> specs);

  void reset();
  const std::vector<MetricSpec>& specs() const { return specs_; }
  /// One value per spec, in order; valid after on_finish.
  const std::vector<double>& results() const { return results_; }

  void on_start(double t0, std::span<const double> y0, std::span<const double> p) override;
  void on_segment(const Segment& s) override;
  void on_event(double t, const std::string& label, std::span<const double> y,
                std::span<const double> p) override;
  void on_finish(double t, std::span<const double> y, std::span<const double> p) override;

 private:
  struct Track {
    VariableRef variable;
    double best_value;  // max/min so far
    double best_time;
    double integral;  // auc
    double result;
    bool done;  // first_* found, value_at recorded
  };
  double value_at(const Segment& s, const VariableRef& v, double t);
  void observe_point(Track& track, const MetricSpec& spec, double t, double v);
  void refine_extremum(Track& track, const MetricSpec& spec, const Segment& s, double a, double b);
  double locate_crossing(const Segment& s, const VariableRef& v, double level, double a, double b);

  const Model& model_;
  std::vector<MetricSpec> specs_;
  std::vector<Track> tracks_;
  std::vector<double> results_;
  Eigen::VectorXd y_;
  Eigen::VectorXd scratch_;
  Eigen::MatrixXd sample_states_;       // states at the sample points of the current step
  Eigen::MatrixXd sample_observables_;  // observables at the same points
  bool needs_observables_ = false;
};

}  // namespace cartsim
