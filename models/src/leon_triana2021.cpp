#include "cartsim/models/leon_triana2021.hpp"

namespace cartsim::models {
namespace {
constexpr const char* sbml =
    "León-Triana 2021 (doi:10.1016/j.cnsns.2020.105570), BioModels BIOMD0000001011";
}  // namespace

const ModelInfo& LeonTriana2021::info() const {
  static const ModelInfo model_info = [] {
    ModelInfo m;
    m.name = "leon_triana2021";
    m.title = "CAR-T, leukaemic and healthy B cells in B-ALL, reduced model (León-Triana 2021)";
    m.summary =
        "Predator-prey model of CD19 CAR-T therapy in B-cell acute lymphoblastic leukaemia: "
        "CAR-T cells proliferate on contact with any CD19+ cell (leukaemic or healthy B) and kill "
        "it, and die with a mean lifetime tau_c. Explains why the peak expansion and the early "
        "outcome hardly depend on the number of CAR-T cells infused. Whole-body cell counts; "
        "time 0 is the infusion. The reduced model: no B-cell production, no CD19- escape.";
    m.equations =
        "dC/dt = rho_c (L + B) C - C/tau_c\n"
        "dL/dt = rho_l L - alpha L C\n"
        "dB/dt = -alpha B C - B/tau_b   [cells/d]\n"
        "C_max ~ C(0) + (rho_c/alpha)(L(0) + B(0)) when deaths are neglected";
    m.references =
        "León-Triana O, Sabir S, Calvo GF, Belmonte-Beitia J, Chulián S, Martínez-Rubio Á, Rosa "
        "M, Pérez-Martínez A, Ramirez-Orellana M, Pérez-García VM. CAR T cell therapy in B-cell "
        "acute lymphoblastic leukaemia: insights from mathematical models. Commun Nonlinear Sci "
        "Numer Simul 2021;94:105570. doi:10.1016/j.cnsns.2020.105570. BioModels BIOMD0000001011 "
        "(equations (4a)-(4c)).";
    m.deviations =
        "(1) rho_c is a parameter (default alpha/4, the paper's and the SBML's assignment rule); "
        "changing alpha does not change rho_c. (2) rho_l = 1/30 /d exactly; the SBML stores "
        "0.03333333333. (3) The paper's full model (B-cell production from progenitors, CD19- "
        "stem-like cells and antigen-escape relapse) is not implemented: its parameter values "
        "could not be verified (see docs/models/leon_triana2021.md).";
    m.states = {
        {"C", "cells", "CAR-T cells, whole body", true},
        {"L", "cells", "leukaemic (CD19+) B cells", true},
        {"B", "cells", "healthy (mature, CD19+) B cells", true},
    };
    m.parameters = {
        {"alpha", "1/(cell*d)", "killing rate per CAR-T-target encounter", 4.5e-11, 0.0, 1.0, sbml},
        {"rho_c", "1/(cell*d)", "CAR-T stimulation per CD19+ cell", 4.5e-11 / 4.0, 0.0, 1.0,
         "León-Triana 2021 / BIOMD0000001011: rho_c = alpha/4"},
        {"tau_c", "d", "mean CAR-T lifetime", 14.0, 1.0e-6, 1.0e6, sbml},
        {"rho_l", "1/d", "leukaemic proliferation rate", 1.0 / 30.0, 0.0, 100.0,
         "León-Triana 2021 (1/30 /d; BIOMD0000001011 stores 0.03333333333)"},
        {"tau_b", "d", "mean lifetime of healthy B cells", 60.0, 1.0e-6, 1.0e6, sbml},
        {"c0", "cells", "CAR-T cells infused, C(0)", 1.0e7, 0.0, 1.0e14, sbml},
        {"l0", "cells", "leukaemic cells at infusion, L(0)", 5.0e10, 0.0, 1.0e14, sbml},
        {"b0", "cells", "healthy B cells at infusion, B(0)", 2.5e10, 0.0, 1.0e14, sbml},
    };
    m.observables = {
        {"cd19_load", "cells", "all CD19+ cells, L + B (what stimulates the CAR-T cells)"},
        {"leukaemic_fraction", "1", "L / (L + B), leukaemic share of CD19+ cells"},
    };
    m.metrics = {
        MetricSpec{.name = "C_max",
                   .kind = MetricKind::max,
                   .variable = "C",
                   .unit = "cells",
                   .description = "peak CAR-T count"},
        MetricSpec{.name = "t_C_max",
                   .kind = MetricKind::argmax,
                   .variable = "C",
                   .unit = "d",
                   .description = "time of the CAR-T peak"},
        MetricSpec{.name = "L_min",
                   .kind = MetricKind::min,
                   .variable = "L",
                   .unit = "cells",
                   .description = "smallest leukaemic load"},
        MetricSpec{.name = "L_final",
                   .kind = MetricKind::final,
                   .variable = "L",
                   .unit = "cells",
                   .description = "leukaemic load at the end"},
        MetricSpec{.name = "t_L_below",
                   .kind = MetricKind::first_below,
                   .variable = "L",
                   .unit = "d",
                   .description = "first time L is at or below the level (default 5e8 cells, "
                                  "1 % of L(0); assumed: a 2-log reduction as a response marker)",
                   .level = 5.0e8},
    };
    return m;
  }();
  return model_info;
}

void LeonTriana2021::rhs(double, std::span<const double> y, std::span<const double> p,
                         std::span<double> dydt) const {
  dydt[C] = p[rho_c] * (y[L] + y[B]) * y[C] - y[C] / p[tau_c];
  dydt[L] = p[rho_l] * y[L] - p[alpha] * y[L] * y[C];
  dydt[B] = -p[alpha] * y[B] * y[C] - y[B] / p[tau_b];
}

void LeonTriana2021::jacobian(double, std::span<const double> y, std::span<const double> p,
                              Eigen::Ref<Eigen::MatrixXd> jac) const {
  jac(C, C) = p[rho_c] * (y[L] + y[B]) - 1.0 / p[tau_c];
  jac(C, L) = p[rho_c] * y[C];
  jac(C, B) = p[rho_c] * y[C];
  jac(L, L) = p[rho_l] - p[alpha] * y[C];
  jac(L, C) = -p[alpha] * y[L];
  jac(B, B) = -p[alpha] * y[C] - 1.0 / p[tau_b];
  jac(B, C) = -p[alpha] * y[B];
}

void LeonTriana2021::observables(double, std::span<const double> y, std::span<const double>,
                                 std::span<double> out) const {
  const double load = y[L] + y[B];
  out[0] = load;
  out[1] = load > 0.0 ? y[L] / load : 0.0;
}

void LeonTriana2021::initial_state(std::span<const double> p, std::span<double> y0) const {
  y0[C] = p[c0];
  y0[L] = p[l0];
  y0[B] = p[b0];
}

}  // namespace cartsim::models
