#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "cartsim/simulation/sweep_spec.hpp"

namespace cartsim {

double Distribution::cdf(double x) const {
  switch (kind) {
    case Kind::uniform:
      return std::clamp((x - a) / (b - a), 0.0, 1.0);
    case Kind::log_uniform:
      return x <= 0.0 ? 0.0 : std::clamp(std::log(x / a) / std::log(b / a), 0.0, 1.0);
    case Kind::normal:
      return boost::math::cdf(boost::math::normal(a, b), x);
    case Kind::lognormal:
      return x <= 0.0 ? 0.0 : boost::math::cdf(boost::math::normal(std::log(a), b), std::log(x));
    case Kind::discrete: {
      double p = 0.0;
      for (std::size_t i = 0; i < values.size(); ++i) {
        p += values[i] <= x ? weights[i] : 0.0;
      }
      return p;
    }
  }
  return 0.0;
}

double Distribution::quantile(double u) const {
  // Truncation: map u into [F(lower), F(upper)].
  if (kind != Kind::discrete && (std::isfinite(lower) || std::isfinite(upper))) {
    const double lo = std::isfinite(lower) ? cdf(lower) : 0.0;
    const double hi = std::isfinite(upper) ? cdf(upper) : 1.0;
    u = lo + u * (hi - lo);
  }
  switch (kind) {
    case Kind::uniform:
      return a + u * (b - a);
    case Kind::log_uniform:
      return a * std::pow(b / a, u);
    case Kind::normal:
      return boost::math::quantile(boost::math::normal(a, b), u);
    case Kind::lognormal:
      return std::exp(boost::math::quantile(boost::math::normal(std::log(a), b), u));
    case Kind::discrete: {
      double cumulative = 0.0;
      for (std::size_t i = 0; i < values.size(); ++i) {
        cumulative += weights[i];
        if (u < cumulative) {
          return values[i];
        }
      }
      return values.back();
    }
  }
  return 0.0;
}

}  // namespace cartsim
