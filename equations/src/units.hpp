#pragma once
// Internal to the equations library: units as written in a model ("cells/uL", "1/d", "mg/L",
// "L/(kg*h)") and a check that a model's expressions combine them consistently.
//
// A unit is a product of base dimensions with exponents and a scale relative to SI-like bases:
// time (s), length (m), mass (g), amount (mol), and every other word as a base of its own
// ("cells", "copies", "animals"; a trailing plural 's' is ignored). Words cartsim does not know
// are such bases, so nothing is rejected for being unfamiliar; what is rejected is an expression
// that adds, compares or equates quantities of different dimensions, or of the same dimension at
// different scales (mg/h where mg/d is needed) when no bare number in the product could be the
// conversion factor.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cartsim/equations/model_spec.hpp"

namespace cartsim::equations {

struct Unit {
  std::map<std::string, double> dims;  ///< base -> exponent (no zero exponents)
  double scale = 1.0;                  ///< value in base units of 1 of this unit
  bool scale_known = true;             ///< false once a bare number multiplied it

  bool same_dims(const Unit& other) const;
  bool same(const Unit& other) const;  ///< dimensions and (where both are known) scale
  std::string text() const;            ///< dimensions as base^exponent, for messages
};

/// The unit `text` means; std::nullopt when it cannot be read (then it is not checked).
std::optional<Unit> parse_unit(std::string_view text);

/// Throws ConfigError at the offending operator or expression when the units of `spec` do not
/// combine (only where units are given; nothing without check_units).
void check_units(const ModelSpec& spec);

}  // namespace cartsim::equations
