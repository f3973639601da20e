# The man page (dist/man/nsgroup.8) and bash completion
# (dist/bash-completion/nsgroup), each checked by the tool that reads it:
# man -l with warnings as errors, bash itself; and both against the
# binary's own --help, so that neither can drift from it.
set(NSGROUP_MAN_PAGE ${PROJECT_SOURCE_DIR}/dist/man/nsgroup.8)
set(NSGROUP_COMPLETION ${PROJECT_SOURCE_DIR}/dist/bash-completion/nsgroup)

add_test(NAME dist.man_page
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/man_test.sh render ${NSGROUP_MAN_PAGE})
add_test(NAME dist.man_page_matches_help
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/man_test.sh help ${NSGROUP_MAN_PAGE}
                 $<TARGET_FILE:nsgroup>)
# Subcommands, options and their values, pids; needs no root.
add_test(NAME dist.bash_completion
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/completion_test.sh ${NSGROUP_COMPLETION}
                 $<TARGET_FILE:nsgroup>)
# Container paths against the tree `nsgroup tree` prints as root (a
# one-shot scan of every process); skipped (77) when not root.
add_test(NAME dist.bash_completion_containers
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/completion_test.sh ${NSGROUP_COMPLETION}
                 $<TARGET_FILE:nsgroup> containers)
set_tests_properties(dist.man_page dist.man_page_matches_help dist.bash_completion
                     dist.bash_completion_containers
                     PROPERTIES LABELS dist TIMEOUT 120)
set_tests_properties(dist.bash_completion_containers PROPERTIES SKIP_RETURN_CODE 77)
