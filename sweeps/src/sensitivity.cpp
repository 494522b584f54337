#include "cartsim/sweeps/sensitivity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <numeric>

#include "cartsim/core/random.hpp"
#include "cartsim/simulation/atomic_file.hpp"
#include "cartsim/sweeps/bands.hpp"
#include "cartsim/sweeps/output_files.hpp"

namespace cartsim {
namespace {
constexpr std::uint64_t morris_purpose = 201;
constexpr std::uint64_t bootstrap_purpose = 202;
/// Keeps grid points 0 and 1 off the quantile's infinite ends for unbounded laws.
constexpr double unit_margin = 1e-12;

struct SobolEstimate {
  double first;
  double total;
};

/// Jansen's estimators over the rows `rows` (with repeats, for the bootstrap).
SobolEstimate jansen(const std::vector<double>& fa, const std::vector<double>& fb,
                     const std::vector<double>& fab, const std::vector<std::size_t>& rows) {
  const double n = static_cast<double>(rows.size());
  double mean = 0.0;
  for (std::size_t j : rows) {
    mean += fa[j] + fb[j];
  }
  mean /= 2.0 * n;
  double variance = 0.0, first = 0.0, total = 0.0;
  for (std::size_t j : rows) {
    variance += (fa[j] - mean) * (fa[j] - mean) + (fb[j] - mean) * (fb[j] - mean);
    first += (fb[j] - fab[j]) * (fb[j] - fab[j]);
    total += (fa[j] - fab[j]) * (fa[j] - fab[j]);
  }
  variance /= 2.0 * n;
  return {(variance - first / (2.0 * n)) / variance, total / (2.0 * n) / variance};
}
}  // namespace

SensitivityDesign::SensitivityDesign(const Scenario& scenario)
    : spec_(*scenario.sensitivity), seed_(scenario.seed) {
  for (const auto& f : spec_.factors) {
    columns_.push_back(f.path);
  }
}

std::size_t SensitivityDesign::samples() const {
  const std::size_t d = spec_.factors.size();
  return spec_.method == SensitivitySpec::Method::sobol ? spec_.samples * (d + 2)
                                                        : spec_.samples * (d + 1);
}

void SensitivityDesign::unit_point(std::size_t s, std::vector<double>& u) const {
  const std::size_t d = spec_.factors.size();
  u.assign(d, 0.0);
  if (spec_.method == SensitivitySpec::Method::sobol) {
    const std::size_t matrix = s / spec_.samples;  // 0: A, 1: B, 2 + i: AB_i
    const std::size_t row = s % spec_.samples;
    boost::random::sobol sequence(2 * d);
    sequence.seed(row);
    std::vector<double> point(2 * d);
    for (auto& x : point) {
      x = static_cast<double>(sequence()) * 0x1.0p-64;
    }
    for (std::size_t i = 0; i < d; ++i) {
      u[i] = matrix == 1 ? point[d + i] : point[i];
    }
    if (matrix >= 2) {
      u[matrix - 2] = point[d + matrix - 2];
    }
  } else {
    const std::size_t trajectory = s / (d + 1);
    const std::size_t step = s % (d + 1);
    const double p = static_cast<double>(spec_.levels);
    const double delta = p / (2.0 * (p - 1.0));
    RandomStream rng(RandomKey{seed_, trajectory, 0, morris_purpose});
    std::vector<std::size_t> order(d);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = 0; i < d; ++i) {
      // Base level in {0, ..., p/2 - 1} so that x + Delta stays on the grid.
      const auto level = static_cast<std::size_t>(rng.uniform() * (p / 2.0));
      u[i] = static_cast<double>(level) / (p - 1.0);
    }
    for (std::size_t i = d; i > 1; --i) {
      const auto j = static_cast<std::size_t>(rng.uniform() * static_cast<double>(i));
      std::swap(order[i - 1], order[std::min(j, i - 1)]);
    }
    for (std::size_t q = 0; q < step; ++q) {
      u[order[q]] += delta;
    }
  }
  for (auto& x : u) {
    x = std::clamp(x, unit_margin, 1.0 - unit_margin);
  }
}

void SensitivityDesign::generate(std::size_t s, std::vector<Assignment>& assignments,
                                 std::vector<double>& values) const {
  std::vector<double> u;
  unit_point(s, u);
  assignments.clear();
  values.resize(spec_.factors.size());
  for (std::size_t i = 0; i < spec_.factors.size(); ++i) {
    Assignment a = spec_.factors[i].target;
    a.value = spec_.factors[i].distribution->quantile(u[i]);
    values[i] = a.value;
    assignments.push_back(a);
  }
}

std::vector<SensitivityIndex> compute_sensitivity(const Scenario& scenario,
                                                  const std::vector<std::string>& metric_names,
                                                  const std::vector<std::vector<double>>& values) {
  const SensitivitySpec& spec = *scenario.sensitivity;
  const std::size_t d = spec.factors.size();
  const std::size_t n = spec.samples;
  std::vector<std::string> analysed = spec.metrics.empty() ? metric_names : spec.metrics;
  std::vector<SensitivityIndex> out;
  for (const auto& metric : analysed) {
    const auto m = static_cast<std::size_t>(
        std::find(metric_names.begin(), metric_names.end(), metric) - metric_names.begin());
    auto f = [&](std::size_t run) { return values.at(run).at(m); };
    if (spec.method == SensitivitySpec::Method::sobol) {
      std::vector<double> fa(n), fb(n), fab(n);
      for (std::size_t j = 0; j < n; ++j) {
        fa[j] = f(j);
        fb[j] = f(n + j);
      }
      std::vector<std::size_t> all(n);
      std::iota(all.begin(), all.end(), std::size_t{0});
      for (std::size_t i = 0; i < d; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
          fab[j] = f((2 + i) * n + j);
        }
        SensitivityIndex index;
        index.metric = metric;
        index.factor = spec.factors[i].path;
        const SobolEstimate estimate = jansen(fa, fb, fab, all);
        index.first = estimate.first;
        index.total = estimate.total;
        std::vector<double> firsts, totals;
        std::vector<std::size_t> rows(n);
        for (std::size_t b = 0; b < spec.bootstrap; ++b) {
          RandomStream rng(RandomKey{scenario.seed, b, i, bootstrap_purpose});
          for (auto& r : rows) {
            r = std::min(n - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(n)));
          }
          const SobolEstimate e = jansen(fa, fb, fab, rows);
          firsts.push_back(e.first);
          totals.push_back(e.total);
        }
        std::sort(firsts.begin(), firsts.end());
        std::sort(totals.begin(), totals.end());
        const double lo = (1.0 - spec.confidence) / 2.0;
        const double hi = 1.0 - lo;
        index.first_low = quantile_sorted(firsts, lo);
        index.first_high = quantile_sorted(firsts, hi);
        index.total_low = quantile_sorted(totals, lo);
        index.total_high = quantile_sorted(totals, hi);
        out.push_back(index);
      }
    } else {
      const double p = static_cast<double>(spec.levels);
      const double delta = p / (2.0 * (p - 1.0));
      SensitivityDesign design(scenario);
      std::vector<std::vector<double>> effects(d);
      std::vector<double> before, after;
      for (std::size_t k = 0; k < spec.samples; ++k) {
        for (std::size_t q = 1; q <= d; ++q) {
          const std::size_t run = k * (d + 1) + q;
          // The factor moved at this step is the one whose unit coordinate changed.
          std::vector<Assignment> a;
          design.generate(run - 1, a, before);
          design.generate(run, a, after);
          for (std::size_t i = 0; i < d; ++i) {
            if (before[i] != after[i]) {
              effects[i].push_back((f(run) - f(run - 1)) / delta);
            }
          }
        }
      }
      for (std::size_t i = 0; i < d; ++i) {
        SensitivityIndex index;
        index.metric = metric;
        index.factor = spec.factors[i].path;
        const auto& e = effects[i];
        const double count = static_cast<double>(e.size());
        double sum = 0.0, sum_abs = 0.0;
        for (double x : e) {
          sum += x;
          sum_abs += std::abs(x);
        }
        index.mu = sum / count;
        index.mu_star = sum_abs / count;
        double ss = 0.0;
        for (double x : e) {
          ss += (x - index.mu) * (x - index.mu);
        }
        index.sigma = e.size() > 1 ? std::sqrt(ss / (count - 1.0)) : std::nan("");
        out.push_back(index);
      }
    }
  }
  return out;
}

void write_sensitivity(const std::filesystem::path& dir, SensitivitySpec::Method method,
                       const std::vector<SensitivityIndex>& indices) {
  AtomicFile file(dir / "sensitivity.csv");
  std::ostream& out = file.stream();
  if (method == SensitivitySpec::Method::sobol) {
    out << "metric,factor,S1,S1_low,S1_high,ST,ST_low,ST_high\n";
    for (const auto& i : indices) {
      out << csv_quote(i.metric) << ',' << csv_quote(i.factor) << ','
          << fmt::format("{},{},{},{},{},{}\n", format_number(i.first), format_number(i.first_low),
                         format_number(i.first_high), format_number(i.total),
                         format_number(i.total_low), format_number(i.total_high));
    }
  } else {
    out << "metric,factor,mu,mu_star,sigma\n";
    for (const auto& i : indices) {
      out << csv_quote(i.metric) << ',' << csv_quote(i.factor) << ','
          << fmt::format("{},{},{}\n", format_number(i.mu), format_number(i.mu_star),
                         format_number(i.sigma));
    }
  }
  file.commit();
}

}  // namespace cartsim
