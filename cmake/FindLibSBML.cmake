# Finds libSBML (Debian: libsbml5-dev) and defines the imported target LibSBML::LibSBML.
#
# libSBML's own CMake package file (Debian installs it as lib/<arch>/cmake/sbml-config.cmake) loads
# find modules for its dependencies that need the C language and CheckLibraryExists, so cartsim,
# a C++-only project, finds the header and the shared library itself.
find_path(LibSBML_INCLUDE_DIR NAMES sbml/SBMLTypes.h)
find_library(LibSBML_LIBRARY NAMES sbml libsbml)
if(LibSBML_INCLUDE_DIR AND EXISTS "${LibSBML_INCLUDE_DIR}/sbml/common/libsbml-version.h")
  file(STRINGS "${LibSBML_INCLUDE_DIR}/sbml/common/libsbml-version.h" _libsbml_version_line
       REGEX "^#define LIBSBML_DOTTED_VERSION[ \t]+\"[0-9.]+\"")
  string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" LibSBML_VERSION "${_libsbml_version_line}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibSBML
  REQUIRED_VARS LibSBML_LIBRARY LibSBML_INCLUDE_DIR
  VERSION_VAR LibSBML_VERSION)
if(LibSBML_FOUND AND NOT TARGET LibSBML::LibSBML)
  add_library(LibSBML::LibSBML UNKNOWN IMPORTED)
  set_target_properties(LibSBML::LibSBML PROPERTIES
    IMPORTED_LOCATION "${LibSBML_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LibSBML_INCLUDE_DIR}")
endif()
mark_as_advanced(LibSBML_INCLUDE_DIR LibSBML_LIBRARY)
