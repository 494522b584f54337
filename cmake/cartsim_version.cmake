# Records the git commit into the build tree (never the source tree) at every build, so run.json
# names the commit the binary was built from. The header is rewritten only when its text changes.
add_custom_target(cartsim_version_header
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DOUTPUT=${PROJECT_BINARY_DIR}/generated/cartsim/version.hpp
          -DVERSION=${PROJECT_VERSION}
          -P ${PROJECT_SOURCE_DIR}/cmake/write_version.cmake
  BYPRODUCTS ${PROJECT_BINARY_DIR}/generated/cartsim/version.hpp
  COMMENT "Recording the cartsim version and git commit")
