# dist/kubernetes: no cluster or registry here, so the manifests are checked
# structurally (tests/dist/kubernetes_check.py): YAML parses, the DaemonSet's
# capabilities are the unit's CapabilityBoundingSet, its args are options
# the real binary's --help lists, the Dockerfile's packages are Debian 12's.
# Debian's python3 (python3-yaml), not whatever python3 comes first in PATH.
find_program(NSGROUP_SYSTEM_PYTHON3 python3 HINTS /usr/bin)
add_test(NAME dist.kubernetes_manifest
         COMMAND ${NSGROUP_SYSTEM_PYTHON3}
                 ${CMAKE_CURRENT_SOURCE_DIR}/kubernetes_check.py
                 ${PROJECT_SOURCE_DIR}/dist $<TARGET_FILE:nsgroup>
                 ${PROJECT_SOURCE_DIR}/scripts/lib.sh)
set_tests_properties(dist.kubernetes_manifest PROPERTIES
  LABELS dist SKIP_RETURN_CODE 77 TIMEOUT 120)
