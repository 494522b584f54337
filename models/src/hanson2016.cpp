#include "cartsim/models/hanson2016.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "cartsim/core/errors.hpp"

namespace cartsim::models {
namespace {
using P = Hanson2016;

/// "Hanson 2016 / BIOMD0000000837: <value> <unit> (source value, hours)", for converted rates.
std::string hourly(const char* original) {
  return std::string("Hanson 2016 (doi:10.1101/049908), BIOMD0000000837: ") + original +
         ", x 24 h/d";
}
constexpr const char* sbml = "Hanson 2016 (doi:10.1101/049908), BIOMD0000000837";

double signal(double i, std::span<const double> p) {
  return i * i / (i * i + p[P::b] * p[P::b]);
}
double signal_derivative(double i, std::span<const double> p) {
  const double b2 = p[P::b] * p[P::b];
  const double denominator = i * i + b2;
  return 2.0 * i * b2 / (denominator * denominator);
}
double occupied(std::span<const double> y) {
  return y[P::B] + y[P::Ce] + y[P::Cm] + y[P::He] + y[P::Hm] + y[P::L];
}
double niche(std::span<const double> y, std::span<const double> p) {
  return std::max(0.0, 1.0 - occupied(y) / p[P::l]);
}
}  // namespace

const ModelInfo& Hanson2016::info() const {
  static const ModelInfo model_info = [] {
    ModelInfo m;
    m.name = "hanson2016";
    m.title = "CAR-T activation and cytokine release syndrome in B-ALL (Hanson 2016)";
    m.summary =
        "Memory CAR-T cells (cytotoxic Cm, helper Hm) are activated by leukaemic B cells when "
        "inflammation I is high and burst into effector cells (2^n daughters); effector cytotoxic "
        "cells kill B, and effectors with B cells drive inflammation, a proxy for cytokine release "
        "syndrome. Memory cells and other lymphocytes refill a shared niche. A qualitative model: "
        "amounts are in the source's units. Time in days (the source uses hours).";
    m.equations =
        "S = I^2/(I^2 + b^2),  LT = max(0, 1 - (B + Ce + Cm + He + Hm + L)/l)\n"
        "dB/dt  = r1 B (1 - B/k) - d1 B Ce\n"
        "dCe/dt = 2^n a1 B Cm (1 + a2 He) S - d3 Ce\n"
        "dCm/dt = r2 Cm LT - a1 B Cm (1 + a2 He) S\n"
        "dHe/dt = 2^n a3 B Hm S - d4 He\n"
        "dHm/dt = r3 Hm LT - a3 B Hm S\n"
        "dL/dt  = p2 + r4 L LT - d5 L\n"
        "dI/dt  = p1 B (Ce + He) - d2 I - D + p0\n"
        "[per day: every source rate per hour x 24]";
    m.references =
        "Hanson S, Grimes DR, Taylor-King JP, Bauer B, Warman PI, Frankenstein Z, Kaznatcheev A, "
        "Bonassar MJ, Cannataro VL, Motawe ZY, Lima EABF, Kim S, Davila ML, Araujo A. Toxicity "
        "management in CAR T cell therapy for B-ALL: mathematical modelling as a new avenue for "
        "improvement. bioRxiv 2016. doi:10.1101/049908. BioModels BIOMD0000000837.";
    m.deviations =
        "(1) Time in days: every rate, flux and per-cell interaction constant of the source (per "
        "hour) is multiplied by 24; n, a2, b, l, k and the initial values are unchanged. (2) The "
        "drug flux D is a parameter (the SBML species D is constant, 0); check_run requires "
        "D <= p0 so that inflammation cannot be driven negative. (3) The SBML's niche term uses "
        "'Initial for l' (1600), equal to l; one parameter l is used.";
    m.states = {
        {"Ce", "cells", "cytotoxic (CD8) CAR-T cells, effector", true},
        {"Cm", "cells", "cytotoxic (CD8) CAR-T cells, memory", true},
        {"He", "cells", "helper (CD4) CAR-T cells, effector", true},
        {"Hm", "cells", "helper (CD4) CAR-T cells, memory", true},
        {"B", "cells", "leukaemic B cells", true},
        {"L", "cells", "other lymphocytes", true},
        {"I", "1", "inflammation (cytokine level, source units)", true},
    };
    m.parameters = {
        {"n", "1", "divisions in an activation burst (2^n effectors per memory cell)", 6.0, 0.0,
         30.0, sbml},
        {"r1", "1/d", "leukaemic growth rate", 0.072, 0.0, 1.0e3, hourly("r_1 = 0.003 /h")},
        {"r2", "1/d", "cytotoxic memory CAR-T renewal rate", 2.4, 0.0, 1.0e3,
         hourly("r_2 = 0.1 /h")},
        {"r3", "1/d", "helper memory CAR-T renewal rate", 2.4, 0.0, 1.0e3, hourly("r_3 = 0.1 /h")},
        {"r4", "1/d", "lymphocyte renewal rate", 2.4, 0.0, 1.0e3, hourly("r_4 = 0.1 /h")},
        {"d1", "1/(cell*d)", "killing of B by cytotoxic effectors", 4.8e-3, 0.0, 1.0e3,
         hourly("d_1 = 2e-4 /(cell h)")},
        {"d2", "1/d", "inflammation decay rate", 36.0, 0.0, 1.0e4, hourly("d_2 = 1.5 /h")},
        {"d3", "1/d", "cytotoxic effector death rate", 0.096, 0.0, 1.0e3, hourly("d_3 = 0.004 /h")},
        {"d4", "1/d", "helper effector death rate", 0.096, 0.0, 1.0e3, hourly("d_4 = 0.004 /h")},
        {"d5", "1/d", "lymphocyte death rate", 4.8e-3, 0.0, 1.0e3, hourly("d_5 = 2e-4 /h")},
        {"p0", "1/d", "constant inflammation input (inflammation units per day)", 4800.0, 0.0,
         1.0e9, hourly("p_0 = 200 /h (SBML reaction Inflammation_Input)")},
        {"p1", "1/(cell^2*d)", "inflammation produced per effector-B contact", 0.048, 0.0, 1.0e6,
         hourly("p_1 = 0.002 /(cell^2 h)")},
        {"p2", "cells/d", "constant lymphocyte production", 9.6, 0.0, 1.0e9,
         hourly("p_2 = 0.4 cells/h (SBML reaction Lympocyte_Formation_Constant)")},
        {"a1", "1/(cell*d)", "activation of cytotoxic memory cells by B", 9.6e-6, 0.0, 1.0e3,
         hourly("a_1 = 4e-7 /(cell h)")},
        {"a2", "1/cell", "help: activation boost per helper effector", 2.0, 0.0, 1.0e6, sbml},
        {"a3", "1/(cell*d)", "activation of helper memory cells by B", 1.92e-3, 0.0, 1.0e3,
         hourly("a_3 = 8e-5 /(cell h)")},
        {"b", "1", "inflammation at half-maximal activation", 800.0, 1.0e-12, 1.0e12, sbml},
        {"l", "cells", "lymphocyte niche size", 1600.0, 1.0e-12, 1.0e15, sbml},
        {"k", "cells", "leukaemic carrying capacity", 4800.0, 1.0e-12, 1.0e15, sbml},
        {"D", "1/d", "anti-inflammatory drug flux (inflammation units per day)", 0.0, 0.0, 1.0e9,
         "BIOMD0000000837 (species D = 0, constant); set it to model e.g. tocilizumab"},
        {"ce0", "cells", "Ce(0)", 10.0, 0.0, 1.0e15, sbml},
        {"cm0", "cells", "Cm(0)", 10.0, 0.0, 1.0e15, sbml},
        {"he0", "cells", "He(0)", 10.0, 0.0, 1.0e15, sbml},
        {"hm0", "cells", "Hm(0)", 10.0, 0.0, 1.0e15, sbml},
        {"b0", "cells", "B(0)", 300.0, 0.0, 1.0e15, sbml},
        {"l0", "cells", "L(0)", 1600.0, 0.0, 1.0e15, sbml},
        {"i0", "1", "I(0)", 140.0, 0.0, 1.0e15, sbml},
    };
    m.observables = {
        {"car_total", "cells", "all CAR-T cells, Ce + Cm + He + Hm"},
        {"activation_signal", "1", "S = I^2/(I^2 + b^2)"},
        {"free_niche", "1", "LT = max(0, 1 - occupied/l)"},
    };
    m.metrics = {
        MetricSpec{.name = "I_max",
                   .kind = MetricKind::max,
                   .variable = "I",
                   .unit = "1",
                   .description = "peak inflammation (CRS severity proxy)"},
        MetricSpec{.name = "t_I_max",
                   .kind = MetricKind::argmax,
                   .variable = "I",
                   .unit = "d",
                   .description = "time of peak inflammation"},
        MetricSpec{.name = "car_max",
                   .kind = MetricKind::max,
                   .variable = "car_total",
                   .unit = "cells",
                   .description = "peak total CAR-T"},
        MetricSpec{.name = "B_min",
                   .kind = MetricKind::min,
                   .variable = "B",
                   .unit = "cells",
                   .description = "smallest leukaemic burden"},
        MetricSpec{.name = "B_final",
                   .kind = MetricKind::final,
                   .variable = "B",
                   .unit = "cells",
                   .description = "leukaemic burden at the end"},
    };
    return m;
  }();
  return model_info;
}

void Hanson2016::rhs(double, std::span<const double> y, std::span<const double> p,
                     std::span<double> dydt) const {
  const double s = signal(y[I], p);
  const double lt = niche(y, p);
  const double burst = std::exp2(p[n]);
  const double cyto_activation = p[a1] * y[B] * y[Cm] * (1.0 + p[a2] * y[He]) * s;
  const double help_activation = p[a3] * y[B] * y[Hm] * s;
  dydt[B] = p[r1] * y[B] * (1.0 - y[B] / p[k]) - p[d1] * y[B] * y[Ce];
  dydt[Ce] = burst * cyto_activation - p[d3] * y[Ce];
  dydt[Cm] = p[r2] * y[Cm] * lt - cyto_activation;
  dydt[He] = burst * help_activation - p[d4] * y[He];
  dydt[Hm] = p[r3] * y[Hm] * lt - help_activation;
  dydt[L] = p[p2] + p[r4] * y[L] * lt - p[d5] * y[L];
  dydt[I] = p[p1] * y[B] * (y[Ce] + y[He]) - p[d2] * y[I] - p[D] + p[p0];
}

void Hanson2016::jacobian(double, std::span<const double> y, std::span<const double> p,
                          Eigen::Ref<Eigen::MatrixXd> jac) const {
  const double s = signal(y[I], p);
  const double ds = signal_derivative(y[I], p);
  const double lt = niche(y, p);
  // d LT / d x = -1/l for each occupant while the niche is open, 0 once it is full.
  const double dlt = lt > 0.0 ? -1.0 / p[l] : 0.0;
  const double burst = std::exp2(p[n]);
  const double help = 1.0 + p[a2] * y[He];
  const double g = p[a1] * help * s;  // cytotoxic activation per B per Cm
  const State occupants[] = {B, Ce, Cm, He, Hm, L};

  jac(B, B) = p[r1] * (1.0 - 2.0 * y[B] / p[k]) - p[d1] * y[Ce];
  jac(B, Ce) = -p[d1] * y[B];

  jac(Ce, Ce) = -p[d3];
  jac(Ce, B) = burst * y[Cm] * g;
  jac(Ce, Cm) = burst * y[B] * g;
  jac(Ce, He) = burst * p[a1] * y[B] * y[Cm] * p[a2] * s;
  jac(Ce, I) = burst * p[a1] * y[B] * y[Cm] * help * ds;

  for (State x : occupants) {
    jac(Cm, x) = p[r2] * y[Cm] * dlt;
    jac(Hm, x) = p[r3] * y[Hm] * dlt;
    jac(L, x) = p[r4] * y[L] * dlt;
  }
  jac(Cm, Cm) += p[r2] * lt - y[B] * g;
  jac(Cm, B) += -y[Cm] * g;
  jac(Cm, He) += -p[a1] * y[B] * y[Cm] * p[a2] * s;
  jac(Cm, I) = -p[a1] * y[B] * y[Cm] * help * ds;

  jac(He, He) = -p[d4];
  jac(He, B) = burst * p[a3] * y[Hm] * s;
  jac(He, Hm) = burst * p[a3] * y[B] * s;
  jac(He, I) = burst * p[a3] * y[B] * y[Hm] * ds;

  jac(Hm, Hm) += p[r3] * lt - p[a3] * y[B] * s;
  jac(Hm, B) += -p[a3] * y[Hm] * s;
  jac(Hm, I) = -p[a3] * y[B] * y[Hm] * ds;

  jac(L, L) += p[r4] * lt - p[d5];

  jac(I, B) = p[p1] * (y[Ce] + y[He]);
  jac(I, Ce) = p[p1] * y[B];
  jac(I, He) = p[p1] * y[B];
  jac(I, I) = -p[d2];
}

void Hanson2016::observables(double, std::span<const double> y, std::span<const double> p,
                             std::span<double> out) const {
  out[0] = y[Ce] + y[Cm] + y[He] + y[Hm];
  out[1] = signal(y[I], p);
  out[2] = niche(y, p);
}

void Hanson2016::initial_state(std::span<const double> p, std::span<double> y0) const {
  y0[Ce] = p[ce0];
  y0[Cm] = p[cm0];
  y0[He] = p[he0];
  y0[Hm] = p[hm0];
  y0[B] = p[b0];
  y0[L] = p[l0];
  y0[I] = p[i0];
}

void Hanson2016::check_run(double, std::span<const double> p) const {
  if (p[D] > p[p0]) {
    throw ParameterError("D", fmt::format("hanson2016: the drug flux 'D' ({:g} /d) must not "
                                          "exceed the constant input 'p0' ({:g} /d), or "
                                          "inflammation I would be driven below zero",
                                          p[D], p[p0]));
  }
}

}  // namespace cartsim::models
