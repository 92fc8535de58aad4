# install.cmake - libcollapse as a C library users install (included by CMakeLists.txt after the
# targets): a shared library with a SONAME beside the static one, the public headers, collapse.pc
# for pkg-config, a CMake package (find_package(collapse)), the presets, the data folder, man
# pages generated from --help, bash completion and the Python package (python/). docs/INSTALL.md.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The shared library is the static library's objects linked once more: the same code, built once
# (so the static library is position independent too).
set_target_properties(collapse_lib PROPERTIES POSITION_INDEPENDENT_CODE ON)
add_library(collapse_shared SHARED $<TARGET_OBJECTS:collapse_lib>)
target_link_libraries(collapse_shared PRIVATE $<TARGET_PROPERTY:collapse_lib,INTERFACE_LINK_LIBRARIES>)
# 0.x: every minor version may change the ABI, so the SONAME carries it (libcollapse.so.0.3)
set(COLLAPSE_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set_target_properties(collapse_shared PROPERTIES OUTPUT_NAME collapse VERSION ${PROJECT_VERSION}
                      SOVERSION ${COLLAPSE_SOVERSION}
                      LINK_DEPENDS ${CMAKE_SOURCE_DIR}/cmake/libcollapse.map)
target_link_options(collapse_shared PRIVATE -Wl,--version-script=${CMAKE_SOURCE_DIR}/cmake/libcollapse.map)

# The data folder the installed library looks in when MC_DATA_DIR is unset (src/io/datapath.c).
set(COLLAPSE_DATA_INSTALL_DIR ${CMAKE_INSTALL_FULL_DATADIR}/collapse/data)
set_source_files_properties(${CMAKE_SOURCE_DIR}/src/io/datapath.c PROPERTIES
  COMPILE_DEFINITIONS "MC_DATA_INSTALL_DIR=\"${COLLAPSE_DATA_INSTALL_DIR}\"")

# Man pages: `collapse --help` and `collapse CMD --help` as they are, set in troff
# (scripts/manpages.sh), remade whenever the program changes: never a text of their own.
set(COLLAPSE_MAN_DIR ${CMAKE_BINARY_DIR}/man)
add_custom_command(
  OUTPUT ${COLLAPSE_MAN_DIR}/collapse.1
  COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/manpages.sh $<TARGET_FILE:collapse> ${COLLAPSE_MAN_DIR}
  DEPENDS collapse ${CMAKE_SOURCE_DIR}/scripts/manpages.sh
  COMMENT "Man pages from --help")
add_custom_target(manpages ALL DEPENDS ${COLLAPSE_MAN_DIR}/collapse.1)

# The Python package's path to the installed library (python/collapse/_lib.py reads it).
set(COLLAPSE_LIB_FILE ${CMAKE_SHARED_LIBRARY_PREFIX}collapse${CMAKE_SHARED_LIBRARY_SUFFIX}.${COLLAPSE_SOVERSION})
# Debian's own layout for prefix /usr (python3 searches /usr/lib/python3/dist-packages); for
# another prefix, PYTHONPATH=PREFIX/lib/python3/dist-packages (docs/PYTHON.md). The path to the
# library is relative, so that `cmake --install --prefix P` works too.
set(COLLAPSE_PYTHON_DIR lib/python3/dist-packages)
file(RELATIVE_PATH COLLAPSE_PY_TO_LIB ${CMAKE_INSTALL_PREFIX}/${COLLAPSE_PYTHON_DIR}/collapse
     ${CMAKE_INSTALL_FULL_LIBDIR}/${COLLAPSE_LIB_FILE})
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/python-install/_libpath.py
     CONTENT "# written by make install: libcollapse, relative to this folder\nRELATIVE = \"${COLLAPSE_PY_TO_LIB}\"\n")

if(CAIRO_FOUND)
  set(COLLAPSE_PC_CAIRO cairo)
endif()
# MPI, when the library was built with it: its pkg-config module (Debian's MPICH: mpich)
set(COLLAPSE_PC_MPI "")
set(COLLAPSE_WITH_MPI 0)
if(COLLAPSE_MPI AND MPI_C_FOUND)
  set(COLLAPSE_WITH_MPI 1)
  foreach(module mpich ompi-c mpi)
    pkg_check_modules(COLLAPSE_PC_${module} QUIET ${module})
    if(COLLAPSE_PC_${module}_FOUND AND NOT COLLAPSE_PC_MPI)
      set(COLLAPSE_PC_MPI ${module})
    endif()
  endforeach()
endif()
file(RELATIVE_PATH COLLAPSE_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" COLLAPSE_PC_TO_PREFIX "${COLLAPSE_PC_TO_PREFIX}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/collapse.pc.in ${CMAKE_BINARY_DIR}/collapse.pc @ONLY)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/collapseConfig.cmake.in
  ${CMAKE_BINARY_DIR}/collapseConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/collapse
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/collapseConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)

install(TARGETS collapse RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS collapse_shared collapse_lib
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/collapse.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${CMAKE_BINARY_DIR}/collapseConfig.cmake ${CMAKE_BINARY_DIR}/collapseConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/collapse)
install(DIRECTORY ${COLLAPSE_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/completion/collapse.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME collapse)
file(GLOB COLLAPSE_PRESET_INIS ${CMAKE_SOURCE_DIR}/presets/*.ini)
install(FILES ${COLLAPSE_PRESET_INIS} DESTINATION ${CMAKE_INSTALL_DATADIR}/collapse/presets)
install(FILES ${CMAKE_SOURCE_DIR}/examples/run_preset.c ${CMAKE_SOURCE_DIR}/examples/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# the data (`make data`), when there is some: the Brown corpus and SUBTLEX, about 15 MB
install(DIRECTORY ${CMAKE_SOURCE_DIR}/data/node_modules DESTINATION ${CMAKE_INSTALL_DATADIR}/collapse/data
        COMPONENT data OPTIONAL)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/python/collapse DESTINATION ${COLLAPSE_PYTHON_DIR}
        PATTERN "__pycache__" EXCLUDE)
install(FILES ${CMAKE_BINARY_DIR}/python-install/_libpath.py DESTINATION ${COLLAPSE_PYTHON_DIR}/collapse)
