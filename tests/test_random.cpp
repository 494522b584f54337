// Counter-based random streams: the published known answer of Philox4x64-10, determinism by key,
// independence of keys, and the moments of each distribution.
#include <Random123/philox.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "cartsim/core/random.hpp"

using namespace cartsim;

TEST_CASE("Philox4x64-10 gives Random123's known-answer vector", "[random]") {
  // kat_vectors (Random123 1.14): philox4x64 10, counter 0, key 0.
  r123::Philox4x64 g;
  const r123::Philox4x64::ctr_type c = {{0, 0, 0, 0}};
  const r123::Philox4x64::key_type k = {{0, 0}};
  const auto out = g(c, k);
  CHECK(out.v[0] == 0x16554d9eca36314cULL);
  CHECK(out.v[1] == 0xdb20fe9d672d0fdcULL);
  CHECK(out.v[2] == 0xd7e772cee186176bULL);
  CHECK(out.v[3] == 0x7e68b68aec7ba23bULL);
}

TEST_CASE("a stream depends only on its key", "[random]") {
  RandomStream a(42, 7, 1, RandomPurpose::events);
  RandomStream b(42, 7, 1, RandomPurpose::events);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(a.next_u64() == b.next_u64());
  }
  // Any change of key gives a different stream.
  for (const RandomKey key : {RandomKey{43, 7, 1, 2}, RandomKey{42, 8, 1, 2},
                              RandomKey{42, 7, 2, 2}, RandomKey{42, 7, 1, 3}}) {
    RandomStream c(RandomKey{42, 7, 1, 2});
    RandomStream d(key);
    int equal = 0;
    for (int i = 0; i < 100; ++i) {
      equal += c.next_u64() == d.next_u64() ? 1 : 0;
    }
    CHECK(equal == 0);
  }
}

TEST_CASE("distributions have the right moments", "[random]") {
  // n = 200,000 draws: the sample mean's standard error is sd/sqrt(n); bounds are 5 standard errors
  // (a false alarm about once in 3 million runs, and this test is deterministic anyway).
  constexpr int n = 200000;
  const double se = 1.0 / std::sqrt(static_cast<double>(n));
  RandomStream s(1, 0, 0, RandomPurpose::parameters);
  double sum_u = 0, sum_e = 0, sum_z = 0, sum_z2 = 0;
  double min_u = 1, max_u = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    min_u = std::min(min_u, u);
    max_u = std::max(max_u, u);
    sum_u += u;
    sum_e += s.exponential();
    const double z = s.normal();
    sum_z += z;
    sum_z2 += z * z;
  }
  CHECK(min_u > 0.0);
  CHECK(max_u < 1.0);
  CHECK(std::abs(sum_u / n - 0.5) < 5 * se * std::sqrt(1.0 / 12.0));
  CHECK(std::abs(sum_e / n - 1.0) < 5 * se);
  CHECK(std::abs(sum_z / n) < 5 * se);
  CHECK(std::abs(sum_z2 / n - 1.0) < 5 * se * std::sqrt(2.0));
}
