// The explicit Runge-Kutta tables of dopri5 and tsit5 (solvers/src/rk_tableaux.hpp) against the
// order conditions (Butcher's rooted trees; Hairer, Norsett & Wanner, Solving ODEs I, 2nd ed.,
// Table II.2.2): a mistyped digit breaks one of them by far more than round-off. Checked: the row
// sums c_i = sum_j a_ij; the 17 conditions of order 5 for the weights b (row 6 of a); the 8 of
// order 4 for the embedded weights bhat = b - e, and that e is not zero; the 8 of order 4 for the
// continuous extensions b(s) at several s, and b(1) = b.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <vector>

#include "../solvers/src/rk_tableaux.hpp"

namespace {

using Vec = std::array<double, 7>;
namespace tab = cartsim::detail::tableau;

/// The elementary weights of the trees up to order 5 for weights w, with c and a of the table:
/// {sum w Phi(t), 1 / gamma(t)} per tree t.
struct Tree {
  const char* name;
  int order;
  double inverse_gamma;
  std::function<Vec(const Vec& c, const std::array<Vec, 7>& a)> phi;  // per stage i
};

Vec times(const std::array<Vec, 7>& a, const Vec& v) {  // (A v)_i
  Vec out{};
  for (std::size_t i = 0; i < 7; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      out[i] += a[i][j] * v[j];
    }
  }
  return out;
}
Vec product(const Vec& x, const Vec& y) {
  Vec out{};
  for (std::size_t i = 0; i < 7; ++i) {
    out[i] = x[i] * y[i];
  }
  return out;
}
Vec power(const Vec& c, int k) {
  Vec out{};
  for (std::size_t i = 0; i < 7; ++i) {
    out[i] = std::pow(c[i], k);
  }
  return out;
}

const std::vector<Tree>& trees() {
  using A = std::array<Vec, 7>;
  static const std::vector<Tree> list{
      {"1", 1, 1.0, [](const Vec&, const A&) { return Vec{1, 1, 1, 1, 1, 1, 1}; }},
      {"c", 2, 1.0 / 2, [](const Vec& c, const A&) { return c; }},
      {"c^2", 3, 1.0 / 3, [](const Vec& c, const A&) { return power(c, 2); }},
      {"Ac", 3, 1.0 / 6, [](const Vec& c, const A& a) { return times(a, c); }},
      {"c^3", 4, 1.0 / 4, [](const Vec& c, const A&) { return power(c, 3); }},
      {"c Ac", 4, 1.0 / 8, [](const Vec& c, const A& a) { return product(c, times(a, c)); }},
      {"Ac^2", 4, 1.0 / 12, [](const Vec& c, const A& a) { return times(a, power(c, 2)); }},
      {"AAc", 4, 1.0 / 24, [](const Vec& c, const A& a) { return times(a, times(a, c)); }},
      {"c^4", 5, 1.0 / 5, [](const Vec& c, const A&) { return power(c, 4); }},
      {"c^2 Ac", 5, 1.0 / 10,
       [](const Vec& c, const A& a) { return product(power(c, 2), times(a, c)); }},
      {"(Ac)^2", 5, 1.0 / 20,
       [](const Vec& c, const A& a) { return product(times(a, c), times(a, c)); }},
      {"c Ac^2", 5, 1.0 / 15,
       [](const Vec& c, const A& a) { return product(c, times(a, power(c, 2))); }},
      {"c AAc", 5, 1.0 / 30,
       [](const Vec& c, const A& a) { return product(c, times(a, times(a, c))); }},
      {"Ac^3", 5, 1.0 / 20, [](const Vec& c, const A& a) { return times(a, power(c, 3)); }},
      {"A(c Ac)", 5, 1.0 / 40,
       [](const Vec& c, const A& a) { return times(a, product(c, times(a, c))); }},
      {"AAc^2", 5, 1.0 / 60,
       [](const Vec& c, const A& a) { return times(a, times(a, power(c, 2))); }},
      {"AAAc", 5, 1.0 / 120,
       [](const Vec& c, const A& a) { return times(a, times(a, times(a, c))); }},
  };
  return list;
}

double dot(const Vec& w, const Vec& v) {
  double s = 0.0;
  for (std::size_t i = 0; i < 7; ++i) {
    s += w[i] * v[i];
  }
  return s;
}

/// Residual of the order conditions up to `order` for weights w scaled by s^order of each tree
/// (the continuous extension: sum_j b_j(s) Phi_j(t) = s^|t| / gamma(t)).
double worst_residual(const Vec& c, const std::array<Vec, 7>& a, const Vec& w, int order,
                      double s = 1.0) {
  double worst = 0.0;
  for (const auto& t : trees()) {
    if (t.order <= order) {
      const double residual = dot(w, t.phi(c, a)) - std::pow(s, t.order) * t.inverse_gamma;
      INFO("tree " << t.name);
      worst = std::max(worst, std::abs(residual));
    }
  }
  return worst;
}

/// e_7, the weight of the first-same-as-last stage in the error estimate, as published: it pins
/// the scale of e, which the order conditions cannot (any multiple of b - bhat satisfies them).
template <class Method>
void check_pair(double published_e7) {
  CHECK(Method::e[6] == Approx(published_e7).epsilon(1e-15));
  const Vec& c = Method::c;
  const auto& a = Method::a;
  for (std::size_t i = 1; i < 7; ++i) {
    double row = 0.0;
    for (std::size_t j = 0; j < i; ++j) {
      row += a[i][j];
    }
    INFO("row " << i);
    CHECK(row == Approx(c[i]).margin(1e-14));
  }
  const Vec& b = a[6];
  CHECK(worst_residual(c, a, b, 5) < 1e-14);
  Vec bhat{};
  double e_size = 0.0;
  for (std::size_t j = 0; j < 7; ++j) {
    bhat[j] = b[j] - Method::e[j];
    e_size += std::abs(Method::e[j]);
  }
  CHECK(worst_residual(c, a, bhat, 4) < 1e-14);
  CHECK(e_size > 1e-3);                         // an error estimate, not zero
  CHECK(worst_residual(c, a, bhat, 5) > 1e-4);  // and bhat is a lower-order method
}

}  // namespace

TEST_CASE("dopri5's Dormand-Prince table satisfies the order conditions, its dense output too",
          "[solver][tableau]") {
  using D = tab::DormandPrince;
  check_pair<D>(-1.0 / 40);  // Dormand & Prince 1980: bhat_7 = 1/40, b_7 = 0
  // Hairer's form y(s) = y0 + s (R2 + (1-s) (R3 + s (R4 + (1-s) R5))) as weights on the stages:
  // R2 = h b.k, R3 = h k1 - R2, R4 = R2 - h k7 - R3, R5 = h d.k.
  const Vec& b = D::a[6];
  for (double s : {0.1, 0.25, 0.5, 0.77, 1.0}) {
    Vec w{};
    for (std::size_t j = 0; j < 7; ++j) {
      const double first = j == 0 ? 1.0 : 0.0;
      const double last = j == 6 ? 1.0 : 0.0;
      const double r2 = b[j];
      const double r3 = first - r2;
      const double r4 = r2 - last - r3;
      w[j] = s * (r2 + (1.0 - s) * (r3 + s * (r4 + (1.0 - s) * D::d[j])));
    }
    INFO("s = " << s);
    CHECK(worst_residual(D::c, D::a, w, 4, s) < 1e-13);
  }
}

TEST_CASE("tsit5's Tsitouras table satisfies the order conditions, its dense output too",
          "[solver][tableau]") {
  using T = tab::Tsitouras;
  check_pair<T>(1.0 / 66);  // Tsitouras 2011 Table 1: bhat_7 = -1/66, b_7 = 0
  for (double s : {0.1, 0.25, 0.5, 0.77, 1.0}) {
    Vec w{};
    for (std::size_t j = 0; j < 7; ++j) {
      const auto& d = T::dense[j];
      w[j] = s * (d[0] + s * (d[1] + s * (d[2] + s * d[3])));
    }
    INFO("s = " << s);
    CHECK(worst_residual(T::c, T::a, w, 4, s) < 1e-13);
    if (s == 1.0) {
      for (std::size_t j = 0; j < 7; ++j) {
        CHECK(w[j] == Approx(T::a[6][j]).margin(1e-13));  // continuous at the step's end
      }
    }
  }
}
