# The Debian package: `cpack -G DEB` in a build tree gives
# nsgroup_<version>_amd64.deb holding what `cmake --install` installs
# (the root CMakeLists.txt's rules), with prefix /usr whatever
# CMAKE_INSTALL_PREFIX says. dist/debian holds the maintainer scripts, the
# copyright and the changelog; tests/dist/package_test.sh builds the
# package, runs lintian on it, installs it and purges it.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nsgroup)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT
    "nsgroup maintainers <maintainers@users.noreply.h-seed-e0fb033e.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Debian's own name: nsgroup_0.1.0_amd64.deb.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Description: the synopsis (lintian: at most 80 characters, no leading
# article, no full stop), then the long description, which CPack puts
# below it.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "eBPF agent that groups namespaces into containers")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "nsgroup watches every namespace created or entered on the host (clone,
clone3, unshare, setns) with eBPF programs, groups the processes that share
a set of namespaces into containers, and keeps them as a tree and as cgroup
v2 directories. `nsgroup daemon` serves the tree on a local socket, prints
each event as a JSON line and can export counters for Prometheus; `tree`,
`which`, `watch`, `stats`, `rename` and `kill` ask it.
.
The systemd unit nsgroup.service is installed but neither enabled nor
started: `systemctl enable --now nsgroup` does that. It needs a kernel
with BTF (/sys/kernel/btf/vmlinux).")
# Depends: from the binary's shared libraries (dpkg-shlibdeps, dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Stripped at install time; then dist/debian/staging.cmake, on the staging
# directory, removes .comment and .note as dh_strip does and makes every
# directory 0755 whatever the umask of the build (a clone in a 0700
# directory under /root builds with 077). Files get explicit modes in
# their install rules, maintainer scripts 0755 here.
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/dist/debian/staging.cmake)
# conffiles: /etc/default/nsgroup, which dpkg then keeps as the
# administrator edited it on upgrade, and removes on purge only.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/dist/debian/conffiles
    ${PROJECT_SOURCE_DIR}/dist/debian/postinst
    ${PROJECT_SOURCE_DIR}/dist/debian/prerm
    ${PROJECT_SOURCE_DIR}/dist/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
