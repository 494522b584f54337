#pragma once
// The explicit Runge-Kutta 5(4) pairs of cartsim's own steppers (explicit_rk_solver.cpp), each with
// seven stages, the last first-same-as-last (FSAL: its stage is the next step's first, so an
// accepted step costs six right-hand-side evaluations), and a 4th-order continuous extension.
// Internal to the solvers library; tests/test_rk_tableaux.cpp checks every table against the
// order conditions (order 5 for b, 4 for the embedded method, 4 for the dense output).
//
// Each table gives
//   c[i], a[i][j] (j < i; row 6 is b, the 5th-order weights, because of FSAL),
//   e[j] = b_j - bhat_j (the error estimate is h sum_j e_j k_j, bhat the embedded 4th order),
//   dense[j][m]: the continuous extension y(t0 + s h) = y0 + h sum_j b_j(s) k_j with
//     b_j(s) = sum_{m=0..3} dense[j][m] s^(m+1)      (Tsitouras's form), or
//   for Dormand-Prince, Hairer's equivalent form (dopri5.f, CONTD5): the d[j] below.
#include <array>

namespace cartsim::detail::tableau {

using Row = std::array<double, 7>;

/// Dormand & Prince (1980), "A family of embedded Runge-Kutta formulae", J. Comput. Appl. Math.
/// 6:19-26; dense output of E. Hairer's dopri5.f (Hairer, Norsett & Wanner, Solving ODEs I,
/// 2nd ed., 1993, sec. II.6).
struct DormandPrince {
  static constexpr const char* name = "dopri5";
  static constexpr Row c{0.0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
  static constexpr std::array<Row, 7> a{{
      {},
      {1.0 / 5},
      {3.0 / 40, 9.0 / 40},
      {44.0 / 45, -56.0 / 15, 32.0 / 9},
      {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
      {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
      {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
  }};
  static constexpr Row e{71.0 / 57600,      0.0,        -71.0 / 16695, 71.0 / 1920,
                         -17253.0 / 339200, 22.0 / 525, -1.0 / 40};
  /// Hairer's dense-output weights: y(s) = r1 + s (r2 + (1-s) (r3 + s (r4 + (1-s) r5))) with
  /// r1 = y0, r2 = y1 - y0, r3 = h k1 - r2, r4 = r2 - h k7 - r3, r5 = h sum_j d_j k_j.
  static constexpr Row d{-12715105075.0 / 11282082432,  0.0,
                         87487479700.0 / 32700410799,   -10690763975.0 / 1880347072,
                         701980252875.0 / 199316789632, -1453857185.0 / 822651844,
                         69997945.0 / 29380423};
};

/// Ch. Tsitouras (2011), "Runge-Kutta pairs of order 5(4) satisfying only the first column
/// simplifying assumption", Computers & Mathematics with Applications 62:770-775, Table 1 (the
/// pair and its free 4th-order interpolant; digits as published). Smaller error constants than
/// Dormand-Prince at the same cost per step.
struct Tsitouras {
  static constexpr const char* name = "tsit5";
  static constexpr Row c{0.0, 0.161, 0.327, 0.9, 0.9800255409045097, 1.0, 1.0};
  static constexpr std::array<Row, 7> a{{
      {},
      {0.161},
      {-0.008480655492356989, 0.335480655492357},
      {2.8971530571054935, -6.359448489975075, 4.3622954328695815},
      {5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525},
      {5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401,
       -0.028269050394068383},
      {0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081,
       2.324710524099774},
  }};
  static constexpr Row e{-0.00178001105222577714,
                         -0.0008164344596567469,
                         0.007880878010261995,
                         -0.1447110071732629,
                         0.5823571654525552,
                         -0.45808210592918697,
                         1.0 / 66};
  /// b_j(s) = dense[j][0] s + dense[j][1] s^2 + dense[j][2] s^3 + dense[j][3] s^4.
  static constexpr std::array<std::array<double, 4>, 7> dense{{
      {1.0, -2.763706197274826, 2.9132554618219126, -1.0530884977290216},
      {0.0, 0.13169999999999998, -0.2234, 0.1017},
      {0.0, 3.9302962368947516, -5.941033872131505, 2.490627285651253},
      {0.0, -12.411077166933676, 30.33818863028232, -16.548102889244902},
      {0.0, 37.50931341651104, -88.1789048947664, 47.37952196281928},
      {0.0, -27.896526289197286, 65.09189467479366, -34.87065786149661},
      {0.0, 1.5, -4.0, 2.5},
  }};
};

}  // namespace cartsim::detail::tableau
