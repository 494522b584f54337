# `cmake --install`: the cartsim executable in bin/, the libraries and their headers, and an
# exported CMake package: find_package(cartsim) gives cartsim::cartsim (every library: sweeps,
# simulation, models, solvers, core and report), the single libraries as cartsim::core, ...,
# and the executable as cartsim::cli. tests/install/ builds a consumer against the installed tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(cartsim_libraries cartsim_core cartsim_models cartsim_solvers cartsim_equations cartsim_sbml
    cartsim_simulation cartsim_sweeps cartsim_report)
add_library(cartsim_all INTERFACE)
add_library(cartsim::cartsim ALIAS cartsim_all)
target_link_libraries(cartsim_all INTERFACE cartsim_sweeps cartsim_report)
set_target_properties(cartsim_all PROPERTIES EXPORT_NAME cartsim)
set_target_properties(cartsim PROPERTIES EXPORT_NAME cli)
foreach(lib IN LISTS cartsim_libraries)
  string(REPLACE "cartsim_" "" short ${lib})
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${short})
  target_include_directories(${lib} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()

install(TARGETS cartsim ${cartsim_libraries} cartsim_all
        EXPORT cartsim-targets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(dir core models solvers equations sbml simulation sweeps report)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/cartsim/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cartsim)

set(cartsim_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/cartsim)
install(EXPORT cartsim-targets NAMESPACE cartsim:: DESTINATION ${cartsim_cmake_dir}
        FILE cartsim-targets.cmake)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cartsim-config.cmake.in
                              ${PROJECT_BINARY_DIR}/cartsim-config.cmake
                              INSTALL_DESTINATION ${cartsim_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cartsim-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/FindLibSBML.cmake
              ${PROJECT_BINARY_DIR}/cartsim-config.cmake
              ${PROJECT_BINARY_DIR}/cartsim-config-version.cmake
        DESTINATION ${cartsim_cmake_dir})
