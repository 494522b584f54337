#pragma once
// Cytokine release syndrome after CD19 CAR-T therapy in B-ALL (Hanson et al. 2016, bioRxiv
// doi:10.1101/049908; BioModels BIOMD0000000837). Cell and inflammation amounts in the source's own
// units (the SBML does not state them); t in days. Every rate was converted from the source's
// per-hour value: k [1/d] = 24 x k [1/h].
//
//   S  = I^2 / (I^2 + b^2)                                   inflammation-gated activation
//   LT = max(0, 1 - (B + Ce + Cm + He + Hm + L) / l)         free lymphocyte niche
//   dB/dt  = r1 B (1 - B/k) - d1 B Ce                        leukaemic B cells
//   dCe/dt = 2^n a1 B Cm (1 + a2 He) S - d3 Ce               cytotoxic CAR-T, effector
//   dCm/dt = r2 Cm LT - a1 B Cm (1 + a2 He) S                cytotoxic CAR-T, memory
//   dHe/dt = 2^n a3 B Hm S - d4 He                           helper CAR-T, effector
//   dHm/dt = r3 Hm LT - a3 B Hm S                            helper CAR-T, memory
//   dL/dt  = p2 + r4 L LT - d5 L                             other lymphocytes
//   dI/dt  = p1 B (Ce + He) - d2 I - D + p0                  inflammation
// The constant terms were resolved against the SBML (COPASI reactions Lympocyte_Formation_Constant,
// v = p_2 = 0.4 /h, and Inflammation_Input, v = p_0 = 200 /h); D, an anti-inflammatory drug flux
// (an SBML species with no dynamics, 0), is a parameter here.
#include "cartsim/core/model.hpp"

namespace cartsim::models {

class Hanson2016 final : public OdeModel {
 public:
  enum Parameter : std::size_t {
    n,
    r1,
    r2,
    r3,
    r4,
    d1,
    d2,
    d3,
    d4,
    d5,
    p0,
    p1,
    p2,
    a1,
    a2,
    a3,
    b,
    l,
    k,
    D,
    ce0,
    cm0,
    he0,
    hm0,
    b0,
    l0,
    i0
  };
  enum State : std::size_t { Ce, Cm, He, Hm, B, L, I };

  const ModelInfo& info() const override;
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override;
  bool has_jacobian() const override { return true; }
  void jacobian(double t, std::span<const double> y, std::span<const double> p,
                Eigen::Ref<Eigen::MatrixXd> jac) const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;
  void check_run(double t0, std::span<const double> p) const override;
};

}  // namespace cartsim::models
