// Guards the sanitizer test setups: `meson test --setup asan` on a build without ASan would
// otherwise report a sanitizer-clean run that never ran a sanitizer.
#pragma once

namespace edge_rt::test {

/// False (after printing why) when $EDGE_RT_EXPECT_SANITIZER names a sanitizer this build lacks.
bool sanitizer_expectation_met();

} // namespace edge_rt::test
