# zsh and fish completion (dist/zsh-completion/_nsgroup,
# dist/fish-completion/nsgroup.fish), each run by its shell as a TAB runs
# it (zsh on a pseudo-terminal with compinit, fish's complete -C), against
# the binary's help, and against a stand-in with per-command help
# (tests/dist/shell_completion_test.sh). No root.
add_test(NAME dist.zsh_completion
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/shell_completion_test.sh zsh
                 ${PROJECT_SOURCE_DIR}/dist/zsh-completion/_nsgroup $<TARGET_FILE:nsgroup>)
add_test(NAME dist.fish_completion
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/shell_completion_test.sh fish
                 ${PROJECT_SOURCE_DIR}/dist/fish-completion/nsgroup.fish $<TARGET_FILE:nsgroup>)
set_tests_properties(dist.zsh_completion dist.fish_completion
                     PROPERTIES LABELS dist TIMEOUT 600)
