# The Debian package (cmake/Package.cmake, dist/debian): built with cpack in
# this build tree, checked by lintian, installed with dpkg -i and purged
# (tests/dist/package_test.sh). Root; installs on this machine, so alone.
add_test(NAME dist.debian_package
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/package_test.sh
                 ${CMAKE_CPACK_COMMAND} ${PROJECT_BINARY_DIR} ${PROJECT_VERSION})
set_tests_properties(dist.debian_package PROPERTIES
  LABELS dist RUN_SERIAL TRUE SKIP_RETURN_CODE 77 TIMEOUT 600)
