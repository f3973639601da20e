# bpf_skeleton(NAME SOURCE DEPENDS...)
#
# clang -> NAME.bpf.o -> bpftool gen object -> bpftool gen skeleton, the way
# libbpf-bootstrap and bcc's libbpf-tools build their programs. Produces an
# INTERFACE library NAME_skel whose include directory holds NAME.skel.h.
find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

# vmlinux/vmlinux.h picks the dump for __TARGET_ARCH_<arch>, the arch the
# agent runs on (the target's in a cross build: the BPF object is built by
# the host's clang all the same). Only x86's and arm64's are checked in, so
# any other processor stops here rather than at #error.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64)$")
  set(BPF_TARGET_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(BPF_TARGET_ARCH arm64)
else()
  message(FATAL_ERROR "BPF: unsupported arch ${CMAKE_SYSTEM_PROCESSOR}: "
          "only vmlinux/x86/vmlinux.h (x86_64) and vmlinux/arm64/vmlinux.h "
          "(aarch64) are checked in")
endif()

function(bpf_skeleton name source)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/bpf)
  set(tmp_obj ${out_dir}/${name}.tmp.bpf.o)
  set(obj ${out_dir}/${name}.bpf.o)
  set(skel ${out_dir}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${skel} ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND ${BPF_CLANG} -g -O2 -Wall -Werror -target bpf
            -D__TARGET_ARCH_${BPF_TARGET_ARCH}
            -I${PROJECT_SOURCE_DIR}/vmlinux
            -I${PROJECT_SOURCE_DIR}/include
            -c ${source} -o ${tmp_obj}
    COMMAND ${BPFTOOL} gen object ${obj} ${tmp_obj}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name}_bpf > ${skel}
    DEPENDS ${source} ${ARGN}
            ${PROJECT_SOURCE_DIR}/vmlinux/vmlinux.h
            ${PROJECT_SOURCE_DIR}/vmlinux/${BPF_TARGET_ARCH}/vmlinux.h
    COMMENT "BPF ${name}: clang, bpftool gen object, gen skeleton"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${out_dir})
endfunction()
