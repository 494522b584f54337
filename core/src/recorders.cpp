#include "cartsim/core/recorders.hpp"

#include <array>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <cstdint>
#include <limits>

#include "cartsim/core/errors.hpp"

namespace cartsim {
namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::span<double> span_of(Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}

// Five-point Gauss-Legendre on [-1, 1], for a step only partly inside an AUC window: exact for
// polynomials of degree <= 9, which covers the dense output of every backend (CVODE order <= 5,
// Dormand-Prince order 4, Rosenbrock order 3).
constexpr std::array<double, 5> gl_nodes{-0.9061798459386640, -0.5384693101056831, 0.0,
                                         0.5384693101056831, 0.9061798459386640};
constexpr std::array<double, 5> gl_weights{0.2369268850561891, 0.4786286704993665,
                                           0.5688888888888889, 0.4786286704993665,
                                           0.2369268850561891};
// Points at which each step is sampled to detect interior extrema and crossings.
constexpr int samples_per_step = 5;
}  // namespace

// ---------------------------------------------------------------------------------------------
// GridRecorder

GridRecorder::GridRecorder(const Model& model, std::vector<double> times,
                           std::vector<VariableRef> columns)
    : model_(model),
      times_(std::move(times)),
      columns_(std::move(columns)),
      values_(static_cast<Eigen::Index>(times_.size()), static_cast<Eigen::Index>(columns_.size())),
      y_(static_cast<Eigen::Index>(model.num_states())),
      scratch_(static_cast<Eigen::Index>(model.num_observables())) {
  values_.setConstant(nan);
  for (const auto& c : columns_) {
    needs_observables_ = needs_observables_ || c.kind == VariableRef::Kind::observable;
  }
}

void GridRecorder::reset() {
  next_ = 0;
  values_.setConstant(nan);
}

void GridRecorder::record(double t, std::span<const double> y, std::span<const double> p) {
  if (needs_observables_) {
    model_.observables(t, y, p, span_of(scratch_));
  }
  const std::array<const double*, 2> sources{y.data(), scratch_.data()};
  const auto row = static_cast<Eigen::Index>(next_);
  for (std::size_t j = 0; j < columns_.size(); ++j) {
    const VariableRef& c = columns_[j];
    values_(row, static_cast<Eigen::Index>(j)) =
        sources[c.kind == VariableRef::Kind::state ? 0 : 1][c.index];
  }
  ++next_;
}

void GridRecorder::on_start(double, std::span<const double>, std::span<const double>) {}

void GridRecorder::on_segment(const Segment& s) {
  while (next_ < times_.size() && times_[next_] < s.t_end) {
    s.solution->at(times_[next_], span_of(y_));
    record(times_[next_], span_of(y_), s.p);
  }
}

void GridRecorder::on_event(double, const std::string&, std::span<const double>,
                            std::span<const double>) {}

void GridRecorder::on_finish(double t, std::span<const double> y, std::span<const double> p) {
  while (next_ < times_.size() && times_[next_] <= t) {
    record(times_[next_], y, p);
  }
}

// ---------------------------------------------------------------------------------------------
// MetricRecorder

MetricRecorder::MetricRecorder(const Model& model, std::vector<MetricSpec> specs)
    : model_(model),
      specs_(std::move(specs)),
      y_(static_cast<Eigen::Index>(model.num_states())),
      scratch_(static_cast<Eigen::Index>(model.num_observables())) {
  tracks_.reserve(specs_.size());
  for (const auto& spec : specs_) {
    const auto v = model.resolve(spec.variable);
    if (!v) {
      throw ModelError("metric '" + spec.name + "': model '" + model.info().name +
                       "' has no state or observable '" + spec.variable + "'");
    }
    tracks_.push_back(Track{*v, nan, nan, 0.0, nan, false});
  }
  results_.assign(specs_.size(), nan);
  sample_states_.resize(static_cast<Eigen::Index>(model.num_states()), samples_per_step);
  sample_observables_.resize(static_cast<Eigen::Index>(model.num_observables()), samples_per_step);
  for (const auto& t : tracks_) {
    needs_observables_ = needs_observables_ || t.variable.kind == VariableRef::Kind::observable;
  }
  reset();
}

void MetricRecorder::reset() {
  for (auto& t : tracks_) {
    t.best_value = nan;
    t.best_time = nan;
    t.integral = 0.0;
    t.result = nan;
    t.done = false;
  }
  results_.assign(specs_.size(), nan);
}

double MetricRecorder::value_at(const Segment& s, const VariableRef& v, double t) {
  s.solution->at(t, span_of(y_));
  return model_.value(v, t, span_of(y_), s.p, span_of(scratch_));
}

void MetricRecorder::observe_point(Track& track, const MetricSpec& spec, double t, double v) {
  switch (spec.kind) {
    case MetricKind::max:
    case MetricKind::argmax:
      if (std::isnan(track.best_value) || v > track.best_value) {
        track.best_value = v;
        track.best_time = t;
      }
      break;
    case MetricKind::min:
      if (std::isnan(track.best_value) || v < track.best_value) {
        track.best_value = v;
        track.best_time = t;
      }
      break;
    case MetricKind::first_above:
      if (!track.done && v >= spec.level) {
        track.result = t;
        track.done = true;
      }
      break;
    case MetricKind::first_below:
      if (!track.done && v < spec.level) {
        track.result = t;
        track.done = true;
      }
      break;
    case MetricKind::last_above:
      if (v >= spec.level) {
        track.result = t;
      }
      break;
    case MetricKind::auc:
    case MetricKind::value_at:
    case MetricKind::final:
      break;
  }
}

void MetricRecorder::refine_extremum(Track& track, const MetricSpec& spec, const Segment& s,
                                     double a, double b) {
  const double sign = spec.kind == MetricKind::min ? 1.0 : -1.0;  // Brent minimises
  auto f = [&](double t) { return sign * value_at(s, track.variable, t); };
  std::uintmax_t iterations = 100;
  const auto [t_best, f_best] = boost::math::tools::brent_find_minima(
      f, a, b, std::numeric_limits<double>::digits / 2, iterations);
  observe_point(track, spec, t_best, sign * f_best);
}

double MetricRecorder::locate_crossing(const Segment& s, const VariableRef& v, double level,
                                       double a, double b) {
  auto f = [&](double t) { return value_at(s, v, t) - level; };
  const double fa = f(a);
  const double fb = f(b);
  if (fa == 0.0) {
    return a;
  }
  if (fb == 0.0 || (fa > 0.0) == (fb > 0.0)) {
    return b;
  }
  std::uintmax_t iterations = 200;
  auto tolerance = [](double lo, double hi) {
    return std::abs(hi - lo) <= 1e-14 * std::max(1.0, std::abs(lo));
  };
  const auto [lo, hi] = boost::math::tools::toms748_solve(f, a, b, fa, fb, tolerance, iterations);
  return 0.5 * (lo + hi);
}

void MetricRecorder::on_start(double t0, std::span<const double> y0, std::span<const double> p) {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    const double v = model_.value(tracks_[i].variable, t0, y0, p, span_of(scratch_));
    observe_point(tracks_[i], specs_[i], t0, v);
  }
}

void MetricRecorder::on_segment(const Segment& s) {
  const double ta = s.t_begin;
  const double tb = s.t_end;
  if (specs_.empty() || !(tb > ta)) {
    return;
  }
  // Sample the step once for all metrics: states, and observables when any metric needs them.
  std::array<double, samples_per_step> ts{};
  for (int k = 0; k < samples_per_step; ++k) {
    ts[k] = k == samples_per_step - 1 ? tb : ta + (tb - ta) * k / (samples_per_step - 1);
    s.solution->at(ts[k], span_of(y_));
    sample_states_.col(k) = y_;
    if (needs_observables_) {
      model_.observables(ts[k], span_of(y_), s.p, span_of(scratch_));
      sample_observables_.col(k) = scratch_;
    }
  }
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    Track& track = tracks_[i];
    const MetricSpec& spec = specs_[i];
    std::array<double, samples_per_step> vs{};
    const auto index = static_cast<Eigen::Index>(track.variable.index);
    for (int k = 0; k < samples_per_step; ++k) {
      vs[k] = track.variable.kind == VariableRef::Kind::state ? sample_states_(index, k)
                                                              : sample_observables_(index, k);
    }
    switch (spec.kind) {
      case MetricKind::max:
      case MetricKind::argmax:
      case MetricKind::min: {
        const double sign = spec.kind == MetricKind::min ? -1.0 : 1.0;
        int k_best = 0;
        for (int k = 1; k < samples_per_step; ++k) {
          if (sign * vs[k] > sign * vs[k_best]) {
            k_best = k;
          }
        }
        observe_point(track, spec, ts[k_best], vs[k_best]);
        if (k_best > 0 && k_best < samples_per_step - 1) {
          refine_extremum(track, spec, s, ts[k_best - 1], ts[k_best + 1]);
        }
        break;
      }
      case MetricKind::auc: {
        const double lo = std::max(ta, spec.from);
        const double hi = std::min(tb, spec.to);
        if (lo == ta && hi == tb) {
          // The window covers the step: Boole's rule on the shared samples, exact for the
          // dense-output polynomial (degree <= 5 in every backend).
          track.integral +=
              (tb - ta) / 90.0 * (7.0 * (vs[0] + vs[4]) + 32.0 * (vs[1] + vs[3]) + 12.0 * vs[2]);
        } else if (hi > lo) {
          const double mid = 0.5 * (lo + hi);
          const double half = 0.5 * (hi - lo);
          double sum = 0.0;
          for (std::size_t g = 0; g < gl_nodes.size(); ++g) {
            sum += gl_weights[g] * value_at(s, track.variable, mid + half * gl_nodes[g]);
          }
          track.integral += half * sum;
        }
        break;
      }
      case MetricKind::final:
        break;
      case MetricKind::value_at:
        if (!track.done && spec.at >= ta && spec.at < tb) {
          track.result = value_at(s, track.variable, spec.at);
          track.done = true;
        }
        break;
      case MetricKind::first_above:
      case MetricKind::first_below: {
        const bool above = spec.kind == MetricKind::first_above;
        for (int k = 0; k + 1 < samples_per_step && !track.done; ++k) {
          const bool starts_outside = above ? vs[k] < spec.level : vs[k] >= spec.level;
          const bool ends_inside = above ? vs[k + 1] >= spec.level : vs[k + 1] < spec.level;
          if (starts_outside && ends_inside) {
            track.result = locate_crossing(s, track.variable, spec.level, ts[k], ts[k + 1]);
            track.done = true;
          }
        }
        break;
      }
      case MetricKind::last_above:
        for (int k = 0; k + 1 < samples_per_step; ++k) {
          if (vs[k] >= spec.level && vs[k + 1] < spec.level) {
            track.result = locate_crossing(s, track.variable, spec.level, ts[k], ts[k + 1]);
          }
        }
        if (vs[samples_per_step - 1] >= spec.level) {
          track.result = tb;
        }
        break;
    }
  }
}

void MetricRecorder::on_event(double t, const std::string&, std::span<const double> y,
                              std::span<const double> p) {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    const double v = model_.value(tracks_[i].variable, t, y, p, span_of(scratch_));
    observe_point(tracks_[i], specs_[i], t, v);
  }
}

void MetricRecorder::on_finish(double t, std::span<const double> y, std::span<const double> p) {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    Track& track = tracks_[i];
    const MetricSpec& spec = specs_[i];
    const double v = model_.value(track.variable, t, y, p, span_of(scratch_));
    observe_point(track, spec, t, v);
    switch (spec.kind) {
      case MetricKind::max:
      case MetricKind::min:
        results_[i] = track.best_value;
        break;
      case MetricKind::argmax:
        results_[i] = track.best_time;
        break;
      case MetricKind::auc:
        results_[i] = track.integral;
        break;
      case MetricKind::value_at:
        results_[i] = track.done ? track.result : (spec.at == t ? v : nan);
        break;
      case MetricKind::final:
        results_[i] = v;
        break;
      case MetricKind::first_above:
      case MetricKind::first_below:
      case MetricKind::last_above:
        results_[i] = track.result;
        break;
    }
  }
}

}  // namespace cartsim
