# Run by cpack (CPACK_PRE_BUILD_SCRIPTS, cmake/Package.cmake) on the staging
# directory, after the install rules and before the archive is made.
#
# Directories 0755: cpack's install makes them with the umask of whoever
# builds (077 in a clone under /root: lintian's non-standard-dir-perm, and
# dpkg would create /usr/share/doc/nsgroup 0700); the rules give files
# their modes themselves. CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS does
# not reach the directories the DEB generator makes (CMake 3.25).
file(GLOB_RECURSE dirs LIST_DIRECTORIES true "${CPACK_TEMPORARY_DIRECTORY}/*")
foreach(d ${dirs})
  if(IS_DIRECTORY "${d}" AND NOT IS_SYMLINK "${d}")
    file(CHMOD "${d}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
                                  GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endif()
endforeach()

# The binary, stripped by CPACK_STRIP_FILES, loses the .comment and .note
# sections too, as dh_strip does (lintian: binary-has-unneeded-section).
find_program(objcopy NAMES objcopy REQUIRED)
file(GLOB_RECURSE staged LIST_DIRECTORIES false "${CPACK_TEMPORARY_DIRECTORY}/*/sbin/nsgroup")
if(NOT staged)
  message(FATAL_ERROR "staging.cmake: no sbin/nsgroup under ${CPACK_TEMPORARY_DIRECTORY}")
endif()
foreach(binary ${staged})
  execute_process(COMMAND ${objcopy} --remove-section=.comment --remove-section=.note ${binary}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objcopy ${binary}: ${rc}")
  endif()
endforeach()
