#pragma once
// One exception hierarchy for the whole project. Library code throws; only `main` catches and picks
// the exit code (ConfigError -> 2, ModelError / SolverError -> 1).
#include <stdexcept>
#include <string>

namespace cartsim {

/// Base of every error cartsim throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where in an input file something went wrong. Line and column are 1-based; 0 means unknown.
struct InputLocation {
  std::string file;       ///< path as given by the user
  int line = 0;           ///< 1-based line
  int column = 0;         ///< 1-based column
  std::string yaml_path;  ///< e.g. "protocol[2].dose.amount"
};

/// Bad user input: unreadable file, bad YAML, unknown key, wrong type, out-of-range value, ...
/// what() reads "FILE:LINE:COL: error: at 'PATH': MESSAGE".
class ConfigError : public Error {
 public:
  ConfigError(InputLocation where, const std::string& message);
  const InputLocation& where() const noexcept { return where_; }
  const std::string& message() const noexcept { return message_; }

 private:
  InputLocation where_;
  std::string message_;
};

/// Invalid use of a model (unknown name, inconsistent parameters) or a failure inside model code.
class ModelError : public Error {
 public:
  using Error::Error;
};

/// A model rejects the value of one parameter (in combination with others); names it so that the
/// scenario error can point at it.
class ParameterError : public ModelError {
 public:
  ParameterError(std::string parameter, const std::string& what)
      : ModelError(what), parameter_(std::move(parameter)) {}
  const std::string& parameter() const noexcept { return parameter_; }

 private:
  std::string parameter_;
};

/// A model rejects a protocol step (Model::check_protocol); names the step so that the scenario
/// error can point at it.
class ProtocolError : public ModelError {
 public:
  ProtocolError(std::size_t step, const std::string& what) : ModelError(what), step_(step) {}
  std::size_t step() const noexcept { return step_; }

 private:
  std::size_t step_;
};

/// A solver could not produce a solution. Every backend throws the same subclass for the same
/// failure.
class SolverError : public Error {
 public:
  SolverError(const std::string& what, double t) : Error(what), time_(t) {}
  /// Model time (days) at which the failure happened.
  double time() const noexcept { return time_; }

 private:
  double time_;
};

/// The step budget (SolverOptions::max_steps) ran out before the end time.
class TooMuchWorkError : public SolverError {
 public:
  using SolverError::SolverError;
};

/// The state or its derivative became NaN or infinite.
class NonFiniteStateError : public SolverError {
 public:
  using SolverError::SolverError;
};

/// The integrator failed to converge or the step size fell below what floating point resolves.
class ConvergenceError : public SolverError {
 public:
  using SolverError::SolverError;
};

}  // namespace cartsim
